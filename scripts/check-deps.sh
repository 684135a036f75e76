#!/usr/bin/env bash
# Dependency direction: a context's domain crate never depends on a web framework, a database
# driver, or another context. Fails with the offending edge.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(actix-web|actix-http|actix-cors|apistos|mongodb|bson|sqlx|rusqlite|libsqlite3-sys|lettre)$'
status=0
for manifest in crates/kernel/Cargo.toml crates/*/domain/Cargo.toml; do
    pkg=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n 1)
    deps=$(cargo tree -p "$pkg" -e normal --prefix none --format '{p}' --locked 2>/dev/null | awk '{print $1}' | sort -u)
    bad=$(printf '%s\n' "$deps" | grep -E "$forbidden" || true)
    if [ -n "$bad" ]; then
        echo "dependency check: $pkg must not depend on: $(echo $bad)"; status=1
    fi
    others=$(printf '%s\n' "$deps" | grep -E '^stackrush-' | grep -vE "^(${pkg}|stackrush-kernel)$" || true)
    if [ -n "$others" ]; then
        echo "dependency check: $pkg must not depend on another context: $(echo $others)"; status=1
    fi
done
[ "$status" -eq 0 ] && echo "dependency check: domain crates depend on no framework, driver or other context"
exit $status
