//! A generated history of 400+ migrations that exercises every kind of change the differ makes,
//! written the way `migrate dev` writes migrations, then deployed to a fresh database. After the
//! deploy, the history replayed on a shadow database must equal the final schema
//! (`migrate diff --from-migrations --to-schema` is empty), and deploying again applies nothing.
//! Each migration also gets the `down.sql` `migrate dev` writes; rolling every migration back
//! leaves an empty database, and deploying again reaches the same schema.

use std::fmt::Write as _;
use std::path::Path;

use drydock_engine::{DiffSource, SourceContext, dialects, diff_sources};
use drydock_test_support::TestDb;

const STEPS: usize = 760;

/// A small schema model that the generator mutates step by step.
#[derive(Clone)]
struct Model {
    name: String,
    fields: Vec<Field>,
    indexes: Vec<(String, Option<String>)>,
    uniques: Vec<String>,
    parent: Option<(String, &'static str)>,
    tags: bool,
}

#[derive(Clone)]
struct Field {
    name: String,
    ty: &'static str,
    optional: bool,
    default: Option<String>,
}

struct State {
    models: Vec<Model>,
    enum_values: Vec<String>,
    next: usize,
}

impl State {
    fn render(&self, provider: &str) -> String {
        let mut out = format!("datasource db {{\n  provider = \"{provider}\"\n}}\n\n");
        // SQLite has no enums: the field is a `String` there.
        if !self.enum_values.is_empty() && provider != "sqlite" {
            out.push_str("enum Level {\n");
            for value in &self.enum_values {
                let _ = writeln!(out, "  {value}");
            }
            out.push_str("}\n\n");
        }
        out.push_str("model Tag {\n  id Int @id\n");
        for m in self.models.iter().filter(|m| m.tags) {
            let _ = writeln!(out, "  {}s {}[]", m.name.to_lowercase(), m.name);
        }
        out.push_str("}\n\n");
        for m in &self.models {
            let _ = writeln!(
                out,
                "model {} {{\n  id Int @id @default(autoincrement())",
                m.name
            );
            for f in &m.fields {
                let default = f
                    .default
                    .as_ref()
                    .map(|d| format!(" @default({d})"))
                    .unwrap_or_default();
                let ty = if f.ty == "Level" && provider == "sqlite" {
                    "String"
                } else {
                    f.ty
                };
                let default = if f.ty == "Level" && provider == "sqlite" {
                    default.replace("(LOW)", "(\"LOW\")")
                } else {
                    default
                };
                let _ = writeln!(
                    out,
                    "  {} {}{}{}",
                    f.name,
                    ty,
                    if f.optional { "?" } else { "" },
                    default
                );
            }
            if let Some((parent, action)) = &m.parent {
                let _ = writeln!(
                    out,
                    "  parentId Int?\n  parent {parent}? @relation(fields: [parentId], references: [id], onDelete: {action})"
                );
            }
            for child in self
                .models
                .iter()
                .filter(|c| c.parent.as_ref().is_some_and(|(p, _)| p == &m.name))
            {
                let _ = writeln!(out, "  {}s {}[]", child.name.to_lowercase(), child.name);
            }
            if m.tags {
                out.push_str("  tags Tag[]\n");
            }
            for (field, map) in &m.indexes {
                let map = map
                    .as_ref()
                    .map(|m| format!(", map: \"{m}\""))
                    .unwrap_or_default();
                let _ = writeln!(out, "  @@index([{field}]{map})");
            }
            for field in &m.uniques {
                let _ = writeln!(out, "  @@unique([{field}])");
            }
            out.push_str("}\n\n");
        }
        out
    }

    /// One step of change; cycles through every change kind.
    fn step(&mut self, i: usize) {
        self.next += 1;
        let n = self.next;
        let count = self.models.len();
        let pick = |k: usize| (i * 7 + k) % count.max(1);
        match i % 20 {
            0 | 10 => self.models.push(Model {
                name: format!("M{n}"),
                fields: vec![Field {
                    name: "title".into(),
                    ty: "String",
                    optional: false,
                    default: None,
                }],
                indexes: Vec::new(),
                uniques: Vec::new(),
                parent: None,
                tags: false,
            }),
            1 => {
                let m = pick(0);
                self.models[m].fields.push(Field {
                    name: format!("f{n}"),
                    ty: "Int",
                    optional: true,
                    default: None,
                });
            }
            2 => {
                let m = pick(1);
                self.models[m].fields.push(Field {
                    name: format!("g{n}"),
                    ty: "String",
                    optional: false,
                    default: Some("\"x\"".into()),
                });
            }
            3 => {
                let m = pick(2);
                if let Some(f) = self.models[m]
                    .fields
                    .iter_mut()
                    .find(|f| !f.optional && f.name != "title")
                {
                    f.optional = true;
                }
            }
            4 => {
                let m = pick(3);
                if let Some(f) = self.models[m].fields.iter_mut().find(|f| f.ty == "Int") {
                    f.ty = "BigInt";
                }
            }
            5 => {
                let m = pick(4);
                let field = self.models[m].fields[0].name.clone();
                if !self.models[m].indexes.iter().any(|(f, _)| f == &field) {
                    self.models[m].indexes.push((field, None));
                }
            }
            6 => {
                let m = pick(5);
                if let Some(index) = self.models[m].indexes.first_mut() {
                    index.1 = Some(format!("renamed_{n}_idx"));
                }
            }
            7 => {
                let m = pick(6);
                self.models[m].indexes.pop();
            }
            8 => {
                if self.enum_values.is_empty() {
                    self.enum_values = vec!["LOW".into(), "HIGH".into()];
                    let m = pick(7);
                    self.models[m].fields.push(Field {
                        name: format!("level{n}"),
                        ty: "Level",
                        optional: false,
                        default: Some("LOW".into()),
                    });
                } else {
                    self.enum_values.push(format!("V{n}"));
                }
            }
            9 => {
                if self.enum_values.len() > 2 {
                    self.enum_values.pop();
                }
            }
            11 => {
                let m = pick(8);
                let parent = self.models[pick(9)].name.clone();
                if self.models[m].name != parent && self.models[m].parent.is_none() {
                    self.models[m].parent = Some((parent, "SetNull"));
                }
            }
            12 => {
                let m = pick(10);
                if let Some(parent) = &mut self.models[m].parent {
                    parent.1 = if parent.1 == "SetNull" {
                        "Cascade"
                    } else {
                        "SetNull"
                    };
                }
            }
            13 => {
                let m = pick(11);
                self.models[m].parent = None;
            }
            14 => {
                let m = pick(12);
                self.models[m].fields.push(Field {
                    name: format!("u{n}"),
                    ty: "String",
                    optional: true,
                    default: None,
                });
                self.models[m].uniques.push(format!("u{n}"));
            }
            15 => {
                let m = pick(13);
                if let Some(f) = self.models[m]
                    .fields
                    .iter_mut()
                    .find(|f| f.default.is_some() && f.ty == "String")
                {
                    f.default = Some(format!("\"d{n}\""));
                }
            }
            16 => {
                let m = pick(14);
                self.models[m].tags = !self.models[m].tags;
            }
            17 => {
                let m = pick(15);
                let removable = self.models[m]
                    .fields
                    .iter()
                    .position(|f| f.name.starts_with('f'));
                if let Some(at) = removable {
                    self.models[m].fields.remove(at);
                }
            }
            18 => {
                // Drop the newest model nobody points to.
                let referenced: Vec<String> = self
                    .models
                    .iter()
                    .filter_map(|m| m.parent.as_ref().map(|p| p.0.clone()))
                    .collect();
                if count > 3
                    && let Some(at) = self
                        .models
                        .iter()
                        .rposition(|m| !referenced.contains(&m.name))
                {
                    self.models.remove(at);
                }
            }
            _ => {
                let m = pick(16);
                self.models[m].fields.push(Field {
                    name: format!("t{n}"),
                    ty: "DateTime",
                    optional: false,
                    default: Some("now()".into()),
                });
            }
        }
    }
}

/// Write the history into `dir` and return the final schema's path.
fn write_history(provider: &str, dir: &Path) -> std::path::PathBuf {
    let dialect = dialects::for_provider(provider).expect("dialect");
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(&migrations).expect("migrations dir");
    drydock_engine::migrate::write_lock_file(&migrations, provider).expect("lock file");
    let mut state = State {
        models: Vec::new(),
        enum_values: Vec::new(),
        next: 0,
    };
    let schema_path = dir.join("schema.prisma");
    let previous_path = dir.join("previous.prisma");
    std::fs::write(
        &previous_path,
        format!("datasource db {{\n  provider = \"{provider}\"\n}}\n"),
    )
    .expect("write");
    for model in 0..3 {
        let _ = model;
        state.step(0);
    }
    let mut written = 0;
    let mut headers = std::collections::BTreeSet::new();
    for i in 0..STEPS {
        if i > 0 {
            state.step(i);
        }
        std::fs::write(&schema_path, state.render(provider)).expect("write schema");
        let (_, diff) = diff_sources(
            &DiffSource::Schema(previous_path.clone()),
            &DiffSource::Schema(schema_path.clone()),
            &SourceContext::default(),
        )
        .unwrap_or_else(|e| panic!("step {i}: {e}\n{}", state.render(provider)));
        if diff.is_empty() {
            continue;
        }
        let script = drydock_connector::render_script(dialect, &diff.changes, &diff.warnings);
        headers.extend(diff.changes.iter().map(|c| c.header()));
        let (_, reverse) = diff_sources(
            &DiffSource::Schema(schema_path.clone()),
            &DiffSource::Schema(previous_path.clone()),
            &SourceContext::default(),
        )
        .expect("reverse diff");
        let down = drydock_connector::render_script(dialect, &reverse.changes, &reverse.warnings);
        let folder = migrations.join(format!("{:014}_step_{i}", 20240101000000u64 + written));
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("migration.sql"), script).expect("migration");
        std::fs::write(folder.join("down.sql"), down).expect("down migration");
        std::fs::copy(&schema_path, &previous_path).expect("copy");
        written += 1;
    }
    assert!(
        written >= 400,
        "the generator wrote only {written} migrations"
    );
    let expected: &[&str] = match provider {
        "postgresql" => &[
            "CreateEnum",
            "AlterEnum",
            "DropForeignKey",
            "DropIndex",
            "AlterTable",
            "DropTable",
            "CreateTable",
            "CreateIndex",
            "AddForeignKey",
            "RenameIndex",
        ],
        // An enum is its column's type on MySQL: its values change with `AlterTable`.
        "mysql" => &[
            "DropForeignKey",
            "DropIndex",
            "AlterTable",
            "DropTable",
            "CreateTable",
            "CreateIndex",
            "AddForeignKey",
            "RenameIndex",
        ],
        _ => &[
            "DropIndex",
            "AlterTable",
            "DropTable",
            "CreateTable",
            "RedefineTables",
            "CreateIndex",
            "RedefineIndex",
        ],
    };
    for kind in expected {
        assert!(
            headers.contains(kind),
            "no `{kind}` step in the history; saw {headers:?}"
        );
    }
    schema_path
}

fn deploy_and_check(provider: &str, url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = write_history(provider, dir.path());
    let migrations = dir.path().join("migrations");
    let dialect = dialects::for_provider(provider).expect("dialect");
    let mut connection = dialect.connect(url).expect("connect");
    let report =
        drydock_engine::migrate::deploy(dialect, connection.as_mut(), &migrations, &mut |_| {})
            .unwrap_or_else(|e| panic!("deploy failed: {e}"));
    assert!(report.applied.len() >= 400);
    let again =
        drydock_engine::migrate::deploy(dialect, connection.as_mut(), &migrations, &mut |_| {})
            .expect("second deploy");
    assert!(
        again.applied.is_empty(),
        "second deploy applied {:?}",
        again.applied
    );

    // The live database equals the schema, and so does the replayed history.
    let context = SourceContext {
        shadow_database_url: Some(url.to_owned()),
        ..SourceContext::default()
    };
    let (_, live_vs_schema) = diff_sources(
        &DiffSource::Url(url.to_owned()),
        &DiffSource::Schema(schema.clone()),
        &context,
    )
    .expect("diff");
    assert!(
        live_vs_schema.is_empty(),
        "database differs from the schema: {:#?}",
        live_vs_schema.changes
    );
    let (_, history_vs_schema) = diff_sources(
        &DiffSource::Migrations(migrations),
        &DiffSource::Schema(schema),
        &context,
    )
    .expect("diff");
    assert!(
        history_vs_schema.is_empty(),
        "history differs from the schema: {:#?}",
        history_vs_schema.changes
    );
}

#[test]
fn postgres_deploys_a_long_history_and_ends_equal_to_the_schema() {
    let db = TestDb::postgres();
    deploy_and_check("postgresql", db.url());
}

#[test]
fn sqlite_deploys_a_long_history_and_ends_equal_to_the_schema() {
    let db = TestDb::sqlite();
    deploy_and_check("sqlite", db.url());
}

mod mysql {
    use super::*;

    #[test]
    fn deploys_a_long_history_and_ends_equal_to_the_schema() {
        let db = TestDb::mysql();
        deploy_and_check("mysql", db.url());
    }
}
