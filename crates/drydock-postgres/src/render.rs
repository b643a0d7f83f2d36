//! Rendering changes as PostgreSQL SQL, byte for byte the way Prisma Migrate writes them;
//! splitting scripts into statements and finding those that cannot run inside a transaction.
//!
//! Layout rules worth knowing before editing: statements end with `;` and are separated by a
//! newline; `CREATE TABLE` joins its primary key columns with `,` but every other column list
//! with `, `; `ADD COLUMN` is followed by five spaces (the clause's space plus the four-space
//! column indentation); names are schema-qualified only when the object has a namespace.
//!
//! Where Prisma's text would fail on PostgreSQL, drydock writes working SQL instead: enum values
//! have their quotes doubled (Prisma leaves them as is), `SET DATA TYPE` names the plain type of
//! an auto-increment column (`BIGINT`, where Prisma writes the pseudo-type `BIGSERIAL`), and a
//! sequence replaced by a constant default keeps that default (Prisma sets it, then drops it).
//! Removing auto-increment drops the column's sequence (`"T_c_seq"`), as Prisma does when it
//! diffs against a database, and adding it creates the sequence under that name (Prisma folds it
//! to lower case, which its own drop then misses); renaming a table or column (drydock's own) renames the sequences
//! of its auto-increment columns to match.

use drydock_connector::{HandMadeObject, join_statements};

use drydock_connector::sql_scan::{self, Body, LexicalRules};
use drydock_diff::{AlterEnum, Change, ColumnChange, RedefineTable, TableChange};
use drydock_schema::{
    CheckConstraint, Column, ColumnArity, DefaultValue, Extension, ForeignKey, Identity, Index,
    IndexAlgorithm, IndexKind, ObjectName, OpaqueKind, PrimaryKey, SortOrder, Table, TypeFamily,
};

/// Indentation of columns inside `CREATE TABLE`.
const INDENT: &str = "    ";

/// Longest identifier PostgreSQL keeps, in bytes.
const MAX_IDENTIFIER_LENGTH: usize = 63;

/// The comment Prisma writes above two or more `ADD VALUE` statements.
const ENUM_VALUES_COMMENT: &str = "-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.
";

/// The SQL of one change, without its `-- Header` line.
pub(crate) fn render_change(change: &Change) -> String {
    let statements = match change {
        Change::CreateSchema { namespace } => {
            vec![format!("CREATE SCHEMA IF NOT EXISTS {}", ident(namespace))]
        }
        Change::DropExtension { extension, .. } => {
            vec![format!("DROP EXTENSION {}", ident(&extension.name))]
        }
        Change::CreateExtension { extension } => vec![create_extension(extension)],
        Change::AlterExtension {
            name,
            version,
            namespace,
        } => version
            .iter()
            .map(|version| {
                format!(
                    "ALTER EXTENSION {} UPDATE TO {}",
                    ident(name),
                    ident(version)
                )
            })
            .chain(namespace.iter().map(|namespace| {
                format!(
                    "ALTER EXTENSION {} SET SCHEMA {}",
                    ident(name),
                    ident(namespace)
                )
            }))
            .collect(),
        Change::CreateEnum { enum_type } => vec![format!(
            "CREATE TYPE {} AS ENUM ({})",
            qualified(enum_type.namespace.as_deref(), &enum_type.name),
            enum_values(&enum_type.values)
        )],
        Change::AlterEnum(alter) => render_alter_enum(alter),
        Change::RenameTable {
            from,
            to,
            auto_increment_columns,
        } => std::iter::once(format!(
            "ALTER TABLE {} RENAME TO {}",
            object(from),
            ident(&to.name)
        ))
        .chain(auto_increment_columns.iter().map(|column| {
            rename_sequence(
                from.namespace.as_deref(),
                (&from.name, column),
                (&to.name, column),
            )
        }))
        .collect(),
        Change::DropForeignKey { table, foreign_key } => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            object(table),
            ident(foreign_key.name.as_deref().unwrap_or_default())
        )],
        Change::DropIndex { table, index } => vec![drop_index(table, index)],
        Change::AlterTable { table, changes } => render_alter_table(table, changes),
        Change::DropTable { table } => vec![format!(
            "DROP TABLE {}",
            qualified(table.namespace.as_deref(), &table.name)
        )],
        Change::DropEnum { enum_type } => vec![format!(
            "DROP TYPE {}",
            qualified(enum_type.namespace.as_deref(), &enum_type.name)
        )],
        Change::CreateTable { table } => vec![create_table(
            table,
            &qualified(table.namespace.as_deref(), &table.name),
        )],
        Change::DropPartition {
            table,
            partition,
            detach,
            dropped_checks,
        } => {
            let name = qualified(table.namespace.as_deref(), &partition.name);
            if *detach {
                let mut statements = vec![format!(
                    "ALTER TABLE {} DETACH PARTITION {name}",
                    object(table)
                )];
                statements.extend(
                    dropped_checks.iter().map(|check| {
                        format!("ALTER TABLE {name} DROP CONSTRAINT {}", ident(check))
                    }),
                );
                statements
            } else {
                vec![format!("DROP TABLE {name}")]
            }
        }
        Change::CreatePartition {
            table,
            partition,
            attach,
            dropped_checks,
            added_checks,
        } => {
            let name = qualified(table.namespace.as_deref(), &partition.name);
            if *attach {
                let mut statements: Vec<String> = dropped_checks
                    .iter()
                    .map(|check| format!("ALTER TABLE {name} DROP CONSTRAINT {}", ident(check)))
                    .chain(added_checks.iter().map(|check| add_check(&name, check)))
                    .collect();
                statements.push(format!(
                    "ALTER TABLE {} ATTACH PARTITION {name} {}",
                    object(table),
                    partition.bound
                ));
                statements
            } else {
                let partition_by = partition
                    .partition_by
                    .as_ref()
                    .map(|by| format!(" PARTITION BY {by}"))
                    .unwrap_or_default();
                let mut statements = vec![format!(
                    "CREATE TABLE {name} PARTITION OF {} {}{partition_by}",
                    object(table),
                    partition.bound
                )];
                // Its own key, indexes and checks, beside those it takes from its table.
                if let Some(primary_key) = &partition.primary_key {
                    statements.push(format!(
                        "ALTER TABLE {name} {}",
                        add_primary_key(primary_key)
                    ));
                }
                let own = ObjectName::new(table.namespace.clone(), partition.name.clone());
                statements.extend(partition.indexes.iter().map(|i| create_index(&own, i)));
                statements.extend(partition.checks.iter().map(|c| add_check(&name, c)));
                statements
            }
        }
        Change::AlterPartitionChecks {
            table,
            dropped,
            added,
        } => dropped
            .iter()
            .map(|check| {
                format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    object(table),
                    ident(check)
                )
            })
            .chain(added.iter().map(|check| add_check(&object(table), check)))
            .collect(),
        Change::RedefineTables { tables } => tables.iter().flat_map(redefine_table).collect(),
        Change::CreateIndex { table, index } => vec![create_index(table, index)],
        Change::RenameForeignKey { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            object(table),
            ident(from),
            ident(to)
        )],
        Change::AddForeignKey { table, foreign_key } => vec![add_foreign_key(table, foreign_key)],
        Change::RenameIndex { table, from, to } => vec![format!(
            "ALTER INDEX {} RENAME TO {}",
            qualified(table.namespace.as_deref(), from),
            ident(to)
        )],
        Change::RedefineIndex { table, from, to } => {
            vec![drop_index(table, from), create_index(table, to)]
        }
    };
    join_statements(&statements)
}

/// `CREATE EXTENSION IF NOT EXISTS`, with the schema and version the declaration gives (Prisma
/// quotes the version as an identifier, which PostgreSQL accepts).
fn create_extension(extension: &Extension) -> String {
    let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", ident(&extension.name));
    if extension.namespace.is_some() || extension.version.is_some() {
        sql.push_str(" WITH");
    }
    if let Some(namespace) = &extension.namespace {
        sql.push_str(&format!(" SCHEMA {}", ident(namespace)));
    }
    if let Some(version) = &extension.version {
        sql.push_str(&format!(" VERSION {}", ident(version)));
    }
    sql
}

/// `"name"`. Prisma does not escape embedded double quotes, and neither does drydock.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{name}\"")
}

/// `"ns"."name"`, or `"name"` without a namespace: objects of the connection's default
/// namespace come without one (`SqlSchema::unqualify`), as Prisma leaves them to the search path.
pub(crate) fn qualified(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(namespace) => format!("\"{namespace}\".\"{name}\""),
        None => ident(name),
    }
}

pub(crate) fn object(name: &ObjectName) -> String {
    qualified(name.namespace.as_deref(), &name.name)
}

/// `'value'` with embedded quotes doubled.
pub(crate) fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn enum_values(values: &[String]) -> String {
    values
        .iter()
        .map(|value| string_literal(value))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>, separator: &str) -> String {
    names
        .into_iter()
        .map(ident)
        .collect::<Vec<_>>()
        .join(separator)
}

/// The column's type as written in DDL: `SERIAL` for auto-increment integers, the quoted enum
/// name for enums, the verbatim text of unsupported types, `[]` for lists.
fn column_type(column: &Column) -> String {
    let base = match &column.column_type.family {
        TypeFamily::Enum(name) => object(name),
        TypeFamily::Unsupported => column.column_type.native.clone(),
        _ if column.identity.is_some() => column.column_type.native.clone(),
        _ => match (column.auto_increment, column.column_type.native.as_str()) {
            (true, "SMALLINT") => "SMALLSERIAL".to_owned(),
            (true, "INTEGER") => "SERIAL".to_owned(),
            (true, "BIGINT") => "BIGSERIAL".to_owned(),
            (_, native) => native.to_owned(),
        },
    };
    if column.arity == ColumnArity::List {
        format!("{base}[]")
    } else {
        base
    }
}

/// The column's type for `SET DATA TYPE`, where the `SERIAL` pseudo-types do not exist.
pub(crate) fn plain_column_type(column: &Column) -> String {
    let plain = Column {
        auto_increment: false,
        ..column.clone()
    };
    column_type(&plain)
}

/// A default as SQL. `full_type` is the column type, used to cast array literals.
pub(crate) fn render_default(default: &DefaultValue, full_type: &str) -> String {
    match default {
        DefaultValue::String(value) | DefaultValue::EnumValue(value) => string_literal(value),
        DefaultValue::Number(number) => number.clone(),
        DefaultValue::Boolean(value) => value.to_string(),
        DefaultValue::Bytes(hex) => format!("'\\x{hex}'"),
        DefaultValue::Now => "CURRENT_TIMESTAMP".to_owned(),
        DefaultValue::List(values) => {
            let items: Vec<String> = values
                .iter()
                .map(|value| render_default(value, full_type))
                .collect();
            format!("ARRAY[{}]::{full_type}", items.join(", "))
        }
        DefaultValue::Expression(expression) => expression.clone(),
    }
}

/// `GENERATED ALWAYS AS IDENTITY` or `GENERATED BY DEFAULT AS IDENTITY`.
fn identity_clause(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "GENERATED ALWAYS AS IDENTITY",
        Identity::ByDefault => "GENERATED BY DEFAULT AS IDENTITY",
    }
}

/// ` COLLATE "c"`, or nothing.
fn collate_clause(collation: Option<&str>) -> String {
    collation
        .map(|collation| format!(" COLLATE {}", ident(collation)))
        .unwrap_or_default()
}

/// `    "name" TYPE[ COLLATE c][ NOT NULL][ DEFAULT d | GENERATED ...]`, indented as inside
/// `CREATE TABLE`.
fn render_column(column: &Column) -> String {
    let full_type = column_type(column);
    let mut out = format!(
        "{INDENT}{} {full_type}{}",
        ident(&column.name),
        collate_clause(column.collation.as_deref())
    );
    if column.arity == ColumnArity::Required {
        out.push_str(" NOT NULL");
    }
    if let Some(identity) = column.identity {
        out.push(' ');
        out.push_str(identity_clause(identity));
    }
    if let Some(expression) = &column.generated {
        out.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
    }
    if let Some(default) = &column.default {
        let rendered = render_default(default, &full_type);
        if !rendered.is_empty() {
            out.push_str(" DEFAULT ");
            out.push_str(&rendered);
        }
    }
    out
}

fn create_table(table: &Table, name: &str) -> String {
    // Inherited columns come with `INHERITS`.
    let columns: Vec<String> = table
        .columns
        .iter()
        .filter(|c| !table.inherited_columns.contains(&c.name))
        .map(render_column)
        .collect();
    let mut out = format!("CREATE TABLE {name} (\n{}", columns.join(",\n"));
    if let Some(primary_key) = &table.primary_key {
        let constraint = match &primary_key.name {
            Some(name) => format!("CONSTRAINT {} ", ident(name)),
            None => String::new(),
        };
        let separator = if columns.is_empty() { "" } else { ",\n\n" };
        out.push_str(&format!(
            "{separator}{INDENT}{constraint}PRIMARY KEY ({})",
            quoted_list(primary_key.columns.iter().map(|c| c.name.as_str()), ",")
        ));
    }
    out.push_str("\n)");
    if !table.inherits.is_empty() {
        let parents: Vec<String> = table.inherits.iter().map(object).collect();
        out.push_str(&format!(" INHERITS ({})", parents.join(", ")));
    }
    if let Some(partition_by) = &table.partition_by {
        out.push_str(&format!(" PARTITION BY {partition_by}"));
    }
    out
}

fn create_index(table: &ObjectName, index: &Index) -> String {
    if index.constraint_backed {
        let include = if index.include.is_empty() {
            String::new()
        } else {
            format!(
                " INCLUDE ({})",
                quoted_list(index.include.iter().map(String::as_str), ", ")
            )
        };
        return format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({}){include}",
            object(table),
            ident(&index.name),
            quoted_list(index.columns.iter().map(|c| c.name.as_str()), ", ")
        );
    }
    let unique = if index.kind == IndexKind::Unique {
        "UNIQUE "
    } else {
        ""
    };
    let using = match index.algorithm {
        None => "",
        Some(IndexAlgorithm::Hash) => " USING HASH ",
        Some(IndexAlgorithm::Gist) => " USING GIST ",
        Some(IndexAlgorithm::Gin) => " USING GIN ",
        Some(IndexAlgorithm::SpGist) => " USING SPGIST ",
        Some(IndexAlgorithm::Brin) => " USING BRIN ",
    };
    let columns: Vec<String> = index
        .columns
        .iter()
        .map(|column| {
            let mut rendered = match &column.expression {
                Some(expression) => format!("({expression})"),
                None => ident(&column.name),
            };
            if let Some(class) = &column.operator_class {
                rendered.push(' ');
                rendered.push_str(class);
            }
            match column.sort {
                Some(SortOrder::Asc) => rendered.push_str(" ASC"),
                Some(SortOrder::Desc) => rendered.push_str(" DESC"),
                None => {}
            }
            rendered
        })
        .collect();
    let mut out = format!(
        "CREATE {unique}INDEX {} ON {}{using}({})",
        ident(&index.name),
        object(table),
        columns.join(", ")
    );
    if !index.include.is_empty() {
        out.push_str(&format!(
            " INCLUDE ({})",
            quoted_list(index.include.iter().map(String::as_str), ", ")
        ));
    }
    if let Some(predicate) = &index.predicate {
        out.push_str(&format!(" WHERE {predicate}"));
    }
    out
}

/// A constraint's index goes with its constraint (`DROP INDEX` fails on it).
fn drop_index(table: &ObjectName, index: &Index) -> String {
    if index.constraint_backed {
        return format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            object(table),
            ident(&index.name)
        );
    }
    format!(
        "DROP INDEX {}",
        qualified(table.namespace.as_deref(), &index.name)
    )
}

/// [`create_index`] built without blocking writes (outside a transaction).
pub(crate) fn create_index_concurrently(table: &ObjectName, index: &Index) -> String {
    create_index(table, index).replacen(" INDEX ", " INDEX CONCURRENTLY ", 1)
}

/// [`drop_index`] without blocking writes (outside a transaction).
pub(crate) fn drop_index_concurrently(table: &ObjectName, index: &Index) -> String {
    drop_index(table, index).replacen("DROP INDEX ", "DROP INDEX CONCURRENTLY ", 1)
}

/// An index created or dropped without blocking writes, as a statement of its own; other
/// changes as [`render_change`] writes them.
pub(crate) fn render_index_online(change: &Change) -> String {
    match change {
        Change::CreateIndex { table, index } => {
            format!("{};", create_index_concurrently(table, index))
        }
        Change::DropIndex { table, index } if !index.constraint_backed => {
            format!("{};", drop_index_concurrently(table, index))
        }
        other => render_change(other),
    }
}

pub(crate) fn add_foreign_key(table: &ObjectName, foreign_key: &ForeignKey) -> String {
    let constraint = match &foreign_key.name {
        Some(name) => format!("CONSTRAINT {} ", ident(name)),
        None => String::new(),
    };
    format!(
        "ALTER TABLE {} ADD {constraint}FOREIGN KEY ({}) REFERENCES {}({}) ON DELETE {} ON UPDATE {}",
        object(table),
        quoted_list(foreign_key.columns.iter().map(String::as_str), ", "),
        object(&foreign_key.referenced_table),
        quoted_list(
            foreign_key.referenced_columns.iter().map(String::as_str),
            ", "
        ),
        foreign_key.on_delete.as_sql(),
        foreign_key.on_update.as_sql()
    )
}

fn add_primary_key(primary_key: &PrimaryKey) -> String {
    let constraint = match &primary_key.name {
        Some(name) => format!("CONSTRAINT {} ", ident(name)),
        None => String::new(),
    };
    format!(
        "ADD {constraint}PRIMARY KEY ({})",
        quoted_list(primary_key.columns.iter().map(|c| c.name.as_str()), ", ")
    )
}

/// One `ALTER TABLE` with its clauses joined by `,\n`, plus the statements that must run before
/// it (renamed columns, `CREATE SEQUENCE`) and after it (renaming the primary key, sequence
/// ownership). `RENAME COLUMN` cannot share an `ALTER TABLE` with other clauses, so each is a
/// statement of its own, first: the clauses name columns by their new names.
fn render_alter_table(table: &ObjectName, changes: &[TableChange]) -> Vec<String> {
    let mut column_renames = Vec::new();
    let mut before = Vec::new();
    let mut clauses = Vec::new();
    let mut renames = Vec::new();
    let mut after = Vec::new();
    // Partitions keeping a column made nullable `NOT NULL` of their own refuse the change: it
    // goes around them, detached, and reaches them alone where the target makes them nullable.
    let (mut detaches, mut partitions_made_nullable, mut attaches) =
        (Vec::new(), Vec::new(), Vec::new());
    for change in changes {
        match change {
            TableChange::RenameColumn {
                from,
                to,
                auto_increment,
            } => {
                column_renames.push(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    object(table),
                    ident(from),
                    ident(to)
                ));
                if *auto_increment {
                    column_renames.push(rename_sequence(
                        table.namespace.as_deref(),
                        (&table.name, from),
                        (&table.name, to),
                    ));
                }
            }
            TableChange::DropPrimaryKey { name } => {
                let name = name
                    .clone()
                    .unwrap_or_else(|| format!("{}_pkey", table.name));
                clauses.push(format!("DROP CONSTRAINT {}", ident(&name)));
            }
            TableChange::RenamePrimaryKey { from, to } => renames.push(format!(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                object(table),
                ident(from),
                ident(to)
            )),
            TableChange::DropColumn { column } => {
                clauses.push(format!("DROP COLUMN {}", ident(&column.name)));
            }
            TableChange::AddColumn { column } => {
                clauses.push(format!("ADD COLUMN {}", render_column(column)));
            }
            TableChange::AlterColumn(change) => {
                alter_column(table, change, &mut before, &mut clauses, &mut after);
                for detached in &change.detached_partitions {
                    let name = qualified(table.namespace.as_deref(), &detached.partition.name);
                    if !detached.keeps_not_null {
                        partitions_made_nullable.push(format!(
                            "ALTER TABLE {name} ALTER COLUMN {} DROP NOT NULL",
                            ident(&change.to.name)
                        ));
                    }
                    let detach = format!(
                        "ALTER TABLE {} DETACH PARTITION {name}",
                        object(&detached.parent)
                    );
                    if !detaches.contains(&detach) {
                        detaches.push(detach);
                        attaches.push(format!(
                            "ALTER TABLE {} ATTACH PARTITION {name} {}",
                            object(&detached.parent),
                            detached.partition.bound
                        ));
                    }
                }
            }
            TableChange::DropAndRecreateColumn { from, to } => {
                clauses.push(format!("DROP COLUMN {}", ident(&from.name)));
                clauses.push(format!("ADD COLUMN {}", render_column(to)));
            }
            TableChange::AddPrimaryKey { primary_key } => {
                clauses.push(add_primary_key(primary_key));
            }
            // First, alone: the clauses after it must not reach through the parent.
            TableChange::NoInherit {
                parent,
                dropped_checks,
            } => {
                column_renames.push(format!(
                    "ALTER TABLE {} NO INHERIT {}",
                    object(table),
                    object(parent)
                ));
                column_renames.extend(dropped_checks.iter().map(|check| {
                    format!(
                        "ALTER TABLE {} DROP CONSTRAINT {}",
                        object(table),
                        ident(check)
                    )
                }));
            }
            TableChange::Inherit {
                parent,
                added_checks,
            } => {
                before.extend(
                    added_checks
                        .iter()
                        .map(|check| add_check(&object(table), check)),
                );
                clauses.push(format!("INHERIT {}", object(parent)));
            }
        }
    }
    let mut statements = column_renames;
    statements.extend(detaches);
    statements.extend(before);
    if !clauses.is_empty() {
        statements.push(format!(
            "ALTER TABLE {} {}",
            object(table),
            clauses.join(",\n")
        ));
    }
    statements.extend(renames);
    statements.extend(after);
    statements.extend(partitions_made_nullable);
    statements.extend(attaches);
    statements
}

/// `check` added to `table` (a rendered name), as a table that joins a parent needs it first.
fn add_check(table: &str, check: &CheckConstraint) -> String {
    format!(
        "ALTER TABLE {table} ADD CONSTRAINT {} {}",
        ident(&check.name),
        check.expression
    )
}

/// The clauses of one altered column: nullability, then the default, then the sequence of an
/// auto-increment change, then the type.
fn alter_column(
    table: &ObjectName,
    change: &ColumnChange,
    before: &mut Vec<String>,
    clauses: &mut Vec<String>,
    after: &mut Vec<String>,
) {
    let (from, to) = (&change.from, &change.to);
    let prefix = format!("ALTER COLUMN {}", ident(&from.name));
    let mut set_type = change.type_change.is_some();

    if change.arity_changed {
        match (from.arity, to.arity) {
            // Tables inheriting the column that keep it `NOT NULL` would refuse the change.
            (ColumnArity::Required, ColumnArity::Nullable) => {
                if let Some(inheritors) = &change.inheritors_made_nullable {
                    before.extend(std::iter::once(table).chain(inheritors).map(|table| {
                        format!("ALTER TABLE ONLY {} {prefix} DROP NOT NULL", object(table))
                    }));
                } else {
                    clauses.push(format!("{prefix} DROP NOT NULL"));
                }
            }
            (ColumnArity::Nullable, ColumnArity::Required) => {
                clauses.push(format!("{prefix} SET NOT NULL"));
            }
            (ColumnArity::List, ColumnArity::Nullable) => {
                set_type = true;
                clauses.push(format!("{prefix} DROP NOT NULL"));
            }
            (ColumnArity::List, ColumnArity::Required) => {
                set_type = true;
                clauses.push(format!("{prefix} SET NOT NULL"));
            }
            (ColumnArity::Nullable | ColumnArity::Required, ColumnArity::List) => set_type = true,
            _ => {}
        }
    }

    // An identity column's sequence goes with `DROP IDENTITY`, before any new default.
    let removes_identity = change.auto_increment_changed && from.identity.is_some();
    if removes_identity {
        clauses.push(format!("{prefix} DROP IDENTITY"));
    }
    let removes_sequence =
        change.auto_increment_changed && from.auto_increment && !removes_identity;
    if change.default_changed {
        match &to.default {
            Some(default) => clauses.push(format!(
                "{prefix} SET DEFAULT {}",
                render_default(default, &column_type(to))
            )),
            // Dropping the sequence below drops the default too.
            None if removes_sequence => {}
            None => clauses.push(format!("{prefix} DROP DEFAULT")),
        }
    }

    if change.identity_changed
        && let Some(identity) = to.identity
    {
        let kind = match identity {
            Identity::Always => "ALWAYS",
            Identity::ByDefault => "BY DEFAULT",
        };
        clauses.push(format!("{prefix} SET GENERATED {kind}"));
    }

    if change.auto_increment_changed && !removes_identity {
        if let (false, Some(identity)) = (from.auto_increment, to.identity) {
            clauses.push(format!("{prefix} ADD {}", identity_clause(identity)));
        } else if let (None, Some(identity)) = (from.identity, to.identity) {
            // A serial column made an identity column: its sequence goes first (the identity's
            // sequence takes the same name), and the new one continues after the existing rows.
            before.push(format!(
                "ALTER TABLE {} {prefix} DROP DEFAULT",
                object(table)
            ));
            before.push(format!(
                "DROP SEQUENCE {}",
                qualified(
                    table.namespace.as_deref(),
                    &serial_sequence_name(&table.name, &from.name)
                )
            ));
            clauses.push(format!("{prefix} ADD {}", identity_clause(identity)));
            after.push(format!(
                "SELECT setval(pg_get_serial_sequence({}, {}), coalesce(max({}), 0) + 1, false) FROM {}",
                string_literal(&object(table)),
                string_literal(&to.name),
                ident(&to.name),
                object(table)
            ));
        } else if from.auto_increment {
            // Setting a new default already replaced `nextval(...)`.
            if to.default.is_none() || !change.default_changed {
                clauses.push(format!("{prefix} DROP DEFAULT"));
            }
            after.push(format!(
                "DROP SEQUENCE {}",
                qualified(
                    table.namespace.as_deref(),
                    &serial_sequence_name(&table.name, &from.name)
                )
            ));
        } else {
            // Named as for a `SERIAL` column, so that removing auto-increment again (which
            // drops `"T_c_seq"`) and renames find it. Prisma folds the name to lower case,
            // which names another sequence when the table or column has capitals.
            let name = serial_sequence_name(&table.name, &to.name);
            let plain = !name.starts_with(|c: char| c.is_ascii_digit())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            let name = if plain { name } else { ident(&name) };
            let sequence = match table.namespace.as_deref() {
                Some(namespace) => format!("{}.{name}", ident(namespace)),
                None => name,
            };
            before.push(format!("CREATE SEQUENCE {sequence}"));
            clauses.push(format!(
                "{prefix} SET DEFAULT nextval({})",
                string_literal(&sequence)
            ));
            after.push(format!(
                "ALTER SEQUENCE {sequence} OWNED BY {}.{}",
                object(table),
                ident(&to.name)
            ));
        }
    }

    if set_type || change.collation_changed {
        // Without `COLLATE` a new type takes its default collation: a kept one is named again.
        let collation = to.collation.as_deref().or(from.collation.as_deref());
        clauses.push(format!(
            "{prefix} SET DATA TYPE {}{}",
            plain_column_type(to),
            collate_clause(collation)
        ));
        // An identity column's sequence follows its column's type; a serial column's keeps the
        // type it was made with (an `INTEGER` sequence stops at 2^31 - 1 under a `BIGINT`).
        let integer = matches!(
            to.column_type.native.as_str(),
            "SMALLINT" | "INTEGER" | "BIGINT"
        );
        if set_type
            && integer
            && to.arity != ColumnArity::List
            && from.auto_increment
            && from.identity.is_none()
            && to.auto_increment
            && !change.auto_increment_changed
        {
            after.push(format!(
                "ALTER SEQUENCE {} AS {}",
                qualified(
                    table.namespace.as_deref(),
                    &serial_sequence_name(&table.name, &to.name)
                ),
                to.column_type.native
            ));
        }
    }
}

/// Renames the sequence of a `SERIAL` or identity column after its table or column was renamed
/// (PostgreSQL keeps the old name), so that it is named as it would be for a new column and later
/// changes find it. `IF EXISTS`: a sequence made by hand under another name is left as it is.
fn rename_sequence(namespace: Option<&str>, from: (&str, &str), to: (&str, &str)) -> String {
    format!(
        "ALTER SEQUENCE IF EXISTS {} RENAME TO {}",
        qualified(namespace, &serial_sequence_name(from.0, from.1)),
        ident(&serial_sequence_name(to.0, to.1))
    )
}

/// The name PostgreSQL gives the sequence of a `SERIAL` column: `{table}_{column}_seq`, with the
/// longer of the two parts shortened until the name fits in 63 bytes.
fn serial_sequence_name(table: &str, column: &str) -> String {
    let available = MAX_IDENTIFIER_LENGTH - "_".len() - "_seq".len();
    let (mut table_len, mut column_len) = (table.len(), column.len());
    while table_len + column_len > available {
        if table_len > column_len {
            table_len -= 1;
        } else {
            column_len -= 1;
        }
    }
    format!(
        "{}_{}_seq",
        truncate(table, table_len),
        truncate(column, column_len)
    )
}

/// `name` cut to at most `len` bytes, on a character boundary.
fn truncate(name: &str, len: usize) -> &str {
    let mut end = len.min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

fn render_alter_enum(alter: &AlterEnum) -> Vec<String> {
    let enum_name = object(&alter.name);
    if alter.removed.is_empty() {
        let mut statements: Vec<String> = alter
            .added
            .iter()
            .map(|value| format!("ALTER TYPE {enum_name} ADD VALUE {}", string_literal(value)))
            .collect();
        if statements.len() > 1 {
            statements[0] = format!("{ENUM_VALUES_COMMENT}\n\n{}", statements[0]);
        }
        return statements;
    }

    let namespace = alter.name.namespace.as_deref();
    let new_name = qualified(namespace, &format!("{}_new", alter.name.name));
    let old_name = format!("{}_old", alter.name.name);
    let mut statements = vec![
        "BEGIN".to_owned(),
        format!(
            "CREATE TYPE {new_name} AS ENUM ({})",
            enum_values(&alter.next_values)
        ),
    ];
    for usage in alter
        .columns
        .iter()
        .filter(|u| u.previous_default.is_some())
    {
        statements.push(format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
            object(&usage.table),
            ident(&usage.column.name)
        ));
    }
    for usage in &alter.columns {
        let array = if usage.column.arity == ColumnArity::List {
            "[]"
        } else {
            ""
        };
        let column = ident(&usage.column.name);
        statements.push(format!(
            "ALTER TABLE {} ALTER COLUMN {column} TYPE {new_name}{array} USING \
             ({column}::text::{new_name}{array})",
            object(&usage.table)
        ));
    }
    statements.push(format!(
        "ALTER TYPE {enum_name} RENAME TO {}",
        ident(&old_name)
    ));
    statements.push(format!(
        "ALTER TYPE {new_name} RENAME TO {}",
        ident(&alter.name.name)
    ));
    statements.push(format!("DROP TYPE {}", qualified(namespace, &old_name)));
    for usage in alter
        .columns
        .iter()
        .filter(|u| u.previous_default.is_some())
    {
        if let Some(default) = &usage.column.default {
            statements.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}",
                object(&usage.table),
                ident(&usage.column.name),
                render_default(default, &column_type(&usage.column))
            ));
        }
    }
    statements.push("COMMIT".to_owned());
    statements
}

/// Rebuilds a table through a temporary copy. PostgreSQL alters tables in place, so the differ
/// does not ask for this; it is rendered the way Prisma renders it should it come.
fn redefine_table(redefine: &RedefineTable) -> Vec<String> {
    let next = &redefine.next;
    let previous = &redefine.previous;
    let temporary = format!("_prisma_new_{}", next.name);
    let temporary_qualified = qualified(next.namespace.as_deref(), &temporary);
    let next_name = next.object_name();
    let previous_name = previous.object_name();

    let mut statements = vec![create_table(next, &temporary_qualified)];
    statements.extend(
        previous
            .indexes
            .iter()
            .map(|index| drop_index(&previous_name, index)),
    );
    if !redefine.copied_columns.is_empty() {
        let columns = quoted_list(redefine.copied_columns.iter().map(|c| c.name.as_str()), ",");
        let sources = quoted_list(
            redefine
                .copied_columns
                .iter()
                .map(|c| c.from.as_deref().unwrap_or(&c.name)),
            ",",
        );
        statements.push(format!(
            "INSERT INTO {temporary_qualified} ({columns}) SELECT {sources} FROM {}",
            ident(&previous.name)
        ));
    }
    statements.push(format!("DROP TABLE {} CASCADE", object(&previous_name)));
    statements.push(format!(
        "ALTER TABLE {temporary_qualified} RENAME TO {}",
        ident(&next.name)
    ));
    statements.extend(
        next.indexes
            .iter()
            .map(|index| create_index(&next_name, index)),
    );
    statements.extend(
        next.foreign_keys
            .iter()
            .map(|foreign_key| add_foreign_key(&next_name, foreign_key)),
    );
    statements
}

/// How PostgreSQL SQL is split into statements: nested block comments, dollar-quoted and
/// `E'...'` strings, and `BEGIN ATOMIC ... END` function bodies.
pub(crate) const LEXICAL_RULES: LexicalRules = LexicalRules {
    nested_block_comments: true,
    dollar_quoted_strings: true,
    escape_strings: true,
    hash_comments: false,
    backslash_escapes: false,
    double_quoted_strings: false,
    identifier_quotes: &[],
    bodies: &[Body {
        in_statements: &[],
        opened_by: &["BEGIN", "ATOMIC"],
        nested: &["CASE"],
    }],
    folds_unquoted_names: true,
};

/// Why `script` must run outside a transaction, or `None` when it can run inside one.
///
/// Only SQL is considered: words inside comments, string literals, quoted identifiers and
/// dollar-quoted bodies (`DO $$ BEGIN ... END $$`) are ignored.
pub(crate) fn needs_no_transaction(script: &str) -> Option<String> {
    sql_scan::statements(script, &LEXICAL_RULES)
        .iter()
        .find_map(|statement| {
            let words: Vec<&str> = statement.words.iter().map(String::as_str).collect();
            statement_reason(&words)
        })
}

fn statement_reason(words: &[&str]) -> Option<String> {
    let contains = |word: &str| words.contains(&word);
    let starts = |prefix: &[&str]| words.starts_with(prefix);
    let reason = |what: &str| {
        Some(format!(
            "the script contains `{what}`, which cannot run inside a transaction"
        ))
    };
    match words.first().copied()? {
        // `ROLLBACK TO SAVEPOINT` works inside the migration's transaction.
        "ROLLBACK" if words.get(1) == Some(&"TO") => {}
        "BEGIN" | "COMMIT" | "ROLLBACK" | "END" | "ABORT" => {
            return Some(format!(
                "the script manages its own transaction (`{}`)",
                words[0]
            ));
        }
        "START" if starts(&["START", "TRANSACTION"]) => {
            return Some("the script manages its own transaction (`START TRANSACTION`)".into());
        }
        "VACUUM" => return reason("VACUUM"),
        "CREATE"
            if starts(&["CREATE", "INDEX", "CONCURRENTLY"])
                || starts(&["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]) =>
        {
            return reason("CREATE INDEX CONCURRENTLY");
        }
        "DROP" if starts(&["DROP", "INDEX", "CONCURRENTLY"]) => {
            return reason("DROP INDEX CONCURRENTLY");
        }
        "REINDEX" if contains("CONCURRENTLY") => return reason("REINDEX CONCURRENTLY"),
        "REINDEX" if contains("DATABASE") || contains("SYSTEM") => {
            return reason("REINDEX DATABASE");
        }
        "ALTER"
            if starts(&["ALTER", "TABLE"]) && contains("DETACH") && contains("CONCURRENTLY") =>
        {
            return reason("DETACH PARTITION CONCURRENTLY");
        }
        "ALTER" if starts(&["ALTER", "SYSTEM"]) => return reason("ALTER SYSTEM"),
        "CREATE" | "DROP" if words.get(1) == Some(&"DATABASE") => {
            return reason(&format!("{} DATABASE", words[0]));
        }
        "CREATE" | "DROP" if words.get(1) == Some(&"TABLESPACE") => {
            return reason(&format!("{} TABLESPACE", words[0]));
        }
        _ => {}
    }
    None
}

/// The header and statements creating (`create`) or dropping an object made by hand, from the
/// definition introspection read (`pg_get_viewdef`, `pg_get_functiondef`, `pg_get_triggerdef`).
pub(crate) fn render_hand_made(
    object: HandMadeObject<'_>,
    create: bool,
) -> Option<(&'static str, String)> {
    // `pg_get_viewdef` ends its query with `;`, `pg_get_functiondef` with a newline.
    let body = |definition: &str| definition.trim_end().trim_end_matches(';').to_owned();
    let statement = match object {
        HandMadeObject::View(view) => {
            let name = qualified(view.namespace.as_deref(), &view.name);
            if create {
                format!(
                    "CREATE OR REPLACE VIEW {name} AS\n{}",
                    body(&view.definition)
                )
            } else {
                format!("DROP VIEW {name}")
            }
        }
        HandMadeObject::Carried(object) => {
            let namespace = object.namespace.as_deref();
            let table = object.table.as_deref().map(|t| qualified(namespace, t));
            match (object.kind, create, table) {
                (OpaqueKind::Function | OpaqueKind::Procedure | OpaqueKind::Trigger, true, _) => {
                    body(&object.definition)
                }
                (OpaqueKind::Function | OpaqueKind::Procedure, false, _) => {
                    // Named with its argument types: `touch()`, `add(a integer, b integer)`.
                    let (name, arguments) = object
                        .name
                        .split_once('(')
                        .unwrap_or((object.name.as_str(), ")"));
                    let kind = if object.kind == OpaqueKind::Function {
                        "FUNCTION"
                    } else {
                        "PROCEDURE"
                    };
                    format!("DROP {kind} {}({arguments}", qualified(namespace, name))
                }
                (OpaqueKind::Trigger, false, Some(table)) => {
                    format!("DROP TRIGGER {} ON {table}", ident(&object.name))
                }
                (OpaqueKind::ExclusionConstraint, true, Some(table)) => format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {} {}",
                    ident(&object.name),
                    body(&object.definition)
                ),
                (OpaqueKind::ExclusionConstraint, false, Some(table)) => format!(
                    "ALTER TABLE {table} DROP CONSTRAINT {}",
                    ident(&object.name)
                ),
                // The only other carried objects are materialized views.
                (OpaqueKind::Other, true, None) => format!(
                    "CREATE MATERIALIZED VIEW {} AS\n{}",
                    qualified(namespace, &object.name),
                    body(&object.definition)
                ),
                (OpaqueKind::Other, false, None) => format!(
                    "DROP MATERIALIZED VIEW {}",
                    qualified(namespace, &object.name)
                ),
                _ => return None,
            }
        }
        HandMadeObject::Check(table, check) => {
            let name = qualified(table.namespace.as_deref(), &table.name);
            let constraint = ident(&check.name);
            match check.expression.strip_suffix(" NOT VALID") {
                _ if !create => format!("ALTER TABLE {name} DROP CONSTRAINT {constraint}"),
                // Left unchecked by hand: rows that break it stay.
                Some(_) => format!(
                    "ALTER TABLE {name} ADD CONSTRAINT {constraint} {}",
                    check.expression
                ),
                // Added without a long lock, then the existing rows are checked.
                None => format!(
                    "ALTER TABLE {name} ADD CONSTRAINT {constraint} {} NOT VALID;\n\
                     ALTER TABLE {name} VALIDATE CONSTRAINT {constraint}",
                    check.expression
                ),
            }
        }
        HandMadeObject::TableComment(table) => format!(
            "COMMENT ON TABLE {} IS {}",
            qualified(table.namespace.as_deref(), &table.name),
            comment_literal(table.comment.as_deref().filter(|_| create))
        ),
        HandMadeObject::ColumnComment(table, column) => format!(
            "COMMENT ON COLUMN {}.{} IS {}",
            qualified(table.namespace.as_deref(), &table.name),
            ident(&column.name),
            comment_literal(column.comment.as_deref().filter(|_| create))
        ),
    };
    let header = match (object, create) {
        (HandMadeObject::View(_), true) => "CreateView",
        (HandMadeObject::View(_), false) => "DropView",
        (HandMadeObject::Check(..), true) => "AddCheckConstraint",
        (HandMadeObject::Check(..), false) => "DropCheckConstraint",
        (HandMadeObject::TableComment(_) | HandMadeObject::ColumnComment(..), true) => "Comment",
        (HandMadeObject::TableComment(_) | HandMadeObject::ColumnComment(..), false) => {
            "DropComment"
        }
        (HandMadeObject::Carried(object), create) => match (object.kind, create) {
            (OpaqueKind::Function, true) => "CreateFunction",
            (OpaqueKind::Function, false) => "DropFunction",
            (OpaqueKind::Procedure, true) => "CreateProcedure",
            (OpaqueKind::Procedure, false) => "DropProcedure",
            (OpaqueKind::Trigger, true) => "CreateTrigger",
            (OpaqueKind::Trigger, false) => "DropTrigger",
            (OpaqueKind::ExclusionConstraint, true) => "AddConstraint",
            (OpaqueKind::ExclusionConstraint, false) => "DropConstraint",
            (OpaqueKind::Other, true) => "CreateMaterializedView",
            (OpaqueKind::Other, false) => "DropMaterializedView",
            // PostgreSQL has no events: the statement above was not written.
            (OpaqueKind::Event, _) => return None,
        },
    };
    Some((header, format!("{statement};")))
}

/// A comment as a string literal, `NULL` to remove it.
fn comment_literal(comment: Option<&str>) -> String {
    comment.map_or_else(|| "NULL".to_owned(), string_literal)
}

#[cfg(test)]
mod tests {
    use super::serial_sequence_name;

    #[test]
    fn serial_sequences_are_named_like_postgres_does() {
        assert_eq!(serial_sequence_name("User", "id"), "User_id_seq");
        let long = "a".repeat(60);
        let name = serial_sequence_name(&long, "column_name");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_column_name_seq", "a".repeat(47)));
    }
}
