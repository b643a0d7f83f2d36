//! The migrations page of `drydock serve` and deployment approval, through the real binary on
//! PostgreSQL, SQLite and MariaDB: `migrate deploy --require-approval` refused until an
//! operator approves the exact pending set on the page (names and checksums), refused again
//! when a migration is added or an approved file changes; approvals of viewers, without a CSRF
//! token or of a stale set refused (D7102, D7103, D7130, D7131, D7132); `[deploy]
//! require_approval = true` asks for it without the flag.

use std::path::Path;
use std::process::Output;

use drydock_test_support::serve::*;
use drydock_test_support::{DatabaseKind, TestDb};
use serde_json::Value;

const THIRD: &str = "20240103000000_third";
const FOURTH: &str = "20240104000000_fourth";
const FIFTH: &str = "20240105000000_fifth";

/// `drydock migrate deploy --require-approval` in the project.
fn deploy_approved(dir: &Path, db: &TestDb) -> Output {
    drydock()
        .args(["migrate", "deploy", "--require-approval"])
        .current_dir(dir)
        .env("DATABASE_URL", db.url())
        .output()
        .expect("drydock migrate deploy")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
    std::fs::write(path, text).expect("write");
}

/// The values of the hidden inputs `field` of a page, in order.
fn hidden(body: &str, field: &str) -> Vec<String> {
    let marker = format!("name=\"{field}\" value=\"");
    body.split(&marker)
        .skip(1)
        .map(|rest| rest[..rest.find('"').expect("the value's end")].to_owned())
        .collect()
}

/// The pending migrations `/api/migrations` names, by name.
fn pending(http: &mut Client, auth: &str) -> Vec<String> {
    let reply = http.get("/api/migrations", &[("Authorization", auth)]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["pending"]
        .as_array()
        .expect("pending")
        .iter()
        .map(|m| m["name"].as_str().expect("a name").to_owned())
        .collect()
}

fn approval(db: &TestDb) {
    let dir = project(db);
    let dir_path = dir.path();
    let quote = if db.kind() == DatabaseKind::Mysql {
        "`"
    } else {
        "\""
    };
    // The second migration can be undone; the third cannot, deletes every row (a lint error
    // the default gate lets through) and has markup in a comment, which the page escapes.
    write(
        dir_path,
        &format!("prisma/migrations/{SECOND}/down.sql"),
        &format!("DROP TABLE {quote}B{quote};\n"),
    );
    write(
        dir_path,
        &format!("prisma/migrations/{THIRD}/migration.sql"),
        &format!("-- <b>empty A</b>\nDELETE FROM {quote}A{quote};\n"),
    );

    // Before any approval: refused, nothing applied.
    let refused = deploy_approved(dir_path, db);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let said = text(&refused);
    assert!(said.contains("D3121"), "{said}");
    assert!(said.contains("no approval is recorded"), "{said}");
    assert!(
        said.contains(&format!("{SECOND}: pending but not approved")),
        "{said}"
    );
    assert!(said.contains("/dashboard/migrations"), "{said}");

    let server = Server::start(dir_path, db, &[]);
    let mut http = Client::new(&server.base);
    let ci = bearer(CI_TOKEN);
    assert_eq!(
        pending(&mut http, &ci),
        [SECOND, THIRD],
        "nothing was applied"
    );

    // The page: pending SQL (escaped), the review's findings, down.sql or its absence.
    assert_eq!(
        http.get("/dashboard/migrations", &[]).header("location"),
        Some("/login")
    );
    let (alice, _) = http.sign_in("alice", ALICE_PASSWORD);
    let alice = alice.expect("alice's session");
    let page = http.get("/dashboard/migrations", &[("Cookie", &alice)]);
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    for expected in [
        SECOND,
        THIRD,
        "CREATE TABLE",
        "DROP TABLE",
        "D4106",
        "no down.sql",
        "&lt;b&gt;empty A&lt;&#x2f;b&gt;",
        "No approval is recorded yet.",
        "aria-current=\"page\">Migrations",
        FIRST,
        "applied",
    ] {
        assert!(body.contains(expected), "{expected} in:\n{body}");
    }
    assert!(!body.contains("<b>empty A"), "escaped: {body}");
    assert!(!body.contains("<script"), "no script");
    assert!(body.contains("<details>"), "SQL folds away");
    let names = hidden(body, "name");
    let checksums = hidden(body, "checksum");
    assert_eq!(names, [SECOND, THIRD]);
    assert_eq!(checksums.len(), 2);
    let csrf = page.csrf();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    for (name, checksum) in names.iter().zip(&checksums) {
        form.push(("name", name.as_str()));
        form.push(("checksum", checksum.as_str()));
    }

    // A viewer may not approve; nor a session without its CSRF token.
    let (bob, _) = http.sign_in("bob", BOB_PASSWORD);
    let bob = bob.expect("bob's session");
    let bob_page = http.get("/dashboard/migrations", &[("Cookie", &bob)]);
    assert!(
        bob_page.body.contains("Only operators approve"),
        "{}",
        bob_page.body
    );
    let bob_csrf = bob_page.csrf();
    let viewer = http.post(
        "/api/migrations/approve",
        &[("Cookie", &bob), ("X-CSRF-Token", &bob_csrf)],
        &form[1..],
    );
    assert_eq!(viewer.status, 403);
    assert_eq!(viewer.json()["error"]["code"], "D7102");
    let token_viewer = http.post(
        "/api/migrations/approve",
        &[("Authorization", &ci)],
        &form[1..],
    );
    assert_eq!(token_viewer.json()["error"]["code"], "D7102");
    let no_csrf = http.post("/api/migrations/approve", &[("Cookie", &alice)], &form[1..]);
    assert_eq!(no_csrf.status, 403);
    assert_eq!(no_csrf.json()["error"]["code"], "D7103");

    // A stale set (a checksum of another file) and an unreadable one are refused.
    let stale = http.post(
        "/api/migrations/approve",
        &[("Cookie", &alice)],
        &[
            ("csrf", &csrf),
            ("name", SECOND),
            ("checksum", &checksums[1]),
            ("name", THIRD),
            ("checksum", &checksums[1]),
        ],
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.json()["error"]["code"], "D7130");
    assert!(stale.body.contains(SECOND), "{}", stale.body);
    let part = http.post(
        "/api/migrations/approve",
        &[("Cookie", &alice)],
        &[("csrf", &csrf), ("name", SECOND)],
    );
    assert_eq!(part.status, 400, "{}", part.body);
    assert_eq!(part.json()["error"]["code"], "D7131");
    assert_eq!(
        deploy_approved(dir_path, db).status.code(),
        Some(1),
        "refused approvals record nothing"
    );

    // The operator approves what the page showed: recorded as hers.
    let approved = http.post("/api/migrations/approve", &[("Cookie", &alice)], &form);
    assert_eq!(approved.status, 200, "{}", approved.body);
    let approved = approved.json();
    assert_eq!(approved["approval"]["actor"], "alice");
    assert_eq!(approved["approval"]["migrations"][0]["name"], SECOND);
    assert_eq!(
        approved["approval"]["migrations"][1]["checksum"],
        checksums[1].as_str()
    );
    let run = approved["approval"]["run"].as_str().expect("a run id");
    let runs = http.get(
        "/api/runs?task=migrate%20approve",
        &[("Authorization", &ci)],
    );
    let runs = runs.json();
    let recorded = runs["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["id"] == run)
        .unwrap_or_else(|| panic!("the approval in the run log: {runs:#}"));
    assert_eq!(recorded["actor"], "alice");
    assert_eq!(recorded["task"], "migrate approve");
    assert_eq!(recorded["status"], "succeeded");
    let page = http
        .get("/dashboard/migrations", &[("Cookie", &alice)])
        .body;
    assert!(
        page.contains("Approved by <strong>alice</strong>"),
        "{page}"
    );
    assert!(page.contains("it is the pending set now"), "{page}");

    // The approved set deploys, and its checksums are those Prisma keeps.
    let deployed = deploy_approved(dir_path, db);
    assert_eq!(deployed.status.code(), Some(0), "{}", text(&deployed));
    assert!(
        text(&deployed).contains("was approved by alice"),
        "{}",
        text(&deployed)
    );
    let migrations = http
        .get("/api/migrations", &[("Authorization", &ci)])
        .json();
    assert_eq!(migrations["pending"], serde_json::json!([]));
    let history = migrations["history"].as_array().expect("history");
    for (name, checksum) in names.iter().zip(&checksums) {
        let row = history
            .iter()
            .find(|row| row["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} in {history:?}"));
        assert_eq!(row["state"], "applied");
        assert_eq!(row["checksum"], checksum.as_str());
        assert!(row["started_at"].is_string() && row["finished_at"].is_string());
        assert!(row["duration_ms"].is_i64(), "{row}");
    }

    // A new migration is not approved: refused, named.
    write(
        dir_path,
        &format!("prisma/migrations/{FOURTH}/migration.sql"),
        &format!("CREATE TABLE {quote}C{quote} ({quote}id{quote} INTEGER NOT NULL PRIMARY KEY);\n"),
    );
    let refused = deploy_approved(dir_path, db);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains(&format!("{FOURTH}: pending but not approved")),
        "{said}"
    );
    assert_eq!(pending(&mut http, &ci), [FOURTH], "nothing was applied");

    // A token approves over JSON... and the approved file then changes: refused, named.
    let deploy = bearer(DEPLOY_TOKEN);
    let seen = http
        .get("/api/migrations", &[("Authorization", &deploy)])
        .json()["approve_with"]
        .clone();
    let approved = approve_json(&mut http, &server.base, &deploy, &seen);
    assert_eq!(approved.0, 200, "{}", approved.1);
    assert_eq!(approved.1["approval"]["actor"], "token deploy");
    write(
        dir_path,
        &format!("prisma/migrations/{FOURTH}/migration.sql"),
        &format!(
            "CREATE TABLE {quote}C{quote} ({quote}id{quote} INTEGER NOT NULL PRIMARY KEY, {quote}x{quote} INTEGER);\n"
        ),
    );
    let refused = deploy_approved(dir_path, db);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains(&format!(
            "{FOURTH}: its migration.sql changed since it was approved"
        )),
        "{said}"
    );
    assert!(
        said.contains("token deploy"),
        "who approved is said: {said}"
    );
    let stale = approve_json(&mut http, &server.base, &deploy, &seen);
    assert_eq!(stale.0, 409, "{}", stale.1);
    assert_eq!(stale.1["error"]["code"], "D7130");
    let page = http
        .get("/dashboard/migrations", &[("Cookie", &alice)])
        .body;
    assert!(page.contains("it is not the pending set now"), "{page}");
    assert!(
        page.contains("its migration.sql changed since it was approved"),
        "{page}"
    );

    // A browser's form goes back to the page, which says how it went.
    let csrf = http
        .get("/dashboard/migrations", &[("Cookie", &alice)])
        .csrf();
    let current = http
        .get("/api/migrations", &[("Authorization", &ci)])
        .json()["approve_with"][0]["checksum"]
        .as_str()
        .expect("a checksum")
        .to_owned();
    let browser = http.post(
        "/api/migrations/approve",
        &[("Cookie", &alice), ("Accept", "text/html")],
        &[("csrf", &csrf), ("name", FOURTH), ("checksum", &current)],
    );
    assert_eq!(browser.status, 303, "{}", browser.body);
    assert_eq!(
        browser.header("location"),
        Some("/dashboard/migrations?outcome=approved")
    );
    let shown = http.get(
        "/dashboard/migrations?outcome=approved",
        &[("Cookie", &alice)],
    );
    assert!(shown.body.contains("Approved: "), "{}", shown.body);
    let deployed = deploy_approved(dir_path, db);
    assert_eq!(deployed.status.code(), Some(0), "{}", text(&deployed));

    // Nothing pending: deploy passes, and there is nothing to approve.
    let deployed = deploy_approved(dir_path, db);
    assert_eq!(deployed.status.code(), Some(0), "{}", text(&deployed));
    let nothing = approve_json(&mut http, &server.base, &deploy, &serde_json::json!([]));
    assert_eq!(nothing.0, 409, "{}", nothing.1);
    assert_eq!(nothing.1["error"]["code"], "D7132");

    // `[deploy] require_approval = true` asks for approval without the flag.
    let settings = dir_path.join("drydock.toml");
    let mut toml = std::fs::read_to_string(&settings).expect("drydock.toml");
    toml.push_str("\n[deploy]\nrequire_approval = true\n");
    std::fs::write(&settings, toml).expect("drydock.toml");
    write(
        dir_path,
        &format!("prisma/migrations/{FIFTH}/migration.sql"),
        &format!("CREATE TABLE {quote}D{quote} ({quote}id{quote} INTEGER NOT NULL PRIMARY KEY);\n"),
    );
    let refused = drydock()
        .args(["migrate", "deploy"])
        .current_dir(dir_path)
        .env("DATABASE_URL", db.url())
        .output()
        .expect("drydock migrate deploy");
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let said = text(&refused);
    assert!(said.contains("D3121"), "{said}");
    assert!(
        said.contains(&format!("{FIFTH}: pending but not approved")),
        "{said}"
    );

    // The routes are described.
    let openapi = http
        .get("/api/openapi.json", &[("Authorization", &ci)])
        .json();
    for (path, method) in [
        ("/dashboard/migrations", "get"),
        ("/api/migrations", "get"),
        ("/api/migrations/approve", "post"),
    ] {
        assert!(
            openapi["paths"][path][method].is_object(),
            "{method} {path}"
        );
    }
    assert_no_secret(&http.bodies, &server.stderr());
}

/// `POST /api/migrations/approve` with the JSON body `{"migrations": set}` and `auth`: the
/// status and the JSON answer (kept with the client's bodies).
fn approve_json(http: &mut Client, base: &str, auth: &str, set: &Value) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent
        .post(format!("{base}/api/migrations/approve"))
        .header("Authorization", auth)
        .header("Content-Type", "application/json")
        .send(serde_json::json!({ "migrations": set }).to_string());
    let reply = http.reply(response);
    (reply.status, reply.json())
}

#[test]
fn approval_on_postgres() {
    approval(&TestDb::postgres());
}

#[test]
fn approval_on_sqlite() {
    approval(&TestDb::sqlite());
}

#[test]
fn approval_on_mariadb() {
    approval(&TestDb::mysql());
}
