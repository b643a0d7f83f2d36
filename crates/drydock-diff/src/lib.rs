//! Compares two [`drydock_schema::SqlSchema`] values and returns an ordered, deterministic list of
//! [`Change`]s, plus the destructive-change [`Warning`]s they imply.
//!
//! The differ never sees the datamodel and never emits SQL text: dialects answer the few
//! questions where databases disagree through [`DiffHooks`] and render the changes themselves.
//! Objects the schema language cannot express are never diffed; [`compare_opaque`] lists how
//! they differ, for drift reports. Extensions are diffed as far as a schema declares them.

mod change;
mod differ;
mod extensions;
mod hooks;
mod opaque;
mod renames;
mod warning;

pub use change::{
    AlterEnum, Change, ColumnChange, CopiedColumn, DetachedPartition, EnumColumnUse, RedefineTable,
    TableChange, TypeChange,
};
pub use differ::{Diff, applied_schema, diff, made_for_foreign_key, with_column_facts_of};
pub use hooks::DiffHooks;
pub use opaque::{OpaqueDifference, OpaqueObjectKind, Presence, compare_opaque};
pub use renames::reverse_rename_hints;
pub use warning::{Warning, WarningKind};
