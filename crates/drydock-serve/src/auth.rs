//! Who is asking, and what they may do: API tokens (`Authorization: Bearer`), people signed in
//! with a password (a session cookie), their roles, the CSRF token of each session, and the
//! limit on failed sign-ins per client address.
//!
//! Secrets are kept as argon2 hashes only: passwords as `[[serve.users]]` writes them, tokens
//! as `[[serve.tokens]]` writes them or hashed here from the environment at start.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use drydock_engine::{ServeRole, ServeSettings, TokenSecret};
use sha2::{Digest, Sha256};

use crate::api::ApiError;
use crate::{ServeError, Shared};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "drydock_session";
/// The cookie that carries the sign-in form's CSRF token (there is no session to bind it to
/// before signing in, so the form and the cookie must agree).
pub(crate) const LOGIN_COOKIE: &str = "drydock_login";
/// The header a page's script sends a session's CSRF token in.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";
/// The form field a page's form sends it in.
pub(crate) const CSRF_FIELD: &str = "csrf";

/// Failed sign-ins (or wrong tokens) from one address within [`FAILURE_WINDOW`] after which
/// it is refused until the window has passed.
pub(crate) const MAX_FAILURES: usize = 5;
pub(crate) const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Addresses whose failures are remembered at once; past that the oldest are forgotten, so a
/// flood of addresses cannot fill the memory.
const MAX_TRACKED_ADDRESSES: usize = 10_000;
/// Sessions kept at once; past that the oldest end.
const MAX_SESSIONS: usize = 10_000;
/// argon2 checks running at once: each takes tens of milliseconds and 19 MiB on purpose, so a
/// flood of guesses waits its turn instead of taking the memory.
const MAX_HASHING: usize = 2;
/// A form body read for its CSRF token is no bigger than this.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Who a request comes from.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    /// The user's name, or `token NAME`: the run log's actor.
    pub(crate) actor: String,
    pub(crate) role: ServeRole,
    /// The CSRF token of the session, for pages; `None` for API tokens.
    pub(crate) csrf: Option<String>,
}

/// Where a request comes from: the peer, or with a trusted proxy the address it names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client(pub(crate) IpAddr);

pub(crate) struct Auth {
    users: Vec<Credential>,
    tokens: Vec<Credential>,
    /// Tokens already verified, by their SHA-256: argon2 is slow on purpose, and a program
    /// sends its token with every request.
    verified_tokens: Mutex<HashMap<[u8; 32], usize>>,
    sessions: Mutex<HashMap<String, Session>>,
    /// Bounds the argon2 checks running at once.
    hashing: tokio::sync::Semaphore,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    session_ttl: Duration,
    /// Verified against when the name is unknown, so a wrong name takes as long as a wrong
    /// password.
    decoy: String,
}

struct Credential {
    name: String,
    hash: String,
    role: ServeRole,
}

struct Session {
    actor: String,
    role: ServeRole,
    csrf: String,
    expires: Instant,
}

/// The argon2id hash of `secret`, a PHC string for `[serve]` in drydock.toml.
pub fn hash_secret(secret: &str) -> Result<String, ServeError> {
    if secret.is_empty() {
        return Err(ServeError::Credential(
            "the secret to hash is empty: give it on standard input".to_owned(),
        ));
    }
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| ServeError::Setup(format!("cannot make a salt: {e}")))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServeError::Setup(format!("cannot hash the secret: {e}")))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ServeError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServeError::Setup(format!("the system has no random numbers: {e}")))?;
    Ok(bytes)
}

/// A fresh random token: 256 bits, hex.
pub(crate) fn random_token() -> Result<String, ServeError> {
    Ok(hex::encode(random_bytes::<32>()?))
}

fn verify(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Compare two secrets in time that does not depend on where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

impl Auth {
    /// The credentials of `[serve]`: each hash checked, each token of the environment read and
    /// hashed.
    pub(crate) fn new(settings: &ServeSettings) -> Result<Auth, ServeError> {
        let checked = |kind: &str, name: &str, hash: &str| {
            PasswordHash::new(hash).map(|_| ()).map_err(|e| {
                ServeError::Credential(format!(
                    "{kind} `{name}` of `[serve]` has a hash that cannot be read ({e}): make \
                     one with `drydock serve --hash-password`"
                ))
            })
        };
        let mut users = Vec::with_capacity(settings.users.len());
        for user in &settings.users {
            checked("user", &user.name, &user.password_hash)?;
            users.push(Credential {
                name: user.name.clone(),
                hash: user.password_hash.clone(),
                role: user.role,
            });
        }
        let mut tokens = Vec::with_capacity(settings.tokens.len());
        for token in &settings.tokens {
            let hash = match &token.secret {
                TokenSecret::Hash(hash) => {
                    checked("token", &token.name, hash)?;
                    hash.clone()
                }
                TokenSecret::Env(variable) => {
                    let secret = std::env::var(variable)
                        .ok()
                        .filter(|secret| !secret.is_empty())
                        .ok_or_else(|| {
                            ServeError::Credential(format!(
                                "token `{}` of `[serve]` is read from the environment variable \
                                 `{variable}`, which is not set: set it, or write the token's \
                                 `hash`",
                                token.name
                            ))
                        })?;
                    hash_secret(&secret)?
                }
            };
            tokens.push(Credential {
                name: token.name.clone(),
                hash,
                role: token.role,
            });
        }
        Ok(Auth {
            users,
            tokens,
            verified_tokens: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            hashing: tokio::sync::Semaphore::new(MAX_HASHING),
            failures: Mutex::new(HashMap::new()),
            session_ttl: settings.session_ttl,
            decoy: hash_secret(&random_token()?)?,
        })
    }

    pub(crate) fn session_ttl(&self) -> Duration {
        self.session_ttl
    }

    /// Whether `client` failed too often lately to be heard.
    pub(crate) fn limited(&self, client: IpAddr) -> bool {
        let mut failures = lock(&self.failures);
        let now = Instant::now();
        match failures.get_mut(&client) {
            Some(times) => {
                times.retain(|at| now.duration_since(*at) < FAILURE_WINDOW);
                times.len() >= MAX_FAILURES
            }
            None => false,
        }
    }

    /// Count a failed sign-in or a wrong token from `client`.
    pub(crate) fn failed(&self, client: IpAddr) {
        let mut failures = lock(&self.failures);
        let now = Instant::now();
        if failures.len() >= MAX_TRACKED_ADDRESSES && !failures.contains_key(&client) {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|at| now.duration_since(*at) < FAILURE_WINDOW)
            });
            if failures.len() >= MAX_TRACKED_ADDRESSES
                && let Some(oldest) = failures
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied())
                    .map(|(address, _)| *address)
            {
                failures.remove(&oldest);
            }
        }
        let times = failures.entry(client).or_default();
        times.push_back(now);
        while times.len() > MAX_FAILURES {
            times.pop_front();
        }
    }

    fn succeeded(&self, client: IpAddr) {
        lock(&self.failures).remove(&client);
    }

    /// The user `name` if `password` is theirs (slow: run it through [`hashing`]).
    /// Whether `name` is one of the users of `[serve]`.
    pub(crate) fn is_user(&self, name: &str) -> bool {
        self.users.iter().any(|user| user.name == name)
    }

    pub(crate) fn check_password(&self, name: &str, password: &str) -> Option<(String, ServeRole)> {
        match self.users.iter().find(|user| user.name == name) {
            Some(user) if verify(password, &user.hash) => Some((user.name.clone(), user.role)),
            Some(_) => None,
            None => {
                verify(password, &self.decoy);
                None
            }
        }
    }

    /// The token `secret` is, if it was verified before (fast).
    fn known_token(&self, secret: &str) -> Option<Identity> {
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let index = lock(&self.verified_tokens).get(&digest).copied()?;
        self.token_identity(index)
    }

    /// The token `secret` is, if any (slow: run it through [`hashing`]).
    fn check_token(&self, secret: &str) -> Option<Identity> {
        // Requests that came with the same token while it was first checked waited for the
        // permit: the check that went first has verified it for them.
        if let Some(identity) = self.known_token(secret) {
            return Some(identity);
        }
        let index = self
            .tokens
            .iter()
            .position(|token| verify(secret, &token.hash))?;
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        lock(&self.verified_tokens).insert(digest, index);
        self.token_identity(index)
    }

    fn token_identity(&self, index: usize) -> Option<Identity> {
        let token = self.tokens.get(index)?;
        Some(Identity {
            actor: format!("token {}", token.name),
            role: token.role,
            csrf: None,
        })
    }

    /// Start a session for a user who signed in from `client`; its id, for the cookie.
    pub(crate) fn start_session(
        &self,
        client: IpAddr,
        actor: String,
        role: ServeRole,
    ) -> Result<String, ServeError> {
        self.succeeded(client);
        let id = random_token()?;
        let session = Session {
            actor,
            role,
            csrf: random_token()?,
            expires: Instant::now() + self.session_ttl,
        };
        let mut sessions = lock(&self.sessions);
        let now = Instant::now();
        sessions.retain(|_, session| session.expires > now);
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, session)| session.expires)
                .map(|(id, _)| id.clone())
        {
            sessions.remove(&oldest);
        }
        sessions.insert(id.clone(), session);
        Ok(id)
    }

    pub(crate) fn end_session(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }

    fn session(&self, id: &str) -> Option<Identity> {
        let mut sessions = lock(&self.sessions);
        let session = sessions.get(id)?;
        if session.expires <= Instant::now() {
            sessions.remove(id);
            return None;
        }
        Some(Identity {
            actor: session.actor.clone(),
            role: session.role,
            csrf: Some(session.csrf.clone()),
        })
    }
}

/// Run an argon2 check on a blocking thread, at most [`MAX_HASHING`] at once; `None` when it
/// ended unexpectedly.
pub(crate) async fn hashing<T: Send + 'static>(
    app: &Arc<Shared>,
    check: impl FnOnce(&Auth) -> T + Send + 'static,
) -> Option<T> {
    let _permit = app.auth.hashing.acquire().await.ok()?;
    let app = app.clone();
    tokio::task::spawn_blocking(move || check(&app.auth))
        .await
        .ok()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while the lock was held left the map whole: every change is one call.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The value of cookie `name` in `headers`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// A cookie as the server sets them: never readable by scripts, never sent from another site,
/// `Secure` when the browser reaches the server over TLS.
pub(crate) fn set_cookie(
    name: &'static str,
    value: String,
    path: &'static str,
    max_age: Duration,
    secure: bool,
) -> String {
    Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .build()
        .to_string()
}

impl Shared {
    /// The client's address: the peer's, or behind a trusted proxy the last address of
    /// `X-Forwarded-For` (the one that proxy added; earlier ones are the client's word).
    fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.map_or(IpAddr::from([0, 0, 0, 0]), |peer| peer.ip());
        if !self.trust_proxy {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|address| address.trim().parse::<IpAddr>().ok())
            .unwrap_or(peer)
    }
}

/// Every request: who sends it (a bearer token, else a session cookie) and, for a
/// state-changing request of a session, its CSRF token. An API token carries no ambient
/// credential a browser would add by itself, so it needs none.
pub(crate) async fn authenticate(
    State(app): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let client = app.client(peer, request.headers());
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(Client(client));
    let bearer = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(|token| token.trim().to_owned());
    let identity = match bearer {
        Some(secret) => {
            if app.auth.limited(client) {
                return ApiError::too_many_failures().into_response();
            }
            let checked = match app.auth.known_token(&secret) {
                Some(identity) => Some(Some(identity)),
                None => hashing(&app, move |auth| auth.check_token(&secret)).await,
            };
            match checked {
                Some(Some(identity)) => {
                    app.auth.succeeded(client);
                    Some(identity)
                }
                Some(None) => {
                    app.auth.failed(client);
                    return ApiError::unauthenticated("the bearer token is not one of `[serve]`")
                        .into_response();
                }
                None => return ApiError::internal().into_response(),
            }
        }
        None => cookie(&parts.headers, SESSION_COOKIE).and_then(|id| app.auth.session(&id)),
    };
    let mut body = body;
    let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    // The sign-in form has no session yet: it checks its own token.
    if changes_state
        && parts.uri.path() != "/login"
        && let Some(Identity {
            csrf: Some(expected),
            ..
        }) = &identity
    {
        let (given, kept) = csrf_token(&parts.headers, body).await;
        body = kept;
        if !given.is_some_and(|given| same_secret(&given, expected)) {
            return ApiError::csrf().into_response();
        }
    }
    if let Some(identity) = identity {
        parts.extensions.insert(identity);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The CSRF token of a request: its header, else the `csrf` field of its form; and the body to
/// pass on.
async fn csrf_token(headers: &HeaderMap, body: Body) -> (Option<String>, Body) {
    if let Some(token) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return (Some(token.to_owned()), body);
    }
    let form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return (None, body);
    }
    match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => {
            let token = form_field(&bytes, CSRF_FIELD);
            (token, Body::from(bytes))
        }
        Err(_) => (None, Body::empty()),
    }
}

/// The value of `field` in a URL-encoded form.
pub(crate) fn form_field(form: &[u8], field: &str) -> Option<String> {
    form_urlencoded::parse(form)
        .find(|(name, _)| name == field)
        .map(|(_, value)| value.into_owned())
}

/// Anyone signed in, or any token: reads.
pub(crate) struct Viewer(pub(crate) Identity);

/// An operator: runs tasks. Later state-changing routes take this too.
pub(crate) struct Operator(pub(crate) Identity);

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .map(Viewer)
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "sign in at /login, or send `Authorization: Bearer TOKEN`",
                )
            })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Viewer(identity) = Viewer::from_request_parts(parts, state).await?;
        if identity.role < ServeRole::Operator {
            return Err(ApiError::forbidden(&identity));
        }
        Ok(Operator(identity))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Client>()
            .copied()
            .ok_or_else(ApiError::internal)
    }
}
