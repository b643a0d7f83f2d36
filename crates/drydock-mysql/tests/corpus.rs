//! The rendered SQL of every schema of the corpus (`tests/corpus/`), as snapshots; where the
//! corpus holds the SQL Prisma's engine writes (`prisma.sql`), byte for byte the same.

mod support;

use drydock_schema::{Index, IndexColumn, IndexKind};

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
        if let Some(setup) = case.creation("before.prisma") {
            db.execute(&setup)
                .unwrap_or_else(|e| panic!("{}: creating before.prisma: {e}\n{setup}", case.name));
        }
        let migration = case.migration();
        db.execute(&migration)
            .unwrap_or_else(|e| panic!("{}: {e}\n{migration}", case.name));
    }
}

/// MariaDB indexes a foreign key no index covers with an index named after the constraint.
/// A schema read back from the database then has an index the Prisma schema lacks: the diff
/// from it to the schema is empty, as Prisma's is, rather than dropping an index the foreign
/// key needs.
#[test]
fn the_index_mariadb_makes_for_a_foreign_key_is_left_alone() {
    let case = support::case("ticket_foreign_key");
    let db = support::mariadb::TestDb::new();
    db.execute(
        &case
            .creation("schema.prisma")
            .expect("the case has a schema"),
    )
    .expect("the migration runs");
    let indexes = db
        .execute(&format!(
            "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'Ticket' ORDER BY INDEX_NAME",
            db.name
        ))
        .expect("statistics are readable");
    assert_eq!(indexes, "PRIMARY\tid\nTicket_userId_fkey\tuserId\n");

    let schema = case.schema("schema.prisma").expect("the case has a schema");
    let mut read_back = schema.clone();
    let ticket = read_back
        .tables
        .iter_mut()
        .find(|t| t.name == "Ticket")
        .expect("Ticket is lowered");
    ticket.indexes.push(Index {
        name: "Ticket_userId_fkey".to_owned(),
        kind: IndexKind::Normal,
        columns: vec![IndexColumn::named("userId")],
        algorithm: None,
        predicate: None,
        include: Vec::new(),
        constraint_backed: false,
    });
    let diff = drydock_diff::diff(&read_back, &schema, &drydock_mysql::MySqlDiffHooks);
    assert!(diff.is_empty(), "{:?}", diff.changes);
}
