//! Relation inference: pairs relation fields with their opposite side, decides the relation
//! kind, and checks `fields`/`references`, uniqueness and referential actions.

use super::{Ctx, OneSidedRelation, RelationArgs};
use crate::SCHEMA_ERROR;
use crate::datamodel::{
    Arity, FieldType, IndexType, ModelId, Provider, Relation, RelationField, RelationId,
    RelationKind, RelationMode,
};
use crate::fast_hash::FastMap;
use drydock_diagnostics::{Diagnostic, Span};
use drydock_schema::ReferentialAction;

/// Whether an action changes rows of the referencing model (what makes a cycle matter).
fn modifies(action: ReferentialAction) -> bool {
    matches!(
        action,
        ReferentialAction::Cascade | ReferentialAction::SetNull | ReferentialAction::SetDefault
    )
}

/// A relation's name and whether it was written in `@relation`.
#[derive(Clone)]
struct RelationName {
    name: String,
    explicit: bool,
}

#[derive(Clone)]
struct Side {
    model: usize,
    field: usize,
    target: usize,
}

/// The first relation field (in declaration order) that shares its target model and relation
/// name with another field of its model: its error, and the span of its model. Prisma reports
/// only that one and validates nothing after it.
pub(super) fn ambiguity(ctx: &Ctx<'_>) -> Option<(Diagnostic, Span)> {
    for (mi, model) in ctx.dm.models.iter().enumerate() {
        for (fi, field) in model.fields.iter().enumerate() {
            let FieldType::Model(target) = field.field_type else {
                continue;
            };
            let name_of = |i: usize| {
                ctx.relation_args
                    .get(&(mi, i))
                    .and_then(|a| a.name.as_deref())
            };
            let name = name_of(fi);
            let group: Vec<String> = model
                .fields
                .iter()
                .enumerate()
                .filter(|(i, f)| f.field_type == FieldType::Model(target) && name_of(*i) == name)
                .map(|(_, f)| format!("`{}`", f.name))
                .collect();
            let self_relation = target.0 == mi;
            let m = &model.name;
            let t = &ctx.dm.models[target.0].name;
            let fields = join_and(&group);
            let message = match (name, group.len()) {
                (_, 0 | 1) => continue,
                (Some(_), 2) if self_relation => continue,
                (None, 2) if self_relation => format!(
                    "Ambiguous self relation detected. The fields {fields} in model `{m}` both refer to `{m}`. If they are part of the same relation add the same relation name for them with `@relation(<name>)`."
                ),
                (None, _) if self_relation => format!(
                    "Unnamed self relation detected. The fields {fields} in model `{m}` have no relation name. Please provide a relation name for one of them by adding `@relation(<name>)."
                ),
                (Some(_), _) if self_relation => format!(
                    "Wrongly named self relation detected. The fields {fields} in model `{m}` have the same relation name. At most two relation fields can belong to the same relation and therefore have the same name. Please assign a different relation name to one of them."
                ),
                (None, _) => format!(
                    "Ambiguous relation detected. The fields {fields} in model `{m}` both refer to `{t}`. Please provide different relation names for them by adding `@relation(<name>)."
                ),
                (Some(_), _) => format!(
                    "Wrongly named relation detected. The fields {fields} in model `{m}` both use the same relation name. Please provide different relation names for them through `@relation(<name>)."
                ),
            };
            let error = Diagnostic::error(
                SCHEMA_ERROR,
                format!("Error validating model \"{m}\": {message}"),
                field.span,
            );
            return Some((error, model.span));
        }
    }
    None
}

pub(super) fn resolve(ctx: &mut Ctx<'_>) {
    // Group relation fields by (unordered model pair, relation name), in declaration order.
    let mut order: Vec<(usize, usize, Option<String>)> = Vec::new();
    let mut groups: FastMap<(usize, usize, Option<String>), Vec<Side>> = FastMap::default();
    for (mi, model) in ctx.dm.models.iter().enumerate() {
        for (fi, field) in model.fields.iter().enumerate() {
            let FieldType::Model(target) = field.field_type else {
                continue;
            };
            let name = ctx
                .relation_args
                .get(&(mi, fi))
                .and_then(|a| a.name.clone());
            let key = (mi.min(target.0), mi.max(target.0), name);
            let entry = groups.entry(key.clone()).or_default();
            if entry.is_empty() {
                order.push(key);
            }
            entry.push(Side {
                model: mi,
                field: fi,
                target: target.0,
            });
        }
    }
    for key in order {
        let Some(sides) = groups.remove(&key) else {
            continue;
        };
        let (lo, hi, _) = key;
        if lo == hi {
            // After `ambiguity`, a self relation has one field or two that share a name.
            match sides.as_slice() {
                [a, b] => pair(ctx, a, b),
                [one, ..] => missing_opposite(ctx, one),
                [] => {}
            }
            continue;
        }
        let left: Vec<&Side> = sides.iter().filter(|s| s.model == lo).collect();
        let right: Vec<&Side> = sides.iter().filter(|s| s.model == hi).collect();
        match (left.first(), right.first()) {
            (Some(a), Some(b)) => pair(ctx, a, b),
            (Some(one), None) | (None, Some(one)) => missing_opposite(ctx, one),
            (None, None) => {}
        }
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn missing_opposite(ctx: &mut Ctx<'_>, side: &Side) {
    let model = &ctx.dm.models[side.model];
    let field = &model.fields[side.field];
    let target = &ctx.dm.models[side.target].name;
    let message = format!(
        "Error validating field `{f}` in model `{m}`: The relation field `{f}` on model `{m}` is missing an opposite relation field on the model `{target}`. Either run `prisma format` or add it manually.",
        f = field.name,
        m = model.name
    );
    let span = field.span;
    let (is_list, model_span) = (field.arity == Arity::List, model.span);
    ctx.error(message, span);
    let args = args_of(ctx, side);
    let one_sided = if is_list {
        OneSidedRelation {
            model: side.model,
            referencing_model: side.target,
            fields: Vec::new(),
            map: None,
            span: model_span,
        }
    } else {
        OneSidedRelation {
            model: side.model,
            referencing_model: side.model,
            fields: args
                .as_ref()
                .and_then(|a| a.fields.clone())
                .unwrap_or_default(),
            map: args.as_ref().and_then(|a| a.map.clone()),
            span: args.as_ref().and_then(|a| a.map_span).unwrap_or(span),
        }
    };
    ctx.one_sided_relations.push(one_sided);
    // Prisma checks `references` and the arity on every relation, complete or not.
    if let Some(RelationArgs {
        fields: Some(fields),
        references,
        span,
        ..
    }) = args_of(ctx, side)
    {
        if let Some(references) = references {
            fields_match_references(ctx, side, &fields, &references, span);
        }
        fields_arity(ctx, side, &fields);
    }
}

fn args_of(ctx: &Ctx<'_>, side: &Side) -> Option<RelationArgs> {
    ctx.relation_args.get(&(side.model, side.field)).cloned()
}

fn has_fields(args: Option<&RelationArgs>) -> bool {
    args.is_some_and(|a| a.fields.is_some())
}

fn has_references(args: Option<&RelationArgs>) -> bool {
    args.is_some_and(|a| a.references.is_some())
}

fn default_name(ctx: &Ctx<'_>, a: usize, b: usize) -> String {
    let mut names = [
        ctx.dm.models[a].name.as_str(),
        ctx.dm.models[b].name.as_str(),
    ];
    names.sort_unstable();
    format!("{}To{}", names[0], names[1])
}

fn pair(ctx: &mut Ctx<'_>, a: &Side, b: &Side) {
    let a_args = args_of(ctx, a);
    let b_args = args_of(ctx, b);
    let a_list = ctx.dm.models[a.model].fields[a.field].arity == Arity::List;
    let b_list = ctx.dm.models[b.model].fields[b.field].arity == Arity::List;
    let explicit_name = a_args
        .as_ref()
        .and_then(|x| x.name.clone())
        .or_else(|| b_args.as_ref().and_then(|x| x.name.clone()));
    let name = RelationName {
        explicit: explicit_name.is_some(),
        name: explicit_name.unwrap_or_else(|| default_name(ctx, a.model, b.model)),
    };
    match (a_list, b_list) {
        (true, true) => many_to_many(ctx, a, b, name),
        (true, false) => one_to_many(ctx, b, a, b_args, a_args, name),
        (false, true) => one_to_many(ctx, a, b, a_args, b_args, name),
        (false, false) => one_to_one(ctx, a, b, a_args, b_args, name),
    }
}

fn field_label(ctx: &Ctx<'_>, side: &Side) -> (String, String) {
    let model = &ctx.dm.models[side.model];
    (model.fields[side.field].name.clone(), model.name.clone())
}

fn many_to_many(ctx: &mut Ctx<'_>, a: &Side, b: &Side, name: RelationName) {
    // With `fields` on a side it is MongoDB's embedded kind, which SQL connectors lack: Prisma
    // says so once per side and checks nothing else of it.
    let embedded = [a, b]
        .iter()
        .any(|side| has_fields(args_of(ctx, side).as_ref()));
    let provider = ctx.dm.provider();
    if embedded && provider != Some(Provider::MongoDb) {
        let connector = provider.map_or(
            "psl_core::datamodel_connector::empty_connector::EmptyDatamodelConnector",
            Provider::display_name,
        );
        for side in [a, b] {
            ctx.error(
                format!(
                    "Error validating: Embedded many-to-many relations are not supported on {connector}. Please use the syntax defined in https://pris.ly/d/relational-database-many-to-many"
                ),
                ctx.dm.models[side.model].fields[side.field].span,
            );
        }
        return;
    }
    let mut ok = true;
    for (side, other) in [(a, b), (b, a)] {
        let target = &ctx.dm.models[other.model];
        let single_id = target
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields.len() == 1);
        if !single_id {
            let (f, m) = field_label(ctx, side);
            let message = format!(
                "Error validating field `{f}` in model `{m}`: The relation field `{f}` on model `{m}` references `{}` which does not have an `@id` field. Models without `@id` cannot be part of a many to many relation. Use an explicit intermediate Model to represent this relationship.",
                target.name
            );
            let span = ctx.dm.models[side.model].fields[side.field].span;
            ctx.error(message, span);
            ok = false;
        }
        let args = args_of(ctx, side);
        if has_fields(args.as_ref()) || has_references(args.as_ref()) {
            let (f, m) = field_label(ctx, side);
            let span = args
                .as_ref()
                .map_or(ctx.dm.models[side.model].fields[side.field].span, |x| {
                    x.span
                });
            ctx.error(
                format!(
                    "Error parsing attribute \"@relation\": The relation field `{f}` on Model `{m}` must not specify the `fields` or `references` argument in the @relation attribute. Implicit many-to-many relations do not use them."
                ),
                span,
            );
            ok = false;
        }
    }
    if !ok {
        return;
    }
    // Column `A` belongs to the model whose name sorts first (then the field name).
    let key = |s: &Side| {
        (
            ctx.dm.models[s.model].name.clone(),
            ctx.dm.models[s.model].fields[s.field].name.clone(),
        )
    };
    let (first, second) = if key(a) <= key(b) { (a, b) } else { (b, a) };
    let relation = Relation {
        name: name.name,
        explicit_name: name.explicit,
        kind: RelationKind::ManyToMany {
            a: RelationField {
                model: ModelId(first.model),
                field: first.field,
            },
            b: RelationField {
                model: ModelId(second.model),
                field: second.field,
            },
        },
    };
    push_relation(ctx, relation, &[a, b]);
}

fn push_relation(ctx: &mut Ctx<'_>, relation: Relation, sides: &[&Side]) {
    let id = RelationId(ctx.dm.relations.len());
    ctx.dm.relations.push(relation);
    for s in sides {
        ctx.dm.models[s.model].fields[s.field].relation = Some(id);
    }
}

/// `fk` is the singular side, `back` the list side.
fn one_to_many(
    ctx: &mut Ctx<'_>,
    fk: &Side,
    back: &Side,
    fk_args: Option<RelationArgs>,
    back_args: Option<RelationArgs>,
    name: RelationName,
) {
    let (f, m) = field_label(ctx, fk);
    let fk_span = ctx.dm.models[fk.model].fields[fk.field].span;
    if back_args
        .as_ref()
        .is_some_and(|a| a.on_delete.is_some() || a.on_update.is_some())
    {
        let (bf, bm) = field_label(ctx, back);
        let span = ctx.dm.models[back.model].fields[back.field].span;
        ctx.error(
            format!(
                "Error parsing attribute \"@relation\": The relation field `{bf}` on Model `{bm}` must not specify the `onDelete` or `onUpdate` argument in the @relation attribute. You must only specify it on the opposite field `{f}` on model `{m}`, or in case of a many to many relation, in an explicit join table."
            ),
            span,
        );
    }
    if has_fields(back_args.as_ref()) || has_references(back_args.as_ref()) {
        let (bf, bm) = field_label(ctx, back);
        let span = ctx.dm.models[back.model].fields[back.field].span;
        ctx.error(
            format!(
                "Error parsing attribute \"@relation\": The relation field `{bf}` on Model `{bm}` must not specify the `fields` or `references` argument in the @relation attribute. You must only specify it on the opposite field `{f}` on model `{m}`."
            ),
            span,
        );
    }
    if !has_fields(fk_args.as_ref()) {
        ctx.error(
            format!(
                "Error parsing attribute \"@relation\": The relation field `{f}` on Model `{m}` must specify the `fields` argument in the @relation attribute. You can run `prisma format` to fix this automatically."
            ),
            fk_span,
        );
    }
    if !has_references(fk_args.as_ref()) {
        ctx.error(
            format!(
                "Error parsing attribute \"@relation\": The relation field `{f}` on Model `{m}` must specify the `references` argument in the @relation attribute."
            ),
            fk_span,
        );
    }
    // The defining side is checked whatever the errors above, as in Prisma.
    let Some(args) = fk_args else {
        return;
    };
    if args.fields.is_none() || args.references.is_none() {
        let any_required = args.fields.as_ref().is_some_and(|fields| {
            fields
                .iter()
                .any(|fi| ctx.dm.models[fk.model].fields[*fi].arity == Arity::Required)
        });
        self_relation_actions(ctx, fk, &args, any_required);
    }
    match (&args.fields, &args.references) {
        (Some(_), Some(_)) => foreign_key_relation(ctx, fk, Some(back), args, name, false),
        (Some(fields), None) => fields_without_references(ctx, fk, fields),
        (None, Some(references)) => {
            references_unique(ctx, fk, references);
        }
        (None, None) => {}
    }
}

/// The defining sides of a one-to-one relation as Prisma reads them, each with its opposite:
/// the required side; of two optional sides each one with `fields` (so both, when both have
/// them); else the first by model and field name.
fn defining_sides<'s>(
    ctx: &Ctx<'_>,
    a: (&'s Side, Option<&RelationArgs>),
    b: (&'s Side, Option<&RelationArgs>),
) -> Vec<(&'s Side, &'s Side)> {
    let arity = |s: &Side| ctx.dm.models[s.model].fields[s.field].arity;
    let key = |s: &Side| {
        let model = &ctx.dm.models[s.model];
        [model.name.as_str(), model.fields[s.field].name.as_str()]
    };
    let first = if key(a.0) <= key(b.0) {
        (a.0, b.0)
    } else {
        (b.0, a.0)
    };
    match (arity(a.0), arity(b.0)) {
        (Arity::Required, Arity::Optional) => vec![(a.0, b.0)],
        (Arity::Optional, Arity::Required) => vec![(b.0, a.0)],
        (Arity::Optional, Arity::Optional) => match (has_fields(a.1), has_fields(b.1)) {
            (true, true) => vec![(a.0, b.0), (b.0, a.0)],
            (true, false) => vec![(a.0, b.0)],
            (false, true) => vec![(b.0, a.0)],
            (false, false) => vec![first],
        },
        _ => vec![first],
    }
}

fn one_to_one(
    ctx: &mut Ctx<'_>,
    a: &Side,
    b: &Side,
    a_args: Option<RelationArgs>,
    b_args: Option<RelationArgs>,
    name: RelationName,
) {
    let args_of_side = |s: &Side| {
        if std::ptr::eq(s, a) {
            a_args.clone()
        } else {
            b_args.clone()
        }
    };
    let relations = defining_sides(ctx, (a, a_args.as_ref()), (b, b_args.as_ref()));
    // Prisma checks `fields` and `references` one at a time, for each relation: each must be
    // given on exactly one side.
    let mut reported = false;
    for &(fw, bk) in &relations {
        let (fw_args, bk_args) = (args_of_side(fw), args_of_side(bk));
        let (ff, fm) = field_label(ctx, fw);
        let (bf, bm) = field_label(ctx, bk);
        let fw_span = ctx.dm.models[fw.model].fields[fw.field].span;
        let bk_span = ctx.dm.models[bk.model].fields[bk.field].span;
        for arg in ["fields", "references"] {
            let given = |args: Option<&RelationArgs>| match arg {
                "fields" => has_fields(args),
                _ => has_references(args),
            };
            let (fw_gives, bk_gives) = (given(fw_args.as_ref()), given(bk_args.as_ref()));
            if fw_gives != bk_gives {
                continue;
            }
            // "both provide" from the defining side's view on both fields, "do not provide"
            // from each field's own view.
            let reports = if fw_gives {
                let text = format!(
                    "`{ff}` on Model `{fm}` and `{bf}` on Model `{bm}` both provide the `{arg}` argument in the @relation attribute. You have to provide it only on one of the two fields."
                );
                [(fw_span, text.clone()), (bk_span, text)]
            } else {
                let tail = format!(
                    "do not provide the `{arg}` argument in the @relation attribute. You have to provide it on one of the two fields."
                );
                [
                    (
                        fw_span,
                        format!("`{ff}` on Model `{fm}` and `{bf}` on Model `{bm}` {tail}"),
                    ),
                    (
                        bk_span,
                        format!("`{bf}` on Model `{bm}` and `{ff}` on Model `{fm}` {tail}"),
                    ),
                ]
            };
            for (span, text) in reports {
                ctx.error(
                    format!("Error parsing attribute \"@relation\": The relation fields {text}"),
                    span,
                );
            }
            reported = true;
        }
        referential_actions_on_one_side(ctx, (fw, fw_args.as_ref()), (bk, bk_args.as_ref()));
    }
    if reported {
        // Each defining side is still checked as the relation it defines.
        for &(fw, bk) in &relations {
            let Some(args) = args_of_side(fw) else {
                continue;
            };
            match (&args.fields, &args.references) {
                (Some(_), Some(_)) => {
                    foreign_key_relation(ctx, fw, Some(bk), args, name.clone(), true);
                }
                (Some(fields), None) => {
                    one_to_one_unique_fields(ctx, fw, fields);
                    fields_without_references(ctx, fw, fields);
                }
                (None, Some(references)) => {
                    references_unique(ctx, fw, references);
                }
                (None, None) => {}
            }
        }
        return;
    }
    // Without such errors there is one relation.
    let (fk, back) = relations[0];
    let (fk_args, back_args) = (args_of_side(fk), args_of_side(back));
    let (f, m) = field_label(ctx, fk);
    let (bf, bm) = field_label(ctx, back);
    let fk_span = ctx.dm.models[fk.model].fields[fk.field].span;
    let back_field = &ctx.dm.models[back.model].fields[back.field];
    let back_span = back_field.span;
    // Prisma checks these last, one after the other, each only while nothing else was found.
    const P: &str = "Error parsing attribute \"@relation\": ";
    let mut mixups: Vec<(String, Span)> = Vec::new();
    if has_fields(fk_args.as_ref()) && has_references(back_args.as_ref()) {
        let text = format!(
            "{P}The relation field `{f}` on Model `{m}` provides the `fields` argument in the @relation attribute. And the related field `{bf}` on Model `{bm}` provides the `references` argument. You must provide both arguments on the same side."
        );
        mixups.push((text.clone(), fk_span));
        mixups.push((text, back_span));
    }
    if has_references(fk_args.as_ref()) && has_fields(back_args.as_ref()) {
        mixups.push((format!("{P}The relation field `{f}` on Model `{m}` provides the `references` argument in the @relation attribute. And the related field `{bf}` on Model `{bm}` provides the `fields` argument. You must provide both arguments on the same side."), fk_span));
    }
    let mut back_required = Vec::new();
    if back_field.arity == Arity::Required {
        let target = ctx.dm.models[fk.model].name.clone();
        back_required.push((format!("{P}The relation field `{bf}` on Model `{bm}` is required. This is not valid because it's not possible to enforce this constraint on the database level. Please change the field type from `{target}` to `{target}?` to fix this."), back_span));
    }
    let mut wrong_side = Vec::new();
    let fk_required = ctx.dm.models[fk.model].fields[fk.field].arity == Arity::Required;
    if fk_required && (has_fields(back_args.as_ref()) || has_references(back_args.as_ref())) {
        let fk_model = &ctx.dm.models[fk.model].name;
        wrong_side.push((format!("{P}The relation field `{bm}.{bf}` defines the `fields` and/or `references` argument. You must set them on the required side of the relation (`{fk_model}.{f}`) in order for the constraints to be enforced. Alternatively, you can change this field to be required and the opposite optional, or make both sides of the relation optional."), back_span));
    }
    let first_found = [mixups, back_required, wrong_side]
        .into_iter()
        .find(|found| !found.is_empty())
        .unwrap_or_default();
    for (message, span) in first_found {
        ctx.unless_errors
            .push(Diagnostic::error(SCHEMA_ERROR, message, span));
    }
    let Some(args) = fk_args else {
        return;
    };
    match (&args.fields, &args.references) {
        (Some(_), Some(_)) => foreign_key_relation(ctx, fk, Some(back), args, name, true),
        (Some(fields), None) => {
            one_to_one_unique_fields(ctx, fk, fields);
            fields_without_references(ctx, fk, fields);
        }
        (None, Some(references)) => {
            references_unique(ctx, fk, references);
        }
        (None, None) => {}
    }
}

/// Reports `fields` of a one-to-one relation that are no unique criterion of their model.
fn one_to_one_unique_fields(ctx: &mut Ctx<'_>, fk: &Side, fields: &[usize]) -> bool {
    if is_unique_criterion(ctx, fk.model, fields) {
        return true;
    }
    let names: Vec<String> = fields
        .iter()
        .map(|r| ctx.dm.models[fk.model].fields[*r].name.clone())
        .collect();
    let hint = match names.as_slice() {
        [one] => format!("Either add an `@unique` attribute to the field `{one}`"),
        _ => format!(
            "Either add an `@@unique([{}])` attribute to the model",
            names.join(", ")
        ),
    };
    let fk_span = ctx.dm.models[fk.model].fields[fk.field].span;
    ctx.error(
        format!(
            "Error parsing attribute \"@relation\": A one-to-one relation must use unique fields on the defining side. {hint}, or change the relation to one-to-many."
        ),
        fk_span,
    );
    false
}

/// A required relation field whose scalar fields are optional: reported, `false`.
fn fields_arity(ctx: &mut Ctx<'_>, fk: &Side, fields: &[usize]) -> bool {
    let model = &ctx.dm.models[fk.model];
    let relation_required = model.fields[fk.field].arity == Arity::Required;
    let optional_fields = fields
        .iter()
        .any(|fi| model.fields[*fi].arity == Arity::Optional);
    if !(relation_required && optional_fields) {
        return true;
    }
    let names: Vec<&str> = fields
        .iter()
        .map(|fi| model.fields[*fi].name.as_str())
        .collect();
    let message = format!(
        "Error validating: The relation field `{}` uses the scalar fields {}. At least one of those fields is optional. Hence the relation field must be optional as well.",
        model.fields[fk.field].name,
        names.join(", ")
    );
    let span = model.fields[fk.field].span;
    ctx.error(message, span);
    false
}

/// `onDelete` and `onUpdate` belong on the defining side of a one-to-one relation.
fn referential_actions_on_one_side(
    ctx: &mut Ctx<'_>,
    fw: (&Side, Option<&RelationArgs>),
    bk: (&Side, Option<&RelationArgs>),
) {
    let explicit = |args: Option<&RelationArgs>| {
        args.is_some_and(|a| a.on_delete.is_some() || a.on_update.is_some())
    };
    if !explicit(bk.1) {
        return;
    }
    let (ff, fm) = field_label(ctx, fw.0);
    let (bf, bm) = field_label(ctx, bk.0);
    let fw_span = ctx.dm.models[fw.0.model].fields[fw.0.field].span;
    let bk_span = ctx.dm.models[bk.0.model].fields[bk.0.field].span;
    const P: &str = "Error parsing attribute \"@relation\": ";
    if explicit(fw.1) {
        let both = |f1: &str, m1: &str, f2: &str, m2: &str| {
            format!(
                "{P}The relation fields `{f1}` on Model `{m1}` and `{f2}` on Model `{m2}` both provide the `onDelete` or `onUpdate` argument in the @relation attribute. You have to provide it only on one of the two fields."
            )
        };
        ctx.error(both(&bf, &bm, &ff, &fm), bk_span);
        ctx.error(both(&ff, &fm, &bf, &bm), fw_span);
    } else {
        ctx.error(
            format!("{P}The relation field `{bf}` on Model `{bm}` must not specify the `onDelete` or `onUpdate` argument in the @relation attribute. You must only specify it on the opposite field `{ff}` on model `{fm}`."),
            bk_span,
        );
    }
}

/// Reports `references` that are no unique criterion of the referenced model.
fn references_unique(ctx: &mut Ctx<'_>, fk: &Side, references: &[usize]) -> bool {
    if is_unique_criterion(ctx, fk.target, references) {
        return true;
    }
    let target = &ctx.dm.models[fk.target];
    let names: Vec<&str> = references
        .iter()
        .map(|r| target.fields[*r].name.as_str())
        .collect();
    let hint = match names.as_slice() {
        [one] => format!(
            "an `@unique` attribute to the field `{one}` in the model `{}`",
            target.name
        ),
        _ => format!(
            "an `@@unique([{}])` attribute to the model `{}`",
            names.join(", "),
            target.name
        ),
    };
    let span = ctx.dm.models[fk.model].fields[fk.field].span;
    ctx.error(
        format!(
            "Error parsing attribute \"@relation\": The argument `references` must refer to a unique criterion in the related model. Consider adding {hint}."
        ),
        span,
    );
    false
}

fn is_unique_criterion(ctx: &Ctx<'_>, model: usize, fields: &[usize]) -> bool {
    let m = &ctx.dm.models[model];
    let mut wanted = fields.to_vec();
    wanted.sort_unstable();
    let same = |candidate: &mut Vec<usize>| {
        candidate.sort_unstable();
        *candidate == wanted
    };
    m.primary_key
        .as_ref()
        .is_some_and(|pk| same(&mut pk.fields.iter().map(|f| f.field).collect()))
        || m.indexes.iter().any(|i| {
            i.kind == IndexType::Unique && same(&mut i.fields.iter().map(|f| f.field).collect())
        })
}

/// Whether `fields` are the leading columns of the primary key or of an index.
fn is_indexed(ctx: &Ctx<'_>, model: usize, fields: &[usize]) -> bool {
    let m = &ctx.dm.models[model];
    let leads = |columns: &mut dyn Iterator<Item = usize>| {
        let columns: Vec<usize> = columns.take(fields.len()).collect();
        columns == fields
    };
    m.primary_key
        .as_ref()
        .is_some_and(|pk| leads(&mut pk.fields.iter().map(|f| f.field)))
        || m.indexes
            .iter()
            .any(|i| leads(&mut i.fields.iter().map(|f| f.field)))
}

/// The checks Prisma makes on `fields` and `references` of every relation field, with or
/// without an opposite field. `None` when their lengths differ (nothing more is checked),
/// else whether they passed.
fn fields_match_references(
    ctx: &mut Ctx<'_>,
    fk: &Side,
    fields: &[usize],
    references: &[usize],
    args_span: Span,
) -> Option<bool> {
    let mut ok = references_unique(ctx, fk, references);
    // Reported after the unique criterion, as Prisma does.
    if fields.len() != references.len() {
        ctx.error(
            "Error validating: You must specify the same number of fields in `fields` and `references`.",
            args_span,
        );
        return None;
    }
    if !field_types_match(ctx, fk, fields, references) {
        ok = false;
    }
    Some(ok)
}

/// Reports each field whose type differs from its referenced field's.
fn field_types_match(ctx: &mut Ctx<'_>, fk: &Side, fields: &[usize], references: &[usize]) -> bool {
    let (_, m) = field_label(ctx, fk);
    let fk_span = ctx.dm.models[fk.model].fields[fk.field].span;
    let target_name = ctx.dm.models[fk.target].name.clone();
    let mut ok = true;
    for (fi, ri) in fields.iter().zip(references) {
        let local = &ctx.dm.models[fk.model].fields[*fi];
        let remote = &ctx.dm.models[fk.target].fields[*ri];
        if local.field_type != remote.field_type || !local.is_scalar() {
            let message = format!(
                "Error parsing attribute \"@relation\": The type of the field `{}` in the model `{m}` is not matching the type of the referenced field `{}` in model `{target_name}`.",
                local.name, remote.name
            );
            ctx.error(message, fk_span);
            ok = false;
        }
    }
    ok
}

/// `fields` without `references`: Prisma compares their types with the referenced model's
/// primary key, which it takes as the references.
fn fields_without_references(ctx: &mut Ctx<'_>, fk: &Side, fields: &[usize]) {
    fields_arity(ctx, fk, fields);
    let key: Option<Vec<usize>> = ctx.dm.models[fk.target]
        .primary_key
        .as_ref()
        .map(|pk| pk.fields.iter().map(|f| f.field).collect());
    if let Some(key) = key
        && key.len() == fields.len()
    {
        field_types_match(ctx, fk, fields, &key);
    }
}

/// Emulated relations (`relationMode = "prisma"`) and SQL Server cannot follow cycles: a
/// self-relation must not cascade or set values.
fn self_relation_actions(ctx: &mut Ctx<'_>, fk: &Side, args: &RelationArgs, any_required: bool) {
    let on_delete = args.on_delete.unwrap_or(if any_required {
        ReferentialAction::Restrict
    } else {
        ReferentialAction::SetNull
    });
    let on_update = args.on_update.unwrap_or(ReferentialAction::Cascade);
    let prisma_mode = ctx.dm.relation_mode() == RelationMode::Prisma;
    if !(prisma_mode || ctx.dm.provider() == Some(Provider::SqlServer))
        || fk.model != fk.target
        || !(modifies(on_delete) || modifies(on_update))
    {
        return;
    }
    let action_name = |a: ReferentialAction| match a {
        ReferentialAction::Cascade => "Cascade",
        ReferentialAction::Restrict => "Restrict",
        ReferentialAction::NoAction => "NoAction",
        ReferentialAction::SetNull => "SetNull",
        ReferentialAction::SetDefault => "SetDefault",
    };
    let defaults = match (args.on_delete, args.on_update) {
        (None, None) => format!(
            " (Implicit default `onDelete`: `{}`, and `onUpdate`: `{}`)",
            action_name(on_delete),
            action_name(on_update)
        ),
        (None, Some(_)) => format!(
            " (Implicit default `onDelete`: `{}`)",
            action_name(on_delete)
        ),
        (Some(_), None) => format!(
            " (Implicit default `onUpdate`: `{}`)",
            action_name(on_update)
        ),
        (Some(_), Some(_)) => String::new(),
    };
    ctx.error(
        format!(
            "Error validating: A self-relation must have `onDelete` and `onUpdate` referential actions set to `NoAction` in one of the @relation attributes.{defaults} Read more at https://pris.ly/d/cyclic-referential-actions"
        ),
        args.span,
    );
}

fn foreign_key_relation(
    ctx: &mut Ctx<'_>,
    fk: &Side,
    back: Option<&Side>,
    args: RelationArgs,
    name: RelationName,
    one_to_one: bool,
) {
    let (Some(fields), Some(references)) = (args.fields.clone(), args.references.clone()) else {
        return;
    };
    // Prisma checks a self-relation's actions whatever else is wrong with its arguments.
    let declared_required = fields
        .iter()
        .any(|fi| ctx.dm.models[fk.model].fields[*fi].arity == Arity::Required);
    self_relation_actions(ctx, fk, &args, declared_required);
    let fk_span = ctx.dm.models[fk.model].fields[fk.field].span;
    // `None` when the lengths differ; the checks below are independent of these, as in Prisma.
    let matched = fields_match_references(ctx, fk, &fields, &references, args.span);
    let mut ok = matched == Some(true);
    if one_to_one && !one_to_one_unique_fields(ctx, fk, &fields) {
        ok = false;
    }
    if !fields_arity(ctx, fk, &fields) {
        ok = false;
    }
    if !ok {
        return;
    }
    let any_required = fields
        .iter()
        .any(|fi| ctx.dm.models[fk.model].fields[*fi].arity == Arity::Required);
    let on_delete = args.on_delete.unwrap_or(if any_required {
        ReferentialAction::Restrict
    } else {
        ReferentialAction::SetNull
    });
    let on_update = args.on_update.unwrap_or(ReferentialAction::Cascade);
    let prisma_mode = ctx.dm.relation_mode() == RelationMode::Prisma;
    if prisma_mode && !is_indexed(ctx, fk.model, &fields) {
        ctx.warning(
            "With `relationMode = \"prisma\"`, no foreign keys are used, so relation fields will not benefit from the index usually created by the relational database under the hood. This can lead to poor performance when querying these fields. We recommend adding an index manually. Learn more at https://pris.ly/d/relation-mode-prisma-indexes\" ",
            args.span,
        );
    }
    let provider = ctx.dm.provider();
    // Only PostgreSQL with foreign keys lets the database refuse such a `SetNull` at run time.
    let set_null_is_error =
        prisma_mode || !matches!(provider, Some(Provider::PostgreSql | Provider::CockroachDb));
    for (explicit_action, which) in [(args.on_delete, "onDelete"), (args.on_update, "onUpdate")] {
        if explicit_action == Some(ReferentialAction::SetNull) && any_required {
            if set_null_is_error {
                ctx.error(
                    format!(
                        "Error parsing attribute \"@relation\": The `{which}` referential action of a relation must not be set to `SetNull` when a referenced field is required.\nEither choose another referential action, or make the referenced fields optional.\n"
                    ),
                    fk_span,
                );
            } else {
                ctx.warning(
                    format!(
                        "The `{which}` referential action of a relation should not be set to `SetNull` when a referenced field is required. We recommend either to choose another referential action, or to make the referenced fields optional. Read more at https://pris.ly/d/postgres-set-null "
                    ),
                    fk_span,
                );
            }
        }
    }
    let relation = Relation {
        name: name.name,
        explicit_name: name.explicit,
        kind: RelationKind::ForeignKey {
            referencing: RelationField {
                model: ModelId(fk.model),
                field: fk.field,
            },
            referenced: back.map(|b| RelationField {
                model: ModelId(b.model),
                field: b.field,
            }),
            fields,
            references,
            referenced_model: ModelId(fk.target),
            on_delete,
            on_update,
            on_delete_explicit: args.on_delete.is_some(),
            on_update_explicit: args.on_update.is_some(),
            map: args.map,
            one_to_one,
        },
    };
    let mut sides = vec![fk];
    if let Some(b) = back {
        sides.push(b);
    }
    push_relation(ctx, relation, &sides);
}
