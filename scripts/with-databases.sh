#!/usr/bin/env bash
# Runs a command with PostgreSQL and MariaDB reachable, exporting TEST_POSTGRES_URL and
# TEST_MYSQL_URL for it (plus a password-checking, a TLS-only, a TLS-or-plaintext PostgreSQL, one
# that tests stop and start, one with pg_stat_statements and hypopg, a small primary with a
# streaming replica, PgBouncer and pgpool-II in front of the first, a MariaDB with
# performance_schema on, and chromium with Playwright for the dashboard, see below).
# Servers already answering (127.0.0.1:5432 / :3306, or the URLs given in those variables) are
# used as they are; otherwise throwaway servers are started on free ports in a temporary folder
# (from Debian's postgresql / mariadb-server / pgbouncer / pgpool2 packages, installed when
# missing) and stopped when the command ends.
#
#   scripts/with-databases.sh cargo test --workspace
set -euo pipefail

log() { printf '[with-databases] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  if ! is_root; then log "missing packages: $* (install them, or run as root)"; exit 1; fi
  log "installing $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

as_user() {
  local user=$1; shift
  if is_root; then su "$user" -s /bin/bash -c "$(printf '%q ' "$@")"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

WORK=$(mktemp -d /tmp/drydock-dbs.XXXXXX)
chmod 755 "$WORK"
cleanups=()
cleanup() {
  for c in "${cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ------------------------------------------------------------------ PostgreSQL
pg_ready() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }
# Sets PG_BIN, the folder of Debian's newest initdb and pg_ctl, installing them when missing.
need_pg_bin() {
  PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
}

: "${TEST_POSTGRES_URL:=postgresql://postgres@127.0.0.1:5432/postgres}"
command -v psql >/dev/null 2>&1 || apt_install postgresql-client
if pg_ready "$TEST_POSTGRES_URL"; then
  log "PostgreSQL answers at $TEST_POSTGRES_URL"
else
  need_pg_bin
  PG_USER=$(id -un)
  if is_root; then
    PG_USER=postgres
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$WORK" --shell /bin/bash postgres
  fi
  PG_PORT=$(free_port)
  mkdir -p "$WORK/pg" && { is_root && chown "$PG_USER": "$WORK/pg" || true; }
  log "starting a throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
  as_user "$PG_USER" "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$WORK/pg/initdb.log" 2>&1
  as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
  cleanups+=("as_user $PG_USER $PG_BIN/pg_ctl -D $WORK/pg/data -m immediate stop")
  TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  pg_ready "$TEST_POSTGRES_URL" || { log "PostgreSQL did not come up: $(tail -5 "$WORK/pg/server.log")"; exit 1; }
fi
export TEST_POSTGRES_URL

# pgvector: real projects of the corpus declare `extensions = [vector]`. Its files belong to the
# server's major version, so an existing server gets them for its own version too: Debian's
# `postgresql-<major>-pgvector` where the release has one, else (bookworm has none) the extension
# built from Debian's own `pgvector` source package of a later release, against that server's headers.
PGVECTOR_SOURCE_SUITE=trixie
pg_has_vector() {
  [ "$(psql "$TEST_POSTGRES_URL" -Atqc "select count(*) from pg_available_extensions where name = 'vector'")" = 1 ]
}
install_pgvector() { # major version
  local major=$1
  apt-get update -qq
  if apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1; then
    apt_install "postgresql-$major-pgvector"
    return
  fi
  apt_install "postgresql-server-dev-$major" make gcc
  local dir=$WORK/pgvector codename mirror
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  mirror=$(apt-get indextargets --format '$(REPO_URI)' "Codename: $codename" 'Origin: Debian' 'Identifier: Packages' | head -n 1)
  [ -n "$mirror" ] || { log "no Debian archive configured for apt: cannot fetch pgvector's source"; return 1; }
  log "building pgvector for PostgreSQL $major from Debian's $PGVECTOR_SOURCE_SUITE source package"
  mkdir -p "$dir/lists/partial" "$dir/src"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$mirror" "$PGVECTOR_SOURCE_SUITE" > "$dir/sources.list"
  local apt_opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=- -o "Dir::State::Lists=$dir/lists")
  apt-get "${apt_opts[@]}" update -qq
  (cd "$dir/src" && apt-get "${apt_opts[@]}" source --download-only -qq pgvector >/dev/null 2>&1)
  tar -xf "$dir"/src/pgvector_*.orig.tar.* -C "$dir"
  # OPTFLAGS empty: no -march=native, so the build runs on any machine of the architecture.
  make -C "$dir"/pgvector-*/ -s -j2 PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" OPTFLAGS= install \
    >"$dir/build.log" 2>&1 || { log "pgvector did not build: $(tail -5 "$dir/build.log")"; return 1; }
}
# TEST_POSTGRES_PGVECTOR=unavailable: the server is not Debian's (scripts/test-matrix.sh), so
# Debian's packages cannot give it pgvector; nothing is installed.
if ! pg_has_vector; then
  if is_root && [ "${TEST_POSTGRES_PGVECTOR:-}" != unavailable ]; then
    install_pgvector $(( $(psql "$TEST_POSTGRES_URL" -Atqc 'show server_version_num') / 10000 )) || true
  fi
  # The tests that need it fail with this reason; the others still run.
  pg_has_vector || log "the PostgreSQL at $TEST_POSTGRES_URL lacks pgvector (on another host, or not root?)"
fi

# ------------------------------------------------------------------ Connection poolers
# PgBouncer in transaction mode and pgpool-II in front of the first PostgreSQL, each on a free
# loopback port, passing every database through: TEST_PGBOUNCER_URL and TEST_PGPOOL_URL (same
# user, database `postgres`; tests name their own database). PgBouncer's pool is kept smaller
# than the number of clients tests open, so transactions of one client land on different server
# sessions, as in production.
pooler_user() { if is_root; then id postgres >/dev/null 2>&1 || useradd --system --home-dir "$WORK" --shell /bin/bash postgres; echo postgres; else id -un; fi; }
if [ -z "${TEST_PGBOUNCER_URL:-}" ] || [ -z "${TEST_PGPOOL_URL:-}" ]; then
  IFS='|' read -r POOLED_HOST POOLED_PORT POOLED_ROLE < <(psql "$TEST_POSTGRES_URL" -AtqF '|' \
    -c "select coalesce(host(inet_server_addr()), '127.0.0.1'), current_setting('port'), current_user")
  POOL_USER=$(pooler_user)
fi
if [ -z "${TEST_PGBOUNCER_URL:-}" ]; then
  command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || apt_install pgbouncer
  BOUNCER=$WORK/pgbouncer
  BOUNCER_PORT=$(free_port)
  mkdir -p "$BOUNCER"
  printf '"%s" ""\n' "$POOLED_ROLE" > "$BOUNCER/userlist.txt"
  cat > "$BOUNCER/pgbouncer.ini" <<INI
[databases]
* = host=$POOLED_HOST port=$POOLED_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $BOUNCER/userlist.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = $BOUNCER/pgbouncer.log
pidfile = $BOUNCER/pgbouncer.pid
INI
  { is_root && chown -R "$POOL_USER": "$BOUNCER" || true; }
  log "starting PgBouncer (transaction mode) on 127.0.0.1:$BOUNCER_PORT"
  as_user "$POOL_USER" "$(command -v pgbouncer || echo /usr/sbin/pgbouncer)" -d "$BOUNCER/pgbouncer.ini"
  cleanups+=("kill \$(cat $BOUNCER/pgbouncer.pid)")
  TEST_PGBOUNCER_URL="postgresql://$POOLED_ROLE@127.0.0.1:$BOUNCER_PORT/postgres"
  for _ in $(seq 1 50); do pg_ready "$TEST_PGBOUNCER_URL" && break; sleep 0.2; done
  pg_ready "$TEST_PGBOUNCER_URL" || { log "PgBouncer did not come up: $(tail -5 "$BOUNCER/pgbouncer.log")"; exit 1; }
fi
export TEST_PGBOUNCER_URL
if [ -z "${TEST_PGPOOL_URL:-}" ]; then
  command -v pgpool >/dev/null 2>&1 || [ -x /usr/sbin/pgpool ] || apt_install pgpool2
  POOL=$WORK/pgpool
  POOL_PORT=$(free_port)
  POOL_PCP_PORT=$(free_port)
  mkdir -p "$POOL"
  : > "$POOL/pcp.conf"
  cat > "$POOL/pgpool.conf" <<CONF
backend_clustering_mode = 'raw'
listen_addresses = '127.0.0.1'
port = $POOL_PORT
socket_dir = '$POOL'
pcp_listen_addresses = ''
pcp_port = $POOL_PCP_PORT
pcp_socket_dir = '$POOL'
wd_ipc_socket_dir = '$POOL'
backend_hostname0 = '$POOLED_HOST'
backend_port0 = $POOLED_PORT
backend_weight0 = 1
backend_flag0 = 'DISALLOW_TO_FAILOVER'
enable_pool_hba = off
num_init_children = 24
max_pool = 2
connection_cache = on
load_balance_mode = off
health_check_period = 0
sr_check_period = 0
logdir = '$POOL'
pid_file_name = '$POOL/pgpool.pid'
CONF
  { is_root && chown -R "$POOL_USER": "$POOL" || true; }
  log "starting pgpool-II on 127.0.0.1:$POOL_PORT"
  PGPOOL_BIN=$(command -v pgpool || echo /usr/sbin/pgpool)
  as_user "$POOL_USER" setsid "$PGPOOL_BIN" -n -f "$POOL/pgpool.conf" -F "$POOL/pcp.conf" \
    >"$POOL/pgpool.log" 2>&1 </dev/null &
  cleanups+=("kill \$(cat $POOL/pgpool.pid)")
  TEST_PGPOOL_URL="postgresql://$POOLED_ROLE@127.0.0.1:$POOL_PORT/postgres"
  for _ in $(seq 1 50); do pg_ready "$TEST_PGPOOL_URL" && break; sleep 0.2; done
  pg_ready "$TEST_PGPOOL_URL" || { log "pgpool-II did not come up: $(tail -5 "$POOL/pgpool.log")"; exit 1; }
fi
export TEST_PGPOOL_URL

# ------------------------------------------------------------------ PostgreSQL with passwords
# The servers above may trust every local connection; authentication tests need one that checks
# passwords. TEST_POSTGRES_PASSWORD_URL names user `drydock`, password `drydock-secret`.
if [ -z "${TEST_POSTGRES_PASSWORD_URL:-}" ]; then
  need_pg_bin
  PW_USER=$(id -un)
  if is_root; then
    PW_USER=postgres
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$WORK" --shell /bin/bash postgres
  fi
  PW_PORT=$(free_port)
  mkdir -p "$WORK/pgpw" && { is_root && chown "$PW_USER": "$WORK/pgpw" || true; }
  printf 'drydock-secret\n' > "$WORK/pgpw/pwfile" && { is_root && chown "$PW_USER": "$WORK/pgpw/pwfile" || true; }
  as_user "$PW_USER" "$PG_BIN/initdb" -D "$WORK/pgpw/data" -U drydock --pwfile="$WORK/pgpw/pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$WORK/pgpw/initdb.log" 2>&1
  as_user "$PW_USER" "$PG_BIN/pg_ctl" -D "$WORK/pgpw/data" -l "$WORK/pgpw/server.log" -w -t 60 \
    -o "-p $PW_PORT -k $WORK/pgpw -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  cleanups+=("as_user $PW_USER $PG_BIN/pg_ctl -D $WORK/pgpw/data -m immediate stop")
  TEST_POSTGRES_PASSWORD_URL="postgresql://drydock:drydock-secret@127.0.0.1:$PW_PORT/postgres"
fi
export TEST_POSTGRES_PASSWORD_URL

# ------------------------------------------------------------------ PostgreSQL over TLS only
# A server with `ssl = on` whose pg_hba.conf has `hostssl` lines only, its certificates made by a
# throwaway CA. The server's certificate names `localhost` only (so `127.0.0.1` in a URL is a
# host name mismatch); a second CA signed nothing of the server's. Role `postgres` has password
# `drydock-tls-secret`; superuser `tlscert` logs in with the client certificate alone (`cert`).
# Exports TEST_POSTGRES_TLS_URL (sslmode=verify-full with sslrootcert), TEST_POSTGRES_TLS_CA,
# TEST_POSTGRES_TLS_OTHER_CA and TEST_POSTGRES_TLS_CLIENT_CERT / _KEY / _P12 (password drydock).
if [ -z "${TEST_POSTGRES_TLS_URL:-}" ]; then
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  need_pg_bin
  TLS_USER=$(id -un)
  if is_root; then
    TLS_USER=postgres
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$WORK" --shell /bin/bash postgres
  fi
  TLS=$WORK/pgtls
  mkdir -p "$TLS/certs"
  (
    cd "$TLS/certs"
    ca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$2.key" -out "$2.crt" 2>/dev/null; }
    signed() { # name common-name extensions
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
      printf '%s\n' "$3" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    }
    ca "drydock test CA" ca
    ca "drydock other CA" other-ca
    signed server localhost $'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE'
    signed client tlscert $'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE'
    openssl pkcs12 -export -in client.crt -inkey client.key -out client.p12 -passout pass:drydock
    chmod 600 ./*.key
  )
  TLS_PORT=$(free_port)
  mkdir -p "$TLS/server"
  cp "$TLS/certs/server.crt" "$TLS/certs/server.key" "$TLS/certs/ca.crt" "$TLS/server/"
  printf 'drydock-tls-secret\n' > "$TLS/server/pwfile"
  { is_root && chown -R "$TLS_USER": "$TLS/server" || true; }
  log "starting a TLS-only PostgreSQL on localhost:$TLS_PORT"
  as_user "$TLS_USER" "$PG_BIN/initdb" -D "$TLS/server/data" -U postgres --pwfile="$TLS/server/pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$TLS/initdb.log" 2>&1
  cat > "$TLS/server/data/pg_hba.conf" <<HBA
hostssl all tlscert 127.0.0.1/32 cert
hostssl all tlscert ::1/128 cert
hostssl all all 127.0.0.1/32 scram-sha-256
hostssl all all ::1/128 scram-sha-256
HBA
  as_user "$TLS_USER" "$PG_BIN/pg_ctl" -D "$TLS/server/data" -l "$TLS/server/server.log" -w -t 60 \
    -o "-p $TLS_PORT -k $TLS/server -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c ssl=on -c ssl_cert_file=$TLS/server/server.crt -c ssl_key_file=$TLS/server/server.key -c ssl_ca_file=$TLS/server/ca.crt" \
    start >/dev/null
  cleanups+=("as_user $TLS_USER $PG_BIN/pg_ctl -D $TLS/server/data -m immediate stop")
  TEST_POSTGRES_TLS_URL="postgresql://postgres:drydock-tls-secret@localhost:$TLS_PORT/postgres?sslmode=verify-full&sslrootcert=$TLS/certs/ca.crt"
  PGPASSWORD=drydock-tls-secret psql "host=localhost port=$TLS_PORT user=postgres dbname=postgres sslmode=verify-full sslrootcert=$TLS/certs/ca.crt" \
    -Atqc 'CREATE ROLE tlscert LOGIN SUPERUSER' >/dev/null \
    || { log "the TLS PostgreSQL did not come up: $(tail -5 "$TLS/server/server.log")"; exit 1; }
  export TEST_POSTGRES_TLS_CA=$TLS/certs/ca.crt TEST_POSTGRES_TLS_OTHER_CA=$TLS/certs/other-ca.crt \
    TEST_POSTGRES_TLS_CLIENT_CERT=$TLS/certs/client.crt TEST_POSTGRES_TLS_CLIENT_KEY=$TLS/certs/client.key \
    TEST_POSTGRES_TLS_CLIENT_P12=$TLS/certs/client.p12
fi
export TEST_POSTGRES_TLS_URL

# ------------------------------------------------------------------ PostgreSQL over TLS or plaintext
# A server that takes both (trust, like the first), its certificate self-signed (no test CA
# signed it): what `sslmode=prefer` and `allow` fall back between. Exports TEST_POSTGRES_MIXED_URL.
if [ -z "${TEST_POSTGRES_MIXED_URL:-}" ]; then
  need_pg_bin
  MIX_USER=$(id -un)
  if is_root; then MIX_USER=postgres; fi
  MIX=$WORK/pgmix
  mkdir -p "$MIX/server"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost" -keyout "$MIX/server/server.key" \
    -out "$MIX/server/server.crt" 2>/dev/null
  chmod 600 "$MIX/server/server.key"
  { is_root && chown -R "$MIX_USER": "$MIX/server" || true; }
  MIX_PORT=$(free_port)
  log "starting a PostgreSQL with TLS and plaintext on localhost:$MIX_PORT"
  as_user "$MIX_USER" "$PG_BIN/initdb" -D "$MIX/server/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$MIX/initdb.log" 2>&1
  as_user "$MIX_USER" "$PG_BIN/pg_ctl" -D "$MIX/server/data" -l "$MIX/server/server.log" -w -t 60 \
    -o "-p $MIX_PORT -k $MIX/server -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on -c ssl_cert_file=$MIX/server/server.crt -c ssl_key_file=$MIX/server/server.key" \
    start >/dev/null
  cleanups+=("as_user $MIX_USER $PG_BIN/pg_ctl -D $MIX/server/data -m immediate stop")
  TEST_POSTGRES_MIXED_URL="postgresql://postgres@localhost:$MIX_PORT/postgres"
  pg_ready "$TEST_POSTGRES_MIXED_URL" || { log "the TLS-or-plaintext PostgreSQL did not come up: $(tail -5 "$MIX/server/server.log")"; exit 1; }
fi
export TEST_POSTGRES_MIXED_URL

# ------------------------------------------------------------------ Extra PostgreSQL servers
# pg_server NAME DESCRIPTION [SETTING...]: a throwaway PostgreSQL of its own (trust, like the
# first, user `postgres`) in $WORK/NAME, its settings in its postgresql.conf (loopback, a free
# port, the given SETTINGs), started and stopped when the command ends. Sets PG_SERVER_URL,
# PG_SERVER_DATA, PG_SERVER_DIR and PG_SERVER_USER (the OS user pg_ctl runs as).
pg_server() {
  local name=$1 description=$2; shift 2
  need_pg_bin
  PG_SERVER_USER=$(id -un)
  if is_root; then
    PG_SERVER_USER=postgres
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$WORK" --shell /bin/bash postgres
  fi
  PG_SERVER_DIR=$WORK/$name
  PG_SERVER_DATA=$PG_SERVER_DIR/data
  local port
  port=$(free_port)
  mkdir -p "$PG_SERVER_DIR" && { is_root && chown "$PG_SERVER_USER": "$PG_SERVER_DIR" || true; }
  log "starting $description on 127.0.0.1:$port"
  as_user "$PG_SERVER_USER" "$PG_BIN/initdb" -D "$PG_SERVER_DATA" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$PG_SERVER_DIR/initdb.log" 2>&1
  printf '%s\n' "port = $port" "listen_addresses = '127.0.0.1'" \
    "unix_socket_directories = '$PG_SERVER_DIR'" "fsync = off" "$@" >> "$PG_SERVER_DATA/postgresql.conf"
  pg_server_start
  PG_SERVER_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  pg_ready "$PG_SERVER_URL" || { log "$description did not come up: $(tail -5 "$PG_SERVER_DIR/server.log")"; exit 1; }
}
# Starts the server of $PG_SERVER_DATA (made by pg_server or copied from one) and stops it at exit.
pg_server_start() {
  as_user "$PG_SERVER_USER" "$PG_BIN/pg_ctl" -D "$PG_SERVER_DATA" -l "$PG_SERVER_DIR/server.log" -w -t 60 start >/dev/null
  cleanups+=("as_user $PG_SERVER_USER $PG_BIN/pg_ctl -D $PG_SERVER_DATA -m immediate stop")
}

# A server that a test stops (`pg_ctl stop -m immediate`, a crash, or `-m fast`) and starts
# again while drydock works on it. Its settings are in its postgresql.conf, so `pg_ctl start -D
# <data> -l <data>/../server.log -w` brings it back as it was. Exports
# TEST_POSTGRES_STOPPABLE_URL, TEST_POSTGRES_STOPPABLE_DATA (the data folder),
# TEST_POSTGRES_STOPPABLE_BIN (the folder of pg_ctl) and TEST_POSTGRES_STOPPABLE_USER (the OS
# user pg_ctl runs as; through `su` when the tests run as root).
if [ -z "${TEST_POSTGRES_STOPPABLE_URL:-}" ]; then
  pg_server pgstop "a PostgreSQL that tests stop" "max_connections = 100"
  TEST_POSTGRES_STOPPABLE_URL=$PG_SERVER_URL
  export TEST_POSTGRES_STOPPABLE_DATA=$PG_SERVER_DATA TEST_POSTGRES_STOPPABLE_BIN=$PG_BIN \
    TEST_POSTGRES_STOPPABLE_USER=$PG_SERVER_USER
fi
export TEST_POSTGRES_STOPPABLE_URL

# A server with what monitoring and index advice read: `pg_stat_statements` preloaded, the
# `hypopg` extension installed (Debian's postgresql-<major>-hypopg), and `track_io_timing` on.
# Exports TEST_POSTGRES_STATS_URL.
if [ -z "${TEST_POSTGRES_STATS_URL:-}" ]; then
  need_pg_bin
  STATS_MAJOR=$(basename "$(dirname "$PG_BIN")")
  [ -f "/usr/share/postgresql/$STATS_MAJOR/extension/hypopg.control" ] || apt_install "postgresql-$STATS_MAJOR-hypopg"
  pg_server pgstats "a PostgreSQL with pg_stat_statements and hypopg" "max_connections = 100" \
    "shared_preload_libraries = 'pg_stat_statements'" "pg_stat_statements.track = all" "track_io_timing = on"
  TEST_POSTGRES_STATS_URL=$PG_SERVER_URL
fi
export TEST_POSTGRES_STATS_URL

# A primary with a streaming replica, both small: `max_connections = 20` (tests fill it) and
# `shared_buffers = 2MB` (tests read tables larger than that, so the cache hit ratios fall).
# The replica is a `pg_basebackup -R` copy on a port of its own (`cluster_name`, hence its
# application name in pg_stat_replication: `drydock_replica`), reporting its replay position
# every second; tests pause its replay (`pg_wal_replay_pause()`) to make it lag. Exports
# TEST_POSTGRES_PRIMARY_URL and TEST_POSTGRES_REPLICA_URL (database `postgres` on each).
if [ -z "${TEST_POSTGRES_PRIMARY_URL:-}" ] || [ -z "${TEST_POSTGRES_REPLICA_URL:-}" ]; then
  pg_server pgprimary "a small PostgreSQL primary" "max_connections = 20" "shared_buffers = 2MB" \
    "wal_level = replica" "max_wal_senders = 4"
  TEST_POSTGRES_PRIMARY_URL=$PG_SERVER_URL
  PRIMARY_PORT=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$PG_SERVER_URL")
  REPLICA_PORT=$(free_port)
  PG_SERVER_DIR=$WORK/pgreplica
  PG_SERVER_DATA=$PG_SERVER_DIR/data
  mkdir -p "$PG_SERVER_DIR" && { is_root && chown "$PG_SERVER_USER": "$PG_SERVER_DIR" || true; }
  log "starting its streaming replica on 127.0.0.1:$REPLICA_PORT"
  as_user "$PG_SERVER_USER" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
    -D "$PG_SERVER_DATA" -R -X stream >"$PG_SERVER_DIR/basebackup.log" 2>&1 \
    || { log "pg_basebackup failed: $(tail -5 "$PG_SERVER_DIR/basebackup.log")"; exit 1; }
  printf '%s\n' "port = $REPLICA_PORT" "unix_socket_directories = '$PG_SERVER_DIR'" \
    "cluster_name = 'drydock_replica'" "wal_receiver_status_interval = 1s" \
    >> "$PG_SERVER_DATA/postgresql.conf"
  pg_server_start
  TEST_POSTGRES_REPLICA_URL="postgresql://postgres@127.0.0.1:$REPLICA_PORT/postgres"
  pg_ready "$TEST_POSTGRES_REPLICA_URL" || { log "the replica did not come up: $(tail -5 "$PG_SERVER_DIR/server.log")"; exit 1; }
  for _ in $(seq 1 100); do
    [ "$(psql "$TEST_POSTGRES_PRIMARY_URL" -Atqc "select count(*) from pg_stat_replication where state = 'streaming'")" = 1 ] && break
    sleep 0.2
  done
  [ "$(psql "$TEST_POSTGRES_PRIMARY_URL" -Atqc "select count(*) from pg_stat_replication where state = 'streaming'")" = 1 ] \
    || { log "the replica does not stream: $(tail -5 "$PG_SERVER_DIR/server.log")"; exit 1; }
fi
export TEST_POSTGRES_PRIMARY_URL TEST_POSTGRES_REPLICA_URL

# ------------------------------------------------------------------ MariaDB
maria_ready() { mariadb-admin --no-defaults -h 127.0.0.1 -P "$1" -u root ping >/dev/null 2>&1; }

# maria_server NAME DESCRIPTION [OPTION...]: a throwaway MariaDB of its own (user `root`, no
# password) in $WORK/NAME on a free loopback port, with the given mariadbd OPTIONs; 60 seconds
# at most to come up, killed when the command ends. Sets MARIA_SERVER_URL (database `mysql`).
maria_server() {
  local name=$1 description=$2; shift 2
  { command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } || apt_install mariadb-server
  local user dir port pid
  user=$(id -un)
  if is_root; then
    user=mysql
    id mysql >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin mysql
  fi
  dir=$WORK/$name
  port=$(free_port)
  mkdir -p "$dir" && { is_root && chown "$user": "$dir" || true; }
  log "starting $description on 127.0.0.1:$port"
  timeout 120 mariadb-install-db --no-defaults --user="$user" --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
    || { log "$description: mariadb-install-db failed: $(tail -5 "$dir/install.log")"; exit 1; }
  setsid nohup /usr/sbin/mariadbd --no-defaults --user="$user" --datadir="$dir/data" \
    --port="$port" --bind-address=127.0.0.1 --socket="$dir/mysqld.sock" \
    --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
    --skip-name-resolve "$@" >/dev/null 2>&1 </dev/null &
  pid=$!
  # Its own pid when setsid did not fork, and the one it wrote in any case.
  cleanups+=("kill $pid" "kill \$(cat $dir/mariadbd.pid)")
  for _ in $(seq 1 120); do maria_ready "$port" && break; sleep 0.5; done
  maria_ready "$port" || { log "$description did not come up: $(tail -5 "$dir/error.log")"; exit 1; }
  MARIA_SERVER_URL="mysql://root@127.0.0.1:$port/mysql"
}

: "${TEST_MYSQL_URL:=mysql://root@127.0.0.1:3306/mysql}"
maria_port=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$TEST_MYSQL_URL")
command -v mariadb-admin >/dev/null 2>&1 || apt_install mariadb-client
if maria_ready "$maria_port"; then
  log "MariaDB answers at $TEST_MYSQL_URL"
else
  maria_server maria "a throwaway MariaDB"
  TEST_MYSQL_URL=$MARIA_SERVER_URL
fi
export TEST_MYSQL_URL

# A MariaDB with performance_schema on, for index advice: table I/O per index
# (`table_io_waits_summary_by_index_usage`) and statement digests
# (`events_statements_summary_by_digest`) counted. Exports TEST_MYSQL_PERF_URL.
if [ -z "${TEST_MYSQL_PERF_URL:-}" ]; then
  maria_server mariaperf "a MariaDB with performance_schema" --performance-schema=ON \
    --performance-schema-instrument='wait/io/table/sql/handler=ON' \
    --performance-schema-instrument='statement/%=ON' \
    --performance-schema-consumer-global-instrumentation=ON \
    --performance-schema-consumer-thread-instrumentation=ON \
    --performance-schema-consumer-statements-digest=ON \
    --innodb-buffer-pool-size=64M
  TEST_MYSQL_PERF_URL=$MARIA_SERVER_URL
fi
export TEST_MYSQL_PERF_URL

# ------------------------------------------------------------------ the browser
# The dashboard's end-to-end tests drive Debian's chromium with Playwright (e2e/, locked in
# e2e/package-lock.json). Exports TEST_CHROMIUM and TEST_E2E_DIR.
: "${TEST_CHROMIUM:=$(command -v chromium || true)}"
if [ -z "$TEST_CHROMIUM" ]; then
  apt_install chromium
  TEST_CHROMIUM=$(command -v chromium)
fi
E2E_DIR=$(cd "$(dirname "$0")/../e2e" && pwd)
if ! (cd "$E2E_DIR" && node -e 'require.resolve("playwright-core")' >/dev/null 2>&1); then
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  log "installing Playwright (e2e/package-lock.json)"
  (cd "$E2E_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
TEST_E2E_DIR=$E2E_DIR
export TEST_CHROMIUM TEST_E2E_DIR

"$@"
