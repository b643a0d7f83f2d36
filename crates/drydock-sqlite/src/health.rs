//! Health facts for `drydock check`: SQLite's own checks (`PRAGMA integrity_check`,
//! `PRAGMA foreign_key_check`) and the declared column types SQLite does not enforce (a length
//! in `VARCHAR(n)`, a storage class its type affinity implies), and the row checks answered in
//! SQLite's SQL (`length()`, `typeof()`).

use drydock_connector::{
    ConnectorError, ForeignKeyViolation, HealthFacts, RowCheck, RowCheckResult, RowCheckSql,
    SAMPLE_LIMIT, TextQuery, UnenforcedColumn, is_bookkeeping_table,
};
use drydock_schema::ObjectName;

use crate::connection::{query_error, quote_ident};

pub(crate) fn facts(conn: &rusqlite::Connection) -> Result<HealthFacts, ConnectorError> {
    let integrity: Vec<String> = {
        let mut statement = conn
            .prepare("PRAGMA integrity_check")
            .map_err(query_error)?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(query_error)?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(query_error)?
            .into_iter()
            .filter(|line| line != "ok")
            .collect()
    };
    let mut violations: Vec<ForeignKeyViolation> = Vec::new();
    {
        let mut statement = conn
            .prepare("PRAGMA foreign_key_check")
            .map_err(query_error)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .map_err(query_error)?;
        for row in rows {
            let (table, rowid, parent) = row.map_err(query_error)?;
            let index = match violations
                .iter()
                .position(|v| v.table == table && v.parent == parent)
            {
                Some(index) => index,
                None => {
                    violations.push(ForeignKeyViolation {
                        table,
                        parent,
                        rows: 0,
                        samples: Vec::new(),
                    });
                    violations.len() - 1
                }
            };
            let violation = &mut violations[index];
            violation.rows += 1;
            if let Some(rowid) = rowid
                && violation.samples.len() < SAMPLE_LIMIT
            {
                violation.samples.push(format!("rowid {rowid}"));
            }
        }
    }
    Ok(HealthFacts {
        integrity_problems: Some(integrity),
        foreign_key_violations: Some(violations),
        unenforced_columns: Some(unenforced_columns(conn)?),
        ..HealthFacts::default()
    })
}

/// Every column of the user's tables with what its declared type implies and SQLite does not
/// enforce.
fn unenforced_columns(
    conn: &rusqlite::Connection,
) -> Result<Vec<UnenforcedColumn>, ConnectorError> {
    let tables: Vec<String> = {
        let mut statement = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 ORDER BY name",
            )
            .map_err(query_error)?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(query_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(query_error)?
    };
    let mut columns = Vec::new();
    for table in tables.into_iter().filter(|t| !is_bookkeeping_table(t)) {
        let mut statement = conn
            .prepare(&format!("PRAGMA table_info({})", quote_ident(&table)))
            .map_err(query_error)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(1)?, row.get::<_, String>(2)?))
            })
            .map_err(query_error)?;
        for row in rows {
            let (column, declared) = row.map_err(query_error)?;
            let max_length = declared_length(&declared);
            let storage_classes = storage_classes(&declared);
            if max_length.is_none() && storage_classes.is_empty() {
                continue;
            }
            columns.push(UnenforcedColumn {
                table: ObjectName::new(None, table.clone()),
                column,
                declared,
                max_length,
                storage_classes,
            });
        }
    }
    Ok(columns)
}

/// The length `VARCHAR(n)`, `CHARACTER(n)`, `NVARCHAR(n)`... declare: SQLite ignores it.
fn declared_length(declared: &str) -> Option<u64> {
    let upper = declared.to_ascii_uppercase();
    let (name, rest) = upper.split_once('(')?;
    if !name.contains("CHAR") {
        return None;
    }
    let inside = rest.split_once(')')?.0;
    if inside.contains(',') {
        return None;
    }
    inside.trim().parse().ok()
}

/// The storage classes a value of a column declared `declared` has when it is what the type
/// says, by SQLite's rules of type affinity; empty when any will do (`BLOB` or no type, and the
/// numeric affinity of dates and decimals, which tools store as text or numbers).
fn storage_classes(declared: &str) -> Vec<String> {
    let upper = declared.to_ascii_uppercase();
    let classes: &[&str] = if upper.contains("INT") {
        &["integer"]
    } else if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
        &["text"]
    } else if upper.contains("BLOB") || upper.trim().is_empty() {
        &[]
    } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
        &["real", "integer"]
    } else if upper.starts_with("BOOL") {
        &["integer"]
    } else {
        &[]
    };
    classes.iter().map(|c| (*c).to_owned()).collect()
}

/// The rows `check` asks about, counted with `query` (first column of each row as text).
pub(crate) fn check_rows(
    check: &RowCheck<'_>,
    query: &mut TextQuery<'_>,
) -> Result<RowCheckResult, ConnectorError> {
    let sql = RowCheckSql {
        length: "length",
        ..RowCheckSql::standard(&quote_ident)
    };
    let RowCheck::StorageClass {
        column, classes, ..
    } = check
    else {
        return check.answer_in(&sql, query);
    };
    let classes: Vec<String> = classes
        .iter()
        .chain(std::iter::once(&"null".to_owned()))
        .map(|c| format!("'{}'", c.replace('\'', "''")))
        .collect();
    let condition = format!(
        "typeof({}) NOT IN ({})",
        quote_ident(column),
        classes.join(", ")
    );
    check.answer(&condition, &sql, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_imply_lengths_and_storage_classes() {
        assert_eq!(declared_length("VARCHAR(255)"), Some(255));
        assert_eq!(declared_length("nvarchar( 20 )"), Some(20));
        assert_eq!(declared_length("DECIMAL(10,2)"), None);
        assert_eq!(declared_length("TEXT"), None);
        assert_eq!(storage_classes("INTEGER"), ["integer"]);
        assert_eq!(storage_classes("VARCHAR(3)"), ["text"]);
        assert_eq!(storage_classes("REAL"), ["real", "integer"]);
        assert_eq!(storage_classes("BOOLEAN"), ["integer"]);
        assert!(storage_classes("DATETIME").is_empty());
        assert!(storage_classes("BLOB").is_empty());
        assert!(storage_classes("").is_empty());
    }
}
