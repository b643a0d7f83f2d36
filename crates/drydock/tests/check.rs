//! `drydock check` on real databases seeded with each problem it knows: every one is found with
//! its code (docs/check.md), and a clean database (schema deployed, data valid) reports nothing.

use std::path::Path;
use std::process::Output;
use std::sync::Mutex;

use assert_cmd::Command;
use drydock_test_support::{DatabaseKind, TestDb};
use serde_json::Value;

/// Replication slots belong to the whole server: the test that leaves one inactive and the one
/// that expects a clean server do not overlap.
static SERVER_WIDE: Mutex<()> = Mutex::new(());

fn project(db: &TestDb, models: &str, settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a project folder");
    let provider = match db.kind() {
        DatabaseKind::Sqlite => "sqlite",
        _ => "postgresql",
    };
    std::fs::create_dir_all(dir.path().join("prisma")).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n{models}"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("drydock.toml"), settings).unwrap();
    dir
}

fn drydock(dir: &Path, db: &TestDb, args: &[&str]) -> Output {
    Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env("DATABASE_URL", db.url())
        .env("DRYDOCK_CACHE_DIR", dir.join(".cache"))
        .args(args)
        .output()
        .expect("run drydock")
}

fn run_sql(db: &TestDb, sql: &str) {
    match db.kind() {
        DatabaseKind::Sqlite => rusqlite::Connection::open(db.sqlite_path())
            .and_then(|conn| conn.execute_batch(sql))
            .expect("setup SQL"),
        _ => db.postgres_client().batch_execute(sql).expect("setup SQL"),
    }
}

/// `drydock check --json` with `args`: the exit status and the report.
fn check_json(dir: &Path, db: &TestDb, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--json"];
    all.extend_from_slice(args);
    let output = drydock(dir, db, &all);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON report: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(report["version"], 1);
    (output.status.code().unwrap_or(-1), report)
}

/// The findings of `report` with `code`.
fn with_code<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The one finding with `code` about an object named `name`.
fn finding<'a>(report: &'a Value, code: &str, name: &str) -> &'a Value {
    with_code(report, code)
        .into_iter()
        .find(|f| {
            f["objects"]
                .as_array()
                .is_some_and(|objects| objects.iter().any(|o| o["name"] == name))
        })
        .unwrap_or_else(|| panic!("no {code} about `{name}` in {report:#}"))
}

/// The text of `drydock check` with `args` and its exit status, the project's lines left out.
fn check_text(dir: &Path, db: &TestDb, args: &[&str]) -> (i32, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let output = drydock(dir, db, &all);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

const CATALOG_MODELS: &str = "model User {\n  id    Int    @id\n  email String\n}\n\n\
model Post {\n  id       Int  @id\n  authorId Int?\n}\n\n\
model Tag {\n  id   Int     @id\n  name String?\n}\n\n\
model Counter {\n  id Int @id @default(autoincrement())\n}\n";

#[test]
fn postgres_catalog_problems_are_each_found_with_their_code() {
    let db = TestDb::postgres();
    run_sql(
        &db,
        "CREATE TABLE \"User\" (id integer PRIMARY KEY, email text NOT NULL);
         CREATE TABLE \"Post\" (id integer PRIMARY KEY, \"authorId\" integer);
         INSERT INTO \"Post\" VALUES (1, 99);
         ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\")
           REFERENCES \"User\" (id) NOT VALID;
         CREATE TABLE \"Tag\" (id integer PRIMARY KEY, name text);
         INSERT INTO \"Tag\" VALUES (1, 'a'), (2, 'a');
         CREATE TABLE \"Counter\" (id serial PRIMARY KEY);
         SELECT setval('\"Counter_id_seq\"', 2040109466);
         CREATE TABLE \"Log\" (line text);
         INSERT INTO \"Log\" VALUES ('started');",
    );
    // A concurrent build over duplicates fails and leaves the index invalid.
    let failed = db
        .postgres_client()
        .batch_execute("CREATE UNIQUE INDEX CONCURRENTLY \"Tag_name_key\" ON \"Tag\" (name)");
    assert!(failed.is_err(), "the build must fail on the duplicates");
    let dir = project(&db, CATALOG_MODELS, "[check]\nwraparound_warning_age = 1\n");
    let (status, report) = {
        let _server = SERVER_WIDE.lock().unwrap_or_else(|e| e.into_inner());
        run_sql(
            &db,
            &format!(
                "SELECT pg_create_physical_replication_slot('{}_slot')",
                db.name()
            ),
        );
        let answer = check_json(dir.path(), &db, &[]);
        run_sql(
            &db,
            &format!("SELECT pg_drop_replication_slot('{}_slot')", db.name()),
        );
        answer
    };
    assert_eq!(status, 1, "{report:#}");

    let constraint = finding(&report, "D6001", "Post_authorId_fkey");
    assert_eq!(constraint["severity"], "warning");
    assert!(
        constraint["fix"]
            .as_str()
            .unwrap()
            .contains("ALTER TABLE public.\"Post\" VALIDATE CONSTRAINT \"Post_authorId_fkey\";"),
        "{constraint:#}"
    );
    let index = finding(&report, "D6002", "Tag_name_key");
    assert!(
        index["fix"]
            .as_str()
            .unwrap()
            .contains("CREATE UNIQUE INDEX CONCURRENTLY \"Tag_name_key\""),
        "{index:#}"
    );
    let sequence = finding(&report, "D6003", "public.Counter.id");
    assert_eq!(sequence["severity"], "warning");
    assert!(
        sequence["title"].as_str().unwrap().contains("95.0%"),
        "{sequence:#}"
    );
    let no_key = finding(&report, "D6004", "public.Log");
    assert_eq!(no_key["severity"], "warning");
    // Thresholds come from drydock.toml: any age is above 1.
    let age = finding(&report, "D6005", &db.name());
    assert_eq!(age["severity"], "warning");
    finding(&report, "D6006", "public.Log");
    let slot = finding(&report, "D6008", &format!("{}_slot", db.name()));
    assert!(
        slot["fix"]
            .as_str()
            .unwrap()
            .contains("pg_drop_replication_slot")
    );
    // Tables the schema models keep their keys: only `Log` lacks one.
    assert_eq!(with_code(&report, "D6004").len(), 1, "{report:#}");

    // --only narrows the report; --fail-on error passes it when nothing is an error.
    let (status, only) = check_json(
        dir.path(),
        &db,
        &["--only", "D6001", "--only", "d6002", "--fail-on", "error"],
    );
    assert_eq!(codes(&only), ["D6001", "D6002"]);
    assert_eq!(status, 0);
}

#[test]
fn postgres_stale_statistics_are_found() {
    let db = TestDb::postgres();
    let models = "model Event {\n  id   Int    @id\n  kind String\n}\n";
    run_sql(
        &db,
        "CREATE TABLE \"Event\" (id integer PRIMARY KEY, kind text NOT NULL);
         INSERT INTO \"Event\" SELECT g, 'a' FROM generate_series(1, 2000) AS g;
         ANALYZE \"Event\";",
    );
    let mut client = db.postgres_client();
    client
        .batch_execute("UPDATE \"Event\" SET kind = 'b'")
        .expect("update");
    // The session's counters reach the statistics views a moment after it goes idle.
    let mut observer = db.postgres_client();
    let counted = drydock_test_support::wait_for(|| {
        observer
            .query_one(
                "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'Event'",
                &[],
            )
            .is_ok_and(|row| row.get::<_, i64>(0) >= 2000)
    });
    assert!(counted, "the update never reached the statistics");
    drop(client);
    let dir = project(&db, models, "");
    let (status, report) = check_json(dir.path(), &db, &["--only", "D6007", "--fail-on", "info"]);
    let stale = finding(&report, "D6007", "public.Event");
    assert_eq!(stale["severity"], "info");
    assert!(
        stale["fix"].as_str().unwrap().contains("ANALYZE"),
        "{stale:#}"
    );
    assert_eq!(status, 1);
    let (status, _) = check_json(dir.path(), &db, &["--only", "D6007"]);
    assert_eq!(status, 0, "info is below the default --fail-on warning");
}

const DATA_MODELS: &str = "model User {\n  id    Int    @id\n  email String @unique\n  name  String\n  role  String\n}\n\n\
model Member {\n  org  Int\n  user Int\n  @@id([org, user])\n  @@unique([user, org], map: \"Member_user_org_key\")\n}\n";

const DATA_SETTINGS: &str = "[check.values]\n\"User.role\" = [\"admin\", \"member\"]\n\n\
[[rules]]\nname = \"no empty names\"\ntable = \"User\"\nwhere = \"name = ''\"\nseverity = \"error\"\n\
description = \"every user is greeted by name\"\ncleanup = { set = \"name = 'unknown'\" }\n\n\
[[rules]]\nname = \"broken rule\"\ntable = \"User\"\nwhere = \"no_such_column > 1\"\n\n\
[[rules]]\nname = \"gmail users\"\ntable = \"User\"\nwhere = \"email LIKE '%@gmail.test'\"\nseverity = \"info\"\n";

/// The `User` table made by hand without what the schema declares (no unique index, nullable
/// columns), holding rows that break each declaration.
fn seed_data_problems(db: &TestDb) {
    run_sql(
        db,
        "CREATE TABLE \"User\" (id integer PRIMARY KEY, email text NOT NULL, name text, role text NOT NULL);
         INSERT INTO \"User\" VALUES
           (1, 'a@example.test', NULL, 'admin'),
           (2, 'a@example.test', '', 'boss'),
           (3, 'c@example.test', 'Cy', 'member'),
           (4, 'd@example.test', NULL, 'guest');
         CREATE TABLE \"Member\" (org integer NOT NULL, \"user\" integer NOT NULL, PRIMARY KEY (org, \"user\"));
         CREATE UNIQUE INDEX \"Member_user_org_key\" ON \"Member\" (\"user\", org);",
    );
}

fn data_problems_are_found(db: &TestDb) -> (tempfile::TempDir, String) {
    seed_data_problems(db);
    let dir = project(db, DATA_MODELS, DATA_SETTINGS);
    let data_codes = [
        "--only", "D6020", "--only", "D6021", "--only", "D6022", "--only", "D6030", "--only",
        "D6031",
    ];
    let (status, report) = check_json(dir.path(), db, &data_codes);
    assert_eq!(status, 1, "{report:#}");
    let nulls = finding(&report, "D6020", "User.name");
    assert_eq!(nulls["severity"], "error");
    assert!(
        nulls["title"].as_str().unwrap().starts_with("2 row(s)"),
        "{nulls:#}"
    );
    assert!(
        nulls["detail"]
            .as_str()
            .unwrap()
            .contains("sample rows (id): 1; 4"),
        "{nulls:#}"
    );
    let duplicates = finding(&report, "D6021", "User");
    assert!(
        duplicates["detail"]
            .as_str()
            .unwrap()
            .contains("a@example.test"),
        "{duplicates:#}"
    );
    let outside = finding(&report, "D6022", "User.role");
    assert!(
        outside["detail"]
            .as_str()
            .unwrap()
            .contains("sample rows (id): 2; 4"),
        "{outside:#}"
    );
    let rule = finding(&report, "D6030", "no empty names");
    assert_eq!(rule["severity"], "error");
    assert!(
        rule["fix"]
            .as_str()
            .unwrap()
            .contains("SET name = 'unknown' WHERE name = ''"),
        "{rule:#}"
    );
    let broken = finding(&report, "D6031", "broken rule");
    assert!(
        broken["detail"]
            .as_str()
            .unwrap()
            .contains("no_such_column"),
        "{broken:#}"
    );
    // A rule that selects nothing says nothing; the composite key the database enforces too.
    assert_eq!(
        codes(&report),
        ["D6020", "D6021", "D6030", "D6031", "D6022"]
    );
    let (_, text) = check_text(dir.path(), db, &data_codes);
    (dir, text)
}

#[test]
fn postgres_data_against_the_schema_and_rules() {
    let db = TestDb::postgres();
    let (dir, text) = data_problems_are_found(&db);
    insta::assert_snapshot!(text);
    // The run is in the run log with its counts: checks examined, findings.
    let output = drydock(dir.path(), &db, &["runs", "--json", "--task", "check"]);
    let runs: Value = serde_json::from_slice(&output.stdout).expect("runs JSON");
    let run = &runs["runs"][0];
    assert_eq!(run["task"], "check", "{runs:#}");
    assert_eq!(run["affected"], 5, "{run:#}");
    assert!(run["examined"].as_u64().unwrap_or(0) >= 5, "{run:#}");
}

#[test]
fn sqlite_data_against_the_schema_and_rules() {
    let db = TestDb::sqlite();
    let (_dir, text) = data_problems_are_found(&db);
    insta::assert_snapshot!(text);
}

#[test]
fn sqlite_own_checks_lengths_and_storage_classes() {
    let db = TestDb::sqlite();
    let models = "model Parent {\n  id Int @id\n  children Child[]\n}\n\n\
model Child {\n  id       Int    @id\n  code     String\n  size     Int\n  parentId Int\n  parent   Parent @relation(fields: [parentId], references: [id])\n  @@index([parentId])\n}\n";
    run_sql(
        &db,
        "CREATE TABLE \"Parent\" (id INTEGER NOT NULL PRIMARY KEY);
         CREATE TABLE \"Child\" (
           id INTEGER NOT NULL PRIMARY KEY,
           code VARCHAR(3) NOT NULL,
           size INTEGER NOT NULL CHECK (size >= 0),
           \"parentId\" INTEGER NOT NULL REFERENCES \"Parent\" (id)
         );
         CREATE INDEX \"Child_parentId_idx\" ON \"Child\" (\"parentId\");
         INSERT INTO \"Parent\" VALUES (1);
         PRAGMA foreign_keys = OFF;
         PRAGMA ignore_check_constraints = ON;
         INSERT INTO \"Child\" VALUES (1, 'abc', 1, 1), (2, 'abcdef', 2, 1), (3, 'x', 'big', 1),
           (4, 'y', -5, 7), (5, 'z', 3, 8);",
    );
    let dir = project(&db, models, "");
    let (status, report) = check_json(dir.path(), &db, &[]);
    assert_eq!(status, 1, "{report:#}");
    let long = finding(&report, "D6023", "Child.code");
    assert!(
        long["detail"]
            .as_str()
            .unwrap()
            .contains("sample rows (id): 2"),
        "{long:#}"
    );
    let class = finding(&report, "D6024", "Child.size");
    assert!(
        class["detail"]
            .as_str()
            .unwrap()
            .contains("sample rows (id): 3"),
        "{class:#}"
    );
    let integrity = with_code(&report, "D6010");
    assert!(
        integrity.iter().any(|f| f["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("CHECK constraint failed")),
        "{report:#}"
    );
    let orphans = finding(&report, "D6011", "Child");
    assert!(
        orphans["title"].as_str().unwrap().starts_with("2 row(s)"),
        "{orphans:#}"
    );
    let (_, text) = check_text(
        dir.path(),
        &db,
        &["--only", "D6011", "--only", "D6023", "--only", "D6024"],
    );
    insta::assert_snapshot!(text);
}

const CLEAN_MODELS: &str = "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  role  String\n  posts Post[]\n}\n\n\
model Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n}\n";

fn clean_database_reports_nothing(db: &TestDb) {
    let settings = "[check.values]\n\"User.role\" = [\"admin\", \"member\"]\n\n\
[[rules]]\nname = \"titled posts\"\ntable = \"Post\"\nwhere = \"title = ''\"\n";
    let dir = project(db, CLEAN_MODELS, settings);
    let pushed = drydock(dir.path(), db, &["db", "push"]);
    assert!(
        pushed.status.success(),
        "{}",
        String::from_utf8_lossy(&pushed.stderr)
    );
    run_sql(
        db,
        "INSERT INTO \"User\" (email, role) VALUES ('a@example.test', 'admin'), ('b@example.test', 'member');
         INSERT INTO \"Post\" (title, \"authorId\") VALUES ('Hello', 1), ('Again', 2);",
    );
    if db.kind() == DatabaseKind::Postgres {
        run_sql(db, "ANALYZE");
    }
    let (status, text) = check_text(dir.path(), db, &["--fail-on", "info"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.starts_with("No findings in "), "{text}");
}

#[test]
fn postgres_clean_database_reports_nothing() {
    let db = TestDb::postgres();
    let _server = SERVER_WIDE.lock().unwrap_or_else(|e| e.into_inner());
    clean_database_reports_nothing(&db);
}

#[test]
fn sqlite_clean_database_reports_nothing() {
    clean_database_reports_nothing(&TestDb::sqlite());
}

#[test]
fn bad_rules_and_values_are_refused_with_their_place() {
    let db = TestDb::sqlite();
    let dir = project(
        &db,
        CLEAN_MODELS,
        "[[rules]]\nname = \"r\"\ntable = \"User\"\nwhere = \"1 = 1\"\nseverity = \"fatal\"\n",
    );
    let output = drydock(dir.path(), &db, &["check"]);
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("[D1003]") && text.contains("drydock.toml:1:1"),
        "{text}"
    );
    assert!(text.contains("severity `fatal`"), "{text}");
    std::fs::write(
        dir.path().join("drydock.toml"),
        "[check.values]\n\"User.rank\" = [\"a\"]\n",
    )
    .unwrap();
    let output = drydock(dir.path(), &db, &["check"]);
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("[D1003]") && text.contains("has no column `rank`"),
        "{text}"
    );
}
