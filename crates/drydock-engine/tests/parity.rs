//! drydock's SQL against Prisma's own: each folder under `tests/parity/` holds `schema.prisma`
//! (the target), optionally `from.prisma`, and `expected.<provider>.sql` as Prisma's schema engine
//! generated it (`scripts/parity-fixtures.sh`). The output must match byte for byte.

use std::path::{Path, PathBuf};

use drydock_engine::{DiffSource, SourceContext, diff_sources};

/// The datasource block the fixture script puts in front of every case file, with one line per
/// `// datasource: <setting>` comment.
fn assemble(provider: &str, case_file: &Path) -> String {
    let text = std::fs::read_to_string(case_file).expect("case file is readable");
    let extra: String = text
        .lines()
        .filter_map(|line| {
            line.strip_prefix("// ")
                .and_then(|l| l.split_once("datasource: "))
        })
        .map(|(_, setting)| format!("  {setting}\n"))
        .collect();
    format!("datasource db {{\n  provider = \"{provider}\"\n{extra}}}\n\n{text}")
}

fn generate(case: &Path, provider: &str, scratch: &Path) -> Result<String, String> {
    let to_path = scratch.join(format!("{provider}-to.prisma"));
    std::fs::write(&to_path, assemble(provider, &case.join("schema.prisma")))
        .map_err(|e| e.to_string())?;
    let from = if case.join("from.prisma").exists() {
        let from_path = scratch.join(format!("{provider}-from.prisma"));
        std::fs::write(&from_path, assemble(provider, &case.join("from.prisma")))
            .map_err(|e| e.to_string())?;
        DiffSource::Schema(from_path)
    } else {
        DiffSource::Empty
    };
    let (dialect, diff) = diff_sources(
        &from,
        &DiffSource::Schema(to_path),
        &SourceContext::default(),
    )
    .map_err(|e| e.to_string())?;
    Ok(if diff.is_empty() {
        format!("{}\n", drydock_connector::EMPTY_MIGRATION)
    } else {
        drydock_connector::render_script(dialect, &diff.changes, &[])
    })
}

#[test]
fn generated_sql_matches_prisma_byte_for_byte() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/parity");
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("parity folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in &cases {
        for provider in ["postgresql", "sqlite"] {
            let expected_path = case.join(format!("expected.{provider}.sql"));
            let Ok(expected) = std::fs::read_to_string(&expected_path) else {
                continue;
            };
            checked += 1;
            let name = format!(
                "{}@{provider}",
                case.file_name().unwrap_or_default().to_string_lossy()
            );
            match generate(case, provider, scratch.path()) {
                Ok(actual) if actual == expected => {}
                Ok(actual) => failures.push(format!(
                    "== {name}: differs\n--- expected (Prisma)\n{expected}\n--- actual (drydock)\n{actual}"
                )),
                Err(error) => failures.push(format!("== {name}: error: {error}")),
            }
        }
    }
    assert!(
        checked >= 20,
        "expected at least 20 parity cases, found {checked}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} parity cases differ from Prisma:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
