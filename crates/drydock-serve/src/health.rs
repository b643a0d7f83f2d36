//! Probes: `/healthz` (the process answers), `/readyz` (the database does), and
//! `/api/health/db`, the database's health in the shape of the IETF draft "Health Check
//! Response Format for HTTP APIs" (`application/health+json`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use drydock_engine::{BackupState, MAX_BACKUP_AGE};
use serde_json::{Value, json};

use crate::Shared;
use crate::auth::Viewer;
use crate::facts::{self, Facts, PoolState};

const HEALTH_JSON: &str = "application/health+json";

/// A check's verdict, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }

    /// 503 only for a failure: a warning still serves (the draft's rule).
    fn http(self) -> StatusCode {
        match self {
            Status::Fail => StatusCode::SERVICE_UNAVAILABLE,
            Status::Pass | Status::Warn => StatusCode::OK,
        }
    }
}

fn health_json(status: Status, body: Value) -> Response {
    (
        status.http(),
        [(header::CONTENT_TYPE, HEALTH_JSON)],
        body.to_string(),
    )
        .into_response()
}

/// The process is up; the database is not asked.
pub(crate) async fn healthz() -> Response {
    health_json(Status::Pass, json!({ "status": "pass" }))
}

/// The database answers a new session. Says only the error's code: the probe is public.
pub(crate) async fn readyz(State(app): State<Arc<Shared>>) -> Response {
    match facts::blocking(&app, |app| app.connect().map(|_| ())).await {
        Ok(Ok(())) => health_json(Status::Pass, json!({ "status": "pass" })),
        Ok(Err(error)) => health_json(
            Status::Fail,
            json!({ "status": "fail", "output": format!("the database is not reachable ({})", error.code()) }),
        ),
        Err(error) => error.into_response(),
    }
}

/// One entry of `checks`: `component:measurement`, its verdict, value and unit, and a line
/// saying why when it is not a pass.
struct Check {
    key: &'static str,
    status: Status,
    value: Value,
    unit: &'static str,
    output: Option<String>,
}

/// The checks the facts give, in a fixed order.
fn checks(facts: &Facts, pool: PoolState, lag_limit: &drydock_maintenance::Limit) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut push = |key, status, value: Value, unit, output: Option<String>| {
        checks.push(Check {
            key,
            status,
            value,
            unit,
            output,
        });
    };
    match &facts.connect {
        Ok(took) => push(
            "database:connect",
            Status::Pass,
            json!((took.as_secs_f64() * 1000.0 * 10.0).round() / 10.0),
            "ms",
            None,
        ),
        Err(error) => push(
            "database:connect",
            Status::Fail,
            Value::Null,
            "ms",
            Some(format!(
                "[{}] {}",
                error.code(),
                drydock_connector::redact_text(&error.to_string())
            )),
        ),
    }
    push(
        "database:pool",
        if pool.in_use < pool.size {
            Status::Pass
        } else {
            Status::Warn
        },
        json!(pool.in_use),
        "sessions",
        Some(format!(
            "{} of at most {} sessions in use",
            pool.in_use, pool.size
        )),
    );
    match &facts.status {
        Some(Ok(report)) => {
            let pending = report.pending.len();
            push(
                "migrations:pending",
                if pending == 0 {
                    Status::Pass
                } else {
                    Status::Warn
                },
                json!(pending),
                "migrations",
                (pending > 0).then(|| format!("not applied yet: {}", report.pending.join(", "))),
            );
            let failed = report.failed.len();
            let names: Vec<&str> = report.failed.iter().map(|f| f.name.as_str()).collect();
            push(
                "migrations:failed",
                if failed == 0 {
                    Status::Pass
                } else {
                    Status::Fail
                },
                json!(failed),
                "migrations",
                (failed > 0).then(|| format!("failed, blocking deploys: {}", names.join(", "))),
            );
        }
        Some(Err(error)) => push(
            "migrations:pending",
            Status::Fail,
            Value::Null,
            "migrations",
            Some(format!(
                "[{}] {}",
                error.code(),
                drydock_connector::redact_text(&error.to_string())
            )),
        ),
        None => {}
    }
    match &facts.backup {
        BackupState::NotConfigured => {}
        BackupState::Missing { .. } => push(
            "backup:age",
            Status::Warn,
            Value::Null,
            "s",
            Some("no backup of this database in the backup folder".to_owned()),
        ),
        BackupState::Latest(latest) => {
            let age = (facts.at - latest.taken_at).num_seconds().max(0);
            let fresh = u64::try_from(age).is_ok_and(|age| age <= MAX_BACKUP_AGE.as_secs());
            push(
                "backup:age",
                if fresh { Status::Pass } else { Status::Warn },
                json!(age),
                "s",
                (!fresh).then(|| {
                    format!(
                        "the latest backup is older than {} h",
                        MAX_BACKUP_AGE.as_secs() / 3600
                    )
                }),
            );
        }
    }
    if let Some(lag) = facts.replication_lag {
        let status = match lag_limit.above(lag) {
            None => Status::Pass,
            Some(drydock_maintenance::Severity::Error) => Status::Fail,
            Some(_) => Status::Warn,
        };
        push("replication:lag", status, json!(lag), "s", None);
    }
    checks
}

/// The database's health: connection, pool, migrations, backup age, replication lag.
pub(crate) async fn database(State(app): State<Arc<Shared>>, _: Viewer) -> Response {
    let facts = match facts::latest_facts(&app).await {
        Ok(facts) => facts,
        Err(error) => return error.into_response(),
    };
    let checks = checks(
        &facts,
        app.pool.state(),
        &app.settings.stats.thresholds.replication_lag,
    );
    let worst = checks
        .iter()
        .map(|check| check.status)
        .max()
        .unwrap_or(Status::Pass);
    let time = facts.at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut entries = serde_json::Map::new();
    for check in checks {
        let datastore = check.key.starts_with("database") || check.key.starts_with("replication");
        let mut entry = json!({
            "componentType": if datastore { "datastore" } else { "component" },
            "observedValue": check.value,
            "observedUnit": check.unit,
            "status": check.status.as_str(),
            "time": time,
        });
        if let (Some(output), Some(object)) = (check.output, entry.as_object_mut()) {
            object.insert("output".into(), output.into());
        }
        entries.insert(check.key.to_owned(), json!([entry]));
    }
    health_json(
        worst,
        json!({
            "status": worst.as_str(),
            "version": "1",
            "releaseId": env!("CARGO_PKG_VERSION"),
            "serviceId": "drydock",
            "description": format!("the {} database of this drydock project", app.project.dialect.provider()),
            "checks": entries,
        }),
    )
}
