#!/usr/bin/env bash
# Write stalls under load: a pgbench write load runs against a table of ROWS rows while a schema
# change is deployed, once as the plain migration (what Prisma would generate and run) and once
# as the phased plan of `drydock migrate dev --zero-downtime`. The longest any write waited is
# the stall. Two changes:
#   add-column: add a NOT NULL column with a default, and index it;
#   rename:     rename a column (old application version writing the old name throughout
#               expand and backfill, the new version writing the new name before contract).
# Also reports the backfill throughput of the rename (ROWS rows, batches of 10,000).
# Needs PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
# psql and pgbench. Prints a Markdown section for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
CLIENTS=${CLIENTS:-8}
SLICE=${SLICE:-5}
SERVER=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
BASE=${SERVER%/*}
WORK=$(mktemp -d /tmp/drydock-zd.XXXXXX); trap 'rm -rf "$WORK"' EXIT

command -v pgbench >/dev/null || { echo "pgbench is required (Debian: postgresql-client)" >&2; exit 1; }
cargo build --release -q -p drydock
BIN=$PWD/target/release/drydock

HEADER='datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
'
V1='model Account {
  id      Int    @id @default(autoincrement())
  balance Int
  name    String
}
'
ADD_COLUMN='model Account {
  id      Int    @id @default(autoincrement())
  balance Int
  name    String
  score   Int    @default(0)

  @@index([score])
}
'
RENAME='model Account {
  id       Int    @id @default(autoincrement())
  balance  Int
  // drydock:renamed-from name
  fullName String
}
'

psql_q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

# A project at version 1, deployed to database $1, with ROWS accounts.
setup() {
  local db=$1 project=$WORK/$1
  psql_q "$SERVER" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  mkdir -p "$project/prisma/migrations/20240101000000_create_account"
  printf '%s\n%s' "$HEADER" "$V1" > "$project/prisma/schema.prisma"
  printf 'provider = "postgresql"\n' > "$project/prisma/migrations/migration_lock.toml"
  (cd "$project" && DATABASE_URL=$BASE/$db "$BIN" migrate diff --from-empty \
    --to-schema prisma/schema.prisma --script) \
    > "$project/prisma/migrations/20240101000000_create_account/migration.sql"
  (cd "$project" && DATABASE_URL=$BASE/$db "$BIN" migrate deploy >/dev/null)
  psql_q "$BASE/$db" -c "INSERT INTO \"Account\" (balance, name) SELECT 0, 'user ' || g FROM generate_series(1, $ROWS) g" \
    -c "VACUUM ANALYZE \"Account\""
}

# The migration(s) for `schema` ($3) written into project $1's folder: plain (`migrate diff`)
# or phased (`migrate dev --zero-downtime --create-only` against a scratch copy at version 1).
write_plain() {
  local project=$WORK/$1 name=$2 schema=$3
  printf '%s\n%s' "$HEADER" "$schema" > "$WORK/$1.next.prisma"
  mkdir -p "$project/prisma/migrations/20240201000000_$name"
  (cd "$project" && "$BIN" migrate diff --from-schema prisma/schema.prisma \
    --to-schema "$WORK/$1.next.prisma" --script) \
    > "$project/prisma/migrations/20240201000000_$name/migration.sql"
}
write_phased() {
  local project=$WORK/$1 name=$2 schema=$3 scratch=${1}_dev
  psql_q "$SERVER" -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" -c "CREATE DATABASE $scratch"
  (cd "$project" && DATABASE_URL=$BASE/$scratch "$BIN" migrate deploy >/dev/null)
  printf '%s\n%s' "$HEADER" "$schema" > "$project/prisma/schema.prisma"
  (cd "$project" && DATABASE_URL=$BASE/$scratch "$BIN" migrate dev --zero-downtime \
    --create-only --name "$name" >/dev/null)
  psql_q "$SERVER" -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)"
}

# pgbench in back-to-back slices of SLICE seconds (each slice's log is complete) until the file
# $2 exists; transactions of script $3 logged in folder $1.
load() {
  local logs=$1 stop=$2 script=$3 db=$4 slice=0
  mkdir -p "$logs"
  while [ ! -e "$stop" ]; do
    slice=$((slice + 1))
    pgbench -n -c "$CLIENTS" -j 2 -T "$SLICE" -D rows="$ROWS" -f "$script" \
      -l --log-prefix="$logs/tx.$slice" "$BASE/$db" >"$logs/out.$slice" 2>&1 || true
  done
}

# Run command "$@" under the load of script $2, logged as $1; prints nothing, leaves logs.
under_load() {
  local tag=$1 script=$2 db=$3; shift 3
  rm -f "$WORK/$tag.stop"
  load "$WORK/logs/$tag" "$WORK/$tag.stop" "$script" "$db" &
  local loader=$!
  sleep 3
  local start end
  start=$(date +%s%N)
  "$@" > "$WORK/$tag.deploy.out" 2> "$WORK/$tag.deploy.err" || {
    cat "$WORK/$tag.deploy.out" "$WORK/$tag.deploy.err" >&2; touch "$WORK/$tag.stop"; wait "$loader"; exit 1; }
  end=$(date +%s%N)
  sleep 2
  touch "$WORK/$tag.stop"
  wait "$loader"
  echo $(( (end - start) / 1000000 )) > "$WORK/$tag.ms"
}

# "<longest latency ms> <transactions> <clients aborted by errors>" over the logs of tags "$@".
# A pgbench log line is `client transaction latency_us script epoch_s epoch_us`.
stall() {
  python3 - "$WORK/logs" "$@" <<'PY'
import glob, sys
logs, tags = sys.argv[1], sys.argv[2:]
worst, count, aborted = 0, 0, 0
for tag in tags:
    for path in glob.glob(f"{logs}/{tag}/tx.*"):
        for line in open(path):
            parts = line.split()
            if len(parts) >= 6 and parts[2].isdigit():
                worst = max(worst, int(parts[2]))
                count += 1
    for path in glob.glob(f"{logs}/{tag}/out.*"):
        aborted += open(path, errors="replace").read().count("aborted in command")
print(f"{worst / 1000:.0f} {count} {aborted}")
PY
}

cat > "$WORK/writes.sql" <<'SQL'
\set id random(1, :rows)
UPDATE "Account" SET balance = balance + 1 WHERE id = :id;
SQL
cat > "$WORK/old_app.sql" <<'SQL'
\set id random(1, :rows)
UPDATE "Account" SET balance = balance + 1, "name" = 'user ' || :id WHERE id = :id;
SQL
cat > "$WORK/new_app.sql" <<'SQL'
\set id random(1, :rows)
UPDATE "Account" SET balance = balance + 1, "fullName" = 'user ' || :id WHERE id = :id;
SQL

deploy() { (cd "$WORK/$1" && DATABASE_URL=$BASE/$1 "$BIN" migrate deploy --lint warn "${@:2}"); }

# ---- add a NOT NULL column with a default, and index it
setup zd_add_plain
write_plain zd_add_plain add_account_score "$ADD_COLUMN"
under_load add_plain "$WORK/writes.sql" zd_add_plain \
  psql_q "$BASE/zd_add_plain" -1 -f "$WORK/zd_add_plain/prisma/migrations/20240201000000_add_account_score/migration.sql"

setup zd_add_phased
write_phased zd_add_phased add_account_score "$ADD_COLUMN"
under_load add_phased "$WORK/writes.sql" zd_add_phased deploy zd_add_phased

# ---- rename a column
setup zd_rename_plain
write_plain zd_rename_plain rename_account_name "$RENAME"
under_load rename_plain "$WORK/old_app.sql" zd_rename_plain \
  psql_q "$BASE/zd_rename_plain" -1 -f "$WORK/zd_rename_plain/prisma/migrations/20240201000000_rename_account_name/migration.sql"

setup zd_rename_phased
write_phased zd_rename_phased rename_account_full_name "$RENAME"
under_load rename_expand "$WORK/old_app.sql" zd_rename_phased deploy zd_rename_phased --json
under_load rename_contract "$WORK/new_app.sql" zd_rename_phased deploy zd_rename_phased --contract

read -r add_plain_stall add_plain_tx add_plain_err <<<"$(stall add_plain)"
read -r add_phased_stall add_phased_tx add_phased_err <<<"$(stall add_phased)"
read -r rename_plain_stall rename_plain_tx rename_plain_err <<<"$(stall rename_plain)"
read -r rename_phased_stall rename_phased_tx rename_phased_err <<<"$(stall rename_expand rename_contract)"
backfill_ms=$(python3 - "$WORK/rename_expand.deploy.out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(sum(m["duration_ms"] for m in report["applied"] if m["name"].endswith("_backfill")))
PY
)

cat <<EOF
### Zero-downtime plans under write load ($(date -u +%Y-%m-%d))

\`ROWS=$ROWS CLIENTS=$CLIENTS bench/zero-downtime.sh\`: pgbench, $CLIENTS clients updating random rows
of a $ROWS-row table while the change is deployed. Stall = the longest any write waited.

| change | plan | deploy time | longest write stall | writes | app clients aborted by errors |
| --- | --- | ---: | ---: | ---: | ---: |
| add NOT NULL column with default + index | plain migration (one transaction) | $(cat "$WORK/add_plain.ms") ms | $add_plain_stall ms | $add_plain_tx | $add_plain_err |
| add NOT NULL column with default + index | \`migrate dev --zero-downtime\` | $(cat "$WORK/add_phased.ms") ms | $add_phased_stall ms | $add_phased_tx | $add_phased_err |
| rename column | plain migration (\`RENAME COLUMN\`) | $(cat "$WORK/rename_plain.ms") ms | $rename_plain_stall ms | $rename_plain_tx | $rename_plain_err |
| rename column | \`migrate dev --zero-downtime\` (expand + backfill, then contract) | $(( $(cat "$WORK/rename_expand.ms") + $(cat "$WORK/rename_contract.ms") )) ms | $rename_phased_stall ms | $rename_phased_tx | $rename_phased_err |

Backfill of $ROWS rows (rename, batches of 10,000, under the write load): $backfill_ms ms,
$(python3 -c "print(round($ROWS / max($backfill_ms, 1) * 1000))") rows/s.
EOF
