//! Drift detection finds every kind of change made by hand in SQL, and says it in plain words.

use std::path::{Path, PathBuf};

use drydock_engine::{DevOptions, Project, drift, migrate_dev};
use drydock_test_support::TestDb;
use drydock_test_support::dialect::quoted_for;

const MODELS: &str = "enum Role {\n  USER\n  ADMIN\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  name  String @default(\"anon\")\n  role  Role   @default(USER)\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([title])\n}\n";

fn project(dir: &Path, provider: &str, url: &str) -> Project {
    let models = if provider == "sqlite" {
        MODELS
            .replace("enum Role {\n  USER\n  ADMIN\n}\n\n", "")
            .replace(
                "role  Role   @default(USER)",
                "role  String @default(\"USER\")",
            )
    } else {
        MODELS.to_owned()
    };
    std::fs::create_dir_all(dir.join("prisma")).expect("dir");
    std::fs::write(
        dir.join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n\n{models}"
        ),
    )
    .expect("schema");
    Project::load(Some(&dir.join("prisma/schema.prisma"))).expect("project")
}

/// Each hand-made change (identifiers in `"`, written in the dialect's quotes when run) and a
/// phrase the report must contain.
fn cases(provider: &str) -> Vec<(&'static str, &'static str)> {
    let drop_index = if provider == "mysql" {
        "DROP INDEX \"Post_title_idx\" ON \"Post\""
    } else {
        "DROP INDEX \"Post_title_idx\""
    };
    let mut cases = vec![
        (
            "CREATE TABLE \"Extra\" (\"id\" INTEGER)",
            "table `Extra` exists in the database but not in the migrations",
        ),
        (
            "DROP TABLE \"Post\"",
            "table `Post` is missing from the database",
        ),
        (
            "ALTER TABLE \"User\" ADD COLUMN \"nickname\" TEXT",
            "table `User` has an extra column `nickname TEXT`",
        ),
        (
            "CREATE INDEX \"by_hand\" ON \"User\"(\"name\")",
            "index `by_hand` on table `User` (name) exists in the database",
        ),
        (
            drop_index,
            "index `Post_title_idx` on table `Post` (title) is missing",
        ),
    ];
    match provider {
        "postgresql" => cases.extend([
            (
                "ALTER TABLE \"User\" DROP COLUMN \"name\"",
                "table `User` is missing column `name TEXT NOT NULL`",
            ),
            (
                "ALTER TABLE \"Post\" DROP CONSTRAINT \"Post_authorId_fkey\"",
                "table `Post` is missing its foreign key (authorId) to `User`",
            ),
            (
                "ALTER TYPE \"Role\" ADD VALUE 'GUEST'",
                "enum `Role` has extra values `GUEST`",
            ),
            (
                "ALTER TABLE \"Post\" ALTER COLUMN \"title\" TYPE VARCHAR(20)",
                "type `TEXT` in the migrations, `VARCHAR(20)` in the database",
            ),
            (
                "ALTER TABLE \"User\" ALTER COLUMN \"name\" SET DEFAULT 'someone'",
                "column `name` of table `User` has a different default",
            ),
        ]),
        "mysql" => cases.extend([
            (
                "ALTER TABLE \"User\" DROP COLUMN \"name\"",
                "table `User` is missing column `name VARCHAR(191) NOT NULL`",
            ),
            (
                "ALTER TABLE \"Post\" DROP FOREIGN KEY \"Post_authorId_fkey\"",
                "table `Post` is missing its foreign key (authorId) to `User`",
            ),
            // The enum is the column's own type on MySQL.
            (
                "ALTER TABLE \"User\" MODIFY \"role\" ENUM('USER', 'ADMIN', 'GUEST') NOT NULL DEFAULT 'USER'",
                "column `role` of table `User` has type `ENUM('USER','ADMIN')` in the migrations, \
                 `ENUM('USER','ADMIN','GUEST')` in the database",
            ),
            (
                "ALTER TABLE \"Post\" MODIFY \"title\" VARCHAR(20) NOT NULL",
                "type `VARCHAR(191)` in the migrations, `VARCHAR(20)` in the database",
            ),
            // Captured with its `ON UPDATE`, or the drift would stay.
            (
                "ALTER TABLE \"User\" ADD COLUMN \"seen\" DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3)",
                "table `User` has an extra column `seen",
            ),
            (
                "ALTER TABLE \"Post\" MODIFY \"title\" VARCHAR(191) NOT NULL COMMENT 'Shown in lists'",
                "the comment of column `title` of table `Post` exists in the database but not in the migrations",
            ),
            (
                "ALTER TABLE \"User\" ALTER COLUMN \"name\" SET DEFAULT 'someone'",
                "column `name` of table `User` has a different default",
            ),
        ]),
        _ => cases.push((
            "PRAGMA foreign_keys=OFF; CREATE TABLE \"new_Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"title\" TEXT NOT NULL, \"authorId\" INTEGER NOT NULL); INSERT INTO \"new_Post\" SELECT \"id\", \"title\", \"authorId\" FROM \"Post\"; DROP TABLE \"Post\"; ALTER TABLE \"new_Post\" RENAME TO \"Post\"; CREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\")",
            "the foreign keys of table `Post` differ",
        )),
    }
    cases
}

/// A project on a fresh database with its first migration, `init`, applied by `migrate dev`.
struct Initialised {
    /// Kept alive: dropping it drops the database.
    db: TestDb,
    /// Kept alive: it holds the project and the replay cache.
    dir: tempfile::TempDir,
    cache: Option<Option<PathBuf>>,
    project: Project,
}

fn initialised(provider: &str, new_db: &impl Fn() -> TestDb) -> Initialised {
    let db = new_db();
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Some(Some(dir.path().join("cache")));
    let project = project(dir.path(), provider, db.url());
    let options = DevOptions {
        name: Some("init".to_owned()),
        replay_cache: cache.clone(),
        ..DevOptions::default()
    };
    migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("init");
    Initialised {
        db,
        dir,
        cache,
        project,
    }
}

/// `migrate dev --create-only` on a drifted database: the folder of the migration that records
/// the drift, marked applied.
fn captured_drift(
    project: &Project,
    cache: &Option<Option<PathBuf>>,
    name: Option<&str>,
) -> PathBuf {
    let capture = DevOptions {
        name: name.map(str::to_owned),
        create_only: true,
        replay_cache: cache.clone(),
        ..DevOptions::default()
    };
    let outcome = migrate_dev(project, &capture, &mut |_| false, &mut |_| {}).expect("capture");
    let folder = outcome.drift_captured.expect("the drift captured");
    project.migrations_dir.join(folder)
}

fn check(provider: &str, new_db: impl Fn() -> TestDb) {
    for (sql, expected) in cases(provider) {
        let Initialised {
            db,
            dir: _dir,
            cache,
            project,
        } = initialised(provider, &new_db);
        let clean = drift(&project, None, &cache).expect("drift");
        assert!(
            clean.differences.is_empty(),
            "{provider}: no drift yet: {:?}",
            clean.differences
        );

        let mut connection = project.dialect.connect(db.url()).expect("connect");
        let sql = quoted_for(project.dialect, sql);
        connection
            .execute_script(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let report = drift(&project, None, &cache).expect("drift");
        assert!(
            report.differences.iter().any(|d| d.contains(expected)),
            "{provider}: `{sql}` should be reported as `{expected}`; got {:#?}",
            report.differences
        );

        // `migrate dev --create-only` records the drift as an applied migration.
        captured_drift(&project, &cache, None);
        let after = drift(&project, None, &cache).expect("drift");
        assert!(
            after.differences.is_empty(),
            "{provider}: `{sql}` left {:?}",
            after.differences
        );
    }
}

#[test]
fn postgres_drift_is_found_and_captured() {
    check("postgresql", TestDb::postgres);
}

#[test]
fn sqlite_drift_is_found_and_captured() {
    check("sqlite", TestDb::sqlite);
}

/// A view, a trigger (and on PostgreSQL and MySQL a function, a check constraint and a table
/// comment) made by a hand-written migration survive `migrate dev`, and drift reports a view
/// added afterwards.
fn hand_made_objects(provider: &str, new_db: impl Fn() -> TestDb) {
    let Initialised {
        db,
        dir: _dir,
        cache,
        project,
    } = initialised(provider, &new_db);

    let sql = if provider == "postgresql" {
        "CREATE VIEW \"named_users\" AS SELECT \"id\", \"name\" FROM \"User\";\n\
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
         CREATE TRIGGER \"User_touch\" BEFORE UPDATE ON \"User\" FOR EACH ROW EXECUTE FUNCTION touch();\n\
         ALTER TABLE \"Post\" ADD CONSTRAINT \"title_not_empty\" CHECK (\"title\" <> '');\n\
         COMMENT ON TABLE \"Post\" IS 'Written by users';\n"
    } else if provider == "mysql" {
        "CREATE VIEW `named_users` AS SELECT `id`, `name` FROM `User`;\n\
         CREATE FUNCTION `touch`() RETURNS INTEGER DETERMINISTIC RETURN 1;\n\
         CREATE TRIGGER `User_touch` BEFORE UPDATE ON `User` FOR EACH ROW SET NEW.`name` = NEW.`name`;\n\
         ALTER TABLE `Post` ADD CONSTRAINT `title_not_empty` CHECK (`title` <> '');\n\
         ALTER TABLE `Post` COMMENT = 'Written by users';\n"
    } else {
        "CREATE VIEW \"named_users\" AS SELECT \"id\", \"name\" FROM \"User\";\n\
         CREATE TRIGGER \"User_touch\" AFTER UPDATE ON \"User\" BEGIN SELECT 1; END;\n"
    };
    let folder = project.migrations_dir.join("99990101000000_hand_made");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("migration.sql"), sql).expect("migration");

    // The unchanged schema: the pending migration is applied and nothing is dropped.
    let options = DevOptions {
        replay_cache: cache.clone(),
        ..DevOptions::default()
    };
    let outcome =
        migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev");
    assert_eq!(outcome.applied_pending, vec!["99990101000000_hand_made"]);
    assert!(
        outcome.created.is_none(),
        "{provider}: already in sync, yet {:?} was written",
        outcome.created
    );
    let outcome =
        migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev");
    assert!(outcome.created.is_none() && outcome.applied_pending.is_empty());

    let mut connection = project.dialect.connect(db.url()).expect("connect");
    let live = connection.introspect(&project.namespaces()).expect("live");
    assert_eq!(live.views.len(), 1, "{provider}: {:?}", live.views);
    assert!(live.opaque.iter().any(|o| o.name == "User_touch"));
    let clean = drift(&project, None, &cache).expect("drift");
    assert!(
        clean.differences.is_empty(),
        "{provider}: no drift yet: {:?}",
        clean.differences
    );

    let mut by_hand = quoted_for(
        project.dialect,
        "CREATE VIEW \"by_hand\" AS SELECT \"id\" FROM \"Post\";\n",
    );
    let mut expected = vec![
        "view `by_hand` exists in the database but not in the migrations".to_owned(),
        "trigger `User_touch` on table `User` is missing from the database".to_owned(),
    ];
    if provider == "postgresql" {
        by_hand.push_str(
            "DROP TRIGGER \"User_touch\" ON \"User\";\n\
             ALTER TABLE \"Post\" DROP CONSTRAINT \"title_not_empty\";\n\
             COMMENT ON TABLE \"Post\" IS 'Changed';\n",
        );
        expected.push(
            "check constraint `title_not_empty` on table `Post` is missing from the database"
                .to_owned(),
        );
        expected.push("the comment of table `Post` differs in the database".to_owned());
    } else if provider == "mysql" {
        by_hand.push_str(
            "DROP TRIGGER `User_touch`;\n\
             ALTER TABLE `Post` DROP CONSTRAINT `title_not_empty`;\n\
             ALTER TABLE `Post` COMMENT = 'Changed';\n",
        );
        expected.push(
            "check constraint `title_not_empty` on table `Post` is missing from the database"
                .to_owned(),
        );
        expected.push("the comment of table `Post` differs in the database".to_owned());
    } else {
        by_hand.push_str("DROP TRIGGER \"User_touch\";\n");
    }
    connection
        .execute_script(&by_hand)
        .expect("hand-made change");
    let report = drift(&project, None, &cache).expect("drift");
    assert_eq!(report.differences, expected, "{provider}");
}

#[test]
fn postgres_hand_made_objects_survive_and_their_drift_is_found() {
    hand_made_objects("postgresql", TestDb::postgres);
}

#[test]
fn sqlite_hand_made_objects_survive_and_their_drift_is_found() {
    hand_made_objects("sqlite", TestDb::sqlite);
}

/// A view, a trigger (and on PostgreSQL a function, a materialized view, check constraints and
/// comments; on MySQL a function, check constraints and the table's comment) made by hand
/// after `migrate dev` go into the migration `migrate dev --create-only` records as applied; a fresh
/// database gets them from `migrate deploy`, and `down.sql` takes them away again.
fn hand_made_drift_is_captured(provider: &str, new_db: impl Fn() -> TestDb) {
    let Initialised {
        db,
        dir: _dir,
        cache,
        project,
    } = initialised(provider, &new_db);

    let by_hand = if provider == "postgresql" {
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.\"name\" := lower(NEW.\"name\"); RETURN NEW; END $$;\n\
         CREATE TRIGGER \"User_touch\" BEFORE UPDATE ON \"User\" FOR EACH ROW EXECUTE FUNCTION touch();\n\
         CREATE VIEW \"named_users\" AS SELECT \"id\", \"name\" FROM \"User\";\n\
         CREATE MATERIALIZED VIEW \"user_count\" AS SELECT count(*) AS \"n\" FROM \"User\";\n\
         ALTER TABLE \"User\" ADD CONSTRAINT \"User_name_check\" CHECK (length(\"name\") > 0);\n\
         ALTER TABLE \"User\" ADD CONSTRAINT \"User_id_check\" CHECK (\"id\" > 0) NOT VALID;\n\
         COMMENT ON TABLE \"User\" IS 'People who ''sign up''';\n\
         COMMENT ON COLUMN \"User\".\"name\" IS 'Shown to others';\n"
    } else if provider == "mysql" {
        "CREATE FUNCTION `lowered`(`value` VARCHAR(191)) RETURNS VARCHAR(191) DETERMINISTIC RETURN lower(`value`);\n\
         CREATE TRIGGER `User_touch` BEFORE UPDATE ON `User` FOR EACH ROW SET NEW.`name` = `lowered`(NEW.`name`);\n\
         CREATE VIEW `named_users` AS SELECT `id`, `name` FROM `User`;\n\
         ALTER TABLE `User` ADD CONSTRAINT `User_name_check` CHECK (char_length(`name`) > 0);\n\
         ALTER TABLE `User` ADD CONSTRAINT `User_email_check` CHECK (`email` LIKE '%@%');\n\
         ALTER TABLE `User` COMMENT = 'People who ''sign up''';\n\
         ALTER TABLE `User` MODIFY `name` VARCHAR(191) NOT NULL DEFAULT 'anon' COMMENT 'Shown to others';\n\
         CREATE EVENT `purge_anon` ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM `User` WHERE `name` = 'anon';\n"
    } else {
        "CREATE VIEW \"named_users\" AS SELECT \"id\", \"name\" FROM \"User\";\n\
         CREATE TRIGGER \"User_touch\" AFTER UPDATE ON \"User\" BEGIN UPDATE \"User\" SET \"name\" = lower(\"name\") WHERE \"id\" = NEW.\"id\"; END;\n"
    };
    let mut connection = project.dialect.connect(db.url()).expect("connect");
    connection
        .execute_script(by_hand)
        .expect("hand-made objects");

    let folder = captured_drift(&project, &cache, Some("by_hand"));
    // The view's text is the server's (pg_get_viewdef): PostgreSQL 16 stopped qualifying the
    // columns of a one-table view. Compared as 16 prints it, so every version matches.
    let read = |file: &str| {
        std::fs::read_to_string(folder.join(file))
            .expect("migration file")
            .replace(
                " SELECT \"User\".id,\n    \"User\".name\n",
                " SELECT id,\n    name\n",
            )
    };
    insta::assert_snapshot!(
        format!("{provider}_hand_made_drift"),
        format!(
            "-- migration.sql\n{}\n-- down.sql\n{}",
            read("migration.sql"),
            read("down.sql")
        )
    );
    let status = drydock_engine::migrate::status(connection.as_mut(), &project.migrations_dir)
        .expect("status");
    assert!(
        status.pending.is_empty(),
        "{provider}: {:?}",
        status.pending
    );
    assert_eq!(status.applied.len(), 2, "{provider}: recorded as applied");

    // The next `migrate dev` sees no drift and has nothing to write.
    let after = drift(&project, None, &cache).expect("drift");
    assert!(
        after.differences.is_empty(),
        "{provider}: {:?}",
        after.differences
    );
    let again = DevOptions {
        replay_cache: cache.clone(),
        ..DevOptions::default()
    };
    let outcome = migrate_dev(&project, &again, &mut |_| false, &mut |_| {}).expect("migrate dev");
    assert!(outcome.created.is_none() && outcome.drift_captured.is_none());

    // A fresh database gets the same objects from `migrate deploy`.
    let live = connection.introspect(&project.namespaces()).expect("live");
    let fresh = new_db();
    let mut fresh_connection = project.dialect.connect(fresh.url()).expect("connect");
    drydock_engine::migrate::deploy(
        project.dialect,
        fresh_connection.as_mut(),
        &project.migrations_dir,
        &mut |_| {},
    )
    .expect("deploy");
    let deployed = fresh_connection
        .introspect(&project.namespaces())
        .expect("deployed");
    assert_eq!(
        drydock_diff::compare_opaque(&live, &deployed),
        Vec::new(),
        "{provider}"
    );
    assert_eq!(live.views.len(), 1, "{provider}");
    assert_eq!(live.opaque, deployed.opaque, "{provider}");

    // `down.sql` removes them.
    fresh_connection
        .execute_script(&read("down.sql"))
        .expect("down.sql");
    let downed = fresh_connection
        .introspect(&project.namespaces())
        .expect("after down");
    assert!(
        downed.views.is_empty() && downed.opaque.is_empty(),
        "{provider}"
    );
    assert!(
        downed.tables.iter().all(|t| t.checks.is_empty()
            && t.comment.is_none()
            && t.columns.iter().all(|c| c.comment.is_none())),
        "{provider}: {:?}",
        downed.tables
    );
    if provider != "sqlite" {
        let user = live.table(None, "User").expect("User");
        assert_eq!(user.checks.len(), 2);
        assert!(user.comment.is_some());
    }
}

#[test]
fn postgres_hand_made_drift_is_captured() {
    hand_made_drift_is_captured("postgresql", TestDb::postgres);
}

#[test]
fn sqlite_hand_made_drift_is_captured() {
    hand_made_drift_is_captured("sqlite", TestDb::sqlite);
}

mod mysql {
    use super::*;

    #[test]
    fn drift_is_found_and_captured() {
        check("mysql", TestDb::mysql);
    }

    #[test]
    fn hand_made_objects_survive_and_their_drift_is_found() {
        hand_made_objects("mysql", TestDb::mysql);
    }

    #[test]
    fn hand_made_drift_is_captured() {
        super::hand_made_drift_is_captured("mysql", TestDb::mysql);
    }

    /// An `ON UPDATE` and a comment that a hand-written migration gave a column (a Prisma
    /// schema states neither) survive `migrate dev`; the database losing them is drift, and the
    /// captured drift drops them in the migrations too.
    #[test]
    fn a_lost_on_update_is_drift() {
        let Initialised {
            db,
            dir,
            cache,
            project,
        } = initialised("mysql", &TestDb::mysql);
        let schema = dir.path().join("prisma/schema.prisma");
        let text = std::fs::read_to_string(&schema).expect("schema");
        std::fs::write(
            &schema,
            text.replace(
                "  title    String\n",
                "  title    String\n  seen     DateTime? @db.DateTime(3)\n",
            ),
        )
        .expect("schema");
        let project = Project::load(Some(&schema)).unwrap_or(project);
        let folder = project.migrations_dir.join("99990101000000_seen");
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(
            folder.join("migration.sql"),
            "ALTER TABLE `Post` ADD COLUMN `seen` DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3) COMMENT 'Last seen';\n",
        )
        .expect("migration");
        let options = DevOptions {
            replay_cache: cache.clone(),
            ..DevOptions::default()
        };
        let outcome =
            migrate_dev(&project, &options, &mut |_| false, &mut |_| {}).expect("migrate dev");
        assert_eq!(outcome.applied_pending, ["99990101000000_seen"]);
        assert!(outcome.created.is_none(), "{:?}", outcome.created);
        let clean = drift(&project, None, &cache).expect("drift");
        assert!(clean.differences.is_empty(), "{:?}", clean.differences);

        let mut connection = project.dialect.connect(db.url()).expect("connect");
        connection
            .execute_script("ALTER TABLE `Post` MODIFY `seen` DATETIME(3) NULL;")
            .expect("hand-made change");
        let report = drift(&project, None, &cache).expect("drift");
        assert_eq!(
            report.differences,
            [
                "column `seen` of table `Post` has `ON UPDATE CURRENT_TIMESTAMP(3)` in the migrations",
                "the comment of column `seen` of table `Post` is missing from the database",
            ],
        );

        let captured = captured_drift(&project, &cache, None);
        let script =
            std::fs::read_to_string(captured.join("migration.sql")).expect("captured migration");
        assert!(
            script
                .trim_end()
                .ends_with("ALTER TABLE `Post` MODIFY `seen` DATETIME(3) NULL;"),
            "{script}"
        );
        let after = drift(&project, None, &cache).expect("drift");
        assert!(after.differences.is_empty(), "{:?}", after.differences);
    }
}
