//! `migrate dev --zero-downtime` on real databases: the phases keep existing rows, the sync
//! trigger of a renamed column copies writes made through either name while old and new
//! application versions run side by side, every phase's down migration works on data, and
//! after the last phase the database is what the schema says.

use std::path::{Path, PathBuf};

use drydock_connector::{Connection, PhaseKind};
use drydock_engine::migrate::{CONTRACT_MARKER, DownTarget};
use drydock_engine::{
    DevOptions, DevOutcome, DiffSource, Project, SourceContext, db_execute, diff_sources,
    migrate_dev,
};
use drydock_test_support::TestDb;

fn write_project(dir: &Path, provider: &str, url: &str, models: &str) -> Project {
    std::fs::create_dir_all(dir.join("prisma")).expect("dir");
    std::fs::write(
        schema_path(dir),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n\n{models}"
        ),
    )
    .expect("schema");
    Project::load(Some(&schema_path(dir))).expect("project")
}

fn schema_path(dir: &Path) -> PathBuf {
    dir.join("prisma/schema.prisma")
}

fn dev(
    project: &Project,
    dir: &Path,
    name: &str,
    zero_downtime: bool,
    create_only: bool,
) -> DevOutcome {
    let options = DevOptions {
        name: Some(name.to_owned()),
        replay_cache: Some(Some(dir.join("cache"))),
        zero_downtime,
        create_only,
        accept_data_loss: true,
        ..DevOptions::default()
    };
    migrate_dev(project, &options, &mut |_| true, &mut |_| {}).expect("migrate dev")
}

/// `migrate dev --zero-downtime` to `project`'s schema: the phases written with their down
/// migrations, and applied.
fn dev_phased(project: &Project, dir: &Path) -> DevOutcome {
    let outcome = dev(project, dir, "", true, false);
    assert!(outcome.applied_new);
    assert!(
        outcome.down_not_written.is_none(),
        "{:?}",
        outcome.down_not_written
    );
    outcome
}

fn read(folder: &Path, file: &str) -> String {
    std::fs::read_to_string(folder.join(file)).expect("migration file")
}

fn phase(outcome: &DevOutcome, kind: PhaseKind) -> &Path {
    outcome
        .phases
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, folder)| folder.as_path())
        .unwrap_or_else(|| panic!("no {} phase in {:?}", kind.name(), outcome.phases))
}

/// Fails unless `query` (a `SELECT count(*) …`) counts `expected` rows.
fn assert_count(project: &Project, url: &str, query: &str, expected: usize) {
    let script = format!(
        "CREATE TEMP TABLE \"rows_check\" (\"n\" INTEGER CHECK (\"n\" = {expected}));\n\
         INSERT INTO \"rows_check\" {query};\nDROP TABLE \"rows_check\";"
    );
    if let Err(error) = db_execute(project.dialect, url, &script) {
        panic!("`{query}` should count {expected} rows: {error}");
    }
}

/// Run a phase's migration the way deploy does, one statement at a time (the backfill runner
/// and concurrent index builds need that).
fn apply(project: &Project, connection: &mut dyn Connection, folder: &Path) {
    let script = read(folder, "migration.sql");
    for range in project.dialect.split_statements(&script) {
        let statement = &script[range];
        if let Err(error) = connection.execute_script(statement) {
            panic!(
                "{}: `{statement}` fails: {}",
                folder.display(),
                error.message
            );
        }
    }
}

/// Neither the migrations folder nor the database differs from the schema.
fn assert_in_sync(project: &Project, dir: &Path, url: &str) {
    let context = SourceContext {
        shadow_database_url: Some(url.to_owned()),
        ..SourceContext::default()
    };
    let schema = DiffSource::Schema(schema_path(dir));
    for source in [
        DiffSource::Migrations(project.migrations_dir.clone()),
        DiffSource::Url(url.to_owned()),
    ] {
        let (_, diff) = diff_sources(&source, &schema, &context).expect("diff");
        assert!(
            diff.is_empty(),
            "{source:?} differs from the schema: {:?}",
            diff.changes
        );
    }
}

const USERS: &str = "model User {\n  id    Int    @id\n  name  String\n  email String @unique\n}\n";

#[test]
fn a_renamed_column_is_written_through_both_names_until_contract() {
    let db = TestDb::postgres();
    let url = db.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let init = write_project(dir, "postgresql", url, USERS);
    dev(&init, dir, "init", false, false);
    db_execute(
        init.dialect,
        url,
        "INSERT INTO \"User\" (\"id\", \"name\", \"email\") VALUES (1, 'Ada', 'ada@example.com'), (2, 'Alan', 'alan@example.com')",
    )
    .expect("rows");

    let renamed = write_project(
        dir,
        "postgresql",
        url,
        "model User {\n  id       Int    @id\n  // drydock:renamed-from name\n  fullName String\n  email    String @unique\n\n  @@index([fullName])\n}\n",
    );
    let outcome = dev(&renamed, dir, "full name", true, true);
    let kinds: Vec<PhaseKind> = outcome.phases.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        [
            PhaseKind::Expand,
            PhaseKind::Backfill,
            PhaseKind::Validate,
            PhaseKind::Contract
        ]
    );
    assert!(outcome.created.is_none() && !outcome.applied_new);
    assert!(
        outcome.down_not_written.is_none(),
        "{:?}",
        outcome.down_not_written
    );
    let names: Vec<String> = outcome
        .phases
        .iter()
        .map(|(_, folder)| {
            folder
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for (name, kind) in names.iter().zip(&kinds) {
        assert!(
            name.ends_with(&format!("_full_name_{}", kind.name())),
            "{name}"
        );
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, names, "the folders sort in phase order");
    for (_, folder) in &outcome.phases {
        assert!(folder.join("down.sql").exists(), "{}", folder.display());
    }
    let backfill = read(phase(&outcome, PhaseKind::Backfill), "migration.sql");
    assert!(
        backfill.contains(
            "-- drydock:backfill key=\"id\" batch=10000\nUPDATE \"User\" SET \"fullName\" = \"name\" WHERE \"fullName\" IS DISTINCT FROM \"name\";"
        ),
        "{backfill}"
    );
    let contract = read(phase(&outcome, PhaseKind::Contract), "migration.sql");
    assert!(
        contract.starts_with(&format!("{CONTRACT_MARKER}\n")),
        "{contract}"
    );

    let mut connection = renamed.dialect.connect(url).expect("connect");
    apply(
        &renamed,
        connection.as_mut(),
        phase(&outcome, PhaseKind::Expand),
    );

    // The old application version writes `name`, the new one `fullName`.
    db_execute(
        renamed.dialect,
        url,
        "INSERT INTO \"User\" (\"id\", \"name\", \"email\") VALUES (3, 'Grace', 'grace@example.com');\n\
         INSERT INTO \"User\" (\"id\", \"fullName\", \"email\") VALUES (4, 'Linus', 'linus@example.com');\n\
         UPDATE \"User\" SET \"name\" = 'Ada Lovelace' WHERE \"id\" = 1;\n\
         UPDATE \"User\" SET \"fullName\" = 'Grace Hopper' WHERE \"id\" = 3;",
    )
    .expect("writes through both names");
    for (id, name) in [(1, "Ada Lovelace"), (3, "Grace Hopper"), (4, "Linus")] {
        assert_count(
            &renamed,
            url,
            &format!(
                "SELECT count(*) FROM \"User\" WHERE \"id\" = {id} AND \"name\" = '{name}' AND \"fullName\" = '{name}'"
            ),
            1,
        );
    }
    // Not written since expand, not backfilled yet.
    assert_count(
        &renamed,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"fullName\" IS NULL",
        1,
    );

    for kind in [
        PhaseKind::Backfill,
        PhaseKind::Validate,
        PhaseKind::Contract,
    ] {
        apply(&renamed, connection.as_mut(), phase(&outcome, kind));
    }
    assert_count(&renamed, url, "SELECT count(*) FROM \"User\"", 4);
    assert_count(
        &renamed,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"fullName\" IN ('Ada Lovelace', 'Alan', 'Grace Hopper', 'Linus')",
        4,
    );
    assert_in_sync(&renamed, dir, url);
}

#[test]
fn phases_applied_by_migrate_dev_keep_rows_and_roll_back() {
    let db = TestDb::postgres();
    let url = db.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let before = "model User {\n  id       Int     @id\n  email    String\n  nickname String?\n  views    Int     @default(0)\n  legacy   String?\n\n  @@index([views])\n}\n\nmodel Post {\n  id       Int    @id\n  title    String\n}\n";
    let init = write_project(dir, "postgresql", url, before);
    dev(&init, dir, "init", false, false);
    db_execute(
        init.dialect,
        url,
        "INSERT INTO \"User\" (\"id\", \"email\", \"nickname\", \"views\", \"legacy\") VALUES (1, 'ada@example.com', 'ada', 7, 'x'), (2, 'alan@example.com', 'alan', 2147483647, NULL);\n\
         INSERT INTO \"Post\" (\"id\", \"title\") VALUES (1, 'Hello');",
    )
    .expect("rows");

    let after = write_project(
        dir,
        "postgresql",
        url,
        "model User {\n  id        Int      @id\n  email     String   @unique\n  nickname  String\n  views     BigInt   @default(0)\n  token     String   @default(dbgenerated(\"gen_random_uuid()\")) @db.Uuid\n  createdAt DateTime @default(now())\n  status    String   @default(\"active\")\n  articles  Article[]\n\n  @@index([status])\n  @@index([views])\n}\n\n// drydock:renamed-from Post\nmodel Article {\n  id       Int    @id\n  title    String\n  authorId Int?\n  author   User?  @relation(fields: [authorId], references: [id])\n}\n",
    );
    let outcome = dev_phased(&after, dir);
    assert_eq!(outcome.phases.len(), 4, "{:?}", outcome.phases);
    let expand = read(phase(&outcome, PhaseKind::Expand), "migration.sql");
    assert!(
        expand.contains("CREATE VIEW \"Post\" AS SELECT * FROM \"Article\";"),
        "{expand}"
    );
    assert!(expand.contains("NOT VALID"), "{expand}");
    let contract = read(phase(&outcome, PhaseKind::Contract), "migration.sql");
    assert!(contract.contains("DROP COLUMN \"legacy\""), "{contract}");
    assert!(
        contract.contains("You are about to drop the column `legacy`"),
        "the drop's warning comes with the drop: {contract}"
    );

    assert_count(
        &after,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"token\" IS NOT NULL",
        2,
    );
    assert_count(
        &after,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"views\" IN (7, 2147483647) AND \"nickname\" IN ('ada', 'alan')",
        2,
    );
    db_execute(
        after.dialect,
        url,
        "UPDATE \"User\" SET \"views\" = 4294967296 WHERE \"id\" = 2;\n\
         INSERT INTO \"Article\" (\"id\", \"title\", \"authorId\") VALUES (2, 'World', 1);",
    )
    .expect("the new types and names are usable");
    assert_count(&after, url, "SELECT count(*) FROM \"Article\"", 2);
    assert_in_sync(&after, dir, url);

    let again = dev(&after, dir, "", true, false);
    assert!(again.phases.is_empty() && again.created.is_none());

    // Every phase's down migration, last first, brings the previous schema back.
    db_execute(after.dialect, url, "UPDATE \"User\" SET \"views\" = 1 WHERE \"id\" = 2;\nDELETE FROM \"Article\" WHERE \"id\" = 2;")
        .expect("values the old types hold");
    let mut connection = after.dialect.connect(url).expect("connect");
    drydock_engine::migrate::down(
        after.dialect,
        connection.as_mut(),
        &after.migrations_dir,
        &DownTarget::Steps(4),
        true,
        &mut |_| {},
    )
    .expect("down");
    let previous = write_project(dir, "postgresql", url, before);
    let (_, diff) = diff_sources(
        &DiffSource::Url(url.to_owned()),
        &DiffSource::Schema(schema_path(dir)),
        &SourceContext::default(),
    )
    .expect("diff");
    assert!(diff.is_empty(), "{:?}", diff.changes);
    assert_count(
        &previous,
        url,
        "SELECT count(*) FROM \"User\" WHERE \"views\" IN (7, 1) AND \"nickname\" IN ('ada', 'alan')",
        2,
    );
    assert_count(
        &previous,
        url,
        "SELECT count(*) FROM \"Post\" WHERE \"title\" = 'Hello'",
        1,
    );
}

#[test]
fn sqlite_writes_one_ordinary_migration_and_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let init = write_project(dir, "sqlite", "file:./dev.db", USERS);
    dev(&init, dir, "init", false, false);
    let added = write_project(
        dir,
        "sqlite",
        "file:./dev.db",
        "model User {\n  id    Int     @id\n  name  String\n  email String  @unique\n  bio   String?\n}\n",
    );
    let outcome = dev(&added, dir, "bio", true, false);
    assert!(outcome.phases.is_empty());
    assert!(outcome.created.is_some() && outcome.applied_new);
    let reason = outcome.zero_downtime_unavailable.expect("a reason");
    assert!(reason.contains("sqlite"), "{reason}");
}

/// The first column of each row of `query` on the MySQL database at `url`.
fn mysql_texts(project: &Project, url: &str, query: &str) -> Vec<String> {
    let mut connection = project.dialect.connect(url).expect("connect");
    connection
        .query_texts(query)
        .expect("query")
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

#[test]
fn mysql_phases_applied_by_migrate_dev_keep_rows_and_roll_back_on_mariadb() {
    let db = TestDb::mysql();
    let url = db.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let before = "enum Role {\n  USER\n  GUEST\n}\n\nmodel User {\n  id       Int     @id\n  email    String\n  nickname String?\n  role     Role    @default(USER)\n  legacy   String?\n\n  @@index([nickname])\n}\n\nmodel Post {\n  id       Int    @id\n  title    String\n  authorId Int?\n}\n";
    let init = write_project(dir, "mysql", url, before);
    dev(&init, dir, "init", false, false);
    db_execute(
        init.dialect,
        url,
        "INSERT INTO `User` (`id`, `email`, `nickname`, `role`, `legacy`) VALUES (1, 'ada@example.com', 'ada', 'USER', 'x'), (2, 'alan@example.com', 'alan', 'USER', NULL);\n\
         INSERT INTO `Post` (`id`, `title`, `authorId`) VALUES (1, 'Hello', 1);",
    )
    .expect("rows");

    let after = write_project(
        dir,
        "mysql",
        url,
        "enum Role {\n  USER\n  ADMIN\n}\n\nmodel User {\n  id        Int       @id\n  email     String    @unique\n  nickname  String\n  role      Role      @default(USER)\n  createdAt DateTime  @default(now())\n  articles  Article[]\n}\n\n// drydock:renamed-from Post\nmodel Article {\n  id       Int    @id\n  title    String\n  authorId Int?\n  author   User?  @relation(fields: [authorId], references: [id])\n}\n",
    );
    let outcome = dev_phased(&after, dir);
    assert_eq!(outcome.phases.len(), 4, "{:?}", outcome.phases);
    let expand = read(phase(&outcome, PhaseKind::Expand), "migration.sql");
    assert!(
        expand.contains("CREATE VIEW `Post` AS SELECT * FROM `Article`;")
            && expand.contains("SET foreign_key_checks = 0;"),
        "{expand}"
    );
    let contract = read(phase(&outcome, PhaseKind::Contract), "migration.sql");
    assert!(
        contract.contains("DROP COLUMN `legacy`") && contract.contains("DROP VIEW `Post`"),
        "{contract}"
    );
    assert_eq!(
        mysql_texts(
            &after,
            url,
            "SELECT CONCAT(`id`, ' ', `nickname`, ' ', `role`, ' ', `createdAt` IS NOT NULL) FROM `User` ORDER BY `id`"
        ),
        ["1 ada USER 1", "2 alan USER 1"]
    );
    db_execute(
        after.dialect,
        url,
        "INSERT INTO `User` (`id`, `email`, `nickname`, `role`) VALUES (3, 'grace@example.com', 'grace', 'ADMIN');\n\
         INSERT INTO `Article` (`id`, `title`, `authorId`) VALUES (2, 'World', 3);",
    )
    .expect("the new values and names are usable");
    assert_in_sync(&after, dir, url);

    // Every phase's down migration, last first, brings the previous schema back.
    db_execute(
        after.dialect,
        url,
        "DELETE FROM `Article` WHERE `id` = 2;\nDELETE FROM `User` WHERE `id` = 3;",
    )
    .expect("rows the old schema holds");
    let mut connection = after.dialect.connect(url).expect("connect");
    drydock_engine::migrate::down(
        after.dialect,
        connection.as_mut(),
        &after.migrations_dir,
        &DownTarget::Steps(4),
        true,
        &mut |_| {},
    )
    .expect("down");
    let previous = write_project(dir, "mysql", url, before);
    let (_, diff) = diff_sources(
        &DiffSource::Url(url.to_owned()),
        &DiffSource::Schema(schema_path(dir)),
        &SourceContext::default(),
    )
    .expect("diff");
    assert!(diff.is_empty(), "{:?}", diff.changes);
    assert_eq!(
        mysql_texts(
            &previous,
            url,
            "SELECT CONCAT(`id`, ' ', `title`) FROM `Post` ORDER BY `id`"
        ),
        ["1 Hello"]
    );
}

/// A column made by hand with a collation, a comment and `ON UPDATE` (none of which a Prisma
/// schema states) and then renamed or retyped in phases: the column that takes its place has
/// them too, the `ON UPDATE` at the precision of its new type.
#[test]
fn mysql_a_doubled_column_keeps_what_it_was_given_by_hand() {
    let db = TestDb::mysql();
    let url = db.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let init = write_project(
        dir,
        "mysql",
        url,
        "model Note {\n  id    Int       @id\n  title String\n  seen  DateTime? @db.DateTime(3)\n}\n",
    );
    dev(&init, dir, "init", false, false);
    let hand_made = init.migrations_dir.join("99990101000000_hand_made");
    std::fs::create_dir_all(&hand_made).expect("folder");
    std::fs::write(
        hand_made.join("migration.sql"),
        "ALTER TABLE `Note` MODIFY `title` VARCHAR(191) COLLATE utf8mb4_bin NOT NULL COMMENT 'Shown in lists',\n    MODIFY `seen` DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3);\n",
    )
    .expect("migration");
    let outcome = dev(&init, dir, "", false, false);
    assert!(outcome.created.is_none(), "{:?}", outcome.created);
    db_execute(
        init.dialect,
        url,
        "INSERT INTO `Note` (`id`, `title`, `seen`) VALUES (1, 'Ada', '2026-01-01 00:00:00.125');",
    )
    .expect("rows");

    let after = write_project(
        dir,
        "mysql",
        url,
        "model Note {\n  id      Int       @id\n  heading String    // drydock:renamed-from title\n  seen    DateTime? @db.DateTime(6)\n}\n",
    );
    dev_phased(&after, dir);
    assert_eq!(
        mysql_texts(
            &after,
            url,
            "SELECT CONCAT_WS('|', COLUMN_NAME, COLLATION_NAME, EXTRA, COLUMN_COMMENT) \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = 'Note' ORDER BY ORDINAL_POSITION"
        ),
        [
            "id||",
            "heading|utf8mb4_bin||Shown in lists",
            "seen|on update current_timestamp(6)|",
        ]
    );
    assert_eq!(
        mysql_texts(
            &after,
            url,
            "SELECT CONCAT(`heading`, ' ', `seen`) FROM `Note`"
        ),
        ["Ada 2026-01-01 00:00:00.125000"]
    );
    assert_in_sync(&after, dir, url);
}
