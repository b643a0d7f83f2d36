//! SQL for each [`Change`], in Prisma's MySQL flavour: backtick quoting, nullable columns
//! written `NULL`, a new table's indexes and primary key inside its `CREATE TABLE` with
//! `DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`, enums inline on their columns,
//! one `ALTER TABLE` per table with its clauses joined by `,\n    `, `MODIFY` with the full
//! column definition for a changed column (`ALTER COLUMN ... DROP DEFAULT` when only a default
//! goes), foreign keys added by `ALTER TABLE ... ADD CONSTRAINT` after every table exists.
//!
//! MySQL has no enum types, extensions, partitions of the PostgreSQL kind or table rebuilds:
//! the differ emits none of those changes for it (its lowering declares no enum types and its
//! hooks alter every table in place), and they render as nothing.

use drydock_connector::{HandMadeObject, join_statements};
use drydock_diff::{Change, ColumnChange, TableChange, made_for_foreign_key};
use drydock_schema::{
    Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexColumn, IndexKind, ObjectName,
    OpaqueKind, SortOrder, Table, TypeFamily,
};

use crate::types::MySqlType;

/// The statements of one change, each ending with `;`.
pub fn render_change(change: &Change) -> String {
    join_statements(&statements(change))
}

fn statements(change: &Change) -> Vec<String> {
    match change {
        Change::CreateSchema { namespace } => {
            vec![format!(
                "CREATE DATABASE IF NOT EXISTS {}",
                quote(namespace)
            )]
        }
        Change::RenameTable { from, to, .. } => {
            vec![format!(
                "ALTER TABLE {} RENAME TO {}",
                table(from),
                table(to)
            )]
        }
        Change::DropForeignKey {
            table: t,
            foreign_key,
        } => vec![format!(
            "ALTER TABLE {} DROP FOREIGN KEY {}",
            table(t),
            quote(foreign_key.name.as_deref().unwrap_or_default())
        )],
        Change::DropIndex { table: t, index } => vec![drop_index(t, &index.name)],
        Change::AlterTable { table: t, changes } => alter_table(t, changes),
        Change::DropTable { table: t } => vec![format!("DROP TABLE {}", table(&t.object_name()))],
        Change::CreateTable { table: t } => vec![create_table(t)],
        Change::CreateIndex { table: t, index } => vec![create_index(t, index)],
        Change::AddForeignKey {
            table: t,
            foreign_key,
        } => vec![add_foreign_key(t, foreign_key)],
        Change::RenameIndex { table: t, from, to } => vec![format!(
            "ALTER TABLE {} RENAME INDEX {} TO {}",
            table(t),
            quote(from),
            quote(to)
        )],
        // The new index first: a foreign key may need the old one until another covers it.
        Change::RedefineIndex { table: t, from, to } => {
            vec![create_index(t, to), drop_index(t, &from.name)]
        }
        // MySQL cannot rename a foreign key: its hooks make the differ drop and add it instead.
        Change::RenameForeignKey { .. } => Vec::new(),
        Change::DropExtension { .. }
        | Change::CreateExtension { .. }
        | Change::AlterExtension { .. }
        | Change::CreateEnum { .. }
        | Change::AlterEnum(_)
        | Change::DropEnum { .. }
        | Change::DropPartition { .. }
        | Change::CreatePartition { .. }
        | Change::AlterPartitionChecks { .. }
        | Change::RedefineTables { .. } => Vec::new(),
    }
}

/// A backtick-quoted identifier (a backtick inside is doubled).
pub(crate) fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The header and statements creating (`create`) or dropping an object made by hand, from
/// the definition introspection read: a view (`CREATE VIEW ... AS` its query), a trigger,
/// event, function or procedure (its `CREATE` statement, without `DEFINER`), a check constraint, a
/// table's comment, a column's comment (a `MODIFY` with the column's whole definition, the
/// only statement that sets it). A function or procedure is created after a `DROP ... IF
/// EXISTS`, so a changed one is replaced in place (MySQL has no `CREATE OR REPLACE` for
/// routines).
pub(crate) fn render_hand_made(
    object: HandMadeObject<'_>,
    create: bool,
) -> Option<(&'static str, String)> {
    Some(match object {
        HandMadeObject::View(view) if create => (
            "CreateView",
            format!("CREATE VIEW {} AS {};", quote(&view.name), view.definition),
        ),
        HandMadeObject::View(view) => ("DropView", format!("DROP VIEW {};", quote(&view.name))),
        HandMadeObject::Carried(object) => {
            let (kind, headers) = match object.kind {
                OpaqueKind::Function => ("FUNCTION", ("CreateFunction", "DropFunction")),
                OpaqueKind::Procedure => ("PROCEDURE", ("CreateProcedure", "DropProcedure")),
                OpaqueKind::Trigger => ("TRIGGER", ("CreateTrigger", "DropTrigger")),
                OpaqueKind::Event => ("EVENT", ("CreateEvent", "DropEvent")),
                OpaqueKind::ExclusionConstraint | OpaqueKind::Other => return None,
            };
            let name = quote(&object.name);
            match (create, object.kind) {
                (true, OpaqueKind::Trigger | OpaqueKind::Event) => {
                    (headers.0, format!("{};", object.definition))
                }
                (true, _) => (
                    headers.0,
                    format!("DROP {kind} IF EXISTS {name};\n{};", object.definition),
                ),
                (false, _) => (headers.1, format!("DROP {kind} {name};")),
            }
        }
        HandMadeObject::Check(t, check) if create => (
            "AddCheckConstraint",
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({});",
                table(&t.object_name()),
                quote(&check.name),
                check.expression
            ),
        ),
        HandMadeObject::Check(t, check) => (
            "DropCheckConstraint",
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                table(&t.object_name()),
                quote(&check.name)
            ),
        ),
        HandMadeObject::TableComment(t) => (
            if create { "Comment" } else { "DropComment" },
            format!(
                "ALTER TABLE {} COMMENT = {};",
                table(&t.object_name()),
                comment_literal(t.comment.as_deref().filter(|_| create).unwrap_or_default())
            ),
        ),
        HandMadeObject::ColumnComment(t, column) => {
            let column = if create {
                column.clone()
            } else {
                Column {
                    comment: None,
                    ..column.clone()
                }
            };
            (
                if create { "Comment" } else { "DropComment" },
                format!(
                    "ALTER TABLE {} MODIFY {};",
                    table(&t.object_name()),
                    column_definition(&column)
                ),
            )
        }
    })
}

/// A comment as a string literal: the server reads backslashes in it as escapes.
fn comment_literal(comment: &str) -> String {
    format!("'{}'", comment.replace('\\', "\\\\").replace('\'', "''"))
}

/// A table name; one in another database is qualified with it.
pub(crate) fn table(name: &ObjectName) -> String {
    match &name.namespace {
        Some(namespace) => format!("{}.{}", quote(namespace), quote(&name.name)),
        None => quote(&name.name),
    }
}

/// A string literal: quotes doubled, backslashes left as they are (as Prisma writes them).
fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// An index built or dropped while writes go on (`drydock indexes`' remedies): InnoDB's in-place
/// algorithm without a lock, which the server refuses, rather than falling back to copying the
/// table under a lock, where it cannot. `ALTER TABLE`, as MariaDB's `DROP INDEX` takes neither
/// option. Full-text indexes take a shared lock whatever is asked, so they are written as usual.
pub(crate) fn render_index_online(change: &Change) -> String {
    const ONLINE: &str = ", ALGORITHM=INPLACE, LOCK=NONE";
    match change {
        Change::CreateIndex { table: t, index } if index.kind != IndexKind::Fulltext => format!(
            "ALTER TABLE {} ADD {}INDEX {}({}){ONLINE};",
            table(t),
            index_kind(index.kind),
            quote(&index.name),
            index_columns(&index.columns)
        ),
        Change::DropIndex { table: t, index } => format!(
            "ALTER TABLE {} DROP INDEX {}{ONLINE};",
            table(t),
            quote(&index.name)
        ),
        other => render_change(other),
    }
}

fn drop_index(t: &ObjectName, index: &str) -> String {
    format!("DROP INDEX {} ON {}", quote(index), table(t))
}

/// Index keys: `` `a`(10) DESC, `b` ``.
fn index_columns(columns: &[IndexColumn]) -> String {
    columns
        .iter()
        .map(|c| {
            let mut key = match &c.expression {
                // MySQL 8 functional key parts go in their own parentheses.
                Some(expression) => format!("({expression})"),
                None => quote(&c.name),
            };
            if let Some(length) = c.length {
                key.push_str(&format!("({length})"));
            }
            match c.sort {
                Some(SortOrder::Asc) => key.push_str(" ASC"),
                Some(SortOrder::Desc) => key.push_str(" DESC"),
                None => {}
            }
            key
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn index_kind(kind: IndexKind) -> &'static str {
    match kind {
        IndexKind::Normal => "",
        IndexKind::Unique => "UNIQUE ",
        IndexKind::Fulltext => "FULLTEXT ",
    }
}

fn create_index(t: &ObjectName, index: &Index) -> String {
    format!(
        "CREATE {}INDEX {} ON {}({})",
        index_kind(index.kind),
        quote(&index.name),
        table(t),
        index_columns(&index.columns)
    )
}

fn create_table(t: &Table) -> String {
    let mut out = format!("CREATE TABLE {} (\n", table(&t.object_name()));
    let columns: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("    {}", column_definition(c)))
        .collect();
    out.push_str(&columns.join(",\n"));
    // The index named after a foreign key is the server's to make with the key (added after
    // the table): made here it would be the user's, kept when another index comes to serve
    // the key, where the server drops its own.
    let mut keys: Vec<String> = t
        .indexes
        .iter()
        .filter(|index| !made_for_foreign_key(t, index))
        .map(|index| {
            format!(
                "    {}INDEX {}({})",
                index_kind(index.kind),
                quote(&index.name),
                index_columns(&index.columns)
            )
        })
        .collect();
    if let Some(primary_key) = &t.primary_key {
        keys.push(format!(
            "    PRIMARY KEY ({})",
            index_columns(&primary_key.columns)
        ));
    }
    if !keys.is_empty() {
        out.push_str(",\n\n");
        out.push_str(&keys.join(",\n"));
    }
    out.push_str("\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    out
}

/// The column's type as Prisma writes it (`DECIMAL(10, 2)`, `ENUM('A', 'B')`); a type drydock
/// does not map verbatim.
fn column_type(column: &Column) -> String {
    match MySqlType::parse(&column.column_type.native) {
        Some(parsed) if column.column_type.family != TypeFamily::Unsupported => {
            parsed.to_prisma_sql()
        }
        _ => column.column_type.native.clone(),
    }
}

fn nullability(column: &Column) -> &'static str {
    match column.arity {
        ColumnArity::Required => " NOT NULL",
        ColumnArity::Nullable | ColumnArity::List => " NULL",
    }
}

/// `` `c` TYPE[ COLLATE c][ AS (e) STORED] NOT NULL|NULL[ AUTO_INCREMENT][ DEFAULT d][ ON
/// UPDATE e][ COMMENT 'c'] ``, as in `CREATE TABLE` and `ADD COLUMN`.
fn column_definition(column: &Column) -> String {
    let mut out = format!("{} {}", quote(&column.name), column_type(column));
    // Read back from databases made by hand (a baseline, a drift migration): written as read,
    // in the order MySQL's grammar takes them.
    if let Some(collation) = &column.collation {
        out.push_str(" COLLATE ");
        out.push_str(collation);
    }
    match &column.generated {
        // MariaDB takes no `NULL` on a generated column (nor `NOT NULL`: its are nullable).
        Some(expression) => {
            let kind = if column.generated_virtual {
                "VIRTUAL"
            } else {
                "STORED"
            };
            out.push_str(&format!(" AS ({expression}) {kind}"));
            if column.arity == ColumnArity::Required {
                out.push_str(" NOT NULL");
            }
        }
        None => out.push_str(nullability(column)),
    }
    if column.auto_increment {
        out.push_str(" AUTO_INCREMENT");
    }
    if let Some(default) = render_default(column) {
        out.push_str(" DEFAULT ");
        out.push_str(&default);
    }
    out.push_str(&read_back_attributes(column));
    out
}

/// `[ ON UPDATE e][ COMMENT 'c']`: read back from a database made by hand (a Prisma schema
/// states neither), and written wherever the column's whole definition is.
fn read_back_attributes(column: &Column) -> String {
    let mut out = String::new();
    if let Some(on_update) = &column.on_update {
        out.push_str(" ON UPDATE ");
        out.push_str(on_update);
    }
    if let Some(comment) = &column.comment {
        out.push_str(" COMMENT ");
        out.push_str(&comment_literal(comment));
    }
    out
}

/// The default as Prisma writes it; `None` for the ones MySQL does not take (JSON and binary
/// literals, which Prisma leaves out) and for an auto-increment column.
pub(crate) fn render_default(column: &Column) -> Option<String> {
    let default = column.default.as_ref()?;
    let family = &column.column_type.family;
    if column.auto_increment
        || (!matches!(default, DefaultValue::Expression(_))
            && matches!(family, TypeFamily::Json | TypeFamily::Bytes))
    {
        return None;
    }
    Some(match default {
        DefaultValue::Expression(expression) => expression.clone(),
        DefaultValue::String(value) if *family == TypeFamily::DateTime => {
            string_literal(&utc_datetime(value))
        }
        DefaultValue::String(value) | DefaultValue::EnumValue(value) => string_literal(value),
        DefaultValue::Number(number) => number.clone(),
        DefaultValue::Boolean(value) => value.to_string(),
        // At the column's own precision, the only one the server takes: a type written without
        // one (`TIMESTAMP`, as introspection reads it) has none; 3 for a type not read (Prisma's
        // `DATETIME(3)`).
        DefaultValue::Now => match MySqlType::parse(&column.column_type.native) {
            Some(
                written @ (MySqlType::DateTime(_) | MySqlType::Timestamp(_) | MySqlType::Time(_)),
            ) => match written.timestamp_precision() {
                Some(precision) => format!("CURRENT_TIMESTAMP({precision})"),
                None => "CURRENT_TIMESTAMP".to_owned(),
            },
            _ => "CURRENT_TIMESTAMP(3)".to_owned(),
        },
        DefaultValue::Bytes(_) | DefaultValue::List(_) => return None,
    })
}

/// A date-time default (`2020-01-01 00:00:00 +02:00`, the canonical literal of
/// `drydock_schema`) as the UTC time without an offset, `2020-01-01 00:00:00`: Prisma stores
/// date-times in UTC. Prisma writes RFC 3339 (`2020-01-01T00:00:00+00:00`), which MariaDB
/// refuses as a default and MySQL converts to the session's time zone; this spelling means the
/// same on both. A value that is no date-time is written as it is.
fn utc_datetime(canonical: &str) -> String {
    chrono::DateTime::parse_from_str(canonical, "%Y-%m-%d %H:%M:%S%.f %:z")
        .map(|parsed| {
            parsed
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S%.f")
                .to_string()
        })
        .unwrap_or_else(|_| canonical.to_owned())
}

pub(crate) fn add_foreign_key(t: &ObjectName, foreign_key: &ForeignKey) -> String {
    let columns = |names: &[String]| {
        names
            .iter()
            .map(|n| quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let constraint = foreign_key
        .name
        .as_deref()
        .map(|name| format!("CONSTRAINT {} ", quote(name)))
        .unwrap_or_default();
    format!(
        "ALTER TABLE {} ADD {constraint}FOREIGN KEY ({}) REFERENCES {}({}) ON DELETE {} ON UPDATE {}",
        table(t),
        columns(&foreign_key.columns),
        table(&foreign_key.referenced_table),
        columns(&foreign_key.referenced_columns),
        foreign_key.on_delete.as_sql(),
        foreign_key.on_update.as_sql()
    )
}

/// One `ALTER TABLE` with every clause of the table, as Prisma groups them.
fn alter_table(t: &ObjectName, changes: &[TableChange]) -> Vec<String> {
    let mut clauses = Vec::new();
    for change in changes {
        match change {
            TableChange::RenameColumn { from, to, .. } => {
                clauses.push(format!("RENAME COLUMN {} TO {}", quote(from), quote(to)));
            }
            TableChange::DropPrimaryKey { .. } => clauses.push("DROP PRIMARY KEY".to_owned()),
            TableChange::DropColumn { column } => {
                clauses.push(format!("DROP COLUMN {}", quote(&column.name)));
            }
            TableChange::AddColumn { column } => {
                clauses.push(format!("ADD COLUMN {}", column_definition(column)));
            }
            TableChange::AlterColumn(change) => clauses.push(alter_column(change)),
            TableChange::DropAndRecreateColumn { from, to } => {
                clauses.push(format!("DROP COLUMN {}", quote(&from.name)));
                clauses.push(format!("ADD COLUMN {}", column_definition(to)));
            }
            TableChange::AddPrimaryKey { primary_key } => clauses.push(format!(
                "ADD PRIMARY KEY ({})",
                index_columns(&primary_key.columns)
            )),
            // A MySQL primary key is always named `PRIMARY`; tables do not inherit.
            TableChange::RenamePrimaryKey { .. }
            | TableChange::NoInherit { .. }
            | TableChange::Inherit { .. } => {}
        }
    }
    if clauses.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "ALTER TABLE {} {}",
        table(t),
        clauses.join(",\n    ")
    )]
}

/// `ALTER COLUMN ... DROP DEFAULT` when the default alone goes; otherwise `MODIFY` with the
/// whole definition (`SET DEFAULT` cannot take an expression on most MySQL versions):
/// `` MODIFY `c` TYPE[ COLLATE c] NOT NULL|NULL[ DEFAULT d][ AUTO_INCREMENT] ``, then what
/// introspection read back of the target column (`ON UPDATE`, `COMMENT`). A collation or
/// `ON UPDATE` the target does not state (a Prisma schema states neither) is the column's own,
/// kept where the new type takes it: a `MODIFY` without them would drop them. An `ON UPDATE`
/// the change removes (a database target states it) is not kept.
fn alter_column(change: &ColumnChange) -> String {
    let only_default = change.default_changed
        && !change.arity_changed
        && !change.auto_increment_changed
        && !change.collation_changed
        && !change.on_update_changed
        && change.type_change.is_none();
    if only_default && change.to.default.is_none() {
        return format!("ALTER COLUMN {} DROP DEFAULT", quote(&change.to.name));
    }
    let mut column = change.to.clone();
    if column.collation.is_none() && column.column_type.family == TypeFamily::String {
        column.collation.clone_from(&change.from.collation);
    }
    if column.on_update.is_none()
        && !change.on_update_changed
        && column.column_type.family == TypeFamily::DateTime
    {
        column.on_update = change
            .from
            .on_update
            .as_deref()
            .map(|expression| change.to.on_update_at_own_precision(expression));
    }
    let column = &column;
    let mut out = format!("MODIFY {} {}", quote(&column.name), column_type(column));
    if let Some(collation) = &column.collation {
        out.push_str(" COLLATE ");
        out.push_str(collation);
    }
    out.push_str(nullability(column));
    if let Some(default) = render_default(column) {
        out.push_str(" DEFAULT ");
        out.push_str(&default);
    }
    if column.auto_increment {
        out.push_str(" AUTO_INCREMENT");
    }
    out.push_str(&read_back_attributes(column));
    out
}

#[cfg(test)]
mod tests {
    use drydock_schema::{Column, ColumnArity, ColumnType, DefaultValue, TypeFamily};

    use drydock_diff::{ColumnChange, TypeChange};

    use super::{alter_column, column_definition, utc_datetime};

    #[test]
    fn generated_columns_keep_their_kind() {
        let mut column = Column::new("upper", ColumnType::new(TypeFamily::String, "VARCHAR(191)"));
        column.arity = ColumnArity::Nullable;
        column.generated = Some("upper(`email`)".to_owned());
        assert_eq!(
            column_definition(&column),
            "`upper` VARCHAR(191) AS (upper(`email`)) STORED"
        );
        column.generated_virtual = true;
        assert_eq!(
            column_definition(&column),
            "`upper` VARCHAR(191) AS (upper(`email`)) VIRTUAL"
        );
    }

    #[test]
    fn a_column_comment_read_back_is_written_back() {
        let mut column = Column::new("email", ColumnType::new(TypeFamily::String, "VARCHAR(191)"));
        column.comment = Some("it's the login\\name".to_owned());
        assert_eq!(
            column_definition(&column),
            "`email` VARCHAR(191) NOT NULL COMMENT 'it''s the login\\\\name'"
        );
    }

    #[test]
    fn a_modify_keeps_what_the_target_column_read_back() {
        let mut from = Column::new("seen", ColumnType::new(TypeFamily::DateTime, "DATETIME(3)"));
        from.arity = ColumnArity::Nullable;
        let mut to = from.clone();
        to.on_update = Some("CURRENT_TIMESTAMP(3)".to_owned());
        to.comment = Some("last change".to_owned());
        to.collation = None;
        let change = ColumnChange {
            from,
            to,
            arity_changed: false,
            default_changed: false,
            auto_increment_changed: false,
            identity_changed: false,
            collation_changed: false,
            on_update_changed: true,
            inheritors_made_nullable: None,
            detached_partitions: Vec::new(),
            type_change: None,
        };
        assert_eq!(
            alter_column(&change),
            "MODIFY `seen` DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3) COMMENT 'last change'"
        );
        // Kept from the column as it was, at the precision of its new type.
        let mut kept = change.clone();
        kept.from.on_update = kept.to.on_update.take();
        kept.to.comment = None;
        kept.to.column_type.native = "DATETIME(6)".to_owned();
        kept.on_update_changed = false;
        kept.type_change = Some(TypeChange::SafeCast);
        assert_eq!(
            alter_column(&kept),
            "MODIFY `seen` DATETIME(6) NULL ON UPDATE CURRENT_TIMESTAMP(6)"
        );
        kept.to.column_type.native = "DATETIME".to_owned();
        assert_eq!(
            alter_column(&kept),
            "MODIFY `seen` DATETIME NULL ON UPDATE CURRENT_TIMESTAMP"
        );
        let mut label = Column::new("label", ColumnType::new(TypeFamily::String, "VARCHAR(64)"));
        label.collation = Some("utf8mb4_bin".to_owned());
        let change = ColumnChange {
            from: Column::new("label", ColumnType::new(TypeFamily::String, "VARCHAR(64)")),
            to: label,
            collation_changed: true,
            on_update_changed: false,
            ..change
        };
        assert_eq!(
            alter_column(&change),
            "MODIFY `label` VARCHAR(64) COLLATE utf8mb4_bin NOT NULL"
        );
    }

    #[test]
    fn now_is_written_at_the_columns_precision() {
        let now = |native: &str| {
            let mut column = Column::new("at", ColumnType::new(TypeFamily::DateTime, native));
            column.default = Some(DefaultValue::Now);
            column_definition(&column)
        };
        assert_eq!(
            now("DATETIME(3)"),
            "`at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
        );
        assert_eq!(
            now("TIMESTAMP(0)"),
            "`at` TIMESTAMP(0) NOT NULL DEFAULT CURRENT_TIMESTAMP(0)"
        );
        assert_eq!(
            now("TIMESTAMP"),
            "`at` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
        );
    }

    #[test]
    fn datetime_defaults_are_utc() {
        assert_eq!(
            utc_datetime("2020-01-01 00:00:00 +00:00"),
            "2020-01-01 00:00:00"
        );
        assert_eq!(
            utc_datetime("2020-01-01 00:00:00.250 +02:00"),
            "2019-12-31 22:00:00.250"
        );
        assert_eq!(utc_datetime("tomorrow"), "tomorrow");
    }
}
