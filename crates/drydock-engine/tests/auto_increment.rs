//! Auto-increment added to an existing key and removed again, through `migrate dev` on real
//! databases: each migration's down migration passes its check on the shadow database, also
//! for a table whose name has capitals (the sequence PostgreSQL's migration creates for it is
//! the one its removal drops).

use std::path::Path;

use drydock_engine::{DevOptions, DevOutcome, Project, migrate_dev};
use drydock_test_support::TestDb;

const PLAIN: &str = "model User {\n  id   Int    @id\n  name String\n}\n";
const AUTO: &str = "model User {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n";

fn dev(dir: &Path, provider: &str, url: &str, models: &str, name: &str) -> DevOutcome {
    std::fs::create_dir_all(dir.join("prisma")).expect("dir");
    let schema = dir.join("prisma/schema.prisma");
    std::fs::write(
        &schema,
        format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n\n{models}"
        ),
    )
    .expect("schema");
    let project = Project::load(Some(&schema)).expect("project");
    let options = DevOptions {
        name: Some(name.to_owned()),
        replay_cache: Some(Some(dir.join("cache"))),
        ..DevOptions::default()
    };
    migrate_dev(&project, &options, &mut |_| false, &mut |_| {})
        .unwrap_or_else(|e| panic!("{provider} {name}: {e}"))
}

fn down_of(outcome: &DevOutcome, provider: &str, name: &str) -> String {
    assert_eq!(
        outcome.down_not_written, None,
        "{provider} {name}: the down migration failed its check"
    );
    let folder = outcome.created.as_ref().expect("a migration");
    std::fs::read_to_string(folder.join("down.sql")).expect("down.sql")
}

fn added_and_removed(provider: &str, db: &TestDb) -> Vec<String> {
    let dir = tempfile::tempdir().expect("dir");
    let dir = dir.path();
    dev(dir, provider, db.url(), PLAIN, "init");
    let added = dev(dir, provider, db.url(), AUTO, "add_auto_increment");
    let removed = dev(dir, provider, db.url(), PLAIN, "remove_auto_increment");
    vec![
        down_of(&added, provider, "add_auto_increment"),
        down_of(&removed, provider, "remove_auto_increment"),
    ]
}

#[test]
fn auto_increment_on_a_capitalised_table_comes_and_goes_on_postgres() {
    let db = TestDb::postgres();
    let downs = added_and_removed("postgresql", &db);
    assert!(downs[0].contains("DROP SEQUENCE"), "{}", downs[0]);
    assert!(downs[1].contains("CREATE SEQUENCE"), "{}", downs[1]);
}

#[test]
fn auto_increment_on_a_capitalised_table_comes_and_goes_on_sqlite() {
    // SQLite lowers every `Int @id` with `AUTOINCREMENT`, as Prisma does: only a table written
    // without it (by hand, or by an older tool) gains it, with a rebuild whose down migration
    // removes it again.
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("dir");
    let dir = dir.path();
    std::fs::create_dir_all(dir.join("prisma/migrations/0_init")).expect("dir");
    std::fs::write(
        dir.join("prisma/migrations/0_init/migration.sql"),
        "CREATE TABLE \"User\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY,\n    \"name\" TEXT NOT NULL\n);\n",
    )
    .expect("migration");
    std::fs::write(
        dir.join("prisma/migrations/migration_lock.toml"),
        "provider = \"sqlite\"\n",
    )
    .expect("lock");
    let added = dev(dir, "sqlite", db.url(), PLAIN, "add_auto_increment");
    let up = std::fs::read_to_string(
        added
            .created
            .as_ref()
            .expect("a migration")
            .join("migration.sql"),
    )
    .expect("migration.sql");
    assert!(up.contains("PRIMARY KEY AUTOINCREMENT"), "{up}");
    let down = down_of(&added, "sqlite", "add_auto_increment");
    assert!(
        down.contains("\"id\" INTEGER NOT NULL PRIMARY KEY,"),
        "{down}"
    );
}

mod mysql {
    use super::*;

    #[test]
    fn auto_increment_on_a_capitalised_table_comes_and_goes() {
        let db = TestDb::mysql();
        let downs = added_and_removed("mysql", &db);
        // MySQL keeps the counter on the column: the down migrations take it off and put it
        // back.
        assert!(
            downs[0].contains("MODIFY `id` INTEGER NOT NULL;"),
            "{}",
            downs[0]
        );
        assert!(downs[1].contains("AUTO_INCREMENT"), "{}", downs[1]);
    }
}
