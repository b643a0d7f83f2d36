//! `drydock backup` end to end on SQLite and PostgreSQL.

use assert_cmd::Command;
use drydock_test_support::TestDb;
use predicates::str::contains;

fn drydock(dir: &std::path::Path) -> Command {
    let mut command = Command::cargo_bin("drydock").unwrap();
    command.current_dir(dir);
    command
}

fn list_json(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let out = drydock(dir)
        .args(["backup", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sqlite_create_verify_list_restore_prune() {
    let db = TestDb::sqlite();
    let conn = rusqlite::Connection::open(db.sqlite_path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT); INSERT INTO t (s) VALUES ('ü'), (NULL);",
    )
    .unwrap();
    drop(conn);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();

    drydock(dir)
        .args(["backup", "restore", "--to", "file:./x.db"])
        .assert()
        .failure()
        .stderr(contains("D5031"));
    drydock(dir)
        .args(["backup", "create", "--url", db.url()])
        .assert()
        .success()
        .stderr(contains("Wrote backups/"));
    drydock(dir)
        .args(["backup", "verify", "--url", db.url()])
        .assert()
        .success()
        .stderr(contains("Restore test: ok"));
    drydock(dir)
        .args(["backup", "create", "--url", db.url()])
        .assert()
        .success();
    let listed = list_json(dir);
    assert_eq!(listed.len(), 2);
    assert!(listed[0]["restore_tested_at"].is_null());
    assert!(listed[1]["restore_tested_at"].is_string());
    drydock(dir)
        .args(["backup", "list"])
        .assert()
        .success()
        .stdout(contains("sqlite"));

    // The newest restore-tested backup is the default.
    drydock(dir)
        .args(["backup", "restore", "--to", "file:./restored.db"])
        .assert()
        .success()
        .stderr(contains(listed[1]["id"].as_str().unwrap()));
    let conn = rusqlite::Connection::open(dir.join("restored.db")).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    drydock(dir)
        .args(["backup", "restore", "--to", "file:./restored.db"])
        .assert()
        .failure()
        .stderr(contains("D5032"));
    drydock(dir)
        .args(["backup", "restore", "--to", "file:./restored.db", "--force"])
        .assert()
        .success()
        .stderr(contains("Safety backup"));

    // Keep only the newest: dry run first, and the verified one survives --apply.
    drydock(dir)
        .args(["backup", "prune", "--keep-last", "1"])
        .assert()
        .success()
        .stdout(contains("would delete"));
    assert_eq!(list_json(dir).len(), 3);
    drydock(dir)
        .args(["backup", "prune", "--keep-last", "1", "--apply"])
        .assert()
        .success();
    let left = list_json(dir);
    assert_eq!(left.len(), 2);
    assert!(left.iter().any(|m| m["id"] == listed[1]["id"]));
}

#[test]
fn postgres_backup_with_passphrase_and_corruption() {
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY, doc jsonb); INSERT INTO t VALUES (1, '{\"a\": 1}');")
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    drydock(dir)
        .env("BACKUP_KEY", "s3cret")
        .args([
            "backup",
            "create",
            "--passphrase-env",
            "BACKUP_KEY",
            "--url",
            db.url(),
        ])
        .assert()
        .success();
    drydock(dir)
        .env("BACKUP_KEY", "s3cret")
        .args([
            "backup",
            "verify",
            "--passphrase-env",
            "BACKUP_KEY",
            "--url",
            db.url(),
        ])
        .assert()
        .success();
    let listed = list_json(dir);
    let file = dir
        .join("backups")
        .join(listed[0]["file"].as_str().unwrap());
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();
    drydock(dir)
        .args(["backup", "verify", "--checksum-only"])
        .assert()
        .failure()
        .stderr(contains("D5020"));
}

#[test]
fn postgres_parallel_create_and_verify() {
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute(
            "CREATE TABLE a (id int PRIMARY KEY, s text); \
             INSERT INTO a SELECT g, 'row ' || g FROM generate_series(1, 500) g; \
             CREATE TABLE b (id int PRIMARY KEY, doc jsonb); \
             INSERT INTO b SELECT g, jsonb_build_object('g', g) FROM generate_series(1, 300) g;",
        )
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    drydock(dir)
        .args(["backup", "create", "--jobs", "2", "--url", db.url()])
        .assert()
        .success()
        .stderr(contains("2 tables"));
    let listed = list_json(dir);
    assert_eq!(listed[0]["format"]["name"], "pg_dump-directory");
    drydock(dir)
        .args(["backup", "verify", "--jobs", "2", "--url", db.url()])
        .assert()
        .success()
        .stderr(contains("Restore test: ok, 2 tables match"));
    assert!(list_json(dir)[0]["restore_tested_at"].is_string());
    // Only the backup, its manifest and the runs' lock remain: the temporary folders are gone.
    let mut names: Vec<String> = std::fs::read_dir(dir.join("backups"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".dump.zst") && !name.ends_with(".manifest.json"))
        .collect();
    names.sort();
    assert_eq!(names, [".drydock.lock"]);
    drydock(dir)
        .args(["backup", "create", "--jobs", "none", "--url", db.url()])
        .assert()
        .failure()
        .stderr(contains("not a number of jobs"));
}

/// A folder whose `pg_dump` and `pg_restore` say they are PostgreSQL `version`: what a
/// machine with only older client tools than its server has.
fn client_tools_of_version(root: &std::path::Path, version: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let folder = root.join("old-client");
    std::fs::create_dir_all(&folder).unwrap();
    for program in ["pg_dump", "pg_restore"] {
        let file = folder.join(program);
        std::fs::write(
            &file,
            format!("#!/bin/sh\necho '{program} (PostgreSQL) {version}'\nexit 1\n"),
        )
        .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    folder
}

#[test]
fn postgres_backup_with_a_pg_dump_older_than_the_server_is_d5014_and_writes_nothing() {
    let db = TestDb::postgres();
    let version_num: String = db
        .postgres_client()
        .query_one("SHOW server_version_num", &[])
        .unwrap()
        .get(0);
    let major: u32 = version_num.parse::<u32>().unwrap() / 10000;
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let old = client_tools_of_version(dir, &format!("{}.3", major - 1));
    drydock(dir)
        .env("DRYDOCK_PG_BIN", &old)
        .args(["backup", "create", "--url", db.url()])
        .assert()
        .failure()
        .stderr(contains("D5014"))
        .stderr(contains(format!("this server is PostgreSQL {major}")))
        .stderr(contains(format!(
            "{} ({}.3)",
            old.join("pg_dump").display(),
            major - 1
        )))
        .stderr(contains(format!("looked in {}", old.display())));
    let written: Vec<_> = std::fs::read_dir(dir.join("backups"))
        .map(|entries| entries.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(
        written
            .iter()
            .all(|name| name.to_string_lossy().starts_with(".drydock")),
        "{written:?}"
    );

    // The machine's own tools, at least as new as the server, make the backup and are named
    // in its manifest.
    drydock(dir)
        .args(["backup", "create", "--url", db.url()])
        .assert()
        .success();
    let listed = list_json(dir);
    let tools = listed[0]["tool_versions"].as_array().unwrap();
    let dumped_with: u32 = tools[0]["version"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(dumped_with >= major, "{tools:?}");
}
