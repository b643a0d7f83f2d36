//! `migrate dev --zero-downtime` on MySQL and MariaDB: a diff split into expand, backfill,
//! validate and contract phases, so that the application versions before and after the change
//! both work between phases and every statement runs online (InnoDB's online DDL, as the
//! linter's `D47xx` rules judge it for MySQL 8 and MariaDB 10.6+).
//!
//! - Columns are added and dropped, defaults changed and enum values appended at the end with
//!   `ALGORITHM=INSTANT`; other in-place changes (a longer `VARCHAR` whose length prefix keeps
//!   its size, a column made nullable, `NOT NULL` after the backfill, indexes) with
//!   `ALGORITHM=INPLACE, LOCK=NONE`. The server refuses such a statement rather than copy the
//!   table while writes wait.
//! - Columns whose data must move (a renamed column, a type change the server makes by copying
//!   the table) get a second column kept equal by `BEFORE INSERT`/`BEFORE UPDATE` triggers while
//!   both application versions run, a batched backfill, and the old column dropped at contract.
//! - MySQL has no `NOT VALID`: a foreign key of an existing table is added at expand with
//!   `foreign_key_checks = 0` (in place, new rows checked from then on), and the rows older than
//!   it are checked at validate by a statement that fails when one has no parent row.
//! - A renamed table leaves an updatable view under its old name until contract.
//! - Every drop waits for contract: old application versions may still read what is dropped.
//!
//! What the server can only do by copying the table (a key column retyped or renamed, a primary
//! key changed, enum values removed, an `AUTO_INCREMENT` column added) is written as in the
//! single migration, with a comment saying that writes wait.

use std::collections::HashSet;

use drydock_connector::{
    DiffFacts, Phase, PhaseKind, PhaseScripts, Sections, batch_key, join_statements, key_of,
    lint_ignore, nullable_without_default, split_in_place,
};
use drydock_diff::{Change, ColumnChange, TableChange, made_for_foreign_key};
use drydock_schema::{
    Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexKind, ObjectName, SqlSchema, Table,
};

use crate::render::{self, add_foreign_key, quote, render_default, render_index_online};
use crate::types::MySqlType;

/// Rows per batch of a backfill.
const BACKFILL_BATCH: u32 = 10_000;

/// Only the data dictionary changes; both servers refuse rather than rebuild.
const INSTANT: &str = "ALGORITHM=INSTANT";

/// In place while reads and writes go on; both servers refuse rather than copy.
const ONLINE: &str = "ALGORITHM=INPLACE, LOCK=NONE";

/// The phases of `changes`, a diff leading to `target`; only phases with statements.
pub(crate) fn plan(changes: &[Change], target: &SqlSchema) -> Vec<Phase> {
    let mut planner = Planner::new(changes, target);
    for change in changes {
        planner.change(change);
    }
    planner.finish()
}

/// A change rendered as in the single migration.
trait PushChange {
    fn push_change(&mut self, change: &Change);
}

impl PushChange for Sections {
    fn push_change(&mut self, change: &Change) {
        self.push_text(change.header(), render::render_change(change));
    }
}

/// The validate phase in run order: rows older than new foreign keys checked, `NOT NULL` set,
/// then indexes dropped before ones of the same name are built.
#[derive(Default)]
struct ValidatePhase {
    foreign_keys: PhaseScripts,
    not_null: PhaseScripts,
    drop_indexes: PhaseScripts,
    create_indexes: PhaseScripts,
}

/// The contract phase in run order: compatibility views and sync triggers first (they use the
/// old columns), then the switch to the new columns, then the drops of the diff, then enum
/// values removed.
#[derive(Default)]
struct ContractPhase {
    views: PhaseScripts,
    triggers: PhaseScripts,
    columns: PhaseScripts,
    drops: PhaseScripts,
    enums: PhaseScripts,
}

/// A column whose data moves to another column through sync triggers and a backfill.
struct Doubled<'a> {
    table: &'a ObjectName,
    /// The column the old application version uses.
    old: Column,
    /// The column the data moves to, as it is added: nullable, without default.
    new: Column,
    /// The column as the schema wants it in the end.
    target: Column,
    /// The new column is the old one retyped: at contract it takes the old one's name.
    retyped: bool,
}

impl Doubled<'_> {
    /// The trigger of `event` (`insert` or `update`), named after the new column.
    fn trigger(&self, event: &str) -> String {
        quote(&format!(
            "{}_{}_sync_{event}",
            self.table.name, self.new.name
        ))
    }

    /// The triggers keeping both columns equal. Writes from the new side (the new column set on
    /// insert, or changed by an update) are copied to the old column; every other write copies
    /// the old column to the new one, which also fills rows not backfilled yet. Assignments
    /// convert between the columns' types as the server converts any value it stores.
    fn create_sync(&self) -> Vec<String> {
        let (old, new) = (quote(&self.old.name), quote(&self.new.name));
        let table = render::table(self.table);
        vec![
            format!(
                "CREATE TRIGGER {} BEFORE INSERT ON {table} FOR EACH ROW\nBEGIN\n  IF NEW.{new} \
                 IS NULL THEN\n    SET NEW.{new} = NEW.{old};\n  ELSE\n    SET NEW.{old} = \
                 NEW.{new};\n  END IF;\nEND",
                self.trigger("insert")
            ),
            format!(
                "CREATE TRIGGER {} BEFORE UPDATE ON {table} FOR EACH ROW\nBEGIN\n  IF NOT \
                 (NEW.{new} <=> OLD.{new}) THEN\n    SET NEW.{old} = NEW.{new};\n  ELSE\n    SET \
                 NEW.{new} = NEW.{old};\n  END IF;\nEND",
                self.trigger("update")
            ),
        ]
    }

    fn drop_sync(&self) -> Vec<String> {
        ["insert", "update"]
            .iter()
            .map(|event| format!("DROP TRIGGER {}", self.trigger(event)))
            .collect()
    }
}

/// How the servers make a column's type change without copying the table, as the linter's
/// `mysql_ddl` judges it: a longer `VARCHAR` whose length prefix keeps its size (1 byte up to
/// 255 bytes, counted as `utf8mb4`) in place, enum values appended at the end instantly. `None`:
/// the table is copied.
fn online_type_change(from: &Column, to: &Column) -> Option<&'static str> {
    match (
        MySqlType::parse(&from.column_type.native)?,
        MySqlType::parse(&to.column_type.native)?,
    ) {
        (MySqlType::VarChar(n), MySqlType::VarChar(m))
            if m >= n && ((n * 4 <= 255) == (m * 4 <= 255)) =>
        {
            Some(ONLINE)
        }
        (MySqlType::Enum(before), MySqlType::Enum(after)) if appends(&before, &after) => {
            Some(INSTANT)
        }
        _ => None,
    }
}

/// Whether `after` is `before` with values appended, its storage size kept (255 values fit a
/// byte).
fn appends(before: &[String], after: &[String]) -> bool {
    after.starts_with(before) && (before.len() <= 255) == (after.len() <= 255)
}

/// The values of an enum column's type.
fn enum_values(column: &Column) -> Option<Vec<String>> {
    match MySqlType::parse(&column.column_type.native)? {
        MySqlType::Enum(values) => Some(values),
        _ => None,
    }
}

/// `column` with the enum type of `values`.
fn with_enum(column: &Column, values: Vec<String>) -> Column {
    let mut column = column.clone();
    column.column_type.native = MySqlType::Enum(values).to_prisma_sql();
    column
}

/// Whether `default` is a constant: a column with a constant default is added instantly; an
/// expression or the current time is evaluated for existing rows, so those are backfilled.
fn is_constant(default: &DefaultValue) -> bool {
    !matches!(default, DefaultValue::Now | DefaultValue::Expression(_))
}

/// `ALTER TABLE` of `changes` as the single migration writes it, with the algorithm clause.
fn alter_with(table: &ObjectName, changes: Vec<TableChange>, clause: &str) -> String {
    let sql = render::render_change(&Change::AlterTable {
        table: table.clone(),
        changes,
    });
    if sql.is_empty() {
        return sql;
    }
    format!("{}, {clause};", sql.trim_end().trim_end_matches(';'))
}

fn alter(table: &ObjectName, changes: Vec<TableChange>) -> String {
    render::render_change(&Change::AlterTable {
        table: table.clone(),
        changes,
    })
}

/// A `MODIFY` from `from` to `to` with the aspects that differ.
fn modify(from: &Column, to: &Column) -> TableChange {
    TableChange::AlterColumn(ColumnChange {
        from: from.clone(),
        to: to.clone(),
        arity_changed: from.arity != to.arity,
        default_changed: from.default != to.default,
        auto_increment_changed: false,
        identity_changed: false,
        collation_changed: false,
        on_update_changed: false,
        inheritors_made_nullable: None,
        detached_partitions: Vec::new(),
        type_change: (from.column_type != to.column_type)
            .then_some(drydock_diff::TypeChange::SafeCast),
    })
}

/// `column`'s default set, for new rows, on the column as it is (nullable).
fn set_default(table: &ObjectName, column: &Column, nullable: bool) -> String {
    let with = Column {
        arity: if nullable {
            ColumnArity::Nullable
        } else {
            column.arity
        },
        ..column.clone()
    };
    let without = Column {
        default: None,
        ..with.clone()
    };
    alter_with(table, vec![modify(&without, &with)], INSTANT)
}

/// `NOT NULL` on `column`: the table is rebuilt in place while writes go on; it fails on a row
/// without a value.
fn set_not_null(table: &ObjectName, column: &Column) -> String {
    let nullable = Column {
        arity: ColumnArity::Nullable,
        ..column.clone()
    };
    let required = Column {
        arity: ColumnArity::Required,
        ..column.clone()
    };
    alter_with(table, vec![modify(&nullable, &required)], ONLINE)
}

/// The changes of one existing table that go through the plain `ALTER TABLE`s of expand.
#[derive(Default)]
struct TableWork {
    instant: Vec<TableChange>,
    online: Vec<TableChange>,
    contract: Vec<TableChange>,
    after_expand: PhaseScripts,
}

struct Planner<'a> {
    target: &'a SqlSchema,
    facts: DiffFacts,
    /// Indexes of the schema that doubled columns rebuild, by table.
    rebuilt_indexes: HashSet<(ObjectName, String)>,
    /// Renamed tables (old name, new name): a view keeps the old name working until contract.
    renamed_tables: Vec<(ObjectName, ObjectName)>,
    expand: PhaseScripts,
    backfill: PhaseScripts,
    validate: ValidatePhase,
    contract: ContractPhase,
}

impl<'a> Planner<'a> {
    fn new(changes: &[Change], target: &'a SqlSchema) -> Self {
        Planner {
            target,
            facts: DiffFacts::of(changes),
            rebuilt_indexes: HashSet::new(),
            renamed_tables: Vec::new(),
            expand: PhaseScripts::default(),
            backfill: PhaseScripts::default(),
            validate: ValidatePhase::default(),
            contract: ContractPhase::default(),
        }
    }

    fn change(&mut self, change: &Change) {
        match change {
            Change::CreateSchema { .. } | Change::CreateTable { .. } => {
                self.expand.up.push_change(change);
            }
            Change::RenameTable { from, to, .. } => {
                self.expand.up.push_text(
                    change.header(),
                    lint_ignore("rename-table", &render::render_change(change)),
                );
                self.expand.undo.push_text(
                    change.header(),
                    render::render_change(&Change::RenameTable {
                        from: to.clone(),
                        to: from.clone(),
                        auto_increment_columns: Vec::new(),
                    }),
                );
                self.renamed_tables.push((from.clone(), to.clone()));
            }
            Change::DropForeignKey { table, foreign_key } => {
                if self.facts.goes_with_a_drop(table, foreign_key) {
                    self.contract.drops.up.push_change(change);
                } else {
                    // A changed key is dropped and added again under the same name.
                    self.expand.up.push_change(change);
                }
            }
            Change::DropIndex { table, index } => {
                if self
                    .facts
                    .recreated(table, index.columns.iter().map(|c| c.name.as_str()))
                {
                    self.contract.drops.up.push_change(change);
                } else {
                    self.validate
                        .drop_indexes
                        .up
                        .push_text("DropIndex", render_index_online(change));
                }
            }
            Change::AlterTable { table, changes } => self.alter_table(table, changes),
            Change::DropTable { .. } => self.contract.drops.up.push_text(
                change.header(),
                lint_ignore("drop-table", &render::render_change(change)),
            ),
            Change::CreateIndex { table, index } => {
                // Built on the doubled column already.
                if self
                    .rebuilt_indexes
                    .contains(&(table.clone(), index.name.clone()))
                {
                    return;
                }
                let columns = index.columns.iter().map(|c| c.name.as_str());
                if self.facts.created_tables.contains(table) {
                    self.expand.up.push_change(change);
                } else if self.facts.recreated(table, columns) {
                    self.contract.drops.up.push_change(change);
                } else {
                    self.create_index_online(change, index);
                }
            }
            Change::RedefineIndex { table, from, to } => {
                self.validate.drop_indexes.up.push_text(
                    "DropIndex",
                    render_index_online(&Change::DropIndex {
                        table: table.clone(),
                        index: from.clone(),
                    }),
                );
                self.create_index_online(
                    &Change::CreateIndex {
                        table: table.clone(),
                        index: to.clone(),
                    },
                    to,
                );
            }
            Change::AddForeignKey { table, foreign_key } => {
                self.add_foreign_key(change, table, foreign_key);
            }
            Change::RenameIndex { table, to, .. } => {
                // A rebuilt index takes its new name; the old one goes with the old column.
                if !self.rebuilt_indexes.contains(&(table.clone(), to.clone())) {
                    self.expand.up.push_change(change);
                }
            }
            // MySQL has none of these: its lowering and hooks never make the differ emit them.
            Change::RenameForeignKey { .. }
            | Change::DropExtension { .. }
            | Change::CreateExtension { .. }
            | Change::AlterExtension { .. }
            | Change::CreateEnum { .. }
            | Change::AlterEnum(_)
            | Change::DropEnum { .. }
            | Change::CreatePartition { .. }
            | Change::AlterPartitionChecks { .. }
            | Change::DropPartition { .. }
            | Change::RedefineTables { .. } => self.expand.up.push_change(change),
        }
    }

    /// An index of an existing table, built at validate while writes go on. A full-text index
    /// is built with writes blocked whatever is asked: it is written as in the single migration,
    /// with a comment saying so.
    fn create_index_online(&mut self, change: &Change, index: &Index) {
        let sql = if index.kind == IndexKind::Fulltext {
            format!(
                "-- A FULLTEXT index is built with writes to the table blocked (LOCK=SHARED at \
                 best), as in the single migration.\n{}",
                lint_ignore(
                    "mysql-fulltext-spatial-index",
                    &render::render_change(change)
                )
            )
        } else {
            render_index_online(change)
        };
        self.validate
            .create_indexes
            .up
            .push_text("CreateIndex", sql);
    }

    /// A foreign key of an existing table: with `foreign_key_checks = 0` InnoDB adds it in
    /// place without reading the rows, and checks every row written from then on (the
    /// session's setting only skips the check of the rows already there). Those rows are checked
    /// at validate.
    fn add_foreign_key(&mut self, change: &Change, table: &ObjectName, foreign_key: &ForeignKey) {
        if self
            .facts
            .recreated(table, foreign_key.columns.iter().map(String::as_str))
        {
            self.contract.drops.up.push_change(change);
            return;
        }
        if self.facts.created_tables.contains(table) {
            self.expand.up.push_change(change);
            return;
        }
        let add = format!("{}, {ONLINE}", add_foreign_key(table, foreign_key));
        self.expand.up.push(
            change.header(),
            &[
                "SET foreign_key_checks = 0".to_owned(),
                add,
                "SET foreign_key_checks = 1".to_owned(),
            ],
        );
        // Undone by hand: the index the server made for the key stays when the key goes, and a
        // schema diff leaves such an index alone.
        let name = quote(foreign_key.name.as_deref().unwrap_or_default());
        let mut undo = vec![format!(
            "ALTER TABLE {} DROP FOREIGN KEY {name}",
            render::table(table)
        )];
        let made_for_it = self
            .target
            .table(table.namespace.as_deref(), &table.name)
            .is_some_and(|t| {
                t.indexes.iter().any(|index| {
                    Some(index.name.as_str()) == foreign_key.name.as_deref()
                        && made_for_foreign_key(t, index)
                })
            });
        if made_for_it {
            undo.push(format!("DROP INDEX {name} ON {}", render::table(table)));
        }
        self.expand.undo.push("DropForeignKey", &undo);
        self.validate
            .foreign_keys
            .up
            .push_text("ValidateForeignKey", check_foreign_key(table, foreign_key));
    }

    fn alter_table(&mut self, table: &ObjectName, changes: &[TableChange]) {
        let Some(next) = self.target.table(table.namespace.as_deref(), &table.name) else {
            self.in_place(table, changes, "the schema does not describe the table");
            return;
        };
        if let Some(reason) = self.in_place_reason(next, changes) {
            self.in_place(table, changes, &reason);
            return;
        }
        let key = batch_key(next, changes);
        let renamed: Vec<&str> = changes
            .iter()
            .filter_map(|change| match change {
                TableChange::RenameColumn { to, .. } => Some(to.as_str()),
                _ => None,
            })
            .collect();
        let mut work = TableWork::default();
        let mut doubled = Vec::new();
        for change in changes {
            match change {
                TableChange::RenameColumn { from, to, .. } => {
                    let Some(target) = next.column(to) else {
                        continue;
                    };
                    // The old column keeps its type when the rename also retypes it.
                    let previous = changes
                        .iter()
                        .find_map(|change| match change {
                            TableChange::AlterColumn(c) if c.to.name == *to => Some(&c.from),
                            _ => None,
                        })
                        .unwrap_or(target);
                    doubled.push(Doubled {
                        table,
                        old: Column {
                            name: from.clone(),
                            ..previous.clone()
                        },
                        new: nullable_without_default(target, to),
                        target: target.clone(),
                        retyped: false,
                    });
                }
                // Part of the rename: the new column is added as the schema wants it.
                TableChange::AlterColumn(c) if renamed.contains(&c.to.name.as_str()) => {}
                TableChange::AlterColumn(c) if copies(c) && !enum_change(c) => {
                    doubled.push(Doubled {
                        table,
                        old: c.from.clone(),
                        new: nullable_without_default(&c.to, &format!("{}_new", c.to.name)),
                        target: c.to.clone(),
                        retyped: true,
                    });
                }
                TableChange::AlterColumn(c) => self.alter_column(table, c, &mut work),
                TableChange::AddColumn { column } => {
                    self.add_column(table, column, key.as_deref(), &mut work);
                }
                TableChange::DropColumn { .. } | TableChange::DropAndRecreateColumn { .. } => {
                    work.contract.push(change.clone());
                }
                // In place (see `in_place_reason`); a MySQL primary key has no name to change,
                // and tables do not inherit.
                TableChange::AddPrimaryKey { .. }
                | TableChange::DropPrimaryKey { .. }
                | TableChange::RenamePrimaryKey { .. }
                | TableChange::Inherit { .. }
                | TableChange::NoInherit { .. } => {}
            }
        }
        if !work.instant.is_empty() {
            self.expand
                .up
                .push_text("AlterTable", alter_with(table, work.instant, INSTANT));
        }
        if !work.online.is_empty() {
            self.expand
                .up
                .push_text("AlterTable", alter_with(table, work.online, ONLINE));
        }
        self.expand.extend(work.after_expand);
        for doubled in &doubled {
            self.double(doubled, key.as_deref());
        }
        self.rebuild_indexes(table, next, &doubled);
        if !work.contract.is_empty() {
            self.contract
                .drops
                .up
                .push_text("AlterTable", drop_columns(table, work.contract));
        }
    }

    /// Why the table's changes cannot be made online: a column that would be doubled is part of
    /// a key, a primary key changes, or an `AUTO_INCREMENT` column comes.
    fn in_place_reason(&self, next: &Table, changes: &[TableChange]) -> Option<String> {
        let table = render::table(&next.object_name());
        changes.iter().find_map(|change| match change {
            TableChange::RenameColumn { to, .. } => Some(format!(
                "{}, so it cannot be doubled: it is renamed in place, which breaks application \
                 versions still using the old name",
                key_of(self.target, next, next.column(to)?, quote)?
            )),
            TableChange::AlterColumn(c) if copies(c) => {
                let reason = if c.auto_increment_changed {
                    format!("AUTO_INCREMENT comes or goes on {}", quote(&c.to.name))
                } else if enum_change(c) {
                    return None;
                } else {
                    key_of(self.target, next, &c.to, quote)?
                };
                Some(format!(
                    "{reason}, so it cannot be doubled: the server changes it by copying \
                     {table}, and writes to it wait until the copy ends"
                ))
            }
            TableChange::AddPrimaryKey { .. } | TableChange::DropPrimaryKey { .. } => {
                Some(format!(
                    "the primary key of {table} changes: the server rebuilds the table, and \
                     copies it (writes waiting) when a key is dropped without another"
                ))
            }
            TableChange::AddColumn { column } if column.auto_increment => Some(format!(
                "adding the AUTO_INCREMENT column {} copies {table}, and writes to it wait until \
                 the copy ends",
                quote(&column.name)
            )),
            _ => None,
        })
    }

    /// The table's changes as in the single migration, drops at contract.
    fn in_place(&mut self, table: &ObjectName, changes: &[TableChange], reason: &str) {
        let (drops, rest, renames_back) = split_in_place(changes);
        if !rest.is_empty() {
            self.expand.up.push_text(
                "AlterTable",
                format!(
                    "-- As in a single migration: {reason}.\n{}",
                    lint_ignore(
                        "mysql-copying-alter, mysql-table-rebuild",
                        &alter(table, rest)
                    )
                ),
            );
            if !renames_back.is_empty() {
                self.expand
                    .undo
                    .push_text("AlterTable", alter(table, renames_back));
            }
        }
        if !drops.is_empty() {
            self.contract
                .drops
                .up
                .push_text("AlterTable", drop_columns(table, drops));
        }
    }

    /// A column change that copies no data: instant or in place at expand, `NOT NULL` at
    /// validate (after the backfill), enum values removed at contract (the server copies the
    /// table for that, as in the single migration).
    fn alter_column(&mut self, table: &ObjectName, change: &ColumnChange, work: &mut TableWork) {
        let made_required = change.arity_changed
            && change.from.arity == ColumnArity::Nullable
            && change.to.arity == ColumnArity::Required;
        let mut interim = change.to.clone();
        if made_required {
            interim.arity = ColumnArity::Nullable;
        }
        if let (Some(before), Some(after)) = (enum_values(&change.from), enum_values(&change.to))
            && !appends(&before, &after)
        {
            // Added values are appended to the old list until contract.
            let mut kept = before.clone();
            kept.extend(after.iter().filter(|v| !before.contains(v)).cloned());
            interim = with_enum(&interim, kept);
            let removed = ColumnChange {
                from: with_enum(&change.to, enum_values(&interim).unwrap_or_default()),
                to: change.to.clone(),
                arity_changed: false,
                default_changed: false,
                auto_increment_changed: false,
                type_change: Some(drydock_diff::TypeChange::RiskyCast),
                ..change.clone()
            };
            self.contract.enums.up.push_text(
                "AlterTable",
                format!(
                    "-- Values leave {}: the server copies the table for that, and writes to it \
                     wait until the copy ends, as in the single migration.\n{}",
                    quote(&change.to.name),
                    lint_ignore(
                        "mysql-copying-alter",
                        &alter(table, vec![TableChange::AlterColumn(removed)])
                    )
                ),
            );
        }
        let type_change = match (enum_values(&change.from), enum_values(&interim)) {
            (Some(before), Some(kept)) if before == kept => None,
            _ => change.type_change,
        };
        let rest = ColumnChange {
            to: interim.clone(),
            arity_changed: change.arity_changed && !made_required,
            type_change,
            ..change.clone()
        };
        if rest.arity_changed || rest.default_changed || rest.type_change.is_some() {
            if online_clause(&rest) == INSTANT {
                work.instant.push(TableChange::AlterColumn(rest));
            } else {
                work.online.push(TableChange::AlterColumn(rest));
            }
        }
        if made_required {
            let required = Column {
                arity: ColumnArity::Required,
                ..interim
            };
            self.validate
                .not_null
                .up
                .push_text("SetNotNull", set_not_null(table, &required));
        }
    }

    /// A new column of an existing table. Nullable ones, and required ones with a constant
    /// default, are added instantly. A default evaluated per row (an expression, the current
    /// time) is given to new rows at expand and to existing ones by the backfill, before
    /// `NOT NULL` at validate. A required column without a default is nullable until contract,
    /// when the new version has filled it.
    fn add_column(
        &mut self,
        table: &ObjectName,
        column: &Column,
        key: Option<&str>,
        work: &mut TableWork,
    ) {
        let required = column.arity == ColumnArity::Required;
        match &column.default {
            Some(default) if required && !is_constant(default) => {
                work.instant.push(TableChange::AddColumn {
                    column: nullable_without_default(column, &column.name),
                });
                work.after_expand
                    .up
                    .push_text("AlterTable", set_default(table, column, true));
                let value = render_default(column).unwrap_or_else(|| "NULL".to_owned());
                let unset = format!("{} IS NULL", quote(&column.name));
                self.backfill(table, &column.name, &value, &unset, key);
                self.validate
                    .not_null
                    .up
                    .push_text("SetNotNull", set_not_null(table, column));
            }
            None if required => {
                work.instant.push(TableChange::AddColumn {
                    column: nullable_without_default(column, &column.name),
                });
                self.contract.columns.up.push_text(
                    "AlterTable",
                    format!(
                        "-- {} has no default: the new application version fills it; rows \
                         without a value must be filled before this runs (the backfill phase is \
                         the place). The table is rebuilt in place while writes go on.\n{}",
                        quote(&column.name),
                        set_not_null(table, column)
                    ),
                );
            }
            _ => work.instant.push(TableChange::AddColumn {
                column: column.clone(),
            }),
        }
    }

    /// One batched `UPDATE` setting `column` to `value` where `condition` holds.
    fn backfill(
        &mut self,
        table: &ObjectName,
        column: &str,
        value: &str,
        condition: &str,
        key: Option<&str>,
    ) {
        let update = format!(
            "UPDATE {} SET {} = {value} WHERE {condition}",
            render::table(table),
            quote(column)
        );
        let statement = match key {
            Some(key) => format!(
                "-- drydock:backfill key={} batch={BACKFILL_BATCH}\n{update}",
                quote(key)
            ),
            None => format!(
                "-- {} has no single-column primary key to batch by: one UPDATE changes every \
                 row.\n{update}",
                render::table(table)
            ),
        };
        self.backfill.up.push("Backfill", &[statement]);
    }

    /// A renamed or retyped column as a second column: added with sync triggers at expand,
    /// backfilled, made required at validate, and switched to at contract.
    fn double(&mut self, doubled: &Doubled<'_>, key: Option<&str>) {
        let table = doubled.table;
        self.expand.up.push_text(
            "AlterTable",
            alter_with(
                table,
                vec![TableChange::AddColumn {
                    column: doubled.new.clone(),
                }],
                INSTANT,
            ),
        );
        self.expand
            .up
            .push("CreateSyncTrigger", &doubled.create_sync());
        self.expand
            .undo
            .push("DropSyncTrigger", &doubled.drop_sync());

        let (old, new) = (quote(&doubled.old.name), quote(&doubled.new.name));
        self.backfill(
            table,
            &doubled.new.name,
            &old,
            &format!("{new} IS NULL AND {old} IS NOT NULL"),
            key,
        );
        if doubled.target.arity == ColumnArity::Required {
            let required = Column {
                arity: ColumnArity::Required,
                ..doubled.new.clone()
            };
            self.validate
                .not_null
                .up
                .push_text("SetNotNull", set_not_null(table, &required));
        }

        self.contract
            .triggers
            .up
            .push("DropSyncTrigger", &doubled.drop_sync());
        self.contract
            .triggers
            .undo
            .push("CreateSyncTrigger", &doubled.create_sync());
        let old_name = &doubled.old.name;
        let mut statements = vec![drop_columns(
            table,
            vec![TableChange::DropColumn {
                column: doubled.old.clone(),
            }],
        )];
        let mut restore = Vec::new();
        if doubled.retyped {
            let rename = |from: &str, to: &str| {
                alter_with(
                    table,
                    vec![TableChange::RenameColumn {
                        from: from.to_owned(),
                        to: to.to_owned(),
                        auto_increment: false,
                    }],
                    INSTANT,
                )
            };
            statements.push(lint_ignore(
                "rename-column",
                &rename(&doubled.new.name, old_name),
            ));
            restore.push(rename(old_name, &doubled.new.name));
        }
        if doubled.target.default.is_some() {
            statements.push(set_default(table, &doubled.target, false));
        }
        // Down: the old column back, with the data the new one has.
        restore.push(alter_with(
            table,
            vec![TableChange::AddColumn {
                column: nullable_without_default(&doubled.old, old_name),
            }],
            INSTANT,
        ));
        restore.push(format!(
            "UPDATE {} SET {} = {};",
            render::table(table),
            quote(old_name),
            quote(if doubled.retyped {
                &doubled.new.name
            } else {
                &doubled.target.name
            })
        ));
        self.contract
            .columns
            .up
            .push_text("AlterTable", statements.join("\n"));
        self.contract
            .columns
            .undo
            .push_text("AlterTable", restore.join("\n"));
    }

    /// The schema's indexes over doubled columns, built on the new columns at validate. One
    /// whose name is taken (by the index on the old column) is built under a temporary name
    /// and renamed at contract, once the old columns are gone.
    fn rebuild_indexes(&mut self, table: &ObjectName, next: &Table, doubled: &[Doubled<'_>]) {
        let new_name = |column: &str| {
            doubled
                .iter()
                .find(|d| d.target.name == column)
                .map(|d| d.new.name.clone())
        };
        let mut renames = Sections::default();
        let mut renames_back = Sections::default();
        for index in &next.indexes {
            let mut built = index.clone();
            let mut covers = false;
            for column in &mut built.columns {
                if let Some(name) = new_name(&column.name).filter(|_| column.expression.is_none()) {
                    column.name = name;
                    covers = true;
                }
            }
            let key = (table.clone(), index.name.clone());
            if !covers {
                continue;
            }
            if !self.facts.new_index_names.contains(&key) {
                built.name = format!("{}_new", index.name);
                let rename = |from: &str, to: &str| Change::RenameIndex {
                    table: table.clone(),
                    from: from.to_owned(),
                    to: to.to_owned(),
                };
                renames.push_change(&rename(&built.name, &index.name));
                renames_back.push_change(&rename(&index.name, &built.name));
            }
            self.create_index_online(
                &Change::CreateIndex {
                    table: table.clone(),
                    index: built.clone(),
                },
                &built,
            );
            self.rebuilt_indexes.insert(key);
        }
        self.contract.columns.up.sections.extend(renames.sections);
        self.contract
            .columns
            .undo
            .sections
            .extend(renames_back.sections);
    }

    fn finish(mut self) -> Vec<Phase> {
        for (old, new) in std::mem::take(&mut self.renamed_tables) {
            // A view over one table without aggregates is updatable and insertable on both
            // servers; the table's defaults and triggers apply to writes through it.
            let create = format!(
                "CREATE VIEW {} AS SELECT * FROM {}",
                render::table(&old),
                render::table(&new)
            );
            let drop = format!("DROP VIEW {}", render::table(&old));
            self.expand
                .up
                .push("CreateCompatibilityView", std::slice::from_ref(&create));
            self.expand
                .undo
                .push("DropCompatibilityView", std::slice::from_ref(&drop));
            self.contract
                .views
                .up
                .push("DropCompatibilityView", &[drop]);
            self.contract
                .views
                .undo
                .push("CreateCompatibilityView", &[create]);
        }
        let ValidatePhase {
            mut foreign_keys,
            not_null,
            drop_indexes,
            create_indexes,
        } = self.validate;
        for part in [not_null, drop_indexes, create_indexes] {
            foreign_keys.extend(part);
        }
        let ContractPhase {
            mut views,
            triggers,
            columns,
            drops,
            enums,
        } = self.contract;
        for part in [triggers, columns, drops, enums] {
            views.extend(part);
        }
        [
            (PhaseKind::Expand, self.expand),
            (PhaseKind::Backfill, self.backfill),
            (PhaseKind::Validate, foreign_keys),
            (PhaseKind::Contract, views),
        ]
        .into_iter()
        // DDL commits by itself on MySQL: every phase runs statement by statement.
        .filter_map(|(kind, scripts)| scripts.into_phase(kind, |_| false))
        .collect()
    }
}

/// Whether a column's enum type changes into another enum type.
fn enum_change(change: &ColumnChange) -> bool {
    enum_values(&change.from).is_some() && enum_values(&change.to).is_some()
}

/// Whether the server copies the table for this column change.
fn copies(change: &ColumnChange) -> bool {
    change.auto_increment_changed
        || (change.type_change.is_some() && online_type_change(&change.from, &change.to).is_none())
}

/// The clause a column change runs with: instant unless its type change is made in place or
/// the column becomes nullable (MySQL rebuilds the table for that; MariaDB does it instantly,
/// which `INPLACE` allows).
fn online_clause(change: &ColumnChange) -> &'static str {
    let type_clause = if change.type_change.is_none() {
        INSTANT
    } else {
        online_type_change(&change.from, &change.to).unwrap_or(ONLINE)
    };
    if type_clause == ONLINE || change.from.arity != change.to.arity {
        ONLINE
    } else {
        INSTANT
    }
}

/// Columns dropped at contract. The server drops a column instantly (MariaDB, MySQL 8.0.29+)
/// or rebuilds the table in place while writes go on (older MySQL 8.0): no clause, so it picks
/// the instant way where it has one.
fn drop_columns(table: &ObjectName, drops: Vec<TableChange>) -> String {
    lint_ignore(
        "drop-column, mysql-alter-without-algorithm",
        &alter(table, drops),
    )
}

/// A statement failing when a row of `table` breaks `foreign_key` (added without checking the
/// rows already there): the count of rows without their parent goes into a temporary table that
/// only takes 0.
fn check_foreign_key(table: &ObjectName, foreign_key: &ForeignKey) -> String {
    let child = |column: &String| format!("`child`.{}", quote(column));
    let set: Vec<String> = foreign_key
        .columns
        .iter()
        .map(|c| format!("{} IS NOT NULL", child(c)))
        .collect();
    let matches: Vec<String> = foreign_key
        .columns
        .iter()
        .zip(&foreign_key.referenced_columns)
        .map(|(c, p)| format!("`parent`.{} = {}", quote(p), child(c)))
        .collect();
    let check_table = quote("_drydock_orphan_check");
    format!(
        "-- Rows older than {} were not checked when it was added: this fails (constraint \
         `no_row_without_parent`) while one has no parent row. `drydock check` lists them.\n{}",
        quote(foreign_key.name.as_deref().unwrap_or_default()),
        join_statements(&[
            format!(
                "CREATE TEMPORARY TABLE {check_table} (`orphans` BIGINT NOT NULL, CONSTRAINT \
                 `no_row_without_parent` CHECK (`orphans` = 0))"
            ),
            format!(
                "INSERT INTO {check_table} SELECT count(*) FROM {} AS `child` WHERE {} AND NOT \
                 EXISTS (SELECT 1 FROM {} AS `parent` WHERE {})",
                render::table(table),
                set.join(" AND "),
                render::table(&foreign_key.referenced_table),
                matches.join(" AND ")
            ),
            format!("DROP TEMPORARY TABLE {check_table}"),
        ])
    )
}

#[cfg(test)]
mod tests {
    use super::{appends, is_constant};
    use drydock_schema::DefaultValue;

    #[test]
    fn appended_values_keep_the_storage_size() {
        let values = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        assert!(appends(&values(2), &values(3)));
        assert!(!appends(&values(3), &values(2)));
        assert!(!appends(&values(255), &values(256)));
        assert!(is_constant(&DefaultValue::String("a".to_owned())));
        assert!(!is_constant(&DefaultValue::Now));
    }
}
