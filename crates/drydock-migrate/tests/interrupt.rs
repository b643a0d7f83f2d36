//! A stop request (Ctrl-C, `SIGTERM`) during a deploy on real servers: the running statement is
//! cancelled, what ran is recorded, and the next plain deploy finishes the job.

use std::path::Path;
use std::time::{Duration, Instant};

use drydock_connector::{Dialect, HistoryRow, Interrupt, SessionLimits};
use drydock_migrate::{DeployEvent, DeployOptions, INTERRUPTED_LOGS, MigrateError, deploy_with};
use drydock_sqlite::SqliteDialect;
use drydock_test_support::TestDb;
use drydock_test_support::waiting_build::{self, WaitingBuild};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write(root: &Path, name: &str, script: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join(name))?;
    std::fs::write(root.join(name).join("migration.sql"), script)
}

/// Deploy `dir`, calling `on_applying` with the name of each migration as it starts.
fn deploy(
    dialect: &dyn Dialect,
    url: &str,
    dir: &Path,
    interrupt: &Interrupt,
    on_applying: &mut dyn FnMut(&str),
) -> Result<Vec<String>, MigrateError> {
    let mut conn = dialect.connect(url)?;
    // No lock timeout: a build that waits for an application's transaction waits until stopped.
    let options = DeployOptions {
        limits: SessionLimits::default(),
        interrupt: interrupt.clone(),
        ..DeployOptions::default()
    };
    let report = deploy_with(dialect, conn.as_mut(), dir, &options, &mut |event| {
        if let DeployEvent::Applying { name, .. } = event {
            on_applying(name);
        }
    })?;
    Ok(report.applied.into_iter().map(|m| m.name).collect())
}

fn history(
    dialect: &dyn Dialect,
    url: &str,
) -> Result<Vec<HistoryRow>, Box<dyn std::error::Error>> {
    Ok(dialect.connect(url)?.read_history()?)
}

/// Trigger `interrupt` once `ready` says the statement to stop is running (polled every 50 ms,
/// 30 s at most).
fn trigger_when(
    interrupt: &Interrupt,
    mut ready: impl FnMut() -> bool + Send + 'static,
) -> std::thread::JoinHandle<bool> {
    let interrupt = interrupt.clone();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if ready() {
                interrupt.trigger();
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    })
}

/// Deploy `dir` and stop it while the migration named `*{suffix}` runs: when it starts,
/// `watch` makes the condition that says its statement is under way. Returns the migrations
/// applied before the stop and what the interruption said of the one it cut short.
fn deploy_stopped_in(
    dialect: &dyn Dialect,
    url: &str,
    dir: &Path,
    suffix: &str,
    mut watch: impl FnMut() -> Box<dyn FnMut() -> bool + Send>,
) -> Result<(Vec<String>, String), Box<dyn std::error::Error>> {
    let interrupt = Interrupt::new();
    let mut watcher = None;
    let error = deploy(dialect, url, dir, &interrupt, &mut |name| {
        if name.ends_with(suffix) {
            watcher = Some(trigger_when(&interrupt, watch()));
        }
    })
    .expect_err("the interrupted deploy fails");
    assert!(
        watcher.take().is_some_and(|w| w.join().unwrap_or(false)),
        "the statement to stop never ran"
    );
    assert_eq!(error.code(), "D3016");
    match error {
        MigrateError::Interrupted { applied, state } => Ok((applied, state)),
        other => panic!("expected an interruption, got {other}"),
    }
}

/// The second migration's index build waits behind an application's transaction and is
/// stopped: the statement before it stays counted and the row is failed with the interruption's
/// logs; once the transaction ends, the next plain deploy finishes the migration. Returns the
/// stopped row's logs.
fn a_waiting_build_is_stopped_recorded_and_resumed(
    case: &'static WaitingBuild,
    db: &TestDb,
) -> Result<String, Box<dyn std::error::Error>> {
    let dialect = case.dialect;
    let dir = tempfile::tempdir()?;
    write(dir.path(), "20240101000000_init", case.init)?;
    deploy(
        dialect,
        db.url(),
        dir.path(),
        &Interrupt::new(),
        &mut |_| {},
    )?;
    write(dir.path(), "20240102000000_index", &case.index_migration())?;
    let mut application = case.hold(db)?;

    let (applied, state) = deploy_stopped_in(dialect, db.url(), dir.path(), "_index", || {
        Box::new(case.waiting(db))
    })?;
    assert!(applied.is_empty());
    assert!(state.contains("1 statement(s) of it completed"), "{state}");
    let rows = history(dialect, db.url())?;
    let row = rows
        .iter()
        .find(|r| r.migration_name.ends_with("_index"))
        .ok_or("a row for the stopped migration")?;
    assert!(row.is_failed());
    assert_eq!(row.applied_steps_count, 1);
    let logs = row.logs.clone().unwrap_or_default();
    assert!(logs.starts_with(INTERRUPTED_LOGS), "{logs}");

    application.execute_script(case.release)?;
    let applied = deploy(
        dialect,
        db.url(),
        dir.path(),
        &Interrupt::new(),
        &mut |_| {},
    )?;
    assert_eq!(applied, ["20240102000000_index"]);
    assert_eq!(case.built_indexes(db)?, 2);
    let rows = history(dialect, db.url())?;
    assert_eq!(
        rows.iter().filter(|r| r.is_applied()).count(),
        2,
        "{rows:#?}"
    );
    Ok(logs)
}

/// PostgreSQL cancels the concurrent build; the invalid index it leaves is dropped and built
/// again when the deploy resumes.
#[test]
fn a_cancelled_concurrent_index_build_is_dropped_recorded_and_resumed() -> TestResult {
    let db = TestDb::postgres();
    let logs = a_waiting_build_is_stopped_recorded_and_resumed(&waiting_build::POSTGRES, &db)?;
    // The application's transaction still held the table when the deploy stopped: the invalid
    // index waited for the next deploy.
    assert!(
        logs.contains("Left invalid, dropped when the deploy resumes: public.item_code_idx"),
        "{logs}"
    );
    Ok(())
}

#[test]
fn an_interrupted_transactional_migration_stays_pending_with_no_failed_row() -> TestResult {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "20240101000000_init",
        "CREATE TABLE \"a\" (\"id\" INTEGER);",
    )?;
    // Long enough that the stop always lands inside it.
    write(
        dir.path(),
        "20240102000000_slow",
        "CREATE TABLE \"b\" (\"id\" INTEGER);\n\
         WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000000) \
         SELECT count(*) FROM n;\n",
    )?;
    let (applied, state) =
        deploy_stopped_in(&SqliteDialect, db.url(), dir.path(), "_slow", || {
            let started = Instant::now();
            Box::new(move || started.elapsed() > Duration::from_millis(200))
        })?;
    assert_eq!(applied, ["20240101000000_init"]);
    assert!(state.contains("still pending"), "{state}");
    let rows = history(&SqliteDialect, db.url())?;
    assert_eq!(
        rows.len(),
        1,
        "no row for the rolled-back migration: {rows:#?}"
    );
    let tables = SqliteDialect.connect(db.url())?.introspect(&[])?;
    assert!(tables.tables.iter().all(|t| t.name != "b"), "rolled back");
    Ok(())
}

#[test]
fn a_stop_before_a_migration_starts_applies_nothing_more() -> TestResult {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "20240101000000_one",
        "CREATE TABLE \"a\" (\"id\" INTEGER);",
    )?;
    write(
        dir.path(),
        "20240102000000_two",
        "CREATE TABLE \"b\" (\"id\" INTEGER);",
    )?;
    let interrupt = Interrupt::new();
    let error = deploy(
        &SqliteDialect,
        db.url(),
        dir.path(),
        &interrupt,
        &mut |name| {
            if name.ends_with("_one") {
                interrupt.trigger();
            }
        },
    )
    .expect_err("stopped");
    let MigrateError::Interrupted { applied, state } = &error else {
        panic!("expected an interruption, got {error}");
    };
    // The first migration had started: it completes, the second never starts.
    assert_eq!(applied, &["20240101000000_one"]);
    assert!(state.contains("`20240102000000_two` and the later migrations were not started"));
    let applied = deploy(
        &SqliteDialect,
        db.url(),
        dir.path(),
        &Interrupt::new(),
        &mut |_| {},
    )?;
    assert_eq!(applied, ["20240102000000_two"]);
    Ok(())
}

/// MySQL and MariaDB: the waiting statement is stopped with `KILL QUERY` from another session,
/// the statements before it stay counted, and the next deploy continues at it.
#[test]
fn a_statement_stopped_on_mariadb_is_recorded_and_resumed() -> TestResult {
    let db = TestDb::mysql();
    a_waiting_build_is_stopped_recorded_and_resumed(&waiting_build::MYSQL, &db)?;
    Ok(())
}
