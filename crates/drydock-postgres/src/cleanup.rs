//! The SQL `drydock cleanup` writes on PostgreSQL: rows as `row_to_json`, read back with
//! `json_populate_recordset`, rows locked with `FOR UPDATE`; the progress table in drydock's
//! own schema `_drydock`, beside the run log.

use drydock_connector::{ArchivedColumn, CLEANUP_TABLE, CleanupSql, Connection, ConnectorError};

use crate::connection::quote_ident;
use crate::runs::RUN_SCHEMA;

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

    /// In the schema `_drydock` of the same database (one transaction still covers a batch
    /// and its progress row), where Prisma never looks. A table an earlier drydock kept in the
    /// managed schema is moved there first, its rows with it, so a cleanup it left unfinished
    /// is resumed.
    fn progress_table(
        &self,
        conn: &mut dyn Connection,
    ) -> Result<(Option<String>, String), ConnectorError> {
        let schema = quote_ident(RUN_SCHEMA);
        let table = format!("{schema}.{}", quote_ident(CLEANUP_TABLE));
        let has_schema = format!("SELECT 1 FROM pg_namespace WHERE nspname = '{RUN_SCHEMA}'");
        // Checked first: a role that may not create schemas can use one that exists.
        if conn.query_texts(&has_schema)?.is_empty()
            && let Err(e) = conn.execute_script(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            // Another process creating it at the same moment wins the race.
            && conn.query_texts(&has_schema)?.is_empty()
        {
            return Err(ConnectorError::query(e.message));
        }
        let earlier = format!(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n \
             ON n.oid = c.relnamespace WHERE c.relname = '{CLEANUP_TABLE}' AND c.relkind = 'r' \
             AND n.nspname = current_schema() AND n.nspname <> '{RUN_SCHEMA}'"
        );
        let Some(earlier_table) = conn.query_texts(&earlier)?.into_iter().flatten().next() else {
            return Ok((None, table));
        };
        let own = conn.query_texts(&format!(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relname = '{CLEANUP_TABLE}' AND n.nspname = '{RUN_SCHEMA}'"
        ))?;
        let columns = "archive, started_at, batches, rows_done, archive_bytes, finished_at";
        // One transaction either way; the lock waits for a batch an earlier drydock is
        // committing, so none of its progress is lost.
        let moved = if own.is_empty() {
            conn.execute_script(&format!("ALTER TABLE {earlier_table} SET SCHEMA {schema}"))
        } else {
            conn.execute_script(&format!(
                "LOCK TABLE {earlier_table} IN ACCESS EXCLUSIVE MODE; \
                 INSERT INTO {table} ({columns}) SELECT {columns} FROM {earlier_table} \
                 ON CONFLICT (archive) DO NOTHING; DROP TABLE {earlier_table}"
            ))
        };
        if let Err(e) = moved {
            // Another process moved it at the same moment.
            if !conn.query_texts(&earlier)?.is_empty() {
                return Err(ConnectorError::query(e.message));
            }
        }
        Ok((None, table))
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
