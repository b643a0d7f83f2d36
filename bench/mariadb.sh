#!/usr/bin/env bash
# drydock on MariaDB (or MySQL) beside the tools a team would use there, on the same server and
# the same files:
#   1. `migrate deploy` of N small migrations in Prisma's MySQL flavour to an empty database,
#      against the floor (the `mariadb` client sourcing the same files in one session, with no
#      bookkeeping) and dbmate `up`;
#   2. `migrate status` on the database with the N migrations applied, against dbmate `status`;
#   3. introspection of a TABLES-table database: `db pull --print` against
#      `mariadb-dump --no-data`.
# Arguments pick some of the workloads (deploy status introspect); none means all three.
# Wall time (hyperfine, the tools taking turns, one run each per round, in an order rotated
# every round) and peak memory (max RSS, one more run of each under GNU time,
# bench/lib/measure.py). Before every deploy run its database is dropped and created again,
# then `sync` and a COOLDOWN pause, so that one run's disk write-back stays out of the next
# one's time. Prints a Markdown section for bench/RESULTS.md.
#
# Needs MariaDB or MySQL (TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306/test), the
# `mariadb` client and `mariadb-dump` (`mysql`/`mysqldump` where those are missing), hyperfine,
# GNU time, and npm for dbmate, which bench/install-peers.sh installs under PEERS_DIR when
# absent. Environment: N=500 TABLES=2000 RUNS=3 FAST_RUNS=20 (runs of status) COOLDOWN=2
# LIMIT=1800 (seconds one round or setup step may take before the script gives up)
# BASELINE=path/to/another/drydock (adds its deploy and status rows: a change measured
# against the build before it, in the same run)
# PEERS_DIR=/tmp/peers BIN=path/to/drydock (skips the release build). Databases are named
# drydock_bench_my_* and dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${N:-500}
TABLES=${TABLES:-2000}
RUNS=${RUNS:-3}
FAST_RUNS=${FAST_RUNS:-20}
COOLDOWN=${COOLDOWN:-2}
LIMIT=${LIMIT:-1800}
PEERS_DIR=${PEERS_DIR:-/tmp/peers}
SERVER=${TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(deploy status introspect)
for w in "${WORKLOADS[@]}"; do
  case $w in
    deploy|status|introspect) ;;
    *) echo "unknown workload '$w' (deploy, status, introspect)" >&2; exit 1 ;;
  esac
done
wants() { [[ " ${WORKLOADS[*]} " == *" $1 "* ]]; }
for v in N TABLES RUNS FAST_RUNS LIMIT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive number, got '${!v}'" >&2; exit 1; }
done
log() { printf '[bench/mariadb] %s\n' "$*" >&2; }

CLIENT=$(command -v mariadb || command -v mysql) || { log "the mariadb client is missing (apt-get install mariadb-client)"; exit 1; }
DUMP=$(command -v mariadb-dump || command -v mysqldump) || { log "mariadb-dump is missing (apt-get install mariadb-client)"; exit 1; }
[ -x /usr/bin/time ] && command -v hyperfine >/dev/null && command -v npm >/dev/null \
  || { log "hyperfine, GNU time and npm are required (apt-get install hyperfine time npm)"; exit 1; }
DBMATE=$PEERS_DIR/npm/node_modules/@dbmate/linux-x64/bin/dbmate
"$DBMATE" --version >/dev/null 2>&1 || PEERS_DIR=$PEERS_DIR bench/install-peers.sh dbmate \
  || { log "dbmate did not install (see $PEERS_DIR/logs)"; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p drydock
  BIN=$ROOT/target/release/drydock
fi

WORK=$(mktemp -d /tmp/drydock-bench.XXXXXX)
# drydock keeps its run log in a database of its own beside the one it works on (`<name>_drydock`).
DBS=(drydock_bench_my_drydock drydock_bench_my_drydock_drydock drydock_bench_my_baseline
     drydock_bench_my_baseline_drydock drydock_bench_my_floor drydock_bench_my_dbmate
     drydock_bench_my_introspect drydock_bench_my_introspect_drydock)
# The server's parts, for the clients that take no URL; the password goes by MYSQL_PWD.
read -r HOST PORT USER PASS < <(python3 -c '
import sys, urllib.parse as u
p = u.urlparse(sys.argv[1])
print(p.hostname or "127.0.0.1", p.port or 3306, u.unquote(p.username or "root"), u.unquote(p.password or "") or "-")' "$SERVER")
[ "$PASS" = - ] || export MYSQL_PWD=$PASS
SQL=("$CLIENT" --batch --skip-column-names -h "$HOST" -P "$PORT" -u "$USER")
BASE=${SERVER%%\?*}
BASE=${BASE%/*}
cleanup() {
  local db
  for db in "${DBS[@]}"; do "${SQL[@]}" -e "DROP DATABASE IF EXISTS \`$db\`" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
count_tables() {
  "${SQL[@]}" -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME REGEXP '^t[0-9]+\$'"
}
# The prepare step of a deploy run, outside its time.
cat > "$WORK/reset.sh" <<SH
#!/usr/bin/env bash
set -e
$(printf '%q ' "${SQL[@]}") -e "DROP DATABASE IF EXISTS \$1; DROP DATABASE IF EXISTS \${1}_drydock; CREATE DATABASE \$1"
sync
sleep $COOLDOWN
SH
chmod +x "$WORK/reset.sh"

# ---- the workloads
python3 bench/lib/gen.py mysql-migrations "$WORK/m" "$N"
! wants introspect || python3 bench/lib/gen.py mysql-tables "$WORK/tables.sql" "$TABLES"
SCHEMA=$WORK/m/drydock/prisma/schema.prisma

# Each tool's label and command, per workload; hyperfine (-N) takes a command as one string.
declare -A LABEL CMD
tool() { # WORKLOAD TOOL LABEL COMMAND...
  LABEL[$1:$2]=$3
  CMD[$1:$2]=$(printf '%q ' "${@:4}")
}
DRYDOCKS=(drydock)
tool deploy drydock "drydock migrate deploy" "$BIN" --schema "$SCHEMA" migrate deploy \
  --url "$BASE/drydock_bench_my_drydock"
if [ -n "${BASELINE:-}" ]; then
  DRYDOCKS+=(baseline)
  tool deploy baseline "drydock migrate deploy, BASELINE build" "$BASELINE" --schema "$SCHEMA" \
    migrate deploy --url "$BASE/drydock_bench_my_baseline"
  tool status baseline "drydock migrate status, BASELINE build" "$BASELINE" --schema "$SCHEMA" \
    migrate status --url "$BASE/drydock_bench_my_baseline"
fi
tool deploy floor "mariadb client floor" "$CLIENT" -h "$HOST" -P "$PORT" -u "$USER" \
  drydock_bench_my_floor -e "source $WORK/m/floor.sql"
tool deploy dbmate "dbmate up" "$DBMATE" --url "$BASE/drydock_bench_my_dbmate" \
  --migrations-dir "$WORK/m/dbmate" --no-dump-schema up
tool status drydock "drydock migrate status" "$BIN" --schema "$SCHEMA" migrate status \
  --url "$BASE/drydock_bench_my_drydock"
tool status dbmate "dbmate status" "$DBMATE" --url "$BASE/drydock_bench_my_dbmate" \
  --migrations-dir "$WORK/m/dbmate" status
tool introspect drydock "drydock db pull --print" "$BIN" --schema "$SCHEMA" db pull --print \
  --url "$BASE/drydock_bench_my_introspect"
tool introspect dump "mariadb-dump --no-data" "$DUMP" --no-data -h "$HOST" -P "$PORT" -u "$USER" \
  drydock_bench_my_introspect

# rounds WORKLOAD COUNT TOOL...: COUNT rounds of one hyperfine run per tool, the tools in an
# order rotated every round, deploys after their database is recreated; WORK/WORKLOAD.ROUND.json.
rounds() {
  local workload=$1 count=$2 r i t; shift 2
  local tools=("$@")
  for ((r = 0; r < count; r++)); do
    local args=()
    for ((i = 0; i < ${#tools[@]}; i++)); do
      t=${tools[$(((i + r) % ${#tools[@]}))]}
      [ "$workload" = deploy ] && args+=(--prepare "$WORK/reset.sh drydock_bench_my_$t")
      args+=(-n "${LABEL[$workload:$t]}" "${CMD[$workload:$t]}")
    done
    log "$workload: round $((r + 1))/$count"
    timeout "$LIMIT" hyperfine -N --runs 1 --style none --export-json "$WORK/$workload.$r.json" "${args[@]}" >/dev/null
  done
}
# rss WORKLOAD TOOL: one more run under GNU time, its max RSS recorded.
rss() {
  local workload=$1 label=${LABEL[$1:$2]}
  eval "set -- ${CMD[$1:$2]}"
  timeout "$LIMIT" python3 bench/lib/measure.py rss "$WORK/rss.jsonl" "$workload" "$label" "$WORK/rss.log" -- "$@" >/dev/null \
    || { log "$label failed; its output:"; tail -n 20 "$WORK/rss.log" >&2; exit 1; }
}

if wants deploy; then
  rounds deploy "$RUNS" "${DRYDOCKS[@]}" floor dbmate
  for t in "${DRYDOCKS[@]}" floor dbmate; do # the memory runs leave every database with the N migrations
    "$WORK/reset.sh" "drydock_bench_my_$t"
    rss deploy "$t"
    got=$(count_tables "drydock_bench_my_$t")
    [ "$got" = "$N" ] || { log "${LABEL[deploy:$t]} created $got of $N tables"; exit 1; }
  done
fi

if wants status; then
  if ! wants deploy; then
    for t in "${DRYDOCKS[@]}" dbmate; do
      log "status: ${LABEL[deploy:$t]} applies the $N migrations (untimed)"
      "$WORK/reset.sh" "drydock_bench_my_$t"
      eval "timeout $LIMIT ${CMD[deploy:$t]}" >/dev/null
    done
  fi
  eval "${CMD[status:drydock]}" > "$WORK/status.txt" 2>&1 || { cat "$WORK/status.txt" >&2; exit 1; }
  for t in "${DRYDOCKS[@]}" dbmate; do rss status "$t"; done
  rounds status "$FAST_RUNS" "${DRYDOCKS[@]}" dbmate
fi

if wants introspect; then
  log "introspect: creating $TABLES tables (untimed)"
  "${SQL[@]}" -e "DROP DATABASE IF EXISTS drydock_bench_my_introspect; CREATE DATABASE drydock_bench_my_introspect"
  timeout "$LIMIT" "${SQL[@]}" drydock_bench_my_introspect < "$WORK/tables.sql"
  models=$(eval "${CMD[introspect:drydock]}" | grep -c '^model ' || true)
  [ "$models" = "$TABLES" ] || { log "db pull --print printed $models of $TABLES models"; exit 1; }
  rss introspect drydock
  rss introspect dump
  rounds introspect "$RUNS" drydock dump
fi

VERSION=$("${SQL[@]}" -e 'SELECT VERSION()')
python3 - "$WORK" "$N" "$TABLES" "$VERSION" "$("$DBMATE" --version)" <<'PY'
import glob, json, statistics, sys
work, n, tables, version, dbmate = sys.argv[1:6]
times, rss = {}, {}
for path in glob.glob(f"{work}/*.json"):
    for r in json.load(open(path))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
for line in open(f"{work}/rss.jsonl"):
    r = json.loads(line)
    rss[r["tool"]] = r["maxrss_kb"]
def fmt(s):
    return f"{s * 1000:.1f}" if s < 1 else f"{s * 1000:,.0f}"
print(f"Server: {version}; {dbmate}.")
print()
print("| workload | tool | median ms | min ms | max ms | peak RSS MB | drydock / this |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
sections = [(f"deploy of {n} migrations", ["drydock migrate deploy", "drydock migrate deploy, BASELINE build", "mariadb client floor", "dbmate up"]),
            (f"status, {n} applied", ["drydock migrate status", "drydock migrate status, BASELINE build", "dbmate status"]),
            (f"introspection of {tables} tables", ["drydock db pull --print", "mariadb-dump --no-data"])]
for workload, tools in sections:
    if tools[0] not in times:
        continue
    base = statistics.median(times[tools[0]])
    for tool in tools:
        if tool not in times:
            continue
        t = times[tool]
        med = statistics.median(t)
        print(f"| {workload} | {tool} | {fmt(med)} | {fmt(min(t))} | {fmt(max(t))} | "
              f"{rss[tool] / 1024:.1f} | {base / med:.2f}x |")
runs = sorted({len(t) for t in times.values()})
print()
print(f"Timed runs per row: {', '.join(map(str, runs))}.")
PY
