//! MariaDB backups against a real server: `TEST_MYSQL_URL`, else `mysql://root@127.0.0.1:3306`.
//! Every test makes its own databases and drops them, also when it fails.

use drydock_test_support::mariadb_cli::{run as try_sql, server_url};

use drydock_backup::{
    Backend, BackupError, CreateOptions, RestoreOptions, VerifyOptions, backend_for,
};

/// A database of its own, dropped when the test ends however it ends.
struct TestDb {
    url: String,
    name: String,
}

impl TestDb {
    fn new(label: &str) -> TestDb {
        let name = format!("drydock_test_{label}_{}", uuid::Uuid::new_v4().simple());
        let mut url = url::Url::parse(&server_url()).expect("TEST_MYSQL_URL is a URL");
        url.set_path(&format!("/{name}"));
        let db = TestDb {
            url: url.to_string(),
            name,
        };
        run_sql(
            &db.url,
            None,
            &format!("CREATE DATABASE `{}` CHARACTER SET utf8mb4", db.name),
        );
        db
    }

    fn sql(&self, script: &str) -> String {
        run_sql(&self.url, Some(&self.name), script)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = try_sql(
            &self.url,
            None,
            &format!("DROP DATABASE IF EXISTS `{}`", self.name),
        );
    }
}

fn run_sql(url: &str, database: Option<&str>, script: &str) -> String {
    try_sql(url, database, script).unwrap_or_else(|e| {
        panic!(
            "MariaDB at {} is needed for these tests (set TEST_MYSQL_URL): {e}",
            drydock_connector::redact_url(url)
        )
    })
}

fn backend(url: &str) -> Box<dyn Backend> {
    backend_for(url).expect("a backend handles mysql:// URLs")
}

/// Several tables with blobs, JSON, 4-byte UTF-8, NULLs and awkward strings, a view, a trigger,
/// a procedure, a function and Prisma's history table.
const FIXTURE: &str = r#"
CREATE TABLE users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  bio TEXT NULL,
  avatar BLOB NULL,
  settings JSON NULL,
  score DOUBLE NULL,
  balance DECIMAL(12,2) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT '2024-01-02 03:04:05.678',
  seen_at TIMESTAMP NULL,
  flags BIT(5) NULL,
  double_id INT AS (id * 2) VIRTUAL
) CHARACTER SET utf8mb4;
INSERT INTO users (name, bio, avatar, settings, score, balance, seen_at, flags) VALUES
  ('Ada 😀', 'line one\nline two\ttab \\ backslash \'quote\' ),( paren; semi', X'00FF10275C0A0D', '{"theme":"dark","emoji":"🚀","n":[1,2,3]}', 3.14159, 1234.50, '2024-05-06 07:08:09', b'10101'),
  ('Grace', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('', '', X'', '{}', 0.1, -0.01, '1999-12-31 23:59:59', b'0'),
  ('日本語 テキスト', 'Ünïcödé', REPEAT(X'DEADBEEF', 5000), '[]', -1e300, 0, NULL, b'11111');
CREATE TABLE posts (
  id BIGINT PRIMARY KEY,
  user_id INT NOT NULL,
  title VARCHAR(200) NOT NULL,
  body LONGTEXT,
  CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id)
) CHARACTER SET utf8mb4;
INSERT INTO posts VALUES (1, 1, 'Hello 👋', 'First post'), (2, 1, 'Second', NULL), (3, 2, 'Grace''s', REPEAT('x', 100000));
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, post_id BIGINT, note VARCHAR(50));
CREATE TABLE empty_table (id INT PRIMARY KEY, payload VARBINARY(10));
CREATE TABLE `odd ``name`` table` (`weird col` INT, `select` VARCHAR(5));
INSERT INTO `odd ``name`` table` VALUES (1, 'a'), (1, 'a'), (NULL, NULL);
CREATE TABLE _prisma_migrations (
  id VARCHAR(36) PRIMARY KEY,
  checksum VARCHAR(64) NOT NULL,
  finished_at DATETIME(3) NULL,
  migration_name VARCHAR(255) NOT NULL,
  logs TEXT NULL,
  rolled_back_at DATETIME(3) NULL,
  started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  applied_steps_count INT UNSIGNED NOT NULL DEFAULT 0
);
INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at, started_at, applied_steps_count) VALUES
  ('a', 'c1', '2024-01-01 00:00:00', '20240101000000_init', NULL, '2024-01-01 00:00:00', 1),
  ('b', 'c2', '2024-02-01 00:00:00', '20240201000000_posts', NULL, '2024-02-01 00:00:00', 1),
  ('c', 'c3', '2024-03-01 00:00:00', '20240301000000_bad', '2024-03-02 00:00:00', '2024-03-01 00:00:00', 0);
CREATE VIEW post_titles AS SELECT p.id, u.name, p.title FROM posts p JOIN users u ON u.id = p.user_id;
DELIMITER ;;
CREATE TRIGGER posts_audit AFTER INSERT ON posts FOR EACH ROW
BEGIN
  INSERT INTO audit (post_id, note) VALUES (NEW.id, 'inserted');
END;;
CREATE PROCEDURE count_posts(IN uid INT, OUT total INT)
BEGIN
  SELECT COUNT(*) INTO total FROM posts WHERE user_id = uid;
END;;
CREATE FUNCTION shout(s VARCHAR(100)) RETURNS VARCHAR(100) DETERMINISTIC
RETURN CONCAT(UPPER(s), '!');;
DELIMITER ;
INSERT INTO posts VALUES (4, 3, 'Triggered', 'audit row');
"#;

/// Rows of the tables compared directly, in a fixed order, as text the client prints.
const DIRECT: &str = "
SELECT id, name, HEX(bio), HEX(avatar), settings, score, balance, created_at, seen_at, BIN(flags), double_id FROM users ORDER BY id;
SELECT id, user_id, title, MD5(body), LENGTH(body) FROM posts ORDER BY id;
SELECT * FROM audit ORDER BY id;
SELECT * FROM post_titles ORDER BY id;
SELECT `weird col`, `select` FROM `odd ``name`` table` ORDER BY 1, 2;
";

/// What must survive besides the rows: routines, triggers and views, and that they work.
fn objects(db: &TestDb) -> String {
    db.sql(
        "SELECT routine_type, routine_name FROM information_schema.routines \
           WHERE routine_schema = DATABASE() ORDER BY 1, 2;
         SELECT trigger_name, event_object_table FROM information_schema.triggers \
           WHERE trigger_schema = DATABASE() ORDER BY 1;
         SELECT table_name FROM information_schema.views WHERE table_schema = DATABASE();
         CALL count_posts(1, @n); SELECT @n;
         SELECT shout('hi');",
    )
}

#[test]
fn create_verify_restore_round_trip() {
    let source = TestDb::new("src");
    source.sql(FIXTURE);
    let mariadb = backend(&source.url);
    assert_eq!(mariadb.provider(), "mysql");

    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = drydock_backup::create(
        mariadb.as_ref(),
        &source.url,
        &CreateOptions::new(dir.path()),
    )
    .expect("backup");
    assert_eq!(manifest.provider, "mysql");
    assert_eq!(manifest.database.name, source.name);
    assert_eq!(
        manifest.last_migration.as_deref(),
        Some("20240201000000_posts")
    );
    assert!(manifest.server_version.contains("MariaDB") || !manifest.server_version.is_empty());
    assert!(
        manifest
            .tool_versions
            .iter()
            .any(|t| t.name == "mariadb-dump" || t.name == "mysqldump")
    );
    let live = mariadb.table_stats(&source.url).expect("stats");
    assert_eq!(
        manifest.tables, live,
        "the dump's stats are the live database's"
    );
    let rows = |name: &str| live.iter().find(|t| t.name == name).map(|t| t.rows);
    assert_eq!(rows("users"), Some(4));
    assert_eq!(rows("posts"), Some(4));
    assert_eq!(rows("audit"), Some(1));
    assert_eq!(rows("empty_table"), Some(0));
    assert_eq!(rows("odd `name` table"), Some(3));
    assert_eq!(rows("_prisma_migrations"), Some(3));
    assert_eq!(rows("post_titles"), None, "views are not tables");

    let verified = drydock_backup::verify(
        dir.path(),
        &manifest,
        Some(&source.url),
        &VerifyOptions::default(),
    )
    .expect("restore test");
    assert!(verified.restore_tested_at.is_some());

    // Into a database that does not exist yet: restore creates it.
    let target = TestDb::new("dst");
    target.sql(&format!("DROP DATABASE `{}`", target.name));
    let options = RestoreOptions {
        passphrase: None,
        force: false,
        jobs: 1,
        safety: CreateOptions::new(dir.path().join("safety")),
    };
    let report =
        drydock_backup::restore(dir.path(), &verified, &target.url, &options).expect("restore");
    assert!(report.created);

    assert_eq!(mariadb.table_stats(&target.url).expect("stats"), live);
    assert_eq!(target.sql(DIRECT), source.sql(DIRECT));
    assert_eq!(objects(&target), objects(&source));
    assert!(objects(&target).contains("PROCEDURE\tcount_posts"));
    // The trigger still fires in the restored database.
    target.sql("INSERT INTO posts VALUES (5, 2, 'After restore', NULL)");
    assert_eq!(
        target
            .sql("SELECT COUNT(*) FROM audit WHERE post_id = 5")
            .trim(),
        "1"
    );
}

#[test]
fn forced_restore_replaces_a_database_with_tables() {
    let source = TestDb::new("src");
    source.sql(FIXTURE);
    let target = TestDb::new("old");
    target.sql("CREATE TABLE keep_me (id INT); INSERT INTO keep_me VALUES (42);");
    let mariadb = backend(&source.url);
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = drydock_backup::create(
        mariadb.as_ref(),
        &source.url,
        &CreateOptions::new(dir.path()),
    )
    .expect("backup");
    let mut options = RestoreOptions {
        passphrase: None,
        force: false,
        jobs: 1,
        safety: CreateOptions::new(dir.path().join("safety")),
    };
    let refused = drydock_backup::restore(dir.path(), &manifest, &target.url, &options);
    assert!(
        matches!(refused, Err(BackupError::TargetNotEmpty(_))),
        "{refused:?}"
    );
    // `restore` without a selector wants a verified backup; this one is passed directly.
    options.force = true;
    let report = drydock_backup::restore(dir.path(), &manifest, &target.url, &options)
        .expect("forced restore");
    assert!(report.safety_backup.is_some());
    assert_eq!(report.left_behind, None);
    assert_eq!(
        mariadb.table_stats(&target.url).expect("stats"),
        manifest.tables
    );
    assert_eq!(target.sql(DIRECT), source.sql(DIRECT));
    assert_eq!(objects(&target), objects(&source));
    // Neither the scratch copy nor the old data is left on the server.
    let leftovers = target.sql(&format!(
        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name LIKE 'drydock\\_old\\_%' \
         OR schema_name LIKE 'drydock\\_scratch\\_%'; SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema = '{}' AND table_name = 'keep_me'",
        target.name
    ));
    assert_eq!(leftovers.split_whitespace().collect::<Vec<_>>(), ["0", "0"]);
}

#[test]
fn backend_dump_restores_into_a_scratch_database_with_equal_stats() {
    let source = TestDb::new("raw");
    source.sql(FIXTURE);
    let mariadb = backend(&source.url);
    let mut dump = Vec::new();
    let summary = mariadb.dump(&source.url, &mut dump).expect("dump");
    assert_eq!(summary.format.name, "mariadb-sql");
    let text = String::from_utf8_lossy(&dump);
    assert!(text.contains("CREATE TABLE `users`"));
    assert!(text.contains("PROCEDURE `count_posts`"));

    let scratch = mariadb.create_scratch(&source.url).expect("scratch");
    // Dropped at the end even when an assertion fails.
    let _guard = TestDb {
        name: mariadb.database_name(&scratch).expect("name"),
        url: scratch.clone(),
    };
    assert!(mariadb.exists(&scratch).expect("exists"));
    assert!(mariadb.table_stats(&scratch).expect("stats").is_empty());
    mariadb
        .restore(&mut dump.as_slice(), &scratch)
        .expect("restore");
    assert_eq!(
        mariadb.table_stats(&scratch).expect("stats"),
        summary.tables
    );
    assert_eq!(
        mariadb
            .last_migration(&scratch)
            .expect("history")
            .as_deref(),
        Some("20240201000000_posts")
    );
    mariadb.drop_scratch(&scratch).expect("drop");
    assert!(!mariadb.exists(&scratch).expect("exists"));
}

#[test]
fn fingerprints_change_with_any_row() {
    let db = TestDb::new("fp");
    db.sql(FIXTURE);
    let mariadb = backend(&db.url);
    let before = mariadb.table_stats(&db.url).expect("stats");
    db.sql("UPDATE users SET avatar = X'00FF10275C0A0E' WHERE id = 1");
    let after = mariadb.table_stats(&db.url).expect("stats");
    let fingerprint = |stats: &[drydock_backup::TableStats], name: &str| {
        stats
            .iter()
            .find(|t| t.name == name)
            .map(|t| (t.rows, t.fingerprint.clone()))
    };
    assert_ne!(fingerprint(&before, "users"), fingerprint(&after, "users"));
    assert_eq!(fingerprint(&before, "posts"), fingerprint(&after, "posts"));
    db.sql("UPDATE users SET bio = NULL WHERE id = 3");
    let null_not_empty = mariadb.table_stats(&db.url).expect("stats");
    assert_ne!(
        fingerprint(&after, "users"),
        fingerprint(&null_not_empty, "users")
    );
}

#[test]
fn errors_are_clear_and_never_show_the_password() {
    let db = TestDb::new("err");
    let mariadb = backend(&db.url);
    let mut wrong = url::Url::parse(&db.url).expect("url");
    wrong.set_password(Some("hunter2-wrong")).expect("password");
    let error = mariadb
        .server_version(wrong.as_str())
        .expect_err("bad password");
    let text = error.to_string();
    assert!(text.contains("Access denied"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    let error = mariadb
        .dump(wrong.as_str(), &mut Vec::new())
        .expect_err("bad password");
    assert!(!error.to_string().contains("hunter2"), "{error}");

    let mut missing = url::Url::parse(&db.url).expect("url");
    missing.set_path("/drydock_no_such_database_here");
    assert!(!mariadb.exists(missing.as_str()).expect("exists"));
    assert!(mariadb.table_stats(missing.as_str()).is_err());
    assert!(matches!(
        mariadb.database_name("mysql://root@localhost"),
        Err(BackupError::Usage(_))
    ));

    let error = mariadb
        .restore(&mut "CREATE TABLE broken (".as_bytes(), &db.url)
        .expect_err("invalid SQL");
    assert!(error.to_string().contains("SQL syntax"), "{error}");
}

/// Every object of the database and its default character set, as the test sees them.
fn catalog(db: &TestDb) -> String {
    db.sql(
        "SELECT table_type, table_name FROM information_schema.tables \
           WHERE table_schema = DATABASE() ORDER BY 1, 2;
         SELECT routine_type, routine_name FROM information_schema.routines \
           WHERE routine_schema = DATABASE() ORDER BY 1, 2;
         SELECT trigger_name FROM information_schema.triggers \
           WHERE trigger_schema = DATABASE() ORDER BY 1;
         SELECT event_name FROM information_schema.events \
           WHERE event_schema = DATABASE() ORDER BY 1;
         SELECT default_character_set_name, default_collation_name \
           FROM information_schema.schemata WHERE schema_name = DATABASE();",
    )
}

#[test]
fn a_restore_into_an_empty_database_that_does_not_match_its_manifest_leaves_it_as_it_was() {
    let source = TestDb::new("src");
    source.sql(FIXTURE);
    let mariadb = backend(&source.url);
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = drydock_backup::create(
        mariadb.as_ref(),
        &source.url,
        &CreateOptions::new(dir.path()),
    )
    .expect("backup");
    // The manifest no longer describes the file: the checksum passes, the comparison fails.
    let path = dir.path().join(format!("{}.manifest.json", manifest.id));
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("manifest")).expect("json");
    value["tables"][0]["rows"] = serde_json::json!(999_999);
    std::fs::write(&path, serde_json::to_vec(&value).expect("json")).expect("manifest");
    let tampered = drydock_backup::find(dir.path(), &manifest.id).expect("tampered");

    // Empty of tables, but not of everything: a view and a function of its own stay.
    let target = TestDb::new("empty");
    target.sql(
        "CREATE VIEW mine AS SELECT 1 AS one; \
         CREATE FUNCTION kept() RETURNS INT DETERMINISTIC RETURN 7;",
    );
    let before = catalog(&target);
    let options = RestoreOptions {
        passphrase: None,
        force: false,
        jobs: 1,
        safety: CreateOptions::new(dir.path().join("safety")),
    };
    let result = drydock_backup::restore(dir.path(), &tampered, &target.url, &options);
    assert!(
        matches!(result, Err(BackupError::Mismatch(_))),
        "{result:?}"
    );
    assert_eq!(catalog(&target), before, "the target is as it was");
    assert_eq!(target.sql("SELECT kept()").trim(), "7");
}
