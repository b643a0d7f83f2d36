//! Renames the target schema asks for through its `renamed_from` hints.
//!
//! A hint only counts when it names an object the previous schema has and the target does not,
//! and the new name is not taken in the previous schema: once a rename is applied (or when the
//! hint is stale), the same hint is ignored. The differ then compares the previous schema *with
//! the renames applied* to the target, so everything else about a renamed object (types,
//! defaults, constraint and index names that embed the old name) is diffed as usual.

use std::collections::HashMap;

use drydock_schema::{ObjectName, SqlSchema, Table};

/// The renames from one schema to another: tables by their names, columns by their table's new
/// name.
#[derive(Debug, Default)]
pub(crate) struct Renames {
    /// `(previous name, new name)`, in the target's table order.
    pub(crate) tables: Vec<(ObjectName, ObjectName)>,
    /// New table name to `(previous column name, new column name)`, in the target's column order.
    pub(crate) columns: HashMap<ObjectName, Vec<(String, String)>>,
}

impl Renames {
    /// The renames `to`'s hints ask for, given what `from` holds.
    pub(crate) fn find(from: &SqlSchema, to: &SqlSchema) -> Renames {
        let mut renames = Renames::default();
        for next in &to.tables {
            let namespace = next.namespace.as_deref();
            let renamed_table = next.renamed_from.as_deref().filter(|old| {
                from.table(namespace, old).is_some()
                    && to.table(namespace, old).is_none()
                    && from.table(namespace, &next.name).is_none()
                    && !renames
                        .tables
                        .iter()
                        .any(|(taken, _)| taken.namespace == next.namespace && taken.name == *old)
            });
            let previous = match renamed_table {
                Some(old) => {
                    renames.tables.push((
                        ObjectName::new(next.namespace.clone(), old),
                        next.object_name(),
                    ));
                    from.table(namespace, old)
                }
                None => from.table(namespace, &next.name),
            };
            let Some(previous) = previous else {
                continue;
            };
            let mut columns: Vec<(String, String)> = Vec::new();
            for column in &next.columns {
                let Some(old) = column.renamed_from.as_deref() else {
                    continue;
                };
                if previous.column(old).is_some()
                    && next.column(old).is_none()
                    && previous.column(&column.name).is_none()
                    && !columns.iter().any(|(taken, _)| taken == old)
                {
                    columns.push((old.to_owned(), column.name.clone()));
                }
            }
            if !columns.is_empty() {
                renames.columns.insert(next.object_name(), columns);
            }
        }
        renames
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty()
    }

    /// The column renames of the table named `table` in the target.
    pub(crate) fn columns_of(&self, table: &ObjectName) -> &[(String, String)] {
        self.columns.get(table).map_or(&[], Vec::as_slice)
    }

    /// The name the table `table` (named as in the target) has before the renames run.
    pub(crate) fn previous_table_name(&self, table: &ObjectName) -> ObjectName {
        self.tables
            .iter()
            .find(|(_, new)| new == table)
            .map_or_else(|| table.clone(), |(old, _)| old.clone())
    }

    /// The name the column `column` of `table` (both named as in the target) has before the
    /// renames run.
    pub(crate) fn previous_column_name(&self, table: &ObjectName, column: &str) -> String {
        self.columns_of(table)
            .iter()
            .find(|(_, new)| new == column)
            .map_or_else(|| column.to_owned(), |(old, _)| old.clone())
    }

    /// `from` as it is once the renames have run: tables and columns under their new names, and
    /// so are the keys, indexes and foreign keys (of any table) that mention them.
    pub(crate) fn apply(&self, from: &SqlSchema) -> SqlSchema {
        let mut renamed = from.clone();
        for table in &mut renamed.tables {
            let old_name = table.object_name();
            if let Some((_, new)) = self.tables.iter().find(|(old, _)| *old == old_name) {
                table.name = new.name.clone();
            }
        }
        let table_names: HashMap<ObjectName, ObjectName> = self.tables.iter().cloned().collect();
        for table in &mut renamed.tables {
            let columns = self.columns_of(&table.object_name()).to_vec();
            rename_own_columns(table, &columns);
            for foreign_key in &mut table.foreign_keys {
                if let Some(new) = table_names.get(&foreign_key.referenced_table) {
                    foreign_key.referenced_table = new.clone();
                }
                for referenced in &mut foreign_key.referenced_columns {
                    *referenced =
                        renamed_to(self.columns_of(&foreign_key.referenced_table), referenced);
                }
            }
        }
        renamed
    }
}

/// `name` after `renames`.
fn renamed_to(renames: &[(String, String)], name: &str) -> String {
    renames
        .iter()
        .find(|(old, _)| old == name)
        .map_or_else(|| name.to_owned(), |(_, new)| new.clone())
}

fn rename_own_columns(table: &mut Table, renames: &[(String, String)]) {
    if renames.is_empty() {
        return;
    }
    for column in &mut table.columns {
        column.name = renamed_to(renames, &column.name);
    }
    if let Some(primary_key) = &mut table.primary_key {
        for column in &mut primary_key.columns {
            column.name = renamed_to(renames, &column.name);
        }
    }
    for index in &mut table.indexes {
        for column in index.columns.iter_mut().filter(|c| c.expression.is_none()) {
            column.name = renamed_to(renames, &column.name);
        }
        for included in &mut index.include {
            *included = renamed_to(renames, included);
        }
    }
    for foreign_key in &mut table.foreign_keys {
        for column in &mut foreign_key.columns {
            *column = renamed_to(renames, column);
        }
    }
}

/// `from` with `renamed_from` hints naming `to`'s objects, one for every rename the diff from
/// `from` to `to` makes: diffing `to` back to the hinted `from` renames them back. This is how a
/// down migration reverses the renames of its migration.
pub fn reverse_rename_hints(from: &SqlSchema, to: &SqlSchema) -> SqlSchema {
    let renames = Renames::find(from, to);
    let mut hinted = from.clone();
    for table in &mut hinted.tables {
        let name = table.object_name();
        if let Some((_, new)) = renames.tables.iter().find(|(old, _)| *old == name) {
            table.renamed_from = Some(new.name.clone());
        }
    }
    for (new_table, columns) in &renames.columns {
        let previous = renames.previous_table_name(new_table);
        let Some(table) = hinted
            .tables
            .iter_mut()
            .find(|t| t.object_name() == previous)
        else {
            continue;
        };
        for (old, new) in columns {
            if let Some(column) = table.columns.iter_mut().find(|c| c.name == *old) {
                column.renamed_from = Some(new.clone());
            }
        }
    }
    hinted
}

#[cfg(test)]
pub(crate) mod tests {
    use drydock_schema::{
        Column, ColumnArity, ColumnType, ForeignKey, Index, IndexColumn, IndexKind, PrimaryKey,
        ReferentialAction, TypeFamily,
    };

    use super::*;
    use crate::{Change, DiffHooks, TableChange, TypeChange, WarningKind, diff};

    /// PostgreSQL's shape: everything in place, indexes renamed, foreign key names compared.
    pub(crate) struct InPlace;

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

    /// SQLite's shape: only nullable columns are added in place, the rest rebuilds the table.
    struct Rebuilds;

    impl DiffHooks for Rebuilds {
        fn column_type_change(&self, from: &Column, to: &Column) -> Option<TypeChange> {
            (from.column_type != to.column_type).then_some(TypeChange::RiskyCast)
        }
        fn alters_in_place(&self, _: &Table, change: &TableChange) -> bool {
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

    fn column(name: &str, family: TypeFamily, native: &str) -> Column {
        Column::new(name, ColumnType::new(family, native))
    }

    fn renamed(mut column: Column, from: &str) -> Column {
        column.renamed_from = Some(from.to_owned());
        column
    }

    fn index(name: &str, kind: IndexKind, column: &str) -> Index {
        Index {
            name: name.to_owned(),
            kind,
            columns: vec![IndexColumn::named(column)],
            algorithm: None,
            predicate: None,
            include: Vec::new(),
            constraint_backed: false,
        }
    }

    fn schema(tables: Vec<Table>) -> SqlSchema {
        SqlSchema {
            tables,
            ..SqlSchema::default()
        }
    }

    fn user(name: &str) -> Table {
        let mut table = Table::new(None, name);
        let mut id = column("id", TypeFamily::Int, "INTEGER");
        id.auto_increment = true;
        table.columns.push(id);
        table
            .columns
            .push(column("email", TypeFamily::String, "TEXT"));
        table.primary_key = Some(PrimaryKey {
            name: Some(format!("{name}_pkey")),
            columns: vec![IndexColumn::named("id")],
        });
        table.indexes.push(index(
            &format!("{name}_email_key"),
            IndexKind::Unique,
            "email",
        ));
        table
    }

    fn post(author_table: &str) -> Table {
        let mut table = Table::new(None, "Post");
        table
            .columns
            .push(column("authorId", TypeFamily::Int, "INTEGER"));
        table
            .indexes
            .push(index("Post_authorId_idx", IndexKind::Normal, "authorId"));
        table.foreign_keys.push(ForeignKey {
            name: Some("Post_authorId_fkey".to_owned()),
            columns: vec!["authorId".to_owned()],
            referenced_table: ObjectName::new(None, author_table),
            referenced_columns: vec!["id".to_owned()],
            on_delete: ReferentialAction::Restrict,
            on_update: ReferentialAction::Cascade,
        });
        table
    }

    #[test]
    fn a_renamed_column_keeps_its_data_and_still_changes_type() {
        let mut before = Table::new(None, "User");
        before
            .columns
            .push(column("name", TypeFamily::String, "TEXT"));
        let mut after = Table::new(None, "User");
        after.columns.push(renamed(
            column("fullName", TypeFamily::String, "VARCHAR(100)"),
            "name",
        ));
        let result = diff(
            &schema(vec![before]),
            &schema(vec![after.clone()]),
            &InPlace,
        );
        let [Change::AlterTable { changes, .. }] = result.changes.as_slice() else {
            panic!("one ALTER TABLE expected: {:?}", result.changes);
        };
        assert_eq!(
            changes[0],
            TableChange::RenameColumn {
                from: "name".to_owned(),
                to: "fullName".to_owned(),
                auto_increment: false,
            }
        );
        assert!(
            matches!(&changes[1], TableChange::AlterColumn(c) if c.type_change.is_some() && c.from.name == "fullName"),
            "{changes:?}"
        );
        let kinds: Vec<WarningKind> = result.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(kinds, [WarningKind::RiskyCast, WarningKind::Renamed]);
        assert!(!result.warnings[1].is_data_loss());
        assert!(!result.warnings[1].is_unexecutable());

        // Once applied, the hint names nothing and is ignored.
        assert!(diff(&schema(vec![after.clone()]), &schema(vec![after]), &InPlace).is_empty());
    }

    #[test]
    fn a_renamed_table_renames_the_names_derived_from_it() {
        let from = schema(vec![user("User"), post("User")]);
        let mut account = user("Account");
        account.renamed_from = Some("User".to_owned());
        let to = schema(vec![account, post("Account")]);
        let result = diff(&from, &to, &InPlace);
        let account = ObjectName::new(None, "Account");
        assert_eq!(
            result.changes,
            vec![
                Change::RenameTable {
                    from: ObjectName::new(None, "User"),
                    to: account.clone(),
                    auto_increment_columns: vec!["id".to_owned()],
                },
                Change::AlterTable {
                    table: account.clone(),
                    changes: vec![TableChange::RenamePrimaryKey {
                        from: "User_pkey".to_owned(),
                        to: "Account_pkey".to_owned(),
                    }],
                },
                Change::RenameIndex {
                    table: account,
                    from: "User_email_key".to_owned(),
                    to: "Account_email_key".to_owned(),
                },
            ],
            "the foreign key of `Post` follows the table"
        );
        assert!(result.warnings.iter().all(|w| !w.is_data_loss()));

        // The down migration's diff renames back.
        let back = diff(&to, &reverse_rename_hints(&from, &to), &InPlace);
        assert_eq!(
            back.changes[0],
            Change::RenameTable {
                from: ObjectName::new(None, "Account"),
                to: ObjectName::new(None, "User"),
                auto_increment_columns: vec!["id".to_owned()],
            }
        );
        assert!(back.warnings.iter().all(|w| !w.is_data_loss()));
    }

    #[test]
    fn a_rebuilt_table_copies_a_renamed_column_from_its_previous_name() {
        let mut before = Table::new(None, "User");
        let mut name = column("name", TypeFamily::String, "TEXT");
        name.arity = ColumnArity::Nullable;
        before.columns.push(name);
        let mut after = Table::new(None, "Member");
        after.renamed_from = Some("User".to_owned());
        after.columns.push(renamed(
            column("fullName", TypeFamily::String, "TEXT"),
            "name",
        ));
        let result = diff(&schema(vec![before]), &schema(vec![after]), &Rebuilds);
        let [
            Change::RenameTable { .. },
            Change::RedefineTables { tables },
        ] = result.changes.as_slice()
        else {
            panic!("a rename, then a rebuild: {:?}", result.changes);
        };
        assert_eq!(tables[0].previous.name, "Member");
        assert_eq!(tables[0].copied_columns[0].name, "fullName");
        assert_eq!(tables[0].copied_columns[0].from.as_deref(), Some("name"));
    }

    #[test]
    fn a_hint_naming_a_kept_object_is_ignored() {
        let mut before = Table::new(None, "User");
        before
            .columns
            .push(column("name", TypeFamily::String, "TEXT"));
        let mut after = before.clone();
        after
            .columns
            .push(renamed(column("alias", TypeFamily::String, "TEXT"), "name"));
        let result = diff(&schema(vec![before]), &schema(vec![after]), &InPlace);
        assert!(
            matches!(result.changes.as_slice(), [Change::AlterTable { changes, .. }] if matches!(changes.as_slice(), [TableChange::AddColumn { .. }])),
            "{:?}",
            result.changes
        );
    }
}
