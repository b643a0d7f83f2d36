//! `migrate dev` weighs a new migration against the rows of the development database before it
//! writes anything: a required column added to a table with rows, a column made required over
//! NULLs, a unique key over duplicates and an enum value removed while rows hold it stop it with
//! counts and advice; drops say how much data they lose. Empty tables keep the plain warnings:
//! production may hold rows.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use drydock_test_support::output::{assert_exit, stderr};

const SQLITE: &str =
    "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\n";
const POSTGRES: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n";

struct Project {
    dir: tempfile::TempDir,
    header: &'static str,
    url: Option<String>,
}

impl Project {
    fn new(header: &'static str, url: Option<String>, models: &str) -> Project {
        let dir = tempfile::tempdir().expect("project");
        std::fs::create_dir_all(dir.path().join("prisma")).expect("prisma folder");
        let project = Project { dir, header, url };
        project.schema(models);
        project
    }

    fn schema(&self, models: &str) {
        std::fs::write(
            self.dir.path().join("prisma/schema.prisma"),
            format!("{}{models}", self.header),
        )
        .expect("schema");
    }

    fn drydock(&self, args: &[&str]) -> Output {
        let mut command = Command::cargo_bin("drydock").expect("binary");
        command
            .current_dir(self.dir.path())
            .args(args)
            .write_stdin("")
            .env("DRYDOCK_CACHE_DIR", self.dir.path().join(".cache"))
            .env_remove("DATABASE_URL");
        if let Some(url) = &self.url {
            command.env("DATABASE_URL", url);
        }
        command.output().expect("run drydock")
    }

    fn sqlite(&self, sql: &str) {
        rusqlite::Connection::open(self.dir.path().join("prisma/dev.db"))
            .and_then(|conn| conn.execute_batch(sql))
            .expect("sqlite");
    }

    fn migrations(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("prisma/migrations"))
            .map(|entries| entries.flatten().filter(|e| e.path().is_dir()).count())
            .unwrap_or(0)
    }

    fn newest_migration(&self) -> String {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path().join("prisma/migrations"))
            .expect("migrations")
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.path())
            .collect();
        names.sort();
        let newest = names.last().expect("a migration");
        std::fs::read_to_string(Path::new(newest).join("migration.sql")).expect("migration.sql")
    }
}

const USERS: &str = "model User {\n  id    Int     @id\n  email String?\n}\n";

#[test]
fn a_required_column_on_a_table_with_rows_stops_before_anything_is_written() {
    let project = Project::new(SQLITE, None, USERS);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    project.sqlite("INSERT INTO \"User\" VALUES (1, 'a'), (2, 'b');");
    project.schema("model User {\n  id    Int     @id\n  email String?\n  name  String\n}\n");

    let refused = project.drydock(&["migrate", "dev", "--name", "name"]);
    assert_exit(&refused, 1);
    let message = stderr(&refused);
    assert!(message.contains("[D2010]"), "{message}");
    assert!(
        message.contains("There are 2 rows in this table, it is not possible to execute this step"),
        "{message}"
    );
    assert!(message.contains("@default(...)"), "{message}");
    assert_eq!(project.migrations(), 1, "nothing was written");

    let written = project.drydock(&["migrate", "dev", "--name", "name", "--create-only"]);
    assert_exit(&written, 0);
    assert_eq!(project.migrations(), 2);
    assert!(
        project
            .newest_migration()
            .contains("There are 2 rows in this table"),
        "{}",
        project.newest_migration()
    );
}

#[test]
fn a_drop_says_how_much_data_it_loses() {
    let project = Project::new(
        SQLITE,
        None,
        "model User {\n  id Int @id\n  bio String?\n}\n\nmodel Draft {\n  id Int @id\n}\n",
    );
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    project.sqlite("INSERT INTO \"User\" VALUES (1, 'x'), (2, NULL), (3, 'y');");

    project.schema("model User {\n  id Int @id\n  bio String?\n}\n");
    let empty = project.drydock(&["migrate", "dev", "--name", "no_drafts"]);
    assert_exit(&empty, 1);
    assert!(
        stderr(&empty).contains("If the table is not empty, all the data it contains will be lost"),
        "{}",
        stderr(&empty)
    );
    assert_exit(
        &project.drydock(&[
            "migrate",
            "dev",
            "--name",
            "no_drafts",
            "--accept-data-loss",
        ]),
        0,
    );

    project.schema("model User {\n  id Int @id\n}\n");
    let refused = project.drydock(&["migrate", "dev", "--name", "no_bio"]);
    assert_exit(&refused, 1);
    let message = stderr(&refused);
    assert!(message.contains("[D2000]"), "{message}");
    assert!(
        message.contains("which still contains 2 non-null values"),
        "{message}"
    );
    assert_exit(
        &project.drydock(&["migrate", "dev", "--name", "no_bio", "--accept-data-loss"]),
        0,
    );
}

#[test]
fn duplicates_and_nulls_are_counted_on_postgres() {
    let db = TestDb::postgres();
    let project = Project::new(POSTGRES, Some(db.url().to_owned()), USERS);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    db.postgres_client()
        .batch_execute(
            "INSERT INTO \"User\" VALUES (1, 'a'), (2, 'a'), (3, 'a'), (4, NULL), (5, 'b');",
        )
        .expect("rows");

    project.schema("model User {\n  id    Int    @id\n  email String @unique\n}\n");
    let refused = project.drydock(&["migrate", "dev", "--name", "unique_email"]);
    assert_exit(&refused, 1);
    let message = stderr(&refused);
    assert!(message.contains("[D2010]"), "{message}");
    assert!(
        message.contains("but 3 rows share their values in these columns"),
        "{message}"
    );
    assert!(
        message.contains("required, but there are 1 existing NULL values"),
        "{message}"
    );
    assert_eq!(project.migrations(), 1, "nothing was written");
}

#[test]
fn a_type_change_that_fails_on_present_values_stops_with_the_database_error() {
    let db = TestDb::postgres();
    let project = Project::new(
        POSTGRES,
        Some(db.url().to_owned()),
        "model Code {\n  id    Int    @id\n  value String\n}\n",
    );
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    db.postgres_client()
        .batch_execute("INSERT INTO \"Code\" VALUES (1, 'abc'), (2, 'abcdef');")
        .expect("rows");

    project.schema("model Code {\n  id    Int    @id\n  value String @db.VarChar(3)\n}\n");
    let refused = project.drydock(&["migrate", "dev", "--name", "short"]);
    assert_exit(&refused, 1);
    let message = stderr(&refused);
    assert!(message.contains("[D2010]"), "{message}");
    assert!(
        message.contains("rolled back, the migration fails")
            && message.contains("value too long for type character varying(3)"),
        "{message}"
    );
    assert_eq!(project.migrations(), 1, "nothing was written");

    db.postgres_client()
        .batch_execute("DELETE FROM \"Code\" WHERE id = 2;")
        .expect("fix the data");
    let consent = project.drydock(&["migrate", "dev", "--name", "short"]);
    assert_exit(&consent, 1);
    assert!(
        stderr(&consent).contains("It holds 1 non-null values."),
        "{}",
        stderr(&consent)
    );
}

#[test]
fn rows_holding_a_removed_enum_value_are_counted_on_postgres() {
    let db = TestDb::postgres();
    let enum_with = |values: &str| {
        format!(
            "enum Role {{\n{values}}}\n\nmodel User {{\n  id    Int    @id\n  role  Role\n  \
             roles Role[]\n}}\n"
        )
    };
    let project = Project::new(
        POSTGRES,
        Some(db.url().to_owned()),
        &enum_with("  USER\n  ADMIN\n  GUEST\n"),
    );
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    db.postgres_client()
        .batch_execute(
            "INSERT INTO \"User\" VALUES (1, 'ADMIN', '{USER}'), (2, 'ADMIN', '{}'), \
             (3, 'USER', '{USER,GUEST}');",
        )
        .expect("rows");

    project.schema(&enum_with("  USER\n"));
    let refused = project.drydock(&["migrate", "dev", "--name", "fewer_roles"]);
    assert_exit(&refused, 1);
    let message = stderr(&refused);
    assert!(message.contains("[D2010]"), "{message}");
    assert!(
        message.contains(
            "The values [ADMIN,GUEST] on the enum `Role` will be removed, but `User.role` holds \
             `ADMIN` in 2 rows, `User.roles` holds `GUEST` in 1 rows, so this step fails."
        ),
        "{message}"
    );
    assert!(
        message.contains("Migrate those rows first: map each to a value the enum keeps (`USER`)"),
        "{message}"
    );
    assert_eq!(project.migrations(), 1, "nothing was written");

    // Without rows, the plain warning: production may hold such rows.
    db.postgres_client()
        .batch_execute("DELETE FROM \"User\";")
        .expect("no rows");
    let consent = project.drydock(&["migrate", "dev", "--name", "fewer_roles"]);
    assert_exit(&consent, 1);
    let message = stderr(&consent);
    assert!(message.contains("[D2000]"), "{message}");
    assert!(
        message.contains("If these variants are still used in the database, this will fail."),
        "{message}"
    );
}
