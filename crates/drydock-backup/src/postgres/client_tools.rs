//! Which `pg_dump` and `pg_restore` to run. `pg_dump` refuses a server newer than itself, and a
//! machine often has several versions side by side (Debian's `/usr/lib/postgresql/<major>/bin`,
//! a vendor's folder on `PATH`). The pair taken is the one of the server's own major version,
//! else the next newer one: a newer pair than needed writes settings an older server rejects
//! (`pg_restore` 18 sets `transaction_timeout`, unknown before PostgreSQL 17). A server newer
//! than every pair found fails before anything is written, saying what it needs and where it
//! looked.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::BackupError;
use crate::tool;

/// A folder whose `pg_dump` and `pg_restore` are used instead of searching.
pub(crate) const BIN_DIR_VAR: &str = "DRYDOCK_PG_BIN";
/// Where Debian and Ubuntu install each major version's programs, `<major>/bin`.
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// A `pg_dump` and the `pg_restore` next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientTools {
    pub(crate) pg_dump: PathBuf,
    pub(crate) pg_restore: PathBuf,
    /// As `pg_dump --version` prints it (`18.1`, `15.14`).
    pub(crate) version: String,
    /// The leading numbers of `version`: the major version first.
    numbers: Vec<u32>,
}

impl ClientTools {
    pub(crate) fn major(&self) -> u32 {
        self.numbers.first().copied().unwrap_or(0)
    }
}

/// The pair for a server of major version `server_major`, from the folders searched (see
/// [`search_folders`]).
pub(crate) fn for_server(server_major: u32) -> Result<ClientTools, BackupError> {
    let folders = search_folders(
        std::env::var_os(BIN_DIR_VAR).map(PathBuf::from),
        std::env::var_os("PATH"),
    );
    choose(&folders, server_major)
}

/// Of the pairs in `folders` not older than the server, the oldest major version (its newest
/// release); none of them is a D5014, no pair at all a D5011.
fn choose(folders: &[PathBuf], server_major: u32) -> Result<ClientTools, BackupError> {
    let found: Vec<ClientTools> = folders.iter().filter_map(|f| in_folder(f)).collect();
    let looked_in = folders
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if found.is_empty() {
        return Err(BackupError::Tool {
            tool: "pg_dump".to_owned(),
            message: format!(
                "no pg_dump with a pg_restore next to it in {looked_in}: install the PostgreSQL \
                 client tools, or set {BIN_DIR_VAR} to the folder holding them"
            ),
        });
    }
    let fitting = found.iter().filter(|t| t.major() >= server_major);
    match fitting.min_by(|a, b| a.major().cmp(&b.major()).then(b.numbers.cmp(&a.numbers))) {
        Some(tools) => Ok(tools.clone()),
        None => Err(BackupError::ClientTooOld {
            needed: server_major,
            found: found
                .iter()
                .map(|t| format!("{} ({})", t.pg_dump.display(), t.version))
                .collect::<Vec<_>>()
                .join(", "),
            looked_in,
        }),
    }
}

/// The configured folder alone when there is one; else each folder of `PATH`, then Debian's
/// per-version folders, newest first. Each folder once.
fn search_folders(configured: Option<PathBuf>, path: Option<std::ffi::OsString>) -> Vec<PathBuf> {
    if let Some(folder) = configured.filter(|f| !f.as_os_str().is_empty()) {
        return vec![folder];
    }
    let mut folders: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir(DEBIAN_ROOT)
        .map(|entries| {
            entries
                .filter_map(|e| Some(e.ok()?.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    debian.sort_by_key(|f| std::cmp::Reverse(version_numbers(&folder_major(f))));
    folders.extend(debian);
    let mut seen = Vec::new();
    folders.retain(|f| {
        let key = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    folders
}

fn folder_major(bin: &Path) -> String {
    bin.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The pair in `folder`, when both programs are there and `pg_dump --version` answers.
fn in_folder(folder: &Path) -> Option<ClientTools> {
    let pg_dump = folder.join("pg_dump");
    let pg_restore = folder.join("pg_restore");
    if !pg_dump.is_file() || !pg_restore.is_file() {
        return None;
    }
    let output = tool::output(Command::new(&pg_dump).arg("--version")).ok()?;
    let version = parse_version(&String::from_utf8_lossy(&output.stdout))?;
    Some(ClientTools {
        numbers: version_numbers(&version),
        pg_dump,
        pg_restore,
        version,
    })
}

/// `pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)` → `15.14`.
fn parse_version(text: &str) -> Option<String> {
    let version = text.split_whitespace().nth(2)?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| version.to_owned())
}

/// `18.1` → [18, 1]; `19beta2` → [19, 2]; `9.6.24` → [9, 6, 24].
fn version_numbers(version: &str) -> Vec<u32> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// The major version in `SHOW server_version_num`'s answer (`180001` → 18).
pub(crate) fn server_major(version_num: &str) -> Option<u32> {
    version_num.trim().parse::<u32>().ok().map(|n| n / 10000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A folder holding a `pg_dump` that reports `version`, and a `pg_restore`.
    fn fake_tools(root: &Path, name: &str, version: &str) -> PathBuf {
        let folder = root.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        for program in ["pg_dump", "pg_restore"] {
            let file = folder.join(program);
            std::fs::write(
                &file,
                format!("#!/bin/sh\necho '{program} (PostgreSQL) {version}'\n"),
            )
            .unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        folder
    }

    #[test]
    fn versions_are_read_as_pg_dump_prints_them() {
        assert_eq!(
            parse_version("pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n").as_deref(),
            Some("15.14")
        );
        assert_eq!(
            parse_version("pg_dump (PostgreSQL) 18.1\n").as_deref(),
            Some("18.1")
        );
        assert_eq!(parse_version("something else entirely"), None);
        assert_eq!(version_numbers("19beta2"), vec![19, 2]);
        assert_eq!(server_major("180001"), Some(18));
        assert_eq!(server_major("90624"), Some(9));
        assert_eq!(server_major("x"), None);
    }

    #[test]
    fn the_pair_of_the_servers_version_wins_else_the_next_newer_whatever_its_place() {
        let root = tempfile::tempdir().unwrap();
        let v15 = fake_tools(root.path(), "v15", "15.14");
        let v15_older = fake_tools(root.path(), "v15-older", "15.2");
        let v18 = fake_tools(root.path(), "v18", "18.1");
        let v17 = fake_tools(root.path(), "v17", "17.6");
        let path = std::env::join_paths([&v15_older, &v18, &v15, &v17]).unwrap();
        let folders = search_folders(None, Some(path));
        // The machine's own folders come after PATH's: leave them out.
        let folders = &folders[..4];
        assert_eq!(folders, &[v15_older, v18.clone(), v15.clone(), v17.clone()]);
        let chosen = choose(folders, 18).unwrap();
        assert_eq!(chosen.pg_dump, v18.join("pg_dump"));
        assert_eq!(chosen.pg_restore, v18.join("pg_restore"));
        assert_eq!(chosen.major(), 18);
        assert_eq!(choose(folders, 16).unwrap().pg_dump, v17.join("pg_dump"));
        let for_15 = choose(folders, 15).unwrap();
        assert_eq!(
            (for_15.pg_dump, for_15.version),
            (v15.join("pg_dump"), "15.14".to_owned())
        );
    }

    #[test]
    fn a_configured_folder_is_the_only_one_searched() {
        let root = tempfile::tempdir().unwrap();
        let configured = fake_tools(root.path(), "configured", "16.4");
        let other = fake_tools(root.path(), "other", "18.1");
        let folders = search_folders(
            Some(configured.clone()),
            Some(std::env::join_paths([&other]).unwrap()),
        );
        assert_eq!(folders, vec![configured]);
    }

    #[test]
    fn a_server_newer_than_every_pg_dump_found_is_a_d5014_naming_what_was_found_and_where() {
        let root = tempfile::tempdir().unwrap();
        let old = fake_tools(root.path(), "old", "15.14");
        let empty = root.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let error = choose(&[old.clone(), empty.clone()], 18).unwrap_err();
        assert_eq!(error.code(), "D5014");
        let message = error.to_string();
        assert!(message.contains("PostgreSQL 18"), "{message}");
        assert!(
            message.contains(&format!("{} (15.14)", old.join("pg_dump").display())),
            "{message}"
        );
        assert!(message.contains(&empty.display().to_string()), "{message}");
        assert!(message.contains(BIN_DIR_VAR), "{message}");
    }

    #[test]
    fn no_pg_dump_at_all_is_a_d5011_naming_the_folders() {
        let root = tempfile::tempdir().unwrap();
        let error = choose(&[root.path().to_path_buf()], 15).unwrap_err();
        assert_eq!(error.code(), "D5011");
        assert!(
            error
                .to_string()
                .contains(&root.path().display().to_string())
        );
    }

    #[test]
    fn a_folder_without_pg_restore_is_passed_over() {
        let root = tempfile::tempdir().unwrap();
        let folder = fake_tools(root.path(), "half", "18.1");
        std::fs::remove_file(folder.join("pg_restore")).unwrap();
        assert_eq!(in_folder(&folder), None);
    }
}
