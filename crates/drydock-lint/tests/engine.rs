//! The linter as a whole: migration names, ignore comments, SQLite projects, the output
//! formats, and no panic on any input.

use drydock_lint::report::{render_github, render_text, to_json};
use drydock_lint::{
    DEFAULT_MAX_ROWS, Facts, Level, LintOptions, MigrationFile, NoFacts, Report, TableName,
    TableSize, lint,
};
use drydock_mysql::MysqlDialect;
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;
use proptest::prelude::*;

fn migration(name: Option<&str>, text: &str) -> MigrationFile {
    MigrationFile {
        path: "m/migration.sql".to_owned(),
        text: text.to_owned(),
        migration_name: name.map(str::to_owned),
    }
}

fn postgres(files: Vec<MigrationFile>) -> Report {
    let options = LintOptions {
        dialect: &PostgresDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    lint(files, &options, &mut NoFacts)
}

fn mysql(files: Vec<MigrationFile>) -> Report {
    let options = LintOptions {
        dialect: &MysqlDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    lint(files, &options, &mut NoFacts)
}

fn names(report: &Report) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.rule.name).collect()
}

#[test]
fn vague_migration_names_are_reported_on_the_first_line() {
    let report = postgres(vec![migration(Some("update"), "SELECT 1;\n")]);
    assert_eq!(names(&report), ["migration-name"]);
    assert_eq!(report.findings[0].level, Level::Warning);
    assert_eq!(report.findings[0].span.start, 0);
    let report = postgres(vec![migration(Some("add_user_email_index"), "SELECT 1;\n")]);
    assert!(report.findings.is_empty());
    let report = postgres(vec![migration(
        Some("fix"),
        "-- drydock-lint-ignore-file migration-name\nSELECT 1;\n",
    )]);
    assert!(report.findings.is_empty());
}

/// Prisma's first migration is `init`: a name for the start of a history, not for later ones.
#[test]
fn init_names_only_the_first_migration() {
    let report = postgres(vec![
        migration(Some("init"), "SELECT 1;\n"),
        migration(Some("add_user_email_index"), "SELECT 1;\n"),
        migration(Some("init"), "SELECT 1;\n"),
    ]);
    assert_eq!(names(&report), ["migration-name"]);
    assert_eq!(
        report.findings[0].span.file,
        report
            .files
            .iter()
            .nth(2)
            .map(|(id, _)| id)
            .expect("a third file")
    );
}

#[test]
fn ignore_comments_take_names_and_codes() {
    let text = "-- drydock-lint-ignore-file require-lock-timeout\n\
                -- drydock-lint-ignore D4102\n\
                ALTER TABLE t DROP COLUMN a;\n\
                ALTER TABLE t DROP COLUMN b; -- drydock-lint-ignore drop-column\n\
                ALTER TABLE t DROP COLUMN c;\n";
    // The comment after `b` belongs to the statement after it, `c`.
    let report = postgres(vec![migration(None, text)]);
    assert_eq!(names(&report), ["drop-column"]);
    assert!(report.findings[0].message.contains("`b`"));
    let report = postgres(vec![migration(
        None,
        "-- drydock-lint-ignore-file\nDROP TABLE t;\n",
    )]);
    assert!(report.findings.is_empty());
}

#[test]
fn sqlite_projects_get_only_dialect_independent_rules() {
    let options = LintOptions {
        dialect: &SqliteDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    let report = lint(
        vec![migration(
            Some("changes"),
            "CREATE INDEX i ON t (a);\nDROP TABLE t;\nALTER TABLE u RENAME COLUMN a TO b;\n",
        )],
        &options,
        &mut NoFacts,
    );
    assert_eq!(names(&report), ["migration-name", "drop-table"]);
    assert!(report.notices[0].contains("only the data-loss and naming rules"));
    assert!(render_text(&report).starts_with("note: sqlite project"));
}

#[test]
fn json_and_github_formats_carry_the_position() {
    let report = postgres(vec![migration(
        None,
        "SET lock_timeout = '1s';\n\n  DROP TABLE t;\n",
    )]);
    let json = to_json(&report);
    let finding = &json["findings"][0];
    assert_eq!(finding["file"], "m/migration.sql");
    assert_eq!(finding["line"], 3);
    assert_eq!(finding["column"], 3);
    assert_eq!(finding["code"], "D4101");
    assert_eq!(finding["rule"], "drop-table");
    assert_eq!(finding["level"], "error");
    assert_eq!(finding["snippet"], "DROP TABLE t;");
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["version"], 1);
    let github = render_github(&report);
    assert!(
        github.starts_with(
            "::error file=m/migration.sql,line=3,col=3,endLine=3,title=D4101 drop-table::"
        ),
        "{github}"
    );
    assert!(report.fails(false));
}

#[test]
fn warnings_fail_only_when_they_count_as_errors() {
    let report = postgres(vec![migration(None, "ALTER TABLE t ADD COLUMN a text;\n")]);
    assert_eq!(names(&report), ["require-lock-timeout"]);
    assert!(!report.fails(false));
    assert!(report.fails(true));
}

/// A server of a given version whose tables all have `rows` rows.
struct Server {
    major: u32,
    rows: u64,
}

impl Facts for Server {
    fn server_major_version(&mut self) -> Option<u32> {
        Some(self.major)
    }

    fn table_size(&mut self, _table: &TableName) -> Option<TableSize> {
        Some(TableSize {
            rows: self.rows,
            bytes: self.rows * 100,
        })
    }
}

fn on_server(major: u32, rows: u64, text: &str) -> Report {
    let options = LintOptions {
        dialect: &PostgresDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    lint(
        vec![migration(None, text)],
        &options,
        &mut Server { major, rows },
    )
}

#[test]
fn the_server_version_decides_version_dependent_rules() {
    let constant = "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN plan text DEFAULT 'free';\n";
    assert_eq!(
        names(&on_server(10, 1_000_000, constant)),
        ["volatile-column-default"]
    );
    assert!(on_server(11, 1_000_000, constant).findings.is_empty());
    let history = migration(
        None,
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;\n\
         ALTER TABLE t VALIDATE CONSTRAINT c;\n",
    );
    let set_not_null = migration(
        None,
        "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n",
    );
    let options = LintOptions {
        dialect: &PostgresDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: false,
    };
    let run = |major| {
        let report = lint(
            vec![history.clone(), set_not_null.clone()],
            &options,
            &mut Server {
                major,
                rows: 1_000_000,
            },
        );
        report
            .findings
            .iter()
            .filter(|f| f.rule.name == "set-not-null-without-check")
            .count()
    };
    assert_eq!(run(11), 1);
    assert_eq!(run(12), 0);
}

#[test]
fn size_sensitive_findings_become_notes_on_small_tables_only() {
    let text = "SET lock_timeout = '1s';\nCREATE INDEX i ON t (a);\nALTER TABLE t DROP COLUMN b;\n";
    let small = on_server(15, 10, text);
    let levels: Vec<(&str, Level)> = small
        .findings
        .iter()
        .map(|f| (f.rule.name, f.level))
        .collect();
    // Data loss does not shrink with the table.
    assert_eq!(
        levels,
        [
            ("require-concurrent-index", Level::Note),
            ("drop-column", Level::Error)
        ]
    );
    assert_eq!(on_server(15, 10_000, text).findings[0].level, Level::Error);
}

#[test]
fn odd_inputs_do_not_panic() {
    for text in [
        "",
        ";",
        ";;;",
        "--",
        "/*",
        "/* /* */",
        "'",
        "\"",
        "$$",
        "$a$ x",
        "é;ü",
        "BEGIN",
        "COMMIT;",
        "ALTER TABLE",
        "CREATE INDEX CONCURRENTLY",
        "CLUSTER",
        "VACUUM FULL",
        "ALTER TYPE x ADD VALUE",
        "-- drydock-lint-ignore",
        "-- drydock-lint-ignore-file",
        "DROP TYPE",
        "\u{0}",
        "#",
        "\\",
        "ALTER TABLE `t` WAIT",
        "ALTER TABLE a.b NOWAIT",
        "OPTIMIZE",
        "CREATE FULLTEXT INDEX",
        "ALTER TABLE t MODIFY a ENUM('a', 'b') NOT NULL",
    ] {
        for report in [
            postgres(vec![migration(Some(text), text)]),
            mysql(vec![migration(Some(text), text)]),
        ] {
            let _ = (
                render_text(&report),
                to_json(&report),
                render_github(&report),
            );
        }
    }
}

proptest! {
    #[test]
    fn any_text_lints_without_panicking(text in "\\PC{0,120}", sql in "(BEGIN|COMMIT|ALTER|TABLE|TYPE|ADD|VALUE|DROP|CREATE|INDEX|CONCURRENTLY|WAIT|NOWAIT|MODIFY|FULLTEXT|OPTIMIZE|ALGORITHM|=|`u`|#|\\\\|'x'|\"t\"|;|\\(|\\)|--|/\\*|\\*/|\\$\\$| ){0,30}") {
        for input in [&text, &sql] {
            for report in [
                postgres(vec![migration(Some(input), input)]),
                mysql(vec![migration(Some(input), input)]),
            ] {
                let _ = (render_text(&report), to_json(&report), render_github(&report));
            }
        }
    }
}

#[test]
fn migrations_deployed_by_drydock_need_no_lock_timeout_of_their_own() {
    let files = || {
        vec![
            migration(None, "CREATE TABLE t (a int);\n"),
            migration(None, "ALTER TABLE t ADD COLUMN b int;\n"),
        ]
    };
    assert_eq!(names(&postgres(files())), ["require-lock-timeout"]);
    let options = LintOptions {
        dialect: &PostgresDialect,
        max_rows: DEFAULT_MAX_ROWS,
        deployed_by_drydock: true,
    };
    let report = lint(files(), &options, &mut NoFacts);
    assert!(report.findings.is_empty(), "{:?}", names(&report));
}
