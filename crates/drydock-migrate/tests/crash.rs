//! A deploy that died (its process killed, its session terminated) while a migration ran: the
//! next plain deploy finds the unfinished history row under a free migration lock and takes
//! the migration up again, with no manual step, on real PostgreSQL and MariaDB servers.

use std::path::Path;

use chrono::Utc;
use drydock_connector::{Dialect, HistoryRow};
use drydock_migrate::{DeployEvent, LocalMigration, StatusReport, deploy, list_migrations, status};
use drydock_postgres::PostgresDialect;
use drydock_test_support::TestDb;
use drydock_test_support::waiting_build::{self, WaitingBuild};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write(root: &Path, name: &str, script: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join(name))?;
    std::fs::write(root.join(name).join("migration.sql"), script)
}

/// Deploy `dir`; the migrations applied and the recovery lines.
fn run(
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

/// Both indexes built and usable, every migration applied by exactly one row, status up to
/// date.
fn assert_clean(case: &WaitingBuild, db: &TestDb, dir: &Path) -> TestResult {
    assert_eq!(case.built_indexes(db)?, 2);
    let mut conn = case.dialect.connect(db.url())?;
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

/// A project whose first migration is deployed and whose second, with the waiting index
/// build, is pending.
fn deployed_init(
    case: &WaitingBuild,
    db: &TestDb,
) -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "20240101000000_init", case.init)?;
    run(case.dialect, db, dir.path())?;
    write(dir.path(), "20240102000000_index", &case.index_migration())?;
    Ok(dir)
}

/// The deploy's session ended by the server while its index build waits: the deploy cannot
/// record anything, and the next one continues at that statement. Returns the status it left,
/// and the next deploy's recovery lines.
fn a_session_ended_while_waiting_is_taken_up(
    case: &'static WaitingBuild,
    db: &TestDb,
) -> Result<(StatusReport, String), Box<dyn std::error::Error>> {
    let dir = deployed_init(case, db)?;
    let mut application = case.hold(db)?;
    let killer = case.end_waiting_session(db);
    let died = run(case.dialect, db, dir.path());
    assert!(killer.join().unwrap_or(false), "the statement never waited");
    assert!(died.is_err(), "{died:?}");
    application.execute_script(case.release)?;
    let left = status(case.dialect.connect(db.url())?.as_mut(), dir.path())?;
    assert_eq!(left.failed.len(), 1, "{:?}", left.failed);
    assert_eq!(left.failed[0].logs, None);
    assert_eq!(left.failed[0].statements_completed, 1);

    let (applied, recovered) = run(case.dialect, db, dir.path())?;
    assert_eq!(applied, ["20240102000000_index"]);
    let recovered = recovered.join("\n");
    assert!(
        recovered.contains("continuing with statement 2"),
        "{recovered}"
    );
    assert_clean(case, db, dir.path())?;
    Ok((left, recovered))
}

/// `kill -9` of drydock after the server completed a statement it had not counted yet: the
/// next deploy finds what the statement made and counts it done.
fn a_statement_completed_after_its_deploy_died_counts_as_done(
    case: &WaitingBuild,
    db: &TestDb,
) -> TestResult {
    let dir = deployed_init(case, db)?;
    let index = migration(dir.path(), "20240102000000_index")?;
    let mut conn = case.dialect.connect(db.url())?;
    conn.insert_history_row(&orphan_row(&index, 1))?;
    case.run_statements(conn.as_mut(), 2)?;
    let (applied, recovered) = run(case.dialect, db, dir.path())?;
    assert_eq!(applied, ["20240102000000_index"]);
    let recovered = recovered.join("\n");
    assert!(
        recovered.contains("statement 2 had completed before the earlier deploy died"),
        "{recovered}"
    );
    assert_clean(case, db, dir.path())
}

/// `pg_terminate_backend` of the deploy's session while `CREATE INDEX CONCURRENTLY` waits:
/// the build leaves an invalid index, which the next deploy drops before building it again.
#[test]
fn a_terminated_session_during_a_concurrent_build_is_taken_up_by_the_next_deploy() -> TestResult {
    let db = TestDb::postgres();
    let (left, recovered) =
        a_session_ended_while_waiting_is_taken_up(&waiting_build::POSTGRES, &db)?;
    assert_eq!(left.invalid_indexes, ["public.item_code_idx"]);
    assert!(
        recovered.contains("dropped the index public.item_code_idx"),
        "{recovered}"
    );
    Ok(())
}

/// `kill -9` of drydock while the build ran: the server finished the build, the row still
/// counts the statements before it.
#[test]
fn a_build_finished_after_its_deploy_died_counts_as_done() -> TestResult {
    a_statement_completed_after_its_deploy_died_counts_as_done(
        &waiting_build::POSTGRES,
        &TestDb::postgres(),
    )
}

/// A transactional migration whose deploy died left a started row (a tool that writes the row
/// before the transaction): the transaction rolled back, so the migration runs again.
#[test]
fn an_unfinished_transactional_migration_runs_again() -> TestResult {
    let db = TestDb::postgres();
    let dir = deployed_init(&waiting_build::POSTGRES, &db)?;
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
    let (applied, recovered) = run(&PostgresDialect, &db, dir.path())?;
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

    /// `KILL` of the deploy's session while its `CREATE INDEX` waits for a metadata lock.
    #[test]
    fn a_killed_session_during_a_waiting_statement_is_taken_up_by_the_next_deploy() -> TestResult {
        a_session_ended_while_waiting_is_taken_up(&waiting_build::MYSQL, &TestDb::mysql())?;
        Ok(())
    }

    #[test]
    fn a_statement_completed_after_its_deploy_died_counts_as_done() -> TestResult {
        super::a_statement_completed_after_its_deploy_died_counts_as_done(
            &waiting_build::MYSQL,
            &TestDb::mysql(),
        )
    }
}
