//! Databases drydock did not create: `migrate diff --from-url A --to-url B` between two
//! PostgreSQL schemas written by hand (unique and primary-key constraints, bare unique indexes,
//! serial, identity and generated columns, `INTEGER` and `BIGINT` keys, collations, check
//! constraints (some `NOT VALID`), table and column comments, foreign keys, partitioned tables
//! whose partitions come, go, are attached or detached, are partitioned themselves and have
//! keys, indexes and checks of their own, a table
//! inheriting from another (with a check it inherits, and a key of its own on a column the
//! parent makes nullable), a partitioned table with a check that tables attached to it lack,
//! a partitioned table making nullable a column that partitions key on their own,
//! comments on columns dropped and added again, a schema other than `public`, two schemas read
//! at once with a foreign key across)
//! must give a script that runs on A and leaves it equal to B, in both directions, modulo what
//! the differ documents it leaves alone: hand-written indexes the target does not mention, a
//! generation expression or collation the target does not state, and whether a unique index
//! belongs to a constraint.
//!
//! Random schemas (proptest) and hand-written regression cases in `tests/hand_made/<case>/`
//! (`a.sql`, `b.sql`), whose scripts are insta snapshots. The same property holds on MariaDB
//! for schemas of MySQL's own objects (`mod mysql`).

use std::fmt::Write as _;
use std::path::Path;

use drydock_engine::{DiffSource, SourceContext, dialects, diff_sources_with_hand_made};
use drydock_schema::SqlSchema;
use drydock_test_support::TestDb;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum IdKind {
    Plain,
    /// `SERIAL` (`BIGSERIAL`): a sequence of its own, owned by the column.
    Serial,
    Always,
    ByDefault,
}

#[derive(Debug, Clone, Copy)]
enum Uniqueness {
    None,
    /// `CONSTRAINT "<name>" UNIQUE ("code")`.
    Constraint(&'static str),
    /// `CREATE UNIQUE INDEX "<name>"`.
    Index(&'static str),
}

#[derive(Debug, Clone)]
struct TableSpec {
    id: IdKind,
    /// `id` is a `BIGINT` rather than an `INTEGER`.
    big_id: bool,
    /// Primary key constraint name, when there is one.
    primary_key: Option<&'static str>,
    name_collation: Option<&'static str>,
    name_required: bool,
    amount_default: bool,
    /// `None`: no `double` column; `Some(None)`: a stored one; `Some(Some(e))`: generated.
    double: Option<Option<&'static str>>,
    code: Uniqueness,
    partial_index: bool,
    /// A foreign key to the first table (tables after the first only).
    parent: bool,
    /// A check on `amount`: its expression, and whether it was added `NOT VALID`.
    amount_check: Option<(&'static str, bool)>,
    /// The table's comment, and `name`'s.
    comment: Option<&'static str>,
    name_comment: Option<&'static str>,
    /// A comment on `double`, when there is one (a stored column that becomes generated is
    /// dropped and added again).
    double_comment: bool,
}

/// A table `log` partitioned by range of `at`.
#[derive(Debug, Clone)]
struct LogSpec {
    /// Which of the partitions `log_p0`, `log_p1`, `log_p2` exist.
    partitions: [bool; 3],
    /// `log_p2` covers a wider range.
    wide_p2: bool,
    /// `log_p2` is partitioned by list of `id` itself: `log_p2_a` and, when `true`, a default
    /// `log_p2_rest`.
    sub_p2: Option<bool>,
    /// A check on `log`, which a table attached to it must have first.
    check: bool,
    /// What `log_p0`, `log_p1` and `log_p2` have of their own, when they exist.
    own: [Option<Own>; 3],
}

/// A partition's own object, beside those of its partitioned table.
#[derive(Debug, Clone, Copy)]
enum Own {
    /// `PRIMARY KEY ("id")`.
    Key,
    /// An index on `id`, unique or not.
    Index(bool),
    /// `CHECK ("id" >= 0)`.
    Check,
}

/// A table `base` and, when `child`, a table `child` that inherits from it.
#[derive(Debug, Clone)]
struct FamilySpec {
    /// A check on `base`, which `child` inherits.
    check: bool,
    flag: bool,
    big_score: bool,
    child: bool,
    child_extra: bool,
    /// `child` inherits from `base`; otherwise it is a table of its own with the same columns.
    child_inherits: bool,
    /// `base.id` is nullable (`child`'s primary key keeps it `NOT NULL` there).
    nullable_id: bool,
}

#[derive(Debug, Clone)]
struct SchemaSpec {
    family: Option<FamilySpec>,
    tables: Vec<Option<TableSpec>>,
    log: Option<LogSpec>,
    /// A table `log_p1` of its own, when it is no partition.
    standalone_p1: bool,
}

/// A table's comment, or none.
fn table_comment() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        Just(None),
        Just(Some("Rows we keep")),
        Just(Some("It's ours"))
    ]
}

/// A column's comment, or none.
fn name_comment() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        Just(None),
        Just(Some("Shown to people")),
        Just(Some("A name"))
    ]
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        (
            prop_oneof![
                Just(IdKind::Plain),
                Just(IdKind::Serial),
                Just(IdKind::Always),
                Just(IdKind::ByDefault)
            ],
            any::<bool>(),
            prop_oneof![Just(None), Just(Some("pkey")), Just(Some("id_pk"))],
            prop_oneof![Just(None), Just(Some("C")), Just(Some("POSIX"))],
            any::<bool>(),
            any::<bool>(),
        ),
        (
            prop_oneof![
                Just(None),
                Just(Some(None)),
                Just(Some(Some("amount * 2"))),
                Just(Some(Some("amount + 1"))),
            ],
            prop_oneof![
                Just(Uniqueness::None),
                Just(Uniqueness::Constraint("code_key")),
                Just(Uniqueness::Constraint("code_uq")),
                Just(Uniqueness::Index("code_key")),
                Just(Uniqueness::Index("code_uq")),
            ],
            any::<bool>(),
            any::<bool>(),
        ),
        (
            prop_oneof![
                Just(None),
                Just(Some(("\"amount\" >= 0", false))),
                Just(Some(("\"amount\" > -10", false))),
                Just(Some(("\"amount\" >= 0", true))),
            ],
            table_comment(),
            name_comment(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (id, big_id, primary_key, name_collation, name_required, amount_default),
                (double, code, partial_index, parent),
                (amount_check, comment, name_comment, double_comment),
            )| TableSpec {
                id,
                big_id,
                primary_key,
                name_collation,
                name_required,
                amount_default,
                double,
                code,
                partial_index,
                parent,
                amount_check,
                comment,
                name_comment,
                double_comment,
            },
        )
}

fn schema_spec() -> impl Strategy<Value = SchemaSpec> {
    let own = prop::option::of(prop_oneof![
        Just(Own::Key),
        Just(Own::Index(false)),
        Just(Own::Index(true)),
        Just(Own::Check),
    ]);
    let log = (
        any::<[bool; 3]>(),
        any::<bool>(),
        prop::option::of(any::<bool>()),
        any::<bool>(),
        [own.clone(), own.clone(), own],
    )
        .prop_map(|(partitions, wide_p2, sub_p2, check, own)| LogSpec {
            partitions,
            wide_p2,
            sub_p2,
            check,
            own,
        });
    let family = any::<[bool; 7]>().prop_map(
        |[
            check,
            flag,
            big_score,
            child,
            child_extra,
            child_inherits,
            nullable_id,
        ]| FamilySpec {
            check,
            flag,
            big_score,
            child,
            child_extra,
            child_inherits,
            nullable_id,
        },
    );
    (
        prop::collection::vec(prop::option::weighted(0.8, table_spec()), 3),
        prop::option::weighted(0.7, log),
        any::<bool>(),
        prop::option::weighted(0.7, family),
    )
        .prop_map(|(tables, log, standalone_p1, family)| SchemaSpec {
            family,
            tables,
            log,
            standalone_p1,
        })
}

impl SchemaSpec {
    /// The schema as SQL a person would write, in `namespace`; with `second`, the last table
    /// and `log` go into that namespace (referring to `t0` across).
    fn sql(&self, namespace: &str, second: Option<&str>) -> String {
        let mut out = format!(
            "CREATE SCHEMA IF NOT EXISTS \"{namespace}\";\nSET search_path TO \"{namespace}\";\n"
        );
        if let Some(second) = second {
            let _ = writeln!(out, "CREATE SCHEMA \"{second}\";");
        }
        let first_has_key = self
            .tables
            .first()
            .and_then(Option::as_ref)
            .is_some_and(|t| t.primary_key.is_some());
        for (i, table) in self.tables.iter().enumerate() {
            if let (Some(second), 2) = (second, i) {
                // New tables go into the first namespace of the path; `t0` is found in the next.
                let _ = writeln!(out, "SET search_path TO \"{second}\", \"{namespace}\";");
            }
            let Some(table) = table else { continue };
            let name = format!("t{i}");
            let integer = if table.big_id { "BIGINT" } else { "INTEGER" };
            let id = match (table.id, table.big_id) {
                (IdKind::Plain, _) => format!("{integer} NOT NULL"),
                (IdKind::Serial, false) => "SERIAL".to_owned(),
                (IdKind::Serial, true) => "BIGSERIAL".to_owned(),
                (IdKind::Always, _) => format!("{integer} NOT NULL GENERATED ALWAYS AS IDENTITY"),
                (IdKind::ByDefault, _) => {
                    format!("{integer} NOT NULL GENERATED BY DEFAULT AS IDENTITY")
                }
            };
            let _ = write!(out, "CREATE TABLE \"{name}\" (\n  \"id\" {id},\n");
            let collate = table
                .name_collation
                .map(|c| format!(" COLLATE \"{c}\""))
                .unwrap_or_default();
            let not_null = if table.name_required { " NOT NULL" } else { "" };
            let _ = writeln!(out, "  \"name\" TEXT{collate}{not_null},");
            let default = if table.amount_default {
                " DEFAULT 0"
            } else {
                ""
            };
            let _ = writeln!(out, "  \"amount\" INTEGER{default},");
            match table.double {
                None => {}
                Some(None) => out.push_str("  \"double\" INTEGER,\n"),
                Some(Some(expression)) => {
                    let _ = writeln!(
                        out,
                        "  \"double\" INTEGER GENERATED ALWAYS AS ({expression}) STORED,"
                    );
                }
            }
            out.push_str("  \"code\" TEXT,\n  \"parent_id\" INTEGER");
            if let Some(key) = table.primary_key {
                let _ = write!(out, ",\n  CONSTRAINT \"{name}_{key}\" PRIMARY KEY (\"id\")");
            }
            if let Uniqueness::Constraint(key) = table.code {
                let _ = write!(out, ",\n  CONSTRAINT \"{name}_{key}\" UNIQUE (\"code\")");
            }
            if table.parent && i > 0 && first_has_key {
                let _ = write!(
                    out,
                    ",\n  CONSTRAINT \"{name}_parent_fkey\" FOREIGN KEY (\"parent_id\") REFERENCES \"t0\"(\"id\") ON DELETE SET NULL"
                );
            }
            out.push_str("\n);\n");
            if let Uniqueness::Index(key) = table.code {
                let _ = writeln!(
                    out,
                    "CREATE UNIQUE INDEX \"{name}_{key}\" ON \"{name}\"(\"code\");"
                );
            }
            if table.partial_index {
                let _ = writeln!(
                    out,
                    "CREATE UNIQUE INDEX \"{name}_name_positive\" ON \"{name}\"(\"name\") WHERE \"amount\" > 0;"
                );
            }
            if let Some((expression, not_valid)) = table.amount_check {
                let not_valid = if not_valid { " NOT VALID" } else { "" };
                let _ = writeln!(
                    out,
                    "ALTER TABLE \"{name}\" ADD CONSTRAINT \"{name}_amount_check\" CHECK ({expression}){not_valid};"
                );
            }
            if let Some(comment) = table.comment {
                let comment = comment.replace('\'', "''");
                let _ = writeln!(out, "COMMENT ON TABLE \"{name}\" IS '{comment}';");
            }
            if let Some(comment) = table.name_comment {
                let _ = writeln!(out, "COMMENT ON COLUMN \"{name}\".\"name\" IS '{comment}';");
            }
            if table.double_comment && table.double.is_some() {
                let _ = writeln!(out, "COMMENT ON COLUMN \"{name}\".\"double\" IS 'Twice';");
            }
        }
        let mut p1_is_partition = false;
        if let Some(log) = &self.log {
            let check = if log.check {
                ", CONSTRAINT \"log_at_check\" CHECK (\"at\" >= 0)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "CREATE TABLE \"log\" (\"id\" INTEGER NOT NULL, \"at\" INTEGER NOT NULL{check}) PARTITION BY RANGE (\"at\");"
            );
            let top = if log.wide_p2 { 400 } else { 300 };
            let bounds = [(0, 100), (100, 200), (200, top)];
            for (i, (low, high)) in bounds.iter().enumerate() {
                if !log.partitions[i] {
                    continue;
                }
                let sub = log.sub_p2.filter(|_| i == 2);
                let partition_by = if sub.is_some() {
                    " PARTITION BY LIST (\"id\")"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "CREATE TABLE \"log_p{i}\" PARTITION OF \"log\" FOR VALUES FROM ({low}) TO ({high}){partition_by};"
                );
                let name = format!("log_p{i}");
                match log.own[i] {
                    None => {}
                    Some(Own::Key) => {
                        let _ = writeln!(
                            out,
                            "ALTER TABLE \"{name}\" ADD CONSTRAINT \"{name}_pkey\" PRIMARY KEY (\"id\");"
                        );
                    }
                    Some(Own::Index(unique)) => {
                        let unique = if unique { "UNIQUE " } else { "" };
                        let _ = writeln!(
                            out,
                            "CREATE {unique}INDEX \"{name}_id_idx\" ON \"{name}\"(\"id\");"
                        );
                    }
                    Some(Own::Check) => {
                        let _ = writeln!(
                            out,
                            "ALTER TABLE \"{name}\" ADD CONSTRAINT \"{name}_id_check\" CHECK (\"id\" >= 0);"
                        );
                    }
                }
                if let Some(rest) = sub {
                    out.push_str(
                        "CREATE TABLE \"log_p2_a\" PARTITION OF \"log_p2\" FOR VALUES IN (1);\n",
                    );
                    if rest {
                        out.push_str(
                            "CREATE TABLE \"log_p2_rest\" PARTITION OF \"log_p2\" DEFAULT;\n",
                        );
                    }
                }
            }
            p1_is_partition = log.partitions[1];
        }
        if let Some(family) = &self.family {
            let flag = if family.flag {
                ", \"flag\" BOOLEAN"
            } else {
                ""
            };
            let score = if family.big_score {
                "BIGINT"
            } else {
                "INTEGER"
            };
            let check = if family.check {
                ", CONSTRAINT \"base_score_check\" CHECK (\"score\" >= 0)"
            } else {
                ""
            };
            let id = if family.nullable_id {
                "INTEGER"
            } else {
                "INTEGER NOT NULL"
            };
            let _ = writeln!(
                out,
                "CREATE TABLE \"base\" (\"id\" {id}, \"note\" TEXT, \"score\" {score}{flag}{check});"
            );
            if family.child {
                let extra = if family.child_extra {
                    ", \"extra2\" INTEGER"
                } else {
                    ""
                };
                if family.child_inherits {
                    let _ = writeln!(
                        out,
                        "CREATE TABLE \"child\" (\"extra\" TEXT{extra}, CONSTRAINT \"child_pkey\" PRIMARY KEY (\"id\")) INHERITS (\"base\");"
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "CREATE TABLE \"child\" (\"id\" INTEGER NOT NULL, \"note\" TEXT, \"score\" {score}{flag}, \"extra\" TEXT{extra}, CONSTRAINT \"child_pkey\" PRIMARY KEY (\"id\"));"
                    );
                }
            }
        }
        if self.standalone_p1 && !p1_is_partition {
            out.push_str(
                "CREATE TABLE \"log_p1\" (\"id\" INTEGER NOT NULL, \"at\" INTEGER NOT NULL);\n",
            );
        }
        out
    }
}

/// A fresh database holding `sql`, and its URL with `namespace` as the default schema.
fn database(sql: &str, namespace: &str) -> (TestDb, String) {
    let db = TestDb::postgres();
    let mut client = db.postgres_client();
    client
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let url = format!("{}?schema={namespace}", db.url());
    (db, url)
}

fn introspect(provider: &str, url: &str, namespaces: &[String]) -> SqlSchema {
    let dialect = dialects::for_provider(provider).expect("dialect");
    dialect
        .connect(url)
        .expect("connect")
        .introspect(namespaces)
        .expect("introspect")
}

/// The script of `migrate diff --from-url from --to-url to --script`, in `namespaces`.
fn diff_script(from: &str, to: &str, namespaces: &[String]) -> String {
    let context = SourceContext {
        namespaces: namespaces.to_vec(),
        ..SourceContext::default()
    };
    diff_sources_with_hand_made(
        &DiffSource::Url(from.to_owned()),
        &DiffSource::Url(to.to_owned()),
        &context,
    )
    .expect("diff")
    .script(true)
}

/// Nullability (of inherited columns too), identity, generation, collation and index facts the
/// differ does not compare by itself, and
/// the objects made by hand (functions, triggers).
fn facts(schema: &SqlSchema) -> Vec<String> {
    let mut facts = Vec::new();
    for table in &schema.tables {
        for column in &table.columns {
            facts.push(format!(
                "{}.{}: {:?} {:?} {:?} {:?} {:?}",
                table.name,
                column.name,
                column.arity,
                column.identity,
                column.generated,
                column.collation,
                column.default
            ));
        }
        for index in &table.indexes {
            facts.push(format!(
                "{} index {}: {:?} {:?} {:?}",
                table.name, index.name, index.kind, index.columns, index.predicate
            ));
        }
        facts.push(format!("{} key: {:?}", table.name, table.primary_key));
        facts.push(format!(
            "{} checks: {:?} comment: {:?}",
            table.name, table.checks, table.comment
        ));
        for column in table.columns.iter().filter(|c| c.comment.is_some()) {
            facts.push(format!(
                "{}.{} comment: {:?}",
                table.name, column.name, column.comment
            ));
        }
        facts.push(format!(
            "{} partitions: {:?} {:?}",
            table.name, table.partition_by, table.partitions
        ));
        let mut inherited = table.inherited_columns.clone();
        inherited.sort();
        facts.push(format!(
            "{} inherits: {:?} {inherited:?}",
            table.name, table.inherits
        ));
    }
    for object in &schema.opaque {
        facts.push(format!(
            "{:?} {:?}.{} on {:?}: {}",
            object.kind, object.namespace, object.name, object.table, object.definition
        ));
    }
    facts.sort();
    facts
}

/// Sequences owned by a column (serial or identity) that stop before the column's type does: a
/// column widened to `BIGINT` over an `INTEGER` sequence.
fn short_sequences(db: &TestDb) -> Vec<String> {
    let sql = "SELECT s.relname::text || ' ' || format_type(seq.seqtypid, NULL) || ' for ' || format_type(a.atttypid, NULL)
        FROM pg_depend d
        JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_sequence seq ON seq.seqrelid = s.oid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
          AND seq.seqmax < CASE a.atttypid WHEN 'int2'::regtype THEN 32767
                                            WHEN 'int4'::regtype THEN 2147483647
                                            ELSE 9223372036854775807 END
        ORDER BY 1";
    db.postgres_client()
        .query(sql, &[])
        .expect("sequences")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Diff `from` to `to`, apply the script to `from` (the database `from_db`), and compare:
/// models, the facts above, and no sequence shorter than its column. Returns the script.
fn check_direction(
    from_db: &TestDb,
    from: &str,
    to: &str,
    namespaces: &[String],
) -> Result<String, String> {
    check_applied("postgresql", from, to, namespaces, facts, || {
        let short = short_sequences(from_db);
        if short.is_empty() {
            Ok(())
        } else {
            Err(format!("sequences stop before their columns do: {short:?}"))
        }
    })
}

/// Diff `from` to `to` on `provider`, apply the script to `from`, and compare with what the
/// differ promises (the target, plus what it leaves alone of `from`): models, `facts`, and
/// `more`. Returns the script.
fn check_applied(
    provider: &str,
    from: &str,
    to: &str,
    namespaces: &[String],
    facts: fn(&SqlSchema) -> Vec<String>,
    more: impl Fn() -> Result<(), String>,
) -> Result<String, String> {
    let before = introspect(provider, from, namespaces);
    let target = introspect(provider, to, namespaces);
    let script = diff_script(from, to, namespaces);
    let dialect = dialects::for_provider(provider).expect("dialect");
    dialect
        .connect(from)
        .expect("connect")
        .execute_script(&script)
        .map_err(|e| format!("the script fails: {}\n{script}", e.message))?;
    let after = introspect(provider, from, namespaces);
    // What the differ leaves alone comes from `before`.
    let expected = drydock_diff::applied_schema(&before, &target);
    let left = drydock_diff::diff(&after, &expected, dialect.diff_hooks());
    if !left.is_empty() {
        return Err(format!(
            "the script leaves differences: {:#?}\n{script}",
            left.changes
        ));
    }
    more().map_err(|message| format!("{message}\n{script}"))?;
    let (after_facts, expected_facts) = (facts(&after), facts(&expected));
    if after_facts != expected_facts {
        return Err(format!(
            "facts differ:\nafter:    {after_facts:#?}\nexpected: {expected_facts:#?}\n{script}"
        ));
    }
    Ok(script)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn hand_written_schemas_diff_both_ways(a in schema_spec(), b in schema_spec(), layout in 0..3u8) {
        // The URL's own schema `public` or `inventory`, or both schemas read at once.
        let (namespace, second, namespaces) = match layout {
            0 => ("public", None, Vec::new()),
            1 => ("inventory", None, Vec::new()),
            _ => ("public", Some("inventory"), vec!["public".to_owned(), "inventory".to_owned()]),
        };
        let (sql_a, sql_b) = (a.sql(namespace, second), b.sql(namespace, second));
        let (db_a, url_a) = database(&sql_a, namespace);
        let (db_b, url_b) = database(&sql_b, namespace);
        if let Err(message) = check_direction(&db_a, &url_a, &url_b, &namespaces) {
            prop_assert!(false, "A to B: {message}\nA:\n{sql_a}\nB:\n{sql_b}");
        }
        let (_db_a, url_a) = database(&sql_a, namespace);
        if let Err(message) = check_direction(&db_b, &url_b, &url_a, &namespaces) {
            prop_assert!(false, "B to A: {message}\nA:\n{sql_a}\nB:\n{sql_b}");
        }
    }
}

#[test]
fn hand_written_regression_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hand_made");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("cases")
        .map(|entry| entry.expect("entry").path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let read = |file: &str| std::fs::read_to_string(case.join(file)).expect("case file");
        let (sql_a, sql_b) = (read("a.sql"), read("b.sql"));
        let (db_a, url_a) = database(&sql_a, "public");
        let (db_b, url_b) = database(&sql_b, "public");
        let forward =
            check_direction(&db_a, &url_a, &url_b, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        insta::assert_snapshot!(format!("{name}_a_to_b"), forward);
        let (_db_a, url_a) = database(&sql_a, "public");
        let backward =
            check_direction(&db_b, &url_b, &url_a, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        insta::assert_snapshot!(format!("{name}_b_to_a"), backward);
    }
}

/// The same property on MariaDB, with MySQL's own objects: `AUTO_INCREMENT`, `INT` and
/// `BIGINT` keys, collated columns, defaults, generated columns (`VIRTUAL` or `STORED`),
/// unique and plain indexes, a foreign key, check constraints, table and column comments, and
/// `ON UPDATE CURRENT_TIMESTAMP` columns.
mod mysql {
    use super::*;
    use ::mysql::prelude::Queryable;

    #[derive(Debug, Clone)]
    struct TableSpec {
        auto_increment: bool,
        /// `id` is a `BIGINT` (and so is a foreign key's column referencing it).
        big_id: bool,
        name_collation: Option<&'static str>,
        name_required: bool,
        amount_default: bool,
        /// `None`: no `double` column; `Some(None)`: a stored one; `Some(Some((e, virtual)))`:
        /// generated.
        double: Option<Option<(&'static str, bool)>>,
        /// A unique index on `code`, by its name.
        code_unique: Option<&'static str>,
        name_index: bool,
        /// A foreign key to the first table (tables after the first only).
        parent: bool,
        amount_check: Option<&'static str>,
        comment: Option<&'static str>,
        name_comment: Option<&'static str>,
        /// A `touched` column: `Some(true)` set on update, `Some(false)` a plain one.
        touched: Option<bool>,
        touched_comment: bool,
    }

    fn table_spec() -> impl Strategy<Value = TableSpec> {
        (
            (
                any::<bool>(),
                any::<bool>(),
                prop_oneof![
                    Just(None),
                    Just(Some("utf8mb4_bin")),
                    Just(Some("utf8mb4_general_ci"))
                ],
                any::<bool>(),
                any::<bool>(),
            ),
            (
                prop_oneof![
                    Just(None),
                    Just(Some(None)),
                    Just(Some(Some(("`amount` * 2", true)))),
                    Just(Some(Some(("`amount` + 1", false)))),
                ],
                prop_oneof![Just(None), Just(Some("code_key")), Just(Some("code_uq"))],
                any::<bool>(),
                any::<bool>(),
            ),
            (
                prop_oneof![
                    Just(None),
                    Just(Some("`amount` >= 0")),
                    Just(Some("`amount` > -10"))
                ],
                table_comment(),
                name_comment(),
                prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
                any::<bool>(),
            ),
        )
            .prop_map(
                |(
                    (auto_increment, big_id, name_collation, name_required, amount_default),
                    (double, code_unique, name_index, parent),
                    (amount_check, comment, name_comment, touched, touched_comment),
                )| TableSpec {
                    auto_increment,
                    big_id,
                    name_collation,
                    name_required,
                    amount_default,
                    double,
                    code_unique,
                    name_index,
                    parent,
                    amount_check,
                    comment,
                    name_comment,
                    touched,
                    touched_comment,
                },
            )
    }

    fn string_literal(text: &str) -> String {
        format!("'{}'", text.replace('\'', "''"))
    }

    impl TableSpec {
        /// `parent_big`: the first table's `id`, which `parent_id` references, is a `BIGINT`.
        fn sql(&self, index: usize, parent_big: bool) -> String {
            let name = format!("t{index}");
            let big = self.big_id;
            let mut columns = vec![format!(
                "`id` {} NOT NULL{}",
                if big { "BIGINT" } else { "INT" },
                if self.auto_increment {
                    " AUTO_INCREMENT"
                } else {
                    ""
                }
            )];
            let collation = self
                .name_collation
                .map(|c| format!(" COLLATE {c}"))
                .unwrap_or_default();
            let comment = self
                .name_comment
                .map(|c| format!(" COMMENT {}", string_literal(c)))
                .unwrap_or_default();
            columns.push(format!(
                "`name` VARCHAR(100){collation} {}{comment}",
                if self.name_required {
                    "NOT NULL"
                } else {
                    "NULL"
                }
            ));
            columns.push(format!(
                "`amount` INT NOT NULL{}",
                if self.amount_default {
                    " DEFAULT 0"
                } else {
                    ""
                }
            ));
            match self.double {
                None => {}
                Some(None) => columns.push("`double` INT NULL".to_owned()),
                Some(Some((expression, is_virtual))) => columns.push(format!(
                    "`double` INT AS ({expression}) {}",
                    if is_virtual { "VIRTUAL" } else { "STORED" }
                )),
            }
            columns.push("`code` VARCHAR(20) NULL".to_owned());
            if self.parent && index > 0 {
                columns.push(format!(
                    "`parent_id` {} NULL",
                    if parent_big { "BIGINT" } else { "INT" }
                ));
            }
            if let Some(on_update) = self.touched {
                let comment = if self.touched_comment {
                    " COMMENT 'last change'"
                } else {
                    ""
                };
                columns.push(if on_update {
                    format!(
                        "`touched` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) \
                         ON UPDATE CURRENT_TIMESTAMP(3){comment}"
                    )
                } else {
                    format!("`touched` DATETIME(3) NULL{comment}")
                });
            }
            columns.push("PRIMARY KEY (`id`)".to_owned());
            if let Some(unique) = self.code_unique {
                columns.push(format!("UNIQUE INDEX `{name}_{unique}` (`code`)"));
            }
            if self.name_index {
                columns.push(format!("INDEX `{name}_name_idx` (`name`)"));
            }
            if let Some(check) = self.amount_check {
                columns.push(format!("CONSTRAINT `{name}_amount_check` CHECK ({check})"));
            }
            let table_comment = self
                .comment
                .map(|c| format!(" COMMENT = {}", string_literal(c)))
                .unwrap_or_default();
            let mut sql = format!(
                "CREATE TABLE `{name}` (\n  {}\n) DEFAULT CHARACTER SET utf8mb4 \
                 COLLATE utf8mb4_unicode_ci{table_comment};\n",
                columns.join(",\n  ")
            );
            if self.parent && index > 0 {
                sql.push_str(&format!(
                    "ALTER TABLE `{name}` ADD CONSTRAINT `{name}_parent_id_fkey` FOREIGN KEY \
                     (`parent_id`) REFERENCES `t0`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;\n"
                ));
            }
            sql
        }
    }

    /// Up to three tables `t0`, `t1`, `t2`, each present or not.
    fn schema_spec() -> impl Strategy<Value = Vec<Option<TableSpec>>> {
        prop::collection::vec(prop::option::of(table_spec()), 3)
    }

    fn schema_sql(tables: &[Option<TableSpec>]) -> String {
        // A foreign key needs `t0`, and its column `t0.id`'s type.
        let has_parent = tables[0].is_some();
        let parent_big = tables[0].as_ref().is_some_and(|t0| t0.big_id);
        tables
            .iter()
            .enumerate()
            .filter_map(|(index, table)| {
                let mut table = table.clone()?;
                table.parent &= has_parent;
                Some(table.sql(index, parent_big))
            })
            .collect()
    }

    fn database(sql: &str) -> TestDb {
        let db = TestDb::mysql();
        if !sql.is_empty() {
            db.mysql_conn()
                .query_drop(sql)
                .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        }
        db
    }

    /// Column facts the differ does not compare by itself (generation, collation, comments,
    /// `ON UPDATE`), indexes, keys, checks and the table's comment.
    fn facts(schema: &SqlSchema) -> Vec<String> {
        let mut facts = Vec::new();
        for table in &schema.tables {
            for column in &table.columns {
                facts.push(format!(
                    "{}.{}: {:?} {:?} {:?} virtual {} {:?} {:?} {:?} {:?}",
                    table.name,
                    column.name,
                    column.arity,
                    column.column_type.native,
                    column.generated,
                    column.generated_virtual,
                    column.collation,
                    column.default,
                    column.comment,
                    column.on_update
                ));
            }
            for index in &table.indexes {
                facts.push(format!(
                    "{} index {}: {:?} {:?}",
                    table.name, index.name, index.kind, index.columns
                ));
            }
            facts.push(format!(
                "{} key: {:?} checks: {:?} comment: {:?}",
                table.name, table.primary_key, table.checks, table.comment
            ));
        }
        facts.sort();
        facts
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn hand_written_schemas_diff_both_ways(a in schema_spec(), b in schema_spec()) {
            let (sql_a, sql_b) = (schema_sql(&a), schema_sql(&b));
            let (db_a, db_b) = (database(&sql_a), database(&sql_b));
            if let Err(message) = check_applied("mysql", db_a.url(), db_b.url(), &[], facts, || Ok(())) {
                prop_assert!(false, "A to B: {message}\nA:\n{sql_a}\nB:\n{sql_b}");
            }
            let db_a = database(&sql_a);
            if let Err(message) = check_applied("mysql", db_b.url(), db_a.url(), &[], facts, || Ok(())) {
                prop_assert!(false, "B to A: {message}\nA:\n{sql_a}\nB:\n{sql_b}");
            }
        }
    }
}
