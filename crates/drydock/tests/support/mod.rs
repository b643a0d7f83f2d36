//! What the command-line tests that run the drydock binary on a project folder share.

use std::path::Path;
use std::process::{Command, Output};

/// The drydock binary with `args`, run in `project` on the database at `url`
/// (`DATABASE_URL`), with a cache of its own there, no input and its output captured.
pub(crate) fn drydock_command(project: &Path, url: &str, args: &[&str]) -> Command {
    let mut command =
        drydock_test_support::crash::drydock(env!("CARGO_BIN_EXE_drydock"), project, args);
    command.env("DATABASE_URL", url);
    command
}

/// What [`drydock_command`] printed and how it ended.
pub(crate) fn drydock(project: &Path, url: &str, args: &[&str]) -> Output {
    drydock_command(project, url, args)
        .output()
        .expect("run drydock")
}
