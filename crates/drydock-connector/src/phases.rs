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
    /// Sessions could go on during the change, but the dialect cannot write the phases that let
    /// them: nothing is written, and this says what is supported and what to do instead.
    Unsupported(String),
}
