//! Questions about the rows a change would meet, asked of the live database before a migration
//! is written (a drop of a table that holds rows, a required column added to one, a unique key
//! over duplicates, an enum value removed while rows hold it). The SQL is standard; each
//! connection quotes names its own way.

use drydock_schema::ObjectName;

/// What to count in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowCount<'a> {
    /// Every row.
    Rows { table: &'a ObjectName },
    /// Rows where `column` is not NULL.
    NonNull {
        table: &'a ObjectName,
        column: &'a str,
    },
    /// Rows where `column` is NULL.
    Null {
        table: &'a ObjectName,
        column: &'a str,
    },
    /// Rows whose values in `columns` another row shares (rows with a NULL among them never
    /// collide, as in a unique index).
    Duplicates {
        table: &'a ObjectName,
        columns: &'a [String],
    },
    /// Rows whose `column` holds `value` (compared as text, so an enum value counts); for a
    /// `list` column, rows where one of its elements does.
    Value {
        table: &'a ObjectName,
        column: &'a str,
        value: &'a str,
        list: bool,
    },
}

impl RowCount<'_> {
    /// The count in the rows [`RowCount::sql`]'s query returned (each row's first column as
    /// text).
    pub fn count_of(rows: &[Option<String>]) -> u64 {
        rows.first()
            .and_then(|text| text.as_deref()?.parse().ok())
            .unwrap_or(0)
    }

    /// The query, with names quoted by `quote`; it returns one row with the count.
    pub fn sql(&self, quote: &dyn Fn(&str) -> String) -> String {
        let table = |name: &ObjectName| match &name.namespace {
            Some(namespace) => format!("{}.{}", quote(namespace), quote(&name.name)),
            None => quote(&name.name),
        };
        match self {
            RowCount::Rows { table: t } => format!("SELECT count(*) FROM {}", table(t)),
            RowCount::NonNull { table: t, column } => format!(
                "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
                table(t),
                quote(column)
            ),
            RowCount::Null { table: t, column } => format!(
                "SELECT count(*) FROM {} WHERE {} IS NULL",
                table(t),
                quote(column)
            ),
            RowCount::Duplicates { table: t, columns } => {
                let columns: Vec<String> = columns.iter().map(|c| quote(c)).collect();
                let not_null: Vec<String> =
                    columns.iter().map(|c| format!("{c} IS NOT NULL")).collect();
                format!(
                    "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {} WHERE {} \
                     GROUP BY {} HAVING count(*) > 1) AS duplicates",
                    table(t),
                    not_null.join(" AND "),
                    columns.join(", ")
                )
            }
            RowCount::Value {
                table: t,
                column,
                value,
                list,
            } => {
                let value = format!("'{}'", value.replace('\'', "''"));
                let column = quote(column);
                let matches = if *list {
                    format!(
                        "EXISTS (SELECT 1 FROM unnest({column}) AS element(v) WHERE CAST(v AS TEXT) = {value})"
                    )
                } else {
                    format!("CAST({column} AS TEXT) = {value}")
                };
                format!("SELECT count(*) FROM {} WHERE {matches}", table(t))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_compared_as_text_in_scalars_and_lists() {
        let table = ObjectName::new(None, "User");
        let quote = |name: &str| format!("\"{name}\"");
        let question = |list| RowCount::Value {
            table: &table,
            column: "role",
            value: "O'NE",
            list,
        };
        assert_eq!(
            question(false).sql(&quote),
            "SELECT count(*) FROM \"User\" WHERE CAST(\"role\" AS TEXT) = 'O''NE'"
        );
        assert_eq!(
            question(true).sql(&quote),
            "SELECT count(*) FROM \"User\" WHERE EXISTS (SELECT 1 FROM unnest(\"role\") AS \
             element(v) WHERE CAST(v AS TEXT) = 'O''NE')"
        );
    }

    #[test]
    fn duplicates_are_counted_over_rows_without_nulls() {
        let table = ObjectName::new(Some("app".to_owned()), "User");
        let columns = ["email".to_owned(), "org".to_owned()];
        let quote = |name: &str| format!("\"{name}\"");
        assert_eq!(
            RowCount::Duplicates {
                table: &table,
                columns: &columns
            }
            .sql(&quote),
            "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM \"app\".\"User\" WHERE \
             \"email\" IS NOT NULL AND \"org\" IS NOT NULL GROUP BY \"email\", \"org\" HAVING \
             count(*) > 1) AS duplicates"
        );
    }
}
