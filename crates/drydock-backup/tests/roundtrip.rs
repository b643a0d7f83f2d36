//! Backups on real databases: create, verify, restore, compare row by row; corrupt files;
//! consistency under concurrent writes; retention; replacing a live database.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use drydock_backup::{
    BackupError, CreateOptions, Manifest, RestoreOptions, RetentionPolicy, VerifyOptions,
};
use drydock_test_support::{TestDb, postgres_server_client, replace_database};

const TABLES: usize = 30;

fn fill_postgres(db: &TestDb, marker: &str) {
    let mut client = db.postgres_client();
    client
        .batch_execute(&format!(
            "SELECT lo_from_bytea(0, convert_to('large object {marker} ✓', 'UTF8'));
             SELECT lo_from_bytea(0, decode(repeat('00ff5c0a', 70000), 'hex'));"
        ))
        .unwrap();
    for t in 0..TABLES {
        client
            .batch_execute(&format!(
                "CREATE TABLE t{t} (id serial PRIMARY KEY, data bytea, doc jsonb, raw json, \
                 label text, amount numeric, at timestamptz);
                 INSERT INTO t{t} (data, doc, raw, label, amount, at)
                 SELECT decode(md5(g::text), 'hex'), jsonb_build_object('g', g, 'm', '{marker}'),
                        '{{\"a\": [1, 2]}}', 'zoë ✓ 日本 {marker} ' || g, g * 1.5,
                        '2024-01-01T00:00:00Z'::timestamptz + g * interval '1 hour'
                 FROM generate_series(1, {rows}) g;
                 INSERT INTO t{t} (data, doc, raw, label, amount, at)
                 VALUES (NULL, NULL, NULL, NULL, NULL, NULL);",
                rows = 20 + t
            ))
            .unwrap();
    }
}

/// Every row of every table as text, then every large object (OID and bytes).
fn postgres_rows(url: &str) -> Vec<Vec<String>> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client.batch_execute("SET TimeZone = 'UTC'").unwrap();
    (0..TABLES)
        .map(|t| format!("SELECT x::text FROM t{t} x ORDER BY id"))
        .chain(std::iter::once(
            "SELECT oid::text || ' ' || encode(lo_get(oid), 'hex') \
             FROM pg_largeobject_metadata ORDER BY oid"
                .to_owned(),
        ))
        .map(|query| {
            client
                .query(&query, &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
        })
        .collect()
}

fn fill_sqlite(path: &Path, marker: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for t in 0..TABLES {
        conn.execute_batch(&format!(
            "CREATE TABLE t{t} (id INTEGER PRIMARY KEY, data BLOB, doc TEXT, label TEXT, amount REAL);"
        ))
        .unwrap();
        for i in 0..(20 + t) {
            conn.execute(
                &format!("INSERT INTO t{t} (data, doc, label, amount) VALUES (?1, ?2, ?3, ?4)"),
                rusqlite::params![
                    vec![i as u8, 0, 255],
                    format!("{{\"i\": {i}, \"m\": \"{marker}\"}}"),
                    format!("zoë ✓ 日本 {marker} {i}"),
                    i as f64 / 3.0
                ],
            )
            .unwrap();
        }
        conn.execute(
            &format!("INSERT INTO t{t} (data, doc, label, amount) VALUES (NULL, NULL, NULL, NULL)"),
            [],
        )
        .unwrap();
    }
}

fn sqlite_rows(path: &Path) -> Vec<Vec<Vec<rusqlite::types::Value>>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .iter()
        .map(|t| {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {t} ORDER BY 1"))
                .unwrap();
            let n = stmt.column_count();
            stmt.query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i))
                    .collect()
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
        })
        .collect()
}

fn verify(dir: &Path, manifest: &Manifest, near: &str) -> Result<Manifest, BackupError> {
    drydock_backup::verify(dir, manifest, Some(near), &VerifyOptions::default())
}

fn restore_options(dir: &Path, force: bool) -> RestoreOptions {
    RestoreOptions {
        passphrase: None,
        force,
        jobs: 1,
        safety: CreateOptions::new(dir),
    }
}

/// `backup restore --force`: replace whatever the database at `url` holds.
fn force_restore(
    dir: &Path,
    manifest: &Manifest,
    url: &str,
) -> Result<drydock_backup::RestoreReport, BackupError> {
    drydock_backup::restore(dir, manifest, url, &restore_options(dir, true))
}

/// A backup of `url` that passed its restore test.
fn verified_backup(url: &str, dir: &Path) -> Manifest {
    verify(dir, &backup(url, dir), url).unwrap()
}

fn backup(url: &str, dir: &Path) -> Manifest {
    let backend = drydock_backup::backend_for(url).unwrap();
    drydock_backup::create(backend.as_ref(), url, &CreateOptions::new(dir)).unwrap()
}

/// Drops a PostgreSQL database this test created by restoring into it.
struct DropOnExit(String);

impl Drop for DropOnExit {
    fn drop(&mut self) {
        let _ = postgres_server_client().batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.0
        ));
    }
}

#[test]
fn postgres_backup_verifies_and_restores_every_row() {
    let db = TestDb::postgres();
    fill_postgres(&db, "orig");
    let dir = tempfile::tempdir().unwrap();
    let manifest = backup(db.url(), dir.path());
    assert_eq!(manifest.provider, "postgresql");
    // The tables, and the two large objects as one entry.
    assert_eq!(manifest.tables.len(), TABLES + 1);
    assert_eq!(manifest.tables[0].name, "pg_catalog.pg_largeobject");
    assert_eq!(manifest.tables[0].rows, 2);
    assert_eq!(manifest.tables[1].name, "public.t0");
    assert_eq!(manifest.tables[1].rows, 21);
    assert!(!manifest.restore_tested());

    let verified = verify(dir.path(), &manifest, db.url()).unwrap();
    assert!(verified.checksummed_at.is_some());
    assert!(verified.restore_tested());
    assert!(verified.last_restore_test.as_ref().unwrap().ok);
    // The manifest on disk says so too, and restore picks it by default.
    let selected = drydock_backup::select(dir.path(), None, false).unwrap();
    assert_eq!(selected.id, manifest.id);

    let name = format!("drydock_restored_{}", uuid::Uuid::new_v4().simple());
    let _cleanup = DropOnExit(name.clone());
    let target = replace_database(db.url(), &name);
    let report = drydock_backup::restore(
        dir.path(),
        &selected,
        &target,
        &restore_options(dir.path(), false),
    )
    .unwrap();
    assert!(report.created);
    assert!(report.safety_backup.is_none());
    assert_eq!(postgres_rows(&target), postgres_rows(db.url()));
}

fn backup_with_jobs(url: &str, dir: &Path, jobs: u32) -> Manifest {
    let backend = drydock_backup::backend_for(url).unwrap();
    let mut options = CreateOptions::new(dir);
    options.jobs = jobs;
    drydock_backup::create(backend.as_ref(), url, &options).unwrap()
}

fn verify_with_jobs(
    dir: &Path,
    manifest: &Manifest,
    near: &str,
    jobs: u32,
) -> Result<Manifest, BackupError> {
    let options = VerifyOptions {
        jobs,
        ..VerifyOptions::default()
    };
    drydock_backup::verify(dir, manifest, Some(near), &options)
}

/// The names in `dir` but the runs' lock file, sorted: temporary folders must be gone after
/// every call.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != drydock_backup::LOCK_FILE)
        .collect();
    names.sort();
    names
}

#[test]
fn postgres_parallel_backup_verifies_and_restores_every_row() {
    let db = TestDb::postgres();
    fill_postgres(&db, "parallel");
    let dir = tempfile::tempdir().unwrap();
    let manifest = backup_with_jobs(db.url(), dir.path(), 2);
    assert_eq!(manifest.format.name, "pg_dump-directory");
    assert_eq!(manifest.tables.len(), TABLES + 1);
    assert_eq!(manifest.tables[1].rows, 21);
    let files = [
        manifest.file.clone(),
        format!("{}.manifest.json", manifest.id),
    ];
    assert_eq!(entries(dir.path()), files);

    let verified = verify_with_jobs(dir.path(), &manifest, db.url(), 2).unwrap();
    assert!(verified.checksummed_at.is_some());
    assert!(verified.restore_tested());
    assert_eq!(entries(dir.path()), files);

    // A parallel restore into a new database, and a one-job one (one transaction).
    for jobs in [2, 1] {
        let name = format!("drydock_restored_{}", uuid::Uuid::new_v4().simple());
        let _cleanup = DropOnExit(name.clone());
        let target = replace_database(db.url(), &name);
        let mut options = restore_options(dir.path(), false);
        options.jobs = jobs;
        let report = drydock_backup::restore(dir.path(), &verified, &target, &options).unwrap();
        assert!(report.created);
        assert_eq!(
            postgres_rows(&target),
            postgres_rows(db.url()),
            "jobs {jobs}"
        );
        assert_eq!(entries(dir.path()), files);
    }
}

/// The stored file of `manifest` rewritten by `change` (on the uncompressed tar), with the
/// manifest's size and checksum updated, so only a restore test can notice.
fn rewrite_archive(
    dir: &Path,
    manifest: &Manifest,
    mut change: impl FnMut(&str) -> bool,
) -> Manifest {
    let path = manifest.file_in(dir);
    let plain = zstd::decode_all(std::fs::File::open(&path).unwrap()).unwrap();
    let mut archive = tar::Archive::new(plain.as_slice());
    let mut builder = tar::Builder::new(Vec::new());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if change(&name) {
            continue;
        }
        let mut header = entry.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        builder
            .append_data(&mut header, &name, data.as_slice())
            .unwrap();
    }
    let plain = builder.into_inner().unwrap();
    let stored = zstd::encode_all(plain.as_slice(), 3).unwrap();
    std::fs::write(&path, &stored).unwrap();
    let manifest_path = dir.join(format!("{}.manifest.json", manifest.id));
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    value["stored_size"] = serde_json::json!(stored.len());
    value["uncompressed_size"] = serde_json::json!(plain.len());
    value["sha256"] =
        serde_json::json!(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&stored)));
    std::fs::write(&manifest_path, serde_json::to_vec(&value).unwrap()).unwrap();
    drydock_backup::find(dir, &manifest.id).unwrap()
}

#[test]
fn corrupted_parallel_backups_are_rejected_by_verify() {
    let db = TestDb::postgres();
    fill_postgres(&db, "x");
    for truncate in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let manifest = backup_with_jobs(db.url(), dir.path(), 2);
        assert_eq!(manifest.format.name, "pg_dump-directory");
        damage(&manifest.file_in(dir.path()), truncate);
        let result = verify_with_jobs(dir.path(), &manifest, db.url(), 2);
        assert!(
            matches!(result, Err(BackupError::Corrupt { .. })),
            "{result:?}"
        );
    }
    // Intact bytes, but a table's data file missing from the archive: the restore test fails
    // and leaves no temporary folder behind.
    let dir = tempfile::tempdir().unwrap();
    let manifest = backup_with_jobs(db.url(), dir.path(), 2);
    let verified = verify_with_jobs(dir.path(), &manifest, db.url(), 2).unwrap();
    let mut dropped = false;
    let broken = rewrite_archive(dir.path(), &verified, |name| {
        let first_data_file = !dropped && name.ends_with(".dat") && name != "toc.dat";
        dropped |= first_data_file;
        first_data_file
    });
    let files = entries(dir.path());
    let result = verify_with_jobs(dir.path(), &broken, db.url(), 2);
    assert!(
        matches!(result, Err(BackupError::Tool { .. })),
        "{result:?}"
    );
    let reloaded = drydock_backup::find(dir.path(), &broken.id).unwrap();
    assert!(reloaded.checksummed_at.is_some() && !reloaded.restore_tested());
    assert!(!reloaded.last_restore_test.unwrap().ok);
    assert_eq!(entries(dir.path()), files);
}

#[test]
fn sqlite_backup_verifies_and_restores_every_row() {
    let db = TestDb::sqlite();
    fill_sqlite(db.sqlite_path(), "orig");
    let dir = tempfile::tempdir().unwrap();
    let manifest = backup(db.url(), dir.path());
    assert_eq!(manifest.tables.len(), TABLES);
    let verified = verify(dir.path(), &manifest, db.url()).unwrap();
    assert!(verified.restore_tested());
    let target = dir.path().join("restored/dev.db");
    let target_url = format!("file:{}", target.display());
    drydock_backup::restore(
        dir.path(),
        &verified,
        &target_url,
        &restore_options(dir.path(), false),
    )
    .unwrap();
    assert_eq!(sqlite_rows(&target), sqlite_rows(db.sqlite_path()));
    // Restoring again onto what now has tables needs --force.
    let again = drydock_backup::restore(
        dir.path(),
        &verified,
        &target_url,
        &restore_options(dir.path(), false),
    );
    assert!(
        matches!(again, Err(BackupError::TargetNotEmpty(_))),
        "{again:?}"
    );
}

fn damage(path: &Path, truncate: bool) {
    let mut bytes = std::fs::read(path).unwrap();
    if truncate {
        bytes.truncate(bytes.len() / 2);
    } else {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
    }
    std::fs::write(path, bytes).unwrap();
}

fn check_damaged_backup_is_rejected(db: &TestDb, truncate: bool) {
    let dir = tempfile::tempdir().unwrap();
    let manifest = backup(db.url(), dir.path());
    let verified = verify(dir.path(), &manifest, db.url()).unwrap();
    damage(&verified.file_in(dir.path()), truncate);
    let result = verify(dir.path(), &verified, db.url());
    assert!(
        matches!(result, Err(BackupError::Corrupt { .. })),
        "{result:?}"
    );
    // The failed check took away the verified marks.
    let reloaded = drydock_backup::find(dir.path(), &verified.id).unwrap();
    assert!(!reloaded.restore_tested() && reloaded.checksummed_at.is_none());
    let other = TestDb::new(db.kind());
    let result = force_restore(dir.path(), &verified, other.url());
    assert!(
        matches!(result, Err(BackupError::Corrupt { .. })),
        "{result:?}"
    );
}

/// Damage that happened before the checksum was taken (a faulty disk under the writer): the
/// file matches its manifest's sha256 but does not decompress completely.
fn check_damage_under_a_matching_checksum_is_found_by_the_restore(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let manifest = backup(db.url(), dir.path());
    let file = manifest.file_in(dir.path());
    damage(&file, true);
    let (size, sha256) = {
        use sha2::Digest;
        let bytes = std::fs::read(&file).unwrap();
        (bytes.len(), hex::encode(sha2::Sha256::digest(&bytes)))
    };
    let path = dir.path().join(format!("{}.manifest.json", manifest.id));
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    value["stored_size"] = serde_json::json!(size);
    value["sha256"] = serde_json::json!(sha256);
    std::fs::write(&path, serde_json::to_vec(&value).unwrap()).unwrap();
    let rehashed = drydock_backup::find(dir.path(), &manifest.id).unwrap();

    let result = verify(dir.path(), &rehashed, db.url());
    assert!(
        matches!(result, Err(BackupError::Corrupt { .. })),
        "{result:?}"
    );
    let reloaded = drydock_backup::find(dir.path(), &manifest.id).unwrap();
    assert!(!reloaded.restore_tested() && reloaded.checksummed_at.is_none());
    // Nothing is left behind: a database the restore created is gone again, an existing empty
    // one is still empty.
    let target = TestDb::new(db.kind());
    let backend = drydock_backup::backend_for(target.url()).unwrap();
    let restore = drydock_backup::restore(
        dir.path(),
        &rehashed,
        target.url(),
        &RestoreOptions {
            passphrase: None,
            force: false,
            jobs: 1,
            safety: CreateOptions::new(dir.path()),
        },
    );
    assert!(
        matches!(restore, Err(BackupError::Corrupt { .. })),
        "{restore:?}"
    );
    let url = target.url();
    assert!(!backend.exists(url).unwrap() || !backend.has_tables(url).unwrap());
}

#[test]
fn damage_under_a_matching_checksum_is_found_by_the_restore() {
    let sqlite = TestDb::sqlite();
    fill_sqlite(sqlite.sqlite_path(), "x");
    check_damage_under_a_matching_checksum_is_found_by_the_restore(&sqlite);
    let postgres = TestDb::postgres();
    fill_postgres(&postgres, "x");
    check_damage_under_a_matching_checksum_is_found_by_the_restore(&postgres);
}

#[test]
fn truncated_and_flipped_backups_are_rejected() {
    let sqlite = TestDb::sqlite();
    fill_sqlite(sqlite.sqlite_path(), "x");
    check_damaged_backup_is_rejected(&sqlite, true);
    check_damaged_backup_is_rejected(&sqlite, false);
    let postgres = TestDb::postgres();
    fill_postgres(&postgres, "x");
    check_damaged_backup_is_rejected(&postgres, true);
    check_damaged_backup_is_rejected(&postgres, false);
}

#[test]
fn sqlite_backup_is_consistent_while_another_connection_writes() {
    let db = TestDb::sqlite();
    let path = db.sqlite_path().to_owned();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE log (id INTEGER PRIMARY KEY, body TEXT);",
        )
        .unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = Arc::clone(&stop);
        let path = path.clone();
        std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10))
                .unwrap();
            let mut written = 0u64;
            while !stop.load(Ordering::Relaxed) {
                conn.execute("INSERT INTO log (body) VALUES (hex(randomblob(64)))", [])
                    .unwrap();
                written += 1;
            }
            written
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let dir = tempfile::tempdir().unwrap();
    let manifest = backup(db.url(), dir.path());
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    let rows = manifest.tables[0].rows;
    assert!(rows > 0 && rows < written, "{rows} of {written}");

    let target = dir.path().join("copy.db");
    let target_url = format!("file:{}", target.display());
    // Only restore-tested backups are picked unless asked otherwise.
    let unverified = drydock_backup::select(dir.path(), None, false);
    assert!(
        matches!(unverified, Err(BackupError::NoneVerified { .. })),
        "{unverified:?}"
    );
    let manifest = verify(dir.path(), &manifest, db.url()).unwrap();
    drydock_backup::restore(
        dir.path(),
        &manifest,
        &target_url,
        &restore_options(dir.path(), false),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&target).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let count: u64 = conn
        .query_row("SELECT count(*) FROM log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, rows);
}

#[test]
fn encrypted_backups_need_their_passphrase() {
    let db = TestDb::sqlite();
    fill_sqlite(db.sqlite_path(), "secret");
    let dir = tempfile::tempdir().unwrap();
    let backend = drydock_backup::backend_for(db.url()).unwrap();
    let mut options = CreateOptions::new(dir.path());
    options.passphrase = Some("correct horse".to_owned());
    let manifest = drydock_backup::create(backend.as_ref(), db.url(), &options).unwrap();
    assert!(manifest.file.ends_with(".dump.zst.age"));
    let stored = std::fs::read(manifest.file_in(dir.path())).unwrap();
    assert!(!stored.windows(6).any(|w| w == b"secret"));
    let wrong = VerifyOptions {
        passphrase: Some("wrong".to_owned()),
        ..VerifyOptions::default()
    };
    let result = drydock_backup::verify(dir.path(), &manifest, Some(db.url()), &wrong);
    assert!(
        matches!(result, Err(BackupError::Encryption(_))),
        "{result:?}"
    );
    let right = VerifyOptions {
        passphrase: Some("correct horse".to_owned()),
        ..VerifyOptions::default()
    };
    let verified = drydock_backup::verify(dir.path(), &manifest, Some(db.url()), &right).unwrap();
    assert!(verified.restore_tested());
}

#[test]
fn prune_is_a_dry_run_until_applied_and_keeps_the_newest_verified_backup() {
    let db = TestDb::sqlite();
    fill_sqlite(db.sqlite_path(), "p");
    let dir = tempfile::tempdir().unwrap();
    let oldest = backup(db.url(), dir.path());
    let tested = verified_backup(db.url(), dir.path());
    let newest = backup(db.url(), dir.path());
    let policy = RetentionPolicy {
        keep_last: 1,
        ..RetentionPolicy::default()
    };
    let plan = drydock_backup::prune(dir.path(), &policy, false).unwrap();
    let kept: Vec<(&str, bool)> = plan
        .iter()
        .map(|d| (d.manifest.id.as_str(), d.keep))
        .collect();
    assert_eq!(
        kept,
        [
            (newest.id.as_str(), true),
            (tested.id.as_str(), true),
            (oldest.id.as_str(), false)
        ]
    );
    assert_eq!(drydock_backup::list(dir.path()).unwrap().len(), 3);
    drydock_backup::prune(dir.path(), &policy, true).unwrap();
    let left: Vec<String> = drydock_backup::list(dir.path())
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(left, [newest.id.clone(), tested.id.clone()]);
    assert!(!oldest.file_in(dir.path()).exists());
    assert_eq!(
        drydock_backup::latest(dir.path()).unwrap().unwrap().id,
        newest.id
    );
}

/// A backup whose manifest no longer matches its data: the checksum passes, the restore test
/// into scratch fails, after the safety backup.
fn tamper_manifest(dir: &Path, manifest: &Manifest) -> Manifest {
    let path = dir.join(format!("{}.manifest.json", manifest.id));
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    value["tables"][0]["rows"] = serde_json::json!(999_999);
    std::fs::write(&path, serde_json::to_vec(&value).unwrap()).unwrap();
    drydock_backup::find(dir, &manifest.id).unwrap()
}

fn check_force_restore(
    source: &TestDb,
    live: &TestDb,
    fill: impl Fn(&TestDb, &str),
    rows: impl Fn(&TestDb) -> String,
) {
    fill(source, "new");
    fill(live, "old");
    let dir = tempfile::tempdir().unwrap();
    let good = verified_backup(source.url(), dir.path());
    let before = rows(live);

    let bad = tamper_manifest(dir.path(), &backup(source.url(), dir.path()));
    let result = force_restore(dir.path(), &bad, live.url());
    assert!(
        matches!(result, Err(BackupError::Mismatch(_))),
        "{result:?}"
    );
    assert_eq!(rows(live), before, "a failed restore leaves the old data");
    let safety: Vec<Manifest> = drydock_backup::list(dir.path())
        .unwrap()
        .into_iter()
        .filter(|m| m.database.url == live.url())
        .collect();
    assert_eq!(safety.len(), 1, "a safety backup was taken first");

    let report = force_restore(dir.path(), &good, live.url()).unwrap();
    let safety = report.safety_backup.unwrap();
    assert_eq!(safety.database.url, live.url());
    assert!(report.left_behind.is_none());
    assert_eq!(rows(live), rows(source));
    assert!(rows(live).contains("new"));
    // The safety backup holds the replaced data.
    let back = TestDb::new(live.kind());
    force_restore(dir.path(), &safety, back.url()).unwrap();
    assert_eq!(rows(&back), before);
}

#[test]
fn sqlite_force_restore_takes_a_safety_backup_and_survives_failure() {
    check_force_restore(
        &TestDb::sqlite(),
        &TestDb::sqlite(),
        |db, marker| fill_sqlite(db.sqlite_path(), marker),
        |db| format!("{:?}", sqlite_rows(db.sqlite_path())),
    );
}

#[test]
fn postgres_force_restore_takes_a_safety_backup_and_survives_failure() {
    check_force_restore(
        &TestDb::postgres(),
        &TestDb::postgres(),
        fill_postgres,
        |db| format!("{:?}", postgres_rows(db.url())),
    );
}

#[test]
fn a_backup_of_another_provider_is_refused_before_touching_the_target() {
    let sqlite = TestDb::sqlite();
    fill_sqlite(sqlite.sqlite_path(), "s");
    let live = TestDb::postgres();
    fill_postgres(&live, "live");
    let before = postgres_rows(live.url());
    let dir = tempfile::tempdir().unwrap();
    let manifest = verified_backup(sqlite.url(), dir.path());
    let result = force_restore(dir.path(), &manifest, live.url());
    assert!(
        matches!(result, Err(BackupError::ProviderMismatch { .. })),
        "{result:?}"
    );
    assert_eq!(postgres_rows(live.url()), before);
    assert_eq!(
        drydock_backup::list(dir.path()).unwrap().len(),
        1,
        "no safety backup needed"
    );
}

/// Roles made for one test, dropped after its databases.
struct DropRoles(Vec<String>);

impl Drop for DropRoles {
    fn drop(&mut self) {
        for role in &self.0 {
            let _ = postgres_server_client().batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
        }
    }
}

/// What a database is beyond its tables: owner, grants, settings, comment, connection limit.
fn database_properties(name: &str) -> String {
    let row = postgres_server_client()
        .query_one(
            "SELECT pg_get_userbyid(d.datdba), d.datacl::text, d.datconnlimit, \
                    shobj_description(d.oid, 'pg_database'), \
                    (SELECT string_agg(coalesce(pg_get_userbyid(nullif(s.setrole, 0)), '*') \
                                       || ':' || s.setconfig::text, ' ' ORDER BY s.setrole) \
                     FROM pg_db_role_setting s WHERE s.setdatabase = d.oid), \
                    pg_encoding_to_char(d.encoding), d.datcollate \
             FROM pg_database d WHERE d.datname = $1",
            &[&name],
        )
        .unwrap();
    format!(
        "{:?}",
        (
            row.get::<_, String>(0),
            row.get::<_, Option<String>>(1),
            row.get::<_, i32>(2),
            row.get::<_, Option<String>>(3),
            row.get::<_, Option<String>>(4),
            row.get::<_, String>(5),
            row.get::<_, String>(6),
        )
    )
}

#[test]
fn postgres_force_restore_keeps_the_databases_owner_grants_and_settings() {
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
    let (owner, reader) = (
        format!("drydock_owner_{suffix}"),
        format!("drydock_reader_{suffix}"),
    );
    let _roles = DropRoles(vec![owner.clone(), reader.clone()]);
    let source = TestDb::postgres();
    let live = TestDb::postgres();
    fill_postgres(&source, "new");
    fill_postgres(&live, "old");
    let name = live.name();
    postgres_server_client()
        .batch_execute(&format!(
            "CREATE ROLE {owner}; CREATE ROLE {reader};
             ALTER DATABASE \"{name}\" OWNER TO {owner};
             REVOKE ALL ON DATABASE \"{name}\" FROM PUBLIC;
             GRANT CONNECT ON DATABASE \"{name}\" TO {reader} WITH GRANT OPTION;
             ALTER DATABASE \"{name}\" SET search_path = \"$user\", public, \"Odd, Schema\";
             ALTER DATABASE \"{name}\" SET work_mem = '12MB';
             ALTER ROLE {reader} IN DATABASE \"{name}\" SET statement_timeout = '5s';
             ALTER DATABASE \"{name}\" CONNECTION LIMIT 40;
             COMMENT ON DATABASE \"{name}\" IS 'the shop''s data';"
        ))
        .unwrap();
    let before = database_properties(&name);
    assert!(
        before.contains("Odd, Schema") && before.contains(&reader),
        "{before}"
    );

    let dir = tempfile::tempdir().unwrap();
    let good = verified_backup(source.url(), dir.path());
    let report = force_restore(dir.path(), &good, live.url()).unwrap();
    assert!(report.left_behind.is_none());
    assert_eq!(postgres_rows(live.url()), postgres_rows(source.url()));
    assert_eq!(database_properties(&name), before);
}

/// Every object of a PostgreSQL database created after initdb, with its kind, and the large
/// objects: what a restore could have added.
fn postgres_catalog(url: &str) -> Vec<String> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .query(
            "SELECT 'namespace ' || nspname FROM pg_namespace WHERE oid >= 16384 \
               AND nspname !~ '^pg_(toast_)?temp_' \
             UNION ALL SELECT 'class ' || relkind::text || ' ' || oid::regclass::text FROM pg_class \
               WHERE oid >= 16384 AND relpersistence <> 't' \
             UNION ALL SELECT 'type ' || oid::regtype::text FROM pg_type WHERE oid >= 16384 \
             UNION ALL SELECT 'proc ' || oid::regprocedure::text FROM pg_proc WHERE oid >= 16384 \
             UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE oid >= 16384 \
             UNION ALL SELECT 'large object ' || oid FROM pg_largeobject_metadata \
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn a_postgres_restore_into_an_empty_database_that_does_not_match_its_manifest_leaves_it_as_it_was()
{
    let source = TestDb::postgres();
    fill_postgres(&source, "src");
    source
        .postgres_client()
        .batch_execute(
            "CREATE SCHEMA extra; CREATE TYPE extra.mood AS ENUM ('ok', 'meh'); \
             CREATE TABLE extra.feelings (id int, mood extra.mood); \
             INSERT INTO extra.feelings VALUES (1, 'ok'); \
             CREATE VIEW everything AS SELECT id FROM t0; \
             CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42'; \
             CREATE EXTENSION citext; CREATE DOMAIN positive AS int CHECK (VALUE > 0); \
             CREATE TYPE span AS RANGE (subtype = float8); CREATE SEQUENCE standalone; \
             CREATE TABLE kinds (n positive, c citext, s span); \
             CREATE MATERIALIZED VIEW frozen AS SELECT * FROM kinds; \
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; \
             CREATE TRIGGER touched BEFORE INSERT ON kinds FOR EACH ROW EXECUTE FUNCTION touch();",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tampered = tamper_manifest(dir.path(), &backup(source.url(), dir.path()));

    // Empty of tables, but not of everything: a schema, a type and a function of its own stay.
    let target = TestDb::postgres();
    target
        .postgres_client()
        .batch_execute(
            "CREATE SCHEMA mine; CREATE TYPE mine.pair AS (a int, b int); \
             CREATE FUNCTION mine.kept() RETURNS int LANGUAGE sql AS 'SELECT 7';",
        )
        .unwrap();
    let before = postgres_catalog(target.url());
    assert!(before.iter().any(|o| o == "proc mine.kept()"), "{before:?}");
    let result = drydock_backup::restore(
        dir.path(),
        &tampered,
        target.url(),
        &restore_options(dir.path(), false),
    );
    assert!(
        matches!(result, Err(BackupError::Mismatch(_))),
        "{result:?}"
    );
    assert_eq!(
        postgres_catalog(target.url()),
        before,
        "the target is as it was"
    );
}

#[test]
fn a_change_a_failed_restore_cannot_drop_is_named() {
    let source = TestDb::postgres();
    source
        .postgres_client()
        .batch_execute(
            "CREATE TABLE t (id int); INSERT INTO t VALUES (1); \
             COMMENT ON SCHEMA public IS 'the app''s schema';",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tampered = tamper_manifest(dir.path(), &backup(source.url(), dir.path()));
    let target = TestDb::postgres();
    let result = drydock_backup::restore(
        dir.path(),
        &tampered,
        target.url(),
        &restore_options(dir.path(), false),
    );
    let Err(error @ BackupError::NotUndone { .. }) = result else {
        panic!("{result:?}");
    };
    assert_eq!(error.code(), "D5023");
    let text = error.to_string();
    assert!(
        text.starts_with("the restored data does not match the backup's manifest"),
        "{text}"
    );
    assert!(
        text.contains("left: privileges and comment of schema public"),
        "{text}"
    );
    // The table the restore created is gone all the same.
    assert!(
        !drydock_backup::backend_for(target.url())
            .unwrap()
            .has_tables(target.url())
            .unwrap()
    );
}
