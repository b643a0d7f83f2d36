//! Edits of a schema's text that keep everything else as written: an `@@index([...])` line
//! added to a model, or one removed. The new line follows [`crate::format`]'s conventions
//! (block attributes at the end of the block after a blank line, `@@index` after `@@id` and
//! `@@unique`, `fields, separated, by, comma-space`).

use drydock_diagnostics::{FileId, Files};

use crate::datamodel::{Datamodel, IndexType, Model};

/// A file of the schema with its new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaEdit {
    pub file: FileId,
    /// The file's name as the schema's file set knows it.
    pub file_name: String,
    pub text: String,
}

/// Block attributes that come before `@@index` in a formatted model.
const BEFORE_INDEX: [&str; 3] = ["@@id", "@@unique", "@@index"];

/// The model whose table is `table` (in `namespace` when given and the model names one).
fn model_of<'a>(
    datamodel: &'a Datamodel,
    namespace: Option<&str>,
    table: &str,
) -> Option<&'a Model> {
    let candidates = || {
        datamodel
            .models
            .iter()
            .filter(move |m| !m.is_view && m.db_name == table)
    };
    candidates()
        .find(|m| m.schema.as_deref() == namespace)
        .or_else(|| candidates().find(|m| namespace.is_none() || m.schema.is_none()))
}

/// The field names of `columns` (database names) in `model`, or `None` when one is not a
/// scalar field of it.
fn field_names(model: &Model, columns: &[String]) -> Option<Vec<String>> {
    columns
        .iter()
        .map(|column| {
            model
                .fields
                .iter()
                .find(|f| f.db_name == *column && !f.is_relation())
                .map(|f| f.name.clone())
        })
        .collect()
}

/// The schema with `@@index([fields])` added to the model of `table`, for an index on
/// `columns` (database names); `None` when no model maps the table or a column is not a field
/// of it.
pub fn add_index(
    files: &Files,
    datamodel: &Datamodel,
    namespace: Option<&str>,
    table: &str,
    columns: &[String],
) -> Option<SchemaEdit> {
    let model = model_of(datamodel, namespace, table)?;
    let fields = field_names(model, columns)?;
    let file = files.get(model.span.file)?;
    let text = &file.text;
    let block = &text[model.span.start..model.span.end];
    let close = model.span.start + block.rfind('}')?;
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    // Lines of the block (start offsets), without the header and the closing brace.
    let body_start = model.span.start + block.find('{')? + 1;
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = text[body_start..].find('\n').map(|i| body_start + i + 1)?;
    while at < close {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if end > close {
            break;
        }
        lines.push((at, &text[at..end]));
        at = end + 1;
    }
    let indent = lines
        .iter()
        .map(|(_, line)| *line)
        .find(|line| !line.trim().is_empty())
        .map_or("  ".to_owned(), |line| {
            line[..line.len() - line.trim_start().len()].to_owned()
        });
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let attribute = format!("{indent}@@index([{}]){newline}", fields.join(", "));
    let is_block_attribute = |line: &str| line.trim_start().starts_with("@@");
    let starts = |line: &str, names: &[&str]| {
        let trimmed = line.trim_start();
        names.iter().any(|name| {
            trimmed
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('(') || rest.starts_with(' '))
        })
    };
    let insert_at;
    let mut insertion = attribute;
    if let Some((start, line)) = lines
        .iter()
        .rev()
        .find(|(_, line)| starts(line, &BEFORE_INDEX))
    {
        insert_at = start + line.len() + 1;
    } else if let Some((start, _)) = lines.iter().find(|(_, line)| is_block_attribute(line)) {
        insert_at = *start;
    } else {
        insert_at = line_start(close);
        let previous_blank = lines.last().is_none_or(|(_, line)| line.trim().is_empty());
        if !previous_blank {
            insertion = format!("{newline}{insertion}");
        }
    }
    let mut edited = String::with_capacity(text.len() + insertion.len());
    edited.push_str(&text[..insert_at]);
    edited.push_str(&insertion);
    edited.push_str(&text[insert_at..]);
    Some(SchemaEdit {
        file: model.span.file,
        file_name: file.name.clone(),
        text: edited,
    })
}

/// The schema without the `@@index` of the model of `table` that creates the index `name` (its
/// `map:`, or the name Prisma gives it within `max_identifier_length` bytes); `None` when no
/// `@@index` creates it.
pub fn remove_index(
    files: &Files,
    datamodel: &Datamodel,
    namespace: Option<&str>,
    table: &str,
    name: &str,
    max_identifier_length: usize,
) -> Option<SchemaEdit> {
    let model = model_of(datamodel, namespace, table)?;
    let index = model.indexes.iter().find(|index| {
        index.kind == IndexType::Normal
            && !index.from_field
            && index.map.clone().unwrap_or_else(|| {
                let columns: Vec<&str> = index
                    .fields
                    .iter()
                    .filter_map(|f| model.fields.get(f.field).map(|f| f.db_name.as_str()))
                    .collect();
                crate::lower::constraint_name(
                    &model.db_name,
                    &columns,
                    "_idx",
                    max_identifier_length,
                )
            }) == name
    })?;
    let file = files.get(index.span.file)?;
    let text = &file.text;
    let start = text[..index.span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[index.span.end..]
        .find('\n')
        .map_or(text.len(), |i| index.span.end + i + 1);
    let before = &text[start..index.span.start];
    let after = text[index.span.end..end].trim();
    let mut edited = String::with_capacity(text.len());
    if before.trim().is_empty() && (after.is_empty() || after.starts_with("//")) {
        // The attribute alone on its line (perhaps with a trailing comment): the line goes.
        edited.push_str(&text[..start]);
        edited.push_str(&text[end..]);
        // A blank line left alone before the closing brace goes too.
        if let Some(tidied) = without_blank_before_brace(&edited, start) {
            edited = tidied;
        }
    } else {
        edited.push_str(&text[..index.span.start]);
        edited.push_str(text[index.span.end..].trim_start_matches(' '));
    }
    Some(SchemaEdit {
        file: index.span.file,
        file_name: file.name.clone(),
        text: edited,
    })
}

/// `text` without the blank line that ends just before `at` when the line at `at` closes the
/// block (`}`): what removing a model's last block attribute leaves.
fn without_blank_before_brace(text: &str, at: usize) -> Option<String> {
    if !text[at..].trim_start_matches([' ', '\t']).starts_with('}') {
        return None;
    }
    let before = &text[..at];
    let without_newline = before.strip_suffix('\n')?;
    let without_newline = without_newline
        .strip_suffix('\r')
        .unwrap_or(without_newline);
    let last_line_start = without_newline.rfind('\n').map_or(0, |i| i + 1);
    if !without_newline[last_line_start..].trim().is_empty() || last_line_start == 0 {
        return None;
    }
    Some(format!("{}{}", &text[..last_line_start], &text[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_and_validate;

    const SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
        model Account {\n  id      Int @id\n  branch  Int @map(\"bid\") // the branch\n  balance Int\n\n  @@map(\"accounts\")\n}\n\n\
        model Post {\n  id       Int @id\n  authorId Int\n  score    Int\n\n  @@unique([authorId, score])\n}\n\n\
        model Tag {\n  id   Int    @id\n  name String\n}\n";

    fn edit_add(schema: &str, table: &str, columns: &[&str]) -> Option<String> {
        let files = Files::single("schema.prisma", schema);
        let (datamodel, _) = parse_and_validate(&files);
        let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        add_index(&files, &datamodel, None, table, &columns).map(|edit| edit.text)
    }

    #[test]
    fn an_index_goes_where_the_formatter_puts_it() {
        let edited = edit_add(SCHEMA, "accounts", &["bid"]).expect("an edit");
        assert!(
            edited.contains("  balance Int\n\n  @@index([branch])\n  @@map(\"accounts\")\n}"),
            "{edited}"
        );
        let edited = edit_add(SCHEMA, "Post", &["score", "authorId"]).expect("an edit");
        assert!(
            edited.contains("  @@unique([authorId, score])\n  @@index([score, authorId])\n}"),
            "{edited}"
        );
        let edited = edit_add(SCHEMA, "Tag", &["name"]).expect("an edit");
        assert!(
            edited.contains("  name String\n\n  @@index([name])\n}"),
            "{edited}"
        );
        assert_eq!(crate::format(&edited), edited);
        // The rest of the file is untouched.
        assert!(edited.contains("@map(\"bid\") // the branch"));
        assert_eq!(edit_add(SCHEMA, "Missing", &["name"]), None);
        assert_eq!(edit_add(SCHEMA, "Tag", &["nope"]), None);
    }

    #[test]
    fn an_index_is_removed_by_its_database_name() {
        let schema = edit_add(SCHEMA, "Tag", &["name"]).expect("an edit");
        let files = Files::single("schema.prisma", schema.as_str());
        let (datamodel, _) = parse_and_validate(&files);
        let edit =
            remove_index(&files, &datamodel, None, "Tag", "Tag_name_idx", 63).expect("an edit");
        assert_eq!(edit.text, SCHEMA);
        assert_eq!(
            remove_index(&files, &datamodel, None, "Tag", "Tag_other_idx", 63),
            None
        );
    }
}
