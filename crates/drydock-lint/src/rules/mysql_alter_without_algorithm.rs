//! # mysql-alter-without-algorithm
//!
//! **What:** on MySQL and MariaDB, an `ALTER TABLE` on a table that existed before this
//! migration whose changes the server can make instantly or in place (a new column where that
//! is instant, a default, an index, a rename) but that names no `ALGORITHM=INSTANT` or
//! `ALGORITHM=INPLACE, LOCK=NONE`; and `ALGORITHM=INPLACE` without `LOCK=NONE`. Changes that
//! rebuild or copy the table have rules of their own.
//!
//! **Why:** without the clause the server picks the cheapest algorithm it can and, when that
//! turns out to be a copy (an older server than the one the migration was tried on, a table
//! whose row versions ran out, a column that is part of an index), it copies the table without
//! a word while writes wait. With the clause it refuses instead, and the migration fails fast.
//! `LOCK=NONE` makes it refuse an in-place change that would block writes.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE `User` ADD COLUMN `bio` TEXT NULL;
//! ```
//!
//! **Safe alternative:**
//!
//! ```sql
//! ALTER TABLE `User` ADD COLUMN `bio` TEXT NULL, ALGORITHM=INSTANT;
//! CREATE INDEX `User_bio_idx` ON `User`(`bio`(100)) ALGORITHM=INPLACE LOCK=NONE;
//! ```

use sqlparser::ast::{AlterTableAlgorithm, AlterTableLock};

use crate::mysql_ddl::{self, Effect};
use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4705",
    name: "mysql-alter-without-algorithm",
    level: Level::Warning,
    category: Category::Locking,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "end the statement with `, ALGORITHM=INSTANT` (or `, ALGORITHM=INPLACE, LOCK=NONE` for \
           an index) so the server refuses instead of copying the table",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(alter) = mysql_ddl::alter(cx) else {
        return;
    };
    if !cx.is_existing(&alter.table) || !alter.all_cheap() {
        return;
    }
    let table = &alter.table;
    let instant = alter
        .worst()
        .is_some_and(|judged| judged.effect == Effect::Instant);
    let wanted = if instant {
        "`ALGORITHM=INSTANT`"
    } else {
        "`ALGORITHM=INPLACE, LOCK=NONE`"
    };
    let message = match (alter.clauses.algorithm, alter.clauses.lock) {
        (None | Some(AlterTableAlgorithm::Default), _) => format!(
            "`ALTER TABLE` on `{table}` names no algorithm: if the server cannot make the change \
             in place it copies the table without a word while writes wait; {wanted} makes it \
             refuse instead"
        ),
        (Some(AlterTableAlgorithm::Inplace), None | Some(AlterTableLock::Default)) => format!(
            "`ALGORITHM=INPLACE` on `{table}` without `LOCK=NONE`: the server may block writes \
             for the whole change instead of refusing"
        ),
        _ => return,
    };
    out.push(Hit::new(&RULE, message));
}
