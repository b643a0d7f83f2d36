//! The `datasource` and `generator` blocks.

use super::Ctx;
use crate::ast::{ConfigBlock, Expression};
use crate::datamodel::{ConfigValue, Datasource, Extension, Generator, Provider, RelationMode};

pub(super) fn resolve(ctx: &mut Ctx<'_>) {
    let datasources: Vec<&ConfigBlock> = ctx.ast.datasources().collect();
    // A schema without a datasource is valid (as in Prisma); commands that need a database
    // report its absence themselves.
    for (i, ds) in datasources.iter().enumerate() {
        if datasources[..i].iter().any(|d| d.name.name == ds.name.name) {
            ctx.error(
                format!(
                    "The source \"{}\" cannot be defined because a source with that name already exists.",
                    ds.name.name
                ),
                ds.name.span,
            );
        }
        duplicate_keys(ctx, ds, "source");
    }
    let mut generator_names: Vec<&str> = Vec::new();
    for generator in ctx.ast.generators() {
        duplicate_keys(ctx, generator, "generator");
        if generator_names.contains(&generator.name.name.as_str()) {
            ctx.error(
                format!(
                    "The generator \"{}\" cannot be defined because a generator with that name already exists.",
                    generator.name.name
                ),
                generator.name.span,
            );
        }
        generator_names.push(&generator.name.name);
        if generator.property("provider").is_none() {
            ctx.error(
                format!(
                    "Argument \"provider\" is missing in generator block \"{}\".",
                    generator.name.name
                ),
                generator.span,
            );
        }
        let provider = generator
            .property("provider")
            .map(|p| &p.value)
            .and_then(config_value);
        // Prisma reads nothing more of a generator without a provider.
        let preview_features = match (
            generator.property("provider"),
            generator.property("previewFeatures"),
        ) {
            (Some(_), Some(features)) => preview_features(ctx, &features.value, &datasources),
            _ => Vec::new(),
        };
        ctx.dm.generators.push(Generator {
            name: generator.name.name.clone(),
            provider,
            preview_features,
            span: generator.span,
        });
    }
    // After the generators: the datasource's settings depend on preview features.
    let built: Vec<Datasource> = datasources
        .iter()
        .filter_map(|ds| datasource(ctx, ds))
        .collect();
    // Prisma counts the datasources it could build (none without a known provider), then
    // blames every block.
    if built.iter().filter(|d| d.provider.is_some()).count() > 1 {
        for ds in &datasources {
            ctx.error(
                format!(
                    "Error validating datasource `{}`: You defined more than one datasource. This is not allowed yet because support for multiple databases has not been implemented yet.",
                    ds.name.name
                ),
                ds.span,
            );
        }
    }
    ctx.dm.datasource = built.into_iter().next();
}

/// Preview features that Prisma 6 and 7 both read as deprecated: accepted, with a warning.
const DEPRECATED_FEATURES: &[&str] = &[
    "aggregateApi",
    "atomicNumberOperations",
    "clientExtensions",
    "cockroachdb",
    "connectOrCreate",
    "createMany",
    "dataProxy",
    "deno",
    "distinct",
    "driverAdapters",
    "extendedIndexes",
    "extendedWhereUnique",
    "fieldReference",
    "filterJson",
    "filteredRelationCount",
    "fullTextIndex",
    "fullTextSearch",
    "groupBy",
    "improvedQueryRaw",
    "interactiveTransactions",
    "jsonProtocol",
    "microsoftSqlServer",
    "middlewares",
    "mongoDb",
    "multiSchema",
    "nApi",
    "napi",
    "namedConstraints",
    "nativeTypes",
    "omitApi",
    "orderByAggregateGroup",
    "orderByNulls",
    "orderByRelation",
    "prismaSchemaFolder",
    "queryCompiler",
    "referentialActions",
    "referentialIntegrity",
    "selectRelationCount",
    "tracing",
    "transactionApi",
    "uncheckedScalarInputs",
];

/// The active preview features of Prisma 7 (`fullTextSearchPostgres` on PostgreSQL only).
const FEATURES_7: &[&str] = &[
    "fullTextSearchPostgres",
    "nativeDistinct",
    "partialIndexes",
    "postgresqlExtensions",
    "relationJoins",
    "schemaEngineDriverAdapters",
    "shardKeys",
    "strictUndefinedChecks",
    "typedSql",
    "views",
];

/// The active preview features of Prisma 6.19 (`fullTextSearchPostgres` on PostgreSQL only; it
/// also accepts `typedSql` without listing it).
const FEATURES_6: &[&str] = &[
    "fullTextSearchPostgres",
    "metrics",
    "nativeDistinct",
    "postgresqlExtensions",
    "relationJoins",
    "schemaEngineDriverAdapters",
    "shardKeys",
    "strictUndefinedChecks",
    "views",
];

/// Reads `previewFeatures` and reports unknown and deprecated ones. A schema whose datasource
/// sets a URL is a Prisma 6 schema (Prisma 7 rejects URLs there), so it is checked against
/// Prisma 6's features; any other against Prisma 7's.
fn preview_features(
    ctx: &mut Ctx<'_>,
    expr: &Expression,
    datasources: &[&ConfigBlock],
) -> Vec<String> {
    let prisma_6 = is_prisma_6(datasources.iter().copied());
    // A datasource whose URLs do not resolve configures no connector for the generators.
    let postgres = datasources.iter().any(|d| {
        urls_resolve(d, prisma_6)
            && d.property("provider")
                .and_then(|p| p.value.as_str())
                .and_then(Provider::parse)
                == Some(Provider::PostgreSql)
    });
    let active: Vec<&str> = if prisma_6 { FEATURES_6 } else { FEATURES_7 }
        .iter()
        .copied()
        .filter(|f| postgres || *f != "fullTextSearchPostgres")
        .collect();
    let mut features = Vec::new();
    for item in expr.list_items() {
        let Some(feature) = item.as_str() else {
            ctx.type_mismatch("string", item);
            continue;
        };
        if DEPRECATED_FEATURES.contains(&feature) {
            ctx.warning(
                format!(
                    "Preview feature \"{feature}\" is deprecated. The functionality can be used without specifying it as a preview feature."
                ),
                item.span(),
            );
        } else {
            let hidden = prisma_6 && feature == "typedSql";
            if !active.contains(&feature) && !hidden {
                ctx.error(
                    format!(
                        "The preview feature \"{feature}\" is not known. Expected one of: {}",
                        active.join(", ")
                    ),
                    item.span(),
                );
            }
        }
        features.push(feature.to_owned());
    }
    features
}

/// A key set twice in a `datasource` (`source`) or `generator` block.
fn duplicate_keys(ctx: &mut Ctx<'_>, block: &ConfigBlock, kind: &str) {
    for (i, property) in block.properties.iter().enumerate() {
        let name = &property.name.name;
        if block.properties[..i].iter().any(|p| &p.name.name == name) {
            ctx.error(
                format!(
                    "Key \"{name}\" is already defined in {kind} \"{}\".",
                    block.name.name
                ),
                property.name.span,
            );
        }
    }
}

/// The properties a `datasource` block may set.
const DATASOURCE_PROPERTIES: [&str; 8] = [
    "provider",
    "url",
    "directUrl",
    "shadowDatabaseUrl",
    "relationMode",
    "referentialIntegrity",
    "schemas",
    "extensions",
];

fn config_value(expr: &Expression) -> Option<ConfigValue> {
    match expr {
        Expression::String(s, _) => Some(ConfigValue::Literal(s.clone())),
        Expression::Function(name, args, _) if name == "env" => match args.as_slice() {
            [arg] if arg.name.is_none() => {
                arg.value.as_str().map(|s| ConfigValue::Env(s.to_owned()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether every URL setting of a datasource resolves to a value, and `url` is there when
/// another URL is (Prisma builds no datasource otherwise).
fn urls_resolve(ds: &ConfigBlock, prisma_6: bool) -> bool {
    !url_missing(ds, prisma_6)
        && ["url", "directUrl", "shadowDatabaseUrl"]
            .iter()
            .all(|name| {
                ds.property(name)
                    .is_none_or(|p| config_value(&p.value).is_some())
            })
}

/// Whether a datasource sets a URL: Prisma 7 takes none in a schema file, so the schema is a
/// Prisma 6 (or 5) schema.
fn is_prisma_6<'a>(mut datasources: impl Iterator<Item = &'a ConfigBlock>) -> bool {
    datasources.any(|d| {
        ["url", "directUrl", "shadowDatabaseUrl"]
            .iter()
            .any(|p| d.property(p).is_some())
    })
}

/// A datasource without `url` in a Prisma 6 schema (one that sets a URL somewhere), which
/// requires it: every Prisma rejects it.
fn url_missing(ds: &ConfigBlock, prisma_6: bool) -> bool {
    ds.property("url").is_none() && prisma_6
}

fn url_property(
    ctx: &mut Ctx<'_>,
    ds: &ConfigBlock,
    name: &str,
    report: bool,
) -> Option<ConfigValue> {
    let expr = &ds.property(name)?.value;
    let value = config_value(expr);
    match expr {
        _ if value.is_some() || !report => {}
        Expression::Function(function, _, span) if function == "env" => ctx.error(
            "Exactly one string parameter must be passed to the env function.",
            *span,
        ),
        other => ctx.type_mismatch("String", other),
    }
    value
}

/// Reads the datasource; `None` where Prisma builds none from the block (its errors reported).
fn datasource(ctx: &mut Ctx<'_>, ds: &ConfigBlock) -> Option<Datasource> {
    let mut provider = None;
    let mut provider_name = String::new();
    match ds.property("provider").map(|p| &p.value) {
        None => ctx.error(
            format!(
                "Argument \"provider\" is missing in data source block \"{}\".",
                ds.name.name
            ),
            ds.span,
        ),
        Some(Expression::String(name, span)) => {
            provider_name.clone_from(name);
            provider = Provider::parse(name);
            if provider.is_none() {
                ctx.error(format!("Datasource provider not known: \"{name}\"."), *span);
            }
        }
        Some(Expression::Function(function, _, span)) if function == "env" => ctx.error(
            "A datasource must not use the env() function in the provider argument.",
            *span,
        ),
        Some(other) => ctx.error(
            format!(
                "Error validating datasource `{}`: The provider argument in a datasource must be a string literal",
                ds.name.name
            ),
            other.span(),
        ),
    }
    // Prisma reads the relation mode and the connector's own properties (`extensions`), then
    // `url`; without it, it stops there and builds no datasource.
    let prisma_6 = is_prisma_6(ctx.ast.datasources());
    let built = !url_missing(ds, prisma_6);
    if provider.is_some() && !built {
        // Read for their errors only.
        relation_mode(ctx, ds);
        extensions_property(ctx, ds, provider);
        ctx.error_with_help(
            format!(
                "Argument \"url\" is missing in data source block \"{}\".",
                ds.name.name
            ),
            ds.span,
            Some(
                "Prisma 5 and 6 need `url` next to `directUrl` and `shadowDatabaseUrl`; Prisma 7 takes all three from `prisma.config.ts` and none in the schema".to_owned(),
            ),
        );
        return None;
    }
    // Without a known provider Prisma stops before the URLs and the relation mode: their
    // errors are not reported.
    let known = provider.is_some();
    let errors = ctx.error_count();
    let url = url_property(ctx, ds, "url", known);
    let direct_url = url_property(ctx, ds, "directUrl", known);
    let shadow_database_url = url_property(ctx, ds, "shadowDatabaseUrl", known);
    // A URL that does not resolve ends the datasource, as in Prisma, which has read the
    // relation mode and `extensions` before.
    if ctx.error_count() > errors {
        relation_mode(ctx, ds);
        extensions_property(ctx, ds, provider);
        return None;
    }
    if let (Some(shadow), Some(prop)) = (&shadow_database_url, ds.property("shadowDatabaseUrl")) {
        let same_as = if Some(shadow) == url.as_ref() {
            Some("url")
        } else if Some(shadow) == direct_url.as_ref() {
            Some("directUrl")
        } else {
            None
        };
        if let Some(same_as) = same_as {
            ctx.error(
                format!(
                    "shadowDatabaseUrl is the same as {same_as} for datasource \"{}\". Please specify a different database as shadow database to avoid data loss.",
                    ds.name.name
                ),
                prop.span,
            );
        }
    }
    // Without a known provider Prisma builds no datasource and reads no further property.
    let properties = if provider.is_some() {
        ds.properties.as_slice()
    } else {
        &[]
    };
    for property in properties {
        let name = property.name.name.as_str();
        let postgres_only = name == "extensions" && provider != Some(Provider::PostgreSql);
        if !DATASOURCE_PROPERTIES.contains(&name) || postgres_only {
            ctx.error(
                format!("Property not known: \"{name}\"."),
                property.name.span,
            );
        }
    }
    let relation_mode = if known {
        relation_mode(ctx, ds)
    } else {
        RelationMode::ForeignKeys
    };
    let mut schemas = Vec::new();
    if let Some(expr) = ds.property("schemas").map(|p| &p.value) {
        for item in expr.list_items() {
            match item {
                Expression::String(s, _) => schemas.push(s.clone()),
                other => ctx.type_mismatch("string", other),
            }
        }
        // Prisma reads `schemas` only from a datasource whose URLs resolved, and on a
        // connector with schemas.
        if urls_resolve(ds, prisma_6)
            && provider.is_none_or(Provider::supports_multi_schema)
            && schemas
                .iter()
                .enumerate()
                .any(|(i, s)| schemas[..i].contains(s))
        {
            ctx.error("Duplicated schema names are not allowed", expr.span());
            // Prisma then reads the datasource as declaring no schemas.
            schemas.clear();
        } else if provider.is_some_and(Provider::supports_multi_schema) && schemas.is_empty() {
            ctx.error(
                "If provided, the schemas array can not be empty.",
                expr.span(),
            );
        }
        if provider.is_some_and(|p| !p.supports_multi_schema()) {
            ctx.error(
                "The `schemas` property is not supported on the current connector.",
                expr.span(),
            );
        }
    }
    let extensions = extensions_property(ctx, ds, provider);
    Some(Datasource {
        name: ds.name.name.clone(),
        extensions,
        provider,
        provider_name,
        url,
        direct_url,
        shadow_database_url,
        relation_mode,
        schemas,
        span: ds.span,
    })
}

/// `relationMode` (or the older `referentialIntegrity`).
fn relation_mode(ctx: &mut Ctx<'_>, ds: &ConfigBlock) -> RelationMode {
    let mut relation_mode = RelationMode::ForeignKeys;
    let legacy_mode = ds.property("referentialIntegrity");
    if let Some(legacy) = legacy_mode {
        ctx.warning(
            "The `referentialIntegrity` attribute is deprecated. Please use `relationMode` instead. Learn more at https://pris.ly/d/relation-mode",
            legacy.span,
        );
        if ds.property("relationMode").is_some() {
            ctx.error(
                "The `referentialIntegrity` and `relationMode` attributes cannot be used together. Please use only `relationMode` instead.",
                legacy.span,
            );
        }
    }
    if let Some(expr) = ds
        .property("relationMode")
        .or(legacy_mode)
        .map(|p| &p.value)
    {
        match expr {
            Expression::String(s, _) if s == "prisma" => relation_mode = RelationMode::Prisma,
            Expression::String(s, _) if s == "foreignKeys" => {}
            Expression::String(s, _) => ctx.error(
                format!(
                    "Error validating datasource `relationMode`: Invalid relation mode setting: \"{s}\". Supported values: \"prisma\", \"foreignKeys\""
                ),
                ds.span,
            ),
            other => ctx.type_mismatch("string", other),
        }
    }
    relation_mode
}

/// `extensions`, read on PostgreSQL only.
fn extensions_property(
    ctx: &mut Ctx<'_>,
    ds: &ConfigBlock,
    provider: Option<Provider>,
) -> Vec<Extension> {
    match ds.property("extensions") {
        Some(property) if provider == Some(Provider::PostgreSql) => {
            extensions(ctx, &property.value)
        }
        _ => Vec::new(),
    }
}

/// `extensions = [...]` (PostgreSQL), behind the `postgresqlExtensions` preview feature.
fn extensions(ctx: &mut Ctx<'_>, expr: &Expression) -> Vec<Extension> {
    let items = expr.list_items();
    let extensions: Vec<Extension> = items
        .iter()
        .filter_map(|item| extension(ctx, item))
        .collect();
    // Entries that are not extensions are reported instead of the missing preview feature.
    if extensions.len() < items.len() {
        return Vec::new();
    }
    // Prisma checks the preview feature with the connector, after everything else.
    if !ctx.dm.preview_feature("postgresqlExtensions") {
        ctx.defer(
            "The `extensions` property is only available with the `postgresqlExtensions` preview feature.",
            expr.span(),
        );
        return Vec::new();
    }
    extensions
}

/// One entry of `extensions = [...]`: `name` or `name(map: "...", version: "...", schema: "...")`.
fn extension(ctx: &mut Ctx<'_>, item: &Expression) -> Option<Extension> {
    let (name, args) = match item {
        Expression::Constant(name, _) => (name, &[][..]),
        Expression::Function(name, args, _) => (name, args.as_slice()),
        other => {
            ctx.type_mismatch("constant or function", other);
            return None;
        }
    };
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        ctx.error(
            "Error validating: The name of an extension must not start with a number.",
            item.span(),
        );
    } else if name.contains('-') {
        ctx.error(
            "Error validating: The character `-` is not allowed in extension names.",
            item.span(),
        );
    }
    for (i, arg) in args.iter().enumerate() {
        if let Some(arg_name) = &arg.name
            && args[..i]
                .iter()
                .any(|a| a.name.as_ref().is_some_and(|n| n.name == arg_name.name))
        {
            ctx.error(
                format!(
                    "Error validating: The argument `{}` can only be defined once",
                    arg_name.name
                ),
                arg.span,
            );
        }
    }
    let mut extension = Extension {
        name: name.clone(),
        db_name: name.clone(),
        version: None,
        schema: None,
    };
    for arg in args {
        let value = match arg.value.as_str() {
            Some(v) => v.to_owned(),
            None => {
                ctx.type_mismatch("string", &arg.value);
                continue;
            }
        };
        match arg.name.as_ref().map(|n| n.name.as_str()) {
            Some("map") => extension.db_name = value,
            Some("version") => extension.version = Some(value),
            Some("schema") => extension.schema = Some(value),
            Some(other) => {
                ctx.error(format!("Argument not known: \"{other}\"."), arg.span);
                return None;
            }
            None => {
                ctx.error("No such argument.", arg.span);
                return None;
            }
        }
    }
    Some(extension)
}
