#!/usr/bin/env bash
# Schema validation side by side with Prisma's own CLI: `drydock validate` (release build) against
# `prisma validate` 7.10.1 (installed from the npm registry under PEERS_DIR; its schema logic is the
# WebAssembly build of Prisma's engine, so it runs without downloading an engine binary) on
#   - a valid 2,000-model schema (bench/lib/gen.py models),
#   - ERRORS lines that are each an error (10,000 by default: Prisma takes minutes on 100,000),
#   - a default nested 12,000 calls deep.
#
#   bench/validate.sh            # RUNS=10 by default
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
ERRORS=${ERRORS:-10000}
PRISMA_V=7.10.1
PEERS_DIR=${PEERS_DIR:-$PWD/target/bench-peers}
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required to install prisma $PRISMA_V" >&2; exit 1; }
cargo build --release -q -p drydock
DRYDOCK=$PWD/target/release/drydock
PRISMA_DIR=$PEERS_DIR/npm-prisma
if [ ! -x "$PRISMA_DIR/node_modules/.bin/prisma" ]; then
  mkdir -p "$PRISMA_DIR"
  (cd "$PRISMA_DIR" && npm install --no-fund --no-audit --loglevel=error "prisma@$PRISMA_V" >/dev/null)
fi
PRISMA=$PRISMA_DIR/node_modules/.bin/prisma
# `validate` never runs the schema engine: pointing at any file stops the CLI from fetching one.
export PRISMA_SCHEMA_ENGINE_BINARY=/bin/true CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1

WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
header='generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\n'
mkdir -p "$WORK/large" "$WORK/errors" "$WORK/deep"
python3 bench/lib/gen.py models "$WORK/large/schema.prisma" 2000
python3 - "$WORK" "$header" "$ERRORS" <<'EOF'
import sys
work, header = sys.argv[1], sys.argv[2].encode().decode("unicode_escape")
errors = int(sys.argv[3])
with open(f"{work}/errors/schema.prisma", "w") as f:
    f.write(header + "model A {\n  id Int @id\n")
    f.writelines(f"  f{i} Strin\n" for i in range(errors))
    f.write("}\n")
with open(f"{work}/deep/schema.prisma", "w") as f:
    f.write(header + "model A {\n  id Int @id @default(" + "f(" * 12_000 + ")" * 12_000 + ")\n}\n")
EOF

run() { printf 'cd %q && %q validate --schema %q >/dev/null 2>&1 || true' "$WORK" "$1" "$2"; }
for case in large errors deep; do
  schema=$WORK/$case/schema.prisma
  echo "== $case: $(wc -l <"$schema") lines, $(wc -c <"$schema") bytes"
  for tool in "$DRYDOCK" "$PRISMA"; do
    (cd "$WORK" && "$tool" validate --schema "$schema" >"$WORK/out" 2>&1) && status=0 || status=$?
    printf '%-8s exit %s, %s bytes of output, max RSS %s KiB\n' "$(basename "$tool")" "$status" \
      "$(wc -c <"$WORK/out")" \
      "$(cd "$WORK" && /usr/bin/time -f %M "$tool" validate --schema "$schema" 2>&1 >/dev/null | tail -1)"
  done
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$WORK/$case.md" \
    -n "drydock validate ($case)" "$(run "$DRYDOCK" "$schema")" \
    -n "prisma validate ($case)" "$(run "$PRISMA" "$schema")" >/dev/null
  cat "$WORK/$case.md"
done
