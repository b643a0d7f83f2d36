//! The corpus: each file under `corpus/dangerous` names the rules it breaks on its first line
//! (`-- expect: rule[, rule…]`, a rule repeated once per finding), each file under
//! `corpus/safe` breaks none. Every file is linted after `corpus/schema.sql`, the existing
//! schema they all change, whose own findings are not counted.

use std::path::{Path, PathBuf};

use drydock_diagnostics::FileId;
use drydock_lint::report::render_text;
use drydock_lint::{DEFAULT_MAX_ROWS, LintOptions, MigrationFile, NoFacts, Report, lint, rules};
use drydock_postgres::PostgresDialect;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn sql_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus().join(folder))
        .unwrap_or_else(|e| panic!("listing {folder}: {e}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    files
}

fn file(path: &str, text: String) -> MigrationFile {
    MigrationFile {
        path: path.to_owned(),
        text,
        migration_name: None,
    }
}

/// Lints `path` after the corpus schema; returns the rule names of its own findings.
fn lint_after_schema(path: &Path) -> Vec<String> {
    let schema = file("schema.sql", read(&corpus().join("schema.sql")));
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let options = LintOptions {
        dialect: &PostgresDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    let report = lint(
        vec![schema, file(&name, read(path))],
        &options,
        &mut NoFacts,
    );
    let mut names: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.span.file == FileId(1))
        .map(|f| f.rule.name.to_owned())
        .collect();
    names.sort();
    names
}

fn expected(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("-- expect:")
        .unwrap_or_else(|| panic!("a dangerous file starts with `-- expect:`, not `{first}`"));
    let mut names: Vec<String> = list
        .split(',')
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    for name in &names {
        assert!(
            rules::find(name).is_some(),
            "unknown rule `{name}` in an expect line"
        );
    }
    names.sort();
    names
}

#[test]
fn dangerous_files_break_exactly_the_rules_they_name() {
    let files = sql_files("dangerous");
    assert!(files.len() >= 20, "the dangerous corpus shrank");
    let mut failures = Vec::new();
    for path in files {
        let want = expected(&read(&path));
        let got = lint_after_schema(&path);
        if want != got {
            failures.push(format!(
                "{}: expected {want:?}, found {got:?}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn safe_files_break_nothing() {
    let mut failures = Vec::new();
    for path in sql_files("safe") {
        let got = lint_after_schema(&path);
        if !got.is_empty() {
            failures.push(format!("{}: found {got:?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_is_exercised_by_a_dangerous_file() {
    let mut seen = Vec::new();
    for path in sql_files("dangerous") {
        seen.extend(expected(&read(&path)));
    }
    for rule in rules::ALL {
        // The naming rule reads folder names, not SQL; `tests/names.rs` covers it.
        if rule.name != "migration-name" {
            assert!(
                seen.iter().any(|name| name == rule.name),
                "{} has no corpus file",
                rule.name
            );
        }
    }
}

/// Lints one file on its own, for snapshots of what a user sees.
fn lint_alone(name: &str, text: &str) -> Report {
    let options = LintOptions {
        dialect: &PostgresDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    lint(vec![file(name, text.to_owned())], &options, &mut NoFacts)
}

#[test]
fn terminal_output_of_an_index_on_an_existing_table() {
    let report = lint_alone(
        "migrations/20240101000000_add_user_email_index/migration.sql",
        "-- Add an index\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n",
    );
    insta::assert_snapshot!(render_text(&report));
}

#[test]
fn terminal_output_of_a_mixed_migration() {
    let report = lint_alone(
        "migration.sql",
        "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"fullName\";\n\
         ALTER TABLE \"User\" DROP COLUMN \"nickname\";\n\
         DO $$ BEGIN PERFORM 1; END $$;\n",
    );
    insta::assert_snapshot!(render_text(&report));
}

#[test]
fn terminal_output_of_a_transaction_mistake() {
    let report = lint_alone(
        "migration.sql",
        "BEGIN;\nCREATE INDEX CONCURRENTLY \"i\" ON \"t\" (\"a\");\nCOMMIT;\n",
    );
    insta::assert_snapshot!(render_text(&report));
}
