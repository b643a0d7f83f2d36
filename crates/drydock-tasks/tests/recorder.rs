//! A recorded run on a real SQLite run log: events reach the caller and the run log, URLs are
//! redacted, a run log that cannot be written fails nothing.

use std::sync::Mutex;

use drydock_connector::{Dialect, RunFilter, RunStatus};
use drydock_sqlite::SqliteDialect;
use drydock_tasks::{Event, Events, Level, Recorder};
use drydock_test_support::TestDb;

#[test]
fn a_recorded_run_keeps_its_log_counts_and_end() {
    let db = TestDb::sqlite();
    let seen = Mutex::new(Vec::new());
    let forward = |event: Event| seen.lock().unwrap().push(event);
    let parameters = serde_json::json!({
        "url": "postgresql://app:hunter2@db.internal/app",
        "dry_run": false,
    });
    let url = db.url().to_owned();
    let recorder = Recorder::start(
        Box::new(move || SqliteDialect.open_run_log(&url)),
        "cleanup",
        &parameters,
        &forward,
    );
    let id = recorder.id();
    recorder.info("looking at postgresql://app:hunter2@db.internal/app");
    recorder.event(Event::Progress {
        step: "orders".into(),
        done: 5,
        total: Some(10),
    });
    recorder.event(Event::Counts {
        examined: 10,
        affected: 3,
    });
    recorder.warning("2 rows were locked");

    let running = SqliteDialect
        .open_run_log(db.url())
        .unwrap()
        .list(&RunFilter::default())
        .unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].progress.status, RunStatus::Running);
    assert!(!running[0].owner_gone(&drydock_tasks::host_name()));

    recorder.finish(RunStatus::Warned, "3 orphans removed");

    let run = SqliteDialect
        .open_run_log(db.url())
        .unwrap()
        .get(&id)
        .unwrap()
        .expect("the run is recorded");
    assert_eq!(run.start.task, "cleanup");
    assert_eq!(run.start.pid, std::process::id());
    assert!(
        !run.start.parameters.contains("hunter2"),
        "{}",
        run.start.parameters
    );
    assert!(run.start.parameters.contains("db.internal"));
    assert_eq!(run.progress.status, RunStatus::Warned);
    assert_eq!(run.progress.summary, "3 orphans removed");
    assert_eq!(
        (run.progress.examined, run.progress.affected),
        (Some(10), Some(3))
    );
    assert!(run.progress.finished_at.is_some());
    assert!(
        !run.progress.log.contains("hunter2"),
        "{}",
        run.progress.log
    );
    assert!(run.progress.log.contains("looking at postgresql://app:"));
    assert!(run.progress.log.ends_with("warning: 2 rows were locked\n"));

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "every event reaches the caller: {seen:?}");
    assert_eq!(
        seen[3],
        Event::Log {
            level: Level::Warning,
            line: "2 rows were locked".into()
        }
    );
}

#[test]
fn a_run_log_that_cannot_be_written_warns_once_and_fails_nothing() {
    let db = TestDb::sqlite();
    // A table of that name that is not the run log, in the run log's file: every write fails.
    let run_log_file = db.sqlite_path().with_extension("drydock.db");
    rusqlite::Connection::open(&run_log_file)
        .unwrap()
        .execute_batch("CREATE TABLE \"_drydock_runs\" (id INTEGER)")
        .unwrap();
    let log_url = db.url().to_owned();
    let log: drydock_tasks::OpenRunLog = Box::new(move || SqliteDialect.open_run_log(&log_url));
    let seen = Mutex::new(Vec::new());
    let forward = |event: Event| seen.lock().unwrap().push(event);
    let recorder = Recorder::start(log, "check", &serde_json::json!({}), &forward);
    recorder.info("still running");
    recorder.finish(RunStatus::Succeeded, "done");
    let seen = seen.lock().unwrap();
    let warnings: Vec<_> = seen
        .iter()
        .filter(|event| {
            matches!(
                event,
                Event::Log {
                    level: Level::Warning,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(warnings.len(), 1, "{seen:?}");
    assert!(
        matches!(warnings[0], Event::Log { line, .. } if line.contains("the run log could not be written")),
        "{seen:?}"
    );
    assert!(seen.contains(&Event::Log {
        level: Level::Info,
        line: "still running".into()
    }));
}

#[test]
fn noted_lines_and_events_from_other_threads_are_kept() {
    let db = TestDb::sqlite();
    let seen = Mutex::new(Vec::new());
    let forward = |event: Event| seen.lock().unwrap().push(event);
    let url = db.url().to_owned();
    let recorder = Recorder::start(
        Box::new(move || SqliteDialect.open_run_log(&url)),
        "migrate deploy",
        &serde_json::json!({}),
        &forward,
    );
    let id = recorder.id();
    recorder.info("Datasource: sqlite");
    std::thread::scope(|scope| {
        scope.spawn(|| recorder.info("  20240101_slow (3 s): running"));
    });
    // A line the caller printed itself: kept, not passed on.
    recorder.note(&Event::Log {
        level: Level::Info,
        line: "All migrations have been successfully applied.".into(),
    });
    recorder.finish(RunStatus::Succeeded, "applied 1 migration");

    let run = SqliteDialect
        .open_run_log(db.url())
        .unwrap()
        .get(&id)
        .unwrap()
        .expect("the run is recorded");
    assert_eq!(
        run.progress.log,
        "Datasource: sqlite\n  20240101_slow (3 s): running\nAll migrations have been \
         successfully applied.\n"
    );
    assert_eq!(run.progress.summary, "applied 1 migration");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
}
