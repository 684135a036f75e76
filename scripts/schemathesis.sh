#!/usr/bin/env bash
# Fuzz the running binary's /openapi.json with schemathesis (--checks all, two users for the
# object-level authorization check). Starts its own server on a fresh SQLite file (or, with
# FUZZ_MONGODB_URI, on a fresh database of that MongoDB) and stops it.
# Needs .venv-qa (scripts/test.sh creates it) and a built target/debug/stackrush-api.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv-qa}
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# FUZZ_MONGODB_URI: fuzz the server on that MongoDB (a database of its own) instead of SQLite.
# The bootstrap admin makes the fuzz users premium (playlist authors) in qa/users.py.
export FUZZ_ADMIN_EMAIL="admin@fuzz.test" FUZZ_ADMIN_PASSWORD="Fuzz-Admin-Password-1"
ADMIN_EMAIL=$FUZZ_ADMIN_EMAIL ADMIN_PASSWORD=$FUZZ_ADMIN_PASSWORD \
PORT=$port DATABASE_PATH="$work/db/fuzz.db" MAIL_DIR="$work/mail" BCRYPT_COST=4 \
    RATE_LIMIT_PER_MINUTE=1000000 AUTH_RATE_LIMIT_PER_MINUTE=1000000 LOCKOUT_THRESHOLD=1000000 \
    RUST_LOG=warn LOG_FORMAT=json MONGODB_URI="${FUZZ_MONGODB_URI:-}" MONGODB_DB="fuzz_$$" \
    target/debug/stackrush-api > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen('$base/ready', timeout=1)" 2>/dev/null && break
    sleep 0.1
done
python3 qa/users.py "$base" "$work"

run() {
    local auth=$1; shift
    cat > "$work/schemathesis.toml" <<TOML
[auth.wfc]
path = "$work/$auth"
peers = $( [ "$auth" = wfc-login.json ] && echo '["alice", "bob"]' || echo '["carol", "dave"]' )

# A body over BODY_LIMIT_BYTES is refused with 413 before its fields are read: for schema-invalid
# bodies that large (a string far over its maxLength), 413 is the rejection.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

# A focus session must end after it starts, within a day, and not in the future: rules across
# fields and the clock that JSON Schema cannot state, so a schema-valid body can be a 400 here.
[[operations]]
include-path = "/api/v1/focus-sessions"
include-method = "POST"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

# A template must hold some HTML, CSS or JavaScript: a rule across its three code fields that
# JSON Schema cannot state, so a schema-valid body emptying all three is a 400 here.
[[operations]]
include-path-regex = '/templates(/[{]id[}])?$'
include-method-regex = '^(POST|PUT)$'
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]

# A challenge's files must have distinct paths, no file where another one's folder is and at
# most 512 KiB of content together; header names are distinct regardless of case and ports
# distinct; an import's items repeat no slug or id and take no other challenge's id: rules across
# fields and items that JSON Schema cannot state, so a schema-valid body can be a 400 here.
[[operations]]
include-path-regex = '/(challenges(/[{]id[}])?|admin/challenges/import)$'
include-method-regex = '^(POST|PUT)$'
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]

# A challenge lesson names a public challenge and other lessons none; a playlist's lesson ids are
# its own and a reorder names each once; a challenge lesson is completed only after a solve (409):
# rules across fields and the store that JSON Schema cannot state, so a schema-valid body can be a
# 400 (or a 409) here.
[[operations]]
include-path-regex = '/learning/playlists'
include-method-regex = '^(POST|PUT)$'
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]

# An analytics range must not end before it starts, cover more than 366 days or end in the
# future, and its days must exist (2026-02-30 does not): rules across fields, the calendar and
# the clock that JSON Schema cannot state, so a schema-valid query can be a 400 here.
[[operations]]
include-path-regex = '/analytics/'
include-method = "GET"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "429", "5xx"]

# Uploads are images told by their bytes: a schema-valid binary that is no PNG, JPEG or WebP
# image is a 400 (JSON Schema cannot state file signatures).
[[operations]]
include-path-regex = '/(users/avatar|templates/[{]id[}]/thumbnail)$'
include-method = "POST"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "413", "429", "5xx"]
TOML
    "$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
        --checks all --seed 1 --max-examples "${FUZZ_EXAMPLES:-30}" --workers 2 \
        --generation-allow-x00 false --suppress-health-check all "$@"
}

# A run whose only problems are schemathesis' own runtime errors (no failed check: e.g.
# Hypothesis' "AST constructor recursion depth mismatch" while describing a strategy, seen once in
# CI) is run again; with the fixed seed a real failure fails both runs.
run_checked() {
    local log="$work/run.log"
    if run "$@" 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then return 0; fi
    if grep -q "=== FAILURES ===" "$log" || ! grep -q "Runtime Error" "$log"; then return 1; fi
    echo "!!! schemathesis stopped on a runtime error of its own (no check failed): running again"
    run "$@"
}

status=0
# Everything but account deletion, as alice and bob (re-signing in whenever a token is revoked).
run_checked wfc-login.json --exclude-path /api/v1/users/account || status=1
# Account deletion last, with its own users: it ends their accounts.
run_checked wfc-fixed.json --include-path /api/v1/users/account || status=1
if [ "$status" -ne 0 ]; then
    echo "schemathesis found problems; server log tail:"; tail -n 20 "$work/server.log"
fi
exit $status
