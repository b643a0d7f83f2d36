//! git run in a test's folder, as a developer runs it: for tests of what drydock reads from a
//! repository (migrations added on a branch, merges).

use std::path::Path;

/// Runs `git args…` in `dir` with a fixed identity; panics when git fails.
pub fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "drydock test")
        .env("GIT_AUTHOR_EMAIL", "test@drydock.invalid")
        .env("GIT_COMMITTER_NAME", "drydock test")
        .env("GIT_COMMITTER_EMAIL", "test@drydock.invalid")
        .status()
        .expect("running git");
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}
