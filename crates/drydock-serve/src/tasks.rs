//! The tasks an operator runs from the server (`POST /api/tasks/{task}`, the maintenance page).
//! Each calls the same library entry point as its CLI command, on a blocking thread within the
//! pool's bound ([`facts::blocking`]), recorded in the run log as the operator's. Its events go
//! to the run log and to the run's live feed, which `GET /api/runs/{id}/events` streams as
//! Server-Sent Events: the lines so far, the new ones as they come, then the end.
//!
//! A task that changes data runs alone, and a task never runs twice at once (409). Those that
//! delete (`cleanup`, `backup-prune`) first run dry; their apply names that dry run and repeats
//! the phrase it ended with (`delete 42 rows`), with the same options, within an hour.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use drydock_connector::{Run, RunStatus, redact_text};
use drydock_engine::EngineError;
use drydock_engine::tasks::indexes::IndexesError;
use drydock_maintenance::{OrphanAction, Severity};
use drydock_tasks::{Event, Events, Level, Recorder};
use futures_util::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{broadcast, oneshot};

use crate::Shared;
use crate::api::ApiError;
use crate::auth::{Identity, Operator, Viewer};
use crate::facts;

/// The `version` of the JSON the task routes answer with.
const JSON_VERSION: u32 = 1;

/// How long a dry run's phrase confirms its apply.
const DRY_RUN_VALID: Duration = Duration::from_secs(3600);

/// Events a slow reader of a live run may fall behind by before it skips some.
const FEED_CAPACITY: usize = 1024;

/// How often the stream of a run another process is running reads the run log again.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// What an option's field takes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Flag,
    Number,
    Text,
    /// One of these words (the empty one: not given).
    Choice(&'static [&'static str]),
    /// Words separated by commas or spaces (or a JSON array).
    List,
}

impl Kind {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Kind::Flag => "flag",
            Kind::Number => "number",
            Kind::Text => "text",
            Kind::Choice(_) => "choice",
            Kind::List => "list",
        }
    }
}

#[derive(Debug)]
pub(crate) struct OptionSpec {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) kind: Kind,
    pub(crate) help: &'static str,
}

/// A task the server runs: its name in the route, its name in the run log (as the CLI spells
/// it), what the page says of it, its options.
#[derive(Debug)]
pub(crate) struct TaskSpec {
    pub(crate) name: &'static str,
    pub(crate) recorded: &'static str,
    pub(crate) title: &'static str,
    pub(crate) about: &'static str,
    pub(crate) options: &'static [OptionSpec],
    /// It runs dry unless `apply`, and its apply needs `dry_run` and `confirm`.
    pub(crate) confirmed: bool,
}

/// Every task, in the order the maintenance page shows them.
pub(crate) const TASKS: &[TaskSpec] = &[
    TaskSpec {
        name: "check",
        recorded: "check",
        title: "Check",
        about: "The database's health and its data against the schema and the rules of \
                drydock.toml (drydock check).",
        options: &[],
        confirmed: false,
    },
    TaskSpec {
        name: "cleanup",
        recorded: "cleanup",
        title: "Cleanup",
        about: "Orphaned rows per relation and the rows of cleanup rules (drydock cleanup). A dry \
                run counts them; the apply archives them, then deletes or unlinks them.",
        options: &[
            OptionSpec {
                name: "only",
                label: "Only",
                kind: Kind::List,
                help: "relations (Model.field), child tables or rule names, separated by commas; \
                       empty: all",
            },
            OptionSpec {
                name: "action",
                label: "Action",
                kind: Kind::Choice(&["", "delete", "set-null"]),
                help: "for relations whose onDelete implies nothing for orphans",
            },
            OptionSpec {
                name: "batch_size",
                label: "Batch size",
                kind: Kind::Number,
                help: "rows per batch (default 10000)",
            },
        ],
        confirmed: true,
    },
    TaskSpec {
        name: "indexes",
        recorded: "indexes",
        title: "Index advice",
        about: "Unused, duplicate, bloated and missing indexes, with the schema edit and \
                migration each remedy takes (drydock indexes). Nothing is written.",
        options: &[
            OptionSpec {
                name: "slow_query_ms",
                label: "Slow query (ms)",
                kind: Kind::Number,
                help: "statements averaging at least this long get index suggestions (default 20)",
            },
            OptionSpec {
                name: "slow_query_calls",
                label: "Slow query calls",
                kind: Kind::Number,
                help: "...when they ran at least this many times (default 50)",
            },
        ],
        confirmed: false,
    },
    TaskSpec {
        name: "stats-snapshot",
        recorded: "stats",
        title: "Stats snapshot",
        about: "The database's monitoring facts read and stored as a snapshot, for growth over \
                time (drydock stats --snapshot).",
        options: &[],
        confirmed: false,
    },
    TaskSpec {
        name: "backup-create",
        recorded: "backup create",
        title: "Create a backup",
        about: "A backup of the database into the backup folder (drydock backup create).",
        options: &[],
        confirmed: false,
    },
    TaskSpec {
        name: "backup-verify",
        recorded: "backup verify",
        title: "Verify a backup",
        about: "A backup's checksum, then a test restore into a scratch database compared table \
                by table (drydock backup verify).",
        options: &[
            OptionSpec {
                name: "backup",
                label: "Backup",
                kind: Kind::Text,
                help: "its id or a prefix of it; empty: the newest",
            },
            OptionSpec {
                name: "checksum_only",
                label: "Checksum only",
                kind: Kind::Flag,
                help: "skip the test restore",
            },
        ],
        confirmed: false,
    },
    TaskSpec {
        name: "backup-prune",
        recorded: "backup prune",
        title: "Prune backups",
        about: "Backups the retention rules do not keep, and the leftovers of interrupted runs, \
                deleted (drydock backup prune). A dry run lists them first.",
        options: &[
            OptionSpec {
                name: "keep_last",
                label: "Keep last",
                kind: Kind::Number,
                help: "the newest N backups",
            },
            OptionSpec {
                name: "keep_daily",
                label: "Keep daily",
                kind: Kind::Number,
                help: "the newest backup of each of the last D days",
            },
            OptionSpec {
                name: "keep_weekly",
                label: "Keep weekly",
                kind: Kind::Number,
                help: "the newest backup of each of the last W weeks",
            },
            OptionSpec {
                name: "max_age_days",
                label: "Max age (days)",
                kind: Kind::Number,
                help: "backups older than this go, whatever the keep rules say",
            },
        ],
        confirmed: true,
    },
    TaskSpec {
        name: "backup-restore",
        recorded: "backup restore",
        title: "Restore a backup",
        about: "A backup restored into a new database, never over one that exists \
                (drydock backup restore --to).",
        options: &[
            OptionSpec {
                name: "backup",
                label: "Backup",
                kind: Kind::Text,
                help: "its id or a prefix of it; empty: the newest restore-tested one",
            },
            OptionSpec {
                name: "target",
                label: "New database URL",
                kind: Kind::Text,
                help: "required: a database that does not exist yet, on any server drydock \
                       reaches (a file path for SQLite)",
            },
            OptionSpec {
                name: "allow_unverified",
                label: "Allow unverified",
                kind: Kind::Flag,
                help: "without a backup named: the newest, restore-tested or not",
            },
        ],
        confirmed: false,
    },
    TaskSpec {
        name: "lint-pending",
        recorded: "lint pending",
        title: "Lint pending migrations",
        about: "The review migrate deploy gives the pending migrations: their lint findings \
                read against the live table sizes. Nothing runs.",
        options: &[OptionSpec {
            name: "max_rows",
            label: "Large table (rows)",
            kind: Kind::Number,
            help: "tables above this many rows count as large (default 100000)",
        }],
        confirmed: false,
    },
];

/// The task named `name` in a route.
pub(crate) fn spec(name: &str) -> Option<&'static TaskSpec> {
    TASKS.iter().find(|spec| spec.name == name)
}

/// What a task was asked to do, its options typed.
#[derive(Debug, Clone)]
pub(crate) enum Request {
    Check,
    Cleanup {
        only: Vec<String>,
        action: Option<OrphanAction>,
        batch_size: Option<u64>,
        apply: bool,
    },
    Indexes {
        slow_query_ms: f64,
        slow_query_calls: u64,
    },
    StatsSnapshot,
    BackupCreate,
    BackupVerify {
        backup: Option<String>,
        checksum_only: bool,
    },
    BackupPrune {
        keep_last: usize,
        keep_daily: usize,
        keep_weekly: usize,
        max_age_days: Option<u64>,
        apply: bool,
    },
    BackupRestore {
        backup: Option<String>,
        /// As given; resolved against the project (a relative SQLite path) before the run.
        target: String,
        allow_unverified: bool,
    },
    LintPending {
        max_rows: u64,
    },
}

impl Request {
    /// It changes data (rows, backups, a database), so it runs alone.
    fn changes_data(&self) -> bool {
        matches!(
            self,
            Request::Cleanup { apply: true, .. }
                | Request::BackupPrune { apply: true, .. }
                | Request::BackupRestore { .. }
        )
    }

    fn applies(&self) -> bool {
        matches!(
            self,
            Request::Cleanup { apply: true, .. } | Request::BackupPrune { apply: true, .. }
        )
    }
}

/// A task asked for: which, its typed options, the options as given (which an apply must
/// repeat from its dry run), and for an apply the dry run and phrase it names.
#[derive(Debug, Clone)]
pub(crate) struct Asked {
    pub(crate) spec: &'static TaskSpec,
    request: Request,
    options: BTreeMap<String, Value>,
    confirmation: Option<(String, String)>,
}

impl Asked {
    pub(crate) fn check() -> Asked {
        Asked {
            spec: &TASKS[0],
            request: Request::Check,
            options: BTreeMap::new(),
            confirmation: None,
        }
    }

    /// The run log's parameters of the run.
    fn parameters(&self) -> Value {
        let mut parameters = json!({
            "via": "drydock serve",
            "task": self.spec.name,
            "options": self.options,
        });
        if self.spec.confirmed {
            parameters["apply"] = self.request.applies().into();
        }
        if let Some((dry_run, _)) = &self.confirmation {
            parameters["dry_run"] = dry_run.as_str().into();
        }
        parameters
    }
}

/// The options of a request as sent: a JSON object, or a form (a field given twice is a list).
pub(crate) struct Given(pub(crate) BTreeMap<String, Value>);

impl Given {
    pub(crate) fn read(headers: &HeaderMap, body: &[u8]) -> Result<Given, ApiError> {
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut given = BTreeMap::new();
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Given(given));
        }
        if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(object)) => given.extend(object),
                _ => return Err(bad_body()),
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            for (name, value) in form_urlencoded::parse(body) {
                let value = Value::String(value.into_owned());
                match given.remove(name.as_ref()) {
                    None => given.insert(name.into_owned(), value),
                    Some(Value::Array(mut values)) => {
                        values.push(value);
                        given.insert(name.into_owned(), Value::Array(values))
                    }
                    Some(first) => {
                        given.insert(name.into_owned(), Value::Array(vec![first, value]))
                    }
                };
            }
        } else {
            return Err(bad_body());
        }
        // The pages' forms carry their CSRF token, which is no option.
        given.remove(crate::auth::CSRF_FIELD);
        Ok(Given(given))
    }

    /// The value of `name`, `None` when not given or empty.
    fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .get(name)
            .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
    }

    fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(value)) => Ok(*value),
            Some(Value::String(text)) => match text.trim() {
                "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" => Ok(false),
                _ => Err(bad_value(name, "true or false")),
            },
            Some(_) => Err(bad_value(name, "true or false")),
        }
    }

    fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        let what = "a whole number, 0 or more";
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| bad_value(name, what)),
            Some(Value::String(text)) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad_value(name, what)),
            Some(_) => Err(bad_value(name, what)),
        }
    }

    fn decimal(&self, name: &str) -> Result<Option<f64>, ApiError> {
        let what = "a number, 0 or more";
        let value = match self.get(name) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(text)) => text.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        value
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(Some)
            .ok_or_else(|| bad_value(name, what))
    }

    fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
            Some(_) => Err(bad_value(name, "a text")),
        }
    }

    fn list(&self, name: &str) -> Result<Vec<String>, ApiError> {
        let words = |text: &str| -> Vec<String> {
            text.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        };
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(text)) => Ok(words(text)),
            Some(Value::Array(values)) => {
                let mut all = Vec::new();
                for value in values {
                    let text = value
                        .as_str()
                        .ok_or_else(|| bad_value(name, "a list of names"))?;
                    all.extend(words(text));
                }
                Ok(all)
            }
            Some(_) => Err(bad_value(name, "a list of names")),
        }
    }

    fn choice(&self, name: &str, choices: &[&str]) -> Result<Option<String>, ApiError> {
        let chosen = self.text(name)?;
        match chosen {
            Some(word) if !choices.contains(&word.as_str()) => Err(bad_value(
                name,
                &format!(
                    "one of {}",
                    choices
                        .iter()
                        .filter(|c| !c.is_empty())
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            other => Ok(other),
        }
    }
}

fn bad_body() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "D7119",
        "the options are neither a JSON object nor a form: send `Content-Type: \
         application/json` with an object, or a URL-encoded form"
            .to_owned(),
    )
}

fn bad_value(name: &str, what: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "D7113",
        format!("the option `{name}` is not valid: give {what}"),
    )
}

/// The options `given` for the task named `name`, checked and typed.
pub(crate) fn ask(name: &str, given: &Given) -> Result<Asked, ApiError> {
    let spec = spec(name).ok_or_else(|| {
        ApiError::not_found(format!(
            "no task is named `{name}`: the tasks are {}",
            TASKS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
        ))
    })?;
    let confirming = ["apply", "dry_run", "confirm"];
    for option in given.0.keys() {
        let known = spec.options.iter().any(|o| o.name == option)
            || (spec.confirmed && confirming.contains(&option.as_str()));
        if !known {
            let mut names: Vec<&str> = spec.options.iter().map(|o| o.name).collect();
            if spec.confirmed {
                names.extend(confirming);
            }
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "D7112",
                format!(
                    "the task `{name}` has no option `{option}`: {}",
                    if names.is_empty() {
                        "it takes none".to_owned()
                    } else {
                        format!("its options are {}", names.join(", "))
                    }
                ),
            ));
        }
    }
    let apply = spec.confirmed && given.flag("apply")?;
    let request = match spec.name {
        "check" => Request::Check,
        "cleanup" => Request::Cleanup {
            only: given.list("only")?,
            action: given
                .choice("action", &["delete", "set-null"])?
                .as_deref()
                .and_then(OrphanAction::parse),
            batch_size: match given.number("batch_size")? {
                Some(0) => return Err(bad_value("batch_size", "a whole number, 1 or more")),
                other => other,
            },
            apply,
        },
        "indexes" => Request::Indexes {
            slow_query_ms: given
                .decimal("slow_query_ms")?
                .unwrap_or(drydock_maintenance::indexes::DEFAULT_SLOW_QUERY_MS),
            slow_query_calls: given
                .number("slow_query_calls")?
                .unwrap_or(drydock_maintenance::indexes::DEFAULT_SLOW_QUERY_CALLS),
        },
        "stats-snapshot" => Request::StatsSnapshot,
        "backup-create" => Request::BackupCreate,
        "backup-verify" => Request::BackupVerify {
            backup: given.text("backup")?,
            checksum_only: given.flag("checksum_only")?,
        },
        "backup-prune" => {
            let count = |name: &str| -> Result<usize, ApiError> {
                let n = given.number(name)?.unwrap_or(0);
                usize::try_from(n).map_err(|_| bad_value(name, "a smaller number"))
            };
            Request::BackupPrune {
                keep_last: count("keep_last")?,
                keep_daily: count("keep_daily")?,
                keep_weekly: count("keep_weekly")?,
                max_age_days: given.number("max_age_days")?,
                apply,
            }
        }
        "backup-restore" => Request::BackupRestore {
            backup: given.text("backup")?,
            target: given.text("target")?.ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "D7114",
                    "the task `backup-restore` needs the option `target`: the URL of a new \
                     database to restore into (never the served one, never one that exists)"
                        .to_owned(),
                )
            })?,
            allow_unverified: given.flag("allow_unverified")?,
        },
        "lint-pending" => Request::LintPending {
            max_rows: given
                .number("max_rows")?
                .unwrap_or(drydock_lint::DEFAULT_MAX_ROWS),
        },
        _ => return Err(ApiError::internal()),
    };
    let options: BTreeMap<String, Value> = given
        .0
        .iter()
        .filter(|(name, value)| {
            !confirming.contains(&name.as_str())
                && !value.is_null()
                && value.as_str().is_none_or(|s| !s.trim().is_empty())
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let confirmation = if apply {
        let dry_run = given.text("dry_run")?.ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "D7115",
                format!(
                    "an apply of `{name}` follows a dry run: run it with `apply` false first, \
                     then send that run's id as `dry_run` and the phrase it ended with as \
                     `confirm`"
                ),
            )
        })?;
        let confirm = given.text("confirm")?.unwrap_or_default();
        Some((dry_run, confirm))
    } else {
        None
    };
    Ok(Asked {
        spec,
        request,
        options,
        confirmation,
    })
}

/// A dry run whose phrase may confirm an apply.
struct DryRun {
    task: &'static str,
    options: BTreeMap<String, Value>,
    phrase: String,
    at: Instant,
}

/// The runs of this server: those running, with their live feeds; the dry runs that may be
/// applied.
#[derive(Default)]
pub(crate) struct Tasks {
    live: Mutex<HashMap<String, Arc<Live>>>,
    /// Task name: whether it changes data.
    running: Mutex<HashMap<&'static str, bool>>,
    dry_runs: Mutex<HashMap<String, DryRun>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while the lock was held left a map as it was: still usable.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Tasks {
    pub(crate) fn live(&self, id: &str) -> Option<Arc<Live>> {
        lock(&self.live).get(id).cloned()
    }

    /// The phrase and options of the dry run `id`, while it may be applied.
    pub(crate) fn pending_apply(&self, id: &str) -> Option<(String, BTreeMap<String, Value>)> {
        lock(&self.dry_runs)
            .get(id)
            .filter(|dry| dry.at.elapsed() < DRY_RUN_VALID)
            .map(|dry| (dry.phrase.clone(), dry.options.clone()))
    }

    /// The apply `asked` names its dry run, with the same options, and its phrase: taken, so
    /// a dry run confirms one apply.
    fn confirm(&self, asked: &Asked) -> Result<(), ApiError> {
        let Some((dry_run, typed)) = &asked.confirmation else {
            return Ok(());
        };
        let mut dry_runs = lock(&self.dry_runs);
        dry_runs.retain(|_, dry| dry.at.elapsed() < DRY_RUN_VALID);
        let Some(dry) = dry_runs.get(dry_run) else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "D7115",
                format!(
                    "`{dry_run}` is not a dry run of this server that may be applied (it is \
                     applied already, older than an hour, of another task, or no dry run): run \
                     `{}` dry again",
                    asked.spec.name
                ),
            ));
        };
        if dry.task != asked.spec.name || dry.options != asked.options {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "D7115",
                format!(
                    "the dry run `{dry_run}` was of other options: apply with the options it \
                     ran with, or run `{}` dry again with these",
                    asked.spec.name
                ),
            ));
        }
        if typed.trim() != dry.phrase {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "D7116",
                format!(
                    "the confirmation does not match: type `{}` as `confirm` to apply what the \
                     dry run `{dry_run}` found",
                    dry.phrase
                ),
            ));
        }
        dry_runs.remove(dry_run);
        Ok(())
    }
}

/// A task's place among those running: given back when the run ends.
struct Slot {
    app: Arc<Shared>,
    task: &'static str,
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.app.tasks.running).remove(self.task);
    }
}

fn reserve(app: &Arc<Shared>, asked: &Asked) -> Result<Slot, ApiError> {
    let mut running = lock(&app.tasks.running);
    if running.contains_key(asked.spec.name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "D7111",
            format!(
                "`{}` is running already: follow that run on /dashboard/maintenance, and start \
                 it again once it has ended",
                asked.spec.name
            ),
        ));
    }
    let changes = asked.request.changes_data();
    if changes && let Some((other, _)) = running.iter().find(|(_, changes)| **changes) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "D7110",
            format!(
                "`{other}` is changing data now, and one task that changes data runs at a \
                 time: start `{}` once it has ended",
                asked.spec.name
            ),
        ));
    }
    running.insert(asked.spec.name, changes);
    Ok(Slot {
        app: app.clone(),
        task: asked.spec.name,
    })
}

/// One line of a run's log.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Line {
    pub(crate) level: Level,
    pub(crate) line: String,
}

/// How a run ended: the stream's last event.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct End {
    pub(crate) run: String,
    pub(crate) status: String,
    pub(crate) summary: String,
    pub(crate) examined: Option<u64>,
    pub(crate) affected: Option<u64>,
    /// A dry run that may be applied: the phrase its apply repeats.
    pub(crate) confirm: Option<String>,
}

/// What a run's stream carries.
#[derive(Debug, Clone)]
enum Frame {
    /// The line and its place in the log (the SSE event's id).
    Line(usize, Line),
    Progress {
        step: String,
        done: u64,
        total: Option<u64>,
    },
    Counts {
        examined: u64,
        affected: u64,
    },
    /// This many events were not delivered: the reader fell behind.
    Lagged(u64),
    End(End),
}

/// The live feed of a run of this server: its lines so far, its counts, its end once it has
/// ended, and a channel for those that follow it.
pub(crate) struct Live {
    feed: Mutex<Feed>,
    sender: broadcast::Sender<Frame>,
}

#[derive(Default)]
struct Feed {
    lines: Vec<Line>,
    counts: Option<(u64, u64)>,
    end: Option<End>,
    /// What the task returned, for the route that waits for it (`/api/tasks/check`).
    result: Value,
}

impl Live {
    fn new() -> Live {
        Live {
            feed: Mutex::new(Feed::default()),
            sender: broadcast::channel(FEED_CAPACITY).0,
        }
    }

    /// Keep `event` and send it to those following (under the lock: a reader that subscribes
    /// sees each event once, in the backlog or live).
    fn push(&self, event: Event) {
        let mut feed = lock(&self.feed);
        let frame = match event {
            Event::Log { level, line } => {
                let line = Line {
                    level,
                    line: redact_text(&line),
                };
                feed.lines.push(line.clone());
                Frame::Line(feed.lines.len() - 1, line)
            }
            Event::Counts { examined, affected } => {
                feed.counts = Some((examined, affected));
                Frame::Counts { examined, affected }
            }
            Event::Progress { step, done, total } => Frame::Progress { step, done, total },
        };
        let _ = self.sender.send(frame);
    }

    fn end(&self, end: End, result: Value) {
        let mut feed = lock(&self.feed);
        feed.end = Some(end.clone());
        feed.result = result;
        let _ = self.sender.send(Frame::End(end));
    }

    /// The lines from `after` on and the counts, then the end if the run has ended, else a
    /// receiver of what comes next.
    fn follow(&self, after: usize) -> (Vec<Frame>, Option<broadcast::Receiver<Frame>>) {
        let feed = lock(&self.feed);
        let mut frames: Vec<Frame> = feed
            .lines
            .iter()
            .enumerate()
            .skip(after)
            .map(|(i, line)| Frame::Line(i, line.clone()))
            .collect();
        if let Some((examined, affected)) = feed.counts {
            frames.push(Frame::Counts { examined, affected });
        }
        match &feed.end {
            Some(end) => {
                frames.push(Frame::End(end.clone()));
                (frames, None)
            }
            None => (frames, Some(self.sender.subscribe())),
        }
    }

    /// The lines so far, for a page.
    pub(crate) fn lines(&self) -> Vec<Line> {
        lock(&self.feed).lines.clone()
    }

    /// Once the run has ended: how, and what the task returned.
    async fn ended(&self) -> (End, Value) {
        let (frames, receiver) = self.follow(usize::MAX);
        let mut end = frames.into_iter().find_map(|frame| match frame {
            Frame::End(end) => Some(end),
            _ => None,
        });
        if let Some(mut receiver) = receiver {
            while end.is_none() {
                match receiver.recv().await {
                    Ok(Frame::End(ended)) => end = Some(ended),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        }
        let feed = lock(&self.feed);
        let end = end.or_else(|| feed.end.clone()).unwrap_or_else(|| End {
            run: String::new(),
            status: RunStatus::Failed.as_str().to_owned(),
            summary: "the task ended unexpectedly".to_owned(),
            examined: None,
            affected: None,
            confirm: None,
        });
        (end, feed.result.clone())
    }
}

/// A run started: its id and its live feed.
pub(crate) struct Started {
    pub(crate) id: String,
    live: Arc<Live>,
}

impl Started {
    /// Once it has ended: how, and what the task returned.
    pub(crate) async fn ended(&self) -> (End, Value) {
        self.live.ended().await
    }
}

/// Start `asked` for `identity`: checked against the runs under way, a restore's target and an
/// apply's dry run, then run on a blocking thread once the pool has room. Answers once the run
/// is in the run log.
pub(crate) async fn launch(
    app: &Arc<Shared>,
    identity: &Identity,
    mut asked: Asked,
) -> Result<Started, ApiError> {
    let slot = reserve(app, &asked)?;
    if let Request::BackupRestore { target, .. } = &asked.request {
        let target = target.clone();
        let resolved = facts::blocking(app, move |app| new_database(app, &target)).await??;
        if let Request::BackupRestore { target, .. } = &mut asked.request {
            *target = resolved;
        }
    }
    app.tasks.confirm(&asked)?;
    let (sent, started) = oneshot::channel();
    let actor = identity.actor.clone();
    let runner = app.clone();
    tokio::spawn(async move {
        // The run reports its own failures; a thread that could not run has nothing to add.
        let _ = facts::blocking(&runner, move |app| run(app, asked, &actor, sent, slot)).await;
    });
    started.await.map_err(|_| ApiError::internal())
}

/// The URL of `target` as the project resolves it (a relative SQLite path against the schema
/// folder), if it names a database that does not exist: never the served one.
fn new_database(app: &Shared, target: &str) -> Result<String, ApiError> {
    let invalid = |why: String| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "D7113",
            format!("the option `target` is not valid: {why}"),
        )
    };
    let resolved = app
        .project
        .migration_url(Some(target))
        .map_err(|e| invalid(redact_text(&e.to_string())))?;
    let backend =
        drydock_backup::backend_for(&resolved).map_err(|e| invalid(redact_text(&e.to_string())))?;
    let served = app
        .project
        .migration_url(app.url.as_deref())
        .map_err(|e| ApiError::engine(&EngineError::from(e)))?;
    let unreachable = |e: drydock_backup::BackupError| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.code(),
            redact_text(&e.to_string()),
        )
    };
    let same_name = backend.accepts_url(&served)
        && backend.database_name(&resolved).ok() == backend.database_name(&served).ok();
    if resolved == served || (same_name && backend.exists(&resolved).map_err(unreachable)?) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "D7118",
            "the target is the served database: a restore from the server goes into a new \
             database only, never over the live one (restore over it with `drydock backup \
             restore --to URL --force` from a shell, after a backup)"
                .to_owned(),
        ));
    }
    if backend.exists(&resolved).map_err(unreachable)? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "D7117",
            format!(
                "the database `{}` exists: a restore from the server goes into a new database \
                 only; name one that does not exist yet",
                drydock_connector::redact_url(&resolved)
            ),
        ));
    }
    Ok(resolved)
}

/// How a task ended, by itself.
struct Done {
    status: RunStatus,
    summary: String,
    /// A dry run that may be applied: the phrase of its apply.
    confirm: Option<String>,
    result: Value,
}

/// A task that failed: its error's code and message, redacted.
struct Failure {
    code: &'static str,
    message: String,
}

impl Failure {
    fn new(code: &'static str, message: String) -> Failure {
        Failure {
            code,
            message: redact_text(&message),
        }
    }
}

impl From<EngineError> for Failure {
    fn from(error: EngineError) -> Failure {
        Failure::new(error.code(), error.to_string())
    }
}

impl From<drydock_maintenance::CleanupError> for Failure {
    fn from(error: drydock_maintenance::CleanupError) -> Failure {
        Failure::new(error.code(), error.to_string())
    }
}

impl From<IndexesError> for Failure {
    fn from(error: IndexesError) -> Failure {
        let code = match &error {
            IndexesError::Connector(e) => e.code(),
            _ => "D1001",
        };
        Failure::new(code, error.to_string())
    }
}

/// The run of `asked` by `actor`, from its start in the run log to its end there and in its
/// live feed.
fn run(
    app: &Arc<Shared>,
    asked: Asked,
    actor: &str,
    started: oneshot::Sender<Started>,
    slot: Slot,
) {
    let live = Arc::new(Live::new());
    let server = app.events;
    let feed = live.clone();
    // Every event goes to the live feed; only warnings reach the server's own log.
    let forward = move |event: Event| {
        if let Event::Log {
            level: Level::Warning | Level::Error,
            line,
        } = &event
        {
            server.warning(&redact_text(line));
        }
        feed.push(event);
    };
    let began = Instant::now();
    let recorder = Recorder::start_by(
        crate::api::run_log_opener(app),
        asked.spec.recorded,
        &asked.parameters(),
        actor,
        &forward,
    );
    let id = recorder.id();
    lock(&app.tasks.live).insert(id.clone(), live.clone());
    let _ = started.send(Started {
        id: id.clone(),
        live: live.clone(),
    });
    let outcome =
        std::panic::catch_unwind(AssertUnwindSafe(|| execute(app, &asked.request, &recorder)))
            .unwrap_or_else(|_| {
                Err(Failure::new(
                    "D1001",
                    "the task ended unexpectedly".to_owned(),
                ))
            });
    let done = outcome.unwrap_or_else(|failure| {
        let message = format!("[{}] {}", failure.code, failure.message);
        recorder.event(Event::Log {
            level: Level::Error,
            line: message.clone(),
        });
        Done {
            status: RunStatus::Failed,
            summary: message.lines().next().unwrap_or_default().to_owned(),
            confirm: None,
            result: json!({ "error": { "code": failure.code, "message": failure.message } }),
        }
    });
    recorder.finish(done.status, &done.summary);
    // The overview and the health facts show what the task changed from the next request on.
    app.overview.forget();
    app.facts.forget();
    app.metrics.task_ended(
        asked.spec.recorded,
        "serve",
        done.status.as_str(),
        began.elapsed().as_secs_f64(),
    );
    if let Some(phrase) = &done.confirm {
        lock(&app.tasks.dry_runs).insert(
            id.clone(),
            DryRun {
                task: asked.spec.name,
                options: asked.options.clone(),
                phrase: phrase.clone(),
                at: Instant::now(),
            },
        );
    }
    // The task's place is given back before its end is sent: who reads the end may start it
    // again at once. A reader arriving now finds the run ended in the run log.
    lock(&app.tasks.live).remove(&id);
    drop(slot);
    let counts = lock(&live.feed).counts;
    live.end(
        End {
            run: id,
            status: done.status.as_str().to_owned(),
            summary: redact_text(&done.summary),
            examined: counts.map(|c| c.0),
            affected: counts.map(|c| c.1),
            confirm: done.confirm,
        },
        done.result,
    );
}

/// Each line of `text` as a log line of its own.
fn say(events: &dyn Events, text: &str) {
    for line in text.lines() {
        events.info(line);
    }
}

/// `delete 3 rows`, `delete 1 row`.
fn counted(count: u64, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// The task itself, through the library entry point its CLI command calls.
fn execute(app: &Shared, request: &Request, events: &dyn Events) -> Result<Done, Failure> {
    let project = &app.project;
    let url = app.url.as_deref();
    let done = |status, summary: String, result| Done {
        status,
        summary,
        confirm: None,
        result,
    };
    match request {
        Request::Check => {
            let report = drydock_engine::check(project, url, Vec::new(), events)?;
            say(events, &report.render_text());
            let status = if report.at_least(Severity::Warning) > 0 {
                RunStatus::Warned
            } else {
                RunStatus::Succeeded
            };
            Ok(done(
                status,
                report.summary(),
                json!({
                    "findings": report.findings,
                    "checks": report.checks,
                    "notes": report.notes,
                }),
            ))
        }
        Request::Cleanup {
            only,
            action,
            batch_size,
            apply,
        } => {
            let mut options = drydock_engine::tasks::cleanup::cleanup_options(project, url)?;
            options.only.clone_from(only);
            options.action = *action;
            if let Some(batch_size) = batch_size {
                options.batch_size = *batch_size;
            }
            options.apply = *apply;
            let outcome = drydock_engine::tasks::cleanup::run(project, &options, events)?;
            for finding in &outcome.findings {
                events.info(&format!(
                    "[{}] {}: {}",
                    finding.code,
                    finding.severity.as_str(),
                    finding.title
                ));
            }
            if let Some(archive) = &outcome.archive {
                events.info(&format!(
                    "Archived first in {} (sha256 {}): `drydock cleanup restore {}` puts the \
                     rows back.",
                    archive.file.display(),
                    archive.sha256,
                    archive.file.display()
                ));
            }
            let confirm = (!outcome.applied && outcome.examined > 0)
                .then(|| format!("delete {}", counted(outcome.examined, "row")));
            if let Some(phrase) = &confirm {
                events.info(&format!(
                    "Dry run: {} to clean up. To apply, type `{phrase}`.",
                    counted(outcome.examined, "row")
                ));
            }
            Ok(Done {
                status: RunStatus::Succeeded,
                summary: outcome.summary(),
                confirm,
                result: json!({
                    "applied": outcome.applied,
                    "examined": outcome.examined,
                    "affected": outcome.affected,
                    "relations": outcome.relations,
                    "rules": outcome.rules,
                    "findings": outcome.findings,
                    "archive": outcome.archive,
                }),
            })
        }
        Request::Indexes {
            slow_query_ms,
            slow_query_calls,
        } => {
            let options = drydock_engine::tasks::indexes::IndexesOptions {
                url: app.url.clone(),
                replicas: Vec::new(),
                thresholds: drydock_maintenance::indexes::Thresholds::default(),
                slow_query_ms: *slow_query_ms,
                slow_query_calls: *slow_query_calls,
                write: false,
                now: chrono::Utc::now(),
            };
            let report = drydock_engine::tasks::indexes::indexes(project, &options, events)?;
            say(events, &report.render_text());
            let warned = report
                .findings
                .iter()
                .any(|f| f.severity >= Severity::Warning);
            Ok(done(
                if warned {
                    RunStatus::Warned
                } else {
                    RunStatus::Succeeded
                },
                format!(
                    "{}, {} proposed",
                    counted(report.findings.len() as u64, "index finding"),
                    counted(report.migrations.len() as u64, "migration")
                ),
                json!({
                    "findings": report.findings,
                    "migrations": report.migrations,
                    "left_out": report.left_out,
                }),
            ))
        }
        Request::StatsSnapshot => {
            let options = drydock_engine::stats_options(project, true)?;
            let report = drydock_engine::stats(project, url, &options, events)?;
            for finding in &report.findings {
                events.info(&format!(
                    "[{}] {}: {}",
                    finding.code,
                    finding.severity.as_str(),
                    finding.title
                ));
            }
            let stored = report.snapshot.as_ref().map(|snapshot| {
                format!(
                    "snapshot stored ({} kept, {} older deleted)",
                    snapshot.kept, snapshot.deleted
                )
            });
            if let Some(stored) = &stored {
                events.info(&format!("The {stored}."));
            }
            Ok(done(
                if report.findings.is_empty() {
                    RunStatus::Succeeded
                } else {
                    RunStatus::Warned
                },
                format!(
                    "{}, {}",
                    stored.unwrap_or_else(|| "no snapshot stored".to_owned()),
                    counted(report.findings.len() as u64, "finding")
                ),
                json!({ "findings": report.findings }),
            ))
        }
        Request::BackupCreate => {
            let url = project.migration_url(url).map_err(EngineError::from)?;
            let options = drydock_backup::CreateOptions::new(app.settings.backup_dir(None));
            let outcome = drydock_engine::tasks::backup::create(&url, &options, events)?;
            Ok(done(
                RunStatus::Succeeded,
                outcome.summary(),
                json!({ "backup": outcome.manifest.id }),
            ))
        }
        Request::BackupVerify {
            backup,
            checksum_only,
        } => {
            let dir = app.settings.backup_dir(None);
            let manifest = drydock_engine::tasks::backup::find(&dir, backup.as_deref())?;
            let near = if *checksum_only {
                None
            } else {
                Some(project.migration_url(url).map_err(EngineError::from)?)
            };
            let options = drydock_backup::VerifyOptions {
                checksum_only: *checksum_only,
                ..drydock_backup::VerifyOptions::default()
            };
            let outcome = drydock_engine::tasks::backup::verify(
                &dir,
                &manifest,
                near.as_deref(),
                &options,
                events,
            )?;
            Ok(done(
                RunStatus::Succeeded,
                outcome.summary(),
                json!({ "backup": outcome.manifest.id, "restore_tested": outcome.restore_tested }),
            ))
        }
        Request::BackupPrune {
            keep_last,
            keep_daily,
            keep_weekly,
            max_age_days,
            apply,
        } => {
            let max_age = match max_age_days {
                Some(days) => Some(
                    i64::try_from(*days)
                        .ok()
                        .and_then(chrono::Duration::try_days)
                        .ok_or_else(|| {
                            Failure::new("D7113", "`max_age_days` is too large".to_owned())
                        })?,
                ),
                None => None,
            };
            let policy = drydock_backup::RetentionPolicy {
                keep_last: *keep_last,
                keep_daily: *keep_daily,
                keep_weekly: *keep_weekly,
                max_age,
            };
            let dir = app.settings.backup_dir(None);
            let server = project.migration_url(url).ok();
            let outcome = drydock_engine::tasks::backup::prune(
                &dir,
                &policy,
                *apply,
                server.as_deref(),
                events,
            )?;
            for line in outcome.lines() {
                events.info(&line);
            }
            let removed = outcome.removed() as u64;
            let confirm = (!*apply && removed > 0)
                .then(|| format!("delete {}", counted(removed, "backup file")));
            if let Some(phrase) = &confirm {
                events.info(&format!("Dry run: to delete them, type `{phrase}`."));
            }
            Ok(Done {
                status: RunStatus::Succeeded,
                summary: outcome.summary(),
                confirm,
                result: json!({
                    "applied": outcome.applied,
                    "deleted": outcome.decisions.iter().filter(|d| !d.keep).map(|d| &d.manifest.id).collect::<Vec<_>>(),
                    "kept": outcome.decisions.iter().filter(|d| d.keep).map(|d| &d.manifest.id).collect::<Vec<_>>(),
                }),
            })
        }
        Request::BackupRestore {
            backup,
            target,
            allow_unverified,
        } => {
            let dir = app.settings.backup_dir(None);
            let manifest =
                drydock_engine::tasks::backup::select(&dir, backup.as_deref(), *allow_unverified)?;
            let options = drydock_backup::RestoreOptions {
                passphrase: None,
                // Never over a database that has tables: the target was checked to be new.
                force: false,
                jobs: 1,
                safety: drydock_backup::CreateOptions::new(dir.clone()),
            };
            let outcome =
                drydock_engine::tasks::backup::restore(&dir, &manifest, target, &options, events)?;
            Ok(done(
                RunStatus::Succeeded,
                outcome.summary(),
                json!({ "backup": outcome.manifest.id, "created": outcome.report.created }),
            ))
        }
        Request::LintPending { max_rows } => {
            let report =
                drydock_engine::tasks::deploy::lint_pending(project, url, *max_rows, events)?;
            Ok(done(
                if report.findings.is_empty() {
                    RunStatus::Succeeded
                } else {
                    RunStatus::Warned
                },
                format!(
                    "{} in the pending migrations",
                    counted(report.findings.len() as u64, "lint finding")
                ),
                drydock_lint::report::to_json(&report),
            ))
        }
    }
}

/// Whether the request comes from a page's form (without script): it wants a page back.
pub(crate) fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// `POST /api/tasks/{task}`: start a task for an operator; 202 with the run's id and its
/// events' URL, or (a page's form) a redirect to the run's page.
pub(crate) async fn start(
    State(app): State<Arc<Shared>>,
    Operator(identity): Operator,
    Path(task): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let page = wants_page(&headers);
    let given = Given::read(&headers, &body);
    let started = match &given {
        Ok(given) => match ask(&task, given) {
            Ok(asked) => launch(&app, &identity, asked).await,
            Err(error) => Err(error),
        },
        Err(_) => Err(bad_body()),
    };
    match started {
        Ok(started) if page => {
            Redirect::to(&format!("/dashboard/runs/{}", started.id)).into_response()
        }
        Ok(started) => (
            StatusCode::ACCEPTED,
            Json(json!({
                "version": JSON_VERSION,
                "run": started.id,
                "events": format!("/api/runs/{}/events", started.id),
            })),
        )
            .into_response(),
        Err(error) if page => {
            let given = given.map(|g| g.0).unwrap_or_default();
            crate::maintenance::page(&app, &identity, Some(&task), &given, Some(error)).await
        }
        Err(error) => error.into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EventsQuery {
    /// Lines before this one are left out (a page that shows them already).
    after: Option<usize>,
}

/// `GET /api/runs/{id}/events`: the run's log as Server-Sent Events. A run of this server:
/// its lines so far, then the new ones as they come, then `end`. A run that has ended: its
/// stored log, then `end`. A run another process is running: its stored log, read again every
/// two seconds until it ends.
pub(crate) async fn events(
    State(app): State<Arc<Shared>>,
    _: Viewer,
    Path(id): Path<String>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // A browser reconnecting says the last event it got.
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map(|last| last + 1);
    let after = query.after.or(resumed).unwrap_or(0);
    if let Some(live) = app.tasks.live(&id) {
        let (backlog, receiver) = live.follow(after);
        let following = stream::unfold(receiver, |receiver| async move {
            let mut receiver = receiver?;
            let frame = match receiver.recv().await {
                Ok(frame) => frame,
                Err(broadcast::error::RecvError::Lagged(skipped)) => Frame::Lagged(skipped),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            let ended = matches!(frame, Frame::End(_));
            Some((frame, (!ended).then_some(receiver)))
        });
        return Ok(sse(stream::iter(backlog).chain(following)));
    }
    let run = read_run(&app, &id).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "no run has the id `{id}`, or several start with it: /api/runs lists them"
        ))
    })?;
    Ok(sse(stored(app, run, after)))
}

/// The run `id` of the run log.
pub(crate) async fn read_run(app: &Arc<Shared>, id: &str) -> Result<Option<Run>, ApiError> {
    let wanted = id.to_owned();
    facts::blocking(app, move |app| {
        let mut log = drydock_engine::open_run_log(&app.project, app.url.as_deref())?;
        Ok::<_, EngineError>(log.get(&wanted)?)
    })
    .await?
    .map_err(|e| ApiError::engine(&e))
}

/// A stored log line: its level from the prefix the run log gives warnings and errors.
pub(crate) fn stored_line(text: &str) -> Line {
    let (level, line) = if let Some(rest) = text.strip_prefix("warning: ") {
        (Level::Warning, rest)
    } else if let Some(rest) = text.strip_prefix("error: ") {
        (Level::Error, rest)
    } else {
        (Level::Info, text)
    };
    Line {
        level,
        line: line.to_owned(),
    }
}

/// The frames of a run of the run log: its lines from `sent` on, and its end once it ended.
fn stored_frames(app: &Shared, run: &Run, sent: &mut usize) -> (Vec<Frame>, bool) {
    let lines: Vec<&str> = run.progress.log.lines().collect();
    let mut frames: Vec<Frame> = lines
        .iter()
        .enumerate()
        .skip(*sent)
        .map(|(i, text)| Frame::Line(i, stored_line(text)))
        .collect();
    *sent = (*sent).max(lines.len());
    let status = drydock_tasks::status_word(run);
    if status == RunStatus::Running.as_str() {
        return (frames, false);
    }
    if let (Some(examined), Some(affected)) = (run.progress.examined, run.progress.affected) {
        frames.push(Frame::Counts { examined, affected });
    }
    frames.push(Frame::End(End {
        run: run.start.id.clone(),
        status: status.to_owned(),
        summary: run.progress.summary.clone(),
        examined: run.progress.examined,
        affected: run.progress.affected,
        confirm: app
            .tasks
            .pending_apply(&run.start.id)
            .map(|(phrase, _)| phrase),
    }));
    (frames, true)
}

fn stored(app: Arc<Shared>, run: Run, after: usize) -> impl Stream<Item = Frame> + Send + 'static {
    struct Reading {
        app: Arc<Shared>,
        id: String,
        run: Option<Run>,
        sent: usize,
        ended: bool,
    }
    let reading = Reading {
        app,
        id: run.start.id.clone(),
        run: Some(run),
        sent: after,
        ended: false,
    };
    stream::unfold(reading, |mut reading| async move {
        if reading.ended {
            return None;
        }
        loop {
            let run = match reading.run.take() {
                Some(run) => run,
                None => {
                    tokio::time::sleep(POLL_EVERY).await;
                    match read_run(&reading.app, &reading.id).await {
                        Ok(Some(run)) => run,
                        // The run log went away: nothing more to follow.
                        _ => return None,
                    }
                }
            };
            let (frames, ended) = stored_frames(&reading.app, &run, &mut reading.sent);
            reading.ended = ended;
            if ended || !frames.is_empty() {
                return Some((frames, reading));
            }
        }
    })
    .flat_map(stream::iter)
}

/// The frames as an SSE response, kept alive while quiet.
fn sse(frames: impl Stream<Item = Frame> + Send + 'static) -> Response {
    let events = frames.map(|frame| Ok::<_, Infallible>(sse_event(frame)));
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn sse_event(frame: Frame) -> SseEvent {
    let event = |name: &str, data: Value| SseEvent::default().event(name).data(data.to_string());
    match frame {
        Frame::Line(index, line) => event("line", json!(line)).id(index.to_string()),
        Frame::Progress { step, done, total } => event(
            "progress",
            json!({ "step": step, "done": done, "total": total }),
        ),
        Frame::Counts { examined, affected } => event(
            "counts",
            json!({ "examined": examined, "affected": affected }),
        ),
        Frame::Lagged(skipped) => event("lagged", json!({ "skipped": skipped })),
        Frame::End(end) => event("end", json!(end)),
    }
}
