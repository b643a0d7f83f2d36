//! The performance and backups pages of `drydock serve` and its overview, through the real
//! binary: on PostgreSQL with query statistics (`TEST_POSTGRES_STATS_URL`, from
//! `scripts/with-databases.sh`), top queries, connections, sizes over two stored snapshots with
//! their charts, and a lock wait made by two real sessions with both of them named; on SQLite,
//! what the database cannot report said plainly, a backup's checksum and restore test, and the
//! latest check's findings and the open alert on the overview; on MariaDB, sessions and sizes.

use std::time::{Duration, Instant};

use drydock_test_support::serve::*;
use drydock_test_support::webhook::Receiver;
use drydock_test_support::{TestDb, wait_for};
use serde_json::Value;

/// `drydock args` in the project `dir` on `db`; its output, whatever its exit status.
fn run(dir: &std::path::Path, db: &TestDb, args: &[&str]) -> std::process::Output {
    drydock()
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", db.url())
        .output()
        .expect("drydock")
}

/// Append `text` to the project's drydock.toml.
fn add_settings(dir: &std::path::Path, text: &str) {
    let path = dir.join("drydock.toml");
    let mut settings = std::fs::read_to_string(&path).expect("drydock.toml");
    settings.push_str(text);
    std::fs::write(path, settings).expect("write drydock.toml");
}

#[test]
fn postgres_performance_shows_queries_connections_sizes_and_a_blocking_chain() {
    let db = TestDb::postgres_stats();
    let dir = project(&db);
    let mut setup = db.postgres_client();
    setup
        .batch_execute(
            "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
             INSERT INTO \"A\" SELECT g FROM generate_series(1, 100) g;
             SELECT count(*) FROM \"A\" WHERE id > 10;",
        )
        .expect("rows and statements");
    succeeds(dir.path(), &db, &["stats", "--snapshot"]);
    setup
        .batch_execute("INSERT INTO \"A\" SELECT g FROM generate_series(101, 20000) g;")
        .expect("more rows");
    // Snapshots are told apart by their time.
    std::thread::sleep(Duration::from_millis(1100));
    succeeds(dir.path(), &db, &["stats", "--snapshot"]);

    // Two real sessions: one holds a row lock in an open transaction, the other waits for it.
    let mut holder = db.postgres_client();
    let holder_pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    holder
        .batch_execute("BEGIN; SELECT id FROM \"A\" WHERE id = 1 FOR UPDATE;")
        .expect("the row lock");
    let mut waiter = db.postgres_client();
    let waiter_pid: i32 = waiter
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    let waiting = std::thread::spawn(move || {
        waiter
            .batch_execute("UPDATE \"A\" SET id = id WHERE id = 1")
            .expect("the update, once the lock is free");
    });

    let server = Server::start(dir.path(), &db, &[]);
    let mut http = Client::new(&server.base);
    let ci = bearer(CI_TOKEN);
    let deadline = Instant::now() + Duration::from_secs(30);
    let api = loop {
        let reply = http.get("/api/performance", &[("Authorization", &ci)]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let api = reply.json();
        let seen = api["lock_waits"]
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["pid"] == waiter_pid));
        if seen || Instant::now() > deadline {
            break api;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(api["version"], 1);
    assert_eq!(api["queries"]["status"], "available", "{api:#}");
    let top = api["queries"]["by_total_time"].as_array().expect("queries");
    assert!(!top.is_empty(), "{api:#}");
    assert!(top[0]["total_ms"].is_number());
    assert!(api["not_reported"]["queries"].is_null());
    assert!(api["not_reported"]["locks"].is_null());
    let connections = &api["connections"];
    assert!(
        connections["total"].as_u64().is_some_and(|n| n >= 2),
        "{connections:#}"
    );
    assert!(
        !connections["by_state"]
            .as_array()
            .expect("states")
            .is_empty()
    );
    let wait = api["lock_waits"]
        .as_array()
        .expect("lock waits")
        .iter()
        .find(|w| w["pid"] == waiter_pid)
        .unwrap_or_else(|| panic!("pid {waiter_pid} waits: {api:#}"));
    assert_eq!(wait["blocked_by"], serde_json::json!([holder_pid]));
    assert_eq!(wait["chain"][0]["pid"], holder_pid);
    assert!(wait["query"].as_str().is_some_and(|q| q.contains("UPDATE")));
    let history = &api["history"];
    assert_eq!(history["taken_at"].as_array().map(Vec::len), Some(2));
    let a = history["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["name"] == "public.A")
        .unwrap_or_else(|| panic!("public.A: {history:#}"));
    let sizes: Vec<u64> = a["bytes"]
        .as_array()
        .expect("sizes")
        .iter()
        .map(|b| b.as_u64().expect("bytes"))
        .collect();
    assert!(sizes.len() == 2 && sizes[1] > sizes[0], "{sizes:?}");
    assert!(
        api["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .any(|t| t["name"] == "A")
    );

    let (bob, _) = http.sign_in("bob", BOB_PASSWORD);
    let bob = bob.expect("bob's session");
    let page = http.get("/dashboard/performance", &[("Cookie", &bob)]);
    assert_eq!(page.status, 200, "{}", page.body);
    let html = &page.body;
    assert!(html.contains("aria-current=\"page\">Performance"), "{html}");
    assert!(html.contains("<svg class=\"chart\""), "{html}");
    assert!(html.contains("viewBox=\"0 0 400 "), "{html}");
    assert!(
        html.contains(" ms</text>"),
        "the bar chart's axis has its unit: {html}"
    );
    assert!(html.contains("time (UTC)"), "the size chart's axis: {html}");
    assert!(
        html.contains("<svg class=\"spark\""),
        "a table's trend: {html}"
    );
    assert!(html.contains("<code>public.A</code>"), "{html}");
    assert!(html.contains(&format!("pid {waiter_pid}")), "{html}");
    assert!(html.contains(&format!("pid {holder_pid}")), "{html}");
    assert!(html.contains("idle in transaction"), "{html}");
    assert!(!html.contains("Not reported here"), "{html}");
    assert_eq!(
        http.get("/dashboard/performance", &[]).header("location"),
        Some("/login")
    );

    holder.batch_execute("ROLLBACK").expect("release the lock");
    waiting.join().expect("the waiting session ends");
    assert_no_secret(&http.bodies, &server.stderr());
}

#[test]
fn sqlite_pages_say_what_they_cannot_report_and_show_backups_checks_and_alerts() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    let receiver = Receiver::start();
    add_settings(
        dir.path(),
        &format!(
            "\n[alerts]\n\n[[alerts.webhooks]]\nurl = \"{}\"\n\n\
             [[rules]]\nname = \"numbered rows\"\ntable = \"A\"\nwhere = \"id > 0\"\n\
             severity = \"warning\"\n",
            receiver.url
        ),
    );
    rusqlite::Connection::open(db.sqlite_path())
        .expect("the database")
        .execute_batch("INSERT INTO \"A\" (id) VALUES (1), (2);")
        .expect("rows");
    succeeds(dir.path(), &db, &["backup", "create"]);
    succeeds(dir.path(), &db, &["backup", "verify"]);
    let checked = run(dir.path(), &db, &["check", "--fail-on", "error"]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(
        wait_for(|| !receiver.take().is_empty()),
        "the alert was sent"
    );

    let server = Server::start(dir.path(), &db, &[]);
    let mut http = Client::new(&server.base);
    let ci = bearer(CI_TOKEN);

    let performance = http.get("/api/performance", &[("Authorization", &ci)]);
    assert_eq!(performance.status, 200, "{}", performance.body);
    let performance = performance.json();
    assert_eq!(performance["queries"]["status"], "unavailable");
    assert!(performance["not_reported"]["queries"].is_string());
    assert!(performance["not_reported"]["locks"].is_string());
    assert!(performance["connections"].is_null());
    assert_eq!(performance["lock_waits"], serde_json::json!([]));

    let backups = http.get("/api/backups", &[("Authorization", &ci)]);
    assert_eq!(backups.status, 200, "{}", backups.body);
    let backups = backups.json();
    assert_eq!(backups["configured"], true);
    let backup: &Value = &backups["backups"][0];
    assert_eq!(backup["state"], "restore-tested", "{backups:#}");
    assert_eq!(backup["restore_test"]["ok"], true);
    assert!(backup["checksummed_at"].is_string());
    let id = backup["id"].as_str().expect("an id").to_owned();
    let sha256 = backup["sha256"].as_str().expect("a checksum").to_owned();
    assert_eq!(sha256.len(), 64);
    assert_eq!(
        backup["verify"],
        format!("/dashboard/maintenance?task=backup-verify&backup={id}")
    );
    assert_eq!(
        backup["restore"],
        format!("/dashboard/maintenance?task=backup-restore&backup={id}")
    );
    assert_eq!(backups["warnings"], serde_json::json!([]), "{backups:#}");

    let (alice, _) = http.sign_in("alice", ALICE_PASSWORD);
    let alice = alice.expect("alice's session");
    let page = http.get("/dashboard/performance", &[("Cookie", &alice)]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Not reported here"), "{}", page.body);
    assert!(page.body.contains("no server sessions"), "{}", page.body);
    assert!(page.body.contains("<code>A</code>"), "{}", page.body);
    assert!(!page.body.contains("class=\"error\""), "{}", page.body);

    let page = http.get("/dashboard/backups", &[("Cookie", &alice)]);
    assert_eq!(page.status, 200, "{}", page.body);
    let html = &page.body;
    assert!(html.contains("aria-current=\"page\">Backups"), "{html}");
    assert!(html.contains(&sha256), "{html}");
    assert!(html.contains("restore-tested"), "{html}");
    assert!(html.contains("matched "), "{html}");
    assert!(
        html.contains(&format!(
            "maintenance?task=backup-verify&amp;backup={id}\">Verify now</a>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "maintenance?task=backup-restore&amp;backup={id}\">Restore into a new database</a>"
        )),
        "{html}"
    );
    let (bob, _) = http.sign_in("bob", BOB_PASSWORD);
    let bob = bob.expect("bob's session");
    let viewed = http.get("/dashboard/backups", &[("Cookie", &bob)]);
    assert_eq!(viewed.status, 200);
    assert!(viewed.body.contains(&sha256));
    assert!(
        !viewed.body.contains("Verify now"),
        "viewers get no actions"
    );

    let overview = http.get("/", &[("Cookie", &alice)]);
    assert_eq!(overview.status, 200, "{}", overview.body);
    let html = &overview.body;
    assert!(html.contains(&sha256), "the newest backup: {html}");
    assert!(html.contains("restore-tested"), "{html}");
    assert!(html.contains("Latest check"), "{html}");
    assert!(
        html.contains("<div class=\"n warn\">1</div>warning"),
        "one warning: {html}"
    );
    assert!(html.contains("numbered rows"), "the finding: {html}");
    assert!(html.contains("Alerts firing"), "{html}");
    assert!(
        html.contains("<td>check</td>"),
        "the open alert of check: {html}"
    );
    assert!(!html.contains("secret-token"), "the webhook's URL: {html}");
    assert_no_secret(&http.bodies, &server.stderr());
}

#[test]
fn mariadb_performance_page_shows_sessions_and_sizes() {
    let db = TestDb::mysql();
    let dir = project(&db);
    succeeds(dir.path(), &db, &["stats", "--snapshot"]);
    let server = Server::start(dir.path(), &db, &[]);
    let mut http = Client::new(&server.base);
    let api = http.get("/api/performance", &[("Authorization", &bearer(CI_TOKEN))]);
    assert_eq!(api.status, 200, "{}", api.body);
    let api = api.json();
    assert!(
        api["connections"]["total"].as_u64().is_some_and(|n| n >= 1),
        "{api:#}"
    );
    assert!(api["not_reported"]["locks"].is_null());
    assert!(
        api["tables"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["name"] == "A")),
        "{api:#}"
    );
    assert_eq!(api["history"]["taken_at"].as_array().map(Vec::len), Some(1));
    let (bob, _) = http.sign_in("bob", BOB_PASSWORD);
    let page = http.get(
        "/dashboard/performance",
        &[("Cookie", &bob.expect("a session"))],
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("class=\"error\""), "{}", page.body);
    assert!(page.body.contains("<code>"), "{}", page.body);
    assert_no_secret(&http.bodies, &server.stderr());
}
