//! Monitoring facts (`drydock stats`) from PostgreSQL's statistics views, and the snapshots
//! trends are computed from, kept in drydock's own schema `_drydock` beside the run log, where
//! Prisma never looks.

use chrono::{DateTime, Utc};
use drydock_connector::{
    CacheCounters, ConnectionCount, ConnectorError, IndexSize, QueryFact, ReplicationFact,
    STATS_SNAPSHOT_TABLE, SessionCommands, SessionFact, StatementStats, StatsFacts, StatsRequest,
    StatsSource, StoredSnapshot, TableFact,
};
use postgres::Client;
use postgres::types::Type;

use crate::connection::{query_error, quote_ident};
use crate::runs::{RUN_SCHEMA, create_own_table};
use crate::url::PgUrl;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    taken_at TIMESTAMPTZ PRIMARY KEY,
    body     TEXT NOT NULL
)";

/// How to turn query statistics on, when the library is not loaded.
const ENABLE_PRELOAD: &str = "add `pg_stat_statements` to `shared_preload_libraries` in \
                              postgresql.conf, restart the server, then run `CREATE EXTENSION \
                              pg_stat_statements;` in this database";

pub(crate) struct PostgresStats {
    client: Client,
    table: String,
}

impl PostgresStats {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let client = PgUrl::parse(url)?.connect()?;
        Ok(PostgresStats {
            client,
            table: format!(
                "{}.{}",
                quote_ident(RUN_SCHEMA),
                quote_ident(STATS_SNAPSHOT_TABLE)
            ),
        })
    }

    fn rows(&mut self, sql: &str) -> Result<Vec<postgres::Row>, ConnectorError> {
        self.client
            .query_typed(sql, &[])
            .map_err(|e| query_error(&e))
    }

    fn queries(&mut self, top: usize) -> Result<StatementStats, ConnectorError> {
        let schema: Option<String> = self
            .client
            .query_typed_opt(
                "SELECT n.nspname::text FROM pg_extension e \
                 JOIN pg_namespace n ON n.oid = e.extnamespace \
                 WHERE e.extname = 'pg_stat_statements'",
                &[],
            )
            .map_err(|e| query_error(&e))?
            .map(|row| row.get(0));
        let preloaded: String = self
            .client
            .query_typed_one("SELECT current_setting('shared_preload_libraries')", &[])
            .map_err(|e| query_error(&e))?
            .get(0);
        let preloaded = preloaded
            .split(',')
            .any(|library| library.trim().trim_matches('"') == "pg_stat_statements");
        let Some(schema) = schema else {
            return Ok(StatementStats::Unavailable {
                reason: "the extension pg_stat_statements is not installed in this database"
                    .to_owned(),
                enable: if preloaded {
                    "run `CREATE EXTENSION pg_stat_statements;` in this database".to_owned()
                } else {
                    ENABLE_PRELOAD.to_owned()
                },
            });
        };
        if !preloaded {
            return Ok(StatementStats::Unavailable {
                reason: "pg_stat_statements is installed but the server did not load its library"
                    .to_owned(),
                enable: ENABLE_PRELOAD.to_owned(),
            });
        }
        let sql = include_str!("queries/stats_queries.sql").replace(
            "FROM pg_stat_statements",
            &format!("FROM {}.pg_stat_statements", quote_ident(&schema)),
        );
        let top = i64::try_from(top).unwrap_or(i64::MAX);
        let rows = match self.client.query_typed(&sql, &[(&top, Type::INT8)]) {
            Ok(rows) => rows,
            // 42703: an extension older than PostgreSQL 13's columns.
            Err(e) if e.code().is_some_and(|c| c.code() == "42703") => {
                return Ok(StatementStats::Unavailable {
                    reason: "the installed pg_stat_statements is older than version 1.8".to_owned(),
                    enable: "run `ALTER EXTENSION pg_stat_statements UPDATE;`".to_owned(),
                });
            }
            Err(e) => return Err(query_error(&e)),
        };
        let queries = rows
            .iter()
            .map(|row| QueryFact {
                id: row.get::<_, Option<String>>(0).unwrap_or_default(),
                query: row.get::<_, Option<String>>(1).unwrap_or_default(),
                calls: count(row.get(2)),
                total_ms: row.get(3),
                mean_ms: row.get(4),
                rows: count(row.get(5)),
            })
            .collect();
        Ok(StatementStats::Available { queries })
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn opt_count(n: Option<i64>) -> Option<u64> {
    n.map(count)
}

impl StatsSource for PostgresStats {
    fn collect(&mut self, request: &StatsRequest) -> Result<StatsFacts, ConnectorError> {
        let overview = self
            .client
            .query_typed_one(include_str!("queries/stats_overview.sql"), &[])
            .map_err(|e| query_error(&e))?;
        let is_replica: bool = overview.get(3);
        let connections = self
            .rows(include_str!("queries/stats_connections.sql"))?
            .iter()
            .map(|row| ConnectionCount {
                state: row.get(0),
                count: count(row.get(1)),
            })
            .collect();
        let cache = self
            .rows(include_str!("queries/stats_cache.sql"))?
            .first()
            .map(|row| CacheCounters {
                table_hits: count(row.get(0)),
                table_reads: count(row.get(1)),
                index_hits: count(row.get(2)),
                index_reads: count(row.get(3)),
            });
        let sessions = self
            .rows(include_str!("queries/stats_sessions.sql"))?
            .iter()
            .map(|row| SessionFact {
                pid: row.get(0),
                user: row.get(1),
                application: row.get(2),
                state: row.get(3),
                query: row.get(4),
                query_seconds: row.get(5),
                transaction_seconds: row.get(6),
                state_seconds: row.get(7),
                wait: row.get(8),
                blocked_by: row.get::<_, Option<Vec<i64>>>(9).unwrap_or_default(),
            })
            .collect();
        let tables = self
            .rows(include_str!("queries/stats_tables.sql"))?
            .iter()
            .map(|row| TableFact {
                schema: Some(row.get(0)),
                name: row.get(1),
                rows: opt_count(row.get(2)),
                dead_rows: opt_count(row.get(3)),
                table_bytes: count(row.get(4)),
                index_bytes: count(row.get(5)),
                last_vacuum: row.get::<_, Option<DateTime<Utc>>>(6),
                last_analyze: row.get::<_, Option<DateTime<Utc>>>(7),
                modified_since_analyze: opt_count(row.get(8)),
            })
            .collect();
        let indexes = self
            .rows(include_str!("queries/stats_indexes.sql"))?
            .iter()
            .map(|row| IndexSize {
                schema: Some(row.get(0)),
                table: row.get(1),
                name: row.get(2),
                bytes: count(row.get(3)),
                scans: opt_count(row.get(4)),
            })
            .collect();
        let queries = self.queries(request.top_queries)?;
        let replication = if is_replica {
            self.rows(include_str!("queries/stats_replica_delay.sql"))?
                .iter()
                .map(|row| ReplicationFact {
                    name: "this server".to_owned(),
                    lag_seconds: row.get(0),
                    lag_bytes: None,
                })
                .collect()
        } else {
            self.rows(include_str!("queries/stats_replication.sql"))?
                .iter()
                .map(|row| ReplicationFact {
                    name: row.get::<_, Option<String>>(0).unwrap_or_default(),
                    lag_seconds: row.get(1),
                    lag_bytes: opt_count(row.get(2)),
                })
                .collect()
        };
        Ok(StatsFacts {
            database: overview.get(0),
            server: format!("PostgreSQL {}", overview.get::<_, String>(2)),
            size_bytes: Some(count(overview.get(1))),
            is_replica,
            statistics_since: overview.get::<_, Option<DateTime<Utc>>>(5),
            connections,
            max_connections: Some(count(overview.get(4))),
            cache,
            sessions,
            tables,
            indexes,
            queries,
            replication,
            pages: None,
            session_commands: SessionCommands {
                cancel: "SELECT pg_cancel_backend({pid})".to_owned(),
                end: "SELECT pg_terminate_backend({pid})".to_owned(),
                idle_timeout: "idle_in_transaction_session_timeout".to_owned(),
            },
        })
    }

    fn store_snapshot(
        &mut self,
        snapshot: &StoredSnapshot,
        delete_before: Option<DateTime<Utc>>,
    ) -> Result<u64, ConnectorError> {
        create_own_table(
            &mut self.client,
            &CREATE_TABLE.replace("{table}", &self.table),
        )?;
        let mut transaction = self.client.transaction().map_err(|e| query_error(&e))?;
        transaction
            .query_typed(
                &format!(
                    "INSERT INTO {} (taken_at, body) VALUES ($1, $2) \
                     ON CONFLICT (taken_at) DO UPDATE SET body = excluded.body",
                    self.table
                ),
                &[
                    (&snapshot.taken_at, Type::TIMESTAMPTZ),
                    (&snapshot.body, Type::TEXT),
                ],
            )
            .map_err(|e| query_error(&e))?;
        let deleted = match delete_before {
            Some(before) => transaction
                .query_typed(
                    &format!(
                        "WITH gone AS (DELETE FROM {} WHERE taken_at < $1 RETURNING 1) \
                         SELECT count(*)::bigint FROM gone",
                        self.table
                    ),
                    &[(&before, Type::TIMESTAMPTZ)],
                )
                .map_err(|e| query_error(&e))?
                .first()
                .map_or(0, |row| count(row.get(0))),
            None => 0,
        };
        transaction.commit().map_err(|e| query_error(&e))?;
        Ok(deleted)
    }

    fn snapshot_times(&mut self) -> Result<Vec<DateTime<Utc>>, ConnectorError> {
        let sql = format!("SELECT taken_at FROM {} ORDER BY taken_at", self.table);
        match self.client.query_typed(&sql, &[]) {
            Ok(rows) => Ok(rows.iter().map(|row| row.get(0)).collect()),
            // No snapshot was ever stored here.
            Err(e) if e.code().is_some_and(|c| c.code() == "42P01") => Ok(Vec::new()),
            Err(e) => Err(query_error(&e)),
        }
    }

    fn snapshot_since(
        &mut self,
        since: DateTime<Utc>,
    ) -> Result<Option<StoredSnapshot>, ConnectorError> {
        let sql = format!(
            "SELECT taken_at, body FROM {} WHERE taken_at >= $1 ORDER BY taken_at LIMIT 1",
            self.table
        );
        match self
            .client
            .query_typed(&sql, &[(&since, Type::TIMESTAMPTZ)])
        {
            Ok(rows) => Ok(rows.first().map(|row| StoredSnapshot {
                taken_at: row.get(0),
                body: row.get(1),
            })),
            Err(e) if e.code().is_some_and(|c| c.code() == "42P01") => Ok(None),
            Err(e) => Err(query_error(&e)),
        }
    }
}
