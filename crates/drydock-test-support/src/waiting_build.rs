//! The deploy that the tests stopping or killing a migration halfway run alike on every server:
//! a table `item`, then a migration of three statements whose second, an index on `item`,
//! waits behind an application's open transaction on the table. Each server fills in its SQL.

use std::time::{Duration, Instant};

use drydock_connector::{Connection, Dialect, ScriptError};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;

use crate::TestDb;

/// One server's SQL for the waiting index build.
pub struct WaitingBuild {
    pub dialect: &'static dyn Dialect,
    /// The first migration: the table `item` (`id`, `code`).
    pub init: &'static str,
    /// The second migration's statements: a table `tag`, the index `item_code_idx` (the one
    /// that waits), the index `tag_id_idx`.
    pub statements: [&'static str; 3],
    /// An application's transaction that holds the index build up, left open.
    pub hold: &'static str,
    /// What ends the application's transaction.
    pub release: &'static str,
    /// The ids of the sessions of database `{0}` whose index build waits for a lock.
    waiting: fn(&str) -> String,
    /// Ends the session of id `{0}`, as if its client died.
    end_session: fn(&str) -> String,
    /// Counts `item_code_idx` and `tag_id_idx` where they are built and usable.
    built: &'static str,
}

/// PostgreSQL: the index is built `CONCURRENTLY`, and waits for transactions that wrote to the
/// table.
pub const POSTGRES: WaitingBuild = WaitingBuild {
    dialect: &PostgresDialect,
    init: "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT);",
    statements: [
        "CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY);",
        "CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");",
        "CREATE INDEX CONCURRENTLY \"tag_id_idx\" ON \"tag\" (\"id\");",
    ],
    hold: "BEGIN; INSERT INTO \"item\" VALUES (1, 'a');",
    release: "COMMIT;",
    waiting: |database| {
        format!(
            "SELECT pid::text FROM pg_stat_activity WHERE datname = '{database}' \
             AND query LIKE '%CREATE INDEX CONCURRENTLY%' AND pid <> pg_backend_pid() \
             AND wait_event_type = 'Lock'"
        )
    },
    end_session: |id| format!("SELECT pg_terminate_backend({id});"),
    built: "SELECT count(*)::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
            WHERE c.relname IN ('item_code_idx', 'tag_id_idx') AND i.indisvalid",
};

/// MySQL and MariaDB: the index waits for the metadata lock of a transaction that read the
/// table.
pub const MYSQL: WaitingBuild = WaitingBuild {
    dialect: &MysqlDialect,
    init: "CREATE TABLE `item` (`id` INTEGER NOT NULL, `code` VARCHAR(100) NULL, \
           PRIMARY KEY (`id`));",
    statements: [
        "CREATE TABLE `tag` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));",
        "CREATE INDEX `item_code_idx` ON `item`(`code`);",
        "CREATE INDEX `tag_id_idx` ON `tag`(`id`);",
    ],
    hold: "START TRANSACTION; SELECT * FROM `item`;",
    release: "COMMIT;",
    waiting: |database| {
        format!(
            "SELECT CAST(ID AS CHAR) FROM information_schema.PROCESSLIST \
             WHERE DB = '{database}' AND INFO LIKE 'CREATE INDEX `item_code_idx`%' \
             AND STATE LIKE '%metadata lock%'"
        )
    },
    end_session: |id| format!("KILL {id};"),
    built: "SELECT CAST(COUNT(DISTINCT INDEX_NAME) AS CHAR) FROM information_schema.STATISTICS \
            WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME IN ('item_code_idx', 'tag_id_idx')",
};

impl WaitingBuild {
    /// The second migration, its statements one per line.
    pub fn index_migration(&self) -> String {
        self.statements.map(|s| format!("{s}\n")).concat()
    }

    /// A session of `db` with the application's transaction open on `item`.
    ///
    /// # Errors
    ///
    /// When the server cannot be reached or refuses the statements.
    pub fn hold(&self, db: &TestDb) -> Result<Box<dyn Connection>, Box<dyn std::error::Error>> {
        let mut application = self.dialect.connect(db.url())?;
        application.execute_script(self.hold)?;
        Ok(application)
    }

    /// The id of a session of `database` whose index build waits, seen from `observer`.
    pub fn waiting_session(&self, observer: &mut dyn Connection, database: &str) -> Option<String> {
        observer
            .query_texts(&(self.waiting)(database))
            .ok()?
            .into_iter()
            .flatten()
            .next()
    }

    /// A test whether the index build of `db` waits, to call from another thread (each call
    /// opens a session of its own).
    pub fn waiting(&'static self, db: &TestDb) -> impl FnMut() -> bool + Send + 'static {
        let (url, database) = (db.url().to_owned(), db.name());
        move || {
            self.dialect.connect(&url).is_ok_and(|mut observer| {
                self.waiting_session(observer.as_mut(), &database).is_some()
            })
        }
    }

    /// Ends, from another thread, the session of `db` whose index build waits, once there is
    /// one (30 s at most). The thread returns whether it ended one.
    pub fn end_waiting_session(&'static self, db: &TestDb) -> std::thread::JoinHandle<bool> {
        let url = db.url().to_owned();
        let name = db.name();
        std::thread::spawn(move || {
            let Ok(mut killer) = self.dialect.connect(&url) else {
                return false;
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Some(id) = self.waiting_session(killer.as_mut(), &name) {
                    return killer.execute_script(&(self.end_session)(&id)).is_ok();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            false
        })
    }

    /// How many of the migration's two indexes are built and usable.
    ///
    /// # Errors
    ///
    /// When the server cannot be reached.
    pub fn built_indexes(&self, db: &TestDb) -> Result<usize, Box<dyn std::error::Error>> {
        let count = self.dialect.connect(db.url())?.query_texts(self.built)?;
        Ok(count
            .first()
            .cloned()
            .flatten()
            .and_then(|n| n.parse().ok())
            .unwrap_or_default())
    }

    /// Runs the first `count` statements of the second migration by hand, as a deploy that
    /// died after them did.
    ///
    /// # Errors
    ///
    /// When a statement fails.
    pub fn run_statements(
        &self,
        connection: &mut dyn Connection,
        count: usize,
    ) -> Result<(), ScriptError> {
        for statement in &self.statements[..count] {
            connection.execute_script(statement)?;
        }
        Ok(())
    }
}
