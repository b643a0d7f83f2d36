//! Recognising a transaction-mode pooler (PgBouncer's `pool_mode = transaction`, the hosted
//! poolers): Prisma's `pgbouncer=true` says so; otherwise it shows when one client's statements
//! are answered by different server sessions, or two clients' by the same one.

use drydock_connector::ConnectorError;
use postgres::Client;

use crate::connection::query_error;
use crate::url::PgUrl;

/// Why a URL with Prisma's flag is a pooler's.
pub(crate) const PGBOUNCER_FLAG: &str = "the URL sets `pgbouncer=true`";

/// Why one client's consecutive statements show a pooler.
pub(crate) fn different_sessions(first: i32, then: i32) -> String {
    format!(
        "consecutive statements were answered by different server sessions (backend {first}, \
         then {then})"
    )
}

fn backend_pid(client: &mut Client) -> Result<i32, ConnectorError> {
    Ok(client
        .query_typed_one("SELECT pg_backend_pid()", &[])
        .map_err(|e| query_error(&e))?
        .get(0))
}

/// Why `url` goes through a transaction-mode pooler, if it does: its `pgbouncer=true`, else a
/// probe with two connections. The second holds a transaction open, which a pooler in
/// transaction mode serves with the server session the first just released (or keeps that one
/// from the first's next statement). A direct connection or a session-mode pooler keeps one
/// server session per client for good, and the probe finds nothing.
pub fn transaction_pooler(url: &PgUrl) -> Result<Option<String>, ConnectorError> {
    if url.pgbouncer {
        return Ok(Some(PGBOUNCER_FLAG.to_owned()));
    }
    let mut first = url.connect()?;
    let mut second = url.connect()?;
    let before = backend_pid(&mut first)?;
    second.batch_execute("BEGIN").map_err(|e| query_error(&e))?;
    let other = backend_pid(&mut second)?;
    if other == before {
        return Ok(Some(format!(
            "two connections were answered by the same server session (backend {before})"
        )));
    }
    let after = backend_pid(&mut first)?;
    second
        .batch_execute("ROLLBACK")
        .map_err(|e| query_error(&e))?;
    Ok((after != before).then(|| different_sessions(before, after)))
}
