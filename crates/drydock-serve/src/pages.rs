//! The pages people read: the overview (migrations, backups, the latest check's findings, open
//! alerts and the latest runs) and the sign-in form.
//! Rendered on the server from the templates in `templates/` (minijinja, every value escaped
//! as HTML), CSS inside the page: no script, no other host.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::SecondsFormat;
use drydock_connector::{RunFilter, RunStatus, redact_text};
use minijinja::{Environment, context};

use crate::api::{ApiError, record_action};
use crate::auth::{
    CSRF_FIELD, Client, Identity, LOGIN_COOKIE, SESSION_COOKIE, cookie, form_field, hashing,
    random_token, same_secret, set_cookie,
};
use crate::{ServeError, Shared};

/// The run log's task names for people signing in and out.
const SIGN_IN: &str = "sign in";
const SIGN_OUT: &str = "sign out";

/// Runs the overview shows.
const OVERVIEW_RUNS: usize = 10;

/// Backups the overview shows, newest.
const OVERVIEW_BACKUPS: usize = 3;

/// How long the sign-in form may stay open before its token expires.
const LOGIN_FORM_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

pub(crate) struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub(crate) fn new() -> Result<Templates, ServeError> {
        let mut env = Environment::new();
        for (name, source) in [
            ("base.html", include_str!("../templates/base.html")),
            ("login.html", include_str!("../templates/login.html")),
            ("overview.html", include_str!("../templates/overview.html")),
            (
                "performance.html",
                include_str!("../templates/performance.html"),
            ),
            ("backups.html", include_str!("../templates/backups.html")),
            ("backup.html", include_str!("../templates/backup.html")),
            (
                "maintenance.html",
                include_str!("../templates/maintenance.html"),
            ),
            ("run.html", include_str!("../templates/run.html")),
            (
                "migrations.html",
                include_str!("../templates/migrations.html"),
            ),
        ] {
            env.add_template(name, source)
                .map_err(|e| ServeError::Setup(format!("template {name}: {e}")))?;
        }
        Ok(Templates { env })
    }

    pub(crate) fn render(&self, name: &str, values: minijinja::Value) -> Response {
        match self.env.get_template(name).and_then(|t| t.render(values)) {
            Ok(html) => Html(html).into_response(),
            Err(_) => ApiError::internal().into_response(),
        }
    }
}

/// The overview: the migrations' status, the newest backups, the latest check's findings by
/// severity, the open alerts and the latest runs, read in one piece of database work. Sends those not signed in to the
/// sign-in form.
pub(crate) async fn overview(
    State(app): State<Arc<Shared>>,
    identity: Option<axum::Extension<Identity>>,
) -> Response {
    let Some(axum::Extension(identity)) = identity else {
        return Redirect::to("/login").into_response();
    };
    let read = match app.overview.get(&app, Shared::overview_reading).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    let (status, runs, backups, check, alerts) = &*read;
    let shown = |error: &drydock_engine::EngineError| {
        format!("[{}] {}", error.code(), redact_text(&error.to_string()))
    };
    let (backups, backup_warnings, backups_configured, backups_error) = match &backups {
        Ok(read) => (
            read.backups
                .iter()
                .take(OVERVIEW_BACKUPS)
                .map(crate::backups::shown)
                .collect::<Vec<_>>(),
            read.warnings.clone(),
            read.configured,
            None,
        ),
        Err(error) => (Vec::new(), Vec::new(), true, Some(shown(error))),
    };
    let (check, check_error) = match &check {
        Ok(check) => (check.as_ref().map(check_shown), None),
        Err(error) => (None, Some(shown(error))),
    };
    let (alerts, alerts_error) = match &alerts {
        Ok(alerts) => (
            alerts
                .iter()
                .map(|alert| {
                    context! {
                        source => alert.source,
                        code => alert.code,
                        severity => alert.severity,
                        class => severity_class(&alert.severity),
                        title => alert.title,
                        opened => alert.opened_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    }
                })
                .collect::<Vec<_>>(),
            None,
        ),
        Err(error) => (Vec::new(), Some(shown(error))),
    };
    let (applied, pending, failed, status_error) = match &status {
        Ok(report) => (
            report.applied.len(),
            report.pending.clone(),
            report.failed.iter().map(|f| f.name.clone()).collect(),
            None,
        ),
        Err(error) => (0, Vec::new(), Vec::<String>::new(), Some(shown(error))),
    };
    let (runs, runs_error) = match &runs {
        Ok(runs) => (
            runs.iter()
                .map(|run| {
                    let status = drydock_tasks::status_word(run);
                    context! {
                        task => run.start.task,
                        status => status,
                        class => match status {
                            "succeeded" => "ok",
                            "warned" | "running" => "warn",
                            _ => "bad",
                        },
                        started => run.start.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                        actor => run.start.actor,
                        summary => run.progress.summary,
                    }
                })
                .collect::<Vec<_>>(),
            None,
        ),
        Err(error) => (Vec::new(), Some(shown(error))),
    };
    app.pages.render(
        "overview.html",
        context! {
            title => "Overview",
            page => "overview",
            user => identity.actor,
            role => identity.role.as_str(),
            csrf => identity.csrf,
            provider => app.project.dialect.provider(),
            applied,
            pending,
            failed,
            status_error,
            runs,
            runs_error,
            backups,
            backup_warnings,
            backups_configured,
            backups_error,
            max_age_hours => drydock_engine::MAX_BACKUP_AGE.as_secs() / 3600,
            check,
            check_error,
            alerts,
            alerts_error,
        },
    )
}

/// The latest `check` run and the findings its log holds.
pub(crate) struct LatestCheck {
    pub(crate) run: drydock_connector::Run,
    pub(crate) findings: Vec<drydock_maintenance::LoggedFinding>,
}

impl Shared {
    /// The latest run of `check` with its log, read from the run log (check is not run).
    pub(crate) fn latest_check(&self) -> Result<Option<LatestCheck>, drydock_engine::EngineError> {
        let filter = RunFilter {
            task: Some("check".to_owned()),
            since: None,
            limit: Some(1),
        };
        let mut log = drydock_engine::open_run_log(&self.project, self.url.as_deref())?;
        let Some(latest) = log.list(&filter)?.into_iter().next() else {
            return Ok(None);
        };
        // The list leaves the log out; the run itself has it.
        let run = log.get(&latest.start.id)?.unwrap_or(latest);
        let findings = drydock_maintenance::logged_findings(&run.progress.log);
        Ok(Some(LatestCheck { run, findings }))
    }
}

fn severity_class(severity: &str) -> &'static str {
    match severity {
        "error" => "bad",
        "warning" => "warn",
        _ => "muted",
    }
}

/// The latest check as the overview shows it: when, by whom, its findings by severity.
fn check_shown(check: &LatestCheck) -> minijinja::Value {
    use drydock_maintenance::Severity;
    let groups: Vec<minijinja::Value> = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|severity| {
            let findings: Vec<minijinja::Value> = check
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .map(|f| context! { code => f.code, title => f.title })
                .collect();
            context! {
                severity => severity.as_str(),
                class => severity_class(severity.as_str()),
                count => findings.len(),
                findings,
            }
        })
        .collect();
    let status = drydock_tasks::status_word(&check.run);
    context! {
        id => check.run.start.id,
        started => check.run.start.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        actor => check.run.start.actor,
        status,
        summary => check.run.progress.summary,
        groups,
    }
}

/// What the overview reads: the migrations' status, the latest runs, the backups, the latest
/// `check` and the open alerts. Read at most once per [`crate::facts::FACTS_TTL`] for every viewer.
pub(crate) type OverviewReading = (
    Result<drydock_engine::migrate::StatusReport, drydock_engine::EngineError>,
    Result<Vec<drydock_connector::Run>, drydock_engine::EngineError>,
    Result<crate::backups::Backups, drydock_engine::EngineError>,
    Result<Option<LatestCheck>, drydock_engine::EngineError>,
    Result<Vec<drydock_connector::StoredAlert>, drydock_engine::EngineError>,
);

impl Shared {
    fn overview_reading(self: &Arc<Shared>) -> OverviewReading {
        let filter = RunFilter {
            task: None,
            since: None,
            limit: Some(OVERVIEW_RUNS),
        };
        (
            self.status(),
            self.runs(&filter),
            self.backups(),
            self.latest_check(),
            drydock_engine::open_alerts(&self.project, self.url.as_deref()),
        )
    }
}

/// The sign-in form, with a fresh CSRF token in the form and in a cookie.
pub(crate) async fn login_form(State(app): State<Arc<Shared>>) -> Response {
    login_page(&app, StatusCode::OK, None, "")
}

fn login_page(app: &Shared, status: StatusCode, message: Option<&str>, name: &str) -> Response {
    let Ok(token) = random_token() else {
        return ApiError::internal().into_response();
    };
    let mut response = app.pages.render(
        "login.html",
        context! { title => "Sign in", csrf => token, message, name },
    );
    *response.status_mut() = status;
    if let Ok(value) = set_cookie(LOGIN_COOKIE, token, "/login", LOGIN_FORM_TTL, app.secure).parse()
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// Sign in: the form's token must match its cookie; a wrong name or password counts against
/// the client's address; the right one starts a session and goes to the overview.
pub(crate) async fn login(
    State(app): State<Arc<Shared>>,
    Client(client): Client,
    headers: HeaderMap,
    form: Bytes,
) -> Response {
    if app.auth.limited(client) {
        let error = ApiError::too_many_failures();
        return login_page(&app, error.status(), Some(error.message()), "");
    }
    let given = form_field(&form, CSRF_FIELD);
    let expected = cookie(&headers, LOGIN_COOKIE);
    let form_ok = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_ok || !matches!((&given, &expected), (Some(g), Some(e)) if same_secret(g, e)) {
        let error = ApiError::csrf();
        return login_page(
            &app,
            error.status(),
            Some("The form expired: sign in again."),
            "",
        );
    }
    let name = form_field(&form, "name").unwrap_or_default();
    let typed = name.clone();
    let password = form_field(&form, "password").unwrap_or_default();
    let checked = hashing(&app, move |auth| auth.check_password(&name, &password)).await;
    let Some(user) = checked else {
        return ApiError::internal().into_response();
    };
    let Some((actor, role)) = user else {
        app.auth.failed(client);
        // Neither the name nor the password: either may be a password typed in the wrong box.
        app.events
            .warning(&format!("a sign-in from {client} failed"));
        // The run log names the user only when the name is one of `[serve]`: a name that is
        // not may be a password typed in the wrong box.
        let actor = if app.auth.is_user(&typed) {
            typed
        } else {
            "unknown".to_owned()
        };
        record_action(
            &app,
            SIGN_IN,
            actor,
            RunStatus::Failed,
            format!("a sign-in from {client} failed: wrong name or password"),
        );
        return login_page(
            &app,
            StatusCode::UNAUTHORIZED,
            Some("Wrong name or password."),
            "",
        );
    };
    let session = match app.auth.start_session(client, actor.clone(), role) {
        Ok(session) => session,
        Err(_) => return ApiError::internal().into_response(),
    };
    record_action(
        &app,
        SIGN_IN,
        actor,
        RunStatus::Succeeded,
        format!("signed in from {client}"),
    );
    let mut response = Redirect::to("/").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    let cookies = [
        set_cookie(
            SESSION_COOKIE,
            session,
            "/",
            app.auth.session_ttl(),
            app.secure,
        ),
        // The form's token is spent.
        set_cookie(
            LOGIN_COOKIE,
            String::new(),
            "/login",
            std::time::Duration::ZERO,
            app.secure,
        ),
    ];
    for value in cookies {
        if let Ok(value) = value.parse() {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// Sign out: the session ends (its CSRF token was checked on the way in).
pub(crate) async fn logout(
    State(app): State<Arc<Shared>>,
    Client(client): Client,
    identity: Option<axum::Extension<Identity>>,
    headers: HeaderMap,
) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        app.auth.end_session(&id);
    }
    if let Some(axum::Extension(identity)) = identity {
        record_action(
            &app,
            SIGN_OUT,
            identity.actor,
            RunStatus::Succeeded,
            format!("signed out from {client}"),
        );
    }
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    if let Ok(value) = set_cookie(
        SESSION_COOKIE,
        String::new(),
        "/",
        std::time::Duration::ZERO,
        app.secure,
    )
    .parse()
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}
