//! `preflight` on real databases: a ready database passes; index builds on large tables,
//! other sessions' locks and long transactions, and missing privileges are caught.

use std::path::Path;
use std::time::Duration;

use ::mysql::prelude::Queryable;
use drydock_connector::HistoryRow;
use drydock_engine::check_ids::{ACTIVITY, DISK, LINT, PENDING, PRIVILEGES};
use drydock_engine::{
    Check, CheckStatus, PreflightOptions, PreflightReport, Project, migrate, preflight,
    review_pending,
};
use drydock_test_support::{DatabaseKind, TestDb};

const CREATE_ITEMS: (&str, &str) = (
    "20240101000000_create_items",
    "CREATE TABLE \"Item\" (\"id\" integer PRIMARY KEY, \"name\" text);\n",
);

const INDEX_ITEMS: (&str, &str) = (
    "20240102000000_add_item_name_index",
    "SET lock_timeout = '2s';\nCREATE INDEX \"Item_name_idx\" ON \"Item\"(\"name\");\n",
);

const MYSQL_CREATE_ITEMS: (&str, &str) = (
    "20240101000000_create_items",
    "CREATE TABLE `Item` (`id` integer PRIMARY KEY, `name` varchar(191));\n",
);

/// InnoDB builds other indexes online: a `FULLTEXT` one blocks writes while it is built.
const MYSQL_INDEX_ITEMS: (&str, &str) = (
    "20240102000000_add_item_name_index",
    "SET SESSION lock_wait_timeout = 2;\nCREATE FULLTEXT INDEX `Item_name_idx` ON `Item`(`name`);\n",
);

/// A database's `Item` migrations: its creation, and an index whose build blocks writes.
struct Items {
    provider: &'static str,
    create: (&'static str, &'static str),
    index: (&'static str, &'static str),
    /// The lint finding of that index build.
    index_rule: &'static str,
}

const POSTGRES_ITEMS: Items = Items {
    provider: "postgresql",
    create: CREATE_ITEMS,
    index: INDEX_ITEMS,
    index_rule: "D4201 require-concurrent-index",
};

const MYSQL_ITEMS: Items = Items {
    provider: "mysql",
    create: MYSQL_CREATE_ITEMS,
    index: MYSQL_INDEX_ITEMS,
    index_rule: "D4704 mysql-fulltext-spatial-index",
};

/// A project in `dir` whose datasource is `url`, with the given migrations.
fn project(dir: &Path, provider: &str, url: &str, migrations: &[(&str, &str)]) -> Project {
    let prisma = dir.join("prisma");
    std::fs::create_dir_all(&prisma).expect("prisma dir");
    std::fs::write(
        prisma.join("schema.prisma"),
        format!("datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n"),
    )
    .expect("schema");
    for (name, sql) in migrations {
        let folder = prisma.join("migrations").join(name);
        std::fs::create_dir_all(&folder).expect("migration folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration.sql");
    }
    Project::load(Some(&prisma.join("schema.prisma"))).expect("project")
}

fn run(project: &Project, options: &PreflightOptions) -> PreflightReport {
    preflight(project, None, options).expect("preflight")
}

fn check<'r>(report: &'r PreflightReport, id: &str) -> &'r Check {
    report
        .check(id)
        .unwrap_or_else(|| panic!("no `{id}` check in {report:#?}"))
}

/// `Item` with `rows` rows, its migration recorded as applied, the index migration pending.
fn items_with_pending_index(db: &TestDb, dir: &Path, rows: u32, items: &Items) -> Project {
    let project = project(dir, items.provider, db.url(), &[items.create, items.index]);
    match db.kind() {
        DatabaseKind::Postgres => {
            let mut client = db.postgres_client();
            client.batch_execute(items.create.1).expect("create Item");
            client
                .batch_execute(&format!(
                    "INSERT INTO \"Item\" SELECT n, 'item ' || n FROM generate_series(1, {rows}) AS n;\n\
                     ANALYZE \"Item\";"
                ))
                .expect("fill Item");
        }
        DatabaseKind::Mysql => {
            let mut conn = db.mysql_conn();
            conn.query_drop(items.create.1).expect("create Item");
            let ids: Vec<u32> = (1..=rows).collect();
            for batch in ids.chunks(5_000) {
                let values: Vec<String> =
                    batch.iter().map(|n| format!("({n}, 'item {n}')")).collect();
                conn.query_drop(format!("INSERT INTO `Item` VALUES {}", values.join(", ")))
                    .expect("fill Item");
            }
            conn.query_drop("ANALYZE TABLE `Item`").expect("analyze");
        }
        DatabaseKind::Sqlite => unreachable!("SQLite has no other sessions to test here"),
    }
    let mut connection = project.dialect.connect(db.url()).expect("connect");
    migrate::resolve_applied(connection.as_mut(), &project.migrations_dir, items.create.0)
        .expect("mark applied");
    project
}

#[test]
fn a_clean_postgres_database_with_pending_migrations_passes() {
    let db = TestDb::postgres();
    let storage = clean_database_passes(
        &db,
        &POSTGRES_ITEMS,
        "PostgreSQL ",
        "note D4201 require-concurrent-index: `CREATE INDEX` on `Item` takes a SHARE lock \
         that blocks every write to it until the index is built",
    );
    assert!(storage.database_bytes.is_some_and(|b| b > 0), "{storage:?}");
}

/// A fresh database with both `items` migrations pending passes every check; the connection
/// names `product`, and the index build is a note that starts with `index_note` (`Item` is
/// empty then). Returns the database's storage, known as the server is on this machine.
fn clean_database_passes(
    db: &TestDb,
    items: &Items,
    product: &str,
    index_note: &str,
) -> drydock_connector::Storage {
    let dir = tempfile::tempdir().expect("temp dir");
    // The index is on a table the first pending migration creates: empty when it is built.
    let project = project(
        dir.path(),
        items.provider,
        db.url(),
        &[items.create, items.index],
    );
    let report = run(&project, &PreflightOptions::default());
    assert!(!report.fails(true), "{report:#?}");
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "connection",
            "privileges",
            "pending",
            "lint",
            "backup",
            "disk",
            "activity",
            "pooler"
        ]
    );
    assert!(
        check(&report, "connection").summary.starts_with(product),
        "{report:#?}"
    );
    assert_eq!(check(&report, "backup").status, CheckStatus::Skip);
    assert_eq!(check(&report, PENDING).summary, "2 pending migrations");
    assert_eq!(
        check(&report, LINT).details,
        [format!(
            "{index_note} (`Item` is small: about 0 rows, 0 bytes, under the 10000-row \
             threshold) ({}:2:1)",
            project
                .migrations_dir
                .join(items.index.0)
                .join("migration.sql")
                .display()
        )]
    );

    let mut connection = project.dialect.connect(db.url()).expect("connect");
    let storage = connection.storage().expect("storage");
    assert!(storage.data_directory.is_some(), "{storage:?}");
    assert!(storage.free_bytes.is_some_and(|b| b > 0), "{storage:?}");
    assert!(
        check(&report, DISK)
            .summary
            .contains(" free, pending migrations need at most 0 bytes"),
        "{report:#?}"
    );
    storage
}

#[test]
fn an_index_build_fails_lint_on_a_large_table_and_passes_on_a_small_one() {
    index_build_lint(TestDb::postgres, &POSTGRES_ITEMS);
}

fn index_build_lint(new_db: fn() -> TestDb, items: &Items) {
    for (rows, expected) in [(50_000, CheckStatus::Fail), (10, CheckStatus::Pass)] {
        let db = new_db();
        let dir = tempfile::tempdir().expect("temp dir");
        let project = items_with_pending_index(&db, dir.path(), rows, items);
        let report = run(&project, &PreflightOptions::default());
        let lint = check(&report, LINT);
        assert_eq!(lint.status, expected, "{rows} rows: {report:#?}");
        assert!(lint.details[0].contains(items.index_rule), "{report:#?}");
        assert_eq!(check(&report, PENDING).summary, "1 pending migration");
        // The index build needs room up to the table's size.
        let disk = check(&report, DISK);
        assert!(
            disk.details
                .iter()
                .any(|d| d.starts_with("copies or indexes Item: ")),
            "{report:#?}"
        );

        // Deploy's review keeps the findings of the pending migration only.
        let mut connection = project.dialect.connect(db.url()).expect("connect");
        let review = review_pending(
            &project,
            connection.as_mut(),
            &[items.index.0.to_owned()],
            drydock_lint::DEFAULT_MAX_ROWS,
        )
        .expect("review");
        assert_eq!(review.files.len(), 1);
        assert_eq!(review.fails(false), expected == CheckStatus::Fail);
    }
}

#[test]
fn a_failed_migration_in_the_history_fails_the_pending_check() {
    failed_migration_fails_the_pending_check(&TestDb::postgres(), &POSTGRES_ITEMS);
}

fn failed_migration_fails_the_pending_check(db: &TestDb, items: &Items) {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = project(dir.path(), items.provider, db.url(), &[items.create]);
    let mut connection = project.dialect.connect(db.url()).expect("connect");
    connection.create_history_table().expect("history table");
    connection
        .insert_history_row(&HistoryRow {
            id: "6f1c2a52-8d7e-4f0e-9a3b-2c4d5e6f7a8b".to_owned(),
            checksum: "0".repeat(64),
            finished_at: None,
            migration_name: items.create.0.to_owned(),
            logs: Some("syntax error at or near \"TABLE\"".to_owned()),
            rolled_back_at: None,
            started_at: chrono::Utc::now(),
            applied_steps_count: 0,
        })
        .expect("failed row");
    let report = run(&project, &PreflightOptions::default());
    let pending = check(&report, PENDING);
    assert_eq!(pending.status, CheckStatus::Fail, "{report:#?}");
    assert_eq!(
        pending.summary,
        "1 failed migration(s) in the history block deploys"
    );
    assert!(
        pending.details[0].starts_with("20240101000000_create_items failed (started "),
        "{report:#?}"
    );
}

#[test]
fn a_session_locking_a_touched_table_fails_the_activity_check() {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    let project = items_with_pending_index(&db, dir.path(), 10, &POSTGRES_ITEMS);
    let mut other = db.postgres_client();
    let pid: i32 = other
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    other
        .batch_execute("BEGIN; LOCK TABLE \"Item\" IN ACCESS SHARE MODE;")
        .expect("lock");

    let report = run(&project, &PreflightOptions::default());
    let activity = check(&report, ACTIVITY);
    assert_eq!(activity.status, CheckStatus::Fail, "{report:#?}");
    let blocker = &activity.details[0];
    assert!(blocker.starts_with(&format!("pid {pid} (")), "{report:#?}");
    assert!(blocker.contains("idle in transaction"), "{report:#?}");
    assert!(
        blocker.contains("holds AccessShareLock on public.\"Item\""),
        "{report:#?}"
    );
    assert!(report.fails(false));

    other.batch_execute("COMMIT").expect("commit");
    let report = run(&project, &PreflightOptions::default());
    assert_eq!(
        check(&report, ACTIVITY).status,
        CheckStatus::Pass,
        "{report:#?}"
    );
}

#[test]
fn a_transaction_open_longer_than_the_limit_warns() {
    let db = TestDb::postgres();
    let mut other = db.postgres_client();
    let pid: i32 = other
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    other.batch_execute("BEGIN; SELECT 1;").expect("begin");
    long_transaction_warns(&db, &POSTGRES_ITEMS, pid.to_string());
}

/// Another session (`pid`) has just begun a transaction.
fn long_transaction_warns(db: &TestDb, items: &Items, pid: String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = items_with_pending_index(db, dir.path(), 10, items);
    std::thread::sleep(Duration::from_millis(1100));

    let strict = PreflightOptions {
        max_transaction_age: Duration::from_secs(1),
        ..PreflightOptions::default()
    };
    let report = run(&project, &strict);
    let activity = check(&report, ACTIVITY);
    assert_eq!(activity.status, CheckStatus::Warn, "{report:#?}");
    assert_eq!(activity.summary, "1 transaction(s) open longer than 1 s");
    assert!(
        activity.details[0].starts_with(&format!("pid {pid} (")),
        "{report:#?}"
    );
    assert!(!report.fails(false));
    assert!(report.fails(true));

    let report = run(&project, &PreflightOptions::default());
    assert_eq!(
        check(&report, ACTIVITY).status,
        CheckStatus::Pass,
        "{report:#?}"
    );
}

/// A login role that exists for one test.
struct TestRole {
    name: String,
}

impl TestRole {
    fn create() -> TestRole {
        let name = format!("drydock_preflight_{}", std::process::id());
        let mut admin = drydock_test_support::postgres_server_client();
        admin
            .batch_execute(&format!(
                "DROP ROLE IF EXISTS {name}; CREATE ROLE {name} LOGIN;"
            ))
            .expect("create role");
        TestRole { name }
    }
}

impl Drop for TestRole {
    fn drop(&mut self) {
        let mut admin = drydock_test_support::postgres_server_client();
        // A role left behind is harmless and dropped by the next run; do not hide the result.
        let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
    }
}

/// `url` with its user replaced by `user` (and no password).
fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest
        .split_once('@')
        .filter(|(userinfo, _)| !userinfo.contains('/'))
        .map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

#[test]
fn a_role_without_create_on_the_schema_fails_the_privileges_check() {
    let role = TestRole::create();
    {
        let db = TestDb::postgres();
        // PostgreSQL before 15 grants CREATE on `public` to every role: take it back here.
        db.postgres_client()
            .batch_execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            .expect("revoke");
        let dir = tempfile::tempdir().expect("temp dir");
        let url = with_user(db.url(), &role.name);
        let project = project(dir.path(), "postgresql", &url, &[CREATE_ITEMS]);
        let report = run(&project, &PreflightOptions::default());
        let privileges = check(&report, PRIVILEGES);
        assert_eq!(privileges.status, CheckStatus::Fail, "{report:#?}");
        assert_eq!(
            privileges.summary,
            "1 of 2 privileges migrations need is missing"
        );
        assert_eq!(privileges.details[0], "missing: CREATE on schema public");
        // Without superuser rights the server does not say where its data lives.
        let disk = check(&report, DISK);
        assert_eq!(disk.status, CheckStatus::Warn, "{report:#?}");
        assert!(
            disk.summary.starts_with("free space unknown"),
            "{report:#?}"
        );
    }
}

#[test]
fn sqlite_passes_with_storage_filled_in() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let project = project(dir.path(), "sqlite", db.url(), &[CREATE_ITEMS, INDEX_ITEMS]);
    let report = run(&project, &PreflightOptions::default());
    assert!(!report.fails(false), "{report:#?}");
    assert!(
        check(&report, "connection").summary.starts_with("SQLite "),
        "{report:#?}"
    );
    assert_eq!(check(&report, PRIVILEGES).status, CheckStatus::Pass);
    assert_eq!(check(&report, PRIVILEGES).details.len(), 3);
    assert_eq!(
        check(&report, DISK).status,
        CheckStatus::Pass,
        "{report:#?}"
    );
    assert!(
        check(&report, DISK)
            .details
            .iter()
            .any(|d| d.starts_with("database size: ")),
        "{report:#?}"
    );
    assert_eq!(check(&report, ACTIVITY).status, CheckStatus::Pass);

    let mut connection = project.dialect.connect(db.url()).expect("connect");
    let storage = connection.storage().expect("storage");
    assert!(storage.database_bytes.is_some(), "{storage:?}");
    assert_eq!(
        storage.data_directory.as_deref(),
        Some(
            db.sqlite_path()
                .parent()
                .expect("a folder")
                .canonicalize()
                .expect("canonical")
                .as_path()
        )
    );
    assert!(storage.free_bytes.is_some_and(|b| b > 0), "{storage:?}");
}

#[test]
fn an_unreachable_server_fails_the_connection_and_skips_what_needs_it() {
    unreachable_server_fails_the_connection(
        &POSTGRES_ITEMS,
        "postgresql://nobody@127.0.0.1:1/none",
    );
}

fn unreachable_server_fails_the_connection(items: &Items, url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = project(dir.path(), items.provider, url, &[items.create]);
    let report = run(&project, &PreflightOptions::default());
    assert_eq!(check(&report, "connection").status, CheckStatus::Fail);
    for id in [PRIVILEGES, PENDING, LINT, DISK, ACTIVITY] {
        assert_eq!(check(&report, id).status, CheckStatus::Skip, "{id}");
    }
    assert_eq!(check(&report, "pooler").status, CheckStatus::Pass);
}

mod mysql {
    use super::*;

    // Which tables another session's transaction holds is not told by MariaDB without
    // performance_schema's metadata lock instrument: its open transactions are judged by age.

    #[test]
    fn a_clean_database_with_pending_migrations_passes() {
        let db = TestDb::mysql();
        let storage = clean_database_passes(
            &db,
            &MYSQL_ITEMS,
            "MariaDB ",
            "note D4704 mysql-fulltext-spatial-index: a FULLTEXT index on `Item` is built with \
             writes to the table blocked (LOCK=SHARED); a first FULLTEXT index also rebuilds \
             the table",
        );
        // A MySQL database holds no catalog of its own: without tables it holds nothing.
        assert_eq!(storage.database_bytes, Some(0), "{storage:?}");
    }

    #[test]
    fn an_index_build_fails_lint_on_a_large_table_and_passes_on_a_small_one() {
        index_build_lint(TestDb::mysql, &MYSQL_ITEMS);
    }

    #[test]
    fn a_failed_migration_in_the_history_fails_the_pending_check() {
        failed_migration_fails_the_pending_check(&TestDb::mysql(), &MYSQL_ITEMS);
    }

    #[test]
    fn a_transaction_open_longer_than_the_limit_warns() {
        let db = TestDb::mysql();
        let mut other = db.mysql_conn();
        let pid: u64 = other
            .query_first("SELECT CONNECTION_ID()")
            .expect("connection id")
            .expect("a connection id");
        // A snapshot opens the InnoDB transaction at once, as PostgreSQL's `BEGIN; SELECT 1`.
        other
            .query_drop("START TRANSACTION WITH CONSISTENT SNAPSHOT")
            .expect("begin");
        long_transaction_warns(&db, &MYSQL_ITEMS, pid.to_string());
    }

    #[test]
    fn a_user_without_create_on_the_database_fails_the_privileges_check() {
        let db = TestDb::mysql();
        let user = format!("drydock_preflight_{}", std::process::id());
        let mut admin = db.mysql_conn();
        let database = db.name();
        admin
            .query_drop(format!(
                "DROP USER IF EXISTS '{user}'@'%'; CREATE USER '{user}'@'%'; \
                 GRANT SELECT, INSERT, UPDATE, DELETE, ALTER, DROP, INDEX, REFERENCES \
                 ON `{database}`.* TO '{user}'@'%'"
            ))
            .expect("create user");
        let dir = tempfile::tempdir().expect("temp dir");
        let url = with_user(db.url(), &user);
        let project = project(dir.path(), "mysql", &url, &[MYSQL_CREATE_ITEMS]);
        let report = run(&project, &PreflightOptions::default());
        admin
            .query_drop(format!("DROP USER '{user}'@'%'"))
            .expect("drop user");
        let privileges = check(&report, PRIVILEGES);
        assert_eq!(privileges.status, CheckStatus::Fail, "{report:#?}");
        assert_eq!(
            privileges.summary,
            "1 of 9 privileges migrations need is missing"
        );
        assert_eq!(
            privileges.details[0],
            format!("missing: CREATE on database `{database}`")
        );
    }

    #[test]
    fn an_unreachable_server_fails_the_connection_and_skips_what_needs_it() {
        unreachable_server_fails_the_connection(&MYSQL_ITEMS, "mysql://nobody@127.0.0.1:1/none");
    }
}
