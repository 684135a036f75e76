#!/usr/bin/env bash
# Issue 5's load benchmarks (see docs/benchmarks.md): builds the release server and driver, then
# runs the driver pinned to core 1; it starts the server pinned to core 0 and wrk on core 1.
# Needs wrk (apt install wrk) and taskset (util-linux). Arguments go to the driver (--help).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt install wrk" >&2; exit 2; }
cargo build --release --locked -p stackrush-api -p stackrush-bench
exec taskset -c 1 target/release/load "$@"
