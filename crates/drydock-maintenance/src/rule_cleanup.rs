//! The `cleanup` of a `[[rules]]` entry (`drydock.toml`): the rows its `where` selects, deleted
//! or updated with its `SET` list by `drydock cleanup --apply`, archived first like orphans.
//! Statements name the table unaliased, as the rule's `where` may (`"Order".id`).

use drydock_connector::{ArchivedColumn, CleanupSql, Connection, ConnectorError};
use drydock_schema::{ObjectName, SqlSchema};
use serde::Serialize;

use crate::check::{CleanupAction, Rule};
use crate::cleanup_error::CleanupError;
use crate::orphans::{
    SAMPLES, archived_columns, count_rows, display_name, key_literal, key_of, keyset_allowed,
    samples,
};

/// A rule with a cleanup, ready to run on its live table.
#[derive(Debug, Clone)]
pub(crate) struct RulePlan {
    pub(crate) rule: Rule,
    pub(crate) action: CleanupAction,
    pub(crate) table: ObjectName,
    /// The table's primary key (else its first unique index).
    pub(crate) key: Vec<String>,
    /// Whether batches go on after the last key of the batch before
    /// ([`crate::orphans::keyset_allowed`]).
    pub(crate) keyset: bool,
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
            keyset: keyset_allowed(sql, table, &key, &[]),
            key,
            columns: archived_columns(sql, table),
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

    /// The key of `row` (a row of a batch, as JSON) for the next batch to start after.
    pub(crate) fn last_key(&self, sql: &dyn CleanupSql, row: &str) -> Option<String> {
        self.keyset
            .then(|| key_literal(sql, &self.key, row))
            .flatten()
    }

    /// The rule's `where`, and the key after `after` ([`Self::last_key`]).
    fn selected_after(&self, sql: &dyn CleanupSql, after: Option<&str>) -> String {
        let keys = self.keys(sql);
        match after {
            Some(last) if keys.len() == 1 => {
                format!("{} AND {} > {last}", self.selected(), keys[0])
            }
            Some(last) => format!("{} AND ({}) > {last}", self.selected(), keys.join(", ")),
            None => self.selected(),
        }
    }

    /// Up to `limit` selected rows' keys (after `after`) in key order, locked.
    fn picked(&self, sql: &dyn CleanupSql, limit: u64, after: Option<&str>) -> String {
        format!(
            "SELECT {keys} FROM {table} WHERE {selected} ORDER BY {keys} LIMIT {limit}{lock}",
            keys = self.keys(sql).join(", "),
            table = self.table_sql(sql),
            selected = self.selected_after(sql, after),
            lock = sql.lock_rows()
        )
    }

    /// A batch deleting up to `limit` selected rows (after `after`), returning each as JSON.
    pub(crate) fn delete_batch(
        &self,
        sql: &dyn CleanupSql,
        limit: u64,
        after: Option<&str>,
    ) -> String {
        let keys = self.keys(sql);
        let list = if keys.len() == 1 {
            keys[0].clone()
        } else {
            format!("({})", keys.join(", "))
        };
        format!(
            "DELETE FROM {table} WHERE {picked} AND {selected} RETURNING {json}",
            table = self.table_sql(sql),
            picked = sql.key_in(&list, keys.len() > 1, &self.picked(sql, limit, after)),
            selected = self.selected(),
            json = sql.row_json(&self.table_sql(sql), true, &self.columns),
        )
    }

    /// Reads (and locks) up to `limit` selected rows (after `after`) whole, as JSON, in key
    /// order, before an update.
    pub(crate) fn update_select(
        &self,
        sql: &dyn CleanupSql,
        limit: u64,
        after: Option<&str>,
    ) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {limit}{}",
            sql.row_json(&self.table_sql(sql), false, &self.columns),
            self.table_sql(sql),
            self.selected_after(sql, after),
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
        let rows = count_rows(
            conn,
            &format!(
                "SELECT count(*) FROM {} WHERE {}",
                self.table_sql(sql),
                self.selected()
            ),
        )?;
        let samples = samples(
            conn,
            rows,
            &format!(
                "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {SAMPLES}",
                sql.row_json(&self.table_sql(sql), false, &self.key_columns()),
                self.table_sql(sql),
                self.selected(),
                self.keys(sql).join(", ")
            ),
        )?;
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
