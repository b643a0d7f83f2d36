//! The one parser of PostgreSQL connection URLs: libpq's parameters, Prisma's (`schema`,
//! `sslaccept`, `sslidentity`, `sslpassword`) and what libpq's client tools need to see in their
//! environment.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use drydock_connector::{ConnectorError, DbUrl, redact_url};
use postgres::config::TargetSessionAttrs;

/// The schema used when the URL names none.
pub(crate) const DEFAULT_SCHEMA: &str = "public";

/// How long to wait for the server to answer when the URL sets no `connect_timeout`.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// URL parameters that name files; a relative one is resolved against the schema's folder.
const PATH_PARAMETERS: [&str; 4] = ["sslrootcert", "sslcert", "sslkey", "sslidentity"];

pub(crate) fn accepts_url(url: &str) -> bool {
    url.starts_with("postgresql://") || url.starts_with("postgres://")
}

/// `sslmode`, as libpq reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// Plaintext first, TLS when the server asks for encryption.
    Allow,
    /// TLS first, plaintext when the handshake fails or the server turns it away.
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Encrypted, the certificate is not checked (libpq's `require`).
    None,
    /// The chain must lead to a trusted root (libpq's `verify-ca`).
    Chain,
    /// The chain and the host name (libpq's `verify-full`, Prisma's `sslaccept=strict`).
    Full,
}

/// The TLS half of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    pub mode: SslMode,
    /// Certificates the server's chain must lead to: `sslrootcert`, or Prisma's `sslcert` when
    /// no `sslkey` makes it libpq's client certificate.
    pub root_cert: Option<PathBuf>,
    /// The client certificate and key (libpq's `sslcert` + `sslkey`, PEM).
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// The client identity as a PKCS#12 file (Prisma's `sslidentity`) and its password.
    pub identity: Option<PathBuf>,
    pub identity_password: Option<String>,
    /// Prisma's `sslaccept`: `Some(true)` for `strict`, `Some(false)` for `accept_invalid_certs`.
    pub strict: Option<bool>,
}

impl TlsSettings {
    /// What the server's certificate is checked for: `verify-ca`/`verify-full` as asked;
    /// `prefer`/`require` check nothing unless Prisma's `sslaccept=strict` asks for everything,
    /// or a root certificate is given (then the chain, as libpq does), unless
    /// `sslaccept=accept_invalid_certs` says not to.
    pub fn verification(&self) -> Verification {
        match self.mode {
            SslMode::VerifyFull => Verification::Full,
            SslMode::VerifyCa => Verification::Chain,
            SslMode::Disable | SslMode::Allow | SslMode::Prefer | SslMode::Require => {
                match self.strict {
                    Some(true) => Verification::Full,
                    Some(false) => Verification::None,
                    None if self.root_cert.is_some() => Verification::Chain,
                    None => Verification::None,
                }
            }
        }
    }

    /// The `sslmode` libpq's tools get, so they check what drydock's own sessions check.
    pub(crate) fn libpq_mode(&self) -> &'static str {
        match (self.mode, self.verification()) {
            (SslMode::Disable, _) => "disable",
            // Given a root certificate, libpq checks the chain in these modes itself, and
            // falls back to plaintext as drydock does.
            (SslMode::Allow, Verification::None | Verification::Chain) => "allow",
            (SslMode::Prefer, Verification::None | Verification::Chain) => "prefer",
            (_, Verification::Full) => "verify-full",
            (_, Verification::Chain) => "verify-ca",
            (_, Verification::None) => "require",
        }
    }
}

/// A parsed PostgreSQL connection URL. Its `Debug` shows the redacted URL only: it holds the
/// password.
#[derive(Clone)]
pub struct PgUrl {
    /// Host name, address or socket directory, as written: the first of the URL's hosts.
    pub host: String,
    pub port: u16,
    /// The URL's other hosts (`h1:5432,h2:5433`, as libpq takes them), tried in order when the
    /// ones before cannot be reached or do not match `target_session_attrs`.
    pub more_hosts: Vec<(String, u16)>,
    /// libpq's `target_session_attrs`: `any` (default), `read-write` or `read-only`.
    pub target_session_attrs: TargetSessionAttrs,
    pub user: String,
    pub password: Option<String>,
    pub database: String,
    /// The schema drydock manages (`?schema=`, default `public`).
    pub schema: String,
    pub connect_timeout: Option<Duration>,
    pub application_name: Option<String>,
    pub options: Option<String>,
    /// Prisma's `pgbouncer=true`: the URL goes through a transaction-mode pooler.
    pub pgbouncer: bool,
    pub tls: TlsSettings,
    redacted: String,
    /// Files written for libpq's tools (see `libpq_env`), removed with the last copy.
    pub(crate) libpq_files: Arc<OnceLock<tempfile::TempDir>>,
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PgUrl").field(&self.redacted).finish()
    }
}

impl PgUrl {
    /// Parses `url`. Relative certificate paths stay relative to the working directory, as
    /// libpq reads them; [`resolve_paths`] makes them relative to the schema's folder first.
    pub fn parse(url: &str) -> Result<PgUrl, ConnectorError> {
        // As the user wrote it, password masked.
        let redacted = redact_url(url);
        let invalid = |reason: &str| ConnectorError::InvalidUrl {
            url: redacted.clone(),
            reason: reason.to_owned(),
        };
        if !accepts_url(url) {
            return Err(invalid(
                "a PostgreSQL URL starts with `postgresql://` or `postgres://`",
            ));
        }
        let parsed = DbUrl::parse(url).map_err(|e| invalid(&e.to_string()))?;
        let mut hosts = parsed
            .hosts
            .iter()
            .map(|host| (host.name.clone(), host.port.unwrap_or(5432)));
        let (mut host, mut port) = hosts.next().unwrap_or((String::new(), 5432));
        let more_hosts: Vec<(String, u16)> = hosts.collect();
        let mut target_session_attrs = TargetSessionAttrs::Any;
        let mut user = parsed.user.clone().unwrap_or_default();
        let mut password = parsed.password.clone();
        let mut database = parsed.database.clone().unwrap_or_default();
        let mut schema = DEFAULT_SCHEMA.to_owned();
        let mut connect_timeout = Some(DEFAULT_CONNECT_TIMEOUT);
        let mut application_name = None;
        let mut options = None;
        let mut pgbouncer = false;
        let mut mode = SslMode::Prefer;
        let mut root_cert = None;
        let mut cert = None;
        let mut key = None;
        let mut identity = None;
        let mut identity_password = None;
        let mut strict = None;
        for (key_name, value) in parsed.params.iter().cloned() {
            match key_name.as_str() {
                "schema" => schema = value,
                "host" => host = value,
                "port" => {
                    port = value
                        .parse()
                        .map_err(|_| invalid("the `port` parameter is not a port number"))?;
                }
                "user" => user = value,
                "password" => password = Some(value),
                "dbname" => database = value,
                "connect_timeout" => {
                    let seconds: u64 = value.parse().map_err(|_| {
                        invalid("the `connect_timeout` parameter is not a number of seconds")
                    })?;
                    connect_timeout = (seconds > 0).then(|| Duration::from_secs(seconds));
                }
                "application_name" => application_name = Some(value),
                "options" => options = Some(value),
                "pgbouncer" => pgbouncer = value == "true",
                "target_session_attrs" => {
                    target_session_attrs = match value.as_str() {
                        "any" => TargetSessionAttrs::Any,
                        "read-write" => TargetSessionAttrs::ReadWrite,
                        "read-only" => TargetSessionAttrs::ReadOnly,
                        _ => {
                            return Err(invalid(&format!(
                                "`target_session_attrs={value}` is not one of any, read-write, \
                                 read-only"
                            )));
                        }
                    }
                }
                "sslmode" => {
                    mode = match value.as_str() {
                        "disable" => SslMode::Disable,
                        "allow" => SslMode::Allow,
                        "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        _ => {
                            return Err(invalid(&format!(
                                "`sslmode={value}` is not one of disable, allow, prefer, \
                                 require, verify-ca, verify-full"
                            )));
                        }
                    }
                }
                "sslaccept" => {
                    strict = Some(match value.as_str() {
                        "strict" => true,
                        "accept_invalid_certs" => false,
                        _ => {
                            return Err(invalid(&format!(
                                "`sslaccept={value}` is not one of strict, accept_invalid_certs"
                            )));
                        }
                    });
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(value)),
                "sslcert" => cert = Some(PathBuf::from(value)),
                "sslkey" => key = Some(PathBuf::from(value)),
                "sslidentity" => identity = Some(PathBuf::from(value)),
                "sslpassword" => identity_password = Some(value),
                // Prisma's pool and client settings, meaningless for a migration session.
                _ => {}
            }
        }
        // Prisma's `sslcert` is the server's certificate (what libpq calls `sslrootcert`);
        // libpq's is the client's and comes with `sslkey`, which Prisma does not have.
        let client_cert = match (cert, key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (Some(cert), None) => {
                root_cert.get_or_insert(cert);
                None
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "`sslkey` needs `sslcert`, the client certificate that goes with the key",
                ));
            }
            (None, None) => None,
        };
        if more_hosts.iter().any(|(name, _)| name.is_empty()) {
            return Err(invalid("one of its hosts is empty"));
        }
        if host.is_empty() {
            host = "localhost".to_owned();
        }
        if user.is_empty() {
            user = "postgres".to_owned();
        }
        if database.is_empty() {
            database = "postgres".to_owned();
        }
        if schema.is_empty() {
            return Err(invalid("the `schema` parameter is empty"));
        }
        Ok(PgUrl {
            host,
            port,
            more_hosts,
            target_session_attrs,
            user,
            password,
            database,
            schema,
            connect_timeout,
            application_name,
            options,
            pgbouncer,
            tls: TlsSettings {
                mode,
                root_cert,
                client_cert,
                identity,
                identity_password,
                strict,
            },
            redacted,
            libpq_files: Arc::default(),
        })
    }

    /// The URL with its password hidden, for messages.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// The same server and credentials, another database.
    pub fn with_database(&self, database: &str) -> PgUrl {
        let mut url = self.clone();
        url.database = database.to_owned();
        url.redacted = format!("{} (database `{database}`)", self.redacted);
        url
    }

    /// Whether both URLs name the same database on the same server.
    pub fn same_database_as(&self, other: &PgUrl) -> bool {
        self.hosts().eq(other.hosts()) && self.database == other.database
    }

    /// Every host with its port, in the order they are tried.
    pub fn hosts(&self) -> impl Iterator<Item = (&str, u16)> {
        std::iter::once((self.host.as_str(), self.port)).chain(
            self.more_hosts
                .iter()
                .map(|(host, port)| (host.as_str(), *port)),
        )
    }

    /// `host:port`, for messages (`h1:5432,h2:5433` for several hosts).
    pub fn host_port(&self) -> String {
        self.hosts()
            .map(|(host, port)| format!("{host}:{port}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether the host is a Unix socket folder (no TLS there).
    pub fn is_socket(&self) -> bool {
        self.host.starts_with('/')
    }
}

/// `url` with its relative certificate paths (`sslrootcert`, `sslcert`, `sslkey`,
/// `sslidentity`) made absolute against `base`, the schema's folder, as Prisma resolves them.
/// Anything that does not parse is returned unchanged, for the parser to report.
pub fn resolve_paths(url: &str, base: &Path) -> String {
    let Ok(mut parsed) = DbUrl::parse(url) else {
        return url.to_owned();
    };
    let mut changed = false;
    for (key, value) in &mut parsed.params {
        let path = Path::new(value.as_str());
        if PATH_PARAMETERS.contains(&key.as_str()) && path.is_relative() {
            let relative = path.strip_prefix("./").unwrap_or(path);
            *value = base.join(relative).display().to_string();
            changed = true;
        }
    }
    if changed {
        parsed.to_url()
    } else {
        url.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_part_of_a_url() {
        let url = PgUrl::parse(
            "postgresql://al%40ice:p%3Ass@db.example.com:6543/my%20db?schema=app&connect_timeout=9\
             &sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/c.key",
        )
        .unwrap();
        assert_eq!(url.host, "db.example.com");
        assert_eq!(url.port, 6543);
        assert_eq!(url.user, "al@ice");
        assert_eq!(url.password.as_deref(), Some("p:ss"));
        assert_eq!(url.database, "my db");
        assert_eq!(url.schema, "app");
        assert_eq!(url.connect_timeout, Some(Duration::from_secs(9)));
        assert_eq!(url.tls.mode, SslMode::VerifyFull);
        assert_eq!(url.tls.root_cert, Some(PathBuf::from("/ca.pem")));
        assert_eq!(
            url.tls.client_cert,
            Some((PathBuf::from("/c.pem"), PathBuf::from("/c.key")))
        );
        assert!(!format!("{url:?}").contains("p:ss") && !format!("{url:?}").contains("p%3Ass"));
    }

    #[test]
    fn defaults_follow_prisma() {
        let url = PgUrl::parse("postgres://h").unwrap();
        assert_eq!(
            (
                url.user.as_str(),
                url.database.as_str(),
                url.schema.as_str()
            ),
            ("postgres", "postgres", "public")
        );
        assert_eq!(url.connect_timeout, Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(url.tls.mode, SslMode::Prefer);
        assert_eq!(url.tls.verification(), Verification::None);
        let url = PgUrl::parse("postgres://u@h/d?connect_timeout=0").unwrap();
        assert_eq!(url.connect_timeout, None);
    }

    #[test]
    fn verification_follows_libpq_and_prisma() {
        let cases = [
            ("sslmode=require", Verification::None, "require"),
            ("sslmode=prefer", Verification::None, "prefer"),
            ("sslmode=allow", Verification::None, "allow"),
            (
                "sslmode=prefer&sslrootcert=ca.pem",
                Verification::Chain,
                "prefer",
            ),
            (
                "sslmode=prefer&sslaccept=strict",
                Verification::Full,
                "verify-full",
            ),
            (
                "sslmode=require&sslrootcert=ca.pem",
                Verification::Chain,
                "verify-ca",
            ),
            // Prisma's `sslcert` is the server's certificate.
            (
                "sslmode=require&sslcert=ca.pem",
                Verification::Chain,
                "verify-ca",
            ),
            (
                "sslmode=require&sslcert=ca.pem&sslaccept=accept_invalid_certs",
                Verification::None,
                "require",
            ),
            (
                "sslmode=require&sslaccept=strict",
                Verification::Full,
                "verify-full",
            ),
            ("sslmode=verify-ca", Verification::Chain, "verify-ca"),
            ("sslmode=verify-full", Verification::Full, "verify-full"),
            (
                "sslmode=disable&sslaccept=strict",
                Verification::Full,
                "disable",
            ),
        ];
        for (query, verification, libpq) in cases {
            let url = PgUrl::parse(&format!("postgresql://h/d?{query}")).unwrap();
            assert_eq!(url.tls.verification(), verification, "{query}");
            assert_eq!(url.tls.libpq_mode(), libpq, "{query}");
        }
    }

    #[test]
    fn libpq_env_carries_tls_and_never_argv() {
        let url = PgUrl::parse(
            "postgresql://u:secret@h:5433/d?sslmode=verify-ca&sslrootcert=/ca.pem\
             &sslcert=/c.pem&sslkey=/c.key",
        )
        .unwrap();
        let env = url.libpq_env("other").unwrap();
        let get = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("PGDATABASE"), Some("other"));
        assert_eq!(get("PGPASSWORD"), Some("secret"));
        assert_eq!(get("PGSSLMODE"), Some("verify-ca"));
        assert_eq!(get("PGSSLROOTCERT"), Some("/ca.pem"));
        assert_eq!(get("PGSSLCERT"), Some("/c.pem"));
        assert_eq!(get("PGSSLKEY"), Some("/c.key"));
    }

    #[test]
    fn relative_certificate_paths_resolve_against_the_schema_folder() {
        let resolved = resolve_paths(
            "postgresql://u:p@h/d?sslmode=require&sslcert=../ca.pem&sslidentity=./id.p12\
             &sslrootcert=/abs/ca.pem&schema=s",
            Path::new("/project/prisma"),
        );
        let url = PgUrl::parse(&resolved).unwrap();
        assert_eq!(
            url.tls.root_cert,
            Some(PathBuf::from("/abs/ca.pem")),
            "an explicit sslrootcert wins over Prisma's sslcert"
        );
        assert!(resolved.contains("sslcert=%2Fproject%2Fprisma%2F..%2Fca.pem"));
        assert_eq!(
            url.tls.identity,
            Some(PathBuf::from("/project/prisma/id.p12"))
        );
        assert_eq!(url.schema, "s");
        let plain = "postgresql://u@h/d?schema=s";
        assert_eq!(resolve_paths(plain, Path::new("/x")), plain);
    }

    #[test]
    fn several_hosts_are_tried_in_order_and_given_to_libpq() {
        let url = PgUrl::parse(
            "postgresql://u:hunter2@h1:5432,h2:5433,[::1]/d?target_session_attrs=read-write",
        )
        .unwrap();
        assert_eq!(url.host_port(), "h1:5432,h2:5433,::1:5432");
        assert_eq!(url.target_session_attrs, TargetSessionAttrs::ReadWrite);
        let env = url.libpq_env("d").unwrap();
        let get = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("PGHOST"), Some("h1,h2,::1"));
        assert_eq!(get("PGPORT"), Some("5432,5433,5432"));
        assert_eq!(get("PGTARGETSESSIONATTRS"), Some("read-write"));
        assert!(!format!("{url:?}").contains("hunter2"));
        let one = PgUrl::parse("postgresql://u@h1/d").unwrap();
        assert!(!one.same_database_as(&url.with_database("d")));
        assert_eq!(one.target_session_attrs, TargetSessionAttrs::Any);
    }

    #[test]
    fn bad_urls_are_named_without_their_password() {
        for bad in [
            "postgresql://u:hunter2@h/d?port=x",
            "postgresql://u:hunter2@h:notaport/d",
            "postgresql://u:hunter2@h/d?connect_timeout=soon",
            "mysql://u:hunter2@h/d",
            "postgresql://u:hunter2@h/d?sslmode=sometimes",
            "postgresql://u:hunter2@h/d?sslaccept=maybe",
            "postgresql://u:hunter2@h/d?sslkey=k.pem",
            "postgresql://u:hunter2@h/d?schema=",
            "postgresql://u:hunter2@h/d?target_session_attrs=primary",
        ] {
            let error = PgUrl::parse(bad).unwrap_err();
            assert_eq!(error.code(), "P1013", "{bad}");
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
    }
}
