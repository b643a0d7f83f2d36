//! Care of a database that holds data: what `drydock check`, `cleanup`, `indexes` and `stats`
//! find, in one shape whatever the database. Each database answers through its dialect's hooks;
//! this crate never names one.

pub mod check;
mod finding;

pub use check::{
    CheckError, CheckOptions, CheckReport, CleanupAction, Rule, Thresholds, ValueSet, check, codes,
};
pub use finding::{Finding, ObjectRef, Severity};
