//! `db push` and `db execute` on real databases: atomic, consent for data loss, nothing in the
//! history.

use std::path::Path;

use drydock_engine::{Project, PushOptions, db_execute, db_push};
use drydock_test_support::TestDb;

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

fn tables(project: &Project, url: &str) -> Vec<String> {
    let mut connection = project.dialect.connect(url).expect("connect");
    let mut names: Vec<String> = connection
        .introspect(&[])
        .expect("introspect")
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    names
}

fn push_and_execute(provider: &str, db: &TestDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let two = "model A {\n  id Int @id\n  b  String?\n}\n\nmodel C {\n  id Int @id\n}\n";
    let project = project(dir.path(), provider, db.url(), two);
    let pushed = db_push(&project, &PushOptions::default(), &mut |_| false).expect("push");
    assert!(pushed.steps > 0);
    assert_eq!(tables(&project, db.url()), ["A", "C"]);
    let mut connection = project.dialect.connect(db.url()).expect("connect");
    assert!(
        !connection.history_table_exists().expect("history"),
        "db push records nothing"
    );
    let again = db_push(&project, &PushOptions::default(), &mut |_| false).expect("push");
    assert_eq!(again.steps, 0);

    // Dropping `C` loses data: refused without consent, accepted with it.
    let one = self::project(
        dir.path(),
        provider,
        db.url(),
        "model A {\n  id Int @id\n  b  String?\n}\n",
    );
    let refused = db_push(&one, &PushOptions::default(), &mut |_| false);
    assert!(matches!(
        refused,
        Err(drydock_engine::EngineError::DataLossNotAccepted { .. })
    ));
    assert_eq!(tables(&project, db.url()), ["A", "C"]);
    db_push(&one, &PushOptions::default(), &mut |_| true).expect("push with consent");
    assert_eq!(tables(&project, db.url()), ["A"]);

    // A failing script changes nothing; a good one runs whole.
    let failing = "CREATE TABLE \"X\" (\"id\" INTEGER);\nINSERT INTO \"Nope\" VALUES (1);\n";
    let error = db_execute(project.dialect, db.url(), failing).expect_err("fails");
    assert!(error.to_string().contains("Nope"), "{error}");
    assert!(
        error.to_string().contains("2:"),
        "points at line 2: {error}"
    );
    assert_eq!(tables(&project, db.url()), ["A"]);
    let unterminated = "CREATE TABLE \"Y\" (\"id\" INTEGER); /* never closed";
    assert!(db_execute(project.dialect, db.url(), unterminated).is_err());
    assert_eq!(tables(&project, db.url()), ["A"]);
    db_execute(
        project.dialect,
        db.url(),
        "CREATE TABLE \"Z\" (\"id\" INTEGER);\nINSERT INTO \"Z\" VALUES (1)",
    )
    .expect("runs");
    assert_eq!(tables(&project, db.url()), ["A", "Z"]);

    // --force-reset starts from nothing.
    let reset = db_push(
        &one,
        &PushOptions {
            force_reset: true,
            ..PushOptions::default()
        },
        &mut |_| false,
    )
    .expect("force reset");
    assert!(reset.reset);
    assert_eq!(tables(&project, db.url()), ["A"]);
}

#[test]
fn postgres_push_and_execute() {
    push_and_execute("postgresql", &TestDb::postgres());
}

#[test]
fn sqlite_push_and_execute() {
    push_and_execute("sqlite", &TestDb::sqlite());
}
