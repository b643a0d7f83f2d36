//! The rules, one per file. A statement rule is a function that looks at one statement (with
//! what the statements before it established) and pushes [`Hit`]s; [`STATEMENT_RULES`] is the
//! registry the linter runs, [`ALL`] every rule including the per-file naming rule.
//!
//! Each rule file's `//!` documentation (What / Why / Bad / Safe) is its page under
//! `docs/lint/<name>.md`.

pub mod add_required_column;
pub mod check_without_not_valid;
pub mod cluster;
pub mod concurrently_in_transaction;
pub mod constraint_without_using_index;
pub mod delete_without_where;
pub mod detach_partition_without_concurrently;
pub mod domain_constraint;
pub mod drop_column;
pub mod drop_database;
pub mod drop_enum_value;
pub mod drop_not_null;
pub mod drop_table;
pub mod enum_value_used_in_transaction;
pub mod foreign_key_without_not_valid;
pub mod migration_name;
pub mod mysql_alter_without_algorithm;
pub mod mysql_copying_alter;
pub mod mysql_foreign_key_copy;
pub mod mysql_fulltext_spatial_index;
pub mod mysql_instant_column_limit;
pub mod mysql_modify_drops_attributes;
pub mod mysql_require_lock_wait_timeout;
pub mod mysql_table_rebuild;
pub mod narrowing_type_change;
pub mod reindex_without_concurrently;
pub mod rename_column;
pub mod rename_table;
pub mod require_concurrent_index;
pub mod require_concurrent_index_drop;
pub mod require_lock_timeout;
pub mod rewriting_type_change;
pub mod set_not_null_without_check;
pub mod transaction_nesting;
pub mod truncate;
pub mod unparsed_statement;
pub mod update_without_where;
pub mod vacuum_full;
pub mod volatile_column_default;

use sqlparser::ast::{AlterColumnOperation, AlterTableOperation, Statement, TableConstraint};

use crate::names::TableName;
use crate::rule::{Level, RuleInfo};
use crate::source::Stmt;
use crate::state::{FileState, History, RestatedAttributes};

/// One column's type change, for the type-change rules.
pub(crate) struct ColumnTypeChange {
    pub(crate) table: TableName,
    pub(crate) column: String,
    /// The type before, when the files read so far say.
    pub(crate) old: Option<String>,
    pub(crate) new: String,
    pub(crate) change: crate::types::TypeChange,
}

/// A column as it was before a statement.
pub(crate) struct ColumnBefore {
    /// The type as written in the files read, or as the server writes it.
    pub data_type: String,
    pub nullable: Option<bool>,
    /// From the live table: its character set and that set's bytes per character.
    pub charset: Option<String>,
    pub bytes_per_char: Option<u32>,
    /// What only a statement restating the column keeps (`ON UPDATE`, `COMMENT`).
    pub restated: RestatedAttributes,
}

/// What a statement rule sees.
pub(crate) struct Cx<'a> {
    pub statement: &'a Stmt,
    pub file: &'a FileState,
    pub history: &'a History,
    /// The statements after this one in the file.
    pub later: &'a [Stmt],
    /// The live server's major version, when known.
    pub server_major: Option<u32>,
    /// The live server's product and version, when known.
    pub server: Option<&'a crate::ServerVersion>,
    /// The live layout of the table the statement changes, when the facts have it.
    pub live: Option<&'a crate::LiveTable>,
}

impl Cx<'_> {
    /// The table and actions of an `ALTER TABLE` on a table that existed before this file
    /// (see [`Cx::is_existing`]).
    pub(crate) fn alter_existing_table(&self) -> Option<(TableName, &[AlterTableOperation])> {
        match &self.statement.ast {
            Some(Statement::AlterTable(alter)) => {
                let table = TableName::from_object(&alter.name);
                self.is_existing(&table)
                    .then_some((table, alter.operations.as_slice()))
            }
            _ => None,
        }
    }

    /// The table of an `ALTER TABLE` on a table that existed before this file, and how many
    /// constraints it adds without `NOT VALID` that `kind` accepts (checks, foreign keys).
    pub(crate) fn validated_constraints_added(
        &self,
        kind: impl Fn(&TableConstraint) -> bool,
    ) -> Option<(TableName, usize)> {
        let (table, operations) = self.alter_existing_table()?;
        let added = operations
            .iter()
            .filter(|operation| {
                matches!(
                    operation,
                    AlterTableOperation::AddConstraint { constraint, not_valid: false }
                        if kind(constraint)
                )
            })
            .count();
        Some((table, added))
    }

    /// The `ALTER COLUMN … TYPE` changes (MySQL: `MODIFY`/`CHANGE` to another type) of this
    /// statement on a table that existed before this file, each compared with the column's
    /// type so far.
    pub(crate) fn column_type_changes(&self) -> Vec<ColumnTypeChange> {
        let Some((table, operations)) = self.alter_existing_table() else {
            return Vec::new();
        };
        operations
            .iter()
            .filter_map(|operation| match operation {
                AlterTableOperation::AlterColumn {
                    column_name,
                    op:
                        AlterColumnOperation::SetDataType {
                            data_type, using, ..
                        },
                } => {
                    let column = crate::names::ident(column_name);
                    let old = self
                        .history
                        .columns
                        .get(&(table.clone(), column.clone()))
                        .cloned();
                    let new = data_type.to_string();
                    let change = crate::types::compare(old.as_deref(), &new, using.is_some());
                    Some(ColumnTypeChange {
                        table: table.clone(),
                        column,
                        old,
                        new,
                        change,
                    })
                }
                // MySQL's `MODIFY`/`CHANGE` restate the whole column: a type change only when
                // the type differs.
                AlterTableOperation::ModifyColumn {
                    col_name: column_name,
                    data_type,
                    ..
                }
                | AlterTableOperation::ChangeColumn {
                    old_name: column_name,
                    data_type,
                    ..
                } => {
                    let column = crate::names::ident(column_name);
                    let old = self
                        .history
                        .columns
                        .get(&(table.clone(), column.clone()))
                        .cloned();
                    let new = data_type.to_string();
                    let change = crate::types::compare(old.as_deref(), &new, false);
                    (change != crate::types::TypeChange::InPlace).then(|| ColumnTypeChange {
                        table: table.clone(),
                        column,
                        old,
                        new,
                        change,
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// What the column was before this statement: as the files read left it, with what only
    /// the live table tells (its character set, and an `ON UPDATE` or comment set by hand);
    /// the live column alone when the files do not have it.
    pub(crate) fn column_before(&self, table: &TableName, column: &str) -> Option<ColumnBefore> {
        let key = (table.clone(), column.to_owned());
        let live = self.live.and_then(|live| live.column(column));
        let data_type = match self.history.columns.get(&key) {
            Some(data_type) => data_type.clone(),
            None => live?.data_type.clone(),
        };
        let written = self
            .history
            .restated_attributes
            .get(&key)
            .cloned()
            .unwrap_or_default();
        Some(ColumnBefore {
            data_type,
            nullable: self
                .history
                .nullable
                .get(&key)
                .copied()
                .or(live.map(|live| live.nullable)),
            bytes_per_char: live.and_then(|live| live.bytes_per_char),
            charset: live.and_then(|live| live.charset.clone()),
            restated: RestatedAttributes {
                on_update: written
                    .on_update
                    .or_else(|| live.and_then(|live| live.on_update.clone())),
                comment: written
                    .comment
                    .or_else(|| live.and_then(|live| live.comment.clone())),
            },
        })
    }

    /// Whether `table` existed before this file: tables the file creates are empty and unseen
    /// by the app, so locks and rewrites on them cost nothing.
    pub(crate) fn is_existing(&self, table: &TableName) -> bool {
        !self.file.is_new(table)
    }
}

/// One finding of a statement rule, before ignore comments and live facts are applied.
pub(crate) struct Hit {
    pub rule: &'static RuleInfo,
    pub message: String,
    /// The table whose size decides a size-sensitive rule.
    pub table: Option<TableName>,
    /// A level other than the rule's own, when the rule is less sure.
    pub level: Option<Level>,
}

impl Hit {
    pub(crate) fn new(rule: &'static RuleInfo, message: String) -> Hit {
        Hit {
            rule,
            message,
            table: None,
            level: None,
        }
    }

    #[must_use]
    pub(crate) fn on(mut self, table: &TableName) -> Hit {
        self.table = Some(table.clone());
        self
    }

    #[must_use]
    pub(crate) fn at(mut self, level: Level) -> Hit {
        self.level = Some(level);
        self
    }
}

/// A statement rule.
pub(crate) type Check = fn(&Cx<'_>, &mut Vec<Hit>);

/// Every statement rule, in code order.
pub(crate) const STATEMENT_RULES: &[(&RuleInfo, Check)] = &[
    (&unparsed_statement::RULE, unparsed_statement::check),
    (&drop_table::RULE, drop_table::check),
    (&drop_column::RULE, drop_column::check),
    (&drop_enum_value::RULE, drop_enum_value::check),
    (&narrowing_type_change::RULE, narrowing_type_change::check),
    (&truncate::RULE, truncate::check),
    (&delete_without_where::RULE, delete_without_where::check),
    (&update_without_where::RULE, update_without_where::check),
    (&drop_database::RULE, drop_database::check),
    (
        &require_concurrent_index::RULE,
        require_concurrent_index::check,
    ),
    (
        &require_concurrent_index_drop::RULE,
        require_concurrent_index_drop::check,
    ),
    (
        &constraint_without_using_index::RULE,
        constraint_without_using_index::check,
    ),
    (
        &foreign_key_without_not_valid::RULE,
        foreign_key_without_not_valid::check,
    ),
    (
        &check_without_not_valid::RULE,
        check_without_not_valid::check,
    ),
    (
        &set_not_null_without_check::RULE,
        set_not_null_without_check::check,
    ),
    (
        &volatile_column_default::RULE,
        volatile_column_default::check,
    ),
    (&rewriting_type_change::RULE, rewriting_type_change::check),
    (&vacuum_full::RULE, vacuum_full::check),
    (&cluster::RULE, cluster::check),
    (
        &reindex_without_concurrently::RULE,
        reindex_without_concurrently::check,
    ),
    (
        &detach_partition_without_concurrently::RULE,
        detach_partition_without_concurrently::check,
    ),
    (&domain_constraint::RULE, domain_constraint::check),
    (&rename_table::RULE, rename_table::check),
    (&rename_column::RULE, rename_column::check),
    (&add_required_column::RULE, add_required_column::check),
    (&drop_not_null::RULE, drop_not_null::check),
    (
        &concurrently_in_transaction::RULE,
        concurrently_in_transaction::check,
    ),
    (
        &enum_value_used_in_transaction::RULE,
        enum_value_used_in_transaction::check,
    ),
    (&transaction_nesting::RULE, transaction_nesting::check),
    (&require_lock_timeout::RULE, require_lock_timeout::check),
    (&mysql_copying_alter::RULE, mysql_copying_alter::check),
    (&mysql_table_rebuild::RULE, mysql_table_rebuild::check),
    (&mysql_foreign_key_copy::RULE, mysql_foreign_key_copy::check),
    (
        &mysql_fulltext_spatial_index::RULE,
        mysql_fulltext_spatial_index::check,
    ),
    (
        &mysql_alter_without_algorithm::RULE,
        mysql_alter_without_algorithm::check,
    ),
    (
        &mysql_instant_column_limit::RULE,
        mysql_instant_column_limit::check,
    ),
    (
        &mysql_modify_drops_attributes::RULE,
        mysql_modify_drops_attributes::check,
    ),
    (
        &mysql_require_lock_wait_timeout::RULE,
        mysql_require_lock_wait_timeout::check,
    ),
];

/// Every rule, in code order.
pub const ALL: &[&RuleInfo] = &[
    &unparsed_statement::RULE,
    &drop_table::RULE,
    &drop_column::RULE,
    &drop_enum_value::RULE,
    &narrowing_type_change::RULE,
    &truncate::RULE,
    &delete_without_where::RULE,
    &update_without_where::RULE,
    &drop_database::RULE,
    &require_concurrent_index::RULE,
    &require_concurrent_index_drop::RULE,
    &constraint_without_using_index::RULE,
    &foreign_key_without_not_valid::RULE,
    &check_without_not_valid::RULE,
    &set_not_null_without_check::RULE,
    &volatile_column_default::RULE,
    &rewriting_type_change::RULE,
    &vacuum_full::RULE,
    &cluster::RULE,
    &reindex_without_concurrently::RULE,
    &detach_partition_without_concurrently::RULE,
    &domain_constraint::RULE,
    &rename_table::RULE,
    &rename_column::RULE,
    &add_required_column::RULE,
    &drop_not_null::RULE,
    &concurrently_in_transaction::RULE,
    &enum_value_used_in_transaction::RULE,
    &transaction_nesting::RULE,
    &require_lock_timeout::RULE,
    &migration_name::RULE,
    &mysql_copying_alter::RULE,
    &mysql_table_rebuild::RULE,
    &mysql_foreign_key_copy::RULE,
    &mysql_fulltext_spatial_index::RULE,
    &mysql_alter_without_algorithm::RULE,
    &mysql_instant_column_limit::RULE,
    &mysql_require_lock_wait_timeout::RULE,
    &mysql_modify_drops_attributes::RULE,
];

/// The rule with this name or code.
pub fn find(name_or_code: &str) -> Option<&'static RuleInfo> {
    ALL.iter().copied().find(|rule| {
        rule.name.eq_ignore_ascii_case(name_or_code) || rule.code.eq_ignore_ascii_case(name_or_code)
    })
}
