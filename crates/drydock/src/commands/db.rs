//! `db pull` (introspect the database and write or print the schema it implies), `db push`
//! (make the database match the schema without migrations), `db seed` and `db execute` (run a
//! script).

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use drydock_engine::{Discovery, EngineError, Project, redact_url, tasks};

use crate::terminal::{self, say};
use drydock_pull::DatasourceHeader;

/// Prisma's code for an introspection that found nothing.
const EMPTY_DATABASE: &str = "P4001";

/// What `db pull` was asked for.
pub(crate) struct PullOptions {
    pub(crate) print: bool,
    pub(crate) force: bool,
    /// Namespaces to introspect instead of the datasource's.
    pub(crate) schemas: Vec<String>,
    pub(crate) url: Option<String>,
}

/// The file Prisma writes new models into when the schema is a folder.
const NEW_MODELS_FILE: &str = "introspected.prisma";

pub(crate) fn pull(discovery: Discovery<'_>, options: &PullOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let project = super::load_project(discovery)?;
    let provider = project.datamodel.provider();
    if !options.schemas.is_empty() && !provider.is_some_and(|p| p.supports_multi_schema()) {
        anyhow::bail!(
            "`--schemas` picks database schemas (namespaces), which {} does not have; run \
             `db pull` without it",
            provider.map_or("this database", |p| p.display_name())
        );
    }
    let url = project
        .migration_url(options.url.as_deref())
        .map_err(EngineError::from)?;
    let mut connection = project.dialect.connect(&url).map_err(EngineError::from)?;
    let namespaces = if options.schemas.is_empty() {
        project.namespaces()
    } else {
        options.schemas.clone()
    };
    let introspected = connection
        .introspect(&namespaces)
        .map_err(EngineError::from)?;
    if introspected.is_empty() {
        eprintln!(
            "Error: [{EMPTY_DATABASE}] The introspected database was empty: {}",
            redact_url(&url)
        );
        return Ok(ExitCode::FAILURE);
    }
    let folder = project.schema_path.is_dir();
    let new_models_file = if folder {
        project.schema_path.join(NEW_MODELS_FILE)
    } else {
        project.schema_path.clone()
    };
    let rules = project.dialect.lowering_rules();
    let header = header_of(&project, options.force)?;
    let (files, warnings) = if options.force {
        // Prisma's `--force` starts over: one file with the configuration blocks and the models.
        let result = drydock_pull::pull(&introspected, &header, rules);
        let file = drydock_pull::PulledFile {
            name: new_models_file.display().to_string(),
            text: result.text,
        };
        (vec![file], result.warnings)
    } else {
        let result = drydock_pull::repull(
            &introspected,
            &project.files,
            &header,
            &new_models_file.display().to_string(),
            rules,
        );
        (result.files, result.warnings)
    };
    for warning in &warnings {
        eprintln!("Warning: {warning}");
    }
    if options.print {
        match print_files(&files, folder) {
            // A reader that stops early (`| head`) is no error.
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
            result => result.context("can't print the schema")?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    for file in &files {
        let unchanged = project
            .files
            .iter()
            .any(|(_, existing)| existing.name == file.name && existing.text == file.text);
        if !unchanged {
            std::fs::write(&file.name, &file.text)
                .with_context(|| format!("can't write `{}`", file.name))?;
        }
    }
    if options.force && folder {
        // Every model is in the new file now; the other files would define them twice.
        for (_, existing) in project.files.iter() {
            if existing.name != new_models_file.display().to_string() {
                std::fs::remove_file(&existing.name)
                    .with_context(|| format!("can't remove `{}`", existing.name))?;
            }
        }
    }
    let models: usize = files
        .iter()
        .map(|f| {
            f.text
                .lines()
                .filter(|line| line.starts_with("model "))
                .count()
        })
        .sum();
    println!(
        "Introspected {models} model(s) and wrote them into {} in {}ms",
        project.schema_path.display(),
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}

/// `--print`: the schema file's text; for a schema folder, each file under a `// path` line
/// (in name order, ignoring case), as Prisma prints them.
fn print_files(files: &[drydock_pull::PulledFile], folder: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if !folder {
        for file in files {
            out.write_all(file.text.as_bytes())?;
        }
        return out.flush();
    }
    let mut sorted: Vec<&drydock_pull::PulledFile> = files.iter().collect();
    sorted.sort_by_key(|f| f.name.to_lowercase());
    for file in sorted {
        writeln!(out, "// {}", file.name)?;
        writeln!(out, "{}", file.text)?;
    }
    out.flush()
}

/// The configuration blocks of the file holding the datasource (with its top comments unless
/// `force`), or a fresh datasource block. Re-introspection keeps the blocks in place and only
/// reads the provider and datasource name from it.
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
    let outcome = tasks::db::push(
        &project,
        &options,
        &mut |warnings| interactive && crate::commands::migrate::ask_data_loss(warnings),
        terminal::events(),
    )?;
    terminal::summary(tasks::db::push_summary(&outcome));
    if outcome.database_created {
        say("Created the database.");
    }
    if outcome.reset {
        say("The database was reset.");
    }
    if outcome.steps == 0 {
        say("The database is already in sync with the schema.");
    } else {
        say(&format!(
            "The database is now in sync with the schema ({} step(s)).",
            outcome.steps
        ));
    }
    note_no_generate(&project, skip_generate);
    Ok(ExitCode::SUCCESS)
}

/// Where Prisma 5/6 would run `prisma generate` next, say once that drydock does not.
pub(crate) fn note_no_generate(project: &Project, skip_generate: bool) {
    if project.generation.seeds_automatically() && !skip_generate {
        say(
            "Nothing generated: drydock writes no Prisma Client; run `prisma generate` if the \
             application needs it.",
        );
    }
}

pub(crate) fn execute(
    discovery: Discovery<'_>,
    file: Option<&Path>,
    stdin: bool,
    url: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let io_error = |context: String| {
        move |source| {
            EngineError::Connector(drydock_connector::ConnectorError::Io { context, source })
        }
    };
    let script = match (file, stdin) {
        (Some(path), _) => std::fs::read_to_string(path)
            .map_err(io_error(format!("can't read `{}`", path.display())))?,
        (None, true) => std::io::read_to_string(std::io::stdin())
            .map_err(io_error("can't read standard input".to_owned()))?,
        (None, false) => {
            return Err(EngineError::Usage("give `--file <path>` or `--stdin`".to_owned()).into());
        }
    };
    let (dialect, url) = match url {
        Some(url) => (
            drydock_engine::dialects::for_url(url).ok_or_else(|| {
                EngineError::Usage(format!(
                    "`{}` is not a URL of a supported database (postgresql://…, file:…)",
                    redact_url(url)
                ))
            })?,
            url.to_owned(),
        ),
        None => {
            let project = super::load_project(discovery)?;
            let url = project.migration_url(None).map_err(EngineError::from)?;
            (project.dialect, url)
        }
    };
    let (outcome, statements) =
        tasks::db::execute(dialect, &url, &script, file, terminal::events())?;
    terminal::summary(tasks::db::execute_summary(statements));
    match outcome.non_transactional_reason {
        Some(reason) => say(&format!(
            "Script executed (outside a transaction: {reason})."
        )),
        None => say("Script executed."),
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
    let seeded = tasks::db::seed(&project, url, &environment, args, terminal::events())?;
    terminal::summary(seeded.summary());
    let outcome = &seeded.outcome;
    for name in &outcome.applied {
        say(&format!("Applied seed {name}"));
    }
    if seeded.command.is_none() && outcome.applied.is_empty() && outcome.already_applied == 0 {
        say(&format!(
            "No seeds for `{environment}`: add SQL files to {}/seed/common/ or {}/seed/{environment}/, \
             `migrations.seed` to the Prisma config file, or (Prisma 5/6) a `\"prisma\": \
             {{\"seed\": \"<command>\"}}` entry to package.json.",
            project.schema_dir.display(),
            project.schema_dir.display()
        ));
    } else {
        say(&format!(
            "Seeded `{environment}`: {} applied now, {} applied before.",
            outcome.applied.len(),
            outcome.already_applied
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `--env`, else `$DRYDOCK_ENV`, else `development`.
pub(crate) fn seed_environment(env: Option<String>) -> String {
    env.or_else(|| std::env::var("DRYDOCK_ENV").ok().filter(|e| !e.is_empty()))
        .unwrap_or_else(|| "development".to_owned())
}
