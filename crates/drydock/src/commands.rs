//! One function per command.

mod audit;
mod backup;
mod check;
mod ci;
mod cleanup;
mod db;
mod diff;
mod indexes;
mod init;
mod lint;
mod migrate;
mod preflight;
mod runs;
mod schedule;
mod schema;
mod serve;
mod stats;

pub(crate) use schedule::process_arguments;

use std::path::Path;
use std::process::ExitCode;

use drydock_engine::migrate::MIGRATION_FILE_NAME;
use drydock_engine::{Discovery, EngineError, Project, SchemaOrigin};

use crate::cli::{BackupCommand, Cli, Command, DbCommand, MigrateCommand};

/// Run the command `cli` parsed from `arguments` (without the program's name).
pub(crate) fn run(cli: Cli, arguments: &[String]) -> anyhow::Result<ExitCode> {
    let schema = Discovery {
        schema: cli.schema.as_deref(),
        config: cli.config.as_deref(),
    };
    let Some((task, url)) = recorded_task(&cli.command) else {
        return dispatch(schema, cli.command);
    };
    let url = url.map(str::to_owned);
    let recording = runs::Recording::start(schema, task, url.as_deref(), arguments);
    let result = dispatch(schema, cli.command);
    if let Some(recording) = recording {
        recording.finish(&result);
    }
    result
}

/// The commands whose runs go to the run log (those that change a database or its backups),
/// with the task's name and the `--url` or `--to` given.
fn recorded_task(command: &Command) -> Option<(&'static str, Option<&str>)> {
    fn url(connection: &crate::cli::ConnectionArgs) -> Option<&str> {
        connection.url.as_deref()
    }
    Some(match command {
        Command::Migrate(MigrateCommand::Dev { connection, .. }) => {
            ("migrate dev", url(connection))
        }
        // A dry run changes nothing, not even the run log.
        Command::Migrate(MigrateCommand::Deploy { plan, .. }) if plan.is_dry_run() => return None,
        Command::Migrate(MigrateCommand::Deploy { connection, .. }) => {
            ("migrate deploy", url(connection))
        }
        Command::Migrate(MigrateCommand::Squash { connection, .. }) => {
            ("migrate squash", url(connection))
        }
        Command::Migrate(MigrateCommand::Down { connection, .. }) => {
            ("migrate down", url(connection))
        }
        Command::Migrate(MigrateCommand::Resolve { connection, .. }) => {
            ("migrate resolve", url(connection))
        }
        Command::Migrate(MigrateCommand::Reset { connection, .. }) => {
            ("migrate reset", url(connection))
        }
        Command::Migrate(MigrateCommand::Baseline { connection, .. }) => {
            ("migrate baseline", url(connection))
        }
        Command::Db(DbCommand::Push { connection, .. }) => ("db push", url(connection)),
        Command::Db(DbCommand::Seed { connection, .. }) => ("db seed", url(connection)),
        Command::Db(DbCommand::Execute { connection, .. }) => ("db execute", url(connection)),
        Command::Backup(BackupCommand::Create { connection, .. }) => {
            ("backup create", url(connection))
        }
        Command::Backup(BackupCommand::Verify { connection, .. }) => {
            ("backup verify", url(connection))
        }
        // Kept with the project's database: the target may not exist yet, and is replaced.
        Command::Backup(BackupCommand::Restore { .. }) => ("backup restore", None),
        Command::Backup(BackupCommand::Prune { .. }) => ("backup prune", None),
        Command::Indexes(args) if args.write => ("indexes", url(&args.connection)),
        Command::Cleanup(args) => match &args.command {
            None => ("cleanup", url(&args.connection)),
            Some(crate::cli::CleanupCommand::Restore { connection, .. }) => {
                ("cleanup restore", url(connection))
            }
        },
        Command::Stats(args) if args.snapshot => ("stats", url(&args.connection)),
        Command::Check(args) => ("check", url(&args.connection)),
        _ => return None,
    })
}

fn dispatch(schema: Discovery<'_>, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init {
            datasource_provider,
            url,
            prisma_version,
        } => init::init(&datasource_provider, url.as_deref(), prisma_version),
        Command::Validate => schema::validate(schema),
        Command::Format { check } => schema::format(schema, check),
        Command::Lint(args) => lint::lint(schema, args),
        Command::Preflight(args) => preflight::preflight(schema, &args),
        Command::Ci(args) => ci::ci(schema, &args),
        Command::Backup(command) => backup::run(schema, command),
        Command::Schedule(args) => schedule::run(schema, &args),
        Command::Runs(args) => runs::run(schema, args),
        Command::Audit(args) => audit::run(schema, args),
        Command::Indexes(args) => indexes::indexes(schema, args),
        Command::Cleanup(args) => cleanup::run(schema, args),
        Command::Stats(args) => stats::run(schema, &args),
        Command::Check(args) => check::check(schema, args),
        Command::Serve(args) => serve::serve(schema, args),
        Command::Migrate(command) => match command {
            MigrateCommand::Dev {
                name,
                create_only,
                accept_data_loss,
                zero_downtime,
                prisma6,
                connection,
            } => migrate::dev(
                schema,
                migrate::DevFlags {
                    name,
                    create_only,
                    accept_data_loss,
                    zero_downtime,
                    skip_generate: prisma6.skip_generate,
                    skip_seed: prisma6.skip_seed,
                },
                connection.url,
            ),
            MigrateCommand::Deploy {
                safety,
                plan,
                connection,
                output,
            } => migrate::deploy(
                schema,
                &safety,
                &plan,
                connection.url.as_deref(),
                output.json,
            ),
            MigrateCommand::Status {
                drift,
                connection,
                output,
            } => migrate::status(schema, drift, connection.url.as_deref(), output.json),
            MigrateCommand::Resolve {
                applied,
                rolled_back,
                finish,
                undo,
                accept_data_loss,
                connection,
            } => {
                let mode = match (applied, rolled_back, finish, undo) {
                    (Some(name), ..) => Some(migrate::ResolveMode::Applied(name)),
                    (_, Some(name), ..) => Some(migrate::ResolveMode::RolledBack(name)),
                    (_, _, Some(name), _) => Some(migrate::ResolveMode::Finish(name)),
                    (_, _, _, Some(name)) => Some(migrate::ResolveMode::Undo {
                        name,
                        accept_data_loss,
                    }),
                    (None, None, None, None) => None,
                };
                migrate::resolve(schema, mode, connection.url.as_deref())
            }
            MigrateCommand::Down {
                steps,
                to,
                accept_data_loss,
                connection,
                output,
            } => {
                let target = match to {
                    Some(name) => migrate::DownTarget::To(name),
                    None => migrate::DownTarget::Steps(steps),
                };
                migrate::down(
                    schema,
                    &target,
                    accept_data_loss,
                    connection.url.as_deref(),
                    output.json,
                )
            }
            MigrateCommand::Squash {
                from,
                to,
                history_only,
                connection,
            } => migrate::squash(
                schema,
                drydock_engine::SquashOptions {
                    from,
                    to,
                    history_only,
                    url: connection.url,
                },
            ),
            MigrateCommand::Baseline { name, connection } => {
                migrate::baseline(schema, &name, connection.url.as_deref())
            }
            MigrateCommand::Rebase {
                migration,
                name,
                connection,
                output,
            } => migrate::rebase(
                schema,
                &drydock_engine::tasks::rebase::RebaseOptions {
                    migration,
                    name,
                    url: connection.url,
                },
                output.json,
            ),
            MigrateCommand::Hash => migrate::hash(schema),
            MigrateCommand::Reset {
                force,
                prisma6,
                connection,
            } => migrate::reset(schema, force, &prisma6, connection.url.as_deref()),
            MigrateCommand::Diff(args) => diff::diff(schema, args),
        },
        Command::Db(DbCommand::Pull {
            print,
            force,
            schemas,
            connection,
        }) => db::pull(
            schema,
            &db::PullOptions {
                print,
                force,
                schemas,
                url: connection.url,
            },
        ),
        Command::Db(DbCommand::Push {
            accept_data_loss,
            force_reset,
            skip_generate,
            connection,
        }) => db::push(
            schema,
            accept_data_loss,
            force_reset,
            skip_generate,
            connection.url,
        ),
        Command::Db(DbCommand::Seed {
            env,
            connection,
            args,
        }) => db::seed(schema, env, connection.url.as_deref(), &args),
        Command::Db(DbCommand::Execute {
            file,
            stdin,
            connection,
        }) => db::execute(schema, file.as_deref(), stdin, connection.url.as_deref()),
    }
}

/// Load the project and say on stderr, as Prisma does, which config file, schema and migrations
/// folder it uses.
pub(crate) fn load_project(discovery: Discovery<'_>) -> anyhow::Result<Project> {
    let project = Project::discover(discovery).map_err(EngineError::from)?;
    describe_project(&project);
    Ok(project)
}

/// Which config file, schema and migrations folder `project` uses, on stderr.
pub(crate) fn describe_project(project: &Project) {
    if let Some(config) = &project.config {
        eprintln!("Prisma config file loaded from {}", config.path.display());
    }
    let origin = match project.schema_origin {
        SchemaOrigin::Flag => "",
        SchemaOrigin::Config => "; named by the config file",
        SchemaOrigin::PackageJson => "; named by package.json",
        SchemaOrigin::Default => "",
    };
    let files = match project.files.len() {
        1 => String::new(),
        n => format!("; {n} files"),
    };
    eprintln!(
        "Prisma schema loaded from {} (Prisma {} project, {}{files}{origin})",
        project.schema_path.display(),
        project.generation.major(),
        project.generation_source,
    );
    eprintln!(
        "Migrations folder: {} ({})",
        project.migrations_dir.display(),
        describe_migrations_folder(&project.migrations_dir)
    );
}

/// `holds 3 migrations`, `is empty`, or `does not exist yet`.
pub(crate) fn describe_migrations_folder(dir: &Path) -> String {
    match std::fs::read_dir(dir) {
        Err(_) => "does not exist yet".to_owned(),
        Ok(entries) => {
            let count = entries
                .filter_map(Result::ok)
                .filter(|e| e.path().join(MIGRATION_FILE_NAME).is_file())
                .count();
            match count {
                0 => "is empty".to_owned(),
                1 => "holds 1 migration".to_owned(),
                n => format!("holds {n} migrations"),
            }
        }
    }
}
