//! The schema corpus: each folder of `tests/corpus/` holds `schema.prisma`, optionally the
//! `before.prisma` it migrates from (else an empty database) and `prisma.sql`, the migration
//! Prisma's own engine writes for it.

use std::path::{Path, PathBuf};

use drydock_mysql::{MySqlDiffHooks, MySqlTypes, MysqlDialect};
use drydock_psl::{Files, SqlSchema};

pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) dir: PathBuf,
}

impl Case {
    /// The migration from `before.prisma` (or nothing) to `schema.prisma`.
    pub(crate) fn migration(&self) -> String {
        let before = self.schema("before.prisma").unwrap_or_default();
        let after = self
            .schema("schema.prisma")
            .expect("every case has a schema.prisma");
        migration(&before, &after)
    }

    /// The migration that creates `file` of the case in an empty database, when the case has
    /// that file (`before.prisma` is the schema a case starts from).
    pub(crate) fn creation(&self, file: &str) -> Option<String> {
        let schema = self.schema(file)?;
        Some(migration(&SqlSchema::default(), &schema))
    }

    /// What Prisma writes for the case, when the corpus has it.
    pub(crate) fn prisma_sql(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.join("prisma.sql")).ok()
    }

    /// `file` of the case, validated and lowered with the MySQL rules.
    pub(crate) fn schema(&self, file: &str) -> Option<SqlSchema> {
        let text = std::fs::read_to_string(self.dir.join(file)).ok()?;
        Some(lower(&format!("{}/{file}", self.name), &text))
    }
}

fn migration(from: &SqlSchema, to: &SqlSchema) -> String {
    let diff = drydock_diff::diff(from, to, &MySqlDiffHooks);
    drydock_connector::render_script(&MysqlDialect, &diff.changes, &diff.warnings)
}

/// A schema validated and lowered with the MySQL rules; a fixture with errors fails the test.
fn lower(name: &str, text: &str) -> SqlSchema {
    let files = Files::single(name, text);
    let (datamodel, diagnostics) = drydock_psl::parse_and_validate(&files);
    let (schema, lower_diagnostics) = drydock_psl::lower(&datamodel, &MySqlTypes);
    for d in [&diagnostics, &lower_diagnostics] {
        assert!(!d.has_errors(), "{name}: {d:?}");
    }
    schema
}

/// The case named `name`.
pub(crate) fn case(name: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.name == name)
        .expect("the corpus has the case")
}

/// Every case, by name.
pub(crate) fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut cases: Vec<Case> = std::fs::read_dir(&root)
        .expect("tests/corpus exists")
        .map(|entry| {
            let dir = entry.expect("readable corpus").path();
            let name = dir
                .file_name()
                .and_then(|n| n.to_str())
                .expect("case names are UTF-8")
                .to_owned();
            Case { name, dir }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(cases.len() >= 10, "the corpus has its cases");
    cases
}

pub(crate) mod mariadb;
