//! `drydock cleanup`: orphaned rows per relation (a dry run), archived and removed with
//! `--apply`; `drydock cleanup restore ARCHIVE` puts them back.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Mutex;

use drydock_engine::{Discovery, EngineError};
use drydock_maintenance::{CleanupOptions, CleanupOutcome, OrphanAction};
use drydock_tasks::{Event, Events, Level};
use serde_json::json;

use crate::cli::{CleanupArgs, CleanupCommand};
use crate::commands::runs::Recording;
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

/// Events on the terminal (log lines on stderr, a progress bar when stderr is one) and in the
/// run log.
struct Terminal<'a> {
    bar: Mutex<Option<(String, indicatif::ProgressBar)>>,
    recording: Option<&'a Recording>,
}

impl Terminal<'_> {
    fn finish(&self) {
        if let Ok(mut bar) = self.bar.lock()
            && let Some((_, bar)) = bar.take()
        {
            bar.finish_and_clear();
        }
    }
}

impl Events for Terminal<'_> {
    fn event(&self, event: Event) {
        if let Some(recording) = self.recording {
            recording.events().event(event.clone());
        }
        match event {
            Event::Log { level, line } => {
                let prefix = match level {
                    Level::Info => "",
                    Level::Warning => "Warning: ",
                    Level::Error => "Error: ",
                };
                let text = format!("{prefix}{line}");
                match self.bar.lock().ok().as_deref().and_then(Option::as_ref) {
                    Some((_, bar)) => bar.println(text),
                    None => eprintln!("{text}"),
                }
            }
            Event::Progress { step, done, total } => {
                if !std::io::stderr().is_terminal() {
                    return;
                }
                let Ok(mut slot) = self.bar.lock() else {
                    return;
                };
                if slot.as_ref().is_none_or(|(current, _)| current != &step) {
                    if let Some((_, old)) = slot.take() {
                        old.finish();
                    }
                    let bar = indicatif::ProgressBar::new(total.unwrap_or(0));
                    if let Ok(style) = indicatif::ProgressStyle::with_template(
                        "{spinner} {msg} [{bar:30}] {pos}/{len} rows, {per_sec}, {eta} left",
                    ) {
                        bar.set_style(style.progress_chars("=> "));
                    }
                    bar.set_message(step.clone());
                    *slot = Some((step, bar));
                }
                if let Some((_, bar)) = slot.as_ref() {
                    if let Some(total) = total {
                        bar.set_length(total);
                    }
                    bar.set_position(done);
                }
            }
            Event::Counts { .. } => {}
        }
    }
}

pub(crate) fn run(
    discovery: Discovery<'_>,
    args: CleanupArgs,
    recording: Option<&Recording>,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let terminal = Terminal {
        bar: Mutex::new(None),
        recording,
    };
    if let Some(CleanupCommand::Restore {
        archive,
        connection,
        output,
    }) = args.command
    {
        let url = project
            .migration_url(connection.url.as_deref())
            .map_err(EngineError::from)?;
        let restored = drydock_maintenance::restore(project.dialect, &url, &archive, &terminal);
        terminal.finish();
        let restored = restored?;
        if output.json {
            print_json(&json!({ "version": JSON_VERSION, "restore": restored }))?;
        } else {
            println!(
                "Restored archive {}: {} rows inserted again, {} references set back ({} batches).",
                restored.archive, restored.inserted, restored.relinked, restored.batches
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let url = project
        .migration_url(args.connection.url.as_deref())
        .map_err(EngineError::from)?;
    let mut options = CleanupOptions::new(url.clone(), project.relations(Some(&url)));
    options.namespaces = project.namespaces();
    options.only = args.only;
    options.apply = args.apply;
    options.action = match args.action.as_deref() {
        Some("delete") => Some(OrphanAction::Delete),
        Some("set-null") => Some(OrphanAction::SetNull),
        _ => None,
    };
    options.batch_size = args.batch_size;
    options.lock_timeout = args.lock_timeout;
    options.archive_dir = args.archive_dir;
    if args.apply {
        options.interrupt = crate::signals::stop_on_signals()?;
    }
    let outcome = drydock_maintenance::cleanup(project.dialect, &options, &terminal);
    terminal.finish();
    let outcome = outcome?;
    if args.output.json {
        print_json(&json!({
            "version": JSON_VERSION,
            "applied": outcome.applied,
            "resumed": outcome.resumed,
            "examined": outcome.examined,
            "affected": outcome.affected,
            "relations": outcome.relations,
            "findings": outcome.findings,
            "archive": outcome.archive,
        }))?;
    } else {
        print!("{}", render(&outcome));
    }
    Ok(ExitCode::SUCCESS)
}

fn render(outcome: &CleanupOutcome) -> String {
    let mut text = String::new();
    for relation in &outcome.relations {
        let orphans = &relation.orphans;
        let action = match (relation.action, outcome.applied) {
            (Some(action), true) => format!(
                "{} {} rows",
                match action {
                    OrphanAction::Delete => "deleted",
                    OrphanAction::SetNull => "unlinked",
                },
                relation.affected
            ),
            (Some(action), false) => format!("--apply: {}", action.as_str()),
            (None, _) => "--apply needs --action".to_owned(),
        };
        text.push_str(&format!(
            "{}: {} orphans ({}.{} -> {}.{}, onDelete {}{}){}; {action}\n",
            orphans.relation,
            orphans.orphans,
            orphans.table,
            orphans.columns.join(","),
            orphans.referenced_table,
            orphans.referenced_columns.join(","),
            orphans.on_delete,
            if orphans.enforced {
                ""
            } else {
                ", no foreign key"
            },
            if orphans.samples.is_empty() {
                String::new()
            } else {
                format!(", e.g. {}", orphans.samples.join("; "))
            },
        ));
    }
    for finding in &outcome.findings {
        text.push_str(&format!(
            "[{}] {}: {}\n",
            finding.code,
            finding.severity.as_str(),
            finding.title
        ));
    }
    match (&outcome.archive, outcome.applied) {
        (Some(archive), _) => text.push_str(&format!(
            "Deleted or unlinked {} rows{}; archived first in {} (sha256 {}). Put them back \
             with `drydock cleanup restore {}`.\n",
            outcome.affected,
            outcome
                .resumed
                .as_ref()
                .map(|id| format!(" (resuming {id})"))
                .unwrap_or_default(),
            archive.file.display(),
            archive.sha256,
            archive.file.display()
        )),
        (None, true) => text.push_str("No orphans: nothing changed.\n"),
        (None, false) if outcome.examined == 0 => text.push_str("No orphans.\n"),
        (None, false) => text.push_str(&format!(
            "Dry run: {} orphans. `drydock cleanup --apply` archives them, then deletes or \
             unlinks them.\n",
            outcome.examined
        )),
    }
    text
}
