//! Scripts run on a MariaDB or MySQL server with its command-line client (`mariadb`, else
//! `mysql`), for tests that need the server without a driver.

use std::io::Write;
use std::process::{Command, Stdio};

use drydock_connector::RunScripts;

/// The server used when `TEST_MYSQL_URL` is not set.
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/test";

/// The test server's URL: `TEST_MYSQL_URL`, else [`DEFAULT_MYSQL_URL`].
pub fn server_url() -> String {
    std::env::var("TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_MYSQL_URL.to_owned())
}

/// Runs `script` on the server of `url`, in `database` when given; the output in batch mode
/// (tab-separated, no column names), or the client's error text.
pub fn run(url: &str, database: Option<&str>, script: &str) -> Result<String, String> {
    let url = url::Url::parse(url).map_err(|e| e.to_string())?;
    let mut command = Command::new(client());
    command
        .arg("--no-defaults")
        .arg("--protocol=TCP")
        .arg(format!("--host={}", url.host_str().unwrap_or("127.0.0.1")))
        .arg(format!("--port={}", url.port().unwrap_or(3306)))
        .arg(format!("--user={}", url.username()))
        .args([
            "--default-character-set=utf8mb4",
            "--batch",
            "--skip-column-names",
        ]);
    // The password goes through the environment, never the command line.
    if let Some(password) = url.password() {
        command.env("MYSQL_PWD", password);
    }
    if let Some(database) = database {
        command.arg(format!("--database={database}"));
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running the MariaDB client: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("the client's standard input is piped")?
        .write_all(script.as_bytes())
        .map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The client on the `PATH`: `mariadb`, else `mysql`.
fn client() -> &'static str {
    let found = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    };
    if found("mariadb") { "mariadb" } else { "mysql" }
}

/// The first column of every row `sql` returns on the MySQL database at `url`, as text (NULL
/// as the empty text), read through drydock's own connection.
///
/// # Panics
///
/// When connecting or the query fails.
pub fn mysql_texts(url: &str, sql: &str) -> Vec<String> {
    drydock_mysql::MysqlConnection::connect(url)
        .expect("connect")
        .query_texts(sql)
        .expect("query")
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}
