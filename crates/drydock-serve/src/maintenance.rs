//! The maintenance page (`/dashboard/maintenance`): each task as a card with its options, a
//! dry run first where it has one, a typed confirmation for what deletes, a live log, and the
//! runs of these tasks; and the page of one run (`/dashboard/runs/{id}`), live while it runs.
//! Without script the forms still post, and the run's page follows.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::SecondsFormat;
use drydock_connector::{Run, RunFilter, redact_text};
use drydock_engine::ServeRole;
use minijinja::context;
use serde_json::Value;

use crate::Shared;
use crate::api::ApiError;
use crate::auth::Identity;
use crate::facts;
use crate::tasks::{self, Kind, TASKS};

/// Runs of the run log read for the page's history, of which those of the tasks are shown.
const HISTORY_READ: usize = 200;
/// Runs the history shows.
const HISTORY_SHOWN: usize = 25;

/// `/dashboard/maintenance?task=NAME&OPTION=VALUE...`: the tasks, the one named first with its
/// options filled in.
pub(crate) async fn maintenance(
    State(app): State<Arc<Shared>>,
    identity: Option<axum::Extension<Identity>>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let Some(axum::Extension(identity)) = identity else {
        return Redirect::to("/login").into_response();
    };
    let task = query.get("task").cloned();
    let given: BTreeMap<String, Value> = query
        .into_iter()
        .filter(|(name, _)| name != "task")
        .map(|(name, value)| (name, Value::String(value)))
        .collect();
    page(&app, &identity, task.as_deref(), &given, None).await
}

/// An option's value as a form field shows it.
fn field_value(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| field_value(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "succeeded" => "ok",
        "warned" | "running" => "warn",
        _ => "bad",
    }
}

/// `850 ms`, `4.2 s`, `3 min 5 s`.
fn human_duration(run: &Run) -> String {
    let Some(took) = drydock_tasks::duration(run) else {
        return String::new();
    };
    let ms = took.num_milliseconds().max(0);
    match ms {
        0..1000 => format!("{ms} ms"),
        1000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

fn run_context(run: &Run) -> minijinja::Value {
    let status = drydock_tasks::status_word(run);
    context! {
        id => run.start.id,
        task => run.start.task,
        status => status,
        class => status_class(status),
        started => run.start.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        actor => run.start.actor,
        host => run.start.host,
        examined => run.progress.examined,
        affected => run.progress.affected,
        duration => human_duration(run),
        summary => run.progress.summary,
        parameters => run.start.parameters,
    }
}

/// The maintenance page: `task` first with the options `given` filled in, and the error a form
/// that was sent without script met.
pub(crate) async fn page(
    app: &Arc<Shared>,
    identity: &Identity,
    task: Option<&str>,
    given: &BTreeMap<String, Value>,
    error: Option<ApiError>,
) -> Response {
    let read = facts::blocking(app, |app| {
        app.runs(&RunFilter {
            task: None,
            since: None,
            limit: Some(HISTORY_READ),
        })
    })
    .await;
    let (runs, runs_error) = match read {
        Ok(Ok(runs)) => (runs, None),
        Ok(Err(error)) => (
            Vec::new(),
            Some(format!(
                "[{}] {}",
                error.code(),
                redact_text(&error.to_string())
            )),
        ),
        Err(error) => return error.into_response(),
    };
    let history: Vec<minijinja::Value> = runs
        .iter()
        .filter(|run| TASKS.iter().any(|spec| spec.recorded == run.start.task))
        .take(HISTORY_SHOWN)
        .map(run_context)
        .collect();
    let selected = task.and_then(tasks::spec);
    let ordered = selected.into_iter().chain(
        TASKS
            .iter()
            .filter(|spec| Some(spec.name) != selected.map(|s| s.name)),
    );
    let cards: Vec<minijinja::Value> = ordered
        .map(|spec| {
            let chosen = selected.is_some_and(|s| s.name == spec.name);
            let options: Vec<minijinja::Value> = spec
                .options
                .iter()
                .map(|option| {
                    let choices: Vec<&str> = match option.kind {
                        Kind::Choice(choices) => choices.to_vec(),
                        _ => Vec::new(),
                    };
                    context! {
                        name => option.name,
                        label => option.label,
                        kind => option.kind.word(),
                        help => option.help,
                        choices,
                        value => if chosen { field_value(given.get(option.name)) } else { String::new() },
                    }
                })
                .collect();
            context! {
                name => spec.name,
                title => spec.title,
                about => spec.about,
                confirmed => spec.confirmed,
                selected => chosen,
                options,
            }
        })
        .collect();
    let status = error.as_ref().map(ApiError::status);
    let error = error.map(|error| {
        context! { code => error.code(), message => error.message() }
    });
    let mut response = app.pages.render(
        "maintenance.html",
        context! {
            title => "Maintenance",
            page => "maintenance",
            user => identity.actor,
            role => identity.role.as_str(),
            csrf => identity.csrf,
            operator => identity.role >= ServeRole::Operator,
            tasks => cards,
            history,
            runs_error,
            error,
        },
    );
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    response
}

/// `/dashboard/runs/{id}`: one run with its full log, followed live while it runs; a dry run
/// that may be applied offers its apply, with the phrase to type.
pub(crate) async fn run_page(
    State(app): State<Arc<Shared>>,
    identity: Option<axum::Extension<Identity>>,
    Path(id): Path<String>,
) -> Response {
    let Some(axum::Extension(identity)) = identity else {
        return Redirect::to("/login").into_response();
    };
    let base = |title: &str| {
        context! {
            title => title,
            page => "maintenance",
            user => identity.actor,
            role => identity.role.as_str(),
            csrf => identity.csrf,
        }
    };
    let run = match tasks::read_run(&app, &id).await {
        Ok(Some(run)) => run,
        Ok(None) => {
            let mut response = app
                .pages
                .render("run.html", context! { missing => id, ..base("Run") });
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        }
        Err(error) => {
            let status = error.status();
            let mut response = app.pages.render(
                "run.html",
                context! {
                    error => context! { code => error.code(), message => error.message() },
                    ..base("Run")
                },
            );
            *response.status_mut() = status;
            return response;
        }
    };
    let lines: Vec<tasks::Line> = match app.tasks.live(&run.start.id) {
        Some(live) => live.lines(),
        None => run.progress.log.lines().map(tasks::stored_line).collect(),
    };
    let parameters: Value = serde_json::from_str(&run.start.parameters).unwrap_or_default();
    let confirm = app
        .tasks
        .pending_apply(&run.start.id)
        .and_then(|(phrase, options)| {
            let task = parameters["task"].as_str()?.to_owned();
            let options: Vec<minijinja::Value> = options
                .iter()
                .map(|(name, value)| context! { name, value => field_value(Some(value)) })
                .collect();
            Some(context! { phrase, task, options })
        });
    let following = drydock_tasks::status_word(&run) == "running";
    app.pages.render(
        "run.html",
        context! {
            run => run_context(&run),
            lines,
            following,
            after => lines.len(),
            confirm,
            operator => identity.role >= ServeRole::Operator,
            ..base(&format!("Run {}", run.start.task))
        },
    )
}
