//! `kill -9` of the real binary during `backup create`, at a few points of a dump that takes a
//! moment: no file is left under a backup's name unless it is a complete backup, no dump tool
//! outlives drydock, and the leftovers are listed as such and removed by `prune`.

use std::path::Path;
use std::process::{Child, Command, Output};
use std::time::Instant;

use drydock_test_support::crash::{Fault, Seeded, record_failure, runs_command, trial_count};
use drydock_test_support::{TestDb, wait_for};

fn drydock(dir: &Path, args: &[&str]) -> Command {
    let mut command =
        drydock_test_support::crash::drydock(env!("CARGO_BIN_EXE_drydock"), dir, args);
    command.arg("--dir").arg(dir.join("backups"));
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let output = drydock(dir, args).output().expect("run drydock");
    assert!(
        output.status.success(),
        "drydock {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Four tables of about 35 MB each: the dump takes a moment, with work for two jobs.
fn fill_big(db: &TestDb) {
    let mut client = db.postgres_client();
    for t in 0..4 {
        client
            .batch_execute(&format!(
                "CREATE TABLE big{t} AS SELECT g AS id, \
                 md5(g::text) || repeat(md5((g + {t})::text), 6) AS pad \
                 FROM generate_series(1, 150000) g"
            ))
            .expect("fill");
    }
}

/// A process as `/proc/<pid>/stat` describes it.
struct Process {
    pid: u32,
    name: String,
    parent: u32,
    group: u32,
}

fn processes() -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (name) state ppid pgrp ...`; the name may hold spaces and parentheses.
            let (head, rest) = stat.rsplit_once(')')?;
            let name = head.split_once('(')?.1.to_owned();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            Some(Process {
                pid,
                name,
                parent: fields.get(1)?.parse().ok()?,
                group: fields.get(2)?.parse().ok()?,
            })
        })
        .collect()
}

/// Bytes of the files in `path` and below.
fn size(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| size(&entry.path()))
            .sum(),
        Ok(metadata) => metadata.len(),
        Err(_) => 0,
    }
}

/// Whether an entry of the backups folder whose name starts with `prefix` (not the lock) holds
/// at least `bytes`.
fn grown(backups: &Path, prefix: &str, bytes: u64) -> bool {
    std::fs::read_dir(backups)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with(prefix) && name != ".drydock.lock" && size(&entry.path()) >= bytes
        })
}

/// The process groups of the tools `child` (drydock) runs. A tool caught between its fork and
/// the `setpgid` that gives it a group of its own is still in drydock's group, which is this
/// test's: that group is left out, or the test would wait for itself.
fn tool_groups(child: &Child) -> Vec<u32> {
    let all = processes();
    let own = all
        .iter()
        .find(|p| p.pid == std::process::id())
        .map(|p| p.group);
    all.iter()
        .filter(|p| p.parent == child.id() && Some(p.group) != own)
        .map(|p| p.group)
        .collect()
}

/// Start `backup create`, wait for `moment`, SIGKILL drydock, and wait for the tools it had
/// started to be gone.
fn kill_during_create(dir: &Path, url: &str, jobs: &str, moment: impl Fn(&Child) -> bool) {
    let mut child = drydock(dir, &["backup", "create", "--url", url, "--jobs", jobs])
        .spawn()
        .expect("spawn backup create");
    // The tools' groups are read at the moment itself: read later, a tool may have ended.
    let mut groups = Vec::new();
    let reached = wait_for(|| {
        if moment(&child) {
            groups = tool_groups(&child);
            if !groups.is_empty() {
                return true;
            }
        }
        child.try_wait().ok().flatten().is_some()
    });
    child.kill().expect("SIGKILL drydock");
    let output = child.wait_with_output().expect("drydock ends");
    assert!(
        reached && output.status.code().is_none(),
        "the dump ended before the kill: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!groups.is_empty(), "drydock had started no tool");
    // Each tool runs in a process group of its own, which dies with drydock: a worker of
    // `pg_dump --jobs` goes when its leader does.
    let gone = wait_for(|| !processes().iter().any(|p| groups.contains(&p.group)));
    let alive: Vec<String> = processes()
        .iter()
        .filter(|p| groups.contains(&p.group))
        .map(|p| format!("{} {}", p.pid, p.name))
        .collect();
    assert!(gone, "tools outlived drydock: {alive:?}");
}

/// After a kill: every file under a backup's name belongs to a listed backup that verifies,
/// the leftovers are listed as interrupted, and `prune --apply` removes them.
fn check_after_kill(dir: &Path) {
    let backups = dir.join("backups");
    let listed = run(dir, &["backup", "list", "--json"]);
    let manifests: Vec<serde_json::Value> =
        serde_json::from_slice(&listed.stdout).expect("list --json");
    let mut known: Vec<String> = Vec::new();
    for manifest in &manifests {
        let id = manifest["id"].as_str().expect("id").to_owned();
        run(dir, &["backup", "verify", &id, "--checksum-only"]);
        known.push(format!("{id}.manifest.json"));
        known.push(manifest["file"].as_str().expect("file").to_owned());
    }
    let names: Vec<String> = std::fs::read_dir(&backups)
        .expect("backups folder")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    for name in &names {
        assert!(
            name.starts_with('.') || known.contains(name),
            "`{name}` is under a backup's name but no complete backup: {names:?}"
        );
    }
    let leftovers: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with('.') && n.as_str() != ".drydock.lock")
        .collect();
    assert!(!leftovers.is_empty(), "the kill left nothing: {names:?}");

    let text = run(dir, &["backup", "list"]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    for leftover in &leftovers {
        assert!(
            stdout
                .lines()
                .any(|line| line.starts_with(leftover.as_str()) && line.contains("INTERRUPTED")),
            "`{leftover}` is not listed as interrupted:\n{stdout}"
        );
    }
    run(dir, &["backup", "prune", "--apply"]);
    let left: Vec<String> = std::fs::read_dir(&backups)
        .expect("backups folder")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".drydock.lock")
        .collect();
    assert!(left.is_empty(), "prune left {left:?}");
}

#[test]
fn a_backup_killed_at_any_point_leaves_no_partial_backup_and_no_dump_tool() {
    let db = TestDb::postgres();
    fill_big(&db);
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let backups = dir.join("backups");

    // As soon as pg_dump runs (not `pg_dump --version`: once the backup file is begun).
    kill_during_create(dir, db.url(), "1", |child| {
        grown(&backups, ".", 0)
            && processes()
                .iter()
                .any(|p| p.parent == child.id() && p.name == "pg_dump")
    });
    check_after_kill(dir);
    // Halfway through writing the backup file.
    kill_during_create(dir, db.url(), "1", |_| grown(&backups, ".", 8 << 20));
    check_after_kill(dir);
    // While `pg_dump --jobs 2` fills its temporary folder.
    // Early in the tables (2 MiB of about 140): the workers are mid-table when drydock dies, and
    // the guard kills them at once.
    kill_during_create(dir, db.url(), "2", |_| {
        grown(&backups, ".drydock-pg_dump-", 2 << 20)
    });
    // Killed while its two workers wrote the first two tables, pg_dump started no other: an
    // orphaned leader would have handed out all four.
    let tables = table_data_files(&backups);
    let started: Vec<String> = tables.iter().map(|(name, _)| name.clone()).collect();
    assert!(
        !started.is_empty() && started.len() < 4,
        "pg_dump went on after drydock: {started:?}"
    );
    // And the workers died with it, mid-table: a table's data file that pg_dump finished ends
    // with the end-of-COPY line `\.`.
    let finished: Vec<String> = tables
        .into_iter()
        .filter(|(_, path)| {
            std::fs::read(path).is_ok_and(|data| {
                let end = data.iter().rposition(|b| *b != b'\n').map_or(0, |i| i + 1);
                data[..end].ends_with(b"\n\\.")
            })
        })
        .map(|(name, _)| name)
        .collect();
    assert!(
        finished.is_empty(),
        "pg_dump workers finished their tables after drydock died: {finished:?}"
    );
    check_after_kill(dir);

    // A prune while a backup runs deletes the leftovers older than the run, never its files;
    // the backup completes and verifies.
    let old = backups.join(".20000101T000000000Z_postgresql_old.dump.zst.partial");
    std::fs::write(&old, b"left by a run long gone").expect("old leftover");
    let live = drydock(dir, &["backup", "create", "--url", db.url(), "--jobs", "2"])
        .spawn()
        .expect("spawn backup create");
    assert!(wait_for(|| grown(&backups, ".drydock-pg_dump-", 8 << 20)));
    let pruned = run(dir, &["backup", "prune", "--apply"]);
    let pruned = String::from_utf8_lossy(&pruned.stdout);
    assert!(!old.exists(), "{pruned}");
    assert!(
        pruned
            .lines()
            .any(|line| line.starts_with("keep") && line.contains(".drydock-pg_dump-")),
        "{pruned}"
    );
    let output = live.wait_with_output().expect("backup create ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    run(dir, &["backup", "verify", "--url", db.url()]);
    check_listed_only(dir);
}

/// Nothing in the backups folder but listed backups and the lock.
fn check_listed_only(dir: &Path) {
    let debris: Vec<String> = std::fs::read_dir(dir.join("backups"))
        .expect("backups folder")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".drydock.lock")
        .collect();
    assert!(debris.is_empty(), "{debris:?}");
}

/// Run `sql` on the MariaDB server of `TEST_MYSQL_URL` with the `mariadb` client.
fn mariadb(database: Option<&str>, sql: &str) -> String {
    let server = std::env::var("TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".to_owned());
    let rest = server.strip_prefix("mysql://").expect("a mysql:// URL");
    let (user, rest) = rest.split_once('@').expect("a user in TEST_MYSQL_URL");
    let host_port = rest.split('/').next().unwrap_or_default();
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
    let mut command = Command::new("mariadb");
    command.args([
        "--no-defaults",
        "--protocol=TCP",
        &format!("--host={host}"),
        &format!("--port={port}"),
        &format!("--user={user}"),
        "--batch",
        "--skip-column-names",
        "-e",
        sql,
    ]);
    if let Some(database) = database {
        command.arg(database);
    }
    let output = command.output().expect("the mariadb client");
    assert!(
        output.status.success(),
        "MariaDB is needed (TEST_MYSQL_URL): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A MariaDB database of its own, dropped however the test ends.
struct MariaDb(String);

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            mariadb(None, &format!("DROP DATABASE IF EXISTS `{}`", self.0))
        });
    }
}

#[test]
fn a_mariadb_backup_killed_mid_dump_leaves_no_partial_backup_and_no_dump_tool() {
    let name = format!("drydock_kill_{}", std::process::id());
    mariadb(None, &format!("CREATE DATABASE `{name}`"));
    let _db = MariaDb(name.clone());
    // About 60 MB of rows: the dump takes a moment.
    mariadb(
        Some(&name),
        "CREATE TABLE big (id INT PRIMARY KEY, pad TEXT); \
         INSERT INTO big SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_300000;",
    );
    let url = mariadb_url(&name);
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let backups = dir.join("backups");
    kill_during_create(dir, &url, "1", |child| {
        grown(&backups, ".", 4 << 20)
            && processes()
                .iter()
                .any(|p| p.parent == child.id() && p.name.contains("dump"))
    });
    check_after_kill(dir);
    run(dir, &["backup", "create", "--url", &url]);
    run(dir, &["backup", "verify", "--checksum-only"]);
    check_listed_only(dir);
}

/// Whether a process other than this test's names `needle` in its command line or environment
/// (where the dump tools get their connection).
fn tools_naming(needle: &str) -> Vec<String> {
    processes()
        .iter()
        .filter(|p| p.pid != std::process::id())
        .filter(|p| {
            ["cmdline", "environ"].iter().any(|file| {
                std::fs::read(format!("/proc/{}/{file}", p.pid)).is_ok_and(|bytes| {
                    bytes
                        .windows(needle.len())
                        .any(|window| window == needle.as_bytes())
                })
            })
        })
        .map(|p| format!("{} {}", p.pid, p.name))
        .collect()
}

/// Four tables of about 2 MB each.
fn fill_small(db: &TestDb) {
    let mut client = db.postgres_client();
    for t in 0..4 {
        client
            .batch_execute(&format!(
                "CREATE TABLE t{t} AS SELECT g AS id, repeat(md5((g + {t})::text), 2) AS pad \
                 FROM generate_series(1, 25000) g"
            ))
            .expect("fill");
    }
}

/// `backup create` (one job and `--jobs 2`), `backup verify` and `backup restore` (into a new
/// database) killed (`SIGKILL`) or cut off from the server (`pg_terminate_backend` of their
/// sessions, `verify`'s on its scratch database too) at a
/// pseudo-random point: no dump or restore tool outlives drydock, every listed backup verifies,
/// the leftovers go with `prune`, and the next plain command works. `DRYDOCK_CRASH_TRIALS`
/// trials per command (3 by default).
#[test]
fn backup_commands_killed_or_cut_off_anywhere_leave_no_tool_no_false_backup_and_recover() {
    let trials = trial_count(3);
    let db = TestDb::postgres();
    fill_small(&db);
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    run(dir, &["backup", "create", "--url", db.url()]);
    run(dir, &["backup", "verify", "--url", db.url()]);

    let commands: [(&str, Vec<String>); 4] = [
        (
            "create",
            vec![
                "backup".into(),
                "create".into(),
                "--url".into(),
                db.url().into(),
            ],
        ),
        (
            "create --jobs 2",
            vec![
                "backup".into(),
                "create".into(),
                "--url".into(),
                db.url().into(),
                "--jobs".into(),
                "2".into(),
            ],
        ),
        (
            "verify",
            vec![
                "backup".into(),
                "verify".into(),
                "--url".into(),
                db.url().into(),
            ],
        ),
        ("restore", Vec::new()),
    ];
    let mut random = Seeded(0x0bac_5eed);
    let mut failures = Vec::new();
    let mut cut_short = 0;
    let mut commands_run = 0;
    for (label, args) in &commands {
        if !runs_command(label) {
            continue;
        }
        commands_run += 1;
        // A clean run sets the span the faults land in.
        let target = TestDb::postgres();
        let target_name = target.name();
        drop(target);
        let restore_args = |to: &str| -> Vec<String> {
            vec!["backup".into(), "restore".into(), "--to".into(), to.into()]
        };
        let target_url = drydock_test_support::replace_database(db.url(), &target_name);
        let args = if *label == "restore" {
            restore_args(&target_url)
        } else {
            args.clone()
        };
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = Instant::now();
        run(dir, &arg_refs);
        let span = started.elapsed().as_millis().max(100) as u64;
        let _ = drydock_test_support::postgres_server_client().batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{target_name}\" WITH (FORCE)"
        ));
        let db_name = db.name();
        for trial in 0..trials {
            let (delay, fault) = Fault::pick(&mut random, span, true);
            let mut problems = Vec::new();
            let (first, pid) = fault_and_wait(
                dir,
                &arg_refs,
                if *label == "restore" {
                    &target_name
                } else {
                    &db_name
                },
                delay,
                fault,
                &mut problems,
            );
            if !first.status.success() {
                cut_short += 1;
            }
            listed_backups_verify_and_prune(dir, &mut problems);
            // The next plain command works; a restore cut short left a database marked as an
            // unfinished restore, which the plain restore replaces. A restore the fault missed,
            // or one killed after it had checked the data and taken its note off, made a real
            // database, which a plain restore must refuse (D5032).
            let completed = *label == "restore"
                && (first.status.success() || finished_restore(&target_name, &target_url));
            let again = drydock(dir, &arg_refs).output().expect("again");
            let again_stderr = String::from_utf8_lossy(&again.stderr);
            if completed {
                if again.status.success() || !again_stderr.contains("[D5032]") {
                    problems.push(format!(
                        "a plain restore over a completed restore did not refuse with D5032: \
                         {again_stderr}"
                    ));
                }
            } else if !again.status.success() {
                problems.push(format!("the next plain {label} failed: {again_stderr}"));
            }
            if *label == "verify" {
                // The scratch database of the faulted verify went with it or with the next one.
                let owner = format!("drydock pid {pid} ");
                match drydock_postgres::owner::abandoned(
                    &mut drydock_test_support::postgres_server_client(),
                    "drydock_scratch_",
                ) {
                    Ok(left) => {
                        let left: Vec<_> = left
                            .iter()
                            .filter(|left| left.left_by.starts_with(&owner))
                            .collect();
                        if !left.is_empty() {
                            problems.push(format!("scratch databases left behind: {left:?}"));
                        }
                    }
                    Err(error) => problems.push(format!("reading the leftovers: {error}")),
                }
            }
            if *label == "restore" {
                let _ = drydock_test_support::postgres_server_client().batch_execute(&format!(
                    "DROP DATABASE IF EXISTS \"{target_name}\" WITH (FORCE)"
                ));
            }
            check_listed_only_or(dir, &mut problems);
            if !problems.is_empty() {
                let failure = format!(
                    "{label} trial {trial} ({fault} after {} ms): {}\nfaulted command said: {}",
                    delay.as_millis(),
                    problems.join("; "),
                    String::from_utf8_lossy(&first.stderr)
                );
                record_failure(&mut failures, failure);
            }
            eprintln!(
                "{label} trial {trial}: {} failure(s) so far",
                failures.len()
            );
        }
    }
    eprintln!(
        "backup create/create --jobs 2/verify/restore: {} trial(s), {cut_short} cut short, {} failure(s)",
        trials * commands_run,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The table data files (`<oid>.dat`) in the `dump` folders of `pg_dump --jobs` runs left in
/// `backups`: name and path.
fn table_data_files(backups: &Path) -> Vec<(String, std::path::PathBuf)> {
    std::fs::read_dir(backups)
        .expect("backups folder")
        .flatten()
        .flat_map(|entry| {
            std::fs::read_dir(entry.path().join("dump"))
                .into_iter()
                .flatten()
        })
        .flatten()
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .filter(|(name, _)| name.ends_with(".dat") && name != "toc.dat")
        .collect()
}

/// [`check_listed_only`], collecting the problem.
fn check_listed_only_or(dir: &Path, problems: &mut Vec<String>) {
    let debris: Vec<String> = std::fs::read_dir(dir.join("backups"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".drydock.lock")
        .collect();
    if !debris.is_empty() {
        problems.push(format!("left in the backups folder: {debris:?}"));
    }
}

/// Whether the database `name` (at `url`) holds a finished restore: it has tables and no note
/// of a restore in progress.
fn finished_restore(name: &str, url: &str) -> bool {
    let exists_without_note = drydock_test_support::postgres_server_client()
        .query_opt(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .ok()
        .flatten()
        .is_some_and(|row| row.get::<_, Option<String>>(0).is_none());
    exists_without_note
        && postgres::Client::connect(url, postgres::NoTls)
            .and_then(|mut client| {
                client.query_one(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                    &[],
                )
            })
            .is_ok_and(|row| row.get::<_, i64>(0) > 0)
}

/// The comment on the database `name` (where drydock notes a restore in progress).
fn database_comment(name: &str) -> Option<String> {
    drydock_test_support::postgres_server_client()
        .query_one(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .expect("database comment")
        .get(0)
}

/// A `backup restore --jobs 2` into a new database killed once tables exist leaves a database
/// marked as an unfinished restore: the next plain restore says so and replaces it without
/// `--force`. A database with tables and no such mark is still refused (D5032).
#[test]
fn a_killed_restore_into_a_new_database_is_recognised_and_replaced_by_the_next_plain_restore() {
    let db = TestDb::postgres();
    fill_big(&db);
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    run(dir, &["backup", "create", "--url", db.url(), "--jobs", "2"]);
    // A name of its own, dropped when the test ends however it ends; the restore creates it.
    let target = TestDb::postgres();
    let target_name = target.name();
    drydock_test_support::postgres_server_client()
        .batch_execute(&format!("DROP DATABASE \"{target_name}\" WITH (FORCE)"))
        .expect("drop the target");
    let target_url = drydock_test_support::replace_database(db.url(), &target_name);
    let plain = [
        "backup",
        "restore",
        "--allow-unverified",
        "--to",
        &target_url,
    ];
    let restore = [&plain[..], &["--jobs", "2"]].concat();

    let mut child = drydock(dir, &restore).spawn().expect("spawn restore");
    let has_tables = || {
        postgres::Client::connect(&target_url, postgres::NoTls)
            .and_then(|mut client| {
                client.query_one(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                    &[],
                )
            })
            .is_ok_and(|row| row.get::<_, i64>(0) > 0)
    };
    let reached = wait_for(|| has_tables() || child.try_wait().ok().flatten().is_some());
    child.kill().expect("SIGKILL drydock");
    let killed = child.wait_with_output().expect("drydock ends");
    assert!(
        reached && killed.status.code().is_none(),
        "the restore ended before the kill: {}",
        String::from_utf8_lossy(&killed.stderr)
    );
    assert!(has_tables(), "the killed restore left no table");
    let note = database_comment(&target_name).unwrap_or_default();
    assert!(
        note.starts_with("drydock: restore of ") && note.contains(" in progress since "),
        "the half-restored database is not marked: {note:?}"
    );

    let again = run(dir, &plain);
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("remains of an interrupted restore") && said.contains("in progress since"),
        "the plain restore did not explain the replacement: {said}"
    );
    assert_eq!(
        database_comment(&target_name),
        None,
        "a complete restore keeps the mark"
    );

    // Now it holds a finished restore, with no mark: the plain restore refuses it.
    let refused = drydock(dir, &plain)
        .output()
        .expect("restore into a database with tables");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && stderr.contains("D5032"),
        "a database with tables and no mark was not refused: {stderr}"
    );
    drop(target);
}

/// Run drydock with `args`, inject `fault` after `delay`, and wait for it to end; a problem
/// when a process of its tools' groups, or one naming database `watched`, outlives it. Returns
/// what it printed and its pid.
fn fault_and_wait(
    dir: &Path,
    args: &[&str],
    watched: &str,
    delay: std::time::Duration,
    fault: Fault,
    problems: &mut Vec<String>,
) -> (Output, u32) {
    let mut child = drydock(dir, args).spawn().expect("spawn");
    let pid = child.id();
    std::thread::sleep(delay);
    let groups = tool_groups(&child);
    fault.inject(&mut child, watched);
    let first = child.wait_with_output().expect("faulted command");
    let tools_gone = wait_for(|| {
        !processes().iter().any(|p| groups.contains(&p.group)) && tools_naming(watched).is_empty()
    });
    if !tools_gone {
        problems.push(format!(
            "tools outlived drydock: {:?}",
            tools_naming(watched)
        ));
    }
    (first, pid)
}

/// Every backup listed verifies by checksum, and `prune --apply` removes the leftovers.
fn listed_backups_verify_and_prune(dir: &Path, problems: &mut Vec<String>) {
    let listed = drydock(dir, &["backup", "list", "--json"])
        .output()
        .expect("list");
    let manifests: Vec<serde_json::Value> =
        serde_json::from_slice(&listed.stdout).unwrap_or_default();
    for manifest in &manifests {
        let id = manifest["id"].as_str().unwrap_or_default();
        let verified = drydock(dir, &["backup", "verify", id, "--checksum-only"])
            .output()
            .expect("verify");
        if !verified.status.success() {
            problems.push(format!(
                "backup {id} is listed but does not verify: {}",
                String::from_utf8_lossy(&verified.stderr)
            ));
        }
    }
    let pruned = drydock(dir, &["backup", "prune", "--keep-last", "2", "--apply"])
        .output()
        .expect("prune");
    if !pruned.status.success() {
        problems.push(format!(
            "prune failed: {}",
            String::from_utf8_lossy(&pruned.stderr)
        ));
    }
}

/// The URL of MariaDB database `name` on the `TEST_MYSQL_URL` server.
fn mariadb_url(name: &str) -> String {
    let server = std::env::var("TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".to_owned());
    format!(
        "{}/{name}",
        server
            .rsplit_once('/')
            .map_or(server.as_str(), |(base, _)| base)
    )
}

/// `backup create` and `backup verify` of a MariaDB database killed (`SIGKILL`) at a
/// pseudo-random point: no dump or restore tool outlives drydock, every listed backup verifies,
/// the leftovers go with `prune`, and the next plain command works. `DRYDOCK_CRASH_TRIALS`
/// trials per command (3 by default).
#[test]
fn mariadb_backup_commands_killed_anywhere_leave_no_tool_no_false_backup_and_recover() {
    let trials = trial_count(3);
    let name = format!("drydock_rkill_{}", std::process::id());
    mariadb(None, &format!("CREATE DATABASE `{name}`"));
    let _db = MariaDb(name.clone());
    mariadb(
        Some(&name),
        "CREATE TABLE t (id INT PRIMARY KEY, pad TEXT); \
         INSERT INTO t SELECT seq, REPEAT(MD5(seq), 4) FROM seq_1_to_100000;",
    );
    let url = mariadb_url(&name);
    // A killed verify leaves its scratch database (MariaDB's carry no owner yet, so no later
    // run drops them): those this test made go when it ends.
    let _scratch = MariaDbScratch(scratch_databases());
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let create = ["backup", "create", "--url", url.as_str()];
    let verify = ["backup", "verify", "--url", url.as_str()];
    let mut random = Seeded(0x3a71_5eed);
    let (mut failures, mut cut_short) = (Vec::new(), 0);
    for (label, args) in [("create", create), ("verify", verify)] {
        let started = Instant::now();
        run(dir, &args);
        let span = started.elapsed().as_millis().max(100) as u64;
        for trial in 0..trials {
            let (delay, fault) = Fault::pick(&mut random, span, false);
            let mut problems = Vec::new();
            let (first, _) = fault_and_wait(dir, &args, &name, delay, fault, &mut problems);
            if !first.status.success() {
                cut_short += 1;
            }
            listed_backups_verify_and_prune(dir, &mut problems);
            let again = drydock(dir, &args).output().expect("again");
            if !again.status.success() {
                problems.push(format!(
                    "the next plain {label} failed: {}",
                    String::from_utf8_lossy(&again.stderr)
                ));
            }
            check_listed_only_or(dir, &mut problems);
            if !problems.is_empty() {
                record_failure(
                    &mut failures,
                    format!(
                        "MariaDB {label} trial {trial} (SIGKILL after {} ms): {}\nfaulted \
                         command said: {}",
                        delay.as_millis(),
                        problems.join("; "),
                        String::from_utf8_lossy(&first.stderr)
                    ),
                );
            }
            eprintln!(
                "MariaDB {label} trial {trial}: {} failure(s) so far",
                failures.len()
            );
        }
    }
    eprintln!(
        "MariaDB backup create/verify: {} trial(s), {cut_short} cut short, {} failure(s)",
        2 * trials,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The scratch databases of `backup verify` on the MariaDB server.
fn scratch_databases() -> Vec<String> {
    mariadb(
        None,
        "SELECT schema_name FROM information_schema.schemata \
         WHERE schema_name LIKE 'drydock\\_scratch\\_%'",
    )
    .lines()
    .map(str::to_owned)
    .collect()
}

/// Drops, however the test ends, the scratch databases that were not there before it.
struct MariaDbScratch(Vec<String>);

impl Drop for MariaDbScratch {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            for name in scratch_databases() {
                if !self.0.contains(&name) {
                    mariadb(None, &format!("DROP DATABASE IF EXISTS `{name}`"));
                }
            }
        });
    }
}
