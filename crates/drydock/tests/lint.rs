//! `drydock lint` as users run it: the project's migrations folder by default, given files,
//! the three formats, exit codes by severity, live facts from `--url`, SQLite and MySQL
//! projects; only what is new (`--pending`, `--since`, a baseline); what `migrate dev` writes
//! passes, and its review is `drydock lint` on the new migration.

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use drydock_test_support::git::git;

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
fn lints_the_migrations_folder_with_unknown_sizes_as_warnings() {
    let dir = project(POSTGRES_SCHEMA, HISTORY);
    let (code, out) = drydock(dir.path(), &["lint"]);
    // No database says how large `User` is: the index build is a warning, not an error.
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning[D4201 require-concurrent-index]"),
        "{out}"
    );
    assert!(
        out.contains("without `--url` the table's size is unknown"),
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
        out.contains("0 errors, 2 warnings, 0 notes in 2 files"),
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
    // `drydock migrate deploy` sets the lock timeout itself: the project's default.
    let (code, out) = drydock(dir.path(), &["lint", "--warnings-as-errors"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("require-lock-timeout"), "{out}");
    let (code, out) = drydock(dir.path(), &["lint", "--deployed-by", "prisma"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[D4501 require-lock-timeout]"), "{out}");
    let (code, _) = drydock(
        dir.path(),
        &["lint", "--deployed-by", "prisma", "--warnings-as-errors"],
    );
    assert_eq!(code, 1);
}

#[test]
fn json_and_github_formats() {
    let dir = project(POSTGRES_SCHEMA, HISTORY);
    let (code, out) = drydock(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["warnings"], 2);
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["migration-name", "require-concurrent-index"]);
    let (code, out) = drydock(
        dir.path(),
        &["lint", "--format", "github", "--warnings-as-errors"],
    );
    assert_eq!(code, 1);
    assert!(
        out.lines().any(|line| line.starts_with("::warning file=")
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
    let (code, out) = drydock(dir.path(), &["lint", "--deployed-by", "prisma"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("lock levels"), "{out}");
    assert!(out.contains("warning[D4701 mysql-copying-alter]"), "{out}");
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
    let (code, out) = drydock(dir.path(), &["lint", "--url", db.url()]);
    // The empty table turns the copy into a note: nothing fails.
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("note[D4701 mysql-copying-alter]"), "{out}");
    assert!(out.contains("is small: about 0 rows"), "{out}");
    assert!(!out.contains("lock_wait_timeout"), "{out}");
}

/// `drydock` with `DATABASE_URL` set: exit code, stdout, stderr.
fn drydock_on(dir: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .args(args)
        .output()
        .expect("running drydock");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const POSTGRES_ENV_SCHEMA: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

#[test]
fn pending_lints_only_what_the_database_has_not_applied() {
    let db = TestDb::postgres();
    let dir = project(
        POSTGRES_ENV_SCHEMA,
        &[(
            "20240101000000_update",
            "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\n",
        )],
    );
    let (code, out, err) = drydock_on(dir.path(), db.url(), &["migrate", "deploy"]);
    assert_eq!(code, 0, "{out}{err}");
    let folder = dir
        .path()
        .join("prisma/migrations/20240102000000_add_user_email_index");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("migration.sql"),
        "CREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\nDROP DATABASE \"other\";\n",
    )
    .expect("migration");
    // The whole folder: the applied migration's vague name too.
    let (_, all, _) = drydock_on(dir.path(), db.url(), &["lint"]);
    assert!(all.contains("D4601 migration-name"), "{all}");
    let (code, out, err) = drydock_on(dir.path(), db.url(), &["lint", "--pending"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("D4601"), "{out}");
    assert!(out.contains("error[D4108 drop-database]"), "{out}");
    assert!(err.contains("Linting 1 migration(s):"), "{err}");
    assert!(err.contains("20240102000000_add_user_email_index"), "{err}");
    // With live facts the empty table makes the index build a note.
    let (_, live, _) = drydock_on(
        dir.path(),
        db.url(),
        &["lint", "--pending", "--url", db.url()],
    );
    assert!(
        live.contains("note[D4201 require-concurrent-index]"),
        "{live}"
    );
}

#[test]
fn since_lints_the_migrations_a_branch_added() {
    let dir = project(
        POSTGRES_SCHEMA,
        &[(
            "20240101000000_create_users",
            "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\nTRUNCATE \"User\";\n",
        )],
    );
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    let add = |name: &str, sql: &str| {
        let folder = dir.path().join("prisma/migrations").join(name);
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration");
    };
    add(
        "20240102000000_drop_user_email",
        "ALTER TABLE \"User\" DROP COLUMN \"email\";\n",
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "drop email"]);
    // Not committed yet: still new.
    add(
        "20240103000000_add_user_name",
        "ALTER TABLE \"User\" ADD COLUMN \"name\" text NOT NULL;\n",
    );
    let (code, out) = drydock(dir.path(), &["lint", "--since", "main"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("D4105"), "the truncate on main is old: {out}");
    assert!(out.contains("error[D4102 drop-column]"), "{out}");
    assert!(out.contains("warning[D4303 add-required-column]"), "{out}");
}

#[test]
fn a_baseline_accepts_findings_until_their_statement_changes() {
    let dir = project(POSTGRES_SCHEMA, HISTORY);
    let migration = dir
        .path()
        .join("prisma/migrations/20240101000000_create_users/migration.sql");
    std::fs::write(
        &migration,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\nDROP DATABASE \"legacy\";\n",
    )
    .expect("migration");
    let (code, out) = drydock(dir.path(), &["lint"]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = drydock(
        dir.path(),
        &[
            "lint",
            "--baseline",
            "lint-baseline.json",
            "--write-baseline",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let baseline = std::fs::read_to_string(dir.path().join("lint-baseline.json")).expect("file");
    assert!(baseline.contains("\"rule\": \"D4108\""), "{baseline}");
    assert!(
        baseline.contains("20240101000000_create_users"),
        "{baseline}"
    );
    // drydock.toml names it: a plain `drydock lint` is green.
    std::fs::write(
        dir.path().join("drydock.toml"),
        "[lint]\nbaseline = \"lint-baseline.json\"\n",
    )
    .expect("settings");
    let (code, out) = drydock(dir.path(), &["lint", "--warnings-as-errors"]);
    assert_eq!(code, 0, "{out}");
    // A changed statement is a new finding, whitespace aside.
    std::fs::write(
        &migration,
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY,  \"email\" text);\nDROP   DATABASE\n  \"legacy\";\nDROP DATABASE \"other\";\n",
    )
    .expect("migration");
    let (code, out) = drydock(dir.path(), &["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("of `legacy`"), "{out}");
    assert!(out.contains("every table and row of `other`"), "{out}");
    assert!(out.contains("1 error,"), "{out}");
}

/// The schemas of a project's life, each a change `migrate dev` writes a migration for.
const EVOLUTION: &[(&str, &str)] = &[
    (
        "init",
        "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n",
    ),
    (
        "add_posts",
        "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n",
    ),
    (
        "add_user_name_and_role",
        "enum Role {\n  USER\n  ADMIN\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  name  String @default(\"\")\n  role  Role   @default(USER)\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n",
    ),
    (
        "add_post_title_index",
        "enum Role {\n  USER\n  ADMIN\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  name  String @default(\"\")\n  role  Role   @default(USER)\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n  @@index([title])\n}\n",
    ),
];

#[test]
fn what_migrate_dev_writes_passes_lint_and_its_review_is_lint() {
    let db = TestDb::postgres();
    let dir = project(POSTGRES_ENV_SCHEMA, &[]);
    let schema_path = dir.path().join("prisma/schema.prisma");
    for (name, models) in EVOLUTION {
        std::fs::write(&schema_path, format!("{POSTGRES_ENV_SCHEMA}\n{models}")).expect("schema");
        let (code, out, err) = drydock_on(
            dir.path(),
            db.url(),
            &["migrate", "dev", "--name", name, "--skip-generate"],
        );
        assert_eq!(code, 0, "{name}: {out}{err}");
        let folder = std::fs::read_dir(dir.path().join("prisma/migrations"))
            .expect("migrations")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.to_string_lossy().ends_with(&format!("_{name}")))
            .expect("the new migration");
        let folder_arg = folder.to_string_lossy().into_owned();
        let (_, lint_out, _) = drydock_on(dir.path(), db.url(), &["lint", &folder_arg]);
        // The review `migrate dev` printed is `drydock lint` on the new migration.
        if lint_out.contains("[D4") {
            assert!(
                err.contains(lint_out.trim_end()),
                "{name}: review\n{err}\nlint\n{lint_out}"
            );
        } else {
            assert!(!err.contains("Review this migration"), "{name}: {err}");
        }
    }
    // The index on an existing table is the one thing to review: a warning without live
    // facts, never an error; `init` is no vague name.
    let (code, out, _) = drydock_on(dir.path(), db.url(), &["lint"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("error["), "{out}");
    assert!(!out.contains("migration-name"), "{out}");
    assert!(!out.contains("require-lock-timeout"), "{out}");
    assert!(
        out.contains("warning[D4201 require-concurrent-index]"),
        "{out}"
    );
}
