//! The audit log of schema changes, from the command line on real databases: a deploy, a down,
//! a `db execute`, a failed deploy and a resolve each leave one entry with who ran it (the
//! `DRYDOCK_ACTOR`, or GitHub's actor and run), and the chain verifies until a row is edited or
//! deleted; on PostgreSQL the event trigger of `drydock audit install` records DDL run by hand,
//! which the drift report names, and never drydock's own DDL twice.

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::{DatabaseKind, TestDb};
use serde_json::Value;

/// The variables that decide who the audit log names; the tests set them themselves.
const IDENTITY_VARS: &[&str] = &[
    "DRYDOCK_ACTOR",
    "GITHUB_ACTOR",
    "GITHUB_RUN_ID",
    "GITHUB_REPOSITORY",
    "GITLAB_USER_LOGIN",
    "CI_JOB_ID",
    "CI_PROJECT_PATH",
    "CI",
];

fn project(db: &TestDb) -> tempfile::TempDir {
    let provider = match db.kind() {
        DatabaseKind::Postgres => "postgresql",
        DatabaseKind::Sqlite => "sqlite",
        _ => "mysql",
    };
    let dir = tempfile::tempdir().expect("a project folder");
    std::fs::create_dir_all(dir.path().join("prisma/migrations")).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n\
             model a {{\n  id Int @id\n}}\n"
        ),
    )
    .unwrap();
    dir
}

fn migration(dir: &Path, name: &str, sql: &str, down: Option<&str>) {
    let folder = dir.join("prisma/migrations").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("migration.sql"), sql).unwrap();
    if let Some(down) = down {
        std::fs::write(folder.join("down.sql"), down).unwrap();
    }
}

fn drydock(dir: &Path, db: &TestDb, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut command = Command::cargo_bin("drydock").expect("the drydock binary");
    command.current_dir(dir).env("DATABASE_URL", db.url());
    for name in IDENTITY_VARS {
        command.env_remove(name);
    }
    command.envs(env.iter().copied()).args(args);
    command.output().expect("drydock")
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn audit_entries(dir: &Path, db: &TestDb) -> Vec<Value> {
    let output = drydock(dir, db, &[], &["audit", "--json"]);
    assert!(output.status.success(), "{}", text(&output));
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["version"], 1);
    value["entries"].as_array().cloned().unwrap_or_default()
}

/// (command, result, error code, actor) of each entry, newest first.
fn summary(entries: &[Value]) -> Vec<(String, String, String, String)> {
    entries
        .iter()
        .map(|entry| {
            let field = |name: &str| entry[name].as_str().unwrap_or_default().to_owned();
            (
                field("command"),
                field("result"),
                field("error_code"),
                field("actor"),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    rows.iter()
        .map(|(a, b, c, d)| {
            (
                (*a).to_owned(),
                (*b).to_owned(),
                (*c).to_owned(),
                (*d).to_owned(),
            )
        })
        .collect()
}

/// Deploy, down, execute, a failed deploy and a resolve on `db`, each by its own actor.
fn changes_are_audited(db: &TestDb) {
    let dir = project(db);
    let path = dir.path();
    migration(
        path,
        "20240101000000_init",
        "CREATE TABLE a (id INTEGER PRIMARY KEY);\n",
        None,
    );
    migration(
        path,
        "20240102000000_b",
        "CREATE TABLE b (id INTEGER PRIMARY KEY);\n",
        Some("DROP TABLE b;\n"),
    );
    let alice = [("DRYDOCK_ACTOR", "alice")];
    let github = [
        ("GITHUB_ACTOR", "octocat"),
        ("GITHUB_RUN_ID", "4242"),
        ("GITHUB_REPOSITORY", "acme/shop"),
    ];

    let deployed = drydock(path, db, &alice, &["migrate", "deploy"]);
    assert!(deployed.status.success(), "{}", text(&deployed));
    let down = drydock(path, db, &github, &["migrate", "down"]);
    assert!(down.status.success(), "{}", text(&down));
    std::fs::write(
        path.join("seed.sql"),
        "INSERT INTO a (id) VALUES (1);\nINSERT INTO a (id) VALUES (2);\n",
    )
    .unwrap();
    let executed = drydock(path, db, &alice, &["db", "execute", "--file", "seed.sql"]);
    assert!(executed.status.success(), "{}", text(&executed));
    // `b` is pending again after the down; the broken migration after it fails.
    migration(
        path,
        "20240103000000_broken",
        "ALTER TABLE missing ADD COLUMN x INTEGER;\n",
        None,
    );
    let failed = drydock(path, db, &github, &["migrate", "deploy"]);
    assert!(!failed.status.success(), "{}", text(&failed));
    let resolved = drydock(
        path,
        db,
        &alice,
        &[
            "migrate",
            "resolve",
            "--rolled-back",
            "20240103000000_broken",
        ],
    );
    assert!(resolved.status.success(), "{}", text(&resolved));

    let entries = audit_entries(path, db);
    assert_eq!(
        summary(&entries),
        owned(&[
            ("migrate resolve", "succeeded", "", "alice"),
            ("migrate deploy", "failed", "P3018", "octocat"),
            ("db execute", "succeeded", "", "alice"),
            ("migrate down", "succeeded", "", "octocat"),
            ("migrate deploy", "succeeded", "", "alice"),
        ]),
        "{entries:#?}"
    );
    let [resolve, failed, execute, down, deploy] = &entries[..] else {
        unreachable!()
    };
    assert_eq!(deploy["target"], "20240101000000_init, 20240102000000_b");
    assert_eq!(deploy["details"]["statements"], 2);
    assert_eq!(
        deploy["details"]["migrations"][0]["checksum"]
            .as_str()
            .map(str::len),
        Some(64)
    );
    assert_eq!(deploy["origin"], "drydock");
    assert_eq!(down["target"], "20240102000000_b");
    assert_eq!(down["details"]["statements"], 1);
    assert_eq!(down["details"]["ci"], "GitHub Actions acme/shop run 4242");
    assert_eq!(execute["target"], "seed.sql");
    assert_eq!(execute["details"]["statements"], 2);
    // It applied `b` again before the broken migration failed.
    assert_eq!(failed["target"], "20240102000000_b, 20240103000000_broken");
    assert!(
        failed["details"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    assert_eq!(resolve["details"]["marked"], "rolled back");
    // Each entry holds the hash of the one before it.
    for pair in entries.windows(2) {
        assert_eq!(pair[0]["prev_hash"], pair[1]["hash"]);
    }

    let table = drydock(path, db, &[], &["audit"]);
    let table = text(&table);
    assert!(
        table.contains("octocat@") && table.contains("(GitHub Actions acme/shop run 4242)"),
        "{table}"
    );
    assert!(table.contains("failed P3018"), "{table}");
    let recent = drydock(
        path,
        db,
        &[],
        &["audit", "--since", "1h", "--limit", "2", "--json"],
    );
    let recent: Value = serde_json::from_slice(&recent.stdout).expect("JSON");
    assert_eq!(recent["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(recent["entries"][0]["command"], "migrate resolve");
    let future = drydock(path, db, &[], &["audit", "--since", "2999-01-01"]);
    assert!(
        text(&future).contains("No audit entries since 2999-01-01T00:00:00Z."),
        "{}",
        text(&future)
    );
    let verified = drydock(path, db, &[], &["audit", "--verify"]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        text(&verified).contains("hash chain of all 5 entries is unbroken"),
        "{}",
        text(&verified)
    );
}

#[test]
fn postgres_changes_are_audited_with_their_actor() {
    changes_are_audited(&TestDb::postgres());
}

#[test]
fn sqlite_changes_are_audited_with_their_actor() {
    changes_are_audited(&TestDb::sqlite());
}

#[test]
fn mariadb_changes_are_audited_with_their_actor() {
    changes_are_audited(&TestDb::mysql());
}

/// Run `sql` on `db`'s database through a plain session of the test server.
fn hand_sql(db: &TestDb, sql: &str) {
    db.postgres_client().batch_execute(sql).expect(sql);
}

#[test]
fn the_postgres_trigger_records_ddl_run_by_hand_and_the_drift_report_names_it() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let path = dir.path();
    migration(
        path,
        "20240101000000_init",
        "CREATE TABLE a (id INTEGER PRIMARY KEY);\n",
        None,
    );
    let installed = drydock(path, &db, &[], &["audit", "install"]);
    assert!(installed.status.success(), "{}", text(&installed));
    assert!(text(&installed).contains("Installed the audit trigger"));
    let deployed = drydock(
        path,
        &db,
        &[("DRYDOCK_ACTOR", "alice")],
        &["migrate", "deploy"],
    );
    assert!(deployed.status.success(), "{}", text(&deployed));

    hand_sql(&db, "ALTER TABLE a ADD COLUMN note TEXT");

    let entries = audit_entries(path, &db);
    // drydock's deploy once (its CREATE TABLE is not recorded again by the trigger), then the
    // hand-made ALTER TABLE with the server's session user and the statement.
    assert_eq!(
        summary(&entries),
        owned(&[
            ("ALTER TABLE", "succeeded", "", "postgres"),
            ("migrate deploy", "succeeded", "", "alice"),
        ]),
        "{entries:#?}"
    );
    let by_hand = &entries[0];
    assert_eq!(by_hand["origin"], "database");
    assert_eq!(by_hand["target"], "public.a");
    assert_eq!(
        by_hand["details"]["statement"],
        "ALTER TABLE a ADD COLUMN note TEXT"
    );
    let verified = drydock(path, &db, &[], &["audit", "--verify"]);
    assert!(verified.status.success(), "{}", text(&verified));

    let status = drydock(path, &db, &[], &["migrate", "status", "--drift"]);
    let report = text(&status);
    assert!(!status.status.success());
    assert!(
        report.contains("Changed outside drydock since the last migration (audit log):")
            && report.contains("by postgres from")
            && report.contains("ALTER TABLE public.a")
            && report.contains("ALTER TABLE a ADD COLUMN note TEXT"),
        "{report}"
    );
    let json = drydock(path, &db, &[], &["migrate", "status", "--drift", "--json"]);
    let json: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let outside = &json["drift"]["changed_outside"];
    assert_eq!(outside.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(outside[0]["actor"], "postgres");
    assert_eq!(outside[0]["target"], "public.a");

    // A drop is recorded too; after uninstall nothing more is.
    hand_sql(&db, "CREATE TABLE scratch (id INTEGER); DROP TABLE scratch");
    let uninstalled = drydock(path, &db, &[], &["audit", "uninstall"]);
    assert!(uninstalled.status.success(), "{}", text(&uninstalled));
    hand_sql(&db, "CREATE TABLE later (id INTEGER)");
    let commands: Vec<String> = summary(&audit_entries(path, &db))
        .into_iter()
        .map(|(command, ..)| command)
        .collect();
    assert_eq!(
        commands,
        [
            "DROP TABLE",
            "CREATE TABLE",
            "ALTER TABLE",
            "migrate deploy"
        ]
    );
}

/// A log with three entries on `db`, and the project.
fn three_entries(db: &TestDb) -> tempfile::TempDir {
    let dir = project(db);
    for (index, table) in ["a", "b", "c"].iter().enumerate() {
        migration(
            dir.path(),
            &format!("2024010{}000000_{table}", index + 1),
            &format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY);\n"),
            None,
        );
        let deployed = drydock(dir.path(), db, &[], &["migrate", "deploy"]);
        assert!(deployed.status.success(), "{}", text(&deployed));
    }
    let verified = drydock(dir.path(), db, &[], &["audit", "--verify"]);
    assert!(verified.status.success(), "{}", text(&verified));
    dir
}

#[test]
fn an_edited_or_deleted_entry_breaks_the_chain_at_that_entry() {
    let db = TestDb::postgres();
    let dir = three_entries(&db);
    hand_sql(
        &db,
        "UPDATE _drydock._drydock_audit SET actor = 'mallory' WHERE seq = 2",
    );
    let edited = drydock(dir.path(), &db, &[], &["audit", "--verify"]);
    assert_eq!(edited.status.code(), Some(1));
    let said = text(&edited);
    assert!(
        said.contains("[D3200]") && said.contains("breaks at entry 2") && said.contains("edited"),
        "{said}"
    );

    let db = TestDb::postgres();
    let dir = three_entries(&db);
    hand_sql(&db, "DELETE FROM _drydock._drydock_audit WHERE seq = 2");
    let deleted = drydock(dir.path(), &db, &[], &["audit", "--verify"]);
    assert_eq!(deleted.status.code(), Some(1));
    let said = text(&deleted);
    assert!(
        said.contains("[D3200]") && said.contains("breaks at entry 3") && said.contains("deleted"),
        "{said}"
    );
}

#[test]
fn a_squash_is_audited_as_it_rewrites_the_history() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    let path = dir.path();
    for (name, table) in [
        ("20240101000000_init", "a"),
        ("20240102000000_b", "b"),
        ("20240103000000_c", "c"),
    ] {
        migration(
            path,
            name,
            &format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY);\n"),
            None,
        );
    }
    let deployed = drydock(path, &db, &[], &["migrate", "deploy"]);
    assert!(deployed.status.success(), "{}", text(&deployed));
    let squashed = drydock(
        path,
        &db,
        &[("DRYDOCK_ACTOR", "carol")],
        &[
            "migrate",
            "squash",
            "--from",
            "20240102000000_b",
            "--to",
            "20240103000000_c",
        ],
    );
    assert!(squashed.status.success(), "{}", text(&squashed));

    let entries = audit_entries(path, &db);
    assert_eq!(summary(&entries)[0].0, "migrate squash");
    assert_eq!(summary(&entries)[0].3, "carol");
    assert_eq!(
        entries[0]["target"],
        "20240103000000_c replacing 20240102000000_b, 20240103000000_c"
    );
    assert_eq!(
        entries[0]["details"]["replaced"],
        serde_json::json!(["20240102000000_b", "20240103000000_c"])
    );
    let verified = drydock(path, &db, &[], &["audit", "--verify"]);
    assert!(verified.status.success(), "{}", text(&verified));
}
