//! The schemas migration histories produce, kept between runs so an unchanged history is not
//! replayed again (Prisma replays the whole history on every `migrate dev`).
//!
//! An entry is keyed by everything the replay depends on: the drydock build, the provider, the
//! server's version, the namespaces, and the chain of migration names and checksums. Any edit,
//! addition or reordering gives a new key. Entries live in the folder the caller names, by
//! default `$DRYDOCK_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/drydock`, else `~/.cache/drydock`; a cache that cannot be read or written
//! only costs a replay.

use std::path::{Path, PathBuf};

use drydock_migrate::LocalMigration;
use drydock_schema::SqlSchema;
use sha2::{Digest, Sha256};

/// Bumped when the meaning of a cached entry changes.
const FORMAT: &str = "replay-v1";

/// The key of the schema that replaying `migrations` produces.
pub(crate) fn key(
    provider: &str,
    server_version: &str,
    namespaces: &[String],
    migrations: &[LocalMigration],
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        FORMAT,
        env!("CARGO_PKG_VERSION"),
        &build_identity(),
        provider,
        server_version,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for namespace in namespaces {
        hasher.update(namespace.as_bytes());
        hasher.update([0]);
    }
    for migration in migrations {
        hasher.update(migration.name.as_bytes());
        hasher.update([0]);
        hasher.update(migration.checksum.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

/// Size and modification time of the running executable: a rebuilt drydock (whose
/// introspection may differ) does not trust entries of another build.
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|meta| {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            format!("{}:{modified}", meta.len())
        })
        .unwrap_or_default()
}

/// The default place of entries, from the environment.
pub(crate) fn default_dir() -> Option<PathBuf> {
    let from_env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from_env("DRYDOCK_CACHE_DIR")
        .or_else(|| from_env("XDG_CACHE_HOME").map(|d| d.join("drydock")))
        .or_else(|| from_env("HOME").map(|d| d.join(".cache").join("drydock")))
        .map(|d| d.join("replays"))
}

pub(crate) fn load(dir: &Path, key: &str) -> Option<SqlSchema> {
    let text = std::fs::read_to_string(dir.join(format!("{key}.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

pub(crate) fn store(dir: &Path, key: &str, schema: &SqlSchema) {
    let Ok(json) = serde_json::to_string(schema) else {
        return;
    };
    // Written under a temporary name and renamed, so a concurrent reader never sees half a file.
    let temporary = dir.join(format!("{key}.{}.tmp", std::process::id()));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&temporary, json))
        .and_then(|()| std::fs::rename(&temporary, dir.join(format!("{key}.json"))));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}
