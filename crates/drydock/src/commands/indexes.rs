//! `drydock indexes`: index advice, the proposed schema edit and migrations, or JSON.

use std::process::ExitCode;

use drydock_engine::Discovery;
use drydock_engine::tasks::indexes::{IndexesOptions, IndexesReport};
use drydock_maintenance::indexes::Thresholds;
use drydock_tasks::{Event, Level};
use serde_json::json;

use crate::cli::IndexesArgs;
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

pub(crate) fn indexes(discovery: Discovery<'_>, args: IndexesArgs) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let options = IndexesOptions {
        url: args.connection.url,
        replicas: args.replica,
        thresholds: Thresholds {
            min_unused_bytes: args.min_size,
            bloat_bytes: args.bloat_size,
        },
        slow_query_ms: args.slow_query_ms,
        slow_query_calls: args.slow_query_calls,
        write: args.write,
        now: chrono::Utc::now(),
    };
    let json = args.output.json;
    let events = move |event: Event| {
        if json {
            return;
        }
        if let Event::Log { level, line } = event {
            match level {
                Level::Info => eprintln!("{line}"),
                Level::Warning | Level::Error => eprintln!("warning: {line}"),
            }
        }
    };
    let report = drydock_engine::tasks::indexes::indexes(&project, &options, &events)?;
    if json {
        print_json(&json!({
            "version": JSON_VERSION,
            "findings": report.findings,
            "stats_since": report.stats_since,
            "query_stats": report.query_stats,
            "suggestions": report.suggestions,
            "schema_changes": report.schema_changes,
            "migrations": report.migrations,
            "left_out": report.left_out,
            "written": report.written,
        }))?;
    } else {
        print!("{}", render_text(&report));
    }
    Ok(ExitCode::SUCCESS)
}

fn render_text(report: &IndexesReport) -> String {
    let mut out = report.render_text();
    if !report.migrations.is_empty() && !report.written {
        out.push_str(
            "\nRun again with --write to apply the schema change and write the migrations.\n",
        );
    }
    out
}
