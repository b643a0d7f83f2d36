//! The points where the generic differ asks the dialect.

use drydock_schema::{Column, DefaultValue, Table};

use crate::{TableChange, TypeChange};

/// Dialect-specific answers for the differ. Each dialect implements this once.
pub trait DiffHooks {
    /// How `from`'s type becomes `to`'s; `None` if the types are the same for this dialect.
    fn column_type_change(&self, from: &Column, to: &Column) -> Option<TypeChange>;

    /// Whether `ALTER TABLE` can express `change` on `table`. When it returns false for any
    /// change of a table, the whole table is redefined (create, copy, drop, rename).
    fn alters_in_place(&self, table: &Table, change: &TableChange) -> bool;

    /// Whether foreign keys can be added to or dropped from an existing table without
    /// redefining it.
    fn foreign_keys_alter_in_place(&self) -> bool;

    /// Whether an index can be renamed (`ALTER INDEX ... RENAME`); otherwise it is dropped and
    /// recreated.
    fn renames_indexes(&self) -> bool;

    /// Whether foreign keys carry names that are worth comparing.
    fn compares_foreign_key_names(&self) -> bool;

    /// Whether a foreign key can be renamed; otherwise it is dropped and added again.
    fn renames_foreign_keys(&self) -> bool {
        true
    }

    /// Whether a new table's indexes are part of its `CREATE TABLE` (MySQL), rather than
    /// `CreateIndex` steps of their own.
    fn creates_indexes_with_table(&self) -> bool {
        false
    }

    /// Whether the database gives each foreign key an index of its own when none covers its
    /// columns (MySQL). A plain index over exactly a foreign key's columns is then never
    /// dropped on its own: the database needs it, and creates it again if it could.
    fn indexes_foreign_keys(&self) -> bool {
        false
    }

    /// Whether two defaults of `column` that differ as values are one default to the database,
    /// which spells them its own way (MySQL reads `1.5` back as `1.50` from a `DECIMAL(10,2)`).
    fn same_default(&self, _column: &Column, _from: &DefaultValue, _to: &DefaultValue) -> bool {
        false
    }

    /// Whether an index built with operator class `class` is built as one that names none,
    /// because `class` is the default of its index method for its type.
    fn is_default_operator_class(&self, _class: &str) -> bool {
        false
    }
}
