//! The list of statements a failed migration's history row keeps in its logs, as plain text
//! (Prisma shows logs as they are): each statement's number, state, fingerprint and first line.
//! It tells what to undo or what is left to run, and lets `migrate resolve --finish` and
//! `--undo` check that the statements counted as done are still those of the file.

use std::ops::Range;

use drydock_connector::sql_scan::{self, LexicalRules};
use sha2::{Digest, Sha256};

/// The most characters of a statement's first line that a list of statements shows.
const FIRST_LINE_CHARS: usize = 100;

/// The first line of the list.
const HEADER: &str = "Statements (number, state, fingerprint, first line):";

/// The first line of the list in rows written before fingerprints were recorded.
const HEADER_WITHOUT_FINGERPRINTS: &str = "Statements (number, state, first line):";

/// Hex digits of a statement's sha256 the list keeps: enough to tell an edit, short enough to
/// read.
const FINGERPRINT_DIGITS: usize = 12;

/// What a listed statement can be.
const STATES: [&str; 4] = ["done", "failed", "cancelled", "not run"];

/// How a list of statements names one: its first line from its first token on (the comments
/// before it, such as Prisma's `-- CreateTable`, skipped), cut at [`FIRST_LINE_CHARS`].
pub fn first_line(statement: &str, rules: &LexicalRules) -> String {
    let start = sql_scan::tokens(statement, rules)
        .first()
        .map_or(0, |token| token.range.start);
    // Without a token (comments only), the first line that is not blank.
    let line = statement[start..]
        .trim_start()
        .lines()
        .next()
        .unwrap_or_default()
        .trim();
    match line.char_indices().nth(FIRST_LINE_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_owned(),
    }
}

/// A statement's fingerprint: the first hex digits of the sha256 of its tokens as written, one
/// space apart, so that comments and whitespace (line endings too) do not count.
pub fn fingerprint(statement: &str, rules: &LexicalRules) -> String {
    let mut hasher = Sha256::new();
    for (index, token) in sql_scan::tokens(statement, rules).iter().enumerate() {
        if index > 0 {
            hasher.update(b" ");
        }
        hasher.update(statement.get(token.range.clone()).unwrap_or(&token.text));
    }
    let mut digits = hex::encode(hasher.finalize());
    digits.truncate(FINGERPRINT_DIGITS);
    digits
}

/// The statements of a migration that stopped at statement `stopped` (0-based) outside a
/// transaction, one line each: its number, `done`, `stopped_as` or `not run`, its fingerprint
/// and its first line. It tells what to undo, or what is left to run by hand.
pub(crate) fn statement_states(
    script: &str,
    statements: &[Range<usize>],
    stopped: usize,
    stopped_as: &str,
    rules: &LexicalRules,
) -> String {
    let width = statements.len().to_string().len();
    let mut out = format!("{HEADER}\n");
    for (index, range) in statements.iter().enumerate() {
        let state = match index.cmp(&stopped) {
            std::cmp::Ordering::Less => "done",
            std::cmp::Ordering::Equal => stopped_as,
            std::cmp::Ordering::Greater => "not run",
        };
        let statement = script.get(range.clone()).unwrap_or_default();
        out.push_str(&format!(
            "  {:>width$}  {state:<9}  {}  {}\n",
            index + 1,
            fingerprint(statement, rules),
            first_line(statement, rules)
        ));
    }
    out
}

/// A statement as a failed row's logs list it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listed {
    number: usize,
    /// Absent from rows written before fingerprints were recorded.
    fingerprint: Option<String>,
    first_line: String,
}

/// The statements the list in `logs` names, in order; `None` without a list.
fn listed_statements(logs: &str) -> Option<Vec<Listed>> {
    let mut lines = logs.lines();
    let with_fingerprints = loop {
        match lines.next()?.trim_end() {
            HEADER => break true,
            HEADER_WITHOUT_FINGERPRINTS => break false,
            _ => {}
        }
    };
    let mut listed = Vec::new();
    for line in lines {
        let Some(statement) = parse_listed(line, with_fingerprints) else {
            break;
        };
        listed.push(statement);
    }
    Some(listed)
}

/// `  2  done       1f3a9c0b77e2  CREATE TABLE ...`, or without the fingerprint.
fn parse_listed(line: &str, with_fingerprint: bool) -> Option<Listed> {
    let rest = line.strip_prefix("  ")?.trim_start();
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let number = rest[..digits].parse().ok()?;
    let rest = rest[digits..].trim_start();
    let state = STATES.iter().find(|state| rest.starts_with(*state))?;
    let rest = rest[state.len()..].trim_start();
    let (fingerprint, rest) = if with_fingerprint {
        let digits = rest.get(..FINGERPRINT_DIGITS)?;
        (Some(digits.to_owned()), &rest[FINGERPRINT_DIGITS..])
    } else {
        (None, rest)
    };
    Some(Listed {
        number,
        fingerprint,
        first_line: rest.trim().to_owned(),
    })
}

/// Why the first `done` statements of `script` may not be those a failed run completed, as its
/// row's `logs` list them: one sentence per statement that differs (by fingerprint, or by first
/// line in lists without fingerprints), or why they cannot be compared. Empty when they match.
pub(crate) fn done_statements_changed(
    logs: Option<&str>,
    script: &str,
    statements: &[Range<usize>],
    done: usize,
    rules: &LexicalRules,
) -> Vec<String> {
    if done == 0 {
        return Vec::new();
    }
    if statements.len() < done {
        return vec![format!(
            "the file has {} statement(s), fewer than the {done} counted as done",
            statements.len()
        )];
    }
    let Some(listed) = logs.and_then(listed_statements) else {
        return vec![
            "the history row does not list its statements, so they cannot be compared with the \
             file"
                .to_owned(),
        ];
    };
    let mut changed = Vec::new();
    for (index, range) in statements.iter().take(done).enumerate() {
        let number = index + 1;
        let Some(recorded) = listed.iter().find(|listed| listed.number == number) else {
            changed.push(format!(
                "statement {number} is not listed in the history row"
            ));
            continue;
        };
        let statement = script.get(range.clone()).unwrap_or_default();
        let now = first_line(statement, rules);
        let same = match &recorded.fingerprint {
            Some(recorded) => *recorded == fingerprint(statement, rules),
            None => recorded.first_line == now,
        };
        if !same {
            changed.push(format!(
                "statement {number} ran as `{}`, the file now has `{now}`{}",
                recorded.first_line,
                if recorded.first_line == now {
                    " (the same first line, other text after it)"
                } else {
                    ""
                }
            ));
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use drydock_connector::Dialect;

    use super::*;

    fn rules() -> &'static LexicalRules {
        drydock_postgres::PostgresDialect.lexical_rules()
    }

    #[test]
    fn statements_are_named_by_their_first_line_after_comments() {
        assert_eq!(
            first_line(
                "\n-- CreateTable\n/* x */ CREATE TABLE t (\n  a INT\n);",
                rules()
            ),
            "CREATE TABLE t ("
        );
        assert_eq!(
            first_line("\n-- only a comment\n", rules()),
            "-- only a comment"
        );
        let long = format!("SELECT '{}';", "é".repeat(150));
        let named = first_line(&long, rules());
        assert_eq!(named.chars().count(), FIRST_LINE_CHARS + 3, "{named}");
        assert!(named.ends_with("é..."), "{named}");
    }

    #[test]
    fn a_failed_migration_lists_its_statements_by_state() {
        let script = "A 1;\nB 2;\nC 3;";
        let statements = [0..4, 4..9, 9..14];
        insta::assert_snapshot!(
            statement_states(script, &statements, 1, "failed", rules()),
            @r"
        Statements (number, state, fingerprint, first line):
          1  done       953d2cca2f9c  A 1;
          2  failed     5109d2708ea0  B 2;
          3  not run    a091fc14d88b  C 3;
        "
        );
    }

    #[test]
    fn fingerprints_ignore_comments_and_whitespace_but_not_text() {
        let a = fingerprint("-- CreateTable\nCREATE TABLE t (\n  a INT\n);", rules());
        assert_eq!(a, fingerprint("CREATE TABLE t (a INT);\r\n", rules()));
        assert_ne!(a, fingerprint("CREATE TABLE t (a BIGINT);", rules()));
        assert_eq!(a.len(), FINGERPRINT_DIGITS);
    }

    #[test]
    fn done_statements_are_compared_with_what_the_logs_list() {
        let script = "CREATE TABLE a (x INT);\nCREATE TABLE b (\n  y INT\n);\nBROKEN;\nLAST;";
        let statements = drydock_postgres::PostgresDialect.split_statements(script);
        let logs = format!(
            "Migration `m` failed to apply.\n\nDatabase error:\nsyntax\n{}",
            statement_states(script, &statements, 2, "failed", rules())
        );
        let check = |file: &str, done| {
            let ranges = drydock_postgres::PostgresDialect.split_statements(file);
            done_statements_changed(Some(&logs), file, &ranges, done, rules())
        };
        assert!(check(script, 2).is_empty());
        // The failed statement corrected, comments and blank lines added: the same.
        let fixed = "-- a\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\nFIXED;\nLAST;";
        assert!(check(fixed, 2).is_empty());
        let edited = "CREATE TABLE a (x INT);\nCREATE TABLE b (\n  y BIGINT\n);\nFIXED;";
        assert_eq!(
            check(edited, 2),
            [
                "statement 2 ran as `CREATE TABLE b (`, the file now has `CREATE TABLE b (` (the \
              same first line, other text after it)"
            ]
        );
        assert_eq!(
            check("CREATE TABLE a (x INT);", 2),
            ["the file has 1 statement(s), fewer than the 2 counted as done"]
        );
        assert!(check("anything", 0).is_empty());
        assert_eq!(
            done_statements_changed(None, script, &statements, 1, rules()).len(),
            1
        );
    }

    #[test]
    fn lists_without_fingerprints_are_compared_by_first_line() {
        let logs = [
            "Statements (number, state, first line):",
            "  1  done       CREATE TABLE a (x INT);",
            "  2  not run    B;",
            "",
            "more",
        ]
        .join("\n");
        let logs = Some(logs.as_str());
        let script = "CREATE TABLE a (x INT);\nB;";
        let statements = drydock_postgres::PostgresDialect.split_statements(script);
        assert!(done_statements_changed(logs, script, &statements, 1, rules()).is_empty());
        let other = "CREATE TABLE c (x INT);\nB;";
        let ranges = drydock_postgres::PostgresDialect.split_statements(other);
        assert_eq!(
            done_statements_changed(logs, other, &ranges, 1, rules()),
            [
                "statement 1 ran as `CREATE TABLE a (x INT);`, the file now has `CREATE TABLE c (x INT);`"
            ]
        );
    }
}
