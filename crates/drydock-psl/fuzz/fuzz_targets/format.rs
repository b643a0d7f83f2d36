//! Formatting any text never panics and is idempotent.

#![no_main]

use drydock_psl::format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = format(&text);
    assert_eq!(format(&once), once, "formatting is not idempotent");
});
