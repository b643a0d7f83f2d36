//! Errors of connections and scripts. Every variant has a stable code (Prisma's where Prisma has
//! one) and a message that never contains a password.

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("the database URL `{url}` is not valid: {reason}")]
    InvalidUrl { url: String, reason: String },

    #[error("can't reach the database server at `{host}`: {detail}")]
    Unreachable { host: String, detail: String },

    #[error(
        "authentication failed against the database server at `{host}`: the credentials for \
         user `{user}` are not valid"
    )]
    AuthenticationFailed { host: String, user: String },

    /// Prisma's P1011, "Error opening a TLS connection".
    #[error("Error opening a TLS connection to `{url}`: {problem}\n  help: {help}")]
    Tls {
        url: String,
        problem: String,
        help: String,
    },

    #[error("database `{database}` does not exist on the database server at `{host}`")]
    DatabaseDoesNotExist { database: String, host: String },

    #[error(
        "timed out after {seconds} s waiting for the migration lock: {}",
        .holder.as_deref().unwrap_or(
            "another drydock or prisma process is applying migrations to this database"
        )
    )]
    LockTimeout {
        seconds: u64,
        /// Who holds the lock, as far as the database tells.
        holder: Option<String>,
    },

    /// The session goes through a connection pooler in transaction mode, where the migration
    /// lock and session settings do not hold.
    #[error(
        "migrations cannot run through a connection pooler in transaction mode ({why}): it hands \
         each transaction to any server session, so the migration lock and `lock_timeout` do not \
         hold and concurrent deployers are not kept apart; set the datasource's `directUrl` (or \
         `datasource.url` in prisma.config.ts, or `--url`) to a direct connection to the \
         database server and keep the pooler's URL in `url`"
    )]
    TransactionPooler { why: String },

    #[error("{message}")]
    Query {
        message: String,
        /// The database's own error code (SQLSTATE on PostgreSQL).
        db_code: Option<String>,
    },

    /// drydock's own refusal with a code of its own (the audit trigger on a database without
    /// event triggers, or without the privilege to create one).
    #[error("{message}")]
    Refused { code: &'static str, message: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl ConnectorError {
    /// The stable error code shown to users.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectorError::InvalidUrl { .. } => "P1013",
            ConnectorError::Unreachable { .. } => "P1001",
            ConnectorError::AuthenticationFailed { .. } => "P1000",
            ConnectorError::DatabaseDoesNotExist { .. } => "P1003",
            ConnectorError::Tls { .. } => "P1011",
            ConnectorError::LockTimeout { .. } => "P1002",
            ConnectorError::TransactionPooler { .. } => "D1013",
            ConnectorError::Query { .. } => "D1010",
            ConnectorError::Io { .. } => "D1011",
            ConnectorError::Refused { code, .. } => code,
        }
    }

    pub fn query(message: impl Into<String>) -> Self {
        ConnectorError::Query {
            message: message.into(),
            db_code: None,
        }
    }

    /// A query error met reading the history table `table` because its columns are not
    /// Prisma's (a missing column, a value of another type), said as such with what drydock
    /// expects and what to do; any other error is returned as it is.
    pub fn history_of_another_shape(table: &str, error: ConnectorError) -> Self {
        match error {
            ConnectorError::Query { message, db_code } => ConnectorError::Query {
                message: format!(
                    "the table `{table}` is not Prisma's migration history table: reading it \
                     failed with `{message}`. drydock expects the columns {HISTORY_COLUMNS} \
                     (Prisma's `_prisma_migrations`). If the table belongs to something else, \
                     rename or move it and run `drydock migrate deploy`, which creates the \
                     history table; if it is a history table damaged by hand, give it Prisma's \
                     columns again"
                ),
                db_code,
            },
            other => other,
        }
    }
}

/// The columns of Prisma's `_prisma_migrations`, as the history table must have them.
const HISTORY_COLUMNS: &str = "id, checksum, finished_at, migration_name, logs, \
                               rolled_back_at, started_at, applied_steps_count";

/// A script that failed part-way.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ScriptError {
    /// The database's message.
    pub message: String,
    /// The database's own error code (SQLSTATE on PostgreSQL).
    pub db_code: Option<String>,
    /// Byte offset in the script where the error was found, when the database says.
    pub position: Option<usize>,
    /// Statements that completed before the failure, when known.
    pub statements_done: Option<usize>,
}

impl ScriptError {
    pub fn from_connector(error: ConnectorError) -> Self {
        ScriptError::describing(&error)
    }

    /// A [`ScriptError`] with `error`'s message and database code.
    pub fn describing(error: &ConnectorError) -> Self {
        let db_code = match error {
            ConnectorError::Query { db_code, .. } => db_code.clone(),
            _ => None,
        };
        ScriptError {
            message: error.to_string(),
            db_code,
            position: None,
            statements_done: None,
        }
    }
}
