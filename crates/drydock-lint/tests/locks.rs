//! The lock each statement takes and its work on rows (`Report::statements`), as deploy plans
//! show them: PostgreSQL's lock modes, MySQL's online DDL verdict, SQLite's write lock.

use drydock_connector::Dialect;
use drydock_lint::{DEFAULT_MAX_ROWS, LintOptions, MigrationFile, NoFacts, Work, lint};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;

/// Each statement of `later` (linted after `earlier`, which creates the tables) with its lock
/// and work.
fn locks(dialect: &dyn Dialect, earlier: &str, later: &str) -> Vec<(String, String, Work)> {
    let file = |path: &str, text: &str| MigrationFile {
        path: path.to_owned(),
        text: text.to_owned(),
        migration_name: None,
    };
    let options = LintOptions {
        dialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: true,
    };
    let report = lint(
        vec![file("1.sql", earlier), file("2.sql", later)],
        &options,
        &mut NoFacts,
    );
    let (second, _) = report
        .files
        .iter()
        .find(|(_, file)| file.name == "2.sql")
        .expect("the second file");
    report
        .statements
        .iter()
        .filter(|statement| statement.span.file == second)
        .map(|statement| {
            let text = later[statement.span.start..statement.span.end].to_owned();
            (text, statement.lock.clone(), statement.work)
        })
        .collect()
}

fn expect(got: Vec<(String, String, Work)>, expected: &[(&str, &str, Work)]) {
    let expected: Vec<(String, String, Work)> = expected
        .iter()
        .map(|(sql, lock, work)| ((*sql).to_owned(), (*lock).to_owned(), *work))
        .collect();
    assert_eq!(got, expected);
}

const PG_TABLES: &str = "CREATE TABLE \"User\" (\"id\" int PRIMARY KEY, \"email\" text, \"age\" int);\n\
                         CREATE TABLE \"Post\" (\"id\" int PRIMARY KEY, \"userId\" int);\n";

#[test]
fn postgres_lock_modes() {
    let got = locks(
        &PostgresDialect,
        PG_TABLES,
        "CREATE INDEX \"i\" ON \"User\"(\"email\");\n\
         CREATE INDEX CONCURRENTLY \"j\" ON \"User\"(\"age\");\n\
         ALTER TABLE \"User\" ADD COLUMN \"bio\" text;\n\
         ALTER TABLE \"User\" ADD COLUMN \"token\" uuid DEFAULT gen_random_uuid();\n\
         ALTER TABLE \"User\" ALTER COLUMN \"age\" TYPE bigint;\n\
         ALTER TABLE \"User\" ALTER COLUMN \"email\" SET NOT NULL;\n\
         ALTER TABLE \"Post\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"userId\") REFERENCES \"User\"(\"id\") NOT VALID;\n\
         ALTER TABLE \"Post\" VALIDATE CONSTRAINT \"fk\";\n\
         UPDATE \"User\" SET \"age\" = 0;\n\
         DROP INDEX CONCURRENTLY \"j\";\n\
         LOCK TABLE \"Post\" IN SHARE ROW EXCLUSIVE MODE;\n\
         CREATE TABLE \"Tag\" (\"id\" int PRIMARY KEY);\n\
         SET lock_timeout = '1s';\n\
         DROP TABLE \"Tag\";\n",
    );
    expect(
        got,
        &[
            (
                "CREATE INDEX \"i\" ON \"User\"(\"email\");",
                "SHARE",
                Work::IndexBuild,
            ),
            (
                "CREATE INDEX CONCURRENTLY \"j\" ON \"User\"(\"age\");",
                "SHARE UPDATE EXCLUSIVE",
                Work::IndexBuild,
            ),
            (
                "ALTER TABLE \"User\" ADD COLUMN \"bio\" text;",
                "ACCESS EXCLUSIVE",
                Work::Catalog,
            ),
            (
                "ALTER TABLE \"User\" ADD COLUMN \"token\" uuid DEFAULT gen_random_uuid();",
                "ACCESS EXCLUSIVE",
                Work::Rewrite,
            ),
            (
                "ALTER TABLE \"User\" ALTER COLUMN \"age\" TYPE bigint;",
                "ACCESS EXCLUSIVE",
                Work::Rewrite,
            ),
            (
                "ALTER TABLE \"User\" ALTER COLUMN \"email\" SET NOT NULL;",
                "ACCESS EXCLUSIVE",
                Work::Scan,
            ),
            (
                "ALTER TABLE \"Post\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"userId\") REFERENCES \"User\"(\"id\") NOT VALID;",
                "SHARE ROW EXCLUSIVE",
                Work::Catalog,
            ),
            (
                "ALTER TABLE \"Post\" VALIDATE CONSTRAINT \"fk\";",
                "SHARE UPDATE EXCLUSIVE",
                Work::Scan,
            ),
            (
                "UPDATE \"User\" SET \"age\" = 0;",
                "ROW EXCLUSIVE",
                Work::Rows,
            ),
            (
                "DROP INDEX CONCURRENTLY \"j\";",
                "SHARE UPDATE EXCLUSIVE",
                Work::Catalog,
            ),
            (
                "LOCK TABLE \"Post\" IN SHARE ROW EXCLUSIVE MODE;",
                "SHARE ROW EXCLUSIVE",
                Work::Catalog,
            ),
            (
                "CREATE TABLE \"Tag\" (\"id\" int PRIMARY KEY);",
                "none",
                Work::Catalog,
            ),
            ("SET lock_timeout = '1s';", "none", Work::Catalog),
            ("DROP TABLE \"Tag\";", "ACCESS EXCLUSIVE", Work::Catalog),
        ],
    );
}

#[test]
fn mysql_online_ddl_verdicts() {
    let got = locks(
        &MysqlDialect,
        "CREATE TABLE `User` (`id` INT NOT NULL PRIMARY KEY, `email` VARCHAR(191), `age` INT);\n",
        "CREATE INDEX `i` ON `User`(`email`);\n\
         ALTER TABLE `User` ADD COLUMN `bio` TEXT;\n\
         ALTER TABLE `User` MODIFY `age` BIGINT;\n\
         UPDATE `User` SET `age` = 0;\n\
         DROP TABLE `User`;\n",
    );
    expect(
        got,
        &[
            (
                "CREATE INDEX `i` ON `User`(`email`);",
                "in place (reads and writes go on)",
                Work::IndexBuild,
            ),
            // No server known: judged for the oldest supported, where MySQL 8.0.0 rebuilds.
            (
                "ALTER TABLE `User` ADD COLUMN `bio` TEXT;",
                "table rebuilt in place (reads and writes go on)",
                Work::Rewrite,
            ),
            (
                "ALTER TABLE `User` MODIFY `age` BIGINT;",
                "table copy (writes blocked)",
                Work::Rewrite,
            ),
            ("UPDATE `User` SET `age` = 0;", "row locks", Work::Rows),
            ("DROP TABLE `User`;", "metadata lock", Work::Catalog),
        ],
    );
}

#[test]
fn sqlite_write_lock() {
    let got = locks(
        &SqliteDialect,
        "CREATE TABLE \"User\" (\"id\" INTEGER PRIMARY KEY, \"email\" TEXT);\n",
        "PRAGMA foreign_keys=OFF;\n\
         CREATE INDEX \"i\" ON \"User\"(\"email\");\n\
         INSERT INTO \"new_User\" SELECT \"id\", \"email\" FROM \"User\";\n\
         DELETE FROM \"User\";\n",
    );
    expect(
        got,
        &[
            ("PRAGMA foreign_keys=OFF;", "none", Work::Catalog),
            (
                "CREATE INDEX \"i\" ON \"User\"(\"email\");",
                "database write lock",
                Work::IndexBuild,
            ),
            (
                "INSERT INTO \"new_User\" SELECT \"id\", \"email\" FROM \"User\";",
                "database write lock",
                Work::Rewrite,
            ),
            ("DELETE FROM \"User\";", "database write lock", Work::Rows),
        ],
    );
}
