#!/usr/bin/env bash
# What TLS costs a command: `drydock migrate status` (release build, 20 applied migrations)
# against libpq's `psql -c 'select 1'` (the peer: the same handshake a libpq tool pays), each in
# plaintext (the plain server) and with sslmode=require and verify-full (the TLS-only server).
# Run it through the script that starts those servers:
#
#   scripts/with-databases.sh bench/tls.sh          # RUNS=30 by default
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
: "${TEST_POSTGRES_URL:?run through scripts/with-databases.sh}"
: "${TEST_POSTGRES_TLS_URL:?run through scripts/with-databases.sh}"
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release -q -p drydock
DRYDOCK=$PWD/target/release/drydock
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT

with_database() { # url name -> url of database name
  python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$1" "$2"
}
plain=$(with_database "$TEST_POSTGRES_URL" drydock_bench_tls)
verify_full=$(with_database "$TEST_POSTGRES_TLS_URL" drydock_bench_tls)
require=${verify_full/sslmode=verify-full/sslmode=require}
for admin in "$TEST_POSTGRES_URL" "$TEST_POSTGRES_TLS_URL"; do
  psql "$admin" -qc 'DROP DATABASE IF EXISTS drydock_bench_tls' -c 'CREATE DATABASE drydock_bench_tls'
done

mkdir -p "$WORK/prisma/migrations"
printf 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n' > "$WORK/prisma/schema.prisma"
for i in $(seq -w 1 20); do
  mkdir -p "$WORK/prisma/migrations/2024010100${i}00_t$i"
  printf 'CREATE TABLE "t%s" ("id" SERIAL PRIMARY KEY, "name" TEXT NOT NULL);\n' "$i" \
    > "$WORK/prisma/migrations/2024010100${i}00_t$i/migration.sql"
done
for url in "$plain" "$verify_full"; do
  (cd "$WORK" && DATABASE_URL=$url "$DRYDOCK" migrate deploy --lint off >/dev/null 2>&1)
done

status() { printf 'cd %q && DATABASE_URL=%q %q migrate status >/dev/null 2>&1' "$WORK" "$1" "$DRYDOCK"; }
select1() { printf 'psql %q -Atqc "select 1" >/dev/null' "$1"; }
hyperfine --runs "$RUNS" --warmup 3 --export-markdown "$WORK/tls.md" \
  -n "drydock status, sslmode=disable" "$(status "$plain")" \
  -n "psql select 1, sslmode=disable" "$(select1 "$plain")" \
  -n "drydock status, sslmode=require" "$(status "$require")" \
  -n "psql select 1, sslmode=require" "$(select1 "$require")" \
  -n "drydock status, sslmode=verify-full" "$(status "$verify_full")" \
  -n "psql select 1, sslmode=verify-full" "$(select1 "$verify_full")" >/dev/null
cat "$WORK/tls.md"
for admin in "$TEST_POSTGRES_URL" "$TEST_POSTGRES_TLS_URL"; do
  psql "$admin" -qc 'DROP DATABASE IF EXISTS drydock_bench_tls'
done
