//! Printing URLs without their passwords.

/// `url` with any password replaced by `****`. Strings that are not URLs are returned unchanged
/// unless they look like `user:password@host`, whose password is masked too.
pub fn redact_url(url: &str) -> String {
    if let Ok(mut parsed) = url::Url::parse(url) {
        let password_in_query = parsed
            .query_pairs()
            .any(|(key, _)| key.eq_ignore_ascii_case("password"));
        if parsed.password().is_none() && !password_in_query {
            // Nothing to hide: keep the text as the user wrote it (parsing normalizes it).
            return url.to_owned();
        }
        if parsed.password().is_some() {
            // Only fails for URLs that cannot have a password, which this one has.
            let _ = parsed.set_password(Some("****"));
        }
        for (key, _) in parsed.query_pairs() {
            if key.eq_ignore_ascii_case("password") {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| {
                        let value = if k.eq_ignore_ascii_case("password") {
                            "****".to_owned()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), value)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
                break;
            }
        }
        return parsed.to_string();
    }
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:****{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `text` with its `%XX` escapes decoded (a URL's user, password or path); an invalid escape
/// stays as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{percent_decode, redact_url};

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b%zz%4"), "a b%zz%4");
    }

    #[test]
    fn masks_passwords_in_every_place_they_hide() {
        let cases = [
            (
                "postgresql://alice:s3cret@db:5432/app",
                "postgresql://alice:****@db:5432/app",
            ),
            ("postgresql://alice@db/app", "postgresql://alice@db/app"),
            (
                "mysql://root:p%40ss@127.0.0.1/x",
                "mysql://root:****@127.0.0.1/x",
            ),
            (
                "postgresql://db/app?user=a&password=hunter2",
                "postgresql://db/app?user=a&password=****",
            ),
            ("file:./dev.db", "file:./dev.db"),
            ("postgres://u:pa ss@host/db", "postgres://u:****@host/db"),
        ];
        for (input, expected) in cases {
            let shown = redact_url(input);
            assert_eq!(shown, expected, "input: {input}");
            assert!(!shown.contains("s3cret") && !shown.contains("hunter2"));
        }
    }
}
