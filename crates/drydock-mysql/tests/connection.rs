//! The MySQL connection against the real MariaDB of `TEST_MYSQL_URL`: scripts, history, lock,
//! session limits, cancelling, other sessions and pre-flight facts. Each test has its own
//! database.

use std::time::Duration;

use drydock_connector::prelude::*;
use drydock_connector::{Connection, ConnectorError, RowCount, SessionLimits};
use drydock_mysql::{MysqlConnection, MysqlUrl};
use drydock_schema::ObjectName;

use drydock_test_support::{TestDb, connection, wait_for};
use mysql::prelude::Queryable;

fn connect(db: &TestDb) -> MysqlConnection {
    MysqlConnection::connect(db.url()).expect("connecting to the test database")
}

#[test]
fn script_errors_name_the_failing_statement_and_what_ran() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);

    let script = "-- CreateTable\nCREATE TABLE `a` (`id` INT);\n\n-- Broken\nCREATE TABLE `b` (`id` INT,);\n";
    let error = conn.execute_script(script).unwrap_err();
    assert_eq!(error.statements_done, Some(1));
    assert_eq!(error.position, script.find("CREATE TABLE `b`"), "{error:?}");
    assert_eq!(error.db_code.as_deref(), Some("1064"), "a syntax error");

    let script = "CREATE TABLE `u` (`x` VARCHAR(10) UNIQUE);\n-- Seed\nINSERT INTO `u` VALUES ('é');\n/* again */ INSERT INTO `u` VALUES ('é');\nSELECT 1;";
    let error = conn.execute_script(script).unwrap_err();
    assert_eq!(error.position, script.rfind("INSERT"), "{error:?}");
    assert_eq!(error.statements_done, Some(2));
    assert_eq!(error.db_code.as_deref(), Some("1062"), "duplicate entry");
    assert!(
        error.message.contains("Duplicate entry"),
        "{}",
        error.message
    );

    // MySQL's own lexical rules: a `#` comment, a backslash-escaped quote and a `"..."`
    // string hold semicolons that end nothing, so the failing statement is still found.
    let script = "# Seed; twice\nCREATE TABLE `s` (`x` VARCHAR(20) UNIQUE);\n\
                  INSERT INTO `s` VALUES ('it\\'s;'), (\"a;\\\"b\");\n\
                  INSERT INTO `s` VALUES (\"a;\\\"b\");\n";
    let error = conn.execute_script(script).unwrap_err();
    assert_eq!(error.statements_done, Some(2), "{error:?}");
    assert_eq!(error.position, script.rfind("INSERT"), "{error:?}");
    assert_eq!(error.db_code.as_deref(), Some("1062"), "duplicate entry");

    let error = conn.execute_script("SELECT * FROM `missing`;").unwrap_err();
    assert_eq!(error.position, Some(0), "{error:?}");
    assert_eq!(error.statements_done, Some(0));

    // Statements that return rows run too, a stored program's body is one statement, and
    // trailing comments are fine.
    conn.execute_script(
        "SELECT 1;\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END;\nCALL p();\n-- done\n",
    )
    .unwrap();
    assert_eq!(
        conn.execute_counted("UPDATE `u` SET `x` = 'f'").unwrap(),
        1,
        "rows changed"
    );
    assert!(
        !conn.is_lost(&error),
        "a failed statement leaves the session"
    );
}

#[test]
fn server_version_tells_mariadb_from_mysql() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    let version = conn.server_version().unwrap();
    let reported: Option<String> = db.mysql_conn().query_first("SELECT VERSION()").unwrap();
    let expected = if reported.unwrap().contains("MariaDB") {
        "MariaDB "
    } else {
        "MySQL "
    };
    assert!(version.starts_with(expected), "{version}");
    assert_eq!(conn.is_mariadb(), expected == "MariaDB ");
}

#[test]
fn history_is_prismas_table() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    // DATETIME(3) keeps milliseconds.
    let first = connection::history_round_trip(&mut conn, chrono::Duration::milliseconds(1234));
    // Writing the values already there is still an update of an existing row.
    conn.update_history_row(&first).unwrap();

    let columns: Vec<(String, String, String, Option<String>)> = db
        .mysql_conn()
        .query(
            "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM \
             information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = '_prisma_migrations' ORDER BY ORDINAL_POSITION",
        )
        .unwrap();
    let mut columns: Vec<String> = columns
        .iter()
        .map(|(name, kind, null, default)| {
            format!("{name} {kind} {null} {}", default.as_deref().unwrap_or("-"))
        })
        .collect();
    let collation: Option<String> = db
        .mysql_conn()
        .query_first(
            "SELECT TABLE_COLLATION FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_prisma_migrations'",
        )
        .unwrap();
    columns.push(format!("collation {}", collation.unwrap()));
    insta::assert_snapshot!(columns.join("\n"));
}

#[test]
fn execute_and_record_says_which_statements_ran() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    let mut row = connection::history_row("20250101000000_steps", false);
    conn.insert_history_row(&row).unwrap();

    // DDL commits by itself; its count is written right after it.
    row.applied_steps_count = 1;
    conn.execute_and_record("CREATE TABLE `t` (`id` INT PRIMARY KEY)", &row)
        .unwrap();
    // A statement that changes rows commits together with its count: a failure leaves both
    // as they were.
    let mut second = row.clone();
    second.applied_steps_count = 2;
    let error = conn
        .execute_and_record("INSERT INTO `t` VALUES (1), (1)", &second)
        .unwrap_err();
    assert_eq!(error.db_code.as_deref(), Some("1062"));
    let history = conn.read_history().unwrap();
    assert_eq!(history[0].applied_steps_count, 1, "{history:?}");
    assert_eq!(
        conn.count_rows(&RowCount::Rows {
            table: &ObjectName::new(None, "t")
        })
        .unwrap(),
        0
    );
    assert!(!conn.abort_open_transaction().unwrap());

    // A script's own transaction left open is rolled back.
    conn.execute_script("START TRANSACTION; INSERT INTO `t` VALUES (7);")
        .unwrap();
    assert!(conn.abort_open_transaction().unwrap());
    assert_eq!(
        conn.query_texts("SELECT COUNT(*) FROM `t`").unwrap(),
        [Some("0".to_owned())]
    );
}

#[test]
fn the_lock_excludes_a_second_session_until_released() {
    let db = TestDb::mysql();
    let mut first = connect(&db);
    let mut second = connect(&db);
    first.lock_migrations(5).unwrap();
    first.lock_migrations(5).unwrap();

    let error = second.lock_migrations(1).unwrap_err();
    let ConnectorError::LockTimeout { seconds, holder } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*seconds, 1);
    let holder = holder.as_deref().unwrap_or_default();
    let id = first.session_id().unwrap();
    assert!(holder.contains(&format!("session {id} ")), "{holder}");

    first.unlock_migrations().unwrap();
    second.lock_migrations(1).unwrap();
    // Closing the holder's session releases it too.
    drop(second);
    first.lock_migrations(5).unwrap();
    let held: Option<Option<i64>> = db
        .mysql_conn()
        .query_first("SELECT IS_USED_LOCK('prisma_migrate')")
        .unwrap();
    assert_eq!(held.flatten().map(|id| id.to_string()), Some(id));
}

#[test]
fn session_limits_stop_a_lock_wait() {
    let db = TestDb::mysql();
    let mut holder = db.mysql_conn();
    holder
        // A writing transaction: InnoDB lists it in `INNODB_TRX` from its first write, where a
        // read-only one may be left out.
        .query_drop(
            "CREATE TABLE `t` (`id` INT PRIMARY KEY); START TRANSACTION; INSERT INTO `t` VALUES (1)",
        )
        .unwrap();
    let mut conn = connect(&db);
    conn.set_session_limits(&SessionLimits {
        lock_timeout: Some(Duration::from_millis(1500)),
        statement_timeout: Some(Duration::from_secs(30)),
    })
    .unwrap();
    let settings = conn
        .query_texts("SELECT CONCAT(@@lock_wait_timeout, ' ', @@innodb_lock_wait_timeout)")
        .unwrap();
    assert_eq!(settings, [Some("2 2".to_owned())]);
    // The holder's open transaction keeps a metadata lock: the ALTER waits, then gives up.
    let error = conn
        .execute_script("ALTER TABLE `t` ADD COLUMN `x` INT")
        .unwrap_err();
    assert_eq!(
        error.db_code.as_deref(),
        Some(drydock_mysql::ER_LOCK_WAIT_TIMEOUT.to_string().as_str()),
        "{error:?}"
    );
    assert!(!conn.is_lost(&error));

    conn.set_session_limits(&SessionLimits::default()).unwrap();
    let defaults = conn
        .query_texts("SELECT @@lock_wait_timeout = @@global.lock_wait_timeout")
        .unwrap();
    assert_eq!(defaults, [Some("1".to_owned())]);
}

#[test]
fn a_blocked_session_is_observed_and_cancelled() {
    let db = TestDb::mysql();
    let mut holder = db.mysql_conn();
    holder
        // A writing transaction: InnoDB lists it in `INNODB_TRX` from its first write, where a
        // read-only one may be left out.
        .query_drop(
            "CREATE TABLE `t` (`id` INT PRIMARY KEY); START TRANSACTION; INSERT INTO `t` VALUES (1)",
        )
        .unwrap();
    let holder_id = holder.connection_id().to_string();
    // A transaction open on another database of the server blocks nothing here.
    let elsewhere = TestDb::mysql();
    let mut bystander = elsewhere.mysql_conn();
    bystander
        .query_drop("CREATE TABLE `u` (`id` INT PRIMARY KEY); START TRANSACTION; SELECT * FROM `u`")
        .unwrap();

    let mut blocked = connect(&db);
    let blocked_id = blocked.session_id().unwrap();
    let canceller = blocked.canceller().unwrap();
    let waiting = std::thread::spawn(move || {
        let outcome = blocked.execute_script("ALTER TABLE `t` ADD COLUMN `x` INT");
        (outcome, blocked)
    });

    let mut observer = connect(&db);
    // InnoDB's transaction list in `information_schema` is a copy the server refreshes only
    // when nobody read it in the last 0.1 s: polled faster, by this test or others beside it,
    // it would stay as it was before the holder's transaction began.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (named, activity) = loop {
        let seen = observer.observe_session(&blocked_id).unwrap();
        let named = seen.waiting_for.is_some() && seen.blockers.iter().any(|b| b.id == holder_id);
        if named || std::time::Instant::now() > deadline {
            break (named, seen);
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    };
    assert!(
        named,
        "the ALTER never waited with its blocker named: {activity:?}"
    );
    assert!(
        activity
            .waiting_for
            .as_deref()
            .is_some_and(|w| w.contains("metadata lock")),
        "{activity:?}"
    );
    let others = observer.other_sessions().unwrap();
    assert!(others.iter().any(|s| s.id == holder_id), "{others:?}");
    let bystander_id = bystander.connection_id().to_string();
    assert!(
        others.iter().all(|s| s.id != bystander_id),
        "another database's transaction: {others:?}"
    );

    canceller.cancel().unwrap();
    let (outcome, mut blocked) = waiting.join().unwrap();
    let error = outcome.unwrap_err();
    assert!(
        !blocked.is_lost(&error),
        "KILL QUERY leaves the session: {error:?}"
    );
    assert_eq!(
        blocked.query_texts("SELECT 1").unwrap(),
        [Some("1".to_owned())]
    );
}

#[test]
fn a_killed_session_is_lost() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    let id = conn.session_id().unwrap();
    db.mysql_conn().query_drop(format!("KILL {id}")).unwrap();
    let error = conn.execute_script("SELECT 1").unwrap_err();
    assert!(conn.is_lost(&error), "{error:?}");
}

#[test]
fn reset_drops_every_object() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    conn.execute_script(
        "CREATE TABLE `a` (`id` INT PRIMARY KEY);\n\
         CREATE TABLE `b` (`a` INT, FOREIGN KEY (`a`) REFERENCES `a` (`id`));\n\
         CREATE VIEW `v` AS SELECT * FROM `a`;\n\
         CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1;\n",
    )
    .unwrap();
    assert!(conn.has_user_tables().unwrap());
    conn.reset().unwrap();
    let left = conn
        .query_texts(
            "SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()) \
             + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE())",
        )
        .unwrap();
    assert_eq!(left, [Some("0".to_owned())]);
    assert!(!conn.history_table_exists().unwrap());
}

/// The session keeps its prepared statements: the history written, the table dropped by a
/// reset and created again with another column order (as `migrate reset` and a hand-made
/// table may leave it), and written again through the same statements.
#[test]
fn history_writes_outlive_their_table_being_dropped_and_created_again() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    let mut row = connection::history_row("20250101000000_init", false);
    conn.insert_history_row(&row).unwrap();
    row.applied_steps_count = 1;
    conn.update_history_row(&row).unwrap();
    conn.reset().unwrap();
    conn.execute_script(
        "CREATE TABLE _prisma_migrations (
            applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0,
            migration_name VARCHAR(255) NOT NULL,
            id VARCHAR(36) PRIMARY KEY NOT NULL,
            checksum VARCHAR(64) NOT NULL,
            started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
            finished_at DATETIME(3),
            rolled_back_at DATETIME(3),
            logs TEXT
        )",
    )
    .unwrap();
    assert!(
        conn.update_history_row(&row).is_err(),
        "the row went with the table"
    );
    conn.insert_history_row(&row).unwrap();
    row.finished_at = Some(row.started_at + chrono::Duration::seconds(2));
    row.applied_steps_count = 2;
    conn.update_history_row(&row).unwrap();
    assert_eq!(conn.read_history().unwrap(), vec![row]);
}

#[test]
fn rows_privileges_and_storage_are_read() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    conn.execute_script(
        "CREATE TABLE `u` (`id` INT, `role` ENUM('A','B'), `email` VARCHAR(20));\n\
         INSERT INTO `u` VALUES (1, 'A', 'x'), (2, 'B', 'x'), (3, 'B', NULL);",
    )
    .unwrap();
    let table = ObjectName::new(None, "u");
    let email = ["email".to_owned()];
    let count = |conn: &mut MysqlConnection, question| conn.count_rows(&question).unwrap();
    assert_eq!(count(&mut conn, RowCount::Rows { table: &table }), 3);
    assert_eq!(
        count(
            &mut conn,
            RowCount::Null {
                table: &table,
                column: "email"
            }
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            RowCount::Duplicates {
                table: &table,
                columns: &email
            }
        ),
        2
    );
    assert_eq!(
        count(
            &mut conn,
            RowCount::Value {
                table: &table,
                column: "role",
                value: "B",
                list: false
            }
        ),
        2
    );

    let privileges = conn.privileges().unwrap();
    assert!(
        privileges.iter().all(|p| p.granted),
        "the test user is root: {privileges:?}"
    );
    assert!(
        privileges
            .iter()
            .any(|p| p.what.starts_with("ALTER on database"))
    );
    let storage = conn.storage().unwrap();
    assert!(storage.database_bytes.is_some_and(|b| b > 0), "{storage:?}");
}

#[test]
fn offers_sessions_and_maintenance_facts_but_no_trial_runs_or_failed_index_builds() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    assert!(conn.sessions().is_some());
    assert!(conn.maintenance().is_some());
    assert!(
        conn.failed_index_builds().is_none(),
        "index builds never leave invalid indexes"
    );
    assert!(
        conn.trial_runs().is_none(),
        "DDL commits by itself, so nothing can be tried and rolled back"
    );
}

#[test]
fn connection_errors_keep_the_password_out() {
    let server = MysqlUrl::parse(&drydock_test_support::mysql_server_url()).unwrap();
    let mut url = drydock_connector::DbUrl::parse(&server.to_url()).unwrap();
    url.user = Some("drydock_nobody".to_owned());
    url.password = Some("hunter2-secret".to_owned());
    let error = MysqlConnection::connect(&url.to_url()).err().unwrap();
    assert_eq!(error.code(), "P1000", "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");

    let missing = server.with_database("drydock_no_such_database");
    let error = MysqlConnection::open(missing).err().unwrap();
    assert_eq!(error.code(), "P1003", "{error}");

    let mut closed = url.clone();
    closed.hosts[0].port = Some(1);
    let error = MysqlConnection::connect(&closed.to_url()).err().unwrap();
    assert_eq!(error.code(), "P1001", "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(!format!("{:?}", MysqlUrl::parse(&url.to_url()).unwrap()).contains("hunter2"));
}

#[test]
fn tls_is_required_or_preferred_as_the_url_says() {
    let server = drydock_test_support::mysql_server_url();
    let mut url = drydock_connector::DbUrl::parse(&server).unwrap();
    let mut conn = db_session();
    let offers_tls: Option<(String, String)> =
        conn.query_first("SHOW VARIABLES LIKE 'have_ssl'").unwrap();
    let offers_tls = offers_tls.is_some_and(|(_, value)| value == "YES");

    url.set_param("sslmode", "prefer");
    MysqlConnection::connect(&url.to_url()).expect("TLS when offered, plaintext otherwise");
    url.set_param("sslmode", "require");
    match MysqlConnection::connect(&url.to_url()) {
        Ok(_) => assert!(offers_tls, "a server without TLS was accepted"),
        Err(error) => {
            assert!(!offers_tls, "{error}");
            assert_eq!(error.code(), "P1011", "{error}");
        }
    }
}

/// A session on the test server, for looking at its settings.
fn db_session() -> mysql::Conn {
    MysqlUrl::parse(&drydock_test_support::mysql_server_url())
        .unwrap()
        .connect()
        .unwrap()
}

#[test]
fn apply_in_transaction_is_atomic_for_rows_and_honest_about_ddl() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    conn.execute_script("CREATE TABLE `t` (`id` INT PRIMARY KEY);")
        .unwrap();

    // Rows and the history row commit together, or neither does.
    let error = conn
        .apply_in_transaction(
            "INSERT INTO `t` VALUES (1);\nINSERT INTO `t` VALUES (1);",
            &connection::history_row("20250101000000_rows", true),
        )
        .unwrap_err();
    assert_eq!(error.statements_done, Some(1));
    assert!(conn.read_history().unwrap().is_empty());
    assert_eq!(
        conn.query_texts("SELECT COUNT(*) FROM `t`").unwrap(),
        [Some("0".to_owned())]
    );

    // DDL commits by itself: the table stays although the script failed after it.
    let error = conn
        .apply_in_transaction(
            "CREATE TABLE `u` (`id` INT);\nINSERT INTO `missing` VALUES (1);",
            &connection::history_row("20250101000001_ddl", true),
        )
        .unwrap_err();
    assert_eq!(error.statements_done, Some(1));
    assert!(conn.read_history().unwrap().is_empty());
    assert_eq!(connection::table_names(&mut conn), ["t", "u"]);

    let ok = connection::history_row("20250101000002_ok", true);
    conn.apply_in_transaction("INSERT INTO `t` VALUES (2);", &ok)
        .unwrap();
    assert_eq!(conn.read_history().unwrap(), vec![ok]);
    assert!(!conn.abort_open_transaction().unwrap());
}

/// Whether the test server has a database named `name`.
fn database_exists(name: &str) -> bool {
    let found: Option<i64> = db_session()
        .exec_first(
            "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (name,),
        )
        .unwrap();
    found.is_some()
}

#[test]
fn a_temporary_shadow_database_lives_until_disposed() {
    let db = TestDb::mysql();
    let mut shadow = drydock_mysql::open_shadow(db.url(), None).unwrap();
    let name = shadow
        .connection()
        .query_texts("SELECT DATABASE()")
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(
        name.starts_with(drydock_mysql::SHADOW_DATABASE_PREFIX),
        "{name}"
    );
    shadow
        .connection()
        .execute_script("CREATE TABLE `t` (`id` INT);")
        .unwrap();
    assert!(database_exists(&name));
    shadow.dispose().unwrap();
    assert!(!database_exists(&name), "{name} is dropped");
}

#[test]
fn a_configured_shadow_database_is_emptied_and_never_the_main_one() {
    let db = TestDb::mysql();
    let shadow_db = TestDb::mysql();
    let ddl = "CREATE TABLE `a` (`id` INT PRIMARY KEY);\nCREATE VIEW `v` AS SELECT * FROM `a`;";
    connect(&shadow_db).execute_script(ddl).unwrap();

    let mut shadow = drydock_mysql::open_shadow(db.url(), Some(shadow_db.url())).unwrap();
    assert!(shadow.connection().introspect(&[]).unwrap().is_empty());
    shadow.connection().execute_script(ddl).unwrap();
    shadow.dispose().unwrap();
    assert!(connect(&shadow_db).introspect(&[]).unwrap().is_empty());
    assert!(database_exists(&shadow_db.name()), "kept, emptied");

    let same = drydock_mysql::open_shadow(db.url(), Some(db.url()));
    assert!(matches!(same, Err(ConnectorError::InvalidUrl { .. })));
}

#[test]
fn create_database_creates_only_a_missing_one() {
    let db = TestDb::mysql();
    assert!(!drydock_mysql::create_database(db.url()).unwrap());
    // A database this test creates goes with the test's own.
    let name = format!("{}_new", db.name());
    let url = MysqlUrl::parse(db.url())
        .unwrap()
        .with_database(&name)
        .to_url();
    let created = drydock_mysql::create_database(&url);
    let exists = database_exists(&name);
    db_session()
        .query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
        .unwrap();
    assert!(created.unwrap());
    assert!(exists);
}

#[test]
fn a_socket_parameter_connects_through_the_socket() {
    let db = TestDb::mysql();
    let socket: Option<String> = db.mysql_conn().query_first("SELECT @@socket").unwrap();
    let mut url = drydock_connector::DbUrl::parse(db.url()).unwrap();
    url.set_param("socket", &socket.unwrap());
    let mut conn = MysqlConnection::connect(&url.to_url()).unwrap();
    // A session over a Unix socket comes from `localhost`; over TCP from `address:port`.
    let host = conn
        .query_texts("SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")
        .unwrap();
    assert_eq!(host, [Some("localhost".to_owned())]);
    assert_eq!(
        conn.query_texts("SELECT DATABASE()").unwrap(),
        [Some(db.name())]
    );
}

#[test]
fn mariadb_reports_how_far_a_table_copy_has_come() {
    let db = TestDb::mysql();
    let mut conn = connect(&db);
    // MariaDB's sequence engine makes the rows.
    conn.execute_script(
        "CREATE TABLE `t` (`id` INT PRIMARY KEY, `v` VARCHAR(50));\n\
         INSERT INTO `t` SELECT seq, REPEAT('x', 40) FROM seq_1_to_300000;",
    )
    .unwrap();
    let id = conn.session_id().unwrap();
    let copying = std::thread::spawn(move || {
        conn.execute_script("ALTER TABLE `t` ADD COLUMN `x` INT, ALGORITHM=COPY")
    });
    let mut observer = connect(&db);
    let mut progress = None;
    let seen = wait_for(|| {
        progress = observer.observe_session(&id).unwrap().progress;
        progress.is_some() || copying.is_finished()
    });
    copying.join().unwrap().unwrap();
    assert!(seen);
    let progress = progress.expect("the copy reported its progress");
    assert!(progress.command.starts_with("ALTER TABLE"), "{progress:?}");
    assert!(progress.phase.starts_with("stage 1 of"), "{progress:?}");
    assert!(
        progress
            .done
            .is_some_and(|done| done > 0 && done <= 100_000),
        "{progress:?}"
    );
}
