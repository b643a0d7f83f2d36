//! Diffing two large schemas: 2,000 tables of 10 columns, 2 indexes and a foreign key each, the
//! second with a tenth of the tables changed (a column added, one altered, an index renamed).

use criterion::{Criterion, criterion_group, criterion_main};
use drydock_diff::{DiffHooks, TableChange, TypeChange, diff};
use drydock_schema::{
    Column, ColumnType, ForeignKey, Index, IndexColumn, IndexKind, ObjectName, PrimaryKey,
    ReferentialAction, SqlSchema, Table, TypeFamily,
};

/// Hooks of a dialect that alters everything in place.
struct InPlace;

impl DiffHooks for InPlace {
    fn column_type_change(&self, from: &Column, to: &Column) -> Option<TypeChange> {
        (from.column_type != to.column_type).then_some(TypeChange::RiskyCast)
    }
    fn alters_in_place(&self, _: &Table, _: &TableChange) -> bool {
        true
    }
    fn foreign_keys_alter_in_place(&self) -> bool {
        true
    }
    fn renames_indexes(&self) -> bool {
        true
    }
    fn compares_foreign_key_names(&self) -> bool {
        true
    }
}

fn column(name: &str, native: &str, family: TypeFamily) -> Column {
    Column::new(name, ColumnType::new(family, native))
}

fn schema(tables: usize, changed_every: usize) -> SqlSchema {
    let mut schema = SqlSchema::default();
    for t in 0..tables {
        let name = format!("table_{t}");
        let mut table = Table::new(None, &name);
        table.columns.push(column("id", "INTEGER", TypeFamily::Int));
        for c in 1..10 {
            table
                .columns
                .push(column(&format!("col_{c}"), "TEXT", TypeFamily::String));
        }
        let changed = changed_every > 0 && t % changed_every == 0;
        if changed {
            table
                .columns
                .push(column("added", "BIGINT", TypeFamily::BigInt));
            table.columns[1].column_type = ColumnType::new(TypeFamily::String, "VARCHAR(100)");
        }
        table.primary_key = Some(PrimaryKey {
            name: Some(format!("{name}_pkey")),
            columns: vec![IndexColumn::named("id")],
        });
        for (i, col) in ["col_1", "col_2"].iter().enumerate() {
            let index_name = if changed && i == 1 {
                format!("{name}_{col}_renamed")
            } else {
                format!("{name}_{col}_idx")
            };
            table.indexes.push(Index {
                name: index_name,
                kind: IndexKind::Normal,
                columns: vec![IndexColumn::named(*col)],
                algorithm: None,
                predicate: None,
                include: Vec::new(),
                constraint_backed: false,
            });
        }
        if t > 0 {
            table
                .columns
                .push(column("parent_id", "INTEGER", TypeFamily::Int));
            table.foreign_keys.push(ForeignKey {
                name: Some(format!("{name}_parent_id_fkey")),
                columns: vec!["parent_id".to_owned()],
                referenced_table: ObjectName::new(None, format!("table_{}", t - 1)),
                referenced_columns: vec!["id".to_owned()],
                on_delete: ReferentialAction::Restrict,
                on_update: ReferentialAction::Cascade,
            });
        }
        schema.tables.push(table);
    }
    schema
}

fn bench(c: &mut Criterion) {
    let from = schema(2000, 0);
    let to = schema(2000, 10);
    let changes = diff(&from, &to, &InPlace).changes.len();
    assert!(
        changes >= 200,
        "the workload changes 200 tables, got {changes} changes"
    );
    c.bench_function("diff 2000 tables (200 changed)", |b| {
        b.iter(|| diff(&from, &to, &InPlace))
    });
    c.bench_function("diff 2000 tables (identical)", |b| {
        b.iter(|| diff(&from, &from, &InPlace))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
