//! Questions about the rows a change would meet, asked of the live database before a migration
//! is written (a drop of a table that holds rows, a required column added to one, a unique key
//! over duplicates). The SQL is standard; each connection quotes names its own way.

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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
