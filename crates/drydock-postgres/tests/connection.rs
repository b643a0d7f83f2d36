//! The PostgreSQL connection against a real server: scripts, transactions, history, lock,
//! introspection, shadow databases and connection errors. Each test has its own database.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use drydock_connector::{Connection, ConnectorError, Dialect};
use drydock_postgres::PostgresDialect;
use drydock_schema::{
    DefaultValue, Enum, Index, IndexAlgorithm, IndexColumn, IndexKind, ObjectName, PrimaryKey,
    ReferentialAction, SortOrder, SqlSchema, Table, TypeFamily,
};
use drydock_test_support::schema::{
    auto_increment, col, foreign_key, index, int, list, nullable, with_default,
};
use drydock_test_support::{TestDb, connection, replace_database};

fn connect(db: &TestDb) -> Box<dyn Connection> {
    PostgresDialect
        .connect(db.url())
        .expect("connecting to the test database")
}

fn with_param(url: &str, param: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{param}")
}

#[test]
fn offers_every_capability() {
    let db = TestDb::postgres();
    let mut conn = connect(&db);
    let id = conn.sessions().expect("sessions").session_id().unwrap();
    assert!(id.parse::<i32>().is_ok(), "a backend pid: {id}");
    let builds = conn
        .failed_index_builds()
        .expect("a concurrent build can fail half-way");
    assert!(builds.invalid_indexes().unwrap().is_empty());
    assert!(conn.maintenance().is_some());

    conn.execute_script("CREATE TABLE t (id int);").unwrap();
    conn.trial_runs()
        .expect("DDL is transactional")
        .trial_run("DROP TABLE t;")
        .unwrap();
    assert_eq!(connection::table_names(conn.as_mut()), ["t"], "rolled back");
}

#[test]
fn script_errors_carry_sqlstate_and_byte_position() {
    let db = TestDb::postgres();
    let mut conn = connect(&db);
    let script =
        "CREATE TABLE \"Café\" (id INT);\nSELECT 'é' FROM \"Café\";\nSELECT nope FROM \"Café\";\n";
    let error = conn.execute_script(script).unwrap_err();
    assert_eq!(error.db_code.as_deref(), Some("42703"), "{error:?}");
    let position = error.position.expect("PostgreSQL reports a position");
    assert!(
        script[position..].starts_with("nope"),
        "position {position}"
    );
    assert!(error.message.contains("nope"), "{}", error.message);

    let error = conn.execute_script("CREATE TABLE x (id INT;").unwrap_err();
    assert_eq!(error.db_code.as_deref(), Some("42601"));
    assert_eq!(error.position, Some(22));
}

#[test]
fn a_script_runs_in_one_implicit_transaction() {
    let db = TestDb::postgres();
    let mut conn = connect(&db);
    conn.execute_script("CREATE TABLE a (id INT);\nCREATE TABLE a (id INT);")
        .unwrap_err();
    assert!(!conn.has_user_tables().unwrap());
    conn.execute_script("CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);")
        .unwrap();
    assert!(conn.has_user_tables().unwrap());
}

#[test]
fn apply_in_transaction_is_atomic() {
    let db = TestDb::postgres();
    let (script_error, history_error) = connection::apply_in_transaction_is_atomic(
        connect(&db).as_mut(),
        "CREATE TABLE broken (id INT);\nINSERT INTO broken VALUES ('x');",
    );
    assert_eq!(script_error.db_code.as_deref(), Some("22P02"));
    // The history insert failed on the duplicate id.
    assert_eq!(history_error.db_code.as_deref(), Some("23505"));
}

#[test]
fn history_round_trip() {
    let db = TestDb::postgres();
    // PostgreSQL keeps microseconds.
    connection::history_round_trip(
        connect(&db).as_mut(),
        chrono::Duration::microseconds(1_234_567),
    );

    // The table has Prisma's exact shape.
    let mut client = db.postgres_client();
    let columns: Vec<(String, String, String)> = client
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text \
             FROM information_schema.columns WHERE table_name = '_prisma_migrations' \
             ORDER BY ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let expected = [
        ("id", "character varying", "NO"),
        ("checksum", "character varying", "NO"),
        ("finished_at", "timestamp with time zone", "YES"),
        ("migration_name", "character varying", "NO"),
        ("logs", "text", "YES"),
        ("rolled_back_at", "timestamp with time zone", "YES"),
        ("started_at", "timestamp with time zone", "NO"),
        ("applied_steps_count", "integer", "NO"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(columns, expected);
}

#[test]
fn reads_rows_written_the_way_prisma_writes_them() {
    let db = TestDb::postgres();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) \
             VALUES ('0b5c8d9e-0000-4000-8000-000000000000', 'abc', '20240101000000_init', \
             '2024-01-01 10:00:00+00');
             UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, \
             finished_at = now();",
        )
        .unwrap();
    let history = conn.read_history().unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].is_applied());
    assert_eq!(history[0].applied_steps_count, 1);
    assert_eq!(
        history[0].started_at,
        Utc.with_ymd_and_hms(2024, 1, 1, 10, 0, 0).unwrap()
    );
}

#[test]
fn the_lock_excludes_a_second_connection() {
    connection::lock_excludes_a_second_connection(&PostgresDialect, &TestDb::postgres());
}

#[test]
fn concurrent_deploys_apply_each_migration_once() {
    connection::concurrent_deploys_apply_each_migration_once(&PostgresDialect, &TestDb::postgres());
}

const DDL: &str = r#"
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN', 'OWNER');

CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" VARCHAR(255) NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "roles" "Role"[] DEFAULT ARRAY['ADMIN']::"Role"[],
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "balance" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "score" DOUBLE PRECISION NOT NULL DEFAULT -1.5,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seenAt" TIMESTAMPTZ(6),
    "profile" JSONB NOT NULL DEFAULT '{}',
    "avatar" BYTEA,
    "token" UUID DEFAULT gen_random_uuid(),
    "note" TEXT NOT NULL DEFAULT 'it''s',

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Post" (
    "authorId" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "editorId" INTEGER,
    "meta" JSONB,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("authorId","slug")
);

CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE INDEX "Post_title_authorId_idx" ON "Post"("title" DESC, "authorId");
CREATE INDEX "Post_meta_idx" ON "Post" USING GIN ("meta" jsonb_path_ops);
CREATE INDEX "Post_slug_idx" ON "Post" USING HASH ("slug");
CREATE INDEX "Post_lower_idx" ON "Post"(lower("title"));

ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Post" ADD CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE NO ACTION;
"#;

fn expected_schema(namespace: Option<&str>) -> SqlSchema {
    let ns = namespace.map(str::to_owned);
    let role = TypeFamily::Enum(ObjectName::new(ns.clone(), "Role"));
    let user_ref = ObjectName::new(ns.clone(), "User");
    let id = auto_increment(int("id"));
    let user = Table {
        columns: vec![
            id,
            col("email", TypeFamily::String, "VARCHAR(255)"),
            nullable(col("name", TypeFamily::String, "TEXT")),
            with_default(
                col("role", role.clone(), "Role"),
                DefaultValue::EnumValue("USER".to_owned()),
            ),
            with_default(
                list(col("roles", role, "Role")),
                DefaultValue::List(vec![DefaultValue::EnumValue("ADMIN".to_owned())]),
            ),
            with_default(
                list(col("tags", TypeFamily::String, "TEXT")),
                DefaultValue::List(vec![]),
            ),
            with_default(
                col("balance", TypeFamily::Decimal, "DECIMAL(65,30)"),
                DefaultValue::Number("0".to_owned()),
            ),
            with_default(
                col("score", TypeFamily::Float, "DOUBLE PRECISION"),
                DefaultValue::Number("-1.5".to_owned()),
            ),
            with_default(
                col("active", TypeFamily::Boolean, "BOOLEAN"),
                DefaultValue::Boolean(true),
            ),
            with_default(
                col("createdAt", TypeFamily::DateTime, "TIMESTAMP(3)"),
                DefaultValue::Now,
            ),
            nullable(col("seenAt", TypeFamily::DateTime, "TIMESTAMPTZ(6)")),
            with_default(
                col("profile", TypeFamily::Json, "JSONB"),
                DefaultValue::String("{}".to_owned()),
            ),
            nullable(col("avatar", TypeFamily::Bytes, "BYTEA")),
            with_default(
                nullable(col("token", TypeFamily::String, "UUID")),
                DefaultValue::Expression("gen_random_uuid()".to_owned()),
            ),
            with_default(
                col("note", TypeFamily::String, "TEXT"),
                DefaultValue::String("it's".to_owned()),
            ),
        ],
        primary_key: Some(PrimaryKey {
            name: Some("User_pkey".to_owned()),
            columns: vec![IndexColumn::named("id")],
        }),
        indexes: vec![index("User_email_key", IndexKind::Unique, &["email"])],
        ..Table::new(ns.clone(), "User")
    };
    let post = Table {
        columns: vec![
            col("authorId", TypeFamily::Int, "INTEGER"),
            col("slug", TypeFamily::String, "TEXT"),
            col("title", TypeFamily::String, "TEXT"),
            nullable(col("editorId", TypeFamily::Int, "INTEGER")),
            nullable(col("meta", TypeFamily::Json, "JSONB")),
        ],
        primary_key: Some(PrimaryKey {
            name: Some("Post_pkey".to_owned()),
            columns: vec![IndexColumn::named("authorId"), IndexColumn::named("slug")],
        }),
        indexes: vec![
            Index {
                columns: vec![IndexColumn::expression("lower(title)")],
                ..index("Post_lower_idx", IndexKind::Normal, &[])
            },
            Index {
                name: "Post_meta_idx".to_owned(),
                kind: IndexKind::Normal,
                columns: vec![IndexColumn {
                    operator_class: Some("jsonb_path_ops".to_owned()),
                    ..IndexColumn::named("meta")
                }],
                algorithm: Some(IndexAlgorithm::Gin),
                predicate: None,
                include: Vec::new(),
                constraint_backed: false,
            },
            Index {
                name: "Post_slug_idx".to_owned(),
                kind: IndexKind::Normal,
                columns: vec![IndexColumn::named("slug")],
                algorithm: Some(IndexAlgorithm::Hash),
                predicate: None,
                include: Vec::new(),
                constraint_backed: false,
            },
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
                user_ref,
                &["id"],
                ReferentialAction::SetNull,
                ReferentialAction::NoAction,
            ),
        ],
        ..Table::new(ns.clone(), "Post")
    };
    SqlSchema {
        // Unqualified introspection lists the default namespace lowering assumes (`public`).
        namespaces: vec![namespace.unwrap_or("public").to_owned()],
        enums: vec![Enum {
            namespace: ns,
            name: "Role".to_owned(),
            values: vec!["USER".to_owned(), "ADMIN".to_owned(), "OWNER".to_owned()],
        }],
        tables: vec![post, user],
        ..SqlSchema::default()
    }
}

#[test]
fn introspection_reads_back_a_hand_written_schema() {
    let db = TestDb::postgres();
    let mut conn = connect(&db);
    conn.create_history_table().unwrap();
    conn.execute_script(DDL).unwrap();
    assert_eq!(conn.introspect(&[]).unwrap(), expected_schema(None));
    // Objects of the connection's schema come unqualified, as lowering names them; `qualify`
    // names them again.
    let mut listed = conn
        .introspect(&["public".to_owned(), "missing".to_owned()])
        .unwrap();
    assert_eq!(
        listed,
        SqlSchema {
            default_namespace: Some("public".to_owned()),
            ..expected_schema(None)
        }
    );
    listed.qualify();
    assert_eq!(listed, expected_schema(Some("public")));
}

#[test]
fn the_schema_parameter_selects_the_managed_schema() {
    let db = TestDb::postgres();
    let url = with_param(db.url(), "schema=tenant");
    let mut conn = PostgresDialect.connect(&url).unwrap();
    conn.create_history_table().unwrap();
    conn.execute_script(DDL).unwrap();
    // The URL's schema is the one the project lives in, `public` not.
    assert_eq!(
        conn.introspect(&[]).unwrap(),
        SqlSchema {
            namespaces: vec!["tenant".to_owned()],
            ..expected_schema(None)
        }
    );

    let mut public = connect(&db);
    assert!(public.introspect(&[]).unwrap().is_empty());
    assert!(!public.history_table_exists().unwrap());

    conn.reset().unwrap();
    assert!(conn.introspect(&[]).unwrap().is_empty());
    assert!(!conn.history_table_exists().unwrap());
}

#[test]
fn reset_drops_everything_including_the_history() {
    let db = TestDb::postgres();
    connection::reset_drops_everything_including_the_history(connect(&db).as_mut(), &[DDL]);
}

fn database_exists(name: &str) -> bool {
    let mut client = drydock_test_support::postgres_server_client();
    client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .unwrap()
        .is_some()
}

#[test]
fn a_temporary_shadow_database_is_created_and_dropped() {
    let db = TestDb::postgres();
    let marker = format!("marker_{}", uuid::Uuid::new_v4().simple());
    let mut shadow = PostgresDialect.open_shadow(db.url(), None).unwrap();
    shadow
        .connection()
        .execute_script(&format!("CREATE TABLE \"{marker}\" (id INT);"))
        .unwrap();
    // Only this shadow database is looked at: other tests create and drop their own meanwhile.
    let name = shadow
        .connection()
        .query_texts("SELECT current_database()::text")
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(name.starts_with("prisma_migrate_shadow_db_"), "{name}");
    assert!(database_exists(&name));
    let mut client =
        postgres::Client::connect(&replace_database(db.url(), &name), postgres::NoTls).unwrap();
    let has_marker = client
        .query_opt("SELECT 1 FROM pg_class WHERE relname = $1", &[&marker])
        .unwrap()
        .is_some();
    drop(client);
    assert!(has_marker, "the marker table is not in `{name}`");
    let tables = shadow.connection().introspect(&[]).unwrap().tables;
    assert_eq!(tables.len(), 1);
    // The main database is untouched.
    assert!(!connect(&db).has_user_tables().unwrap());

    shadow.dispose().unwrap();
    assert!(!database_exists(&name));
}

#[test]
fn a_configured_shadow_database_is_reset_not_dropped() {
    let db = TestDb::postgres();
    let shadow_db = TestDb::postgres();
    connect(&shadow_db)
        .execute_script("CREATE SCHEMA other; CREATE TABLE other.t (id INT);")
        .unwrap();
    connection::a_configured_shadow_database_is_reset(&PostgresDialect, &db, &shadow_db, DDL);
    // Every schema of the shadow database is emptied, not only the managed one.
    let mut after = connect(&shadow_db);
    assert!(after.introspect(&["other".to_owned()]).unwrap().is_empty());
}

#[test]
fn an_unreachable_server_fails_fast() {
    let started = Instant::now();
    let error = PostgresDialect
        .connect("postgresql://postgres:hunter2@127.0.0.1:1/postgres")
        .err()
        .expect("nothing listens on port 1");
    assert!(
        matches!(&error, ConnectorError::Unreachable { host, .. } if host == "127.0.0.1:1"),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(error.code(), "P1001");
    assert!(!format!("{error} {error:?}").contains("hunter2"));

    // A host that never answers: the connect timeout applies.
    let started = Instant::now();
    let error = PostgresDialect
        .connect("postgresql://postgres:hunter2@10.255.255.1:5432/postgres?connect_timeout=1")
        .err()
        .expect("nothing answers at 10.255.255.1");
    assert!(
        matches!(error, ConnectorError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_missing_database_is_reported_as_such() {
    let db = TestDb::postgres();
    let url = replace_database(db.url(), "drydock_no_such_database");
    let error = PostgresDialect
        .connect(&url)
        .err()
        .expect("database is missing");
    assert!(
        matches!(&error, ConnectorError::DatabaseDoesNotExist { database, .. } if database == "drydock_no_such_database"),
        "{error:?}"
    );
}

#[test]
fn wrong_passwords_fail_and_never_show_up_in_errors() {
    let db = TestDb::postgres();
    let role = format!("drydock_role_{}", uuid::Uuid::new_v4().simple());
    let mut admin = drydock_test_support::postgres_server_client();
    admin
        .batch_execute(&format!(
            "CREATE ROLE \"{role}\" LOGIN PASSWORD 'right-password'"
        ))
        .unwrap();
    let secret = "wr0ng-s3cret";
    let mut parsed = url::Url::parse(db.url()).unwrap();
    parsed.set_username(&role).unwrap();
    parsed.set_password(Some(secret)).unwrap();
    parsed.set_host(Some("127.0.0.1")).unwrap();
    let url = parsed.to_string();

    let mut errors = Vec::new();
    match PostgresDialect.connect(&url) {
        Err(error @ ConnectorError::AuthenticationFailed { .. }) => {
            assert_eq!(error.code(), "P1000");
            errors.push(error);
        }
        Err(other) => panic!("expected an authentication failure, got {other:?}"),
        // The server trusts local connections and ignores passwords: check that no other
        // error repeats the password instead.
        Ok(_) => {}
    }
    let missing_db = replace_database(&url, "drydock_no_such_database");
    errors.extend(PostgresDialect.connect(&missing_db).err());
    errors.extend(
        PostgresDialect
            .connect(&format!("postgresql://u:{secret}@127.0.0.1:1/db"))
            .err(),
    );
    errors.extend(
        PostgresDialect
            .connect(&format!("postgresql://u:{secret}@127.0.0.1:notaport/db"))
            .err(),
    );
    errors.extend(
        PostgresDialect
            .connect(&format!("postgresql://u@127.0.0.1:1/db?password={secret}"))
            .err(),
    );
    errors.extend(
        PostgresDialect
            .open_shadow(&format!("postgresql://u:{secret}@127.0.0.1:1/db"), None)
            .err(),
    );
    assert!(errors.len() >= 5, "{errors:?}");
    for error in &errors {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(secret), "password leaked: {shown}");
    }

    admin
        .batch_execute(&format!("DROP ROLE \"{role}\""))
        .unwrap();
}

#[test]
fn reports_the_server_version() {
    let db = TestDb::postgres();
    let version = connect(&db).server_version().unwrap();
    assert!(version.starts_with("PostgreSQL "), "{version}");
}

#[test]
fn audit_log_appends_never_fork_the_chain() {
    connection::audit_log_contract(&PostgresDialect, &TestDb::postgres());
}

#[test]
fn a_scheduled_time_is_claimed_once() {
    connection::schedule_claims_contract(&PostgresDialect, &TestDb::postgres());
}

#[test]
fn the_run_log_round_trips() {
    connection::run_log_round_trip(&PostgresDialect, &TestDb::postgres());
}

/// The session that claims shadow databases is kept for the process, on the database of the
/// first URL: when that database is dropped `WITH (FORCE)`, the next claim opens it again on
/// the next URL rather than fail with the server's "terminating connection".
#[test]
fn a_shadow_database_opens_right_after_the_claiming_sessions_database_was_dropped() {
    let mut db = TestDb::postgres();
    for _ in 0..5 {
        let shadow = PostgresDialect
            .open_shadow(db.url(), None)
            .expect("a shadow database");
        shadow.dispose().expect("dropping the shadow database");
        // Dropped `WITH (FORCE)`, ending the sessions on it; the next shadow right after.
        db = TestDb::postgres();
    }
}
