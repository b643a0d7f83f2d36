//! Crash injection on SQLite: the real binary's `migrate deploy` on a database file is killed
//! (`SIGKILL`) at a pseudo-random point within a clean deploy's duration (fixed seed). Right
//! after the kill the file passes `PRAGMA integrity_check` and each transactional migration is
//! there and recorded, or neither; the next plain `migrate deploy` finishes the job with the
//! schema and data of a clean deploy (the backfill's rows each updated exactly once).
//! `DRYDOCK_CRASH_TRIALS` sets the trials (6 by default; each uses its own file).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use drydock_test_support::TestDb;
use drydock_test_support::crash::{
    Fault, SHAPE_ROWS, Seeded, backfilled_once, finish, record_failure, same_as_clean, trial_count,
};

const SCHEMA: &str =
    "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n";

/// 100,000 rows made by a recursive query.
const ROWS: &str =
    "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 100000)";

/// The rows of `item`, each updated once by the backfill.
const ITEMS: i64 = 100_000;

/// The migration with the backfill.
const BACKFILL_MIGRATION: &str = "20240105000000_backfill_n";

/// Transactional migrations and one with a batched backfill (outside a transaction, many
/// batches) followed by an index.
fn migrations() -> Vec<(&'static str, String)> {
    vec![
        (
            "20240101000000_init",
            format!(
                "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT, \"n\" INTEGER);\n\
                 INSERT INTO \"item\" {ROWS} SELECT i, 'code ' || i, i % 97 FROM g;\n"
            ),
        ),
        (
            "20240102000000_tags",
            format!(
                "CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY, \"label\" TEXT);\n\
                 INSERT INTO \"tag\" {ROWS} SELECT i, 'tag ' || i FROM g;\n\
                 ALTER TABLE \"item\" ADD COLUMN \"tag_id\" INTEGER;\n"
            ),
        ),
        (
            "20240103000000_indexes",
            "CREATE INDEX \"item_code_idx\" ON \"item\" (\"code\");\n\
             CREATE UNIQUE INDEX \"tag_label_key\" ON \"tag\" (\"label\");\n"
                .to_owned(),
        ),
        (
            "20240104000000_audit",
            format!(
                "CREATE TABLE \"audit\" (\"id\" INTEGER PRIMARY KEY, \"item_id\" INTEGER);\n\
                 INSERT INTO \"audit\" {ROWS} SELECT i, i FROM g;\n\
                 UPDATE \"item\" SET \"tag_id\" = \"id\" % 1000 + 1;\n"
            ),
        ),
        (
            // `n + 1000` shows a row the backfill missed (below 1000) or updated twice (2000 and
            // up).
            BACKFILL_MIGRATION,
            "-- drydock:backfill key=\"id\" batch=2000\n\
             UPDATE \"item\" SET \"n\" = \"n\" + 1000;\n\
             CREATE INDEX \"item_n_idx\" ON \"item\" (\"n\");\n"
                .to_owned(),
        ),
    ]
}

/// The transactional migrations and the table each creates: the history counts one finished
/// exactly when its table is there.
const TRANSACTIONAL: &[(&str, &str)] = &[
    ("20240101000000_init", "item"),
    ("20240102000000_tags", "tag"),
    ("20240104000000_audit", "audit"),
];

/// Tables, indexes and their SQL, then (with [`SHAPE_ROWS`]) rows: what a deploy leaves,
/// comparably.
const SHAPE: &str = "\
    SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master \
    UNION ALL ";

fn project() -> tempfile::TempDir {
    let migrations = migrations();
    let migrations: Vec<(&str, &str)> = migrations
        .iter()
        .map(|(name, sql)| (*name, sql.as_str()))
        .collect();
    drydock_test_support::crash::project(SCHEMA, &migrations)
}

fn deploy(project: &Path, db: &TestDb) -> Command {
    let mut command = drydock_test_support::crash::drydock(
        env!("CARGO_BIN_EXE_drydock"),
        project,
        &["migrate", "deploy", "--lint", "off"],
    );
    command.env("DATABASE_URL", db.url());
    command
}

/// The database file, read-write (a hot journal a kill left is rolled back on first read), not
/// created when missing.
fn open(db: &TestDb) -> Result<rusqlite::Connection, String> {
    rusqlite::Connection::open_with_flags(
        db.sqlite_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE,
    )
    .map_err(|e| e.to_string())
}

fn count(conn: &rusqlite::Connection, sql: &str, name: &str) -> Result<i64, String> {
    conn.query_row(sql, [name], |row| row.get(0))
        .map_err(|e| format!("{sql}: {e}"))
}

/// `PRAGMA integrity_check` says `ok`, or what it says.
fn integrity(conn: &rusqlite::Connection) -> Result<(), String> {
    let said: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|e| e.to_string())?;
    if said == "ok" {
        Ok(())
    } else {
        Err(format!("integrity_check: {said}"))
    }
}

fn shape(conn: &rusqlite::Connection) -> Result<Vec<String>, String> {
    let mut statement = conn
        .prepare(&format!("{SHAPE}{SHAPE_ROWS}"))
        .map_err(|e| e.to_string())?;
    let rows = statement
        .query_map([], |row| row.get(0))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
}

/// What is wrong right after the kill, if anything: a damaged file, or a transactional
/// migration recorded without its table or there without its record.
fn right_after_the_kill(db: &TestDb) -> Result<(), String> {
    if !db.sqlite_path().exists() {
        return Ok(());
    }
    let conn = open(db)?;
    integrity(&conn)?;
    let table = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1";
    let history = count(&conn, table, "_prisma_migrations")? > 0;
    for (name, created) in TRANSACTIONAL {
        let finished = history
            && count(
                &conn,
                "SELECT count(*) FROM \"_prisma_migrations\" WHERE migration_name = ?1 \
                 AND finished_at IS NOT NULL AND rolled_back_at IS NULL",
                name,
            )? > 0;
        let exists = count(&conn, table, created)? > 0;
        if finished != exists {
            return Err(format!(
                "{name}: the history says finished={finished}, its table {created} exists={exists}"
            ));
        }
    }
    Ok(())
}

/// What is wrong after the recovering deploy, if anything.
fn check(db: &TestDb, clean: &[String]) -> Result<(), String> {
    let conn = open(db)?;
    integrity(&conn)?;
    for (name, _) in migrations() {
        let applied = count(
            &conn,
            "SELECT count(*) FROM \"_prisma_migrations\" WHERE migration_name = ?1 \
             AND finished_at IS NOT NULL AND rolled_back_at IS NULL",
            name,
        )?;
        if applied != 1 {
            return Err(format!("{name} is applied {applied} time(s)"));
        }
    }
    let unfinished: i64 = conn
        .query_row(
            "SELECT count(*) FROM \"_prisma_migrations\" WHERE finished_at IS NULL \
             AND rolled_back_at IS NULL",
            [],
            |row| row.get(0),
        )
        .map_err(|e| e.to_string())?;
    if unfinished > 0 {
        return Err(format!("{unfinished} unfinished history row(s) remain"));
    }
    let (missed, twice): (i64, i64) = conn
        .query_row(
            "SELECT count(*) FILTER (WHERE \"n\" < 1000), count(*) FILTER (WHERE \"n\" >= 2000) \
             FROM \"item\"",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(|e| e.to_string())?;
    let mut statement = conn
        .prepare(
            "SELECT rows_done, finished_at IS NOT NULL FROM \"_drydock_backfills\" \
             WHERE migration_name = ?1",
        )
        .map_err(|e| e.to_string())?;
    let progress: Vec<(i64, bool)> = statement
        .query_map([BACKFILL_MIGRATION], |row| Ok((row.get(0)?, row.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| e.to_string())?;
    backfilled_once(missed, twice, &progress, ITEMS)?;
    same_as_clean(&shape(&conn)?, clean)
}

/// Whether a deploy was cut short inside the backfill: its progress row is there, unfinished
/// (an error: the file or the table is not there).
fn backfill_unfinished(db: &TestDb) -> bool {
    open(db)
        .and_then(|conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM \"_drydock_backfills\" WHERE finished_at IS NULL)",
                [],
                |row| row.get(0),
            )
            .map_err(|e| e.to_string())
        })
        .unwrap_or(false)
}

#[test]
fn a_sqlite_deploy_killed_anywhere_leaves_a_sound_file_and_is_finished_by_the_next_deploy() {
    let trials = trial_count(6);
    let project = project();

    let clean_db = TestDb::sqlite();
    let started = Instant::now();
    let clean = deploy(project.path(), &clean_db)
        .output()
        .expect("clean deploy");
    // The kills land anywhere within a clean deploy's duration (at least 200 ms).
    let span = started.elapsed().as_millis().max(200) as u64;
    assert!(clean.status.success(), "{clean:?}");
    let clean = shape(&open(&clean_db).expect("open")).expect("shape");
    assert!(clean.iter().any(|l| l.contains("item_n_idx")), "{clean:?}");
    check(&clean_db, &clean).expect("a clean deploy passes the check");

    let mut random = Seeded(0x5a1e_5eed);
    let (mut cut_short, mut in_backfill, mut failures) = (0, 0, Vec::new());
    for trial in 0..trials {
        let db = TestDb::sqlite();
        let (delay, fault) = Fault::pick(&mut random, span, false);
        let mut child = deploy(project.path(), &db).spawn().expect("spawn");
        std::thread::sleep(delay);
        fault.inject(&mut child, &db.name());
        let (first, _) = finish(child);
        let was_cut_short = !first.status.success();
        let inside_backfill = backfill_unfinished(&db);
        cut_short += u32::from(was_cut_short);
        in_backfill += u32::from(inside_backfill);
        let outcome = right_after_the_kill(&db).and_then(|()| {
            let again = deploy(project.path(), &db)
                .output()
                .map_err(|e| e.to_string())?;
            if !again.status.success() {
                return Err(format!(
                    "the recovering deploy failed: {}",
                    String::from_utf8_lossy(&again.stderr)
                ));
            }
            check(&db, &clean)
        });
        if let Err(problem) = outcome {
            record_failure(
                &mut failures,
                format!(
                    "trial {trial} (SIGKILL after {} ms): {problem}\nthe killed deploy said: {}",
                    delay.as_millis(),
                    String::from_utf8_lossy(&first.stderr)
                ),
            );
        }
        eprintln!(
            "sqlite deploy trial {trial} (after {} ms, cut short: {was_cut_short}, inside the \
             backfill: {inside_backfill}): {} failure(s) so far",
            delay.as_millis(),
            failures.len()
        );
    }
    eprintln!(
        "sqlite migrate deploy: {trials} trial(s), {cut_short} cut short ({in_backfill} between \
         two batches of the backfill), {} failure(s)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
