//! The limits `drydock stats` holds its facts to, with PgHero's and check_postgres's defaults,
//! and their evaluation into [`Finding`]s with stable codes (`D63xx`, `docs/stats.md`).

use drydock_connector::SessionCommands;

use crate::finding::{Finding, ObjectRef, Severity};
use crate::stats::StatsReport;

/// A limit with a warning and an error level; either may be off (`None`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub warning: Option<f64>,
    pub error: Option<f64>,
}

impl Limit {
    pub const fn new(warning: f64, error: f64) -> Limit {
        Limit {
            warning: Some(warning),
            error: Some(error),
        }
    }

    /// The severity of `value` measured against a limit not to be exceeded.
    pub fn above(&self, value: f64) -> Option<Severity> {
        if self.error.is_some_and(|limit| value >= limit) {
            Some(Severity::Error)
        } else if self.warning.is_some_and(|limit| value >= limit) {
            Some(Severity::Warning)
        } else {
            None
        }
    }

    /// The severity of `value` measured against a floor not to be gone below.
    pub fn below(&self, value: f64) -> Option<Severity> {
        if self.error.is_some_and(|limit| value < limit) {
            Some(Severity::Error)
        } else if self.warning.is_some_and(|limit| value < limit) {
            Some(Severity::Warning)
        } else {
            None
        }
    }

    /// The lowest level that reports anything.
    fn lowest(&self) -> Option<f64> {
        match (self.warning, self.error) {
            (Some(w), Some(e)) => Some(w.min(e)),
            (w, e) => w.or(e),
        }
    }
}

/// Every limit `drydock stats` evaluates (`[stats.thresholds]` in `drydock.toml`). Durations
/// in seconds, shares in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// D6301: a statement running this long. PgHero: 60 s; check_postgres `query_time`: 5 min
    /// critical.
    pub long_running_query: Limit,
    /// D6302: a session idle inside an open transaction this long.
    pub idle_in_transaction: Limit,
    /// D6303: a statement waiting this long for a lock another session holds.
    pub lock_wait: Limit,
    /// D6304: client sessions as a share of `max_connections` (check_postgres `backends`:
    /// 90 % / 95 %).
    pub connections: Limit,
    /// D6305 (tables) and D6306 (indexes): the share of block reads served from memory must
    /// not fall below this (PgHero: 99 %).
    pub cache_hit: Limit,
    /// The cache hit share is judged only after this many block reads.
    pub cache_min_blocks: u64,
    /// D6307: replication lag (PgHero: 5 s).
    pub replication_lag: Limit,
    /// D6308: dead rows as a share of live rows (`autovacuum_vacuum_scale_factor`: 20 %).
    pub dead_rows: Limit,
    /// A table is judged on its dead rows only from this many of them on.
    pub dead_rows_min: u64,
    /// D6309: time since a table with dead rows was last vacuumed, by hand or by autovacuum
    /// (check_postgres `last_vacuum`: 1 day / 2 days).
    pub vacuum_stale: Limit,
    /// A table is judged on its last vacuum only from this many dead rows on: one with nothing
    /// to vacuum is never vacuumed, and rightly so.
    pub vacuum_stale_rows: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            long_running_query: Limit::new(60.0, 300.0),
            idle_in_transaction: Limit::new(60.0, 600.0),
            lock_wait: Limit::new(10.0, 60.0),
            connections: Limit::new(90.0, 95.0),
            cache_hit: Limit {
                warning: Some(99.0),
                error: None,
            },
            cache_min_blocks: 10_000,
            replication_lag: Limit::new(5.0, 60.0),
            dead_rows: Limit {
                warning: Some(20.0),
                error: None,
            },
            dead_rows_min: 1_000,
            vacuum_stale: Limit::new(86_400.0, 172_800.0),
            vacuum_stale_rows: 1_000,
        }
    }
}

/// `60s`, `5m`, `1h30m`, `30d`, `500ms`, `2w` as seconds; `None` when not such a duration.
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut seconds = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: f64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" | "sec" | "second" | "seconds" => 1.0,
            "m" | "min" | "minute" | "minutes" => 60.0,
            "h" | "hour" | "hours" => 3_600.0,
            "d" | "day" | "days" => 86_400.0,
            "w" | "week" | "weeks" => 604_800.0,
            _ => return None,
        };
        seconds += number * scale;
        rest = rest[unit_len..].trim_start();
    }
    seconds.is_finite().then_some(seconds)
}

/// `90%` (or `90`) as 90.0; `None` unless between 0 and 100.
pub fn parse_percent(text: &str) -> Option<f64> {
    let number: f64 = text.trim().trim_end_matches('%').trim().parse().ok()?;
    (0.0..=100.0).contains(&number).then_some(number)
}

/// Seconds for people: `45s`, `3m 12s`, `2h 5m`, `3d 4h`.
pub fn format_seconds(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (d, h, m, s) = (
        total / 86_400,
        total % 86_400 / 3_600,
        total % 3_600 / 60,
        total % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

fn session(pid: i64) -> ObjectRef {
    ObjectRef {
        kind: "session".to_owned(),
        name: pid.to_string(),
    }
}

fn short(query: Option<&str>) -> String {
    let query = query
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if query.chars().count() > 120 {
        let cut: String = query.chars().take(117).collect();
        format!("{cut}...")
    } else {
        query
    }
}

/// The findings of `report` against `thresholds`, in code order.
pub fn evaluate(report: &StatsReport, thresholds: &Thresholds) -> Vec<Finding> {
    let mut findings = Vec::new();
    for s in &report.sessions {
        if s.state.as_deref() == Some("active")
            && let Some(age) = s.query_seconds
            && let Some(severity) = thresholds.long_running_query.above(age)
        {
            findings.push(Finding {
                code: "D6301".to_owned(),
                severity,
                title: format!(
                    "a statement has run for {} (session {})",
                    format_seconds(age),
                    s.pid
                ),
                objects: vec![session(s.pid)],
                detail: Some(format!(
                    "user {}, query: {}",
                    s.user.as_deref().unwrap_or("?"),
                    short(s.query.as_deref())
                )),
                fix: Some(format!(
                    "look at the statement (EXPLAIN it); to stop it: {}",
                    SessionCommands::for_session(&report.session_commands.cancel, s.pid)
                )),
            });
        }
    }
    for s in &report.sessions {
        if s.state
            .as_deref()
            .is_some_and(|state| state.starts_with("idle in transaction"))
            && let Some(idle) = s.state_seconds
            && let Some(severity) = thresholds.idle_in_transaction.above(idle)
        {
            findings.push(Finding {
                code: "D6302".to_owned(),
                severity,
                title: format!(
                    "a session has been idle in a transaction for {} (session {})",
                    format_seconds(idle),
                    s.pid
                ),
                objects: vec![session(s.pid)],
                detail: Some(format!(
                    "user {}, application {}, transaction open for {}, last statement: {}",
                    s.user.as_deref().unwrap_or("?"),
                    s.application.as_deref().unwrap_or("?"),
                    format_seconds(s.transaction_seconds.unwrap_or(idle)),
                    short(s.query.as_deref())
                )),
                fix: Some(format!(
                    "commit or roll back in the application, and set {}; to end it: {}",
                    report.session_commands.idle_timeout,
                    SessionCommands::for_session(&report.session_commands.end, s.pid)
                )),
            });
        }
    }
    for wait in &report.lock_waits {
        if let Some(severity) = thresholds.lock_wait.above(wait.waiting_seconds) {
            let mut objects = vec![session(wait.pid)];
            objects.extend(wait.chain.iter().map(|link| session(link.pid)));
            let chain = wait
                .chain
                .iter()
                .map(|link| {
                    format!(
                        "{} ({}: {})",
                        link.pid,
                        link.state.as_deref().unwrap_or("?"),
                        short(link.query.as_deref())
                    )
                })
                .collect::<Vec<_>>()
                .join(" ← ");
            let root = wait.chain.last().map_or(wait.pid, |link| link.pid);
            findings.push(Finding {
                code: "D6303".to_owned(),
                severity,
                title: format!(
                    "session {} has waited {} for a lock held by {}",
                    wait.pid,
                    format_seconds(wait.waiting_seconds),
                    wait.blocked_by
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                objects,
                detail: Some(format!(
                    "{} ({}) ← {chain}",
                    wait.pid,
                    short(wait.query.as_deref())
                )),
                fix: Some(format!(
                    "finish the blocking transaction; to end it: {}",
                    SessionCommands::for_session(&report.session_commands.end, root)
                )),
            });
        }
    }
    if let Some(connections) = &report.connections
        && let Some(percent) = connections.percent
        && let Some(severity) = thresholds.connections.above(percent)
    {
        findings.push(Finding {
            code: "D6304".to_owned(),
            severity,
            title: format!(
                "{} of {} connections are in use ({percent:.0}%)",
                connections.total,
                connections.max.unwrap_or(0)
            ),
            objects: vec![ObjectRef {
                kind: "server".to_owned(),
                name: report.database.clone(),
            }],
            detail: Some(
                connections
                    .by_state
                    .iter()
                    .map(|c| format!("{} {}", c.count, c.state))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            fix: Some(
                "put a connection pooler in front of the server, close idle sessions, or raise \
                 max_connections"
                    .to_owned(),
            ),
        });
    }
    if let Some(cache) = &report.cache {
        let ratios = [
            (
                "D6305",
                "table",
                cache.table_hit_percent,
                cache.table_blocks,
            ),
            (
                "D6306",
                "index",
                cache.index_hit_percent,
                cache.index_blocks,
            ),
        ];
        for (code, what, percent, blocks) in ratios {
            if blocks >= thresholds.cache_min_blocks
                && let Some(percent) = percent
                && let Some(severity) = thresholds.cache_hit.below(percent)
            {
                findings.push(Finding {
                    code: code.to_owned(),
                    severity,
                    title: format!(
                        "{percent:.2}% of {what} block reads come from memory, below {}%",
                        thresholds.cache_hit.lowest().unwrap_or(0.0)
                    ),
                    objects: vec![ObjectRef {
                        kind: "database".to_owned(),
                        name: report.database.clone(),
                    }],
                    detail: Some(format!(
                        "{blocks} {what} block reads since the statistics reset"
                    )),
                    fix: Some(
                        "give the server more memory (shared_buffers), or find the statements \
                         that read the most (top queries) and index them"
                            .to_owned(),
                    ),
                });
            }
        }
    }
    for replica in &report.replication {
        if let Some(lag) = replica.lag_seconds
            && let Some(severity) = thresholds.replication_lag.above(lag)
        {
            findings.push(Finding {
                code: "D6307".to_owned(),
                severity,
                title: format!(
                    "replication to {} lags {}",
                    replica.name,
                    format_seconds(lag)
                ),
                objects: vec![ObjectRef {
                    kind: "replica".to_owned(),
                    name: replica.name.clone(),
                }],
                detail: replica
                    .lag_bytes
                    .map(|bytes| format!("{bytes} bytes of WAL behind")),
                fix: Some(
                    "look at the replica's load, network and long queries (hot_standby_feedback, \
                     max_standby_streaming_delay)"
                        .to_owned(),
                ),
            });
        }
    }
    for table in &report.tables {
        if let (Some(dead), Some(percent)) = (table.dead_rows, table.dead_percent)
            && dead >= thresholds.dead_rows_min
            && let Some(severity) = thresholds.dead_rows.above(percent)
        {
            findings.push(Finding {
                code: "D6308".to_owned(),
                severity,
                title: format!(
                    "table {} has {dead} dead rows ({percent:.0}% of its live rows)",
                    table.qualified_name()
                ),
                objects: vec![ObjectRef {
                    kind: "table".to_owned(),
                    name: table.qualified_name(),
                }],
                detail: Some(format!(
                    "last vacuum: {}",
                    table
                        .last_vacuum
                        .map_or_else(|| "never".to_owned(), |t| t.to_rfc3339())
                )),
                fix: Some(format!(
                    "VACUUM (ANALYZE) {}; and check that autovacuum keeps up (long transactions \
                     hold dead rows back)",
                    table.qualified_name()
                )),
            });
        }
    }
    for table in &report.tables {
        let Some(dead) = table
            .dead_rows
            .filter(|dead| *dead >= thresholds.vacuum_stale_rows)
        else {
            continue;
        };
        let (since, last) = match (table.last_vacuum, report.statistics_since) {
            (Some(at), _) => (at, format!("last vacuum {}", at.to_rfc3339())),
            (None, Some(start)) => (
                start,
                format!(
                    "never vacuumed since the statistics began ({})",
                    start.to_rfc3339()
                ),
            ),
            (None, None) => continue,
        };
        let age = (report.taken_at - since).num_milliseconds() as f64 / 1_000.0;
        if let Some(severity) = thresholds.vacuum_stale.above(age) {
            findings.push(Finding {
                code: "D6309".to_owned(),
                severity,
                title: format!(
                    "table {} has not been vacuumed for {} and has {dead} dead rows",
                    table.qualified_name(),
                    format_seconds(age)
                ),
                objects: vec![ObjectRef {
                    kind: "table".to_owned(),
                    name: table.qualified_name(),
                }],
                detail: Some(format!(
                    "{last}; {dead} dead rows beside {} live ones",
                    table.rows.unwrap_or(0)
                )),
                fix: Some(format!(
                    "VACUUM (ANALYZE) {}; then find why autovacuum passes it by: \
                     autovacuum_enabled off on the table, autovacuum_vacuum_scale_factor too high \
                     for its size, a long transaction, or vacuums that fail (the server log)",
                    table.qualified_name()
                )),
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_percents_parse() {
        assert_eq!(parse_duration("60s"), Some(60.0));
        assert_eq!(parse_duration("5m"), Some(300.0));
        assert_eq!(parse_duration("1h30m"), Some(5_400.0));
        assert_eq!(parse_duration("30d"), Some(2_592_000.0));
        assert_eq!(parse_duration("250ms"), Some(0.25));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_percent("99%"), Some(99.0));
        assert_eq!(parse_percent("101%"), None);
    }

    use crate::stats::{CacheRatios, Connections, StatsReport, TableStats, TopQueries};
    use drydock_connector::{ConnectionCount, ReplicationFact};

    fn report() -> StatsReport {
        StatsReport {
            version: 1,
            database: "shop".to_owned(),
            server: "PostgreSQL 17".to_owned(),
            taken_at: chrono::Utc::now(),
            size_bytes: Some(1),
            is_replica: false,
            statistics_since: None,
            connections: Some(Connections {
                total: 3,
                max: Some(100),
                percent: Some(3.0),
                by_state: vec![ConnectionCount {
                    state: "idle".to_owned(),
                    count: 3,
                }],
            }),
            cache: Some(CacheRatios {
                table_hit_percent: Some(99.9),
                table_blocks: 1_000_000,
                index_hit_percent: Some(99.9),
                index_blocks: 1_000_000,
            }),
            sessions: Vec::new(),
            lock_waits: Vec::new(),
            tables: vec![TableStats {
                schema: Some("public".to_owned()),
                name: "order".to_owned(),
                rows: Some(10_000),
                dead_rows: Some(10),
                dead_percent: Some(0.1),
                table_bytes: 1,
                index_bytes: 1,
                total_bytes: 2,
                last_vacuum: None,
                last_analyze: None,
                modified_since_analyze: None,
                growth: None,
            }],
            indexes: Vec::new(),
            queries: TopQueries::Unavailable {
                reason: String::new(),
                enable: String::new(),
            },
            replication: vec![ReplicationFact {
                name: "replica1".to_owned(),
                lag_seconds: Some(0.5),
                lag_bytes: Some(0),
            }],
            pages: None,
            growth: None,
            snapshot: None,
            findings: Vec::new(),
            session_commands: SessionCommands::default(),
        }
    }

    #[test]
    fn every_threshold_gives_its_code() {
        let thresholds = Thresholds::default();
        assert!(evaluate(&report(), &thresholds).is_empty());

        let mut busy = report();
        let connections = busy.connections.as_mut().unwrap();
        connections.total = 96;
        connections.percent = Some(96.0);
        let cache = busy.cache.as_mut().unwrap();
        cache.table_hit_percent = Some(97.5);
        cache.index_hit_percent = Some(98.0);
        busy.replication[0].lag_seconds = Some(7.0);
        busy.tables[0].dead_rows = Some(4_000);
        busy.tables[0].dead_percent = Some(40.0);
        let found = evaluate(&busy, &thresholds);
        let codes: Vec<(&str, Severity)> = found
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect();
        assert_eq!(
            codes,
            [
                ("D6304", Severity::Error),
                ("D6305", Severity::Warning),
                ("D6306", Severity::Warning),
                ("D6307", Severity::Warning),
                ("D6308", Severity::Warning),
            ]
        );
        assert_eq!(found[4].objects[0].name, "public.order");
        assert_eq!(found[3].objects[0].name, "replica1");

        // Too few block reads to judge, too few dead rows to judge.
        busy.cache.as_mut().unwrap().table_blocks = 10;
        busy.tables[0].dead_rows = Some(999);
        let codes: Vec<String> = evaluate(&busy, &thresholds)
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, ["D6304", "D6306", "D6307"]);
    }

    #[test]
    fn a_stale_vacuum_is_timed_from_the_last_vacuum_or_the_start_of_the_statistics() {
        let thresholds = Thresholds::default();
        let mut stale = report();
        stale.tables[0].dead_rows = Some(1_500);
        stale.tables[0].dead_percent = Some(15.0);
        // Never vacuumed, and no telling since when the statistics count: nothing to judge.
        assert!(evaluate(&stale, &thresholds).is_empty());
        stale.statistics_since = Some(stale.taken_at - chrono::Duration::hours(30));
        let found = evaluate(&stale, &thresholds);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].code.as_str(), found[0].severity),
            ("D6309", Severity::Warning)
        );
        assert!(
            found[0]
                .detail
                .as_deref()
                .unwrap()
                .starts_with("never vacuumed")
        );
        stale.tables[0].last_vacuum = Some(stale.taken_at - chrono::Duration::days(3));
        let found = evaluate(&stale, &thresholds);
        assert_eq!(
            (found[0].code.as_str(), found[0].severity),
            ("D6309", Severity::Error)
        );
        stale.tables[0].dead_rows = Some(999);
        assert!(evaluate(&stale, &thresholds).is_empty());
    }

    #[test]
    fn limits_pick_the_highest_severity_reached() {
        let limit = Limit::new(60.0, 300.0);
        assert_eq!(limit.above(59.0), None);
        assert_eq!(limit.above(60.0), Some(Severity::Warning));
        assert_eq!(limit.above(301.0), Some(Severity::Error));
        let floor = Limit {
            warning: Some(99.0),
            error: None,
        };
        assert_eq!(floor.below(98.5), Some(Severity::Warning));
        assert_eq!(floor.below(99.5), None);
    }
}
