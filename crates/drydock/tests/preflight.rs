//! `drydock preflight` as users run it: text and JSON output, exit codes by status.

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::TestDb;

/// A project whose datasource is `url`, with one pending migration.
fn project(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let prisma = dir.path().join("prisma");
    let folder = prisma.join("migrations/20240101000000_create_users");
    std::fs::create_dir_all(&folder).expect("migration folder");
    std::fs::write(
        prisma.join("schema.prisma"),
        format!("datasource db {{\n  provider = \"postgresql\"\n  url      = \"{url}\"\n}}\n"),
    )
    .expect("schema");
    std::fs::write(
        folder.join("migration.sql"),
        "CREATE TABLE \"User\" (\"id\" integer PRIMARY KEY, \"email\" text);\n",
    )
    .expect("migration.sql");
    dir
}

fn drydock(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .expect("running drydock");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

#[test]
fn json_lists_every_check_and_exits_zero_when_ready() {
    let db = TestDb::postgres();
    let dir = project(db.url());
    let (code, out) = drydock(dir.path(), &["preflight", "--json"]);
    assert_eq!(code, 0, "{out}");
    let report = json(&out);
    assert_eq!(report["version"], 1);
    assert_eq!(report["ok"], true);
    assert_eq!(report["summary"]["fail"], 0, "{out}");
    assert_eq!(report["summary"]["skip"], 1, "{out}");
    let checks = report["checks"].as_array().expect("checks");
    let ids: Vec<&str> = checks.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "connection",
            "privileges",
            "pending",
            "lint",
            "backup",
            "disk",
            "activity",
            "pooler"
        ]
    );
    for check in checks {
        assert!(
            ["pass", "warn", "fail", "skip"].contains(&check["status"].as_str().unwrap_or("")),
            "{check}"
        );
        assert!(check["summary"].is_string(), "{check}");
        assert!(check["details"].is_array(), "{check}");
    }
    assert_eq!(checks[2]["summary"], "1 pending migration");
    assert_eq!(
        checks[2]["details"][0],
        "pending: 20240101000000_create_users"
    );
    assert_eq!(checks[4]["status"], "skip");
    assert_eq!(checks[4]["summary"], "no backup configured");
}

#[test]
fn text_output_has_one_line_per_check_and_says_what_next() {
    let db = TestDb::postgres();
    let dir = project(db.url());
    let (code, out) = drydock(dir.path(), &["preflight"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✔ pass  connection  PostgreSQL "), "{out}");
    assert!(
        out.contains("✔ pass  pending     1 pending migration\n"),
        "{out}"
    );
    assert!(
        out.contains("                    pending: 20240101000000_create_users\n"),
        "{out}"
    );
    assert!(
        out.contains("- skip  backup      no backup configured\n"),
        "{out}"
    );
    assert!(
        out.ends_with("Ready to deploy: run `drydock migrate deploy`.\n"),
        "{out}"
    );
}

#[test]
fn a_failed_check_exits_one() {
    let dir = project("postgresql://nobody@127.0.0.1:1/none");
    let (code, out) = drydock(dir.path(), &["preflight", "--json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    assert_eq!(report["ok"], false);
    assert_eq!(report["checks"][0]["id"], "connection");
    assert_eq!(report["checks"][0]["status"], "fail");
    assert_eq!(report["checks"][1]["status"], "skip");

    let (code, out) = drydock(dir.path(), &["preflight"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("✘ fail  connection  cannot connect: "),
        "{out}"
    );
    assert!(
        out.ends_with(
            "Not ready to deploy: fix what failed, then run `drydock preflight` again.\n"
        ),
        "{out}"
    );
}

#[test]
fn warnings_fail_only_with_warnings_as_errors() {
    let db = TestDb::postgres();
    let dir = project(db.url());
    let pooled = format!("{}?pgbouncer=true", db.url());
    let (code, out) = drydock(dir.path(), &["preflight", "--json", "--url", &pooled]);
    assert_eq!(code, 0, "{out}");
    let report = json(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["checks"][7]["id"], "pooler");
    assert_eq!(report["checks"][7]["status"], "warn");

    let (code, out) = drydock(
        dir.path(),
        &["preflight", "--url", &pooled, "--warnings-as-errors"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("! warn  pooler      "), "{out}");
}
