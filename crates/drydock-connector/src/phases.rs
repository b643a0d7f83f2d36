//! The phases of a zero-downtime migration: one schema change written as several migrations, in
//! an order where the application versions before and after the change both keep working, and
//! where no statement blocks writes for long (`migrate dev --zero-downtime`).

use drydock_diff::TableChange;
use drydock_schema::{Column, ColumnArity, SqlSchema, Table};
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
