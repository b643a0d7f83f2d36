//! What a rule is (code, name, severity, category) and what it reports (a [`Finding`]).

use drydock_connector::SqlGrammar;
use drydock_diagnostics::Span;

/// How much a finding matters. Errors fail `drydock lint`; warnings fail it only with
/// `--warnings-as-errors`; notes never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    /// The lower-case label used in every output format.
    pub fn label(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// The family a rule belongs to, for the docs; which databases a rule runs for is its
/// [`RuleInfo::grammars`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// The statement could not be read, so nothing was checked.
    Parse,
    DataLoss,
    Locking,
    Compatibility,
    Transactions,
    Timeouts,
    Naming,
}

/// One rule: a stable code and kebab-case name (both accepted by ignore comments), its default
/// level, and a one-line help shown under every finding.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub category: Category,
    /// The grammars whose databases the rule knows: it runs for a project whose dialect reads
    /// SQL with one of them.
    pub grammars: &'static [SqlGrammar],
    /// How the size of the table a finding is about changes its verdict.
    pub size: SizeRule,
    pub help: &'static str,
}

/// How a table's size changes a rule's verdict. Without live facts the size is unknown: an
/// error of a rule that depends on it is a warning then (lint with a database URL to judge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SizeRule {
    /// The size changes nothing.
    Indifferent,
    /// The danger grows with the table (a scan, an index build, a rewrite): a note on a table
    /// known to be small (under `--max-rows`).
    GrowsWithTable,
    /// The statement fails on a table with any row: a note on a table known to be empty, an
    /// error that says how many rows it has otherwise.
    FailsWithRows,
}

impl SizeRule {
    /// Whether the verdict depends on the table's size at all.
    pub fn depends_on_size(self) -> bool {
        self != SizeRule::Indifferent
    }
}

/// One problem found in one statement (or, for the name rule, in one file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub level: Level,
    pub message: String,
    pub help: String,
    pub span: Span,
}

/// Rules that read SQL the same way in every grammar (data loss, naming).
pub(crate) const EVERY_GRAMMAR: &[SqlGrammar] = &[
    SqlGrammar::PostgreSql,
    SqlGrammar::Sqlite,
    SqlGrammar::MySql,
];
/// Rules that know PostgreSQL's lock levels and statements.
pub(crate) const POSTGRES_GRAMMAR: &[SqlGrammar] = &[SqlGrammar::PostgreSql];
/// Rules that know MySQL's and MariaDB's online DDL.
pub(crate) const MYSQL_GRAMMAR: &[SqlGrammar] = &[SqlGrammar::MySql];
/// Rules about app versions still running, for the server databases whose migrations the
/// linter reads in full.
pub(crate) const SERVER_GRAMMARS: &[SqlGrammar] = &[SqlGrammar::PostgreSql, SqlGrammar::MySql];
