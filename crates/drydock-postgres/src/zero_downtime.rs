//! `migrate dev --zero-downtime` on PostgreSQL: a diff split into expand, backfill, validate
//! and contract phases, so that the application versions before and after the change both
//! work between phases and no statement holds a lock that blocks writes for longer than a
//! catalog update.
//!
//! - Columns whose data must move (a renamed column, a type change that rewrites the table) get
//!   a second column kept equal by a trigger while both application versions run, a batched
//!   backfill, and the old column dropped at contract.
//! - `NOT NULL` comes from a `CHECK ... NOT VALID` validated later: `SET NOT NULL` then uses the
//!   validated check instead of scanning (PostgreSQL 12+).
//! - Foreign keys are added `NOT VALID` and validated later; indexes on existing tables are
//!   built and dropped `CONCURRENTLY`.
//! - A renamed table leaves an updatable view under its old name until contract.
//! - Every drop waits for contract: old application versions may still read what is dropped.
//!
//! Changes that need none of this are rendered by [`render::render_change`], unchanged. A
//! renamed or retyped column that is part of a key (primary key, foreign key, auto-increment)
//! cannot be doubled without rebuilding the key: its table is altered in place, as in the
//! single migration, with a comment saying so.

use std::collections::HashSet;

use drydock_connector::{
    DiffFacts, Phase, PhaseKind, PhaseScripts, Sections, batch_key, join_statements, key_of,
    lint_ignore, nullable_without_default, split_in_place,
};
use drydock_diff::{AlterEnum, Change, ColumnChange, DiffHooks, TableChange, TypeChange};
use drydock_schema::{
    Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexKind, ObjectName, PrimaryKey,
    SqlSchema, Table,
};

use crate::diff_hooks::PostgresDiffHooks;
use crate::render::{
    self, add_foreign_key, create_index_concurrently, drop_index_concurrently, ident, object,
    plain_column_type, qualified, render_default,
};

/// Rows per batch of a backfill.
const BACKFILL_BATCH: u32 = 10_000;

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

/// The validate phase in run order: checks are validated before the `SET NOT NULL`s that rely
/// on them, indexes are dropped before ones of the same name are built, and keys are added once
/// their unique index exists.
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
/// old columns), then the switch to the new columns, then the drops of the diff, then enum types
/// recreated without their removed values (once no dropped column uses them).
#[derive(Default)]
struct ContractPhase {
    views: PhaseScripts,
    triggers: PhaseScripts,
    columns: PhaseScripts,
    drops: PhaseScripts,
    enums: PhaseScripts,
}

/// A column whose data moves to another column through a sync trigger and a backfill.
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
    /// The trigger and its function, named after the new column.
    fn sync_name(&self) -> String {
        format!("{}_{}_sync", self.table.name, self.new.name)
    }

    fn function(&self) -> String {
        qualified(self.table.namespace.as_deref(), &self.sync_name())
    }

    /// The old column's value as the new column stores it.
    fn forward(&self, row: &str) -> String {
        cast(
            &format!("{row}{}", ident(&self.old.name)),
            &self.old,
            &self.target,
        )
    }

    /// The new column's value as the old column stores it, when such a cast exists.
    fn back(&self, row: &str) -> Option<String> {
        let castable = same_type(&self.old, &self.target)
            || PostgresDiffHooks.column_type_change(&self.target, &self.old)
                != Some(TypeChange::NotCastable);
        castable.then(|| {
            cast(
                &format!("{row}{}", ident(&self.new.name)),
                &self.target,
                &self.old,
            )
        })
    }

    /// The function and trigger keeping both columns equal. Writes from the new side (the new
    /// column set on insert, or changed by an update) are copied to the old column; every other
    /// write copies the old column to the new one, which also fills rows not yet backfilled.
    fn create_sync(&self) -> Vec<String> {
        let (old, new) = (ident(&self.old.name), ident(&self.new.name));
        let forward = self.forward("NEW.");
        let body = match self.back("NEW.") {
            Some(back) => format!(
                "  IF TG_OP = 'INSERT' THEN\n    IF NEW.{new} IS NULL THEN\n      NEW.{new} := \
                 {forward};\n    ELSE\n      NEW.{old} := {back};\n    END IF;\n  ELSIF NEW.{new} \
                 IS DISTINCT FROM OLD.{new} THEN\n    NEW.{old} := {back};\n  ELSE\n    NEW.{new} \
                 := {forward};\n  END IF;\n"
            ),
            None => format!("  NEW.{new} := {forward};\n"),
        };
        let function = self.function();
        vec![
            format!(
                "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\
                 {body}  RETURN NEW;\nEND\n$$"
            ),
            format!(
                "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION \
                 {function}()",
                ident(&self.sync_name()),
                object(self.table)
            ),
        ]
    }

    fn drop_sync(&self) -> Vec<String> {
        vec![
            format!(
                "DROP TRIGGER {} ON {}",
                ident(&self.sync_name()),
                object(self.table)
            ),
            format!("DROP FUNCTION {}()", self.function()),
        ]
    }
}

/// `value` cast to `to`'s type when `from`'s differs.
fn cast(value: &str, from: &Column, to: &Column) -> String {
    if same_type(from, to) {
        value.to_owned()
    } else {
        format!("{value}::{}", plain_column_type(to))
    }
}

fn same_type(a: &Column, b: &Column) -> bool {
    a.column_type == b.column_type
        && (a.arity == ColumnArity::List) == (b.arity == ColumnArity::List)
}

/// Whether changing `from`'s type to `to`'s rewrites the table. PostgreSQL keeps the rows when
/// the new type only lifts a limit: a longer or no `VARCHAR`/`VARBIT` length, `TEXT` for
/// `VARCHAR`, more `DECIMAL` precision at the same scale, more timestamp precision.
fn rewrites(from: &Column, to: &Column) -> bool {
    let (from_name, from_args) = split_type(&from.column_type.native);
    let (to_name, to_args) = split_type(&to.column_type.native);
    let lifted = |from: Option<&str>, to: Option<&str>| match (from, to) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(from), Some(to)) => match (from.split_once(','), to.split_once(',')) {
            (Some((from_precision, from_scale)), Some((to_precision, to_scale))) => {
                from_scale == to_scale && number(to_precision) >= number(from_precision)
            }
            (None, None) => number(to) >= number(from),
            _ => false,
        },
    };
    let kept = match (from_name, to_name) {
        ("VARCHAR", "TEXT") | ("TEXT", "VARCHAR") if to_args.is_none() => true,
        ("VARCHAR", "VARCHAR")
        | ("VARBIT", "VARBIT")
        | ("DECIMAL", "DECIMAL")
        | ("TIMESTAMP", "TIMESTAMP")
        | ("TIMESTAMPTZ", "TIMESTAMPTZ") => lifted(from_args, to_args),
        _ => false,
    };
    !kept || (from.arity == ColumnArity::List) != (to.arity == ColumnArity::List)
}

/// `VARCHAR(10)` as `("VARCHAR", Some("10"))`.
fn split_type(native: &str) -> (&str, Option<&str>) {
    match native.split_once('(') {
        Some((name, args)) => (name, Some(args.trim_end_matches(')'))),
        None => (native, None),
    }
}

fn number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// PostgreSQL's reserved key words: as a bare name, each means something else than a column.
const RESERVED_WORDS: &str = "all analyse analyze and any array as asc asymmetric \
    authorization binary both case cast check collate collation column concurrently \
    constraint create cross current_catalog current_date current_role current_schema \
    current_time current_timestamp current_user default deferrable desc distinct do else end except \
    false fetch for foreign freeze from full grant group having ilike in initially inner \
    intersect into is isnull join lateral leading left like limit localtime localtimestamp \
    natural not notnull null offset on only or order outer overlaps placing primary \
    references returning right select session_user similar some symmetric system_user \
    table tablesample then to trailing true union unique user using variadic verbose when \
    where window with";

/// The `key` option of a backfill directive naming `column`. The option holds an SQL expression:
/// a lower-case name that is no key word needs no SQL quotes (`key="id"`); any other is a quoted
/// identifier inside a single-quoted option value (`key='"userId"'`).
fn directive_key(column: &str) -> String {
    let plain = column.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && column
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED_WORDS.split_whitespace().any(|word| word == column);
    if plain {
        format!("\"{column}\"")
    } else {
        format!("'{}'", ident(column).replace('\'', "''"))
    }
}

/// Whether `default` is a constant: PostgreSQL 11+ adds a `NOT NULL` column with a constant
/// default without touching the rows.
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

fn alter(table: &ObjectName, changes: Vec<TableChange>) -> String {
    render::render_change(&Change::AlterTable {
        table: table.clone(),
        changes,
    })
}

fn set_default(table: &ObjectName, column: &Column) -> String {
    let without = Column {
        default: None,
        ..column.clone()
    };
    alter(
        table,
        vec![TableChange::AlterColumn(ColumnChange {
            from: without,
            to: column.clone(),
            arity_changed: false,
            default_changed: true,
            auto_increment_changed: false,
            identity_changed: false,
            collation_changed: false,
            on_update_changed: false,
            inheritors_made_nullable: None,
            detached_partitions: Vec::new(),
            type_change: None,
        })],
    )
}

fn set_not_null(table: &ObjectName, column: &Column) -> String {
    let nullable = Column {
        arity: ColumnArity::Nullable,
        ..column.clone()
    };
    let required = Column {
        arity: ColumnArity::Required,
        ..column.clone()
    };
    alter(
        table,
        vec![TableChange::AlterColumn(ColumnChange {
            from: nullable,
            to: required,
            arity_changed: true,
            default_changed: false,
            auto_increment_changed: false,
            identity_changed: false,
            collation_changed: false,
            on_update_changed: false,
            inheritors_made_nullable: None,
            detached_partitions: Vec::new(),
            type_change: None,
        })],
    )
}

/// The changes of one existing table that go through the plain `ALTER TABLE` of a phase, and
/// what must run after it in the expand phase.
#[derive(Default)]
struct TableWork {
    expand: Vec<TableChange>,
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

    /// Whether `index` can be built and dropped `CONCURRENTLY`: not a constraint's index, and
    /// not on a partitioned table.
    fn builds_concurrently(&self, table: &ObjectName, index: &Index) -> bool {
        !index.constraint_backed
            && self
                .target
                .table(table.namespace.as_deref(), &table.name)
                .is_none_or(|t| t.partition_by.is_none())
    }

    fn change(&mut self, change: &Change) {
        match change {
            Change::CreateSchema { .. }
            | Change::DropExtension { .. }
            | Change::CreateExtension { .. }
            | Change::AlterExtension { .. }
            | Change::CreateEnum { .. }
            | Change::CreateTable { .. }
            | Change::RedefineTables { .. }
            | Change::RenameForeignKey { .. }
            | Change::RedefineIndex { .. }
            | Change::CreatePartition { .. }
            | Change::AlterPartitionChecks { .. }
            | Change::DropPartition { .. } => self.expand.up.push_change(change),
            Change::AlterEnum(alter) => self.alter_enum(change, alter),
            Change::RenameTable {
                from,
                to,
                auto_increment_columns,
            } => {
                self.expand.up.push_text(
                    change.header(),
                    lint_ignore("rename-table", &render::render_change(change)),
                );
                self.expand.undo.push_change(&Change::RenameTable {
                    from: to.clone(),
                    to: from.clone(),
                    auto_increment_columns: auto_increment_columns.clone(),
                });
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
                } else if !self.builds_concurrently(table, index) {
                    self.validate
                        .drop_indexes
                        .up
                        .push("DropIndex", &[render::render_change(change)]);
                } else {
                    self.validate
                        .drop_indexes
                        .up
                        .push("DropIndex", &[drop_index_concurrently(table, index)]);
                }
            }
            Change::AlterTable { table, changes } => self.alter_table(table, changes),
            Change::DropTable { .. } => self.contract.drops.up.push_text(
                change.header(),
                lint_ignore("drop-table", &render::render_change(change)),
            ),
            Change::DropEnum { .. } => self.contract.drops.up.push_change(change),
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
                } else if !self.builds_concurrently(table, index) {
                    self.validate
                        .create_indexes
                        .up
                        .push("CreateIndex", &[render::render_change(change)]);
                } else {
                    self.validate
                        .create_indexes
                        .up
                        .push("CreateIndex", &[create_index_concurrently(table, index)]);
                }
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
        }
    }

    /// New values are added at expand (the new application version writes them); removed ones
    /// at contract, when no running version writes them any more.
    fn alter_enum(&mut self, change: &Change, alter: &AlterEnum) {
        if alter.removed.is_empty() {
            self.expand.up.push_change(change);
            return;
        }
        if !alter.added.is_empty() {
            self.expand.up.push_change(&Change::AlterEnum(AlterEnum {
                removed: Vec::new(),
                ..alter.clone()
            }));
        }
        self.contract.enums.up.push_change(change);
    }

    /// A foreign key of an existing table only checks new rows at expand; existing rows are
    /// checked at validate, without blocking writes.
    fn add_foreign_key(&mut self, change: &Change, table: &ObjectName, foreign_key: &ForeignKey) {
        if self
            .facts
            .recreated(table, foreign_key.columns.iter().map(String::as_str))
        {
            self.contract.drops.up.push_change(change);
            return;
        }
        let Some(name) = foreign_key
            .name
            .as_ref()
            .filter(|_| !self.facts.created_tables.contains(table))
        else {
            self.expand.up.push_change(change);
            return;
        };
        self.expand.up.push(
            change.header(),
            &[format!("{} NOT VALID", add_foreign_key(table, foreign_key))],
        );
        self.validate.constraints.up.push(
            "ValidateForeignKey",
            &[format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                object(table),
                ident(name)
            )],
        );
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
                TableChange::AlterColumn(c)
                    if c.type_change.is_some() && rewrites(&c.from, &c.to) =>
                {
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
                TableChange::DropPrimaryKey { .. } => self
                    .validate
                    .drop_keys
                    .up
                    .push_text("AlterTable", alter(table, vec![change.clone()])),
                TableChange::RenamePrimaryKey { .. }
                | TableChange::Inherit { .. }
                | TableChange::NoInherit { .. } => work.expand.push(change.clone()),
                TableChange::AddPrimaryKey { primary_key } => {
                    self.add_primary_key(table, primary_key);
                }
            }
        }
        if !work.expand.is_empty() {
            self.expand
                .up
                .push_text("AlterTable", alter(table, work.expand));
        }
        self.expand.extend(work.after_expand);
        for doubled in &doubled {
            self.double(doubled, key.as_deref());
        }
        self.rebuild_indexes(table, next, &doubled);
        if !work.contract.is_empty() {
            self.contract.drops.up.push_text(
                "AlterTable",
                lint_ignore("drop-column", &alter(table, work.contract)),
            );
        }
    }

    /// Why a column of `next` cannot be doubled: its key (index, references, sequence) would
    /// have to move to the new column, or it becomes or stops being a list.
    fn in_place_reason(&self, next: &Table, changes: &[TableChange]) -> Option<String> {
        let (reason, consequence) = changes.iter().find_map(|change| match change {
            TableChange::RenameColumn { to, .. } => Some((
                key_of(self.target, next, next.column(to)?, ident)?,
                "renamed in place, which breaks application versions still using the old name"
                    .to_owned(),
            )),
            TableChange::AlterColumn(c) if c.type_change.is_some() && rewrites(&c.from, &c.to) => {
                let reason =
                    if (c.from.arity == ColumnArity::List) != (c.to.arity == ColumnArity::List) {
                        format!("{} becomes or stops being a list", ident(&c.to.name))
                    } else if c.from.auto_increment {
                        format!("{} is auto-incremented", ident(&c.to.name))
                    } else {
                        key_of(self.target, next, &c.to, ident)?
                    };
                let consequence = format!(
                    "retyped in place, which locks {} while the table is rewritten",
                    object(&next.object_name())
                );
                Some((reason, consequence))
            }
            _ => None,
        })?;
        Some(format!(
            "{reason}, so it cannot be doubled: it is {consequence}"
        ))
    }

    /// The table's changes as in the single migration, drops at contract.
    fn in_place(&mut self, table: &ObjectName, changes: &[TableChange], reason: &str) {
        let (drops, rest, renames_back) = split_in_place(changes);
        if !rest.is_empty() {
            self.expand.up.push_text(
                "AlterTable",
                format!(
                    "-- As in a single migration: {reason}.\n{}",
                    alter(table, rest)
                ),
            );
            if !renames_back.is_empty() {
                self.expand
                    .undo
                    .push_text("AlterTable", alter(table, renames_back));
            }
        }
        if !drops.is_empty() {
            self.contract.drops.up.push_text(
                "AlterTable",
                lint_ignore("drop-column", &alter(table, drops)),
            );
        }
    }

    /// A column of an existing table made required, or added as required: a check that new
    /// and updated rows must pass from `after` on (the caller's phase), validated without
    /// blocking writes and turned into `NOT NULL` at validate.
    fn require(&mut self, table: &ObjectName, column: &Column, after: &mut PhaseScripts) {
        let check = ident(&format!("{}_{}_not_null", table.name, column.name));
        let add_check = format!(
            "ALTER TABLE {} ADD CONSTRAINT {check} CHECK ({} IS NOT NULL) NOT VALID",
            object(table),
            ident(&column.name)
        );
        let drop_check = format!("ALTER TABLE {} DROP CONSTRAINT {check}", object(table));
        after
            .up
            .push("AddNotNullCheck", std::slice::from_ref(&add_check));
        after
            .undo
            .push("DropNotNullCheck", std::slice::from_ref(&drop_check));
        self.validate.constraints.up.push(
            "ValidateNotNullCheck",
            &[format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {check}",
                object(table)
            )],
        );
        self.validate.not_null.up.push_text(
            "SetNotNull",
            format!(
                "{}\n{}",
                lint_ignore("set-not-null-without-check", &set_not_null(table, column)),
                join_statements(&[drop_check])
            ),
        );
        self.validate
            .not_null
            .undo
            .push("AddNotNullCheck", &[add_check]);
    }

    /// Nullability is checked apart (see [`Planner::require`]); everything else of the change
    /// only updates the catalog and goes in the expand phase's `ALTER TABLE`.
    fn alter_column(&mut self, table: &ObjectName, change: &ColumnChange, work: &mut TableWork) {
        let made_required = change.arity_changed
            && change.from.arity == ColumnArity::Nullable
            && change.to.arity == ColumnArity::Required;
        let rest = ColumnChange {
            arity_changed: change.arity_changed && !made_required,
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
            self.require(table, &change.to, &mut work.after_expand);
        }
    }

    /// A new column of an existing table. Nullable ones, and required ones with a constant
    /// default, are one catalog update. A volatile default would rewrite the table: the column
    /// is added without it, gets it for new rows, existing rows are backfilled, then checked
    /// (see [`Planner::require`]). A required
    /// column without a default is nullable until contract, when the new version has filled it.
    fn add_column(
        &mut self,
        table: &ObjectName,
        column: &Column,
        key: Option<&str>,
        work: &mut TableWork,
    ) {
        let required = column.arity == ColumnArity::Required && !column.auto_increment;
        match &column.default {
            _ if !required => work.expand.push(TableChange::AddColumn {
                column: column.clone(),
            }),
            Some(default) if is_constant(default) => work.expand.push(TableChange::AddColumn {
                column: column.clone(),
            }),
            Some(default) => {
                work.expand.push(TableChange::AddColumn {
                    column: nullable_without_default(column, &column.name),
                });
                work.after_expand
                    .up
                    .push_text("AlterTable", set_default(table, column));
                let value = render_default(default, &plain_column_type(column));
                let unset = format!("{} IS NULL", ident(&column.name));
                self.backfill(table, &column.name, &value, &unset, key);
                // Updates of rows not backfilled yet would fail the check: it comes after.
                let mut check = PhaseScripts::default();
                self.require(table, column, &mut check);
                self.backfill.extend(check);
            }
            None => {
                work.expand.push(TableChange::AddColumn {
                    column: nullable_without_default(column, &column.name),
                });
                self.contract.columns.up.push_text(
                    "AlterTable",
                    format!(
                        "-- {} has no default: the new application version fills it; rows \
                         without a value must be filled before this runs (the backfill phase is \
                         the place). Setting NOT NULL scans the table.\n{}",
                        ident(&column.name),
                        set_not_null(table, column)
                    ),
                );
            }
        }
    }

    /// A primary key from a unique index built without blocking writes.
    fn add_primary_key(&mut self, table: &ObjectName, primary_key: &PrimaryKey) {
        let name = primary_key
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_pkey", table.name));
        let index = Index {
            name: name.clone(),
            kind: IndexKind::Unique,
            columns: primary_key.columns.clone(),
            algorithm: None,
            predicate: None,
            include: Vec::new(),
            constraint_backed: false,
        };
        self.validate
            .create_indexes
            .up
            .push("CreateIndex", &[create_index_concurrently(table, &index)]);
        self.validate.add_keys.up.push(
            "AddPrimaryKey",
            &[format!(
                "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}",
                object(table),
                ident(&name),
                ident(&name)
            )],
        );
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
            object(table),
            ident(column)
        );
        let statement = match key {
            Some(key) => format!(
                "-- drydock:backfill key={} batch={BACKFILL_BATCH}\n{update}",
                directive_key(key)
            ),
            None => format!(
                "-- {} has no single-column primary key to batch by: one UPDATE changes every \
                 row.\n{update}",
                object(table)
            ),
        };
        self.backfill.up.push("Backfill", &[statement]);
    }

    /// A renamed or retyped column as a second column: added with a sync trigger at expand,
    /// backfilled, made required at validate, and switched to at contract.
    fn double(&mut self, doubled: &Doubled<'_>, key: Option<&str>) {
        let table = doubled.table;
        self.expand.up.push_text(
            "AlterTable",
            alter(
                table,
                vec![TableChange::AddColumn {
                    column: doubled.new.clone(),
                }],
            ),
        );
        if doubled.target.arity == ColumnArity::Required {
            let mut after = PhaseScripts::default();
            self.require(table, &doubled.new, &mut after);
            self.expand.extend(after);
        }
        self.expand
            .up
            .push("CreateSyncTrigger", &doubled.create_sync());
        self.expand
            .undo
            .push("DropSyncTrigger", &doubled.drop_sync());

        let new = ident(&doubled.new.name);
        let value = doubled.forward("");
        self.backfill(
            table,
            &doubled.new.name,
            &value,
            &format!("{new} IS DISTINCT FROM {value}"),
            key,
        );

        self.contract
            .triggers
            .up
            .push("DropSyncTrigger", &doubled.drop_sync());
        self.contract
            .triggers
            .undo
            .push("CreateSyncTrigger", &doubled.create_sync());
        let old_name = &doubled.old.name;
        let mut statements = vec![lint_ignore(
            "drop-column",
            &alter(
                table,
                vec![TableChange::DropColumn {
                    column: doubled.old.clone(),
                }],
            ),
        )];
        let mut restore = Vec::new();
        if doubled.retyped {
            // A rename is a statement of its own, which `ALTER TABLE` would put first.
            statements.push(lint_ignore(
                "rename-column",
                &alter(
                    table,
                    vec![TableChange::RenameColumn {
                        from: doubled.new.name.clone(),
                        to: old_name.clone(),
                        auto_increment: false,
                    }],
                ),
            ));
            restore.push(alter(
                table,
                vec![TableChange::RenameColumn {
                    from: old_name.clone(),
                    to: doubled.new.name.clone(),
                    auto_increment: false,
                }],
            ));
        }
        if doubled.target.default.is_some() {
            statements.push(set_default(table, &doubled.target));
        }
        // Down: the old column back, with the data the new one has.
        restore.push(alter(
            table,
            vec![TableChange::AddColumn {
                column: nullable_without_default(&doubled.old, old_name),
            }],
        ));
        if let Some(back) = doubled.back("") {
            restore.push(format!(
                "UPDATE {} SET {} = {back};",
                object(table),
                ident(old_name)
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
                renames.push_change(&rename(&built.name, &index.name));
                renames_back.push_change(&rename(&index.name, &built.name));
            }
            self.validate
                .create_indexes
                .up
                .push("CreateIndex", &[create_index_concurrently(table, &built)]);
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
            let create = format!(
                "CREATE VIEW {} AS SELECT * FROM {}",
                object(&old),
                object(&new)
            );
            let drop = format!("DROP VIEW {}", object(&old));
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
        .filter_map(|(kind, scripts)| {
            scripts.into_phase(kind, |sql| {
                kind != PhaseKind::Backfill && render::needs_no_transaction(sql).is_none()
            })
        })
        .collect()
    }
}
