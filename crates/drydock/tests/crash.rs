//! Crash injection: the real binary's `migrate deploy` is killed (`SIGKILL`) or has its sessions
//! terminated (`pg_terminate_backend`) at a pseudo-random point (fixed seed, bounded delay);
//! right after, each transactional migration is there and recorded or neither, then a plain
//! `migrate deploy` must finish the job: every migration applied exactly once, the schema and
//! data of a clean deploy (a batched backfill's rows each updated exactly once), no invalid
//! index. `DRYDOCK_CRASH_TRIALS` sets the number of trials (20 by default; each uses its own
//! database).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use drydock_test_support::crash::{
    Fault, POSTGRES_SCHEMA, SHAPE_ROWS, Seeded, StoppableServer, backfilled_once, finish,
    record_failure, same_as_clean, trial_count,
};
use drydock_test_support::{TestDb, postgres_server_client, wait_for};

/// Transactional migrations, migrations with `CREATE INDEX CONCURRENTLY` and a batched backfill
/// (many batches, so faults land inside them), over a table big enough that each takes a moment.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20240101000000_init",
        "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT, \"n\" INTEGER);\n\
         INSERT INTO \"item\" SELECT g, md5(g::text), g % 97 FROM generate_series(1, 200000) g;\n",
    ),
    (
        "20240102000000_tags",
        "CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY, \"label\" TEXT);\n\
         INSERT INTO \"tag\" SELECT g, md5((g * 7)::text) FROM generate_series(1, 100000) g;\n\
         ALTER TABLE \"item\" ADD COLUMN \"tag_id\" INTEGER;\n",
    ),
    (
        "20240103000000_item_indexes",
        "CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");\n\
         CREATE INDEX CONCURRENTLY \"item_n_code_idx\" ON \"item\" (\"n\", \"code\");\n",
    ),
    (
        "20240104000000_audit",
        "CREATE TABLE \"audit\" (\"id\" INTEGER PRIMARY KEY, \"item_id\" INTEGER);\n\
         INSERT INTO \"audit\" SELECT g, g FROM generate_series(1, 100000) g;\n\
         UPDATE \"item\" SET \"tag_id\" = \"id\" % 1000 + 1;\n",
    ),
    (
        "20240105000000_tag_index",
        "CREATE UNIQUE INDEX CONCURRENTLY \"tag_label_key\" ON \"tag\" (\"label\");\n\
         CREATE INDEX CONCURRENTLY \"audit_item_idx\" ON \"audit\" (\"item_id\");\n",
    ),
    (
        // `n + 1000` shows a row the backfill missed (below 1000) or updated twice (2000 and
        // up); the index after it is a statement counted after the backfill's.
        BACKFILL_MIGRATION,
        "-- drydock:backfill key=\"id\" batch=4000\n\
         UPDATE \"item\" SET \"n\" = \"n\" + 1000;\n\
         CREATE INDEX CONCURRENTLY \"item_n_idx\" ON \"item\" (\"n\");\n",
    ),
];

/// The migration of [`MIGRATIONS`] with the backfill.
const BACKFILL_MIGRATION: &str = "20240106000000_backfill_n";

/// The rows of `item`, each updated once by the backfill.
const ITEMS: i64 = 200_000;

/// Columns and indexes, then (with [`SHAPE_ROWS`]) rows: what a deploy leaves, comparably.
const SHAPE: &str = "\
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type \
      FROM information_schema.columns WHERE table_schema = 'public' \
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
    UNION ALL ";

fn project() -> tempfile::TempDir {
    drydock_test_support::crash::project(POSTGRES_SCHEMA, MIGRATIONS)
}

fn deploy(project: &Path, url: &str) -> Command {
    drydock(project, url, &["migrate", "deploy", "--lint", "off"])
}

fn drydock(project: &Path, url: &str, args: &[&str]) -> Command {
    let mut command =
        drydock_test_support::crash::drydock(env!("CARGO_BIN_EXE_drydock"), project, args);
    command.env("DATABASE_URL", url);
    command
}

fn shape(db: &TestDb) -> Vec<String> {
    db.postgres_client()
        .query(&format!("{SHAPE}{SHAPE_ROWS}"), &[])
        .expect("schema shape")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// What is wrong with the database after the recovering deploy, if anything.
fn check(db: &TestDb, clean: &[String]) -> Result<(), String> {
    let mut client = db.postgres_client();
    let invalid: i64 = client
        .query_one("SELECT count(*) FROM pg_index WHERE NOT indisvalid", &[])
        .map_err(|e| e.to_string())?
        .get(0);
    if invalid > 0 {
        return Err(format!("{invalid} invalid index(es) remain"));
    }
    for (name, _) in MIGRATIONS {
        let applied: i64 = client
            .query_one(
                "SELECT count(*) FROM \"_prisma_migrations\" WHERE migration_name = $1 \
                 AND finished_at IS NOT NULL AND rolled_back_at IS NULL",
                &[name],
            )
            .map_err(|e| e.to_string())?
            .get(0);
        if applied != 1 {
            return Err(format!("{name} is applied {applied} time(s)"));
        }
    }
    let unfinished: i64 = client
        .query_one(
            "SELECT count(*) FROM \"_prisma_migrations\" \
             WHERE finished_at IS NULL AND rolled_back_at IS NULL",
            &[],
        )
        .map_err(|e| e.to_string())?
        .get(0);
    if unfinished > 0 {
        return Err(format!("{unfinished} unfinished history row(s) remain"));
    }
    backfilled_exactly_once(&mut client)?;
    same_as_clean(&shape(db), clean)
}

/// Whether the backfill updated every row of `item` exactly once, and its progress row, finished,
/// counts each row once (a batch and its progress row commit together, docs/backfill.md).
fn backfilled_exactly_once(client: &mut postgres::Client) -> Result<(), String> {
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE \"n\" < 1000), count(*) FILTER (WHERE \"n\" >= 2000) \
             FROM \"item\"",
            &[],
        )
        .map_err(|e| e.to_string())?;
    let progress: Vec<(i64, bool)> = client
        .query(
            "SELECT rows_done, finished_at IS NOT NULL FROM \"_drydock_backfills\" \
             WHERE migration_name = $1",
            &[&BACKFILL_MIGRATION],
        )
        .map_err(|e| e.to_string())?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    backfilled_once(row.get(0), row.get(1), &progress, ITEMS)
}

/// Whether a deploy was cut short inside the backfill: its progress row is there, unfinished
/// (an error: the table is not there).
fn backfill_unfinished(db: &TestDb) -> bool {
    db.postgres_client()
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM \"_drydock_backfills\" WHERE finished_at IS NULL)",
            &[],
        )
        .is_ok_and(|row| row.get(0))
}

#[test]
fn a_deploy_killed_or_cut_off_anywhere_is_finished_by_the_next_deploy() {
    let trials = trial_count(20);
    let project = project();

    let clean_db = TestDb::postgres();
    let started = Instant::now();
    let clean = deploy(project.path(), clean_db.url())
        .output()
        .expect("clean deploy");
    // The faults land anywhere within a clean deploy's duration (at least 200 ms).
    let span = started.elapsed().as_millis().max(200) as u64;
    assert!(clean.status.success(), "{clean:?}");
    let clean = shape(&clean_db);
    assert!(
        clean.iter().any(|l| l.contains("item_n_code_idx")),
        "{clean:?}"
    );
    backfilled_exactly_once(&mut clean_db.postgres_client()).expect("a clean backfill");

    let mut random = Seeded(0x5eed_d0c4);
    let (mut kills, mut terminations, mut cut_short, mut in_backfill) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for trial in 0..trials {
        let db = TestDb::postgres();
        let (first, delay, fault, _) =
            run_with_fault(deploy(project.path(), db.url()), &db, &mut random, span);
        if fault == Fault::Kill {
            kills += 1;
        } else {
            terminations += 1;
        }
        let was_cut_short = !first.status.success();
        let inside_backfill = backfill_unfinished(&db);
        cut_short += u32::from(was_cut_short);
        in_backfill += u32::from(inside_backfill);
        // Right after the fault, then after the recovering deploy.
        let outcome = transactional_all_or_nothing(&db).and_then(|()| {
            let again = deploy(project.path(), db.url())
                .output()
                .expect("recovering deploy");
            if again.status.success() {
                check(&db, &clean)
            } else {
                Err(format!(
                    "the recovering deploy failed: {}",
                    String::from_utf8_lossy(&again.stderr)
                ))
            }
        });
        if let Err(problem) = outcome {
            record_failure(
                &mut failures,
                format!(
                    "trial {trial} ({fault} after {} ms): {problem}\nfaulted deploy said: {}",
                    delay.as_millis(),
                    String::from_utf8_lossy(&first.stderr)
                ),
            );
        }
        // Each trial's line: a run cut short by an outer time bound keeps the figures.
        eprintln!(
            "deploy trial {trial} ({fault} after {} ms, cut short: {was_cut_short}, inside the \
             backfill: {inside_backfill}): {} failure(s) so far",
            delay.as_millis(),
            failures.len()
        );
    }
    eprintln!(
        "{trials} trial(s): {kills} SIGKILL, {terminations} pg_terminate_backend, {cut_short} \
         deploy(s) cut short ({in_backfill} between two batches of the backfill), {} failure(s)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A project with the `init` migration of [`MIGRATIONS`] and `second`.
fn two_step_project(second: &str) -> tempfile::TempDir {
    drydock_test_support::crash::project(
        POSTGRES_SCHEMA,
        &[MIGRATIONS[0], ("20240102000000_second", second)],
    )
}

/// The sessions on `db` other than `client`'s whose statement starts with `prefix` and waits
/// for a lock.
fn waiting_sessions(client: &mut postgres::Client, db: &TestDb, prefix: &str) -> Vec<i32> {
    client
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() \
             AND wait_event_type = 'Lock' AND ltrim(query) LIKE $2 || '%'",
            &[&db.name(), &prefix],
        )
        .expect("pg_stat_activity")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Whether a session other than `client`'s is connected to `db`.
fn others_connected(client: &mut postgres::Client, db: &TestDb) -> bool {
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db.name()],
        )
        .map(|row| row.get::<_, i64>(0) > 0)
        .unwrap_or(true)
}

/// Deploy `project`'s migrations while `blocker` (run in an open transaction of the test)
/// holds up the statement starting with `statement`; `kill -9` the deploy while it waits, end
/// the blocking transaction, wait for the orphaned server session to end, and deploy again.
fn kill_while_blocked(project: &Path, db: &TestDb, blocker: &str, statement: &str) -> String {
    // Activity is read from another session: inside a transaction it would not change.
    let mut client = db.postgres_client();
    let mut blocking = db.postgres_client();
    blocking
        .batch_execute(&format!("BEGIN; {blocker}"))
        .expect("blocking transaction");
    let mut child = deploy(project, db.url()).spawn().expect("spawn");
    let blocked = wait_for(|| !waiting_sessions(&mut client, db, statement).is_empty());
    let _ = child.kill();
    let first = child.wait_with_output().expect("killed deploy");
    assert!(
        blocked,
        "the deploy never waited on `{statement}`: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    blocking.batch_execute("COMMIT").expect("end the blocker");
    drop(blocking);
    assert!(
        wait_for(|| !others_connected(&mut client, db)),
        "the orphaned session did not end"
    );
    let again = deploy(project, db.url()).output().expect("deploy again");
    assert!(
        again.status.success(),
        "the deploy after the kill failed: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    String::from_utf8_lossy(&again.stderr).into_owned()
}

#[test]
fn a_deploy_killed_during_an_alter_or_update_outside_a_transaction_is_resumed_exactly() {
    // Outside a transaction because of the concurrent build; the ALTER and the UPDATE commit
    // on their own.
    let alter = "ALTER TABLE \"item\" ADD COLUMN \"flag\" INTEGER NOT NULL DEFAULT 0;\n";
    let build = "CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");\n";
    let update = "UPDATE \"item\" SET \"n\" = \"n\" + 1000;\n";
    let only_init = two_step_project("");
    std::fs::remove_dir_all(
        only_init
            .path()
            .join("prisma/migrations/20240102000000_second"),
    )
    .expect("keep only init");
    let expected: i64 = 200_000 * 1000 + (1..=200_000).map(|g: i64| g % 97).sum::<i64>();
    // The test's transaction holds up the first statement: its table lock the ALTER, its row
    // lock the UPDATE.
    for (second, blocker, statement) in [
        (
            format!("{alter}{build}{update}"),
            "LOCK TABLE \"item\" IN ACCESS SHARE MODE",
            "ALTER",
        ),
        (
            format!("{update}{build}{alter}"),
            "SELECT 1 FROM \"item\" WHERE \"id\" = 7 FOR UPDATE",
            "UPDATE",
        ),
    ] {
        let project = two_step_project(&second);
        let db = TestDb::postgres();
        let init = deploy(only_init.path(), db.url()).output().expect("init");
        assert!(init.status.success(), "{init:?}");
        kill_while_blocked(project.path(), &db, blocker, statement);
        let mut client = db.postgres_client();
        let sum: i64 = client
            .query_one("SELECT sum(\"n\")::bigint FROM \"item\"", &[])
            .expect("sum")
            .get(0);
        assert_eq!(
            sum, expected,
            "killed during {statement}: the UPDATE ran twice"
        );
        let done: i64 = client
            .query_one(
                "SELECT count(*) FROM \"_prisma_migrations\" WHERE finished_at IS NOT NULL \
                 AND rolled_back_at IS NULL",
                &[],
            )
            .expect("history")
            .get(0);
        assert_eq!(done, 2, "killed during {statement}");
    }
}

/// The sessions on `db` other than `client`'s that run a statement starting with `prefix`.
fn running_sessions(client: &mut postgres::Client, db: &TestDb, prefix: &str) -> Vec<i32> {
    client
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() \
             AND state = 'active' AND ltrim(query) LIKE $2 || '%'",
            &[&db.name(), &prefix],
        )
        .expect("pg_stat_activity")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn a_deploy_names_the_orphaned_session_of_a_killed_deploy_that_holds_the_lock_and_finishes() {
    let second = "CREATE INDEX CONCURRENTLY \"slow_gated_idx\" ON \"slow\" (gated(\"id\"));\n";
    let project = two_step_project(second);
    let only_init = two_step_project(second);
    std::fs::remove_dir_all(
        only_init
            .path()
            .join("prisma/migrations/20240102000000_second"),
    )
    .expect("keep only init");
    let db = TestDb::postgres();
    let init = deploy(only_init.path(), db.url()).output().expect("init");
    assert!(init.status.success(), "{init:?}");
    // An index whose expression waits (2 minutes at most) until the test opens the gate: the
    // build stays busy, not waiting for a lock, as a long build on a big table does.
    let mut client = db.postgres_client();
    client
        .batch_execute(
            "CREATE SEQUENCE gate; \
             CREATE TABLE slow (id INTEGER); INSERT INTO slow SELECT generate_series(1, 10); \
             CREATE FUNCTION gated(i INTEGER) RETURNS INTEGER IMMUTABLE LANGUAGE plpgsql AS $$ \
             DECLARE waited INTEGER := 0; BEGIN \
               WHILE (SELECT last_value FROM gate) < 2 AND waited < 2400 LOOP \
                 PERFORM pg_sleep(0.05); waited := waited + 1; \
               END LOOP; RETURN i; END $$;",
        )
        .expect("the gate");

    // drydock is killed during the build; its server session goes on building, holding the
    // migration lock.
    let mut child = deploy(project.path(), db.url()).spawn().expect("spawn");
    let mut orphan = Vec::new();
    let building = wait_for(|| {
        orphan = running_sessions(&mut client, &db, "CREATE INDEX");
        !orphan.is_empty()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(building, "the build never started");

    // The next deploy ends the orphaned session (drydock's own, its process gone) instead of
    // timing out; once it is gone the gate opens and the build runs again.
    let next = deploy(project.path(), db.url()).spawn().expect("spawn");
    let ended =
        wait_for(|| !running_sessions(&mut client, &db, "CREATE INDEX").contains(&orphan[0]));
    client
        .batch_execute("SELECT setval('gate', 2)")
        .expect("open the gate");
    let output = next.wait_with_output().expect("next deploy");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        ended && output.status.success(),
        "the next deploy did not get past the orphaned session: {stderr}"
    );
    assert!(
        stderr.contains(&format!("pid {}", orphan[0]))
            && stderr.contains("orphaned")
            && stderr.contains("CREATE INDEX CONCURRENTLY"),
        "the next deploy did not say what held the lock: {stderr}"
    );
    let invalid: i64 = client
        .query_one("SELECT count(*) FROM pg_index WHERE NOT indisvalid", &[])
        .expect("invalid indexes")
        .get(0);
    assert_eq!(invalid, 0);
}

/// Run `command` and, after a pseudo-random delay below `span` ms, inject a pseudo-random
/// fault; returns what the command printed, the delay, the fault and the command's pid.
fn run_with_fault(
    mut command: Command,
    db: &TestDb,
    random: &mut Seeded,
    span: u64,
) -> (std::process::Output, Duration, Fault, u32) {
    let (delay, fault) = Fault::pick(random, span, true);
    let mut child = command.spawn().expect("spawn the command to fault");
    let pid = child.id();
    std::thread::sleep(delay);
    fault.inject(&mut child, &db.name());
    let output = child.wait_with_output().expect("the faulted command");
    (output, delay, fault, pid)
}

/// Down migrations for the first three of [`MIGRATIONS`]: transactional ones and one that
/// drops its indexes concurrently, outside a transaction.
const DOWNS: &[(&str, &str)] = &[
    ("20240101000000_init", "DROP TABLE \"item\";\n"),
    (
        "20240102000000_tags",
        "ALTER TABLE \"item\" DROP COLUMN \"tag_id\";\nDROP TABLE \"tag\";\n",
    ),
    (
        "20240103000000_item_indexes",
        "DROP INDEX CONCURRENTLY \"item_n_code_idx\";\nDROP INDEX CONCURRENTLY \"item_code_idx\";\n",
    ),
];

/// What the history says is applied, and whether the schema has each of the three
/// migrations' objects: they must agree.
fn history_matches_schema(db: &TestDb) -> Result<(), String> {
    let mut client = db.postgres_client();
    let applied = |client: &mut postgres::Client, name: &str| -> Result<bool, String> {
        client
            .query_one(
                "SELECT count(*) FROM \"_prisma_migrations\" WHERE migration_name = $1 \
                 AND finished_at IS NOT NULL AND rolled_back_at IS NULL \
                 AND coalesce(logs, '') NOT LIKE 'down.sql cut short:%'",
                &[&name],
            )
            .map(|row| row.get::<_, i64>(0) > 0)
            .map_err(|e| e.to_string())
    };
    let exists = |client: &mut postgres::Client, sql: &str| -> Result<bool, String> {
        client
            .query_one(sql, &[])
            .map(|row| row.get::<_, i64>(0) > 0)
            .map_err(|e| e.to_string())
    };
    let checks = [
        (
            DOWNS[1].0,
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tag_id'",
        ),
        (
            DOWNS[2].0,
            "SELECT count(*) FROM pg_indexes WHERE indexname IN ('item_code_idx', 'item_n_code_idx')",
        ),
    ];
    for (name, sql) in checks {
        let in_history = applied(&mut client, name)?;
        let in_schema = exists(&mut client, sql)?;
        // A down cut short is recorded as such: its migration is partly there.
        let cut_short: bool = client
            .query_one(
                "SELECT count(*) > 0 FROM \"_prisma_migrations\" WHERE migration_name = $1 \
                 AND logs LIKE 'down.sql cut short:%' AND rolled_back_at IS NULL",
                &[&name],
            )
            .map_err(|e| e.to_string())?
            .get(0);
        if !cut_short && in_history != in_schema {
            return Err(format!(
                "{name}: the history says applied={in_history}, the schema has its objects={in_schema}"
            ));
        }
    }
    Ok(())
}

#[test]
fn a_down_killed_or_cut_off_anywhere_leaves_history_and_schema_agreeing_and_is_recovered() {
    let trials = trial_count(6);
    let project = project();
    for (name, sql) in DOWNS {
        std::fs::write(
            project
                .path()
                .join("prisma/migrations")
                .join(name)
                .join("down.sql"),
            sql,
        )
        .expect("down.sql");
    }
    // Only the first three migrations: down rolls back the last two.
    for (name, _) in &MIGRATIONS[3..] {
        std::fs::remove_dir_all(project.path().join("prisma/migrations").join(name))
            .expect("fewer migrations");
    }
    let down_args = ["migrate", "down", "--steps", "2", "--accept-data-loss"];

    let probe = TestDb::postgres();
    assert!(
        deploy(project.path(), probe.url())
            .output()
            .expect("deploy")
            .status
            .success()
    );
    let started = Instant::now();
    let clean = drydock(project.path(), probe.url(), &down_args)
        .output()
        .expect("clean down");
    assert!(clean.status.success(), "{clean:?}");
    let span = started.elapsed().as_millis().max(100) as u64;

    let mut random = Seeded(0xd00d_5eed);
    let (mut cut_short, mut failures) = (0, Vec::new());
    for trial in 0..trials {
        let db = TestDb::postgres();
        assert!(
            deploy(project.path(), db.url())
                .output()
                .expect("deploy")
                .status
                .success()
        );
        let (first, delay, fault_name, _) = run_with_fault(
            drydock(project.path(), db.url(), &down_args),
            &db,
            &mut random,
            span,
        );
        if !first.status.success() {
            cut_short += 1;
        }
        // Right after the fault, and after the recovering command: alternately a plain deploy
        // (which must refuse a down cut short with D3018) and a plain down.
        let mut outcome = history_matches_schema(&db);
        if outcome.is_ok() {
            let recover_with_down = trial % 2 == 1;
            let mut again = if recover_with_down {
                drydock(
                    project.path(),
                    db.url(),
                    &["migrate", "down", "--steps", "1", "--accept-data-loss"],
                )
                .output()
                .expect("down again")
            } else {
                deploy(project.path(), db.url())
                    .output()
                    .expect("deploy again")
            };
            let stderr = String::from_utf8_lossy(&again.stderr).into_owned();
            if !recover_with_down && !again.status.success() && stderr.contains("D3018") {
                // Finish the rollback as the message says, then deploy.
                let down = drydock(
                    project.path(),
                    db.url(),
                    &["migrate", "down", "--steps", "1", "--accept-data-loss"],
                )
                .output()
                .expect("down as told");
                again = if down.status.success() {
                    deploy(project.path(), db.url()).output().expect("deploy")
                } else {
                    down
                };
            }
            outcome = if again.status.success() {
                history_matches_schema(&db)
            } else {
                Err(format!(
                    "the recovering command failed: {}",
                    String::from_utf8_lossy(&again.stderr)
                ))
            };
            if outcome.is_ok() {
                // Whatever state it is in now, a deploy brings back every migration.
                let last = deploy(project.path(), db.url())
                    .output()
                    .expect("final deploy");
                if !last.status.success() {
                    outcome = Err(format!(
                        "the final deploy failed: {}",
                        String::from_utf8_lossy(&last.stderr)
                    ));
                }
            }
        }
        if let Err(problem) = outcome {
            record_failure(
                &mut failures,
                format!(
                    "trial {trial} ({fault_name} after {} ms): {problem}\nfaulted down said: {}",
                    delay.as_millis(),
                    String::from_utf8_lossy(&first.stderr)
                ),
            );
        }
        eprintln!("down trial {trial}: {} failure(s) so far", failures.len());
    }
    eprintln!(
        "migrate down: {trials} trial(s), {cut_short} cut short, {} failure(s)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const DEV_SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
model Item {\n  id   Int    @id\n  code String\n  n    Int\n  tag  Tag?   @relation(fields: [tagId], references: [id])\n  tagId Int?\n\n  @@index([code])\n}\n\n\
model Tag {\n  id    Int    @id\n  label String @unique\n  items Item[]\n}\n";

/// The migration folders of a project (not what a run left while writing one) and, for each,
/// its `migration.sql` when it has one.
fn migration_folders(project: &Path) -> Vec<(String, Option<String>)> {
    let mut folders: Vec<(String, Option<String>)> =
        std::fs::read_dir(project.join("prisma/migrations"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .map(|entry| {
                (
                    entry.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(entry.path().join("migration.sql")).ok(),
                )
            })
            .filter(|(name, _)| !name.starts_with('.'))
            .collect();
    folders.sort();
    folders
}

fn dev_project() -> tempfile::TempDir {
    drydock_test_support::crash::project(DEV_SCHEMA, &[])
}

#[test]
fn a_migrate_dev_killed_or_cut_off_anywhere_leaves_no_half_migration_and_is_recovered() {
    let trials = trial_count(6);
    let dev_args = ["migrate", "dev", "--name", "init", "--skip-seed"];
    let probe_project = dev_project();
    let probe = TestDb::postgres();
    let started = Instant::now();
    let clean = drydock(probe_project.path(), probe.url(), &dev_args)
        .output()
        .expect("clean dev");
    assert!(clean.status.success(), "{clean:?}");
    let span = started.elapsed().as_millis().max(100) as u64;
    let clean_folders = migration_folders(probe_project.path());
    assert_eq!(clean_folders.len(), 1, "{clean_folders:?}");
    let clean_sql = clean_folders[0].1.clone().expect("migration.sql");

    let mut random = Seeded(0x00de_5eed);
    let (mut cut_short, mut failures) = (0, Vec::new());
    for trial in 0..trials {
        let project = dev_project();
        let db = TestDb::postgres();
        let (first, delay, fault_name, pid) = run_with_fault(
            drydock(project.path(), db.url(), &dev_args),
            &db,
            &mut random,
            span,
        );
        if !first.status.success() {
            cut_short += 1;
        }
        let check = || -> Result<(), String> {
            // Whatever folder the fault left is complete.
            for (name, sql) in migration_folders(project.path()) {
                if sql.as_deref() != Some(clean_sql.as_str()) {
                    return Err(format!(
                        "the folder {name} holds a half-written migration: {sql:?}"
                    ));
                }
            }
            // A deploy of the folder works on a new database.
            let other = TestDb::postgres();
            let deployed = deploy(project.path(), other.url())
                .output()
                .expect("deploy");
            if !deployed.status.success() {
                return Err(format!(
                    "deploy of what the fault left failed: {}",
                    String::from_utf8_lossy(&deployed.stderr)
                ));
            }
            // Running `migrate dev` again finishes the job: one migration, applied once.
            let again = drydock(project.path(), db.url(), &dev_args)
                .output()
                .expect("dev again");
            if !again.status.success() {
                return Err(format!(
                    "the recovering dev failed: {}",
                    String::from_utf8_lossy(&again.stderr)
                ));
            }
            let folders = migration_folders(project.path());
            if folders.len() != 1 {
                return Err(format!(
                    "{} migration folders after the recovery",
                    folders.len()
                ));
            }
            let mut client = db.postgres_client();
            let rows: i64 = client
                .query_one(
                    "SELECT count(*) FROM \"_prisma_migrations\" WHERE finished_at IS NOT NULL \
                     AND rolled_back_at IS NULL",
                    &[],
                )
                .map_err(|e| e.to_string())?
                .get(0);
            let tables: i64 = client
                .query_one(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' \
                     AND table_name IN ('Item', 'Tag')",
                    &[],
                )
                .map_err(|e| e.to_string())?
                .get(0);
            if rows != 1 || tables != 2 {
                return Err(format!(
                    "{rows} applied history row(s), {tables} of 2 tables"
                ));
            }
            // The shadow database of the faulted run went with it or with the recovering one.
            let owner = format!("drydock pid {pid} ");
            let left: Vec<_> = drydock_postgres::owner::abandoned(
                &mut postgres_server_client(),
                drydock_postgres::SHADOW_DATABASE_PREFIX,
            )
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|left| left.left_by.starts_with(&owner))
            .collect();
            if !left.is_empty() {
                return Err(format!("shadow databases left behind: {left:?}"));
            }
            Ok(())
        };
        if let Err(problem) = check() {
            record_failure(
                &mut failures,
                format!(
                    "trial {trial} ({fault_name} after {} ms): {problem}\nfaulted dev said: {}",
                    delay.as_millis(),
                    String::from_utf8_lossy(&first.stderr)
                ),
            );
        }
        eprintln!("dev trial {trial}: {} failure(s) so far", failures.len());
    }
    eprintln!(
        "migrate dev: {trials} trial(s), {cut_short} cut short, {} failure(s)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The transactional migrations of [`MIGRATIONS`] and the table each creates: the history
/// counts one finished exactly when its table is there.
const TRANSACTIONAL: &[(&str, &str)] = &[
    ("20240101000000_init", "item"),
    ("20240102000000_tags", "tag"),
    ("20240104000000_audit", "audit"),
];

/// Whether each transactional migration is all there and counted, or not there at all.
fn transactional_all_or_nothing(db: &TestDb) -> Result<(), String> {
    let mut client = db.postgres_client();
    let history: bool = client
        .query_one(
            "SELECT to_regclass('\"_prisma_migrations\"') IS NOT NULL",
            &[],
        )
        .map_err(|e| e.to_string())?
        .get(0);
    for (name, table) in TRANSACTIONAL {
        let finished: bool = history
            && client
                .query_one(
                    "SELECT count(*) > 0 FROM \"_prisma_migrations\" WHERE migration_name = $1 \
                     AND finished_at IS NOT NULL AND rolled_back_at IS NULL",
                    &[name],
                )
                .map_err(|e| e.to_string())?
                .get::<_, bool>(0);
        let exists: bool = client
            .query_one(
                "SELECT to_regclass($1) IS NOT NULL",
                &[&format!("\"{table}\"")],
            )
            .map_err(|e| e.to_string())?
            .get(0);
        if finished != exists {
            return Err(format!(
                "{name}: the history says finished={finished}, its table {table} exists={exists}"
            ));
        }
    }
    Ok(())
}

/// The PostgreSQL server stopped under a running `migrate deploy` at a pseudo-random point
/// (`pg_ctl stop -m immediate`: a crash, recovered from the WAL at the next start; `-m fast`:
/// sessions ended, a clean shutdown), then started again: the deploy ends, saying the server
/// went away; after the restart each transactional migration is all there and counted or not
/// there at all; the next plain deploy finishes the job as [`check`] requires. On the server
/// `scripts/with-databases.sh` starts for this ([`StoppableServer`], one test at a time);
/// `DRYDOCK_CRASH_TRIALS` trials (4 by default).
#[test]
fn a_deploy_whose_server_stops_anywhere_is_finished_by_the_next_deploy_after_the_restart() {
    let server = StoppableServer::take();
    let trials = trial_count(4);
    let project = project();
    let clean_db = server.database();
    let started = Instant::now();
    let clean = deploy(project.path(), clean_db.url())
        .output()
        .expect("clean deploy");
    let span = started.elapsed().as_millis().max(200) as u64;
    assert!(clean.status.success(), "{clean:?}");
    let clean = shape(&clean_db);
    drop(clean_db);

    let mut random = Seeded(0x5709_5eed);
    let (mut crashes, mut cut_short, mut failures) = (0, 0, Vec::new());
    for trial in 0..trials {
        let db = server.database();
        let delay = Duration::from_millis(random.draw() % span);
        let mode = if (random.draw() >> 32) & 1 == 0 {
            crashes += 1;
            "immediate"
        } else {
            "fast"
        };
        let child = deploy(project.path(), db.url()).spawn().expect("spawn");
        std::thread::sleep(delay);
        server.stop(mode);
        let (first, exited) = finish(child);
        server.start();
        let said = String::from_utf8_lossy(&first.stderr).into_owned();
        let mut problems = Vec::new();
        if !exited {
            problems.push("the deploy was still running 60 s after the server stopped".to_owned());
        } else if !first.status.success() {
            cut_short += 1;
            if !said_the_server_went_away(&said) {
                problems.push("the deploy did not say the server went away".to_owned());
            }
        }
        if let Err(problem) = transactional_all_or_nothing(&db) {
            problems.push(problem);
        }
        let again = deploy(project.path(), db.url())
            .output()
            .expect("recovering deploy");
        if !again.status.success() {
            problems.push(format!(
                "the recovering deploy failed: {}",
                String::from_utf8_lossy(&again.stderr)
            ));
        } else if let Err(problem) = check(&db, &clean) {
            problems.push(problem);
        }
        if !problems.is_empty() {
            let failure = format!(
                "trial {trial} (stop -m {mode} after {} ms): {}\nthe deploy said: {said}",
                delay.as_millis(),
                problems.join("; ")
            );
            record_failure(&mut failures, failure);
        }
        eprintln!(
            "server stop trial {trial}: {} failure(s) so far",
            failures.len()
        );
    }
    eprintln!(
        "server stopped under migrate deploy: {trials} trial(s), {crashes} -m immediate, {cut_short} \
         deploy(s) cut short, {} failure(s)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Whether a deploy's error output says the server went away (`P1017` mid-migration, `P1001`
/// when it cannot connect), and does not panic.
fn said_the_server_went_away(stderr: &str) -> bool {
    !stderr.contains("panicked") && (stderr.contains("[P1017]") || stderr.contains("[P1001]"))
}
