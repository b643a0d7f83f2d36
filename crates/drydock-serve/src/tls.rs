//! HTTPS from a certificate chain and key in PEM files, with rustls (ring, as drydock's
//! database sessions use).

use std::sync::Arc;

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::{ServeError, TlsFiles};

pub(crate) fn config(files: &TlsFiles) -> Result<RustlsConfig, ServeError> {
    let refused = |path: &std::path::Path, reason: String| ServeError::Tls {
        path: path.display().to_string(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            refused(
                &files.cert,
                format!("no certificate can be read from it ({e})"),
            )
        })?;
    if certs.is_empty() {
        return Err(refused(
            &files.cert,
            "it holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)".to_owned(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| {
        refused(
            &files.key,
            format!("no private key can be read from it ({e})"),
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| {
            refused(
                &files.key,
                format!("the key does not fit the certificate ({e})"),
            )
        })?;
    Ok(RustlsConfig::from_config(Arc::new(config)))
}
