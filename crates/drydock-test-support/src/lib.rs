//! Per-test databases on real servers.
//!
//! Every test gets its own database: [`TestDb::postgres`] creates a uniquely named database on
//! the server named by `TEST_POSTGRES_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`) and drops it when the value is dropped;
//! [`TestDb::mysql`] does the same on the MariaDB or MySQL server of `TEST_MYSQL_URL` (default
//! `mysql://root@127.0.0.1:3306/test`); [`TestDb::sqlite`] uses a file in a fresh temporary directory. A test that needs a server
//! that cannot be reached fails with a message saying which URL was tried; it never skips.
//!
//! [`schema`] builds the schema values tests write by hand; [`connection`] and [`dialect`] hold
//! the checks that every dialect passes the same way; [`crash`] what the tests that kill
//! drydock or stop its server share; [`mariadb_cli`] runs scripts on the MariaDB test server
//! with its command-line client (and reads rows back); [`output`] reads what a run of the
//! binary printed.

pub mod connection;
pub mod crash;
pub mod dialect;
pub mod git;
pub mod mariadb_cli;
pub mod output;
pub mod schema;
pub mod serve;
pub mod waiting_build;
pub mod webhook;

use std::path::{Path, PathBuf};

use drydock_connector::{ConnectorError, redact_url};
use drydock_mysql::MysqlUrl;
use drydock_postgres::url::PgUrl;
use mysql::prelude::Queryable;

/// The environment variable naming the PostgreSQL server used by tests.
pub const POSTGRES_URL_VAR: &str = "TEST_POSTGRES_URL";

/// The environment variable naming a PostgreSQL server that accepts TLS connections only
/// (`hostssl` in `pg_hba.conf`), with `sslmode=verify-full` and `sslrootcert` in the URL.
/// `scripts/with-databases.sh` starts one and also sets [`POSTGRES_TLS_CA_VAR`],
/// `TEST_POSTGRES_TLS_OTHER_CA` (a CA that signed nothing of the server's), and
/// `TEST_POSTGRES_TLS_CLIENT_CERT`/`_KEY`/`_P12` (a client identity the server trusts,
/// PKCS#12 password `drydock`).
pub const POSTGRES_TLS_URL_VAR: &str = "TEST_POSTGRES_TLS_URL";

/// The CA certificate that signed the TLS test server's certificate.
pub const POSTGRES_TLS_CA_VAR: &str = "TEST_POSTGRES_TLS_CA";

/// The password-checking PostgreSQL server `scripts/with-databases.sh` starts.
pub const POSTGRES_PASSWORD_URL_VAR: &str = "TEST_POSTGRES_PASSWORD_URL";

/// The PostgreSQL server with `pg_stat_statements` preloaded and `hypopg` installed that
/// `scripts/with-databases.sh` starts.
pub const POSTGRES_STATS_URL_VAR: &str = "TEST_POSTGRES_STATS_URL";

/// The small PostgreSQL primary `scripts/with-databases.sh` starts (`max_connections = 20`,
/// `shared_buffers = 2MB`), streaming to the replica named by [`POSTGRES_REPLICA_URL_VAR`].
pub const POSTGRES_PRIMARY_URL_VAR: &str = "TEST_POSTGRES_PRIMARY_URL";

/// The streaming replica of that primary (read-only; `cluster_name = 'drydock_replica'`).
pub const POSTGRES_REPLICA_URL_VAR: &str = "TEST_POSTGRES_REPLICA_URL";

/// The password of that server's user `drydock`.
pub const POSTGRES_PASSWORD: &str = "drydock-secret";

/// The server used when [`POSTGRES_URL_VAR`] is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

/// The environment variable naming the MariaDB (or MySQL) server used by tests.
pub const MYSQL_URL_VAR: &str = "TEST_MYSQL_URL";

/// The MariaDB server with `performance_schema` on (index I/O and statement digests counted)
/// that `scripts/with-databases.sh` starts.
pub const MYSQL_PERF_URL_VAR: &str = "TEST_MYSQL_PERF_URL";

/// The server used when [`MYSQL_URL_VAR`] is not set.
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/test";

/// The databases tests can run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Postgres,
    Sqlite,
    Mysql,
}

/// A database that exists for one test and is removed afterwards.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    backing: Backing,
}

#[derive(Debug)]
enum Backing {
    Postgres {
        server_url: String,
        name: String,
    },
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Mysql {
        server_url: String,
        name: String,
    },
}

impl TestDb {
    /// A fresh, empty database on the test PostgreSQL server.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached or refuses to create the database: the test fails.
    pub fn postgres() -> TestDb {
        TestDb::postgres_on(postgres_server_url())
    }

    /// A fresh, empty database on the TLS-only test server named by
    /// [`POSTGRES_TLS_URL_VAR`]; its URL carries the server's TLS parameters.
    ///
    /// # Panics
    ///
    /// When the variable is not set or the server cannot be reached: the test fails.
    pub fn postgres_tls() -> TestDb {
        TestDb::postgres_on(required_var(POSTGRES_TLS_URL_VAR))
    }

    /// A fresh, empty database on the password-checking test server named by
    /// [`POSTGRES_PASSWORD_URL_VAR`] (user `drydock`, password [`POSTGRES_PASSWORD`]).
    ///
    /// # Panics
    ///
    /// When the variable is not set or the server cannot be reached: the test fails.
    pub fn postgres_password() -> TestDb {
        TestDb::postgres_on(required_var(POSTGRES_PASSWORD_URL_VAR))
    }

    /// A fresh, empty database on the test server named by [`POSTGRES_STATS_URL_VAR`]
    /// (`pg_stat_statements` preloaded, `hypopg` available).
    ///
    /// # Panics
    ///
    /// When the variable is not set or the server cannot be reached: the test fails.
    pub fn postgres_stats() -> TestDb {
        TestDb::postgres_on(required_var(POSTGRES_STATS_URL_VAR))
    }

    /// A fresh database on the small primary named by [`POSTGRES_PRIMARY_URL_VAR`]; its copy
    /// on the replica is [`TestDb::replica_url`].
    ///
    /// # Panics
    ///
    /// When the variable is not set or the server cannot be reached: the test fails.
    pub fn postgres_primary() -> TestDb {
        TestDb::postgres_on(required_var(POSTGRES_PRIMARY_URL_VAR))
    }

    /// The URL of this database on the replica of [`POSTGRES_REPLICA_URL_VAR`], once the
    /// replica has replayed its creation (60 s at most).
    ///
    /// # Panics
    ///
    /// When the variable is not set, or the database does not reach the replica in time.
    pub fn replica_url(&self) -> String {
        let replica = required_var(POSTGRES_REPLICA_URL_VAR);
        let name = self.name();
        let arrived = wait_for(|| {
            connect(&replica).is_ok_and(|mut client| {
                client
                    .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                    .is_ok_and(|row| row.is_some())
            })
        });
        assert!(arrived, "database `{name}` never reached the replica");
        replace_database(&replica, &name)
    }

    fn postgres_on(server_url: String) -> TestDb {
        let name = format!("drydock_test_{}", uuid::Uuid::new_v4().simple());
        let mut client = connect_or_fail(&server_url);
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("creating test database `{name}` failed: {e}"));
        let url = replace_database(&server_url, &name);
        TestDb {
            url,
            backing: Backing::Postgres { server_url, name },
        }
    }

    /// A fresh, empty database on the test MariaDB (or MySQL) server named by
    /// `TEST_MYSQL_URL` (default [`DEFAULT_MYSQL_URL`]).
    ///
    /// # Panics
    ///
    /// When the server cannot be reached or refuses to create the database: the test fails.
    pub fn mysql() -> TestDb {
        TestDb::mysql_on(mysql_server_url())
    }

    /// A fresh, empty database on the MariaDB server named by [`MYSQL_PERF_URL_VAR`]
    /// (`performance_schema` on).
    ///
    /// # Panics
    ///
    /// When the variable is not set or the server cannot be reached: the test fails.
    pub fn mysql_perf() -> TestDb {
        TestDb::mysql_on(required_var(MYSQL_PERF_URL_VAR))
    }

    fn mysql_on(server_url: String) -> TestDb {
        let name = format!("drydock_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = mysql_connect_or_fail(&server_url);
        conn.query_drop(format!("CREATE DATABASE `{name}`"))
            .unwrap_or_else(|e| panic!("creating test database `{name}` failed: {e}"));
        let url = replace_database(&server_url, &name);
        TestDb {
            url,
            backing: Backing::Mysql { server_url, name },
        }
    }

    /// A fresh SQLite database file (not created yet) in its own temporary directory.
    ///
    /// # Panics
    ///
    /// When no temporary directory can be created.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("creating a temporary directory for SQLite");
        let path = dir.path().join("dev.db");
        let url = format!("file:{}", path.display());
        TestDb {
            url,
            backing: Backing::Sqlite { _dir: dir, path },
        }
    }

    /// A fresh database of the given kind.
    pub fn new(kind: DatabaseKind) -> TestDb {
        match kind {
            DatabaseKind::Postgres => TestDb::postgres(),
            DatabaseKind::Sqlite => TestDb::sqlite(),
            DatabaseKind::Mysql => TestDb::mysql(),
        }
    }

    pub fn kind(&self) -> DatabaseKind {
        match self.backing {
            Backing::Postgres { .. } => DatabaseKind::Postgres,
            Backing::Sqlite { .. } => DatabaseKind::Sqlite,
            Backing::Mysql { .. } => DatabaseKind::Mysql,
        }
    }

    /// The connection URL of this database, in the form users write in `schema.prisma`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database name (PostgreSQL, MySQL) or the file path (SQLite).
    pub fn name(&self) -> String {
        match &self.backing {
            Backing::Postgres { name, .. } | Backing::Mysql { name, .. } => name.clone(),
            Backing::Sqlite { path, .. } => path.display().to_string(),
        }
    }

    /// The file of a SQLite database.
    ///
    /// # Panics
    ///
    /// On a database that is not SQLite.
    pub fn sqlite_path(&self) -> &Path {
        match &self.backing {
            Backing::Sqlite { path, .. } => path,
            Backing::Postgres { .. } | Backing::Mysql { .. } => {
                panic!("sqlite_path() called on a server test database")
            }
        }
    }

    /// A direct client on this PostgreSQL database, for test setup and assertions.
    ///
    /// # Panics
    ///
    /// On a database that is not PostgreSQL, or when connecting fails.
    pub fn postgres_client(&self) -> postgres::Client {
        match &self.backing {
            Backing::Postgres { .. } => connect_or_fail(&self.url),
            Backing::Sqlite { .. } | Backing::Mysql { .. } => {
                panic!("postgres_client() called on a test database that is not PostgreSQL")
            }
        }
    }

    /// A direct session on this MySQL database, for test setup and assertions.
    ///
    /// # Panics
    ///
    /// On a database that is not MySQL, or when connecting fails.
    pub fn mysql_conn(&self) -> mysql::Conn {
        match &self.backing {
            Backing::Mysql { .. } => mysql_connect_or_fail(&self.url),
            Backing::Postgres { .. } | Backing::Sqlite { .. } => {
                panic!("mysql_conn() called on a test database that is not MySQL")
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Backing::Mysql { server_url, name } = &self.backing {
            // A failure here leaves a stray database behind; it must not hide the test's result.
            let dropped = MysqlUrl::parse(server_url)
                .and_then(|url| url.connect())
                .map_err(|e| e.to_string())
                .and_then(|mut conn| {
                    // With the database of drydock's own tables beside it.
                    let state = drydock_mysql::state_database(name);
                    [name, &state].into_iter().try_for_each(|database| {
                        conn.query_drop(format!("DROP DATABASE IF EXISTS `{database}`"))
                            .map_err(|e| e.to_string())
                    })
                });
            if let Err(e) = dropped {
                eprintln!("warning: could not drop test database `{name}`: {e}");
            }
        }
        if let Backing::Postgres { server_url, name } = &self.backing {
            // A failure here leaves a stray database behind; it must not hide the test's result.
            let dropped = connect(server_url)
                .map_err(|e| e.to_string())
                .and_then(|mut client| {
                    client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .map_err(|e| e.to_string())
                });
            if let Err(e) = dropped {
                eprintln!("warning: could not drop test database `{name}`: {e}");
            }
        }
    }
}

/// The URL of the PostgreSQL server tests use (`TEST_POSTGRES_URL` or the default).
pub fn postgres_server_url() -> String {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned())
}

/// The URL of the MySQL server tests use (`TEST_MYSQL_URL` or the default).
pub fn mysql_server_url() -> String {
    std::env::var(MYSQL_URL_VAR)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_MYSQL_URL.to_owned())
}

/// A session through drydock's own URL parser, or the test fails saying which URL was tried.
fn mysql_connect_or_fail(url: &str) -> mysql::Conn {
    MysqlUrl::parse(url)
        .and_then(|url| url.connect())
        .unwrap_or_else(|e| {
            panic!(
                "this test needs MariaDB or MySQL, but connecting to `{}` failed: {e}\n\
                 Start a server or point {MYSQL_URL_VAR} at one.",
                redact_url(url)
            )
        })
}

/// A client on the test server's maintenance database (the one in `TEST_POSTGRES_URL`).
///
/// # Panics
///
/// When the server cannot be reached: the test fails with the URL tried (password hidden).
pub fn postgres_server_client() -> postgres::Client {
    connect_or_fail(&postgres_server_url())
}

/// The value of an environment variable a test needs.
///
/// # Panics
///
/// When it is not set: the test fails and says how to set it.
pub fn required_var(name: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| {
            panic!(
                "this test needs {name}: run it through scripts/with-databases.sh, which sets it"
            )
        })
}

/// `url` with its database replaced by `database`, keeping credentials and parameters.
///
/// # Panics
///
/// When `url` is not a valid URL.
pub fn replace_database(url: &str, database: &str) -> String {
    let mut parsed = drydock_connector::DbUrl::parse(url)
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a valid URL: {e}"));
    parsed.database = Some(database.to_owned());
    parsed.to_url()
}

/// A session through drydock's own URL parser and TLS client.
fn connect(url: &str) -> Result<postgres::Client, ConnectorError> {
    PgUrl::parse(url)?.connect()
}

fn connect_or_fail(url: &str) -> postgres::Client {
    connect(url).unwrap_or_else(|e| {
        panic!(
            "this test needs PostgreSQL, but connecting to `{}` failed: {e}\n\
             Start a server or point {POSTGRES_URL_VAR} at one.",
            redact_url(url)
        )
    })
}

/// A copy of folder `from`, subfolders and all, at `to`.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Poll `ready` every 10 ms until it holds (true) or 60 seconds have passed (false).
pub fn wait_for(mut ready: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_databases_are_created_and_dropped() {
        let db = TestDb::postgres();
        let name = db.name();
        let mut client = db.postgres_client();
        let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
        assert_eq!(one, 1);
        drop(client);
        drop(db);
        let mut server = postgres_server_client();
        let left = server
            .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .unwrap();
        assert!(left.is_empty(), "database {name} should be dropped");
    }

    #[test]
    fn mysql_databases_are_created_and_dropped() {
        let db = TestDb::mysql();
        let name = db.name();
        let mut conn = db.mysql_conn();
        let one: Option<i64> = conn.query_first("SELECT 1").unwrap();
        assert_eq!(one, Some(1));
        drop(conn);
        drop(db);
        let mut server = mysql_connect_or_fail(&mysql_server_url());
        let left: Option<i64> = server
            .exec_first(
                "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                (&name,),
            )
            .unwrap();
        assert_eq!(left, None, "database {name} should be dropped");
    }

    #[test]
    fn sqlite_databases_live_in_a_temporary_directory() {
        let db = TestDb::sqlite();
        let path = db.sqlite_path().to_owned();
        assert!(db.url().starts_with("file:"));
        assert_eq!(db.kind(), DatabaseKind::Sqlite);
        std::fs::write(&path, b"").unwrap();
        drop(db);
        assert!(!path.exists());
    }

    #[test]
    fn replacing_the_database_keeps_credentials_and_parameters() {
        assert_eq!(
            replace_database("postgresql://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgresql://u:p@h:5432/x?sslmode=disable"
        );
    }
}
