//! Monitoring facts (`drydock stats`) of an SQLite database: the file's pages and free list,
//! and each table's and index's bytes where the `dbstat` table is compiled in. Snapshots go to
//! the file beside the database that holds its run log (`dev.db` → `dev.drydock.db`), where
//! Prisma never looks.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{
    ConnectorError, IndexSize, PageCounts, STATS_SNAPSHOT_TABLE, SessionCommands, StatementStats,
    StatsFacts, StatsRequest, StatsSource, StoredSnapshot, TableFact,
};
use rusqlite::OptionalExtension;

use crate::connection::{SqliteConnection, database_path, query_error};
use crate::runs::run_log_path;

pub(crate) struct SqliteStats {
    database: SqliteConnection,
    path: std::path::PathBuf,
    /// The file beside the database, opened on the first snapshot read or written.
    store: Option<SqliteConnection>,
}

fn text_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, ConnectorError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|e| ConnectorError::query(format!("a stored snapshot time `{text}`: {e}")))
}

fn pragma(conn: &rusqlite::Connection, name: &str) -> Result<u64, ConnectorError> {
    conn.query_row(&format!("PRAGMA {name}"), [], |row| row.get::<_, i64>(0))
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(query_error)
}

impl SqliteStats {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let path = database_path(url)?;
        if !path.is_file() {
            return Err(ConnectorError::query(format!(
                "the SQLite database `{}` does not exist",
                path.display()
            )));
        }
        Ok(SqliteStats {
            database: SqliteConnection::open(&path)?,
            path,
            store: None,
        })
    }

    fn store(&mut self, create: bool) -> Result<Option<&rusqlite::Connection>, ConnectorError> {
        let sidecar = run_log_path(&self.path);
        if self.store.is_none() {
            if !create && !sidecar.is_file() {
                return Ok(None);
            }
            self.store = Some(SqliteConnection::open(&sidecar)?);
        }
        let conn = &self.store.as_ref().expect("opened above").conn;
        let exists = conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [STATS_SNAPSHOT_TABLE],
                |_| Ok(()),
            )
            .optional()
            .map_err(query_error)?
            .is_some();
        if !exists {
            if !create {
                return Ok(None);
            }
            conn.execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS \"{STATS_SNAPSHOT_TABLE}\" (
                    taken_at TEXT NOT NULL PRIMARY KEY,
                    body     TEXT NOT NULL
                )"
            ))
            .map_err(query_error)?;
        }
        Ok(Some(conn))
    }

    /// Bytes of each table and index, where the `dbstat` table is compiled in.
    fn sizes(&self) -> HashMap<String, u64> {
        let conn = &self.database.conn;
        let read = || -> rusqlite::Result<HashMap<String, u64>> {
            let mut statement = conn.prepare(
                "SELECT name, sum(pgsize) FROM dbstat WHERE aggregate = 0 GROUP BY name",
            )?;
            let rows = statement.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                ))
            })?;
            rows.collect()
        };
        read().unwrap_or_default()
    }

    /// The row estimate `ANALYZE` left for each table (`sqlite_stat1`), when there is one.
    fn row_estimates(&self) -> HashMap<String, u64> {
        let conn = &self.database.conn;
        let read = || -> rusqlite::Result<HashMap<String, u64>> {
            let mut statement =
                conn.prepare("SELECT tbl, max(stat) FROM sqlite_stat1 GROUP BY tbl")?;
            let rows = statement.query_map([], |row| {
                let stat: String = row.get(1)?;
                let rows = stat
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                Ok((row.get::<_, String>(0)?, rows))
            })?;
            rows.collect()
        };
        read().unwrap_or_default()
    }
}

impl StatsSource for SqliteStats {
    fn collect(&mut self, _request: &StatsRequest) -> Result<StatsFacts, ConnectorError> {
        let conn = &self.database.conn;
        let pages = PageCounts {
            page_size: pragma(conn, "page_size")?,
            page_count: pragma(conn, "page_count")?,
            freelist_count: pragma(conn, "freelist_count")?,
        };
        let sizes = self.sizes();
        let estimates = self.row_estimates();
        let mut statement = conn
            .prepare(
                "SELECT type, name, tbl_name FROM sqlite_master \
                 WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' \
                 ORDER BY tbl_name, type DESC, name",
            )
            .map_err(query_error)?;
        let objects: Vec<(String, String, String)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .and_then(Iterator::collect)
            .map_err(query_error)?;
        let mut tables = Vec::new();
        let mut indexes = Vec::new();
        for (kind, name, table) in objects {
            let bytes = sizes.get(&name).copied().unwrap_or(0);
            if kind == "index" {
                indexes.push(IndexSize {
                    schema: None,
                    table,
                    name,
                    bytes,
                    scans: None,
                });
            } else {
                tables.push(TableFact {
                    schema: None,
                    rows: estimates.get(&name).copied(),
                    name,
                    dead_rows: None,
                    table_bytes: bytes,
                    index_bytes: 0,
                    last_vacuum: None,
                    last_analyze: None,
                    modified_since_analyze: None,
                });
            }
        }
        for index in &indexes {
            if let Some(table) = tables.iter_mut().find(|t| t.name == index.table) {
                table.index_bytes += index.bytes;
            }
        }
        Ok(StatsFacts {
            database: self.path.display().to_string(),
            server: format!("SQLite {}", rusqlite::version()),
            size_bytes: Some(pages.page_size * pages.page_count),
            is_replica: false,
            statistics_since: None,
            connections: Vec::new(),
            max_connections: None,
            cache: None,
            sessions: Vec::new(),
            tables,
            indexes,
            queries: StatementStats::Unavailable {
                reason: "SQLite keeps no statistics of the statements it ran".to_owned(),
                enable: String::new(),
            },
            replication: Vec::new(),
            pages: Some(pages),
            // No sessions to stop.
            session_commands: SessionCommands::default(),
        })
    }

    fn store_snapshot(
        &mut self,
        snapshot: &StoredSnapshot,
        delete_before: Option<DateTime<Utc>>,
    ) -> Result<u64, ConnectorError> {
        let conn = self.store(true)?.expect("created");
        conn.execute(
            &format!(
                "INSERT OR REPLACE INTO \"{STATS_SNAPSHOT_TABLE}\" (taken_at, body) VALUES (?1, ?2)"
            ),
            [text_time(&snapshot.taken_at), snapshot.body.clone()],
        )
        .map_err(query_error)?;
        let deleted = match delete_before {
            Some(before) => conn
                .execute(
                    &format!("DELETE FROM \"{STATS_SNAPSHOT_TABLE}\" WHERE taken_at < ?1"),
                    [text_time(&before)],
                )
                .map_err(query_error)?,
            None => 0,
        };
        Ok(u64::try_from(deleted).unwrap_or(0))
    }

    fn snapshot_times(&mut self) -> Result<Vec<DateTime<Utc>>, ConnectorError> {
        let Some(conn) = self.store(false)? else {
            return Ok(Vec::new());
        };
        let mut statement = conn
            .prepare(&format!(
                "SELECT taken_at FROM \"{STATS_SNAPSHOT_TABLE}\" ORDER BY taken_at"
            ))
            .map_err(query_error)?;
        let times: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .and_then(Iterator::collect)
            .map_err(query_error)?;
        times.iter().map(|text| parse_time(text)).collect()
    }

    fn snapshot_since(
        &mut self,
        since: DateTime<Utc>,
    ) -> Result<Option<StoredSnapshot>, ConnectorError> {
        let Some(conn) = self.store(false)? else {
            return Ok(None);
        };
        let row: Option<(String, String)> = conn
            .query_row(
                &format!(
                    "SELECT taken_at, body FROM \"{STATS_SNAPSHOT_TABLE}\" WHERE taken_at >= ?1 \
                     ORDER BY taken_at LIMIT 1"
                ),
                [text_time(&since)],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(query_error)?;
        row.map(|(taken_at, body)| {
            Ok(StoredSnapshot {
                taken_at: parse_time(&taken_at)?,
                body,
            })
        })
        .transpose()
    }
}
