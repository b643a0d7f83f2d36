//! Alerts of `migrate deploy` and `stats` from the command line, sent to a receiver on 127.0.0.1 that the
//! test starts: a failed deploy (D6402) and a slow migration (D6401) fire once, and clear once a
//! later deploy goes well. The webhook's URL, read from the environment, is never printed.

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use drydock_test_support::webhook::Receiver;
use serde_json::Value;

fn project(alerts: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a project folder");
    std::fs::create_dir_all(dir.path().join("prisma/migrations")).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
         model A {\n  id Int @id\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("drydock.toml"),
        format!(
            "[alerts]\n{alerts}\n[[alerts.webhooks]]\nurl = \"env(\\\"TEST_ALERT_HOOK\\\")\"\n"
        ),
    )
    .unwrap();
    dir
}

fn migration(dir: &Path, name: &str, sql: &str) {
    let folder = dir.join("prisma/migrations").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("migration.sql"), sql).unwrap();
}

fn drydock(dir: &Path, db: &TestDb, receiver: &Receiver, args: &[&str]) -> std::process::Output {
    let output = Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env("DATABASE_URL", db.url())
        .env("TEST_ALERT_HOOK", &receiver.url)
        .args(args)
        .output()
        .expect("drydock");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !all.contains("secret-token"),
        "the webhook URL was printed: {all}"
    );
    output
}

fn states(messages: &[(String, Value)]) -> Vec<(String, String)> {
    messages
        .iter()
        .map(|(_, body)| {
            (
                body["state"].as_str().unwrap_or_default().to_owned(),
                body["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_failed_deploy_alerts_once_and_clears_when_a_deploy_succeeds() {
    let db = TestDb::postgres();
    let receiver = Receiver::start();
    let dir = project("");
    let path = dir.path();
    migration(
        path,
        "20240101000000_init",
        "CREATE TABLE \"A\" (\"id\" INTEGER PRIMARY KEY);\n",
    );
    migration(
        path,
        "20240102000000_broken",
        "ALTER TABLE \"Missing\" ADD COLUMN \"x\" INTEGER;\n",
    );

    let failed = drydock(path, &db, &receiver, &["migrate", "deploy"]);
    assert!(!failed.status.success());
    let messages = receiver.take();
    assert_eq!(
        states(&messages),
        [("firing".to_owned(), "D6402".to_owned())]
    );
    let body = &messages[0].1;
    assert_eq!(body["source"], "migrate deploy");
    assert!(
        body["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("migrate deploy failed"),
        "{body}"
    );
    assert_eq!(body["objects"][0]["kind"], "database");

    // Blocked by the failed migration: still failing, nothing new sent.
    let blocked = drydock(path, &db, &receiver, &["migrate", "deploy"]);
    assert!(!blocked.status.success());
    assert!(
        receiver.take().is_empty(),
        "a lasting failure was announced again"
    );

    // Fixed: the next deploy goes well and the alert clears, once.
    let resolved = drydock(
        path,
        &db,
        &receiver,
        &[
            "migrate",
            "resolve",
            "--rolled-back",
            "20240102000000_broken",
        ],
    );
    assert!(resolved.status.success(), "{resolved:?}");
    migration(
        path,
        "20240102000000_broken",
        "ALTER TABLE \"A\" ADD COLUMN \"x\" INTEGER;\n",
    );
    let deployed = drydock(path, &db, &receiver, &["migrate", "deploy"]);
    assert!(deployed.status.success(), "{deployed:?}");
    assert_eq!(
        states(&receiver.take()),
        [("resolved".to_owned(), "D6402".to_owned())]
    );
    let again = drydock(path, &db, &receiver, &["migrate", "deploy"]);
    assert!(again.status.success());
    assert!(receiver.take().is_empty());
}

#[test]
fn a_migration_slower_than_the_threshold_alerts_and_the_next_deploy_clears_it() {
    let db = TestDb::postgres();
    let receiver = Receiver::start();
    let dir = project("slow_migration = \"1s\"\n");
    let path = dir.path();
    migration(
        path,
        "20240101000000_slow",
        "SELECT pg_sleep(1.2);\nCREATE TABLE \"A\" (\"id\" INTEGER PRIMARY KEY);\n",
    );

    let deployed = drydock(path, &db, &receiver, &["migrate", "deploy"]);
    assert!(deployed.status.success(), "{deployed:?}");
    let messages = receiver.take();
    assert_eq!(
        states(&messages),
        [("firing".to_owned(), "D6401".to_owned())]
    );
    assert_eq!(messages[0].1["objects"][0]["name"], "20240101000000_slow");
    assert_eq!(messages[0].1["severity"], "warning");

    let quiet = drydock(path, &db, &receiver, &["migrate", "deploy"]);
    assert!(quiet.status.success());
    assert_eq!(
        states(&receiver.take()),
        [("resolved".to_owned(), "D6401".to_owned())]
    );
}

#[test]
fn a_stats_finding_alerts_once_while_it_lasts_and_clears_when_it_ends() {
    let db = TestDb::postgres_stats();
    let receiver = Receiver::start();
    let dir = project("");
    let path = dir.path();
    std::fs::write(
        path.join("drydock.toml"),
        "[stats.thresholds]\nidle_in_transaction = { warning = \"1s\", error = \"1h\" }\n\n\
         [[alerts.webhooks]]\nurl = \"env(\\\"TEST_ALERT_HOOK\\\")\"\nformat = \"slack\"\n",
    )
    .unwrap();
    let mut idle = db.postgres_client();
    idle.batch_execute("BEGIN; SELECT 1;").unwrap();
    // The session turns idle in transaction for more than a second: bounded wait.
    let mut messages = Vec::new();
    for _ in 0..50 {
        drydock(path, &db, &receiver, &["stats"]);
        messages = receiver.take();
        if !messages.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(messages.len(), 1, "{messages:?}");
    let text = messages[0].1["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("[FIRING] warning D6302"), "{text}");

    drydock(path, &db, &receiver, &["stats"]);
    assert!(
        receiver.take().is_empty(),
        "a lasting condition was announced again"
    );

    idle.batch_execute("COMMIT").unwrap();
    drydock(path, &db, &receiver, &["stats"]);
    let cleared = receiver.take();
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    let text = cleared[0].1["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("[RESOLVED] warning D6302"), "{text}");
}

#[test]
fn check_finds_orphans_without_foreign_keys_and_alerts_until_they_are_gone() {
    let db = TestDb::postgres();
    let receiver = Receiver::start();
    let dir = project("");
    let path = dir.path();
    std::fs::write(
        path.join("prisma/schema.prisma"),
        "datasource db {\n  provider     = \"postgresql\"\n  url          = env(\"DATABASE_URL\")\n  \
         relationMode = \"prisma\"\n}\n\nmodel Customer {\n  id     Int     @id\n  orders Order[]\n}\n\n\
         model Order {\n  id         Int      @id\n  customerId Int\n  customer   Customer @relation(fields: [customerId], references: [id])\n\n  \
         @@index([customerId])\n}\n",
    )
    .unwrap();
    let pushed = drydock(path, &db, &receiver, &["db", "push"]);
    assert!(pushed.status.success(), "{pushed:?}");
    db.postgres_client()
        .batch_execute(
            "INSERT INTO \"Customer\" VALUES (1); INSERT INTO \"Order\" VALUES (10, 1), (11, 2);",
        )
        .unwrap();

    let checked = drydock(path, &db, &receiver, &["check", "--only", "D6101"]);
    let text = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(1), "{text}");
    assert!(text.contains("D6101"), "{text}");
    let messages = receiver.take();
    assert_eq!(
        states(&messages),
        [("firing".to_owned(), "D6101".to_owned())]
    );
    assert_eq!(messages[0].1["source"], "check");

    db.postgres_client()
        .batch_execute("DELETE FROM \"Order\" WHERE id = 11")
        .unwrap();
    let clean = drydock(path, &db, &receiver, &["check", "--only", "D6101"]);
    assert!(clean.status.success(), "{clean:?}");
    assert_eq!(
        states(&receiver.take()),
        [("resolved".to_owned(), "D6101".to_owned())]
    );
}
