//! The maintenance hooks of the MySQL connection against the real MariaDB of `TEST_MYSQL_URL`:
//! health facts and row checks (`drydock check`), the cleanup SQL, the run log. Each problem is
//! seeded in a database of its own; a clean database reports nothing.

use drydock_connector::prelude::*;
use drydock_connector::{
    ArchivedColumn, CleanupSql, HealthFacts, QueryStats, RowCheck, RowCheckResult,
};
use drydock_mysql::{MysqlCleanup, MysqlConnection, MysqlRunLog};
use drydock_schema::ObjectName;
use drydock_test_support::{TestDb, connection};

fn seeded(script: &str) -> (TestDb, MysqlConnection) {
    let db = TestDb::mysql();
    let mut conn = MysqlConnection::connect(db.url()).expect("connecting to the test database");
    conn.execute_script(script).expect("seeding");
    (db, conn)
}

fn facts(script: &str) -> HealthFacts {
    let (_db, mut conn) = seeded(script);
    conn.health_facts(&[]).expect("health facts")
}

#[test]
fn a_clean_database_has_no_health_problems() {
    let facts = facts(
        "CREATE TABLE `User` (`id` INT AUTO_INCREMENT PRIMARY KEY, `email` VARCHAR(191) NOT NULL);
         CREATE TABLE `Post` (`id` INT PRIMARY KEY, `authorId` INT NOT NULL,
           `stars` INT CHECK (`stars` >= 0),
           FOREIGN KEY (`authorId`) REFERENCES `User` (`id`));
         INSERT INTO `User` (`email`) VALUES ('a@x'), ('b@x');
         INSERT INTO `Post` VALUES (1, 1, 3), (2, 2, NULL);
         ANALYZE TABLE `User`, `Post`;
         CREATE TABLE `_drydock_runs` (`id` INT);",
    );
    insta::assert_json_snapshot!(facts);
}

/// MariaDB's event scheduler is `OFF` unless the server is told otherwise: the database's
/// enabled events then never run (a disabled one is meant not to).
#[test]
fn events_do_not_run_while_the_scheduler_is_off() {
    let (_db, mut conn) = seeded(
        "CREATE TABLE `Log` (`id` INT PRIMARY KEY, `at` DATETIME NOT NULL);
         CREATE EVENT `purge_log` ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00'
           DO DELETE FROM `Log` WHERE `at` < NOW() - INTERVAL 30 DAY;
         CREATE EVENT `paused` ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE
           DO DELETE FROM `Log`;",
    );
    let scheduler = conn
        .query_texts("SELECT CAST(@@GLOBAL.event_scheduler AS CHAR)")
        .expect("the scheduler's state");
    let facts = conn.health_facts(&[]).expect("health facts");
    let stopped: Vec<String> = facts
        .stopped_scheduled_jobs
        .expect("events are read")
        .into_iter()
        .map(|job| job.name)
        .collect();
    if scheduler.first().cloned().flatten().as_deref() == Some("ON") {
        assert!(stopped.is_empty(), "{stopped:?}");
    } else {
        assert_eq!(stopped, ["purge_log"]);
    }
}

#[test]
fn tables_without_a_primary_key_are_found() {
    let facts = facts(
        "CREATE TABLE `Log` (`line` TEXT);
         CREATE TABLE `Tag` (`name` VARCHAR(20) NOT NULL, UNIQUE KEY (`name`));
         CREATE TABLE `Loose` (`name` VARCHAR(20), UNIQUE KEY (`name`));
         CREATE TABLE `Kept` (`id` INT PRIMARY KEY);",
    );
    insta::assert_json_snapshot!(facts.tables_without_primary_key);
}

#[test]
fn an_auto_increment_near_its_type_maximum_is_a_sequence_near_its_end() {
    // 121 of TINYINT's 127: 95 %.
    let facts = facts(
        "CREATE TABLE `Small` (`id` TINYINT AUTO_INCREMENT PRIMARY KEY, `v` INT);
         INSERT INTO `Small` (`id`, `v`) VALUES (121, 1);
         CREATE TABLE `Wide` (`id` BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY);
         INSERT INTO `Wide` VALUES (NULL);
         CREATE TABLE `Unused` (`id` SMALLINT UNSIGNED AUTO_INCREMENT PRIMARY KEY);
         CREATE SEQUENCE `ticket` MAXVALUE 100 NOCACHE;
         DO NEXTVAL(`ticket`); DO NEXTVAL(`ticket`);
         CREATE SEQUENCE `fresh` MAXVALUE 100;
         CREATE SEQUENCE `round` MAXVALUE 10 CYCLE NOCACHE;
         DO NEXTVAL(`round`);",
    );
    let sequences = facts.sequences.expect("sequences");
    insta::assert_json_snapshot!(sequences);
    let small = &sequences[0];
    assert!((small.percent_used() - 95.27).abs() < 0.01, "{small:?}");
}

#[test]
fn rows_loaded_without_foreign_key_checks_are_found() {
    let facts = facts(
        "CREATE TABLE `User` (`id` INT PRIMARY KEY);
         CREATE TABLE `Team` (`org` INT, `num` INT, PRIMARY KEY (`org`, `num`));
         CREATE TABLE `Post` (`id` INT PRIMARY KEY, `authorId` INT,
           `org` INT, `team` INT,
           CONSTRAINT `Post_author` FOREIGN KEY (`authorId`) REFERENCES `User` (`id`),
           CONSTRAINT `Post_team` FOREIGN KEY (`org`, `team`) REFERENCES `Team` (`org`, `num`));
         INSERT INTO `User` VALUES (1);
         INSERT INTO `Team` VALUES (1, 1);
         SET FOREIGN_KEY_CHECKS = 0;
         INSERT INTO `Post` VALUES (1, 1, 1, 1), (2, 7, 1, 2), (3, 8, NULL, 5), (4, NULL, 2, 1),
           (5, 7, NULL, NULL);
         SET FOREIGN_KEY_CHECKS = 1;",
    );
    insta::assert_json_snapshot!(facts.foreign_key_violations);
}

#[test]
fn rows_breaking_a_check_constraint_are_integrity_problems() {
    let facts = facts(
        "CREATE TABLE `Item` (`id` INT PRIMARY KEY, `qty` INT,
           CONSTRAINT `qty_positive` CHECK (`qty` > 0));
         SET check_constraint_checks = 0;
         INSERT INTO `Item` VALUES (1, 5), (2, -1), (3, 0), (4, NULL);
         SET check_constraint_checks = 1;",
    );
    insta::assert_json_snapshot!(facts.integrity_problems);
}

const ROWS: &str = "CREATE TABLE `User` (`id` INT PRIMARY KEY, `email` VARCHAR(50),
    `role` VARCHAR(20), `name` TEXT, `age` INT);
  INSERT INTO `User` VALUES
    (1, 'a@x', 'admin', 'Ann', 30),
    (2, 'a@x', 'user', NULL, 17),
    (3, 'b@x', 'o''wner', 'Bob', 40),
    (4, 'b@x', NULL, 'a much longer name', 12),
    (5, NULL, 'user', 'Eve', 50),
    (6, 'c@x', 'guest\\\\', 'Zed', NULL);";

#[test]
fn row_checks_count_and_sample_the_rows_in_mysql_sql() {
    let (_db, mut conn) = seeded(ROWS);
    let table = ObjectName::new(None, "User");
    let key = ["id".to_owned()];
    let email = ["email".to_owned()];
    // `guest\` is in the set: a backslash is no escape in the comparison.
    let values = ["admin".to_owned(), "user".to_owned(), "guest\\".to_owned()];
    let mut ask = |check: RowCheck<'_>| -> RowCheckResult { conn.check_rows(&check).unwrap() };
    let results = [
        ask(RowCheck::Null {
            table: &table,
            column: "name",
            key: &key,
        }),
        ask(RowCheck::Duplicates {
            table: &table,
            columns: &email,
        }),
        ask(RowCheck::OutsideSet {
            table: &table,
            column: "role",
            values: &values,
            key: &key,
        }),
        ask(RowCheck::TooLong {
            table: &table,
            column: "name",
            max: 5,
            key: &key,
        }),
        ask(RowCheck::Predicate {
            table: &table,
            predicate: "`age` < 18",
            key: &key,
        }),
        ask(RowCheck::Duplicates {
            table: &table,
            columns: &["email".to_owned(), "role".to_owned()],
        }),
    ];
    insta::assert_debug_snapshot!(results);
}

#[test]
fn a_clean_table_passes_every_row_check() {
    let (_db, mut conn) = seeded(
        "CREATE TABLE `User` (`id` INT PRIMARY KEY, `email` VARCHAR(50), `role` VARCHAR(20));
         INSERT INTO `User` VALUES (1, 'a@x', 'admin'), (2, 'b@x', 'user');",
    );
    let table = ObjectName::new(None, "User");
    let key = ["id".to_owned()];
    let values = ["admin".to_owned(), "user".to_owned()];
    for check in [
        RowCheck::Null {
            table: &table,
            column: "email",
            key: &key,
        },
        RowCheck::Duplicates {
            table: &table,
            columns: &["email".to_owned()],
        },
        RowCheck::OutsideSet {
            table: &table,
            column: "role",
            values: &values,
            key: &key,
        },
        RowCheck::TooLong {
            table: &table,
            column: "email",
            max: 3,
            key: &key,
        },
    ] {
        let result = conn.check_rows(&check).unwrap();
        assert_eq!(result.count, 0, "{check:?}: {result:?}");
        assert!(result.samples.is_empty());
    }
}

#[test]
fn archived_rows_round_trip_through_json() {
    let (_db, mut conn) = seeded(
        "CREATE TABLE `Blob` (`id` INT PRIMARY KEY, `na me` VARCHAR(20), `data` VARBINARY(8),
           `at` DATETIME(3), `flag` TINYINT(1));
         CREATE TABLE `Copy` LIKE `Blob`;
         INSERT INTO `Blob` VALUES (1, 'it''s \\\\ \"q\"', x'00ff10', '2025-01-02 03:04:05.678', 1),
           (2, NULL, NULL, NULL, 0);",
    );
    let sql = MysqlCleanup;
    let columns: Vec<ArchivedColumn> = [
        ("id", false),
        ("na me", false),
        ("data", true),
        ("at", false),
        ("flag", false),
    ]
    .into_iter()
    .map(|(name, hex)| ArchivedColumn {
        name: name.to_owned(),
        hex,
    })
    .collect();
    let rows = conn
        .query_texts(&format!(
            "SELECT {} FROM `Blob` AS b ORDER BY b.`id`{}",
            sql.row_json("b", false, &columns),
            sql.lock_rows()
        ))
        .unwrap();
    let rows: Vec<String> = rows.into_iter().flatten().collect();
    insta::assert_snapshot!(rows.join("\n"));
    let array = format!("[{}]", rows.join(","));
    let inserted = conn
        .execute_counted(&sql.insert_json_rows("`Copy`", &columns, &sql.literal(&array)))
        .unwrap();
    assert_eq!(inserted, 2);
    let same = conn
        .query_texts(
            "SELECT count(*) FROM `Blob` b JOIN `Copy` c ON c.`id` = b.`id` \
             AND c.`na me` <=> b.`na me` AND c.`data` <=> b.`data` AND c.`at` <=> b.`at` \
             AND c.`flag` <=> b.`flag`",
        )
        .unwrap();
    assert_eq!(same, [Some("2".to_owned())]);
    conn.execute_script(sql.relax_references().unwrap())
        .unwrap();
}

#[test]
fn audit_log_appends_never_fork_the_chain() {
    connection::audit_log_contract(&drydock_mysql::MysqlDialect, &TestDb::mysql());
}

#[test]
fn a_scheduled_time_is_claimed_once() {
    connection::schedule_claims_contract(&drydock_mysql::MysqlDialect, &TestDb::mysql());
}

#[test]
fn the_run_log_round_trips() {
    let db = TestDb::mysql();
    connection::run_log_round_trip_on(
        Box::new(MysqlRunLog::open(db.url()).unwrap()),
        Box::new(MysqlConnection::connect(db.url()).unwrap()),
    );
}

#[test]
fn index_facts_read_keys_sizes_and_foreign_keys() {
    let (_db, mut conn) = seeded(
        "CREATE TABLE `User` (`id` INT PRIMARY KEY, `email` VARCHAR(100) NOT NULL,
           `name` VARCHAR(100), `bio` TEXT,
           UNIQUE KEY `User_email_key` (`email`),
           KEY `User_name_email_idx` (`name` DESC, `email`),
           KEY `User_name_idx` (`name`),
           KEY `User_bio_idx` (`bio`(20)),
           FULLTEXT KEY `User_bio_text` (`bio`));
         CREATE TABLE `Post` (`id` INT PRIMARY KEY, `authorId` INT NOT NULL,
           CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User` (`id`));
         CREATE TABLE `_drydock_runs` (`id` INT PRIMARY KEY);",
    );
    let request = drydock_connector::IndexFactsRequest {
        namespaces: Vec::new(),
        slow_query_ms: 100.0,
        slow_query_calls: 10,
    };
    let mut facts = conn.index_facts(&request).expect("index facts");
    // Reads and statements are counted where the server runs performance_schema, and said so
    // elsewhere.
    let counted = conn.query_texts("SELECT @@performance_schema").unwrap() == [Some("1".into())];
    match &facts.query_stats {
        QueryStats::Unavailable { reason } => assert!(
            !counted && reason.contains("performance_schema is off"),
            "{reason}"
        ),
        QueryStats::Available {
            hypothetical_indexes,
        } => assert!(counted && !hypothetical_indexes),
    }
    assert_eq!(facts.stats_since.is_some(), counted);
    // Sizes are the server's pages, and reads its own: known, not fixed.
    for index in &mut facts.indexes {
        if index.method == "btree" {
            assert!(index.size_bytes.is_some_and(|n| n > 0), "{index:?}");
        }
        assert_eq!(index.scans.is_some(), counted, "{index:?}");
        index.size_bytes = None;
        index.scans = None;
    }
    insta::assert_json_snapshot!((facts.indexes, facts.foreign_keys));
}

#[test]
fn statistics_left_behind_by_a_bulk_load_are_stale_until_analyzed() {
    // Without automatic recalculation the optimizer keeps the empty table's estimate.
    let (_db, mut conn) = seeded(
        "CREATE TABLE `Event` (`id` INT PRIMARY KEY) STATS_AUTO_RECALC = 0;
         INSERT INTO `Event` SELECT seq FROM seq_1_to_2000;
         CREATE TABLE `Quiet` (`id` INT PRIMARY KEY);",
    );
    let statistics = conn
        .health_facts(&[])
        .unwrap()
        .statistics
        .expect("statistics");
    insta::assert_json_snapshot!(statistics);
    conn.execute_script("ANALYZE TABLE `Event`;").unwrap();
    let statistics = conn
        .health_facts(&[])
        .unwrap()
        .statistics
        .expect("statistics");
    assert_eq!(statistics[0].modified_since_analyze, 0, "{statistics:?}");
    assert_eq!(statistics[0].estimated_rows, 2000.0, "{statistics:?}");
}

#[test]
fn stats_read_sizes_and_sessions_and_keep_snapshots_out_of_sight() {
    use chrono::{TimeZone, Utc};
    use drydock_connector::{StatsRequest, StatsSource, StoredSnapshot};
    use drydock_mysql::MysqlStats;

    let (db, mut other) = seeded(
        "CREATE TABLE `Big` (`id` INT PRIMARY KEY, `v` VARCHAR(100), KEY `Big_v_idx` (`v`));
         INSERT INTO `Big` SELECT seq, REPEAT('x', 100) FROM seq_1_to_2000;
         ANALYZE TABLE `Big`;
         CREATE TABLE `Small` (`id` INT PRIMARY KEY);",
    );
    // Another session sits in an open transaction.
    other
        .execute_script("START TRANSACTION; INSERT INTO `Small` VALUES (1);")
        .unwrap();
    let mut stats = MysqlStats::open(db.url()).unwrap();
    let facts = stats.collect(&StatsRequest { top_queries: 5 }).unwrap();
    assert_eq!(facts.database, db.name());
    assert!(facts.server.starts_with("MariaDB") || facts.server.starts_with("MySQL"));
    assert!(facts.size_bytes.is_some_and(|n| n > 0));
    assert!(facts.max_connections.is_some_and(|n| n > 0));
    let names: Vec<&str> = facts.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Big", "Small"], "the largest first");
    assert!(
        facts.tables[0].last_analyze.is_some(),
        "{:?}",
        facts.tables[0]
    );
    assert!(facts.tables[0].table_bytes > 0);
    assert!(
        facts
            .indexes
            .iter()
            .any(|i| i.name == "Big_v_idx" && i.bytes > 0),
        "{:?}",
        facts.indexes
    );
    let idle: Vec<_> = facts
        .sessions
        .iter()
        .filter(|s| s.state.as_deref() == Some("idle in transaction"))
        .collect();
    assert_eq!(idle.len(), 1, "{:?}", facts.sessions);
    assert!(idle[0].transaction_seconds.is_some());
    assert!(
        facts
            .connections
            .iter()
            .any(|c| c.state == "idle in transaction" && c.count >= 1)
    );
    other.execute_script("ROLLBACK;").unwrap();

    assert!(stats.snapshot_times().unwrap().is_empty());
    let at = |minute: u32| Utc.with_ymd_and_hms(2025, 1, 2, 3, minute, 5).unwrap();
    for minute in [0, 10, 20] {
        let snapshot = StoredSnapshot {
            taken_at: at(minute),
            body: format!("{{\"minute\": {minute}, \"text\": \"it's \\\\ here\"}}"),
        };
        // The last one is stored with a retention that drops the first.
        let before = (minute == 20).then(|| at(5));
        let deleted = stats.store_snapshot(&snapshot, before).unwrap();
        assert_eq!(deleted, u64::from(minute == 20));
    }
    assert_eq!(stats.snapshot_times().unwrap(), [at(10), at(20)]);
    let found = stats.snapshot_since(at(11)).unwrap().expect("a snapshot");
    assert_eq!(found.taken_at, at(20));
    assert_eq!(found.body, "{\"minute\": 20, \"text\": \"it's \\\\ here\"}");
    assert!(stats.snapshot_since(at(21)).unwrap().is_none());
    assert!(
        !connection::table_names(&mut other)
            .iter()
            .any(|name| name == drydock_connector::STATS_SNAPSHOT_TABLE)
    );
}
