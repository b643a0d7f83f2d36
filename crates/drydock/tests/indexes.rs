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

/// Whether the statistics of the server `connect` reaches count a scan of `index` within 10 s.
fn index_scans_counted(connect: impl Fn() -> postgres::Client, index: &str) -> bool {
    (0..100).any(|_| {
        let scans: i64 = connect()
            .query_one(
                "SELECT COALESCE(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes \
                 WHERE indexrelname = $1",
                &[&index],
            )
            .expect("reading the statistics")
            .get(0);
        scans > 0 || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        }
    })
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
    let counted = index_scans_counted(|| replica_client(&replica), "Post_title_score_idx");
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

const SHOP: &str = "
model Customer {
  id     Int    @id
  email  String
  region Int
}

model Order {
  id          Int @id
  customerRef Int
  status      Int
  total       Int
}
";

/// Statements of several tables, as applications and Prisma send them: a join, and a relation
/// filter (the key `IN` a subquery of the related table). Each table gets the index its part
/// of the statement needs, each verified by the planner with a hypothetical index.
#[test]
fn joins_and_subqueries_yield_a_verified_suggestion_per_table() {
    let db = TestDb::postgres_stats();
    let dir = project("postgresql", db.url(), SHOP);
    migrate_dev(dir.path(), "init");
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "CREATE EXTENSION pg_stat_statements;
             CREATE EXTENSION hypopg;
             INSERT INTO \"Customer\"
               SELECT g, 'c' || g || '@example.com', g % 20 FROM generate_series(1, 20000) g;
             INSERT INTO \"Order\"
               SELECT g, 1 + (g * 7919) % 20000, g % 1000, g % 500 FROM generate_series(1, 200000) g;
             ANALYZE \"Customer\", \"Order\";",
        )
        .expect("seeding");
    for n in 0..30_i32 {
        client
            .query(
                "SELECT o.id, o.total FROM \"Order\" o JOIN \"Customer\" c \
                 ON c.id = o.\"customerRef\" WHERE c.email = $1",
                &[&format!("c{n}@example.com")],
            )
            .expect("the join");
        client
            .query(
                "SELECT \"t0\".\"id\" FROM \"public\".\"Customer\" AS \"t0\" \
                 WHERE (\"t0\".\"id\") IN (SELECT \"t1\".\"customerRef\" \
                 FROM \"public\".\"Order\" AS \"t1\" WHERE (\"t1\".\"status\" = $1 \
                 AND \"t1\".\"customerRef\" IS NOT NULL)) OFFSET $2",
                &[&n, &0_i64],
            )
            .expect("the relation filter");
    }

    let report = indexes(
        dir.path(),
        &["--slow-query-ms", "0", "--slow-query-calls", "30"],
    );
    assert_eq!(
        report["query_stats"]["hypothetical_indexes"], true,
        "{report}"
    );
    let mut suggested: Vec<(String, Vec<String>)> = report["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|s| {
            let before = s["cost_before"].as_f64().expect("cost before");
            let after = s["cost_after"].as_f64().expect("cost after");
            assert!(before > after, "cost {before} -> {after}: {s}");
            (
                s["table"].as_str().unwrap_or_default().to_owned(),
                serde_json::from_value(s["columns"].clone()).expect("columns"),
            )
        })
        .collect();
    suggested.sort();
    assert_eq!(
        suggested,
        [
            ("Customer".to_owned(), vec!["email".to_owned()]),
            ("Order".to_owned(), vec!["customerRef".to_owned()]),
            ("Order".to_owned(), vec!["status".to_owned()]),
        ],
        "{report}"
    );
}

/// A partitioned table's index is used when any partition's index is scanned: it counts its
/// partitions' scans and bytes, and the partitions' indexes it made are not listed apart.
#[test]
fn a_partitioned_tables_index_counts_the_scans_of_its_partitions() {
    let db = TestDb::postgres();
    let dir = project("postgresql", db.url(), MODELS);
    migrate_dev(dir.path(), "init");
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "CREATE TABLE events (id int NOT NULL, kind int NOT NULL, at date NOT NULL)
               PARTITION BY RANGE (at);
             CREATE TABLE events_2025 PARTITION OF events
               FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
             CREATE TABLE events_2026 PARTITION OF events
               FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
             CREATE INDEX events_kind_idx ON events (kind);
             INSERT INTO events SELECT g, g % 50, date '2025-01-01' + g % 700
               FROM generate_series(1, 20000) g;
             ANALYZE events;",
        )
        .expect("seeding");
    let unused_of = |report: &Value| -> Vec<String> {
        codes(report)
            .into_iter()
            .filter(|(code, _)| code == "D6201")
            .map(|(_, name)| name)
            .collect()
    };
    let report = indexes(dir.path(), &["--min-size", "0"]);
    let unused = unused_of(&report);
    assert!(unused.contains(&"events_kind_idx".to_owned()), "{report}");
    assert!(
        !unused.iter().any(|name| name.starts_with("events_20")),
        "a partition's index is its table's: {unused:?}"
    );
    // Its size is its partitions' indexes' bytes together, to the byte.
    let bytes: i64 = client
        .query_one(
            "SELECT sum(pg_relation_size(relid))::bigint FROM pg_partition_tree('events_kind_idx')",
            &[],
        )
        .expect("the partitions' index sizes")
        .get(0);
    let at_least = |size: i64| indexes(dir.path(), &["--min-size", &size.to_string()]);
    assert!(
        unused_of(&at_least(bytes)).contains(&"events_kind_idx".to_owned()),
        "{bytes} bytes"
    );
    assert!(
        !unused_of(&at_least(bytes + 1)).contains(&"events_kind_idx".to_owned()),
        "{bytes} bytes"
    );

    client
        .batch_execute(
            "SET enable_seqscan = off;
             SELECT id FROM events WHERE kind = 7 AND at < date '2025-06-01';
             SELECT pg_stat_force_next_flush();",
        )
        .expect("a scan of one partition's index");
    // The scan is counted once the session's statistics are flushed: at most 10 s.
    let counted = index_scans_counted(|| db.postgres_client(), "events_2025_kind_idx");
    assert!(counted, "the partition's index scan was never counted");
    let report = indexes(dir.path(), &["--min-size", "0"]);
    assert!(
        !unused_of(&report).contains(&"events_kind_idx".to_owned()),
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
