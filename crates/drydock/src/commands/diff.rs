//! `migrate diff`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use drydock_engine::{DiffSource, SourceContext, diff_sources, summarize};

use crate::cli::DiffArgs;
use crate::output::print_json;

pub(crate) fn diff(_schema: Option<&Path>, args: DiffArgs) -> anyhow::Result<ExitCode> {
    let from = source(
        args.from_empty,
        args.from_schema,
        args.from_migrations,
        args.from_url,
    );
    let to = source(
        args.to_empty,
        args.to_schema,
        args.to_migrations,
        args.to_url,
    );
    let context = SourceContext {
        shadow_database_url: args.shadow_database_url,
    };
    let (dialect, diff) = diff_sources(&from, &to, &context)?;
    if args.json {
        print_json(&serde_json::json!({
            "changes": diff.changes,
            "warnings": diff.warnings,
        }))?;
    } else {
        let text = if args.script {
            if diff.is_empty() {
                format!("{}\n", drydock_connector::EMPTY_MIGRATION)
            } else {
                drydock_connector::render_script(dialect, &diff.changes, &[])
            }
        } else {
            summarize(&diff.changes)
        };
        match &args.output {
            Some(path) => std::fs::write(path, &text)
                .with_context(|| format!("can't write `{}`", path.display()))?,
            None => print!("{text}"),
        }
    }
    Ok(match (args.exit_code, diff.is_empty()) {
        (true, false) => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    })
}

fn source(
    empty: bool,
    schema: Option<std::path::PathBuf>,
    migrations: Option<std::path::PathBuf>,
    url: Option<String>,
) -> DiffSource {
    match (schema, migrations, url) {
        (Some(path), _, _) => DiffSource::Schema(path),
        (_, Some(path), _) => DiffSource::Migrations(path),
        (_, _, Some(url)) => DiffSource::Url(url),
        // clap requires exactly one of the group.
        _ => {
            debug_assert!(empty);
            DiffSource::Empty
        }
    }
}
