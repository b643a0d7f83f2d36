//! A migration that fails halfway on MariaDB (`TEST_MYSQL_URL`), through the real binary. DDL
//! commits statement by statement there, so the statements before the failure stay applied:
//! `migrate deploy` says which ran and which did not (P3018), the history row counts them and
//! its logs list them, `migrate status` shows the failure, and the next deploy is refused
//! (P3009) with that advice. Then the ways out: `resolve --finish` (the rest of the corrected
//! file run from the failed statement), `resolve --undo` (the completed statements undone by a
//! script checked on a shadow database), or either by hand (`db execute`, then `resolve
//! --applied` or `--rolled-back`); after each, deploy goes on and the database is what its
//! migrations produce.

mod support;

use std::path::Path;
use std::process::Output;

use drydock_test_support::TestDb;
use drydock_test_support::crash::{project, write_migration};
use drydock_test_support::mariadb_cli::mysql_texts;
use drydock_test_support::output::succeeds;
use support::drydock;

const SCHEMA: &str = "datasource db {
  provider = \"mysql\"
  url      = env(\"DATABASE_URL\")
}

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  posts Post[]
}

model Post {
  id        Int     @id @default(autoincrement())
  title     String
  published Boolean @default(false)
  authorId  Int
  author    User    @relation(fields: [authorId], references: [id])

  @@index([title])
}
";

const INIT: &str = "20240101000000_init";
const INIT_SQL: &str = "-- CreateTable
CREATE TABLE `User` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `email` VARCHAR(191) NOT NULL,

    UNIQUE INDEX `User_email_key`(`email`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
";

const POSTS: &str = "20240102000000_posts";
/// Four statements; the third references a table that does not exist (`Author` for `User`).
const POSTS_SQL: &str = "-- AlterTable
ALTER TABLE `User` ADD COLUMN `name` VARCHAR(191) NULL;

-- CreateTable
CREATE TABLE `Post` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `title` VARCHAR(191) NOT NULL,
    `authorId` INTEGER NOT NULL,

    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `Author`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX `Post_title_idx` ON `Post`(`title`);
";

const PUBLISHED: &str = "20240103000000_published";
const PUBLISHED_SQL: &str = "-- AlterTable
ALTER TABLE `Post` ADD COLUMN `published` BOOLEAN NOT NULL DEFAULT false;
";

fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The migration as it should have been written.
fn fixed_posts_sql() -> String {
    POSTS_SQL.replace("REFERENCES `Author`", "REFERENCES `User`")
}

/// `name|finished|rolled back|applied_steps_count` of every history row, oldest first.
fn history(url: &str) -> Vec<String> {
    mysql_texts(
        url,
        "SELECT CONCAT(migration_name, '|', finished_at IS NOT NULL, '|', \
         rolled_back_at IS NOT NULL, '|', applied_steps_count) \
         FROM _prisma_migrations ORDER BY started_at, migration_name",
    )
}

/// Every column of the database's tables and every index and foreign key, by name.
fn shape(url: &str) -> Vec<String> {
    [
        "SELECT CONCAT('column ', TABLE_NAME, '.', COLUMN_NAME) FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '_prisma_migrations' ORDER BY 1",
        "SELECT DISTINCT CONCAT('index ', TABLE_NAME, '.', INDEX_NAME) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME <> '_prisma_migrations' ORDER BY 1",
        "SELECT CONCAT('foreign key ', CONSTRAINT_NAME, ' to ', REFERENCED_TABLE_NAME) \
         FROM information_schema.REFERENTIAL_CONSTRAINTS \
         WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1",
    ]
    .into_iter()
    .flat_map(|sql| mysql_texts(url, sql))
    .collect()
}

/// Fails unless `text` contains each of `parts`.
#[track_caller]
fn says(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part}\n{text}");
    }
}

/// `sql` run on `db` with `drydock db execute`, as an operator does by hand.
fn by_hand(project: &Path, db: &TestDb, sql: &str) {
    std::fs::write(project.join("by_hand.sql"), sql).expect("script");
    succeeds(&drydock(
        project,
        db.url(),
        &["db", "execute", "--file", "by_hand.sql"],
    ));
}

/// Whether `text` has a line with every one of `parts`.
fn has_line(text: &str, parts: &[&str]) -> bool {
    text.lines()
        .any(|line| parts.iter().all(|part| line.contains(part)))
}

/// A new database and the project with its three migrations, deployed on it until the second
/// one failed at its third statement; checks everything that failure says and leaves.
fn failed_halfway() -> (TestDb, tempfile::TempDir) {
    let db = TestDb::mysql();
    let dir = project(
        SCHEMA,
        &[
            (INIT, INIT_SQL),
            (POSTS, POSTS_SQL),
            (PUBLISHED, PUBLISHED_SQL),
        ],
    );
    std::fs::write(
        dir.path().join("prisma/migrations/migration_lock.toml"),
        "provider = \"mysql\"\n",
    )
    .expect("lock file");
    let project = dir.path();

    let failed = drydock(project, db.url(), &["migrate", "deploy"]);
    let said = printed(&failed);
    assert_eq!(failed.status.code(), Some(1), "{said}");
    says(
        &said,
        &[
            &format!("[P3018] Migration `{POSTS}` failed to apply"),
            "2 statement(s) completed before the failure",
            "Statements 1 to 2 of it ran outside a transaction",
            &format!("resolve --finish {POSTS}"),
            &format!("resolve --undo {POSTS}"),
            "run the statements from 3 on (`drydock db execute`)",
        ],
    );
    let statements: [&[&str]; 4] = [
        &[
            "1",
            "done",
            "ALTER TABLE `User` ADD COLUMN `name` VARCHAR(191) NULL;",
        ],
        &["2", "done", "CREATE TABLE `Post` ("],
        &[
            "3",
            "failed",
            "ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey`",
        ],
        &[
            "4",
            "not run",
            "CREATE INDEX `Post_title_idx` ON `Post`(`title`);",
        ],
    ];
    for line in statements {
        assert!(has_line(&said, line), "{line:?}\n{said}");
    }
    // The migration before it is applied, the third never started.
    assert_eq!(
        history(db.url()),
        [format!("{INIT}|1|0|1"), format!("{POSTS}|0|0|2")]
    );
    let logs = mysql_texts(
        db.url(),
        &format!("SELECT logs FROM _prisma_migrations WHERE migration_name = '{POSTS}'"),
    )
    .concat();
    for line in statements {
        assert!(has_line(&logs, line), "{line:?}\n{logs}");
    }
    assert!(logs.contains("Database error code: 1005"), "{logs}");
    assert_eq!(
        shape(db.url()),
        [
            "column Post.authorId",
            "column Post.id",
            "column Post.title",
            "column User.email",
            "column User.id",
            "column User.name",
            "index Post.PRIMARY",
            "index User.PRIMARY",
            "index User.User_email_key",
        ]
    );

    let status = drydock(project, db.url(), &["migrate", "status"]);
    let shown = printed(&status);
    assert_eq!(status.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains(&format!("Failed migration: {POSTS}")),
        "{shown}"
    );
    for line in statements {
        assert!(has_line(&shown, line), "{line:?}\n{shown}");
    }
    assert!(has_line(&shown, &["Not yet applied"]) && has_line(&shown, &[PUBLISHED]));

    let refused = drydock(project, db.url(), &["migrate", "deploy"]);
    let said = printed(&refused);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    says(
        &said,
        &[
            "[P3009]",
            POSTS,
            "Statements 1 to 2 of it ran outside a transaction",
            &format!("resolve --finish {POSTS}"),
            &format!("resolve --undo {POSTS}"),
            &format!("resolve --applied {POSTS}"),
            &format!("resolve --rolled-back {POSTS}"),
        ],
    );
    assert_eq!(history(db.url()).len(), 2, "nothing ran");
    (db, dir)
}

/// After either way out: the last migration applied, status up to date without drift, and the
/// database what the schema describes.
fn deploys_cleanly_after(project: &Path, db: &TestDb) {
    let deployed = succeeds(&drydock(project, db.url(), &["migrate", "deploy"]));
    assert!(has_line(&deployed, &[PUBLISHED]), "{deployed}");
    let status = succeeds(&drydock(
        project,
        db.url(),
        &["migrate", "status", "--drift"],
    ));
    assert!(status.contains("Database schema is up to date"), "{status}");
    assert!(status.contains("No drift"), "{status}");
    succeeds(&drydock(
        project,
        db.url(),
        &[
            "migrate",
            "diff",
            "--from-url",
            db.url(),
            "--to-schema",
            "prisma/schema.prisma",
            "--exit-code",
        ],
    ));
    assert_eq!(
        shape(db.url()),
        [
            "column Post.authorId",
            "column Post.id",
            "column Post.published",
            "column Post.title",
            "column User.email",
            "column User.id",
            "column User.name",
            "index Post.Post_authorId_fkey",
            "index Post.Post_title_idx",
            "index Post.PRIMARY",
            "index User.PRIMARY",
            "index User.User_email_key",
            "foreign key Post_authorId_fkey to User",
        ]
    );
}

#[test]
fn finished_by_hand_and_resolved_as_applied_the_deploy_goes_on() {
    let (db, dir) = failed_halfway();
    let project = dir.path();

    // The statements from 3 on, corrected, run by hand; the file corrected to match.
    by_hand(
        project,
        &db,
        "ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) \
         REFERENCES `User`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;\n\
         CREATE INDEX `Post_title_idx` ON `Post`(`title`);\n",
    );
    write_migration(project, POSTS, &fixed_posts_sql());
    let resolved = drydock(
        project,
        db.url(),
        &["migrate", "resolve", "--applied", POSTS],
    );
    let said = succeeds(&resolved);
    says(&said, &[&format!("Migration {POSTS} marked as applied")]);
    assert_eq!(
        history(db.url()),
        [
            format!("{INIT}|1|0|1"),
            format!("{POSTS}|0|1|2"),
            format!("{POSTS}|1|0|0"),
        ]
    );

    deploys_cleanly_after(project, &db);
}

#[test]
fn undone_by_hand_and_resolved_as_rolled_back_the_fixed_migration_deploys_whole() {
    let (db, dir) = failed_halfway();
    let project = dir.path();

    // Statements 1 and 2 undone by hand, newest first.
    by_hand(
        project,
        &db,
        "DROP TABLE `Post`;\nALTER TABLE `User` DROP COLUMN `name`;\n",
    );
    let resolved = drydock(
        project,
        db.url(),
        &["migrate", "resolve", "--rolled-back", POSTS],
    );
    let said = succeeds(&resolved) + &printed(&resolved);
    // It names what had to be undone before the migration runs again.
    says(
        &said,
        &[
            &format!("Migration {POSTS} marked as rolled back"),
            "2 statement(s) of it had completed",
        ],
    );
    assert!(
        has_line(&said, &["1. ALTER TABLE `User` ADD COLUMN `name`"]),
        "{said}"
    );
    assert!(has_line(&said, &["2. CREATE TABLE `Post` ("]), "{said}");
    assert!(!said.contains("3. ALTER TABLE `Post`"), "{said}");

    write_migration(project, POSTS, &fixed_posts_sql());
    deploys_cleanly_after(project, &db);
    assert_eq!(
        history(db.url()),
        [
            format!("{INIT}|1|0|1"),
            format!("{POSTS}|0|1|2"),
            format!("{POSTS}|1|0|4"),
            format!("{PUBLISHED}|1|0|1"),
        ]
    );
}

/// The columns and indexes `INIT` alone leaves.
const BEFORE_POSTS: [&str; 4] = [
    "column User.email",
    "column User.id",
    "index User.PRIMARY",
    "index User.User_email_key",
];

/// `migrate resolve` with `args`, expected to fail with `code`; what it printed.
fn refused(project: &Path, db: &TestDb, args: &[&str], code: &str) -> String {
    let mut all = vec!["migrate", "resolve"];
    all.extend_from_slice(args);
    let output = drydock(project, db.url(), &all);
    let said = printed(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains(&format!("[{code}]")), "{code}\n{said}");
    said
}

#[test]
fn finished_by_resolve_finish_from_the_failed_statement_the_deploy_goes_on() {
    let (db, dir) = failed_halfway();
    let project = dir.path();

    // Unchanged, the failed statement fails again: the row stays failed, with new logs.
    let again = drydock(
        project,
        db.url(),
        &["migrate", "resolve", "--finish", POSTS],
    );
    let said = printed(&again);
    assert_eq!(again.status.code(), Some(1), "{said}");
    says(
        &said,
        &["[P3018]", "2 statement(s) completed before the failure"],
    );
    assert_eq!(
        history(db.url()),
        [format!("{INIT}|1|0|1"), format!("{POSTS}|0|0|2")]
    );

    // A statement that completed may not change: refused, naming it.
    let edited = fixed_posts_sql().replace(
        "`title` VARCHAR(191) NOT NULL",
        "`title` VARCHAR(100) NOT NULL",
    );
    write_migration(project, POSTS, &edited);
    let said = refused(project, &db, &["--finish", POSTS], "D3142");
    says(
        &said,
        &[
            "statement 2 ran as `CREATE TABLE `Post` (`",
            "Nothing was changed",
        ],
    );
    let said = refused(project, &db, &["--undo", POSTS], "D3142");
    says(&said, &["statement 2 ran as"]);
    // Comments and blank lines are no change.
    write_migration(
        project,
        POSTS,
        &format!(
            "-- posts, the foreign key corrected\n\n{}",
            fixed_posts_sql()
        ),
    );
    let finished = drydock(
        project,
        db.url(),
        &["migrate", "resolve", "--finish", POSTS],
    );
    let said = succeeds(&finished);
    says(
        &said,
        &[&format!(
            "Migration {POSTS} finished: statements 3 to 4 ran"
        )],
    );
    // One row, finished with the file's checksum: nothing modified, nothing failed.
    assert_eq!(
        history(db.url()),
        [format!("{INIT}|1|0|1"), format!("{POSTS}|1|0|4")]
    );
    let status = drydock(project, db.url(), &["migrate", "status"]);
    let shown = printed(&status);
    assert!(!shown.contains("Failed migration"), "{shown}");
    assert!(!shown.contains("modified after"), "{shown}");
    assert!(has_line(&shown, &[PUBLISHED]), "{shown}");

    // Not a failed migration any more, and never one.
    let said = refused(project, &db, &["--finish", POSTS], "D3140");
    says(&said, &["it is applied"]);
    refused(project, &db, &["--undo", INIT], "D3140");
    refused(project, &db, &["--finish", "20240109000000_nope"], "P3017");

    deploys_cleanly_after(project, &db);
}

#[test]
fn undone_by_resolve_undo_the_fixed_migration_deploys_whole() {
    let (db, dir) = failed_halfway();
    let project = dir.path();
    by_hand(
        project,
        &db,
        "INSERT INTO `User` (`email`, `name`) VALUES ('a@example.com', 'A');\n\
         INSERT INTO `Post` (`title`, `authorId`) VALUES ('first', 1);\n",
    );

    // The undo drops the new table, which has a row, and the new column: refused without
    // consent, listing both, and nothing changes.
    let said = refused(project, &db, &["--undo", POSTS], "D3143");
    says(
        &said,
        &[
            "undoing the 2 completed statement(s)",
            "drop the `Post` table",
            "`name`",
            "--accept-data-loss",
        ],
    );
    assert_eq!(
        history(db.url()),
        [format!("{INIT}|1|0|1"), format!("{POSTS}|0|0|2")]
    );
    assert!(shape(db.url()).contains(&"column Post.title".to_owned()));

    // A table made by hand that references `Post` stops the undo at its second statement,
    // after the first dropped `User.name`: the row stays failed.
    by_hand(
        project,
        &db,
        "CREATE TABLE `Note` (`postId` INTEGER, FOREIGN KEY (`postId`) REFERENCES `Post`(`id`));\n",
    );
    let said = refused(
        project,
        &db,
        &["--undo", POSTS, "--accept-data-loss"],
        "D3145",
    );
    says(
        &said,
        &[
            "failed at statement 2 of 2",
            "1 statement(s) of the undo had completed",
        ],
    );
    assert!(!shape(db.url()).contains(&"column User.name".to_owned()));
    assert_eq!(
        history(db.url()),
        [format!("{INIT}|1|0|1"), format!("{POSTS}|0|0|2")]
    );
    // Run again once the cause is gone: the column dropped already counts as done.
    by_hand(project, &db, "DROP TABLE `Note`;\n");
    let undone = drydock(
        project,
        db.url(),
        &["migrate", "resolve", "--undo", POSTS, "--accept-data-loss"],
    );
    let said = succeeds(&undone) + &printed(&undone);
    says(&said, &["undo statement 1 found its object gone already"]);
    says(
        &said,
        &[
            "Undo script (checked on the shadow database)",
            "DROP TABLE `Post`",
            "DROP COLUMN `name`",
            &format!("Undid 2 completed statement(s) of {POSTS}"),
        ],
    );
    // The database as it was before the migration, the row rolled back.
    assert_eq!(shape(db.url()), BEFORE_POSTS);
    assert_eq!(
        mysql_texts(db.url(), "SELECT email FROM `User`"),
        ["a@example.com"]
    );
    assert_eq!(
        history(db.url()),
        [format!("{INIT}|1|0|1"), format!("{POSTS}|0|1|2")]
    );
    refused(project, &db, &["--undo", POSTS], "D3140");

    // The corrected migration runs whole, from its first statement.
    write_migration(project, POSTS, &fixed_posts_sql());
    deploys_cleanly_after(project, &db);
    assert_eq!(
        history(db.url()),
        [
            format!("{INIT}|1|0|1"),
            format!("{POSTS}|0|1|2"),
            format!("{POSTS}|1|0|4"),
            format!("{PUBLISHED}|1|0|1"),
        ]
    );
}
