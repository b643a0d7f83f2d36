//! The MySQL and MariaDB dialect. Same file set as every dialect; this part holds the pure
//! half: `types.rs` (lowering rules and the typed native types), `diff_hooks.rs` and
//! `render.rs` (Prisma's MySQL flavour of SQL).

mod diff_hooks;
mod render;
mod types;

pub use diff_hooks::MySqlDiffHooks;
pub use render::{render_change, render_script};
pub use types::{MySqlType, MySqlTypes, PROVIDER, canonical_type};
