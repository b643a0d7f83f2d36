//! MySQL and MariaDB connection URLs as Prisma reads them
//! (`mysql://user:password@host:port/database?param=value`), from the one URL parser's result,
//! and sessions opened from them. The password is only ever handed to the driver: `Debug` and
//! every message show the URL redacted.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use drydock_connector::{ConnectorError, DbUrl, redact_text};
use mysql::{Conn, OptsBuilder, SslOpts};

/// MySQL's port.
pub const DEFAULT_PORT: u16 = 3306;

/// Prepared statements a session keeps: more than the history, the lock and the run log use.
const STATEMENT_CACHE: usize = 32;

/// The database Prisma connects to when the URL names none.
const DEFAULT_DATABASE: &str = "mysql";

/// Prisma's default `connect_timeout`, in seconds.
const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;

/// Whether the session uses TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plaintext (Prisma's default on MySQL without TLS parameters; `sslmode=disable`).
    Disable,
    /// TLS when the server offers it, plaintext otherwise (`sslmode=prefer`).
    Prefer,
    /// TLS or no session (`sslmode=require`, or any of `sslcert`, `sslaccept`).
    Require,
}

/// A parsed MySQL URL with Prisma's parameters.
#[derive(Clone, PartialEq, Eq)]
pub struct MysqlUrl {
    parsed: DbUrl,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub database: String,
    /// A Unix socket to connect through instead of TCP (`socket=/run/mysqld/mysqld.sock`).
    pub socket: Option<String>,
    /// The pool size Prisma's client would use; drydock opens single sessions.
    pub connection_limit: Option<u32>,
    pub connect_timeout: Option<Duration>,
    /// How long a read or write on the socket may take (`socket_timeout`).
    pub socket_timeout: Option<Duration>,
    pub tls: TlsMode,
    /// The CA certificate (PEM) the server's certificate must chain to (`sslcert`).
    pub root_cert: Option<PathBuf>,
    /// `sslaccept=accept_invalid_certs`: any certificate is accepted.
    pub accept_invalid_certs: bool,
}

impl fmt::Debug for MysqlUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MysqlUrl").field(&self.redacted()).finish()
    }
}

impl MysqlUrl {
    /// Whether `url` is a MySQL URL (`mysql://`, as Prisma accepts; `mariadb://` too).
    pub fn accepts(url: &str) -> bool {
        DbUrl::parse(url).is_ok_and(|u| u.scheme == "mysql" || u.scheme == "mariadb")
    }

    pub fn parse(url: &str) -> Result<MysqlUrl, ConnectorError> {
        let parsed = DbUrl::parse(url).map_err(|e| ConnectorError::InvalidUrl {
            url: drydock_connector::redact_url(url),
            reason: e.to_string(),
        })?;
        let invalid = |reason: String| ConnectorError::InvalidUrl {
            url: parsed.to_string(),
            reason,
        };
        if parsed.scheme != "mysql" && parsed.scheme != "mariadb" {
            return Err(invalid(format!(
                "the scheme `{}` is not `mysql://`",
                parsed.scheme
            )));
        }
        if parsed.hosts.len() > 1 {
            return Err(invalid("MySQL URLs name one host".to_owned()));
        }
        let host = parsed.hosts.first();
        let seconds = |key: &str| -> Result<Option<Duration>, ConnectorError> {
            parsed
                .param(key)
                .map(|value| {
                    value.parse::<u64>().map(Duration::from_secs).map_err(|_| {
                        invalid(format!(
                            "`{key}` must be a number of seconds, not `{value}`"
                        ))
                    })
                })
                .transpose()
        };
        let connection_limit = parsed
            .param("connection_limit")
            .map(|value| {
                value.parse::<u32>().map_err(|_| {
                    invalid(format!(
                        "`connection_limit` must be a number, not `{value}`"
                    ))
                })
            })
            .transpose()?;
        // Prisma's `connect_timeout=0` waits for ever.
        let connect_timeout = match seconds("connect_timeout")? {
            Some(Duration::ZERO) => None,
            Some(timeout) => Some(timeout),
            None => Some(Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS)),
        };
        let accept_invalid_certs = match parsed.param("sslaccept") {
            None | Some("strict") => false,
            Some("accept_invalid_certs") => true,
            Some(other) => {
                return Err(invalid(format!(
                    "`sslaccept` is `strict` or `accept_invalid_certs`, not `{other}`"
                )));
            }
        };
        if parsed.param("sslidentity").is_some() {
            return Err(invalid(
                "`sslidentity` (a PKCS#12 client identity) is not supported for MySQL yet"
                    .to_owned(),
            ));
        }
        let asks_tls = parsed.param("sslcert").is_some() || parsed.param("sslaccept").is_some();
        let tls = match parsed.param("sslmode") {
            Some("disable") => TlsMode::Disable,
            Some("prefer") => TlsMode::Prefer,
            Some("require" | "verify-ca" | "verify-full") => TlsMode::Require,
            None if asks_tls => TlsMode::Require,
            None => TlsMode::Disable,
            Some(other) => {
                return Err(invalid(format!(
                    "`sslmode` is `disable`, `prefer` or `require`, not `{other}`"
                )));
            }
        };
        Ok(MysqlUrl {
            host: host.map_or_else(|| "localhost".to_owned(), |h| h.name.clone()),
            port: host.and_then(|h| h.port).unwrap_or(DEFAULT_PORT),
            user: parsed.user.clone().filter(|user| !user.is_empty()),
            database: parsed
                .database
                .clone()
                .filter(|database| !database.is_empty())
                .unwrap_or_else(|| DEFAULT_DATABASE.to_owned()),
            socket: parsed.param("socket").map(str::to_owned),
            connection_limit,
            connect_timeout,
            socket_timeout: seconds("socket_timeout")?,
            tls,
            root_cert: parsed.param("sslcert").map(PathBuf::from),
            accept_invalid_certs,
            parsed,
        })
    }

    /// The URL with its password masked.
    pub fn redacted(&self) -> String {
        self.parsed.to_string()
    }

    /// Where the server is, for messages: the socket, or `host:port`.
    pub fn address(&self) -> String {
        match &self.socket {
            Some(socket) => socket.clone(),
            None => format!("{}:{}", self.host, self.port),
        }
    }

    /// The same server with another database.
    pub fn with_database(&self, database: &str) -> MysqlUrl {
        let mut url = self.clone();
        url.database = database.to_owned();
        url.parsed.database = Some(database.to_owned());
        url
    }

    /// The URL as text, password included: for a child process or another connection only.
    pub fn to_url(&self) -> String {
        self.parsed.to_url()
    }

    fn opts(&self, tls: bool) -> OptsBuilder {
        let ssl = tls.then(|| {
            SslOpts::default()
                .with_root_cert_path(self.root_cert.clone())
                .with_danger_accept_invalid_certs(self.accept_invalid_certs)
        });
        OptsBuilder::new()
            .ip_or_hostname(Some(self.host.clone()))
            .tcp_port(self.port)
            .socket(self.socket.clone())
            .prefer_socket(false)
            .user(self.user.clone())
            .pass(self.parsed.password.clone())
            .db_name(Some(self.database.clone()))
            .tcp_connect_timeout(self.connect_timeout)
            .read_timeout(self.socket_timeout)
            .write_timeout(self.socket_timeout)
            .ssl_opts(ssl)
            // Parameterized statements are prepared once per session: a deploy writes its
            // history row a few times per migration, and preparing it anew each time was a
            // round trip more (plus a close) for every write.
            .stmt_cache_size(STATEMENT_CACHE)
    }

    /// Open a session on the database, over TLS as the URL asks.
    pub fn connect(&self) -> Result<Conn, ConnectorError> {
        match self.tls {
            TlsMode::Disable => self.open(false),
            TlsMode::Require => self.open(true),
            TlsMode::Prefer => match self.open(true) {
                Err(ConnectorError::Tls { .. }) => self.open(false),
                other => other,
            },
        }
    }

    fn open(&self, tls: bool) -> Result<Conn, ConnectorError> {
        Conn::new(self.opts(tls)).map_err(|error| self.connect_error(error))
    }

    /// What failed opening a session, with Prisma's codes; never the password.
    fn connect_error(&self, error: mysql::Error) -> ConnectorError {
        let detail = redact_text(&error.to_string());
        match error {
            mysql::Error::MySqlError(e) if ACCESS_DENIED.contains(&e.code) => {
                ConnectorError::AuthenticationFailed {
                    host: self.address(),
                    user: self.user.clone().unwrap_or_default(),
                }
            }
            mysql::Error::MySqlError(e) if e.code == ER_BAD_DB => {
                ConnectorError::DatabaseDoesNotExist {
                    database: self.database.clone(),
                    host: self.address(),
                }
            }
            mysql::Error::MySqlError(e) => ConnectorError::Query {
                message: redact_text(&e.message),
                db_code: Some(e.code.to_string()),
            },
            mysql::Error::TlsError(_) => ConnectorError::Tls {
                url: self.redacted(),
                problem: detail,
                help: "check `sslcert` (the CA certificate that signed the server's), or set \
                       `sslaccept=accept_invalid_certs` to accept any certificate"
                    .to_owned(),
            },
            mysql::Error::DriverError(mysql::DriverError::TlsNotSupported) => ConnectorError::Tls {
                url: self.redacted(),
                problem: "the server does not offer TLS".to_owned(),
                help: "enable TLS on the server, or remove the TLS parameters from the URL"
                    .to_owned(),
            },
            _ => ConnectorError::Unreachable {
                host: self.address(),
                detail,
            },
        }
    }
}

/// `Access denied for user`, with a password or (MariaDB, and an unknown user) without.
const ACCESS_DENIED: [u16; 2] = [1045, 1698];
/// `Unknown database`.
pub(crate) const ER_BAD_DB: u16 = 1049;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prismas_parameters_are_read() {
        let url = MysqlUrl::parse(
            "mysql://app:s3cr%40t@db.example:3307/shop?connection_limit=3&connect_timeout=0\
             &socket_timeout=9&sslcert=ca.pem&sslaccept=accept_invalid_certs",
        )
        .unwrap();
        assert_eq!(url.host, "db.example");
        assert_eq!(url.port, 3307);
        assert_eq!(url.user.as_deref(), Some("app"));
        assert_eq!(url.database, "shop");
        assert_eq!(url.connection_limit, Some(3));
        assert_eq!(url.connect_timeout, None);
        assert_eq!(url.socket_timeout, Some(Duration::from_secs(9)));
        assert_eq!(url.tls, TlsMode::Require);
        assert_eq!(url.root_cert, Some(PathBuf::from("ca.pem")));
        assert!(url.accept_invalid_certs);
        assert_eq!(
            url.redacted(),
            "mysql://app:****@db.example:3307/shop?connection_limit=3&connect_timeout=0\
             &socket_timeout=9&sslcert=ca.pem&sslaccept=accept_invalid_certs"
        );
        assert!(!format!("{url:?}").contains("s3cr"));
    }

    #[test]
    fn defaults_are_prismas() {
        let url = MysqlUrl::parse("mysql://localhost").unwrap();
        assert_eq!(url.port, DEFAULT_PORT);
        assert_eq!(url.database, "mysql");
        assert_eq!(url.user, None);
        assert_eq!(url.tls, TlsMode::Disable);
        assert_eq!(url.connect_timeout, Some(Duration::from_secs(5)));
        let socket =
            MysqlUrl::parse("mysql://root@localhost/db?socket=/run/mysqld/mysqld.sock").unwrap();
        assert_eq!(socket.address(), "/run/mysqld/mysqld.sock");
        assert_eq!(
            MysqlUrl::parse("mysql://h/d?sslmode=prefer").unwrap().tls,
            TlsMode::Prefer
        );
    }

    #[test]
    fn bad_parameters_are_refused_without_the_password() {
        for (url, says) in [
            (
                "mysql://u:hunter2@h/d?connection_limit=x",
                "connection_limit",
            ),
            ("mysql://u:hunter2@h/d?sslaccept=maybe", "sslaccept"),
            ("mysql://u:hunter2@h/d?sslmode=sometimes", "sslmode"),
            ("mysql://u:hunter2@h/d?sslidentity=id.p12", "sslidentity"),
            ("postgresql://u:hunter2@h/d", "scheme"),
        ] {
            let error = MysqlUrl::parse(url).unwrap_err();
            let text = error.to_string();
            assert!(text.contains(says), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
            assert_eq!(error.code(), "P1013");
        }
    }
}
