//! Assembling a migration file from rendered changes, the way Prisma lays it out.

use drydock_diff::{Change, Warning};

use crate::Dialect;

/// What Prisma writes for a migration without changes.
pub const EMPTY_MIGRATION: &str = "-- This is an empty migration.";

/// The full text of a migration: the warnings block, then one `-- Header` section per change.
pub fn render_script(dialect: &dyn Dialect, changes: &[Change], warnings: &[Warning]) -> String {
    let sections: Vec<(&str, String)> = changes
        .iter()
        .map(|change| (change.header(), dialect.render_change(change)))
        .collect();
    render_sections(&sections, warnings)
}

/// The full text of a migration from its `(header, SQL)` sections: the warnings block, then one
/// `-- Header` section each.
pub fn render_sections(sections: &[(&str, String)], warnings: &[Warning]) -> String {
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
    if sections.is_empty() {
        out.push_str(EMPTY_MIGRATION);
        out.push('\n');
        return out;
    }
    for (i, (header, sql)) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("-- ");
        out.push_str(header);
        out.push('\n');
        out.push_str(sql.trim_end());
        out.push('\n');
    }
    out
}

/// Statements joined one per line, each ending with `;`.
pub fn join_statements(statements: &[String]) -> String {
    let mut out = String::new();
    for statement in statements {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(statement);
        out.push(';');
    }
    out
}
