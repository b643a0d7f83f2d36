//! `drydock cleanup --apply` killed with `SIGKILL` in the middle of its batches, then run
//! again: the rerun continues the same archive, nothing is deleted twice, every deleted row is
//! archived exactly once, and `drydock cleanup restore` brings the tables back row for row.

use std::path::Path;
use std::process::{Command, Output};

use drydock_test_support::TestDb;
use drydock_test_support::crash::wait_until;

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
  @@index([authorId])
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

/// Each table's rows in key order, hashed, and counted.
fn fingerprint(client: &mut postgres::Client) -> Vec<(String, i64)> {
    ["User", "Post", "Comment"]
        .iter()
        .map(|table| {
            let row = client
                .query_one(
                    &format!(
                        "SELECT coalesce(md5(string_agg(row_to_json(t)::text, E'\\n' ORDER BY \
                         t.id)), ''), count(*) FROM \"{table}\" t"
                    ),
                    &[],
                )
                .expect("fingerprint");
            (row.get(0), row.get(1))
        })
        .collect()
}

fn committed_batches(client: &mut postgres::Client) -> i64 {
    client
        .query_opt(
            "SELECT batches FROM _drydock_cleanups WHERE finished_at IS NULL",
            &[],
        )
        .ok()
        .flatten()
        .map_or(0, |row| row.get(0))
}

#[test]
fn an_apply_killed_mid_run_resumes_without_deleting_anything_twice() {
    let db = TestDb::postgres();
    let mut client = db.postgres_client();
    client
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
             INSERT INTO \"Comment\" SELECT 500 + g, 1000 + g FROM generate_series(1, {GRANDCHILDREN}) g;"
        ))
        .expect("fill");
    let before = fingerprint(&mut client);
    let project = drydock_test_support::crash::project(SCHEMA, &[]);
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
        wait_until(|| committed_batches(&mut client) >= 10),
        "no batch committed in time"
    );
    child.kill().expect("SIGKILL");
    let killed = child.wait_with_output().expect("wait");
    assert!(!killed.status.success());
    let batches = committed_batches(&mut client);
    let (rows_done, archive_bytes): (i64, i64) = client
        .query_one(
            "SELECT rows_done, archive_bytes FROM _drydock_cleanups WHERE finished_at IS NULL",
            &[],
        )
        .map(|row| (row.get(0), row.get(1)))
        .expect("progress row");
    assert!(batches >= 10 && archive_bytes > 0);
    let gone = before[1].1 - fingerprint(&mut client)[1].1;
    assert_eq!(
        gone, rows_done,
        "the progress row counts exactly the rows deleted"
    );
    assert!(gone < ORPHANS, "killed before the end");

    let resumed = run(
        dir,
        &db,
        &["cleanup", "--apply", "--json", "--batch-size", "500"],
    );
    let resumed: serde_json::Value = serde_json::from_slice(&resumed.stdout).expect("json");
    assert!(resumed["resumed"].is_string(), "{resumed}");
    assert_eq!(resumed["affected"], ORPHANS + GRANDCHILDREN);
    let after = fingerprint(&mut client);
    assert_eq!(after[1].1, 1000);
    assert_eq!(after[2].1, 500);
    let archive = resumed["archive"]["file"]
        .as_str()
        .expect("archive")
        .to_owned();
    let archive = dir.join(archive);

    let mut ids = Vec::new();
    drydock_maintenance::read_archive(&archive, &mut |batch| {
        for row in &batch.rows {
            let row: serde_json::Value = serde_json::from_str(row).expect("row");
            ids.push((
                batch.header.table.name.clone(),
                row["id"].as_i64().expect("id"),
            ));
        }
        Ok(())
    })
    .expect("archive reads back");
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "no row archived twice");
    assert_eq!(count as i64, ORPHANS + GRANDCHILDREN);

    let again = run(dir, &db, &["cleanup", "--json"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(again["examined"], 0);
    assert_eq!(again["findings"], serde_json::json!([]));

    run(
        dir,
        &db,
        &["cleanup", "restore", archive.to_str().expect("path")],
    );
    assert_eq!(fingerprint(&mut client), before, "restored row for row");

    let runs = run(dir, &db, &["runs", "--task", "cleanup", "--json"]);
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).expect("json");
    let finished = runs["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["task"] == "cleanup" && r["status"] == "succeeded" && r["affected"] != 0)
        .unwrap_or_else(|| panic!("no finished cleanup run in {runs}"));
    // The rerun counted the posts left and the comments the first run's deletions orphaned.
    assert_eq!(
        finished["examined"],
        ORPHANS - gone + gone.min(GRANDCHILDREN)
    );
    assert_eq!(finished["affected"], ORPHANS + GRANDCHILDREN);
}
