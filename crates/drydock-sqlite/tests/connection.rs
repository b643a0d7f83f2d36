//! The SQLite connection against real database files: scripts, transactions, history, lock,
//! introspection, shadow databases and reset. Each test has its own file.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use drydock_connector::{Connection, ConnectorError, Dialect};
use drydock_schema::{
    DefaultValue, ForeignKey, Index, IndexColumn, IndexKind, ObjectName, PrimaryKey,
    ReferentialAction, SortOrder, SqlSchema, Table, TypeFamily,
};
use drydock_sqlite::SqliteDialect;
use drydock_test_support::schema::{
    auto_increment, col, foreign_key, index, int, nullable, with_default,
};
use drydock_test_support::{TestDb, connection};

fn connect(db: &TestDb) -> Box<dyn Connection> {
    SqliteDialect
        .connect(db.url())
        .expect("opening the test database")
}

#[test]
fn offers_trial_runs_and_maintenance_facts_but_no_sessions_or_failed_index_builds() {
    let db = TestDb::sqlite();
    let mut conn = connect(&db);
    assert!(
        conn.sessions().is_none(),
        "SQLite does not say who has the file open"
    );
    assert!(
        conn.failed_index_builds().is_none(),
        "index builds are atomic"
    );
    assert!(conn.maintenance().is_some());

    conn.execute_script("CREATE TABLE \"t\" (\"id\" INTEGER);")
        .unwrap();
    conn.trial_runs()
        .expect("DDL is transactional")
        .trial_run("DROP TABLE \"t\";")
        .unwrap();
    assert_eq!(connection::table_names(conn.as_mut()), ["t"], "rolled back");
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
    let (script_error, _) = connection::apply_in_transaction_is_atomic(
        connect(&db).as_mut(),
        "CREATE TABLE \"broken\" (\"id\" INTEGER);\nINSERT INTO \"nope\" VALUES (1);",
    );
    assert_eq!(script_error.statements_done, Some(1));
}

#[test]
fn history_round_trip_in_prismas_format() {
    let db = TestDb::sqlite();
    // SQLite keeps milliseconds.
    let first =
        connection::history_round_trip(connect(&db).as_mut(), chrono::Duration::milliseconds(1234));

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
    connection::lock_excludes_a_second_connection(&SqliteDialect, &TestDb::sqlite());
}

#[test]
fn concurrent_deploys_apply_each_migration_once() {
    // Races on a file lock show only now and then: try a few databases.
    for _ in 0..3 {
        connection::concurrent_deploys_apply_each_migration_once(&SqliteDialect, &TestDb::sqlite());
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

fn expected_schema() -> SqlSchema {
    let user_ref = ObjectName::new(None, "User");
    let id = auto_increment(int("id"));
    let user = Table {
        columns: vec![
            id,
            col("email", TypeFamily::String, "TEXT"),
            nullable(col("name", TypeFamily::String, "TEXT")),
            with_default(
                col("role", TypeFamily::String, "TEXT"),
                DefaultValue::String("USER".to_owned()),
            ),
            with_default(
                col("balance", TypeFamily::Decimal, "DECIMAL"),
                DefaultValue::Number("0".to_owned()),
            ),
            with_default(
                col("score", TypeFamily::Float, "REAL"),
                DefaultValue::Number("-1.5".to_owned()),
            ),
            with_default(
                col("active", TypeFamily::Boolean, "BOOLEAN"),
                DefaultValue::Boolean(true),
            ),
            with_default(
                col("createdAt", TypeFamily::DateTime, "DATETIME"),
                DefaultValue::Now,
            ),
            nullable(col("profile", TypeFamily::Json, "JSONB")),
            nullable(col("avatar", TypeFamily::Bytes, "BLOB")),
            with_default(
                col("note", TypeFamily::String, "TEXT"),
                DefaultValue::String("it's".to_owned()),
            ),
            nullable(col("big", TypeFamily::BigInt, "BIGINT")),
        ],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec![IndexColumn::named("id")],
        }),
        indexes: vec![index("User_email_key", IndexKind::Unique, &["email"])],
        ..Table::new(None, "User")
    };
    let post = Table {
        columns: vec![
            col("authorId", TypeFamily::Int, "INTEGER"),
            col("slug", TypeFamily::String, "TEXT"),
            col("title", TypeFamily::String, "TEXT"),
            nullable(col("editorId", TypeFamily::Int, "INTEGER")),
        ],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec![IndexColumn::named("authorId"), IndexColumn::named("slug")],
        }),
        indexes: vec![
            // In creation order.
            Index {
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
                predicate: None,
                include: Vec::new(),
                constraint_backed: false,
            },
            Index {
                columns: vec![IndexColumn::expression("lower(\"title\")")],
                ..index("Post_lower_idx", IndexKind::Normal, &[])
            },
        ],
        foreign_keys: vec![
            foreign_key(
                "Post_authorId_fkey",
                &["authorId"],
                user_ref.clone(),
                &["id"],
                ReferentialAction::Restrict,
                ReferentialAction::Cascade,
            ),
            foreign_key(
                "Post_editorId_fkey",
                &["editorId"],
                user_ref.clone(),
                &["id"],
                ReferentialAction::SetNull,
                ReferentialAction::Cascade,
            ),
        ],
        ..Table::new(None, "Post")
    };
    let tag = Table {
        columns: vec![
            col("id", TypeFamily::String, "TEXT"),
            nullable(col("postAuthorId", TypeFamily::Int, "INTEGER")),
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
        ..Table::new(None, "Tag")
    };
    SqlSchema {
        namespaces: vec![],
        enums: vec![],
        tables: vec![post, tag, user],
        ..SqlSchema::default()
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
    connection::reset_drops_everything_including_the_history(
        connect(&db).as_mut(),
        &[
            DDL,
            "CREATE VIEW \"v\" AS SELECT 1;\nCREATE TRIGGER \"t\" AFTER INSERT ON \"User\" BEGIN SELECT 1; END;\nINSERT INTO \"User\" (\"email\") VALUES ('a@b.c');",
        ],
    );
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
    connection::a_configured_shadow_database_is_reset(&SqliteDialect, &db, &shadow_db, DDL);
    assert!(shadow_db.sqlite_path().exists());
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

#[test]
fn audit_log_appends_never_fork_the_chain() {
    connection::audit_log_contract(&SqliteDialect, &TestDb::sqlite());
}

#[test]
fn a_scheduled_time_is_claimed_once() {
    connection::schedule_claims_contract(&SqliteDialect, &TestDb::sqlite());
}

#[test]
fn the_run_log_round_trips() {
    connection::run_log_round_trip(&SqliteDialect, &TestDb::sqlite());
}
