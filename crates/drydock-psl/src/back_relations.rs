//! The relation fields `format` adds when a relation has only one side, like `prisma format`:
//!
//! - a field with `@relation(fields: ..., references: ...)` gets a back field on the other model,
//!   a list (`posts Post[]`), or an optional field when the foreign key is unique (one-to-one);
//! - a list field without an opposite gets a foreign key on the other model
//!   (`user User? @relation(fields: [userId], references: [id])` and `userId Int?`).
//!
//! Names are the model name with a lower-case first letter (pluralized for lists); relation
//! names are kept. Nothing is added when a name is already taken, for unnamed self relations
//! (a second field would make them ambiguous), or when the schema is too broken to tell.

use crate::ast::{Expression, Field, FieldArity, Model, ModelKind, SchemaAst};
use crate::fast_hash::FastMap;
use crate::parser::parse_file_into;
use drydock_diagnostics::{Diagnostics, FileId};

/// Relation fields are grouped by the two model indexes (smaller first) and the relation name.
type GroupKey = (usize, usize, Option<String>);

/// Field lines to append, by model name, in the order they should appear.
pub(crate) fn missing_back_relations(source: &str) -> FastMap<String, Vec<String>> {
    let mut ast = SchemaAst::default();
    let mut diagnostics = Diagnostics::new();
    parse_file_into(FileId(0), source, &mut ast, &mut diagnostics);
    let mut additions: FastMap<String, Vec<String>> = FastMap::default();
    // Only a file that parses cleanly is understood well enough to add to it.
    if diagnostics.has_errors() {
        return additions;
    }
    let models: Vec<&Model> = ast
        .models()
        .filter(|m| m.kind == ModelKind::Model)
        .collect();
    let mut by_name: FastMap<&str, usize> = FastMap::default();
    for (i, m) in models.iter().enumerate() {
        if by_name.insert(m.name.name.as_str(), i).is_some() {
            // Two models with one name: which one would get the field?
            return additions;
        }
    }
    // Relation fields grouped by (unordered model pair, relation name), in source order.
    let mut order: Vec<GroupKey> = Vec::new();
    let mut groups: FastMap<GroupKey, Vec<(usize, &Field, usize)>> = FastMap::default();
    for (mi, m) in models.iter().enumerate() {
        for f in &m.fields {
            let Some(&target) = by_name.get(f.field_type.name.as_str()) else {
                continue;
            };
            let key = (mi.min(target), mi.max(target), relation_name(f));
            let entry = groups.entry(key.clone()).or_default();
            if entry.is_empty() {
                order.push(key);
            }
            entry.push((mi, f, target));
        }
    }
    let mut taken: FastMap<(usize, String), ()> = FastMap::default();
    for (mi, m) in models.iter().enumerate() {
        for f in &m.fields {
            taken.insert((mi, f.name.name.clone()), ());
        }
    }
    for key in order {
        let Some(sides) = groups.get(&key) else {
            continue;
        };
        let [(mi, field, target)] = sides.as_slice() else {
            continue;
        };
        let (model, target_model) = (models[*mi], models[*target]);
        let name = relation_name(field);
        // An unnamed self relation would become ambiguous with a second field.
        if mi == target && name.is_none() {
            continue;
        }
        let base = lower_first(&model.name.name);
        let mut lines = Vec::new();
        if let Some(fk_fields) = relation_list(field, "fields").filter(|f| !f.is_empty()) {
            let back = if is_unique(model, &fk_fields) {
                format!("{base} {}?", model.name.name)
            } else {
                format!("{} {}[]", pluralize(&base), model.name.name)
            };
            let back_name = back.split(' ').next().unwrap_or("").to_owned();
            if taken.contains_key(&(*target, back_name.clone())) {
                continue;
            }
            taken.insert((*target, back_name), ());
            lines.push(match &name {
                Some(n) => format!("{back} @relation({})", quote(n)),
                None => back,
            });
        } else if field.arity == FieldArity::List && mi != target {
            let Some(id) = single_id(model) else {
                continue;
            };
            let fk = format!("{base}Id");
            if taken.contains_key(&(*target, base.clone()))
                || taken.contains_key(&(*target, fk.clone()))
            {
                continue;
            }
            taken.insert((*target, base.clone()), ());
            taken.insert((*target, fk.clone()), ());
            let name_part = name
                .as_deref()
                .map(|n| format!("{}, ", quote(n)))
                .unwrap_or_default();
            lines.push(format!(
                "{base} {}? @relation({name_part}fields: [{fk}], references: [{}])",
                model.name.name, id.name.name
            ));
            let native: Vec<String> = id
                .attributes
                .iter()
                .filter(|a| a.name.name.contains('.'))
                .map(|a| format!("@{}{}", a.name.name, native_args(&a.arguments)))
                .collect();
            let mut fk_line = format!("{fk} {}?", id.field_type.name);
            for n in native {
                fk_line.push(' ');
                fk_line.push_str(&n);
            }
            lines.push(fk_line);
        }
        if !lines.is_empty() {
            additions
                .entry(target_model.name.name.clone())
                .or_default()
                .extend(lines);
        }
    }
    additions
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn native_args(args: &[crate::ast::Argument]) -> String {
    if args.is_empty() {
        return String::new();
    }
    let printed: Vec<String> = args
        .iter()
        .map(|a| match &a.value {
            Expression::String(s, _) => quote(s),
            Expression::Number(n, _) | Expression::Constant(n, _) => n.clone(),
            _ => String::new(),
        })
        .collect();
    format!("({})", printed.join(", "))
}

/// The relation name of a relation field (`@relation("x")` or `@relation(name: "x")`).
fn relation_name(field: &Field) -> Option<String> {
    let relation = field
        .attributes
        .iter()
        .find(|a| a.name.name == "relation")?;
    relation
        .argument(None)
        .or_else(|| relation.argument(Some("name")))
        .and_then(|a| a.value.as_str())
        .map(str::to_owned)
}

/// The names listed in `@relation(<argument>: [...])`.
fn relation_list(field: &Field, argument: &str) -> Option<Vec<String>> {
    let relation = field
        .attributes
        .iter()
        .find(|a| a.name.name == "relation")?;
    match &relation.argument(Some(argument))?.value {
        Expression::Array(items, _) => items
            .iter()
            .map(|i| match i {
                Expression::Constant(c, _) => Some(c.clone()),
                _ => None,
            })
            .collect(),
        Expression::Constant(c, _) => Some(vec![c.clone()]),
        _ => None,
    }
}

/// Whether `fields` are exactly an `@id`/`@unique` field or an `@@id`/`@@unique` of the model.
fn is_unique(model: &Model, fields: &[String]) -> bool {
    if let [single] = fields
        && let Some(f) = model.fields.iter().find(|f| &f.name.name == single)
        && f.attributes
            .iter()
            .any(|a| a.name.name == "id" || a.name.name == "unique")
    {
        return true;
    }
    let mut wanted: Vec<&str> = fields.iter().map(String::as_str).collect();
    wanted.sort_unstable();
    model
        .attributes
        .iter()
        .filter(|a| a.name.name == "id" || a.name.name == "unique")
        .filter_map(|a| {
            a.argument(None)
                .or_else(|| a.argument(Some("fields")))
                .map(|arg| &arg.value)
        })
        .any(|value| {
            let Expression::Array(items, _) = value else {
                return false;
            };
            let mut names: Vec<&str> = items
                .iter()
                .filter_map(|i| match i {
                    Expression::Constant(c, _) | Expression::Function(c, _, _) => Some(c.as_str()),
                    _ => None,
                })
                .collect();
            names.sort_unstable();
            names == wanted
        })
}

/// The model's single-field primary key.
fn single_id(model: &Model) -> Option<&Field> {
    if let Some(f) = model
        .fields
        .iter()
        .find(|f| f.attributes.iter().any(|a| a.name.name == "id"))
    {
        return Some(f);
    }
    let id = model.attributes.iter().find(|a| a.name.name == "id")?;
    let value = &id
        .argument(None)
        .or_else(|| id.argument(Some("fields")))?
        .value;
    match value {
        Expression::Array(items, _) => match items.as_slice() {
            [Expression::Constant(name, _)] => model.fields.iter().find(|f| &f.name.name == name),
            _ => None,
        },
        _ => None,
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// English plural of a lower-camel-case name: `post` → `posts`, `category` → `categories`,
/// `status` → `statuses`, `self` → `selves`.
fn pluralize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let ends = |s: &str| lower.ends_with(s);
    if ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") {
        return format!("{word}es");
    }
    if ends("y")
        && !lower
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| "aeiou".contains(c))
    {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    if ends("fe") {
        return format!("{}ves", &word[..word.len() - 2]);
    }
    if ends("lf") {
        return format!("{}ves", &word[..word.len() - 1]);
    }
    format!("{word}s")
}

#[cfg(test)]
mod tests {
    use super::{missing_back_relations, pluralize};

    #[test]
    fn plurals() {
        assert_eq!(pluralize("post"), "posts");
        assert_eq!(pluralize("category"), "categories");
        assert_eq!(pluralize("day"), "days");
        assert_eq!(pluralize("status"), "statuses");
        assert_eq!(pluralize("self"), "selves");
        assert_eq!(pluralize("userProfile"), "userProfiles");
    }

    #[test]
    fn adds_both_kinds_of_back_relation() {
        let schema = "model User {\n  id Int @id\n  tags Tag[]\n}\nmodel Post {\n  id Int @id\n  uId Int\n  u User @relation(fields: [uId], references: [id])\n}\nmodel Tag {\n  id Int @id\n}\n";
        let added = missing_back_relations(schema);
        assert_eq!(added.get("User"), Some(&vec!["posts Post[]".to_owned()]));
        assert_eq!(
            added.get("Tag"),
            Some(&vec![
                "user User? @relation(fields: [userId], references: [id])".to_owned(),
                "userId Int?".to_owned()
            ])
        );
    }
}
