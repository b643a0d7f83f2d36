//! The `cleanup` of a `[[rules]]` entry (`drydock.toml`): the rows its `where` selects, deleted
//! or updated with its `SET` list by `drydock cleanup --apply`, archived first like orphans.
//! Statements name the table unaliased, as the rule's `where` may (`"Order".id`).

use drydock_connector::{ArchivedColumn, CleanupSql, Connection, ConnectorError};
use drydock_schema::{ObjectName, SqlSchema};
use serde::Serialize;

use crate::check::{CleanupAction, Rule};
use crate::cleanup_error::CleanupError;
use crate::orphans::{SAMPLES, describe_key, display_name, key_of};

/// A rule with a cleanup, ready to run on its live table.
#[derive(Debug, Clone)]
pub(crate) struct RulePlan {
    pub(crate) rule: Rule,
    pub(crate) action: CleanupAction,
    pub(crate) table: ObjectName,
    /// The table's primary key (else its first unique index).
    pub(crate) key: Vec<String>,
    /// Every column of the table as the archive holds a row (generated columns left out).
    pub(crate) columns: Vec<ArchivedColumn>,
}

/// A rule's rows, as a dry run reports them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOutcome {
    pub rule: String,
    pub table: String,
    pub action: CleanupAction,
    /// The statement the cleanup amounts to (it runs in batches).
    pub statement: String,
    /// Rows the rule's `where` selects at the start.
    pub rows: u64,
    /// Up to [`SAMPLES`] keys of them, as `column=value`.
    pub samples: Vec<String>,
    /// Rows deleted or updated by this run.
    pub affected: u64,
}

/// Plans for the `rules` that carry a cleanup; a rule whose table is missing or has no key
/// stops the cleanup before anything changes.
pub(crate) fn plan(
    sql: &dyn CleanupSql,
    schema: &SqlSchema,
    rules: &[Rule],
) -> Result<Vec<RulePlan>, CleanupError> {
    let mut plans = Vec::new();
    for rule in rules {
        let Some(action) = rule.cleanup.clone() else {
            continue;
        };
        let (namespace, name) = match rule.table.split_once('.') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, rule.table.as_str()),
        };
        let unusable = |reason: String| CleanupError::RuleUnusable {
            rule: rule.name.clone(),
            reason,
        };
        let table = schema
            .table(namespace, name)
            .ok_or_else(|| unusable(format!("the database has no table `{}`", rule.table)))?;
        let key = key_of(table).ok_or_else(|| {
            unusable(format!(
                "table `{}` has no primary key or unique index to archive its rows by",
                rule.table
            ))
        })?;
        plans.push(RulePlan {
            rule: rule.clone(),
            action,
            table: ObjectName::new(table.namespace.clone(), table.name.clone()),
            key,
            columns: table
                .columns
                .iter()
                .filter(|c| c.generated.is_none())
                .map(|c| ArchivedColumn {
                    name: c.name.clone(),
                    hex: sql.archived_as_hex(c),
                })
                .collect(),
        });
    }
    Ok(plans)
}

impl RulePlan {
    pub(crate) fn table_sql(&self, sql: &dyn CleanupSql) -> String {
        sql.table(&self.table)
    }

    fn keys(&self, sql: &dyn CleanupSql) -> Vec<String> {
        let table = self.table_sql(sql);
        self.key
            .iter()
            .map(|k| format!("{table}.{}", sql.quote(k)))
            .collect()
    }

    fn key_columns(&self) -> Vec<ArchivedColumn> {
        self.key
            .iter()
            .filter_map(|k| self.columns.iter().find(|c| &c.name == k).cloned())
            .collect()
    }

    /// The columns the archive holds per row: all of them (a delete puts them back, an update
    /// sets them back).
    pub(crate) fn changed_columns(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|c| !self.key.contains(&c.name))
            .map(|c| c.name.clone())
            .collect()
    }

    fn selected(&self) -> String {
        format!("({})", self.rule.predicate)
    }

    /// Up to `limit` selected rows' keys in key order, locked.
    fn picked(&self, sql: &dyn CleanupSql, limit: u64) -> String {
        format!(
            "SELECT {keys} FROM {table} WHERE {selected} ORDER BY {keys} LIMIT {limit}{lock}",
            keys = self.keys(sql).join(", "),
            table = self.table_sql(sql),
            selected = self.selected(),
            lock = sql.lock_rows()
        )
    }

    /// A batch deleting up to `limit` selected rows, returning each as JSON.
    pub(crate) fn delete_batch(&self, sql: &dyn CleanupSql, limit: u64) -> String {
        let keys = self.keys(sql);
        let list = if keys.len() == 1 {
            keys[0].clone()
        } else {
            format!("({})", keys.join(", "))
        };
        format!(
            "DELETE FROM {table} WHERE {picked} AND {selected} RETURNING {json}",
            table = self.table_sql(sql),
            picked = sql.key_in(&list, keys.len() > 1, &self.picked(sql, limit)),
            selected = self.selected(),
            json = sql.row_json(&self.table_sql(sql), true, &self.columns),
        )
    }

    /// Reads (and locks) up to `limit` selected rows whole, as JSON, before an update.
    pub(crate) fn update_select(&self, sql: &dyn CleanupSql, limit: u64) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {limit}{}",
            sql.row_json(&self.table_sql(sql), false, &self.columns),
            self.table_sql(sql),
            self.selected(),
            self.keys(sql).join(", "),
            sql.lock_rows()
        )
    }

    /// How many rows `condition` names that the rule still selects (after an update).
    pub(crate) fn still_selected(&self, sql: &dyn CleanupSql, condition: &str) -> String {
        format!(
            "SELECT count(*) FROM {} WHERE ({condition}) AND {}",
            self.table_sql(sql),
            self.selected()
        )
    }

    pub(crate) fn statement(&self, sql: &dyn CleanupSql) -> String {
        self.action
            .statement(&self.table_sql(sql), &self.rule.predicate)
    }

    /// Count the rule's rows and read sample keys.
    pub(crate) fn count(
        &self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
    ) -> Result<RuleOutcome, ConnectorError> {
        let rows = conn
            .query_texts(&format!(
                "SELECT count(*) FROM {} WHERE {}",
                self.table_sql(sql),
                self.selected()
            ))?
            .first()
            .cloned()
            .flatten()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let samples = if rows > 0 {
            conn.query_texts(&format!(
                "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {SAMPLES}",
                sql.row_json(&self.table_sql(sql), false, &self.key_columns()),
                self.table_sql(sql),
                self.selected(),
                self.keys(sql).join(", ")
            ))?
            .into_iter()
            .flatten()
            .map(|json| describe_key(&json))
            .collect()
        } else {
            Vec::new()
        };
        Ok(RuleOutcome {
            rule: self.rule.name.clone(),
            table: display_name(&self.table),
            action: self.action.clone(),
            statement: self.statement(sql),
            rows,
            samples,
            affected: 0,
        })
    }
}
