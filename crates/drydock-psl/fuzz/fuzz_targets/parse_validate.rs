//! Any bytes, read as text, parse and validate without a panic, and their diagnostics render.

#![no_main]

use drydock_psl::{Files, parse_and_validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files = Files::single("schema.prisma", text.as_ref());
    let (_, diagnostics) = parse_and_validate(&files);
    let _ = diagnostics.render(&files);
});
