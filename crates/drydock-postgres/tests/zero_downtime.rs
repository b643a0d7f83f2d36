//! `migrate dev --zero-downtime` plans on PostgreSQL: each test diffs two schemas the way
//! `migrate dev` does and snapshots the phases (with whether each runs in a transaction, and the
//! statements its down migration starts with). The Prisma schemas are quoted above each test.

use drydock_connector::{Dialect, Phase, PhaseKind};
use drydock_postgres::PostgresDialect;
use drydock_schema::{
    Column, DefaultValue, IndexColumn, IndexKind, PrimaryKey, ReferentialAction, SqlSchema, Table,
    TypeFamily,
};
use drydock_test_support::dialect::statement_texts;
use drydock_test_support::schema::{
    col, foreign_key, index, int, name, nullable, string, text, with_default,
};

fn table(name: &str, columns: Vec<Column>) -> Table {
    let mut table = Table::new(None, name);
    table.columns = columns;
    table.primary_key = Some(PrimaryKey {
        name: Some(format!("{name}_pkey")),
        columns: vec![IndexColumn::named("id")],
    });
    table
}

fn schema(tables: Vec<Table>) -> SqlSchema {
    SqlSchema {
        tables,
        ..SqlSchema::default()
    }
}

fn renamed(mut column: Column, from: &str) -> Column {
    column.renamed_from = Some(from.to_owned());
    column
}

fn phases(from: &SqlSchema, to: &SqlSchema) -> Vec<Phase> {
    let dialect = PostgresDialect;
    let diff = drydock_diff::diff(from, to, dialect.diff_hooks());
    dialect
        .plan_zero_downtime(&diff.changes, to)
        .expect("PostgreSQL has a phased plan")
}

/// The phases as one text: a line per phase, its script, then its undo statements.
fn plan(from: &SqlSchema, to: &SqlSchema) -> String {
    let mut out = String::new();
    for phase in phases(from, to) {
        let transaction = if phase.transactional {
            "in a transaction"
        } else {
            "outside a transaction"
        };
        out.push_str(&format!(
            "==> {} ({transaction})\n{}",
            phase.kind.name(),
            phase.sql
        ));
        if !phase.undo.is_empty() {
            out.push_str(&format!("--> undo\n{}", phase.undo));
        }
    }
    out
}

fn user(extra: Vec<Column>) -> Table {
    let mut columns = vec![int("id"), text("email")];
    columns.extend(extra);
    table("User", columns)
}

/// ```prisma
/// model User {
///   id     Int    @id
///   email  String
///   status String @default("active")   // added
///   @@index([status])                   // added
/// }
/// ```
#[test]
fn required_column_with_a_constant_default_and_an_index() {
    let before = schema(vec![user(vec![])]);
    let mut after_table = user(vec![with_default(text("status"), string("active"))]);
    after_table
        .indexes
        .push(index("User_status_idx", IndexKind::Normal, &["status"]));
    let after = schema(vec![after_table]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AlterTable
    ALTER TABLE "User" ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'active';
    ==> validate (outside a transaction)
    -- CreateIndex
    CREATE INDEX CONCURRENTLY "User_status_idx" ON "User"("status");
    "#);
}

/// ```prisma
/// model User {
///   id        Int      @id
///   email     String
///   token     String   @default(dbgenerated("gen_random_uuid()")) @db.Uuid   // added
///   createdAt DateTime @default(now())                                       // added
/// }
/// ```
#[test]
fn required_columns_with_volatile_defaults() {
    let before = schema(vec![user(vec![])]);
    let after = schema(vec![user(vec![
        with_default(
            col("token", TypeFamily::String, "UUID"),
            DefaultValue::Expression("gen_random_uuid()".to_owned()),
        ),
        with_default(
            col("createdAt", TypeFamily::DateTime, "TIMESTAMP(3)"),
            DefaultValue::Now,
        ),
    ])]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AlterTable
    ALTER TABLE "User" ADD COLUMN     "createdAt" TIMESTAMP(3),
    ADD COLUMN     "token" UUID;

    -- AlterTable
    ALTER TABLE "User" ALTER COLUMN "createdAt" SET DEFAULT CURRENT_TIMESTAMP;

    -- AlterTable
    ALTER TABLE "User" ALTER COLUMN "token" SET DEFAULT gen_random_uuid();
    ==> backfill (outside a transaction)
    -- Backfill
    -- drydock:backfill key="id" batch=10000
    UPDATE "User" SET "createdAt" = CURRENT_TIMESTAMP WHERE "createdAt" IS NULL;

    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_createdAt_not_null" CHECK ("createdAt" IS NOT NULL) NOT VALID;

    -- Backfill
    -- drydock:backfill key="id" batch=10000
    UPDATE "User" SET "token" = gen_random_uuid() WHERE "token" IS NULL;

    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_token_not_null" CHECK ("token" IS NOT NULL) NOT VALID;
    --> undo
    -- DropNotNullCheck
    ALTER TABLE "User" DROP CONSTRAINT "User_token_not_null";

    -- DropNotNullCheck
    ALTER TABLE "User" DROP CONSTRAINT "User_createdAt_not_null";
    ==> validate (in a transaction)
    -- ValidateNotNullCheck
    ALTER TABLE "User" VALIDATE CONSTRAINT "User_createdAt_not_null";

    -- ValidateNotNullCheck
    ALTER TABLE "User" VALIDATE CONSTRAINT "User_token_not_null";

    -- SetNotNull
    -- drydock-lint-ignore set-not-null-without-check
    ALTER TABLE "User" ALTER COLUMN "createdAt" SET NOT NULL;
    ALTER TABLE "User" DROP CONSTRAINT "User_createdAt_not_null";

    -- SetNotNull
    -- drydock-lint-ignore set-not-null-without-check
    ALTER TABLE "User" ALTER COLUMN "token" SET NOT NULL;
    ALTER TABLE "User" DROP CONSTRAINT "User_token_not_null";
    --> undo
    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_token_not_null" CHECK ("token" IS NOT NULL) NOT VALID;

    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_createdAt_not_null" CHECK ("createdAt" IS NOT NULL) NOT VALID;
    "#);
}

/// ```prisma
/// model User {
///   id    Int    @id
///   email String
///   name  String   // was String?
/// }
/// ```
#[test]
fn optional_made_required() {
    let before = schema(vec![user(vec![nullable(text("name"))])]);
    let after = schema(vec![user(vec![text("name")])]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_name_not_null" CHECK ("name" IS NOT NULL) NOT VALID;
    --> undo
    -- DropNotNullCheck
    ALTER TABLE "User" DROP CONSTRAINT "User_name_not_null";
    ==> validate (in a transaction)
    -- ValidateNotNullCheck
    ALTER TABLE "User" VALIDATE CONSTRAINT "User_name_not_null";

    -- SetNotNull
    -- drydock-lint-ignore set-not-null-without-check
    ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;
    ALTER TABLE "User" DROP CONSTRAINT "User_name_not_null";
    --> undo
    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_name_not_null" CHECK ("name" IS NOT NULL) NOT VALID;
    "#);
}

/// ```prisma
/// model User { id Int @id  email String }
/// model Post {
///   id       Int   @id
///   authorId Int?                                               // added
///   author   User? @relation(fields: [authorId], references: [id])
/// }
/// ```
#[test]
fn foreign_key_on_an_existing_table() {
    let before = schema(vec![user(vec![]), table("Post", vec![int("id")])]);
    let mut post = table("Post", vec![int("id"), nullable(int("authorId"))]);
    post.foreign_keys.push(foreign_key(
        "Post_authorId_fkey",
        &["authorId"],
        name("User"),
        &["id"],
        ReferentialAction::SetNull,
        ReferentialAction::Cascade,
    ));
    let after = schema(vec![user(vec![]), post]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AlterTable
    ALTER TABLE "Post" ADD COLUMN     "authorId" INTEGER;

    -- AddForeignKey
    ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE NOT VALID;
    ==> validate (in a transaction)
    -- ValidateForeignKey
    ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_authorId_fkey";
    "#);
}

/// ```prisma
/// model User {
///   id    Int    @id
///   email String @unique   // was not unique
/// }
/// ```
#[test]
fn unique_index() {
    let before = schema(vec![user(vec![])]);
    let mut unique = user(vec![]);
    unique
        .indexes
        .push(index("User_email_key", IndexKind::Unique, &["email"]));
    let after = schema(vec![unique]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> validate (outside a transaction)
    -- CreateIndex
    CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email");
    "#);
}

/// A primary key on a table that had none is a constraint: its unique index is built first.
#[test]
fn primary_key_from_a_concurrent_index() {
    let mut keyless = user(vec![]);
    keyless.primary_key = None;
    let before = schema(vec![keyless]);
    let after = schema(vec![user(vec![])]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> validate (outside a transaction)
    -- CreateIndex
    CREATE UNIQUE INDEX CONCURRENTLY "User_pkey" ON "User"("id");

    -- AddPrimaryKey
    ALTER TABLE "User" ADD CONSTRAINT "User_pkey" PRIMARY KEY USING INDEX "User_pkey";
    "#);
}

/// ```prisma
/// model User {
///   id        Int    @id
///   email     String
///   // drydock:renamed-from name
///   full_name String
///   @@index([full_name])   // was @@index([name])
/// }
/// ```
#[test]
fn renamed_column() {
    let mut before_table = user(vec![text("name")]);
    before_table
        .indexes
        .push(index("User_name_idx", IndexKind::Normal, &["name"]));
    let mut after_table = user(vec![renamed(text("full_name"), "name")]);
    after_table.indexes.push(index(
        "User_full_name_idx",
        IndexKind::Normal,
        &["full_name"],
    ));
    let before = schema(vec![before_table]);
    let after = schema(vec![after_table]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AlterTable
    ALTER TABLE "User" ADD COLUMN     "full_name" TEXT;

    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_full_name_not_null" CHECK ("full_name" IS NOT NULL) NOT VALID;

    -- CreateSyncTrigger
    CREATE FUNCTION "User_full_name_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW."full_name" IS NULL THEN
          NEW."full_name" := NEW."name";
        ELSE
          NEW."name" := NEW."full_name";
        END IF;
      ELSIF NEW."full_name" IS DISTINCT FROM OLD."full_name" THEN
        NEW."name" := NEW."full_name";
      ELSE
        NEW."full_name" := NEW."name";
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER "User_full_name_sync" BEFORE INSERT OR UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION "User_full_name_sync"();
    --> undo
    -- DropSyncTrigger
    DROP TRIGGER "User_full_name_sync" ON "User";
    DROP FUNCTION "User_full_name_sync"();

    -- DropNotNullCheck
    ALTER TABLE "User" DROP CONSTRAINT "User_full_name_not_null";
    ==> backfill (outside a transaction)
    -- Backfill
    -- drydock:backfill key="id" batch=10000
    UPDATE "User" SET "full_name" = "name" WHERE "full_name" IS DISTINCT FROM "name";
    ==> validate (outside a transaction)
    -- ValidateNotNullCheck
    ALTER TABLE "User" VALIDATE CONSTRAINT "User_full_name_not_null";

    -- SetNotNull
    -- drydock-lint-ignore set-not-null-without-check
    ALTER TABLE "User" ALTER COLUMN "full_name" SET NOT NULL;
    ALTER TABLE "User" DROP CONSTRAINT "User_full_name_not_null";

    -- CreateIndex
    CREATE INDEX CONCURRENTLY "User_full_name_idx" ON "User"("full_name");
    --> undo
    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_full_name_not_null" CHECK ("full_name" IS NOT NULL) NOT VALID;
    ==> contract (in a transaction)
    -- DropSyncTrigger
    DROP TRIGGER "User_full_name_sync" ON "User";
    DROP FUNCTION "User_full_name_sync"();

    -- AlterTable
    -- drydock-lint-ignore drop-column
    ALTER TABLE "User" DROP COLUMN "name";
    --> undo
    -- AlterTable
    ALTER TABLE "User" ADD COLUMN     "name" TEXT;
    UPDATE "User" SET "name" = "full_name";

    -- CreateSyncTrigger
    CREATE FUNCTION "User_full_name_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW."full_name" IS NULL THEN
          NEW."full_name" := NEW."name";
        ELSE
          NEW."name" := NEW."full_name";
        END IF;
      ELSIF NEW."full_name" IS DISTINCT FROM OLD."full_name" THEN
        NEW."name" := NEW."full_name";
      ELSE
        NEW."full_name" := NEW."name";
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER "User_full_name_sync" BEFORE INSERT OR UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION "User_full_name_sync"();
    "#);
}

/// ```prisma
/// model User {
///   id    Int    @id
///   email String
///   views BigInt @default(0) @unique   // was Int
/// }
/// ```
#[test]
fn int_to_bigint() {
    let views = |family, native| {
        with_default(
            col("views", family, native),
            DefaultValue::Number("0".to_owned()),
        )
    };
    let mut before_table = user(vec![views(TypeFamily::Int, "INTEGER")]);
    before_table
        .indexes
        .push(index("User_views_key", IndexKind::Unique, &["views"]));
    let mut after_table = user(vec![views(TypeFamily::BigInt, "BIGINT")]);
    after_table
        .indexes
        .push(index("User_views_key", IndexKind::Unique, &["views"]));
    let before = schema(vec![before_table]);
    let after = schema(vec![after_table]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AlterTable
    ALTER TABLE "User" ADD COLUMN     "views_new" BIGINT;

    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_views_new_not_null" CHECK ("views_new" IS NOT NULL) NOT VALID;

    -- CreateSyncTrigger
    CREATE FUNCTION "User_views_new_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW."views_new" IS NULL THEN
          NEW."views_new" := NEW."views"::BIGINT;
        ELSE
          NEW."views" := NEW."views_new"::INTEGER;
        END IF;
      ELSIF NEW."views_new" IS DISTINCT FROM OLD."views_new" THEN
        NEW."views" := NEW."views_new"::INTEGER;
      ELSE
        NEW."views_new" := NEW."views"::BIGINT;
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER "User_views_new_sync" BEFORE INSERT OR UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION "User_views_new_sync"();
    --> undo
    -- DropSyncTrigger
    DROP TRIGGER "User_views_new_sync" ON "User";
    DROP FUNCTION "User_views_new_sync"();

    -- DropNotNullCheck
    ALTER TABLE "User" DROP CONSTRAINT "User_views_new_not_null";
    ==> backfill (outside a transaction)
    -- Backfill
    -- drydock:backfill key="id" batch=10000
    UPDATE "User" SET "views_new" = "views"::BIGINT WHERE "views_new" IS DISTINCT FROM "views"::BIGINT;
    ==> validate (outside a transaction)
    -- ValidateNotNullCheck
    ALTER TABLE "User" VALIDATE CONSTRAINT "User_views_new_not_null";

    -- SetNotNull
    -- drydock-lint-ignore set-not-null-without-check
    ALTER TABLE "User" ALTER COLUMN "views_new" SET NOT NULL;
    ALTER TABLE "User" DROP CONSTRAINT "User_views_new_not_null";

    -- CreateIndex
    CREATE UNIQUE INDEX CONCURRENTLY "User_views_key_new" ON "User"("views_new");
    --> undo
    -- AddNotNullCheck
    ALTER TABLE "User" ADD CONSTRAINT "User_views_new_not_null" CHECK ("views_new" IS NOT NULL) NOT VALID;
    ==> contract (in a transaction)
    -- DropSyncTrigger
    DROP TRIGGER "User_views_new_sync" ON "User";
    DROP FUNCTION "User_views_new_sync"();

    -- AlterTable
    -- drydock-lint-ignore drop-column
    ALTER TABLE "User" DROP COLUMN "views";
    -- drydock-lint-ignore rename-column
    ALTER TABLE "User" RENAME COLUMN "views_new" TO "views";
    ALTER TABLE "User" ALTER COLUMN "views" SET DEFAULT 0;

    -- RenameIndex
    ALTER INDEX "User_views_key_new" RENAME TO "User_views_key";
    --> undo
    -- RenameIndex
    ALTER INDEX "User_views_key" RENAME TO "User_views_key_new";

    -- AlterTable
    ALTER TABLE "User" RENAME COLUMN "views" TO "views_new";
    ALTER TABLE "User" ADD COLUMN     "views" INTEGER;
    UPDATE "User" SET "views" = "views_new"::INTEGER;

    -- CreateSyncTrigger
    CREATE FUNCTION "User_views_new_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW."views_new" IS NULL THEN
          NEW."views_new" := NEW."views"::BIGINT;
        ELSE
          NEW."views" := NEW."views_new"::INTEGER;
        END IF;
      ELSIF NEW."views_new" IS DISTINCT FROM OLD."views_new" THEN
        NEW."views" := NEW."views_new"::INTEGER;
      ELSE
        NEW."views_new" := NEW."views"::BIGINT;
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER "User_views_new_sync" BEFORE INSERT OR UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION "User_views_new_sync"();
    "#);
}

/// A type change that only lifts a limit keeps the rows: one catalog update.
#[test]
fn widened_varchar_is_altered_in_place() {
    let note = |native| nullable(col("note", TypeFamily::String, native));
    let before = schema(vec![user(vec![note("VARCHAR(20)")])]);
    let after = schema(vec![user(vec![note("VARCHAR(200)")])]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AlterTable
    ALTER TABLE "User" ALTER COLUMN "note" SET DATA TYPE VARCHAR(200);
    "#);
}

/// ```prisma
/// // drydock:renamed-from User
/// model Member {
///   id    Int    @id
///   email String @unique
/// }
/// ```
#[test]
fn renamed_table() {
    let mut before_table = user(vec![]);
    before_table
        .indexes
        .push(index("User_email_key", IndexKind::Unique, &["email"]));
    let mut member = table("Member", vec![int("id"), text("email")]);
    member
        .indexes
        .push(index("Member_email_key", IndexKind::Unique, &["email"]));
    member.renamed_from = Some("User".to_owned());
    let before = schema(vec![before_table]);
    let after = schema(vec![member]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- RenameTable
    -- drydock-lint-ignore rename-table
    ALTER TABLE "User" RENAME TO "Member";

    -- AlterTable
    ALTER TABLE "Member" RENAME CONSTRAINT "User_pkey" TO "Member_pkey";

    -- RenameIndex
    ALTER INDEX "User_email_key" RENAME TO "Member_email_key";

    -- CreateCompatibilityView
    CREATE VIEW "User" AS SELECT * FROM "Member";
    --> undo
    -- DropCompatibilityView
    DROP VIEW "User";

    -- RenameTable
    ALTER TABLE "Member" RENAME TO "User";
    ==> contract (in a transaction)
    -- DropCompatibilityView
    DROP VIEW "User";
    --> undo
    -- CreateCompatibilityView
    CREATE VIEW "User" AS SELECT * FROM "Member";
    "#);
}

/// ```prisma
/// model User {
///   id    Int    @id
///   email String
///   // legacy String? dropped
/// }
/// model Audit { ... } // dropped
/// ```
#[test]
fn drops_wait_for_contract() {
    let before = schema(vec![
        user(vec![nullable(text("legacy"))]),
        table("Audit", vec![int("id")]),
    ]);
    let after = schema(vec![user(vec![])]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> contract (in a transaction)
    -- AlterTable
    -- drydock-lint-ignore drop-column
    ALTER TABLE "User" DROP COLUMN "legacy";

    -- DropTable
    -- drydock-lint-ignore drop-table
    DROP TABLE "Audit";
    "#);
}

/// A type without a cast loses the column's data in the single migration too: the column, and
/// the index over it, are dropped and added again at contract.
#[test]
fn uncastable_type_change_waits_for_contract() {
    let code = |family, native| nullable(col("code", family, native));
    let mut before_table = user(vec![code(TypeFamily::String, "TEXT")]);
    before_table
        .indexes
        .push(index("User_code_idx", IndexKind::Normal, &["code"]));
    let mut after_table = user(vec![code(TypeFamily::Json, "JSONB")]);
    after_table
        .indexes
        .push(index("User_code_idx", IndexKind::Normal, &["code"]));
    let before = schema(vec![before_table]);
    let after = schema(vec![after_table]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> contract (in a transaction)
    -- DropIndex
    DROP INDEX "User_code_idx";

    -- AlterTable
    -- drydock-lint-ignore drop-column
    ALTER TABLE "User" DROP COLUMN "code",
    ADD COLUMN     "code" JSONB;

    -- CreateIndex
    CREATE INDEX "User_code_idx" ON "User"("code");
    "#);
}

/// A renamed primary key column cannot be doubled: its table is altered in place, and says so.
#[test]
fn renamed_key_column_is_altered_in_place() {
    let before = schema(vec![user(vec![])]);
    let mut after_table = table("User", vec![renamed(int("user_id"), "id"), text("email")]);
    after_table.primary_key = Some(PrimaryKey {
        name: Some("User_pkey".to_owned()),
        columns: vec![IndexColumn::named("user_id")],
    });
    let after = schema(vec![after_table]);
    insta::assert_snapshot!(plan(&before, &after), @r#"
    ==> expand (in a transaction)
    -- AlterTable
    -- As in a single migration: "user_id" is part of the primary key, so it cannot be doubled: it is renamed in place, which breaks application versions still using the old name.
    ALTER TABLE "User" RENAME COLUMN "id" TO "user_id";
    --> undo
    -- AlterTable
    ALTER TABLE "User" RENAME COLUMN "user_id" TO "id";
    "#);
}

/// New tables are empty: everything about them stays in the expand phase.
#[test]
fn new_tables_need_one_phase() {
    let before = schema(vec![]);
    let mut post = table("Post", vec![int("id"), int("authorId")]);
    post.indexes
        .push(index("Post_authorId_idx", IndexKind::Normal, &["authorId"]));
    post.foreign_keys.push(foreign_key(
        "Post_authorId_fkey",
        &["authorId"],
        name("User"),
        &["id"],
        ReferentialAction::Restrict,
        ReferentialAction::Cascade,
    ));
    let after = schema(vec![user(vec![]), post]);
    let phases = phases(&before, &after);
    assert_eq!(
        phases.iter().map(|p| p.kind).collect::<Vec<_>>(),
        [PhaseKind::Expand]
    );
    assert!(phases[0].transactional);
}

/// The phases that run outside a transaction split into statements the way deploy runs them.
#[test]
fn validate_statements_run_one_by_one() {
    let before = schema(vec![user(vec![])]);
    let mut unique = user(vec![]);
    unique
        .indexes
        .push(index("User_email_key", IndexKind::Unique, &["email"]));
    let after = schema(vec![unique]);
    let phases = phases(&before, &after);
    let validate = phases
        .iter()
        .find(|p| p.kind == PhaseKind::Validate)
        .expect("a validate phase");
    assert!(!validate.transactional);
    assert_eq!(
        statement_texts(&PostgresDialect, &validate.sql),
        [
            "-- CreateIndex\nCREATE UNIQUE INDEX CONCURRENTLY \"User_email_key\" ON \"User\"(\"email\");"
        ]
    );
}
