//! Shared helpers for the integration tests: a PostgreSQL-like set of lowering rules and a
//! compact text dump of a lowered schema.

mod rules;

pub(crate) use rules::PgLike;

use drydock_schema::{ColumnArity, DefaultValue, IndexKind, SortOrder, SqlSchema, TypeFamily};
use std::fmt::Write;

fn qualified(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{ns}.{name}"),
        None => name.to_owned(),
    }
}

fn default_text(d: &DefaultValue) -> String {
    match d {
        DefaultValue::String(s) => format!("{s:?}"),
        DefaultValue::Number(n) => n.clone(),
        DefaultValue::Boolean(b) => b.to_string(),
        DefaultValue::Bytes(h) => format!("x'{h}'"),
        DefaultValue::EnumValue(v) => format!("enum({v})"),
        DefaultValue::Now => "now()".to_owned(),
        DefaultValue::List(items) => {
            let items: Vec<String> = items.iter().map(default_text).collect();
            format!("[{}]", items.join(", "))
        }
        DefaultValue::Expression(e) => format!("expr({e})"),
    }
}

/// A compact, line-oriented dump of a schema for snapshots.
pub(crate) fn dump(schema: &SqlSchema) -> String {
    let mut out = String::new();
    if !schema.namespaces.is_empty() {
        let _ = writeln!(out, "namespaces {}", schema.namespaces.join(", "));
    }
    for e in &schema.enums {
        let _ = writeln!(
            out,
            "enum {} [{}]",
            qualified(e.namespace.as_deref(), &e.name),
            e.values.join(", ")
        );
    }
    for t in &schema.tables {
        let _ = writeln!(out, "table {}", qualified(t.namespace.as_deref(), &t.name));
        for c in &t.columns {
            let mut line = format!("  {} {}", c.name, c.column_type.native);
            if let TypeFamily::Enum(n) = &c.column_type.family {
                let _ = write!(
                    line,
                    " (enum {})",
                    qualified(n.namespace.as_deref(), &n.name)
                );
            }
            match c.arity {
                ColumnArity::Required => line.push_str(" NOT NULL"),
                ColumnArity::Nullable => {}
                ColumnArity::List => line.push_str(" LIST"),
            }
            if c.auto_increment {
                line.push_str(" AUTOINCREMENT");
            }
            if let Some(d) = &c.default {
                let _ = write!(line, " DEFAULT {}", default_text(d));
            }
            let _ = writeln!(out, "{line}");
        }
        let columns = |cols: &[drydock_schema::IndexColumn]| -> String {
            let cols: Vec<String> = cols
                .iter()
                .map(|c| {
                    let mut s = c.name.clone();
                    if let Some(l) = c.length {
                        let _ = write!(s, "({l})");
                    }
                    if c.sort == Some(SortOrder::Desc) {
                        s.push_str(" DESC");
                    }
                    if c.sort == Some(SortOrder::Asc) {
                        s.push_str(" ASC");
                    }
                    if let Some(o) = &c.operator_class {
                        let _ = write!(s, " {o}");
                    }
                    s
                })
                .collect();
            cols.join(", ")
        };
        if let Some(pk) = &t.primary_key {
            let _ = writeln!(
                out,
                "  PRIMARY KEY {} ({})",
                pk.name.as_deref().unwrap_or("<unnamed>"),
                columns(&pk.columns)
            );
        }
        for i in &t.indexes {
            let kind = match i.kind {
                IndexKind::Normal => "INDEX",
                IndexKind::Unique => "UNIQUE",
                IndexKind::Fulltext => "FULLTEXT",
            };
            let mut line = format!("  {kind} {} ({})", i.name, columns(&i.columns));
            if let Some(a) = i.algorithm {
                let _ = write!(line, " USING {a:?}");
            }
            let _ = writeln!(out, "{line}");
        }
        for fk in &t.foreign_keys {
            let _ = writeln!(
                out,
                "  FOREIGN KEY {} ({}) -> {} ({}) ON DELETE {} ON UPDATE {}",
                fk.name.as_deref().unwrap_or("<unnamed>"),
                fk.columns.join(", "),
                qualified(
                    fk.referenced_table.namespace.as_deref(),
                    &fk.referenced_table.name
                ),
                fk.referenced_columns.join(", "),
                fk.on_delete.as_sql(),
                fk.on_update.as_sql()
            );
        }
    }
    out
}
