//! `drydock indexes` as users run it, on real databases seeded with each problem: every finding
//! with its code, nothing on a clean database, and a suggestion from a measured workload,
//! verified with a hypothetical index, written as a schema edit and a migration that deploy
//! applies and `migrate dev` then finds nothing more to do about.
//!
//! The workload test needs the server `scripts/with-databases.sh` starts
//! (`TEST_POSTGRES_STATS_URL`), the replica test its primary and streaming replica
//! (`TEST_POSTGRES_PRIMARY_URL`, `TEST_POSTGRES_REPLICA_URL`).

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use serde_json::Value;

const MODELS: &str = "
model Author {
  id    Int    @id
  name  String
  posts Post[]
}

model Post {
  id       Int    @id
  authorId Int
  title    String
  score    Int
  author   Author @relation(fields: [authorId], references: [id])

  @@index([authorId])
  @@index([title, score])
}
";

fn project(provider: &str, url: &str, models: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n{models}"
        ),
    )
    .expect("schema");
    dir
}

fn drydock(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .expect("running drydock");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `drydock indexes --json` with `args`, parsed.
fn indexes(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["indexes", "--json"];
    all.extend_from_slice(args);
    let (code, out, err) = drydock(dir, &all);
    assert_eq!(code, 0, "{out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn replica_client(url: &str) -> postgres::Client {
    drydock_postgres::url::PgUrl::parse(url)
        .and_then(|url| url.connect())
        .expect("connecting to the replica")
}

fn migrate_dev(dir: &Path, name: &str) {
    let (code, out, err) = drydock(dir, &["migrate", "dev", "--name", name]);
    assert_eq!(code, 0, "{out}{err}");
}

/// The codes of the findings, each with the first object's name.
fn codes(report: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_owned(),
                f["objects"][0]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn migration_folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("migrations"))
        .expect("migrations folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_clean_postgres_database_has_no_findings() {
    let db = TestDb::postgres();
    let dir = project("postgresql", db.url(), MODELS);
    migrate_dev(dir.path(), "init");
    let report = indexes(dir.path(), &[]);
    assert_eq!(codes(&report), Vec::<(String, String)>::new(), "{report}");
    assert_eq!(report["migrations"], serde_json::json!([]));
    assert_eq!(report["query_stats"]["state"], "unavailable", "{report}");
}

#[test]
fn seeded_postgres_problems_are_found_each_with_its_code() {
    let db = TestDb::postgres();
    let models = MODELS.replace("  @@index([authorId])\n", "");
    let dir = project("postgresql", db.url(), &models);
    migrate_dev(dir.path(), "init");
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "CREATE INDEX post_title_copy ON \"Post\" (title, score);
             CREATE INDEX post_title_only ON \"Post\" (title);
             INSERT INTO \"Author\" VALUES (1, 'a'), (2, 'b');
             INSERT INTO \"Post\" SELECT g, 1 + g % 2, 't' || g, g FROM generate_series(1, 2000) g;
             CREATE INDEX unused_score ON \"Post\" (score);
             CREATE TABLE dupes (n int);
             INSERT INTO dupes VALUES (1), (1);",
        )
        .expect("seeding");
    // A unique build that fails on duplicate rows leaves an invalid index behind.
    let failed = client.batch_execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_n ON dupes (n)");
    assert!(failed.is_err(), "the unique build should fail");

    // Unused indexes count only from the size threshold up: 0 makes every fresh one count.
    let report = indexes(dir.path(), &["--min-size", "0"]);
    let found = codes(&report);
    for expected in [
        ("D6202", "post_title_copy"),
        ("D6203", "post_title_only"),
        ("D6201", "unused_score"),
        ("D6204", "Post_authorId_fkey"),
        ("D6205", "dupes_n"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {found:?}"
        );
    }
    // Each index is named once: the duplicate and the prefix are not unused as well.
    assert_eq!(
        found
            .iter()
            .filter(|(_, name)| name == "post_title_copy" || name == "post_title_only")
            .count(),
        2,
        "{found:?}"
    );
    // Indexes backing the primary keys are never proposed for dropping.
    assert!(
        !found.iter().any(|(_, name)| name.ends_with("_pkey")),
        "{found:?}"
    );

    // With the default threshold the small unused index is left out.
    let report = indexes(dir.path(), &[]);
    assert!(
        !codes(&report).iter().any(|(code, _)| code == "D6201"),
        "{report}"
    );

    // The proposals: the FK index as an @@index and a migration each, nothing written yet.
    let migrations = report["migrations"].as_array().expect("migrations");
    let sql: Vec<&str> = migrations
        .iter()
        .filter_map(|m| m["sql"].as_str())
        .collect();
    assert!(
        sql.contains(&"-- CreateIndex\nCREATE INDEX CONCURRENTLY \"Post_authorId_idx\" ON \"Post\"(\"authorId\");\n"),
        "{sql:?}"
    );
    assert!(
        sql.contains(&"-- DropIndex\nDROP INDEX CONCURRENTLY \"post_title_copy\";\n"),
        "{sql:?}"
    );
    let diff = report["schema_changes"][0]["diff"]
        .as_str()
        .expect("a schema diff");
    assert!(diff.contains("+  @@index([authorId])"), "{diff}");
    assert_eq!(
        migration_folders(dir.path()).len(),
        1,
        "nothing written without --write"
    );
}

/// A real streaming replica (`TEST_POSTGRES_REPLICA_URL` of `scripts/with-databases.sh`): an
/// index that statements scan only on the replica is unused on the primary, and not unused
/// once the replica is given with `--replica`.
#[test]
fn an_index_scanned_only_on_a_streaming_replica_is_not_unused_when_the_replica_is_given() {
    let db = TestDb::postgres_primary();
    let dir = project("postgresql", db.url(), MODELS);
    migrate_dev(dir.path(), "init");
    db.postgres_client()
        .batch_execute(
            "INSERT INTO \"Author\" VALUES (1, 'a');
             INSERT INTO \"Post\" SELECT g, 1, 't' || g, g FROM generate_series(1, 2000) g;",
        )
        .expect("seeding");
    let unused = ("D6201".to_owned(), "Post_title_score_idx".to_owned());
    let report = indexes(dir.path(), &["--min-size", "0"]);
    assert!(codes(&report).contains(&unused), "{report}");

    let replica = db.replica_url();
    // The rows are there once the replica has replayed them: at most 10 s.
    let replayed = (0..100).any(|_| {
        replica_client(&replica)
            .query_opt("SELECT 1 FROM \"Post\" WHERE id = 2000", &[])
            .is_ok_and(|row| row.is_some())
            || {
                std::thread::sleep(std::time::Duration::from_millis(100));
                false
            }
    });
    assert!(replayed, "the replica never replayed the rows");
    let mut on_replica = replica_client(&replica);
    on_replica
        .batch_execute(
            "SET enable_seqscan = off;
             SELECT id FROM \"Post\" WHERE title = 't7';
             SELECT pg_stat_force_next_flush();",
        )
        .expect("a scan of the index on the replica");
    // The replica counts the scan once the session's statistics reach it: at most 10 s.
    let counted = (0..100).any(|_| {
        let scans: i64 = replica_client(&replica)
            .query_one(
                "SELECT COALESCE(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes \
                 WHERE indexrelname = 'Post_title_score_idx'",
                &[],
            )
            .expect("reading the replica's statistics")
            .get(0);
        scans > 0 || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        }
    });
    assert!(counted, "the replica never counted the index scan");
    let report = indexes(dir.path(), &["--min-size", "0"]);
    assert!(
        codes(&report).contains(&unused),
        "the primary alone never used it: {report}"
    );
    let report = indexes(dir.path(), &["--min-size", "0", "--replica", &replica]);
    assert!(!codes(&report).contains(&unused), "{report}");
}

#[test]
fn a_bloated_index_is_estimated_from_the_statistics() {
    let db = TestDb::postgres();
    let dir = project(
        "postgresql",
        db.url(),
        "\nmodel Reading {\n  id    Int @id\n  value Int\n\n  @@index([value])\n}\n",
    );
    migrate_dev(dir.path(), "init");
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "ALTER TABLE \"Reading\" SET (autovacuum_enabled = false);
             INSERT INTO \"Reading\" SELECT g, g FROM generate_series(1, 200000) g;
             DELETE FROM \"Reading\" WHERE id % 10 <> 0;
             ANALYZE \"Reading\";",
        )
        .expect("seeding");
    let report = indexes(dir.path(), &["--bloat-size", "1MB"]);
    let found = codes(&report);
    assert!(
        found.contains(&("D6206".to_owned(), "Reading_value_idx".to_owned())),
        "{report}"
    );
    // Below the default threshold (100 MB) nothing is said.
    assert!(
        !codes(&indexes(dir.path(), &[]))
            .iter()
            .any(|(code, _)| code == "D6206"),
        "{report}"
    );
}

#[test]
fn sqlite_duplicates_prefixes_and_unindexed_foreign_keys_are_found() {
    let db = TestDb::sqlite();
    let models = MODELS.replace("  @@index([authorId])\n", "");
    let dir = project("sqlite", db.url(), &models);
    migrate_dev(dir.path(), "init");
    let report = indexes(dir.path(), &[]);
    assert_eq!(
        codes(&report),
        vec![("D6204".to_owned(), "Post(authorId)".to_owned())],
        "{report}"
    );
    let conn = rusqlite::Connection::open(db.sqlite_path()).expect("open");
    conn.execute_batch(
        "CREATE INDEX post_title_copy ON Post (title, score);
         CREATE INDEX post_title_only ON Post (title);",
    )
    .expect("seeding");
    let found = codes(&indexes(dir.path(), &["--min-size", "0"]));
    assert!(
        found.contains(&("D6202".to_owned(), "post_title_copy".to_owned())),
        "{found:?}"
    );
    assert!(
        found.contains(&("D6203".to_owned(), "post_title_only".to_owned())),
        "{found:?}"
    );

    let clean = TestDb::sqlite();
    let dir = project("sqlite", clean.url(), MODELS);
    migrate_dev(dir.path(), "init");
    assert_eq!(
        codes(&indexes(dir.path(), &[])),
        Vec::<(String, String)>::new()
    );
}

const PGBENCH: &str = "
model pgbench_accounts {
  aid      Int    @id
  bid      Int
  abalance Int
  filler   String @db.Char(84)
}
";

#[test]
fn a_workload_yields_a_verified_suggestion_that_deploys_without_drift() {
    let db = TestDb::postgres_stats();
    let dir = project("postgresql", db.url(), PGBENCH);
    migrate_dev(dir.path(), "init");
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "CREATE EXTENSION pg_stat_statements;
             CREATE EXTENSION hypopg;
             INSERT INTO pgbench_accounts
               SELECT g, 1 + g / 100000, (g * 7919) % 100003, '' FROM generate_series(1, 120000) g;
             ANALYZE pgbench_accounts;",
        )
        .expect("seeding");
    for n in 0..60 {
        client
            .query(
                "SELECT aid, bid FROM pgbench_accounts WHERE abalance = $1",
                &[&(n * 13_i32)],
            )
            .expect("the workload");
    }

    let report = indexes(
        dir.path(),
        &["--slow-query-ms", "0", "--slow-query-calls", "50"],
    );
    assert_eq!(report["query_stats"]["state"], "available", "{report}");
    assert_eq!(
        report["query_stats"]["hypothetical_indexes"], true,
        "{report}"
    );
    let suggestion = report["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .find(|s| s["table"] == "pgbench_accounts")
        .unwrap_or_else(|| panic!("no suggestion: {report}"))
        .clone();
    assert_eq!(suggestion["columns"], serde_json::json!(["abalance"]));
    let before = suggestion["cost_before"].as_f64().expect("cost before");
    let after = suggestion["cost_after"].as_f64().expect("cost after");
    assert!(before > after, "cost {before} -> {after}");
    eprintln!("suggestion: {suggestion}");
    // The text output proposes the same edit and migration, and writes nothing.
    let (code, text, err) = drydock(
        dir.path(),
        &[
            "indexes",
            "--slow-query-ms",
            "0",
            "--slow-query-calls",
            "50",
        ],
    );
    assert_eq!(code, 0, "{text}{err}");
    assert!(
        text.contains("warning D6207 an index on pgbench_accounts (abalance)"),
        "{text}"
    );
    assert!(text.contains("+  @@index([abalance])"), "{text}");
    assert!(
        text.contains("CREATE INDEX CONCURRENTLY \"pgbench_accounts_abalance_idx\""),
        "{text}"
    );
    assert_eq!(migration_folders(dir.path()).len(), 1, "{text}");
    assert!(codes(&report).contains(&("D6207".to_owned(), "pgbench_accounts".to_owned())));

    let (code, out, err) = drydock(
        dir.path(),
        &[
            "indexes",
            "--write",
            "--slow-query-ms",
            "0",
            "--slow-query-calls",
            "50",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let schema = std::fs::read_to_string(dir.path().join("schema.prisma")).expect("schema");
    assert!(
        schema.contains("  filler   String @db.Char(84)\n\n  @@index([abalance])\n}"),
        "{schema}"
    );
    let folders = migration_folders(dir.path());
    assert_eq!(folders.len(), 2, "{folders:?}");
    assert!(
        folders[1].ends_with("_add_index_pgbench_accounts_abalance_idx"),
        "{folders:?}"
    );
    let sql = std::fs::read_to_string(
        dir.path()
            .join("migrations")
            .join(&folders[1])
            .join("migration.sql"),
    )
    .expect("migration.sql");
    assert_eq!(
        sql,
        "-- CreateIndex\nCREATE INDEX CONCURRENTLY \"pgbench_accounts_abalance_idx\" ON \"pgbench_accounts\"(\"abalance\");\n"
    );

    // A run that writes goes to the run log.
    let (code, out, err) = drydock(dir.path(), &["runs", "--json", "--task", "indexes"]);
    assert_eq!(code, 0, "{out}{err}");
    let runs: Value = serde_json::from_str(&out).expect("runs JSON");
    assert_eq!(runs["runs"][0]["task"], "indexes", "{out}");
    assert_eq!(runs["runs"][0]["status"], "succeeded", "{out}");

    let (code, out, err) = drydock(dir.path(), &["migrate", "deploy"]);
    assert_eq!(code, 0, "{out}{err}");
    let valid: bool = client
        .query_one(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname = 'pgbench_accounts_abalance_idx'",
            &[],
        )
        .expect("the index exists")
        .get(0);
    assert!(valid);
    // The schema and the history agree with the database: no drift, no change to write.
    let (code, out, err) = drydock(
        dir.path(),
        &["migrate", "dev", "--create-only", "--name", "after"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let after = migration_folders(dir.path());
    let written: Vec<String> = after
        .iter()
        .filter(|f| !folders.contains(f))
        .map(|f| {
            std::fs::read_to_string(dir.path().join("migrations").join(f).join("migration.sql"))
                .unwrap_or_default()
        })
        .collect();
    // `--create-only` with nothing to change writes an empty migration, as Prisma's does.
    assert_eq!(after.len(), folders.len() + 1, "{out}{err}");
    assert_eq!(written, ["-- This is an empty migration.\n"], "{out}{err}");
    assert!(
        !format!("{out}{err}").to_lowercase().contains("drift"),
        "{out}{err}"
    );
    // And the suggestion is gone.
    let report = indexes(
        dir.path(),
        &["--slow-query-ms", "0", "--slow-query-calls", "50"],
    );
    assert!(
        !codes(&report).iter().any(|(code, _)| code == "D6207"),
        "{report}"
    );
}

#[test]
fn a_redundant_index_is_removed_from_the_schema_and_dropped_by_deploy() {
    let db = TestDb::postgres();
    let models = MODELS.replace(
        "  @@index([title, score])\n",
        "  @@index([title, score])\n  // only the title\n  @@index([title])\n",
    );
    let dir = project("postgresql", db.url(), &models);
    migrate_dev(dir.path(), "init");
    let report = indexes(dir.path(), &["--write"]);
    assert_eq!(
        codes(&report),
        vec![("D6203".to_owned(), "Post_title_idx".to_owned())],
        "{report}"
    );
    let schema = std::fs::read_to_string(dir.path().join("schema.prisma")).expect("schema");
    assert_eq!(
        schema,
        project(
            "postgresql",
            db.url(),
            &MODELS.replace(
                "  @@index([title, score])\n",
                "  @@index([title, score])\n  // only the title\n",
            )
        )
        .path()
        .join("schema.prisma")
        .canonicalize()
        .and_then(std::fs::read_to_string)
        .expect("expected schema"),
        "only the @@index line goes; the comment above it stays"
    );
    let folders = migration_folders(dir.path());
    assert_eq!(folders.len(), 2, "{folders:?}");
    assert!(
        folders[1].ends_with("_drop_index_post_title_idx"),
        "{folders:?}"
    );
    let (code, out, err) = drydock(dir.path(), &["migrate", "deploy"]);
    assert_eq!(code, 0, "{out}{err}");
    let left: i64 = db
        .postgres_client()
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'Post_title_idx'",
            &[],
        )
        .expect("counting")
        .get(0);
    assert_eq!(left, 0);
    let (code, out, err) = drydock(
        dir.path(),
        &["migrate", "dev", "--create-only", "--name", "after"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let after = migration_folders(dir.path());
    let newest = std::fs::read_to_string(
        dir.path()
            .join("migrations")
            .join(after.last().expect("a folder"))
            .join("migration.sql"),
    )
    .expect("migration.sql");
    assert_eq!(newest, "-- This is an empty migration.\n", "{out}{err}");
    assert!(codes(&indexes(dir.path(), &[])).is_empty());
}
