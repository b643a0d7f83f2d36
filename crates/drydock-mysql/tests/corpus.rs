//! The rendered SQL of every schema of the corpus (`tests/corpus/`), as snapshots; where the
//! corpus holds the SQL Prisma's engine writes (`prisma.sql`), byte for byte the same.

mod support;

#[test]
fn corpus_snapshots() {
    for case in support::cases() {
        let script = case.migration();
        insta::assert_snapshot!(case.name.as_str(), script);
    }
}

#[test]
fn corpus_matches_prisma() {
    let mut compared = 0;
    for case in support::cases() {
        if let Some(expected) = case.prisma_sql() {
            assert_eq!(case.migration(), expected, "{}", case.name);
            compared += 1;
        }
    }
    assert!(
        compared >= 5,
        "the corpus holds Prisma's SQL for its parity cases"
    );
}

/// Every migration of the corpus runs on the real server: the schema it starts from is created
/// first, then the migration is applied, in a database of its own.
#[test]
fn corpus_runs_on_mariadb() {
    for case in support::cases() {
        let db = support::mariadb::TestDb::new();
        if let Some(setup) = case.setup() {
            db.execute(&setup)
                .unwrap_or_else(|e| panic!("{}: creating before.prisma: {e}\n{setup}", case.name));
        }
        let migration = case.migration();
        db.execute(&migration)
            .unwrap_or_else(|e| panic!("{}: {e}\n{migration}", case.name));
    }
}
