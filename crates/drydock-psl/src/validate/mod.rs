//! Validation: from the syntax tree to a [`Datamodel`], reporting problems as diagnostics.
//!
//! Like Prisma, validation runs in phases: configuration, names and types, and attributes
//! always; relations and the model and connector checks only when those found nothing (and the
//! schema parsed without syntax errors), so that later phases produce no noise.

mod attributes;
mod checks;
mod config;
mod defaults;
mod indexes;
mod native_types;
mod relations;
mod shard_keys;

use crate::SCHEMA_ERROR;
use crate::ast::{self, Expression, FieldArity, ModelKind, SchemaAst, Top};
use crate::datamodel::{
    Arity, CompositeType, Datamodel, Enum, EnumId, EnumValue, Field, FieldType, Model, ModelId,
    Provider, ScalarType,
};
use crate::fast_hash::{FastMap, FastSet};
use drydock_diagnostics::{Diagnostic, Diagnostics, Span};

/// Validates a parsed schema. The datamodel is always returned; when diagnostics contain errors
/// it may be incomplete.
pub fn validate(ast: &SchemaAst) -> (Datamodel, Diagnostics) {
    validate_parsed(ast, false)
}

/// Validates a parsed schema; after syntax errors (`syntax_errors`) validation ends with the
/// attributes, as Prisma's does.
pub(crate) fn validate_parsed(ast: &SchemaAst, syntax_errors: bool) -> (Datamodel, Diagnostics) {
    let mut ctx = Ctx {
        ast,
        diagnostics: Diagnostics::new(),
        dm: Datamodel::default(),
        model_asts: Vec::new(),
        enum_asts: Vec::new(),
        names: FastMap::default(),
        relation_args: FastMap::default(),
        one_sided_relations: Vec::new(),
        deferred: Vec::new(),
        index_checks: Vec::new(),
        unless_errors: Vec::new(),
        field_indexes: FastMap::default(),
        declared_names: FastMap::default(),
        declared_models: 0,
        declared_fields: Vec::new(),
        shard_keys: FastMap::default(),
    };
    config::resolve(&mut ctx);
    // Prisma goes on to the attributes after duplicate names and unknown types.
    declare(&mut ctx);
    attributes::resolve(&mut ctx);
    drop_repeated_declarations(&mut ctx);
    // Errors in the datasource or generators stop validation here too, as in Prisma: what
    // follows depends on the connector they configure.
    if ctx.error_count() > 0 || syntax_errors {
        return ctx.finish();
    }
    // Relations and the model checks are one phase in Prisma: both report.
    if let Some((error, model)) = relations::ambiguity(&ctx) {
        // Prisma validates model by model and stops at the ambiguous relation field: the
        // checks of the models before, and the model and field checks of its own model, are
        // reported.
        let kept = std::mem::take(&mut ctx.diagnostics);
        native_types::check(&mut ctx);
        for mi in 0..ctx.dm.models.len() {
            checks::checks_before_relation_fields(&mut ctx, mi);
        }
        let native = std::mem::replace(&mut ctx.diagnostics, kept);
        let index_checks = std::mem::take(&mut ctx.index_checks);
        let deferred = std::mem::take(&mut ctx.deferred)
            .into_iter()
            .enumerate()
            .filter(|(i, d)| !(index_checks.contains(i) && within(d.span, model)))
            .map(|(_, d)| d);
        for diagnostic in native.into_iter().chain(deferred) {
            if (diagnostic.span.file, diagnostic.span.start) < (model.file, model.end) {
                ctx.diagnostics.push(diagnostic);
            }
        }
        ctx.diagnostics.push(error);
        return ctx.finish();
    }
    relations::resolve(&mut ctx);
    checks::model_checks(&mut ctx);
    native_types::check(&mut ctx);
    if ctx.error_count() == 0 {
        for diagnostic in std::mem::take(&mut ctx.unless_errors) {
            ctx.diagnostics.push(diagnostic);
        }
    }
    ctx.finish()
}

fn within(span: Span, outer: Span) -> bool {
    span.file == outer.file && outer.start <= span.start && span.end <= outer.end
}

#[derive(Debug, Clone, Copy)]
enum Named {
    Model(ModelId),
    View(ModelId),
    Enum(EnumId),
    Composite,
}

impl Named {
    fn kind(self) -> &'static str {
        match self {
            Named::Model(_) => "model",
            Named::View(_) => "view",
            Named::Enum(_) => "enum",
            Named::Composite => "composite type",
        }
    }
}

/// `@relation` arguments of one relation field, resolved against its own model.
#[derive(Debug, Clone)]
pub(crate) struct RelationArgs {
    pub(crate) name: Option<String>,
    pub(crate) fields: Option<Vec<usize>>,
    pub(crate) references: Option<Vec<usize>>,
    pub(crate) on_delete: Option<drydock_schema::ReferentialAction>,
    pub(crate) on_update: Option<drydock_schema::ReferentialAction>,
    pub(crate) map: Option<String>,
    pub(crate) map_span: Option<Span>,
    pub(crate) span: Span,
}

/// A relation field without an opposite side: Prisma still names its foreign key (an inline
/// relation with one side) in the constraint name checks.
pub(crate) struct OneSidedRelation {
    /// The field's model, where Prisma counts the name.
    pub(crate) model: usize,
    /// The model whose names Prisma compares it with, and whose table starts the default name:
    /// the field's model, or the target of a list.
    pub(crate) referencing_model: usize,
    /// The `fields` of a non-list field; a list has none.
    pub(crate) fields: Vec<usize>,
    pub(crate) map: Option<String>,
    /// Where Prisma reports a clash: `map:`, else the field, else (a list) its model.
    pub(crate) span: Span,
}

pub(crate) struct Ctx<'a> {
    pub(crate) ast: &'a SchemaAst,
    pub(crate) diagnostics: Diagnostics,
    pub(crate) dm: Datamodel,
    /// The syntax of `dm.models[i]`.
    pub(crate) model_asts: Vec<&'a ast::Model>,
    /// The syntax of `dm.enums[i]`.
    pub(crate) enum_asts: Vec<&'a ast::Enum>,
    names: FastMap<&'a str, Named>,
    /// `@relation` arguments by (model index, field index).
    pub(crate) relation_args: FastMap<(usize, usize), RelationArgs>,
    /// Relation fields without an opposite side, in declaration order.
    pub(crate) one_sided_relations: Vec<OneSidedRelation>,
    /// Errors found while resolving attributes that Prisma reports only in its last phase
    /// (connector capabilities); emitted by the model checks.
    pub(crate) deferred: Vec<Diagnostic>,
    /// Positions in `deferred` of the checks Prisma makes per index, after a model's relation
    /// fields (and so not on a model whose relation is ambiguous).
    pub(crate) index_checks: Vec<usize>,
    /// Errors Prisma reports at the very end of its last phase, and only when that phase found
    /// nothing else.
    pub(crate) unless_errors: Vec<Diagnostic>,
    /// Each model's fields by name, built on first use (the later of a name declared twice).
    field_indexes: FastMap<usize, FastMap<String, usize>>,
    /// The field names each model's syntax declares, built on first use.
    declared_names: FastMap<usize, FastSet<&'a str>>,
    /// Models and views declared once; those after them in `dm.models` are declared again.
    declared_models: usize,
    /// How many of each model's fields are first declarations; those after them repeat a name.
    pub(crate) declared_fields: Vec<usize>,
    /// Each model's shard key, by model index.
    pub(crate) shard_keys: FastMap<usize, shard_keys::ShardKey>,
}

impl<'a> Ctx<'a> {
    /// The field of model `mi` named `name`; of a name declared twice the later field, as
    /// Prisma resolves it. Indexed once per model, so lookups never scan the fields.
    pub(crate) fn field_index(&mut self, mi: usize, name: &str) -> Option<usize> {
        let fields = &self.dm.models.get(mi)?.fields;
        self.field_indexes
            .entry(mi)
            .or_insert_with(|| {
                fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.clone(), i))
                    .collect()
            })
            .get(name)
            .copied()
    }

    /// Of the models named like model `mi`, the one declared last (names resolve to the first).
    pub(crate) fn last_declaration(&self, mi: usize) -> usize {
        let name = &self.dm.models[mi].name;
        (self.declared_models..self.dm.models.len())
            .rev()
            .find(|&j| self.dm.models[j].name == *name)
            .unwrap_or(mi)
    }

    /// Whether the syntax of model `mi` declares a field `name` (its type may not resolve).
    pub(crate) fn declares_field(&mut self, mi: usize, name: &str) -> bool {
        let Some(model) = self.model_asts.get(mi).copied() else {
            return false;
        };
        self.declared_names
            .entry(mi)
            .or_insert_with(|| model.fields.iter().map(|f| f.name.name.as_str()).collect())
            .contains(name)
    }

    pub(crate) fn error(&mut self, message: impl Into<String>, span: Span) {
        self.diagnostics.error(SCHEMA_ERROR, message, span);
    }

    /// Reports an error with an optional help line.
    pub(crate) fn error_with_help(
        &mut self,
        message: impl Into<String>,
        span: Span,
        help: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::error(SCHEMA_ERROR, message, span);
        diagnostic.help = help;
        self.diagnostics.push(diagnostic);
    }

    pub(crate) fn defer(&mut self, message: impl Into<String>, span: Span) {
        self.deferred
            .push(Diagnostic::error(SCHEMA_ERROR, message, span));
    }

    pub(crate) fn warning(&mut self, message: impl Into<String>, span: Span) {
        self.diagnostics.warning(SCHEMA_ERROR, message, span);
    }

    fn error_count(&self) -> usize {
        self.diagnostics.errors().count()
    }

    fn finish(self) -> (Datamodel, Diagnostics) {
        (self.dm, self.diagnostics)
    }

    /// Reports `Expected a {expected} value, but received {kind} value `{raw}`.`
    pub(crate) fn type_mismatch(&mut self, expected: &str, found: &Expression) {
        let kind = match found {
            Expression::String(..) => "string",
            Expression::Number(..) => "numeric",
            Expression::Constant(..) => "literal",
            Expression::Function(..) => "functional",
            Expression::Array(..) => "array",
        };
        self.error(
            format!(
                "Expected a {expected} value, but received {kind} value `{}`.",
                display_expr(found)
            ),
            found.span(),
        );
    }

    /// The datasource name used as native type prefix, if any.
    pub(crate) fn datasource_name(&self) -> Option<&str> {
        self.dm.datasource.as_ref().map(|d| d.name.as_str())
    }
}

/// Source-like text of an expression for messages.
pub(crate) fn display_expr(expr: &Expression) -> String {
    match expr {
        Expression::String(s, _) => format!("{s:?}"),
        Expression::Number(n, _) => n.clone(),
        Expression::Constant(c, _) => c.clone(),
        Expression::Function(name, args, _) => {
            let args: Vec<String> = args
                .iter()
                .map(|a| match &a.name {
                    Some(n) => format!("{}: {}", n.name, display_expr(&a.value)),
                    None => display_expr(&a.value),
                })
                .collect();
            format!("{name}({})", args.join(", "))
        }
        Expression::Array(items, _) => {
            let items: Vec<String> = items.iter().map(display_expr).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// Names the generated client reserves for itself (JavaScript keywords and `PrismaClient`).
const RESERVED_NAMES: &[&str] = &[
    "PrismaClient",
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Declares models, views, enums and composite types, checks duplicate names and resolves
/// field types.
fn declare<'a>(ctx: &mut Ctx<'a>) {
    let ast = ctx.ast;
    let mut duplicates: Vec<&ast::Model> = Vec::new();
    // Blocks named after a scalar type: left out of the names, but still clashing.
    let mut reserved: Vec<(&str, Named)> = Vec::new();
    for top in &ast.tops {
        let (name, named) = match top {
            Top::Model(m) => {
                let id = ModelId(ctx.dm.models.len());
                let named = match m.kind {
                    ModelKind::Model => Named::Model(id),
                    ModelKind::View => Named::View(id),
                    ModelKind::CompositeType => Named::Composite,
                };
                (&m.name, named)
            }
            Top::Enum(e) => (&e.name, Named::Enum(EnumId(ctx.dm.enums.len()))),
            Top::Datasource(_) | Top::Generator(_) => continue,
        };
        if name.name.contains('-') {
            let kind = match named {
                Named::Model(_) => "Model",
                Named::View(_) => "View",
                Named::Enum(_) => "Enum",
                Named::Composite => "Composite Type",
            };
            ctx.error(
                format!("Error validating: The character `-` is not allowed in {kind} names."),
                name.span,
            );
        }
        // Prisma checks reserved names on blocks declared twice too.
        if RESERVED_NAMES.contains(&name.name.as_str()) {
            match top {
                Top::Model(m) if m.kind == ModelKind::Model => ctx.error(
                    format!(
                        "Error validating model \"{n}\": The model name `{n}` is invalid. It is a reserved name. Please change it. Read more at https://pris.ly/d/naming-models",
                        n = name.name
                    ),
                    m.span,
                ),
                Top::Enum(e) => ctx.error(
                    format!(
                        "Error validating enum `{n}`: The enum name `{n}` is invalid. It is a reserved name. Please change it. Read more at https://www.prisma.io/docs/reference/tools-and-interfaces/prisma-schema/data-model#naming-enums",
                        n = name.name
                    ),
                    e.span,
                ),
                _ => {}
            }
        }
        if let Some(existing) = ctx.names.get(name.name.as_str()) {
            let message = format!(
                "The {} \"{}\" cannot be defined because a {} with that name already exists.",
                named.kind(),
                name.name,
                existing.kind()
            );
            let existing_enum = matches!(existing, Named::Enum(_));
            ctx.error(message, name.span);
            match top {
                // Prisma resolves a name declared twice to the later block. A model or view
                // that repeats an enum's name, and an enum declared again, are kept (their
                // fields, values and attributes are validated), so the name can point at them.
                Top::Model(m) if m.kind != ModelKind::CompositeType && existing_enum => {
                    ctx.names.insert(&name.name, named);
                    declare_model(ctx, m);
                }
                Top::Model(m) if m.kind != ModelKind::CompositeType => duplicates.push(m),
                Top::Enum(e) => {
                    ctx.names
                        .insert(&name.name, Named::Enum(EnumId(ctx.dm.enums.len())));
                    ctx.enum_asts.push(e);
                    declare_enum(ctx, e);
                }
                _ => {}
            }
            continue;
        }
        if ScalarType::parse(&name.name).is_some() || name.name == "Unsupported" {
            let message = format!(
                "\"{}\" is a reserved scalar type name and cannot be used.",
                name.name
            );
            ctx.error(message, name.span);
            // Against the last block of that name, as Prisma does.
            if let Some((_, existing)) = reserved.iter().rev().find(|(n, _)| *n == name.name) {
                ctx.error(
                    format!(
                        "The {} \"{}\" cannot be defined because a {} with that name already exists.",
                        named.kind(),
                        name.name,
                        existing.kind()
                    ),
                    name.span,
                );
            }
            reserved.push((&name.name, named));
            // Prisma still validates the block's values and attributes; unnamed, a model is
            // dropped after them, like a model declared twice, and no field can name the enum.
            match top {
                Top::Model(m) if m.kind != ModelKind::CompositeType => duplicates.push(m),
                Top::Enum(e) => {
                    ctx.enum_asts.push(e);
                    declare_enum(ctx, e);
                }
                _ => {}
            }
            continue;
        }
        ctx.names.insert(&name.name, named);
        match top {
            Top::Model(m) if m.kind == ModelKind::CompositeType => {
                // Without a datasource Prisma names its empty connector's Rust type.
                let connector = match ctx.dm.provider() {
                    Some(Provider::MongoDb) => None,
                    Some(provider) => Some(provider.display_name()),
                    None if ctx.dm.datasource.is_none() => Some(
                        "psl_core::datamodel_connector::empty_connector::EmptyDatamodelConnector",
                    ),
                    None => None,
                };
                // A connector check: reported last, as Prisma does.
                if let Some(connector) = connector {
                    ctx.defer(
                        format!(
                            "Error validating: Composite types are not supported on {connector}."
                        ),
                        m.span,
                    );
                }
                ctx.dm.composite_types.push(CompositeType {
                    name: m.name.name.clone(),
                    span: m.span,
                });
            }
            Top::Model(m) => {
                // Prisma checks the preview feature last, with the connector's checks.
                if m.kind == ModelKind::View && !ctx.dm.preview_feature("views") {
                    ctx.defer(
                        "Error validating: View definitions are only available with the `views` preview feature.",
                        m.span,
                    );
                }
                declare_model(ctx, m);
            }
            Top::Enum(e) => {
                ctx.enum_asts.push(e);
                declare_enum(ctx, e);
            }
            Top::Datasource(_) | Top::Generator(_) => {}
        }
    }
    // A model or view declared twice is validated like the first one (Prisma reports the
    // errors of both); it comes last, so that names resolve to the first, and it leaves the
    // datamodel after the attributes (`drop_repeated_declarations`).
    ctx.declared_models = ctx.model_asts.len();
    for m in duplicates {
        declare_model(ctx, m);
    }
    for i in 0..ctx.model_asts.len() {
        let m = ctx.model_asts[i];
        let (fields, first) = declare_fields(ctx, m);
        ctx.dm.models[i].fields = fields;
        ctx.declared_fields.push(first);
    }
    // Field types of composite types must resolve too.
    for m in ast.models() {
        if m.kind == ModelKind::CompositeType {
            declare_fields(ctx, m);
        }
    }
}

fn declare_model<'a>(ctx: &mut Ctx<'a>, m: &'a ast::Model) {
    ctx.model_asts.push(m);
    ctx.dm.models.push(Model {
        name: m.name.name.clone(),
        db_name: m.name.name.clone(),
        schema: None,
        fields: Vec::new(),
        primary_key: None,
        indexes: Vec::new(),
        ignored: false,
        is_view: m.kind == ModelKind::View,
        documentation: m.documentation.clone(),
        renamed_from: m.renamed_from.as_ref().map(|r| r.name.clone()),
        span: m.span,
    });
}

/// Takes the models and fields declared a second time out of the datamodel once their
/// attributes are validated, with the keys and indexes that name such fields.
fn drop_repeated_declarations(ctx: &mut Ctx<'_>) {
    ctx.field_indexes.clear();
    ctx.dm.models.truncate(ctx.declared_models);
    ctx.model_asts.truncate(ctx.declared_models);
    let declared_fields = &ctx.declared_fields;
    for (model, &first) in ctx.dm.models.iter_mut().zip(declared_fields) {
        model.fields.truncate(first);
        if model
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields.iter().any(|f| f.field >= first))
        {
            model.primary_key = None;
        }
        model
            .indexes
            .retain(|i| i.fields.iter().all(|f| f.field < first));
    }
    ctx.relation_args
        .retain(|(mi, fi), _| declared_fields.get(*mi).is_some_and(|first| fi < first));
}

fn declare_enum(ctx: &mut Ctx<'_>, e: &ast::Enum) {
    let mut seen: FastMap<&str, ()> = FastMap::default();
    let mut values = Vec::new();
    for v in &e.values {
        if v.name.name.contains('-') {
            ctx.error(
                "Error validating: The character `-` is not allowed in Enum Value names.",
                v.name.span,
            );
        }
        if seen.insert(&v.name.name, ()).is_some() {
            ctx.error(
                format!(
                    "Value \"{}\" is already defined on enum \"{}\".",
                    v.name.name, e.name.name
                ),
                v.span,
            );
            continue;
        }
        values.push(EnumValue {
            name: v.name.name.clone(),
            db_name: v.name.name.clone(),
            span: v.span,
        });
    }
    ctx.dm.enums.push(Enum {
        name: e.name.name.clone(),
        db_name: e.name.name.clone(),
        schema: None,
        values,
        documentation: e.documentation.clone(),
        span: e.span,
    });
}

/// The fields of a block: each name's first field, then the fields that repeat a name (Prisma
/// validates their types and attributes too), and how many are first fields.
fn declare_fields(ctx: &mut Ctx<'_>, m: &ast::Model) -> (Vec<Field>, usize) {
    let mut seen: FastMap<&str, ()> = FastMap::default();
    let mut fields = Vec::with_capacity(m.fields.len());
    let mut repeated_fields = Vec::new();
    for f in &m.fields {
        if f.name.name.contains('-') {
            ctx.error(
                "Error validating: The character `-` is not allowed in Field names.",
                f.name.span,
            );
        }
        let repeated = seen.insert(&f.name.name, ()).is_some();
        if repeated {
            ctx.error(
                format!(
                    "Field \"{}\" is already defined on {} \"{}\".",
                    f.name.name,
                    m.kind.keyword().replace("type", "composite type"),
                    m.name.name
                ),
                f.name.span,
            );
        }
        let field_type = match (&f.field_type.unsupported, f.field_type.name.as_str()) {
            (Some(text), "Unsupported") => FieldType::Unsupported(text.clone()),
            (None, name) => match ScalarType::parse(name) {
                Some(s) => FieldType::Scalar(s),
                None => match ctx.names.get(name) {
                    Some(Named::Model(id) | Named::View(id)) => FieldType::Model(*id),
                    Some(Named::Enum(id)) => FieldType::Enum(*id),
                    Some(Named::Composite) => FieldType::Composite(name.to_owned()),
                    None => {
                        let candidates = SCALAR_NAMES
                            .iter()
                            .copied()
                            .chain(ctx.names.keys().copied());
                        let help =
                            suggestion(name, candidates).map(|s| format!("did you mean `{s}`?"));
                        ctx.error_with_help(
                            format!(
                                "Type \"{name}\" is neither a built-in type, nor refers to another model, composite type, or enum."
                            ),
                            f.field_type.span,
                            help,
                        );
                        continue;
                    }
                },
            },
            (Some(_), name) => {
                ctx.error(
                    format!(
                        "Type \"{name}\" is neither a built-in type, nor refers to another model, composite type, or enum."
                    ),
                    f.field_type.span,
                );
                continue;
            }
        };
        let arity = match f.arity {
            FieldArity::Required => Arity::Required,
            FieldArity::Optional => Arity::Optional,
            FieldArity::List => Arity::List,
        };
        let field = Field {
            name: f.name.name.clone(),
            db_name: f.name.name.clone(),
            field_type,
            arity,
            default: None,
            updated_at: false,
            ignored: false,
            native_type: None,
            relation: None,
            documentation: f.documentation.clone(),
            renamed_from: f.renamed_from.as_ref().map(|r| r.name.clone()),
            span: f.span,
        };
        if repeated {
            repeated_fields.push(field);
        } else {
            fields.push(field);
        }
    }
    let first = fields.len();
    fields.append(&mut repeated_fields);
    (fields, first)
}

const SCALAR_NAMES: &[&str] = &[
    "String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes",
];

/// The candidate closest to `name` (case-insensitive edit distance of at most 2, or a case-only
/// difference), for "did you mean" hints.
pub(crate) fn suggestion<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        let distance = edit_distance(&lower, &candidate.to_ascii_lowercase());
        let limit = if name.len() <= 3 { 1 } else { 2 };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over bytes.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.bytes().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, suggestion};

    #[test]
    fn suggests_close_names() {
        assert_eq!(edit_distance("strin", "string"), 1);
        assert_eq!(
            suggestion("Strin", ["String", "Int"].into_iter()),
            Some("String")
        );
        assert_eq!(
            suggestion("datetime", ["DateTime"].into_iter()),
            Some("DateTime")
        );
        assert_eq!(suggestion("Foo", ["String", "Int"].into_iter()), None);
    }
}
