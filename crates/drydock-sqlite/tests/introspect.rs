//! Introspection of what the schema language cannot express, on a real database file: views,
//! triggers, partial and expression indexes, check constraints.

use drydock_connector::Dialect;
use drydock_schema::{
    CheckConstraint, Index, IndexColumn, IndexKind, OpaqueKind, OpaqueObject, SortOrder, View,
};
use drydock_sqlite::SqliteDialect;
use drydock_test_support::TestDb;
use drydock_test_support::schema::index;

const DDL: &str = r#"
CREATE TABLE "Product" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "price" INTEGER NOT NULL CHECK ("price" > 0),
    "deletedAt" DATETIME
);
CREATE INDEX "Product_lower_idx" ON "Product"(lower("name") DESC, "price");
CREATE INDEX "Product_live_idx" ON "Product"("name") WHERE "deletedAt" IS NULL;
CREATE VIEW "cheap_products" AS SELECT "id", "name" FROM "Product" WHERE "price" < 100;
CREATE TRIGGER "Product_touch" AFTER UPDATE ON "Product" BEGIN SELECT 1; END;
"#;

/// In creation order, which is not the order of their names.
fn expected_indexes() -> Vec<Index> {
    vec![
        Index {
            columns: vec![
                IndexColumn {
                    sort: Some(SortOrder::Desc),
                    ..IndexColumn::expression("lower(\"name\")")
                },
                IndexColumn::named("price"),
            ],
            ..index("Product_lower_idx", IndexKind::Normal, &[])
        },
        Index {
            predicate: Some("\"deletedAt\" IS NULL".to_owned()),
            ..index("Product_live_idx", IndexKind::Normal, &["name"])
        },
    ]
}

#[test]
fn reads_views_triggers_and_index_expressions() {
    let db = TestDb::sqlite();
    let mut conn = SqliteDialect.connect(db.url()).expect("connect");
    conn.execute_script(DDL).expect("DDL runs");
    let schema = conn.introspect(&[]).expect("introspect");

    assert_eq!(
        schema.views,
        vec![View {
            namespace: None,
            name: "cheap_products".to_owned(),
            definition: "CREATE VIEW \"cheap_products\" AS SELECT \"id\", \"name\" FROM \
                         \"Product\" WHERE \"price\" < 100"
                .to_owned(),
        }]
    );
    assert_eq!(
        schema.opaque,
        vec![OpaqueObject {
            kind: OpaqueKind::Trigger,
            namespace: None,
            name: "Product_touch".to_owned(),
            table: Some("Product".to_owned()),
            definition: "CREATE TRIGGER \"Product_touch\" AFTER UPDATE ON \"Product\" BEGIN \
                         SELECT 1; END"
                .to_owned(),
        }]
    );
    let product = schema.table(None, "Product").expect("Product");
    assert_eq!(
        product.checks,
        vec![CheckConstraint {
            name: "Product_price_check".to_owned(),
            expression: "CHECK (\"price\" > 0)".to_owned(),
        }]
    );
    assert_eq!(product.indexes, expected_indexes());

    // Rendering the indexes back and introspecting again gives the same definitions.
    let copy = TestDb::sqlite();
    let mut copy_conn = SqliteDialect.connect(copy.url()).expect("connect");
    copy_conn
        .execute_script(
            "CREATE TABLE \"Product\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"name\" TEXT NOT \
             NULL, \"price\" INTEGER NOT NULL, \"deletedAt\" DATETIME);",
        )
        .expect("table");
    let changes: Vec<drydock_diff::Change> = product
        .indexes
        .iter()
        .map(|index| drydock_diff::Change::CreateIndex {
            table: product.object_name(),
            index: index.clone(),
        })
        .collect();
    let script = drydock_connector::render_script(&SqliteDialect, &changes, &[]);
    copy_conn.execute_script(&script).expect("indexes render");
    let again = copy_conn.introspect(&[]).expect("introspect");
    assert_eq!(
        again.table(None, "Product").map(|t| t.indexes.clone()),
        Some(expected_indexes())
    );
}
