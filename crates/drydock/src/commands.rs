//! One function per command.

mod backup;
mod db;
mod diff;
mod init;
mod lint;
mod migrate;
mod preflight;
mod schedule;
mod schema;

use std::process::ExitCode;

use crate::cli::{Cli, Command, DbCommand, MigrateCommand};

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let schema = cli.schema.as_deref();
    match cli.command {
        Command::Init {
            datasource_provider,
            url,
        } => init::init(&datasource_provider, url.as_deref()),
        Command::Validate => schema::validate(schema),
        Command::Format { check } => schema::format(schema, check),
        Command::Lint(args) => lint::lint(schema, args),
        Command::Preflight(args) => preflight::preflight(schema, &args),
        Command::Backup(command) => backup::run(schema, command),
        Command::Schedule(args) => schedule::run(schema, &args),
        Command::Migrate(command) => match command {
            MigrateCommand::Dev {
                name,
                create_only,
                accept_data_loss,
                zero_downtime,
                connection,
            } => migrate::dev(
                schema,
                name,
                create_only,
                accept_data_loss,
                zero_downtime,
                connection.url,
            ),
            MigrateCommand::Deploy {
                safety,
                connection,
                output,
            } => migrate::deploy(schema, &safety, connection.url.as_deref(), output.json),
            MigrateCommand::Status {
                drift,
                connection,
                output,
            } => migrate::status(schema, drift, connection.url.as_deref(), output.json),
            MigrateCommand::Resolve {
                applied,
                rolled_back,
                connection,
            } => migrate::resolve(schema, applied, rolled_back, connection.url.as_deref()),
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
            MigrateCommand::Reset { force, connection } => {
                migrate::reset(schema, force, connection.url.as_deref())
            }
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
            connection,
        }) => db::push(schema, accept_data_loss, force_reset, connection.url),
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
