//! Pre-flight facts about a SQLite database file: whether it can be written, and room on disk.

use std::path::{Path, PathBuf};

use drydock_connector::{ConnectorError, Privilege, Storage};

use crate::connection::query_error;

/// What migrations need of the file system and the connection: write the file, create the
/// rollback journal next to it, and a connection that may write.
pub(crate) fn privileges(
    conn: &rusqlite::Connection,
    path: &Path,
) -> Result<Vec<Privilege>, ConnectorError> {
    let directory = directory_of(path);
    // Trying is the only reliable answer: permission bits say nothing about root, ACLs or
    // read-only mounts. Opening for writing changes nothing; the probe file is gone on close.
    let file_writable = std::fs::OpenOptions::new().write(true).open(path).is_ok();
    let directory_writable = tempfile::tempfile_in(&directory).is_ok();
    let query_only: bool = conn
        .query_row("PRAGMA query_only", [], |row| row.get(0))
        .map_err(query_error)?;
    let opened_read_only = conn.is_readonly(rusqlite::MAIN_DB).map_err(query_error)?;
    Ok(vec![
        Privilege {
            what: format!("write the database file `{}`", path.display()),
            granted: file_writable,
        },
        Privilege {
            what: format!(
                "create files in `{}` (the rollback journal)",
                directory.display()
            ),
            granted: directory_writable,
        },
        Privilege {
            what: "write through the connection (not opened read-only, `PRAGMA query_only` off)"
                .to_owned(),
            granted: !query_only && !opened_read_only,
        },
    ])
}

/// The file's size in pages, and the free space of the file system it is on.
pub(crate) fn storage(conn: &rusqlite::Connection, path: &Path) -> Result<Storage, ConnectorError> {
    let database_bytes: i64 = conn
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |row| row.get(0),
        )
        .map_err(query_error)?;
    let directory = directory_of(path);
    let free_bytes = fs4::available_space(&directory).ok();
    Ok(Storage {
        database_bytes: u64::try_from(database_bytes).ok(),
        data_directory: Some(directory.canonicalize().unwrap_or(directory)),
        free_bytes,
    })
}

/// The folder holding the database file (`.` for a bare file name).
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    }
}
