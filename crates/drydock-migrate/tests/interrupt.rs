//! A stop request (Ctrl-C, `SIGTERM`) during a deploy on real servers: the running statement is
//! cancelled, what ran is recorded, and the next plain deploy finishes the job.

use std::path::Path;
use std::time::{Duration, Instant};

use drydock_connector::{Dialect, HistoryRow, Interrupt, RunScripts, SessionLimits};
use drydock_migrate::{DeployEvent, DeployOptions, INTERRUPTED_LOGS, MigrateError, deploy_with};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;
use drydock_test_support::TestDb;

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

#[test]
fn a_cancelled_concurrent_index_build_is_dropped_recorded_and_resumed() -> TestResult {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "20240101000000_init",
        "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT);",
    )?;
    deploy(
        &PostgresDialect,
        db.url(),
        dir.path(),
        &Interrupt::new(),
        &mut |_| {},
    )?;
    write(
        dir.path(),
        "20240102000000_index",
        "CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY);\n\
         CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");\n\
         CREATE INDEX CONCURRENTLY \"tag_id_idx\" ON \"tag\" (\"id\");\n",
    )?;
    // An application transaction that wrote to the table: the build waits for it to end.
    let mut application = db.postgres_client();
    application.batch_execute("BEGIN; INSERT INTO \"item\" VALUES (1, 'a');")?;

    let (applied, state) =
        deploy_stopped_in(&PostgresDialect, db.url(), dir.path(), "_index", || {
            let mut observer = db.postgres_client();
            let database = db.name();
            Box::new(move || {
                observer
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 \
                         AND query LIKE '%CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'",
                        &[&database],
                    )
                    .is_ok_and(|row| row.get::<_, i64>(0) > 0)
            })
        })?;
    assert!(applied.is_empty());
    assert!(state.contains("1 statement(s) of it completed"), "{state}");

    let rows = history(&PostgresDialect, db.url())?;
    let row = rows
        .iter()
        .find(|r| r.migration_name.ends_with("_index"))
        .expect("a row");
    assert!(row.is_failed());
    assert_eq!(row.applied_steps_count, 1);
    let logs = row.logs.as_deref().unwrap_or_default();
    assert!(logs.starts_with(INTERRUPTED_LOGS), "{logs}");
    // The application's transaction still holds the table: the invalid index waits for the
    // next deploy, which drops it before building it again.
    assert!(
        logs.contains("Left invalid, dropped when the deploy resumes: public.item_code_idx"),
        "{logs}"
    );

    application.batch_execute("COMMIT")?;
    let applied = deploy(
        &PostgresDialect,
        db.url(),
        dir.path(),
        &Interrupt::new(),
        &mut |_| {},
    )?;
    assert_eq!(applied, ["20240102000000_index"]);
    let valid = db
        .postgres_client()
        .query_one(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname IN ('item_code_idx', 'tag_id_idx') AND i.indisvalid",
            &[],
        )?
        .get::<_, i64>(0);
    assert_eq!(valid, 2);
    let rows = history(&PostgresDialect, db.url())?;
    let finished: Vec<_> = rows.iter().filter(|r| r.is_applied()).collect();
    assert_eq!(finished.len(), 2, "{rows:#?}");
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
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "20240101000000_init",
        "CREATE TABLE `item` (`id` INTEGER NOT NULL, `code` VARCHAR(100) NULL, PRIMARY KEY (`id`));",
    )?;
    deploy(
        &MysqlDialect,
        db.url(),
        dir.path(),
        &Interrupt::new(),
        &mut |_| {},
    )?;
    write(
        dir.path(),
        "20240102000000_index",
        "CREATE TABLE `tag` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));\n\
         CREATE INDEX `item_code_idx` ON `item`(`code`);\n\
         CREATE INDEX `tag_id_idx` ON `tag`(`id`);\n",
    )?;
    // An application transaction that read the table holds its metadata lock.
    let mut application = MysqlDialect.connect(db.url())?;
    application.execute_script("START TRANSACTION; SELECT * FROM `item`;")?;

    let (applied, state) =
        deploy_stopped_in(&MysqlDialect, db.url(), dir.path(), "_index", || {
            let mut observer = drydock_mysql::MysqlConnection::connect(db.url()).ok();
            let database = db.name();
            Box::new(move || {
                observer.as_mut().is_some_and(|observer| {
                    observer
                        .query_texts(&format!(
                            "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.PROCESSLIST \
                         WHERE DB = '{database}' AND INFO LIKE 'CREATE INDEX `item_code_idx`%' \
                         AND STATE LIKE '%metadata lock%'"
                        ))
                        .is_ok_and(|rows| rows.first().is_some_and(|n| n.as_deref() != Some("0")))
                })
            })
        })?;
    assert!(applied.is_empty());
    assert!(state.contains("1 statement(s) of it completed"), "{state}");
    let rows = history(&MysqlDialect, db.url())?;
    let row = rows
        .iter()
        .find(|r| r.migration_name.ends_with("_index"))
        .ok_or("a row for the stopped migration")?;
    assert!(row.is_failed());
    assert_eq!(row.applied_steps_count, 1);
    let logs = row.logs.as_deref().unwrap_or_default();
    assert!(logs.starts_with(INTERRUPTED_LOGS), "{logs}");

    application.execute_script("COMMIT;")?;
    let applied = deploy(
        &MysqlDialect,
        db.url(),
        dir.path(),
        &Interrupt::new(),
        &mut |_| {},
    )?;
    assert_eq!(applied, ["20240102000000_index"]);
    let indexes = MysqlDialect.connect(db.url())?.query_texts(
        "SELECT CAST(COUNT(DISTINCT INDEX_NAME) AS CHAR) FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME IN ('item_code_idx', 'tag_id_idx')",
    )?;
    assert_eq!(indexes, [Some("2".to_owned())]);
    let rows = history(&MysqlDialect, db.url())?;
    assert_eq!(
        rows.iter().filter(|r| r.is_applied()).count(),
        2,
        "{rows:#?}"
    );
    Ok(())
}
