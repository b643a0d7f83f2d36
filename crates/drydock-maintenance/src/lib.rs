//! Care of a database that holds data: what `drydock check`, `cleanup`, `indexes` and `stats`
//! find, in one shape whatever the database. Each database answers through its dialect's hooks;
//! this crate never names one.

pub mod alerts;
mod finding;
pub mod indexes;

pub use finding::{Finding, ObjectRef, Severity};
