//! What a database tells about its indexes, for index advice (`drydock indexes`): every index
//! with its keys, kind, size and use, the foreign keys, and indexes suggested from the
//! statements the server measured. Each dialect fills [`crate::MaintenanceFacts::index_facts`]; the
//! advice itself is generic.

use serde::Serialize;

/// What to measure, and the thresholds of the statements worth an index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexFactsRequest {
    /// Namespaces to read; empty for the connection's default one.
    pub namespaces: Vec<String>,
    /// Suggest indexes for statements whose mean time reaches this many milliseconds...
    pub slow_query_ms: f64,
    /// ...and that ran at least this many times.
    pub slow_query_calls: u64,
}

/// One index as the database has it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexFact {
    /// `None` on dialects without namespaces.
    pub namespace: Option<String>,
    pub table: String,
    pub name: String,
    /// Access method (`btree`, `hash`, `gin`...).
    pub method: String,
    /// The columns of the keys, in order; an expression key is written as its expression.
    pub columns: Vec<String>,
    /// The keys as the index definition writes them (column or expression, operator class,
    /// order): two indexes have the same keys only when these are equal.
    pub keys: Vec<String>,
    /// Whether a key is an expression rather than a column.
    pub has_expressions: bool,
    /// The partial index's predicate.
    pub predicate: Option<String>,
    pub primary: bool,
    pub unique: bool,
    /// The constraint (primary key, unique, exclusion) the index backs.
    pub constraint: Option<String>,
    /// `false` for an index a failed concurrent build left behind.
    pub valid: bool,
    /// Scans since the statistics were reset; `None` when the database does not count them.
    pub scans: Option<u64>,
    pub size_bytes: Option<u64>,
    /// Estimated bytes wasted by bloat (B-tree indexes), when the database can estimate it.
    pub bloat_bytes: Option<u64>,
    /// The `CREATE INDEX` statement the database reports.
    pub definition: String,
}

/// Whether a valid B-tree index of `table`, on all its rows (no predicate), starts with
/// `columns` in any order: an index that already serves what `columns` would.
pub fn leading_index_exists(
    indexes: &[IndexFact],
    namespace: Option<&str>,
    table: &str,
    columns: &[String],
) -> bool {
    indexes.iter().any(|index| {
        index.valid
            && index.method == "btree"
            && index.predicate.is_none()
            && index.namespace.as_deref() == namespace
            && index.table == table
            && index.columns.len() >= columns.len()
            && columns
                .iter()
                .all(|c| index.columns[..columns.len()].contains(c))
    })
}

/// A foreign key of a managed table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignKeyFact {
    pub namespace: Option<String>,
    pub table: String,
    pub name: String,
    pub columns: Vec<String>,
    pub referenced_table: String,
}

/// An index the statements the server measured call for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestedIndex {
    pub namespace: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
    /// The statement, normalized as the server keeps it (parameters as `$n`).
    pub query: String,
    pub calls: u64,
    pub mean_ms: f64,
    /// The planner's estimated total cost of the statement as it is...
    pub cost_before: Option<f64>,
    /// ...and with the index in place (a hypothetical index), when it could be tried.
    pub cost_after: Option<f64>,
    /// What else the server measured that calls for the index, when no hypothetical index
    /// could be tried (rows read per call without an index).
    pub evidence: Option<String>,
}

/// Whether statement statistics could be read, and why not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum QueryStats {
    Available {
        /// Whether suggestions were tried as hypothetical indexes.
        hypothetical_indexes: bool,
    },
    Unavailable {
        reason: String,
    },
}

/// Everything [`crate::MaintenanceFacts::index_facts`] reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexFacts {
    pub indexes: Vec<IndexFact>,
    pub foreign_keys: Vec<ForeignKeyFact>,
    /// When index use started being counted (the statistics reset), as the database writes it.
    pub stats_since: Option<String>,
    pub query_stats: QueryStats,
    pub suggestions: Vec<SuggestedIndex>,
}
