//! # migration-name
//!
//! **What:** a migration folder whose name (without its timestamp) is not snake_case
//! `<action>_<entity>[_<details>]`, or says nothing: `update`, `fix`, `changes`, `test`,
//! `migration_1`, `wip`… The first migration of a history may be `init` (or `initial`,
//! `init_schema`…), as Prisma's own documentation names it: it creates everything.
//!
//! **Why:** the folder name is all a reviewer, `migrate status` and the history table show of
//! a migration. `20240105120000_fix` tells nobody what it does or whether it is safe to
//! revert; `20240105120000_add_user_email_index` does.
//!
//! **Bad:**
//!
//! ```text
//! migrations/20240105120000_update/migration.sql
//! migrations/20240105120000_AddUserEmail/migration.sql
//! ```
//!
//! **Safe alternative:**
//!
//! ```text
//! migrations/20240105120000_add_user_email_index/migration.sql
//! ```

use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4601",
    name: "migration-name",
    level: Level::Warning,
    category: Category::Naming,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "name it `<action>_<entity>_<details>` in snake_case, e.g. `add_user_email_index`",
};

/// Words that say nothing about what a migration does.
const VAGUE: &[&str] = &[
    "update",
    "updates",
    "fix",
    "fixes",
    "change",
    "changes",
    "migration",
    "migrations",
    "test",
    "tests",
    "tmp",
    "temp",
    "wip",
    "misc",
    "stuff",
    "new",
    "schema",
    "db",
    "init",
    "initial",
    "edit",
    "edits",
    "patch",
    "changeset",
    "todo",
];

/// The migration name a folder gives: its name without the leading timestamp, or `None` when
/// the folder is not named like a migration (`<digits>_<name>`).
pub fn from_folder(folder: &str) -> Option<&str> {
    let (stamp, name) = folder.split_once('_')?;
    (!stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

/// Words that name a first migration, which creates everything there is.
const FIRST: &[&str] = &["init", "initial"];

/// What is wrong with a migration name, if anything; `first` when it is the first migration
/// of its history.
pub(crate) fn check(name: &str, first: bool) -> Option<String> {
    let snake = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.split('_').all(|part| !part.is_empty())
        && name.as_bytes()[0].is_ascii_lowercase();
    if !snake {
        return Some(format!(
            "migration name `{name}` is not snake_case (lower-case words joined by `_`)"
        ));
    }
    let parts: Vec<&str> = name.split('_').collect();
    let meaningful = parts
        .iter()
        .filter(|part| !VAGUE.contains(part) && !part.bytes().all(|b| b.is_ascii_digit()))
        .count();
    let names_a_start = parts.iter().any(|part| FIRST.contains(part));
    if meaningful == 0 && !(first && names_a_start) {
        return Some(format!(
            "migration name `{name}` does not say what the migration does"
        ));
    }
    if parts.len() < 2 && !(first && names_a_start) {
        return Some(format!(
            "migration name `{name}` needs an action and an entity, e.g. `add_{name}`"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{check, from_folder};

    #[test]
    fn descriptive_snake_case_names_pass() {
        for name in [
            "add_user_email_index",
            "drop_legacy_sessions",
            "create_invoice",
        ] {
            assert_eq!(check(name, false), None, "{name}");
        }
    }

    #[test]
    fn the_first_migration_may_say_it_starts_the_history() {
        for name in ["init", "initial", "init_schema", "initial_migration"] {
            assert_eq!(check(name, true), None, "{name}");
            assert!(check(name, false).is_some(), "{name}");
        }
        assert!(check("update", true).is_some());
    }

    #[test]
    fn vague_or_badly_formed_names_fail() {
        for name in [
            "update",
            "fix",
            "migration_1",
            "changes",
            "test",
            "AddUser",
            "add__user",
            "1_add",
            "users",
            "",
            "add-user",
        ] {
            assert!(check(name, false).is_some(), "{name}");
            assert!(check(name, true).is_some(), "{name}");
        }
    }

    #[test]
    fn the_timestamp_is_not_part_of_the_name() {
        assert_eq!(from_folder("20240105120000_add_user"), Some("add_user"));
        assert_eq!(from_folder("add_user"), None);
        assert_eq!(from_folder("_add"), None);
    }
}
