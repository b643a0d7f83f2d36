//! What `drydock cleanup` asks of a database's SQL: quoting, a row as JSON text, how a write
//! transaction begins and locks the rows it reads, and putting archived rows back. The generic
//! part (`drydock-maintenance`) writes every statement through these hooks and never names a
//! database.

use drydock_schema::{Column, ObjectName};

/// The table `drydock cleanup --apply` records its progress in, one row per archive: batches
/// committed, rows changed, and how many bytes of the archive those batches fill.
pub const CLEANUP_TABLE: &str = "_drydock_cleanups";

/// A column of an archived row, as the archive's header names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedColumn {
    pub name: String,
    /// Stored as hexadecimal text in the row's JSON (a binary column on a database whose JSON
    /// cannot hold bytes).
    pub hex: bool,
}

pub trait CleanupSql: Send + Sync {
    /// `name` as a quoted identifier.
    fn quote(&self, name: &str) -> String;

    /// The table `name` as SQL, with its namespace when it has one.
    fn table(&self, name: &ObjectName) -> String {
        match &name.namespace {
            Some(namespace) => format!("{}.{}", self.quote(namespace), self.quote(&name.name)),
            None => self.quote(&name.name),
        }
    }

    /// `text` as a string literal.
    fn literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\'', "''"))
    }

    /// Whether `column` goes into the archive as hexadecimal text ([`ArchivedColumn::hex`]).
    fn archived_as_hex(&self, _column: &Column) -> bool {
        false
    }

    /// An expression giving the row of the table aliased `alias` as one line of JSON text: an
    /// object with one member per column of `columns` (those [`Self::archived_as_hex`] says as
    /// hexadecimal text). `returning`: in the `RETURNING` clause of a statement whose target
    /// is aliased `alias` (where SQLite names columns bare).
    fn row_json(&self, alias: &str, returning: bool, columns: &[ArchivedColumn]) -> String;

    /// A condition: `keys` (a column, or a row of columns when `composite`) is among the keys
    /// the query `subquery` selects, phrased so the database looks each selected key up in the
    /// key's index rather than joining the subquery with the whole table.
    fn key_in(&self, keys: &str, _composite: bool, subquery: &str) -> String {
        format!("{keys} IN ({subquery})")
    }

    /// The progress table ([`CLEANUP_TABLE`]) as SQL, on the session `conn`, and the statement
    /// that makes the place it lives in, if one must. It is written in the same transaction as
    /// a batch's rows, so it lives where that transaction reaches: in the managed database or
    /// schema unless the dialect has a place of drydock's own there, where Prisma never looks
    /// (then the hook moves a table an earlier drydock kept in the managed one, with its rows,
    /// so an unfinished cleanup resumes).
    fn progress_table(
        &self,
        conn: &mut dyn crate::Connection,
    ) -> Result<(Option<String>, String), crate::ConnectorError> {
        let _ = conn;
        Ok((None, self.quote(CLEANUP_TABLE)))
    }

    /// Whether a batch deletes its rows with one `DELETE ... RETURNING` that picks them too.
    /// Where that statement is missing or cannot name its own table in a subquery (MySQL,
    /// MariaDB), a batch reads its rows whole and locked, then deletes them by key.
    fn deletes_returning(&self) -> bool {
        true
    }

    /// The statement that begins a transaction which will write (SQLite takes its write lock
    /// at once with `BEGIN IMMEDIATE`).
    fn begin_write(&self) -> &'static str {
        "BEGIN"
    }

    /// What ends a `SELECT` whose rows the transaction then changes, to lock them (`FOR
    /// UPDATE`), or nothing where the transaction's own lock covers them.
    fn lock_rows(&self) -> &'static str {
        ""
    }

    /// A statement inserting into `table` (already SQL) the rows of `rows`, a JSON array of
    /// objects written by [`Self::row_json`], given as a string literal.
    fn insert_json_rows(&self, table: &str, columns: &[ArchivedColumn], rows: &str) -> String;

    /// Run before a restore, outside a transaction: let rows in whose references lead nowhere
    /// (the orphans the cleanup took out). `None` when there is no such switch; a failure is
    /// a warning, and the restore goes on with the checks in place.
    fn relax_references(&self) -> Option<&'static str> {
        None
    }
}

/// [`CleanupSql::row_json`] as `json_object('name', value, ...)`, which SQLite, MySQL and
/// MariaDB share: values of the table aliased `alias`, or bare in `returning` (where these
/// databases name the target's columns so), hexadecimal ones through `hex()`.
pub fn json_object_row(
    sql: &dyn CleanupSql,
    alias: &str,
    returning: bool,
    columns: &[ArchivedColumn],
) -> String {
    let members: Vec<String> = columns
        .iter()
        .map(|column| {
            let value = if returning {
                sql.quote(&column.name)
            } else {
                format!("{alias}.{}", sql.quote(&column.name))
            };
            let value = if column.hex {
                // SQLite's `hex(NULL)` is the empty text.
                format!("CASE WHEN {value} IS NULL THEN NULL ELSE hex({value}) END")
            } else {
                value
            };
            format!("{}, {value}", sql.literal(&column.name))
        })
        .collect();
    format!("json_object({})", members.join(", "))
}
