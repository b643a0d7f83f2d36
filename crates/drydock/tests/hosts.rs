//! PostgreSQL URLs with several hosts, as libpq takes them (`h1:5432,h2:5433`): tried in order by
//! drydock's own sessions and by libpq's tools (`pg_dump`, `pg_restore`) alike.

use std::net::TcpListener;

use assert_cmd::Command;
use drydock_connector::{DbUrl, UrlHost};
use drydock_test_support::TestDb;
use predicates::str::contains;

/// `db`'s URL with a first host on a loopback port nothing listens on.
fn behind_a_closed_port(db: &TestDb) -> String {
    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port();
    let mut url = DbUrl::parse(db.url()).expect("the test database's URL");
    url.hosts.insert(
        0,
        UrlHost {
            name: "127.0.0.1".to_owned(),
            port: Some(closed),
        },
    );
    url.params
        .push(("target_session_attrs".to_owned(), "read-write".to_owned()));
    url.to_url()
}

fn drydock(dir: &std::path::Path) -> Command {
    let mut command = Command::cargo_bin("drydock").expect("the drydock binary");
    command.current_dir(dir).env_remove("DATABASE_URL");
    command
}

#[test]
fn a_second_host_is_used_when_the_first_is_closed() {
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute("CREATE TABLE \"User\" (id INTEGER PRIMARY KEY, email TEXT);")
        .expect("a table");
    let url = behind_a_closed_port(&db);
    let work = tempfile::tempdir().expect("temp dir");
    drydock(work.path())
        .args([
            "migrate",
            "diff",
            "--from-empty",
            "--to-url",
            &url,
            "--script",
        ])
        .assert()
        .success()
        .stdout(contains("CREATE TABLE \"User\""));
    // pg_dump and pg_restore get the hosts too.
    drydock(work.path())
        .args(["backup", "create", "--url", &url])
        .assert()
        .success()
        .stderr(contains("Wrote backups/"));
    drydock(work.path())
        .args(["backup", "verify", "--url", &url])
        .assert()
        .success()
        .stderr(contains("Restore test: ok"));
}

#[test]
fn every_closed_host_is_named_and_no_password_shown() {
    let mut url = DbUrl::parse("postgresql://u:hunter2@127.0.0.1/d").expect("a URL");
    url.hosts.clear();
    for _ in 0..2 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        url.hosts.push(UrlHost {
            name: "127.0.0.1".to_owned(),
            port: Some(port),
        });
    }
    let ports: Vec<String> = url
        .hosts
        .iter()
        .map(|host| format!("127.0.0.1:{}", host.port.unwrap_or_default()))
        .collect();
    let work = tempfile::tempdir().expect("temp dir");
    let output = drydock(work.path())
        .args([
            "migrate",
            "diff",
            "--from-empty",
            "--to-url",
            &url.to_url(),
            "--script",
        ])
        .output()
        .expect("running drydock");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("[P1001]"), "{stderr}");
    assert!(stderr.contains(&ports.join(",")), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
