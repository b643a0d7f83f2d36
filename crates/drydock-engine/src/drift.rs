//! Drift: how the live database differs from what its applied migrations produce, said in plain
//! words ("table `Post` has an extra column `body TEXT`"). Besides the diff, drift reports the
//! objects migrations never touch (views, triggers, functions, check constraints, comments…)
//! when they differ, since both sides are introspected.

use std::collections::BTreeMap;

use drydock_connector::{Dialect, HandMadeObject};
use drydock_diff::{Change, OpaqueDifference, OpaqueObjectKind, Presence, TableChange};
use drydock_schema::{
    Column, ColumnArity, Index, IndexKind, ObjectName, OpaqueKind, SqlSchema, Table,
};

/// One sentence per object the differ ignores that differs between the history's schema
/// (`from`) and the live one.
fn describe_opaque_drift(differences: &[OpaqueDifference]) -> Vec<String> {
    differences.iter().map(describe_opaque).collect()
}

fn describe_opaque(difference: &OpaqueDifference) -> String {
    let name = &difference.name;
    let on_table = difference
        .table
        .as_ref()
        .map(|table| format!(" on table `{table}`"))
        .unwrap_or_default();
    let subject = match difference.kind {
        OpaqueObjectKind::View => format!("view `{name}`"),
        OpaqueObjectKind::Extension => format!("extension `{name}`"),
        OpaqueObjectKind::Sequence => format!("sequence `{name}`"),
        OpaqueObjectKind::Carried(kind) => format!("{} `{name}`{on_table}", kind.describe()),
        OpaqueObjectKind::CheckConstraint => format!("check constraint `{name}`{on_table}"),
        OpaqueObjectKind::TableComment => format!("the comment of table `{name}`"),
        OpaqueObjectKind::ColumnComment => format!(
            "the comment of column `{name}` of table `{}`",
            difference.table.as_deref().unwrap_or_default()
        ),
    };
    match difference.presence {
        Presence::OnlyInTo => format!("{subject} exists in the database but not in the migrations"),
        Presence::OnlyInFrom => format!("{subject} is missing from the database"),
        Presence::Differs
            if matches!(
                difference.kind,
                OpaqueObjectKind::TableComment | OpaqueObjectKind::ColumnComment
            ) =>
        {
            format!("{subject} differs in the database")
        }
        Presence::Differs => format!("{subject} has a different definition in the database"),
    }
}

/// One sentence per difference of a diff from the history's schema to the live one.
pub fn describe_drift(changes: &[Change]) -> Vec<String> {
    let mut out = Vec::new();
    for change in changes {
        match change {
            Change::CreateSchema { namespace } => {
                out.push(format!("schema `{namespace}` exists in the database only"));
            }
            Change::RenameTable { from, to, .. } => out.push(format!(
                "table `{}` is named `{}` in the database",
                from.name, to.name
            )),
            // Left out of drift diffs (`drift_diff`): compared apart.
            Change::CreateExtension { .. }
            | Change::AlterExtension { .. }
            | Change::DropExtension { .. } => {}
            Change::CreateEnum { enum_type } => out.push(format!(
                "enum `{}` exists in the database but not in the migrations",
                enum_type.name
            )),
            Change::DropEnum { enum_type } => {
                out.push(format!(
                    "enum `{}` is missing from the database",
                    enum_type.name
                ));
            }
            Change::AlterEnum(alter) => {
                if !alter.added.is_empty() {
                    out.push(format!(
                        "enum `{}` has extra values {}",
                        alter.name.name,
                        quoted(&alter.added)
                    ));
                }
                if !alter.removed.is_empty() {
                    out.push(format!(
                        "enum `{}` is missing values {}",
                        alter.name.name,
                        quoted(&alter.removed)
                    ));
                }
            }
            Change::CreateTable { table } => out.push(format!(
                "table `{}` exists in the database but not in the migrations",
                table.name
            )),
            Change::DropTable { table } => {
                out.push(format!(
                    "table `{}` is missing from the database",
                    table.name
                ));
            }
            Change::AlterTable { table, changes } => {
                for table_change in changes {
                    out.push(describe_table_change(&table.name, table_change));
                }
            }
            Change::RedefineTables { tables } => {
                for redefined in tables {
                    out.extend(describe_table_pair(&redefined.previous, &redefined.next));
                }
            }
            Change::CreateIndex { table, index } => out.push(format!(
                "{} exists in the database but not in the migrations",
                index_phrase(&table.name, index)
            )),
            Change::DropIndex { table, index } => {
                out.push(format!(
                    "{} is missing from the database",
                    index_phrase(&table.name, index)
                ));
            }
            Change::RenameIndex { table, from, to } => out.push(format!(
                "index `{from}` on table `{}` is named `{to}` in the database",
                table.name
            )),
            Change::CreatePartition {
                table, partition, ..
            } => out.push(format!(
                "partition `{}` of table `{}` exists in the database but not in the migrations",
                partition.name, table.name
            )),
            Change::DropPartition {
                table, partition, ..
            } => out.push(format!(
                "partition `{}` of table `{}` is missing from the database",
                partition.name, table.name
            )),
            Change::AlterPartitionChecks { table, .. } => out.push(format!(
                "the checks of partition `{}` differ from the migrations'",
                table.name
            )),
            Change::RedefineIndex { table, from, to } => out.push(format!(
                "index `{}` on table `{}` is named `{}` in the database",
                from.name, table.name, to.name
            )),
            Change::AddForeignKey { table, foreign_key } => out.push(format!(
                "table `{}` has an extra foreign key ({}) to `{}`",
                table.name,
                foreign_key.columns.join(", "),
                foreign_key.referenced_table.name
            )),
            Change::DropForeignKey { table, foreign_key } => out.push(format!(
                "table `{}` is missing its foreign key ({}) to `{}`",
                table.name,
                foreign_key.columns.join(", "),
                foreign_key.referenced_table.name
            )),
            Change::RenameForeignKey { table, from, to } => out.push(format!(
                "foreign key `{from}` on table `{}` is named `{to}` in the database",
                table.name
            )),
        }
    }
    out
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn index_phrase(table: &str, index: &Index) -> String {
    let kind = match index.kind {
        IndexKind::Unique => "unique index",
        IndexKind::Normal | IndexKind::Fulltext => "index",
    };
    let columns: Vec<&str> = index.columns.iter().map(|c| c.name.as_str()).collect();
    format!(
        "{kind} `{}` on table `{table}` ({})",
        index.name,
        columns.join(", ")
    )
}

fn column_phrase(column: &Column) -> String {
    let list = if column.arity == ColumnArity::List {
        "[]"
    } else {
        ""
    };
    let null = if column.arity == ColumnArity::Required {
        " NOT NULL"
    } else {
        ""
    };
    format!("{} {}{list}{null}", column.name, column.column_type.native)
}

fn describe_table_change(table: &str, change: &TableChange) -> String {
    match change {
        TableChange::RenameColumn { from, to, .. } => {
            format!("column `{from}` of table `{table}` is named `{to}` in the database")
        }
        TableChange::AddColumn { column } => {
            format!(
                "table `{table}` has an extra column `{}`",
                column_phrase(column)
            )
        }
        TableChange::DropColumn { column } => {
            format!(
                "table `{table}` is missing column `{}`",
                column_phrase(column)
            )
        }
        TableChange::AlterColumn(change) => describe_column(table, &change.from, &change.to),
        TableChange::DropAndRecreateColumn { from, to } => describe_column(table, from, to),
        TableChange::DropPrimaryKey { .. } | TableChange::AddPrimaryKey { .. } => {
            format!("the primary key of table `{table}` differs")
        }
        TableChange::RenamePrimaryKey { from, to } => {
            format!("the primary key `{from}` of table `{table}` is named `{to}` in the database")
        }
        TableChange::Inherit { parent, .. } => {
            format!(
                "table `{table}` inherits from `{}` in the database",
                parent.name
            )
        }
        TableChange::NoInherit { parent, .. } => format!(
            "table `{table}` does not inherit from `{}` in the database",
            parent.name
        ),
    }
}

/// What differs about a column, `from` being the migrations' and `to` the database's.
fn describe_column(table: &str, from: &Column, to: &Column) -> String {
    let mut parts = Vec::new();
    if from.column_type != to.column_type {
        parts.push(format!(
            "type `{}` in the migrations, `{}` in the database",
            from.column_type.native, to.column_type.native
        ));
    }
    if from.arity != to.arity {
        parts.push(
            format!(
                "{:?} in the migrations, {:?} in the database",
                from.arity, to.arity
            )
            .to_lowercase(),
        );
    }
    if from.default != to.default || from.auto_increment != to.auto_increment {
        parts.push("a different default".to_owned());
    }
    if from.generated != to.generated {
        parts.push("a different generation expression".to_owned());
    } else if from.generated_virtual != to.generated_virtual {
        parts
            .push("a generated value computed when read in one and stored in the other".to_owned());
    }
    if from.collation != to.collation {
        parts.push("a different collation".to_owned());
    }
    if from.on_update != to.on_update {
        parts.push(match (&from.on_update, &to.on_update) {
            (_, Some(expression)) => format!("`ON UPDATE {expression}` in the database"),
            (before, None) => format!(
                "`ON UPDATE {}` in the migrations",
                before.as_deref().unwrap_or_default()
            ),
        });
    }
    format!(
        "column `{}` of table `{table}` has {}",
        to.name,
        parts.join("; ")
    )
}

/// For tables a dialect rebuilds (SQLite), compare their columns, keys, indexes and foreign
/// keys directly.
fn describe_table_pair(previous: &Table, next: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for column in &next.columns {
        match previous.column(&column.name) {
            None => out.push(describe_table_change(
                &next.name,
                &TableChange::AddColumn {
                    column: column.clone(),
                },
            )),
            // Comments are reported apart (`describe_opaque_drift`).
            Some(old)
                if old.column_type != column.column_type
                    || old.arity != column.arity
                    || old.default != column.default
                    || old.auto_increment != column.auto_increment =>
            {
                out.push(describe_column(&next.name, old, column))
            }
            Some(_) => {}
        }
    }
    for column in &previous.columns {
        if next.column(&column.name).is_none() {
            out.push(describe_table_change(
                &next.name,
                &TableChange::DropColumn {
                    column: column.clone(),
                },
            ));
        }
    }
    if previous.primary_key.as_ref().map(|k| &k.columns)
        != next.primary_key.as_ref().map(|k| &k.columns)
    {
        out.push(format!("the primary key of table `{}` differs", next.name));
    }
    if previous.foreign_keys.len() != next.foreign_keys.len()
        || previous
            .foreign_keys
            .iter()
            .zip(&next.foreign_keys)
            .any(|(a, b)| {
                a.columns != b.columns
                    || a.referenced_table != b.referenced_table
                    || a.on_delete != b.on_delete
            })
    {
        out.push(format!("the foreign keys of table `{}` differ", next.name));
    }
    if out.is_empty() {
        out.push(format!("table `{}` differs", next.name));
    }
    out
}

/// A `-- Header` and its statements, as in a migration file.
pub(crate) type Section = (&'static str, String);

/// What turns the objects made by hand (views, functions, triggers...: never diffed) of `from`
/// into those of `to`, from the definitions introspection read.
#[derive(Debug, Default)]
pub(crate) struct HandMadeChanges {
    /// To run before the model changes: a column or table they use may go.
    pub drops: Vec<Section>,
    /// To run after the model changes (the tables exist): functions before the views and
    /// triggers that call them.
    pub creates: Vec<Section>,
}

impl HandMadeChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self.drops.is_empty() && self.creates.is_empty()
    }
}

/// Hand-made objects by creation order, then namespace, table and name.
type HandMadeKey = (u8, Option<String>, Option<String>, String);

fn hand_made_objects(schema: &SqlSchema) -> BTreeMap<HandMadeKey, (HandMadeObject<'_>, String)> {
    let views = schema.views.iter().map(|view| {
        let key = (2, view.namespace.clone(), None, view.name.clone());
        (key, (HandMadeObject::View(view), view.definition.clone()))
    });
    let carried = schema.opaque.iter().map(|object| {
        let order = match object.kind {
            OpaqueKind::Function => 0,
            OpaqueKind::Procedure => 1,
            OpaqueKind::Other => 3,
            OpaqueKind::Trigger => 4,
            // An event may call any routine and read any table: made after them all.
            OpaqueKind::ExclusionConstraint | OpaqueKind::Event => 5,
        };
        let key = (
            order,
            object.namespace.clone(),
            object.table.clone(),
            object.name.clone(),
        );
        (
            key,
            (HandMadeObject::Carried(object), object.definition.clone()),
        )
    });
    let tables = schema.tables.iter().flat_map(|table| {
        let key = |order: u8, name: &str| {
            (
                order,
                table.namespace.clone(),
                Some(table.name.clone()),
                name.to_owned(),
            )
        };
        let checks = table.checks.iter().map(move |check| {
            (
                key(6, &check.name),
                (
                    HandMadeObject::Check(table, check),
                    check.expression.clone(),
                ),
            )
        });
        let table_comment = table.comment.iter().map(move |comment| {
            (
                key(7, ""),
                (HandMadeObject::TableComment(table), comment.clone()),
            )
        });
        let column_comments = table.columns.iter().filter_map(move |column| {
            let comment = column.comment.as_ref()?;
            Some((
                key(7, &column.name),
                (
                    HandMadeObject::ColumnComment(table, column),
                    comment.clone(),
                ),
            ))
        });
        checks.chain(table_comment).chain(column_comments)
    });
    views.chain(carried).chain(tables).collect()
}

/// The hand-made objects `to` has and `from` lacks are created, those only `from` has dropped,
/// and those that differ dropped and created again, except functions and procedures, whose
/// `CREATE OR REPLACE` definitions replace them in place (triggers depending on them stay), and
/// comments, which are set again. The objects of a table or column that the model `changes`
/// drop and create again (a table whose partitioning changes, a column whose type cannot be
/// cast) go with it, so they count as missing from `from`. Objects the dialect cannot write are
/// left out (drift still reports them).
pub(crate) fn hand_made_changes(
    dialect: &dyn Dialect,
    from: &SqlSchema,
    to: &SqlSchema,
    changes: &[Change],
) -> HandMadeChanges {
    let recreated = Recreated::of(changes);
    let mut before = hand_made_objects(from);
    before.retain(|_, (object, _)| !recreated.takes_along(*object));
    // A comment set by restating its column (MySQL) restates what the column keeps too.
    let to = &drydock_diff::with_column_facts_of(from, to);
    let after = hand_made_objects(to);
    let mut changes = HandMadeChanges::default();
    let push = |list: &mut Vec<Section>, object: HandMadeObject<'_>, create: bool| {
        list.extend(dialect.render_hand_made(object, create));
    };
    // Dropped in the reverse of creation order: triggers before the functions they call.
    for (key, (object, definition)) in before.iter().rev() {
        let replaced_in_place = match object {
            HandMadeObject::Carried(o) => {
                matches!(o.kind, OpaqueKind::Function | OpaqueKind::Procedure)
            }
            HandMadeObject::TableComment(_) | HandMadeObject::ColumnComment(..) => true,
            HandMadeObject::View(_) | HandMadeObject::Check(..) => false,
        };
        match after.get(key) {
            // A check or comment goes with its table or column.
            None if goes_along(*object, to) => {}
            None => push(&mut changes.drops, *object, false),
            Some((_, next)) if next != definition && !replaced_in_place => {
                push(&mut changes.drops, *object, false)
            }
            Some(_) => {}
        }
    }
    for (key, (object, definition)) in &after {
        if before
            .get(key)
            .is_none_or(|(_, previous)| previous != definition)
        {
            push(&mut changes.creates, *object, true);
        }
    }
    changes
}

/// The tables and columns a migration drops and creates again.
#[derive(Default)]
struct Recreated {
    tables: Vec<ObjectName>,
    /// Each table's recreated columns, by their names in the target.
    columns: Vec<(ObjectName, String)>,
}

impl Recreated {
    fn of(changes: &[Change]) -> Self {
        let mut recreated = Recreated::default();
        let created: Vec<ObjectName> = changes
            .iter()
            .filter_map(|change| match change {
                Change::CreateTable { table } => Some(table.object_name()),
                _ => None,
            })
            .collect();
        for change in changes {
            match change {
                Change::DropTable { table } if created.contains(&table.object_name()) => {
                    recreated.tables.push(table.object_name());
                }
                Change::AlterTable { table, changes } => {
                    let added: Vec<&str> = changes
                        .iter()
                        .filter_map(|change| match change {
                            TableChange::AddColumn { column } => Some(column.name.as_str()),
                            _ => None,
                        })
                        .collect();
                    for change in changes {
                        let column = match change {
                            TableChange::DropAndRecreateColumn { to, .. } => &to.name,
                            TableChange::DropColumn { column }
                                if added.contains(&&*column.name) =>
                            {
                                &column.name
                            }
                            _ => continue,
                        };
                        recreated.columns.push((table.clone(), column.clone()));
                    }
                }
                _ => {}
            }
        }
        recreated
    }

    /// Whether dropping a recreated table or column takes `object` along: a trigger or
    /// constraint on the table, its comment, a column's comment, a check that reads the column.
    fn takes_along(&self, object: HandMadeObject<'_>) -> bool {
        let table_recreated = |namespace: &Option<String>, name: &str| {
            self.tables
                .iter()
                .any(|t| &t.namespace == namespace && t.name == name)
        };
        let columns_of = |table: &Table| -> Vec<&str> {
            self.columns
                .iter()
                .filter(|(t, _)| *t == table.object_name())
                .map(|(_, column)| column.as_str())
                .collect()
        };
        match object {
            HandMadeObject::View(_) => false,
            HandMadeObject::Carried(object) => object
                .table
                .as_deref()
                .is_some_and(|table| table_recreated(&object.namespace, table)),
            HandMadeObject::TableComment(table) => table_recreated(&table.namespace, &table.name),
            HandMadeObject::Check(table, check) => {
                table_recreated(&table.namespace, &table.name)
                    || columns_of(table)
                        .iter()
                        .any(|column| names_word(&check.expression, column))
            }
            HandMadeObject::ColumnComment(table, column) => {
                table_recreated(&table.namespace, &table.name)
                    || columns_of(table).contains(&column.name.as_str())
            }
        }
    }
}

/// Whether the SQL `text` names `word` (an identifier, quoted or bare).
pub(crate) fn names_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .any(|w| w == word)
}

/// Whether `object` is a check or comment whose table or column `to` does not have.
fn goes_along(object: HandMadeObject<'_>, to: &SqlSchema) -> bool {
    let missing =
        |table: &drydock_schema::Table| to.table(table.namespace.as_deref(), &table.name).is_none();
    match object {
        HandMadeObject::Check(table, _) | HandMadeObject::TableComment(table) => missing(table),
        HandMadeObject::ColumnComment(table, column) => to
            .table(table.namespace.as_deref(), &table.name)
            .is_none_or(|t| t.column(&column.name).is_none()),
        HandMadeObject::View(_) | HandMadeObject::Carried(_) => false,
    }
}

/// A migration from `from` to `to`: `diff` (their model changes) between the hand-made
/// objects' drops and creates.
pub(crate) fn drift_script(
    dialect: &dyn Dialect,
    from: &SqlSchema,
    to: &SqlSchema,
    diff: &drydock_diff::Diff,
) -> String {
    let hand_made = hand_made_changes(dialect, from, to, &diff.changes);
    script_with_hand_made(dialect, &hand_made, &diff.changes, &diff.warnings)
}

/// `changes` rendered between the hand-made objects' drops and creates.
pub(crate) fn script_with_hand_made(
    dialect: &dyn Dialect,
    hand_made: &HandMadeChanges,
    changes: &[Change],
    warnings: &[drydock_diff::Warning],
) -> String {
    let model = changes
        .iter()
        .map(|change| (change.header(), dialect.render_change(change)));
    let sections: Vec<Section> = hand_made
        .drops
        .iter()
        .cloned()
        .chain(model)
        .chain(hand_made.creates.iter().cloned())
        .collect();
    drydock_connector::render_sections(&sections, warnings)
}

/// The diff between two databases, `from` to `to`, without extension changes: drift compares
/// extensions apart (`describe_opaque_drift`), and extensions a database has of its own (a
/// hosting provider's, one created by hand) never call for a reset.
pub(crate) fn drift_diff(
    dialect: &dyn drydock_connector::Dialect,
    from: &drydock_schema::SqlSchema,
    to: &drydock_schema::SqlSchema,
) -> drydock_diff::Diff {
    let mut diff = drydock_diff::diff(from, to, dialect.diff_hooks());
    diff.changes.retain(|change| {
        !matches!(
            change,
            Change::CreateExtension { .. }
                | Change::AlterExtension { .. }
                | Change::DropExtension { .. }
        )
    });
    diff
}

/// What `migrate status --drift` finds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriftReport {
    /// One sentence per difference; empty when the database is what its applied migrations
    /// produce.
    pub differences: Vec<String>,
    /// Whether the applied history was replayed (false: its schema came from the replay cache).
    pub history_replayed: bool,
    /// Who changed the drifted tables outside drydock, and when: the audit log's entries from
    /// the database's trigger (`drydock audit install`) since the last migration was applied
    /// that name one of them, oldest first.
    pub changed_outside: Vec<drydock_connector::AuditEntry>,
}

/// Compare the live database with what its applied migrations produce (replayed on a shadow
/// database, or taken from the replay cache).
pub fn drift(
    project: &crate::Project,
    url: Option<&str>,
    replay_cache: &Option<Option<std::path::PathBuf>>,
) -> Result<DriftReport, crate::EngineError> {
    let dialect = project.dialect;
    let url = project.migration_url(url)?;
    let shadow_url = project.shadow_url()?;
    let namespaces = project.namespaces();
    let mut connection = dialect.connect(&url)?;
    let status = drydock_migrate::status(connection.as_mut(), &project.migrations_dir)?;
    let applied: Vec<drydock_migrate::LocalMigration> =
        drydock_migrate::list_migrations(&project.migrations_dir)?
            .into_iter()
            .filter(|m| status.applied.iter().any(|a| a.name == m.name))
            .collect();
    let (state, history_replayed) = crate::migrate_dev::migrations_state(
        project,
        &applied,
        replay_cache,
        connection.as_mut(),
        &url,
        shadow_url.as_deref(),
    )?;
    let live = connection.introspect(&namespaces)?;
    let diff = drift_diff(dialect, &state, &live);
    let mut differences = describe_drift(&diff.changes);
    differences.extend(describe_opaque_drift(&drydock_diff::compare_opaque(
        &state, &live,
    )));
    let changed_outside = if differences.is_empty() {
        Vec::new()
    } else {
        // The tables a difference names; the audit log says who touched them.
        let tables: Vec<String> = state
            .tables
            .iter()
            .chain(&live.tables)
            .map(|table| table.name.clone())
            .filter(|name| differences.iter().any(|line| names_word(line, name)))
            .collect();
        let since = status.applied.iter().map(|a| a.finished_at).max();
        // The log is a help here: a database without one (or that cannot be read) has none.
        dialect
            .open_audit_log(&url)
            .and_then(|mut log| log.entries())
            .map(|entries| crate::audit::changes_outside(&entries, since, &tables))
            .unwrap_or_default()
    };
    Ok(DriftReport {
        differences,
        history_replayed,
        changed_outside,
    })
}
