//! Rendering migration scripts as PostgreSQL SQL: a 2,000-table schema from empty (an enum, then
//! every table with its indexes and foreign key), and the alterations of 200 of those tables (a
//! column added, one dropped, one retyped, an index renamed, an enum value added). The changes
//! come from the differ once, outside the measured loop; only `render_script` is timed.

use criterion::{Criterion, criterion_group, criterion_main};
use drydock_connector::{Dialect, render_script};
use drydock_diff::{Change, Diff, diff};
use drydock_postgres::PostgresDialect;
use drydock_schema::{
    Column, DefaultValue, Enum, IndexColumn, IndexKind, PrimaryKey, ReferentialAction, SqlSchema,
    Table, TypeFamily,
};
use drydock_test_support::schema::{
    auto_increment, col, foreign_key, index, int, list, name, nullable, text, with_default,
};

const TABLES: usize = 2000;

fn status_column(enum_type: &Enum) -> Column {
    with_default(
        col(
            "status",
            TypeFamily::Enum(enum_type.object_name()),
            &enum_type.name,
        ),
        DefaultValue::EnumValue("ACTIVE".to_owned()),
    )
}

/// A table shaped like what a Prisma model lowers to on PostgreSQL; `changed` gives the
/// altered version of it.
fn table(t: usize, enum_type: &Enum, changed: bool) -> Table {
    let table_name = format!("table_{t}");
    let mut table = Table::new(None, &table_name);
    table.columns = vec![
        auto_increment(int("id")),
        col(
            "name",
            TypeFamily::String,
            if changed {
                "VARCHAR(400)"
            } else {
                "VARCHAR(200)"
            },
        ),
        nullable(text("email")),
        with_default(
            col("createdAt", TypeFamily::DateTime, "TIMESTAMP(3)"),
            DefaultValue::Now,
        ),
        col("updatedAt", TypeFamily::DateTime, "TIMESTAMP(3)"),
        status_column(enum_type),
        with_default(
            col("score", TypeFamily::Float, "DOUBLE PRECISION"),
            DefaultValue::Number("0".to_owned()),
        ),
        nullable(col("amount", TypeFamily::Decimal, "DECIMAL(65,30)")),
        list(text("tags")),
        nullable(int("parentId")),
    ];
    if changed {
        table.columns.push(nullable(col(
            "archivedAt",
            TypeFamily::DateTime,
            "TIMESTAMP(3)",
        )));
    } else {
        table
            .columns
            .push(nullable(col("data", TypeFamily::Json, "JSONB")));
    }
    table.primary_key = Some(PrimaryKey {
        name: Some(format!("{table_name}_pkey")),
        columns: vec![IndexColumn::named("id")],
    });
    table.indexes = vec![
        index(
            &format!("{table_name}_name_key"),
            IndexKind::Unique,
            &["name"],
        ),
        index(
            &if changed {
                format!("{table_name}_created_status_idx")
            } else {
                format!("{table_name}_createdAt_status_idx")
            },
            IndexKind::Normal,
            &["createdAt", "status"],
        ),
    ];
    table.foreign_keys = vec![foreign_key(
        &format!("{table_name}_parentId_fkey"),
        &["parentId"],
        name(&format!("table_{}", (t + 1) % TABLES)),
        &["id"],
        ReferentialAction::SetNull,
        ReferentialAction::Cascade,
    )];
    table
}

/// The schema of `TABLES` tables, every `changed_every`th one altered (0: none).
fn schema(changed_every: usize) -> SqlSchema {
    let mut values = vec!["ACTIVE".to_owned(), "INACTIVE".to_owned()];
    if changed_every > 0 {
        values.push("ARCHIVED".to_owned());
    }
    let enum_type = Enum {
        namespace: None,
        name: "Status".to_owned(),
        values,
    };
    let tables = (0..TABLES)
        .map(|t| table(t, &enum_type, changed_every > 0 && t % changed_every == 0))
        .collect();
    SqlSchema {
        enums: vec![enum_type],
        tables,
        ..SqlSchema::default()
    }
}

fn changes(from: &SqlSchema, to: &SqlSchema) -> Vec<Change> {
    let Diff { changes, .. } = diff(from, to, PostgresDialect.diff_hooks());
    changes
}

fn bench(c: &mut Criterion) {
    let original = schema(0);
    let altered = schema(10);

    let create = changes(&SqlSchema::default(), &original);
    let script = render_script(&PostgresDialect, &create, &[]);
    assert_eq!(
        script.matches("CREATE TABLE").count(),
        TABLES,
        "every table is created"
    );
    assert_eq!(script.matches("ADD CONSTRAINT").count(), TABLES);

    let alter = changes(&original, &altered);
    let script = render_script(&PostgresDialect, &alter, &[]);
    assert!(
        script.matches("ADD COLUMN").count() == TABLES / 10
            && script.contains("ADD VALUE 'ARCHIVED'"),
        "the workload alters 200 tables and the enum, got:\n{script}"
    );

    c.bench_function("render 2000 tables from empty", |b| {
        b.iter(|| render_script(&PostgresDialect, &create, &[]))
    });
    c.bench_function("render 200 altered tables", |b| {
        b.iter(|| render_script(&PostgresDialect, &alter, &[]))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
