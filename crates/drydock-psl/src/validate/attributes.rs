//! Field, block and enum attributes: keys, indexes, database names, native types and
//! `@relation` arguments.

use super::checks::{Check, capability_checks, check_action_support};
use super::defaults::resolve_default;
use super::indexes::{IndexedField, check_postgres_index};
use super::{Ctx, RelationArgs, display_expr};
use crate::ast::{self, Attribute, Expression};
use crate::datamodel::{
    Arity, Default, FieldType, Index, IndexField, IndexType, NativeType, PrimaryKey, Provider,
    ScalarType,
};
use crate::fast_hash::{FastMap, FastSet};
use drydock_diagnostics::Span;
use drydock_schema::{IndexAlgorithm, ReferentialAction, SortOrder};

/// An attribute name with its `@`/`@@` prefix, formatted only when a message needs it.
pub(super) struct Label<'a> {
    prefix: &'static str,
    name: &'a str,
}

impl<'a> Label<'a> {
    fn new(prefix: &'static str, name: &'a str) -> Self {
        Label { prefix, name }
    }
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.prefix, self.name)
    }
}

const FIELD_ATTRIBUTES: &[&str] = &[
    "id",
    "default",
    "unique",
    "map",
    "updatedAt",
    "ignore",
    "relation",
    "shardKey",
];

const MODEL_ATTRIBUTES: &[&str] = &[
    "id", "unique", "index", "fulltext", "map", "ignore", "schema", "shardKey",
];

pub(super) fn resolve(ctx: &mut Ctx<'_>) {
    for mi in 0..ctx.model_asts.len() {
        let m = ctx.model_asts[mi];
        let mut field_pk: Vec<PrimaryKey> = Vec::new();
        let mut field_uniques: Vec<Index> = Vec::new();
        let mut optional_ids: Vec<Span> = Vec::new();
        // The datamodel field of each field of the syntax: a field whose type did not resolve
        // is not in the datamodel; the n-th field of a name is the n-th of that name there (a
        // field that repeats a name is validated on its own, after the first ones).
        let targets: Vec<Option<usize>> = {
            let mut positions: FastMap<&str, Vec<usize>> = FastMap::default();
            for (i, field) in ctx.dm.models[mi].fields.iter().enumerate() {
                positions.entry(field.name.as_str()).or_default().push(i);
            }
            let mut occurrences: FastMap<&str, usize> = FastMap::default();
            m.fields
                .iter()
                .map(|f| {
                    let occurrence = occurrences.entry(f.name.name.as_str()).or_default();
                    let nth = *occurrence;
                    *occurrence += 1;
                    positions
                        .get(f.name.name.as_str())
                        .and_then(|p| p.get(nth))
                        .copied()
                })
                .collect()
        };
        for (f, target) in m.fields.iter().zip(targets) {
            let Some(fi) = target else {
                continue;
            };
            field_attributes(
                ctx,
                mi,
                fi,
                f,
                &mut field_pk,
                &mut field_uniques,
                &mut optional_ids,
            );
        }
        // Prisma checks the arity of the first `@id` only (the only one it reads), and not when
        // an `@@id` (a single one: repeated, none is read) takes its place.
        if m.attributes.iter().filter(|a| a.name.name == "id").count() == 1 {
            optional_ids.clear();
        }
        for span in optional_ids.drain(..) {
            ctx.error(
                "Error parsing attribute \"@id\": Fields that are marked as id must be required.",
                span,
            );
        }
        // Once for each `@id` after the first, as Prisma reports it.
        for _ in 1..field_pk.len() {
            ctx.error(
                format!(
                    "Error validating model \"{}\": At most one field must be marked as the id field with the `@id` attribute.",
                    m.name.name
                ),
                m.span,
            );
        }
        ctx.dm.models[mi].primary_key = field_pk.into_iter().next();
        ctx.dm.models[mi].indexes = field_uniques;
        model_attributes(ctx, mi, m);
        super::shard_keys::check(ctx, mi);
        if m.kind == ast::ModelKind::View {
            view_keys_and_indexes(ctx, mi);
        }
        if ctx.dm.models[mi].ignored {
            let ignored_fields: Vec<Span> = ctx.dm.models[mi]
                .fields
                .iter()
                .filter(|f| f.ignored)
                .map(|f| f.span)
                .collect();
            for span in ignored_fields {
                ctx.error(
                    "Error parsing attribute \"@ignore\": Fields on an already ignored Model do not need an `@ignore` annotation.",
                    span,
                );
            }
        }
        // Two fields mapped to the same column (a repeated name is reported already).
        let mut columns: FastSet<String> = FastSet::default();
        for fi in 0..ctx.declared_fields[mi] {
            let field = &ctx.dm.models[mi].fields[fi];
            if !field.is_scalar() {
                continue;
            }
            if !columns.insert(field.db_name.clone()) {
                let message = format!(
                    "Field \"{}\" is already defined on model \"{}\".",
                    field.name, m.name.name
                );
                let span = field.span;
                ctx.error(message, span);
            }
        }
    }
    for ei in 0..ctx.enum_asts.len() {
        let e = ctx.enum_asts[ei];
        enum_attributes(ctx, ei, e);
    }
}

/// Arguments of one attribute, checked against the allowed names.
pub(super) struct Args<'a> {
    values: Vec<(&'a str, &'a Expression, Span)>,
}

impl<'a> Args<'a> {
    pub(super) fn get(&self, name: &str) -> Option<&'a Expression> {
        self.values
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, e, _)| *e)
    }

    /// The span of a whole argument (`map: "x"`).
    fn span(&self, name: &str) -> Option<Span> {
        self.values
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(.., s)| *s)
    }
}

fn args<'a>(
    ctx: &mut Ctx<'_>,
    attr: &'a Attribute,
    label: &Label<'_>,
    unnamed: Option<&'static str>,
    allowed: &[&str],
) -> Args<'a> {
    let mut values: Vec<(&'a str, &'a Expression, Span)> = Vec::new();
    let mut unnamed_seen = false;
    for arg in &attr.arguments {
        let name: &'a str = match &arg.name {
            Some(n) => n.name.as_str(),
            None => match unnamed {
                Some(u) if !unnamed_seen => {
                    unnamed_seen = true;
                    u
                }
                Some(_) => {
                    let items: Vec<String> = attr
                        .arguments
                        .iter()
                        .filter(|a| a.name.is_none())
                        .map(|a| display_expr(&a.value))
                        .collect();
                    ctx.error(
                        format!(
                            "Error parsing attribute \"{label}\": You provided multiple unnamed arguments. This is not possible. Did you forget the brackets? Did you mean `[{}]`?",
                            items.join(", ")
                        ),
                        attr.span,
                    );
                    return Args { values };
                }
                None => {
                    ctx.error("No such argument.", arg.span);
                    continue;
                }
            },
        };
        if !allowed.contains(&name) && Some(name) != unnamed {
            ctx.error("No such argument.", arg.span);
            continue;
        }
        if values.iter().any(|(n, ..)| *n == name) {
            ctx.error(
                format!(
                    "Error parsing attribute \"{label}\": Argument \"{name}\" is already specified."
                ),
                arg.span,
            );
            continue;
        }
        values.push((name, &arg.value, arg.span));
    }
    Args { values }
}

fn string_arg(ctx: &mut Ctx<'_>, expr: Option<&Expression>) -> Option<String> {
    match expr? {
        Expression::String(s, _) => Some(s.clone()),
        other => {
            ctx.type_mismatch("string", other);
            None
        }
    }
}

fn required_string(
    ctx: &mut Ctx<'_>,
    a: &Args<'_>,
    attr: &Attribute,
    name: &str,
) -> Option<String> {
    match a.get(name) {
        Some(e) => string_arg(ctx, Some(e)),
        None => {
            ctx.error(format!("Argument \"{name}\" is missing."), attr.span);
            None
        }
    }
}

fn sort_arg(ctx: &mut Ctx<'_>, expr: Option<&Expression>, span: Span) -> Option<SortOrder> {
    match expr? {
        Expression::Constant(c, _) if c == "Asc" => Some(SortOrder::Asc),
        Expression::Constant(c, _) if c == "Desc" => Some(SortOrder::Desc),
        _ => {
            ctx.error("Unexpected token. Expected one of: Asc, Desc", span);
            None
        }
    }
}

fn length_arg(ctx: &mut Ctx<'_>, expr: Option<&Expression>) -> Option<u32> {
    match expr? {
        Expression::Number(n, span) => match n.parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) => {
                ctx.error(
                    format!("Expected a nonnegative integer, but found ({n})."),
                    *span,
                );
                None
            }
        },
        other => {
            ctx.type_mismatch("numeric", other);
            None
        }
    }
}

/// `JsonbPathOps` → `jsonb_path_ops`; `raw("x")` → `x`.
fn ops_arg(ctx: &mut Ctx<'_>, expr: Option<&Expression>) -> Option<String> {
    match expr? {
        Expression::Constant(c, _) => {
            let mut out = String::with_capacity(c.len() + 4);
            for (i, ch) in c.chars().enumerate() {
                if ch.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(ch.to_ascii_lowercase());
            }
            Some(out)
        }
        Expression::Function(name, fargs, _) if name == "raw" => match fargs.as_slice() {
            [a] => string_arg(ctx, Some(&a.value)),
            _ => None,
        },
        other => {
            ctx.type_mismatch("operator class", other);
            None
        }
    }
}

/// The arguments `@id` and `@unique` share (`map`, `length`, `sort`, `clustered`), read and
/// checked against the provider: the arguments, the key's one field, and its `map`.
fn field_key<'a>(
    ctx: &mut Ctx<'_>,
    mi: usize,
    attr: &'a Attribute,
    label: &Label<'_>,
    fi: usize,
    check: Check,
) -> (Args<'a>, IndexField, Option<String>) {
    let a = args(
        ctx,
        attr,
        label,
        None,
        &["map", "length", "sort", "clustered"],
    );
    let map = string_arg(ctx, a.get("map"));
    let field = IndexField {
        field: fi,
        sort: sort_arg(ctx, a.get("sort"), attr.span),
        length: length_arg(ctx, a.get("length")),
        operator_class: None,
    };
    capability_checks(
        ctx,
        mi,
        label,
        attr,
        &a,
        std::slice::from_ref(&field),
        check,
    );
    (a, field, map)
}

fn field_attributes(
    ctx: &mut Ctx<'_>,
    mi: usize,
    fi: usize,
    f: &ast::Field,
    field_pk: &mut Vec<PrimaryKey>,
    field_uniques: &mut Vec<Index>,
    optional_ids: &mut Vec<Span>,
) {
    for attr in &f.attributes {
        let name = attr.name.name.as_str();
        let label = Label::new("@", name);
        let repeated = f
            .attributes
            .iter()
            .filter(|a| a.name.name == name)
            .nth(1)
            .is_some();
        // An unknown attribute is reported as unknown each time, as in Prisma.
        if repeated && FIELD_ATTRIBUTES.contains(&name) {
            ctx.error(
                format!("Attribute \"{label}\" can only be defined once."),
                attr.span,
            );
            continue;
        }
        // All native type attributes (`@db.X`, whatever the prefix) count as one: when there
        // are several, Prisma reads none and reports each after the first, by its own prefix.
        // Off built-in scalar types each is an unknown attribute.
        if let Some((prefix, _)) = name.split_once('.')
            && matches!(
                ctx.dm.models[mi].fields[fi].field_type,
                FieldType::Scalar(_)
            )
            && f.attributes
                .iter()
                .filter(|a| a.name.name.contains('.'))
                .nth(1)
                .is_some()
        {
            if f.attributes
                .iter()
                .take_while(|a| !std::ptr::eq(*a, attr))
                .any(|a| a.name.name.contains('.'))
            {
                ctx.error(
                    format!("Attribute \"@{prefix}\" can only be defined once."),
                    attr.span,
                );
            }
            continue;
        }
        let field_type = ctx.dm.models[mi].fields[fi].field_type.clone();
        let arity = ctx.dm.models[mi].fields[fi].arity;
        match name {
            "id" if matches!(field_type, FieldType::Model(_)) => ctx.error(
                format!(
                    "Error parsing attribute \"@id\": The field `{}` is a relation field and cannot be marked with `@id`. Only scalar fields can be declared as id.",
                    f.name.name
                ),
                attr.span,
            ),
            "unique" if matches!(field_type, FieldType::Model(_)) => {
                // Prisma suggests the scalar fields only when they exist and are scalar.
                let hint = match relation_scalars(f).as_slice() {
                    [] => String::new(),
                    scalars
                        if scalars.iter().any(|s| {
                            ctx.field_index(mi, s)
                                .is_none_or(|i| ctx.dm.models[mi].fields[i].is_relation())
                        }) =>
                    {
                        String::new()
                    }
                    [one] => format!(" Did you mean to put it on `{one}`?"),
                    several => format!(
                        " Did you mean to provide `@@unique([{}])`?",
                        several.join(", ")
                    ),
                };
                ctx.error(
                    format!(
                        "Error parsing attribute \"{label}\": The field `{}` is a relation field and cannot be marked with `{name}`. Only scalar fields can be made {name}.{hint}",
                        f.name.name
                    ),
                    attr.span,
                );
            }
            // Prisma reads the arguments of the model's first `@id` only.
            "id" if !field_pk.is_empty() => {
                for argument in &attr.arguments {
                    ctx.error("No such argument.", argument.span);
                }
                field_pk.push(PrimaryKey {
                    fields: vec![IndexField {
                        field: fi,
                        sort: None,
                        length: None,
                        operator_class: None,
                    }],
                    name: None,
                    map: None,
                    from_field: true,
                    span: attr.span,
                    map_span: None,
                });
            }
            "id" => {
                let (a, key_field, map) = field_key(ctx, mi, attr, &label, fi, Check::PrimaryKey);
                if arity != Arity::Required {
                    optional_ids.push(attr.span);
                }
                field_pk.push(PrimaryKey {
                    fields: vec![key_field],
                    name: None,
                    map,
                    from_field: true,
                    span: attr.span,
                    map_span: a.span("map"),
                });
            }
            "unique" => {
                let (a, unique_field, map) = field_key(ctx, mi, attr, &label, fi, Check::Index);
                field_uniques.push(Index {
                    kind: IndexType::Unique,
                    fields: vec![unique_field],
                    name: None,
                    map,
                    algorithm: None,
                    from_field: true,
                    span: attr.span,
                    map_span: a.span("map"),
                });
            }
            "map" if matches!(field_type, FieldType::Model(_)) => {
                ctx.error(
                    "Error parsing attribute \"@map\": The attribute `@map` cannot be used on relation fields.",
                    attr.span,
                );
                // Prisma still looks for the name (and only for it).
                if attr.argument(None).is_none() && attr.argument(Some("name")).is_none() {
                    ctx.error("Argument \"name\" is missing.", attr.span);
                }
            }
            "map" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, "name") {
                    ctx.dm.models[mi].fields[fi].db_name = db_name;
                }
            }
            // Prisma knows only its relation attributes on a relation field.
            "updatedAt" if matches!(field_type, FieldType::Model(_)) => {
                ctx.error(format!("Attribute not known: \"{label}\"."), attr.span);
            }
            "updatedAt" => {
                args(ctx, attr, &label, None, &[]);
                if field_type != FieldType::Scalar(ScalarType::DateTime) {
                    ctx.error(
                        "Error parsing attribute \"@updatedAt\": Fields that are marked with @updatedAt must be of type DateTime.",
                        attr.span,
                    );
                }
                // Prisma checks the type and the arity independently and reports both.
                if arity == Arity::List {
                    ctx.error(
                        "Error parsing attribute \"@updatedAt\": Fields that are marked with @updatedAt cannot be lists.",
                        attr.span,
                    );
                }
                ctx.dm.models[mi].fields[fi].updated_at = true;
            }
            "ignore" => {
                args(ctx, attr, &label, None, &[]);
                if matches!(field_type, FieldType::Unsupported(_)) {
                    ctx.error(
                        "Error parsing attribute \"@ignore\": Fields of type `Unsupported` cannot take an `@ignore` attribute. They are already treated as ignored by the client due to their type.",
                        attr.span,
                    );
                }
                ctx.dm.models[mi].fields[fi].ignored = true;
            }
            // Prisma reads nothing more of a default on a relation field.
            "default" if matches!(field_type, FieldType::Model(_)) => ctx.error(
                "Error parsing attribute \"@default\": Cannot set a default value on a relation field.",
                attr.span,
            ),
            "default" => {
                let a = args(ctx, attr, &label, Some("value"), &["map"]);
                let map = string_arg(ctx, a.get("map"));
                let Some(value) = a.get("value") else {
                    ctx.error(
                        "Argument \"value\" is missing.",
                        attr.span,
                    );
                    continue;
                };
                // Only `dbgenerated()` goes on a field of a composite type.
                if let FieldType::Composite(composite) = &field_type
                    && !matches!(value, Expression::Function(name, ..) if name == "dbgenerated")
                {
                    ctx.error(
                        format!(
                            "Error validating field `{}` in composite type `{composite}`: Defaults on fields of type composite are not supported. Please remove the `@default` attribute.",
                            f.name.name
                        ),
                        attr.span,
                    );
                    continue;
                }
                // Prisma names a default only with a nonempty `map`.
                let named = map.as_deref().is_some_and(|m| !m.is_empty());
                if let Some(value) = resolve_default(ctx, &field_type, arity, value, named, attr.span) {
                    ctx.dm.models[mi].fields[fi].default = Some(Default {
                        value,
                        map,
                        span: attr.span,
                    });
                }
            }
            "relation" => relation_attribute(ctx, mi, fi, attr, &field_type),
            "shardKey" if matches!(field_type, FieldType::Model(_)) => {
                ctx.error(format!("Attribute not known: \"{label}\"."), attr.span);
            }
            "shardKey" => {
                args(ctx, attr, &label, None, &[]);
                super::shard_keys::field(ctx, mi, fi, attr.span);
            }
            _ => match name.split_once('.') {
                // Native types apply to built-in scalar types only.
                Some(_) if !matches!(field_type, FieldType::Scalar(_)) => {
                    ctx.error(format!("Attribute not known: \"{label}\"."), attr.span);
                }
                Some((prefix, type_name)) => {
                    native_type_attribute(ctx, mi, fi, attr, prefix, type_name);
                }
                None => {
                    let help = super::suggestion(name, FIELD_ATTRIBUTES.iter().copied())
                        .map(|s| format!("did you mean `@{s}`?"));
                    ctx.error_with_help(
                        format!("Attribute not known: \"{label}\"."),
                        attr.span,
                        help,
                    );
                }
            },
        }
    }
}

/// Prisma 6 and 7 reject primary keys and indexes on views; Prisma 5.22 accepted them, and
/// schemas written for it still carry them. drydock never creates views, so it reads them and
/// warns with the newer rule.
fn view_keys_and_indexes(ctx: &mut Ctx<'_>, mi: usize) {
    const ACCEPTED: &str =
        "Prisma 6 and later reject this schema; drydock accepts it as Prisma 5.22 did.";
    let model = &ctx.dm.models[mi];
    let key = model.primary_key.as_ref().map(|pk| pk.span);
    // A fulltext index is an index too.
    let indexes: Vec<Span> = model
        .indexes
        .iter()
        .filter(|i| i.kind != IndexType::Unique)
        .map(|i| i.span)
        .collect();
    if let Some(span) = key {
        ctx.warning(format!("Views cannot have primary keys. {ACCEPTED}"), span);
    }
    for span in indexes {
        ctx.warning(format!("Views cannot have indexes. {ACCEPTED}"), span);
    }
    let mapped_uniques: Vec<Span> = ctx.dm.models[mi]
        .indexes
        .iter()
        .filter(|i| i.map.is_some())
        .map(|i| i.span)
        .collect();
    for span in mapped_uniques {
        ctx.warning(
            format!("@@unique annotations on views are not backed by unique indexes in the database and cannot specify a mapped database name. {ACCEPTED}"),
            span,
        );
    }
    let with_arguments: Vec<Span> = ctx.dm.models[mi]
        .indexes
        .iter()
        .filter(|i| {
            i.fields
                .iter()
                .any(|f| f.sort.is_some() || f.length.is_some() || f.operator_class.is_some())
        })
        .map(|i| i.span)
        .collect();
    for span in with_arguments {
        ctx.warning(
            format!(
                "Scalar fields in @@unique attributes in views cannot have arguments. {ACCEPTED}"
            ),
            span,
        );
    }
    // Any `clustered:` on a view's unique or index, field or block attribute.
    let m = ctx.model_asts[mi];
    let clustered: Vec<Span> = m
        .fields
        .iter()
        .flat_map(|f| f.attributes.iter())
        .chain(m.attributes.iter())
        .filter(|a| matches!(a.name.name.as_str(), "unique" | "index"))
        .filter(|a| a.argument(Some("clustered")).is_some())
        .map(|a| a.span)
        .collect();
    for span in clustered {
        ctx.warning(
            format!(
                "@@unique annotations on views are not backed by unique indexes in the database and cannot be clustered. {ACCEPTED}"
            ),
            span,
        );
    }
}

fn native_type_attribute(
    ctx: &mut Ctx<'_>,
    mi: usize,
    fi: usize,
    attr: &Attribute,
    prefix: &str,
    type_name: &str,
) {
    let mut native_args = Vec::new();
    for arg in &attr.arguments {
        match &arg.value {
            // As written (a string with its quotes): Prisma's messages show the arguments so.
            Expression::Number(..) | Expression::String(..) | Expression::Constant(..) => {
                native_args.push(super::display_expr(&arg.value));
            }
            other => {
                ctx.type_mismatch("numeric", other);
                return;
            }
        }
    }
    ctx.dm.models[mi].fields[fi].native_type = Some(NativeType {
        prefix: prefix.to_owned(),
        name: type_name.to_owned(),
        args: native_args,
        span: attr.span,
    });
}

fn referential_action(ctx: &mut Ctx<'_>, expr: Option<&Expression>) -> Option<ReferentialAction> {
    let expr = expr?;
    let action = match expr {
        Expression::Constant(c, _) => match c.as_str() {
            "Cascade" => Some(ReferentialAction::Cascade),
            "Restrict" => Some(ReferentialAction::Restrict),
            "NoAction" => Some(ReferentialAction::NoAction),
            "SetNull" => Some(ReferentialAction::SetNull),
            "SetDefault" => Some(ReferentialAction::SetDefault),
            _ => None,
        },
        _ => None,
    };
    if action.is_none() {
        ctx.error(
            format!(
                "Error parsing attribute \"@relation\": Invalid referential action: `{}`",
                display_expr(expr)
            ),
            expr.span(),
        );
    }
    action
}

/// Names in a `fields: [a, b]`-style list (a single constant is accepted too).
fn field_names(ctx: &mut Ctx<'_>, expr: &Expression) -> Option<Vec<String>> {
    let items = expr.list_items();
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Expression::Constant(c, _) => names.push(c.clone()),
            other => {
                ctx.type_mismatch("constant literal", other);
                return None;
            }
        }
    }
    Some(names)
}

fn relation_attribute(
    ctx: &mut Ctx<'_>,
    mi: usize,
    fi: usize,
    attr: &Attribute,
    field_type: &FieldType,
) {
    let FieldType::Model(target) = field_type else {
        ctx.error(
            "Error parsing attribute \"@relation\": Invalid field type, not a relation.",
            attr.span,
        );
        // Prisma then reports each argument as unknown.
        for argument in &attr.arguments {
            ctx.error("No such argument.", argument.span);
        }
        return;
    };
    let target = target.0;
    let a = args(
        ctx,
        attr,
        &Label::new("@", "relation"),
        Some("name"),
        &["fields", "references", "onDelete", "onUpdate", "map"],
    );
    let name = string_arg(ctx, a.get("name"));
    let map = string_arg(ctx, a.get("map"));
    // A connector capability: Prisma checks it in its last phase. Neither SQLite nor Prisma's
    // empty connector (no datasource) names foreign keys.
    if let Some(span) = a.span("map")
        && (ctx.dm.provider() == Some(Provider::Sqlite) || ctx.dm.datasource.is_none())
    {
        ctx.defer(
            "Error parsing attribute \"@relation\": Your provider does not support named foreign keys.",
            span,
        );
    }
    let on_delete = referential_action(ctx, a.get("onDelete"));
    let on_update = referential_action(ctx, a.get("onUpdate"));
    for (action, argument) in [(on_delete, "onDelete"), (on_update, "onUpdate")] {
        if let (Some(action), Some(span)) = (action, a.span(argument)) {
            check_action_support(ctx, action, span);
        }
    }
    let mut fields = None;
    if let Some(expr) = a.get("fields")
        && let Some(names) = field_names(ctx, expr)
    {
        let mut resolved = Vec::new();
        let mut unknown = Vec::new();
        for n in &names {
            match ctx.field_index(mi, n) {
                Some(i) => resolved.push(i),
                None => unknown.push(n.clone()),
            }
        }
        let model = &ctx.dm.models[mi];
        let relations: Vec<String> = resolved
            .iter()
            .map(|i| &model.fields[*i])
            .filter(|f| f.is_relation())
            .map(|f| f.name.clone())
            .collect();
        if !unknown.is_empty() {
            ctx.error(
                format!(
                    "Error validating: The argument fields must refer only to existing fields. The following fields do not exist in this model: {}",
                    unknown.join(", ")
                ),
                expr.span(),
            );
        }
        // Prisma reports relation fields among the fields even next to unknown ones.
        if !relations.is_empty() {
            let message = format!(
                "Error validating: The argument fields must refer only to scalar fields. But it is referencing the following relation fields: {}",
                relations.join(", ")
            );
            ctx.error(message, expr.span());
        } else if unknown.is_empty() {
            fields = (!resolved.is_empty()).then_some(resolved);
        }
    }
    let mut references = None;
    if let Some(expr) = a.get("references")
        && let Some(names) = field_names(ctx, expr)
    {
        // Prisma looks the referenced fields up in the last model declared with the name.
        let target = ctx.last_declaration(target);
        let mut resolved = Vec::new();
        let mut unknown = Vec::new();
        for n in &names {
            match ctx.field_index(target, n) {
                Some(i) => resolved.push(i),
                None => unknown.push(n.clone()),
            }
        }
        let model = &ctx.dm.models[target];
        let model_name = model.name.clone();
        let relations: Vec<String> = resolved
            .iter()
            .map(|i| &model.fields[*i])
            .filter(|f| f.is_relation())
            .map(|f| f.name.clone())
            .collect();
        if !unknown.is_empty() {
            let message = format!(
                "Error validating: The argument `references` must refer only to existing fields in the related model `{model_name}`. The following fields do not exist in the related model: {}",
                unknown.join(", ")
            );
            ctx.error(message, attr.span);
        }
        // Prisma reports relation fields among the references even next to unknown ones.
        if !relations.is_empty() {
            let message = format!(
                "Error validating: The argument `references` must refer only to scalar fields in the related model `{model_name}`. But it is referencing the following relation fields: {}",
                relations.join(", ")
            );
            ctx.error(message, attr.span);
        } else if unknown.is_empty() {
            references = (!resolved.is_empty()).then_some(resolved);
        }
    }
    ctx.relation_args.insert(
        (mi, fi),
        RelationArgs {
            name,
            fields,
            references,
            on_delete,
            on_update,
            map,
            map_span: a.span("map"),
            span: attr.span,
        },
    );
}

/// A parsed `fields` entry of an index: name, options and span.
struct IndexFieldSyntax {
    name: String,
    sort: Option<SortOrder>,
    length: Option<u32>,
    ops: Option<String>,
    /// `ops: Name` as written, for the operator class checks (`raw("...")` is not checked).
    class: Option<String>,
}

fn index_field_list(ctx: &mut Ctx<'_>, expr: &Expression) -> Option<Vec<IndexFieldSyntax>> {
    let items = expr.list_items();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Expression::Constant(c, _) => out.push(IndexFieldSyntax {
                name: c.clone(),
                sort: None,
                length: None,
                ops: None,
                class: None,
            }),
            Expression::Function(name, fargs, _) => {
                let mut f = IndexFieldSyntax {
                    name: name.clone(),
                    sort: None,
                    length: None,
                    ops: None,
                    class: None,
                };
                for a in fargs {
                    match a.name.as_ref().map(|n| n.name.as_str()) {
                        Some("sort") => f.sort = sort_arg(ctx, Some(&a.value), a.span),
                        Some("length") => f.length = length_arg(ctx, Some(&a.value)),
                        Some("ops") => {
                            // Prisma reads the field on without an unknown operator class.
                            if let Expression::Constant(class, span) = &a.value
                                && !super::indexes::is_operator_class(class)
                            {
                                ctx.error(
                                    format!(
                                        "Unexpected token. Expected one of: Invalid operator class: {class}"
                                    ),
                                    *span,
                                );
                                continue;
                            }
                            if let Expression::Constant(class, _) = &a.value {
                                f.class = Some(class.clone());
                            }
                            f.ops = ops_arg(ctx, Some(&a.value));
                        }
                        _ => ctx.error("No such argument.", a.span),
                    }
                }
                out.push(f);
            }
            other => {
                ctx.type_mismatch("constant literal", other);
                return None;
            }
        }
    }
    Some(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Id,
    Unique,
    Index,
    Fulltext,
}

impl BlockKind {
    fn label(self) -> &'static str {
        match self {
            BlockKind::Id => "@@id",
            BlockKind::Unique => "@@unique",
            BlockKind::Index => "@@index",
            BlockKind::Fulltext => "@@fulltext",
        }
    }

    fn definition(self) -> &'static str {
        match self {
            BlockKind::Id => "The id definition",
            BlockKind::Unique => "The unique index definition",
            // Prisma calls a fulltext index an index here.
            BlockKind::Index | BlockKind::Fulltext => "The index definition",
        }
    }
}

/// Resolves the `fields` of a block attribute against the model.
/// Why a list of key or index fields did not resolve (the error is reported).
#[derive(PartialEq)]
enum Unresolved {
    /// It names fields the model does not have, or relation fields.
    Fields,
    /// Anything else.
    Invalid,
}

fn resolve_index_fields(
    ctx: &mut Ctx<'_>,
    mi: usize,
    kind: BlockKind,
    attr: &Attribute,
    expr: &Expression,
    algorithm: Option<IndexAlgorithm>,
) -> Result<Vec<IndexField>, Unresolved> {
    let syntax = index_field_list(ctx, expr).ok_or(Unresolved::Invalid)?;
    let model_name = ctx.dm.models[mi].name.clone();
    if syntax.is_empty() {
        let message = format!(
            "Error parsing attribute \"{}\": The list of fields in an index cannot be empty. Please specify at least one field.",
            kind.label()
        );
        // Prisma finds an empty index in its last phase, an empty id at once.
        if kind == BlockKind::Id {
            ctx.error(message, attr.span);
        } else {
            ctx.defer(message, attr.span);
        }
        return Err(Unresolved::Invalid);
    }
    // Prisma looks for a repeated field among the scalar fields only: a repeated unknown or
    // relation field is reported as such below.
    for (i, s) in syntax.iter().enumerate() {
        let scalar = ctx
            .field_index(mi, &s.name)
            .is_some_and(|fi| !ctx.dm.models[mi].fields[fi].is_relation());
        if scalar && syntax[..i].iter().any(|earlier| earlier.name == s.name) {
            // Prisma words a repeated field of any key or index as one of a unique index.
            let definition = BlockKind::Unique.definition();
            ctx.error(
                format!(
                    "Error validating model \"{model_name}\": {definition} refers to the field {} multiple times.",
                    s.name
                ),
                attr.span,
            );
            // An `@@id` then reads none of its other arguments, as with unknown fields.
            return Err(if kind == BlockKind::Id {
                Unresolved::Fields
            } else {
                Unresolved::Invalid
            });
        }
    }
    let mut fields = Vec::with_capacity(syntax.len());
    let mut unknown = Vec::new();
    let mut relation = Vec::new();
    let classes: Vec<(Option<String>, bool)> = syntax
        .iter()
        .map(|s| (s.class.clone(), s.ops.is_some() && s.class.is_none()))
        .collect();
    for s in syntax {
        match ctx.field_index(mi, &s.name) {
            Some(i) => {
                if ctx.dm.models[mi].fields[i].is_relation() {
                    relation.push((s.name.clone(), Some(i)));
                }
                fields.push(IndexField {
                    field: i,
                    sort: s.sort,
                    length: s.length,
                    operator_class: s.ops,
                });
            }
            // Prisma reads a field whose type did not resolve as a relation field.
            None if ctx.declares_field(mi, &s.name) => {
                relation.push((s.name, None));
            }
            None => unknown.push(s.name),
        }
    }
    if !unknown.is_empty() {
        if kind == BlockKind::Id {
            let list: Vec<String> = unknown.iter().map(|u| format!("`{u}`")).collect();
            let noun = if unknown.len() == 1 {
                "field"
            } else {
                "fields"
            };
            ctx.error(
                format!(
                    "Error validating model \"{model_name}\": The multi field id declaration refers to the unknown {noun} {}.",
                    list.join(", ")
                ),
                expr.span(),
            );
        } else {
            ctx.error(
                format!(
                    "Error validating model \"{model_name}\": {} refers to the unknown fields: {}.",
                    kind.definition(),
                    unknown.join(", ")
                ),
                attr.span,
            );
        }
        return Err(Unresolved::Fields);
    }
    if !relation.is_empty() {
        let message = if kind == BlockKind::Id {
            let list: Vec<String> = relation.iter().map(|(n, _)| format!("`{n}`")).collect();
            let noun = if list.len() == 1 { "field" } else { "fields" };
            format!(
                "Error validating model \"{model_name}\": The id definition refers to the relation {noun} {}. ID definitions must reference only scalar fields.",
                list.join(", ")
            )
        } else {
            // Prisma suggests the scalar fields the relations are built on.
            let model = &ctx.dm.models[mi];
            let suggested: Vec<&str> = relation
                .iter()
                .filter_map(|(_, i)| ctx.relation_args.get(&(mi, (*i)?))?.fields.as_ref())
                .flatten()
                .map(|f| model.fields[*f].name.as_str())
                .collect();
            let names: Vec<&str> = relation.iter().map(|(n, _)| n.as_str()).collect();
            let suggestion = if suggested.is_empty() {
                String::new()
            } else {
                // A fulltext index too is suggested as `@@index`.
                let suggested_kind = match kind {
                    BlockKind::Fulltext => BlockKind::Index,
                    other => other,
                };
                format!(
                    " Did you mean `{}([{}])`?",
                    suggested_kind.label(),
                    suggested.join(", ")
                )
            };
            format!(
                "Error validating model \"{model_name}\": {} refers to the relation fields {}. Index definitions must reference only scalar fields.{suggestion}",
                kind.definition(),
                names.join(", ")
            )
        };
        ctx.error(message, attr.span);
        return Err(Unresolved::Fields);
    }
    let label = kind.label();
    if kind != BlockKind::Index && fields.iter().any(|f| f.operator_class.is_some()) {
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": Operator classes can only be defined to fields in an @@index attribute."
            ),
            attr.span,
        );
    }
    // Prisma leaves the indexes of views to the rule that views have none.
    if matches!(kind, BlockKind::Index | BlockKind::Unique)
        && ctx.dm.provider() == Some(crate::datamodel::Provider::PostgreSql)
        && !ctx.dm.models[mi].is_view
    {
        let model = &ctx.dm.models[mi];
        let indexed: Vec<IndexedField<'_>> = fields
            .iter()
            .zip(&classes)
            .map(|(f, (class, raw_class))| {
                let field = &model.fields[f.field];
                IndexedField {
                    name: &field.name,
                    field_type: &field.field_type,
                    arity: field.arity,
                    native: field.native_type.as_ref().map(|n| n.name.as_str()),
                    class: class.as_deref(),
                    raw_class: *raw_class,
                    sorted: f.sort.is_some(),
                }
            })
            .collect();
        let deferred = check_postgres_index(label, attr.span, algorithm, &indexed);
        ctx.deferred.extend(deferred);
    }
    // Prisma checks a fulltext index's operator classes as a B-tree's, and finds none it takes.
    if kind == BlockKind::Fulltext
        && ctx.dm.provider() == Some(crate::datamodel::Provider::PostgreSql)
        && !ctx.dm.models[mi].is_view
    {
        for class in classes.iter().filter_map(|(class, _)| class.as_ref()) {
            ctx.defer(
                format!(
                    "Error parsing attribute \"{label}\": The given operator class `{class}` is not supported with the `BTree` index type."
                ),
                attr.span,
            );
        }
    }
    Ok(fields)
}

fn model_attributes(ctx: &mut Ctx<'_>, mi: usize, m: &ast::Model) {
    let mut counts: FastMap<&str, usize> = FastMap::default();
    for attr in &m.attributes {
        *counts.entry(attr.name.name.as_str()).or_default() += 1;
    }
    let mut normal = Vec::new();
    let mut unique = Vec::new();
    let mut fulltext = Vec::new();
    for attr in &m.attributes {
        let name = attr.name.name.as_str();
        let label = Label::new("@@", name);
        let repeatable = matches!(name, "index" | "unique" | "fulltext");
        if !repeatable
            && MODEL_ATTRIBUTES.contains(&name)
            && counts.get(name).copied().unwrap_or(0) > 1
        {
            // Prisma names a repeated block attribute with one `@`.
            ctx.error(
                format!("Attribute \"@{name}\" can only be defined once."),
                attr.span,
            );
            continue;
        }
        match name {
            "id" => {
                let a = args(
                    ctx,
                    attr,
                    &label,
                    Some("fields"),
                    &["name", "map", "clustered"],
                );
                let Some(expr) = a.get("fields") else {
                    ctx.error("Argument \"fields\" is missing.", attr.span);
                    continue;
                };
                let fields = match resolve_index_fields(ctx, mi, BlockKind::Id, attr, expr, None) {
                    Ok(fields) => fields,
                    // Prisma reads the other arguments after the fields: unread, each is one
                    // it does not know.
                    Err(Unresolved::Fields) => {
                        for (name, _, span) in &a.values {
                            if *name != "fields" {
                                ctx.error("No such argument.", *span);
                            }
                        }
                        continue;
                    }
                    Err(Unresolved::Invalid) => continue,
                };
                let pk_name = string_arg(ctx, a.get("name"));
                let map = string_arg(ctx, a.get("map"));
                capability_checks(ctx, mi, &label, attr, &a, &fields, Check::PrimaryKey);
                // Prisma checks the fields' arity before the second id.
                let optional: Vec<String> = fields
                    .iter()
                    .map(|f| &ctx.dm.models[mi].fields[f.field])
                    .filter(|f| f.arity != Arity::Required)
                    .map(|f| format!("`{}`", f.name))
                    .collect();
                if !optional.is_empty() {
                    let noun = if optional.len() == 1 {
                        "field"
                    } else {
                        "fields"
                    };
                    ctx.error(
                        format!(
                            "Error validating model \"{}\": The id definition refers to the optional {noun} {}. ID definitions must reference only required fields.",
                            m.name.name,
                            optional.join(", ")
                        ),
                        attr.span,
                    );
                }
                if ctx.dm.models[mi].primary_key.is_some() {
                    ctx.error(
                        format!(
                            "Error validating model \"{}\": Each model must have at most one id criteria. You can't have `@id` and `@@id` at the same time.",
                            m.name.name
                        ),
                        m.span,
                    );
                    continue;
                }
                ctx.dm.models[mi].primary_key = Some(PrimaryKey {
                    fields,
                    name: pk_name,
                    map,
                    from_field: false,
                    span: attr.span,
                    map_span: a.span("map"),
                });
            }
            "unique" | "index" | "fulltext" => {
                let (kind, allowed): (BlockKind, &[&str]) = match name {
                    "unique" => (BlockKind::Unique, &["name", "map", "clustered"]),
                    "index" => (
                        BlockKind::Index,
                        &["name", "map", "type", "clustered", "where"],
                    ),
                    _ => (BlockKind::Fulltext, &["map"]),
                };
                let a = args(ctx, attr, &label, Some("fields"), allowed);
                let index_name = string_arg(ctx, a.get("name"));
                let mut map = string_arg(ctx, a.get("map"));
                let mut map_span = a.span("map");
                // On `@@index`, `name:` is the older spelling of the database name.
                if kind == BlockKind::Index && map.is_none() && index_name.is_some() {
                    map.clone_from(&index_name);
                    map_span = a.span("name");
                }
                let mut algorithm = None;
                if let Some(expr) = a.get("type") {
                    algorithm = match expr {
                        Expression::Constant(c, _) => match c.as_str() {
                            "BTree" => None,
                            "Hash" => Some(IndexAlgorithm::Hash),
                            "Gist" => Some(IndexAlgorithm::Gist),
                            "Gin" => Some(IndexAlgorithm::Gin),
                            "SpGist" => Some(IndexAlgorithm::SpGist),
                            "Brin" => Some(IndexAlgorithm::Brin),
                            other => {
                                ctx.error(
                                    format!(
                                        "Error parsing attribute \"@index\": Unknown index type: {other}."
                                    ),
                                    attr.span,
                                );
                                None
                            }
                        },
                        other => {
                            ctx.type_mismatch("constant literal", other);
                            None
                        }
                    };
                }
                let Some(expr) = a.get("fields") else {
                    ctx.error("Argument \"fields\" is missing.", attr.span);
                    continue;
                };
                let Ok(fields) = resolve_index_fields(ctx, mi, kind, attr, expr, algorithm) else {
                    continue;
                };
                let check = match kind {
                    BlockKind::Fulltext => Check::Fulltext,
                    _ if algorithm.is_some() => {
                        Check::IndexType(a.span("type").unwrap_or(attr.span))
                    }
                    _ => Check::Index,
                };
                capability_checks(ctx, mi, &label, attr, &a, &fields, check);
                let index = Index {
                    kind: match kind {
                        BlockKind::Unique => IndexType::Unique,
                        BlockKind::Fulltext => IndexType::Fulltext,
                        BlockKind::Id | BlockKind::Index => IndexType::Normal,
                    },
                    fields,
                    name: index_name,
                    map,
                    algorithm,
                    from_field: false,
                    span: attr.span,
                    map_span,
                };
                match kind {
                    BlockKind::Unique => unique.push(index),
                    BlockKind::Fulltext => fulltext.push(index),
                    BlockKind::Id | BlockKind::Index => normal.push(index),
                }
            }
            "map" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, "name") {
                    ctx.dm.models[mi].db_name = db_name;
                }
            }
            "ignore" => {
                args(ctx, attr, &label, None, &[]);
                ctx.dm.models[mi].ignored = true;
            }
            "shardKey" => {
                let a = args(ctx, attr, &label, Some("fields"), &[]);
                match a.get("fields") {
                    Some(expr) => super::shard_keys::block(ctx, mi, m, attr, expr),
                    None => ctx.error("Argument \"fields\" is missing.", attr.span),
                }
            }
            "schema" => {
                // Prisma names the argument of `@@schema` `map`.
                let a = args(ctx, attr, &label, Some("map"), &[]);
                ctx.dm.models[mi].schema = schema_arg(ctx, &a, attr);
            }
            _ => {
                let help = super::suggestion(name, MODEL_ATTRIBUTES.iter().copied())
                    .map(|s| format!("did you mean `@@{s}`?"));
                ctx.error_with_help(
                    format!("Attribute not known: \"@{name}\"."),
                    attr.span,
                    help,
                );
            }
        }
    }
    let indexes = &mut ctx.dm.models[mi].indexes;
    indexes.extend(normal);
    indexes.extend(unique);
    indexes.extend(fulltext);
}

fn schema_arg(ctx: &mut Ctx<'_>, a: &Args<'_>, attr: &Attribute) -> Option<String> {
    let schema = required_string(ctx, a, attr, "map")?;
    let provider = ctx.dm.provider();
    let unsupported = match provider {
        Some(p) => !p.supports_multi_schema(),
        None => ctx.dm.datasource.is_none(),
    };
    if unsupported {
        ctx.defer(
            "@@schema is not supported on the current datasource provider",
            attr.span,
        );
        return Some(schema);
    }
    let declared = ctx
        .dm
        .datasource
        .as_ref()
        .is_some_and(|d| d.schemas.contains(&schema));
    if !declared {
        let span = a.get("map").map_or(attr.span, Expression::span);
        ctx.defer(
            "This schema is not defined in the datasource. Read more on `@@schema` at https://pris.ly/d/multi-schema",
            span,
        );
    }
    Some(schema)
}

fn enum_attributes(ctx: &mut Ctx<'_>, ei: usize, e: &ast::Enum) {
    if e.values.is_empty() {
        ctx.error(
            "Error validating: An enum must have at least one value.",
            e.span,
        );
    }
    let mut value_index = 0;
    let mut seen_values: FastSet<&str> = FastSet::default();
    for v in &e.values {
        if !seen_values.insert(&v.name.name) {
            continue;
        }
        let maps = v.attributes.iter().filter(|a| a.name.name == "map").count();
        for attr in &v.attributes {
            let name = attr.name.name.as_str();
            let label = Label::new("@", name);
            // Each `@map` of a value that has several is reported, and none is read.
            if name == "map" && maps > 1 {
                ctx.error("Attribute \"@map\" can only be defined once.", attr.span);
            } else if name == "map" {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, "name")
                    && let Some(value) = ctx.dm.enums[ei].values.get_mut(value_index)
                {
                    value.db_name = db_name;
                }
            } else {
                ctx.error(format!("Attribute not known: \"{label}\"."), attr.span);
            }
        }
        value_index += 1;
    }
    for attr in &e.attributes {
        let name = attr.name.name.as_str();
        let label = Label::new("@@", name);
        let known = matches!(name, "map" | "schema");
        if known
            && e.attributes
                .iter()
                .filter(|a| a.name.name == name)
                .nth(1)
                .is_some()
        {
            // Prisma reports each of them, names them with one `@` and reads none.
            ctx.error(
                format!("Attribute \"@{name}\" can only be defined once."),
                attr.span,
            );
            continue;
        }
        match name {
            "map" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, "name") {
                    ctx.dm.enums[ei].db_name = db_name;
                }
            }
            "schema" => {
                let a = args(ctx, attr, &label, Some("map"), &[]);
                ctx.dm.enums[ei].schema = schema_arg(ctx, &a, attr);
            }
            _ => ctx.error(format!("Attribute not known: \"@{name}\"."), attr.span),
        }
    }
}

/// The single scalar field named in a relation field's `@relation(fields: [...])`, if any.
/// The field names in `fields` of a relation field's `@relation`, when they are all names.
fn relation_scalars(field: &ast::Field) -> Vec<&str> {
    let Some(fields) = field
        .attributes
        .iter()
        .find(|a| a.name.name == "relation")
        .and_then(|r| r.argument(Some("fields")))
    else {
        return Vec::new();
    };
    let items = fields.value.list_items();
    let names: Vec<&str> = items
        .iter()
        .filter_map(|e| match e {
            Expression::Constant(name, _) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    if names.len() == items.len() {
        names
    } else {
        Vec::new()
    }
}
