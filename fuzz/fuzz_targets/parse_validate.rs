//! Any text parses and validates without a panic, its diagnostics point inside it and render,
//! and a schema without errors lowers to SQL tables for the dialect it names.

#![no_main]

use drydock_connector::Dialect;
use drydock_postgres::PostgresDialect;
use drydock_psl::{Files, lower, parse_and_validate};
use drydock_sqlite::SqliteDialect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files = Files::single("schema.prisma", text.as_ref());
    let (datamodel, diagnostics) = parse_and_validate(&files);
    for diagnostic in diagnostics.iter() {
        let span = diagnostic.span;
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "span {span:?} outside the text"
        );
    }
    let _ = diagnostics.render(&files);
    if !diagnostics.has_errors() {
        let dialect: &dyn Dialect = if text.contains("sqlite") {
            &SqliteDialect
        } else {
            &PostgresDialect
        };
        let (_, lowered) = lower(&datamodel, dialect.lowering_rules());
        let _ = lowered.render(&files);
    }
});
