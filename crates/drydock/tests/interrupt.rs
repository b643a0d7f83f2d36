//! Ctrl-C (SIGINT) and a CI runner's SIGTERM during `migrate deploy`, sent to the real binary:
//! the running statement is cancelled on the server, an index it left invalid is dropped, what
//! ran is recorded, the exit code is 130, and the next plain deploy finishes the job.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use drydock_test_support::TestDb;

const SCHEMA: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

fn write_migration(project: &Path, name: &str, sql: &str) {
    let dir = project.join("prisma/migrations").join(name);
    std::fs::create_dir_all(&dir).expect("migration folder");
    std::fs::write(dir.join("migration.sql"), sql).expect("migration.sql");
}

fn drydock(project: &Path, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drydock"));
    command
        .current_dir(project)
        .args(args)
        .env("DATABASE_URL", url)
        .env("DRYDOCK_CACHE_DIR", project.join(".cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Wait until `ready` holds, polling every 50 ms for 30 s at most.
fn wait_for(mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Wait for `child` to exit, 60 s at most, killing it after that.
fn finish(mut child: Child) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("drydock output");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn stopped_deploy_resumes(signal: &str) {
    let db = TestDb::postgres();
    let project = tempfile::tempdir().expect("project");
    std::fs::create_dir_all(project.path().join("prisma")).expect("prisma folder");
    std::fs::write(project.path().join("prisma/schema.prisma"), SCHEMA).expect("schema");
    write_migration(
        project.path(),
        "20240101000000_init",
        "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT);\n",
    );
    let deployed = drydock(project.path(), db.url(), &["migrate", "deploy"])
        .output()
        .expect("deploy");
    assert!(deployed.status.success(), "{deployed:?}");
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

    let child = drydock(
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
    let (code, stderr) = finish(child);
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

    let status = drydock(project.path(), db.url(), &["migrate", "status"])
        .output()
        .expect("status");
    assert!(!status.status.success());

    application.batch_execute("COMMIT").expect("commit");
    let resumed = drydock(project.path(), db.url(), &["migrate", "deploy"])
        .output()
        .expect("deploy again");
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
    let status = drydock(project.path(), db.url(), &["migrate", "status"])
        .output()
        .expect("status");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn ctrl_c_during_a_concurrent_index_build_is_recorded_and_resumed() {
    stopped_deploy_resumes("-INT");
}

#[test]
fn sigterm_during_a_concurrent_index_build_is_recorded_and_resumed() {
    stopped_deploy_resumes("-TERM");
}
