//! `drydock cleanup` on real databases: orphans found through the datamodel's relations with
//! and without foreign keys, counted with samples, archived, removed parents first, restored
//! row for row; an interrupted apply resumed without changing anything twice.

use std::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};

use drydock_connector::{CLEANUP_TABLE, Connection, Dialect, is_bookkeeping_table};
use drydock_maintenance::{
    CleanupError, CleanupOptions, CleanupOutcome, OrphanAction, cleanup, read_archive, restore,
};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;
use drydock_schema::Relation;
use drydock_sqlite::SqliteDialect;
use drydock_tasks::Event;
use drydock_test_support::{DatabaseKind, TestDb};

type TestResult = Result<(), Box<dyn Error>>;

/// Users, their posts (deleted with their author; an optional editor unlinked), comments on
/// posts (deleted with their post): a chain of two relations and a `SetNull` one.
fn schema(provider: &str, relation_mode: &str) -> String {
    format!(
        r#"
datasource db {{
  provider     = "{provider}"
  url          = env("DATABASE_URL")
  relationMode = "{relation_mode}"
}}
model User {{
  id     Int    @id
  name   String
  posts  Post[] @relation("writes")
  edited Post[] @relation("edits")
}}
model Post {{
  id       Int       @id
  title    String
  body     Bytes?
  author   User      @relation("writes", fields: [authorId], references: [id], onDelete: Cascade)
  authorId Int
  editor   User?     @relation("edits", fields: [editorId], references: [id])
  editorId Int?
  comments Comment[]
  @@index([authorId])
  @@index([editorId])
}}
model Comment {{
  id     Int    @id
  text   String
  post   Post   @relation(fields: [postId], references: [id], onDelete: Cascade)
  postId Int
  @@index([postId])
}}
"#
    )
}

fn relations(provider: &str, relation_mode: &str) -> Vec<Relation> {
    let files = drydock_psl::Files::single("schema.prisma", schema(provider, relation_mode));
    let (datamodel, diagnostics) = drydock_psl::parse_and_validate(&files);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    drydock_psl::relations(&datamodel)
}

const TABLES: &str = r#"
CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL);
CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, "body" BYTES,
  "authorId" INTEGER NOT NULL, "editorId" INTEGER);
CREATE TABLE "Comment" ("id" INTEGER NOT NULL PRIMARY KEY, "text" TEXT NOT NULL,
  "postId" INTEGER NOT NULL);
"#;

/// Two users; posts 2 and 3 by nobody (2 has a comment: orphaned once 2 goes); post 4 edited
/// by nobody; comment 12 on no post.
const ROWS: &str = r#"
INSERT INTO "User" VALUES (1, 'Ada'), (2, 'Linus');
INSERT INTO "Post" VALUES (1, 'kept', NULL, 1, 2), (2, 'by nobody', BLOB, 99, NULL),
  (3, 'it''s by nobody too', NULL, 98, 1), (4, 'edited by nobody', NULL, 1, 77),
  (5, 'kept too', NULL, 2, NULL);
INSERT INTO "Comment" VALUES (10, 'on a kept post', 1), (11, 'on post 2', 2),
  (12, 'on no post', 55), (13, 'also on post 2', 2);
"#;

fn setup(kind: DatabaseKind, extra: &str) -> Result<(TestDb, Box<dyn Connection>), Box<dyn Error>> {
    let db = TestDb::new(kind);
    let dialect = dialect(kind);
    let mut conn = dialect.connect(db.url())?;
    let (bytes, blob) = match kind {
        DatabaseKind::Postgres => ("BYTEA", "'\\x00ff10'::bytea"),
        DatabaseKind::Sqlite => ("BLOB", "x'00ff10'"),
        DatabaseKind::Mysql => {
            // This session reads the test's SQL as the others do: `"` quotes names, `||` joins.
            conn.execute_script("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI');")?;
            ("LONGBLOB", "x'00ff10'")
        }
    };
    conn.execute_script(&TABLES.replace("BYTES", bytes))?;
    conn.execute_script(extra)?;
    conn.execute_script(&ROWS.replace("BLOB", blob))?;
    Ok((db, conn))
}

fn dialect(kind: DatabaseKind) -> &'static dyn Dialect {
    match kind {
        DatabaseKind::Postgres => &PostgresDialect,
        DatabaseKind::Sqlite => &SqliteDialect,
        DatabaseKind::Mysql => &MysqlDialect,
    }
}

fn provider(kind: DatabaseKind) -> &'static str {
    match kind {
        DatabaseKind::Postgres => "postgresql",
        DatabaseKind::Sqlite => "sqlite",
        DatabaseKind::Mysql => "mysql",
    }
}

/// Every row of every table, as text, in key order.
fn snapshot(conn: &mut dyn Connection, kind: DatabaseKind) -> Result<Vec<String>, Box<dyn Error>> {
    let mut rows = Vec::new();
    for (table, columns) in [
        ("User", "\"id\", \"name\""),
        (
            "Post",
            "\"id\", \"title\", \"body\", \"authorId\", \"editorId\"",
        ),
        ("Comment", "\"id\", \"text\", \"postId\""),
    ] {
        let row = match kind {
            DatabaseKind::Postgres => format!(
                "row_to_json(t)::text FROM (SELECT {columns} FROM \"{table}\" ORDER BY \"id\") t"
            ),
            DatabaseKind::Sqlite | DatabaseKind::Mysql => {
                // Bytes as hexadecimal on MySQL, whose `QUOTE` keeps them raw.
                let quote = if kind == DatabaseKind::Mysql {
                    "quote(hex({}))"
                } else {
                    "quote({})"
                };
                let parts: Vec<String> = columns
                    .split(", ")
                    .map(|c| quote.replace("{}", c))
                    .collect();
                format!(
                    "{} FROM \"{table}\" ORDER BY \"id\"",
                    parts.join(" || '|' || ")
                )
            }
        };
        for value in conn.query_texts(&format!("SELECT '{table}:' || {row}"))? {
            rows.push(value.unwrap_or_default());
        }
    }
    Ok(rows)
}

fn options(db: &TestDb, kind: DatabaseKind, mode: &str, dir: &std::path::Path) -> CleanupOptions {
    let mut options = CleanupOptions::new(db.url(), relations(provider(kind), mode));
    options.archive_dir = dir.to_owned();
    options
}

fn orphans_of(outcome: &CleanupOutcome, relation: &str) -> (u64, Vec<String>, u64) {
    let found = outcome
        .relations
        .iter()
        .find(|r| r.orphans.relation == relation)
        .unwrap_or_else(|| panic!("no relation {relation} in {outcome:?}"));
    (
        found.orphans.orphans,
        found.orphans.samples.clone(),
        found.affected,
    )
}

fn quiet(_: Event) {}

/// The integer `column` of every row of the archive `file`, in archive order.
fn archived_numbers(file: &std::path::Path, column: &str) -> Result<Vec<i64>, Box<dyn Error>> {
    let mut numbers = Vec::new();
    read_archive(file, &mut |batch| {
        for row in &batch.rows {
            let value: serde_json::Value =
                serde_json::from_str(row).map_err(|e| CleanupError::Usage(e.to_string()))?;
            numbers.push(value[column].as_i64().unwrap_or_default());
        }
        Ok(())
    })?;
    Ok(numbers)
}

/// Dry run, apply (chain and unlinking), a clean second look, and a restore equal row for row.
fn counts_archives_removes_and_restores(kind: DatabaseKind, mode: &str, extra: &str) -> TestResult {
    let (db, mut conn) = setup(kind, extra)?;
    let before = snapshot(conn.as_mut(), kind)?;
    let dir = tempfile::tempdir()?;
    let dialect = dialect(kind);
    let mut options = options(&db, kind, mode, dir.path());

    let dry = cleanup(dialect, &options, &quiet)?;
    assert!(!dry.applied);
    assert_eq!(
        orphans_of(&dry, "Post.author"),
        (2, vec!["id=2".to_owned(), "id=3".to_owned()], 0)
    );
    assert_eq!(
        orphans_of(&dry, "Post.editor"),
        (1, vec!["id=4".to_owned()], 0)
    );
    assert_eq!(
        orphans_of(&dry, "Comment.post"),
        (1, vec!["id=12".to_owned()], 0)
    );
    let codes: Vec<&str> = dry.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["D6101", "D6101", "D6101"], "{:?}", dry.findings);
    assert_eq!(
        snapshot(conn.as_mut(), kind)?,
        before,
        "a dry run changes nothing"
    );

    options.apply = true;
    options.batch_size = 1;
    let applied = cleanup(dialect, &options, &quiet)?;
    assert_eq!(orphans_of(&applied, "Post.author").2, 2);
    // Comment 12, then 11 and 13, orphaned by deleting post 2.
    assert_eq!(orphans_of(&applied, "Comment.post").2, 3);
    assert_eq!(orphans_of(&applied, "Post.editor").2, 1);
    assert_eq!(applied.affected, 6);
    let archive = applied.archive.clone().ok_or("no archive")?;
    assert_eq!(archive.rows, 6);
    assert_eq!(archive.batches, 6, "batch size 1");
    let ids: Vec<String> = conn
        .query_texts("SELECT \"id\" FROM \"Post\" ORDER BY \"id\"")?
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(ids, ["1", "4", "5"]);
    let editor = conn.query_texts("SELECT \"editorId\" FROM \"Post\" WHERE \"id\" = 4")?;
    assert_eq!(editor, [None]);
    use std::os::unix::fs::PermissionsExt;
    let mode_bits = std::fs::metadata(&archive.file)?.permissions().mode() & 0o777;
    assert_eq!(mode_bits, 0o600);

    let again = cleanup(dialect, &options, &quiet)?;
    assert_eq!(again.examined, 0);
    assert!(again.findings.is_empty(), "{:?}", again.findings);
    assert!(again.archive.is_none());
    assert!(is_bookkeeping_table(CLEANUP_TABLE));
    let live = conn.introspect(&[])?;
    assert!(live.tables.iter().all(|t| t.name != CLEANUP_TABLE));

    let restored = restore(dialect, db.url(), &archive.file, &quiet)?;
    assert_eq!((restored.inserted, restored.relinked), (5, 1));
    assert_eq!(snapshot(conn.as_mut(), kind)?, before);
    // A second restore finds the rows back already: it fails whole and changes nothing.
    let twice = restore(dialect, db.url(), &archive.manifest, &quiet);
    assert!(
        matches!(twice, Err(CleanupError::Restore { .. })),
        "{twice:?}"
    );
    assert_eq!(twice.err().map(|e| e.code()), Some("D6116"));
    assert_eq!(snapshot(conn.as_mut(), kind)?, before);
    Ok(())
}

#[test]
fn postgres_orphans_without_foreign_keys() -> TestResult {
    counts_archives_removes_and_restores(DatabaseKind::Postgres, "prisma", "")
}

#[test]
fn sqlite_orphans_without_foreign_keys() -> TestResult {
    counts_archives_removes_and_restores(DatabaseKind::Sqlite, "prisma", "")
}

/// Foreign keys present, but the orphans got in anyway: with triggers off
/// (`session_replication_role = replica`) and before a `NOT VALID` constraint.
#[test]
fn postgres_orphans_behind_foreign_keys() -> TestResult {
    counts_archives_removes_and_restores(
        DatabaseKind::Postgres,
        "foreignKeys",
        r#"SET session_replication_role = replica;
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE;
ALTER TABLE "Post" ADD CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") ON DELETE SET NULL;"#,
    )?;
    // NOT VALID: rows already there stay unchecked.
    let (db, mut conn) = setup(DatabaseKind::Postgres, "")?;
    conn.execute_script(
        r#"ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE NOT VALID;"#,
    )?;
    let dir = tempfile::tempdir()?;
    let mut options = options(&db, DatabaseKind::Postgres, "foreignKeys", dir.path());
    options.only = vec!["Comment.post".to_owned()];
    let dry = cleanup(&PostgresDialect, &options, &quiet)?;
    assert_eq!(dry.relations.len(), 1);
    assert_eq!(
        orphans_of(&dry, "Comment.post"),
        (1, vec!["id=12".to_owned()], 0)
    );
    options.apply = true;
    let applied = cleanup(&PostgresDialect, &options, &quiet)?;
    assert_eq!(applied.affected, 1);
    conn.execute_script(r#"ALTER TABLE "Comment" VALIDATE CONSTRAINT "Comment_postId_fkey";"#)?;
    Ok(())
}

#[test]
fn sqlite_orphans_behind_foreign_keys() -> TestResult {
    // SQLite checks foreign keys only while `PRAGMA foreign_keys` is on.
    counts_archives_removes_and_restores(
        DatabaseKind::Sqlite,
        "foreignKeys",
        r#"DROP TABLE "Comment";
CREATE TABLE "Comment" ("id" INTEGER NOT NULL PRIMARY KEY, "text" TEXT NOT NULL,
  "postId" INTEGER NOT NULL REFERENCES "Post"("id") ON DELETE CASCADE);
PRAGMA foreign_keys = OFF;"#,
    )
}

#[test]
fn mysql_orphans_without_foreign_keys() -> TestResult {
    counts_archives_removes_and_restores(DatabaseKind::Mysql, "prisma", "")
}

/// Foreign keys present, but the orphans got in while `FOREIGN_KEY_CHECKS` was off.
#[test]
fn mysql_orphans_behind_foreign_keys() -> TestResult {
    counts_archives_removes_and_restores(
        DatabaseKind::Mysql,
        "foreignKeys",
        r#"SET FOREIGN_KEY_CHECKS = 0;
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE;
ALTER TABLE "Post" ADD CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") ON DELETE SET NULL;
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE;"#,
    )
}

fn a_clean_database_reports_nothing(kind: DatabaseKind) -> TestResult {
    let (db, mut conn) = setup(kind, "")?;
    conn.execute_script(
        r#"DELETE FROM "Comment" WHERE "id" <> 10; DELETE FROM "Post" WHERE "id" <> 1;"#,
    )?;
    let dir = tempfile::tempdir()?;
    let mut options = options(&db, kind, "prisma", dir.path());
    let dry = cleanup(dialect(kind), &options, &quiet)?;
    assert_eq!(dry.examined, 0);
    assert!(dry.findings.is_empty(), "{:?}", dry.findings);
    options.apply = true;
    let applied = cleanup(dialect(kind), &options, &quiet)?;
    assert_eq!(applied.affected, 0);
    assert!(applied.archive.is_none());
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(Iterator::count)
            .unwrap_or(0),
        0
    );
    Ok(())
}

#[test]
fn postgres_clean_database_reports_nothing() -> TestResult {
    a_clean_database_reports_nothing(DatabaseKind::Postgres)
}

#[test]
fn sqlite_clean_database_reports_nothing() -> TestResult {
    a_clean_database_reports_nothing(DatabaseKind::Sqlite)
}

#[test]
fn mysql_clean_database_reports_nothing() -> TestResult {
    a_clean_database_reports_nothing(DatabaseKind::Mysql)
}

/// A relation missing from the database is a D6102 finding; a Restrict relation with orphans
/// needs `--action` (D6111) before anything changes.
#[test]
fn restrict_needs_a_decision_and_missing_tables_are_findings() -> TestResult {
    let (db, mut conn) = setup(DatabaseKind::Sqlite, "")?;
    let before = snapshot(conn.as_mut(), DatabaseKind::Sqlite)?;
    let dir = tempfile::tempdir()?;
    let mut options = options(&db, DatabaseKind::Sqlite, "prisma", dir.path());
    for relation in &mut options.relations {
        if relation.name == "Post.author" {
            relation.on_delete = drydock_schema::ReferentialAction::Restrict;
        }
    }
    let mut ghost = options.relations[0].clone();
    ghost.name = "Ghost.user".to_owned();
    ghost.table.name = "Ghost".to_owned();
    options.relations.push(ghost);
    let dry = cleanup(&SqliteDialect, &options, &quiet)?;
    assert!(
        dry.findings
            .iter()
            .any(|f| f.code == "D6102" && f.title.contains("Ghost"))
    );
    options.apply = true;
    let refused = cleanup(&SqliteDialect, &options, &quiet);
    assert_eq!(
        refused.as_ref().err().map(CleanupError::code),
        Some("D6111"),
        "{refused:?}"
    );
    assert_eq!(snapshot(conn.as_mut(), DatabaseKind::Sqlite)?, before);
    options.action = Some(OrphanAction::Delete);
    let applied = cleanup(&SqliteDialect, &options, &quiet)?;
    assert_eq!(orphans_of(&applied, "Post.author").2, 2);
    Ok(())
}

/// Stopped after two committed batches, then run again: the rerun continues the same archive
/// and every orphan is archived and deleted exactly once.
fn resumes_after_an_interruption(kind: DatabaseKind) -> TestResult {
    resumes_after_an_interruption_and(kind, &|_| Ok(()))?;
    Ok(())
}

/// [`resumes_after_an_interruption`], with `between` done to the database before the rerun;
/// returns the database and a session on it.
fn resumes_after_an_interruption_and(
    kind: DatabaseKind,
    between: &dyn Fn(&mut dyn Connection) -> TestResult,
) -> Result<(TestDb, Box<dyn Connection>), Box<dyn Error>> {
    let (db, mut conn) = setup(kind, "")?;
    conn.execute_script(
        "INSERT INTO \"Comment\" WITH RECURSIVE s(n) AS (SELECT 100 UNION ALL SELECT n + 1 \
         FROM s WHERE n < 599) SELECT n, 'orphan ' || n, 1000 + n FROM s;",
    )?;
    let dir = tempfile::tempdir()?;
    let mut options = options(&db, kind, "prisma", dir.path());
    options.only = vec!["Comment.post".to_owned()];
    options.apply = true;
    options.batch_size = 50;
    let batches = AtomicU64::new(0);
    let interrupt = options.interrupt.clone();
    let stop_after_two = |event: Event| {
        if matches!(event, Event::Progress { .. }) && batches.fetch_add(1, Ordering::SeqCst) == 1 {
            interrupt.trigger();
        }
    };
    let stopped = cleanup(dialect(kind), &options, &stop_after_two);
    let Err(error) = stopped else {
        return Err("the cleanup was not interrupted".into());
    };
    assert_eq!(error.code(), "D6113", "{error}");
    let left = conn.query_texts("SELECT count(*) FROM \"Comment\"")?;
    assert_eq!(
        left,
        [Some("404".to_owned())],
        "two batches of 50 committed"
    );

    between(conn.as_mut())?;
    options.interrupt = drydock_connector::Interrupt::new();
    let resumed = cleanup(dialect(kind), &options, &quiet)?;
    assert!(resumed.resumed.is_some());
    assert_eq!(resumed.affected, 501);
    let archive = resumed.archive.ok_or("no archive")?;
    let mut ids = archived_numbers(&archive.file, "id")?;
    ids.sort_unstable();
    let mut expected: Vec<i64> = (100..600).collect();
    expected.push(12);
    expected.sort_unstable();
    assert_eq!(ids, expected, "each deleted row archived once");
    restore(dialect(kind), db.url(), &archive.file, &quiet)?;
    let back = conn.query_texts("SELECT count(*) FROM \"Comment\"")?;
    assert_eq!(back, [Some("504".to_owned())]);
    Ok((db, conn))
}

#[test]
fn postgres_resumes_after_an_interruption() -> TestResult {
    resumes_after_an_interruption(DatabaseKind::Postgres)
}

/// An earlier drydock kept the progress table in the managed schema: the cleanup it left
/// unfinished there resumes, and the table moves into the schema `_drydock` (its rows merged
/// into one that is there already).
#[test]
fn postgres_resumes_a_cleanup_recorded_in_the_managed_schema() -> TestResult {
    let progress = |conn: &mut dyn Connection| -> Result<Vec<String>, Box<dyn Error>> {
        Ok(conn
            .query_texts(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables \
                 WHERE table_name = '_drydock_cleanups' ORDER BY 1",
            )?
            .into_iter()
            .flatten()
            .collect())
    };
    for merged in [false, true] {
        let resumed = resumes_after_an_interruption_and(DatabaseKind::Postgres, &|conn| {
            conn.execute_script(
                "ALTER TABLE \"_drydock\".\"_drydock_cleanups\" SET SCHEMA \"public\"",
            )?;
            if merged {
                conn.execute_script(
                    "CREATE TABLE \"_drydock\".\"_drydock_cleanups\" (LIKE \
                     \"public\".\"_drydock_cleanups\" INCLUDING ALL); \
                     INSERT INTO \"_drydock\".\"_drydock_cleanups\" VALUES \
                     ('20260101T000000_cleanup_postgresql_0000done', \
                     '2026-01-01T00:00:00+00:00', 1, 1, 100, '2026-01-01T00:00:01+00:00')",
                )?;
            }
            let before = progress(conn)?;
            assert!(
                before.contains(&"public._drydock_cleanups".to_owned()),
                "{before:?}"
            );
            Ok(())
        })?;
        let (_db, mut conn) = resumed;
        assert_eq!(progress(conn.as_mut())?, ["_drydock._drydock_cleanups"]);
        let finished = conn.query_texts(
            "SELECT count(*) FROM \"_drydock\".\"_drydock_cleanups\" \
             WHERE finished_at IS NOT NULL",
        )?;
        let expected = if merged { "2" } else { "1" };
        assert_eq!(finished, [Some(expected.to_owned())], "merged: {merged}");
    }
    Ok(())
}

#[test]
fn sqlite_resumes_after_an_interruption() -> TestResult {
    resumes_after_an_interruption(DatabaseKind::Sqlite)
}

#[test]
fn mysql_resumes_after_an_interruption() -> TestResult {
    resumes_after_an_interruption(DatabaseKind::Mysql)
}

/// Batches go on after the key of the batch before: with a composite key of text (cases
/// mixed, so the database's order and a byte order differ) and integers, orphans between kept
/// rows, every orphan is deleted and archived once and every kept row stays.
fn batches_continue_after_the_last_key(kind: DatabaseKind) -> TestResult {
    let db = TestDb::new(kind);
    let mut conn = dialect(kind).connect(db.url())?;
    conn.execute_script(
        "CREATE TABLE \"Owner\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n\
         CREATE TABLE \"Tag\" (\"ns\" TEXT NOT NULL, \"code\" INTEGER NOT NULL, \
         \"ownerId\" INTEGER NOT NULL, PRIMARY KEY (\"ns\", \"code\"));\n\
         INSERT INTO \"Owner\" VALUES (1), (2);\n\
         WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 60) \
         INSERT INTO \"Tag\" SELECT CASE n % 4 WHEN 0 THEN 'a' WHEN 1 THEN 'B' WHEN 2 THEN 'c' \
         ELSE 'a b' END, n, CASE WHEN n % 3 = 0 THEN 1 + n % 2 ELSE 100 + n END FROM s;",
    )?;
    let schema = format!(
        "datasource db {{\n  provider = \"{}\"\n  url = env(\"DATABASE_URL\")\n  relationMode = \
         \"prisma\"\n}}\nmodel Owner {{\n  id Int @id\n  tags Tag[]\n}}\nmodel Tag {{\n  ns \
         String\n  code Int\n  owner Owner @relation(fields: [ownerId], references: [id], \
         onDelete: Cascade)\n  ownerId Int\n  @@id([ns, code])\n}}\n",
        provider(kind)
    );
    let files = drydock_psl::Files::single("schema.prisma", schema);
    let (datamodel, diagnostics) = drydock_psl::parse_and_validate(&files);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let dir = tempfile::tempdir()?;
    let mut options = CleanupOptions::new(db.url(), drydock_psl::relations(&datamodel));
    options.archive_dir = dir.path().to_owned();
    options.apply = true;
    options.batch_size = 7;
    let applied = cleanup(dialect(kind), &options, &quiet)?;
    assert_eq!(applied.affected, 40);
    let archive = applied.archive.ok_or("no archive")?;
    assert_eq!((archive.rows, archive.batches), (40, 6));
    let mut codes = archived_numbers(&archive.file, "code")?;
    codes.sort_unstable();
    let orphans: Vec<i64> = (1..=60).filter(|n| n % 3 != 0).collect();
    assert_eq!(codes, orphans, "each orphan archived once");
    let kept: Vec<String> = conn
        .query_texts("SELECT \"code\" AS c FROM \"Tag\" ORDER BY \"Tag\".\"code\"")?
        .into_iter()
        .flatten()
        .collect();
    let expected: Vec<String> = (1..=60)
        .filter(|n| n % 3 == 0)
        .map(|n| n.to_string())
        .collect();
    assert_eq!(kept, expected);
    Ok(())
}

#[test]
fn postgres_batches_continue_after_the_last_key() -> TestResult {
    batches_continue_after_the_last_key(DatabaseKind::Postgres)
}

#[test]
fn sqlite_batches_continue_after_the_last_key() -> TestResult {
    batches_continue_after_the_last_key(DatabaseKind::Sqlite)
}

fn rule(
    name: &str,
    table: &str,
    predicate: &str,
    cleanup: drydock_maintenance::CleanupAction,
) -> drydock_maintenance::Rule {
    drydock_maintenance::Rule {
        name: name.to_owned(),
        table: table.to_owned(),
        predicate: predicate.to_owned(),
        severity: drydock_maintenance::Severity::Warning,
        description: None,
        cleanup: Some(cleanup),
    }
}

/// `[[rules]]` cleanups: counted with samples and their statement in a dry run, applied in
/// batches (a delete, an update), archived and restored row for row; an update that leaves its
/// rows selected fails its batch; a rule on a missing table stops the run before it changes
/// anything.
fn rule_cleanups(kind: DatabaseKind) -> TestResult {
    use drydock_maintenance::CleanupAction;
    let (db, mut conn) = setup(kind, "")?;
    let before = snapshot(conn.as_mut(), kind)?;
    let dir = tempfile::tempdir()?;
    let mut options = options(&db, kind, "prisma", dir.path());
    options.rules = vec![
        rule(
            "stray",
            "Comment",
            "\"Comment\".\"text\" LIKE 'on no%'",
            CleanupAction::Delete,
        ),
        rule(
            "review",
            "Post",
            "\"Post\".\"title\" LIKE 'kept%'",
            CleanupAction::Update {
                set: "\"title\" = 'reviewed ' || \"title\"".to_owned(),
            },
        ),
        rule("no cleanup", "Post", "1 = 1", CleanupAction::Delete),
    ];
    options.rules[2].cleanup = None;
    options.only = vec!["stray".to_owned(), "review".to_owned()];
    let dry = cleanup(dialect(kind), &options, &quiet)?;
    assert!(dry.relations.is_empty(), "--only names rules only");
    let seen: Vec<(&str, u64, Vec<String>)> = dry
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.rows, r.samples.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            ("stray", 1, vec!["id=12".to_owned()]),
            ("review", 2, vec!["id=1".to_owned(), "id=5".to_owned()]),
        ]
    );
    assert!(
        dry.rules[1]
            .statement
            .starts_with("UPDATE \"Post\" SET \"title\""),
        "{}",
        dry.rules[1].statement
    );
    assert_eq!(
        snapshot(conn.as_mut(), kind)?,
        before,
        "a dry run changes nothing"
    );

    options.apply = true;
    options.batch_size = 1;
    let applied = cleanup(dialect(kind), &options, &quiet)?;
    assert_eq!(applied.affected, 3);
    let affected: Vec<u64> = applied.rules.iter().map(|r| r.affected).collect();
    assert_eq!(affected, [1, 2]);
    let archive = applied.archive.ok_or("no archive")?;
    assert_eq!((archive.rows, archive.batches), (3, 3));
    let titles: Vec<String> = conn
        .query_texts("SELECT \"title\" FROM \"Post\" WHERE \"id\" IN (1, 5) ORDER BY \"id\"")?
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(titles, ["reviewed kept", "reviewed kept too"]);
    let again = cleanup(dialect(kind), &options, &quiet)?;
    assert_eq!(again.affected, 0);
    let restored = restore(dialect(kind), db.url(), &archive.file, &quiet)?;
    assert_eq!((restored.inserted, restored.relinked), (1, 2));
    assert_eq!(snapshot(conn.as_mut(), kind)?, before);

    // A `SET` that leaves its rows selected would change them again forever.
    options.rules = vec![rule(
        "endless",
        "Post",
        "\"Post\".\"id\" = 1",
        CleanupAction::Update {
            set: "\"title\" = 'still one'".to_owned(),
        },
    )];
    options.only = vec!["endless".to_owned()];
    let endless = cleanup(dialect(kind), &options, &quiet);
    assert_eq!(
        endless.as_ref().err().map(CleanupError::code),
        Some("D6112"),
        "{endless:?}"
    );
    // The failed batch rolled back; run the rule no more.
    let (_, progress) = dialect(kind)
        .cleanup_sql()
        .ok_or("no cleanup SQL")?
        .progress_table(conn.as_mut())?;
    conn.execute_script(&format!("DELETE FROM {progress}"))?;
    assert_eq!(snapshot(conn.as_mut(), kind)?, before);

    options.rules = vec![rule("ghost", "Ghost", "1 = 1", CleanupAction::Delete)];
    options.only = vec!["ghost".to_owned()];
    let ghost = cleanup(dialect(kind), &options, &quiet);
    assert_eq!(
        ghost.as_ref().err().map(CleanupError::code),
        Some("D6117"),
        "{ghost:?}"
    );
    assert_eq!(snapshot(conn.as_mut(), kind)?, before);
    Ok(())
}

#[test]
fn postgres_rule_cleanups() -> TestResult {
    rule_cleanups(DatabaseKind::Postgres)
}

#[test]
fn sqlite_rule_cleanups() -> TestResult {
    rule_cleanups(DatabaseKind::Sqlite)
}

/// A rule's cleanup stopped after two committed batches, then run again: the rerun continues
/// the same archive, and every selected row is archived and deleted exactly once.
fn a_rule_cleanup_resumes_after_an_interruption(kind: DatabaseKind) -> TestResult {
    let (db, mut conn) = setup(kind, "")?;
    conn.execute_script(
        "WITH RECURSIVE s(n) AS (SELECT 100 UNION ALL SELECT n + 1 FROM s WHERE n < 299) \
         INSERT INTO \"Comment\" SELECT n, 'spam ' || n, 1 FROM s;",
    )?;
    let dir = tempfile::tempdir()?;
    let mut options = options(&db, kind, "prisma", dir.path());
    options.rules = vec![rule(
        "spam",
        "Comment",
        "\"Comment\".\"text\" LIKE 'spam%'",
        drydock_maintenance::CleanupAction::Delete,
    )];
    options.only = vec!["spam".to_owned()];
    options.apply = true;
    options.batch_size = 30;
    let batches = AtomicU64::new(0);
    let interrupt = options.interrupt.clone();
    let stop_after_two = |event: Event| {
        if matches!(event, Event::Progress { .. }) && batches.fetch_add(1, Ordering::SeqCst) == 1 {
            interrupt.trigger();
        }
    };
    let stopped = cleanup(dialect(kind), &options, &stop_after_two);
    assert_eq!(stopped.err().map(|e| e.code()), Some("D6113"));
    let left = conn.query_texts("SELECT count(*) FROM \"Comment\"")?;
    assert_eq!(
        left,
        [Some("144".to_owned())],
        "two batches of 30 committed"
    );

    options.interrupt = drydock_connector::Interrupt::new();
    let resumed = cleanup(dialect(kind), &options, &quiet)?;
    assert!(resumed.resumed.is_some());
    assert_eq!(resumed.affected, 200);
    let archive = resumed.archive.ok_or("no archive")?;
    let mut ids = archived_numbers(&archive.file, "id")?;
    ids.sort_unstable();
    assert_eq!(
        ids,
        (100..300).collect::<Vec<i64>>(),
        "each deleted row archived once"
    );
    Ok(())
}

#[test]
fn postgres_rule_cleanup_resumes_after_an_interruption() -> TestResult {
    a_rule_cleanup_resumes_after_an_interruption(DatabaseKind::Postgres)
}

#[test]
fn sqlite_rule_cleanup_resumes_after_an_interruption() -> TestResult {
    a_rule_cleanup_resumes_after_an_interruption(DatabaseKind::Sqlite)
}
