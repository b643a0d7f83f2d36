//! The `drydock` binary: command-line parsing, printing and exit codes. All work happens in
//! `drydock-engine`; this crate is the only one that prints.

mod cli;
mod commands;
mod output;
mod signals;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match commands::process_arguments() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("Error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let cli = cli::Cli::parse_from(&args);
    match commands::run(cli, args.get(1..).unwrap_or_default()) {
        Ok(code) => code,
        Err(error) => {
            output::print_error(&error);
            ExitCode::from(output::exit_code_of(&error))
        }
    }
}
