//! The MySQL and MariaDB dialect. Same file set as every dialect; this part holds the pure
//! half: `types.rs` (lowering rules and the typed native types) and `diff_hooks.rs`.

mod diff_hooks;
mod types;

pub use diff_hooks::MySqlDiffHooks;
pub use types::{MySqlType, MySqlTypes, PROVIDER, canonical_type};
