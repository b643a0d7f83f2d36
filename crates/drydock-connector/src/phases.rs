//! The phases of a zero-downtime migration: one schema change written as several migrations, in
//! an order where the application versions before and after the change both keep working, and
//! where no statement blocks writes for long (`migrate dev --zero-downtime`).

use std::collections::HashSet;

use drydock_diff::{Change, TableChange};
use drydock_schema::{Column, ColumnArity, ForeignKey, ObjectName, SqlSchema, Table};
use serde::Serialize;

/// What a phase does, in the order phases run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseKind {
    /// Additions both application versions tolerate: new tables, nullable columns, constraints
    /// that only check new rows, triggers that keep old and new columns in sync.
    Expand,
    /// Data copied into the new columns in batches.
    Backfill,
    /// Constraints checked against existing rows, indexes built without blocking writes.
    Validate,
    /// What only the new application version tolerates: drops of old columns, tables, enum
    /// values, sync triggers. `migrate deploy` holds it back until the new version runs
    /// everywhere.
    Contract,
}

impl PhaseKind {
    /// The phase's name, the last part of its migration folder's name (`..._expand`).
    pub fn name(self) -> &'static str {
        match self {
            PhaseKind::Expand => "expand",
            PhaseKind::Backfill => "backfill",
            PhaseKind::Validate => "validate",
            PhaseKind::Contract => "contract",
        }
    }
}

/// One migration of a zero-downtime plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub kind: PhaseKind,
    /// The migration script: `-- Header` sections, laid out as [`crate::render_script`] does.
    pub sql: String,
    /// Whether the script runs in one transaction (a backfill runs in batches, concurrent index
    /// builds run on their own).
    pub transactional: bool,
    /// The first part of the phase's down migration: the statements undoing what a schema diff
    /// cannot see (triggers, functions, views, check constraints, renames, columns restored
    /// with their data). The rest of the down migration is the diff from the schema after
    /// `undo` to the schema before the phase. Empty when a diff undoes everything.
    pub undo: String,
}

/// Why a dialect writes no phased plan for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoPhasedPlan {
    /// Phases would spare no session a wait (writers take turns whatever the migration looks
    /// like): one ordinary migration is written, and this note says why.
    NotNeeded(String),
}

/// A phase's script under construction: `-- Header` sections, each with its statements, laid out
/// as [`crate::render_script`] does.
#[derive(Debug, Default)]
pub struct Sections {
    pub sections: Vec<(String, String)>,
}

impl Sections {
    pub fn push(&mut self, header: &str, statements: &[String]) {
        self.push_text(header, crate::join_statements(statements));
    }

    /// A section of statements already joined; nothing when `body` is empty.
    pub fn push_text(&mut self, header: &str, body: String) {
        if !body.is_empty() {
            self.sections.push((header.to_owned(), body));
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, (header, body)) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&format!("-- {header}\n{}\n", body.trim_end()));
        }
        out
    }
}

/// Statements of one phase, and the statements undoing what a schema diff cannot see of them.
/// Undo sections are added in the order of the statements they undo, and run in reverse.
#[derive(Debug, Default)]
pub struct PhaseScripts {
    pub up: Sections,
    pub undo: Sections,
}

impl PhaseScripts {
    pub fn extend(&mut self, other: PhaseScripts) {
        self.up.sections.extend(other.up.sections);
        self.undo.sections.extend(other.undo.sections);
    }

    /// The phase of `kind`, `None` without statements; its undo sections run in reverse, and
    /// `transactional` tells from its script whether it runs in one transaction.
    pub fn into_phase(
        mut self,
        kind: PhaseKind,
        transactional: impl FnOnce(&str) -> bool,
    ) -> Option<Phase> {
        if self.up.sections.is_empty() {
            return None;
        }
        self.undo.sections.reverse();
        let sql = self.up.text();
        Some(Phase {
            kind,
            transactional: transactional(&sql),
            sql,
            undo: self.undo.text(),
        })
    }
}

/// `sql` with a comment that keeps the linter from flagging `rules` on its first statement: the
/// phases make the rules' concern moot (a view keeps a renamed table's old name working, a
/// contract drops only what no running version uses), or the comment before says what it costs.
pub fn lint_ignore(rules: &str, sql: &str) -> String {
    format!("-- drydock-lint-ignore {rules}\n{sql}")
}

/// `column` as a new column named `name`, added next to data that must fill it first: nullable,
/// without default.
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
        collation: None,
        generated_virtual: false,
        ..column.clone()
    }
}

/// The single-column primary key a backfill batches by; `None` when there is none or when this
/// diff changes it.
pub fn batch_key(table: &Table, changes: &[TableChange]) -> Option<String> {
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

/// What a diff does to tables, columns and index names: a phased plan asks it of each change.
#[derive(Debug, Default)]
pub struct DiffFacts {
    /// Tables this diff creates: empty and unused, they need no care.
    pub created_tables: HashSet<ObjectName>,
    pub dropped_tables: HashSet<ObjectName>,
    /// Columns this diff drops, by table.
    pub dropped_columns: HashSet<(ObjectName, String)>,
    /// Columns this diff drops and adds again (their type cannot be cast), by table: they and
    /// their indexes and foreign keys change at contract, with the drops.
    pub recreated_columns: HashSet<(ObjectName, String)>,
    /// Index names this diff gives out (new indexes, new names of renamed ones), by table.
    pub new_index_names: HashSet<(ObjectName, String)>,
}

impl DiffFacts {
    pub fn of(changes: &[Change]) -> DiffFacts {
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
    pub fn goes_with_a_drop(&self, table: &ObjectName, foreign_key: &ForeignKey) -> bool {
        let columns = || foreign_key.columns.iter().map(String::as_str);
        self.dropped_tables.contains(table)
            || columns().any(|c| {
                self.dropped_columns
                    .contains(&(table.clone(), c.to_owned()))
            })
            || self.recreated(table, columns())
    }

    /// Whether any of `columns` of `table` is dropped and added again at contract.
    pub fn recreated<'c>(
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
pub fn split_in_place(
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
