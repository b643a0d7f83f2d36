//! A new migration's warnings weighed against the rows of the live development database before
//! anything is written: a drop of a table or column that holds rows says how many; a required
//! column added to a table with rows, a column made required over NULLs, a unique key over
//! duplicates, or an enum value removed while rows still hold it would fail here, and says why
//! and what to do instead. A warning about rows the development database does not have stays as
//! it is: production may have them.

use drydock_connector::{Connection, Dialect, RowCount, Warning};
use drydock_diff::{AlterEnum, Change, Diff, WarningKind};
use drydock_schema::ColumnArity;

/// The warnings, worded with the live rows' counts where there are rows, and the steps that
/// would fail on them.
#[derive(Debug, Default)]
pub(crate) struct Weighed {
    pub(crate) warnings: Vec<Warning>,
    /// Warnings (also in `warnings`) of steps the migration cannot run on the present rows.
    pub(crate) failing: Vec<Warning>,
}

/// Weigh the warnings of `diff` against the rows `conn` holds. A warning whose count cannot be
/// read (its table is renamed by the same migration, say) is kept as it is.
pub(crate) fn weigh(conn: &mut dyn Connection, diff: &Diff) -> Weighed {
    let mut weighed = Weighed::default();
    for warning in &diff.warnings {
        let verdict = match warning.kind {
            WarningKind::EnumValuesRemoved => weigh_removed_values(conn, &diff.changes, warning),
            _ => weigh_one(conn, warning),
        };
        match verdict {
            Verdict::Holds(warning) => weighed.warnings.push(warning),
            Verdict::Fails(warning) => {
                weighed.failing.push(warning.clone());
                weighed.warnings.push(warning);
            }
        }
    }
    weighed
}

enum Verdict {
    Holds(Warning),
    Fails(Warning),
}

fn weigh_one(conn: &mut dyn Connection, warning: &Warning) -> Verdict {
    let table = &warning.subject;
    let column = warning
        .columns
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let question = match warning.kind {
        WarningKind::DropTable | WarningKind::RequiredColumnWithoutDefault => {
            RowCount::Rows { table }
        }
        WarningKind::DropColumn | WarningKind::DropAndRecreateColumn | WarningKind::RiskyCast => {
            RowCount::NonNull { table, column }
        }
        WarningKind::MadeRequired => RowCount::Null { table, column },
        WarningKind::UniqueAdded => RowCount::Duplicates {
            table,
            columns: &warning.columns,
        },
        // Enum values are counted by `weigh_removed_values`.
        WarningKind::PrimaryKeyChange | WarningKind::EnumValuesRemoved | WarningKind::Renamed => {
            return Verdict::Holds(warning.clone());
        }
    };
    let Ok(count) = conn.count_rows(&question) else {
        return Verdict::Holds(warning.clone());
    };
    if count == 0 {
        return Verdict::Holds(warning.clone());
    }
    let name = &table.name;
    let worded = |message: String| Warning {
        message,
        ..warning.clone()
    };
    match warning.kind {
        WarningKind::DropTable => Verdict::Holds(worded(format!(
            "You are about to drop the `{name}` table, which is not empty ({count} rows)."
        ))),
        WarningKind::DropColumn => Verdict::Holds(worded(format!(
            "You are about to drop the column `{column}` on the `{name}` table, which still \
             contains {count} non-null values."
        ))),
        WarningKind::DropAndRecreateColumn | WarningKind::RiskyCast => Verdict::Holds(worded(
            format!("{} It holds {count} non-null values.", warning.message),
        )),
        WarningKind::RequiredColumnWithoutDefault => Verdict::Fails(worded(format!(
            "Added the required column `{column}` to the `{name}` table without a default value. \
             There are {count} rows in this table, it is not possible to execute this step. Give \
             the field a `@default(...)`, or add it optional, fill it and make it required in a \
             second migration."
        ))),
        WarningKind::MadeRequired => Verdict::Fails(worded(format!(
            "Made the column `{column}` on table `{name}` required, but there are {count} \
             existing NULL values. Fill them first (an `UPDATE` in the migration), or keep the \
             field optional."
        ))),
        WarningKind::UniqueAdded => Verdict::Fails(worded(format!(
            "A unique constraint covering the columns `[{}]` on the table `{name}` will be \
             added, but {count} rows share their values in these columns, so this step fails. \
             Remove or merge the duplicates first.",
            warning.columns.join(",")
        ))),
        WarningKind::PrimaryKeyChange | WarningKind::EnumValuesRemoved | WarningKind::Renamed => {
            Verdict::Holds(warning.clone())
        }
    }
}

/// Removed enum values still held by rows: each value in each column of the enum's type, counted.
/// The type is recreated without them, so a row holding one makes the migration fail.
fn weigh_removed_values(
    conn: &mut dyn Connection,
    changes: &[Change],
    warning: &Warning,
) -> Verdict {
    let Some(alter) = changes.iter().find_map(|change| match change {
        Change::AlterEnum(alter) if alter.name == warning.subject => Some(alter),
        _ => None,
    }) else {
        return Verdict::Holds(warning.clone());
    };
    let mut held = Vec::new();
    for used in &alter.columns {
        for value in &alter.removed {
            let question = RowCount::Value {
                table: &used.table,
                column: &used.column.name,
                value,
                list: used.column.arity == ColumnArity::List,
            };
            match conn.count_rows(&question) {
                Ok(0) | Err(_) => {}
                Ok(count) => held.push(format!(
                    "`{}.{}` holds `{value}` in {count} rows",
                    used.table.name, used.column.name
                )),
            }
        }
    }
    if held.is_empty() {
        return Verdict::Holds(warning.clone());
    }
    Verdict::Fails(Warning {
        message: removed_values_message(alter, &held),
        ..warning.clone()
    })
}

fn removed_values_message(alter: &AlterEnum, held: &[String]) -> String {
    let kept = alter
        .next_values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "The values [{}] on the enum `{}` will be removed, but {}, so this step fails. Migrate \
         those rows first: map each to a value the enum keeps ({kept}) with an `UPDATE` in an \
         earlier migration (or at the top of this one, written with `--create-only`), or \
         delete them; or keep the value in the enum.",
        alter.removed.join(","),
        alter.name.name,
        held.join(", ")
    )
}

/// Run `script` on the development database in a transaction that is rolled back, where the
/// database can, so that a step failing on the rows present (a type change over values that do
/// not convert, say) stops `migrate dev` before anything is written. Returns the failure in
/// words.
pub(crate) fn try_on_rows(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    script: &str,
) -> Option<String> {
    if dialect.needs_no_transaction(script).is_some() {
        return None;
    }
    // A database whose DDL commits by itself offers no trial runs.
    let error = conn.trial_runs()?.trial_run(script).err()?;
    let statement = error
        .position
        .and_then(|offset| {
            let start = script.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
            let end = script
                .get(offset..)?
                .find('\n')
                .map_or(script.len(), |i| offset + i);
            script.get(start..end)
        })
        .map(|line| format!(" at `{}`", line.trim()))
        .unwrap_or_default();
    Some(format!(
        "  - Tried on the development database in a transaction that was rolled back, the \
         migration fails{statement}: {}",
        error.message.trim_end()
    ))
}
