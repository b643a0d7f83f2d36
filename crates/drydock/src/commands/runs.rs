//! `drydock runs`: the run log, as a table or JSON; `drydock runs show ID`: one run whole.

use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{Run, RunFilter, RunStatus};
use drydock_engine::{Discovery, EngineError, Project};
use drydock_tasks::{Event, Events, Level, Recorder};
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

/// A command's run in the run log, from its start to its end. The command's own output goes to
/// the terminal as before; the run records its arguments, who ran it and how it ended.
pub(crate) struct Recording {
    recorder: Recorder<'static>,
}

/// Warnings about the run log itself go to stderr; they never fail the command.
fn warn_on_stderr(event: Event) {
    if let Event::Log {
        level: Level::Warning,
        line,
    } = event
    {
        eprintln!("Warning: {line}");
    }
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
        Some(Recording {
            recorder: Recorder::start(open, task, &parameters, &warn_on_stderr),
        })
    }

    /// Where the command reports its log lines and counts for the run.
    pub(crate) fn events(&self) -> &dyn Events {
        &self.recorder
    }

    /// Record how the command ended.
    pub(crate) fn finish(self, result: &anyhow::Result<ExitCode>) {
        let (status, summary) = match result {
            Ok(code) if *code == ExitCode::SUCCESS => (RunStatus::Succeeded, String::new()),
            Ok(_) => (
                RunStatus::Warned,
                "ended with a non-zero exit status".to_owned(),
            ),
            // The recorder redacts what it stores.
            Err(error) => {
                let message = format!("{error:#}");
                self.recorder.event(Event::Log {
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

/// How a run stands: its status, or `interrupted` for a running one whose process is gone.
fn status_word(run: &Run) -> &'static str {
    if run.owner_gone(&drydock_tasks::host_name()) {
        "interrupted"
    } else {
        run.progress.status.as_str()
    }
}

fn run_json(run: &Run) -> serde_json::Value {
    let mut value = serde_json::to_value(run).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        let parameters = serde_json::from_str(&run.start.parameters)
            .unwrap_or_else(|_| serde_json::Value::String(run.start.parameters.clone()));
        object.insert("parameters".into(), parameters);
        object.insert("status".into(), status_word(run).into());
        object.insert(
            "duration_ms".into(),
            duration(run).map(|d| d.num_milliseconds()).into(),
        );
    }
    value
}

fn duration(run: &Run) -> Option<chrono::Duration> {
    let end = match run.progress.status {
        RunStatus::Running => return None,
        _ => run.progress.finished_at?,
    };
    Some(end - run.start.started_at)
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
    let rows: Vec<[String; 7]> = runs
        .iter()
        .map(|run| {
            [
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
    let header = [
        "ID",
        "TASK",
        "STATUS",
        "STARTED (UTC)",
        "TOOK",
        "BY",
        "SUMMARY",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut line = String::new();
        for (index, cell) in cells.iter().enumerate() {
            if index + 1 == cells.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[index]));
            }
        }
        format!("{}\n", line.trim_end())
    };
    let mut text = line(&header);
    for row in &rows {
        text.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    text
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
