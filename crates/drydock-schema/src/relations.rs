//! A relation of the datamodel as plain data: which rows of one table point at rows of another,
//! and what deleting the row pointed at does to them. Lowering states the relations whether or
//! not it creates foreign keys for them (`relationMode = "prisma"` creates none), so that what
//! comes after lowering can find rows whose reference leads nowhere without knowing the
//! datamodel.

use serde::{Deserialize, Serialize};

use crate::{ObjectName, ReferentialAction};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// `Model.field` of the side holding the reference (`_Name.A` for the columns of an
    /// implicit many-to-many join table): how people select it (`--only`).
    pub name: String,
    /// The table holding the reference (the child).
    pub table: ObjectName,
    /// The referencing columns of `table`, in the order of `referenced_columns`.
    pub columns: Vec<String>,
    /// The table referenced (the parent).
    pub referenced_table: ObjectName,
    pub referenced_columns: Vec<String>,
    /// What deleting the parent row does to the child rows (Prisma's default when not written).
    pub on_delete: ReferentialAction,
    /// Every referencing column is required: the reference cannot be set to `NULL`.
    pub required: bool,
    /// Lowering creates a foreign key for it (`relationMode = "foreignKeys"`).
    pub enforced: bool,
}
