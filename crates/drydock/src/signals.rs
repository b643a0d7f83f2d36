//! Ctrl-C and `SIGTERM` (a CI runner's stop): the first one stops a running deploy cleanly (its
//! statement is cancelled on the server and what ran is recorded); a second one, or one with no
//! deploy running, ends the process at once with exit code 130.

use anyhow::Context;
use drydock_connector::Interrupt;

/// Handle Ctrl-C and `SIGTERM` for the rest of the process; the returned request is triggered
/// by the first of them.
pub(crate) fn stop_on_signals() -> anyhow::Result<Interrupt> {
    let interrupt = Interrupt::new();
    let handler = interrupt.clone();
    ctrlc::set_handler(move || {
        if handler.is_triggered() || !handler.has_sessions() {
            std::process::exit(i32::from(crate::output::INTERRUPTED));
        }
        eprintln!(
            "\nStopping: cancelling the running statement and recording what ran (Ctrl-C again \
             quits at once)."
        );
        handler.trigger();
    })
    .context("cannot handle Ctrl-C and SIGTERM")?;
    Ok(interrupt)
}
