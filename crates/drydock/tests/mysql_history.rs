//! A MySQL-provider Prisma project's history of 30 schema changes (`tests/data/mysql_history/`,
//! one schema per step: enum values added and removed, columns and tables renamed through
//! `// drydock:renamed-from`, relations added and their referential actions changed, indexes
//! added, changed and dropped, types widened), each written by `migrate dev` on MariaDB. Then
//! the folder is deployed to a new database, rolled down to nothing and up again, drift is
//! clean, and `db pull` gives back a schema with the same tables.

use std::path::{Path, PathBuf};
use std::process::Output;

use drydock_test_support::TestDb;
use drydock_test_support::cli::{self, mysql_texts, succeeds};

fn drydock(project: &Path, url: &str, args: &[&str]) -> Output {
    cli::run(env!("CARGO_BIN_EXE_drydock"), project, url, args)
}

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
    [
        "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ' ', COLUMN_TYPE, ' ', IS_NULLABLE) \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME <> '_prisma_migrations' ORDER BY 1",
        "SELECT CONCAT(TABLE_NAME, ' ', INDEX_NAME, ' ', \
                GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX)) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME <> '_prisma_migrations' GROUP BY TABLE_NAME, INDEX_NAME ORDER BY 1",
    ]
    .into_iter()
    .flat_map(|sql| mysql_texts(url, sql))
    .collect()
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
        std::fs::copy(path, &schema).expect("the step's schema");
        succeeds(
            // Consent as a person gives it at the prompt: the warnings (a unique key added, an
            // enum value removed, a column dropped) are about rows the dev database has none of.
            &drydock(
                project,
                dev.url(),
                &["migrate", "dev", "--name", name, "--accept-data-loss"],
            ),
            name,
        );
    }
    let folders = std::fs::read_dir(project.join("prisma/migrations"))
        .expect("migrations")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .count();
    assert_eq!(folders, steps.len(), "one migration per step");
    let clean = drydock(project, dev.url(), &["migrate", "dev", "--name", "nothing"]);
    let said = succeeds(&clean, "a second migrate dev") + &String::from_utf8_lossy(&clean.stderr);
    assert!(said.contains("Already in sync"), "{said}");

    // The folder on a new database: the same tables as where it was written.
    succeeds(
        &drydock(project, production.url(), &["migrate", "deploy"]),
        "deploy",
    );
    let deployed = shape(production.url());
    assert_eq!(deployed, shape(dev.url()));
    let status = drydock(project, production.url(), &["migrate", "status", "--drift"]);
    succeeds(&status, "status --drift");

    // Down to nothing, then up again.
    for step in steps.iter().rev() {
        succeeds(
            &drydock(
                project,
                production.url(),
                &["migrate", "down", "--accept-data-loss"],
            ),
            &format!("down from {}", step.0),
        );
    }
    assert_eq!(shape(production.url()), Vec::<String>::new());
    succeeds(
        &drydock(project, production.url(), &["migrate", "deploy"]),
        "deploy again",
    );
    assert_eq!(shape(production.url()), deployed);

    // What `db pull` writes lowers to the same tables as the schema.
    let pulled = succeeds(
        &drydock(project, production.url(), &["db", "pull", "--print"]),
        "db pull",
    );
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
