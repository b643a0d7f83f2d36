//! The history protocol against real databases: deploy, status and resolve on SQLite,
//! PostgreSQL and MariaDB, with the migration folders under `tests/fixtures/`.

use std::path::{Path, PathBuf};

use drydock_connector::{Connection, Dialect, HistoryRow, SqlGrammar};
use drydock_migrate::{
    DeployEvent, DeployReport, MigrateError, deploy, resolve_applied, resolve_rolled_back, status,
};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;
use drydock_test_support::TestDb;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A copy of fixture folder `name` for `dialect`, so a test may edit its migrations. MySQL
/// reads `"` as a string quote: its fixtures, under `mysql/`, quote names with backticks.
fn fixture(dialect: &dyn Dialect, name: &str) -> std::io::Result<tempfile::TempDir> {
    let mut source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    if dialect.capabilities().sql_grammar == SqlGrammar::MySql {
        source.push("mysql");
    }
    source.push(name);
    let copy = tempfile::tempdir()?;
    drydock_test_support::copy_tree(&source, copy.path())?;
    Ok(copy)
}

fn migration_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name).join("migration.sql")
}

fn run(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    dir: &Path,
) -> Result<DeployReport, MigrateError> {
    deploy(dialect, conn, dir, &mut |_: DeployEvent<'_>| {})
}

fn applied_names(report: &DeployReport) -> Vec<&str> {
    report.applied.iter().map(|m| m.name.as_str()).collect()
}

fn table_exists(conn: &mut dyn Connection, table: &str) -> bool {
    drydock_test_support::connection::table_names(conn)
        .iter()
        .any(|name| name == table)
}

fn rows_named<'a>(history: &'a [HistoryRow], name: &str) -> Vec<&'a HistoryRow> {
    history
        .iter()
        .filter(|row| row.migration_name == name)
        .collect()
}

fn deploy_applies_in_order_and_is_idempotent(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let dir = fixture(dialect, "basic")?;
    let mut conn = dialect.connect(db.url())?;
    let mut events = Vec::new();
    let report = deploy(dialect, conn.as_mut(), dir.path(), &mut |event| {
        if let DeployEvent::Applying {
            name, index, total, ..
        } = event
        {
            events.push(format!("{}/{total} {name}", index + 1));
        }
    })?;
    assert!(report.history_table_created);
    assert_eq!(
        applied_names(&report),
        [
            "20240101000000_init",
            "20240102000000_posts",
            "20240103000000_seed users"
        ]
    );
    assert_eq!(
        events,
        [
            "1/3 20240101000000_init",
            "2/3 20240102000000_posts",
            "3/3 20240103000000_seed users"
        ]
    );
    let history = conn.read_history()?;
    assert_eq!(history.len(), 3);
    for row in &history {
        assert!(row.is_applied(), "{row:?}");
        // A migration in a transaction is one step; outside one, each statement counts (the
        // MySQL fixtures' later migrations have two).
        let steps =
            if dialect.capabilities().transactional_ddl || row.migration_name.ends_with("_init") {
                1
            } else {
                2
            };
        assert_eq!(row.applied_steps_count, steps, "{row:?}");
        assert_eq!(row.checksum.len(), 64);
    }

    let again = run(dialect, conn.as_mut(), dir.path())?;
    assert!(again.applied.is_empty());
    assert_eq!(again.already_applied, 3);
    assert_eq!(conn.read_history()?.len(), 3);

    let report = status(conn.as_mut(), dir.path())?;
    assert!(report.is_up_to_date(), "{report:?}");
    assert_eq!(report.applied.len(), 3);
    Ok(())
}

fn failed_migration_blocks_until_resolved(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let dir = fixture(dialect, "failing")?;
    let mut conn = dialect.connect(db.url())?;

    let error = run(dialect, conn.as_mut(), dir.path()).err();
    let code = error.as_ref().map(MigrateError::code);
    assert_eq!(code, Some("P3018"), "{error:?}");
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("20240102000000_broken"), "{text}");
    assert!(
        text.contains("resolve --rolled-back 20240102000000_broken"),
        "{text}"
    );

    // The transaction was rolled back: none of the failed migration's effects remain.
    assert!(table_exists(conn.as_mut(), "User"));
    assert!(!table_exists(conn.as_mut(), "Partial"));
    assert!(!table_exists(conn.as_mut(), "After"));
    let history = conn.read_history()?;
    let broken = rows_named(&history, "20240102000000_broken");
    assert_eq!(broken.len(), 1);
    assert!(broken[0].is_failed());
    let logs = broken[0].logs.clone().unwrap_or_default();
    assert!(
        logs.contains("Migration `20240102000000_broken` failed"),
        "{logs}"
    );
    assert!(logs.contains("Missing"), "{logs}");
    assert!(rows_named(&history, "20240103000000_after").is_empty());

    let report = status(conn.as_mut(), dir.path())?;
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.pending, ["20240103000000_after"]);
    assert!(!report.is_up_to_date());

    let blocked = run(dialect, conn.as_mut(), dir.path()).err();
    assert_eq!(blocked.as_ref().map(MigrateError::code), Some("P3009"));
    let text = blocked.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("20240102000000_broken"), "{text}");

    resolve_rolled_back(conn.as_mut(), "20240102000000_broken")?;
    std::fs::write(
        migration_file(dir.path(), "20240102000000_broken"),
        "CREATE TABLE \"Partial\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    )?;
    let report = run(dialect, conn.as_mut(), dir.path())?;
    assert_eq!(
        applied_names(&report),
        ["20240102000000_broken", "20240103000000_after"]
    );
    assert!(table_exists(conn.as_mut(), "Partial"));
    let history = conn.read_history()?;
    let broken = rows_named(&history, "20240102000000_broken");
    assert_eq!(broken.len(), 2);
    assert_eq!(broken.iter().filter(|r| r.is_rolled_back()).count(), 1);
    assert_eq!(broken.iter().filter(|r| r.is_applied()).count(), 1);
    assert!(status(conn.as_mut(), dir.path())?.is_up_to_date());
    Ok(())
}

fn status_reports_edited_migrations(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let dir = fixture(dialect, "basic")?;
    let mut conn = dialect.connect(db.url())?;
    run(dialect, conn.as_mut(), dir.path())?;

    let posts = migration_file(dir.path(), "20240102000000_posts");
    let original = std::fs::read_to_string(&posts)?;
    // Git turning LF into CRLF is not an edit.
    std::fs::write(&posts, original.replace('\n', "\r\n"))?;
    assert!(
        status(conn.as_mut(), dir.path())?
            .edited_after_applied
            .is_empty()
    );

    std::fs::write(&posts, format!("{original}-- reviewed\n"))?;
    let report = status(conn.as_mut(), dir.path())?;
    assert_eq!(report.edited_after_applied, ["20240102000000_posts"]);
    assert!(report.pending.is_empty());

    std::fs::remove_dir_all(dir.path().join("20240103000000_seed users"))?;
    let report = status(conn.as_mut(), dir.path())?;
    assert_eq!(report.missing_locally, ["20240103000000_seed users"]);
    assert!(!report.is_up_to_date());
    Ok(())
}

fn tables_without_history_need_baselining(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let dir = fixture(dialect, "basic")?;
    let mut conn = dialect.connect(db.url())?;
    let init = std::fs::read_to_string(migration_file(dir.path(), "20240101000000_init"))?;
    conn.execute_script(&init)?;

    let error = run(dialect, conn.as_mut(), dir.path()).err();
    assert_eq!(error.as_ref().map(MigrateError::code), Some("P3005"));
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.contains("resolve --applied 20240101000000_init"),
        "{text}"
    );
    assert!(!conn.history_table_exists()?);
    assert!(!status(conn.as_mut(), dir.path())?.history_table_exists);

    let resolved = resolve_applied(conn.as_mut(), dir.path(), "20240101000000_init")?;
    assert!(resolved.history_table_created);
    let history = conn.read_history()?;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].logs.as_deref(), Some(""));
    assert!(history[0].is_applied());

    let again = resolve_applied(conn.as_mut(), dir.path(), "20240101000000_init").err();
    assert_eq!(again.map(|e| e.code()), Some("P3008"));
    let unknown = resolve_applied(conn.as_mut(), dir.path(), "20240101_nope").err();
    assert_eq!(unknown.map(|e| e.code()), Some("P3017"));
    let not_failed = resolve_rolled_back(conn.as_mut(), "20240101000000_init").err();
    assert_eq!(not_failed.map(|e| e.code()), Some("P3012"));
    let never = resolve_rolled_back(conn.as_mut(), "20240102000000_posts").err();
    assert_eq!(never.map(|e| e.code()), Some("P3011"));

    let report = run(dialect, conn.as_mut(), dir.path())?;
    assert_eq!(
        applied_names(&report),
        ["20240102000000_posts", "20240103000000_seed users"]
    );
    Ok(())
}

/// A migration with its own `BEGIN`/`COMMIT` runs as written, outside a transaction of
/// drydock's, and is recorded as applied.
fn own_transaction_runs_as_written(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let dir = fixture(dialect, "own_transaction")?;
    let mut conn = dialect.connect(db.url())?;
    let report = run(dialect, conn.as_mut(), dir.path())?;
    assert_eq!(
        applied_names(&report),
        ["20240101000000_init", "20240102000000_manual"]
    );
    assert_eq!(report.applied[0].non_transactional_reason, None);
    assert!(report.applied[1].non_transactional_reason.is_some());
    assert!(table_exists(conn.as_mut(), "Manual"));
    let history = conn.read_history()?;
    assert!(history.iter().all(HistoryRow::is_applied), "{history:?}");
    assert_eq!(history.len(), 2);
    assert!(run(dialect, conn.as_mut(), dir.path())?.applied.is_empty());
    Ok(())
}

/// A migration whose own transaction fails: the transaction is rolled back, what ran before its
/// `BEGIN` stays, and the failed row says so.
fn failure_inside_own_transaction_is_recorded(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let dir = fixture(dialect, "own_transaction")?;
    std::fs::write(
        migration_file(dir.path(), "20240102000000_manual"),
        "CREATE TABLE \"Before\" (\"id\" INTEGER);\nBEGIN;\nCREATE TABLE \"Inside\" (\"id\" INTEGER);\nINSERT INTO \"Nope\" VALUES (1);\nCOMMIT;\n",
    )?;
    let mut conn = dialect.connect(db.url())?;
    let error = run(dialect, conn.as_mut(), dir.path()).expect_err("the migration fails");
    assert_eq!(error.code(), "P3018");
    assert!(error.to_string().contains("rolled back"), "{error}");
    assert!(table_exists(conn.as_mut(), "Before"));
    assert!(
        !table_exists(conn.as_mut(), "Inside"),
        "the script's transaction was rolled back"
    );
    let history = conn.read_history()?;
    let failed = rows_named(&history, "20240102000000_manual");
    assert_eq!(failed.len(), 1);
    assert!(failed[0].is_failed());
    let logs = failed[0].logs.as_deref().unwrap_or_default();
    assert!(
        logs.contains("Nope") && logs.contains("rolled back"),
        "{logs}"
    );
    Ok(())
}

/// Two deploys at once, each on its own connection: every migration is applied exactly once.
fn concurrent_deploys_apply_each_migration_once<D>(dialect: D, db: &TestDb) -> TestResult
where
    D: Dialect + Copy + 'static,
{
    let dir = fixture(&dialect, "basic")?;
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let url = db.url().to_owned();
            let path = dir.path().to_owned();
            std::thread::spawn(move || -> Result<usize, String> {
                let mut conn = dialect.connect(&url).map_err(|e| e.to_string())?;
                let report = deploy(&dialect, conn.as_mut(), &path, &mut |_| {})
                    .map_err(|e| format!("{}: {e}", e.code()))?;
                Ok(report.applied.len())
            })
        })
        .collect();
    let mut applied = Vec::new();
    for thread in threads {
        match thread.join() {
            Ok(result) => applied.push(result?),
            Err(_) => return Err("a deploy thread panicked".into()),
        }
    }
    applied.sort_unstable();
    assert_eq!(
        applied,
        [0, 3],
        "one deploy applies everything, the other nothing"
    );

    let mut conn = dialect.connect(db.url())?;
    let history = conn.read_history()?;
    for name in [
        "20240101000000_init",
        "20240102000000_posts",
        "20240103000000_seed users",
    ] {
        assert_eq!(rows_named(&history, name).len(), 1, "{name}: {history:?}");
    }
    assert_eq!(history.len(), 3);
    Ok(())
}

mod sqlite {
    use super::*;

    #[test]
    fn deploy_applies_in_order_and_is_idempotent() -> TestResult {
        super::deploy_applies_in_order_and_is_idempotent(&SqliteDialect, &TestDb::sqlite())
    }

    #[test]
    fn failed_migration_blocks_until_resolved() -> TestResult {
        super::failed_migration_blocks_until_resolved(&SqliteDialect, &TestDb::sqlite())
    }

    #[test]
    fn status_reports_edited_migrations() -> TestResult {
        super::status_reports_edited_migrations(&SqliteDialect, &TestDb::sqlite())
    }

    #[test]
    fn tables_without_history_need_baselining() -> TestResult {
        super::tables_without_history_need_baselining(&SqliteDialect, &TestDb::sqlite())
    }

    #[test]
    fn concurrent_deploys_apply_each_migration_once() -> TestResult {
        super::concurrent_deploys_apply_each_migration_once(SqliteDialect, &TestDb::sqlite())
    }

    #[test]
    fn own_transaction_runs_as_written() -> TestResult {
        super::own_transaction_runs_as_written(&SqliteDialect, &TestDb::sqlite())
    }

    #[test]
    fn failure_inside_own_transaction_is_recorded() -> TestResult {
        super::failure_inside_own_transaction_is_recorded(&SqliteDialect, &TestDb::sqlite())
    }

    /// What the deploy asks to confirm once it holds the lock is the very files it applies; a
    /// refusal stops it before anything runs.
    #[test]
    fn the_set_about_to_run_is_confirmed_under_the_lock() -> TestResult {
        use std::sync::{Arc, Mutex};
        let dir = fixture(&SqliteDialect, "basic")?;
        let db = TestDb::sqlite();
        let mut conn = SqliteDialect.connect(db.url())?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        let refusing = drydock_migrate::DeployOptions {
            confirm_pending: Some(Arc::new(move |set: &[(&str, &str)]| {
                let refusal = |reason: String| drydock_migrate::PendingRefusal {
                    code: "D3121",
                    reason,
                };
                let mut kept = kept.lock().map_err(|e| refusal(e.to_string()))?;
                kept.extend(set.iter().map(|(n, c)| ((*n).to_owned(), (*c).to_owned())));
                Err(refusal("not the approved set".to_owned()))
            })),
            ..drydock_migrate::DeployOptions::default()
        };
        let error = drydock_migrate::deploy_with(
            &SqliteDialect,
            conn.as_mut(),
            dir.path(),
            &refusing,
            &mut |_| {},
        )
        .err();
        assert_eq!(error.as_ref().map(|e| e.code()), Some("D3121"));
        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some("not the approved set")
        );
        let local = drydock_migrate::list_migrations(dir.path())?;
        let expected: Vec<(String, String)> = local
            .iter()
            .map(|m| (m.name.clone(), m.checksum.clone()))
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(*seen.lock().map_err(|e| e.to_string())?, expected);
        assert!(
            conn.read_history()?.is_empty(),
            "nothing applied, nothing recorded"
        );
        let agreeing = drydock_migrate::DeployOptions {
            confirm_pending: Some(Arc::new(|_: &[(&str, &str)]| Ok(()))),
            ..drydock_migrate::DeployOptions::default()
        };
        let report = drydock_migrate::deploy_with(
            &SqliteDialect,
            conn.as_mut(),
            dir.path(),
            &agreeing,
            &mut |_| {},
        )?;
        assert_eq!(report.applied.len(), expected.len());
        Ok(())
    }

    #[test]
    fn a_lock_file_for_another_provider_is_p3019() -> TestResult {
        let dir = fixture(&SqliteDialect, "basic")?;
        drydock_migrate::write_lock_file(dir.path(), "postgresql")?;
        let db = TestDb::sqlite();
        let mut conn = SqliteDialect.connect(db.url())?;
        let error = run(&SqliteDialect, conn.as_mut(), dir.path()).err();
        assert_eq!(error.map(|e| e.code()), Some("P3019"));
        assert!(!conn.history_table_exists()?);
        Ok(())
    }
}

mod postgres {
    use super::*;

    #[test]
    fn deploy_applies_in_order_and_is_idempotent() -> TestResult {
        super::deploy_applies_in_order_and_is_idempotent(&PostgresDialect, &TestDb::postgres())
    }

    #[test]
    fn failed_migration_blocks_until_resolved() -> TestResult {
        super::failed_migration_blocks_until_resolved(&PostgresDialect, &TestDb::postgres())
    }

    #[test]
    fn status_reports_edited_migrations() -> TestResult {
        super::status_reports_edited_migrations(&PostgresDialect, &TestDb::postgres())
    }

    #[test]
    fn tables_without_history_need_baselining() -> TestResult {
        super::tables_without_history_need_baselining(&PostgresDialect, &TestDb::postgres())
    }

    #[test]
    fn concurrent_deploys_apply_each_migration_once() -> TestResult {
        super::concurrent_deploys_apply_each_migration_once(PostgresDialect, &TestDb::postgres())
    }

    #[test]
    fn own_transaction_runs_as_written() -> TestResult {
        super::own_transaction_runs_as_written(&PostgresDialect, &TestDb::postgres())
    }

    #[test]
    fn failure_inside_own_transaction_is_recorded() -> TestResult {
        super::failure_inside_own_transaction_is_recorded(&PostgresDialect, &TestDb::postgres())
    }

    #[test]
    fn failure_logs_carry_the_sqlstate_and_position() -> TestResult {
        let dir = fixture(&PostgresDialect, "failing")?;
        let db = TestDb::postgres();
        let mut conn = PostgresDialect.connect(db.url())?;
        let error = run(&PostgresDialect, conn.as_mut(), dir.path()).err();
        match error {
            Some(MigrateError::MigrationFailed { db_code, logs, .. }) => {
                assert_eq!(db_code.as_deref(), Some("42P01"));
                assert!(logs.contains("Database error code: 42P01"), "{logs}");
                assert!(logs.contains("Position: 7:13"), "{logs}");
                assert!(logs.contains("> 7 | INSERT INTO \"Missing\""), "{logs}");
            }
            other => return Err(format!("expected P3018, got {other:?}").into()),
        }
        Ok(())
    }

    /// `CREATE INDEX CONCURRENTLY` cannot run in a transaction block: the migration runs
    /// outside one, with a started row first and `finished_at` set at the end.
    #[test]
    fn concurrently_runs_outside_a_transaction_and_is_recorded() -> TestResult {
        let dir = fixture(&PostgresDialect, "concurrently")?;
        let db = TestDb::postgres();
        let mut conn = PostgresDialect.connect(db.url())?;
        let report = run(&PostgresDialect, conn.as_mut(), dir.path())?;
        assert_eq!(
            applied_names(&report),
            ["20240101000000_init", "20240102000000_email_index"]
        );
        assert_eq!(report.applied[0].non_transactional_reason, None);
        assert!(report.applied[1].non_transactional_reason.is_some());
        assert!(table_exists(conn.as_mut(), "Audit"));
        conn.execute_script(
            "DO $$ BEGIN IF to_regclass('\"User_email_idx\"') IS NULL THEN \
             RAISE EXCEPTION 'index missing'; END IF; END $$;",
        )?;
        let history = conn.read_history()?;
        let index = rows_named(&history, "20240102000000_email_index");
        assert_eq!(index.len(), 1);
        assert!(index[0].is_applied());
        assert!(index[0].applied_steps_count >= 1);
        assert!(status(conn.as_mut(), dir.path())?.is_up_to_date());
        Ok(())
    }

    #[test]
    fn a_failing_non_transactional_migration_is_recorded_as_failed() -> TestResult {
        let dir = fixture(&PostgresDialect, "concurrently")?;
        std::fs::write(
            migration_file(dir.path(), "20240102000000_email_index"),
            "CREATE INDEX CONCURRENTLY \"User_email_idx\" ON \"User\" (\"email\");\n\
             CREATE INDEX \"Nope_idx\" ON \"Nope\" (\"id\");\n",
        )?;
        let db = TestDb::postgres();
        let mut conn = PostgresDialect.connect(db.url())?;
        let error = run(&PostgresDialect, conn.as_mut(), dir.path()).err();
        assert_eq!(error.as_ref().map(MigrateError::code), Some("P3018"));
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("outside a transaction"), "{text}");
        let history = conn.read_history()?;
        let index = rows_named(&history, "20240102000000_email_index");
        assert_eq!(index.len(), 1);
        assert!(index[0].is_failed());
        let logs = index[0].logs.clone().unwrap_or_default();
        assert!(logs.contains("Ran outside a transaction"), "{logs}");
        // The first statement completed and stays applied; the second one failed.
        assert!(logs.contains("\"Nope\" does not exist"), "{logs}");
        assert!(logs.contains("Position: 2:"), "{logs}");
        conn.execute_script(
            "DO $$ BEGIN IF to_regclass('\"User_email_idx\"') IS NULL THEN \
             RAISE EXCEPTION 'index missing'; END IF; END $$;",
        )?;
        let blocked = run(&PostgresDialect, conn.as_mut(), dir.path()).err();
        assert_eq!(blocked.map(|e| e.code()), Some("P3009"));
        Ok(())
    }

    /// A NUL byte in a pending migration stops the deploy before any migration runs, naming
    /// the file and the position (the server would reject it mid-deploy with an error that
    /// names neither).
    #[test]
    fn a_nul_byte_in_a_pending_migration_applies_nothing() -> TestResult {
        let dir = fixture(&PostgresDialect, "basic")?;
        std::fs::write(
            migration_file(dir.path(), "20240102000000_posts"),
            "CREATE TABLE \"Post\" (\"id\" INT);\nINSERT INTO \"Post\" VALUES (1);\0\n",
        )?;
        let db = TestDb::postgres();
        let mut conn = PostgresDialect.connect(db.url())?;
        let error = run(&PostgresDialect, conn.as_mut(), dir.path()).err();
        assert_eq!(error.as_ref().map(MigrateError::code), Some("D3017"));
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.contains("20240102000000_posts/migration.sql"),
            "{text}"
        );
        assert!(text.contains("at 2:31 (line:column)"), "{text}");
        assert!(!table_exists(conn.as_mut(), "User"));
        assert!(conn.read_history()?.is_empty());
        Ok(())
    }
}

/// MySQL and MariaDB: the shared protocol, and what differs because DDL commits statement by
/// statement there (a migration's own transaction does not hold its DDL, so those cases stay
/// with the dialects that have transactional DDL).
mod mysql {
    use super::*;

    #[test]
    fn deploy_applies_in_order_and_is_idempotent() -> TestResult {
        super::deploy_applies_in_order_and_is_idempotent(&MysqlDialect, &TestDb::mysql())
    }

    #[test]
    fn status_reports_edited_migrations() -> TestResult {
        super::status_reports_edited_migrations(&MysqlDialect, &TestDb::mysql())
    }

    #[test]
    fn tables_without_history_need_baselining() -> TestResult {
        super::tables_without_history_need_baselining(&MysqlDialect, &TestDb::mysql())
    }

    #[test]
    fn concurrent_deploys_apply_each_migration_once() -> TestResult {
        super::concurrent_deploys_apply_each_migration_once(MysqlDialect, &TestDb::mysql())
    }

    /// A migration that fails at its second statement: the first one stays applied and is
    /// counted, the row lists every statement's state, later deploys are blocked until the
    /// completed statement is undone and the migration resolved.
    #[test]
    fn a_failed_migration_keeps_its_completed_statements_and_says_which() -> TestResult {
        let db = TestDb::mysql();
        let dir = fixture(&MysqlDialect, "failing")?;
        let mut conn = MysqlDialect.connect(db.url())?;

        let error = run(&MysqlDialect, conn.as_mut(), dir.path()).err();
        assert_eq!(error.as_ref().map(MigrateError::code), Some("P3018"));
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("20240102000000_broken"), "{text}");
        assert!(text.contains("Ran outside a transaction"), "{text}");
        assert!(text.contains("Database error code: 1146"), "{text}");
        assert!(table_exists(conn.as_mut(), "Partial"), "statement 1 stays");
        assert!(!table_exists(conn.as_mut(), "After"));

        let history = conn.read_history()?;
        let broken = rows_named(&history, "20240102000000_broken");
        assert_eq!(broken.len(), 1);
        assert!(broken[0].is_failed());
        assert_eq!(broken[0].applied_steps_count, 1);
        let logs = broken[0].logs.clone().unwrap_or_default();
        for (state, statement) in [
            ("  1  done       ", "CREATE TABLE `Partial` ("),
            (
                "  2  failed     ",
                "INSERT INTO `Missing` (`id`) VALUES (1);",
            ),
            (
                "  3  not run    ",
                "CREATE INDEX `Partial_id_idx` ON `Partial`(`id`);",
            ),
        ] {
            assert!(
                logs.lines()
                    .any(|line| line.starts_with(state) && line.ends_with(statement)),
                "{state}{statement} in {logs}"
            );
        }

        let report = status(conn.as_mut(), dir.path())?;
        assert_eq!(report.failed.len(), 1);
        assert_eq!(report.pending, ["20240103000000_after"]);
        let blocked = run(&MysqlDialect, conn.as_mut(), dir.path()).err();
        assert_eq!(blocked.as_ref().map(MigrateError::code), Some("P3009"));

        conn.execute_script("DROP TABLE `Partial`;")?;
        resolve_rolled_back(conn.as_mut(), "20240102000000_broken")?;
        std::fs::write(
            migration_file(dir.path(), "20240102000000_broken"),
            "CREATE TABLE `Partial` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));\n",
        )?;
        let report = run(&MysqlDialect, conn.as_mut(), dir.path())?;
        assert_eq!(
            applied_names(&report),
            ["20240102000000_broken", "20240103000000_after"]
        );
        assert!(table_exists(conn.as_mut(), "After"));
        let history = conn.read_history()?;
        let broken = rows_named(&history, "20240102000000_broken");
        assert_eq!(broken.iter().filter(|r| r.is_rolled_back()).count(), 1);
        assert_eq!(broken.iter().filter(|r| r.is_applied()).count(), 1);
        assert!(status(conn.as_mut(), dir.path())?.is_up_to_date());
        Ok(())
    }

    /// A NUL byte in a pending migration stops the deploy before any migration runs: on MySQL
    /// nothing could be rolled back afterwards.
    #[test]
    fn a_nul_byte_in_a_pending_migration_applies_nothing() -> TestResult {
        let dir = fixture(&MysqlDialect, "basic")?;
        std::fs::write(
            migration_file(dir.path(), "20240102000000_posts"),
            "CREATE TABLE `Post` (`id` INT);\nINSERT INTO `Post` VALUES (1);\0\n",
        )?;
        let db = TestDb::mysql();
        let mut conn = MysqlDialect.connect(db.url())?;
        let error = run(&MysqlDialect, conn.as_mut(), dir.path()).err();
        assert_eq!(error.as_ref().map(MigrateError::code), Some("D3017"));
        assert!(!table_exists(conn.as_mut(), "User"));
        assert!(conn.read_history()?.is_empty());
        Ok(())
    }
}
