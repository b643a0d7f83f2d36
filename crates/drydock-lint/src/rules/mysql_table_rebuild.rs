//! # mysql-table-rebuild
//!
//! **What:** on MySQL and MariaDB, an `ALTER TABLE` (or `OPTIMIZE TABLE`) on a table that
//! existed before this migration that rebuilds the whole table in place: a new primary key,
//! `ENGINE=`, `FORCE`, a new `ROW_FORMAT`, `OPTIMIZE TABLE`, a column made `NOT NULL` (or, on
//! MySQL, nullable), a column moved with `FIRST`/`AFTER` on MySQL, and, on servers where they
//! are not instant, `ADD COLUMN` (MySQL before 8.0.12; with `FIRST`/`AFTER` before 8.0.29) and
//! `DROP COLUMN` (MySQL before 8.0.29). The server's version comes from `--url`; without it
//! the oldest supported servers are assumed (MySQL 8.0, MariaDB 10.6) and the message says so,
//! naming those of them that rebuild.
//!
//! **Why:** reads and writes go on during an in-place rebuild, but it writes the whole table
//! and its indexes again: it takes as long as that, needs the table's size in free disk, holds
//! an exclusive metadata lock at its start and end, and a replica applies it only after it
//! ends, falling behind for as long.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE `User` MODIFY `nickname` VARCHAR(191) NOT NULL;  -- was NULL
//! ```
//!
//! **Safe alternative:** run it when the table is quiet, with `ALGORITHM=INPLACE, LOCK=NONE`
//! so the server refuses rather than falls back to a copy, or with an online schema change tool
//! (`gh-ost`, `pt-online-schema-change`) for a large table.
//!
//! ```sql
//! ALTER TABLE `User` MODIFY `nickname` VARCHAR(191) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
//! ```

use crate::mysql_ddl::{self, Effect, Judged, Target};
use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4702",
    name: "mysql-table-rebuild",
    level: Level::Warning,
    category: Category::Locking,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "run it with `ALGORITHM=INPLACE, LOCK=NONE` when the table is quiet, or with an online \
           schema change tool (gh-ost, pt-online-schema-change) for a large table",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(alter) = mysql_ddl::alter(cx) else {
        return;
    };
    // With `ALGORITHM=INSTANT` the server fails rather than rebuilds.
    if !cx.is_existing(&alter.table) || alter.refuses_rebuild() {
        return;
    }
    let rebuilds: Vec<&Judged> = alter
        .operations
        .iter()
        .flatten()
        .filter(|judged| judged.effect == Effect::Rebuild)
        .collect();
    let Some(first) = rebuilds.first().map(|judged| judged.what.as_str()) else {
        return;
    };
    // The servers that rebuild for some change; all of them when one rebuilds on every one.
    let mut on: Vec<Target> = Vec::new();
    if rebuilds.iter().all(|judged| !judged.on.is_empty()) {
        for target in rebuilds.iter().flat_map(|judged| &judged.on) {
            if !on.contains(target) {
                on.push(*target);
            }
        }
    }
    let more = match rebuilds.len() {
        1 => String::new(),
        2 => " (and 1 more change)".to_owned(),
        n => format!(" (and {} more changes)", n - 1),
    };
    out.push(
        Hit::new(
            &RULE,
            format!(
                "{first}{more} rebuilds the whole of `{}` {}: writes go on, but it takes as long \
                 as writing the table again and replicas lag behind it",
                alter.table,
                mysql_ddl::server_note(cx.server, &on)
            ),
        )
        .on(&alter.table),
    );
}
