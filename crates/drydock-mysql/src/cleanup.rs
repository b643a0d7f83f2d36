//! The SQL `drydock cleanup` writes on MySQL and MariaDB: rows as `JSON_OBJECT` (binary columns
//! as hexadecimal text, which JSON cannot hold), read back with `JSON_TABLE` (MySQL 8, MariaDB
//! 10.6 and later), rows locked with `FOR UPDATE`, foreign keys relaxed for a restore with
//! `FOREIGN_KEY_CHECKS = 0`.

use drydock_connector::{
    ArchivedColumn, CLEANUP_TABLE, CleanupSql, Connection, ConnectorError, json_object_row,
};
use drydock_schema::{Column, TypeFamily};

use crate::connection::quote_ident;

/// MySQL's and MariaDB's SQL for `drydock cleanup` ([`CleanupSql`]).
pub struct MysqlCleanup;

impl CleanupSql for MysqlCleanup {
    fn quote(&self, name: &str) -> String {
        quote_ident(name)
    }

    /// A backslash escapes in MySQL's literals under the default `sql_mode` (without
    /// `NO_BACKSLASH_ESCAPES`): doubled, it stands for itself.
    fn literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn archived_as_hex(&self, column: &Column) -> bool {
        column.column_type.family == TypeFamily::Bytes
    }

    /// `RETURNING` (MariaDB's `DELETE ... RETURNING`) names the target's columns bare.
    fn row_json(&self, alias: &str, returning: bool, columns: &[ArchivedColumn]) -> String {
        json_object_row(self, alias, returning, columns)
    }

    /// In `<database>_drydock` beside the managed database, with the run log, where Prisma
    /// never looks; a transaction spans both databases of one server.
    fn progress_table(
        &self,
        conn: &mut dyn Connection,
    ) -> Result<(Option<String>, String), ConnectorError> {
        let database = conn
            .query_texts("SELECT DATABASE()")?
            .into_iter()
            .next()
            .flatten()
            .unwrap_or_default();
        let state = quote_ident(&crate::state_database(&database));
        Ok((
            Some(format!("CREATE DATABASE IF NOT EXISTS {state}")),
            format!("{state}.{}", quote_ident(CLEANUP_TABLE)),
        ))
    }

    /// MySQL has no `DELETE ... RETURNING`; MariaDB has, but neither lets a `DELETE` name its
    /// own table in a subquery, which picking a batch needs.
    fn deletes_returning(&self) -> bool {
        false
    }

    fn lock_rows(&self) -> &'static str {
        " FOR UPDATE"
    }

    /// Each member read as text, which the insert converts to the column's type (`JSON_TABLE`
    /// needs a type for each column and the archive does not keep the columns' types); a JSON
    /// `null` reads as SQL `NULL`.
    fn insert_json_rows(&self, table: &str, columns: &[ArchivedColumn], rows: &str) -> String {
        let names: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
        let read: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let path = format!("$.\"{}\"", column.name.replace('"', "\\\""));
                format!("c{i} LONGTEXT PATH {}", self.literal(&path))
            })
            .collect();
        let values: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                if column.hex {
                    format!("UNHEX(j.c{i})")
                } else {
                    format!("j.c{i}")
                }
            })
            .collect();
        format!(
            "INSERT INTO {table} ({}) SELECT {} FROM JSON_TABLE({rows}, '$[*]' COLUMNS ({})) AS j",
            names.join(", "),
            values.join(", "),
            read.join(", ")
        )
    }

    fn relax_references(&self) -> Option<&'static str> {
        Some("SET FOREIGN_KEY_CHECKS = 0")
    }
}
