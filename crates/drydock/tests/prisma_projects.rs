//! Prisma projects as each Prisma generation lays them out (`tests/data/prisma-projects/`), run
//! with no flags beyond Prisma's: a Prisma 7 project as `prisma init` 7.10 writes it (config file
//! with the URL, a datasource without `url`), a Prisma 6 multi-file schema in `prisma/schema/`,
//! and a Prisma 5 project configured in `package.json`. Each goes through `migrate dev`,
//! `migrate deploy`, `migrate status` and `migrate reset` on a real database.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use drydock_test_support::TestDb;
use drydock_test_support::output::{assert_exit, stderr, stdout};

/// A copy of a fixture project in a temporary folder.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn copy_of(fixture: &str) -> Project {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/prisma-projects")
            .join(fixture);
        let dir = tempfile::tempdir().expect("temp dir");
        drydock_test_support::copy_tree(&source, dir.path()).expect("copy the fixture");
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Run drydock in the project folder with `DATABASE_URL` set, as a shell with `.env` would.
    fn drydock(&self, args: &[&str], database_url: &str) -> Output {
        let mut command = Command::cargo_bin("drydock").expect("binary");
        command
            .current_dir(self.path())
            .args(args)
            .write_stdin("")
            .env("DRYDOCK_CACHE_DIR", self.path().join(".cache"))
            .env("DATABASE_URL", database_url)
            .env_remove("PRISMA_MIGRATE_SKIP_SEED");
        command.output().expect("run drydock")
    }

    fn migration_names(&self, migrations: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path().join(migrations))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// How often the seed command ran (each run appends a line).
    fn seed_runs(&self) -> usize {
        std::fs::read_to_string(self.path().join("seed-runs.txt"))
            .map(|text| text.lines().count())
            .unwrap_or(0)
    }
}

#[track_caller]
fn assert_says(output: &Output, text: &str) {
    let all = format!("{}{}", stdout(output), stderr(output));
    assert!(all.contains(text), "expected {text:?} in:\n{all}");
}

/// What each project must show on its way through the four commands.
struct Expectations<'a> {
    /// Where the migrations folder is, relative to the project.
    migrations: &'a str,
    /// The lines every command prints about the project.
    loaded: &'a [&'a str],
    /// Whether `migrate reset` (and `migrate dev` creating the database) seed.
    seeds: bool,
}

/// `migrate status`, `dev`, `deploy` (on a second database), `status`, `reset`.
fn walk_through(project: &Project, dev_db: &TestDb, deploy_db: &TestDb, expect: &Expectations) {
    let status = project.drydock(&["migrate", "status"], dev_db.url());
    for line in expect.loaded {
        assert_says(&status, line);
    }
    assert_says(
        &status,
        &format!("{} (does not exist yet)", expect.migrations),
    );

    let dev = project.drydock(&["migrate", "dev", "--name", "init"], dev_db.url());
    assert_exit(&dev, 0);
    assert_says(&dev, "Created and applied");
    let names = project.migration_names(expect.migrations);
    assert_eq!(names.len(), 1, "{names:?} in {}", expect.migrations);
    assert!(names[0].ends_with("_init"), "{names:?}");
    assert!(
        project
            .path()
            .join(expect.migrations)
            .join("migration_lock.toml")
            .is_file()
    );
    let seeds_after_dev = project.seed_runs();

    let deploy = project.drydock(&["migrate", "deploy"], deploy_db.url());
    assert_exit(&deploy, 0);
    for line in expect.loaded {
        assert_says(&deploy, line);
    }
    assert_says(
        &deploy,
        &format!("{} (holds 1 migration)", expect.migrations),
    );
    assert_says(&deploy, "The following migration(s) have been applied");
    assert_says(&deploy, &names[0]);

    let status = project.drydock(&["migrate", "status"], deploy_db.url());
    assert_exit(&status, 0);
    assert_says(&status, "1 migration(s) found");
    assert_says(&status, "Database schema is up to date!");

    let reset = project.drydock(&["migrate", "reset", "--force"], deploy_db.url());
    assert_exit(&reset, 0);
    assert_says(&reset, "Database reset.");
    assert_says(&reset, "Applied 1 migration(s).");
    let expected_seeds = seeds_after_dev + usize::from(expect.seeds);
    assert_eq!(project.seed_runs(), expected_seeds, "{}", stdout(&reset));

    let status = project.drydock(&["migrate", "status"], deploy_db.url());
    assert_exit(&status, 0);
    assert_says(&status, "Database schema is up to date!");
}

#[test]
fn a_prisma_7_project_as_prisma_init_writes_it_works_unchanged() {
    let project = Project::copy_of("prisma7");
    let (dev_db, deploy_db) = (TestDb::postgres(), TestDb::postgres());
    walk_through(
        &project,
        &dev_db,
        &deploy_db,
        &Expectations {
            migrations: "prisma/migrations",
            loaded: &[
                "Prisma config file loaded from prisma7.config.ts",
                "Prisma schema loaded from prisma/schema.prisma (Prisma 7 project",
            ],
            seeds: false,
        },
    );
    // Prisma 7's `migrate diff` spelling: the config's datasource against the schema.
    let diff = project.drydock(
        &[
            "migrate",
            "diff",
            "--from-config-datasource",
            "--to-schema",
            "prisma/schema.prisma",
            "--exit-code",
        ],
        dev_db.url(),
    );
    assert_exit(&diff, 0);
    // Prisma 7 has nothing to generate after a migration either: no note about it.
    let dev = project.drydock(&["migrate", "dev"], dev_db.url());
    assert_exit(&dev, 0);
    assert!(
        !stdout(&dev).contains("prisma generate"),
        "{}",
        stdout(&dev)
    );
}

#[test]
fn a_prisma_6_multi_file_schema_keeps_its_migrations_next_to_the_datasource() {
    let project = Project::copy_of("prisma6-multi-file");
    let (dev_db, deploy_db) = (TestDb::postgres(), TestDb::postgres());
    walk_through(
        &project,
        &dev_db,
        &deploy_db,
        &Expectations {
            migrations: "prisma/schema/migrations",
            loaded: &["Prisma schema loaded from prisma/schema (Prisma 6 project"],
            seeds: true,
        },
    );
    // Prisma 6's flags are accepted; `--skip-seed` skips the seed.
    let runs = project.seed_runs();
    let reset = project.drydock(
        &[
            "migrate",
            "reset",
            "--force",
            "--skip-seed",
            "--skip-generate",
        ],
        deploy_db.url(),
    );
    assert_exit(&reset, 0);
    assert_eq!(project.seed_runs(), runs);
    let dev = project.drydock(&["migrate", "dev"], dev_db.url());
    assert_exit(&dev, 0);
    assert_says(&dev, "Nothing generated: drydock writes no Prisma Client");
}

#[test]
fn a_prisma_5_project_configured_in_package_json_seeds_a_created_database() {
    let project = Project::copy_of("prisma5-package-json");
    let (dev_db, deploy_db) = (TestDb::sqlite(), TestDb::sqlite());
    walk_through(
        &project,
        &dev_db,
        &deploy_db,
        &Expectations {
            migrations: "db/migrations",
            loaded: &[
                "Prisma schema loaded from db/schema.prisma (Prisma 5 project",
                "named by package.json",
            ],
            seeds: true,
        },
    );
    assert_eq!(project.seed_runs(), 1, "the reset seeded");
    // `migrate dev` creating the database seeds it too (Prisma 5/6), unless `--skip-seed`.
    std::fs::remove_file(dev_db.sqlite_path()).expect("remove the dev database");
    let dev = project.drydock(&["migrate", "dev", "--skip-seed"], dev_db.url());
    assert_exit(&dev, 0);
    assert_says(&dev, "Created the database.");
    assert_eq!(project.seed_runs(), 1);
    std::fs::remove_file(dev_db.sqlite_path()).expect("remove the dev database");
    let dev = project.drydock(&["migrate", "dev"], dev_db.url());
    assert_exit(&dev, 0);
    assert_says(&dev, "Seeded after creating the database");
    assert_eq!(project.seed_runs(), 2);
}

#[test]
fn a_config_file_named_with_config_wins_and_its_errors_name_the_line() {
    let project = Project::copy_of("prisma7");
    std::fs::rename(
        project.path().join("prisma7.config.ts"),
        project.path().join("custom.config.ts"),
    )
    .expect("rename");
    // Nothing connects: every run below stops before it would.
    let url = "postgresql://nobody@127.0.0.1:1/never";
    // Without the config file, the schema's datasource has no URL to use.
    let lost = project.drydock(&["migrate", "status"], url);
    assert_exit(&lost, 1);
    assert_says(&lost, "the datasource has no `url`");

    std::fs::write(
        project.path().join("custom.config.ts"),
        "import { defineConfig, env } from \"prisma/config\";\n\nexport default defineConfig({\n  \
         schema: \"prisma/schema.prisma\",\n  datasource: { url: env(\"NOT_SET_ANYWHERE\") },\n});\n",
    )
    .expect("write config");
    let unset = project.drydock(&["--config", "custom.config.ts", "migrate", "status"], url);
    assert_exit(&unset, 1);
    assert_says(&unset, "custom.config.ts:5:22");
    assert_says(&unset, "NOT_SET_ANYWHERE");

    let missing = project.drydock(&["migrate", "status", "--config", "nope.ts"], url);
    assert_exit(&missing, 1);
    assert_says(&missing, "the Prisma config file `nope.ts` does not exist");
}

/// A project built in a temporary folder from `(path, contents)` pairs.
fn project_of(files: Files<'_>) -> Project {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
        std::fs::write(path, text).expect("write");
    }
    Project { dir }
}

/// A project's files as `(path, contents)`, and what `validate` must say about it.
type Files<'a> = &'a [(&'a str, &'a str)];

const DATASOURCE_WITHOUT_URL: &str = "datasource db {\n  provider = \"sqlite\"\n}\n";
const DATASOURCE_WITH_URL: &str =
    "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n";
const MODEL: &str = "model A {\n  id Int @id\n}\n";

#[test]
fn each_prisma_generation_finds_its_schema_and_migrations_where_prisma_does() {
    let cases: [(Files, &[&str]); 4] = [
        // Prisma 7, a schema folder: migrations inside the folder.
        (
            &[
                (
                    "prisma.config.ts",
                    "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"prisma/schema\" });\n",
                ),
                (
                    "package.json",
                    "{ \"devDependencies\": { \"prisma\": \"^7.10.1\" } }",
                ),
                ("prisma/schema/base/db.prisma", DATASOURCE_WITHOUT_URL),
                ("prisma/schema/a.prisma", MODEL),
            ],
            &[
                "Prisma config file loaded from prisma.config.ts",
                "Prisma schema loaded from prisma/schema (Prisma 7 project, by the Prisma version in package.json, 7; 2 files; named by the config file)",
                "Migrations folder: prisma/schema/migrations (does not exist yet)",
            ],
        ),
        // Prisma 6, the default `prisma/schema/` folder: migrations next to the datasource.
        (
            &[
                (
                    "package.json",
                    "{ \"dependencies\": { \"@prisma/client\": \"~6.19.3\" } }",
                ),
                ("prisma/schema/base/db.prisma", DATASOURCE_WITH_URL),
                ("prisma/schema/a.prisma", MODEL),
            ],
            &[
                "Prisma schema loaded from prisma/schema (Prisma 6 project",
                "Migrations folder: prisma/schema/base/migrations (does not exist yet)",
            ],
        ),
        // A config in `.config/` whose datasource lives in the config: Prisma 7 by its shape;
        // `migrations.path` wins over the default place.
        (
            &[
                (
                    ".config/prisma.ts",
                    "export default {\n  schema: \"../db/schema.prisma\",\n  migrations: { path: \"../db/history\" },\n  datasource: { url: process.env.DATABASE_URL },\n}\n",
                ),
                (
                    "db/schema.prisma",
                    &*format!("{DATASOURCE_WITHOUT_URL}{MODEL}"),
                ),
            ],
            &[
                "Prisma config file loaded from .config/prisma.ts",
                "Prisma schema loaded from db/schema.prisma (Prisma 7 project, by its config file and a datasource without `url`",
                "Migrations folder: db/history (does not exist yet)",
            ],
        ),
        // Prisma 5 with `package.json` naming the schema.
        (
            &[
                (
                    "package.json",
                    "{ \"prisma\": { \"schema\": \"src/db.prisma\" }, \"devDependencies\": { \"prisma\": \"5.22.0\" } }",
                ),
                ("src/db.prisma", &*format!("{DATASOURCE_WITH_URL}{MODEL}")),
            ],
            &[
                "Prisma schema loaded from src/db.prisma (Prisma 5 project",
                "named by package.json",
                "Migrations folder: src/migrations (does not exist yet)",
            ],
        ),
    ];
    for (files, says) in cases {
        let project = project_of(files);
        let validate = project.drydock(&["validate"], "file:./dev.db");
        assert_exit(&validate, 0);
        for line in says {
            assert_says(&validate, line);
        }
    }
}

#[test]
fn deploy_and_reset_create_a_missing_database_as_prisma_does() {
    let project = Project::copy_of("prisma7");
    let dev_db = TestDb::postgres();
    let dev = project.drydock(&["migrate", "dev", "--name", "init"], dev_db.url());
    assert_exit(&dev, 0);

    for command in [&["migrate", "deploy"][..], &["migrate", "reset", "--force"]] {
        let db = TestDb::postgres();
        drydock_test_support::postgres_server_client()
            .batch_execute(&format!("DROP DATABASE \"{}\"", db.name()))
            .expect("drop the test database");
        // `migrate status` only reads: a missing database is an error.
        let status = project.drydock(&["migrate", "status"], db.url());
        assert_exit(&status, 1);
        assert_says(&status, "P1003");

        let run = project.drydock(command, db.url());
        assert_exit(&run, 0);
        assert_says(&run, "Created the database at");
        let status = project.drydock(&["migrate", "status"], db.url());
        assert_exit(&status, 0);
        assert_says(&status, "Database schema is up to date!");
    }
}

/// `drydock <args>` in a pseudo-terminal (util-linux `script`), fed `input`.
fn drydock_in_terminal(project: &Project, args: &str, input: &str) -> Output {
    let binary = assert_cmd::cargo::cargo_bin("drydock");
    let mut command = Command::new("script");
    command
        .current_dir(project.path())
        .args([
            "-qec",
            &format!("'{}' {args}", binary.display()),
            "/dev/null",
        ])
        .env("DRYDOCK_CACHE_DIR", project.path().join(".cache"))
        .env_remove("DATABASE_URL")
        .write_stdin(input);
    command.output().expect("run script")
}

#[test]
fn migrate_dev_asks_for_a_needed_reset_in_a_terminal() {
    let project = project_of(&[(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel A {\n  id Int @id\n}\n",
    )]);
    let dev = project.drydock(&["migrate", "dev", "--name", "create_a"], "unused");
    assert_exit(&dev, 0);
    let applied = project.migration_names("prisma/migrations");
    let file = project
        .path()
        .join("prisma/migrations")
        .join(&applied[0])
        .join("migration.sql");
    let edited = format!(
        "{}\n-- edited\n",
        std::fs::read_to_string(&file).expect("read")
    );
    std::fs::write(&file, edited).expect("edit the applied migration");

    let declined = drydock_in_terminal(&project, "migrate dev --name next", "n\n");
    assert_exit(&declined, 4);
    assert_says(&declined, "was modified after it was applied");
    assert_says(&declined, "We need to reset the database");
    assert_says(&declined, "Reset cancelled.");

    let accepted = drydock_in_terminal(&project, "migrate dev --name next", "y\n");
    assert_exit(&accepted, 0);
    assert_says(&accepted, "Database reset.");
    assert_says(
        &accepted,
        &format!("Applied pending migration {}", applied[0]),
    );
}

#[test]
fn the_config_files_shadow_database_url_is_the_one_migrate_dev_uses() {
    let project = Project::copy_of("prisma7");
    let config = std::fs::read_to_string(project.path().join("prisma7.config.ts")).expect("read");
    let with_shadow = config.replace(
        "url: env(\"DATABASE_URL\"),",
        "url: env(\"DATABASE_URL\"),\n    shadowDatabaseUrl: \"postgresql://postgres@127.0.0.1:1/shadow\",",
    );
    assert_ne!(config, with_shadow);
    std::fs::write(project.path().join("prisma7.config.ts"), with_shadow).expect("write");
    let db = TestDb::postgres();
    let dev = project.drydock(&["migrate", "dev", "--name", "init"], db.url());
    assert_exit(&dev, 1);
    assert_says(&dev, "P1001");
    assert_says(&dev, "127.0.0.1:1");
}

#[test]
fn package_json_is_found_above_the_working_folder_as_prisma_5_and_6_find_it() {
    let project = project_of(&[
        (
            "package.json",
            "{ \"prisma\": { \"schema\": \"db/schema.prisma\" }, \"devDependencies\": { \"prisma\": \"^6.1.0\" } }",
        ),
        ("db/schema.prisma", &format!("{DATASOURCE_WITH_URL}{MODEL}")),
        ("src/app/.keep", ""),
    ]);
    let output = Command::cargo_bin("drydock")
        .expect("binary")
        .current_dir(project.path().join("src/app"))
        .arg("validate")
        .env("DATABASE_URL", "file:./dev.db")
        .output()
        .expect("run drydock");
    assert_exit(&output, 0);
    assert_says(
        &output,
        "Prisma schema loaded from ../../db/schema.prisma (Prisma 6 project",
    );
    assert_says(&output, "Migrations folder: ../../db/migrations");
}

#[test]
fn an_unreadable_seed_setting_fails_only_what_seeds() {
    let project = project_of(&[
        (
            "prisma.config.ts",
            "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({\n  \
             schema: \"prisma/schema.prisma\",\n  migrations: { seed: (() => { throw new \
             Error(\"no seed command here\"); })() },\n});\n",
        ),
        (
            "package.json",
            "{ \"devDependencies\": { \"prisma\": \"^6.19.0\" } }",
        ),
        (
            "prisma/schema.prisma",
            "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel A {\n  id Int @id\n}\n",
        ),
    ]);
    let url = "file:./dev.db";
    for args in [
        &["validate"][..],
        &["migrate", "dev", "--name", "init", "--skip-seed"],
        &["migrate", "status"],
        &["migrate", "reset", "--force", "--skip-seed"],
    ] {
        assert_exit(&project.drydock(args, url), 0);
    }
    // Seeding needs the setting: the error names it, its place and what to do.
    for args in [&["db", "seed"][..], &["migrate", "reset", "--force"]] {
        let seeding = project.drydock(args, url);
        assert_exit(&seeding, 1);
        assert_says(&seeding, "[D1004]");
        assert_says(&seeding, "prisma.config.ts:4:23");
        assert_says(&seeding, "(migrations.seed)");
        assert_says(
            &seeding,
            "evaluating it with `node` failed: Error: no seed command here; fix that",
        );
        assert_says(&seeding, "write the value as a string");
    }
}

#[test]
fn a_seed_setting_only_node_reads_is_evaluated_only_to_seed() {
    // Evaluating the setting leaves a file behind, and gives the command that records a run.
    let project = project_of(&[
        (
            "prisma.config.ts",
            "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({\n  \
             schema: \"prisma/schema.prisma\",\n  migrations: { seed: (() => { \
             require(\"node:fs\").writeFileSync(\"evaluated.txt\", \"\"); return \"echo run >> \
             seed-runs.txt\"; })() },\n  datasource: { url: process.env.DATABASE_URL },\n});\n",
        ),
        (
            "prisma/schema.prisma",
            "datasource db {\n  provider = \"sqlite\"\n}\n\nmodel A {\n  id Int @id\n}\n",
        ),
    ]);
    let url = "file:./dev.db";
    let evaluated = || project.path().join("evaluated.txt").exists();
    assert_exit(&project.drydock(&["validate"], url), 0);
    assert_exit(&project.drydock(&["migrate", "status"], url), 0);
    assert!(!evaluated(), "no command above seeds");
    assert_exit(&project.drydock(&["db", "seed"], url), 0);
    assert!(evaluated());
    assert_eq!(project.seed_runs(), 1);
}
