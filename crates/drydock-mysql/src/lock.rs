//! The migration lock on MySQL and MariaDB: the named lock `prisma_migrate`, taken with
//! `GET_LOCK` as Prisma takes it, so drydock and Prisma exclude each other. It belongs to the
//! session: it is released by `RELEASE_LOCK` or when the session ends, whoever ends it.

use drydock_connector::ConnectorError;
use mysql::Conn;
use mysql::prelude::Queryable;

use crate::connection::{query_error, text_rows};

/// Prisma Migrate's lock name.
pub(crate) const LOCK_NAME: &str = "prisma_migrate";

/// Take the lock, waiting up to `timeout_secs`.
pub(crate) fn lock(conn: &mut Conn, timeout_secs: u64) -> Result<(), ConnectorError> {
    let got: Option<i64> = conn
        .exec_first("SELECT GET_LOCK(?, ?)", (LOCK_NAME, timeout_secs))
        .map_err(|e| query_error(&e))?
        .flatten();
    match got {
        Some(1) => Ok(()),
        // 0: the wait timed out; NULL: the server gave up otherwise (the session was killed).
        Some(0) => Err(ConnectorError::LockTimeout {
            seconds: timeout_secs,
            holder: holder(conn)?,
        }),
        _ => Err(ConnectorError::query(format!(
            "GET_LOCK('{LOCK_NAME}') failed without waiting for the timeout"
        ))),
    }
}

/// Who holds the lock, as the server shows the holding session.
fn holder(conn: &mut Conn) -> Result<Option<String>, ConnectorError> {
    let rows = text_rows(
        conn,
        &format!(
            "SELECT p.ID, p.USER, p.HOST, p.COMMAND, p.TIME, p.INFO \
             FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK('{LOCK_NAME}')"
        ),
    )?;
    Ok(rows.first().map(|row| {
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let mut text = format!(
            "session {} of `{}` from {} holds it ({} for {} s",
            field(0),
            field(1),
            field(2),
            field(3),
            field(4)
        );
        if let Some(query) = row.get(5).cloned().flatten() {
            text.push_str(&format!(
                ", running `{}`",
                crate::connection::shorten(&query)
            ));
        }
        text.push(')');
        text
    }))
}

pub(crate) fn unlock(conn: &mut Conn) -> Result<(), ConnectorError> {
    conn.exec_drop("DO RELEASE_LOCK(?)", (LOCK_NAME,))
        .map_err(|e| query_error(&e))
}
