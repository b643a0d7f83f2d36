//! The audit log of schema changes (`_drydock_audit`, beside the run log): one entry for each
//! change drydock makes to a database's schema or data, and on PostgreSQL with `drydock audit
//! install` one for each DDL statement run outside drydock. Entries form a hash chain: each
//! stores the sha256 of the one before it and of its own content, so an entry edited or deleted
//! afterwards breaks the chain at that point ([`verify_chain`]).
//!
//! Each dialect stores the entries where it keeps the run log, behind [`AuditLog`]; appending
//! reads the chain's head and inserts the next entry atomically, so two writers never fork it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ConnectorError;

/// The audit log's table. A bookkeeping table: never introspected, never in drift.
pub const AUDIT_TABLE: &str = "_drydock_audit";

/// The audit table's columns in the order every dialect reads them.
pub const AUDIT_COLUMNS: &str =
    "seq, at, actor, host, origin, command, target, details, result, error_code, prev_hash, hash";

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The session setting drydock's PostgreSQL sessions carry, which the event trigger of `drydock
/// audit install` reads to leave out what drydock records itself.
pub const DRYDOCK_SESSION_SETTING: &str = "drydock.actor";

/// Who wrote an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOrigin {
    /// A drydock command (`migrate deploy`, `db execute`, ...).
    Drydock,
    /// The database's event trigger: DDL run outside drydock.
    Database,
}

impl AuditOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOrigin::Drydock => "drydock",
            AuditOrigin::Database => "database",
        }
    }

    pub fn parse(text: &str) -> Option<AuditOrigin> {
        match text {
            "drydock" => Some(AuditOrigin::Drydock),
            "database" => Some(AuditOrigin::Database),
            _ => None,
        }
    }
}

/// What an entry records, before the log gives it its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// When (UTC, microseconds).
    pub at: DateTime<Utc>,
    /// Who: the OS user, `DRYDOCK_ACTOR`, the CI's user, or the database's session user.
    pub actor: String,
    /// Where from: this machine's name, or the client's address.
    pub host: String,
    pub origin: AuditOrigin,
    /// `migrate deploy`, `db execute`, ...; the command tag (`ALTER TABLE`) for DDL run outside.
    pub command: String,
    /// What it touched: the migrations (comma separated), or the object's identity.
    pub target: String,
    /// Facts as a JSON object written once (checksums, statement count, duration, CI job,
    /// the statement run outside drydock): hashed as stored.
    pub details: String,
    /// `succeeded` or `failed`.
    pub result: String,
    /// The error code of a failure; empty otherwise.
    pub error_code: String,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Its place in the chain, from 1.
    pub seq: i64,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The `hash` of the entry before it ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// sha256 of `prev_hash` and this entry's content ([`entry_hash`]).
    pub hash: String,
}

/// `at` as hashed: RFC 3339, UTC, microseconds (`2026-01-02T03:04:05.123456Z`); PostgreSQL's
/// trigger writes the same with `to_char`.
pub fn audit_time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `at` cut to the microseconds every store keeps.
pub fn audit_now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// The hash of the entry at `seq` with `record` after `prev_hash`: the lowercase hex sha256 of
/// `prev_hash`, a newline, then each field as `<byte length>:<text>\n` (seq, time, actor, host,
/// origin, command, target, details, result, error code). Lengths make the fields unambiguous;
/// PostgreSQL's trigger computes the same with `sha256()`.
pub fn entry_hash(seq: i64, record: &AuditRecord, prev_hash: &str) -> String {
    let mut text = format!("{prev_hash}\n");
    for field in [
        seq.to_string().as_str(),
        &audit_time(&record.at),
        &record.actor,
        &record.host,
        record.origin.as_str(),
        &record.command,
        &record.target,
        &record.details,
        &record.result,
        &record.error_code,
    ] {
        text.push_str(&format!("{}:{field}\n", field.len()));
    }
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl AuditEntry {
    /// `record` placed after the entry `head` (`None`: first in the log), hashed.
    pub fn next(head: Option<(i64, &str)>, record: AuditRecord) -> AuditEntry {
        let (seq, prev_hash) = match head {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let hash = entry_hash(seq, &record, &prev_hash);
        AuditEntry {
            seq,
            record,
            prev_hash,
            hash,
        }
    }
}

/// Where and why a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The first entry that does not verify (for a deleted entry: the one after the gap).
    pub seq: i64,
    pub reason: String,
}

/// Check `entries` (the whole log, in `seq` order): every entry's hash matches its content, its
/// `prev_hash` is the hash of the entry before it, and no `seq` is missing. The first break, if
/// any.
pub fn verify_chain(entries: &[AuditEntry]) -> Option<ChainBreak> {
    let mut previous: Option<&AuditEntry> = None;
    for entry in entries {
        let (expected_seq, expected_prev) = match previous {
            Some(before) => (before.seq + 1, before.hash.as_str()),
            None => (1, GENESIS_HASH),
        };
        let broken = |reason: String| {
            Some(ChainBreak {
                seq: entry.seq,
                reason,
            })
        };
        if entry.seq != expected_seq {
            return broken(format!(
                "entry {expected_seq} is missing (deleted): the entry after it is {}",
                entry.seq
            ));
        }
        if entry.prev_hash != expected_prev {
            return broken(
                "its previous-entry hash is not the hash of the entry before it: that entry \
                 was deleted or replaced"
                    .to_owned(),
            );
        }
        if entry.hash != entry_hash(entry.seq, &entry.record, &entry.prev_hash) {
            return broken("its content does not match its hash: it was edited".to_owned());
        }
        previous = Some(entry);
    }
    None
}

/// The audit log of one database. Opened with [`crate::Dialect::open_audit_log`]; the table is
/// created when the log opens.
pub trait AuditLog: Send {
    /// Add `record` at the head of the chain, serialized with every other writer (a lock, or a
    /// transaction that reads the head), and return the entry as stored.
    fn append(&mut self, record: AuditRecord) -> Result<AuditEntry, ConnectorError>;

    /// Every entry, oldest first (`seq` order).
    fn entries(&mut self) -> Result<Vec<AuditEntry>, ConnectorError>;

    /// The event trigger recording DDL run outside drydock, where the database has one.
    fn trigger(&mut self) -> Option<&mut dyn AuditTrigger> {
        None
    }
}

/// A database's own recording of DDL into the audit log (PostgreSQL's event triggers).
pub trait AuditTrigger {
    /// Install (or replace) the trigger and its function. Needs the privilege to create event
    /// triggers.
    fn install(&mut self) -> Result<(), ConnectorError>;

    /// Remove them; whether they were installed.
    fn uninstall(&mut self) -> Result<bool, ConnectorError>;

    /// Whether they are installed.
    fn installed(&mut self) -> Result<bool, ConnectorError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(actor: &str) -> AuditRecord {
        AuditRecord {
            at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            actor: actor.to_owned(),
            host: "ci".to_owned(),
            origin: AuditOrigin::Drydock,
            command: "migrate deploy".to_owned(),
            target: "20240101000000_init".to_owned(),
            details: "{}".to_owned(),
            result: "succeeded".to_owned(),
            error_code: String::new(),
        }
    }

    #[test]
    fn a_chain_verifies_until_an_entry_is_edited_or_deleted() {
        let first = AuditEntry::next(None, record("alice"));
        let second = AuditEntry::next(Some((first.seq, &first.hash)), record("bob"));
        let third = AuditEntry::next(Some((second.seq, &second.hash)), record("carol"));
        let chain = vec![first.clone(), second.clone(), third.clone()];
        assert_eq!(verify_chain(&chain), None);

        let mut edited = chain.clone();
        edited[1].record.actor = "mallory".to_owned();
        assert_eq!(verify_chain(&edited).map(|b| b.seq), Some(2));

        let deleted = vec![first, third];
        assert_eq!(verify_chain(&deleted).map(|b| b.seq), Some(3));
    }

    #[test]
    fn the_hash_is_of_length_prefixed_fields() {
        let entry = AuditEntry::next(None, record("alice"));
        assert_eq!(entry.prev_hash, GENESIS_HASH);
        // Moving a character between fields changes the hash.
        let mut moved = record("alic");
        moved.host = "eci".to_owned();
        assert_ne!(entry.hash, AuditEntry::next(None, moved).hash);
        assert_eq!(audit_time(&entry.record.at), "2023-11-14T22:13:20.123456Z");
    }
}
