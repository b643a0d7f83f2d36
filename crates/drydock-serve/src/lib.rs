//! `drydock serve`: one process that serves the maintenance dashboard (server-rendered pages),
//! a JSON API described by an OpenAPI document, health probes and Prometheus metrics for a
//! project (docs/serve.md).
//!
//! The rest of drydock is synchronous: every database session the server needs runs on
//! tokio's blocking threads, and a semaphore bounds how many are open at once
//! ([`drydock_engine::ServeSettings::connections`]). Status, runs and `check` come from
//! drydock-engine's own functions; nothing here names a database.
//!
//! - [`serve`]: listen and answer until the process ends (the binary's `drydock serve`).
//! - [`App::new`] and [`App::router`]: the same server as an axum [`axum::Router`], to run on a
//!   listener of one's own (tests).
//! - [`hash_secret`]: the argon2 hash `[serve]` keeps of a password or token.

mod api;
mod auth;
mod backups;
mod error;
mod facts;
mod health;
mod maintenance;
mod metrics;
mod migrations;
mod pages;
mod performance;
mod scheduler;
mod shutdown;
mod svg;
mod tasks;
mod tls;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use drydock_engine::{Project, Settings};
use drydock_tasks::Events;

pub use auth::hash_secret;
pub use error::ServeError;

/// Where `drydock serve` listens when neither `--listen` nor `[serve] listen` says.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";

/// How `drydock serve` runs: the project, and the command line's flags (which override
/// `[serve]` in `drydock.toml`).
pub struct ServeOptions {
    pub project: Project,
    /// `--url`: the database to serve instead of the project's.
    pub url: Option<String>,
    /// `--listen`: the address and port.
    pub listen: Option<String>,
    /// `--tls-cert` and `--tls-key`: PEM files to serve HTTPS with.
    pub tls: Option<TlsFiles>,
    /// `--trust-proxy`: a proxy in front terminates TLS and names the client in
    /// `X-Forwarded-For` (also `[serve] trust_proxy`).
    pub trust_proxy: bool,
    /// Runs the `[[schedule]]` jobs (docs/schedule.md); `None`: this instance runs none.
    pub jobs: Option<drydock_engine::job_runner::JobRunner>,
}

/// A certificate chain and its private key, PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The server, ready to be routed: the project, its settings, who may sign in, the bound on
/// database sessions and the metrics.
#[derive(Clone)]
pub struct App {
    shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) project: Project,
    pub(crate) url: Option<String>,
    pub(crate) settings: Settings,
    pub(crate) auth: auth::Auth,
    pub(crate) pool: facts::Pool,
    pub(crate) facts: facts::Latest<facts::Facts>,
    pub(crate) overview: facts::Latest<pages::OverviewReading>,
    pub(crate) metrics: metrics::Metrics,
    pub(crate) pages: pages::Templates,
    /// Cookies get `Secure`: the server speaks TLS, or a trusted proxy does for it.
    pub(crate) secure: bool,
    pub(crate) trust_proxy: bool,
    /// Where the server's own lines go (sign-in failures, the run log's warnings).
    pub(crate) events: &'static dyn Events,
    /// The tasks running from the server, their live feeds, the dry runs that may be applied.
    pub(crate) tasks: tasks::Tasks,
}

impl App {
    /// The server for `options`: `[serve]` read, its credentials checked (tokens from the
    /// environment read now), templates loaded. Listens nowhere yet.
    pub fn new(options: ServeOptions, events: &'static dyn Events) -> Result<App, ServeError> {
        let settings = Settings::load(&options.project)?;
        let serve = &settings.serve;
        let auth = auth::Auth::new(serve)?;
        if serve.users.is_empty() && serve.tokens.is_empty() {
            events.warning(
                "no `[[serve.users]]` or `[[serve.tokens]]` in drydock.toml: nobody can sign in, \
                 so only /healthz, /readyz and /metrics answer (docs/serve.md)",
            );
        }
        let trust_proxy = options.trust_proxy || serve.trust_proxy;
        let shared = Shared {
            pool: facts::Pool::new(serve.connections),
            facts: facts::Latest::default(),
            overview: facts::Latest::default(),
            metrics: metrics::Metrics::new()?,
            pages: pages::Templates::new()?,
            secure: options.tls.is_some() || trust_proxy,
            trust_proxy,
            auth,
            url: options.url,
            project: options.project,
            settings,
            events,
            tasks: tasks::Tasks::default(),
        };
        Ok(App {
            shared: Arc::new(shared),
        })
    }

    /// Every route of the server. Serve it with
    /// `into_make_service_with_connect_info::<SocketAddr>()`: sign-in limits are kept per client
    /// address.
    pub fn router(&self) -> Router {
        let state = self.shared.clone();
        let routes = Router::new()
            .route("/", get(pages::overview))
            .route("/login", get(pages::login_form).post(pages::login))
            .route("/logout", post(pages::logout))
            .route("/api/openapi.json", get(api::openapi))
            .route("/api/status", get(api::status))
            .route("/api/runs", get(api::runs))
            .route("/api/runs/{id}", get(api::run))
            .route("/api/schedule", get(scheduler::api))
            .route("/api/tasks/check", post(api::check))
            // Tasks with live logs and the maintenance page (tasks.rs, maintenance.rs).
            .route("/api/tasks/{task}", post(tasks::start))
            .route("/api/runs/{id}/events", get(tasks::events))
            .route("/dashboard/maintenance", get(maintenance::maintenance))
            .route("/dashboard/runs/{id}", get(maintenance::run_page))
            .route("/api/health/db", get(health::database))
            // Performance and backups.
            .route("/dashboard/performance", get(performance::page))
            .route("/api/performance", get(performance::api))
            .route("/dashboard/backups", get(backups::page))
            .route("/api/backups", get(backups::api))
            // The migrations page, its API and deployment approval.
            .route("/dashboard/migrations", get(migrations::page))
            .route("/api/migrations", get(migrations::api))
            .route("/api/migrations/approve", post(migrations::approve))
            .route("/healthz", get(health::healthz))
            .route("/readyz", get(health::readyz))
            .route("/metrics", get(metrics::metrics))
            // Measured once routed, so the route's pattern (not the path asked) labels it.
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                metrics::measure,
            ));
        routes
            .fallback(api::not_found)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                auth::authenticate,
            ))
            .with_state(state)
    }
}

/// Serve `options.project` until SIGTERM or SIGINT (then stop gracefully), running its
/// `[[schedule]]` jobs with `options.jobs`: listen where `--listen`, `[serve] listen`
/// or [`DEFAULT_LISTEN`] says, over TLS when cert and key are given. Says where it listens, and
/// warns when the address is not a loopback one and neither TLS nor a trusted proxy protects
/// the passwords and cookies on the way.
pub fn serve(mut options: ServeOptions, events: &'static dyn Events) -> Result<(), ServeError> {
    let tls = options.tls.clone();
    let written = options.listen.clone();
    let jobs = options.jobs.take();
    let app = App::new(options, events)?;
    let written = written
        .or_else(|| app.shared.settings.serve.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let address = parse_listen(&written)?;
    if !address.ip().is_loopback() && tls.is_none() && !app.shared.trust_proxy {
        events.warning(&format!(
            "listening on {address}, which other machines can reach, without TLS: passwords, \
             tokens and session cookies would cross the network in clear text. Give \
             `--tls-cert` and `--tls-key`, or put a TLS proxy in front and pass `--trust-proxy` \
             (docs/serve.md)"
        ));
    }
    let tls = tls.map(|files| tls::config(&files)).transpose()?;
    let listener = TcpListener::bind(address).map_err(|error| ServeError::Listen {
        address: address.to_string(),
        reason: error.to_string(),
    })?;
    let bound = listener.local_addr().map_err(ServeError::Runtime)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    events.info(&format!("drydock serve listening on {scheme}://{bound}"));
    let router = app.router();
    shutdown::serve_until_stopped(app.shared, router, listener, tls, jobs)
}

/// `address` as written, checked: an IP address and a port.
fn parse_listen(address: &str) -> Result<SocketAddr, ServeError> {
    address.parse().map_err(|_| ServeError::Listen {
        address: address.to_owned(),
        reason: "not an IP address and port, as in `127.0.0.1:7878` or `[::1]:7878`".to_owned(),
    })
}
