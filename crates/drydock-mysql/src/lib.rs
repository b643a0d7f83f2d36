//! The MySQL and MariaDB dialect. Same file set as every dialect; this part holds the pure
//! half: `types.rs` (lowering rules and the typed native types).

mod types;

pub use types::{MySqlType, MySqlTypes, PROVIDER, canonical_type};
