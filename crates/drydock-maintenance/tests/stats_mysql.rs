//! `drydock stats` on the MariaDB test server (`TEST_MYSQL_URL`): a long-running statement, a
//! session idle in a transaction and a row-lock wait behind it, each found with its code and
//! the fix MySQL takes (`KILL`), and nothing on a quiet database. Every wait is bounded.

mod support;

use drydock_maintenance::{Limit, Thresholds};
use drydock_test_support::TestDb;
use mysql::prelude::Queryable;
use support::{codes, finding, options_with, run, until};

fn connection_id(conn: &mut mysql::Conn) -> u64 {
    conn.query_first("SELECT CONNECTION_ID()")
        .expect("the session id")
        .expect("a row")
}

#[test]
fn a_long_statement_an_idle_transaction_and_a_lock_wait_are_found_with_their_codes() {
    let db = TestDb::mysql();
    let mut holder = db.mysql_conn();
    holder
        .query_drop(
            "CREATE TABLE account (id INT PRIMARY KEY, balance INT NOT NULL);
             INSERT INTO account VALUES (1, 100)",
        )
        .unwrap();
    let quiet = run(db.url(), &options_with(Thresholds::default()));
    assert!(quiet.findings.is_empty(), "{:#?}", quiet.findings);

    let holder_id = connection_id(&mut holder);
    holder
        .query_drop("BEGIN; UPDATE account SET balance = 90 WHERE id = 1")
        .unwrap();
    let mut waiter = db.mysql_conn();
    let waiter_id = connection_id(&mut waiter);
    let waiting = std::thread::spawn(move || {
        // Given up after 30 s at most, or let through when the holder rolls back.
        let _ = waiter.query_drop(
            "SET SESSION innodb_lock_wait_timeout = 30;
             UPDATE account SET balance = 80 WHERE id = 1",
        );
    });
    let mut sleeper = db.mysql_conn();
    let sleeper_id = connection_id(&mut sleeper);
    let sleeping = std::thread::spawn(move || {
        // Killed below; 60 s at most in any case.
        let _ = sleeper.query_drop("DO SLEEP(60)");
    });

    let thresholds = Thresholds {
        long_running_query: Limit::new(1.0, 3_600.0),
        idle_in_transaction: Limit::new(1.0, 3_600.0),
        lock_wait: Limit::new(1.0, 3_600.0),
        ..Thresholds::default()
    };
    let report = until(db.url(), &options_with(thresholds), |r| {
        ["D6301", "D6302", "D6303"]
            .iter()
            .all(|code| codes(r).contains(code))
    });
    let mut admin = db.mysql_conn();
    admin
        .query_drop(format!("KILL QUERY {sleeper_id}"))
        .unwrap();
    holder.query_drop("ROLLBACK").unwrap();
    sleeping.join().unwrap();
    waiting.join().unwrap();

    let long = report
        .findings
        .iter()
        .find(|f| f.code == "D6301" && f.objects[0].name == sleeper_id.to_string())
        .unwrap_or_else(|| panic!("no D6301 for {sleeper_id}: {:#?}", report.findings));
    assert!(
        long.detail.as_deref().unwrap().contains("SLEEP(60)"),
        "{long:?}"
    );
    assert_eq!(
        long.fix.as_deref(),
        Some(
            format!("look at the statement (EXPLAIN it); to stop it: KILL QUERY {sleeper_id}")
                .as_str()
        )
    );
    let idle = finding(&report, "D6302");
    assert_eq!(idle.objects[0].name, holder_id.to_string());
    let wait = finding(&report, "D6303");
    assert_eq!(wait.objects[0].name, waiter_id.to_string());
    assert_eq!(wait.objects[1].name, holder_id.to_string(), "{wait:?}");
    assert!(
        wait.fix
            .as_deref()
            .unwrap()
            .ends_with(&format!("KILL {holder_id}")),
        "{wait:?}"
    );
}
