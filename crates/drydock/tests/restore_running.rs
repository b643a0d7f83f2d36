//! A restore into a new database marks it until the restore is checked, naming its run
//! (`drydock pid N on H`). A second plain restore into the same URL refuses while that run is
//! alive (D5035, naming it) and replaces the database once the run was killed.

use std::path::Path;
use std::process::{Command, Stdio};

use drydock_test_support::{TestDb, postgres_server_client, replace_database, wait_for};

fn drydock(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drydock"));
    command
        .current_dir(dir)
        .args(args)
        .arg("--dir")
        .arg(dir.join("backups"))
        .env("DRYDOCK_CACHE_DIR", dir.join(".cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn database_comment(name: &str) -> Option<String> {
    postgres_server_client()
        .query_opt(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .expect("pg_database")
        .and_then(|row| row.get(0))
}

fn signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill {signal} {pid}");
}

#[test]
fn a_second_restore_refuses_a_running_one_and_replaces_a_killed_one() {
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute(
            "CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 8) AS pad \
             FROM generate_series(1, 300000) g",
        )
        .expect("fill");
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let created = drydock(dir, &["backup", "create", "--url", db.url()])
        .output()
        .expect("create");
    assert!(created.status.success(), "{created:?}");
    // A name of its own, dropped when the test ends however it ends; the restore creates it.
    let target = TestDb::postgres();
    let target_name = target.name();
    postgres_server_client()
        .batch_execute(&format!("DROP DATABASE \"{target_name}\" WITH (FORCE)"))
        .expect("drop the target");
    let target_url = replace_database(db.url(), &target_name);
    let restore = [
        "backup",
        "restore",
        "--allow-unverified",
        "--to",
        &target_url,
    ];

    // The first restore is stopped (alive, connected) once it marked the database.
    let mut first = drydock(dir, &restore)
        .spawn()
        .expect("spawn the first restore");
    let pid = first.id();
    let owner = format!("drydock pid {pid} on ");
    let marked = wait_for(|| {
        database_comment(&target_name).is_some_and(|note| note.contains(&owner))
            || first.try_wait().ok().flatten().is_some()
    });
    signal(pid, "-STOP");
    assert!(
        marked && first.try_wait().ok().flatten().is_none(),
        "the first restore ended before it was stopped"
    );

    let refused = drydock(dir, &restore).output().expect("second restore");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && stderr.contains("[D5035]") && stderr.contains(&owner),
        "a restore into a database a running restore fills was not refused: {stderr}"
    );

    let list = ["backup", "list", "--url", db.url()];
    let listed = drydock(dir, &list).output().expect("list");
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(
        stderr.contains(&format!(
            "INTERRUPTED database {target_name}: a restore in progress"
        )),
        "backup list did not show the restore in progress: {stderr}"
    );

    // Killed, it is a leftover: the next plain restore replaces it.
    signal(pid, "-KILL");
    let _ = first.wait();
    let listed = drydock(dir, &list).output().expect("list");
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(
        stderr.contains(&format!(
            "INTERRUPTED database {target_name}: half-restored by an interrupted restore"
        )),
        "backup list did not show the half-restored database: {stderr}"
    );
    let replaced = drydock(dir, &restore).output().expect("third restore");
    let stderr = String::from_utf8_lossy(&replaced.stderr);
    assert!(
        replaced.status.success()
            && stderr.contains("remains of an interrupted restore")
            && stderr.contains(&owner),
        "the killed restore's database was not replaced: {stderr}"
    );
    assert_eq!(database_comment(&target_name), None);
    drop(target);
}
