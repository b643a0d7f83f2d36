//! `drydock stats` on the small primary and its streaming replica that
//! `scripts/with-databases.sh` starts (`TEST_POSTGRES_PRIMARY_URL`, `max_connections = 20`,
//! `shared_buffers = 2MB`; `TEST_POSTGRES_REPLICA_URL`): connections near the maximum, cache hit
//! ratios under the floor, replication lag seen from both ends, and nothing on a clean
//! database. Connections and replication lag are the whole server's, so the tests take turns
//! ([`turn`]). Every wait is bounded.

mod support;

use std::sync::{Mutex, MutexGuard, PoisonError};

use drydock_maintenance::{Limit, Severity, StatsOptions, Thresholds};
use drydock_test_support::TestDb;
use support::{codes, finding, options_with, run, until};

static SERVER: Mutex<()> = Mutex::new(());

/// The server to this test alone while the guard lives.
fn turn() -> MutexGuard<'static, ()> {
    SERVER.lock().unwrap_or_else(PoisonError::into_inner)
}

fn client(url: &str) -> postgres::Client {
    drydock_postgres::url::PgUrl::parse(url)
        .and_then(|url| url.connect())
        .expect("connecting")
}

/// Client sessions of the whole server, the asking one included.
fn client_sessions(client: &mut postgres::Client) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
            &[],
        )
        .unwrap()
        .get(0)
}

#[test]
fn a_clean_database_on_the_primary_and_its_replica_gives_nothing() {
    let _turn = turn();
    let db = TestDb::postgres_primary();
    db.postgres_client()
        .batch_execute(
            "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL);
             INSERT INTO customer SELECT n, 'c' || n FROM generate_series(1, 100) AS n;",
        )
        .unwrap();
    let report = run(db.url(), &StatsOptions::default());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(!report.is_replica);
    let names: Vec<&str> = report.replication.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["drydock_replica"]);
    assert_eq!(report.connections.as_ref().unwrap().max, Some(20));

    let report = run(&db.replica_url(), &StatsOptions::default());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.is_replica);
    assert_eq!(report.replication[0].name, "this server");
}

#[test]
fn connections_near_max_connections_are_found_with_their_severity() {
    let _turn = turn();
    let db = TestDb::postgres_primary();
    let mut first = db.postgres_client();
    // Sessions held open until, with the one stats opens, 18 of the 20 are in use (90 %).
    let mut held = Vec::new();
    for _ in 0..20 {
        if client_sessions(&mut first) >= 17 {
            break;
        }
        held.push(db.postgres_client());
    }
    assert_eq!(client_sessions(&mut first), 17);
    let report = run(db.url(), &StatsOptions::default());
    let warning = finding(&report, "D6304");
    assert_eq!(warning.severity, Severity::Warning, "{warning:?}");
    assert!(
        warning.title.starts_with("18 of 20 connections"),
        "{warning:?}"
    );
    assert_eq!(warning.objects[0].kind, "server");
    assert_eq!(warning.objects[0].name, db.name());

    // One more: 19 of 20 (95 %) is an error.
    held.push(db.postgres_client());
    let report = run(db.url(), &StatsOptions::default());
    assert_eq!(finding(&report, "D6304").severity, Severity::Error);

    // Closed again, the sessions are no longer counted (their backends end shortly after).
    drop(held);
    let report = until(db.url(), &StatsOptions::default(), |r| {
        !codes(r).contains(&"D6304")
    });
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn cache_hit_ratios_below_the_floor_are_found_once_enough_blocks_were_read() {
    let _turn = turn();
    let db = TestDb::postgres_primary();
    let mut client = db.postgres_client();
    // 27 MB of rows and a 4 MB index, against 2 MB of shared buffers: every scan reads from
    // outside them.
    client
        .batch_execute(
            "CREATE TABLE reading (id int PRIMARY KEY, amount int NOT NULL, filler text NOT NULL);
             INSERT INTO reading SELECT n, n, repeat('x', 100) FROM generate_series(1, 200000) AS n;",
        )
        .unwrap();
    // Visibility map set: the index scans below read the index alone.
    client.batch_execute("VACUUM reading").unwrap();
    for _ in 0..3 {
        client
            .query("SELECT sum(amount) FROM reading", &[])
            .unwrap();
    }
    client
        .batch_execute("SET enable_seqscan = off; SET enable_bitmapscan = off;")
        .unwrap();
    for _ in 0..20 {
        client
            .query("SELECT count(*) FROM reading WHERE id > 0", &[])
            .unwrap();
    }
    client
        .batch_execute("SELECT pg_stat_force_next_flush()")
        .unwrap();
    let options = StatsOptions::default();
    let min = options.thresholds.cache_min_blocks;
    let report = until(db.url(), &options, |r| {
        codes(r).contains(&"D6305") && codes(r).contains(&"D6306")
    });
    let cache = report.cache.as_ref().unwrap();
    assert!(
        cache.table_blocks >= min && cache.index_blocks >= min,
        "{cache:?}"
    );
    for (code, percent) in [
        ("D6305", cache.table_hit_percent),
        ("D6306", cache.index_hit_percent),
    ] {
        let found = finding(&report, code);
        assert_eq!(found.severity, Severity::Warning);
        assert_eq!(found.objects[0].kind, "database");
        assert_eq!(found.objects[0].name, db.name());
        assert!(percent.unwrap() < 99.0, "{code}: {cache:?}");
    }
}

/// Resumes the replica's replay when dropped, so a failing test leaves it replaying.
struct Paused(postgres::Client);

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = self.0.batch_execute("SELECT pg_wal_replay_resume()");
    }
}

#[test]
fn replication_lag_is_found_on_the_primary_and_on_the_replica() {
    let _turn = turn();
    let db = TestDb::postgres_primary();
    let replica_url = db.replica_url();
    let options = options_with(Thresholds {
        replication_lag: Limit::new(1.0, 3_600.0),
        ..Thresholds::default()
    });
    let mut paused = Paused(client(&replica_url));
    paused
        .0
        .batch_execute("SELECT pg_wal_replay_pause()")
        .unwrap();
    // WAL the replica receives but does not replay.
    db.postgres_client()
        .batch_execute(
            "CREATE TABLE tick (id int PRIMARY KEY);
             INSERT INTO tick SELECT generate_series(1, 1000);",
        )
        .unwrap();

    let on_primary = until(db.url(), &options, |r| codes(r).contains(&"D6307"));
    let lag = finding(&on_primary, "D6307");
    assert_eq!(lag.severity, Severity::Warning);
    assert_eq!(
        (lag.objects[0].kind.as_str(), lag.objects[0].name.as_str()),
        ("replica", "drydock_replica")
    );
    assert!(on_primary.replication[0].lag_bytes.unwrap() > 0);
    assert!(
        lag.detail
            .as_deref()
            .unwrap()
            .ends_with("bytes of WAL behind")
    );

    let on_replica = until(&replica_url, &options, |r| codes(r).contains(&"D6307"));
    assert!(on_replica.is_replica);
    let lag = finding(&on_replica, "D6307");
    assert_eq!(lag.objects[0].name, "this server");
    assert!(on_replica.replication[0].lag_seconds.unwrap() >= 1.0);

    // Replaying again, the replica catches up and neither end finds a lag.
    drop(paused);
    let on_replica = until(&replica_url, &options, |r| r.findings.is_empty());
    assert!(on_replica.findings.is_empty(), "{:#?}", on_replica.findings);
    let on_primary = until(db.url(), &options, |r| r.findings.is_empty());
    assert!(on_primary.findings.is_empty(), "{:#?}", on_primary.findings);
}
