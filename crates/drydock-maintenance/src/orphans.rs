//! Orphans: rows whose reference (every column of it set) finds no row in the table it
//! references. Found through the datamodel's relations ([`Relation`]), so a database without
//! foreign keys (`relationMode = "prisma"`), or one whose foreign keys let rows in unchecked
//! (`NOT VALID`, triggers off), is searched the same way.

use drydock_connector::{ArchivedColumn, CleanupSql, Connection, ConnectorError};
use drydock_schema::{ObjectName, ReferentialAction, Relation, SqlSchema, Table};
use serde::Serialize;

use crate::finding::{Finding, ObjectRef, Severity};

/// The finding code of a relation with orphaned rows.
pub const ORPHANS: &str = "D6101";
/// The finding code of a relation the database cannot be searched for (a table or column of
/// it is missing).
pub const RELATION_MISSING: &str = "D6102";
/// Sample keys shown per relation.
pub const SAMPLES: usize = 5;

/// Aliases in every statement.
pub(crate) const CHILD: &str = "drydock_child";
const PARENT: &str = "drydock_parent";
const INNER: &str = "drydock_inner";

/// A relation ready to be searched: its tables and the columns that name a row of the child.
#[derive(Debug, Clone)]
pub(crate) struct RelationPlan {
    pub(crate) relation: Relation,
    /// The child's primary key (else its first unique index of plain columns, else the
    /// reference columns, which all orphans sharing a value share).
    pub(crate) key: Vec<String>,
    /// Whether `key` names one row.
    pub(crate) key_unique: bool,
    /// The child's columns as the archive holds a deleted row (generated columns left out).
    pub(crate) columns: Vec<ArchivedColumn>,
    /// Depth of the child table under the tables it references (parents first).
    pub(crate) depth: usize,
    /// Whether batches can go on after the last key of the batch before ([`Self::after`]):
    /// every orphan has a key (its columns required, or the reference's own) that compares
    /// as written in the archive (no hexadecimal text).
    pub(crate) keyset: bool,
}

/// A relation's orphans, as a dry run reports them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrphanCount {
    pub relation: String,
    pub table: String,
    pub columns: Vec<String>,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: String,
    pub required: bool,
    /// A foreign key backs the relation in the datamodel (`relationMode = "foreignKeys"`).
    pub enforced: bool,
    pub orphans: u64,
    /// Up to [`SAMPLES`] keys of orphaned rows, as `column=value` (joined with `, `).
    pub samples: Vec<String>,
}

impl OrphanCount {
    /// The finding `drydock check` reports for it, `None` without orphans.
    pub fn finding(&self) -> Option<Finding> {
        (self.orphans > 0).then(|| Finding {
            code: ORPHANS.to_owned(),
            severity: Severity::Warning,
            title: format!(
                "{} rows of {} reference no row of {} (relation {})",
                self.orphans, self.table, self.referenced_table, self.relation
            ),
            objects: vec![
                ObjectRef {
                    kind: "table".to_owned(),
                    name: self.table.clone(),
                },
                ObjectRef {
                    kind: "relation".to_owned(),
                    name: self.relation.clone(),
                },
            ],
            detail: Some(format!(
                "{} -> {}({}), onDelete {}{}; e.g. {}",
                self.columns.join(", "),
                self.referenced_table,
                self.referenced_columns.join(", "),
                self.on_delete,
                if self.enforced {
                    ""
                } else {
                    ", no foreign key"
                },
                self.samples.join("; ")
            )),
            fix: Some(format!(
                "drydock cleanup --only {} (a dry run; --apply archives and removes them)",
                self.relation
            )),
        })
    }
}

pub(crate) fn display_name(name: &ObjectName) -> String {
    match &name.namespace {
        Some(namespace) => format!("{namespace}.{}", name.name),
        None => name.name.clone(),
    }
}

pub(crate) fn action_name(action: ReferentialAction) -> &'static str {
    match action {
        ReferentialAction::Cascade => "Cascade",
        ReferentialAction::Restrict => "Restrict",
        ReferentialAction::NoAction => "NoAction",
        ReferentialAction::SetNull => "SetNull",
        ReferentialAction::SetDefault => "SetDefault",
    }
}

fn find_table<'a>(schema: &'a SqlSchema, name: &ObjectName) -> Option<&'a Table> {
    schema.table(name.namespace.as_deref(), &name.name)
}

/// Plans for `relations` in the live `schema`, parents before children; the relations that
/// cannot be searched come back as [`RELATION_MISSING`] findings.
pub(crate) fn plan(
    sql: &dyn CleanupSql,
    schema: &SqlSchema,
    relations: &[Relation],
) -> (Vec<RelationPlan>, Vec<Finding>) {
    let mut plans = Vec::new();
    let mut findings = Vec::new();
    for relation in relations {
        let child = find_table(schema, &relation.table);
        let parent = find_table(schema, &relation.referenced_table);
        let missing = match (child, parent) {
            (None, _) => Some(format!(
                "table {} is missing",
                display_name(&relation.table)
            )),
            (_, None) => Some(format!(
                "table {} is missing",
                display_name(&relation.referenced_table)
            )),
            (Some(child), Some(parent)) => relation
                .columns
                .iter()
                .find(|c| child.column(c).is_none())
                .map(|c| format!("column {}.{c} is missing", child.name))
                .or_else(|| {
                    relation
                        .referenced_columns
                        .iter()
                        .find(|c| parent.column(c).is_none())
                        .map(|c| format!("column {}.{c} is missing", parent.name))
                }),
        };
        if let Some(reason) = missing {
            findings.push(Finding {
                code: RELATION_MISSING.to_owned(),
                severity: Severity::Warning,
                title: format!(
                    "relation {} cannot be searched for orphans: {reason}",
                    relation.name
                ),
                objects: vec![ObjectRef {
                    kind: "relation".to_owned(),
                    name: relation.name.clone(),
                }],
                detail: None,
                fix: Some("drydock migrate status (the database is behind the schema)".to_owned()),
            });
            continue;
        }
        let Some(child) = child else { continue };
        let (key, key_unique) =
            key_of(child).map_or_else(|| (relation.columns.clone(), false), |k| (k, true));
        let keyset = keyset_allowed(sql, child, &key, &relation.columns);
        let columns = archived_columns(sql, child);
        plans.push(RelationPlan {
            relation: relation.clone(),
            key,
            key_unique,
            columns,
            depth: 0,
            keyset,
        });
    }
    // Parents first: deleting a parent's orphans orphans its own children, which later
    // relations then find in the same pass. Bounded: a cycle stops deepening.
    for _ in 0..plans.len() {
        let mut changed = false;
        for index in 0..plans.len() {
            let parent = &plans[index].relation.referenced_table;
            let depth = plans
                .iter()
                .filter(|p| &p.relation.table == parent)
                .map(|p| p.depth + 1)
                .max()
                .unwrap_or(0);
            if depth > plans[index].depth && depth <= plans.len() {
                plans[index].depth = depth;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    plans.sort_by_key(|p| p.depth);
    (plans, findings)
}

/// Whether batches over `table` in `key` order can go on after the last key of the batch
/// before: every row has a key (its columns required, or among `set`, which the batches'
/// condition requires set) that compares as written in the archive (no hexadecimal text).
pub(crate) fn keyset_allowed(
    sql: &dyn CleanupSql,
    table: &Table,
    key: &[String],
    set: &[String],
) -> bool {
    key.iter().all(|k| {
        table.column(k).is_some_and(|c| {
            c.generated.is_none() && !sql.archived_as_hex(c) && (c.is_required() || set.contains(k))
        })
    })
}

/// The `key` of `row` (a row of a batch, as JSON) as SQL: one literal, or a row of them. Any
/// row of a batch will do as the bound of the next, as all selected rows up to the greatest
/// key of it are done; the last row returned is the greatest as the databases return them (in
/// key order). `None` when `row` lacks a key value or holds one that may not read back exactly
/// (a number with a fraction).
pub(crate) fn key_literal(sql: &dyn CleanupSql, key: &[String], row: &str) -> Option<String> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(row).ok()?;
    let values = key
        .iter()
        .map(|k| match map.get(k) {
            None | Some(serde_json::Value::Null) => None,
            // A fraction read as a float may round up past keys not yet done.
            Some(serde_json::Value::Number(n)) if n.is_f64() => None,
            Some(value) => Some(json_literal(sql, value)),
        })
        .collect::<Option<Vec<String>>>()?;
    Some(if values.len() == 1 {
        values.join("")
    } else {
        format!("({})", values.join(", "))
    })
}

/// The columns of `table` as the archive holds a row of it (generated columns left out: the
/// database computes them again on restore).
pub(crate) fn archived_columns(sql: &dyn CleanupSql, table: &Table) -> Vec<ArchivedColumn> {
    table
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| ArchivedColumn {
            name: c.name.clone(),
            hex: sql.archived_as_hex(c),
        })
        .collect()
}

/// The primary key's columns, else the first unique index's (plain columns only).
pub(crate) fn key_of(table: &Table) -> Option<Vec<String>> {
    if let Some(pk) = &table.primary_key
        && !pk.columns.is_empty()
        && pk.columns.iter().all(|c| c.expression.is_none())
    {
        return Some(pk.columns.iter().map(|c| c.name.clone()).collect());
    }
    table
        .indexes
        .iter()
        .find(|i| {
            i.kind == drydock_schema::IndexKind::Unique
                && i.predicate.is_none()
                && i.columns.iter().all(|c| c.expression.is_none())
        })
        .map(|i| i.columns.iter().map(|c| c.name.clone()).collect())
}

impl RelationPlan {
    pub(crate) fn child(&self, sql: &dyn CleanupSql) -> String {
        sql.table(&self.relation.table)
    }

    pub(crate) fn key_list(&self, sql: &dyn CleanupSql, alias: &str) -> String {
        let keys: Vec<String> = self
            .key
            .iter()
            .map(|k| format!("{alias}.{}", sql.quote(k)))
            .collect();
        if keys.len() == 1 {
            keys.join("")
        } else {
            format!("({})", keys.join(", "))
        }
    }

    pub(crate) fn order_by(&self, sql: &dyn CleanupSql, alias: &str) -> String {
        self.key
            .iter()
            .map(|k| format!("{alias}.{}", sql.quote(k)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The rows of the child aliased `alias` whose reference is set and finds no parent.
    pub(crate) fn orphan_condition(&self, sql: &dyn CleanupSql, alias: &str) -> String {
        let relation = &self.relation;
        let set: Vec<String> = relation
            .columns
            .iter()
            .map(|c| format!("{alias}.{} IS NOT NULL", sql.quote(c)))
            .collect();
        let matches: Vec<String> = relation
            .columns
            .iter()
            .zip(&relation.referenced_columns)
            .map(|(c, r)| format!("{PARENT}.{} = {alias}.{}", sql.quote(r), sql.quote(c)))
            .collect();
        format!(
            "{} AND NOT EXISTS (SELECT 1 FROM {} AS {PARENT} WHERE {})",
            set.join(" AND "),
            sql.table(&relation.referenced_table),
            matches.join(" AND ")
        )
    }

    pub(crate) fn count_query(&self, sql: &dyn CleanupSql) -> String {
        format!(
            "SELECT count(*) FROM {} AS {CHILD} WHERE {}",
            self.child(sql),
            self.orphan_condition(sql, CHILD)
        )
    }

    fn key_columns(&self) -> Vec<ArchivedColumn> {
        self.key
            .iter()
            .map(|k| {
                self.columns
                    .iter()
                    .find(|c| &c.name == k)
                    .cloned()
                    .unwrap_or(ArchivedColumn {
                        name: k.clone(),
                        hex: false,
                    })
            })
            .collect()
    }

    fn sample_query(&self, sql: &dyn CleanupSql) -> String {
        format!(
            "SELECT {} FROM {} AS {CHILD} WHERE {} ORDER BY {} LIMIT {SAMPLES}",
            sql.row_json(CHILD, false, &self.key_columns()),
            self.child(sql),
            self.orphan_condition(sql, CHILD),
            self.order_by(sql, CHILD)
        )
    }

    /// A batch deleting up to `limit` orphans (with keys after `after`, see
    /// [`Self::last_key`]), returning each deleted row as JSON. The outer statement checks each
    /// row again: the inner one locked it, and it may have changed since it was read.
    pub(crate) fn delete_batch(
        &self,
        sql: &dyn CleanupSql,
        limit: u64,
        after: Option<&str>,
    ) -> String {
        let picked = format!(
            "SELECT {inner_keys} FROM {child} AS {INNER} WHERE {inner}{after} ORDER BY {order} \
             LIMIT {limit}{lock}",
            child = self.child(sql),
            inner_keys = self.order_by(sql, INNER),
            inner = self.orphan_condition(sql, INNER),
            after = self.after(sql, INNER, after),
            order = self.order_by(sql, INNER),
            lock = sql.lock_rows(),
        );
        format!(
            "DELETE FROM {child} AS {CHILD} WHERE {picked} AND {outer} RETURNING {json}",
            child = self.child(sql),
            picked = sql.key_in(&self.key_list(sql, CHILD), self.key.len() > 1, &picked),
            outer = self.orphan_condition(sql, CHILD),
            json = sql.row_json(CHILD, true, &self.columns),
        )
    }

    /// The key of `row` (a row of a batch, as JSON) as SQL, for the next batch to start after
    /// ([`Self::after`]); `None` when the plan does not allow it (see [`key_literal`]).
    pub(crate) fn last_key(&self, sql: &dyn CleanupSql, row: &str) -> Option<String> {
        self.keyset
            .then(|| key_literal(sql, &self.key, row))
            .flatten()
    }

    /// ` AND` the key of the row aliased `alias` greater than `last` ([`Self::last_key`]), in
    /// the order batches take rows in; nothing without `last`.
    fn after(&self, sql: &dyn CleanupSql, alias: &str, last: Option<&str>) -> String {
        last.map(|last| format!(" AND {} > {last}", self.key_list(sql, alias)))
            .unwrap_or_default()
    }

    /// The key and reference columns a `SetNull` batch archives.
    pub(crate) fn set_null_columns(&self) -> Vec<ArchivedColumn> {
        let mut columns = self.key_columns();
        for c in &self.relation.columns {
            if !self.key.contains(c) {
                columns.push(
                    self.columns
                        .iter()
                        .find(|a| &a.name == c)
                        .cloned()
                        .unwrap_or(ArchivedColumn {
                            name: c.clone(),
                            hex: false,
                        }),
                );
            }
        }
        columns
    }

    /// Reads (and locks) up to `limit` orphans' `columns` (with keys after `after`, see
    /// [`Self::last_key`]), as JSON, in key order: the key and reference values before a
    /// `SetNull` batch, whole rows before a delete where [`CleanupSql::deletes_returning`] is
    /// false.
    pub(crate) fn select_locked(
        &self,
        sql: &dyn CleanupSql,
        columns: &[ArchivedColumn],
        limit: u64,
        after: Option<&str>,
    ) -> String {
        format!(
            "SELECT {} FROM {} AS {CHILD} WHERE {}{} ORDER BY {} LIMIT {limit}{}",
            sql.row_json(CHILD, false, columns),
            self.child(sql),
            self.orphan_condition(sql, CHILD),
            self.after(sql, CHILD, after),
            self.order_by(sql, CHILD),
            sql.lock_rows()
        )
    }
}

/// `value` of a JSON row as an SQL literal (`NULL`, or text the database converts to the
/// column's type).
pub(crate) fn json_literal(sql: &dyn CleanupSql, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "NULL".to_owned(),
        serde_json::Value::String(text) => sql.literal(text),
        serde_json::Value::Bool(b) => sql.literal(if *b { "true" } else { "false" }),
        other => sql.literal(&other.to_string()),
    }
}

/// `col=value` pairs of a JSON object, for people.
pub(crate) fn describe_key(json: &str) -> String {
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
        Ok(map) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(_) => json.to_owned(),
    }
}

/// The number `query` (a `SELECT count(*)`) answers.
pub(crate) fn count_rows(conn: &mut dyn Connection, query: &str) -> Result<u64, ConnectorError> {
    Ok(conn
        .query_texts(query)?
        .first()
        .cloned()
        .flatten()
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(0))
}

/// The sample keys `query` reads (rows of key columns as JSON), for people; none to read
/// when `rows` is 0.
pub(crate) fn samples(
    conn: &mut dyn Connection,
    rows: u64,
    query: &str,
) -> Result<Vec<String>, ConnectorError> {
    if rows == 0 {
        return Ok(Vec::new());
    }
    Ok(conn
        .query_texts(query)?
        .into_iter()
        .flatten()
        .map(|json| describe_key(&json))
        .collect())
}

/// Count each planned relation's orphans and read sample keys.
pub(crate) fn count(
    conn: &mut dyn Connection,
    sql: &dyn CleanupSql,
    plan: &RelationPlan,
) -> Result<OrphanCount, ConnectorError> {
    let orphans = count_rows(conn, &plan.count_query(sql))?;
    let samples = samples(conn, orphans, &plan.sample_query(sql))?;
    let relation = &plan.relation;
    Ok(OrphanCount {
        relation: relation.name.clone(),
        table: display_name(&relation.table),
        columns: relation.columns.clone(),
        referenced_table: display_name(&relation.referenced_table),
        referenced_columns: relation.referenced_columns.clone(),
        on_delete: action_name(relation.on_delete).to_owned(),
        required: relation.required,
        enforced: relation.enforced,
        orphans,
        samples,
    })
}

/// Every relation's orphans in the database `conn` is open on, for `drydock check`: one
/// [`ORPHANS`] finding per relation with orphans, one [`RELATION_MISSING`] finding per relation
/// whose tables or columns the database lacks.
pub fn orphan_findings(
    conn: &mut dyn Connection,
    sql: &dyn CleanupSql,
    namespaces: &[String],
    relations: &[Relation],
) -> Result<Vec<Finding>, ConnectorError> {
    let schema = conn.introspect(namespaces)?;
    let (plans, mut findings) = plan(sql, &schema, relations);
    for plan in &plans {
        findings.extend(count(conn, sql, plan)?.finding());
    }
    Ok(findings)
}
