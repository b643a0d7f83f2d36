//! drydock through real connection poolers: PgBouncer in transaction mode and pgpool-II, which
//! `scripts/with-databases.sh` starts in front of the test PostgreSQL (TEST_PGBOUNCER_URL,
//! TEST_PGPOOL_URL). Each test has its own database, reached through the pooler.

use std::path::Path;
use std::process::Output;
use std::thread;

use assert_cmd::Command;
use drydock_test_support::{TestDb, replace_database, required_var};

const MIGRATIONS: [(&str, &str); 3] = [
    (
        "20240101000000_users",
        "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"email\" TEXT NOT NULL);\n",
    ),
    (
        "20240102000000_posts",
        "CREATE TABLE \"Post\" (\"id\" SERIAL PRIMARY KEY, \"title\" TEXT NOT NULL);\n",
    ),
    (
        "20240103000000_tags",
        "CREATE TABLE \"Tag\" (\"id\" SERIAL PRIMARY KEY, \"name\" TEXT NOT NULL);\n",
    ),
];

const MODELS: &str = "model User {\n  id    Int    @id @default(autoincrement())\n  email String\n}\n\n\
model Post {\n  id    Int    @id @default(autoincrement())\n  title String\n}\n\n\
model Tag {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n";

/// How many deployers race.
const DEPLOYERS: usize = 4;

/// The test database `db` through the pooler whose URL is in `variable`, with `params`.
fn through(variable: &str, db: &TestDb, params: &str) -> String {
    let url = replace_database(&required_var(variable), &db.name());
    if params.is_empty() {
        url
    } else {
        format!("{url}?{params}")
    }
}

/// A project whose datasource is `url` (and `direct_url`), with the three migrations.
fn project(url: &str, direct_url: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let prisma = dir.path().join("prisma");
    let direct = direct_url
        .map(|direct| format!("  directUrl = \"{direct}\"\n"))
        .unwrap_or_default();
    std::fs::create_dir_all(&prisma).expect("prisma folder");
    std::fs::write(
        prisma.join("schema.prisma"),
        format!(
            "datasource db {{\n  provider  = \"postgresql\"\n  url       = \"{url}\"\n{direct}}}\n\n{MODELS}"
        ),
    )
    .expect("schema");
    for (name, sql) in MIGRATIONS {
        let folder = prisma.join("migrations").join(name);
        std::fs::create_dir_all(&folder).expect("migration folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration.sql");
    }
    dir
}

fn drydock(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("running drydock")
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `args` run by `DEPLOYERS` processes at once.
fn race(dir: &Path, args: &[&str]) -> Vec<Output> {
    thread::scope(|scope| {
        let runs: Vec<_> = (0..DEPLOYERS)
            .map(|_| scope.spawn(|| drydock(dir, args)))
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("a deployer thread"))
            .collect()
    })
}

fn assert_no_statement_clash(outputs: &[Output]) {
    for output in outputs {
        assert!(
            !text(output).contains("prepared statement"),
            "{}",
            text(output)
        );
    }
}

/// The history's migration names with how often each was applied (finished, not rolled back),
/// read over a direct connection; empty when there is no history table.
fn applied(db: &TestDb) -> Vec<(String, i64)> {
    let mut client = db.postgres_client();
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('public._prisma_migrations') IS NOT NULL",
            &[],
        )
        .expect("history table check")
        .get(0);
    if !exists {
        return Vec::new();
    }
    client
        .query(
            "SELECT migration_name, count(*) FROM _prisma_migrations \
             WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL \
             GROUP BY migration_name ORDER BY migration_name",
            &[],
        )
        .expect("reading the history")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

fn each_applied_once() -> Vec<(String, i64)> {
    MIGRATIONS
        .iter()
        .map(|(name, _)| ((*name).to_owned(), 1))
        .collect()
}

#[test]
fn status_diff_and_pull_work_through_pgbouncer_with_pgbouncer_true() {
    let db = TestDb::postgres();
    let pooled = through("TEST_PGBOUNCER_URL", &db, "pgbouncer=true");
    let dir = project(&pooled, None);
    let deployed = drydock(dir.path(), &["migrate", "deploy", "--url", db.url()]);
    assert_eq!(deployed.status.code(), Some(0), "{}", text(&deployed));

    // Several at once, so that the pooler shares server sessions between them.
    let commands: [&[&str]; 3] = [
        &["migrate", "status"],
        &[
            "migrate",
            "diff",
            "--from-url",
            &pooled,
            "--to-schema",
            "prisma/schema.prisma",
            "--exit-code",
        ],
        &["db", "pull", "--print"],
    ];
    for args in commands {
        let outputs = race(dir.path(), args);
        assert_no_statement_clash(&outputs);
        for output in &outputs {
            assert_eq!(output.status.code(), Some(0), "{args:?}: {}", text(output));
        }
        if args[0] == "db" {
            let printed = String::from_utf8_lossy(&outputs[0].stdout);
            for model in ["model User", "model Post", "model Tag"] {
                assert!(printed.contains(model), "{printed}");
            }
        }
    }
    let status = drydock(dir.path(), &["migrate", "status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("Database schema is up to date!"),
        "{}",
        text(&status)
    );
}

#[test]
fn concurrent_deploys_through_pgbouncer_with_pgbouncer_true_are_refused_naming_direct_url() {
    let db = TestDb::postgres();
    let dir = project(&through("TEST_PGBOUNCER_URL", &db, "pgbouncer=true"), None);
    let outputs = race(dir.path(), &["migrate", "deploy"]);
    assert_no_statement_clash(&outputs);
    for output in &outputs {
        let all = text(output);
        assert_eq!(output.status.code(), Some(1), "{all}");
        assert!(
            all.contains("[D1013]") && all.contains("directUrl"),
            "{all}"
        );
    }
    assert_eq!(applied(&db), Vec::new());
}

#[test]
fn concurrent_deploys_through_pgbouncer_without_the_flag_apply_each_migration_once() {
    let db = TestDb::postgres();
    let dir = project(&through("TEST_PGBOUNCER_URL", &db, ""), None);
    let outputs = race(dir.path(), &["migrate", "deploy"]);
    assert_no_statement_clash(&outputs);
    for output in &outputs {
        let all = text(output);
        // Applied, or refused: the pooler seen at the lock (D1013), or the lock left on a
        // server session the pooler gave another client (P1002).
        assert!(
            output.status.code() == Some(0) || all.contains("[D1013]") || all.contains("[P1002]"),
            "{all}"
        );
    }
    // A lock a refused deploy left on a server session the pooler keeps holds until that
    // session ends, as the P1002 message says: end the pooler's idle sessions that hold one, as
    // an operator would.
    db.postgres_client()
        .execute(
            "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a \
             JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted \
             WHERE a.datname = current_database() AND a.state = 'idle' \
             AND a.pid <> pg_backend_pid()",
            &[],
        )
        .expect("leftover locks released");
    // Whatever was refused, a deploy over a direct connection finishes the work, and nothing
    // ran twice.
    let direct = drydock(dir.path(), &["migrate", "deploy", "--url", db.url()]);
    assert_eq!(direct.status.code(), Some(0), "{}", text(&direct));
    assert_eq!(applied(&db), each_applied_once());
}

#[test]
fn concurrent_deploys_use_direct_url_and_all_succeed() {
    let db = TestDb::postgres();
    let dir = project(
        &through("TEST_PGBOUNCER_URL", &db, "pgbouncer=true"),
        Some(db.url()),
    );
    let outputs = race(dir.path(), &["migrate", "deploy"]);
    assert_no_statement_clash(&outputs);
    for output in &outputs {
        assert_eq!(output.status.code(), Some(0), "{}", text(output));
    }
    assert_eq!(applied(&db), each_applied_once());
}

#[test]
fn concurrent_deploys_through_pgpool_serialise_and_all_succeed() {
    let db = TestDb::postgres();
    let dir = project(&through("TEST_PGPOOL_URL", &db, ""), None);
    let outputs = race(dir.path(), &["migrate", "deploy"]);
    assert_no_statement_clash(&outputs);
    for output in &outputs {
        assert_eq!(output.status.code(), Some(0), "{}", text(output));
    }
    assert_eq!(applied(&db), each_applied_once());
    let status = drydock(dir.path(), &["migrate", "status"]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
}
