//! The generic differ: matches objects by name, classifies what changed, and lays the changes
//! out in execution order. Dialect differences are asked of [`DiffHooks`].
//!
//! Only what the schema language can express is diffed: views, sequences, opaque objects
//! (functions, triggers, exclusion constraints), check constraints and comments are never
//! created nor dropped, so a migration never removes one written by hand; extensions follow the
//! schema's `extensions = [...]` (see `extensions`). Drift compares them separately
//! (`compare_opaque`).

use std::collections::{HashMap, HashSet};

use drydock_schema::{
    CheckConstraint, Column, ColumnArity, DefaultValue, Enum, ExtensionSource, ForeignKey, Index,
    IndexColumn, ObjectName, OpaqueKind, OpaqueObject, Partition, PrimaryKey, SqlSchema, Table,
    TypeFamily,
};

use crate::DiffHooks;
use crate::change::{
    AlterEnum, Change, ColumnChange, CopiedColumn, DetachedPartition, EnumColumnUse, RedefineTable,
    TableChange, TypeChange,
};
use crate::extensions::{ExtensionChanges, diff_extensions};
use crate::renames::Renames;
use crate::warning::{self, Warning};

/// The result of comparing two schemas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// Changes in execution order.
    pub changes: Vec<Change>,
    /// Data-loss warnings first, then unexecutable ones.
    pub warnings: Vec<Warning>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

type Key<'a> = (Option<&'a str>, &'a str);

fn table_key(table: &Table) -> Key<'_> {
    (table.namespace.as_deref(), table.name.as_str())
}

fn enum_key(e: &Enum) -> Key<'_> {
    (e.namespace.as_deref(), e.name.as_str())
}

/// Changes are collected per kind, then concatenated in [`Change::phase`] order.
#[derive(Default)]
struct Plan {
    create_schemas: Vec<Change>,
    extensions: ExtensionChanges,
    create_enums: Vec<Change>,
    alter_enums: Vec<Change>,
    rename_tables: Vec<Change>,
    drop_foreign_keys: Vec<Change>,
    /// Indexes kept foreign keys get back (`TableDiff::foreign_key_indexes`), before the
    /// indexes that served them are dropped.
    foreign_key_indexes: Vec<Change>,
    drop_indexes: Vec<Change>,
    alter_tables: Vec<Change>,
    /// Unique indexes replaced by a primary key on the same columns: dropped once the key
    /// exists, so the columns stay unique throughout.
    drop_indexes_after_alter: Vec<Change>,
    drop_partitions: Vec<Change>,
    /// Detached partitions brought to the shape of the tables they become.
    alter_detached: Vec<Change>,
    drop_tables: Vec<Change>,
    drop_enums: Vec<Change>,
    create_tables: Vec<Change>,
    create_partitions: Vec<Change>,
    /// Own primary keys and checks added to partitions kept on both sides, once every key and
    /// check they lose is gone at any depth (a partition's key comes down to its partitions)
    /// and columns are made nullable (`mark_required_in_partitions`).
    add_partition_objects: Vec<Change>,
    /// Tables that start inheriting, once every table has its columns.
    inherit: Vec<Change>,
    redefine_tables: Vec<RedefineTable>,
    /// Indexes of new tables come before those of existing tables.
    create_indexes_new: Vec<Change>,
    create_indexes: Vec<Change>,
    rename_foreign_keys: Vec<Change>,
    /// Keyed by the table's position in the next schema: foreign keys are added in that order,
    /// whether the table is new or not.
    add_foreign_keys: Vec<(usize, Change)>,
    rename_indexes: Vec<Change>,
    redefine_indexes: Vec<Change>,
    warnings: Vec<Warning>,
}

impl Plan {
    fn into_diff(self) -> Diff {
        let mut changes = Vec::new();
        let extensions = self.extensions;
        changes.extend(self.create_schemas);
        changes.extend(extensions.recreated_drops);
        changes.extend(extensions.creates);
        changes.extend(extensions.alters);
        changes.extend(self.create_enums);
        changes.extend(self.alter_enums);
        changes.extend(self.rename_tables);
        changes.extend(self.drop_foreign_keys);
        changes.extend(self.foreign_key_indexes);
        changes.extend(self.drop_indexes);
        changes.extend(self.alter_tables);
        changes.extend(self.drop_indexes_after_alter);
        changes.extend(self.drop_partitions);
        changes.extend(self.alter_detached);
        changes.extend(self.drop_tables);
        changes.extend(self.drop_enums);
        changes.extend(self.create_tables);
        changes.extend(self.create_partitions);
        changes.extend(self.add_partition_objects);
        changes.extend(self.inherit);
        if !self.redefine_tables.is_empty() {
            changes.push(Change::RedefineTables {
                tables: self.redefine_tables,
            });
        }
        changes.extend(self.create_indexes_new);
        changes.extend(self.create_indexes);
        changes.extend(self.rename_foreign_keys);
        let mut add_foreign_keys = self.add_foreign_keys;
        add_foreign_keys.sort_by_key(|(position, _)| *position);
        changes.extend(add_foreign_keys.into_iter().map(|(_, change)| change));
        changes.extend(self.rename_indexes);
        changes.extend(self.redefine_indexes);
        changes.extend(extensions.drops);
        let mut warnings = self.warnings;
        // Stable: data-loss warnings first, then unexecutable ones, then renames; each group in
        // the order it was found.
        warnings.sort_by_key(|w| (w.is_notice(), w.is_unexecutable()));
        Diff { changes, warnings }
    }
}

/// Everything that turns `from` into `to`. The `renamed_from` hints of `to` turn a drop and a
/// create into a rename where they name what `from` has (see `renames`).
pub fn diff(from: &SqlSchema, to: &SqlSchema, hooks: &dyn DiffHooks) -> Diff {
    let mut plan = Plan::default();
    let renames = Renames::find(from, to);
    for (old, new) in &renames.tables {
        plan.warnings.push(warning::renamed_table(&old.name, new));
        let auto_increment_columns = from
            .table(old.namespace.as_deref(), &old.name)
            .map(|table| {
                table
                    .columns
                    .iter()
                    .filter(|c| c.auto_increment)
                    .map(|c| c.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        plan.rename_tables.push(Change::RenameTable {
            from: old.clone(),
            to: new.clone(),
            auto_increment_columns,
        });
    }
    let renamed;
    let from = if renames.is_empty() {
        from
    } else {
        renamed = renames.apply(from);
        &renamed
    };

    // Prisma creates schemas in name order, whatever the order of `schemas = [...]`.
    let mut namespaces: Vec<&String> = to.namespaces.iter().collect();
    namespaces.sort();
    for namespace in namespaces {
        if !from.namespaces.contains(namespace) && holds_objects(from, to, namespace) {
            plan.create_schemas.push(Change::CreateSchema {
                namespace: namespace.clone(),
            });
        }
    }

    plan.extensions = diff_extensions(from, to);
    diff_enums(from, to, &renames, &mut plan);

    let from_tables: HashMap<Key<'_>, &Table> =
        from.tables.iter().map(|t| (table_key(t), t)).collect();

    let to_tables: HashMap<Key<'_>, (usize, &Table)> = to
        .tables
        .iter()
        .enumerate()
        .map(|(position, t)| (table_key(t), (position, t)))
        .collect();
    let retyped = retyped_columns_by_table(from, &to_tables, hooks);
    let empty = Table::new(None, "");
    // Children before the tables they inherit from: a parent is dropped after them.
    let mut from_order: Vec<&Table> = from.tables.iter().collect();
    from_order.sort_by_key(|t| std::cmp::Reverse(inheritance_depth(from, t)));
    for previous in from_order {
        match to_tables.get(&table_key(previous)) {
            // Attached to a partitioned table instead (`diff_partitions`).
            None if is_partition(to, previous) => {}
            None => {
                diff_partitions(previous, &empty, (from, to), hooks, &mut plan);
                drop_table(previous, hooks, &mut plan);
            }
            // How rows are partitioned cannot change in place.
            Some((position, next))
                if next.partition_by.is_some() && next.partition_by != previous.partition_by =>
            {
                drop_table(previous, hooks, &mut plan);
                create_table(next, *position, hooks, &mut plan);
                diff_partitions(&empty, next, (from, to), hooks, &mut plan);
            }
            Some((position, next)) => {
                diff_partitions(previous, next, (from, to), hooks, &mut plan);
                let context = TableContext {
                    position: *position,
                    retyped_tables: &retyped,
                    renamed_columns: renames.columns_of(&next.object_name()),
                    // A database states its tables' parents; a Prisma schema states none.
                    inheritance: (to.extension_source == ExtensionSource::Installed)
                        .then_some((from, to)),
                    target_is_database: is_database(to),
                };
                diff_table(previous, next, &context, hooks, &mut plan);
            }
        }
    }
    drop_foreign_keys_around_detaches(from, to, &mut plan);
    for redefine in &mut plan.redefine_tables {
        keep_hand_made(redefine, from, &renames);
    }
    // Parents before the tables that inherit from them.
    let mut to_order: Vec<(usize, &Table)> = to.tables.iter().enumerate().collect();
    to_order.sort_by_key(|(_, t)| inheritance_depth(to, t));
    for (position, next) in to_order {
        // A partition detached from its table becomes this table (`diff_partitions`).
        if !from_tables.contains_key(&table_key(next)) && !is_partition(from, next) {
            create_table(next, position, hooks, &mut plan);
            diff_partitions(&empty, next, (from, to), hooks, &mut plan);
        }
    }

    plan.into_diff()
}

/// What a rebuilt table's hand-made objects need: its triggers, created again after the
/// rebuild, and whether views or other tables' triggers name it (searched for the name as a
/// word). `from` names a table renamed in this migration by its previous name: its triggers and
/// the definitions naming it are found under that name, or the new one the rename gives them.
fn keep_hand_made(redefine: &mut RedefineTable, from: &SqlSchema, renames: &Renames) {
    let table = &redefine.previous;
    let previous_name = renames.previous_table_name(&table.object_name()).name;
    let (own, others): (Vec<&OpaqueObject>, Vec<&OpaqueObject>) = from
        .opaque
        .iter()
        .filter(|object| object.kind == OpaqueKind::Trigger && object.namespace == table.namespace)
        .partition(|trigger| trigger.table.as_deref() == Some(previous_name.as_str()));
    redefine.triggers = own.into_iter().cloned().collect();
    let names_table = |definition: &str| {
        definition
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| {
                word.eq_ignore_ascii_case(&table.name) || word.eq_ignore_ascii_case(&previous_name)
            })
    };
    redefine.named_by_hand_made = from
        .views
        .iter()
        .filter(|view| view.namespace == table.namespace)
        .map(|view| view.definition.as_str())
        .chain(others.iter().map(|trigger| trigger.definition.as_str()))
        .any(names_table);
    redefine.renamed_from = (previous_name != table.name).then_some(previous_name);
}

/// Whether a table or enum lives in `namespace`: Prisma creates no namespace that would stay
/// empty. Objects of `to` without a namespace live in the default one, then its only namespace.
fn holds_objects(from: &SqlSchema, to: &SqlSchema, namespace: &str) -> bool {
    let in_to = |object_namespace: Option<&str>| match object_namespace {
        Some(n) => n == namespace,
        None => to
            .default_namespace
            .as_deref()
            .is_none_or(|d| d == namespace),
    };
    to.tables.iter().any(|t| in_to(t.namespace.as_deref()))
        || to.enums.iter().any(|e| in_to(e.namespace.as_deref()))
        || from
            .tables
            .iter()
            .any(|t| t.namespace.as_deref() == Some(namespace))
}

/// How many ancestors `table` has in `schema` (0 without `INHERITS`).
fn inheritance_depth(schema: &SqlSchema, table: &Table) -> usize {
    let mut depth = 0;
    let mut level = table.inherits.clone();
    // Bounded by the table count, so a cycle (impossible in a database) cannot loop.
    while !level.is_empty() && depth < schema.tables.len() {
        depth += 1;
        level = level
            .iter()
            .filter_map(|parent| schema.table(parent.namespace.as_deref(), &parent.name))
            .flat_map(|parent| parent.inherits.clone())
            .collect();
    }
    depth
}

/// Whether `schema` has `table` as a partition of one of its tables that a plain table can
/// become or come from (`ATTACH`/`DETACH PARTITION`): one not partitioned itself.
fn is_partition(schema: &SqlSchema, table: &Table) -> bool {
    schema.tables.iter().any(|parent| {
        parent.namespace == table.namespace
            && parent
                .partitions
                .iter()
                .any(|p| p.name == table.name && p.partition_by.is_none())
    })
}

/// Whether two partitions of one name hold the same rows the same way: then only their
/// sub-partitions may change.
fn same_partitioning(a: &Partition, b: &Partition) -> bool {
    a.bound == b.bound && a.partition_by == b.partition_by
}

/// The sub-partitions of a partition both sides have alike (`same_partitioning`), changed
/// the way `diff_partitions` changes a table's partitions (no attaching: a sub-partition is
/// never a table here).
fn diff_sub_partitions(
    parent: &Table,
    previous: &Partition,
    next: &Partition,
    hooks: &dyn DiffHooks,
    plan: &mut Plan,
) {
    diff_partition_objects(parent, previous, next, hooks, plan);
    let namespace = parent.namespace.as_deref();
    let table = ObjectName::new(namespace.map(str::to_owned), previous.name.clone());
    for before in &previous.partitions {
        match next.partitions.iter().find(|p| p.name == before.name) {
            Some(after) if same_partitioning(before, after) => {
                diff_sub_partitions(parent, before, after, hooks, plan);
            }
            _ => plan.drop_partitions.push(Change::DropPartition {
                table: table.clone(),
                partition: before.clone(),
                detach: false,
                dropped_checks: Vec::new(),
            }),
        }
    }
    for after in &next.partitions {
        let alike = previous
            .partitions
            .iter()
            .any(|p| p.name == after.name && same_partitioning(p, after));
        if !alike {
            create_partition(&table, after, None, plan);
        }
    }
}

/// The table a partition of `parent` is as far as its own indexes go: the parent's columns,
/// and the partition's own indexes.
fn partition_shape(parent: &Table, partition: &Partition) -> Table {
    let mut shape = Table::new(parent.namespace.clone(), partition.name.clone());
    shape.columns.clone_from(&parent.columns);
    shape.indexes.clone_from(&partition.indexes);
    shape
}

/// The own primary key, indexes and checks of a partition both sides have (`same_partitioning`)
/// brought to `next`'s, `parent` (the partitioned table at the top, as `to` has it) giving the
/// columns.
fn diff_partition_objects(
    parent: &Table,
    previous: &Partition,
    next: &Partition,
    hooks: &dyn DiffHooks,
    plan: &mut Plan,
) {
    let no_retyped = RetypedColumns::new();
    let context = TableContext {
        position: 0,
        retyped_tables: &no_retyped,
        renamed_columns: &[],
        inheritance: None,
        target_is_database: false,
    };
    diff_table(
        &partition_shape(parent, previous),
        &partition_shape(parent, next),
        &context,
        hooks,
        plan,
    );
    let table = ObjectName::new(parent.namespace.clone(), next.name.clone());
    match (&previous.primary_key, &next.primary_key) {
        // Only renamed.
        (Some(before), Some(after)) if before.columns == after.columns => {
            if let (Some(from), Some(to)) = (&before.name, &after.name)
                && from != to
            {
                plan.alter_tables.push(Change::AlterTable {
                    table: table.clone(),
                    changes: vec![TableChange::RenamePrimaryKey {
                        from: from.clone(),
                        to: to.clone(),
                    }],
                });
            }
        }
        (before, after) => {
            if let Some(primary_key) = before {
                plan.alter_tables.push(Change::AlterTable {
                    table: table.clone(),
                    changes: vec![TableChange::DropPrimaryKey {
                        name: primary_key.name.clone(),
                    }],
                });
            }
            if let Some(primary_key) = after {
                plan.add_partition_objects.push(Change::AlterTable {
                    table: table.clone(),
                    changes: vec![TableChange::AddPrimaryKey {
                        primary_key: primary_key.clone(),
                    }],
                });
            }
        }
    }
    let dropped: Vec<String> = previous
        .checks
        .iter()
        .filter(|check| !next.checks.contains(check))
        .map(|check| check.name.clone())
        .collect();
    let added: Vec<CheckConstraint> = next
        .checks
        .iter()
        .filter(|check| !previous.checks.contains(check))
        .cloned()
        .collect();
    if !dropped.is_empty() {
        plan.drop_indexes.push(Change::AlterPartitionChecks {
            table: table.clone(),
            dropped,
            added: Vec::new(),
        });
    }
    if !added.is_empty() {
        plan.add_partition_objects
            .push(Change::AlterPartitionChecks {
                table,
                dropped: Vec::new(),
                added,
            });
    }
}

/// `partition` created in `table` (or, with `attached`, the checks to drop and add first,
/// attached to it), then its sub-partitions in it.
fn create_partition(
    table: &ObjectName,
    partition: &Partition,
    attached: Option<(Vec<String>, Vec<CheckConstraint>)>,
    plan: &mut Plan,
) {
    let attach = attached.is_some();
    let (dropped_checks, added_checks) = attached.unwrap_or_default();
    plan.create_partitions.push(Change::CreatePartition {
        table: table.clone(),
        partition: partition.clone(),
        attach,
        dropped_checks,
        added_checks,
    });
    let parent = ObjectName::new(table.namespace.clone(), partition.name.clone());
    for sub in &partition.partitions {
        create_partition(&parent, sub, None, plan);
    }
}

/// The checks a partitioned table has while its partitions are attached and detached: the
/// hand-made changes drop the ones `next` lacks before the model changes and add the new ones
/// after them. A table gone (`next` unnamed) keeps all of its checks until it is dropped.
fn checks_during_partition_changes<'a>(
    previous: &'a Table,
    next: &'a Table,
) -> impl Iterator<Item = &'a CheckConstraint> {
    previous
        .checks
        .iter()
        .filter(move |check| next.name.is_empty() || next.checks.contains(check))
}

/// Partitions `previous` has and `next` has not are dropped (detached when `to` has a table
/// of that name); those `next` has and `previous` has not are created (attached when `from`
/// has a table of that name). A changed bound or partitioning is a drop and a create; a
/// partition alike on both sides has its sub-partitions compared. A table without
/// partitions on one side stands for the table's absence there. A table to attach first takes
/// the partitioned table's columns; a detached partition then takes its new table's shape (the
/// indexes a partition kept from its table are left as they are).
fn diff_partitions(
    previous: &Table,
    next: &Table,
    (from, to): (&SqlSchema, &SqlSchema),
    hooks: &dyn DiffHooks,
    plan: &mut Plan,
) {
    // A target that does not partition the table (a Prisma schema) leaves its partitions alone.
    if !next.name.is_empty() && next.partition_by.is_none() {
        return;
    }
    let no_retyped = RetypedColumns::new();
    let context = TableContext {
        position: 0,
        retyped_tables: &no_retyped,
        renamed_columns: &[],
        inheritance: None,
        target_is_database: false,
    };
    for partition in &previous.partitions {
        if let Some(kept) = next
            .partitions
            .iter()
            .find(|p| p.name == partition.name && same_partitioning(p, partition))
        {
            diff_sub_partitions(next, partition, kept, hooks, plan);
            continue;
        }
        // A partitioned partition cannot become a plain table: it is dropped.
        let standalone = to
            .table(previous.namespace.as_deref(), &partition.name)
            .filter(|_| partition.partition_by.is_none());
        // A detached partition keeps its table's checks as its own: they go, and the hand-made
        // changes add those the target table has (it is no table on the `from` side).
        let dropped_checks = if standalone.is_some() {
            checks_during_partition_changes(previous, next)
                .chain(&partition.checks)
                .map(|check| check.name.clone())
                .collect()
        } else {
            Vec::new()
        };
        plan.drop_partitions.push(Change::DropPartition {
            table: previous.object_name(),
            partition: partition.clone(),
            detach: standalone.is_some(),
            dropped_checks,
        });
        if let Some(standalone) = standalone {
            // The partition has its table's columns as they are once this diff ran.
            let parent = if next.name.is_empty() { previous } else { next };
            let mut detached = Table::new(previous.namespace.clone(), partition.name.clone());
            detached.columns.clone_from(&parent.columns);
            detached.primary_key = partition.primary_key.clone().or_else(|| {
                parent.primary_key.clone().map(|key| PrimaryKey {
                    name: Some(format!("{}_pkey", partition.name)),
                    ..key
                })
            });
            detached.indexes.clone_from(&partition.indexes);
            let mut shaped = Plan::default();
            diff_table(&detached, standalone, &context, hooks, &mut shaped);
            let shaped = shaped.into_diff();
            plan.alter_detached.extend(shaped.changes);
            plan.warnings.extend(shaped.warnings);
        }
    }
    for partition in &next.partitions {
        let alike = previous
            .partitions
            .iter()
            .any(|p| p.name == partition.name && same_partitioning(p, partition));
        if alike {
            continue;
        }
        // A plain table cannot become a partitioned partition: it is dropped as a table.
        let standalone = from
            .table(next.namespace.as_deref(), &partition.name)
            .filter(|_| partition.partition_by.is_none());
        let attached = standalone.map(|standalone| {
            // The table takes the partition's own key and indexes; PostgreSQL attaches those
            // built like an index of the partitioned table to it.
            let mut shaped = Table {
                columns: next.columns.clone(),
                ..standalone.clone()
            };
            if next.primary_key.is_none() {
                shaped.primary_key.clone_from(&partition.primary_key);
            }
            shaped.indexes = standalone
                .indexes
                .iter()
                .filter(|index| {
                    next.indexes
                        .iter()
                        .any(|i| same_index_definition(i, index, hooks))
                })
                .chain(&partition.indexes)
                .cloned()
                .collect();
            diff_table(standalone, &shaped, &context, hooks, plan);
            attach_checks(
                standalone,
                partition,
                checks_during_partition_changes(previous, next),
            )
        });
        create_partition(&next.object_name(), partition, attached, plan);
    }
}

/// The checks `standalone` drops, then adds, to be attached as `partition` to a partitioned
/// table with `parent_checks`: PostgreSQL refuses a check of a parent's name with another
/// expression, and merges one alike. Checks neither side has alike go (dropping a check keeps
/// rows valid; those added are validated).
fn attach_checks<'a>(
    standalone: &Table,
    partition: &'a Partition,
    parent_checks: impl Iterator<Item = &'a CheckConstraint>,
) -> (Vec<String>, Vec<CheckConstraint>) {
    let wanted: Vec<&CheckConstraint> = parent_checks.chain(&partition.checks).collect();
    let dropped = standalone
        .checks
        .iter()
        .filter(|check| !wanted.contains(check))
        .map(|check| check.name.clone())
        .collect();
    let added = wanted
        .into_iter()
        .filter(|check| !standalone.checks.contains(check))
        .cloned()
        .collect();
    (dropped, added)
}

/// The schema a database holding `from` has once the diff to `to` is applied: `to`, plus what
/// the diff leaves alone where `to` does not state it (hand-written indexes, partitions,
/// inheritance, a column's identity kind, generation expression, collation, `ON UPDATE` and
/// comment, views and opaque objects). A down migration is the diff from this schema back to `from`; from `to`
/// alone it would create those indexes a second time, rebuild a partitioned table, or lose a
/// rebuilt table's triggers.
pub fn applied_schema(from: &SqlSchema, to: &SqlSchema) -> SqlSchema {
    let renames = Renames::find(from, to);
    let renamed;
    let from = if renames.is_empty() {
        from
    } else {
        renamed = renames.apply(from);
        &renamed
    };
    let mut applied = to.clone();
    // Views and triggers are never diffed; a trigger goes with its table.
    if applied.views.is_empty() && applied.opaque.is_empty() {
        applied.views.clone_from(&from.views);
        applied.opaque = from
            .opaque
            .iter()
            .filter(|object| {
                object.kind != OpaqueKind::Trigger
                    || object.table.as_deref().is_some_and(|table| {
                        applied.table(object.namespace.as_deref(), table).is_some()
                    })
            })
            .cloned()
            .collect();
    }
    for next in &mut applied.tables {
        let Some(previous) = from.tables.iter().find(|t| table_key(t) == table_key(next)) else {
            continue;
        };
        let kept: Vec<Index> = kept_hand_written_indexes(previous, next).cloned().collect();
        next.indexes.extend(kept);
        if next.partition_by.is_none() {
            next.partition_by.clone_from(&previous.partition_by);
            next.partitions.clone_from(&previous.partitions);
        }
        // A database states its tables' parents (`diff_table`); a Prisma schema states none.
        if next.inherits.is_empty() && to.extension_source == ExtensionSource::Declared {
            next.inherits.clone_from(&previous.inherits);
            next.inherited_columns = previous
                .inherited_columns
                .iter()
                .filter(|name| next.columns.iter().any(|c| &c.name == *name))
                .cloned()
                .collect();
        }
        carry_column_facts(previous, next, is_database(to));
    }
    applied
}

/// `to` with the facts of its columns that it does not state taken from the same columns of
/// `from` (collation, `ON UPDATE` and comment unless `to` is a database, generation, identity
/// kind), as [`applied_schema`] takes them: what a statement restating a column keeps of it.
pub fn with_column_facts_of(from: &SqlSchema, to: &SqlSchema) -> SqlSchema {
    let mut carried = to.clone();
    for next in &mut carried.tables {
        if let Some(previous) = from.tables.iter().find(|t| table_key(t) == table_key(next)) {
            carry_column_facts(previous, next, is_database(to));
        }
    }
    carried
}

/// Whether `schema` is a database's, which states every column's `ON UPDATE` and comment; a
/// Prisma schema states neither.
fn is_database(schema: &SqlSchema) -> bool {
    schema.extension_source == ExtensionSource::Installed
}

fn carry_column_facts(previous: &Table, next: &mut Table, target_is_database: bool) {
    for column in &mut next.columns {
        let Some(before) = previous.column(&column.name) else {
            continue;
        };
        // Kept where the new type takes it: a string's collation, a timestamp's `ON UPDATE`.
        let same_family = column.column_type.family == before.column_type.family;
        if column.collation.is_none() && same_family {
            column.collation.clone_from(&before.collation);
        }
        if !target_is_database && column.comment.is_none() {
            column.comment.clone_from(&before.comment);
        }
        if !target_is_database && column.on_update.is_none() && same_family {
            column.on_update = before
                .on_update
                .as_deref()
                .map(|expression| column.on_update_at_own_precision(expression));
        }
        if column.generated.is_none() && before.generated.is_some() {
            column.generated.clone_from(&before.generated);
            column.generated_virtual = before.generated_virtual;
            column.default = None;
        }
        if column.identity.is_none() && column.auto_increment && before.auto_increment {
            column.identity = before.identity;
        }
    }
}

/// The indexes of `previous` that only SQL can express, that `next` does not mention and that
/// survive the change: every column they read is still there (the database drops an index with
/// its column). Expressions and predicates are searched for the dropped columns' names.
fn kept_hand_written_indexes<'a>(
    previous: &'a Table,
    next: &'a Table,
) -> impl Iterator<Item = &'a Index> {
    let dropped: Vec<&str> = previous
        .columns
        .iter()
        .filter(|c| next.column(&c.name).is_none())
        .map(|c| c.name.as_str())
        .collect();
    previous
        .indexes
        .iter()
        .filter(|index| index.is_hand_written_only() && next.index(&index.name).is_none())
        .filter(move |index| {
            let named = index
                .columns
                .iter()
                .filter(|c| c.expression.is_none())
                .map(|c| c.name.as_str())
                .chain(index.include.iter().map(String::as_str))
                .all(|name| next.column(name).is_some());
            let texts = index
                .columns
                .iter()
                .filter_map(|c| c.expression.as_deref())
                .chain(index.predicate.as_deref());
            named
                && !texts
                    .into_iter()
                    .any(|text| dropped.iter().any(|c| mentions(text, c)))
        })
}

/// Whether the SQL `text` names `column`, quoted or (for a lower-case name) bare.
fn mentions(text: &str, column: &str) -> bool {
    text.contains(&format!("\"{}\"", column.replace('"', "\"\"")))
        || (column
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && text
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .any(|word| word == column))
}

fn diff_enums(from: &SqlSchema, to: &SqlSchema, renames: &Renames, plan: &mut Plan) {
    let from_enums: HashMap<Key<'_>, &Enum> = from.enums.iter().map(|e| (enum_key(e), e)).collect();
    let to_keys: HashSet<Key<'_>> = to.enums.iter().map(enum_key).collect();

    for next in &to.enums {
        let Some(previous) = from_enums.get(&enum_key(next)) else {
            plan.create_enums.push(Change::CreateEnum {
                enum_type: next.clone(),
            });
            continue;
        };
        let added: Vec<String> = next
            .values
            .iter()
            .filter(|v| !previous.values.contains(v))
            .cloned()
            .collect();
        let removed: Vec<String> = previous
            .values
            .iter()
            .filter(|v| !next.values.contains(v))
            .cloned()
            .collect();
        if added.is_empty() && removed.is_empty() {
            continue;
        }
        if !removed.is_empty() {
            plan.warnings
                .push(warning::enum_values_removed(next, &removed));
        }
        let name = next.object_name();
        let columns = enum_column_uses(&name, from, to, renames);
        plan.alter_enums.push(Change::AlterEnum(AlterEnum {
            name,
            previous_values: previous.values.clone(),
            next_values: next.values.clone(),
            added,
            removed,
            columns,
        }));
    }
    for previous in &from.enums {
        if !to_keys.contains(&enum_key(previous)) {
            plan.drop_enums.push(Change::DropEnum {
                enum_type: previous.clone(),
            });
        }
    }
}

/// The columns of type `name`. Enums change before tables are renamed, so each column goes by
/// the names it has then.
fn enum_column_uses(
    name: &ObjectName,
    from: &SqlSchema,
    to: &SqlSchema,
    renames: &Renames,
) -> Vec<EnumColumnUse> {
    let mut uses = Vec::new();
    for table in &to.tables {
        for column in &table.columns {
            if column.column_type.family != drydock_schema::TypeFamily::Enum(name.clone()) {
                continue;
            }
            let previous_default = from
                .table(table.namespace.as_deref(), &table.name)
                .and_then(|t| t.column(&column.name))
                .and_then(|c| c.default.clone())
                .filter(|d| {
                    matches!(
                        d,
                        drydock_schema::DefaultValue::EnumValue(_)
                            | drydock_schema::DefaultValue::List(_)
                    )
                });
            let table_name = table.object_name();
            let mut column = column.clone();
            column.name = renames.previous_column_name(&table_name, &column.name);
            uses.push(EnumColumnUse {
                table: renames.previous_table_name(&table_name),
                column,
                previous_default,
            });
        }
    }
    uses
}

fn drop_table(previous: &Table, hooks: &dyn DiffHooks, plan: &mut Plan) {
    let name = previous.object_name();
    // Other dropped tables may reference this one: drop the constraints first where the
    // dialect can; elsewhere (SQLite) the table's indexes go first and foreign keys go with it.
    if hooks.foreign_keys_alter_in_place() {
        for foreign_key in &previous.foreign_keys {
            plan.drop_foreign_keys.push(Change::DropForeignKey {
                table: name.clone(),
                foreign_key: foreign_key.clone(),
            });
        }
    } else {
        for index in &previous.indexes {
            plan.drop_indexes.push(Change::DropIndex {
                table: name.clone(),
                index: index.clone(),
            });
        }
    }
    plan.warnings.push(warning::drop_table(previous));
    plan.drop_tables.push(Change::DropTable {
        table: previous.clone(),
    });
}

fn create_table(next: &Table, position: usize, hooks: &dyn DiffHooks, plan: &mut Plan) {
    let name = next.object_name();
    plan.create_tables.push(Change::CreateTable {
        table: next.clone(),
    });
    if !hooks.creates_indexes_with_table() {
        for index in &next.indexes {
            plan.create_indexes_new.push(Change::CreateIndex {
                table: name.clone(),
                index: index.clone(),
            });
        }
    }
    // Where foreign keys cannot be added to an existing table, they are part of CREATE TABLE.
    if hooks.foreign_keys_alter_in_place() {
        for foreign_key in &next.foreign_keys {
            plan.add_foreign_keys.push((
                position,
                Change::AddForeignKey {
                    table: name.clone(),
                    foreign_key: foreign_key.clone(),
                },
            ));
        }
    }
}

/// What changed about one table that exists on both sides, before deciding how to apply it.
#[derive(Default)]
struct TableDiff {
    changes: Vec<TableChange>,
    dropped_indexes: Vec<Index>,
    created_indexes: Vec<Index>,
    /// The index a kept foreign key is named for and the next side has, which the previous
    /// side lacks: another index served the key there (MySQL drops the one it made once another
    /// can serve), and the server makes one only with its key.
    foreign_key_indexes: Vec<Index>,
    renamed_indexes: Vec<(Index, Index)>,
    dropped_foreign_keys: Vec<ForeignKey>,
    added_foreign_keys: Vec<ForeignKey>,
    renamed_foreign_keys: Vec<(String, String)>,
    /// Columns dropped and recreated because their type cannot be cast.
    recreated_columns: HashSet<String>,
}

/// What `diff_table` needs to know beyond the two tables.
struct TableContext<'a> {
    /// The table's position in the next schema.
    position: usize,
    retyped_tables: &'a RetypedColumns,
    /// `(previous name, new name)` of the table's renamed columns; `previous` already has the
    /// new names.
    renamed_columns: &'a [(String, String)],
    /// Both schemas, when the target is a database, whose tables' parents (`INHERITS`) are
    /// stated; a Prisma schema states none, and leaves them as they are.
    inheritance: Option<(&'a SqlSchema, &'a SqlSchema)>,
    /// The target is a database, which states every column's `ON UPDATE` and comment; a
    /// Prisma schema states neither, and leaves them as they are.
    target_is_database: bool,
}

fn diff_table(
    previous: &Table,
    next: &Table,
    context: &TableContext<'_>,
    hooks: &dyn DiffHooks,
    plan: &mut Plan,
) {
    let (dropped_parents, added_parents) = match context.inheritance {
        Some((from, to)) => (
            parent_changes(previous, next, from, Some(to)),
            parent_changes(next, previous, to, None),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let inheritance_changes = !dropped_parents.is_empty() || !added_parents.is_empty();
    // A column that comes from a parent changes with the parent, unless the parents change:
    // the table then has all its columns of its own until it inherits again.
    let (own_previous, own_next);
    let (previous, next) = if inheritance_changes
        || (previous.inherited_columns.is_empty() && next.inherited_columns.is_empty())
    {
        (previous, next)
    } else {
        let own = |table: &Table| {
            let mut own = table.clone();
            own.columns.retain(|c| {
                !previous.inherited_columns.contains(&c.name)
                    && !next.inherited_columns.contains(&c.name)
            });
            own
        };
        own_previous = own(previous);
        own_next = own(next);
        (&own_previous, &own_next)
    };
    let (position, retyped_tables) = (context.position, context.retyped_tables);
    let name = next.object_name();
    let mut table_diff = TableDiff::default();
    for (from, to) in context.renamed_columns {
        plan.warnings.push(warning::renamed_column(next, from, to));
        table_diff.changes.push(TableChange::RenameColumn {
            from: from.clone(),
            to: to.clone(),
            auto_increment: previous.column(to).is_some_and(|c| c.auto_increment),
        });
    }
    for (parent, checks) in dropped_parents {
        table_diff.changes.push(TableChange::NoInherit {
            parent,
            dropped_checks: checks.into_iter().map(|c| c.name).collect(),
        });
    }
    for (parent, added_checks) in added_parents {
        plan.inherit.push(Change::AlterTable {
            table: name.clone(),
            changes: vec![TableChange::Inherit {
                parent,
                added_checks,
            }],
        });
    }
    diff_columns(
        previous,
        next,
        context.target_is_database,
        hooks,
        &mut table_diff,
        &mut plan.warnings,
    );
    if let Some((from, to)) = context.inheritance {
        mark_required_in_inheritors(next, (from, to), &mut table_diff.changes);
    }
    mark_required_in_partitions(previous, next, &mut table_diff.changes);
    let retyped = retyped_columns(&table_diff.changes);
    diff_primary_key(
        previous,
        next,
        &retyped,
        &mut table_diff,
        &mut plan.warnings,
    );
    diff_indexes(previous, next, hooks, &mut table_diff);
    diff_foreign_keys(previous, next, hooks, retyped_tables, &mut table_diff);
    // Clause order of an ALTER TABLE; the sort is stable, so columns keep their order.
    table_diff.changes.sort_by_key(TableChange::order);

    for index in &table_diff.created_indexes {
        if index.kind == drydock_schema::IndexKind::Unique {
            let columns: Vec<&str> = index.columns.iter().map(|c| c.name.as_str()).collect();
            plan.warnings.push(warning::unique_added(next, &columns));
        }
    }

    let foreign_keys_changed = !table_diff.added_foreign_keys.is_empty()
        || !table_diff.dropped_foreign_keys.is_empty()
        || !table_diff.renamed_foreign_keys.is_empty();
    // Every dialect renames columns in place (SQLite since 3.25), so renames are not asked.
    let redefine = table_diff
        .changes
        .iter()
        .filter(|change| !matches!(change, TableChange::RenameColumn { .. }))
        .any(|change| !hooks.alters_in_place(next, change))
        || (foreign_keys_changed && !hooks.foreign_keys_alter_in_place());

    if redefine {
        // The rebuilt table keeps the hand-written indexes a diff never drops.
        let mut rebuilt = next.clone();
        rebuilt
            .indexes
            .extend(kept_hand_written_indexes(previous, next).cloned());
        plan.redefine_tables.push(RedefineTable {
            previous: previous.clone(),
            copied_columns: copied_columns(
                previous,
                next,
                &table_diff.recreated_columns,
                context.renamed_columns,
            ),
            next: rebuilt,
            // Filled from the whole schema (`keep_hand_made`).
            triggers: Vec::new(),
            named_by_hand_made: false,
            renamed_from: None,
        });
        return;
    }

    for foreign_key in table_diff.dropped_foreign_keys {
        plan.drop_foreign_keys.push(Change::DropForeignKey {
            table: name.clone(),
            foreign_key,
        });
    }
    let added_primary_key = table_diff.changes.iter().find_map(|change| match change {
        TableChange::AddPrimaryKey { primary_key } => Some(primary_key.columns.clone()),
        _ => None,
    });
    for index in table_diff.foreign_key_indexes {
        plan.foreign_key_indexes.push(Change::CreateIndex {
            table: name.clone(),
            index,
        });
    }
    for index in table_diff.dropped_indexes {
        let replaced_by_primary_key = index.kind == drydock_schema::IndexKind::Unique
            && added_primary_key.as_ref() == Some(&index.columns);
        let change = Change::DropIndex {
            table: name.clone(),
            index,
        };
        if replaced_by_primary_key {
            plan.drop_indexes_after_alter.push(change);
        } else {
            plan.drop_indexes.push(change);
        }
    }
    if !table_diff.changes.is_empty() {
        plan.alter_tables.push(Change::AlterTable {
            table: name.clone(),
            changes: table_diff.changes,
        });
    }
    for index in table_diff.created_indexes {
        plan.create_indexes.push(Change::CreateIndex {
            table: name.clone(),
            index,
        });
    }
    for (from, to) in table_diff.renamed_foreign_keys {
        plan.rename_foreign_keys.push(Change::RenameForeignKey {
            table: name.clone(),
            from,
            to,
        });
    }
    for foreign_key in table_diff.added_foreign_keys {
        plan.add_foreign_keys.push((
            position,
            Change::AddForeignKey {
                table: name.clone(),
                foreign_key,
            },
        ));
    }
    for (from, to) in table_diff.renamed_indexes {
        if hooks.renames_indexes() {
            plan.rename_indexes.push(Change::RenameIndex {
                table: name.clone(),
                from: from.name,
                to: to.name,
            });
        } else {
            plan.redefine_indexes.push(Change::RedefineIndex {
                table: name.clone(),
                from,
                to,
            });
        }
    }
}

/// The parents `table` has in its schema and `other` (the same table on the other side) has
/// not, each with the checks of it (in `schema`) that `other` lacks: those a table dropping
/// the parent loses, or one taking the parent must have first. With `kept`, only the checks
/// the parent keeps there as they are: a check the parent drops goes from its tables with it.
fn parent_changes(
    table: &Table,
    other: &Table,
    schema: &SqlSchema,
    kept: Option<&SqlSchema>,
) -> Vec<(ObjectName, Vec<CheckConstraint>)> {
    table
        .inherits
        .iter()
        .filter(|parent| !other.inherits.contains(parent))
        .map(|parent| {
            let checks = schema
                .table(parent.namespace.as_deref(), &parent.name)
                .map(|p| {
                    p.checks
                        .iter()
                        .filter(|c| !other.checks.iter().any(|o| o.name == c.name))
                        .filter(|c| {
                            kept.is_none_or(|kept| {
                                kept.table(parent.namespace.as_deref(), &parent.name)
                                    .is_some_and(|p| p.checks.contains(c))
                            })
                        })
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            (parent.clone(), checks)
        })
        .collect()
}

/// Lists, for the columns of `table` made nullable that a table inheriting from it (at any
/// depth) keeps `NOT NULL` in `to` (or has `NOT NULL` in `from` and is dropped after the
/// change), the inheritors `to` makes nullable too.
fn mark_required_in_inheritors(
    table: &Table,
    (from, to): (&SqlSchema, &SqlSchema),
    changes: &mut [TableChange],
) {
    let name = table.object_name();
    let dropped = from.tables.iter().filter(|t| {
        to.table(t.namespace.as_deref(), &t.name).is_none() && inherits_from(from, t, &name)
    });
    let kept: Vec<&Table> = to
        .tables
        .iter()
        .filter(|t| inherits_from(to, t, &name))
        .collect();
    for change in changes {
        if let TableChange::AlterColumn(change) = change
            && change.arity_changed
            && change.from.is_required()
            && change.to.arity == ColumnArity::Nullable
        {
            let column = change.to.name.as_str();
            let required = |t: &&Table| t.column(column).is_some_and(Column::is_required);
            if kept.iter().any(required) || dropped.clone().any(|t| required(&t)) {
                change.inheritors_made_nullable = Some(
                    kept.iter()
                        .filter(|t| !required(t) && t.column(column).is_some())
                        .map(|t| t.object_name())
                        .collect(),
                );
            }
        }
    }
}

/// Lists, on every column of the partitioned table `previous` made nullable, the partitions (at
/// any depth) that keep one of those columns `NOT NULL` of their own, as `previous` has them:
/// the change runs before partitions are dropped, detached or created.
fn mark_required_in_partitions(previous: &Table, next: &Table, changes: &mut [TableChange]) {
    let made_nullable = |change: &ColumnChange| {
        change.arity_changed
            && change.from.is_required()
            && change.to.arity == ColumnArity::Nullable
    };
    let columns: Vec<String> = changes
        .iter()
        .filter_map(|change| match change {
            TableChange::AlterColumn(change) if made_nullable(change) => {
                Some(change.to.name.clone())
            }
            _ => None,
        })
        .collect();
    let mut keeping = Vec::new();
    collect_partitions_keeping(
        &previous.object_name(),
        &previous.partitions,
        &next.partitions,
        &columns,
        &mut keeping,
    );
    if keeping.is_empty() {
        return;
    }
    for change in changes {
        if let TableChange::AlterColumn(change) = change
            && made_nullable(change)
        {
            let column = &change.to.name;
            change.detached_partitions = keeping
                .iter()
                .map(|(parent, partition, after)| DetachedPartition {
                    parent: parent.clone(),
                    partition: (*partition).clone(),
                    keeps_not_null: after
                        .unwrap_or(*partition)
                        .required_columns
                        .contains(column),
                })
                .collect();
        }
    }
}

/// A partition holding rows that a foreign key references through its partitioned table cannot
/// be detached: the foreign keys referencing a table whose partitions are detached around a
/// change (`DetachedPartition`) are dropped before it and added again after it, those the diff
/// does not drop already.
fn drop_foreign_keys_around_detaches(from: &SqlSchema, to: &SqlSchema, plan: &mut Plan) {
    let detaching: Vec<&ObjectName> = plan
        .alter_tables
        .iter()
        .filter_map(|change| match change {
            Change::AlterTable { table, changes } => changes
                .iter()
                .any(|change| {
                    matches!(change, TableChange::AlterColumn(c) if !c.detached_partitions.is_empty())
                })
                .then_some(table),
            _ => None,
        })
        .collect();
    if detaching.is_empty() {
        return;
    }
    let mut dropped = Vec::new();
    let mut added = Vec::new();
    for table in &from.tables {
        let name = table.object_name();
        let Some(position) = to.tables.iter().position(|t| t.object_name() == name) else {
            continue;
        };
        for foreign_key in &table.foreign_keys {
            let already_dropped = plan.drop_foreign_keys.iter().any(|change| {
                matches!(change, Change::DropForeignKey { table, foreign_key: dropped }
                    if *table == name && dropped == foreign_key)
            });
            if detaching.contains(&&foreign_key.referenced_table) && !already_dropped {
                dropped.push(Change::DropForeignKey {
                    table: name.clone(),
                    foreign_key: foreign_key.clone(),
                });
                added.push((
                    position,
                    Change::AddForeignKey {
                        table: name.clone(),
                        foreign_key: foreign_key.clone(),
                    },
                ));
            }
        }
    }
    plan.drop_foreign_keys.extend(dropped);
    plan.add_foreign_keys.extend(added);
}

/// The partitions under `parent` (`before`, with their counterparts in `after`) that keep one
/// of `columns` `NOT NULL` of their own on either side (the change would make them nullable),
/// with their parent; those under them otherwise.
fn collect_partitions_keeping<'a>(
    parent: &ObjectName,
    before: &'a [Partition],
    after: &'a [Partition],
    columns: &[String],
    keeping: &mut Vec<(ObjectName, &'a Partition, Option<&'a Partition>)>,
) {
    for partition in before {
        let counterpart = after.iter().find(|p| p.name == partition.name);
        let keeps = |p: &Partition| columns.iter().any(|c| p.required_columns.contains(c));
        if keeps(partition) || counterpart.is_some_and(keeps) {
            keeping.push((parent.clone(), partition, counterpart));
        } else {
            let name = ObjectName::new(parent.namespace.clone(), partition.name.clone());
            let after = counterpart.map_or(&[][..], |p| p.partitions.as_slice());
            collect_partitions_keeping(&name, &partition.partitions, after, columns, keeping);
        }
    }
}

/// Whether `table` inherits from `ancestor`, directly or through its parents.
fn inherits_from(schema: &SqlSchema, table: &Table, ancestor: &ObjectName) -> bool {
    let mut level = table.inherits.clone();
    // Bounded by the table count, so a cycle (impossible in a database) cannot loop.
    for _ in 0..=schema.tables.len() {
        if level.contains(ancestor) {
            return true;
        }
        level = level
            .iter()
            .filter_map(|parent| schema.table(parent.namespace.as_deref(), &parent.name))
            .flat_map(|parent| parent.inherits.clone())
            .collect();
        if level.is_empty() {
            break;
        }
    }
    false
}

fn diff_columns(
    previous: &Table,
    next: &Table,
    target_is_database: bool,
    hooks: &dyn DiffHooks,
    table_diff: &mut TableDiff,
    warnings: &mut Vec<Warning>,
) {
    let mut dropped: Vec<&Column> = previous
        .columns
        .iter()
        .filter(|c| next.column(&c.name).is_none())
        .collect();
    dropped.sort_by(|a, b| a.name.cmp(&b.name));
    for column in dropped {
        warnings.push(warning::drop_column(previous, &column.name));
        table_diff.changes.push(TableChange::DropColumn {
            column: column.clone(),
        });
    }

    let mut added: Vec<&Column> = next
        .columns
        .iter()
        .filter(|c| previous.column(&c.name).is_none())
        .collect();
    added.sort_by(|a, b| a.name.cmp(&b.name));
    for column in added {
        if column.is_required() && column.default.is_none() && !column.auto_increment {
            warnings.push(warning::required_without_default(next, &column.name));
        }
        table_diff.changes.push(TableChange::AddColumn {
            column: column.clone(),
        });
    }

    let retyped: Vec<&str> = previous
        .columns
        .iter()
        .filter(|from| {
            next.column(&from.name)
                .is_some_and(|to| hooks.column_type_change(from, to).is_some())
        })
        .map(|c| c.name.as_str())
        .collect();
    // Altered columns keep the previous column order.
    for from in &previous.columns {
        let Some(to) = next.column(&from.name) else {
            continue;
        };
        let type_change = hooks.column_type_change(from, to);
        // No database alters a generation expression in place, nor makes a stored column
        // generated, nor retypes a column a generation expression reads: the generated column
        // is computed again (with its expression when the target states none).
        let generation_changed = to.generated.is_some()
            && (from.generated != to.generated || from.generated_virtual != to.generated_virtual);
        let reads_retyped = from
            .generated
            .as_deref()
            .is_some_and(|expression| retyped.iter().any(|c| mentions(expression, c)));
        if type_change == Some(TypeChange::NotCastable) || generation_changed || reads_retyped {
            warnings.push(warning::drop_and_recreate(next, &to.name));
            table_diff.recreated_columns.insert(to.name.clone());
            let mut to = to.clone();
            if to.generated.is_none() && from.generated.is_some() {
                to.generated.clone_from(&from.generated);
                to.generated_virtual = from.generated_virtual;
                to.default = None;
            }
            table_diff.changes.push(TableChange::DropAndRecreateColumn {
                from: from.clone(),
                to,
            });
            continue;
        }
        // A Prisma schema states no column comments: the column keeps its own, which a
        // statement restating the whole column (`MODIFY`) writes again.
        let mut to = to.clone();
        if !target_is_database && to.comment.is_none() {
            to.comment.clone_from(&from.comment);
        }
        let to = &to;
        // A generated column the target does not describe as one stays generated, and so has
        // no default to change.
        let keeps_generation = from.generated.is_some();
        let change = ColumnChange {
            from: from.clone(),
            to: to.clone(),
            arity_changed: from.arity != to.arity,
            // A new type needs its default set again (the old one was cast to the old type).
            default_changed: !keeps_generation
                && ((defaults_differ(
                    &to.column_type.family,
                    from.default.as_ref(),
                    to.default.as_ref(),
                ) && !matches!(
                    (&from.default, &to.default),
                    (Some(a), Some(b)) if hooks.same_default(to, a, b)
                )) || (type_change.is_some() && to.default.is_some())),
            // A serial column the target makes an identity column changes its mechanism.
            auto_increment_changed: from.auto_increment != to.auto_increment
                || (from.auto_increment && from.identity.is_none() && to.identity.is_some()),
            // Identity and serial columns are both auto-increment: only a change between
            // `ALWAYS` and `BY DEFAULT` is one.
            identity_changed: from.identity.is_some()
                && to.identity.is_some()
                && from.identity != to.identity,
            collation_changed: to.collation.is_some() && from.collation != to.collation,
            on_update_changed: (to.on_update.is_some() || target_is_database)
                && from.on_update != to.on_update,
            inheritors_made_nullable: None,
            detached_partitions: Vec::new(),
            type_change,
        };
        if !(change.arity_changed
            || change.default_changed
            || change.auto_increment_changed
            || change.identity_changed
            || change.collation_changed
            || change.on_update_changed
            || change.type_change.is_some())
        {
            continue;
        }
        if change.type_change == Some(TypeChange::RiskyCast) {
            warnings.push(warning::risky_cast(
                next,
                &to.name,
                &from.column_type.native,
                &to.column_type.native,
            ));
        }
        if from.arity == ColumnArity::Nullable && to.arity == ColumnArity::Required {
            warnings.push(warning::made_required(next, &to.name));
        }
        table_diff.changes.push(TableChange::AlterColumn(change));
    }
}

/// Whether a column's default changes. A target expression (`dbgenerated(...)`) is what the
/// database evaluates; it comes back from introspection in the database's own spelling (a
/// literal, added casts), so it is only compared with another expression. An enum value stored
/// in a text column (where the database has no enums) comes back as the same string. A JSON
/// default is compared as JSON: PostgreSQL prints a `jsonb` default in its own spelling
/// (`{"a": true}` for `{"a":true}`).
fn defaults_differ(
    family: &TypeFamily,
    from: Option<&DefaultValue>,
    to: Option<&DefaultValue>,
) -> bool {
    match (from, to) {
        (Some(DefaultValue::String(a)), Some(DefaultValue::String(b)))
            if *family == TypeFamily::Json =>
        {
            match (
                serde_json::from_str::<serde_json::Value>(a),
                serde_json::from_str::<serde_json::Value>(b),
            ) {
                (Ok(a), Ok(b)) => a != b,
                _ => a != b,
            }
        }
        (Some(DefaultValue::Expression(a)), Some(DefaultValue::Expression(b))) => a != b,
        (Some(_), Some(DefaultValue::Expression(_))) => false,
        (Some(DefaultValue::String(a)), Some(DefaultValue::EnumValue(b)))
        | (Some(DefaultValue::EnumValue(a)), Some(DefaultValue::String(b))) => a != b,
        (from, to) => from != to,
    }
}

fn diff_primary_key(
    previous: &Table,
    next: &Table,
    retyped_columns: &HashSet<String>,
    table_diff: &mut TableDiff,
    warnings: &mut Vec<Warning>,
) {
    let key_column_retyped = |columns: &[drydock_schema::IndexColumn]| {
        columns.iter().any(|c| retyped_columns.contains(&c.name))
    };
    match (&previous.primary_key, &next.primary_key) {
        (None, None) => {}
        // The key's index must be rebuilt for the new type: drop and add it around the change.
        (Some(from), Some(to)) if from.columns == to.columns && key_column_retyped(&to.columns) => {
            table_diff.changes.push(TableChange::DropPrimaryKey {
                name: from.name.clone(),
            });
            table_diff.changes.push(TableChange::AddPrimaryKey {
                primary_key: to.clone(),
            });
        }
        (Some(from), Some(to)) if from.columns == to.columns => {
            if let (Some(from_name), Some(to_name)) = (&from.name, &to.name)
                && from_name != to_name
            {
                table_diff.changes.push(TableChange::RenamePrimaryKey {
                    from: from_name.clone(),
                    to: to_name.clone(),
                });
            }
        }
        (from, to) => {
            if let Some(from) = from {
                warnings.push(warning::primary_key_change(next));
                table_diff.changes.push(TableChange::DropPrimaryKey {
                    name: from.name.clone(),
                });
            }
            if let Some(to) = to {
                table_diff.changes.push(TableChange::AddPrimaryKey {
                    primary_key: to.clone(),
                });
            }
        }
    }
}

/// Whether two indexes are built the same way; a partial predicate, `INCLUDE` columns and key
/// expressions are part of the definition (the key columns compare their expressions too).
fn same_index_definition(a: &Index, b: &Index, hooks: &dyn DiffHooks) -> bool {
    fn class<'c>(c: &'c IndexColumn, hooks: &dyn DiffHooks) -> Option<&'c str> {
        c.operator_class
            .as_deref()
            .filter(|class| !hooks.is_default_operator_class(class))
    }
    let same_column = |x: &IndexColumn, y: &IndexColumn| {
        x.name == y.name
            && x.sort == y.sort
            && x.length == y.length
            && x.expression == y.expression
            && class(x, hooks) == class(y, hooks)
    };
    a.kind == b.kind
        && a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| same_column(x, y))
        && a.algorithm == b.algorithm
        && a.predicate == b.predicate
        && a.include == b.include
}

fn diff_indexes(previous: &Table, next: &Table, hooks: &dyn DiffHooks, table_diff: &mut TableDiff) {
    let mut unmatched_previous: Vec<&Index> = Vec::new();
    let mut unmatched_next: Vec<&Index> = Vec::new();
    // Dropping a column drops the indexes over it: those are recreated after it is added back.
    let recreated = table_diff.recreated_columns.clone();
    let over_recreated = |index: &Index| index.columns.iter().any(|c| recreated.contains(&c.name));
    for from in &previous.indexes {
        match next.index(&from.name) {
            Some(to) if same_index_definition(from, to, hooks) && !over_recreated(to) => {}
            _ => unmatched_previous.push(from),
        }
    }
    for to in &next.indexes {
        match previous.index(&to.name) {
            Some(from) if same_index_definition(from, to, hooks) && !over_recreated(to) => {}
            _ => unmatched_next.push(to),
        }
    }
    // An index whose definition is unchanged but whose name is new is a rename.
    let mut renamed_previous: HashSet<&str> = HashSet::new();
    let mut made_for_kept_keys: Vec<&Index> = Vec::new();
    for to in unmatched_next {
        let rename_source = unmatched_previous.iter().find(|from| {
            !renamed_previous.contains(from.name.as_str())
                && next.index(&from.name).is_none()
                && same_index_definition(from, to, hooks)
                && !over_recreated(to)
        });
        match rename_source {
            Some(from) => {
                renamed_previous.insert(from.name.as_str());
                table_diff
                    .renamed_indexes
                    .push(((*from).clone(), to.clone()));
            }
            // The index the database names after a foreign key and makes with it comes with
            // the foreign key, when the key is new.
            None if hooks.indexes_foreign_keys() && made_for_foreign_key(next, to) => {
                made_for_kept_keys.push(to);
            }
            None => table_diff.created_indexes.push(to.clone()),
        }
    }
    for from in unmatched_previous {
        // An index the schema language cannot express, that the next side does not mention,
        // was written by hand in SQL: a diff never drops it (as with views and triggers).
        let unmentioned_hand_written =
            from.is_hand_written_only() && next.index(&from.name).is_none();
        let foreign_key_needs_it =
            hooks.indexes_foreign_keys() && covers_foreign_key(previous, from);
        if !renamed_previous.contains(from.name.as_str())
            && !unmentioned_hand_written
            && !foreign_key_needs_it
        {
            table_diff.dropped_indexes.push(from.clone());
        }
    }
    // A kept foreign key whose serving index goes gets its own back first: MySQL dropped the
    // one it made when another index could serve the key, and makes one only with the key.
    for to in made_for_kept_keys {
        let Some(foreign_key) = previous
            .foreign_keys
            .iter()
            .find(|foreign_key| foreign_key.name.as_deref() == Some(to.name.as_str()))
        else {
            continue;
        };
        if table_diff
            .dropped_indexes
            .iter()
            .any(|dropped| serves_foreign_key(dropped, foreign_key))
        {
            table_diff.foreign_key_indexes.push(to.clone());
        }
    }
}

/// Whether `index` starts with the columns of `foreign_key`, in order: the server can look the
/// key up through it.
fn serves_foreign_key(index: &Index, foreign_key: &ForeignKey) -> bool {
    foreign_key.columns.len() <= index.columns.len()
        && foreign_key
            .columns
            .iter()
            .zip(&index.columns)
            .all(|(column, key)| key.expression.is_none() && *column == key.name)
}

/// Whether `index` is a plain index over exactly the columns of one of `table`'s foreign keys,
/// in order: one the database would create for that foreign key.
fn covers_foreign_key(table: &Table, index: &Index) -> bool {
    table
        .foreign_keys
        .iter()
        .any(|foreign_key| covers(index, foreign_key))
}

/// Whether `index` is a plain index over exactly the columns of `foreign_key`, in order.
fn covers(index: &Index, foreign_key: &ForeignKey) -> bool {
    index.kind == drydock_schema::IndexKind::Normal
        && foreign_key.columns.len() == index.columns.len()
        && serves_foreign_key(index, foreign_key)
}

/// Whether `index` is the one the database makes for a foreign key of `table`: it covers the
/// whole of that key's columns (no prefix length) and carries its name (as MySQL and MariaDB
/// name it).
pub fn made_for_foreign_key(table: &Table, index: &Index) -> bool {
    index.columns.iter().all(|key| key.length.is_none())
        && table.foreign_keys.iter().any(|foreign_key| {
            foreign_key.name.as_deref() == Some(index.name.as_str()) && covers(index, foreign_key)
        })
}

/// Columns whose type changes, per table that exists on both sides.
type RetypedColumns = HashMap<ObjectName, HashSet<String>>;

fn retyped_columns_by_table(
    from: &SqlSchema,
    to_tables: &HashMap<Key<'_>, (usize, &Table)>,
    hooks: &dyn DiffHooks,
) -> RetypedColumns {
    let mut retyped: RetypedColumns = HashMap::new();
    for previous in &from.tables {
        let Some((_, next)) = to_tables.get(&table_key(previous)) else {
            continue;
        };
        let columns: HashSet<String> = previous
            .columns
            .iter()
            .filter(|from| {
                next.column(&from.name)
                    .is_some_and(|to| hooks.column_type_change(from, to).is_some())
            })
            .map(|c| c.name.clone())
            .collect();
        if !columns.is_empty() {
            retyped.insert(previous.object_name(), columns);
        }
    }
    retyped
}

fn retyped_columns(changes: &[TableChange]) -> HashSet<String> {
    changes
        .iter()
        .filter_map(|change| match change {
            TableChange::AlterColumn(c) if c.type_change.is_some() => Some(c.to.name.clone()),
            TableChange::DropAndRecreateColumn { to, .. } => Some(to.name.clone()),
            _ => None,
        })
        .collect()
}

/// A foreign key must be recreated when a column on either side changes type.
fn foreign_key_retyped(table: &Table, foreign_key: &ForeignKey, retyped: &RetypedColumns) -> bool {
    let local = retyped
        .get(&table.object_name())
        .is_some_and(|cols| foreign_key.columns.iter().any(|c| cols.contains(c)));
    let referenced = retyped
        .get(&foreign_key.referenced_table)
        .is_some_and(|cols| {
            foreign_key
                .referenced_columns
                .iter()
                .any(|c| cols.contains(c))
        });
    local || referenced
}

fn same_foreign_key_definition(a: &ForeignKey, b: &ForeignKey) -> bool {
    a.columns == b.columns
        && a.referenced_table == b.referenced_table
        && a.referenced_columns == b.referenced_columns
        && a.on_delete == b.on_delete
        && a.on_update == b.on_update
}

fn diff_foreign_keys(
    previous: &Table,
    next: &Table,
    hooks: &dyn DiffHooks,
    retyped: &RetypedColumns,
    table_diff: &mut TableDiff,
) {
    let compare_names = hooks.compares_foreign_key_names();
    let mut matched_previous = vec![false; previous.foreign_keys.len()];
    let mut pending_next: Vec<&ForeignKey> = Vec::new();

    for to in &next.foreign_keys {
        if foreign_key_retyped(next, to, retyped) {
            // Its index and the referenced key are rebuilt: drop it first, add it after.
            pending_next.push(to);
            continue;
        }
        let exact = previous
            .foreign_keys
            .iter()
            .enumerate()
            .position(|(i, from)| {
                !matched_previous[i]
                    && same_foreign_key_definition(from, to)
                    && (!compare_names || from.name == to.name)
            });
        match exact {
            Some(i) => matched_previous[i] = true,
            None => pending_next.push(to),
        }
    }
    for to in pending_next {
        let renamed = previous
            .foreign_keys
            .iter()
            .enumerate()
            .position(|(i, from)| {
                !matched_previous[i]
                    && same_foreign_key_definition(from, to)
                    && from.name != to.name
                    && !foreign_key_retyped(next, to, retyped)
            });
        match (renamed, &to.name) {
            (Some(i), Some(to_name))
                if hooks.renames_foreign_keys() && previous.foreign_keys[i].name.is_some() =>
            {
                matched_previous[i] = true;
                let from_name = previous.foreign_keys[i].name.clone().unwrap_or_default();
                table_diff
                    .renamed_foreign_keys
                    .push((from_name, to_name.clone()));
            }
            _ => table_diff.added_foreign_keys.push(to.clone()),
        }
    }
    for (i, from) in previous.foreign_keys.iter().enumerate() {
        if !matched_previous[i] {
            table_diff.dropped_foreign_keys.push(from.clone());
        }
    }
}

/// The columns a rebuilt table copies; a renamed column is read under its previous name, as the
/// rebuild replaces the rename.
fn copied_columns(
    previous: &Table,
    next: &Table,
    recreated: &HashSet<String>,
    renamed_columns: &[(String, String)],
) -> Vec<CopiedColumn> {
    let mut copied: Vec<CopiedColumn> = next
        .columns
        .iter()
        .filter(|to| !recreated.contains(&to.name))
        .filter_map(|to| {
            let from = previous.column(&to.name)?;
            let coalesce_default = if to.is_required() && !from.is_required() {
                to.default.clone()
            } else {
                None
            };
            Some(CopiedColumn {
                name: to.name.clone(),
                from: renamed_columns
                    .iter()
                    .find(|(_, new)| *new == to.name)
                    .map(|(old, _)| old.clone()),
                coalesce_default,
            })
        })
        .collect();
    copied.sort_by(|a, b| a.name.cmp(&b.name));
    copied
}

#[cfg(test)]
mod tests {
    use drydock_schema::{
        CheckConstraint, ColumnType, IndexColumn, IndexKind, OpaqueKind, OpaqueObject, TypeFamily,
        View,
    };

    use super::*;
    use crate::TypeChange;

    /// A dialect that alters everything in place.
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

    fn product(index: Index) -> SqlSchema {
        let mut table = Table::new(None, "Product");
        table.columns.push(Column::new(
            "name",
            ColumnType::new(TypeFamily::String, "TEXT"),
        ));
        table.indexes.push(index);
        SqlSchema {
            tables: vec![table],
            ..SqlSchema::default()
        }
    }

    fn name_index() -> Index {
        Index {
            name: "Product_name_idx".to_owned(),
            kind: IndexKind::Normal,
            columns: vec![IndexColumn::named("name")],
            algorithm: None,
            predicate: None,
            include: Vec::new(),
            constraint_backed: false,
        }
    }

    /// A dialect shaped like MySQL: indexes in `CREATE TABLE`, an index per foreign key made
    /// by the database, foreign keys that cannot be renamed.
    struct MySqlLike;

    impl DiffHooks for MySqlLike {
        fn column_type_change(&self, from: &Column, to: &Column) -> Option<TypeChange> {
            InPlace.column_type_change(from, to)
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
        fn renames_foreign_keys(&self) -> bool {
            false
        }
        fn creates_indexes_with_table(&self) -> bool {
            true
        }
        fn indexes_foreign_keys(&self) -> bool {
            true
        }
        /// Every default the same: what the hook answers decides.
        fn same_default(&self, _: &Column, _: &DefaultValue, _: &DefaultValue) -> bool {
            true
        }
    }

    /// `Product` with a foreign key on `name` named `fk`, and `index`.
    fn product_referencing(fk: &str, index: Index) -> SqlSchema {
        let mut schema = product(index);
        schema.tables[0].foreign_keys.push(ForeignKey {
            name: Some(fk.to_owned()),
            columns: vec!["name".to_owned()],
            referenced_table: ObjectName::new(None, "Brand"),
            referenced_columns: vec!["name".to_owned()],
            on_delete: drydock_schema::ReferentialAction::Restrict,
            on_update: drydock_schema::ReferentialAction::Cascade,
        });
        schema
    }

    #[test]
    fn indexes_can_come_with_their_table() {
        let to = product(name_index());
        let separate = diff(&SqlSchema::default(), &to, &InPlace).changes;
        assert!(
            separate
                .iter()
                .any(|c| matches!(c, Change::CreateIndex { .. }))
        );
        let with_table = diff(&SqlSchema::default(), &to, &MySqlLike).changes;
        assert!(matches!(
            with_table.as_slice(),
            [Change::CreateTable { .. }]
        ));
    }

    #[test]
    fn an_index_a_foreign_key_needs_stays_where_the_database_makes_one() {
        let from = product_referencing("fk", name_index());
        let mut to = from.clone();
        to.tables[0].indexes.clear();
        assert!(diff(&from, &to, &MySqlLike).is_empty());
        assert!(matches!(
            diff(&from, &to, &InPlace).changes.as_slice(),
            [Change::DropIndex { .. }]
        ));
        // A unique index is the user's: it goes.
        let mut unique = from.clone();
        unique.tables[0].indexes[0].kind = IndexKind::Unique;
        assert!(matches!(
            diff(&unique, &to, &MySqlLike).changes.as_slice(),
            [Change::DropIndex { .. }]
        ));
    }

    #[test]
    fn the_index_the_database_names_after_a_foreign_key_is_never_created_on_its_own() {
        let mut server_made = name_index();
        server_made.name = "fk".to_owned();
        let to = product_referencing("fk", server_made);
        let mut from = to.clone();
        from.tables[0].indexes.clear();
        assert!(diff(&from, &to, &MySqlLike).is_empty());
        assert!(matches!(
            diff(&from, &to, &InPlace).changes.as_slice(),
            [Change::CreateIndex { .. }]
        ));
        // An index of the user's over the same columns is created.
        let users = product_referencing("fk", name_index());
        assert!(matches!(
            diff(&from, &users, &MySqlLike).changes.as_slice(),
            [Change::CreateIndex { .. }]
        ));
    }

    #[test]
    fn defaults_the_dialect_calls_the_same_are_no_change() {
        let with_default = |value: &str| {
            let mut schema = product(name_index());
            schema.tables[0].columns[0].default = Some(DefaultValue::Number(value.to_owned()));
            schema
        };
        let (from, to) = (with_default("1.50"), with_default("1.5"));
        assert!(diff(&from, &to, &MySqlLike).is_empty());
        assert!(!diff(&from, &to, &InPlace).is_empty());
    }

    #[test]
    fn foreign_keys_that_cannot_be_renamed_are_dropped_and_added() {
        let from = product_referencing("old", name_index());
        let to = product_referencing("new", name_index());
        assert!(matches!(
            diff(&from, &to, &InPlace).changes.as_slice(),
            [Change::RenameForeignKey { .. }]
        ));
        assert!(matches!(
            diff(&from, &to, &MySqlLike).changes.as_slice(),
            [Change::DropForeignKey { .. }, Change::AddForeignKey { .. }]
        ));
    }

    #[test]
    fn an_enum_default_stored_as_text_is_the_same_default() {
        let default = |value: DefaultValue| Some(value);
        let text = |s: &str| DefaultValue::String(s.to_owned());
        let value = |s: &str| DefaultValue::EnumValue(s.to_owned());
        let family = TypeFamily::String;
        assert!(!defaults_differ(
            &family,
            default(text("member")).as_ref(),
            default(value("member")).as_ref()
        ));
        assert!(!defaults_differ(
            &family,
            default(value("member")).as_ref(),
            default(text("member")).as_ref()
        ));
        assert!(defaults_differ(
            &family,
            default(text("admin")).as_ref(),
            default(value("member")).as_ref()
        ));
    }

    /// `schemas = ["public", "auth"]`: Prisma creates the schemas in name order.
    #[test]
    fn schemas_are_created_in_name_order() {
        let to = SqlSchema {
            namespaces: vec!["public".to_owned(), "auth".to_owned(), "empty".to_owned()],
            tables: vec![
                Table::new(Some("public".to_owned()), "profiles"),
                Table::new(Some("auth".to_owned()), "users"),
            ],
            ..SqlSchema::default()
        };
        let created: Vec<String> = diff(&SqlSchema::default(), &to, &InPlace)
            .changes
            .into_iter()
            .filter_map(|change| match change {
                Change::CreateSchema { namespace } => Some(namespace),
                _ => None,
            })
            .collect();
        assert_eq!(created, ["auth", "public"]);
    }

    /// formbricks: `@default("{\"allowStyleOverwrite\":true}")` comes back from a `jsonb`
    /// column as `{"allowStyleOverwrite": true}`.
    #[test]
    fn a_json_default_in_the_database_spelling_is_the_same_default() {
        let json = |s: &str| Some(DefaultValue::String(s.to_owned()));
        let family = TypeFamily::Json;
        let written = json(r#"{"enabled": false, "threshold":0.1}"#);
        let printed = json(r#"{"enabled": false, "threshold": 0.1}"#);
        assert!(!defaults_differ(
            &family,
            printed.as_ref(),
            written.as_ref()
        ));
        let changed = json(r#"{"enabled": true, "threshold": 0.1}"#);
        assert!(defaults_differ(&family, changed.as_ref(), written.as_ref()));
        // Not JSON: compared as text.
        assert!(defaults_differ(
            &family,
            json("{").as_ref(),
            json("{ ").as_ref()
        ));
        // Text that happens to be JSON is still text.
        assert!(defaults_differ(
            &TypeFamily::String,
            json("[1]").as_ref(),
            json("[ 1]").as_ref()
        ));
    }

    #[test]
    fn objects_the_schema_language_cannot_express_are_never_diffed() {
        let lowered = product(name_index());
        let mut database = lowered.clone();
        database.views.push(View {
            namespace: None,
            name: "active".to_owned(),
            definition: "SELECT 1".to_owned(),
        });
        database.opaque.push(OpaqueObject {
            kind: OpaqueKind::Trigger,
            namespace: None,
            name: "audit".to_owned(),
            table: Some("Product".to_owned()),
            definition: "CREATE TRIGGER audit".to_owned(),
        });
        let table = &mut database.tables[0];
        table.checks.push(CheckConstraint {
            name: "name_not_empty".to_owned(),
            expression: "CHECK (name <> '')".to_owned(),
        });
        table.comment = Some("Things we sell".to_owned());
        table.columns[0].comment = Some("Shown to customers".to_owned());
        assert!(diff(&database, &lowered, &InPlace).is_empty());
        assert!(diff(&lowered, &database, &InPlace).is_empty());
    }

    #[test]
    fn hand_written_indexes_the_schema_does_not_mention_are_kept() {
        let lowered = product(name_index());
        let mut database = lowered.clone();
        database.tables[0].indexes.push(Index {
            name: "Product_lower_name_idx".to_owned(),
            columns: vec![IndexColumn::expression("lower(name)")],
            ..name_index()
        });
        database.tables[0].indexes.push(Index {
            name: "Product_named_idx".to_owned(),
            predicate: Some("name <> ''".to_owned()),
            ..name_index()
        });
        assert!(
            diff(&database, &lowered, &InPlace).is_empty(),
            "nothing dropped"
        );
        let created = diff(&lowered, &database, &InPlace).changes;
        assert_eq!(
            created.len(),
            2,
            "drift the other way is reported: {created:?}"
        );
    }

    #[test]
    fn predicates_includes_and_expressions_are_part_of_an_index() {
        let plain = product(name_index());
        let variants = [
            Index {
                predicate: Some("name <> ''".to_owned()),
                ..name_index()
            },
            Index {
                include: vec!["name".to_owned()],
                constraint_backed: false,
                ..name_index()
            },
            Index {
                columns: vec![IndexColumn::expression("lower(name)")],
                ..name_index()
            },
        ];
        for variant in variants {
            let changes = diff(&plain, &product(variant.clone()), &InPlace).changes;
            assert_eq!(
                changes,
                vec![
                    Change::DropIndex {
                        table: ObjectName::new(None, "Product"),
                        index: name_index(),
                    },
                    Change::CreateIndex {
                        table: ObjectName::new(None, "Product"),
                        index: variant,
                    },
                ]
            );
        }
    }

    #[test]
    fn a_target_that_does_not_partition_a_table_leaves_its_partitions_alone() {
        let lowered = product(name_index());
        let mut database = lowered.clone();
        database.tables[0].partition_by = Some("LIST (name)".to_owned());
        database.tables[0]
            .partitions
            .push(drydock_schema::Partition {
                name: "Product_a".to_owned(),
                bound: "FOR VALUES IN ('a')".to_owned(),
                partition_by: None,
                partitions: Vec::new(),
                required_columns: Vec::new(),
                primary_key: None,
                indexes: Vec::new(),
                checks: Vec::new(),
            });
        assert!(diff(&database, &lowered, &InPlace).is_empty());
        // The way back starts from what the database keeps: nothing to rebuild.
        let applied = applied_schema(&database, &lowered);
        assert!(diff(&applied, &database, &InPlace).is_empty());
    }
}
