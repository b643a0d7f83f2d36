//! The run log (`_drydock_runs`) on MySQL and MariaDB, a table of the managed database: MySQL
//! has no schemas apart from databases, so it sits beside Prisma's tables and introspection
//! leaves it out as every dialect does with drydock's bookkeeping tables. Times are
//! `DATETIME(6)` in UTC, as `_prisma_migrations` keeps them.

use chrono::{DateTime, Utc};
use drydock_connector::{
    ConnectorError, RUN_TABLE, Run, RunFilter, RunLog, RunProgress, RunStart, RunStatus,
};
use mysql::Conn;
use mysql::prelude::Queryable;

use crate::connection::{exec_text_rows, query_error, quote_ident};
use crate::history::parse_timestamp;
use crate::url::MysqlUrl;

/// `id` is at most 191 characters: the longest a `utf8mb4` key takes on older InnoDB row
/// formats.
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    id          VARCHAR(191) NOT NULL PRIMARY KEY,
    task        TEXT NOT NULL,
    parameters  LONGTEXT NOT NULL,
    actor       TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         BIGINT NOT NULL,
    started_at  DATETIME(6) NOT NULL,
    finished_at DATETIME(6),
    status      VARCHAR(20) NOT NULL,
    examined    BIGINT,
    affected    BIGINT,
    summary     TEXT NOT NULL,
    log         LONGTEXT NOT NULL,
    KEY started (started_at)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

/// How `DATETIME(6)` values are written...
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";
/// ...and read, as text.
pub(crate) fn read_time(column: &str) -> String {
    format!("DATE_FORMAT({column}, '%Y-%m-%d %H:%i:%s.%f')")
}

pub(crate) fn write_time(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.format(TIME_FORMAT).to_string())
}

/// Run `create_table`, a `CREATE TABLE IF NOT EXISTS {table}` of one of drydock's own tables.
pub(crate) fn create_own_table(
    conn: &mut Conn,
    create_table: &str,
    table: &str,
) -> Result<(), ConnectorError> {
    conn.query_drop(create_table.replace("{table}", &quote_ident(table)))
        .map_err(|e| query_error(&e))
}

/// The session on the database that keeps drydock's own tables for the database `url` names:
/// `<database>_drydock` beside it, created when missing. A MySQL database is what PostgreSQL
/// calls a schema, so this is the counterpart of PostgreSQL's `_drydock` schema: Prisma reads
/// one database and never sees these tables, so they are never drift.
pub(crate) fn open_state(url: &str) -> Result<Conn, ConnectorError> {
    let managed = MysqlUrl::parse(url)?;
    let state = state_database(&managed.database);
    managed
        .with_database("information_schema")
        .connect()?
        .query_drop(format!(
            "CREATE DATABASE IF NOT EXISTS {}",
            quote_ident(&state)
        ))
        .map_err(|e| query_error(&e))?;
    managed.with_database(&state).connect()
}

/// `<database>_drydock`, the managed name cut so the whole fits MySQL's 64 characters.
pub fn state_database(database: &str) -> String {
    const SUFFIX: &str = "_drydock";
    let mut end = database.len().min(64 - SUFFIX.len());
    while !database.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{SUFFIX}", &database[..end])
}

/// `ER_NO_SUCH_TABLE`: no run was ever recorded here.
const NO_SUCH_TABLE: &str = "1146";

/// The run log of one MySQL or MariaDB database.
pub struct MysqlRunLog {
    conn: Conn,
    /// Whether this session made sure the table exists: once is enough.
    has_table: bool,
}

impl MysqlRunLog {
    /// The run log of the database `url` names.
    pub fn open(url: &str) -> Result<Self, ConnectorError> {
        Ok(MysqlRunLog {
            conn: open_state(url)?,
            has_table: false,
        })
    }

    fn read(
        &mut self,
        sql: &str,
        params: impl Into<mysql::Params>,
    ) -> Result<Vec<Vec<Option<String>>>, ConnectorError> {
        match exec_text_rows(&mut self.conn, sql, params) {
            Err(ConnectorError::Query {
                db_code: Some(code),
                ..
            }) if code == NO_SUCH_TABLE => Ok(Vec::new()),
            other => other,
        }
    }

    /// Columns in the order [`run`] reads them; `log` last, as `list` leaves it out.
    fn columns() -> String {
        format!(
            "id, task, parameters, actor, host, pid, {}, {}, status, examined, affected, summary",
            read_time("started_at"),
            read_time("finished_at")
        )
    }
}

impl RunLog for MysqlRunLog {
    fn write(&mut self, run: &Run) -> Result<(), ConnectorError> {
        if !self.has_table {
            create_own_table(&mut self.conn, CREATE_TABLE, RUN_TABLE)?;
            self.has_table = true;
        }
        let sql = format!(
            "INSERT INTO {} (id, task, parameters, actor, host, pid, started_at, finished_at, \
             status, examined, affected, summary, log) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON DUPLICATE KEY UPDATE finished_at = VALUES(finished_at), \
             status = VALUES(status), examined = VALUES(examined), \
             affected = VALUES(affected), summary = VALUES(summary), log = VALUES(log)",
            quote_ident(RUN_TABLE)
        );
        let count = |n: Option<u64>| n.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let (start, progress) = (&run.start, &run.progress);
        let params: Vec<mysql::Value> = vec![
            start.id.clone().into(),
            start.task.clone().into(),
            start.parameters.clone().into(),
            start.actor.clone().into(),
            start.host.clone().into(),
            i64::from(start.pid).into(),
            write_time(Some(start.started_at)).into(),
            write_time(progress.finished_at).into(),
            progress.status.as_str().into(),
            count(progress.examined).into(),
            count(progress.affected).into(),
            progress.summary.clone().into(),
            progress.log.clone().into(),
        ];
        self.conn
            .exec_drop(sql, params)
            .map_err(|e| query_error(&e))
    }

    fn list(&mut self, filter: &RunFilter) -> Result<Vec<Run>, ConnectorError> {
        let sql = format!(
            "SELECT {} FROM {} \
             WHERE (? IS NULL OR task = ? OR LEFT(task, CHAR_LENGTH(?) + 1) = CONCAT(?, ' ')) \
             AND (? IS NULL OR started_at >= ?) \
             ORDER BY started_at DESC, id DESC LIMIT ?",
            Self::columns(),
            quote_ident(RUN_TABLE)
        );
        let since = write_time(filter.since);
        let limit = filter
            .limit
            .map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let task = &filter.task;
        let rows = self.read(&sql, (task, task, task, task, &since, &since, limit))?;
        rows.iter().map(|row| run(row, String::new())).collect()
    }

    fn get(&mut self, id: &str) -> Result<Option<Run>, ConnectorError> {
        let sql = format!(
            "SELECT {}, log FROM {} WHERE LEFT(id, CHAR_LENGTH(?)) = ? \
             ORDER BY (id = ?) DESC LIMIT 2",
            Self::columns(),
            quote_ident(RUN_TABLE)
        );
        let rows = self.read(&sql, (id, id, id))?;
        let log = |row: &[Option<String>]| row.get(12).cloned().flatten().unwrap_or_default();
        let exact = rows
            .first()
            .is_some_and(|row| row.first().cloned().flatten().as_deref() == Some(id));
        match rows.as_slice() {
            [row] => run(row, log(row)).map(Some),
            [row, _] if exact => run(row, log(row)).map(Some),
            _ => Ok(None),
        }
    }
}

fn run(row: &[Option<String>], log: String) -> Result<Run, ConnectorError> {
    let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    let count = |i: usize| {
        row.get(i)
            .cloned()
            .flatten()
            .and_then(|n| n.parse::<u64>().ok())
    };
    let status = text(8);
    Ok(Run {
        start: RunStart {
            id: text(0),
            task: text(1),
            parameters: text(2),
            actor: text(3),
            host: text(4),
            pid: text(5).parse().unwrap_or(0),
            started_at: parse_timestamp(&text(6))?,
        },
        progress: RunProgress {
            status: RunStatus::parse(&status).ok_or_else(|| {
                ConnectorError::query(format!(
                    "the run log `{RUN_TABLE}` holds a status drydock does not write: `{status}`"
                ))
            })?,
            finished_at: row
                .get(7)
                .cloned()
                .flatten()
                .as_deref()
                .map(parse_timestamp)
                .transpose()?,
            examined: count(9),
            affected: count(10),
            summary: text(11),
            log,
        },
    })
}
