//! Destructive and unexecutable changes, worded as Prisma words them in migration files.

use drydock_schema::{Enum, ObjectName, Table};
use serde::Serialize;

/// A change that may lose data or fail on a table with rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
    /// The table the change touches (the enum, for removed enum values), so that its rows can
    /// be checked.
    #[serde(skip)]
    pub subject: ObjectName,
    /// The columns the change touches (the new unique key's, or the one column).
    #[serde(skip)]
    pub columns: Vec<String>,
}

impl Warning {
    /// Stable code shown to users and used by `--json` output.
    pub fn code(&self) -> &'static str {
        match self.kind {
            WarningKind::DropTable => "D2001",
            WarningKind::DropColumn => "D2002",
            WarningKind::RiskyCast => "D2003",
            WarningKind::DropAndRecreateColumn => "D2004",
            WarningKind::PrimaryKeyChange => "D2005",
            WarningKind::UniqueAdded => "D2006",
            WarningKind::EnumValuesRemoved => "D2007",
            WarningKind::RequiredColumnWithoutDefault => "D2101",
            WarningKind::MadeRequired => "D2102",
            WarningKind::Renamed => "D2201",
        }
    }

    /// Loses data when applied (as opposed to failing on existing rows).
    pub fn is_data_loss(&self) -> bool {
        !self.is_unexecutable() && !self.is_notice()
    }

    /// Neither loses data nor fails, but deserves a word: a rename keeps the data and breaks
    /// application versions that still use the old name.
    pub fn is_notice(&self) -> bool {
        self.kind == WarningKind::Renamed
    }

    /// Cannot run on a table that has rows (or has NULLs): the migration would fail.
    pub fn is_unexecutable(&self) -> bool {
        matches!(
            self.kind,
            WarningKind::RequiredColumnWithoutDefault | WarningKind::MadeRequired
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WarningKind {
    DropTable,
    DropColumn,
    RiskyCast,
    DropAndRecreateColumn,
    PrimaryKeyChange,
    UniqueAdded,
    EnumValuesRemoved,
    RequiredColumnWithoutDefault,
    MadeRequired,
    /// A table or column is renamed: its data stays, clients using the old name break.
    Renamed,
}

pub(crate) fn drop_table(table: &Table) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: Vec::new(),
        kind: WarningKind::DropTable,
        message: format!(
            "You are about to drop the `{name}` table. If the table is not empty, all the data \
             it contains will be lost."
        ),
    }
}

pub(crate) fn drop_column(table: &Table, column: &str) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: vec![column.to_owned()],
        kind: WarningKind::DropColumn,
        message: format!(
            "You are about to drop the column `{column}` on the `{name}` table. All the data in \
             the column will be lost."
        ),
    }
}

pub(crate) fn risky_cast(table: &Table, column: &str, from: &str, to: &str) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: vec![column.to_owned()],
        kind: WarningKind::RiskyCast,
        message: format!(
            "You are about to alter the column `{column}` on the `{name}` table. The data in \
             that column could be lost. The data in that column will be cast from `{from}` to \
             `{to}`."
        ),
    }
}

pub(crate) fn drop_and_recreate(table: &Table, column: &str) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: vec![column.to_owned()],
        kind: WarningKind::DropAndRecreateColumn,
        message: format!(
            "The `{column}` column on the `{name}` table would be dropped and recreated. This \
             will lead to data loss if there is data in the column."
        ),
    }
}

pub(crate) fn primary_key_change(table: &Table) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: Vec::new(),
        kind: WarningKind::PrimaryKeyChange,
        message: format!(
            "The primary key for the `{name}` table will be changed. If it partially fails, the \
             table could be left without primary key constraint."
        ),
    }
}

pub(crate) fn unique_added(table: &Table, columns: &[&str]) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        kind: WarningKind::UniqueAdded,
        message: format!(
            "A unique constraint covering the columns `[{}]` on the table `{name}` will be \
             added. If there are existing duplicate values, this will fail.",
            columns.join(",")
        ),
    }
}

pub(crate) fn enum_values_removed(changed: &Enum, values: &[String]) -> Warning {
    let enum_name = &changed.name;
    Warning {
        subject: changed.object_name(),
        columns: Vec::new(),
        kind: WarningKind::EnumValuesRemoved,
        message: format!(
            "The values [{}] on the enum `{enum_name}` will be removed. If these variants are \
             still used in the database, this will fail.",
            values.join(",")
        ),
    }
}

pub(crate) fn required_without_default(table: &Table, column: &str) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: vec![column.to_owned()],
        kind: WarningKind::RequiredColumnWithoutDefault,
        message: format!(
            "Added the required column `{column}` to the `{name}` table without a default \
             value. This is not possible if the table is not empty."
        ),
    }
}

pub(crate) fn made_required(table: &Table, column: &str) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: vec![column.to_owned()],
        kind: WarningKind::MadeRequired,
        message: format!(
            "Made the column `{column}` on table `{name}` required. This step will fail if \
             there are existing NULL values in that column."
        ),
    }
}

pub(crate) fn renamed_table(from: &str, to: &ObjectName) -> Warning {
    let to_name = &to.name;
    Warning {
        subject: to.clone(),
        columns: Vec::new(),
        kind: WarningKind::Renamed,
        message: format!(
            "The `{from}` table will be renamed to `{to_name}`. Its data is kept, but renaming \
             breaks application versions still using the old name."
        ),
    }
}

pub(crate) fn renamed_column(table: &Table, from: &str, to: &str) -> Warning {
    let name = &table.name;
    Warning {
        subject: table.object_name(),
        columns: vec![to.to_owned()],
        kind: WarningKind::Renamed,
        message: format!(
            "The column `{from}` on the `{name}` table will be renamed to `{to}`. Its data is \
             kept, but renaming breaks application versions still using the old name."
        ),
    }
}
