//! Real, public Prisma projects, unchanged. Each folder under `tests/real_schemas/` holds one
//! project's schema as published (`schema.prisma`, or a `schema/` folder of several files), its
//! `SOURCE` (repository, path, commit) and what Prisma's own engines say about it
//! (`scripts/real-schemas-fixtures.sh`): `expected.validate.json` (and `expected.validate-5.json`
//! when only Prisma 5.22 accepts it) and `expected.<provider>.sql`, the SQL of
//! `migrate diff --from-empty --to-schema`. Four stages, each over every project:
//!
//! 1. validation: drydock's verdict and messages are Prisma's; a schema that only Prisma 5.22
//!    accepts loads with a warning that carries the newer rule's text;
//! 2. SQL: drydock's script from empty equals Prisma's byte for byte;
//! 3. `migrate dev` on a real database (PostgreSQL or SQLite) creates and applies the init
//!    migration with a verified `down.sql`; a second run finds nothing to do and no drift (or
//!    it fails as `expected.migrate-dev-error` says, where Prisma's would fail too);
//! 4. `db pull` of that database into the original schema changes nothing but what `prisma
//!    format` changes, or exactly what `expected.repull.diff` shows, under `#` lines that
//!    explain why.
//!
//! Every stage prints how many projects pass it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drydock_connector::Dialect;
use drydock_engine::{DevOptions, Discovery, Project, SourceContext, migrate_dev};
use drydock_psl::{Files, Provider, lower, parse_and_validate};
use drydock_pull::{DatasourceHeader, repull};
use drydock_test_support::TestDb;
use serde_json::Value;

struct RealProject {
    name: String,
    dir: PathBuf,
    /// `schema.prisma`, or the `schema/` folder.
    schema: PathBuf,
    /// (file name as Prisma's engines name it, text), in name order.
    files: Vec<(String, String)>,
}

impl RealProject {
    fn all() -> Vec<RealProject> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/real_schemas");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
            .expect("real_schemas folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        let projects: Vec<RealProject> = dirs.into_iter().map(RealProject::at).collect();
        assert!(
            projects.len() >= 25,
            "expected at least 25 real projects, found {}",
            projects.len()
        );
        projects
    }

    fn at(dir: PathBuf) -> RealProject {
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let folder = dir.join("schema");
        let (schema, mut paths) = if folder.is_dir() {
            let paths = walk(&folder);
            (folder.clone(), paths)
        } else {
            (dir.join("schema.prisma"), vec![dir.join("schema.prisma")])
        };
        paths.sort();
        let base = if folder.is_dir() { folder } else { dir.clone() };
        let files = paths
            .iter()
            .map(|path| {
                let name = path
                    .strip_prefix(&base)
                    .expect("inside the schema folder")
                    .to_string_lossy()
                    .into_owned();
                (name, std::fs::read_to_string(path).expect("schema file"))
            })
            .collect();
        RealProject {
            name,
            dir,
            schema,
            files,
        }
    }

    fn psl_files(&self) -> Files {
        let mut files = Files::new();
        for (name, text) in &self.files {
            files.add(name.clone(), text.clone());
        }
        files
    }

    fn expected(&self, file: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.join(file)).ok()
    }

    fn oracle(&self, file: &str) -> Option<Value> {
        self.expected(file)
            .map(|text| serde_json::from_str(&text).expect("oracle JSON"))
    }

    /// The provider of a PostgreSQL or SQLite project.
    fn sql_provider(&self) -> Option<&'static str> {
        let (datamodel, _) = parse_and_validate(&self.psl_files());
        match datamodel.provider() {
            Some(Provider::PostgreSql) => Some("postgresql"),
            Some(Provider::Sqlite) => Some("sqlite"),
            _ => None,
        }
    }
}

/// Every `.prisma` file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("schema folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "prisma") {
            out.push(path);
        }
    }
    out
}

fn messages(verdict: &Value, key: &str) -> Vec<String> {
    verdict[key]
        .as_array()
        .expect("message list")
        .iter()
        .map(|m| m["message"].as_str().expect("message text").to_owned())
        .collect()
}

/// Runs `stage` on each project; prints and returns the failures.
fn each(
    stage: &str,
    projects: &[RealProject],
    mut check: impl FnMut(&RealProject) -> Option<Result<(), String>>,
) -> Vec<String> {
    let mut passed = 0;
    let mut checked = 0;
    let mut failures = Vec::new();
    for project in projects {
        match check(project) {
            None => {}
            Some(Ok(())) => {
                checked += 1;
                passed += 1;
            }
            Some(Err(why)) => {
                checked += 1;
                failures.push(format!("== {}: {why}", project.name));
            }
        }
    }
    println!("{stage}: {passed} of {checked} projects pass");
    failures
}

/// drydock's verdict as a command sees it: validation, then lowering with the dialect.
fn drydock_verdict(project: &RealProject) -> (Vec<String>, Vec<String>) {
    let (datamodel, diagnostics) = parse_and_validate(&project.psl_files());
    let mut errors: Vec<String> = diagnostics.errors().map(|d| d.message.clone()).collect();
    let warnings = diagnostics.warnings().map(|d| d.message.clone()).collect();
    if errors.is_empty()
        && let Some(dialect) = project
            .sql_provider()
            .and_then(drydock_engine::dialects::for_provider)
    {
        let (_, lowering) = lower(&datamodel, dialect.lowering_rules());
        errors.extend(lowering.errors().map(|d| d.message.clone()));
    }
    (errors, warnings)
}

fn validation(project: &RealProject) -> Result<(), String> {
    let prisma = project
        .oracle("expected.validate.json")
        .ok_or("no expected.validate.json")?;
    let (errors, warnings) = drydock_verdict(project);
    let prisma_errors = messages(&prisma, "errors");
    let prisma_warnings = messages(&prisma, "warnings");
    if prisma["ok"].as_bool() == Some(true) {
        if !errors.is_empty() {
            return Err(format!("Prisma accepts it, drydock reports {errors:#?}"));
        }
        if warnings != prisma_warnings {
            return Err(format!(
                "warnings differ:\n  Prisma:  {prisma_warnings:?}\n  drydock: {warnings:?}"
            ));
        }
        return Ok(());
    }
    let accepted_by_5 = project
        .oracle("expected.validate-5.json")
        .is_some_and(|v| v["ok"].as_bool() == Some(true));
    if accepted_by_5 {
        if !errors.is_empty() {
            return Err(format!(
                "Prisma 5.22 accepts it, drydock reports {errors:#?}"
            ));
        }
        // Prisma prefixes some rule texts with "Error validating: "; the warning carries the rule.
        let unwarned: Vec<&String> = prisma_errors
            .iter()
            .filter(|e| {
                let rule = e.strip_prefix("Error validating: ").unwrap_or(e);
                !warnings.iter().any(|w| w.contains(rule))
            })
            .collect();
        if !unwarned.is_empty() {
            return Err(format!(
                "only Prisma 5.22 accepts it: drydock should warn with the newer rules {unwarned:?}; its warnings: {warnings:?}"
            ));
        }
        return Ok(());
    }
    if errors != prisma_errors {
        return Err(format!(
            "errors differ:\n  Prisma:  {prisma_errors:#?}\n  drydock: {errors:#?}"
        ));
    }
    Ok(())
}

#[test]
fn real_schemas_validate_as_prisma_validates_them() {
    let projects = RealProject::all();
    let failures = each("validation parity", &projects, |p| Some(validation(p)));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn generated_sql(project: &RealProject) -> Result<String, String> {
    let source = drydock_engine::DiffSource::Schema(project.schema.clone());
    let (dialect, diff) = drydock_engine::diff_sources(
        &drydock_engine::DiffSource::Empty,
        &source,
        &SourceContext::default(),
    )
    .map_err(|e| e.to_string())?;
    Ok(if diff.is_empty() {
        format!("{}\n", drydock_connector::EMPTY_MIGRATION)
    } else {
        drydock_connector::render_script(dialect, &diff.changes, &[])
    })
}

#[test]
fn real_schemas_generate_prismas_sql_byte_for_byte() {
    let projects = RealProject::all();
    let failures = each("SQL parity", &projects, |project| {
        let provider = project.sql_provider()?;
        let expected = project.expected(&format!("expected.{provider}.sql"))?;
        Some(match generated_sql(project) {
            Ok(actual) if actual == expected => Ok(()),
            Ok(actual) => Err(format!(
                "differs\n{}",
                similar::TextDiff::from_lines(&expected, &actual)
                    .unified_diff()
                    .context_radius(1)
                    .header("Prisma", "drydock")
            )),
            Err(error) => Err(format!("error: {error}")),
        })
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A project folder as a user has it: the schema files unchanged under `prisma/`, and a Prisma
/// config file that points the datasource at the test databases (the schemas read their URLs
/// from variables this test does not set).
fn user_project(project: &RealProject, root: &Path, url: &str, shadow: Option<&str>) -> Project {
    let prisma = root.join("prisma");
    let schema = if project.schema.is_dir() {
        let folder = prisma.join("schema");
        for (name, text) in &project.files {
            let path = folder.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("schema folder");
            std::fs::write(path, text).expect("schema file");
        }
        folder
    } else {
        std::fs::create_dir_all(&prisma).expect("prisma folder");
        let path = prisma.join("schema.prisma");
        std::fs::write(&path, &project.files[0].1).expect("schema file");
        path
    };
    let shadow = shadow
        .map(|url| format!("    shadowDatabaseUrl: \"{url}\",\n"))
        .unwrap_or_default();
    let config = root.join("prisma.config.ts");
    std::fs::write(
        &config,
        format!(
            "import {{ defineConfig }} from \"prisma/config\";\n\nexport default defineConfig({{\n  datasource: {{\n    url: \"{url}\",\n{shadow}  }},\n}});\n"
        ),
    )
    .expect("config file");
    Project::discover(Discovery {
        schema: Some(&schema),
        config: Some(&config),
    })
    .unwrap_or_else(|e| panic!("{}: the project loads: {e}", project.name))
}

/// What `db pull` into the original schema changed, as unified diffs per file.
fn repull_edits(project: &RealProject, dialect: &'static dyn Dialect, loaded: &Project) -> String {
    let mut connection = dialect
        .connect(&loaded.migration_url(None).expect("url"))
        .expect("connect");
    let schema = connection
        .introspect(&loaded.namespaces())
        .expect("introspect");
    // The header `db pull` reads: the datasource block of the file that holds it (its name is
    // the prefix of native type attributes).
    let provider = Provider::parse(project.sql_provider().expect("provider")).expect("provider");
    let header = project
        .files
        .iter()
        .find_map(|(_, text)| DatasourceHeader::from_schema(text, true))
        .unwrap_or_else(|| DatasourceHeader::new(provider));
    let result = repull(
        &schema,
        &project.psl_files(),
        &header,
        "introspected.prisma",
        dialect.lowering_rules(),
    );
    // `db pull` writes the schema formatted, as Prisma's does: what formatting alone changes
    // is not a change.
    let before: BTreeMap<&str, String> = project
        .files
        .iter()
        .map(|(n, t)| (n.as_str(), drydock_psl::format(t)))
        .collect();
    let mut out = String::new();
    for file in &result.files {
        let old = before.get(file.name.as_str()).map_or("", String::as_str);
        if old != file.text {
            out.push_str(
                &similar::TextDiff::from_lines(old, file.text.as_str())
                    .unified_diff()
                    .context_radius(0)
                    .header(&format!("a/{}", file.name), &format!("b/{}", file.name))
                    .to_string(),
            );
        }
    }
    for warning in result.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    out
}

/// `migrate dev` twice and `db pull` on a fresh database; `Ok(Some(Err(..)))` when migrate dev
/// passed and the pull did not, `Ok(None)` when migrate dev failed as
/// `expected.migrate-dev-error` says it must (under `#` lines that explain why).
fn on_real_database(
    project: &RealProject,
    provider: &str,
) -> Result<Option<Result<(), String>>, String> {
    let db = match provider {
        "postgresql" => TestDb::postgres(),
        _ => TestDb::sqlite(),
    };
    let declares_shadow = project
        .files
        .iter()
        .any(|(_, text)| text.contains("shadowDatabaseUrl"));
    let shadow = (declares_shadow && provider == "postgresql").then(TestDb::postgres);
    let root = tempfile::tempdir().expect("temp dir");
    let loaded = user_project(
        project,
        root.path(),
        db.url(),
        shadow.as_ref().map(TestDb::url),
    );
    let cache = Some(Some(root.path().join("cache")));
    let options = DevOptions {
        name: Some("init".to_owned()),
        replay_cache: cache.clone(),
        ..DevOptions::default()
    };
    let first = migrate_dev(&loaded, &options, &mut |_| false, &mut |_| {});
    if let Some(expected) = project.expected("expected.migrate-dev-error") {
        let expected = expected
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>();
        return match first {
            Err(e) if expected.iter().all(|line| e.to_string().contains(line)) => Ok(None),
            Err(e) => Err(format!("migrate dev failed otherwise than expected: {e}")),
            Ok(_) => Err("migrate dev passed: expected.migrate-dev-error is stale".to_owned()),
        };
    }
    let first = first.map_err(|e| format!("first migrate dev: {e}"))?;
    let folder = first
        .created
        .ok_or("the first migrate dev created nothing")?;
    if !first.applied_new {
        return Err("the init migration was not applied".to_owned());
    }
    if let Some(why) = first.down_not_written {
        return Err(format!("no down.sql: {why}"));
    }
    if !folder.join("down.sql").exists() {
        return Err("no down.sql file".to_owned());
    }
    let again = DevOptions {
        replay_cache: cache.clone(),
        ..DevOptions::default()
    };
    let second = migrate_dev(&loaded, &again, &mut |_| false, &mut |_| {})
        .map_err(|e| format!("second migrate dev: {e}"))?;
    if let Some(created) = second.created {
        let sql = std::fs::read_to_string(created.join("migration.sql")).unwrap_or_default();
        return Err(format!("the second migrate dev wrote a migration:\n{sql}"));
    }
    let drift = drydock_engine::drift(&loaded, None, &cache).map_err(|e| format!("drift: {e}"))?;
    if !drift.differences.is_empty() {
        return Err(format!("drift after migrate dev: {:#?}", drift.differences));
    }

    let edits = repull_edits(project, loaded.dialect, &loaded);
    let expected: String = project
        .expected("expected.repull.diff")
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    Ok(Some(if edits == expected {
        Ok(())
    } else {
        Err(format!(
            "db pull changed the schema other than expected.repull.diff says:\n{edits}"
        ))
    }))
}

#[test]
fn real_schemas_migrate_and_pull_on_real_databases() {
    let projects = RealProject::all();
    let mut pulls = BTreeMap::new();
    let mut failures = each("real migrate dev", &projects, |project| {
        let provider = project.sql_provider()?;
        // Schemas that Prisma rejects outright are not migrated.
        let accepted = ["expected.validate.json", "expected.validate-5.json"]
            .iter()
            .any(|f| {
                project
                    .oracle(f)
                    .is_some_and(|v| v["ok"].as_bool() == Some(true))
            });
        if !accepted {
            return None;
        }
        Some(on_real_database(project, provider).map(|pull| {
            if let Some(pull) = pull {
                pulls.insert(project.name.clone(), pull);
            }
        }))
    });
    failures.extend(each("repull", &projects, |project| {
        pulls.remove(&project.name)
    }));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
