//! Why `drydock serve` could not start, each with a stable code (docs/errors.md).

use drydock_engine::EngineError;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Engine(#[from] EngineError),

    #[error("cannot listen on `{address}`: {reason}")]
    Listen { address: String, reason: String },

    #[error("cannot serve TLS with `{path}`: {reason}")]
    Tls { path: String, reason: String },

    #[error("{0}")]
    Credential(String),

    #[error("the server could not run: {0}")]
    Runtime(#[source] std::io::Error),

    #[error("the server could not be set up: {0}")]
    Setup(String),
}

impl ServeError {
    pub fn code(&self) -> &'static str {
        match self {
            ServeError::Engine(error) => error.code(),
            ServeError::Listen { .. } => "D7001",
            ServeError::Tls { .. } => "D7002",
            ServeError::Credential(_) => "D7003",
            ServeError::Runtime(_) => "D1011",
            ServeError::Setup(_) => "D1001",
        }
    }
}
