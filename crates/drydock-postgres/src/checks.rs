//! Pre-flight facts from PostgreSQL's catalogs: other sessions and their locks, the migration
//! role's privileges, the database's size and free space.

use std::path::PathBuf;

use drydock_connector::{ConnectorError, Privilege, SessionInfo, Storage};
use postgres::Client;
use postgres::types::Type;

use crate::activity;
use crate::connection::query_error;

/// Client sessions on this database besides ours that have a transaction open or hold or await
/// a lock in `schema`, with their table locks.
pub(crate) fn other_sessions(
    client: &mut Client,
    schema: &str,
) -> Result<Vec<SessionInfo>, ConnectorError> {
    let pids: Vec<i32> = client
        .query_typed(
            include_str!("queries/other_sessions.sql"),
            &[(&schema, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    activity::sessions(client, &pids)
}

/// What migrations in `schema` need, and whether the session's role has each.
pub(crate) fn privileges(
    client: &mut Client,
    schema: &str,
) -> Result<Vec<Privilege>, ConnectorError> {
    Ok(client
        .query_typed(
            include_str!("queries/privileges.sql"),
            &[(&schema, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| Privilege {
            what: row.get(0),
            granted: row.get(1),
        })
        .collect())
}

/// The database's size, and the free space of its data directory when the server runs on this
/// machine. Whether it does is the server's answer (a socket or loopback connection), not the
/// URL's host: a port forwarded into a container also looks like `localhost`.
pub(crate) fn storage(client: &mut Client) -> Result<Storage, ConnectorError> {
    let row = client
        .query_typed_one(include_str!("queries/storage.sql"), &[])
        .map_err(|e| query_error(&e))?;
    let database_bytes = u64::try_from(row.get::<_, i64>(0)).ok();
    let reported_directory: Option<String> = row.get(1);
    let on_this_machine: bool = row.get(2);
    let data_directory = reported_directory
        .map(PathBuf::from)
        .filter(|directory| on_this_machine && directory.is_dir());
    let free_bytes = data_directory
        .as_deref()
        .and_then(|directory| fs4::available_space(directory).ok());
    Ok(Storage {
        database_bytes,
        data_directory,
        free_bytes,
    })
}
