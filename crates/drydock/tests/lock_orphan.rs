//! Every command that takes the migration lock ends a session orphaned by a killed drydock
//! (named after a process of this host that is gone) and says so, as `migrate deploy` does.

mod support;

use drydock_test_support::TestDb;
use support::drydock;

const SCHEMA: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

const MIGRATIONS: &[(&str, &str, &str)] = &[
    (
        "20240101000000_init",
        "CREATE TABLE \"a\" (\"id\" INTEGER PRIMARY KEY);\n",
        "DROP TABLE \"a\";\n",
    ),
    (
        "20240102000000_second",
        "CREATE TABLE \"b\" (\"id\" INTEGER PRIMARY KEY);\n",
        "DROP TABLE \"b\";\n",
    ),
];

fn project() -> tempfile::TempDir {
    let project = tempfile::tempdir().expect("project");
    std::fs::create_dir_all(project.path().join("prisma")).expect("prisma folder");
    std::fs::write(project.path().join("prisma/schema.prisma"), SCHEMA).expect("schema");
    for (name, up, down) in MIGRATIONS {
        let dir = project.path().join("prisma/migrations").join(name);
        std::fs::create_dir_all(&dir).expect("migration folder");
        std::fs::write(dir.join("migration.sql"), up).expect("migration.sql");
        std::fs::write(dir.join("down.sql"), down).expect("down.sql");
    }
    project
}

/// A session that holds the migration lock under the name a drydock process of this host gives
/// its session, a process that is not there (no pid is this high): what `kill -9` leaves.
fn orphaned_lock_holder(db: &TestDb) -> postgres::Client {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("host name");
    let mut client = db.postgres_client();
    client
        .query(
            "SELECT set_config('application_name', $1, false), pg_advisory_lock(72707369)",
            &[&format!("drydock pid 4000000000 on {}", host.trim())],
        )
        .expect("hold the lock");
    client
}

fn assert_ended_and_said(output: &std::process::Output, command: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{command} failed: {stderr}");
    assert!(
        stderr.contains("the migration lock: the migration lock is held by pid")
            && stderr.contains("orphaned: its process 4000000000 on this host is gone")
            && stderr.contains("drydock ended it"),
        "{command} did not say it ended the orphaned session: {stderr}"
    );
}

#[test]
fn squash_down_and_resolve_end_an_orphaned_lock_session_and_say_so() {
    let project = project();
    let db = TestDb::postgres();
    let deployed = drydock(
        project.path(),
        db.url(),
        &["migrate", "deploy", "--lint", "off"],
    );
    assert!(deployed.status.success(), "{deployed:?}");

    let holder = orphaned_lock_holder(&db);
    let squashed = drydock(
        project.path(),
        db.url(),
        &["migrate", "squash", "--to", "20240102000000_second"],
    );
    assert_ended_and_said(&squashed, "migrate squash");
    drop(holder);

    let holder = orphaned_lock_holder(&db);
    let down = drydock(
        project.path(),
        db.url(),
        &["migrate", "down", "--accept-data-loss"],
    );
    assert_ended_and_said(&down, "migrate down");
    drop(holder);

    let holder = orphaned_lock_holder(&db);
    let resolved = drydock(
        project.path(),
        db.url(),
        &["migrate", "resolve", "--applied", "20240102000000_second"],
    );
    assert_ended_and_said(&resolved, "migrate resolve");
    drop(holder);
}
