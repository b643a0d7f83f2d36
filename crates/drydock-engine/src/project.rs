//! A project: its schema files, their validated datamodel, the dialect they target, and where
//! its database and migrations are.

use std::path::{Path, PathBuf};

use drydock_connector::{Dialect, redact_url};
use drydock_diagnostics::{Diagnostics, Files};
use drydock_psl::{ConfigValue, Datamodel};
use drydock_schema::SqlSchema;

use crate::dialects;

/// A problem with the schema or the project's configuration.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "could not find a Prisma schema: looked for {looked_in}.\nPass `--schema <file or \
         folder>`, or create `prisma/schema.prisma`."
    )]
    NotFound { looked_in: String },

    #[error("could not read `{path}`: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// Rendered diagnostics (file:line:col with a snippet for each).
    #[error("{rendered}\nThe schema has {count} error(s); fix them and run the command again.")]
    Invalid { rendered: String, count: usize },

    #[error(
        "the schema has no `datasource` block with a `provider`; add one, e.g.\n\n  datasource db {{\n    provider = \"sqlite\"\n    url      = env(\"DATABASE_URL\")\n  }}"
    )]
    NoDatasource,

    #[error("provider `{provider}` is not supported by drydock yet (supported: {supported})")]
    UnsupportedProvider { provider: String, supported: String },

    #[error(
        "environment variable `{name}` is not set; it holds the {what} of datasource `{datasource}`.\n\
         Set it in the environment or in a `.env` file next to the project or the schema."
    )]
    EnvNotFound {
        name: String,
        what: &'static str,
        datasource: String,
    },

    #[error("the datasource has no `url`; set `url = env(\"DATABASE_URL\")` or pass `--url`")]
    NoUrl,

    #[error(
        "the URL `{url}` does not match provider `{provider}`; a `{provider}` URL looks like \
         {example}"
    )]
    UrlMismatch {
        url: String,
        provider: String,
        example: &'static str,
    },
}

impl SchemaError {
    pub fn code(&self) -> &'static str {
        match self {
            SchemaError::NotFound { .. } => "P1012",
            SchemaError::Unreadable { .. } => "D1002",
            SchemaError::Invalid { .. } => "P1012",
            SchemaError::NoDatasource => "P1012",
            SchemaError::UnsupportedProvider { .. } => "P1012",
            SchemaError::EnvNotFound { .. } => "P1012",
            SchemaError::NoUrl => "P1012",
            SchemaError::UrlMismatch { .. } => "P1013",
        }
    }
}

/// A loaded, valid schema with its resolved configuration.
pub struct Project {
    /// The schema file, or the folder of schema files.
    pub schema_path: PathBuf,
    /// The folder relative paths in the schema resolve against (the schema file's folder).
    pub schema_dir: PathBuf,
    pub migrations_dir: PathBuf,
    pub files: Files,
    pub datamodel: Datamodel,
    /// Warnings of validation (errors make [`Project::load`] fail).
    pub warnings: Diagnostics,
    pub dialect: &'static dyn Dialect,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("schema_path", &self.schema_path)
            .field("provider", &self.dialect.provider())
            .finish_non_exhaustive()
    }
}

/// Where to look for the schema when `--schema` is not given, relative to the working folder.
const DEFAULT_SCHEMA_PATHS: [&str; 2] = ["prisma/schema.prisma", "schema.prisma"];

impl Project {
    /// Find and load the schema: `schema` when given (a file or a folder of `.prisma` files),
    /// else `prisma/schema.prisma`, then `schema.prisma`. Loads `.env` from the working folder
    /// and the schema's folder without overriding variables already set.
    pub fn load(schema: Option<&Path>) -> Result<Project, SchemaError> {
        let (files, schema_dir, schema_path) = locate_and_read(schema)?;
        load_dotenv(&schema_dir);
        let (datamodel, diagnostics) = drydock_psl::parse_and_validate(&files);
        let dialect =
            check_diagnostics(&files, &diagnostics).and_then(|()| dialect_of(&datamodel))?;
        let migrations_dir = migrations_dir_of(&files, &datamodel, &schema_dir);
        let warnings = diagnostics_of_severity(diagnostics, false);
        Ok(Project {
            schema_path,
            schema_dir,
            migrations_dir,
            files,
            datamodel,
            warnings,
            dialect,
        })
    }

    /// The SQL schema this project's datamodel lowers to.
    pub fn target_schema(&self) -> Result<SqlSchema, SchemaError> {
        let (schema, diagnostics) =
            drydock_psl::lower(&self.datamodel, self.dialect.lowering_rules());
        check_diagnostics(&self.files, &diagnostics)?;
        Ok(schema)
    }

    /// Namespaces to introspect (`schemas = [...]`), empty for the URL's default namespace.
    pub fn namespaces(&self) -> Vec<String> {
        self.datasource()
            .map(|ds| ds.schemas.clone())
            .unwrap_or_default()
    }

    fn datasource(&self) -> Option<&drydock_psl::Datasource> {
        self.datamodel.datasource.as_ref()
    }

    /// The URL migrations run against: `directUrl` when set, else `url`; `override_url` (from
    /// `--url`) wins over both.
    pub fn migration_url(&self, override_url: Option<&str>) -> Result<String, SchemaError> {
        let url = match override_url {
            Some(url) => url.to_owned(),
            None => {
                let datasource = self.datasource().ok_or(SchemaError::NoDatasource)?;
                let value = datasource
                    .direct_url
                    .as_ref()
                    .map(|v| (v, "directUrl"))
                    .or(datasource.url.as_ref().map(|v| (v, "url")));
                let (value, what) = value.ok_or(SchemaError::NoUrl)?;
                self.config_value(value, what)?
            }
        };
        self.check_url(&url)?;
        Ok(self.resolve_paths(&url))
    }

    /// `shadowDatabaseUrl` when configured.
    pub fn shadow_url(&self) -> Result<Option<String>, SchemaError> {
        match self
            .datasource()
            .and_then(|ds| ds.shadow_database_url.as_ref())
        {
            None => Ok(None),
            Some(value) => {
                let url = self.config_value(value, "shadowDatabaseUrl")?;
                self.check_url(&url)?;
                Ok(Some(self.resolve_paths(&url)))
            }
        }
    }

    fn config_value(&self, value: &ConfigValue, what: &'static str) -> Result<String, SchemaError> {
        match value {
            ConfigValue::Literal(url) => Ok(url.clone()),
            ConfigValue::Env(name) => std::env::var(name).map_err(|_| SchemaError::EnvNotFound {
                name: name.clone(),
                what,
                datasource: self
                    .datasource()
                    .map(|ds| ds.name.clone())
                    .unwrap_or_default(),
            }),
        }
    }

    /// Relative paths in `url` (a SQLite file, certificates) read from the schema's folder.
    fn resolve_paths(&self, url: &str) -> String {
        let url = resolve_file_url(url, &self.schema_dir);
        self.dialect.resolve_url_paths(&url, &self.schema_dir)
    }

    fn check_url(&self, url: &str) -> Result<(), SchemaError> {
        if self.dialect.accepts_url(url) {
            return Ok(());
        }
        Err(SchemaError::UrlMismatch {
            url: redact_url(url),
            provider: self.dialect.provider().to_owned(),
            example: dialects::url_example(self.dialect),
        })
    }
}

/// The schema's files and folder, without parsing them: `schema` when given (a file or a folder
/// of `.prisma` files), else the first of the default places that exists.
pub fn read_schema(schema: Option<&Path>) -> Result<(Files, PathBuf), SchemaError> {
    let (files, schema_dir, _) = locate_and_read(schema)?;
    Ok((files, schema_dir))
}

fn locate_and_read(schema: Option<&Path>) -> Result<(Files, PathBuf, PathBuf), SchemaError> {
    let schema_path = match schema {
        Some(path) => path.to_path_buf(),
        None => DEFAULT_SCHEMA_PATHS
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .ok_or_else(|| SchemaError::NotFound {
                looked_in: DEFAULT_SCHEMA_PATHS
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            })?,
    };
    let (files, schema_dir) = read_schema_files(&schema_path)?;
    Ok((files, schema_dir, schema_path))
}

/// SQLite-style `file:` URLs with a relative path resolve against the schema's folder, as in
/// Prisma.
fn resolve_file_url(url: &str, schema_dir: &Path) -> String {
    let Some(rest) = url.strip_prefix("file:") else {
        return url.to_owned();
    };
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    if path.starts_with('/') {
        return url.to_owned();
    }
    let absolute = schema_dir.join(path.strip_prefix("./").unwrap_or(path));
    match query {
        Some(query) => format!("file:{}?{query}", absolute.display()),
        None => format!("file:{}", absolute.display()),
    }
}

fn read_schema_files(schema_path: &Path) -> Result<(Files, PathBuf), SchemaError> {
    let unreadable = |path: &Path, source| SchemaError::Unreadable {
        path: path.display().to_string(),
        source,
    };
    let mut files = Files::new();
    if schema_path.is_dir() {
        let mut paths = Vec::new();
        collect_prisma_files(schema_path, &mut paths).map_err(|e| unreadable(schema_path, e))?;
        paths.sort();
        if paths.is_empty() {
            return Err(SchemaError::NotFound {
                looked_in: format!("`.prisma` files in `{}`", schema_path.display()),
            });
        }
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
            files.add(path.display().to_string(), text);
        }
        Ok((files, schema_path.to_path_buf()))
    } else {
        if !schema_path.exists() {
            return Err(SchemaError::NotFound {
                looked_in: format!("`{}`", schema_path.display()),
            });
        }
        let text = std::fs::read_to_string(schema_path).map_err(|e| unreadable(schema_path, e))?;
        files.add(schema_path.display().to_string(), text);
        let dir = schema_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Ok((files, dir))
    }
}

fn collect_prisma_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            // Migration folders hold SQL, not schema files.
            if path.file_name().is_some_and(|n| n != "migrations") {
                collect_prisma_files(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "prisma") {
            out.push(path);
        }
    }
    Ok(())
}

fn load_dotenv(schema_dir: &Path) {
    // A missing or unreadable .env is not an error: variables may come from the environment.
    let _ = dotenvy::from_path(".env");
    let _ = dotenvy::from_path(schema_dir.join(".env"));
}

fn check_diagnostics(files: &Files, diagnostics: &Diagnostics) -> Result<(), SchemaError> {
    if !diagnostics.has_errors() {
        return Ok(());
    }
    let rendered: Vec<String> = diagnostics.errors().map(|d| d.render(files)).collect();
    Err(SchemaError::Invalid {
        count: rendered.len(),
        rendered: rendered.join("\n"),
    })
}

fn diagnostics_of_severity(diagnostics: Diagnostics, errors: bool) -> Diagnostics {
    let mut kept = Diagnostics::new();
    for diagnostic in diagnostics.iter() {
        if diagnostic.is_error() == errors {
            kept.push(diagnostic.clone());
        }
    }
    kept
}

/// `migrations/` next to the file that holds the datasource block (in a folder of schema files
/// that may be a sub-folder), as Prisma places it.
fn migrations_dir_of(files: &Files, datamodel: &Datamodel, schema_dir: &Path) -> PathBuf {
    datamodel
        .datasource
        .as_ref()
        .and_then(|ds| files.get(ds.span.file))
        .and_then(|file| Path::new(&file.name).parent().map(Path::to_path_buf))
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or_else(|| schema_dir.to_path_buf())
        .join("migrations")
}

fn dialect_of(datamodel: &Datamodel) -> Result<&'static dyn Dialect, SchemaError> {
    let datasource = datamodel
        .datasource
        .as_ref()
        .ok_or(SchemaError::NoDatasource)?;
    dialects::for_provider(&datasource.provider_name).ok_or_else(|| {
        SchemaError::UnsupportedProvider {
            provider: datasource.provider_name.clone(),
            supported: dialects::all()
                .iter()
                .map(|d| d.provider())
                .collect::<Vec<_>>()
                .join(", "),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::resolve_file_url;
    use std::path::Path;

    #[test]
    fn relative_file_urls_resolve_against_the_schema_folder() {
        let dir = Path::new("/app/prisma");
        assert_eq!(
            resolve_file_url("file:./dev.db", dir),
            "file:/app/prisma/dev.db"
        );
        assert_eq!(
            resolve_file_url("file:dev.db?mode=rwc", dir),
            "file:/app/prisma/dev.db?mode=rwc"
        );
        assert_eq!(resolve_file_url("file:/tmp/x.db", dir), "file:/tmp/x.db");
        assert_eq!(
            resolve_file_url("postgresql://u@h/db", dir),
            "postgresql://u@h/db"
        );
    }
}
