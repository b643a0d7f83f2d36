//! The changes the differ produces. Variant order is execution order: sorting a change list by
//! [`Change::phase`] (stable) gives a script that runs without dependency errors.

use drydock_schema::{
    CheckConstraint, Column, Enum, Extension, ForeignKey, Index, ObjectName, OpaqueObject,
    Partition, PrimaryKey, Table,
};
use serde::Serialize;

/// One step of a migration. Every variant carries the objects it needs, so a renderer never
/// looks anything up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Change {
    CreateSchema {
        namespace: String,
    },
    /// An extension dropped: to be created again with another version or schema (`recreated`:
    /// early, before anything uses it), or one the target database does not have (last, once
    /// nothing uses it any more).
    DropExtension {
        extension: Extension,
        recreated: bool,
    },
    CreateExtension {
        extension: Extension,
    },
    /// An extension moved to another version or schema in place.
    AlterExtension {
        name: String,
        /// The version to update to, when it changes.
        version: Option<String>,
        /// The schema to move to, when it changes.
        namespace: Option<String>,
    },
    CreateEnum {
        enum_type: Enum,
    },
    AlterEnum(AlterEnum),
    /// A table the schema says was renamed (`renamed_from`). Renames run before foreign keys
    /// and indexes are dropped, so every later step names the table by its new name. The
    /// table's own constraints and indexes keep their names: where the new name changes them
    /// (Prisma's default names embed the table name), the differ renames them too
    /// (`RenamePrimaryKey`, `RenameIndex`, `RenameForeignKey`) or recreates them where the
    /// dialect cannot rename them.
    RenameTable {
        from: ObjectName,
        to: ObjectName,
        /// The table's auto-increment columns, by their names before any column rename: where a
        /// dialect names their sequences after the table, those follow the new name.
        auto_increment_columns: Vec<String>,
    },
    DropForeignKey {
        table: ObjectName,
        foreign_key: ForeignKey,
    },
    DropIndex {
        table: ObjectName,
        index: Index,
    },
    AlterTable {
        table: ObjectName,
        changes: Vec<TableChange>,
    },
    /// A partition removed from its partitioned table: dropped, or with `detach` detached to
    /// live on as the table of that name the target has. A detached partition keeps the
    /// partitioned table's checks as its own: `dropped_checks` names them, to drop (the target
    /// table's own checks are added like any check made by hand).
    DropPartition {
        table: ObjectName,
        partition: Partition,
        detach: bool,
        dropped_checks: Vec<String>,
    },
    DropTable {
        table: Table,
    },
    DropEnum {
        enum_type: Enum,
    },
    CreateTable {
        table: Table,
    },
    /// A partition added to a partitioned table: created with its own keys, indexes and checks,
    /// or with `attach` made of the table of that name that exists already. PostgreSQL
    /// attaches a table only once it has the partitioned table's checks, and none of their
    /// names with another expression: `dropped_checks` go first, then `added_checks` (those of
    /// the partitioned table and the partition's own that it lacks) are added.
    CreatePartition {
        table: ObjectName,
        partition: Partition,
        attach: bool,
        dropped_checks: Vec<String>,
        added_checks: Vec<CheckConstraint>,
    },
    /// The own checks of a partition (`table`) kept on both sides: `dropped` go, `added` come.
    AlterPartitionChecks {
        table: ObjectName,
        dropped: Vec<String>,
        added: Vec<CheckConstraint>,
    },
    /// Tables rebuilt through the create-copy-drop-rename pattern, on dialects whose `ALTER
    /// TABLE` cannot express a change. All of them go into one step.
    RedefineTables {
        tables: Vec<RedefineTable>,
    },
    CreateIndex {
        table: ObjectName,
        index: Index,
    },
    RenameForeignKey {
        table: ObjectName,
        from: String,
        to: String,
    },
    AddForeignKey {
        table: ObjectName,
        foreign_key: ForeignKey,
    },
    RenameIndex {
        table: ObjectName,
        from: String,
        to: String,
    },
    /// Drop and recreate an index, where the dialect cannot rename one.
    RedefineIndex {
        table: ObjectName,
        from: Index,
        to: Index,
    },
}

impl Change {
    /// Position of this kind of change in a script.
    pub fn phase(&self) -> u8 {
        match self {
            Change::CreateSchema { .. } => 0,
            Change::DropExtension {
                recreated: true, ..
            } => 1,
            Change::CreateExtension { .. } => 2,
            Change::AlterExtension { .. } => 3,
            Change::CreateEnum { .. } => 4,
            Change::AlterEnum(_) => 5,
            Change::RenameTable { .. } => 6,
            Change::DropForeignKey { .. } => 7,
            Change::DropIndex { .. } => 8,
            Change::AlterTable { .. } => 9,
            Change::DropPartition { .. } => 10,
            Change::DropTable { .. } => 11,
            Change::DropEnum { .. } => 12,
            Change::CreateTable { .. } => 13,
            Change::CreatePartition { .. } => 14,
            Change::AlterPartitionChecks { .. } => 14,
            Change::RedefineTables { .. } => 15,
            Change::CreateIndex { .. } => 16,
            Change::RenameForeignKey { .. } => 17,
            Change::AddForeignKey { .. } => 18,
            Change::RenameIndex { .. } => 19,
            Change::RedefineIndex { .. } => 20,
            Change::DropExtension {
                recreated: false, ..
            } => 21,
        }
    }

    /// The section header Prisma writes above the step (`-- CreateTable`).
    pub fn header(&self) -> &'static str {
        match self {
            Change::CreateSchema { .. } => "CreateSchema",
            Change::DropExtension { .. } => "DropExtension",
            Change::CreateExtension { .. } => "CreateExtension",
            Change::AlterExtension { .. } => "AlterExtension",
            Change::CreateEnum { .. } => "CreateEnum",
            Change::AlterEnum(_) => "AlterEnum",
            Change::RenameTable { .. } => "RenameTable",
            Change::DropForeignKey { .. } => "DropForeignKey",
            Change::DropIndex { .. } => "DropIndex",
            Change::AlterTable { .. } => "AlterTable",
            Change::DropPartition { .. } => "DropPartition",
            Change::DropTable { .. } => "DropTable",
            Change::DropEnum { .. } => "DropEnum",
            Change::CreateTable { .. } => "CreateTable",
            Change::CreatePartition { .. } => "CreatePartition",
            Change::AlterPartitionChecks { .. } => "AlterPartitionChecks",
            Change::RedefineTables { .. } => "RedefineTables",
            Change::CreateIndex { .. } => "CreateIndex",
            Change::RenameForeignKey { .. } => "RenameForeignKey",
            Change::AddForeignKey { .. } => "AddForeignKey",
            Change::RenameIndex { .. } => "RenameIndex",
            Change::RedefineIndex { .. } => "RedefineIndex",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlterEnum {
    pub name: ObjectName,
    /// Values as they were.
    pub previous_values: Vec<String>,
    /// Values as they will be.
    pub next_values: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Columns (in the next schema) whose type is this enum; needed when values are removed and
    /// the type must be recreated.
    pub columns: Vec<EnumColumnUse>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumColumnUse {
    pub table: ObjectName,
    pub column: Column,
    /// The column's default in the previous schema, if it used an enum value.
    pub previous_default: Option<drydock_schema::DefaultValue>,
}

/// One clause of an `ALTER TABLE`, in the order a renderer writes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TableChange {
    /// A column the schema says was renamed (`renamed_from`); the clauses after it name the
    /// column by its new name.
    RenameColumn {
        from: String,
        to: String,
        /// Whether the column is auto-increment: where a dialect names its sequence after the
        /// column, that follows the new name.
        auto_increment: bool,
    },
    DropPrimaryKey {
        name: Option<String>,
    },
    RenamePrimaryKey {
        from: String,
        to: String,
    },
    DropColumn {
        column: Column,
    },
    AddColumn {
        column: Column,
    },
    AlterColumn(ColumnChange),
    /// The type cannot be cast: drop the column and add it again.
    DropAndRecreateColumn {
        from: Column,
        to: Column,
    },
    AddPrimaryKey {
        primary_key: PrimaryKey,
    },
    /// The table stops inheriting from `parent`, before any other change: the columns and
    /// checks it inherited become its own, and the parent's changes no longer reach it. The
    /// checks named in `dropped_checks` (the parent's, which the target table lacks) go then.
    NoInherit {
        parent: ObjectName,
        dropped_checks: Vec<String>,
    },
    /// The table starts inheriting from `parent`: in an `AlterTable` of its own, once both have
    /// their final columns (the differ places it after every other table change). PostgreSQL
    /// wants the parent's checks on it first: `added_checks` are those it lacks.
    Inherit {
        parent: ObjectName,
        added_checks: Vec<CheckConstraint>,
    },
}

impl TableChange {
    pub(crate) fn order(&self) -> u8 {
        match self {
            TableChange::NoInherit { .. } | TableChange::RenameColumn { .. } => 0,
            TableChange::DropPrimaryKey { .. } => 1,
            TableChange::RenamePrimaryKey { .. } => 2,
            TableChange::DropColumn { .. } => 3,
            TableChange::AddColumn { .. } => 4,
            // Column alterations interleave in the previous column order.
            TableChange::DropAndRecreateColumn { .. } | TableChange::AlterColumn(_) => 5,
            TableChange::AddPrimaryKey { .. } => 6,
            TableChange::Inherit { .. } => 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnChange {
    pub from: Column,
    pub to: Column,
    pub arity_changed: bool,
    pub default_changed: bool,
    /// Auto-increment comes or goes, or a serial column becomes an identity column.
    pub auto_increment_changed: bool,
    /// Both sides are identity columns, one `ALWAYS` and the other `BY DEFAULT`.
    pub identity_changed: bool,
    /// The target names a collation other than the column's.
    pub collation_changed: bool,
    /// The target (read back from a database) sets the column on update (MySQL's
    /// `ON UPDATE`) otherwise than the column does.
    pub on_update_changed: bool,
    /// `Some` when the column becomes nullable while a table inheriting it keeps it `NOT NULL`
    /// (its own primary key, say): the change must not reach that one, or it fails. It is made
    /// on this table alone (PostgreSQL's `ALTER TABLE ONLY`), then on each inheritor listed
    /// here alone, those the target makes nullable too.
    pub inheritors_made_nullable: Option<Vec<ObjectName>>,
    /// When the column becomes nullable on a partitioned table some of whose partitions keep
    /// a column so made `NOT NULL` of their own (their own primary key, say), those partitions:
    /// the change must not reach them, or it fails, so they are detached around it. Every
    /// column the table makes nullable lists them all.
    pub detached_partitions: Vec<DetachedPartition>,
    /// `None` when the type is unchanged.
    pub type_change: Option<TypeChange>,
}

/// A partition detached from `parent` while a column becomes nullable there, then attached again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetachedPartition {
    pub parent: ObjectName,
    pub partition: Partition,
    /// Whether the partition keeps the column `NOT NULL` once attached again; if not, it is made
    /// nullable on the partition alone while detached.
    pub keeps_not_null: bool,
}

/// How risky a column type change is, as judged by the dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TypeChange {
    /// The database casts every value without loss (e.g. `INTEGER` to `BIGINT`).
    SafeCast,
    /// The database can cast but values may be lost or the cast may fail.
    RiskyCast,
    /// No cast exists; the column is dropped and recreated.
    NotCastable,
}

/// One table rebuilt from scratch, with what to copy from the old one. `previous` carries the
/// table's current name (after any `RenameTable`) and its columns under their new names; a
/// renamed column is read from [`CopiedColumn::from`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedefineTable {
    pub previous: Table,
    pub next: Table,
    /// Columns copied over, in byte order of their names.
    pub copied_columns: Vec<CopiedColumn>,
    /// The table's triggers, as introspected: dropping the old table drops them, so the
    /// rebuild creates them again.
    pub triggers: Vec<OpaqueObject>,
    /// Views or other tables' triggers name the table: they must survive the moment it is
    /// missing.
    pub named_by_hand_made: bool,
    /// The table's name before a rename in this migration: its triggers, as introspected, name
    /// the table by it.
    pub renamed_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopiedColumn {
    /// The column's name in the rebuilt table.
    pub name: String,
    /// The column's name in the previous table, when the column is renamed on the way.
    pub from: Option<String>,
    /// The column became required and has a default: copy `coalesce(old, default)`.
    pub coalesce_default: Option<drydock_schema::DefaultValue>,
}
