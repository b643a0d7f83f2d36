//! `drydock indexes` on a MariaDB that runs `performance_schema` (`TEST_MYSQL_PERF_URL`, started
//! by `scripts/with-databases.sh`): index reads counted per index since the server started, so an
//! index no statement read is unused (D6201) and one a statement read is not.

use drydock_connector::{Connection, Dialect, IndexFactsRequest};
use drydock_maintenance::indexes::{Thresholds, UNUSED_INDEX, analyze};
use drydock_mysql::MysqlDialect;
use drydock_test_support::TestDb;

fn request() -> IndexFactsRequest {
    IndexFactsRequest {
        namespaces: Vec::new(),
        slow_query_ms: 0.0,
        slow_query_calls: 1,
    }
}

/// Every finding of `conn`'s database with `code`, as the index it names.
fn reported(conn: &mut dyn Connection, code: &str) -> Vec<String> {
    let facts = conn.index_facts(&request()).expect("index facts");
    let thresholds = Thresholds {
        min_unused_bytes: 0,
        ..Thresholds::default()
    };
    analyze(&facts, &[], &thresholds)
        .into_iter()
        .filter(|advice| advice.finding.code == code)
        .flat_map(|advice| advice.finding.objects)
        .filter(|object| object.kind == "index")
        .map(|object| object.name)
        .collect()
}

#[test]
fn an_index_no_statement_read_is_unused_and_one_a_statement_read_is_not() {
    let db = TestDb::mysql_perf();
    let mut conn = MysqlDialect.connect(db.url()).expect("connect");
    conn.execute_script(
        "CREATE TABLE `Member` (`id` INT PRIMARY KEY, `email` VARCHAR(100) NOT NULL,
           `city` VARCHAR(40) NOT NULL, `score` INT NOT NULL,
           KEY `Member_email_idx` (`email`), KEY `Member_city_idx` (`city`),
           UNIQUE KEY `Member_score_key` (`id`, `score`));
         INSERT INTO `Member` SELECT seq, CONCAT('member', seq, '@example.com'),
           CONCAT('city ', seq % 40), seq % 1000 FROM seq_1_to_2000;
         ANALYZE TABLE `Member`;",
    )
    .expect("seeding");
    let on = conn
        .query_texts("SELECT @@performance_schema")
        .expect("performance_schema");
    assert_eq!(
        on,
        [Some("1".to_owned())],
        "TEST_MYSQL_PERF_URL names a server without performance_schema"
    );
    for n in [7, 99, 1234] {
        let found = conn
            .query_texts(&format!(
                "SELECT `id` FROM `Member` WHERE `email` = 'member{n}@example.com'"
            ))
            .expect("a lookup by email");
        assert_eq!(found, [Some(n.to_string())]);
    }

    let unused = reported(conn.as_mut(), UNUSED_INDEX);
    assert!(
        unused.contains(&"Member_city_idx".to_owned()),
        "the index no statement read is unused: {unused:?}"
    );
    assert!(
        !unused.contains(&"Member_email_idx".to_owned()),
        "the index the lookups read is used: {unused:?}"
    );
    // What enforces something is never reported.
    assert!(
        !unused
            .iter()
            .any(|i| i == "PRIMARY" || i == "Member_score_key"),
        "{unused:?}"
    );
}
