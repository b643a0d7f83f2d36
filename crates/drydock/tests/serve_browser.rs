//! The dashboard of `drydock serve` in a real browser: Debian's chromium driven by Playwright
//! (e2e/dashboard.mjs, one scenario per run), against the real binary on PostgreSQL.
//! `scripts/with-databases.sh` provides the browser (`TEST_CHROMIUM`) and Playwright
//! (`TEST_E2E_DIR`); without them these tests fail.
//!
//! `DRYDOCK_SCREENSHOTS=docs/screenshots` keeps the screenshots there (scripts/screenshots.sh).

use std::path::{Path, PathBuf};
use std::process::Command;

use drydock_test_support::TestDb;
use drydock_test_support::serve::*;
use serde_json::Value;

fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests through scripts/with-databases.sh")
    })
}

/// Run scenario `name` of e2e/dashboard.mjs against `server`: what it saw.
fn scenario(server: &Server, name: &str, screenshots: &Path) -> Value {
    let output = Command::new("node")
        .arg("dashboard.mjs")
        .arg(name)
        .current_dir(required("TEST_E2E_DIR"))
        .env("DRYDOCK_URL", &server.base)
        .env("CHROMIUM", required("TEST_CHROMIUM"))
        .env("OPERATOR", "alice")
        .env("OPERATOR_PASSWORD", ALICE_PASSWORD)
        .env("VIEWER", "bob")
        .env("VIEWER_PASSWORD", BOB_PASSWORD)
        .env("SCREENSHOTS", screenshots)
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "scenario {name}:\n{stdout}\n{}\nserver:\n{}",
        String::from_utf8_lossy(&output.stderr),
        server.stderr()
    );
    let line = stdout.lines().last().expect("the scenario's result");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// Where screenshots go: `DRYDOCK_SCREENSHOTS` (made absolute from the workspace), else a
/// temporary folder.
fn screenshot_dir(temporary: &Path) -> PathBuf {
    match std::env::var_os("DRYDOCK_SCREENSHOTS") {
        Some(dir) => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(dir);
            std::fs::create_dir_all(&dir).expect("the screenshots' folder");
            dir
        }
        None => temporary.to_owned(),
    }
}

/// Every page answers on a desktop and a phone and fits the phone's width; each screenshot is
/// a PNG of a real size.
#[test]
fn every_page_on_a_desktop_and_a_phone() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let server = Server::start(dir.path(), &db, &[]);
    let shots = tempfile::tempdir().expect("a folder");
    let shots = screenshot_dir(shots.path());
    let seen = scenario(&server, "screenshots", &shots);
    let pages = seen["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 12, "{seen:#}");
    for page in pages {
        assert_eq!(page["status"], 200, "{page}");
        assert!(
            page["overflow"].as_i64().is_some_and(|o| o <= 0),
            "the page is wider than the screen: {page}"
        );
    }
    for name in [
        "login",
        "overview",
        "maintenance",
        "migrations",
        "performance",
        "backups",
        "run",
    ] {
        for device in ["desktop", "phone"] {
            let file = shots.join(format!("{name}-{device}.png"));
            let png = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", file.display());
            assert!(png.len() > 5_000, "{} is nearly empty", file.display());
        }
    }
    assert_no_secret(&[], &server.stderr());
}

/// A state-changing request from the signed-in page without its CSRF token is refused.
#[test]
fn a_post_without_the_csrf_token_is_refused_in_the_browser() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let server = Server::start(dir.path(), &db, &[]);
    let shots = tempfile::tempdir().expect("a folder");
    let seen = scenario(&server, "csrf", shots.path());
    assert_eq!(seen["refused"]["status"], 403, "{seen:#}");
    assert_eq!(
        seen["refused"]["body"]["error"]["code"], "D7103",
        "{seen:#}"
    );
}

/// An operator approves the pending migration on the migrations page in the browser: the
/// form goes back to the page, which names her as the approver of the pending set.
#[test]
fn an_operator_approves_the_pending_migrations_in_the_browser() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let server = Server::start(dir.path(), &db, &[]);
    let shots = tempfile::tempdir().expect("a folder");
    let seen = scenario(&server, "approve", shots.path());
    assert_eq!(seen["label"], "Approve 1 pending migration", "{seen:#}");
    let approved = seen["approved"].as_str().expect("the approval");
    assert!(approved.starts_with("Approved by alice at "), "{seen:#}");
    assert!(approved.contains("it is the pending set now"), "{seen:#}");
    assert_no_secret(&[], &server.stderr());
}

/// An operator cleans up orphaned rows in the browser: the dry run's live log, the apply
/// enabled only once the phrase is typed exactly, the rows gone, both runs in the history as
/// hers. A viewer sees the same tasks with every button disabled, and a request sent anyway is
/// refused.
#[test]
fn an_operator_cleans_up_in_the_browser_and_a_viewer_cannot() {
    let db = TestDb::postgres();
    let dir = orphans_project(&db);
    let server = Server::start(dir.path(), &db, &[]);
    let shots = tempfile::tempdir().expect("a folder");

    let seen = scenario(&server, "cleanup", shots.path());
    let dry_run = &seen["dryRun"];
    assert!(
        dry_run["log"]
            .as_str()
            .is_some_and(|l| l.contains("2 orphans")),
        "the live log of the dry run: {seen:#}"
    );
    assert_eq!(seen["phrase"], "delete 2 rows", "{seen:#}");
    assert_eq!(seen["applyDisabledBeforeTyping"], true, "{seen:#}");
    assert_eq!(seen["applyDisabledWhenWrong"], true, "{seen:#}");
    assert!(
        seen["applied"]["state"]
            .as_str()
            .is_some_and(|s| s.starts_with("succeeded")),
        "{seen:#}"
    );
    let remaining: i64 = db
        .postgres_client()
        .query_one("SELECT count(*) FROM \"Post\"", &[])
        .expect("count")
        .get(0);
    assert_eq!(remaining, 1, "the two orphans are gone");
    let history = seen["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "the dry run and the apply: {seen:#}");
    assert!(
        history
            .iter()
            .all(|row| row.as_str().is_some_and(|r| r.contains("alice"))),
        "{seen:#}"
    );

    let seen = scenario(&server, "viewer", shots.path());
    assert!(seen["buttons"].as_u64().is_some_and(|n| n > 0), "{seen:#}");
    assert_eq!(
        seen["enabled"], 0,
        "a viewer's buttons are disabled: {seen:#}"
    );
    assert_eq!(seen["forced"]["status"], 403, "{seen:#}");
    assert_eq!(seen["forced"]["body"]["error"]["code"], "D7102", "{seen:#}");
    assert_eq!(seen["approveButtons"], 0, "{seen:#}");
    assert_no_secret(&[], &server.stderr());
}
