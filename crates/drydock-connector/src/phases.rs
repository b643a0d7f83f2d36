//! The phases of a zero-downtime migration: one schema change written as several migrations, in
//! an order where the application versions before and after the change both keep working, and
//! where no statement blocks writes for long (`migrate dev --zero-downtime`).

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
pub(crate) struct Sections {
    pub(crate) sections: Vec<(String, String)>,
}

impl Sections {
    pub(crate) fn push(&mut self, header: &str, statements: &[String]) {
        self.push_text(header, crate::join_statements(statements));
    }

    /// A section of statements already joined; nothing when `body` is empty.
    pub(crate) fn push_text(&mut self, header: &str, body: String) {
        if !body.is_empty() {
            self.sections.push((header.to_owned(), body));
        }
    }

    pub(crate) fn text(&self) -> String {
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
pub(crate) struct PhaseScripts {
    pub(crate) up: Sections,
    pub(crate) undo: Sections,
}

impl PhaseScripts {
    pub(crate) fn extend(&mut self, other: PhaseScripts) {
        self.up.sections.extend(other.up.sections);
        self.undo.sections.extend(other.undo.sections);
    }

    /// The phase of `kind`, `None` without statements; its undo sections run in reverse, and
    /// `transactional` tells from its script whether it runs in one transaction.
    pub(crate) fn into_phase(
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
