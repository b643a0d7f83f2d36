//! Introspection of real tables on the MariaDB of `TEST_MYSQL_URL`: types, nullability,
//! defaults, auto-increment, keys, indexes, foreign keys, enums and MariaDB's JSON. Each test
//! has its own database.

use drydock_connector::prelude::*;
use drydock_mysql::MysqlConnection;
use drydock_schema::{
    ColumnArity, DefaultValue, IndexKind, ObjectName, ReferentialAction, SortOrder, SqlSchema,
    TypeFamily,
};
use drydock_test_support::TestDb;

fn introspect(db: &TestDb, script: &str) -> SqlSchema {
    let mut conn = MysqlConnection::connect(db.url()).unwrap();
    conn.execute_script(script).unwrap();
    conn.create_history_table().unwrap();
    conn.introspect(&[]).unwrap()
}

/// A Prisma-shaped schema: what `migrate dev` writes for a blog on MySQL, plus what a hand
/// could add (prefix lengths, descending keys, full-text, comments, generated columns).
const BLOG: &str = "
CREATE TABLE `User` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `email` VARCHAR(191) NOT NULL,
    `name` VARCHAR(191) NULL,
    `role` ENUM('USER', 'ADMIN', 'it''s') NOT NULL DEFAULT 'USER',
    `active` BOOLEAN NOT NULL DEFAULT true,
    `score` DOUBLE NOT NULL DEFAULT 1.5,
    `balance` DECIMAL(65, 30) NOT NULL DEFAULT 0,
    `big` BIGINT UNSIGNED NULL,
    `profile` JSON NULL,
    `avatar` LONGBLOB NULL,
    `bio` TEXT NULL COMMENT 'about me',
    `quote` VARCHAR(20) NOT NULL DEFAULT 'it''s',
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `birthday` DATE NULL DEFAULT '2000-01-01',
    `upper_email` VARCHAR(191) AS (UPPER(`email`)) VIRTUAL,
    UNIQUE INDEX `User_email_key`(`email`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci COMMENT 'people';

CREATE TABLE `Post` (
    `id` VARCHAR(191) NOT NULL,
    `title` VARCHAR(255) NOT NULL,
    `body` TEXT NOT NULL,
    `authorId` INTEGER NOT NULL,
    `editorId` INTEGER NULL,
    `createdAt` TIMESTAMP(0) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX `Post_title_createdAt_idx`(`title`(10), `createdAt` DESC),
    FULLTEXT INDEX `Post_body_idx`(`body`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `Tag` (
    `postId` VARCHAR(191) NOT NULL,
    `label` VARCHAR(64) NOT NULL COLLATE utf8mb4_bin,
    PRIMARY KEY (`postId`, `label`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE `Post` ADD CONSTRAINT `Post_editorId_fkey` FOREIGN KEY (`editorId`) REFERENCES `User`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE `Tag` ADD CONSTRAINT `Tag_postId_fkey` FOREIGN KEY (`postId`) REFERENCES `Post`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `Tag` ADD CONSTRAINT `Tag_label_check` CHECK (CHAR_LENGTH(`label`) > 0);
CREATE VIEW `ActiveUser` AS SELECT `id`, `email` FROM `User` WHERE `active`;
";

#[test]
fn a_prisma_schema_reads_back_with_every_fact() {
    let db = TestDb::mysql();
    let schema = introspect(&db, BLOG);

    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["Post", "Tag", "User"],
        "sorted, without the history"
    );
    let user = schema.table(None, "User").unwrap();
    let column = |name: &str| user.column(name).unwrap();

    assert!(column("id").auto_increment);
    assert_eq!(column("id").column_type.native, "INTEGER");
    assert_eq!(column("name").arity, ColumnArity::Nullable);
    assert_eq!(column("active").column_type.family, TypeFamily::Boolean);
    assert_eq!(column("active").default, Some(DefaultValue::Boolean(true)));
    assert_eq!(
        column("role").default,
        Some(DefaultValue::EnumValue("USER".to_owned()))
    );
    // The enum lives on its column, as lowering puts it, named as Prisma names it.
    assert_eq!(
        column("role").column_type.native,
        "ENUM('USER','ADMIN','it''s')"
    );
    assert_eq!(
        column("role").column_type.family,
        TypeFamily::Enum(ObjectName::new(None, "User_role"))
    );
    assert!(schema.enums.is_empty());
    assert_eq!(
        column("quote").default,
        Some(DefaultValue::String("it's".to_owned()))
    );
    assert_eq!(column("createdAt").default, Some(DefaultValue::Now));
    assert_eq!(column("balance").column_type.native, "DECIMAL(65,30)");
    assert_eq!(column("big").column_type.native, "BIGINT UNSIGNED");
    // MariaDB's JSON is LONGTEXT with a check; it reads as JSON and the check is not shown.
    assert_eq!(column("profile").column_type.family, TypeFamily::Json);
    assert!(user.checks.is_empty(), "{:?}", user.checks);
    assert!(column("upper_email").generated.is_some());
    assert!(column("upper_email").generated_virtual);
    assert_eq!(column("upper_email").default, None);
    assert_eq!(user.comment.as_deref(), Some("people"));

    let post = schema.table(None, "Post").unwrap();
    let index = post.index("Post_title_createdAt_idx").unwrap();
    assert_eq!(index.columns[0].length, Some(10));
    assert_eq!(index.columns[1].sort, Some(SortOrder::Desc));
    assert_eq!(
        post.index("Post_body_idx").unwrap().kind,
        IndexKind::Fulltext
    );
    let editor = post
        .foreign_keys
        .iter()
        .find(|k| k.name.as_deref() == Some("Post_editorId_fkey"))
        .unwrap();
    assert_eq!(editor.on_delete, ReferentialAction::SetNull);
    assert_eq!(editor.on_update, ReferentialAction::Cascade);

    let tag = schema.table(None, "Tag").unwrap();
    let key: Vec<&str> = tag
        .primary_key
        .as_ref()
        .unwrap()
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(key, ["postId", "label"]);
    assert_eq!(
        tag.column("label").unwrap().collation.as_deref(),
        Some("utf8mb4_bin")
    );
    assert_eq!(tag.checks.len(), 1);
    let view = &schema.views[0].definition;
    assert!(view.contains("`User`.`email`"), "{view}");
    assert!(
        !view.contains(&db.name()),
        "without the database's own name: {view}"
    );

    insta::assert_json_snapshot!(schema);
}

#[test]
fn an_empty_database_has_nothing_but_the_history_is_left_out() {
    let db = TestDb::mysql();
    let schema = introspect(&db, "SELECT 1;");
    assert_eq!(schema, SqlSchema::default());
}

#[test]
fn mariadb_sequences_are_sequences_not_tables() {
    let db = TestDb::mysql();
    let schema = introspect(
        &db,
        "CREATE SEQUENCE `counter`;\nCREATE TABLE `t` (`id` INT);",
    );
    let names: Vec<&str> = schema.sequences.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["counter"]);
    assert_eq!(schema.tables.len(), 1);
    let mut conn = MysqlConnection::connect(db.url()).unwrap();
    conn.reset().unwrap();
    assert!(conn.introspect(&[]).unwrap().is_empty());
}

/// Views, triggers, functions and procedures made by hand read back as the statements that
/// make them (without `DEFINER`): those statements (and those of a check constraint and a
/// table's comment), run on another database, make the same objects, and the drop statements
/// take them away.
#[test]
fn hand_made_objects_read_back_as_their_statements() {
    use drydock_connector::{Dialect, HandMadeObject};
    use drydock_mysql::MysqlDialect;

    let table = "CREATE TABLE `User` (`id` INT NOT NULL PRIMARY KEY, `name` VARCHAR(100) NULL, \
        `seen` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3));\n";
    let by_hand = "CREATE VIEW `named_users` AS SELECT `id`, `name` FROM `User`;
CREATE TRIGGER `User_touch` BEFORE UPDATE ON `User` FOR EACH ROW SET NEW.`name` = lower(NEW.`name`);
CREATE TRIGGER `User_seen` AFTER INSERT ON `User` FOR EACH ROW BEGIN
  SET @last_user = NEW.`id`;
END;
CREATE FUNCTION `twice`(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE PROCEDURE `bump`(IN n INT)
BEGIN
  UPDATE `User` SET `id` = `id` + n;
END;
ALTER TABLE `User` ADD CONSTRAINT `User_id_check` CHECK (`id` > 0);
CREATE EVENT `purge_old` ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' COMMENT 'nightly' DO DELETE FROM `User` WHERE `id` < 0;
ALTER TABLE `User` COMMENT = 'People''s \\\\ table';
ALTER TABLE `User` MODIFY `name` VARCHAR(100) NULL COMMENT 'Shown to ''others''';
ALTER TABLE `User` MODIFY `seen` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3) COMMENT 'last change';
";
    let db = TestDb::mysql();
    let schema = introspect(&db, &format!("{table}{by_hand}"));
    let mut listed = String::new();
    for view in &schema.views {
        listed.push_str(&format!("view {}: {}\n", view.name, view.definition));
    }
    for object in &schema.opaque {
        listed.push_str(&format!(
            "{} {} on {:?}: {}\n",
            object.kind.describe(),
            object.name,
            object.table,
            object.definition
        ));
    }
    insta::assert_snapshot!("hand_made_objects", listed);

    let user = schema.tables.first().expect("User");
    assert_eq!(user.comment.as_deref(), Some("People's \\ table"));
    let seen = user.column("seen").expect("seen");
    assert_eq!(seen.on_update.as_deref(), Some("CURRENT_TIMESTAMP(3)"));
    assert_eq!(seen.comment.as_deref(), Some("last change"));
    let objects = |schema: &SqlSchema, create: bool| -> Vec<String> {
        let user = schema.tables.first().expect("User");
        schema
            .views
            .iter()
            .map(HandMadeObject::View)
            .chain(schema.opaque.iter().map(HandMadeObject::Carried))
            .chain(user.checks.iter().map(|c| HandMadeObject::Check(user, c)))
            .chain(std::iter::once(HandMadeObject::TableComment(user)))
            .chain(
                user.columns
                    .iter()
                    .filter(|c| c.comment.is_some())
                    .map(|c| HandMadeObject::ColumnComment(user, c)),
            )
            .filter_map(|object| MysqlDialect.render_hand_made(object, create))
            .map(|(_, sql)| sql)
            .collect()
    };
    let creates = objects(&schema, true);
    assert_eq!(creates.len(), 10, "{creates:?}");
    // A column comment is set by restating the whole column, `ON UPDATE` kept.
    assert!(
        creates.contains(
            &"ALTER TABLE `User` MODIFY `seen` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) \
              ON UPDATE CURRENT_TIMESTAMP(3) COMMENT 'last change';"
                .to_owned()
        ),
        "{creates:#?}"
    );
    let fresh = TestDb::mysql();
    let again = introspect(&fresh, &format!("{table}{}", creates.join("\n")));
    assert_eq!(again.views, schema.views);
    assert_eq!(again.opaque, schema.opaque);
    assert_eq!(again.tables, schema.tables);

    let drops = objects(&again, false);
    let mut conn = MysqlConnection::connect(fresh.url()).unwrap();
    conn.execute_script(&drops.join("\n")).unwrap();
    let dropped = conn.introspect(&[]).unwrap();
    assert!(dropped.views.is_empty() && dropped.opaque.is_empty());
    let user = dropped.tables.first().expect("User");
    assert!(user.checks.is_empty() && user.comment.is_none(), "{user:?}");
    assert!(user.columns.iter().all(|c| c.comment.is_none()), "{user:?}");
    // Dropping its comment keeps the rest of the column.
    assert_eq!(
        user.column("seen").and_then(|c| c.on_update.as_deref()),
        Some("CURRENT_TIMESTAMP(3)")
    );
}
