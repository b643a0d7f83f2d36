//! The MySQL and MariaDB dialect. Same file set as every dialect: `types.rs` (lowering rules and
//! the typed native types), `diff_hooks.rs`, `render.rs` (Prisma's MySQL flavour of SQL),
//! `url.rs` (Prisma's MySQL URLs, sessions over rustls TLS), `connection.rs` (scripts, session
//! limits, other sessions, pre-flight facts, databases created, shadow databases),
//! `introspect.rs` (+ `queries/*.sql`), `history.rs` (`_prisma_migrations` as Prisma's MySQL
//! connector writes it) and `lock.rs` (`GET_LOCK('prisma_migrate')`).

mod connection;
mod diff_hooks;
mod history;
mod introspect;
mod lock;
mod render;
mod types;
pub mod url;

pub use connection::{
    ER_LOCK_WAIT_TIMEOUT, LEXICAL_RULES, MysqlConnection, SHADOW_DATABASE_PREFIX, create_database,
    open_shadow, quote_ident,
};
pub use diff_hooks::MySqlDiffHooks;
pub use render::{render_change, render_script};
pub use types::{MySqlType, MySqlTypes, PROVIDER, canonical_type};
pub use url::MysqlUrl;
