//! The migrations folder (`prisma/migrations`): one sub-folder per migration, applied in byte
//! order of the folder names, each holding `migration.sql` and optionally `down.sql`.

use std::path::{Path, PathBuf};

use crate::MigrateError;
use crate::checksum::{checksum, checksum_matches};

/// The script of a migration, inside its folder.
pub const MIGRATION_FILE_NAME: &str = "migration.sql";

/// The optional script that undoes a migration, inside its folder.
pub const DOWN_FILE_NAME: &str = "down.sql";

/// A migration folder on disk, with its script read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMigration {
    /// The folder name, which is the migration's name in the history table.
    pub name: String,
    /// The folder.
    pub path: PathBuf,
    /// `migration.sql`, exactly as on disk.
    pub script: String,
    /// The checksum of `migration.sql` as written to new history rows.
    pub checksum: String,
}

impl LocalMigration {
    /// `down.sql`, when the folder has one. Looked up when asked, not for every listing: most
    /// commands never need it.
    pub fn down_path(&self) -> Option<PathBuf> {
        let down = self.path.join(DOWN_FILE_NAME);
        down.is_file().then_some(down)
    }

    /// Whether `migration.sql` matches a checksum stored in the history table (line endings
    /// aside).
    pub fn matches_checksum(&self, stored: &str) -> bool {
        checksum_matches(self.script.as_bytes(), stored)
    }

    /// Refuse a script with a NUL byte: databases reject it mid-deploy with an error that
    /// names neither the byte nor the file (D3017, with line:column and the line).
    pub fn check_sendable(&self) -> Result<(), MigrateError> {
        let Some(offset) = self.script.find('\0') else {
            return Ok(());
        };
        let line_start = self.script[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.script[offset..]
            .find('\n')
            .map_or(self.script.len(), |i| offset + i);
        let before = &self.script[line_start..offset];
        let shown = |text: &str| text.trim_end_matches('\r').replace('\0', "\\0");
        let snippet = format!(
            "  {}\n  {}^",
            shown(&self.script[line_start..line_end]),
            " ".repeat(shown(before).chars().count())
        );
        Err(MigrateError::NulByte {
            path: self.path.join(MIGRATION_FILE_NAME),
            line: self.script[..line_start].matches('\n').count() + 1,
            column: before.chars().count() + 1,
            snippet,
        })
    }

    /// The script as sent to the database: without a leading byte order mark, which databases
    /// reject as a syntax error.
    pub fn executable_script(&self) -> &str {
        self.script.strip_prefix('\u{feff}').unwrap_or(&self.script)
    }
}

/// The start of the name of a migration folder being written (`migrate dev`), renamed into
/// place once complete: not a migration, skipped when listing them.
pub const STAGING_PREFIX: &str = ".drydock-writing-";

/// The migrations in `migrations_dir`, in the order they apply. A missing folder has none.
/// Files next to the folders (`migration_lock.toml`) are not migrations.
pub fn list_migrations(migrations_dir: &Path) -> Result<Vec<LocalMigration>, MigrateError> {
    let entries = match std::fs::read_dir(migrations_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(MigrateError::io(
                "can't list the migrations folder",
                migrations_dir,
                error,
            ));
        }
    };
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| {
            MigrateError::io("can't list the migrations folder", migrations_dir, error)
        })?;
        let path = entry.path();
        // The entry's type comes with the listing; only a symbolic link needs a look at its
        // target (followed, like Prisma).
        let is_dir = match entry.file_type() {
            Ok(kind) if !kind.is_symlink() => kind.is_dir(),
            _ => path.is_dir(),
        };
        if !is_dir {
            continue;
        }
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| MigrateError::FolderNameNotUtf8 { path: path.clone() })?;
        if name.starts_with(STAGING_PREFIX) {
            continue;
        }
        folders.push((name, path));
    }
    // Byte order of the names, whatever their length or characters.
    folders.sort_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
    folders
        .into_iter()
        .map(|(name, path)| read_migration(name, path))
        .collect()
}

fn read_migration(name: String, path: PathBuf) -> Result<LocalMigration, MigrateError> {
    let script_path = path.join(MIGRATION_FILE_NAME);
    let bytes = match std::fs::read(&script_path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(MigrateError::MigrationFileMissing { folder: path });
        }
        Err(error) => {
            return Err(MigrateError::io("can't read", script_path, error));
        }
    };
    let checksum = checksum(&bytes);
    let script =
        String::from_utf8(bytes).map_err(|_| MigrateError::NotUtf8 { path: script_path })?;
    Ok(LocalMigration {
        name,
        path,
        script,
        checksum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(root: &Path, name: &str, script: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(root.join(name))?;
        std::fs::write(root.join(name).join(MIGRATION_FILE_NAME), script)
    }

    fn names(root: &Path) -> Vec<String> {
        match list_migrations(root) {
            Ok(list) => list.into_iter().map(|m| m.name).collect(),
            Err(error) => vec![format!("error: {error}")],
        }
    }

    #[test]
    fn lists_folders_in_byte_order() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        for name in [
            "20240101000000_b",
            "20231231_eight digits",
            "20240101000000000_seventeen",
            "20240101000000_a with spaces",
            "0_init",
            "20240101000000_B",
            "20240101000000_ä",
        ] {
            folder(root, name, "SELECT 1;\n")?;
        }
        std::fs::write(root.join("migration_lock.toml"), "provider = \"sqlite\"\n")?;
        std::fs::write(root.join("20991231000000_a_file_not_a_folder"), "")?;
        assert_eq!(
            names(root),
            [
                "0_init",
                "20231231_eight digits",
                "20240101000000000_seventeen",
                "20240101000000_B",
                "20240101000000_a with spaces",
                "20240101000000_b",
                "20240101000000_ä",
            ]
        );
        Ok(())
    }

    #[test]
    fn a_missing_folder_has_no_migrations() {
        assert!(names(Path::new("/nonexistent/drydock/migrations")).is_empty());
    }

    #[test]
    fn a_folder_without_migration_sql_is_p3015() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        folder(dir.path(), "20240101000000_ok", "SELECT 1;")?;
        std::fs::create_dir(dir.path().join("20240102000000_empty"))?;
        let error = list_migrations(dir.path()).err();
        assert_eq!(error.as_ref().map(MigrateError::code), Some("P3015"));
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("20240102000000_empty"), "{text}");
        Ok(())
    }

    #[test]
    fn reads_script_checksum_and_down_file() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        folder(dir.path(), "1_up", "\u{feff}CREATE TABLE t (id INT);\r\n")?;
        std::fs::write(
            dir.path().join("1_up").join(DOWN_FILE_NAME),
            "DROP TABLE t;\n",
        )?;
        folder(dir.path(), "2_no_down", "SELECT 1;\n")?;
        let list = list_migrations(dir.path()).unwrap_or_default();
        assert_eq!(list.len(), 2);
        let up = &list[0];
        assert_eq!(
            up.checksum,
            checksum("\u{feff}CREATE TABLE t (id INT);\r\n".as_bytes())
        );
        assert!(up.matches_checksum(&up.checksum));
        assert_eq!(up.executable_script(), "CREATE TABLE t (id INT);\r\n");
        assert_eq!(
            up.down_path(),
            Some(dir.path().join("1_up").join(DOWN_FILE_NAME))
        );
        assert_eq!(list[1].down_path(), None);
        Ok(())
    }

    #[test]
    fn a_nul_byte_is_d3017_with_its_position() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        folder(dir.path(), "1_nul", "SELECT 1;\nSELECT 'a\0b';\n")?;
        let list = list_migrations(dir.path()).unwrap_or_default();
        let error = list.first().map(LocalMigration::check_sendable);
        let Some(Err(error)) = error else {
            panic!("no D3017: {error:?}");
        };
        assert_eq!(error.code(), "D3017");
        let text = error
            .to_string()
            .replace(&dir.path().display().to_string(), "<dir>");
        insta::assert_snapshot!(text, @r"
        `<dir>/1_nul/migration.sql` contains a NUL byte (0x00) at 2:10 (line:column), which no database accepts in SQL text:
          SELECT 'a\0b';
                   ^
        Remove it (often the rest of a file saved as UTF-16, or binary pasted into the script) and deploy again. Nothing was applied
        ");
        Ok(())
    }

    #[test]
    fn scripts_must_be_utf8() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir(dir.path().join("1_latin1"))?;
        std::fs::write(
            dir.path().join("1_latin1").join(MIGRATION_FILE_NAME),
            b"-- caf\xe9\n",
        )?;
        let error = list_migrations(dir.path()).err();
        assert_eq!(error.map(|e| e.code()), Some("D3002"));
        Ok(())
    }
}
