//! Deploy plans through the real binary: `migrate deploy --dry-run` lists what would run (the
//! pending migrations, their statements with lock levels, the tables' live sizes, an estimate,
//! the review's findings, what is held back) and changes nothing; `--plan-out` writes it as
//! JSON and `--plan` applies exactly it, refused when a migration was added or edited after
//! planning (D3151), or applied by another deployer while it waited for the migration lock
//! (checked again under the lock), or the plan is for another database (D3152). On
//! PostgreSQL, SQLite and MariaDB.

mod support;

use std::path::Path;
use std::process::Output;

use drydock_test_support::output::{stderr, stdout};
use drydock_test_support::{DatabaseKind, TestDb};
use serde_json::Value;

use support::drydock;

const INIT: &str = "20240101000000_create_user";
const EXPAND: &str = "20240102000000_add_user_bio_and_email_index";
const CONTRACT: &str = "20240103000000_drop_user_name";
const LATER: &str = "20240104000000_add_user_age";
const BACKFILL: &str = "20240102100000_fill_user_bio";

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
    std::fs::write(path, text).expect("write");
}

fn migration(dir: &Path, name: &str, sql: &str) {
    write(dir, &format!("prisma/migrations/{name}/migration.sql"), sql);
}

/// A project on `db` whose first migration (a `User` table) is applied.
fn project(db: &TestDb) -> tempfile::TempDir {
    let provider = match db.kind() {
        DatabaseKind::Postgres => "postgresql",
        DatabaseKind::Sqlite => "sqlite",
        DatabaseKind::Mysql => "mysql",
    };
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "prisma/schema.prisma",
        &format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n"
        ),
    );
    let q = quote(db);
    migration(
        dir.path(),
        INIT,
        &format!(
            "CREATE TABLE {q}User{q} ({q}id{q} INTEGER NOT NULL PRIMARY KEY, {q}email{q} \
             VARCHAR(191) NOT NULL, {q}name{q} VARCHAR(191));\n"
        ),
    );
    succeeds(&drydock(dir.path(), db.url(), &["migrate", "deploy"]));
    dir
}

fn quote(db: &TestDb) -> &'static str {
    if db.kind() == DatabaseKind::Mysql {
        "`"
    } else {
        "\""
    }
}

/// The expand migration (an index and a column) and the contract one (a column dropped).
fn pending_changes(dir: &Path, db: &TestDb) {
    let q = quote(db);
    migration(
        dir,
        EXPAND,
        &format!(
            "CREATE INDEX {q}User_email_idx{q} ON {q}User{q}({q}email{q});\n\
             ALTER TABLE {q}User{q} ADD COLUMN {q}bio{q} TEXT;\n"
        ),
    );
    migration(
        dir,
        CONTRACT,
        &format!(
            "-- drydock:contract\n\
             -- drydock-lint-ignore drop-column\n\
             ALTER TABLE {q}User{q} DROP COLUMN {q}name{q};\n"
        ),
    );
}

fn succeeds(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

fn fails(output: &Output, code: &str) -> String {
    let said = format!("{}{}", stdout(output), stderr(output));
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains(&format!("[{code}]")), "{said}");
    said
}

/// The applied migrations' names, in order.
fn history(db: &TestDb) -> Vec<String> {
    let mut client = db.postgres_client();
    client
        .query(
            "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL \
             ORDER BY migration_name",
            &[],
        )
        .expect("history")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// The columns and indexes of `User`, and the schemas of the database.
fn schema(db: &TestDb) -> Vec<String> {
    let mut client = db.postgres_client();
    let mut out: Vec<String> = client
        .query(
            "SELECT 'column ' || column_name FROM information_schema.columns \
             WHERE table_name = 'User' UNION ALL \
             SELECT 'index ' || indexname FROM pg_indexes WHERE tablename = 'User' UNION ALL \
             SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' \
             AND nspname <> 'information_schema' UNION ALL \
             SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .expect("schema")
        .iter()
        .map(|row| row.get(0))
        .collect();
    out.sort();
    out
}

/// The dry run's text with what changes from run to run replaced: the database's name and
/// identity, sizes in bytes, checksums.
fn redacted(text: &str, db: &TestDb) -> String {
    let text = text.replace(&db.name(), "[database]");
    let mut out = String::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        out.push_str(&line[..indent]);
        let words: Vec<&str> = line[indent..].split(' ').collect();
        let mut kept: Vec<String> = Vec::new();
        for (index, word) in words.iter().enumerate() {
            let previous = index.checked_sub(1).map(|i| words[i]);
            let number = |w: &str| {
                let digits = w.trim_end_matches([',', ')', ';', '.']);
                !digits.is_empty() && digits.parse::<f64>().is_ok()
            };
            let unit = word.trim_end_matches([',', ')']);
            let is_unit = ["B", "KiB", "MiB", "bytes", "kB", "MB"].contains(&unit);
            if is_unit && previous.is_some_and(number) {
                kept.pop();
                kept.push(format!("[size]{}", &word[unit.len()..]));
            } else if matches!(
                previous.map(|w| w.trim_start_matches('(')),
                Some("system" | "oid")
            ) && number(word)
            {
                let tail = &word[word.trim_end_matches([',', ')', '.']).len()..];
                kept.push(format!("[id]{tail}"));
            } else if previous == Some("checksum") {
                kept.push("[sha256]".to_owned());
            } else {
                kept.push((*word).to_owned());
            }
        }
        out.push_str(&kept.join(" "));
        out.push('\n');
    }
    out
}

#[test]
fn postgres_dry_run_lists_the_plan_and_changes_nothing() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "INSERT INTO \"User\" SELECT g, 'u' || g, 'n' FROM generate_series(1, 500) g; \
             ANALYZE \"User\";",
        )
        .expect("rows");
    pending_changes(dir.path(), &db);
    migration(
        dir.path(),
        BACKFILL,
        "-- drydock:backfill key=\"id\" batch=100 pause=10ms\n\
         UPDATE \"User\" SET \"bio\" = '' WHERE \"bio\" IS NULL;\n",
    );
    let before = (history(&db), schema(&db));

    let out = succeeds(&drydock(
        dir.path(),
        db.url(),
        &["migrate", "deploy", "--dry-run"],
    ));
    insta::assert_snapshot!(redacted(&out, &db));
    assert_eq!((history(&db), schema(&db)), before, "nothing changed");

    // As JSON, the same plan; the URL's password is not in it.
    let with_password = db.url().replacen("postgres@", "postgres:s3cret-pw@", 1);
    let out = succeeds(&drydock(
        dir.path(),
        db.url(),
        &[
            "migrate",
            "deploy",
            "--dry-run",
            "--json",
            "--url",
            &with_password,
        ],
    ));
    assert!(!out.contains("s3cret-pw"), "{out}");
    let plan: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(plan["version"], 1);
    assert_eq!(
        plan["target"]["url"],
        db.url().replacen("postgres@", "postgres:****@", 1)
    );
    assert_eq!(plan["target"]["database"], db.name());
    assert!(plan["target"]["instance"].as_str().is_some(), "{plan}");
    let pending = plan["pending"].as_array().expect("pending");
    assert_eq!(pending.len(), 3);
    assert_eq!(pending[0]["name"], EXPAND);
    assert_eq!(pending[0]["held_back"], false);
    assert_eq!(pending[1]["name"], BACKFILL);
    let backfill = &pending[1]["backfills"][0];
    assert_eq!(
        (
            &backfill["rows"],
            &backfill["batches"],
            &backfill["pause_ms"]
        ),
        (&Value::from(500), &Value::from(5), &Value::from(10))
    );
    assert_eq!(pending[2]["name"], CONTRACT);
    assert_eq!(pending[2]["held_back"], true);
    let statements = pending[0]["statements"].as_array().expect("statements");
    assert_eq!(statements[0]["lock"], "SHARE");
    assert_eq!(statements[0]["work"], "builds an index");
    assert_eq!(statements[0]["tables"][0]["rows"], 500);
    assert!(statements[0]["tables"][0]["bytes"].as_u64() > Some(0));
    assert!(statements[0]["estimated_seconds"].as_f64() > Some(0.0));
    assert_eq!(statements[1]["lock"], "ACCESS EXCLUSIVE");
    assert_eq!(statements[1]["estimated_seconds"], 0.0);
    assert_eq!(pending[0]["findings"][0]["code"], "D4201");
    assert_eq!(pending[0]["findings"][0]["blocks_deploy"], false);
    assert_eq!((history(&db), schema(&db)), before, "nothing changed");

    // With `--contract`, the contract migration is part of the plan.
    let out = succeeds(&drydock(
        dir.path(),
        db.url(),
        &["migrate", "deploy", "--dry-run", "--contract", "--json"],
    ));
    let plan: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(plan["pending"][2]["held_back"], false);
    assert_eq!(plan["contract"], true);
}

#[test]
fn postgres_plan_applies_exactly_and_is_refused_when_things_changed() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let dir = dir.path();
    pending_changes(dir, &db);
    let plan_file = dir.join("plan.json");
    let plan_path = plan_file.to_str().expect("a UTF-8 path");
    let make_plan = || {
        let out = succeeds(&drydock(
            dir,
            db.url(),
            &["migrate", "deploy", "--plan-out", plan_path],
        ));
        assert!(out.contains("Plan written to"), "{out}");
    };
    let apply = |url: &str| drydock(dir, url, &["migrate", "deploy", "--plan", plan_path]);

    // Another database with the same history: the plan is not for it.
    let other = TestDb::postgres();
    let _other_dir = project(&other);
    make_plan();
    let said = fails(&apply(other.url()), "D3152");
    assert!(
        said.contains("the deploy plan was made for another database"),
        "{said}"
    );
    assert_eq!(history(&other), [INIT]);

    // A migration added after planning.
    migration(
        dir,
        LATER,
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n",
    );
    let said = fails(&apply(db.url()), "D3151");
    assert!(
        said.contains(&format!(
            "{LATER}: pending but not in the plan (added since it was made)"
        )),
        "{said}"
    );
    assert_eq!(history(&db), [INIT]);
    std::fs::remove_dir_all(dir.join(format!("prisma/migrations/{LATER}"))).expect("removed");

    // A migration edited after planning.
    let expand = dir.join(format!("prisma/migrations/{EXPAND}/migration.sql"));
    let original = std::fs::read_to_string(&expand).expect("read");
    std::fs::write(&expand, format!("{original}-- edited\n")).expect("edit");
    let said = fails(&apply(db.url()), "D3151");
    assert!(
        said.contains(&format!(
            "{EXPAND}: its migration.sql changed since the plan was made"
        )),
        "{said}"
    );
    assert_eq!(history(&db), [INIT]);
    std::fs::write(&expand, original).expect("restore");

    // As planned: the expand migration applied, the contract migration held back.
    let out = succeeds(&apply(db.url()));
    assert!(out.contains(EXPAND), "{out}");
    assert!(out.contains("Held back"), "{out}");
    assert_eq!(history(&db), [INIT, EXPAND]);
    let columns = schema(&db);
    assert!(columns.contains(&"column bio".to_owned()), "{columns:?}");
    assert!(columns.contains(&"column name".to_owned()), "{columns:?}");

    // Once applied, the plan is spent: its migration is no longer pending.
    let said = fails(&apply(db.url()), "D3151");
    assert!(
        said.contains(&format!("{EXPAND}: in the plan but no longer pending")),
        "{said}"
    );
}

/// The plan is checked again once the migration lock is held: a deployer that applied a
/// planned migration while this one waited for the lock makes it refuse, nothing applied twice.
#[test]
fn postgres_plan_is_checked_again_under_the_migration_lock() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let dir = dir.path();
    pending_changes(dir, &db);
    let plan_file = dir.join("plan.json");
    let plan_path = plan_file.to_str().expect("a UTF-8 path");
    succeeds(&drydock(
        dir,
        db.url(),
        &["migrate", "deploy", "--plan-out", plan_path],
    ));

    // Another deployer holds the lock (Prisma's key) while the plan's deploy starts.
    let mut other = db.postgres_client();
    other
        .batch_execute("SELECT pg_advisory_lock(72707369)")
        .expect("the migration lock");
    let deploy =
        support::drydock_command(dir, db.url(), &["migrate", "deploy", "--plan", plan_path])
            .spawn()
            .expect("drydock");
    let mut watcher = db.postgres_client();
    assert!(
        drydock_test_support::wait_for(|| {
            watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND pid <> pg_backend_pid() AND query LIKE '%pg_try_advisory_lock%'",
                    &[],
                )
                .map(|row| row.get::<_, i64>(0) > 0)
                .unwrap_or(false)
        }),
        "the deploy asks for the lock"
    );
    // It applies the first planned migration meanwhile, and lets go.
    let expand =
        std::fs::read_to_string(dir.join(format!("prisma/migrations/{EXPAND}/migration.sql")))
            .expect("read");
    let checksum = drydock_engine::migrate::checksum(expand.as_bytes());
    other.batch_execute(&expand).expect("applied elsewhere");
    other
        .execute(
            "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, \
             finished_at, applied_steps_count) VALUES (gen_random_uuid()::text, $1, $2, now(), \
             now(), 1)",
            &[&checksum, &EXPAND],
        )
        .expect("its history row");
    other
        .batch_execute("SELECT pg_advisory_unlock(72707369)")
        .expect("unlock");

    let output = deploy.wait_with_output().expect("drydock ends");
    let said = fails(&output, "D3151");
    assert!(
        said.contains(&format!("{EXPAND}: in the plan but no longer pending")),
        "{said}"
    );
    assert_eq!(history(&db), [INIT, EXPAND], "nothing applied twice");
}

/// The dry run of the pending changes on `db` says each of `expected`, and leaves them
/// pending.
fn dry_run_says(dir: &Path, db: &TestDb, expected: &[&str]) {
    pending_changes(dir, db);
    let out = succeeds(&drydock(dir, db.url(), &["migrate", "deploy", "--dry-run"]));
    for expected in [EXPAND, CONTRACT, "HELD BACK: contract migration"]
        .iter()
        .chain(expected)
    {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
    let status = drydock(dir, db.url(), &["migrate", "status"]);
    assert!(stdout(&status).contains(EXPAND), "{}", stdout(&status));
    assert_eq!(status.status.code(), Some(1), "still pending");
}

#[test]
fn sqlite_dry_run() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    rusqlite::Connection::open(db.sqlite_path())
        .expect("the database")
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
             INSERT INTO \"User\" SELECT i, 'u' || i, 'n' FROM n;",
        )
        .expect("rows");
    dry_run_says(
        dir.path(),
        &db,
        &[
            "1. line 1: CREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");",
            "lock: database write lock; builds an index",
            "2. line 2: ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;",
            "lock: database write lock; catalog only",
            "table User: 200 rows",
            "Dry run: nothing was changed.",
        ],
    );
}

#[test]
fn mariadb_dry_run() {
    let db = TestDb::mysql();
    let dir = project(&db);
    let mut conn = db.mysql_conn();
    mysql::prelude::Queryable::query_drop(
        &mut conn,
        "INSERT INTO `User` (id, email, name) SELECT seq, CONCAT('u', seq), 'n' \
         FROM seq_1_to_300",
    )
    .expect("rows");
    mysql::prelude::Queryable::query_drop(&mut conn, "ANALYZE TABLE `User`").expect("analyze");
    dry_run_says(
        dir.path(),
        &db,
        &[
            "1. line 1: CREATE INDEX `User_email_idx` ON `User`(`email`);",
            "lock: in place (reads and writes go on); builds an index",
            "2. line 2: ALTER TABLE `User` ADD COLUMN `bio` TEXT;",
            "lock: instant (metadata lock only); catalog only",
            "table User: 300 rows",
        ],
    );
}
