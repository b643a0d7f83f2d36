//! The database work of the server: drydock's sessions are synchronous, so each piece of work
//! runs on a blocking thread, and at most `[serve] connections` pieces run at once (each opens
//! its own sessions and closes them when done). What the probes, the metrics and the pages
//! read, gathered with drydock-engine's functions.
//!
//! The facts the health report and the metrics give are read at most once per [`FACTS_TTL`]:
//! an orchestrator, a load balancer and Prometheus polling at once share one reading instead
//! of each opening sessions, and requests that come while it is read wait for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use drydock_connector::StatsRequest;
use drydock_engine::migrate::StatusReport;
use drydock_engine::tasks::{self, Missing};
use drydock_engine::{BackupState, EngineError};
use tokio::sync::{Mutex, Semaphore};

use crate::Shared;
use crate::api::ApiError;

/// The bound on work that holds database sessions.
pub(crate) struct Pool {
    permits: Arc<Semaphore>,
    size: usize,
}

/// How the pool stands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolState {
    pub(crate) size: usize,
    pub(crate) in_use: usize,
}

impl Pool {
    pub(crate) fn new(size: usize) -> Pool {
        let size = size.clamp(1, Semaphore::MAX_PERMITS);
        Pool {
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    pub(crate) fn state(&self) -> PoolState {
        PoolState {
            size: self.size,
            in_use: self.size.saturating_sub(self.permits.available_permits()),
        }
    }
}

/// Run `work` on a blocking thread once the pool has room.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<Shared>,
    work: impl FnOnce(&Arc<Shared>) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let permit = app
        .pool
        .permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal())?;
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&app)
    })
    .await
    .map_err(|_| ApiError::internal())
}

/// How long a reading of the facts (or of the overview's) answers before the next request
/// reads them again.
pub(crate) const FACTS_TTL: Duration = Duration::from_secs(1);

/// The latest reading of something many requests read, shared for [`FACTS_TTL`], or until
/// this server changes what it reads ([`Latest::forget`]).
pub(crate) struct Latest<T> {
    latest: Mutex<Option<Reading<T>>>,
    /// Raised by [`Latest::forget`]: a reading begun before it is not served after it.
    generation: AtomicU64,
}

struct Reading<T> {
    at: Instant,
    generation: u64,
    value: Arc<T>,
}

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Latest {
            latest: Mutex::new(None),
            generation: AtomicU64::new(0),
        }
    }
}

impl<T: Send + Sync + 'static> Latest<T> {
    /// The latest reading, or a new one by `read` (on a blocking thread, within the pool's
    /// bound) when it is older than [`FACTS_TTL`] or forgotten. One request reads; those that
    /// come meanwhile wait for its reading.
    pub(crate) async fn get(
        &self,
        app: &Arc<Shared>,
        read: impl FnOnce(&Arc<Shared>) -> T + Send + 'static,
    ) -> Result<Arc<T>, ApiError> {
        let mut latest = self.latest.lock().await;
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(reading) = latest.as_ref()
            && reading.generation == generation
            && reading.at.elapsed() < FACTS_TTL
        {
            return Ok(reading.value.clone());
        }
        let at = Instant::now();
        let value = Arc::new(blocking(app, read).await?);
        *latest = Some(Reading {
            at,
            generation,
            value: value.clone(),
        });
        Ok(value)
    }

    /// What was read is out of date (a task of this server ended): the next request reads
    /// again.
    pub(crate) fn forget(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// The facts the health report and the metrics give, read at most once per [`FACTS_TTL`].
pub(crate) async fn latest_facts(app: &Arc<Shared>) -> Result<Arc<Facts>, ApiError> {
    app.facts.get(app, |app| app.facts()).await
}

/// What the health report and the metrics say of the database.
pub(crate) struct Facts {
    pub(crate) at: DateTime<Utc>,
    /// How long opening a session took, or why it failed.
    pub(crate) connect: Result<Duration, EngineError>,
    /// The migrations, once connected.
    pub(crate) status: Option<Result<StatusReport, EngineError>>,
    pub(crate) backup: BackupState,
    /// Seconds this server or its replicas lag behind, where the database tells.
    pub(crate) replication_lag: Option<f64>,
    /// When the latest `check` run started, and its findings, when there is one.
    pub(crate) check_findings: Option<(DateTime<Utc>, Vec<drydock_maintenance::LoggedFinding>)>,
}

impl Shared {
    /// A session on the served database, and how long it took to open.
    pub(crate) fn connect(
        &self,
    ) -> Result<(Duration, Box<dyn drydock_connector::Connection>), EngineError> {
        let started = Instant::now();
        let (_, connection) =
            tasks::connect(&self.project, self.url.as_deref(), Missing::Fail, &|_| {})?;
        Ok((started.elapsed(), connection))
    }

    /// The migrations of the project against the database, as `migrate status` reads them.
    pub(crate) fn status(&self) -> Result<StatusReport, EngineError> {
        let (_, mut connection) = self.connect()?;
        Ok(drydock_engine::migrate::status(
            connection.as_mut(),
            &self.project.migrations_dir,
        )?)
    }

    /// Everything the health report and the metrics need.
    pub(crate) fn facts(&self) -> Facts {
        let at = Utc::now();
        let (connect, status) = match self.connect() {
            Ok((took, mut connection)) => {
                let status = drydock_engine::migrate::status(
                    connection.as_mut(),
                    &self.project.migrations_dir,
                )
                .map_err(EngineError::from);
                (Ok(took), Some(status))
            }
            Err(error) => (Err(error), None),
        };
        let backup = match self.project.migration_url(self.url.as_deref()) {
            Ok(url) => {
                tasks::backup::backup_state(&self.settings, &self.settings.backup_dir(None), &url)
            }
            Err(_) => BackupState::NotConfigured,
        };
        let replication_lag = connect.is_ok().then(|| self.replication_lag()).flatten();
        // The run log may be out of reach with the database: then no findings are exported.
        let check_findings = connect
            .is_ok()
            .then(|| self.latest_check().ok().flatten())
            .flatten()
            .map(|check| (check.run.start.started_at, check.findings));
        Facts {
            at,
            connect,
            status,
            backup,
            replication_lag,
            check_findings,
        }
    }

    /// The largest lag the database's monitoring facts give, if any.
    fn replication_lag(&self) -> Option<f64> {
        let mut stats = drydock_engine::open_stats(&self.project, self.url.as_deref()).ok()?;
        let facts = stats.collect(&StatsRequest { top_queries: 0 }).ok()?;
        facts
            .replication
            .iter()
            .filter_map(|replica| replica.lag_seconds)
            .reduce(f64::max)
    }
}
