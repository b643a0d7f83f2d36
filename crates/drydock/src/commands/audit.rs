//! `drydock audit`: the audit log of schema changes, as a table or JSON, newest first;
//! `--verify` checks its hash chain; `audit install`/`uninstall` the PostgreSQL event trigger.

use std::process::ExitCode;

use chrono::SecondsFormat;
use drydock_connector::{AuditEntry, AuditOrigin};
use drydock_engine::Discovery;
use drydock_engine::audit::statement_of;
use serde_json::{Value, json};

use crate::cli::{AuditArgs, AuditCommand};
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

pub(crate) fn run(discovery: Discovery<'_>, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    match args.command {
        Some(AuditCommand::Install { connection }) => {
            let was =
                drydock_engine::audit::set_trigger(&project, connection.url.as_deref(), true)?;
            println!(
                "{} the audit trigger: DDL run outside drydock on this database (who, from \
                 where, the statement) now goes to the audit log. See it with `drydock audit`.",
                if was { "Replaced" } else { "Installed" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(AuditCommand::Uninstall { connection }) => {
            let was =
                drydock_engine::audit::set_trigger(&project, connection.url.as_deref(), false)?;
            println!(
                "{}",
                if was {
                    "Removed the audit trigger: DDL run outside drydock is no longer recorded; \
                     drydock's own changes still are."
                } else {
                    "No audit trigger was installed on this database."
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        None => list(&project, &args),
    }
}

fn list(project: &drydock_engine::Project, args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let entries = drydock_engine::audit::audit_entries(project, args.connection.url.as_deref())?;
    if args.verify {
        drydock_engine::audit::verify(&entries)?;
    }
    let shown: Vec<&AuditEntry> = entries
        .iter()
        .rev()
        .filter(|entry| args.since.is_none_or(|since| entry.record.at >= since))
        .take(args.limit)
        .collect();
    if args.output.json {
        let mut value = json!({
            "version": JSON_VERSION,
            "entries": shown.iter().map(|entry| entry_json(entry)).collect::<Vec<_>>(),
        });
        if args.verify {
            value["verified"] = json!({ "entries": entries.len() });
        }
        print_json(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    if shown.is_empty() {
        println!("No audit entries{}.", since_words(args));
    } else {
        print!("{}", render_table(&shown));
    }
    if args.verify {
        println!(
            "\nVerified: the hash chain of all {} entries is unbroken.",
            entries.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn since_words(args: &AuditArgs) -> String {
    args.since
        .map(|since| {
            format!(
                " since {}",
                since.to_rfc3339_opts(SecondsFormat::Secs, true)
            )
        })
        .unwrap_or_default()
}

/// An entry as JSON: its columns, with `details` as the object it holds.
fn entry_json(entry: &AuditEntry) -> Value {
    let mut value = serde_json::to_value(entry).unwrap_or_default();
    value["at"] = json!(drydock_connector::audit_time(&entry.record.at));
    value["details"] = serde_json::from_str(&entry.record.details).unwrap_or_default();
    value
}

/// `alice@build-7 (GitHub Actions acme/app run 42)`.
fn who(entry: &AuditEntry) -> String {
    let mut who = format!("{}@{}", entry.record.actor, entry.record.host);
    let details: Value = serde_json::from_str(&entry.record.details).unwrap_or_default();
    if let Some(ci) = details.get("ci").and_then(Value::as_str) {
        who.push_str(&format!(" ({ci})"));
    }
    who
}

/// `migrate deploy 20240101_init`, or for DDL run outside drydock its tag, objects and
/// statement.
fn what(entry: &AuditEntry) -> String {
    let record = &entry.record;
    let mut what = format!("{} {}", record.command, record.target);
    if record.origin == AuditOrigin::Database {
        what = format!("outside drydock: {what}");
        if let Some(statement) = statement_of(entry) {
            let line: String = statement.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = line.chars().take(120).collect();
            what.push_str(&format!(": {short}"));
        }
    }
    what.trim_end().to_owned()
}

fn result(entry: &AuditEntry) -> String {
    if entry.record.error_code.is_empty() {
        entry.record.result.clone()
    } else {
        format!("{} {}", entry.record.result, entry.record.error_code)
    }
}

fn render_table(entries: &[&AuditEntry]) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|entry| {
            vec![
                entry.seq.to_string(),
                entry.record.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                who(entry),
                result(entry),
                what(entry),
            ]
        })
        .collect();
    crate::output::table(&["#", "WHEN (UTC)", "WHO", "RESULT", "WHAT"], &rows)
}
