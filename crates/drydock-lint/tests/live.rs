//! Live facts from the test PostgreSQL server: table sizes turn index builds on small tables
//! into notes, and the server's version is read.

use drydock_connector::{Dialect, SqlGrammar};
use drydock_lint::{
    ConnectionFacts, Facts, Level, LintOptions, MigrationFile, ServerVersion, TableName, lint,
};
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

#[test]
fn mysql_live_layout_decides_character_sets_types_and_first_fulltext_indexes() {
    let db = TestDb::mysql();
    let mut connection = MysqlDialect.connect(db.url()).expect("connecting");
    connection
        .execute_script(
            "CREATE TABLE `Post` (`id` INTEGER NOT NULL, \
               `title` VARCHAR(60) CHARACTER SET latin1 NOT NULL, \
               `code` VARCHAR(20) CHARACTER SET latin1 NULL, \
               `body` TEXT NOT NULL, `views` INT NOT NULL, \
               `touched` DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3) COMMENT 'it''s set', \
               PRIMARY KEY (`id`)) \
               DEFAULT CHARSET utf8mb4;
             CREATE TABLE `Doc` (`id` INTEGER NOT NULL, `body` TEXT NOT NULL, \
               FULLTEXT INDEX `Doc_body_idx`(`body`), PRIMARY KEY (`id`));",
        )
        .expect("creating the tables");
    let mut facts = ConnectionFacts::new(connection.as_mut(), SqlGrammar::MySql, 10_000);
    let post = TableName::from_sql_parts(&["Post"]);
    let live = facts.live_table(&post).expect("the table's layout");
    assert_eq!(live.default_charset.as_deref(), Some("utf8mb4"));
    let title = live.column("title").expect("the title column");
    assert_eq!(
        (
            title.charset.as_deref(),
            title.bytes_per_char,
            title.nullable
        ),
        (Some("latin1"), Some(1), false)
    );
    assert!(!live.has_fulltext_doc_id);
    let touched = live.column("touched").expect("the touched column");
    assert_eq!(
        (touched.on_update.as_deref(), touched.comment.as_deref()),
        (Some("CURRENT_TIMESTAMP(3)"), Some("it's set"))
    );
    let server = facts
        .server_version()
        .as_deref()
        .and_then(ServerVersion::parse)
        .expect("the server's version");
    // Only MySQL 8.0.29 and later count row versions.
    assert_eq!(
        live.row_versions.is_some(),
        server.is("MySQL") && server.at_least((8, 0, 29)),
        "{live:?}"
    );
    assert!(
        facts
            .live_table(&TableName::from_sql_parts(&["Doc"]))
            .is_some_and(|doc| doc.has_fulltext_doc_id)
    );
    assert_eq!(
        facts.live_table(&TableName::from_sql_parts(&["Missing"])),
        None
    );

    let widen = "ALTER TABLE `Post` MODIFY `title` VARCHAR(250) CHARACTER SET latin1 NOT NULL";
    let restate = "ALTER TABLE `Post` MODIFY `code` VARCHAR(20) NULL";
    let comment = "ALTER TABLE `Post` MODIFY `views` INT NOT NULL COMMENT 'page views'";
    let untouched = "ALTER TABLE `Post` MODIFY `touched` DATETIME(3) NULL";
    let options = LintOptions {
        dialect: &MysqlDialect,
        max_rows: 0,
        deployed_by_drydock: true,
    };
    let report = lint(
        vec![migration(&format!(
            "{widen};\n{restate};\n{comment};\n{untouched};\n\
             CREATE FULLTEXT INDEX `Post_body_idx` ON `Post`(`body`);\n\
             CREATE FULLTEXT INDEX `Doc_body_2_idx` ON `Doc`(`body`);\n"
        ))],
        &options,
        &mut facts,
    );
    let found: Vec<(usize, &str, &str)> = report
        .findings
        .iter()
        .filter(|f| {
            [
                "mysql-copying-alter",
                "mysql-fulltext-spatial-index",
                "mysql-modify-drops-attributes",
            ]
            .contains(&f.rule.name)
        })
        .map(|f| {
            let text = &report.files.get(f.span.file).expect("the file").text;
            let line = text[..f.span.start].matches('\n').count() + 1;
            (line, f.rule.name, f.message.as_str())
        })
        .collect();
    let lines: Vec<(usize, &str)> = found.iter().map(|(line, rule, _)| (*line, *rule)).collect();
    assert_eq!(
        lines,
        [
            (2, "mysql-copying-alter"),
            (4, "mysql-modify-drops-attributes"),
            (5, "mysql-fulltext-spatial-index"),
            (6, "mysql-fulltext-spatial-index"),
        ],
        "{found:#?}"
    );
    assert!(
        found[0]
            .2
            .contains("converting it to the table's default utf8mb4")
    );
    assert!(
        found[1]
            .2
            .contains("without `ON UPDATE CURRENT_TIMESTAMP(3)` and its comment 'it's set'"),
        "{}",
        found[1].2
    );
    assert!(found[2].2.contains("first FULLTEXT index"));
    assert!(!found[3].2.contains("first"), "{}", found[3].2);

    // The server agrees: the wider latin1 column changes in place, the restated one does not.
    drop(facts);
    connection
        .execute_script(&format!("{widen}, ALGORITHM=INPLACE, LOCK=NONE;"))
        .expect("widening a latin1 VARCHAR in place");
    let refused = connection
        .execute_script(&format!("{restate}, ALGORITHM=INPLACE, LOCK=NONE;"))
        .expect_err("converting the character set cannot run in place");
    assert!(refused.to_string().contains("ALGORITHM"), "{refused}");
}
