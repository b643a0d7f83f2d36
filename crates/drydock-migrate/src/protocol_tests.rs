//! Unit tests of deploy, status and resolve against the in-memory connection.

use std::path::Path;

use std::time::Duration;

use drydock_connector::sql_scan::LexicalRules;
use drydock_connector::{ScriptError, SessionLimits};

use crate::apply::{DeployOptions, ScriptPolicy, deploy_locked};
use crate::fake::FakeConnection;
use crate::fake::LOCK_TIMEOUT_CODE;
use crate::lock::with_migration_lock;
use crate::{DeployEvent, MigrateError};
use crate::{DeployReport, list_migrations, resolve_applied, resolve_rolled_back, status};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write(root: &Path, name: &str, script: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join(name))?;
    std::fs::write(root.join(name).join("migration.sql"), script)
}

/// Only what every dialect's SQL shares.
pub(crate) const PLAIN_SQL: LexicalRules = LexicalRules {
    nested_block_comments: false,
    dollar_quoted_strings: false,
    escape_strings: false,
    hash_comments: false,
    backslash_escapes: false,
    double_quoted_strings: false,
    identifier_quotes: &[],
    bodies: &[],
    folds_unquoted_names: false,
};

/// Options for tests: retries without pauses.
fn test_options() -> DeployOptions {
    DeployOptions {
        retry_delay: Duration::ZERO,
        ..DeployOptions::default()
    }
}

fn is_lock_timeout(error: &ScriptError) -> bool {
    error.db_code.as_deref() == Some(LOCK_TIMEOUT_CODE)
}

fn run_deploy(
    conn: &mut FakeConnection,
    root: &Path,
    blocker: &dyn Fn(&str) -> Option<String>,
) -> Result<DeployReport, MigrateError> {
    run_deploy_with(conn, root, blocker, &test_options()).0
}

/// Deploy with `options`; also returns the events other than applying/applied.
fn run_deploy_with(
    conn: &mut FakeConnection,
    root: &Path,
    blocker: &dyn Fn(&str) -> Option<String>,
    options: &DeployOptions,
) -> (Result<DeployReport, MigrateError>, Vec<String>) {
    let local = match list_migrations(root) {
        Ok(local) => local,
        Err(error) => return (Err(error), Vec::new()),
    };
    let mut events = Vec::new();
    let mut others = Vec::new();
    let mut progress = |event: DeployEvent<'_>| match event {
        DeployEvent::Applying { name, .. } => events.push(format!("applying {name}")),
        DeployEvent::Applied(applied) => events.push(format!("applied {}", applied.name)),
        DeployEvent::LockRetry {
            name,
            attempt,
            retries,
            ..
        } => others.push(format!("retry {name} {attempt}/{retries}")),
        DeployEvent::DroppedInvalidIndex { index, .. } => others.push(format!("dropped {index}")),
        DeployEvent::Backfill { name, .. } => others.push(format!("backfill {name}")),
        DeployEvent::Recovered { name, what } => others.push(format!("recovered {name}: {what}")),
        DeployEvent::OutOfOrder {
            name,
            newest_applied,
        } => others.push(format!("out of order {name} < {newest_applied}")),
    };
    let policy = ScriptPolicy {
        blocker,
        split: &split_statements,
        is_lock_timeout: &is_lock_timeout,
        is_already_exists: &|_| false,
        rules: &PLAIN_SQL,
    };
    let report = with_migration_lock(conn, |conn, _| {
        deploy_locked(&policy, options, conn, &local, &mut progress)
    });
    assert!(!conn.locked, "the lock must be released");
    if let Ok(report) = &report {
        let expected: Vec<String> = report
            .applied
            .iter()
            .flat_map(|m| {
                [
                    format!("applying {}", m.name),
                    format!("applied {}", m.name),
                ]
            })
            .collect();
        assert_eq!(events, expected);
    }
    (report, others)
}

/// Statements end with `;`, like in the fake connection.
fn split_statements(script: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for piece in script.split_inclusive(';') {
        ranges.push(start..start + piece.len());
        start += piece.len();
    }
    ranges
}

fn transactional(_script: &str) -> Option<String> {
    None
}

fn concurrently(script: &str) -> Option<String> {
    script
        .contains("CONCURRENTLY")
        .then(|| "it uses CONCURRENTLY".to_owned())
}

#[test]
fn deploy_applies_in_order_and_is_idempotent() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "2_second", "CREATE TABLE b;")?;
    write(dir.path(), "1_first", "CREATE TABLE a;")?;
    let mut conn = FakeConnection::default();

    let report = run_deploy(&mut conn, dir.path(), &transactional)?;
    assert!(report.history_table_created);
    let names: Vec<_> = report.applied.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["1_first", "2_second"]);
    assert_eq!(conn.executed, ["CREATE TABLE a;", "CREATE TABLE b;"]);
    assert!(
        conn.rows()
            .iter()
            .all(|r| r.is_applied() && r.applied_steps_count == 1)
    );

    let again = run_deploy(&mut conn, dir.path(), &transactional)?;
    assert!(again.applied.is_empty());
    assert_eq!(again.already_applied, 2);
    assert_eq!(conn.rows().len(), 2);
    assert!(status(&mut conn, dir.path())?.is_up_to_date());
    Ok(())
}

#[test]
fn a_failure_records_a_failed_row_and_blocks_until_resolved() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "1_ok", "CREATE TABLE a;")?;
    write(dir.path(), "2_bad", "CREATE TABLE b;\nINSERT FAIL;")?;
    write(dir.path(), "3_later", "CREATE TABLE c;")?;
    let mut conn = FakeConnection::default();

    let error = run_deploy(&mut conn, dir.path(), &transactional).err();
    assert_eq!(error.as_ref().map(MigrateError::code), Some("P3018"));
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("resolve --rolled-back 2_bad"), "{text}");
    // Nothing of the failed migration took effect, and the next one did not run.
    assert_eq!(conn.executed, ["CREATE TABLE a;"]);
    let failed: Vec<_> = conn.rows().iter().filter(|r| r.is_failed()).collect();
    assert_eq!(failed.len(), 1);
    let logs = failed[0].logs.clone().unwrap_or_default();
    assert!(logs.contains("Migration `2_bad` failed"), "{logs}");
    assert!(logs.contains("Position: 2:8"), "{logs}");

    let report = status(&mut conn, dir.path())?;
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.pending, ["3_later"]);
    assert!(!report.is_up_to_date());

    let blocked = run_deploy(&mut conn, dir.path(), &transactional).err();
    assert_eq!(blocked.as_ref().map(MigrateError::code), Some("P3009"));

    let resolved = resolve_rolled_back(&mut conn, "2_bad")?;
    assert_eq!(resolved.rolled_back_rows, 1);
    write(dir.path(), "2_bad", "CREATE TABLE b;")?;
    let report = run_deploy(&mut conn, dir.path(), &transactional)?;
    let names: Vec<_> = report.applied.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["2_bad", "3_later"]);
    assert_eq!(conn.rows().len(), 4);
    assert!(status(&mut conn, dir.path())?.is_up_to_date());
    Ok(())
}

#[test]
fn non_transactional_migrations_record_start_then_finish() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "1_index",
        "CREATE INDEX CONCURRENTLY i;\nCREATE TABLE t;",
    )?;
    let mut conn = FakeConnection::default();
    let report = run_deploy(&mut conn, dir.path(), &concurrently)?;
    assert_eq!(
        report.applied[0].non_transactional_reason.as_deref(),
        Some("it uses CONCURRENTLY")
    );
    assert_eq!(conn.rows().len(), 1);
    assert!(conn.rows()[0].is_applied());
    // One step per statement, recorded as they complete.
    assert_eq!(conn.rows()[0].applied_steps_count, 2);
    Ok(())
}

#[test]
fn non_transactional_failures_say_what_ran() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "1_index",
        "CREATE INDEX CONCURRENTLY i;\nCREATE FAIL;",
    )?;
    let mut conn = FakeConnection::default();
    let error = run_deploy(&mut conn, dir.path(), &concurrently).err();
    let text = error.as_ref().map(ToString::to_string).unwrap_or_default();
    assert_eq!(error.map(|e| e.code()), Some("P3018"));
    assert_eq!(conn.executed, ["CREATE INDEX CONCURRENTLY i;"]);
    let rows = conn.rows();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].is_failed());
    assert_eq!(rows[0].applied_steps_count, 1);
    let logs = rows[0].logs.clone().unwrap_or_default();
    assert!(logs.contains("Position: 2:8"), "{logs}");
    assert!(
        logs.contains("1 statement(s) completed before the failure"),
        "{logs}"
    );
    let rules = &PLAIN_SQL;
    let listed = format!(
        "Statements (number, state, fingerprint, first line):\n  1  done       {}  CREATE INDEX \
         CONCURRENTLY i;\n  2  failed     {}  CREATE FAIL;\n",
        crate::fingerprint("CREATE INDEX CONCURRENTLY i;", rules),
        crate::fingerprint("CREATE FAIL;", rules)
    );
    assert!(logs.contains(&listed), "{logs}");
    assert!(
        text.contains("Statement 1 of it ran outside a transaction"),
        "{text}"
    );
    let refused = run_deploy(&mut conn, dir.path(), &concurrently).err();
    let refusal = refused
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert_eq!(refused.map(|e| e.code()), Some("P3009"));
    assert!(refusal.contains(&listed), "{refusal}");
    for advice in [
        "`drydock migrate resolve --finish 1_index`, which runs the statements from 2 on",
        "`drydock migrate resolve --undo 1_index`",
        "run the statements from 2 on (`drydock db execute`)",
    ] {
        assert!(refusal.contains(advice), "{advice}\n{refusal}");
    }

    // Completed by hand: resolve --applied closes the failed row and records the migration.
    let resolved = resolve_applied(&mut conn, dir.path(), "1_index")?;
    assert_eq!(resolved.rolled_back_rows, 1);
    assert!(
        run_deploy(&mut conn, dir.path(), &concurrently)?
            .applied
            .is_empty()
    );
    Ok(())
}

#[test]
fn the_p3018_message_says_what_failed_and_what_to_do() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "20240101000000_bad",
        "CREATE TABLE a;\nINSERT FAIL;\n",
    )?;
    let mut conn = FakeConnection::default();
    let error = run_deploy(&mut conn, dir.path(), &transactional).err();
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    insta::assert_snapshot!(text, @r"
    Migration `20240101000000_bad` failed to apply.

    Database error code: 42000

    Database error:
    statement failed: INSERT FAIL;

    Position: 2:8 (line:column)
      1 | CREATE TABLE a;
    > 2 | INSERT FAIL;
        |        ^

    New migrations cannot be applied before the error is recovered from. The migration ran in a transaction that was rolled back, so the database holds none of its changes; it is recorded as failed in `_prisma_migrations`. Fix the migration (or the data it trips over), then run `drydock migrate resolve --rolled-back 20240101000000_bad` and deploy again.
    ");
    Ok(())
}

#[test]
fn a_failing_statement_without_position_is_pointed_at() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "1_index",
        "CREATE INDEX CONCURRENTLY i;\n\n  CREATE NOPOS FAIL;",
    )?;
    let mut conn = FakeConnection::default();
    let error = run_deploy(&mut conn, dir.path(), &concurrently).err();
    assert_eq!(error.map(|e| e.code()), Some("P3018"));
    let logs = conn.rows()[0].logs.clone().unwrap_or_default();
    assert!(logs.contains("Position: 3:3"), "{logs}");
    Ok(())
}

#[test]
fn tables_without_history_need_baselining() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "0_init", "CREATE TABLE a;")?;
    write(dir.path(), "1_more", "CREATE TABLE b;")?;
    let mut conn = FakeConnection::default();
    conn.execute_script_for_test("CREATE TABLE a;");

    let error = run_deploy(&mut conn, dir.path(), &transactional).err();
    assert_eq!(error.as_ref().map(MigrateError::code), Some("P3005"));
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("resolve --applied 0_init"), "{text}");
    assert!(
        conn.history.is_none(),
        "nothing is created before baselining"
    );

    let report = status(&mut conn, dir.path())?;
    assert!(!report.history_table_exists);
    assert_eq!(report.pending, ["0_init", "1_more"]);
    assert!(!report.is_up_to_date());

    let resolved = resolve_applied(&mut conn, dir.path(), "0_init")?;
    assert!(resolved.history_table_created);
    let row = &conn.rows()[0];
    assert_eq!(row.logs.as_deref(), Some(""));
    assert_eq!(row.started_at, row.finished_at.unwrap_or_default());
    let again = resolve_applied(&mut conn, dir.path(), "0_init").err();
    assert_eq!(again.map(|e| e.code()), Some("P3008"));

    let report = run_deploy(&mut conn, dir.path(), &transactional)?;
    assert_eq!(report.applied.len(), 1);
    assert_eq!(report.applied[0].name, "1_more");
    Ok(())
}

#[test]
fn status_reports_edited_and_missing_migrations() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "1_a", "CREATE TABLE a;\n")?;
    write(dir.path(), "2_b", "CREATE TABLE b;\n")?;
    write(dir.path(), "3_c", "CREATE TABLE c;\n")?;
    let mut conn = FakeConnection::default();
    run_deploy(&mut conn, dir.path(), &transactional)?;

    // Line endings changed by git: not an edit. A new comment: an edit.
    write(dir.path(), "1_a", "CREATE TABLE a;\r\n")?;
    write(dir.path(), "2_b", "CREATE TABLE b;\n-- edited\n")?;
    std::fs::remove_dir_all(dir.path().join("3_c"))?;
    write(dir.path(), "4_d", "CREATE TABLE d;\n")?;

    let report = status(&mut conn, dir.path())?;
    assert_eq!(report.edited_after_applied, ["2_b"]);
    assert_eq!(conn.lock_count, 1, "status takes no lock");
    assert_eq!(report.missing_locally, ["3_c"]);
    assert_eq!(report.pending, ["4_d"]);
    let applied: Vec<_> = report.applied.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(applied, ["1_a", "2_b"]);
    assert!(!report.is_up_to_date());

    let deployed = run_deploy(&mut conn, dir.path(), &transactional)?;
    assert_eq!(deployed.edited_after_applied, ["2_b"]);
    assert_eq!(deployed.applied.len(), 1);
    Ok(())
}

#[test]
fn resolve_checks_names_and_states() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "1_a", "CREATE TABLE a;")?;
    let mut conn = FakeConnection::default();

    let missing = resolve_applied(&mut conn, dir.path(), "9_nope").err();
    assert_eq!(missing.map(|e| e.code()), Some("P3017"));
    let never = resolve_rolled_back(&mut conn, "1_a").err();
    assert_eq!(never.map(|e| e.code()), Some("P3011"));

    run_deploy(&mut conn, dir.path(), &transactional)?;
    let not_failed = resolve_rolled_back(&mut conn, "1_a").err();
    assert_eq!(not_failed.map(|e| e.code()), Some("P3012"));
    assert!(!conn.locked);
    Ok(())
}

#[test]
fn reports_serialize_to_a_stable_json_shape() {
    let at = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    let status = crate::StatusReport {
        history_table_exists: true,
        local_migrations: 3,
        applied: vec![crate::AppliedStatus {
            name: "1_a".into(),
            finished_at: at,
        }],
        pending: vec!["3_c".into()],
        out_of_order: Vec::new(),
        newest_applied: Some("1_a".into()),
        failed: vec![crate::FailedMigration {
            name: "2_b".into(),
            started_at: at,
            logs: Some("boom".into()),
            statements_completed: 2,
        }],
        edited_after_applied: vec!["1_a".into()],
        missing_locally: vec!["0_gone".into()],
        invalid_indexes: vec!["public.x_idx".into()],
    };
    insta::assert_json_snapshot!(status, @r#"
    {
      "history_table_exists": true,
      "local_migrations": 3,
      "applied": [
        {
          "name": "1_a",
          "finished_at": "2024-05-01T10:00:00Z"
        }
      ],
      "pending": [
        "3_c"
      ],
      "out_of_order": [],
      "newest_applied": "1_a",
      "failed": [
        {
          "name": "2_b",
          "started_at": "2024-05-01T10:00:00Z",
          "logs": "boom",
          "statements_completed": 2
        }
      ],
      "edited_after_applied": [
        "1_a"
      ],
      "missing_locally": [
        "0_gone"
      ],
      "invalid_indexes": [
        "public.x_idx"
      ]
    }
    "#);
    let deploy = DeployReport {
        history_table_created: false,
        applied: vec![crate::AppliedMigration {
            name: "3_c".into(),
            non_transactional_reason: Some("it uses CONCURRENTLY".into()),
            lock_retries: 1,
            backfilled_rows: 0,
            resumed: false,
            duration: std::time::Duration::from_micros(12_345),
        }],
        already_applied: 2,
        edited_after_applied: Vec::new(),
        held_back: vec!["4_contract".into()],
        duration: std::time::Duration::from_millis(40),
    };
    insta::assert_json_snapshot!(deploy, @r#"
    {
      "history_table_created": false,
      "applied": [
        {
          "name": "3_c",
          "non_transactional_reason": "it uses CONCURRENTLY",
          "lock_retries": 1,
          "backfilled_rows": 0,
          "resumed": false,
          "duration_ms": 12
        }
      ],
      "already_applied": 2,
      "edited_after_applied": [],
      "held_back": [
        "4_contract"
      ],
      "duration_ms": 40
    }
    "#);
}

#[test]
fn a_lock_timeout_in_a_transaction_retries_the_whole_migration() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "1_alter", "CREATE TABLE a;\nALTER BUSY;")?;
    let mut conn = FakeConnection {
        lock_timeouts_left: 2,
        ..FakeConnection::default()
    };
    let (report, events) = run_deploy_with(&mut conn, dir.path(), &transactional, &test_options());
    let report = report?;
    assert_eq!(report.applied[0].lock_retries, 2);
    assert_eq!(events, ["retry 1_alter 1/10", "retry 1_alter 2/10"]);
    // The rolled-back attempts left nothing: each statement took effect once.
    assert_eq!(conn.executed, ["CREATE TABLE a;", "ALTER BUSY;"]);
    assert_eq!(conn.rows().len(), 1);
    assert!(conn.rows()[0].is_applied());
    // The limits were set for the migration and handed back to the server afterwards.
    assert_eq!(conn.limits, Some(SessionLimits::default()));
    Ok(())
}

#[test]
fn a_migration_that_never_gets_its_lock_fails_and_says_so() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "1_alter", "ALTER BUSY;")?;
    let mut conn = FakeConnection {
        lock_timeouts_left: 10,
        ..FakeConnection::default()
    };
    let options = DeployOptions {
        lock_retries: 2,
        ..test_options()
    };
    let (report, events) = run_deploy_with(&mut conn, dir.path(), &transactional, &options);
    let error = report.err();
    assert_eq!(error.as_ref().map(MigrateError::code), Some("P3018"));
    assert_eq!(events.len(), 2);
    let logs = conn.rows()[0].logs.clone().unwrap_or_default();
    assert!(
        logs.contains("Gave up waiting for a lock after 3 attempt(s)"),
        "{logs}"
    );
    Ok(())
}

#[test]
fn a_lock_timeout_outside_a_transaction_retries_the_statement() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "1_index",
        "CREATE INDEX CONCURRENTLY i;\nALTER BUSY;",
    )?;
    let mut conn = FakeConnection {
        lock_timeouts_left: 1,
        ..FakeConnection::default()
    };
    let (report, events) = run_deploy_with(&mut conn, dir.path(), &concurrently, &test_options());
    assert_eq!(report?.applied[0].lock_retries, 1);
    assert_eq!(events, ["retry 1_index 1/10"]);
    // The statement before the retried one ran once.
    assert_eq!(
        conn.executed,
        ["CREATE INDEX CONCURRENTLY i;", "ALTER BUSY;"]
    );
    assert_eq!(conn.rows()[0].applied_steps_count, 2);
    Ok(())
}

#[test]
fn contract_migrations_wait_until_asked_for() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "1_expand", "CREATE TABLE a;")?;
    write(
        dir.path(),
        "2_contract",
        "-- drydock:contract\nDROP TABLE old;",
    )?;
    write(dir.path(), "3_later", "CREATE TABLE c;")?;
    let mut conn = FakeConnection::default();
    let holding = DeployOptions {
        hold_contract: true,
        ..test_options()
    };
    let report = run_deploy_with(&mut conn, dir.path(), &transactional, &holding).0?;
    let names: Vec<_> = report.applied.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["1_expand"]);
    assert_eq!(report.held_back, ["2_contract", "3_later"]);
    assert_eq!(report.already_applied, 0);

    let report = run_deploy(&mut conn, dir.path(), &transactional)?;
    let names: Vec<_> = report.applied.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["2_contract", "3_later"]);
    assert!(report.held_back.is_empty());
    Ok(())
}

#[test]
fn an_out_of_order_migration_is_refused_unless_allowed() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "1_init", "CREATE TABLE a;")?;
    write(dir.path(), "3_ours", "CREATE TABLE c;")?;
    let mut conn = FakeConnection::default();
    run_deploy(&mut conn, dir.path(), &transactional)?;
    // A branch merged since brings a migration written before ours.
    write(dir.path(), "2_theirs", "CREATE TABLE b;")?;
    write(dir.path(), "4_later", "CREATE TABLE d;")?;
    let report = status(&mut conn, dir.path())?;
    assert_eq!(report.out_of_order, ["2_theirs"]);
    assert_eq!(report.newest_applied.as_deref(), Some("3_ours"));

    let strict = DeployOptions {
        allow_out_of_order: false,
        ..test_options()
    };
    let (refused, _) = run_deploy_with(&mut conn, dir.path(), &transactional, &strict);
    let error = refused.err().map(|e| (e.code(), e.to_string()));
    let Some(("D3130", text)) = error.as_ref().map(|(c, t)| (*c, t.clone())) else {
        panic!("no D3130: {error:?}");
    };
    assert!(
        text.contains("`2_theirs` sorts before `3_ours`")
            && text.contains("drydock migrate rebase 2_theirs")
            && text.contains("--allow-out-of-order"),
        "{text}"
    );
    assert_eq!(conn.rows().len(), 2, "nothing ran");

    let (report, events) = run_deploy_with(&mut conn, dir.path(), &transactional, &test_options());
    let names: Vec<_> = report?.applied.into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["2_theirs", "4_later"]);
    assert_eq!(events, ["out of order 2_theirs < 3_ours"]);
    Ok(())
}
