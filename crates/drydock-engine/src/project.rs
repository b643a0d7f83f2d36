//! A project: its schema files, their validated datamodel, the dialect they target, and where
//! its database and migrations are.

use std::path::{Path, PathBuf};

use drydock_connector::{Dialect, redact_url};
use drydock_diagnostics::{Diagnostics, Files};
use drydock_psl::{ConfigValue, Datamodel};
use drydock_schema::SqlSchema;

use crate::dialects;
use crate::prisma_config::{self, ConfigError, PrismaConfig, Setting};

/// A problem with the schema or the project's configuration.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "could not find a Prisma schema: looked for {looked_in}.\nPass `--schema <file or \
         folder>`, set `schema` in the Prisma config file, or create `prisma/schema.prisma`."
    )]
    NotFound { looked_in: String },

    #[error("could not read `{path}`: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// A schema file that is not UTF-8, rendered as a diagnostic at its first bad byte.
    #[error("{rendered}")]
    NotUtf8 { rendered: String },

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

    #[error(
        "the datasource has no `url`; set `datasource.url` in the Prisma config file (Prisma 7) \
         or `url = env(\"DATABASE_URL\")` in the schema, or pass `--url`"
    )]
    NoUrl,

    #[error(transparent)]
    Config(Box<ConfigError>),

    #[error(
        "{}:{line}:{column}: `package.json` is not valid JSON: {message}. Fix it, or move it \
         out of the project: drydock reads its `prisma` settings", path.display()
    )]
    PackageJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error(
        "the URL `{url}` does not match provider `{provider}`; a `{provider}` URL looks like \
         `{example}`"
    )]
    UrlMismatch {
        url: String,
        provider: String,
        example: &'static str,
    },
}

impl From<ConfigError> for SchemaError {
    fn from(error: ConfigError) -> Self {
        SchemaError::Config(Box::new(error))
    }
}

impl SchemaError {
    pub fn code(&self) -> &'static str {
        match self {
            SchemaError::NotFound { .. } => "P1012",
            SchemaError::Unreadable { .. } => "D1002",
            SchemaError::NotUtf8 { .. } => "D1002",
            SchemaError::Invalid { .. } => "P1012",
            SchemaError::NoDatasource => "P1012",
            SchemaError::UnsupportedProvider { .. } => "P1012",
            SchemaError::EnvNotFound { .. } => "P1012",
            SchemaError::NoUrl => "P1012",
            SchemaError::UrlMismatch { .. } => "P1013",
            SchemaError::Config(_) => "D1004",
            SchemaError::PackageJson { .. } => "D1004",
        }
    }
}

/// Which Prisma generation a project is written for: it decides where migrations go by
/// default, whether `package.json` settings count, and whether `migrate dev`/`reset` seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrismaGeneration {
    V5,
    V6,
    V7,
}

impl PrismaGeneration {
    pub fn major(self) -> u8 {
        match self {
            PrismaGeneration::V5 => 5,
            PrismaGeneration::V6 => 6,
            PrismaGeneration::V7 => 7,
        }
    }

    /// Prisma 5 and 6 seed after `migrate reset` and after `migrate dev` created the database.
    pub fn seeds_automatically(self) -> bool {
        self < PrismaGeneration::V7
    }
}

/// Where the schema came from, in Prisma's order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaOrigin {
    /// `--schema`.
    Flag,
    /// `schema` in the Prisma config file.
    Config,
    /// `"prisma": { "schema": ... }` in `package.json`.
    PackageJson,
    /// A default place (`schema.prisma`, `prisma/schema.prisma`, `prisma/schema/`).
    Default,
}

/// What to load: the `--schema` and `--config` flags.
#[derive(Debug, Default, Clone, Copy)]
pub struct Discovery<'a> {
    pub schema: Option<&'a Path>,
    pub config: Option<&'a Path>,
}

/// A loaded, valid schema with its resolved configuration.
pub struct Project {
    /// The schema file, or the folder of schema files.
    pub schema_path: PathBuf,
    pub schema_origin: SchemaOrigin,
    /// The folder relative paths in the schema resolve against (the schema file's folder).
    pub schema_dir: PathBuf,
    pub migrations_dir: PathBuf,
    /// The Prisma config file, when there is one.
    pub config: Option<PrismaConfig>,
    pub generation: PrismaGeneration,
    /// How the generation was told: the config file's name, or `package.json`'s versions.
    pub generation_source: String,
    /// `package.json`'s `"prisma": { "seed": ... }` (Prisma 5/6 only), the seed command when
    /// the config file has none ([`Project::seed_command`]).
    package_seed: Option<String>,
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

/// Where to look for the schema when nothing names it, relative to the working folder, in
/// Prisma's order (the folder is Prisma 6's multi-file default).
const DEFAULT_SCHEMA_PATHS: [&str; 3] = ["schema.prisma", "prisma/schema.prisma", "prisma/schema"];

/// The schema's place and what decided it, before anything is parsed.
struct Located {
    schema_path: PathBuf,
    schema_origin: SchemaOrigin,
    config: Option<PrismaConfig>,
    package: PackageJson,
    generation_hint: Option<PrismaGeneration>,
    generation_source: String,
}

impl Located {
    fn find(discovery: Discovery<'_>) -> Result<Located, SchemaError> {
        // As `import "dotenv/config"` does, before the config file reads any variable.
        let _ = dotenvy::from_path(".env");
        let config_path = match discovery.config {
            Some(path) => Some(path.to_path_buf()),
            None => prisma_config::find_config(Path::new(".")).map(|p| clean_relative(&p)),
        };
        let config = config_path
            .map(|path| prisma_config::read_config(&path, &|name| std::env::var(name).ok()))
            .transpose()?;
        let package = PackageJson::find()?;
        let (generation_hint, generation_source) = match (&config, package.prisma_major) {
            (Some(config), _) if config.is_prisma7_name() => (
                Some(PrismaGeneration::V7),
                "by its config file's name".to_owned(),
            ),
            (_, Some(major)) => (
                Some(match major {
                    0..=5 => PrismaGeneration::V5,
                    6 => PrismaGeneration::V6,
                    _ => PrismaGeneration::V7,
                }),
                format!("by the Prisma version in package.json, {major}"),
            ),
            _ => (None, String::new()),
        };
        let before_7 = generation_hint.is_none_or(|g| g < PrismaGeneration::V7);
        let (schema_path, schema_origin) = match (discovery.schema, &config) {
            (Some(path), _) => (path.to_path_buf(), SchemaOrigin::Flag),
            (
                None,
                Some(
                    config @ PrismaConfig {
                        schema: Some(setting),
                        ..
                    },
                ),
            ) => (config.resolve(&setting.clone()?), SchemaOrigin::Config),
            _ => match package.schema.as_deref().filter(|_| before_7) {
                Some(path) => (package.dir.join(path), SchemaOrigin::PackageJson),
                None => (default_schema_path()?, SchemaOrigin::Default),
            },
        };
        Ok(Located {
            schema_path,
            schema_origin,
            config,
            package,
            generation_hint,
            generation_source,
        })
    }
}

/// The `"prisma"` settings and Prisma versions of `package.json` in the working folder.
#[derive(Debug, Default)]
struct PackageJson {
    /// Its folder, relative to the working folder (empty for the working folder itself).
    dir: PathBuf,
    schema: Option<String>,
    seed: Option<String>,
    /// The major version of `prisma` (else `@prisma/client`) in the dependencies.
    prisma_major: Option<u8>,
}

impl PackageJson {
    /// The nearest `package.json` from the working folder up, as Prisma 5/6 look for it.
    fn find() -> Result<PackageJson, SchemaError> {
        let levels = std::env::current_dir().map_or(1, |cwd| cwd.ancestors().count());
        // Relative paths (`..`, `../..`), so the places shown stay short.
        let found = (0..levels).find_map(|up| {
            let dir: PathBuf = std::iter::repeat_n("..", up).collect();
            let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
            Some((dir, text))
        });
        let Some((dir, text)) = found else {
            return Ok(PackageJson::default());
        };
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| SchemaError::PackageJson {
                path: dir.join("package.json"),
                line: e.line(),
                column: e.column(),
                // serde_json ends its text with the position, given above already.
                message: e
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            })?;
        let setting = |key: &str| {
            json.get("prisma")
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let version = |package: &str| {
            ["dependencies", "devDependencies"].iter().find_map(|deps| {
                json.get(deps)?
                    .get(package)?
                    .as_str()
                    .and_then(major_version)
            })
        };
        Ok(PackageJson {
            dir,
            schema: setting("schema"),
            seed: setting("seed"),
            prisma_major: version("prisma").or_else(|| version("@prisma/client")),
        })
    }
}

/// The major version of a version range such as `^6.19.0`, `~5.22`, `>=7`, `7.x`.
fn major_version(range: &str) -> Option<u8> {
    let digits: String = range
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl Project {
    /// [`Project::discover`] with `--schema` only.
    pub fn load(schema: Option<&Path>) -> Result<Project, SchemaError> {
        Project::discover(Discovery {
            schema,
            config: None,
        })
    }

    /// Find and load the project as Prisma does, from the working folder: `.env`, the Prisma
    /// config file (`--config`, else the first of Prisma 7.10's names), `package.json`; the
    /// schema from `--schema`, else the config's `schema`, else `package.json`'s
    /// `"prisma": {"schema"}` (before Prisma 7), else `schema.prisma`, `prisma/schema.prisma`,
    /// `prisma/schema/`. Variables already set are never overridden by `.env` files.
    pub fn discover(discovery: Discovery<'_>) -> Result<Project, SchemaError> {
        let Located {
            schema_path,
            schema_origin,
            config,
            package,
            generation_hint,
            mut generation_source,
        } = Located::find(discovery)?;
        let (files, schema_dir) = read_schema_files(&schema_path)?;
        // A missing or unreadable .env is not an error: variables may come from the environment.
        let _ = dotenvy::from_path(schema_dir.join(".env"));
        let (datamodel, diagnostics) = drydock_psl::parse_and_validate(&files);
        let dialect =
            check_diagnostics(&files, &diagnostics).and_then(|()| dialect_of(&datamodel))?;
        // Without a version to go by, a config file with a schema whose datasource has no
        // `url` can only be Prisma 7.
        let generation = generation_hint.unwrap_or_else(|| {
            let url_in_schema = datamodel
                .datasource
                .as_ref()
                .is_some_and(|ds| ds.url.is_some());
            if config.is_some() && !url_in_schema {
                generation_source = "by its config file and a datasource without `url`".to_owned();
                PrismaGeneration::V7
            } else {
                generation_source =
                    "no Prisma version in package.json, no Prisma 7 config".to_owned();
                PrismaGeneration::V6
            }
        });
        let migrations_dir = match config.as_ref().and_then(|c| {
            c.migrations_path
                .clone()
                .map(|path| path.map(|path| c.resolve(&path)))
        }) {
            Some(path) => path?,
            None if generation == PrismaGeneration::V7 => schema_dir.join("migrations"),
            None => migrations_dir_of(&files, &datamodel, &schema_dir),
        };
        let package_seed = package.seed.filter(|_| generation < PrismaGeneration::V7);
        let warnings = diagnostics_of_severity(diagnostics, false);
        Ok(Project {
            schema_path,
            schema_origin,
            schema_dir,
            migrations_dir,
            config,
            generation,
            generation_source,
            package_seed,
            files,
            datamodel,
            warnings,
            dialect,
        })
    }

    /// The seed command, if the project has one: `migrations.seed` of the config file, else
    /// (Prisma 5/6) `package.json`'s `"prisma": { "seed": ... }`. The config's setting is read
    /// here, so only a command that seeds fails when it cannot be read.
    pub fn seed_command(&self) -> Result<Option<String>, SchemaError> {
        let configured = self
            .config
            .as_ref()
            .and_then(|config| config.seed(&|name| std::env::var(name).ok()));
        match configured {
            Some(command) => Ok(Some(command?)),
            None => Ok(self.package_seed.clone()),
        }
    }

    /// The SQL schema this project's datamodel lowers to, for a connection to `url` (`None`:
    /// the schema's own URL when it can be read): objects of the URL's namespace are unqualified.
    pub fn target_schema(&self, url: Option<&str>) -> Result<SqlSchema, SchemaError> {
        let (mut schema, diagnostics) =
            drydock_psl::lower(&self.datamodel, self.dialect.lowering_rules());
        check_diagnostics(&self.files, &diagnostics)?;
        let url = url
            .map(str::to_owned)
            .or_else(|| self.migration_url(None).ok());
        if let Some(namespace) = self.dialect.default_namespace(url.as_deref()) {
            if !self.namespaces().is_empty() {
                schema.unqualify(&namespace);
            } else if !schema.namespaces.is_empty() {
                // A single-schema project lives in the URL's namespace (`?schema=`), not in the
                // dialect's default one lowering lists.
                schema.namespaces = vec![namespace];
            }
        }
        Ok(schema)
    }

    /// The datamodel's relations (with or without foreign keys), named as [`Self::target_schema`]
    /// names tables for a connection to `url`.
    pub fn relations(&self, url: Option<&str>) -> Vec<drydock_schema::Relation> {
        let mut relations = drydock_psl::relations(&self.datamodel);
        let url = url
            .map(str::to_owned)
            .or_else(|| self.migration_url(None).ok());
        if !self.namespaces().is_empty()
            && let Some(namespace) = self.dialect.default_namespace(url.as_deref())
        {
            for relation in &mut relations {
                for name in [&mut relation.table, &mut relation.referenced_table] {
                    if name.namespace.as_deref() == Some(namespace.as_str()) {
                        name.namespace = None;
                    }
                }
            }
        }
        relations
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

    /// A URL setting of the config file, as a result.
    fn config_setting(
        &self,
        pick: fn(&PrismaConfig) -> &Setting,
    ) -> Option<Result<String, SchemaError>> {
        self.config
            .as_ref()
            .and_then(|c| pick(c).clone())
            .map(|r| r.map_err(SchemaError::from))
    }

    /// The URL migrations run against: `override_url` (from `--url`), else the config file's
    /// `datasource.url`, else the schema's `directUrl`, else its `url`.
    pub fn migration_url(&self, override_url: Option<&str>) -> Result<String, SchemaError> {
        let url = match override_url {
            Some(url) => url.to_owned(),
            None => match self.config_setting(|c| &c.url) {
                Some(url) => url?,
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
            },
        };
        self.check_url(&url)?;
        Ok(self.resolve_paths(&url))
    }

    /// `shadowDatabaseUrl` when configured: the config file's, else the schema's.
    pub fn shadow_url(&self) -> Result<Option<String>, SchemaError> {
        let url = match self.config_setting(|c| &c.shadow_database_url) {
            Some(url) => url?,
            None => match self
                .datasource()
                .and_then(|ds| ds.shadow_database_url.as_ref())
            {
                None => return Ok(None),
                Some(value) => self.config_value(value, "shadowDatabaseUrl")?,
            },
        };
        self.check_url(&url)?;
        Ok(Some(self.resolve_paths(&url)))
    }

    /// Relative SQLite paths resolve against the schema's folder, as in Prisma; a URL from
    /// the config file against the config file's folder, as Prisma 7 does.
    fn url_base_dir(&self) -> &Path {
        match &self.config {
            Some(config) if config.url.is_some() => config.dir(),
            _ => &self.schema_dir,
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
        let base = self.url_base_dir();
        let url = resolve_file_url(url, base);
        self.dialect.resolve_url_paths(&url, base)
    }

    fn check_url(&self, url: &str) -> Result<(), SchemaError> {
        if self.dialect.accepts_url(url) {
            return Ok(());
        }
        Err(SchemaError::UrlMismatch {
            url: redact_url(url),
            provider: self.dialect.provider().to_owned(),
            example: self.dialect.example_url(),
        })
    }
}

/// The schema's files and folder, without parsing them: `schema` when given (a file or a folder
/// of `.prisma` files), else the config file's, `package.json`'s or a default place.
pub fn read_schema(
    schema: Option<&Path>,
    config: Option<&Path>,
) -> Result<(Files, PathBuf), SchemaError> {
    let located = Located::find(Discovery { schema, config })?;
    read_schema_files(&located.schema_path)
}

fn default_schema_path() -> Result<PathBuf, SchemaError> {
    DEFAULT_SCHEMA_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or_else(|| SchemaError::NotFound {
            looked_in: DEFAULT_SCHEMA_PATHS
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// `./prisma.config.ts` shown as `prisma.config.ts`.
fn clean_relative(path: &Path) -> PathBuf {
    path.strip_prefix(".").unwrap_or(path).to_path_buf()
}

/// SQLite-style `file:` URLs with a relative path resolve against the schema's folder, as in
/// Prisma.
pub(crate) fn resolve_file_url(url: &str, schema_dir: &Path) -> String {
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
    let mut files = Files::new();
    if schema_path.is_dir() {
        let mut paths = Vec::new();
        collect_prisma_files(schema_path, &mut paths).map_err(|source| {
            SchemaError::Unreadable {
                path: schema_path.display().to_string(),
                source,
            }
        })?;
        paths.sort();
        if paths.is_empty() {
            return Err(SchemaError::NotFound {
                looked_in: format!("`.prisma` files in `{}`", schema_path.display()),
            });
        }
        for path in paths {
            let text = read_text(&path)?;
            files.add(path.display().to_string(), text);
        }
        Ok((files, schema_path.to_path_buf()))
    } else {
        if !schema_path.exists() {
            return Err(SchemaError::NotFound {
                looked_in: format!("`{}`", schema_path.display()),
            });
        }
        let text = read_text(schema_path)?;
        files.add(schema_path.display().to_string(), text);
        let dir = schema_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Ok((files, dir))
    }
}

/// A schema file's text; bytes that are not UTF-8 are an error that says where they are.
fn read_text(path: &Path) -> Result<String, SchemaError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SchemaError::Unreadable {
        path: name.clone(),
        source,
    })?;
    drydock_diagnostics::decode_utf8("D1002", &name, bytes)
        .map_err(|rendered| SchemaError::NotUtf8 { rendered })
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

fn check_diagnostics(files: &Files, diagnostics: &Diagnostics) -> Result<(), SchemaError> {
    if !diagnostics.has_errors() {
        return Ok(());
    }
    let errors = Diagnostics::from(diagnostics.errors().cloned().collect::<Vec<_>>());
    Err(SchemaError::Invalid {
        count: errors.len(),
        rendered: errors.render(files),
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
