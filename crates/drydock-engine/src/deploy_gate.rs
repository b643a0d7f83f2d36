//! Which lint findings stop `migrate deploy` before it applies anything.
//!
//! The migrations were reviewed when they were written (`migrate dev` shows the linter's
//! findings, and data loss needed consent then). What a deploy learns that the review could
//! not know is the size of production's tables: so by default it stops only for findings whose
//! danger grows with the table, on tables the live database says are large (or cannot size).

use drydock_lint::{Finding, Level, Report};

/// How `migrate deploy` treats the findings of its pending migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LintGate {
    /// Stop for errors about locks, scans and rewrites on large tables; show the rest.
    #[default]
    Auto,
    /// Stop for any error.
    Strict,
    /// Show every finding, stop for none.
    Warn,
    /// Do not lint.
    Off,
}

impl LintGate {
    /// As `--lint` names it.
    pub fn name(self) -> &'static str {
        match self {
            LintGate::Auto => "auto",
            LintGate::Strict => "strict",
            LintGate::Warn => "warn",
            LintGate::Off => "off",
        }
    }

    /// The findings of `report` that stop the deploy.
    pub fn blocking(self, report: &Report) -> Vec<&Finding> {
        report
            .findings
            .iter()
            .filter(|finding| finding.level == Level::Error)
            .filter(|finding| match self {
                LintGate::Auto => finding.rule.size.depends_on_size(),
                LintGate::Strict => true,
                LintGate::Warn | LintGate::Off => false,
            })
            .collect()
    }
}
