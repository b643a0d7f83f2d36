//! Shard keys (`@shardKey`, `@@shardKey`, preview feature `shardKeys`): the columns a sharded
//! MySQL database (Vitess, PlanetScale) routes rows by. They change no table, so they are
//! validated as Prisma validates them and not kept in the datamodel.

use super::Ctx;
use crate::ast::{self, Attribute, Expression};
use crate::datamodel::Arity;
use drydock_diagnostics::Span;

/// A model's shard key, as the first attribute that declares one sets it.
pub(crate) struct ShardKey {
    fields: Vec<usize>,
    /// `@shardKey` on a field, or `@@shardKey`.
    on_field: bool,
    span: Span,
}

/// `@shardKey` on field `fi` of model `mi`.
pub(super) fn field(ctx: &mut Ctx<'_>, mi: usize, fi: usize, span: Span) {
    if ctx.shard_keys.contains_key(&mi) {
        let name = &ctx.dm.models[mi].name;
        let message = format!(
            "Error validating model \"{name}\": At most one field must be marked as the shard key with the `@shardKey` attribute."
        );
        ctx.error(message, ctx.dm.models[mi].span);
        return;
    }
    ctx.shard_keys.insert(
        mi,
        ShardKey {
            fields: vec![fi],
            on_field: true,
            span,
        },
    );
}

/// `@@shardKey(fields)` on model `mi`.
pub(super) fn block(
    ctx: &mut Ctx<'_>,
    mi: usize,
    m: &ast::Model,
    attr: &Attribute,
    expr: &Expression,
) {
    let name = m.name.name.as_str();
    let mut fields = Vec::new();
    let mut unknown = Vec::new();
    let mut relations = Vec::new();
    for item in expr.list_items() {
        let Expression::Constant(field, _) = item else {
            ctx.type_mismatch("constant literal", item);
            return;
        };
        match ctx.field_index(mi, field) {
            Some(fi) if !ctx.dm.models[mi].fields[fi].is_relation() => fields.push(fi),
            Some(_) => relations.push(field.as_str()),
            // A field whose type did not resolve reads as a relation field, as for indexes.
            None if ctx.declares_field(mi, field) => relations.push(field.as_str()),
            None => unknown.push(field.as_str()),
        }
    }
    if !unknown.is_empty() {
        ctx.error(
            format!(
                "Error validating model \"{name}\": The multi field shard key declaration refers to the unknown {}.",
                listed(&unknown)
            ),
            expr.span(),
        );
    }
    if !relations.is_empty() {
        ctx.error(
            format!(
                "Error validating model \"{name}\": The shard key definition refers to the relation {}. Shard key definitions must reference only scalar fields.",
                listed(&relations)
            ),
            attr.span,
        );
    }
    if !unknown.is_empty() || !relations.is_empty() {
        return;
    }
    // `@@ignore` is read before the shard key, wherever it stands.
    let ignored = m.attributes.iter().any(|a| a.name.name == "ignore");
    let optional: Vec<&str> = fields
        .iter()
        .map(|&fi| &ctx.dm.models[mi].fields[fi])
        .filter(|f| f.arity != Arity::Required)
        .map(|f| f.name.as_str())
        .collect();
    if !optional.is_empty() && !ignored {
        let message = format!(
            "Error validating model \"{name}\": The shard key definition refers to the optional {}. Shard key definitions must reference only required fields.",
            listed(&optional)
        );
        ctx.error(message, attr.span);
    }
    if ctx.shard_keys.contains_key(&mi) {
        ctx.error(
            format!(
                "Error validating model \"{name}\": Each model must have at most one shard key. You can't have `@shardKey` and `@@shardKey` at the same time."
            ),
            m.span,
        );
    }
    ctx.shard_keys.insert(
        mi,
        ShardKey {
            fields,
            on_field: false,
            span: attr.span,
        },
    );
}

/// Once the model's attributes are read: the arity of an `@shardKey` field, and (in the last
/// phase) the preview feature, the connector, and an empty field list.
pub(super) fn check(ctx: &mut Ctx<'_>, mi: usize) {
    let Some(key) = ctx.shard_keys.get(&mi) else {
        return;
    };
    let (span, on_field, empty) = (key.span, key.on_field, key.fields.is_empty());
    let ignored = ctx.dm.models[mi].ignored;
    let optional_field = on_field
        && key
            .fields
            .first()
            .is_some_and(|&fi| ctx.dm.models[mi].fields[fi].arity != Arity::Required);
    let label = if on_field { "@shardKey" } else { "@@shardKey" };
    if optional_field && !ignored {
        ctx.error(
            "Error parsing attribute \"@shardKey\": Fields that are marked as shard keys must be required.",
            span,
        );
    }
    // The last phase checks the shard keys of models only.
    if ctx.dm.models[mi].is_view {
        return;
    }
    if !ctx.dm.preview_feature("shardKeys") {
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": Defining shard keys requires enabling the `shardKeys` preview feature"
            ),
            span,
        );
    }
    // Only the MySQL connector knows shard keys; without a datasource Prisma names its empty
    // connector.
    let provider = match ctx.dm.provider() {
        Some(crate::datamodel::Provider::MySql) => None,
        Some(provider) => Some(provider.as_str()),
        None if ctx.dm.datasource.is_none() => Some("empty"),
        None => None,
    };
    if let Some(provider) = provider {
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": Shard keys are not currently supported for provider {provider}"
            ),
            span,
        );
    }
    if empty {
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": The list of fields in a `{label}()` attribute cannot be empty. Please specify at least one field."
            ),
            span,
        );
    }
}

/// `field `a`` or `fields `a`, `b``, as Prisma lists fields in messages.
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let noun = if names.len() == 1 { "field" } else { "fields" };
    format!("{noun} {}", quoted.join(", "))
}
