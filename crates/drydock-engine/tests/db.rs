//! `db push` and `db execute` on real databases: atomic where the database runs DDL in
//! transactions (statement by statement elsewhere), consent for data loss, nothing in the
//! history.

use std::path::Path;

use drydock_engine::{Project, PushOptions, db_execute, db_push};
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

    // A failing script changes nothing where DDL is transactional; elsewhere the statements
    // before the failing one stay. A good one runs whole.
    let transactional = project.dialect.capabilities().transactional_ddl;
    let sql = |text: &str| quoted_for(project.dialect, text);
    let failing = sql("CREATE TABLE \"X\" (\"id\" INTEGER);\nINSERT INTO \"Nope\" VALUES (1);\n");
    let error = db_execute(project.dialect, db.url(), &failing).expect_err("fails");
    assert!(error.to_string().contains("Nope"), "{error}");
    assert!(
        error.to_string().contains("2:"),
        "points at line 2: {error}"
    );
    let kept: &[&str] = if transactional { &["A"] } else { &["A", "X"] };
    assert_eq!(tables(&project, db.url()), kept);
    let unterminated = sql("CREATE TABLE \"Y\" (\"id\" INTEGER); /* never closed");
    assert!(db_execute(project.dialect, db.url(), &unterminated).is_err());
    assert_eq!(tables(&project, db.url()), kept);
    let good = db_execute(
        project.dialect,
        db.url(),
        &sql("CREATE TABLE \"Z\" (\"id\" INTEGER);\nINSERT INTO \"Z\" VALUES (1)"),
    )
    .expect("runs");
    assert_eq!(good.non_transactional_reason.is_none(), transactional);
    let with_z: &[&str] = if transactional {
        &["A", "Z"]
    } else {
        &["A", "X", "Z"]
    };
    assert_eq!(tables(&project, db.url()), with_z);

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

mod mysql {
    use super::*;

    #[test]
    fn push_and_execute() {
        super::push_and_execute("mysql", &TestDb::mysql());
    }
}
