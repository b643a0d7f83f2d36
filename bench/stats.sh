#!/usr/bin/env bash
# `drydock stats` (with and without `--snapshot`) on a 2,000-table PostgreSQL database (4,000
# indexes, a few rows each, pg_stat_statements installed), beside check_postgres (Debian
# package check-postgres) running the equivalent actions one after the other in the same run:
# connection, backends, hitratio, locks, query_time, txn_idle, txn_time, bloat, dbstats,
# database_size, table_size, index_size, last_vacuum, last_analyze, replication_slots.
# Wall time (median of RUNS) and peak memory (max RSS, GNU time -v). Needs a PostgreSQL that
# preloads pg_stat_statements (TEST_POSTGRES_STATS_URL, as scripts/with-databases.sh starts one;
# else TEST_POSTGRES_URL), psql, check_postgres and GNU time. Prints a Markdown section for
# bench/RESULTS.md. BIN=path/to/drydock skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
TABLES=${TABLES:-2000}
RUNS=${RUNS:-5}
SERVER=${TEST_POSTGRES_STATS_URL:-${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}}
BASE=${SERVER%/*}
DB=drydock_bench_stats
URL="$BASE/$DB"
WORK=$(mktemp -d /tmp/drydock-bench.XXXXXX); trap 'rm -rf "$WORK"' EXIT
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p drydock
  BIN=$PWD/target/release/drydock
fi
command -v check_postgres >/dev/null || { echo "check_postgres is missing: apt-get install check-postgres" >&2; exit 1; }

# check_postgres takes the server's parts, not a URL.
read -r HOST PORT USER < <(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p.hostname, p.port or 5432, p.username or "postgres")' "$SERVER")

psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
python3 - "$TABLES" > "$WORK/schema.sql" <<'PY'
import sys
n = int(sys.argv[1])
print("CREATE EXTENSION IF NOT EXISTS pg_stat_statements;")
for i in range(n):
    print(f'CREATE TABLE "t{i}" ("id" SERIAL PRIMARY KEY, "c1" INTEGER, "c2" TEXT);')
    print(f'CREATE INDEX "t{i}_c1_idx" ON "t{i}"("c1");')
    print(f'INSERT INTO "t{i}" ("c1", "c2") SELECT g, md5(g::text) FROM generate_series(1, 20) g;')
PY
psql -q -v ON_ERROR_STOP=1 "$URL" -f "$WORK/schema.sql" >/dev/null
psql -q "$URL" -c "VACUUM ANALYZE" >/dev/null

# A project whose datasource is the database.
mkdir -p "$WORK/project/prisma"
cat > "$WORK/project/prisma/schema.prisma" <<SCHEMA
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
SCHEMA
export DATABASE_URL="$URL"

cat > "$WORK/check_postgres.sh" <<SH
#!/usr/bin/env bash
# The check_postgres actions that cover what drydock stats reports, one process each.
cp=(check_postgres --host=$HOST --port=$PORT --dbuser=$USER --dbname=$DB)
"\${cp[@]}" --action=connection
"\${cp[@]}" --action=backends
"\${cp[@]}" --action=hitratio --warning=90% --critical=80%
"\${cp[@]}" --action=locks
"\${cp[@]}" --action=query_time --warning='1 minute' --critical='5 minutes'
"\${cp[@]}" --action=txn_idle --warning='1 minute' --critical='10 minutes'
"\${cp[@]}" --action=txn_time --warning='1 minute' --critical='10 minutes'
"\${cp[@]}" --action=bloat
"\${cp[@]}" --action=dbstats --output=cacti
"\${cp[@]}" --action=database_size --warning='100 GB' --critical='200 GB'
"\${cp[@]}" --action=table_size --warning='10 GB' --critical='20 GB'
"\${cp[@]}" --action=index_size --warning='10 GB' --critical='20 GB'
"\${cp[@]}" --action=last_vacuum
"\${cp[@]}" --action=last_analyze
"\${cp[@]}" --action=replication_slots --warning=100MB --critical=1GB
exit 0
SH
chmod +x "$WORK/check_postgres.sh"

cd "$WORK/project"
runs() { # name, command...
  local name=$1; shift
  for _ in $(seq "$RUNS"); do
    python3 -c 'import subprocess, sys, time
t = time.monotonic(); r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.monotonic() - t:.4f} {r.returncode}")' "$@"
  done > "$WORK/$name.times"
  /usr/bin/time -v "$@" > /dev/null 2> "$WORK/$name.rss" || true
}
"$BIN" stats --fail-on never > "$WORK/drydock.txt"
"$BIN" stats --json --fail-on never > "$WORK/drydock.json"
runs drydock "$BIN" stats --fail-on never
runs drydock_json "$BIN" stats --json --fail-on never
runs drydock_snapshot "$BIN" stats --snapshot --fail-on never
runs check_postgres "$WORK/check_postgres.sh"
cd - >/dev/null
snapshots=$(psql -qAt "$URL" -c "SELECT count(*) FROM _drydock._drydock_stats_snapshots")
psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null

python3 - "$WORK" "$TABLES" "$snapshots" <<'PY'
import json, re, statistics, sys
work, tables, snapshots = sys.argv[1], sys.argv[2], sys.argv[3]
report = json.load(open(f"{work}/drydock.json"))
names = [
    ("drydock", "drydock stats"),
    ("drydock_json", "drydock stats --json"),
    ("drydock_snapshot", "drydock stats --snapshot"),
    ("check_postgres", "check_postgres, 15 actions in turn"),
]
print(f"| workload ({tables} tables) | median ms | min ms | max ms | peak RSS MB |")
print("| --- | ---: | ---: | ---: | ---: |")
medians = {}
for key, label in names:
    times = [float(line.split()[0]) for line in open(f"{work}/{key}.times")]
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{work}/{key}.rss").read()).group(1))
    medians[key] = statistics.median(times)
    print(f"| {label} | {medians[key]*1000:.1f} | {min(times)*1000:.1f} | {max(times)*1000:.1f} | {rss/1024:.1f} |")
print()
print(f"drydock stats / check_postgres (median): {medians['drydock']/medians['check_postgres']:.2f}x; "
      f"`--snapshot` adds {1000*(medians['drydock_snapshot']-medians['drydock']):.0f} ms "
      f"({snapshots} snapshots stored by the end)")
print(f"The report read {len(report['tables'])} tables and {len(report['indexes'])} indexes; "
      f"findings: {len(report['findings'])} "
      f"({', '.join(f['code'] + ' ' + f['title'] for f in report['findings']) or 'none'}).")
PY
