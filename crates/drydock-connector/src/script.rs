//! Assembling a migration file from rendered changes, the way Prisma lays it out.

use drydock_diff::Change;

use crate::Dialect;

/// What Prisma writes for a migration without changes.
pub const EMPTY_MIGRATION: &str = "-- This is an empty migration.";

/// A destructive or unexecutable change, shown to the user and written at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// Stable code, e.g. `D2001`.
    pub code: &'static str,
    pub message: String,
    /// The change cannot run on a table with rows (e.g. a required column without default).
    pub unexecutable: bool,
}

/// The full text of a migration: the warnings block, then one `-- Header` section per change.
pub fn render_script(dialect: &dyn Dialect, changes: &[Change], warnings: &[Warning]) -> String {
    let mut out = String::new();
    if !warnings.is_empty() {
        out.push_str("/*\n  Warnings:\n\n");
        for warning in warnings {
            out.push_str("  - ");
            out.push_str(&warning.message);
            out.push('\n');
        }
        out.push_str("\n*/\n");
    }
    if changes.is_empty() {
        out.push_str(EMPTY_MIGRATION);
        out.push('\n');
        return out;
    }
    for (i, change) in changes.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("-- ");
        out.push_str(change.header());
        out.push('\n');
        out.push_str(dialect.render_change(change).trim_end());
        out.push('\n');
    }
    out
}
