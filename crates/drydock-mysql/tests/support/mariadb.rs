//! A database of its own on the MariaDB (or MySQL) server of `TEST_MYSQL_URL`, driven with the
//! server's command-line client, dropped when the test ends however it ends.

use drydock_test_support::mariadb_cli::{run, server_url};

pub(crate) struct TestDb {
    url: String,
    pub(crate) name: String,
}

impl TestDb {
    pub(crate) fn new() -> TestDb {
        // Database names hold at most 64 characters.
        let name = format!("drydock_mysql_{}", uuid::Uuid::new_v4().simple());
        let db = TestDb {
            url: server_url(),
            name,
        };
        run(&db.url, None, &format!("CREATE DATABASE `{}`", db.name)).unwrap_or_else(|e| {
            panic!("MariaDB or MySQL is needed for this test (set TEST_MYSQL_URL): {e}")
        });
        db
    }

    /// Runs a script in the database; the client's error text when a statement fails.
    pub(crate) fn execute(&self, script: &str) -> Result<String, String> {
        run(&self.url, Some(&self.name), script)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = run(
            &self.url,
            None,
            &format!("DROP DATABASE IF EXISTS `{}`", self.name),
        );
    }
}
