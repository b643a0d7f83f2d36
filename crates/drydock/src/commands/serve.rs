//! `drydock serve`: the dashboard, API, probes and metrics of `drydock-serve` for the project;
//! `--hash-password` turns a secret on standard input into the hash `[serve]` keeps.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use drydock_engine::Discovery;
use drydock_engine::job_runner::JobRunner;
use drydock_serve::{ServeOptions, TlsFiles};

use crate::cli::ServeArgs;

pub(crate) fn serve(discovery: Discovery<'_>, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.hash_password {
        let mut secret = String::new();
        std::io::stdin()
            .read_to_string(&mut secret)
            .context("cannot read the secret from standard input")?;
        // A secret piped with `echo` ends with a newline that is not part of it.
        let secret = secret.strip_suffix('\n').unwrap_or(&secret);
        let secret = secret.strip_suffix('\r').unwrap_or(secret);
        println!("{}", drydock_serve::hash_secret(secret)?);
        return Ok(ExitCode::SUCCESS);
    }
    let project = super::load_project(discovery)?;
    let jobs = if args.no_schedule {
        None
    } else {
        // Jobs are drydock command lines: the binary knows its commands, and refuses a bad one
        // before the server starts, as `drydock schedule` does.
        drydock_engine::Settings::load(&project)?
            .check_schedule(|job| super::schedule::check_command(&job.args))?;
        Some(
            JobRunner::of_this_binary(discovery.schema, discovery.config)
                .context("cannot find the drydock binary to run jobs with")?,
        )
    };
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    let options = ServeOptions {
        project,
        url: args.connection.url,
        listen: args.listen,
        tls,
        trust_proxy: args.trust_proxy,
        jobs,
    };
    drydock_serve::serve(options, crate::terminal::events())?;
    Ok(ExitCode::SUCCESS)
}
