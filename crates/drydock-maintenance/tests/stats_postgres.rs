//! `drydock stats` on a real PostgreSQL that keeps query statistics (`TEST_POSTGRES_STATS_URL`,
//! started by `scripts/with-databases.sh`): each problem seeded in its own database and found
//! with its code, and nothing found on a quiet clean database. Every wait is bounded.

mod support;

use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_maintenance::{Limit, StatsOptions, Thresholds, TopQueries};
use drydock_test_support::TestDb;
use support::{codes, finding, options_with, source, until};

fn run(db: &TestDb, options: &StatsOptions) -> drydock_maintenance::StatsReport {
    support::run(db.url(), options)
}

#[test]
fn a_long_running_query_and_an_idle_transaction_are_found_with_their_codes() {
    let db = TestDb::postgres_stats();
    let mut idle = db.postgres_client();
    idle.batch_execute("SET application_name = 'idle holder'; BEGIN; SELECT 42;")
        .unwrap();
    let idle_pid: i32 = idle
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    let mut sleeper = db.postgres_client();
    let sleeper_pid: i32 = sleeper
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    let sleeping = std::thread::spawn(move || {
        // Cancelled below; 60 s at most in any case.
        let _ = sleeper.batch_execute("SET statement_timeout = '60s'; SELECT pg_sleep(60)");
    });
    let thresholds = Thresholds {
        long_running_query: Limit::new(1.0, 3_600.0),
        idle_in_transaction: Limit::new(1.0, 3_600.0),
        ..Thresholds::default()
    };
    let options = options_with(thresholds);
    let report = until(db.url(), &options, |r| {
        codes(r).contains(&"D6301") && codes(r).contains(&"D6302")
    });
    db.postgres_client()
        .execute("SELECT pg_cancel_backend($1)", &[&sleeper_pid])
        .unwrap();
    sleeping.join().unwrap();
    let long = finding(&report, "D6301");
    assert_eq!(long.objects[0].kind, "session");
    assert_eq!(long.objects[0].name, sleeper_pid.to_string());
    assert!(
        long.detail.as_deref().unwrap().contains("pg_sleep"),
        "{long:?}"
    );
    let waiting = finding(&report, "D6302");
    assert_eq!(waiting.objects[0].name, idle_pid.to_string());
    assert!(waiting.detail.as_deref().unwrap().contains("idle holder"));
    assert_eq!(waiting.severity, drydock_maintenance::Severity::Warning);
    drop(idle);
}

#[test]
fn a_lock_wait_is_found_with_its_blocking_chain() {
    let db = TestDb::postgres_stats();
    let mut holder = db.postgres_client();
    holder
        .batch_execute(
            "CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL);
             INSERT INTO account VALUES (1, 100);",
        )
        .unwrap();
    let holder_pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    holder
        .batch_execute("BEGIN; SELECT balance FROM account WHERE id = 1 FOR UPDATE;")
        .unwrap();
    let mut waiter = db.postgres_client();
    let waiter_pid: i32 = waiter
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    let waiting = std::thread::spawn(move || {
        waiter
            .batch_execute(
                "SET lock_timeout = '60s'; UPDATE account SET balance = balance - 1 WHERE id = 1",
            )
            .is_ok()
    });
    let thresholds = Thresholds {
        lock_wait: Limit::new(0.0, 3_600.0),
        ..Thresholds::default()
    };
    let report = until(db.url(), &options_with(thresholds), |r| {
        codes(r).contains(&"D6303")
    });
    holder.batch_execute("ROLLBACK").unwrap();
    assert!(waiting.join().unwrap(), "the waiting update went through");
    let finding = finding(&report, "D6303");
    let pids: Vec<&str> = finding.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        pids,
        [waiter_pid.to_string(), holder_pid.to_string()],
        "{finding:?}"
    );
    let wait = &report.lock_waits[0];
    assert_eq!(wait.pid, i64::from(waiter_pid));
    assert!(wait.query.as_deref().unwrap().contains("UPDATE account"));
    assert_eq!(wait.blocked_by, [i64::from(holder_pid)]);
    assert_eq!(wait.chain.len(), 1);
    assert_eq!(wait.chain[0].pid, i64::from(holder_pid));
    assert_eq!(wait.chain[0].state.as_deref(), Some("idle in transaction"));
    assert!(
        wait.chain[0]
            .query
            .as_deref()
            .unwrap()
            .contains("FOR UPDATE")
    );
    assert!(finding.detail.as_deref().unwrap().contains("FOR UPDATE"));
}

#[test]
fn top_queries_appear_after_running_a_query_many_times() {
    let db = TestDb::postgres_stats();
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "CREATE EXTENSION pg_stat_statements;
             CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL);
             INSERT INTO item SELECT n, 'item ' || n FROM generate_series(1, 1000) AS n;",
        )
        .unwrap();
    for n in 0..500 {
        client
            .query("SELECT name FROM item WHERE id = $1", &[&(n + 1)])
            .unwrap();
    }
    let report = run(
        &db,
        &StatsOptions {
            top_queries: 1_000,
            ..StatsOptions::default()
        },
    );
    let TopQueries::Available {
        by_total_time,
        by_mean_time,
    } = &report.queries
    else {
        panic!("no query statistics: {:?}", report.queries);
    };
    let ours = by_total_time
        .iter()
        .chain(by_mean_time)
        .find(|q| q.query.contains("FROM item WHERE id"))
        .unwrap_or_else(|| panic!("the statement is not among {by_total_time:#?}"));
    assert!(
        by_total_time
            .iter()
            .all(|q| !q.query.contains("drydock stats")),
        "drydock's own reads are left out: {by_total_time:#?}"
    );
    assert_eq!(ours.calls, 500);
    assert_eq!(ours.rows, 500);
    assert!(ours.total_ms > 0.0);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn without_pg_stat_statements_the_report_says_how_to_enable_it() {
    let db = TestDb::postgres_stats();
    let report = run(&db, &StatsOptions::default());
    let TopQueries::Unavailable { enable, .. } = &report.queries else {
        panic!(
            "query statistics without the extension: {:?}",
            report.queries
        );
    };
    assert!(
        enable.contains("CREATE EXTENSION pg_stat_statements"),
        "{enable}"
    );
}

#[test]
fn a_second_snapshot_shows_growth_and_retention_deletes_old_ones() {
    let db = TestDb::postgres_stats();
    let mut client = db.postgres_client();
    client
        .batch_execute("CREATE TABLE event (id bigint PRIMARY KEY, body text NOT NULL)")
        .unwrap();
    let now = Utc::now();
    // One snapshot long past the retention, stored while nothing is deleted.
    let keep_all = StatsOptions {
        snapshot: true,
        retention: None,
        taken_at: Some(now - chrono::Duration::days(40)),
        ..StatsOptions::default()
    };
    let first = run(&db, &keep_all);
    assert_eq!(first.snapshot.as_ref().unwrap().kept, 1);
    let earlier = StatsOptions {
        taken_at: Some(now - chrono::Duration::hours(1)),
        ..keep_all.clone()
    };
    let second = run(&db, &earlier);
    assert!(
        second.growth.is_none(),
        "the old snapshot is outside the window"
    );
    assert_eq!(second.snapshot.as_ref().unwrap().kept, 2);

    client
        .batch_execute(
            "INSERT INTO event SELECT n, repeat('x', 200) FROM generate_series(1, 20000) AS n;
             ANALYZE event;",
        )
        .unwrap();
    // The statistics views see the rows once the inserting session has reported them.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let live: i64 = client
            .query_one(
                "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'event'",
                &[],
            )
            .unwrap()
            .get(0);
        if live == 20_000 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let latest = StatsOptions {
        snapshot: true,
        retention: Some(Duration::from_secs(30 * 86_400)),
        taken_at: Some(now),
        ..StatsOptions::default()
    };
    let third = run(&db, &latest);
    let growth = third.growth.as_ref().expect("growth since the snapshot");
    assert_eq!(
        growth.since.timestamp(),
        (now - chrono::Duration::hours(1)).timestamp()
    );
    let event = growth
        .tables
        .iter()
        .find(|t| t.name == "public.event")
        .unwrap_or_else(|| panic!("no growth of public.event: {growth:#?}"));
    assert!(event.bytes > 4_000_000, "{event:?}");
    assert_eq!(event.rows, Some(20_000));
    assert!(growth.database_bytes.unwrap() > 4_000_000);
    let stored = third.snapshot.as_ref().unwrap();
    assert_eq!(
        stored.deleted, 1,
        "the 40-day-old snapshot is past the retention"
    );
    assert_eq!(stored.kept, 2);
    let times = source(db.url()).snapshot_times().unwrap();
    assert_eq!(times.len(), 2);
    assert!(times[0] > now - chrono::Duration::days(30));
    // The snapshots live in drydock's own schema, out of Prisma's sight.
    let schema: String = client
        .query_one(
            "SELECT table_schema::text FROM information_schema.tables \
             WHERE table_name = '_drydock_stats_snapshots'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(schema, "_drydock");
    assert!(
        third
            .tables
            .iter()
            .all(|t| t.schema.as_deref() != Some("_drydock"))
    );
}

#[test]
fn a_quiet_clean_database_gives_no_findings() {
    let db = TestDb::postgres_stats();
    db.postgres_client()
        .batch_execute(
            "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL);
             INSERT INTO customer SELECT n, 'c' || n FROM generate_series(1, 100) AS n;",
        )
        .unwrap();
    let report = run(&db, &StatsOptions::default());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.lock_waits.is_empty());
    let connections = report.connections.as_ref().unwrap();
    assert!(connections.total >= 1 && connections.max == Some(100));
    assert!(report.tables.iter().any(|t| t.name == "customer"));
    assert!(report.size_bytes.unwrap() > 0);
}

/// Push this session's statistics to the server now (PostgreSQL 15 and later flush them at most
/// once a second otherwise), then wait until the table's dead rows reach `dead`, 30 s at most.
fn flush_until_dead(client: &mut postgres::Client, table: &str, dead: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        client
            .batch_execute("SELECT pg_stat_force_next_flush()")
            .unwrap();
        let counted: i64 = client
            .query_one(
                "SELECT coalesce(max(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relname = $1",
                &[&table],
            )
            .unwrap()
            .get(0);
        if counted >= dead || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn dead_rows_autovacuum_left_are_found_and_a_clean_table_gives_nothing() {
    let db = TestDb::postgres_stats();
    let mut client = db.postgres_client();
    // Autovacuum is off for both tables, so the dead rows stay until the test vacuums. The
    // statistics begin now, so however long the server has run, D6309 has nothing to say.
    client
        .batch_execute(
            "SELECT pg_stat_reset();
             CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)
                 WITH (autovacuum_enabled = off);
             CREATE TABLE tidy (id int PRIMARY KEY, amount int NOT NULL)
                 WITH (autovacuum_enabled = off);
             INSERT INTO ledger SELECT n, n FROM generate_series(1, 10000) AS n;
             INSERT INTO tidy SELECT n, n FROM generate_series(1, 10000) AS n;
             UPDATE ledger SET amount = amount + 1 WHERE id <= 2500;
             DELETE FROM ledger WHERE id > 8000;",
        )
        .unwrap();
    // 2,500 updated and 2,000 deleted: 4,500 dead rows beside 8,000 live ones (56 %).
    flush_until_dead(&mut client, "ledger", 4_500);
    let report = run(&db, &StatsOptions::default());
    let found: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.objects[0].name.as_str()))
        .collect();
    assert_eq!(
        found,
        [("D6308", "public.ledger")],
        "{:#?}",
        report.findings
    );
    let finding = &report.findings[0];
    assert_eq!(finding.severity, drydock_maintenance::Severity::Warning);
    assert!(finding.title.contains("4500 dead rows"), "{finding:?}");
    assert!(
        finding.detail.as_deref() == Some("last vacuum: never"),
        "{finding:?}"
    );
    let ledger = report.tables.iter().find(|t| t.name == "ledger").unwrap();
    assert_eq!((ledger.rows, ledger.dead_rows), (Some(8_000), Some(4_500)));

    // Vacuumed, the table is clean again and nothing is found.
    client.batch_execute("VACUUM ledger").unwrap();
    let report = until(db.url(), &StatsOptions::default(), |r| {
        r.findings.is_empty()
    });
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn a_table_whose_vacuum_is_stale_is_found_beside_one_never_vacuumed() {
    let db = TestDb::postgres_stats();
    let mut client = db.postgres_client();
    // The database's statistics begin now, whatever the server's age. Autovacuum off: the
    // tables keep their dead rows, 2,000 beside 18,000 live ones (11 %, under D6308's share).
    // `swept` is vacuumed before its rows die, `neglected` never is.
    client
        .batch_execute(
            "SELECT pg_stat_reset();
             CREATE TABLE swept (id int PRIMARY KEY, amount int NOT NULL)
                 WITH (autovacuum_enabled = off);
             CREATE TABLE neglected (id int PRIMARY KEY, amount int NOT NULL)
                 WITH (autovacuum_enabled = off);
             INSERT INTO swept SELECT n, n FROM generate_series(1, 20000) AS n;
             INSERT INTO neglected SELECT n, n FROM generate_series(1, 20000) AS n;",
        )
        .unwrap();
    client.batch_execute("VACUUM swept").unwrap();
    client
        .batch_execute(
            "DELETE FROM swept WHERE id > 18000;
             DELETE FROM neglected WHERE id > 18000;",
        )
        .unwrap();
    flush_until_dead(&mut client, "swept", 2_000);
    flush_until_dead(&mut client, "neglected", 2_000);

    // With check_postgres's day, a vacuum of moments ago is not stale, nor is a table never
    // vacuumed in statistics that began moments ago.
    let report = run(&db, &StatsOptions::default());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let swept = report.tables.iter().find(|t| t.name == "swept").unwrap();
    let vacuumed = swept.last_vacuum.expect("swept was vacuumed");

    // A second is long enough for a test: both go stale once it has passed.
    let options = options_with(Thresholds {
        vacuum_stale: Limit::new(1.0, 3_600.0),
        ..Thresholds::default()
    });
    let report = until(db.url(), &options, |r| {
        codes(r).iter().filter(|c| **c == "D6309").count() == 2
    });
    let mut found: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.objects[0].name.as_str()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [("D6309", "public.neglected"), ("D6309", "public.swept")],
        "{:#?}",
        report.findings
    );
    let stale = |name: &str| {
        report
            .findings
            .iter()
            .find(|f| f.objects[0].name == name)
            .unwrap()
    };
    let swept = stale("public.swept");
    assert_eq!(swept.severity, drydock_maintenance::Severity::Warning);
    assert!(swept.title.contains("2000 dead rows"), "{swept:?}");
    let detail = swept.detail.as_deref().unwrap();
    assert!(
        detail.starts_with(&format!("last vacuum {}", vacuumed.to_rfc3339())),
        "{detail}"
    );
    let neglected = stale("public.neglected").detail.as_deref().unwrap();
    assert!(
        neglected.starts_with("never vacuumed since the statistics began"),
        "{neglected}"
    );
    assert!(report.statistics_since.unwrap() < vacuumed);

    // Fewer dead rows than `vacuum_stale_rows`: nothing to vacuum, nothing stale.
    let few = options_with(Thresholds {
        vacuum_stale_rows: 2_001,
        ..options.thresholds
    });
    let report = run(&db, &few);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}
