//! Parse, validate and lower a generated 500-model schema (the 50 ms budget), and format it.

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

criterion_group!(benches, large_schema);
criterion_main!(benches);
