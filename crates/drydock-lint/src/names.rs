//! Object names as PostgreSQL folds them: unquoted identifiers are lower-cased, quoted ones
//! kept as written, and the default `public` schema dropped so `public.t` and `t` compare equal.

use sqlparser::ast::{Ident, ObjectName};

/// A table's (or type's) name, normalized for comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableName {
    parts: Vec<String>,
}

impl TableName {
    pub(crate) fn from_object(name: &ObjectName) -> TableName {
        TableName::new(
            name.0
                .iter()
                .map(|part| part.as_ident().map_or_else(|| part.to_string(), ident))
                .collect(),
        )
    }

    /// Drops the default schema, so `public.t` and `t` are one name.
    fn new(mut parts: Vec<String>) -> TableName {
        if parts.len() == 2 && parts[0] == "public" {
            parts.remove(0);
        }
        TableName { parts }
    }

    /// A name from an identifier the tokenizer found outside the grammar.
    pub(crate) fn from_ident(value: &Ident) -> TableName {
        TableName {
            parts: vec![ident(value)],
        }
    }

    /// A name from identifiers the tokenizer found outside the grammar (`schema`, `table`).
    pub(crate) fn from_idents(values: &[Ident]) -> TableName {
        TableName::new(values.iter().map(ident).collect())
    }

    /// A name from parts already folded as PostgreSQL folds them (`["public", "User"]`).
    pub fn from_sql_parts(parts: &[&str]) -> TableName {
        TableName::new(parts.iter().map(|part| (*part).to_owned()).collect())
    }

    /// The name as SQL, every part quoted (for queries about the live database).
    pub fn to_sql(&self) -> String {
        self.parts
            .iter()
            .map(|part| format!("\"{}\"", part.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The name as MySQL SQL, every part quoted with backticks.
    pub(crate) fn to_mysql(&self) -> String {
        self.parts
            .iter()
            .map(|part| format!("`{}`", part.replace('`', "``")))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The schema (database, on MySQL) when the name has one, and the bare name.
    pub(crate) fn schema_and_name(&self) -> (Option<&str>, &str) {
        match self.parts.as_slice() {
            [.., schema, name] => (Some(schema.as_str()), name.as_str()),
            [name] => (None, name.as_str()),
            [] => (None, ""),
        }
    }

    /// The same schema with another last part (for `RENAME TO`, which never moves schemas).
    pub(crate) fn with_last(&self, last: &Ident) -> TableName {
        let mut parts = self.parts.clone();
        parts.pop();
        parts.push(ident(last));
        TableName { parts }
    }
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.parts.join("."))
    }
}

/// An identifier as PostgreSQL folds it.
pub(crate) fn ident(value: &Ident) -> String {
    if value.quote_style.is_some() {
        value.value.clone()
    } else {
        value.value.to_lowercase()
    }
}
