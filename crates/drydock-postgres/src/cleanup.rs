//! The SQL `drydock cleanup` writes on PostgreSQL: rows as `row_to_json`, read back with
//! `json_populate_recordset`, rows locked with `FOR UPDATE`.

use drydock_connector::{ArchivedColumn, CleanupSql};

use crate::connection::quote_ident;

pub(crate) struct PostgresCleanup;

impl CleanupSql for PostgresCleanup {
    fn quote(&self, name: &str) -> String {
        quote_ident(name)
    }

    /// `bytea` as `\x...` text, which `json_populate_recordset` reads back. Past the 100
    /// arguments `json_build_object` takes, the whole row.
    fn row_json(&self, alias: &str, _returning: bool, columns: &[ArchivedColumn]) -> String {
        if columns.len() > 50 {
            return format!("row_to_json({alias})::text");
        }
        let members: Vec<String> = columns
            .iter()
            .map(|c| {
                format!(
                    "{}, {alias}.{}",
                    self.literal(&c.name),
                    quote_ident(&c.name)
                )
            })
            .collect();
        format!("json_build_object({})::text", members.join(", "))
    }

    /// `IN (subquery)` becomes a hash semi join over a scan of the whole table; an array of
    /// keys is probed in the primary key's index. (A row of columns stays `IN`: an array of
    /// records is not looked up in an index.)
    fn key_in(&self, keys: &str, composite: bool, subquery: &str) -> String {
        if composite {
            format!("{keys} IN ({subquery})")
        } else {
            format!("{keys} = ANY (ARRAY({subquery}))")
        }
    }

    fn lock_rows(&self) -> &'static str {
        " FOR UPDATE"
    }

    /// With the values of identity columns `GENERATED ALWAYS` as archived.
    fn insert_json_rows(&self, table: &str, columns: &[ArchivedColumn], rows: &str) -> String {
        let names: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
        let names = names.join(", ");
        format!(
            "INSERT INTO {table} ({names}) OVERRIDING SYSTEM VALUE SELECT {names} FROM \
             json_populate_recordset(NULL::{table}, {rows})"
        )
    }

    /// Foreign keys are triggers, which a replica session does not fire (superusers only).
    fn relax_references(&self) -> Option<&'static str> {
        Some("SET session_replication_role = replica")
    }
}
