//! A MySQL-provider Prisma project's history of 30 schema changes (`tests/data/mysql_history/`,
//! one schema per step: enum values added and removed, columns and tables renamed through
//! `// drydock:renamed-from`, relations added and their referential actions changed, indexes
//! added, changed and dropped, types widened), each written by `migrate dev` on MariaDB. Then
//! the folder is deployed to a new database, rolled down to nothing and up again, drift is
//! clean, and `db pull` gives back a schema with the same tables.

mod support;

use std::path::{Path, PathBuf};

use drydock_engine::dialects;
use drydock_test_support::TestDb;
use drydock_test_support::output::succeeds;
use support::drydock;

/// The steps' schemas, in order, with their names.
fn steps() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mysql_history");
    let mut steps: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("the history's schemas")
        .filter_map(Result::ok)
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let step = name
                .trim_end_matches(".prisma")
                .split_once('_')
                .map(|(_, step)| step.to_owned())
                .unwrap_or_default();
            (format!("{name}\u{0}{step}"), entry.path())
        })
        .collect();
    steps.sort();
    steps
        .into_iter()
        .map(|(key, path)| (key.split('\u{0}').nth(1).unwrap_or("").to_owned(), path))
        .collect()
}

/// Every column of the database's tables (not drydock's or Prisma's), with its type and
/// nullability, and every index with its columns.
fn shape(url: &str) -> Vec<String> {
    let dialect = dialects::for_url(url).expect("a MySQL URL");
    let mut connection = dialect.connect(url).expect("connect");
    let mut lines = Vec::new();
    for sql in [
        "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ' ', COLUMN_TYPE, ' ', IS_NULLABLE) \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME <> '_prisma_migrations' ORDER BY 1",
        "SELECT CONCAT(TABLE_NAME, ' ', INDEX_NAME, ' ', \
                GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX)) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME <> '_prisma_migrations' GROUP BY TABLE_NAME, INDEX_NAME ORDER BY 1",
    ] {
        lines.extend(
            connection
                .query_texts(sql)
                .expect("query")
                .into_iter()
                .map(Option::unwrap_or_default),
        );
    }
    lines
}

#[test]
fn a_thirty_change_mysql_history_deploys_rolls_down_and_up_and_pulls_back() {
    let dev = TestDb::mysql();
    let production = TestDb::mysql();
    let dir = tempfile::tempdir().expect("project");
    let project = dir.path();
    std::fs::create_dir_all(project.join("prisma")).expect("prisma folder");
    let schema = project.join("prisma/schema.prisma");

    let steps = steps();
    assert!(steps.len() > 30, "{} steps", steps.len());
    for (name, path) in &steps {
        // What a test prints is shown when it fails: the step that failed.
        println!("migrate dev at step {name}");
        std::fs::copy(path, &schema).expect("the step's schema");
        // Consent as a person gives it at the prompt: the warnings (a unique key added, an
        // enum value removed, a column dropped) are about rows the dev database has none of.
        succeeds(&drydock(
            project,
            dev.url(),
            &["migrate", "dev", "--name", name, "--accept-data-loss"],
        ));
    }
    let folders = std::fs::read_dir(project.join("prisma/migrations"))
        .expect("migrations")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .count();
    assert_eq!(folders, steps.len(), "one migration per step");
    let clean = drydock(project, dev.url(), &["migrate", "dev", "--name", "nothing"]);
    let said = succeeds(&clean) + &String::from_utf8_lossy(&clean.stderr);
    assert!(said.contains("Already in sync"), "{said}");

    // The folder on a new database: the same tables as where it was written.
    succeeds(&drydock(project, production.url(), &["migrate", "deploy"]));
    let deployed = shape(production.url());
    assert_eq!(deployed, shape(dev.url()));
    succeeds(&drydock(
        project,
        production.url(),
        &["migrate", "status", "--drift"],
    ));

    // Down to nothing, then up again.
    for (name, _) in steps.iter().rev() {
        println!("migrate down from step {name}");
        succeeds(&drydock(
            project,
            production.url(),
            &["migrate", "down", "--accept-data-loss"],
        ));
    }
    assert_eq!(shape(production.url()), Vec::<String>::new());
    succeeds(&drydock(project, production.url(), &["migrate", "deploy"]));
    assert_eq!(shape(production.url()), deployed);

    // What `db pull` writes lowers to the same tables as the schema.
    let pulled = succeeds(&drydock(
        project,
        production.url(),
        &["db", "pull", "--print"],
    ));
    let pulled_path = project.join("pulled.prisma");
    std::fs::write(&pulled_path, &pulled).expect("pulled schema");
    let diff = drydock(
        project,
        production.url(),
        &[
            "migrate",
            "diff",
            "--from-schema",
            "pulled.prisma",
            "--to-schema",
            "prisma/schema.prisma",
            "--exit-code",
        ],
    );
    assert_eq!(
        diff.status.code(),
        Some(0),
        "the pulled schema differs:\n{pulled}\n{}{}",
        String::from_utf8_lossy(&diff.stdout),
        String::from_utf8_lossy(&diff.stderr)
    );
}
