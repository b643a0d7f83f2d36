//! The real binary run on a project folder against one database, as the command-line tests of
//! a database run it, and what they read back from that database.

use std::path::Path;
use std::process::Output;

use drydock_connector::RunScripts;
use drydock_mysql::MysqlConnection;

/// `binary` (the drydock under test) with `args` in `project`, `DATABASE_URL` set to `url`;
/// what it printed and how it exited.
///
/// # Panics
///
/// When the binary cannot be started.
pub fn run(binary: &str, project: &Path, url: &str, args: &[&str]) -> Output {
    crate::crash::drydock(binary, project, args)
        .env("DATABASE_URL", url)
        .output()
        .expect("run drydock")
}

/// The standard output of a run that succeeded.
///
/// # Panics
///
/// When the run failed, with `what` and everything it printed.
#[track_caller]
pub fn succeeds(output: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{what}: exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status.code()
    );
    stdout
}

/// The first column of every row `sql` returns on the MySQL database at `url`, as text (NULL
/// as the empty text).
///
/// # Panics
///
/// When connecting or the query fails.
pub fn mysql_texts(url: &str, sql: &str) -> Vec<String> {
    MysqlConnection::connect(url)
        .expect("connect")
        .query_texts(sql)
        .expect("query")
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}
