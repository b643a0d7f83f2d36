//! Running the database's own command-line tools (dump and load programs) as child processes.
//! Every child dies with drydock: a `kill -9` of drydock must not leave a `pg_dump` filling a
//! temporary folder nobody will read.

use std::io::{PipeReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::thread::JoinHandle;

use crate::BackupError;

/// Start `command` as a child that dies with drydock: in a process group of its own (a Ctrl-C
/// at the terminal reaches drydock, which decides), on Linux killed by the kernel when
/// drydock's spawning thread ends, however it ends, and with a guard that kills the rest of
/// its group (the workers of `pg_dump --jobs`, which the kernel signal does not reach) the
/// moment drydock is gone.
pub(crate) fn spawn(command: &mut Command) -> std::io::Result<Child> {
    let child = contain(command).spawn()?;
    guard_group(child.id());
    Ok(child)
}

/// The guard: a shell in the tool's process group (so that the group's id cannot be taken by
/// another group while it lives), detached from drydock. Its standard input is the read end
/// of [`lifeline`], whose write end only drydock holds: the read returns when the kernel
/// closes it, as drydock dies, however it dies, and the guard kills the group at once. It
/// also checks the tool's leader every second and kills the group once the leader is gone:
/// the workers of a leader that died alone, or only itself after a normal end (the leader
/// waits for its workers). (`kill -KILL -<group>`: dash's `kill` takes no `--`.)
const GUARD: &str = "exec 3<&0 </dev/null; ({ read -r _ <&3; kill -KILL \"-$1\"; } & exec 3<&-; \
   while kill -0 \"$1\"; do sleep 1; done; kill -KILL \"-$1\") >/dev/null 2>&1 &";

/// The read end of a pipe whose write end drydock keeps open until it ends (close-on-exec,
/// so that no tool or guard inherits it): end of file on it means drydock is gone.
fn lifeline() -> Option<&'static PipeReader> {
    static READ_END: OnceLock<Option<PipeReader>> = OnceLock::new();
    READ_END
        .get_or_init(|| {
            let (read, write) = std::io::pipe().ok()?;
            // Never closed: the kernel closes it when drydock ends.
            std::mem::forget(write);
            Some(read)
        })
        .as_ref()
}

/// Start the [`GUARD`] of the group led by `leader`. Best effort: without `sh` or the pipe,
/// the leader still dies with drydock.
fn guard_group(leader: u32) {
    let (Ok(group), Some(lifeline)) = (i32::try_from(leader), lifeline()) else {
        return;
    };
    let Ok(read_end) = lifeline.try_clone() else {
        return;
    };
    let _ = Command::new("sh")
        .args(["-c", GUARD, "drydock-guard"])
        .arg(leader.to_string())
        .process_group(group)
        .stdin(Stdio::from(read_end))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// [`spawn`], waiting for the output (for `--version` and short queries).
pub(crate) fn output(command: &mut Command) -> std::io::Result<Output> {
    contain(command).output()
}

fn contain(command: &mut Command) -> &mut Command {
    command.process_group(0);
    #[cfg(target_os = "linux")]
    die_with_parent(command);
    command
}

/// `PR_SET_PDEATHSIG` (`SIGKILL`) in the child, between fork and exec. The signal follows the
/// thread that spawned the child: every caller waits for its child on that same thread.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn die_with_parent(command: &mut Command) {
    let parent = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    // SAFETY: the closure runs in the forked child before exec, so it may only make
    // async-signal-safe calls: `prctl` and `getppid` are system calls, and the errors built
    // from raw OS codes do not allocate.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // drydock may have died before the signal was armed: then nobody would send it.
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    #[test]
    fn a_child_runs_in_a_group_of_its_own_and_dies_with_the_thread_that_started_it() {
        let (mut child, group) = std::thread::spawn(|| {
            let child = spawn(Command::new("sleep").arg("30")).expect("sleep runs");
            let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id()))
                .expect("the child's stat");
            // `pid (name) state ppid pgrp ...`
            let group: u32 = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(2)?.parse().ok())
                .expect("a process group");
            (child, group)
        })
        .join()
        .expect("the spawning thread");
        assert_eq!(group, child.id());
        let status = child.wait().expect("the child ends");
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
    }
}
