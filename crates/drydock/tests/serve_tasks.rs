//! Tasks run from `drydock serve` (the real binary), on PostgreSQL and SQLite: an operator's
//! cleanup dry run through the API, its log followed as Server-Sent Events to its end; an apply
//! refused without the dry run's phrase (nothing deleted), then done with it; both runs in the
//! run log as alice's with their counts and logs. Roles, CSRF, a restore onto the served
//! database refused, options checked, a form without script sent to the run's page, and the
//! maintenance page with every task.

use drydock_test_support::serve::*;
use drydock_test_support::{DatabaseKind, TestDb};
use serde_json::{Value, json};

/// Every task the server runs, as its route names it.
const TASKS: [&str; 9] = [
    "check",
    "cleanup",
    "indexes",
    "stats-snapshot",
    "backup-create",
    "backup-verify",
    "backup-prune",
    "backup-restore",
    "lint-pending",
];

fn posts(db: &TestDb) -> i64 {
    match db.kind() {
        DatabaseKind::Postgres => db
            .postgres_client()
            .query_one("SELECT count(*) FROM \"Post\"", &[])
            .expect("count")
            .get(0),
        _ => rusqlite::Connection::open(db.sqlite_path())
            .expect("open")
            .query_row("SELECT count(*) FROM \"Post\"", [], |row| row.get(0))
            .expect("count"),
    }
}

/// The events of a Server-Sent Events body: each one's name and JSON data.
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut name = "message".to_owned();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = value.trim_start().to_owned();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.strip_prefix(' ').unwrap_or(value));
                }
            }
            (!data.is_empty()).then(|| {
                let data = serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}: {data}"));
                (name, data)
            })
        })
        .collect()
}

/// The run's events, read to the end of the stream: its log lines and its `end` event (the
/// last one).
fn follow(http: &mut Client, auth: &[(&str, &str)], url: &str) -> (Vec<String>, Value) {
    let reply = http.get(url, auth);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream")),
        "{:?}",
        reply.headers
    );
    let events = events(&reply.body);
    let lines = events
        .iter()
        .filter(|(name, _)| name == "line")
        .map(|(_, data)| data["line"].as_str().expect("a line").to_owned())
        .collect();
    let (name, end) = events.last().cloned().expect("events");
    assert_eq!(name, "end", "the stream ends with `end`: {}", reply.body);
    (lines, end)
}

fn runs_tasks_with_live_logs(db: &TestDb) {
    let dir = orphans_project(db);
    let server = Server::start(dir.path(), db, &[]);
    let mut http = Client::new(&server.base);
    let (alice, _) = http.sign_in("alice", ALICE_PASSWORD);
    let alice = alice.expect("alice's session");

    let page = http.get("/dashboard/maintenance", &[("Cookie", &alice)]);
    assert_eq!(page.status, 200, "{}", page.body);
    for task in TASKS {
        assert!(
            page.body.contains(&format!("id=\"task-{task}\"")),
            "{task} on the page"
        );
        assert!(page.body.contains(&format!("action=\"/api/tasks/{task}\"")));
    }
    assert!(page.body.contains("Dry run"));
    assert!(page.body.contains("aria-current=\"page\">Maintenance"));
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "nothing from another host"
    );
    let csrf = page.csrf();
    let session = [("Cookie", alice.as_str()), ("X-CSRF-Token", csrf.as_str())];

    // Preselected by another page's link: the task first, its option filled in.
    let linked = http.get(
        "/dashboard/maintenance?task=backup-verify&backup=20261206T000000_abc",
        &[("Cookie", &alice)],
    );
    assert_eq!(linked.status, 200);
    let first = linked.body.find("id=\"task-").expect("a card");
    assert!(linked.body[first..].starts_with("id=\"task-backup-verify\""));
    assert!(linked.body.contains("value=\"20261206T000000_abc\""));

    // The dry run: 202 with the run and its events, which end with the counts and the phrase.
    let started = http.post("/api/tasks/cleanup", &session, &[]);
    assert_eq!(started.status, 202, "{}", started.body);
    let started = started.json();
    let dry_run = started["run"].as_str().expect("the run").to_owned();
    assert_eq!(
        started["events"],
        json!(format!("/api/runs/{dry_run}/events"))
    );
    let (lines, end) = follow(&mut http, &session, &format!("/api/runs/{dry_run}/events"));
    assert!(
        lines.iter().any(|l| l.contains("2 orphans")),
        "the orphans counted in the log: {lines:#?}"
    );
    assert_eq!(end["run"], json!(dry_run));
    assert_eq!(end["status"], "succeeded", "{end:#}");
    assert_eq!(end["examined"], 2);
    assert_eq!(end["affected"], 0);
    assert_eq!(end["confirm"], "delete 2 rows");
    assert_eq!(posts(db), 3, "a dry run deletes nothing");

    // The dry run's page offers its apply (a form that works without script).
    let dry_page = http.get(&format!("/dashboard/runs/{dry_run}"), &[("Cookie", &alice)]);
    assert_eq!(dry_page.status, 200);
    assert!(
        dry_page.body.contains("<code>delete 2 rows</code>"),
        "{}",
        dry_page.body
    );
    assert!(
        dry_page
            .body
            .contains(&format!("name=\"dry_run\" value=\"{dry_run}\"")),
        "{}",
        dry_page.body
    );
    // A form sent without script that is refused comes back as the page, with the error.
    let refused = http.post(
        "/api/tasks/cleanup",
        &[("Cookie", &alice), ("Accept", "text/html")],
        &[("csrf", &csrf), ("apply", "true"), ("dry_run", &dry_run)],
    );
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("D7116"), "{}", refused.body);
    assert!(refused.body.contains("id=\"task-cleanup\""));

    // A late reader of the ended run gets its stored log, then the end.
    let (replayed, end) = follow(&mut http, &session, &format!("/api/runs/{dry_run}/events"));
    assert!(replayed.iter().any(|l| l.contains("2 orphans")));
    assert_eq!(end["examined"], 2);

    // An apply needs the dry run and its phrase: refused without them, nothing deleted.
    let refused = http.post(
        "/api/tasks/cleanup",
        &session,
        &[("apply", "true"), ("confirm", "delete 2 rows")],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "D7115");
    let refused = http.post(
        "/api/tasks/cleanup",
        &session,
        &[("apply", "true"), ("dry_run", &dry_run)],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "D7116");
    let refused = http.post(
        "/api/tasks/cleanup",
        &session,
        &[
            ("apply", "true"),
            ("dry_run", &dry_run),
            ("confirm", "delete 3 rows"),
        ],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "D7116");
    let refused = http.post(
        "/api/tasks/cleanup",
        &session,
        &[
            ("apply", "true"),
            ("dry_run", &dry_run),
            ("confirm", "delete 2 rows"),
            ("only", "Post.author"),
        ],
    );
    assert_eq!(refused.status, 409, "other options: {}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "D7115");
    assert_eq!(posts(db), 3, "nothing deleted by a refused apply");

    // On PostgreSQL the apply waits for a lock the test holds: meanwhile the same task and
    // another that changes data are refused.
    let mut holder = (db.kind() == DatabaseKind::Postgres).then(|| {
        let mut client = db.postgres_client();
        client
            .batch_execute("BEGIN; LOCK TABLE \"Post\" IN ACCESS EXCLUSIVE MODE")
            .expect("the lock");
        client
    });
    let applied = http.post(
        "/api/tasks/cleanup",
        &session,
        &[
            ("apply", "true"),
            ("dry_run", &dry_run),
            ("confirm", "delete 2 rows"),
        ],
    );
    assert_eq!(applied.status, 202, "{}", applied.body);
    let apply = applied.json()["run"].as_str().expect("the run").to_owned();
    if let Some(client) = holder.as_mut() {
        let twice = http.post("/api/tasks/cleanup", &session, &[]);
        assert_eq!(twice.status, 409, "{}", twice.body);
        assert_eq!(twice.json()["error"]["code"], "D7111");
        let other = http.post(
            "/api/tasks/backup-restore",
            &session,
            &[("target", "postgresql://127.0.0.1/never_made")],
        );
        assert_eq!(other.status, 409, "{}", other.body);
        assert_eq!(other.json()["error"]["code"], "D7110");
        client.batch_execute("COMMIT").expect("the lock released");
    }
    let (lines, end) = follow(&mut http, &session, &format!("/api/runs/{apply}/events"));
    assert_eq!(end["status"], "succeeded", "{end:#} {lines:#?}");
    assert_eq!(end["examined"], 2);
    assert_eq!(end["affected"], 2);
    assert!(end["confirm"].is_null());
    assert_eq!(posts(db), 1, "the two orphans deleted");
    // A dry run confirms one apply.
    let again = http.post(
        "/api/tasks/cleanup",
        &session,
        &[
            ("apply", "true"),
            ("dry_run", &dry_run),
            ("confirm", "delete 2 rows"),
        ],
    );
    assert_eq!(again.json()["error"]["code"], "D7115", "{}", again.body);

    // Both runs in the run log, as alice's, with counts and the full log.
    let ci = bearer(CI_TOKEN);
    let runs = http
        .get("/api/runs?task=cleanup", &[("Authorization", &ci)])
        .json();
    let runs = runs["runs"].as_array().expect("runs");
    for (id, affected, applied) in [(&dry_run, 0, false), (&apply, 2, true)] {
        let run = runs
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} in {runs:#?}"));
        assert_eq!(run["actor"], "alice");
        assert_eq!(run["status"], "succeeded");
        assert_eq!(run["examined"], 2);
        assert_eq!(run["affected"], affected);
        assert_eq!(run["parameters"]["apply"], applied);
        assert_eq!(run["parameters"]["via"], "drydock serve");
    }
    // The apply changed rows: its audit entry names alice, who asked for it, not the server's
    // user.
    let audit = drydock_engine::dialects::for_url(db.url())
        .expect("a dialect")
        .open_audit_log(db.url())
        .expect("the audit log")
        .entries()
        .expect("its entries");
    let applied: Vec<_> = audit
        .iter()
        .filter(|entry| entry.record.command == "cleanup --apply")
        .collect();
    assert_eq!(applied.len(), 1, "{audit:#?}");
    assert_eq!(applied[0].record.actor, "alice");
    assert_eq!(applied[0].record.result, "succeeded");
    assert_eq!(drydock_connector::verify_chain(&audit), None);
    let shown = http
        .get(&format!("/api/runs/{apply}"), &[("Authorization", &ci)])
        .json();
    let log = shown["run"]["log"].as_str().expect("the log");
    assert!(log.contains("2 orphans"), "{log}");
    assert!(log.contains("Archived first in"), "{log}");
    let run_page = http.get(&format!("/dashboard/runs/{apply}"), &[("Cookie", &alice)]);
    assert_eq!(run_page.status, 200);
    assert!(run_page.body.contains("2 orphans"));
    assert!(run_page.body.contains("alice"));
    let history = http.get("/dashboard/maintenance", &[("Cookie", &alice)]);
    assert!(history.body.contains(&format!("/dashboard/runs/{apply}")));
    assert!(history.body.contains(&format!("/dashboard/runs/{dry_run}")));

    // A viewer may not run tasks; a session must send its CSRF token.
    let (bob, _) = http.sign_in("bob", BOB_PASSWORD);
    let bob = bob.expect("bob's session");
    let bob_csrf = http
        .get("/dashboard/maintenance", &[("Cookie", &bob)])
        .csrf();
    let viewer = http.post(
        "/api/tasks/cleanup",
        &[("Cookie", &bob), ("X-CSRF-Token", &bob_csrf)],
        &[],
    );
    assert_eq!(viewer.status, 403);
    assert_eq!(viewer.json()["error"]["code"], "D7102");
    let no_csrf = http.post("/api/tasks/cleanup", &[("Cookie", &alice)], &[]);
    assert_eq!(no_csrf.status, 403);
    assert_eq!(no_csrf.json()["error"]["code"], "D7103");

    // Never a restore over the served database.
    let deploy = bearer(DEPLOY_TOKEN);
    let served = http.post(
        "/api/tasks/backup-restore",
        &[("Authorization", &deploy)],
        &[("target", db.url())],
    );
    assert_eq!(served.status, 409, "{}", served.body);
    assert_eq!(served.json()["error"]["code"], "D7118");
    let no_target = http.post(
        "/api/tasks/backup-restore",
        &[("Authorization", &deploy)],
        &[],
    );
    assert_eq!(no_target.json()["error"]["code"], "D7114");
    let existing = TestDb::new(db.kind());
    let other = dir.path().join("other.db");
    let existing_url = match db.kind() {
        DatabaseKind::Sqlite => {
            rusqlite::Connection::open(&other)
                .and_then(|c| c.execute_batch("CREATE TABLE t (id INTEGER)"))
                .expect("another SQLite database");
            format!("file:{}", other.display())
        }
        _ => existing.url().to_owned(),
    };
    let exists = http.post(
        "/api/tasks/backup-restore",
        &[("Authorization", &deploy)],
        &[("target", &existing_url)],
    );
    assert_eq!(exists.status, 409, "{}", exists.body);
    assert_eq!(exists.json()["error"]["code"], "D7117");

    // Unknown tasks and options, bad values.
    let unknown = http.post("/api/tasks/vacuum", &[("Authorization", &deploy)], &[]);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["code"], "D7105");
    let option = http.post(
        "/api/tasks/cleanup",
        &[("Authorization", &deploy)],
        &[("force", "true")],
    );
    assert_eq!(option.status, 400);
    assert_eq!(option.json()["error"]["code"], "D7112");
    assert!(option.body.contains("force"), "{}", option.body);
    let value = http.post(
        "/api/tasks/cleanup",
        &[("Authorization", &deploy)],
        &[("batch_size", "many")],
    );
    assert_eq!(value.status, 400);
    assert_eq!(value.json()["error"]["code"], "D7113");
    assert!(value.body.contains("batch_size"), "{}", value.body);

    // Options as JSON; a body that is neither JSON nor a form.
    let (status, body) = raw_post(
        &server.base,
        "/api/tasks/backup-verify",
        &[
            ("Authorization", &deploy),
            ("Content-Type", "application/json"),
        ],
        r#"{"checksum_only": "maybe"}"#,
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("D7113") && body.contains("checksum_only"),
        "{body}"
    );
    let (status, body) = raw_post(
        &server.base,
        "/api/tasks/lint-pending",
        &[
            ("Authorization", &deploy),
            ("Content-Type", "application/json"),
        ],
        r#"{"max_rows": 10}"#,
    );
    assert_eq!(status, 202, "{body}");
    let run: Value = serde_json::from_str(&body).expect("JSON");
    let (_, end) = follow(
        &mut http,
        &[("Authorization", &ci)],
        run["events"].as_str().expect("the events"),
    );
    assert_ne!(end["status"], "failed", "{end:#}");
    let (status, body) = raw_post(
        &server.base,
        "/api/tasks/indexes",
        &[("Authorization", &deploy), ("Content-Type", "text/plain")],
        "slow_query_ms=5",
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("D7119"), "{body}");

    // A form sent without script goes to the run's page.
    let form = http.post(
        "/api/tasks/lint-pending",
        &[("Cookie", &alice), ("Accept", "text/html")],
        &[("csrf", &csrf)],
    );
    assert_eq!(form.status, 303, "{}", form.body);
    let location = form.header("location").expect("the run's page").to_owned();
    assert!(location.starts_with("/dashboard/runs/"), "{location}");
    let id = location.trim_start_matches("/dashboard/runs/").to_owned();
    let (lines, end) = follow(&mut http, &session, &format!("/api/runs/{id}/events"));
    assert_ne!(end["status"], "failed", "{end:#} {lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("pending migration")),
        "{lines:#?}"
    );
    let run_page = http.get(&location, &[("Cookie", &alice)]);
    assert_eq!(run_page.status, 200);
    assert!(run_page.body.contains("lint pending"));
    let form = http.post(
        "/api/tasks/check",
        &[("Cookie", &alice), ("Accept", "text/html")],
        &[("csrf", &csrf)],
    );
    assert_eq!(form.status, 303, "{}", form.body);
    let location = form.header("location").expect("the run's page").to_owned();
    let id = location.trim_start_matches("/dashboard/runs/").to_owned();
    let (_, end) = follow(&mut http, &session, &format!("/api/runs/{id}/events"));
    assert_ne!(end["status"], "failed", "{end:#}");

    // `check` still answers with its findings, and its events replay.
    let check = http.post("/api/tasks/check", &[("Authorization", &deploy)], &[]);
    assert_eq!(check.status, 200, "{}", check.body);
    let check = check.json();
    assert!(check["findings"].is_array(), "{check:#}");
    let run = check["run"].as_str().expect("the run");
    let (_, end) = follow(
        &mut http,
        &[("Authorization", &ci)],
        &format!("/api/runs/{run}/events"),
    );
    assert_eq!(end["status"], check["status"]);

    // Advice and a snapshot, as their commands give them.
    for task in ["indexes", "stats-snapshot"] {
        let started = http.post(
            &format!("/api/tasks/{task}"),
            &[("Authorization", &deploy)],
            &[],
        );
        assert_eq!(started.status, 202, "{task}: {}", started.body);
        let events = started.json()["events"]
            .as_str()
            .expect("events")
            .to_owned();
        let (lines, end) = follow(&mut http, &[("Authorization", &ci)], &events);
        assert_ne!(end["status"], "failed", "{task}: {end:#} {lines:#?}");
    }

    // The document lists the routes.
    let openapi = http
        .get("/api/openapi.json", &[("Authorization", &ci)])
        .json();
    for path in [
        "/api/tasks/{task}",
        "/api/runs/{id}/events",
        "/dashboard/maintenance",
        "/dashboard/runs/{id}",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path}");
    }

    assert_no_secret(&http.bodies, &server.stderr());
}

/// The backup tasks from the server on SQLite: two backups made, the newest checked, restored
/// into a new database; the older one pruned after a dry run and its phrase.
#[test]
fn sqlite_backups_are_made_checked_restored_and_pruned() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    let server = Server::start(dir.path(), &db, &[]);
    let mut http = Client::new(&server.base);
    let deploy = bearer(DEPLOY_TOKEN);
    let auth = [("Authorization", deploy.as_str())];
    let run = |http: &mut Client, task: &str, options: &[(&str, &str)]| {
        let started = http.post(&format!("/api/tasks/{task}"), &auth, options);
        assert_eq!(started.status, 202, "{task}: {}", started.body);
        let events = started.json()["events"]
            .as_str()
            .expect("events")
            .to_owned();
        follow(http, &auth, &events)
    };
    for _ in 0..2 {
        let (lines, end) = run(&mut http, "backup-create", &[]);
        assert_eq!(end["status"], "succeeded", "{end:#} {lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("Wrote ")), "{lines:#?}");
        // Backup ids count seconds: the second one is another.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let (_, end) = run(&mut http, "backup-verify", &[("checksum_only", "true")]);
    assert_eq!(end["status"], "succeeded", "{end:#}");
    assert!(
        end["summary"]
            .as_str()
            .is_some_and(|s| s.contains("checksum ok")),
        "{end:#}"
    );

    let restored = dir.path().join("restored.db");
    let target = format!("file:{}", restored.display());
    let (lines, end) = run(
        &mut http,
        "backup-restore",
        &[("target", &target), ("allow_unverified", "true")],
    );
    assert_eq!(end["status"], "succeeded", "{end:#} {lines:#?}");
    assert!(restored.is_file(), "the new database");
    let exists = http.post("/api/tasks/backup-restore", &auth, &[("target", &target)]);
    assert_eq!(exists.json()["error"]["code"], "D7117", "{}", exists.body);

    let (lines, end) = run(&mut http, "backup-prune", &[("keep_last", "1")]);
    assert_eq!(end["status"], "succeeded", "{end:#}");
    assert!(
        lines.iter().any(|l| l.starts_with("would delete")),
        "{lines:#?}"
    );
    let phrase = end["confirm"].as_str().expect("a phrase").to_owned();
    assert!(phrase.starts_with("delete "), "{phrase}");
    let dry_run = end["run"].as_str().expect("the run").to_owned();
    let backups = || {
        std::fs::read_dir(dir.path().join("backups"))
            .expect("the backup folder")
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .count()
    };
    let before = backups();
    let (lines, end) = run(
        &mut http,
        "backup-prune",
        &[
            ("keep_last", "1"),
            ("apply", "true"),
            ("dry_run", &dry_run),
            ("confirm", &phrase),
        ],
    );
    assert_eq!(end["status"], "succeeded", "{end:#} {lines:#?}");
    assert!(end["affected"].as_u64().is_some_and(|n| n >= 1), "{end:#}");
    assert!(backups() < before, "a backup pruned");
    assert_no_secret(&http.bodies, &server.stderr());
}

/// A POST with any body and content type: the status and the body of the answer.
fn raw_post(base: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("the server");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("the request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("the answer");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn postgres_tasks_run_with_live_logs() {
    runs_tasks_with_live_logs(&TestDb::postgres());
}

#[test]
fn sqlite_tasks_run_with_live_logs() {
    runs_tasks_with_live_logs(&TestDb::sqlite());
}
