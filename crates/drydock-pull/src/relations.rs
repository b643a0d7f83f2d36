//! Relations from foreign keys, with Prisma's naming: implicit many-to-many join tables
//! (`_AToB`) become list fields on both models; every other foreign key becomes a relation field
//! on the referencing model and a back-relation field on the referenced one.
//!
//! Names follow Prisma's introspection: a relation field is named after the other model. When
//! two relations join the same pair of models, each gets the name
//! `{Referencing}_{columns}To{Referenced}` and its fields `{Other}_{relation name}`; a model
//! referring to itself names its back-relation field `other_{Model}`, and the two sides of a
//! self many-to-many relation end in `_A` and `_B`.

use std::collections::HashMap;

use drydock_schema::{ColumnArity, ForeignKey, IndexKind, ReferentialAction, SqlSchema, Table};

use crate::hints::Hints;
use crate::model::MemberKey;
use crate::names::{constraint_name, quote};

/// The names decided before relations are added.
pub(crate) struct Names {
    /// Per table: the model name, `None` for implicit many-to-many join tables.
    pub(crate) models: Vec<Option<String>>,
    /// Per table and column: the field name, `None` for a column that is commented out.
    pub(crate) fields: Vec<Vec<Option<String>>>,
    /// Per table: the model is marked `@@ignore`.
    pub(crate) ignored: Vec<bool>,
}

/// A relation field to add to a model.
pub(crate) struct RelationField {
    pub(crate) key: MemberKey,
    pub(crate) name: String,
    /// Type with arity, e.g. `User?` or `Post[]`.
    pub(crate) type_text: String,
    pub(crate) attributes: Vec<String>,
}

/// The implicit many-to-many join tables: per table, the tables columns `A` and `B` reference.
/// A join table has exactly the columns `A` and `B` (required), one foreign key on each to a
/// single-column primary key with cascading actions, a primary key or unique index on `(A, B)`,
/// and `A` referencing the model whose name sorts first, so that it lowers back to itself.
pub(crate) fn join_tables(
    schema: &SqlSchema,
    model_names: &[String],
) -> Vec<Option<(usize, usize)>> {
    schema
        .tables
        .iter()
        .map(|table| join_table_targets(schema, table, model_names))
        .collect()
}

fn join_table_targets(
    schema: &SqlSchema,
    table: &Table,
    model_names: &[String],
) -> Option<(usize, usize)> {
    if !table.name.starts_with('_') || table.columns.len() != 2 || table.foreign_keys.len() != 2 {
        return None;
    }
    let column_names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    if column_names != ["A", "B"] || table.columns.iter().any(|c| !c.is_required()) {
        return None;
    }
    let target = |column: &str| -> Option<usize> {
        let fk = table
            .foreign_keys
            .iter()
            .find(|fk| fk.columns == [column])?;
        if fk.on_delete != ReferentialAction::Cascade || fk.on_update != ReferentialAction::Cascade
        {
            return None;
        }
        let index = table_index(schema, fk)?;
        let referenced = schema.tables.get(index)?;
        let pk = referenced.primary_key.as_ref()?;
        match (pk.columns.as_slice(), fk.referenced_columns.as_slice()) {
            ([only], [referenced_column]) if only.name == *referenced_column => Some(index),
            _ => None,
        }
    };
    let (a, b) = (target("A")?, target("B")?);
    let on_ab = |columns: &[drydock_schema::IndexColumn]| {
        columns.iter().map(|c| c.name.as_str()).eq(["A", "B"])
    };
    let unique_ab = table
        .primary_key
        .as_ref()
        .is_some_and(|pk| on_ab(&pk.columns))
        || table
            .indexes
            .iter()
            .any(|i| i.kind == IndexKind::Unique && on_ab(&i.columns));
    let ordered = model_names.get(a)? <= model_names.get(b)?;
    (unique_ab && ordered).then_some((a, b))
}

/// The index of the table a foreign key references.
fn table_index(schema: &SqlSchema, fk: &ForeignKey) -> Option<usize> {
    schema.tables.iter().position(|t| {
        t.name == fk.referenced_table.name && t.namespace == fk.referenced_table.namespace
    })
}

enum Relation {
    Inline {
        table: usize,
        fk: usize,
        referenced: usize,
    },
    ManyToMany {
        table: usize,
        a: usize,
        b: usize,
    },
}

/// The relation fields of every model (indexed like `schema.tables`); relation and field names
/// kept in `hints` win over Prisma's.
pub(crate) fn relation_fields(
    schema: &SqlSchema,
    names: &Names,
    joins: &[Option<(usize, usize)>],
    identifier_limit: usize,
    named_foreign_keys: bool,
    hints: &Hints,
    warnings: &mut Vec<String>,
) -> Vec<Vec<RelationField>> {
    // Prisma lists relation fields in this order: inline relations table by table, then the
    // implicit many-to-many ones.
    let mut relations = Vec::new();
    let mut many_to_many = Vec::new();
    for (index, table) in schema.tables.iter().enumerate() {
        if let Some(Some((a, b))) = joins.get(index) {
            many_to_many.push(Relation::ManyToMany {
                table: index,
                a: *a,
                b: *b,
            });
            continue;
        }
        for (fk_index, fk) in table.foreign_keys.iter().enumerate() {
            let target = table_index(schema, fk)
                .filter(|t| names.models.get(*t).is_some_and(Option::is_some));
            match target {
                Some(referenced) => relations.push(Relation::Inline {
                    table: index,
                    fk: fk_index,
                    referenced,
                }),
                None => warnings.push(format!(
                    "The foreign key of `{}` on ({}) references `{}`, which is not a model; \
                     the relation was left out.",
                    table.name,
                    fk.columns.join(", "),
                    fk.referenced_table.name
                )),
            }
        }
    }
    relations.append(&mut many_to_many);
    let mut pair_count: HashMap<(usize, usize), usize> = HashMap::new();
    for relation in &relations {
        let (x, y) = match relation {
            Relation::Inline {
                table, referenced, ..
            } => (*table, *referenced),
            Relation::ManyToMany { a, b, .. } => (*a, *b),
        };
        *pair_count.entry((x.min(y), x.max(y))).or_default() += 1;
    }
    let mut fields: Vec<Vec<RelationField>> = schema.tables.iter().map(|_| Vec::new()).collect();
    let mut used: Vec<Vec<String>> = names
        .fields
        .iter()
        .map(|f| f.iter().flatten().cloned().collect())
        .collect();
    let model = |index: usize| -> &str {
        names
            .models
            .get(index)
            .and_then(Option::as_deref)
            .unwrap_or_default()
    };
    let ignored = |index: usize| names.ignored.get(index).copied().unwrap_or(false);
    for relation in &relations {
        match *relation {
            Relation::Inline {
                table,
                fk,
                referenced,
            } => {
                let Some(t) = schema.tables.get(table) else {
                    continue;
                };
                let Some(fk) = t.foreign_keys.get(fk) else {
                    continue;
                };
                let Some(r) = schema.tables.get(referenced) else {
                    continue;
                };
                let ambiguous = pair_count
                    .get(&(table.min(referenced), table.max(referenced)))
                    .copied()
                    .unwrap_or(0)
                    > 1;
                let self_relation = table == referenced;
                let (model_t, model_r) = (model(table), model(referenced));
                let hint = hints.relation(&t.object_name(), &fk.columns);
                let kept_name = hint.and_then(|h| h.name.clone());
                let relation_name = if let Some(kept) = &kept_name {
                    kept.clone()
                } else if ambiguous {
                    format!("{model_t}_{}To{model_r}", fk.columns.join("_"))
                } else if model_t <= model_r {
                    format!("{model_t}To{model_r}")
                } else {
                    format!("{model_r}To{model_t}")
                };
                let write_name = kept_name.is_some() || ambiguous || self_relation;
                let field_list = |table_index: usize, table: &Table, columns: &[String]| {
                    columns
                        .iter()
                        .map(|c| {
                            let position = table.columns.iter().position(|col| col.name == *c)?;
                            names.fields.get(table_index)?.get(position)?.clone()
                        })
                        .collect::<Option<Vec<String>>>()
                };
                let (Some(from_fields), Some(to_fields)) = (
                    field_list(table, t, &fk.columns),
                    field_list(referenced, r, &fk.referenced_columns),
                ) else {
                    warnings.push(format!(
                        "The foreign key of `{}` on ({}) uses columns without a field; the \
                         relation was left out.",
                        t.name,
                        fk.columns.join(", ")
                    ));
                    continue;
                };
                let optional = fk.columns.iter().any(|c| {
                    t.column(c)
                        .is_none_or(|col| col.arity != ColumnArity::Required)
                });
                let mut arguments = Vec::new();
                if write_name {
                    arguments.push(quote(&relation_name));
                }
                arguments.push(format!("fields: [{}]", from_fields.join(", ")));
                arguments.push(format!("references: [{}]", to_fields.join(", ")));
                // As the schema language defaults it: `Restrict` as soon as one column is
                // required, even on an optional relation field.
                let all_optional = fk.columns.iter().all(|c| {
                    t.column(c)
                        .is_none_or(|col| col.arity != ColumnArity::Required)
                });
                let default_on_delete = if all_optional {
                    ReferentialAction::SetNull
                } else {
                    ReferentialAction::Restrict
                };
                if fk.on_delete != default_on_delete {
                    arguments.push(format!("onDelete: {}", action(fk.on_delete)));
                }
                if fk.on_update != ReferentialAction::Cascade {
                    arguments.push(format!("onUpdate: {}", action(fk.on_update)));
                }
                // Prisma keeps foreign key names only where the database has them in its
                // catalog (not SQLite).
                if named_foreign_keys
                    && let Some(name) = &fk.name
                    && *name != constraint_name(&t.name, &fk.columns, "_fkey", identifier_limit)
                {
                    arguments.push(format!("map: {}", quote(name)));
                }
                let forward_name = match hint.and_then(|h| h.forward.clone()) {
                    Some(kept) => kept,
                    None if ambiguous => format!("{model_r}_{relation_name}"),
                    None => model_r.to_owned(),
                };
                let back_name = match (hint.and_then(|h| h.back.clone()), ambiguous, self_relation)
                {
                    (Some(kept), _, _) => kept,
                    (None, true, true) => format!("other_{model_t}_{relation_name}"),
                    (None, true, false) => format!("{model_t}_{relation_name}"),
                    (None, false, true) => format!("other_{model_t}"),
                    (None, false, false) => model_t.to_owned(),
                };
                let mut forward_attributes = vec![format!("@relation({})", arguments.join(", "))];
                if ignored(referenced) && !ignored(table) {
                    forward_attributes.push("@ignore".to_owned());
                }
                push_field(
                    &mut fields,
                    &mut used,
                    table,
                    MemberKey::Forward(fk.columns.clone()),
                    forward_name,
                    format!("{model_r}{}", if optional { "?" } else { "" }),
                    forward_attributes,
                );
                let one_to_one = is_unique_on(t, &fk.columns);
                let mut back_attributes = Vec::new();
                if write_name {
                    back_attributes.push(format!("@relation({})", quote(&relation_name)));
                }
                if ignored(table) && !ignored(referenced) {
                    back_attributes.push("@ignore".to_owned());
                }
                push_field(
                    &mut fields,
                    &mut used,
                    referenced,
                    MemberKey::Back(t.object_name(), fk.columns.clone()),
                    back_name,
                    format!("{model_t}{}", if one_to_one { "?" } else { "[]" }),
                    back_attributes,
                );
            }
            Relation::ManyToMany { table, a, b } => {
                let Some(join) = schema.tables.get(table) else {
                    continue;
                };
                let relation_name = join.name.get(1..).unwrap_or_default().to_owned();
                let ambiguous = pair_count.get(&(a.min(b), a.max(b))).copied().unwrap_or(0) > 1;
                let self_relation = a == b;
                let (model_a, model_b) = (model(a), model(b));
                let default_name = format!("{model_a}To{model_b}");
                let attributes = if relation_name != default_name || ambiguous || self_relation {
                    vec![format!("@relation({})", quote(&relation_name))]
                } else {
                    Vec::new()
                };
                let kept = hints.many_to_many(&join.name);
                let field_name = |model: &str, side: &str| {
                    let kept = kept.and_then(|(on_a, on_b)| match side {
                        "B" => on_a.clone(),
                        _ => on_b.clone(),
                    });
                    if let Some(kept) = kept {
                        return kept;
                    }
                    let base = if ambiguous {
                        format!("{model}_{relation_name}")
                    } else {
                        model.to_owned()
                    };
                    if self_relation {
                        format!("{base}_{side}")
                    } else {
                        base
                    }
                };
                push_field(
                    &mut fields,
                    &mut used,
                    b,
                    MemberKey::ManyToMany(join.name.clone(), false),
                    field_name(model_a, "A"),
                    format!("{model_a}[]"),
                    attributes.clone(),
                );
                push_field(
                    &mut fields,
                    &mut used,
                    a,
                    MemberKey::ManyToMany(join.name.clone(), true),
                    field_name(model_b, "B"),
                    format!("{model_b}[]"),
                    attributes,
                );
            }
        }
    }
    fields
}

/// Adds a relation field to a model, renaming it when the name is taken.
fn push_field(
    fields: &mut [Vec<RelationField>],
    used: &mut [Vec<String>],
    model: usize,
    key: MemberKey,
    name: String,
    type_text: String,
    attributes: Vec<String>,
) {
    let (Some(fields), Some(used)) = (fields.get_mut(model), used.get_mut(model)) else {
        return;
    };
    let mut candidate = name.clone();
    let mut counter = 1;
    while used.contains(&candidate) {
        candidate = format!("{name}_{counter}");
        counter += 1;
    }
    used.push(candidate.clone());
    fields.push(RelationField {
        key,
        name: candidate,
        type_text,
        attributes,
    });
}

/// Whether `columns` (as a set) are the primary key or a unique index of `table`: the relation
/// is then one-to-one.
fn is_unique_on(table: &Table, columns: &[String]) -> bool {
    let same = |index_columns: &[drydock_schema::IndexColumn]| {
        index_columns.len() == columns.len()
            && index_columns.iter().all(|c| columns.contains(&c.name))
    };
    table
        .primary_key
        .as_ref()
        .is_some_and(|pk| same(&pk.columns))
        || table
            .indexes
            .iter()
            .any(|i| i.kind == IndexKind::Unique && same(&i.columns))
}

fn action(action: ReferentialAction) -> &'static str {
    match action {
        ReferentialAction::Cascade => "Cascade",
        ReferentialAction::Restrict => "Restrict",
        ReferentialAction::NoAction => "NoAction",
        ReferentialAction::SetNull => "SetNull",
        ReferentialAction::SetDefault => "SetDefault",
    }
}
