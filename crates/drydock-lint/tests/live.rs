//! Live facts from the test PostgreSQL server: table sizes turn index builds on small tables
//! into notes, and the server's version is read.

use drydock_connector::{Dialect, SqlGrammar};
use drydock_lint::{ConnectionFacts, Facts, Level, LintOptions, MigrationFile, lint};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;
use drydock_test_support::TestDb;

fn migration(text: &str) -> MigrationFile {
    MigrationFile {
        path: "migration.sql".to_owned(),
        text: text.to_owned(),
        migration_name: None,
    }
}

#[test]
fn an_index_is_an_error_on_a_large_table_and_a_note_on_a_small_one() {
    let db = TestDb::postgres();
    let mut client = db.postgres_client();
    // Neither table is analyzed, so the size comes from the bounded count.
    client
        .batch_execute(
            "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 50000) AS g;
             CREATE TABLE small AS SELECT g AS id FROM generate_series(1, 10) AS g;",
        )
        .expect("creating the tables");
    let mut connection = PostgresDialect.connect(db.url()).expect("connecting");
    let mut facts = ConnectionFacts::new(connection.as_mut(), SqlGrammar::PostgreSql, 10_000);
    assert!(
        facts
            .server_major_version()
            .is_some_and(|major| major >= 11)
    );

    let options = LintOptions {
        dialect: &PostgresDialect,
        max_rows: 10_000,
        deployed_by_drydock: false,
    };
    let report = lint(
        vec![migration(
            "SET lock_timeout = '2s';\nCREATE INDEX big_id ON big (id);\nCREATE INDEX small_id ON small (id);\n",
        )],
        &options,
        &mut facts,
    );
    let levels: Vec<(&str, Level)> = report
        .findings
        .iter()
        .map(|f| (f.rule.name, f.level))
        .collect();
    assert_eq!(
        levels,
        [
            ("require-concurrent-index", Level::Error),
            ("require-concurrent-index", Level::Note),
        ]
    );
    assert!(
        report.findings[1].message.contains("about 10 rows"),
        "{}",
        report.findings[1].message
    );
}

#[test]
fn analyzed_tables_use_the_planner_estimate() {
    let db = TestDb::postgres();
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 50000) AS g; ANALYZE big;",
        )
        .expect("creating the table");
    let mut connection = PostgresDialect.connect(db.url()).expect("connecting");
    let mut facts = ConnectionFacts::new(connection.as_mut(), SqlGrammar::PostgreSql, 10_000);
    let table = drydock_lint::TableName::from_sql_parts(&["big"]);
    let size = facts.table_size(&table).expect("the table's size");
    assert!(size.rows >= 40_000, "{size:?}");
    assert!(size.bytes > 0);
    assert_eq!(
        facts.table_size(&drydock_lint::TableName::from_sql_parts(&["missing"])),
        None
    );
}

#[test]
fn mysql_facts_name_the_server_and_size_tables_from_information_schema() {
    let db = TestDb::mysql();
    let mut connection = MysqlDialect.connect(db.url()).expect("connecting");
    connection
        .execute_script(
            "CREATE TABLE `Small` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));
             INSERT INTO `Small` VALUES (1), (2), (3);",
        )
        .expect("creating the table");
    let mut facts = ConnectionFacts::new(connection.as_mut(), SqlGrammar::MySql, 10_000);
    let version = facts.server_version().expect("the server's version");
    assert!(
        version.starts_with("MariaDB ") || version.starts_with("MySQL "),
        "{version}"
    );
    assert!(facts.server_major_version().is_some_and(|major| major >= 8));
    let size = facts
        .table_size(&drydock_lint::TableName::from_sql_parts(&["Small"]))
        .expect("the table's size");
    assert!(size.rows <= 10, "{size:?}");
    assert_eq!(
        facts.table_size(&drydock_lint::TableName::from_sql_parts(&["Missing"])),
        None
    );

    // The live server decides: a small table turns a copy into a note.
    let options = LintOptions {
        dialect: &MysqlDialect,
        max_rows: 10_000,
        deployed_by_drydock: true,
    };
    let report = lint(
        vec![migration(
            "ALTER TABLE `Small` MODIFY `id` BIGINT NOT NULL;\n",
        )],
        &options,
        &mut facts,
    );
    let levels: Vec<(&str, Level)> = report
        .findings
        .iter()
        .map(|f| (f.rule.name, f.level))
        .collect();
    assert_eq!(levels, [("mysql-copying-alter", Level::Note)]);
}
