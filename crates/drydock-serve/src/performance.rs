//! The performance page and `/api/performance`: the facts `drydock stats` reads (top queries,
//! sessions by state, lock waits with the chain of sessions behind them, table sizes) and the
//! sizes over the snapshots `drydock stats --snapshot` stored, as tables and SVG charts. A look
//! only: nothing is stored and no alert is sent. What the database does not report is said so.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use drydock_connector::redact_text;
use drydock_engine::EngineError;
use drydock_maintenance::{
    SizeHistory, StatsReport, TopQueries, format_seconds, human_bytes, one_line, signed_bytes,
};
use minijinja::{Value, context};
use serde_json::json;

use crate::Shared;
use crate::api::ApiError;
use crate::auth::{Identity, Viewer};
use crate::facts;
use crate::svg::{self, Bar};

/// Snapshots the size trends cover, newest.
const HISTORY_SNAPSHOTS: usize = 30;

/// Tables the page and the API list, largest first.
const TABLES_SHOWN: usize = 25;

/// The `version` of the API's JSON.
const JSON_VERSION: u32 = 1;

impl Shared {
    fn performance(&self) -> Result<(StatsReport, SizeHistory), EngineError> {
        drydock_engine::stats_with_history(&self.project, self.url.as_deref(), HISTORY_SNAPSHOTS)
    }
}

/// What the database does not report, in words, for the page and the API.
fn not_reported(report: &StatsReport) -> serde_json::Value {
    let sessions = report.connections.is_none().then_some(
        "this database has no server sessions to count, so it reports no connections and no \
         lock waits",
    );
    let queries = match &report.queries {
        TopQueries::Unavailable { reason, enable } => Some(if enable.is_empty() {
            reason.clone()
        } else {
            format!("{reason}; to turn them on: {enable}")
        }),
        TopQueries::Available { .. } => None,
    };
    json!({ "connections": sessions, "locks": sessions, "queries": queries })
}

/// The facts as JSON: the report's own shapes (docs/json-output.md), the largest tables, and
/// the sizes over the stored snapshots.
pub(crate) async fn api(State(app): State<Arc<Shared>>, _: Viewer) -> Result<Response, ApiError> {
    let (report, history) = facts::blocking(&app, |app| app.performance())
        .await?
        .map_err(|e| ApiError::engine(&e))?;
    let tables: Vec<_> = report.tables.iter().take(TABLES_SHOWN).collect();
    Ok(Json(json!({
        "version": JSON_VERSION,
        "database": report.database,
        "server": report.server,
        "taken_at": report.taken_at,
        "size_bytes": report.size_bytes,
        "not_reported": not_reported(&report),
        "queries": report.queries,
        "connections": report.connections,
        "lock_waits": report.lock_waits,
        "tables": tables,
        "growth": report.growth,
        "history": history,
    }))
    .into_response())
}

/// The performance page. Sends those not signed in to the sign-in form.
pub(crate) async fn page(
    State(app): State<Arc<Shared>>,
    identity: Option<axum::Extension<Identity>>,
) -> Response {
    let Some(axum::Extension(identity)) = identity else {
        return Redirect::to("/login").into_response();
    };
    let read = match facts::blocking(&app, |app| app.performance()).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    let mut values = context! {
        title => "Performance",
        page => "performance",
        user => identity.actor,
        role => identity.role.as_str(),
        csrf => identity.csrf,
        provider => app.project.dialect.provider(),
    };
    match read {
        Ok((report, history)) => values = context! { ..values, ..shown(&report, &history) },
        Err(error) => {
            let error = format!("[{}] {}", error.code(), redact_text(&error.to_string()));
            values = context! { error, ..values };
        }
    }
    app.pages.render("performance.html", values)
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), format_seconds)
}

/// The page's values: rows already worded, charts drawn.
fn shown(report: &StatsReport, history: &SizeHistory) -> Value {
    let missing = not_reported(report);
    let (queries, queries_chart) = match &report.queries {
        TopQueries::Available { by_total_time, .. } => {
            let rows: Vec<Value> = by_total_time
                .iter()
                .map(|q| {
                    context! {
                        query => one_line(&q.query, 160),
                        total_ms => format!("{:.1}", q.total_ms),
                        mean_ms => format!("{:.2}", q.mean_ms),
                        calls => q.calls,
                        rows => q.rows,
                        share => format!("{:.1}%", q.percent_of_total),
                    }
                })
                .collect();
            let bars: Vec<Bar> = by_total_time
                .iter()
                .take(10)
                .map(|q| Bar {
                    label: one_line(&q.query, 60),
                    value: q.total_ms,
                })
                .collect();
            let chart = (!bars.is_empty()).then(|| {
                Value::from_safe_string(svg::bar_chart(
                    "Top queries by total time, in milliseconds",
                    &bars,
                    "ms",
                ))
            });
            (rows, chart)
        }
        TopQueries::Unavailable { .. } => (Vec::new(), None),
    };
    let connections = report.connections.as_ref().map(|c| {
        context! {
            total => c.total,
            max => c.max,
            percent => c.percent.map(|p| format!("{p:.0}%")),
            by_state => c.by_state.iter().map(|s| context! { state => s.state, count => s.count }).collect::<Vec<_>>(),
        }
    });
    let locks: Vec<Value> = report
        .lock_waits
        .iter()
        .map(|wait| {
            let chain: Vec<Value> = wait
                .chain
                .iter()
                .map(|link| {
                    context! {
                        pid => link.pid,
                        waits_for => link.waits_for,
                        state => link.state.clone().unwrap_or_else(|| "?".to_owned()),
                        transaction => seconds(link.transaction_seconds),
                        query => one_line(link.query.as_deref().unwrap_or(""), 200),
                    }
                })
                .collect();
            context! {
                pid => wait.pid,
                waiting => format_seconds(wait.waiting_seconds),
                wait => wait.wait,
                query => one_line(wait.query.as_deref().unwrap_or(""), 200),
                blocked_by => wait.blocked_by.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
                chain,
            }
        })
        .collect();
    let tables: Vec<Value> = report
        .tables
        .iter()
        .take(TABLES_SHOWN)
        .map(|t| {
            let name = t.qualified_name();
            let trend = history
                .tables
                .iter()
                .find(|h| h.name == name)
                .and_then(|h| {
                    let values: Vec<f64> = h.bytes.iter().flatten().map(|b| *b as f64).collect();
                    (values.len() > 1).then(|| {
                        let (first, last) = (values[0], values[values.len() - 1]);
                        Value::from_safe_string(svg::sparkline(
                            &format!(
                                "{name}: {} to {} over {} snapshots",
                                human_bytes(first as u64),
                                human_bytes(last as u64),
                                values.len()
                            ),
                            &values,
                        ))
                    })
                });
            context! {
                name,
                total => human_bytes(t.total_bytes),
                data => human_bytes(t.table_bytes),
                indexes => human_bytes(t.index_bytes),
                rows => t.rows,
                growth => t.growth.map(|g| signed_bytes(g.bytes)),
                trend,
            }
        })
        .collect();
    let size_points: Vec<_> = history
        .taken_at
        .iter()
        .zip(&history.database_bytes)
        .filter_map(|(at, bytes)| bytes.map(|b| (*at, b as f64)))
        .collect();
    let size_chart = (!size_points.is_empty()).then(|| {
        Value::from_safe_string(svg::line_chart(
            "Database size over the stored snapshots",
            &size_points,
            &|v| human_bytes(v.max(0.0) as u64),
        ))
    });
    context! {
        database => report.database,
        server => report.server,
        taken_at => when(report.taken_at),
        size => report.size_bytes.map(human_bytes),
        growth => report.growth.as_ref().map(|g| context! {
            since => when(g.since),
            bytes => g.database_bytes.map(signed_bytes),
        }),
        missing => Value::from_serialize(&missing),
        queries,
        queries_chart,
        connections,
        locks,
        tables,
        snapshots => history.taken_at.len(),
        first_snapshot => history.taken_at.first().map(|t| when(*t)),
        last_snapshot => history.taken_at.last().map(|t| when(*t)),
        size_chart,
    }
}
