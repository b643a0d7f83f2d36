//! Drops and creates that look like renames, for `migrate dev` to ask about when the schema has
//! no `// drydock:renamed-from` directive for them: a table that loses one column and gains one
//! of the same type and arity, or a table dropped while one with the same columns is created.

use drydock_schema::{Column, ObjectName, SqlSchema, Table};
use serde::Serialize;

/// A drop and a create that may be one rename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameCandidate {
    /// The table of a column rename (by its name in the schema); `None` for a table rename.
    pub table: Option<ObjectName>,
    /// The name that disappears.
    pub from: String,
    /// The name that appears.
    pub to: String,
}

impl RenameCandidate {
    /// The question to ask, as in "Did you rename `User.name` to `User.fullName`?".
    pub fn question(&self) -> String {
        match &self.table {
            Some(table) => format!(
                "Did you rename `{table}.{from}` to `{table}.{to}`?",
                table = table.name,
                from = self.from,
                to = self.to
            ),
            None => format!("Did you rename `{}` to `{}`?", self.from, self.to),
        }
    }

    /// How to say it in the schema, for when nobody can be asked.
    pub fn hint(&self) -> String {
        let object = if self.table.is_some() {
            "field"
        } else {
            "model"
        };
        format!(
            "If `{}` was renamed to `{}`, add `// drydock:renamed-from {}` to the {object}.",
            self.from, self.to, self.from
        )
    }

    /// Records the rename in `to` as the directive would.
    pub(crate) fn apply(&self, to: &mut SqlSchema) {
        match &self.table {
            Some(table) => {
                let column = to
                    .tables
                    .iter_mut()
                    .filter(|t| t.object_name() == *table)
                    .flat_map(|t| t.columns.iter_mut())
                    .find(|c| c.name == self.to);
                if let Some(column) = column {
                    column.renamed_from = Some(self.from.clone());
                }
            }
            None => {
                if let Some(table) = to.tables.iter_mut().find(|t| t.name == self.to) {
                    table.renamed_from = Some(self.from.clone());
                }
            }
        }
    }
}

/// The likely renames from `from` to `to` that no hint of `to` already covers.
pub fn rename_candidates(from: &SqlSchema, to: &SqlSchema) -> Vec<RenameCandidate> {
    let mut candidates = Vec::new();
    let hinted_tables: Vec<&str> = to
        .tables
        .iter()
        .filter_map(|t| t.renamed_from.as_deref())
        .collect();
    let dropped: Vec<&Table> = from
        .tables
        .iter()
        .filter(|t| to.table(t.namespace.as_deref(), &t.name).is_none())
        .filter(|t| !hinted_tables.contains(&t.name.as_str()))
        .collect();
    let mut taken: Vec<&str> = Vec::new();
    for created in to
        .tables
        .iter()
        .filter(|t| from.table(t.namespace.as_deref(), &t.name).is_none() && !hinted(from, t))
    {
        let same_columns = dropped.iter().find(|previous| {
            previous.namespace == created.namespace
                && !taken.contains(&previous.name.as_str())
                && same_columns(previous, created)
        });
        if let Some(previous) = same_columns {
            taken.push(&previous.name);
            candidates.push(RenameCandidate {
                table: None,
                from: previous.name.clone(),
                to: created.name.clone(),
            });
        }
    }
    for next in &to.tables {
        let Some(previous) = from.table(next.namespace.as_deref(), &next.name) else {
            continue;
        };
        let hinted_columns: Vec<&str> = next
            .columns
            .iter()
            .filter_map(|c| c.renamed_from.as_deref())
            .collect();
        let dropped: Vec<&Column> = previous
            .columns
            .iter()
            .filter(|c| {
                next.column(&c.name).is_none() && !hinted_columns.contains(&c.name.as_str())
            })
            .collect();
        // A hint that names no previous column (a typo) does not stop the guess.
        let added: Vec<&Column> = next
            .columns
            .iter()
            .filter(|c| previous.column(&c.name).is_none())
            .filter(|c| {
                c.renamed_from
                    .as_deref()
                    .is_none_or(|old| previous.column(old).is_none())
            })
            .collect();
        for column in &added {
            let alike = |other: &&Column| same_shape(other, column);
            // Only an unambiguous pair is a candidate: one of its shape on each side.
            if let ([old], 1) = (
                dropped
                    .iter()
                    .copied()
                    .filter(alike)
                    .collect::<Vec<_>>()
                    .as_slice(),
                added.iter().filter(|c| same_shape(c, column)).count(),
            ) {
                candidates.push(RenameCandidate {
                    table: Some(next.object_name()),
                    from: old.name.clone(),
                    to: column.name.clone(),
                });
            }
        }
    }
    candidates
}

/// The directives of `to` that name nothing of `from` although their object is new there, so
/// they rename nothing: most likely a misspelled previous name. One sentence each.
pub(crate) fn unmatched_hints(from: &SqlSchema, to: &SqlSchema) -> Vec<String> {
    let mut unmatched = Vec::new();
    for next in &to.tables {
        let namespace = next.namespace.as_deref();
        let previous = match next.renamed_from.as_deref() {
            Some(old) if from.table(namespace, &next.name).is_none() => {
                let previous = from.table(namespace, old);
                if previous.is_none() {
                    unmatched.push(format!(
                        "`// drydock:renamed-from {old}` on model `{}` names no existing table.",
                        next.name
                    ));
                }
                previous
            }
            _ => from.table(namespace, &next.name),
        };
        let Some(previous) = previous else {
            continue;
        };
        for column in &next.columns {
            if let Some(old) = column.renamed_from.as_deref()
                && previous.column(&column.name).is_none()
                && previous.column(old).is_none()
            {
                unmatched.push(format!(
                    "`// drydock:renamed-from {old}` on `{}.{}` names no existing column.",
                    next.name, column.name
                ));
            }
        }
    }
    unmatched
}

/// Whether `table`'s hint names a table of `from`.
fn hinted(from: &SqlSchema, table: &Table) -> bool {
    table
        .renamed_from
        .as_deref()
        .is_some_and(|old| from.table(table.namespace.as_deref(), old).is_some())
}

fn same_shape(a: &Column, b: &Column) -> bool {
    a.column_type == b.column_type && a.arity == b.arity
}

fn same_columns(a: &Table, b: &Table) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns.iter().all(|column| {
            b.column(&column.name)
                .is_some_and(|other| same_shape(column, other))
        })
}

#[cfg(test)]
mod tests {
    use drydock_schema::{ColumnType, TypeFamily};

    use super::*;

    fn column(name: &str, native: &str) -> Column {
        Column::new(name, ColumnType::new(TypeFamily::String, native))
    }

    fn table(name: &str, columns: &[(&str, &str)]) -> Table {
        let mut table = Table::new(None, name);
        table.columns = columns.iter().map(|(n, t)| column(n, t)).collect();
        table
    }

    fn schema(tables: Vec<Table>) -> SqlSchema {
        SqlSchema {
            tables,
            ..SqlSchema::default()
        }
    }

    #[test]
    fn one_column_swapped_for_one_of_its_shape_is_a_candidate() {
        let from = schema(vec![table("User", &[("id", "INT"), ("name", "TEXT")])]);
        let to = schema(vec![table("User", &[("id", "INT"), ("fullName", "TEXT")])]);
        let candidates = rename_candidates(&from, &to);
        assert_eq!(
            candidates,
            vec![RenameCandidate {
                table: Some(ObjectName::new(None, "User")),
                from: "name".to_owned(),
                to: "fullName".to_owned(),
            }]
        );
        assert_eq!(
            candidates[0].question(),
            "Did you rename `User.name` to `User.fullName`?"
        );
        let other_type = schema(vec![table("User", &[("id", "INT"), ("age", "INT")])]);
        assert!(rename_candidates(&from, &other_type).is_empty());
    }

    #[test]
    fn a_misspelled_directive_is_reported_and_the_guess_still_made() {
        let from = schema(vec![table("User", &[("id", "INT"), ("name", "TEXT")])]);
        let mut to = schema(vec![table("User", &[("id", "INT"), ("fullName", "TEXT")])]);
        to.tables[0].columns[1].renamed_from = Some("nme".to_owned());
        assert_eq!(
            unmatched_hints(&from, &to),
            ["`// drydock:renamed-from nme` on `User.fullName` names no existing column."]
        );
        assert_eq!(rename_candidates(&from, &to).len(), 1);
        to.tables[0].columns[1].renamed_from = Some("name".to_owned());
        assert!(unmatched_hints(&from, &to).is_empty());
        assert!(rename_candidates(&from, &to).is_empty());
    }

    #[test]
    fn a_table_swapped_for_one_with_the_same_columns_is_a_candidate() {
        let from = schema(vec![table("User", &[("id", "INT")])]);
        let to = schema(vec![table("Member", &[("id", "INT")])]);
        let mut candidates = rename_candidates(&from, &to);
        assert_eq!(candidates.len(), 1);
        assert_eq!(
            candidates[0].hint(),
            "If `User` was renamed to `Member`, add `// drydock:renamed-from User` to the model."
        );
        let mut hinted = to.clone();
        candidates.remove(0).apply(&mut hinted);
        assert!(rename_candidates(&from, &hinted).is_empty());
    }
}
