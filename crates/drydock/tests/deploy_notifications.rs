//! Notifications of `migrate deploy` (`[deploy] notify`, `notify_after`) to receivers on
//! 127.0.0.1 that the test starts: start and success, start and failure, a migration still
//! running past the threshold, in drydock's JSON and Slack's shape; a receiver that refuses
//! them never fails the deploy. The webhooks' URLs are never printed.

use assert_cmd::Command;
use drydock_test_support::TestDb;
use drydock_test_support::webhook::Receiver;
use serde_json::Value;

fn project(deploy: &str) -> tempfile::TempDir {
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
            "[deploy]\n{deploy}\n\n[[alerts.webhooks]]\nurl = \"env(\\\"TEST_HOOK\\\")\"\n\n\
             [[alerts.webhooks]]\nurl = \"env(\\\"TEST_SLACK_HOOK\\\")\"\nformat = \"slack\"\n"
        ),
    )
    .unwrap();
    dir
}

/// A PostgreSQL project with one migration, `deploy` as its `[deploy]`, and two receivers.
struct Setup {
    db: TestDb,
    dir: tempfile::TempDir,
    json: Receiver,
    slack: Receiver,
}

fn setup(deploy: &str, name: &str, sql: &str) -> Setup {
    let dir = project(deploy);
    let folder = dir.path().join("prisma/migrations").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("migration.sql"), sql).unwrap();
    Setup {
        db: TestDb::postgres(),
        dir,
        json: Receiver::start(),
        slack: Receiver::start(),
    }
}

impl Setup {
    fn deploy(&self) -> std::process::Output {
        let output = Command::cargo_bin("drydock")
            .expect("the drydock binary")
            .current_dir(self.dir.path())
            .env("DATABASE_URL", self.db.url())
            .env("TEST_HOOK", &self.json.url)
            .env("TEST_SLACK_HOOK", &self.slack.url)
            .env("DRYDOCK_ACTOR", "release-bot")
            .args(["migrate", "deploy"])
            .output()
            .expect("drydock");
        let all = text(&output);
        assert!(
            !all.contains("secret-token"),
            "a webhook URL was printed: {all}"
        );
        output
    }
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn events(messages: &[(String, Value)]) -> Vec<String> {
    messages
        .iter()
        .map(|(_, body)| body["event"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn assert_title(body: &Value, start: &str) {
    assert!(
        body["title"]
            .as_str()
            .is_some_and(|title| title.starts_with(start)),
        "{body}"
    );
}

const CREATE_A: &str = "CREATE TABLE \"A\" (\"id\" INTEGER PRIMARY KEY);\n";

#[test]
fn a_deploy_posts_its_start_and_its_success() {
    let setup = setup("notify = true", "20240101000000_init", CREATE_A);

    let deployed = setup.deploy();
    assert!(deployed.status.success(), "{}", text(&deployed));
    let messages = setup.json.take();
    assert_eq!(events(&messages), ["deploy.started", "deploy.succeeded"]);
    let started = &messages[0].1;
    assert_eq!(started["kind"], "notification");
    assert_eq!(started["source"], "migrate deploy");
    assert_eq!(started["severity"], "info");
    assert_eq!(started["migrations"][0], "20240101000000_init");
    assert_eq!(started["actor"], "release-bot");
    assert!(
        started["database"]
            .as_str()
            .is_some_and(|database| database.starts_with("postgresql://")),
        "{started}"
    );
    let succeeded = &messages[1].1;
    assert_eq!(succeeded["migrations"][0], "20240101000000_init");
    assert_title(succeeded, "migrate deploy succeeded: applied 1 migration");

    // The same two in Slack's shape.
    let slack_texts: Vec<String> = setup
        .slack
        .take()
        .iter()
        .map(|(_, body)| body["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(slack_texts.len(), 2, "{slack_texts:?}");
    assert!(slack_texts[0].starts_with("[DEPLOY.STARTED] postgresql://"));
    assert!(slack_texts[1].starts_with("[DEPLOY.SUCCEEDED] postgresql://"));

    // Nothing pending: nothing to tell.
    let again = setup.deploy();
    assert!(again.status.success());
    assert!(setup.json.take().is_empty());
}

#[test]
fn a_failing_deploy_posts_its_failure() {
    let setup = setup(
        "notify = true",
        "20240101000000_broken",
        "ALTER TABLE \"Missing\" ADD COLUMN \"x\" INTEGER;\n",
    );

    let failed = setup.deploy();
    assert!(!failed.status.success());
    let messages = setup.json.take();
    // The failure's notification, and the alert a failed deploy opens anyway (docs/alerts.md).
    assert_eq!(events(&messages), ["deploy.started", "deploy.failed", ""]);
    assert_eq!(messages[2].1["code"], "D6402");
    let body = &messages[1].1;
    assert_eq!(body["severity"], "error");
    assert_eq!(body["error_code"], "P3018");
    assert_title(body, "migrate deploy failed (P3018)");
}

#[test]
fn a_migration_running_past_the_threshold_posts_a_notice_while_it_runs() {
    let setup = setup(
        "notify_after = \"200ms\"",
        "20240101000000_slow",
        &format!("SELECT pg_sleep(2);\n{CREATE_A}"),
    );

    let deployed = setup.deploy();
    assert!(deployed.status.success(), "{}", text(&deployed));
    let messages = setup.json.take();
    assert_eq!(
        events(&messages),
        ["deploy.started", "migration.running", "deploy.succeeded"]
    );
    let running = &messages[1].1;
    assert_eq!(running["migration"], "20240101000000_slow");
    assert_eq!(running["severity"], "warning");
    assert_title(running, "migration 20240101000000_slow still running");
}

#[test]
fn a_receiver_that_refuses_notifications_never_fails_the_deploy() {
    let setup = setup("notify = true", "20240101000000_init", CREATE_A);
    // Every try of both notifications fails (three tries each).
    setup.json.answer(&[500; 6]);

    let deployed = setup.deploy();
    assert!(deployed.status.success(), "{}", text(&deployed));
    let said = text(&deployed);
    assert!(
        said.contains(
            "the notification deploy.started did not reach json webhook at http://127.0.0.1"
        ) && said.contains("it answered HTTP 500 (after 3 tries)"),
        "{said}"
    );
    assert!(setup.json.take().is_empty());
    assert_eq!(events(&setup.slack.take()).len(), 2);
}
