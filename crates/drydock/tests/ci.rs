//! `drydock ci` as a pipeline runs it: a clean change passes and writes the job summary; a
//! schema change without its migration, a migration that does not apply, a broken `down.sql`
//! and a dangerous statement each fail with their own exit status and annotation; the same
//! commands `docs/ci.md` gives a GitHub Actions workflow and a GitLab job; the same checks on a
//! MariaDB project.

use std::path::Path;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use drydock_test_support::git::git;

const DATASOURCE: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";
const MYSQL_DATASOURCE: &str =
    "datasource db {\n  provider = \"mysql\"\n  url      = env(\"DATABASE_URL\")\n}\n";
const USER: &str =
    "\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n";
const POST: &str =
    "\nmodel Post {\n  id    Int    @id @default(autoincrement())\n  title String\n}\n";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    summary: String,
}

fn drydock(dir: &Path, url: &str, args: &[&str]) -> Run {
    let summary = dir.join("step-summary.md");
    let _ = std::fs::remove_file(&summary);
    let output = Command::cargo_bin("drydock")
        .expect("the drydock binary")
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .output()
        .expect("running drydock");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

/// A project whose history `migrate dev` wrote: `init` (User), then `add_post` (Post).
fn project(db: &TestDb) -> tempfile::TempDir {
    project_on(db, DATASOURCE)
}

fn project_on(db: &TestDb, datasource: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("prisma")).expect("prisma dir");
    let schema = dir.path().join("prisma/schema.prisma");
    for (name, models) in [
        ("init", USER.to_owned()),
        ("add_post", format!("{USER}{POST}")),
    ] {
        std::fs::write(&schema, format!("{datasource}{models}")).expect("schema");
        let run = drydock(dir.path(), db.url(), &["migrate", "dev", "--name", name]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
    dir
}

fn migration_folder(dir: &Path, name: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir.join("prisma/migrations"))
        .expect("migrations")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.to_string_lossy().ends_with(name))
        .expect("the migration")
}

fn add_migration(dir: &Path, folder: &str, sql: &str) {
    let folder = dir.join("prisma/migrations").join(folder);
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("migration.sql"), sql).expect("migration");
}

/// A server the checks run on: a database of its own for each test, and the datasource of a
/// project on it.
#[derive(Clone, Copy)]
struct Server {
    db: fn() -> TestDb,
    datasource: &'static str,
}

const POSTGRES: Server = Server {
    db: TestDb::postgres,
    datasource: DATASOURCE,
};

/// A MySQL-provider project, against MariaDB.
const MARIADB: Server = Server {
    db: TestDb::mysql,
    datasource: MYSQL_DATASOURCE,
};

impl Server {
    /// `sql`, written with `"` around identifiers, in this server's identifier quotes.
    fn sql(self, sql: &str) -> String {
        if self.datasource == MYSQL_DATASOURCE {
            sql.replace('"', "`")
        } else {
            sql.to_owned()
        }
    }
}

fn a_clean_change_passes_and_writes_the_summary(server: Server) {
    let db = (server.db)();
    let dir = project_on(&db, server.datasource);
    let run = drydock(dir.path(), db.url(), &["ci", "--format", "github"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("All checks passed."), "{}", run.stdout);
    assert!(!run.stdout.contains("::error"), "{}", run.stdout);
    assert!(run.summary.starts_with("## drydock ci"), "{}", run.summary);
    assert!(
        run.summary
            .contains("| down migrations go down and up again | ✅ passed | 2 down.sql file(s)"),
        "{}",
        run.summary
    );
    // JSON: every check, the exit status.
    let run = drydock(dir.path(), db.url(), &["ci", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["ok"], true);
    let kinds: Vec<&str> = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|check| check["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "schema",
            "apply",
            "missing-migration",
            "down",
            "lint",
            "conflicts"
        ]
    );
}

fn a_schema_change_without_its_migration_fails_with_22(server: Server) {
    let db = (server.db)();
    let dir = project_on(&db, server.datasource);
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "{}{USER}{POST}\nmodel Tag {{\n  id Int @id\n}}\n",
            server.datasource
        ),
    )
    .expect("schema");
    let run = drydock(dir.path(), db.url(), &["ci", "--format", "github"]);
    assert_eq!(run.code, 22, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("::error file=prisma/schema.prisma,line=1")
            && run
                .stdout
                .contains("title=schema change without a migration::"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Tag"), "{}", run.stdout);
    assert!(run.stdout.contains("drydock migrate dev"), "{}", run.stdout);
    assert!(run.summary.contains("❌ failed"), "{}", run.summary);
}

fn a_migration_that_does_not_apply_fails_with_21(server: Server) {
    let db = (server.db)();
    let dir = project_on(&db, server.datasource);
    add_migration(
        dir.path(),
        "20991231000000_add_user_name",
        &server.sql("ALTER TABLE \"Nope\" ADD COLUMN \"name\" TEXT;\n"),
    );
    let run = drydock(dir.path(), db.url(), &["ci", "--format", "github"]);
    assert_eq!(run.code, 21, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "::error file=prisma/migrations/20991231000000_add_user_name/migration.sql,line=1"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("skip  migrations match the schema"),
        "{}",
        run.stdout
    );
}

fn a_broken_down_file_fails_with_23(server: Server) {
    let db = (server.db)();
    let dir = project_on(&db, server.datasource);
    let down = migration_folder(dir.path(), "_add_post").join("down.sql");
    std::fs::write(&down, "SELECT 1;\n").expect("down.sql");
    let run = drydock(dir.path(), db.url(), &["ci", "--format", "github"]);
    assert_eq!(run.code, 23, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("down.sql,line=1")
            && run
                .stdout
                .contains("title=down.sql does not undo its migration::"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("does not restore the previous schema"),
        "{}",
        run.stdout
    );
}

fn a_dangerous_statement_fails_with_24(server: Server) {
    let db = (server.db)();
    let dir = project_on(&db, server.datasource);
    add_migration(
        dir.path(),
        "20991231000000_clear_users",
        &server.sql("TRUNCATE \"User\";\n"),
    );
    let run = drydock(dir.path(), db.url(), &["ci", "--format", "github"]);
    assert_eq!(run.code, 24, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "::error file=prisma/migrations/20991231000000_clear_users/migration.sql,line=1,col=1"
        ) && run.stdout.contains("title=D4105 truncate::"),
        "{}",
        run.stdout
    );
}

/// The checks every server runs alike, tagged by server.
macro_rules! checks_on {
    ($module:ident, $server:expr) => {
        mod $module {
            #[test]
            fn a_clean_change_passes_and_writes_the_summary() {
                super::a_clean_change_passes_and_writes_the_summary($server);
            }

            #[test]
            fn a_schema_change_without_its_migration_fails_with_22() {
                super::a_schema_change_without_its_migration_fails_with_22($server);
            }

            #[test]
            fn a_migration_that_does_not_apply_fails_with_21() {
                super::a_migration_that_does_not_apply_fails_with_21($server);
            }

            #[test]
            fn a_broken_down_file_fails_with_23() {
                super::a_broken_down_file_fails_with_23($server);
            }

            #[test]
            fn a_dangerous_statement_fails_with_24() {
                super::a_dangerous_statement_fails_with_24($server);
            }
        }
    };
}

checks_on!(postgres, super::POSTGRES);
checks_on!(mariadb, super::MARIADB);

#[test]
fn an_unformatted_schema_fails_with_20() {
    let db = TestDb::postgres();
    let dir = project(&db);
    let schema = dir.path().join("prisma/schema.prisma");
    let text = std::fs::read_to_string(&schema).expect("schema");
    std::fs::write(
        &schema,
        text.replace("  email String @unique", "  email   String @unique"),
    )
    .expect("schema");
    let run = drydock(dir.path(), db.url(), &["ci", "--format", "github"]);
    assert_eq!(run.code, 20, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("title=schema not formatted::"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_out_of_order_migration_from_a_merged_branch_fails_with_25() {
    let db = TestDb::postgres();
    let dir = project(&db);
    // Released history with room between its two migrations (`migrate dev` may write them in
    // the same second).
    let migrations = dir.path().join("prisma/migrations");
    std::fs::rename(
        migration_folder(dir.path(), "_init"),
        migrations.join("20240101000000_init"),
    )
    .expect("rename");
    std::fs::rename(
        migration_folder(dir.path(), "_add_post"),
        migrations.join("20240301000000_add_post"),
    )
    .expect("rename");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "released"]);
    git(
        dir.path(),
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
    );
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    // The branch's migration was written before main's `add_post`, and merged after it.
    let branch = "20240201000000_add_tag".to_owned();
    add_migration(
        dir.path(),
        &branch,
        "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL, CONSTRAINT \"Tag_pkey\" PRIMARY KEY (\"id\"));\n",
    );
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!("{DATASOURCE}{USER}{POST}\nmodel Tag {{\n  id Int @id\n}}\n"),
    )
    .expect("schema");
    let run = drydock(
        dir.path(),
        db.url(),
        &["ci", "--since", "origin/main", "--format", "github"],
    );
    assert_eq!(run.code, 25, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "::error file=prisma/migrations/{branch}/migration.sql,line=1"
        )) && run.stdout.contains("title=D3130 migration conflict::"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("drydock migrate rebase"),
        "{}",
        run.stdout
    );
    // Rebased after main's newest, the branch passes (a database that never saw the old
    // folder names, as a pipeline's).
    let fresh = TestDb::postgres();
    let rebase = drydock(dir.path(), fresh.url(), &["migrate", "rebase", &branch]);
    assert_eq!(rebase.code, 0, "{}{}", rebase.stdout, rebase.stderr);
    let run = drydock(dir.path(), fresh.url(), &["ci", "--since", "origin/main"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_sqlite_project_runs_every_check_without_a_server() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("prisma")).expect("prisma dir");
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}}\n{USER}{POST}"
        ),
    )
    .expect("schema");
    let run = drydock(dir.path(), db.url(), &["migrate", "dev", "--name", "init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = drydock(dir.path(), db.url(), &["ci"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("pass  down migrations go down and up again"),
        "{}",
        run.stdout
    );
}

/// The `drydock …` lines of the YAML blocks of docs/ci.md, with the pipelines' variables for
/// the base branch set to `main` and output redirections dropped.
fn documented_commands() -> Vec<Vec<String>> {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ci.md"))
            .expect("docs/ci.md");
    let mut in_yaml = false;
    page.lines()
        .filter(|line| {
            if line.starts_with("```") {
                in_yaml = *line == "```yaml";
                return false;
            }
            in_yaml
        })
        .filter_map(|line| {
            let command = line
                .trim()
                .trim_start_matches("- run: ")
                .trim_start_matches("- ");
            command.strip_prefix("drydock ").map(|rest| {
                let rest = rest.split(" >").next().unwrap_or(rest);
                rest.replace("${{ github.base_ref }}", "main")
                    .replace("$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect()
            })
        })
        .collect()
}

#[test]
fn the_documented_pipeline_jobs_pass_on_a_branch_that_adds_a_migration() {
    let commands = documented_commands();
    assert_eq!(
        commands.len(),
        2,
        "one drydock line per pipeline: {commands:?}"
    );
    let db = TestDb::postgres();
    let dir = project(&db);
    // main holds the history, with a statement lint would flag today: deployed long ago.
    let after_post: u64 = migration_folder(dir.path(), "_add_post")
        .file_name()
        .and_then(|name| name.to_str()?.split('_').next()?.parse().ok())
        .expect("a timestamp");
    add_migration(
        dir.path(),
        &format!("{}_clear_users", after_post + 1),
        "TRUNCATE \"User\";\n",
    );
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "history"]);
    git(
        dir.path(),
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
    );
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    let schema = dir.path().join("prisma/schema.prisma");
    std::fs::write(
        &schema,
        format!("{DATASOURCE}{USER}{POST}\nmodel Tag {{\n  id   Int    @id\n  name String\n}}\n"),
    )
    .expect("schema");
    let run = drydock(
        dir.path(),
        db.url(),
        &["migrate", "dev", "--name", "add_tag"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let run = drydock(dir.path(), db.url(), &args);
        assert_eq!(
            run.code, 0,
            "drydock {args:?}: {}{}",
            run.stdout, run.stderr
        );
        assert!(run.summary.contains("_add_tag`"), "{}", run.summary);
        assert!(!run.summary.contains("clear_users"), "{}", run.summary);
    }
}
