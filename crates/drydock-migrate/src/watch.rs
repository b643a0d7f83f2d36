//! Watching a migration while it runs: a second session, opened only once a migration has run
//! for a moment, samples what the migrating session waits for (and who blocks it) and how far
//! its statement has come, and hands each sample to the caller.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use drydock_connector::{Connection, ConnectorError, SessionActivity};

/// Opens the watching session (on the deploy's database, as the deploy's user).
pub type OpenWatchConnection =
    Arc<dyn Fn() -> Result<Box<dyn Connection>, ConnectorError> + Send + Sync>;

/// Receives every sample, from the watching thread.
pub type WatchReporter = Arc<dyn Fn(&WatchEvent) + Send + Sync>;

/// How to watch migrations.
#[derive(Clone)]
pub struct WatchOptions {
    pub open: OpenWatchConnection,
    pub report: WatchReporter,
    /// Time between samples; also how long a migration runs before the first one.
    pub interval: Duration,
}

/// One sample of a running migration.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    Sample {
        migration: String,
        /// Since the migration started.
        elapsed: Duration,
        activity: SessionActivity,
    },
    /// The watching session could not be opened or could not read the catalogs; watching stops
    /// for this deploy (the deploy itself goes on).
    Unavailable { reason: String },
}

enum Command {
    Start { migration: String },
    Stop,
}

/// The watching thread. Dropping it stops the thread.
pub(crate) struct Watcher {
    commands: Option<Sender<Command>>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Watch the session `session_id`. Nothing connects until a migration runs longer than
    /// `options.interval`.
    pub(crate) fn spawn(options: WatchOptions, session_id: String) -> Watcher {
        let (commands, receiver) = channel();
        let thread = std::thread::spawn(move || watch(&options, &session_id, &receiver));
        Watcher {
            commands: Some(commands),
            thread: Some(thread),
        }
    }

    /// Start sampling `migration`; samples stop when the returned guard is dropped.
    pub(crate) fn watching(&self, migration: &str) -> Watching<'_> {
        self.send(Command::Start {
            migration: migration.to_owned(),
        });
        Watching { watcher: self }
    }

    fn send(&self, command: Command) {
        if let Some(commands) = &self.commands {
            // A thread that ended (its watching session failed) needs no more commands.
            let _ = commands.send(command);
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.commands.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sampling one migration; dropping it stops the samples.
pub(crate) struct Watching<'w> {
    watcher: &'w Watcher,
}

impl Drop for Watching<'_> {
    fn drop(&mut self) {
        self.watcher.send(Command::Stop);
    }
}

fn watch(options: &WatchOptions, session_id: &str, commands: &Receiver<Command>) {
    let mut connection: Option<Box<dyn Connection>> = None;
    let mut current: Option<(String, Instant)> = None;
    loop {
        match commands.recv_timeout(options.interval) {
            Ok(Command::Start { migration }) => current = Some((migration, Instant::now())),
            Ok(Command::Stop) => current = None,
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                let Some((migration, started)) = &current else {
                    continue;
                };
                if connection.is_none() {
                    match (options.open)() {
                        Ok(opened) => connection = Some(opened),
                        Err(error) => return unavailable(options, &error),
                    }
                }
                let Some(watching) = connection.as_mut() else {
                    continue;
                };
                let Some(sessions) = watching.sessions() else {
                    return unavailable(
                        options,
                        &ConnectorError::query("this database does not tell what a session does"),
                    );
                };
                match sessions.observe_session(session_id) {
                    Ok(activity) => (options.report)(&WatchEvent::Sample {
                        migration: migration.clone(),
                        elapsed: started.elapsed(),
                        activity,
                    }),
                    Err(error) => return unavailable(options, &error),
                }
            }
        }
    }
}

fn unavailable(options: &WatchOptions, error: &ConnectorError) {
    (options.report)(&WatchEvent::Unavailable {
        reason: error.to_string(),
    });
}
