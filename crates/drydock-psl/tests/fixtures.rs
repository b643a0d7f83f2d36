//! Data-driven tests: every schema under `tests/data` with a snapshot of its diagnostics or of
//! the SQL schema it lowers to.

mod support;

#[path = "support/generate.rs"]
mod generate;

use drydock_psl::{Files, lower, parse_and_validate};
use drydock_schema::LoweringRules;
use std::path::{Path, PathBuf};
use support::{PgLike, dump};

fn data_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(sub)
}

fn prisma_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "prisma"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> (String, Files) {
    let name = path
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned();
    let text = std::fs::read_to_string(path).expect("fixture text");
    let stem = name.trim_end_matches(".prisma").to_owned();
    (stem, Files::single(name, text))
}

#[test]
fn valid_schemas_lower_to_snapshots() {
    lower_valid_schemas("ok", "ok", &PgLike);
}

#[test]
fn invalid_schemas_render_diagnostics() {
    render_invalid_schemas("err", "err");
}

/// MySQL schemas lower with the MySQL dialect's own rules.
#[test]
fn valid_mysql_schemas_lower_to_snapshots() {
    lower_valid_schemas("mysql/ok", "mysql_ok", &drydock_mysql::MySqlTypes);
}

#[test]
fn invalid_mysql_schemas_render_diagnostics() {
    render_invalid_schemas("mysql/err", "mysql_err");
}

/// Every schema in `dir` is valid and lowers with `rules` without diagnostics; the snapshot
/// holds the lowered schema and any warnings.
fn lower_valid_schemas(dir: &str, prefix: &str, rules: &dyn LoweringRules) {
    let files = prisma_files(&data_dir(dir));
    assert!(!files.is_empty());
    for path in files {
        let (name, files) = load(&path);
        let (datamodel, diagnostics) = parse_and_validate(&files);
        assert!(
            !diagnostics.has_errors(),
            "{name} should be valid:\n{}",
            diagnostics.render(&files)
        );
        let (schema, lowering) = lower(&datamodel, rules);
        assert!(lowering.is_empty(), "{name}: {}", lowering.render(&files));
        let mut out = dump(&schema);
        if !diagnostics.is_empty() {
            out.push('\n');
            out.push_str(&diagnostics.render(&files));
        }
        insta::assert_snapshot!(format!("{prefix}__{name}"), out);
    }
}

fn render_invalid_schemas(dir: &str, prefix: &str) {
    let files = prisma_files(&data_dir(dir));
    assert!(!files.is_empty());
    for path in files {
        let (name, files) = load(&path);
        let (_, diagnostics) = parse_and_validate(&files);
        assert!(!diagnostics.is_empty(), "{name} should report something");
        insta::assert_snapshot!(format!("{prefix}__{name}"), diagnostics.render(&files));
    }
}

#[test]
fn multi_file_schema_validates_across_files() {
    let mut files = Files::new();
    let dir = data_dir("multi/basic");
    for path in prisma_files(&dir) {
        let name = path
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        files.add(name, std::fs::read_to_string(&path).expect("fixture text"));
    }
    let (datamodel, diagnostics) = parse_and_validate(&files);
    assert!(!diagnostics.has_errors(), "{}", diagnostics.render(&files));
    let datasource = datamodel.datasource.as_ref().expect("datasource");
    assert_eq!(datasource.provider, Some(drydock_psl::Provider::PostgreSql));
    assert_eq!(
        datasource.url,
        Some(drydock_psl::ConfigValue::Env("DATABASE_URL".to_owned()))
    );
    let (schema, _) = lower(&datamodel, &PgLike);
    insta::assert_snapshot!("multi__basic", dump(&schema));
}

#[test]
fn errors_in_several_files_point_at_their_file() {
    let mut files = Files::new();
    files.add(
        "a.prisma",
        "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel A {\n  id Int @id\n  b  Bee\n}\n",
    );
    files.add("b.prisma", "model B {\n  id Int @id\n  x  Strin\n}\n");
    let (_, diagnostics) = parse_and_validate(&files);
    insta::assert_snapshot!(diagnostics.render(&files), @r#"
    error[P1012]: Type "Bee" is neither a built-in type, nor refers to another model, composite type, or enum.
      --> a.prisma:7:6
       |
     7 |   b  Bee
       |      ^^^

    error[P1012]: Type "Strin" is neither a built-in type, nor refers to another model, composite type, or enum.
      --> b.prisma:3:6
       |
     3 |   x  Strin
       |      ^^^^^
       = help: did you mean `String`?
    "#);
}

#[test]
fn datasource_configuration_is_exposed() {
    let files = Files::single(
        "schema.prisma",
        r#"datasource db {
  provider          = "postgres"
  url               = "postgresql://localhost/app"
  directUrl         = env("DIRECT_URL")
  shadowDatabaseUrl = env("SHADOW_URL")
  relationMode      = "prisma"
  schemas           = ["public", "audit"]
  extensions        = [pg_trgm, uuid_ossp(map: "uuid-ossp", schema: "extensions", version: "1.1")]
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["multiSchema", "postgresqlExtensions"]
}
"#,
    );
    let (datamodel, diagnostics) = parse_and_validate(&files);
    assert!(!diagnostics.has_errors(), "{}", diagnostics.render(&files));
    let ds = datamodel.datasource.as_ref().expect("datasource");
    assert_eq!(ds.name, "db");
    assert_eq!(ds.provider, Some(drydock_psl::Provider::PostgreSql));
    assert_eq!(ds.provider_name, "postgres");
    assert_eq!(
        ds.url,
        Some(drydock_psl::ConfigValue::Literal(
            "postgresql://localhost/app".to_owned()
        ))
    );
    assert_eq!(
        ds.direct_url,
        Some(drydock_psl::ConfigValue::Env("DIRECT_URL".to_owned()))
    );
    assert_eq!(
        ds.shadow_database_url,
        Some(drydock_psl::ConfigValue::Env("SHADOW_URL".to_owned()))
    );
    assert_eq!(datamodel.relation_mode(), drydock_psl::RelationMode::Prisma);
    assert_eq!(ds.schemas, ["public", "audit"]);
    let extensions: Vec<(&str, &str, Option<&str>, Option<&str>)> = ds
        .extensions
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.db_name.as_str(),
                e.version.as_deref(),
                e.schema.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        extensions,
        [
            ("pg_trgm", "pg_trgm", None, None),
            ("uuid_ossp", "uuid-ossp", Some("1.1"), Some("extensions")),
        ]
    );
    assert!(datamodel.preview_feature("multiSchema"));
    assert_eq!(datamodel.generators.len(), 1);
}

#[test]
fn large_generated_schema_is_valid_and_lowers_completely() {
    let text = generate::schema_with_models(500);
    let files = Files::single("schema.prisma", text.as_str());
    let (datamodel, diagnostics) = parse_and_validate(&files);
    assert!(diagnostics.is_empty(), "{}", diagnostics.render(&files));
    let (schema, lowering) = lower(&datamodel, &PgLike);
    assert!(lowering.is_empty());
    // 500 models, 50 tag models and one join table per model.
    assert_eq!(schema.tables.len(), 1050);
    assert_eq!(
        schema
            .tables
            .iter()
            .map(|t| t.foreign_keys.len())
            .sum::<usize>(),
        500 + 2 * 500
    );
}
