//! The backups page and `/api/backups`: every backup of the served database in the project's
//! backup folder, newest first, with its size, checksum and restore test as its manifest
//! records them, and warnings when the newest is missing, old or never restored in a test.
//! Verifying and restoring are the maintenance page's tasks: this page only links to them, and
//! a restore is only ever offered into a new database, never over the served one.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use drydock_connector::redact_text;
use drydock_engine::tasks::backup::{self, human_bytes, short_age};
use drydock_engine::{BackupState, EngineError, MAX_BACKUP_AGE};
use minijinja::{Value, context};
use serde_json::json;

use crate::Shared;
use crate::api::ApiError;
use crate::auth::{Identity, Viewer};
use crate::facts;

/// The `version` of the API's JSON.
const JSON_VERSION: u32 = 1;

/// The backups of the served database, and what to warn about.
pub(crate) struct Backups {
    /// Backups are set up: `[backup]` in drydock.toml, or the folder exists.
    pub(crate) configured: bool,
    /// Newest first, as JSON (the API's shape; the page words it).
    pub(crate) backups: Vec<serde_json::Value>,
    pub(crate) warnings: Vec<String>,
}

impl Shared {
    /// The backups of the served database in the project's backup folder, newest first.
    pub(crate) fn backups(&self) -> Result<Backups, EngineError> {
        let url = self.project.migration_url(self.url.as_deref())?;
        let dir = self.settings.backup_dir(None);
        let state = backup::backup_state(&self.settings, &dir, &url);
        let now = Utc::now();
        let manifests = match state {
            BackupState::NotConfigured => Vec::new(),
            _ => backup::database_backups(&dir, &url)?,
        };
        let backups = manifests
            .iter()
            .map(|m| {
                let age = (now - m.started_at).to_std().unwrap_or_default();
                let test = m.last_restore_test.as_ref();
                let state = match (test.map(|t| t.ok), m.checksummed_at) {
                    (Some(false), _) => "restore test failed",
                    _ if m.restore_tested() => "restore-tested",
                    (_, Some(_)) => "checksummed",
                    _ => "unverified",
                };
                json!({
                    "id": m.id,
                    "started_at": m.started_at,
                    "finished_at": m.finished_at,
                    "age_seconds": age.as_secs(),
                    "old": age > MAX_BACKUP_AGE,
                    "stored_size": m.stored_size,
                    "sha256": m.sha256,
                    "encrypted": m.encrypted(),
                    "last_migration": m.last_migration,
                    "tables": m.tables.len(),
                    "rows": m.tables.iter().map(|t| t.rows).sum::<u64>(),
                    "checksummed_at": m.checksummed_at,
                    "restore_tested_at": m.restore_tested_at,
                    "restore_test": test.map(|t| json!({
                        "at": t.at,
                        "ok": t.ok,
                        "duration_ms": t.duration_ms,
                        "error": t.error.as_deref().map(redact_text),
                    })),
                    "state": state,
                    "verify": action("backup-verify", &m.id),
                    "restore": action("backup-restore", &m.id),
                })
            })
            .collect();
        let mut warnings = Vec::new();
        match &state {
            BackupState::NotConfigured => {}
            BackupState::Missing { .. } => warnings.push(
                "no backup of this database in the backup folder: take one with `drydock \
                 backup create`"
                    .to_owned(),
            ),
            BackupState::Latest(latest) => {
                let age = (now - latest.taken_at).to_std().unwrap_or_default();
                if age > MAX_BACKUP_AGE {
                    warnings.push(format!(
                        "the newest backup is {} old, older than {} h: take a fresh one",
                        short_age(age),
                        MAX_BACKUP_AGE.as_secs() / 3600
                    ));
                }
                if !latest.restore_tested {
                    warnings.push(
                        "the newest backup was never restored in a test: verify it to know it \
                         restores"
                            .to_owned(),
                    );
                }
            }
        }
        Ok(Backups {
            configured: !matches!(state, BackupState::NotConfigured),
            backups,
            warnings,
        })
    }
}

/// The maintenance page with `task` preselected for the backup `id`.
fn action(task: &str, id: &str) -> String {
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/dashboard/maintenance?task={task}&backup={id}")
}

/// The backups as JSON, newest first.
pub(crate) async fn api(State(app): State<Arc<Shared>>, _: Viewer) -> Result<Response, ApiError> {
    let read = facts::blocking(&app, |app| app.backups())
        .await?
        .map_err(|e| ApiError::engine(&e))?;
    Ok(Json(json!({
        "version": JSON_VERSION,
        "configured": read.configured,
        "max_age_seconds": MAX_BACKUP_AGE.as_secs(),
        "warnings": read.warnings,
        "backups": read.backups,
    }))
    .into_response())
}

/// A time as the pages write it.
fn when(value: &serde_json::Value) -> Option<String> {
    let at: DateTime<Utc> = serde_json::from_value(value.clone()).ok()?;
    Some(at.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// A backup as the pages show it: times and sizes worded, the state's colour.
pub(crate) fn shown(backup: &serde_json::Value) -> Value {
    let state = backup["state"].as_str().unwrap_or_default();
    context! {
        id => backup["id"].as_str(),
        taken => when(&backup["started_at"]),
        age => short_age(std::time::Duration::from_secs(backup["age_seconds"].as_u64().unwrap_or(0))),
        old => backup["old"].as_bool(),
        size => human_bytes(backup["stored_size"].as_u64().unwrap_or(0)),
        sha256 => backup["sha256"].as_str(),
        encrypted => backup["encrypted"].as_bool(),
        last_migration => backup["last_migration"].as_str(),
        tables => backup["tables"].as_u64(),
        rows => backup["rows"].as_u64(),
        checksummed => when(&backup["checksummed_at"]),
        tested => when(&backup["restore_test"]["at"]),
        test_error => backup["restore_test"]["error"].as_str(),
        state,
        class => match state {
            "restore-tested" => "ok",
            "restore test failed" => "bad",
            _ => "warn",
        },
        verify => backup["verify"].as_str(),
        restore => backup["restore"].as_str(),
    }
}

/// The backups page. Sends those not signed in to the sign-in form.
pub(crate) async fn page(
    State(app): State<Arc<Shared>>,
    identity: Option<axum::Extension<Identity>>,
) -> Response {
    let Some(axum::Extension(identity)) = identity else {
        return Redirect::to("/login").into_response();
    };
    let read = match facts::blocking(&app, |app| app.backups()).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    let dir = app.settings.backup_dir(None).display().to_string();
    let values = match read {
        Ok(read) => context! {
            configured => read.configured,
            warnings => read.warnings,
            backups => read.backups.iter().map(shown).collect::<Vec<_>>(),
        },
        Err(error) => context! {
            error => format!("[{}] {}", error.code(), redact_text(&error.to_string())),
        },
    };
    app.pages.render(
        "backups.html",
        context! {
            title => "Backups",
            page => "backups",
            user => identity.actor,
            role => identity.role.as_str(),
            csrf => identity.csrf,
            actions => identity.role == drydock_engine::ServeRole::Operator,
            dir,
            max_age_hours => MAX_BACKUP_AGE.as_secs() / 3600,
            ..values
        },
    )
}
