//! Backups through connection poolers (run under `scripts/with-databases.sh`, which starts
//! PgBouncer in transaction mode and pgpool-II): through a transaction-mode pooler, or a URL
//! with `pgbouncer=true`, `backup create`, `verify` and `restore` are refused with D5015 before
//! anything runs; through the session-mode pooler they work.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use drydock_test_support::{TestDb, replace_database, required_var};

fn drydock(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drydock"))
        .current_dir(dir)
        .args(args)
        .arg("--dir")
        .arg(dir.join("backups"))
        .env("DRYDOCK_CACHE_DIR", dir.join(".cache"))
        .stdin(Stdio::null())
        .output()
        .expect("run drydock")
}

fn assert_refused(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success()
            && stderr.contains("[D5015]")
            && stderr.contains("transaction mode")
            && stderr.contains("directUrl"),
        "{what} through a transaction-mode pooler was not refused with D5015: {stderr}"
    );
}

#[test]
fn backups_through_a_transaction_mode_pooler_are_refused_and_work_through_a_session_mode_one() {
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2);")
        .expect("a table");
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let bouncer = replace_database(&required_var("TEST_PGBOUNCER_URL"), &db.name());
    let flagged = format!("{}?pgbouncer=true", db.url());

    for url in [&bouncer, &flagged] {
        assert_refused(&drydock(dir, &["backup", "create", "--url", url]), "create");
    }
    assert!(
        !dir.join("backups").exists()
            || std::fs::read_dir(dir.join("backups"))
                .expect("backups")
                .flatten()
                .all(|e| e.file_name().to_string_lossy().starts_with(".drydock")),
        "a refused backup left files"
    );

    // Through the session-mode pooler (pgpool-II) a backup works, and is then verified and
    // restored only over a session-keeping URL.
    let pgpool = replace_database(&required_var("TEST_PGPOOL_URL"), &db.name());
    let created = drydock(dir, &["backup", "create", "--url", &pgpool]);
    assert!(
        created.status.success(),
        "a backup through a session-mode pooler failed: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert_refused(
        &drydock(dir, &["backup", "verify", "--url", &bouncer]),
        "verify",
    );
    let target = TestDb::postgres();
    let target_name = target.name();
    drydock_test_support::postgres_server_client()
        .batch_execute(&format!("DROP DATABASE \"{target_name}\" WITH (FORCE)"))
        .expect("drop the target");
    let to = replace_database(&required_var("TEST_PGBOUNCER_URL"), &target_name);
    assert_refused(
        &drydock(
            dir,
            &["backup", "restore", "--allow-unverified", "--to", &to],
        ),
        "restore",
    );
    let verified = drydock(dir, &["backup", "verify", "--url", db.url()]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    drop(target);
}
