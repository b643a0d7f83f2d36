//! The `datasource` and `generator` blocks.

use super::Ctx;
use crate::ast::{ConfigBlock, Expression};
use crate::datamodel::{ConfigValue, Datasource, Extension, Generator, Provider, RelationMode};

pub(super) fn resolve(ctx: &mut Ctx<'_>) {
    let datasources: Vec<&ConfigBlock> = ctx.ast.datasources().collect();
    if datasources.len() > 1 {
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
    // A schema without a datasource is valid (as in Prisma); commands that need a database
    // report its absence themselves.
    if let Some(ds) = datasources.first() {
        ctx.dm.datasource = Some(datasource(ctx, ds));
    }
    for generator in ctx.ast.generators() {
        let provider = generator
            .property("provider")
            .map(|p| &p.value)
            .and_then(config_value);
        let preview_features = match generator.property("previewFeatures").map(|p| &p.value) {
            Some(expr) => expr
                .list_items()
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            None => Vec::new(),
        };
        ctx.dm.generators.push(Generator {
            name: generator.name.name.clone(),
            provider,
            preview_features,
            span: generator.span,
        });
    }
}

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

fn url_property(ctx: &mut Ctx<'_>, ds: &ConfigBlock, name: &str) -> Option<ConfigValue> {
    let prop = ds.property(name)?;
    let expr = &prop.value;
    match config_value(expr) {
        Some(v) => Some(v),
        None => {
            ctx.error(
                format!(
                    "Error validating datasource `{}`: the `{name}` property must be a string or `env(\"VARIABLE\")`.",
                    ds.name.name
                ),
                expr.span(),
            );
            None
        }
    }
}

fn datasource(ctx: &mut Ctx<'_>, ds: &ConfigBlock) -> Datasource {
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
        Some(other) => ctx.type_mismatch("string", other),
    }
    let url = url_property(ctx, ds, "url");
    let direct_url = url_property(ctx, ds, "directUrl");
    let shadow_database_url = url_property(ctx, ds, "shadowDatabaseUrl");
    if let (Some(shadow), Some(prop)) = (&shadow_database_url, ds.property("shadowDatabaseUrl"))
        && (Some(shadow) == url.as_ref() || Some(shadow) == direct_url.as_ref())
    {
        ctx.error(
            "shadowDatabaseUrl is the same as url or directUrl. Please use a different database for the shadow database.",
            prop.span,
        );
    }
    let mut relation_mode = RelationMode::ForeignKeys;
    if let Some(expr) = ds.property("relationMode").map(|p| &p.value) {
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
    let mut schemas = Vec::new();
    if let Some(expr) = ds.property("schemas").map(|p| &p.value) {
        for item in expr.list_items() {
            match item {
                Expression::String(s, _) => schemas.push(s.clone()),
                other => ctx.type_mismatch("string", other),
            }
        }
        if !schemas.is_empty() && provider.is_some_and(|p| !p.supports_multi_schema()) {
            ctx.error(
                "The `schemas` property is not supported on the current connector.",
                expr.span(),
            );
        }
    }
    let extensions = match ds.property("extensions").map(|p| &p.value) {
        Some(expr) => expr
            .list_items()
            .iter()
            .filter_map(|item| extension(ctx, item))
            .collect(),
        None => Vec::new(),
    };
    Datasource {
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
    }
}

/// One entry of `extensions = [...]`: `name` or `name(map: "...", version: "...", schema: "...")`.
fn extension(ctx: &mut Ctx<'_>, item: &Expression) -> Option<Extension> {
    let (name, args) = match item {
        Expression::Constant(name, _) => (name, &[][..]),
        Expression::Function(name, args, _) => (name, args.as_slice()),
        other => {
            ctx.type_mismatch("extension", other);
            return None;
        }
    };
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
            _ => ctx.error("No such argument.", arg.span),
        }
    }
    Some(extension)
}
