//! `drydock.toml`: any text is read or refused without a panic, and the jobs of a file that is
//! read have a name, arguments and a next run.

#![no_main]

use std::path::Path;

use chrono::{TimeZone, Utc};
use drydock_engine::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(settings) = Settings::parse(Path::new("drydock.toml"), &text) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for job in &settings.schedule {
        assert!(!job.name.is_empty() && !job.args.is_empty());
        let _ = job.upcoming(now, 3);
    }
    let _ = settings.backup_dir(None);
});
