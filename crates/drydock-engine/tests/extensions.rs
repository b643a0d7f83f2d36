//! PostgreSQL extensions declared with `extensions = [...]` on a real server, with extensions
//! Debian's PostgreSQL contrib ships: `migrate dev` creates them and writes a down migration
//! that drops them (checked on the shadow database), the history then replays without drift,
//! `migrate deploy` creates them on a fresh database and `migrate down` drops them again; a
//! changed version is updated in place and an extension taken off the list stays.

use std::path::Path;

use drydock_engine::migrate::DownTarget;
use drydock_engine::{DevOptions, DevOutcome, Project, migrate_dev};
use drydock_test_support::TestDb;

fn project(dir: &Path, url: &str, extensions: &str, models: &str) -> Project {
    std::fs::create_dir_all(dir.join("prisma")).expect("dir");
    std::fs::write(
        dir.join("prisma/schema.prisma"),
        format!(
            "generator client {{\n  provider        = \"prisma-client-js\"\n  previewFeatures = [\"postgresqlExtensions\"]\n}}\n\n\
             datasource db {{\n  provider   = \"postgresql\"\n  url        = \"{url}\"\n  extensions = [{extensions}]\n}}\n\n{models}"
        ),
    )
    .expect("schema");
    Project::load(Some(&dir.join("prisma/schema.prisma"))).expect("project")
}

fn dev(project: &Project, dir: &Path, name: &str) -> DevOutcome {
    let options = DevOptions {
        name: Some(name.to_owned()),
        replay_cache: Some(Some(dir.join("cache"))),
        ..DevOptions::default()
    };
    migrate_dev(project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev")
}

fn file(outcome: &DevOutcome, name: &str) -> String {
    let folder = outcome.created.as_ref().expect("a migration was created");
    std::fs::read_to_string(folder.join(name)).expect("migration file")
}

/// `name version` of every extension but the default `plpgsql`.
fn installed(db: &TestDb) -> Vec<String> {
    db.postgres_client()
        .query(
            "SELECT extname || ' ' || extversion FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname",
            &[],
        )
        .expect("pg_extension")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

const EXTENSIONS: &str = "pg_trgm, citext, hstore(version: \"1.7\"), uuidOssp(map: \"uuid-ossp\")";

const MODELS: &str = "model User {
  id    String                @id @default(dbgenerated(\"uuid_generate_v4()\")) @db.Uuid
  email String                @unique @db.Citext
  tags  Unsupported(\"hstore\")?
}
";

#[test]
fn declared_extensions_are_created_replayed_deployed_and_dropped() {
    let dev_db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let project = project(dir, dev_db.url(), EXTENSIONS, MODELS);

    let init = dev(&project, dir, "init");
    let up = file(&init, "migration.sql");
    assert!(
        up.starts_with(
            "-- CreateExtension\nCREATE EXTENSION IF NOT EXISTS \"citext\";\n\n\
             -- CreateExtension\nCREATE EXTENSION IF NOT EXISTS \"hstore\" WITH VERSION \"1.7\";\n\n\
             -- CreateExtension\nCREATE EXTENSION IF NOT EXISTS \"pg_trgm\";\n\n\
             -- CreateExtension\nCREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\n\n\
             -- CreateTable\n"
        ),
        "{up}"
    );
    assert_eq!(init.down_not_written, None, "the down migration checks out");
    let down = file(&init, "down.sql");
    assert!(
        down.ends_with(
            "-- DropExtension\nDROP EXTENSION \"citext\";\n\n\
             -- DropExtension\nDROP EXTENSION \"hstore\";\n\n\
             -- DropExtension\nDROP EXTENSION \"pg_trgm\";\n\n\
             -- DropExtension\nDROP EXTENSION \"uuid-ossp\";\n"
        ),
        "the extensions go once the table using them is gone: {down}"
    );
    assert_eq!(
        installed(&dev_db),
        ["citext 1.6", "hstore 1.7", "pg_trgm 1.6", "uuid-ossp 1.1"]
    );

    // The replayed history has the extensions the schema declares: nothing to do, no drift.
    assert!(dev(&project, dir, "again").created.is_none());
    let drift =
        drydock_engine::drift(&project, None, &Some(Some(dir.join("cache")))).expect("drift");
    assert_eq!(drift.differences, Vec::<String>::new());

    // A fresh database gets them from `migrate deploy`, and loses them to `migrate down`.
    let fresh = TestDb::postgres();
    let mut connection = project.dialect.connect(fresh.url()).expect("connect");
    drydock_engine::migrate::deploy(
        project.dialect,
        connection.as_mut(),
        &project.migrations_dir,
        &mut |_| {},
    )
    .expect("deploy");
    assert_eq!(installed(&fresh), installed(&dev_db));
    drydock_engine::migrate::down(
        project.dialect,
        connection.as_mut(),
        &project.migrations_dir,
        &DownTarget::Steps(1),
        true,
        &mut |_| {},
    )
    .expect("down");
    assert_eq!(installed(&fresh), Vec::<String>::new());
}

#[test]
fn a_new_version_is_an_update_and_an_undeclared_extension_stays() {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let model = "model Post {\n  id Int @id\n}\n";
    dev(
        &project(dir, db.url(), "hstore(version: \"1.7\"), isn", model),
        dir,
        "init",
    );

    let updated = dev(
        &project(dir, db.url(), "hstore(version: \"1.8\"), isn", model),
        dir,
        "update",
    );
    assert_eq!(
        file(&updated, "migration.sql"),
        "-- AlterExtension\nALTER EXTENSION \"hstore\" UPDATE TO \"1.8\";\n"
    );
    // PostgreSQL ships no script from 1.8 back to 1.7: the shadow check says so.
    let reason = updated.down_not_written.expect("no down migration");
    assert!(reason.contains("down.sql fails"), "{reason}");
    // isn without a version is the server's default one (1.2 up to PostgreSQL 17, 1.3 on 18).
    let isn: String = db
        .postgres_client()
        .query_one(
            "SELECT 'isn ' || default_version FROM pg_available_extensions WHERE name = 'isn'",
            &[],
        )
        .expect("isn's default version")
        .get(0);
    assert_eq!(installed(&db), ["hstore 1.8", isn.as_str()]);

    // Taken off the list, an extension is left alone, as Prisma does.
    let removed = dev(
        &project(dir, db.url(), "hstore(version: \"1.8\")", model),
        dir,
        "",
    );
    assert!(removed.created.is_none(), "{:?}", removed.created);
    assert_eq!(installed(&db), ["hstore 1.8", isn.as_str()]);
}

/// `migrate baseline` of a database with extensions a hosting provider would have installed:
/// the first migration creates only the extensions the schema declares (as declared) and those
/// the tables use (`citext` for a column, `pg_trgm` for an index's operator class), never
/// `plpgsql` nor one installed but unused, so it replays on a database where those cannot be
/// created.
#[test]
fn a_baseline_creates_only_the_extensions_the_schema_declares_or_the_tables_use() {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    db.postgres_client()
        .batch_execute(
            "CREATE EXTENSION \"citext\";\n\
             CREATE EXTENSION \"pg_trgm\";\n\
             CREATE EXTENSION \"hstore\";\n\
             CREATE EXTENSION \"uuid-ossp\";\n\
             CREATE EXTENSION \"fuzzystrmatch\";\n\
             CREATE TABLE \"User\" (\"id\" UUID NOT NULL DEFAULT uuid_generate_v4(), \"email\" CITEXT NOT NULL, \"name\" TEXT NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\n\
             CREATE INDEX \"User_name_idx\" ON \"User\" USING GIN (\"name\" gin_trgm_ops);\n",
        )
        .expect("hand-made database");
    let models = "model User {
  id    String @id @default(dbgenerated(\"uuid_generate_v4()\")) @db.Uuid
  email String @db.Citext
  name  String
}
";
    // `hstore` is declared (and installed), `pgcrypto` declared but not installed.
    let project = project(dir.path(), db.url(), "hstore, pgcrypto", models);
    let folder = drydock_engine::baseline(&project, None, "baseline").expect("baseline");
    let migration = std::fs::read_to_string(folder.join("migration.sql")).expect("migration");
    insta::assert_snapshot!("baseline_extensions", migration);

    let fresh = TestDb::postgres();
    let mut connection = project.dialect.connect(fresh.url()).expect("connect");
    drydock_engine::migrate::deploy(
        project.dialect,
        connection.as_mut(),
        &project.migrations_dir,
        &mut |_| {},
    )
    .expect("the baseline replays");
    assert_eq!(
        installed(&fresh)
            .iter()
            .map(|e| e.split(' ').next().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["citext", "hstore", "pg_trgm", "uuid-ossp"]
    );
}
