//! Formatting any text never panics, is idempotent, and keeps what a valid schema means: a
//! schema without errors formats to one without errors.

#![no_main]

use drydock_psl::{Files, format, parse_and_validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = format(&text);
    assert_eq!(format(&once), once, "formatting is not idempotent");
    let (_, before) = parse_and_validate(&Files::single("schema.prisma", text.as_ref()));
    if !before.has_errors() {
        let (_, after) = parse_and_validate(&Files::single("schema.prisma", once.as_str()));
        assert!(
            !after.has_errors(),
            "formatting made a valid schema invalid:\n{once}"
        );
    }
});
