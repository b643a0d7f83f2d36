//! `migrate dev` on a long history (450 migrations) whose first migration made an expression and
//! partial unique index by hand, as production histories often do. The schema language cannot
//! express that index, so the differ keeps it; every change made on top must still get a
//! `down.sql` that the shadow database verified (up, down, up), including changes that rename or
//! drop a column the index reads. And a database made by hand (identity, generated and
//! collated columns, a unique constraint, a partitioned and an inherited table), adopted with a
//! baseline, gets migrations that leave those objects alone and verified down migrations (on
//! MariaDB: generated and collated columns, a unique constraint and a partitioned table).

use std::fmt::Write as _;
use std::path::Path;

use drydock_engine::{DevOptions, Project, baseline, migrate_dev};
use drydock_test_support::TestDb;

const MIGRATIONS: usize = 450;

const HAND_MADE_INDEX: &str = "CREATE UNIQUE INDEX \"users_username_org_null_key\" ON \"users\"(\"username\", (\"organizationId\" IS NULL)) WHERE \"organizationId\" IS NULL;\n";

/// The history as raw SQL folders, and the models it ends with (without `users`).
fn write_history(migrations: &Path) -> String {
    std::fs::create_dir_all(migrations).expect("migrations dir");
    drydock_engine::migrate::write_lock_file(migrations, "postgresql").expect("lock file");
    let mut models = String::new();
    let mut items: Vec<(usize, bool)> = Vec::new();
    for i in 0..MIGRATIONS {
        let sql = if i == 0 {
            format!(
                "-- CreateTable\nCREATE TABLE \"users\" (\n    \"id\" SERIAL NOT NULL,\n    \"username\" TEXT NOT NULL,\n    \"organizationId\" INTEGER,\n\n    CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\")\n);\n\n{HAND_MADE_INDEX}"
            )
        } else if i % 2 == 1 {
            items.push((i, false));
            format!(
                "-- CreateTable\nCREATE TABLE \"Item{i}\" (\n    \"id\" SERIAL NOT NULL,\n    \"name\" TEXT NOT NULL,\n\n    CONSTRAINT \"Item{i}_pkey\" PRIMARY KEY (\"id\")\n);\n"
            )
        } else {
            let (item, indexed) = items.last_mut().expect("an item table");
            *indexed = true;
            format!(
                "-- CreateIndex\nCREATE INDEX \"Item{item}_name_idx\" ON \"Item{item}\"(\"name\");\n"
            )
        };
        let folder = migrations.join(format!("{:014}_step_{i}", 20200101000000u64 + i as u64));
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration");
    }
    for (i, indexed) in items {
        let index = if indexed { "\n  @@index([name])" } else { "" };
        let _ = writeln!(
            models,
            "model Item{i} {{\n  id   Int    @id @default(autoincrement())\n  name String{index}\n}}\n"
        );
    }
    models
}

fn write_schema(dir: &Path, url: &str, users: &str, models: &str) -> Project {
    let path = dir.join("prisma/schema.prisma");
    std::fs::write(
        &path,
        format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url      = \"{url}\"\n}}\n\nmodel users {{\n  id             Int     @id @default(autoincrement())\n{users}}}\n\n{models}"
        ),
    )
    .expect("schema");
    Project::load(Some(&path)).expect("project")
}

#[test]
fn every_change_on_a_long_history_with_a_hand_made_index_gets_a_verified_down_migration() {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    let models = write_history(&dir.path().join("prisma/migrations"));
    let changes = [
        // The reported case: one nullable field.
        (
            "add_users_bio",
            "  username       String\n  organizationId Int?\n  bio            String?\n",
        ),
        (
            "add_users_score",
            "  username       String\n  organizationId Int?\n  bio            String?\n  score          Int     @default(0)\n",
        ),
        (
            "index_users_bio",
            "  username       String\n  organizationId Int?\n  bio            String?\n  score          Int     @default(0)\n\n  @@index([bio])\n",
        ),
        // A column the hand-made index reads, renamed: the index follows it.
        (
            "rename_users_username",
            "  // drydock:renamed-from username\n  handle         String\n  organizationId Int?\n  bio            String?\n  score          Int     @default(0)\n\n  @@index([bio])\n",
        ),
        (
            "change_users_score_type",
            "  handle         String\n  organizationId Int?\n  bio            String?\n  score          BigInt  @default(0)\n\n  @@index([bio])\n",
        ),
        // Dropping a column the index reads drops the index; undoing it brings both back.
        (
            "drop_users_organization",
            "  handle         String\n  bio            String?\n  score          BigInt  @default(0)\n\n  @@index([bio])\n",
        ),
    ];
    for (name, users) in changes {
        let project = write_schema(dir.path(), db.url(), users, &models);
        let options = DevOptions {
            name: Some(name.to_owned()),
            accept_data_loss: true,
            replay_cache: Some(Some(dir.path().join("cache"))),
            ..DevOptions::default()
        };
        let outcome = migrate_dev(&project, &options, &mut |_| true, &mut |_| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let folder = outcome
            .created
            .unwrap_or_else(|| panic!("{name}: no migration written"));
        assert_eq!(outcome.down_not_written, None, "{name}");
        assert!(folder.join("down.sql").exists(), "{name}: no down.sql");
    }
}

const HAND_MADE_DATABASE: &str = r#"
CREATE TABLE account (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email TEXT NOT NULL CONSTRAINT account_email_key UNIQUE, name TEXT COLLATE "C", price INTEGER, total INTEGER GENERATED ALWAYS AS (price * 2) STORED);
CREATE UNIQUE INDEX account_name_partial ON account (name) WHERE price > 0;
CREATE TABLE event (id INTEGER NOT NULL, at DATE NOT NULL, account_id INTEGER REFERENCES account(id), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX event_at_idx ON event (at);
CREATE TABLE vehicle (id INTEGER PRIMARY KEY, wheels INTEGER);
CREATE TABLE truck (payload INTEGER) INHERITS (vehicle);
"#;

/// The models `db pull` writes for `HAND_MADE_DATABASE`, with `added` fields on `account` and
/// `vehicle`.
fn pulled_models(added: &str) -> String {
    format!(
        "model account {{\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  name  String?\n  price Int?\n  total Int?\n{added}  event event[]\n}}\n\n\
         model event {{\n  id         Int\n  at         DateTime @db.Date\n  account_id Int?\n  account    account? @relation(fields: [account_id], references: [id], onDelete: NoAction, onUpdate: NoAction)\n\n  @@id([id, at])\n  @@index([at])\n}}\n\n\
         model truck {{\n  id      Int\n  wheels  Int?\n  payload Int?\n\n  @@ignore\n}}\n\n\
         model vehicle {{\n  id     Int  @id\n  wheels Int?\n{added}}}\n"
    )
}

#[test]
fn a_hand_made_database_adopted_with_a_baseline_gets_plain_migrations_and_verified_downs() {
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute(HAND_MADE_DATABASE)
        .expect("hand-made database");
    let (up, down) = adopted_with_a_baseline(
        &db,
        "postgresql",
        &pulled_models(""),
        &pulled_models("  note String?\n"),
    );
    assert_eq!(
        up,
        "-- AlterTable\nALTER TABLE \"account\" ADD COLUMN     \"note\" TEXT;\n\n-- AlterTable\nALTER TABLE \"vehicle\" ADD COLUMN     \"note\" TEXT;\n"
    );
    assert!(down.contains("ALTER TABLE \"account\" DROP COLUMN \"note\";"));
}

/// The hand-made database of `db`, adopted with a baseline of `models` (what `db pull` writes),
/// then changed to `changed` by `migrate dev`, whose down migration must pass its check: that
/// migration's `migration.sql` and `down.sql`.
fn adopted_with_a_baseline(
    db: &TestDb,
    provider: &str,
    models: &str,
    changed: &str,
) -> (String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("prisma")).expect("prisma dir");
    let path = dir.path().join("prisma/schema.prisma");
    let header = format!(
        "datasource db {{\n  provider = \"{provider}\"\n  url      = \"{}\"\n}}\n\n",
        db.url()
    );
    std::fs::write(&path, format!("{header}{models}")).expect("schema");
    let project = Project::load(Some(&path)).expect("project");
    baseline(&project, None, "baseline").expect("baseline");

    std::fs::write(&path, format!("{header}{changed}")).expect("schema");
    let project = Project::load(Some(&path)).expect("project");
    let options = DevOptions {
        name: Some("change".to_owned()),
        replay_cache: Some(Some(dir.path().join("cache"))),
        ..DevOptions::default()
    };
    let outcome =
        migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev");
    assert_eq!(outcome.down_not_written, None);
    let folder = outcome.created.expect("a migration");
    let read = |file: &str| std::fs::read_to_string(folder.join(file)).expect("migration file");
    (read("migration.sql"), read("down.sql"))
}

mod mysql {
    use super::*;
    use ::mysql::prelude::Queryable;

    // Expression and partial indexes do not exist on MariaDB, and identity columns and table
    // inheritance are PostgreSQL's: the database made by hand here has what MariaDB has
    // (generated and collated columns, a named unique constraint, a partitioned table).

    const HAND_MADE_DATABASE: &str = "\
        CREATE TABLE account (id INTEGER AUTO_INCREMENT PRIMARY KEY, email VARCHAR(191) NOT NULL, \
            name VARCHAR(191) COLLATE utf8mb4_bin, price INTEGER, \
            total INTEGER AS (price * 2) STORED, CONSTRAINT account_email_key UNIQUE (email)) \
            DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n\
        CREATE TABLE event (id INTEGER NOT NULL, at DATE NOT NULL, PRIMARY KEY (id, at), \
            INDEX event_at_idx (at)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci \
            PARTITION BY RANGE (YEAR(at)) (PARTITION p2025 VALUES LESS THAN (2026), \
            PARTITION later VALUES LESS THAN MAXVALUE);\n\
        CREATE TABLE vehicle (id INTEGER PRIMARY KEY, wheels INTEGER) \
            DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n";

    /// The models `db pull` writes for `HAND_MADE_DATABASE`, with `added` fields on `account`
    /// and `vehicle`.
    fn pulled_models(added: &str) -> String {
        format!(
            "model account {{\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  name  String?\n  price Int?\n  total Int?\n{added}}}\n\n\
             model event {{\n  id Int\n  at DateTime @db.Date\n\n  @@id([id, at])\n  @@index([at])\n}}\n\n\
             model vehicle {{\n  id     Int  @id\n  wheels Int?\n{added}}}\n"
        )
    }

    #[test]
    fn a_hand_made_database_adopted_with_a_baseline_gets_plain_migrations_and_verified_downs() {
        let db = TestDb::mysql();
        db.mysql_conn()
            .query_drop(HAND_MADE_DATABASE)
            .expect("hand-made database");
        let (up, down) = adopted_with_a_baseline(
            &db,
            "mysql",
            &pulled_models(""),
            &pulled_models("  note String?\n"),
        );
        assert_eq!(
            up,
            "-- AlterTable\nALTER TABLE `account` ADD COLUMN `note` VARCHAR(191) NULL;\n\n-- AlterTable\nALTER TABLE `vehicle` ADD COLUMN `note` VARCHAR(191) NULL;\n"
        );
        assert!(down.contains("ALTER TABLE `account` DROP COLUMN `note`;"));
    }

    /// A column made by hand with a collation, a comment and `ON UPDATE` (none of which a
    /// Prisma schema states) keeps them when a schema change restates it with `MODIFY`, the
    /// `ON UPDATE` at the precision of the new type.
    #[test]
    fn a_column_restated_by_a_schema_change_keeps_what_it_was_given_by_hand() {
        let db = TestDb::mysql();
        db.mysql_conn()
            .query_drop(
                "CREATE TABLE note (id INTEGER PRIMARY KEY, \
                 title VARCHAR(191) COLLATE utf8mb4_bin NOT NULL COMMENT 'Shown in lists', \
                 seen DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3)) \
                 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            )
            .expect("hand-made table");
        let models = |title: &str, seen: &str| {
            format!(
                "model note {{\n  id    Int       @id\n  title String    {title}\n  seen  DateTime? {seen}\n}}\n"
            )
        };
        let (up, down) = adopted_with_a_baseline(
            &db,
            "mysql",
            &models("", "@db.DateTime(3)"),
            &models("@db.VarChar(250)", "@db.DateTime(6)"),
        );
        assert_eq!(
            up,
            "-- AlterTable\nALTER TABLE `note` MODIFY `title` VARCHAR(250) COLLATE utf8mb4_bin NOT NULL COMMENT 'Shown in lists',\n    MODIFY `seen` DATETIME(6) NULL ON UPDATE CURRENT_TIMESTAMP(6);\n"
        );
        assert!(
            down.contains("MODIFY `seen` DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3)"),
            "{down}"
        );
        let live: Vec<(String, Option<String>, String)> = db
            .mysql_conn()
            .query(
                "SELECT COLUMN_NAME, COLLATION_NAME, CONCAT(EXTRA, '|', COLUMN_COMMENT) \
                 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_NAME = 'note' AND COLUMN_NAME IN ('title', 'seen') ORDER BY 1",
            )
            .expect("columns");
        assert_eq!(
            live,
            [
                (
                    "seen".to_owned(),
                    None,
                    "on update current_timestamp(6)|".to_owned()
                ),
                (
                    "title".to_owned(),
                    Some("utf8mb4_bin".to_owned()),
                    "|Shown in lists".to_owned()
                ),
            ]
        );
    }
}
