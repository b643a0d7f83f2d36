//! The integrity file `drydock.sum` of a migrations folder: a hash chain of the migrations, like
//! Atlas's `atlas.sum`. Its first line holds the hash of the whole file, then one line per
//! migration, `<folder> h1:<hash>`, where each hash covers the previous line's hash, the folder
//! name and its `migration.sql`. Two branches that each add a migration change the same lines (the
//! first and the last), so git reports a merge conflict instead of merging silently; and a
//! migration edited, added or removed without the file written again is caught before a deploy.
//!
//! The file is optional. Prisma ignores files next to the migration folders, so it reads the
//! folder as before.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::MigrateError;
use crate::directory::LocalMigration;

/// The integrity file's name, inside the migrations folder.
pub const INTEGRITY_FILE_NAME: &str = "drydock.sum";

const HASH_PREFIX: &str = "h1:";

/// One migration line of the integrity file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    pub name: String,
    /// The chained hash, hex, without its `h1:` prefix.
    pub hash: String,
}

/// The integrity file as read. A file with git's conflict markers is read as both sides of
/// the merge: each is the chain one branch wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityFile {
    /// One chain, or two (ours, theirs) when the file holds conflict markers.
    pub sides: Vec<Vec<SumLine>>,
    /// The header's total hash of the first side (the only one when not conflicted).
    pub total: String,
}

impl IntegrityFile {
    /// The migrations only one side records, per side, when the file holds conflict markers:
    /// what each branch added after the last migration both had.
    pub fn diverging(&self) -> Option<(Vec<String>, Vec<String>)> {
        let [ours, theirs] = self.sides.as_slice() else {
            return None;
        };
        let only = |side: &[SumLine], other: &[SumLine]| -> Vec<String> {
            side.iter()
                .filter(|line| !other.iter().any(|o| o.name == line.name))
                .map(|line| line.name.clone())
                .collect()
        };
        Some((only(ours, theirs), only(theirs, ours)))
    }
}

/// The chain of `migrations` (in folder order), as the integrity file records it.
fn chain(migrations: &[LocalMigration]) -> Vec<SumLine> {
    let mut previous = String::new();
    migrations
        .iter()
        .map(|migration| {
            let mut hasher = Sha256::new();
            hasher.update(previous.as_bytes());
            hasher.update(b"\n");
            hasher.update(migration.name.as_bytes());
            hasher.update(b"\n");
            // Git may turn LF into CRLF on checkout: the file stays valid either way.
            hasher.update(migration.script.replace("\r\n", "\n").as_bytes());
            previous = hex::encode(hasher.finalize());
            SumLine {
                name: migration.name.clone(),
                hash: previous.clone(),
            }
        })
        .collect()
}

fn total(lines: &[SumLine]) -> String {
    let mut hasher = Sha256::new();
    for line in lines {
        hasher.update(line.name.as_bytes());
        hasher.update(b" ");
        hasher.update(line.hash.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// The integrity file's text for `migrations`.
pub fn integrity_file_contents(migrations: &[LocalMigration]) -> String {
    let lines = chain(migrations);
    let mut text = format!("{HASH_PREFIX}{}\n", total(&lines));
    for line in &lines {
        text.push_str(&format!("{} {HASH_PREFIX}{}\n", line.name, line.hash));
    }
    text
}

/// Write (or rewrite) the integrity file of `migrations_dir` for `migrations`.
pub fn write_integrity_file(
    migrations_dir: &Path,
    migrations: &[LocalMigration],
) -> Result<(), MigrateError> {
    let path = migrations_dir.join(INTEGRITY_FILE_NAME);
    std::fs::write(&path, integrity_file_contents(migrations))
        .map_err(|error| MigrateError::io("can't write", path, error))
}

/// Whether `migrations_dir` has an integrity file.
pub fn has_integrity_file(migrations_dir: &Path) -> bool {
    migrations_dir.join(INTEGRITY_FILE_NAME).is_file()
}

/// The integrity file of `migrations_dir`, `None` when there is none.
pub fn read_integrity_file(migrations_dir: &Path) -> Result<Option<IntegrityFile>, MigrateError> {
    let path = migrations_dir.join(INTEGRITY_FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(MigrateError::io("can't read", path, error)),
    };
    parse(&text)
        .map(Some)
        .map_err(|problem| MigrateError::IntegrityUnreadable {
            path: path.clone(),
            problem,
        })
}

#[derive(Clone, Copy, PartialEq)]
enum Region {
    Both,
    Ours,
    Base,
    Theirs,
}

fn parse(text: &str) -> Result<IntegrityFile, String> {
    let mut ours: Vec<(usize, &str)> = Vec::new();
    let mut theirs: Vec<(usize, &str)> = Vec::new();
    let mut conflicted = false;
    let mut region = Region::Both;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let number = index + 1;
        if line.starts_with("<<<<<<<") {
            conflicted = true;
            region = Region::Ours;
        } else if line.starts_with("|||||||") && region == Region::Ours {
            region = Region::Base;
        } else if line.starts_with("=======") && region != Region::Both {
            region = Region::Theirs;
        } else if line.starts_with(">>>>>>>") && region == Region::Theirs {
            region = Region::Both;
        } else {
            match region {
                Region::Both => {
                    ours.push((number, line));
                    theirs.push((number, line));
                }
                Region::Ours => ours.push((number, line)),
                Region::Theirs => theirs.push((number, line)),
                Region::Base => {}
            }
        }
    }
    if region != Region::Both {
        return Err("a conflict region is not closed (`>>>>>>>` is missing)".to_owned());
    }
    let (total, first) = parse_side(&ours)?;
    let mut sides = vec![first];
    if conflicted {
        sides.push(parse_side(&theirs)?.1);
    }
    Ok(IntegrityFile { sides, total })
}

type Side = (String, Vec<SumLine>);

fn parse_side(lines: &[(usize, &str)]) -> Result<Side, String> {
    let mut total = None;
    let mut chain = Vec::new();
    for (number, line) in lines.iter().copied().filter(|(_, l)| !l.trim().is_empty()) {
        if let Some(hash) = line.strip_prefix(HASH_PREFIX).filter(|_| total.is_none()) {
            total = Some(hash.to_owned());
            continue;
        }
        let Some((name, hash)) = line.rsplit_once(&format!(" {HASH_PREFIX}")) else {
            return Err(format!(
                "line {number} is not `<migration folder> {HASH_PREFIX}<hash>`: `{line}`"
            ));
        };
        chain.push(SumLine {
            name: name.to_owned(),
            hash: hash.to_owned(),
        });
    }
    let total = total.ok_or_else(|| format!("the first line is not `{HASH_PREFIX}<hash>`"))?;
    Ok((total, chain))
}

/// Check the integrity file of `migrations_dir` against `migrations` (the folder as listed):
/// nothing to check without one; an error naming the first migration edited, added or removed
/// (D3134), or a file git left with conflict markers (D3135).
pub fn verify_integrity(
    migrations_dir: &Path,
    migrations: &[LocalMigration],
) -> Result<(), MigrateError> {
    let Some(file) = read_integrity_file(migrations_dir)? else {
        return Ok(());
    };
    let path = migrations_dir.join(INTEGRITY_FILE_NAME);
    if let Some((ours, theirs)) = file.diverging() {
        return Err(MigrateError::IntegrityConflicted { path, ours, theirs });
    }
    let recorded = &file.sides[0];
    let expected = chain(migrations);
    let change = first_difference(recorded, &expected);
    let change = change.or_else(|| {
        (file.total != total(recorded)).then(|| {
            (
                String::new(),
                "the header line was edited by hand".to_owned(),
            )
        })
    });
    match change {
        None => Ok(()),
        Some((migration, change)) => Err(MigrateError::IntegrityMismatch {
            path,
            migration,
            change,
        }),
    }
}

/// The first migration where the recorded chain and the folder's differ, and how.
fn first_difference(recorded: &[SumLine], expected: &[SumLine]) -> Option<(String, String)> {
    let knows = |lines: &[SumLine], name: &str| lines.iter().any(|line| line.name == name);
    for index in 0..recorded.len().max(expected.len()) {
        match (recorded.get(index), expected.get(index)) {
            (Some(was), Some(is)) if was == is => {}
            // The lines before agree (the first difference returns), so its own text changed.
            (Some(was), Some(is)) if was.name == is.name => {
                return Some((is.name.clone(), "its `migration.sql` was edited".to_owned()));
            }
            (Some(was), _) if !knows(expected, &was.name) => {
                return Some((
                    was.name.clone(),
                    "its folder was removed or renamed".to_owned(),
                ));
            }
            (_, Some(is)) if !knows(recorded, &is.name) => {
                return Some((is.name.clone(), "its folder was added".to_owned()));
            }
            (Some(line), _) | (None, Some(line)) => {
                return Some((
                    line.name.clone(),
                    "the order of the folders changed".to_owned(),
                ));
            }
            (None, None) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list_migrations;

    fn folder(root: &Path, name: &str, script: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(root.join(name))?;
        std::fs::write(root.join(name).join(crate::MIGRATION_FILE_NAME), script)
    }

    fn verify(root: &Path) -> Result<(), String> {
        let list = list_migrations(root).map_err(|e| e.to_string())?;
        verify_integrity(root, &list).map_err(|e| format!("{}: {e}", e.code()))
    }

    #[test]
    fn the_chain_catches_edits_additions_and_removals() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        folder(root, "20240101000000_init", "CREATE TABLE a (id INT);\n")?;
        folder(root, "20240102000000_b", "CREATE TABLE b (id INT);\n")?;
        assert_eq!(verify(root), Ok(()), "no file, nothing to check");
        write_integrity_file(root, &list_migrations(root)?)?;
        assert_eq!(verify(root), Ok(()));
        assert_eq!(list_migrations(root)?.len(), 2, "the file is no migration");
        let text = std::fs::read_to_string(root.join(INTEGRITY_FILE_NAME))?;
        assert_eq!(text.lines().count(), 3);
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("20240101000000_init h1:"))
        );
        // Line endings rewritten by git do not count.
        folder(root, "20240101000000_init", "CREATE TABLE a (id INT);\r\n")?;
        assert_eq!(verify(root), Ok(()));

        folder(root, "20240101000000_init", "CREATE TABLE a (id BIGINT);\n")?;
        let error = verify(root).err().unwrap_or_default();
        assert!(error.starts_with("D3134"), "{error}");
        assert!(
            error.contains("`20240101000000_init`: its `migration.sql` was edited"),
            "{error}"
        );
        folder(root, "20240101000000_init", "CREATE TABLE a (id INT);\n")?;

        folder(root, "20240103000000_c", "CREATE TABLE c (id INT);\n")?;
        let error = verify(root).err().unwrap_or_default();
        assert!(
            error.contains("`20240103000000_c`: its folder was added"),
            "{error}"
        );
        std::fs::remove_dir_all(root.join("20240103000000_c"))?;
        std::fs::remove_dir_all(root.join("20240102000000_b"))?;
        let error = verify(root).err().unwrap_or_default();
        assert!(
            error.contains("`20240102000000_b`: its folder was removed"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn a_file_with_conflict_markers_is_read_as_both_sides() -> Result<(), Box<dyn std::error::Error>>
    {
        let text = "<<<<<<< HEAD\nh1:aaa\n=======\nh1:bbb\n>>>>>>> b\n1_init h1:111\n\
                    <<<<<<< HEAD\n2_a h1:222\n||||||| base\n=======\n2_b h1:333\n>>>>>>> b\n";
        let file = parse(text)?;
        assert_eq!(file.total, "aaa");
        assert_eq!(
            file.diverging(),
            Some((vec!["2_a".to_owned()], vec!["2_b".to_owned()]))
        );
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join(INTEGRITY_FILE_NAME), text)?;
        let error = verify(dir.path()).err().unwrap_or_default();
        assert!(error.starts_with("D3135"), "{error}");
        assert!(
            error.contains("`2_a`") && error.contains("`2_b`"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn a_malformed_line_is_d3135() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join(INTEGRITY_FILE_NAME), "h1:abc\n1_init abc\n")?;
        let error = verify(dir.path()).err().unwrap_or_default();
        assert!(error.starts_with("D3135"), "{error}");
        assert!(error.contains("line 2"), "{error}");
        Ok(())
    }
}
