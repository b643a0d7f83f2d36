//! Migration folder names: the first line is a migration name, the others existing folders. A
//! new folder's name is `<14 digits>_<slug>` and sorts after every existing one (or is
//! refused), the slug of a slug is itself (but for a `_` the cut to 200 characters left), and reading a folder's name back gives the slug.

#![no_main]

use chrono::{TimeZone, Utc};
use drydock_lint::rules::migration_name::from_folder;
use drydock_migrate::{new_migration_folder_name, slugify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let name = lines.next().unwrap_or_default();
    let existing: Vec<String> = lines.map(str::to_owned).collect();
    let slug = slugify(name);
    // The cut to 200 characters can leave a `_` at the end, which a second slugify drops.
    assert_eq!(
        slugify(&slug),
        slug.trim_end_matches('_'),
        "slugify is not idempotent"
    );
    for folder in &existing {
        let _ = from_folder(folder);
    }
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let Ok(folder) = new_migration_folder_name(&existing, name, now) else {
        return;
    };
    let (stamp, rest) = folder.split_at_checked(14).expect("a timestamp");
    assert!(
        stamp.bytes().all(|b| b.is_ascii_digit()),
        "`{folder}` has no timestamp"
    );
    assert_eq!(
        rest,
        format!("_{slug}"),
        "`{folder}` is not `<timestamp>_<slug>`"
    );
    assert!(
        existing.iter().all(|e| folder.as_str() > e.as_str()),
        "`{folder}` sorts before an existing folder"
    );
    assert_eq!(from_folder(&folder), Some(slug.as_str()));
});
