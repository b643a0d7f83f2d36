//! No password leaves drydock: every command run against the password-checking server
//! (`scripts/with-databases.sh`) with a password in its URL, and the password is looked for in
//! everything it shows (standard output and error, JSON included), every file it writes in the
//! project, the backup folder, the cache and the temporary folder, and the command lines of the
//! processes it starts (`pg_dump`, `pg_restore`, scheduled jobs), read from `/proc` while they
//! run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use drydock_test_support::{POSTGRES_PASSWORD, TestDb};

/// At most this many looks at `/proc` per command, one every [`POLL_INTERVAL`].
const MAX_POLLS: u32 = 3000;
const POLL_INTERVAL: Duration = Duration::from_millis(2);

const SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
                      model User {\n  id    Int    @id\n  email String @unique\n}\n";

struct Sandbox {
    _root: tempfile::TempDir,
    project: PathBuf,
    /// `HOME`, `XDG_CACHE_HOME` and `TMPDIR` of every run.
    state: PathBuf,
    /// What each file held before the last run.
    seen: BTreeMap<PathBuf, Vec<u8>>,
    /// The command lines of drydock's descendants, seen while commands ran.
    children_seen: BTreeSet<String>,
}

impl Sandbox {
    fn new(url: &str, other_url: &str) -> Sandbox {
        let root = tempfile::tempdir().expect("temp dir");
        let project = root.path().join("project");
        let state = root.path().join("state");
        for dir in [
            project.join("prisma"),
            state.join("tmp"),
            state.join("cache"),
        ] {
            std::fs::create_dir_all(dir).expect("folders");
        }
        std::fs::write(project.join(".env"), format!("DATABASE_URL=\"{url}\"\n")).expect(".env");
        std::fs::write(project.join("prisma/schema.prisma"), SCHEMA).expect("schema");
        // Jobs whose command lines hold a URL with its password.
        std::fs::write(
            project.join("drydock.toml"),
            format!(
                "[backup]\ndir = \"backups\"\n\n\
                 [[schedule]]\nname = \"lint\"\ncron = \"* * * * * *\"\nrun = \"lint --url {url}\"\n\n\
                 [[schedule]]\nname = \"restore\"\ncron = \"0 3 * * *\"\n\
                 run = \"backup restore --force --to {other_url}\"\n"
            ),
        )
        .expect("drydock.toml");
        let mut sandbox = Sandbox {
            _root: root,
            project,
            state,
            seen: BTreeMap::new(),
            children_seen: BTreeSet::new(),
        };
        sandbox.seen = sandbox.files();
        sandbox
    }

    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        for dir in [&self.project, &self.state] {
            collect(dir, &mut files);
        }
        files
    }

    /// Runs drydock with `args`, watching its descendants' command lines while it runs; then
    /// checks its output and every file it wrote or changed.
    fn run(&mut self, args: &[&str], expect_success: bool) -> String {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("drydock"))
            .args(args)
            .current_dir(&self.project)
            .env_remove("DATABASE_URL")
            .env("HOME", &self.state)
            .env("XDG_CACHE_HOME", self.state.join("cache"))
            .env("TMPDIR", self.state.join("tmp"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("running drydock");
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let read = |stream: Option<std::process::ChildStdout>| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                if let Some(mut stream) = stream {
                    std::io::Read::read_to_end(&mut stream, &mut text).expect("output");
                }
                text
            })
        };
        let out = read(stdout);
        let err = std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut stream) = stderr {
                std::io::Read::read_to_end(&mut stream, &mut text).expect("output");
            }
            text
        });
        let root = child.id();
        let mut polls = 0;
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting for drydock") {
                break status;
            }
            if polls < MAX_POLLS {
                polls += 1;
                for line in descendant_command_lines(root) {
                    assert!(
                        !line.contains(POSTGRES_PASSWORD),
                        "drydock {args:?}: a child process shows the password: {line}"
                    );
                    self.children_seen.insert(line);
                }
                std::thread::sleep(POLL_INTERVAL);
            } else {
                break child.wait().expect("waiting for drydock");
            }
        };
        let output = Output {
            status,
            stdout: out.join().expect("stdout"),
            stderr: err.join().expect("stderr"),
        };
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !text.contains(POSTGRES_PASSWORD),
            "drydock {args:?} shows the password: {text}"
        );
        assert_eq!(
            output.status.success(),
            expect_success,
            "drydock {args:?}: {text}"
        );
        let now = self.files();
        for (path, content) in &now {
            if self.seen.get(path) != Some(content) {
                assert!(
                    !String::from_utf8_lossy(content).contains(POSTGRES_PASSWORD),
                    "drydock {args:?} wrote the password to {}",
                    path.display()
                );
            }
        }
        self.seen = now;
        text
    }
}

fn collect(dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if let Ok(content) = std::fs::read(&path) {
            files.insert(path, content);
        }
    }
}

/// The command lines (arguments joined by spaces) of every process below `root`.
fn descendant_command_lines(root: u32) -> Vec<String> {
    let mut parents = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            // `pid (name) state ppid ...`: the name may hold spaces and parentheses.
            let ppid = std::fs::read_to_string(entry.path().join("stat"))
                .ok()
                .and_then(|stat| {
                    let after = stat.rsplit_once(')')?.1.to_owned();
                    after.split_whitespace().nth(1)?.parse::<u32>().ok()
                });
            if let Some(ppid) = ppid {
                parents.push((pid, ppid));
            }
        }
    }
    let mut below = BTreeSet::from([root]);
    loop {
        let before = below.len();
        for (pid, ppid) in &parents {
            if below.contains(ppid) {
                below.insert(*pid);
            }
        }
        if below.len() == before {
            break;
        }
    }
    below.remove(&root);
    // Between fork and exec a child still runs drydock's own image with the arguments the user
    // typed (a `pre_exec` hook makes std fork rather than spawn): only what it execs counts.
    let own = std::fs::read(format!("/proc/{root}/cmdline")).ok();
    below
        .into_iter()
        .filter_map(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).ok())
        .filter(|raw| Some(raw) != own.as_ref())
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .collect()
}

#[test]
fn no_command_shows_or_hands_on_the_password() {
    let db = TestDb::postgres_password();
    let other = TestDb::postgres_password();
    let url = db.url().to_owned();
    assert!(url.contains(POSTGRES_PASSWORD), "{url}");
    let mut sandbox = Sandbox::new(&url, other.url());
    let wrong = url.replace(POSTGRES_PASSWORD, &format!("{POSTGRES_PASSWORD}-wrong"));
    let broken = url.replace("@127.0.0.1:", "@127.0.0.1:notaport");

    let succeed: &[&[&str]] = &[
        &["validate"],
        &["format", "--check"],
        &["migrate", "dev", "--name", "init"],
        &["migrate", "status"],
        &["migrate", "deploy"],
        &[
            "migrate",
            "diff",
            "--from-url",
            &url,
            "--to-schema",
            "prisma/schema.prisma",
        ],
        &[
            "migrate",
            "diff",
            "--from-empty",
            "--to-url",
            &url,
            "--script",
        ],
        &["db", "pull", "--print"],
        &["db", "push"],
        &["preflight"],
        &["preflight", "--json"],
        &["lint", "--url", &url],
        &["backup", "create"],
        &["backup", "create", "--jobs", "2", "--json"],
        &["backup", "list"],
        &["backup", "list", "--json"],
        &["backup", "verify"],
        &["backup", "restore", "--to", other.url()],
        &["backup", "prune", "--keep-last", "1"],
        &["schedule", "--list"],
        &["schedule", "--list", "--json"],
        &["schedule", "--print-crontab"],
        &["schedule", "--run-now", "lint"],
        &["schedule", "--run-now", "restore"],
        &["schedule", "--max-runs", "1"],
        &["migrate", "reset", "--force"],
    ];
    for args in succeed {
        sandbox.run(args, true);
    }
    // Failures name the URL in their errors: without the password.
    let fail: &[&[&str]] = &[
        &["lint", "--url", &wrong],
        &["migrate", "diff", "--from-url", &wrong, "--to-empty"],
        &["migrate", "diff", "--from-url", &broken, "--to-empty"],
        &["backup", "restore", "--to", &wrong],
        &["backup", "restore", "--to", &broken],
        &["init", "--datasource-provider", "postgresql", "--url", &url],
    ];
    for args in fail {
        sandbox.run(args, false);
    }
    let listed = sandbox.run(&["schedule", "--list", "--json"], true);
    assert!(listed.contains("drydock:****@"), "{listed}");
    // The jobs' processes got their arguments on standard input.
    assert!(
        sandbox
            .children_seen
            .iter()
            .all(|line| !line.contains("lint --url")),
        "{:?}",
        sandbox.children_seen
    );
}
