//! The MySQL and MariaDB dialect. Same file set as every dialect; so far the connection half:
//! `url.rs` (Prisma's MySQL URLs, sessions over rustls TLS), `connection.rs` (scripts, session
//! limits, other sessions, pre-flight facts, databases created, shadow databases), `introspect.rs` (+ `queries/*.sql`),
//! `history.rs` (`_prisma_migrations` as Prisma's MySQL connector writes it) and `lock.rs`
//! (`GET_LOCK('prisma_migrate')`); the maintenance hooks: `health.rs` (`drydock check`),
//! `cleanup.rs` ([`MysqlCleanup`]), `index_facts.rs` (`drydock indexes`), `stats.rs` ([`MysqlStats`], `drydock stats`), `runs.rs` ([`MysqlRunLog`]) and `alert_store.rs`
//! ([`MysqlAlertStore`]), drydock's own tables in the managed database.

mod alert_store;
mod cleanup;
mod connection;
mod health;
mod history;
mod index_facts;
mod introspect;
mod lock;
mod runs;
mod stats;
pub mod url;

pub use alert_store::MysqlAlertStore;
pub use cleanup::MysqlCleanup;
pub use connection::{
    ER_LOCK_WAIT_TIMEOUT, LEXICAL_RULES, MysqlConnection, SHADOW_DATABASE_PREFIX, create_database,
    open_shadow, quote_ident,
};
pub use runs::MysqlRunLog;
pub use stats::MysqlStats;
pub use url::MysqlUrl;
