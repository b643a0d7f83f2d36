//! The run log from the command line: commands that change a database or its backups record
//! their runs; `drydock runs` lists them, `drydock runs show` shows one. On SQLite (a file beside
//! the database) and PostgreSQL (the schema `_drydock`), never where Prisma looks.

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use serde_json::Value;

const MODEL: &str =
    "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n";

fn project(db: &TestDb) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a project folder");
    let provider = match db.kind() {
        drydock_test_support::DatabaseKind::Sqlite => "sqlite",
        _ => "postgresql",
    };
    std::fs::create_dir_all(dir.path().join("prisma")).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n{MODEL}"
        ),
    )
    .unwrap();
    dir
}

fn drydock(dir: &Path, db: &TestDb) -> Command {
    let mut command = Command::cargo_bin("drydock").expect("the drydock binary");
    command
        .current_dir(dir)
        .env("DATABASE_URL", db.url())
        .env("DRYDOCK_ACTOR", "release-bot");
    command
}

fn runs_json(dir: &Path, db: &TestDb, extra: &[&str]) -> Vec<Value> {
    let output = drydock(dir, db)
        .args(["runs", "--json"])
        .args(extra)
        .output()
        .expect("drydock runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["version"], 1);
    value["runs"].as_array().expect("runs").clone()
}

fn records_deploys_backups_and_failures(db: &TestDb) {
    let dir = project(db);
    let path = dir.path();
    assert!(
        runs_json(path, db, &[]).is_empty(),
        "no run before the first"
    );
    drydock(path, db)
        .args(["migrate", "dev", "--name", "init"])
        .assert()
        .success();
    drydock(path, db)
        .args(["migrate", "deploy"])
        .assert()
        .success();
    drydock(path, db)
        .args(["backup", "create"])
        .assert()
        .success();
    drydock(path, db)
        .args(["backup", "verify", "no-such-backup"])
        .assert()
        .failure();
    // Read-only commands are not runs.
    drydock(path, db)
        .args(["migrate", "status"])
        .assert()
        .success();

    let runs = runs_json(path, db, &[]);
    let summary: Vec<(&str, &str)> = runs
        .iter()
        .map(|run| {
            (
                run["task"].as_str().unwrap(),
                run["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("backup verify", "failed"),
            ("backup create", "succeeded"),
            ("migrate deploy", "succeeded"),
            ("migrate dev", "succeeded"),
        ]
    );
    let failed = &runs[0];
    assert_eq!(failed["actor"], "release-bot");
    assert!(failed["pid"].as_u64().is_some());
    assert_eq!(
        failed["parameters"]["arguments"],
        serde_json::json!(["backup", "verify", "no-such-backup"])
    );
    assert!(
        failed["summary"]
            .as_str()
            .unwrap()
            .contains("no backup matches `no-such-backup`"),
        "{failed}"
    );
    assert!(runs.iter().all(|run| run["duration_ms"].as_i64().is_some()));

    let backups = runs_json(path, db, &["--task", "backup"]);
    assert_eq!(backups.len(), 2);
    assert!(runs_json(path, db, &["--since", "2999-01-01"]).is_empty());
    assert_eq!(
        runs_json(path, db, &["--since", "1h", "--limit", "1"]).len(),
        1
    );

    // One run by the start of its id, with its log.
    let id = failed["id"].as_str().unwrap();
    let shown = drydock(path, db)
        .args(["runs", "show", &id[..id.len() - 2]])
        .output()
        .unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.contains("Task:       backup verify"), "{text}");
    assert!(text.contains("Status:     failed"), "{text}");
    assert!(text.contains("By:         release-bot on "), "{text}");
    assert!(
        text.contains("error: no backup matches `no-such-backup`"),
        "{text}"
    );
    drydock(path, db)
        .args(["runs", "show", "nothing-like-it"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "no run has the id `nothing-like-it`",
        ));

    // Prisma sees no table of drydock's in the schema it manages.
    let mut conn = drydock_engine::dialects::for_url(db.url())
        .unwrap()
        .connect(db.url())
        .unwrap();
    let tables = drydock_test_support::connection::table_names(conn.as_mut());
    assert_eq!(tables, ["User"], "{tables:?}");
}

#[test]
fn sqlite_records_runs_beside_the_database() {
    let db = TestDb::sqlite();
    records_deploys_backups_and_failures(&db);
    assert!(db.sqlite_path().with_extension("drydock.db").is_file());
}

#[test]
fn postgres_records_runs_in_its_own_schema() {
    let db = TestDb::postgres();
    records_deploys_backups_and_failures(&db);
    let row = db
        .postgres_client()
        .query_one("SELECT count(*) FROM \"_drydock\".\"_drydock_runs\"", &[])
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 4);
}

#[test]
fn a_password_in_the_url_never_reaches_the_run_log() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let with_password = db.url().replacen("postgres@", "postgres:s3cret-pw@", 1);
    drydock(dir.path(), &db)
        .args(["migrate", "deploy", "--url", &with_password])
        .assert()
        .success();
    let runs = runs_json(dir.path(), &db, &[]);
    assert_eq!(runs.len(), 1);
    let text = runs[0].to_string();
    assert!(!text.contains("s3cret-pw"), "{text}");
    assert!(text.contains("--url"), "{text}");
}

#[test]
fn a_run_whose_process_died_is_shown_interrupted() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    // A process that has exited: its pid names no process any more.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let mut log = drydock_engine::dialects::for_url(db.url())
        .unwrap()
        .open_run_log(db.url())
        .unwrap();
    let run = drydock_connector::Run {
        start: drydock_connector::RunStart {
            id: "20261205T000000000-dead01".into(),
            task: "migrate deploy".into(),
            parameters: "{}".into(),
            actor: "ci".into(),
            host: drydock_tasks::host_name(),
            pid: dead_pid,
            started_at: chrono::Utc::now(),
        },
        progress: drydock_connector::RunProgress::running(),
    };
    log.write(&run).unwrap();
    let runs = runs_json(dir.path(), &db, &[]);
    assert_eq!(runs[0]["status"], "interrupted", "{:?}", runs[0]);
    let table = drydock(dir.path(), &db).arg("runs").output().unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("interrupted"), "{text}");
}

/// Two migrations by hand, pending on the empty database.
fn write_migrations(dir: &Path, provider: &str) {
    let migrations = dir.join("prisma/migrations");
    let key = match provider {
        "sqlite" => "INTEGER PRIMARY KEY AUTOINCREMENT",
        _ => "SERIAL PRIMARY KEY",
    };
    for (name, sql) in [
        (
            "20240101000000_init",
            format!("CREATE TABLE \"User\" (\"id\" {key}, \"email\" TEXT NOT NULL);\n"),
        ),
        (
            "20240102000000_email_key",
            "CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n".to_owned(),
        ),
    ] {
        std::fs::create_dir_all(migrations.join(name)).unwrap();
        std::fs::write(migrations.join(name).join("migration.sql"), sql).unwrap();
    }
    std::fs::write(
        migrations.join("migration_lock.toml"),
        format!("provider = \"{provider}\"\n"),
    )
    .unwrap();
}

/// The run `runs show ID --json` returns, for the newest run of `task`.
fn shown_run(dir: &Path, db: &TestDb, task: &str) -> Value {
    let runs = runs_json(dir, db, &["--task", task]);
    let id = runs[0]["id"].as_str().expect("an id").to_owned();
    let output = drydock(dir, db)
        .args(["runs", "show", &id, "--json"])
        .output()
        .expect("drydock runs show");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    value["run"].clone()
}

fn successful_runs_record_log_counts_and_summary(db: &TestDb, provider: &str) {
    let dir = project(db);
    let path = dir.path();
    write_migrations(path, provider);
    drydock(path, db)
        .args(["migrate", "deploy"])
        .assert()
        .success();
    let deploy = shown_run(path, db, "migrate deploy");
    assert_eq!(deploy["status"], "succeeded", "{deploy}");
    assert_eq!(deploy["summary"], "applied 2 migrations", "{deploy}");
    assert_eq!(deploy["examined"], 2, "{deploy}");
    assert_eq!(deploy["affected"], 2, "{deploy}");
    let log = deploy["log"].as_str().expect("a log");
    for line in [
        &format!("Datasource: {provider} at "),
        "The following migration(s) have been applied:",
        "  20240101000000_init (",
        "  20240102000000_email_key (",
        "All migrations have been successfully applied.",
    ] {
        assert!(log.contains(line), "`{line}` missing from the log:\n{log}");
    }

    let rows = path.join("rows.sql");
    std::fs::write(
        &rows,
        "INSERT INTO \"User\" (\"email\") VALUES ('a@x.test'), ('b@x.test'), ('c@x.test');\n",
    )
    .unwrap();
    drydock(path, db)
        .args(["db", "execute", "--file", "rows.sql"])
        .assert()
        .success();
    let execute = shown_run(path, db, "db execute");
    assert_eq!(execute["summary"], "executed 1 statement", "{execute}");
    assert_eq!(execute["examined"], 1, "{execute}");
    assert!(
        execute["log"]
            .as_str()
            .unwrap()
            .contains("Script executed."),
        "{execute}"
    );

    let created = drydock(path, db)
        .args(["backup", "create", "--json"])
        .output()
        .expect("drydock backup create");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let manifest: Value = serde_json::from_slice(&created.stdout).expect("the manifest");
    let tables = manifest["tables"].as_array().expect("tables");
    let rows: u64 = tables.iter().map(|t| t["rows"].as_u64().unwrap()).sum();
    let user = tables
        .iter()
        .find(|t| t["name"].as_str().unwrap().contains("User"))
        .expect("the User table");
    assert_eq!(user["rows"], 3, "{manifest}");

    let backup = shown_run(path, db, "backup create");
    assert_eq!(backup["status"], "succeeded", "{backup}");
    assert_eq!(backup["examined"], tables.len() as u64, "{backup}");
    assert_eq!(backup["affected"], rows, "{backup}");
    let id = manifest["id"].as_str().unwrap();
    let summary = backup["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("backup {id}, "))
            && summary.ends_with(&format!("{} tables, {rows} rows", tables.len())),
        "{summary}"
    );
    let log = backup["log"].as_str().expect("a log");
    assert!(log.contains("Backing up "), "{log}");
    assert!(
        log.contains(&format!("Wrote {}", "")) && log.contains(id),
        "{log}"
    );
}

#[test]
fn sqlite_successful_runs_record_log_counts_and_summary() {
    successful_runs_record_log_counts_and_summary(&TestDb::sqlite(), "sqlite");
}

#[test]
fn postgres_successful_runs_record_log_counts_and_summary() {
    successful_runs_record_log_counts_and_summary(&TestDb::postgres(), "postgresql");
}
