//! # add-required-column
//!
//! **What:** `ADD COLUMN … NOT NULL` without a `DEFAULT` on a table that existed before this
//! migration (Prisma writes this for a new required field without `@default`, with its
//! warning "This is not possible if the table is not empty").
//!
//! **Why:** the existing rows would have no value for the column, so PostgreSQL refuses the
//! statement on a table with any row, and the migration fails at deploy: production's tables
//! have rows even when development's are empty.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ADD COLUMN "plan" TEXT NOT NULL;
//! ```
//!
//! **Safe alternative:** give it a default (a constant default costs nothing on PostgreSQL
//! 11+), or add it nullable, fill it in batches, then set it `NOT NULL`:
//!
//! ```sql
//! ALTER TABLE "User" ADD COLUMN "plan" TEXT NOT NULL DEFAULT 'free';
//! ```
//!
//! With a database URL the verdict follows the table: a note when it is empty, an error that
//! says how many rows it has otherwise.

use sqlparser::ast::{AlterTableOperation, ColumnOption, DataType};

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4303",
    name: "add-required-column",
    level: Level::Error,
    category: Category::Compatibility,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::FailsWithRows,
    help: "add a `DEFAULT` (`@default` in the schema), or add the column nullable, fill it, \
           then make it required",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    for operation in operations {
        let AlterTableOperation::AddColumn { column_def, .. } = operation else {
            continue;
        };
        let options = || column_def.options.iter().map(|option| &option.option);
        let required = options()
            .any(|option| matches!(option, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
        // A default, an identity or a generated expression gives every row its value.
        let filled = options().any(|option| {
            matches!(
                option,
                ColumnOption::Default(_)
                    | ColumnOption::Generated { .. }
                    | ColumnOption::Identity(_)
            )
        }) || is_serial(&column_def.data_type);
        if required && !filled {
            out.push(
                Hit::new(
                    &RULE,
                    format!(
                        "required column `{}` added to `{table}` without a default: the \
                         statement fails if the table has any row",
                        crate::names::ident(&column_def.name)
                    ),
                )
                .on(&table),
            );
        }
    }
}

/// `serial` types are integers with a sequence default.
fn is_serial(data_type: &DataType) -> bool {
    let name = data_type.to_string().to_ascii_lowercase();
    matches!(
        name.as_str(),
        "serial" | "smallserial" | "bigserial" | "serial2" | "serial4" | "serial8"
    )
}
