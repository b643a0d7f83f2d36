//! `drydock cleanup`: orphaned rows per relation (a dry run), archived and removed with
//! `--apply`; `drydock cleanup restore ARCHIVE` puts them back.

use std::process::ExitCode;

use drydock_engine::{Discovery, EngineError};
use drydock_maintenance::{CleanupOutcome, OrphanAction};
use serde_json::json;

use crate::cli::{CleanupArgs, CleanupCommand};
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

pub(crate) fn run(discovery: Discovery<'_>, args: CleanupArgs) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let events = crate::terminal::events();
    if let Some(CleanupCommand::Restore {
        archive,
        connection,
        output,
    }) = args.command
    {
        let url = project
            .migration_url(connection.url.as_deref())
            .map_err(EngineError::from)?;
        let restored = drydock_maintenance::restore(project.dialect, &url, &archive, events);
        crate::terminal::clear_progress();
        let restored = restored?;
        crate::terminal::summary(format!(
            "restored archive {}: {} rows inserted, {} rows set back",
            restored.archive, restored.inserted, restored.relinked
        ));
        if output.json {
            print_json(&json!({ "version": JSON_VERSION, "restore": restored }))?;
        } else {
            crate::terminal::say(&format!(
                "Restored archive {}: {} rows inserted again, {} rows set back (unlinked or updated) ({} \
                 batches).",
                restored.archive, restored.inserted, restored.relinked, restored.batches
            ));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut options =
        drydock_engine::tasks::cleanup::cleanup_options(&project, args.connection.url.as_deref())?;
    options.only = args.only;
    options.apply = args.apply;
    options.action = args.action.as_deref().and_then(OrphanAction::parse);
    options.batch_size = args.batch_size;
    options.lock_timeout = args.lock_timeout;
    options.archive_dir = args.archive_dir;
    if args.apply {
        options.interrupt = crate::signals::stop_on_signals()?;
    }
    let outcome = drydock_engine::tasks::cleanup::run(&project, &options, events);
    crate::terminal::clear_progress();
    let outcome = outcome?;
    crate::terminal::summary(outcome.summary());
    if args.output.json {
        print_json(&json!({
            "version": JSON_VERSION,
            "applied": outcome.applied,
            "resumed": outcome.resumed,
            "examined": outcome.examined,
            "affected": outcome.affected,
            "relations": outcome.relations,
            "rules": outcome.rules,
            "findings": outcome.findings,
            "archive": outcome.archive,
        }))?;
    } else {
        for line in render(&outcome).lines() {
            crate::terminal::say(line);
        }
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
    for rule in &outcome.rules {
        text.push_str(&format!(
            "rule {}: {} rows of {}{}; {}: {}\n",
            rule.rule,
            rule.rows,
            rule.table,
            if rule.samples.is_empty() {
                String::new()
            } else {
                format!(", e.g. {}", rule.samples.join("; "))
            },
            if outcome.applied {
                format!("changed {} rows by", rule.affected)
            } else {
                "--apply runs in batches".to_owned()
            },
            rule.statement
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
            "Deleted, unlinked or updated {} rows{}; archived first in {} (sha256 {}). Put them back \
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
        (None, false) if outcome.rules.is_empty() => text.push_str(&format!(
            "Dry run: {} orphans. `drydock cleanup --apply` archives them, then deletes or \
             unlinks them.\n",
            outcome.examined
        )),
        (None, false) => text.push_str(&format!(
            "Dry run: {} rows (orphans and rule rows). `drydock cleanup --apply` archives them, \
             then changes them.\n",
            outcome.examined
        )),
    }
    text
}
