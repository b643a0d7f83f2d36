//! Parse, validate and lower a generated 500-model schema (the 50 ms budget), and format it;
//! validate and render schemas with 100,000 bad lines of several kinds (time linear in the
//! number of errors).

use criterion::{Criterion, criterion_group, criterion_main};
use drydock_psl::{Files, format, lower, parse_and_validate};

#[path = "../tests/support/rules.rs"]
mod rules;

#[path = "../tests/support/generate.rs"]
mod generate;

fn large_schema(c: &mut Criterion) {
    let text = generate::schema_with_models(500);
    let files = Files::single("schema.prisma", text.as_str());
    c.bench_function("parse_validate_lower_500_models", |b| {
        b.iter(|| {
            let (datamodel, _) = parse_and_validate(&files);
            lower(&datamodel, &rules::PgLike)
        });
    });
    c.bench_function("format_500_models", |b| b.iter(|| format(&text)));
}

/// 100,000 lines of one kind of mistake.
fn bad_lines(kind: &str) -> String {
    let mut text = String::from("model A {\n  id Int @id\n");
    for i in 0..100_000 {
        let line = match kind {
            "unknown types" => format!("  field{i} NoSuchType\n"),
            "invalid lines" => format!("  field{i} Int @@\n"),
            "one name repeated" => "  same Int\n".to_owned(),
            _ => format!("  field{i} Int @nope({i})\n"),
        };
        text.push_str(&line);
    }
    text.push_str("}\n");
    text
}

fn many_errors(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate_and_render_100000_bad_lines");
    group.sample_size(10);
    for kind in [
        "unknown types",
        "invalid lines",
        "one name repeated",
        "unknown attributes",
    ] {
        let text = bad_lines(kind);
        let files = Files::single("schema.prisma", text.as_str());
        group.bench_function(kind, |b| {
            b.iter(|| {
                let (_, diagnostics) = parse_and_validate(&files);
                diagnostics.render(&files)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, large_schema, many_errors);
criterion_main!(benches);
