#!/usr/bin/env bash
# The whole test suite, on real PostgreSQL, MariaDB and SQLite (servers are started when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-databases.sh cargo test --workspace --locked "$@"
