//! The `drydock` binary as users run it: commands, exit codes, messages for bad input.
//! SQLite tests need no server; PostgreSQL tests run on the test server (`TEST_POSTGRES_URL`).

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use drydock_test_support::output::{assert_exit, stderr, stdout};

/// A project folder with `prisma/schema.prisma`.
struct Project {
    dir: tempfile::TempDir,
}

const SQLITE_HEADER: &str =
    "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\n";

const BLOG: &str = "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n}\n";

impl Project {
    fn new(schema: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("prisma")).expect("prisma dir");
        let project = Project { dir };
        project.write_schema(schema);
        project
    }

    fn sqlite(models: &str) -> Project {
        Project::new(&format!("{SQLITE_HEADER}{models}"))
    }

    fn postgres(models: &str) -> Project {
        Project::new(&format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n{models}"
        ))
    }

    fn write_schema(&self, schema: &str) {
        std::fs::write(self.path().join("prisma/schema.prisma"), schema).expect("write schema");
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn migrations(&self) -> PathBuf {
        self.path().join("prisma/migrations")
    }

    fn migration_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.migrations())
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn drydock(&self, args: &[&str]) -> Output {
        self.drydock_with(args, None)
    }

    fn drydock_with(&self, args: &[&str], database_url: Option<&str>) -> Output {
        let before = self.migration_names();
        let output = self.run(args, database_url);
        if args.starts_with(&["migrate", "dev"]) && output.status.success() {
            let written: Vec<String> = self
                .migration_names()
                .into_iter()
                .filter(|name| !before.contains(name))
                .collect();
            self.assert_lint_passes(&written, database_url);
        }
        output
    }

    fn run(&self, args: &[&str], database_url: Option<&str>) -> Output {
        let mut command = Command::cargo_bin("drydock").expect("binary");
        command.current_dir(self.path()).args(args).write_stdin("");
        command.env("DRYDOCK_CACHE_DIR", self.path().join(".cache"));
        command.env_remove("DATABASE_URL");
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        command.output().expect("run drydock")
    }

    /// What `migrate dev` writes passes drydock's own lint: no error but the data losses the
    /// user consented to (`--accept-data-loss`, or a confirmed prompt).
    fn assert_lint_passes(&self, written: &[String], database_url: Option<&str>) {
        const CONSENTED: &[&str] = &[
            "drop-table",
            "drop-column",
            "drop-enum-value",
            "narrowing-type-change",
        ];
        for name in written {
            let folder = self.migrations().join(name).display().to_string();
            let lint = self.run(&["lint", &folder, "--format", "json"], database_url);
            let report: serde_json::Value = serde_json::from_slice(&lint.stdout)
                .unwrap_or_else(|_| panic!("lint of {name}: {}{}", stdout(&lint), stderr(&lint)));
            let errors: Vec<&serde_json::Value> = report["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|finding| {
                    finding["level"] == "error"
                        && !CONSENTED.contains(&finding["rule"].as_str().unwrap_or_default())
                })
                .collect();
            assert!(errors.is_empty(), "drydock lint on {name}: {errors:#?}");
        }
    }
}

#[test]
fn dev_creates_and_applies_a_migration_then_finds_nothing_to_do() {
    let project = Project::sqlite(BLOG);
    let first = project.drydock(&["migrate", "dev", "--name", "init"]);
    assert_exit(&first, 0);
    let names = project.migration_names();
    assert_eq!(names.len(), 1);
    assert!(names[0].ends_with("_init") && names[0].len() == "20240101000000_init".len());
    let lock = std::fs::read_to_string(project.migrations().join("migration_lock.toml"))
        .expect("lock file");
    assert!(lock.contains("provider = \"sqlite\""));
    let sql = std::fs::read_to_string(project.migrations().join(&names[0]).join("migration.sql"))
        .expect("sql");
    assert!(
        sql.starts_with("-- CreateTable\nCREATE TABLE \"User\""),
        "{sql}"
    );
    assert!(
        project.path().join("prisma/dev.db").exists(),
        "the URL is relative to the schema"
    );

    let second = project.drydock(&["migrate", "dev"]);
    assert_exit(&second, 0);
    assert!(stdout(&second).contains("Already in sync"));
    assert_eq!(project.migration_names().len(), 1);

    let status = project.drydock(&["migrate", "status"]);
    assert_exit(&status, 0);
    assert!(stdout(&status).contains("Database schema is up to date!"));
}

#[test]
fn dev_refuses_data_loss_without_consent_and_writes_nothing() {
    let project = Project::sqlite(BLOG);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    project.write_schema(&format!(
        "{SQLITE_HEADER}{}",
        BLOG.replace("  title    String\n", "")
    ));

    let refused = project.drydock(&["migrate", "dev", "--name", "drop_title"]);
    assert_exit(&refused, 1);
    assert!(stderr(&refused).contains("D2000"), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("drop the column `title` on the `Post` table"));
    assert!(stderr(&refused).contains("--accept-data-loss"));
    assert_eq!(project.migration_names().len(), 1, "nothing written");

    let accepted = project.drydock(&[
        "migrate",
        "dev",
        "--name",
        "drop_title",
        "--accept-data-loss",
    ]);
    assert_exit(&accepted, 0);
    assert_eq!(project.migration_names().len(), 2);
}

#[test]
fn create_only_writes_without_applying_and_status_reports_it_pending() {
    let project = Project::sqlite(BLOG);
    assert_exit(
        &project.drydock(&["migrate", "dev", "--name", "init", "--create-only"]),
        0,
    );
    let status = project.drydock(&["migrate", "status"]);
    assert_exit(&status, 1);
    assert!(
        stdout(&status).contains("Not yet applied"),
        "{}",
        stdout(&status)
    );

    let json = project.drydock(&["migrate", "status", "--json"]);
    assert_exit(&json, 1);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(report["pending"].as_array().map(Vec::len), Some(1));

    let deploy = project.drydock(&["migrate", "deploy"]);
    assert_exit(&deploy, 0);
    assert!(stdout(&deploy).contains("_init"));
    assert_exit(&project.drydock(&["migrate", "status"]), 0);
}

#[test]
fn schema_errors_point_at_file_line_and_column() {
    let project = Project::sqlite("model User {\n  id    Int    @id\n  email Strin  @unique\n}\n");
    let output = project.drydock(&["validate"]);
    assert_exit(&output, 1);
    let message = stderr(&output);
    assert!(message.contains("P1012"), "{message}");
    assert!(message.contains("Strin"), "{message}");
    assert!(message.contains("schema.prisma:8:9"), "{message}");

    let valid = Project::sqlite(BLOG);
    assert_exit(&valid.drydock(&["validate"]), 0);
}

#[test]
fn a_missing_schema_says_where_it_looked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::cargo_bin("drydock")
        .expect("binary")
        .current_dir(dir.path())
        .args(["migrate", "deploy"])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("prisma/schema.prisma"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_edited_migration_is_reported_and_blocks_dev() {
    let project = Project::sqlite(BLOG);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    let name = &project.migration_names()[0];
    let file = project.migrations().join(name).join("migration.sql");
    let original = std::fs::read_to_string(&file).expect("read");

    // Line endings changed by git are not an edit.
    std::fs::write(&file, original.replace('\n', "\r\n")).expect("write");
    let status = project.drydock(&["migrate", "status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(
        report["edited_after_applied"].as_array().map(Vec::len),
        Some(0)
    );

    std::fs::write(&file, format!("{original}\n-- edited\n")).expect("write");
    let status = project.drydock(&["migrate", "status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(
        report["edited_after_applied"][0].as_str(),
        Some(name.as_str())
    );

    let dev = project.drydock(&["migrate", "dev"]);
    // A reset is needed: its own exit code (130 is for a cancelled run).
    assert_exit(&dev, 3);
    assert!(
        stderr(&dev).contains("was modified after it was applied"),
        "{}",
        stderr(&dev)
    );
    assert!(stderr(&dev).contains("migrate reset"));
}

fn write_migration(project: &Project, name: &str, sql: &str) {
    let folder = project.migrations().join(name);
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("migration.sql"), sql).expect("write");
}

#[test]
fn a_failing_migration_is_recorded_blocks_deploys_and_can_be_resolved() {
    let project = Project::sqlite("model A {\n  id Int @id\n}\n");
    write_migration(
        &project,
        "20240101000000_init",
        "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    );
    write_migration(
        &project,
        "20240102000000_broken",
        "CREATE TABLE \"B\" (\"id\" INTEGER);\nCREATE TABLE \"C\" (\"id\" INTEGER);\nCREAT TABLE oops;\n",
    );
    let deploy = project.drydock(&["migrate", "deploy"]);
    assert_exit(&deploy, 1);
    let message = stderr(&deploy);
    assert!(message.contains("P3018"), "{message}");
    assert!(message.contains("20240102000000_broken"), "{message}");
    assert!(
        message.contains("3:1") || message.contains("line 3"),
        "position of the failing statement: {message}"
    );

    // Nothing of the failed migration remains: it ran in a transaction.
    let url = format!("file:{}", project.path().join("prisma/dev.db").display());
    let tables = introspect_table_names(&url);
    assert_eq!(
        tables,
        vec!["A".to_owned()],
        "partial effects were rolled back"
    );

    let again = project.drydock(&["migrate", "deploy"]);
    assert_exit(&again, 1);
    assert!(stderr(&again).contains("P3009"), "{}", stderr(&again));

    let status = project.drydock(&["migrate", "status"]);
    assert_exit(&status, 1);
    assert!(
        stdout(&status).contains("--rolled-back 20240102000000_broken"),
        "{}",
        stdout(&status)
    );

    assert_exit(
        &project.drydock(&[
            "migrate",
            "resolve",
            "--rolled-back",
            "20240102000000_broken",
        ]),
        0,
    );
    write_migration(
        &project,
        "20240102000000_broken",
        "CREATE TABLE \"B\" (\"id\" INTEGER);\n",
    );
    assert_exit(&project.drydock(&["migrate", "deploy"]), 0);
    assert_exit(&project.drydock(&["migrate", "status"]), 0);
}

fn introspect_table_names(url: &str) -> Vec<String> {
    let dialect = drydock_engine::dialects::for_url(url).expect("dialect");
    let mut connection = dialect.connect(url).expect("connect");
    let mut names: Vec<String> = connection
        .introspect(&[])
        .expect("introspect")
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    names
}

#[test]
fn a_lock_file_for_another_provider_is_refused() {
    let project = Project::sqlite(BLOG);
    std::fs::create_dir_all(project.migrations()).expect("dir");
    std::fs::write(
        project.migrations().join("migration_lock.toml"),
        "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\"\n",
    )
    .expect("write");
    let deploy = project.drydock(&["migrate", "deploy"]);
    assert_exit(&deploy, 1);
    assert!(stderr(&deploy).contains("P3019"), "{}", stderr(&deploy));
    assert!(stderr(&deploy).contains("postgresql"));
}

#[test]
fn a_database_with_tables_but_no_history_must_be_baselined() {
    // Prisma's documented baselining flow: the init migration is written by `migrate diff`.
    let project = Project::sqlite(BLOG);
    let name = "0_init".to_owned();
    std::fs::create_dir_all(project.migrations().join(&name)).expect("folder");
    let diff = project.drydock(&[
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema",
        "prisma/schema.prisma",
        "--script",
        "-o",
        "prisma/migrations/0_init/migration.sql",
    ]);
    assert_exit(&diff, 0);
    let sql = std::fs::read_to_string(project.migrations().join(&name).join("migration.sql"))
        .expect("sql");
    let url = format!("file:{}", project.path().join("prisma/dev.db").display());
    let dialect = drydock_engine::dialects::for_url(&url).expect("dialect");
    dialect
        .connect(&url)
        .expect("connect")
        .execute_script(&sql)
        .expect("create by hand");

    let deploy = project.drydock(&["migrate", "deploy"]);
    assert_exit(&deploy, 1);
    assert!(stderr(&deploy).contains("P3005"), "{}", stderr(&deploy));
    assert!(
        stderr(&deploy).contains("resolve --applied"),
        "{}",
        stderr(&deploy)
    );

    assert_exit(
        &project.drydock(&["migrate", "resolve", "--applied", &name]),
        0,
    );
    assert_exit(&project.drydock(&["migrate", "status"]), 0);
    assert_exit(&project.drydock(&["migrate", "deploy"]), 0);
}

#[test]
fn reset_needs_force_without_a_terminal() {
    let project = Project::sqlite(BLOG);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    let refused = project.drydock(&["migrate", "reset"]);
    assert_exit(&refused, 1);
    assert!(stderr(&refused).contains("--force"));
    let reset = project.drydock(&["migrate", "reset", "--force"]);
    assert_exit(&reset, 0);
    assert_exit(&project.drydock(&["migrate", "status"]), 0);
}

#[test]
fn diff_prints_sql_and_signals_differences_with_exit_codes() {
    let project = Project::sqlite(BLOG);
    let script = project.drydock(&[
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        "prisma/schema.prisma",
        "--script",
    ]);
    assert_exit(&script, 0);
    assert!(stdout(&script).contains("CREATE TABLE \"Post\""));

    let changed = project.drydock(&[
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema",
        "prisma/schema.prisma",
        "--exit-code",
    ]);
    assert_exit(&changed, 2);
    assert!(
        stdout(&changed).contains("[+] Added tables"),
        "{}",
        stdout(&changed)
    );

    let same = project.drydock(&[
        "migrate",
        "diff",
        "--from-schema",
        "prisma/schema.prisma",
        "--to-schema",
        "prisma/schema.prisma",
        "--exit-code",
    ]);
    assert_exit(&same, 0);
    assert!(stdout(&same).contains("No difference detected."));

    let bad = project.drydock(&[
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema",
        "nope.prisma",
        "--exit-code",
    ]);
    assert_exit(&bad, 1);
}

#[test]
fn format_is_idempotent_and_check_reports_unformatted_files() {
    let project =
        Project::sqlite("model   User {\n  id Int @id\n  emailAddress String @unique\n}\n");
    assert_exit(&project.drydock(&["format", "--check"]), 1);
    assert_exit(&project.drydock(&["format"]), 0);
    let once = std::fs::read_to_string(project.path().join("prisma/schema.prisma")).expect("read");
    assert_exit(&project.drydock(&["format", "--check"]), 0);
    assert_exit(&project.drydock(&["format"]), 0);
    let twice = std::fs::read_to_string(project.path().join("prisma/schema.prisma")).expect("read");
    assert_eq!(once, twice);
    assert!(once.contains("  id           Int    @id"), "{once}");
}

#[test]
fn postgres_dev_deploy_and_status_through_the_binary() {
    let db = TestDb::postgres();
    // `migrate dev` creates a development database that does not exist yet.
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    let name: String = client
        .query_one("SELECT current_database()", &[])
        .expect("name")
        .get(0);
    drop(client);
    let mut server = drydock_test_support::postgres_server_client();
    server
        .batch_execute(&format!("DROP DATABASE \"{name}\""))
        .expect("drop");
    let project = Project::postgres(BLOG);
    let dev = project.drydock_with(&["migrate", "dev", "--name", "init"], Some(db.url()));
    assert_exit(&dev, 0);
    assert!(
        stdout(&dev).contains("Created the database."),
        "{}",
        stdout(&dev)
    );
    let again = project.drydock_with(&["migrate", "dev"], Some(db.url()));
    assert_exit(&again, 0);
    assert!(
        stdout(&again).contains("Already in sync"),
        "{}",
        stdout(&again)
    );
    let status = project.drydock_with(&["migrate", "status"], Some(db.url()));
    assert_exit(&status, 0);
}

#[test]
fn concurrent_deploys_apply_each_migration_exactly_once() {
    let db = TestDb::postgres();
    let project = Project::postgres("model A {\n  id Int @id\n}\n");
    for i in 0..30 {
        write_migration(
            &project,
            &format!("2024010100{i:04}_step"),
            &format!("CREATE TABLE \"t{i}\" (\"id\" INTEGER);\nSELECT pg_sleep(0.01);\n"),
        );
    }
    let deployers: Vec<std::thread::JoinHandle<Output>> = (0..3)
        .map(|_| {
            let path = project.path().to_path_buf();
            let url = db.url().to_owned();
            std::thread::spawn(move || {
                Command::cargo_bin("drydock")
                    .expect("binary")
                    .current_dir(path)
                    .args(["migrate", "deploy"])
                    .env("DATABASE_URL", url)
                    .output()
                    .expect("run")
            })
        })
        .collect();
    for deployer in deployers {
        let output = deployer.join().expect("thread");
        assert_exit(&output, 0);
    }
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    let rows = client
        .query(
            "SELECT migration_name, count(*) FROM _prisma_migrations GROUP BY 1",
            &[],
        )
        .expect("query");
    assert_eq!(rows.len(), 30);
    for row in rows {
        let count: i64 = row.get(1);
        assert_eq!(
            count,
            1,
            "{} applied {count} times",
            row.get::<_, String>(0)
        );
    }
}

#[test]
fn an_unreachable_server_fails_fast_and_passwords_are_never_printed() {
    let project = Project::postgres(BLOG);
    let started = std::time::Instant::now();
    let output = project.drydock_with(
        &["migrate", "status"],
        Some("postgresql://alice:hunter2@127.0.0.1:1/app"),
    );
    assert_exit(&output, 1);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(stderr(&output).contains("P1001"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("hunter2") && !stdout(&output).contains("hunter2"));

    let missing_db = project.drydock_with(
        &["migrate", "status"],
        Some("postgresql://postgres:hunter2@127.0.0.1:5432/drydock_no_such_database"),
    );
    assert_exit(&missing_db, 1);
    assert!(
        stderr(&missing_db).contains("P1003"),
        "{}",
        stderr(&missing_db)
    );
    assert!(!stderr(&missing_db).contains("hunter2"));
}

#[test]
fn a_folder_of_schema_files_is_one_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let schema_dir = dir.path().join("prisma/schema");
    std::fs::create_dir_all(&schema_dir).expect("dir");
    std::fs::write(
        schema_dir.join("main.prisma"),
        SQLITE_HEADER.replace("./dev.db", "../dev.db"),
    )
    .expect("write");
    std::fs::write(
        schema_dir.join("users.prisma"),
        "model User {\n  id    Int    @id\n  posts Post[]\n}\n",
    )
    .expect("write");
    std::fs::write(
        schema_dir.join("posts.prisma"),
        "model Post {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n",
    )
    .expect("write");
    let run = |args: &[&str]| {
        Command::cargo_bin("drydock")
            .expect("binary")
            .current_dir(dir.path())
            .args(args)
            .write_stdin("")
            .output()
            .expect("run")
    };
    let dev = run(&[
        "migrate",
        "dev",
        "--schema",
        "prisma/schema",
        "--name",
        "init",
    ]);
    assert_exit(&dev, 0);
    let migrations = schema_dir.join("migrations");
    assert!(
        migrations.join("migration_lock.toml").exists(),
        "migrations next to the datasource file"
    );
    assert!(dir.path().join("prisma/dev.db").exists());
    assert_exit(&run(&["migrate", "status", "--schema", "prisma/schema"]), 0);

    // An error in one file names that file.
    std::fs::write(
        schema_dir.join("posts.prisma"),
        "model Post {\n  id Int @id\n  user Usr\n}\n",
    )
    .expect("write");
    let invalid = run(&["validate", "--schema", "prisma/schema"]);
    assert_exit(&invalid, 1);
    assert!(
        stderr(&invalid).contains("posts.prisma:3"),
        "{}",
        stderr(&invalid)
    );
}

/// `migrate diff --schemas a,b` reads those schemas of both databases (the flag `db pull` has),
/// names every object with its schema, and its script brings one database to the other.
#[test]
fn diff_compares_several_schemas_of_two_databases() {
    let (a, b) = (TestDb::postgres(), TestDb::postgres());
    let project = Project::postgres(BLOG);
    let base = "CREATE SCHEMA \"audit\";\n\
                CREATE TABLE \"public\".\"users\" (\"id\" INTEGER NOT NULL, CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\"));\n\
                CREATE TABLE \"audit\".\"log\" (\"id\" INTEGER NOT NULL, \"user_id\" INTEGER);\n";
    let connect =
        |db: &TestDb| postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    connect(&a).batch_execute(base).expect("database A");
    connect(&b)
        .batch_execute(&format!(
            "{base}ALTER TABLE \"audit\".\"log\" ADD COLUMN \"at\" TIMESTAMP(3);\n\
             CREATE TABLE \"audit\".\"events\" (\"id\" INTEGER NOT NULL, \"kind\" TEXT NOT NULL);\n"
        ))
        .expect("database B");
    let diff = |extra: &[&str]| {
        let mut args = vec![
            "migrate",
            "diff",
            "--from-url",
            a.url(),
            "--to-url",
            b.url(),
            "--script",
            "--exit-code",
        ];
        args.extend_from_slice(extra);
        project.drydock(&args)
    };
    // The URLs' own schema (`public`) is the same on both sides.
    assert_exit(&diff(&[]), 0);
    let both = diff(&["--schemas", "public,audit"]);
    assert_exit(&both, 2);
    insta::assert_snapshot!("diff_several_schemas", stdout(&both));
    connect(&a)
        .batch_execute(&stdout(&both))
        .expect("the script runs");
    assert_exit(&diff(&["--schemas", "public,audit"]), 0);

    let sqlite = project.drydock(&[
        "migrate",
        "diff",
        "--from-empty",
        "--to-url",
        "file:./dev.db",
        "--schemas",
        "main",
    ]);
    assert_exit(&sqlite, 1);
    assert!(
        stderr(&sqlite).contains("`--schemas` picks database schemas"),
        "{}",
        stderr(&sqlite)
    );
}

#[test]
fn diff_compares_a_live_database_with_a_schema() {
    let db = TestDb::postgres();
    let project = Project::postgres(BLOG);
    assert_exit(
        &project.drydock_with(&["migrate", "dev", "--name", "init"], Some(db.url())),
        0,
    );
    let same = project.drydock(&[
        "migrate",
        "diff",
        "--from-url",
        db.url(),
        "--to-schema",
        "prisma/schema.prisma",
        "--exit-code",
    ]);
    assert_exit(&same, 0);
    let from_datasource = project.drydock_with(
        &[
            "migrate",
            "diff",
            "--from-schema-datasource",
            "prisma/schema.prisma",
            "--to-schema",
            "prisma/schema.prisma",
            "--exit-code",
        ],
        Some(db.url()),
    );
    assert_exit(&from_datasource, 0);

    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client.batch_execute("ALTER TABLE \"Post\" ADD COLUMN \"extra\" TEXT; CREATE INDEX \"by_hand\" ON \"Post\"(\"title\");").expect("drift");
    let drift = project.drydock(&[
        "migrate",
        "diff",
        "--from-schema",
        "prisma/schema.prisma",
        "--to-url",
        db.url(),
        "--script",
        "--exit-code",
    ]);
    assert_exit(&drift, 2);
    assert!(
        stdout(&drift).contains("ADD COLUMN     \"extra\" TEXT"),
        "{}",
        stdout(&drift)
    );
    assert!(
        stdout(&drift).contains("CREATE INDEX \"by_hand\""),
        "{}",
        stdout(&drift)
    );

    let dev = project.drydock_with(&["migrate", "dev"], Some(db.url()));
    // A reset is needed: its own exit code (130 is for a cancelled run).
    assert_exit(&dev, 3);
    assert!(stderr(&dev).contains("Drift detected"), "{}", stderr(&dev));
    assert!(
        stderr(&dev).contains("table `Post` has an extra column `extra TEXT`"),
        "{}",
        stderr(&dev)
    );

    let status = project.drydock_with(&["migrate", "status", "--drift"], Some(db.url()));
    assert_exit(&status, 1);
    assert!(
        stdout(&status).contains("index `by_hand` on table `Post` (title) exists in the database"),
        "{}",
        stdout(&status)
    );
    let json = project.drydock_with(&["migrate", "status", "--drift", "--json"], Some(db.url()));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(
        report["drift"]["differences"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
}

/// `drydock init` (as `prisma init` 7.10 lays a project out, or as Prisma 6 did), then `migrate
/// dev` and `migrate status` on SQLite with no server; `database` is where the SQLite file lands.
fn init_then_dev(init: &[&str], written: &[&str], database: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        Command::cargo_bin("drydock")
            .expect("binary")
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .args(args)
            .write_stdin("")
            .output()
            .expect("run")
    };
    assert_exit(&run(init), 0);
    for file in written {
        assert!(dir.path().join(file).exists(), "{file} written");
    }
    assert_exit(&run(init), 1);
    assert_exit(&run(&["validate"]), 0);
    assert_exit(&run(&["migrate", "dev", "--name", "init"]), 0);
    assert!(dir.path().join(database).exists(), "{database}");
    let status = run(&["migrate", "status"]);
    assert_exit(&status, 0);
    assert!(
        stdout(&status).contains("1 migration(s) found in prisma/migrations"),
        "{}",
        stdout(&status)
    );
}

#[test]
fn init_then_dev_migrates_a_new_prisma_7_sqlite_project() {
    init_then_dev(
        &["init"],
        &[
            "prisma7.config.ts",
            "prisma/schema.prisma",
            ".env",
            ".gitignore",
        ],
        "dev.db",
    );
}

#[test]
fn init_then_dev_migrates_a_new_prisma_6_sqlite_project() {
    init_then_dev(
        &[
            "init",
            "--prisma-version",
            "6",
            "--datasource-provider",
            "sqlite",
        ],
        &["prisma/schema.prisma", ".env"],
        "prisma/dev.db",
    );
}

/// The files `drydock init` writes, as `prisma init` 7.10 writes them (its templates, with a
/// first model added to the schema).
#[test]
fn init_writes_the_prisma_7_layout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let init = Command::cargo_bin("drydock")
        .expect("binary")
        .current_dir(dir.path())
        .args(["init", "--datasource-provider", "postgresql"])
        .output()
        .expect("run");
    assert_exit(&init, 0);
    let files: Vec<String> = [
        "prisma7.config.ts",
        "prisma/schema.prisma",
        ".env",
        ".gitignore",
    ]
    .iter()
    .map(|file| {
        let text = std::fs::read_to_string(dir.path().join(file)).expect("written");
        format!("=== {file}\n{text}")
    })
    .collect();
    insta::assert_snapshot!(files.join("\n"));
}

#[test]
fn the_example_shop_deploys_and_matches_its_schema() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop");
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("shop");
    drydock_test_support::copy_tree(&example, &copy).expect("copy the example");
    let _ = std::fs::remove_file(copy.join("prisma/shop.db"));
    let run = |args: &[&str]| {
        Command::cargo_bin("drydock")
            .expect("binary")
            .current_dir(&copy)
            .args(args)
            .write_stdin("")
            .output()
            .expect("run")
    };
    let deploy = run(&["migrate", "deploy"]);
    assert_exit(&deploy, 0);
    assert!(stdout(&deploy).contains("_init"), "{}", stdout(&deploy));
    assert_exit(&run(&["migrate", "status"]), 0);
    let diff = run(&[
        "migrate",
        "diff",
        "--from-migrations",
        "prisma/migrations",
        "--to-schema",
        "prisma/schema.prisma",
        "--exit-code",
    ]);
    assert_exit(&diff, 0);
    let dev = run(&["migrate", "dev"]);
    assert_exit(&dev, 0);
    assert!(stdout(&dev).contains("Already in sync"), "{}", stdout(&dev));
}

/// A server that checks passwords: `scripts/with-databases.sh` starts one.
fn password_server_url() -> String {
    std::env::var("TEST_POSTGRES_PASSWORD_URL").unwrap_or_else(|_| {
        panic!("TEST_POSTGRES_PASSWORD_URL is not set: run the tests through scripts/test.sh")
    })
}

#[test]
fn a_wrong_password_is_reported_without_printing_any_password() {
    let right = password_server_url();
    let wrong = right.replace("drydock-secret", "not-the-password");
    let project = Project::postgres(BLOG);

    let output = project.drydock_with(&["migrate", "status"], Some(&wrong));
    assert_exit(&output, 1);
    let message = stderr(&output);
    assert!(message.contains("P1000"), "{message}");
    assert!(message.contains("drydock"), "names the user: {message}");
    assert!(
        !message.contains("not-the-password") && !message.contains("drydock-secret"),
        "{message}"
    );

    // The right password works, and is not printed either.
    let status = project.drydock_with(&["migrate", "status"], Some(&right));
    assert_exit(&status, 0);
    assert!(
        stdout(&status).contains("0 migration(s) found"),
        "{}",
        stdout(&status)
    );
    let all = format!("{}{}", stdout(&status), stderr(&status));
    assert!(!all.contains("drydock-secret"), "{all}");
}

#[test]
fn dev_writes_verified_down_migrations_and_down_rolls_back() {
    let project = Project::sqlite(BLOG);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    project.write_schema(&format!(
        "{SQLITE_HEADER}{}",
        BLOG.replace(
            "  title    String\n",
            "  title    String\n  body     String?\n"
        )
    ));
    assert_exit(
        &project.drydock(&["migrate", "dev", "--name", "add_body"]),
        0,
    );
    let names = project.migration_names();
    assert_eq!(names.len(), 2);
    for name in &names {
        assert!(
            project.migrations().join(name).join("down.sql").exists(),
            "{name} has a down.sql"
        );
    }

    // Dropping the column loses data: refused without consent, nothing changes.
    let refused = project.drydock(&["migrate", "down"]);
    assert_exit(&refused, 1);
    assert!(stderr(&refused).contains("D3011"), "{}", stderr(&refused));
    assert_exit(&project.drydock(&["migrate", "status"]), 0);

    let down = project.drydock(&["migrate", "down", "--accept-data-loss", "--json"]);
    assert_exit(&down, 0);
    let report: serde_json::Value = serde_json::from_slice(&down.stdout).expect("json");
    assert_eq!(
        report["rolled_back"][0]["name"].as_str(),
        Some(names[1].as_str())
    );
    let status = project.drydock(&["migrate", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(status["pending"][0].as_str(), Some(names[1].as_str()));

    assert_exit(&project.drydock(&["migrate", "deploy"]), 0);
    let to_init = project.drydock(&["migrate", "down", "--to", &names[0], "--accept-data-loss"]);
    assert_exit(&to_init, 0);
    assert!(stdout(&to_init).contains(&names[1]));
    assert_exit(&project.drydock(&["migrate", "deploy"]), 0);
    assert_exit(&project.drydock(&["migrate", "status"]), 0);
}

#[test]
fn down_refuses_a_migration_without_down_sql_and_changes_nothing() {
    let project = Project::sqlite("model A {\n  id Int @id\n}\n");
    write_migration(
        &project,
        "20240101000000_init",
        "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    );
    std::fs::write(
        project.migrations().join("20240101000000_init/down.sql"),
        "DROP TABLE \"A\";\n",
    )
    .expect("down");
    write_migration(
        &project,
        "20240102000000_b",
        "CREATE TABLE \"B\" (\"id\" INTEGER);\n",
    );
    assert_exit(&project.drydock(&["migrate", "deploy"]), 0);

    let refused = project.drydock(&["migrate", "down", "--steps", "2"]);
    assert_exit(&refused, 1);
    assert!(stderr(&refused).contains("D3010"), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("restore a backup")
            || stderr(&refused).contains("Restore a backup")
    );
    let url = format!("file:{}", project.path().join("prisma/dev.db").display());
    assert_eq!(
        introspect_table_names(&url),
        vec!["A".to_owned(), "B".to_owned()],
        "nothing rolled back"
    );
}

#[test]
fn postgres_down_migrations_round_trip() {
    let db = TestDb::postgres();
    let project = Project::postgres(BLOG);
    assert_exit(
        &project.drydock_with(&["migrate", "dev", "--name", "init"], Some(db.url())),
        0,
    );
    let with_enum = format!(
        "datasource db {{\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}}\n\nenum Level {{\n  LOW\n  HIGH\n}}\n\n{}",
        BLOG.replace(
            "  title    String\n",
            "  title    String\n  level    Level   @default(LOW)\n"
        )
    );
    project.write_schema(&with_enum);
    assert_exit(
        &project.drydock_with(&["migrate", "dev", "--name", "add_level"], Some(db.url())),
        0,
    );
    let down = project.drydock_with(&["migrate", "down", "--accept-data-loss"], Some(db.url()));
    assert_exit(&down, 0);
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    let enums: i64 = client
        .query_one("SELECT count(*) FROM pg_type WHERE typname = 'Level'", &[])
        .expect("query")
        .get(0);
    assert_eq!(enums, 0, "the enum is gone with the down migration");
    assert_exit(
        &project.drydock_with(&["migrate", "deploy"], Some(db.url())),
        0,
    );
    let dev = project.drydock_with(&["migrate", "dev"], Some(db.url()));
    assert_exit(&dev, 0);
    assert!(stdout(&dev).contains("Already in sync"), "{}", stdout(&dev));
}

#[test]
fn db_pull_reports_an_empty_database_with_p4001() {
    let project = Project::sqlite("");
    let output = project.drydock(&["db", "pull", "--print"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains("[P4001]"), "{}", stderr(&output));
}

#[test]
fn db_pull_rewrites_the_models_and_keeps_the_header() {
    let header = format!(
        "// Kept: a comment at the top.\n\n{SQLITE_HEADER}generator client {{\n  provider = \"prisma-client-js\"\n}}\n\n"
    );
    let project = Project::new(&format!("{header}{BLOG}"));
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    // The models go away from the file; pulling brings them back from the database.
    project.write_schema(&header);

    let printed = project.drydock(&["db", "pull", "--print"]);
    assert_exit(&printed, 0);
    let expected = format!(
        "{header}model Post {{\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  User     User   @relation(fields: [authorId], references: [id])\n}}\n\nmodel User {{\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  Post  Post[]\n}}\n"
    );
    assert_eq!(stdout(&printed), expected);
    assert_eq!(
        std::fs::read_to_string(project.path().join("prisma/schema.prisma")).expect("schema"),
        header,
        "--print leaves the file alone"
    );

    let written = project.drydock(&["db", "pull"]);
    assert_exit(&written, 0);
    assert!(
        stdout(&written).contains("Introspected 2 model(s)"),
        "{}",
        stdout(&written)
    );
    let schema =
        std::fs::read_to_string(project.path().join("prisma/schema.prisma")).expect("schema");
    assert_eq!(schema, expected);

    // The pulled schema describes the database exactly.
    let same = project.drydock(&[
        "migrate",
        "diff",
        "--from-schema-datasource",
        "prisma/schema.prisma",
        "--to-schema",
        "prisma/schema.prisma",
        "--exit-code",
    ]);
    assert_exit(&same, 0);

    let forced = project.drydock(&["db", "pull", "--force", "--print"]);
    assert_exit(&forced, 0);
    assert!(!stdout(&forced).contains("// Kept"), "{}", stdout(&forced));
    assert!(
        stdout(&forced).contains("generator client"),
        "{}",
        stdout(&forced)
    );
}

/// The hand-written multi-file schema of drydock-pull's re-introspection test, for SQLite, in
/// `prisma/schema/` of `project`; returns the files as (path, text).
fn write_hand_written_schema(project: &Project) -> Vec<(PathBuf, String)> {
    let files = write_hand_written_postgres_schema(project);
    files
        .into_iter()
        .map(|(path, text)| {
            let text = text
                .replace("\"postgresql\"", "\"sqlite\"")
                .replace("env(\"DATABASE_URL\")", "\"file:./dev.db\"");
            std::fs::write(&path, &text).expect("write schema file");
            (path, text)
        })
        .collect()
}

/// The same schema as written for PostgreSQL (the URL from `DATABASE_URL`).
fn write_hand_written_postgres_schema(project: &Project) -> Vec<(PathBuf, String)> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../drydock-pull/tests/repull/schema");
    let folder = project.path().join("prisma/schema");
    std::fs::create_dir_all(&folder).expect("schema folder");
    std::fs::remove_file(project.path().join("prisma/schema.prisma")).expect("no single file");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(fixture).expect("fixture") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("fixture file");
        let target = folder.join(path.file_name().expect("name"));
        std::fs::write(&target, &text).expect("write schema file");
        files.push((target, text));
    }
    files
}

#[test]
fn db_pull_leaves_a_matching_multi_file_schema_byte_for_byte() {
    let project = Project::sqlite("");
    let files = write_hand_written_schema(&project);
    let schema = ["--schema", "prisma/schema"];
    assert_exit(
        &project.drydock(&[&["db", "push"][..], &schema].concat()),
        0,
    );

    let pulled = project.drydock(&[&["db", "pull"][..], &schema].concat());
    assert_exit(&pulled, 0);
    for (path, text) in &files {
        assert_eq!(
            &std::fs::read_to_string(path).expect("schema file"),
            text,
            "{}",
            path.display()
        );
    }
    let introspected = project.path().join("prisma/schema/introspected.prisma");
    assert!(!introspected.exists(), "no new models, no new file");

    std::fs::write(
        project.path().join("comment.sql"),
        "CREATE TABLE \"Comment\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"body\" TEXT NOT NULL);",
    )
    .expect("script");
    let execute =
        project.drydock(&[&["db", "execute", "--file", "comment.sql"][..], &schema].concat());
    assert_exit(&execute, 0);

    // `--print` prints every file under its path, as Prisma does, and writes nothing.
    let printed = project.drydock(&[&["db", "pull", "--print"][..], &schema].concat());
    assert_exit(&printed, 0);
    let out = stdout(&printed);
    assert!(
        out.starts_with("// prisma/schema/accounts.prisma\n// Accounts, their managers"),
        "{out}"
    );
    assert!(
        out.contains("\n// prisma/schema/introspected.prisma\nmodel Comment {\n  id   Int    @id @default(autoincrement())\n  body String\n}\n"),
        "{out}"
    );
    assert!(!introspected.exists(), "--print writes nothing");

    // New models go to `introspected.prisma`; the other files stay as they are.
    assert_exit(
        &project.drydock(&[&["db", "pull"][..], &schema].concat()),
        0,
    );
    assert_eq!(
        std::fs::read_to_string(&introspected).expect("new file"),
        "model Comment {\n  id   Int    @id @default(autoincrement())\n  body String\n}\n"
    );
    for (path, text) in &files {
        assert_eq!(&std::fs::read_to_string(path).expect("schema file"), text);
    }
}

#[test]
fn postgres_db_pull_leaves_a_matching_multi_file_schema_byte_for_byte() {
    let db = TestDb::postgres();
    let project = Project::postgres("");
    let files = write_hand_written_postgres_schema(&project);
    let schema = ["--schema", "prisma/schema"];
    let push = project.drydock_with(&[&["db", "push"][..], &schema].concat(), Some(db.url()));
    assert_exit(&push, 0);
    let pulled = project.drydock_with(&[&["db", "pull"][..], &schema].concat(), Some(db.url()));
    assert_exit(&pulled, 0);
    for (path, text) in &files {
        assert_eq!(
            &std::fs::read_to_string(path).expect("schema file"),
            text,
            "{}",
            path.display()
        );
    }
    assert!(
        !project
            .path()
            .join("prisma/schema/introspected.prisma")
            .exists()
    );
}

#[test]
fn db_pull_with_schemas_on_sqlite_is_refused() {
    let project = Project::sqlite(BLOG);
    let output = project.drydock(&["db", "pull", "--schemas", "main"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains(
            "`--schemas` picks database schemas (namespaces), which sqlite does not have"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn db_pull_with_schemas_pulls_only_those_namespaces() {
    let db = TestDb::postgres();
    let schema = "generator client {\n  provider        = \"prisma-client-js\"\n  previewFeatures = [\"multiSchema\"]\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n  schemas  = [\"billing\", \"crm\"]\n}\n\n/// Kept as written: its namespace is not pulled.\nmodel Invoice {\n  id Int @id\n\n  @@schema(\"billing\")\n}\n\nmodel Lead {\n  id Int @id\n\n  @@schema(\"crm\")\n}\n";
    let project = Project::new(schema);
    assert_exit(&project.drydock_with(&["db", "push"], Some(db.url())), 0);
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client
        .batch_execute(
            "ALTER TABLE billing.\"Invoice\" ADD COLUMN \"total\" INTEGER; \
             ALTER TABLE crm.\"Lead\" ADD COLUMN \"email\" TEXT;",
        )
        .expect("change");
    let printed = project.drydock_with(
        &["db", "pull", "--print", "--schemas", "crm"],
        Some(db.url()),
    );
    assert_exit(&printed, 0);
    let expected = schema.replace(
        "model Lead {\n  id Int @id\n",
        "model Lead {\n  id    Int     @id\n  email String?\n",
    );
    assert_eq!(stdout(&printed), expected);
}

#[test]
fn postgres_db_pull_through_the_binary() {
    let db = TestDb::postgres();
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client
        .batch_execute(
            "CREATE TABLE \"account\" (\"id\" UUID NOT NULL, \"name\" VARCHAR(80) NOT NULL, \
             CONSTRAINT \"account_pk\" PRIMARY KEY (\"id\"));",
        )
        .expect("setup");
    let project = Project::postgres("");
    let output = project.drydock_with(&["db", "pull", "--print"], Some(db.url()));
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains(
            "model account {\n  id   String @id(map: \"account_pk\") @db.Uuid\n  name String @db.VarChar(80)\n}\n"
        ),
        "{}",
        stdout(&output)
    );
}

#[test]
fn baseline_records_an_existing_database_as_the_first_migration() {
    let db = TestDb::postgres();
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client
        .batch_execute(
            "CREATE TABLE \"User\" (\"id\" SERIAL NOT NULL, \"email\" TEXT NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\
             CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");",
        )
        .expect("tables made by hand");
    let project = Project::postgres(
        "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n",
    );
    let deploy = project.drydock_with(&["migrate", "deploy"], Some(db.url()));
    assert_exit(&deploy, 1);
    assert!(stderr(&deploy).contains("P3005") && stderr(&deploy).contains("migrate baseline"));

    let baseline = project.drydock_with(&["migrate", "baseline"], Some(db.url()));
    assert_exit(&baseline, 0);
    let names = project.migration_names();
    assert_eq!(names.len(), 1);
    assert!(names[0].ends_with("_baseline"));
    assert_exit(
        &project.drydock_with(&["migrate", "status"], Some(db.url())),
        0,
    );
    let dev = project.drydock_with(&["migrate", "dev"], Some(db.url()));
    assert_exit(&dev, 0);
    assert!(stdout(&dev).contains("Already in sync"), "{}", stdout(&dev));
    let again = project.drydock_with(&["migrate", "baseline"], Some(db.url()));
    assert_exit(&again, 1);
}

#[test]
fn db_push_and_db_execute_through_the_binary() {
    let project = Project::sqlite(BLOG);
    let push = project.drydock(&["db", "push"]);
    assert_exit(&push, 0);
    assert!(stdout(&push).contains("in sync"), "{}", stdout(&push));
    assert!(
        !project.migrations().exists(),
        "db push writes no migrations"
    );

    std::fs::write(
        project.path().join("seed.sql"),
        "INSERT INTO \"User\" (\"email\") VALUES ('a@example.com');\n",
    )
    .expect("script");
    assert_exit(
        &project.drydock(&["db", "execute", "--file", "seed.sql"]),
        0,
    );
    let broken = project.drydock(&["db", "execute", "--file", "missing.sql"]);
    assert_exit(&broken, 1);

    project.write_schema(&format!("{SQLITE_HEADER}model User {{\n  id Int @id\n}}\n"));
    let refused = project.drydock(&["db", "push"]);
    assert_exit(&refused, 1);
    assert!(
        stderr(&refused).contains("--accept-data-loss"),
        "{}",
        stderr(&refused)
    );
    assert_exit(&project.drydock(&["db", "push", "--accept-data-loss"]), 0);
}

fn squash_round_trip(project: &Project, url: Option<&str>, second_url: Option<&str>) {
    let steps = [
        "  title    String\n",
        "  title    String\n  body     String?\n",
        "  title    String\n  body     String?\n  rank     Int     @default(0)\n",
    ];
    let header =
        std::fs::read_to_string(project.path().join("prisma/schema.prisma")).expect("schema");
    let header = header
        .split("model User")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_exit(
        &project.drydock_with(&["migrate", "dev", "--name", "init"], url),
        0,
    );
    for (i, step) in steps.iter().enumerate().skip(1) {
        project.write_schema(&format!("{header}{}", BLOG.replace(steps[0], step)));
        assert_exit(
            &project.drydock_with(&["migrate", "dev", "--name", &format!("step_{i}")], url),
            0,
        );
    }
    // A second database with the old history applied.
    if let Some(second) = second_url {
        assert_exit(
            &project.drydock_with(&["migrate", "deploy"], Some(second)),
            0,
        );
    }
    let names = project.migration_names();
    assert_eq!(names.len(), 3);
    let squash = project.drydock_with(
        &["migrate", "squash", "--from", &names[1], "--to", &names[2]],
        url,
    );
    assert_exit(&squash, 0);
    assert_eq!(
        project.migration_names(),
        vec![names[0].clone(), names[2].clone()]
    );
    assert_exit(&project.drydock_with(&["migrate", "status"], url), 0);
    let dev = project.drydock_with(&["migrate", "dev"], url);
    assert_exit(&dev, 0);
    assert!(stdout(&dev).contains("Already in sync"), "{}", stdout(&dev));

    if let Some(second) = second_url {
        let stale = project.drydock_with(&["migrate", "status"], Some(second));
        assert_exit(&stale, 1);
        let record = project.drydock_with(
            &[
                "migrate",
                "squash",
                "--history-only",
                "--from",
                &names[1],
                "--to",
                &names[2],
            ],
            Some(second),
        );
        assert_exit(&record, 0);
        assert_exit(
            &project.drydock_with(&["migrate", "status"], Some(second)),
            0,
        );
    }
}

#[test]
fn squash_replaces_applied_migrations_on_sqlite() {
    let project = Project::sqlite(BLOG);
    squash_round_trip(&project, None, None);
    // A data change in the range is refused.
    write_migration(
        &project,
        "29990101000000_seed",
        "/* a seed row */ INSERT INTO \"User\" (\"email\") VALUES ('x@example.com');\n",
    );
    assert_exit(&project.drydock(&["migrate", "deploy"]), 0);
    let names = project.migration_names();
    let refused = project.drydock(&["migrate", "squash", "--to", &names[2]]);
    assert_exit(&refused, 1);
    assert!(
        stderr(&refused).contains("change data"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn squash_replaces_applied_migrations_on_postgres_and_other_databases_follow() {
    let db = TestDb::postgres();
    let second = TestDb::postgres();
    let project = Project::postgres(BLOG);
    squash_round_trip(&project, Some(db.url()), Some(second.url()));
}

#[test]
fn db_seed_applies_each_seed_once_per_environment() {
    let project = Project::sqlite(BLOG);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);
    let seed = project.path().join("prisma/seed");
    for (set, file, email) in [
        ("common", "001_admin.sql", "admin@example.com"),
        ("development", "001_dev.sql", "dev@example.com"),
        ("testing", "001_test.sql", "test@example.com"),
    ] {
        std::fs::create_dir_all(seed.join(set)).expect("dir");
        std::fs::write(
            seed.join(set).join(file),
            format!("INSERT INTO \"User\" (\"email\") VALUES ('{email}');\n"),
        )
        .expect("seed");
    }
    std::fs::write(
        project.path().join("package.json"),
        r#"{"name": "app", "prisma": {"seed": "echo ran > seed-ran.txt; echo"}}"#,
    )
    .expect("package.json");

    let first = project.drydock(&["db", "seed", "--", "--flag", "it's"]);
    assert_exit(&first, 0);
    assert!(
        stdout(&first).contains("2 applied now"),
        "{}",
        stdout(&first)
    );
    assert!(
        stdout(&first).contains("--flag it's"),
        "arguments reach the command: {}",
        stdout(&first)
    );
    assert!(project.path().join("seed-ran.txt").exists());
    let again = project.drydock(&["db", "seed"]);
    assert!(
        stdout(&again).contains("0 applied now, 2 applied before"),
        "{}",
        stdout(&again)
    );
    let testing = project.drydock(&["db", "seed", "--env", "testing"]);
    assert!(
        stdout(&testing).contains("1 applied now"),
        "{}",
        stdout(&testing)
    );

    // The bookkeeping table is not part of the schema: no drift, nothing to migrate.
    let dev = project.drydock(&["migrate", "dev"]);
    assert_exit(&dev, 0);
    assert!(stdout(&dev).contains("Already in sync"), "{}", stdout(&dev));

    std::fs::write(seed.join("common/001_admin.sql"), "SELECT 1;\n").expect("edit");
    let edited = project.drydock(&["db", "seed"]);
    assert_exit(&edited, 1);
    assert!(
        stderr(&edited).contains("changed after it was applied"),
        "{}",
        stderr(&edited)
    );

    // A failing seed changes nothing.
    std::fs::write(
        seed.join("common/001_admin.sql"),
        "INSERT INTO \"User\" (\"email\") VALUES ('admin@example.com');\n",
    )
    .expect("restore");
    std::fs::write(seed.join("development/002_bad.sql"), "INSERT INTO \"User\" (\"email\") VALUES ('x@example.com');\nINSERT INTO \"Nope\" VALUES (1);\n")
        .expect("bad seed");
    let failing = project.drydock(&["db", "seed"]);
    assert_exit(&failing, 1);
    let url = format!("file:{}", project.path().join("prisma/dev.db").display());
    let dialect = drydock_engine::dialects::for_url(&url).expect("dialect");
    let mut connection = dialect.connect(&url).expect("connect");
    let users = connection
        .query_texts("SELECT count(*) FROM \"User\"")
        .expect("count");
    assert_eq!(
        users,
        vec![Some("3".to_owned())],
        "the failed seed left nothing behind"
    );
}

#[test]
fn dev_renames_a_field_with_the_directive_and_hints_at_it_without() {
    let project = Project::sqlite(BLOG);
    assert_exit(&project.drydock(&["migrate", "dev", "--name", "init"]), 0);

    // No directive, no terminal: drop and add, refused, with the directive to write.
    project.write_schema(&format!(
        "{SQLITE_HEADER}{}",
        BLOG.replace("  title    String\n", "  headline String\n")
    ));
    let refused = project.drydock(&["migrate", "dev", "--name", "rename"]);
    assert_exit(&refused, 1);
    assert!(
        stderr(&refused).contains(
            "If `title` was renamed to `headline`, add `// drydock:renamed-from title` to the field."
        ),
        "{}",
        stderr(&refused)
    );
    assert_eq!(project.migration_names().len(), 1, "nothing written");

    // With the directive: a rename, no consent needed, and a word about old clients.
    project.write_schema(&format!(
        "{SQLITE_HEADER}{}",
        BLOG.replace(
            "  title    String\n",
            "  headline String // drydock:renamed-from title\n"
        )
    ));
    let renamed = project.drydock(&["migrate", "dev", "--name", "rename"]);
    assert_exit(&renamed, 0);
    assert!(
        stderr(&renamed).contains("breaks application versions still using the old name"),
        "{}",
        stderr(&renamed)
    );
    let names = project.migration_names();
    let sql = std::fs::read_to_string(project.migrations().join(&names[1]).join("migration.sql"))
        .expect("sql");
    assert!(
        sql.contains("ALTER TABLE \"Post\" RENAME COLUMN \"title\" TO \"headline\";"),
        "{sql}"
    );
    assert_exit(&project.drydock(&["migrate", "down"]), 0);
}

#[test]
fn dev_reviews_the_new_migration_with_the_linter() {
    let db = TestDb::postgres();
    let project = Project::postgres(BLOG);
    let init = project.drydock_with(&["migrate", "dev", "--name", "init"], Some(db.url()));
    assert_exit(&init, 0);
    assert!(
        !stderr(&init).contains("require-concurrent-index"),
        "new tables need no concurrent index"
    );
    project.write_schema(&format!(
        "datasource db {{\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n{}",
        BLOG.replace("  authorId Int\n", "  authorId Int\n\n  @@index([title])\n")
    ));
    let indexed = project.drydock_with(
        &["migrate", "dev", "--name", "add_post_title_index"],
        Some(db.url()),
    );
    assert_exit(&indexed, 0);
    assert!(
        stderr(&indexed).contains("require-concurrent-index"),
        "{}",
        stderr(&indexed)
    );
    assert!(
        !stderr(&indexed).contains("_init/"),
        "only the new migration is reviewed"
    );
}

#[test]
fn deploy_holds_contract_migrations_until_asked() {
    let project = Project::sqlite("model A {\n  id Int @id\n}\n");
    write_migration(
        &project,
        "20240101000000_create_a",
        "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nCREATE TABLE \"Old\" (\"id\" INTEGER);\n",
    );
    write_migration(
        &project,
        "20240102000000_drop_old_contract",
        "-- drydock:contract\nDROP TABLE \"Old\";\n",
    );
    let deploy = project.drydock(&["migrate", "deploy"]);
    assert_exit(&deploy, 0);
    let out = stdout(&deploy);
    assert!(out.contains("20240101000000_create_a"), "{out}");
    assert!(
        out.contains("Held back: 1 migration(s) from the contract migration `20240102000000_drop_old_contract`"),
        "{out}"
    );
    assert!(out.contains("migrate deploy --contract"), "{out}");
    let status = project.drydock(&["migrate", "status"]);
    assert_exit(&status, 1);
    assert!(
        stdout(&status).contains("20240102000000_drop_old_contract (contract: applied by"),
        "{}",
        stdout(&status)
    );

    let contract = project.drydock(&["migrate", "deploy", "--contract"]);
    assert_exit(&contract, 0);
    assert!(
        stdout(&contract).contains("20240102000000_drop_old_contract"),
        "{}",
        stdout(&contract)
    );
    assert_exit(&project.drydock(&["migrate", "status"]), 0);
}

/// A PostgreSQL project whose first migration, creating table `A`, is deployed.
fn deployed_postgres_a() -> (TestDb, Project) {
    let db = TestDb::postgres();
    let project = Project::postgres("model A {\n  id Int @id\n}\n");
    write_migration(
        &project,
        "20240101000000_create_a",
        "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    );
    assert_exit(
        &project.drydock_with(&["migrate", "deploy"], Some(db.url())),
        0,
    );
    (db, project)
}

#[test]
fn deploy_gives_up_on_a_busy_table_and_names_who_holds_it() {
    let (db, project) = deployed_postgres_a();
    // An application session reading the table in an open transaction.
    let mut app = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    let pid: i32 = app
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    app.batch_execute("BEGIN; SELECT * FROM \"A\";")
        .expect("hold");
    write_migration(
        &project,
        "20240102000000_add_a_name",
        "ALTER TABLE \"A\" ADD COLUMN \"name\" TEXT;\n",
    );
    let deploy = project.drydock_with(
        &[
            "migrate",
            "deploy",
            "--lock-timeout",
            "100ms",
            "--lock-retries",
            "1",
            "--retry-delay",
            "10ms",
        ],
        Some(db.url()),
    );
    assert_exit(&deploy, 1);
    let message = stderr(&deploy);
    assert!(
        message.contains("gave up waiting for a lock; retry 1/1"),
        "{message}"
    );
    assert!(
        message.contains(&format!("lock held by pid {pid}")),
        "{message}"
    );
    assert!(
        message.contains("Gave up waiting for a lock after 2 attempt(s)"),
        "{message}"
    );
    app.batch_execute("COMMIT").expect("release");
    // Once the table is free, the failed attempt is resolved and the deploy goes through.
    assert_exit(
        &project.drydock_with(
            &[
                "migrate",
                "resolve",
                "--rolled-back",
                "20240102000000_add_a_name",
            ],
            Some(db.url()),
        ),
        0,
    );
    assert_exit(
        &project.drydock_with(&["migrate", "deploy"], Some(db.url())),
        0,
    );
}

#[test]
fn deploy_reviews_pending_migrations_against_live_table_sizes() {
    let db = TestDb::postgres();
    let project = Project::postgres("model A {\n  id Int @id\n  x  Int\n}\n");
    write_migration(
        &project,
        "20240101000000_create_a",
        "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"x\" INTEGER NOT NULL);\n",
    );
    // A fresh database: the table the next migration indexes does not exist yet, so it is
    // empty when the index is built, and nothing stops the deploy.
    write_migration(
        &project,
        "20240101000001_add_a_x_index",
        "CREATE INDEX \"A_x_idx\" ON \"A\"(\"x\");\n",
    );
    assert_exit(
        &project.drydock_with(&["migrate", "deploy"], Some(db.url())),
        0,
    );
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client
        .batch_execute(
            "INSERT INTO \"A\" SELECT g, g FROM generate_series(1, 50000) g; ANALYZE \"A\";",
        )
        .expect("fill");
    write_migration(
        &project,
        "20240102000000_add_a_x_id_index",
        "CREATE INDEX \"A_x_id_idx\" ON \"A\"(\"x\", \"id\");\n",
    );
    let blocked = project.drydock_with(&["migrate", "deploy"], Some(db.url()));
    assert_exit(&blocked, 1);
    let message = stderr(&blocked);
    assert!(message.contains("D4201"), "{message}");
    assert!(message.contains("[D3110]"), "{message}");
    assert!(message.contains("--lint warn"), "{message}");
    let status = project.drydock_with(&["migrate", "status"], Some(db.url()));
    assert!(stdout(&status).contains("20240102000000_add_a_x_id_index"));

    let forced = project.drydock_with(&["migrate", "deploy", "--lint", "warn"], Some(db.url()));
    assert_exit(&forced, 0);
    assert!(stderr(&forced).contains("D4201"), "{}", stderr(&forced));
}

#[test]
fn deploy_with_preflight_checks_first_and_stops_on_a_failure() {
    let project = Project::sqlite("model A {\n  id Int @id\n}\n");
    write_migration(
        &project,
        "20240101000000_create_a",
        "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    );
    let deploy = project.drydock(&["migrate", "deploy", "--preflight"]);
    assert_exit(&deploy, 0);
    assert!(
        stderr(&deploy).contains("pass  connection"),
        "{}",
        stderr(&deploy)
    );
    assert!(stdout(&deploy).contains("20240101000000_create_a"));

    let (db, project) = deployed_postgres_a();
    let mut app = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    app.batch_execute("BEGIN; LOCK TABLE \"A\" IN ACCESS SHARE MODE;")
        .expect("hold");
    write_migration(
        &project,
        "20240102000000_add_a_name",
        "ALTER TABLE \"A\" ADD COLUMN \"name\" TEXT;\n",
    );
    let blocked = project.drydock_with(&["migrate", "deploy", "--preflight"], Some(db.url()));
    assert_exit(&blocked, 1);
    let message = stderr(&blocked);
    assert!(message.contains("fail  activity"), "{message}");
    assert!(message.contains("[D3111]"), "{message}");
    app.batch_execute("COMMIT").expect("release");
    let status = project.drydock_with(&["migrate", "status"], Some(db.url()));
    assert!(
        stdout(&status).contains("Not yet applied"),
        "{}",
        stdout(&status)
    );
}

#[test]
fn an_interrupted_backfill_resumes_where_it_stopped() {
    let (db, project) = deployed_postgres_a();
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client
        .batch_execute(
            "ALTER TABLE \"A\" ADD COLUMN n INT NOT NULL DEFAULT 0; \
             INSERT INTO \"A\" (id) SELECT g FROM generate_series(1, 5000) g;",
        )
        .expect("fill");
    write_migration(
        &project,
        "20240102000000_backfill_a_n",
        "-- drydock:backfill key=id batch=100 pause=50ms\n\
         UPDATE \"A\" SET n = n + 1 WHERE n = 0;\n",
    );
    // Killed part-way, as a lost CI runner or a Ctrl-C would leave it.
    let mut deploy = std::process::Command::new(assert_cmd::cargo::cargo_bin("drydock"))
        .current_dir(project.path())
        .args(["migrate", "deploy"])
        .env("DATABASE_URL", db.url())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let started = std::time::Instant::now();
    let done_before_kill = loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let done: i64 = client
            .query_one("SELECT count(*) FROM \"A\" WHERE n = 1", &[])
            .expect("count")
            .get(0);
        if done >= 1000 || started.elapsed() > std::time::Duration::from_secs(30) {
            break done;
        }
    };
    deploy.kill().expect("kill");
    deploy.wait().expect("wait");
    assert!(
        (1000..5000).contains(&done_before_kill),
        "killed part-way: {done_before_kill}"
    );

    let resumed = project.drydock_with(&["migrate", "deploy", "--json"], Some(db.url()));
    assert_exit(&resumed, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&resumed)).expect("json");
    assert_eq!(report["applied"][0]["resumed"], true, "{report}");
    // Every row was updated exactly once across both runs.
    let counts: (i64, i64) = client
        .query_one(
            "SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n <> 1) FROM \"A\"",
            &[],
        )
        .map(|row| (row.get(0), row.get(1)))
        .expect("count");
    assert_eq!(counts, (5000, 0));
}

#[test]
fn zero_downtime_rename_deploys_in_phases_and_keeps_every_row() {
    let db = TestDb::postgres();
    let project = Project::postgres(
        "model User {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n",
    );
    assert_exit(
        &project.drydock_with(&["migrate", "dev", "--name", "create_user"], Some(db.url())),
        0,
    );
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client
        .batch_execute("INSERT INTO \"User\" (name) SELECT 'u' || g FROM generate_series(1, 300) g")
        .expect("fill");
    project.write_schema(
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
         model User {\n  id       Int    @id @default(autoincrement())\n  \
         // drydock:renamed-from name\n  fullName String\n}\n",
    );
    let dev = project.drydock_with(
        &[
            "migrate",
            "dev",
            "--zero-downtime",
            "--create-only",
            "--name",
            "rename_user_full_name",
        ],
        Some(db.url()),
    );
    assert_exit(&dev, 0);
    let phases: Vec<String> = project
        .migration_names()
        .into_iter()
        .filter(|name| name.contains("rename_user_full_name"))
        .collect();
    let suffixes: Vec<&str> = phases
        .iter()
        .filter_map(|name| name.rsplit('_').next())
        .collect();
    assert_eq!(
        suffixes,
        ["expand", "backfill", "validate", "contract"],
        "{phases:?}"
    );
    let contract =
        std::fs::read_to_string(project.migrations().join(&phases[3]).join("migration.sql"))
            .expect("contract");
    assert!(contract.starts_with("-- drydock:contract\n"), "{contract}");
    // The phases drydock wrote pass drydock's own lint: no error, not even without live facts.
    let lint = project.drydock_with(&["lint"], Some(db.url()));
    assert_exit(&lint, 0);
    assert!(!stdout(&lint).contains("error["), "{}", stdout(&lint));
    let lint = project.drydock_with(&["lint", "--url", db.url()], Some(db.url()));
    assert_exit(&lint, 0);

    // Expand, backfill and validate go out with the release; the old column stays meanwhile.
    let deploy = project.drydock_with(&["migrate", "deploy"], Some(db.url()));
    assert_exit(&deploy, 0);
    assert!(
        stdout(&deploy).contains("Held back: 1 migration(s)"),
        "{}",
        stdout(&deploy)
    );
    let copied: i64 = client
        .query_one(
            "SELECT count(*) FROM \"User\" WHERE \"fullName\" = name",
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(copied, 300);
    // An old application version still writes the old name; the new column follows.
    client
        .batch_execute("INSERT INTO \"User\" (name) VALUES ('old app')")
        .expect("old write");

    let contract = project.drydock_with(&["migrate", "deploy", "--contract"], Some(db.url()));
    assert_exit(&contract, 0);
    let names: Vec<String> = client
        .query(
            "SELECT \"fullName\" FROM \"User\" ORDER BY id DESC LIMIT 1",
            &[],
        )
        .expect("read")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(names, ["old app"]);
    let status = project.drydock_with(&["migrate", "status", "--drift"], Some(db.url()));
    assert_exit(&status, 0);
}

#[test]
fn deploy_backs_up_first_when_the_project_says_so_and_preflight_reports_it() {
    let project = Project::sqlite("model A {\n  id Int @id\n}\n");
    write_migration(
        &project,
        "20240101000000_create_a",
        "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO \"A\" VALUES (1), (2);\n",
    );
    assert_exit(&project.drydock(&["migrate", "deploy"]), 0);
    let preflight = project.drydock(&["preflight"]);
    assert!(
        stdout(&preflight).contains("skip  backup"),
        "{}",
        stdout(&preflight)
    );

    std::fs::write(
        project.path().join("drydock.toml"),
        "[backup]\ndir = \"snapshots\"\nbefore_deploy = true\n",
    )
    .expect("settings");
    let preflight = project.drydock(&["preflight"]);
    assert!(
        stdout(&preflight).contains("warn  backup      no backup of this database"),
        "{}",
        stdout(&preflight)
    );
    write_migration(
        &project,
        "20240102000000_add_a_name",
        "ALTER TABLE \"A\" ADD COLUMN \"name\" TEXT;\n",
    );
    let deploy = project.drydock(&["migrate", "deploy"]);
    assert_exit(&deploy, 0);
    assert!(
        stderr(&deploy).contains("checksummed"),
        "{}",
        stderr(&deploy)
    );
    let backups: Vec<_> = std::fs::read_dir(project.path().join("snapshots"))
        .expect("the settings' folder")
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .ends_with(".manifest.json")
        })
        .collect();
    assert_eq!(backups.len(), 1);

    let preflight = project.drydock(&["preflight"]);
    assert!(
        stdout(&preflight).contains("checksummed, never restore-tested"),
        "{}",
        stdout(&preflight)
    );
    assert_exit(&project.drydock(&["backup", "verify"]), 0);
    let preflight = project.drydock(&["preflight"]);
    assert!(
        stdout(&preflight).contains("h old, restore-tested"),
        "{}",
        stdout(&preflight)
    );
}
