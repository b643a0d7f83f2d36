//! Reading what a finished command printed, for tests that run the drydock binary.

use std::process::Output;

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Fails the test, with all the command said, unless it exited with `code`.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code\nstdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// The standard output of a command that succeeded; a failed one fails the test.
#[track_caller]
pub fn succeeds(output: &Output) -> String {
    assert_exit(output, 0);
    stdout(output)
}
