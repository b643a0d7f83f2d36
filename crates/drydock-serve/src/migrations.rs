//! The migrations page (`/dashboard/migrations`) and its API: the history of the database
//! (applied migrations with their times, failed ones with their logs), the pending migrations
//! with their SQL, `down.sql` and the review `migrate deploy` runs before applying, and the
//! deployment approval: an operator approves the exact pending set shown (names and
//! checksums), which `drydock migrate deploy --require-approval` then applies
//! (drydock-engine's `tasks::deploy::approval`).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{HistoryRow, redact_text};
use drydock_engine::EngineError;
use drydock_engine::migrate::StatusReport;
use drydock_engine::tasks::deploy::DeployTaskOptions;
use drydock_engine::tasks::deploy::approval::{
    self, Approval, Difference, PendingMigration, PendingReviews,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::ApiError;
use crate::auth::{Identity, Operator, Viewer};
use crate::facts;

/// The `version` of the JSON documents; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

/// Where approvals come from, in the run's parameters.
const VIA: &str = "drydock serve";

/// Everything the page and `/api/migrations` show.
struct Migrations {
    status: StatusReport,
    history: Vec<HistoryRow>,
    pending: PendingReviews,
    approval: Result<Option<Approval>, EngineError>,
}

impl Migrations {
    /// The pending set as an approval names it.
    fn pending_set(&self) -> Vec<PendingMigration> {
        self.pending
            .migrations
            .iter()
            .map(|migration| PendingMigration {
                name: migration.name.clone(),
                checksum: migration.checksum.clone(),
            })
            .collect()
    }
}

impl Shared {
    /// The history, the pending migrations reviewed as a deploy reviews them, and the newest
    /// approval (its own error apart: the run log may live elsewhere).
    fn migrations(&self) -> Result<Migrations, EngineError> {
        let (_, mut connection) = self.connect()?;
        let status =
            drydock_engine::migrate::status(connection.as_mut(), &self.project.migrations_dir)?;
        let history = approval::history_rows(connection.as_mut())?;
        let pending = approval::review_pending_set(
            &self.project,
            connection.as_mut(),
            &status.pending,
            DeployTaskOptions::default().max_rows,
        )?;
        drop(connection);
        let approval = approval::latest_approval(&self.project, self.url.as_deref());
        Ok(Migrations {
            status,
            history,
            pending,
            approval,
        })
    }
}

fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn shown(error: &EngineError) -> String {
    format!("[{}] {}", error.code(), redact_text(&error.to_string()))
}

/// A history row as JSON: its state, times and duration; a failed one's logs.
fn history_json(row: &HistoryRow) -> Value {
    let state = if row.is_rolled_back() {
        "rolled back"
    } else if row.is_failed() {
        "failed"
    } else {
        "applied"
    };
    let duration_ms = row
        .finished_at
        .map(|finished| (finished - row.started_at).num_milliseconds().max(0));
    json!({
        "name": row.migration_name,
        "state": state,
        "checksum": row.checksum,
        "started_at": time(&row.started_at),
        "finished_at": row.finished_at.as_ref().map(time),
        "rolled_back_at": row.rolled_back_at.as_ref().map(time),
        "duration_ms": duration_ms,
        "applied_steps_count": row.applied_steps_count,
        "logs": row.logs.as_deref().map(redact_text),
    })
}

/// The newest approval, whether it is the pending set, and how not.
fn approval_json(migrations: &Migrations) -> (Value, Option<String>) {
    match &migrations.approval {
        Ok(Some(approval)) => {
            let differences =
                approval::differences(&migrations.pending_set(), &approval.migrations);
            let described: Vec<String> = differences.iter().map(Difference::to_string).collect();
            (
                json!({
                    "run": approval.run,
                    "actor": approval.actor,
                    "approved_at": time(&approval.approved_at),
                    "migrations": approval.migrations,
                    "matches": differences.is_empty(),
                    "differences": differences,
                    "described": described,
                }),
                None,
            )
        }
        Ok(None) => (Value::Null, None),
        Err(error) => (Value::Null, Some(shown(error))),
    }
}

fn migrations_json(migrations: &Migrations) -> Value {
    let (approval, approval_error) = approval_json(migrations);
    let pending: Vec<Value> = migrations
        .pending
        .migrations
        .iter()
        .map(|migration| {
            json!({
                "name": migration.name,
                "checksum": migration.checksum,
                "sql": migration.sql,
                "down_sql": migration.down_sql,
                "findings": migration.findings,
            })
        })
        .collect();
    json!({
        "version": JSON_VERSION,
        "history": migrations.history.iter().map(history_json).collect::<Vec<_>>(),
        "pending": pending,
        "review": {
            "notices": migrations.pending.notices,
            "error": migrations.pending.error,
        },
        "edited_after_applied": migrations.status.edited_after_applied,
        "missing_locally": migrations.status.missing_locally,
        "approval": approval,
        "approval_error": approval_error,
        "approve_with": migrations.pending_set(),
    })
}

/// `GET /api/migrations`: the history, the pending migrations with their SQL, `down.sql` and
/// review, and the newest approval.
pub(crate) async fn api(State(app): State<Arc<Shared>>, _: Viewer) -> Result<Response, ApiError> {
    let migrations = facts::blocking(&app, |app| app.migrations())
        .await?
        .map_err(|e| ApiError::engine(&e))?;
    Ok(Json(migrations_json(&migrations)).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    /// The outcome of a form's approval: `approved`, or the code it was refused with.
    outcome: Option<String>,
}

/// `GET /dashboard/migrations`: the page. Sends those not signed in to the sign-in form.
pub(crate) async fn page(
    State(app): State<Arc<Shared>>,
    identity: Option<axum::Extension<Identity>>,
    Query(query): Query<PageQuery>,
) -> Response {
    let Some(axum::Extension(identity)) = identity else {
        return Redirect::to("/login").into_response();
    };
    let read = match facts::blocking(&app, |app| app.migrations()).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    let notice = match query.outcome.as_deref() {
        Some("approved") => Some((
            "ok",
            "Approved: `drydock migrate deploy --require-approval` applies this set.",
        )),
        Some(CODE_STALE) => Some((
            "bad",
            "Nothing was approved: the pending migrations changed since the page was shown. Review them again.",
        )),
        Some(CODE_NOTHING) => Some(("bad", "Nothing was approved: no migration is pending.")),
        _ => None,
    };
    let mut values = json!({
        "title": "Migrations",
        "page": "migrations",
        "user": identity.actor,
        "role": identity.role.as_str(),
        "operator": identity.role >= drydock_engine::ServeRole::Operator,
        "csrf": identity.csrf,
        "provider": app.project.dialect.provider(),
        "notice": notice.map(|(class, text)| json!({ "class": class, "text": text })),
    });
    match &read {
        Ok(migrations) => {
            if let (Some(values), Value::Object(document)) =
                (values.as_object_mut(), migrations_json(migrations))
            {
                values.extend(document);
            }
        }
        Err(error) => values["error"] = Value::String(shown(error)),
    }
    let values = minijinja::Value::from_serialize(&values);
    app.pages.render("migrations.html", values)
}

/// `D7130`: the set sent is not the pending set.
const CODE_STALE: &str = "D7130";
/// `D7131`: the body holds no set that can be read.
const CODE_UNREADABLE: &str = "D7131";
/// `D7132`: nothing is pending.
const CODE_NOTHING: &str = "D7132";

/// The set an approval names, as JSON sends it.
#[derive(Debug, Deserialize)]
struct ApproveBody {
    migrations: Vec<PendingMigration>,
}

/// The set of a request: JSON `{"migrations": [{"name", "checksum"}]}`, or a form's `name`
/// and `checksum` fields in pairs (the page's hidden fields).
fn requested_set(headers: &HeaderMap, body: &[u8]) -> Result<Vec<PendingMigration>, ApiError> {
    let unreadable = |why: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            CODE_UNREADABLE,
            format!(
                "the request names no set of migrations that can be read ({why}): send JSON \
                 {{\"migrations\": [{{\"name\": ..., \"checksum\": ...}}]}}, or a form with \
                 `name` and `checksum` fields in pairs"
            ),
        )
    };
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        let body: ApproveBody =
            serde_json::from_slice(body).map_err(|e| unreadable(&e.to_string()))?;
        return Ok(body.migrations);
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(unreadable("neither JSON nor a form"));
    }
    let mut names = Vec::new();
    let mut checksums = Vec::new();
    for (field, value) in form_urlencoded::parse(body) {
        match field.as_ref() {
            "name" => names.push(value.into_owned()),
            "checksum" => checksums.push(value.into_owned()),
            _ => {}
        }
    }
    if names.len() != checksums.len() {
        return Err(unreadable("as many `name` as `checksum` fields are needed"));
    }
    Ok(names
        .into_iter()
        .zip(checksums)
        .map(|(name, checksum)| PendingMigration { name, checksum })
        .collect())
}

/// How an approval ended, before it is answered.
enum Approved {
    Recorded(Approval),
    Refused(ApiError),
}

/// Approve `requested` for `actor` if it is the pending set now.
fn approve_set(
    app: &Shared,
    actor: &str,
    requested: &[PendingMigration],
) -> Result<Approved, EngineError> {
    let (_, mut connection) = app.connect()?;
    let pending = approval::pending_set(&app.project, connection.as_mut())?;
    drop(connection);
    if pending.is_empty() {
        return Ok(Approved::Refused(ApiError::new(
            StatusCode::CONFLICT,
            CODE_NOTHING,
            "no migration is pending: there is nothing to approve".to_owned(),
        )));
    }
    let differences = approval::differences(&pending, requested);
    if !differences.is_empty() {
        let listed: Vec<String> = differences.iter().map(|d| format!("{d}")).collect();
        return Ok(Approved::Refused(ApiError::new(
            StatusCode::CONFLICT,
            CODE_STALE,
            format!(
                "the pending migrations are not the set sent, so nothing was approved (a file \
                 changed or a deploy ran since it was read): {}. Read them again \
                 (GET /api/migrations) and approve what is pending now",
                listed.join("; ")
            ),
        )));
    }
    let recorded =
        approval::record_approval(&app.project, app.url.as_deref(), actor, &pending, VIA)?;
    Ok(Approved::Recorded(recorded))
}

/// `POST /api/migrations/approve` (operators): approve the pending set the caller saw. The
/// server reads the pending set again and refuses (409, `D7130`) when it differs; otherwise
/// records the approval in the run log as the caller's. A browser's form is sent back to the
/// page, which says how it went.
pub(crate) async fn approve(
    State(app): State<Arc<Shared>>,
    Operator(identity): Operator,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let browser = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let requested = match requested_set(&headers, &body) {
        Ok(requested) => requested,
        Err(error) => return error.into_response(),
    };
    let actor = identity.actor.clone();
    let outcome = facts::blocking(&app, move |app| approve_set(app, &actor, &requested)).await;
    let outcome = match outcome {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(error)) => return ApiError::engine(&error).into_response(),
        Err(error) => return error.into_response(),
    };
    let back_to_page = |outcome: &str| {
        (
            StatusCode::SEE_OTHER,
            [(
                LOCATION,
                format!("{}?outcome={outcome}", approval::APPROVAL_PAGE),
            )],
        )
            .into_response()
    };
    match outcome {
        Approved::Recorded(_) if browser => back_to_page("approved"),
        Approved::Refused(error) if browser => back_to_page(error.code()),
        Approved::Recorded(approval) => Json(json!({
            "version": JSON_VERSION,
            "approval": {
                "run": approval.run,
                "actor": approval.actor,
                "approved_at": time(&approval.approved_at),
                "migrations": approval.migrations,
            },
        }))
        .into_response(),
        Approved::Refused(error) => error.into_response(),
    }
}
