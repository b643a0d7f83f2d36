//! The tasks as library entry points: `migrate deploy` and `backup create` called with a
//! collecting `Events`, on real databases; what they report is what the CLI and the run log
//! get.

use std::path::Path;
use std::sync::Mutex;

use drydock_engine::Project;
use drydock_engine::tasks::backup::DUMP_STEP;
use drydock_engine::tasks::deploy::{self, APPLY_STEP, DeployTaskOptions, Review};
use drydock_engine::{EngineError, LintGate};
use drydock_tasks::{Event, Level};
use drydock_test_support::TestDb;
use drydock_test_support::dialect::quoted_for;

/// A project in `dir` whose datasource is `url`, with the given migrations.
fn project(dir: &Path, provider: &str, url: &str, migrations: &[(&str, String)]) -> Project {
    let prisma = dir.join("prisma");
    std::fs::create_dir_all(&prisma).expect("prisma dir");
    std::fs::write(
        prisma.join("schema.prisma"),
        format!("datasource db {{\n  provider = \"{provider}\"\n  url      = \"{url}\"\n}}\n"),
    )
    .expect("schema");
    for (name, sql) in migrations {
        let folder = prisma.join("migrations").join(name);
        std::fs::create_dir_all(&folder).expect("migration folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration.sql");
    }
    Project::load(Some(&prisma.join("schema.prisma"))).expect("project")
}

fn migrations(provider: &str) -> Vec<(&'static str, String)> {
    let (key, name) = match provider {
        "sqlite" => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"),
        // An index on a `TEXT` column needs a prefix length on MySQL.
        "mysql" => ("INTEGER PRIMARY KEY AUTO_INCREMENT", "VARCHAR(191)"),
        _ => ("SERIAL PRIMARY KEY", "TEXT"),
    };
    vec![
        (
            "20240101000000_create_items",
            sql(
                provider,
                &format!(
                    "CREATE TABLE \"Item\" (\"id\" {key}, \"name\" {name} NOT NULL);\n\
                     INSERT INTO \"Item\" (\"name\") VALUES ('a'), ('b');\n"
                ),
            ),
        ),
        (
            "20240102000000_item_name",
            sql(
                provider,
                "CREATE INDEX \"Item_name_idx\" ON \"Item\"(\"name\");\n",
            ),
        ),
    ]
}

/// `text`, its identifiers in `"`, in the quotes of `provider`'s dialect.
fn sql(provider: &str, text: &str) -> String {
    quoted_for(
        drydock_engine::dialects::for_provider(provider).expect("dialect"),
        text,
    )
}

/// Every event a task reports, in order.
#[derive(Default)]
struct Collected(Mutex<Vec<Event>>);

impl drydock_tasks::Events for Collected {
    fn event(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

impl Collected {
    fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }

    fn lines(&self) -> Vec<(Level, String)> {
        self.events()
            .into_iter()
            .filter_map(|event| match event {
                Event::Log { level, line } => Some((level, line)),
                _ => None,
            })
            .collect()
    }

    fn last_counts(&self) -> Option<(u64, u64)> {
        self.events()
            .into_iter()
            .rev()
            .find_map(|event| match event {
                Event::Counts { examined, affected } => Some((examined, affected)),
                _ => None,
            })
    }
}

fn deploy_reports_its_steps(db: &TestDb, provider: &str) {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), provider, db.url(), &migrations(provider));
    let events = Collected::default();
    let backups = dir.path().join("backups");
    let options = DeployTaskOptions {
        backup: true,
        backup_dir: Some(backups.clone()),
        ..DeployTaskOptions::default()
    };
    let outcome = deploy::deploy(&project, &options, &events).expect("deploy");

    assert_eq!(
        outcome.summary(),
        "applied 2 migrations, backup {} taken before".replace(
            "{}",
            &outcome
                .backup
                .as_ref()
                .expect("a backup before the deploy")
                .id,
        )
    );
    assert_eq!(
        outcome.pending,
        ["20240101000000_create_items", "20240102000000_item_name"]
    );
    assert_eq!(events.last_counts(), Some((2, 2)));

    let lines = events.lines();
    let datasource = format!("Datasource: {provider} at ");
    assert!(
        lines.iter().any(|(_, line)| line.starts_with(&datasource)),
        "{lines:?}"
    );
    assert!(
        lines.iter().all(|(level, _)| *level == Level::Info),
        "{lines:?}"
    );
    let said = |start: &str| lines.iter().any(|(_, line)| line.starts_with(start));
    assert!(said("Backing up "), "{lines:?}");
    assert!(said("Wrote "), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|(_, line)| line.starts_with("Backup ") && line.contains(" checksummed;")),
        "{lines:?}"
    );

    let progress: Vec<(String, u64, Option<u64>)> = events
        .events()
        .into_iter()
        .filter_map(|event| match event {
            Event::Progress { step, done, total } if step.starts_with(APPLY_STEP) => {
                Some((step, done, total))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        progress,
        [
            (
                format!("{APPLY_STEP}: 20240101000000_create_items"),
                0,
                Some(2)
            ),
            (APPLY_STEP.to_owned(), 1, Some(2)),
            (
                format!("{APPLY_STEP}: 20240102000000_item_name"),
                1,
                Some(2)
            ),
            (APPLY_STEP.to_owned(), 2, Some(2)),
        ]
    );
    // The backup reported the bytes it dumped, before anything was applied.
    let first_apply = events
        .events()
        .iter()
        .position(|e| matches!(e, Event::Progress { step, .. } if step.starts_with(APPLY_STEP)))
        .unwrap();
    assert!(
        events.events()[..first_apply]
            .iter()
            .any(|e| matches!(e, Event::Progress { step, .. } if step == DUMP_STEP)),
        "no dump progress before the deploy"
    );

    // Again: nothing pending, no backup, counts of nothing.
    let again = Collected::default();
    let outcome = deploy::deploy(&project, &options, &again).expect("deploy again");
    assert_eq!(outcome.summary(), "no pending migrations");
    assert!(outcome.backup.is_none());
    assert_eq!(again.last_counts(), Some((0, 0)));
}

#[test]
fn postgres_deploy_reports_its_steps() {
    deploy_reports_its_steps(&TestDb::postgres(), "postgresql");
}

#[test]
fn sqlite_deploy_reports_its_steps() {
    deploy_reports_its_steps(&TestDb::sqlite(), "sqlite");
}

#[test]
fn a_migration_edited_after_it_was_applied_is_a_warning() {
    edited_migration_is_a_warning(&TestDb::sqlite(), "sqlite");
}

fn edited_migration_is_a_warning(db: &TestDb, provider: &str) {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), provider, db.url(), &migrations(provider));
    deploy::deploy(
        &project,
        &DeployTaskOptions::default(),
        &Collected::default(),
    )
    .unwrap();
    let file = project
        .migrations_dir
        .join("20240102000000_item_name/migration.sql");
    std::fs::write(
        &file,
        sql(
            provider,
            "-- edited\nCREATE INDEX \"Item_name_idx\" ON \"Item\"(\"name\");\n",
        ),
    )
    .unwrap();
    let events = Collected::default();
    deploy::deploy(&project, &DeployTaskOptions::default(), &events).unwrap();
    let warnings: Vec<String> = events
        .lines()
        .into_iter()
        .filter(|(level, _)| *level == Level::Warning)
        .map(|(_, line)| line)
        .collect();
    assert_eq!(
        warnings,
        ["these migrations were modified after they were applied:\n  20240102000000_item_name"]
    );
}

#[test]
fn the_review_reports_its_findings_and_stops_the_deploy() {
    review_stops_the_deploy(&TestDb::postgres(), "postgresql");
}

fn review_stops_the_deploy(db: &TestDb, provider: &str) {
    let dir = tempfile::tempdir().unwrap();
    // A column dropped: a finding the strict gate stops at.
    let mut history = migrations(provider);
    history.push((
        "20240103000000_drop_name",
        sql(provider, "ALTER TABLE \"Item\" DROP COLUMN \"name\";\n"),
    ));
    let project = project(dir.path(), provider, db.url(), &history);
    let events = Collected::default();
    let options = DeployTaskOptions {
        review: Review::Lint(LintGate::Strict),
        ..DeployTaskOptions::default()
    };
    let error = deploy::deploy(&project, &options, &events).expect_err("stopped by the review");
    assert!(
        matches!(error, EngineError::DeployBlockedByLint { .. }),
        "{error}"
    );
    let lines = events.lines();
    assert!(
        lines
            .iter()
            .any(|(_, line)| line == "Review of the pending migrations:"),
        "{lines:?}"
    );
    // Nothing was applied.
    assert_eq!(events.last_counts(), Some((3, 0)));
}

#[test]
fn watch_samples_from_their_thread_reach_the_events() {
    watch_samples_reach_the_events(&TestDb::postgres(), "postgresql", "SELECT pg_sleep(4);");
}

fn watch_samples_reach_the_events(db: &TestDb, provider: &str, sleep: &str) {
    let dir = tempfile::tempdir().unwrap();
    let project = project(
        dir.path(),
        provider,
        db.url(),
        &[(
            "20240101000000_slow",
            sql(
                provider,
                &format!("{sleep}\nCREATE TABLE \"Slow\" (\"id\" integer PRIMARY KEY);\n"),
            ),
        )],
    );
    let events = Collected::default();
    deploy::deploy(&project, &DeployTaskOptions::default(), &events).expect("deploy");
    let lines = events.lines();
    assert!(
        lines
            .iter()
            .any(|(_, line)| line.starts_with("  20240101000000_slow (")),
        "no watch sample in {lines:?}"
    );
}

mod mysql {
    use super::*;

    #[test]
    fn deploy_reports_its_steps() {
        super::deploy_reports_its_steps(&TestDb::mysql(), "mysql");
    }

    #[test]
    fn a_migration_edited_after_it_was_applied_is_a_warning() {
        edited_migration_is_a_warning(&TestDb::mysql(), "mysql");
    }

    #[test]
    fn the_review_reports_its_findings_and_stops_the_deploy() {
        review_stops_the_deploy(&TestDb::mysql(), "mysql");
    }

    #[test]
    fn watch_samples_from_their_thread_reach_the_events() {
        watch_samples_reach_the_events(&TestDb::mysql(), "mysql", "SELECT SLEEP(4);");
    }
}
