//! The `drydock` binary: command-line parsing, printing and exit codes. All work happens in
//! `drydock-engine`; this crate is the only one that prints.

mod cli;
mod commands;
mod output;
mod signals;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match commands::process_arguments() {
        Ok(args) => cli::Cli::parse_from(args),
        Err(message) => {
            eprintln!("Error: {message}");
            return ExitCode::FAILURE;
        }
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            output::print_error(&error);
            ExitCode::from(output::exit_code_of(&error))
        }
    }
}
