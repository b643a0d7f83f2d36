//! A table rebuild on a real SQLite database keeps the table's hand-written CHECK constraints,
//! its triggers, the views on it and its rows, and its down migration keeps them too.

use drydock_connector::{Connection, Dialect, render_script};
use drydock_schema::{SqlSchema, TypeFamily};
use drydock_sqlite::SqliteDialect;
use drydock_test_support::TestDb;

const TABLE: &str = "CREATE TABLE \"Item\" (\n\
    \"id\" INTEGER NOT NULL PRIMARY KEY,\n\
    \"price\" INTEGER NOT NULL CHECK (\"price\" >= 0),\n\
    \"note\" TEXT,\n\
    \"legacy\" TEXT CHECK (\"legacy\" <> ''),\n\
    CONSTRAINT \"name_not_empty\" CHECK (length(\"note\") > 0)\n\
);\n\
INSERT INTO \"Item\" (\"id\", \"price\", \"note\", \"legacy\") VALUES (1, 10, 'a', 'x'), (2, 0, 'b', NULL);";

fn migrate(connection: &mut dyn Connection, from: &SqlSchema, to: &SqlSchema) -> String {
    let diff = drydock_diff::diff(from, to, SqliteDialect.diff_hooks());
    let script = render_script(&SqliteDialect, &diff.changes, &diff.warnings);
    connection
        .execute_script(&script)
        .unwrap_or_else(|e| panic!("{script}\n{e}"));
    script
}

fn rows(connection: &mut dyn Connection) -> Vec<Option<String>> {
    connection
        .query_texts(
            "SELECT \"id\" || ':' || \"price\" || ':' || \"note\" FROM \"Item\" ORDER BY \"id\"",
        )
        .expect("rows")
}

#[test]
fn a_rebuilt_table_keeps_its_checks_and_rows() {
    let db = TestDb::sqlite();
    let mut connection = SqliteDialect.connect(db.url()).expect("connect");
    connection.execute_script(TABLE).expect("table");
    let before = connection.introspect(&[]).expect("introspect");
    let checks = |schema: &SqlSchema| schema.tables[0].checks.clone();
    assert_eq!(checks(&before).len(), 3, "{:?}", checks(&before));

    // As a schema declares it: no checks; `price` becomes a REAL and `legacy` goes.
    let mut target = before.clone();
    target.tables[0].checks.clear();
    target.tables[0].columns.retain(|c| c.name != "legacy");
    let price = target.tables[0]
        .columns
        .iter_mut()
        .find(|c| c.name == "price")
        .expect("price");
    price.column_type.native = "REAL".to_owned();
    price.column_type.family = TypeFamily::Float;

    let up = migrate(connection.as_mut(), &before, &target);
    assert!(up.contains("CREATE TABLE \"new_Item\""), "a rebuild: {up}");
    let after = connection.introspect(&[]).expect("introspect");
    let kept: Vec<String> = checks(&after).into_iter().map(|c| c.name).collect();
    // The check on the dropped column goes with it.
    assert_eq!(kept, ["Item_price_check", "name_not_empty"]);
    assert_eq!(
        after.tables[0]
            .column("price")
            .map(|c| c.column_type.native.as_str()),
        Some("REAL")
    );
    assert_eq!(
        rows(connection.as_mut()),
        [Some("1:10.0:a".to_owned()), Some("2:0.0:b".to_owned())]
    );
    let refused = connection
        .execute_script("INSERT INTO \"Item\" (\"id\", \"price\", \"note\") VALUES (3, -1, 'c')");
    assert!(refused.is_err(), "the price check still holds");

    // The down migration rebuilds it again, with the column and all its checks back.
    let down = migrate(connection.as_mut(), &after, &before);
    assert!(
        down.contains("CREATE TABLE \"new_Item\""),
        "a rebuild: {down}"
    );
    let restored = connection.introspect(&[]).expect("introspect");
    assert_eq!(checks(&restored), checks(&before));
    assert!(restored.tables[0].column("legacy").is_some());
    assert_eq!(
        rows(connection.as_mut()),
        [Some("1:10:a".to_owned()), Some("2:0:b".to_owned())]
    );
}

const WITH_HAND_MADE: &str = "CREATE TABLE \"Item\" (\n\
    \"id\" INTEGER NOT NULL PRIMARY KEY,\n\
    \"price\" INTEGER NOT NULL\n\
);\n\
CREATE TABLE \"Log\" (\"message\" TEXT NOT NULL);\n\
CREATE TRIGGER \"item_audit\" AFTER INSERT ON \"Item\"\n\
BEGIN\n  INSERT INTO \"Log\" VALUES ('item ' || NEW.\"id\");\nEND;\n\
CREATE TRIGGER log_counts AFTER INSERT ON \"Log\" BEGIN SELECT count(*) FROM \"Item\"; END;\n\
CREATE VIEW \"Cheap\" AS SELECT \"id\" FROM \"Item\" WHERE \"price\" < 5;\n\
INSERT INTO \"Item\" VALUES (1, 3), (2, 30);";

fn hand_made(schema: &SqlSchema) -> Vec<(String, String)> {
    let mut objects: Vec<(String, String)> = schema
        .opaque
        .iter()
        .map(|o| (o.name.clone(), o.definition.clone()))
        .chain(
            schema
                .views
                .iter()
                .map(|v| (v.name.clone(), v.definition.clone())),
        )
        .collect();
    objects.sort();
    objects
}

#[test]
fn a_rebuilt_table_keeps_its_triggers_and_the_views_on_it() {
    let db = TestDb::sqlite();
    let mut connection = SqliteDialect.connect(db.url()).expect("connect");
    connection.execute_script(WITH_HAND_MADE).expect("tables");
    let before = connection.introspect(&[]).expect("introspect");
    assert_eq!(hand_made(&before).len(), 3);

    // As a schema declares it: no views or triggers; `price` becomes a REAL.
    let mut target = before.clone();
    target.views.clear();
    target.opaque.clear();
    let item = target
        .tables
        .iter_mut()
        .find(|t| t.name == "Item")
        .expect("Item");
    let price = item
        .columns
        .iter_mut()
        .find(|c| c.name == "price")
        .expect("price");
    price.column_type.native = "REAL".to_owned();
    price.column_type.family = TypeFamily::Float;

    let up = migrate(connection.as_mut(), &before, &target);
    assert!(up.contains("CREATE TABLE \"new_Item\""), "a rebuild: {up}");
    let after = connection.introspect(&[]).expect("introspect");
    assert_eq!(hand_made(&after), hand_made(&before), "{up}");
    assert_eq!(
        connection
            .query_texts("SELECT group_concat(\"id\") FROM \"Cheap\"")
            .expect("the view works"),
        [Some("1".to_owned())]
    );
    connection
        .execute_script("INSERT INTO \"Item\" VALUES (3, 1.5)")
        .expect("insert");
    assert_eq!(
        connection
            .query_texts("SELECT group_concat(\"message\") FROM \"Log\"")
            .expect("the trigger fired"),
        [Some("item 1,item 2,item 3".to_owned())]
    );

    // The down migration, from what the migration left, keeps them too.
    let applied = drydock_diff::applied_schema(&before, &target);
    let down = migrate(connection.as_mut(), &applied, &before);
    assert!(
        down.contains("CREATE TABLE \"new_Item\""),
        "a rebuild: {down}"
    );
    let restored = connection.introspect(&[]).expect("introspect");
    assert_eq!(hand_made(&restored), hand_made(&before), "{down}");
    connection
        .execute_script("INSERT INTO \"Item\" VALUES (4, 2)")
        .expect("insert");
    assert_eq!(
        connection
            .query_texts("SELECT count(*) FROM \"Log\"")
            .expect("log"),
        [Some("4".to_owned())]
    );
}

/// A table with a trigger that names it in its `ON` clause and body, and in a literal.
const WITH_TRIGGER: &str = "CREATE TABLE \"Post\" (\n\
    \"id\" INTEGER NOT NULL PRIMARY KEY,\n\
    \"score\" INTEGER NOT NULL,\n\
    \"title\" TEXT\n\
);\n\
CREATE TABLE \"Log\" (\"message\" TEXT);\n\
CREATE TRIGGER \"post_titled\" AFTER INSERT ON Post\n\
BEGIN\n\
  UPDATE [post] SET \"title\" = upper(new.\"title\") WHERE \"Post\".\"id\" = new.\"id\";\n\
  INSERT INTO \"Log\" VALUES ('Post ' || new.\"id\"); -- on Post\n\
END;";

#[test]
fn a_table_renamed_and_rebuilt_keeps_its_triggers_under_its_new_name() {
    let db = TestDb::sqlite();
    let mut connection = SqliteDialect.connect(db.url()).expect("connect");
    connection.execute_script(WITH_TRIGGER).expect("tables");
    let before = connection.introspect(&[]).expect("introspect");

    // `Post` becomes `Article`, and its `score` a REAL: a rename, then a rebuild.
    let mut target = before.clone();
    target.opaque.clear();
    let article = target
        .tables
        .iter_mut()
        .find(|t| t.name == "Post")
        .expect("Post");
    article.name = "Article".to_owned();
    article.renamed_from = Some("Post".to_owned());
    let score = article
        .columns
        .iter_mut()
        .find(|c| c.name == "score")
        .expect("score");
    score.column_type.native = "REAL".to_owned();
    score.column_type.family = TypeFamily::Float;

    let up = migrate(connection.as_mut(), &before, &target);
    assert!(
        up.contains("CREATE TABLE \"new_Article\""),
        "a rebuild: {up}"
    );
    assert_eq!(
        connection
            .query_texts(
                "SELECT name || ' ON ' || tbl_name FROM sqlite_master WHERE type = 'trigger'"
            )
            .expect("triggers"),
        [Some("post_titled ON Article".to_owned())],
        "{up}"
    );
    connection
        .execute_script("INSERT INTO \"Article\" VALUES (1, 1.5, 'hello')")
        .expect("insert");
    assert_eq!(
        connection
            .query_texts("SELECT \"title\" FROM \"Article\"")
            .expect("title"),
        [Some("HELLO".to_owned())],
        "the trigger updated the renamed table: {up}"
    );
    assert_eq!(
        connection
            .query_texts("SELECT \"message\" FROM \"Log\"")
            .expect("log"),
        [Some("Post 1".to_owned())],
        "the literal stays as written: {up}"
    );
}

/// A table whose trigger names its columns after `NEW.`, `OLD.`, the table's name, in its
/// `UPDATE OF` list and bare in a statement writing it, and a column of another table by the
/// same name.
const WITH_COLUMN_TRIGGER: &str = "CREATE TABLE \"Post\" (\n\
    \"id\" INTEGER NOT NULL PRIMARY KEY,\n\
    \"score\" INTEGER NOT NULL,\n\
    \"title\" TEXT\n\
);\n\
CREATE TABLE \"Log\" (\"title\" TEXT);\n\
CREATE TRIGGER \"post_rescored\" AFTER UPDATE OF \"score\" ON \"Post\"\n\
BEGIN\n\
  UPDATE \"Post\" SET title = 'scored ' || NEW.\"score\" WHERE \"Post\".id = OLD.id AND score > 0;\n\
  INSERT INTO \"Log\" (\"title\") VALUES (new.title || ' ' || old.score); -- score\n\
END;\n\
INSERT INTO \"Post\" VALUES (1, 1, 'hello');";

#[test]
fn a_table_renamed_and_rebuilt_with_renamed_columns_keeps_working_triggers() {
    let db = TestDb::sqlite();
    let mut connection = SqliteDialect.connect(db.url()).expect("connect");
    connection
        .execute_script(WITH_COLUMN_TRIGGER)
        .expect("tables");
    let before = connection.introspect(&[]).expect("introspect");

    // `Post` becomes `Article`, `score` becomes `points` (a REAL) and `title` `heading`: a
    // rename, then a rebuild copying the renamed columns.
    let mut target = before.clone();
    target.opaque.clear();
    let article = target
        .tables
        .iter_mut()
        .find(|t| t.name == "Post")
        .expect("Post");
    article.name = "Article".to_owned();
    article.renamed_from = Some("Post".to_owned());
    for column in &mut article.columns {
        let renamed = match column.name.as_str() {
            "score" => "points",
            "title" => "heading",
            _ => continue,
        };
        column.renamed_from = Some(column.name.clone());
        column.name = renamed.to_owned();
    }
    let points = article
        .columns
        .iter_mut()
        .find(|c| c.name == "points")
        .expect("points");
    points.column_type.native = "REAL".to_owned();
    points.column_type.family = TypeFamily::Float;

    let up = migrate(connection.as_mut(), &before, &target);
    assert!(
        up.contains("CREATE TABLE \"new_Article\""),
        "a rebuild: {up}"
    );
    connection
        .execute_script("UPDATE \"Article\" SET \"points\" = 2 WHERE \"id\" = 1")
        .unwrap_or_else(|e| panic!("the trigger fires: {e}\n{up}"));
    assert_eq!(
        connection
            .query_texts("SELECT \"heading\" FROM \"Article\"")
            .expect("heading"),
        [Some("scored 2.0".to_owned())],
        "the trigger updated the renamed column: {up}"
    );
    assert_eq!(
        connection
            .query_texts("SELECT \"title\" FROM \"Log\"")
            .expect("log"),
        [Some("hello 1.0".to_owned())],
        "the row's columns by their new names, the other table's by its own: {up}"
    );
    let trigger = connection
        .query_texts("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
        .expect("trigger");
    assert!(
        trigger[0]
            .as_deref()
            .is_some_and(|sql| sql.contains("-- score")),
        "comments stay as written: {trigger:?}"
    );
}
