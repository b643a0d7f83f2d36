#!/usr/bin/env bash
# Installs the peer migration tools bench/run compares drydock with, from the package registries
# only (cargo, npm, Python packages, Debian apt), pinned to the versions below, under PEERS_DIR:
#
#   PEERS_DIR/cargo/bin/sqlx        sqlx-cli (cargo install --root, features rustls,postgres)
#   PEERS_DIR/cargo/bin/refinery    refinery_cli
#   PEERS_DIR/npm/.../dbmate        dbmate: the native binary of the @dbmate/linux-x64 package
#                                   (npm's .bin/dbmate is a Node wrapper that adds ~75 ms a call)
#   PEERS_DIR/venv/bin/alembic      alembic + psycopg2-binary in a Python venv
#   hyperfine, time                 Debian packages (apt-get, needs root)
#
# Idempotent: whatever is already installed at the pinned version is skipped. A peer that fails
# to install is reported and the others go on; the outcome of every step is written to
# PEERS_DIR/status.tsv (tool, ok|failed, version or reason), which bench/run reads. Exits 1 when
# something failed.
#
# Arguments name the tools to install (hyperfine time sqlx refinery dbmate alembic); none means
# all of them. With a subset, the lines status.tsv holds for the other tools are kept.
#
# Environment: PEERS_DIR (default /tmp/peers), SKIP_CARGO=1 (skip the two cargo builds, several
# minutes each on 2 cores), SKIP_APT=1.
set -uo pipefail
ONLY=" $* "
wanted() { [ "$ONLY" = "  " ] || [[ $ONLY == *" $1 "* ]]; }

PEERS_DIR=${PEERS_DIR:-/tmp/peers}
SQLX_V=0.9.0
REFINERY_V=0.10.0
DBMATE_V=2.36.0
ALEMBIC_V=1.20.1

CARGO_ROOT=$PEERS_DIR/cargo
NPM_DIR=$PEERS_DIR/npm
VENV=$PEERS_DIR/venv
STATUS=$PEERS_DIR/status.tsv
LOGS=$PEERS_DIR/logs

log() { printf '[install-peers] %s\n' "$*" >&2; }
mkdir -p "$PEERS_DIR" "$LOGS" || { log "cannot create $PEERS_DIR"; exit 1; }
: > "$STATUS.new"
if [ "$ONLY" != "  " ] && [ -f "$STATUS" ]; then
  while IFS=$'\t' read -r tool rest; do
    wanted "$tool" || printf '%s\t%s\n' "$tool" "$rest" >> "$STATUS.new"
  done < "$STATUS"
fi
failures=0
ok() { printf '%s\tok\t%s\n' "$1" "$2" >> "$STATUS.new"; log "$1: $2"; }
failed() {
  printf '%s\tfailed\t%s\n' "$1" "$2" >> "$STATUS.new"
  log "FAILED $1: $2"
  failures=$((failures + 1))
}
# The last meaningful line of a log, for the reason column.
last_line() { grep -v '^\s*$' "$1" 2>/dev/null | tail -n 1 | tr '\t' ' ' | cut -c1-200; }

# ------------------------------------------------------------------ Debian packages
if [ "${SKIP_APT:-0}" != 1 ]; then
  for pkg in hyperfine time; do
    if ! wanted "$pkg"; then
      continue
    elif dpkg -s "$pkg" >/dev/null 2>&1; then
      ok "$pkg" "$(dpkg-query -W -f '${Version}' "$pkg") (Debian, already installed)"
    elif [ "$(id -u)" != 0 ]; then
      failed "$pkg" "not installed and apt-get needs root"
    else
      log "apt-get install $pkg"
      if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
             --no-install-recommends "$pkg"; } >"$LOGS/apt-$pkg.log" 2>&1; then
        ok "$pkg" "$(dpkg-query -W -f '${Version}' "$pkg") (Debian)"
      else
        failed "$pkg" "apt-get install failed: $(last_line "$LOGS/apt-$pkg.log")"
      fi
    fi
  done
fi

# ------------------------------------------------------------------ cargo
cargo_tool() { # name crate version binary check-string cargo-args...
  local name=$1 crate=$2 version=$3 bin=$4 want=$5; shift 5
  if ! wanted "$name"; then
    return
  elif "$CARGO_ROOT/bin/$bin" --version 2>/dev/null | grep -qx "$want"; then
    ok "$name" "$version (already installed)"
  elif [ "${SKIP_CARGO:-0}" = 1 ]; then
    failed "$name" "not installed (SKIP_CARGO=1)"
  elif ! command -v cargo >/dev/null 2>&1; then
    failed "$name" "cargo not found"
  else
    log "cargo install $crate $version (several minutes on 2 cores; log: $LOGS/cargo-$name.log)"
    if cargo install --locked "$crate" --version "$version" --root "$CARGO_ROOT" "$@" \
         >"$LOGS/cargo-$name.log" 2>&1 \
       && "$CARGO_ROOT/bin/$bin" --version 2>/dev/null | grep -qx "$want"; then
      ok "$name" "$version"
    else
      failed "$name" "cargo install failed: $(last_line "$LOGS/cargo-$name.log")"
    fi
  fi
}
cargo_tool sqlx sqlx-cli "$SQLX_V" sqlx "sqlx-cli $SQLX_V" --no-default-features --features rustls,postgres
cargo_tool refinery refinery_cli "$REFINERY_V" refinery "refinery_cli $REFINERY_V"

# ------------------------------------------------------------------ npm
DBMATE_BIN=$NPM_DIR/node_modules/@dbmate/linux-x64/bin/dbmate
if ! wanted dbmate; then
  :
elif "$DBMATE_BIN" --version 2>/dev/null | grep -q "version $DBMATE_V\b"; then
  ok dbmate "$DBMATE_V (already installed)"
elif ! command -v npm >/dev/null 2>&1; then
  failed dbmate "npm not found"
else
  mkdir -p "$NPM_DIR"
  [ -f "$NPM_DIR/package.json" ] || echo '{"name":"drydock-bench-peers","private":true}' > "$NPM_DIR/package.json"
  log "npm install dbmate@$DBMATE_V"
  if (cd "$NPM_DIR" && npm install --no-fund --no-audit --loglevel=error "dbmate@$DBMATE_V") \
       >"$LOGS/npm-dbmate.log" 2>&1 \
     && "$DBMATE_BIN" --version 2>/dev/null | grep -q "version $DBMATE_V\b"; then
    ok dbmate "$DBMATE_V"
  else
    failed dbmate "npm install failed or $DBMATE_BIN does not run: $(last_line "$LOGS/npm-dbmate.log")"
  fi
fi

# ------------------------------------------------------------------ Python venv
alembic_ok() {
  "$VENV/bin/alembic" --version 2>/dev/null | grep -qx "alembic $ALEMBIC_V" \
    && "$VENV/bin/python" -c 'import psycopg2' 2>/dev/null
}
if ! wanted alembic; then
  :
elif alembic_ok; then
  ok alembic "$ALEMBIC_V (already installed)"
else
  log "pip install alembic==$ALEMBIC_V psycopg2-binary (venv $VENV)"
  if { [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"; } >"$LOGS/pip-alembic.log" 2>&1 \
     && "$VENV/bin/pip" install -q --disable-pip-version-check "alembic==$ALEMBIC_V" psycopg2-binary \
          >>"$LOGS/pip-alembic.log" 2>&1 \
     && alembic_ok; then
    ok alembic "$ALEMBIC_V"
  else
    failed alembic "pip install failed: $(last_line "$LOGS/pip-alembic.log")"
  fi
fi

# ------------------------------------------------------------------ Prisma
# Not installed: its CLI downloads a native schema engine at run time, which cannot be done here.
[ "$ONLY" = "  " ] && printf 'prisma\tfailed\t%s\n' "not installed: the Prisma CLI downloads its native schema engine at run time (even for --version), which needs a network this machine does not have" >> "$STATUS.new"

mv "$STATUS.new" "$STATUS"
log "status written to $STATUS"
if [ "$failures" -gt 0 ]; then
  log "$failures tool(s) failed to install"
  exit 1
fi
