//! `drydock runs`: the run log, as a table or JSON; `drydock runs show ID`: one run whole.

use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{Run, RunFilter, RunStatus};
use drydock_engine::{Discovery, EngineError, Project};
use drydock_tasks::{Event, Level, Recorder, duration, run_json, status_word};
use serde_json::json;

use crate::cli::{RunsArgs, RunsCommand};
use crate::output::print_json;

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
const JSON_VERSION: u32 = 1;

pub(crate) fn run(discovery: Discovery<'_>, args: RunsArgs) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    match args.command {
        None => {
            let mut log = drydock_engine::open_run_log(&project, args.connection.url.as_deref())?;
            let filter = RunFilter {
                task: args.task,
                since: args.since,
                limit: Some(args.limit),
            };
            let runs = log.list(&filter).map_err(EngineError::from)?;
            if args.output.json {
                let runs: Vec<_> = runs.iter().map(run_json).collect();
                print_json(&json!({ "version": JSON_VERSION, "runs": runs }))?;
            } else if runs.is_empty() {
                println!("No runs recorded{}.", filter_words(&filter));
            } else {
                print!("{}", render_table(&runs));
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(RunsCommand::Show {
            id,
            connection,
            output,
        }) => {
            let mut log = drydock_engine::open_run_log(&project, connection.url.as_deref())?;
            let Some(run) = log.get(&id).map_err(EngineError::from)? else {
                return Err(EngineError::Usage(format!(
                    "no run has the id `{id}`, or several start with it: `drydock runs` lists them"
                ))
                .into());
            };
            if output.json {
                print_json(&json!({ "version": JSON_VERSION, "run": run_json(&run) }))?;
            } else {
                print!("{}", render_run(&run));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A command's run in the run log, from its start to its end. The command's tasks report
/// through [`crate::terminal::events`], which then goes through the run's [`Recorder`]: the
/// run keeps every log line and count the terminal gets, the lines of the result printed with
/// [`crate::terminal::say`], and the summary set with [`crate::terminal::summary`].
pub(crate) struct Recording {
    recorder: &'static Recorder<'static>,
}

impl Recording {
    /// Start a run of `task` where the project keeps its run log. `None` when there is no run
    /// log to write to (no project, no URL, a database that is not there yet): the command
    /// reports those itself.
    pub(crate) fn start(
        discovery: Discovery<'_>,
        task: &str,
        url: Option<&str>,
        arguments: &[String],
    ) -> Option<Self> {
        let project = Project::discover(discovery).ok()?;
        // The session opened here serves the first write; a new one only follows a failure.
        let opened = std::sync::Mutex::new(Some(drydock_engine::open_run_log(&project, url).ok()?));
        let url = url.map(str::to_owned);
        let open: drydock_tasks::OpenRunLog = Box::new(move || {
            if let Some(log) = opened.lock().ok().and_then(|mut log| log.take()) {
                return Ok(log);
            }
            drydock_engine::open_run_log(&project, url.as_deref())
                .map_err(|error| drydock_connector::ConnectorError::query(error.to_string()))
        });
        let parameters = json!({ "arguments": arguments });
        // The run log's own warnings go to the terminal; they never fail the command.
        let recorder = Recorder::start(open, task, &parameters, crate::terminal::terminal());
        if !crate::terminal::record(recorder) {
            return None;
        }
        Some(Recording {
            recorder: crate::terminal::recorder()?,
        })
    }

    /// Record how the command ended: with the summary its result set, else the first line of
    /// its error.
    pub(crate) fn finish(self, result: &anyhow::Result<ExitCode>) {
        let summary = crate::terminal::take_summary().unwrap_or_default();
        let (status, summary) = match result {
            Ok(code) if *code == ExitCode::SUCCESS => (RunStatus::Succeeded, summary),
            Ok(_) if summary.is_empty() => (
                RunStatus::Warned,
                "ended with a non-zero exit status".to_owned(),
            ),
            Ok(_) => (RunStatus::Warned, summary),
            // The recorder redacts what it stores; the error reaches the terminal on its own.
            Err(error) => {
                let message = format!("{error:#}");
                self.recorder.note(&Event::Log {
                    level: Level::Error,
                    line: message.clone(),
                });
                (RunStatus::Failed, message)
            }
        };
        self.recorder
            .finish(status, summary.lines().next().unwrap_or_default());
    }
}

fn time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn filter_words(filter: &RunFilter) -> String {
    let mut words = String::new();
    if let Some(task) = &filter.task {
        words.push_str(&format!(" of `{task}`"));
    }
    if let Some(since) = &filter.since {
        words.push_str(&format!(" since {}", time(since)));
    }
    words
}

fn render_table(runs: &[Run]) -> String {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            vec![
                run.start.id.clone(),
                run.start.task.clone(),
                status_word(run).to_owned(),
                time(&run.start.started_at),
                duration(run).map_or_else(|| "-".to_owned(), |d| human_duration(&d)),
                format!("{}@{}", run.start.actor, run.start.host),
                run.progress.summary.clone(),
            ]
        })
        .collect();
    crate::output::table(
        &[
            "ID",
            "TASK",
            "STATUS",
            "STARTED (UTC)",
            "TOOK",
            "BY",
            "SUMMARY",
        ],
        &rows,
    )
}

fn human_duration(duration: &chrono::Duration) -> String {
    let ms = duration.num_milliseconds().max(0);
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{}m {:02}s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

fn render_run(run: &Run) -> String {
    let mut text = format!(
        "Run {}\nTask:       {}\nStatus:     {}\nStarted:    {}\n",
        run.start.id,
        run.start.task,
        status_word(run),
        time(&run.start.started_at)
    );
    if let Some(finished) = &run.progress.finished_at {
        text.push_str(&format!("Finished:   {}", time(finished)));
        if let Some(took) = duration(run) {
            text.push_str(&format!(" (took {})", human_duration(&took)));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "By:         {} on {} (pid {})\nParameters: {}\n",
        run.start.actor, run.start.host, run.start.pid, run.start.parameters
    ));
    if let Some(examined) = run.progress.examined {
        text.push_str(&format!("Examined:   {examined}\n"));
    }
    if let Some(affected) = run.progress.affected {
        text.push_str(&format!("Affected:   {affected}\n"));
    }
    if !run.progress.summary.is_empty() {
        text.push_str(&format!("Summary:    {}\n", run.progress.summary));
    }
    if run.progress.log.is_empty() {
        text.push_str("\nNo log lines.\n");
    } else {
        text.push_str("\nLog:\n");
        for line in run.progress.log.lines() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text
}
