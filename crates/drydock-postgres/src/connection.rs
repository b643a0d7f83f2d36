//! Sessions on PostgreSQL: error mapping, running scripts through the simple query protocol,
//! and shadow databases. URLs are parsed in `url.rs`, sessions opened in `connect.rs`.

use std::borrow::Cow;
use std::sync::Arc;

use drydock_connector::{
    Connection, ConnectorError, DRYDOCK_SESSION_SETTING, FailedIndexBuilds, HealthFacts,
    HistoryRow, Introspect, MaintenanceFacts, MigrationHistory, MigrationLock, ObserveSessions,
    PreflightFacts, Privilege, RowCheck, RowCheckResult, RowCount, RunScripts, ScriptError,
    SessionActivity, SessionControl, SessionInfo, SessionLimits, ShadowDatabase,
    StatementCanceller, Storage, TrialRun,
};
use drydock_schema::SqlSchema;
use std::time::Duration;

use postgres::error::ErrorPosition;
use postgres::types::Type;
use postgres::{Client, GenericClient};

use crate::pooler::PGBOUNCER_FLAG;
use crate::url::PgUrl;
use crate::{activity, checks, health, history, introspect, lock, owner};

/// Prefix of temporary shadow database names, as Prisma names them.
pub const SHADOW_DATABASE_PREFIX: &str = "prisma_migrate_shadow_db_";

/// PgBouncer's usual port.
const PGBOUNCER_PORT: u16 = 6432;

/// Why `url` looks like a transaction-mode pooler: Prisma's `pgbouncer=true` flag, PgBouncer's
/// port, or a hosted pooler's host name.
pub(crate) fn pooler_warning(url: &str) -> Option<String> {
    let url = PgUrl::parse(url).ok()?;
    let host = url.host.to_ascii_lowercase();
    let why = if url.pgbouncer {
        PGBOUNCER_FLAG.to_owned()
    } else if url.port == PGBOUNCER_PORT {
        format!("the URL uses port {PGBOUNCER_PORT}, PgBouncer's port")
    } else if host.contains("pooler") {
        format!("the host `{host}` is a connection pooler")
    } else {
        return None;
    };
    Some(format!(
        "{why}: in transaction mode a pooler hands each transaction to any server session, so \
         session settings (`lock_timeout`), the advisory migration lock and statements outside a \
         transaction do not hold; migrate through a direct connection (`directUrl`)"
    ))
}

/// The database's message (with its detail and hint) as a [`ConnectorError::Query`].
pub(crate) fn query_error(error: &postgres::Error) -> ConnectorError {
    ConnectorError::Query {
        message: error_message(error),
        db_code: error.code().map(|c| c.code().to_owned()),
    }
}

fn error_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut message = db.message().to_owned();
            if let Some(detail) = db.detail() {
                message.push_str("\nDETAIL: ");
                message.push_str(detail);
            }
            if let Some(hint) = db.hint() {
                message.push_str("\nHINT: ");
                message.push_str(hint);
            }
            message
        }
        None => error.to_string(),
    }
}

/// A failed script as a [`ScriptError`], with PostgreSQL's 1-based character position turned
/// into a byte offset into `script`.
fn script_error(error: &postgres::Error, script: &str) -> ScriptError {
    let position = error
        .as_db_error()
        .and_then(|db| db.position())
        .and_then(|p| match p {
            ErrorPosition::Original(chars) => char_position_to_byte(script, *chars),
            ErrorPosition::Internal { .. } => None,
        });
    ScriptError {
        message: error_message(error),
        db_code: error.code().map(|c| c.code().to_owned()),
        position,
        statements_done: None,
    }
}

/// [`script_error`] for a script sent after a `prefix`-byte prefix: positions in the script.
fn script_error_after(error: &postgres::Error, sent: &str, prefix: usize) -> ScriptError {
    let mut script_error = script_error(error, sent);
    script_error.position = script_error.position.and_then(|p| p.checked_sub(prefix));
    script_error
}

fn char_position_to_byte(script: &str, one_based: u32) -> Option<usize> {
    let index = usize::try_from(one_based).ok()?.checked_sub(1)?;
    script
        .char_indices()
        .nth(index)
        .map(|(byte, _)| byte)
        .or((index == script.chars().count()).then_some(script.len()))
}

/// `"name"` with embedded quotes doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Sends PostgreSQL's cancel request for a session's running statement, over a connection of
/// its own.
struct PostgresCanceller {
    token: postgres::CancelToken,
    /// The session's URL: the cancel request goes over TLS when the session does.
    url: PgUrl,
}

impl StatementCanceller for PostgresCanceller {
    fn cancel(&self) -> Result<(), ConnectorError> {
        self.url.cancel(&self.token)
    }
}

/// One session on a PostgreSQL database.
///
/// Queries run as unnamed statements (`query_typed`, `simple_query`): behind a transaction-mode
/// pooler a named statement is prepared on one server session and may be looked for, or clash
/// with another client's of the same name, on another.
pub(crate) struct PostgresConnection {
    client: Client,
    url: PgUrl,
    /// The server session that answered the first statement; the migration lock is taken there.
    backend_pid: i32,
    holds_lock: bool,
}

impl PostgresConnection {
    pub(crate) fn connect(url: &str) -> Result<Self, ConnectorError> {
        Self::open(PgUrl::parse(url)?)
    }

    fn open(url: PgUrl) -> Result<Self, ConnectorError> {
        let mut client = url.connect()?;
        // Behind a pooler the session's search path would be set on one server session only:
        // scripts carry it instead (`with_search_path`). The session is marked as drydock's, so
        // the audit trigger (`audit.rs`) leaves out the changes drydock records itself.
        let search_path = if url.pgbouncer {
            String::new()
        } else {
            format!("SET search_path TO {};", quote_ident(&url.schema))
        };
        let messages = client
            .simple_query(&format!(
                "{search_path}SET {DRYDOCK_SESSION_SETTING} = 'drydock';SELECT pg_backend_pid()"
            ))
            .map_err(|e| query_error(&e))?;
        let backend_pid = messages
            .iter()
            .find_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => row.get(0)?.parse().ok(),
                _ => None,
            })
            .ok_or_else(|| ConnectorError::query("the server did not tell its backend pid"))?;
        Ok(PostgresConnection {
            client,
            url,
            backend_pid,
            holds_lock: false,
        })
    }

    /// `script` as sent: behind a pooler each message may run on another server session, so the
    /// managed schema is set in the same message. Returns the prefix's length too, to subtract
    /// from error positions.
    fn with_search_path<'a>(&self, script: &'a str) -> (Cow<'a, str>, usize) {
        with_search_path(&self.url, script)
    }

    /// Create the managed schema when it is missing. Checks first, so that a user without
    /// `CREATE` on the database can still work in an existing schema.
    pub(crate) fn ensure_schema(&mut self) -> Result<(), ConnectorError> {
        let exists = self
            .client
            .query_typed_opt(
                "SELECT 1 FROM pg_namespace WHERE nspname = $1",
                &[(&self.url.schema, Type::NAME)],
            )
            .map_err(|e| query_error(&e))?
            .is_some();
        if !exists {
            self.client
                .batch_execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {}",
                    quote_ident(&self.url.schema)
                ))
                .map_err(|e| query_error(&e))?;
        }
        Ok(())
    }

    /// Drop every non-system schema, then recreate the managed one (configured shadow
    /// databases only: they belong to drydock entirely).
    fn reset_all_schemas(&mut self) -> Result<(), ConnectorError> {
        let rows = self
            .client
            .query_typed(include_str!("queries/user_schemas.sql"), &[])
            .map_err(|e| query_error(&e))?;
        let mut script = String::new();
        for row in rows {
            let name: String = row.get(0);
            script.push_str(&format!("DROP SCHEMA {} CASCADE;\n", quote_ident(&name)));
        }
        script.push_str(&format!("CREATE SCHEMA {};", quote_ident(&self.url.schema)));
        self.client
            .batch_execute(&script)
            .map_err(|e| query_error(&e))
    }

    fn server_version_num(&mut self) -> Result<i64, ConnectorError> {
        let row = self
            .client
            .query_typed_one("SELECT current_setting('server_version_num')::bigint", &[])
            .map_err(|e| query_error(&e))?;
        Ok(row.get(0))
    }
}

impl Connection for PostgresConnection {
    fn sessions(&mut self) -> Option<&mut dyn ObserveSessions> {
        Some(self)
    }

    fn failed_index_builds(&mut self) -> Option<&mut dyn FailedIndexBuilds> {
        Some(self)
    }

    fn trial_runs(&mut self) -> Option<&mut dyn TrialRun> {
        Some(self)
    }

    fn maintenance(&mut self) -> Option<&mut dyn MaintenanceFacts> {
        Some(self)
    }
}

impl RunScripts for PostgresConnection {
    fn execute_script(&mut self, script: &str) -> Result<(), ScriptError> {
        let url = self.url.clone();
        batch_in_schema(&mut self.client, &url, script)
    }

    fn is_lost(&mut self, error: &ScriptError) -> bool {
        // 57P0x: the server ended the session (terminated, shutting down or crashed, starting,
        // its database dropped, idle too long); class 08: the connection failed.
        self.client.is_closed()
            || error
                .db_code
                .as_deref()
                .is_some_and(|code| code.starts_with("57P0") || code.starts_with("08"))
    }

    fn execute_counted(&mut self, statement: &str) -> Result<u64, ScriptError> {
        let (sent, prefix) = self.with_search_path(statement);
        let messages = self
            .client
            .simple_query(&sent)
            .map_err(|e| script_error_after(&e, &sent, prefix))?;
        Ok(messages
            .iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::CommandComplete(rows) => Some(*rows),
                _ => None,
            })
            .sum())
    }

    fn abort_open_transaction(&mut self) -> Result<bool, ConnectorError> {
        // Outside a transaction this succeeds; inside a failed one PostgreSQL refuses every
        // statement but ROLLBACK with SQLSTATE 25P02.
        match self.client.simple_query("SELECT 1") {
            Ok(_) => Ok(false),
            Err(error)
                if error.code() == Some(&postgres::error::SqlState::IN_FAILED_SQL_TRANSACTION) =>
            {
                self.client
                    .batch_execute("ROLLBACK")
                    .map_err(|e| query_error(&e))?;
                Ok(true)
            }
            Err(error) => Err(query_error(&error)),
        }
    }

    fn query_texts(&mut self, sql: &str) -> Result<Vec<Option<String>>, ConnectorError> {
        // The simple protocol returns every value as text, whatever its type.
        let (sent, _) = self.with_search_path(sql);
        let messages = self
            .client
            .simple_query(&sent)
            .map_err(|e| query_error(&e))?;
        Ok(messages
            .iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => Some(row.get(0).map(str::to_owned)),
                _ => None,
            })
            .collect())
    }

    fn canceller(&mut self) -> Result<Arc<dyn StatementCanceller>, ConnectorError> {
        Ok(Arc::new(PostgresCanceller {
            token: self.client.cancel_token(),
            url: self.url.clone(),
        }))
    }
}

impl Introspect for PostgresConnection {
    fn introspect(&mut self, namespaces: &[String]) -> Result<SqlSchema, ConnectorError> {
        let schema = self.url.schema.clone();
        // One transaction with the search path set in it: how types and defaults are printed
        // depends on it, and behind a pooler the session's own may not be there.
        let mut transaction = self.client.transaction().map_err(|e| query_error(&e))?;
        transaction
            .batch_execute(&format!(
                "SET LOCAL search_path TO {}",
                quote_ident(&schema)
            ))
            .map_err(|e| query_error(&e))?;
        let introspected = introspect::introspect(&mut transaction, &schema, namespaces)?;
        transaction.commit().map_err(|e| query_error(&e))?;
        Ok(drydock_connector::without_bookkeeping(introspected))
    }

    fn server_version(&mut self) -> Result<String, ConnectorError> {
        let row = self
            .client
            .query_typed_one("SELECT current_setting('server_version')", &[])
            .map_err(|e| query_error(&e))?;
        let version: String = row.get(0);
        let short = version.split_whitespace().next().unwrap_or_default();
        Ok(format!("PostgreSQL {short}"))
    }

    fn has_user_tables(&mut self) -> Result<bool, ConnectorError> {
        let schema = self.url.schema.clone();
        history::has_user_tables(&mut self.client, &schema)
    }

    fn reset(&mut self) -> Result<(), ConnectorError> {
        let schema = quote_ident(&self.url.schema);
        // Recreated with the search path pointing at it, which a pooler's server session
        // answering the next statement may not have.
        let (sent, _) = self.with_search_path("");
        self.client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};{sent}"
            ))
            .map_err(|e| query_error(&e))
    }
}

impl MigrationHistory for PostgresConnection {
    fn history_table_exists(&mut self) -> Result<bool, ConnectorError> {
        let schema = self.url.schema.clone();
        history::table_exists(&mut self.client, &schema)
    }

    fn create_history_table(&mut self) -> Result<(), ConnectorError> {
        self.ensure_schema()?;
        let schema = self.url.schema.clone();
        history::create_table(&mut self.client, &schema)
    }

    fn read_history(&mut self) -> Result<Vec<HistoryRow>, ConnectorError> {
        let schema = self.url.schema.clone();
        history::read(&mut self.client, &schema)
    }

    fn insert_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        let schema = self.url.schema.clone();
        history::insert(&mut self.client, &schema, row)
    }

    fn update_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        let schema = self.url.schema.clone();
        history::update(&mut self.client, &schema, row)
    }

    fn apply_in_transaction(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        self.in_transaction(script, |transaction, schema| {
            history::insert(transaction, schema, row)
        })
    }

    fn execute_and_record(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        self.in_transaction(script, |transaction, schema| {
            history::update(transaction, schema, row)
        })
    }
}

impl MigrationLock for PostgresConnection {
    fn lock_migrations(&mut self, timeout_secs: u64) -> Result<Vec<String>, ConnectorError> {
        if self.holds_lock {
            return Ok(Vec::new());
        }
        if self.url.pgbouncer {
            return Err(ConnectorError::TransactionPooler {
                why: PGBOUNCER_FLAG.to_owned(),
            });
        }
        let notes = lock::lock(&mut self.client, timeout_secs, self.backend_pid)?;
        self.holds_lock = true;
        Ok(notes)
    }

    fn unlock_migrations(&mut self) -> Result<(), ConnectorError> {
        if !self.holds_lock {
            return Ok(());
        }
        lock::unlock(
            &mut self.client,
            lock::UNLOCK_TIMEOUT_SECS,
            self.backend_pid,
        )?;
        self.holds_lock = false;
        Ok(())
    }
}

impl SessionControl for PostgresConnection {
    fn set_session_limits(&mut self, limits: &SessionLimits) -> Result<(), ConnectorError> {
        let setting = |name: &str, value: Option<Duration>| match value {
            Some(value) => format!("SET {name} = '{}ms';", value.as_millis()),
            None => format!("SET {name} = DEFAULT;"),
        };
        self.client
            .batch_execute(&format!(
                "{}\n{}",
                setting("lock_timeout", limits.lock_timeout),
                setting("statement_timeout", limits.statement_timeout)
            ))
            .map_err(|e| query_error(&e))
    }
}

impl PreflightFacts for PostgresConnection {
    fn privileges(&mut self) -> Result<Vec<Privilege>, ConnectorError> {
        let schema = self.url.schema.clone();
        checks::privileges(&mut self.client, &schema)
    }

    fn storage(&mut self) -> Result<Storage, ConnectorError> {
        checks::storage(&mut self.client)
    }

    fn count_rows(&mut self, question: &RowCount<'_>) -> Result<u64, ConnectorError> {
        let rows = self.query_texts(&question.sql(&quote_ident))?;
        Ok(RowCount::count_of(&rows))
    }
}

impl ObserveSessions for PostgresConnection {
    fn session_id(&mut self) -> Result<String, ConnectorError> {
        let row = self
            .client
            .query_typed_one("SELECT pg_backend_pid()", &[])
            .map_err(|e| query_error(&e))?;
        Ok(row.get::<_, i32>(0).to_string())
    }

    fn observe_session(&mut self, id: &str) -> Result<SessionActivity, ConnectorError> {
        let pid = id
            .parse::<i32>()
            .map_err(|_| ConnectorError::query(format!("`{id}` is not a backend pid")))?;
        activity::observe(&mut self.client, pid)
    }

    fn other_sessions(&mut self) -> Result<Vec<SessionInfo>, ConnectorError> {
        let schema = self.url.schema.clone();
        checks::other_sessions(&mut self.client, &schema)
    }
}

impl FailedIndexBuilds for PostgresConnection {
    fn invalid_indexes(&mut self) -> Result<Vec<String>, ConnectorError> {
        let schema = self.url.schema.clone();
        activity::invalid_indexes(&mut self.client, &schema)
    }

    fn drop_invalid_index(&mut self, name: &str) -> Result<(), ConnectorError> {
        self.client
            .batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {name}"))
            .map_err(|e| query_error(&e))
    }
}

impl TrialRun for PostgresConnection {
    fn trial_run(&mut self, script: &str) -> Result<(), ScriptError> {
        // Dropping the transaction without committing rolls it back.
        let url = self.url.clone();
        let mut transaction = self
            .client
            .transaction()
            .map_err(|e| script_error(&e, script))?;
        batch_in_schema(&mut transaction, &url, script)
    }
}

impl MaintenanceFacts for PostgresConnection {
    fn index_facts(
        &mut self,
        request: &drydock_connector::IndexFactsRequest,
    ) -> Result<drydock_connector::IndexFacts, ConnectorError> {
        let schema = self.url.schema.clone();
        crate::index_facts::index_facts(&mut self.client, &schema, request)
    }

    fn health_facts(&mut self, namespaces: &[String]) -> Result<HealthFacts, ConnectorError> {
        let namespaces = if namespaces.is_empty() {
            vec![self.url.schema.clone()]
        } else {
            namespaces.to_vec()
        };
        health::facts(&mut self.client, &namespaces)
    }

    fn check_rows(&mut self, check: &RowCheck<'_>) -> Result<RowCheckResult, ConnectorError> {
        health::check_rows(check, &mut |sql| self.query_texts(sql))
    }
}

impl PostgresConnection {
    /// Run `script`, then `write` the history, in one transaction.
    fn in_transaction(
        &mut self,
        script: &str,
        write: impl FnOnce(&mut postgres::Transaction<'_>, &str) -> Result<(), ConnectorError>,
    ) -> Result<(), ScriptError> {
        let url = self.url.clone();
        // Dropping the transaction without committing rolls it back.
        let mut transaction = self
            .client
            .transaction()
            .map_err(|e| script_error(&e, script))?;
        batch_in_schema(&mut transaction, &url, script)?;
        write(&mut transaction, &url.schema).map_err(ScriptError::from_connector)?;
        transaction.commit().map_err(|e| script_error(&e, script))
    }
}

/// `script` with the managed schema set first, in the same message, behind a pooler (see
/// [`PostgresConnection::with_search_path`]); with the prefix's length.
fn with_search_path<'a>(url: &PgUrl, script: &'a str) -> (Cow<'a, str>, usize) {
    if url.pgbouncer {
        let prefix = format!("SET search_path TO {};\n", quote_ident(&url.schema));
        let length = prefix.len();
        (Cow::Owned(prefix + script), length)
    } else {
        (Cow::Borrowed(script), 0)
    }
}

/// Run `script` through the simple query protocol in the managed schema.
fn batch_in_schema(
    client: &mut impl GenericClient,
    url: &PgUrl,
    script: &str,
) -> Result<(), ScriptError> {
    let (sent, prefix) = with_search_path(url, script);
    client
        .batch_execute(&sent)
        .map_err(|e| script_error_after(&e, &sent, prefix))
}

/// Create the database `url` names, connecting to the server's `postgres` database to do so,
/// unless it exists.
pub(crate) fn create_database(url: &str) -> Result<bool, ConnectorError> {
    let target = PgUrl::parse(url)?;
    match target.connect() {
        Ok(_) => return Ok(false),
        Err(ConnectorError::DatabaseDoesNotExist { .. }) => {}
        Err(other) => return Err(other),
    }
    let mut admin = target.with_database("postgres").connect()?;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {}",
            quote_ident(&target.database)
        ))
        .map_err(|e| query_error(&e))?;
    Ok(true)
}

/// Open a scratch database: the configured `shadow_url` (reset first), or a temporary
/// database created next to `main_url` and dropped on dispose.
pub(crate) fn open_shadow(
    main_url: &str,
    shadow_url: Option<&str>,
) -> Result<Box<dyn ShadowDatabase>, ConnectorError> {
    let main = PgUrl::parse(main_url)?;
    if let Some(shadow_url) = shadow_url {
        let shadow = PgUrl::parse(shadow_url)?;
        if shadow.same_database_as(&main) {
            return Err(ConnectorError::InvalidUrl {
                url: shadow.redacted().to_owned(),
                reason: "the shadow database URL points at the main database; it must name a \
                         separate database that drydock may erase"
                    .to_owned(),
            });
        }
        let mut connection = PostgresConnection::open(shadow)?;
        connection.reset_all_schemas()?;
        return Ok(Box::new(PostgresShadow {
            connection,
            temporary: None,
        }));
    }

    // Owned by this process, so that the run after a kill knows it for a leftover.
    let name = format!("{SHADOW_DATABASE_PREFIX}{}", uuid::Uuid::new_v4());
    owner::claim_database(&main, &name)?;
    let mut admin = PostgresConnection::open(main.clone())?;
    admin
        .client
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&name)))
        .map_err(|e| query_error(&e))?;
    let mut guard = TemporaryDatabase {
        admin,
        name: name.clone(),
        dropped: false,
    };
    owner::set_owner_comment(&mut guard.admin.client, &name)?;
    owner::release_database(&main, &name)?;
    // From here on the guard drops the database should anything fail.
    let mut connection = PostgresConnection::open(main.with_database(&name))?;
    connection.ensure_schema()?;
    Ok(Box::new(PostgresShadow {
        connection,
        temporary: Some(guard),
    }))
}

/// Drop the shadow databases next to `main_url` left by runs that are gone; one line each.
pub(crate) fn drop_abandoned_shadows(main_url: &str) -> Result<Vec<String>, ConnectorError> {
    let mut admin = PostgresConnection::open(PgUrl::parse(main_url)?)?;
    owner::drop_abandoned(&mut admin.client, SHADOW_DATABASE_PREFIX, "shadow database")
}

/// A shadow database. Field order matters: the connection closes before the temporary
/// database is dropped.
struct PostgresShadow {
    connection: PostgresConnection,
    temporary: Option<TemporaryDatabase>,
}

impl ShadowDatabase for PostgresShadow {
    fn connection(&mut self) -> &mut dyn Connection {
        &mut self.connection
    }

    fn dispose(self: Box<Self>) -> Result<(), ConnectorError> {
        let PostgresShadow {
            mut connection,
            temporary,
        } = *self;
        match temporary {
            Some(temporary) => {
                drop(connection);
                temporary.drop_database()
            }
            None => connection.reset_all_schemas(),
        }
    }
}

/// A database created for one shadow replay; dropped on dispose, or on drop as a fallback.
struct TemporaryDatabase {
    admin: PostgresConnection,
    name: String,
    dropped: bool,
}

impl TemporaryDatabase {
    fn drop_database(mut self) -> Result<(), ConnectorError> {
        self.try_drop()
    }

    fn try_drop(&mut self) -> Result<(), ConnectorError> {
        if self.dropped {
            return Ok(());
        }
        let name = quote_ident(&self.name);
        // `WITH (FORCE)` exists from PostgreSQL 13 on.
        let sql = if self.admin.server_version_num()? >= 130_000 {
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        } else {
            format!("DROP DATABASE IF EXISTS {name}")
        };
        self.admin
            .client
            .batch_execute(&sql)
            .map_err(|e| query_error(&e))?;
        self.dropped = true;
        Ok(())
    }
}

impl Drop for TemporaryDatabase {
    fn drop(&mut self) {
        // Best effort: an error here has no one to report to; dispose reports it.
        let _ = self.try_drop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_character_positions_to_byte_offsets() {
        let script = "SELECT 'é'; SELEKT 1;";
        let byte = char_position_to_byte(script, 13).unwrap();
        assert_eq!(&script[byte..byte + 6], "SELEKT");
        assert_eq!(char_position_to_byte(script, 0), None);
    }
}
