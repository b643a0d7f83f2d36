//! `drydock serve` as people and programs meet it: the real binary on 127.0.0.1 (a free port),
//! serving a project whose second migration is pending, on PostgreSQL, SQLite and MariaDB.
//! Probes, the API with tokens, sign-in with cookies, roles, CSRF, the sign-in limit, the run
//! log's actor, and no password or token in any answer or in the server's log.

use std::process::{Command, Stdio};
use std::sync::Arc;

use drydock_test_support::serve::*;
use drydock_test_support::{DatabaseKind, TestDb};

/// What every project gets: probes, status, health and metrics say the second migration is
/// pending; a token runs `check`, recorded as the token's.
fn serves_status_health_and_metrics(db: &TestDb) {
    let dir = project(db);
    // A backup in the project's folder: the health report and the metrics give its age.
    let backed_up = db.kind() == DatabaseKind::Sqlite;
    if backed_up {
        succeeds(dir.path(), db, &["backup", "create"]);
    }
    let server = Server::start(dir.path(), db, &[]);
    let mut http = Client::new(&server.base);
    let ci = bearer(CI_TOKEN);

    let healthz = http.get("/healthz", &[]);
    assert_eq!(healthz.status, 200);
    assert_eq!(
        healthz.header("content-type"),
        Some("application/health+json")
    );
    assert_eq!(healthz.json()["status"], "pass");
    assert_eq!(http.get("/readyz", &[]).status, 200);

    let refused = http.get("/api/status", &[]);
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"]["code"], "D7101");
    let status = http.get("/api/status", &[("Authorization", &ci)]);
    assert_eq!(status.status, 200, "{}", status.body);
    let status = status.json();
    assert_eq!(status["pending"], serde_json::json!([SECOND]));
    assert_eq!(status["applied"][0]["name"], FIRST);
    assert_eq!(status["failed"], serde_json::json!([]));
    assert_eq!(
        http.get("/api/status", &[("Authorization", "Bearer not-a-token")])
            .status,
        401
    );

    let health = http.get("/api/health/db", &[("Authorization", &ci)]);
    assert_eq!(health.status, 200, "{}", health.body);
    assert_eq!(
        health.header("content-type"),
        Some("application/health+json")
    );
    let health = health.json();
    assert_eq!(health["status"], "warn", "{health:#}");
    let pending = &health["checks"]["migrations:pending"][0];
    assert_eq!(pending["observedValue"], 1);
    assert_eq!(pending["observedUnit"], "migrations");
    assert_eq!(pending["status"], "warn");
    assert!(pending["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(health["checks"]["migrations:failed"][0]["status"], "pass");
    let connect = &health["checks"]["database:connect"][0];
    assert_eq!(connect["status"], "pass");
    assert_eq!(connect["observedUnit"], "ms");
    assert!(connect["observedValue"].is_number());
    assert_eq!(
        health["checks"]["database:pool"][0]["observedUnit"],
        "sessions"
    );
    let backup = &health["checks"]["backup:age"][0];
    if backed_up {
        assert_eq!(backup["status"], "pass", "{health:#}");
        assert_eq!(backup["observedUnit"], "s");
        assert!(backup["observedValue"].as_i64().is_some_and(|age| age >= 0));
    } else {
        assert!(
            backup.is_null(),
            "no backup folder, no backup check: {health:#}"
        );
    }

    let metrics = http.get("/metrics", &[]);
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4"))
    );
    for line in [
        "drydock_up 1",
        "drydock_migrations_pending 1",
        "drydock_migrations_failed 0",
        "drydock_migrations_applied 1",
        "drydock_pool_sessions_max 2",
        "# TYPE drydock_http_request_duration_seconds histogram",
    ] {
        assert!(
            metrics
                .body
                .lines()
                .any(|l| l == line || l.starts_with(&format!("{line} "))),
            "{line} in:\n{}",
            metrics.body
        );
    }
    assert_eq!(
        metrics
            .body
            .contains("\ndrydock_backup_last_success_timestamp_seconds "),
        backed_up,
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains(
        "drydock_http_request_duration_seconds_count{method=\"GET\",route=\"/api/status\",status=\"200\"} 1"
    ), "{}", metrics.body);

    // An API token carries no ambient credential: no CSRF token needed.
    let deploy = bearer(DEPLOY_TOKEN);
    let check = http.post("/api/tasks/check", &[("Authorization", &deploy)], &[]);
    assert_eq!(check.status, 200, "{}", check.body);
    let run = check.json()["run"]
        .as_str()
        .expect("the run's id")
        .to_owned();
    let runs = http
        .get("/api/runs?task=check", &[("Authorization", &ci)])
        .json();
    let recorded = runs["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["id"] == run.as_str())
        .unwrap_or_else(|| panic!("run {run} in {runs:#}"));
    assert_eq!(recorded["actor"], "token deploy");
    assert_eq!(recorded["task"], "check");
    assert_ne!(recorded["status"], "running");

    // The facts are read again a second later: the check's time and findings, and its
    // duration.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let metrics = http.get("/metrics", &[]).body;
    assert!(
        metrics.contains("\ndrydock_check_last_run_timestamp_seconds "),
        "{metrics}"
    );
    let status = recorded["status"].as_str().expect("status");
    assert!(
        metrics.contains(&format!(
            "drydock_task_duration_seconds_count{{source=\"serve\",status=\"{status}\",task=\"check\"}} 1"
        )),
        "{metrics}"
    );
    let findings = recorded["summary"].as_str().expect("summary");
    if status == "warned" {
        assert!(
            metrics.contains("drydock_check_findings{code=\"D6"),
            "{findings}: {metrics}"
        );
    }

    assert_no_secret(&http.bodies, &server.stderr());
}

#[test]
fn serves_a_postgres_project() {
    serves_status_health_and_metrics(&TestDb::postgres());
}

#[test]
fn serves_a_sqlite_project() {
    serves_status_health_and_metrics(&TestDb::sqlite());
}

#[test]
fn serves_a_mariadb_project() {
    serves_status_health_and_metrics(&TestDb::mysql());
}

/// People: sign-in with cookies, roles, CSRF, the failure limit; every route but the probes
/// and metrics needs authentication (D7101, D7102, D7103, D7104, D7105).
#[test]
fn people_sign_in_and_only_operators_run_tasks_with_a_csrf_token() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let server = Server::start(dir.path(), &db, &[]);
    let mut http = Client::new(&server.base);
    let ci = bearer(CI_TOKEN);

    // Every route of the OpenAPI document needs authentication but the probes, the metrics
    // and the sign-in form.
    let openapi = http
        .get("/api/openapi.json", &[("Authorization", &ci)])
        .json();
    let paths = openapi["paths"].as_object().expect("paths");
    for (path, methods) in paths {
        let path = path.replace("{id}", "some-run").replace("{task}", "check");
        for method in methods.as_object().expect("methods").keys() {
            let reply = match method.as_str() {
                "get" => http.get(&path, &[]),
                "post" => http.post(&path, &[], &[]),
                other => panic!("{other} {path}"),
            };
            let public = matches!(
                path.as_str(),
                "/healthz" | "/readyz" | "/metrics" | "/login"
            );
            if public {
                assert!(
                    matches!(reply.status, 200 | 403),
                    "{method} {path}: {}",
                    reply.status
                );
            } else if path == "/" || path.starts_with("/dashboard/") {
                assert_eq!(reply.status, 303, "{path} sends to the sign-in form");
                assert_eq!(reply.header("location"), Some("/login"));
            } else if path == "/logout" {
                assert_eq!(
                    reply.status, 303,
                    "signing out without a session changes nothing"
                );
            } else {
                assert_eq!(reply.status, 401, "{method} {path} without authentication");
            }
        }
    }

    let (session, wrong) = http.sign_in("alice", "not her password");
    assert_eq!(wrong.status, 401);
    assert!(session.is_none());
    assert!(wrong.body.contains("Wrong name or password"));
    // A name that is no user's may be a password typed in the wrong box.
    let (_, unknown) = http.sign_in("hunter2-typed-as-a-name", "x");
    assert_eq!(unknown.status, 401);

    let (alice, signed_in) = http.sign_in("alice", ALICE_PASSWORD);
    assert_eq!(signed_in.status, 303);
    assert_eq!(signed_in.header("location"), Some("/"));
    let alice = alice.expect("a session cookie");
    let set = signed_in
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("drydock_session="))
        .expect("Set-Cookie");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    assert!(!set.contains("Secure"), "plain HTTP on loopback: {set}");

    let overview = http.get("/", &[("Cookie", &alice)]);
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("<meta name=\"viewport\""));
    assert!(
        overview.body.contains(SECOND),
        "the pending migration is named"
    );
    assert!(!overview.body.contains("<script"), "no script");
    assert!(
        !overview.body.contains("http://") && !overview.body.contains("https://"),
        "nothing from another host"
    );
    let alice_csrf = overview.csrf();

    let (bob, _) = http.sign_in("bob", BOB_PASSWORD);
    let bob = bob.expect("bob's session");
    let bob_csrf = http.get("/", &[("Cookie", &bob)]).csrf();
    let viewer = http.post(
        "/api/tasks/check",
        &[("Cookie", &bob), ("X-CSRF-Token", &bob_csrf)],
        &[],
    );
    assert_eq!(viewer.status, 403);
    assert_eq!(viewer.json()["error"]["code"], "D7102");
    let token_viewer = http.post("/api/tasks/check", &[("Authorization", &ci)], &[]);
    assert_eq!(token_viewer.json()["error"]["code"], "D7102");

    let no_csrf = http.post("/api/tasks/check", &[("Cookie", &alice)], &[]);
    assert_eq!(no_csrf.status, 403);
    assert_eq!(no_csrf.json()["error"]["code"], "D7103");
    let wrong_csrf = http.post(
        "/api/tasks/check",
        &[("Cookie", &alice), ("X-CSRF-Token", &bob_csrf)],
        &[],
    );
    assert_eq!(wrong_csrf.json()["error"]["code"], "D7103");
    let checked = http.post(
        "/api/tasks/check",
        &[("Cookie", &alice)],
        &[("csrf", &alice_csrf)],
    );
    assert_eq!(checked.status, 200, "{}", checked.body);
    let run = checked.json()["run"].as_str().expect("run id").to_owned();
    let shown = http.get(&format!("/api/runs/{run}"), &[("Authorization", &ci)]);
    assert_eq!(shown.status, 200);
    let shown = shown.json();
    assert_eq!(shown["run"]["actor"], "alice");
    assert_eq!(shown["run"]["task"], "check");
    let listed = http.get("/api/runs", &[("Cookie", &alice)]).json();
    assert!(
        listed["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .any(|r| r["id"] == run.as_str() && r["actor"] == "alice"),
        "{listed:#}"
    );
    let missing = http.get("/api/runs/no-such-run", &[("Authorization", &ci)]);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "D7105");
    let overview = http.get("/", &[("Cookie", &alice)]);
    assert!(
        overview.body.contains("alice"),
        "the run and who ran it are on the overview"
    );

    // Signing out ends the session: its cookie no longer works.
    let out = http.post("/logout", &[("Cookie", &alice)], &[("csrf", &alice_csrf)]);
    assert_eq!(out.status, 303);
    assert_eq!(http.get("/api/status", &[("Cookie", &alice)]).status, 401);

    // Sign-ins, failed ones and sign-outs are in the run log, with who (when a user's name).
    let wanted = [
        ("sign in", "alice", "failed"),
        ("sign in", "unknown", "failed"),
        ("sign in", "alice", "succeeded"),
        ("sign in", "bob", "succeeded"),
        ("sign out", "alice", "succeeded"),
    ];
    let mut actions = Vec::new();
    drydock_test_support::wait_for(|| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let runs = http.get("/api/runs", &[("Authorization", &ci)]).json();
        actions = runs["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .filter(|r| r["task"] == "sign in" || r["task"] == "sign out")
            .map(|r| {
                (
                    r["task"].as_str().unwrap_or_default().to_owned(),
                    r["actor"].as_str().unwrap_or_default().to_owned(),
                    r["status"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        wanted.iter().all(|(task, actor, status)| {
            actions.contains(&((*task).into(), (*actor).into(), (*status).into()))
        })
    });
    for (task, actor, status) in wanted {
        assert!(
            actions.contains(&(task.into(), actor.into(), status.into())),
            "{task} by {actor}, {status}, in {actions:?}"
        );
    }

    // Five failures from one address in a minute, then 429 for it, even with the right
    // password or a valid token.
    for _ in 0..5 {
        assert_eq!(http.sign_in("bob", "guess").1.status, 401);
    }
    let limited = http.sign_in("bob", BOB_PASSWORD).1;
    assert_eq!(limited.status, 429);
    assert!(
        limited.body.contains("too many failed sign-ins"),
        "{}",
        limited.body
    );
    let token = http.get("/api/status", &[("Authorization", &ci)]);
    assert_eq!(token.status, 429);
    assert_eq!(token.json()["error"]["code"], "D7104");

    let stderr = server.stderr();
    assert!(
        stderr.contains("a sign-in from 127.0.0.1 failed"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("guess")
            && !stderr.contains("not her password")
            && !stderr.contains("hunter2"),
        "{stderr}"
    );
    assert_no_secret(&http.bodies, &stderr);
    assert!(
        http.bodies.iter().all(|body| !body.contains("hunter2")),
        "the name typed is not echoed anywhere"
    );
}

/// Bound to an address other machines reach, without TLS or a proxy, the server warns; the
/// test listens on loopback only, so it asks for an address this machine does not have.
#[test]
fn a_server_reachable_from_the_network_without_tls_is_warned_about() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    let serve = |extra: &[&str]| {
        let output = drydock()
            .args(["serve", "--listen", "192.0.2.1:7878"])
            .args(extra)
            .current_dir(dir.path())
            .env("DATABASE_URL", db.url())
            .env("DRYDOCK_TEST_DEPLOY_TOKEN", DEPLOY_TOKEN)
            .output()
            .expect("drydock serve");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let stderr = serve(&[]);
    assert!(
        stderr.contains(
            "Warning: listening on 192.0.2.1:7878, which other machines can reach, without TLS"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("[D7001] cannot listen on `192.0.2.1:7878`"),
        "{stderr}"
    );
    let stderr = serve(&["--trust-proxy"]);
    assert!(!stderr.contains("without TLS"), "{stderr}");
    assert!(stderr.contains("D7001"), "{stderr}");
}

/// With a certificate and key the server speaks HTTPS only, and its cookies are `Secure`.
#[test]
fn serves_https_with_a_certificate_and_key() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(made.success());
    let server = Server::start(
        dir.path(),
        &db,
        &[
            "--tls-cert",
            cert.to_str().expect("UTF-8"),
            "--tls-key",
            key.to_str().expect("UTF-8"),
        ],
    );
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let pem = std::fs::read(&cert).expect("the certificate");
    let root = ureq::tls::Certificate::from_pem(&pem).expect("a PEM certificate");
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![root])))
        .build();
    let mut http = Client::trusting(&server.base, tls);
    assert_eq!(http.get("/healthz", &[]).status, 200);
    let (session, reply) = http.sign_in("alice", ALICE_PASSWORD);
    assert!(session.is_some());
    let set = reply
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("drydock_session="))
        .expect("Set-Cookie");
    assert!(set.contains("Secure") && set.contains("HttpOnly"), "{set}");
    // Plain HTTP on the same port gets no answer a browser would take.
    let plain = server.base.replacen("https://", "http://", 1);
    let answer = Client::new(&plain)
        .agent
        .get(format!("{plain}/healthz"))
        .call();
    assert!(answer.is_err(), "plain HTTP is not served");
    assert_no_secret(&http.bodies, &server.stderr());
}

/// Behind a trusted proxy the client is the address the proxy appends to `X-Forwarded-For`:
/// the sign-in limit counts each client on its own, and cookies are `Secure` (the proxy speaks
/// TLS to the browser).
#[test]
fn behind_a_trusted_proxy_each_client_is_limited_on_its_own() {
    let db = TestDb::sqlite();
    let dir = project(&db);
    let server = Server::start(dir.path(), &db, &["--trust-proxy"]);
    let mut http = Client::new(&server.base);
    let sign_in = |http: &mut Client, forwarded: &str, password: &str| {
        let form = http.get("/login", &[("X-Forwarded-For", forwarded)]);
        let cookie = format!(
            "drydock_login={}",
            form.cookie("drydock_login").expect("cookie")
        );
        http.post(
            "/login",
            &[("Cookie", &cookie), ("X-Forwarded-For", forwarded)],
            &[
                ("name", "alice"),
                ("password", password),
                ("csrf", &form.csrf()),
            ],
        )
    };
    // The first address is the client's own word; the proxy's, appended last, counts.
    for _ in 0..5 {
        assert_eq!(
            sign_in(&mut http, "198.51.100.1, 203.0.113.7", "guess").status,
            401
        );
    }
    assert_eq!(
        sign_in(&mut http, "198.51.100.2, 203.0.113.7", ALICE_PASSWORD).status,
        429
    );
    let other = sign_in(&mut http, "203.0.113.8", ALICE_PASSWORD);
    assert_eq!(other.status, 303, "another client is not limited");
    let set = other
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("drydock_session="))
        .expect("Set-Cookie");
    assert!(set.contains("Secure"), "{set}");
    let stderr = server.stderr();
    assert!(
        stderr.contains("a sign-in from 203.0.113.7 failed"),
        "{stderr}"
    );
    assert!(!stderr.contains("without TLS"), "{stderr}");
    assert_no_secret(&http.bodies, &stderr);
}
