//! The SQL `drydock cleanup` writes on SQLite: rows as `json_object` (blobs as hexadecimal
//! text, which JSON cannot hold), read back with `json_each`; `BEGIN IMMEDIATE` takes the write
//! lock before the rows are read.
//!
//! The progress table (`_drydock_cleanups`) stays in the database file, not in the file beside
//! it that holds the run log: a batch's progress row must commit with its delete, and SQLite
//! commits a transaction over an `ATTACH`ed file atomically only through a super-journal, which
//! WAL mode (a database's own choice) does without; there a stop between the two files' commits
//! would leave a batch deleted and not counted. Introspection leaves the table out (it is one of
//! drydock's bookkeeping tables), so drift never shows it.

use drydock_connector::{ArchivedColumn, CleanupSql, json_object_row};
use drydock_schema::{Column, TypeFamily};

use crate::connection::quote_ident;

pub(crate) struct SqliteCleanup;

impl CleanupSql for SqliteCleanup {
    fn quote(&self, name: &str) -> String {
        quote_ident(name)
    }

    fn archived_as_hex(&self, column: &Column) -> bool {
        column.column_type.family == TypeFamily::Bytes
    }

    /// `RETURNING` names the target's columns bare: SQLite knows no alias there.
    fn row_json(&self, alias: &str, returning: bool, columns: &[ArchivedColumn]) -> String {
        json_object_row(self, alias, returning, columns)
    }

    fn begin_write(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }

    fn insert_json_rows(&self, table: &str, columns: &[ArchivedColumn], rows: &str) -> String {
        let names: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
        let values: Vec<String> = columns
            .iter()
            .map(|column| {
                let path = self.literal(&format!("$.{}", quote_ident(&column.name)));
                let value = format!("json_extract(value, {path})");
                if column.hex {
                    format!("unhex({value})")
                } else {
                    value
                }
            })
            .collect();
        format!(
            "INSERT INTO {table} ({}) SELECT {} FROM json_each({rows})",
            names.join(", "),
            values.join(", ")
        )
    }

    fn relax_references(&self) -> Option<&'static str> {
        Some("PRAGMA foreign_keys = OFF")
    }
}
