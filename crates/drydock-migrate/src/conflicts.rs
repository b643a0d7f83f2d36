//! Conflicts between migrations written on different branches, found in the migrations folder
//! (and, for out-of-order ones, against the names a database has applied): two folders with the
//! same name or the same timestamp, a pending migration that sorts before an applied one, and two
//! migrations written after the same one (each branch's side of a conflicted integrity file) that
//! change the same tables, columns, indexes or enums.

use std::collections::{BTreeMap, BTreeSet};

use drydock_connector::sql_scan::{LexicalRules, Token, TokenKind, statements, tokens};
use serde::Serialize;

use crate::directory::LocalMigration;
use crate::integrity::IntegrityFile;

/// What kind of conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// A pending migration sorts before the newest applied one.
    OutOfOrder,
    /// Two folders with the same name after the timestamp.
    SameName,
    /// Two folders with the same timestamp.
    SameTimestamp,
    /// Two migrations written after the same one change the same objects.
    SameObjects,
}

impl ConflictKind {
    pub fn code(self) -> &'static str {
        match self {
            ConflictKind::OutOfOrder => "D3130",
            ConflictKind::SameName => "D3131",
            ConflictKind::SameTimestamp => "D3132",
            ConflictKind::SameObjects => "D3133",
        }
    }
}

/// One conflict: what, which migrations, why it matters and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub kind: ConflictKind,
    pub code: &'static str,
    /// The migrations (folder names) involved, in folder order.
    pub migrations: Vec<String>,
    /// The objects both change (`table "User"`, `column "User"."email"`, ...), for
    /// [`ConflictKind::SameObjects`]; the newest applied migration for
    /// [`ConflictKind::OutOfOrder`].
    pub objects: Vec<String>,
    pub explanation: String,
    pub fix: String,
}

impl Conflict {
    fn new(
        kind: ConflictKind,
        migrations: Vec<String>,
        objects: Vec<String>,
        explanation: String,
        fix: String,
    ) -> Conflict {
        Conflict {
            kind,
            code: kind.code(),
            migrations,
            objects,
            explanation,
            fix,
        }
    }
}

/// A folder name's timestamp and name: `20240101000000_add_email` is
/// (`20240101000000`, `add_email`); a name without a leading number has no timestamp.
pub fn split_folder_name(folder: &str) -> (Option<&str>, &str) {
    match folder.split_once('_') {
        Some((stamp, name)) if !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit()) => {
            (Some(stamp), name)
        }
        _ => (None, folder),
    }
}

/// Folders of `migrations` that share a name (after the timestamp) or a timestamp.
pub fn folder_conflicts(migrations: &[LocalMigration]) -> Vec<Conflict> {
    let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut by_stamp: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for migration in migrations {
        let (stamp, name) = split_folder_name(&migration.name);
        by_name
            .entry(name)
            .or_default()
            .push(migration.name.clone());
        if let Some(stamp) = stamp {
            by_stamp
                .entry(stamp)
                .or_default()
                .push(migration.name.clone());
        }
    }
    let mut conflicts = Vec::new();
    for (name, folders) in by_name.into_iter().filter(|(_, f)| f.len() > 1) {
        let last = folders.last().cloned().unwrap_or_default();
        conflicts.push(Conflict::new(
            ConflictKind::SameName,
            folders.clone(),
            Vec::new(),
            format!(
                "{} migrations are named `{name}`: {}. Two branches often make the same change \
                 under the same name, and the second then fails (the table or column exists \
                 already); when the changes differ, the name no longer says which is which",
                folders.len(),
                quoted(&folders)
            ),
            format!(
                "if both make the same change, delete the one not applied anywhere; otherwise \
                 give one another name: `drydock migrate rebase {last} --name <new name>`"
            ),
        ));
    }
    for (stamp, folders) in by_stamp.into_iter().filter(|(_, f)| f.len() > 1) {
        let last = folders.last().cloned().unwrap_or_default();
        conflicts.push(Conflict::new(
            ConflictKind::SameTimestamp,
            folders.clone(),
            Vec::new(),
            format!(
                "{} migrations have the timestamp {stamp}: {}. Their order is then decided by \
                 their names, not by when they were written, and differs from the order in \
                 which some databases applied them",
                folders.len(),
                quoted(&folders)
            ),
            format!(
                "give the one not applied anywhere a later timestamp: `drydock migrate rebase \
                 {last}`"
            ),
        ));
    }
    conflicts
}

/// The pending migrations (in order) that sort before `newest_applied`, the byte-wise greatest
/// name the database's history has applied.
pub fn out_of_order<'a>(pending: &'a [String], newest_applied: Option<&str>) -> Vec<&'a String> {
    let Some(newest) = newest_applied else {
        return Vec::new();
    };
    pending
        .iter()
        .filter(|name| name.as_bytes() < newest.as_bytes())
        .collect()
}

/// The finding for a pending migration `name` that sorts before `newest_applied`.
pub fn out_of_order_conflict(name: &str, newest_applied: &str) -> Conflict {
    Conflict::new(
        ConflictKind::OutOfOrder,
        vec![name.to_owned()],
        vec![newest_applied.to_owned()],
        format!(
            "`{name}` is not applied but sorts before `{newest_applied}`, which is: it was \
             written against a schema without `{newest_applied}` (on a branch merged since), so \
             its SQL may not fit the database it would run on. `migrate deploy` refuses it"
        ),
        format!(
            "`drydock migrate rebase {name}` moves it after the others and checks its SQL again; \
             `drydock migrate deploy --allow-out-of-order` applies it where it stands"
        ),
    )
}

/// Migrations each side of a conflicted integrity file added after the last one both sides
/// have, that change the same objects: one conflict per pair.
pub fn object_conflicts(
    file: &IntegrityFile,
    migrations: &[LocalMigration],
    rules: &LexicalRules,
) -> Vec<Conflict> {
    let Some((ours, theirs)) = file.diverging() else {
        return Vec::new();
    };
    let touched = |name: &String| -> Option<(String, BTreeSet<String>)> {
        migrations
            .iter()
            .find(|m| &m.name == name)
            .map(|m| (name.clone(), touched_objects(m.executable_script(), rules)))
    };
    let ours: Vec<_> = ours.iter().filter_map(touched).collect();
    let theirs: Vec<_> = theirs.iter().filter_map(touched).collect();
    let mut conflicts = Vec::new();
    for (a, a_objects) in &ours {
        for (b, b_objects) in &theirs {
            let shared: Vec<String> = a_objects.intersection(b_objects).cloned().collect();
            if shared.is_empty() {
                continue;
            }
            let mut pair = vec![a.clone(), b.clone()];
            pair.sort();
            conflicts.push(Conflict::new(
                ConflictKind::SameObjects,
                pair.clone(),
                shared.clone(),
                format!(
                    "{} were both written after the same migration, on different branches, \
                     and both change {}: each was generated from a schema without the other's \
                     change, so the later one may undo or collide with the earlier",
                    quoted(&pair),
                    shared.join(", ")
                ),
                format!(
                    "keep either side of the integrity file, then run `drydock migrate rebase \
                     {}`: it is replayed after the other on a shadow database and, when the \
                     result differs from the schema, generated again",
                    pair[1]
                ),
            ));
        }
    }
    conflicts
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tables, columns, indexes and enums `script`'s DDL names, as `table "User"`,
/// `column "User"."email"`, `index "User_email_key"`, `enum "Role"`. A light reading of the
/// statements' words: enough to tell whether two migrations change the same things.
pub fn touched_objects(script: &str, rules: &LexicalRules) -> BTreeSet<String> {
    let mut objects = BTreeSet::new();
    for statement in statements(script, rules) {
        let tokens = tokens(&script[statement.range.clone()], rules);
        read_statement(&tokens, &mut objects);
    }
    // SQLite rewrites a table through a copy named `new_<table>`: the table is what changes.
    let copies: Vec<String> = objects
        .iter()
        .filter(|object| {
            object
                .strip_prefix("table \"new_")
                .is_some_and(|rest| objects.contains(&format!("table \"{rest}")))
        })
        .cloned()
        .collect();
    for copy in copies {
        objects.remove(&copy);
    }
    objects
}

/// Reads words one by one, skipping optional ones.
struct Reader<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl Reader<'_> {
    fn eat(&mut self, keyword: &str) -> bool {
        let found = self
            .tokens
            .get(self.at)
            .is_some_and(|t| t.is_keyword(keyword));
        if found {
            self.at += 1;
        }
        found
    }

    fn eat_all(&mut self, keywords: &[&str]) -> bool {
        let start = self.at;
        if keywords.iter().all(|k| self.eat(k)) {
            return true;
        }
        self.at = start;
        false
    }

    /// A possibly qualified name; its last part, as written (quotes removed).
    fn name(&mut self) -> Option<String> {
        let mut last = None;
        loop {
            let token = self.tokens.get(self.at)?;
            if !matches!(token.kind, TokenKind::Word | TokenKind::QuotedIdentifier) {
                return last;
            }
            last = Some(token.text.clone());
            self.at += 1;
            if self.tokens.get(self.at).is_none_or(|t| t.text != ".") {
                return last;
            }
            self.at += 1;
        }
    }
}

fn read_statement(tokens: &[Token], objects: &mut BTreeSet<String>) {
    let mut r = Reader { tokens, at: 0 };
    let table = |name: &str| format!("table \"{name}\"");
    if r.eat("CREATE") {
        r.eat("OR");
        r.eat("REPLACE");
        r.eat("UNIQUE");
        if r.eat("TABLE") {
            r.eat_all(&["IF", "NOT", "EXISTS"]);
            if let Some(name) = r.name() {
                objects.insert(table(&name));
            }
        } else if r.eat("INDEX") {
            r.eat("CONCURRENTLY");
            r.eat_all(&["IF", "NOT", "EXISTS"]);
            if let Some(index) = r.name() {
                objects.insert(format!("index \"{index}\""));
            }
            if r.eat("ON") {
                r.eat("ONLY");
                if let Some(name) = r.name() {
                    objects.insert(table(&name));
                }
            }
        } else if r.eat("TYPE")
            && let Some(name) = r.name()
        {
            objects.insert(format!("enum \"{name}\""));
        }
    } else if r.eat("DROP") {
        if r.eat("TABLE") {
            r.eat_all(&["IF", "EXISTS"]);
            while let Some(name) = r.name() {
                objects.insert(table(&name));
                if r.tokens.get(r.at).is_none_or(|t| t.text != ",") {
                    break;
                }
                r.at += 1;
            }
        } else if r.eat("INDEX") {
            r.eat("CONCURRENTLY");
            r.eat_all(&["IF", "EXISTS"]);
            if let Some(index) = r.name() {
                objects.insert(format!("index \"{index}\""));
            }
        } else if r.eat("TYPE") {
            r.eat_all(&["IF", "EXISTS"]);
            if let Some(name) = r.name() {
                objects.insert(format!("enum \"{name}\""));
            }
        }
    } else if r.eat("ALTER") {
        if r.eat("TABLE") {
            r.eat_all(&["IF", "EXISTS"]);
            r.eat("ONLY");
            if let Some(name) = r.name() {
                objects.insert(table(&name));
                read_alter_clauses(&mut r, &name, objects);
            }
        } else if r.eat("TYPE")
            && let Some(name) = r.name()
        {
            objects.insert(format!("enum \"{name}\""));
        }
    } else if r.eat_all(&["INSERT", "INTO"])
        && let Some(name) = r.name()
    {
        objects.insert(table(&name));
    }
}

/// The columns an `ALTER TABLE`'s clauses add, drop, change or rename (outside parentheses).
fn read_alter_clauses(r: &mut Reader<'_>, table: &str, objects: &mut BTreeSet<String>) {
    const NOT_COLUMNS: &[&str] = &[
        "CONSTRAINT",
        "PRIMARY",
        "FOREIGN",
        "UNIQUE",
        "INDEX",
        "KEY",
        "CHECK",
        "TO",
        "VALUE",
    ];
    let mut depth = 0usize;
    while let Some(token) = r.tokens.get(r.at) {
        r.at += 1;
        match token.text.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            _ => {}
        }
        let opens_clause = ["ADD", "DROP", "ALTER", "MODIFY", "CHANGE", "RENAME"]
            .iter()
            .any(|k| token.is_keyword(k));
        if depth > 0 || !opens_clause {
            continue;
        }
        r.eat("COLUMN");
        r.eat_all(&["IF", "NOT", "EXISTS"]);
        r.eat_all(&["IF", "EXISTS"]);
        let Some(next) = r.tokens.get(r.at) else {
            return;
        };
        if next.kind == TokenKind::Word && NOT_COLUMNS.iter().any(|k| next.is_keyword(k)) {
            continue;
        }
        if let Some(column) = r.name() {
            objects.insert(format!("column \"{table}\".\"{column}\""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard SQL with MySQL's backtick quotes too.
    fn rules() -> LexicalRules {
        LexicalRules {
            identifier_quotes: &[(b'`', b'`')],
            ..crate::protocol_tests::PLAIN_SQL
        }
    }

    fn migration(name: &str, script: &str) -> LocalMigration {
        LocalMigration {
            name: name.to_owned(),
            path: std::path::PathBuf::from(name),
            script: script.to_owned(),
            checksum: crate::checksum(script.as_bytes()),
        }
    }

    #[test]
    fn reads_the_objects_of_prisma_ddl() {
        let script = "-- CreateEnum\nCREATE TYPE \"Role\" AS ENUM ('A', 'B');\n\
            CREATE TABLE \"public\".\"User\" (\"id\" SERIAL NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\n\
            ALTER TABLE \"Post\" ADD COLUMN \"title\" TEXT, DROP COLUMN \"body\", ADD CONSTRAINT \"x\" UNIQUE (\"title\");\n\
            ALTER TABLE `Tag` MODIFY `name` VARCHAR(10);\n\
            CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n\
            DROP INDEX \"Old_idx\";\nALTER TYPE \"Mood\" ADD VALUE 'x';\n\
            CREATE TABLE \"new_Pet\" (\"id\" INTEGER);\nINSERT INTO \"new_Pet\" SELECT * FROM \"Pet\";\n\
            DROP TABLE \"Pet\";\nALTER TABLE \"new_Pet\" RENAME TO \"Pet\";\n";
        let objects: Vec<String> = touched_objects(script, &rules()).into_iter().collect();
        assert_eq!(
            objects,
            [
                "column \"Post\".\"body\"",
                "column \"Post\".\"title\"",
                "column \"Tag\".\"name\"",
                "enum \"Mood\"",
                "enum \"Role\"",
                "index \"Old_idx\"",
                "index \"User_email_key\"",
                "table \"Pet\"",
                "table \"Post\"",
                "table \"Tag\"",
                "table \"User\"",
            ]
        );
    }

    #[test]
    fn same_names_and_timestamps_are_found() {
        let list = [
            migration("20240101000000_init", ""),
            migration("20240102000000_add_email", ""),
            migration("20240102000000_add_name", ""),
            migration("20240103000000_add_email", ""),
        ];
        let found: Vec<(&str, Vec<String>)> = folder_conflicts(&list)
            .into_iter()
            .map(|c| (c.code, c.migrations))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "D3131",
                    vec![
                        "20240102000000_add_email".to_owned(),
                        "20240103000000_add_email".to_owned()
                    ]
                ),
                (
                    "D3132",
                    vec![
                        "20240102000000_add_email".to_owned(),
                        "20240102000000_add_name".to_owned()
                    ]
                ),
            ]
        );
        assert_eq!(split_folder_name("0_init"), (Some("0"), "init"));
        assert_eq!(split_folder_name("init"), (None, "init"));
    }

    #[test]
    fn out_of_order_is_what_sorts_before_the_newest_applied() {
        let pending = ["20240102000000_b".to_owned(), "20240104000000_d".to_owned()];
        assert_eq!(
            out_of_order(&pending, Some("20240103000000_c")),
            [&pending[0]]
        );
        assert!(out_of_order(&pending, None).is_empty());
    }
}
