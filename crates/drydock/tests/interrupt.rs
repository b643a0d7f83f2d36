//! Ctrl-C (SIGINT) and a CI runner's SIGTERM during `migrate deploy`, sent to the real binary:
//! the running statement is cancelled on the server, an index it left invalid is dropped, what
//! ran is recorded, the exit code is 130, and the next plain deploy finishes the job.

mod support;

use std::process::Command;

use drydock_test_support::crash::{POSTGRES_SCHEMA, finish, project, write_migration};
use drydock_test_support::output::succeeds;
use drydock_test_support::{TestDb, wait_for};
use support::{drydock, drydock_command};

fn stopped_deploy_resumes(signal: &str) {
    let db = TestDb::postgres();
    let project = project(
        POSTGRES_SCHEMA,
        &[(
            "20240101000000_init",
            "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT);\n",
        )],
    );
    succeeds(&drydock(project.path(), db.url(), &["migrate", "deploy"]));
    write_migration(
        project.path(),
        "20240102000000_index",
        "CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY);\n\
         CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");\n",
    );
    // An application transaction that wrote to the table holds the build up.
    let mut application = db.postgres_client();
    application
        .batch_execute("BEGIN; INSERT INTO \"item\" VALUES (1, 'a');")
        .expect("application transaction");

    let child = drydock_command(
        project.path(),
        db.url(),
        &["migrate", "deploy", "--lock-timeout", "0", "--lint", "off"],
    )
    .spawn()
    .expect("spawn deploy");
    let mut observer = db.postgres_client();
    let database = db.name();
    let waiting = wait_for(|| {
        observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 \
                 AND query LIKE '%CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'",
                &[&database],
            )
            .is_ok_and(|row| row.get::<_, i64>(0) > 0)
    });
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let (output, _) = finish(child);
    let (code, stderr) = (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert!(waiting, "the build never waited: {stderr}");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("[D3016]"), "{stderr}");
    assert!(
        stderr.contains("1 statement(s) of it completed and stay applied"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`drydock migrate deploy` continues it"),
        "{stderr}"
    );

    let status = drydock(project.path(), db.url(), &["migrate", "status"]);
    assert!(!status.status.success());

    application.batch_execute("COMMIT").expect("commit");
    let resumed = drydock(project.path(), db.url(), &["migrate", "deploy"]);
    let resumed_err = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{resumed_err}");
    assert!(!resumed_err.contains("already exists"), "{resumed_err}");
    let valid = db
        .postgres_client()
        .query_one(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname = 'item_code_idx' AND i.indisvalid",
            &[],
        )
        .expect("index")
        .get::<_, i64>(0);
    assert_eq!(valid, 1);
    succeeds(&drydock(project.path(), db.url(), &["migrate", "status"]));
}

#[test]
fn ctrl_c_during_a_concurrent_index_build_is_recorded_and_resumed() {
    stopped_deploy_resumes("-INT");
}

#[test]
fn sigterm_during_a_concurrent_index_build_is_recorded_and_resumed() {
    stopped_deploy_resumes("-TERM");
}
