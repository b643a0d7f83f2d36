//! What the statements read so far tell about the schema: column types, enum values and
//! validated `IS NOT NULL` checks across the files of one run (in order, so a migrations
//! folder gives its full history), and per file the tables it creates, the types it renames,
//! the enum values it adds and whether it set `lock_timeout`.

use std::collections::{HashMap, HashSet};

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, AlterTypeOperation, CheckConstraint, ColumnDef,
    ColumnOption, DataType, Expr, Ident, ObjectType, RenameTableNameKind, Statement,
    TableConstraint, UserDefinedTypeRepresentation,
};

use crate::names::{TableName, ident};
use crate::rule::RuleInfo;
use crate::source::Stmt;

/// What earlier files established.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// Column types as written, by table and column.
    pub columns: HashMap<(TableName, String), String>,
    /// Whether each column of `columns` takes NULL.
    pub nullable: HashMap<(TableName, String), bool>,
    /// What MySQL keeps of each column of `columns` only while a statement restating it
    /// states it again: `ON UPDATE` and `COMMENT`.
    pub restated_attributes: HashMap<(TableName, String), RestatedAttributes>,
    /// Statements that added or dropped columns of a table since it was created or last
    /// rebuilt in the files read: MySQL's row versions, at least.
    pub row_versions: HashMap<TableName, u32>,
    /// Tables given a `FULLTEXT` index in the files read (and so InnoDB's document id column).
    pub fulltext_tables: HashSet<TableName>,
    /// Enum labels by type name.
    pub enums: HashMap<TableName, Vec<String>>,
    /// Columns proven free of NULLs by a validated check from an earlier file.
    pub not_null_checks: HashSet<(TableName, String)>,
    /// Validated `IS NOT NULL` checks of the current file: they count from the next file on,
    /// because validating in the same transaction holds the lock the recipe avoids.
    pending_not_null_checks: Vec<(TableName, String)>,
    /// `CHECK (c IS NOT NULL) NOT VALID` constraints waiting for `VALIDATE`, by table and name.
    unvalidated_checks: HashMap<(TableName, String), String>,
}

/// A column's `ON UPDATE` expression and comment, as written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RestatedAttributes {
    pub on_update: Option<String>,
    pub comment: Option<String>,
}

impl RestatedAttributes {
    pub(crate) fn of(options: &[ColumnOption]) -> RestatedAttributes {
        let mut attributes = RestatedAttributes::default();
        for option in options {
            match option {
                ColumnOption::OnUpdate(expression) => {
                    attributes.on_update = Some(expression.to_string());
                }
                ColumnOption::Comment(comment) => attributes.comment = Some(comment.clone()),
                _ => {}
            }
        }
        attributes
    }
}

/// What the current file did so far.
#[derive(Debug, Default)]
pub(crate) struct FileState {
    pub created_tables: HashSet<TableName>,
    /// Indexes created in this file, by their bare name (an index lives in its table's schema).
    pub created_indexes: HashSet<String>,
    /// Whether a `BEGIN` of the file is still open.
    pub explicit_transaction_open: bool,
    /// Types renamed in this file: current name to the name it had.
    pub renamed_types: HashMap<TableName, TableName>,
    /// Enum labels added in this file, with the transaction that added them.
    pub added_enum_values: Vec<(Option<usize>, TableName, String)>,
    pub lock_timeout_set: bool,
    /// `SET lock_wait_timeout` (MySQL) ran.
    pub lock_wait_timeout_set: bool,
    /// `SET foreign_key_checks = 0` (MySQL) is in force.
    pub foreign_key_checks_off: bool,
    /// Codes of the rules that reported in this file (rules that report once per file).
    pub reported: HashSet<&'static str>,
    /// Row versions this file used so far, by table: what a live count does not hold yet.
    pub row_versions: HashMap<TableName, RowVersionsInFile>,
}

/// Row versions one file used on a table.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RowVersionsInFile {
    /// The file rebuilt the table, so `count` is all it holds.
    pub rebuilt: bool,
    pub count: u32,
}

impl FileState {
    pub(crate) fn has_reported(&self, rule: &RuleInfo) -> bool {
        self.reported.contains(rule.code)
    }

    pub(crate) fn is_new(&self, table: &TableName) -> bool {
        self.created_tables.contains(table)
    }

    /// Whether this file created the index `name` names (its schema, if any, ignored).
    pub(crate) fn created_index(&self, name: &TableName) -> bool {
        self.created_indexes.contains(name.schema_and_name().1)
    }
}

impl History {
    /// Ends a file: its validated checks now count.
    pub(crate) fn finish_file(&mut self) {
        self.not_null_checks
            .extend(self.pending_not_null_checks.drain(..));
    }

    /// Learns from one statement, after the rules have seen it; `live_row_versions` is the
    /// live count of the table it changes, when the facts have one.
    pub(crate) fn learn(
        &mut self,
        file: &mut FileState,
        statement: &Stmt,
        live_row_versions: Option<u32>,
    ) {
        if statement.starts_with(&["SET", "LOCK_TIMEOUT"])
            || statement.starts_with(&["SET", "LOCAL", "LOCK_TIMEOUT"])
            || statement.starts_with(&["SET", "SESSION", "LOCK_TIMEOUT"])
        {
            file.lock_timeout_set = true;
        }
        if statement.starts_with(&["SET"]) {
            let setting = |name: &str| statement.words.iter().any(|w| w == name);
            if setting("LOCK_WAIT_TIMEOUT") {
                file.lock_wait_timeout_set = true;
            }
            if setting("FOREIGN_KEY_CHECKS") {
                file.foreign_key_checks_off = switched_off(&statement.text);
            }
        }
        if crate::source::is_begin(statement) {
            file.explicit_transaction_open = true;
        } else if crate::source::is_end(statement) {
            file.explicit_transaction_open = false;
        }
        self.count_row_versions(file, statement, live_row_versions);
        if let Some(table) = crate::mysql_ddl::fulltext_index_table(statement) {
            self.fulltext_tables.insert(table);
        }
        let Some(ast) = &statement.ast else {
            return;
        };
        match ast {
            Statement::CreateTable(create) => {
                let table = TableName::from_object(&create.name);
                for column in &create.columns {
                    self.add_column(&table, column);
                }
                self.row_versions.remove(&table);
                file.created_tables.insert(table);
            }
            Statement::CreateIndex(index) => {
                if let Some(name) = &index.name {
                    let name = TableName::from_object(name);
                    file.created_indexes
                        .insert(name.schema_and_name().1.to_owned());
                }
            }
            Statement::CreateType {
                name,
                representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
            } => {
                let labels = labels.iter().map(|l| l.value.clone()).collect();
                self.enums.insert(TableName::from_object(name), labels);
            }
            Statement::AlterType(alter) => {
                let name = TableName::from_object(&alter.name);
                match &alter.operation {
                    AlterTypeOperation::Rename(rename) => {
                        let new = name.with_last(&rename.new_name);
                        if let Some(labels) = self.enums.remove(&name) {
                            self.enums.insert(new.clone(), labels);
                        }
                        let original = file.renamed_types.remove(&name).unwrap_or(name);
                        file.renamed_types.insert(new, original);
                    }
                    AlterTypeOperation::AddValue(add) => {
                        let value = add.value.value.clone();
                        if let Some(labels) = self.enums.get_mut(&name) {
                            labels.push(value.clone());
                        }
                        file.added_enum_values
                            .push((statement.transaction, name, value));
                    }
                    AlterTypeOperation::RenameValue(rename) => {
                        if let Some(labels) = self.enums.get_mut(&name) {
                            for label in labels.iter_mut() {
                                if *label == rename.from.value {
                                    label.clone_from(&rename.to.value);
                                }
                            }
                        }
                    }
                }
            }
            Statement::Drop {
                object_type: ObjectType::Type,
                names,
                ..
            } => {
                for name in names {
                    self.enums.remove(&TableName::from_object(name));
                }
            }
            Statement::Drop {
                object_type: ObjectType::Table,
                names,
                ..
            } => {
                for name in names {
                    let table = TableName::from_object(name);
                    self.columns.retain(|(t, _), _| *t != table);
                    self.nullable.retain(|(t, _), _| *t != table);
                    self.row_versions.remove(&table);
                    file.created_tables.remove(&table);
                }
            }
            Statement::AlterTable(alter) => {
                let mut table = TableName::from_object(&alter.name);
                for operation in &alter.operations {
                    table = self.alter_table(file, table, operation);
                }
            }
            _ => {}
        }
    }

    fn add_column(&mut self, table: &TableName, column: &ColumnDef) {
        let key = (table.clone(), ident(&column.name));
        let not_null = column.options.iter().any(|option| {
            matches!(
                option.option,
                ColumnOption::NotNull | ColumnOption::PrimaryKey(_)
            )
        });
        self.nullable.insert(key.clone(), !not_null);
        let options: Vec<ColumnOption> = column.options.iter().map(|o| o.option.clone()).collect();
        self.restated_attributes
            .insert(key.clone(), RestatedAttributes::of(&options));
        self.columns.insert(key, column.data_type.to_string());
    }

    /// A column's type and nullability set again by MySQL's `MODIFY`/`CHANGE`.
    fn redefine_column(
        &mut self,
        table: &TableName,
        old: &Ident,
        new: &Ident,
        data_type: &DataType,
        options: &[ColumnOption],
    ) {
        self.columns.remove(&(table.clone(), ident(old)));
        self.nullable.remove(&(table.clone(), ident(old)));
        self.restated_attributes
            .remove(&(table.clone(), ident(old)));
        let key = (table.clone(), ident(new));
        let not_null = options
            .iter()
            .any(|option| matches!(option, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
        self.nullable.insert(key.clone(), !not_null);
        self.restated_attributes
            .insert(key.clone(), RestatedAttributes::of(options));
        self.columns.insert(key, data_type.to_string());
    }

    /// The row versions `table` has used before the current statement: counted in the files
    /// read, or, when larger, the live count (`live`) plus those this file used since, unless
    /// the file rebuilt the table. Also whether the live count decided.
    pub(crate) fn row_versions_used(
        &self,
        file: &FileState,
        table: &TableName,
        live: Option<u32>,
    ) -> (u32, bool) {
        let read = self.row_versions.get(table).copied().unwrap_or(0);
        let in_file = file.row_versions.get(table).copied().unwrap_or_default();
        match live.filter(|_| !in_file.rebuilt) {
            Some(live) if live + in_file.count >= read => (live + in_file.count, true),
            _ => (read, false),
        }
    }

    /// Counts a MySQL statement that adds or drops columns, or starts the count over when it
    /// rebuilds the table: on purpose, or because the versions were used up (MySQL then
    /// rebuilds rather than fail, unless told `ALGORITHM=INSTANT`).
    fn count_row_versions(&mut self, file: &mut FileState, statement: &Stmt, live: Option<u32>) {
        let (changes_columns, rebuilds) = crate::mysql_ddl::row_version_change(statement);
        let Some(table) = crate::mysql_ddl::statement_table(statement) else {
            return;
        };
        let (used, _) = self.row_versions_used(file, &table, live);
        let in_file = file.row_versions.entry(table.clone()).or_default();
        let read = self.row_versions.entry(table).or_default();
        if rebuilds || (changes_columns && used >= crate::mysql_ddl::ROW_VERSION_LIMIT) {
            *read = 0;
            *in_file = RowVersionsInFile {
                rebuilt: true,
                count: 0,
            };
        } else if changes_columns {
            *read += 1;
            in_file.count += 1;
        }
    }

    /// Applies one `ALTER TABLE` action; returns the table's name afterwards.
    fn alter_table(
        &mut self,
        file: &mut FileState,
        table: TableName,
        operation: &AlterTableOperation,
    ) -> TableName {
        match operation {
            AlterTableOperation::AddColumn { column_def, .. } => {
                self.add_column(&table, column_def);
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for column in column_names {
                    self.columns.remove(&(table.clone(), ident(column)));
                    self.nullable.remove(&(table.clone(), ident(column)));
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                if let Some(ty) = self
                    .columns
                    .remove(&(table.clone(), ident(old_column_name)))
                {
                    self.columns
                        .insert((table.clone(), ident(new_column_name)), ty);
                }
                if let Some(nullable) = self
                    .nullable
                    .remove(&(table.clone(), ident(old_column_name)))
                {
                    self.nullable
                        .insert((table.clone(), ident(new_column_name)), nullable);
                }
            }
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::As(new) | RenameTableNameKind::To(new)) = table_name;
                let renamed = match new.0.last().and_then(|part| part.as_ident()) {
                    Some(last) => table.with_last(last),
                    None => return table,
                };
                let moved: Vec<_> = self
                    .columns
                    .iter()
                    .filter(|((t, _), _)| *t == table)
                    .map(|((_, c), ty)| (c.clone(), ty.clone()))
                    .collect();
                self.columns.retain(|(t, _), _| *t != table);
                for (column, ty) in moved {
                    self.columns.insert((renamed.clone(), column), ty);
                }
                let moved: Vec<_> = self
                    .nullable
                    .iter()
                    .filter(|((t, _), _)| *t == table)
                    .map(|((_, c), nullable)| (c.clone(), *nullable))
                    .collect();
                self.nullable.retain(|(t, _), _| *t != table);
                for (column, nullable) in moved {
                    self.nullable.insert((renamed.clone(), column), nullable);
                }
                if let Some(versions) = self.row_versions.remove(&table) {
                    self.row_versions.insert(renamed.clone(), versions);
                }
                if file.created_tables.remove(&table) {
                    file.created_tables.insert(renamed.clone());
                }
                return renamed;
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => self.redefine_column(&table, col_name, col_name, data_type, options),
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                ..
            } => self.redefine_column(&table, old_name, new_name, data_type, options),
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetDataType { data_type, .. },
            } => {
                self.columns
                    .insert((table.clone(), ident(column_name)), data_type.to_string());
            }
            AlterTableOperation::AddConstraint {
                constraint: TableConstraint::Check(check),
                not_valid,
            } => {
                if let Some(column) = not_null_column(check) {
                    if *not_valid {
                        if let Some(name) = &check.name {
                            self.unvalidated_checks
                                .insert((table.clone(), ident(name)), column);
                        }
                    } else {
                        self.pending_not_null_checks.push((table.clone(), column));
                    }
                }
            }
            AlterTableOperation::ValidateConstraint { name } => {
                if let Some(column) = self
                    .unvalidated_checks
                    .remove(&(table.clone(), ident(name)))
                {
                    self.pending_not_null_checks.push((table.clone(), column));
                }
            }
            _ => {}
        }
        table
    }
}

/// The column a `CHECK (column IS NOT NULL)` constraint proves free of NULLs.
fn not_null_column(check: &CheckConstraint) -> Option<String> {
    let mut expr = check.expr.as_ref();
    while let Expr::Nested(inner) = expr {
        expr = inner;
    }
    match expr {
        Expr::IsNotNull(inner) => match inner.as_ref() {
            Expr::Identifier(column) => Some(ident(column)),
            Expr::CompoundIdentifier(parts) => parts.last().map(ident),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a `SET name = value` statement's value is off (`0`, `OFF`, `FALSE`).
fn switched_off(text: &str) -> bool {
    let value = text
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_end_matches(';')
        .trim()
        .trim_matches('\'')
        .to_ascii_uppercase();
    matches!(value.as_str(), "0" | "OFF" | "FALSE")
}
