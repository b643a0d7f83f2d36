//! `migrate dev` on a long history (450 migrations) whose first migration made an expression and
//! partial unique index by hand, as production histories often do. The schema language cannot
//! express that index, so the differ keeps it; every change made on top must still get a
//! `down.sql` that the shadow database verified (up, down, up), including changes that rename or
//! drop a column the index reads.

use std::fmt::Write as _;
use std::path::Path;

use drydock_engine::{DevOptions, Project, migrate_dev};
use drydock_test_support::TestDb;

const MIGRATIONS: usize = 450;

const HAND_MADE_INDEX: &str = "CREATE UNIQUE INDEX \"users_username_org_null_key\" ON \"users\"(\"username\", (\"organizationId\" IS NULL)) WHERE \"organizationId\" IS NULL;\n";

/// The history as raw SQL folders, and the models it ends with (without `users`).
fn write_history(migrations: &Path) -> String {
    std::fs::create_dir_all(migrations).expect("migrations dir");
    drydock_engine::migrate::write_lock_file(migrations, "postgresql").expect("lock file");
    let mut models = String::new();
    let mut items: Vec<(usize, bool)> = Vec::new();
    for i in 0..MIGRATIONS {
        let sql = if i == 0 {
            format!(
                "-- CreateTable\nCREATE TABLE \"users\" (\n    \"id\" SERIAL NOT NULL,\n    \"username\" TEXT NOT NULL,\n    \"organizationId\" INTEGER,\n\n    CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\")\n);\n\n{HAND_MADE_INDEX}"
            )
        } else if i % 2 == 1 {
            items.push((i, false));
            format!(
                "-- CreateTable\nCREATE TABLE \"Item{i}\" (\n    \"id\" SERIAL NOT NULL,\n    \"name\" TEXT NOT NULL,\n\n    CONSTRAINT \"Item{i}_pkey\" PRIMARY KEY (\"id\")\n);\n"
            )
        } else {
            let (item, indexed) = items.last_mut().expect("an item table");
            *indexed = true;
            format!(
                "-- CreateIndex\nCREATE INDEX \"Item{item}_name_idx\" ON \"Item{item}\"(\"name\");\n"
            )
        };
        let folder = migrations.join(format!("{:014}_step_{i}", 20200101000000u64 + i as u64));
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration");
    }
    for (i, indexed) in items {
        let index = if indexed { "\n  @@index([name])" } else { "" };
        let _ = writeln!(
            models,
            "model Item{i} {{\n  id   Int    @id @default(autoincrement())\n  name String{index}\n}}\n"
        );
    }
    models
}

fn write_schema(dir: &Path, url: &str, users: &str, models: &str) -> Project {
    let path = dir.join("prisma/schema.prisma");
    std::fs::write(
        &path,
        format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url      = \"{url}\"\n}}\n\nmodel users {{\n  id             Int     @id @default(autoincrement())\n{users}}}\n\n{models}"
        ),
    )
    .expect("schema");
    Project::load(Some(&path)).expect("project")
}

#[test]
fn every_change_on_a_long_history_with_a_hand_made_index_gets_a_verified_down_migration() {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("temp dir");
    let models = write_history(&dir.path().join("prisma/migrations"));
    let changes = [
        // The reported case: one nullable field.
        (
            "add_users_bio",
            "  username       String\n  organizationId Int?\n  bio            String?\n",
        ),
        (
            "add_users_score",
            "  username       String\n  organizationId Int?\n  bio            String?\n  score          Int     @default(0)\n",
        ),
        (
            "index_users_bio",
            "  username       String\n  organizationId Int?\n  bio            String?\n  score          Int     @default(0)\n\n  @@index([bio])\n",
        ),
        // A column the hand-made index reads, renamed: the index follows it.
        (
            "rename_users_username",
            "  // drydock:renamed-from username\n  handle         String\n  organizationId Int?\n  bio            String?\n  score          Int     @default(0)\n\n  @@index([bio])\n",
        ),
        (
            "change_users_score_type",
            "  handle         String\n  organizationId Int?\n  bio            String?\n  score          BigInt  @default(0)\n\n  @@index([bio])\n",
        ),
        // Dropping a column the index reads drops the index; undoing it brings both back.
        (
            "drop_users_organization",
            "  handle         String\n  bio            String?\n  score          BigInt  @default(0)\n\n  @@index([bio])\n",
        ),
    ];
    for (name, users) in changes {
        let project = write_schema(dir.path(), db.url(), users, &models);
        let options = DevOptions {
            name: Some(name.to_owned()),
            accept_data_loss: true,
            replay_cache: Some(Some(dir.path().join("cache"))),
            ..DevOptions::default()
        };
        let outcome = migrate_dev(&project, &options, &mut |_| true, &mut |_| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let folder = outcome
            .created
            .unwrap_or_else(|| panic!("{name}: no migration written"));
        assert_eq!(outcome.down_not_written, None, "{name}");
        assert!(folder.join("down.sql").exists(), "{name}: no down.sql");
    }
}
