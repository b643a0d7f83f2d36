//! `/metrics` in Prometheus's text format: the database's facts, read when scraped, and the
//! duration of every request the server answered. Names follow Prometheus's conventions (base
//! units, `_seconds`, `_timestamp_seconds`) and postgres_exporter's where both export a fact
//! (`drydock_up` as `pg_up`, `drydock_replication_lag_seconds` as `pg_replication_lag_seconds`).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use drydock_engine::BackupState;
use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, Opts, Registry, TextEncoder,
};

use crate::api::ApiError;
use crate::auth::Identity;
use crate::facts::{self, Facts};
use crate::{ServeError, Shared};

/// What the server measures of itself as it runs.
pub(crate) struct Metrics {
    registry: Registry,
    requests: HistogramVec,
    tasks: HistogramVec,
}

/// Buckets for task runs: a second to an hour.
const TASK_BUCKETS: [f64; 10] = [0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0];

impl Metrics {
    /// A task run by this server (from a page or the API: `source="serve"`; a `[[schedule]]`
    /// job: `source="schedule"`) ended with `status` after `seconds`.
    pub(crate) fn task_ended(&self, task: &str, source: &str, status: &str, seconds: f64) {
        self.tasks
            .with_label_values(&[task, source, status])
            .observe(seconds);
    }
}

impl Metrics {
    pub(crate) fn new() -> Result<Metrics, ServeError> {
        let failed = |e: prometheus::Error| ServeError::Setup(format!("the metrics: {e}"));
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "drydock_http_request_duration_seconds",
                "Time to answer an HTTP request, by method, route and status code.",
            ),
            &["method", "route", "status"],
        )
        .map_err(failed)?;
        registry
            .register(Box::new(requests.clone()))
            .map_err(failed)?;
        let tasks = HistogramVec::new(
            HistogramOpts::new(
                "drydock_task_duration_seconds",
                "Time a task run by this server took, by task, source (serve or schedule) and \
                 how it ended.",
            )
            .buckets(TASK_BUCKETS.to_vec()),
            &["task", "source", "status"],
        )
        .map_err(failed)?;
        registry.register(Box::new(tasks.clone())).map_err(failed)?;
        Ok(Metrics {
            registry,
            requests,
            tasks,
        })
    }
}

/// Time every routed request; its route's pattern labels it, so ids in paths do not.
pub(crate) async fn measure(
    State(app): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    app.metrics
        .requests
        .with_label_values(&[method.as_str(), route.as_str(), response.status().as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The facts as gauges, in a registry of their own: one that is not known (no backup
/// configured, no replication) is left out rather than reported as 0.
fn fact_gauges(facts: &Facts, pool_size: usize) -> Result<Registry, prometheus::Error> {
    let registry = Registry::new();
    let gauge = |name: &str, help: &str, value: f64| -> Result<(), prometheus::Error> {
        let gauge = Gauge::with_opts(Opts::new(name, help))?;
        gauge.set(value);
        registry.register(Box::new(gauge))
    };
    gauge(
        "drydock_up",
        "Whether the last session to the database could be opened (1) or not (0).",
        if facts.connect.is_ok() { 1.0 } else { 0.0 },
    )?;
    if let Ok(took) = &facts.connect {
        gauge(
            "drydock_database_connect_seconds",
            "Time to open a session to the database.",
            took.as_secs_f64(),
        )?;
    }
    gauge(
        "drydock_pool_sessions_max",
        "Database sessions the server opens at once at most ([serve] connections).",
        pool_size as f64,
    )?;
    if let Some(Ok(report)) = &facts.status {
        gauge(
            "drydock_migrations_applied",
            "Migrations of the migrations folder applied to the database.",
            report.applied.len() as f64,
        )?;
        gauge(
            "drydock_migrations_pending",
            "Migrations of the migrations folder not applied yet.",
            report.pending.len() as f64,
        )?;
        gauge(
            "drydock_migrations_failed",
            "Migrations that failed and block deploys until resolved.",
            report.failed.len() as f64,
        )?;
    }
    if let BackupState::Latest(latest) = &facts.backup {
        gauge(
            "drydock_backup_last_success_timestamp_seconds",
            "When the newest complete backup of the database was taken, in Unix seconds.",
            latest.taken_at.timestamp() as f64,
        )?;
    }
    if let Some(lag) = facts.replication_lag {
        gauge(
            "drydock_replication_lag_seconds",
            "How far the replica behind the database lags, in seconds (the largest).",
            lag,
        )?;
    }
    if let Some((started_at, findings)) = &facts.check_findings {
        gauge(
            "drydock_check_last_run_timestamp_seconds",
            "When the latest `drydock check` run started, in Unix seconds.",
            started_at.timestamp() as f64,
        )?;
        let counts = GaugeVec::new(
            Opts::new(
                "drydock_check_findings",
                "Findings of the latest `drydock check` run, by code and severity.",
            ),
            &["code", "severity"],
        )?;
        for finding in findings {
            counts
                .with_label_values(&[finding.code.as_str(), finding.severity.as_str()])
                .inc();
        }
        registry.register(Box::new(counts))?;
    }
    Ok(registry)
}

/// The metrics, for anyone when `[serve] metrics_public` (the default), else for those signed
/// in.
pub(crate) async fn metrics(State(app): State<Arc<Shared>>, request: Request) -> Response {
    if !app.settings.serve.metrics_public && request.extensions().get::<Identity>().is_none() {
        return ApiError::unauthenticated(
            "`[serve] metrics_public = false`: send `Authorization: Bearer TOKEN`",
        )
        .into_response();
    }
    let facts = match facts::latest_facts(&app).await {
        Ok(facts) => facts,
        Err(error) => return error.into_response(),
    };
    let families = fact_gauges(&facts, app.pool.state().size).map(|facts| {
        let mut families = facts.gather();
        families.extend(app.metrics.registry.gather());
        families
    });
    let encoder = TextEncoder::new();
    let mut text = Vec::new();
    match families.and_then(|families| encoder.encode(&families, &mut text)) {
        Ok(()) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, encoder.format_type().to_owned())],
            text,
        )
            .into_response(),
        Err(_) => ApiError::internal().into_response(),
    }
}
