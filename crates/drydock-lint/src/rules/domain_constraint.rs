//! # domain-constraint
//!
//! **What:** `ALTER DOMAIN … ADD CONSTRAINT` without `NOT VALID`, and (a warning) `CREATE
//! DOMAIN` with a `CHECK` constraint.
//!
//! **Why:** adding a constraint to a domain checks every column of every table that uses the
//! domain, holding locks on those tables for the whole scan, and nothing in the statement
//! names them. A domain created with a check is hard to change later for the same reason:
//! every change to it goes through that scan.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER DOMAIN "positive_int" ADD CONSTRAINT "positive" CHECK (VALUE > 0);
//! ```
//!
//! **Safe alternative:** add it `NOT VALID` (checked for new values only), then validate it in
//! a later migration, which does not block writes; or use a `CHECK` constraint on each table,
//! added `NOT VALID`:
//!
//! ```sql
//! ALTER DOMAIN "positive_int" ADD CONSTRAINT "positive" CHECK (VALUE > 0) NOT VALID;
//! -- next migration
//! ALTER DOMAIN "positive_int" VALIDATE CONSTRAINT "positive";
//! ```

use sqlparser::ast::{Statement, TableConstraint};

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4213",
    name: "domain-constraint",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "add the domain's constraint `NOT VALID`, then `VALIDATE CONSTRAINT` in a later \
           migration; or check each table with a `CHECK … NOT VALID` constraint",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if let Some(Statement::CreateDomain(domain)) = &statement.ast {
        let checks = domain
            .constraints
            .iter()
            .filter(|constraint| matches!(constraint, TableConstraint::Check(_)))
            .count();
        if checks > 0 {
            out.push(
                Hit::new(
                    &RULE,
                    format!(
                        "domain `{}` has a `CHECK` constraint: changing it later scans every \
                         column of every table that uses the domain",
                        domain.name
                    ),
                )
                .at(Level::Warning),
            );
        }
        return;
    }
    let words = &statement.words;
    if statement.starts_with(&["ALTER", "DOMAIN"])
        && words.iter().any(|w| w == "ADD")
        && !words.windows(2).any(|pair| pair == ["NOT", "VALID"])
    {
        out.push(Hit::new(
            &RULE,
            "adding a constraint to a domain scans every column of every table that uses it, \
             holding their locks until the scan ends"
                .to_owned(),
        ));
    }
}
