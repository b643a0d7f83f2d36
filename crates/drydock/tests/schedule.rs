//! `drydock schedule` end to end on a SQLite project.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use predicates::str::contains;

const SCHEMA: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\n\
                      model t {\n  id Int @id\n}\n";

/// A project folder: a schema, its SQLite database with one row, and `drydock.toml`.
fn project(settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("prisma")).unwrap();
    std::fs::write(dir.path().join("prisma/schema.prisma"), SCHEMA).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("prisma/dev.db")).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);")
        .unwrap();
    std::fs::write(dir.path().join("drydock.toml"), settings).unwrap();
    dir
}

fn drydock(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("drydock").unwrap();
    command.current_dir(dir).timeout(Duration::from_secs(120));
    command
}

#[test]
fn the_foreground_loop_runs_an_every_second_job_and_logs_each_run() {
    let dir = project(
        "[backup]\ndir = \"backups\"\n\n[[schedule]]\nname = \"every second\"\n\
         cron = \"* * * * * *\"\nrun = \"backup create\"\n\n[[schedule]]\nname = \"nightly\"\n\
         cron = \"0 3 * * *\"\nrun = \"backup verify\"\n",
    );
    drydock(dir.path())
        .args([
            "--schema",
            "prisma/schema.prisma",
            "schedule",
            "--max-runs",
            "2",
        ])
        .assert()
        .success()
        .stdout(contains("nightly"))
        .stdout(contains("Ran 2 jobs"))
        .stderr(contains("[every second] Wrote backups/"));

    let manifests = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .filter(|entry| {
            let name = entry.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with(".manifest.json")
        })
        .count();
    assert_eq!(manifests, 2);
    let log = std::fs::read_to_string(dir.path().join("backups/schedule.log")).unwrap();
    let runs: Vec<&str> = log.lines().filter(|line| line.contains(" exit=")).collect();
    assert_eq!(runs.len(), 2, "{log}");
    assert!(
        runs.iter()
            .all(|line| line.contains("job=\"every second\" exit=0 duration=")),
        "{log}"
    );
}

#[test]
fn bad_jobs_are_refused_naming_the_file_and_the_job() {
    let dir = project(
        "[[schedule]]\nname = \"nightly\"\ncron = \"0 25 * * *\"\nrun = \"backup create\"\n",
    );
    drydock(dir.path())
        .args(["schedule", "--list"])
        .assert()
        .failure()
        .stderr(contains("[D1003]"))
        .stderr(contains("drydock.toml"))
        .stderr(contains(
            "job `nightly`: cron expression `0 25 * * *` is not valid",
        ));

    let dir = project(
        "[[schedule]]\nname = \"nightly\"\ncron = \"0 3 * * *\"\nrun = \"backup craete\"\n",
    );
    drydock(dir.path())
        .args(["schedule"])
        .assert()
        .failure()
        .stderr(contains("drydock.toml"))
        .stderr(contains("job `nightly`"))
        .stderr(contains("unrecognized subcommand 'craete'"));
}

#[test]
fn print_crontab_writes_one_line_per_job_and_skips_seconds() {
    let dir = project(
        "[[schedule]]\nname = \"nightly backup\"\ncron = \"0 3 * * *\"\nrun = \"backup create\"\n\n\
         [[schedule]]\nname = \"prune\"\ncron = \"0 4 * * 0\"\n\
         run = \"backup prune --keep-daily 7 --keep-weekly 4 --max-age 28d --apply\"\n\n\
         [[schedule]]\nname = \"every second\"\ncron = \"* * * * * *\"\nrun = \"backup list\"\n",
    );
    let output = drydock(dir.path())
        .args(["schedule", "--print-crontab"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let mut text = String::from_utf8(output.stdout).unwrap();
    let exe = assert_cmd::cargo::cargo_bin("drydock");
    for (path, name) in [(exe.as_path(), "<drydock>"), (dir.path(), "<project>")] {
        if let Ok(real) = path.canonicalize() {
            text = text.replace(&real.display().to_string(), name);
        }
        text = text.replace(&path.display().to_string(), name);
    }
    assert_eq!(
        text,
        "# drydock schedule: the [[schedule]] jobs of <project>/drydock.toml\n\
         # drydock reads these times as UTC; cron uses the machine's time zone (CRON_TZ=UTC or\n\
         # TZ=UTC in front of these lines changes that where cron supports it).\n\
         # nightly backup\n\
         0 3 * * * cd <project> && <drydock> backup create >> <project>/drydock-schedule.log 2>&1\n\
         # prune\n\
         0 4 * * 0 cd <project> && <drydock> backup prune --keep-daily 7 --keep-weekly 4 \
         --max-age 28d --apply >> <project>/drydock-schedule.log 2>&1\n\
         # every second: `* * * * * *` has a seconds field, which crontab cannot express; skipped\n"
    );
}

#[test]
fn list_and_run_now() {
    let dir = project(
        "[[schedule]]\nname = \"verify\"\ncron = \"30 3 * * *\"\nrun = \"backup verify\"\n",
    );
    let output = drydock(dir.path())
        .args(["schedule", "--list", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let jobs: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(jobs[0]["name"], "verify");
    assert_eq!(jobs[0]["args"], serde_json::json!(["backup", "verify"]));
    let next = jobs[0]["next"].as_array().unwrap();
    assert_eq!(next.len(), 3);
    assert!(
        next[0].as_str().unwrap().ends_with("T03:30:00Z"),
        "{next:?}"
    );

    // With no backup to verify the job fails; run-now passes its exit code on.
    drydock(dir.path())
        .args(["schedule", "--run-now", "verify", "--log", "logs/runs.log"])
        .assert()
        .code(1)
        .stderr(contains("[verify] Error: [D5030]"));
    let log = std::fs::read_to_string(dir.path().join("logs/runs.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("job=\"verify\" exit=1 duration="), "{log}");

    drydock(dir.path())
        .args(["schedule", "--run-now", "nope"])
        .assert()
        .failure()
        .stderr(contains("no job is named `nope`; the jobs are: verify"));
}
