//! `db pull` (introspect the database and write or print the schema it implies), `db push`
//! (make the database match the schema without migrations), `db seed` and `db execute` (run a
//! script).

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use drydock_engine::{Discovery, EngineError, Project, redact_url};
use drydock_pull::DatasourceHeader;

/// Prisma's code for an introspection that found nothing.
const EMPTY_DATABASE: &str = "P4001";

pub(crate) fn pull(
    discovery: Discovery<'_>,
    print: bool,
    force: bool,
    url: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let project = super::load_project(discovery)?;
    if project.schema_path.is_dir() && !print {
        anyhow::bail!(
            "`db pull` writes a single schema file, and `{}` is a folder; pass `--print`, or \
             `--schema` with the file to write",
            project.schema_path.display()
        );
    }
    let url = project.migration_url(url).map_err(EngineError::from)?;
    let mut connection = project.dialect.connect(&url).map_err(EngineError::from)?;
    let introspected = connection
        .introspect(&project.namespaces())
        .map_err(EngineError::from)?;
    if introspected.is_empty() {
        eprintln!(
            "Error: [{EMPTY_DATABASE}] The introspected database was empty: {}",
            redact_url(&url)
        );
        return Ok(ExitCode::FAILURE);
    }
    let header = header_of(&project, force)?;
    let result = drydock_pull::pull(&introspected, &header, project.dialect.lowering_rules());
    for warning in &result.warnings {
        eprintln!("Warning: {warning}");
    }
    if print {
        print!("{}", result.text);
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(&project.schema_path, &result.text)
        .with_context(|| format!("can't write `{}`", project.schema_path.display()))?;
    let models = result
        .text
        .lines()
        .filter(|line| line.starts_with("model "))
        .count();
    println!(
        "Introspected {models} model(s) and wrote them into {} in {}ms",
        project.schema_path.display(),
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}

/// The configuration blocks of the file holding the datasource (with its top comments unless
/// `force`), or a fresh datasource block.
fn header_of(project: &Project, force: bool) -> anyhow::Result<DatasourceHeader> {
    let datasource = project
        .datamodel
        .datasource
        .as_ref()
        .context("the schema has no datasource block")?;
    let kept = project
        .files
        .get(datasource.span.file)
        .and_then(|file| DatasourceHeader::from_schema(&file.text, !force));
    match (kept, datasource.provider) {
        (Some(header), _) => Ok(header),
        (None, Some(provider)) => Ok(DatasourceHeader::new(provider)),
        (None, None) => anyhow::bail!(
            "provider `{}` of the datasource is not known",
            datasource.provider_name
        ),
    }
}

pub(crate) fn push(
    discovery: Discovery<'_>,
    accept_data_loss: bool,
    force_reset: bool,
    skip_generate: bool,
    url: Option<String>,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    if force_reset && !std::io::stdin().is_terminal() && !accept_data_loss {
        // Resetting deletes everything: non-interactively it needs the explicit flag pair.
        anyhow::bail!(
            "`db push --force-reset` deletes all data; without a terminal to confirm, also pass \
             `--accept-data-loss`"
        );
    }
    let interactive = std::io::stdin().is_terminal();
    let options = drydock_engine::PushOptions {
        accept_data_loss,
        force_reset,
        url,
    };
    let outcome = drydock_engine::db_push(&project, &options, &mut |warnings| {
        interactive && crate::commands::migrate::ask_data_loss(warnings)
    })?;
    if outcome.database_created {
        println!("Created the database.");
    }
    if outcome.reset {
        println!("The database was reset.");
    }
    if outcome.steps == 0 {
        println!("The database is already in sync with the schema.");
    } else {
        for warning in &outcome.warnings {
            eprintln!("Warning: {}", warning.message);
        }
        println!(
            "The database is now in sync with the schema ({} step(s)).",
            outcome.steps
        );
    }
    note_no_generate(&project, skip_generate);
    Ok(ExitCode::SUCCESS)
}

/// Where Prisma 5/6 would run `prisma generate` next, say once that drydock does not.
pub(crate) fn note_no_generate(project: &Project, skip_generate: bool) {
    if project.generation.seeds_automatically() && !skip_generate {
        println!(
            "Nothing generated: drydock writes no Prisma Client; run `prisma generate` if the \
             application needs it."
        );
    }
}

pub(crate) fn execute(
    discovery: Discovery<'_>,
    file: Option<&Path>,
    stdin: bool,
    url: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let script = match (file, stdin) {
        (Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("can't read `{}`", path.display()))?,
        (None, true) => {
            std::io::read_to_string(std::io::stdin()).context("can't read standard input")?
        }
        (None, false) => anyhow::bail!("give `--file <path>` or `--stdin`"),
    };
    let (dialect, url) = match url {
        Some(url) => (
            drydock_engine::dialects::for_url(url).ok_or_else(|| {
                anyhow::anyhow!(
                    "`{}` is not a URL of a supported database (postgresql://…, file:…)",
                    redact_url(url)
                )
            })?,
            url.to_owned(),
        ),
        None => {
            let project = super::load_project(discovery)?;
            let url = project.migration_url(None).map_err(EngineError::from)?;
            (project.dialect, url)
        }
    };
    let outcome = drydock_engine::db_execute(dialect, &url, &script)?;
    match outcome.non_transactional_reason {
        Some(reason) => println!("Script executed (outside a transaction: {reason})."),
        None => println!("Script executed."),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn seed(
    discovery: Discovery<'_>,
    env: Option<String>,
    url: Option<&str>,
    args: &[String],
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let environment = seed_environment(env);
    let ran_command = run_seed_command(&project, args, &environment)?;
    let outcome = drydock_engine::seed(&project, url, &environment)?;
    for name in &outcome.applied {
        println!("Applied seed {name}");
    }
    if !ran_command && outcome.applied.is_empty() && outcome.already_applied == 0 {
        println!(
            "No seeds for `{environment}`: add SQL files to {}/seed/common/ or {}/seed/{environment}/, \
             `migrations.seed` to the Prisma config file, or (Prisma 5/6) a `\"prisma\": \
             {{\"seed\": \"<command>\"}}` entry to package.json.",
            project.schema_dir.display(),
            project.schema_dir.display()
        );
    } else {
        println!(
            "Seeded `{environment}`: {} applied now, {} applied before.",
            outcome.applied.len(),
            outcome.already_applied
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `--env`, else `$DRYDOCK_ENV`, else `development`.
pub(crate) fn seed_environment(env: Option<String>) -> String {
    env.or_else(|| std::env::var("DRYDOCK_ENV").ok().filter(|e| !e.is_empty()))
        .unwrap_or_else(|| "development".to_owned())
}

/// Run the project's seed command, if it has one; whether it had one.
pub(crate) fn run_seed_command(
    project: &Project,
    args: &[String],
    environment: &str,
) -> anyhow::Result<bool> {
    let Some(command) = &project.seed_command else {
        return Ok(false);
    };
    println!("Running seed command `{command}` ...");
    // Arguments go in as positional parameters, so the shell never re-parses them.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$@\""))
        .arg("sh")
        .args(args)
        .env("DRYDOCK_ENV", environment)
        .status()
        .with_context(|| format!("can't run the seed command `{command}`"))?;
    if !status.success() {
        anyhow::bail!("the seed command `{command}` failed ({status})");
    }
    Ok(true)
}
