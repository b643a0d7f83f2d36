//! Every command over TLS, against a PostgreSQL that accepts TLS connections only
//! (`scripts/with-databases.sh` starts it with a throwaway CA): `sslmode=require` and
//! `verify-full` work for migrations, introspection, preflight and backups; a wrong authority,
//! a wrong host name and plaintext fail with errors that say what to change.

use std::path::Path;
use std::process::Output;

use drydock_test_support::{POSTGRES_TLS_CA_VAR, TestDb, required_var};

const PASSWORD: &str = "drydock-tls-secret";

/// `url` with its query replaced by `query`.
fn with_query(url: &str, query: &str) -> String {
    let base = url.split_once('?').map_or(url, |(base, _)| base);
    format!("{base}?{query}")
}

/// A project whose datasource is `url` (in `.env`, as real projects keep it), with the test CA
/// copied next to the schema (Prisma reads relative certificate paths from the schema's
/// folder) and one model.
fn project(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let prisma = dir.path().join("prisma");
    std::fs::create_dir_all(&prisma).expect("prisma folder");
    std::fs::copy(required_var(POSTGRES_TLS_CA_VAR), prisma.join("ca.crt")).expect("CA copy");
    std::fs::write(dir.path().join(".env"), format!("DATABASE_URL=\"{url}\"\n")).expect(".env");
    std::fs::write(
        prisma.join("schema.prisma"),
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
         model User {\n  id    Int    @id\n  email String @unique\n}\n",
    )
    .expect("schema");
    dir
}

fn drydock(dir: &Path, args: &[&str]) -> Output {
    let output = assert_cmd::Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .expect("running drydock");
    let all = text(&output);
    assert!(!all.contains(PASSWORD), "password shown: {all}");
    output
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn succeeds(dir: &Path, args: &[&str]) -> String {
    let output = drydock(dir, args);
    assert!(
        output.status.success(),
        "drydock {args:?} failed: {}",
        text(&output)
    );
    text(&output)
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let output = drydock(dir, args);
    assert!(!output.status.success(), "drydock {args:?} succeeded");
    text(&output)
}

/// Every command on one TLS URL: migrations (with a shadow database), status, introspection,
/// preflight, and a backup created, restore-tested and restored into another database.
fn every_command_works(query: &str) {
    let db = TestDb::postgres_tls();
    let url = with_query(db.url(), query);
    let dir = project(&url);
    let dir = dir.path();

    succeeds(dir, &["migrate", "dev", "--name", "init"]);
    let status = succeeds(dir, &["migrate", "status"]);
    assert!(status.contains("up to date"), "{status}");
    let pulled = succeeds(dir, &["db", "pull", "--print"]);
    assert!(pulled.contains("model User"), "{pulled}");
    let mut client = db.postgres_client();
    client
        .batch_execute("DELETE FROM _prisma_migrations; INSERT INTO \"User\" VALUES (1, 'a@b')")
        .unwrap();
    client.batch_execute("DROP TABLE \"User\"").unwrap();
    succeeds(dir, &["migrate", "deploy"]);
    client
        .batch_execute("INSERT INTO \"User\" VALUES (1, 'a@b'), (2, 'c@d')")
        .unwrap();
    succeeds(dir, &["preflight"]);

    succeeds(dir, &["backup", "create"]);
    let verified = succeeds(dir, &["backup", "verify"]);
    assert!(verified.contains("Restore test: ok"), "{verified}");
    let target = TestDb::postgres_tls();
    let target_url = with_query(target.url(), query);
    succeeds(dir, &["backup", "restore", "--to", &target_url]);
    let rows: i64 = target
        .postgres_client()
        .query_one("SELECT count(*) FROM \"User\"", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 2);
}

#[test]
fn every_command_works_with_sslmode_require() {
    every_command_works("sslmode=require");
}

#[test]
fn every_command_works_with_verify_full_and_a_root_certificate_beside_the_schema() {
    every_command_works("sslmode=verify-full&sslrootcert=ca.crt");
}

#[test]
fn every_command_works_with_prismas_sslcert_and_sslaccept_strict() {
    every_command_works("sslmode=require&sslcert=./ca.crt&sslaccept=strict");
}

#[test]
fn a_wrong_authority_fails_with_a_clear_error() {
    let db = TestDb::postgres_tls();
    let other = required_var("TEST_POSTGRES_TLS_OTHER_CA");
    let dir = project(&with_query(
        db.url(),
        &format!("sslmode=verify-full&sslrootcert={other}"),
    ));
    for args in [&["migrate", "deploy"][..], &["backup", "create"]] {
        let out = fails(dir.path(), args);
        assert!(out.contains("P1011"), "{args:?}: {out}");
        assert!(out.contains("certificate verify failed"), "{args:?}: {out}");
        assert!(out.contains("sslrootcert"), "{args:?}: {out}");
    }
}

#[test]
fn a_host_name_the_certificate_does_not_name_fails_with_a_clear_error() {
    let db = TestDb::postgres_tls();
    let url = with_query(
        &db.url().replace("@localhost:", "@127.0.0.1:"),
        "sslmode=verify-full&sslrootcert=ca.crt",
    );
    let dir = project(&url);
    let out = fails(dir.path(), &["migrate", "status"]);
    assert!(out.contains("P1011"), "{out}");
    assert!(
        out.contains("not valid for the host name `127.0.0.1`"),
        "{out}"
    );
}

#[test]
fn plaintext_is_refused_and_the_error_says_to_use_tls() {
    let db = TestDb::postgres_tls();
    let dir = project(&with_query(db.url(), "sslmode=disable"));
    let out = fails(dir.path(), &["migrate", "deploy"]);
    assert!(out.contains("P1011"), "{out}");
    assert!(out.contains("accepts TLS connections only"), "{out}");
    assert!(out.contains("sslmode=require"), "{out}");
}

/// A role that logs in by client certificate alone: drydock's sessions present it, and so do
/// `pg_dump`/`pg_restore` (a PKCS#12 identity handed to them as PEM).
#[test]
fn client_certificates_work_for_migrations_and_backups() {
    let cert = required_var("TEST_POSTGRES_TLS_CLIENT_CERT");
    let key = required_var("TEST_POSTGRES_TLS_CLIENT_KEY");
    let p12 = required_var("TEST_POSTGRES_TLS_CLIENT_P12");
    for query in [
        format!("sslmode=verify-full&sslrootcert=ca.crt&sslcert={cert}&sslkey={key}"),
        format!("sslmode=require&sslcert=ca.crt&sslidentity={p12}&sslpassword=drydock"),
    ] {
        let db = TestDb::postgres_tls();
        let url = with_query(
            &db.url()
                .replace(&format!("postgres:{PASSWORD}@"), "tlscert@"),
            &query,
        );
        let dir = project(&url);
        let dir = dir.path();
        succeeds(dir, &["migrate", "dev", "--name", "init"]);
        succeeds(dir, &["backup", "create"]);
        let verified = succeeds(dir, &["backup", "verify"]);
        assert!(verified.contains("Restore test: ok"), "{query}: {verified}");
    }
}

/// As libpq: without `sslrootcert`, `~/.postgresql/root.crt` is the root certificate, and once
/// it exists `sslmode=require` checks the chain against it.
#[test]
fn the_home_folders_root_certificate_is_read_as_libpq_reads_it() {
    let db = TestDb::postgres_tls();
    let dir = project(&with_query(db.url(), "sslmode=require"));
    let home = tempfile::tempdir().expect("home");
    std::fs::create_dir_all(home.path().join(".postgresql")).expect(".postgresql");
    let root = home.path().join(".postgresql/root.crt");
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("drydock")
            .expect("the drydock binary")
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env("HOME", home.path())
            .args(args)
            .output()
            .expect("running drydock")
    };
    std::fs::copy(required_var("TEST_POSTGRES_TLS_OTHER_CA"), &root).expect("other CA");
    let refused = run(&["migrate", "status"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("certificate verify failed"),
        "{}",
        text(&refused)
    );
    std::fs::copy(required_var(POSTGRES_TLS_CA_VAR), &root).expect("CA");
    let accepted = run(&["migrate", "dev", "--name", "init"]);
    assert!(accepted.status.success(), "{}", text(&accepted));
}

/// Without `sslrootcert`, drydock trusts the system's roots as OpenSSL finds them; `pg_dump`
/// and `pg_restore` are handed the same roots, so a backup with `verify-full` checks the
/// server as drydock's sessions do: a bundle file (`SSL_CERT_FILE`) is passed as it is, the
/// certificates of a folder (`SSL_CERT_DIR`) are written to a private file for them.
#[test]
fn backups_with_verify_full_trust_the_roots_drydock_trusts() {
    let ca = required_var(POSTGRES_TLS_CA_VAR);
    let folder = tempfile::tempdir().expect("certificate folder");
    std::fs::copy(&ca, folder.path().join("test-ca.pem")).expect("CA copy");
    let folder = folder.path().display().to_string();
    for (variable, value) in [("SSL_CERT_FILE", ca.as_str()), ("SSL_CERT_DIR", &folder)] {
        let db = TestDb::postgres_tls();
        let dir = project(&with_query(db.url(), "sslmode=verify-full"));
        let home = tempfile::tempdir().expect("home");
        let temp = tempfile::tempdir().expect("temporary folder");
        let run = |args: &[&str]| {
            let output = assert_cmd::Command::cargo_bin("drydock")
                .expect("the drydock binary")
                .current_dir(dir.path())
                .env_remove("DATABASE_URL")
                .env("TMPDIR", temp.path())
                .env_remove("SSL_CERT_FILE")
                .env_remove("SSL_CERT_DIR")
                .env("HOME", home.path())
                .env(variable, value)
                .args(args)
                .output()
                .expect("running drydock");
            let all = text(&output);
            assert!(!all.contains(PASSWORD), "password shown: {all}");
            assert!(
                output.status.success(),
                "{variable}: drydock {args:?}: {all}"
            );
            all
        };
        run(&["migrate", "dev", "--name", "init"]);
        run(&["backup", "create"]);
        let verified = run(&["backup", "verify"]);
        assert!(
            verified.contains("Restore test: ok"),
            "{variable}: {verified}"
        );
        // The file written for the tools is gone once they are done.
        let left: Vec<_> = std::fs::read_dir(temp.path())
            .expect("temporary folder")
            .flatten()
            .map(|e| e.file_name())
            .filter(|name| name.to_string_lossy().starts_with("drydock-libpq"))
            .collect();
        assert!(left.is_empty(), "{variable}: left behind: {left:?}");
    }
}
