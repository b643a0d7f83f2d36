//! Sessions on MySQL and MariaDB: error mapping, scripts sent as one multi-statement query (as
//! Prisma sends them), session limits, what other sessions do, and the facts the pre-flight
//! checks read. URLs are parsed and sessions opened in `url.rs`.
//!
//! Error codes are the server's numeric ones (`1064`, `1205`), more precise than its SQLSTATE.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use drydock_connector::sql_scan::{self, Body, LexicalRules};
use drydock_connector::{
    Connection, ConnectorError, HealthFacts, HistoryRow, IndexFacts, IndexFactsRequest, Introspect,
    MaintenanceFacts, MigrationHistory, MigrationLock, ObserveSessions, PreflightFacts, Privilege,
    RowCheck, RowCheckResult, RowCount, RunScripts, ScriptError, SessionActivity, SessionControl,
    SessionInfo, SessionLimits, ShadowDatabase, StatementCanceller, StatementProgress, Storage,
    TableLock, redact_text,
};
use drydock_schema::SqlSchema;
use mysql::prelude::Queryable;
use mysql::{Conn, Value};

use crate::url::MysqlUrl;
use crate::{health, history, index_facts, introspect, lock, owner};

/// `Lock wait timeout exceeded`: a row lock (`innodb_lock_wait_timeout`) or a metadata lock
/// (`lock_wait_timeout`) waited for too long; the statement changed nothing.
pub const ER_LOCK_WAIT_TIMEOUT: u16 = 1205;

/// Codes that say the session is gone: the server went away or the connection was lost
/// (client-side 2006, 2013), the session was killed (1927, MariaDB), or the server is shutting
/// down (1053). A statement stopped by `KILL QUERY` (1317) leaves the session alive.
const LOST_CODES: [&str; 4] = ["2006", "2013", "1927", "1053"];

/// How MySQL SQL is split into statements: `#` comments, backslash escapes in literals,
/// `"..."` strings (the server's default `sql_mode`, without `ANSI_QUOTES` or
/// `NO_BACKSLASH_ESCAPES`), backtick identifiers and the `BEGIN ... END` bodies of stored
/// programs.
pub const LEXICAL_RULES: LexicalRules = LexicalRules {
    nested_block_comments: false,
    dollar_quoted_strings: false,
    escape_strings: false,
    hash_comments: true,
    backslash_escapes: true,
    double_quoted_strings: true,
    identifier_quotes: &[(b'`', b'`')],
    bodies: &[Body {
        in_statements: &[
            &["CREATE", "PROCEDURE"],
            &["CREATE", "FUNCTION"],
            &["CREATE", "TRIGGER"],
            &["CREATE", "EVENT"],
            &["CREATE", "DEFINER"],
            &["CREATE", "OR", "REPLACE"],
        ],
        opened_by: &["BEGIN"],
        nested: &["CASE", "IF", "LOOP", "WHILE", "REPEAT"],
    }],
    folds_unquoted_names: false,
};

/// Which server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Server {
    pub(crate) mariadb: bool,
    /// `10.11.6`, `8.0.36`.
    pub(crate) version: String,
}

impl Server {
    /// From `SELECT VERSION()`: `10.11.6-MariaDB-0+deb12u1`, `8.0.36`, `5.5.5-10.6.4-MariaDB`.
    pub(crate) fn from_version(text: &str) -> Server {
        let mariadb = text.to_ascii_lowercase().contains("mariadb");
        let text = text.strip_prefix("5.5.5-").unwrap_or(text);
        let version = text
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap_or_default()
            .to_owned();
        Server { mariadb, version }
    }

    pub(crate) fn describe(&self) -> String {
        let name = if self.mariadb { "MariaDB" } else { "MySQL" };
        format!("{name} {}", self.version)
    }
}

/// The database's message as a [`ConnectorError::Query`].
pub(crate) fn query_error(error: &mysql::Error) -> ConnectorError {
    let (message, db_code) = describe(error);
    ConnectorError::Query { message, db_code }
}

/// The message (passwords hidden) and the server's code of `error`.
fn describe(error: &mysql::Error) -> (String, Option<String>) {
    match error {
        mysql::Error::MySqlError(e) => (redact_text(&e.message), Some(e.code.to_string())),
        mysql::Error::IoError(e) => (
            format!("lost connection to the server: {e}"),
            Some("2013".to_owned()),
        ),
        mysql::Error::CodecError(_) | mysql::Error::DriverError(_) => (
            redact_text(&error.to_string()),
            Some("2013".to_owned()).filter(|_| error.is_connectivity_error()),
        ),
        other => (redact_text(&other.to_string()), None),
    }
}

/// `` `name` `` with embedded backticks doubled.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// `text` cut to a length that fits in a message.
pub(crate) fn shorten(text: &str) -> String {
    const LIMIT: usize = 200;
    let text = text.trim();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A value as the text protocol spells it.
fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::NULL => None,
        Value::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Double(d) => Some(d.to_string()),
        other => Some(other.as_sql(true).trim_matches('\'').to_owned()),
    }
}

/// Every row of `sql`'s first result set, each value as text.
pub(crate) fn text_rows(
    conn: &mut Conn,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, ConnectorError> {
    let rows: Vec<mysql::Row> = conn.query(sql).map_err(|e| query_error(&e))?;
    Ok(rows
        .into_iter()
        .map(|row| row.unwrap().iter().map(value_text).collect())
        .collect())
}

/// Every row of the prepared statement `sql` run with `params`, each value as text.
pub(crate) fn exec_text_rows(
    conn: &mut Conn,
    sql: &str,
    params: impl Into<mysql::Params>,
) -> Result<Vec<Vec<Option<String>>>, ConnectorError> {
    let rows: Vec<mysql::Row> = conn.exec(sql, params).map_err(|e| query_error(&e))?;
    Ok(rows
        .into_iter()
        .map(|row| row.unwrap().iter().map(value_text).collect())
        .collect())
}

/// A failed script as a [`ScriptError`]: the server stops at the first failing statement, so
/// `done` statements completed, and the failing one starts where the next statement does.
fn script_error(error: &mysql::Error, script: &str, done: usize) -> ScriptError {
    let (message, db_code) = describe(error);
    let position = sql_scan::statement_ranges(script, &LEXICAL_RULES)
        .get(done)
        .map(|range| {
            // Past the comments and whitespace that belong to the statement.
            sql_scan::tokens(&script[range.clone()], &LEXICAL_RULES)
                .first()
                .map_or(range.start, |token| range.start + token.range.start)
        });
    ScriptError {
        message,
        db_code,
        position,
        statements_done: Some(done),
    }
}

/// Run `script` as one multi-statement query, reading every result; returns the rows each
/// statement changed, added up.
fn run(conn: &mut Conn, script: &str) -> Result<u64, ScriptError> {
    // The server refuses a script of nothing but comments and blanks ("Query was empty"); the
    // other dialects run it as nothing.
    if drydock_connector::sql_scan::statements(script, &LEXICAL_RULES).is_empty() {
        return Ok(0);
    }
    let mut done = 0;
    let mut changed = 0;
    let mut result = conn
        .query_iter(script)
        .map_err(|e| script_error(&e, script, done))?;
    while let Some(set) = result.iter() {
        changed += set.affected_rows();
        for row in set {
            row.map_err(|e| script_error(&e, script, done))?;
        }
        done += 1;
    }
    Ok(changed)
}

/// Asks the server to stop a session's running statement (`KILL QUERY`) from a session of its
/// own.
struct MysqlCanceller {
    url: MysqlUrl,
    id: u32,
}

impl StatementCanceller for MysqlCanceller {
    fn cancel(&self) -> Result<(), ConnectorError> {
        let mut conn = self.url.connect()?;
        conn.query_drop(format!("KILL QUERY {}", self.id))
            .map_err(|e| query_error(&e))
    }
}

/// One session on a MySQL or MariaDB database.
pub struct MysqlConnection {
    conn: Conn,
    url: MysqlUrl,
    server: Server,
    holds_lock: bool,
}

impl MysqlConnection {
    pub fn connect(url: &str) -> Result<Self, ConnectorError> {
        Self::open(MysqlUrl::parse(url)?)
    }

    pub fn open(url: MysqlUrl) -> Result<Self, ConnectorError> {
        let mut conn = url.connect()?;
        let version: Option<String> = conn
            .query_first("SELECT VERSION()")
            .map_err(|e| query_error(&e))?;
        let server = Server::from_version(&version.unwrap_or_default());
        Ok(MysqlConnection {
            conn,
            url,
            server,
            holds_lock: false,
        })
    }

    /// The URL this session was opened from.
    pub fn url(&self) -> &MysqlUrl {
        &self.url
    }

    /// The session, for the dialect's own reads.
    pub(crate) fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// Whether the server is MariaDB.
    pub fn is_mariadb(&self) -> bool {
        self.server.mariadb
    }

    /// `script`, then `write` the history, inside `START TRANSACTION ... COMMIT`. Rows change
    /// together with the history; DDL commits by itself on MySQL (and ends the transaction), so
    /// a script with DDL takes effect statement by statement and the history is written just
    /// after it.
    fn in_transaction(
        &mut self,
        script: &str,
        write: impl FnOnce(&mut Conn) -> Result<(), ConnectorError>,
    ) -> Result<(), ScriptError> {
        self.conn
            .query_drop("START TRANSACTION")
            .map_err(|e| script_error(&e, script, 0))?;
        let outcome = run(&mut self.conn, script)
            .map(drop)
            .and_then(|()| write(&mut self.conn).map_err(ScriptError::from_connector))
            .and_then(|()| {
                self.conn
                    .query_drop("COMMIT")
                    .map_err(|e| ScriptError::from_connector(query_error(&e)))
            });
        if outcome.is_err() {
            // The error to report is the script's; a lost session rolled back already.
            let _ = self.conn.query_drop("ROLLBACK");
        }
        outcome
    }

    fn drop_everything(&mut self) -> Result<(), ConnectorError> {
        let objects = text_rows(
            &mut self.conn,
            "SELECT 'TABLE', TABLE_NAME FROM information_schema.TABLES \
               WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') \
             UNION ALL SELECT 'VIEW', TABLE_NAME FROM information_schema.VIEWS \
               WHERE TABLE_SCHEMA = DATABASE() \
             UNION ALL SELECT 'SEQUENCE', TABLE_NAME FROM information_schema.TABLES \
               WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE' \
             UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES \
               WHERE ROUTINE_SCHEMA = DATABASE() \
             UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS \
               WHERE EVENT_SCHEMA = DATABASE()",
        )?;
        // Foreign keys would otherwise decide the order tables can go in.
        let mut script = String::from("SET FOREIGN_KEY_CHECKS = 0;\n");
        for row in &objects {
            if let [Some(kind), Some(name)] = row.as_slice() {
                script.push_str(&format!("DROP {kind} IF EXISTS {};\n", quote_ident(name)));
            }
        }
        script.push_str("SET FOREIGN_KEY_CHECKS = 1;");
        run(&mut self.conn, &script)
            .map(drop)
            .map_err(|e| ConnectorError::Query {
                message: e.message,
                db_code: e.db_code,
            })
    }

    fn connection_id(&mut self) -> Result<u32, ConnectorError> {
        let id: Option<u32> = self
            .conn
            .query_first("SELECT CONNECTION_ID()")
            .map_err(|e| query_error(&e))?;
        id.ok_or_else(|| ConnectorError::query("the server did not tell its connection id"))
    }

    /// Sessions with a transaction open on the managed database (their default database, or
    /// none: names qualified by hand), other than `except`. Transactions of other databases on
    /// the server hold no lock a migration of this one waits for. InnoDB refreshes that list only
    /// when nobody read it in the last 0.1 s, so callers poll less often than that.
    fn open_transactions(&mut self, except: &str) -> Result<Vec<SessionInfo>, ConnectorError> {
        let rows = text_rows(
            &mut self.conn,
            &format!(
                "SELECT p.ID, p.USER, p.HOST, p.COMMAND, p.STATE, \
                        TIMESTAMPDIFF(MICROSECOND, t.trx_started, NOW(6)), \
                        COALESCE(p.INFO, t.trx_query) \
                 FROM information_schema.INNODB_TRX t \
                 JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id \
                 WHERE p.ID NOT IN ({}, CONNECTION_ID()) \
                   AND (p.DB = DATABASE() OR p.DB IS NULL) \
                 ORDER BY t.trx_started",
                except.parse::<u64>().unwrap_or(0)
            ),
        )?;
        let mut sessions: Vec<SessionInfo> = rows.iter().map(|row| session_info(row)).collect();
        let mut held = self.metadata_locks_held();
        for session in &mut sessions {
            session.locks = held.remove(&session.id).unwrap_or_else(|| {
                // An open transaction keeps a metadata lock on every table it used until it
                // ends; which ones only `performance_schema` tells, when it runs.
                vec![TableLock {
                    table: "the tables its transaction used".to_owned(),
                    mode: "a metadata lock".to_owned(),
                    granted: true,
                }]
            });
        }
        Ok(sessions)
    }

    /// The metadata locks sessions hold on tables of the managed database, by session id, from
    /// `performance_schema.metadata_locks` (MySQL 8 records them by default; MariaDB when
    /// `performance_schema` is on). Empty when the server keeps no such record.
    fn metadata_locks_held(&mut self) -> HashMap<String, Vec<TableLock>> {
        let rows = text_rows(
            &mut self.conn,
            "SELECT CAST(t.PROCESSLIST_ID AS CHAR), m.OBJECT_NAME, m.LOCK_TYPE \
             FROM performance_schema.metadata_locks m \
             JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID \
             WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = DATABASE() \
               AND m.LOCK_STATUS = 'GRANTED'",
        )
        .unwrap_or_default();
        let mut held: HashMap<String, Vec<TableLock>> = HashMap::new();
        for row in rows {
            let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
            held.entry(field(0)).or_default().push(TableLock {
                table: quote_ident(&field(1)),
                mode: format!("a metadata lock ({})", field(2)),
                granted: true,
            });
        }
        held
    }
}

/// A session from `ID, USER, HOST, COMMAND, STATE, transaction age (µs), query`.
fn session_info(row: &[Option<String>]) -> SessionInfo {
    let field = |i: usize| row.get(i).cloned().flatten().filter(|t| !t.is_empty());
    let state = match (field(3), field(4)) {
        (Some(command), Some(state)) => Some(format!("{command}: {state}")),
        (command, state) => command.or(state),
    };
    SessionInfo {
        id: field(0).unwrap_or_default(),
        user: field(1),
        application: None,
        client: field(2),
        state,
        transaction_age: field(5)
            .and_then(|micros| micros.parse::<u64>().ok())
            .map(Duration::from_micros),
        query: field(6).map(|query| shorten(&query)),
        locks: Vec::new(),
    }
}

/// Not offered: failed index builds (MySQL and MariaDB build indexes in one statement that
/// either completes or leaves nothing) and trial runs (DDL commits by itself, so a script cannot
/// be tried and rolled back).
impl Connection for MysqlConnection {
    fn sessions(&mut self) -> Option<&mut dyn ObserveSessions> {
        Some(self)
    }

    fn maintenance(&mut self) -> Option<&mut dyn MaintenanceFacts> {
        Some(self)
    }
}

impl RunScripts for MysqlConnection {
    fn execute_script(&mut self, script: &str) -> Result<(), ScriptError> {
        run(&mut self.conn, script).map(drop)
    }

    fn is_lost(&mut self, error: &ScriptError) -> bool {
        error
            .db_code
            .as_deref()
            .is_some_and(|code| LOST_CODES.contains(&code))
            || self.conn.ping().is_err()
    }

    fn execute_counted(&mut self, statement: &str) -> Result<u64, ScriptError> {
        run(&mut self.conn, statement)
    }

    fn abort_open_transaction(&mut self) -> Result<bool, ConnectorError> {
        // MariaDB tells directly; MySQL shows a transaction once it touched InnoDB.
        let sql = if self.server.mariadb {
            "SELECT @@in_transaction"
        } else {
            "SELECT COUNT(*) FROM information_schema.INNODB_TRX \
             WHERE trx_mysql_thread_id = CONNECTION_ID()"
        };
        let open: Option<i64> = self.conn.query_first(sql).map_err(|e| query_error(&e))?;
        self.conn
            .query_drop("ROLLBACK")
            .map_err(|e| query_error(&e))?;
        Ok(open.unwrap_or(0) > 0)
    }

    fn query_texts(&mut self, sql: &str) -> Result<Vec<Option<String>>, ConnectorError> {
        Ok(text_rows(&mut self.conn, sql)?
            .into_iter()
            .map(|row| row.into_iter().next().flatten())
            .collect())
    }

    fn canceller(&mut self) -> Result<Arc<dyn StatementCanceller>, ConnectorError> {
        Ok(Arc::new(MysqlCanceller {
            url: self.url.clone(),
            id: self.connection_id()?,
        }))
    }
}

impl Introspect for MysqlConnection {
    fn introspect(&mut self, _namespaces: &[String]) -> Result<SqlSchema, ConnectorError> {
        introspect::introspect(&mut self.conn, self.server.mariadb)
            .map(drydock_connector::without_bookkeeping)
    }

    fn server_version(&mut self) -> Result<String, ConnectorError> {
        Ok(self.server.describe())
    }

    fn has_user_tables(&mut self) -> Result<bool, ConnectorError> {
        history::has_user_tables(&mut self.conn)
    }

    fn reset(&mut self) -> Result<(), ConnectorError> {
        self.drop_everything()
    }
}

impl MigrationHistory for MysqlConnection {
    fn history_table_exists(&mut self) -> Result<bool, ConnectorError> {
        history::table_exists(&mut self.conn)
    }

    fn create_history_table(&mut self) -> Result<(), ConnectorError> {
        history::create_table(&mut self.conn)
    }

    fn read_history(&mut self) -> Result<Vec<HistoryRow>, ConnectorError> {
        history::read(&mut self.conn)
    }

    fn insert_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        history::insert(&mut self.conn, row)
    }

    fn update_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        history::update(&mut self.conn, row)
    }

    /// Atomic for scripts that change rows only: DDL commits by itself on MySQL. The core
    /// applies migrations statement by statement here (`transactional_ddl` is false).
    fn apply_in_transaction(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        self.in_transaction(script, |conn| history::insert(conn, row))
    }

    /// The statement and its count commit together when it changes rows; a DDL statement
    /// commits by itself and its count is written right after it, so the row names every
    /// statement that completed unless the session dies between the two.
    fn execute_and_record(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        self.in_transaction(script, |conn| history::update(conn, row))
    }
}

impl MigrationLock for MysqlConnection {
    fn lock_migrations(&mut self, timeout_secs: u64) -> Result<Vec<String>, ConnectorError> {
        if !self.holds_lock {
            lock::lock(&mut self.conn, timeout_secs)?;
            self.holds_lock = true;
        }
        Ok(Vec::new())
    }

    fn unlock_migrations(&mut self) -> Result<(), ConnectorError> {
        if self.holds_lock {
            lock::unlock(&mut self.conn)?;
            self.holds_lock = false;
        }
        Ok(())
    }
}

impl SessionControl for MysqlConnection {
    fn set_session_limits(&mut self, limits: &SessionLimits) -> Result<(), ConnectorError> {
        // Both lock waits, metadata (`lock_wait_timeout`) and rows
        // (`innodb_lock_wait_timeout`), in whole seconds, at least 1.
        let lock = match limits.lock_timeout {
            Some(timeout) => {
                let seconds = timeout.as_millis().div_ceil(1000).max(1);
                format!(
                    "SET SESSION lock_wait_timeout = {seconds}, \
                     SESSION innodb_lock_wait_timeout = {seconds}"
                )
            }
            None => "SET SESSION lock_wait_timeout = DEFAULT, \
                     SESSION innodb_lock_wait_timeout = DEFAULT"
                .to_owned(),
        };
        // MariaDB's `max_statement_time` (seconds) covers every statement; MySQL's
        // `max_execution_time` (milliseconds) read-only `SELECT`s.
        let statement = match (self.server.mariadb, limits.statement_timeout) {
            (true, Some(timeout)) => format!(
                "SET SESSION max_statement_time = {:.3}",
                timeout.as_secs_f64()
            ),
            (true, None) => "SET SESSION max_statement_time = DEFAULT".to_owned(),
            (false, Some(timeout)) => format!(
                "SET SESSION max_execution_time = {}",
                timeout.as_millis().max(1)
            ),
            (false, None) => "SET SESSION max_execution_time = DEFAULT".to_owned(),
        };
        run(&mut self.conn, &format!("{lock}; {statement}"))
            .map(drop)
            .map_err(|e| ConnectorError::Query {
                message: e.message,
                db_code: e.db_code,
            })
    }
}

impl PreflightFacts for MysqlConnection {
    fn privileges(&mut self) -> Result<Vec<Privilege>, ConnectorError> {
        // Granted globally (`USER_PRIVILEGES`) or on this database, patterns included
        // (`SCHEMA_PRIVILEGES`). Privileges through roles are not seen here.
        let rows = text_rows(
            &mut self.conn,
            "SELECT p.name, \
               EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES u \
                       WHERE u.GRANTEE = g.grantee AND u.PRIVILEGE_TYPE = p.name) \
               OR EXISTS (SELECT 1 FROM information_schema.SCHEMA_PRIVILEGES s \
                       WHERE s.GRANTEE = g.grantee AND s.PRIVILEGE_TYPE = p.name \
                         AND DATABASE() LIKE s.TABLE_SCHEMA) \
             FROM (SELECT CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', \
                          SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''') AS grantee) g \
             CROSS JOIN (SELECT 'SELECT' AS name UNION ALL SELECT 'INSERT' \
                         UNION ALL SELECT 'UPDATE' UNION ALL SELECT 'DELETE' \
                         UNION ALL SELECT 'CREATE' UNION ALL SELECT 'ALTER' \
                         UNION ALL SELECT 'DROP' UNION ALL SELECT 'INDEX' \
                         UNION ALL SELECT 'REFERENCES') p",
        )?;
        let database = quote_ident(&self.url.database);
        Ok(rows
            .iter()
            .map(|row| Privilege {
                what: format!(
                    "{} on database {database}",
                    row.first().cloned().flatten().unwrap_or_default()
                ),
                granted: row.get(1).cloned().flatten().as_deref() == Some("1"),
            })
            .collect())
    }

    fn storage(&mut self) -> Result<Storage, ConnectorError> {
        let rows = text_rows(
            &mut self.conn,
            // A database without tables holds 0 bytes (`SUM` of no rows is NULL).
            "SELECT (SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) \
                     FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()), @@datadir",
        )?;
        let row = rows.first();
        let field = |i: usize| row.and_then(|row| row.get(i).cloned().flatten());
        let data_directory = field(1)
            .map(std::path::PathBuf::from)
            .filter(|_| self.url.socket.is_some() || is_local(&self.url.host))
            .filter(|path| path.is_dir());
        let free_bytes = data_directory
            .as_deref()
            .and_then(|path| fs4::available_space(path).ok());
        Ok(Storage {
            database_bytes: field(0).and_then(|bytes| bytes.parse().ok()),
            data_directory,
            free_bytes,
        })
    }

    fn count_rows(&mut self, question: &RowCount<'_>) -> Result<u64, ConnectorError> {
        let sql = match question {
            // MySQL casts to `CHAR`, and has no list columns.
            RowCount::Value {
                table,
                column,
                value,
                list: false,
            } => format!(
                "SELECT count(*) FROM {} WHERE CAST({} AS CHAR) = '{}'",
                quote_ident(&table.name),
                quote_ident(column),
                value.replace('\\', "\\\\").replace('\'', "''")
            ),
            RowCount::Value { list: true, .. } => return Ok(0),
            other => other.sql(&quote_ident),
        };
        Ok(RowCount::count_of(&self.query_texts(&sql)?))
    }
}

impl ObserveSessions for MysqlConnection {
    fn session_id(&mut self) -> Result<String, ConnectorError> {
        Ok(self.connection_id()?.to_string())
    }

    fn observe_session(&mut self, id: &str) -> Result<SessionActivity, ConnectorError> {
        let id: u64 = id
            .parse()
            .map_err(|_| ConnectorError::query(format!("`{id}` is not a connection id")))?;
        // MariaDB reports the stage of a long `ALTER TABLE` and its progress in percent.
        let progress = if self.server.mariadb {
            ", STAGE, MAX_STAGE, PROGRESS"
        } else {
            ""
        };
        let rows = text_rows(
            &mut self.conn,
            &format!(
                "SELECT STATE, COMMAND, INFO{progress} FROM information_schema.PROCESSLIST \
                 WHERE ID = {id}"
            ),
        )?;
        let Some(row) = rows.first() else {
            return Ok(SessionActivity::default());
        };
        let field = |i: usize| row.get(i).cloned().flatten().filter(|t| !t.is_empty());
        let waiting_for = field(0).filter(|state| state.starts_with("Waiting for"));
        // A metadata or row lock wait is on what an open transaction holds.
        let blockers = if waiting_for.is_some() {
            self.open_transactions(&id.to_string())?
        } else {
            Vec::new()
        };
        let progress = match (field(3), field(4), field(5)) {
            (Some(stage), Some(max_stage), Some(percent))
                if percent.parse::<f64>().is_ok_and(|p| p > 0.0) =>
            {
                Some(StatementProgress {
                    command: field(2)
                        .map(|query| shorten(&query))
                        .unwrap_or_else(|| field(1).unwrap_or_default()),
                    phase: format!("stage {stage} of {max_stage}"),
                    // Thousandths of the whole, from the percentage with three decimals.
                    done: percent
                        .parse::<f64>()
                        .ok()
                        .map(|p| (p * 1000.0).round() as u64),
                    total: Some(100_000),
                    unit: "thousandths of a percent".to_owned(),
                })
            }
            _ => None,
        };
        Ok(SessionActivity {
            waiting_for,
            blockers,
            progress,
        })
    }

    fn other_sessions(&mut self) -> Result<Vec<SessionInfo>, ConnectorError> {
        self.open_transactions("0")
    }
}

impl MaintenanceFacts for MysqlConnection {
    fn index_facts(&mut self, request: &IndexFactsRequest) -> Result<IndexFacts, ConnectorError> {
        index_facts::index_facts(&mut self.conn, request)
    }

    fn health_facts(&mut self, _namespaces: &[String]) -> Result<HealthFacts, ConnectorError> {
        health::facts(&mut self.conn, self.server.mariadb)
    }

    fn check_rows(&mut self, check: &RowCheck<'_>) -> Result<RowCheckResult, ConnectorError> {
        health::check_rows(check, &mut |sql| self.query_texts(sql))
    }
}

/// Prefix of temporary shadow database names, as Prisma names them.
pub const SHADOW_DATABASE_PREFIX: &str = "prisma_migrate_shadow_db_";

/// The database every server has, for sessions that must not depend on the target's.
const ALWAYS_THERE: &str = "information_schema";

/// Create the database `url` names unless it exists; whether it was created.
pub fn create_database(url: &str) -> Result<bool, ConnectorError> {
    let target = MysqlUrl::parse(url)?;
    match target.connect() {
        Ok(_) => return Ok(false),
        Err(ConnectorError::DatabaseDoesNotExist { .. }) => {}
        Err(other) => return Err(other),
    }
    target
        .with_database(ALWAYS_THERE)
        .connect()?
        .query_drop(format!("CREATE DATABASE {}", quote_ident(&target.database)))
        .map_err(|e| query_error(&e))?;
    Ok(true)
}

/// Drop the shadow databases next to `main_url` left by runs that are gone; one line each.
pub fn drop_abandoned_shadows(main_url: &str) -> Result<Vec<String>, ConnectorError> {
    owner::drop_abandoned(
        &MysqlUrl::parse(main_url)?,
        SHADOW_DATABASE_PREFIX,
        "shadow database",
    )
}

/// Open a scratch database: the configured `shadow_url` (emptied first), or a temporary
/// database created next to `main_url` and dropped on dispose.
pub fn open_shadow(
    main_url: &str,
    shadow_url: Option<&str>,
) -> Result<Box<dyn ShadowDatabase>, ConnectorError> {
    let main = MysqlUrl::parse(main_url)?;
    if let Some(shadow_url) = shadow_url {
        let shadow = MysqlUrl::parse(shadow_url)?;
        if shadow.address() == main.address() && shadow.database == main.database {
            return Err(ConnectorError::InvalidUrl {
                url: shadow.redacted(),
                reason: "the shadow database URL points at the main database; it must name a \
                         separate database that drydock may erase"
                    .to_owned(),
            });
        }
        let mut connection = MysqlConnection::open(shadow)?;
        connection.drop_everything()?;
        return Ok(Box::new(MysqlShadow {
            connection,
            temporary: None,
        }));
    }
    let name = format!("{SHADOW_DATABASE_PREFIX}{}", uuid::Uuid::new_v4());
    // Claimed before it exists, so that a run after a kill knows it for a leftover.
    owner::claim_database(&main, &name)?;
    let mut admin = MysqlConnection::open(main.with_database(ALWAYS_THERE))?;
    admin
        .conn
        .query_drop(format!("CREATE DATABASE {}", quote_ident(&name)))
        .map_err(|e| query_error(&e))?;
    // From here on the guard drops the database should anything fail.
    let temporary = TemporaryDatabase {
        admin,
        server: main.clone(),
        name: name.clone(),
        dropped: false,
    };
    let connection = MysqlConnection::open(main.with_database(&name))?;
    Ok(Box::new(MysqlShadow {
        connection,
        temporary: Some(temporary),
    }))
}

/// A shadow database. Field order matters: the connection closes before the temporary
/// database is dropped.
struct MysqlShadow {
    connection: MysqlConnection,
    temporary: Option<TemporaryDatabase>,
}

impl ShadowDatabase for MysqlShadow {
    fn connection(&mut self) -> &mut dyn Connection {
        &mut self.connection
    }

    fn dispose(self: Box<Self>) -> Result<(), ConnectorError> {
        let MysqlShadow {
            mut connection,
            temporary,
        } = *self;
        match temporary {
            Some(mut temporary) => {
                drop(connection);
                temporary.try_drop()
            }
            None => connection.drop_everything(),
        }
    }
}

/// A database created for one shadow replay; dropped on dispose, or on drop as a fallback.
struct TemporaryDatabase {
    admin: MysqlConnection,
    /// Where the claim on the database is held.
    server: MysqlUrl,
    name: String,
    dropped: bool,
}

impl TemporaryDatabase {
    fn try_drop(&mut self) -> Result<(), ConnectorError> {
        if !self.dropped {
            self.admin
                .conn
                .query_drop(format!(
                    "DROP DATABASE IF EXISTS {}",
                    quote_ident(&self.name)
                ))
                .map_err(|e| query_error(&e))?;
            self.dropped = true;
            owner::release_database(&self.server, &self.name)?;
        }
        Ok(())
    }
}

impl Drop for TemporaryDatabase {
    fn drop(&mut self) {
        // Best effort: an error here has no one to report to; dispose reports it.
        let _ = self.try_drop();
    }
}

/// Whether `host` is this machine, where the server's data directory can be looked at.
fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_told_apart_by_their_version() {
        assert_eq!(
            Server::from_version("10.11.6-MariaDB-0+deb12u1"),
            Server {
                mariadb: true,
                version: "10.11.6".to_owned()
            }
        );
        assert_eq!(
            Server::from_version("5.5.5-10.6.4-MariaDB").describe(),
            "MariaDB 10.6.4"
        );
        assert_eq!(Server::from_version("8.0.36").describe(), "MySQL 8.0.36");
    }
}
