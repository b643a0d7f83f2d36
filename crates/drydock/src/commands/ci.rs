//! `drydock ci`: a pipeline's checks, printed as lines (and GitHub annotations), JSON, and a
//! Markdown job summary; the exit status names the first failed check.

use std::io::Write;
use std::process::ExitCode;

use drydock_engine::Discovery;
use drydock_engine::tasks::ci::{CiOptions, CiReport, ci as run_ci};
use drydock_lint::report::{Annotated, github_annotation};
use serde_json::json;

use crate::cli::{CiArgs, CiFormat};
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;
/// The exit status when the schema does not load at all (the schema check's).
const SCHEMA_EXIT: u8 = 20;

pub(crate) fn ci(discovery: Discovery<'_>, args: &CiArgs) -> anyhow::Result<ExitCode> {
    let github = match args.format {
        Some(format) => format == CiFormat::Github,
        None => std::env::var("GITHUB_ACTIONS").is_ok_and(|value| value == "true"),
    };
    let project = match super::load_project(discovery) {
        Ok(project) => project,
        Err(error) => {
            // The schema does not load: that is the schema check failing, with its code.
            eprintln!("Error: {error:#}");
            if github {
                let schema = discovery.schema.map_or_else(
                    || "prisma/schema.prisma".to_owned(),
                    |p| p.display().to_string(),
                );
                print!(
                    "{}",
                    github_annotation(
                        "error",
                        &Annotated {
                            file: &schema,
                            line: 1,
                            column: 1,
                            end_line: 1,
                        },
                        "schema does not validate",
                        &format!("{error:#}"),
                    )
                );
            }
            write_step_summary(&format!(
                "## drydock ci\n\n❌ The schema does not validate:\n\n```\n{error:#}\n```\n"
            ))?;
            return Ok(ExitCode::from(SCHEMA_EXIT));
        }
    };
    let options = CiOptions {
        since: args.since.clone(),
        url: args.url.clone(),
        shadow_url: args.shadow_database_url.clone(),
    };
    let report = run_ci(&project, &options, crate::terminal::events())?;
    if args.json {
        print_json(&json!({
            "version": JSON_VERSION,
            "ok": report.exit_code() == 0,
            "exitCode": report.exit_code(),
            "selected": report.selected,
            "checks": report.checks,
        }))?;
    } else {
        if github {
            print!("{}", annotations(&report));
        }
        print!("{}", text(&report));
    }
    write_step_summary(&report.markdown())?;
    Ok(ExitCode::from(report.exit_code()))
}

fn annotations(report: &CiReport) -> String {
    report
        .checks
        .iter()
        .flat_map(|check| &check.annotations)
        .map(|annotation| {
            github_annotation(
                annotation.level,
                &Annotated {
                    file: &annotation.path,
                    line: annotation.line,
                    column: annotation.column,
                    end_line: annotation.line,
                },
                &annotation.title,
                &annotation.message,
            )
        })
        .collect()
}

fn text(report: &CiReport) -> String {
    let mut out = String::new();
    for check in &report.checks {
        let mark = match (check.ran, check.passed) {
            (false, _) => "skip",
            (true, true) => "pass",
            (true, false) => "FAIL",
        };
        out.push_str(&format!("{mark}  {}\n", check.kind.title()));
        if !check.passed || !check.ran {
            for line in check.summary.lines() {
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    match report.exit_code() {
        0 => out.push_str("All checks passed.\n"),
        code => out.push_str(&format!("A check failed (exit status {code}).\n")),
    }
    out
}

/// Appends `markdown` to the file `$GITHUB_STEP_SUMMARY` names, when it names one.
fn write_step_summary(markdown: &str) -> anyhow::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    file.write_all(markdown.as_bytes())?;
    Ok(())
}
