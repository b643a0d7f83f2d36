//! The walk of a zero-downtime plan (`migrate dev --zero-downtime`), the same on every database
//! that phases: each change of a diff goes to the phase where both application versions keep
//! working, and a column whose data must move is doubled (a second column kept equal by
//! triggers, backfilled in batches, switched to at contract). A database fills [`PhaseSql`]
//! with the statements it writes for each step, and says which changes it cannot make online.
//!
//! Changes that need no care are rendered as in the single migration. A renamed or retyped
//! column that is part of a key (primary key, foreign key, auto-increment) cannot be doubled
//! without rebuilding the key: its table is altered in place, as in the single migration, with
//! a comment saying why.

use std::collections::HashSet;
use std::marker::PhantomData;

use drydock_diff::{AlterEnum, Change, ColumnChange, TableChange, TypeChange};
use drydock_schema::{
    Column, ColumnArity, DefaultValue, ForeignKey, Index, ObjectName, PrimaryKey, SqlSchema, Table,
};

use crate::phases::{Phase, PhaseKind, PhaseScripts, Sections};
use crate::script::join_statements;

/// Rows per batch of a backfill.
const BACKFILL_BATCH: u32 = 10_000;

/// A column whose data moves to another column through sync triggers and a backfill.
pub struct DoubledColumn<'a> {
    pub table: &'a ObjectName,
    /// The column the old application version uses.
    pub old: Column,
    /// The column the data moves to, as it is added: nullable, without default.
    pub new: Column,
    /// The column as the schema wants it in the end.
    pub target: Column,
    /// The new column is the old one retyped: at contract it takes the old one's name.
    pub retyped: bool,
}

/// A foreign key added to an existing table without checking the rows already there: new rows
/// are checked from expand on, older ones at validate.
pub struct UncheckedForeignKey {
    /// The statements adding it at expand.
    pub add: Vec<String>,
    /// The statements undoing `add` that a schema diff does not see; empty when it sees all.
    pub undo: Vec<String>,
    /// The statements (joined) checking the older rows at validate.
    pub validate: String,
}

/// A check standing in for `NOT NULL` while the rows are checked without blocking writes.
pub struct NotNullCheck {
    /// Adds the check for new and updated rows only.
    pub add: String,
    /// Checks the existing rows.
    pub validate: String,
    pub drop: String,
}

/// A column change whose removed enum values wait for contract: until then the column takes
/// the old values and the added ones.
pub struct ValuesRemovedLater {
    /// The column as it is between expand and contract.
    pub interim: Column,
    /// The type change of expand (`None` when no value is added).
    pub type_change: Option<TypeChange>,
    /// The statements (joined) removing the values at contract.
    pub contract: String,
}

/// The statements one database writes for the steps of a zero-downtime plan. Every statement
/// is online on that database, or carries a comment saying what it blocks.
pub trait PhaseSql {
    /// Said in the comment of a required column the new application version fills: what
    /// setting `NOT NULL` costs at contract.
    const SET_NOT_NULL_COST: &'static str;

    /// `name` quoted as an identifier.
    fn ident(name: &str) -> String;

    /// `table` quoted, with its namespace.
    fn table(table: &ObjectName) -> String;

    /// `change` as the single migration writes it.
    fn render(change: &Change) -> String;

    /// Whether a phase's script runs in one transaction.
    fn transactional(kind: PhaseKind, sql: &str) -> bool;

    /// The `ALTER TABLE` statements of expand for `changes` of an existing table (added
    /// columns, column changes that copy no data), each a section of its own.
    fn alter_online(table: &ObjectName, changes: Vec<TableChange>) -> Vec<String>;

    /// `changes` made as in the single migration, for a table that cannot be changed online.
    fn alter_in_place(table: &ObjectName, changes: Vec<TableChange>) -> String;

    /// Columns dropped at contract.
    fn drop_columns(table: &ObjectName, drops: Vec<TableChange>) -> String;

    /// A doubled column renamed at contract (and back in its down migration).
    fn rename_column(table: &ObjectName, from: &str, to: &str) -> String;

    /// `column`'s default set for new rows, the column otherwise as it is (still nullable
    /// when `nullable`).
    fn set_default(table: &ObjectName, column: &Column, nullable: bool) -> String;

    /// `NOT NULL` set on `column`; `checked` when a validated [`NotNullCheck`] spares the scan.
    fn set_not_null(table: &ObjectName, column: &Column, checked: bool) -> String;

    /// The check standing in for `NOT NULL` until validate; `None` where the database has no
    /// check added without reading the rows.
    fn not_null_check(table: &ObjectName, column: &Column) -> Option<NotNullCheck>;

    /// `default` as the value a backfill writes into `column`.
    fn default_value(column: &Column, default: &DefaultValue) -> String;

    /// The `key` option of a backfill directive batching by `column`.
    fn backfill_key(column: &str) -> String;

    /// Whether a column change moves the data (the database rewrites or copies the table for
    /// it), so that the column is doubled.
    fn doubles(change: &ColumnChange) -> bool;

    /// Why the table cannot be changed online for `change` (any but a column rename, whose key
    /// is judged alike everywhere); `None` when it can.
    fn in_place_reason(target: &SqlSchema, next: &Table, change: &TableChange) -> Option<String>;

    /// A column change that removes values of an inline enum, made in two steps; `None` when
    /// it removes none or the database has no inline enums.
    fn values_removed_later(
        table: &ObjectName,
        change: &ColumnChange,
        interim: &Column,
    ) -> Option<ValuesRemovedLater>;

    /// The triggers (and what they run) keeping a doubled column's two columns equal.
    fn create_sync(doubled: &DoubledColumn<'_>) -> Vec<String>;

    fn drop_sync(doubled: &DoubledColumn<'_>) -> Vec<String>;

    /// The value a doubled column's backfill writes into the new column, and the condition of
    /// the rows it writes.
    fn backfill_doubled(doubled: &DoubledColumn<'_>) -> (String, String);

    /// The new column's value as the old column stores it, when there is a conversion: the
    /// down migration of contract fills the old column back with it.
    fn copy_back(doubled: &DoubledColumn<'_>) -> Option<String>;

    /// Whether `index` can be built and dropped online.
    fn builds_online(_target: &SqlSchema, _table: &ObjectName, _index: &Index) -> bool {
        true
    }

    /// `index` built while writes go on (or with a comment saying what it blocks).
    fn create_index_online(table: &ObjectName, index: &Index) -> String;

    /// `index` dropped while writes go on.
    fn drop_index_online(table: &ObjectName, index: &Index) -> String;

    /// `foreign_key` added to an existing table without reading its rows.
    fn add_foreign_key_unchecked(
        target: &SqlSchema,
        table: &ObjectName,
        foreign_key: &ForeignKey,
    ) -> UncheckedForeignKey;

    /// The unique index a primary key is built from online, and the statement turning it into
    /// the key; `None` where a key is only added in place.
    fn primary_key_from_index(
        table: &ObjectName,
        primary_key: &PrimaryKey,
    ) -> Option<(Index, String)>;
}

/// The phases of `changes`, a diff leading to `target`; only phases with statements. `target`
/// states what the change keeps of each column (collation, `ON UPDATE`, comment) and the
/// hand-written indexes it keeps, as `drydock_diff::applied_schema` gives it: a doubled column
/// takes them along.
pub fn plan_phases<D: PhaseSql>(changes: &[Change], target: &SqlSchema) -> Vec<Phase> {
    let mut planner = Planner::<D>::new(changes, target);
    for change in changes {
        planner.change(change);
    }
    planner.finish()
}

/// `sql` with a comment that keeps the linter from flagging `rules` on its first statement: the
/// phases make the rules' concern moot (a view keeps a renamed table's old name working, a
/// contract drops only what no running version uses), or the comment before says what it costs.
pub fn lint_ignore(rules: &str, sql: &str) -> String {
    format!("-- drydock-lint-ignore {rules}\n{sql}")
}

/// `column` as a new column named `name`, added next to data that must fill it first: nullable,
/// without default (its collation, `ON UPDATE` and comment kept).
pub fn nullable_without_default(column: &Column, name: &str) -> Column {
    Column {
        name: name.to_owned(),
        arity: match column.arity {
            ColumnArity::List => ColumnArity::List,
            _ => ColumnArity::Nullable,
        },
        default: None,
        renamed_from: None,
        identity: None,
        generated: None,
        generated_virtual: false,
        ..column.clone()
    }
}

/// What key `column` of `table` takes part in (`target` holds the foreign keys referencing
/// it), as words after the column's name quoted by `quote`: a column in a key cannot be doubled
/// without rebuilding the key.
pub fn key_of(
    target: &SqlSchema,
    table: &Table,
    column: &Column,
    quote: fn(&str) -> String,
) -> Option<String> {
    let name = table.object_name();
    let what = if column.auto_increment {
        "is auto-incremented"
    } else if table.is_primary_key_column(&column.name) {
        "is part of the primary key"
    } else if table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.contains(&column.name))
    {
        "is part of a foreign key"
    } else if target
        .tables
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .any(|fk| fk.referenced_table == name && fk.referenced_columns.contains(&column.name))
    {
        "is referenced by a foreign key"
    } else {
        return None;
    };
    Some(format!("{} {what}", quote(&column.name)))
}

/// Whether `default` is a constant: a column with a constant default is added without touching
/// the rows; an expression or the current time is evaluated for each existing row.
fn is_constant(default: &DefaultValue) -> bool {
    match default {
        DefaultValue::String(_)
        | DefaultValue::Number(_)
        | DefaultValue::Boolean(_)
        | DefaultValue::Bytes(_)
        | DefaultValue::EnumValue(_) => true,
        DefaultValue::List(values) => values.iter().all(is_constant),
        DefaultValue::Now | DefaultValue::Expression(_) => false,
    }
}

/// The single-column primary key a backfill batches by; `None` when there is none or when this
/// diff changes it.
fn batch_key(table: &Table, changes: &[TableChange]) -> Option<String> {
    let key_changes = changes.iter().any(|change| {
        matches!(
            change,
            TableChange::DropPrimaryKey { .. } | TableChange::AddPrimaryKey { .. }
        )
    });
    if key_changes {
        return None;
    }
    match table.primary_key.as_ref()?.columns.as_slice() {
        [only] if only.expression.is_none() => Some(only.name.clone()),
        _ => None,
    }
}

/// The name of the column a retyped column is doubled into until contract.
fn retyped_name(column: &str) -> String {
    format!("{column}_new")
}

/// How the backfills of one table run.
struct BackfillScope {
    /// The single-column primary key they batch by.
    key: Option<String>,
    /// The columns the database sets on every update of their row (`ON UPDATE`), which keep
    /// their values when set to themselves: a backfill is no change of the application's.
    kept: Vec<String>,
}

/// The columns of `next` with an `ON UPDATE` while the backfills run: the target's, and the
/// other column of each doubled one.
fn auto_updated<D: PhaseSql>(next: &Table, changes: &[TableChange]) -> Vec<String> {
    let auto = |name: &str| next.column(name).is_some_and(|c| c.on_update.is_some());
    let mut columns: Vec<String> = next
        .columns
        .iter()
        .filter(|c| c.on_update.is_some())
        .map(|c| c.name.clone())
        .collect();
    for change in changes {
        let others = match change {
            TableChange::RenameColumn { from, to, .. } if auto(to) => vec![from.clone()],
            TableChange::AlterColumn(c) if D::doubles(c) => {
                let new = auto(&c.to.name).then(|| retyped_name(&c.to.name));
                let old = c.from.on_update.is_some().then(|| c.from.name.clone());
                new.into_iter().chain(old).collect()
            }
            _ => continue,
        };
        for other in others {
            if !columns.contains(&other) {
                columns.push(other);
            }
        }
    }
    columns
}

/// What a diff does to tables, columns and index names: a phased plan asks it of each change.
#[derive(Debug, Default)]
struct DiffFacts {
    /// Tables this diff creates: empty and unused, they need no care.
    created_tables: HashSet<ObjectName>,
    dropped_tables: HashSet<ObjectName>,
    /// Columns this diff drops, by table.
    dropped_columns: HashSet<(ObjectName, String)>,
    /// Columns this diff drops and adds again (their type cannot be cast), by table: they and
    /// their indexes and foreign keys change at contract, with the drops.
    recreated_columns: HashSet<(ObjectName, String)>,
    /// Index names this diff gives out (new indexes, new names of renamed ones), by table.
    new_index_names: HashSet<(ObjectName, String)>,
}

impl DiffFacts {
    fn of(changes: &[Change]) -> DiffFacts {
        let mut facts = DiffFacts::default();
        for change in changes {
            match change {
                Change::CreateTable { table } => {
                    facts.created_tables.insert(table.object_name());
                }
                Change::DropTable { table } => {
                    facts.dropped_tables.insert(table.object_name());
                }
                Change::AlterTable { table, changes } => {
                    for change in changes {
                        match change {
                            TableChange::DropColumn { column } => {
                                facts
                                    .dropped_columns
                                    .insert((table.clone(), column.name.clone()));
                            }
                            TableChange::DropAndRecreateColumn { to, .. } => {
                                facts
                                    .recreated_columns
                                    .insert((table.clone(), to.name.clone()));
                            }
                            _ => {}
                        }
                    }
                }
                Change::CreateIndex { table, index } => {
                    facts
                        .new_index_names
                        .insert((table.clone(), index.name.clone()));
                }
                Change::RenameIndex { table, to, .. } => {
                    facts.new_index_names.insert((table.clone(), to.clone()));
                }
                _ => {}
            }
        }
        facts
    }

    /// Whether a dropped foreign key belongs to a table or column this diff drops (or drops
    /// and adds again): it goes at contract with them, so the old application version keeps its
    /// guarantees until then.
    fn goes_with_a_drop(&self, table: &ObjectName, foreign_key: &ForeignKey) -> bool {
        let columns = || foreign_key.columns.iter().map(String::as_str);
        self.dropped_tables.contains(table)
            || columns().any(|c| {
                self.dropped_columns
                    .contains(&(table.clone(), c.to_owned()))
            })
            || self.recreated(table, columns())
    }

    /// Whether any of `columns` of `table` is dropped and added again at contract.
    fn recreated<'c>(
        &self,
        table: &ObjectName,
        mut columns: impl Iterator<Item = &'c str>,
    ) -> bool {
        columns.any(|c| {
            self.recreated_columns
                .contains(&(table.clone(), c.to_owned()))
        })
    }
}

/// A table's changes made in place as in the single migration: the drops (for contract), the
/// rest, and the renames of the rest turned back (for the down migration).
fn split_in_place(
    changes: &[TableChange],
) -> (Vec<TableChange>, Vec<TableChange>, Vec<TableChange>) {
    let (drops, rest): (Vec<TableChange>, Vec<TableChange>) =
        changes.iter().cloned().partition(|change| {
            matches!(
                change,
                TableChange::DropColumn { .. } | TableChange::DropAndRecreateColumn { .. }
            )
        });
    let renames_back = rest
        .iter()
        .filter_map(|change| match change {
            TableChange::RenameColumn {
                from,
                to,
                auto_increment,
            } => Some(TableChange::RenameColumn {
                from: to.clone(),
                to: from.clone(),
                auto_increment: *auto_increment,
            }),
            _ => None,
        })
        .collect();
    (drops, rest, renames_back)
}

/// The validate phase in run order: constraints (checks standing in for `NOT NULL`, foreign
/// keys) are validated before the `SET NOT NULL`s that rely on them, indexes are dropped before
/// ones of the same name are built, and keys are added once their unique index exists.
#[derive(Default)]
struct ValidatePhase {
    constraints: PhaseScripts,
    not_null: PhaseScripts,
    drop_keys: PhaseScripts,
    drop_indexes: PhaseScripts,
    create_indexes: PhaseScripts,
    add_keys: PhaseScripts,
}

/// The contract phase in run order: compatibility views and sync triggers first (they use the
/// old columns), then the switch to the new columns, then the drops of the diff, then enum
/// values removed (once no dropped column uses them).
#[derive(Default)]
struct ContractPhase {
    views: PhaseScripts,
    triggers: PhaseScripts,
    columns: PhaseScripts,
    drops: PhaseScripts,
    enums: PhaseScripts,
}

/// The changes of one existing table that go through the plain `ALTER TABLE`s of expand, and
/// what must run after them in the expand phase.
#[derive(Default)]
struct TableWork {
    expand: Vec<TableChange>,
    contract: Vec<TableChange>,
    after_expand: PhaseScripts,
}

struct Planner<'a, D> {
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
    dialect: PhantomData<D>,
}

impl<'a, D: PhaseSql> Planner<'a, D> {
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
            dialect: PhantomData,
        }
    }

    fn alter(table: &ObjectName, changes: Vec<TableChange>) -> String {
        D::render(&Change::AlterTable {
            table: table.clone(),
            changes,
        })
    }

    fn change(&mut self, change: &Change) {
        match change {
            Change::AlterEnum(alter) => self.alter_enum(change, alter),
            Change::RenameTable {
                from,
                to,
                auto_increment_columns,
            } => {
                self.expand.up.push_text(
                    change.header(),
                    lint_ignore("rename-table", &D::render(change)),
                );
                push_change::<D>(
                    &mut self.expand.undo,
                    &Change::RenameTable {
                        from: to.clone(),
                        to: from.clone(),
                        auto_increment_columns: auto_increment_columns.clone(),
                    },
                );
                self.renamed_tables.push((from.clone(), to.clone()));
            }
            Change::DropForeignKey { table, foreign_key } => {
                if self.facts.goes_with_a_drop(table, foreign_key) {
                    push_change::<D>(&mut self.contract.drops.up, change);
                } else {
                    // A changed key is dropped and added again under the same name.
                    push_change::<D>(&mut self.expand.up, change);
                }
            }
            Change::DropIndex { table, index } => {
                if self
                    .facts
                    .recreated(table, index.columns.iter().map(|c| c.name.as_str()))
                {
                    push_change::<D>(&mut self.contract.drops.up, change);
                } else {
                    self.drop_index_at_validate(table, index);
                }
            }
            Change::RedefineIndex { table, from, to } => {
                self.drop_index_at_validate(table, from);
                self.create_index_at_validate(table, to);
            }
            Change::AlterTable { table, changes } => self.alter_table(table, changes),
            Change::DropTable { .. } => self.contract.drops.up.push_text(
                change.header(),
                lint_ignore("drop-table", &D::render(change)),
            ),
            Change::DropEnum { .. } => push_change::<D>(&mut self.contract.drops.up, change),
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
                    push_change::<D>(&mut self.expand.up, change);
                } else if self.facts.recreated(table, columns) {
                    push_change::<D>(&mut self.contract.drops.up, change);
                } else {
                    self.create_index_at_validate(table, index);
                }
            }
            Change::AddForeignKey { table, foreign_key } => {
                self.add_foreign_key(change, table, foreign_key);
            }
            Change::RenameIndex { table, to, .. } => {
                // A rebuilt index takes its new name; the old one goes with the old column.
                if !self.rebuilt_indexes.contains(&(table.clone(), to.clone())) {
                    push_change::<D>(&mut self.expand.up, change);
                }
            }
            Change::CreateSchema { .. }
            | Change::DropExtension { .. }
            | Change::CreateExtension { .. }
            | Change::AlterExtension { .. }
            | Change::CreateEnum { .. }
            | Change::CreateTable { .. }
            | Change::RedefineTables { .. }
            | Change::RenameForeignKey { .. }
            | Change::CreatePartition { .. }
            | Change::AlterPartitionChecks { .. }
            | Change::DropPartition { .. } => push_change::<D>(&mut self.expand.up, change),
        }
    }

    fn create_index_at_validate(&mut self, table: &ObjectName, index: &Index) {
        let sql = if D::builds_online(self.target, table, index) {
            D::create_index_online(table, index)
        } else {
            D::render(&Change::CreateIndex {
                table: table.clone(),
                index: index.clone(),
            })
        };
        self.validate
            .create_indexes
            .up
            .push_text("CreateIndex", sql);
    }

    fn drop_index_at_validate(&mut self, table: &ObjectName, index: &Index) {
        let sql = if D::builds_online(self.target, table, index) {
            D::drop_index_online(table, index)
        } else {
            D::render(&Change::DropIndex {
                table: table.clone(),
                index: index.clone(),
            })
        };
        self.validate.drop_indexes.up.push_text("DropIndex", sql);
    }

    /// New values are added at expand (the new application version writes them); removed ones
    /// at contract, when no running version writes them any more.
    fn alter_enum(&mut self, change: &Change, alter: &AlterEnum) {
        if alter.removed.is_empty() {
            push_change::<D>(&mut self.expand.up, change);
            return;
        }
        if !alter.added.is_empty() {
            push_change::<D>(
                &mut self.expand.up,
                &Change::AlterEnum(AlterEnum {
                    removed: Vec::new(),
                    ..alter.clone()
                }),
            );
        }
        push_change::<D>(&mut self.contract.enums.up, change);
    }

    /// A foreign key of an existing table only checks new rows at expand; existing rows are
    /// checked at validate, without blocking writes.
    fn add_foreign_key(&mut self, change: &Change, table: &ObjectName, foreign_key: &ForeignKey) {
        if self
            .facts
            .recreated(table, foreign_key.columns.iter().map(String::as_str))
        {
            push_change::<D>(&mut self.contract.drops.up, change);
            return;
        }
        if foreign_key.name.is_none() || self.facts.created_tables.contains(table) {
            push_change::<D>(&mut self.expand.up, change);
            return;
        }
        let unchecked = D::add_foreign_key_unchecked(self.target, table, foreign_key);
        self.expand.up.push(change.header(), &unchecked.add);
        if !unchecked.undo.is_empty() {
            self.expand.undo.push("DropForeignKey", &unchecked.undo);
        }
        self.validate
            .constraints
            .up
            .push_text("ValidateForeignKey", unchecked.validate);
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
        let scope = BackfillScope {
            key: batch_key(next, changes),
            kept: auto_updated::<D>(next, changes),
        };
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
                    doubled.push(DoubledColumn {
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
                TableChange::AlterColumn(c) if D::doubles(c) => {
                    // The target's column has what the change keeps of the old one.
                    let target = next.column(&c.to.name).unwrap_or(&c.to);
                    doubled.push(DoubledColumn {
                        table,
                        old: c.from.clone(),
                        new: nullable_without_default(target, &retyped_name(&c.to.name)),
                        target: target.clone(),
                        retyped: true,
                    });
                }
                TableChange::AlterColumn(c) => self.alter_column(table, c, &mut work),
                TableChange::AddColumn { column } => {
                    self.add_column(table, column, &scope, &mut work);
                }
                TableChange::DropColumn { .. } | TableChange::DropAndRecreateColumn { .. } => {
                    work.contract.push(change.clone());
                }
                TableChange::DropPrimaryKey { .. } => self
                    .validate
                    .drop_keys
                    .up
                    .push_text("AlterTable", Self::alter(table, vec![change.clone()])),
                TableChange::AddPrimaryKey { primary_key } => {
                    match D::primary_key_from_index(table, primary_key) {
                        Some((index, add_key)) => {
                            self.validate
                                .create_indexes
                                .up
                                .push_text("CreateIndex", D::create_index_online(table, &index));
                            self.validate.add_keys.up.push("AddPrimaryKey", &[add_key]);
                        }
                        None => work.expand.push(change.clone()),
                    }
                }
                TableChange::RenamePrimaryKey { .. }
                | TableChange::Inherit { .. }
                | TableChange::NoInherit { .. } => work.expand.push(change.clone()),
            }
        }
        for sql in D::alter_online(table, work.expand) {
            self.expand.up.push_text("AlterTable", sql);
        }
        self.expand.extend(work.after_expand);
        for doubled in &doubled {
            self.double(doubled, &scope);
        }
        self.rebuild_indexes(table, next, &doubled);
        if !work.contract.is_empty() {
            self.contract
                .drops
                .up
                .push_text("AlterTable", D::drop_columns(table, work.contract));
        }
    }

    /// Why the table's changes cannot be made online: a column that would be doubled is part of
    /// a key, or the database says so of a change.
    fn in_place_reason(&self, next: &Table, changes: &[TableChange]) -> Option<String> {
        changes.iter().find_map(|change| match change {
            TableChange::RenameColumn { to, .. } => Some(format!(
                "{}, so it cannot be doubled: it is renamed in place, which breaks application \
                 versions still using the old name",
                key_of(self.target, next, next.column(to)?, D::ident)?
            )),
            _ => D::in_place_reason(self.target, next, change),
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
                    D::alter_in_place(table, rest)
                ),
            );
            if !renames_back.is_empty() {
                self.expand
                    .undo
                    .push_text("AlterTable", Self::alter(table, renames_back));
            }
        }
        if !drops.is_empty() {
            self.contract
                .drops
                .up
                .push_text("AlterTable", D::drop_columns(table, drops));
        }
    }

    /// A column of an existing table made required, or added as required: `NOT NULL` at
    /// validate, after the backfill. Where the database has a check added without reading the
    /// rows, new and updated rows must pass it from `after` on (the caller's phase), and it is
    /// validated without blocking writes before `NOT NULL` relies on it.
    fn require(&mut self, table: &ObjectName, column: &Column, after: &mut PhaseScripts) {
        let Some(check) = D::not_null_check(table, column) else {
            self.validate
                .not_null
                .up
                .push_text("SetNotNull", D::set_not_null(table, column, false));
            return;
        };
        after
            .up
            .push("AddNotNullCheck", std::slice::from_ref(&check.add));
        after
            .undo
            .push("DropNotNullCheck", std::slice::from_ref(&check.drop));
        self.validate
            .constraints
            .up
            .push("ValidateNotNullCheck", &[check.validate]);
        self.validate.not_null.up.push_text(
            "SetNotNull",
            format!(
                "{}\n{}",
                D::set_not_null(table, column, true),
                join_statements(&[check.drop])
            ),
        );
        self.validate
            .not_null
            .undo
            .push("AddNotNullCheck", &[check.add]);
    }

    /// A column change that copies no data: at expand, nullability apart (see
    /// [`Planner::require`]), enum values removed at contract.
    fn alter_column(&mut self, table: &ObjectName, change: &ColumnChange, work: &mut TableWork) {
        let made_required = change.arity_changed
            && change.from.arity == ColumnArity::Nullable
            && change.to.arity == ColumnArity::Required;
        let mut interim = change.to.clone();
        if made_required {
            interim.arity = ColumnArity::Nullable;
        }
        let mut type_change = change.type_change;
        if let Some(later) = D::values_removed_later(table, change, &interim) {
            interim = later.interim;
            type_change = later.type_change;
            self.contract
                .enums
                .up
                .push_text("AlterTable", later.contract);
        }
        let rest = ColumnChange {
            to: interim.clone(),
            arity_changed: change.arity_changed && !made_required,
            type_change,
            ..change.clone()
        };
        if rest.arity_changed
            || rest.default_changed
            || rest.auto_increment_changed
            || rest.type_change.is_some()
        {
            work.expand.push(TableChange::AlterColumn(rest));
        }
        if made_required {
            let required = Column {
                arity: ColumnArity::Required,
                ..interim
            };
            self.require(table, &required, &mut work.after_expand);
        }
    }

    /// A new column of an existing table. Nullable ones, and required ones with a constant
    /// default, change no row. A default evaluated per row would: the column is added without
    /// it, gets it for new rows, existing rows are backfilled, then made required (see
    /// [`Planner::require`]). A required column without a default is nullable until contract,
    /// when the new version has filled it.
    fn add_column(
        &mut self,
        table: &ObjectName,
        column: &Column,
        scope: &BackfillScope,
        work: &mut TableWork,
    ) {
        let required = column.arity == ColumnArity::Required && !column.auto_increment;
        match &column.default {
            Some(default) if required && !is_constant(default) => {
                work.expand.push(TableChange::AddColumn {
                    column: nullable_without_default(column, &column.name),
                });
                work.after_expand
                    .up
                    .push_text("AlterTable", D::set_default(table, column, true));
                let value = D::default_value(column, default);
                let unset = format!("{} IS NULL", D::ident(&column.name));
                self.backfill(table, &column.name, &value, &unset, scope);
                // Updates of rows not backfilled yet would fail a check: it comes after.
                let mut check = PhaseScripts::default();
                self.require(table, column, &mut check);
                self.backfill.extend(check);
            }
            None if required => {
                work.expand.push(TableChange::AddColumn {
                    column: nullable_without_default(column, &column.name),
                });
                self.contract.columns.up.push_text(
                    "AlterTable",
                    format!(
                        "-- {} has no default: the new application version fills it; rows \
                         without a value must be filled before this runs (the backfill phase is \
                         the place). {}\n{}",
                        D::ident(&column.name),
                        D::SET_NOT_NULL_COST,
                        D::set_not_null(table, column, false)
                    ),
                );
            }
            _ => work.expand.push(TableChange::AddColumn {
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
        scope: &BackfillScope,
    ) {
        let mut assignments = vec![format!("{} = {value}", D::ident(column))];
        assignments.extend(
            scope
                .kept
                .iter()
                .filter(|kept| *kept != column)
                .map(|kept| format!("{0} = {0}", D::ident(kept))),
        );
        let update = format!(
            "UPDATE {} SET {} WHERE {condition}",
            D::table(table),
            assignments.join(", ")
        );
        let statement = match scope.key.as_deref() {
            Some(key) => format!(
                "-- drydock:backfill key={} batch={BACKFILL_BATCH}\n{update}",
                D::backfill_key(key)
            ),
            None => format!(
                "-- {} has no single-column primary key to batch by: one UPDATE changes every \
                 row.\n{update}",
                D::table(table)
            ),
        };
        self.backfill.up.push("Backfill", &[statement]);
    }

    /// A renamed or retyped column as a second column: added with sync triggers at expand,
    /// backfilled, made required at validate, and switched to at contract.
    fn double(&mut self, doubled: &DoubledColumn<'_>, scope: &BackfillScope) {
        let table = doubled.table;
        let add_column = |column: Column| {
            D::alter_online(table, vec![TableChange::AddColumn { column }]).join("\n")
        };
        self.expand
            .up
            .push_text("AlterTable", add_column(doubled.new.clone()));
        if doubled.target.arity == ColumnArity::Required {
            let mut after = PhaseScripts::default();
            self.require(table, &doubled.new, &mut after);
            self.expand.extend(after);
        }
        self.expand
            .up
            .push("CreateSyncTrigger", &D::create_sync(doubled));
        self.expand
            .undo
            .push("DropSyncTrigger", &D::drop_sync(doubled));

        let (value, condition) = D::backfill_doubled(doubled);
        self.backfill(table, &doubled.new.name, &value, &condition, scope);

        self.contract
            .triggers
            .up
            .push("DropSyncTrigger", &D::drop_sync(doubled));
        self.contract
            .triggers
            .undo
            .push("CreateSyncTrigger", &D::create_sync(doubled));
        let old_name = &doubled.old.name;
        let mut statements = vec![D::drop_columns(
            table,
            vec![TableChange::DropColumn {
                column: doubled.old.clone(),
            }],
        )];
        let mut restore = Vec::new();
        if doubled.retyped {
            // A rename is a statement of its own, which `ALTER TABLE` would put first.
            statements.push(lint_ignore(
                "rename-column",
                &D::rename_column(table, &doubled.new.name, old_name),
            ));
            restore.push(D::rename_column(table, old_name, &doubled.new.name));
        }
        if doubled.target.default.is_some() {
            statements.push(D::set_default(table, &doubled.target, false));
        }
        // Down: the old column back, with the data the new one has.
        restore.push(add_column(nullable_without_default(&doubled.old, old_name)));
        if let Some(back) = D::copy_back(doubled) {
            restore.push(format!(
                "UPDATE {} SET {} = {back};",
                D::table(table),
                D::ident(old_name)
            ));
        }
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
    fn rebuild_indexes(&mut self, table: &ObjectName, next: &Table, doubled: &[DoubledColumn<'_>]) {
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
            for column in &mut built.include {
                if let Some(name) = new_name(column) {
                    *column = name;
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
                push_change::<D>(&mut renames, &rename(&built.name, &index.name));
                push_change::<D>(&mut renames_back, &rename(&index.name, &built.name));
            }
            self.create_index_at_validate(table, &built);
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
            // A view over one table without aggregates is updatable: writes through it get the
            // table's defaults and triggers.
            let create = format!(
                "CREATE VIEW {} AS SELECT * FROM {}",
                D::table(&old),
                D::table(&new)
            );
            let drop = format!("DROP VIEW {}", D::table(&old));
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
            mut constraints,
            not_null,
            drop_keys,
            drop_indexes,
            create_indexes,
            add_keys,
        } = self.validate;
        for part in [not_null, drop_keys, drop_indexes, create_indexes, add_keys] {
            constraints.extend(part);
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
            (PhaseKind::Validate, constraints),
            (PhaseKind::Contract, views),
        ]
        .into_iter()
        .filter_map(|(kind, scripts)| scripts.into_phase(kind, |sql| D::transactional(kind, sql)))
        .collect()
    }
}

/// `change` as the single migration writes it, a section of its own.
fn push_change<D: PhaseSql>(sections: &mut Sections, change: &Change) {
    sections.push_text(change.header(), D::render(change));
}

#[cfg(test)]
mod tests {
    use super::is_constant;
    use drydock_schema::DefaultValue;

    #[test]
    fn defaults_evaluated_per_row_are_not_constant() {
        assert!(is_constant(&DefaultValue::String("a".to_owned())));
        assert!(is_constant(&DefaultValue::List(vec![
            DefaultValue::Number("1".to_owned())
        ])));
        assert!(!is_constant(&DefaultValue::Now));
        assert!(!is_constant(&DefaultValue::List(vec![DefaultValue::Now])));
    }
}
