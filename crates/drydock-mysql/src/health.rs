//! Health facts for `drydock check` on MySQL and MariaDB, read from `information_schema`
//! (`queries/health_*.sql`): tables without a primary key, AUTO_INCREMENT columns as the
//! sequences they are and MariaDB's own sequences, the rows that break the foreign keys and CHECK constraints the server
//! did not enforce when they were written (`FOREIGN_KEY_CHECKS = 0`,
//! `check_constraint_checks = 0`), what `CHECK TABLE` reports, InnoDB's optimizer
//! statistics and events the stopped event scheduler does not run; and the row checks answered
//! in MySQL's SQL. There are no unvalidated constraints, invalid indexes, transaction-ID ages
//! or replication slots to read.

use drydock_connector::CleanupSql;
use drydock_connector::{
    ConnectorError, ForeignKeyViolation, HealthFacts, RowCheck, RowCheckResult, RowCheckSql,
    SAMPLE_LIMIT, SequenceUse, StoppedScheduledJob, TableStatistics, TableWithoutKey, TextQuery,
    is_bookkeeping_table,
};
use mysql::Conn;

use crate::cleanup::MysqlCleanup;
use crate::connection::{quote_ident, text_rows};

/// MySQL's row check SQL: `CAST(... AS CHAR)`, `CHAR_LENGTH`, `CONCAT(...)`.
fn row_check_sql() -> RowCheckSql<'static> {
    RowCheckSql {
        quote: &quote_ident,
        text_type: "CHAR",
        length: "CHAR_LENGTH",
        concat: |parts| format!("CONCAT({})", parts.join(", ")),
        literal: |text| MysqlCleanup.literal(text),
    }
}

pub(crate) fn facts(conn: &mut Conn, mariadb: bool) -> Result<HealthFacts, ConnectorError> {
    let field =
        |row: &[Option<String>], i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    let without_key = text_rows(
        conn,
        include_str!("queries/health_tables_without_primary_key.sql"),
    )?
    .iter()
    .filter(|row| !is_bookkeeping_table(&field(row, 0)))
    .map(|row| TableWithoutKey {
        table: field(row, 0),
        has_unique_index: field(row, 1) == "1",
    })
    .collect();
    let mut sequences: Vec<SequenceUse> =
        text_rows(conn, include_str!("queries/health_auto_increments.sql"))?
            .iter()
            .filter(|row| !is_bookkeeping_table(&field(row, 0)))
            .map(|row| {
                auto_increment(
                    &field(row, 0),
                    &field(row, 1),
                    &field(row, 2),
                    &field(row, 3),
                )
            })
            .collect();
    if mariadb {
        sequences.extend(mariadb_sequences(conn)?);
    }
    let statistics = statistics(conn, mariadb);
    let foreign_key_violations = foreign_key_violations(conn)?;
    let integrity_problems = integrity_problems(conn, mariadb)?;
    let stopped_scheduled_jobs = stopped_events(conn)?;
    Ok(HealthFacts {
        stopped_scheduled_jobs: Some(stopped_scheduled_jobs),
        sequences: Some(sequences),
        statistics,
        tables_without_primary_key: Some(without_key),
        integrity_problems: Some(integrity_problems),
        foreign_key_violations: Some(foreign_key_violations),
        ..HealthFacts::default()
    })
}

/// The database's enabled events while the server's event scheduler is not `ON` (MariaDB's
/// default is `OFF`; a restart without it in the configuration turns it off again).
fn stopped_events(conn: &mut Conn) -> Result<Vec<StoppedScheduledJob>, ConnectorError> {
    let scheduler = text_rows(conn, "SELECT CAST(@@GLOBAL.event_scheduler AS CHAR)")?
        .first()
        .and_then(|row| row.first().cloned().flatten())
        .unwrap_or_default();
    if scheduler.eq_ignore_ascii_case("ON") {
        return Ok(Vec::new());
    }
    Ok(
        text_rows(conn, include_str!("queries/health_enabled_events.sql"))?
            .into_iter()
            .filter_map(|row| row.into_iter().next().flatten())
            .map(|name| StoppedScheduledJob {
                name,
                why: format!("the server's event scheduler is {scheduler}"),
                fix: "SET GLOBAL event_scheduler = ON; and `event_scheduler = ON` in the server's \
                  configuration, so a restart keeps it"
                    .to_owned(),
            })
            .collect(),
    )
}

/// An AUTO_INCREMENT column as the sequence it is: its maximum is its integer type's.
fn auto_increment(table: &str, column: &str, column_type: &str, last: &str) -> SequenceUse {
    let unsigned = column_type.contains("unsigned");
    let base = column_type.split(['(', ' ']).next().unwrap_or_default();
    let bits = match base {
        "tinyint" => 8,
        "smallint" => 16,
        "mediumint" => 24,
        "int" | "integer" => 32,
        _ => 64,
    };
    let max = if unsigned {
        (1u128 << bits) - 1
    } else {
        (1u128 << (bits - 1)) - 1
    };
    let widened = if unsigned {
        "BIGINT UNSIGNED"
    } else {
        "BIGINT"
    };
    SequenceUse {
        sequence: format!("{table}.{column}"),
        column: Some(format!("{table}.{column}")),
        type_name: column_type.to_owned(),
        last_value: last.parse().unwrap_or(i64::MAX),
        max_value: i64::try_from(max).unwrap_or(i64::MAX),
        fix: format!(
            "ALTER TABLE {} MODIFY {} {widened} NOT NULL AUTO_INCREMENT;",
            quote_ident(table),
            quote_ident(column)
        ),
    }
}

/// The optimizer statistics of each InnoDB table; `None` when this user may not read them
/// (`mysql.innodb_table_stats`, InnoDB's table statistics need privileges).
fn statistics(conn: &mut Conn, mariadb: bool) -> Option<Vec<TableStatistics>> {
    let tablestats = if mariadb {
        "INNODB_SYS_TABLESTATS"
    } else {
        "INNODB_TABLESTATS"
    };
    let rows = text_rows(
        conn,
        &include_str!("queries/health_statistics.sql").replace("{tablestats}", tablestats),
    )
    .ok()?;
    let field =
        |row: &[Option<String>], i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    Some(
        rows.iter()
            .filter(|row| !is_bookkeeping_table(&field(row, 0)))
            .map(|row| TableStatistics {
                fix: format!("ANALYZE TABLE {};", quote_ident(&field(row, 0))),
                table: field(row, 0),
                analyzed: field(row, 1) == "1",
                has_rows: field(row, 2) == "1",
                modified_since_analyze: field(row, 3).parse().unwrap_or(0),
                estimated_rows: field(row, 4).parse().unwrap_or(0.0),
            })
            .collect(),
    )
}

/// MariaDB's sequences (`CREATE SEQUENCE`) that have handed out values, ascending ones that
/// do not cycle. The last value is the last one reserved: the server hands values out of a
/// cache of `cache_size` and records where the next cache starts.
fn mariadb_sequences(conn: &mut Conn) -> Result<Vec<SequenceUse>, ConnectorError> {
    let names = text_rows(
        conn,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_TYPE = 'SEQUENCE' ORDER BY 1",
    )?;
    let mut sequences = Vec::new();
    for name in names
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
    {
        let quoted = quote_ident(&name);
        let rows = text_rows(
            conn,
            &format!(
                "SELECT next_not_cached_value - 1, maximum_value FROM {quoted} \
                 WHERE increment > 0 AND cycle_option = 0 AND next_not_cached_value > start_value"
            ),
        )?;
        let Some([Some(last), Some(max)]) = rows.first().map(Vec::as_slice) else {
            continue;
        };
        sequences.push(SequenceUse {
            sequence: name.clone(),
            column: None,
            type_name: "sequence".to_owned(),
            last_value: last.parse().unwrap_or(i64::MAX),
            max_value: max.parse().unwrap_or(i64::MAX),
            // The largest MAXVALUE MariaDB takes.
            fix: format!("ALTER SEQUENCE {quoted} MAXVALUE 9223372036854775806;"),
        });
    }
    Ok(sequences)
}

/// One foreign key: the child's columns and the parent's, in order.
struct ForeignKey {
    table: String,
    parent: String,
    columns: Vec<(String, String)>,
}

/// Rows of each foreign key's table whose reference (all columns set) finds no parent row.
fn foreign_key_violations(conn: &mut Conn) -> Result<Vec<ForeignKeyViolation>, ConnectorError> {
    let mut keys: Vec<(String, ForeignKey)> = Vec::new();
    for row in text_rows(conn, include_str!("queries/health_foreign_keys.sql"))? {
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let id = format!("{}.{}", field(1), field(0));
        match keys.last_mut() {
            Some((last, key)) if *last == id => key.columns.push((field(2), field(4))),
            _ => keys.push((
                id,
                ForeignKey {
                    table: field(1),
                    parent: field(3),
                    columns: vec![(field(2), field(4))],
                },
            )),
        }
    }
    let mut primary_keys: Vec<(String, String)> = Vec::new();
    for row in text_rows(
        conn,
        "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE \
         WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY' \
         ORDER BY TABLE_NAME, ORDINAL_POSITION",
    )? {
        if let [Some(table), Some(column)] = row.as_slice() {
            primary_keys.push((table.clone(), column.clone()));
        }
    }
    let mut violations = Vec::new();
    for (_, key) in keys {
        let child = quote_ident(&key.table);
        let set: Vec<String> = key
            .columns
            .iter()
            .map(|(c, _)| format!("c.{} IS NOT NULL", quote_ident(c)))
            .collect();
        let matches: Vec<String> = key
            .columns
            .iter()
            .map(|(c, p)| format!("p.{} = c.{}", quote_ident(p), quote_ident(c)))
            .collect();
        let orphans = format!(
            "FROM {child} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
            set.join(" AND "),
            quote_ident(&key.parent),
            matches.join(" AND ")
        );
        let count = text_rows(conn, &format!("SELECT count(*) {orphans}"))?
            .first()
            .and_then(|row| row.first().cloned().flatten())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        if count == 0 {
            continue;
        }
        // The samples name rows by their primary key, else by the reference they hold.
        let mut named: Vec<&String> = primary_keys
            .iter()
            .filter(|(table, _)| *table == key.table)
            .map(|(_, column)| column)
            .collect();
        if named.is_empty() {
            named = key.columns.iter().map(|(c, _)| c).collect();
        }
        let shown: Vec<String> = named
            .iter()
            .map(|c| format!("COALESCE(CAST(c.{} AS CHAR), 'NULL')", quote_ident(c)))
            .collect();
        let order: Vec<String> = named
            .iter()
            .map(|c| format!("c.{}", quote_ident(c)))
            .collect();
        let samples = text_rows(
            conn,
            &format!(
                "SELECT CONCAT({}) {orphans} ORDER BY {} LIMIT {SAMPLE_LIMIT}",
                shown.join(", ', ', "),
                order.join(", ")
            ),
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect();
        violations.push(ForeignKeyViolation {
            table: key.table,
            parent: key.parent,
            rows: count,
            samples,
        });
    }
    Ok(violations)
}

/// What `CHECK TABLE` reports as errors, and the rows that break a CHECK constraint, one line
/// each, as SQLite's `PRAGMA integrity_check` reports both.
fn integrity_problems(conn: &mut Conn, mariadb: bool) -> Result<Vec<String>, ConnectorError> {
    let tables = text_rows(
        conn,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY 1",
    )?;
    let mut problems = Vec::new();
    for table in tables
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
    {
        if is_bookkeeping_table(&table) {
            continue;
        }
        for row in text_rows(conn, &format!("CHECK TABLE {}", quote_ident(&table)))? {
            let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
            if field(2).eq_ignore_ascii_case("error") {
                problems.push(format!("`{table}`: {}", field(3)));
            }
        }
    }
    let checks = if mariadb {
        include_str!("queries/checks_mariadb.sql")
    } else {
        include_str!("queries/checks.sql")
    };
    for row in text_rows(conn, checks)? {
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let (table, name, clause) = (field(0), field(1), field(2));
        if is_bookkeeping_table(&table) {
            continue;
        }
        let broken = text_rows(
            conn,
            &format!(
                "SELECT count(*) FROM {} WHERE NOT ({clause})",
                quote_ident(&table)
            ),
        )?
        .first()
        .and_then(|row| row.first().cloned().flatten())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
        if broken > 0 {
            problems.push(format!(
                "`{table}`: {broken} row(s) break CHECK constraint `{name}` ({clause})"
            ));
        }
    }
    Ok(problems)
}

/// The rows `check` asks about, counted with `query` (first column of each row as text).
/// MySQL's columns hold their declared type only (in strict mode): no storage class to break.
pub(crate) fn check_rows(
    check: &RowCheck<'_>,
    query: &mut TextQuery<'_>,
) -> Result<RowCheckResult, ConnectorError> {
    check.answer_in(&row_check_sql(), query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_increment_maximums_are_their_types() {
        assert_eq!(
            auto_increment("t", "id", "tinyint(4)", "121").max_value,
            127
        );
        assert_eq!(
            auto_increment("t", "id", "tinyint(3) unsigned", "1").max_value,
            255
        );
        assert_eq!(
            auto_increment("t", "id", "int(11)", "1").max_value,
            2_147_483_647
        );
        assert_eq!(
            auto_increment("t", "id", "mediumint unsigned", "1").max_value,
            16_777_215
        );
        assert_eq!(
            auto_increment("t", "id", "bigint(20) unsigned", "1").max_value,
            i64::MAX
        );
        assert_eq!(
            auto_increment("t", "id", "smallint", "1").fix,
            "ALTER TABLE `t` MODIFY `id` BIGINT NOT NULL AUTO_INCREMENT;"
        );
    }
}
