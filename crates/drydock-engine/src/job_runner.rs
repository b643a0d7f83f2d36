//! Scheduled jobs as child processes of the drydock binary, shared by `drydock schedule` and
//! `drydock serve`'s scheduler: a job's arguments go to the child on standard input (never on
//! its command line, where the process list would show a URL's password), its run is recorded
//! in the run log by the child itself as `schedule job NAME`, and its output is relayed line by
//! line to the caller.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// The one argument a job's process gets: its own arguments follow on standard input (a JSON
/// array), so the URLs in them (and their passwords) stay out of the process list.
pub const ARGUMENTS_ON_STDIN: &str = "--job-arguments-on-stdin";

/// Which of the child's streams a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Where a job's output lines go, each without its line ending; also the runner's own lines
/// about the job (it could not start, it did not take its arguments), on [`Stream::Stderr`].
pub type Relay = Arc<dyn Fn(Stream, &str) + Send + Sync>;

/// How a job's process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobExit {
    Code(i32),
    /// Ended by a signal (killed, or stopped with the terminal).
    Signal,
    /// The process could not start: why.
    NotStarted(String),
}

impl JobExit {
    fn of(status: ExitStatus) -> JobExit {
        status.code().map_or(JobExit::Signal, JobExit::Code)
    }

    /// Its exit code, when it exited.
    pub fn code(&self) -> Option<i32> {
        match self {
            JobExit::Code(code) => Some(*code),
            _ => None,
        }
    }

    pub fn succeeded(&self) -> bool {
        self.code() == Some(0)
    }

    /// As the schedule log writes it: the code, `signal` or `not-started`.
    pub fn shown(&self) -> String {
        match self {
            JobExit::Code(code) => code.to_string(),
            JobExit::Signal => "signal".to_owned(),
            JobExit::NotStarted(_) => "not-started".to_owned(),
        }
    }
}

/// Starts jobs as child processes of the drydock binary `exe`.
#[derive(Debug, Clone)]
pub struct JobRunner {
    pub exe: PathBuf,
    /// `--schema` for every job that does not name its own.
    pub schema: Option<PathBuf>,
    /// `--config` for every job that does not name its own.
    pub config: Option<PathBuf>,
}

impl JobRunner {
    /// A runner of the binary this process runs.
    pub fn of_this_binary(
        schema: Option<&Path>,
        config: Option<&Path>,
    ) -> std::io::Result<JobRunner> {
        Ok(JobRunner {
            exe: std::env::current_exe()?,
            schema: schema.map(Path::to_owned),
            config: config.map(Path::to_owned),
        })
    }

    /// The child's arguments: the job's, with this runner's `--schema` and `--config` unless
    /// the job names them.
    pub fn arguments(&self, args: &[String]) -> Vec<String> {
        let names = |flag: &str| {
            args.iter()
                .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
        };
        let mut words = Vec::with_capacity(args.len() + 4);
        for (flag, value) in [("--schema", &self.schema), ("--config", &self.config)] {
            if let (Some(path), false) = (value, names(flag)) {
                words.push(flag.to_owned());
                words.push(path.display().to_string());
            }
        }
        words.extend(args.iter().cloned());
        words
    }

    /// Start job `name` with `args`, its output relayed to `relay` with no prefix. `Err`: it
    /// could not start (the reason was relayed too).
    pub fn start(&self, name: &str, args: &[String], relay: Relay) -> Result<RunningJob, JobExit> {
        let started_at = Utc::now();
        let clock = Instant::now();
        let arguments = serde_json::to_string(&self.arguments(args)).unwrap_or_default();
        let mut command = Command::new(&self.exe);
        if std::env::var_os("DRYDOCK_ACTOR").is_none() {
            // The job's run in the run log names the job that started it.
            command.env("DRYDOCK_ACTOR", format!("schedule job {name}"));
        }
        command
            .arg(ARGUMENTS_ON_STDIN)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|error| {
            let why = format!("could not start {}: {error}", self.exe.display());
            relay(Stream::Stderr, &why);
            JobExit::NotStarted(why)
        })?;
        // Dropping stdin after the write closes it: the job reads no other input.
        if let Some(mut stdin) = child.stdin.take()
            && let Err(error) = stdin.write_all(arguments.as_bytes())
        {
            // The job ended before it read them; its exit code says the rest.
            relay(
                Stream::Stderr,
                &format!("could not hand the job its arguments: {error}"),
            );
        }
        let mut relays = Vec::with_capacity(2);
        if let Some(out) = child.stdout.take() {
            let relay = relay.clone();
            relays.push(std::thread::spawn(move || {
                relay_lines(out, Stream::Stdout, &relay)
            }));
        }
        if let Some(err) = child.stderr.take() {
            relays.push(std::thread::spawn(move || {
                relay_lines(err, Stream::Stderr, &relay)
            }));
        }
        Ok(RunningJob {
            child,
            relays,
            started_at,
            clock,
        })
    }

    /// Run job `name` to its end; how it ended, when it started and how long it took.
    pub fn run(&self, name: &str, args: &[String], relay: Relay) -> JobEnd {
        let started_at = Utc::now();
        match self.start(name, args, relay) {
            Ok(job) => job.wait(),
            Err(exit) => JobEnd {
                exit,
                started_at,
                duration: Duration::ZERO,
            },
        }
    }
}

/// A job's process that has started.
pub struct RunningJob {
    child: Child,
    relays: Vec<JoinHandle<()>>,
    pub started_at: DateTime<Utc>,
    clock: Instant,
}

/// A job's run that has ended.
#[derive(Debug, Clone)]
pub struct JobEnd {
    pub exit: JobExit,
    pub started_at: DateTime<Utc>,
    pub duration: Duration,
}

impl RunningJob {
    /// How long it has run.
    pub fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// Whether it has ended, without waiting.
    pub fn has_ended(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Stop it at once (SIGKILL): the run log shows its run as running with its process gone.
    pub fn kill(&mut self) {
        // It may have ended meanwhile: then there is nothing to stop.
        let _ = self.child.kill();
    }

    /// Wait for its end and for the last of its output.
    pub fn wait(mut self) -> JobEnd {
        let exit = match self.child.wait() {
            Ok(status) => JobExit::of(status),
            Err(_) => JobExit::Signal,
        };
        for relay in self.relays {
            // A relay that panicked lost lines, not the run.
            let _ = relay.join();
        }
        JobEnd {
            exit,
            started_at: self.started_at,
            duration: self.clock.elapsed(),
        }
    }
}

/// Copy a child's output line by line.
fn relay_lines(stream: impl Read, which: Stream, relay: &Relay) {
    let mut reader = BufReader::new(stream);
    let mut buffer = Vec::new();
    // Output that is not UTF-8 is shown lossily; a read error ends the relay, not the job.
    while let Ok(n) = reader.read_until(b'\n', &mut buffer) {
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&buffer);
        relay(which, text.trim_end_matches(['\n', '\r']));
        buffer.clear();
    }
}

/// Append `line` to the schedule log at `path` in one write (so a stop never leaves half a
/// line), creating its folder.
pub fn append_to_log(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_adds_schema_and_config_unless_the_job_names_them() {
        let runner = JobRunner {
            exe: PathBuf::from("drydock"),
            schema: Some(PathBuf::from("p/schema.prisma")),
            config: None,
        };
        let words = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            runner.arguments(&args)
        };
        assert_eq!(words(&["check"]), ["--schema", "p/schema.prisma", "check"]);
        assert_eq!(
            words(&["--schema=x.prisma", "check"]),
            ["--schema=x.prisma", "check"]
        );
    }
}
