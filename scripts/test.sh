#!/usr/bin/env bash
# The whole test suite, on real PostgreSQL, MariaDB and SQLite (servers are started when absent).
# Run without arguments, it first runs each fuzz target briefly (`DRYDOCK_FUZZ_SECONDS` each,
# 10 by default; 0 leaves them out): see scripts/fuzz.sh for longer runs.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${DRYDOCK_FUZZ_SECONDS:-10}
if (($# == 0 && fuzz_seconds > 0)); then
    scripts/fuzz.sh --seconds "$fuzz_seconds"
fi
exec scripts/with-databases.sh cargo test --workspace --locked "$@"
