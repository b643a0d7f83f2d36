//! `migrate dev` through the engine: the replay cache means an unchanged history is not
//! replayed again, and an edited history is.

use std::path::Path;

use drydock_engine::{DevOptions, Project, migrate_dev};

/// A database's provider and URL, as `schema.prisma` names them.
type Datasource<'d> = (&'d str, &'d str);

const SQLITE: Datasource<'static> = ("sqlite", "file:./dev.db");

fn write_schema(dir: &Path, (provider, url): Datasource<'_>, models: &str) {
    std::fs::create_dir_all(dir.join("prisma")).expect("prisma dir");
    std::fs::write(
        dir.join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n\n{models}"
        ),
    )
    .expect("schema");
}

fn dev(dir: &Path, cache: &Path, name: &str) -> drydock_engine::DevOutcome {
    let project = Project::load(Some(&dir.join("prisma/schema.prisma"))).expect("project");
    let options = DevOptions {
        name: Some(name.to_owned()),
        replay_cache: Some(Some(cache.to_path_buf())),
        ..DevOptions::default()
    };
    migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev")
}

#[test]
fn an_unchanged_history_is_not_replayed_again() {
    unchanged_history_is_not_replayed_again(SQLITE);
}

fn unchanged_history_is_not_replayed_again(datasource: Datasource<'_>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = tempfile::tempdir().expect("cache dir");
    write_schema(dir.path(), datasource, "model A {\n  id Int @id\n}\n");

    let first = dev(dir.path(), cache.path(), "init");
    assert!(first.created.is_some());
    // The folder changed (a new migration): replayed once more, then cached.
    assert!(dev(dir.path(), cache.path(), "").history_replayed);
    let unchanged = dev(dir.path(), cache.path(), "");
    assert!(!unchanged.history_replayed, "served from the cache");
    assert!(unchanged.created.is_none());

    // Editing a migration changes the key: the history is replayed again (and the edit is
    // refused before that, as Prisma does).
    let migration = first.created.expect("folder").join("migration.sql");
    let text = std::fs::read_to_string(&migration).expect("read");
    std::fs::write(&migration, format!("{text}-- edited\n")).expect("write");
    let project = Project::load(Some(&dir.path().join("prisma/schema.prisma"))).expect("project");
    let options = DevOptions {
        replay_cache: Some(Some(cache.path().to_path_buf())),
        ..DevOptions::default()
    };
    let edited = migrate_dev(&project, &options, &mut |_| false, &mut |_| {});
    assert!(matches!(
        edited,
        Err(drydock_engine::EngineError::ResetNeeded { .. })
    ));
}

#[test]
fn a_new_change_is_verified_from_the_cached_state() {
    new_change_is_verified_from_the_cached_state(SQLITE);
}

fn new_change_is_verified_from_the_cached_state(datasource: Datasource<'_>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = tempfile::tempdir().expect("cache dir");
    write_schema(dir.path(), datasource, "model A {\n  id Int @id\n}\n");
    dev(dir.path(), cache.path(), "init");
    dev(dir.path(), cache.path(), "");
    write_schema(
        dir.path(),
        datasource,
        "model A {\n  id   Int     @id\n  name String?\n}\n",
    );
    let added = dev(dir.path(), cache.path(), "add_name");
    assert!(!added.history_replayed);
    let folder = added.created.expect("a new migration");
    assert!(
        added.down_not_written.is_none(),
        "{:?}",
        added.down_not_written
    );
    assert!(folder.join("down.sql").exists());
}

/// With `?schema=app` and `schemas = ["app", "other"]`, `app` is the default namespace: its
/// table is written unqualified (the search path puts it in `app`), the other's qualified, as
/// Prisma writes them; the history then matches the database, so a second run finds no drift.
#[test]
fn postgres_the_url_schema_is_the_default_namespace() {
    let db = drydock_test_support::TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("prisma")).expect("prisma dir");
    let separator = if db.url().contains('?') { '&' } else { '?' };
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url      = \"{}{separator}schema=app\"\n  schemas  = [\"app\", \"other\"]\n}}\n\n\
             model A {{\n  id Int @id\n\n  @@schema(\"app\")\n}}\n\n\
             model B {{\n  id Int @id\n\n  @@schema(\"other\")\n}}\n",
            db.url()
        ),
    )
    .expect("schema");
    let run = || {
        let project =
            Project::load(Some(&dir.path().join("prisma/schema.prisma"))).expect("project");
        let options = DevOptions {
            name: Some("init".to_owned()),
            ..DevOptions::default()
        };
        migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev")
    };

    let first = run();
    assert!(first.applied_new);
    let sql = std::fs::read_to_string(first.created.expect("a migration").join("migration.sql"))
        .expect("migration.sql");
    assert!(sql.contains("CREATE TABLE \"A\" ("), "{sql}");
    assert!(sql.contains("CREATE TABLE \"other\".\"B\" ("), "{sql}");
    let mut client = db.postgres_client();
    let mut tables: Vec<(String, String)> = client
        .query(
            "SELECT table_schema::text, table_name::text FROM information_schema.tables \
             WHERE table_schema IN ('app', 'other') AND table_name <> '_prisma_migrations'",
            &[],
        )
        .expect("tables")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    tables.sort();
    assert_eq!(
        tables,
        [
            ("app".to_owned(), "A".to_owned()),
            ("other".to_owned(), "B".to_owned())
        ]
    );

    let second = run();
    assert!(second.created.is_none(), "{:?}", second.created);
    assert!(second.drift_captured.is_none());
}

/// A single-schema project with `?schema=app` lives in `app` alone: from nothing its schema
/// creates `app`, never `public`, and a database without `public` needs no change, shows no
/// drift and gets no migration.
#[test]
fn postgres_a_single_schema_project_lives_in_the_url_schema() {
    use drydock_engine::{DiffSource, SourceContext, diff_sources_with_hand_made};

    let db = drydock_test_support::TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("prisma")).expect("prisma dir");
    let separator = if db.url().contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}schema=app", db.url());
    let path = dir.path().join("prisma/schema.prisma");
    std::fs::write(
        &path,
        format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url      = \"{url}\"\n}}\n\n\
             model A {{\n  id Int @id\n}}\n"
        ),
    )
    .expect("schema");
    let project = Project::load(Some(&path)).expect("project");
    let script = |from: DiffSource| {
        diff_sources_with_hand_made(
            &from,
            &DiffSource::Schema(path.clone()),
            &SourceContext::default(),
        )
        .expect("diff")
        .script(true)
    };
    let from_nothing = script(DiffSource::Empty);
    assert!(
        from_nothing.contains("CREATE SCHEMA IF NOT EXISTS \"app\";"),
        "{from_nothing}"
    );
    assert!(!from_nothing.contains("\"public\""), "{from_nothing}");

    let options = DevOptions {
        name: Some("init".to_owned()),
        ..DevOptions::default()
    };
    let run = || migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev");
    let first = run();
    let sql = std::fs::read_to_string(first.created.expect("a migration").join("migration.sql"))
        .expect("migration.sql");
    assert!(!sql.contains("\"public\""), "{sql}");

    db.postgres_client()
        .batch_execute("DROP SCHEMA public CASCADE")
        .expect("drop public");
    assert_eq!(
        script(DiffSource::Url(url.clone())),
        "-- This is an empty migration.\n"
    );
    let report = drydock_engine::drift(&project, None, &None).expect("drift");
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    let second = run();
    assert!(second.created.is_none(), "{:?}", second.created);
    assert!(second.drift_captured.is_none());
}

mod mysql {
    use super::*;

    // The URL's `?schema=` and `schemas = [...]` are PostgreSQL's: a MySQL database is one
    // namespace, named by the URL's path.

    #[test]
    fn an_unchanged_history_is_not_replayed_again() {
        let db = drydock_test_support::TestDb::mysql();
        unchanged_history_is_not_replayed_again(("mysql", db.url()));
    }

    #[test]
    fn a_new_change_is_verified_from_the_cached_state() {
        let db = drydock_test_support::TestDb::mysql();
        new_change_is_verified_from_the_cached_state(("mysql", db.url()));
    }
}
