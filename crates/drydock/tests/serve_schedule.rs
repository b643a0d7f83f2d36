//! `drydock serve`'s scheduler with the real binary: two instances on one project and database
//! run each due time of a job exactly once; due times while no instance ran are reported, and
//! caught up once with `catch_up`; a run past its `timeout` is killed when told; SIGTERM stops a
//! server cleanly, a running job with it.

use std::time::Duration;

use chrono::Utc;
use drydock_connector::{ClaimStatus, Dialect, RunFilter, ScheduleClaim};
use drydock_test_support::serve::*;
use drydock_test_support::{DatabaseKind, TestDb};

fn dialect(db: &TestDb) -> &'static dyn Dialect {
    match db.kind() {
        DatabaseKind::Postgres => &drydock_postgres::PostgresDialect,
        DatabaseKind::Sqlite => &drydock_sqlite::SqliteDialect,
        DatabaseKind::Mysql => &drydock_mysql::MysqlDialect,
    }
}

/// A cheap job, due every two seconds, recorded in the run log.
const EVERY_TWO: &str = "[[schedule]]\nname = \"tick\"\ncron = \"*/2 * * * * *\"\n\
                         run = \"db execute --file noop.sql\"\n";

/// [`project`] with `jobs` (`[[schedule]]` tables) added to its drydock.toml, and `noop.sql`.
fn with_jobs(db: &TestDb, jobs: &str) -> tempfile::TempDir {
    let dir = project(db);
    std::fs::write(dir.path().join("noop.sql"), "SELECT 1;\n").unwrap();
    set_jobs(dir.path(), jobs);
    dir
}

/// The project's drydock.toml with `jobs` in place of the ones it had.
fn set_jobs(dir: &std::path::Path, jobs: &str) {
    let path = dir.join("drydock.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let kept = text.split("\n[[schedule]]").next().unwrap().to_owned();
    std::fs::write(&path, format!("{kept}\n{jobs}")).unwrap();
}

fn claims(db: &TestDb, job: &str) -> Vec<ScheduleClaim> {
    dialect(db)
        .open_schedule_claims(db.url())
        .unwrap()
        .list(job, Utc::now() - chrono::TimeDelta::days(1))
        .unwrap()
}

/// The runs of job `job` in the run log.
fn job_runs(db: &TestDb, job: &str) -> usize {
    let actor = format!("schedule job {job}");
    dialect(db)
        .open_run_log(db.url())
        .unwrap()
        .list(&RunFilter::default())
        .unwrap()
        .iter()
        .filter(|run| run.start.actor == actor)
        .count()
}

/// Wait (15 s at most) until the server's log holds `text`.
fn wait_for(server: &Server, text: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !server.stderr().contains(text) {
        assert!(
            std::time::Instant::now() < deadline,
            "no `{text}` in:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stop(server: &mut Server) -> String {
    let (exit, log) = server.terminate();
    assert!(exit.success(), "{exit:?}\n{log}");
    assert!(log.contains("drydock serve stopped"), "{log}");
    log
}

/// Every two seconds, `db execute` of `SELECT 1`; two servers for 24 s: each due time while both ran is claimed
/// once and run once, and the run log has one run of the job for each claim that ran.
fn two_instances_run_each_due_time_once(db: &TestDb) {
    let dir = with_jobs(db, EVERY_TWO);
    let mut first = Server::start(dir.path(), db, &[]);
    let mut second = Server::start(dir.path(), db, &[]);
    let from = Utc::now();
    std::thread::sleep(Duration::from_secs(24));
    let until = Utc::now();

    let mut http = Client::new(&second.base);
    let listed = http.get("/api/schedule", &[("Authorization", &bearer(CI_TOKEN))]);
    assert_eq!(listed.status, 200, "{}", listed.body);
    let first_log = stop(&mut first);
    let second_log = stop(&mut second);
    let logs = format!("{first_log}\n{second_log}");
    let claims = claims(db, "tick");
    let job = &listed.json()["jobs"][0];
    assert_eq!(job["name"], "tick");
    assert_eq!(job["cron"], "*/2 * * * * *");
    assert!(job["next_due"].is_string(), "{job}");
    assert!(job["last"]["instance"].is_string(), "{job}");
    assert_eq!(job["missed"], 0, "{job}\n{claims:#?}\n{logs}");
    assert!(logs.contains("[tick] "), "{logs}");
    assert!(!logs.contains("D7203"), "{logs}");

    // Due times from 2 s after both were up to 2 s before the first stopped.
    let window: Vec<&ScheduleClaim> = claims
        .iter()
        .filter(|c| c.due_at > from + chrono::TimeDelta::seconds(2))
        .filter(|c| c.due_at < until - chrono::TimeDelta::seconds(2))
        .collect();
    let expected = (until - from).num_seconds() / 2 - 2;
    assert!(
        i64::try_from(window.len()).unwrap() >= expected,
        "{} claims in the window, {expected} due times: {claims:#?}",
        window.len()
    );
    for pair in window.windows(2) {
        assert_eq!(
            (pair[1].due_at - pair[0].due_at).num_seconds(),
            2,
            "a due time was lost: {claims:#?}"
        );
    }
    assert!(
        window.iter().all(|c| c.status.ran() && c.missed == 0),
        "every due time ran: {claims:#?}"
    );
    let ran = claims.iter().filter(|c| c.status.ran()).count();
    assert_eq!(job_runs(db, "tick"), ran, "one run per claim: {claims:#?}");
    let instances: std::collections::BTreeSet<&str> =
        claims.iter().map(|c| c.instance.as_str()).collect();
    assert!(!instances.is_empty());
}

#[test]
fn two_postgres_instances_run_each_due_time_once() {
    two_instances_run_each_due_time_once(&TestDb::postgres());
}

#[test]
fn two_sqlite_instances_run_each_due_time_once() {
    two_instances_run_each_due_time_once(&TestDb::sqlite());
}

#[test]
fn two_mariadb_instances_run_each_due_time_once() {
    two_instances_run_each_due_time_once(&TestDb::mysql());
}

/// A gap in the claims while no server ran: the next server reports the missed due times (log
/// and API); with `catch_up` it runs the job once for them.
#[test]
fn missed_due_times_are_reported_and_caught_up_once() {
    let db = TestDb::sqlite();
    let dir = with_jobs(&db, EVERY_TWO);
    let mut server = Server::start(dir.path(), &db, &[]);
    std::thread::sleep(Duration::from_secs(5));
    stop(&mut server);
    std::thread::sleep(Duration::from_secs(8));

    let mut server = Server::start(dir.path(), &db, &[]);
    wait_for(&server, "[tick] [D7203]");
    let mut http = Client::new(&server.base);
    let listed = http.get("/api/schedule", &[("Authorization", &bearer(CI_TOKEN))]);
    let log = stop(&mut server);
    assert!(log.contains("[tick] [D7203]"), "{log}");
    assert!(log.contains("skipped (set `catch_up = true`"), "{log}");
    let job = &listed.json()["jobs"][0];
    assert!(job["missed"].as_u64().unwrap() >= 2, "{job}");
    let missed: Vec<ScheduleClaim> = claims(&db, "tick")
        .into_iter()
        .filter(|c| c.status == ClaimStatus::Missed)
        .collect();
    assert_eq!(missed.len(), 1, "one claim stands for the gap: {missed:#?}");
    assert!(missed[0].missed >= 1, "{missed:#?}");

    set_jobs(dir.path(), &format!("{EVERY_TWO}catch_up = true\n"));
    std::thread::sleep(Duration::from_secs(8));
    let runs_before = job_runs(&db, "tick");
    let mut server = Server::start(dir.path(), &db, &[]);
    wait_for(&server, "running it once now (catch_up)");
    std::thread::sleep(Duration::from_secs(2));
    let log = stop(&mut server);
    let caught_up: Vec<ScheduleClaim> = claims(&db, "tick")
        .into_iter()
        .filter(|c| c.status.ran() && c.missed >= 1)
        .collect();
    assert_eq!(caught_up.len(), 1, "{caught_up:#?}\n{log}");
    assert!(job_runs(&db, "tick") > runs_before);
}

/// A job past its `timeout` is reported and, with `kill_on_timeout`, killed: its claim failed.
/// SIGTERM while a job runs: the server waits for it within its bound, stops it, and exits 0.
#[test]
fn overruns_are_killed_and_sigterm_stops_a_running_job() {
    let db = TestDb::postgres();
    let dir = with_jobs(
        &db,
        "[[schedule]]\nname = \"slow\"\ncron = \"*/3 * * * * *\"\nrun = \"db execute --file sleep.sql\"\n\
         timeout = \"1s\"\nkill_on_timeout = true\n",
    );
    std::fs::write(dir.path().join("sleep.sql"), "SELECT pg_sleep(30);\n").unwrap();
    let mut server = Server::start(dir.path(), &db, &[]);
    std::thread::sleep(Duration::from_secs(6));
    let log = stop(&mut server);
    assert!(log.contains("[slow] [D7202]"), "{log}");
    assert!(log.contains("[slow] [D7201]"), "{log}");
    let killed: Vec<ScheduleClaim> = claims(&db, "slow")
        .into_iter()
        .filter(|c| c.status == ClaimStatus::Failed)
        .collect();
    assert!(!killed.is_empty());
    assert!(
        killed[0].detail.contains("killed after its timeout of 1s"),
        "{killed:#?}"
    );

    set_jobs(
        dir.path(),
        "[[schedule]]\nname = \"long\"\ncron = \"*/2 * * * * *\"\nrun = \"db execute --file sleep.sql\"\n",
    );
    let mut server = Server::start(dir.path(), &db, &[]);
    wait_for(&server, "[long] due at");
    std::thread::sleep(Duration::from_millis(500));
    let asked = std::time::Instant::now();
    let log = stop(&mut server);
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(log.contains("[long] [D7205]"), "{log}");
    let cancelled = claims(&db, "long");
    assert_eq!(cancelled.len(), 1, "{cancelled:#?}");
    assert_eq!(cancelled[0].status, ClaimStatus::Cancelled);
}

/// SIGTERM with no job running and requests answered before: exit 0 at once.
#[test]
fn sigterm_stops_an_idle_server_cleanly() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    let mut server = Server::start(dir.path(), &db, &[]);
    let mut http = Client::new(&server.base);
    assert_eq!(http.get("/healthz", &[]).status, 200);
    let asked = std::time::Instant::now();
    stop(&mut server);
    assert!(asked.elapsed() < Duration::from_secs(5));
}

/// Claims kept where no session opens (`[state] url` on a closed port): each due time is
/// reported not run, and the server goes on and stops cleanly.
#[test]
fn claims_that_cannot_be_written_are_reported() {
    let db = TestDb::sqlite();
    let dir = with_jobs(&db, EVERY_TWO);
    let path = dir.path().join("drydock.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("[state]\nurl = \"postgresql://postgres@127.0.0.1:1/nowhere\"\n\n{text}"),
    )
    .unwrap();
    let mut server = Server::start(dir.path(), &db, &[]);
    wait_for(&server, "[tick] [D7204] the run due at");
    let log = stop(&mut server);
    assert!(
        log.contains("was not run: the claims cannot be opened"),
        "{log}"
    );
}
