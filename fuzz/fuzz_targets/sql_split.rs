//! The statement splitter, with each dialect's rules: the pieces follow each other from the
//! start of the script, lie on character boundaries, and each piece split alone is the same one
//! statement.

#![no_main]

use drydock_connector::Dialect;
use drydock_connector::sql_scan::statements;
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let script = String::from_utf8_lossy(data);
    let dialects: [&dyn Dialect; 2] = [&PostgresDialect, &SqliteDialect];
    for dialect in dialects {
        let rules = dialect.lexical_rules();
        let pieces = statements(&script, rules);
        let mut end = 0;
        for piece in &pieces {
            assert_eq!(
                piece.range.start, end,
                "a gap or an overlap before {:?}",
                piece.range
            );
            assert!(
                piece.range.end > piece.range.start,
                "an empty statement at {}",
                end
            );
            assert!(
                script.is_char_boundary(piece.range.end),
                "{:?} cuts a character",
                piece.range
            );
            end = piece.range.end;
            let alone = statements(&script[piece.range.clone()], rules);
            assert_eq!(
                alone.len(),
                1,
                "{:?} split alone is {} statements",
                piece.range,
                alone.len()
            );
            assert_eq!(
                alone[0].words, piece.words,
                "{:?} split alone reads other words",
                piece.range
            );
        }
        let rest = statements(&script[end..], rules);
        assert!(
            rest.is_empty(),
            "the text after the last statement holds one"
        );
        assert_eq!(dialect.split_statements(&script).len(), pieces.len());
    }
});
