//! Every error code drydock prints, proven by running the binary on a small project: the code,
//! the key words of its message and the exit status. docs/errors.md is the catalog; the last
//! test checks that the source, the catalog and these cases name the same codes.
//!
//! SQLite cases need nothing; PostgreSQL and MySQL cases create their own database on
//! `TEST_POSTGRES_URL` and `TEST_MYSQL_URL` and fail when no server answers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use drydock_test_support::TestDb;

/// The database a case runs against; the project's `DATABASE_URL` names it.
#[derive(Clone, Copy)]
enum Server {
    Sqlite,
    Postgres,
    Mysql,
}

/// What happens before the command under test. `{url}` in any text is the case's database URL;
/// `{no_such_database}` and `{no_such_user}` are the test server's URL with a database or a
/// user that does not exist.
enum Step {
    /// Write a file of the project (folders are created).
    File(&'static str, &'static str),
    /// A drydock command that must succeed.
    Drydock(&'static [&'static str]),
    /// SQL run on the case's database.
    Sql(&'static str),
    /// SQL run on a session that stays open until the command under test has ended.
    Hold(&'static str),
    /// A shell command in the project folder, for what files alone cannot set up.
    Shell(&'static str),
}

struct Case {
    code: &'static str,
    server: Server,
    steps: &'static [Step],
    run: &'static [&'static str],
    exit: i32,
    /// Texts the output (stderr and stdout) must contain, besides the code.
    says: &'static [&'static str],
}

use Server::{Mysql, Postgres, Sqlite};
use Step::{Drydock, File, Hold, Shell, Sql};

const SQLITE_SCHEMA: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n}\n";
const POSTGRES_SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n}\n";
const MYSQL_SCHEMA: &str = "datasource db {\n  provider = \"mysql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n}\n";
const SCHEMA: &str = "prisma/schema.prisma";
/// `B.a` references `A` without a foreign key and without `onDelete`: `Restrict`, Prisma's
/// default for a required relation.
const CLEANUP_SCHEMA: &str = "datasource db {\n  provider     = \"sqlite\"\n  url          = env(\"DATABASE_URL\")\n  relationMode = \"prisma\"\n}\n\nmodel A {\n  id Int @id\n  bs B[]\n}\n\nmodel B {\n  id  Int @id\n  aId Int\n  a   A   @relation(fields: [aId], references: [id])\n  @@index([aId])\n}\n";
const CLEANUP_TABLES: &str = "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY); CREATE TABLE \"B\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"aId\" INTEGER NOT NULL)";
const INIT: &str = "prisma/migrations/20240101000000_init/migration.sql";
const INIT_SQL: &str = "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n";
const SECOND: &str = "prisma/migrations/20240102000000_second/migration.sql";
const MYSQL_INIT_SQL: &str = "CREATE TABLE `A` (`id` INTEGER NOT NULL PRIMARY KEY);\n";
/// Fails at its second statement on MySQL, where its first stays applied.
const MYSQL_HALFWAY_SQL: &str =
    "CREATE TABLE `B` (`id` INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO `nope` VALUES (1);\n";

/// A SQLite project whose first migration creates table `A`.
const SQLITE_INIT: Step = File(INIT, INIT_SQL);
const DEPLOY: Step = Drydock(&["migrate", "deploy"]);

/// A PostgreSQL project with `migration` as its second migration, linted offline.
macro_rules! lint_case {
    ($code:literal, $exit:literal, $setup:literal, $migration:literal, $says:literal) => {
        lint_case!($code, $exit, $setup, $migration, $says, &["lint"])
    };
    ($code:literal, $exit:literal, $setup:literal, $migration:literal, $says:literal, $run:expr) => {
        Case {
            code: $code,
            server: Postgres,
            steps: &[
                File(SCHEMA, POSTGRES_SCHEMA),
                File(INIT, $setup),
                File(
                    "prisma/migrations/20240102000000_change_user/migration.sql",
                    $migration,
                ),
            ],
            run: $run,
            exit: $exit,
            says: &[$says],
        }
    };
}

const CASES: &[Case] = &[
    // P1xxx: Prisma's connection and schema codes.
    Case {
        code: "P1000",
        server: Postgres,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA)],
        run: &["migrate", "status", "--url", "{no_such_user}"],
        exit: 1,
        says: &[
            "authentication failed",
            "user `drydock_errors_no_such_user` are not valid",
        ],
    },
    Case {
        code: "P1001",
        server: Sqlite,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA)],
        run: &[
            "migrate",
            "status",
            "--url",
            "postgresql://postgres@127.0.0.1:1/app",
        ],
        exit: 1,
        says: &["can't reach the database server at `127.0.0.1:1`"],
    },
    Case {
        code: "P1002",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(INIT, INIT_SQL),
            Hold("SELECT pg_advisory_lock(72707369)"),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["timed out after 10 s waiting for the migration lock"],
    },
    Case {
        code: "P1003",
        server: Postgres,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA)],
        run: &["migrate", "status", "--url", "{no_such_database}"],
        exit: 1,
        says: &["database `drydock_errors_no_such_database` does not exist"],
    },
    Case {
        code: "P1011",
        server: Sqlite,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA)],
        run: &[
            "migrate",
            "status",
            "--url",
            "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=require&sslrootcert=missing.pem",
        ],
        exit: 1,
        says: &["Error opening a TLS connection", "help:"],
    },
    Case {
        code: "P1012",
        server: Sqlite,
        steps: &[File(
            SCHEMA,
            "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Strin @id\n}\n",
        )],
        run: &["validate"],
        exit: 1,
        says: &[
            "prisma/schema.prisma:7:6",
            "Strin",
            "fix them and run the command again",
        ],
    },
    Case {
        code: "P1013",
        server: Sqlite,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA)],
        run: &["migrate", "status", "--url", "file:./dev.db"],
        exit: 1,
        says: &["does not match provider `postgresql`", "postgresql://"],
    },
    // D1xxx: the project, its configuration and scripts.
    Case {
        code: "D1001",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &[
            "migrate",
            "diff",
            "--from-empty",
            "--to-migrations",
            "prisma/migrations",
        ],
        exit: 1,
        says: &["cannot tell which database the diff is for"],
    },
    Case {
        code: "D1001",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &["init"],
        exit: 1,
        says: &["already exists; drydock init does not overwrite a project"],
    },
    Case {
        code: "D1002",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Shell("printf 'model B {\\n  id Int @id \\377\\n}\\n' >> prisma/schema.prisma"),
        ],
        run: &["validate"],
        exit: 1,
        says: &[
            "error[D1002]: the byte 0xFF is not UTF-8 text",
            "--> prisma/schema.prisma:10:14",
            " 10 |   id Int @id \u{FFFD}\n    |              ^\n",
            "help: save the file as UTF-8",
        ],
    },
    Case {
        code: "D1003",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File("drydock.toml", "[backup]\ndir = 3\n"),
        ],
        run: &["schedule", "--list"],
        exit: 1,
        says: &[
            "the settings file `drydock.toml` is not valid: invalid type: integer `3`, expected path string\n",
            "--> drydock.toml:2:7",
            " 2 | dir = 3\n   |       ^\n",
        ],
    },
    Case {
        code: "D1003",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            File("drydock.toml", "[backup]\ndir = 3\n"),
        ],
        run: &["backup", "create"],
        exit: 1,
        says: &[
            "the settings file `drydock.toml` is not valid",
            "--> drydock.toml:2:7",
            "expected path string",
        ],
    },
    Case {
        code: "D1003",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(
                "drydock.toml",
                "[backup]\ndir = \"b\"\n\n[[schedule]]\nname = \"nightly\"\ncron = \"61 * * * *\"\nrun = \"backup create\"\n",
            ),
        ],
        run: &["backup", "list"],
        exit: 1,
        says: &[
            "is not valid: [[schedule]] job `nightly`: cron expression `61 * * * *` is not valid",
            "--> drydock.toml:4:1",
        ],
    },
    Case {
        code: "D1004",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File("package.json", "{\n  \"prisma\": {\n    schema: 1\n}\n"),
        ],
        run: &["validate"],
        exit: 1,
        says: &["package.json:3:5: `package.json` is not valid JSON: key must be a string"],
    },
    Case {
        code: "D1010",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            Sql("CREATE TABLE _prisma_migrations (id integer)"),
        ],
        run: &["migrate", "status"],
        exit: 1,
        says: &[
            "the table `public._prisma_migrations` is not Prisma's migration history table",
            "reading it failed with `column \"checksum\" does not exist`",
            "drydock expects the columns id, checksum, finished_at, migration_name",
            "rename or move it and run `drydock migrate deploy`",
        ],
    },
    Case {
        code: "D1010",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Sql("CREATE TABLE _prisma_migrations (id TEXT)"),
        ],
        run: &["migrate", "status"],
        exit: 1,
        says: &[
            "the table `_prisma_migrations` is not Prisma's migration history table",
            "no such column: checksum",
        ],
    },
    Case {
        code: "D1011",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT],
        run: &[
            "migrate",
            "deploy",
            "--url",
            "file:/nonexistent/folder/dev.db",
        ],
        exit: 1,
        says: &["can't open the SQLite database file `/nonexistent/folder/dev.db`"],
    },
    Case {
        code: "D1011",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &["db", "execute", "--file", "missing.sql"],
        exit: 1,
        says: &["can't read `missing.sql`"],
    },
    Case {
        code: "D1012",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File("bad.sql", "SELECT 1;\nSELEC 2;\n"),
        ],
        run: &["db", "execute", "--file", "bad.sql"],
        exit: 1,
        says: &[
            "`bad.sql` failed",
            "(at bad.sql:2:1)",
            "syntax error",
            "Nothing was changed",
        ],
    },
    Case {
        code: "D1013",
        server: Postgres,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA), File(INIT, INIT_SQL)],
        run: &["migrate", "deploy", "--url", "{url}?pgbouncer=true"],
        exit: 1,
        says: &["cannot run through a connection pooler", "directUrl"],
    },
    Case {
        code: "D1020",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Shell(
                "printf 'model B {\\n  id Int @id @default(%s1%s)\\n}\\n' \"$(printf 'f(%.0s' $(seq 70))\" \"$(printf ')%.0s' $(seq 70))\" >> prisma/schema.prisma",
            ),
        ],
        run: &["validate"],
        exit: 1,
        says: &[
            "error[D1020]",
            "nested more than 64 levels deep",
            "prisma/schema.prisma:10:",
        ],
    },
    // D2xxx: what a schema change does to the data, printed by `migrate dev` and `migrate diff`.
    Case {
        code: "D2000",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
            Drydock(&["migrate", "dev", "--name", "init"]),
            File(SCHEMA, SQLITE_SCHEMA),
        ],
        run: &["migrate", "dev", "--name", "drop_x"],
        exit: 1,
        says: &["lose data", "--accept-data-loss"],
    },
    Case {
        code: "D2001",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            SCHEMA,
            "--to-empty",
            "--script",
        ],
        exit: 0,
        says: &["You are about to drop the `A` table"],
    },
    Case {
        code: "D2002",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(
                "new.prisma",
                "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "new.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["You are about to drop the column `x` on the `A` table"],
    },
    Case {
        code: "D2003",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  BigInt\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["You are about to alter the column `x` on the `A` table"],
    },
    Case {
        code: "D2004",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int[]\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["The `x` column on the `A` table would be dropped and recreated"],
    },
    Case {
        code: "D2005",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int\n  x  Int @id\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["The primary key for the `A` table will be changed"],
    },
    Case {
        code: "D2006",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int @unique\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["A unique constraint covering the columns `[x]`"],
    },
    Case {
        code: "D2007",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nenum Level {\n  LOW\n}\n\nmodel A {\n  id Int @id\n  l  Level\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nenum Level {\n  LOW\n  HIGH\n}\n\nmodel A {\n  id Int @id\n  l  Level\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["The values [HIGH] on the enum `Level` will be removed"],
    },
    Case {
        code: "D2010",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Drydock(&["migrate", "dev", "--name", "init"]),
            Sql("INSERT INTO \"A\" VALUES (1)"),
            File(
                SCHEMA,
                "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
        ],
        run: &["migrate", "dev", "--name", "add_x"],
        exit: 1,
        says: &["fails on the development database", "--create-only"],
    },
    Case {
        code: "D2101",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["Added the required column `x` to the `A` table without a default value"],
    },
    Case {
        code: "D2102",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int?\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["Made the column `x` on table `A` required"],
    },
    Case {
        code: "D2201",
        server: Sqlite,
        steps: &[
            File(
                SCHEMA,
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  y  Int // drydock:renamed-from x\n}\n",
            ),
            File(
                "old.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int\n}\n",
            ),
        ],
        run: &[
            "migrate",
            "diff",
            "--from-schema",
            "old.prisma",
            "--to-schema",
            SCHEMA,
            "--script",
        ],
        exit: 0,
        says: &["The column `x` on the `A` table will be renamed to `y`"],
    },
    // P3xxx: Prisma's migration codes.
    Case {
        code: "P3005",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            Sql("CREATE TABLE t (id INTEGER)"),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "not empty",
            "drydock migrate baseline",
            "resolve --applied 20240101000000_init",
        ],
    },
    Case {
        code: "P3006",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nCREAT TABLE oops;\n",
            ),
        ],
        run: &["migrate", "dev", "--name", "next"],
        exit: 1,
        says: &[
            "20240101000000_init",
            "failed to apply cleanly to the shadow database",
        ],
    },
    Case {
        code: "P3008",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT, DEPLOY],
        run: &["migrate", "resolve", "--applied", "20240101000000_init"],
        exit: 1,
        says: &["already recorded as applied", "nothing to resolve"],
    },
    Case {
        code: "P3009",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, "CREAT TABLE oops;\n"),
            Shell("drydock migrate deploy || true"),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "found failed migrations",
            "20240101000000_init",
            "--rolled-back",
        ],
    },
    Case {
        code: "P3010",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &[
            "migrate",
            "dev",
            "--create-only",
            "--name",
            "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字",
        ],
        exit: 1,
        says: &["is too long", "must not be longer than 200"],
    },
    Case {
        code: "P3011",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT],
        run: &["migrate", "resolve", "--rolled-back", "20240101000000_init"],
        exit: 1,
        says: &["cannot be rolled back because it was never applied"],
    },
    Case {
        code: "P3012",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT, DEPLOY],
        run: &["migrate", "resolve", "--rolled-back", "20240101000000_init"],
        exit: 1,
        says: &["is not in a failed state"],
    },
    Case {
        code: "P3015",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            File("prisma/migrations/20240102000000_second/notes.txt", ""),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["`prisma/migrations/20240102000000_second` has no `migration.sql`"],
    },
    Case {
        code: "P3017",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT],
        run: &["migrate", "resolve", "--applied", "20240101_nope"],
        exit: 1,
        says: &["migration `20240101_nope` was not found in `prisma/migrations`"],
    },
    Case {
        code: "P3018",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            File(
                SECOND,
                "CREATE TABLE \"B\" (\"id\" INTEGER);\nCREAT TABLE oops;\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["Migration `20240102000000_second` failed to apply", "2:1"],
    },
    Case {
        code: "P3019",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            File(
                "prisma/migrations/migration_lock.toml",
                "provider = \"postgresql\"\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["were written for `postgresql`", "the database is `sqlite`"],
    },
    // D3xxx: migrating and deploying.
    Case {
        code: "D3001",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Shell("mkdir -p prisma && printf 'x' > prisma/migrations"),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["prisma/migrations"],
    },
    Case {
        code: "D3002",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Shell(
                "mkdir -p prisma/migrations/20240101000000_init && printf 'SELECT 1;\\377\\n' > prisma/migrations/20240101000000_init/migration.sql",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["migration.sql", "is not valid UTF-8", "Save it as UTF-8"],
    },
    Case {
        code: "D3003",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Shell(
                "d=\"prisma/migrations/$(printf '2024\\377')_bad\" && mkdir -p \"$d\" && printf 'SELECT 1;' > \"$d/migration.sql\"",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["is not valid UTF-8", "Rename it"],
    },
    Case {
        code: "D3004",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File("prisma/migrations/zzz_manual/migration.sql", INIT_SQL),
        ],
        run: &["migrate", "dev", "--create-only", "--name", "later"],
        exit: 1,
        says: &["does not sort after the existing migration `zzz_manual`"],
    },
    Case {
        code: "D3005",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(INIT, INIT_SQL),
            DEPLOY,
            // The migration forbids the update that marks it finished; CONCURRENTLY runs it
            // outside a transaction, so that update comes after its statements are committed.
            File(
                SECOND,
                "CREATE INDEX CONCURRENTLY \"A_id_idx\" ON \"A\"(\"id\");\nALTER TABLE \"_prisma_migrations\" ADD CONSTRAINT \"never_finished\" CHECK (\"finished_at\" IS NULL) NOT VALID;\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "marking it finished in `_prisma_migrations` failed",
            "resolve --applied 20240102000000_second",
        ],
    },
    Case {
        code: "D3010",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT, DEPLOY],
        run: &["migrate", "down"],
        exit: 1,
        says: &["has no `down.sql`", "Nothing was rolled back"],
    },
    Case {
        code: "D3011",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Drydock(&["migrate", "dev", "--name", "create_a"]),
            File(
                SCHEMA,
                "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel A {\n  id Int @id\n  x  Int?\n}\n",
            ),
            Drydock(&["migrate", "dev", "--name", "add_a_x"]),
        ],
        run: &["migrate", "down"],
        exit: 1,
        says: &[
            "loses data",
            "--accept-data-loss",
            "Nothing was rolled back",
        ],
    },
    Case {
        code: "D3012",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Shell("rm -r prisma/migrations/20240101000000_init"),
        ],
        run: &["migrate", "down"],
        exit: 1,
        says: &["its folder is missing from the migrations folder"],
    },
    Case {
        code: "D3013",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT, DEPLOY],
        run: &["migrate", "down", "--to", "20240101_nope"],
        exit: 1,
        says: &["is not an applied migration"],
    },
    Case {
        code: "D3014",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            File(
                "prisma/migrations/20240101000000_init/down.sql",
                "DROP TABLE \"Nope\";\n",
            ),
            DEPLOY,
        ],
        run: &["migrate", "down"],
        exit: 1,
        says: &[
            "rolling back `20240101000000_init` failed",
            "Fix its `down.sql`",
        ],
    },
    Case {
        code: "D3015",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            File(SECOND, "SELECT 1;\n"),
        ],
        run: &[
            "migrate",
            "squash",
            "--from",
            "20240101000000_init",
            "--to",
            "20240102000000_second",
        ],
        exit: 1,
        says: &["is not applied to this database, so it cannot be part of a squash"],
    },
    Case {
        code: "D3017",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Shell(
                "mkdir -p prisma/migrations/20240101000000_init && printf 'SELECT 1;\\nSELECT 2;\\000\\n' > prisma/migrations/20240101000000_init/migration.sql",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["contains a NUL byte (0x00) at 2:10", "Nothing was applied"],
    },
    Case {
        code: "D3060",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER);\n",
            ),
            File(
                SECOND,
                "-- drydock:backfill key=\"id\" batch=ten\nUPDATE \"A\" SET \"x\" = 1;\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "prisma/migrations/20240102000000_second/migration.sql:1:36: `batch=ten` is not a number of rows: write a whole number",
        ],
    },
    Case {
        code: "D3061",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER);\nINSERT INTO \"A\" VALUES (1, NULL);\n",
            ),
            File(
                SECOND,
                "-- drydock:backfill key=\"nope\"\nUPDATE \"A\" SET \"x\" = 1 WHERE \"x\" IS NULL;\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["the backfill query", "nope"],
    },
    Case {
        code: "D3062",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER CHECK (\"x\" < 3));\nINSERT INTO \"A\" VALUES (1, NULL), (2, NULL);\n",
            ),
            File(
                SECOND,
                "-- drydock:backfill key=\"id\" batch=1\nUPDATE \"A\" SET \"x\" = \"id\" * 2 WHERE \"x\" IS NULL;\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "[P3018] Migration `20240102000000_second` failed to apply",
            "[D3062] backfill batch 2 of this run failed",
            "1 rows in batches before it are committed",
            "resumes",
        ],
    },
    Case {
        code: "D3064",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER);\nINSERT INTO \"A\" VALUES (1, NULL);\n",
            ),
            File(
                SECOND,
                "-- drydock:backfill key=\"id\" verify='SELECT 5'\nUPDATE \"A\" SET \"x\" = 1 WHERE \"x\" IS NULL;\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["backfill verification failed: 5 rows are still wrong"],
    },
    Case {
        code: "D3065",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER);\nINSERT INTO \"A\" VALUES (1, NULL);\n",
            ),
            File(
                SECOND,
                "-- drydock:backfill key=\"id\" verify='SELECT ''many'''\nUPDATE \"A\" SET \"x\" = 1 WHERE \"x\" IS NULL;\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["must return one number", "Fix its `verify` option"],
    },
    Case {
        code: "D3100",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER);\n",
            ),
        ],
        run: &["migrate", "dev"],
        exit: 3,
        says: &["drydock migrate reset"],
    },
    Case {
        code: "D3110",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER);\n",
            ),
            DEPLOY,
            Sql("INSERT INTO \"A\" SELECT g, g FROM generate_series(1, 50000) g; ANALYZE \"A\";"),
            File(SECOND, "CREATE INDEX \"A_x_idx\" ON \"A\"(\"x\");\n"),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &["D4201", "nothing was applied", "--lint warn"],
    },
    Case {
        code: "D3111",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(INIT, INIT_SQL),
            DEPLOY,
            Hold("BEGIN; LOCK TABLE \"A\" IN ACCESS SHARE MODE;"),
            File(SECOND, "ALTER TABLE \"A\" ADD COLUMN \"name\" TEXT;\n"),
        ],
        run: &["migrate", "deploy", "--preflight"],
        exit: 1,
        says: &["fail  activity", "pre-flight check(s) failed"],
    },
    Case {
        code: "D3150",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            File("plan.json", "{\"version\": 7}\n"),
        ],
        run: &["migrate", "deploy", "--plan", "plan.json"],
        exit: 1,
        says: &[
            "cannot read the deploy plan `plan.json`",
            "a plan of version 7",
            "--plan-out",
        ],
    },
    Case {
        code: "D3153",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), File(INIT, INIT_SQL), DEPLOY],
        run: &[
            "migrate",
            "deploy",
            "--plan-out",
            "no-such-folder/plan.json",
        ],
        exit: 1,
        says: &[
            "cannot write the deploy plan to `no-such-folder/plan.json`",
            "Nothing was changed",
        ],
    },
    Case {
        code: "D3130",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            File(
                "prisma/migrations/20240103000000_ours/migration.sql",
                "CREATE TABLE \"C\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
            ),
            DEPLOY,
            File(
                SECOND,
                "CREATE TABLE \"B\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "nothing was applied",
            "`20240102000000_second` sorts before `20240103000000_ours`",
            "drydock migrate rebase 20240102000000_second",
            "--allow-out-of-order",
        ],
    },
    Case {
        code: "D3131",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            File(
                "prisma/migrations/20240102000000_init/migration.sql",
                "SELECT 1;\n",
            ),
        ],
        run: &["migrate", "status"],
        exit: 1,
        says: &[
            "2 migrations are named `init`",
            "drydock migrate rebase 20240102000000_init --name <new name>",
        ],
    },
    Case {
        code: "D3132",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            File(
                "prisma/migrations/20240101000000_other/migration.sql",
                "SELECT 1;\n",
            ),
        ],
        run: &["migrate", "status"],
        exit: 1,
        says: &[
            "2 migrations have the timestamp 20240101000000",
            "drydock migrate rebase 20240101000000_other",
        ],
    },
    Case {
        code: "D3133",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            File(SECOND, "ALTER TABLE \"A\" ADD COLUMN \"b\" TEXT;\n"),
            File(
                "prisma/migrations/20240103000000_third/migration.sql",
                "ALTER TABLE \"A\" ADD COLUMN \"c\" TEXT;\n",
            ),
            // Each branch's side, as git leaves the file when both added a migration.
            Shell(
                "drydock migrate hash && head -n 2 prisma/migrations/drydock.sum > sum \
                 && echo '<<<<<<< HEAD' >> sum && sed -n 3p prisma/migrations/drydock.sum >> sum \
                 && echo '=======' >> sum && sed -n 4p prisma/migrations/drydock.sum >> sum \
                 && echo '>>>>>>> b' >> sum && mv sum prisma/migrations/drydock.sum",
            ),
        ],
        run: &["migrate", "status"],
        exit: 1,
        says: &[
            "`20240102000000_second`, `20240103000000_third` were both written after the same \
             migration",
            "table \"A\"",
        ],
    },
    Case {
        code: "D3134",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            Drydock(&["migrate", "hash"]),
            File(
                INIT,
                "CREATE TABLE \"A\" (\"id\" BIGINT NOT NULL PRIMARY KEY);\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "does not match the migrations folder",
            "`20240101000000_init`: its `migration.sql` was edited",
            "drydock migrate hash",
        ],
    },
    Case {
        code: "D3135",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            File(
                "prisma/migrations/drydock.sum",
                "h1:abc\n20240101000000_init abc\n",
            ),
        ],
        run: &["migrate", "deploy"],
        exit: 1,
        says: &[
            "is not an integrity file drydock can read",
            "line 2 is not `<migration folder> h1:<hash>`",
            "drydock migrate hash",
        ],
    },
    Case {
        code: "D3136",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), File(INIT, INIT_SQL), DEPLOY],
        run: &["migrate", "rebase", "20240101000000_init"],
        exit: 1,
        says: &[
            "`20240101000000_init` is recorded in this database's history",
            "keeps its place",
        ],
    },
    Case {
        code: "D3137",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), File(INIT, INIT_SQL)],
        run: &["migrate", "rebase", "no_such"],
        exit: 1,
        says: &["`no_such` is not a migration of", "drydock migrate status"],
    },
    Case {
        code: "D3140",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT, DEPLOY],
        run: &["migrate", "resolve", "--undo", "20240101000000_init"],
        exit: 1,
        says: &[
            "`20240101000000_init` is not a migration that failed halfway: it is applied",
            "Nothing was changed",
        ],
    },
    Case {
        code: "D3141",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            File(
                SECOND,
                "CREATE TABLE \"B\" (\"id\" INTEGER);\nCREAT oops;\n",
            ),
            Shell("drydock migrate deploy || true"),
        ],
        run: &["migrate", "resolve", "--finish", "20240102000000_second"],
        exit: 1,
        says: &[
            "`20240102000000_second` runs in a transaction",
            "resolve --rolled-back 20240102000000_second",
        ],
    },
    Case {
        code: "D3142",
        server: Mysql,
        steps: &[
            File(SCHEMA, MYSQL_SCHEMA),
            File(INIT, MYSQL_INIT_SQL),
            File(SECOND, MYSQL_HALFWAY_SQL),
            Shell("drydock migrate deploy || true"),
            File(
                SECOND,
                "CREATE TABLE `B` (`id` BIGINT NOT NULL PRIMARY KEY);\nSELECT 1;\n",
            ),
        ],
        run: &["migrate", "resolve", "--finish", "20240102000000_second"],
        exit: 1,
        says: &[
            "are not those of its `migration.sql` any more",
            "statement 1 ran as `CREATE TABLE `B` (`id` INTEGER NOT NULL PRIMARY KEY);`",
        ],
    },
    Case {
        code: "D3143",
        server: Mysql,
        steps: &[
            File(SCHEMA, MYSQL_SCHEMA),
            File(INIT, MYSQL_INIT_SQL),
            File(SECOND, MYSQL_HALFWAY_SQL),
            Shell("drydock migrate deploy || true"),
        ],
        run: &["migrate", "resolve", "--undo", "20240102000000_second"],
        exit: 1,
        says: &["loses data", "drop the `B` table", "--accept-data-loss"],
    },
    Case {
        code: "D3144",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(INIT, INIT_SQL),
            // A sequence is none of the objects the differ drops: its undo is not exact.
            File(
                SECOND,
                "CREATE SEQUENCE \"s\";\nCREATE INDEX CONCURRENTLY \"i\" ON \"nope\"(\"id\");\n",
            ),
            Shell("drydock migrate deploy || true"),
        ],
        run: &["migrate", "resolve", "--undo", "20240102000000_second"],
        exit: 1,
        says: &["cannot compute an exact undo", "`s`", "--rolled-back"],
    },
    Case {
        code: "D3145",
        server: Mysql,
        steps: &[
            File(SCHEMA, MYSQL_SCHEMA),
            File(INIT, MYSQL_INIT_SQL),
            File(SECOND, MYSQL_HALFWAY_SQL),
            Shell("drydock migrate deploy || true"),
            // What the shadow database lacks: a table made by hand that references `B`.
            Sql("CREATE TABLE `X` (`b` INTEGER, FOREIGN KEY (`b`) REFERENCES `B`(`id`))"),
        ],
        run: &[
            "migrate",
            "resolve",
            "--undo",
            "20240102000000_second",
            "--accept-data-loss",
        ],
        exit: 1,
        says: &[
            "undoing `20240102000000_second` failed at statement 1 of 1",
            "still shows `20240102000000_second` as failed",
        ],
    },
    Case {
        code: "D3121",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(INIT, INIT_SQL),
            DEPLOY,
            File(
                SECOND,
                "CREATE TABLE \"B\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
            ),
        ],
        run: &["migrate", "deploy", "--require-approval"],
        exit: 1,
        says: &[
            "nothing was applied",
            "no approval is recorded",
            "20240102000000_second: pending but not approved",
            "/dashboard/migrations",
        ],
    },
    Case {
        code: "D3200",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(INIT, INIT_SQL),
            DEPLOY,
            Sql("UPDATE _drydock._drydock_audit SET actor = 'mallory' WHERE seq = 1"),
        ],
        run: &["audit", "--verify"],
        exit: 1,
        says: &[
            "hash chain breaks at entry 1",
            "does not match its hash: it was edited",
        ],
    },
    Case {
        code: "D3201",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &["audit", "install"],
        exit: 1,
        says: &[
            "sqlite databases have no event triggers",
            "drydock's own changes",
            "are still audited",
        ],
    },
    Case {
        code: "D3202",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            Sql("DO $$ BEGIN \
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drydock_errors_audit') THEN \
                 CREATE ROLE drydock_errors_audit LOGIN; END IF; \
                 EXECUTE format('GRANT CREATE ON DATABASE %I TO drydock_errors_audit', \
                 current_database()); END $$"),
        ],
        run: &[
            "audit",
            "install",
            "--url",
            "{url}?user=drydock_errors_audit",
        ],
        exit: 1,
        says: &["event triggers need a superuser", "superuser's URL"],
    },
    // D4xxx: lint rules (docs/lint/), printed by `drydock lint`; errors exit 1.
    lint_case!(
        "D4001",
        0,
        "SELECT 1;\n",
        "DO $$ BEGIN PERFORM 1; END $$;\n",
        "unparsed-statement"
    ),
    lint_case!(
        "D4101",
        1,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "DROP TABLE \"User\";\n",
        "drop-table"
    ),
    lint_case!(
        "D4102",
        1,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"nickname\" text);\n",
        "ALTER TABLE \"User\" DROP COLUMN \"nickname\";\n",
        "drop-column"
    ),
    lint_case!(
        "D4103",
        1,
        "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\nCREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"role\" \"Role\");\n",
        "CREATE TYPE \"Role_new\" AS ENUM ('USER');\nALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role_new\" USING (\"role\"::text::\"Role_new\");\nALTER TYPE \"Role\" RENAME TO \"Role_old\";\nALTER TYPE \"Role_new\" RENAME TO \"Role\";\nDROP TYPE \"Role_old\";\n",
        "drop-enum-value"
    ),
    lint_case!(
        "D4104",
        1,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"name\" varchar(100));\n",
        "ALTER TABLE \"User\" ALTER COLUMN \"name\" TYPE varchar(20);\n",
        "narrowing-type-change"
    ),
    lint_case!(
        "D4105",
        1,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "TRUNCATE \"User\";\n",
        "truncate"
    ),
    lint_case!(
        "D4106",
        1,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "DELETE FROM \"User\";\n",
        "delete-without-where"
    ),
    lint_case!(
        "D4107",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"plan\" text);\n",
        "UPDATE \"User\" SET \"plan\" = 'free';\n",
        "update-without-where"
    ),
    lint_case!(
        "D4201",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\n",
        "CREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n",
        "require-concurrent-index"
    ),
    lint_case!(
        "D4202",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\nCREATE TABLE \"Post\" (\"id\" integer PRIMARY KEY, \"authorId\" integer);\n",
        "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\");\n",
        "foreign-key-without-not-valid"
    ),
    lint_case!(
        "D4203",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"total\" integer);\n",
        "ALTER TABLE \"User\" ADD CONSTRAINT \"User_total_positive\" CHECK (\"total\" >= 0);\n",
        "check-without-not-valid"
    ),
    lint_case!(
        "D4204",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\n",
        "ALTER TABLE \"User\" ALTER COLUMN \"email\" SET NOT NULL;\n",
        "set-not-null-without-check"
    ),
    lint_case!(
        "D4205",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "ALTER TABLE \"User\" ADD COLUMN \"token\" uuid NOT NULL DEFAULT gen_random_uuid();\n",
        "volatile-column-default"
    ),
    lint_case!(
        "D4206",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "ALTER TABLE \"User\" ALTER COLUMN \"id\" TYPE bigint;\n",
        "rewriting-type-change"
    ),
    lint_case!(
        "D4207",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "VACUUM FULL \"User\";\n",
        "vacuum-full"
    ),
    lint_case!(
        "D4208",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"at\" timestamp);\nCREATE INDEX \"User_at_idx\" ON \"User\"(\"at\");\n",
        "CLUSTER \"User\" USING \"User_at_idx\";\n",
        "cluster"
    ),
    lint_case!(
        "D4301",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "ALTER TABLE \"User\" RENAME TO \"Client\";\n",
        "rename-table"
    ),
    lint_case!(
        "D4302",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"name\" text);\n",
        "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"fullName\";\n",
        "rename-column"
    ),
    lint_case!(
        "D4401",
        1,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\n",
        "BEGIN;\nCREATE INDEX CONCURRENTLY \"User_email_idx\" ON \"User\"(\"email\");\nCOMMIT;\n",
        "concurrently-in-transaction"
    ),
    lint_case!(
        "D4402",
        1,
        "CREATE TYPE \"Role\" AS ENUM ('USER');\nCREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"role\" \"Role\", \"isMod\" boolean);\n",
        "ALTER TYPE \"Role\" ADD VALUE 'MODERATOR';\nUPDATE \"User\" SET \"role\" = 'MODERATOR' WHERE \"isMod\";\n",
        "enum-value-used-in-transaction"
    ),
    lint_case!(
        "D4108",
        1,
        "SELECT 1;\n",
        "DROP DATABASE \"legacy\";\n",
        "drop-database"
    ),
    lint_case!(
        "D4209",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n",
        "DROP INDEX \"User_email_idx\";\n",
        "require-concurrent-index-drop"
    ),
    lint_case!(
        "D4210",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\n",
        "ALTER TABLE \"User\" ADD CONSTRAINT \"User_email_key\" UNIQUE (\"email\");\n",
        "constraint-without-using-index"
    ),
    lint_case!(
        "D4211",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "REINDEX TABLE \"User\";\n",
        "reindex-without-concurrently"
    ),
    lint_case!(
        "D4212",
        1,
        "CREATE TABLE \"Log\" (\"at\" timestamp) PARTITION BY RANGE (\"at\");\nCREATE TABLE \"Log_2023\" PARTITION OF \"Log\" FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');\n",
        "ALTER TABLE \"Log\" DETACH PARTITION \"Log_2023\";\n",
        "detach-partition-without-concurrently"
    ),
    lint_case!(
        "D4213",
        0,
        "CREATE DOMAIN \"positive_int\" AS integer;\n",
        "ALTER DOMAIN \"positive_int\" ADD CONSTRAINT \"positive\" CHECK (VALUE > 0);\n",
        "domain-constraint"
    ),
    lint_case!(
        "D4303",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "ALTER TABLE \"User\" ADD COLUMN \"plan\" TEXT NOT NULL;\n",
        "add-required-column"
    ),
    lint_case!(
        "D4304",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"name\" text NOT NULL);\n",
        "ALTER TABLE \"User\" ALTER COLUMN \"name\" DROP NOT NULL;\n",
        "drop-not-null"
    ),
    lint_case!(
        "D4403",
        1,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"name\" text);\n",
        "BEGIN;\nUPDATE \"User\" SET \"name\" = 'a' WHERE \"id\" = 1;\n",
        "transaction-nesting"
    ),
    Case {
        code: "D4010",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(INIT, "SELECT 1;\n"),
            File(
                "lint-baseline.json",
                "{\"version\": 1, \"findings\": [oops]}\n",
            ),
        ],
        run: &["lint", "--baseline", "lint-baseline.json"],
        exit: 1,
        says: &["lint baseline", "line 1, column", "--write-baseline"],
    },
    Case {
        code: "D4011",
        server: Postgres,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA), File(INIT, "SELECT 1;\n")],
        run: &["lint", "--since", "no-such-branch"],
        exit: 1,
        says: &["added since `no-such-branch`", "git fetch origin main"],
    },
    lint_case!(
        "D4501",
        0,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY);\n",
        "ALTER TABLE \"User\" ADD COLUMN \"bio\" text;\n",
        "require-lock-timeout",
        &["lint", "--deployed-by", "prisma"]
    ),
    Case {
        code: "D4601",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(
                "prisma/migrations/20240101000000_stuff/migration.sql",
                "SELECT 1;\n",
            ),
        ],
        run: &["lint"],
        exit: 0,
        says: &["migration-name", "does not say what the migration does"],
    },
    // D5xxx: backups.
    Case {
        code: "D5001",
        server: Sqlite,
        steps: &[],
        run: &["backup", "create", "--url", "mongodb://127.0.0.1/app"],
        exit: 1,
        says: &[
            "no backup backend handles the URL `mongodb://127.0.0.1/app`",
            "drydock backs up PostgreSQL",
        ],
    },
    Case {
        code: "D5002",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &["backup", "create", "--url", "file:./no-such.db"],
        exit: 1,
        says: &["the SQLite database", "does not exist"],
    },
    Case {
        code: "D5010",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            File("backups", "not a folder"),
        ],
        run: &["backup", "create"],
        exit: 1,
        says: &["backups"],
    },
    Case {
        code: "D5011",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            File(INIT, INIT_SQL),
            DEPLOY,
            // A pg_dump of the machine's own version (so it is the one chosen) that fails;
            // `bin` comes first on the command's PATH.
            File(
                "bin/pg_dump",
                "#!/bin/sh\nif [ \"$1\" = --version ]; then PATH=${PATH#*:} exec pg_dump --version; fi\n\
                 echo 'pg_dump: error: out of disk space' >&2\nexit 1\n",
            ),
            File("bin/pg_restore", "#!/bin/sh\nexit 1\n"),
            Shell("chmod +x bin/pg_dump bin/pg_restore"),
        ],
        run: &["backup", "create"],
        exit: 1,
        says: &["`pg_dump` failed", "out of disk space"],
    },
    Case {
        code: "D5012",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            Shell(
                "printf 'this is not a database file, not at all, really not' > prisma/garbage.db",
            ),
        ],
        run: &["backup", "create", "--url", "file:./garbage.db"],
        exit: 1,
        says: &["database query failed", "not a database"],
    },
    Case {
        code: "D5013",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Shell("BACKUP_KEY=s3cret drydock backup create --passphrase-env BACKUP_KEY"),
        ],
        run: &["backup", "verify"],
        exit: 1,
        says: &["encryption:", "is encrypted: give its passphrase"],
    },
    Case {
        code: "D5020",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Drydock(&["backup", "create"]),
            Shell("for f in backups/*.dump.zst; do printf 'x' >> \"$f\"; done"),
        ],
        run: &["backup", "verify", "--checksum-only"],
        exit: 1,
        says: &["is corrupt"],
    },
    Case {
        code: "D5021",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Drydock(&["backup", "create"]),
            Shell("for f in backups/*.manifest.json; do printf '{' > \"$f\"; done"),
        ],
        run: &["backup", "list"],
        exit: 1,
        says: &[
            "unreadable manifest",
            ".manifest.json",
            "Restore it from a copy",
        ],
    },
    Case {
        code: "D5022",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Drydock(&["backup", "create"]),
            Shell("sed -i 's/\"rows\": *[0-9]*/\"rows\": 999999/' backups/*.manifest.json"),
        ],
        run: &["backup", "verify"],
        exit: 1,
        says: &["the restored data does not match the backup's manifest"],
    },
    Case {
        code: "D5030",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Drydock(&["backup", "create"]),
        ],
        run: &["backup", "verify", "no-such-backup"],
        exit: 1,
        says: &[
            "no backup matches `no-such-backup`",
            "`drydock backup list` shows",
        ],
    },
    Case {
        code: "D5030",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT, DEPLOY],
        run: &["backup", "verify"],
        exit: 1,
        says: &[
            "there are no backups in `backups`",
            "run `drydock backup create`",
        ],
    },
    Case {
        code: "D5030",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), SQLITE_INIT, DEPLOY],
        run: &[
            "backup",
            "restore",
            "--allow-unverified",
            "--to",
            "file:./restored.db",
        ],
        exit: 1,
        says: &["there are no backups in `backups`"],
    },
    Case {
        code: "D5031",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Drydock(&["backup", "create"]),
        ],
        run: &["backup", "restore", "--to", "file:./restored.db"],
        exit: 1,
        says: &[
            "no restore-tested backup",
            "drydock backup verify",
            "--allow-unverified",
        ],
    },
    Case {
        code: "D5015",
        server: Postgres,
        steps: &[File(SCHEMA, POSTGRES_SCHEMA)],
        run: &["backup", "create", "--url", "{url}?pgbouncer=true"],
        exit: 1,
        says: &[
            "backups cannot run through a connection pooler",
            "directUrl",
        ],
    },
    Case {
        code: "D5032",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Drydock(&["backup", "create"]),
            Drydock(&["backup", "verify"]),
        ],
        run: &["backup", "restore"],
        exit: 1,
        says: &["already has tables: pass --force"],
    },
    Case {
        code: "D5033",
        server: Postgres,
        steps: &[
            File(SCHEMA, POSTGRES_SCHEMA),
            Shell(
                "mkdir side && cd side && printf 'CREATE TABLE t (id INTEGER);' > t.sql \
                 && drydock db execute --file t.sql --url file:./side.db \
                 && drydock backup create --url file:./side.db \
                 && drydock backup verify --url file:./side.db && mv backups ..",
            ),
        ],
        run: &["backup", "restore", "--to", "{url}"],
        exit: 1,
        says: &["is a sqlite backup and cannot be restored into a postgresql database"],
    },
    Case {
        code: "D5034",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            SQLITE_INIT,
            DEPLOY,
            Drydock(&["backup", "create"]),
        ],
        run: &[
            "backup",
            "restore",
            "{newest}",
            "--to",
            "file:./restored.db",
        ],
        exit: 1,
        says: &["has not passed a restore test", "--allow-unverified"],
    },
    // P4xxx: introspection.
    Case {
        code: "P4001",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA), Sql("SELECT 1")],
        run: &["db", "pull", "--print"],
        exit: 1,
        says: &["empty"],
    },
    // D6xxx: data maintenance (cleanup).
    Case {
        code: "D6101",
        server: Sqlite,
        steps: &[
            File(SCHEMA, CLEANUP_SCHEMA),
            Sql(CLEANUP_TABLES),
            Sql("INSERT INTO \"B\" VALUES (7, 42)"),
        ],
        run: &["cleanup"],
        exit: 0,
        says: &["1 rows of B reference no row of A", "e.g. id=7", "--apply"],
    },
    Case {
        code: "D6102",
        server: Sqlite,
        steps: &[
            File(SCHEMA, CLEANUP_SCHEMA),
            Sql("CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY)"),
        ],
        run: &["cleanup"],
        exit: 0,
        says: &["relation B.a cannot be searched for orphans: table B is missing"],
    },
    Case {
        code: "D6111",
        server: Sqlite,
        steps: &[
            File(SCHEMA, CLEANUP_SCHEMA),
            Sql(CLEANUP_TABLES),
            Sql("INSERT INTO \"B\" VALUES (7, 42)"),
        ],
        run: &["cleanup", "--apply"],
        exit: 1,
        says: &["B.a (onDelete Restrict, required)", "--action delete"],
    },
    Case {
        code: "D6112",
        server: Sqlite,
        steps: &[
            File(SCHEMA, CLEANUP_SCHEMA),
            Sql(CLEANUP_TABLES),
            Sql("INSERT INTO \"B\" VALUES (7, 42)"),
            Sql(
                "CREATE TRIGGER keep BEFORE DELETE ON \"B\" BEGIN SELECT RAISE(ABORT, 'B rows stay'); END",
            ),
        ],
        run: &["cleanup", "--apply", "--action", "delete"],
        exit: 1,
        says: &["a batch of `B.a` failed and was rolled back", "B rows stay"],
    },
    Case {
        code: "D6114",
        server: Sqlite,
        steps: &[
            File(SCHEMA, CLEANUP_SCHEMA),
            Sql(CLEANUP_TABLES),
            Sql(
                "CREATE TABLE _drydock_cleanups (archive VARCHAR(200) PRIMARY KEY, started_at VARCHAR(40) NOT NULL, batches BIGINT NOT NULL, rows_done BIGINT NOT NULL, archive_bytes BIGINT NOT NULL, finished_at VARCHAR(40))",
            ),
            Sql(
                "INSERT INTO _drydock_cleanups VALUES ('20260101T000000_cleanup_sqlite_gone', '2026-01-01T00:00:00Z', 3, 30, 900, NULL)",
            ),
        ],
        run: &["cleanup", "--apply"],
        exit: 1,
        says: &[
            "an unfinished cleanup (`20260101T000000_cleanup_sqlite_gone`) cannot be resumed",
            "--archive-dir",
        ],
    },
    Case {
        code: "D6117",
        server: Sqlite,
        steps: &[
            File(SCHEMA, CLEANUP_SCHEMA),
            Sql(CLEANUP_TABLES),
            File(
                "drydock.toml",
                "[[rules]]\nname = \"stale\"\ntable = \"Gone\"\nwhere = \"1 = 1\"\ncleanup = \"delete\"\n",
            ),
        ],
        run: &["cleanup"],
        exit: 1,
        says: &[
            "the cleanup of rule `stale` cannot run",
            "the database has no table `Gone`",
        ],
    },
    Case {
        code: "D6115",
        server: Sqlite,
        steps: &[
            File(SCHEMA, CLEANUP_SCHEMA),
            Shell("echo not-an-archive > old.cleanup.jsonl.zst"),
        ],
        run: &["cleanup", "restore", "old.cleanup.jsonl.zst"],
        exit: 1,
        says: &["is not a usable cleanup archive", "old.cleanup.json"],
    },
    // D7xxx: `drydock serve` cannot start.
    Case {
        code: "D7001",
        server: Sqlite,
        steps: &[File(SCHEMA, SQLITE_SCHEMA)],
        run: &["serve", "--listen", "192.0.2.1:7878"],
        exit: 1,
        says: &["cannot listen on `192.0.2.1:7878`"],
    },
    Case {
        code: "D7002",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File("cert.pem", "not a certificate\n"),
        ],
        run: &["serve", "--tls-cert", "cert.pem", "--tls-key", "cert.pem"],
        exit: 1,
        says: &["cannot serve TLS with `cert.pem`", "no PEM certificate"],
    },
    Case {
        code: "D7003",
        server: Sqlite,
        steps: &[
            File(SCHEMA, SQLITE_SCHEMA),
            File(
                "drydock.toml",
                "[[serve.tokens]]\nname = \"ci\"\nenv = \"DRYDOCK_ERRORS_UNSET_TOKEN\"\n",
            ),
        ],
        run: &["serve"],
        exit: 1,
        says: &["the environment variable `DRYDOCK_ERRORS_UNSET_TOKEN`, which is not set"],
    },
];

/// Codes whose only way to happen is a crash, a signal, a race or a program environment a case
/// cannot set up (its environment variables); each is proven by the test named here (file, then test function), which docs/errors.md names too.
const PROVEN_ELSEWHERE: &[(&str, &str, &str)] = &[
    // Only a wrong rewrite reaches it: the guard is proven on a fix made to change the schema.
    (
        "D4012",
        "crates/drydock-engine/src/lint_fix.rs",
        "a_fix_that_changes_the_schema_is_refused",
    ),
    // The HTTP API's errors of `drydock serve`, met by a client of the running server.
    (
        "D7101",
        "crates/drydock/tests/serve.rs",
        "people_sign_in_and_only_operators_run_tasks_with_a_csrf_token",
    ),
    (
        "D7102",
        "crates/drydock/tests/serve.rs",
        "people_sign_in_and_only_operators_run_tasks_with_a_csrf_token",
    ),
    (
        "D7103",
        "crates/drydock/tests/serve.rs",
        "people_sign_in_and_only_operators_run_tasks_with_a_csrf_token",
    ),
    (
        "D7104",
        "crates/drydock/tests/serve.rs",
        "people_sign_in_and_only_operators_run_tasks_with_a_csrf_token",
    ),
    (
        "D7105",
        "crates/drydock/tests/serve.rs",
        "people_sign_in_and_only_operators_run_tasks_with_a_csrf_token",
    ),
    (
        "D7110",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7111",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7112",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7113",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7114",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7115",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7116",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7117",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7118",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    (
        "D7119",
        "crates/drydock/tests/serve_tasks.rs",
        "postgres_tasks_run_with_live_logs",
    ),
    // Deployment approval on the migrations page of `drydock serve`.
    (
        "D7130",
        "crates/drydock/tests/serve_migrations.rs",
        "approval_on_postgres",
    ),
    (
        "D7131",
        "crates/drydock/tests/serve_migrations.rs",
        "approval_on_postgres",
    ),
    (
        "D7132",
        "crates/drydock/tests/serve_migrations.rs",
        "approval_on_postgres",
    ),
    // A deploy plan refused: it needs a plan made, then the folder or the database changed.
    (
        "D3151",
        "crates/drydock/tests/deploy_plan.rs",
        "postgres_plan_applies_exactly_and_is_refused_when_things_changed",
    ),
    (
        "D3152",
        "crates/drydock/tests/deploy_plan.rs",
        "postgres_plan_applies_exactly_and_is_refused_when_things_changed",
    ),
    // The scheduler inside `drydock serve`, met by running servers.
    (
        "D7201",
        "crates/drydock/tests/serve_schedule.rs",
        "overruns_are_killed_and_sigterm_stops_a_running_job",
    ),
    (
        "D7202",
        "crates/drydock/tests/serve_schedule.rs",
        "overruns_are_killed_and_sigterm_stops_a_running_job",
    ),
    (
        "D7203",
        "crates/drydock/tests/serve_schedule.rs",
        "missed_due_times_are_reported_and_caught_up_once",
    ),
    (
        "D7204",
        "crates/drydock/tests/serve_schedule.rs",
        "claims_that_cannot_be_written_are_reported",
    ),
    (
        "D7205",
        "crates/drydock/tests/serve_schedule.rs",
        "overruns_are_killed_and_sigterm_stops_a_running_job",
    ),
    // The MySQL and MariaDB online-DDL rules: each corpus file names the rules it breaks.
    (
        "D4701",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    (
        "D4702",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    (
        "D4703",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    (
        "D4704",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    (
        "D4705",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    (
        "D4706",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    (
        "D4707",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    (
        "D4708",
        "crates/drydock-lint/tests/corpus.rs",
        "dangerous_mysql_files_break_exactly_the_rules_they_name",
    ),
    // Ctrl-C between two cleanup batches.
    (
        "D6113",
        "crates/drydock-maintenance/tests/cleanup.rs",
        "postgres_resumes_after_an_interruption",
    ),
    // A restore whose rows are back already (a second restore of one archive).
    (
        "D6116",
        "crates/drydock-maintenance/tests/cleanup.rs",
        "postgres_orphans_without_foreign_keys",
    ),
    // The server stopped under a deploy.
    (
        "P1017",
        "crates/drydock/tests/crash.rs",
        "a_deploy_whose_server_stops_anywhere_is_finished_by_the_next_deploy_after_the_restart",
    ),
    // Ctrl-C or SIGTERM during a deploy.
    (
        "D3016",
        "crates/drydock/tests/interrupt.rs",
        "stopped_deploy_resumes",
    ),
    // A signal between two backfill batches.
    (
        "D3063",
        "crates/drydock-migrate/tests/backfill.rs",
        "resumes_after_an_interruption",
    ),
    // Every pg_dump older than the server: the machine's own match it, so the test points
    // `DRYDOCK_PG_BIN` at older ones.
    (
        "D5014",
        "crates/drydock/tests/backup.rs",
        "postgres_backup_with_a_pg_dump_older_than_the_server_is_d5014_and_writes_nothing",
    ),
    // A kill during a `down.sql` that runs outside a transaction.
    (
        "D3018",
        "crates/drydock/tests/crash.rs",
        "a_down_killed_or_cut_off_anywhere_leaves_history_and_schema_agreeing_and_is_recovered",
    ),
    // A second restore while the first, into a database it created, still runs.
    (
        "D5035",
        "crates/drydock/tests/restore_running.rs",
        "a_second_restore_refuses_a_running_one_and_replaces_a_killed_one",
    ),
    // A restore that fails, then cannot drop what another session created meanwhile.
    (
        "D5023",
        "crates/drydock-backup/tests/roundtrip.rs",
        "a_change_a_failed_restore_cannot_drop_is_named",
    ),
];

#[test]
fn every_code_prints_its_message_and_exit_status() {
    let mut failures = Vec::new();
    for case in CASES {
        if let Err(message) = std::panic::catch_unwind(|| run_case(case)) {
            let text = message
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| message.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{}: {text}", case.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn run_case(case: &Case) {
    let db = match case.server {
        Sqlite => TestDb::sqlite(),
        Postgres => TestDb::postgres(),
        Mysql => TestDb::mysql(),
    };
    let project = tempfile::tempdir().expect("temp dir");
    let dir = project.path();
    let mut held = Vec::new();
    for step in case.steps {
        match step {
            File(path, text) => {
                let path = dir.join(path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).expect("create folder");
                }
                std::fs::write(path, text.replace("{url}", db.url())).expect("write file");
            }
            Drydock(args) => {
                let output = drydock(dir, &db, args);
                assert_eq!(
                    output.status.code(),
                    Some(0),
                    "setup `drydock {}` failed:\n{}",
                    args.join(" "),
                    text_of(&output)
                );
            }
            Sql(sql) => run_sql(&db, sql),
            Hold(sql) => {
                let mut client = db.postgres_client();
                client.batch_execute(sql).expect("held SQL");
                held.push(client);
            }
            Shell(script) => {
                let bin = Path::new(env!("CARGO_BIN_EXE_drydock"));
                let path = format!(
                    "{}:{}",
                    bin.parent().map(Path::display).expect("bin folder"),
                    std::env::var("PATH").unwrap_or_default()
                );
                let status = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(script)
                    .current_dir(dir)
                    .env("PATH", path)
                    .env("DATABASE_URL", db.url())
                    .env("DRYDOCK_CACHE_DIR", dir.join(".cache"))
                    .status()
                    .expect("run sh");
                assert!(status.success(), "setup `{script}` failed");
            }
        }
    }
    let args: Vec<String> = case
        .run
        .iter()
        .map(|arg| {
            arg.replace("{url}", db.url())
                .replace("{newest}", &newest_backup(dir))
                .replace(
                    "{no_such_database}",
                    &server_url_with(None, "drydock_errors_no_such_database"),
                )
                .replace(
                    "{no_such_user}",
                    &server_url_with(Some("drydock_errors_no_such_user"), "postgres"),
                )
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = drydock(dir, &db, &args);
    drop(held);
    let text = text_of(&output).replace(&dir.display().to_string(), "<project>");
    assert_eq!(
        output.status.code(),
        Some(case.exit),
        "exit status of `drydock {}`:\n{text}",
        args.join(" ")
    );
    assert!(
        text.contains(case.code),
        "`drydock {}` does not print {}:\n{text}",
        args.join(" "),
        case.code
    );
    for words in case.says {
        assert!(
            text.contains(words),
            "`drydock {}` does not say `{words}`:\n{text}",
            args.join(" ")
        );
    }
}

/// `drydock args` in the project `dir`; the project's `bin` folder comes first in `PATH`, so a
/// case can put a failing tool there.
fn drydock(dir: &Path, db: &TestDb, args: &[&str]) -> Output {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::cargo_bin("drydock")
        .expect("binary")
        .current_dir(dir)
        .env("PATH", path)
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("DRYDOCK_CACHE_DIR", dir.join(".cache"))
        .write_stdin("")
        .output()
        .expect("run drydock")
}

/// The test server's URL with another database and, if given, another user.
fn server_url_with(user: Option<&str>, database: &str) -> String {
    let server = drydock_test_support::postgres_server_url();
    let mut url = drydock_connector::DbUrl::parse(&server).expect("TEST_POSTGRES_URL is a URL");
    url.database = Some(database.to_owned());
    if let Some(user) = user {
        url.user = Some(user.to_owned());
        url.password = Some("secret".to_owned());
    }
    url.to_url()
}

fn text_of(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    )
}

fn run_sql(db: &TestDb, sql: &str) {
    match db.kind() {
        drydock_test_support::DatabaseKind::Postgres => {
            db.postgres_client().batch_execute(sql).expect("setup SQL");
        }
        drydock_test_support::DatabaseKind::Sqlite => {
            rusqlite::Connection::open(db.sqlite_path())
                .and_then(|conn| conn.execute_batch(sql))
                .expect("setup SQL");
        }
        drydock_test_support::DatabaseKind::Mysql => {
            drydock_engine::dialects::for_url(db.url())
                .expect("a MySQL URL")
                .connect(db.url())
                .and_then(|mut conn| {
                    conn.execute_script(sql)
                        .map_err(|e| drydock_connector::ConnectorError::query(e.message))
                })
                .expect("setup SQL");
        }
    }
}

/// The id of the newest backup in the project's `backups` folder, or nothing.
fn newest_backup(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("backups"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter_map(|name| name.strip_suffix(".manifest.json").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.pop().unwrap_or_default()
}

// The catalog: source, docs/errors.md and the cases above agree.

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `[DP]dddd` word in `text`.
fn codes_in(text: &str) -> BTreeSet<String> {
    let bytes = text.as_bytes();
    let mut codes = BTreeSet::new();
    for start in 0..bytes.len().saturating_sub(4) {
        let word = &bytes[start..start + 5];
        let boundary_before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let boundary_after = bytes
            .get(start + 5)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        if matches!(word[0], b'D' | b'P')
            && word[1..].iter().all(u8::is_ascii_digit)
            && boundary_before
            && boundary_after
        {
            codes.insert(String::from_utf8_lossy(word).into_owned());
        }
    }
    codes
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The codes the library and binary sources use (their `src` folders).
fn source_codes() -> BTreeSet<String> {
    let mut files = Vec::new();
    let crates = std::fs::read_dir(workspace().join("crates")).expect("crates folder");
    for krate in crates.filter_map(Result::ok) {
        rust_files(&krate.path().join("src"), &mut files);
    }
    files
        .iter()
        .flat_map(|path| codes_in(&std::fs::read_to_string(path).unwrap_or_default()))
        .collect()
}

/// The codes docs/errors.md catalogs: one `### CODE` heading each.
fn catalog() -> String {
    std::fs::read_to_string(workspace().join("docs/errors.md")).expect("docs/errors.md")
}

fn catalog_codes(catalog: &str) -> BTreeSet<String> {
    catalog
        .lines()
        .filter_map(|line| line.strip_prefix("### "))
        .flat_map(codes_in)
        .collect()
}

/// The codes docs/errors.md keeps for their meaning but marks as no longer raised: a code is
/// never given another meaning.
fn retired_codes(catalog: &str) -> BTreeSet<String> {
    catalog
        .split("\n### ")
        .skip(1)
        .filter(|section| section.contains("- **No longer raised:**"))
        .flat_map(|section| codes_in(section.lines().next().unwrap_or_default()))
        .collect()
}

/// Finding codes have their own catalog page, by prefix: each `### CODE` section there names the
/// test that proves the code (`Proven by `file` `test`.`).
const FINDING_PAGES: &[(&str, &str)] = &[
    ("D60", "docs/check.md"),
    ("D62", "docs/indexes.md"),
    ("D63", "docs/stats.md"),
    ("D64", "docs/alerts.md"),
];

fn is_finding_code(code: &str) -> bool {
    FINDING_PAGES
        .iter()
        .any(|(prefix, _)| code.starts_with(prefix))
}

#[test]
fn finding_codes_are_cataloged_on_their_page_and_proven_by_a_named_test() {
    let source = source_codes();
    for (prefix, page) in FINDING_PAGES {
        let text = std::fs::read_to_string(workspace().join(page)).expect("the finding page");
        let in_source: BTreeSet<String> = source
            .iter()
            .filter(|code| code.starts_with(prefix))
            .cloned()
            .collect();
        let documented: BTreeSet<String> = catalog_codes(&text)
            .into_iter()
            .filter(|code| code.starts_with(prefix))
            .collect();
        assert_eq!(in_source, documented, "{page} and the source disagree");
        for section in text.split("\n### ").skip(1) {
            let code = &section[..5];
            // `Proven by `file` `test`.`, the words possibly in bold.
            let proof = section
                .split("Proven by")
                .nth(1)
                .unwrap_or_else(|| panic!("{page}: {code} names no test that proves it"));
            let mut parts = proof.split('`').skip(1);
            let file = parts.next().unwrap_or_default();
            let test = parts.nth(1).unwrap_or_default();
            let source = std::fs::read_to_string(workspace().join(file)).unwrap_or_default();
            assert!(
                source.contains(&format!("fn {test}(")) && source.contains(code),
                "{page}: {code} is proven by `{file}` `{test}`, which has no such test or \
                 does not name the code"
            );
        }
    }
}

#[test]
fn source_catalog_and_cases_name_the_same_codes() {
    // Finding codes have catalogs of their own (see the test above).
    let source: BTreeSet<String> = source_codes()
        .into_iter()
        .filter(|code| !is_finding_code(code))
        .collect();
    let catalog = catalog();
    let retired = retired_codes(&catalog);
    let raised_again: Vec<_> = retired.intersection(&source).collect();
    assert!(
        raised_again.is_empty(),
        "marked as no longer raised in docs/errors.md, yet in the source: {raised_again:?}"
    );
    let documented: BTreeSet<String> = catalog_codes(&catalog)
        .difference(&retired)
        .cloned()
        .collect();
    let mut proven: BTreeSet<String> = CASES.iter().map(|c| c.code.to_owned()).collect();
    for (code, file, test) in PROVEN_ELSEWHERE {
        let text = std::fs::read_to_string(workspace().join(file)).unwrap_or_default();
        assert!(
            text.contains(&format!("fn {test}(")),
            "{code}: {file} has no test `{test}`"
        );
        assert!(
            catalog.contains(&format!("`{file}` `{test}`")),
            "{code}: docs/errors.md does not name the test that proves it (`{file}` `{test}`)"
        );
        assert!(proven.insert((*code).to_owned()), "{code} has a case here");
    }
    let missing_docs: Vec<_> = source.difference(&documented).collect();
    assert!(
        missing_docs.is_empty(),
        "not in docs/errors.md: {missing_docs:?}"
    );
    let unknown: Vec<_> = documented.difference(&source).collect();
    assert!(
        unknown.is_empty(),
        "in docs/errors.md, not in the source: {unknown:?}"
    );
    let unproven: Vec<_> = source.difference(&proven).collect();
    assert!(unproven.is_empty(), "no case proves: {unproven:?}");
    let stray: Vec<_> = proven.difference(&source).collect();
    assert!(
        stray.is_empty(),
        "cases for codes not in the source: {stray:?}"
    );
}
