//! Introspection of the connection's database from `information_schema`.
//!
//! Tables, indexes and foreign keys come out sorted by name; columns in ordinal order. A
//! column's `COLUMN_TYPE` is read by [`canonical_type`], the lowering rules' own parser, so a
//! type reads back in the spelling the schema lowers to (display widths dropped, `TINYINT(1)`
//! as Prisma's `Boolean`); an inline `ENUM(...)` column is an enum named `<table>_<column>`,
//! as Prisma names it. MariaDB's `JSON` is `LONGTEXT` with a `json_valid` check: it reads as
//! `JSON`, without the check. Triggers, functions and procedures are opaque objects carrying
//! their `CREATE` statements without `DEFINER`, for drift and for migrations that create them
//! again.

use std::collections::BTreeMap;

use drydock_connector::ConnectorError;
use drydock_schema::{
    CheckConstraint, Column, ColumnArity, ColumnType, DefaultValue, ForeignKey, Index,
    IndexAlgorithm, IndexColumn, IndexKind, ObjectName, OpaqueKind, OpaqueObject, PrimaryKey,
    ReferentialAction, Sequence, SortOrder, SqlSchema, Table, TypeFamily, View,
    canonical_datetime_literal,
};
use mysql::Conn;

use crate::connection::{quote_ident, text_rows};
use crate::types::canonical_type;

type Row = Vec<Option<String>>;

fn field(row: &Row, i: usize) -> Option<&str> {
    row.get(i).and_then(|value| value.as_deref())
}

fn text(row: &Row, i: usize) -> String {
    field(row, i).unwrap_or_default().to_owned()
}

pub(crate) fn introspect(conn: &mut Conn, mariadb: bool) -> Result<SqlSchema, ConnectorError> {
    let database: Option<String> = text_rows(conn, "SELECT DATABASE()")?
        .first()
        .and_then(|row| row.first().cloned().flatten());
    let mut schema = SqlSchema::default();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut collations: BTreeMap<String, String> = BTreeMap::new();
    for row in text_rows(conn, include_str!("queries/tables.sql"))? {
        let mut table = Table::new(None, text(&row, 0));
        table.comment = field(&row, 1).filter(|c| !c.is_empty()).map(str::to_owned);
        collations.insert(table.name.clone(), text(&row, 2));
        tables.insert(table.name.clone(), table);
    }

    let checks = if mariadb {
        include_str!("queries/checks_mariadb.sql")
    } else {
        include_str!("queries/checks.sql")
    };
    for row in text_rows(conn, checks)? {
        if let Some(table) = tables.get_mut(&text(&row, 0)) {
            table.checks.push(CheckConstraint {
                name: text(&row, 1),
                expression: text(&row, 2),
            });
        }
    }

    for row in text_rows(conn, include_str!("queries/columns.sql"))? {
        let Some(table) = tables.get_mut(&text(&row, 0)) else {
            continue;
        };
        let collation = collations.get(&table.name).cloned().unwrap_or_default();
        let column = column(&row, table, &collation, mariadb);
        table.columns.push(column);
    }

    let mut keys: BTreeMap<(String, String), (bool, String, Vec<IndexColumn>)> = BTreeMap::new();
    for row in text_rows(conn, include_str!("queries/indexes.sql"))? {
        let entry = keys
            .entry((text(&row, 0), text(&row, 1)))
            .or_insert_with(|| (text(&row, 2) == "0", text(&row, 6), Vec::new()));
        let mut key = match field(&row, 3) {
            Some(name) => IndexColumn::named(name),
            None => IndexColumn::expression("(expression)"),
        };
        key.length = field(&row, 4).and_then(|length| length.parse().ok());
        key.sort = (field(&row, 5) == Some("D")).then_some(SortOrder::Desc);
        entry.2.push(key);
    }
    for ((table_name, name), (unique, index_type, columns)) in keys {
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        if name == "PRIMARY" {
            table.primary_key = Some(PrimaryKey {
                name: None,
                columns,
            });
            continue;
        }
        let kind = match (index_type.as_str(), unique) {
            ("FULLTEXT", _) => IndexKind::Fulltext,
            (_, true) => IndexKind::Unique,
            (_, false) => IndexKind::Normal,
        };
        table.indexes.push(Index {
            name,
            kind,
            columns,
            algorithm: (index_type == "HASH").then_some(IndexAlgorithm::Hash),
            predicate: None,
            include: Vec::new(),
            constraint_backed: false,
        });
    }

    let mut foreign_keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for row in text_rows(conn, include_str!("queries/foreign_keys.sql"))? {
        let referenced_schema = field(&row, 3).map(str::to_owned);
        let namespace = referenced_schema.filter(|s| Some(s) != database.as_ref());
        let key = foreign_keys
            .entry((text(&row, 0), text(&row, 1)))
            .or_insert_with(|| ForeignKey {
                name: Some(text(&row, 1)),
                columns: Vec::new(),
                referenced_table: ObjectName::new(namespace, text(&row, 4)),
                referenced_columns: Vec::new(),
                on_delete: action(field(&row, 6)),
                on_update: action(field(&row, 7)),
            });
        key.columns.push(text(&row, 2));
        key.referenced_columns.push(text(&row, 5));
    }
    for ((table_name, _), key) in foreign_keys {
        if let Some(table) = tables.get_mut(&table_name) {
            table.foreign_keys.push(key);
        }
    }

    schema.tables = tables.into_values().collect();
    // The server qualifies every name in a view with the database; the database's own name is
    // left out, as PostgreSQL leaves out the schema on the search path.
    let own_prefix = database
        .as_deref()
        .map(|database| format!("{}.", quote_ident(database)));
    schema.views = text_rows(conn, include_str!("queries/views.sql"))?
        .iter()
        .map(|row| View {
            namespace: None,
            name: text(row, 0),
            definition: match &own_prefix {
                Some(prefix) => text(row, 1).replace(prefix.as_str(), ""),
                None => text(row, 1),
            },
        })
        .collect();
    schema.sequences = text_rows(conn, include_str!("queries/sequences.sql"))?
        .iter()
        .map(|row| Sequence {
            namespace: None,
            name: text(row, 0),
        })
        .collect();
    schema.opaque = hand_made(conn)?;
    Ok(schema)
}

/// Triggers, then functions and procedures, then events, each with the statement that
/// creates it.
fn hand_made(conn: &mut Conn) -> Result<Vec<OpaqueObject>, ConnectorError> {
    let mut objects: Vec<OpaqueObject> = text_rows(conn, include_str!("queries/triggers.sql"))?
        .iter()
        .map(|row| OpaqueObject {
            kind: OpaqueKind::Trigger,
            namespace: None,
            name: text(row, 0),
            table: Some(text(row, 1)),
            definition: format!(
                "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}",
                quote_ident(&text(row, 0)),
                text(row, 2),
                text(row, 3),
                quote_ident(&text(row, 1)),
                text(row, 4)
            ),
        })
        .collect();
    for row in text_rows(conn, include_str!("queries/routines.sql"))? {
        let (kind_word, name) = (text(&row, 0), text(&row, 1));
        let kind = if kind_word == "FUNCTION" {
            OpaqueKind::Function
        } else {
            OpaqueKind::Procedure
        };
        let shown = text_rows(
            conn,
            &format!("SHOW CREATE {kind_word} {}", quote_ident(&name)),
        )?;
        // The statement is NULL to an account that may not see the routine's body.
        let Some(statement) = shown.first().and_then(|r| field(r, 2)) else {
            continue;
        };
        objects.push(OpaqueObject {
            kind,
            namespace: None,
            name,
            table: None,
            definition: without_definer(statement),
        });
    }
    for row in text_rows(conn, include_str!("queries/events.sql"))? {
        let name = text(&row, 0);
        let shown = text_rows(conn, &format!("SHOW CREATE EVENT {}", quote_ident(&name)))?;
        let Some(statement) = shown.first().and_then(|r| field(r, 3)) else {
            continue;
        };
        objects.push(OpaqueObject {
            kind: OpaqueKind::Event,
            namespace: None,
            name,
            table: None,
            definition: without_definer(statement),
        });
    }
    Ok(objects)
}

/// `CREATE DEFINER=`u`@`h` PROCEDURE ...` without its `DEFINER` clause: the account that
/// made the object need not exist where a migration creates it again, and creating one for
/// another account takes a privilege the migrating account may lack.
fn without_definer(statement: &str) -> String {
    let statement = statement.trim();
    let rest = match statement.get(..7) {
        Some(head) if head.eq_ignore_ascii_case("CREATE ") => statement[7..].trim_start(),
        _ => return statement.to_owned(),
    };
    if !rest
        .get(..8)
        .is_some_and(|word| word.eq_ignore_ascii_case("DEFINER="))
    {
        return statement.to_owned();
    }
    // The clause ends at the first blank outside quotes (`user`@`host`, 'user'@'host').
    let mut quote: Option<char> = None;
    for (at, c) in rest.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if matches!(c, '`' | '\'' | '"') => quote = Some(c),
            None if c.is_whitespace() => return format!("CREATE {}", rest[at..].trim_start()),
            None => {}
        }
    }
    statement.to_owned()
}

fn action(rule: Option<&str>) -> ReferentialAction {
    match rule {
        Some("CASCADE") => ReferentialAction::Cascade,
        Some("SET NULL") => ReferentialAction::SetNull,
        Some("SET DEFAULT") => ReferentialAction::SetDefault,
        Some("NO ACTION") => ReferentialAction::NoAction,
        _ => ReferentialAction::Restrict,
    }
}

/// One row of `columns.sql`: `TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,
/// COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLUMN_COMMENT, COLLATION_NAME`. An enum lives
/// on its column (`ENUM(...)`), as lowering puts it; MariaDB's JSON check leaves the table's
/// checks.
fn column(row: &Row, table: &mut Table, table_collation: &str, mariadb: bool) -> Column {
    let name = text(row, 1);
    let data_type = text(row, 2).to_ascii_lowercase();
    let column_type = text(row, 3);
    let extra = text(row, 6).to_ascii_lowercase();
    let json_check = format!("json_valid(`{name}`)");
    let is_mariadb_json = mariadb
        && data_type == "longtext"
        && table
            .checks
            .iter()
            .any(|c| c.expression.eq_ignore_ascii_case(&json_check));
    if is_mariadb_json {
        table
            .checks
            .retain(|c| !c.expression.eq_ignore_ascii_case(&json_check));
    }
    let column_type = if is_mariadb_json {
        ColumnType::new(TypeFamily::Json, "JSON")
    } else if data_type == "tinyint" && field(row, 5).is_some_and(is_other_number) {
        // Prisma reads a `TINYINT(1)` whose default is a number other than 0 and 1 as an
        // integer: no boolean holds that default.
        ColumnType::new(TypeFamily::Int, "TINYINT")
    } else {
        canonical_type(&column_type, &table.name, &name)
    };
    let generated = extra
        .contains("generated")
        .then(|| text(row, 7))
        .filter(|e| !e.is_empty() && !extra.contains("default_generated"));
    let default = if generated.is_some() {
        None
    } else {
        field(row, 5).and_then(|raw| default_value(raw, &column_type, &extra, mariadb))
    };
    // MariaDB's JSON has the collation of its own, `utf8mb4_bin`.
    let collation = field(row, 9)
        .filter(|c| !c.is_empty() && *c != table_collation && !is_mariadb_json)
        .map(str::to_owned);
    Column {
        name,
        column_type,
        arity: if text(row, 4) == "YES" {
            ColumnArity::Nullable
        } else {
            ColumnArity::Required
        },
        default,
        auto_increment: extra.contains("auto_increment"),
        comment: field(row, 8).filter(|c| !c.is_empty()).map(str::to_owned),
        renamed_from: None,
        identity: None,
        generated_virtual: generated.is_some() && extra.contains("virtual"),
        generated,
        collation,
        on_update: on_update(&text(row, 6)),
    }
}

/// The expression after `on update` in `EXTRA` (MariaDB's `on update current_timestamp(3)`,
/// MySQL's `DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)`), as the server takes it back:
/// upper-cased, without empty parentheses.
fn on_update(extra: &str) -> Option<String> {
    let at = extra.to_ascii_lowercase().find("on update ")?;
    let expression = extra[at + "on update ".len()..]
        .split_whitespace()
        .next()?
        .to_ascii_uppercase();
    Some(
        expression
            .strip_suffix("()")
            .map_or_else(|| expression.clone(), str::to_owned),
    )
}

/// A column's default from `COLUMN_DEFAULT`: quoted on MariaDB (`'text'`, `NULL` for none,
/// `current_timestamp()`), raw on MySQL (`text`, `CURRENT_TIMESTAMP(3)` with
/// `DEFAULT_GENERATED` in `EXTRA` for an expression).
fn default_value(
    raw: &str,
    column_type: &ColumnType,
    extra: &str,
    mariadb: bool,
) -> Option<DefaultValue> {
    if mariadb && raw == "NULL" {
        return None;
    }
    if is_current_timestamp(raw) {
        return Some(DefaultValue::Now);
    }
    // The literal's value, or `None` for an expression.
    let literal: Option<String> = if mariadb {
        match raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            Some(quoted) => Some(quoted.replace("''", "'").replace("\\\\", "\\")),
            None if raw.parse::<f64>().is_ok() => Some(raw.to_owned()),
            None => None,
        }
    } else if extra.contains("default_generated") {
        None
    } else {
        Some(raw.to_owned())
    };
    let Some(value) = literal else {
        return Some(expression(raw));
    };
    Some(match &column_type.family {
        TypeFamily::Boolean => DefaultValue::Boolean(!matches!(value.as_str(), "0" | "b'0'")),
        TypeFamily::Int | TypeFamily::BigInt => DefaultValue::Number(value),
        // The server writes a decimal's default to its scale (`0.000000`), Prisma as given.
        TypeFamily::Float | TypeFamily::Decimal if value.contains('.') => {
            let trimmed = value.trim_end_matches('0').trim_end_matches('.');
            DefaultValue::Number(trimmed.to_owned())
        }
        TypeFamily::Float | TypeFamily::Decimal => DefaultValue::Number(value),
        TypeFamily::Enum(_) => DefaultValue::EnumValue(value),
        TypeFamily::DateTime => {
            DefaultValue::String(canonical_datetime_literal(&value).unwrap_or(value))
        }
        // Prisma reads MariaDB's defaults of these types as expressions, in parentheses; MySQL's
        // literal is kept as the server spells it.
        TypeFamily::Bytes | TypeFamily::Unsupported if mariadb => expression(raw),
        TypeFamily::Bytes | TypeFamily::Unsupported => DefaultValue::Expression(raw.to_owned()),
        TypeFamily::String | TypeFamily::Json => DefaultValue::String(value),
    })
}

/// An expression default as Prisma's introspection writes it: in parentheses (`(uuid())`),
/// which is also how MySQL 8 requires it in `DEFAULT`.
fn expression(raw: &str) -> DefaultValue {
    if raw.starts_with('(') {
        DefaultValue::Expression(raw.to_owned())
    } else {
        DefaultValue::Expression(format!("({raw})"))
    }
}

/// Whether a default (quoted on MariaDB) is an integer other than 0 and 1.
fn is_other_number(raw: &str) -> bool {
    let value = raw
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .unwrap_or(raw);
    value.parse::<i64>().is_ok_and(|n| n != 0 && n != 1)
}

/// `CURRENT_TIMESTAMP`, `current_timestamp()`, `CURRENT_TIMESTAMP(3)`, `now()`.
fn is_current_timestamp(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    let name = lower.split('(').next().unwrap_or_default();
    let arguments = &lower[name.len()..];
    matches!(name, "current_timestamp" | "now" | "localtimestamp")
        && (arguments.is_empty()
            || (arguments.starts_with('(')
                && arguments.ends_with(')')
                && arguments[1..arguments.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_digit())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_types_have_one_spelling() {
        for (_data_type, column_type, family, native) in [
            ("int", "int(11)", TypeFamily::Int, "INTEGER"),
            ("int", "int unsigned", TypeFamily::Int, "INTEGER UNSIGNED"),
            (
                "int",
                "int(10) unsigned",
                TypeFamily::Int,
                "INTEGER UNSIGNED",
            ),
            ("tinyint", "tinyint(1)", TypeFamily::Boolean, "BOOLEAN"),
            ("tinyint", "tinyint(4)", TypeFamily::Int, "TINYINT"),
            ("bigint", "bigint(20)", TypeFamily::BigInt, "BIGINT"),
            (
                "decimal",
                "decimal(65,30)",
                TypeFamily::Decimal,
                "DECIMAL(65,30)",
            ),
            ("double", "double", TypeFamily::Float, "DOUBLE"),
            (
                "varchar",
                "varchar(191)",
                TypeFamily::String,
                "VARCHAR(191)",
            ),
            (
                "datetime",
                "datetime(3)",
                TypeFamily::DateTime,
                "DATETIME(3)",
            ),
            ("bit", "bit(1)", TypeFamily::Boolean, "BIT(1)"),
            (
                "varbinary",
                "varbinary(16)",
                TypeFamily::Bytes,
                "VARBINARY(16)",
            ),
            (
                "set",
                "set('a','b')",
                TypeFamily::Unsupported,
                "set('a','b')",
            ),
        ] {
            assert_eq!(
                canonical_type(column_type, "t", "c"),
                ColumnType::new(family, native),
                "{column_type}"
            );
        }
    }

    #[test]
    fn defaults_as_each_server_spells_them() {
        let string = ColumnType::new(TypeFamily::String, "VARCHAR(191)");
        let int = ColumnType::new(TypeFamily::Int, "INT");
        let decimal = ColumnType::new(TypeFamily::Decimal, "DECIMAL(10,2)");
        let when = ColumnType::new(TypeFamily::DateTime, "DATETIME(3)");
        let text = |t: &str| Some(DefaultValue::String(t.to_owned()));
        for (raw, column_type, extra, mariadb, expected) in [
            // MariaDB quotes literals and spells NULL out.
            ("'it''s'", &string, "", true, text("it's")),
            ("NULL", &string, "", true, None),
            (
                "42",
                &int,
                "",
                true,
                Some(DefaultValue::Number("42".to_owned())),
            ),
            (
                "current_timestamp(3)",
                &when,
                "",
                true,
                Some(DefaultValue::Now),
            ),
            (
                "uuid()",
                &string,
                "",
                true,
                Some(DefaultValue::Expression("(uuid())".to_owned())),
            ),
            // MySQL gives the bare value, and marks expressions DEFAULT_GENERATED.
            ("it's", &string, "", false, text("it's")),
            ("NULL", &string, "", false, text("NULL")),
            (
                "CURRENT_TIMESTAMP(3)",
                &when,
                "DEFAULT_GENERATED",
                false,
                Some(DefaultValue::Now),
            ),
            (
                "uuid()",
                &string,
                "default_generated",
                false,
                Some(DefaultValue::Expression("(uuid())".to_owned())),
            ),
            (
                "1.50",
                &decimal,
                "",
                false,
                Some(DefaultValue::Number("1.5".to_owned())),
            ),
            (
                "10.00",
                &decimal,
                "",
                false,
                Some(DefaultValue::Number("10".to_owned())),
            ),
        ] {
            assert_eq!(
                default_value(raw, column_type, &extra.to_ascii_lowercase(), mariadb),
                expected,
                "{raw} on {}",
                if mariadb { "MariaDB" } else { "MySQL" }
            );
        }
    }

    #[test]
    fn definers_are_left_out() {
        assert_eq!(
            without_definer("CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `p`()\nBEGIN END"),
            "CREATE PROCEDURE `p`()\nBEGIN END"
        );
        assert_eq!(
            without_definer("CREATE DEFINER=`a b`@`%` FUNCTION `f`() RETURNS int(11)"),
            "CREATE FUNCTION `f`() RETURNS int(11)"
        );
        assert_eq!(
            without_definer("CREATE FUNCTION `f`() RETURNS INT RETURN 1"),
            "CREATE FUNCTION `f`() RETURNS INT RETURN 1"
        );
    }

    #[test]
    fn current_timestamp_spellings() {
        for raw in [
            "CURRENT_TIMESTAMP",
            "current_timestamp()",
            "current_timestamp(3)",
        ] {
            assert!(is_current_timestamp(raw), "{raw}");
        }
        assert!(!is_current_timestamp("current_timestamp_x"));
        assert!(!is_current_timestamp("'CURRENT_TIMESTAMP'"));
    }
}
