#!/usr/bin/env bash
# Regenerates what Prisma's own engines say about the real project schemas of
# crates/drydock-engine/tests/real_schemas (shared/oracle, run offline). Each project folder holds
# its schema as published (`schema.prisma`, or a `schema/` folder of several files) and gets:
#   expected.validate.json    the oracle's validate.mjs verdict, engine chosen as Prisma would
#                             (6.19.3 when the datasource sets a URL, 7.10.1 otherwise);
#   expected.validate-5.json  only when that verdict is "invalid": Prisma 5.22's verdict;
#   expected.<provider>.sql   for PostgreSQL and SQLite schemas that Prisma accepts:
#                             `migrate diff --from-empty --to-schema ... --script`.
set -euo pipefail
cd "$(dirname "$0")/.."
ORACLE=${ORACLE:-../shared/oracle}

for project in crates/drydock-engine/tests/real_schemas/*/; do
  project=${project%/}
  if [ -d "$project/schema" ]; then schema="$project/schema"; else schema="$project/schema.prisma"; fi
  # Only the oracle's files: expected.repull.diff and expected.migrate-dev-error are written by hand.
  rm -f "$project"/expected.validate*.json "$project"/expected.*.sql
  if node "$ORACLE/validate.mjs" "$schema" > "$project/expected.validate.json"; then
    provider=$(find "$schema" -name '*.prisma' -exec cat {} + \
      | sed -n 's/^[[:space:]]*provider[[:space:]]*=[[:space:]]*"\(postgresql\|postgres\|sqlite\)".*/\1/p' | head -1)
    # `postgres` is Prisma's alias of `postgresql`.
    if [ "$provider" = postgres ]; then provider=postgresql; fi
    if [ -n "$provider" ]; then
      node "$ORACLE/diff-from-empty.mjs" "$schema" > "$project/expected.$provider.sql"
    fi
  else
    node "$ORACLE/validate.mjs" --engine 5 "$schema" > "$project/expected.validate-5.json" || true
  fi
done
echo "regenerated $(ls crates/drydock-engine/tests/real_schemas/*/expected.* | wc -l) expected files"
