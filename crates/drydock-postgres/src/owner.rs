//! Who a drydock run is, on the server: its sessions are named `drydock pid <pid> on <host>`,
//! and the databases it creates for itself (shadow, scratch) carry a comment naming it and when
//! it started. A run killed before dropping such a database leaves it behind; the next run
//! drops those whose owner is gone: on this host, its process is not alive; on another host, no
//! session of it is connected (each run keeps one open while it lives, see
//! [`hold_owner_session`]). A database whose owner is alive, or on another host and connected,
//! is never dropped.

use std::sync::Mutex;

use chrono::Utc;
use drydock_connector::{ConnectorError, host_name, process_gone};
use postgres::Client;
use postgres::types::Type;

use crate::connection::{query_error, quote_ident};
use crate::render::string_literal;
use crate::url::PgUrl;

/// PostgreSQL keeps the first 63 bytes of an `application_name`.
const NAME_LIMIT: usize = 63;
const PREFIX: &str = "drydock pid ";

/// `drydock pid 4242 on build-7`, cut to what the server keeps.
pub(crate) fn session_name(pid: u32, host: Option<&str>) -> String {
    let mut name = format!("{PREFIX}{pid}");
    if let Some(host) = host {
        name.push_str(&format!(" on {host}"));
    }
    if name.len() > NAME_LIMIT {
        let mut end = NAME_LIMIT;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

/// The owner of a database, as its comment names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    pub host: Option<String>,
    /// The rest of the comment after the session name (`started <time>`).
    pub started: Option<String>,
}

impl Owner {
    /// The owner named in `text` (`... drydock pid N on H started T`), if any.
    pub fn find_in(text: &str) -> Option<Owner> {
        let rest = &text[text.find(PREFIX)? + PREFIX.len()..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let pid = rest[..digits].parse().ok()?;
        let rest = &rest[digits..];
        let (host, rest) = match rest.strip_prefix(" on ") {
            Some(on) => {
                let end = on.find(' ').unwrap_or(on.len());
                (Some(on[..end].to_owned()), &on[end..])
            }
            None => (None, rest),
        };
        let started = rest
            .strip_prefix(" started ")
            .map(|started| started.to_owned());
        Some(Owner { pid, host, started })
    }

    /// `drydock pid N on H started T`.
    pub fn describe(&self) -> String {
        let mut text = session_name(self.pid, self.host.as_deref());
        if let Some(started) = &self.started {
            text.push_str(&format!(" started {started}"));
        }
        text
    }

    /// Why the owner is known to be gone, or `None` while it may be alive: on this host its
    /// process must be gone; elsewhere no session of it may be connected to the server.
    pub fn gone(&self, client: &mut Client) -> Result<Option<String>, ConnectorError> {
        let here = host_name();
        if self.host.is_some() && self.host == here {
            return Ok(process_gone(self.pid).then(|| "its process is gone".to_owned()));
        }
        let connected: bool = client
            .query_typed_one(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1)",
                &[(&session_name(self.pid, self.host.as_deref()), Type::TEXT)],
            )
            .map_err(|e| query_error(&e))?
            .get(0);
        Ok((!connected).then(|| "no session of it is connected".to_owned()))
    }
}

/// The owner comment of a database this process creates: `drydock pid N on H started T`.
pub fn owner_comment() -> String {
    format!(
        "{} started {}",
        session_name(std::process::id(), host_name().as_deref()),
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    )
}

/// Name this process as the owner of `database` (which it created) in the database's comment.
pub fn set_owner_comment(client: &mut Client, database: &str) -> Result<(), ConnectorError> {
    client
        .batch_execute(&format!(
            "COMMENT ON DATABASE {} IS {}",
            quote_ident(database),
            string_literal(&owner_comment())
        ))
        .map_err(|e| query_error(&e))
}

/// Sessions kept open for the life of the process, one per server, so that runs on other hosts
/// see this one as connected.
static OWNER_SESSIONS: Mutex<Vec<(String, Client)>> = Mutex::new(Vec::new());

/// Keep a session named after this process open on `url`'s server until the process ends.
pub fn hold_owner_session(url: &PgUrl) -> Result<(), ConnectorError> {
    with_owner_session(url, |_| Ok(()))
}

/// Run `f` on the session this process keeps open on `url`'s server, opened first if needed.
/// A session that was ended (its database dropped, an administrator) is opened again.
fn with_owner_session<T>(
    url: &PgUrl,
    f: impl Fn(&mut Client) -> Result<T, ConnectorError>,
) -> Result<T, ConnectorError> {
    let server = format!("{}:{}", url.host, url.port);
    let open = || {
        let mut named = url.clone();
        named.application_name = Some(session_name(std::process::id(), host_name().as_deref()));
        named.connect()
    };
    let mut sessions = OWNER_SESSIONS.lock().unwrap_or_else(|e| e.into_inner());
    let held = match sessions.iter().position(|(held, _)| *held == server) {
        Some(held) => held,
        None => {
            sessions.push((server, open()?));
            sessions.len() - 1
        }
    };
    let client = &mut sessions[held].1;
    if !client.is_closed() {
        match f(client) {
            Err(error) if client.is_closed() || session_ended(&error) => {}
            done => return done,
        }
    }
    *client = open()?;
    f(client)
}

/// Whether `error` says the server ended the session (`57P01`, sent when its database is
/// dropped `WITH (FORCE)` or an administrator ends it), which the client may not know yet:
/// it learns the connection closed only after the error arrives.
fn session_ended(error: &ConnectorError) -> bool {
    matches!(error, ConnectorError::Query { db_code: Some(code), .. } if code == "57P01")
}

/// The advisory lock key of a claim on database `name`, as the server computes it.
const CLAIM_KEY: &str = "hashtextextended($1, 72707369)";

/// Claim `database` for this process before creating it: the owner session takes an advisory
/// lock keyed by its name. `CREATE DATABASE` and `COMMENT ON DATABASE` cannot share a
/// transaction; a run killed between them leaves a database without a comment, which the
/// next run knows for abandoned because nobody holds its claim. [`release_database`] once
/// the comment names the owner.
pub fn claim_database(url: &PgUrl, database: &str) -> Result<(), ConnectorError> {
    with_owner_session(url, |client| {
        client
            .query_typed(
                &format!("SELECT pg_advisory_lock({CLAIM_KEY})"),
                &[(&database, Type::TEXT)],
            )
            .map(drop)
            .map_err(|e| query_error(&e))
    })
}

/// Give up the claim on `database`: its comment names the owner now.
pub fn release_database(url: &PgUrl, database: &str) -> Result<(), ConnectorError> {
    with_owner_session(url, |client| {
        client
            .query_typed(
                &format!("SELECT pg_advisory_unlock({CLAIM_KEY})"),
                &[(&database, Type::TEXT)],
            )
            .map(drop)
            .map_err(|e| query_error(&e))
    })
}

/// Whether a session of any database on the server holds the claim on `database`.
fn claimed(client: &mut Client, database: &str) -> Result<bool, ConnectorError> {
    // pg_locks shows a bigint key as its high and low halves.
    let row = client
        .query_typed_one(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
                 AND objsubid = 1 AND classid = ((k >> 32) & 4294967295)::oid \
                 AND objid = (k & 4294967295)::oid) FROM (SELECT {CLAIM_KEY} AS k) key"
            ),
            &[(&database, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?;
    Ok(row.get(0))
}

/// The comment of `database`, empty when it has none; `None` when the database is gone.
fn comment_of(client: &mut Client, database: &str) -> Result<Option<String>, ConnectorError> {
    let row = client
        .query_typed_opt(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database \
             WHERE datname = $1",
            &[(&database, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?;
    Ok(row.map(|row| row.get(0)))
}

/// A database of drydock's left behind by a run that is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abandoned {
    pub name: String,
    /// The run that left it: `drydock pid N on H started T`, or that it was killed before its
    /// comment could name it.
    pub left_by: String,
    /// Why the run is known to be gone.
    pub why: String,
    /// Whether its comment names the run; one that does not is dropped only when nobody is
    /// connected to it.
    pub named: bool,
}

/// The databases whose name starts with `prefix` and whose comment names an owner that is
/// gone, or which have no comment and no claim ([`claim_database`]) on them.
pub fn abandoned(client: &mut Client, prefix: &str) -> Result<Vec<Abandoned>, ConnectorError> {
    let rows = client
        .query_typed(
            "SELECT datname::text, coalesce(shobj_description(oid, 'pg_database'), '') \
             FROM pg_database WHERE left(datname, length($1)) = $1 ORDER BY datname",
            &[(&prefix, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?;
    let mut found = Vec::new();
    for row in rows {
        let name: String = row.get(0);
        let comment: String = row.get(1);
        if comment.is_empty() {
            // The comment is read again after the claim: its owner writes the comment before
            // it gives up the claim.
            if !claimed(client, &name)? && comment_of(client, &name)?.as_deref() == Some("") {
                found.push(Abandoned {
                    name,
                    left_by: "a run killed before its comment named it".to_owned(),
                    why: "no run claims it".to_owned(),
                    named: false,
                });
            }
            continue;
        }
        let Some(owner) = Owner::find_in(&comment) else {
            continue;
        };
        if let Some(why) = owner.gone(client)? {
            found.push(Abandoned {
                name,
                left_by: owner.describe(),
                why,
                named: true,
            });
        }
    }
    Ok(found)
}

/// Drop the abandoned databases whose name starts with `prefix`; one line for each, naming
/// `what` it is. One without a comment naming its run is dropped only while nobody is
/// connected to it (another tool may have made it: Prisma's shadow databases carry no comment).
pub fn drop_abandoned(
    client: &mut Client,
    prefix: &str,
    what: &str,
) -> Result<Vec<String>, ConnectorError> {
    let mut lines = Vec::new();
    for left in abandoned(client, prefix)? {
        let force = if left.named { " WITH (FORCE)" } else { "" };
        let dropped = client.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {}{force}",
            quote_ident(&left.name)
        ));
        match dropped {
            Ok(()) => {}
            Err(error)
                if !left.named
                    && error.code() == Some(&postgres::error::SqlState::OBJECT_IN_USE) =>
            {
                continue;
            }
            Err(error) => return Err(query_error(&error)),
        }
        lines.push(format!(
            "dropped the {what} `{}` left by {} ({})",
            left.name, left.left_by, left.why
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_name_names_the_process_and_host_within_the_server_limit() {
        assert_eq!(session_name(42, Some("db-1")), "drydock pid 42 on db-1");
        let long = session_name(42, Some(&"h".repeat(100)));
        assert_eq!(long.len(), NAME_LIMIT);
        assert!(long.starts_with("drydock pid 42 on hhh"));
    }

    #[test]
    fn an_owner_is_read_back_from_a_comment() {
        let owner = Owner::find_in(
            "drydock: restore of x in progress, drydock pid 7 on h-1 started 2026-01-02T03:04:05Z",
        )
        .unwrap();
        assert_eq!(
            owner,
            Owner {
                pid: 7,
                host: Some("h-1".to_owned()),
                started: Some("2026-01-02T03:04:05Z".to_owned())
            }
        );
        assert_eq!(
            owner.describe(),
            "drydock pid 7 on h-1 started 2026-01-02T03:04:05Z"
        );
        let mine = Owner::find_in(&owner_comment()).unwrap();
        assert_eq!(mine.pid, std::process::id());
        assert_eq!(Owner::find_in("a note of the user's"), None);
    }
}
