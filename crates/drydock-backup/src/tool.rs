//! Running the database's own command-line tools (dump and load programs) as child processes.

use std::io::Read;
use std::process::Child;
use std::thread::JoinHandle;

use crate::BackupError;

/// Read a child's stderr on a thread, so a chatty tool never blocks on a full pipe.
pub(crate) fn collect_stderr(child: &mut Child) -> JoinHandle<String> {
    let stderr = child.stderr.take();
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    })
}

/// Wait for `tool` to exit; a failure carries what it printed on stderr (or its exit status
/// when it printed nothing).
pub(crate) fn finish_tool(
    mut child: Child,
    stderr: JoinHandle<String>,
    tool: &str,
) -> Result<(), BackupError> {
    let status = child
        .wait()
        .map_err(|e| BackupError::io(format!("waiting for {tool}"), e))?;
    let message = stderr.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
    let message = message.trim();
    Err(BackupError::Tool {
        tool: tool.to_owned(),
        message: if message.is_empty() {
            status.to_string()
        } else {
            message.to_owned()
        },
    })
}

/// Stream `input` into the standard input of `child` (spawned with stdin and stderr piped),
/// then wait for it. When `input` cannot be read (a corrupt backup, a wrong passphrase) the
/// tool is stopped; when the tool stops reading, its own message says why.
pub(crate) fn feed_tool(
    mut child: Child,
    input: &mut dyn Read,
    tool: &str,
) -> Result<(), BackupError> {
    let stderr = collect_stderr(&mut child);
    let copied = match child.stdin.take() {
        // Dropping stdin at the end of the block closes the pipe: the tool sees EOF.
        Some(mut stdin) => std::io::copy(input, &mut stdin),
        None => Ok(0),
    };
    match copied {
        Ok(_) => finish_tool(child, stderr, tool),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            finish_tool(child, stderr, tool)?;
            Err(BackupError::io("restoring", e))
        }
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(BackupError::io("reading the backup", e))
        }
    }
}
