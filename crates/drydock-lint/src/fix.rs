//! `drydock lint --fix`: the safe form of what a report found, as text edits. A plain index
//! build on an existing table moves to a migration of its own as `CREATE INDEX CONCURRENTLY`;
//! a foreign key or check added in one step is added `NOT VALID` and validated in a migration
//! after the file; a file that takes strong locks without a lock timeout gets one first.
//! Nothing here touches a file: the caller writes the plan (and checks the schema it gives).

use sqlparser::ast::{AlterTableOperation, Statement, TableConstraint};

use crate::rules::{
    check_without_not_valid, foreign_key_without_not_valid, require_concurrent_index,
    require_lock_timeout,
};
use crate::source::{Stmt, parse_file};
use crate::{Finding, Report};
use drydock_connector::Dialect;

/// The lock timeout a fixed file sets, as `migrate deploy` does by default.
pub const LOCK_TIMEOUT_HEADER: &str = "SET lock_timeout = '2s';\n";

/// What to change in one file of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFix {
    /// The file's path, as the report names it.
    pub path: String,
    /// The file's text as it is.
    pub original: String,
    /// The file's text with the fixes applied.
    pub text: String,
    /// Index builds moved out, each to a migration of its own right after the file, in order.
    pub indexes: Vec<MovedIndex>,
    /// `VALIDATE CONSTRAINT` statements for one migration after those.
    pub validations: Vec<String>,
}

/// An index build moved out of its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedIndex {
    /// The index's name as written (quotes kept, schema added when the table has one).
    pub name: String,
    /// `CREATE INDEX CONCURRENTLY …;`
    pub up: String,
    /// `DROP INDEX CONCURRENTLY IF EXISTS …;`
    pub down: String,
}

impl FileFix {
    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty() && self.validations.is_empty() && self.text == self.original
    }
}

/// The fixes of every file of `report` that has a finding this module can fix.
pub fn plan(report: &Report, dialect: &dyn Dialect) -> Vec<FileFix> {
    let mut fixes = Vec::new();
    for (id, file) in report.files.iter() {
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| finding.span.file == id)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let parsed = parse_file(&file.text, dialect);
        let mut fix = FileFix {
            path: file.name.clone(),
            original: file.text.clone(),
            text: file.text.clone(),
            indexes: Vec::new(),
            validations: Vec::new(),
        };
        // Edits as (start, end, replacement), applied from the end so offsets stay valid.
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut needs_lock_timeout = false;
        for statement in &parsed.statements {
            let at = |rule: &crate::RuleInfo| {
                findings
                    .iter()
                    .any(|f| f.rule.code == rule.code && f.span.start == statement.range.start)
            };
            if at(&require_lock_timeout::RULE) {
                needs_lock_timeout = true;
            }
            if at(&require_concurrent_index::RULE)
                && let Some(moved) = moved_index(statement)
            {
                let (start, end) = removal(&file.text, statement);
                edits.push((start, end, String::new()));
                fix.indexes.push(moved);
            } else if (at(&foreign_key_without_not_valid::RULE)
                || at(&check_without_not_valid::RULE))
                && let Some(validation) = validation(statement)
            {
                let end = statement.range.end - usize::from(statement.text.ends_with(';'));
                edits.push((end, end, " NOT VALID".to_owned()));
                fix.validations.push(validation);
            }
        }
        edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
        for (start, end, replacement) in edits {
            fix.text.replace_range(start..end, &replacement);
        }
        if needs_lock_timeout {
            fix.text.insert_str(0, LOCK_TIMEOUT_HEADER);
        }
        if !fix.is_empty() {
            fixes.push(fix);
        }
    }
    fixes
}

/// The concurrent form of a plain `CREATE INDEX` with a name, and the drop that undoes it.
fn moved_index(statement: &Stmt) -> Option<MovedIndex> {
    let Some(Statement::CreateIndex(index)) = &statement.ast else {
        return None;
    };
    let name = index.name.as_ref()?;
    let qualified = match (name.0.len(), index.table_name.0.as_slice()) {
        (1, [schema, _]) => format!("{schema}.{name}"),
        _ => name.to_string(),
    };
    let at = word_end(&statement.text, "INDEX")?;
    let mut up = statement.text.clone();
    up.insert_str(at, " CONCURRENTLY");
    if !up.ends_with(';') {
        up.push(';');
    }
    up.push('\n');
    Some(MovedIndex {
        down: format!("DROP INDEX CONCURRENTLY IF EXISTS {qualified};\n"),
        name: qualified,
        up,
    })
}

/// `ALTER TABLE t VALIDATE CONSTRAINT c;` for a statement that adds exactly one named
/// constraint.
fn validation(statement: &Stmt) -> Option<String> {
    let Some(Statement::AlterTable(alter)) = &statement.ast else {
        return None;
    };
    let [AlterTableOperation::AddConstraint { constraint, .. }] = alter.operations.as_slice()
    else {
        return None;
    };
    let name = match constraint {
        TableConstraint::ForeignKey(key) => key.name.as_ref()?,
        TableConstraint::Check(check) => check.name.as_ref()?,
        _ => return None,
    };
    Some(format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {name};\n",
        alter.name
    ))
}

/// The byte range that removes `statement` from `text`: with the newline after it, the section
/// comment right before it (`-- CreateIndex`, `-- DropIndex`, as Prisma writes them), and the
/// blank line that separated the section from the next one.
fn removal(text: &str, statement: &Stmt) -> (usize, usize) {
    let mut end = statement.range.end;
    if text[end..].starts_with('\n') {
        end += 1;
    }
    let mut start = statement.range.start;
    let before = &text[..start];
    let line_start = before
        .trim_end_matches('\n')
        .rfind('\n')
        .map_or(0, |at| at + 1);
    let line = before[line_start..].trim();
    let section = line
        .strip_prefix("-- ")
        .is_some_and(|title| !title.is_empty() && title.chars().all(|c| c.is_ascii_alphabetic()));
    if section {
        start = line_start;
    }
    if (start == 0 || text[..start].ends_with("\n\n")) && text[end..].starts_with('\n') {
        end += 1;
    }
    (start, end)
}

/// The offset just after the first whole word `word` (any case) of `text`.
fn word_end(text: &str, word: &str) -> Option<usize> {
    let upper = text.to_ascii_uppercase();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = upper.as_bytes();
    let mut from = 0;
    while let Some(found) = upper[from..].find(word) {
        let start = from + found;
        let end = start + word.len();
        let before_ok = start == 0 || !is_word(bytes[start - 1]);
        let after_ok = end == bytes.len() || !is_word(bytes[end]);
        if before_ok && after_ok {
            return Some(end);
        }
        from = end;
    }
    None
}

/// The statements of a `down.sql` left after removing the drops of `indexes` (which move to
/// the down files of their own migrations).
pub fn down_without_index_drops(
    down: &str,
    indexes: &[MovedIndex],
    dialect: &dyn Dialect,
) -> String {
    let names: Vec<String> = indexes.iter().map(|index| bare(&index.name)).collect();
    let parsed = parse_file(down, dialect);
    let mut text = down.to_owned();
    let mut removals: Vec<(usize, usize)> = parsed
        .statements
        .iter()
        .filter(|statement| {
            matches!(
                &statement.ast,
                Some(Statement::Drop { object_type: sqlparser::ast::ObjectType::Index, names: dropped, .. })
                    if dropped.len() == 1
                        && names.contains(&bare(&dropped[0].to_string()))
            )
        })
        .map(|statement| removal(down, statement))
        .collect();
    removals.sort_by_key(|(start, _)| std::cmp::Reverse(*start));
    for (start, end) in removals {
        text.replace_range(start..end, "");
    }
    text
}

/// The last part of a possibly qualified, possibly quoted name, without quotes.
fn bare(name: &str) -> String {
    name.rsplit('.')
        .next()
        .unwrap_or(name)
        .trim_matches('"')
        .to_owned()
}
