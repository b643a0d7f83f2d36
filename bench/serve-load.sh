#!/usr/bin/env bash
# `drydock serve` under load: wrk paced at RATE requests/s (default 1000) for DURATION seconds
# (default 60) on
#   1. /api/health/db, with a bearer token;
#   2. the overview page, with a signed-in session's cookie;
#   3. /metrics, side by side with postgres_exporter's /metrics on the same database (the
#      exporter a team would scrape instead; Debian's prometheus-postgres-exporter).
# For each: requests/s achieved, p50 and p99 latency, errors (non-2xx answers and socket
# errors), the most database sessions the server held during the run (pg_stat_activity sampled
# every 100 ms) against its pool bound, and the server's resident memory before and after.
# Prints a Markdown section for bench/RESULTS.md.
#
# Needs PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
# wrk, curl and psql; installs prometheus-postgres-exporter when absent (as root). Environment:
# RATE=1000 DURATION=60 CONNECTIONS=50 POOL=4 BIN=path/to/drydock (skips the release build).
# The database drydock_bench_serve (and its run log's schema) is dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RATE=${RATE:-1000}
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-50}
POOL=${POOL:-4}
SERVER=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
for v in RATE DURATION CONNECTIONS POOL; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive number, got '${!v}'" >&2; exit 1; }
done
log() { printf '[bench/serve-load] %s\n' "$*" >&2; }
for tool in wrk curl psql; do
  command -v $tool >/dev/null || { log "$tool is required (apt-get install wrk curl postgresql-client)"; exit 1; }
done
EXPORTER=$(command -v prometheus-postgres-exporter || true)
if [ -z "$EXPORTER" ]; then
  [ "$(id -u)" = 0 ] || { log "prometheus-postgres-exporter is missing (apt-get install it)"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    prometheus-postgres-exporter >/dev/null
  systemctl disable --now prometheus-postgres-exporter >/dev/null 2>&1 || true
  EXPORTER=$(command -v prometheus-postgres-exporter)
fi
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p drydock
  BIN=$ROOT/target/release/drydock
fi

DB=drydock_bench_serve
BASE=${SERVER%%\?*}
BASE=${BASE%/*}
URL=$BASE/$DB
WORK=$(mktemp -d /tmp/drydock-serve-load.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$SERVER" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- a project: three migrations applied, one pending, a token and a person to sign in
psql "$SERVER" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
P=$WORK/project
mkdir -p "$P/prisma/migrations"
cat > "$P/prisma/schema.prisma" <<'EOF'
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model A {
  id Int @id
}

model B {
  id Int @id
}

model C {
  id Int @id
}

model D {
  id Int @id
}
EOF
for i in 1 2 3 4; do
  name=$(printf '2024010%d000000_t%d' "$i" "$i")
  mkdir -p "$P/prisma/migrations/$name"
  table=$(printf '\\x%x' $((64 + i)))
  printf 'CREATE TABLE "%b" ("id" INTEGER NOT NULL PRIMARY KEY);\n' "$table" \
    > "$P/prisma/migrations/$name/migration.sql"
  if [ "$i" = 3 ]; then
    (cd "$P" && DATABASE_URL=$URL "$BIN" migrate deploy >/dev/null 2>"$WORK/deploy.log") \
      || { cat "$WORK/deploy.log" >&2; exit 1; }
  fi
done
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat > "$P/drydock.toml" <<EOF
[serve]
connections = $POOL

[[serve.users]]
name = "bench"
password_hash = "$(printf '%s\n' "$PASSWORD" | "$BIN" serve --hash-password)"

[[serve.tokens]]
name = "bench"
hash = "$(printf '%s\n' "$TOKEN" | "$BIN" serve --hash-password)"
EOF

PORT=$(free_port)
(cd "$P" && DATABASE_URL=$URL exec "$BIN" serve --listen "127.0.0.1:$PORT") \
  > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
for _ in $(seq 100); do
  grep -q "listening on" "$WORK/serve.log" && break
  sleep 0.1
done
grep -q "listening on" "$WORK/serve.log" || { cat "$WORK/serve.log" >&2; exit 1; }
# The binary started by the subshell's exec is the server.
DRYDOCK="http://127.0.0.1:$PORT"

# A session: the sign-in form's token and cookie, then the form posted.
JAR=$WORK/cookies
csrf=$(curl -fsS -c "$JAR" "$DRYDOCK/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -fsS -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "name=bench" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "csrf=$csrf" "$DRYDOCK/login"
SESSION=$(awk '$6 == "drydock_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || { log "could not sign in"; exit 1; }

EXPORTER_PORT=$(free_port)
DATA_SOURCE_NAME="$URL?sslmode=disable" "$EXPORTER" \
  --web.listen-address="127.0.0.1:$EXPORTER_PORT" > "$WORK/exporter.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$EXPORTER_PORT/metrics" 2>/dev/null && break
  sleep 0.1
done

# wrk paces each connection: one request, then a pause, so that all of them make RATE/s.
cat > "$WORK/pace.lua" <<EOF
function delay()
  return $((CONNECTIONS * 1000 / RATE))
end
EOF

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# The most sessions on the database seen while the file $WORK/sampling exists.
sample_sessions() {
  local most=0 now
  while [ -e "$WORK/sampling" ]; do
    now=$(psql "$SERVER" -Atqc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB'")
    ((now > most)) && most=$now
    sleep 0.1
  done
  echo "$most" > "$WORK/sessions"
}

ROWS=()
load() { # LABEL PID URL [HEADER]
  local label=$1 pid=$2 url=$3 header=${4:-}
  local before after out rps p50 p99 non2xx socket
  before=$(rss_kb "$pid")
  touch "$WORK/sampling"
  sample_sessions &
  local sampler=$!
  local args=(-t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency --timeout 10s -s "$WORK/pace.lua")
  [ -z "$header" ] || args+=(-H "$header")
  local shown=${args[*]//$TOKEN/TOKEN}
  log "$label: wrk ${shown//$SESSION/SESSION} $url"
  out=$(wrk "${args[@]}" "$url")
  rm -f "$WORK/sampling"
  wait "$sampler"
  after=$(rss_kb "$pid")
  rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  socket=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  ROWS+=("| $label | $rps | $p50 | $p99 | ${non2xx:-0} non-2xx, ${socket:-0} socket | $(cat "$WORK/sessions") | $((before / 1024)) MB → $((after / 1024)) MB |")
}

EXPORTER_PID=${PIDS[1]}
load "drydock /api/health/db" "$SERVE_PID" "$DRYDOCK/api/health/db" "Authorization: Bearer $TOKEN"
load "drydock overview page" "$SERVE_PID" "$DRYDOCK/" "Cookie: drydock_session=$SESSION"
load "drydock /metrics" "$SERVE_PID" "$DRYDOCK/metrics"
load "postgres_exporter /metrics" "$EXPORTER_PID" "http://127.0.0.1:$EXPORTER_PORT/metrics"

echo "### drydock serve under load ($(date -u +%F))"
echo
echo "\`RATE=$RATE DURATION=$DURATION CONNECTIONS=$CONNECTIONS POOL=$POOL bench/serve-load.sh\`:"
echo "wrk 2 threads, $CONNECTIONS connections paced to $RATE requests/s for $DURATION s each, on"
echo "PostgreSQL $(psql "$SERVER" -Atqc 'SHOW server_version' | cut -d' ' -f1); drydock's pool bound is $POOL sessions."
echo
echo "| endpoint | requests/s | p50 | p99 | errors | most DB sessions | server memory before → after |"
echo "| --- | ---: | ---: | ---: | --- | ---: | --- |"
printf '%s\n' "${ROWS[@]}"
