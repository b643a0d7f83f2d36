//! Opening a session on PostgreSQL: the client's configuration, TLS through rustls (ring), and
//! connection failures turned into errors that say what to change.
//!
//! Trusted roots: `sslrootcert` (or Prisma's `sslcert`) when given, else libpq's
//! `~/.postgresql/root.crt` when it exists, else the system's store as OpenSSL finds it
//! (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the distribution's bundle: what Prisma's client and
//! libpq's `sslrootcert=system` read), else Mozilla's root list built in (`webpki-roots`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use drydock_connector::ConnectorError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::connection::query_error;
use crate::url::{PgUrl, SslMode, TlsSettings, Verification};

/// libpq's default root certificate file, under the home folder.
const LIBPQ_ROOT_CERT: &str = ".postgresql/root.crt";

/// Where distributions keep the system's root certificates as one PEM bundle (OpenSSL's
/// default places: Debian and Ubuntu, Fedora and RHEL, openSUSE, Alpine and macOS).
const SYSTEM_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The roots a server's chain must lead to.
pub(crate) enum Roots {
    /// A PEM file: `sslrootcert`, `~/.postgresql/root.crt`, `SSL_CERT_FILE` or the system's
    /// bundle.
    File(PathBuf),
    /// The certificates of the folders in `SSL_CERT_DIR`.
    Certs(Vec<CertificateDer<'static>>),
    /// Mozilla's list, built in: the machine has no bundle.
    BuiltIn,
}

impl PgUrl {
    /// Open a session on the URL's database, mapping failures to errors users can act on.
    /// As libpq: `prefer` tries TLS and, when the handshake fails or the server turns the
    /// encrypted session away, connects again in plaintext; `allow` tries plaintext first and
    /// TLS when the server asks for encryption.
    pub fn connect(&self) -> Result<postgres::Client, ConnectorError> {
        let plaintext = || {
            self.config(postgres::config::SslMode::Disable)
                .connect(postgres::NoTls)
        };
        if self.tls.mode == SslMode::Disable || self.is_socket() {
            return plaintext().map_err(|e| self.connect_error(&e));
        }
        let encrypted =
            |mode| -> Result<Result<postgres::Client, postgres::Error>, ConnectorError> {
                Ok(self
                    .config(mode)
                    .connect(MakeRustlsConnect::new(self.tls_config()?)))
            };
        let result = match self.tls.mode {
            SslMode::Allow => match plaintext() {
                Err(e) if rejected_for_encryption(&e, false) => {
                    encrypted(postgres::config::SslMode::Require)?
                }
                other => other,
            },
            SslMode::Prefer => match encrypted(postgres::config::SslMode::Prefer)? {
                Err(e) if handshake_failed(&e) || rejected_for_encryption(&e, true) => {
                    match plaintext() {
                        // The plaintext retry says nothing new when TLS is all the server takes.
                        Err(retry) if rejected_for_encryption(&retry, false) => Err(e),
                        other => other,
                    }
                }
                other => other,
            },
            _ => encrypted(postgres::config::SslMode::Require)?,
        };
        result.map_err(|e| self.connect_error(&e))
    }

    /// Ask the server to cancel the statement of the session `token` belongs to, over TLS when
    /// the session uses it.
    pub(crate) fn cancel(&self, token: &postgres::CancelToken) -> Result<(), ConnectorError> {
        // A session that fell back to plaintext has a token that asks for no TLS.
        let result = if self.tls.mode == SslMode::Disable || self.is_socket() {
            token.cancel_query(postgres::NoTls)
        } else {
            token.cancel_query(MakeRustlsConnect::new(self.tls_config()?))
        };
        result.map_err(|e| query_error(&e))
    }

    fn config(&self, ssl_mode: postgres::config::SslMode) -> postgres::Config {
        let mut config = postgres::Config::new();
        // Tried in order, as libpq does.
        for (host, port) in self.hosts() {
            if host.starts_with('/') {
                config.host_path(host);
            } else {
                config.host(host);
            }
            config.port(port);
        }
        config
            .target_session_attrs(self.target_session_attrs)
            .user(&self.user)
            .dbname(&self.database)
            .ssl_mode(ssl_mode);
        if let Some(password) = &self.password {
            config.password(password.as_bytes());
        }
        if let Some(timeout) = self.connect_timeout {
            config.connect_timeout(timeout);
        }
        if let Some(name) = &self.application_name {
            config.application_name(name);
        }
        if let Some(options) = &self.options {
            config.options(options);
        }
        config
    }

    /// The URL's TLS settings with libpq's `~/.postgresql/root.crt` as the root certificate
    /// when the URL names none: libpq then checks the chain in `prefer` and `require` too, and
    /// so do drydock's sessions, as libpq's tools do with the same URL.
    pub(crate) fn effective_tls(&self) -> TlsSettings {
        let mut settings = self.tls.clone();
        if settings.root_cert.is_none() {
            settings.root_cert = std::env::var_os("HOME")
                .map(|home| Path::new(&home).join(LIBPQ_ROOT_CERT))
                .filter(|path| path.is_file());
        }
        settings
    }

    fn tls_config(&self) -> Result<ClientConfig, ConnectorError> {
        let settings = &self.effective_tls();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| self.tls_setup_error(format!("no usable TLS version: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = match settings.verification() {
            Verification::None => Arc::new(AcceptAnyCertificate(provider.clone())),
            verification => {
                let webpki = WebPkiServerVerifier::builder_with_provider(
                    Arc::new(self.root_store(settings)?),
                    provider.clone(),
                )
                .build()
                .map_err(|e| self.tls_setup_error(format!("no usable root certificate: {e}")))?;
                if verification == Verification::Full {
                    webpki
                } else {
                    Arc::new(ChainOnly(webpki))
                }
            }
        };
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let config = match self.client_identity(settings)? {
            Some((certs, key)) => builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| self.tls_setup_error(format!("the client certificate: {e}")))?,
            None => builder.with_no_client_auth(),
        };
        Ok(config)
    }

    /// Where the roots the server's chain must lead to come from, for `settings` (from
    /// [`Self::effective_tls`]).
    pub(crate) fn trusted_roots(&self, settings: &TlsSettings) -> Result<Roots, ConnectorError> {
        if let Some(path) = &settings.root_cert {
            return Ok(Roots::File(path.clone()));
        }
        let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(file) = from_env("SSL_CERT_FILE") {
            return Ok(Roots::File(PathBuf::from(file)));
        }
        if let Some(dirs) = from_env("SSL_CERT_DIR") {
            let mut certs = Vec::new();
            for dir in std::env::split_paths(&dirs) {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                // OpenSSL's hashed folders hold one certificate per file; other files are
                // skipped, as OpenSSL skips them.
                for entry in entries.flatten() {
                    if let Ok(iter) = CertificateDer::pem_file_iter(entry.path()) {
                        certs.extend(iter.flatten());
                    }
                }
            }
            if certs.is_empty() {
                return Err(self.tls_setup_error(format!(
                    "`SSL_CERT_DIR` ({}) holds no PEM certificate",
                    dirs.to_string_lossy()
                )));
            }
            return Ok(Roots::Certs(certs));
        }
        Ok(SYSTEM_BUNDLES
            .iter()
            .map(Path::new)
            .find(|path| path.is_file())
            .map_or(Roots::BuiltIn, |path| Roots::File(path.to_owned())))
    }

    fn root_store(&self, settings: &TlsSettings) -> Result<RootCertStore, ConnectorError> {
        let mut roots = RootCertStore::empty();
        let certs = match self.trusted_roots(settings)? {
            Roots::File(path) => {
                let certs = self.read_certs(&path, "root certificate")?;
                // A bundle may hold a certificate rustls cannot use; the others still count.
                let (added, _) = roots.add_parsable_certificates(certs);
                if added == 0 {
                    return Err(self.tls_setup_error(format!(
                        "the root certificate file `{}` holds no usable certificate",
                        path.display()
                    )));
                }
                return Ok(roots);
            }
            Roots::Certs(certs) => certs,
            Roots::BuiltIn => {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                return Ok(roots);
            }
        };
        roots.add_parsable_certificates(certs);
        Ok(roots)
    }

    fn read_certs(
        &self,
        path: &Path,
        what: &str,
    ) -> Result<Vec<CertificateDer<'static>>, ConnectorError> {
        let unreadable = |e: &dyn std::fmt::Display| {
            self.tls_setup_error(format!("cannot read the {what} `{}`: {e}", path.display()))
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| unreadable(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unreadable(&e))?;
        if certs.is_empty() {
            return Err(unreadable(&"no PEM certificate in it"));
        }
        Ok(certs)
    }

    /// The client certificate chain and key: PEM `sslcert` + `sslkey`, or Prisma's PKCS#12
    /// `sslidentity` with `sslpassword`.
    fn client_identity(
        &self,
        settings: &TlsSettings,
    ) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, ConnectorError>
    {
        if let Some((cert, key)) = &settings.client_cert {
            let certs = self.read_certs(cert, "client certificate")?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                self.tls_setup_error(format!(
                    "cannot read the client key `{}`: {e}",
                    key.display()
                ))
            })?;
            return Ok(Some((certs, key)));
        }
        let Some(path) = &settings.identity else {
            return Ok(None);
        };
        let identity = read_identity(path, settings.identity_password.as_deref().unwrap_or(""))
            .map_err(|reason| {
                self.tls_setup_error(format!(
                    "cannot read the identity `{}` (`sslidentity`): {reason}",
                    path.display()
                ))
            })?;
        Ok(Some(identity))
    }

    /// The connection for libpq's tools (`pg_dump`, `pg_restore`, `psql`) as environment
    /// variables: the command line is visible to every user of the machine, the password must
    /// not be. They get the roots drydock's sessions trust (`PGSSLROOTCERT`) whenever the
    /// certificate is checked: libpq alone would read `~/.postgresql/root.crt` only. Roots
    /// that are no file (`SSL_CERT_DIR`) and a PKCS#12 identity (libpq reads no PKCS#12) are
    /// written as PEM to a private temporary folder that lives as long as this URL.
    pub fn libpq_env(&self, database: &str) -> Result<Vec<(&'static str, String)>, ConnectorError> {
        let mut env = vec![
            (
                "PGHOST",
                self.hosts()
                    .map(|(host, _)| host)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                "PGPORT",
                self.hosts()
                    .map(|(_, port)| port.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("PGUSER", self.user.clone()),
            ("PGDATABASE", database.to_owned()),
            ("PGSSLMODE", self.tls.libpq_mode().to_owned()),
        ];
        if let Some(password) = &self.password {
            env.push(("PGPASSWORD", password.clone()));
        }
        if let Some(name) = &self.application_name {
            env.push(("PGAPPNAME", name.clone()));
        }
        let target = match self.target_session_attrs {
            postgres::config::TargetSessionAttrs::ReadWrite => Some("read-write"),
            postgres::config::TargetSessionAttrs::ReadOnly => Some("read-only"),
            _ => None,
        };
        if let Some(target) = target {
            env.push(("PGTARGETSESSIONATTRS", target.to_owned()));
        }
        if let Some(timeout) = self.connect_timeout {
            env.push(("PGCONNECT_TIMEOUT", timeout.as_secs().to_string()));
        }
        let settings = self.effective_tls();
        if self.tls.mode != SslMode::Disable && settings.verification() != Verification::None {
            let root = match self.trusted_roots(&settings)? {
                Roots::File(path) => path,
                Roots::Certs(certs) => {
                    let pem: String = certs
                        .iter()
                        .map(|cert| pem_block("CERTIFICATE", cert.as_ref()))
                        .collect();
                    self.libpq_file("root.crt", &pem)?
                }
                Roots::BuiltIn => {
                    return Err(self.tls_error(
                        "pg_dump and pg_restore cannot check the server's certificate: this \
                         machine has no root certificate bundle, and drydock's built-in list of \
                         authorities is no file they can read",
                        "give the authority's certificate with `sslrootcert=<file>`, or install \
                         the system's root certificates (Debian and Ubuntu: `ca-certificates`)",
                    ));
                }
            };
            env.push(("PGSSLROOTCERT", root.display().to_string()));
        }
        if let Some((cert, key)) = &self.tls.client_cert {
            env.push(("PGSSLCERT", cert.display().to_string()));
            env.push(("PGSSLKEY", key.display().to_string()));
        } else if let Some(identity) = &self.tls.identity {
            let password = self.tls.identity_password.as_deref().unwrap_or("");
            let (cert, key) = identity_as_pem(identity, password).map_err(|reason| {
                self.tls_setup_error(format!(
                    "cannot read the identity `{}` (`sslidentity`): {reason}",
                    identity.display()
                ))
            })?;
            env.push((
                "PGSSLCERT",
                self.libpq_file("client.crt", &cert)?.display().to_string(),
            ));
            env.push((
                "PGSSLKEY",
                self.libpq_file("client.key", &key)?.display().to_string(),
            ));
        }
        Ok(env)
    }

    /// `text` written to `name` (0600) in this URL's private folder (0700).
    fn libpq_file(&self, name: &str, text: &str) -> Result<PathBuf, ConnectorError> {
        let io_error = |source| ConnectorError::Io {
            context: "cannot write a temporary file for libpq's tools".to_owned(),
            source,
        };
        let folder = match self.libpq_files.get() {
            Some(folder) => folder,
            None => {
                let created = tempfile::Builder::new()
                    .prefix("drydock-libpq")
                    .tempdir()
                    .map_err(io_error)?;
                self.libpq_files.get_or_init(|| created)
            }
        };
        let path = folder.path().join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
            .map_err(io_error)?;
        Ok(path)
    }

    fn tls_setup_error(&self, problem: String) -> ConnectorError {
        ConnectorError::Tls {
            url: self.redacted().to_owned(),
            problem,
            help: "check the certificate parameters of the URL (`sslrootcert`, `sslcert`, \
                   `sslkey`, `sslidentity`, `sslpassword`); relative paths are read from the \
                   schema's folder"
                .to_owned(),
        }
    }

    fn tls_error(&self, problem: impl Into<String>, help: impl Into<String>) -> ConnectorError {
        ConnectorError::Tls {
            url: self.redacted().to_owned(),
            problem: problem.into(),
            help: help.into(),
        }
    }

    fn connect_error(&self, error: &postgres::Error) -> ConnectorError {
        if let Some(db) = error.as_db_error() {
            let message = db.message();
            return match db.code().code() {
                // pg_hba.conf has `hostssl` lines only: it names the missing encryption.
                "28000"
                    if message.contains("no pg_hba.conf entry")
                        && (message.contains("no encryption") || message.contains("SSL off")) =>
                {
                    self.tls_error(
                        format!("the server accepts TLS connections only ({message})"),
                        "remove `sslmode=disable` from the URL, or use `sslmode=require`",
                    )
                }
                "28000" if message.contains("certificate") => self.tls_error(
                    format!("the server asks for a client certificate ({message})"),
                    "give one with `sslcert=` and `sslkey=` (PEM), or Prisma's `sslidentity=` \
                     (PKCS#12) with `sslpassword=`",
                ),
                "28P01" | "28000" => ConnectorError::AuthenticationFailed {
                    host: self.host_port(),
                    user: self.user.clone(),
                },
                "3D000" => ConnectorError::DatabaseDoesNotExist {
                    database: self.database.clone(),
                    host: self.host_port(),
                },
                _ => query_error(error),
            };
        }
        let detail = with_causes(error);
        if detail.contains("server does not support TLS") {
            return self.tls_error(
                "the server does not support TLS (its `ssl` setting is off)",
                "turn on `ssl` on the server, or use `sslmode=prefer` (or `disable`) on a \
                 network you trust",
            );
        }
        if let Some(certificate) = certificate_error(error) {
            return self.certificate_error(certificate);
        }
        if detail.contains("password missing") {
            return ConnectorError::AuthenticationFailed {
                host: self.host_port(),
                user: self.user.clone(),
            };
        }
        if detail.contains("TLS") {
            return self.tls_error(
                scrub(&detail, self.password.as_deref()),
                "check the server's TLS settings and the URL's `sslmode`",
            );
        }
        ConnectorError::Unreachable {
            host: self.host_port(),
            detail: scrub(&detail, self.password.as_deref()),
        }
    }

    fn certificate_error(&self, error: &CertificateError) -> ConnectorError {
        match error {
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                self.tls_error(
                    format!(
                        "certificate verify failed: the server's certificate is not valid for \
                         the host name `{}`",
                        self.host
                    ),
                    "connect with a host name the certificate names, or use `sslmode=verify-ca` \
                     to check the chain only",
                )
            }
            CertificateError::UnknownIssuer | CertificateError::BadSignature => self.tls_error(
                "certificate verify failed: the server's certificate is not signed by a trusted \
                 certificate authority",
                "give the authority's certificate with `sslrootcert=<file>` (Prisma's \
                 `sslcert=<file>`), or use `sslmode=require` to encrypt without verifying",
            ),
            other => self.tls_error(
                format!("certificate verify failed: {other:?}"),
                "check the server's certificate, or use `sslmode=require` to encrypt without \
                 verifying",
            ),
        }
    }
}

/// `error`'s text followed by its causes': the driver's own text is often only "error
/// performing TLS handshake".
fn with_causes(error: &postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Whether the TLS handshake itself failed (not the server's answer to the session).
fn handshake_failed(error: &postgres::Error) -> bool {
    error.as_db_error().is_none() && error.to_string().contains("TLS handshake")
}

/// Whether `pg_hba.conf` turned the session away for its encryption: for an encrypted session
/// (`encrypted`) a line that wants plaintext, for a plaintext one a `hostssl`-only server.
fn rejected_for_encryption(error: &postgres::Error, encrypted: bool) -> bool {
    error.as_db_error().is_some_and(|db| {
        let message = db.message();
        let marks: [&str; 2] = if encrypted {
            ["SSL encryption", "SSL on"]
        } else {
            ["no encryption", "SSL off"]
        };
        db.code().code() == "28000"
            && message.contains("no pg_hba.conf entry")
            && marks.iter().any(|mark| message.contains(mark))
    })
}

/// The rustls certificate error behind a failed handshake, when that is what failed.
fn certificate_error(error: &postgres::Error) -> Option<&CertificateError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(current) = source {
        let rustls_error = current.downcast_ref::<rustls::Error>().or_else(|| {
            current
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidCertificate(certificate)) = rustls_error {
            return Some(certificate);
        }
        source = current.source();
    }
    None
}

/// A connection error's text with the password removed, should a driver ever echo it.
pub(crate) fn scrub(text: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => text.replace(p, "****"),
        _ => text.to_owned(),
    }
}

/// The certificate chain and key of a PKCS#12 file.
fn read_identity(
    path: &Path,
    password: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    let store = p12_keystore::KeyStore::from_pkcs12(
        &data,
        password,
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .map_err(|e| format!("{e} (is `sslpassword` right?)"))?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or("it holds no private key with its certificate")?;
    let certs = chain
        .certs()
        .iter()
        .map(|cert| CertificateDer::from(cert.as_der().to_vec()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()));
    Ok((certs, key))
}

/// The identity of a PKCS#12 file as PEM text (certificates, then the key), for libpq's tools,
/// which read no PKCS#12.
fn identity_as_pem(path: &Path, password: &str) -> Result<(String, String), String> {
    let (certs, key) = read_identity(path, password)?;
    let certs = certs
        .iter()
        .map(|cert| pem_block("CERTIFICATE", cert.as_ref()))
        .collect();
    Ok((certs, pem_block("PRIVATE KEY", key.secret_der())))
}

fn pem_block(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in der.chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// libpq's `require`: encrypted, whatever certificate the server shows. The handshake's
/// signatures are still checked, so the session is the one the certificate's key signed.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// libpq's `verify-ca`: the chain must lead to a trusted root; the host name is not checked.
/// webpki checks the chain before the name, so a name error means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::pem_block;

    #[test]
    fn pem_blocks_are_base64_in_64_column_lines() {
        assert_eq!(
            pem_block("X", b"hello world"),
            "-----BEGIN X-----\naGVsbG8gd29ybGQ=\n-----END X-----\n"
        );
        assert_eq!(
            pem_block("X", b"ab"),
            "-----BEGIN X-----\nYWI=\n-----END X-----\n"
        );
        let long = pem_block("X", &[0u8; 60]);
        assert_eq!(long.lines().nth(1).unwrap().len(), 64);
    }
}
