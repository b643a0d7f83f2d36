//! How results and errors reach the terminal: messages on stderr, data on stdout, JSON when
//! asked, progress bars only on a terminal.

use std::io::IsTerminal;

use drydock_backup::BackupError;
use drydock_connector::redact_text;
use drydock_engine::EngineError;
use drydock_engine::migrate::MigrateError;

/// Print an error with its stable code, the whole cause chain, and nothing secret: URLs are
/// redacted where messages are made, and once more here, should a cause (a driver's or a
/// tool's text) echo one.
pub(crate) fn print_error(error: &anyhow::Error) {
    let code = code_of(error);
    let message = error.to_string();
    eprintln!("Error: [{code}] {}", redact_text(&message));
    // Many messages quote their cause; printing it again below says nothing new.
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            eprintln!("  caused by: {}", redact_text(&cause));
        }
    }
}

/// The stable code of `error`: the library's, else D1011 for a file the binary could not read
/// or write, else D1001 (arguments that do not fit together).
fn code_of(error: &anyhow::Error) -> &'static str {
    if let Some(engine) = error.downcast_ref::<EngineError>() {
        return engine.code();
    }
    if let Some(backup) = error.downcast_ref::<BackupError>() {
        return backup.code();
    }
    if let Some(cleanup) = error.downcast_ref::<drydock_maintenance::CleanupError>() {
        return cleanup.code();
    }
    if let Some(serve) = error.downcast_ref::<drydock_serve::ServeError>() {
        return serve.code();
    }
    if error.chain().any(|cause| cause.is::<std::io::Error>()) {
        "D1011"
    } else {
        "D1001"
    }
}

/// Exit code of `migrate dev` when the development database needs a reset. Prisma uses 130,
/// which shells and CI read as Ctrl-C; drydock leaves 130 to Ctrl-C (docs/exit-codes.md).
pub(crate) const RESET_NEEDED: u8 = 3;

/// Exit code of a deploy stopped by Ctrl-C or SIGTERM, as shells report a process that Ctrl-C
/// ended.
pub(crate) const INTERRUPTED: u8 = 130;

/// Exit code when the user answers no to a confirmation (a reset, data loss).
pub(crate) const DECLINED: u8 = 4;

/// [`RESET_NEEDED`] when `migrate dev` needs a reset, [`INTERRUPTED`] when Ctrl-C or SIGTERM
/// stopped a deploy, 1 for every other error (docs/exit-codes.md).
pub(crate) fn exit_code_of(error: &anyhow::Error) -> u8 {
    match error.downcast_ref::<EngineError>() {
        Some(EngineError::ResetNeeded { .. }) => RESET_NEEDED,
        Some(EngineError::Migrate(MigrateError::Interrupted { .. })) => INTERRUPTED,
        _ if matches!(
            error.downcast_ref::<drydock_maintenance::CleanupError>(),
            Some(drydock_maintenance::CleanupError::Interrupted { .. })
        ) =>
        {
            INTERRUPTED
        }
        _ => 1,
    }
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A progress bar over `total` migrations when stderr is a terminal; hidden otherwise.
pub(crate) fn migration_progress(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || total < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} applying migrations [{bar:30}] {pos}/{len} {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `rows` under `header` in columns as wide as their widest cell, two spaces apart; the last
/// column is not padded.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut line = String::new();
        for (index, cell) in cells.enumerate() {
            if index + 1 == widths.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[index]));
            }
        }
        format!("{}\n", line.trim_end())
    };
    let mut text = line(&mut header.iter().copied());
    for row in rows {
        text.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    text
}
