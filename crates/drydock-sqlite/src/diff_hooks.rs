//! SQLite's answers to the differ. SQLite's `ALTER TABLE` can only add nullable columns here:
//! every other change of a table (dropped or changed columns, required columns even with a
//! default, primary and foreign key changes) rebuilds the table, and indexes are dropped and
//! created again rather than renamed.

use drydock_diff::{DiffHooks, TableChange, TypeChange};
use drydock_schema::{Column, ColumnArity, Table, TypeFamily};

/// The differ hooks of SQLite.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SqliteDiffHooks;

impl DiffHooks for SqliteDiffHooks {
    /// SQLite stores any value in any column, so only the type family matters (and the text of
    /// unsupported types). Becoming a string is safe; anything else may lose data.
    fn column_type_change(&self, from: &Column, to: &Column) -> Option<TypeChange> {
        let (previous, next) = (&from.column_type, &to.column_type);
        if previous.family == next.family
            && (previous.family != TypeFamily::Unsupported || previous.native == next.native)
        {
            return None;
        }
        Some(match next.family {
            TypeFamily::String => TypeChange::SafeCast,
            _ => TypeChange::RiskyCast,
        })
    }

    fn alters_in_place(&self, _table: &Table, change: &TableChange) -> bool {
        matches!(change, TableChange::AddColumn { column } if column.arity == ColumnArity::Nullable)
    }

    fn foreign_keys_alter_in_place(&self) -> bool {
        false
    }

    fn renames_indexes(&self) -> bool {
        false
    }

    fn compares_foreign_key_names(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use drydock_diff::{DiffHooks, TableChange, TypeChange};
    use drydock_schema::{Column, ColumnArity, ColumnType, DefaultValue, Table, TypeFamily};

    use super::SqliteDiffHooks;

    fn column(family: TypeFamily, native: &str, arity: ColumnArity) -> Column {
        Column {
            arity,
            ..Column::new("c", ColumnType::new(family, native))
        }
    }

    #[test]
    fn only_nullable_columns_are_added_in_place() {
        let table = Table::new(None, "T");
        let nullable = column(TypeFamily::String, "TEXT", ColumnArity::Nullable);
        let mut required = column(TypeFamily::String, "TEXT", ColumnArity::Required);
        required.default = Some(DefaultValue::String("x".to_owned()));
        let hooks = SqliteDiffHooks;
        assert!(hooks.alters_in_place(
            &table,
            &TableChange::AddColumn {
                column: nullable.clone()
            }
        ));
        assert!(!hooks.alters_in_place(&table, &TableChange::AddColumn { column: required }));
        assert!(!hooks.alters_in_place(&table, &TableChange::DropColumn { column: nullable }));
        assert!(!hooks.foreign_keys_alter_in_place());
        assert!(!hooks.renames_indexes());
    }

    #[test]
    fn type_changes_follow_the_family() {
        let hooks = SqliteDiffHooks;
        let text = column(TypeFamily::String, "TEXT", ColumnArity::Required);
        let int = column(TypeFamily::Int, "INTEGER", ColumnArity::Required);
        let circle = column(TypeFamily::Unsupported, "circle", ColumnArity::Required);
        let point = column(TypeFamily::Unsupported, "point", ColumnArity::Required);
        assert_eq!(hooks.column_type_change(&text, &text), None);
        assert_eq!(
            hooks.column_type_change(&int, &text),
            Some(TypeChange::SafeCast)
        );
        assert_eq!(
            hooks.column_type_change(&text, &int),
            Some(TypeChange::RiskyCast)
        );
        assert_eq!(hooks.column_type_change(&circle, &circle), None);
        assert_eq!(
            hooks.column_type_change(&circle, &point),
            Some(TypeChange::RiskyCast)
        );
    }
}
