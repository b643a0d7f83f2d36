//! Destructive and unexecutable changes, worded as Prisma words them in migration files.

use serde::Serialize;

/// A change that may lose data or fail on a table with rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
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

pub(crate) fn drop_table(table: &str) -> Warning {
    Warning {
        kind: WarningKind::DropTable,
        message: format!(
            "You are about to drop the `{table}` table. If the table is not empty, all the data \
             it contains will be lost."
        ),
    }
}

pub(crate) fn drop_column(table: &str, column: &str) -> Warning {
    Warning {
        kind: WarningKind::DropColumn,
        message: format!(
            "You are about to drop the column `{column}` on the `{table}` table. All the data in \
             the column will be lost."
        ),
    }
}

pub(crate) fn risky_cast(table: &str, column: &str, from: &str, to: &str) -> Warning {
    Warning {
        kind: WarningKind::RiskyCast,
        message: format!(
            "You are about to alter the column `{column}` on the `{table}` table. The data in \
             that column could be lost. The data in that column will be cast from `{from}` to \
             `{to}`."
        ),
    }
}

pub(crate) fn drop_and_recreate(table: &str, column: &str) -> Warning {
    Warning {
        kind: WarningKind::DropAndRecreateColumn,
        message: format!(
            "The `{column}` column on the `{table}` table would be dropped and recreated. This \
             will lead to data loss if there is data in the column."
        ),
    }
}

pub(crate) fn primary_key_change(table: &str) -> Warning {
    Warning {
        kind: WarningKind::PrimaryKeyChange,
        message: format!(
            "The primary key for the `{table}` table will be changed. If it partially fails, the \
             table could be left without primary key constraint."
        ),
    }
}

pub(crate) fn unique_added(table: &str, columns: &[&str]) -> Warning {
    Warning {
        kind: WarningKind::UniqueAdded,
        message: format!(
            "A unique constraint covering the columns `[{}]` on the table `{table}` will be \
             added. If there are existing duplicate values, this will fail.",
            columns.join(",")
        ),
    }
}

pub(crate) fn enum_values_removed(enum_name: &str, values: &[String]) -> Warning {
    Warning {
        kind: WarningKind::EnumValuesRemoved,
        message: format!(
            "The values [{}] on the enum `{enum_name}` will be removed. If these variants are \
             still used in the database, this will fail.",
            values.join(",")
        ),
    }
}

pub(crate) fn required_without_default(table: &str, column: &str) -> Warning {
    Warning {
        kind: WarningKind::RequiredColumnWithoutDefault,
        message: format!(
            "Added the required column `{column}` to the `{table}` table without a default \
             value. This is not possible if the table is not empty."
        ),
    }
}

pub(crate) fn made_required(table: &str, column: &str) -> Warning {
    Warning {
        kind: WarningKind::MadeRequired,
        message: format!(
            "Made the column `{column}` on table `{table}` required. This step will fail if \
             there are existing NULL values in that column."
        ),
    }
}

pub(crate) fn renamed_table(from: &str, to: &str) -> Warning {
    Warning {
        kind: WarningKind::Renamed,
        message: format!(
            "The `{from}` table will be renamed to `{to}`. Its data is kept, but renaming \
             breaks application versions still using the old name."
        ),
    }
}

pub(crate) fn renamed_column(table: &str, from: &str, to: &str) -> Warning {
    Warning {
        kind: WarningKind::Renamed,
        message: format!(
            "The column `{from}` on the `{table}` table will be renamed to `{to}`. Its data is \
             kept, but renaming breaks application versions still using the old name."
        ),
    }
}
