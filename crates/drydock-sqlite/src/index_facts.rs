//! Index facts for `drydock indexes`: each table's indexes (`PRAGMA index_list`, `index_xinfo`)
//! and foreign keys (`PRAGMA foreign_key_list`). SQLite counts no index use and keeps no
//! statement statistics, so only the structural findings apply.

use drydock_connector::{
    ConnectorError, ForeignKeyFact, IndexFact, IndexFacts, QueryStats, is_bookkeeping_table,
};

use crate::connection::query_error;

pub(crate) fn index_facts(conn: &rusqlite::Connection) -> Result<IndexFacts, ConnectorError> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(query_error)?;
    let mut indexes = Vec::new();
    let mut foreign_keys = Vec::new();
    for table in tables.iter().filter(|t| !is_bookkeeping_table(t)) {
        // (name, unique, origin, partial)
        let listed: Vec<(String, bool, String, bool)> = conn
            .prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)")
            .and_then(|mut statement| {
                statement
                    .query_map([table], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })?
                    .collect::<Result<_, _>>()
            })
            .map_err(query_error)?;
        for (name, unique, origin, partial) in listed {
            // (column name or NULL for an expression, descending, collation)
            let keys: Vec<(Option<String>, bool, String)> = conn
                .prepare(
                    "SELECT name, \"desc\", coll FROM pragma_index_xinfo(?1) WHERE key = 1 \
                     ORDER BY seqno",
                )
                .and_then(|mut statement| {
                    statement
                        .query_map([&name], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                        .collect::<Result<_, _>>()
                })
                .map_err(query_error)?;
            let definition: Option<String> = conn
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                    [&name],
                    |row| row.get(0),
                )
                .map_err(query_error)?;
            let definition = definition.unwrap_or_default();
            let predicate = partial.then(|| predicate_of(&definition)).flatten();
            let columns: Vec<String> = keys
                .iter()
                .map(|(column, _, _)| column.clone().unwrap_or_else(|| "(expression)".to_owned()))
                .collect();
            indexes.push(IndexFact {
                namespace: None,
                table: table.clone(),
                keys: keys
                    .iter()
                    .map(|(column, descending, collation)| {
                        format!(
                            "{} {collation} {}",
                            column.as_deref().unwrap_or("(expression)"),
                            if *descending { "DESC" } else { "ASC" }
                        )
                    })
                    .collect(),
                has_expressions: keys.iter().any(|(column, _, _)| column.is_none()),
                columns,
                predicate,
                method: "btree".to_owned(),
                primary: origin == "pk",
                unique,
                constraint: (origin == "pk" || origin == "u").then(|| name.clone()),
                valid: true,
                scans: None,
                size_bytes: None,
                bloat_bytes: None,
                name,
                definition,
            });
        }
        // (id, seq, referenced table, from)
        let rows: Vec<(i64, i64, String, String)> = conn
            .prepare("SELECT id, seq, \"table\", \"from\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq")
            .and_then(|mut statement| {
                statement
                    .query_map([table], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })?
                    .collect::<Result<_, _>>()
            })
            .map_err(query_error)?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        ids.dedup();
        for id in ids {
            let parts: Vec<&(i64, i64, String, String)> =
                rows.iter().filter(|r| r.0 == id).collect();
            let columns: Vec<String> = parts.iter().map(|r| r.3.clone()).collect();
            foreign_keys.push(ForeignKeyFact {
                namespace: None,
                table: table.clone(),
                name: format!("{table}({})", columns.join(", ")),
                columns,
                referenced_table: parts[0].2.clone(),
            });
        }
    }
    Ok(IndexFacts {
        indexes,
        foreign_keys,
        stats_since: None,
        query_stats: QueryStats::Unavailable {
            reason: "SQLite keeps no statement statistics".to_owned(),
        },
        suggestions: Vec::new(),
    })
}

/// The text after the last top-level `WHERE` of a partial index's `CREATE INDEX`.
fn predicate_of(definition: &str) -> Option<String> {
    let upper = definition.to_ascii_uppercase();
    let at = upper.rfind(" WHERE ")?;
    Some(definition[at + 7..].trim().to_owned())
}
