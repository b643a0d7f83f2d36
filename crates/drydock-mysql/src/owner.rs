//! Which databases a live drydock run owns, on MySQL and MariaDB. A run claims a database it
//! creates for itself (a shadow, a scratch database for a test restore) before creating it, with
//! a named lock (`GET_LOCK`) held by a session kept open for the life of the process: the server
//! releases the lock when that session ends, so a killed run's claims end with it, on any host.
//! The next run drops the databases of its kind that nobody claims and nobody is connected to (a
//! database of that name made by another tool, Prisma's own shadow databases, has a session on it
//! while it is used).

use std::sync::Mutex;

use drydock_connector::ConnectorError;
use mysql::Conn;
use mysql::prelude::Queryable;

use crate::connection::{query_error, quote_ident};
use crate::url::MysqlUrl;

/// The database every server has, for sessions that must not depend on another one.
const ALWAYS_THERE: &str = "information_schema";

/// How much of a database's name goes into its lock's name: the server takes lock names of at
/// most 64 characters, and the names drydock gives end in a unique id.
const NAME_TAIL: usize = 48;

/// The named lock that claims `database`.
fn lock_name(database: &str) -> String {
    let mut start = database.len().saturating_sub(NAME_TAIL);
    while !database.is_char_boundary(start) {
        start += 1;
    }
    format!("drydock owns {}", &database[start..])
}

/// Sessions kept open for the life of the process, one per server, holding its claims.
static OWNER_SESSIONS: Mutex<Vec<(String, Conn)>> = Mutex::new(Vec::new());

/// Run `f` on the session this process keeps on `url`'s server, opened first if needed.
fn with_owner_session<T>(
    url: &MysqlUrl,
    f: impl FnOnce(&mut Conn) -> Result<T, ConnectorError>,
) -> Result<T, ConnectorError> {
    let mut sessions = OWNER_SESSIONS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let address = url.address();
    let index = match sessions.iter().position(|(at, _)| *at == address) {
        Some(index) => index,
        None => {
            let conn = url.with_database(ALWAYS_THERE).connect()?;
            sessions.push((address, conn));
            sessions.len() - 1
        }
    };
    f(&mut sessions[index].1)
}

/// Claim `database` (about to be created next to `url`) for this process until
/// [`release_database`] or the process ends.
pub fn claim_database(url: &MysqlUrl, database: &str) -> Result<(), ConnectorError> {
    with_owner_session(url, |conn| {
        let got: Option<i64> = conn
            .exec_first("SELECT GET_LOCK(?, 0)", (lock_name(database),))
            .map_err(|e| query_error(&e))?
            .flatten();
        if got == Some(1) {
            Ok(())
        } else {
            Err(ConnectorError::query(format!(
                "another run claims the database `{database}` drydock was about to create"
            )))
        }
    })
}

/// Give up the claim on `database` (dropped, or handed over to the user).
pub fn release_database(url: &MysqlUrl, database: &str) -> Result<(), ConnectorError> {
    with_owner_session(url, |conn| {
        conn.exec_drop("DO RELEASE_LOCK(?)", (lock_name(database),))
            .map_err(|e| query_error(&e))
    })
}

/// The databases next to `url` whose name starts with `prefix` that no run claims and no session
/// uses.
pub fn abandoned(url: &MysqlUrl, prefix: &str) -> Result<Vec<String>, ConnectorError> {
    let mut conn = url.with_database(ALWAYS_THERE).connect()?;
    let names: Vec<String> = conn
        .exec(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA \
             WHERE LEFT(SCHEMA_NAME, CHAR_LENGTH(?)) = ? ORDER BY SCHEMA_NAME",
            (prefix, prefix),
        )
        .map_err(|e| query_error(&e))?;
    let mut found = Vec::new();
    for name in names {
        let unclaimed: Option<i64> = conn
            .exec_first("SELECT IS_USED_LOCK(?) IS NULL", (lock_name(&name),))
            .map_err(|e| query_error(&e))?;
        let in_use: Option<i64> = conn
            .exec_first(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ?",
                (&name,),
            )
            .map_err(|e| query_error(&e))?;
        if unclaimed == Some(1) && in_use == Some(0) {
            found.push(name);
        }
    }
    Ok(found)
}

/// Drop the abandoned databases (see [`abandoned`]) whose name starts with `prefix`; one line
/// for each, naming `what` it is.
pub fn drop_abandoned(
    url: &MysqlUrl,
    prefix: &str,
    what: &str,
) -> Result<Vec<String>, ConnectorError> {
    let mut lines = Vec::new();
    let left = abandoned(url, prefix)?;
    if left.is_empty() {
        return Ok(lines);
    }
    let mut conn = url.with_database(ALWAYS_THERE).connect()?;
    for name in left {
        conn.query_drop(format!("DROP DATABASE IF EXISTS {}", quote_ident(&name)))
            .map_err(|e| query_error(&e))?;
        lines.push(format!(
            "dropped the {what} `{name}` left by a run that is gone (no run claims it, no \
             session uses it)"
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_name_fits_the_server_limit_and_keeps_the_unique_end() {
        let name = format!("prisma_migrate_shadow_db_{}", "a".repeat(32));
        let lock = lock_name(&name);
        assert!(lock.len() <= 64, "{lock}");
        assert!(lock.ends_with(&"a".repeat(32)));
        assert_eq!(lock_name("short"), "drydock owns short");
        assert!(lock_name(&"é".repeat(40)).len() <= 64);
    }
}
