//! Checks of the [`Connection`] contract that every dialect passes the same way. Each runs on
//! a fresh database and panics on the first broken promise; what differs by database (error
//! codes, stored formats) stays in the dialect's own tests, often on what these return.

use std::collections::BTreeSet;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use drydock_connector::{Connection, ConnectorError, Dialect, HistoryRow, ScriptError};

use crate::TestDb;

/// A history row for `name`, started at a fixed time; a finished one took 1.5 s and one step.
pub fn history_row(name: &str, finished: bool) -> HistoryRow {
    let started_at = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
    HistoryRow {
        id: uuid::Uuid::new_v4().to_string(),
        checksum: "a".repeat(64),
        finished_at: finished.then(|| started_at + chrono::Duration::milliseconds(1500)),
        migration_name: name.to_owned(),
        logs: None,
        rolled_back_at: None,
        started_at,
        applied_steps_count: u32::from(finished),
    }
}

/// The names of the tables `conn` introspects, in its order.
///
/// # Panics
///
/// When introspection fails.
pub fn table_names(conn: &mut dyn Connection) -> Vec<String> {
    conn.introspect(&[])
        .expect("introspecting")
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect()
}

fn connect(dialect: &dyn Dialect, url: &str) -> Box<dyn Connection> {
    dialect
        .connect(url)
        .expect("connecting to the test database")
}

/// `apply_in_transaction` commits a script and its history row together or not at all:
/// `failing`, a script whose second statement fails, leaves neither behind, and a history row
/// whose id is taken rolls its script back. Returns both errors, for the dialect's own checks.
///
/// # Panics
///
/// When the contract is broken.
pub fn apply_in_transaction_is_atomic(
    conn: &mut dyn Connection,
    failing: &str,
) -> (ScriptError, ScriptError) {
    conn.create_history_table().unwrap();

    let script_error = conn
        .apply_in_transaction(failing, &history_row("20250101000000_broken", true))
        .unwrap_err();
    assert!(!conn.has_user_tables().unwrap());
    assert!(conn.read_history().unwrap().is_empty());

    let ok = history_row("20250101000001_ok", true);
    conn.apply_in_transaction("CREATE TABLE \"ok\" (\"id\" INTEGER);", &ok)
        .unwrap();
    let history_error = conn
        .apply_in_transaction("CREATE TABLE \"again\" (\"id\" INTEGER);", &ok)
        .unwrap_err();
    assert_eq!(table_names(conn), ["ok"]);
    assert_eq!(conn.read_history().unwrap(), vec![ok]);
    // The connection is usable afterwards, outside any transaction.
    conn.execute_script("CREATE TABLE \"later\" (\"id\" INTEGER);")
        .unwrap();
    (script_error, history_error)
}

/// Creating the history table is idempotent and makes no user table; rows read back ordered
/// by start, and every mutable field updates; updating a missing row fails. `finished_after`
/// is a duration the database keeps exactly. Returns the updated first row.
///
/// # Panics
///
/// When the contract is broken.
pub fn history_round_trip(
    conn: &mut dyn Connection,
    finished_after: chrono::Duration,
) -> HistoryRow {
    assert!(!conn.history_table_exists().unwrap());
    conn.create_history_table().unwrap();
    conn.create_history_table().unwrap();
    assert!(conn.history_table_exists().unwrap());
    assert!(
        !conn.has_user_tables().unwrap(),
        "the history table is not a user table"
    );

    let mut first = history_row("20250101000000_init", false);
    let mut second = history_row("20250101000001_next", true);
    second.started_at += chrono::Duration::seconds(1);
    conn.insert_history_row(&second).unwrap();
    conn.insert_history_row(&first).unwrap();
    assert_eq!(
        conn.read_history().unwrap(),
        vec![first.clone(), second.clone()]
    );

    first.finished_at = Some(first.started_at + finished_after);
    first.logs = Some("ran 3 statements".to_owned());
    first.applied_steps_count = 3;
    first.rolled_back_at = Some(first.started_at + chrono::Duration::seconds(60));
    // A migration finished with its corrected file (`migrate resolve --finish`).
    first.checksum = "e".repeat(64);
    conn.update_history_row(&first).unwrap();
    assert_eq!(conn.read_history().unwrap(), vec![first.clone(), second]);
    assert!(
        conn.update_history_row(&history_row("20250101000002_missing", true))
            .is_err()
    );
    first
}

/// The migration lock is re-entrant for its holder, waited for by another connection until
/// the timeout, and released by unlocking or by closing the holder's connection; what the
/// holder did is visible to the next one.
///
/// # Panics
///
/// When the contract is broken.
pub fn lock_excludes_a_second_connection(dialect: &dyn Dialect, db: &TestDb) {
    let mut first = connect(dialect, db.url());
    let mut second = connect(dialect, db.url());
    first.lock_migrations(5).unwrap();
    first.lock_migrations(5).unwrap();
    first.create_history_table().unwrap();

    let started = Instant::now();
    let error = second.lock_migrations(1).unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(error, ConnectorError::LockTimeout { seconds: 1, .. }),
        "{error:?}"
    );
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");

    first.unlock_migrations().unwrap();
    second.lock_migrations(1).unwrap();
    assert!(second.history_table_exists().unwrap());
    second.unlock_migrations().unwrap();

    // Closing the connection releases the lock too.
    first.lock_migrations(1).unwrap();
    drop(first);
    second.lock_migrations(5).unwrap();
}

/// What `migrate deploy` does with the connection: lock, read the history, apply what is
/// missing, unlock.
fn deploy(dialect: &dyn Dialect, url: &str, migrations: &[String]) {
    let mut conn = connect(dialect, url);
    conn.lock_migrations(30).unwrap();
    conn.create_history_table().unwrap();
    let applied: BTreeSet<String> = conn
        .read_history()
        .unwrap()
        .into_iter()
        .map(|r| r.migration_name)
        .collect();
    for name in migrations.iter().filter(|m| !applied.contains(*m)) {
        // A pause between migrations gives the other deploys time to try the lock.
        std::thread::sleep(Duration::from_millis(10));
        conn.apply_in_transaction(
            &format!("CREATE TABLE \"t_{name}\" (\"id\" INTEGER);"),
            &history_row(name, true),
        )
        .unwrap();
    }
    conn.unlock_migrations().unwrap();
}

/// Four deploys of the same five migrations at once apply each migration exactly once.
///
/// # Panics
///
/// When the contract is broken.
pub fn concurrent_deploys_apply_each_migration_once(dialect: &dyn Dialect, db: &TestDb) {
    let migrations: Vec<String> = (0..5).map(|i| format!("2025010100000{i}_m")).collect();
    let barrier = Barrier::new(4);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                barrier.wait();
                deploy(dialect, db.url(), &migrations);
            });
        }
    });
    let mut conn = connect(dialect, db.url());
    let mut names: Vec<String> = conn
        .read_history()
        .unwrap()
        .into_iter()
        .map(|r| r.migration_name)
        .collect();
    names.sort();
    assert_eq!(names, migrations);
    assert_eq!(table_names(conn.as_mut()).len(), migrations.len());
}

/// `reset` drops every object and the history table: `scripts`, run after the history table
/// is created, leave nothing behind and run again afterwards.
///
/// # Panics
///
/// When the contract is broken.
pub fn reset_drops_everything_including_the_history(conn: &mut dyn Connection, scripts: &[&str]) {
    conn.create_history_table().unwrap();
    for script in scripts {
        conn.execute_script(script).unwrap();
    }
    conn.reset().unwrap();
    assert!(conn.introspect(&[]).unwrap().is_empty());
    assert!(!conn.history_table_exists().unwrap());
    assert!(!conn.has_user_tables().unwrap());
    for script in scripts {
        conn.execute_script(script).unwrap();
    }
}

/// A configured shadow database (`shadow_db`, filled with `ddl` here) is emptied before use
/// and after, and may not be the main database `db`.
///
/// # Panics
///
/// When the contract is broken.
pub fn a_configured_shadow_database_is_reset(
    dialect: &dyn Dialect,
    db: &TestDb,
    shadow_db: &TestDb,
    ddl: &str,
) {
    connect(dialect, shadow_db.url())
        .execute_script(ddl)
        .unwrap();

    let mut shadow = dialect
        .open_shadow(db.url(), Some(shadow_db.url()))
        .unwrap();
    assert!(shadow.connection().introspect(&[]).unwrap().is_empty());
    shadow.connection().execute_script(ddl).unwrap();
    shadow.dispose().unwrap();
    assert!(
        connect(dialect, shadow_db.url())
            .introspect(&[])
            .unwrap()
            .is_empty()
    );

    let same = dialect.open_shadow(db.url(), Some(db.url()));
    assert!(matches!(same, Err(ConnectorError::InvalidUrl { .. })));
}

/// The run log stores what it is given, reads nothing before the first run, lists newest first
/// with filters, finds a run by a unique prefix of its id, and is not introspected.
///
/// # Panics
///
/// On the first broken promise.
pub fn run_log_round_trip(dialect: &dyn Dialect, db: &TestDb) {
    run_log_round_trip_on(
        dialect.open_run_log(db.url()).unwrap(),
        dialect.connect(db.url()).unwrap(),
    );
}

/// [`run_log_round_trip`] on `log`, kept in the database `conn` is a session on.
pub fn run_log_round_trip_on(
    mut log: Box<dyn drydock_connector::RunLog>,
    mut conn: Box<dyn Connection>,
) {
    use drydock_connector::{Run, RunFilter, RunProgress, RunStart, RunStatus};

    assert!(log.list(&RunFilter::default()).unwrap().is_empty());
    assert!(log.get("20250102").unwrap().is_none());

    let at = |minute: u32| Utc.with_ymd_and_hms(2025, 1, 2, 3, minute, 5).unwrap();
    let start = |id: &str, task: &str, minute: u32| RunStart {
        id: id.to_owned(),
        task: task.to_owned(),
        parameters:
            r#"{"url":"postgresql://app:********@db/app","note":"it's \"quoted\" \\ here"}"#
                .to_owned(),
        actor: "ci".to_owned(),
        host: "build-7".to_owned(),
        pid: u32::MAX,
        started_at: at(minute),
    };
    let runs = [
        start("20250102T030005-aaaa", "migrate deploy", 0),
        start("20250102T031005-bbbb", "backup create", 10),
        start("20250102T032005-cccc", "backup", 20),
        start("20250102T033005-dddd", "backups", 30),
    ];
    let running = RunProgress::running();
    for start in &runs {
        log.write(&Run {
            start: start.clone(),
            progress: running.clone(),
        })
        .unwrap();
    }
    let finished = RunProgress {
        status: RunStatus::Succeeded,
        finished_at: Some(at(11)),
        examined: Some(5_000_000_000),
        affected: Some(0),
        summary: "1 backup written".to_owned(),
        log: "line one\nline 'two'\n".repeat(3),
    };
    log.write(&Run {
        start: runs[1].clone(),
        progress: finished.clone(),
    })
    .unwrap();

    let listed = log.list(&RunFilter::default()).unwrap();
    let ids: Vec<&str> = listed.iter().map(|run| run.start.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "20250102T033005-dddd",
            "20250102T032005-cccc",
            "20250102T031005-bbbb",
            "20250102T030005-aaaa"
        ]
    );
    assert!(listed.iter().all(|run| run.progress.log.is_empty()));
    assert_eq!(listed[3].start, runs[0]);
    assert_eq!(listed[3].progress.status, RunStatus::Running);
    assert_eq!(listed[3].progress.finished_at, None);

    let backups = log
        .list(&RunFilter {
            task: Some("backup".to_owned()),
            ..RunFilter::default()
        })
        .unwrap();
    let tasks: Vec<&str> = backups.iter().map(|run| run.start.task.as_str()).collect();
    assert_eq!(tasks, ["backup", "backup create"]);
    let recent = log
        .list(&RunFilter {
            since: Some(at(10)),
            limit: Some(2),
            ..RunFilter::default()
        })
        .unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[1].start.id, "20250102T032005-cccc");

    let found = log.get("20250102T0310").unwrap().expect("a unique prefix");
    assert_eq!(found.start, runs[1]);
    assert_eq!(found.progress, finished);
    assert!(
        log.get("20250102T03").unwrap().is_none(),
        "several runs match"
    );
    assert!(log.get("nothing").unwrap().is_none());

    assert!(
        !table_names(conn.as_mut())
            .iter()
            .any(|name| name == drydock_connector::RUN_TABLE)
    );
}

/// Schedule claims: a (job, due time) is claimed once however many sessions try, two claims
/// at once included; the latest claim, the end of a run, the missed count and pruning read back;
/// the table is not introspected.
///
/// # Panics
///
/// On the first broken promise.
pub fn schedule_claims_contract(dialect: &dyn Dialect, db: &TestDb) {
    use drydock_connector::{ClaimStatus, ScheduleClaim};

    let mut first = dialect.open_schedule_claims(db.url()).unwrap();
    let mut second = dialect.open_schedule_claims(db.url()).unwrap();
    let at = |second: u32| Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, second).unwrap();
    assert!(first.latest("nightly", None).unwrap().is_none());

    let mine = ScheduleClaim::new("nightly", at(5), "host-a:1:1");
    let theirs = ScheduleClaim::new("nightly", at(5), "host-b:2:2");
    assert!(first.claim(&mine).unwrap(), "the first claim wins");
    assert!(
        !second.claim(&theirs).unwrap(),
        "the same key is claimed once"
    );
    assert!(!first.claim(&mine).unwrap(), "even by its own instance");
    assert!(
        second
            .claim(&ScheduleClaim::new("other", at(5), "host-b:2:2"))
            .unwrap()
    );

    // Many sessions claiming the same key at once: exactly one wins.
    let url = db.url().to_owned();
    let winners: usize = std::thread::scope(|scope| {
        let tries: Vec<_> = (0..4)
            .map(|n| {
                let url = url.clone();
                scope.spawn(move || {
                    let mut claims = dialect.open_schedule_claims(&url).unwrap();
                    let claim = ScheduleClaim::new("nightly", at(6), &format!("host:{n}:0"));
                    usize::from(claims.claim(&claim).unwrap())
                })
            })
            .collect();
        tries.into_iter().map(|t| t.join().unwrap()).sum()
    });
    assert_eq!(winners, 1);

    let mut ended = mine.clone();
    ended.status = ClaimStatus::Failed;
    ended.finished_at = Some(at(9));
    ended.exit_code = Some(3);
    ended.missed = 2;
    ended.detail = "it's \"quoted\"".to_owned();
    second.finish(&ended).unwrap();
    let latest = first
        .latest("nightly", Some(at(6)))
        .unwrap()
        .expect("a claim");
    assert_eq!(latest.due_at, at(5));
    assert_eq!(latest.instance, "host-a:1:1");
    assert_eq!(latest.status, ClaimStatus::Failed);
    assert_eq!(latest.finished_at, Some(at(9)));
    assert_eq!(latest.exit_code, Some(3));
    assert_eq!(latest.detail, "it's \"quoted\"");
    assert_eq!(
        first
            .latest("nightly", None)
            .unwrap()
            .expect("a claim")
            .due_at,
        at(6)
    );
    let mut skipped = ScheduleClaim::new("nightly", at(7), "host-a:1:1");
    skipped.status = ClaimStatus::Skipped;
    assert!(first.claim(&skipped).unwrap());
    let listed = first.list("nightly", at(6)).unwrap();
    let due: Vec<_> = listed.iter().map(|c| c.due_at).collect();
    assert_eq!(due, [at(6), at(7)]);
    // 2 missed before the first claim, and one skipped.
    assert_eq!(first.missed_since("nightly", at(0)).unwrap(), 3);

    assert_eq!(first.prune(at(7)).unwrap(), 2, "all but each job's latest");
    assert_eq!(first.list("nightly", at(0)).unwrap().len(), 1);
    assert_eq!(first.list("other", at(0)).unwrap().len(), 1);

    let mut conn = dialect.connect(db.url()).unwrap();
    assert!(
        !table_names(conn.as_mut())
            .iter()
            .any(|name| name == drydock_connector::SCHEDULE_CLAIM_TABLE)
    );
}

/// The audit log: entries round-trip exactly as hashed (text with quotes and newlines, times to
/// the microsecond); writers on many sessions at once never fork the chain (every entry gets its
/// own place and the chain verifies); the table is not introspected.
///
/// # Panics
///
/// On the first broken promise.
pub fn audit_log_contract(dialect: &dyn Dialect, db: &TestDb) {
    use drydock_connector::{AuditOrigin, AuditRecord, audit_now, verify_chain};

    let record = |actor: &str| AuditRecord {
        at: audit_now(),
        actor: actor.to_owned(),
        host: "host-a".to_owned(),
        origin: AuditOrigin::Drydock,
        command: "db execute".to_owned(),
        target: "it's \"quoted\"\nand on two lines".to_owned(),
        details: r#"{"statements":2,"ci":"GitHub Actions acme/shop run 1"}"#.to_owned(),
        result: "failed".to_owned(),
        error_code: "D1012".to_owned(),
    };
    let mut log = dialect.open_audit_log(db.url()).unwrap();
    assert!(log.entries().unwrap().is_empty());
    let first = log.append(record("alice")).unwrap();
    assert_eq!(first.seq, 1);
    assert_eq!(log.entries().unwrap(), vec![first.clone()]);

    let url = db.url().to_owned();
    std::thread::scope(|scope| {
        let writers: Vec<_> = (0..4)
            .map(|n| {
                let url = url.clone();
                scope.spawn(move || {
                    let mut log = dialect.open_audit_log(&url).unwrap();
                    for i in 0..5 {
                        log.append(record(&format!("writer {n}.{i}"))).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
    });
    let entries = dialect.open_audit_log(db.url()).unwrap().entries().unwrap();
    assert_eq!(entries.len(), 21);
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=21).collect::<Vec<_>>()
    );
    assert_eq!(verify_chain(&entries), None);

    let mut conn = dialect.connect(db.url()).unwrap();
    assert!(
        !table_names(conn.as_mut())
            .iter()
            .any(|name| name == drydock_connector::AUDIT_TABLE)
    );
}
