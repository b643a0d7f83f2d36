//! Rendering changes as SQLite SQL, byte for byte the way Prisma Migrate writes them;
//! splitting scripts into statements and finding those that cannot run inside a transaction.
//!
//! SQLite keeps a single-column primary key and the foreign keys inside `CREATE TABLE`; every
//! table change other than adding a nullable column goes through `RedefineTables` (create a
//! `new_` table with the checks the old one had, copy, drop, rename, recreate the indexes).
//! Note the space in `REFERENCES "U" ("id")`, unlike PostgreSQL.

use drydock_connector::{HandMadeObject, join_statements};

use drydock_connector::sql_scan::{self, Body, LexicalRules, TokenKind};
use drydock_diff::{Change, RedefineTable, TableChange};
use drydock_schema::{
    CheckConstraint, Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexKind, OpaqueKind,
    SortOrder, Table, TypeFamily,
};

use crate::types::declared_type;

/// Indentation of columns inside `CREATE TABLE`.
const INDENT: &str = "    ";

/// The SQL of one change, without its `-- Header` line.
///
/// Changes SQLite has no statement for (schemas, enums, extensions, foreign keys outside
/// `CREATE TABLE`, renamed indexes, altered columns and primary keys) are never asked for by the
/// differ, whose SQLite hooks rebuild tables instead; they render as a comment saying so rather
/// than as SQL.
pub(crate) fn render_change(change: &Change) -> String {
    let statements = match change {
        Change::CreateSchema { .. }
        | Change::CreateEnum { .. }
        | Change::AlterEnum(_)
        | Change::DropEnum { .. } => {
            return "-- SQLite has no schemas or enum types: nothing to do.".to_owned();
        }
        Change::CreateExtension { .. }
        | Change::AlterExtension { .. }
        | Change::DropExtension { .. } => {
            return "-- SQLite has no extensions: nothing to do.".to_owned();
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
        Change::CreatePartition { partition, .. } | Change::DropPartition { partition, .. } => {
            return unsupported(&format!(
                "partition \"{}\" (SQLite has none)",
                partition.name
            ));
        }
        Change::AlterPartitionChecks { table, .. } => {
            return unsupported(&format!("partition \"{}\" (SQLite has none)", table.name));
        }
        Change::RenameTable { from, to, .. } => vec![format!(
            "ALTER TABLE {} RENAME TO {}",
            ident(&from.name),
            ident(&to.name)
        )],
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

/// `"name" TYPE[ NOT NULL][ PRIMARY KEY][ AUTOINCREMENT][ DEFAULT d]`. Lowering marks every
/// single-column `Int` primary key auto-incrementing, as Prisma does; an introspected
/// `INTEGER PRIMARY KEY` without `AUTOINCREMENT` stays without it.
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
        if column.auto_increment {
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
    for check in &table.checks {
        out.push_str(&format!(
            ",\n{INDENT}CONSTRAINT {} {}",
            ident(&check.name),
            check.expression
        ));
    }
    out.push_str("\n)");
    out
}

/// The checks a rebuilt table keeps. A schema never declares checks, so the rebuilt table has
/// those of either side (the database's, introspected); a check naming a column the table no
/// longer has is left out, since SQLite would refuse it.
fn kept_checks(previous: &Table, next: &Table) -> Vec<CheckConstraint> {
    let checks = if next.checks.is_empty() {
        &previous.checks
    } else {
        &next.checks
    };
    let gone: Vec<&str> = previous
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| next.column(name).is_none())
        .collect();
    checks
        .iter()
        .filter(|check| {
            let words = check
                .expression
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .collect::<Vec<_>>();
            !gone
                .iter()
                .any(|name| words.iter().any(|w| w.eq_ignore_ascii_case(name)))
        })
        .cloned()
        .collect()
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
        .map(|column| {
            let key = match &column.expression {
                Some(expression) => format!("({expression})"),
                None => ident(&column.name),
            };
            match column.sort {
                Some(SortOrder::Asc) => format!("{key} ASC"),
                Some(SortOrder::Desc) => format!("{key} DESC"),
                None => key,
            }
        })
        .collect();
    // SQLite has no `INCLUDE`; its introspection never reports one.
    let mut create = format!(
        "CREATE {unique}INDEX {} ON {}({})",
        ident(&index.name),
        ident(table),
        columns.join(", ")
    );
    if let Some(predicate) = &index.predicate {
        create.push_str(&format!(" WHERE {predicate}"));
    }
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
        // SQLite 3.25 and later; the clauses after it use the new name.
        TableChange::RenameColumn { from, to, .. } => Ok(vec![alter(format!(
            "RENAME COLUMN {} TO {}",
            ident(from),
            ident(to)
        ))]),
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
        TableChange::Inherit { .. } | TableChange::NoInherit { .. } => Err(format!(
            "\"{table}\" inherits from no table (SQLite has no inheritance)"
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
        let next = &Table {
            checks: kept_checks(&redefine.previous, &redefine.next),
            ..redefine.next.clone()
        };
        let temporary = format!("new_{}", next.name);
        statements.push(create_table(next, &temporary));
        if !redefine.copied_columns.is_empty() {
            let destination = quoted_list(redefine.copied_columns.iter().map(|c| c.name.as_str()));
            let source: Vec<String> = redefine
                .copied_columns
                .iter()
                .map(|copied| {
                    // A renamed column is read under its previous name.
                    let source = ident(copied.from.as_deref().unwrap_or(&copied.name));
                    match &copied.coalesce_default {
                        Some(default) => {
                            let family = next
                                .column(&copied.name)
                                .map_or(TypeFamily::String, |c| c.column_type.family.clone());
                            format!(
                                "coalesce({source}, {}) AS {}",
                                render_default(default, &family),
                                ident(&copied.name)
                            )
                        }
                        None if copied.from.is_some() => {
                            format!("{source} AS {}", ident(&copied.name))
                        }
                        None => source,
                    }
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
        let rename = format!(
            "ALTER TABLE {} RENAME TO {}",
            ident(&temporary),
            ident(&next.name)
        );
        if redefine.named_by_hand_made {
            // A rename checks every view and trigger, and those naming the dropped table
            // fail it; the legacy rename checks none and rewrites none.
            statements.push("PRAGMA legacy_alter_table=ON".to_owned());
            statements.push(rename);
            statements.push("PRAGMA legacy_alter_table=OFF".to_owned());
        } else {
            statements.push(rename);
        }
        for index in &next.indexes {
            statements.extend(create_index(&next.name, index));
        }
        // Dropping the table dropped its triggers; they name the table and its renamed columns
        // as they were.
        let previous_name = redefine.renamed_from.as_deref().unwrap_or(&next.name);
        let renamed_columns: Vec<(&str, &str)> = redefine
            .copied_columns
            .iter()
            .filter_map(|c| Some((c.from.as_deref()?, c.name.as_str())))
            .collect();
        statements.extend(redefine.triggers.iter().map(|trigger| {
            create_statement(&renamed_in_trigger(
                &trigger.definition,
                (previous_name, &next.name),
                &renamed_columns,
            ))
        }));
    }
    statements.push("PRAGMA foreign_keys=ON".to_owned());
    statements.push("PRAGMA defer_foreign_keys=OFF".to_owned());
    statements
}

/// How SQLite SQL is split into statements: backtick and `[...]` identifiers, and trigger
/// bodies. Block comments do not nest.
pub(crate) const LEXICAL_RULES: LexicalRules = LexicalRules {
    nested_block_comments: false,
    dollar_quoted_strings: false,
    escape_strings: false,
    hash_comments: false,
    backslash_escapes: false,
    double_quoted_strings: false,
    identifier_quotes: &[(b'`', b'`'), (b'[', b']')],
    bodies: &[Body {
        in_statements: &[
            &["CREATE", "TRIGGER"],
            &["CREATE", "TEMP", "TRIGGER"],
            &["CREATE", "TEMPORARY", "TRIGGER"],
        ],
        opened_by: &["BEGIN"],
        nested: &["CASE"],
    }],
    folds_unquoted_names: false,
};

/// Why `script` must run outside a transaction, or `None` when it can run inside one: its own
/// transaction control (`BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`), `VACUUM`,
/// `ATTACH`/`DETACH`. Words inside comments, literals, quoted identifiers and trigger bodies
/// are ignored.
pub(crate) fn needs_no_transaction(script: &str) -> Option<String> {
    sql_scan::statements(script, &LEXICAL_RULES)
        .iter()
        .find_map(|statement| {
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

/// The header and statements creating (`create`) or dropping a view or trigger made by hand,
/// from its `CREATE` statement in `sqlite_master`.
pub(crate) fn render_hand_made(
    object: HandMadeObject<'_>,
    create: bool,
) -> Option<(&'static str, String)> {
    let (kind, name, definition, headers) = match object {
        HandMadeObject::View(view) => (
            "VIEW",
            &view.name,
            &view.definition,
            ("CreateView", "DropView"),
        ),
        HandMadeObject::Carried(object) if object.kind == OpaqueKind::Trigger => (
            "TRIGGER",
            &object.name,
            &object.definition,
            ("CreateTrigger", "DropTrigger"),
        ),
        _ => return None,
    };
    Some(if create {
        (headers.0, format!("{};", create_statement(definition)))
    } else {
        (headers.1, format!("DROP {kind} {};", ident(name)))
    })
}

/// A `CREATE` statement read from `sqlite_master`, without a trailing `;`.
/// `definition`, a trigger of a table renamed from `table.0` to `table.1` whose `columns` are
/// renamed (previous name, new name), naming them as they are now. The table: every word or
/// quoted identifier naming it, except a column name after a `.`. A column: after `NEW.`,
/// `OLD.` or the table's name and a `.`, in the `UPDATE OF` list, and bare in the statements
/// writing the table (`UPDATE`, `INSERT INTO`, `REPLACE INTO`, `DELETE FROM` it), unless it
/// calls a function or qualifies a name. SQLite compares names regardless of ASCII case;
/// literals and comments stay as they are.
fn renamed_in_trigger(definition: &str, table: (&str, &str), columns: &[(&str, &str)]) -> String {
    let tokens = sql_scan::tokens(definition, &LEXICAL_RULES);
    let is_name = |token: &sql_scan::Token| {
        matches!(token.kind, TokenKind::Word | TokenKind::QuotedIdentifier)
    };
    let is = |token: Option<&sql_scan::Token>, text: &str| {
        token.is_some_and(|t| t.text.eq_ignore_ascii_case(text))
    };
    let names_table = |token: &sql_scan::Token| {
        is_name(token)
            && (token.text.eq_ignore_ascii_case(table.0)
                || token.text.eq_ignore_ascii_case(table.1))
    };
    let mut renamed = String::with_capacity(definition.len());
    let mut copied = 0;
    // Whether bare names are the table's columns here: the `UPDATE OF` list, or a statement
    // of the body writing the table.
    let mut columns_of_table = false;
    let mut in_body = false;
    let mut statement_start = true;
    for (position, token) in tokens.iter().enumerate() {
        let previous = position.checked_sub(1).map(|p| &tokens[p]);
        let next = tokens.get(position + 1);
        if token.kind == TokenKind::Word {
            let word = token.text.to_ascii_uppercase();
            if !in_body && word == "BEGIN" {
                in_body = true;
                statement_start = true;
                columns_of_table = false;
                continue;
            }
            if !in_body {
                match word.as_str() {
                    "OF" if is(previous, "UPDATE") => columns_of_table = true,
                    "ON" => columns_of_table = false,
                    _ => {}
                }
            } else if statement_start {
                statement_start = false;
                columns_of_table = writes_table(&tokens[position..], names_table);
            }
        }
        if token.kind == TokenKind::Punct && token.text == ";" {
            statement_start = true;
            columns_of_table = false;
            continue;
        }
        if !is_name(token) {
            continue;
        }
        let after_dot = is(previous, ".");
        let replacement = if after_dot {
            let qualifier = position.checked_sub(2).map(|p| &tokens[p]);
            let qualified_by_row = qualifier.is_some_and(|q| {
                q.kind == TokenKind::Word
                    && (q.text.eq_ignore_ascii_case("NEW") || q.text.eq_ignore_ascii_case("OLD"))
            });
            (qualified_by_row || qualifier.is_some_and(names_table))
                .then(|| renamed_column(columns, &token.text))
                .flatten()
        } else if names_table(token) && token.text.eq_ignore_ascii_case(table.0) {
            Some(table.1)
        } else if columns_of_table && !is(next, ".") && !is(next, "(") {
            renamed_column(columns, &token.text)
        } else {
            None
        };
        if let Some(replacement) = replacement {
            renamed.push_str(&definition[copied..token.range.start]);
            renamed.push_str(&ident(replacement));
            copied = token.range.end;
        }
    }
    renamed.push_str(&definition[copied..]);
    renamed
}

/// The new name of column `name` when `columns` renames it.
fn renamed_column<'a>(columns: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    columns
        .iter()
        .find(|(from, _)| from.eq_ignore_ascii_case(name))
        .map(|(_, to)| *to)
}

/// Whether the statement starting at `tokens[0]` writes the table `names_table` matches:
/// `UPDATE [OR ...] t`, `INSERT [OR ...] INTO t`, `REPLACE INTO t`, `DELETE FROM t` (the
/// table possibly qualified by its schema).
fn writes_table(
    tokens: &[sql_scan::Token],
    names_table: impl Fn(&sql_scan::Token) -> bool,
) -> bool {
    let first = tokens[0].text.to_ascii_uppercase();
    let target = match first.as_str() {
        "UPDATE"
            if tokens
                .get(1)
                .is_some_and(|t| t.text.eq_ignore_ascii_case("OR")) =>
        {
            3
        }
        "UPDATE" => 1,
        "INSERT" | "REPLACE" | "DELETE" => {
            let keyword = if first == "DELETE" { "FROM" } else { "INTO" };
            match tokens
                .iter()
                .take(4)
                .position(|t| t.text.eq_ignore_ascii_case(keyword))
            {
                Some(at) => at + 1,
                None => return false,
            }
        }
        _ => return false,
    };
    let target = if tokens.get(target + 1).is_some_and(|t| t.text == ".") {
        target + 2
    } else {
        target
    };
    tokens.get(target).is_some_and(names_table)
}

fn create_statement(definition: &str) -> String {
    definition.trim_end().trim_end_matches(';').to_owned()
}
