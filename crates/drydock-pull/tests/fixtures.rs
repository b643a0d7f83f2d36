//! Pulled schemas of hand-written databases: each `tests/fixtures/<case>.<provider>.sql` runs on
//! a fresh database of its provider, which is introspected and pulled; the text (and warnings)
//! is an insta snapshot, which ends with what separates the database from the pulled schema
//! lowered again (nothing, unless Prisma's reading of the database is lossy there). A first line
//! `-- namespaces: a, b` introspects those namespaces.

use std::path::{Path, PathBuf};

use drydock_connector::Dialect;
use drydock_engine::{DiffSource, SourceContext};
use drydock_psl::Provider;
use drydock_pull::{DatasourceHeader, pull};
use drydock_test_support::TestDb;

fn dialect(provider: &str) -> &'static dyn Dialect {
    drydock_engine::dialects::for_provider(provider).expect("known provider")
}

fn pulled(path: &Path, provider: &str) -> String {
    let sql = std::fs::read_to_string(path).expect("readable fixture");
    let namespaces: Vec<String> = sql
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("-- namespaces:"))
        .map(|list| list.split(',').map(|n| n.trim().to_owned()).collect())
        .unwrap_or_default();
    let db = match provider {
        "postgresql" => TestDb::postgres(),
        "mysql" => TestDb::mysql(),
        _ => TestDb::sqlite(),
    };
    let mut connection = dialect(provider).connect(db.url()).expect("connect");
    connection
        .execute_script(&sql)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    let schema = connection.introspect(&namespaces).expect("introspect");
    let provider_name = provider;
    let provider = Provider::parse(provider).expect("provider");
    let result = pull(
        &schema,
        &DatasourceHeader::new(provider),
        dialect(provider_name).lowering_rules(),
    );
    let scratch = tempfile::tempdir().expect("temp dir");
    let pulled_path = scratch.path().join("schema.prisma");
    std::fs::write(&pulled_path, &result.text).expect("write pulled schema");
    let lowered = drydock_engine::schema_of(
        &DiffSource::Schema(pulled_path),
        dialect(provider_name),
        &SourceContext::default(),
    )
    .unwrap_or_else(|e| panic!("{}: the pulled schema does not load: {e}", path.display()));
    let remaining = drydock_diff::diff(&schema, &lowered, dialect(provider_name).diff_hooks());
    let mut out = result.text;
    for warning in &result.warnings {
        out.push_str(&format!("// warning: {warning}\n"));
    }
    out.push_str("// round trip:\n");
    for line in drydock_engine::summarize(&remaining.changes).lines() {
        out.push_str(&format!("//   {line}\n").replace("//   \n", "//\n"));
    }
    out
}

#[test]
fn pulled_fixtures_match_their_snapshots() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 6, "fixtures: {fixtures:?}");
    for fixture in fixtures {
        let stem = fixture
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let (case, provider) = stem.rsplit_once('.').expect("<case>.<provider>.sql");
        let text = pulled(&fixture, provider);
        insta::assert_snapshot!(format!("{case}@{provider}"), text);
    }
}

/// With the `postgresqlExtensions` preview feature, a datasource without `extensions` gets the
/// installed extensions Prisma's introspection writes (`citext`, `uuid-ossp`, not `hstore`);
/// pulling again keeps the list as it is.
#[test]
fn the_preview_feature_brings_the_installed_extensions_into_the_datasource() {
    let db = TestDb::postgres();
    let dialect = dialect("postgresql");
    let mut connection = dialect.connect(db.url()).expect("connect");
    connection
        .execute_script(
            "CREATE EXTENSION citext;\nCREATE EXTENSION \"uuid-ossp\";\nCREATE EXTENSION hstore;\n\
             CREATE TABLE \"User\" (\"id\" UUID PRIMARY KEY DEFAULT uuid_generate_v4(), \"email\" CITEXT NOT NULL);",
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
    let schema = connection.introspect(&[]).expect("introspect");
    let existing = "generator client {\n  provider        = \"prisma-client-js\"\n  previewFeatures = [\"postgresqlExtensions\"]\n}\n\n\
                    datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";
    let header = DatasourceHeader::from_schema(existing, true).expect("header");
    let first = pull(&schema, &header, dialect.lowering_rules()).text;
    assert!(
        first.contains(
            "datasource db {\n  provider   = \"postgresql\"\n  url        = env(\"DATABASE_URL\")\n  \
             extensions = [citext(schema: \"public\"), uuid_ossp(map: \"uuid-ossp\", schema: \"public\")]\n}"
        ),
        "{first}"
    );
    let again = pull(
        &schema,
        &DatasourceHeader::from_schema(&first, true).expect("header"),
        dialect.lowering_rules(),
    );
    assert_eq!(again.text, first);

    // Without the preview feature, the datasource stays as it is.
    let plain = existing.replace("  previewFeatures = [\"postgresqlExtensions\"]\n", "");
    let header = DatasourceHeader::from_schema(&plain, true).expect("header");
    assert!(
        !pull(&schema, &header, dialect.lowering_rules())
            .text
            .contains("extensions")
    );
}
