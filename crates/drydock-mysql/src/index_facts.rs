//! Index facts for `drydock indexes` on MySQL and MariaDB: each index's keys from
//! `information_schema.STATISTICS`, its size from InnoDB's persistent statistics
//! (`mysql.innodb_index_stats`, when this user may read them), its reads from
//! `performance_schema` when the server runs it, and the foreign keys (each has an index: the
//! server creates one when none leads with its columns).

use std::collections::HashMap;

use drydock_connector::{
    ConnectorError, ForeignKeyFact, IndexFact, IndexFacts, QueryStats, is_bookkeeping_table,
};
use mysql::Conn;

use crate::connection::{quote_ident, text_rows};

type Counts = HashMap<(String, String), u64>;

/// `(table, index) → number` from rows of `table, index, number`.
fn counts(rows: Vec<Vec<Option<String>>>) -> Counts {
    rows.into_iter()
        .filter_map(|row| match row.as_slice() {
            [Some(table), Some(index), Some(n)] => Some((
                (table.clone(), index.clone()),
                n.parse::<f64>().ok()? as u64,
            )),
            _ => None,
        })
        .collect()
}

pub(crate) fn index_facts(conn: &mut Conn) -> Result<IndexFacts, ConnectorError> {
    // Not readable without privileges on the `mysql` database: sizes stay unknown.
    let sizes = text_rows(conn, include_str!("queries/index_sizes.sql"))
        .map(counts)
        .unwrap_or_default();
    let performance_schema = text_rows(conn, "SELECT @@performance_schema")?
        .first()
        .and_then(|row| row.first().cloned().flatten())
        .is_some_and(|on| on == "1");
    let (usage, stats_since) = if performance_schema {
        let usage = counts(text_rows(conn, include_str!("queries/index_usage.sql"))?);
        let since = text_rows(
            conn,
            "SELECT DATE_FORMAT(NOW() - INTERVAL VARIABLE_VALUE SECOND, '%Y-%m-%d %H:%i:%s') \
             FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Uptime'",
        )?
        .first()
        .and_then(|row| row.first().cloned().flatten());
        (Some(usage), since)
    } else {
        (None, None)
    };
    let mut indexes: Vec<IndexFact> = Vec::new();
    for row in text_rows(conn, include_str!("queries/index_columns.sql"))? {
        let field = |i: usize| row.get(i).cloned().flatten();
        let (Some(table), Some(name)) = (field(0), field(1)) else {
            continue;
        };
        if is_bookkeeping_table(&table) {
            continue;
        }
        let column = field(2);
        // Full-text and spatial keys have no order.
        let order = match field(4).as_deref() {
            Some("A") => " ASC",
            Some("D") => " DESC",
            _ => "",
        };
        let key = format!(
            "{}{}{order}",
            column.as_deref().unwrap_or("(expression)"),
            field(3).map(|n| format!("({n})")).unwrap_or_default(),
        );
        let column = column.unwrap_or_else(|| "(expression)".to_owned());
        match indexes.last_mut() {
            Some(index) if index.table == table && index.name == name => {
                index.has_expressions |= column == "(expression)";
                index.columns.push(column);
                index.keys.push(key);
            }
            _ => {
                let primary = name == "PRIMARY";
                let unique = field(5).as_deref() == Some("1");
                let id = (table.clone(), name.clone());
                indexes.push(IndexFact {
                    namespace: None,
                    method: field(6).unwrap_or_default().to_ascii_lowercase(),
                    has_expressions: column == "(expression)",
                    columns: vec![column],
                    keys: vec![key],
                    predicate: None,
                    primary,
                    unique,
                    constraint: unique.then(|| name.clone()),
                    valid: true,
                    scans: usage
                        .as_ref()
                        .map(|usage| usage.get(&id).copied().unwrap_or(0)),
                    size_bytes: sizes.get(&id).copied(),
                    bloat_bytes: None,
                    definition: String::new(),
                    table,
                    name,
                });
            }
        }
    }
    for index in &mut indexes {
        index.definition = definition(index);
    }
    let mut foreign_keys: Vec<ForeignKeyFact> = Vec::new();
    for row in text_rows(conn, include_str!("queries/health_foreign_keys.sql"))? {
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let (name, table) = (field(0), field(1));
        if is_bookkeeping_table(&table) {
            continue;
        }
        match foreign_keys.last_mut() {
            Some(key) if key.table == table && key.name == name => key.columns.push(field(2)),
            _ => foreign_keys.push(ForeignKeyFact {
                namespace: None,
                table,
                name,
                columns: vec![field(2)],
                referenced_table: field(3),
            }),
        }
    }
    let query_stats = QueryStats::Unavailable {
        reason: if performance_schema {
            "drydock does not read MySQL's statement digests yet".to_owned()
        } else {
            "performance_schema is off on this server: index reads are not counted (start the \
             server with performance_schema=ON)"
                .to_owned()
        },
    };
    Ok(IndexFacts {
        indexes,
        foreign_keys,
        stats_since,
        query_stats,
        suggestions: Vec::new(),
    })
}

/// The statement that creates `index`.
fn definition(index: &IndexFact) -> String {
    let keys: Vec<String> = index
        .keys
        .iter()
        .zip(&index.columns)
        .map(|(key, column)| {
            let rest = key.strip_prefix(column.as_str()).unwrap_or(key);
            format!("{}{rest}", quote_ident(column))
        })
        .collect();
    let table = quote_ident(&index.table);
    if index.primary {
        return format!("ALTER TABLE {table} ADD PRIMARY KEY ({})", keys.join(", "));
    }
    let kind = match index.method.as_str() {
        "fulltext" => "FULLTEXT ",
        "spatial" => "SPATIAL ",
        _ if index.unique => "UNIQUE ",
        _ => "",
    };
    format!(
        "CREATE {kind}INDEX {} ON {table} ({})",
        quote_ident(&index.name),
        keys.join(", ")
    )
}
