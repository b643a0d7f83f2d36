//! Introspection of what the schema language cannot express, on a real server: views,
//! extensions, free sequences, functions, triggers, check and exclusion constraints, comments,
//! partial, expression and `INCLUDE` indexes.

use drydock_connector::Dialect;
use drydock_postgres::PostgresDialect;
use drydock_schema::{
    CheckConstraint, Extension, Index, IndexColumn, IndexKind, OpaqueKind, Sequence, SortOrder,
};
use drydock_test_support::TestDb;
use drydock_test_support::schema::index;

const DDL: &str = r#"
CREATE EXTENSION IF NOT EXISTS citext;
CREATE SEQUENCE "invoice_numbers";
CREATE TABLE "Product" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "price" INTEGER NOT NULL,
    "deletedAt" TIMESTAMP(3),
    "during" TSRANGE,
    CONSTRAINT "Product_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "price_positive" CHECK ("price" > 0),
    CONSTRAINT "no_overlap" EXCLUDE USING gist ("during" WITH &&)
);
COMMENT ON TABLE "Product" IS 'Things we sell';
COMMENT ON COLUMN "Product"."price" IS 'In cents';
CREATE INDEX "Product_live_idx" ON "Product"("name") WHERE "deletedAt" IS NULL;
CREATE INDEX "Product_lower_idx" ON "Product"(lower("name") DESC, "price");
CREATE UNIQUE INDEX "Product_name_key" ON "Product"("name") INCLUDE ("price", "id");
CREATE VIEW "cheap_products" AS SELECT "id", "name" FROM "Product" WHERE "price" < 100;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "Product_touch" BEFORE UPDATE ON "Product" FOR EACH ROW EXECUTE FUNCTION touch();
"#;

fn require_extension(db: &TestDb, name: &str) {
    let mut client = db.postgres_client();
    let available = client
        .query_opt(
            "SELECT 1 FROM pg_available_extensions WHERE name = $1",
            &[&name],
        )
        .expect("querying pg_available_extensions");
    assert!(
        available.is_some(),
        "the PostgreSQL server has no `{name}` extension to install; install its contrib package"
    );
}

#[test]
fn reads_objects_the_schema_language_cannot_express() {
    let db = TestDb::postgres();
    require_extension(&db, "citext");
    let mut conn = PostgresDialect.connect(db.url()).expect("connect");
    conn.execute_script(DDL).expect("DDL runs");
    let schema = conn.introspect(&[]).expect("introspect");

    let extensions: Vec<&Extension> = schema.extensions.iter().collect();
    assert_eq!(extensions.len(), 1, "{extensions:?}");
    assert_eq!(extensions[0].name, "citext");
    assert_eq!(extensions[0].namespace.as_deref(), Some("public"));
    assert!(extensions[0].version.is_some());
    assert!(extensions[0].relocatable);

    // The SERIAL column's own sequence belongs to the column.
    assert_eq!(
        schema.sequences,
        vec![Sequence {
            namespace: None,
            name: "invoice_numbers".to_owned()
        }]
    );
    // The query as PostgreSQL prints it; its spelling varies between versions.
    let views: Vec<(&str, &str)> = schema
        .views
        .iter()
        .map(|v| (v.name.as_str(), v.definition.as_str()))
        .collect();
    assert!(
        matches!(views.as_slice(), [("cheap_products", definition)]
            if definition.contains("FROM \"Product\"") && definition.contains("price < 100")),
        "{views:?}"
    );

    let product = schema.table(None, "Product").expect("Product");
    assert_eq!(product.comment.as_deref(), Some("Things we sell"));
    assert_eq!(
        product.column("price").and_then(|c| c.comment.as_deref()),
        Some("In cents")
    );
    assert_eq!(product.column("name").and_then(|c| c.comment.clone()), None);
    assert_eq!(
        product.checks,
        vec![CheckConstraint {
            name: "price_positive".to_owned(),
            expression: "CHECK (price > 0)".to_owned(),
        }]
    );
    // The exclusion constraint's index is part of the constraint, not an index of its own.
    assert_eq!(
        product.indexes,
        vec![
            Index {
                predicate: Some("\"deletedAt\" IS NULL".to_owned()),
                ..index("Product_live_idx", IndexKind::Normal, &["name"])
            },
            Index {
                columns: vec![
                    IndexColumn {
                        sort: Some(SortOrder::Desc),
                        ..IndexColumn::expression("lower(name)")
                    },
                    IndexColumn::named("price"),
                ],
                ..index("Product_lower_idx", IndexKind::Normal, &[])
            },
            Index {
                include: vec!["price".to_owned(), "id".to_owned()],
                constraint_backed: false,
                ..index("Product_name_key", IndexKind::Unique, &["name"])
            },
        ]
    );

    let opaque: Vec<(OpaqueKind, &str, Option<&str>)> = schema
        .opaque
        .iter()
        .map(|o| (o.kind, o.name.as_str(), o.table.as_deref()))
        .collect();
    assert_eq!(
        opaque,
        vec![
            (
                OpaqueKind::ExclusionConstraint,
                "no_overlap",
                Some("Product")
            ),
            (OpaqueKind::Function, "touch()", None),
            (OpaqueKind::Trigger, "Product_touch", Some("Product")),
        ]
    );
    let definition = |name: &str| {
        schema
            .opaque
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.definition.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        definition("no_overlap"),
        "EXCLUDE USING gist (during WITH &&)"
    );
    assert!(
        definition("touch()").starts_with("CREATE OR REPLACE FUNCTION public.touch()"),
        "{}",
        definition("touch()")
    );
    assert_eq!(
        definition("Product_touch"),
        "CREATE TRIGGER \"Product_touch\" BEFORE UPDATE ON \"Product\" FOR EACH ROW EXECUTE \
         FUNCTION touch()"
    );

    // Rendering the indexes back and introspecting again gives the same definitions.
    let copy = TestDb::postgres();
    let mut copy_conn = PostgresDialect.connect(copy.url()).expect("connect");
    copy_conn
        .execute_script(
            "CREATE TABLE \"Product\" (\"id\" INTEGER NOT NULL, \"name\" TEXT NOT NULL, \
             \"price\" INTEGER NOT NULL, \"deletedAt\" TIMESTAMP(3));",
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
    let script = drydock_connector::render_script(&PostgresDialect, &changes, &[]);
    copy_conn.execute_script(&script).expect("indexes render");
    let again = copy_conn.introspect(&[]).expect("introspect");
    assert_eq!(
        again.table(None, "Product").map(|t| &t.indexes),
        Some(&product.indexes)
    );
}
