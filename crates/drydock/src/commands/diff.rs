//! `migrate diff`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use drydock_engine::{
    DiffSource, Discovery, EngineError, SourceContext, SourcesDiff, diff_sources_with_hand_made,
    summarize,
};

use crate::cli::DiffArgs;
use crate::output::print_json;

pub(crate) fn diff(discovery: Discovery<'_>, args: DiffArgs) -> anyhow::Result<ExitCode> {
    let from_url = match args.from_url {
        Some(url) => Some(url),
        None => datasource_url(
            discovery,
            args.from_schema_datasource.as_deref(),
            args.from_config_datasource,
        )?,
    };
    let to_url = match args.to_url {
        Some(url) => Some(url),
        None => datasource_url(
            discovery,
            args.to_schema_datasource.as_deref(),
            args.to_config_datasource,
        )?,
    };
    let from = source(args.from_schema, args.from_migrations, from_url);
    let to = source(args.to_schema, args.to_migrations, to_url);
    let context = SourceContext {
        shadow_database_url: args.shadow_database_url,
        namespaces: args.schemas,
    };
    let found = diff_sources_with_hand_made(&from, &to, &context)?;
    let diff = &found.diff;
    if args.json {
        print_json(&serde_json::json!({
            "changes": diff.changes,
            "warnings": diff.warnings,
            "handMade": found.hand_made_headers(),
        }))?;
    } else {
        // On stderr, so that the script or summary on stdout stays as Prisma prints it.
        for warning in &diff.warnings {
            eprintln!("Warning: [{}] {}", warning.code(), warning.message);
        }
        let text = if args.script {
            found.script(false)
        } else {
            summary(&found)
        };
        match &args.output {
            Some(path) => std::fs::write(path, &text)
                .with_context(|| format!("can't write `{}`", path.display()))?,
            None => print!("{text}"),
        }
    }
    Ok(match (args.exit_code, found.is_empty()) {
        (true, false) => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    })
}

/// The summary of the model changes, then the objects made by hand that change.
fn summary(found: &SourcesDiff) -> String {
    let headers = found.hand_made_headers();
    if headers.is_empty() {
        return summarize(&found.diff.changes);
    }
    let mut out = if found.diff.is_empty() {
        String::new()
    } else {
        format!("{}\n", summarize(&found.diff.changes))
    };
    out.push_str("[*] Objects made by hand\n");
    for header in headers {
        out.push_str(&format!("  - {header}\n"));
    }
    out
}

/// The URL a schema's datasource points to (`--from-schema-datasource <schema>`), or the
/// project's (`--from-config-datasource`, Prisma 7's spelling).
fn datasource_url(
    discovery: Discovery<'_>,
    schema: Option<&Path>,
    project_datasource: bool,
) -> anyhow::Result<Option<String>> {
    let discovery = match (schema, project_datasource) {
        (Some(schema), _) => Discovery {
            schema: Some(schema),
            ..discovery
        },
        (None, true) => discovery,
        (None, false) => return Ok(None),
    };
    let project = drydock_engine::Project::discover(discovery).map_err(EngineError::from)?;
    Ok(Some(
        project.migration_url(None).map_err(EngineError::from)?,
    ))
}

/// The one source given (clap requires exactly one per side; none left means `--*-empty`).
fn source(
    schema: Option<std::path::PathBuf>,
    migrations: Option<std::path::PathBuf>,
    url: Option<String>,
) -> DiffSource {
    match (schema, migrations, url) {
        (Some(path), _, _) => DiffSource::Schema(path),
        (_, Some(path), _) => DiffSource::Migrations(path),
        (_, _, Some(url)) => DiffSource::Url(url),
        (None, None, None) => DiffSource::Empty,
    }
}
