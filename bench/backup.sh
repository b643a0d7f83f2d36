#!/usr/bin/env bash
# Backups against the tools people use, on a ~1 GB PostgreSQL database (targets of the backup
# issue):
#   1. `drydock backup create` against `pg_dump -Fc` at a comparable compression level;
#   2. `drydock backup verify` (checksum, restore into a scratch database, every table compared)
#      against `createdb && pg_restore && dropdb` of the pg_dump file;
#   3. the same with JOBS parallel jobs (default 2): `drydock backup create --jobs JOBS` against
#      `pg_dump -Fd -j JOBS`, and `drydock backup verify --jobs JOBS` against
#      `createdb && pg_restore -j JOBS && dropdb` of that folder.
# "Same compression level": drydock stores zstd (level LEVEL, default 3) of `pg_dump -Fc -Z0`.
# pg_dump before 16 only has gzip, so it is measured at its default level (-Z6 for -Fc), at -Z1
# (gzip's fastest, closest in speed to zstd 3), with `--compress=zstd:LEVEL` when the local
# pg_dump has it, and as `pg_dump -Fc -Z0 | zstd -LEVEL` (the same bytes drydock stores) when the
# zstd tool is installed.
# Needs PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
# pg_dump, pg_restore, pgbench, psql, createdb, dropdb and hyperfine. The database
# (drydock_backup_bench) is built once and kept; REBUILD=1 builds it again. Prints a Markdown
# section for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SCALE=${SCALE:-56}
DOCS=${DOCS:-300000}
LEVEL=${LEVEL:-3}
JOBS=${JOBS:-2}
SERVER=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
BASE=${SERVER%/*}
DB=drydock_backup_bench
URL=$BASE/$DB
WORK=$(mktemp -d /tmp/drydock-bench.XXXXXX)
cleanup() {
  psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS drydock_bench_restore WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in pg_dump pg_restore pgbench psql createdb dropdb; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install postgresql-client)" >&2; exit 1; }
done
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release -q -p drydock
BIN=$PWD/target/release/drydock

# ---- the database: pgbench's tables plus one of text, jsonb, bytea and timestamps
built=$(psql "$SERVER" -qAtc "SELECT count(*) FROM pg_database WHERE datname = '$DB'")
if [ "$built" = 0 ] || [ "${REBUILD:-0}" = 1 ]; then
  psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
  pgbench -i -q -s "$SCALE" "$URL" >/dev/null 2>&1
  psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null <<SQL
CREATE TABLE bench_docs (
  id bigint PRIMARY KEY,
  title text NOT NULL,
  body text NOT NULL,
  attrs jsonb NOT NULL,
  blob bytea,
  created_at timestamptz NOT NULL
);
INSERT INTO bench_docs
SELECT i,
       'document ' || i,
       repeat(md5(i::text) || ' lorem ipsum dolor sit amet ', 4),
       jsonb_build_object('n', i, 'tag', 'tag' || (i % 97), 'score', (i % 1000) / 7.0,
                          'flags', jsonb_build_array(i % 2 = 0, i % 3 = 0), 'note', md5((i * 7)::text)),
       CASE WHEN i % 10 = 0 THEN NULL ELSE decode(md5(i::text) || md5((i + 1)::text), 'hex') END,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
FROM generate_series(1, $DOCS) i;
CREATE INDEX bench_docs_created_at_idx ON bench_docs (created_at);
VACUUM ANALYZE;
SQL
fi
SIZE=$(psql "$URL" -qAtc "SELECT pg_database_size(current_database())")
ROWS=$(psql "$URL" -qAtc "SELECT (SELECT count(*) FROM pgbench_accounts) + (SELECT count(*) FROM bench_docs)")

# ---- create: drydock against pg_dump -Fc and -Fd -j; each command's --prepare removes its own
# output, and `stored` lists the outputs in the order of the commands
PG_MAJOR=$(pg_dump --version | awk '{print $3}' | cut -d. -f1)
mkdir -p "$WORK/pg"
creates=(--prepare "rm -rf $WORK/dd" -n "drydock backup create (zstd $LEVEL)"
  "$BIN backup create --url $URL --dir $WORK/dd --compression-level $LEVEL")
stored=("$WORK/dd")
creates+=(--prepare "rm -rf $WORK/dd$JOBS" -n "drydock backup create --jobs $JOBS (zstd $LEVEL)"
  "$BIN backup create --url $URL --dir $WORK/dd$JOBS --compression-level $LEVEL --jobs $JOBS")
stored+=("$WORK/dd$JOBS")
creates+=(--prepare "rm -f $WORK/pg/default.dump" -n "pg_dump -Fc (gzip, default level)"
  "pg_dump -Fc -f $WORK/pg/default.dump $URL")
stored+=("$WORK/pg/default.dump")
creates+=(--prepare "rm -rf $WORK/pg/dir" -n "pg_dump -Fd -j $JOBS (gzip, default level)"
  "pg_dump -Fd -j $JOBS -f $WORK/pg/dir $URL")
stored+=("$WORK/pg/dir")
creates+=(--prepare "rm -f $WORK/pg/gzip1.dump" -n "pg_dump -Fc -Z1 (gzip 1)"
  "pg_dump -Fc -Z1 -f $WORK/pg/gzip1.dump $URL")
stored+=("$WORK/pg/gzip1.dump")
if [ "$PG_MAJOR" -ge 16 ]; then
  creates+=(--prepare "rm -f $WORK/pg/zstd.dump" -n "pg_dump -Fc --compress=zstd:$LEVEL"
    "pg_dump -Fc --compress=zstd:$LEVEL -f $WORK/pg/zstd.dump $URL")
  stored+=("$WORK/pg/zstd.dump")
fi
if command -v zstd >/dev/null; then
  creates+=(--prepare "rm -f $WORK/pg/z0.dump.zst" -n "pg_dump -Fc -Z0, piped to zstd -$LEVEL"
    "pg_dump -Fc -Z0 $URL | zstd -q -$LEVEL -o $WORK/pg/z0.dump.zst")
  stored+=("$WORK/pg/z0.dump.zst")
fi
hyperfine --runs "$RUNS" --export-json "$WORK/create.json" "${creates[@]}" >/dev/null
# Stored sizes in the order of the commands above (drydock's: the dump file, not the manifest).
for path in "${stored[@]}"; do
  if [ -d "$path" ] && ls "$path"/*.dump.zst >/dev/null 2>&1; then
    du -cb "$path"/*.dump.zst | tail -1 | cut -f1
  else
    du -sb "$path" | cut -f1
  fi
done >"$WORK/sizes.txt"

# ---- verify: drydock (checksum + restore test + table comparison) against pg_restore, one job
# and JOBS jobs
cp "$WORK"/pg/default.dump "$WORK/restore.dump"
restore_db="createdb --maintenance-db=$SERVER drydock_bench_restore"
drop_db="dropdb --maintenance-db=$SERVER drydock_bench_restore"
hyperfine --runs "$RUNS" --export-json "$WORK/verify.json" \
  --prepare "dropdb --maintenance-db=$SERVER --if-exists drydock_bench_restore" \
  -n "drydock backup verify (checksum, restore into a scratch database, every table compared)" "$BIN backup verify --url $URL --dir $WORK/dd" \
  -n "drydock backup verify --jobs $JOBS (of the --jobs $JOBS backup)" "$BIN backup verify --url $URL --dir $WORK/dd$JOBS --jobs $JOBS" \
  -n "createdb + pg_restore + dropdb (the pg_dump -Fc file)" \
  "$restore_db && pg_restore --no-owner -d $BASE/drydock_bench_restore $WORK/restore.dump && $drop_db" \
  -n "createdb + pg_restore -j $JOBS + dropdb (the pg_dump -Fd folder)" \
  "$restore_db && pg_restore --no-owner -j $JOBS -d $BASE/drydock_bench_restore $WORK/pg/dir && $drop_db" \
  >/dev/null

python3 - "$WORK" "$SIZE" "$ROWS" "$(pg_dump --version)" "$RUNS" "$SCALE" "$JOBS" <<'PY'
import json, statistics, sys
work, size, rows, pg_dump, runs, scale, jobs = sys.argv[1:8]
size = int(size)
mb = size / 1e6
sizes = [int(n) for n in open(f"{work}/sizes.txt").read().split()]
def table(name, with_size):
    results = json.load(open(f"{work}/{name}.json"))["results"]
    head = "| command | median s | min s | max s | MB/s | drydock / this |"
    rule = "| --- | ---: | ---: | ---: | ---: | ---: |"
    if with_size:
        head += " stored MB |"
        rule += " ---: |"
    print(head)
    print(rule)
    ours = statistics.median(results[0]["times"])
    for i, r in enumerate(results):
        t = r["times"]
        med = statistics.median(t)
        line = f"| {r['command']} | {med:.2f} | {min(t):.2f} | {max(t):.2f} | {mb / med:.0f} | {ours / med:.2f}x |"
        if with_size:
            line += f" {sizes[i] / 1e6:,.1f} |"
        print(line)
    return results
print(f"## Backups: `RUNS={runs} SCALE={scale} JOBS={jobs} bench/backup.sh`")
print()
print(f"Database: pgbench scale {scale} + {int(rows):,} rows in pgbench_accounts and bench_docs "
      f"(text, jsonb, bytea, timestamptz); `pg_database_size` **{size:,} bytes** ({mb:,.0f} MB). "
      f"{pg_dump}. {runs} runs each. MB/s is the database size over the median time. "
      f"\"drydock / this\" is drydock's median over the row's median: under 1, drydock is faster.")
print()
print("### `backup create`")
print()
create = table("create", True)
print()
print("### `backup verify`")
print()
verify = table("verify", False)
print()
median = {r["command"]: statistics.median(r["times"]) for r in create + verify}
def ratio(ours, theirs):
    a = next(k for k in median if k.startswith(ours))
    b = next(k for k in median if k.startswith(theirs))
    print(f"- {a} / {b}: **{median[a] / median[b]:.2f}x**")
ratio("drydock backup create (", "pg_dump -Fc (gzip")
ratio("drydock backup create --jobs", "pg_dump -Fd")
ratio("drydock backup create --jobs", "pg_dump -Fc (gzip")
ratio("drydock backup create --jobs", "drydock backup create (")
for r in create[2:]:
    if r["command"].startswith("pg_dump -Fc -Z") or "zstd" in r["command"]:
        ratio("drydock backup create (", r["command"])
ratio("drydock backup verify (", "createdb + pg_restore + dropdb")
ratio("drydock backup verify --jobs", "createdb + pg_restore -j")
ratio("drydock backup verify --jobs", "createdb + pg_restore + dropdb")
PY
