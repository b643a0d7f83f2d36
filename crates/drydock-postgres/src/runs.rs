//! The run log (`_drydock_runs`) on PostgreSQL, in drydock's own schema `_drydock` of the
//! database: Prisma reads only the schemas the datasource names, so it never sees the table as
//! drift. Native types: `timestamptz` times, `json` parameters (kept as written).

use chrono::{DateTime, Utc};
use drydock_connector::{
    ConnectorError, RUN_TABLE, Run, RunFilter, RunLog, RunProgress, RunStart, RunStatus,
};
use postgres::types::Type;
use postgres::{Client, Row};

use crate::connection::{query_error, quote_ident};
use crate::url::PgUrl;

/// The schema of drydock's own tables that Prisma must not see.
pub const RUN_SCHEMA: &str = "_drydock";

/// Run `create_table`, a `CREATE TABLE IF NOT EXISTS` of one of drydock's own tables, creating
/// the schema [`RUN_SCHEMA`] first when it is missing (a role that may not create schemas can
/// still use one that exists).
pub(crate) fn create_own_table(
    client: &mut Client,
    create_table: &str,
) -> Result<(), ConnectorError> {
    let exists = client
        .query_typed_opt(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1",
            &[(&RUN_SCHEMA, Type::NAME)],
        )
        .map_err(|e| query_error(&e))?
        .is_some();
    let create_schema = if exists {
        String::new()
    } else {
        format!("CREATE SCHEMA IF NOT EXISTS {};", quote_ident(RUN_SCHEMA))
    };
    match client.batch_execute(&format!("{create_schema}{create_table}")) {
        Ok(()) => Ok(()),
        // Two processes creating the schema or table at once: one of them loses the race on
        // the catalog's unique index, and the table is there.
        Err(e) if e.code().is_some_and(|c| c.code() == "23505") => Ok(()),
        Err(e) => Err(query_error(&e)),
    }
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    id          TEXT PRIMARY KEY,
    task        TEXT NOT NULL,
    parameters  JSON NOT NULL,
    actor       TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         BIGINT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      TEXT NOT NULL,
    examined    BIGINT,
    affected    BIGINT,
    summary     TEXT NOT NULL,
    log         TEXT NOT NULL
)";

/// Columns in the order [`run`] reads them; `log` last, as `list` leaves it out.
const COLUMNS: &str = "id, task, parameters::text, actor, host, pid, started_at, finished_at, \
                       status, examined, affected, summary";

pub(crate) struct PostgresRunLog {
    client: Client,
    table: String,
    /// Whether this session made sure the table exists: once is enough.
    has_table: bool,
}

impl PostgresRunLog {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let url = PgUrl::parse(url)?;
        let client = url.connect()?;
        let table = format!("{}.{}", quote_ident(RUN_SCHEMA), quote_ident(RUN_TABLE));
        Ok(PostgresRunLog {
            client,
            table,
            has_table: false,
        })
    }

    fn create_table(&mut self) -> Result<(), ConnectorError> {
        if self.has_table {
            return Ok(());
        }
        create_own_table(
            &mut self.client,
            &CREATE_TABLE.replace("{table}", &self.table),
        )?;
        self.has_table = true;
        Ok(())
    }

    fn read(
        &mut self,
        sql: &str,
        params: &[(&(dyn postgres::types::ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, ConnectorError> {
        match self.client.query_typed(sql, params) {
            Ok(rows) => Ok(rows),
            // No run was ever recorded here.
            Err(e)
                if e.code()
                    .is_some_and(|c| c.code() == "42P01" || c.code() == "3F000") =>
            {
                Ok(Vec::new())
            }
            Err(e) => Err(query_error(&e)),
        }
    }
}

impl RunLog for PostgresRunLog {
    fn write(&mut self, run: &Run) -> Result<(), ConnectorError> {
        self.create_table()?;
        let sql = format!(
            "INSERT INTO {} (id, task, parameters, actor, host, pid, started_at, finished_at, \
             status, examined, affected, summary, log) \
             VALUES ($1, $2, $3::json, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, \
             status = excluded.status, examined = excluded.examined, \
             affected = excluded.affected, summary = excluded.summary, log = excluded.log",
            self.table
        );
        let count = |n: Option<u64>| n.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let (start, progress) = (&run.start, &run.progress);
        self.client
            .query_typed(
                &sql,
                &[
                    (&start.id, Type::TEXT),
                    (&start.task, Type::TEXT),
                    (&start.parameters, Type::TEXT),
                    (&start.actor, Type::TEXT),
                    (&start.host, Type::TEXT),
                    (&i64::from(start.pid), Type::INT8),
                    (&start.started_at, Type::TIMESTAMPTZ),
                    (&progress.finished_at, Type::TIMESTAMPTZ),
                    (&progress.status.as_str(), Type::TEXT),
                    (&count(progress.examined), Type::INT8),
                    (&count(progress.affected), Type::INT8),
                    (&progress.summary, Type::TEXT),
                    (&progress.log, Type::TEXT),
                ],
            )
            .map_err(|e| query_error(&e))?;
        Ok(())
    }

    fn list(&mut self, filter: &RunFilter) -> Result<Vec<Run>, ConnectorError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM {} \
             WHERE ($1::text IS NULL OR task = $1 OR left(task, length($1) + 1) = $1 || ' ') \
             AND ($2::timestamptz IS NULL OR started_at >= $2) \
             ORDER BY started_at DESC, id DESC LIMIT $3",
            self.table
        );
        let limit = filter.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let rows = self.read(
            &sql,
            &[
                (&filter.task, Type::TEXT),
                (&filter.since, Type::TIMESTAMPTZ),
                (&limit, Type::INT8),
            ],
        )?;
        rows.iter().map(|row| run(row, String::new())).collect()
    }

    fn get(&mut self, id: &str) -> Result<Option<Run>, ConnectorError> {
        let sql = format!(
            "SELECT {COLUMNS}, log FROM {} WHERE left(id, length($1)) = $1 \
             ORDER BY (id = $1) DESC LIMIT 2",
            self.table
        );
        let rows = self.read(&sql, &[(&id, Type::TEXT)])?;
        let exact = rows.first().is_some_and(|row| row.get::<_, &str>(0) == id);
        match rows.as_slice() {
            [row] => run(row, row.get(12)).map(Some),
            [row, _] if exact => run(row, row.get(12)).map(Some),
            _ => Ok(None),
        }
    }
}

fn run(row: &Row, log: String) -> Result<Run, ConnectorError> {
    let status: String = row.get(8);
    let count = |index: usize| {
        row.get::<_, Option<i64>>(index)
            .map(|n| u64::try_from(n).unwrap_or(0))
    };
    Ok(Run {
        start: RunStart {
            id: row.get(0),
            task: row.get(1),
            parameters: row.get(2),
            actor: row.get(3),
            host: row.get(4),
            pid: u32::try_from(row.get::<_, i64>(5)).unwrap_or(0),
            started_at: row.get::<_, DateTime<Utc>>(6),
        },
        progress: RunProgress {
            status: RunStatus::parse(&status).ok_or_else(|| {
                ConnectorError::query(format!(
                    "the run log `{RUN_TABLE}` holds a status drydock does not write: `{status}`"
                ))
            })?,
            finished_at: row.get(7),
            examined: count(9),
            affected: count(10),
            summary: row.get(11),
            log,
        },
    })
}
