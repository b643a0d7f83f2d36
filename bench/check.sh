#!/usr/bin/env bash
# `drydock check` on a 2,000-table PostgreSQL database (each table with a serial key, two
# indexes, a foreign key and 10 rows; analyzed), against check_postgres (Debian package
# `check-postgres`) running the equivalent actions one after the other: `txn_wraparound`,
# `sequence`, `last_analyze`, `replication_slots`. drydock does more in its one run (invalid
# indexes, NOT VALID constraints, tables without a key, stale statistics, and the data of every
# table against the schema). Wall time (median of RUNS) and peak memory (max RSS). Needs
# PostgreSQL (TEST_POSTGRES_URL), psql, check_postgres and GNU time. Prints a Markdown section
# for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TABLES=${TABLES:-2000}
RUNS=${RUNS:-5}
SERVER=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
BASE=${SERVER%/*}
DB=drydock_bench_check
URL="$BASE/$DB"
WORK=$(mktemp -d /tmp/drydock-bench.XXXXXX); trap 'rm -rf "$WORK"' EXIT
cargo build --release -q -p drydock
BIN=$PWD/target/release/drydock

psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
python3 - "$TABLES" > "$WORK/schema.sql" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f'CREATE TABLE "t{i}" ("id" SERIAL PRIMARY KEY, "c1" INTEGER NOT NULL, "c2" TEXT, "parent" INTEGER);')
    print(f'CREATE INDEX "t{i}_c1_idx" ON "t{i}"("c1");')
    print(f'CREATE UNIQUE INDEX "t{i}_c2_key" ON "t{i}"("c2");')
    print(f'INSERT INTO "t{i}" ("c1", "c2") SELECT g, \'v\' || g FROM generate_series(1, 10) AS g;')
for i in range(n):
    print(f'ALTER TABLE "t{i}" ADD CONSTRAINT "t{i}_parent_fkey" FOREIGN KEY ("parent") REFERENCES "t{(i + 1) % n}"("id");')
print("ANALYZE;")
PY
psql -q -v ON_ERROR_STOP=1 "$URL" -f "$WORK/schema.sql" >/dev/null

# A project whose schema is the database's, as `db pull` writes it.
mkdir -p "$WORK/project/prisma"
printf 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n' > "$WORK/project/prisma/schema.prisma"
(cd "$WORK/project" && DATABASE_URL=$URL "$BIN" db pull --force >/dev/null 2>&1)

cat > "$WORK/drydock.sh" <<SH
cd "$WORK/project" && DATABASE_URL=$URL "$BIN" check --fail-on error >/dev/null 2>&1
SH
HOST=$(python3 -c "import urllib.parse,sys; u=urllib.parse.urlparse(sys.argv[1]); print(u.hostname or '127.0.0.1', u.port or 5432, u.username or 'postgres')" "$SERVER")
read -r PGH PGP PGU <<<"$HOST"
cat > "$WORK/check_postgres.sh" <<SH
for action in txn_wraparound sequence last_analyze replication_slots; do
  case \$action in
    last_analyze) extra="--warning=1d --critical=2d" ;;
    replication_slots) extra="--warning=100MB --critical=1GB" ;;
    *) extra="" ;;
  esac
  check_postgres --action=\$action --host=$PGH --port=$PGP --dbuser=$PGU --dbname=$DB \$extra >/dev/null 2>&1 || true
done
SH

# The measured command must succeed: a failed connection or schema would be fast and wrong.
(cd "$WORK/project" && DATABASE_URL=$URL "$BIN" check --fail-on error --json > "$WORK/report.json")
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['checks'] >= 7, r; print(f\"drydock check: {r['checks']} checks, {len(r['findings'])} findings\", file=sys.stderr)" "$WORK/report.json"

python3 - "$WORK" "$RUNS" "$TABLES" <<'PY'
import statistics, subprocess, sys, time
work, runs, tables = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def measure(script):
    subprocess.run(["bash", f"{work}/{script}"])  # warm-up
    times = []
    for _ in range(runs):
        start = time.monotonic()
        subprocess.run(["bash", f"{work}/{script}"])
        times.append(time.monotonic() - start)
    rss = subprocess.run(["/usr/bin/time", "-f", "%M", "bash", f"{work}/{script}"],
                         capture_output=True, text=True).stderr.strip().splitlines()[-1]
    return times, int(rss)
rows = [(f"drydock check ({tables} tables)", *measure("drydock.sh")),
        (f"check_postgres: txn_wraparound, sequence, last_analyze, replication_slots ({tables} tables)", *measure("check_postgres.sh"))]
print("| workload | median ms | min ms | max ms | peak RSS MB |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, t, kb in rows:
    print(f"| {name} | {statistics.median(t)*1000:.0f} | {min(t)*1000:.0f} | {max(t)*1000:.0f} | {kb/1024:.1f} |")
print()
print(f"drydock / check_postgres (median): {statistics.median(rows[0][1])/statistics.median(rows[1][1]):.2f}x")
PY
psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
