//! `drydock preflight`: the checks to run before `migrate deploy`, one line each, or JSON.

use std::process::ExitCode;
use std::time::Duration;

use drydock_engine::{
    BackupState, CheckStatus, Discovery, PreflightOptions, PreflightReport, Project, Settings,
};
use serde_json::json;

use crate::cli::PreflightArgs;
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

/// Room for the longest check id, so summaries line up.
const ID_WIDTH: usize = 10;

pub(crate) fn preflight(
    discovery: Discovery<'_>,
    args: &PreflightArgs,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let options = PreflightOptions {
        max_rows: args.max_rows,
        max_transaction_age: Duration::from_secs(args.max_transaction_age),
        backup: backups_of(&project, args.connection.url.as_deref())?,
    };
    let report = drydock_engine::preflight(&project, args.connection.url.as_deref(), &options)?;
    let fails = report.fails(args.warnings_as_errors);
    if args.output.json {
        print_json(&json!({
            "version": JSON_VERSION,
            "ok": !fails,
            "summary": {
                "pass": report.count(CheckStatus::Pass),
                "warn": report.count(CheckStatus::Warn),
                "fail": report.count(CheckStatus::Fail),
                "skip": report.count(CheckStatus::Skip),
            },
            "checks": report.checks,
        }))?;
    } else {
        print!("{}", render_text(&report, args.warnings_as_errors));
    }
    Ok(if fails {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What the project's backup folder holds of its database.
pub(crate) fn backups_of(project: &Project, url: Option<&str>) -> anyhow::Result<BackupState> {
    let settings = Settings::load(project)?;
    let Ok(url) = project.migration_url(url) else {
        // No URL: the connection check says so; there is no database to find backups of.
        return Ok(BackupState::NotConfigured);
    };
    Ok(super::backup::backup_state(
        &settings,
        &settings.backup_dir(None),
        &url,
    ))
}

/// `✔ pass  connection  PostgreSQL 15.4, 0.4 ms round trip`, details indented below, then the
/// counts and what to do next.
pub(crate) fn render_text(report: &PreflightReport, warnings_as_errors: bool) -> String {
    let indent = " ".repeat(2 + 4 + 2 + ID_WIDTH + 2);
    let mut out = String::new();
    for check in &report.checks {
        let mark = match check.status {
            CheckStatus::Pass => '✔',
            CheckStatus::Warn => '!',
            CheckStatus::Fail => '✘',
            CheckStatus::Skip => '-',
        };
        out.push_str(&format!(
            "{mark} {:<4}  {:<ID_WIDTH$}  {}\n",
            check.status.label(),
            check.id,
            check.summary
        ));
        for detail in &check.details {
            out.push_str(&format!("{indent}{detail}\n"));
        }
    }
    let failed = report.count(CheckStatus::Fail);
    let warned = report.count(CheckStatus::Warn);
    out.push_str(&format!(
        "\n{} passed, {warned} warned, {failed} failed, {} skipped\n",
        report.count(CheckStatus::Pass),
        report.count(CheckStatus::Skip)
    ));
    let next = if failed > 0 {
        "Not ready to deploy: fix what failed, then run `drydock preflight` again."
    } else if warned > 0 && warnings_as_errors {
        "Not ready to deploy: warnings count as failures (`--warnings-as-errors`)."
    } else if warned > 0 {
        "Ready to deploy, with warnings: read them before `drydock migrate deploy`."
    } else {
        "Ready to deploy: run `drydock migrate deploy`."
    };
    out.push_str(next);
    out.push('\n');
    out
}
