//! Prisma's own schema validation, run as a JSON-lines server (`oracle-server.mjs`).
//!
//! The oracle's pristine copy lives at `../shared/oracle` next to the repository (or wherever
//! `PRISMA_ORACLE_DIR` points). It is copied into `target/` and installed there with its
//! `setup.sh` (engines from the npm registry), once per content of its scripts.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Prisma's verdict on one schema.
pub(crate) struct Verdict {
    pub(crate) engine: String,
    pub(crate) errors: Vec<String>,
}

impl Verdict {
    pub(crate) fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

pub(crate) struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Oracle {
    /// Installs the oracle (or reuses the installed copy) and starts its server.
    pub(crate) fn start() -> Oracle {
        let dir = installed_oracle();
        let mut child = Command::new("node")
            .arg("oracle-server.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `node oracle-server.mjs` in {dir:?}: {e}"));
        let stdin = child.stdin.take().expect("oracle stdin");
        let stdout = BufReader::new(child.stdout.take().expect("oracle stdout"));
        Oracle {
            child,
            stdin,
            stdout,
            next_id: 0,
        }
    }

    /// Validates a one-file schema. `engine` is `auto` (6.19.3 when the datasource has a URL,
    /// else 7.10.1), or `5`, `6`, `7`.
    pub(crate) fn validate(&mut self, schema: &str, engine: &str) -> Verdict {
        self.next_id += 1;
        let request = json!({
            "id": self.next_id,
            "op": "validate",
            "engine": engine,
            "files": [["schema.prisma", schema]],
        });
        writeln!(self.stdin, "{request}").expect("write to the oracle");
        self.stdin.flush().expect("flush the oracle's input");
        let mut line = String::new();
        let read = self.stdout.read_line(&mut line).expect("read the oracle");
        assert!(read > 0, "the oracle server exited");
        let response: Value = serde_json::from_str(&line).expect("oracle JSON");
        assert_eq!(
            response["id"],
            json!(self.next_id),
            "oracle answered out of order"
        );
        assert!(
            response["ok"] == json!(true),
            "the oracle failed on a schema: {}\n{schema}",
            response["error"]
        );
        let result = &response["result"];
        let mut errors: Vec<String> = result["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        // A schema `validate` rejects without a lint error (rare) is still invalid.
        if errors.is_empty() && result["ok"] == json!(false) {
            errors.push(result["rendered"].as_str().unwrap_or("invalid").to_owned());
        }
        Verdict {
            engine: response["engine"].as_str().unwrap_or("?").to_owned(),
            errors,
        }
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The oracle's pristine copy: `../shared/oracle` from the repository root, else
/// `PRISMA_ORACLE_DIR`.
fn pristine_oracle() -> PathBuf {
    let shared = repository_root().join("../shared/oracle");
    if shared.join("setup.sh").is_file() {
        return shared;
    }
    match std::env::var_os("PRISMA_ORACLE_DIR") {
        Some(dir) if Path::new(&dir).join("setup.sh").is_file() => PathBuf::from(dir),
        _ => panic!(
            "Prisma's oracle was not found: expected `{}` (with setup.sh) or PRISMA_ORACLE_DIR \
             pointing at a copy of it. This test compares drydock with Prisma and cannot run \
             without it.",
            shared.display()
        ),
    }
}

/// The oracle's scripts (top-level files only: installed engines are never copied).
fn oracle_scripts(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read the oracle folder")
        .map(|e| e.expect("oracle folder entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).expect("read an oracle file");
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

/// FNV-1a over the scripts: a new `setup.sh` (or script) gets a fresh install.
fn content_key(files: &[(String, Vec<u8>)]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, bytes) in files {
        for b in name.as_bytes().iter().chain([0u8].iter()).chain(bytes) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Copies the oracle into `target/` and runs its `setup.sh` there, unless an installed copy
/// of the same scripts exists.
fn installed_oracle() -> PathBuf {
    let source = pristine_oracle();
    let scripts = oracle_scripts(&source);
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = cache.join(format!("prisma-oracle-{}", content_key(&scripts)));
    if dir.join(".installed").is_file() {
        return dir;
    }
    // Install next to the final place, then rename: a concurrent run never sees half a copy.
    let staging = cache.join(format!(
        "prisma-oracle-staging-{}-{}",
        content_key(&scripts),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).expect("create the oracle's install folder");
    for (name, bytes) in &scripts {
        std::fs::write(staging.join(name), bytes).expect("copy an oracle file");
    }
    let output = Command::new("bash")
        .arg("setup.sh")
        .current_dir(&staging)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the oracle's setup.sh: {e}"));
    assert!(
        output.status.success(),
        "the oracle's setup.sh failed (it installs Prisma's engines from the npm registry):\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::write(staging.join(".installed"), b"").expect("mark the oracle installed");
    if std::fs::rename(&staging, &dir).is_err() {
        // Another run installed it first.
        let _ = std::fs::remove_dir_all(&staging);
    }
    dir
}
