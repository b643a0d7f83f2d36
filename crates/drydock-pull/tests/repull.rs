//! Re-introspection on real databases: the hand-written multi-file schema of `tests/repull/schema/`
//! (maps, `@updatedAt`, client-side defaults, comments, a renamed-from line, named and self
//! relations, an implicit many-to-many relation, a composite key, an enum with maps) is applied
//! to a fresh database of each provider and pulled back: every file must come back byte for
//! byte. Then `tests/repull/change.<provider>.sql` changes the database, and the pulled edits are
//! an insta snapshot (a unified diff per file); pulling once more changes nothing, and the pulled
//! schema describes the database exactly.

use std::path::{Path, PathBuf};

use drydock_connector::Dialect;
use drydock_engine::{DiffSource, SourceContext, diff_sources, schema_of};
use drydock_psl::{Files, Provider};
use drydock_pull::{DatasourceHeader, PulledFile, repull};
use drydock_test_support::TestDb;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/repull")
}

/// The fixture's schema files for `provider`, as (name, text), in name order.
fn schema_files(provider: &str) -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture().join("schema"))
        .expect("schema folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(path).expect("readable schema file");
            let text = text.replace("\"postgresql\"", &format!("\"{provider}\""));
            (name, text)
        })
        .collect()
}

fn write_files(dir: &Path, files: &[(String, String)]) {
    for entry in std::fs::read_dir(dir).expect("schema dir") {
        std::fs::remove_file(entry.expect("entry").path()).expect("remove old file");
    }
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write schema file");
    }
}

fn as_files(files: &[(String, String)]) -> Files {
    let mut out = Files::new();
    for (name, text) in files {
        out.add(name.clone(), text.clone());
    }
    out
}

fn pulled(
    dialect: &'static dyn Dialect,
    url: &str,
    files: &[(String, String)],
    provider: &str,
) -> (Vec<(String, String)>, Vec<String>) {
    let mut connection = dialect.connect(url).expect("connect");
    let schema = connection.introspect(&[]).expect("introspect");
    let header = DatasourceHeader::new(Provider::parse(provider).expect("provider"));
    let result = repull(
        &schema,
        &as_files(files),
        &header,
        "introspected.prisma",
        dialect.lowering_rules(),
    );
    let files = result
        .files
        .into_iter()
        .map(|PulledFile { name, text }| (name, text))
        .collect();
    (files, result.warnings)
}

/// What changed, file by file, as unified diffs.
fn edits(before: &[(String, String)], after: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, text) in after {
        let old = before
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, t)| t.as_str());
        if old == text {
            continue;
        }
        let diff = similar::TextDiff::from_lines(old, text.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(2)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string(),
        );
    }
    out
}

fn round_trip(provider: &str, db: &TestDb) {
    let dialect = drydock_engine::dialects::for_provider(provider).expect("known provider");
    let original = schema_files(provider);
    for (name, text) in &original {
        assert_eq!(
            &drydock_psl::format(text),
            text,
            "{name}: the fixture must be formatted"
        );
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path().join("schema");
    std::fs::create_dir(&dir).expect("schema dir");
    write_files(&dir, &original);
    let (_, diff) = diff_sources(
        &DiffSource::Empty,
        &DiffSource::Schema(dir.clone()),
        &SourceContext::default(),
    )
    .expect("diff from empty");
    let script = drydock_connector::render_script(dialect, &diff.changes, &[]);
    let mut connection = dialect.connect(db.url()).expect("connect");
    connection.execute_script(&script).expect("schema applies");

    // The database matches the schema: nothing changes, byte for byte.
    let (same, warnings) = pulled(dialect, db.url(), &original, provider);
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(
        same, original,
        "a matching database leaves the schema as it is"
    );

    // The database changes: only what changed is edited.
    let change = std::fs::read_to_string(fixture().join(format!("change.{provider}.sql")))
        .expect("change script");
    connection
        .execute_script(&change)
        .unwrap_or_else(|e| panic!("change script: {}", e.message));
    let (changed, warnings) = pulled(dialect, db.url(), &original, provider);
    let mut report = edits(&original, &changed);
    for warning in warnings {
        report.push_str(&format!("warning: {warning}\n"));
    }
    insta::assert_snapshot!(format!("changes@{provider}"), report);

    // Pulling the pulled schema again changes nothing.
    let (again, _) = pulled(dialect, db.url(), &changed, provider);
    assert_eq!(again, changed, "a second pull is a no-op");

    // The pulled schema describes the database exactly.
    write_files(&dir, &changed);
    let lowered = schema_of(
        &DiffSource::Schema(dir.clone()),
        dialect,
        &SourceContext::default(),
    )
    .expect("the pulled schema loads");
    let introspected = dialect
        .connect(db.url())
        .expect("connect")
        .introspect(&[])
        .expect("introspect");
    let remaining = drydock_diff::diff(&introspected, &lowered, dialect.diff_hooks());
    assert!(
        remaining.is_empty(),
        "database and pulled schema differ: {:#?}",
        remaining.changes
    );
}

#[test]
fn postgres_hand_written_schema_survives_a_pull() {
    round_trip("postgresql", &TestDb::postgres());
}

#[test]
fn mysql_hand_written_schema_survives_a_pull() {
    round_trip("mysql", &TestDb::mysql());
}

#[test]
fn sqlite_hand_written_schema_survives_a_pull() {
    round_trip("sqlite", &TestDb::sqlite());
}

/// What a schema may spell differently from Prisma's introspection and still match the database:
/// a named first argument, a native type that is the default
/// anyway, a referential action written with its default value.
#[test]
fn postgres_other_spellings_of_the_same_schema_are_kept() {
    let text = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel Note {\n  id       Int    @id @default(autoincrement()) @db.Integer\n  body     String @db.Text\n  ownerId  Int?\n  owner    Owner? @relation(name: \"notes\", fields: [ownerId], references: [id], onDelete: SetNull, onUpdate: Cascade)\n  parentId Int    @unique @map(\"parent_id\")\n\n  @@index(fields: [body])\n}\n\nmodel Owner {\n  id    Int    @id\n  notes Note[] @relation(\"notes\")\n}\n";
    assert_eq!(
        drydock_psl::format(text),
        text,
        "the case must be formatted"
    );
    let db = TestDb::postgres();
    let dialect = drydock_engine::dialects::for_provider("postgresql").expect("provider");
    let scratch = tempfile::tempdir().expect("temp dir");
    let path = scratch.path().join("schema.prisma");
    std::fs::write(&path, text).expect("schema");
    let (_, diff) = diff_sources(
        &DiffSource::Empty,
        &DiffSource::Schema(path),
        &SourceContext::default(),
    )
    .expect("diff from empty");
    let script = drydock_connector::render_script(dialect, &diff.changes, &[]);
    let mut connection = dialect.connect(db.url()).expect("connect");
    connection.execute_script(&script).expect("schema applies");
    let files = [("schema.prisma".to_owned(), text.to_owned())];
    let (same, warnings) = pulled(dialect, db.url(), &files, "postgresql");
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(same, files);
}

/// With `relationMode = "prisma"` the database has no foreign keys: relation fields stay as
/// written while the model they point to has its table, and go with it.
#[test]
fn sqlite_emulated_relations_stay_while_both_tables_exist() {
    let text = "datasource db {\n  provider     = \"sqlite\"\n  url          = env(\"DATABASE_URL\")\n  relationMode = \"prisma\"\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  posts Post[]\n}\n\nmodel Post {\n  id     Int  @id @default(autoincrement())\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n\n  @@index([userId])\n}\n";
    assert_eq!(
        drydock_psl::format(text),
        text,
        "the case must be formatted"
    );
    let db = TestDb::sqlite();
    let dialect = drydock_engine::dialects::for_provider("sqlite").expect("provider");
    let scratch = tempfile::tempdir().expect("temp dir");
    let path = scratch.path().join("schema.prisma");
    std::fs::write(&path, text).expect("schema");
    let (_, diff) = diff_sources(
        &DiffSource::Empty,
        &DiffSource::Schema(path),
        &SourceContext::default(),
    )
    .expect("diff from empty");
    let script = drydock_connector::render_script(dialect, &diff.changes, &[]);
    let mut connection = dialect.connect(db.url()).expect("connect");
    connection.execute_script(&script).expect("schema applies");
    let files = [("schema.prisma".to_owned(), text.to_owned())];
    let (same, _) = pulled(dialect, db.url(), &files, "sqlite");
    assert_eq!(same, files);

    connection
        .execute_script("DROP TABLE \"User\";")
        .expect("drop");
    let (changed, _) = pulled(dialect, db.url(), &files, "sqlite");
    let expected = "datasource db {\n  provider     = \"sqlite\"\n  url          = env(\"DATABASE_URL\")\n  relationMode = \"prisma\"\n}\n\nmodel Post {\n  id     Int @id @default(autoincrement())\n  userId Int\n\n  @@index([userId])\n}\n";
    assert_eq!(changed, [("schema.prisma".to_owned(), expected.to_owned())]);
}
