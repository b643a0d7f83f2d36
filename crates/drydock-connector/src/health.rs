//! Facts about a database's health, gathered by each dialect for `drydock check`: what its
//! catalogs say (constraints left unvalidated, invalid indexes, sequences near their end,
//! transaction-ID age, statistics, replication slots; SQLite's own integrity checks) and what
//! its rows hold ([`RowCheck`]). The dialect gathers facts; the generic core turns them into
//! findings with codes and thresholds. A fact a database does not have is `None`.

use drydock_schema::ObjectName;
use serde::Serialize;

use crate::ConnectorError;

/// Runs a query and returns the first column of each row as text ([`crate::RunScripts::query_texts`]).
pub type TextQuery<'a> = dyn FnMut(&str) -> Result<Vec<Option<String>>, ConnectorError> + 'a;

/// How many sample keys a [`RowCheck`] returns.
pub const SAMPLE_LIMIT: usize = 5;

/// What one database's catalogs say about its health. Names are qualified as the database
/// spells them (`schema.table` where there are schemas).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HealthFacts {
    /// Constraints added `NOT VALID` and never validated.
    pub unvalidated_constraints: Option<Vec<UnvalidatedConstraint>>,
    /// Indexes left invalid (a failed concurrent build), without those a build in progress has.
    pub invalid_indexes: Option<Vec<InvalidIndex>>,
    /// Sequences that have handed out values, with the column they feed, if any.
    pub sequences: Option<Vec<SequenceUse>>,
    /// Tables without a primary key.
    pub tables_without_primary_key: Option<Vec<TableWithoutKey>>,
    /// Transaction-ID age of the database and of its oldest tables.
    pub transaction_ages: Option<Vec<TransactionAge>>,
    /// Planner statistics of each table.
    pub statistics: Option<Vec<TableStatistics>>,
    /// Replication slots.
    pub replication_slots: Option<Vec<ReplicationSlot>>,
    /// Problems the database's own integrity check reports (nothing: it found none).
    pub integrity_problems: Option<Vec<String>>,
    /// Rows whose reference the parent table does not hold, by the database's own check.
    pub foreign_key_violations: Option<Vec<ForeignKeyViolation>>,
    /// Columns whose declared type the database does not enforce, and what it implies.
    pub unenforced_columns: Option<Vec<UnenforcedColumn>>,
    /// Jobs the database holds to run on a schedule that its scheduler does not run (MySQL's
    /// events); left out of serialized facts where the database has no such jobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_scheduled_jobs: Option<Vec<StoppedScheduledJob>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoppedScheduledJob {
    pub name: String,
    /// Why it does not run, in the database's words.
    pub why: String,
    /// The statements that start the scheduler.
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnvalidatedConstraint {
    pub table: String,
    pub name: String,
    /// `foreign key`, `check`.
    pub kind: String,
    /// The statement that repairs it, in the database's SQL.
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidIndex {
    pub table: String,
    pub name: String,
    /// Whether a unique index: dropping it loses what it would enforce.
    pub unique: bool,
    /// Its definition, to build it again.
    pub definition: String,
    /// The statement that repairs it, in the database's SQL.
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SequenceUse {
    pub sequence: String,
    /// `table.column` the sequence feeds (serial or identity), when it feeds one.
    pub column: Option<String>,
    /// The column's type, or the sequence's.
    pub type_name: String,
    pub last_value: i64,
    /// The largest value it can give: the smaller of its `MAXVALUE` and its column type's.
    pub max_value: i64,
    /// The statement that repairs it, in the database's SQL.
    pub fix: String,
}

impl SequenceUse {
    /// How much of its range is used, in percent.
    pub fn percent_used(&self) -> f64 {
        if self.max_value <= 0 {
            return 100.0;
        }
        self.last_value.max(0) as f64 * 100.0 / self.max_value as f64
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableWithoutKey {
    pub table: String,
    /// Whether a unique index over required columns stands in for a key.
    pub has_unique_index: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionAge {
    /// `database` or `table`.
    pub kind: String,
    pub name: String,
    /// Transactions since its oldest unfrozen transaction ID.
    pub age: i64,
    /// The statement that repairs it, in the database's SQL.
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableStatistics {
    pub table: String,
    /// Whether `ANALYZE` (by hand or by autovacuum) ever ran on it.
    pub analyzed: bool,
    /// Whether it holds rows (it has data pages).
    pub has_rows: bool,
    /// Rows inserted, updated or deleted since its last analyze.
    pub modified_since_analyze: i64,
    /// The planner's row estimate.
    pub estimated_rows: f64,
    /// The statement that repairs it, in the database's SQL.
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicationSlot {
    pub name: String,
    pub active: bool,
    /// `physical` or `logical`.
    pub kind: String,
    /// Bytes of write-ahead log it keeps from removal, when known.
    pub retained_bytes: Option<i64>,
    /// The statement that repairs it, in the database's SQL.
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignKeyViolation {
    pub table: String,
    pub parent: String,
    /// Rows of `table` that reference a missing row of `parent`.
    pub rows: u64,
    /// Up to [`SAMPLE_LIMIT`] of their row keys.
    pub samples: Vec<String>,
}

/// A column whose declared type the database accepts values against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnenforcedColumn {
    pub table: ObjectName,
    pub column: String,
    /// The type as declared.
    pub declared: String,
    /// The length limit in characters its type declares (`VARCHAR(n)`), when it declares one.
    pub max_length: Option<u64>,
    /// The storage classes its values may have without contradicting the declared type, empty
    /// when any will do.
    pub storage_classes: Vec<String>,
}

/// How a dialect writes the SQL of row checks.
#[derive(Clone, Copy)]
pub struct RowCheckSql<'a> {
    /// `name` as a quoted identifier.
    pub quote: &'a dyn Fn(&str) -> String,
    /// The type a value is cast to for comparing and showing it as text (`TEXT`; MySQL's
    /// `CHAR`).
    pub text_type: &'static str,
    /// The function giving a text's length in characters (`char_length`; SQLite's `length`).
    pub length: &'static str,
    /// Texts joined into one (`a || b`; MySQL's `CONCAT(a, b)`, where `||` is `OR`).
    pub concat: fn(&[String]) -> String,
    /// A text as a string literal (quotes doubled; MySQL doubles backslashes too).
    pub literal: fn(&str) -> String,
}

impl<'a> RowCheckSql<'a> {
    /// Standard SQL's `CAST(... AS TEXT)`, `char_length` and `||`, names quoted by `quote`.
    pub fn standard(quote: &'a dyn Fn(&str) -> String) -> Self {
        RowCheckSql {
            quote,
            text_type: "TEXT",
            length: "char_length",
            concat: |parts| parts.join(" || "),
            literal,
        }
    }

    fn text(&self, expression: &str) -> String {
        format!("CAST({expression} AS {})", self.text_type)
    }
}

/// A question about rows: how many there are that break something, and a few of their keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowCheck<'a> {
    /// Rows where `column` is NULL.
    Null {
        table: &'a ObjectName,
        column: &'a str,
        key: &'a [String],
    },
    /// Groups of rows sharing their values in `columns` (rows with a NULL among them never
    /// collide, as in a unique index). Samples are the shared values.
    Duplicates {
        table: &'a ObjectName,
        columns: &'a [String],
    },
    /// Rows whose `column` holds a value outside `values` (compared as text).
    OutsideSet {
        table: &'a ObjectName,
        column: &'a str,
        values: &'a [String],
        key: &'a [String],
    },
    /// Rows whose `column` is longer than `max` characters. Each dialect measures.
    TooLong {
        table: &'a ObjectName,
        column: &'a str,
        max: u64,
        key: &'a [String],
    },
    /// Rows whose `column` holds a value of a storage class outside `classes`. Each dialect
    /// that has storage classes answers.
    StorageClass {
        table: &'a ObjectName,
        column: &'a str,
        classes: &'a [String],
        key: &'a [String],
    },
    /// Rows `predicate`, an SQL condition written by the user, selects.
    Predicate {
        table: &'a ObjectName,
        predicate: &'a str,
        key: &'a [String],
    },
}

/// What a [`RowCheck`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowCheckResult {
    /// Rows found (groups, for [`RowCheck::Duplicates`]).
    pub count: u64,
    /// Rows those groups hold, for [`RowCheck::Duplicates`].
    pub rows: Option<u64>,
    /// Up to [`SAMPLE_LIMIT`] keys of such rows (values, for duplicates), as text.
    pub samples: Vec<String>,
}

impl RowCheck<'_> {
    pub fn table(&self) -> &ObjectName {
        match self {
            RowCheck::Null { table, .. }
            | RowCheck::Duplicates { table, .. }
            | RowCheck::OutsideSet { table, .. }
            | RowCheck::TooLong { table, .. }
            | RowCheck::StorageClass { table, .. }
            | RowCheck::Predicate { table, .. } => table,
        }
    }

    /// The condition selecting the rows in the SQL `sql` describes; `None` for the checks
    /// each dialect words itself ([`RowCheck::StorageClass`]) and for
    /// [`RowCheck::Duplicates`], which groups.
    pub fn condition(&self, sql: &RowCheckSql<'_>) -> Option<String> {
        match self {
            RowCheck::Null { column, .. } => Some(format!("{} IS NULL", (sql.quote)(column))),
            RowCheck::OutsideSet { column, values, .. } => {
                let column = (sql.quote)(column);
                if values.is_empty() {
                    return Some(format!("{column} IS NOT NULL"));
                }
                let values: Vec<String> = values.iter().map(|v| (sql.literal)(v)).collect();
                Some(format!(
                    "{column} IS NOT NULL AND {} NOT IN ({})",
                    sql.text(&column),
                    values.join(", ")
                ))
            }
            RowCheck::TooLong { column, max, .. } => Some(format!(
                "{}({}) > {max}",
                sql.length,
                sql.text(&(sql.quote)(column))
            )),
            RowCheck::Predicate { predicate, .. } => Some(format!("({predicate})")),
            RowCheck::Duplicates { .. } | RowCheck::StorageClass { .. } => None,
        }
    }

    /// The columns whose values name a row in the samples.
    fn key(&self) -> &[String] {
        match self {
            RowCheck::Null { key, .. }
            | RowCheck::OutsideSet { key, .. }
            | RowCheck::TooLong { key, .. }
            | RowCheck::StorageClass { key, .. }
            | RowCheck::Predicate { key, .. } => key,
            RowCheck::Duplicates { columns, .. } => columns,
        }
    }

    /// Answer the check with `query` in the SQL `sql` describes: [`RowCheck::condition`]'s
    /// rows; none for a [`RowCheck::StorageClass`], which databases without storage classes
    /// cannot break.
    pub fn answer_in(
        &self,
        sql: &RowCheckSql<'_>,
        query: &mut TextQuery<'_>,
    ) -> Result<RowCheckResult, ConnectorError> {
        if let RowCheck::StorageClass { .. } = self {
            return Ok(RowCheckResult::default());
        }
        self.answer(&self.condition(sql).unwrap_or_default(), sql, query)
    }

    /// Answer the check with `query` (which returns each row's first column as text), the rows
    /// selected by `condition` (the dialect's, or [`RowCheck::condition`]).
    pub fn answer(
        &self,
        condition: &str,
        sql: &RowCheckSql<'_>,
        query: &mut TextQuery<'_>,
    ) -> Result<RowCheckResult, ConnectorError> {
        let table = qualified(self.table(), sql.quote);
        let key: Vec<String> = self.key().iter().map(|c| (sql.quote)(c)).collect();
        let mut parts = Vec::new();
        for (i, c) in key.iter().enumerate() {
            if i > 0 {
                parts.push("', '".to_owned());
            }
            parts.push(format!("coalesce({}, 'NULL')", sql.text(c)));
        }
        let shown = (sql.concat)(&parts);
        let first = |rows: Vec<Option<String>>| -> u64 {
            rows.first()
                .and_then(|text| text.as_deref()?.parse().ok())
                .unwrap_or(0)
        };
        if let RowCheck::Duplicates { .. } = self {
            let not_null: Vec<String> = key.iter().map(|c| format!("{c} IS NOT NULL")).collect();
            let groups = format!(
                "SELECT {shown} AS v, count(*) AS n FROM {table} WHERE {} GROUP BY {} HAVING \
                 count(*) > 1",
                not_null.join(" AND "),
                key.join(", ")
            );
            let count = first(query(&format!(
                "SELECT count(*) FROM ({groups}) AS duplicates"
            ))?);
            if count == 0 {
                return Ok(RowCheckResult {
                    rows: Some(0),
                    ..RowCheckResult::default()
                });
            }
            let rows = first(query(&format!(
                "SELECT coalesce(sum(n), 0) FROM ({groups}) AS duplicates"
            ))?);
            let samples = query(&format!(
                "SELECT v FROM ({groups}) AS duplicates ORDER BY v LIMIT {SAMPLE_LIMIT}"
            ))?;
            return Ok(RowCheckResult {
                count,
                rows: Some(rows),
                samples: samples.into_iter().flatten().collect(),
            });
        }
        let count = first(query(&format!(
            "SELECT count(*) FROM {table} WHERE {condition}"
        ))?);
        let samples = if count == 0 || key.is_empty() {
            Vec::new()
        } else {
            query(&format!(
                "SELECT {shown} FROM {table} WHERE {condition} ORDER BY {} LIMIT {SAMPLE_LIMIT}",
                key.join(", ")
            ))?
            .into_iter()
            .flatten()
            .collect()
        };
        Ok(RowCheckResult {
            count,
            rows: None,
            samples,
        })
    }
}

/// `table`, or `namespace.table`, quoted.
pub(crate) fn qualified(name: &ObjectName, quote: &dyn Fn(&str) -> String) -> String {
    match &name.namespace {
        Some(namespace) => format!("{}.{}", quote(namespace), quote(&name.name)),
        None => quote(&name.name),
    }
}

/// `text` as an SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_a_set_are_compared_as_text() {
        let table = ObjectName::new(None, "User");
        let values = ["admin".to_owned(), "o'ne".to_owned()];
        let quote = |name: &str| format!("\"{name}\"");
        let sql = RowCheckSql::standard(&quote);
        let check = RowCheck::OutsideSet {
            table: &table,
            column: "role",
            values: &values,
            key: &[],
        };
        assert_eq!(
            check.condition(&sql).as_deref(),
            Some("\"role\" IS NOT NULL AND CAST(\"role\" AS TEXT) NOT IN ('admin', 'o''ne')")
        );
    }
}
