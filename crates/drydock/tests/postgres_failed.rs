//! A PostgreSQL migration that runs outside a transaction (`CREATE INDEX CONCURRENTLY`) and
//! fails at its third of four statements (`TEST_POSTGRES_URL`), through the real binary: the
//! first two stay applied, then `migrate resolve --finish` runs the rest of the corrected file,
//! or `migrate resolve --undo` undoes the two and the corrected migration deploys whole.

mod support;

use std::path::Path;
use std::process::Output;

use drydock_test_support::TestDb;
use drydock_test_support::crash::{POSTGRES_SCHEMA, project, write_migration};
use drydock_test_support::output::succeeds;
use support::drydock;

const INIT: &str = "20240101000000_init";
const INIT_SQL: &str = "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"name\" TEXT);
CREATE TABLE \"Post\" (\"id\" SERIAL PRIMARY KEY, \"title\" TEXT NOT NULL);
";

const INDEXES: &str = "20240102000000_indexes";
/// Four statements outside a transaction; the third names a column that does not exist.
const INDEXES_SQL: &str = "CREATE INDEX CONCURRENTLY \"User_name_idx\" ON \"User\"(\"name\");
ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;
CREATE INDEX CONCURRENTLY \"Post_title_idx\" ON \"Post\"(\"titel\");
CREATE INDEX CONCURRENTLY \"User_age_idx\" ON \"User\"(\"age\");
";

fn fixed_sql() -> String {
    INDEXES_SQL.replace("(\"titel\")", "(\"title\")")
}

fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `name|finished|rolled back|applied_steps_count` of every history row, oldest first.
fn history(db: &TestDb) -> Vec<String> {
    db.postgres_client()
        .query(
            "SELECT migration_name || '|' || (finished_at IS NOT NULL)::int || '|' || \
             (rolled_back_at IS NOT NULL)::int || '|' || applied_steps_count \
             FROM _prisma_migrations ORDER BY started_at, migration_name",
            &[],
        )
        .expect("history")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// The columns and indexes of the public schema's tables (the history's left out).
fn shape(db: &TestDb) -> Vec<String> {
    db.postgres_client()
        .query(
            "SELECT 'column ' || table_name || '.' || column_name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' \
             UNION ALL SELECT 'index ' || indexname FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1",
            &[],
        )
        .expect("shape")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// A project deployed on a new database until `INDEXES` failed at its third statement.
fn failed_halfway() -> (TestDb, tempfile::TempDir) {
    let db = TestDb::postgres();
    let dir = project(POSTGRES_SCHEMA, &[(INIT, INIT_SQL), (INDEXES, INDEXES_SQL)]);
    let failed = drydock(dir.path(), db.url(), &["migrate", "deploy"]);
    let said = printed(&failed);
    assert_eq!(failed.status.code(), Some(1), "{said}");
    assert!(said.contains("[P3018]"), "{said}");
    assert!(
        said.contains(&format!("resolve --finish {INDEXES}")),
        "{said}"
    );
    assert_eq!(
        history(&db),
        [format!("{INIT}|1|0|1"), format!("{INDEXES}|0|0|2")]
    );
    (db, dir)
}

fn resolve(project: &Path, db: &TestDb, args: &[&str]) -> Output {
    let mut all = vec!["migrate", "resolve"];
    all.extend_from_slice(args);
    drydock(project, db.url(), &all)
}

#[test]
fn postgres_concurrent_migration_failed_halfway_is_finished() {
    let (db, dir) = failed_halfway();
    let project = dir.path();
    write_migration(project, INDEXES, &fixed_sql());
    let said = succeeds(&resolve(project, &db, &["--finish", INDEXES]));
    assert!(
        said.contains(&format!(
            "Migration {INDEXES} finished: statements 3 to 4 ran"
        )),
        "{said}"
    );
    assert_eq!(
        history(&db),
        [format!("{INIT}|1|0|1"), format!("{INDEXES}|1|0|4")]
    );
    let status = succeeds(&drydock(project, db.url(), &["migrate", "status"]));
    assert!(status.contains("Database schema is up to date"), "{status}");
    assert!(!status.contains("modified after"), "{status}");
    let shape = shape(&db);
    for index in [
        "index Post_title_idx",
        "index User_age_idx",
        "index User_name_idx",
    ] {
        assert!(shape.contains(&index.to_owned()), "{index}: {shape:?}");
    }
}

#[test]
fn postgres_concurrent_migration_failed_halfway_is_undone() {
    let (db, dir) = failed_halfway();
    let project = dir.path();
    let before: Vec<String> = [
        "column Post.id",
        "column Post.title",
        "column User.id",
        "column User.name",
        "index Post_pkey",
        "index User_pkey",
    ]
    .map(str::to_owned)
    .to_vec();

    // The undo drops the new column: refused without consent.
    let refused = resolve(project, &db, &["--undo", INDEXES]);
    let said = printed(&refused);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(said.contains("[D3143]") && said.contains("`age`"), "{said}");
    assert_ne!(shape(&db), before);

    let undone = resolve(project, &db, &["--undo", INDEXES, "--accept-data-loss"]);
    let said = succeeds(&undone) + &printed(&undone);
    assert!(said.contains("DROP INDEX \"User_name_idx\""), "{said}");
    assert_eq!(shape(&db), before);
    assert_eq!(
        history(&db),
        [format!("{INIT}|1|0|1"), format!("{INDEXES}|0|1|2")]
    );

    write_migration(project, INDEXES, &fixed_sql());
    succeeds(&drydock(project, db.url(), &["migrate", "deploy"]));
    assert_eq!(
        history(&db),
        [
            format!("{INIT}|1|0|1"),
            format!("{INDEXES}|0|1|2"),
            format!("{INDEXES}|1|0|4"),
        ]
    );
    let status = succeeds(&drydock(project, db.url(), &["migrate", "status"]));
    assert!(status.contains("Database schema is up to date"), "{status}");
}
