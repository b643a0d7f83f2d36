//! Round-trip properties on real databases, for generated schemas:
//! `diff(empty -> S1)` applied and introspected equals S1, and `diff(S1 -> S2)` applied to S1
//! gives S2 (PostgreSQL, SQLite and MySQL).

use std::fmt::Write as _;

use drydock_engine::{DiffSource, SourceContext, dialects, diff_sources};
use drydock_test_support::TestDb;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Field {
    ty: &'static str,
    optional: bool,
    unique: bool,
    default: bool,
}

#[derive(Debug, Clone)]
struct Model {
    fields: Vec<Field>,
    /// Index over the first field.
    indexed: bool,
    /// Optional relation to the previous model.
    parent: Option<&'static str>,
}

const TYPES: [&str; 7] = [
    "String", "Int", "BigInt", "Float", "Boolean", "DateTime", "Decimal",
];
const ACTIONS: [&str; 3] = ["Cascade", "SetNull", "Restrict"];

fn field() -> impl Strategy<Value = Field> {
    (0..TYPES.len(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(t, optional, unique, default)| Field {
            ty: TYPES[t],
            optional,
            unique,
            default,
        },
    )
}

fn model() -> impl Strategy<Value = Model> {
    (
        prop::collection::vec(field(), 1..5),
        any::<bool>(),
        prop::option::of(0..ACTIONS.len()),
    )
        .prop_map(|(fields, indexed, parent)| Model {
            fields,
            indexed,
            parent: parent.map(|a| ACTIONS[a]),
        })
}

fn default_for(ty: &str) -> &'static str {
    match ty {
        "String" => "\"x\"",
        "Boolean" => "true",
        "DateTime" => "now()",
        "Float" | "Decimal" => "1.5",
        _ => "7",
    }
}

fn render(provider: &str, models: &[Model]) -> String {
    let mut out = format!("datasource db {{\n  provider = \"{provider}\"\n}}\n\n");
    for (i, m) in models.iter().enumerate() {
        let _ = writeln!(out, "model M{i} {{\n  id Int @id @default(autoincrement())");
        for (j, f) in m.fields.iter().enumerate() {
            let mut attrs = String::new();
            if f.unique {
                attrs.push_str(" @unique");
            }
            if f.default {
                let _ = write!(attrs, " @default({})", default_for(f.ty));
            }
            let _ = writeln!(
                out,
                "  f{j} {}{}{attrs}",
                f.ty,
                if f.optional { "?" } else { "" }
            );
        }
        if let (Some(action), true) = (m.parent, i > 0) {
            let _ = writeln!(
                out,
                "  parentId Int?\n  parent M{}? @relation(fields: [parentId], references: [id], onDelete: {action})",
                i - 1
            );
        }
        if models.get(i + 1).is_some_and(|next| next.parent.is_some()) {
            let _ = writeln!(out, "  children M{}[]", i + 1);
        }
        if m.indexed {
            out.push_str("  @@index([f0])\n");
        }
        out.push_str("}\n\n");
    }
    out
}

fn check(provider: &str, url: &str, from: &[Model], to: &[Model]) -> Result<(), TestCaseError> {
    let dialect = dialects::for_provider(provider).expect("dialect");
    let dir = tempfile::tempdir().expect("temp dir");
    let (s1, s2) = (dir.path().join("s1.prisma"), dir.path().join("s2.prisma"));
    std::fs::write(&s1, render(provider, from)).expect("write");
    std::fs::write(&s2, render(provider, to)).expect("write");
    let context = SourceContext::default();
    let mut connection = dialect.connect(url).expect("connect");
    connection.reset().expect("reset");

    for (source, target) in [
        (DiffSource::Empty, &s1),
        (DiffSource::Schema(s1.clone()), &s2),
    ] {
        let (_, step) = diff_sources(&source, &DiffSource::Schema(target.clone()), &context)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let script = drydock_connector::render_script(dialect, &step.changes, &[]);
        connection
            .execute_script(&script)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{script}")))?;
        let (_, left) = diff_sources(
            &DiffSource::Url(url.to_owned()),
            &DiffSource::Schema(target.clone()),
            &context,
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(
            left.is_empty(),
            "{provider}: the database differs from {}:\n{:#?}\nscript:\n{script}",
            target.display(),
            left.changes
        );
    }
    Ok(())
}

fn schemas() -> impl Strategy<Value = (Vec<Model>, Vec<Model>)> {
    (
        prop::collection::vec(model(), 1..5),
        prop::collection::vec(model(), 1..5),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn postgres_round_trips((from, to) in schemas()) {
        let db = TestDb::postgres();
        check("postgresql", db.url(), &from, &to)?;
    }

    #[test]
    fn sqlite_round_trips((from, to) in schemas()) {
        let db = TestDb::sqlite();
        check("sqlite", db.url(), &from, &to)?;
    }
}

mod mysql {
    use super::*;

    proptest! {
        // Fewer cases: each one creates and drops tables statement by statement.
        #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

        #[test]
        fn round_trips((from, to) in schemas()) {
            let db = TestDb::mysql();
            check("mysql", db.url(), &from, &to)?;
        }
    }
}
