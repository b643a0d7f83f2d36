//! Differential test against Prisma's own schema validation.
//!
//! Seed schemas (`tests/differential/seeds/` and every fixture under `tests/data/`) and
//! thousands of grammar-aware mutants of them (fixed seed, so every run sees the same schemas)
//! go to Prisma's engines and to drydock; MySQL has seeds (`tests/differential/seeds/mysql/`,
//! `tests/data/mysql/`) and a generator of its own, so that the other mutants stay the same. A schema whose datasource sets a URL goes to Prisma
//! 6.19.3 (Prisma 7 rejects `url` in schema files), any other schema to Prisma 7.10.1.
//! drydock's verdict is what a command sees: `parse_and_validate`, then lowering with the
//! provider's dialect.
//!
//! The test compares verdicts (valid or invalid) and error texts, prints the agreement
//! figures per schema kind, and fails on every difference that
//! `tests/differential/allowlist.txt` does not explain. When Prisma 6/7 reject a schema that
//! Prisma 5.22 accepts, drydock accepts it with a warning that carries the newer rule's text:
//! that counts as agreement, and so do the errors Prisma 5.22 reports for such a schema (given
//! the `url` and the `fullTextIndex` preview feature Prisma 5.22 wants).

#[path = "differential/mutate.rs"]
mod mutate;
#[path = "differential/oracle.rs"]
mod oracle;

use drydock_connector::Dialect;
use drydock_psl::{Files, Provider, lower, parse_and_validate};
use mutate::{Rng, Schema, mutate, mutate_mysql, mutate_mysql_values, mutate_values};
use oracle::Oracle;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Mutants per run (on top of the seeds themselves).
const MUTANTS: usize = 2_400;
const SEED: u64 = 0x5eed_2026;
/// Mutants with native type arguments and string escapes, from a generator of their own so that
/// the others stay the same.
const VALUE_MUTANTS: usize = 400;
const VALUE_SEED: u64 = 0x7a1e_2026;
/// MySQL mutants, from seeds and a generator of their own (`tests/differential/seeds/mysql/`,
/// `tests/data/mysql/`).
const MYSQL_MUTANTS: usize = 2_400;
const MYSQL_SEED: u64 = 0x3306_2026;
const MYSQL_VALUE_MUTANTS: usize = 800;
const MYSQL_VALUE_SEED: u64 = 0x3306_7a1e;

/// drydock's verdict on a schema.
struct Drydock {
    errors: Vec<String>,
    warnings: Vec<String>,
}

fn drydock(text: &str) -> Drydock {
    let files = Files::single("schema.prisma", text);
    let (datamodel, diagnostics) = parse_and_validate(&files);
    let mut errors: Vec<String> = diagnostics.errors().map(|d| d.message.clone()).collect();
    let warnings = diagnostics.warnings().map(|d| d.message.clone()).collect();
    if errors.is_empty() {
        let rules = match datamodel.provider() {
            Some(Provider::PostgreSql) => Some(drydock_postgres::PostgresDialect.lowering_rules()),
            Some(Provider::Sqlite) => Some(drydock_sqlite::SqliteDialect.lowering_rules()),
            Some(Provider::MySql) => Some(drydock_mysql::MysqlDialect.lowering_rules()),
            _ => None,
        };
        if let Some(rules) = rules {
            let (_, lowering) = lower(&datamodel, rules);
            errors.extend(lowering.errors().map(|d| d.message.clone()));
        }
    }
    Drydock { errors, warnings }
}

/// One allowlisted difference: an error text only one side reports.
struct Allowed {
    side: String,
    text: String,
    reason: String,
    used: usize,
}

fn allowlist() -> Vec<Allowed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/allowlist.txt");
    let text = std::fs::read_to_string(&path).expect("allowlist");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.splitn(3, " | ").collect();
            let [side, text, reason] = parts.as_slice() else {
                panic!("allowlist line is not `side | text | reason`: {l}");
            };
            assert!(
                matches!(*side, "prisma" | "drydock"),
                "allowlist side must be `prisma` or `drydock`: {l}"
            );
            assert!(
                !reason.trim().is_empty(),
                "allowlist entry without a reason: {l}"
            );
            Allowed {
                side: (*side).to_owned(),
                text: (*text).to_owned(),
                reason: (*reason).to_owned(),
                used: 0,
            }
        })
        .collect()
}

fn prisma_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("seed folder")
        .map(|e| e.expect("seed entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "prisma"))
        .collect();
    files.sort();
    files
}

/// The seed schemas: `(text, valid)`, where the realistic seeds and `tests/data/ok` are the
/// valid ones and `tests/data/err` the invalid ones. A file that starts with a byte order mark is
/// left out: drydock reads the mark as no content (editors on Windows write it), Prisma's parser
/// rejects the first line.
fn seeds() -> Vec<(String, bool)> {
    seeds_in(&[
        ("differential/seeds", true),
        ("data/ok", true),
        ("data/err", false),
    ])
}

/// The MySQL seeds, for the MySQL generator: `(text, valid)` as in [`seeds`].
fn mysql_seeds() -> Vec<(String, bool)> {
    seeds_in(&[
        ("differential/seeds/mysql", true),
        ("data/mysql/ok", true),
        ("data/mysql/err", false),
    ])
}

fn seeds_in(dirs: &[(&str, bool)]) -> Vec<(String, bool)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    dirs.iter()
        .flat_map(|(dir, valid)| {
            prisma_files(&root.join(dir))
                .into_iter()
                .map(|p| (p, *valid))
        })
        .map(|(p, valid)| (std::fs::read_to_string(p).expect("seed text"), valid))
        .filter(|(text, _)| !text.starts_with('\u{feff}'))
        .collect()
}

/// `text` for Prisma 5.22, which wants a `url` in the datasource and the `fullTextIndex`
/// preview feature for `@@fulltext`, where Prisma 7 (and drydock) take a datasource without a
/// URL and Prisma 6 and 7 a fulltext index without the feature.
fn as_prisma_5(text: &str) -> String {
    let mut text = text.to_owned();
    if let Some(start) = text.find("datasource ")
        && let Some(open) = text[start..].find("{\n").map(|o| start + o + 2)
    {
        let end = text[open..].find("\n}").map_or(text.len(), |e| open + e);
        let has_url = text[open..end]
            .lines()
            .any(|l| l.trim_start().starts_with("url"));
        if !has_url {
            text.insert_str(open, "  url = env(\"DATABASE_URL\")\n");
        }
    }
    if !text.contains("@@fulltext") || text.contains("\"fullTextIndex\"") {
        return text;
    }
    if let Some(at) = text.find("previewFeatures = [") {
        let at = at + "previewFeatures = [".len();
        let rest = &text[at..];
        let separator = if rest.trim_start().starts_with(']') {
            ""
        } else {
            ", "
        };
        return format!("{}\"fullTextIndex\"{separator}{rest}", &text[..at]);
    }
    format!(
        "{text}\ngenerator fulltext {{\n  provider        = \"prisma-client-js\"\n  previewFeatures = [\"fullTextIndex\"]\n}}\n"
    )
}

/// The kinds a schema belongs to, for the per-kind figures.
fn kinds(text: &str, engine: &str) -> Vec<String> {
    let provider = ["postgresql", "sqlite", "mysql", "cockroachdb"]
        .iter()
        .find(|p| text.contains(&format!("provider = \"{p}\"")))
        .map_or("no provider", |p| p);
    let mut kinds = vec![format!("provider {provider}"), format!("engine {engine}")];
    let features: [(&str, &[&str]); 12] = [
        ("relations", &["@relation"]),
        ("composite ids", &["@@id"]),
        ("enums", &["enum "]),
        ("native types", &["@db."]),
        ("index algorithms and ops", &["type:", "ops:"]),
        ("index length and sort", &["length:", "sort:"]),
        ("fulltext", &["@@fulltext"]),
        ("multiSchema", &["@@schema", "schemas ="]),
        ("postgresqlExtensions", &["extensions ="]),
        ("views", &["view "]),
        ("relationMode", &["relationMode", "referentialIntegrity"]),
        ("several generators", &[]),
    ];
    for (kind, markers) in features {
        let present = if markers.is_empty() {
            text.matches("generator ").count() > 1
        } else {
            markers.iter().any(|m| text.contains(m))
        };
        if present {
            kinds.push(kind.to_owned());
        }
    }
    kinds
}

#[derive(Default)]
struct Tally {
    schemas: usize,
    verdicts_agree: usize,
    invalid_both: usize,
    messages_agree: usize,
    /// Schemas whose verdicts or error texts differ.
    differ: usize,
}

/// An error text with its names taken out, to count differences by kind.
fn shape(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = None;
    for c in message.chars() {
        match quoted {
            Some(q) if c == q => {
                out.push('_');
                out.push(c);
                quoted = None;
            }
            Some(_) => {}
            None if c == '`' || c == '"' => {
                out.push(c);
                quoted = Some(c);
            }
            None => out.push(c),
        }
    }
    out
}

/// The `limit` most frequent entries, most frequent first.
fn most_frequent(counts: &BTreeMap<String, usize>, limit: usize) -> Vec<(&str, usize)> {
    let mut by_count: Vec<(&str, usize)> = counts.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    by_count.truncate(limit);
    by_count
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// The MySQL seeds and their mutants (those not in `seen` yet), and how many seeds there are.
fn mysql_schemas(seen: &mut BTreeSet<String>) -> (Vec<String>, usize) {
    let seeds = mysql_seeds();
    let parsed: Vec<(Schema, bool)> = seeds
        .iter()
        .map(|(t, valid)| (Schema::parse(t), *valid))
        .collect();
    let valid: Vec<Schema> = parsed.iter().filter(|s| s.1).map(|s| s.0.clone()).collect();
    let invalid: Vec<Schema> = parsed
        .iter()
        .filter(|s| !s.1)
        .map(|s| s.0.clone())
        .collect();
    let seed_count = seeds.len();
    let mut texts: Vec<String> = seeds.into_iter().map(|(t, _)| t).collect();
    seen.extend(texts.iter().cloned());
    let mut rng = Rng::new(MYSQL_SEED);
    let mut attempts = 0;
    while texts.len() < seed_count + MYSQL_MUTANTS && attempts < MYSQL_MUTANTS * 4 {
        attempts += 1;
        let pool = if rng.below(5) == 0 && !invalid.is_empty() {
            &invalid
        } else {
            &valid
        };
        let base = rng.pick(pool).expect("MySQL seeds");
        let text = mutate_mysql(base, &mut rng).render();
        if seen.insert(text.clone()) {
            texts.push(text);
        }
    }
    let mut rng = Rng::new(MYSQL_VALUE_SEED);
    let target = texts.len() + MYSQL_VALUE_MUTANTS;
    attempts = 0;
    while texts.len() < target && attempts < MYSQL_VALUE_MUTANTS * 4 {
        attempts += 1;
        let base = rng.pick(&valid).expect("MySQL seeds");
        let text = mutate_mysql_values(base, &mut rng).render();
        if seen.insert(text.clone()) {
            texts.push(text);
        }
    }
    (texts, seed_count)
}

#[test]
fn drydock_agrees_with_prisma_on_generated_schemas() {
    let mut oracle = Oracle::start();
    let mut allowed = allowlist();
    let seeds = seeds();
    let valid_seeds: Vec<Schema> = seeds
        .iter()
        .filter(|(_, valid)| *valid)
        .map(|(t, _)| Schema::parse(t))
        .collect();
    let invalid_seeds: Vec<Schema> = seeds
        .iter()
        .filter(|(_, valid)| !*valid)
        .map(|(t, _)| Schema::parse(t))
        .collect();
    let seed_count = seeds.len();
    let mut texts: Vec<String> = seeds.into_iter().map(|(t, _)| t).collect();
    let mut rng = Rng::new(SEED);
    let mut seen: BTreeSet<String> = texts.iter().cloned().collect();
    let mut attempts = 0;
    while texts.len() < seed_count + MUTANTS && attempts < MUTANTS * 4 {
        attempts += 1;
        // Mostly mutants of valid schemas, so that both verdicts are well represented.
        let pool = if rng.below(5) == 0 {
            &invalid_seeds
        } else {
            &valid_seeds
        };
        let base = rng.pick(pool).expect("seeds");
        let text = mutate(base, &mut rng).render();
        if seen.insert(text.clone()) {
            texts.push(text);
        }
    }
    let mut rng = Rng::new(VALUE_SEED);
    let target = texts.len() + VALUE_MUTANTS;
    attempts = 0;
    while texts.len() < target && attempts < VALUE_MUTANTS * 4 {
        attempts += 1;
        let base = rng.pick(&valid_seeds).expect("seeds");
        let text = mutate_values(base, &mut rng).render();
        if seen.insert(text.clone()) {
            texts.push(text);
        }
    }
    let (mysql_texts, mysql_seed_count) = mysql_schemas(&mut seen);
    let seed_count = seed_count + mysql_seed_count;
    // Where the MySQL generator's schemas start, for their own figures.
    let mysql_start = texts.len();
    texts.extend(mysql_texts);

    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut prisma_messages = 0;
    let mut prisma_messages_matched = 0;
    let mut compat_5 = 0;
    let mut prisma_accepts = 0;
    let mut verdict_differences = 0;
    let mut failures = Vec::new();
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut text_differences: BTreeMap<String, usize> = BTreeMap::new();
    let mut text_difference_schemas = Vec::new();
    for (position, text) in texts.iter().enumerate() {
        let prisma = oracle.validate(text, "auto");
        prisma_accepts += usize::from(prisma.is_valid());
        let ours = drydock(text);
        let mut prisma_only: BTreeSet<&str> = prisma
            .errors
            .iter()
            .map(String::as_str)
            .filter(|m| !ours.errors.iter().any(|o| o == m))
            .collect();
        let mut drydock_only: BTreeSet<&str> = ours
            .errors
            .iter()
            .map(String::as_str)
            .filter(|m| !prisma.errors.iter().any(|p| p == m))
            .collect();
        prisma_messages += prisma.errors.len();
        prisma_messages_matched += prisma
            .errors
            .iter()
            .filter(|m| !prisma_only.contains(m.as_str()))
            .count();
        // Prisma 6/7 reject what Prisma 5.22 accepted: drydock accepts with the rule as a
        // warning. Such an error counts as agreement when drydock warns with its text and
        // Prisma 5.22 does not report it (5.22 may reject the schema for reasons of its own).
        let rule = |m: &str| {
            let m = m.trim_start_matches("Error validating: ");
            match m.strip_prefix("Error parsing attribute \"") {
                Some(rest) => rest.split_once("\": ").map_or(m, |(_, r)| r).to_owned(),
                None => m.to_owned(),
            }
        };
        let mut relaxed: Vec<&str> = prisma
            .errors
            .iter()
            .map(String::as_str)
            .filter(|m| ours.warnings.iter().any(|w| w.contains(&rule(m))))
            .collect();
        if !relaxed.is_empty() {
            let old = oracle.validate(&as_prisma_5(text), "5");
            relaxed.retain(|m| !old.errors.iter().any(|o| o.contains(&rule(m))));
            prisma_only.retain(|m| !relaxed.contains(m));
            // drydock reads such a schema as Prisma 5.22 does, so it goes on to the checks
            // that Prisma 6/7 skip after the view errors: what 5.22 reports agrees.
            drydock_only.retain(|m| !old.errors.iter().any(|o| o == m));
        }
        let verdict_agrees = if ours.errors.is_empty() {
            prisma.errors.iter().all(|m| relaxed.contains(&m.as_str()))
        } else {
            !prisma.is_valid()
        };
        if verdict_agrees && ours.errors.is_empty() && !prisma.is_valid() {
            compat_5 += 1;
        }
        let messages_agree = prisma_only.is_empty() && drydock_only.is_empty();
        let generator = if position >= mysql_start {
            "MySQL generator"
        } else {
            "general generator"
        };
        for kind in kinds(text, &prisma.engine)
            .into_iter()
            .chain(["all".to_owned(), generator.to_owned()])
        {
            let tally = tallies.entry(kind).or_default();
            tally.schemas += 1;
            tally.verdicts_agree += usize::from(verdict_agrees);
            if !prisma.is_valid() && !ours.errors.is_empty() {
                tally.invalid_both += 1;
                tally.messages_agree += usize::from(messages_agree);
            }
            tally.differ += usize::from(!verdict_agrees || !messages_agree);
        }
        for (side, messages) in [("prisma", &prisma_only), ("drydock", &drydock_only)] {
            for message in messages.iter() {
                *text_differences
                    .entry(format!("{side}: {}", shape(message)))
                    .or_default() += 1;
            }
        }
        if !messages_agree {
            let only: Vec<String> = [("prisma", &prisma_only), ("drydock", &drydock_only)]
                .iter()
                .flat_map(|(side, messages)| {
                    messages.iter().map(move |m| format!("  only {side}: {m}"))
                })
                .collect();
            text_difference_schemas.push(format!(
                "--- Prisma {}:\n{}\n{text}",
                prisma.engine,
                only.join("\n")
            ));
        }
        // A verdict difference must be explained by the allowlist: each error text only one
        // side reports matches an entry.
        let mut unexplained = Vec::new();
        verdict_differences += usize::from(!verdict_agrees);
        if !verdict_agrees {
            for (side, messages) in [("prisma", &prisma_only), ("drydock", &drydock_only)] {
                for message in messages.iter() {
                    match allowed
                        .iter_mut()
                        .find(|a| a.side == side && message.contains(a.text.as_str()))
                    {
                        Some(a) => a.used += 1,
                        None => {
                            unexplained.push(format!("  only {side}: {message}"));
                            *shapes
                                .entry(format!("{side}: {}", shape(message)))
                                .or_default() += 1;
                        }
                    }
                }
            }
        }
        if !unexplained.is_empty() {
            failures.push(format!(
                "--- Prisma {} says {}, drydock says {}:\n{}\n{text}",
                prisma.engine,
                if prisma.is_valid() {
                    "valid"
                } else {
                    "invalid"
                },
                if ours.errors.is_empty() {
                    "valid"
                } else {
                    "invalid"
                },
                unexplained.join("\n")
            ));
        }
    }

    let mut report = String::new();
    let all = &tallies["all"];
    writeln!(
        report,
        "{} schemas ({} seeds, {} mutants; Prisma accepts {}): verdicts agree {}, error texts agree {} of {} schemas both reject; {} of {} Prisma error texts reproduced; {} accepted with a warning as Prisma 5.22 does",
        all.schemas,
        seed_count,
        all.schemas - seed_count,
        prisma_accepts,
        percent(all.verdicts_agree, all.schemas),
        percent(all.messages_agree, all.invalid_both),
        all.invalid_both,
        prisma_messages_matched,
        prisma_messages,
        compat_5,
    )
    .expect("write");
    writeln!(
        report,
        "{verdict_differences} verdict differences, {} of them explained by the allowlist",
        verdict_differences - failures.len()
    )
    .expect("write");
    writeln!(
        report,
        "{:<28} {:>7} {:>9} {:>8} {:>9} {:>9} {:>7}",
        "kind", "schemas", "verdicts", "agreed", "both rej.", "texts", "differ"
    )
    .expect("write");
    for (kind, t) in &tallies {
        writeln!(
            report,
            "{kind:<28} {:>7} {:>9} {:>8} {:>9} {:>9} {:>7}",
            t.schemas,
            percent(t.verdicts_agree, t.schemas),
            t.verdicts_agree,
            t.invalid_both,
            percent(t.messages_agree, t.invalid_both),
            t.differ
        )
        .expect("write");
    }
    writeln!(report, "most frequent error texts only one side reports:").expect("write");
    for (text, count) in most_frequent(&text_differences, 25) {
        writeln!(report, "{count:>6}x {text}").expect("write");
    }
    for a in &allowed {
        writeln!(
            report,
            "allowed {:>5}x {}: {} ({})",
            a.used, a.side, a.text, a.reason
        )
        .expect("write");
    }
    println!("{report}");
    let shapes: Vec<String> = most_frequent(&shapes, usize::MAX)
        .into_iter()
        .map(|(s, n)| format!("{n:>5}x {s}"))
        .collect();
    let all_failures =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-differential-failures.txt");
    std::fs::write(&all_failures, failures.join("\n")).expect("write the failures");
    // Every schema whose error texts differ, for working through the remaining differences.
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-differential-texts.txt"),
        text_difference_schemas.join("\n"),
    )
    .expect("write the text differences");
    assert!(
        failures.is_empty(),
        "{} schemas where drydock and Prisma differ without an allowlist entry (all in {}), first 10:\n{}\n\nunexplained error texts:\n{}\n\n{report}",
        failures.len(),
        all_failures.display(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        shapes.join("\n")
    );
    let unused: Vec<String> = allowed
        .iter()
        .filter(|a| a.used == 0)
        .map(|a| format!("{} | {}", a.side, a.text))
        .collect();
    assert!(
        unused.is_empty(),
        "allowlist entries no schema needs any more (remove them):\n{}",
        unused.join("\n")
    );
}
