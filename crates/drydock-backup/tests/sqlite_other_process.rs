//! A SQLite backup taken while another process keeps writing to the file is a consistent
//! snapshot: it restores, passes `PRAGMA integrity_check`, and holds exactly the rows committed
//! before some moment (ids 1..=n, none missing), as many as its manifest says.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use drydock_backup::{CreateOptions, RestoreOptions, VerifyOptions};
use drydock_test_support::TestDb;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A writer in its own process (Python's sqlite3 module, as an application would be), one
/// committed insert at a time until `stop` exists.
fn start_writer(database: &Path, stop: &Path) -> std::io::Result<Child> {
    let program = "import os, sqlite3, sys\n\
                   conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)\n\
                   while not os.path.exists(sys.argv[2]):\n\
                   \x20   conn.execute(\"INSERT INTO log (body) VALUES (hex(randomblob(200)))\")\n";
    Command::new("python3")
        .arg("-c")
        .arg(program)
        .arg(database)
        .arg(stop)
        .spawn()
}

fn rows(database: &Path) -> rusqlite::Result<i64> {
    rusqlite::Connection::open(database)?.query_row("SELECT count(*) FROM log", [], |r| r.get(0))
}

fn check(journal_mode: &str) -> TestResult {
    let db = TestDb::sqlite();
    let path = db.sqlite_path().to_owned();
    rusqlite::Connection::open(&path)?.execute_batch(&format!(
        "PRAGMA journal_mode = {journal_mode}; \
         CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    ))?;
    let dir = tempfile::tempdir()?;
    let stop = dir.path().join("stop");
    let mut writer = start_writer(&path, &stop)?;
    let started = Instant::now();
    while rows(&path).unwrap_or(0) < 200 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let backend = drydock_backup::backend_for(db.url())?;
    let store = dir.path().join("backups");
    let manifest = drydock_backup::create(backend.as_ref(), db.url(), &CreateOptions::new(&store));
    std::fs::write(&stop, "")?;
    let status = writer.wait()?;
    let manifest = manifest?;
    assert!(status.success(), "the writer failed: {status}");
    let written = rows(&path)?;
    let backed_up = manifest
        .tables
        .iter()
        .find(|t| t.name == "log")
        .ok_or("log")?
        .rows;
    assert!(
        backed_up >= 200 && (backed_up as i64) < written,
        "{backed_up} of {written} rows"
    );

    let verified =
        drydock_backup::verify(&store, &manifest, Some(db.url()), &VerifyOptions::default())?;
    let target = dir.path().join("restored.db");
    drydock_backup::restore(
        &store,
        &verified,
        &format!("file:{}", target.display()),
        &RestoreOptions {
            passphrase: None,
            force: false,
            jobs: 1,
            safety: CreateOptions::new(&store),
        },
    )?;
    let restored = rusqlite::Connection::open(&target)?;
    let integrity: String = restored.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(integrity, "ok");
    let (count, max): (i64, i64) =
        restored.query_row("SELECT count(*), max(id) FROM log", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    assert_eq!(count as u64, backed_up);
    assert_eq!(
        max, count,
        "a snapshot holds a prefix of the committed rows"
    );
    Ok(())
}

#[test]
fn a_backup_during_writes_by_another_process_is_consistent_in_rollback_journal_mode() -> TestResult
{
    check("DELETE")
}

#[test]
fn a_backup_during_writes_by_another_process_is_consistent_in_wal_mode() -> TestResult {
    check("WAL")
}
