//! The corpora, one per grammar (`corpus/` for PostgreSQL, `corpus_mysql/` for MySQL and
//! MariaDB): each file under `dangerous` names the rules it breaks on its first line
//! (`-- expect: rule[, rule…]`, a rule repeated once per finding), each file under `safe`
//! breaks none. Every file is linted after its corpus's `schema.sql`, the existing schema they
//! all change, whose own findings are not counted.

use std::path::{Path, PathBuf};

use drydock_connector::{Dialect, SqlGrammar};
use drydock_diagnostics::FileId;
use drydock_lint::report::render_text;
use drydock_lint::{
    DEFAULT_MAX_ROWS, Facts, LintOptions, LiveColumn, LiveTable, MigrationFile, NoFacts, Report,
    TableName, TableSize, lint, rules,
};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;

/// A corpus: its folder and the dialect its files are written for.
#[derive(Clone, Copy)]
struct Corpus {
    folder: &'static str,
    dialect: &'static dyn Dialect,
}

const POSTGRES: Corpus = Corpus {
    folder: "corpus",
    dialect: &PostgresDialect,
};

const MYSQL: Corpus = Corpus {
    folder: "corpus_mysql",
    dialect: &MysqlDialect,
};

impl Corpus {
    fn root(self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(self.folder)
    }

    fn sql_files(self, kind: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.root().join(kind))
            .unwrap_or_else(|e| panic!("listing {kind}: {e}"))
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
            .collect();
        files.sort();
        files
    }

    /// Lints `path` after the corpus schema; returns the rule names of its own findings.
    fn lint_after_schema(self, path: &Path) -> Vec<String> {
        let schema = file("schema.sql", read(&self.root().join("schema.sql")));
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let options = LintOptions {
            dialect: self.dialect,
            max_rows: DEFAULT_MAX_ROWS,
            deployed_by_drydock: false,
        };
        let report = lint(
            vec![schema, file(&name, read(path))],
            &options,
            &mut NoFacts,
        );
        let mut names: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.span.file == FileId(1))
            .map(|f| f.rule.name.to_owned())
            .collect();
        names.sort();
        names
    }

    fn dangerous_files_break_exactly_the_rules_they_name(self, at_least: usize) {
        let files = self.sql_files("dangerous");
        assert!(files.len() >= at_least, "the dangerous corpus shrank");
        let mut failures = Vec::new();
        for path in files {
            let want = expected(&read(&path));
            let got = self.lint_after_schema(&path);
            if want != got {
                failures.push(format!(
                    "{}: expected {want:?}, found {got:?}",
                    path.display()
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    fn safe_files_break_nothing(self) {
        let mut failures = Vec::new();
        for path in self.sql_files("safe") {
            let got = self.lint_after_schema(&path);
            if !got.is_empty() {
                failures.push(format!("{}: found {got:?}", path.display()));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn file(path: &str, text: String) -> MigrationFile {
    MigrationFile {
        path: path.to_owned(),
        text,
        migration_name: None,
    }
}

fn expected(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("-- expect:")
        .unwrap_or_else(|| panic!("a dangerous file starts with `-- expect:`, not `{first}`"));
    let mut names: Vec<String> = list
        .split(',')
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    for name in &names {
        assert!(
            rules::find(name).is_some(),
            "unknown rule `{name}` in an expect line"
        );
    }
    names.sort();
    names
}

#[test]
fn dangerous_files_break_exactly_the_rules_they_name() {
    POSTGRES.dangerous_files_break_exactly_the_rules_they_name(20);
}

#[test]
fn safe_files_break_nothing() {
    POSTGRES.safe_files_break_nothing();
}

#[test]
fn dangerous_mysql_files_break_exactly_the_rules_they_name() {
    MYSQL.dangerous_files_break_exactly_the_rules_they_name(15);
}

#[test]
fn safe_mysql_files_break_nothing() {
    MYSQL.safe_files_break_nothing();
}

#[test]
fn every_rule_is_exercised_by_a_dangerous_file_of_its_grammar() {
    for rule in rules::ALL {
        // The naming rule reads folder names, not SQL; `tests/names.rs` covers it.
        if rule.name == "migration-name" {
            continue;
        }
        let corpus = if rule.grammars.contains(&SqlGrammar::PostgreSql) {
            POSTGRES
        } else {
            MYSQL
        };
        let seen = corpus
            .sql_files("dangerous")
            .iter()
            .any(|path| expected(&read(path)).iter().any(|name| name == rule.name));
        assert!(seen, "{} has no file in {}", rule.name, corpus.folder);
    }
}

/// Lints one file on its own, for snapshots of what a user sees.
fn lint_alone(name: &str, text: &str) -> Report {
    lint_alone_on(&PostgresDialect, name, text, &mut NoFacts)
}

fn lint_alone_on(dialect: &dyn Dialect, name: &str, text: &str, facts: &mut dyn Facts) -> Report {
    let options = LintOptions {
        dialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    lint(vec![file(name, text.to_owned())], &options, facts)
}

#[test]
fn terminal_output_of_an_index_on_an_existing_table() {
    let report = lint_alone(
        "migrations/20240101000000_add_user_email_index/migration.sql",
        "-- Add an index\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n",
    );
    insta::assert_snapshot!(render_text(&report));
}

#[test]
fn terminal_output_of_a_mixed_migration() {
    let report = lint_alone(
        "migration.sql",
        "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"fullName\";\n\
         ALTER TABLE \"User\" DROP COLUMN \"nickname\";\n\
         DO $$ BEGIN PERFORM 1; END $$;\n",
    );
    insta::assert_snapshot!(render_text(&report));
}

#[test]
fn terminal_output_of_a_transaction_mistake() {
    let report = lint_alone(
        "migration.sql",
        "BEGIN;\nCREATE INDEX CONCURRENTLY \"i\" ON \"t\" (\"a\");\nCOMMIT;\n",
    );
    insta::assert_snapshot!(render_text(&report));
}

/// A server that describes itself as `version`, whose tables all have `rows` rows.
struct Server {
    version: &'static str,
    rows: u64,
}

impl Facts for Server {
    fn server_major_version(&mut self) -> Option<u32> {
        None
    }

    fn server_version(&mut self) -> Option<String> {
        Some(self.version.to_owned())
    }

    fn table_size(&mut self, _table: &TableName) -> Option<TableSize> {
        Some(TableSize {
            rows: self.rows,
            bytes: self.rows * 100,
        })
    }
}

/// What `migrate dev` writes for a changed schema (`drydock-mysql`'s corpus, `alter_everything`)
/// after the migration that created its tables.
const MYSQL_HISTORY: &str = "CREATE TABLE `User` (\n    `id` INTEGER NOT NULL AUTO_INCREMENT,\n    \
    `nickname` VARCHAR(191) NULL,\n    `age` INTEGER NULL,\n    `bio` VARCHAR(191) NULL DEFAULT 'x',\n    \
    `visits` INTEGER NOT NULL DEFAULT 0,\n\n    PRIMARY KEY (`id`)\n) DEFAULT CHARACTER SET utf8mb4 \
    COLLATE utf8mb4_unicode_ci;\n\nCREATE TABLE `Post` (\n    `id` INTEGER NOT NULL AUTO_INCREMENT,\n    \
    `title` VARCHAR(191) NOT NULL,\n    `authorId` INTEGER NOT NULL,\n\n    PRIMARY KEY (`id`)\n) \
    DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n\nCREATE TABLE `Tag` (\n    \
    `name` VARCHAR(191) NOT NULL,\n    `label` VARCHAR(191) NOT NULL,\n\n    PRIMARY KEY (`name`)\n) \
    DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n";

const MYSQL_CHANGES: &str = "-- AlterTable\nALTER TABLE `User` ADD COLUMN `country` VARCHAR(2) NOT NULL DEFAULT 'NZ',\n    \
    MODIFY `nickname` VARCHAR(191) NOT NULL,\n    MODIFY `age` BIGINT NOT NULL,\n    \
    ALTER COLUMN `bio` DROP DEFAULT,\n    MODIFY `visits` INTEGER NOT NULL DEFAULT 1;\n\n\
    -- AlterTable\nALTER TABLE `Post` ADD COLUMN `views` INTEGER NOT NULL DEFAULT 0;\n\n\
    -- AlterTable\nALTER TABLE `Tag` DROP PRIMARY KEY,\n    ADD PRIMARY KEY (`name`, `label`);\n\n\
    -- CreateIndex\nCREATE INDEX `Post_title_idx` ON `Post`(`title`);\n\n\
    -- AddForeignKey\nALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) \
    REFERENCES `User`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;\n\n\
    -- RenameIndex\nALTER TABLE `User` RENAME INDEX `old_age_index` TO `User_age_idx`;\n";

fn mysql_changes(facts: &mut dyn Facts) -> String {
    let options = LintOptions {
        dialect: &MysqlDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    let report = lint(
        vec![
            file(
                "migrations/20240101000000_init/migration.sql",
                MYSQL_HISTORY.to_owned(),
            ),
            file(
                "migrations/20240201000000_alter_everything/migration.sql",
                MYSQL_CHANGES.to_owned(),
            ),
        ],
        &options,
        facts,
    );
    render_text(&report)
}

#[test]
fn terminal_output_of_a_mysql_migration_without_a_server() {
    insta::assert_snapshot!(mysql_changes(&mut NoFacts));
}

#[test]
fn terminal_output_of_a_mysql_migration_on_mysql_8_0_36() {
    insta::assert_snapshot!(mysql_changes(&mut Server {
        version: "MySQL 8.0.36",
        rows: 1_000_000,
    }));
}

#[test]
fn terminal_output_of_a_mysql_migration_on_small_mariadb_tables() {
    insta::assert_snapshot!(mysql_changes(&mut Server {
        version: "MariaDB 10.11.6",
        rows: 100,
    }));
}

#[test]
fn tables_created_by_migrate_dev_get_no_errors_on_mysql() {
    let report = lint_alone_on(
        &MysqlDialect,
        "migration.sql",
        &read(&MYSQL.root().join("safe/prisma_new_tables.sql")),
        &mut NoFacts,
    );
    assert!(report.findings.is_empty(), "{}", render_text(&report));
    assert!(report.notices.is_empty(), "{:?}", report.notices);
}

/// The findings of a MySQL migration after the corpus schema, with `facts`: each as its
/// rule and line.
fn mysql_findings(facts: &mut dyn Facts, text: &str) -> Vec<(&'static str, usize)> {
    let options = LintOptions {
        dialect: &MysqlDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: true,
    };
    let report = lint(
        vec![
            file("schema.sql", read(&MYSQL.root().join("schema.sql"))),
            file("migration.sql", text.to_owned()),
        ],
        &options,
        facts,
    );
    report
        .findings
        .iter()
        .filter(|f| f.span.file == FileId(1))
        .map(|f| (f.rule.name, text[..f.span.start].matches('\n').count() + 1))
        .collect()
}

/// The rules a MySQL migration breaks after the corpus schema, on a server that describes
/// itself as `version` (large tables).
fn mysql_rules_on(version: &'static str, text: &str) -> Vec<&'static str> {
    let mut server = Server {
        version,
        rows: 1_000_000,
    };
    mysql_findings(&mut server, text)
        .into_iter()
        .map(|(rule, _)| rule)
        .collect()
}

#[test]
fn the_server_version_decides_mysql_online_ddl() {
    let placed = "ALTER TABLE `User` ADD COLUMN `title` VARCHAR(20) NULL AFTER `name`;\n";
    assert_eq!(
        mysql_rules_on("MySQL 8.0.28", placed),
        ["mysql-table-rebuild"]
    );
    assert_eq!(
        mysql_rules_on("MySQL 8.0.29", placed),
        ["mysql-alter-without-algorithm"]
    );
    assert_eq!(
        mysql_rules_on("MariaDB 10.6.16", placed),
        ["mysql-alter-without-algorithm"]
    );
    // Dropping NOT NULL is instant on MariaDB, a rebuild on MySQL.
    let nullable = "ALTER TABLE `User` MODIFY `age` INTEGER NULL;\n";
    assert_eq!(
        mysql_rules_on("MySQL 8.0.36", nullable),
        ["mysql-table-rebuild"]
    );
    assert_eq!(
        mysql_rules_on("MariaDB 10.11.6", nullable),
        ["mysql-alter-without-algorithm"]
    );
    // Instant ADD COLUMN came with MySQL 8.0.12.
    let last = "ALTER TABLE `User` ADD COLUMN `plan` VARCHAR(20) NULL;\n";
    assert_eq!(
        mysql_rules_on("MySQL 8.0.11", last),
        ["mysql-table-rebuild"]
    );
    assert_eq!(
        mysql_rules_on("MySQL 8.0.12", last),
        ["mysql-alter-without-algorithm"]
    );
    // The row-version limit is MySQL's from 8.0.29, never MariaDB's.
    let limit = read(&MYSQL.root().join("dangerous/instant_column_limit.sql"));
    assert_eq!(
        mysql_rules_on("MySQL 8.0.36", &limit),
        ["mysql-instant-column-limit"]
    );
    assert!(mysql_rules_on("MariaDB 10.11.6", &limit).is_empty());
}

/// MySQL 8.0.36 whose tables (`only` that one, if named) are laid out as `live` says.
struct LiveOnMysql8 {
    only: Option<&'static str>,
    live: LiveTable,
}

impl LiveOnMysql8 {
    /// Every table with `versions` row versions used.
    fn row_versions(versions: u32) -> LiveOnMysql8 {
        LiveOnMysql8 {
            only: None,
            live: LiveTable {
                row_versions: Some(versions),
                ..LiveTable::default()
            },
        }
    }
}

impl Facts for LiveOnMysql8 {
    fn server_major_version(&mut self) -> Option<u32> {
        Some(8)
    }

    fn server_version(&mut self) -> Option<String> {
        Some("MySQL 8.0.36".to_owned())
    }

    fn table_size(&mut self, _table: &TableName) -> Option<TableSize> {
        None
    }

    fn live_table(&mut self, table: &TableName) -> Option<LiveTable> {
        self.only
            .is_none_or(|only| *table == TableName::from_sql_parts(&[only]))
            .then(|| self.live.clone())
    }
}

#[test]
fn the_live_row_version_count_and_this_files_changes_add_up() {
    let lines_hit = |used: u32, text: &str| -> Vec<usize> {
        mysql_findings(&mut LiveOnMysql8::row_versions(used), text)
            .into_iter()
            .filter(|(rule, _)| *rule == "mysql-instant-column-limit")
            .map(|(_, line)| line)
            .collect()
    };
    let two_columns = "ALTER TABLE `User` ADD COLUMN `a` INTEGER NULL;\n\
                       ALTER TABLE `User` ADD COLUMN `b` INTEGER NULL;\n";
    // 63 used: the first takes the last version, the second finds none.
    assert_eq!(lines_hit(63, two_columns), [2]);
    assert_eq!(lines_hit(62, two_columns), Vec::<usize>::new());
    // 64 used: the first rebuilds the table (MySQL's choice once they are used up), which
    // gives the second all of them.
    assert_eq!(lines_hit(64, two_columns), [1]);
    // A rebuild in the file starts the count over, whatever the server counted before.
    let rebuilt = format!("OPTIMIZE TABLE `User`;\n{two_columns}");
    assert_eq!(lines_hit(64, &rebuilt), Vec::<usize>::new());
}

#[test]
fn a_comment_set_by_hand_is_known_beside_the_files() {
    let modify = "ALTER TABLE `Post` MODIFY `title` VARCHAR(191) NOT NULL, ALGORITHM=INSTANT;\n";
    let rule = "mysql-modify-drops-attributes";
    // `Post.title` has a comment set by hand, outside the files.
    let mut commented = LiveOnMysql8 {
        only: Some("Post"),
        live: LiveTable {
            columns: vec![LiveColumn {
                name: "title".to_owned(),
                data_type: "varchar(191)".to_owned(),
                nullable: false,
                charset: Some("utf8mb4".to_owned()),
                bytes_per_char: Some(4),
                on_update: None,
                comment: Some("Shown in lists".to_owned()),
            }],
            default_charset: Some("utf8mb4".to_owned()),
            ..LiveTable::default()
        },
    };
    let with_live = mysql_findings(&mut commented, modify);
    assert!(
        with_live.iter().any(|(name, _)| *name == rule),
        "{with_live:?}"
    );
    let files_only = mysql_findings(&mut NoFacts, modify);
    assert!(
        files_only.iter().all(|(name, _)| *name != rule),
        "{files_only:?}"
    );
}

/// The SQL of a snapshot of `drydock-mysql`'s renderer corpus (its insta header left out).
fn mysql_renderer_output(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../drydock-mysql/tests/snapshots")
        .join(format!("corpus__{name}.snap"));
    let text = read(&path);
    text.splitn(3, "---\n")
        .nth(2)
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn what_migrate_dev_writes_for_new_mysql_tables_breaks_nothing() {
    // The renderer corpus's schemas without a `before.prisma`: every table is new in the file.
    for name in [
        "index_options",
        "many_to_many",
        "native_types",
        "user_email_unique",
        "worked_example",
    ] {
        let sql = mysql_renderer_output(name);
        assert!(sql.contains("CREATE TABLE"), "{name}: {sql}");
        let report = lint_alone_on(&MysqlDialect, "migration.sql", &sql, &mut NoFacts);
        assert!(
            report.findings.is_empty(),
            "{name}: {}",
            render_text(&report)
        );
    }
}
