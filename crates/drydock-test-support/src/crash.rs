//! What the tests that kill drydock, cut it off from its server or stop the server under it
//! share: a fixed-seed random source, the trial count, bounded waits, project folders, the
//! command line of the real binary, the faults, and a PostgreSQL server a test may stop.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::{TestDb, postgres_server_client, required_var, wait_for};

/// A `schema.prisma` with only a PostgreSQL datasource, its URL from `DATABASE_URL`.
pub const POSTGRES_SCHEMA: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

/// A fixed-seed generator (xorshift), so a failing trial can be run again.
pub struct Seeded(pub u64);

impl Seeded {
    pub fn draw(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The number of trials of a randomized crash test: `DRYDOCK_CRASH_TRIALS`, else `default`.
pub fn trial_count(default: u64) -> u64 {
    std::env::var("DRYDOCK_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether a randomized crash test runs its trials of `command` (one of its labels):
/// `DRYDOCK_CRASH_COMMANDS`, a comma-separated list of labels, picks some to run at full size on
/// their own; unset, every command runs.
pub fn runs_command(command: &str) -> bool {
    match std::env::var("DRYDOCK_CRASH_COMMANDS") {
        Ok(list) => list.split(',').any(|label| label.trim() == command),
        Err(_) => true,
    }
}

/// Add `failure` to `failures`, printing it now: a run cut short by an outer time bound keeps
/// the details.
pub fn record_failure(failures: &mut Vec<String>, failure: String) {
    eprintln!("{failure}");
    failures.push(failure);
}

/// Wait for `child` to exit, 60 s at most, killing it after that; what it printed, and
/// whether it had exited by itself.
pub fn finish(mut child: Child) -> (Output, bool) {
    let exited = wait_for(|| child.try_wait().ok().flatten().is_some());
    if !exited {
        let _ = child.kill();
    }
    (
        child.wait_with_output().expect("the command's output"),
        exited,
    )
}

/// A project folder with `schema` as `prisma/schema.prisma` and `migrations` (name, SQL).
pub fn project(schema: &str, migrations: &[(&str, &str)]) -> tempfile::TempDir {
    let project = tempfile::tempdir().expect("project");
    std::fs::create_dir_all(project.path().join("prisma")).expect("prisma folder");
    std::fs::write(project.path().join("prisma/schema.prisma"), schema).expect("schema");
    for (name, sql) in migrations {
        write_migration(project.path(), name, sql);
    }
    project
}

/// `prisma/migrations/<name>/migration.sql` of `project`.
pub fn write_migration(project: &Path, name: &str, sql: &str) {
    let dir = project.join("prisma/migrations").join(name);
    std::fs::create_dir_all(&dir).expect("migration folder");
    std::fs::write(dir.join("migration.sql"), sql).expect("migration.sql");
}

/// `binary` (the drydock under test) with `args`, run in `dir` with a cache of its own there,
/// no input, and its output captured.
pub fn drydock(binary: &str, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    command
        .current_dir(dir)
        .args(args)
        .env("DRYDOCK_CACHE_DIR", dir.join(".cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A fault injected into a running command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `SIGKILL` of drydock: no handler, no cleanup.
    Kill,
    /// `pg_terminate_backend` of every session on the database but the test's own.
    Terminate,
}

impl Fault {
    /// A pseudo-random delay below `span` ms and fault; only [`Fault::Kill`] (drawing one
    /// number, not two) unless `may_terminate`.
    pub fn pick(random: &mut Seeded, span: u64, may_terminate: bool) -> (Duration, Fault) {
        let delay = Duration::from_millis(random.draw() % span);
        let kill = !may_terminate || (random.draw() >> 32) & 1 == 0;
        (delay, if kill { Fault::Kill } else { Fault::Terminate })
    }

    /// Kill `child`, or end the sessions on `database` and on the databases `child` made for
    /// itself (their comment names its pid: scratch and shadow databases), on the
    /// `TEST_POSTGRES_URL` server.
    pub fn inject(self, child: &mut Child, database: &str) {
        match self {
            Fault::Kill => {
                let _ = child.kill();
            }
            Fault::Terminate => {
                let _ = postgres_server_client().query(
                    "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a \
                     WHERE a.pid <> pg_backend_pid() AND (a.datname = $1 OR a.datname IN \
                       (SELECT datname FROM pg_database \
                        WHERE shobj_description(oid, 'pg_database') LIKE $2))",
                    &[&database, &format!("%drydock pid {} %", child.id())],
                );
            }
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::Kill => "SIGKILL",
            Fault::Terminate => "pg_terminate_backend",
        })
    }
}

/// The PostgreSQL server a test may stop and start (`scripts/with-databases.sh` starts it).
pub const POSTGRES_STOPPABLE_URL_VAR: &str = "TEST_POSTGRES_STOPPABLE_URL";

/// The only use of the stoppable server in this process: held while a test uses it.
static STOPPABLE: Mutex<()> = Mutex::new(());

/// The server of [`POSTGRES_STOPPABLE_URL_VAR`], held by one test at a time (in this process
/// by a mutex, across processes by a lock on a file next to its data folder). Dropping it
/// starts the server again if a test left it stopped.
pub struct StoppableServer {
    url: String,
    data: PathBuf,
    bin: PathBuf,
    user: String,
    _file: std::fs::File,
    _held: MutexGuard<'static, ()>,
}

impl StoppableServer {
    /// Wait for the server to be free and take it.
    ///
    /// # Panics
    ///
    /// When the variables are not set or the server does not answer: the test fails.
    pub fn take() -> StoppableServer {
        let held = STOPPABLE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let url = required_var(POSTGRES_STOPPABLE_URL_VAR);
        let data = PathBuf::from(required_var("TEST_POSTGRES_STOPPABLE_DATA"));
        let bin = PathBuf::from(required_var("TEST_POSTGRES_STOPPABLE_BIN"));
        let user = required_var("TEST_POSTGRES_STOPPABLE_USER");
        let lock = data.with_file_name("tests.lock");
        let file = std::fs::File::create(&lock)
            .unwrap_or_else(|e| panic!("the lock file {}: {e}", lock.display()));
        file.lock()
            .unwrap_or_else(|e| panic!("locking {}: {e}", lock.display()));
        let server = StoppableServer {
            url,
            data,
            bin,
            user,
            _file: file,
            _held: held,
        };
        if !server.running() {
            server.start();
        }
        server
    }

    /// A fresh database on this server, dropped with the value (the server must be up then).
    pub fn database(&self) -> TestDb {
        TestDb::postgres_on(self.url.clone())
    }

    /// `pg_ctl stop -m <mode>`: `immediate` (the postmaster and every session quit at once,
    /// as in a crash; the next start recovers from the WAL) or `fast` (sessions ended,
    /// transactions rolled back, a clean shutdown). Returns when the server is down.
    ///
    /// # Panics
    ///
    /// When `pg_ctl` fails.
    pub fn stop(&self, mode: &str) {
        self.pg_ctl(&["stop", "-m", mode, "-w", "-t", "60"]);
    }

    /// `pg_ctl start`, returning once the server accepts connections.
    ///
    /// # Panics
    ///
    /// When `pg_ctl` fails.
    pub fn start(&self) {
        let status = self.start_status();
        assert!(
            status.success(),
            "starting the server of {} failed: {status}",
            self.data.display()
        );
    }

    fn start_status(&self) -> std::process::ExitStatus {
        let log = self.data.with_file_name("server.log");
        self.pg_ctl_status(&["start", "-w", "-t", "60", "-l", &log.to_string_lossy()])
    }

    fn running(&self) -> bool {
        self.pg_ctl_status(&["status"]).success()
    }

    fn pg_ctl(&self, args: &[&str]) {
        let status = self.pg_ctl_status(args);
        assert!(
            status.success(),
            "pg_ctl {args:?} on {} failed: {status}",
            self.data.display()
        );
    }

    fn pg_ctl_status(&self, args: &[&str]) -> std::process::ExitStatus {
        let mut line = vec![self.bin.join("pg_ctl").to_string_lossy().into_owned()];
        line.extend(["-D".to_owned(), self.data.to_string_lossy().into_owned()]);
        line.extend(args.iter().map(|a| (*a).to_owned()));
        let me = Command::new("id")
            .arg("-un")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let mut command = if me == self.user {
            let mut command = Command::new(&line[0]);
            command.args(&line[1..]);
            command
        } else {
            // pg_ctl refuses to run as root: as the server's own user.
            let quoted: Vec<String> = line
                .iter()
                .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
                .collect();
            let mut command = Command::new("su");
            command.args([&self.user, "-s", "/bin/sh", "-c", &quoted.join(" ")]);
            command
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run pg_ctl")
    }
}

impl Drop for StoppableServer {
    fn drop(&mut self) {
        if !self.running() {
            let _ = self.start_status();
        }
    }
}

/// The end of a query describing a database that the crash tests deploy (after a `UNION ALL`):
/// the rows of `item`, `tag` and `audit`, with sums that show an update missed or repeated.
pub const SHAPE_ROWS: &str = "\
    SELECT 'rows item ' || count(*) || ' ' || coalesce(sum(\"tag_id\"), -1) || ' ' \
      || sum(\"n\") FROM \"item\" \
    UNION ALL SELECT 'rows tag ' || count(*) FROM \"tag\" \
    UNION ALL SELECT 'rows audit ' || count(*) FROM \"audit\" \
    ORDER BY 1";

/// Whether `got`, lines describing a database, are the `clean` ones; else what is missing and
/// what is extra.
pub fn same_as_clean(got: &[String], clean: &[String]) -> Result<(), String> {
    if got == clean {
        return Ok(());
    }
    let missing: Vec<_> = clean.iter().filter(|l| !got.contains(l)).collect();
    let extra: Vec<_> = got.iter().filter(|l| !clean.contains(l)).collect();
    Err(format!(
        "the database differs from a clean deploy: missing {missing:?}, extra {extra:?}"
    ))
}

/// Whether a backfill adding 1000 to values below 1000 updated each of its `rows` rows exactly
/// once: `missed` values are still below 1000, `twice` are 2000 or more, and `progress` (its
/// progress rows: rows done, finished) must be one finished row counting `rows`.
pub fn backfilled_once(
    missed: i64,
    twice: i64,
    progress: &[(i64, bool)],
    rows: i64,
) -> Result<(), String> {
    if missed > 0 || twice > 0 {
        return Err(format!(
            "the backfill left {missed} row(s) not updated and updated {twice} row(s) twice"
        ));
    }
    if progress != [(rows, true)] {
        return Err(format!(
            "the backfill's progress rows (rows done, finished) are {progress:?}, not \
             [({rows}, true)]"
        ));
    }
    Ok(())
}
