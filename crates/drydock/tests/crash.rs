//! Crash injection: the real binary's `migrate deploy` is killed (`SIGKILL`) or has its sessions
//! terminated (`pg_terminate_backend`) at a pseudo-random point (fixed seed, bounded delay),
//! then a plain `migrate deploy` must finish the job: every migration applied exactly once, the
//! schema and data of a clean deploy, no invalid index. `DRYDOCK_CRASH_TRIALS` sets the number
//! of trials (20 by default; each uses its own database).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use drydock_test_support::TestDb;

const SCHEMA: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

/// Transactional migrations and migrations with `CREATE INDEX CONCURRENTLY`, over a table big
/// enough that the builds take a moment.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20240101000000_init",
        "CREATE TABLE \"item\" (\"id\" INTEGER PRIMARY KEY, \"code\" TEXT, \"n\" INTEGER);\n\
         INSERT INTO \"item\" SELECT g, md5(g::text), g % 97 FROM generate_series(1, 200000) g;\n",
    ),
    (
        "20240102000000_tags",
        "CREATE TABLE \"tag\" (\"id\" INTEGER PRIMARY KEY, \"label\" TEXT);\n\
         INSERT INTO \"tag\" SELECT g, md5((g * 7)::text) FROM generate_series(1, 100000) g;\n\
         ALTER TABLE \"item\" ADD COLUMN \"tag_id\" INTEGER;\n",
    ),
    (
        "20240103000000_item_indexes",
        "CREATE INDEX CONCURRENTLY \"item_code_idx\" ON \"item\" (\"code\");\n\
         CREATE INDEX CONCURRENTLY \"item_n_code_idx\" ON \"item\" (\"n\", \"code\");\n",
    ),
    (
        "20240104000000_audit",
        "CREATE TABLE \"audit\" (\"id\" INTEGER PRIMARY KEY, \"item_id\" INTEGER);\n\
         INSERT INTO \"audit\" SELECT g, g FROM generate_series(1, 100000) g;\n\
         UPDATE \"item\" SET \"tag_id\" = \"id\" % 1000 + 1;\n",
    ),
    (
        "20240105000000_tag_index",
        "CREATE UNIQUE INDEX CONCURRENTLY \"tag_label_key\" ON \"tag\" (\"label\");\n\
         CREATE INDEX CONCURRENTLY \"audit_item_idx\" ON \"audit\" (\"item_id\");\n",
    ),
];

/// Columns, indexes and row counts: what a deploy leaves, in a comparable form.
const SHAPE: &str = "\
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type \
      FROM information_schema.columns WHERE table_schema = 'public' \
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
    UNION ALL SELECT 'rows item ' || count(*) || ' ' || coalesce(sum(\"tag_id\"), -1) FROM \"item\" \
    UNION ALL SELECT 'rows tag ' || count(*) FROM \"tag\" \
    UNION ALL SELECT 'rows audit ' || count(*) FROM \"audit\" \
    ORDER BY 1";

fn project() -> tempfile::TempDir {
    let project = tempfile::tempdir().expect("project");
    std::fs::create_dir_all(project.path().join("prisma")).expect("prisma folder");
    std::fs::write(project.path().join("prisma/schema.prisma"), SCHEMA).expect("schema");
    for (name, sql) in MIGRATIONS {
        let dir = project.path().join("prisma/migrations").join(name);
        std::fs::create_dir_all(&dir).expect("migration folder");
        std::fs::write(dir.join("migration.sql"), sql).expect("migration.sql");
    }
    project
}

fn deploy(project: &Path, url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drydock"));
    command
        .current_dir(project)
        .args(["migrate", "deploy", "--lint", "off"])
        .env("DATABASE_URL", url)
        .env("DRYDOCK_CACHE_DIR", project.join(".cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn shape(db: &TestDb) -> Vec<String> {
    db.postgres_client()
        .query(SHAPE, &[])
        .expect("schema shape")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// What is wrong with the database after the recovering deploy, if anything.
fn check(db: &TestDb, clean: &[String]) -> Result<(), String> {
    let mut client = db.postgres_client();
    let invalid: i64 = client
        .query_one("SELECT count(*) FROM pg_index WHERE NOT indisvalid", &[])
        .map_err(|e| e.to_string())?
        .get(0);
    if invalid > 0 {
        return Err(format!("{invalid} invalid index(es) remain"));
    }
    for (name, _) in MIGRATIONS {
        let applied: i64 = client
            .query_one(
                "SELECT count(*) FROM \"_prisma_migrations\" WHERE migration_name = $1 \
                 AND finished_at IS NOT NULL AND rolled_back_at IS NULL",
                &[name],
            )
            .map_err(|e| e.to_string())?
            .get(0);
        if applied != 1 {
            return Err(format!("{name} is applied {applied} time(s)"));
        }
    }
    let unfinished: i64 = client
        .query_one(
            "SELECT count(*) FROM \"_prisma_migrations\" \
             WHERE finished_at IS NULL AND rolled_back_at IS NULL",
            &[],
        )
        .map_err(|e| e.to_string())?
        .get(0);
    if unfinished > 0 {
        return Err(format!("{unfinished} unfinished history row(s) remain"));
    }
    let got = shape(db);
    if got != clean {
        let missing: Vec<_> = clean.iter().filter(|l| !got.contains(l)).collect();
        let extra: Vec<_> = got.iter().filter(|l| !clean.contains(l)).collect();
        return Err(format!(
            "schema differs from a clean deploy: missing {missing:?}, extra {extra:?}"
        ));
    }
    Ok(())
}

/// A fixed-seed generator (xorshift), so a failing trial can be run again.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn a_deploy_killed_or_cut_off_anywhere_is_finished_by_the_next_deploy() {
    let trials: u64 = std::env::var("DRYDOCK_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let project = project();

    let clean_db = TestDb::postgres();
    let started = Instant::now();
    let clean = deploy(project.path(), clean_db.url())
        .output()
        .expect("clean deploy");
    // The faults land anywhere within a clean deploy's duration (at least 200 ms).
    let span = started.elapsed().as_millis().max(200) as u64;
    assert!(clean.status.success(), "{clean:?}");
    let clean = shape(&clean_db);
    assert!(
        clean.iter().any(|l| l.contains("item_n_code_idx")),
        "{clean:?}"
    );

    let mut random = Seeded(0x5eed_d0c4);
    let (mut kills, mut terminations, mut cut_short) = (0, 0, 0);
    let mut failures = Vec::new();
    for trial in 0..trials {
        let db = TestDb::postgres();
        let delay = Duration::from_millis(random.next() % span);
        let kill = (random.next() >> 32) & 1 == 0;
        let mut child = deploy(project.path(), db.url()).spawn().expect("spawn");
        std::thread::sleep(delay);
        if kill {
            kills += 1;
            let _ = child.kill();
        } else {
            terminations += 1;
            let _ = db.postgres_client().query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&db.name()],
            );
        }
        let first = child.wait_with_output().expect("faulted deploy");
        if !first.status.success() {
            cut_short += 1;
        }
        let fault = if kill {
            "SIGKILL"
        } else {
            "pg_terminate_backend"
        };
        let again = deploy(project.path(), db.url())
            .output()
            .expect("recovering deploy");
        let outcome = if again.status.success() {
            check(&db, &clean)
        } else {
            Err(format!(
                "the recovering deploy failed: {}",
                String::from_utf8_lossy(&again.stderr)
            ))
        };
        if let Err(problem) = outcome {
            failures.push(format!(
                "trial {trial} ({fault} after {} ms): {problem}\nfaulted deploy said: {}",
                delay.as_millis(),
                String::from_utf8_lossy(&first.stderr)
            ));
        }
    }
    eprintln!(
        "{trials} trial(s): {kills} SIGKILL, {terminations} pg_terminate_backend, {cut_short} \
         deploy(s) cut short, {} failure(s)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
