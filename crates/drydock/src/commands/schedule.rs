//! `drydock schedule`: run the `[[schedule]]` jobs of drydock.toml, each as a child process of
//! this binary, on their cron schedules (UTC).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::Parser;
use clap::error::ErrorKind;
use drydock_connector::redact_text;
use drydock_engine::job_runner::{self, ARGUMENTS_ON_STDIN, JobRunner, Relay, Stream};
use drydock_engine::{Discovery, Settings};

use crate::cli::{Cli, ScheduleArgs};
use crate::output::print_json;

/// The log file when neither `--log` nor a `[backup] dir` names a place.
const DEFAULT_LOG: &str = "drydock-schedule.log";

/// The arguments of this process: a job's from standard input when the scheduler started it,
/// else the command line's.
pub(crate) fn process_arguments() -> Result<Vec<String>, String> {
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some(ARGUMENTS_ON_STDIN) || args.len() != 2 {
        return Ok(args);
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the job's arguments from standard input: {e}"))?;
    let job: Vec<String> = serde_json::from_str(&input)
        .map_err(|e| format!("the job's arguments on standard input are not valid: {e}"))?;
    args.truncate(1);
    args.extend(job);
    Ok(args)
}

pub(crate) fn run(discovery: Discovery<'_>, args: &ScheduleArgs) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let settings = Settings::load(&project)?;
    settings.check_schedule(|job| check_command(&job.args))?;
    if settings.schedule.is_empty() {
        anyhow::bail!(
            "no jobs to run: add `[[schedule]]` tables (name, cron, run) to {} (docs/schedule.md)",
            settings
                .path
                .as_deref()
                .unwrap_or(Path::new(drydock_engine::SETTINGS_FILE))
                .display()
        );
    }
    let cwd = std::env::current_dir().context("cannot read the working folder")?;
    let log = cwd.join(log_path(&settings, args.log.as_deref()));
    let runner = Runner {
        jobs: JobRunner::of_this_binary(discovery.schema, discovery.config)
            .context("cannot find the drydock binary to run jobs with")?,
        log,
    };
    if args.list {
        return list(&settings, args.json);
    }
    if args.print_crontab {
        return print_crontab(&settings, &runner, &cwd);
    }
    if let Some(name) = &args.run_now {
        let job = settings
            .schedule
            .iter()
            .find(|job| job.name == *name)
            .with_context(|| {
                let names: Vec<&str> = settings.schedule.iter().map(|j| j.name.as_str()).collect();
                format!(
                    "no job is named `{name}`; the jobs are: {}",
                    names.join(", ")
                )
            })?;
        let code = runner.run(&job.name, &job.args)?;
        return Ok(ExitCode::from(
            code.and_then(|c| u8::try_from(c).ok()).unwrap_or(1),
        ));
    }
    foreground(&settings, &runner, args.max_runs)
}

/// A job's arguments must be a drydock command that parses, and not the scheduler itself.
pub(crate) fn check_command(args: &[String]) -> Result<(), String> {
    let words = std::iter::once("drydock").chain(args.iter().map(String::as_str));
    match Cli::try_parse_from(words) {
        Ok(cli) if matches!(cli.command, crate::cli::Command::Schedule(_)) => {
            Err("a job cannot run `drydock schedule`".to_owned())
        }
        Ok(_) => Ok(()),
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            Err("it names no drydock command to run".to_owned())
        }
        Err(error) => {
            // clap's first line says what is wrong; usage and tips follow it.
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            Err(redact_text(first.trim_start_matches("error: ")))
        }
    }
}

/// `--log`, else `schedule.log` in the configured backup folder, else `./drydock-schedule.log`.
fn log_path(settings: &Settings, flag: Option<&Path>) -> PathBuf {
    match (flag, &settings.backup.dir) {
        (Some(path), _) => path.to_owned(),
        (None, Some(dir)) => dir.join("schedule.log"),
        (None, None) => PathBuf::from(DEFAULT_LOG),
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn list(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    if json {
        let jobs: Vec<serde_json::Value> = settings
            .schedule
            .iter()
            .map(|job| {
                let next: Vec<String> = job.upcoming(now, 3).into_iter().map(time).collect();
                let args: Vec<String> = job.args.iter().map(|a| redact_text(a)).collect();
                serde_json::json!({
                    "name": job.name,
                    "cron": job.cron,
                    "run": redact_text(&job.run),
                    "args": args,
                    "next": next,
                })
            })
            .collect();
        print_json(&jobs)?;
        return Ok(ExitCode::SUCCESS);
    }
    for job in &settings.schedule {
        println!(
            "{}  `{}`  drydock {}",
            job.name,
            job.cron,
            redact_text(&job.run)
        );
        let next = job.upcoming(now, 3);
        if next.is_empty() {
            println!("  (never due again)");
        }
        for at in next {
            println!("  {}", time(at));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The jobs as crontab lines. cron has no seconds field, so six-field jobs are left out with a
/// comment saying so.
fn print_crontab(settings: &Settings, runner: &Runner, cwd: &Path) -> anyhow::Result<ExitCode> {
    let quote = |path: &Path| -> anyhow::Result<String> {
        let text = path
            .to_str()
            .with_context(|| format!("`{}` is not valid UTF-8", path.display()))?;
        Ok(shlex::try_quote(text)
            .with_context(|| format!("`{text}` cannot be quoted for a shell"))?
            .into_owned())
    };
    let (dir, exe, log) = (quote(cwd)?, quote(&runner.jobs.exe)?, quote(&runner.log)?);
    let file = settings
        .path
        .as_deref()
        .unwrap_or(Path::new(drydock_engine::SETTINGS_FILE));
    println!(
        "# drydock schedule: the [[schedule]] jobs of {}",
        cwd.join(file).display()
    );
    println!(
        "# drydock reads these times as UTC; cron uses the machine's time zone (CRON_TZ=UTC or"
    );
    println!("# TZ=UTC in front of these lines changes that where cron supports it).");
    for job in &settings.schedule {
        if job.has_seconds {
            println!(
                "# {}: `{}` has a seconds field, which crontab cannot express; skipped",
                job.name, job.cron
            );
            continue;
        }
        let words = runner.jobs.arguments(&job.args);
        let command = shlex::try_join(words.iter().map(String::as_str))
            .with_context(|| format!("job `{}`: its arguments cannot be quoted", job.name))?;
        let shown = redact_text(&command);
        // cron turns an unescaped `%` into a newline.
        let line = format!("cd {dir} && {exe} {shown} >> {log} 2>&1").replace('%', "\\%");
        println!("# {}", job.name);
        if shown != command {
            println!(
                "# its password is shown as {}: put the real one in place, or better, have the \
                 job read its URL from the environment",
                drydock_connector::MASK
            );
        }
        println!("{} {line}", job.cron);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs jobs as child processes of this binary (drydock-engine's [`JobRunner`]), prints their
/// lines with the job's name in front, and logs each run.
struct Runner {
    jobs: JobRunner,
    log: PathBuf,
}

impl Runner {
    /// Run one job to its end, its output streamed with its name in front, and log the run.
    /// Returns its exit code (`None`: it was ended by a signal or could not start).
    fn run(&self, name: &str, args: &[String]) -> anyhow::Result<Option<i32>> {
        println!(
            "[{name}] started at {}: drydock {}",
            time(Utc::now()),
            redact_text(&args.join(" "))
        );
        let prefix = name.to_owned();
        let relay: Relay = Arc::new(move |stream, line| match stream {
            Stream::Stdout => println!("[{prefix}] {line}"),
            Stream::Stderr => eprintln!("[{prefix}] {line}"),
        });
        let end = self.jobs.run(name, args, relay);
        let line = format!(
            "{} job={name:?} exit={} duration={:.2}s\n",
            time(end.started_at),
            end.exit.shown(),
            end.duration.as_secs_f64()
        );
        self.log(&line)?;
        Ok(end.exit.code())
    }

    /// Print `line` and append it to the log.
    fn log(&self, line: &str) -> anyhow::Result<()> {
        print!("{line}");
        job_runner::append_to_log(&self.log, line)
            .with_context(|| format!("cannot write the schedule log {}", self.log.display()))
    }
}

/// Sleep until the next job is due, run every due job in file order, repeat. Ctrl-C (or
/// SIGTERM) stops between runs: a running job gets the terminal's Ctrl-C itself and is logged
/// when it ends.
fn foreground(
    settings: &Settings,
    runner: &Runner,
    max_runs: Option<u64>,
) -> anyhow::Result<ExitCode> {
    let (stop, stopped) = mpsc::channel();
    ctrlc::set_handler(move || {
        // The receiver lives as long as the loop; after it, there is nothing left to stop.
        let _ = stop.send(());
    })
    .context("cannot handle Ctrl-C")?;
    let jobs = &settings.schedule;
    let now = Utc::now();
    let mut due: Vec<Option<DateTime<Utc>>> = jobs.iter().map(|job| job.next_after(now)).collect();
    let width = jobs.iter().map(|job| job.name.len()).max().unwrap_or(0);
    for (job, next) in jobs.iter().zip(&due) {
        let next = next.map_or_else(|| "never".to_owned(), time);
        println!(
            "{:<width$}  next {next}  `{}`  drydock {}",
            job.name,
            job.cron,
            redact_text(&job.run)
        );
    }
    println!("Logging runs to {}; Ctrl-C stops.", runner.log.display());
    let mut runs = 0u64;
    loop {
        let Some(next) = due.iter().flatten().min().copied() else {
            println!("No job is due again; stopping.");
            return Ok(ExitCode::SUCCESS);
        };
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        match stopped.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return Ok(stopped_cleanly()),
        }
        for (job, due) in jobs.iter().zip(due.iter_mut()) {
            let Some(at) = *due else { continue };
            if at > Utc::now() {
                continue;
            }
            runner.run(&job.name, &job.args)?;
            runs += 1;
            // Jobs run one at a time: times that passed while this one ran or waited are
            // skipped, not caught up.
            let finished = Utc::now();
            let skipped = job.due_between(at, finished);
            if skipped > 0 {
                runner.log(&format!(
                    "{} job={:?} skipped={skipped} (due while the job was still running or \
                     waiting for another)\n",
                    time(finished),
                    job.name
                ))?;
            }
            *due = job.next_after(finished);
            if max_runs.is_some_and(|max| runs >= max) {
                println!("Ran {runs} jobs (--max-runs); stopping.");
                return Ok(ExitCode::SUCCESS);
            }
            if stopped.try_recv().is_ok() {
                return Ok(stopped_cleanly());
            }
        }
    }
}

fn stopped_cleanly() -> ExitCode {
    println!("Stopped.");
    ExitCode::SUCCESS
}
