//! A recorded run as people and programs read it, the same from the command line (`drydock
//! runs`) and the server (`/api/runs`): its status word, how long it took, its JSON shape
//! (`docs/json-output.md`).

use drydock_connector::{Run, RunStatus};

/// How a run stands: its status, or `interrupted` for a running one whose process is gone.
pub fn status_word(run: &Run) -> &'static str {
    if run.owner_gone(&crate::host_name()) {
        "interrupted"
    } else {
        run.progress.status.as_str()
    }
}

/// How long a finished run took.
pub fn duration(run: &Run) -> Option<chrono::Duration> {
    let end = match run.progress.status {
        RunStatus::Running => return None,
        _ => run.progress.finished_at?,
    };
    Some(end - run.start.started_at)
}

/// The run as JSON: its fields, its parameters as JSON, its status word and duration.
pub fn run_json(run: &Run) -> serde_json::Value {
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
