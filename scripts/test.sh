#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, dependency direction, every crate's
# tests (contract suites on the in-memory fake, SQLite and MongoDB), the black-box suite on SQLite
# and on MongoDB, and a schemathesis run on each store. MongoDB is SecantusDB from PyPI unless
# MONGODB_URI is set; the S3 file store suites run against moto's server mode (PyPI) unless
# S3_TEST_ENDPOINT is set. Everything started here is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv-qa}

if [ ! -x "$VENV/bin/schemathesis" ] || [ ! -x "$VENV/bin/secantusd-py" ]; then
    echo "==> installing SecantusDB and schemathesis into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --pre 'SecantusDB==0.7.0b3' 'schemathesis==4.32.5'
fi
if [ ! -x "$VENV/bin/moto_server" ]; then
    echo "==> installing moto's S3-compatible server into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi

mongo_pid=""
s3_pid=""
cleanup() {
    for pid in $mongo_pid $s3_pid; do
        kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> dependency direction"
scripts/check-deps.sh
if docker compose version >/dev/null 2>&1; then compose="docker compose"; elif command -v docker-compose >/dev/null 2>&1; then compose=docker-compose; else compose=""; fi
if [ -n "$compose" ]; then
    echo "==> $compose config (deploy/compose.yaml)"
    JWT_SECRET=check REFRESH_TOKEN_SECRET=check $compose -f deploy/compose.yaml config -q
else
    echo "!!! no docker compose client: deploy/compose.yaml not checked"
fi

if [ -z "${MONGODB_URI:-}" ]; then
    port=$(free_port)
    "$VENV/bin/secantusd-py" --port "$port" --storage-path :memory: > "${TMPDIR:-/tmp}/secantusd-$port.log" 2>&1 &
    mongo_pid=$!
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
        sleep 0.2
    done
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
        export MONGODB_URI="mongodb://127.0.0.1:$port/?directConnection=true"
        echo "==> SecantusDB (MongoDB stand-in) on port $port, pid $mongo_pid"
    else
        echo "!!! SecantusDB did not start: the MongoDB suites will be SKIPPED"
        kill "$mongo_pid" 2>/dev/null || true; mongo_pid=""
    fi
fi

if [ -z "${S3_TEST_ENDPOINT:-}" ]; then
    s3_port=$(free_port)
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$s3_port" > "${TMPDIR:-/tmp}/moto-$s3_port.log" 2>&1 &
    s3_pid=$!
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $s3_port), 1)" 2>/dev/null && break
        sleep 0.2
    done
    # moto keeps buckets in memory and takes any credentials; the suites need one bucket.
    if python3 -c "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:$s3_port/stackrush-test', method='PUT'), timeout=5)" 2>/dev/null; then
        export S3_TEST_ENDPOINT="http://127.0.0.1:$s3_port" S3_TEST_BUCKET=stackrush-test
        export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
        echo "==> moto (S3 stand-in) on port $s3_port, pid $s3_pid"
    else
        echo "!!! moto did not start: the S3 file store suites will be SKIPPED"
        kill "$s3_pid" 2>/dev/null || true; s3_pid=""
    fi
fi

echo "==> tests (workspace)"
cargo nextest run --workspace --locked --no-fail-fast
echo "==> black-box tests again under the versioned base (/api/v1; the run above used the /api alias)"
STACKRUSH_TEST_API_BASE=/api/v1 cargo nextest run --workspace --locked --no-fail-fast \
    -E 'package(stackrush-tests)'
if [ -n "${MONGODB_URI:-}" ]; then
    echo "==> black-box and process (fault) tests on MongoDB"
    # --workspace with a filter, not -p: selecting packages changes the unified feature set and
    # would build the whole dependency graph a second time (disk and minutes).
    STACKRUSH_TEST_MONGODB_URI="$MONGODB_URI" cargo nextest run --workspace --locked --no-fail-fast \
        -E 'package(stackrush-tests) | package(stackrush-api)'
else
    echo "!!! MONGODB_URI unset: MongoDB contract and black-box suites SKIPPED"
fi

echo "==> doc tests and examples"
cargo test --workspace --doc --locked
cargo build --quiet --locked --workspace --examples --bins
target/debug/examples/embedded

echo "==> schemathesis (SQLite)"
VENV="$VENV" scripts/schemathesis.sh
if [ -n "${MONGODB_URI:-}" ]; then
    echo "==> schemathesis (MongoDB)"
    VENV="$VENV" FUZZ_MONGODB_URI="$MONGODB_URI" scripts/schemathesis.sh
fi
echo "==> all checks passed"
