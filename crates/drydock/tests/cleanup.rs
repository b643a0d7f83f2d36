//! `drydock cleanup --apply` (deleting orphans along a chain of two relations, and unlinking
//! the rows of a `SetNull` relation) killed with `SIGKILL` in the middle of its batches (at a fixed
//! point; at pseudo-random points, on PostgreSQL with its session also terminated, and on
//! SQLite), then run again: the rerun continues the same archive, nothing is deleted twice,
//! every deleted row is archived exactly once, nothing is left beside the archives, and
//! `drydock cleanup restore` brings the tables back row for row.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use drydock_test_support::crash::{Fault, Seeded, finish, record_failure, trial_count};
use drydock_test_support::{DatabaseKind, TestDb, wait_for};

const SCHEMA: &str = r#"datasource db {
  provider     = "postgresql"
  url          = env("DATABASE_URL")
  relationMode = "prisma"
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int       @id
  title    String
  author   User      @relation(fields: [authorId], references: [id], onDelete: Cascade)
  authorId Int
  comments Comment[]
  tags     Tag[]
  @@index([authorId])
}

model Tag {
  id     Int   @id
  post   Post? @relation(fields: [postId], references: [id], onDelete: SetNull)
  postId Int?
  @@index([postId])
}

model Comment {
  id     Int    @id
  post   Post   @relation(fields: [postId], references: [id], onDelete: Cascade)
  postId Int
  @@index([postId])
}
"#;

const ORPHANS: i64 = 60_000;
/// Comments on orphaned posts: orphans once their posts go.
const GRANDCHILDREN: i64 = 3_000;
/// Tags on orphaned posts: unlinked (`SetNull`) once their posts go.
const UNLINKED: i64 = 2_000;
/// Tags on posts that stay.
const LINKED: i64 = 400;

fn drydock(dir: &Path, db: &TestDb, args: &[&str]) -> Command {
    let mut command =
        drydock_test_support::crash::drydock(env!("CARGO_BIN_EXE_drydock"), dir, args);
    command.arg("--url").arg(db.url());
    command
}

fn run(dir: &Path, db: &TestDb, args: &[&str]) -> Output {
    let output = drydock(dir, db, args).output().expect("run drydock");
    assert!(
        output.status.success(),
        "drydock {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Each table's rows in key order, as JSON lines (PostgreSQL: hashed), and counted.
fn fingerprint(db: &TestDb) -> Vec<(String, i64)> {
    match db.kind() {
        DatabaseKind::Postgres => {
            let mut client = db.postgres_client();
            ["User", "Post", "Comment", "Tag"]
                .iter()
                .map(|table| {
                    let row = client
                        .query_one(
                            &format!(
                                "SELECT coalesce(md5(string_agg(row_to_json(t)::text, E'\\n' \
                                 ORDER BY t.id)), ''), count(*) FROM \"{table}\" t"
                            ),
                            &[],
                        )
                        .expect("fingerprint");
                    (row.get(0), row.get(1))
                })
                .collect()
        }
        DatabaseKind::Sqlite => {
            let conn = sqlite(db);
            [
                ("User", "id"),
                ("Post", "id, title, \"authorId\""),
                ("Comment", "id, \"postId\""),
                ("Tag", "id, \"postId\""),
            ]
            .iter()
            .map(|(table, columns)| {
                conn.query_row(
                    &format!(
                        "SELECT coalesce(group_concat(line, char(10)), ''), count(*) FROM \
                         (SELECT json_array({columns}) AS line FROM \"{table}\" ORDER BY id)"
                    ),
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .expect("fingerprint")
            })
            .collect()
        }
        DatabaseKind::Mysql => panic!("the kill tests of cleanup run on PostgreSQL and SQLite"),
    }
}

/// The SQLite database file, created when missing.
fn sqlite(db: &TestDb) -> rusqlite::Connection {
    rusqlite::Connection::open(db.sqlite_path()).expect("open the SQLite file")
}

/// Users, their posts, comments and tags, and [`ORPHANS`] posts of no user with
/// [`GRANDCHILDREN`] comments and [`UNLINKED`] tags.
fn fill(db: &TestDb) {
    match db.kind() {
        DatabaseKind::Postgres => db
            .postgres_client()
            .batch_execute(&format!(
            "CREATE TABLE \"User\" (id INTEGER PRIMARY KEY);
             CREATE TABLE \"Post\" (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
               \"authorId\" INTEGER NOT NULL);
             CREATE INDEX ON \"Post\" (\"authorId\");
             CREATE TABLE \"Comment\" (id INTEGER PRIMARY KEY, \"postId\" INTEGER NOT NULL);
             CREATE INDEX ON \"Comment\" (\"postId\");
             INSERT INTO \"User\" SELECT g FROM generate_series(1, 100) g;
             INSERT INTO \"Post\" SELECT g, 'kept ' || g, 1 + g % 100 FROM generate_series(1, 1000) g;
             INSERT INTO \"Post\" SELECT 1000 + g, 'orphan ''' || g, 100000 + g
               FROM generate_series(1, {ORPHANS}) g;
             INSERT INTO \"Comment\" SELECT g, 1 + g % 1000 FROM generate_series(1, 500) g;
             INSERT INTO \"Comment\" SELECT 500 + g, 1000 + g FROM generate_series(1, {GRANDCHILDREN}) g;
             CREATE TABLE \"Tag\" (id INTEGER PRIMARY KEY, \"postId\" INTEGER);
             CREATE INDEX ON \"Tag\" (\"postId\");
             INSERT INTO \"Tag\" SELECT g, 1 + g % 1000 FROM generate_series(1, {LINKED}) g;
             INSERT INTO \"Tag\" SELECT {LINKED} + g, 1000 + g FROM generate_series(1, {UNLINKED}) g;"
        ))
            .expect("fill"),
        DatabaseKind::Sqlite => sqlite(db)
            .execute_batch(&format!(
                "CREATE TABLE \"User\" (id INTEGER PRIMARY KEY);
                 CREATE TABLE \"Post\" (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
                   \"authorId\" INTEGER NOT NULL);
                 CREATE INDEX post_author ON \"Post\" (\"authorId\");
                 CREATE TABLE \"Comment\" (id INTEGER PRIMARY KEY, \"postId\" INTEGER NOT NULL);
                 CREATE INDEX comment_post ON \"Comment\" (\"postId\");
                 WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {ORPHANS})
                 INSERT INTO \"Post\" SELECT i, 'kept ' || i, 1 + i % 100 FROM g WHERE i <= 1000
                   UNION ALL SELECT 1000 + i, 'orphan ''' || i, 100000 + i FROM g;
                 WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 100)
                 INSERT INTO \"User\" SELECT i FROM g;
                 WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {GRANDCHILDREN})
                 INSERT INTO \"Comment\" SELECT i, 1 + i % 1000 FROM g WHERE i <= 500
                   UNION ALL SELECT 500 + i, 1000 + i FROM g;
                 CREATE TABLE \"Tag\" (id INTEGER PRIMARY KEY, \"postId\" INTEGER);
                 CREATE INDEX tag_post ON \"Tag\" (\"postId\");
                 WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {UNLINKED})
                 INSERT INTO \"Tag\" SELECT i, 1 + i % 1000 FROM g WHERE i <= {LINKED}
                   UNION ALL SELECT {LINKED} + i, 1000 + i FROM g;"
            ))
            .expect("fill"),
        DatabaseKind::Mysql => panic!("the kill tests of cleanup run on PostgreSQL and SQLite"),
    }
}

/// A new database of `kind`, [`fill`]ed, its [`fingerprint`], and a project for it.
fn filled(kind: DatabaseKind) -> (TestDb, Vec<(String, i64)>, tempfile::TempDir) {
    let db = TestDb::new(kind);
    fill(&db);
    let before = fingerprint(&db);
    (
        db,
        before,
        drydock_test_support::crash::project(&schema(kind), &[]),
    )
}

/// The (table, id) of every row the archive at `path` holds, in archive order.
fn archived_ids(path: &Path) -> Result<Vec<(String, i64)>, String> {
    let mut ids = Vec::new();
    drydock_maintenance::read_archive(path, &mut |batch| {
        for row in &batch.rows {
            let row: serde_json::Value = serde_json::from_str(row).unwrap_or_default();
            ids.push((
                batch.header.table.name.clone(),
                row["id"].as_i64().unwrap_or(-1),
            ));
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(ids)
}

fn committed_batches(client: &mut postgres::Client) -> i64 {
    client
        .query_opt(
            "SELECT batches FROM _drydock._drydock_cleanups WHERE finished_at IS NULL",
            &[],
        )
        .ok()
        .flatten()
        .map_or(0, |row| row.get(0))
}

#[test]
fn an_apply_killed_mid_run_resumes_without_deleting_anything_twice() {
    let (db, before, project) = filled(DatabaseKind::Postgres);
    let mut client = db.postgres_client();
    let dir = project.path();

    let dry = run(dir, &db, &["cleanup", "--json"]);
    let dry: serde_json::Value = serde_json::from_slice(&dry.stdout).expect("json");
    assert_eq!(dry["examined"], ORPHANS);
    assert_eq!(dry["relations"][0]["relation"], "Post.author");
    assert_eq!(dry["relations"][0]["samples"][0], "id=1001");
    assert_eq!(dry["findings"][0]["code"], "D6101");

    let mut child = drydock(dir, &db, &["cleanup", "--apply", "--batch-size", "500"])
        .spawn()
        .expect("start drydock");
    assert!(
        wait_for(|| committed_batches(&mut client) >= 10),
        "no batch committed in time"
    );
    child.kill().expect("SIGKILL");
    let killed = child.wait_with_output().expect("wait");
    assert!(!killed.status.success());
    let batches = committed_batches(&mut client);
    let (rows_done, archive_bytes): (i64, i64) = client
        .query_one(
            "SELECT rows_done, archive_bytes FROM _drydock._drydock_cleanups \
             WHERE finished_at IS NULL",
            &[],
        )
        .map(|row| (row.get(0), row.get(1)))
        .expect("progress row");
    assert!(batches >= 10 && archive_bytes > 0);
    let gone = before[1].1 - fingerprint(&db)[1].1;
    assert_eq!(
        gone + unlinked(&db),
        rows_done,
        "the progress row counts exactly the rows deleted and unlinked"
    );
    assert!(gone < ORPHANS, "killed before the end");

    let resumed = run(
        dir,
        &db,
        &["cleanup", "--apply", "--json", "--batch-size", "500"],
    );
    let resumed: serde_json::Value = serde_json::from_slice(&resumed.stdout).expect("json");
    assert!(resumed["resumed"].is_string(), "{resumed}");
    assert_eq!(resumed["affected"], ORPHANS + GRANDCHILDREN + UNLINKED);
    let after = fingerprint(&db);
    assert_eq!(after[1].1, 1000);
    assert_eq!(after[2].1, 500);
    let archive = resumed["archive"]["file"]
        .as_str()
        .expect("archive")
        .to_owned();
    let archive = dir.join(archive);

    let mut ids = archived_ids(&archive).expect("archive reads back");
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "no row archived twice");
    assert_eq!(count as i64, ORPHANS + GRANDCHILDREN + UNLINKED);

    let again = run(dir, &db, &["cleanup", "--json"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(again["examined"], 0);
    assert_eq!(again["findings"], serde_json::json!([]));

    run(
        dir,
        &db,
        &["cleanup", "restore", archive.to_str().expect("path")],
    );
    assert_eq!(fingerprint(&db), before, "restored row for row");

    let runs = run(dir, &db, &["runs", "--task", "cleanup", "--json"]);
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).expect("json");
    let finished = runs["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["task"] == "cleanup" && r["status"] == "succeeded" && r["affected"] != 0)
        .unwrap_or_else(|| panic!("no finished cleanup run in {runs}"));
    // The rerun counted the posts left, and the comments and tags the first run's deletions
    // orphaned.
    assert_eq!(
        finished["examined"],
        ORPHANS - gone + gone.min(GRANDCHILDREN) + gone.min(UNLINKED)
    );
    assert_eq!(finished["affected"], ORPHANS + GRANDCHILDREN + UNLINKED);
}

/// The rows the cleanups recorded in `_drydock_cleanups` changed, and how many are unfinished
/// (none before the table exists). PostgreSQL keeps it in the schema `_drydock`, SQLite in the
/// database file.
fn bookkeeping(db: &TestDb) -> (i64, i64) {
    let totals = |table: &str| {
        format!(
            "SELECT coalesce(sum(rows_done), 0), count(*) FILTER (WHERE finished_at IS NULL) \
             FROM {table}"
        )
    };
    match db.kind() {
        DatabaseKind::Postgres => {
            let mut client = db.postgres_client();
            let exists: bool = client
                .query_one(
                    "SELECT to_regclass('_drydock._drydock_cleanups') IS NOT NULL",
                    &[],
                )
                .expect("the progress table")
                .get(0);
            if !exists {
                return (0, 0);
            }
            let row = client
                .query_one(
                    &format!(
                        "SELECT s::bigint, u FROM ({}) AS t(s, u)",
                        totals("_drydock._drydock_cleanups")
                    ),
                    &[],
                )
                .expect("the progress rows");
            (row.get(0), row.get(1))
        }
        DatabaseKind::Sqlite => {
            let conn = sqlite(db);
            let exists: bool = conn
                .query_row(
                    "SELECT count(*) > 0 FROM sqlite_master WHERE name = '_drydock_cleanups'",
                    [],
                    |row| row.get(0),
                )
                .expect("the progress table");
            if !exists {
                return (0, 0);
            }
            conn.query_row(&totals("_drydock_cleanups"), [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .expect("the progress rows")
        }
        DatabaseKind::Mysql => panic!("the kill tests of cleanup run on PostgreSQL and SQLite"),
    }
}

/// What is wrong right after a fault, if anything: the rows gone from the tables must be the
/// rows the committed batches counted, each batch's rows archived with it.
fn counted_as_gone(db: &TestDb, before: &[(String, i64)]) -> Result<(), String> {
    let (counted, _) = bookkeeping(db);
    let now = fingerprint(db);
    let gone: i64 = before.iter().zip(&now).map(|(b, n)| b.1 - n.1).sum();
    let unlinked = unlinked(db);
    if gone + unlinked != counted {
        return Err(format!(
            "{gone} row(s) gone from the tables and {unlinked} unlinked, {counted} counted by \
             committed batches"
        ));
    }
    Ok(())
}

/// How many tags have lost their post (`SetNull`); none before a cleanup.
fn unlinked(db: &TestDb) -> i64 {
    let sql = "SELECT count(*) FROM \"Tag\" WHERE \"postId\" IS NULL";
    match db.kind() {
        DatabaseKind::Postgres => db
            .postgres_client()
            .query_one(sql, &[])
            .expect("unlinked tags")
            .get(0),
        DatabaseKind::Sqlite => sqlite(db)
            .query_row(sql, [], |row| row.get(0))
            .expect("unlinked tags"),
        DatabaseKind::Mysql => panic!("the kill tests of cleanup run on PostgreSQL and SQLite"),
    }
}

/// What is wrong after the recovering run, if anything: no orphan and no unfinished run left;
/// the tables and the archives in `archives` together hold every original row once; nothing
/// but complete archives and manifests in the folder. Returns the archives, oldest first.
fn recovered(
    db: &TestDb,
    archives: &Path,
    before: &[(String, i64)],
) -> Result<Vec<std::path::PathBuf>, String> {
    let now = fingerprint(db);
    if now[1].1 != 1000 || now[2].1 != 500 || now[3].1 != LINKED + UNLINKED {
        return Err(format!("rows left: {now:?}"));
    }
    if unlinked(db) != UNLINKED {
        return Err(format!("{} tag(s) unlinked, not {UNLINKED}", unlinked(db)));
    }
    let (_, unfinished) = bookkeeping(db);
    if unfinished > 0 {
        return Err(format!("{unfinished} unfinished cleanup(s) recorded"));
    }
    let mut files: Vec<String> = std::fs::read_dir(archives)
        .map_err(|e| format!("{}: {e}", archives.display()))?
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let (archive_files, others): (Vec<&String>, Vec<&String>) = files.iter().partition(|name| {
        !name.starts_with('.')
            && (name.ends_with(".cleanup.jsonl.zst") || name.ends_with(".cleanup.json"))
    });
    if !others.is_empty() {
        return Err(format!("left beside the archives: {others:?}"));
    }
    let archive_paths: Vec<std::path::PathBuf> = archive_files
        .iter()
        .filter(|name| name.ends_with(".zst"))
        .map(|name| archives.join(name))
        .collect();
    let mut ids = Vec::new();
    for archive in &archive_paths {
        ids.extend(archived_ids(archive).map_err(|e| format!("{}: {e}", archive.display()))?);
    }
    let archived = ids.len();
    ids.sort();
    ids.dedup();
    if ids.len() != archived {
        return Err(format!("{} row(s) archived twice", archived - ids.len()));
    }
    // Deleted rows are archived, and so is each unlinked tag (as it was, to be linked again).
    let tags_archived = ids.iter().filter(|(t, _)| t == "Tag").count() as i64;
    if tags_archived != UNLINKED {
        return Err(format!("{tags_archived} tag(s) archived, not {UNLINKED}"));
    }
    for (table, (_, rows_before), (_, rows_now)) in ["User", "Post", "Comment"]
        .iter()
        .zip(before)
        .zip(&now)
        .map(|((t, b), n)| (t, b, n))
    {
        let in_archives = ids.iter().filter(|(t, _)| t == table).count() as i64;
        if rows_now + in_archives != *rows_before {
            return Err(format!(
                "{table}: {rows_now} row(s) in the table and {in_archives} archived, of \
                 {rows_before}"
            ));
        }
    }
    Ok(archive_paths)
}

/// `cleanup --apply` on a database of `kind` killed (`SIGKILL`), or with `may_terminate` cut off
/// (`pg_terminate_backend`), at a pseudo-random point within a clean run's duration (`seed`),
/// `DRYDOCK_CRASH_TRIALS` times (`default_trials` unless set), each on a database of its own.
/// Right after the fault the rows gone are the rows committed batches counted; the next plain
/// `cleanup --apply` finishes; then the tables and the archives hold every original row exactly
/// once, no temporary file is left beside the archives, no run is recorded unfinished, and
/// `cleanup restore` of the archives gives back every table row for row.
fn faults_anywhere(kind: DatabaseKind, seed: u64, may_terminate: bool, default_trials: u64) {
    let trials = trial_count(default_trials);
    let apply = ["cleanup", "--apply", "--batch-size", "500"];
    let (probe, _, probe_project) = filled(kind);
    let started = Instant::now();
    run(probe_project.path(), &probe, &apply);
    // The faults land anywhere within a clean run's duration (at least 200 ms).
    let span = started.elapsed().as_millis().max(200) as u64;
    drop(probe);

    let mut random = Seeded(seed);
    let (mut kills, mut cut_short, mut failures) = (0, 0, Vec::new());
    for trial in 0..trials {
        let (db, before, project) = filled(kind);
        let dir = project.path();

        let (delay, fault) = Fault::pick(&mut random, span, may_terminate);
        if fault == Fault::Kill {
            kills += 1;
        }
        let mut child = drydock(dir, &db, &apply).spawn().expect("start drydock");
        std::thread::sleep(delay);
        fault.inject(&mut child, &db.name());
        let (first, _) = finish(child);
        if !first.status.success() {
            cut_short += 1;
        }

        let check = || -> Result<(), String> {
            counted_as_gone(&db, &before)?;
            let again = drydock(dir, &db, &apply)
                .output()
                .map_err(|e| e.to_string())?;
            if !again.status.success() {
                return Err(format!(
                    "the next plain run failed: {}",
                    String::from_utf8_lossy(&again.stderr)
                ));
            }
            let archives = recovered(&db, &dir.join("backups/cleanup"), &before)?;
            for archive in &archives {
                let restored = drydock(
                    dir,
                    &db,
                    &["cleanup", "restore", &archive.to_string_lossy()],
                )
                .output()
                .map_err(|e| e.to_string())?;
                if !restored.status.success() {
                    return Err(format!(
                        "restoring {} failed: {}",
                        archive.display(),
                        String::from_utf8_lossy(&restored.stderr)
                    ));
                }
            }
            if fingerprint(&db) != before {
                return Err("the restored tables differ from the original ones".to_owned());
            }
            Ok(())
        };
        if let Err(problem) = check() {
            record_failure(
                &mut failures,
                format!(
                    "trial {trial} ({fault} after {} ms): {problem}\nthe faulted run said: {}",
                    delay.as_millis(),
                    String::from_utf8_lossy(&first.stderr)
                ),
            );
        }
        eprintln!(
            "cleanup trial {trial} ({fault} after {} ms, cut short: {}): {} failure(s) so far",
            delay.as_millis(),
            !first.status.success(),
            failures.len()
        );
    }
    eprintln!(
        "cleanup --apply on {kind:?}: {trials} trial(s), {kills} SIGKILL, {cut_short} cut short, \
         {} failure(s)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// [`SCHEMA`] for a database of `kind`.
fn schema(kind: DatabaseKind) -> String {
    match kind {
        DatabaseKind::Postgres => SCHEMA.to_owned(),
        DatabaseKind::Sqlite => SCHEMA.replace("\"postgresql\"", "\"sqlite\""),
        DatabaseKind::Mysql => panic!("the kill tests of cleanup run on PostgreSQL and SQLite"),
    }
}

/// PostgreSQL, killed or its session terminated; 4 trials by default.
#[test]
fn an_apply_killed_or_cut_off_anywhere_is_finished_by_the_next_run_and_restores_row_for_row() {
    faults_anywhere(DatabaseKind::Postgres, 0xc1ea_5eed, true, 4);
}

/// An SQLite file, killed; 4 trials by default.
#[test]
fn an_sqlite_apply_killed_anywhere_is_finished_by_the_next_run_and_restores_row_for_row() {
    faults_anywhere(DatabaseKind::Sqlite, 0x5a1e_c1ea, false, 4);
}

/// The states a run stopped at two points of its bookkeeping leaves, made by hand (the windows
/// are too short to hit on purpose): the archive recorded but its file not created yet (by an
/// earlier drydock, which kept its progress table in the managed schema), and the archive named
/// but its manifest not written. The next plain run finishes each; the earlier table is moved
/// into the schema `_drydock`.
#[test]
fn a_run_stopped_before_creating_or_while_naming_its_archive_is_finished_by_the_next_run() {
    let apply = ["cleanup", "--apply", "--json", "--batch-size", "5000"];
    for stopped in ["before creating the archive", "while naming the archive"] {
        let (db, before, project) = filled(DatabaseKind::Postgres);
        let mut client = db.postgres_client();
        let dir = project.path();
        let archives = dir.join("backups/cleanup");
        if stopped == "before creating the archive" {
            client
                .batch_execute(
                    "CREATE TABLE _drydock_cleanups (archive VARCHAR(200) PRIMARY KEY, \
                     started_at VARCHAR(40) NOT NULL, batches BIGINT NOT NULL, rows_done \
                     BIGINT NOT NULL, archive_bytes BIGINT NOT NULL, finished_at VARCHAR(40)); \
                     INSERT INTO _drydock_cleanups VALUES \
                     ('20261206T000000_cleanup_postgresql_0dead0ff', \
                     '2026-12-06T00:00:00+00:00', 0, 0, 0, NULL)",
                )
                .expect("a recorded archive without its file");
        } else {
            let done = run(dir, &db, &apply);
            let done: serde_json::Value = serde_json::from_slice(&done.stdout).expect("json");
            let manifest = done["archive"]["manifest"].as_str().expect("manifest");
            std::fs::remove_file(dir.join(manifest)).expect("remove the manifest");
            client
                .batch_execute("UPDATE _drydock._drydock_cleanups SET finished_at = NULL")
                .expect("unfinished");
        }
        let next = drydock(dir, &db, &apply).output().expect("run drydock");
        assert!(
            next.status.success(),
            "stopped {stopped}: {}",
            String::from_utf8_lossy(&next.stderr)
        );
        let places: Vec<String> = client
            .query(
                "SELECT table_schema FROM information_schema.tables \
                 WHERE table_name = '_drydock_cleanups'",
                &[],
            )
            .expect("the progress tables")
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(places, ["_drydock"], "stopped {stopped}");
        let restored = recovered(&db, &archives, &before)
            .unwrap_or_else(|problem| panic!("stopped {stopped}: {problem}"));
        assert_eq!(restored.len(), 1, "stopped {stopped}: {restored:?}");
        run(
            dir,
            &db,
            &["cleanup", "restore", &restored[0].to_string_lossy()],
        );
        assert_eq!(fingerprint(&db), before, "stopped {stopped}");
    }
}

/// `cleanup --apply` keeps its progress in the schema `_drydock`, where Prisma never looks:
/// afterwards the database still matches the schema (`migrate diff --from-url --to-schema`
/// finds nothing) and the managed schema holds no table of drydock's.
#[test]
fn an_apply_leaves_no_drift_and_its_progress_in_the_drydock_schema() {
    let (db, _, project) = filled(DatabaseKind::Postgres);
    let dir = project.path();
    let applied = run(dir, &db, &["cleanup", "--apply", "--json"]);
    let applied: serde_json::Value = serde_json::from_slice(&applied.stdout).expect("json");
    assert_eq!(applied["affected"], ORPHANS + GRANDCHILDREN + UNLINKED);

    let diff = drydock_test_support::crash::drydock(
        env!("CARGO_BIN_EXE_drydock"),
        dir,
        &[
            "migrate",
            "diff",
            "--from-url",
            db.url(),
            "--to-schema",
            "prisma/schema.prisma",
            "--exit-code",
        ],
    )
    .output()
    .expect("run drydock");
    assert_eq!(
        diff.status.code(),
        Some(0),
        "no difference: {}{}",
        String::from_utf8_lossy(&diff.stdout),
        String::from_utf8_lossy(&diff.stderr)
    );

    let mut client = db.postgres_client();
    let tables: Vec<(String, String)> = client
        .query(
            "SELECT table_schema, table_name FROM information_schema.tables \
             WHERE table_name LIKE '\\_drydock%' ORDER BY 1, 2",
            &[],
        )
        .expect("drydock's tables")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert!(
        tables.contains(&("_drydock".to_owned(), "_drydock_cleanups".to_owned())),
        "{tables:?}"
    );
    assert!(
        tables.iter().all(|(schema, _)| schema == "_drydock"),
        "{tables:?}"
    );
    let (rows, unfinished) = bookkeeping(&db);
    assert_eq!((rows, unfinished), (ORPHANS + GRANDCHILDREN + UNLINKED, 0));
}
