//! Renames on real databases: a field or model renamed with `// drydock:renamed-from` keeps its
//! rows, needs no consent, and its down migration renames back; without the directive and
//! without anyone to ask, the refusal says how to write it; a confirmed guess renames too.

use std::path::{Path, PathBuf};

use drydock_engine::migrate::DownTarget;
use drydock_engine::{
    DevOptions, DevOutcome, EngineError, Project, db_execute, migrate_dev, migrate_dev_with_renames,
};
use drydock_test_support::TestDb;
use drydock_test_support::dialect::quoted_for;

fn project(dir: &Path, provider: &str, url: &str, models: &str) -> Project {
    std::fs::create_dir_all(dir.join("prisma")).expect("dir");
    std::fs::write(
        dir.join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n\n{models}"
        ),
    )
    .expect("schema");
    Project::load(Some(&dir.join("prisma/schema.prisma"))).expect("project")
}

fn options(dir: &Path, name: &str) -> DevOptions {
    DevOptions {
        name: Some(name.to_owned()),
        replay_cache: Some(Some(dir.join("cache"))),
        ..DevOptions::default()
    }
}

fn dev(project: &Project, dir: &Path, name: &str) -> Result<DevOutcome, EngineError> {
    migrate_dev(project, &options(dir, name), &mut |_| false, &mut |_| {})
}

fn migration(outcome: &DevOutcome, file: &str) -> String {
    let folder: &PathBuf = outcome.created.as_ref().expect("a migration was created");
    std::fs::read_to_string(folder.join(file)).expect("migration file")
}

/// Fails unless `query` (a `SELECT count(*) …`) counts `expected` rows.
fn assert_count(project: &Project, url: &str, query: &str, expected: usize) {
    let script = quoted_for(
        project.dialect,
        &format!(
            "CREATE TEMPORARY TABLE \"rows_check\" (\"n\" INTEGER CHECK (\"n\" = {expected}));\n\
             INSERT INTO \"rows_check\" {query};\nDROP TABLE \"rows_check\";"
        ),
    );
    if let Err(error) = db_execute(project.dialect, url, &script) {
        panic!("`{query}` should count {expected} rows: {error}");
    }
}

const BEFORE: &str =
    "model User {\n  id    Int    @id\n  name  String\n  email String @unique\n}\n";

fn renames_keep_data(provider: &str, db: &TestDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let url = db.url();
    let init = project(dir, provider, url, BEFORE);
    dev(&init, dir, "init").expect("init");
    db_execute(
        init.dialect,
        url,
        &quoted_for(init.dialect, "INSERT INTO \"User\" (\"id\", \"name\", \"email\") VALUES (1, 'Ada', 'ada@example.com'), (2, 'Alan', 'alan@example.com')"),
    )
    .expect("rows");

    // A renamed field: no consent needed, the column and its data stay.
    let field = project(
        dir,
        provider,
        url,
        "model User {\n  id       Int    @id\n  // drydock:renamed-from name\n  fullName String\n  email    String @unique\n}\n",
    );
    let outcome = dev(&field, dir, "rename_field").expect("rename the field");
    let up = migration(&outcome, "migration.sql");
    assert!(
        up.contains(&quoted_for(
            field.dialect,
            "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"fullName\";"
        )),
        "{provider}: {up}"
    );
    assert!(!up.contains("DROP COLUMN"), "{provider}: {up}");
    assert!(outcome.warnings.iter().all(|w| !w.is_data_loss()));
    assert!(
        outcome.warnings.iter().any(|w| w.is_notice()),
        "{provider}: the rename is announced"
    );
    assert_count(&field, url, "SELECT count(*) FROM \"User\"", 2);
    assert_count(
        &field,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"fullName\" = 'Ada'",
        1,
    );

    // A renamed model, with the field's directive left in place (it no longer applies).
    let model = project(
        dir,
        provider,
        url,
        "// drydock:renamed-from User\nmodel Member {\n  id       Int    @id\n  // drydock:renamed-from name\n  fullName String\n  email    String @unique\n}\n",
    );
    let outcome = dev(&model, dir, "rename_model").expect("rename the model");
    let up = migration(&outcome, "migration.sql");
    assert!(
        up.contains(&quoted_for(
            model.dialect,
            "ALTER TABLE \"User\" RENAME TO \"Member\";"
        )),
        "{provider}: {up}"
    );
    assert!(!up.contains("DROP TABLE"), "{provider}: {up}");
    assert!(
        up.contains("Member_email_key"),
        "{provider}: the unique index follows the table name: {up}"
    );
    assert_count(
        &model,
        url,
        "SELECT count(*) FROM \"Member\" WHERE \"email\" = 'alan@example.com'",
        1,
    );

    // Both down migrations rename back and keep the rows.
    let down = migration(&outcome, "down.sql");
    assert!(
        down.contains(&quoted_for(
            model.dialect,
            "ALTER TABLE \"Member\" RENAME TO \"User\";"
        )),
        "{provider}: {down}"
    );
    let mut connection = model.dialect.connect(url).expect("connect");
    drydock_engine::migrate::down(
        model.dialect,
        connection.as_mut(),
        &model.migrations_dir,
        &DownTarget::Steps(2),
        false,
        &mut |_| {},
    )
    .expect("down without consent: renames lose nothing");
    assert_count(
        &init,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"name\" = 'Alan'",
        1,
    );
}

fn undeclared_renames(provider: &str, db: &TestDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let url = db.url();
    let init = project(dir, provider, url, BEFORE);
    dev(&init, dir, "init").expect("init");
    db_execute(
        init.dialect,
        url,
        &quoted_for(init.dialect, "INSERT INTO \"User\" (\"id\", \"name\", \"email\") VALUES (1, 'Ada', 'ada@example.com')"),
    )
    .expect("rows");
    let renamed = project(
        dir,
        provider,
        url,
        "model User {\n  id       Int    @id\n  fullName String\n  email    String @unique\n}\n",
    );

    // Nobody to ask: drop and add, refused, with the directive to write.
    let refused = dev(&renamed, dir, "guess").expect_err("data loss is refused");
    let message = refused.to_string();
    assert!(
        message.contains(
            "If `name` was renamed to `fullName`, add `// drydock:renamed-from name` to the field."
        ),
        "{provider}: {message}"
    );

    // A confirmed guess renames.
    let mut asked = Vec::new();
    let outcome = migrate_dev_with_renames(
        &renamed,
        &options(dir, "confirmed"),
        &mut |_| false,
        &mut |candidate| {
            asked.push(candidate.question());
            true
        },
        &mut |_| {},
    )
    .expect("a confirmed rename needs no consent");
    assert_eq!(asked, ["Did you rename `User.name` to `User.fullName`?"]);
    assert!(migration(&outcome, "migration.sql").contains(&quoted_for(
        renamed.dialect,
        "RENAME COLUMN \"name\" TO \"fullName\""
    )));
    assert_count(
        &renamed,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"fullName\" = 'Ada'",
        1,
    );
}

#[test]
fn postgres_renames_keep_data() {
    renames_keep_data("postgresql", &TestDb::postgres());
}

#[test]
fn sqlite_renames_keep_data() {
    renames_keep_data("sqlite", &TestDb::sqlite());
}

#[test]
fn postgres_undeclared_renames_are_asked_or_hinted() {
    undeclared_renames("postgresql", &TestDb::postgres());
}

#[test]
fn sqlite_undeclared_renames_are_asked_or_hinted() {
    undeclared_renames("sqlite", &TestDb::sqlite());
}

/// The sequence of a `SERIAL` column follows a renamed table and a renamed column, so a later
/// change that drops the sequence finds it under the name PostgreSQL would give it; the down
/// migration renames it back.
#[test]
fn postgres_serial_sequences_follow_renames() {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let url = db.url();
    let serial = |model: &str, field: &str, hint: &str| {
        format!(
            "{hint}model {model} {{\n  id     Int @id\n  {field} Int @default(autoincrement())\n}}\n"
        )
    };
    let sequence = |table: &str, column: &str| -> Option<String> {
        db.postgres_client()
            .query_one(
                "SELECT pg_get_serial_sequence(format('%I', $1::text), $2)",
                &[&table, &column],
            )
            .expect("pg_get_serial_sequence")
            .get(0)
    };
    dev(
        &project(dir, "postgresql", url, &serial("User", "number", "")),
        dir,
        "init",
    )
    .expect("init");

    let rename = project(
        dir,
        "postgresql",
        url,
        &serial(
            "Member",
            "// drydock:renamed-from number\n  ticket",
            "// drydock:renamed-from User\n",
        ),
    );
    let renamed = dev(&rename, dir, "rename").expect("rename the model and the field");
    assert_eq!(renamed.down_not_written, None);
    assert_eq!(
        sequence("Member", "ticket").as_deref(),
        Some("public.\"Member_ticket_seq\"")
    );

    // The down migration renames it back; applied again, the rename renames it again.
    let mut connection = rename.dialect.connect(url).expect("connect");
    drydock_engine::migrate::down(
        rename.dialect,
        connection.as_mut(),
        &rename.migrations_dir,
        &DownTarget::Steps(1),
        false,
        &mut |_| {},
    )
    .expect("down");
    assert_eq!(
        sequence("User", "number").as_deref(),
        Some("public.\"User_number_seq\"")
    );
    drydock_engine::migrate::deploy(
        rename.dialect,
        connection.as_mut(),
        &rename.migrations_dir,
        &mut |_| {},
    )
    .expect("deploy");

    // Dropping auto-increment drops the sequence by the name it now has.
    let plain = "model Member {\n  id     Int @id\n  ticket Int\n}\n";
    dev(&project(dir, "postgresql", url, plain), dir, "plain").expect("no more sequence");
    assert_eq!(sequence("Member", "ticket"), None);
}

mod mysql {
    use super::*;

    // `SERIAL` sequences are PostgreSQL's: MySQL's AUTO_INCREMENT lives on the column.

    #[test]
    fn renames_keep_data() {
        super::renames_keep_data("mysql", &TestDb::mysql());
    }

    #[test]
    fn undeclared_renames_are_asked_or_hinted() {
        undeclared_renames("mysql", &TestDb::mysql());
    }
}
