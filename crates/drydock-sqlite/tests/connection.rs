//! The SQLite connection against real database files: scripts, transactions, history, lock,
//! introspection, shadow databases and reset. Each test has its own file.

use std::collections::BTreeSet;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use drydock_connector::{Connection, ConnectorError, Dialect, HistoryRow};
use drydock_schema::{
    Column, ColumnArity, ColumnType, DefaultValue, ForeignKey, Index, IndexColumn, IndexKind,
    ObjectName, PrimaryKey, ReferentialAction, SortOrder, SqlSchema, Table, TypeFamily,
};
use drydock_sqlite::SqliteDialect;
use drydock_test_support::TestDb;

fn connect(db: &TestDb) -> Box<dyn Connection> {
    SqliteDialect
        .connect(db.url())
        .expect("opening the test database")
}

fn row(name: &str, finished: bool) -> HistoryRow {
    let started_at = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
    HistoryRow {
        id: uuid::Uuid::new_v4().to_string(),
        checksum: "a".repeat(64),
        finished_at: finished.then(|| started_at + chrono::Duration::milliseconds(1500)),
        migration_name: name.to_owned(),
        logs: None,
        rolled_back_at: None,
        started_at,
        applied_steps_count: u32::from(finished),
    }
}

fn table_names(conn: &mut dyn Connection) -> Vec<String> {
    conn.introspect(&[])
        .unwrap()
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect()
}

#[test]
fn script_errors_carry_position_and_progress() {
    let db = TestDb::sqlite();
    let mut conn = connect(&db);

    let script = "-- CreateTable\nCREATE TABLE \"a\" (\"id\" INTEGER);\n\n-- Broken\nCREATE TABLE \"b\" (\"id\" INTEGER,);\n";
    let error = conn.execute_script(script).unwrap_err();
    let position = error.position.expect("a syntax error has a position");
    assert!(script[position..].starts_with(')'), "{error:?}");
    assert_eq!(error.statements_done, Some(1));
    assert_eq!(error.db_code.as_deref(), Some("1"));

    let script = "CREATE TABLE \"u\" (\"x\" TEXT UNIQUE);\n-- Seed\nINSERT INTO \"u\" VALUES ('é');\n/* again */ INSERT INTO \"u\" VALUES ('é');\nSELECT 1;";
    let error = conn.execute_script(script).unwrap_err();
    let position = error
        .position
        .expect("the failing statement has a position");
    assert_eq!(position, script.rfind("INSERT").unwrap(), "{error:?}");
    assert_eq!(error.statements_done, Some(2));
    assert_eq!(
        error.db_code.as_deref(),
        Some("2067"),
        "SQLITE_CONSTRAINT_UNIQUE"
    );
    assert!(error.message.contains("UNIQUE"), "{}", error.message);

    let error = conn
        .execute_script("SELECT * FROM \"missing\";")
        .unwrap_err();
    assert_eq!(error.position, Some(0), "{error:?}");
    assert_eq!(error.statements_done, Some(0));

    // Statements that return rows run too; trailing comments are fine.
    conn.execute_script("PRAGMA foreign_key_check;\nSELECT 1;\n-- done\n")
        .unwrap();
}

#[test]
fn apply_in_transaction_is_atomic() {
    let db = TestDb::sqlite();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();

    let failing = row("20250101000000_broken", true);
    let error = conn
        .apply_in_transaction(
            "CREATE TABLE \"broken\" (\"id\" INTEGER);\nINSERT INTO \"nope\" VALUES (1);",
            &failing,
        )
        .unwrap_err();
    assert_eq!(error.statements_done, Some(1));
    assert!(!conn.has_user_tables().unwrap());
    assert!(conn.read_history().unwrap().is_empty());

    let ok = row("20250101000001_ok", true);
    conn.apply_in_transaction("CREATE TABLE \"ok\" (\"id\" INTEGER);", &ok)
        .unwrap();
    // A failing history insert (duplicate id) rolls the script back too.
    conn.apply_in_transaction("CREATE TABLE \"again\" (\"id\" INTEGER);", &ok)
        .unwrap_err();
    assert_eq!(table_names(conn.as_mut()), ["ok"]);
    assert_eq!(conn.read_history().unwrap(), vec![ok]);
    // The connection is usable afterwards, outside any transaction.
    conn.execute_script("CREATE TABLE \"later\" (\"id\" INTEGER);")
        .unwrap();
}

#[test]
fn history_round_trip_in_prismas_format() {
    let db = TestDb::sqlite();
    let mut conn = connect(&db);
    assert!(!conn.history_table_exists().unwrap());
    conn.create_history_table().unwrap();
    conn.create_history_table().unwrap();
    assert!(conn.history_table_exists().unwrap());
    assert!(!conn.has_user_tables().unwrap());

    let mut first = row("20250101000000_init", false);
    let mut second = row("20250101000001_next", true);
    second.started_at += chrono::Duration::seconds(1);
    conn.insert_history_row(&second).unwrap();
    conn.insert_history_row(&first).unwrap();
    assert_eq!(
        conn.read_history().unwrap(),
        vec![first.clone(), second.clone()]
    );

    first.finished_at = Some(first.started_at + chrono::Duration::milliseconds(1234));
    first.logs = Some("ran 3 statements".to_owned());
    first.applied_steps_count = 3;
    first.rolled_back_at = Some(first.started_at + chrono::Duration::seconds(60));
    conn.update_history_row(&first).unwrap();
    assert_eq!(conn.read_history().unwrap(), vec![first.clone(), second]);
    assert!(
        conn.update_history_row(&row("20250101000002_missing", true))
            .is_err()
    );
    drop(conn);

    let raw = rusqlite::Connection::open(db.sqlite_path()).unwrap();
    let ddl: String = raw
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = '_prisma_migrations'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        ddl,
        "CREATE TABLE \"_prisma_migrations\" (\n    \"id\"                    TEXT PRIMARY KEY NOT NULL,\n    \"checksum\"              TEXT NOT NULL,\n    \"finished_at\"           DATETIME,\n    \"migration_name\"        TEXT NOT NULL,\n    \"logs\"                  TEXT,\n    \"rolled_back_at\"        DATETIME,\n    \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,\n    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0\n)"
    );
    // Timestamps are stored as Prisma stores them: integer milliseconds.
    let (kind, value): (String, i64) = raw
        .query_row(
            "SELECT typeof(started_at), started_at FROM _prisma_migrations WHERE id = ?1",
            [&first.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kind, "integer");
    assert_eq!(value, first.started_at.timestamp_millis());

    // A row written with SQLite's own default timestamp reads back too.
    raw.execute_batch(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at) \
         VALUES ('x', 'c', '20200101000000_old', '2020-01-01 00:00:00', '2020-01-01T00:00:01Z');",
    )
    .unwrap();
    let mut conn = connect(&db);
    let history = conn.read_history().unwrap();
    assert_eq!(history[0].migration_name, "20200101000000_old");
    assert_eq!(
        history[0].started_at,
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
    );
    assert!(history[0].is_applied());
}

#[test]
fn the_lock_excludes_a_second_connection() {
    let db = TestDb::sqlite();
    let mut first = connect(&db);
    let mut second = connect(&db);
    first.lock_migrations(5).unwrap();
    first.lock_migrations(5).unwrap();
    first.create_history_table().unwrap();

    let started = Instant::now();
    let error = second.lock_migrations(1).unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(error, ConnectorError::LockTimeout { seconds: 1 }),
        "{error:?}"
    );
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");

    first.unlock_migrations().unwrap();
    second.lock_migrations(1).unwrap();
    assert!(second.history_table_exists().unwrap());
    second.unlock_migrations().unwrap();

    // Closing the connection releases the lock too.
    first.lock_migrations(1).unwrap();
    drop(first);
    second.lock_migrations(5).unwrap();
}

/// What `migrate deploy` does with the connection: lock, read the history, apply what is
/// missing, unlock.
fn deploy(url: &str, migrations: &[String]) {
    let mut conn = SqliteDialect.connect(url).unwrap();
    conn.lock_migrations(30).unwrap();
    conn.create_history_table().unwrap();
    let applied: BTreeSet<String> = conn
        .read_history()
        .unwrap()
        .into_iter()
        .map(|r| r.migration_name)
        .collect();
    for name in migrations.iter().filter(|m| !applied.contains(*m)) {
        std::thread::sleep(Duration::from_millis(10));
        conn.apply_in_transaction(
            &format!("CREATE TABLE \"t_{name}\" (\"id\" INTEGER);"),
            &row(name, true),
        )
        .unwrap();
    }
    conn.unlock_migrations().unwrap();
}

#[test]
fn concurrent_deploys_apply_each_migration_once() {
    let migrations: Vec<String> = (0..5).map(|i| format!("2025010100000{i}_m")).collect();
    for _ in 0..3 {
        let db = TestDb::sqlite();
        let barrier = Barrier::new(4);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    barrier.wait();
                    deploy(db.url(), &migrations);
                });
            }
        });
        let mut conn = connect(&db);
        let mut names: Vec<String> = conn
            .read_history()
            .unwrap()
            .into_iter()
            .map(|r| r.migration_name)
            .collect();
        names.sort();
        assert_eq!(names, migrations);
        assert_eq!(table_names(conn.as_mut()).len(), migrations.len());
    }
}

const DDL: &str = r#"
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT NOT NULL DEFAULT 'USER',
    "balance" DECIMAL NOT NULL DEFAULT 0,
    "score" REAL NOT NULL DEFAULT -1.5,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "profile" JSONB,
    "avatar" BLOB,
    "note" TEXT NOT NULL DEFAULT 'it''s',
    "big" BIGINT
);

CREATE TABLE "Post" (
    "authorId" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "editorId" INTEGER,

    PRIMARY KEY ("authorId", "slug"),
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

CREATE TABLE "Tag" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "postAuthorId" INTEGER,
    FOREIGN KEY ("postAuthorId") REFERENCES "User"
);

CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE INDEX "Post_title_authorId_idx" ON "Post"("title" DESC, "authorId");
CREATE INDEX "Post_lower_idx" ON "Post"(lower("title"));
"#;

fn column(name: &str, family: TypeFamily, native: &str, arity: ColumnArity) -> Column {
    Column {
        name: name.to_owned(),
        column_type: ColumnType::new(family, native),
        arity,
        default: None,
        auto_increment: false,
    }
}

fn with_default(mut column: Column, default: DefaultValue) -> Column {
    column.default = Some(default);
    column
}

fn expected_schema() -> SqlSchema {
    use ColumnArity::{Nullable, Required};
    let user_ref = ObjectName::new(None, "User");
    let mut id = column("id", TypeFamily::Int, "INTEGER", Required);
    id.auto_increment = true;
    let user = Table {
        namespace: None,
        name: "User".to_owned(),
        columns: vec![
            id,
            column("email", TypeFamily::String, "TEXT", Required),
            column("name", TypeFamily::String, "TEXT", Nullable),
            with_default(
                column("role", TypeFamily::String, "TEXT", Required),
                DefaultValue::String("USER".to_owned()),
            ),
            with_default(
                column("balance", TypeFamily::Decimal, "DECIMAL", Required),
                DefaultValue::Number("0".to_owned()),
            ),
            with_default(
                column("score", TypeFamily::Float, "REAL", Required),
                DefaultValue::Number("-1.5".to_owned()),
            ),
            with_default(
                column("active", TypeFamily::Boolean, "BOOLEAN", Required),
                DefaultValue::Boolean(true),
            ),
            with_default(
                column("createdAt", TypeFamily::DateTime, "DATETIME", Required),
                DefaultValue::Now,
            ),
            column("profile", TypeFamily::Json, "JSONB", Nullable),
            column("avatar", TypeFamily::Bytes, "BLOB", Nullable),
            with_default(
                column("note", TypeFamily::String, "TEXT", Required),
                DefaultValue::String("it's".to_owned()),
            ),
            column("big", TypeFamily::BigInt, "BIGINT", Nullable),
        ],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec![IndexColumn::named("id")],
        }),
        indexes: vec![Index {
            name: "User_email_key".to_owned(),
            kind: IndexKind::Unique,
            columns: vec![IndexColumn::named("email")],
            algorithm: None,
        }],
        foreign_keys: vec![],
    };
    let post = Table {
        namespace: None,
        name: "Post".to_owned(),
        columns: vec![
            column("authorId", TypeFamily::Int, "INTEGER", Required),
            column("slug", TypeFamily::String, "TEXT", Required),
            column("title", TypeFamily::String, "TEXT", Required),
            column("editorId", TypeFamily::Int, "INTEGER", Nullable),
        ],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec![IndexColumn::named("authorId"), IndexColumn::named("slug")],
        }),
        indexes: vec![Index {
            name: "Post_title_authorId_idx".to_owned(),
            kind: IndexKind::Normal,
            columns: vec![
                IndexColumn {
                    sort: Some(SortOrder::Desc),
                    ..IndexColumn::named("title")
                },
                IndexColumn::named("authorId"),
            ],
            algorithm: None,
        }],
        foreign_keys: vec![
            ForeignKey {
                name: Some("Post_authorId_fkey".to_owned()),
                columns: vec!["authorId".to_owned()],
                referenced_table: user_ref.clone(),
                referenced_columns: vec!["id".to_owned()],
                on_delete: ReferentialAction::Restrict,
                on_update: ReferentialAction::Cascade,
            },
            ForeignKey {
                name: Some("Post_editorId_fkey".to_owned()),
                columns: vec!["editorId".to_owned()],
                referenced_table: user_ref.clone(),
                referenced_columns: vec!["id".to_owned()],
                on_delete: ReferentialAction::SetNull,
                on_update: ReferentialAction::Cascade,
            },
        ],
    };
    let tag = Table {
        namespace: None,
        name: "Tag".to_owned(),
        columns: vec![
            column("id", TypeFamily::String, "TEXT", Required),
            column("postAuthorId", TypeFamily::Int, "INTEGER", Nullable),
        ],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec![IndexColumn::named("id")],
        }),
        indexes: vec![],
        foreign_keys: vec![ForeignKey {
            name: None,
            columns: vec!["postAuthorId".to_owned()],
            referenced_table: user_ref,
            referenced_columns: vec!["id".to_owned()],
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
        }],
    };
    SqlSchema {
        namespaces: vec![],
        enums: vec![],
        tables: vec![post, tag, user],
    }
}

#[test]
fn introspection_reads_back_a_hand_written_schema() {
    let db = TestDb::sqlite();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    conn.execute_script(DDL).unwrap();
    // `sqlite_sequence` exists once a row went into an AUTOINCREMENT table; it is not a table
    // of the schema.
    conn.execute_script("INSERT INTO \"User\" (\"email\") VALUES ('a@b.c');")
        .unwrap();
    assert_eq!(conn.introspect(&[]).unwrap(), expected_schema());
}

#[test]
fn reset_drops_everything_including_the_history() {
    let db = TestDb::sqlite();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    conn.execute_script(DDL).unwrap();
    conn.execute_script(
        "CREATE VIEW \"v\" AS SELECT 1;\nCREATE TRIGGER \"t\" AFTER INSERT ON \"User\" BEGIN SELECT 1; END;\nINSERT INTO \"User\" (\"email\") VALUES ('a@b.c');",
    )
    .unwrap();
    conn.reset().unwrap();
    assert!(conn.introspect(&[]).unwrap().is_empty());
    assert!(!conn.history_table_exists().unwrap());
    assert!(!conn.has_user_tables().unwrap());
    conn.execute_script(DDL).unwrap();
}

fn shadow_directories() -> BTreeSet<String> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("drydock-shadow-"))
        .collect()
}

#[test]
fn a_temporary_shadow_database_is_created_and_removed() {
    let db = TestDb::sqlite();
    let before = shadow_directories();
    let mut shadow = SqliteDialect.open_shadow(db.url(), None).unwrap();
    shadow.connection().execute_script(DDL).unwrap();
    let created: Vec<String> = shadow_directories().difference(&before).cloned().collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        shadow.connection().introspect(&[]).unwrap(),
        expected_schema()
    );
    // The main database is untouched.
    assert!(!connect(&db).has_user_tables().unwrap());
    shadow.dispose().unwrap();
    assert!(!std::env::temp_dir().join(&created[0]).exists());
}

#[test]
fn a_configured_shadow_database_is_reset() {
    let db = TestDb::sqlite();
    let shadow_db = TestDb::sqlite();
    connect(&shadow_db).execute_script(DDL).unwrap();

    let mut shadow = SqliteDialect
        .open_shadow(db.url(), Some(shadow_db.url()))
        .unwrap();
    assert!(shadow.connection().introspect(&[]).unwrap().is_empty());
    shadow.connection().execute_script(DDL).unwrap();
    shadow.dispose().unwrap();
    assert!(shadow_db.sqlite_path().exists());
    assert!(connect(&shadow_db).introspect(&[]).unwrap().is_empty());

    let same = SqliteDialect.open_shadow(db.url(), Some(db.url()));
    assert!(matches!(same, Err(ConnectorError::InvalidUrl { .. })));
}

#[test]
fn opening_a_file_in_a_missing_directory_fails_cleanly() {
    let db = TestDb::sqlite();
    let url = format!(
        "file:{}",
        db.sqlite_path().with_file_name("missing/dev.db").display()
    );
    let error = SqliteDialect.connect(&url).err().expect("cannot be opened");
    assert!(matches!(error, ConnectorError::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("missing/dev.db"), "{error}");
}

#[test]
fn reports_the_library_version() {
    let db = TestDb::sqlite();
    let version = connect(&db).server_version().unwrap();
    assert!(version.starts_with("SQLite 3."), "{version}");
}
