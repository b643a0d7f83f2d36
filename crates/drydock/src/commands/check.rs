//! `drydock check`: the database's health and its data against the schema and the rules of
//! drydock.toml, grouped by severity, or as JSON; exit 1 at or above `--fail-on`.

use std::process::ExitCode;

use drydock_engine::{Discovery, EngineError};
use drydock_maintenance::Severity;
use drydock_tasks::{Event, Level};
use serde_json::json;

use crate::cli::{CheckArgs, FailOn};
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

pub(crate) fn check(discovery: Discovery<'_>, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    // Findings are the report; only warnings about the run itself go to stderr. The run log
    // keeps every event.
    let events = |event: Event| {
        if let Event::Log {
            level: Level::Warning | Level::Error,
            line,
        } = &event
        {
            eprintln!("Warning: {line}");
        }
        if let Some(recorder) = crate::terminal::recorder() {
            recorder.note(&event);
        }
    };
    let only: Vec<String> = args.only.iter().map(|c| c.to_ascii_uppercase()).collect();
    if let Some(unknown) = only.iter().find(|c| {
        !drydock_maintenance::codes::ALL.contains(&c.as_str())
            && ![
                drydock_maintenance::ORPHANS,
                drydock_maintenance::RELATION_MISSING,
            ]
            .contains(&c.as_str())
    }) {
        return Err(EngineError::Usage(format!(
            "`--only {unknown}` is not a code of `drydock check`: docs/check.md lists them"
        ))
        .into());
    }
    let report = drydock_engine::check(&project, args.connection.url.as_deref(), only, &events)?;
    let fail_on = match args.fail_on {
        FailOn::Info => Severity::Info,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    };
    let failing = report.at_least(fail_on);
    crate::terminal::summary(report.summary());
    if args.output.json {
        print_json(&json!({
            "version": JSON_VERSION,
            "findings": report.findings,
            "counts": {
                "error": report.count(Severity::Error),
                "warning": report.count(Severity::Warning),
                "info": report.count(Severity::Info),
            },
            "checks": report.checks,
            "notes": report.notes,
            "fail_on": fail_on,
            "failed": failing > 0,
        }))?;
    } else {
        print!("{}", report.render_text());
    }
    Ok(if failing > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
