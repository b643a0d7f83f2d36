//! `drydock stats` on SQLite: the file's pages, table and index sizes, snapshots in the file
//! beside the database, and growth between them.

use drydock_connector::{Dialect, StatsSource};
use drydock_maintenance::{StatsOptions, StatsReport, TopQueries, stats};
use drydock_tasks::Event;
use drydock_test_support::TestDb;

fn run(db: &TestDb, options: &StatsOptions) -> StatsReport {
    let mut source: Box<dyn StatsSource> = drydock_sqlite::SqliteDialect
        .open_stats(db.url())
        .expect("opening the statistics");
    stats(source.as_mut(), options, &|_: Event| {}).expect("drydock stats")
}

#[test]
fn sqlite_snapshots_go_beside_the_database_and_show_growth() {
    let db = TestDb::sqlite();
    let conn = rusqlite::Connection::open(db.sqlite_path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
         CREATE INDEX note_body ON note (body);",
    )
    .unwrap();
    let now = chrono::Utc::now();
    let options = StatsOptions {
        snapshot: true,
        taken_at: Some(now - chrono::Duration::hours(1)),
        ..StatsOptions::default()
    };
    let first = run(&db, &options);
    assert!(first.findings.is_empty(), "{:#?}", first.findings);
    assert!(first.pages.unwrap().page_count > 0);
    assert!(matches!(first.queries, TopQueries::Unavailable { .. }));
    conn.execute_batch(
        "INSERT INTO note (body) SELECT printf('%0200d', value) FROM generate_series(1, 5000);",
    )
    .or_else(|_| {
        conn.execute_batch(
            "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 5000)
             INSERT INTO note (body) SELECT printf('%0200d', v) FROM n;",
        )
    })
    .unwrap();
    let second = run(
        &db,
        &StatsOptions {
            taken_at: Some(now),
            ..options
        },
    );
    let growth = second
        .growth
        .as_ref()
        .expect("growth since the first snapshot");
    assert!(growth.database_bytes.unwrap() > 1_000_000, "{growth:?}");
    assert_eq!(second.snapshot.as_ref().unwrap().kept, 2);
    let sidecar = db.sqlite_path().with_file_name("dev.drydock.db");
    assert!(sidecar.is_file());
    // The database itself holds no table of drydock's.
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tables, ["note"]);
}
