//! A deploy that died (its process killed, its session terminated) while a migration ran: the
//! next plain deploy finds the unfinished history row under a free migration lock and takes
//! the migration up again, with no manual step, on real PostgreSQL and MariaDB servers.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_connector::{Dialect, HistoryRow};
use drydock_migrate::{DeployEvent, LocalMigration, deploy, list_migrations, status};
use drydock_postgres::PostgresDialect;
use drydock_test_support::TestDb;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write(root: &Path, name: &str, script: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join(name))?;
    std::fs::write(root.join(name).join("migration.sql"), script)
}

const INIT: &str = "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT);";
const INDEX: &str = "CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY);\n\
                     CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");\n\
                     CREATE INDEX CONCURRENTLY \"tag_id_idx\" ON \"tag\" (\"id\");\n";

/// Deploy `dir`; the migrations applied and the recovery lines.
fn run(db: &TestDb, dir: &Path) -> Result<(Vec<String>, Vec<String>), Box<dyn std::error::Error>> {
    run_on(&PostgresDialect, db, dir)
}

fn run_on(
    dialect: &dyn Dialect,
    db: &TestDb,
    dir: &Path,
) -> Result<(Vec<String>, Vec<String>), Box<dyn std::error::Error>> {
    let mut conn = dialect.connect(db.url())?;
    let mut recovered = Vec::new();
    let report = deploy(dialect, conn.as_mut(), dir, &mut |event| {
        if let DeployEvent::Recovered { what, .. } = event {
            recovered.push(what.to_owned());
        }
    })?;
    Ok((
        report.applied.into_iter().map(|m| m.name).collect(),
        recovered,
    ))
}

fn migration(dir: &Path, name: &str) -> Result<LocalMigration, Box<dyn std::error::Error>> {
    Ok(list_migrations(dir)?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or("no such migration")?)
}

/// The row a deploy that died leaves: started, `steps` statements counted, no logs.
fn orphan_row(migration: &LocalMigration, steps: u32) -> HistoryRow {
    HistoryRow {
        id: uuid::Uuid::new_v4().to_string(),
        checksum: migration.checksum.clone(),
        finished_at: None,
        migration_name: migration.name.clone(),
        logs: None,
        rolled_back_at: None,
        started_at: Utc::now(),
        applied_steps_count: steps,
    }
}

/// Every index valid, every migration applied by exactly one row, status up to date.
fn assert_clean(db: &TestDb, dir: &Path) -> TestResult {
    let mut client = db.postgres_client();
    let invalid: i64 = client
        .query_one("SELECT count(*) FROM pg_index WHERE NOT indisvalid", &[])?
        .get(0);
    assert_eq!(invalid, 0);
    let valid: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname IN ('item_code_idx', 'tag_id_idx') AND i.indisvalid",
            &[],
        )?
        .get(0);
    assert_eq!(valid, 2);
    let mut conn = PostgresDialect.connect(db.url())?;
    let history = conn.read_history()?;
    for local in list_migrations(dir)? {
        let applied = history
            .iter()
            .filter(|row| row.migration_name == local.name && row.is_applied())
            .count();
        assert_eq!(applied, 1, "{}: {history:#?}", local.name);
    }
    let report = status(conn.as_mut(), dir)?;
    assert!(report.is_up_to_date());
    assert!(report.invalid_indexes.is_empty());
    Ok(())
}

fn deployed_init(db: &TestDb) -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "20240101000000_init", INIT)?;
    run(db, dir.path())?;
    write(dir.path(), "20240102000000_index", INDEX)?;
    Ok(dir)
}

/// `pg_terminate_backend` of the deploy's session while `CREATE INDEX CONCURRENTLY` waits:
/// the build leaves an invalid index and the deploy cannot record anything.
#[test]
fn a_terminated_session_during_a_concurrent_build_is_taken_up_by_the_next_deploy() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed_init(&db)?;
    // An application transaction that wrote to the table holds the build up.
    let mut application = db.postgres_client();
    application.batch_execute("BEGIN; INSERT INTO \"item\" VALUES (1, 'a');")?;
    let database = db.name();
    let mut killer = db.postgres_client();
    let terminator = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let terminated: i64 = killer
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE datname = $1 AND query LIKE '%CREATE INDEX CONCURRENTLY%' \
                     AND pid <> pg_backend_pid() \
                     AND wait_event_type = 'Lock'",
                    &[&database],
                )
                .map_or(0, |row| row.get(0));
            if terminated > 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    });
    let died = run(&db, dir.path());
    assert!(terminator.join().unwrap_or(false), "the build never ran");
    assert!(died.is_err(), "{died:?}");
    application.batch_execute("COMMIT")?;
    let left = status(PostgresDialect.connect(db.url())?.as_mut(), dir.path())?;
    assert_eq!(left.invalid_indexes, ["public.item_code_idx"]);
    assert_eq!(left.failed.len(), 1);
    assert_eq!(left.failed[0].logs, None);

    let (applied, recovered) = run(&db, dir.path())?;
    assert_eq!(applied, ["20240102000000_index"]);
    let recovered = recovered.join("\n");
    assert!(
        recovered.contains("continuing with statement 2"),
        "{recovered}"
    );
    assert!(
        recovered.contains("dropped the index public.item_code_idx"),
        "{recovered}"
    );
    assert_clean(&db, dir.path())
}

/// `kill -9` of drydock while the build ran: the server finished the build, the row still
/// counts the statements before it.
#[test]
fn a_build_finished_after_its_deploy_died_counts_as_done() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed_init(&db)?;
    let index = migration(dir.path(), "20240102000000_index")?;
    let mut conn = PostgresDialect.connect(db.url())?;
    conn.insert_history_row(&orphan_row(&index, 1))?;
    conn.execute_script("CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY);")?;
    conn.execute_script("CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");")?;
    let (applied, recovered) = run(&db, dir.path())?;
    assert_eq!(applied, ["20240102000000_index"]);
    let recovered = recovered.join("\n");
    assert!(
        recovered.contains("statement 2 had completed before the earlier deploy died"),
        "{recovered}"
    );
    assert_clean(&db, dir.path())
}

/// A transactional migration whose deploy died left a started row (a tool that writes the row
/// before the transaction): the transaction rolled back, so the migration runs again.
#[test]
fn an_unfinished_transactional_migration_runs_again() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed_init(&db)?;
    std::fs::remove_dir_all(dir.path().join("20240102000000_index"))?;
    write(
        dir.path(),
        "20240102000000_plain",
        "CREATE TABLE \"plain\" (\"id\" INTEGER);",
    )?;
    let plain = migration(dir.path(), "20240102000000_plain")?;
    PostgresDialect
        .connect(db.url())?
        .insert_history_row(&orphan_row(&plain, 0))?;
    let (applied, recovered) = run(&db, dir.path())?;
    assert_eq!(applied, ["20240102000000_plain"]);
    assert!(
        recovered.join("\n").contains("marked rolled back"),
        "{recovered:?}"
    );
    let mut conn = PostgresDialect.connect(db.url())?;
    assert!(status(conn.as_mut(), dir.path())?.is_up_to_date());
    Ok(())
}

/// MySQL and MariaDB run every migration outside a transaction, so a deploy that died always
/// leaves a row counting the statements that completed.
mod mysql {
    use super::*;
    use drydock_mysql::MysqlDialect;

    const INIT: &str = "CREATE TABLE `item` (`id` INTEGER NOT NULL, `code` VARCHAR(100) NULL, PRIMARY KEY (`id`));";
    const INDEX: &str = "CREATE TABLE `tag` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));\n\
                         CREATE INDEX `item_code_idx` ON `item`(`code`);\n\
                         CREATE INDEX `tag_id_idx` ON `tag`(`id`);\n";

    fn deployed_init(db: &TestDb) -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        write(dir.path(), "20240101000000_init", INIT)?;
        run_on(&MysqlDialect, db, dir.path())?;
        write(dir.path(), "20240102000000_index", INDEX)?;
        Ok(dir)
    }

    /// Both indexes there, every migration applied by exactly one row, status up to date.
    fn assert_clean(db: &TestDb, dir: &Path) -> TestResult {
        let mut conn = MysqlDialect.connect(db.url())?;
        let indexes = conn.query_texts(
            "SELECT CAST(COUNT(DISTINCT INDEX_NAME) AS CHAR) FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME IN ('item_code_idx', 'tag_id_idx')",
        )?;
        assert_eq!(indexes, [Some("2".to_owned())]);
        let history = conn.read_history()?;
        for local in list_migrations(dir)? {
            let applied = history
                .iter()
                .filter(|row| row.migration_name == local.name && row.is_applied())
                .count();
            assert_eq!(applied, 1, "{}: {history:#?}", local.name);
        }
        assert!(status(conn.as_mut(), dir)?.is_up_to_date());
        Ok(())
    }

    /// `KILL` of the deploy's session while its `CREATE INDEX` waits for a metadata lock: the
    /// deploy cannot record anything, and the next one continues at that statement.
    #[test]
    fn a_killed_session_during_a_waiting_statement_is_taken_up_by_the_next_deploy() -> TestResult {
        let db = TestDb::mysql();
        let dir = deployed_init(&db)?;
        // An application transaction that read the table holds the index build up.
        let mut application = MysqlDialect.connect(db.url())?;
        application.execute_script("START TRANSACTION; SELECT * FROM `item`;")?;
        let database = db.name();
        let url = db.url().to_owned();
        let killer = std::thread::spawn(move || -> bool {
            let Ok(mut killer) = MysqlDialect.connect(&url) else {
                return false;
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                let waiting = killer
                    .query_texts(&format!(
                        "SELECT CAST(ID AS CHAR) FROM information_schema.PROCESSLIST \
                         WHERE DB = '{database}' AND INFO LIKE 'CREATE INDEX `item_code_idx`%' \
                         AND STATE LIKE '%metadata lock%'"
                    ))
                    .unwrap_or_default();
                if let Some(Some(id)) = waiting.first() {
                    return killer.execute_script(&format!("KILL {id}")).is_ok();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            false
        });
        let died = run_on(&MysqlDialect, &db, dir.path());
        assert!(killer.join().unwrap_or(false), "the statement never waited");
        assert!(died.is_err(), "{died:?}");
        application.execute_script("COMMIT;")?;
        let left = status(MysqlDialect.connect(db.url())?.as_mut(), dir.path())?;
        assert_eq!(left.failed.len(), 1);
        assert_eq!(left.failed[0].logs, None);
        assert_eq!(left.failed[0].statements_completed, 1);

        let (applied, recovered) = run_on(&MysqlDialect, &db, dir.path())?;
        assert_eq!(applied, ["20240102000000_index"]);
        let recovered = recovered.join("\n");
        assert!(
            recovered.contains("continuing with statement 2"),
            "{recovered}"
        );
        assert_clean(&db, dir.path())
    }

    /// `kill -9` of drydock after the server completed a statement it had not counted yet: the
    /// next deploy finds what the statement creates and counts it done.
    #[test]
    fn a_statement_completed_after_its_deploy_died_counts_as_done() -> TestResult {
        let db = TestDb::mysql();
        let dir = deployed_init(&db)?;
        let index = migration(dir.path(), "20240102000000_index")?;
        let mut conn = MysqlDialect.connect(db.url())?;
        conn.insert_history_row(&orphan_row(&index, 1))?;
        conn.execute_script("CREATE TABLE `tag` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));")?;
        conn.execute_script("CREATE INDEX `item_code_idx` ON `item`(`code`);")?;
        let (applied, recovered) = run_on(&MysqlDialect, &db, dir.path())?;
        assert_eq!(applied, ["20240102000000_index"]);
        let recovered = recovered.join("\n");
        assert!(
            recovered.contains("statement 2 had completed before the earlier deploy died"),
            "{recovered}"
        );
        assert_clean(&db, dir.path())
    }
}
