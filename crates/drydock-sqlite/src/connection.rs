//! Opening SQLite database files (`file:./dev.db` URLs or plain paths, relative to the current
//! directory), running scripts statement by statement so a failure reports where it happened,
//! and shadow databases in temporary files.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use drydock_connector::{
    Connection, ConnectorError, HealthFacts, HistoryRow, Introspect, MaintenanceFacts,
    MigrationHistory, MigrationLock, PreflightFacts, Privilege, RowCheck, RowCheckResult, RowCount,
    RunScripts, ScriptError, SessionControl, SessionLimits, ShadowDatabase, StatementCanceller,
    Storage, TrialRun, redact_url,
};
use drydock_schema::SqlSchema;
use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{Batch, OpenFlags};

use crate::{checks, health, history, introspect, lock};

/// How long a statement waits for another connection's lock before failing with "database is
/// locked".
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn accepts_url(url: &str) -> bool {
    url.starts_with("file:") || (!url.trim().is_empty() && !url.contains("://"))
}

/// The database file a URL names: `file:` and a query string (Prisma's connection parameters)
/// are removed; relative paths stay relative to the current directory.
pub(crate) fn database_path(url: &str) -> Result<PathBuf, ConnectorError> {
    let invalid = |reason: &str| ConnectorError::InvalidUrl {
        url: redact_url(url),
        reason: reason.to_owned(),
    };
    if !accepts_url(url) {
        return Err(invalid(
            "a SQLite URL starts with `file:`, for example `file:./dev.db`",
        ));
    }
    let mut path = url.strip_prefix("file:").unwrap_or(url);
    if let Some(absolute) = path.strip_prefix("//") {
        // `file:///abs/dev.db` and `file://localhost/abs/dev.db`.
        path = absolute.strip_prefix("localhost").unwrap_or(absolute);
    }
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() {
        return Err(invalid("the URL names no database file"));
    }
    Ok(PathBuf::from(path))
}

/// The database's message, without rusqlite's decorations.
pub(crate) fn error_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

/// SQLite's extended result code, as text (`2067` is `SQLITE_CONSTRAINT_UNIQUE`).
pub(crate) fn error_code(error: &rusqlite::Error) -> Option<String> {
    match error {
        rusqlite::Error::SqliteFailure(failure, _)
        | rusqlite::Error::SqlInputError { error: failure, .. } => {
            Some(failure.extended_code.to_string())
        }
        _ => None,
    }
}

pub(crate) fn query_error(error: rusqlite::Error) -> ConnectorError {
    ConnectorError::Query {
        message: error_message(&error),
        db_code: error_code(&error),
    }
}

pub(crate) fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(
                failure.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
    )
}

/// Whether an extended result code (as [`error_code`] writes it) is `SQLITE_BUSY` or
/// `SQLITE_LOCKED` in any of their variants: another connection held the lock too long.
pub(crate) fn is_busy_code(code: Option<&str>) -> bool {
    const PRIMARY_CODE_MASK: i32 = 0xff;
    const SQLITE_BUSY: i32 = 5;
    const SQLITE_LOCKED: i32 = 6;
    code.and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & PRIMARY_CODE_MASK, SQLITE_BUSY | SQLITE_LOCKED))
}

/// `"name"` with embedded quotes doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One connection to a SQLite database file.
/// Interrupts the statement a connection runs (`sqlite3_interrupt`): it fails with
/// `SQLITE_INTERRUPT` and its transaction rolls back.
struct SqliteCanceller(rusqlite::InterruptHandle);

impl StatementCanceller for SqliteCanceller {
    fn cancel(&self) -> Result<(), ConnectorError> {
        self.0.interrupt();
        Ok(())
    }
}

pub(crate) struct SqliteConnection {
    pub(crate) conn: rusqlite::Connection,
    path: PathBuf,
    holds_lock: bool,
}

impl SqliteConnection {
    pub(crate) fn connect(url: &str) -> Result<Self, ConnectorError> {
        Self::open(&database_path(url)?)
    }

    pub(crate) fn open(path: &Path) -> Result<Self, ConnectorError> {
        let cannot_open = |error: rusqlite::Error| ConnectorError::Io {
            context: format!("can't open the SQLite database file `{}`", path.display()),
            source: std::io::Error::other(error_message(&error)),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(cannot_open)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(cannot_open)?;
        // Nothing reads the file yet: another process may hold the migration lock, and waiting
        // for it is `lock_migrations`' job, with the caller's timeout.
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(cannot_open)?;
        Ok(SqliteConnection {
            conn,
            path: path.to_owned(),
            holds_lock: false,
        })
    }

    /// Run `script` statement by statement. On failure, the error carries the byte offset of
    /// the failing statement (or of the offending token, for syntax errors) and how many
    /// statements completed.
    fn run_script(&self, script: &str) -> Result<(), ScriptError> {
        let mut batch = Batch::new(&self.conn, script);
        let mut cursor = 0;
        let mut done = 0;
        loop {
            let mut statement = match batch.next() {
                Ok(Some(statement)) => statement,
                Ok(None) => return Ok(()),
                Err(error) => {
                    let position = match &error {
                        rusqlite::Error::SqlInputError { sql, offset, .. }
                            if script.ends_with(sql.as_str()) =>
                        {
                            usize::try_from(*offset)
                                .ok()
                                .map(|o| script.len() - sql.len() + o)
                        }
                        _ => Some(skip_trivia(script, cursor)),
                    };
                    return Err(script_error(&error, position, done));
                }
            };
            // The text SQLite prepared is a verbatim slice of the script, leading comments
            // included; finding it from the cursor gives the statement's offset.
            let start = statement
                .expanded_sql()
                .and_then(|text| {
                    script[cursor..]
                        .find(&text)
                        .map(|found| (cursor + found, text.len()))
                })
                .map(|(start, len)| {
                    cursor = start + len;
                    skip_trivia(script, start)
                });
            let mut rows = statement.raw_query();
            loop {
                match rows.next() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(error) => return Err(script_error(&error, start, done)),
                }
            }
            done += 1;
        }
    }
}

fn script_error(error: &rusqlite::Error, position: Option<usize>, done: usize) -> ScriptError {
    ScriptError {
        message: error_message(error),
        db_code: error_code(error),
        position,
        statements_done: Some(done),
    }
}

/// The offset of the first byte at or after `from` that is not whitespace, a comment or a
/// stray `;`.
fn skip_trivia(script: &str, from: usize) -> usize {
    let bytes = script.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() || bytes[i] == b';' {
            i += 1;
        } else if script[i..].starts_with("--") {
            i = script[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
        } else if script[i..].starts_with("/*") {
            i = script[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
        } else {
            break;
        }
    }
    i
}

/// Not offered: sessions (other processes may have the file open, but SQLite does not say who)
/// and failed index builds (index builds are atomic in SQLite: a failed one leaves nothing).
impl Connection for SqliteConnection {
    fn trial_runs(&mut self) -> Option<&mut dyn TrialRun> {
        Some(self)
    }

    fn maintenance(&mut self) -> Option<&mut dyn MaintenanceFacts> {
        Some(self)
    }
}

impl RunScripts for SqliteConnection {
    fn execute_script(&mut self, script: &str) -> Result<(), ScriptError> {
        self.run_script(script)
    }

    fn execute_counted(&mut self, statement: &str) -> Result<u64, ScriptError> {
        let changed = self
            .conn
            .execute(statement, [])
            .map_err(|error| script_error(&error, None, 0))?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn abort_open_transaction(&mut self) -> Result<bool, ConnectorError> {
        if self.conn.is_autocommit() {
            return Ok(false);
        }
        self.conn.execute_batch("ROLLBACK").map_err(query_error)?;
        Ok(true)
    }

    fn query_texts(&mut self, sql: &str) -> Result<Vec<Option<String>>, ConnectorError> {
        let mut statement = self.conn.prepare(sql).map_err(query_error)?;
        let rows = statement
            .query_map([], |row| {
                Ok(match row.get_ref(0)? {
                    rusqlite::types::ValueRef::Null => None,
                    rusqlite::types::ValueRef::Integer(i) => Some(i.to_string()),
                    rusqlite::types::ValueRef::Real(f) => Some(f.to_string()),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        Some(String::from_utf8_lossy(t).into_owned())
                    }
                })
            })
            .map_err(query_error)?;
        rows.collect::<Result<_, _>>().map_err(query_error)
    }

    fn canceller(&mut self) -> Result<Arc<dyn StatementCanceller>, ConnectorError> {
        Ok(Arc::new(SqliteCanceller(self.conn.get_interrupt_handle())))
    }
}

impl Introspect for SqliteConnection {
    fn introspect(&mut self, _namespaces: &[String]) -> Result<SqlSchema, ConnectorError> {
        introspect::introspect(&self.conn).map(drydock_connector::without_bookkeeping)
    }

    fn server_version(&mut self) -> Result<String, ConnectorError> {
        Ok(format!("SQLite {}", rusqlite::version()))
    }

    fn has_user_tables(&mut self) -> Result<bool, ConnectorError> {
        history::has_user_tables(&self.conn)
    }

    fn reset(&mut self) -> Result<(), ConnectorError> {
        reset(&self.conn)
    }
}

impl MigrationHistory for SqliteConnection {
    fn history_table_exists(&mut self) -> Result<bool, ConnectorError> {
        history::table_exists(&self.conn)
    }

    fn create_history_table(&mut self) -> Result<(), ConnectorError> {
        history::create_table(&self.conn)
    }

    fn read_history(&mut self) -> Result<Vec<HistoryRow>, ConnectorError> {
        history::read(&self.conn)
    }

    fn insert_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        history::insert(&self.conn, row)
    }

    fn update_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        history::update(&self.conn, row)
    }

    fn apply_in_transaction(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        self.in_transaction(script, |conn| history::insert(conn, row))
    }

    fn execute_and_record(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        self.in_transaction(script, |conn| history::update(conn, row))
    }
}

impl MigrationLock for SqliteConnection {
    fn lock_migrations(&mut self, timeout_secs: u64) -> Result<Vec<String>, ConnectorError> {
        if self.holds_lock {
            return Ok(Vec::new());
        }
        lock::lock(&self.conn, timeout_secs)?;
        self.holds_lock = true;
        Ok(Vec::new())
    }

    fn unlock_migrations(&mut self) -> Result<(), ConnectorError> {
        if !self.holds_lock {
            return Ok(());
        }
        lock::unlock(&self.conn)?;
        self.holds_lock = false;
        Ok(())
    }
}

impl SessionControl for SqliteConnection {
    fn set_session_limits(&mut self, limits: &SessionLimits) -> Result<(), ConnectorError> {
        // A lock wait is SQLite's busy wait. SQLite has no statement timeout.
        self.conn
            .busy_timeout(limits.lock_timeout.unwrap_or(BUSY_TIMEOUT))
            .map_err(query_error)
    }
}

impl PreflightFacts for SqliteConnection {
    fn privileges(&mut self) -> Result<Vec<Privilege>, ConnectorError> {
        checks::privileges(&self.conn, &self.path)
    }

    fn storage(&mut self) -> Result<Storage, ConnectorError> {
        checks::storage(&self.conn, &self.path)
    }

    fn count_rows(&mut self, question: &RowCount<'_>) -> Result<u64, ConnectorError> {
        let rows = self.query_texts(&question.sql(&quote_ident))?;
        Ok(RowCount::count_of(&rows))
    }
}

impl TrialRun for SqliteConnection {
    fn trial_run(&mut self, script: &str) -> Result<(), ScriptError> {
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| script_error(&e, None, 0))?;
        let result = self.run_script(script);
        if !self.conn.is_autocommit() {
            self.conn
                .execute_batch("ROLLBACK")
                .map_err(|e| script_error(&e, None, 0))?;
        }
        result
    }
}

impl MaintenanceFacts for SqliteConnection {
    fn index_facts(
        &mut self,
        _request: &drydock_connector::IndexFactsRequest,
    ) -> Result<drydock_connector::IndexFacts, ConnectorError> {
        crate::index_facts::index_facts(&self.conn)
    }

    fn health_facts(&mut self, _namespaces: &[String]) -> Result<HealthFacts, ConnectorError> {
        health::facts(&self.conn)
    }

    fn check_rows(&mut self, check: &RowCheck<'_>) -> Result<RowCheckResult, ConnectorError> {
        health::check_rows(check, &mut |sql| self.query_texts(sql))
    }
}

impl SqliteConnection {
    /// Run `script`, then `write` the history, in one transaction.
    fn in_transaction(
        &mut self,
        script: &str,
        write: impl FnOnce(&rusqlite::Connection) -> Result<(), ConnectorError>,
    ) -> Result<(), ScriptError> {
        let begin = |error: rusqlite::Error| script_error(&error, None, 0);
        // IMMEDIATE takes the write lock up front, so a concurrent writer fails here rather
        // than half-way through the script.
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(begin)?;
        let result = self
            .run_script(script)
            .and_then(|()| write(&self.conn).map_err(ScriptError::from_connector))
            .and_then(|()| {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(|e| script_error(&e, None, 0))
            });
        if result.is_err() && !self.conn.is_autocommit() {
            // The original error is what matters; a failed rollback leaves nothing to add.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }
}

/// Drop every table, view, index and trigger, with foreign keys off so the order does not
/// matter.
pub(crate) fn reset(conn: &rusqlite::Connection) -> Result<(), ConnectorError> {
    let objects: Vec<(String, String)> = {
        let mut statement = conn
            .prepare(include_str!("queries/user_objects.sql"))
            .map_err(query_error)?;
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(query_error)?
            .collect::<Result<_, _>>()
            .map_err(query_error)?
    };
    let mut script = String::from("PRAGMA foreign_keys = OFF;\n");
    for (kind, name) in &objects {
        script.push_str(&format!(
            "DROP {} IF EXISTS {};\n",
            kind.to_ascii_uppercase(),
            quote_ident(name)
        ));
    }
    let has_sequence: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'sqlite_sequence'",
            [],
            |row| row.get(0),
        )
        .map_err(query_error)?;
    if has_sequence {
        script.push_str("DELETE FROM sqlite_sequence;\n");
    }
    script.push_str("PRAGMA foreign_keys = ON;\n");
    conn.execute_batch(&script).map_err(query_error)
}

/// Open a scratch database: the configured `shadow_url` (reset first), or a file in a new
/// temporary directory, removed on dispose.
pub(crate) fn open_shadow(
    main_url: &str,
    shadow_url: Option<&str>,
) -> Result<Box<dyn ShadowDatabase>, ConnectorError> {
    if let Some(shadow_url) = shadow_url {
        let path = database_path(shadow_url)?;
        let main = database_path(main_url)?;
        let same = path == main
            || matches!(
                (path.canonicalize(), main.canonicalize()),
                (Ok(a), Ok(b)) if a == b
            );
        if same {
            return Err(ConnectorError::InvalidUrl {
                url: redact_url(shadow_url),
                reason: "the shadow database URL points at the main database; it must name a \
                         separate file that drydock may erase"
                    .to_owned(),
            });
        }
        let connection = SqliteConnection::open(&path)?;
        reset(&connection.conn)?;
        return Ok(Box::new(SqliteShadow {
            connection,
            directory: None,
        }));
    }
    let directory = tempfile::Builder::new()
        .prefix("drydock-shadow-")
        .tempdir()
        .map_err(|source| ConnectorError::Io {
            context: "can't create a temporary directory for the shadow database".to_owned(),
            source,
        })?;
    let connection = SqliteConnection::open(&directory.path().join("shadow.db"))?;
    Ok(Box::new(SqliteShadow {
        connection,
        directory: Some(directory),
    }))
}

/// A shadow database. Field order matters: the connection closes before the directory goes.
struct SqliteShadow {
    connection: SqliteConnection,
    directory: Option<tempfile::TempDir>,
}

impl ShadowDatabase for SqliteShadow {
    fn connection(&mut self) -> &mut dyn Connection {
        &mut self.connection
    }

    fn dispose(self: Box<Self>) -> Result<(), ConnectorError> {
        let SqliteShadow {
            connection,
            directory,
        } = *self;
        match directory {
            Some(directory) => {
                let path = connection.path.clone();
                drop(connection);
                directory.close().map_err(|source| ConnectorError::Io {
                    context: format!("can't remove the shadow database file `{}`", path.display()),
                    source,
                })
            }
            None => reset(&connection.conn),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_file_urls_and_plain_paths() {
        assert!(accepts_url("file:./dev.db"));
        assert!(accepts_url("./dev.db"));
        assert!(!accepts_url("postgresql://localhost/db"));
        assert!(!accepts_url(""));
    }

    #[test]
    fn finds_the_file_a_url_names() {
        let cases = [
            ("file:./dev.db", "./dev.db"),
            ("file:dev.db?connection_limit=1", "dev.db"),
            ("file:///tmp/x.db", "/tmp/x.db"),
            ("file:/tmp/x.db", "/tmp/x.db"),
            ("prisma/dev.db", "prisma/dev.db"),
        ];
        for (url, path) in cases {
            assert_eq!(database_path(url).unwrap(), PathBuf::from(path), "{url}");
        }
        assert!(matches!(
            database_path("file:"),
            Err(ConnectorError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn skips_comments_and_whitespace() {
        let script = "  -- a\n/* b */ ;\nCREATE";
        assert_eq!(&script[skip_trivia(script, 0)..], "CREATE");
    }
}
