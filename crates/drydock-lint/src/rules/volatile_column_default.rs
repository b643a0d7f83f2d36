//! # volatile-column-default
//!
//! **What:** `ADD COLUMN` on a table that existed before this migration, with a default that
//! must be computed per row: a volatile function (`random()`, `gen_random_uuid()`,
//! `clock_timestamp()`, `nextval(…)`, …), a `serial` type, an identity column or a stored
//! generated column. Before PostgreSQL 11 (known from a database URL) any non-NULL default
//! counts.
//!
//! **Why:** from PostgreSQL 11 a constant default is stored once in the catalog and the column
//! is added instantly; a per-row value instead rewrites the whole table and its indexes under
//! an ACCESS EXCLUSIVE lock that blocks all reads and writes.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ADD COLUMN "token" uuid NOT NULL DEFAULT gen_random_uuid();
//! ```
//!
//! **Safe alternative:** add the column without the default, set the default (it then only
//! applies to new rows), backfill existing rows in batches, then add `NOT NULL` safely:
//!
//! ```sql
//! ALTER TABLE "User" ADD COLUMN "token" uuid;
//! ALTER TABLE "User" ALTER COLUMN "token" SET DEFAULT gen_random_uuid();
//! -- backfill in batches, then see set-not-null-without-check
//! ```

use sqlparser::ast::{
    AlterTableOperation, ColumnDef, ColumnOption, Expr, GeneratedExpressionMode, Value,
};
use sqlparser::tokenizer::Token;

use crate::names::ident;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};
use crate::source::tokens;

pub const RULE: RuleInfo = RuleInfo {
    code: "D4205",
    name: "volatile-column-default",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "add the column without a default, `SET DEFAULT` separately, and backfill existing \
           rows in batches",
};

/// Built-in functions whose value changes per call (`pg_proc.provolatile = 'v'`) and that
/// turn up in defaults.
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "setseed",
    "random_normal",
    "gen_random_bytes",
];

/// `serial` types are an integer with a `nextval` default.
const SERIAL_TYPES: &[&str] = &[
    "serial",
    "bigserial",
    "smallserial",
    "serial4",
    "serial8",
    "serial2",
];

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    let constants_rewrite = cx.server_major.is_some_and(|major| major < 11);
    for operation in operations {
        let AlterTableOperation::AddColumn { column_def, .. } = operation else {
            continue;
        };
        if let Some(why) = per_row_value(column_def, constants_rewrite) {
            out.push(
                Hit::new(
                    &RULE,
                    format!(
                        "adding column `{}` to `{table}` with {why} rewrites the table under an \
                         ACCESS EXCLUSIVE lock that blocks all reads and writes",
                        ident(&column_def.name)
                    ),
                )
                .on(&table),
            );
        }
    }
}

/// Why the new column's values are computed per row, if they are.
pub(crate) fn per_row_value(column: &ColumnDef, constants_rewrite: bool) -> Option<String> {
    let ty = column.data_type.to_string().to_lowercase();
    if SERIAL_TYPES.contains(&ty.as_str()) {
        return Some(format!("type `{ty}`"));
    }
    column
        .options
        .iter()
        .find_map(|option| match &option.option {
            ColumnOption::Default(expr) => {
                if let Some(function) = volatile_call(expr) {
                    Some(format!("the volatile default `{function}()`"))
                } else if constants_rewrite && !is_null(expr) {
                    Some("a default (PostgreSQL before 11 writes it into every row)".to_owned())
                } else {
                    None
                }
            }
            ColumnOption::Generated {
                generation_expr: None,
                ..
            } => Some("an identity".to_owned()),
            ColumnOption::Generated {
                generation_expr: Some(_),
                generation_expr_mode,
                ..
            } if *generation_expr_mode != Some(GeneratedExpressionMode::Virtual) => {
                Some("a stored generated value".to_owned())
            }
            _ => None,
        })
}

/// The first volatile function called in `expr`.
fn volatile_call(expr: &Expr) -> Option<String> {
    let tokens = tokens(&expr.to_string(), drydock_connector::SqlGrammar::PostgreSql);
    tokens.windows(2).find_map(|pair| match pair {
        [Token::Word(word), Token::LParen] => {
            let name = word.value.to_lowercase();
            VOLATILE.contains(&name.as_str()).then_some(name)
        }
        _ => None,
    })
}

fn is_null(expr: &Expr) -> bool {
    matches!(expr, Expr::Value(value) if value.value == Value::Null)
}
