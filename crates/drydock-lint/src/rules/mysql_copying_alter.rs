//! # mysql-copying-alter
//!
//! **What:** on MySQL and MariaDB, an `ALTER TABLE` on a table that existed before this
//! migration that the server can only run by copying the table, or by rebuilding it with
//! writes blocked: a column's type changed (other than a longer `VARCHAR` whose length prefix
//! keeps its size, or `ENUM`/`SET` members added at the end), a column's character set
//! changed, `CONVERT TO CHARACTER SET`, the primary key dropped without a new one, an
//! `AUTO_INCREMENT` or stored generated column added, or `ALGORITHM=COPY`. What the column
//! was comes from the files read, else, with `--url`, from the live table, which also gives
//! its character set: a `VARCHAR` in `latin1` widens in place further than one in `utf8mb4`,
//! and a `MODIFY` that restates a column without its character set converts it to the table's
//! default. When neither tells the column's type before, the finding is a warning. A statement with
//! `ALGORITHM=INSTANT`, `ALGORITHM=INPLACE` or `LOCK=NONE` is not reported: the server refuses
//! it rather than copy.
//!
//! **Why:** `ALGORITHM=COPY` writes every row into a new table while the old one only serves
//! reads: every `INSERT`, `UPDATE` and `DELETE` on the table waits until the copy ends, and
//! the copy needs the table's size again in free disk.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE `Event` MODIFY `id` BIGINT NOT NULL;  -- was INTEGER
//! ```
//!
//! **Safe alternative:** add a column of the new type, write both from the app, backfill in
//! batches, switch reads, then drop the old column in a later migration; or run the change with
//! an online schema change tool (`gh-ost`, `pt-online-schema-change`). Writing
//! `ALGORITHM=INPLACE, LOCK=NONE` makes the server refuse the copy rather than run it.

use crate::mysql_ddl::{self, Effect};
use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4701",
    name: "mysql-copying-alter",
    level: Level::Error,
    category: Category::Locking,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "add a column of the new type and backfill it, or use an online schema change tool \
           (gh-ost, pt-online-schema-change); `ALGORITHM=INPLACE, LOCK=NONE` makes the server \
           refuse a copy",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(alter) = mysql_ddl::alter(cx) else {
        return;
    };
    // With `ALGORITHM=INSTANT|INPLACE` or `LOCK=NONE` the server fails rather than copies.
    if !cx.is_existing(&alter.table) || alter.refuses_copy() {
        return;
    }
    for judged in alter
        .operations
        .iter()
        .flatten()
        .filter(|judged| judged.effect == Effect::Copy)
    {
        let hit = Hit::new(
            &RULE,
            format!(
                "{} copies `{}` (ALGORITHM=COPY): writes to the table wait until every row is \
                 copied",
                judged.what, alter.table
            ),
        )
        .on(&alter.table);
        out.push(if judged.unsure {
            hit.at(Level::Warning)
        } else {
            hit
        });
    }
}
