//! PostgreSQL extensions: created, changed and recreated by Prisma's rules, dropped only on the
//! way back to a database's state.
//!
//! A schema speaks for the extensions it declares, a database for every one it has installed.
//! An extension the target has and the source lacks is created; one both have with another
//! version or schema is changed, in place (`ALTER EXTENSION`) when either side says it is
//! relocatable, else dropped and created again. The exception is going from a schema to a
//! database: the schema does not speak for the database's other extensions, so they are not
//! created, and a declared extension the database lacks is dropped (a down migration undoing its
//! `CREATE EXTENSION`). Otherwise nothing is ever dropped: an extension a schema does not
//! declare, or one created by hand, stays. Drift leaves extension changes to `compare_opaque`.

use drydock_schema::{Extension, ExtensionSource, SqlSchema};

use crate::change::Change;

/// The extension changes from `from` to `to`, each list in the order it runs.
#[derive(Default)]
pub(crate) struct ExtensionChanges {
    /// Dropped to be created again, before anything else.
    pub(crate) recreated_drops: Vec<Change>,
    pub(crate) creates: Vec<Change>,
    pub(crate) alters: Vec<Change>,
    /// Dropped for good, after everything else.
    pub(crate) drops: Vec<Change>,
}

pub(crate) fn diff_extensions(from: &SqlSchema, to: &SqlSchema) -> ExtensionChanges {
    let mut changes = ExtensionChanges::default();
    let back_to_a_database = from.extension_source == ExtensionSource::Declared
        && to.extension_source == ExtensionSource::Installed;
    let find = |schema: &'_ SqlSchema, name: &str| -> Option<Extension> {
        schema.extensions.iter().find(|e| e.name == name).cloned()
    };
    for previous in &from.extensions {
        match find(to, &previous.name) {
            Some(next) if previous.matches(&next) => {}
            Some(next) if previous.relocatable || next.relocatable => {
                changes.alters.push(Change::AlterExtension {
                    name: previous.name.clone(),
                    version: changed(&previous.version, &next.version),
                    namespace: changed(&previous.namespace, &next.namespace),
                });
            }
            Some(_) => changes.recreated_drops.push(Change::DropExtension {
                extension: previous.clone(),
                recreated: true,
            }),
            None if back_to_a_database => changes.drops.push(Change::DropExtension {
                extension: previous.clone(),
                recreated: false,
            }),
            None => {}
        }
    }
    for next in &to.extensions {
        let create = match find(from, &next.name) {
            Some(previous) => !previous.matches(next) && !previous.relocatable && !next.relocatable,
            None => !back_to_a_database,
        };
        if create {
            changes.creates.push(Change::CreateExtension {
                extension: next.clone(),
            });
        }
    }
    changes
}

/// The value `next` sets, when both sides say one and they differ.
fn changed(previous: &Option<String>, next: &Option<String>) -> Option<String> {
    match (previous, next) {
        (Some(previous), Some(next)) if previous != next => Some(next.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use drydock_schema::{Extension, ExtensionSource, SqlSchema};

    use crate::change::Change;
    use crate::differ::diff;
    use crate::renames::tests::InPlace;

    fn declared(extensions: &[(&str, Option<&str>, Option<&str>)]) -> SqlSchema {
        SqlSchema {
            extension_source: ExtensionSource::Declared,
            extensions: extensions
                .iter()
                .map(|(name, version, namespace)| Extension {
                    name: (*name).to_owned(),
                    version: version.map(str::to_owned),
                    namespace: namespace.map(str::to_owned),
                    relocatable: false,
                })
                .collect(),
            ..SqlSchema::default()
        }
    }

    fn installed(extensions: &[(&str, &str, &str, bool)]) -> SqlSchema {
        SqlSchema {
            extensions: extensions
                .iter()
                .map(|(name, version, namespace, relocatable)| Extension {
                    name: (*name).to_owned(),
                    version: Some((*version).to_owned()),
                    namespace: Some((*namespace).to_owned()),
                    relocatable: *relocatable,
                })
                .collect(),
            extension_source: ExtensionSource::Installed,
            ..SqlSchema::default()
        }
    }

    fn headers(from: &SqlSchema, to: &SqlSchema) -> Vec<String> {
        diff(from, to, &InPlace)
            .changes
            .iter()
            .map(|change| match change {
                Change::CreateExtension { extension } => format!("create {}", extension.name),
                Change::DropExtension {
                    extension,
                    recreated,
                } => format!("drop {} recreated={recreated}", extension.name),
                Change::AlterExtension {
                    name,
                    version,
                    namespace,
                } => format!("alter {name} {version:?} {namespace:?}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_database_extension_moves_in_place_when_relocatable_and_is_recreated_otherwise() {
        let database = installed(&[
            ("citext", "1.6", "public", true),
            ("hand_made", "1.0", "public", false),
            ("pg_trgm", "1.6", "public", true),
        ]);
        let schema = declared(&[
            ("citext", None, Some("extensions")),
            ("hand_made", Some("2.0"), None),
            ("hstore", None, None),
            ("pg_trgm", Some("1.6"), Some("public")),
        ]);
        assert_eq!(
            headers(&database, &schema),
            [
                "drop hand_made recreated=true",
                "create hand_made",
                "create hstore",
                "alter citext None Some(\"extensions\")",
            ],
            "pg_trgm matches; nothing the schema does not declare is dropped"
        );
    }

    #[test]
    fn going_back_to_a_database_drops_what_the_schema_declared_last() {
        let schema = declared(&[("citext", None, None), ("hstore", Some("1.8"), None)]);
        let database = installed(&[
            ("hstore", "1.7", "public", true),
            ("isn", "1.2", "public", true),
        ]);
        assert_eq!(
            headers(&schema, &database),
            [
                "alter hstore Some(\"1.7\") None",
                "drop citext recreated=false"
            ],
            "`isn` is the database's own: the schema does not speak for it"
        );
    }

    #[test]
    fn between_databases_extensions_are_created_and_changed_but_never_dropped() {
        let before = installed(&[
            ("citext", "1.6", "public", true),
            ("isn", "1.2", "public", true),
        ]);
        let after = installed(&[
            ("citext", "1.5", "ext", true),
            ("hstore", "1.8", "public", true),
        ]);
        assert_eq!(
            headers(&before, &after),
            ["create hstore", "alter citext Some(\"1.5\") Some(\"ext\")",]
        );
        assert_eq!(
            headers(&SqlSchema::default(), &before),
            ["create citext", "create isn"]
        );
    }
}
