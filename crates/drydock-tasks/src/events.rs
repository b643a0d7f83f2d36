//! The one interface through which a task reports what it does.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// Something a task reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A line of the task's log.
    Log { level: Level, line: String },
    /// How far a step has come: `done` of `total` (when known) in the step's own unit.
    Progress {
        step: String,
        done: u64,
        total: Option<u64>,
    },
    /// Rows, objects or files looked at and changed so far, in all (not an increment).
    Counts { examined: u64, affected: u64 },
}

/// Where a task's events go. Called from the task's thread; implementations forward to a
/// terminal, a channel or the run log.
pub trait Events: Sync {
    fn event(&self, event: Event);

    /// Who asked for the task when it is not this process's user: the person signed in to
    /// `drydock serve`, an API token. Records of what the task changes (the audit log) name
    /// them; `None` for a task started by this process's user.
    fn on_behalf_of(&self) -> Option<String> {
        None
    }

    fn info(&self, line: &str) {
        self.event(Event::Log {
            level: Level::Info,
            line: line.to_owned(),
        });
    }

    fn warning(&self, line: &str) {
        self.event(Event::Log {
            level: Level::Warning,
            line: line.to_owned(),
        });
    }
}

impl<F: Fn(Event) + Sync> Events for F {
    fn event(&self, event: Event) {
        self(event);
    }
}
