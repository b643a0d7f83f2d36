//! `drydock preflight`: the checks to run before `migrate deploy`, one line each, or JSON.

use std::process::ExitCode;
use std::time::Duration;

use drydock_engine::{CheckStatus, Discovery, PreflightOptions};
use serde_json::json;

use crate::cli::PreflightArgs;
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

pub(crate) fn preflight(
    discovery: Discovery<'_>,
    args: &PreflightArgs,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let options = PreflightOptions {
        max_rows: args.max_rows,
        max_transaction_age: Duration::from_secs(args.max_transaction_age),
        backup: drydock_engine::tasks::backup::backups_of(
            &project,
            args.connection.url.as_deref(),
        )?,
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
        print!("{}", report.render_text(args.warnings_as_errors));
    }
    Ok(if fails {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
