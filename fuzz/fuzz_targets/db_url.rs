//! The connection URL parser: any text parses or is refused without a panic; a parsed URL
//! written back (`to_url`) parses to the same URL; and no rendering for messages (`Display`,
//! `redact_url`, the PostgreSQL URL's errors and redacted form) shows its password.

#![no_main]

use drydock_connector::{DbUrl, redact_text, redact_url};
use drydock_postgres::url::PgUrl;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "Zq7Secret9x";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = redact_text(&text);
    let _ = redact_url(&text);
    let _ = PgUrl::parse(&text).map(|url| url.redacted().to_owned());
    let Ok(url) = DbUrl::parse(&text) else { return };
    let written = url.to_url();
    assert_eq!(
        DbUrl::parse(&written).as_ref(),
        Ok(&url),
        "`{written}` reads differently"
    );

    // The same URL with a password that appears nowhere else, also as a secret parameter.
    let mut secret = url;
    if secret.user.as_deref().is_some_and(|u| u.contains(SECRET))
        || secret.hosts.iter().any(|h| h.name.contains(SECRET))
        || secret
            .database
            .as_deref()
            .is_some_and(|d| d.contains(SECRET))
        || secret
            .params
            .iter()
            .any(|(k, v)| k.contains(SECRET) || v.contains(SECRET))
    {
        return;
    }
    secret.password = Some(SECRET.to_owned());
    secret.set_param("sslpassword", SECRET);
    let written = secret.to_url();
    for shown in [
        secret.to_string(),
        format!("{secret:?}"),
        redact_url(&written),
        redact_text(&format!("connecting to {written} failed")),
    ] {
        assert!(!shown.contains(SECRET), "the password shows in `{shown}`");
    }
    let postgres = format!(
        "postgresql://{}",
        written.split_once("://").map_or("", |(_, rest)| rest)
    );
    match PgUrl::parse(&postgres) {
        Ok(url) => {
            assert!(!url.redacted().contains(SECRET) && !format!("{url:?}").contains(SECRET))
        }
        Err(error) => assert!(
            !error.to_string().contains(SECRET),
            "the password shows in `{error}`"
        ),
    }
});
