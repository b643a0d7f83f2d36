//! The JSON API (`/api/...`, described by `openapi.json`): the migrations' status, the run
//! log, and the tasks an operator may run. Errors are `{"error": {"code", "message"}}` with a
//! stable code (docs/errors.md).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use drydock_connector::{ConnectorError, RunFilter, RunStatus, redact_text};
use drydock_engine::EngineError;
use drydock_tasks::{Event, Level, Recorder, run_json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Shared;
use crate::auth::{Identity, Operator, Viewer};
use crate::facts;

/// The `version` of every JSON document; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

/// Runs `/api/runs` lists when not told.
const DEFAULT_RUNS: usize = 50;

const OPENAPI: &str = include_str!("openapi.json");

/// An error the API answers with: an HTTP status, a stable code and a message that holds no
/// secret.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: String) -> ApiError {
        ApiError {
            status,
            code,
            message,
        }
    }

    pub(crate) fn unauthenticated(message: &str) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "D7101",
            message: format!("authentication required: {message}"),
        }
    }

    pub(crate) fn forbidden(identity: &Identity) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "D7102",
            message: format!(
                "`{}` has the role {}: only operators run tasks",
                identity.actor,
                identity.role.as_str()
            ),
        }
    }

    pub(crate) fn csrf() -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "D7103",
            message: "the request has no valid CSRF token: send the session's token in the \
                      `X-CSRF-Token` header or the form's `csrf` field"
                .to_owned(),
        }
    }

    pub(crate) fn too_many_failures() -> ApiError {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "D7104",
            message: format!(
                "too many failed sign-ins from this address: try again in {} s",
                crate::auth::FAILURE_WINDOW.as_secs()
            ),
        }
    }

    pub(crate) fn not_found(what: String) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "D7105",
            message: what,
        }
    }

    pub(crate) fn internal() -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "D1001",
            message: "the server could not answer: the work it started ended unexpectedly"
                .to_owned(),
        }
    }

    /// An error of the engine: 503 when the database could not be reached, else 500.
    pub(crate) fn engine(error: &EngineError) -> ApiError {
        let unreachable = matches!(error, EngineError::Connector(e) if e.code().starts_with("P1"));
        ApiError {
            status: if unreachable {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            },
            code: error.code(),
            message: redact_text(&error.to_string()),
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// Every route the server has, described (`crates/drydock-serve/src/openapi.json`).
pub(crate) async fn openapi(_: Viewer) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("no such page or endpoint: /api/openapi.json lists them".to_owned())
}

/// The migrations folder against the database, as `drydock migrate status --json` says it.
pub(crate) async fn status(
    State(app): State<Arc<Shared>>,
    _: Viewer,
) -> Result<Response, ApiError> {
    let report = facts::blocking(&app, |app| app.status())
        .await?
        .map_err(|e| ApiError::engine(&e))?;
    Ok(Json(report).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct RunsQuery {
    task: Option<String>,
    limit: Option<usize>,
}

/// The run log, newest first, as `drydock runs --json` says it.
pub(crate) async fn runs(
    State(app): State<Arc<Shared>>,
    _: Viewer,
    Query(query): Query<RunsQuery>,
) -> Result<Response, ApiError> {
    let filter = RunFilter {
        task: query.task,
        since: None,
        limit: Some(query.limit.unwrap_or(DEFAULT_RUNS)),
    };
    let runs = facts::blocking(&app, move |app| app.runs(&filter))
        .await?
        .map_err(|e| ApiError::engine(&e))?;
    let runs: Vec<_> = runs.iter().map(run_json).collect();
    Ok(Json(json!({ "version": JSON_VERSION, "runs": runs })).into_response())
}

/// One run with its log, as `drydock runs show ID --json` says it.
pub(crate) async fn run(
    State(app): State<Arc<Shared>>,
    _: Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let wanted = id.clone();
    let run = facts::blocking(&app, move |app| {
        let mut log = drydock_engine::open_run_log(&app.project, app.url.as_deref())?;
        Ok::<_, EngineError>(log.get(&wanted)?)
    })
    .await?
    .map_err(|e| ApiError::engine(&e))?;
    match run {
        Some(run) => {
            Ok(Json(json!({ "version": JSON_VERSION, "run": run_json(&run) })).into_response())
        }
        None => Err(ApiError::not_found(format!(
            "no run has the id `{id}`, or several start with it: /api/runs lists them"
        ))),
    }
}

impl Shared {
    pub(crate) fn runs(
        &self,
        filter: &RunFilter,
    ) -> Result<Vec<drydock_connector::Run>, EngineError> {
        let mut log = drydock_engine::open_run_log(&self.project, self.url.as_deref())?;
        Ok(log.list(filter)?)
    }
}

/// The run log of the served project, opened again whenever a write needs a new session.
pub(crate) fn run_log_opener(app: &Arc<Shared>) -> drydock_tasks::OpenRunLog {
    let app = app.clone();
    Box::new(move || {
        drydock_engine::open_run_log(&app.project, app.url.as_deref())
            .map_err(|e| ConnectorError::query(e.to_string()))
    })
}

/// Record an action that is over as soon as it starts (a sign-in, a sign-out) as a run of
/// `task` by `actor`, off the request's thread: the answer does not wait for the run log.
pub(crate) fn record_action(
    app: &Arc<Shared>,
    task: &'static str,
    actor: String,
    status: RunStatus,
    summary: String,
) {
    let open = run_log_opener(app);
    let events = app.events;
    tokio::task::spawn_blocking(move || {
        // The run log's own warnings (it could not be written) go to the server's log.
        let forward = |event: Event| {
            if let Event::Log {
                level: Level::Warning | Level::Error,
                line,
            } = &event
            {
                events.warning(line);
            }
        };
        let recorder = Recorder::start_by(
            open,
            task,
            &json!({ "via": "drydock serve" }),
            &actor,
            &forward,
        );
        recorder.finish(status, &summary);
    });
}

/// Run `drydock check` for an operator, recorded in the run log as theirs, and answer once it
/// has ended with its findings (the task `check` of `POST /api/tasks/{task}`, waited for).
pub(crate) async fn check(
    State(app): State<Arc<Shared>>,
    Operator(identity): Operator,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let launched = crate::tasks::launch(&app, &identity, crate::tasks::Asked::check()).await;
    // A page's form (without script) goes to the run's page at once, as for other tasks.
    if crate::tasks::wants_page(&headers) {
        return Ok(match launched {
            Ok(started) => axum::response::Redirect::to(&format!("/dashboard/runs/{}", started.id))
                .into_response(),
            Err(error) => {
                let given = std::collections::BTreeMap::new();
                crate::maintenance::page(&app, &identity, Some("check"), &given, Some(error)).await
            }
        });
    }
    let started = launched?;
    let (end, result) = started.ended().await;
    let mut body = json!({
        "version": JSON_VERSION,
        "run": started.id,
        "status": end.status,
        "summary": end.summary,
        "events": format!("/api/runs/{}/events", started.id),
    });
    if let (Some(body), Value::Object(result)) = (body.as_object_mut(), result)
        && !result.contains_key("error")
    {
        body.extend(result);
    }
    Ok(Json(body).into_response())
}
