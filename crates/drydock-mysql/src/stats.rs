//! Monitoring facts (`drydock stats`) of a MySQL or MariaDB database: its size, the server's
//! sessions by state and its connection limit, the other sessions on this database, each
//! table's rows and bytes (`information_schema.TABLES`, estimates for InnoDB) with its last
//! analyze (persistent statistics), each index's bytes. Snapshots go to
//! `_drydock_stats_snapshots` in the database of drydock's own tables (`<database>_drydock`). Statement
//! statistics (`performance_schema` digests) and replication are not read yet.

use chrono::{DateTime, Utc};
use drydock_connector::{
    ConnectionCount, ConnectorError, IndexSize, STATS_SNAPSHOT_TABLE, SessionCommands, SessionFact,
    StatementStats, StatsFacts, StatsRequest, StatsSource, StoredSnapshot, TableFact,
    is_bookkeeping_table,
};
use mysql::prelude::Queryable;

use crate::connection::{
    MysqlConnection, exec_text_rows, query_error, quote_ident, shorten, text_rows,
};
use crate::history::parse_timestamp;
use crate::runs::{create_own_table, open_state, read_time, write_time};

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    taken_at DATETIME(6) NOT NULL PRIMARY KEY,
    body     LONGTEXT NOT NULL
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

/// `ER_NO_SUCH_TABLE`: no snapshot was ever stored here.
const NO_SUCH_TABLE: &str = "1146";

/// The monitoring facts of one MySQL or MariaDB database.
pub struct MysqlStats {
    connection: MysqlConnection,
    url: String,
    /// The session on the database of drydock's own tables, opened when snapshots are used.
    state: Option<mysql::Conn>,
}

impl MysqlStats {
    /// The facts of the database `url` names.
    pub fn open(url: &str) -> Result<Self, ConnectorError> {
        Ok(MysqlStats {
            connection: MysqlConnection::connect(url)?,
            url: url.to_owned(),
            state: None,
        })
    }

    /// `(waiting, blocking)` session ids of InnoDB's row-lock waits, from the `sys` schema's
    /// view, which MySQL 8 and MariaDB 10.6+ both have; none where it is missing.
    fn lock_waits(&mut self) -> Result<Vec<(u64, u64)>, ConnectorError> {
        let rows = match self.rows("SELECT waiting_pid, blocking_pid FROM sys.innodb_lock_waits") {
            Ok(rows) => rows,
            // No `sys` schema, or no right to read it: no waits to show.
            Err(ConnectorError::Query { .. }) => Vec::new(),
            Err(other) => return Err(other),
        };
        Ok(rows
            .iter()
            .filter_map(|row| Some((number(row, 0)?, number(row, 1)?)))
            .collect())
    }

    fn state(&mut self) -> Result<&mut mysql::Conn, ConnectorError> {
        let state = match self.state.take() {
            Some(state) => state,
            None => open_state(&self.url)?,
        };
        Ok(self.state.insert(state))
    }

    fn rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, ConnectorError> {
        text_rows(self.connection.conn(), sql)
    }

    /// Rows of a query on the snapshot table; none when it was never created.
    fn snapshots(
        &mut self,
        sql: &str,
        params: impl Into<mysql::Params>,
    ) -> Result<Vec<Vec<Option<String>>>, ConnectorError> {
        let sql = sql.replace("{table}", &quote_ident(STATS_SNAPSHOT_TABLE));
        match exec_text_rows(self.state()?, &sql, params) {
            Err(ConnectorError::Query {
                db_code: Some(code),
                ..
            }) if code == NO_SUCH_TABLE => Ok(Vec::new()),
            other => other,
        }
    }
}

fn number(row: &[Option<String>], i: usize) -> Option<u64> {
    row.get(i)?
        .as_deref()?
        .parse::<f64>()
        .ok()
        .map(|n| n.max(0.0) as u64)
}

fn text(row: &[Option<String>], i: usize) -> Option<String> {
    row.get(i).cloned().flatten().filter(|t| !t.is_empty())
}

impl StatsSource for MysqlStats {
    fn collect(&mut self, _request: &StatsRequest) -> Result<StatsFacts, ConnectorError> {
        let database = self.connection.url().database.clone();
        let server = drydock_connector::Introspect::server_version(&mut self.connection)?;
        let size_bytes = self
            .rows(
                "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE()",
            )?
            .first()
            .and_then(|row| number(row, 0));
        // A sleeping session with a transaction open is idle in it.
        let connections = self
            .rows(
                // Named apart from PROCESSLIST's own STATE column, which `GROUP BY` would take.
                "SELECT CASE WHEN p.COMMAND = 'Sleep' AND t.trx_id IS NOT NULL \
                   THEN 'idle in transaction' WHEN p.COMMAND = 'Sleep' THEN 'idle' \
                   ELSE 'active' END AS session_state, COUNT(*) \
                 FROM information_schema.PROCESSLIST p \
                 LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID \
                 WHERE p.COMMAND NOT IN ('Daemon', 'Binlog Dump') AND p.USER <> 'system user' \
                 GROUP BY session_state ORDER BY session_state",
            )?
            .iter()
            .map(|row| ConnectionCount {
                state: text(row, 0).unwrap_or_default(),
                count: number(row, 1).unwrap_or(0),
            })
            .collect();
        let max_connections = self
            .rows("SELECT @@max_connections")?
            .first()
            .and_then(|row| number(row, 0));
        let waits = self.lock_waits()?;
        let sessions = self
            .rows(
                "SELECT p.ID, p.USER, p.COMMAND, p.STATE, p.INFO, p.TIME, \
                   TIMESTAMPDIFF(MICROSECOND, t.trx_started, NOW(6)) / 1000000 \
                 FROM information_schema.PROCESSLIST p \
                 LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID \
                 WHERE p.DB = DATABASE() AND p.ID <> CONNECTION_ID() ORDER BY p.ID",
            )?
            .iter()
            .map(|row| SessionFact {
                pid: number(row, 0).map_or(0, |n| n as i64),
                user: text(row, 1),
                application: None,
                state: text(row, 2).map(|command| {
                    match (command.as_str(), text(row, 6).is_some()) {
                        ("Sleep", true) => "idle in transaction".to_owned(),
                        ("Sleep", false) => "idle".to_owned(),
                        _ => "active".to_owned(),
                    }
                }),
                query: text(row, 4).map(|query| shorten(&query)),
                query_seconds: text(row, 5).and_then(|t| t.parse().ok()),
                transaction_seconds: text(row, 6).and_then(|t| t.parse().ok()),
                state_seconds: text(row, 5).and_then(|t| t.parse().ok()),
                wait: text(row, 3).filter(|state| state.starts_with("Waiting for")),
                blocked_by: waits
                    .iter()
                    .filter(|(waiting, _)| Some(*waiting) == number(row, 0))
                    .map(|(_, blocking)| *blocking as i64)
                    .collect(),
            })
            .collect();
        let tables = self
            .rows(&format!(
                "SELECT t.TABLE_NAME, t.TABLE_ROWS, t.DATA_LENGTH, t.INDEX_LENGTH, {} \
                 FROM information_schema.TABLES t \
                 LEFT JOIN mysql.innodb_table_stats s \
                   ON s.database_name = t.TABLE_SCHEMA AND s.table_name = t.TABLE_NAME \
                 WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' \
                 ORDER BY t.DATA_LENGTH + t.INDEX_LENGTH DESC, t.TABLE_NAME",
                read_time("s.last_update")
            ))?
            .iter()
            .filter(|row| !is_bookkeeping_table(&text(row, 0).unwrap_or_default()))
            .map(|row| {
                Ok(TableFact {
                    schema: None,
                    name: text(row, 0).unwrap_or_default(),
                    rows: number(row, 1),
                    dead_rows: None,
                    table_bytes: number(row, 2).unwrap_or(0),
                    index_bytes: number(row, 3).unwrap_or(0),
                    last_vacuum: None,
                    last_analyze: text(row, 4).as_deref().map(parse_timestamp).transpose()?,
                    modified_since_analyze: None,
                })
            })
            .collect::<Result<Vec<_>, ConnectorError>>()?;
        let indexes = self
            .rows(include_str!("queries/index_sizes.sql"))
            .unwrap_or_default()
            .iter()
            .filter(|row| !is_bookkeeping_table(&text(row, 0).unwrap_or_default()))
            .map(|row| IndexSize {
                schema: None,
                table: text(row, 0).unwrap_or_default(),
                name: text(row, 1).unwrap_or_default(),
                bytes: number(row, 2).unwrap_or(0),
                scans: None,
            })
            .collect();
        Ok(StatsFacts {
            // No vacuum here, so nothing is measured from a statistics reset.
            statistics_since: None,
            session_commands: SessionCommands {
                cancel: "KILL QUERY {pid}".to_owned(),
                end: "KILL {pid}".to_owned(),
                idle_timeout: "idle_transaction_timeout (MariaDB) or wait_timeout".to_owned(),
            },
            database,
            server,
            size_bytes,
            is_replica: false,
            connections,
            max_connections,
            cache: None,
            sessions,
            tables,
            indexes,
            queries: StatementStats::Unavailable {
                reason: "drydock does not read MySQL's statement digests yet".to_owned(),
                enable: String::new(),
            },
            replication: Vec::new(),
            pages: None,
        })
    }

    fn store_snapshot(
        &mut self,
        snapshot: &StoredSnapshot,
        delete_before: Option<DateTime<Utc>>,
    ) -> Result<u64, ConnectorError> {
        let conn = self.state()?;
        create_own_table(conn, CREATE_TABLE, STATS_SNAPSHOT_TABLE)?;
        let table = quote_ident(STATS_SNAPSHOT_TABLE);
        conn.exec_drop(
            format!("REPLACE INTO {table} (taken_at, body) VALUES (?, ?)"),
            (write_time(Some(snapshot.taken_at)), &snapshot.body),
        )
        .map_err(|e| query_error(&e))?;
        let Some(before) = delete_before else {
            return Ok(0);
        };
        conn.exec_drop(
            format!("DELETE FROM {table} WHERE taken_at < ?"),
            (write_time(Some(before)),),
        )
        .map_err(|e| query_error(&e))?;
        Ok(conn.affected_rows())
    }

    fn snapshot_times(&mut self) -> Result<Vec<DateTime<Utc>>, ConnectorError> {
        let sql = format!(
            "SELECT {} FROM {{table}} ORDER BY taken_at",
            read_time("taken_at")
        );
        self.snapshots(&sql, ())?
            .iter()
            .map(|row| parse_timestamp(&text(row, 0).unwrap_or_default()))
            .collect()
    }

    fn snapshot_since(
        &mut self,
        since: DateTime<Utc>,
    ) -> Result<Option<StoredSnapshot>, ConnectorError> {
        let sql = format!(
            "SELECT {}, body FROM {{table}} WHERE taken_at >= ? ORDER BY taken_at LIMIT 1",
            read_time("taken_at")
        );
        let rows = self.snapshots(&sql, (write_time(Some(since)),))?;
        rows.first()
            .map(|row| {
                Ok(StoredSnapshot {
                    taken_at: parse_timestamp(&text(row, 0).unwrap_or_default())?,
                    body: text(row, 1).unwrap_or_default(),
                })
            })
            .transpose()
    }
}
