//! `drydock indexes` on a MariaDB that runs `performance_schema` (`TEST_MYSQL_PERF_URL`, started
//! by `scripts/with-databases.sh`): index reads counted per index since the server started, so an
//! index no statement read is unused (D6201) and one a statement read is not; statement digests
//! read for indexes that statements examining many rows call for (D6207).

use drydock_connector::{Connection, Dialect, IndexFactsRequest};
use drydock_maintenance::indexes::{
    IndexAction, SUGGESTED_INDEX, Thresholds, UNUSED_INDEX, analyze,
};
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
    let facts = conn
        .maintenance()
        .expect("maintenance facts")
        .index_facts(&request())
        .expect("index facts");
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

/// A statement that examines every row of its table for want of an index, read from the
/// statement digests, gets an index on the columns its `WHERE` compares (D6207); one an index
/// serves gets none.
#[test]
fn a_statement_that_examines_many_rows_without_an_index_gets_one_suggested() {
    let db = TestDb::mysql_perf();
    let mut conn = MysqlDialect.connect(db.url()).expect("connect");
    conn.execute_script(
        "CREATE TABLE `Visit` (`id` INT PRIMARY KEY, `page` VARCHAR(40) NOT NULL,
           `country` CHAR(2) NOT NULL, `at` INT NOT NULL, KEY `Visit_at_idx` (`at`));
         INSERT INTO `Visit` SELECT seq, CONCAT('/page/', seq % 300), ELT(1 + seq % 3, 'de',
           'fr', 'nl'), seq FROM seq_1_to_3000;
         ANALYZE TABLE `Visit`;",
    )
    .expect("seeding");
    for n in 0..5 {
        conn.query_texts(&format!(
            "SELECT COUNT(*) FROM `Visit` WHERE `page` = '/page/{n}' AND `country` = 'de'"
        ))
        .expect("a statement without an index");
        conn.query_texts(&format!("SELECT `page` FROM `Visit` WHERE `at` = {n}"))
            .expect("a statement its index serves");
    }
    let facts = conn
        .maintenance()
        .expect("maintenance facts")
        .index_facts(&request())
        .expect("index facts");
    let suggested: Vec<(String, Vec<String>)> = facts
        .suggestions
        .iter()
        .map(|s| (s.table.clone(), s.columns.clone()))
        .collect();
    assert_eq!(
        suggested,
        [(
            "Visit".to_owned(),
            vec!["page".to_owned(), "country".to_owned()]
        )],
        "{:?}",
        facts.suggestions
    );
    let suggestion = &facts.suggestions[0];
    assert_eq!(suggestion.calls, 5);
    assert!(
        suggestion.query.contains("`page` = ?"),
        "{}",
        suggestion.query
    );
    let advice = analyze(&facts, &[], &Thresholds::default());
    let found = advice
        .iter()
        .find(|a| a.finding.code == SUGGESTED_INDEX)
        .expect("a suggested index");
    assert!(
        found
            .finding
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("3000 rows examined per call without an index")),
        "{:?}",
        found.finding
    );
    assert_eq!(
        found.action,
        Some(IndexAction::Create {
            namespace: None,
            table: "Visit".to_owned(),
            columns: vec!["page".to_owned(), "country".to_owned()],
        })
    );
}

/// A join that examines many rows: the table filtered by a value gets an index on it, the
/// table looked up for each of its rows an index on the join column.
#[test]
fn a_join_gets_an_index_for_each_table_it_reads_without_one() {
    let db = TestDb::mysql_perf();
    let mut conn = MysqlDialect.connect(db.url()).expect("connect");
    conn.execute_script(
        "CREATE TABLE `Shop` (`id` INT PRIMARY KEY, `city` VARCHAR(40) NOT NULL);
         CREATE TABLE `Sale` (`id` INT PRIMARY KEY, `shopRef` INT NOT NULL, `amount` INT NOT NULL);
         INSERT INTO `Shop` SELECT seq, CONCAT('city', seq % 100) FROM seq_1_to_2000;
         INSERT INTO `Sale` SELECT seq, 1 + seq % 2000, seq % 70 FROM seq_1_to_4000;
         ANALYZE TABLE `Shop`, `Sale`;",
    )
    .expect("seeding");
    for n in 0..3 {
        conn.query_texts(&format!(
            "SELECT SUM(s.`amount`) FROM `Sale` s JOIN `Shop` p ON p.`id` = s.`shopRef` \
             WHERE p.`city` = 'city{n}'"
        ))
        .expect("a join without an index");
    }
    let facts = conn
        .maintenance()
        .expect("maintenance facts")
        .index_facts(&request())
        .expect("index facts");
    let mut suggested: Vec<(String, Vec<String>)> = facts
        .suggestions
        .iter()
        .map(|s| (s.table.clone(), s.columns.clone()))
        .collect();
    suggested.sort();
    assert_eq!(
        suggested,
        [
            ("Sale".to_owned(), vec!["shopRef".to_owned()]),
            ("Shop".to_owned(), vec!["city".to_owned()]),
        ],
        "{:?}",
        facts.suggestions
    );
}
