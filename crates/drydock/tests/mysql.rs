//! The migration workflow on MariaDB (`TEST_MYSQL_URL`), as a Prisma MySQL project runs it
//! through the real binary: `migrate dev` writes Prisma's MySQL SQL and a `down.sql`, finds
//! nothing to do the second time, detects drift; `migrate deploy` applies the folder to a new
//! database and records it in `_prisma_migrations`; `migrate down` rolls the last one back and
//! `migrate deploy` brings it again.

mod support;

use std::path::Path;

use drydock_engine::dialects;
use drydock_test_support::TestDb;
use drydock_test_support::mariadb_cli::mysql_texts as texts;
use drydock_test_support::output::succeeds;
use support::drydock;

const SCHEMA: &str = "datasource db {
  provider = \"mysql\"
  url      = env(\"DATABASE_URL\")
}

enum Role {
  USER
  ADMIN
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  name      String?
  role      Role     @default(USER)
  createdAt DateTime @default(now())
  posts     Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String @db.VarChar(200)
  body     String @db.Text
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])

  @@index([title])
}
";

fn migration(project: &Path, suffix: &str, file: &str) -> String {
    let folder = std::fs::read_dir(project.join("prisma/migrations"))
        .expect("migrations folder")
        .filter_map(Result::ok)
        .find(|entry| entry.file_name().to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no migration `{suffix}`"));
    std::fs::read_to_string(folder.path().join(file)).unwrap_or_default()
}

/// A project folder with [`SCHEMA`], its first migration made and applied on `db`.
fn initialized(db: &TestDb) -> tempfile::TempDir {
    let dir = drydock_test_support::crash::project(SCHEMA, &[]);
    succeeds(&drydock(
        dir.path(),
        db.url(),
        &["migrate", "dev", "--name", "init"],
    ));
    dir
}

#[test]
fn a_prisma_mysql_project_develops_deploys_rolls_back_and_sees_drift_on_mariadb() {
    let dev = TestDb::mysql();
    let dir = initialized(&dev);
    let project = dir.path();
    insta::assert_snapshot!(
        "mysql_init_migration",
        migration(project, "_init", "migration.sql")
    );
    let lock = std::fs::read_to_string(project.join("prisma/migrations/migration_lock.toml"))
        .expect("lock file");
    assert!(lock.contains("provider = \"mysql\""), "{lock}");
    let again = succeeds(&drydock(project, dev.url(), &["migrate", "dev"]));
    assert!(again.contains("Already in sync"), "{again}");

    let with_bio = SCHEMA.replace(
        "  name      String?\n",
        "  name      String?\n  bio       String?  @db.VarChar(500)\n",
    );
    std::fs::write(project.join("prisma/schema.prisma"), with_bio).expect("schema");
    succeeds(&drydock(
        project,
        dev.url(),
        &["migrate", "dev", "--name", "add_user_bio"],
    ));
    assert_eq!(
        migration(project, "_add_user_bio", "migration.sql"),
        "-- AlterTable\nALTER TABLE `User` ADD COLUMN `bio` VARCHAR(500) NULL;\n"
    );
    let down = migration(project, "_add_user_bio", "down.sql");
    assert!(
        down.contains("ALTER TABLE `User` DROP COLUMN `bio`;"),
        "{down}"
    );
    let status = succeeds(&drydock(project, dev.url(), &["migrate", "status"]));
    assert!(status.contains("Database schema is up to date"), "{status}");

    // The folder on a new database, recorded as Prisma records it.
    let production = TestDb::mysql();
    succeeds(&drydock(project, production.url(), &["migrate", "deploy"]));
    let history = texts(
        production.url(),
        "SELECT CONCAT(migration_name, ' ', finished_at IS NOT NULL, ' ', \
         rolled_back_at IS NULL) FROM _prisma_migrations ORDER BY migration_name",
    );
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history.iter().all(|row| row.ends_with(" 1 1")),
        "{history:?}"
    );
    let columns = |url: &str| {
        texts(
            url,
            "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ' ', COLUMN_TYPE) \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME <> '_prisma_migrations' ORDER BY 1",
        )
    };
    assert_eq!(columns(production.url()), columns(dev.url()));

    // Rolled back with consent, then deployed again.
    let refused = drydock(project, production.url(), &["migrate", "down"]);
    assert!(!refused.status.success(), "dropping a column needs consent");
    succeeds(&drydock(
        project,
        production.url(),
        &["migrate", "down", "--accept-data-loss"],
    ));
    assert!(
        !columns(production.url()).contains(&"User.bio varchar(500)".to_owned()),
        "{:?}",
        columns(production.url())
    );
    succeeds(&drydock(project, production.url(), &["migrate", "deploy"]));
    assert_eq!(columns(production.url()), columns(dev.url()));

    // A change made by hand is drift, named in plain words.
    dialects::for_url(dev.url())
        .expect("a MySQL URL")
        .connect(dev.url())
        .expect("connect")
        .execute_script("ALTER TABLE `Post` ADD COLUMN `extra` INT;")
        .expect("a change by hand");
    let drifted = drydock(project, dev.url(), &["migrate", "dev", "--name", "next"]);
    assert!(!drifted.status.success());
    let message = String::from_utf8_lossy(&drifted.stderr);
    assert!(
        message.contains("Drift detected") && message.contains("extra column `extra"),
        "{message}"
    );
}

#[test]
fn drydock_check_on_mariadb_finds_each_seeded_problem_and_nothing_on_a_clean_database() {
    let db = TestDb::mysql();
    let dir = initialized(&db);
    let project = dir.path();

    let clean = succeeds(&drydock(project, db.url(), &["check"]));
    assert!(!clean.contains("[D6"), "{clean}");

    dialects::for_url(db.url())
        .expect("a MySQL URL")
        .connect(db.url())
        .expect("connect")
        .execute_script(
            "CREATE TABLE `keyless` (`a` INT);
             CREATE TABLE `counter` (`id` TINYINT NOT NULL AUTO_INCREMENT PRIMARY KEY)
               AUTO_INCREMENT = 122;
             INSERT INTO `counter` () VALUES ();
             INSERT INTO `User` (`email`) VALUES ('a@example.com');
             SET FOREIGN_KEY_CHECKS = 0;
             INSERT INTO `Post` (`title`, `body`, `authorId`) VALUES ('kept', '', 1), ('orphan', '', 999);
             SET FOREIGN_KEY_CHECKS = 1;
             CREATE INDEX `Post_title_again` ON `Post` (`title`);
             CREATE INDEX `Post_title_body` ON `Post` (`title`, `body`(20));
             CREATE INDEX `User_name_a` ON `User` (`name`);
             CREATE INDEX `User_name_b` ON `User` (`name`);",
        )
        .expect("seed the problems");
    std::fs::write(
        project.join("drydock.toml"),
        "[[rules]]\nname = \"untitled post\"\ntable = \"Post\"\nwhere = \"`title` = 'orphan'\"\n",
    )
    .expect("drydock.toml");
    let found = drydock(project, db.url(), &["check"]);
    assert_eq!(
        found.status.code(),
        Some(1),
        "an error finding fails the check"
    );
    let report = String::from_utf8_lossy(&found.stdout);
    for (code, object) in [
        ("[D6011]", "`Post` reference missing rows of `User`"),
        ("[D6004]", "table `keyless` has no primary key"),
        ("[D6003]", "counter"),
        ("[D6101]", "rows of Post reference no row of User"),
        ("[D6030]", "untitled post"),
    ] {
        assert!(
            report
                .lines()
                .any(|line| line.contains(code) && line.contains(object)),
            "{code} {object}:\n{report}"
        );
    }

    let indexes = drydock(project, db.url(), &["indexes"]);
    let advice = String::from_utf8_lossy(&indexes.stdout);
    for (code, index) in [("D6202", "User_name_"), ("D6203", "Post_title_again")] {
        assert!(
            advice
                .lines()
                .any(|line| line.contains(code) && line.contains(index)),
            "{code} {index}:\n{advice}"
        );
    }
    // The remedies are migrations of one online statement each, which deploy applies.
    let written = succeeds(&drydock(project, db.url(), &["indexes", "--write"]));
    let remedies: Vec<String> = std::fs::read_dir(project.join("prisma/migrations"))
        .expect("migrations")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().contains("_drop_index_"))
        .map(|entry| std::fs::read_to_string(entry.path().join("migration.sql")).expect("sql"))
        .collect();
    assert!(!remedies.is_empty(), "{written}");
    for sql in &remedies {
        assert!(
            sql.trim_end().ends_with(", ALGORITHM=INPLACE, LOCK=NONE;"),
            "{sql}"
        );
    }
    succeeds(&drydock(project, db.url(), &["migrate", "deploy"]));
    let left = texts(
        db.url(),
        "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME IN \
         ('Post_title_again', 'User_name_a', 'User_name_b') ORDER BY 1",
    );
    assert_eq!(left.len(), 1, "one of the twins stays: {left:?}");

    // The orphan archived and deleted in batches, then put back from the archive.
    let posts = |url: &str| {
        texts(
            url,
            "SELECT CONCAT(id, ' ', title, ' ', authorId) FROM `Post` ORDER BY id",
        )
    };
    let before = posts(db.url());
    let applied = succeeds(&drydock(
        project,
        db.url(),
        &[
            "cleanup",
            "--apply",
            "--action",
            "delete",
            "--batch-size",
            "1",
        ],
    ));
    assert!(applied.contains("deleted 1 rows"), "{applied}");
    assert_eq!(posts(db.url()), ["1 kept 1"]);
    let archive = std::fs::read_dir(project.join("backups/cleanup"))
        .expect("archive folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.to_string_lossy().ends_with(".cleanup.jsonl.zst"))
        .expect("an archive");
    succeeds(&drydock(
        project,
        db.url(),
        &["cleanup", "restore", &archive.to_string_lossy()],
    ));
    assert_eq!(posts(db.url()), before);

    // The run log is kept beside the database, where Prisma never looks.
    let runs = succeeds(&drydock(project, db.url(), &["runs"]));
    assert!(runs.contains("check"), "{runs}");
    let managed = texts(
        db.url(),
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME LIKE '\\_drydock%'",
    );
    assert!(managed.is_empty(), "{managed:?}");
}

/// A view, triggers, a function and a procedure made by hand are drift that `migrate status
/// --drift` names in plain words; `migrate dev --create-only` writes them into its drift
/// migration from their definitions (recorded as applied, with a `down.sql` that drops them),
/// after which `migrate dev` is in sync, and `migrate deploy` makes the same objects on a new
/// database.
#[test]
fn hand_made_objects_on_mariadb_are_drift_and_go_into_the_drift_migration() {
    let dev = TestDb::mysql();
    let dir = initialized(&dev);
    let project = dir.path();
    let by_hand = "CREATE VIEW `named_users` AS SELECT `id`, `name` FROM `User`;
CREATE TRIGGER `User_touch` BEFORE UPDATE ON `User` FOR EACH ROW SET NEW.`name` = lower(NEW.`name`);
CREATE TRIGGER `Post_count` AFTER INSERT ON `Post` FOR EACH ROW BEGIN
  SET @posts = twice(NEW.`id`);
END;
CREATE FUNCTION `twice`(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE PROCEDURE `rename_all`(IN prefix VARCHAR(10))
BEGIN
  UPDATE `User` SET `name` = CONCAT(prefix, `name`);
END;
";
    let dialect = dialects::for_url(dev.url()).expect("a MySQL URL");
    dialect
        .connect(dev.url())
        .expect("connect")
        .execute_script(by_hand)
        .expect("objects made by hand");

    // As with Prisma, objects made by hand alone call for no reset: `migrate dev` goes on.
    let unchanged = succeeds(&drydock(project, dev.url(), &["migrate", "dev"]));
    assert!(unchanged.contains("Already in sync"), "{unchanged}");
    let drifted = drydock(project, dev.url(), &["migrate", "status", "--drift"]);
    assert!(!drifted.status.success());
    let message = format!(
        "{}{}",
        String::from_utf8_lossy(&drifted.stdout),
        String::from_utf8_lossy(&drifted.stderr)
    );
    for words in [
        "view `named_users` exists in the database but not in the migrations",
        "trigger `User_touch` on table `User` exists in the database",
        "trigger `Post_count` on table `Post` exists in the database",
        "function `twice` exists in the database",
        "procedure `rename_all` exists in the database",
    ] {
        assert!(message.contains(words), "{words}\n{message}");
    }

    let captured = succeeds(&drydock(
        project,
        dev.url(),
        &["migrate", "dev", "--name", "by_hand", "--create-only"],
    ));
    assert!(captured.contains("Recorded the drift"), "{captured}");
    insta::assert_snapshot!(
        "mysql_hand_made_drift",
        format!(
            "-- migration.sql\n{}\n-- down.sql\n{}",
            migration(project, "_by_hand", "migration.sql"),
            migration(project, "_by_hand", "down.sql")
        )
    );
    let again = succeeds(&drydock(project, dev.url(), &["migrate", "dev"]));
    assert!(again.contains("Already in sync"), "{again}");

    let production = TestDb::mysql();
    succeeds(&drydock(project, production.url(), &["migrate", "deploy"]));
    let objects = |url: &str| {
        let mut schema = dialect
            .connect(url)
            .expect("connect")
            .introspect(&[])
            .expect("introspect");
        schema.tables.clear();
        schema
    };
    let deployed = objects(production.url());
    assert_eq!(deployed, objects(dev.url()));
    assert_eq!((deployed.views.len(), deployed.opaque.len()), (1, 4));
}

const RENAME_BEFORE: &str = "datasource db {
  provider = \"mysql\"
  url      = env(\"DATABASE_URL\")
}

model User {
  id     Int     @id @default(autoincrement())
  name   String
  views  Int     @default(0)
  legacy String?
  posts  Post[]

  @@index([name])
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
}
";

const RENAME_AFTER: &str = "datasource db {
  provider = \"mysql\"
  url      = env(\"DATABASE_URL\")
}

model User {
  id       Int      @id @default(autoincrement())
  // drydock:renamed-from name
  fullName String
  views    BigInt   @default(0)
  status   String   @default(\"active\")
  posts    Post[]

  @@index([fullName])
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String @unique
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
}
";

/// The columns, indexes and triggers of the database at `url`, for comparing two databases.
fn schema_facts(url: &str) -> Vec<String> {
    let mut facts = texts(
        url,
        "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ' ', COLUMN_TYPE, ' ', IS_NULLABLE, ' ', \
         COALESCE(COLUMN_DEFAULT, '-')) FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE '\\_%' ORDER BY 1",
    );
    facts.extend(texts(
        url,
        "SELECT CONCAT(TABLE_NAME, ' ', INDEX_NAME, ' ', NON_UNIQUE, ' ', COLUMN_NAME) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME NOT LIKE '\\_%' ORDER BY 1",
    ));
    facts.extend(texts(
        url,
        "SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS \
         WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1",
    ));
    facts.extend(texts(
        url,
        "SELECT CONCAT('view ', TABLE_NAME) FROM information_schema.VIEWS \
         WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
    ));
    facts
}

#[test]
fn zero_downtime_phases_deploy_on_mariadb_while_both_application_versions_write() {
    let dev = TestDb::mysql();
    let dir = drydock_test_support::crash::project(RENAME_BEFORE, &[]);
    let project = dir.path();
    succeeds(&drydock(
        project,
        dev.url(),
        &["migrate", "dev", "--name", "init"],
    ));
    let production = TestDb::mysql();
    succeeds(&drydock(project, production.url(), &["migrate", "deploy"]));
    let sql = |url: &str, script: &str| {
        dialects::for_url(url)
            .expect("a MySQL URL")
            .connect(url)
            .expect("connect")
            .execute_script(script)
            .unwrap_or_else(|e| panic!("{script}: {}", e.message));
    };
    sql(
        production.url(),
        "INSERT INTO `User` (`name`, `views`, `legacy`) VALUES ('Ada', 7, 'x'), ('Alan', 2, NULL);\n\
         INSERT INTO `Post` (`title`, `authorId`) VALUES ('Hello', 1);",
    );

    std::fs::write(project.join("prisma/schema.prisma"), RENAME_AFTER).expect("schema");
    let created = succeeds(&drydock(
        project,
        dev.url(),
        &[
            "migrate",
            "dev",
            "--zero-downtime",
            "--create-only",
            "--name",
            "full_name",
        ],
    ));
    assert!(created.contains("Created 4 phase migrations"), "{created}");
    let phases: Vec<String> = ["expand", "backfill", "validate", "contract"]
        .iter()
        .map(|phase| migration(project, &format!("_full_name_{phase}"), "migration.sql"))
        .collect();
    for phase in ["expand", "backfill", "validate", "contract"] {
        assert!(
            !migration(project, &format!("_full_name_{phase}"), "down.sql").is_empty(),
            "{phase} has a down migration checked on the shadow database"
        );
    }
    assert!(
        phases[0].contains("ADD COLUMN `fullName` VARCHAR(191) NULL, ALGORITHM=INSTANT;")
            && phases[0].contains("BEFORE INSERT ON `User`"),
        "{}",
        phases[0]
    );
    assert!(
        phases[1].contains("-- drydock:backfill key=`id` batch=10000\nUPDATE `User`"),
        "{}",
        phases[1]
    );
    assert!(
        phases[2].contains("ALGORITHM=INPLACE, LOCK=NONE"),
        "{}",
        phases[2]
    );
    assert!(
        phases[3].starts_with("-- drydock:contract\n"),
        "{}",
        phases[3]
    );
    // Every phase passes drydock's own lint, judged for the live server and table sizes.
    succeeds(&drydock(
        project,
        production.url(),
        &["lint", "--url", production.url()],
    ));

    // Expand, backfill and validate go out with the release; contract waits.
    let deploy = succeeds(&drydock(project, production.url(), &["migrate", "deploy"]));
    assert!(deploy.contains("Held back: 1 migration(s)"), "{deploy}");
    assert_eq!(
        texts(
            production.url(),
            "SELECT CONCAT(`id`, ' ', `fullName`, ' ', `views_new`) FROM `User` ORDER BY `id`"
        ),
        ["1 Ada 7", "2 Alan 2"],
        "the backfill copied every row"
    );
    // The old application version writes the old columns, the new one the new columns: the
    // triggers keep both equal.
    sql(
        production.url(),
        "INSERT INTO `User` (`name`, `views`) VALUES ('Grace', 3);\n\
         INSERT INTO `User` (`fullName`, `views_new`) VALUES ('Linus', 5000);\n\
         UPDATE `User` SET `name` = 'Ada Lovelace' WHERE `id` = 1;\n\
         UPDATE `User` SET `fullName` = 'Alan Turing', `views_new` = 4 WHERE `id` = 2;",
    );
    assert_eq!(
        texts(
            production.url(),
            "SELECT CONCAT(`id`, ' ', `name`, '=', `fullName`, ' ', `views`, '=', `views_new`) \
             FROM `User` WHERE `id` <> 4 ORDER BY `id`"
        ),
        [
            "1 Ada Lovelace=Ada Lovelace 7=7",
            "2 Alan Turing=Alan Turing 4=4",
            "3 Grace=Grace 3=3"
        ]
    );
    assert_eq!(
        texts(
            production.url(),
            "SELECT CONCAT(`name`, ' ', `views_new`) FROM `User` WHERE `id` = 4"
        ),
        ["Linus 5000"]
    );
    let status = drydock(project, production.url(), &["migrate", "status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("full_name_contract"),
        "contract is pending"
    );

    let contract = succeeds(&drydock(
        project,
        production.url(),
        &["migrate", "deploy", "--contract"],
    ));
    assert!(contract.contains("full_name_contract"), "{contract}");
    sql(
        production.url(),
        "UPDATE `User` SET `views` = 5000000000 WHERE `id` = 4;",
    );
    assert_eq!(
        texts(
            production.url(),
            "SELECT CONCAT(`id`, ' ', `fullName`, ' ', `views`, ' ', `status`) FROM `User` ORDER BY `id`"
        ),
        [
            "1 Ada Lovelace 7 active",
            "2 Alan Turing 4 active",
            "3 Grace 3 active",
            "4 Linus 5000000000 active"
        ]
    );
    succeeds(&drydock(
        project,
        production.url(),
        &["migrate", "status", "--drift"],
    ));

    // The phases leave what the plain migration leaves.
    let plain = TestDb::mysql();
    let plain_dir = drydock_test_support::crash::project(RENAME_BEFORE, &[]);
    succeeds(&drydock(
        plain_dir.path(),
        plain.url(),
        &["migrate", "dev", "--name", "init"],
    ));
    std::fs::write(plain_dir.path().join("prisma/schema.prisma"), RENAME_AFTER).expect("schema");
    succeeds(&drydock(
        plain_dir.path(),
        plain.url(),
        &[
            "migrate",
            "dev",
            "--name",
            "full_name",
            "--accept-data-loss",
        ],
    ));
    assert_eq!(schema_facts(production.url()), schema_facts(plain.url()));
}
