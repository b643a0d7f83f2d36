//! TLS on a real server that accepts TLS connections only (`scripts/with-databases.sh` starts
//! it): every `sslmode`, client certificates, and the errors of each way it can go wrong.

use drydock_connector::{ConnectorError, Dialect};
use drydock_postgres::PostgresDialect;
use drydock_postgres::url::PgUrl;
use drydock_test_support::{POSTGRES_TLS_CA_VAR, TestDb, required_var};

/// `url` with its query replaced by `query`.
fn with_query(url: &str, query: &str) -> String {
    let base = url.split_once('?').map_or(url, |(base, _)| base);
    format!("{base}?{query}")
}

fn ca() -> String {
    required_var(POSTGRES_TLS_CA_VAR)
}

/// The server's answer to `SELECT ssl FROM pg_stat_ssl` for this session.
fn session_is_encrypted(url: &str) -> bool {
    let mut client = PgUrl::parse(url).unwrap().connect().unwrap();
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

fn tls_error(url: &str) -> (String, String) {
    let error = match PostgresDialect.connect(url) {
        Ok(_) => panic!("connecting to {url} should fail"),
        Err(error) => error,
    };
    assert!(
        matches!(error, ConnectorError::Tls { .. }),
        "not a TLS error: {error:?}"
    );
    let text = error.to_string();
    assert!(!text.contains("drydock-tls-secret"), "{text}");
    (error.code().to_owned(), text)
}

#[test]
fn every_verifying_and_encrypting_mode_connects() {
    let db = TestDb::postgres_tls();
    let ca = ca();
    for query in [
        format!("sslmode=verify-full&sslrootcert={ca}"),
        format!("sslmode=verify-ca&sslrootcert={ca}"),
        // Prisma's spelling: `sslcert` is the server's certificate, `sslaccept=strict` checks
        // the host name too.
        format!("sslmode=require&sslcert={ca}&sslaccept=strict"),
        "sslmode=require".to_owned(),
        "sslmode=prefer".to_owned(),
        "sslmode=require&sslaccept=accept_invalid_certs".to_owned(),
    ] {
        let url = with_query(db.url(), &query);
        assert!(session_is_encrypted(&url), "{query}");
        let mut connection = PostgresDialect
            .connect(&url)
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        assert!(!connection.server_version().unwrap().is_empty());
    }
}

#[test]
fn verify_ca_accepts_a_host_name_the_certificate_does_not_name() {
    let db = TestDb::postgres_tls();
    let url = with_query(
        &db.url().replace("@localhost:", "@127.0.0.1:"),
        &format!("sslmode=verify-ca&sslrootcert={}", ca()),
    );
    assert!(session_is_encrypted(&url));
}

#[test]
fn a_certificate_from_another_authority_fails_verification() {
    let db = TestDb::postgres_tls();
    let other = required_var("TEST_POSTGRES_TLS_OTHER_CA");
    for query in [
        format!("sslmode=verify-full&sslrootcert={other}"),
        format!("sslmode=require&sslrootcert={other}"),
        format!("sslcert={other}"),
    ] {
        let (code, text) = tls_error(&with_query(db.url(), &query));
        assert_eq!(code, "P1011");
        assert!(text.contains("certificate verify failed"), "{text}");
        assert!(text.contains("not signed by a trusted"), "{text}");
        assert!(text.contains("sslrootcert"), "{text}");
        assert!(text.contains("postgres:****@localhost"), "{text}");
    }
}

#[test]
fn verify_full_without_a_root_certificate_uses_public_roots_and_fails_on_a_private_ca() {
    let db = TestDb::postgres_tls();
    let (_, text) = tls_error(&with_query(db.url(), "sslmode=verify-full"));
    assert!(text.contains("not signed by a trusted"), "{text}");
}

#[test]
fn a_host_name_the_certificate_does_not_name_fails_verify_full() {
    let db = TestDb::postgres_tls();
    let url = with_query(
        &db.url().replace("@localhost:", "@127.0.0.1:"),
        &format!("sslmode=verify-full&sslrootcert={}", ca()),
    );
    let (code, text) = tls_error(&url);
    assert_eq!(code, "P1011");
    assert!(
        text.contains("not valid for the host name `127.0.0.1`"),
        "{text}"
    );
    assert!(text.contains("sslmode=verify-ca"), "{text}");
}

#[test]
fn plaintext_is_refused_by_a_tls_only_server() {
    let db = TestDb::postgres_tls();
    let (code, text) = tls_error(&with_query(db.url(), "sslmode=disable"));
    assert_eq!(code, "P1011");
    assert!(text.contains("accepts TLS connections only"), "{text}");
    assert!(text.contains("sslmode=require"), "{text}");
}

#[test]
fn require_against_a_server_without_tls_says_so() {
    // The password-checking test server runs without `ssl`.
    let plain = required_var("TEST_POSTGRES_PASSWORD_URL");
    let (code, text) = tls_error(&with_query(&plain, "sslmode=require"));
    assert_eq!(code, "P1011");
    assert!(text.contains("does not support TLS"), "{text}");
    assert!(!text.contains("drydock-secret"), "{text}");
    // `prefer` falls back to plaintext there, as libpq does.
    assert!(!session_is_encrypted(&with_query(&plain, "sslmode=prefer")));
}

#[test]
fn client_certificates_authenticate_as_pem_or_pkcs12() {
    let db = TestDb::postgres_tls();
    let cert = required_var("TEST_POSTGRES_TLS_CLIENT_CERT");
    let key = required_var("TEST_POSTGRES_TLS_CLIENT_KEY");
    let p12 = required_var("TEST_POSTGRES_TLS_CLIENT_P12");
    let as_cert_user = db.url().replace("postgres:drydock-tls-secret@", "tlscert@");
    let ca = ca();
    for query in [
        format!("sslmode=verify-full&sslrootcert={ca}&sslcert={cert}&sslkey={key}"),
        format!(
            "sslmode=require&sslcert={ca}&sslaccept=strict&sslidentity={p12}&sslpassword=drydock"
        ),
    ] {
        let url = with_query(&as_cert_user, &query);
        let mut client = PgUrl::parse(&url)
            .unwrap()
            .connect()
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        let user: String = client
            .query_one("SELECT current_user::text", &[])
            .unwrap()
            .get(0);
        assert_eq!(user, "tlscert");
    }
    let (_, text) = tls_error(&with_query(
        &as_cert_user,
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ));
    assert!(text.contains("client certificate"), "{text}");
    let (_, text) = tls_error(&with_query(
        &as_cert_user,
        &format!("sslmode=require&sslidentity={p12}&sslpassword=wrong"),
    ));
    assert!(text.contains("sslidentity"), "{text}");
}

#[test]
fn a_missing_root_certificate_file_is_named() {
    let db = TestDb::postgres_tls();
    let (_, text) = tls_error(&with_query(
        db.url(),
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    ));
    assert!(text.contains("/nonexistent/ca.pem"), "{text}");
}

#[test]
fn shadow_databases_on_a_tls_server_are_created_and_dropped() {
    let db = TestDb::postgres_tls();
    let mut shadow = PostgresDialect.open_shadow(db.url(), None).unwrap();
    shadow
        .connection()
        .execute_script("CREATE TABLE t (id int)")
        .unwrap();
    shadow.dispose().unwrap();
}

/// As libpq: `prefer` connects in plaintext when the TLS handshake fails (here the server's
/// certificate is signed by no authority the URL trusts), `allow` uses TLS only when the
/// server turns plaintext away.
#[test]
fn prefer_and_allow_fall_back_as_libpq_does() {
    let mixed = required_var("TEST_POSTGRES_MIXED_URL");
    let tls_only = TestDb::postgres_tls();
    let ca = ca();
    assert!(session_is_encrypted(&with_query(&mixed, "sslmode=prefer")));
    assert!(!session_is_encrypted(&with_query(
        &mixed,
        &format!("sslmode=prefer&sslrootcert={ca}")
    )));
    assert!(!session_is_encrypted(&with_query(&mixed, "sslmode=allow")));
    assert!(session_is_encrypted(&with_query(
        tls_only.url(),
        "sslmode=allow"
    )));
    assert!(session_is_encrypted(&with_query(
        tls_only.url(),
        &format!("sslmode=allow&sslrootcert={ca}")
    )));
    // When TLS is all the server takes, the handshake's failure is what is reported.
    let other = required_var("TEST_POSTGRES_TLS_OTHER_CA");
    let (code, text) = tls_error(&with_query(
        tls_only.url(),
        &format!("sslmode=prefer&sslrootcert={other}"),
    ));
    assert_eq!(code, "P1011");
    assert!(text.contains("certificate verify failed"), "{text}");
}
