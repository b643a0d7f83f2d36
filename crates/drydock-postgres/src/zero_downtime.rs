//! `migrate dev --zero-downtime` on PostgreSQL: a diff split into expand, backfill, validate
//! and contract phases, so that the application versions before and after the change both
//! work between phases and no statement holds a lock that blocks writes for longer than a
//! catalog update.
//!
//! - Columns whose data must move (a renamed column, a type change that rewrites the table) get
//!   a second column kept equal by a trigger while both application versions run, a batched
//!   backfill, and the old column dropped at contract.
//! - `NOT NULL` comes from a `CHECK ... NOT VALID` validated later: `SET NOT NULL` then uses the
//!   validated check instead of scanning (PostgreSQL 12+).
//! - Foreign keys are added `NOT VALID` and validated later; indexes on existing tables are
//!   built and dropped `CONCURRENTLY`.
//! - A renamed table leaves an updatable view under its old name until contract.
//! - Every drop waits for contract: old application versions may still read what is dropped.
//!
//! The walk is [`drydock_connector::plan_phases`]; this file writes PostgreSQL's statements.

use drydock_connector::{
    DoubledColumn, NotNullCheck, Phase, PhaseKind, PhaseSql, UncheckedForeignKey,
    ValuesRemovedLater, join_statements, key_of, lint_ignore, plan_phases,
};
use drydock_diff::{Change, ColumnChange, DiffHooks, TableChange, TypeChange};
use drydock_schema::{
    Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexKind, ObjectName, PrimaryKey,
    SqlSchema, Table,
};

use crate::diff_hooks::PostgresDiffHooks;
use crate::render::{
    self, add_foreign_key, create_index_concurrently, drop_index_concurrently, ident, object,
    plain_column_type, qualified, render_default,
};

/// The phases of `changes`, a diff leading to `target`; only phases with statements.
pub(crate) fn plan(changes: &[Change], target: &SqlSchema) -> Vec<Phase> {
    plan_phases::<PostgresPhases>(changes, target)
}

struct PostgresPhases;

impl PhaseSql for PostgresPhases {
    const SET_NOT_NULL_COST: &'static str = "Setting NOT NULL scans the table.";

    fn ident(name: &str) -> String {
        ident(name)
    }

    fn table(table: &ObjectName) -> String {
        object(table)
    }

    fn render(change: &Change) -> String {
        render::render_change(change)
    }

    fn transactional(kind: PhaseKind, sql: &str) -> bool {
        kind != PhaseKind::Backfill && render::needs_no_transaction(sql).is_none()
    }

    fn alter_online(table: &ObjectName, changes: Vec<TableChange>) -> Vec<String> {
        if changes.is_empty() {
            return Vec::new();
        }
        vec![alter(table, changes)]
    }

    fn alter_in_place(table: &ObjectName, changes: Vec<TableChange>) -> String {
        alter(table, changes)
    }

    fn drop_columns(table: &ObjectName, drops: Vec<TableChange>) -> String {
        lint_ignore("drop-column", &alter(table, drops))
    }

    fn rename_column(table: &ObjectName, from: &str, to: &str) -> String {
        alter(
            table,
            vec![TableChange::RenameColumn {
                from: from.to_owned(),
                to: to.to_owned(),
                auto_increment: false,
            }],
        )
    }

    fn set_default(table: &ObjectName, column: &Column, _nullable: bool) -> String {
        set_default(table, column)
    }

    fn set_not_null(table: &ObjectName, column: &Column, checked: bool) -> String {
        let sql = set_not_null(table, column);
        if checked {
            lint_ignore("set-not-null-without-check", &sql)
        } else {
            sql
        }
    }

    /// A `CHECK ... NOT VALID`: once validated, `SET NOT NULL` uses it instead of scanning
    /// (PostgreSQL 12+).
    fn not_null_check(table: &ObjectName, column: &Column) -> Option<NotNullCheck> {
        let check = ident(&format!("{}_{}_not_null", table.name, column.name));
        Some(NotNullCheck {
            add: format!(
                "ALTER TABLE {} ADD CONSTRAINT {check} CHECK ({} IS NOT NULL) NOT VALID",
                object(table),
                ident(&column.name)
            ),
            validate: format!("ALTER TABLE {} VALIDATE CONSTRAINT {check}", object(table)),
            drop: format!("ALTER TABLE {} DROP CONSTRAINT {check}", object(table)),
        })
    }

    fn default_value(column: &Column, default: &DefaultValue) -> String {
        render_default(default, &plain_column_type(column))
    }

    fn backfill_key(column: &str) -> String {
        directive_key(column)
    }

    fn doubles(change: &ColumnChange) -> bool {
        change.type_change.is_some() && rewrites(&change.from, &change.to)
    }

    fn in_place_reason(target: &SqlSchema, next: &Table, change: &TableChange) -> Option<String> {
        let TableChange::AlterColumn(c) = change else {
            return None;
        };
        if !Self::doubles(c) {
            return None;
        }
        let reason = if (c.from.arity == ColumnArity::List) != (c.to.arity == ColumnArity::List) {
            format!("{} becomes or stops being a list", ident(&c.to.name))
        } else if c.from.auto_increment {
            format!("{} is auto-incremented", ident(&c.to.name))
        } else {
            key_of(target, next, &c.to, ident)?
        };
        Some(format!(
            "{reason}, so it cannot be doubled: it is retyped in place, which locks {} while the \
             table is rewritten",
            object(&next.object_name())
        ))
    }

    /// Enum types are types of their own here: values leave them through `AlterEnum`.
    fn values_removed_later(
        _table: &ObjectName,
        _change: &ColumnChange,
        _interim: &Column,
    ) -> Option<ValuesRemovedLater> {
        None
    }

    /// A function and a trigger. Writes from the new side (the new column set on insert, or
    /// changed by an update) are copied to the old column; every other write copies the old
    /// column to the new one, which also fills rows not yet backfilled.
    fn create_sync(doubled: &DoubledColumn<'_>) -> Vec<String> {
        let (old, new) = (ident(&doubled.old.name), ident(&doubled.new.name));
        let forward = forward(doubled, "NEW.");
        let body = match back(doubled, "NEW.") {
            Some(back) => format!(
                "  IF TG_OP = 'INSERT' THEN\n    IF NEW.{new} IS NULL THEN\n      NEW.{new} := \
                 {forward};\n    ELSE\n      NEW.{old} := {back};\n    END IF;\n  ELSIF NEW.{new} \
                 IS DISTINCT FROM OLD.{new} THEN\n    NEW.{old} := {back};\n  ELSE\n    NEW.{new} \
                 := {forward};\n  END IF;\n"
            ),
            None => format!("  NEW.{new} := {forward};\n"),
        };
        let function = sync_function(doubled);
        vec![
            format!(
                "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\
                 {body}  RETURN NEW;\nEND\n$$"
            ),
            format!(
                "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION \
                 {function}()",
                ident(&sync_name(doubled)),
                object(doubled.table)
            ),
        ]
    }

    fn drop_sync(doubled: &DoubledColumn<'_>) -> Vec<String> {
        vec![
            format!(
                "DROP TRIGGER {} ON {}",
                ident(&sync_name(doubled)),
                object(doubled.table)
            ),
            format!("DROP FUNCTION {}()", sync_function(doubled)),
        ]
    }

    fn backfill_doubled(doubled: &DoubledColumn<'_>) -> (String, String) {
        let value = forward(doubled, "");
        let condition = format!("{} IS DISTINCT FROM {value}", ident(&doubled.new.name));
        (value, condition)
    }

    fn copy_back(doubled: &DoubledColumn<'_>) -> Option<String> {
        back(doubled, "")
    }

    /// Not a constraint's index, and not on a partitioned table.
    fn builds_online(target: &SqlSchema, table: &ObjectName, index: &Index) -> bool {
        !index.constraint_backed
            && target
                .table(table.namespace.as_deref(), &table.name)
                .is_none_or(|t| t.partition_by.is_none())
    }

    fn create_index_online(table: &ObjectName, index: &Index) -> String {
        join_statements(&[create_index_concurrently(table, index)])
    }

    fn drop_index_online(table: &ObjectName, index: &Index) -> String {
        join_statements(&[drop_index_concurrently(table, index)])
    }

    /// `NOT VALID`, validated later without blocking writes.
    fn add_foreign_key_unchecked(
        _target: &SqlSchema,
        table: &ObjectName,
        foreign_key: &ForeignKey,
    ) -> UncheckedForeignKey {
        UncheckedForeignKey {
            add: vec![format!("{} NOT VALID", add_foreign_key(table, foreign_key))],
            undo: Vec::new(),
            validate: join_statements(&[format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                object(table),
                ident(foreign_key.name.as_deref().unwrap_or_default())
            )]),
        }
    }

    /// A unique index built concurrently, then `ADD PRIMARY KEY USING INDEX`.
    fn primary_key_from_index(
        table: &ObjectName,
        primary_key: &PrimaryKey,
    ) -> Option<(Index, String)> {
        let name = primary_key
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_pkey", table.name));
        let add_key = format!(
            "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}",
            object(table),
            ident(&name),
            ident(&name)
        );
        let index = Index {
            name,
            kind: IndexKind::Unique,
            columns: primary_key.columns.clone(),
            algorithm: None,
            predicate: None,
            include: Vec::new(),
            constraint_backed: false,
        };
        Some((index, add_key))
    }
}

/// The trigger and its function, named after the new column.
fn sync_name(doubled: &DoubledColumn<'_>) -> String {
    format!("{}_{}_sync", doubled.table.name, doubled.new.name)
}

fn sync_function(doubled: &DoubledColumn<'_>) -> String {
    qualified(doubled.table.namespace.as_deref(), &sync_name(doubled))
}

/// The old column's value as the new column stores it.
fn forward(doubled: &DoubledColumn<'_>, row: &str) -> String {
    cast(
        &format!("{row}{}", ident(&doubled.old.name)),
        &doubled.old,
        &doubled.target,
    )
}

/// The new column's value as the old column stores it, when such a cast exists.
fn back(doubled: &DoubledColumn<'_>, row: &str) -> Option<String> {
    let castable = same_type(&doubled.old, &doubled.target)
        || PostgresDiffHooks.column_type_change(&doubled.target, &doubled.old)
            != Some(TypeChange::NotCastable);
    castable.then(|| {
        cast(
            &format!("{row}{}", ident(&doubled.new.name)),
            &doubled.target,
            &doubled.old,
        )
    })
}

/// `value` cast to `to`'s type when `from`'s differs.
fn cast(value: &str, from: &Column, to: &Column) -> String {
    if same_type(from, to) {
        value.to_owned()
    } else {
        format!("{value}::{}", plain_column_type(to))
    }
}

fn same_type(a: &Column, b: &Column) -> bool {
    a.column_type == b.column_type
        && (a.arity == ColumnArity::List) == (b.arity == ColumnArity::List)
}

/// Whether changing `from`'s type to `to`'s rewrites the table. PostgreSQL keeps the rows when
/// the new type only lifts a limit: a longer or no `VARCHAR`/`VARBIT` length, `TEXT` for
/// `VARCHAR`, more `DECIMAL` precision at the same scale, more timestamp precision.
fn rewrites(from: &Column, to: &Column) -> bool {
    let (from_name, from_args) = split_type(&from.column_type.native);
    let (to_name, to_args) = split_type(&to.column_type.native);
    let lifted = |from: Option<&str>, to: Option<&str>| match (from, to) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(from), Some(to)) => match (from.split_once(','), to.split_once(',')) {
            (Some((from_precision, from_scale)), Some((to_precision, to_scale))) => {
                from_scale == to_scale && number(to_precision) >= number(from_precision)
            }
            (None, None) => number(to) >= number(from),
            _ => false,
        },
    };
    let kept = match (from_name, to_name) {
        ("VARCHAR", "TEXT") | ("TEXT", "VARCHAR") if to_args.is_none() => true,
        ("VARCHAR", "VARCHAR")
        | ("VARBIT", "VARBIT")
        | ("DECIMAL", "DECIMAL")
        | ("TIMESTAMP", "TIMESTAMP")
        | ("TIMESTAMPTZ", "TIMESTAMPTZ") => lifted(from_args, to_args),
        _ => false,
    };
    !kept || (from.arity == ColumnArity::List) != (to.arity == ColumnArity::List)
}

/// `VARCHAR(10)` as `("VARCHAR", Some("10"))`.
fn split_type(native: &str) -> (&str, Option<&str>) {
    match native.split_once('(') {
        Some((name, args)) => (name, Some(args.trim_end_matches(')'))),
        None => (native, None),
    }
}

fn number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// PostgreSQL's reserved key words: as a bare name, each means something else than a column.
const RESERVED_WORDS: &str = "all analyse analyze and any array as asc asymmetric \
    authorization binary both case cast check collate collation column concurrently \
    constraint create cross current_catalog current_date current_role current_schema \
    current_time current_timestamp current_user default deferrable desc distinct do else end except \
    false fetch for foreign freeze from full grant group having ilike in initially inner \
    intersect into is isnull join lateral leading left like limit localtime localtimestamp \
    natural not notnull null offset on only or order outer overlaps placing primary \
    references returning right select session_user similar some symmetric system_user \
    table tablesample then to trailing true union unique user using variadic verbose when \
    where window with";

/// The `key` option of a backfill directive naming `column`. The option holds an SQL expression:
/// a lower-case name that is no key word needs no SQL quotes (`key="id"`); any other is a quoted
/// identifier inside a single-quoted option value (`key='"userId"'`).
fn directive_key(column: &str) -> String {
    let plain = column.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && column
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED_WORDS.split_whitespace().any(|word| word == column);
    if plain {
        format!("\"{column}\"")
    } else {
        format!("'{}'", ident(column).replace('\'', "''"))
    }
}

fn alter(table: &ObjectName, changes: Vec<TableChange>) -> String {
    render::render_change(&Change::AlterTable {
        table: table.clone(),
        changes,
    })
}

fn set_default(table: &ObjectName, column: &Column) -> String {
    let without = Column {
        default: None,
        ..column.clone()
    };
    alter(
        table,
        vec![TableChange::AlterColumn(ColumnChange {
            from: without,
            to: column.clone(),
            arity_changed: false,
            default_changed: true,
            auto_increment_changed: false,
            identity_changed: false,
            collation_changed: false,
            on_update_changed: false,
            inheritors_made_nullable: None,
            detached_partitions: Vec::new(),
            type_change: None,
        })],
    )
}

fn set_not_null(table: &ObjectName, column: &Column) -> String {
    let nullable = Column {
        arity: ColumnArity::Nullable,
        ..column.clone()
    };
    let required = Column {
        arity: ColumnArity::Required,
        ..column.clone()
    };
    alter(
        table,
        vec![TableChange::AlterColumn(ColumnChange {
            from: nullable,
            to: required,
            arity_changed: true,
            default_changed: false,
            auto_increment_changed: false,
            identity_changed: false,
            collation_changed: false,
            on_update_changed: false,
            inheritors_made_nullable: None,
            detached_partitions: Vec::new(),
            type_change: None,
        })],
    )
}
