#!/usr/bin/env bash
# Introspection of a 2,000-table PostgreSQL database (20,000 columns, 4,000 indexes, 2,000
# foreign keys) by drydock, against `pg_dump --schema-only` on the same database: wall time and
# peak memory (max RSS). drydock's figure is `migrate diff --from-empty --to-url` (one
# introspection, a diff and a summary). Needs PostgreSQL (TEST_POSTGRES_URL), pg_dump, hyperfine
# and GNU time. Prints a Markdown section for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TABLES=${TABLES:-2000}
RUNS=${RUNS:-5}
SERVER=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
BASE=${SERVER%/*}
URL="$BASE/drydock_bench_introspect"
WORK=$(mktemp -d /tmp/drydock-bench.XXXXXX); trap 'rm -rf "$WORK"' EXIT
cargo build --release -q -p drydock
BIN=$PWD/target/release/drydock

psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS drydock_bench_introspect WITH (FORCE)" -c "CREATE DATABASE drydock_bench_introspect" >/dev/null
python3 - "$TABLES" > "$WORK/schema.sql" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    cols = ",\n".join(f'  "c{c}" {"TEXT" if c % 2 else "INTEGER"}{" NOT NULL" if c % 3 == 0 else ""}' for c in range(1, 9))
    parent = f',\n  "parent" INTEGER' if i else ',\n  "parent" INTEGER'
    print(f'CREATE TABLE "t{i}" (\n  "id" SERIAL NOT NULL,\n{cols}{parent},\n  CONSTRAINT "t{i}_pkey" PRIMARY KEY ("id"));')
    print(f'CREATE INDEX "t{i}_c1_idx" ON "t{i}"("c1");')
    print(f'CREATE UNIQUE INDEX "t{i}_c2_key" ON "t{i}"("c2");')
for i in range(n):
    print(f'ALTER TABLE "t{i}" ADD CONSTRAINT "t{i}_parent_fkey" FOREIGN KEY ("parent") REFERENCES "t{(i + 1) % n}"("id") ON DELETE SET NULL ON UPDATE CASCADE;')
PY
psql -q -v ON_ERROR_STOP=1 "$URL" -f "$WORK/schema.sql" >/dev/null

hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/introspect.json" -N \
  -n "drydock introspect ($TABLES tables)" "$BIN migrate diff --from-empty --to-url $URL" \
  -n "pg_dump --schema-only ($TABLES tables)" "pg_dump --schema-only $URL" >/dev/null
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
drydock_kb=$(rss "$BIN" migrate diff --from-empty --to-url "$URL")
pg_dump_kb=$(rss pg_dump --schema-only "$URL")
psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS drydock_bench_introspect WITH (FORCE)" >/dev/null

python3 - "$WORK" "$drydock_kb" "$pg_dump_kb" <<'PY'
import json, sys, statistics
work, d_kb, p_kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = json.load(open(f"{work}/introspect.json"))["results"]
print("| workload | median ms | min ms | max ms | peak RSS MB |")
print("| --- | ---: | ---: | ---: | ---: |")
for r, kb in zip(rows, [d_kb, p_kb]):
    t = r["times"]
    print(f"| {r['command']} | {statistics.median(t)*1000:.1f} | {min(t)*1000:.1f} | {max(t)*1000:.1f} | {kb/1024:.1f} |")
print()
print(f"drydock / pg_dump (median): {statistics.median(rows[0]['times'])/statistics.median(rows[1]['times']):.2f}x")
PY
