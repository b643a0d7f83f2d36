//! The one parser of database connection URLs
//! (`scheme://user:password@host:port,host2/database?key=value`), for every database: each
//! database reads its own parameters from the result. Printing a URL goes through the same
//! parser, so a password is hidden wherever a URL is shown.

use std::fmt;

/// What replaces a password in anything shown.
pub const MASK: &str = "****";

/// Query parameters whose value is a secret.
const SECRET_PARAMETERS: [&str; 2] = ["password", "sslpassword"];

/// One host of a URL: a name, an address (IPv6 without its brackets) or a socket folder
/// (written percent-encoded: `%2Fvar%2Frun%2Fpostgresql`), with its port when written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlHost {
    pub name: String,
    pub port: Option<u16>,
}

/// A parsed connection URL, every part percent-decoded. `Display` and `Debug` hide the
/// password; [`DbUrl::to_url`] writes the URL with it, for drivers only.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub scheme: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// In the order written; empty when the URL names none (`postgresql:///db`).
    pub hosts: Vec<UrlHost>,
    /// The path without its leading `/`; `None` when the URL has no path.
    pub database: Option<String>,
    /// Query parameters in the order written (`+` read as a space, as in forms).
    pub params: Vec<(String, String)>,
}

/// Why a URL does not parse, and where (a byte offset into the URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError {
    pub position: usize,
    pub kind: UrlErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlErrorKind {
    /// No `scheme://` at the start.
    MissingScheme,
    /// A port that is not a number from 0 to 65535.
    InvalidPort,
    /// `[` of an IPv6 address without its `]`, or something other than `:port` after it.
    InvalidIpv6,
    /// An empty host between commas.
    EmptyHost,
    /// Percent escapes that decode to bytes that are not UTF-8.
    InvalidUtf8,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            UrlErrorKind::MissingScheme => "a URL starts with `scheme://`",
            UrlErrorKind::InvalidPort => "the port is not a number from 0 to 65535",
            UrlErrorKind::InvalidIpv6 => {
                "an IPv6 address is written `[address]` or `[address]:port`"
            }
            UrlErrorKind::EmptyHost => "a host in the list is empty",
            UrlErrorKind::InvalidUtf8 => "a percent escape does not decode to UTF-8 text",
        };
        write!(f, "{what} (at character {})", self.position + 1)
    }
}

impl std::error::Error for UrlError {}

/// Where each part lies in the text: what parsing decodes and redaction masks.
struct Spans {
    scheme: (usize, usize),
    /// `user` and `password` of the userinfo, the password without its `:`.
    user: Option<(usize, usize)>,
    password: Option<(usize, usize)>,
    hosts: (usize, usize),
    path: Option<(usize, usize)>,
    /// Each `key=value` pair: the key's span and the value's.
    params: Vec<((usize, usize), (usize, usize))>,
}

/// Splits `text` into its parts. Fails only without `scheme://`. The userinfo ends at the last
/// `@` before the first `/` (a password may hold `@`, `?` or `#`, as written by hand; `/` must
/// be encoded, as libpq requires).
fn split(text: &str) -> Result<Spans, UrlError> {
    let colon = text.find(':').ok_or(UrlError {
        position: 0,
        kind: UrlErrorKind::MissingScheme,
    })?;
    let scheme_ok = text[..colon].chars().enumerate().all(|(i, c)| {
        c.is_ascii_alphabetic() || (i > 0 && (c.is_ascii_digit() || "+-.".contains(c)))
    });
    if colon == 0 || !scheme_ok || !text[colon..].starts_with("://") {
        return Err(UrlError {
            position: 0,
            kind: UrlErrorKind::MissingScheme,
        });
    }
    let start = colon + 3;
    let rest = &text[start..];
    let slash = rest.find('/').unwrap_or(rest.len());
    let (user, password, host_start) = match rest[..slash].rfind('@') {
        Some(at) => {
            let info = &rest[..at];
            match info.find(':') {
                Some(c) => (
                    Some((start, start + c)),
                    Some((start + c + 1, start + at)),
                    start + at + 1,
                ),
                None => (Some((start, start + at)), None, start + at + 1),
            }
        }
        None => (None, None, start),
    };
    let after_hosts = text[host_start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| host_start + i);
    let (path, query_start) = if text[after_hosts..].starts_with('/') {
        let end = text[after_hosts..]
            .find(['?', '#'])
            .map_or(text.len(), |i| after_hosts + i);
        (Some((after_hosts + 1, end)), end)
    } else {
        (None, after_hosts)
    };
    let mut params = Vec::new();
    if text[query_start..].starts_with('?') {
        let end = text[query_start..]
            .find('#')
            .map_or(text.len(), |i| query_start + i);
        let mut pos = query_start + 1;
        for pair in text[query_start + 1..end].split('&') {
            if !pair.is_empty() {
                let key_end = pair.find('=').unwrap_or(pair.len());
                let value_start = (key_end + 1).min(pair.len());
                params.push(((pos, pos + key_end), (pos + value_start, pos + pair.len())));
            }
            pos += pair.len() + 1;
        }
    }
    Ok(Spans {
        scheme: (0, colon),
        user,
        password,
        hosts: (host_start, after_hosts),
        path,
        params,
    })
}

/// The text of `span`, percent-decoded (`+` as a space when `form`); an escape that is not
/// two hex digits stays as written, as drivers read it.
fn decode(text: &str, (start, end): (usize, usize), form: bool) -> Result<String, UrlError> {
    let bytes = &text.as_bytes()[start..end];
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    // Two hex digits make at most 255.
                    out.push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if form => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|e| UrlError {
        position: start + e.utf8_error().valid_up_to(),
        kind: UrlErrorKind::InvalidUtf8,
    })
}

/// `text` percent-encoded: every byte but the unreserved ones, so the result reads back the
/// same in any part of a URL.
fn encode(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

fn parse_port(text: &str, position: usize) -> Result<u16, UrlError> {
    let invalid = UrlError {
        position,
        kind: UrlErrorKind::InvalidPort,
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid);
    }
    text.parse().map_err(|_| invalid)
}

fn parse_hosts(text: &str, (start, end): (usize, usize)) -> Result<Vec<UrlHost>, UrlError> {
    if start == end {
        return Ok(Vec::new());
    }
    let mut hosts = Vec::new();
    let mut pos = start;
    for item in text[start..end].split(',') {
        let item_end = pos + item.len();
        if item.is_empty() {
            return Err(UrlError {
                position: pos,
                kind: UrlErrorKind::EmptyHost,
            });
        }
        let (name, port_text) = if let Some(inner) = item.strip_prefix('[') {
            // `[]` holds no address (and would be written back as an empty host).
            let close = inner.find(']').filter(|&close| close > 0).ok_or(UrlError {
                position: pos,
                kind: UrlErrorKind::InvalidIpv6,
            })?;
            let after = &inner[close + 1..];
            let port = match after.strip_prefix(':') {
                Some(port) => Some((port, pos + close + 3)),
                None if after.is_empty() => None,
                None => {
                    return Err(UrlError {
                        position: pos + close + 2,
                        kind: UrlErrorKind::InvalidIpv6,
                    });
                }
            };
            (decode(text, (pos + 1, pos + 1 + close), false)?, port)
        } else {
            match item.rfind(':') {
                Some(c) => (
                    decode(text, (pos, pos + c), false)?,
                    Some((&item[c + 1..], pos + c + 1)),
                ),
                None => (decode(text, (pos, item_end), false)?, None),
            }
        };
        let port = port_text
            .map(|(port, at)| parse_port(port, at))
            .transpose()?;
        hosts.push(UrlHost { name, port });
        pos = item_end + 1;
    }
    Ok(hosts)
}

impl DbUrl {
    pub fn parse(text: &str) -> Result<DbUrl, UrlError> {
        let spans = split(text)?;
        let (scheme_start, scheme_end) = spans.scheme;
        let mut params = Vec::with_capacity(spans.params.len());
        for (key, value) in &spans.params {
            params.push((decode(text, *key, true)?, decode(text, *value, true)?));
        }
        Ok(DbUrl {
            scheme: text[scheme_start..scheme_end].to_ascii_lowercase(),
            user: spans.user.map(|s| decode(text, s, false)).transpose()?,
            password: spans.password.map(|s| decode(text, s, false)).transpose()?,
            hosts: parse_hosts(text, spans.hosts)?,
            database: spans.path.map(|s| decode(text, s, false)).transpose()?,
            params,
        })
    }

    /// The last value of parameter `key` (later ones win, as in libpq).
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets parameter `key` to `value`: the first occurrence is replaced and later ones
    /// removed, or it is added at the end.
    pub fn set_param(&mut self, key: &str, value: &str) {
        match self.params.iter().position(|(k, _)| k == key) {
            Some(first) => {
                self.params[first].1 = value.to_owned();
                let mut index = 0;
                self.params.retain(|(k, _)| {
                    index += 1;
                    index - 1 <= first || k != key
                });
            }
            None => self.params.push((key.to_owned(), value.to_owned())),
        }
    }

    pub fn remove_param(&mut self, key: &str) {
        self.params.retain(|(k, _)| k != key);
    }

    /// The URL with its password, for a driver; never for a message.
    pub fn to_url(&self) -> String {
        self.write(false)
    }

    fn write(&self, masked: bool) -> String {
        let mut out = format!("{}://", self.scheme);
        if self.user.is_some() || self.password.is_some() {
            encode(self.user.as_deref().unwrap_or_default(), &mut out);
            if let Some(password) = &self.password {
                out.push(':');
                if masked {
                    out.push_str(MASK);
                } else {
                    encode(password, &mut out);
                }
            }
            out.push('@');
        }
        for (i, host) in self.hosts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if host.name.contains(':') {
                // Bracketed, colons as they are; anything else encoded, so that a name that is
                // no IPv6 address cannot break the URL (a space, `]`, `/`).
                out.push('[');
                for (i, part) in host.name.split(':').enumerate() {
                    if i > 0 {
                        out.push(':');
                    }
                    encode(part, &mut out);
                }
                out.push(']');
            } else {
                encode(&host.name, &mut out);
            }
            if let Some(port) = host.port {
                out.push_str(&format!(":{port}"));
            }
        }
        if let Some(database) = &self.database {
            out.push('/');
            encode(database, &mut out);
        }
        for (i, (key, value)) in self.params.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            encode(key, &mut out);
            out.push('=');
            if masked && is_secret(key) {
                out.push_str(MASK);
            } else {
                encode(value, &mut out);
            }
        }
        out
    }
}

fn is_secret(key: &str) -> bool {
    SECRET_PARAMETERS
        .iter()
        .any(|s| key.eq_ignore_ascii_case(s))
}

/// The URL with its password and secret parameters masked.
impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.write(true))
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DbUrl").field(&self.write(true)).finish()
    }
}

/// `url` as written, with its password and secret parameters (`password=`, `sslpassword=`)
/// replaced by `****`. Text that does not parse as a URL is masked from the first `:` after
/// `://` to the last `@`, and in any secret parameter, so no rendering of a mistyped URL
/// shows its password either. Text without `://` (`file:./dev.db`) is returned unchanged.
pub fn redact_url(url: &str) -> String {
    let mut masks: Vec<(usize, usize)> = Vec::new();
    let spans = DbUrl::parse(url).and_then(|_| split(url));
    if let Ok(spans) = &spans {
        masks.extend(spans.password);
        for (key, value) in &spans.params {
            if decode(url, *key, true).is_ok_and(|k| is_secret(&k)) {
                masks.push(*value);
            }
        }
    }
    // A password with an unencoded `/` makes the URL unreadable, or read as something else:
    // mask from the first `:` after `://` to the last `@` before the query.
    if spans.as_ref().is_ok_and(|s| s.password.is_none()) || spans.is_err() {
        let query = url.find('?').unwrap_or(url.len());
        if let (Some(start), Some(at)) = (url.find("://"), url[..query].rfind('@'))
            && at > start
            && let Some(colon) = url[start + 3..at].find(':')
        {
            masks.push((start + 3 + colon + 1, at));
        }
    }
    // Secret parameters wherever the text has them, should the split have misread it.
    let mut pos = 0;
    while let Some(i) = url[pos..].find(['?', '&']) {
        let key_start = pos + i + 1;
        let end = url[key_start..]
            .find(['&', '#'])
            .map_or(url.len(), |e| key_start + e);
        if let Some(eq) = url[key_start..end].find('=')
            && is_secret(&url[key_start..key_start + eq])
        {
            masks.push((key_start + eq + 1, end));
        }
        pos = key_start;
    }
    masks.sort_unstable();
    let mut out = String::with_capacity(url.len());
    let mut pos = 0;
    for (start, end) in masks {
        if start < pos {
            pos = pos.max(end);
            continue;
        }
        out.push_str(&url[pos..start]);
        out.push_str(MASK);
        pos = end;
    }
    out.push_str(&url[pos..]);
    out
}

/// Every URL in `text` (a command line, a log line, an error) with its password masked: each
/// word that holds `://` goes through [`redact_url`].
pub fn redact_text(text: &str) -> String {
    if !text.contains("://") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find("://") {
        let start = rest[..found]
            .char_indices()
            .rfind(|(_, c)| c.is_whitespace() || "\"'`<(=,".contains(*c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = rest[found..]
            .find(|c: char| c.is_whitespace() || "\"'`>)".contains(c))
            .map_or(rest.len(), |i| found + i);
        out.push_str(&rest[..start]);
        out.push_str(&redact_url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn host(name: &str, port: Option<u16>) -> UrlHost {
        UrlHost {
            name: name.to_owned(),
            port,
        }
    }

    #[test]
    fn reads_every_part() {
        let url = DbUrl::parse(
            "PostgreSQL://al%40ice:p%3Ass@db.example.com:6543,[::1]:5433,%2Frun%2Fpg/my%20db\
             ?schema=app&host=%2Ftmp&opt=a+b&flag",
        )
        .unwrap();
        assert_eq!(url.scheme, "postgresql");
        assert_eq!(url.user.as_deref(), Some("al@ice"));
        assert_eq!(url.password.as_deref(), Some("p:ss"));
        assert_eq!(
            url.hosts,
            [
                host("db.example.com", Some(6543)),
                host("::1", Some(5433)),
                host("/run/pg", None)
            ]
        );
        assert_eq!(url.database.as_deref(), Some("my db"));
        assert_eq!(url.param("schema"), Some("app"));
        assert_eq!(url.param("host"), Some("/tmp"));
        assert_eq!(url.param("opt"), Some("a b"));
        assert_eq!(url.param("flag"), Some(""));
        let bare = DbUrl::parse("mysql://h").unwrap();
        assert_eq!((bare.user, bare.database), (None, None));
        let none = DbUrl::parse("postgresql:///db").unwrap();
        assert!(none.hosts.is_empty());
    }

    /// Found by the `db_url` fuzz target: a host with a `:` and a control character was
    /// written bracketed as it was, so the written URL held whitespace, and `redact_text`
    /// stopped at it, leaving a later `sslpassword` shown.
    #[test]
    fn bracketed_hosts_are_written_encoded_but_their_colons() {
        let mut url = DbUrl::parse("pos://u:ppostgr\x0besql:2/u:hun@").unwrap();
        assert_eq!(url.hosts, [host("u:ppostgr\x0besql", Some(2))]);
        url.set_param("sslpassword", "secret");
        let written = url.to_url();
        assert_eq!(
            written,
            "pos://[u:ppostgr%0Besql]:2/u%3Ahun%40?sslpassword=secret"
        );
        assert_eq!(DbUrl::parse(&written), Ok(url));
        assert!(!redact_text(&format!("to {written} failed")).contains("secret"));
        let ipv6 = DbUrl::parse("postgresql://[fe80::1%25eth0]:5432/d").unwrap();
        assert_eq!(ipv6.to_url(), "postgresql://[fe80::1%25eth0]:5432/d");
    }

    #[test]
    fn handwritten_passwords_keep_their_at_signs() {
        let url = DbUrl::parse("mysql://root:p@ss?#w@127.0.0.1/x").unwrap();
        assert_eq!(url.password.as_deref(), Some("p@ss?#w"));
        assert_eq!(url.hosts, [host("127.0.0.1", None)]);
        assert_eq!(
            redact_url("mysql://root:p@ss?#w@127.0.0.1/x"),
            "mysql://root:****@127.0.0.1/x"
        );
    }

    #[test]
    fn errors_say_where() {
        let cases = [
            ("file:./dev.db", 0, UrlErrorKind::MissingScheme),
            ("://h", 0, UrlErrorKind::MissingScheme),
            ("postgresql://u:p@h:54x/d", 19, UrlErrorKind::InvalidPort),
            ("postgresql://h:70000", 15, UrlErrorKind::InvalidPort),
            ("postgresql://[::1/d", 13, UrlErrorKind::InvalidIpv6),
            ("postgresql://[::1]x/d", 18, UrlErrorKind::InvalidIpv6),
            // Found by the `db_url` fuzz target: `[]` was read as an empty host name.
            ("postgresql://h,[]/d", 15, UrlErrorKind::InvalidIpv6),
            ("postgresql://a,,b/d", 15, UrlErrorKind::EmptyHost),
            ("postgresql://h/%ff", 15, UrlErrorKind::InvalidUtf8),
        ];
        for (text, position, kind) in cases {
            assert_eq!(
                DbUrl::parse(text),
                Err(UrlError { position, kind }),
                "{text}"
            );
        }
        let error = DbUrl::parse("postgresql://u:p@h:54x/d").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the port is not a number from 0 to 65535 (at character 20)"
        );
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
                "postgresql://db/app?user=a&password=hunter2&sslpassword=s3cret",
                "postgresql://db/app?user=a&password=****&sslpassword=****",
            ),
            ("file:./dev.db", "file:./dev.db"),
            ("postgres://u:pa ss@host/db", "postgres://u:****@host/db"),
            // Not URLs the parser accepts: masked all the same.
            ("postgres://u:s3cret/x@host/db", "postgres://u:****@host/db"),
            ("postgres://u:123/x@host/db", "postgres://u:****@host/db"),
            ("postgres://u:s3cret@h:bad/db", "postgres://u:****@h:bad/db"),
            (
                "://h/db?x=1&password=hunter2#f",
                "://h/db?x=1&password=****#f",
            ),
        ];
        for (input, expected) in cases {
            let shown = redact_url(input);
            assert_eq!(shown, expected, "input: {input}");
        }
    }

    #[test]
    fn redacts_urls_inside_text() {
        assert_eq!(
            redact_text("pg_dump --dbname=postgresql://u:s3cret@h/d failed (mysql://r:pw@h/x)"),
            "pg_dump --dbname=postgresql://u:****@h/d failed (mysql://r:****@h/x)"
        );
        assert_eq!(redact_text("no url here"), "no url here");
    }

    #[test]
    fn editing_parameters() {
        let mut url = DbUrl::parse("postgresql://h/d?a=1&b=2&a=3").unwrap();
        url.set_param("a", "x y");
        assert_eq!(url.to_url(), "postgresql://h/d?a=x%20y&b=2");
        url.remove_param("b");
        url.set_param("c", "/p");
        assert_eq!(url.to_url(), "postgresql://h/d?a=x%20y&c=%2Fp");
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[a-zA-Z0-9 @:/?#&=%+,\\[\\]é.-]{0,12}").unwrap()
    }

    fn url() -> impl Strategy<Value = DbUrl> {
        let host = prop_oneof![
            "[a-z][a-z0-9.-]{0,10}",
            Just("::1".to_owned()),
            Just("/var/run/postgresql".to_owned()),
        ];
        (
            "[a-z][a-z0-9+.-]{0,8}",
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::collection::vec(
                (host, proptest::option::of(any::<u16>()))
                    .prop_map(|(name, port)| UrlHost { name, port }),
                0..3,
            ),
            proptest::option::of(text()),
            proptest::collection::vec(("[a-z_]{1,8}", text()), 0..4),
        )
            .prop_map(|(scheme, user, password, hosts, database, params)| DbUrl {
                scheme,
                // A password is written after a user, even an empty one.
                user: user.or_else(|| password.as_ref().map(|_| String::new())),
                password,
                hosts,
                database,
                params,
            })
    }

    proptest! {
        #[test]
        fn written_urls_read_back_the_same(url in url()) {
            let written = url.to_url();
            let read = DbUrl::parse(&written);
            prop_assert_eq!(read, Ok(url), "{}", written);
        }

        #[test]
        fn no_rendering_shows_the_password(mut url in url(), secret in "[a-zA-Z0-9]{6}Q[a-zA-Z0-9]{6}") {
            url.password = Some(secret.clone());
            url.user.get_or_insert_with(String::new);
            url.params.push(("password".to_owned(), secret.clone()));
            let written = url.to_url();
            for shown in [
                url.to_string(),
                format!("{url:?}"),
                redact_url(&written),
                redact_text(&format!("x {written} y")),
            ] {
                prop_assert!(!shown.contains(&secret), "{}", shown);
            }
            let masked = DbUrl::parse(&url.to_string()).unwrap();
            prop_assert_eq!(masked.password.as_deref(), Some(MASK));
        }

        #[test]
        fn any_text_parses_or_fails_without_panicking(text in "\\PC{0,40}") {
            let _ = DbUrl::parse(&text);
            let _ = redact_url(&text);
            let _ = redact_text(&text);
        }
    }
}
