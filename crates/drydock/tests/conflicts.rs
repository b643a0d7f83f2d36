//! Branch conflicts as a team meets them: two branches of a real git repository each run
//! `migrate dev`, then one is merged into the other. The integrity file `drydock.sum` makes
//! git report the conflict, `migrate deploy` refuses the other branch's migration written
//! before the newest applied one, and `migrate rebase` moves it after (its SQL checked again).
//! Also: the same name or timestamp in two folders, and two branches changing the same table.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use drydock_test_support::TestDb;
use drydock_test_support::output::{assert_exit, stderr, stdout};

mod support;

const SUM: &str = "prisma/migrations/drydock.sum";

/// A project in a git repository of its own; each command is given the database to use.
struct Repo {
    dir: tempfile::TempDir,
    provider: &'static str,
}

impl Repo {
    fn new(provider: &'static str) -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo { dir, provider };
        std::fs::create_dir_all(repo.path().join("prisma")).expect("prisma dir");
        std::fs::write(
            repo.path().join("drydock.toml"),
            "[migrations]\nintegrity_file = true\n",
        )
        .expect("settings");
        std::fs::write(
            repo.path().join(".gitignore"),
            ".cache/\n*.db\n*.db-journal\n",
        )
        .expect("gitignore");
        repo.git_ok(&["init", "--quiet", "--initial-branch=main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `schema.prisma` with `before` between the datasource and `User`, and `after` at the end
    /// (far apart, so that git merges two branches editing one each).
    fn schema(&self, before: &str, user_fields: &str, after: &str) {
        let schema = format!(
            "datasource db {{\n  provider = \"{}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n\
             {before}// The people who sign in.\n// Each has an id.\n// More fields come later.\n\
             model User {{\n  id Int @id\n{user_fields}}}\n\n// The end of the models.\n{after}",
            self.provider
        );
        std::fs::write(self.path().join("prisma/schema.prisma"), schema).expect("schema");
    }

    fn git(&self, args: &[&str]) -> Output {
        Command::new("git")
            .current_dir(self.path())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .output()
            .expect("run git")
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let output = self.git(args);
        assert_exit(&output, 0);
        stdout(&output)
    }

    fn commit(&self, message: &str) {
        self.git_ok(&["add", "-A"]);
        self.git_ok(&["commit", "--quiet", "-m", message]);
    }

    fn drydock(&self, db: &TestDb, args: &[&str]) -> Output {
        support::drydock(self.path(), db.url(), args)
    }

    #[track_caller]
    fn drydock_ok(&self, db: &TestDb, args: &[&str]) -> String {
        let output = self.drydock(db, args);
        assert_exit(&output, 0);
        format!("{}{}", stdout(&output), stderr(&output))
    }

    fn migrations(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path().join("prisma/migrations"))
            .expect("migrations folder")
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn migration(&self, suffix: &str) -> String {
        self.migrations()
            .into_iter()
            .find(|name| name.ends_with(suffix))
            .unwrap_or_else(|| panic!("no migration ending in {suffix}: {:?}", self.migrations()))
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path().join(file)).expect("read")
    }

    fn sql(&self, migration: &str) -> PathBuf {
        self.path()
            .join("prisma/migrations")
            .join(migration)
            .join("migration.sql")
    }
}

fn said(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

/// Folders written in different seconds sort in the order they were written (the migrations'
/// names sort the same way, should the clock say otherwise).
fn next_second() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

/// A change made on a branch: the schema's three parts (see [`Repo::schema`]) and the name of
/// the migration `migrate dev` writes for it.
struct Change<'a> {
    schema: [&'a str; 3],
    migration: &'a str,
}

/// From `main` (holding `init`): branch `b` makes `on_b` on `dev_b`, then branch `a`, from
/// `main` again, makes `on_a` on `dev_a`; `a` is checked out.
fn two_branches(repo: &Repo, dev_a: &TestDb, dev_b: &TestDb, on_b: &Change, on_a: &Change) {
    for (branch, db, change) in [("b", dev_b, on_b), ("a", dev_a, on_a)] {
        repo.git_ok(&["checkout", "--quiet", "main"]);
        repo.git_ok(&["checkout", "--quiet", "-b", branch]);
        let [before, fields, after] = change.schema;
        repo.schema(before, fields, after);
        repo.drydock_ok(db, &["migrate", "dev", "--name", change.migration]);
        repo.commit(change.migration);
        next_second();
    }
}

/// The project's first migration, committed on `main`.
fn init(repo: &Repo, dev: &TestDb) {
    repo.schema("", "", "");
    repo.drydock_ok(dev, &["migrate", "dev", "--name", "init"]);
    repo.commit("init");
}

fn two_branches_merged_and_rebased(kind: fn() -> TestDb, provider: &'static str) {
    let repo = Repo::new(provider);
    let (dev_a, dev_b, production, staging, lenient) = (kind(), kind(), kind(), kind(), kind());
    init(&repo, &dev_a);
    let sum = repo.read(SUM);
    assert_eq!(sum.lines().count(), 2, "{sum}");
    repo.drydock_ok(&staging, &["migrate", "deploy"]);

    // Branch b is written first, so its migration sorts first.
    let on_b = Change {
        schema: ["model Pet {\n  id Int @id\n}\n\n", "", ""],
        migration: "add_pet",
    };
    let on_a = Change {
        schema: ["", "", "model Tag {\n  id Int @id\n}\n"],
        migration: "add_tag",
    };
    two_branches(&repo, &dev_a, &dev_b, &on_b, &on_a);
    for db in [&production, &lenient] {
        repo.drydock_ok(db, &["migrate", "deploy"]);
    }

    // Git sees both branches change the integrity file's lines: a conflict, not a silent merge.
    let merge = repo.git(&["merge", "--no-edit", "b"]);
    assert_eq!(merge.status.code(), Some(1), "{}", said(&merge));
    let conflicted = repo.git_ok(&["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(conflicted.trim(), SUM, "only the integrity file conflicts");
    let sum = repo.read(SUM);
    assert!(sum.contains("<<<<<<<") && sum.contains(">>>>>>>"), "{sum}");
    let pet = repo.migration("_add_pet");
    let tag = repo.migration("_add_tag");
    assert!(pet < tag, "{pet} sorts before {tag}");

    // Status names both sides and the migration out of order; deploy refuses.
    let status = repo.drydock(&production, &["migrate", "status"]);
    assert_exit(&status, 1);
    let text = said(&status);
    assert!(
        text.contains("[D3135]") && text.contains(&format!("`{pet}`")),
        "{text}"
    );
    assert!(
        text.contains("[D3130]") && text.contains(&format!("sorts before `{tag}`")),
        "{text}"
    );
    let deploy = repo.drydock(&production, &["migrate", "deploy"]);
    assert_exit(&deploy, 1);
    assert!(said(&deploy).contains("[D3135]"), "{}", said(&deploy));

    // Taking our side leaves the other branch's migration unrecorded.
    repo.git_ok(&["checkout", "--ours", SUM]);
    let deploy = repo.drydock(&production, &["migrate", "deploy"]);
    assert_exit(&deploy, 1);
    let text = said(&deploy);
    assert!(
        text.contains("[D3134]") && text.contains(&format!("`{pet}`: its folder was added")),
        "{text}"
    );

    // Recorded as it stands, it is refused as out of order, unless asked for.
    repo.drydock_ok(&dev_a, &["migrate", "hash"]);
    let status = repo.drydock(&production, &["migrate", "status"]);
    assert_exit(&status, 1);
    assert!(
        stdout(&status).contains(&format!("  {pet} (out of order: sorts before {tag}")),
        "{}",
        said(&status)
    );
    let deploy = repo.drydock(&production, &["migrate", "deploy"]);
    assert_exit(&deploy, 1);
    let text = said(&deploy);
    assert!(text.contains("[D3130]"), "{text}");
    assert!(
        text.contains(&format!("`{pet}` sorts before `{tag}`"))
            && text.contains(&format!("drydock migrate rebase {pet}"))
            && text.contains("--allow-out-of-order"),
        "{text}"
    );
    let lenient_deploy = repo.drydock_ok(&lenient, &["migrate", "deploy", "--allow-out-of-order"]);
    assert!(
        lenient_deploy.contains(&format!("`{pet}` is applied out of order")),
        "{lenient_deploy}"
    );
    let refused = repo.drydock(&lenient, &["migrate", "rebase", &pet]);
    assert_exit(&refused, 1);
    assert!(said(&refused).contains("[D3136]"), "{}", said(&refused));

    // Rebased, it follows ours; its SQL still gives the merged schema, so it is kept.
    repo.schema(
        "model Pet {\n  id Int @id\n}\n\n",
        "",
        "model Tag {\n  id Int @id\n}\n",
    );
    let pet_sql = std::fs::read_to_string(repo.sql(&pet)).expect("sql");
    let rebased = repo.drydock_ok(&dev_a, &["migrate", "rebase", &pet]);
    assert!(rebased.contains("Its SQL is kept"), "{rebased}");
    let moved = repo.migration("_add_pet");
    assert!(moved > tag, "{moved} sorts after {tag}");
    assert_eq!(
        std::fs::read_to_string(repo.sql(&moved)).ok(),
        Some(pet_sql)
    );
    let sum = repo.read(SUM);
    assert!(
        sum.lines()
            .last()
            .is_some_and(|l| l.starts_with(&format!("{moved} h1:"))),
        "{sum}"
    );
    repo.commit("merge b");

    let applied = repo.drydock_ok(&production, &["migrate", "deploy"]);
    assert!(applied.contains(&moved), "{applied}");
    let applied = repo.drydock_ok(&staging, &["migrate", "deploy"]);
    assert!(
        applied.contains(&tag) && applied.contains(&moved),
        "{applied}"
    );
    for db in [&production, &staging] {
        let status = repo.drydock_ok(db, &["migrate", "status"]);
        assert!(
            status.contains("Database schema is up to date!"),
            "{status}"
        );
    }
    let dev = repo.drydock_ok(&dev_a, &["migrate", "dev"]);
    assert!(dev.contains("Already in sync"), "{dev}");
}

#[test]
fn postgres_branches_conflict_in_git_and_rebase_resolves_it() {
    two_branches_merged_and_rebased(TestDb::postgres, "postgresql");
}

#[test]
fn sqlite_branches_conflict_in_git_and_rebase_resolves_it() {
    two_branches_merged_and_rebased(TestDb::sqlite, "sqlite");
}

/// Both branches add a column to `User`; the merged schema names the other branch's column
/// differently than its migration does.
fn same_table_on_both_branches(kind: fn() -> TestDb, provider: &'static str) {
    let repo = Repo::new(provider);
    let (dev_a, dev_b) = (kind(), kind());
    init(&repo, &dev_a);
    let on_b = Change {
        schema: ["", "  nickname String?\n", ""],
        migration: "add_nickname",
    };
    let on_a = Change {
        schema: ["", "  email String?\n", ""],
        migration: "add_email",
    };
    two_branches(&repo, &dev_a, &dev_b, &on_b, &on_a);
    let merge = repo.git(&["merge", "--no-edit", "b"]);
    assert_eq!(merge.status.code(), Some(1), "{}", said(&merge));

    let nickname = repo.migration("_add_nickname");
    let email = repo.migration("_add_email");
    // Git could not merge the `User` model either: both sides kept, the other's renamed.
    repo.schema("", "  email String?\n  name  String?\n", "");
    let status = repo.drydock(&dev_a, &["migrate", "status"]);
    let text = said(&status);
    assert!(text.contains("[D3133]"), "{text}");
    assert!(
        text.contains(&format!(
            "`{}`, `{}` were both written after the same migration",
            email.as_str().min(&nickname),
            email.as_str().max(&nickname)
        )) && text.contains("table \"User\""),
        "{text}"
    );

    // Its SQL no longer gives the schema, so it is generated again, the diff shown.
    repo.git_ok(&["checkout", "--ours", SUM]);
    let rebased = repo.drydock_ok(&dev_a, &["migrate", "rebase", &nickname]);
    assert!(rebased.contains("is generated again"), "{rebased}");
    assert!(
        rebased.contains("-ALTER TABLE") && rebased.contains("nickname"),
        "{rebased}"
    );
    let moved = repo.migration("_add_nickname");
    let sql = std::fs::read_to_string(repo.sql(&moved)).expect("sql");
    assert!(sql.contains("name") && !sql.contains("nickname"), "{sql}");
    repo.commit("merge b");
    let dev = repo.drydock_ok(&dev_a, &["migrate", "dev"]);
    assert!(dev.contains(&moved), "{dev}");
    let dev = repo.drydock_ok(&dev_a, &["migrate", "dev"]);
    assert!(dev.contains("Already in sync"), "{dev}");
}

#[test]
fn postgres_same_table_on_two_branches_is_a_conflict_and_rebase_regenerates() {
    same_table_on_both_branches(TestDb::postgres, "postgresql");
}

#[test]
fn sqlite_same_table_on_two_branches_is_a_conflict_and_rebase_regenerates() {
    same_table_on_both_branches(TestDb::sqlite, "sqlite");
}

#[test]
fn mysql_same_table_on_two_branches_is_a_conflict_and_rebase_regenerates() {
    same_table_on_both_branches(TestDb::mysql, "mysql");
}

/// Both branches make the same change: git merges the schema, the folders meet, and the other
/// branch's migration fails after ours, so it is generated again: empty.
fn same_change_on_both_branches(kind: fn() -> TestDb, provider: &'static str) {
    let repo = Repo::new(provider);
    let (dev_a, dev_b) = (kind(), kind());
    init(&repo, &dev_a);
    let on_b = Change {
        schema: ["", "  email String?\n", ""],
        migration: "user_email",
    };
    let on_a = Change {
        schema: ["", "  email String?\n", ""],
        migration: "add_email",
    };
    two_branches(&repo, &dev_a, &dev_b, &on_b, &on_a);
    let merge = repo.git(&["merge", "--no-edit", "b"]);
    assert_eq!(merge.status.code(), Some(1), "{}", said(&merge));
    let conflicted = repo.git_ok(&["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(
        conflicted.trim(),
        SUM,
        "the schema merged: the same line on both sides"
    );

    let status = repo.drydock(&dev_a, &["migrate", "status"]);
    let text = said(&status);
    assert!(
        text.contains("[D3133]") && text.contains("column \"User\".\"email\""),
        "{text}"
    );

    // Ours is applied on dev_a; theirs, pending there, fails after ours.
    repo.git_ok(&["checkout", "--ours", SUM]);
    repo.drydock_ok(&dev_a, &["migrate", "hash"]);
    let status = repo.drydock(&dev_a, &["migrate", "status", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&status)).expect("json");
    let theirs = report["pending"][0].as_str().unwrap_or_default().to_owned();
    assert!(theirs.ends_with("_user_email"), "{report}");
    let rebased = repo.drydock_ok(&dev_a, &["migrate", "rebase", &theirs]);
    assert!(
        rebased.contains("it fails when replayed after the other migrations")
            && rebased.contains("it is left empty: delete its folder"),
        "{rebased}"
    );
    let moved = repo.migration("_user_email");
    assert_ne!(moved, theirs);
    assert_eq!(repo.migrations().last(), Some(&moved));
    let sql = std::fs::read_to_string(repo.sql(&moved)).expect("sql");
    assert_eq!(sql, "-- This is an empty migration.\n");
}

#[test]
fn postgres_the_same_change_on_two_branches_is_left_empty_by_rebase() {
    same_change_on_both_branches(TestDb::postgres, "postgresql");
}

#[test]
fn sqlite_the_same_change_on_two_branches_is_left_empty_by_rebase() {
    same_change_on_both_branches(TestDb::sqlite, "sqlite");
}

/// Folders copied by hand from another branch: the same name, the same timestamp.
fn same_names_and_timestamps(kind: fn() -> TestDb, provider: &'static str) {
    let repo = Repo::new(provider);
    let db = kind();
    init(&repo, &db);
    let dir = repo.path().join("prisma/migrations");
    for (name, sql) in [
        (
            "20990101000000_add_pet",
            "CREATE TABLE \"Pet\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
        ),
        (
            "20990102000000_add_pet",
            "CREATE TABLE \"Pet2\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
        ),
        (
            "20990102000000_add_tag",
            "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
        ),
    ] {
        std::fs::create_dir_all(dir.join(name)).expect("folder");
        std::fs::write(dir.join(name).join("migration.sql"), sql).expect("sql");
    }
    repo.drydock_ok(&db, &["migrate", "hash"]);
    let status = repo.drydock(&db, &["migrate", "status", "--json"]);
    assert_exit(&status, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&status)).expect("json");
    let found: Vec<(String, Vec<String>)> = report["conflicts"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|c| {
                    (
                        c["code"].as_str().unwrap_or_default().to_owned(),
                        serde_json::from_value(c["migrations"].clone()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        found,
        [
            (
                "D3131".to_owned(),
                vec![
                    "20990101000000_add_pet".to_owned(),
                    "20990102000000_add_pet".to_owned()
                ]
            ),
            (
                "D3132".to_owned(),
                vec![
                    "20990102000000_add_pet".to_owned(),
                    "20990102000000_add_tag".to_owned()
                ]
            ),
        ]
    );
    let status = repo.drydock(&db, &["migrate", "status"]);
    let text = said(&status);
    assert!(
        text.contains("drydock migrate rebase 20990102000000_add_pet --name <new name>")
            && text.contains("drydock migrate rebase 20990102000000_add_tag"),
        "{text}"
    );

    // A new name and a timestamp after every other folder end both.
    let rebased = repo.drydock_ok(
        &db,
        &[
            "migrate",
            "rebase",
            "20990102000000_add_pet",
            "--name",
            "add pet two",
        ],
    );
    assert!(rebased.contains("_add_pet_two"), "{rebased}");
    let status = repo.drydock(&db, &["migrate", "status", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&status)).expect("json");
    assert_eq!(report["conflicts"], serde_json::json!([]));
    let missing = repo.drydock(&db, &["migrate", "rebase", "no_such"]);
    assert_exit(&missing, 1);
    assert!(said(&missing).contains("[D3137]"), "{}", said(&missing));
}

#[test]
fn postgres_same_names_and_timestamps_are_found() {
    same_names_and_timestamps(TestDb::postgres, "postgresql");
}

#[test]
fn sqlite_same_names_and_timestamps_are_found() {
    same_names_and_timestamps(TestDb::sqlite, "sqlite");
}
