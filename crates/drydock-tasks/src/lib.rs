//! What every task shares, whoever starts it (the CLI, the server, the scheduler): the
//! [`Events`] it reports while it runs (log lines, progress, counts of rows) and the
//! [`Recorder`] that keeps a run of it in the run log ([`drydock_connector::RunLog`]).
//!
//! A task is a library function that takes its typed options and a `&dyn Events`; it never
//! prints. The CLI turns events into text and progress bars, the server streams them.

mod events;
mod recorder;
mod view;

pub use events::{Event, Events, Level};
pub use recorder::{OpenRunLog, Recorder, actor, host_name};
pub use view::{duration, run_json, status_word};
