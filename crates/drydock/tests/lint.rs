//! `drydock lint` as users run it: the project's migrations folder by default, given files,
//! the three formats, exit codes by severity, live facts from `--url`, SQLite and MySQL
//! projects.

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::TestDb;

const POSTGRES_SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = \"postgresql://localhost:1/unused\"\n}\n";
const SQLITE_SCHEMA: &str =
    "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n";

/// A project with `prisma/schema.prisma` and the given migrations (folder name, SQL).
fn project(schema: &str, migrations: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let prisma = dir.path().join("prisma");
    std::fs::create_dir_all(&prisma).expect("prisma dir");
    std::fs::write(prisma.join("schema.prisma"), schema).expect("schema");
    for (name, sql) in migrations {
        let folder = prisma.join("migrations").join(name);
        std::fs::create_dir_all(&folder).expect("migration folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration.sql");
    }
    dir
}

fn drydock(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .expect("running drydock");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

const HISTORY: &[(&str, &str)] = &[
    (
        "20240101000000_create_users",
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\n",
    ),
    (
        "20240102000000_update",
        "SET lock_timeout = '2s';\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n",
    ),
];

#[test]
fn lints_the_migrations_folder_and_fails_on_errors() {
    let dir = project(POSTGRES_SCHEMA, HISTORY);
    let (code, out) = drydock(dir.path(), &["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[D4201 require-concurrent-index]"),
        "{out}"
    );
    assert!(
        out.contains("20240102000000_update/migration.sql:2:1"),
        "{out}"
    );
    assert!(
        out.contains("warning[D4601 migration-name]: migration name `update`"),
        "{out}"
    );
    assert!(
        out.contains("1 error, 1 warning, 0 notes in 2 files"),
        "{out}"
    );
}

#[test]
fn safe_migrations_pass_unless_warnings_count() {
    let dir = project(
        POSTGRES_SCHEMA,
        &[(
            "20240101000000_add_user_bio",
            "ALTER TABLE \"User\" ADD COLUMN \"bio\" text;\n",
        )],
    );
    let (code, out) = drydock(dir.path(), &["lint"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[D4501 require-lock-timeout]"), "{out}");
    let (code, _) = drydock(dir.path(), &["lint", "--warnings-as-errors"]);
    assert_eq!(code, 1);
}

#[test]
fn json_and_github_formats() {
    let dir = project(POSTGRES_SCHEMA, HISTORY);
    let (code, out) = drydock(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["errors"], 1);
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["migration-name", "require-concurrent-index"]);
    let (code, out) = drydock(dir.path(), &["lint", "--format", "github"]);
    assert_eq!(code, 1);
    assert!(
        out.lines().any(|line| line.starts_with("::error file=")
            && line.contains("line=2,col=1")
            && line.contains("title=D4201 require-concurrent-index::")),
        "{out}"
    );
}

#[test]
fn given_files_are_linted_without_a_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.sql"), "DROP TABLE users;\n").expect("a.sql");
    let (code, out) = drydock(dir.path(), &["lint", "a.sql"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[D4101 drop-table]"), "{out}");
    assert!(out.contains("a.sql:1:1"), "{out}");
}

#[test]
fn sqlite_projects_say_which_rules_ran() {
    let dir = project(
        SQLITE_SCHEMA,
        &[(
            "20240101000000_drop_users",
            "CREATE INDEX i ON users (a);\nDROP TABLE users;\n",
        )],
    );
    let (code, out) = drydock(dir.path(), &["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("note: sqlite project: only the data-loss and naming rules run"),
        "{out}"
    );
    assert!(
        out.contains("drop-table") && !out.contains("require-concurrent-index"),
        "{out}"
    );
}

#[test]
fn live_table_sizes_turn_small_index_builds_into_notes() {
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute("CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text); INSERT INTO \"User\" SELECT g, 'u' || g FROM generate_series(1, 10) AS g;")
        .expect("creating the table");
    let dir = project(POSTGRES_SCHEMA, &HISTORY[1..]);
    let (code, out) = drydock(dir.path(), &["lint", "--url", db.url()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("note[D4201 require-concurrent-index]"),
        "{out}"
    );
    assert!(out.contains("about 10 rows"), "{out}");
}

const MYSQL_SCHEMA: &str = "datasource db {\n  provider = \"mysql\"\n  url      = \"mysql://root@localhost:1/unused\"\n}\n";

const MYSQL_HISTORY: &[(&str, &str)] = &[
    (
        "20240101000000_create_users",
        "CREATE TABLE `User` (\n    `id` INTEGER NOT NULL AUTO_INCREMENT,\n    `age` INTEGER NOT NULL,\n\n    PRIMARY KEY (`id`)\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n",
    ),
    (
        "20240102000000_widen_age",
        "-- AlterTable\nALTER TABLE `User` MODIFY `age` BIGINT NOT NULL;\n",
    ),
];

#[test]
fn mysql_projects_get_the_online_ddl_rules() {
    let dir = project(MYSQL_SCHEMA, MYSQL_HISTORY);
    let (code, out) = drydock(dir.path(), &["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("lock levels"), "{out}");
    assert!(out.contains("error[D4701 mysql-copying-alter]"), "{out}");
    assert!(
        out.contains("warning[D4707 mysql-require-lock-wait-timeout]"),
        "{out}"
    );
    // The first migration creates its table: nothing there is a hazard.
    assert!(!out.contains("20240101000000_create_users"), "{out}");
}

#[test]
fn mysql_live_facts_name_the_server_and_size_the_table() {
    let db = TestDb::mysql();
    drydock_test_support::mariadb_cli::run(
        db.url(),
        Some(&db.name()),
        "CREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, `age` INTEGER NOT NULL, \
         PRIMARY KEY (`id`));",
    )
    .expect("creating the table");
    let dir = project(MYSQL_SCHEMA, MYSQL_HISTORY);
    let (code, out) = drydock(
        dir.path(),
        &["lint", "--url", db.url(), "--deployed-by-drydock"],
    );
    // The empty table turns the copy into a note: nothing fails.
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("note[D4701 mysql-copying-alter]"), "{out}");
    assert!(out.contains("is small: about 0 rows"), "{out}");
    assert!(!out.contains("lock_wait_timeout"), "{out}");
}
