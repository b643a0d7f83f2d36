//! Checks Prisma runs last, once keys, indexes and relations are known: unique criteria, scalar
//! lists, `@@schema` coverage, table and constraint name clashes, and what the connector supports.

use super::attributes::{Args, Label};
use super::{Ctx, RelationArgs};
use crate::ast::Attribute;
use crate::datamodel::{
    Arity, DefaultValue, FieldType, Index, IndexField, IndexType, Model, Provider, RelationKind,
    RelationMode, ScalarType,
};
use crate::fast_hash::FastMap;
use crate::lower::fit_name;
use drydock_diagnostics::Span;
use drydock_schema::ReferentialAction;

/// Checks that need keys, indexes and relations: unique criteria, scalar lists, `@@schema`
/// coverage and table name clashes.
pub(super) fn model_checks(ctx: &mut Ctx<'_>) {
    let provider = ctx.dm.provider();
    let multi_schema = ctx
        .dm
        .datasource
        .as_ref()
        .is_some_and(|d| !d.schemas.is_empty());
    let mut tables: FastMap<(Option<String>, String), (String, usize)> = FastMap::default();
    for mi in 0..ctx.dm.models.len() {
        let name = ctx.dm.models[mi].name.clone();
        checks_before_relation_fields(ctx, mi);
        let model = &ctx.dm.models[mi];
        let named_key = model
            .primary_key
            .as_ref()
            .and_then(|pk| pk.map.as_ref().map(|_| pk.span));
        let named_keys = matches!(
            provider,
            Some(Provider::PostgreSql | Provider::CockroachDb | Provider::SqlServer)
        );
        // Prisma checks the keys of tables only.
        if let Some(key_span) = named_key
            && !named_keys
            && !model.is_view
            && (provider.is_some() || ctx.dm.datasource.is_none())
        {
            ctx.error(
                format!(
                    "Error validating model \"{name}\": You defined a database name for the primary key on the model. This is not supported by the provider."
                ),
                key_span,
            );
        }
        // Without a datasource Prisma validates against a connector without scalar lists.
        let no_scalar_lists = match provider {
            Some(p) => !p.supports_scalar_lists(),
            None => ctx.dm.datasource.is_none(),
        };
        if no_scalar_lists {
            let kind = if ctx.dm.models[mi].is_view {
                "view"
            } else {
                "model"
            };
            // A list of a composite type is such a list too.
            let lists: Vec<(String, Span)> = ctx.dm.models[mi]
                .fields
                .iter()
                .filter(|f| {
                    f.arity == Arity::List
                        && (f.is_scalar() || matches!(f.field_type, FieldType::Composite(_)))
                })
                .map(|f| (f.name.clone(), f.span))
                .collect();
            for (field, fspan) in lists {
                ctx.error(
                    format!(
                        "Field \"{field}\" in {kind} \"{name}\" can't be a list. The current connector does not support lists of primitive types."
                    ),
                    fspan,
                );
            }
        }
        // Without a datasource too: only PostgreSQL and MongoDB store lists of JSON values.
        let json_lists = match provider {
            Some(p) => matches!(p, Provider::PostgreSql | Provider::MongoDb),
            None => ctx.dm.datasource.is_some(),
        };
        if !json_lists {
            let kind = if ctx.dm.models[mi].is_view {
                "view"
            } else {
                "model"
            };
            let lists: Vec<(String, Span)> = ctx.dm.models[mi]
                .fields
                .iter()
                .filter(|f| {
                    f.arity == Arity::List && f.field_type == FieldType::Scalar(ScalarType::Json)
                })
                .map(|f| (f.name.clone(), f.span))
                .collect();
            for (field, fspan) in lists {
                ctx.error(
                    format!(
                        "Error validating field `{field}` in {kind} `{name}`: Field `{field}` in {kind} `{name}` can't be of type Json[]. The current connector does not support the Json List type."
                    ),
                    fspan,
                );
            }
        }
        let model = &ctx.dm.models[mi];
        if !model.ignored {
            let to_ignored: Vec<(String, String, Span)> = model
                .fields
                .iter()
                .filter(|f| !f.ignored)
                .filter_map(|f| match f.field_type {
                    FieldType::Model(target) if ctx.dm.models[target.0].ignored => {
                        Some((f.name.clone(), ctx.dm.models[target.0].name.clone(), f.span))
                    }
                    _ => None,
                })
                .collect();
            for (field, target, fspan) in to_ignored {
                ctx.error(
                    format!(
                        "Error parsing attribute \"@ignore\": The relation field `{field}` on Model `{name}` must specify the `@ignore` attribute, because the model {target} it is pointing to is marked ignored."
                    ),
                    fspan,
                );
            }
        }
        autoincrement_support(ctx, mi, provider);
        // Without a datasource Prisma validates against a connector that supports nothing
        // optional, Decimal included.
        if ctx.dm.datasource.is_none() {
            let kind = if ctx.dm.models[mi].is_view {
                "view"
            } else {
                "model"
            };
            let decimals: Vec<(String, Span)> = ctx.dm.models[mi]
                .fields
                .iter()
                .filter(|f| f.field_type == FieldType::Scalar(ScalarType::Decimal))
                .map(|f| (f.name.clone(), f.span))
                .collect();
            for (field, fspan) in decimals {
                ctx.error(
                    format!(
                        "Error validating field `{field}` in {kind} `{name}`: Field `{field}` in {kind} `{name}` can't be of type Decimal. The current connector does not support the Decimal type."
                    ),
                    fspan,
                );
            }
        }
        let model = &ctx.dm.models[mi];
        {
            let key = (model.schema.clone(), model.db_name.clone());
            if let Some((existing, existing_mi)) = tables.get(&key) {
                let map_of = |i: usize| {
                    ctx.model_asts[i]
                        .attributes
                        .iter()
                        .find(|a| a.name.name == "map")
                        .map(|a| a.span)
                };
                // Prisma reports the clash at the `@@map` that causes it, naming the other
                // model.
                let (span, other) = match (map_of(mi), map_of(*existing_mi)) {
                    (None, Some(existing_map)) => (existing_map, name.clone()),
                    (own, _) => (
                        own.unwrap_or(ctx.model_asts[mi].name.span),
                        existing.clone(),
                    ),
                };
                let message = format!(
                    "The model with database name \"{}\" could not be defined because another model or view with this name exists: \"{other}\"",
                    key.1
                );
                ctx.error(message, span);
            } else {
                tables.insert(key, (name, mi));
            }
        }
    }
    constraint_names(ctx);
    for diagnostic in std::mem::take(&mut ctx.deferred) {
        ctx.diagnostics.push(diagnostic);
    }
    let mut enum_names: FastMap<(Option<String>, String), ()> = FastMap::default();
    for ei in 0..ctx.dm.enums.len() {
        let e = &ctx.dm.enums[ei];
        if enum_names
            .insert((e.schema.clone(), e.db_name.clone()), ())
            .is_some()
        {
            let span = e.span;
            ctx.error(
                "An enum with the same database name is already defined.",
                span,
            );
        }
    }
    if multi_schema {
        for ei in 0..ctx.dm.enums.len() {
            if ctx.dm.enums[ei].schema.is_none() {
                let span = ctx.dm.enums[ei].span;
                ctx.error("This enum is missing an `@@schema` attribute.", span);
            }
        }
    }
}

/// The checks Prisma makes on a model before its relation fields: with `schemas` set, an
/// `@@schema`; a model (not ignored, not a view) needs a unique criterion of required fields.
pub(super) fn checks_before_relation_fields(ctx: &mut Ctx<'_>, mi: usize) {
    let multi_schema = ctx
        .dm
        .datasource
        .as_ref()
        .is_some_and(|d| !d.schemas.is_empty());
    let model = &ctx.dm.models[mi];
    if multi_schema && model.schema.is_none() {
        let kind = if model.is_view { "view" } else { "model" };
        let (name, span) = (model.name.clone(), model.span);
        ctx.error(
            format!("Error validating {kind} \"{name}\": This {kind} is missing an `@@schema` attribute."),
            span,
        );
    }
    let model = &ctx.dm.models[mi];
    let name = model.name.clone();
    let span = model.span;
    // Unsupported fields count as not required; lists as required.
    let required = |f: &IndexField| {
        let field = &model.fields[f.field];
        field.arity != Arity::Optional && !matches!(field.field_type, FieldType::Unsupported(_))
    };
    let has_criteria = model
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.fields.iter().all(required))
        || model
            .indexes
            .iter()
            .any(|i| i.kind == IndexType::Unique && i.fields.iter().all(required));
    if !has_criteria && !model.ignored && !model.is_view {
        // The primary key first (an `Unsupported` field is never required), then the uniques.
        let left_out: Vec<String> = model
            .primary_key
            .iter()
            .map(|pk| pk.fields.as_slice())
            .chain(
                model
                    .indexes
                    .iter()
                    .filter(|i| i.kind == IndexType::Unique)
                    .map(|i| i.fields.as_slice()),
            )
            .map(|fields| {
                let names: Vec<&str> = fields
                    .iter()
                    .map(|f| model.fields[f.field].name.as_str())
                    .collect();
                format!("\n- {}", names.join(", "))
            })
            .collect();
        let left_out = if left_out.is_empty() {
            String::new()
        } else {
            format!(
                " The following unique criterias were not considered as they contain fields that are not required:{}",
                left_out.concat()
            )
        };
        ctx.error(
            format!(
                "Error validating model \"{name}\": Each model must have at least one unique criteria that has only required fields. Either mark a single field with `@id`, `@unique` or add a multi field criterion with `@@id([])` or `@@unique([])` to the model.{left_out}"
            ),
            span,
        );
    }
}

/// `@default(autoincrement())` where the provider limits it: SQLite only on the single-field
/// id, MySQL and SQLite only on an indexed field, and once per table outside PostgreSQL and
/// CockroachDB. Prisma's empty connector (no datasource) allows none of the three.
fn autoincrement_support(ctx: &mut Ctx<'_>, mi: usize, provider: Option<Provider>) {
    const P: &str =
        "Error parsing attribute \"@default\": The `autoincrement()` default value is used";
    let model = &ctx.dm.models[mi];
    // Prisma checks the tables of models only.
    if model.is_view {
        return;
    }
    let fields: Vec<usize> = (0..model.fields.len())
        .filter(|&fi| {
            model.fields[fi]
                .default
                .as_ref()
                .is_some_and(|d| d.value == DefaultValue::Autoincrement)
        })
        .collect();
    let many_allowed = matches!(provider, Some(Provider::PostgreSql | Provider::CockroachDb));
    let non_id_allowed = provider.is_some_and(|p| p != Provider::Sqlite);
    let non_indexed_allowed = many_allowed || provider == Some(Provider::SqlServer);
    let single_id = |fi: usize| {
        model
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields.len() == 1 && pk.fields[0].field == fi)
    };
    let indexed = |fi: usize| {
        model
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields[0].field == fi)
            || model
                .indexes
                .iter()
                .any(|i| i.fields.first().is_some_and(|f| f.field == fi))
    };
    let mut messages: Vec<(String, Span)> = Vec::new();
    if fields.len() > 1 && !many_allowed {
        messages.push((
            format!("{P} multiple times on this model even though the underlying datasource only supports one instance per table."),
            model.span,
        ));
    }
    for &fi in &fields {
        let span = model.fields[fi]
            .default
            .as_ref()
            .map_or(model.fields[fi].span, |d| d.span);
        if !non_id_allowed && !single_id(fi) {
            messages.push((
                format!("{P} on a non-id field even though the datasource does not support this."),
                span,
            ));
        }
        if !non_indexed_allowed && !indexed(fi) {
            messages.push((
                format!(
                    "{P} on a non-indexed field even though the datasource does not support this."
                ),
                span,
            ));
        }
    }
    for (message, span) in messages {
        ctx.error(message, span);
    }
}

/// A key or index name: `((namespace, name), attribute label, span of the map argument or
/// attribute, namespace description, whether it is a view's)`.
type ConstraintName = ((Option<String>, String), &'static str, Span, String, bool);

/// Checks constraint names Prisma keeps in one namespace (per database schema) and the length of
/// names given with `map:`.
fn constraint_names(ctx: &mut Ctx<'_>) {
    let Some(provider) = ctx.dm.provider() else {
        return;
    };
    // PostgreSQL and SQLite keep index names per database schema; MySQL per table.
    let (with_primary_keys, per_model, limit) = match provider {
        Provider::PostgreSql | Provider::CockroachDb => (true, false, Some(63)),
        Provider::Sqlite => (false, false, None),
        Provider::MySql => (false, true, Some(64)),
        Provider::SqlServer | Provider::MongoDb => return,
    };
    let global = if with_primary_keys {
        "global for primary key, indexes and unique constraints".to_owned()
    } else {
        "global for indexes and unique constraints".to_owned()
    };
    let max = limit.unwrap_or(10_000);
    let mut entries: Vec<ConstraintName> = Vec::new();
    let mut too_long: Vec<(String, String, &'static str, Span)> = Vec::new();
    for model in &ctx.dm.models {
        let (namespace, description) = if per_model {
            (
                Some(model.name.clone()),
                format!(
                    "on model `{}` for indexes and unique constraints",
                    model.name
                ),
            )
        } else {
            (model.schema.clone(), global.clone())
        };
        if let Some(pk) = &model.primary_key {
            let label = if pk.from_field { "@id" } else { "@@id" };
            if let (Some(map), Some(limit)) = (&pk.map, limit)
                && map.len() > limit
                && !model.is_view
            {
                too_long.push((model.name.clone(), map.clone(), label, pk.span));
            }
            if with_primary_keys {
                let name = pk
                    .map
                    .clone()
                    .unwrap_or_else(|| fit_name(&model.db_name, "_pkey", max));
                entries.push((
                    (namespace.clone(), name),
                    label,
                    pk.map_span.unwrap_or(pk.span),
                    description.clone(),
                    model.is_view,
                ));
            }
        }
        for index in &model.indexes {
            let label = match (index.kind, index.from_field) {
                (IndexType::Unique, true) => "@unique",
                (IndexType::Unique, false) => "@@unique",
                (IndexType::Normal, _) => "@@index",
                (IndexType::Fulltext, _) => "@@fulltext",
            };
            if let (Some(map), Some(limit)) = (&index.map, limit)
                && map.len() > limit
                && !model.is_view
            {
                too_long.push((model.name.clone(), map.clone(), label, index.span));
            }
            let name = index_name(model, index, max);
            entries.push((
                (namespace.clone(), name),
                label,
                index.map_span.unwrap_or(index.span),
                description.clone(),
                model.is_view,
            ));
        }
    }
    for (model, map, label, span) in too_long {
        ctx.error(
            format!(
                "Error validating model \"{model}\": The constraint name '{map}' specified in the `map` argument for the `{label}` constraint is too long for your chosen provider. The maximum allowed length is {max} bytes."
            ),
            span,
        );
    }
    let mut counts: FastMap<&(Option<String>, String), usize> = FastMap::default();
    for (key, ..) in &entries {
        *counts.entry(key).or_default() += 1;
    }
    // A view's names count, but Prisma reports clashes on models only.
    let duplicated: Vec<(String, &'static str, Span, String)> = entries
        .iter()
        .filter(|(key, .., view)| !view && counts.get(key).copied().unwrap_or(0) > 1)
        .map(|((_, name), label, span, description, _)| {
            (name.clone(), *label, *span, description.clone())
        })
        .collect();
    for (name, label, span, description) in duplicated {
        ctx.error(
            format!(
                "Error parsing attribute \"{label}\": The given constraint name `{name}` has to be unique in the following namespace: {description}. Please provide a different name using the `map` argument."
            ),
            span,
        );
    }
    foreign_key_names(ctx, provider, max);
}

/// An index's name: `map:`, else Prisma's default `{table}_{columns}_key` or `_idx`.
fn index_name(model: &Model, index: &Index, max: usize) -> String {
    index.map.clone().unwrap_or_else(|| {
        let mut base = model.db_name.clone();
        for f in &index.fields {
            base.push('_');
            base.push_str(model.fields.get(f.field).map_or("", |f| f.db_name.as_str()));
        }
        let suffix = if index.kind == IndexType::Unique {
            "_key"
        } else {
            "_idx"
        };
        fit_name(&base, suffix, max)
    })
}

/// Foreign key names, which PostgreSQL keeps per table together with the primary key and
/// index names, and MySQL per database. Prisma names the foreign key of every relation that is
/// not many-to-many, even one whose opposite field is missing (`Model__fkey` without `fields`).
fn foreign_key_names(ctx: &mut Ctx<'_>, provider: Provider, max: usize) {
    let per_model = match provider {
        Provider::PostgreSql | Provider::CockroachDb => true,
        Provider::MySql => false,
        _ => return,
    };
    // Prisma names foreign keys in every relation mode, `prisma` too.
    // `(model counted under, model checked against, fields, map, span)`; the models differ only
    // for a list without an opposite side, as in Prisma.
    type ForeignKeyOf<'a> = (usize, usize, &'a [usize], Option<&'a str>, Span);
    let mut keys: Vec<ForeignKeyOf<'_>> = Vec::new();
    for relation in &ctx.dm.relations {
        if let RelationKind::ForeignKey {
            referencing,
            fields,
            map,
            ..
        } = &relation.kind
        {
            let (model, field) = (referencing.model.0, referencing.field);
            let span = ctx
                .relation_args
                .get(&(model, field))
                .and_then(|a| a.map_span)
                .unwrap_or(ctx.dm.models[model].fields[field].span);
            keys.push((model, model, fields, map.as_deref(), span));
        }
    }
    for one in &ctx.one_sided_relations {
        keys.push((
            one.model,
            one.referencing_model,
            &one.fields,
            one.map.as_deref(),
            one.span,
        ));
    }
    // Every `map:` of a relation field, complete relation or not.
    let mut mapped: Vec<(&(usize, usize), &RelationArgs)> = ctx.relation_args.iter().collect();
    mapped.sort_by_key(|(key, _)| **key);
    let too_long: Vec<(String, Span)> = mapped
        .into_iter()
        .filter_map(|((mi, _), args)| {
            let map = args.map.as_deref().filter(|m| m.len() > max)?;
            let model = &ctx.dm.models.get(*mi)?.name;
            Some((
                format!(
                    "Error validating model \"{model}\": The constraint name '{map}' specified in the `map` argument for the `@relation` constraint is too long for your chosen provider. The maximum allowed length is {max} bytes."
                ),
                args.map_span.unwrap_or(args.span),
            ))
        })
        .collect();
    let name_of = |model: usize, fields: &[usize], map: Option<&str>| {
        let model = &ctx.dm.models[model];
        map.map_or_else(
            || {
                let columns: Vec<&str> = fields
                    .iter()
                    .filter_map(|f| model.fields.get(*f))
                    .map(|f| f.db_name.as_str())
                    .collect();
                fit_name(
                    &format!("{}_{}", model.db_name, columns.join("_")),
                    "_fkey",
                    max,
                )
            },
            str::to_owned,
        )
    };
    let foreign_keys: Vec<(usize, usize, String, Span)> = keys
        .into_iter()
        .map(|(counted, checked, fields, map, span)| {
            (counted, checked, name_of(checked, fields, map), span)
        })
        .collect();
    // The names in each namespace: `(model, name)` per table, `(usize::MAX, name)` globally.
    let scope = |model: usize| if per_model { model } else { usize::MAX };
    let mut counts: FastMap<(usize, String), usize> = FastMap::default();
    let mut primary_keys: Vec<(usize, String, &'static str, Span)> = Vec::new();
    if per_model {
        for (mi, model) in ctx.dm.models.iter().enumerate() {
            if let Some(pk) = &model.primary_key {
                let name = pk
                    .map
                    .clone()
                    .unwrap_or_else(|| fit_name(&model.db_name, "_pkey", max));
                *counts.entry((mi, name.clone())).or_default() += 1;
                let label = if pk.from_field { "@id" } else { "@@id" };
                primary_keys.push((mi, name, label, pk.map_span.unwrap_or(pk.span)));
            }
            for index in &model.indexes {
                *counts
                    .entry((mi, index_name(model, index, max)))
                    .or_default() += 1;
            }
        }
    }
    for (model, _, name, _) in &foreign_keys {
        *counts.entry((scope(*model), name.clone())).or_default() += 1;
    }
    let clashes = |key: (usize, String)| counts.get(&key).copied().unwrap_or(0) > 1;
    let mut errors: Vec<(String, Span)> = too_long;
    let description = |model: usize| {
        if per_model {
            format!(
                "on model `{}` for primary key, indexes, unique constraints and foreign keys",
                ctx.dm.models[model].name
            )
        } else {
            "global for foreign keys".to_owned()
        }
    };
    let message = |label: &str, name: &str, model: usize| {
        format!(
            "Error parsing attribute \"{label}\": The given constraint name `{name}` has to be unique in the following namespace: {}. Please provide a different name using the `map` argument.",
            description(model)
        )
    };
    for (model, name, label, span) in &primary_keys {
        if clashes((*model, name.clone())) {
            errors.push((message(label, name, *model), *span));
        }
    }
    for (_, model, name, span) in &foreign_keys {
        if clashes((scope(*model), name.clone())) {
            errors.push((message("@relation", name, *model), *span));
        }
    }
    for (message, span) in errors {
        ctx.error(message, span);
    }
}

/// What a key or index attribute declares, for [`capability_checks`].
#[derive(Clone, Copy)]
pub(super) enum Check {
    PrimaryKey,
    Index,
    /// An index with a non-default `type:` (the span of that argument).
    IndexType(Span),
    Fulltext,
}

/// Reports key and index options the datasource's connector does not support.
pub(super) fn capability_checks(
    ctx: &mut Ctx<'_>,
    mi: usize,
    label: &Label<'_>,
    attr: &Attribute,
    a: &Args<'_>,
    fields: &[IndexField],
    check: Check,
) {
    // An unknown provider is reported already; without a datasource Prisma validates against a
    // connector that supports none of these options.
    let provider = ctx.dm.provider();
    if ctx.dm.datasource.is_some() && provider.is_none() {
        return;
    }
    let mysql = provider == Some(Provider::MySql);
    let sql_server = provider == Some(Provider::SqlServer);
    let postgres = matches!(provider, Some(Provider::PostgreSql | Provider::CockroachDb));
    let primary_key = matches!(check, Check::PrimaryKey);
    let first = ctx.deferred.len();
    // Of the SQL connectors only SQL Server orders a primary key's columns.
    if primary_key && !sql_server && fields.iter().any(|f| f.sort.is_some()) {
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": The sort argument is not supported in the primary key with the current connector"
            ),
            attr.span,
        );
    }
    if !mysql && fields.iter().any(|f| f.length.is_some()) {
        let place = if primary_key {
            "the primary key"
        } else {
            "an index definition"
        };
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": The length argument is not supported in {place} with the current connector"
            ),
            attr.span,
        );
    }
    if mysql {
        // A prefix length is for text and bytes only; Prisma reports each other field (of
        // tables: Prisma 5.22 did not check views, 6 and 7 reject their indexes).
        let view = ctx.dm.models[mi].is_view;
        for f in fields.iter().filter(|f| f.length.is_some() && !view) {
            let prefixable = match &ctx.dm.models[mi].fields[f.field].field_type {
                FieldType::Scalar(s) => matches!(s, ScalarType::String | ScalarType::Bytes),
                FieldType::Unsupported(_) => true,
                _ => false,
            };
            if !prefixable {
                ctx.defer(
                    format!(
                        "Error parsing attribute \"{label}\": The length argument is only allowed with field types `String` or `Bytes`."
                    ),
                    attr.span,
                );
            }
        }
        if matches!(check, Check::Fulltext) {
            if fields.iter().any(|f| f.length.is_some()) {
                ctx.defer(
                    format!(
                        "Error parsing attribute \"{label}\": The length argument is not supported in a @@fulltext attribute."
                    ),
                    attr.span,
                );
            }
            if fields.iter().any(|f| f.sort.is_some()) {
                ctx.defer(
                    format!(
                        "Error parsing attribute \"{label}\": The sort argument is not supported in a @@fulltext attribute in the current connector."
                    ),
                    attr.span,
                );
            }
        }
    }
    if !sql_server && a.get("clustered").is_some() {
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": Defining clustering is not supported in the current connector."
            ),
            attr.span,
        );
    }
    match check {
        Check::Fulltext if !(mysql || provider == Some(Provider::MongoDb)) => ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": Defining fulltext indexes is not supported with the current connector."
            ),
            attr.span,
        ),
        Check::IndexType(span) if !postgres => ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": The given index type is not supported with the current connector"
            ),
            span,
        ),
        _ => {}
    }
    if !primary_key {
        ctx.index_checks.extend(first..ctx.deferred.len());
    }
}

/// Reports referential actions the connector or the relation mode cannot honour (with the
/// connector's checks, last, as Prisma does).
pub(super) fn check_action_support(ctx: &mut Ctx<'_>, action: ReferentialAction, span: Span) {
    let Some(provider) = ctx.dm.provider() else {
        return;
    };
    let name = match action {
        ReferentialAction::Cascade => "Cascade",
        ReferentialAction::Restrict => "Restrict",
        ReferentialAction::NoAction => "NoAction",
        ReferentialAction::SetNull => "SetNull",
        ReferentialAction::SetDefault => "SetDefault",
    };
    if ctx.dm.relation_mode() == RelationMode::Prisma {
        let no_action_allowed = matches!(
            provider,
            Provider::MySql | Provider::SqlServer | Provider::CockroachDb
        );
        let allowed = if no_action_allowed {
            "(`Cascade`, `Restrict`, `NoAction`, `SetNull`)"
        } else {
            "(`Cascade`, `Restrict`, `SetNull`)"
        };
        match action {
            ReferentialAction::NoAction if !no_action_allowed => ctx.defer(
                format!(
                    "Error validating: Invalid referential action: `NoAction`. Allowed values: {allowed}. `NoAction` is not implemented for {} when using `relationMode = \"prisma\"`, you could try using `Restrict` instead. Learn more at https://pris.ly/d/relation-mode",
                    provider.display_name()
                ),
                span,
            ),
            ReferentialAction::SetDefault => ctx.defer(
                format!(
                    "Error validating: Invalid referential action: `{name}`. Allowed values: {allowed}"
                ),
                span,
            ),
            _ => {}
        }
    } else if provider == Provider::MySql && action == ReferentialAction::SetDefault {
        ctx.warning(
            "MySQL does not actually support the `SetDefault` referential action, so using it may result in unexpected errors. Read more at https://pris.ly/d/mysql-set-default ",
            span,
        );
    }
}
