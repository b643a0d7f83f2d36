//! # drop-database
//!
//! **What:** `DROP DATABASE` (or `DROP SCHEMA`, MySQL's synonym for it) in a migration.
//!
//! **Why:** it deletes every table and every row of the database at once, and a migration runs
//! on every environment it reaches, production included. Nothing a schema change needs is done
//! this way.
//!
//! **Bad:**
//!
//! ```sql
//! DROP DATABASE "legacy";
//! ```
//!
//! **Safe alternative:** drop the tables that must go, one by one, after a backup; drop a
//! database by hand, outside the migration history.

use sqlparser::ast::{ObjectType, Statement};

use crate::names::TableName;
use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4108",
    name: "drop-database",
    level: Level::Error,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "drop a database by hand, after a backup, outside the migrations",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    let named = match &statement.ast {
        Some(Statement::Drop {
            object_type: ObjectType::Database,
            names,
            ..
        }) => names
            .iter()
            .map(|name| TableName::from_object(name).to_string())
            .collect(),
        // `DROP SCHEMA` is `DROP DATABASE` on MySQL; elsewhere a schema holds tables alike.
        Some(Statement::Drop {
            object_type: ObjectType::Schema,
            names,
            ..
        }) => names
            .iter()
            .map(|name| TableName::from_object(name).to_string())
            .collect(),
        Some(_) => return,
        None if statement.starts_with(&["DROP", "DATABASE"]) => Vec::new(),
        None => return,
    };
    let what = statement.kind();
    let message = if named.is_empty() {
        format!("`{what}` deletes every table and row it holds")
    } else {
        format!(
            "`{what}` deletes every table and row of `{}`",
            named.join("`, `")
        )
    };
    out.push(Hit::new(&RULE, message));
}
