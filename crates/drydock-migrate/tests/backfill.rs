//! Batched data migrations (backfills) against real databases, on PostgreSQL and SQLite.

use std::error::Error;
use std::ops::ControlFlow;

use drydock_connector::{Connection, Dialect, is_bookkeeping_table};
use drydock_migrate::{
    BACKFILL_TABLE, Backfill, BackfillError, BackfillProgress, UnfinishedBackfill, find_directive,
    run_backfill, unfinished_backfill,
};
use drydock_postgres::PostgresDialect;
use drydock_sqlite::SqliteDialect;
use drydock_test_support::TestDb;

type TestResult = Result<(), Box<dyn Error>>;

const MIGRATION: &str = "20240501000000_backfill_names";

/// `items` with rows 1..=`rows`: `full_name` and `counter` are what backfills change.
fn create_items(conn: &mut dyn Connection, rows: u64) -> TestResult {
    conn.execute_script(&format!(
        "CREATE TABLE items (
             id INTEGER NOT NULL PRIMARY KEY,
             first_name TEXT NOT NULL,
             last_name TEXT NOT NULL,
             full_name TEXT,
             note TEXT NOT NULL DEFAULT '',
             counter INTEGER NOT NULL DEFAULT 0
         );
         WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows})
         INSERT INTO items (id, first_name, last_name) SELECT n, 'First' || n, 'Last' || n FROM s;"
    ))?;
    Ok(())
}

fn count(conn: &mut dyn Connection, sql: &str) -> Result<u64, Box<dyn Error>> {
    let value = conn.query_texts(sql)?.into_iter().next().flatten();
    Ok(value.ok_or("the count query returned nothing")?.parse()?)
}

fn backfill(dialect: &dyn Dialect, statement: &str) -> Result<Backfill, Box<dyn Error>> {
    match find_directive(statement, dialect.lexical_rules()) {
        Some(found) => Ok(found?),
        None => Err(format!("no backfill directive in {statement:?}").into()),
    }
}

const FULL_NAME: &str = "-- drydock:backfill key=\"id\" batch=1000 pause=0ms
UPDATE items SET full_name = first_name || ' ' || last_name WHERE full_name IS NULL;";

const NOT_NAMED: &str = "SELECT count(*) FROM items WHERE full_name IS NULL";

fn backfills_in_batches(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let mut conn = dialect.connect(db.url())?;
    create_items(conn.as_mut(), 25_000)?;
    let backfill = backfill(dialect, FULL_NAME)?;
    let mut events: Vec<BackfillProgress> = Vec::new();
    let report = run_backfill(conn.as_mut(), MIGRATION, 0, &backfill, &mut |progress| {
        events.push(progress.clone());
        ControlFlow::Continue(())
    })?;
    assert_eq!((report.rows, report.batches), (25_000, 25));
    assert_eq!(report.resumed_from, None);
    assert!(!report.already_finished);
    assert_eq!(count(conn.as_mut(), NOT_NAMED)?, 0);
    assert_eq!(
        count(
            conn.as_mut(),
            "SELECT count(*) FROM items WHERE full_name = first_name || ' ' || last_name"
        )?,
        25_000
    );

    assert_eq!(events.len(), 25);
    for (n, pair) in events.windows(2).enumerate() {
        assert!(pair[1].rows_done > pair[0].rows_done, "event {n}: {pair:?}");
        assert_eq!(pair[1].batches, pair[0].batches + 1, "event {n}: {pair:?}");
    }
    assert!(events.iter().all(|event| event.rows_total == 25_000));
    assert!(events.iter().all(|event| event.rate_per_sec > 0.0));
    assert!(events.iter().all(|event| event.eta.is_some()));
    let last = events.last().ok_or("no progress")?;
    assert_eq!((last.rows_done, last.batches), (25_000, 25));
    assert_eq!(last.eta, Some(std::time::Duration::ZERO));

    // Finished: recorded, skipped when run again, and never part of the schema.
    assert_eq!(
        count(
            conn.as_mut(),
            &format!(
                "SELECT rows_done FROM {BACKFILL_TABLE} WHERE finished_at IS NOT NULL AND \
                 migration_name = '{MIGRATION}'"
            )
        )?,
        25_000
    );
    assert_eq!(unfinished_backfill(conn.as_mut(), MIGRATION)?, None);
    let again = run_backfill(conn.as_mut(), MIGRATION, 0, &backfill, &mut |_| {
        ControlFlow::Continue(())
    })?;
    assert!(again.already_finished);
    assert_eq!((again.rows, again.batches), (25_000, 0));
    assert!(is_bookkeeping_table(BACKFILL_TABLE));
    let schema = conn.introspect(&[])?;
    let tables: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tables, ["items"]);
    Ok(())
}

/// Every row's counter goes up by one: a row updated twice would show 2.
const COUNT_ONCE: &str =
    "-- drydock:backfill key=id batch=1000 verify='SELECT count(*) FROM items WHERE counter <> 1'
UPDATE items SET counter = counter + 1";

fn resumes_after_an_interruption(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let mut conn = dialect.connect(db.url())?;
    create_items(conn.as_mut(), 25_000)?;
    let backfill = backfill(dialect, COUNT_ONCE)?;
    let interrupted = run_backfill(conn.as_mut(), MIGRATION, 2, &backfill, &mut |progress| {
        if progress.batches == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    match interrupted {
        Err(error @ BackfillError::Interrupted { .. }) => {
            assert_eq!(error.code(), "D3063");
            assert!(
                error
                    .to_string()
                    .contains("after 3000 rows (up to key `3000`)")
            );
        }
        other => return Err(format!("expected an interruption, got {other:?}").into()),
    }
    assert_eq!(
        count(
            conn.as_mut(),
            "SELECT count(*) FROM items WHERE counter = 1"
        )?,
        3000
    );
    assert_eq!(
        unfinished_backfill(conn.as_mut(), MIGRATION)?,
        Some(UnfinishedBackfill {
            statement_index: 2,
            last_key: Some("3000".into()),
            rows_done: 3000,
        })
    );

    let mut events = Vec::new();
    let report = run_backfill(conn.as_mut(), MIGRATION, 2, &backfill, &mut |progress| {
        events.push(progress.clone());
        ControlFlow::Continue(())
    })?;
    assert_eq!(report.resumed_from.as_deref(), Some("3000"));
    assert_eq!((report.rows, report.batches), (25_000, 22));
    assert_eq!(
        events
            .first()
            .map(|e| (e.rows_done, e.rows_total, e.batches)),
        Some((4000, 25_000, 1))
    );
    assert_eq!(
        count(
            conn.as_mut(),
            "SELECT count(*) FROM items WHERE counter <> 1"
        )?,
        0
    );
    assert_eq!(unfinished_backfill(conn.as_mut(), MIGRATION)?, None);
    Ok(())
}

fn concurrent_inserts_are_caught_up(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let mut conn = dialect.connect(db.url())?;
    create_items(conn.as_mut(), 25_000)?;
    let mut writer = dialect.connect(db.url())?;
    let backfill = backfill(dialect, FULL_NAME)?;
    let mut inserted = Ok(());
    let mut last = None;
    let report = run_backfill(conn.as_mut(), MIGRATION, 0, &backfill, &mut |progress| {
        // Rows the application writes meanwhile, past the keys that existed at the start.
        if progress.batches == 5 {
            inserted = writer.execute_script(
                "WITH RECURSIVE s(n) AS (SELECT 25001 UNION ALL SELECT n + 1 FROM s WHERE n < \
                 26500) INSERT INTO items (id, first_name, last_name) SELECT n, 'New' || n, 'Row' \
                 FROM s",
            );
        }
        last = Some(progress.clone());
        ControlFlow::Continue(())
    })?;
    inserted?;
    assert_eq!((report.rows, report.batches), (26_500, 27));
    let last = last.ok_or("no progress")?;
    assert_eq!((last.rows_done, last.rows_total), (26_500, 26_500));
    assert_eq!(count(conn.as_mut(), NOT_NAMED)?, 0);
    Ok(())
}

fn failing_verification_is_reported(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let mut conn = dialect.connect(db.url())?;
    create_items(conn.as_mut(), 2000)?;
    let cases = [
        // The default verification: rows still matching the WHERE.
        (
            "-- drydock:backfill key=id batch=500\nUPDATE items SET counter = counter + 1 WHERE \
             full_name IS NULL",
            "2000 rows are still wrong according to `SELECT count(*) FROM items WHERE \
             (full_name IS NULL)`",
        ),
        (
            "-- drydock:backfill key=id batch=500 verify='SELECT count(*) FROM items WHERE \
             counter < 5'\nUPDATE items SET counter = counter + 1",
            "2000 rows are still wrong according to `SELECT count(*) FROM items WHERE counter < \
             5`",
        ),
        (
            "-- drydock:backfill key=id verify='SELECT ''none'''\nUPDATE items SET counter = \
             counter + 1",
            "must return one number, the count of rows still wrong, but it returned `none`",
        ),
    ];
    for (index, (statement, expected)) in cases.into_iter().enumerate() {
        let backfill = backfill(dialect, statement)?;
        let error = match run_backfill(conn.as_mut(), MIGRATION, index, &backfill, &mut |_| {
            ControlFlow::Continue(())
        }) {
            Err(error) => error,
            Ok(report) => return Err(format!("expected a failure, got {report:?}").into()),
        };
        assert!(
            matches!(error.code(), "D3064" | "D3065"),
            "{}",
            error.code()
        );
        assert!(error.to_string().contains(expected), "{error}");
        // Not recorded as finished.
        assert!(
            unfinished_backfill(conn.as_mut(), MIGRATION)?.is_some(),
            "{statement}"
        );
    }
    Ok(())
}

fn a_failed_batch_rolls_back_alone(dialect: &dyn Dialect, db: &TestDb) -> TestResult {
    let mut conn = dialect.connect(db.url())?;
    create_items(conn.as_mut(), 5000)?;
    // Row 2500 cannot take the value (NOT NULL): the third batch fails.
    let backfill = backfill(
        dialect,
        "-- drydock:backfill key=id batch=1000\nUPDATE items SET note = CASE WHEN id = 2500 THEN \
         NULL ELSE 'done' END, counter = counter + 1",
    )?;
    let error = match run_backfill(conn.as_mut(), MIGRATION, 0, &backfill, &mut |_| {
        ControlFlow::Continue(())
    }) {
        Err(error) => error,
        Ok(report) => return Err(format!("expected a failure, got {report:?}").into()),
    };
    match &error {
        BackfillError::Batch {
            batch: 3,
            rows_done: 2000,
            last_key: Some(key),
            ..
        } if key == "2000" => {}
        other => return Err(format!("unexpected error: {other:?}").into()),
    }
    assert_eq!(error.code(), "D3062");
    // The failed batch left no transaction open and changed nothing.
    assert!(!conn.abort_open_transaction()?);
    assert_eq!(
        count(
            conn.as_mut(),
            "SELECT count(*) FROM items WHERE counter = 1"
        )?,
        2000
    );
    assert_eq!(
        count(
            conn.as_mut(),
            "SELECT max(id) FROM items WHERE note = 'done'"
        )?,
        2000
    );
    assert_eq!(
        unfinished_backfill(conn.as_mut(), MIGRATION)?.map(|u| u.rows_done),
        Some(2000)
    );
    Ok(())
}

#[test]
fn postgres_backfills_in_batches() -> TestResult {
    backfills_in_batches(&PostgresDialect, &TestDb::postgres())
}

#[test]
fn sqlite_backfills_in_batches() -> TestResult {
    backfills_in_batches(&SqliteDialect, &TestDb::sqlite())
}

#[test]
fn postgres_resumes_after_an_interruption() -> TestResult {
    resumes_after_an_interruption(&PostgresDialect, &TestDb::postgres())
}

#[test]
fn sqlite_resumes_after_an_interruption() -> TestResult {
    resumes_after_an_interruption(&SqliteDialect, &TestDb::sqlite())
}

#[test]
fn postgres_concurrent_inserts_are_caught_up() -> TestResult {
    concurrent_inserts_are_caught_up(&PostgresDialect, &TestDb::postgres())
}

#[test]
fn sqlite_concurrent_inserts_are_caught_up() -> TestResult {
    concurrent_inserts_are_caught_up(&SqliteDialect, &TestDb::sqlite())
}

#[test]
fn postgres_failing_verification_is_reported() -> TestResult {
    failing_verification_is_reported(&PostgresDialect, &TestDb::postgres())
}

#[test]
fn sqlite_failing_verification_is_reported() -> TestResult {
    failing_verification_is_reported(&SqliteDialect, &TestDb::sqlite())
}

#[test]
fn postgres_a_failed_batch_rolls_back_alone() -> TestResult {
    a_failed_batch_rolls_back_alone(&PostgresDialect, &TestDb::postgres())
}

#[test]
fn sqlite_a_failed_batch_rolls_back_alone() -> TestResult {
    a_failed_batch_rolls_back_alone(&SqliteDialect, &TestDb::sqlite())
}

/// uuid keys have no `max()` on PostgreSQL, and travel as text literals.
#[test]
fn postgres_uuid_keys() -> TestResult {
    let db = TestDb::postgres();
    let dialect = PostgresDialect;
    let mut conn = dialect.connect(db.url())?;
    conn.execute_script(
        "CREATE TABLE \"Account\" (\"id\" UUID NOT NULL PRIMARY KEY DEFAULT gen_random_uuid(), \
         \"email\" TEXT NOT NULL, \"emailLower\" TEXT);
         INSERT INTO \"Account\" (\"email\") SELECT 'User' || n || '@Example.COM' FROM \
         generate_series(1, 5000) AS n;",
    )?;
    let backfill = backfill(
        &dialect,
        "-- drydock:backfill key=a.\"id\" batch=700 pause=1ms\nUPDATE ONLY public.\"Account\" \
         AS a SET \"emailLower\" = lower(a.\"email\") WHERE a.\"emailLower\" IS NULL;",
    )?;
    let report = run_backfill(conn.as_mut(), MIGRATION, 0, &backfill, &mut |_| {
        ControlFlow::Continue(())
    })?;
    assert_eq!((report.rows, report.batches), (5000, 8));
    assert_eq!(
        count(
            conn.as_mut(),
            "SELECT count(*) FROM \"Account\" WHERE \"emailLower\" = lower(\"email\")"
        )?,
        5000
    );
    Ok(())
}

/// On MariaDB a backslash in a string literal escapes, and a name in double quotes is a string:
/// keys whose text holds backslashes and quotes are written as literals the server reads back
/// unchanged, and the directive names the key in backticks.
#[test]
fn mariadb_text_keys_with_backslashes_and_quotes() -> TestResult {
    let db = TestDb::mysql();
    let dialect = drydock_mysql::MysqlDialect;
    let mut conn = dialect.connect(db.url())?;
    conn.execute_script(
        "CREATE TABLE `items` (`code` VARCHAR(20) NOT NULL PRIMARY KEY, `n` INTEGER NULL);\n\
         INSERT INTO `items` (`code`) VALUES ('a'), ('a\\\\'), ('a\\\\b'), ('b''c'), ('c\\\\'), ('d');",
    )?;
    let backfill = backfill(
        &dialect,
        "-- drydock:backfill key=`code` batch=1\nUPDATE `items` SET `n` = 1 WHERE `n` IS NULL;",
    )?;
    let report = run_backfill(conn.as_mut(), MIGRATION, 0, &backfill, &mut |_| {
        ControlFlow::Continue(())
    })?;
    assert_eq!((report.rows, report.batches), (6, 6));
    assert_eq!(
        count(conn.as_mut(), "SELECT count(*) FROM `items` WHERE `n` = 1")?,
        6
    );
    assert!(is_bookkeeping_table(BACKFILL_TABLE));
    Ok(())
}
