//! SQLite rendering of every kind of change, checked against what Prisma Migrate prints.
//!
//! Each test builds the changes the differ produces for a schema change by hand and compares the
//! assembled script with the output of `prisma migrate diff --script` for the equivalent
//! schemas (pasted into the snapshot; the Prisma schemas are quoted above each test).

use drydock_connector::{Dialect, render_script};
use drydock_diff::{Change, CopiedColumn, RedefineTable, TableChange};
use drydock_schema::{
    Column, DefaultValue, IndexColumn, IndexKind, PrimaryKey, ReferentialAction, SortOrder, Table,
    TypeFamily,
};
use drydock_sqlite::SqliteDialect;
use drydock_test_support::dialect::{assert_transactions, statement_texts};
use drydock_test_support::schema::{
    auto_increment, col, foreign_key, index, int, name, nullable, number, string, text,
    with_default,
};

fn script(changes: &[Change]) -> String {
    render_script(&SqliteDialect, changes, &[])
}

fn table(table_name: &str, columns: Vec<Column>, primary_key: &[&str]) -> Table {
    let mut table = Table::new(None, table_name);
    table.columns = columns;
    if !primary_key.is_empty() {
        table.primary_key = Some(PrimaryKey {
            name: None,
            columns: primary_key.iter().map(|c| IndexColumn::named(*c)).collect(),
        });
    }
    table
}

fn copied(names: &[&str]) -> Vec<CopiedColumn> {
    names
        .iter()
        .map(|n| CopiedColumn {
            name: (*n).to_owned(),
            from: None,
            coalesce_default: None,
        })
        .collect()
}

/// Every scalar type and kind of default, inline and composite primary keys, inline foreign
/// keys, from an empty database:
///
/// ```prisma
/// enum Role { USER ADMIN }
/// model T {
///   a  Int
///   b  String   @default("it's")
///   c  Float    @default(1.5)
///   d  Boolean  @default(true)
///   e  DateTime @default(now())
///   f  Json     @default("{\"a\": \"it's\"}")
///   g  Bytes    @default("aGVsbG8=")
///   h  Role     @default(ADMIN)
///   l  Decimal  @default(1.25)
///   m  DateTime @default(dbgenerated("CURRENT_DATE"))
///   n  BigInt   @default(-3)
///   p  Unsupported("circle")?
///   u  DateTime @default("2020-01-01T00:00:00Z")
///   ss S[]
///   @@id([a, b])
///   @@index([b(sort: Desc), c])
///   @@unique([c, d], map: "custom_name")
/// }
/// model S {
///   id  Int    @id @default(auto_increment())
///   big BigInt @unique
///   tb  Int
///   tt  T      @relation(fields: [tb, tt2], references: [a, b], onDelete: Cascade, onUpdate: NoAction)
///   tt2 String
///   o   O[]
/// }
/// model O {
///   id  BigInt @id
///   s   S?     @relation(fields: [sid], references: [id])
///   sid Int?
/// }
/// model Q { id Int @id }
/// model R { id String @id @default(cuid()) }
/// model M { a Int  b Int  @@id([a, b]) }
/// ```
///
/// Prisma writes JSON defaults without quotes on SQLite (`DEFAULT {"a": "it's"}`, which SQLite
/// rejects; `DEFAULT []` works); drydock writes the same.
#[test]
fn every_type_and_default() {
    use TypeFamily::*;
    let mut t = table(
        "T",
        vec![
            int("a"),
            with_default(text("b"), string("it's")),
            with_default(col("c", Float, "REAL"), number("1.5")),
            with_default(col("d", Boolean, "BOOLEAN"), DefaultValue::Boolean(true)),
            with_default(col("e", DateTime, "DATETIME"), DefaultValue::Now),
            with_default(col("f", Json, "JSONB"), string("{\"a\": \"it's\"}")),
            with_default(
                col("g", Bytes, "BLOB"),
                DefaultValue::Bytes("68656c6c6f".to_owned()),
            ),
            with_default(text("h"), DefaultValue::EnumValue("ADMIN".to_owned())),
            with_default(col("l", Decimal, "DECIMAL"), number("1.25")),
            with_default(
                col("m", DateTime, "DATETIME"),
                DefaultValue::Expression("CURRENT_DATE".to_owned()),
            ),
            with_default(col("n", BigInt, "BIGINT"), number("-3")),
            nullable(col("p", Unsupported, "circle")),
            with_default(
                col("u", DateTime, "DATETIME"),
                string("2020-01-01 00:00:00 +00:00"),
            ),
        ],
        &["a", "b"],
    );
    let mut sorted = index("T_b_c_idx", IndexKind::Normal, &["b", "c"]);
    sorted.columns[0].sort = Some(SortOrder::Desc);
    t.indexes = vec![
        sorted.clone(),
        index("custom_name", IndexKind::Unique, &["c", "d"]),
    ];
    let mut s = table(
        "S",
        vec![
            auto_increment(int("id")),
            col("big", BigInt, "BIGINT"),
            int("tb"),
            text("tt2"),
        ],
        &["id"],
    );
    s.foreign_keys = vec![foreign_key(
        "S_tb_tt2_fkey",
        &["tb", "tt2"],
        name("T"),
        &["a", "b"],
        ReferentialAction::Cascade,
        ReferentialAction::NoAction,
    )];
    let mut o = table(
        "O",
        vec![col("id", BigInt, "BIGINT"), nullable(int("sid"))],
        &["id"],
    );
    o.foreign_keys = vec![foreign_key(
        "O_sid_fkey",
        &["sid"],
        name("S"),
        &["id"],
        ReferentialAction::SetNull,
        ReferentialAction::Cascade,
    )];
    let changes = [
        Change::CreateTable { table: t },
        Change::CreateTable { table: s },
        Change::CreateTable { table: o },
        Change::CreateTable {
            // Lowering marks a single-column `Int` key auto-incrementing (Prisma's rule).
            table: table("Q", vec![auto_increment(int("id"))], &["id"]),
        },
        Change::CreateTable {
            table: table("R", vec![text("id")], &["id"]),
        },
        Change::CreateTable {
            table: table("M", vec![int("a"), int("b")], &["a", "b"]),
        },
        Change::CreateIndex {
            table: name("T"),
            index: sorted,
        },
        Change::CreateIndex {
            table: name("T"),
            index: index("custom_name", IndexKind::Unique, &["c", "d"]),
        },
        Change::CreateIndex {
            table: name("S"),
            index: index("S_big_key", IndexKind::Unique, &["big"]),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- CreateTable
    CREATE TABLE "T" (
        "a" INTEGER NOT NULL,
        "b" TEXT NOT NULL DEFAULT 'it''s',
        "c" REAL NOT NULL DEFAULT 1.5,
        "d" BOOLEAN NOT NULL DEFAULT true,
        "e" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "f" JSONB NOT NULL DEFAULT {"a": "it's"},
        "g" BLOB NOT NULL DEFAULT '68656c6c6f',
        "h" TEXT NOT NULL DEFAULT 'ADMIN',
        "l" DECIMAL NOT NULL DEFAULT 1.25,
        "m" DATETIME NOT NULL DEFAULT CURRENT_DATE,
        "n" BIGINT NOT NULL DEFAULT -3,
        "p" circle,
        "u" DATETIME NOT NULL DEFAULT '2020-01-01 00:00:00 +00:00',

        PRIMARY KEY ("a", "b")
    );

    -- CreateTable
    CREATE TABLE "S" (
        "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "big" BIGINT NOT NULL,
        "tb" INTEGER NOT NULL,
        "tt2" TEXT NOT NULL,
        CONSTRAINT "S_tb_tt2_fkey" FOREIGN KEY ("tb", "tt2") REFERENCES "T" ("a", "b") ON DELETE CASCADE ON UPDATE NO ACTION
    );

    -- CreateTable
    CREATE TABLE "O" (
        "id" BIGINT NOT NULL PRIMARY KEY,
        "sid" INTEGER,
        CONSTRAINT "O_sid_fkey" FOREIGN KEY ("sid") REFERENCES "S" ("id") ON DELETE SET NULL ON UPDATE CASCADE
    );

    -- CreateTable
    CREATE TABLE "Q" (
        "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT
    );

    -- CreateTable
    CREATE TABLE "R" (
        "id" TEXT NOT NULL PRIMARY KEY
    );

    -- CreateTable
    CREATE TABLE "M" (
        "a" INTEGER NOT NULL,
        "b" INTEGER NOT NULL,

        PRIMARY KEY ("a", "b")
    );

    -- CreateIndex
    CREATE INDEX "T_b_c_idx" ON "T"("b" DESC, "c");

    -- CreateIndex
    CREATE UNIQUE INDEX "custom_name" ON "T"("c", "d");

    -- CreateIndex
    CREATE UNIQUE INDEX "S_big_key" ON "S"("big");
    "#);
}

/// Dropped tables, and tables rebuilt for a dropped column, a column made required with a
/// default (copied through `coalesce`), a renamed index, a changed foreign key and new columns.
/// From
///
/// ```prisma
/// model User {
///   id    Int     @id @default(auto_increment())
///   email String  @unique
///   name  String?
///   old   Int
///   posts Post[]
///   @@index([name], map: "old_idx")
/// }
/// model Post {
///   id       String @id
///   title    String
///   authorId Int
///   author   User   @relation(fields: [authorId], references: [id])
///   @@index([authorId])
/// }
/// model Gone { id Int @id }
/// model Gone2 { id Int @id }
/// ```
///
/// to
///
/// ```prisma
/// model User {
///   id    Int    @id @default(auto_increment())
///   email String @unique
///   name  String @default("it's")
///   posts Post[]
///   @@index([name], map: "new_idx")
/// }
/// model Post {
///   id       String  @id
///   title    String
///   authorId Int
///   author   User    @relation(fields: [authorId], references: [id], onDelete: Cascade)
///   extra    String?
///   extra2   Int?    @default(3)
///   @@index([authorId])
///   @@index([title])
/// }
/// ```
#[test]
fn drop_tables_and_redefine_tables() {
    let previous_user = {
        let mut user = table(
            "User",
            vec![
                auto_increment(int("id")),
                text("email"),
                nullable(text("name")),
                int("old"),
            ],
            &["id"],
        );
        user.indexes = vec![
            index("User_email_key", IndexKind::Unique, &["email"]),
            index("old_idx", IndexKind::Normal, &["name"]),
        ];
        user
    };
    let next_user = {
        let mut user = table(
            "User",
            vec![
                auto_increment(int("id")),
                text("email"),
                with_default(text("name"), string("it's")),
            ],
            &["id"],
        );
        user.indexes = vec![
            index("User_email_key", IndexKind::Unique, &["email"]),
            index("new_idx", IndexKind::Normal, &["name"]),
        ];
        user
    };
    let post_columns = vec![text("id"), text("title"), int("authorId")];
    let previous_post = {
        let mut post = table("Post", post_columns.clone(), &["id"]);
        post.indexes = vec![index("Post_authorId_idx", IndexKind::Normal, &["authorId"])];
        post.foreign_keys = vec![foreign_key(
            "Post_authorId_fkey",
            &["authorId"],
            name("User"),
            &["id"],
            ReferentialAction::Restrict,
            ReferentialAction::Cascade,
        )];
        post
    };
    let next_post = {
        let mut columns = post_columns;
        columns.push(nullable(text("extra")));
        columns.push(nullable(with_default(int("extra2"), number("3"))));
        let mut post = table("Post", columns, &["id"]);
        post.indexes = vec![
            index("Post_authorId_idx", IndexKind::Normal, &["authorId"]),
            index("Post_title_idx", IndexKind::Normal, &["title"]),
        ];
        post.foreign_keys = vec![foreign_key(
            "Post_authorId_fkey",
            &["authorId"],
            name("User"),
            &["id"],
            ReferentialAction::Cascade,
            ReferentialAction::Cascade,
        )];
        post
    };
    let mut user_columns = copied(&["email", "id", "name"]);
    user_columns[2].coalesce_default = Some(string("it's"));
    let changes = [
        Change::DropTable {
            table: table("Gone", vec![int("id")], &["id"]),
        },
        Change::DropTable {
            table: table("Gone2", vec![int("id")], &["id"]),
        },
        Change::RedefineTables {
            tables: vec![
                RedefineTable {
                    previous: previous_user,
                    next: next_user,
                    copied_columns: user_columns,
                    triggers: Vec::new(),
                    named_by_hand_made: false,
                    renamed_from: None,
                },
                RedefineTable {
                    previous: previous_post,
                    next: next_post,
                    copied_columns: copied(&["authorId", "id", "title"]),
                    triggers: Vec::new(),
                    named_by_hand_made: false,
                    renamed_from: None,
                },
            ],
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- DropTable
    PRAGMA foreign_keys=off;
    DROP TABLE "Gone";
    PRAGMA foreign_keys=on;

    -- DropTable
    PRAGMA foreign_keys=off;
    DROP TABLE "Gone2";
    PRAGMA foreign_keys=on;

    -- RedefineTables
    PRAGMA defer_foreign_keys=ON;
    PRAGMA foreign_keys=OFF;
    CREATE TABLE "new_User" (
        "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "email" TEXT NOT NULL,
        "name" TEXT NOT NULL DEFAULT 'it''s'
    );
    INSERT INTO "new_User" ("email", "id", "name") SELECT "email", "id", coalesce("name", 'it''s') AS "name" FROM "User";
    DROP TABLE "User";
    ALTER TABLE "new_User" RENAME TO "User";
    CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
    CREATE INDEX "new_idx" ON "User"("name");
    CREATE TABLE "new_Post" (
        "id" TEXT NOT NULL PRIMARY KEY,
        "title" TEXT NOT NULL,
        "authorId" INTEGER NOT NULL,
        "extra" TEXT,
        "extra2" INTEGER DEFAULT 3,
        CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
    );
    INSERT INTO "new_Post" ("authorId", "id", "title") SELECT "authorId", "id", "title" FROM "Post";
    DROP TABLE "Post";
    ALTER TABLE "new_Post" RENAME TO "Post";
    CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");
    CREATE INDEX "Post_title_idx" ON "Post"("title");
    PRAGMA foreign_keys=ON;
    PRAGMA defer_foreign_keys=OFF;
    "#);
}

/// A composite primary key and a foreign key inside a rebuilt table, a column made required
/// with a default, and an index with a name SQLite reserves. From
///
/// ```prisma
/// model A {
///   id Int    @id @default(auto_increment())
///   x  String
///   y  Int?
///   z  Float
///   bs B[]
/// }
/// model B {
///   a  Int
///   b  Int
///   aa A   @relation(fields: [a], references: [id])
///   @@id([a, b])
///   @@index([b])
/// }
/// ```
///
/// to
///
/// ```prisma
/// model A {
///   id Int     @id @default(auto_increment())
///   y  Int     @default(5)
///   z  String
///   w  Boolean @default(false)
///   bs B[]
/// }
/// model B {
///   a  Int
///   b  Int
///   c  Json?
///   aa A     @relation(fields: [a], references: [id], onDelete: Cascade)
///   @@id([a, b])
///   @@index([b], map: "sqlite_autoindex_x")
/// }
/// ```
#[test]
fn composite_keys_and_reserved_index_names_in_rebuilt_tables() {
    let previous_a = table(
        "A",
        vec![
            auto_increment(int("id")),
            text("x"),
            nullable(int("y")),
            col("z", TypeFamily::Float, "REAL"),
        ],
        &["id"],
    );
    let next_a = table(
        "A",
        vec![
            auto_increment(int("id")),
            with_default(int("y"), number("5")),
            text("z"),
            with_default(
                col("w", TypeFamily::Boolean, "BOOLEAN"),
                DefaultValue::Boolean(false),
            ),
        ],
        &["id"],
    );
    let fk = |on_delete| {
        foreign_key(
            "B_a_fkey",
            &["a"],
            name("A"),
            &["id"],
            on_delete,
            ReferentialAction::Cascade,
        )
    };
    let mut previous_b = table("B", vec![int("a"), int("b")], &["a", "b"]);
    previous_b.indexes = vec![index("B_b_idx", IndexKind::Normal, &["b"])];
    previous_b.foreign_keys = vec![fk(ReferentialAction::Restrict)];
    let mut next_b = table(
        "B",
        vec![
            int("a"),
            int("b"),
            nullable(col("c", TypeFamily::Json, "JSONB")),
        ],
        &["a", "b"],
    );
    next_b.indexes = vec![index("sqlite_autoindex_x", IndexKind::Normal, &["b"])];
    next_b.foreign_keys = vec![fk(ReferentialAction::Cascade)];
    let mut a_columns = copied(&["id", "y", "z"]);
    a_columns[1].coalesce_default = Some(number("5"));
    let changes = [Change::RedefineTables {
        tables: vec![
            RedefineTable {
                previous: previous_a,
                next: next_a,
                copied_columns: a_columns,
                triggers: Vec::new(),
                named_by_hand_made: false,
                renamed_from: None,
            },
            RedefineTable {
                previous: previous_b,
                next: next_b,
                copied_columns: copied(&["a", "b"]),
                triggers: Vec::new(),
                named_by_hand_made: false,
                renamed_from: None,
            },
        ],
    }];
    insta::assert_snapshot!(script(&changes), @r#"
    -- RedefineTables
    PRAGMA defer_foreign_keys=ON;
    PRAGMA foreign_keys=OFF;
    CREATE TABLE "new_A" (
        "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "y" INTEGER NOT NULL DEFAULT 5,
        "z" TEXT NOT NULL,
        "w" BOOLEAN NOT NULL DEFAULT false
    );
    INSERT INTO "new_A" ("id", "y", "z") SELECT "id", coalesce("y", 5) AS "y", "z" FROM "A";
    DROP TABLE "A";
    ALTER TABLE "new_A" RENAME TO "A";
    CREATE TABLE "new_B" (
        "a" INTEGER NOT NULL,
        "b" INTEGER NOT NULL,
        "c" JSONB,

        PRIMARY KEY ("a", "b"),
        CONSTRAINT "B_a_fkey" FOREIGN KEY ("a") REFERENCES "A" ("id") ON DELETE CASCADE ON UPDATE CASCADE
    );
    INSERT INTO "new_B" ("a", "b") SELECT "a", "b" FROM "B";
    DROP TABLE "B";
    ALTER TABLE "new_B" RENAME TO "B";
    Pragma writable_schema=1;
    CREATE INDEX "sqlite_autoindex_x" ON "B"("b");
    Pragma writable_schema=0;
    PRAGMA foreign_keys=ON;
    PRAGMA defer_foreign_keys=OFF;
    "#);
}

/// Nullable columns added in place, one statement each; an index dropped, created, and
/// renamed by dropping and creating it. From
///
/// ```prisma
/// model User {
///   id   Int     @id
///   name String?
///   a    String
///   @@index([name], map: "old_idx")
///   @@index([a])
/// }
/// ```
///
/// to
///
/// ```prisma
/// model User {
///   id   Int       @id
///   name String?
///   a    String
///   x    String?
///   y    DateTime? @default(now())
///   @@index([name], map: "new_idx")
///   @@unique([a])
/// }
/// ```
#[test]
fn columns_added_in_place_and_indexes() {
    let changes = [
        Change::DropIndex {
            table: name("User"),
            index: index("User_a_idx", IndexKind::Normal, &["a"]),
        },
        Change::AlterTable {
            table: name("User"),
            changes: vec![
                TableChange::AddColumn {
                    column: nullable(text("x")),
                },
                TableChange::AddColumn {
                    column: nullable(with_default(
                        col("y", TypeFamily::DateTime, "DATETIME"),
                        DefaultValue::Now,
                    )),
                },
            ],
        },
        Change::CreateIndex {
            table: name("User"),
            index: index("User_a_key", IndexKind::Unique, &["a"]),
        },
        Change::RedefineIndex {
            table: name("User"),
            from: index("old_idx", IndexKind::Normal, &["name"]),
            to: index("new_idx", IndexKind::Normal, &["name"]),
        },
    ];
    insta::assert_snapshot!(script(&changes), @r#"
    -- DropIndex
    DROP INDEX "User_a_idx";

    -- AlterTable
    ALTER TABLE "User" ADD COLUMN "x" TEXT;
    ALTER TABLE "User" ADD COLUMN "y" DATETIME DEFAULT CURRENT_TIMESTAMP;

    -- CreateIndex
    CREATE UNIQUE INDEX "User_a_key" ON "User"("a");

    -- RedefineIndex
    DROP INDEX "old_idx";
    CREATE INDEX "new_idx" ON "User"("name");
    "#);
}

/// Changes SQLite has no statement for are never produced by its differ hooks; should one come,
/// it renders as a comment rather than as wrong SQL.
#[test]
fn changes_sqlite_cannot_express() {
    let dialect = SqliteDialect;
    let add_fk = Change::AddForeignKey {
        table: name("Post"),
        foreign_key: foreign_key(
            "Post_authorId_fkey",
            &["authorId"],
            name("User"),
            &["id"],
            ReferentialAction::Restrict,
            ReferentialAction::Cascade,
        ),
    };
    assert_eq!(
        dialect.render_change(&add_fk),
        "-- SQLite cannot alter this in place: foreign keys of \"Post\" change only by \
         redefining the table."
    );
    let alter_pk = Change::AlterTable {
        table: name("T"),
        changes: vec![TableChange::DropPrimaryKey { name: None }],
    };
    assert_eq!(
        dialect.render_change(&alter_pk),
        "-- SQLite cannot alter this in place: the primary key of \"T\" changes only by \
         redefining the table."
    );
}

/// Which scripts must run outside a transaction; words in comments, literals, quoted identifiers
/// and bodies do not count.
#[test]
fn transactions() {
    assert_transactions(
        &SqliteDialect,
        &[
            "BEGIN;\nCREATE TABLE \"a\" (\"b\" TEXT);\nCOMMIT;",
            "begin transaction; select 1; end;",
            "VACUUM;",
            "ATTACH DATABASE 'x.db' AS x;",
            "SAVEPOINT a; RELEASE a;",
            // `$` continues an identifier, so `a$trigger` makes no trigger of this table.
            "CREATE TABLE a$trigger (begin INT); VACUUM;",
            "BEGIN;\nSELECT 1;\nCOMMIT;",
        ],
        &[
            "-- BEGIN;\nCREATE TABLE \"a\" (\"b\" TEXT);",
            "/* VACUUM; */ SELECT 1;",
            "INSERT INTO \"a\" VALUES ('it''s; VACUUM');",
            "CREATE TABLE [BEGIN] (\"END\" TEXT, `VACUUM` TEXT);",
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET b = CASE WHEN 1 THEN 2 END; \
         DELETE FROM c; END;\nSELECT 1;",
            "PRAGMA defer_foreign_keys=ON;\nPRAGMA foreign_keys=OFF;",
            "-- BEGIN\nPRAGMA foreign_keys=OFF;\nSELECT 'COMMIT';",
        ],
    );
}

#[test]
fn semicolons_in_literals_and_identifiers_do_not_split() {
    assert_eq!(
        statement_texts(
            &SqliteDialect,
            "INSERT INTO a VALUES ('x;y', 'it''s;');\nSELECT \"b;\", `c;`, [d;] FROM a;"
        ),
        [
            "INSERT INTO a VALUES ('x;y', 'it''s;');",
            "\nSELECT \"b;\", `c;`, [d;] FROM a;"
        ]
    );
}

#[test]
fn block_comments_do_not_nest() {
    assert_eq!(
        statement_texts(&SqliteDialect, "/* a /* b */ SELECT 1; */ SELECT 2;"),
        ["/* a /* b */ SELECT 1;", " */ SELECT 2;"]
    );
}

#[test]
fn a_trigger_body_is_one_statement() {
    let trigger = "CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET b = CASE WHEN \
                   1 THEN 2 END;\n  DELETE FROM c;\nEND;";
    let script = format!("{trigger}\nINSERT INTO a DEFAULT VALUES;");
    assert_eq!(
        statement_texts(&SqliteDialect, &script),
        [trigger, "\nINSERT INTO a DEFAULT VALUES;"]
    );
}

/// Renames (drydock's own; Prisma drops and recreates): in place with `ALTER TABLE`, and a
/// rebuilt table reads a renamed column under its previous name.
#[test]
fn renamed_tables_and_columns() {
    let previous = table(
        "Member",
        vec![int("id"), nullable(text("fullName"))],
        &["id"],
    );
    let next = table("Member", vec![int("id"), text("fullName")], &["id"]);
    let mut copied_columns = copied(&["fullName", "id"]);
    copied_columns[0].from = Some("name".to_owned());
    let changes = [
        Change::RenameTable {
            from: name("User"),
            to: name("Member"),
            auto_increment_columns: vec!["id".to_owned()],
        },
        Change::AlterTable {
            table: name("Member"),
            changes: vec![TableChange::RenameColumn {
                from: "email".to_owned(),
                to: "mail".to_owned(),
                auto_increment: false,
            }],
        },
        Change::RedefineTables {
            tables: vec![RedefineTable {
                previous,
                next,
                copied_columns,
                triggers: Vec::new(),
                named_by_hand_made: false,
                renamed_from: None,
            }],
        },
    ];
    assert_eq!(
        script(&changes),
        r#"-- RenameTable
ALTER TABLE "User" RENAME TO "Member";

-- AlterTable
ALTER TABLE "Member" RENAME COLUMN "email" TO "mail";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Member" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "fullName" TEXT NOT NULL
);
INSERT INTO "new_Member" ("fullName", "id") SELECT "name" AS "fullName", "id" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
"#
    );
}
