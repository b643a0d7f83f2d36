//! The round trip `db pull` promises: for each Prisma parity schema, create its tables on a real
//! database, introspect, pull, and lower the pulled schema again; the database and the pulled
//! schema must not differ. And pulled into the (formatted) schema itself, which matches the
//! database, re-introspection must leave it byte for byte.

use std::path::{Path, PathBuf};

use drydock_engine::{DiffSource, Project, SourceContext, diff_sources, schema_of};
use drydock_psl::Files;
use drydock_pull::{DatasourceHeader, pull, repull};
use drydock_test_support::TestDb;

/// The parity case as a full schema: the datasource block the parity suite uses (one line per
/// `// datasource: <setting>` comment), then the case.
fn assemble(provider: &str, case: &Path) -> String {
    let text = std::fs::read_to_string(case.join("schema.prisma")).expect("readable case");
    let extra: String = text
        .lines()
        .filter_map(|line| {
            line.strip_prefix("// ")
                .and_then(|l| l.split_once("datasource: "))
        })
        .map(|(_, setting)| format!("  {setting}\n"))
        .collect();
    // CITEXT needs its extension, which only a case declaring it creates.
    let creates_citext = extra.contains("citext");
    let text: String = text
        .lines()
        .filter(|line| creates_citext || !line.contains("@db.Citext"))
        .map(|line| format!("{line}\n"))
        .collect();
    format!(
        "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n{extra}}}\n\n{text}"
    )
}

/// Applies the case to `db`, introspects and pulls it; an error describes what differs.
fn round_trip(provider: &str, case: &Path, db: &TestDb, scratch: &Path) -> Result<(), String> {
    let original = scratch.join("original.prisma");
    let assembled = assemble(provider, case);
    std::fs::write(&original, &assembled).map_err(|e| e.to_string())?;
    let (dialect, diff) = diff_sources(
        &DiffSource::Empty,
        &DiffSource::Schema(original.clone()),
        &SourceContext::default(),
    )
    .map_err(|e| format!("diff from empty: {e}"))?;
    let script = drydock_connector::render_script(dialect, &diff.changes, &[]);
    let namespaces = Project::load(Some(&original))
        .map_err(|e| e.to_string())?
        .namespaces();
    let mut connection = dialect.connect(db.url()).map_err(|e| e.to_string())?;
    connection
        .execute_script(&script)
        .map_err(|e| format!("applying the schema: {}", e.message))?;
    let introspected = connection
        .introspect(&namespaces)
        .map_err(|e| e.to_string())?;
    let header = DatasourceHeader::from_schema(&assembled, true).ok_or("no datasource header")?;
    let formatted = drydock_psl::format(&assembled);
    let kept = repull(
        &introspected,
        &Files::single("schema.prisma", formatted.as_str()),
        &header,
        "schema.prisma",
        dialect.lowering_rules(),
    );
    let kept_text = kept.files.first().map_or("", |f| f.text.as_str());
    if kept_text != formatted {
        let diff = similar::TextDiff::from_lines(formatted.as_str(), kept_text);
        return Err(format!(
            "re-introspection changed the schema:\n{}",
            diff.unified_diff().context_radius(1)
        ));
    }
    let pulled = pull(&introspected, &header, dialect.lowering_rules());
    if !pulled.warnings.is_empty() {
        return Err(format!("unexpected warnings: {:?}", pulled.warnings));
    }
    let pulled_path = scratch.join("pulled.prisma");
    std::fs::write(&pulled_path, &pulled.text).map_err(|e| e.to_string())?;
    let lowered = schema_of(
        &DiffSource::Schema(pulled_path),
        dialect,
        &SourceContext::default(),
    )
    .map_err(|e| format!("the pulled schema does not load: {e}\n{}", pulled.text))?;
    let remaining = drydock_diff::diff(&introspected, &lowered, dialect.diff_hooks());
    if remaining.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "database and pulled schema differ:\n{:#?}\n--- pulled\n{}",
            remaining.changes, pulled.text
        ))
    }
}

fn parity_cases() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../drydock-engine/tests/parity");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("parity folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("schema.prisma").is_file())
        .collect();
    cases.sort();
    cases
}

fn check_all(provider: &str, new_db: fn() -> TestDb) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in parity_cases() {
        let name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if provider != "postgresql" && name.starts_with("pg_") {
            continue;
        }
        checked += 1;
        let db = new_db();
        let scratch = tempfile::tempdir().expect("temp dir");
        if let Err(error) = round_trip(provider, &case, &db, scratch.path()) {
            failures.push(format!("== {name}@{provider}: {error}"));
        }
    }
    assert!(checked >= 10, "expected parity cases, found {checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases fail the round trip:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn postgres_parity_schemas_survive_a_pull() {
    check_all("postgresql", TestDb::postgres);
}

#[test]
fn mysql_parity_schemas_survive_a_pull() {
    check_all("mysql", TestDb::mysql);
}

#[test]
fn sqlite_parity_schemas_survive_a_pull() {
    check_all("sqlite", TestDb::sqlite);
}
