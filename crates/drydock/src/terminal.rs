//! The terminal's side of the tasks' [`Events`]: log lines on stderr, progress as bars (on a
//! terminal only). A command the run log records gets the same events through its
//! [`Recorder`], which keeps them and passes them on here (see [`events`]).

use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use drydock_engine::tasks::backup::DUMP_STEP;
use drydock_engine::tasks::deploy::APPLY_STEP;
use drydock_tasks::{Event, Events, Level, Recorder};

/// Log lines on stderr (through the progress bar when one is drawn), progress as bars.
pub(crate) struct Terminal {
    state: Mutex<State>,
}

struct State {
    /// Only warnings and errors go to stderr (commands whose `--json` output is all they say).
    quiet: bool,
    bar: Option<(String, indicatif::ProgressBar)>,
}

static TERMINAL: Terminal = Terminal {
    state: Mutex::new(State {
        quiet: false,
        bar: None,
    }),
};

/// The run of the command being run, when the run log records it.
static RECORDER: OnceLock<Recorder<'static>> = OnceLock::new();

/// The one-line summary of the command's result, for the run log.
static SUMMARY: Mutex<Option<String>> = Mutex::new(None);

/// Where tasks report: the run being recorded (which passes everything on to the terminal),
/// else the terminal.
pub(crate) fn events() -> &'static dyn Events {
    match RECORDER.get() {
        Some(recorder) => recorder,
        None => &TERMINAL,
    }
}

/// The terminal alone, for the run log's own warnings.
pub(crate) fn terminal() -> &'static Terminal {
    &TERMINAL
}

/// Record the command's run from now on; `false` when one is recorded already.
pub(crate) fn record(recorder: Recorder<'static>) -> bool {
    RECORDER.set(recorder).is_ok()
}

/// The run being recorded.
pub(crate) fn recorder() -> Option<&'static Recorder<'static>> {
    RECORDER.get()
}

/// Say only warnings and errors on stderr from now on.
pub(crate) fn quiet(quiet: bool) {
    TERMINAL.lock().quiet = quiet;
}

/// A line of the command's result on stdout, kept in the run log too.
pub(crate) fn say(line: &str) {
    TERMINAL.suspend(|| println!("{line}"));
    if let Some(recorder) = RECORDER.get() {
        recorder.note(&Event::Log {
            level: Level::Info,
            line: line.to_owned(),
        });
    }
}

/// The one-line summary the run log keeps of the command's result.
pub(crate) fn summary(line: String) {
    if let Ok(mut summary) = SUMMARY.lock() {
        *summary = Some(line);
    }
}

/// The summary set by [`summary`], once.
pub(crate) fn take_summary() -> Option<String> {
    SUMMARY.lock().ok().and_then(|mut summary| summary.take())
}

/// Clear the progress bar of the task that ended.
pub(crate) fn clear_progress() {
    if let Some((_, bar)) = TERMINAL.lock().bar.take() {
        bar.finish_and_clear();
    }
}

impl Terminal {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while the lock was held left at most a bar undrawn.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn suspend(&self, print: impl FnOnce()) {
        let state = self.lock();
        match &state.bar {
            Some((_, bar)) => bar.suspend(print),
            None => print(),
        }
    }

    fn progress(&self, step: &str, done: u64, total: Option<u64>) {
        let mut state = self.lock();
        let family = family(step);
        if state.bar.as_ref().is_none_or(|(kind, _)| kind != family) {
            if let Some((_, bar)) = state.bar.take() {
                bar.finish_and_clear();
            }
            state.bar = Some((family.to_owned(), new_bar(family, total)));
        }
        let Some((_, bar)) = &state.bar else {
            return;
        };
        if family == APPLY_STEP {
            if let Some(total) = total
                && total > 1
                && bar.length() != Some(total)
                && std::io::stderr().is_terminal()
            {
                bar.set_length(total);
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            if let Some(message) = step
                .strip_prefix(APPLY_STEP)
                .and_then(|m| m.strip_prefix(": "))
            {
                bar.set_message(message.to_owned());
            }
        } else if family != DUMP_STEP {
            bar.set_message(step.to_owned());
            if let Some(total) = total {
                bar.set_length(total);
            }
        }
        bar.set_position(done);
    }
}

/// The part of a progress step that picks its bar: `applying migrations: 20240101_init` is
/// `applying migrations`.
fn family(step: &str) -> &str {
    if step.starts_with(APPLY_STEP) {
        APPLY_STEP
    } else {
        step
    }
}

fn new_bar(family: &str, total: Option<u64>) -> indicatif::ProgressBar {
    if family == APPLY_STEP {
        // Drawn once a deploy applies more than one migration.
        return crate::output::migration_progress(0);
    }
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let (bar, template) = match (family, total) {
        (DUMP_STEP, _) => (
            indicatif::ProgressBar::no_length(),
            "{spinner} {bytes} dumped, {bytes_per_sec}",
        ),
        (_, Some(total)) => (
            indicatif::ProgressBar::new(total),
            "{spinner} {msg} [{bar:30}] {pos}/{len}",
        ),
        (_, None) => (indicatif::ProgressBar::no_length(), "{spinner} {msg} {pos}"),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

impl Events for Terminal {
    fn event(&self, event: Event) {
        match event {
            Event::Log { level, line } => {
                if level == Level::Info && self.lock().quiet {
                    return;
                }
                self.suspend(|| match level {
                    Level::Info => eprintln!("{line}"),
                    Level::Warning => eprintln!("Warning: {line}"),
                    Level::Error => eprintln!("Error: {line}"),
                });
            }
            Event::Progress { step, done, total } => self.progress(&step, done, total),
            Event::Counts { .. } => {}
        }
    }
}
