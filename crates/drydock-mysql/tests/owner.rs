//! The claims on databases a run creates for itself (shadow, scratch), on the MariaDB test
//! server: a database nobody claims and nobody uses is a leftover; one a live run claims, or a
//! session uses, is not. A claim ends with the session that holds it.

use drydock_mysql::{MysqlUrl, owner};
use drydock_test_support::{mysql_server_url, wait_for};
use mysql::prelude::Queryable;

fn server() -> MysqlUrl {
    MysqlUrl::parse(&mysql_server_url()).expect("the test server's URL")
}

fn session() -> mysql::Conn {
    server().connect().expect("a session on the test server")
}

/// A database named `<prefix><what>`, dropped when the value is.
struct Made(String);

impl Made {
    fn new(prefix: &str, what: &str) -> Made {
        let name = format!("{prefix}{what}");
        session()
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .expect("make a database");
        Made(name)
    }
}

impl Drop for Made {
    fn drop(&mut self) {
        let _ = session().query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.0));
    }
}

fn exists(name: &str) -> bool {
    session()
        .exec_first::<i64, _, _>(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (name,),
        )
        .expect("schemata")
        == Some(1)
}

#[test]
fn only_databases_nobody_claims_or_uses_are_leftovers_and_a_claim_ends_with_its_session() {
    // A prefix of this test's own, so that no other test's run takes these for its kind.
    let prefix = format!("drydock_owner_test_{}_", std::process::id());
    let left = Made::new(&prefix, "left");
    let claimed_name = format!("{prefix}claimed");
    owner::claim_database(&server(), &claimed_name).expect("claim");
    let claimed = Made::new(&prefix, "claimed");
    let used = Made::new(&prefix, "used");
    let mut user = server().with_database(&used.0).connect().expect("use it");
    user.query_drop("DO 1").expect("a session on it");

    let found = owner::abandoned(&server(), &prefix).expect("abandoned");
    assert_eq!(found, vec![left.0.clone()]);

    // A second claim on the same name, from another process's point of view, is refused.
    let mut other = session();
    let taken: Option<i64> = other
        .exec_first(
            "SELECT GET_LOCK(?, 0)",
            (format!("drydock owns {claimed_name}"),),
        )
        .expect("try the claim");
    assert_eq!(taken, Some(0), "a claimed database's lock was free");

    let lines = owner::drop_abandoned(&server(), &prefix, "scratch database").expect("drop");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("dropped the scratch database `{}`", left.0)),
        "{lines:?}"
    );
    assert!(!exists(&left.0) && exists(&claimed.0) && exists(&used.0));

    // Released (as a run does once it dropped it), the claimed one is a leftover; the used one
    // stays a leftover candidate only once its session ends.
    owner::release_database(&server(), &claimed_name).expect("release");
    drop(user);
    assert!(
        wait_for(|| owner::abandoned(&server(), &prefix)
            .expect("abandoned")
            .len()
            == 2),
        "a released or no longer used database is not a leftover"
    );

    // A claim held by a session ends with it: the lock is free again.
    let holder_name = format!("{prefix}held");
    let mut holder = session();
    let got: Option<i64> = holder
        .exec_first(
            "SELECT GET_LOCK(?, 0)",
            (format!("drydock owns {holder_name}"),),
        )
        .expect("hold");
    assert_eq!(got, Some(1));
    let held = Made::new(&prefix, "held");
    assert!(
        !owner::abandoned(&server(), &prefix)
            .unwrap()
            .contains(&held.0)
    );
    drop(holder);
    assert!(
        wait_for(|| owner::abandoned(&server(), &prefix)
            .unwrap()
            .contains(&held.0)),
        "a claim outlived the session holding it"
    );
}
