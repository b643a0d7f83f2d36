//! Rendering changes as SQLite SQL, byte for byte the way Prisma Migrate writes them;
//! splitting scripts into statements and finding those that cannot run inside a transaction.
//!
//! SQLite keeps a single-column primary key and the foreign keys inside `CREATE TABLE`; every
//! table change other than adding a nullable column goes through `RedefineTables` (create a
//! `new_` table, copy, drop, rename, recreate the indexes). Note the space in
//! `REFERENCES "U" ("id")`, unlike PostgreSQL.

use std::ops::Range;

use drydock_diff::{Change, RedefineTable, TableChange};
use drydock_schema::{
    Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexKind, SortOrder, Table, TypeFamily,
};

use crate::types::declared_type;

/// Indentation of columns inside `CREATE TABLE`.
const INDENT: &str = "    ";

/// The SQL of one change, without its `-- Header` line.
///
/// Changes SQLite has no statement for (schemas, enums, foreign keys outside `CREATE TABLE`,
/// renamed indexes, altered columns and primary keys) are never asked for by the differ, whose
/// SQLite hooks rebuild tables instead; they render as a comment saying so rather than as SQL.
pub(crate) fn render_change(change: &Change) -> String {
    let statements = match change {
        Change::CreateSchema { .. }
        | Change::CreateEnum { .. }
        | Change::AlterEnum(_)
        | Change::DropEnum { .. } => {
            return "-- SQLite has no schemas or enum types: nothing to do.".to_owned();
        }
        Change::DropForeignKey { table, .. }
        | Change::AddForeignKey { table, .. }
        | Change::RenameForeignKey { table, .. } => {
            return unsupported(&format!(
                "foreign keys of \"{}\" change only by redefining the table",
                table.name
            ));
        }
        Change::RenameIndex { from, to, .. } => {
            return unsupported(&format!(
                "index \"{from}\" is renamed to \"{to}\" only by dropping and creating it"
            ));
        }
        Change::DropIndex { index, .. } => vec![drop_index(index)],
        Change::AlterTable { table, changes } => {
            let mut statements = Vec::new();
            for change in changes {
                match alter_table_clause(&table.name, change) {
                    Ok(clauses) => statements.extend(clauses),
                    Err(comment) => return unsupported(&comment),
                }
            }
            statements
        }
        Change::DropTable { table } => vec![
            "PRAGMA foreign_keys=off".to_owned(),
            format!("DROP TABLE {}", ident(&table.name)),
            "PRAGMA foreign_keys=on".to_owned(),
        ],
        Change::CreateTable { table } => vec![create_table(table, &table.name)],
        Change::RedefineTables { tables } => redefine_tables(tables),
        Change::CreateIndex { table, index } => create_index(&table.name, index),
        Change::RedefineIndex { table, from, to } => {
            let mut statements = vec![drop_index(from)];
            statements.extend(create_index(&table.name, to));
            statements
        }
    };
    join_statements(&statements)
}

fn unsupported(what: &str) -> String {
    format!("-- SQLite cannot alter this in place: {what}.")
}

fn join_statements(statements: &[String]) -> String {
    let mut out = String::new();
    for statement in statements {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(statement);
        out.push(';');
    }
    out
}

fn ident(name: &str) -> String {
    format!("\"{name}\"")
}

fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().map(ident).collect::<Vec<_>>().join(", ")
}

/// `'value'` with embedded quotes doubled.
fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A default as SQL. `family` is the column's type family.
fn render_default(default: &DefaultValue, family: &TypeFamily) -> String {
    match default {
        // Prisma writes JSON defaults on SQLite without quotes.
        DefaultValue::String(value) if *family == TypeFamily::Json => value.clone(),
        DefaultValue::String(value) | DefaultValue::EnumValue(value) => string_literal(value),
        DefaultValue::Number(number) => number.clone(),
        DefaultValue::Boolean(value) => value.to_string(),
        DefaultValue::Bytes(hex) => format!("'{hex}'"),
        DefaultValue::Now => "CURRENT_TIMESTAMP".to_owned(),
        DefaultValue::List(values) => {
            let items: Vec<String> = values
                .iter()
                .map(|value| render_default(value, family))
                .collect();
            format!("[{}]", items.join(","))
        }
        DefaultValue::Expression(expression) => expression.clone(),
    }
}

/// Whether `column` is the only column of the table's primary key, which SQLite declares inline.
fn is_single_primary_key(table: &Table, column: &Column) -> bool {
    table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0].name == column.name)
}

/// `"name" TYPE[ NOT NULL][ PRIMARY KEY][ AUTOINCREMENT][ DEFAULT d]`. Any single-column `Int`
/// primary key gets `AUTOINCREMENT`, as in Prisma.
fn render_column(column: &Column, single_primary_key: bool) -> String {
    let column_type = match declared_type(&column.column_type.family) {
        Some(declared) => declared,
        None => column.column_type.native.as_str(),
    };
    let mut out = format!("{} {column_type}", ident(&column.name));
    if column.arity != ColumnArity::Nullable {
        out.push_str(" NOT NULL");
    }
    if single_primary_key {
        out.push_str(" PRIMARY KEY");
        if column.column_type.family == TypeFamily::Int {
            out.push_str(" AUTOINCREMENT");
        }
    }
    if let Some(default) = &column.default {
        out.push_str(" DEFAULT ");
        out.push_str(&render_default(default, &column.column_type.family));
    }
    out
}

fn render_foreign_key(foreign_key: &ForeignKey) -> String {
    let constraint = match &foreign_key.name {
        Some(name) => format!("CONSTRAINT {} ", ident(name)),
        None => String::new(),
    };
    format!(
        "{constraint}FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
        quoted_list(foreign_key.columns.iter().map(String::as_str)),
        ident(&foreign_key.referenced_table.name),
        quoted_list(foreign_key.referenced_columns.iter().map(String::as_str)),
        foreign_key.on_delete.as_sql(),
        foreign_key.on_update.as_sql()
    )
}

/// `CREATE TABLE` for `table`, named `name` (the `new_` name when redefining).
fn create_table(table: &Table, name: &str) -> String {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|column| {
            let inline = is_single_primary_key(table, column);
            format!("{INDENT}{}", render_column(column, inline))
        })
        .collect();
    let mut out = format!("CREATE TABLE {} (\n{}", ident(name), columns.join(",\n"));
    let inline_primary_key = table
        .columns
        .iter()
        .any(|column| is_single_primary_key(table, column));
    if let Some(primary_key) = table.primary_key.as_ref().filter(|_| !inline_primary_key) {
        out.push_str(&format!(
            ",\n\n{INDENT}PRIMARY KEY ({})",
            quoted_list(primary_key.columns.iter().map(|c| c.name.as_str()))
        ));
    }
    for foreign_key in &table.foreign_keys {
        out.push_str(&format!(",\n{INDENT}{}", render_foreign_key(foreign_key)));
    }
    out.push_str("\n)");
    out
}

/// `CREATE INDEX`; SQLite reserves `sqlite_` names, which Prisma creates with the schema made
/// writable.
fn create_index(table: &str, index: &Index) -> Vec<String> {
    let unique = if index.kind == IndexKind::Unique {
        "UNIQUE "
    } else {
        ""
    };
    let columns: Vec<String> = index
        .columns
        .iter()
        .map(|column| match column.sort {
            Some(SortOrder::Asc) => format!("{} ASC", ident(&column.name)),
            Some(SortOrder::Desc) => format!("{} DESC", ident(&column.name)),
            None => ident(&column.name),
        })
        .collect();
    let create = format!(
        "CREATE {unique}INDEX {} ON {}({})",
        ident(&index.name),
        ident(table),
        columns.join(", ")
    );
    if index.name.starts_with("sqlite_") {
        vec![
            "Pragma writable_schema=1".to_owned(),
            create,
            "Pragma writable_schema=0".to_owned(),
        ]
    } else {
        vec![create]
    }
}

fn drop_index(index: &Index) -> String {
    format!("DROP INDEX {}", ident(&index.name))
}

/// The statements of one `ALTER TABLE` change, or why SQLite cannot express it.
fn alter_table_clause(table: &str, change: &TableChange) -> Result<Vec<String>, String> {
    let alter = |clause: String| format!("ALTER TABLE {} {clause}", ident(table));
    match change {
        TableChange::AddColumn { column } => Ok(vec![alter(format!(
            "ADD COLUMN {}",
            render_column(column, false)
        ))]),
        TableChange::DropColumn { column } => {
            Ok(vec![alter(format!("DROP COLUMN {}", ident(&column.name)))])
        }
        TableChange::DropAndRecreateColumn { from, to } => Ok(vec![
            alter(format!("DROP COLUMN {}", ident(&from.name))),
            alter(format!("ADD COLUMN {}", render_column(to, false))),
        ]),
        TableChange::AlterColumn(change) => Err(format!(
            "column \"{}\" of \"{table}\" changes only by redefining the table",
            change.from.name
        )),
        TableChange::DropPrimaryKey { .. }
        | TableChange::RenamePrimaryKey { .. }
        | TableChange::AddPrimaryKey { .. } => Err(format!(
            "the primary key of \"{table}\" changes only by redefining the table"
        )),
    }
}

/// All rebuilt tables in one step, between the pragmas that defer foreign key checks.
fn redefine_tables(tables: &[RedefineTable]) -> Vec<String> {
    let mut statements = vec![
        "PRAGMA defer_foreign_keys=ON".to_owned(),
        "PRAGMA foreign_keys=OFF".to_owned(),
    ];
    for redefine in tables {
        let next = &redefine.next;
        let temporary = format!("new_{}", next.name);
        statements.push(create_table(next, &temporary));
        if !redefine.copied_columns.is_empty() {
            let destination = quoted_list(redefine.copied_columns.iter().map(|c| c.name.as_str()));
            let source: Vec<String> = redefine
                .copied_columns
                .iter()
                .map(|copied| match &copied.coalesce_default {
                    Some(default) => {
                        let family = next
                            .column(&copied.name)
                            .map_or(TypeFamily::String, |c| c.column_type.family.clone());
                        format!(
                            "coalesce({name}, {}) AS {name}",
                            render_default(default, &family),
                            name = ident(&copied.name)
                        )
                    }
                    None => ident(&copied.name),
                })
                .collect();
            statements.push(format!(
                "INSERT INTO {} ({destination}) SELECT {} FROM {}",
                ident(&temporary),
                source.join(", "),
                ident(&redefine.previous.name)
            ));
        }
        statements.push(format!("DROP TABLE {}", ident(&redefine.previous.name)));
        statements.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            ident(&temporary),
            ident(&next.name)
        ));
        for index in &next.indexes {
            statements.extend(create_index(&next.name, index));
        }
    }
    statements.push("PRAGMA foreign_keys=ON".to_owned());
    statements.push("PRAGMA defer_foreign_keys=OFF".to_owned());
    statements
}

/// Why `script` must run outside a transaction, or `None` when it can run inside one: its own
/// transaction control (`BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`), `VACUUM`,
/// `ATTACH`/`DETACH`. Words inside comments, literals, quoted identifiers and trigger bodies
/// are ignored.
pub(crate) fn needs_no_transaction(script: &str) -> Option<String> {
    statements(script).iter().find_map(|statement| {
        let first = statement.words.first()?;
        match first.as_str() {
            "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" => Some(format!(
                "the script manages its own transaction (`{first}`)"
            )),
            "VACUUM" | "ATTACH" | "DETACH" => Some(format!(
                "the script contains `{first}`, which cannot run inside a transaction"
            )),
            _ => None,
        }
    })
}

/// The byte ranges of the statements of `script`, in order, each ending after its `;` (or at
/// the end of the script); comments and whitespace between statements belong to the next one.
pub(crate) fn split_statements(script: &str) -> Vec<Range<usize>> {
    statements(script)
        .into_iter()
        .map(|statement| statement.range)
        .collect()
}

/// One statement of a script.
struct Statement {
    /// From the end of the previous statement to just after this one's `;`.
    range: Range<usize>,
    /// Upper-cased keywords and identifiers, outside literals and quoted identifiers.
    words: Vec<String>,
}

/// The statements of `script`, skipping comments, literals and quoted identifiers. `;` inside a
/// `CREATE TRIGGER ... BEGIN ... END` body does not end the statement. Stretches holding only
/// comments, whitespace and `;` are no statement.
fn statements(script: &str) -> Vec<Statement> {
    let bytes = script.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut words: Vec<String> = Vec::new();
    // Whether the current statement has anything besides comments and whitespace.
    let mut has_sql = false;
    // Open `BEGIN`/`CASE` blocks inside a trigger body.
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = script[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = script[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b';' if depth == 0 => {
                i += 1;
                if has_sql {
                    statements.push(Statement {
                        range: start..i,
                        words: std::mem::take(&mut words),
                    });
                    start = i;
                    has_sql = false;
                }
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => has_sql = true,
        }
        match b {
            quote @ (b'\'' | b'"' | b'`') => i = skip_quoted(bytes, i, quote, quote),
            b'[' => i = skip_quoted(bytes, i, b'[', b']'),
            _ if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                let word_start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                let word = script[word_start..i].to_ascii_uppercase();
                let in_trigger = words.first().is_some_and(|w| w == "CREATE")
                    && words.iter().take(3).any(|w| w == "TRIGGER");
                if in_trigger && (word == "BEGIN" || (word == "CASE" && depth > 0)) {
                    depth += 1;
                } else if in_trigger && word == "END" && depth > 0 {
                    depth -= 1;
                }
                words.push(word);
            }
            _ => i += 1,
        }
    }
    if has_sql {
        statements.push(Statement {
            range: start..bytes.len(),
            words,
        });
    }
    statements
}

/// The index just past the quoted text opening at `start`; a doubled closing quote is part of
/// the text.
fn skip_quoted(bytes: &[u8], start: usize, open: u8, close: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == close {
            if open == close && bytes.get(i + 1) == Some(&close) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::{needs_no_transaction, split_statements};

    /// The statements of `script` as text.
    fn split(script: &str) -> Vec<&str> {
        split_statements(script)
            .into_iter()
            .map(|range| &script[range])
            .collect()
    }

    #[test]
    fn scripts_that_need_no_transaction() {
        let cases = [
            "BEGIN;\nCREATE TABLE \"a\" (\"b\" TEXT);\nCOMMIT;",
            "begin transaction; select 1; end;",
            "VACUUM;",
            "ATTACH DATABASE 'x.db' AS x;",
            "SAVEPOINT a; RELEASE a;",
        ];
        for script in cases {
            assert!(needs_no_transaction(script).is_some(), "{script}");
        }
    }

    #[test]
    fn words_in_comments_literals_and_triggers_do_not_count() {
        let cases = [
            "-- BEGIN;\nCREATE TABLE \"a\" (\"b\" TEXT);",
            "/* VACUUM; */ SELECT 1;",
            "INSERT INTO \"a\" VALUES ('it''s; VACUUM');",
            "CREATE TABLE [BEGIN] (\"END\" TEXT, `VACUUM` TEXT);",
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET b = CASE WHEN 1 THEN 2 END; \
             DELETE FROM c; END;\nSELECT 1;",
            "PRAGMA defer_foreign_keys=ON;\nPRAGMA foreign_keys=OFF;",
        ];
        for script in cases {
            assert_eq!(needs_no_transaction(script), None, "{script}");
        }
    }

    #[test]
    fn semicolons_in_literals_and_identifiers_do_not_split() {
        assert_eq!(
            split("INSERT INTO a VALUES ('x;y', 'it''s;');\nSELECT \"b;\", `c;`, [d;] FROM a;"),
            [
                "INSERT INTO a VALUES ('x;y', 'it''s;');",
                "\nSELECT \"b;\", `c;`, [d;] FROM a;"
            ]
        );
    }

    #[test]
    fn comments_belong_to_the_next_statement() {
        assert_eq!(
            split("-- first; not a statement\nSELECT 1; /* a; */ SELECT 2;\n-- trailing;\n"),
            [
                "-- first; not a statement\nSELECT 1;",
                " /* a; */ SELECT 2;"
            ]
        );
    }

    #[test]
    fn a_trigger_body_is_one_statement() {
        let trigger = "CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET b = CASE WHEN \
                       1 THEN 2 END;\n  DELETE FROM c;\nEND;";
        let script = format!("{trigger}\nINSERT INTO a DEFAULT VALUES;");
        assert_eq!(split(&script), [trigger, "\nINSERT INTO a DEFAULT VALUES;"]);
    }

    #[test]
    fn crlf_scripts_and_a_missing_final_semicolon() {
        assert_eq!(
            split("-- a\r\nBEGIN;\r\nCREATE TABLE b (id INT)\r\n"),
            ["-- a\r\nBEGIN;", "\r\nCREATE TABLE b (id INT)\r\n"]
        );
        assert_eq!(split("SELECT 1"), ["SELECT 1"]);
    }

    #[test]
    fn scripts_without_statements_split_into_nothing() {
        for script in ["", "  \r\n", "-- only a comment", "/* a; */ ;\n-- b;\n"] {
            assert!(split_statements(script).is_empty(), "{script:?}");
        }
    }
}
