#!/usr/bin/env bash
# Regenerates the expected SQL of the Prisma parity cases with Prisma's own schema engine
# (shared/oracle, run offline). Each case folder under crates/drydock-engine/tests/parity holds
# schema.prisma (the target), optionally from.prisma (the starting point; empty otherwise), and
# gets expected.<provider>.sql for postgresql and sqlite. A first line `// postgresql-only` limits
# a case to PostgreSQL; each line `// datasource: <setting>` adds that setting to the datasource.
# The tests assemble the same datasource block (see tests/parity.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
ORACLE=${ORACLE:-../shared/oracle}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

assemble() { # provider file out
  { printf 'datasource db {\n  provider = "%s"\n' "$1"
    sed -n 's#^// .*datasource: \(.*\)$#  \1#p' "$2"
    printf '}\n\n'; cat "$2"; } > "$3"
}

for case in crates/drydock-engine/tests/parity/*/; do
  for provider in postgresql sqlite; do
    if [ "$provider" = sqlite ] && head -1 "$case/schema.prisma" | grep -q 'postgresql-only'; then continue; fi
    assemble "$provider" "$case/schema.prisma" "$tmp/to.prisma"
    args=()
    if [ -f "$case/from.prisma" ]; then assemble "$provider" "$case/from.prisma" "$tmp/from.prisma"; args=(--from-schema "$tmp/from.prisma"); fi
    node "$ORACLE/diff-from-empty.mjs" "${args[@]}" "$tmp/to.prisma" > "$case/expected.$provider.sql"
  done
done
echo "regenerated $(ls crates/drydock-engine/tests/parity/*/expected.*.sql | wc -l) expected files"
