//! `drydock stats` from the command line: the report as JSON and as a terminal view, the exit
//! status `--fail-on` and the thresholds of drydock.toml give, and `stats --snapshot` in the run
//! log. PostgreSQL cases use the server that keeps query statistics
//! (`TEST_POSTGRES_STATS_URL`, from `scripts/with-databases.sh`) and fail without it.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use drydock_test_support::TestDb;
use serde_json::Value;

fn project(db: &TestDb, provider: &str, settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a project folder");
    std::fs::create_dir_all(dir.path().join("prisma")).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("drydock.toml"), settings).unwrap();
    let _ = db;
    dir
}

fn drydock(dir: &Path, db: &TestDb) -> Command {
    let mut command = Command::cargo_bin("drydock").expect("the drydock binary");
    command.current_dir(dir).env("DATABASE_URL", db.url());
    command
}

#[test]
fn sqlite_stats_print_json_and_a_view_and_snapshots_are_recorded_runs() {
    let db = TestDb::sqlite();
    rusqlite::Connection::open(db.sqlite_path())
        .unwrap()
        .execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);")
        .unwrap();
    let dir = project(&db, "sqlite", "[stats]\nretention = \"7d\"\n");
    let output = drydock(dir.path(), &db)
        .args(["stats", "--json", "--snapshot"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["version"], 1);
    assert_eq!(report["tables"][0]["name"], "note");
    assert_eq!(report["snapshot"]["kept"], 1);
    assert_eq!(report["findings"], Value::Array(Vec::new()));
    assert_eq!(report["queries"]["status"], "unavailable");

    let view = drydock(dir.path(), &db).arg("stats").output().unwrap();
    assert!(view.status.success());
    let text = String::from_utf8_lossy(&view.stdout);
    assert!(text.contains("Findings\n  none"), "{text}");
    assert!(text.contains("Largest tables"), "{text}");

    let runs = drydock(dir.path(), &db)
        .args(["runs", "--task", "stats", "--json"])
        .output()
        .unwrap();
    let runs: Value = serde_json::from_slice(&runs.stdout).expect("JSON");
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(
        runs.len(),
        1,
        "only the run with --snapshot is recorded: {runs:?}"
    );
    assert_eq!(runs[0]["status"], "succeeded");
}

#[test]
fn a_finding_at_or_above_fail_on_exits_1_and_thresholds_come_from_drydock_toml() {
    let db = TestDb::postgres_stats();
    let mut idle = db.postgres_client();
    idle.batch_execute("BEGIN; SELECT 1;").unwrap();
    let dir = project(
        &db,
        "postgresql",
        "[stats.thresholds]\nidle_in_transaction = { warning = \"1s\", error = \"1h\" }\n",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let output = loop {
        let output = drydock(dir.path(), &db).arg("stats").output().unwrap();
        if output.status.code() != Some(0) || Instant::now() > deadline {
            break output;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("D6302"), "{text}");
    assert!(text.contains("idle in transaction"), "{text}");
    let lenient = drydock(dir.path(), &db)
        .args(["stats", "--fail-on", "error"])
        .output()
        .unwrap();
    assert_eq!(lenient.status.code(), Some(0));
    drop(idle);
}

#[test]
fn a_threshold_that_does_not_parse_is_d1003() {
    let db = TestDb::sqlite();
    rusqlite::Connection::open(db.sqlite_path())
        .unwrap()
        .execute_batch("CREATE TABLE a (id INTEGER PRIMARY KEY);")
        .unwrap();
    let dir = project(
        &db,
        "sqlite",
        "[stats.thresholds]\nlock_wait = { warning = \"soon\" }\n",
    );
    let output = drydock(dir.path(), &db).arg("stats").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("D1003"), "{stderr}");
    assert!(stderr.contains("thresholds.lock_wait.warning"), "{stderr}");
}
