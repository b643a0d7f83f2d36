#!/usr/bin/env bash
# Two `drydock serve` instances on one project and one PostgreSQL database for DURATION seconds
# (default 600) with a job due every second (`db execute` of `SELECT 1`, recorded in the run
# log), then SIGTERM to both. Counts, for each due time while both were up, the claims and the
# runs: each must have run exactly once (a claim that ran, and one run of the job in the run
# log per claim that ran), none lost, none twice. Also the split between the instances and
# their exit statuses.
# Needs PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
# and psql. BIN=path uses that drydock binary instead of a release build. Prints a Markdown
# section for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-600}
SERVER=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
BASE=${SERVER%/*}
DB=drydock_bench_schedule
URL="$BASE/$DB"
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p drydock
  BIN=$PWD/target/release/drydock
fi
WORK=$(mktemp -d /tmp/drydock-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
mkdir -p "$WORK/prisma"
cat > "$WORK/prisma/schema.prisma" <<'EOF'
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model A {
  id Int @id
}
EOF
cat > "$WORK/drydock.toml" <<'EOF'
[[schedule]]
name = "tick"
cron = "* * * * * *"
run = "db execute --file noop.sql"
EOF
echo 'SELECT 1;' > "$WORK/noop.sql"
export DATABASE_URL="$URL"

(cd "$WORK" && exec "$BIN" serve --listen 127.0.0.1:0 2> a.log) &
PIDS+=($!)
(cd "$WORK" && exec "$BIN" serve --listen 127.0.0.1:0 2> b.log) &
PIDS+=($!)
START=$(date -u +%s)
sleep "$DURATION"
END=$(date -u +%s)
kill -TERM "${PIDS[@]}"
EXITS=()
for pid in "${PIDS[@]}"; do
  status=0
  wait "$pid" || status=$?
  EXITS+=("$status")
done
PIDS=()
stopped=$(cat "$WORK/a.log" "$WORK/b.log" | grep -c '^drydock serve stopped$' || true)

# Due times from 3 s after both started to 3 s before the stop.
read -r ticks claimed ran skipped missed other < <(psql "$URL" -qAt -F ' ' <<SQL
WITH due AS (
  SELECT generate_series(to_timestamp($START + 3), to_timestamp($END - 3), interval '1 second') AS at
)
SELECT count(*),
       count(c.due_at),
       count(*) FILTER (WHERE c.status IN ('succeeded', 'failed')),
       count(*) FILTER (WHERE c.status = 'skipped'),
       count(*) FILTER (WHERE c.status = 'missed'),
       count(*) FILTER (WHERE c.status NOT IN ('succeeded', 'failed', 'skipped', 'missed'))
FROM due LEFT JOIN _drydock._drydock_schedule_claims c ON c.job = 'tick' AND c.due_at = due.at
SQL
)
read -r ran_claims runs < <(psql "$URL" -qAt -F ' ' <<'SQL'
SELECT (SELECT count(*) FROM _drydock._drydock_schedule_claims
        WHERE job = 'tick' AND status IN ('succeeded', 'failed', 'cancelled')),
       (SELECT count(*) FROM _drydock._drydock_runs WHERE actor = 'schedule job tick')
SQL
)
split=$(psql "$URL" -qAt -F ' ' -c "SELECT count(*) FROM _drydock._drydock_schedule_claims \
  WHERE job = 'tick' GROUP BY instance ORDER BY 1 DESC" | paste -sd '/' -)
failed=$(psql "$URL" -qAtc "SELECT count(*) FROM _drydock._drydock_schedule_claims WHERE job = 'tick' AND status = 'failed'")

echo "## Scheduler of \`drydock serve\`: \`DURATION=$DURATION bench/serve-schedule.sh\`"
echo
echo "Two instances, one PostgreSQL database, \`cron = \"* * * * * *\"\` (\`db execute\` of \`SELECT 1\`), $DURATION s, then SIGTERM."
echo
echo "| measure | value |"
echo "| --- | ---: |"
echo "| due times while both were up | $ticks |"
echo "| claimed (one row per due time at most: the key) | $claimed |"
echo "| ran | $ran |"
echo "| skipped (previous run still running) | $skipped |"
echo "| missed | $missed |"
echo "| other | $other |"
echo "| claims that ran (whole run) / runs of the job in the run log | $ran_claims / $runs |"
echo "| runs that failed | $failed |"
echo "| claims per instance | $split |"
echo "| exit statuses after SIGTERM | ${EXITS[*]} |"
echo "| \"drydock serve stopped\" lines | $stopped |"
