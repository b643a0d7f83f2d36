//! `migrate dev --zero-downtime` on MySQL and MariaDB: a diff split into expand, backfill,
//! validate and contract phases, so that the application versions before and after the change
//! both work between phases and every statement runs online (InnoDB's online DDL, as the
//! linter's `D47xx` rules judge it for MySQL 8 and MariaDB 10.6+).
//!
//! - Columns are added and dropped, defaults changed and enum values appended at the end with
//!   `ALGORITHM=INSTANT`; other in-place changes (a longer `VARCHAR` whose length prefix keeps
//!   its size, a column made nullable, `NOT NULL` after the backfill, indexes) with
//!   `ALGORITHM=INPLACE, LOCK=NONE`. The server refuses such a statement rather than copy the
//!   table while writes wait.
//! - Columns whose data must move (a renamed column, a type change the server makes by copying
//!   the table) get a second column kept equal by `BEFORE INSERT`/`BEFORE UPDATE` triggers while
//!   both application versions run, a batched backfill, and the old column dropped at contract.
//! - MySQL has no `NOT VALID`: a foreign key of an existing table is added at expand with
//!   `foreign_key_checks = 0` (in place, new rows checked from then on), and the rows older than
//!   it are checked at validate by a statement that fails when one has no parent row.
//! - A renamed table leaves an updatable view under its old name until contract.
//! - Every drop waits for contract: old application versions may still read what is dropped.
//!
//! What the server can only do by copying the table (a key column retyped or renamed, a primary
//! key changed, enum values removed, an `AUTO_INCREMENT` column added) is written as in the
//! single migration, with a comment saying that writes wait.
//!
//! The walk is [`drydock_connector::plan_phases`]; this file writes MySQL's statements.

use drydock_connector::{
    DoubledColumn, NotNullCheck, Phase, PhaseKind, PhaseSql, UncheckedForeignKey,
    ValuesRemovedLater, join_statements, key_of, lint_ignore, plan_phases,
};
use drydock_diff::{Change, ColumnChange, TableChange, TypeChange, made_for_foreign_key};
use drydock_schema::{
    Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexKind, ObjectName, PrimaryKey,
    SqlSchema, Table,
};

use crate::render::{self, add_foreign_key, quote, render_default, render_index_online};
use crate::types::MySqlType;

/// Only the data dictionary changes; both servers refuse rather than rebuild.
const INSTANT: &str = "ALGORITHM=INSTANT";

/// In place while reads and writes go on; both servers refuse rather than copy.
const ONLINE: &str = "ALGORITHM=INPLACE, LOCK=NONE";

/// The phases of `changes`, a diff leading to `target`; only phases with statements.
pub(crate) fn plan(changes: &[Change], target: &SqlSchema) -> Vec<Phase> {
    plan_phases::<MySqlPhases>(changes, target)
}

struct MySqlPhases;

impl PhaseSql for MySqlPhases {
    const SET_NOT_NULL_COST: &'static str = "The table is rebuilt in place while writes go on.";

    fn ident(name: &str) -> String {
        quote(name)
    }

    fn table(table: &ObjectName) -> String {
        render::table(table)
    }

    fn render(change: &Change) -> String {
        render::render_change(change)
    }

    /// DDL commits by itself on MySQL: every phase runs statement by statement.
    fn transactional(_kind: PhaseKind, _sql: &str) -> bool {
        false
    }

    /// Added columns and changes of the data dictionary only in one instant `ALTER TABLE`,
    /// other column changes in one made in place.
    fn alter_online(table: &ObjectName, changes: Vec<TableChange>) -> Vec<String> {
        let (instant, online): (Vec<TableChange>, Vec<TableChange>) =
            changes.into_iter().partition(|change| match change {
                TableChange::AlterColumn(c) => online_clause(c) == INSTANT,
                _ => true,
            });
        [(instant, INSTANT), (online, ONLINE)]
            .into_iter()
            .filter(|(changes, _)| !changes.is_empty())
            .map(|(changes, clause)| alter_with(table, changes, clause))
            .collect()
    }

    fn alter_in_place(table: &ObjectName, changes: Vec<TableChange>) -> String {
        lint_ignore(
            "mysql-copying-alter, mysql-table-rebuild",
            &alter(table, changes),
        )
    }

    /// The server drops a column instantly (MariaDB, MySQL 8.0.29+) or rebuilds the table in
    /// place while writes go on (older MySQL 8.0): no clause, so it picks the instant way where
    /// it has one.
    fn drop_columns(table: &ObjectName, drops: Vec<TableChange>) -> String {
        lint_ignore(
            "drop-column, mysql-alter-without-algorithm",
            &alter(table, drops),
        )
    }

    fn rename_column(table: &ObjectName, from: &str, to: &str) -> String {
        alter_with(
            table,
            vec![TableChange::RenameColumn {
                from: from.to_owned(),
                to: to.to_owned(),
                auto_increment: false,
            }],
            INSTANT,
        )
    }

    fn set_default(table: &ObjectName, column: &Column, nullable: bool) -> String {
        set_default(table, column, nullable)
    }

    fn set_not_null(table: &ObjectName, column: &Column, _checked: bool) -> String {
        set_not_null(table, column)
    }

    /// MySQL has no `NOT VALID`: `NOT NULL` comes after the backfill.
    fn not_null_check(_table: &ObjectName, _column: &Column) -> Option<NotNullCheck> {
        None
    }

    fn default_value(column: &Column, _default: &DefaultValue) -> String {
        render_default(column).unwrap_or_else(|| "NULL".to_owned())
    }

    fn backfill_key(column: &str) -> String {
        quote(column)
    }

    /// Enum changes are made in place or in two steps (see
    /// [`MySqlPhases::values_removed_later`]), never doubled.
    fn doubles(change: &ColumnChange) -> bool {
        copies(change) && !enum_change(change)
    }

    /// A column that would be doubled is part of a key, a primary key changes, or an
    /// `AUTO_INCREMENT` column comes: the server copies the table for each.
    fn in_place_reason(target: &SqlSchema, next: &Table, change: &TableChange) -> Option<String> {
        let table = render::table(&next.object_name());
        match change {
            TableChange::AlterColumn(c) if copies(c) => {
                let reason = if c.auto_increment_changed {
                    format!("AUTO_INCREMENT comes or goes on {}", quote(&c.to.name))
                } else if enum_change(c) {
                    return None;
                } else {
                    key_of(target, next, &c.to, quote)?
                };
                Some(format!(
                    "{reason}, so it cannot be doubled: the server changes it by copying \
                     {table}, and writes to it wait until the copy ends"
                ))
            }
            TableChange::AddPrimaryKey { .. } | TableChange::DropPrimaryKey { .. } => {
                Some(format!(
                    "the primary key of {table} changes: the server rebuilds the table, and \
                     copies it (writes waiting) when a key is dropped without another"
                ))
            }
            TableChange::AddColumn { column } if column.auto_increment => Some(format!(
                "adding the AUTO_INCREMENT column {} copies {table}, and writes to it wait until \
                 the copy ends",
                quote(&column.name)
            )),
            _ => None,
        }
    }

    /// Values appended at the end are instant; removing values copies the table, so it waits
    /// for contract (as in the single migration), and until then the column takes the added
    /// values after the old ones.
    fn values_removed_later(
        table: &ObjectName,
        change: &ColumnChange,
        interim: &Column,
    ) -> Option<ValuesRemovedLater> {
        let (before, after) = (enum_values(&change.from)?, enum_values(&change.to)?);
        if appends(&before, &after) {
            return None;
        }
        let mut kept = before.clone();
        kept.extend(after.iter().filter(|v| !before.contains(v)).cloned());
        let type_change = (kept != before).then_some(change.type_change).flatten();
        let removed = ColumnChange {
            from: with_enum(&change.to, kept.clone()),
            to: change.to.clone(),
            arity_changed: false,
            default_changed: false,
            auto_increment_changed: false,
            type_change: Some(TypeChange::RiskyCast),
            ..change.clone()
        };
        let contract = format!(
            "-- Values leave {}: the server copies the table for that, and writes to it wait \
             until the copy ends, as in the single migration.\n{}",
            quote(&change.to.name),
            lint_ignore(
                "mysql-copying-alter",
                &alter(table, vec![TableChange::AlterColumn(removed)])
            )
        );
        Some(ValuesRemovedLater {
            interim: with_enum(interim, kept),
            type_change,
            contract,
        })
    }

    /// `BEFORE INSERT` and `BEFORE UPDATE` triggers. Writes from the new side (the new column
    /// set on insert, or changed by an update) are copied to the old column; every other write
    /// copies the old column to the new one, which also fills rows not backfilled yet.
    /// Assignments convert between the columns' types as the server converts any value it
    /// stores.
    fn create_sync(doubled: &DoubledColumn<'_>) -> Vec<String> {
        let (old, new) = (quote(&doubled.old.name), quote(&doubled.new.name));
        let table = render::table(doubled.table);
        vec![
            format!(
                "CREATE TRIGGER {} BEFORE INSERT ON {table} FOR EACH ROW\nBEGIN\n  IF NEW.{new} \
                 IS NULL THEN\n    SET NEW.{new} = NEW.{old};\n  ELSE\n    SET NEW.{old} = \
                 NEW.{new};\n  END IF;\nEND",
                sync_trigger(doubled, "insert")
            ),
            format!(
                "CREATE TRIGGER {} BEFORE UPDATE ON {table} FOR EACH ROW\nBEGIN\n  IF NOT \
                 (NEW.{new} <=> OLD.{new}) THEN\n    SET NEW.{old} = NEW.{new};\n  ELSE\n    SET \
                 NEW.{new} = NEW.{old};\n  END IF;\nEND",
                sync_trigger(doubled, "update")
            ),
        ]
    }

    fn drop_sync(doubled: &DoubledColumn<'_>) -> Vec<String> {
        ["insert", "update"]
            .iter()
            .map(|event| format!("DROP TRIGGER {}", sync_trigger(doubled, event)))
            .collect()
    }

    fn backfill_doubled(doubled: &DoubledColumn<'_>) -> (String, String) {
        let (old, new) = (quote(&doubled.old.name), quote(&doubled.new.name));
        let condition = format!("{new} IS NULL AND {old} IS NOT NULL");
        (old, condition)
    }

    /// The server converts the value as it stores it.
    fn copy_back(doubled: &DoubledColumn<'_>) -> Option<String> {
        Some(quote(&doubled.new.name))
    }

    /// A full-text index is built with writes blocked whatever is asked: it is written as in
    /// the single migration, with a comment saying so.
    fn create_index_online(table: &ObjectName, index: &Index) -> String {
        let change = Change::CreateIndex {
            table: table.clone(),
            index: index.clone(),
        };
        if index.kind == IndexKind::Fulltext {
            format!(
                "-- A FULLTEXT index is built with writes to the table blocked (LOCK=SHARED at \
                 best), as in the single migration.\n{}",
                lint_ignore(
                    "mysql-fulltext-spatial-index",
                    &render::render_change(&change)
                )
            )
        } else {
            render_index_online(&change)
        }
    }

    fn drop_index_online(table: &ObjectName, index: &Index) -> String {
        render_index_online(&Change::DropIndex {
            table: table.clone(),
            index: index.clone(),
        })
    }

    /// With `foreign_key_checks = 0` InnoDB adds the key in place without reading the rows, and
    /// checks every row written from then on (the session's setting only skips the check of
    /// the rows already there).
    fn add_foreign_key_unchecked(
        target: &SqlSchema,
        table: &ObjectName,
        foreign_key: &ForeignKey,
    ) -> UncheckedForeignKey {
        let add = format!("{}, {ONLINE}", add_foreign_key(table, foreign_key));
        // Undone by hand: the index the server made for the key stays when the key goes, and a
        // schema diff leaves such an index alone.
        let name = quote(foreign_key.name.as_deref().unwrap_or_default());
        let mut undo = vec![format!(
            "ALTER TABLE {} DROP FOREIGN KEY {name}",
            render::table(table)
        )];
        let made_for_it = target
            .table(table.namespace.as_deref(), &table.name)
            .is_some_and(|t| {
                t.indexes.iter().any(|index| {
                    Some(index.name.as_str()) == foreign_key.name.as_deref()
                        && made_for_foreign_key(t, index)
                })
            });
        if made_for_it {
            undo.push(format!("DROP INDEX {name} ON {}", render::table(table)));
        }
        UncheckedForeignKey {
            add: vec![
                "SET foreign_key_checks = 0".to_owned(),
                add,
                "SET foreign_key_checks = 1".to_owned(),
            ],
            undo,
            validate: check_foreign_key(table, foreign_key),
        }
    }

    /// A primary key change copies the table: [`MySqlPhases::in_place_reason`] keeps it in
    /// place.
    fn primary_key_from_index(
        _table: &ObjectName,
        _primary_key: &PrimaryKey,
    ) -> Option<(Index, String)> {
        None
    }
}

/// A sync trigger of `event` (`insert` or `update`), named after the new column.
fn sync_trigger(doubled: &DoubledColumn<'_>, event: &str) -> String {
    quote(&format!(
        "{}_{}_sync_{event}",
        doubled.table.name, doubled.new.name
    ))
}

/// How the servers make a column's type change without copying the table, as the linter's
/// `mysql_ddl` judges it: a longer `VARCHAR` whose length prefix keeps its size (1 byte up to
/// 255 bytes, counted as `utf8mb4`) in place, enum values appended at the end instantly. `None`:
/// the table is copied.
fn online_type_change(from: &Column, to: &Column) -> Option<&'static str> {
    match (
        MySqlType::parse(&from.column_type.native)?,
        MySqlType::parse(&to.column_type.native)?,
    ) {
        (MySqlType::VarChar(n), MySqlType::VarChar(m))
            if m >= n && ((n * 4 <= 255) == (m * 4 <= 255)) =>
        {
            Some(ONLINE)
        }
        (MySqlType::Enum(before), MySqlType::Enum(after)) if appends(&before, &after) => {
            Some(INSTANT)
        }
        _ => None,
    }
}

/// Whether `after` is `before` with values appended, its storage size kept (255 values fit a
/// byte).
fn appends(before: &[String], after: &[String]) -> bool {
    after.starts_with(before) && (before.len() <= 255) == (after.len() <= 255)
}

/// The values of an enum column's type.
fn enum_values(column: &Column) -> Option<Vec<String>> {
    match MySqlType::parse(&column.column_type.native)? {
        MySqlType::Enum(values) => Some(values),
        _ => None,
    }
}

/// `column` with the enum type of `values`.
fn with_enum(column: &Column, values: Vec<String>) -> Column {
    let mut column = column.clone();
    column.column_type.native = MySqlType::Enum(values).to_prisma_sql();
    column
}

/// `ALTER TABLE` of `changes` as the single migration writes it, with the algorithm clause.
fn alter_with(table: &ObjectName, changes: Vec<TableChange>, clause: &str) -> String {
    let sql = render::render_change(&Change::AlterTable {
        table: table.clone(),
        changes,
    });
    if sql.is_empty() {
        return sql;
    }
    format!("{}, {clause};", sql.trim_end().trim_end_matches(';'))
}

fn alter(table: &ObjectName, changes: Vec<TableChange>) -> String {
    render::render_change(&Change::AlterTable {
        table: table.clone(),
        changes,
    })
}

/// A `MODIFY` from `from` to `to` with the aspects that differ.
fn modify(from: &Column, to: &Column) -> TableChange {
    TableChange::AlterColumn(ColumnChange {
        from: from.clone(),
        to: to.clone(),
        arity_changed: from.arity != to.arity,
        default_changed: from.default != to.default,
        auto_increment_changed: false,
        identity_changed: false,
        collation_changed: false,
        on_update_changed: false,
        inheritors_made_nullable: None,
        detached_partitions: Vec::new(),
        type_change: (from.column_type != to.column_type)
            .then_some(drydock_diff::TypeChange::SafeCast),
    })
}

/// `column`'s default set, for new rows, on the column as it is (nullable).
fn set_default(table: &ObjectName, column: &Column, nullable: bool) -> String {
    let with = Column {
        arity: if nullable {
            ColumnArity::Nullable
        } else {
            column.arity
        },
        ..column.clone()
    };
    let without = Column {
        default: None,
        ..with.clone()
    };
    alter_with(table, vec![modify(&without, &with)], INSTANT)
}

/// `NOT NULL` on `column`: the table is rebuilt in place while writes go on; it fails on a row
/// without a value.
fn set_not_null(table: &ObjectName, column: &Column) -> String {
    let nullable = Column {
        arity: ColumnArity::Nullable,
        ..column.clone()
    };
    let required = Column {
        arity: ColumnArity::Required,
        ..column.clone()
    };
    alter_with(table, vec![modify(&nullable, &required)], ONLINE)
}

/// Whether a column's enum type changes into another enum type.
fn enum_change(change: &ColumnChange) -> bool {
    enum_values(&change.from).is_some() && enum_values(&change.to).is_some()
}

/// Whether the server copies the table for this column change.
fn copies(change: &ColumnChange) -> bool {
    change.auto_increment_changed
        || (change.type_change.is_some() && online_type_change(&change.from, &change.to).is_none())
}

/// The clause a column change runs with: instant unless its type change is made in place or
/// the column becomes nullable (MySQL rebuilds the table for that; MariaDB does it instantly,
/// which `INPLACE` allows).
fn online_clause(change: &ColumnChange) -> &'static str {
    let type_clause = if change.type_change.is_none() {
        INSTANT
    } else {
        online_type_change(&change.from, &change.to).unwrap_or(ONLINE)
    };
    if type_clause == ONLINE || change.from.arity != change.to.arity {
        ONLINE
    } else {
        INSTANT
    }
}

/// A statement failing when a row of `table` breaks `foreign_key` (added without checking the
/// rows already there): the count of rows without their parent goes into a temporary table that
/// only takes 0.
fn check_foreign_key(table: &ObjectName, foreign_key: &ForeignKey) -> String {
    let child = |column: &String| format!("`child`.{}", quote(column));
    let set: Vec<String> = foreign_key
        .columns
        .iter()
        .map(|c| format!("{} IS NOT NULL", child(c)))
        .collect();
    let matches: Vec<String> = foreign_key
        .columns
        .iter()
        .zip(&foreign_key.referenced_columns)
        .map(|(c, p)| format!("`parent`.{} = {}", quote(p), child(c)))
        .collect();
    let check_table = quote("_drydock_orphan_check");
    format!(
        "-- Rows older than {} were not checked when it was added: this fails (constraint \
         `no_row_without_parent`) while one has no parent row. `drydock check` lists them.\n{}",
        quote(foreign_key.name.as_deref().unwrap_or_default()),
        join_statements(&[
            format!(
                "CREATE TEMPORARY TABLE {check_table} (`orphans` BIGINT NOT NULL, CONSTRAINT \
                 `no_row_without_parent` CHECK (`orphans` = 0))"
            ),
            format!(
                "INSERT INTO {check_table} SELECT count(*) FROM {} AS `child` WHERE {} AND NOT \
                 EXISTS (SELECT 1 FROM {} AS `parent` WHERE {})",
                render::table(table),
                set.join(" AND "),
                render::table(&foreign_key.referenced_table),
                matches.join(" AND ")
            ),
            format!("DROP TEMPORARY TABLE {check_table}"),
        ])
    )
}

#[cfg(test)]
mod tests {
    use super::appends;

    #[test]
    fn appended_values_keep_the_storage_size() {
        let values = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        assert!(appends(&values(2), &values(3)));
        assert!(!appends(&values(3), &values(2)));
        assert!(!appends(&values(255), &values(256)));
    }
}
