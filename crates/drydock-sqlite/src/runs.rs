//! The run log (`_drydock_runs`) of an SQLite database, in a file beside it (`dev.db` keeps its
//! runs in `dev.drydock.db`): Prisma reads every table of the database file as part of the
//! schema, and a table it does not know would be drift to `prisma migrate dev`. Times are
//! RFC 3339 text in UTC (they sort as they compare), parameters JSON text.

use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{
    ConnectorError, RUN_TABLE, Run, RunFilter, RunLog, RunProgress, RunStart, RunStatus,
};
use rusqlite::{OptionalExtension, Row, params};

use crate::connection::{SqliteConnection, database_path, query_error};

/// The file beside `database` that holds its run log: `.drydock` before the extension.
pub(crate) fn run_log_path(database: &std::path::Path) -> std::path::PathBuf {
    let stem = database.file_stem().unwrap_or_default().to_string_lossy();
    let name = match database.extension() {
        Some(extension) => format!("{stem}.drydock.{}", extension.to_string_lossy()),
        None => format!("{stem}.drydock"),
    };
    database.with_file_name(name)
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS \"_drydock_runs\" (
    id          TEXT NOT NULL PRIMARY KEY,
    task        TEXT NOT NULL,
    parameters  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,
    examined    INTEGER,
    affected    INTEGER,
    summary     TEXT NOT NULL,
    log         TEXT NOT NULL
)";

/// A session on the file beside the database at `url` that keeps drydock's own records (the
/// run log, open alerts, schedule claims), with `create_table` run first when given.
pub(crate) fn open_state_file(
    url: &str,
    create_table: Option<&str>,
) -> Result<SqliteConnection, ConnectorError> {
    let connection = SqliteConnection::open(&run_log_path(&database_path(url)?))?;
    if let Some(sql) = create_table {
        connection.conn.execute_batch(sql).map_err(query_error)?;
    }
    Ok(connection)
}

/// Columns in the order [`run`] reads them; `log` last, as `list` leaves it out.
const COLUMNS: &str = "id, task, parameters, actor, host, pid, started_at, finished_at, status, \
                       examined, affected, summary";

pub(crate) struct SqliteRunLog {
    connection: SqliteConnection,
    /// Whether this connection made sure the table exists: once is enough.
    has_table: bool,
}

impl SqliteRunLog {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        Ok(SqliteRunLog {
            // The table is made on the first write (see `has_table`).
            connection: open_state_file(url, None)?,
            has_table: false,
        })
    }

    fn conn(&self) -> &rusqlite::Connection {
        &self.connection.conn
    }

    fn table_exists(&self) -> Result<bool, ConnectorError> {
        self.conn()
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [RUN_TABLE],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(query_error)
    }
}

fn text_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn stored_count(n: Option<u64>) -> Option<i64> {
    n.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

impl RunLog for SqliteRunLog {
    fn write(&mut self, run: &Run) -> Result<(), ConnectorError> {
        if !self.has_table {
            self.conn()
                .execute_batch(CREATE_TABLE)
                .map_err(query_error)?;
            self.has_table = true;
        }
        let (start, progress) = (&run.start, &run.progress);
        self.conn()
            .execute(
                "INSERT INTO \"_drydock_runs\" (id, task, parameters, actor, host, pid, \
                 started_at, finished_at, status, examined, affected, summary, log) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
                 ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, \
                 status = excluded.status, examined = excluded.examined, \
                 affected = excluded.affected, summary = excluded.summary, log = excluded.log",
                params![
                    start.id,
                    start.task,
                    start.parameters,
                    start.actor,
                    start.host,
                    i64::from(start.pid),
                    text_time(&start.started_at),
                    progress.finished_at.as_ref().map(text_time),
                    progress.status.as_str(),
                    stored_count(progress.examined),
                    stored_count(progress.affected),
                    progress.summary,
                    progress.log,
                ],
            )
            .map_err(query_error)?;
        Ok(())
    }

    fn list(&mut self, filter: &RunFilter) -> Result<Vec<Run>, ConnectorError> {
        if !self.table_exists()? {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM \"_drydock_runs\" \
             WHERE (?1 IS NULL OR task = ?1 OR substr(task, 1, length(?1) + 1) = ?1 || ' ') \
             AND (?2 IS NULL OR started_at >= ?2) \
             ORDER BY started_at DESC, id DESC LIMIT ?3"
        );
        let limit = filter
            .limit
            .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut statement = self.conn().prepare(&sql).map_err(query_error)?;
        let stored = statement
            .query_map(
                params![filter.task, filter.since.as_ref().map(text_time), limit],
                |row| StoredRun::read(row, false),
            )
            .map_err(query_error)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(query_error)?;
        stored.into_iter().map(StoredRun::into_run).collect()
    }

    fn get(&mut self, id: &str) -> Result<Option<Run>, ConnectorError> {
        if !self.table_exists()? {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {COLUMNS}, log FROM \"_drydock_runs\" WHERE substr(id, 1, length(?1)) = ?1 \
             ORDER BY (id = ?1) DESC LIMIT 2"
        );
        let mut statement = self.conn().prepare(&sql).map_err(query_error)?;
        let stored = statement
            .query_map([id], |row| StoredRun::read(row, true))
            .map_err(query_error)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(query_error)?;
        let exact = stored.first().is_some_and(|run| run.start.id == id);
        match (stored.len(), stored.into_iter().next()) {
            (1, Some(run)) => run.into_run().map(Some),
            (2, Some(run)) if exact => run.into_run().map(Some),
            _ => Ok(None),
        }
    }
}

/// A row as SQLite holds it; [`StoredRun::into_run`] checks what drydock wrote.
struct StoredRun {
    start: RunStart,
    started_at: String,
    finished_at: Option<String>,
    status: String,
    examined: Option<i64>,
    affected: Option<i64>,
    summary: String,
    log: String,
}

impl StoredRun {
    fn read(row: &Row<'_>, with_log: bool) -> rusqlite::Result<StoredRun> {
        Ok(StoredRun {
            start: RunStart {
                id: row.get(0)?,
                task: row.get(1)?,
                parameters: row.get(2)?,
                actor: row.get(3)?,
                host: row.get(4)?,
                pid: u32::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
                started_at: DateTime::<Utc>::MIN_UTC,
            },
            started_at: row.get(6)?,
            finished_at: row.get(7)?,
            status: row.get(8)?,
            examined: row.get(9)?,
            affected: row.get(10)?,
            summary: row.get(11)?,
            log: if with_log {
                row.get(12)?
            } else {
                String::new()
            },
        })
    }

    fn into_run(self) -> Result<Run, ConnectorError> {
        let time = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|time| time.with_timezone(&Utc))
                .map_err(|_| unexpected(&format!("a time `{text}`")))
        };
        let count = |n: Option<i64>| n.map(|n| u64::try_from(n).unwrap_or(0));
        Ok(Run {
            start: RunStart {
                started_at: time(&self.started_at)?,
                ..self.start
            },
            progress: RunProgress {
                status: RunStatus::parse(&self.status)
                    .ok_or_else(|| unexpected(&format!("a status `{}`", self.status)))?,
                finished_at: self.finished_at.as_deref().map(time).transpose()?,
                examined: count(self.examined),
                affected: count(self.affected),
                summary: self.summary,
                log: self.log,
            },
        })
    }
}

fn unexpected(what: &str) -> ConnectorError {
    ConnectorError::query(format!(
        "the run log `{RUN_TABLE}` holds {what} that drydock does not write"
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::run_log_path;

    #[test]
    fn the_run_log_file_sits_beside_the_database() {
        assert_eq!(
            run_log_path(Path::new("prisma/dev.db")),
            Path::new("prisma/dev.drydock.db")
        );
        assert_eq!(
            run_log_path(Path::new("/srv/app.sqlite")),
            Path::new("/srv/app.drydock.sqlite")
        );
        assert_eq!(run_log_path(Path::new("data")), Path::new("data.drydock"));
    }
}
