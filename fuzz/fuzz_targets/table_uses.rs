//! The reader of measured statements for index advice, with PostgreSQL's rules (names folded)
//! and SQLite's (names compared without case): it never panics and its recursion stays bounded
//! whatever the text; every table it reports has a name, and every index candidate names each
//! column once.

#![no_main]

use drydock_connector::Dialect;
use drydock_connector::table_uses::table_uses;
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sql = String::from_utf8_lossy(data);
    let dialects: [&dyn Dialect; 2] = [&PostgresDialect, &SqliteDialect];
    for dialect in dialects {
        for table_use in table_uses(&sql, dialect.lexical_rules()) {
            assert!(!table_use.table.is_empty(), "a table without a name");
            for rows in [0.0, 1_000.0, f64::INFINITY] {
                let share = |column: &str, _| 1.0 / (1.0 + column.len() as f64);
                for candidate in table_use.index_candidates(rows, share) {
                    assert!(!candidate.is_empty(), "an empty candidate");
                    for (i, column) in candidate.iter().enumerate() {
                        assert!(
                            !candidate[i + 1..].contains(column),
                            "{column} twice in {candidate:?}"
                        );
                    }
                }
            }
        }
    }
});
