//! `[serve]` in `drydock.toml`: how `drydock serve` listens, how many database sessions it
//! keeps open at once, and who may sign in (docs/serve.md).
//!
//! ```toml
//! [serve]
//! listen = "127.0.0.1:7878"  # the default; --listen overrides it
//! connections = 4            # database sessions open at once (the default)
//! metrics_public = true      # /metrics without signing in (the default)
//! session_ttl = "12h"        # a signed-in session ends this long after it began
//! trust_proxy = false        # a proxy in front terminates TLS and sets X-Forwarded-For
//!
//! [[serve.users]]            # people, who sign in with the login form
//! name = "alice"
//! password_hash = "$argon2id$v=19$m=19456,t=2,p=1$..."   # `drydock serve --hash-password`
//! role = "operator"          # viewer (the default) or operator
//!
//! [[serve.tokens]]           # programs, which send `Authorization: Bearer TOKEN`
//! name = "ci"
//! hash = "$argon2id$..."     # the token's hash, or
//! env = "DRYDOCK_CI_TOKEN"   # the variable that holds the token itself
//! role = "viewer"
//! ```

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::EngineError;
use crate::settings::invalid_at;

/// Database sessions `drydock serve` keeps open at once when `[serve] connections` is not set:
/// few, as each page or probe opens its own and the database has other clients.
pub const DEFAULT_SERVE_CONNECTIONS: usize = 4;

/// How long a signed-in session lasts when `[serve] session_ttl` is not set.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// `[serve]` as `drydock serve` uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeSettings {
    /// The address to listen on, as written (`--listen` overrides it).
    pub listen: Option<String>,
    /// Database sessions open at once.
    pub connections: usize,
    /// Whether `/metrics` answers without authentication.
    pub metrics_public: bool,
    pub session_ttl: Duration,
    pub trust_proxy: bool,
    pub users: Vec<ServeUser>,
    pub tokens: Vec<ServeToken>,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            listen: None,
            connections: DEFAULT_SERVE_CONNECTIONS,
            metrics_public: true,
            session_ttl: DEFAULT_SESSION_TTL,
            trust_proxy: false,
            users: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

/// What a signed-in user or a token may do: viewers read, operators also run tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum ServeRole {
    #[default]
    Viewer,
    Operator,
}

impl ServeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ServeRole::Viewer => "viewer",
            ServeRole::Operator => "operator",
        }
    }
}

/// One `[[serve.users]]`: a person who signs in with a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeUser {
    pub name: String,
    /// The password's argon2 hash (a PHC string).
    pub password_hash: String,
    pub role: ServeRole,
}

/// One `[[serve.tokens]]`: an API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeToken {
    pub name: String,
    pub secret: TokenSecret,
    pub role: ServeRole,
}

/// Where a token is known from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSecret {
    /// Its argon2 hash, written in the file.
    Hash(String),
    /// The environment variable that holds the token, read when the server starts.
    Env(String),
}

/// `[serve]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServeEntry {
    listen: Option<String>,
    connections: Option<Spanned<i64>>,
    metrics_public: Option<bool>,
    session_ttl: Option<Spanned<String>>,
    trust_proxy: Option<bool>,
    #[serde(default)]
    users: Vec<UserEntry>,
    #[serde(default)]
    tokens: Vec<TokenEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: String,
    password_hash: String,
    role: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    name: String,
    hash: Option<String>,
    env: Option<String>,
    role: Option<String>,
}

fn role(written: Option<&str>) -> Result<ServeRole, String> {
    match written {
        None | Some("viewer") => Ok(ServeRole::Viewer),
        Some("operator") => Ok(ServeRole::Operator),
        Some(other) => Err(format!(
            "role `{other}` is not one drydock knows: write \"viewer\" or \"operator\""
        )),
    }
}

/// A hash as `drydock serve --hash-password` prints it; checked fully when the server starts.
fn argon2_hash(hash: &str) -> Result<String, String> {
    let hash = hash.trim();
    if hash.starts_with("$argon2") {
        Ok(hash.to_owned())
    } else {
        Err(
            "is not an argon2 hash (`$argon2id$...`): make one with `drydock serve \
             --hash-password`, which reads the secret on standard input"
                .to_owned(),
        )
    }
}

fn name(written: &str, names: &mut HashSet<String>) -> Result<String, String> {
    let name = written.trim();
    if name.is_empty() {
        return Err("`name` is empty".to_owned());
    }
    if !names.insert(name.to_owned()) {
        return Err(format!(
            "two entries are named `{name}`: names must be unique"
        ));
    }
    Ok(name.to_owned())
}

impl ServeEntry {
    /// The settings this entry gives, checked; an error points at the value in `text`, the
    /// file at `path`.
    pub(crate) fn settings(self, path: &Path, text: &str) -> Result<ServeSettings, EngineError> {
        let mut settings = ServeSettings {
            listen: self.listen,
            metrics_public: self.metrics_public.unwrap_or(true),
            trust_proxy: self.trust_proxy.unwrap_or(false),
            ..ServeSettings::default()
        };
        let invalid = |span: std::ops::Range<usize>, message: String| {
            invalid_at(path, text, span, &format!("[serve] {message}"))
        };
        if let Some(written) = &self.connections {
            settings.connections = usize::try_from(*written.get_ref())
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    invalid(
                        written.span(),
                        format!(
                            "`connections` is {}: give how many database sessions may be open \
                             at once, 1 or more",
                            written.get_ref()
                        ),
                    )
                })?;
        }
        if let Some(written) = &self.session_ttl {
            settings.session_ttl = humantime::parse_duration(written.get_ref())
                .ok()
                .filter(|ttl| !ttl.is_zero())
                .ok_or_else(|| {
                    invalid(
                        written.span(),
                        format!(
                            "`session_ttl` is `{}`: write a duration such as \"12h\" or \"30m\"",
                            written.get_ref()
                        ),
                    )
                })?;
        }
        // Errors in users and tokens show no line of the file: it may hold a password written
        // where its hash belongs.
        let refused = |message: String| EngineError::Settings {
            path: path.to_owned(),
            message,
        };
        let mut names = HashSet::new();
        for user in self.users {
            let checked = (|| {
                let name = name(&user.name, &mut names)?;
                let password_hash = argon2_hash(&user.password_hash)
                    .map_err(|what| format!("user `{name}`: `password_hash` {what}"))?;
                let role =
                    role(user.role.as_deref()).map_err(|what| format!("user `{name}`: {what}"))?;
                Ok::<_, String>(ServeUser {
                    name,
                    password_hash,
                    role,
                })
            })();
            let user = checked.map_err(|message| refused(format!("[[serve.users]] {message}")))?;
            settings.users.push(user);
        }
        let mut token_names = HashSet::new();
        for token in self.tokens {
            let checked = (|| {
                let name = name(&token.name, &mut token_names)?;
                let secret = match (token.hash, token.env) {
                    (Some(hash), None) => TokenSecret::Hash(
                        argon2_hash(&hash)
                            .map_err(|what| format!("token `{name}`: `hash` {what}"))?,
                    ),
                    (None, Some(env)) if !env.trim().is_empty() => {
                        TokenSecret::Env(env.trim().to_owned())
                    }
                    _ => {
                        return Err(format!(
                            "token `{name}`: give either `hash` (the token's argon2 hash) or \
                             `env` (the variable that holds the token)"
                        ));
                    }
                };
                let role = role(token.role.as_deref())
                    .map_err(|what| format!("token `{name}`: {what}"))?;
                Ok(ServeToken { name, secret, role })
            })();
            let token =
                checked.map_err(|message| refused(format!("[[serve.tokens]] {message}")))?;
            settings.tokens.push(token);
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::Settings;

    fn parse(text: &str) -> Result<ServeSettings, String> {
        Settings::parse(Path::new("drydock.toml"), text)
            .map(|settings| settings.serve)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn serve_settings_are_read_and_checked() {
        assert_eq!(parse("").unwrap(), ServeSettings::default());
        let settings = parse(
            "[serve]\nconnections = 2\nsession_ttl = \"30m\"\nmetrics_public = false\n\n\
             [[serve.users]]\nname = \"alice\"\npassword_hash = \"$argon2id$v=19$x\"\nrole = \"operator\"\n\n\
             [[serve.tokens]]\nname = \"ci\"\nenv = \"CI_TOKEN\"\n",
        )
        .unwrap();
        assert_eq!(settings.connections, 2);
        assert_eq!(settings.session_ttl, Duration::from_secs(1800));
        assert!(!settings.metrics_public);
        assert_eq!(settings.users[0].role, ServeRole::Operator);
        assert_eq!(settings.tokens[0].role, ServeRole::Viewer);
        assert_eq!(
            settings.tokens[0].secret,
            TokenSecret::Env("CI_TOKEN".to_owned())
        );
        for (text, says) in [
            ("[serve]\nconnections = 0\n", "`connections` is 0"),
            (
                "[serve]\nsession_ttl = \"soon\"\n",
                "`session_ttl` is `soon`",
            ),
            (
                "[[serve.users]]\nname = \"a\"\npassword_hash = \"hunter2\"\n",
                "is not an argon2 hash",
            ),
            (
                "[[serve.users]]\nname = \"a\"\npassword_hash = \"$argon2id$\"\nrole = \"root\"\n",
                "role `root` is not one drydock knows",
            ),
            ("[[serve.tokens]]\nname = \"ci\"\n", "give either `hash`"),
            (
                "[[serve.tokens]]\nname = \"ci\"\nenv = \"A\"\n[[serve.tokens]]\nname = \"ci\"\nenv = \"B\"\n",
                "two entries are named `ci`",
            ),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
            assert!(
                !error.contains("hunter2"),
                "a written secret is never shown: {error}"
            );
        }
    }
}
