//! Field, block and enum attributes: keys, indexes, defaults, database names, native types and
//! `@relation` arguments; plus the model-level checks run once relations are known.

use super::{Ctx, RelationArgs, display_expr};
use crate::ast::{self, Attribute, Expression};
use crate::datamodel::{
    Arity, Default, DefaultValue, FieldType, Index, IndexField, IndexType, NativeType, PrimaryKey,
    Provider, RelationMode, ScalarType,
};
use crate::fast_hash::{FastMap, FastSet};
use crate::lower::fit_name;
use drydock_diagnostics::Span;
use drydock_schema::{IndexAlgorithm, ReferentialAction, SortOrder};

/// An attribute name with its `@`/`@@` prefix, formatted only when a message needs it.
struct Label<'a> {
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
];

const MODEL_ATTRIBUTES: &[&str] = &[
    "id", "unique", "index", "fulltext", "map", "ignore", "schema",
];

pub(super) fn resolve(ctx: &mut Ctx<'_>) {
    for mi in 0..ctx.model_asts.len() {
        let m = ctx.model_asts[mi];
        let mut field_pk: Vec<PrimaryKey> = Vec::new();
        let mut field_uniques: Vec<Index> = Vec::new();
        for (fi, f) in m.fields.iter().enumerate() {
            field_attributes(ctx, mi, fi, f, &mut field_pk, &mut field_uniques);
        }
        if field_pk.len() > 1 {
            ctx.error(
                format!(
                    "Error validating model \"{}\": At most one field must be marked as the id field with the `@id` attribute.",
                    m.name.name
                ),
                m.span,
            );
        }
        if m.kind == ast::ModelKind::View {
            for pk in &field_pk {
                ctx.error("Error validating: Views cannot have primary keys.", pk.span);
            }
        }
        ctx.dm.models[mi].primary_key = field_pk.into_iter().next();
        ctx.dm.models[mi].indexes = field_uniques;
        model_attributes(ctx, mi, m);
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
        // Two fields mapped to the same column.
        let mut columns: FastSet<String> = FastSet::default();
        for fi in 0..ctx.dm.models[mi].fields.len() {
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
struct Args<'a> {
    values: Vec<(&'a str, &'a Expression, Span)>,
}

impl<'a> Args<'a> {
    fn get(&self, name: &str) -> Option<&'a Expression> {
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
    label: &Label<'_>,
    name: &str,
) -> Option<String> {
    match a.get(name) {
        Some(e) => string_arg(ctx, Some(e)),
        None => {
            ctx.error(
                format!("Error parsing attribute \"{label}\": Argument \"{name}\" is missing."),
                attr.span,
            );
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

fn field_attributes(
    ctx: &mut Ctx<'_>,
    mi: usize,
    fi: usize,
    f: &ast::Field,
    field_pk: &mut Vec<PrimaryKey>,
    field_uniques: &mut Vec<Index>,
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
        if repeated && !name.contains('.') {
            ctx.error(
                format!("Attribute \"{label}\" can only be defined once."),
                attr.span,
            );
            continue;
        }
        let field_type = ctx.dm.models[mi].fields[fi].field_type.clone();
        let arity = ctx.dm.models[mi].fields[fi].arity;
        match name {
            "id" | "unique" if matches!(field_type, FieldType::Model(_)) => {
                let hint = relation_scalar_hint(f)
                    .map(|s| format!(" Did you mean to put it on `{s}`?"))
                    .unwrap_or_default();
                ctx.error(
                    format!(
                        "Error parsing attribute \"{label}\": The field `{}` is a relation field and cannot be marked with `{name}`. Only scalar fields can be made {name}.{hint}",
                        f.name.name
                    ),
                    attr.span,
                );
            }
            "id" => {
                let a = args(
                    ctx,
                    attr,
                    &label,
                    None,
                    &["map", "length", "sort", "clustered"],
                );
                let map = string_arg(ctx, a.get("map"));
                let sort = sort_arg(ctx, a.get("sort"), attr.span);
                let length = length_arg(ctx, a.get("length"));
                let key_field = IndexField {
                    field: fi,
                    sort,
                    length,
                    operator_class: None,
                };
                capability_checks(
                    ctx,
                    &label,
                    attr,
                    &a,
                    std::slice::from_ref(&key_field),
                    Check::PrimaryKey,
                );
                if arity != Arity::Required {
                    ctx.error(
                        "Error parsing attribute \"@id\": Fields that are marked as id must be required.",
                        attr.span,
                    );
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
                let a = args(
                    ctx,
                    attr,
                    &label,
                    None,
                    &["map", "length", "sort", "clustered"],
                );
                let map = string_arg(ctx, a.get("map"));
                let sort = sort_arg(ctx, a.get("sort"), attr.span);
                let length = length_arg(ctx, a.get("length"));
                let unique_field = IndexField {
                    field: fi,
                    sort,
                    length,
                    operator_class: None,
                };
                capability_checks(
                    ctx,
                    &label,
                    attr,
                    &a,
                    std::slice::from_ref(&unique_field),
                    Check::Index,
                );
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
            "map" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, &label, "name") {
                    ctx.dm.models[mi].fields[fi].db_name = db_name;
                }
            }
            "updatedAt" => {
                args(ctx, attr, &label, None, &[]);
                if field_type != FieldType::Scalar(ScalarType::DateTime) {
                    ctx.error(
                        "Error parsing attribute \"@updatedAt\": Fields that are marked with @updatedAt must be of type DateTime.",
                        attr.span,
                    );
                } else if arity == Arity::List {
                    ctx.error(
                        "Error parsing attribute \"@updatedAt\": Fields that are marked with @updatedAt cannot be lists.",
                        attr.span,
                    );
                }
                ctx.dm.models[mi].fields[fi].updated_at = true;
            }
            "ignore" => {
                args(ctx, attr, &label, None, &[]);
                ctx.dm.models[mi].fields[fi].ignored = true;
            }
            "default" => {
                let a = args(ctx, attr, &label, Some("value"), &["map"]);
                let map = string_arg(ctx, a.get("map"));
                let Some(value) = a.get("value") else {
                    ctx.error(
                        "Error parsing attribute \"@default\": Argument \"value\" is missing.",
                        attr.span,
                    );
                    continue;
                };
                if let Some(value) = resolve_default(ctx, &field_type, arity, value, attr.span) {
                    ctx.dm.models[mi].fields[fi].default = Some(Default {
                        value,
                        map,
                        span: attr.span,
                    });
                }
            }
            "relation" => relation_attribute(ctx, mi, fi, attr, &field_type),
            _ => match name.split_once('.') {
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

fn native_type_attribute(
    ctx: &mut Ctx<'_>,
    mi: usize,
    fi: usize,
    attr: &Attribute,
    prefix: &str,
    type_name: &str,
) {
    let Some(ds_name) = ctx.datasource_name().map(str::to_owned) else {
        ctx.error(
            format!("Attribute not known: \"@{}\".", attr.name.name),
            attr.span,
        );
        return;
    };
    if prefix != ds_name {
        ctx.error(
            format!(
                "The prefix {prefix} is invalid. It must be equal to the name of an existing datasource e.g. {ds_name}. Did you mean to use {ds_name}.{type_name}?"
            ),
            attr.span,
        );
        return;
    }
    let mut native_args = Vec::new();
    for arg in &attr.arguments {
        match &arg.value {
            Expression::Number(n, _) => native_args.push(n.clone()),
            Expression::String(s, _) => native_args.push(s.clone()),
            Expression::Constant(c, _) => native_args.push(c.clone()),
            other => {
                ctx.type_mismatch("numeric", other);
                return;
            }
        }
    }
    ctx.dm.models[mi].fields[fi].native_type = Some(NativeType {
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
    let items: Vec<&Expression> = match expr {
        Expression::Array(items, _) => items.iter().collect(),
        Expression::Constant(..) => vec![expr],
        other => {
            ctx.type_mismatch("constant literal", other);
            return None;
        }
    };
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
        let model = &ctx.dm.models[mi];
        let mut resolved = Vec::new();
        let mut unknown = Vec::new();
        for n in &names {
            match model.field(n) {
                Some((i, _)) => resolved.push(i),
                None => unknown.push(n.clone()),
            }
        }
        if unknown.is_empty() {
            fields = (!resolved.is_empty()).then_some(resolved);
        } else {
            ctx.error(
                format!(
                    "Error validating: The argument fields must refer only to existing fields. The following fields do not exist in this model: {}",
                    unknown.join(", ")
                ),
                expr.span(),
            );
        }
    }
    let mut references = None;
    if let Some(expr) = a.get("references")
        && let Some(names) = field_names(ctx, expr)
    {
        let model = &ctx.dm.models[target];
        let mut resolved = Vec::new();
        let mut unknown = Vec::new();
        for n in &names {
            match model.field(n) {
                Some((i, _)) => resolved.push(i),
                None => unknown.push(n.clone()),
            }
        }
        if unknown.is_empty() {
            references = (!resolved.is_empty()).then_some(resolved);
        } else {
            let message = format!(
                "Error validating: The argument `references` must refer only to existing fields in the related model `{}`. The following fields do not exist in the related model: {}",
                model.name,
                unknown.join(", ")
            );
            ctx.error(message, attr.span);
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
            span: attr.span,
        },
    );
}

fn type_label(ctx: &Ctx<'_>, field_type: &FieldType) -> String {
    match field_type {
        FieldType::Scalar(s) => s.as_str().to_owned(),
        FieldType::Enum(e) => ctx
            .dm
            .enum_(*e)
            .map_or_else(String::new, |e| e.name.clone()),
        FieldType::Model(m) => ctx
            .dm
            .model(*m)
            .map_or_else(String::new, |m| m.name.clone()),
        FieldType::Composite(name) => name.clone(),
        FieldType::Unsupported(_) => "Unsupported".to_owned(),
    }
}

fn resolve_default(
    ctx: &mut Ctx<'_>,
    field_type: &FieldType,
    arity: Arity,
    value: &Expression,
    attr_span: Span,
) -> Option<DefaultValue> {
    const P: &str = "Error parsing attribute \"@default\": ";
    if matches!(field_type, FieldType::Model(_)) {
        ctx.error(
            format!("{P}Cannot set a default value on a relation field."),
            attr_span,
        );
        return None;
    }
    if let Expression::Function(name, fargs, _) = value {
        return default_function(ctx, field_type, name, fargs, attr_span);
    }
    if arity == Arity::List {
        let Expression::Array(items, _) = value else {
            ctx.error(
                format!(
                    "{P}Expected a list value, but found `{}`.",
                    display_expr(value)
                ),
                attr_span,
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(default_literal(ctx, field_type, item, attr_span)?);
        }
        return Some(DefaultValue::List(out));
    }
    default_literal(ctx, field_type, value, attr_span)
}

fn default_literal(
    ctx: &mut Ctx<'_>,
    field_type: &FieldType,
    value: &Expression,
    attr_span: Span,
) -> Option<DefaultValue> {
    const P: &str = "Error parsing attribute \"@default\": ";
    let found = display_expr(value);
    match field_type {
        FieldType::Enum(id) => {
            let Expression::Constant(c, _) = value else {
                ctx.error(
                    format!("{P}Expected an enum value, but found `{found}`."),
                    attr_span,
                );
                return None;
            };
            let known = ctx
                .dm
                .enum_(*id)
                .is_some_and(|e| e.values.iter().any(|v| &v.name == c));
            if known {
                Some(DefaultValue::EnumValue(c.clone()))
            } else {
                ctx.error(
                    format!(
                        "{P}The defined default value `{c}` is not a valid value of the enum specified for the field."
                    ),
                    attr_span,
                );
                None
            }
        }
        FieldType::Scalar(ScalarType::DateTime) if matches!(value, Expression::String(..)) => {
            let Expression::String(text, _) = value else {
                return None;
            };
            match check_rfc3339(text) {
                Ok(()) => Some(DefaultValue::String(text.clone())),
                Err(reason) => {
                    ctx.error(
                        format!(
                            "{P}Parse error: \"{text}\" is not a valid rfc3339 datetime string. ({reason})"
                        ),
                        value.span(),
                    );
                    None
                }
            }
        }
        FieldType::Scalar(s) => {
            let ok = match (s, value) {
                (
                    ScalarType::String
                    | ScalarType::DateTime
                    | ScalarType::Json
                    | ScalarType::Bytes,
                    Expression::String(v, _),
                ) => Some(DefaultValue::String(v.clone())),
                (ScalarType::Boolean, Expression::Constant(c, _)) if c == "true" => {
                    Some(DefaultValue::Boolean(true))
                }
                (ScalarType::Boolean, Expression::Constant(c, _)) if c == "false" => {
                    Some(DefaultValue::Boolean(false))
                }
                (ScalarType::Int | ScalarType::BigInt, Expression::Number(n, _))
                    if !n.contains(['.', 'e', 'E']) =>
                {
                    Some(DefaultValue::Number(n.clone()))
                }
                (ScalarType::Float | ScalarType::Decimal, Expression::Number(n, _)) => {
                    Some(DefaultValue::Number(n.clone()))
                }
                (ScalarType::Decimal, Expression::String(n, _)) if is_decimal(n) => {
                    Some(DefaultValue::Number(n.clone()))
                }
                _ => None,
            };
            if ok.is_none() {
                ctx.error(
                    format!("{P}Expected a {} value, but found `{found}`.", s.as_str()),
                    attr_span,
                );
            }
            ok
        }
        FieldType::Unsupported(_) => {
            ctx.error(
                format!(
                    "{P}Only @default(dbgenerated(\"...\")) can be used for Unsupported types."
                ),
                attr_span,
            );
            None
        }
        FieldType::Model(_) | FieldType::Composite(_) => None,
    }
}

fn default_function(
    ctx: &mut Ctx<'_>,
    field_type: &FieldType,
    name: &str,
    fargs: &[ast::Argument],
    attr_span: Span,
) -> Option<DefaultValue> {
    const P: &str = "Error parsing attribute \"@default\": ";
    let number_arg = |fargs: &[ast::Argument]| -> Option<Option<String>> {
        match fargs {
            [] => Some(None),
            [a] => match &a.value {
                Expression::Number(n, _) if a.name.is_none() => Some(Some(n.clone())),
                _ => None,
            },
            _ => None,
        }
    };
    let scalar = match field_type {
        FieldType::Scalar(s) => Some(*s),
        _ => None,
    };
    let allowed: bool;
    let value = match name {
        "autoincrement" => {
            if !fargs.is_empty() {
                ctx.error(
                    format!(
                        "{P}The `autoincrement` function does not take any argument. Consider changing this default to `autoincrement()`."
                    ),
                    attr_span,
                );
                return None;
            }
            allowed = matches!(
                scalar,
                Some(ScalarType::Int | ScalarType::BigInt | ScalarType::Decimal)
            );
            DefaultValue::Autoincrement
        }
        "now" => {
            allowed = scalar == Some(ScalarType::DateTime);
            DefaultValue::Now
        }
        "uuid" => {
            let version = match number_arg(fargs) {
                Some(None) => 4,
                Some(Some(n)) if n == "4" || n == "7" => {
                    if n == "4" {
                        4
                    } else {
                        7
                    }
                }
                _ => {
                    ctx.error(
                        format!(
                            "{P}`uuid()` takes either no argument, or a single integer argument which is either 4 or 7."
                        ),
                        attr_span,
                    );
                    return None;
                }
            };
            allowed = scalar == Some(ScalarType::String);
            DefaultValue::Uuid(version)
        }
        "cuid" => {
            let version = match number_arg(fargs) {
                Some(None) => 1,
                Some(Some(n)) if n == "1" || n == "2" => {
                    if n == "1" {
                        1
                    } else {
                        2
                    }
                }
                _ => {
                    ctx.error(
                        format!(
                            "{P}`cuid()` takes either no argument, or a single integer argument which is either 1 or 2."
                        ),
                        attr_span,
                    );
                    return None;
                }
            };
            allowed = scalar == Some(ScalarType::String);
            DefaultValue::Cuid(version)
        }
        "ulid" => {
            allowed = scalar == Some(ScalarType::String);
            DefaultValue::Ulid
        }
        "nanoid" => {
            let length = match number_arg(fargs) {
                Some(None) => None,
                Some(Some(n)) => match n.parse::<u32>() {
                    Ok(v) if (2..=255).contains(&v) => Some(v),
                    _ => {
                        ctx.error(
                            format!(
                                "{P}`nanoid()` takes either no argument, or a single integer argument between 2 and 255."
                            ),
                            attr_span,
                        );
                        return None;
                    }
                },
                None => {
                    ctx.error(
                        format!("{P}`nanoid()` takes a single Int argument."),
                        attr_span,
                    );
                    return None;
                }
            };
            allowed = scalar == Some(ScalarType::String);
            DefaultValue::Nanoid(length)
        }
        "dbgenerated" => {
            let expr = match fargs {
                [] => None,
                [a] if a.name.is_none() => match &a.value {
                    Expression::String(s, _) => Some(s.clone()),
                    _ => {
                        ctx.error(
                            format!("{P}`dbgenerated()` takes a single String argument."),
                            attr_span,
                        );
                        return None;
                    }
                },
                _ => {
                    ctx.error(
                        format!("{P}`dbgenerated()` takes a single String argument."),
                        attr_span,
                    );
                    return None;
                }
            };
            allowed = true;
            DefaultValue::DbGenerated(expr)
        }
        "sequence" => {
            allowed = matches!(scalar, Some(ScalarType::Int | ScalarType::BigInt));
            DefaultValue::Sequence
        }
        "auto" => {
            allowed = true;
            DefaultValue::Auto
        }
        _ => {
            ctx.error(
                format!(
                    "{P}The function `{name}` is not a known function. You can read about the available functions here: https://pris.ly/d/attribute-functions"
                ),
                attr_span,
            );
            return None;
        }
    };
    if !allowed {
        let type_name = type_label(ctx, field_type);
        ctx.error(
            format!("{P}The function `{name}()` cannot be used on fields of type `{type_name}`."),
            attr_span,
        );
        return None;
    }
    Some(value)
}

/// A parsed `fields` entry of an index: name, options and span.
struct IndexFieldSyntax {
    name: String,
    sort: Option<SortOrder>,
    length: Option<u32>,
    ops: Option<String>,
}

fn index_field_list(ctx: &mut Ctx<'_>, expr: &Expression) -> Option<Vec<IndexFieldSyntax>> {
    let Expression::Array(items, _) = expr else {
        ctx.type_mismatch("array", expr);
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Expression::Constant(c, _) => out.push(IndexFieldSyntax {
                name: c.clone(),
                sort: None,
                length: None,
                ops: None,
            }),
            Expression::Function(name, fargs, _) => {
                let mut f = IndexFieldSyntax {
                    name: name.clone(),
                    sort: None,
                    length: None,
                    ops: None,
                };
                for a in fargs {
                    match a.name.as_ref().map(|n| n.name.as_str()) {
                        Some("sort") => f.sort = sort_arg(ctx, Some(&a.value), a.span),
                        Some("length") => f.length = length_arg(ctx, Some(&a.value)),
                        Some("ops") => f.ops = ops_arg(ctx, Some(&a.value)),
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
            BlockKind::Index => "The index definition",
            BlockKind::Fulltext => "The fulltext index definition",
        }
    }
}

/// Resolves the `fields` of a block attribute against the model.
fn resolve_index_fields(
    ctx: &mut Ctx<'_>,
    mi: usize,
    kind: BlockKind,
    attr: &Attribute,
    expr: &Expression,
) -> Option<Vec<IndexField>> {
    let syntax = index_field_list(ctx, expr)?;
    let model_name = ctx.dm.models[mi].name.clone();
    if syntax.is_empty() {
        ctx.error(
            format!(
                "Error parsing attribute \"{}\": The list of fields in an index cannot be empty. Please specify at least one field.",
                kind.label()
            ),
            attr.span,
        );
        return None;
    }
    for (i, s) in syntax.iter().enumerate() {
        if syntax[..i].iter().any(|earlier| earlier.name == s.name) {
            ctx.error(
                format!(
                    "Error validating model \"{model_name}\": {} refers to the field {} multiple times.",
                    kind.definition(),
                    s.name
                ),
                attr.span,
            );
            return None;
        }
    }
    let mut fields = Vec::with_capacity(syntax.len());
    let mut unknown = Vec::new();
    let mut relation = Vec::new();
    for s in syntax {
        match ctx.dm.models[mi].field(&s.name) {
            Some((i, f)) => {
                if f.is_relation() {
                    relation.push(s.name.clone());
                }
                fields.push(IndexField {
                    field: i,
                    sort: s.sort,
                    length: s.length,
                    operator_class: s.ops,
                });
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
        return None;
    }
    if !relation.is_empty() {
        ctx.error(
            format!(
                "Error validating model \"{model_name}\": {} refers to the relation fields {}. Index definitions must reference only scalar fields.",
                kind.definition(),
                relation.join(", ")
            ),
            attr.span,
        );
        return None;
    }
    Some(fields)
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
        if !repeatable && counts.get(name).copied().unwrap_or(0) > 1 {
            ctx.error(
                format!("Attribute \"{label}\" can only be defined once."),
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
                let pk_name = string_arg(ctx, a.get("name"));
                let map = string_arg(ctx, a.get("map"));
                let Some(expr) = a.get("fields") else {
                    ctx.error(
                        format!(
                            "Error parsing attribute \"{label}\": Argument \"fields\" is missing."
                        ),
                        attr.span,
                    );
                    continue;
                };
                let Some(fields) = resolve_index_fields(ctx, mi, BlockKind::Id, attr, expr) else {
                    continue;
                };
                capability_checks(ctx, &label, attr, &a, &fields, Check::PrimaryKey);
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
                let optional: Vec<String> = fields
                    .iter()
                    .map(|f| &ctx.dm.models[mi].fields[f.field])
                    .filter(|f| f.arity != Arity::Required)
                    .map(|f| f.name.clone())
                    .collect();
                if !optional.is_empty() {
                    ctx.error(
                        format!(
                            "Error parsing attribute \"@@id\": The id definition refers to the optional fields: {}. ID definitions must reference only required fields.",
                            optional.join(", ")
                        ),
                        attr.span,
                    );
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
                let map = string_arg(ctx, a.get("map"));
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
                    ctx.error(
                        format!(
                            "Error parsing attribute \"{label}\": Argument \"fields\" is missing."
                        ),
                        attr.span,
                    );
                    continue;
                };
                let Some(fields) = resolve_index_fields(ctx, mi, kind, attr, expr) else {
                    continue;
                };
                let check = match kind {
                    BlockKind::Fulltext => Check::Fulltext,
                    _ if algorithm.is_some() => {
                        Check::IndexType(a.span("type").unwrap_or(attr.span))
                    }
                    _ => Check::Index,
                };
                capability_checks(ctx, &label, attr, &a, &fields, check);
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
                    map_span: a.span("map"),
                };
                match kind {
                    BlockKind::Unique => unique.push(index),
                    BlockKind::Fulltext => fulltext.push(index),
                    BlockKind::Id | BlockKind::Index => normal.push(index),
                }
            }
            "map" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, &label, "name") {
                    ctx.dm.models[mi].db_name = db_name;
                }
            }
            "ignore" => {
                args(ctx, attr, &label, None, &[]);
                ctx.dm.models[mi].ignored = true;
            }
            "schema" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                ctx.dm.models[mi].schema = schema_arg(ctx, &a, attr, &label);
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

fn schema_arg(
    ctx: &mut Ctx<'_>,
    a: &Args<'_>,
    attr: &Attribute,
    label: &Label<'_>,
) -> Option<String> {
    let schema = required_string(ctx, a, attr, label, "name")?;
    let declared = ctx
        .dm
        .datasource
        .as_ref()
        .is_some_and(|d| d.schemas.contains(&schema));
    if !declared {
        let span = a.get("name").map_or(attr.span, Expression::span);
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
        for attr in &v.attributes {
            let name = attr.name.name.as_str();
            let label = Label::new("@", name);
            if name == "map" {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, &label, "name")
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
        match name {
            "map" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                if let Some(db_name) = required_string(ctx, &a, attr, &label, "name") {
                    ctx.dm.enums[ei].db_name = db_name;
                }
            }
            "schema" => {
                let a = args(ctx, attr, &label, Some("name"), &[]);
                ctx.dm.enums[ei].schema = schema_arg(ctx, &a, attr, &label);
            }
            _ => ctx.error(format!("Attribute not known: \"@{name}\"."), attr.span),
        }
    }
}

/// Checks that need keys, indexes and relations: unique criteria, scalar lists, `@@schema`
/// coverage and table name clashes.
pub(super) fn model_checks(ctx: &mut Ctx<'_>) {
    let provider = ctx.dm.provider();
    let multi_schema = ctx
        .dm
        .datasource
        .as_ref()
        .is_some_and(|d| !d.schemas.is_empty());
    let mut tables: FastMap<(Option<String>, String), String> = FastMap::default();
    for mi in 0..ctx.dm.models.len() {
        let model = &ctx.dm.models[mi];
        let name = model.name.clone();
        let span = model.span;
        let has_criteria = model.primary_key.is_some()
            || model.indexes.iter().any(|i| {
                i.kind == IndexType::Unique
                    && i.fields
                        .iter()
                        .all(|f| model.fields[f.field].arity == Arity::Required)
            });
        if !has_criteria && !model.ignored && !model.is_view {
            ctx.error(
                format!(
                    "Error validating model \"{name}\": Each model must have at least one unique criteria that has only required fields. Either mark a single field with `@id`, `@unique` or add a multi field criterion with `@@id([])` or `@@unique([])` to the model."
                ),
                span,
            );
        }
        if let Some(p) = provider
            && !p.supports_scalar_lists()
        {
            let lists: Vec<(String, Span)> = ctx.dm.models[mi]
                .fields
                .iter()
                .filter(|f| f.arity == Arity::List && f.is_scalar())
                .map(|f| (f.name.clone(), f.span))
                .collect();
            for (field, fspan) in lists {
                ctx.error(
                    format!(
                        "Field \"{field}\" in model \"{name}\" can't be a list. The current connector does not support lists of primitive types."
                    ),
                    fspan,
                );
            }
        }
        let model = &ctx.dm.models[mi];
        if multi_schema && model.schema.is_none() {
            ctx.error(
                format!(
                    "Error validating model \"{name}\": This model is missing an `@@schema` attribute."
                ),
                span,
            );
        }
        let model = &ctx.dm.models[mi];
        if !model.is_view {
            let key = (model.schema.clone(), model.db_name.clone());
            if let Some(existing) = tables.get(&key) {
                let map_span = ctx.model_asts[mi]
                    .attributes
                    .iter()
                    .find(|a| a.name.name == "map")
                    .map_or(ctx.model_asts[mi].name.span, |a| a.span);
                let message = format!(
                    "The model with database name \"{}\" could not be defined because another model or view with this name exists: \"{existing}\"",
                    key.1
                );
                ctx.error(message, map_span);
            } else {
                tables.insert(key, name);
            }
        }
    }
    constraint_names(ctx);
    for diagnostic in std::mem::take(&mut ctx.deferred) {
        ctx.diagnostics.push(diagnostic);
    }
    if multi_schema {
        for ei in 0..ctx.dm.enums.len() {
            if ctx.dm.enums[ei].schema.is_none() {
                let message = format!(
                    "Error validating enum `{}`: This enum is missing an `@@schema` attribute.",
                    ctx.dm.enums[ei].name
                );
                let span = ctx.dm.enums[ei].span;
                ctx.error(message, span);
            }
        }
    }
}

/// Checks constraint names Prisma keeps in one namespace (per database schema) and the length of
/// names given with `map:`.
/// A key or index name: `((namespace, name), attribute label, span of the map argument or
/// attribute, namespace description)`.
type ConstraintName = ((Option<String>, String), &'static str, Span, String);

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
    for model in ctx.dm.models.iter().filter(|m| !m.is_view) {
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
                ));
            }
        }
        for index in &model.indexes {
            let (label, suffix) = match (index.kind, index.from_field) {
                (IndexType::Unique, true) => ("@unique", "_key"),
                (IndexType::Unique, false) => ("@@unique", "_key"),
                (IndexType::Normal, _) => ("@@index", "_idx"),
                (IndexType::Fulltext, _) => ("@@fulltext", "_idx"),
            };
            if let (Some(map), Some(limit)) = (&index.map, limit)
                && map.len() > limit
            {
                too_long.push((model.name.clone(), map.clone(), label, index.span));
            }
            let name = index.map.clone().unwrap_or_else(|| {
                let mut base = model.db_name.clone();
                for f in &index.fields {
                    base.push('_');
                    base.push_str(model.fields.get(f.field).map_or("", |f| f.db_name.as_str()));
                }
                fit_name(&base, suffix, max)
            });
            entries.push((
                (namespace.clone(), name),
                label,
                index.map_span.unwrap_or(index.span),
                description.clone(),
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
    let duplicated: Vec<(String, &'static str, Span, String)> = entries
        .iter()
        .filter(|(key, ..)| counts.get(key).copied().unwrap_or(0) > 1)
        .map(|((_, name), label, span, description)| {
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
}

/// What a key or index attribute declares, for [`capability_checks`].
#[derive(Clone, Copy)]
enum Check {
    PrimaryKey,
    Index,
    /// An index with a non-default `type:` (the span of that argument).
    IndexType(Span),
    Fulltext,
}

/// Reports key and index options the datasource's connector does not support.
fn capability_checks(
    ctx: &mut Ctx<'_>,
    label: &Label<'_>,
    attr: &Attribute,
    a: &Args<'_>,
    fields: &[IndexField],
    check: Check,
) {
    let Some(provider) = ctx.dm.provider() else {
        return;
    };
    let mysql = provider == Provider::MySql;
    let sql_server = provider == Provider::SqlServer;
    let postgres = matches!(provider, Provider::PostgreSql | Provider::CockroachDb);
    let primary_key = matches!(check, Check::PrimaryKey);
    if primary_key && !(mysql || sql_server) && fields.iter().any(|f| f.sort.is_some()) {
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
    if !sql_server && a.get("clustered").is_some() {
        ctx.defer(
            format!(
                "Error parsing attribute \"{label}\": Defining clustering is not supported in the current connector."
            ),
            attr.span,
        );
    }
    match check {
        Check::Fulltext if !(mysql || provider == Provider::MongoDb) => ctx.defer(
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
}

/// Whether a string default of a `Decimal` field is a plain decimal number.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks an RFC 3339 date-time (`2024-01-31T12:00:00.000Z`, `...+02:00`). The error names the
/// problem the way Prisma reports it.
fn check_rfc3339(text: &str) -> Result<(), &'static str> {
    const SHORT: &str = "premature end of input";
    const INVALID: &str = "input contains invalid characters";
    const RANGE: &str = "input is out of range";
    let b = text.as_bytes();
    let mut i = 0;
    let number = |len: usize, i: &mut usize| -> Result<u32, &'static str> {
        let mut v = 0u32;
        for _ in 0..len {
            let c = *b.get(*i).ok_or(SHORT)?;
            if !c.is_ascii_digit() {
                return Err(INVALID);
            }
            v = v * 10 + u32::from(c - b'0');
            *i += 1;
        }
        Ok(v)
    };
    let expect = |c: &[u8], i: &mut usize| -> Result<(), &'static str> {
        match b.get(*i) {
            None => Err(SHORT),
            Some(x) if c.contains(x) => {
                *i += 1;
                Ok(())
            }
            Some(_) => Err(INVALID),
        }
    };
    number(4, &mut i)?;
    expect(b"-", &mut i)?;
    let month = number(2, &mut i)?;
    expect(b"-", &mut i)?;
    let day = number(2, &mut i)?;
    expect(b"Tt ", &mut i)?;
    let hour = number(2, &mut i)?;
    expect(b":", &mut i)?;
    let minute = number(2, &mut i)?;
    expect(b":", &mut i)?;
    let second = number(2, &mut i)?;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(if i >= b.len() { SHORT } else { INVALID });
        }
    }
    match b.get(i) {
        None => return Err(SHORT),
        Some(b'Z' | b'z') => i += 1,
        Some(b'+' | b'-') => {
            i += 1;
            let offset_hours = number(2, &mut i)?;
            expect(b":", &mut i)?;
            let offset_minutes = number(2, &mut i)?;
            if offset_hours > 23 || offset_minutes > 59 {
                return Err(RANGE);
            }
        }
        Some(_) => return Err(INVALID),
    }
    if i != b.len() {
        return Err("trailing input");
    }
    let in_range = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if in_range { Ok(()) } else { Err(RANGE) }
}

/// Reports referential actions the connector or the relation mode cannot honour.
fn check_action_support(ctx: &mut Ctx<'_>, action: ReferentialAction, span: Span) {
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
        let no_action_allowed = provider == Provider::MySql;
        let allowed = if no_action_allowed {
            "(`Cascade`, `Restrict`, `NoAction`, `SetNull`)"
        } else {
            "(`Cascade`, `Restrict`, `SetNull`)"
        };
        match action {
            ReferentialAction::NoAction if !no_action_allowed => ctx.error(
                format!(
                    "Error validating: Invalid referential action: `NoAction`. Allowed values: {allowed}. `NoAction` is not implemented for {} when using `relationMode = \"prisma\"`, you could try using `Restrict` instead. Learn more at https://pris.ly/d/relation-mode",
                    provider.display_name()
                ),
                span,
            ),
            ReferentialAction::SetDefault => ctx.error(
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

/// The single scalar field named in a relation field's `@relation(fields: [...])`, if any.
fn relation_scalar_hint(field: &ast::Field) -> Option<&str> {
    let relation = field
        .attributes
        .iter()
        .find(|a| a.name.name == "relation")?;
    match &relation.argument(Some("fields"))?.value {
        Expression::Array(items, _) => match items.as_slice() {
            [Expression::Constant(name, _)] => Some(name),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{check_rfc3339, is_decimal};

    #[test]
    fn rfc3339_errors_match_prisma_wording() {
        assert_eq!(check_rfc3339("2024-01-01T00:00:00Z"), Ok(()));
        assert_eq!(check_rfc3339("2024-01-01T00:00:00.123+02:00"), Ok(()));
        assert_eq!(check_rfc3339("2024-01-01"), Err("premature end of input"));
        assert_eq!(
            check_rfc3339("yesterday"),
            Err("input contains invalid characters")
        );
        assert_eq!(
            check_rfc3339("2024-13-01T00:00:00Z"),
            Err("input is out of range")
        );
        assert_eq!(
            check_rfc3339("2024-01-01T00:00:00Zx"),
            Err("trailing input")
        );
    }

    #[test]
    fn decimal_strings() {
        assert!(is_decimal("1.5"));
        assert!(is_decimal("-10"));
        assert!(!is_decimal("1."));
        assert!(!is_decimal("abc"));
    }
}
