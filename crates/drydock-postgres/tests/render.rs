//! PostgreSQL rendering of every kind of change, checked against what Prisma Migrate prints.
//!
//! Each test builds the changes the differ produces for a schema change by hand and compares the
//! assembled script with the output of `prisma migrate diff --script` for the equivalent
//! schemas (pasted into the snapshot; the Prisma schemas are quoted above each test).

use drydock_connector::{Dialect, render_script};
use drydock_diff::{AlterEnum, Change, ColumnChange, EnumColumnUse, TableChange, TypeChange};
use drydock_postgres::PostgresDialect;
use drydock_schema::{
    Column, DefaultValue, Enum, IndexAlgorithm, IndexColumn, IndexKind, ObjectName, PrimaryKey,
    ReferentialAction, SortOrder, Table, TypeFamily,
};
use drydock_test_support::dialect::{assert_transactions, statement_texts};
use drydock_test_support::schema::{
    auto_increment, col, foreign_key, index, int, list, name, nullable, number, string, text,
    with_default,
};

fn script(changes: &[Change]) -> String {
    render_script(&PostgresDialect, changes, &[])
}

fn in_ns(namespace: &str, table: &str) -> ObjectName {
    ObjectName::new(Some(namespace.to_owned()), table)
}

fn enum_col(name: &str, enum_name: &ObjectName) -> Column {
    col(
        name,
        TypeFamily::Enum(enum_name.clone()),
        enum_name.name.as_str(),
    )
}

fn enum_value(value: &str) -> DefaultValue {
    DefaultValue::EnumValue(value.to_owned())
}

fn table(object: ObjectName, columns: Vec<Column>, primary_key: &[&str]) -> Table {
    let mut table = Table::new(object.namespace, object.name);
    table.columns = columns;
    if !primary_key.is_empty() {
        table.primary_key = Some(pk(&format!("{}_pkey", table.name), primary_key));
    }
    table
}

fn pk(name: &str, columns: &[&str]) -> PrimaryKey {
    PrimaryKey {
        name: Some(name.to_owned()),
        columns: columns.iter().map(|c| IndexColumn::named(*c)).collect(),
    }
}

fn enum_type(object: &ObjectName, values: &[&str]) -> Enum {
    Enum {
        namespace: object.namespace.clone(),
        name: object.name.clone(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn alter_column(from: Column, to: Column) -> TableChange {
    TableChange::AlterColumn(ColumnChange {
        arity_changed: from.arity != to.arity,
        default_changed: from.default != to.default,
        auto_increment_changed: from.auto_increment != to.auto_increment,
        identity_changed: false,
        collation_changed: false,
        on_update_changed: false,
        inheritors_made_nullable: None,
        detached_partitions: Vec::new(),
        type_change: None,
        from,
        to,
    })
}

fn retype(from: Column, to: Column, type_change: TypeChange) -> TableChange {
    TableChange::AlterColumn(ColumnChange {
        arity_changed: from.arity != to.arity,
        default_changed: from.default != to.default,
        auto_increment_changed: from.auto_increment != to.auto_increment,
        identity_changed: false,
        collation_changed: false,
        on_update_changed: false,
        inheritors_made_nullable: None,
        detached_partitions: Vec::new(),
        type_change: Some(type_change),
        from,
        to,
    })
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// The worked example of Prisma's documentation, from an empty database:
///
/// ```prisma
/// enum Role { USER ADMIN }
/// model User {
///   id    Int    @id @default(autoincrement())
///   email String @unique
///   role  Role   @default(USER)
///   posts Post[]
/// }
/// model Post {
///   id        String   @id @default(cuid())
///   createdAt DateTime @default(now())
///   updatedAt DateTime @updatedAt
///   authorId  Int
///   author    User     @relation(fields: [authorId], references: [id])
///   @@index([authorId])
/// }
/// ```
#[test]
fn create_enum_tables_indexes_and_foreign_keys() {
    let role = name("Role");
    let datetime = |n: &str| col(n, TypeFamily::DateTime, "TIMESTAMP(3)");
    let user = table(
        name("User"),
        vec![
            auto_increment(int("id")),
            text("email"),
            with_default(enum_col("role", &role), enum_value("USER")),
        ],
        &["id"],
    );
    let post = table(
        name("Post"),
        vec![
            text("id"),
            with_default(datetime("createdAt"), DefaultValue::Now),
            datetime("updatedAt"),
            int("authorId"),
        ],
        &["id"],
    );
    let changes = [
        Change::CreateEnum {
            enum_type: enum_type(&role, &["USER", "ADMIN"]),
        },
        Change::CreateTable { table: user },
        Change::CreateTable { table: post },
        Change::CreateIndex {
            table: name("User"),
            index: index("User_email_key", IndexKind::Unique, &["email"]),
        },
        Change::CreateIndex {
            table: name("Post"),
            index: index("Post_authorId_idx", IndexKind::Normal, &["authorId"]),
        },
        Change::AddForeignKey {
            table: name("Post"),
            foreign_key: foreign_key(
                "Post_authorId_fkey",
                &["authorId"],
                name("User"),
                &["id"],
                ReferentialAction::Restrict,
                ReferentialAction::Cascade,
            ),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- CreateEnum
    CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

    -- CreateTable
    CREATE TABLE "User" (
        "id" SERIAL NOT NULL,
        "email" TEXT NOT NULL,
        "role" "Role" NOT NULL DEFAULT 'USER',

        CONSTRAINT "User_pkey" PRIMARY KEY ("id")
    );

    -- CreateTable
    CREATE TABLE "Post" (
        "id" TEXT NOT NULL,
        "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "updatedAt" TIMESTAMP(3) NOT NULL,
        "authorId" INTEGER NOT NULL,

        CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
    );

    -- CreateIndex
    CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

    -- CreateIndex
    CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");

    -- AddForeignKey
    ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
    "#);
}

/// Every scalar and native type, every kind of default, composite keys, index algorithms,
/// operator classes and sort orders:
///
/// ```prisma
/// enum Role { USER ADMIN @@map("role_t") }
/// model T {
///   a Int
///   b String     @default("it's")
///   c Float      @default(1.5)
///   d Boolean    @default(true)
///   e DateTime   @default(now())
///   f Json       @default("{\"a\": \"it's\"}")
///   g Bytes      @default("aGVsbG8=")
///   h Role       @default(ADMIN)
///   i Role[]     @default([USER, ADMIN])
///   j Int[]      @default([1, 2])
///   k String?    @db.VarChar(255)
///   l Decimal    @default(1.25) @db.Decimal(10, 2)
///   m DateTime   @db.Timestamptz(6) @default(dbgenerated("now()"))
///   n BigInt     @default(-3)
///   o String     @default(dbgenerated("gen_random_uuid()")) @db.Uuid
///   p Unsupported("circle")?
///   q Json       @db.Json
///   r String[]
///   s Decimal
///   t String     @db.Char
///   u DateTime   @db.Date @default("2020-01-01T00:00:00Z")
///   v Float      @db.Real
///   w Boolean[]  @default([true])
///   x DateTime[] @default(["2020-01-01T00:00:00Z"])
///   y Decimal    @db.Money
///   z Int        @db.SmallInt @default(3)
///   ss S[]
///   @@id([a, b])
///   @@index([b(sort: Desc), c])
///   @@index([f(ops: JsonbPathOps)], type: Gin)
///   @@index([k], type: Hash, map: "hash_idx")
///   @@unique([c, d], map: "custom_name")
///   @@index([l], type: Brin)
///   @@index([k(ops: raw("text_pattern_ops"))])
/// }
/// model S {
///   id  Int    @id @default(autoincrement()) @db.SmallInt
///   big BigInt @unique @default(autoincrement())
///   tb  Int
///   tt  T      @relation(fields: [tb, tt2], references: [a, b], onDelete: Cascade, onUpdate: NoAction)
///   tt2 String
/// }
/// ```
#[test]
fn every_type_and_default() {
    use TypeFamily::*;
    let role = name("role_t");
    let timestamp = string("2020-01-01 00:00:00 +00:00");
    let t = table(
        name("T"),
        vec![
            int("a"),
            with_default(text("b"), string("it's")),
            with_default(col("c", Float, "DOUBLE PRECISION"), number("1.5")),
            with_default(col("d", Boolean, "BOOLEAN"), DefaultValue::Boolean(true)),
            with_default(col("e", DateTime, "TIMESTAMP(3)"), DefaultValue::Now),
            with_default(col("f", Json, "JSONB"), string("{\"a\": \"it's\"}")),
            with_default(
                col("g", Bytes, "BYTEA"),
                DefaultValue::Bytes("68656c6c6f".to_owned()),
            ),
            with_default(enum_col("h", &role), enum_value("ADMIN")),
            with_default(
                list(enum_col("i", &role)),
                DefaultValue::List(vec![enum_value("USER"), enum_value("ADMIN")]),
            ),
            with_default(
                list(int("j")),
                DefaultValue::List(vec![number("1"), number("2")]),
            ),
            nullable(col("k", String, "VARCHAR(255)")),
            with_default(col("l", Decimal, "DECIMAL(10,2)"), number("1.25")),
            with_default(
                col("m", DateTime, "TIMESTAMPTZ(6)"),
                DefaultValue::Expression("now()".to_owned()),
            ),
            with_default(col("n", BigInt, "BIGINT"), number("-3")),
            with_default(
                col("o", String, "UUID"),
                DefaultValue::Expression("gen_random_uuid()".to_owned()),
            ),
            nullable(col("p", Unsupported, "circle")),
            col("q", Json, "JSON"),
            list(text("r")),
            col("s", Decimal, "DECIMAL(65,30)"),
            col("t", String, "CHAR"),
            with_default(col("u", DateTime, "DATE"), timestamp.clone()),
            col("v", Float, "REAL"),
            with_default(
                list(col("w", Boolean, "BOOLEAN")),
                DefaultValue::List(vec![DefaultValue::Boolean(true)]),
            ),
            with_default(
                list(col("x", DateTime, "TIMESTAMP(3)")),
                DefaultValue::List(vec![timestamp]),
            ),
            col("y", Decimal, "MONEY"),
            with_default(col("z", Int, "SMALLINT"), number("3")),
        ],
        &["a", "b"],
    );
    let s = table(
        name("S"),
        vec![
            auto_increment(col("id", Int, "SMALLINT")),
            auto_increment(col("big", BigInt, "BIGINT")),
            int("tb"),
            text("tt2"),
        ],
        &["id"],
    );
    let mut sorted = index("T_b_c_idx", IndexKind::Normal, &["b", "c"]);
    sorted.columns[0].sort = Some(SortOrder::Desc);
    let mut gin = index("T_f_idx", IndexKind::Normal, &["f"]);
    gin.algorithm = Some(IndexAlgorithm::Gin);
    gin.columns[0].operator_class = Some("jsonb_path_ops".to_owned());
    let mut hash = index("hash_idx", IndexKind::Normal, &["k"]);
    hash.algorithm = Some(IndexAlgorithm::Hash);
    let mut brin = index("T_l_idx", IndexKind::Normal, &["l"]);
    brin.algorithm = Some(IndexAlgorithm::Brin);
    let mut raw_ops = index("T_k_idx", IndexKind::Normal, &["k"]);
    raw_ops.columns[0].operator_class = Some("text_pattern_ops".to_owned());
    let indexes = [
        (name("T"), sorted),
        (name("T"), gin),
        (name("T"), hash),
        (name("T"), brin),
        (name("T"), raw_ops),
        (
            name("T"),
            index("custom_name", IndexKind::Unique, &["c", "d"]),
        ),
        (name("S"), index("S_big_key", IndexKind::Unique, &["big"])),
    ];
    let mut changes = vec![
        Change::CreateEnum {
            enum_type: enum_type(&role, &["USER", "ADMIN"]),
        },
        Change::CreateTable { table: t },
        Change::CreateTable { table: s },
    ];
    changes.extend(
        indexes
            .into_iter()
            .map(|(table, index)| Change::CreateIndex { table, index }),
    );
    changes.push(Change::AddForeignKey {
        table: name("S"),
        foreign_key: foreign_key(
            "S_tb_tt2_fkey",
            &["tb", "tt2"],
            name("T"),
            &["a", "b"],
            ReferentialAction::Cascade,
            ReferentialAction::NoAction,
        ),
    });
    insta::assert_snapshot!(script(&changes), @r#"
    -- CreateEnum
    CREATE TYPE "role_t" AS ENUM ('USER', 'ADMIN');

    -- CreateTable
    CREATE TABLE "T" (
        "a" INTEGER NOT NULL,
        "b" TEXT NOT NULL DEFAULT 'it''s',
        "c" DOUBLE PRECISION NOT NULL DEFAULT 1.5,
        "d" BOOLEAN NOT NULL DEFAULT true,
        "e" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "f" JSONB NOT NULL DEFAULT '{"a": "it''s"}',
        "g" BYTEA NOT NULL DEFAULT '\x68656c6c6f',
        "h" "role_t" NOT NULL DEFAULT 'ADMIN',
        "i" "role_t"[] DEFAULT ARRAY['USER', 'ADMIN']::"role_t"[],
        "j" INTEGER[] DEFAULT ARRAY[1, 2]::INTEGER[],
        "k" VARCHAR(255),
        "l" DECIMAL(10,2) NOT NULL DEFAULT 1.25,
        "m" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
        "n" BIGINT NOT NULL DEFAULT -3,
        "o" UUID NOT NULL DEFAULT gen_random_uuid(),
        "p" circle,
        "q" JSON NOT NULL,
        "r" TEXT[],
        "s" DECIMAL(65,30) NOT NULL,
        "t" CHAR NOT NULL,
        "u" DATE NOT NULL DEFAULT '2020-01-01 00:00:00 +00:00',
        "v" REAL NOT NULL,
        "w" BOOLEAN[] DEFAULT ARRAY[true]::BOOLEAN[],
        "x" TIMESTAMP(3)[] DEFAULT ARRAY['2020-01-01 00:00:00 +00:00']::TIMESTAMP(3)[],
        "y" MONEY NOT NULL,
        "z" SMALLINT NOT NULL DEFAULT 3,

        CONSTRAINT "T_pkey" PRIMARY KEY ("a","b")
    );

    -- CreateTable
    CREATE TABLE "S" (
        "id" SMALLSERIAL NOT NULL,
        "big" BIGSERIAL NOT NULL,
        "tb" INTEGER NOT NULL,
        "tt2" TEXT NOT NULL,

        CONSTRAINT "S_pkey" PRIMARY KEY ("id")
    );

    -- CreateIndex
    CREATE INDEX "T_b_c_idx" ON "T"("b" DESC, "c");

    -- CreateIndex
    CREATE INDEX "T_f_idx" ON "T" USING GIN ("f" jsonb_path_ops);

    -- CreateIndex
    CREATE INDEX "hash_idx" ON "T" USING HASH ("k");

    -- CreateIndex
    CREATE INDEX "T_l_idx" ON "T" USING BRIN ("l");

    -- CreateIndex
    CREATE INDEX "T_k_idx" ON "T"("k" text_pattern_ops);

    -- CreateIndex
    CREATE UNIQUE INDEX "custom_name" ON "T"("c", "d");

    -- CreateIndex
    CREATE UNIQUE INDEX "S_big_key" ON "S"("big");

    -- AddForeignKey
    ALTER TABLE "S" ADD CONSTRAINT "S_tb_tt2_fkey" FOREIGN KEY ("tb", "tt2") REFERENCES "T"("a", "b") ON DELETE CASCADE ON UPDATE NO ACTION;
    "#);
}

/// Operator class followed by a sort order, and an explicit ascending order:
/// `@@index([j(ops: JsonbPathOps, sort: Desc)], type: Gin)`, `@@index([s(sort: Asc)])`.
#[test]
fn operator_class_and_sort_order() {
    let mut gin = index("T_j_idx", IndexKind::Normal, &["j"]);
    gin.algorithm = Some(IndexAlgorithm::Gin);
    gin.columns[0].operator_class = Some("jsonb_path_ops".to_owned());
    gin.columns[0].sort = Some(SortOrder::Desc);
    let mut asc = index("T_s_idx", IndexKind::Normal, &["s"]);
    asc.columns[0].sort = Some(SortOrder::Asc);
    let changes = [
        Change::CreateIndex {
            table: name("T"),
            index: gin,
        },
        Change::CreateIndex {
            table: name("T"),
            index: asc,
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- CreateIndex
    CREATE INDEX "T_j_idx" ON "T" USING GIN ("j" jsonb_path_ops DESC);

    -- CreateIndex
    CREATE INDEX "T_s_idx" ON "T"("s" ASC);
    "#);
}

/// `multiSchema` with `schemas = ["base", "other"]`, from an empty database:
///
/// ```prisma
/// enum Role { USER ADMIN @@schema("other") }
/// model U {
///   id    Int    @id @default(autoincrement())
///   role  Role   @default(USER)
///   roles Role[]
///   posts P[]
///   @@schema("base")
/// }
/// model P {
///   id  String @id
///   uid Int?
///   u   U?     @relation(fields: [uid], references: [id])
///   @@index([uid])
///   @@schema("other")
/// }
/// ```
#[test]
fn namespaces_qualify_every_object() {
    let role = in_ns("other", "Role");
    let changes = [
        Change::CreateSchema {
            namespace: "base".to_owned(),
        },
        Change::CreateSchema {
            namespace: "other".to_owned(),
        },
        Change::CreateEnum {
            enum_type: enum_type(&role, &["USER", "ADMIN"]),
        },
        Change::CreateTable {
            table: table(
                in_ns("base", "U"),
                vec![
                    auto_increment(int("id")),
                    with_default(enum_col("role", &role), enum_value("USER")),
                    list(enum_col("roles", &role)),
                ],
                &["id"],
            ),
        },
        Change::CreateTable {
            table: table(
                in_ns("other", "P"),
                vec![text("id"), nullable(int("uid"))],
                &["id"],
            ),
        },
        Change::CreateIndex {
            table: in_ns("other", "P"),
            index: index("P_uid_idx", IndexKind::Normal, &["uid"]),
        },
        Change::AddForeignKey {
            table: in_ns("other", "P"),
            foreign_key: foreign_key(
                "P_uid_fkey",
                &["uid"],
                in_ns("base", "U"),
                &["id"],
                ReferentialAction::SetNull,
                ReferentialAction::Cascade,
            ),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- CreateSchema
    CREATE SCHEMA IF NOT EXISTS "base";

    -- CreateSchema
    CREATE SCHEMA IF NOT EXISTS "other";

    -- CreateEnum
    CREATE TYPE "other"."Role" AS ENUM ('USER', 'ADMIN');

    -- CreateTable
    CREATE TABLE "base"."U" (
        "id" SERIAL NOT NULL,
        "role" "other"."Role" NOT NULL DEFAULT 'USER',
        "roles" "other"."Role"[],

        CONSTRAINT "U_pkey" PRIMARY KEY ("id")
    );

    -- CreateTable
    CREATE TABLE "other"."P" (
        "id" TEXT NOT NULL,
        "uid" INTEGER,

        CONSTRAINT "P_pkey" PRIMARY KEY ("id")
    );

    -- CreateIndex
    CREATE INDEX "P_uid_idx" ON "other"."P"("uid");

    -- AddForeignKey
    ALTER TABLE "other"."P" ADD CONSTRAINT "P_uid_fkey" FOREIGN KEY ("uid") REFERENCES "base"."U"("id") ON DELETE SET NULL ON UPDATE CASCADE;
    "#);
}

/// `schemas = ["public", "auth"]` (ashcolor/openai-apps): objects of the default namespace come
/// unqualified (`SqlSchema::unqualify`) and are written so, as Prisma writes them; the others
/// keep their namespace.
///
/// ```prisma
/// model profiles { id String @id @db.Uuid  user users @relation(fields: [id], references: [id]) @@schema("public") }
/// model users { id String @id @db.Uuid  profile profiles? @@schema("auth") }
/// enum Kind { A @@schema("public") }
/// ```
#[test]
fn the_default_namespace_is_not_written() {
    let kind = name("Kind");
    let changes = [
        Change::CreateSchema {
            namespace: "auth".to_owned(),
        },
        Change::CreateSchema {
            namespace: "public".to_owned(),
        },
        Change::CreateEnum {
            enum_type: enum_type(&kind, &["A"]),
        },
        Change::CreateTable {
            table: table(
                name("profiles"),
                vec![text("id"), nullable(enum_col("kind", &kind))],
                &["id"],
            ),
        },
        Change::CreateTable {
            table: table(in_ns("auth", "users"), vec![text("id")], &["id"]),
        },
        Change::CreateIndex {
            table: name("profiles"),
            index: index("profiles_kind_idx", IndexKind::Normal, &["kind"]),
        },
        Change::AddForeignKey {
            table: name("profiles"),
            foreign_key: foreign_key(
                "profiles_id_fkey",
                &["id"],
                in_ns("auth", "users"),
                &["id"],
                ReferentialAction::Restrict,
                ReferentialAction::Cascade,
            ),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- CreateSchema
    CREATE SCHEMA IF NOT EXISTS "auth";

    -- CreateSchema
    CREATE SCHEMA IF NOT EXISTS "public";

    -- CreateEnum
    CREATE TYPE "Kind" AS ENUM ('A');

    -- CreateTable
    CREATE TABLE "profiles" (
        "id" TEXT NOT NULL,
        "kind" "Kind",

        CONSTRAINT "profiles_pkey" PRIMARY KEY ("id")
    );

    -- CreateTable
    CREATE TABLE "auth"."users" (
        "id" TEXT NOT NULL,

        CONSTRAINT "users_pkey" PRIMARY KEY ("id")
    );

    -- CreateIndex
    CREATE INDEX "profiles_kind_idx" ON "profiles"("kind");

    -- AddForeignKey
    ALTER TABLE "profiles" ADD CONSTRAINT "profiles_id_fkey" FOREIGN KEY ("id") REFERENCES "auth"."users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
    "#);
}

/// Drops and renames inside namespaces, and a sequence created in one. From
///
/// ```prisma
/// enum Role { USER @@schema("other") }
/// model U {
///   id    Int  @id @default(autoincrement())
///   role  Role @default(USER)
///   posts P[]
///   @@schema("base")
/// }
/// model P {
///   id  String @id
///   uid Int?
///   x   Int
///   u   U?     @relation(fields: [uid], references: [id])
///   @@index([uid], map: "p_uid")
///   @@index([x])
///   @@schema("other")
/// }
/// ```
///
/// to
///
/// ```prisma
/// enum Kind { A B @@schema("base") }
/// model P {
///   id  String @id
///   uid Int?
///   x   Int    @default(autoincrement())
///   k   Kind[]
///   @@index([uid], map: "p_uid2")
///   @@schema("other")
/// }
/// ```
#[test]
fn namespaced_drops_renames_and_sequences() {
    let role = in_ns("other", "Role");
    let kind = in_ns("base", "Kind");
    let p = in_ns("other", "P");
    let user = table(
        in_ns("base", "U"),
        vec![
            auto_increment(int("id")),
            with_default(enum_col("role", &role), enum_value("USER")),
        ],
        &["id"],
    );
    let changes = [
        Change::CreateEnum {
            enum_type: enum_type(&kind, &["A", "B"]),
        },
        Change::DropForeignKey {
            table: p.clone(),
            foreign_key: foreign_key(
                "P_uid_fkey",
                &["uid"],
                in_ns("base", "U"),
                &["id"],
                ReferentialAction::SetNull,
                ReferentialAction::Cascade,
            ),
        },
        Change::DropIndex {
            table: p.clone(),
            index: index("P_x_idx", IndexKind::Normal, &["x"]),
        },
        Change::AlterTable {
            table: p.clone(),
            changes: vec![
                TableChange::AddColumn {
                    column: list(enum_col("k", &kind)),
                },
                alter_column(int("x"), auto_increment(int("x"))),
            ],
        },
        Change::DropTable { table: user },
        Change::DropEnum {
            enum_type: enum_type(&role, &["USER"]),
        },
        Change::RenameIndex {
            table: p,
            from: "p_uid".to_owned(),
            to: "p_uid2".to_owned(),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- CreateEnum
    CREATE TYPE "base"."Kind" AS ENUM ('A', 'B');

    -- DropForeignKey
    ALTER TABLE "other"."P" DROP CONSTRAINT "P_uid_fkey";

    -- DropIndex
    DROP INDEX "other"."P_x_idx";

    -- AlterTable
    CREATE SEQUENCE "other"."P_x_seq";
    ALTER TABLE "other"."P" ADD COLUMN     "k" "base"."Kind"[],
    ALTER COLUMN "x" SET DEFAULT nextval('"other"."P_x_seq"');
    ALTER SEQUENCE "other"."P_x_seq" OWNED BY "other"."P"."x";

    -- DropTable
    DROP TABLE "base"."U";

    -- DropEnum
    DROP TYPE "other"."Role";

    -- RenameIndex
    ALTER INDEX "other"."p_uid" RENAME TO "p_uid2";
    "#);
}

/// Removing an enum value recreates the type; every kind of column change. From
///
/// ```prisma
/// enum Role { USER ADMIN GONE }
/// model User {
///   id    Int    @id @default(autoincrement())
///   email String @unique
///   name  String
///   age   Int?
///   role  Role   @default(USER)
///   roles Role[]
///   old   String?
///   big   Int
///   txt   String @db.VarChar(10)
///   js    Json
///   seq   Int
///   tags  String
///   posts Post[]
///   @@index([name], map: "old_idx")
/// }
/// model Post {
///   id       Int  @id
///   authorId Int
///   author   User @relation(fields: [authorId], references: [id], map: "old_fk")
/// }
/// model Gone { id Int @id }
/// ```
///
/// to
///
/// ```prisma
/// enum Role { USER ADMIN }
/// model User {
///   id    Int      @id @default(autoincrement())
///   email String
///   name  String?  @default("x")
///   age   Int      @default(0)
///   role  Role     @default(ADMIN)
///   roles Role[]
///   neu   String   @default("a")
///   neu2  Int?
///   big   BigInt
///   txt   String
///   js    String
///   seq   Int      @default(autoincrement())
///   tags  String[]
///   posts Post[]
///   @@index([name], map: "new_idx")
/// }
/// model Post {
///   id       Int  @id
///   authorId Int
///   author   User @relation(fields: [authorId], references: [id], map: "new_fk")
/// }
/// ```
#[test]
fn enum_recreation_and_column_changes() {
    let role = name("Role");
    let user = name("User");
    let changes = [
        Change::AlterEnum(AlterEnum {
            name: role.clone(),
            previous_values: strings(&["USER", "ADMIN", "GONE"]),
            next_values: strings(&["USER", "ADMIN"]),
            added: Vec::new(),
            removed: strings(&["GONE"]),
            columns: vec![
                EnumColumnUse {
                    table: user.clone(),
                    column: with_default(enum_col("role", &role), enum_value("ADMIN")),
                    previous_default: Some(enum_value("USER")),
                },
                EnumColumnUse {
                    table: user.clone(),
                    column: list(enum_col("roles", &role)),
                    previous_default: None,
                },
            ],
        }),
        Change::DropIndex {
            table: user.clone(),
            index: index("User_email_key", IndexKind::Unique, &["email"]),
        },
        Change::AlterTable {
            table: user.clone(),
            changes: vec![
                TableChange::DropColumn {
                    column: nullable(text("old")),
                },
                TableChange::AddColumn {
                    column: with_default(text("neu"), string("a")),
                },
                TableChange::AddColumn {
                    column: nullable(int("neu2")),
                },
                alter_column(
                    text("name"),
                    nullable(with_default(text("name"), string("x"))),
                ),
                alter_column(nullable(int("age")), with_default(int("age"), number("0"))),
                alter_column(
                    with_default(enum_col("role", &role), enum_value("USER")),
                    with_default(enum_col("role", &role), enum_value("ADMIN")),
                ),
                retype(
                    int("big"),
                    col("big", TypeFamily::BigInt, "BIGINT"),
                    TypeChange::SafeCast,
                ),
                retype(
                    col("txt", TypeFamily::String, "VARCHAR(10)"),
                    text("txt"),
                    TypeChange::SafeCast,
                ),
                retype(
                    col("js", TypeFamily::Json, "JSONB"),
                    text("js"),
                    TypeChange::SafeCast,
                ),
                alter_column(int("seq"), auto_increment(int("seq"))),
                TableChange::DropAndRecreateColumn {
                    from: text("tags"),
                    to: list(text("tags")),
                },
            ],
        },
        Change::DropTable {
            table: table(name("Gone"), vec![int("id")], &["id"]),
        },
        Change::RenameForeignKey {
            table: name("Post"),
            from: "old_fk".to_owned(),
            to: "new_fk".to_owned(),
        },
        Change::RenameIndex {
            table: user,
            from: "old_idx".to_owned(),
            to: "new_idx".to_owned(),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- AlterEnum
    BEGIN;
    CREATE TYPE "Role_new" AS ENUM ('USER', 'ADMIN');
    ALTER TABLE "User" ALTER COLUMN "role" DROP DEFAULT;
    ALTER TABLE "User" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");
    ALTER TABLE "User" ALTER COLUMN "roles" TYPE "Role_new"[] USING ("roles"::text::"Role_new"[]);
    ALTER TYPE "Role" RENAME TO "Role_old";
    ALTER TYPE "Role_new" RENAME TO "Role";
    DROP TYPE "Role_old";
    ALTER TABLE "User" ALTER COLUMN "role" SET DEFAULT 'ADMIN';
    COMMIT;

    -- DropIndex
    DROP INDEX "User_email_key";

    -- AlterTable
    CREATE SEQUENCE "User_seq_seq";
    ALTER TABLE "User" DROP COLUMN "old",
    ADD COLUMN     "neu" TEXT NOT NULL DEFAULT 'a',
    ADD COLUMN     "neu2" INTEGER,
    ALTER COLUMN "name" DROP NOT NULL,
    ALTER COLUMN "name" SET DEFAULT 'x',
    ALTER COLUMN "age" SET NOT NULL,
    ALTER COLUMN "age" SET DEFAULT 0,
    ALTER COLUMN "role" SET DEFAULT 'ADMIN',
    ALTER COLUMN "big" SET DATA TYPE BIGINT,
    ALTER COLUMN "txt" SET DATA TYPE TEXT,
    ALTER COLUMN "js" SET DATA TYPE TEXT,
    ALTER COLUMN "seq" SET DEFAULT nextval('"User_seq_seq"'),
    DROP COLUMN "tags",
    ADD COLUMN     "tags" TEXT[];
    ALTER SEQUENCE "User_seq_seq" OWNED BY "User"."seq";

    -- DropTable
    DROP TABLE "Gone";

    -- RenameForeignKey
    ALTER TABLE "Post" RENAME CONSTRAINT "old_fk" TO "new_fk";

    -- RenameIndex
    ALTER INDEX "old_idx" RENAME TO "new_idx";
    "#);
}

/// Recreating an enum in a namespace, with list defaults; list and decimal columns added.
/// From
///
/// ```prisma
/// enum Role { USER ADMIN GONE @@schema("other") }
/// model U {
///   id    Int    @id
///   role  Role   @default(GONE)
///   roles Role[] @default([USER])
///   @@schema("base")
/// }
/// ```
///
/// to
///
/// ```prisma
/// enum Role { USER ADMIN @@schema("other") }
/// model U {
///   id    Int      @id
///   role  Role     @default(USER)
///   roles Role[]   @default([USER])
///   tags  String[] @default(["a", "b"])
///   n     Decimal  @default(1.0)
///   @@unique([role])
///   @@schema("base")
/// }
/// ```
#[test]
fn namespaced_enum_recreation() {
    let role = in_ns("other", "Role");
    let u = in_ns("base", "U");
    let user_list = DefaultValue::List(vec![enum_value("USER")]);
    let changes = [
        Change::AlterEnum(AlterEnum {
            name: role.clone(),
            previous_values: strings(&["USER", "ADMIN", "GONE"]),
            next_values: strings(&["USER", "ADMIN"]),
            added: Vec::new(),
            removed: strings(&["GONE"]),
            columns: vec![
                EnumColumnUse {
                    table: u.clone(),
                    column: with_default(enum_col("role", &role), enum_value("USER")),
                    previous_default: Some(enum_value("GONE")),
                },
                EnumColumnUse {
                    table: u.clone(),
                    column: with_default(list(enum_col("roles", &role)), user_list.clone()),
                    previous_default: Some(user_list),
                },
            ],
        }),
        Change::AlterTable {
            table: u.clone(),
            changes: vec![
                TableChange::AddColumn {
                    column: with_default(
                        col("n", TypeFamily::Decimal, "DECIMAL(65,30)"),
                        number("1.0"),
                    ),
                },
                TableChange::AddColumn {
                    column: with_default(
                        list(text("tags")),
                        DefaultValue::List(vec![string("a"), string("b")]),
                    ),
                },
                alter_column(
                    with_default(enum_col("role", &role), enum_value("GONE")),
                    with_default(enum_col("role", &role), enum_value("USER")),
                ),
            ],
        },
        Change::CreateIndex {
            table: u,
            index: index("U_role_key", IndexKind::Unique, &["role"]),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- AlterEnum
    BEGIN;
    CREATE TYPE "other"."Role_new" AS ENUM ('USER', 'ADMIN');
    ALTER TABLE "base"."U" ALTER COLUMN "role" DROP DEFAULT;
    ALTER TABLE "base"."U" ALTER COLUMN "roles" DROP DEFAULT;
    ALTER TABLE "base"."U" ALTER COLUMN "role" TYPE "other"."Role_new" USING ("role"::text::"other"."Role_new");
    ALTER TABLE "base"."U" ALTER COLUMN "roles" TYPE "other"."Role_new"[] USING ("roles"::text::"other"."Role_new"[]);
    ALTER TYPE "other"."Role" RENAME TO "Role_old";
    ALTER TYPE "other"."Role_new" RENAME TO "Role";
    DROP TYPE "other"."Role_old";
    ALTER TABLE "base"."U" ALTER COLUMN "role" SET DEFAULT 'USER';
    ALTER TABLE "base"."U" ALTER COLUMN "roles" SET DEFAULT ARRAY['USER']::"other"."Role"[];
    COMMIT;

    -- AlterTable
    ALTER TABLE "base"."U" ADD COLUMN     "n" DECIMAL(65,30) NOT NULL DEFAULT 1.0,
    ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY['a', 'b']::TEXT[],
    ALTER COLUMN "role" SET DEFAULT 'USER';

    -- CreateIndex
    CREATE UNIQUE INDEX "U_role_key" ON "base"."U"("role");
    "#);
}

/// Casts, lists and columns recreated because no cast exists. From
///
/// ```prisma
/// enum E { A B }
/// model T {
///   id Int      @id
///   a  String[]
///   b  Int?
///   c  E
///   d  String   @db.VarChar(20)
///   e  DateTime @db.Timestamp(3)
///   f  Decimal  @db.Decimal(10, 2)
///   g  Json
///   h  String
///   j  DateTime @db.Time(3)
///   k  String   @db.Char(5)
///   l  Int[]
///   m  E[]
/// }
/// ```
///
/// to
///
/// ```prisma
/// model T {
///   id Int      @id
///   a  String?
///   b  Int[]
///   c  String
///   d  String   @db.VarChar(10)
///   e  DateTime @db.Timestamptz(6)
///   f  Decimal  @db.Decimal(12, 2)
///   g  String
///   h  Json
///   j  DateTime @db.Time(6)
///   k  String   @db.Char(10)
///   l  Int
///   m  E
///   n  Int
/// }
/// ```
#[test]
fn casts_lists_and_recreated_columns() {
    use TypeFamily::*;
    let e = name("E");
    let recreate = |from: Column, to: Column| TableChange::DropAndRecreateColumn { from, to };
    let changes = [Change::AlterTable {
        table: name("T"),
        changes: vec![
            TableChange::AddColumn { column: int("n") },
            retype(list(text("a")), nullable(text("a")), TypeChange::SafeCast),
            recreate(nullable(int("b")), list(int("b"))),
            recreate(enum_col("c", &e), text("c")),
            retype(
                col("d", String, "VARCHAR(20)"),
                col("d", String, "VARCHAR(10)"),
                TypeChange::RiskyCast,
            ),
            retype(
                col("e", DateTime, "TIMESTAMP(3)"),
                col("e", DateTime, "TIMESTAMPTZ(6)"),
                TypeChange::SafeCast,
            ),
            retype(
                col("f", Decimal, "DECIMAL(10,2)"),
                col("f", Decimal, "DECIMAL(12,2)"),
                TypeChange::SafeCast,
            ),
            retype(col("g", Json, "JSONB"), text("g"), TypeChange::SafeCast),
            recreate(text("h"), col("h", Json, "JSONB")),
            recreate(col("j", DateTime, "TIME(3)"), col("j", DateTime, "TIME(6)")),
            retype(
                col("k", String, "CHAR(5)"),
                col("k", String, "CHAR(10)"),
                TypeChange::SafeCast,
            ),
            recreate(list(int("l")), int("l")),
            alter_column(list(enum_col("m", &e)), enum_col("m", &e)),
        ],
    }];
    insta::assert_snapshot!(script(&changes), @r#"
    -- AlterTable
    ALTER TABLE "T" ADD COLUMN     "n" INTEGER NOT NULL,
    ALTER COLUMN "a" DROP NOT NULL,
    ALTER COLUMN "a" SET DATA TYPE TEXT,
    DROP COLUMN "b",
    ADD COLUMN     "b" INTEGER[],
    DROP COLUMN "c",
    ADD COLUMN     "c" TEXT NOT NULL,
    ALTER COLUMN "d" SET DATA TYPE VARCHAR(10),
    ALTER COLUMN "e" SET DATA TYPE TIMESTAMPTZ(6),
    ALTER COLUMN "f" SET DATA TYPE DECIMAL(12,2),
    ALTER COLUMN "g" SET DATA TYPE TEXT,
    DROP COLUMN "h",
    ADD COLUMN     "h" JSONB NOT NULL,
    DROP COLUMN "j",
    ADD COLUMN     "j" TIME(6) NOT NULL,
    ALTER COLUMN "k" SET DATA TYPE CHAR(10),
    DROP COLUMN "l",
    ADD COLUMN     "l" INTEGER NOT NULL,
    ALTER COLUMN "m" SET NOT NULL,
    ALTER COLUMN "m" SET DATA TYPE "E";
    "#);
}

/// Two added values get Prisma's fixed comment; renaming a primary key; adding one. From
///
/// ```prisma
/// enum E { A }
/// model User { id Int @id  x Int }
/// model K { a Int @unique }
/// ```
///
/// to
///
/// ```prisma
/// enum E { A B C }
/// model User { id Int @id(map: "pk2")  x Int }
/// model K { a Int @id }
/// ```
#[test]
fn enum_values_added_and_primary_keys() {
    let changes = [
        Change::AlterEnum(AlterEnum {
            name: name("E"),
            previous_values: strings(&["A"]),
            next_values: strings(&["A", "B", "C"]),
            added: strings(&["B", "C"]),
            removed: Vec::new(),
            columns: Vec::new(),
        }),
        Change::AlterTable {
            table: name("User"),
            changes: vec![TableChange::RenamePrimaryKey {
                from: "User_pkey".to_owned(),
                to: "pk2".to_owned(),
            }],
        },
        Change::AlterTable {
            table: name("K"),
            changes: vec![TableChange::AddPrimaryKey {
                primary_key: pk("K_pkey", &["a"]),
            }],
        },
        Change::DropIndex {
            table: name("K"),
            index: index("K_a_key", IndexKind::Unique, &["a"]),
        },
    ];
    // Prisma writes the `DropIndex` last here: it drops a unique index on a table without a
    // primary key after the `AlterTable` that adds one on the same columns.
    assert_eq!(
        script(&changes),
        "-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE \"E\" ADD VALUE 'B';
ALTER TYPE \"E\" ADD VALUE 'C';

-- AlterTable
ALTER TABLE \"User\" RENAME CONSTRAINT \"User_pkey\" TO \"pk2\";

-- AlterTable
ALTER TABLE \"K\" ADD CONSTRAINT \"K_pkey\" PRIMARY KEY (\"a\");

-- DropIndex
DROP INDEX \"K_a_key\";
"
    );
}

/// A single added value has no comment: `enum E { A @map("it's") B }` to `... C }`, and a
/// primary key type change: `id Int @id @default(autoincrement())` to `id BigInt @id
/// @default(autoincrement())`.
///
/// Prisma writes `SET DATA TYPE BIGSERIAL` here, which PostgreSQL rejects (`type "bigserial" does
/// not exist`); drydock writes the column's plain type instead, and widens the column's sequence
/// with it (an `INTEGER` sequence would stop at 2^31 - 1).
#[test]
fn one_enum_value_and_serial_type_change() {
    let changes = [
        Change::AlterEnum(AlterEnum {
            name: name("E"),
            previous_values: strings(&["it's", "B"]),
            next_values: strings(&["it's", "B", "C"]),
            added: strings(&["C"]),
            removed: Vec::new(),
            columns: Vec::new(),
        }),
        Change::AlterTable {
            table: name("T"),
            changes: vec![
                TableChange::DropPrimaryKey {
                    name: Some("T_pkey".to_owned()),
                },
                retype(
                    auto_increment(int("id")),
                    auto_increment(col("id", TypeFamily::BigInt, "BIGINT")),
                    TypeChange::SafeCast,
                ),
                TableChange::AddPrimaryKey {
                    primary_key: pk("T_pkey", &["id"]),
                },
            ],
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- AlterEnum
    ALTER TYPE "E" ADD VALUE 'C';

    -- AlterTable
    ALTER TABLE "T" DROP CONSTRAINT "T_pkey",
    ALTER COLUMN "id" SET DATA TYPE BIGINT,
    ADD CONSTRAINT "T_pkey" PRIMARY KEY ("id");
    ALTER SEQUENCE "T_id_seq" AS BIGINT;
    "#);
}

/// A primary key renamed together with other clauses is renamed by a statement of its own,
/// between the `ALTER TABLE` and the sequence ownership. From
///
/// ```prisma
/// model User { id Int @id  a String  b Int  s Int }
/// ```
///
/// to
///
/// ```prisma
/// model User {
///   id Int      @id(map: "pk2")
///   a  String[]
///   b  BigInt
///   s  Int      @default(autoincrement())
/// }
/// ```
#[test]
fn primary_key_rename_with_other_clauses() {
    let changes = [Change::AlterTable {
        table: name("User"),
        changes: vec![
            TableChange::RenamePrimaryKey {
                from: "User_pkey".to_owned(),
                to: "pk2".to_owned(),
            },
            TableChange::DropAndRecreateColumn {
                from: text("a"),
                to: list(text("a")),
            },
            retype(
                int("b"),
                col("b", TypeFamily::BigInt, "BIGINT"),
                TypeChange::SafeCast,
            ),
            alter_column(int("s"), auto_increment(int("s"))),
        ],
    }];
    insta::assert_snapshot!(script(&changes), @r#"
    -- AlterTable
    CREATE SEQUENCE "User_s_seq";
    ALTER TABLE "User" DROP COLUMN "a",
    ADD COLUMN     "a" TEXT[],
    ALTER COLUMN "b" SET DATA TYPE BIGINT,
    ALTER COLUMN "s" SET DEFAULT nextval('"User_s_seq"');
    ALTER TABLE "User" RENAME CONSTRAINT "User_pkey" TO "pk2";
    ALTER SEQUENCE "User_s_seq" OWNED BY "User"."s";
    "#);
}

/// Removing `@default(autoincrement())`. Prisma diffing two schema files writes only
/// `DROP DEFAULT`; diffing against a database (the `migrate dev` case) it also drops the
/// sequence PostgreSQL created for the `SERIAL` column, as drydock always does. Replacing the
/// sequence by another default sets that default (Prisma writes `SET DEFAULT 4` followed by
/// `DROP DEFAULT`, losing it).
#[test]
fn autoincrement_removed() {
    let changes = [Change::AlterTable {
        table: name("User"),
        changes: vec![
            alter_column(auto_increment(int("seq")), int("seq")),
            alter_column(
                auto_increment(int("seq2")),
                with_default(int("seq2"), number("4")),
            ),
            TableChange::DropAndRecreateColumn {
                from: text("tags"),
                to: list(text("tags")),
            },
            retype(int("a"), text("a"), TypeChange::SafeCast),
        ],
    }];
    insta::assert_snapshot!(script(&changes), @r#"
    -- AlterTable
    ALTER TABLE "User" ALTER COLUMN "seq" DROP DEFAULT,
    ALTER COLUMN "seq2" SET DEFAULT 4,
    DROP COLUMN "tags",
    ADD COLUMN     "tags" TEXT[],
    ALTER COLUMN "a" SET DATA TYPE TEXT;
    DROP SEQUENCE "User_seq_seq";
    DROP SEQUENCE "User_seq2_seq";
    "#);
}

/// A primary key moved to other columns, with dropped columns. From
///
/// ```prisma
/// model User {
///   id   Int    @id @default(autoincrement())
///   seq  Int    @default(autoincrement())
///   seq2 Int    @default(autoincrement())
///   tags String
///   a    Int
///   b    String
/// }
/// ```
///
/// to
///
/// ```prisma
/// model User {
///   id   Int
///   seq  Int    @default(autoincrement())
///   tags String
///   b    String @default("q")
///   @@id([seq, id], map: "pk2")
/// }
/// ```
///
/// Prisma also writes a `RENAME CONSTRAINT "User_pkey" TO "pk2"` after dropping `User_pkey`,
/// which fails; the differ does not ask for a rename when the key is dropped and added.
#[test]
fn primary_key_moved() {
    let changes = [Change::AlterTable {
        table: name("User"),
        changes: vec![
            TableChange::DropPrimaryKey {
                name: Some("User_pkey".to_owned()),
            },
            TableChange::DropColumn { column: int("a") },
            TableChange::DropColumn {
                column: auto_increment(int("seq2")),
            },
            TableChange::AlterColumn(ColumnChange {
                from: auto_increment(int("id")),
                to: int("id"),
                arity_changed: false,
                default_changed: false,
                auto_increment_changed: true,
                identity_changed: false,
                collation_changed: false,
                on_update_changed: false,
                inheritors_made_nullable: None,
                detached_partitions: Vec::new(),
                type_change: None,
            }),
            alter_column(text("b"), with_default(text("b"), string("q"))),
            TableChange::AddPrimaryKey {
                primary_key: pk("pk2", &["seq", "id"]),
            },
        ],
    }];
    insta::assert_snapshot!(script(&changes), @r#"
    -- AlterTable
    ALTER TABLE "User" DROP CONSTRAINT "User_pkey",
    DROP COLUMN "a",
    DROP COLUMN "seq2",
    ALTER COLUMN "id" DROP DEFAULT,
    ALTER COLUMN "b" SET DEFAULT 'q',
    ADD CONSTRAINT "pk2" PRIMARY KEY ("seq", "id");
    DROP SEQUENCE "User_id_seq";
    "#);
}

/// Index changes PostgreSQL never needs (it renames indexes) still render as a drop and a
/// create, and rebuilt tables the way Prisma rebuilds them on CockroachDB.
#[test]
fn redefinitions() {
    let previous = table(name("T"), vec![int("id"), int("a")], &["id"]);
    let mut next = table(
        name("T"),
        vec![int("id"), col("a", TypeFamily::BigInt, "BIGINT")],
        &["id"],
    );
    next.indexes
        .push(index("T_a_idx", IndexKind::Normal, &["a"]));
    let changes = [
        Change::RedefineTables {
            tables: vec![drydock_diff::RedefineTable {
                previous,
                next,
                copied_columns: vec![
                    drydock_diff::CopiedColumn {
                        name: "a".to_owned(),
                        from: None,
                        coalesce_default: None,
                    },
                    drydock_diff::CopiedColumn {
                        name: "id".to_owned(),
                        from: None,
                        coalesce_default: None,
                    },
                ],
                triggers: Vec::new(),
                named_by_hand_made: false,
                renamed_from: None,
            }],
        },
        Change::RedefineIndex {
            table: name("T"),
            from: index("old", IndexKind::Normal, &["a"]),
            to: index("new", IndexKind::Unique, &["a"]),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- RedefineTables
    CREATE TABLE "_prisma_new_T" (
        "id" INTEGER NOT NULL,
        "a" BIGINT NOT NULL,

        CONSTRAINT "T_pkey" PRIMARY KEY ("id")
    );
    INSERT INTO "_prisma_new_T" ("a","id") SELECT "a","id" FROM "T";
    DROP TABLE "T" CASCADE;
    ALTER TABLE "_prisma_new_T" RENAME TO "T";
    CREATE INDEX "T_a_idx" ON "T"("a");

    -- RedefineIndex
    DROP INDEX "old";
    CREATE UNIQUE INDEX "new" ON "T"("a");
    "#);
}

/// Which scripts must run outside a transaction; words in comments, literals, quoted identifiers
/// and bodies do not count.
#[test]
fn transactions() {
    assert_transactions(
        &PostgresDialect,
        &[
            "CREATE INDEX CONCURRENTLY \"a\" ON \"T\"(\"x\");",
            "create unique index concurrently a on t(x);",
            "DROP INDEX CONCURRENTLY \"a\";",
            "REINDEX (VERBOSE) INDEX CONCURRENTLY a;",
            "REINDEX DATABASE app;",
            "SELECT type'x\\'; VACUUM;",
            "BEGIN;\nCREATE TYPE \"E_new\" AS ENUM ('A');\nCOMMIT;",
            "START TRANSACTION; SELECT 1; COMMIT;",
            "VACUUM ANALYZE \"T\";",
            "CREATE DATABASE x;",
            "ALTER SYSTEM SET work_mem = '64MB';",
            "CREATE INDEX CONCURRENTLY \"a\" ON \"T\"(\"b\");",
        ],
        &[
            "-- CREATE INDEX CONCURRENTLY\nCREATE INDEX \"a\" ON \"T\"(\"x\");",
            "/* BEGIN; /* nested */ VACUUM; */ SELECT 1;",
            "INSERT INTO \"T\" VALUES ('BEGIN; VACUUM');",
            "INSERT INTO \"T\" VALUES (E'it\\'s; VACUUM');",
            "CREATE TABLE \"VACUUM\" (\"BEGIN\" TEXT);",
            "DO $$ BEGIN RAISE NOTICE 'x'; END $$;",
            "CREATE FUNCTION f() RETURNS void AS $body$ BEGIN VACUUM; END; $body$ LANGUAGE plpgsql;",
            "CREATE FUNCTION f() RETURNS int LANGUAGE SQL BEGIN ATOMIC SELECT 1; END;",
            "ALTER TYPE \"E\" ADD VALUE 'B';\nUPDATE \"T\" SET \"e\" = 'B';",
            "CREATE INDEX \"concurrently\" ON \"T\"(\"x\");",
            "CREATE TABLE t (concurrently INT, index INT);",
            "SAVEPOINT a; ROLLBACK TO SAVEPOINT a; RELEASE SAVEPOINT a;",
            "-- CREATE INDEX CONCURRENTLY\nSELECT 'VACUUM';",
        ],
    );
}

#[test]
fn escape_strings_take_backslashes() {
    assert_eq!(
        statement_texts(&PostgresDialect, "SELECT E'\\';', e'\\\\'; SELECT 1;"),
        ["SELECT E'\\';', e'\\\\';", " SELECT 1;"]
    );
    // Without `E`, a backslash is an ordinary character.
    assert_eq!(
        statement_texts(&PostgresDialect, "SELECT '\\'; SELECT 1;"),
        ["SELECT '\\';", " SELECT 1;"]
    );
}

#[test]
fn block_comments_nest() {
    assert_eq!(
        statement_texts(
            &PostgresDialect,
            "SELECT 1; /* a; /* nested; */ still; */ SELECT 2;"
        ),
        ["SELECT 1;", " /* a; /* nested; */ still; */ SELECT 2;"]
    );
}

#[test]
fn bodies_are_one_statement() {
    let dollar = "DO $$ BEGIN RAISE NOTICE 'x'; END $$;";
    let tagged = "CREATE FUNCTION f() RETURNS void AS $body$ BEGIN PERFORM 1; \
                  PERFORM $$;$$; END; $body$ LANGUAGE plpgsql;";
    let atomic = "CREATE FUNCTION g(x int) RETURNS int LANGUAGE SQL BEGIN ATOMIC \
                  SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END; SELECT x; END;";
    let script = format!("{dollar}\n{tagged}\n{atomic}\nSELECT g(1);");
    assert_eq!(
        statement_texts(&PostgresDialect, &script),
        [
            dollar.to_owned(),
            format!("\n{tagged}"),
            format!("\n{atomic}"),
            "\nSELECT g(1);".to_owned()
        ]
    );
}

/// `enum E { A @map("it's") B }`: Prisma writes `('it's', 'B')`, which PostgreSQL rejects;
/// drydock doubles the quote as in every other literal.
#[test]
fn enum_values_are_escaped() {
    let change = Change::CreateEnum {
        enum_type: enum_type(&name("E"), &["it's", "B"]),
    };
    assert_eq!(
        PostgresDialect.render_change(&change),
        "CREATE TYPE \"E\" AS ENUM ('it''s', 'B');"
    );
}

/// Renames (drydock's own; Prisma drops and recreates): the table first, then each column in a
/// statement of its own before the `ALTER TABLE` clauses, which use the new names. The sequences
/// of auto-increment columns follow the table's and the column's new names.
#[test]
fn renamed_tables_and_columns() {
    let member = name("Member");
    let changes = [
        Change::RenameTable {
            from: in_ns("app", "User"),
            to: in_ns("app", "Member"),
            auto_increment_columns: vec!["id".to_owned(), "number".to_owned()],
        },
        Change::AlterTable {
            table: member.clone(),
            changes: vec![
                TableChange::RenameColumn {
                    from: "name".to_owned(),
                    to: "fullName".to_owned(),
                    auto_increment: false,
                },
                TableChange::RenameColumn {
                    from: "number".to_owned(),
                    to: "memberNumber".to_owned(),
                    auto_increment: true,
                },
                TableChange::RenamePrimaryKey {
                    from: "User_pkey".to_owned(),
                    to: "Member_pkey".to_owned(),
                },
                alter_column(text("fullName"), nullable(text("fullName"))),
            ],
        },
        Change::RenameIndex {
            table: member,
            from: "User_email_key".to_owned(),
            to: "Member_email_key".to_owned(),
        },
    ];
    assert_eq!(
        script(&changes),
        r#"-- RenameTable
ALTER TABLE "app"."User" RENAME TO "Member";
ALTER SEQUENCE IF EXISTS "app"."User_id_seq" RENAME TO "Member_id_seq";
ALTER SEQUENCE IF EXISTS "app"."User_number_seq" RENAME TO "Member_number_seq";

-- AlterTable
ALTER TABLE "Member" RENAME COLUMN "name" TO "fullName";
ALTER TABLE "Member" RENAME COLUMN "number" TO "memberNumber";
ALTER SEQUENCE IF EXISTS "Member_number_seq" RENAME TO "Member_memberNumber_seq";
ALTER TABLE "Member" ALTER COLUMN "fullName" DROP NOT NULL;
ALTER TABLE "Member" RENAME CONSTRAINT "User_pkey" TO "Member_pkey";

-- RenameIndex
ALTER INDEX "User_email_key" RENAME TO "Member_email_key";
"#
    );
}
