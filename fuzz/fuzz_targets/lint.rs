//! The linter reads any migration text, for each dialect, without a panic; its findings point
//! inside the file and every report format renders.

#![no_main]

use drydock_connector::Dialect;
use drydock_lint::{LintOptions, MigrationFile, NoFacts, lint, report};
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let dialects: [&dyn Dialect; 2] = [&PostgresDialect, &SqliteDialect];
    for dialect in dialects {
        // The first line, when it looks like one, names the migration folder.
        let folder = text.lines().next().unwrap_or_default();
        let files = vec![
            MigrationFile {
                path: "migrations/20240101000000_first/migration.sql".to_owned(),
                text: text.clone(),
                migration_name: drydock_lint::rules::migration_name::from_folder(folder)
                    .map(str::to_owned),
            },
            // The same text again, read against the history the first file made.
            MigrationFile {
                path: "migrations/20240102000000_second/migration.sql".to_owned(),
                text: text.clone(),
                migration_name: None,
            },
        ];
        let options = LintOptions {
            dialect,
            max_rows: 10_000,
            deployed_by_drydock: false,
        };
        let found = lint(files, &options, &mut NoFacts);
        for finding in &found.findings {
            let span = finding.span;
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "span {span:?} outside the file"
            );
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
        let _ = report::render_text(&found);
        let _ = report::render_github(&found);
        let _ = report::to_json(&found);
        let _ = report::summary(&found);
    }
});
