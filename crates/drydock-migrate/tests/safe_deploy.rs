//! Deploying next to a busy application on real PostgreSQL and MariaDB servers: lock timeouts
//! and retries, failed concurrent index builds, and watching a migration that waits.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drydock_connector::{Connection, Dialect, SessionLimits};
use drydock_migrate::{
    DeployEvent, DeployOptions, DeployReport, MigrateError, WatchEvent, WatchOptions, deploy_with,
};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;
use drydock_test_support::TestDb;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write(root: &Path, name: &str, script: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join(name))?;
    std::fs::write(root.join(name).join("migration.sql"), script)
}

/// Options with short waits, so contention shows within a test's time.
fn quick(lock_timeout: Option<Duration>, lock_retries: u32) -> DeployOptions {
    DeployOptions {
        limits: SessionLimits {
            lock_timeout,
            statement_timeout: None,
        },
        lock_retries,
        retry_delay: Duration::from_millis(50),
        ..DeployOptions::default()
    }
}

/// A deploy's outcome and the retry and cleanup events it reported.
type Deployed = (Result<DeployReport, MigrateError>, Vec<String>);

fn deploy_events(
    db: &TestDb,
    dir: &Path,
    options: &DeployOptions,
) -> Result<Deployed, Box<dyn std::error::Error>> {
    deploy_events_on(&PostgresDialect, db, dir, options)
}

fn deploy_events_on(
    dialect: &dyn Dialect,
    db: &TestDb,
    dir: &Path,
    options: &DeployOptions,
) -> Result<Deployed, Box<dyn std::error::Error>> {
    let mut conn = dialect.connect(db.url())?;
    let mut events = Vec::new();
    let report = deploy_with(
        dialect,
        conn.as_mut(),
        dir,
        options,
        &mut |event| match event {
            DeployEvent::LockRetry { lock_holders, .. } => events.push(format!(
                "retry, holders: {}",
                lock_holders
                    .iter()
                    .map(|h| h.id.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            DeployEvent::DroppedInvalidIndex { index, .. } => {
                events.push(format!("dropped {index}"));
            }
            _ => {}
        },
    );
    Ok((report, events))
}

/// A migrations folder whose first migration, already deployed, runs `init`.
fn deployed(db: &TestDb, init: &str) -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    deployed_on(&PostgresDialect, db, init)
}

fn deployed_on(
    dialect: &dyn Dialect,
    db: &TestDb,
    init: &str,
) -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "20230101000000_create_user", init)?;
    deploy_events_on(dialect, db, dir.path(), &DeployOptions::default())?.0?;
    Ok(dir)
}

/// A second session, as an application would hold one.
fn session(db: &TestDb) -> Result<Box<dyn Connection>, Box<dyn std::error::Error>> {
    Ok(PostgresDialect.connect(db.url())?)
}

fn pid(conn: &mut dyn Connection) -> Result<String, Box<dyn std::error::Error>> {
    let sessions = conn
        .sessions()
        .ok_or("the database tells who its sessions are")?;
    Ok(sessions.session_id()?)
}

type Holder = std::thread::JoinHandle<Result<(), String>>;

/// An application session, on its own thread, that runs `open_transaction` (which leaves a
/// transaction open) and commits once `release` returns. Returns its pid once the transaction
/// is open.
fn hold(
    db: &TestDb,
    open_transaction: &'static str,
    release: impl FnOnce() + Send + 'static,
) -> Result<(String, Holder), Box<dyn std::error::Error>> {
    hold_on(&PostgresDialect, db, open_transaction, release)
}

fn hold_on(
    dialect: &'static dyn Dialect,
    db: &TestDb,
    open_transaction: &'static str,
    release: impl FnOnce() + Send + 'static,
) -> Result<(String, Holder), Box<dyn std::error::Error>> {
    let url = db.url().to_owned();
    let (ready, opened) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let run = || -> Result<Box<dyn Connection>, String> {
            let mut app = dialect.connect(&url).map_err(|e| e.to_string())?;
            let pid = pid(app.as_mut()).map_err(|e| e.to_string())?;
            app.execute_script(open_transaction)
                .map_err(|e| e.to_string())?;
            ready.send(pid).map_err(|e| e.to_string())?;
            Ok(app)
        };
        let mut app = run()?;
        release();
        app.execute_script("COMMIT;").map_err(|e| e.to_string())
    });
    let pid = opened
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "the application session did not open its transaction")?;
    Ok((pid, holder))
}

fn join(holder: Holder) -> Result<(), Box<dyn std::error::Error>> {
    holder
        .join()
        .map_err(|_| "the application thread panicked")?
        .map_err(Into::into)
}

#[test]
fn a_busy_table_is_retried_until_its_lock_comes_free() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed(&db, "CREATE TABLE \"User\" (id INT PRIMARY KEY);")?;
    // An open transaction that read the table holds ACCESS SHARE until it ends.
    let (app_pid, app) = hold(&db, "BEGIN; SELECT * FROM \"User\";", || {
        std::thread::sleep(Duration::from_millis(600));
    })?;
    write(
        dir.path(),
        "20240101000000_add_user_name",
        "ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;",
    )?;

    let (report, events) = deploy_events(
        &db,
        dir.path(),
        &quick(Some(Duration::from_millis(100)), 20),
    )?;
    join(app)?;
    let report = report?;
    assert!(report.applied[0].lock_retries >= 1, "{report:?}");
    assert!(
        events.iter().any(|e| e.contains(&app_pid)),
        "the holder {app_pid} is named: {events:?}"
    );
    Ok(())
}

#[test]
fn a_table_that_stays_busy_fails_the_migration_with_its_holder_named() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed(&db, "CREATE TABLE \"User\" (id INT PRIMARY KEY);")?;
    let mut app = session(&db)?;
    let app_pid = pid(app.as_mut())?;
    app.execute_script("BEGIN; SELECT * FROM \"User\";")?;
    write(
        dir.path(),
        "20240101000000_add_user_name",
        "ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;",
    )?;

    let (report, events) =
        deploy_events(&db, dir.path(), &quick(Some(Duration::from_millis(50)), 2))?;
    assert_eq!(events.len(), 2, "{events:?}");
    let error = report.err().ok_or("the deploy must fail")?;
    assert_eq!(error.code(), "P3018");
    let text = error.to_string();
    assert!(text.contains("Database error code: 55P03"), "{text}");
    assert!(
        text.contains("Gave up waiting for a lock after 3 attempt(s)"),
        "{text}"
    );
    assert!(text.contains(&format!("pid {app_pid}")), "{text}");
    // Nothing of it took effect.
    app.execute_script("COMMIT;")?;
    assert!(
        app.execute_script("SELECT \"name\" FROM \"User\";")
            .is_err()
    );
    Ok(())
}

#[test]
fn a_failed_concurrent_index_build_leaves_no_invalid_index() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed(
        &db,
        "CREATE TABLE \"User\" (id INT PRIMARY KEY, email TEXT);\n\
         INSERT INTO \"User\" VALUES (1, 'a@x'), (2, 'a@x');",
    )?;
    let mut app = session(&db)?;
    write(
        dir.path(),
        "20240101000000_add_user_email_unique",
        "CREATE UNIQUE INDEX CONCURRENTLY \"User_email_key\" ON \"User\" (email);",
    )?;

    let (report, events) = deploy_events(&db, dir.path(), &quick(None, 0))?;
    let error = report.err().ok_or("duplicates must fail the build")?;
    assert_eq!(error.code(), "P3018");
    assert_eq!(events, ["dropped public.\"User_email_key\""]);
    assert!(error.to_string().contains("Dropped the index"), "{error}");
    let builds = app
        .failed_index_builds()
        .ok_or("PostgreSQL reports failed index builds")?;
    assert!(builds.invalid_indexes()?.is_empty());
    Ok(())
}

#[test]
fn a_waiting_migration_is_watched_with_its_blocker_and_progress() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed(
        &db,
        "CREATE TABLE \"User\" (id INT PRIMARY KEY, email TEXT);\n\
         INSERT INTO \"User\" SELECT g, 'u' || g FROM generate_series(1, 1000) g;",
    )?;
    let samples: Arc<Mutex<Vec<WatchEvent>>> = Arc::default();
    let watched = Arc::clone(&samples);
    // A writer in an open transaction: a concurrent index build waits for it to end. It
    // commits once the watcher has reported the wait (at most after 10 s).
    let (app_pid, app) = hold(
        &db,
        "BEGIN; INSERT INTO \"User\" VALUES (5000, 'w');",
        move || {
            for _ in 0..100 {
                std::thread::sleep(Duration::from_millis(100));
                if watched.lock().map(|s| s.len() >= 2).unwrap_or(true) {
                    break;
                }
            }
        },
    )?;
    write(
        dir.path(),
        "20240101000000_add_user_email_index",
        "CREATE INDEX CONCURRENTLY \"User_email_idx\" ON \"User\" (email);",
    )?;

    let url = db.url().to_owned();
    let seen = Arc::clone(&samples);
    let mut options = quick(None, 0);
    options.watch = Some(WatchOptions {
        open: Arc::new(move || PostgresDialect.connect(&url)),
        report: Arc::new(move |event| {
            if let Ok(mut seen) = seen.lock() {
                seen.push(event.clone());
            }
        }),
        interval: Duration::from_millis(100),
    });
    let (report, _) = deploy_events(&db, dir.path(), &options)?;
    join(app)?;
    report?;

    let samples = samples.lock().map_err(|_| "poisoned")?.clone();
    let activity = samples
        .iter()
        .find_map(|event| match event {
            WatchEvent::Sample { activity, .. } if !activity.blockers.is_empty() => {
                Some(activity.clone())
            }
            _ => None,
        })
        .ok_or_else(|| format!("no sample named a blocker: {samples:?}"))?;
    assert_eq!(activity.blockers[0].id, app_pid);
    let progress = activity
        .progress
        .ok_or("the index build reports progress")?;
    assert_eq!(progress.command, "CREATE INDEX CONCURRENTLY");
    assert!(progress.phase.contains("waiting"), "{progress:?}");
    Ok(())
}

#[test]
fn a_backfill_that_stops_part_way_resumes_on_the_next_deploy() -> TestResult {
    let db = TestDb::postgres();
    // The check makes the batch holding id 3500 fail, as a bad row in production would.
    let dir = deployed(
        &db,
        "CREATE TABLE \"Item\" (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0);\n\
         INSERT INTO \"Item\" (id) SELECT g FROM generate_series(1, 5000) g;\n\
         ALTER TABLE \"Item\" ADD CONSTRAINT \"Item_bad_row\" CHECK (id <> 3500 OR n = 0);",
    )?;
    write(
        dir.path(),
        "20240101000000_backfill_item_done",
        "ALTER TABLE \"Item\" ADD COLUMN \"done\" BOOLEAN;\n\
         -- drydock:backfill key=id batch=1000\n\
         UPDATE \"Item\" SET n = n + 1, \"done\" = true WHERE \"done\" IS NULL;\n\
         ALTER TABLE \"Item\" ALTER COLUMN \"done\" SET NOT NULL;\n",
    )?;
    let mut batches = Vec::new();
    let mut conn = PostgresDialect.connect(db.url())?;
    let error = deploy_with(
        &PostgresDialect,
        conn.as_mut(),
        dir.path(),
        &quick(None, 0),
        &mut |event| {
            if let DeployEvent::Backfill { progress, .. } = event {
                batches.push(progress.rows_done);
            }
        },
    )
    .err()
    .ok_or("the batch with the bad row fails")?;
    assert_eq!(error.code(), "P3018");
    assert!(error.to_string().contains("backfill batch 4"), "{error}");
    assert_eq!(batches, [1000, 2000, 3000]);

    let mut app = session(&db)?;
    app.execute_script("ALTER TABLE \"Item\" DROP CONSTRAINT \"Item_bad_row\";")?;
    let report = deploy_events(&db, dir.path(), &quick(None, 0))?.0?;
    let resumed = &report.applied[0];
    assert!(resumed.resumed);
    assert_eq!(resumed.backfilled_rows, 5000);
    // Every row was updated exactly once, and the statement after the backfill ran.
    let counts =
        app.query_texts("SELECT count(*) FILTER (WHERE n = 1 AND \"done\")::text FROM \"Item\"")?;
    assert_eq!(counts, [Some("5000".to_owned())]);
    let nullable = app.query_texts(
        "SELECT is_nullable FROM information_schema.columns \
         WHERE table_name = 'Item' AND column_name = 'done'",
    )?;
    assert_eq!(nullable, [Some("NO".to_owned())]);
    Ok(())
}

/// MySQL and MariaDB: an `ALTER TABLE` waits for the metadata lock an open transaction that
/// read the table holds; `lock_wait_timeout` counts whole seconds.
mod mysql {
    use super::*;

    const USER: &str = "CREATE TABLE `User` (`id` INT PRIMARY KEY);";
    const ADD_NAME: &str = "ALTER TABLE `User` ADD COLUMN `name` VARCHAR(191) NULL;";

    #[test]
    fn a_busy_table_is_retried_until_its_lock_comes_free() -> TestResult {
        let db = TestDb::mysql();
        let dir = deployed_on(&MysqlDialect, &db, USER)?;
        // The application commits once the migration has waited past one lock timeout (the
        // deploy may first wait for the migration lock, which is the server's, not the
        // database's).
        let url = db.url().to_owned();
        let database = db.name();
        let (app_id, app) = hold_on(
            &MysqlDialect,
            &db,
            "START TRANSACTION; SELECT * FROM `User`;",
            move || {
                let waiting = || {
                    drydock_test_support::mariadb_cli::mysql_texts(
                        &url,
                        &format!(
                            "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
                             WHERE DB = '{database}' AND INFO LIKE 'ALTER TABLE `User`%' \
                             AND STATE LIKE '%metadata lock%'"
                        ),
                    ) != ["0"]
                };
                let deadline = std::time::Instant::now() + Duration::from_secs(30);
                while !waiting() && std::time::Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(50));
                }
                std::thread::sleep(Duration::from_millis(1500));
            },
        )?;
        write(dir.path(), "20240101000000_add_user_name", ADD_NAME)?;

        let (report, events) = deploy_events_on(
            &MysqlDialect,
            &db,
            dir.path(),
            &quick(Some(Duration::from_secs(1)), 10),
        )?;
        join(app)?;
        let report = report?;
        assert!(report.applied[0].lock_retries >= 1, "{report:?}");
        assert!(
            events.iter().any(|e| e.contains(&app_id)),
            "the holder {app_id} is named: {events:?}"
        );
        let mut conn = MysqlDialect.connect(db.url())?;
        assert!(status_is_clean(conn.as_mut(), dir.path())?);
        Ok(())
    }

    #[test]
    fn a_table_that_stays_busy_fails_the_migration_with_its_holder_named() -> TestResult {
        let db = TestDb::mysql();
        let dir = deployed_on(&MysqlDialect, &db, USER)?;
        let mut app = MysqlDialect.connect(db.url())?;
        let app_id = pid(app.as_mut())?;
        app.execute_script("START TRANSACTION; SELECT * FROM `User`;")?;
        write(dir.path(), "20240101000000_add_user_name", ADD_NAME)?;

        let (report, events) = deploy_events_on(
            &MysqlDialect,
            &db,
            dir.path(),
            &quick(Some(Duration::from_secs(1)), 1),
        )?;
        assert_eq!(events.len(), 1, "{events:?}");
        let error = report.err().ok_or("the deploy must fail")?;
        assert_eq!(error.code(), "P3018");
        let text = error.to_string();
        assert!(text.contains("Database error code: 1205"), "{text}");
        assert!(
            text.contains("Gave up waiting for a lock after 2 attempt(s)"),
            "{text}"
        );
        assert!(
            text.contains(&app_id),
            "the holder {app_id} is named: {text}"
        );
        app.execute_script("COMMIT;")?;
        // Nothing of it took effect, and the row says no statement completed.
        assert!(app.execute_script("SELECT `name` FROM `User`;").is_err());
        let history = app.read_history()?;
        let row = history
            .iter()
            .find(|row| row.migration_name == "20240101000000_add_user_name")
            .ok_or("a failed row")?;
        assert!(row.is_failed());
        assert_eq!(row.applied_steps_count, 0);
        Ok(())
    }

    fn status_is_clean(
        conn: &mut dyn Connection,
        dir: &Path,
    ) -> Result<bool, Box<dyn std::error::Error>> {
        Ok(drydock_migrate::status(conn, dir)?.is_up_to_date())
    }
}
