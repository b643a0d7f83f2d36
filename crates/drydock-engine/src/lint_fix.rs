//! `drydock lint --fix`: the findings that have a safe form rewritten into it, for migrations no
//! database they are pointed at has applied (an applied migration is history: its checksum is
//! recorded, and changing it changes nothing on that database). The plan is shown as a diff
//! before anything is written, and checked first: the rewritten history, replayed on the shadow
//! database, must give the schema the history gives now.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use drydock_lint::fix::{FileFix, down_without_index_drops, plan};
use drydock_migrate::{DOWN_FILE_NAME, LocalMigration, MIGRATION_FILE_NAME, list_migrations};

use crate::lint::{ProjectLintOptions, lint_project};
use crate::migrate_dev::write_folder;
use crate::source::replay_migrations;
use crate::{EngineError, Project, migration_file, redact_url, summarize};

/// How to fix.
#[derive(Debug, Clone, Default)]
pub struct LintFixOptions {
    /// Which migrations to lint, and how.
    pub lint: ProjectLintOptions,
    /// The databases whose history decides what may still be rewritten; none: the project's.
    pub databases: Vec<String>,
}

/// One file the fix writes.
#[derive(Debug, Clone)]
pub struct FileWrite {
    pub path: PathBuf,
    /// The file as it is; `None` for a file the fix creates.
    pub before: Option<String>,
    pub after: String,
}

/// A checked fix, ready to write.
#[derive(Debug, Clone, Default)]
pub struct LintFix {
    /// Existing files rewritten, then files of new migration folders, in folder order.
    pub writes: Vec<FileWrite>,
    /// New migration folders (their files are among `writes`).
    pub new_folders: Vec<PathBuf>,
    /// Migrations with findings to fix that were left as they are, and why.
    pub left: Vec<(String, String)>,
    /// Number of findings the fix takes away.
    pub fixed: usize,
}

impl LintFix {
    /// The whole fix as a unified diff.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for write in &self.writes {
            let before = write.before.as_deref().unwrap_or("");
            let path = write.path.display().to_string();
            let old = if write.before.is_some() {
                format!("a/{path}")
            } else {
                "/dev/null".to_owned()
            };
            out.push_str(
                &similar::TextDiff::from_lines(before, &write.after)
                    .unified_diff()
                    .header(&old, &format!("b/{path}"))
                    .to_string(),
            );
        }
        out
    }
}

/// Plans and checks the fix of `project`'s migrations; writes nothing.
pub fn plan_lint_fix(project: &Project, options: &LintFixOptions) -> Result<LintFix, EngineError> {
    let linted = lint_project(project, &options.lint)?;
    let migrations = list_migrations(&project.migrations_dir)?;
    let applied = applied_anywhere(project, &options.databases)?;
    let by_path: HashMap<String, &LocalMigration> = migrations
        .iter()
        .map(|migration| (migration_file(migration).path, migration))
        .collect();
    let mut fix = LintFix::default();
    for file_fix in plan(&linted.report, project.dialect) {
        let Some(migration) = by_path.get(&file_fix.path) else {
            continue;
        };
        if let Some(url) = applied.get(&migration.name) {
            fix.left.push((
                migration.name.clone(),
                format!("applied on {url}: write the safe form as a new migration instead"),
            ));
            continue;
        }
        match new_folder_names(migration, &migrations, &file_fix) {
            Ok(names) => add_writes(project, &mut fix, migration, &file_fix, &names)?,
            Err(reason) => fix.left.push((migration.name.clone(), reason)),
        }
    }
    if !fix.writes.is_empty() {
        check_same_schema(project, &migrations, &fix)?;
    }
    Ok(fix)
}

/// Writes `fix`: the new migration folders first (each whole, or not at all), then the
/// rewritten files (each replaced whole), then the integrity file when the project keeps one.
pub fn apply_lint_fix(project: &Project, fix: &LintFix) -> Result<(), EngineError> {
    for folder in &fix.new_folders {
        let files: Vec<(String, &str)> = fix
            .writes
            .iter()
            .filter(|write| write.path.parent() == Some(folder.as_path()))
            .filter_map(|write| {
                let name = write.path.file_name()?.to_string_lossy().into_owned();
                Some((name, write.after.as_str()))
            })
            .collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        write_folder(folder, &files)?;
    }
    for write in fix.writes.iter().filter(|write| write.before.is_some()) {
        replace_file(&write.path, &write.after)?;
    }
    crate::conflicts::folders_written(project)
}

/// The migrations each of `databases` (else the project's database) has applied, with the
/// database that applied them (its URL without password).
fn applied_anywhere(
    project: &Project,
    databases: &[String],
) -> Result<HashMap<String, String>, EngineError> {
    let urls = if databases.is_empty() {
        vec![project.migration_url(None)?]
    } else {
        databases.to_vec()
    };
    let mut applied = HashMap::new();
    for url in urls {
        let mut connection = project.dialect.connect(&url)?;
        let status = drydock_migrate::status(connection.as_mut(), &project.migrations_dir)?;
        for migration in status.applied {
            applied
                .entry(migration.name)
                .or_insert_with(|| redact_url(&url));
        }
    }
    Ok(applied)
}

/// Folder names for the migrations a fix moves statements to: one per index build, then one
/// for the validations, with timestamps right after the fixed migration's and before the next
/// one's.
fn new_folder_names(
    migration: &LocalMigration,
    migrations: &[LocalMigration],
    fix: &FileFix,
) -> Result<Vec<String>, String> {
    let wanted = fix.indexes.len() + usize::from(!fix.validations.is_empty());
    if wanted == 0 {
        return Ok(Vec::new());
    }
    let (stamp, name) = migration
        .name
        .split_once('_')
        .ok_or_else(|| format!("`{}` has no timestamp to follow", migration.name))?;
    let start: u64 = stamp
        .parse()
        .map_err(|_| format!("`{}` has no timestamp to follow", migration.name))?;
    let next = migrations
        .iter()
        .filter(|other| other.name > migration.name)
        .filter_map(|other| other.name.split_once('_')?.0.parse::<u64>().ok())
        .min();
    let last = start + wanted as u64;
    if next.is_some_and(|next| next <= last) {
        return Err(format!(
            "no room for {wanted} migration(s) between `{}` and the next one: rename the next \
             migration's timestamp, or move the statements by hand",
            migration.name
        ));
    }
    let width = stamp.len();
    let mut names = Vec::with_capacity(wanted);
    for (offset, index) in fix.indexes.iter().enumerate() {
        names.push(format!(
            "{:0width$}_build_{}_concurrently",
            start + 1 + offset as u64,
            snake(&index.name)
        ));
    }
    if !fix.validations.is_empty() {
        names.push(format!("{last:0width$}_validate_{name}_constraints"));
    }
    Ok(names)
}

fn snake(name: &str) -> String {
    let bare = name.rsplit('.').next().unwrap_or(name);
    let mut out: String = bare
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_matches('_').to_owned()
}

fn add_writes(
    project: &Project,
    fix: &mut LintFix,
    migration: &LocalMigration,
    file_fix: &FileFix,
    names: &[String],
) -> Result<(), EngineError> {
    let dir = &project.migrations_dir;
    let has_down = migration.down_path().is_some();
    fix.writes.push(FileWrite {
        path: migration.path.join(MIGRATION_FILE_NAME),
        before: Some(file_fix.original.clone()),
        after: file_fix.text.clone(),
    });
    if let Some(down_path) = migration.down_path()
        && !file_fix.indexes.is_empty()
    {
        let down = read(&down_path)?;
        let after = down_without_index_drops(&down, &file_fix.indexes, project.dialect);
        if after != down {
            fix.writes.push(FileWrite {
                path: down_path,
                before: Some(down),
                after,
            });
        }
    }
    let mut names = names.iter();
    for index in &file_fix.indexes {
        let folder = dir.join(names.next().expect("a name per index"));
        fix.writes.push(FileWrite {
            path: folder.join(MIGRATION_FILE_NAME),
            before: None,
            after: format!(
                "-- CreateIndex (built concurrently: outside a transaction, writes go on)\n{}",
                index.up
            ),
        });
        if has_down {
            fix.writes.push(FileWrite {
                path: folder.join(DOWN_FILE_NAME),
                before: None,
                after: index.down.clone(),
            });
        }
        fix.new_folders.push(folder);
    }
    if !file_fix.validations.is_empty() {
        let folder = dir.join(names.next().expect("a name for the validations"));
        fix.writes.push(FileWrite {
            path: folder.join(MIGRATION_FILE_NAME),
            before: None,
            after: format!(
                "-- Validate the constraints `{}` added NOT VALID: a scan that lets writes go on\n{}",
                migration.name,
                file_fix.validations.concat()
            ),
        });
        if has_down {
            fix.writes.push(FileWrite {
                path: folder.join(DOWN_FILE_NAME),
                before: None,
                after: "-- Validating a constraint changes no schema: nothing to undo.\n"
                    .to_owned(),
            });
        }
        fix.new_folders.push(folder);
    }
    fix.fixed += file_fix.indexes.len()
        + file_fix.validations.len()
        + usize::from(
            file_fix
                .text
                .starts_with(drydock_lint::fix::LOCK_TIMEOUT_HEADER)
                && !file_fix
                    .original
                    .starts_with(drydock_lint::fix::LOCK_TIMEOUT_HEADER),
        );
    Ok(())
}

/// Replays the history as it is and as the fix leaves it, each on a shadow database, and
/// refuses a fix whose schema differs.
fn check_same_schema(
    project: &Project,
    migrations: &[LocalMigration],
    fix: &LintFix,
) -> Result<(), EngineError> {
    let copy = tempfile::tempdir().map_err(|error| io(Path::new("a temporary folder"), error))?;
    let dir = &project.migrations_dir;
    for migration in migrations {
        let folder = copy.path().join(&migration.name);
        std::fs::create_dir_all(&folder).map_err(|error| io(&folder, error))?;
        std::fs::write(
            folder.join(MIGRATION_FILE_NAME),
            migration.executable_script(),
        )
        .map_err(|error| io(&folder, error))?;
    }
    for write in &fix.writes {
        let Ok(relative) = write.path.strip_prefix(dir) else {
            continue;
        };
        if relative
            .file_name()
            .is_some_and(|name| name == DOWN_FILE_NAME)
        {
            continue;
        }
        let path = copy.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| io(parent, error))?;
        }
        std::fs::write(&path, &write.after).map_err(|error| io(&path, error))?;
    }
    let rewritten = list_migrations(copy.path())?;
    let main_url = project.migration_url(None)?;
    let shadow_url = project.shadow_url()?;
    let namespaces = project.namespaces();
    let replay = |history: &[LocalMigration]| {
        replay_migrations(
            project.dialect,
            history,
            &main_url,
            shadow_url.as_deref(),
            &namespaces,
        )
    };
    let before = replay(migrations)?;
    let after = replay(&rewritten)?;
    let diff = drydock_diff::diff(&before, &after, project.dialect.diff_hooks());
    if !diff.is_empty() {
        return Err(EngineError::LintFixChangesSchema {
            changes: summarize(&diff.changes),
        });
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, EngineError> {
    std::fs::read_to_string(path).map_err(|error| io(path, error))
}

/// Replaces `path` whole: the new text goes to a file beside it, synced, then renamed over it.
fn replace_file(path: &Path, text: &str) -> Result<(), EngineError> {
    let staging = path.with_extension("drydock-fix");
    let written = std::fs::File::create(&staging).and_then(|mut file| {
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&staging, path))
        .map_err(|error| io(path, error))
}

fn io(path: &Path, source: std::io::Error) -> EngineError {
    EngineError::Connector(drydock_connector::ConnectorError::Io {
        context: format!("can't write `{}`", path.display()),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fix whose rewritten history builds another schema is refused before anything is
    /// written (the guard against a wrong rewrite).
    #[test]
    fn a_fix_that_changes_the_schema_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let prisma = dir.path().join("prisma");
        let folder = prisma.join("migrations/20240101000000_init");
        std::fs::create_dir_all(&folder).expect("folders");
        std::fs::write(
            prisma.join("schema.prisma"),
            format!(
                "datasource db {{\n  provider = \"sqlite\"\n  url      = \"file:{}\"\n}}\n\nmodel A {{\n  id Int @id\n}}\n",
                dir.path().join("dev.db").display()
            ),
        )
        .expect("schema");
        let script = "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n";
        std::fs::write(folder.join(MIGRATION_FILE_NAME), script).expect("migration");
        let project = Project::load(Some(&prisma.join("schema.prisma"))).expect("project");
        let migrations = list_migrations(&project.migrations_dir).expect("migrations");
        let fix = LintFix {
            writes: vec![FileWrite {
                path: migrations[0].path.join(MIGRATION_FILE_NAME),
                before: Some(script.to_owned()),
                after: "CREATE TABLE \"B\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n".to_owned(),
            }],
            ..LintFix::default()
        };
        let error = check_same_schema(&project, &migrations, &fix).expect_err("refused");
        assert_eq!(error.code(), "D4012");
        assert!(error.to_string().contains("another schema"), "{error}");
        // Nothing was written.
        assert_eq!(
            std::fs::read_to_string(folder.join(MIGRATION_FILE_NAME)).expect("read"),
            script
        );
    }
}
