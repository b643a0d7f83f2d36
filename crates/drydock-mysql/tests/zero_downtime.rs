//! `migrate dev --zero-downtime` plans on MySQL and MariaDB: each test diffs two Prisma schemas
//! the way `migrate dev` does and snapshots the phases (with the statements each down migration
//! starts with). Every phase passes drydock's own linter without errors, judged for both the
//! oldest supported MySQL (8.0) and MariaDB (10.6) on large tables, after the migration that
//! creates the schema before.

use drydock_connector::{Dialect, Phase};
use drydock_lint::{Facts, Level, LintOptions, MigrationFile, TableName, TableSize};
use drydock_mysql::{MySqlTypes, MysqlDialect};
use drydock_psl::{Files, SqlSchema};

const DATASOURCE: &str =
    "datasource db {\n  provider = \"mysql\"\n  url      = \"mysql://root@localhost/test\"\n}\n\n";

/// `models` validated and lowered with the MySQL rules.
fn lower(models: &str) -> SqlSchema {
    let files = Files::single("schema.prisma", format!("{DATASOURCE}{models}"));
    let (datamodel, diagnostics) = drydock_psl::parse_and_validate(&files);
    let (schema, lower_diagnostics) = drydock_psl::lower(&datamodel, &MySqlTypes);
    for d in [&diagnostics, &lower_diagnostics] {
        assert!(!d.has_errors(), "{d:?}");
    }
    schema
}

fn migration(from: &SqlSchema, to: &SqlSchema) -> (Vec<drydock_diff::Change>, String) {
    let diff = drydock_diff::diff(from, to, MysqlDialect.diff_hooks());
    let script = drydock_connector::render_script(&MysqlDialect, &diff.changes, &diff.warnings);
    (diff.changes, script)
}

/// Every table is large and the server unknown: the linter's verdicts are its strictest.
struct LargeTables;

impl Facts for LargeTables {
    fn server_major_version(&mut self) -> Option<u32> {
        None
    }

    fn table_size(&mut self, _table: &TableName) -> Option<TableSize> {
        Some(TableSize {
            rows: 10_000_000,
            bytes: 10_000_000_000,
        })
    }
}

/// The phases from `before` to `after`, each linted after the migration creating `before`.
fn phases(before: &str, after: &str) -> Vec<Phase> {
    let before = lower(before);
    let after = lower(after);
    let (_, creation) = migration(&SqlSchema::default(), &before);
    let (changes, _) = migration(&before, &after);
    let phases = MysqlDialect
        .plan_zero_downtime(&changes, &after)
        .expect("MySQL has a phased plan");
    let mut files = vec![MigrationFile {
        path: "20240101000000_init/migration.sql".to_owned(),
        text: creation,
        migration_name: Some("init".to_owned()),
    }];
    for (n, phase) in phases.iter().enumerate() {
        files.push(MigrationFile {
            path: format!("2024010100000{}_{}/migration.sql", n + 1, phase.kind.name()),
            text: phase.sql.clone(),
            migration_name: Some(phase.kind.name().to_owned()),
        });
    }
    let options = LintOptions {
        dialect: &MysqlDialect,
        max_rows: drydock_lint::DEFAULT_MAX_ROWS,
        deployed_by_drydock: true,
    };
    let report = drydock_lint::lint(files, &options, &mut LargeTables);
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|finding| finding.level == Level::Error)
        .map(|finding| format!("{finding:?}"))
        .collect();
    assert!(errors.is_empty(), "lint errors: {errors:#?}");
    phases
}

/// The phases as one text: a line per phase, its script, then its undo statements.
fn plan(before: &str, after: &str) -> String {
    let mut out = String::new();
    for phase in phases(before, after) {
        out.push_str(&format!("==> {}\n{}", phase.kind.name(), phase.sql));
        if !phase.undo.is_empty() {
            out.push_str(&format!("--> undo\n{}", phase.undo));
        }
    }
    out
}

const USER: &str = "model User {\n  id    Int    @id\n  email String\n}\n";

#[test]
fn required_column_with_a_constant_default_and_an_index() {
    insta::assert_snapshot!(
        "required_column_with_a_constant_default_and_an_index",
        plan(
            USER,
            "model User {\n  id     Int    @id\n  email  String\n  status String @default(\"active\")\n\n  @@index([status])\n}\n",
        )
    );
}

#[test]
fn required_columns_with_defaults_evaluated_per_row() {
    insta::assert_snapshot!(
        "required_columns_with_defaults_evaluated_per_row",
        plan(
            USER,
            "model User {\n  id        Int      @id\n  email     String\n  createdAt DateTime @default(now())\n  token     String   @default(dbgenerated(\"(uuid())\")) @db.Char(36)\n}\n",
        )
    );
}

#[test]
fn required_column_without_a_default() {
    insta::assert_snapshot!(
        "required_column_without_a_default",
        plan(
            USER,
            "model User {\n  id    Int    @id\n  email String\n  name  String\n}\n",
        )
    );
}

#[test]
fn renamed_column_with_an_index() {
    insta::assert_snapshot!(
        "renamed_column_with_an_index",
        plan(
            "model User {\n  id    Int    @id\n  email String\n  name  String\n\n  @@index([name])\n}\n",
            "model User {\n  id       Int    @id\n  email    String\n  // drydock:renamed-from name\n  fullName String\n\n  @@index([fullName])\n}\n",
        )
    );
}

#[test]
fn retyped_column_with_a_unique_index() {
    insta::assert_snapshot!(
        "retyped_column_with_a_unique_index",
        plan(
            "model User {\n  id    Int    @id\n  email String\n  views Int    @unique @default(0)\n}\n",
            "model User {\n  id    Int    @id\n  email String\n  views BigInt @unique @default(0)\n}\n",
        )
    );
}

#[test]
fn longer_varchar_in_place_and_key_column_retyped_as_in_a_single_migration() {
    insta::assert_snapshot!(
        "longer_varchar_and_key_column",
        plan(
            "model User {\n  id    Int    @id\n  email String @db.VarChar(100)\n}\n",
            "model User {\n  id    BigInt @id\n  email String @db.VarChar(191)\n}\n",
        )
    );
}

#[test]
fn renamed_table() {
    insta::assert_snapshot!(
        "renamed_table",
        plan(
            "model Post {\n  id    Int    @id\n  title String\n\n  @@index([title])\n}\n",
            "// drydock:renamed-from Post\nmodel Article {\n  id    Int    @id\n  title String\n\n  @@index([title])\n}\n",
        )
    );
}

#[test]
fn foreign_key_on_an_existing_table() {
    insta::assert_snapshot!(
        "foreign_key_on_an_existing_table",
        plan(
            "model User {\n  id Int @id\n}\n\nmodel Post {\n  id       Int  @id\n  authorId Int?\n}\n",
            "model User {\n  id    Int    @id\n  posts Post[]\n}\n\nmodel Post {\n  id       Int   @id\n  authorId Int?\n  author   User? @relation(fields: [authorId], references: [id])\n}\n",
        )
    );
}

#[test]
fn indexes_added_and_dropped() {
    insta::assert_snapshot!(
        "indexes_added_and_dropped",
        plan(
            "model User {\n  id    Int    @id\n  email String\n  name  String\n\n  @@index([name])\n}\n",
            "model User {\n  id    Int    @id\n  email String @unique\n  name  String\n}\n",
        )
    );
}

#[test]
fn dropped_column_and_table() {
    insta::assert_snapshot!(
        "dropped_column_and_table",
        plan(
            "model User {\n  id     Int     @id\n  email  String\n  legacy String?\n}\n\nmodel Old {\n  id Int @id\n}\n",
            USER,
        )
    );
}

#[test]
fn enum_values_added_and_removed() {
    insta::assert_snapshot!(
        "enum_values_added_and_removed",
        plan(
            "enum Role {\n  A\n  B\n}\n\nenum Kind {\n  X\n  Y\n}\n\nmodel User {\n  id   Int  @id\n  role Role\n  kind Kind\n}\n",
            "enum Role {\n  A\n  B\n  C\n}\n\nenum Kind {\n  X\n  Z\n}\n\nmodel User {\n  id   Int  @id\n  role Role\n  kind Kind\n}\n",
        )
    );
}

#[test]
fn optional_column_made_required() {
    insta::assert_snapshot!(
        "optional_column_made_required",
        plan(
            "model User {\n  id    Int     @id\n  email String\n  name  String?\n}\n",
            "model User {\n  id    Int    @id\n  email String\n  name  String\n}\n",
        )
    );
}
