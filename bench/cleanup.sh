#!/usr/bin/env bash
# `drydock cleanup --apply` on ORPHANS orphaned rows (default 1,000,000) of a PostgreSQL table
# with no foreign key (`relationMode = "prisma"`), beside a plain batched DELETE loop in psql
# (a DO block committing every BATCH rows, the same anti-join, nothing archived), measured in
# the same run on the same freshly built data. Then `drydock cleanup restore` of the archive,
# checked row for row against the table before the cleanup (md5 of every row's JSON in key
# order). Needs PostgreSQL (TEST_POSTGRES_URL, default
# postgresql://postgres@127.0.0.1:5432/postgres) and psql. Prints a Markdown section for
# bench/RESULTS.md. BIN=path runs that drydock instead of building a release one.
set -euo pipefail
cd "$(dirname "$0")/.."
ORPHANS=${ORPHANS:-1000000}
KEPT=${KEPT:-100000}
BATCH=${BATCH:-10000}
SERVER=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
BASE=${SERVER%/*}
DB=drydock_cleanup_bench
URL=$BASE/$DB
WORK=$(mktemp -d /tmp/drydock-cleanup-bench.XXXXXX)
finish() {
  psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap finish EXIT
command -v psql >/dev/null || { echo "psql is required (apt-get install postgresql-client)" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p drydock
  BIN=$PWD/target/release/drydock
fi

mkdir -p "$WORK/prisma"
cat > "$WORK/prisma/schema.prisma" <<'PRISMA'
datasource db {
  provider     = "postgresql"
  url          = env("DATABASE_URL")
  relationMode = "prisma"
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id        BigInt   @id
  title     String
  body      String
  createdAt DateTime @db.Timestamptz(3)
  author    User     @relation(fields: [authorId], references: [id], onDelete: Cascade)
  authorId  Int
  @@index([authorId])
}
PRISMA

# The same data each time: 1,000 users, KEPT posts by them, ORPHANS posts by nobody.
fill() {
  psql "$SERVER" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
  psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null <<SQL
CREATE TABLE "User" (id integer PRIMARY KEY);
CREATE TABLE "Post" (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL,
  "createdAt" timestamptz(3) NOT NULL, "authorId" integer NOT NULL);
INSERT INTO "User" SELECT g FROM generate_series(1, 1000) g;
INSERT INTO "Post" SELECT g, 'post ' || g, repeat(md5(g::text), 3),
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
  CASE WHEN g <= $KEPT THEN 1 + g % 1000 ELSE 1000000 + g END
  FROM generate_series(1, $KEPT + $ORPHANS) g;
CREATE INDEX "Post_authorId_idx" ON "Post" ("authorId");
VACUUM ANALYZE;
SQL
}

fingerprint() {
  psql "$URL" -qAtc "SELECT md5(string_agg(row_to_json(p)::text, E'\n' ORDER BY p.id)) || ' ' || count(*) FROM \"Post\" p"
}

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# ---- drydock: dry run (count and samples), apply, restore
fill
before=$(fingerprint)
t0=$(now)
DATABASE_URL=$URL "$BIN" --schema "$WORK/prisma/schema.prisma" cleanup --json > "$WORK/dry.json" 2>/dev/null
t1=$(now)
counted=$(grep -m1 '"examined"' "$WORK/dry.json" | tr -dc 0-9)
t2=$(now)
DATABASE_URL=$URL "$BIN" --schema "$WORK/prisma/schema.prisma" cleanup --apply --json \
  --batch-size "$BATCH" --archive-dir "$WORK/archive" > "$WORK/apply.json" 2>/dev/null
t3=$(now)
affected=$(grep -m1 '"affected"' "$WORK/apply.json" | tr -dc 0-9)
archive=$(ls "$WORK"/archive/*.cleanup.jsonl.zst)
archive_bytes=$(stat -c %s "$archive")
left=$(psql "$URL" -qAtc "SELECT count(*) FROM \"Post\"")
t4=$(now)
DATABASE_URL=$URL "$BIN" --schema "$WORK/prisma/schema.prisma" cleanup restore "$archive" >/dev/null 2>&1
t5=$(now)
after=$(fingerprint)
[ "$before" = "$after" ] && same=yes || same=NO

# ---- psql: the same deletes, batched, nothing archived
fill
t6=$(now)
psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null <<SQL
DO \$\$
DECLARE n bigint;
BEGIN
  LOOP
    DELETE FROM "Post" WHERE id IN (
      SELECT p.id FROM "Post" p
      WHERE NOT EXISTS (SELECT 1 FROM "User" u WHERE u.id = p."authorId")
      LIMIT $BATCH);
    GET DIAGNOSTICS n = ROW_COUNT;
    COMMIT;
    EXIT WHEN n = 0;
  END LOOP;
END
\$\$;
SQL
t7=$(now)
psql_left=$(psql "$URL" -qAtc "SELECT count(*) FROM \"Post\"")

server=$(psql "$URL" -qAtc "SHOW server_version" | cut -d' ' -f1)
cat <<MD
## Orphan cleanup: \`ORPHANS=$ORPHANS bench/cleanup.sh\`

$(date -u +%F), $(nproc) cores, release build, PostgreSQL $server on loopback. \`Post\` holds
$KEPT rows by 1,000 users and $ORPHANS by nobody (no foreign key, \`relationMode = "prisma"\`,
an index on \`authorId\`); batches of $BATCH rows, one transaction each.

| step | rows | seconds | rows/s |
| --- | ---: | ---: | ---: |
| \`drydock cleanup\` (dry run: count and 5 sample keys) | $counted | $(seconds "$t0" "$t1") | |
| \`drydock cleanup --apply\` (archive, delete, progress row per batch) | $affected | $(seconds "$t2" "$t3") | $(rate "$affected" "$t2" "$t3") |
| psql \`DO\` loop: batched \`DELETE ... NOT EXISTS ... LIMIT $BATCH\`, \`COMMIT\` each | $((KEPT + ORPHANS - psql_left)) | $(seconds "$t6" "$t7") | $(rate "$((KEPT + ORPHANS - psql_left))" "$t6" "$t7") |
| \`drydock cleanup restore\` (one transaction) | $affected | $(seconds "$t4" "$t5") | $(rate "$affected" "$t4" "$t5") |

- Rows left after drydock: $left; after psql: $psql_left. Archive: $((archive_bytes / 1024 / 1024)) MiB
  (zstd level 3) for $affected rows.
- Restored table equal to the table before the cleanup, row for row: $same.
MD
