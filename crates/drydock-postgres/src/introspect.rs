//! Reading a PostgreSQL schema from the catalogs (`queries/*.sql`) into the canonical
//! [`SqlSchema`]: the same spelling lowering produces for the same Prisma schema (upper-case
//! native types without spaces in arguments, normalised defaults, `SERIAL` as auto-increment).
//!
//! Tables, enums, indexes and foreign keys come out sorted by name; columns in ordinal order.
//! What the schema language cannot express is read too, verbatim as PostgreSQL prints it:
//! views, extensions, free sequences, check constraints, comments, partial-index predicates,
//! index expressions and `INCLUDE` columns, identity and generated columns, collations, which
//! unique indexes belong to a constraint, partitioned tables and their partitions, table
//! inheritance, and, as opaque objects, functions, procedures,
//! triggers, exclusion constraints and materialized views.

use std::collections::BTreeMap;

use drydock_connector::{ConnectorError, HISTORY_TABLE};
use drydock_schema::{
    CheckConstraint, Column, ColumnArity, DefaultValue, Enum, Extension, ForeignKey, Identity,
    Index, IndexAlgorithm, IndexColumn, IndexKind, ObjectName, OpaqueKind, OpaqueObject, Partition,
    PrimaryKey, ReferentialAction, Sequence, SortOrder, SqlSchema, Table, TypeFamily, View,
};
use postgres::Transaction;
use postgres::types::Type;

use crate::connection::query_error;
use crate::types::canonical_type;

/// The partitions of `parent` with theirs inside, taken out of `by_parent`. PostgreSQL allows no
/// cycle; the depth bound keeps a broken catalog from looping.
fn nested_partitions(
    by_parent: &mut BTreeMap<(String, String), Vec<Partition>>,
    namespace: &str,
    parent: &str,
    depth: usize,
) -> Vec<Partition> {
    let Some(mut partitions) = by_parent.remove(&(namespace.to_owned(), parent.to_owned())) else {
        return Vec::new();
    };
    if depth < 32 {
        for partition in &mut partitions {
            partition.partitions =
                nested_partitions(by_parent, namespace, &partition.name, depth + 1);
        }
    }
    partitions
}

/// Describe `default_schema`, or the schemas in `namespaces`; objects of `default_schema`, the
/// connection's, get no namespace (`SqlSchema::unqualify`), the others theirs.
pub(crate) fn introspect(
    client: &mut Transaction<'_>,
    default_schema: &str,
    namespaces: &[String],
) -> Result<SqlSchema, ConnectorError> {
    let qualify_all = !namespaces.is_empty();
    let schemas: Vec<String> = if qualify_all {
        namespaces.to_vec()
    } else {
        vec![default_schema.to_owned()]
    };
    let names = Namer { default_schema };
    let query = |client: &mut Transaction<'_>, sql: &str, with_history: bool| {
        let result = if with_history {
            client.query_typed(
                sql,
                &[(&schemas, Type::NAME_ARRAY), (&HISTORY_TABLE, Type::NAME)],
            )
        } else {
            client.query_typed(sql, &[(&schemas, Type::NAME_ARRAY)])
        };
        result.map_err(|e| query_error(&e))
    };

    let mut schema = SqlSchema {
        default_namespace: qualify_all.then(|| default_schema.to_owned()),
        ..SqlSchema::default()
    };
    // Without explicit namespaces, a project's schema lists the connection's namespace, the one
    // a Prisma schema lives in (`Project::target_schema`); report it when it exists so both
    // sides agree.
    let listed: Vec<String> = if qualify_all {
        namespaces.to_vec()
    } else {
        vec![default_schema.to_owned()]
    };
    let existing: Vec<String> = client
        .query_typed(
            include_str!("queries/namespaces.sql"),
            &[(&listed, Type::NAME_ARRAY)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| row.get("nspname"))
        .collect();
    schema.namespaces = listed
        .into_iter()
        .filter(|n| existing.contains(n))
        .collect();

    for row in query(client, include_str!("queries/enums.sql"), false)? {
        let name = ObjectName::new(
            names.namespace(row.get("namespace")),
            row.get::<_, String>("enum_name"),
        );
        let value: Option<String> = row.get("value");
        match schema.enums.last_mut() {
            Some(last) if last.object_name() == name => last.values.extend(value),
            _ => schema.enums.push(Enum {
                namespace: name.namespace,
                name: name.name,
                values: value.into_iter().collect(),
            }),
        }
    }

    let mut tables: BTreeMap<(String, String), Table> = BTreeMap::new();
    for row in query(client, include_str!("queries/tables.sql"), true)? {
        let namespace: String = row.get("namespace");
        let name: String = row.get("table_name");
        let mut table = Table::new(names.namespace(&namespace), name.clone());
        table.comment = row.get("comment");
        table.partition_by = row.get("partition_by");
        tables.insert((namespace, name), table);
    }

    for row in query(client, include_str!("queries/inherits.sql"), false)? {
        let key = (row.get("namespace"), row.get("table_name"));
        if let Some(table) = tables.get_mut(&key) {
            table.inherits.push(ObjectName::new(
                names.namespace(row.get("parent_namespace")),
                row.get::<_, String>("parent_name"),
            ));
        }
    }

    // Partitions by namespace and name, with their parent: a table, or a partition that is
    // partitioned itself. Their own keys, indexes and checks are read with the tables'.
    let mut partitions: BTreeMap<(String, String), (String, Partition)> = BTreeMap::new();
    for row in query(client, include_str!("queries/partitions.sql"), false)? {
        let partition = Partition {
            name: row.get("partition_name"),
            bound: row.get("bound"),
            partition_by: row.get("partition_by"),
            partitions: Vec::new(),
            required_columns: row.get("required_columns"),
            primary_key: None,
            indexes: Vec::new(),
            checks: Vec::new(),
        };
        partitions.insert(
            (row.get("namespace"), partition.name.clone()),
            (row.get("table_name"), partition),
        );
    }

    for row in query(client, include_str!("queries/columns.sql"), true)? {
        let key = (row.get("namespace"), row.get("table_name"));
        let Some(table) = tables.get_mut(&key) else {
            continue;
        };
        let raw = RawColumn {
            name: row.get("column_name"),
            not_null: row.get("not_null"),
            is_array: row.get("is_array"),
            formatted_type: row.get("formatted_type"),
            type_name: row.get("type_name"),
            type_kind: row.get("type_kind"),
            type_namespace: row.get("type_namespace"),
            default_expr: row.get("default_expr"),
            identity: row.get("identity"),
            generated: row.get("generated"),
            collation: row.get("collation"),
        };
        let mut column = raw.into_column(&names);
        column.comment = row.get("comment");
        if row.get::<_, bool>("inherited") {
            table.inherited_columns.push(column.name.clone());
        }
        table.columns.push(column);
    }

    for row in query(client, include_str!("queries/primary_keys.sql"), false)? {
        let key = (row.get("namespace"), row.get("table_name"));
        let primary_key = match (tables.get_mut(&key), partitions.get_mut(&key)) {
            (Some(table), _) => &mut table.primary_key,
            (None, Some((_, partition))) => &mut partition.primary_key,
            (None, None) => continue,
        };
        let column = IndexColumn::named(row.get::<_, String>("column_name"));
        match primary_key {
            Some(pk) => pk.columns.push(column),
            None => {
                *primary_key = Some(PrimaryKey {
                    name: Some(row.get("constraint_name")),
                    columns: vec![column],
                });
            }
        }
    }

    for row in query(client, include_str!("queries/indexes.sql"), true)? {
        let key = (row.get("namespace"), row.get("table_name"));
        let indexes = match (tables.get_mut(&key), partitions.get_mut(&key)) {
            (Some(table), _) => &mut table.indexes,
            (None, Some((_, partition))) => &mut partition.indexes,
            (None, None) => continue,
        };
        let index_name: String = row.get("index_name");
        let column_name: Option<String> = row.get("column_name");
        let expression: Option<String> = row.get("expression");
        if indexes.last().is_none_or(|last| last.name != index_name) {
            indexes.push(Index {
                name: index_name,
                kind: if row.get("is_unique") {
                    IndexKind::Unique
                } else {
                    IndexKind::Normal
                },
                columns: Vec::new(),
                algorithm: algorithm(row.get("method")),
                predicate: row.get("predicate"),
                include: Vec::new(),
                constraint_backed: row.get("constraint_backed"),
            });
        }
        let Some(index) = indexes.last_mut() else {
            continue;
        };
        if !row.get::<_, bool>("is_key") {
            // INCLUDE entries are always plain columns.
            index.include.extend(column_name);
            continue;
        }
        let default_opclass: bool = row.get("default_opclass");
        let mut column = match (column_name, expression) {
            (Some(name), _) => IndexColumn::named(name),
            (None, expression) => IndexColumn::expression(expression.unwrap_or_default()),
        };
        column.sort = row.get::<_, bool>("descending").then_some(SortOrder::Desc);
        column.operator_class = if default_opclass {
            None
        } else {
            row.get("opclass")
        };
        index.columns.push(column);
    }

    for row in query(client, include_str!("queries/constraints.sql"), false)? {
        let namespace: String = row.get("namespace");
        let table_name: String = row.get("table_name");
        let name: String = row.get("constraint_name");
        let definition: String = row.get("definition");
        if row.get::<_, String>("kind") == "c" {
            let key = (namespace, table_name);
            let checks = match (tables.get_mut(&key), partitions.get_mut(&key)) {
                (Some(table), _) => &mut table.checks,
                (None, Some((_, partition))) => &mut partition.checks,
                (None, None) => continue,
            };
            checks.push(CheckConstraint {
                name,
                expression: definition,
            });
        } else {
            schema.opaque.push(OpaqueObject {
                kind: OpaqueKind::ExclusionConstraint,
                namespace: names.namespace(&namespace),
                name,
                table: Some(table_name),
                definition,
            });
        }
    }

    for row in query(client, include_str!("queries/foreign_keys.sql"), false)? {
        let key = (row.get("namespace"), row.get("table_name"));
        let Some(table) = tables.get_mut(&key) else {
            continue;
        };
        let name: String = row.get("constraint_name");
        let column: String = row.get("column_name");
        let referenced_column: String = row.get("referenced_column");
        match table.foreign_keys.last_mut() {
            Some(last) if last.name.as_deref() == Some(name.as_str()) => {
                last.columns.push(column);
                last.referenced_columns.push(referenced_column);
            }
            _ => table.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns: vec![column],
                referenced_table: ObjectName::new(
                    names.namespace(row.get("referenced_namespace")),
                    row.get::<_, String>("referenced_table"),
                ),
                referenced_columns: vec![referenced_column],
                on_delete: action(row.get("on_delete")),
                on_update: action(row.get("on_update")),
            }),
        }
    }

    let mut by_parent: BTreeMap<(String, String), Vec<Partition>> = BTreeMap::new();
    for ((namespace, _), (parent, partition)) in partitions {
        by_parent
            .entry((namespace, parent))
            .or_default()
            .push(partition);
    }
    for ((namespace, name), table) in &mut tables {
        table.partitions = nested_partitions(&mut by_parent, namespace, name, 0);
    }
    schema.tables = tables.into_values().collect();

    for row in query(client, include_str!("queries/views.sql"), false)? {
        let namespace = names.namespace(row.get("namespace"));
        let name: String = row.get("view_name");
        let definition: String = row.get("definition");
        if row.get::<_, String>("kind") == "v" {
            schema.views.push(View {
                namespace,
                name,
                definition,
            });
        } else {
            // A materialized view holds data the schema language cannot describe either.
            schema.opaque.push(OpaqueObject {
                kind: OpaqueKind::Other,
                namespace,
                name,
                table: None,
                definition,
            });
        }
    }
    for row in client
        .query_typed(include_str!("queries/extensions.sql"), &[])
        .map_err(|e| query_error(&e))?
    {
        schema.extensions.push(Extension {
            name: row.get("name"),
            version: Some(row.get("version")),
            namespace: Some(row.get("namespace")),
            relocatable: row.get("relocatable"),
        });
    }
    for row in query(client, include_str!("queries/extensions_in_use.sql"), false)? {
        schema.extensions_in_use.push(row.get("name"));
    }
    for row in query(client, include_str!("queries/sequences.sql"), false)? {
        schema.sequences.push(Sequence {
            namespace: names.namespace(row.get("namespace")),
            name: row.get("sequence_name"),
        });
    }
    for row in query(client, include_str!("queries/functions.sql"), false)? {
        schema.opaque.push(OpaqueObject {
            kind: if row.get::<_, String>("kind") == "p" {
                OpaqueKind::Procedure
            } else {
                OpaqueKind::Function
            },
            namespace: names.namespace(row.get("namespace")),
            name: row.get("function_name"),
            table: None,
            definition: row.get("definition"),
        });
    }
    for row in query(client, include_str!("queries/triggers.sql"), false)? {
        schema.opaque.push(OpaqueObject {
            kind: OpaqueKind::Trigger,
            namespace: names.namespace(row.get("namespace")),
            name: row.get("trigger_name"),
            table: Some(row.get("table_name")),
            definition: row.get("definition"),
        });
    }
    Ok(schema)
}

/// Decides which objects carry a namespace.
struct Namer<'a> {
    default_schema: &'a str,
}

impl Namer<'_> {
    fn namespace(&self, schema: &str) -> Option<String> {
        (schema != self.default_schema).then(|| schema.to_owned())
    }
}

struct RawColumn {
    name: String,
    not_null: bool,
    is_array: bool,
    formatted_type: String,
    type_name: String,
    type_kind: String,
    type_namespace: String,
    default_expr: Option<String>,
    identity: String,
    generated: String,
    collation: Option<String>,
}

impl RawColumn {
    fn into_column(self, names: &Namer<'_>) -> Column {
        let enum_type = (self.type_kind == "e").then(|| {
            ObjectName::new(
                names.namespace(&self.type_namespace),
                self.type_name.clone(),
            )
        });
        // `format_type` qualifies types outside the search path (`ext.citext`); the extension
        // types Prisma knows are matched by name.
        let spelled = if self.type_name == "citext" {
            "citext"
        } else {
            self.formatted_type.as_str()
        };
        let column_type = canonical_type(spelled, enum_type.as_ref()).column_type;
        let arity = if self.is_array {
            ColumnArity::List
        } else if self.not_null {
            ColumnArity::Required
        } else {
            ColumnArity::Nullable
        };
        let serial = self
            .default_expr
            .as_deref()
            .is_some_and(|e| e.starts_with("nextval(") && e.ends_with("::regclass)"));
        let identity = match self.identity.as_str() {
            "a" => Some(Identity::Always),
            "d" => Some(Identity::ByDefault),
            _ => None,
        };
        let auto_increment = serial || identity.is_some();
        let (default, generated) = match self.default_expr {
            Some(expr) if self.generated == "s" => (None, Some(expr)),
            Some(expr) if !serial => (
                Some(parse_default(&expr, &column_type.family, self.is_array)),
                None,
            ),
            _ => (None, None),
        };
        Column {
            name: self.name,
            column_type,
            arity,
            default,
            auto_increment,
            comment: None,
            renamed_from: None,
            identity,
            generated,
            collation: self.collation,
            generated_virtual: false,
            on_update: None,
        }
    }
}

fn algorithm(method: &str) -> Option<IndexAlgorithm> {
    match method {
        "hash" => Some(IndexAlgorithm::Hash),
        "gist" => Some(IndexAlgorithm::Gist),
        "gin" => Some(IndexAlgorithm::Gin),
        "spgist" => Some(IndexAlgorithm::SpGist),
        "brin" => Some(IndexAlgorithm::Brin),
        _ => None,
    }
}

fn action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// A default as `pg_get_expr` prints it, normalised: literals lose their casts and become
/// strings, numbers, booleans, enum values or bytes according to the column's family.
pub(crate) fn parse_default(expr: &str, family: &TypeFamily, is_list: bool) -> DefaultValue {
    let trimmed = expr.trim();
    if is_list {
        if let Some(items) = array_constructor(trimmed) {
            return DefaultValue::List(items.iter().map(|i| scalar_default(i, family)).collect());
        }
        if let Some((text, _)) = string_literal(trimmed)
            && let Some(items) = array_literal(&text)
        {
            return DefaultValue::List(
                items
                    .into_iter()
                    .map(|i| literal_for_family(i, family, trimmed))
                    .collect(),
            );
        }
        return DefaultValue::Expression(trimmed.to_owned());
    }
    scalar_default(trimmed, family)
}

fn scalar_default(expr: &str, family: &TypeFamily) -> DefaultValue {
    let expr = expr.trim();
    if let Some((text, rest)) = string_literal(expr)
        && (rest.is_empty() || rest.starts_with("::"))
    {
        return literal_for_family(text, family, expr);
    }
    match expr {
        "true" => return DefaultValue::Boolean(true),
        "false" => return DefaultValue::Boolean(false),
        "CURRENT_TIMESTAMP" | "now()" => return DefaultValue::Now,
        _ => {}
    }
    if let Some(precision) = expr
        .strip_prefix("CURRENT_TIMESTAMP(")
        .and_then(|rest| rest.strip_suffix(')'))
        && precision.chars().all(|c| c.is_ascii_digit())
    {
        return DefaultValue::Now;
    }
    if is_number(expr) {
        return DefaultValue::Number(expr.to_owned());
    }
    DefaultValue::Expression(expr.to_owned())
}

fn literal_for_family(text: String, family: &TypeFamily, expr: &str) -> DefaultValue {
    match family {
        TypeFamily::Int | TypeFamily::BigInt | TypeFamily::Float | TypeFamily::Decimal => {
            if is_number(&text) {
                DefaultValue::Number(text)
            } else {
                DefaultValue::Expression(expr.to_owned())
            }
        }
        TypeFamily::Boolean => match text.as_str() {
            "true" | "t" => DefaultValue::Boolean(true),
            "false" | "f" => DefaultValue::Boolean(false),
            _ => DefaultValue::Expression(expr.to_owned()),
        },
        TypeFamily::Enum(_) => DefaultValue::EnumValue(text),
        TypeFamily::DateTime => match drydock_schema::canonical_datetime_literal(&text) {
            Some(canonical) => DefaultValue::String(canonical),
            None => DefaultValue::String(text),
        },
        TypeFamily::Bytes => match text.strip_prefix("\\x") {
            Some(hex) => DefaultValue::Bytes(hex.to_ascii_lowercase()),
            None => DefaultValue::Expression(expr.to_owned()),
        },
        _ => DefaultValue::String(text),
    }
}

fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty()
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && digits.parse::<f64>().is_ok()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

/// A leading `'...'` literal (quotes doubled inside) and what follows it.
fn string_literal(expr: &str) -> Option<(String, &str)> {
    let body = expr.strip_prefix('\'')?;
    let mut text = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                text.push('\'');
                chars.next();
            } else {
                return Some((text, &body[i + 1..]));
            }
        } else {
            text.push(c);
        }
    }
    None
}

/// The elements of `ARRAY[a, b]` or `ARRAY[a, b]::type[]`, split at top-level commas.
fn array_constructor(expr: &str) -> Option<Vec<String>> {
    let body = expr.strip_prefix("ARRAY[")?;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut items = Vec::new();
    let mut current = String::new();
    for (i, c) in body.char_indices() {
        if in_string {
            current.push(c);
            if c == '\'' {
                in_string = false;
            }
            continue;
        }
        match c {
            '\'' => {
                in_string = true;
                current.push(c);
            }
            '[' | '(' => {
                depth += 1;
                current.push(c);
            }
            ']' if depth == 0 => {
                let rest = &body[i + 1..];
                if !(rest.is_empty() || rest.starts_with("::")) {
                    return None;
                }
                if !current.trim().is_empty() {
                    items.push(current.trim().to_owned());
                }
                return Some(items);
            }
            ']' | ')' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 0 => {
                items.push(current.trim().to_owned());
                current.clear();
            }
            _ => current.push(c),
        }
    }
    None
}

/// The elements of a one-dimensional array literal `{a,"b c"}`.
fn array_literal(text: &str) -> Option<Vec<String>> {
    let body = text.strip_prefix('{')?.strip_suffix('}')?;
    if body.is_empty() {
        return Some(Vec::new());
    }
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => current.extend(chars.next()),
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            '{' | '}' if !quoted => return None,
            _ => current.push(c),
        }
    }
    items.push(current);
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(name: &str) -> TypeFamily {
        TypeFamily::Enum(ObjectName::new(None, name))
    }

    #[test]
    fn normalises_defaults() {
        let s = TypeFamily::String;
        let cases = [
            ("'abc'::text", &s, DefaultValue::String("abc".into())),
            (
                "'it''s'::character varying",
                &s,
                DefaultValue::String("it's".into()),
            ),
            ("42", &TypeFamily::Int, DefaultValue::Number("42".into())),
            (
                "'-3'::integer",
                &TypeFamily::Int,
                DefaultValue::Number("-3".into()),
            ),
            (
                "'-1.5'::numeric",
                &TypeFamily::Float,
                DefaultValue::Number("-1.5".into()),
            ),
            ("true", &TypeFamily::Boolean, DefaultValue::Boolean(true)),
            (
                "'USER'::\"Role\"",
                &family("Role"),
                DefaultValue::EnumValue("USER".into()),
            ),
            (
                "CURRENT_TIMESTAMP",
                &TypeFamily::DateTime,
                DefaultValue::Now,
            ),
            ("now()", &TypeFamily::DateTime, DefaultValue::Now),
            (
                "CURRENT_TIMESTAMP(3)",
                &TypeFamily::DateTime,
                DefaultValue::Now,
            ),
            (
                "'\\x0A'::bytea",
                &TypeFamily::Bytes,
                DefaultValue::Bytes("0a".into()),
            ),
            (
                "'{}'::jsonb",
                &TypeFamily::Json,
                DefaultValue::String("{}".into()),
            ),
            (
                "gen_random_uuid()",
                &s,
                DefaultValue::Expression("gen_random_uuid()".into()),
            ),
        ];
        for (expr, family, expected) in cases {
            assert_eq!(parse_default(expr, family, false), expected, "{expr}");
        }
    }

    #[test]
    fn normalises_list_defaults() {
        let text = TypeFamily::String;
        assert_eq!(
            parse_default("ARRAY[]::text[]", &text, true),
            DefaultValue::List(vec![])
        );
        assert_eq!(
            parse_default("ARRAY['a'::text, 'b, c'::text]", &text, true),
            DefaultValue::List(vec![
                DefaultValue::String("a".into()),
                DefaultValue::String("b, c".into())
            ])
        );
        assert_eq!(
            parse_default("ARRAY['ADMIN'::\"Role\"]", &family("Role"), true),
            DefaultValue::List(vec![DefaultValue::EnumValue("ADMIN".into())])
        );
        assert_eq!(
            parse_default("ARRAY[1, '-2'::integer]", &TypeFamily::Int, true),
            DefaultValue::List(vec![
                DefaultValue::Number("1".into()),
                DefaultValue::Number("-2".into())
            ])
        );
        assert_eq!(
            parse_default("'{a,\"b c\"}'::text[]", &text, true),
            DefaultValue::List(vec![
                DefaultValue::String("a".into()),
                DefaultValue::String("b c".into())
            ])
        );
    }
}
