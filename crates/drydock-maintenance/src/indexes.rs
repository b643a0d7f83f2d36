//! Index advice (`drydock indexes`): what a database's indexes and measured statements say
//! should be dropped or added, as findings (`D62xx`, `docs/indexes.md`) and, for each one with a
//! remedy, an index to create or drop. The database answers through
//! [`drydock_connector::MaintenanceFacts::index_facts`]; this module only compares.

use std::collections::BTreeSet;

use drydock_connector::{IndexFact, IndexFacts};
use serde::Serialize;

use crate::{Finding, ObjectRef, Severity};

/// An index no statement used since the statistics reset (on the primary and every replica).
pub const UNUSED_INDEX: &str = "D6201";
/// An index with the same keys, kind and predicate as another.
pub const DUPLICATE_INDEX: &str = "D6202";
/// An index whose keys are a left prefix of another's of the same kind and predicate.
pub const REDUNDANT_INDEX: &str = "D6203";
/// A foreign key whose columns no index starts with.
pub const UNINDEXED_FOREIGN_KEY: &str = "D6204";
/// An index left invalid by a failed concurrent build.
pub const INVALID_INDEX: &str = "D6205";
/// A B-tree index whose estimated bloat reaches the threshold.
pub const BLOATED_INDEX: &str = "D6206";
/// An index the measured statements call for.
pub const SUGGESTED_INDEX: &str = "D6207";

/// PgHero's `unused_index_megabytes`: unused indexes smaller than this are not worth a look.
pub const DEFAULT_MIN_UNUSED_BYTES: u64 = 10 * 1024 * 1024;
/// PgHero's `index_bloat_bytes`.
pub const DEFAULT_BLOAT_BYTES: u64 = 100 * 1024 * 1024;
/// PgHero's suggested indexes on its overview: statements averaging at least 20 ms...
pub const DEFAULT_SLOW_QUERY_MS: f64 = 20.0;
/// ...over at least 50 calls.
pub const DEFAULT_SLOW_QUERY_CALLS: u64 = 50;

/// The thresholds of the findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Unused indexes smaller than this are left out.
    pub min_unused_bytes: u64,
    /// Indexes with less estimated bloat are left out.
    pub bloat_bytes: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_unused_bytes: DEFAULT_MIN_UNUSED_BYTES,
            bloat_bytes: DEFAULT_BLOAT_BYTES,
        }
    }
}

/// The remedy of a finding: an index to create or to drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum IndexAction {
    Create {
        namespace: Option<String>,
        table: String,
        columns: Vec<String>,
    },
    Drop {
        namespace: Option<String>,
        table: String,
        name: String,
    },
}

/// A finding and its remedy, when it has one a migration can apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub finding: Finding,
    pub action: Option<IndexAction>,
}

fn qualified(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(namespace) => format!("{namespace}.{name}"),
        None => name.to_owned(),
    }
}

fn index_ref(index: &IndexFact) -> ObjectRef {
    ObjectRef {
        kind: "index".to_owned(),
        name: qualified(index.namespace.as_deref(), &index.name),
    }
}

fn table_ref(namespace: Option<&str>, table: &str) -> ObjectRef {
    ObjectRef {
        kind: "table".to_owned(),
        name: qualified(namespace, table),
    }
}

/// `12.3 MB`, `512 kB`, `10 B`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Whether an index may be dropped as unneeded: it backs no constraint and enforces nothing.
fn droppable(index: &IndexFact) -> bool {
    index.valid && !index.primary && !index.unique && index.constraint.is_none()
}

fn same_table(a: &IndexFact, b: &IndexFact) -> bool {
    a.namespace == b.namespace && a.table == b.table
}

/// Every finding of `facts` (the primary), with `replicas` consulted for index use.
pub fn analyze(
    facts: &IndexFacts,
    replicas: &[IndexFacts],
    thresholds: &Thresholds,
) -> Vec<Advice> {
    let mut advice = Vec::new();
    let mut dropped: BTreeSet<(Option<String>, String, String)> = BTreeSet::new();
    let key = |index: &IndexFact| {
        (
            index.namespace.clone(),
            index.table.clone(),
            index.name.clone(),
        )
    };

    for index in facts.indexes.iter().filter(|index| !index.valid) {
        advice.push(Advice {
            finding: Finding {
                code: INVALID_INDEX.to_owned(),
                severity: Severity::Error,
                title: format!(
                    "index {} is invalid: a concurrent build failed and left it behind",
                    index.name
                ),
                objects: vec![
                    index_ref(index),
                    table_ref(index.namespace.as_deref(), &index.table),
                ],
                detail: Some(format!("definition: {}", index.definition)),
                fix: Some(format!(
                    "rebuild it (REINDEX INDEX CONCURRENTLY {}) or drop it and apply the \
                     migration that creates it again; `drydock migrate deploy` drops the \
                     invalid indexes its own failed builds leave",
                    qualified(index.namespace.as_deref(), &index.name)
                )),
            },
            action: None,
        });
    }

    // Duplicates and left prefixes, PgHero's rule: the other index is valid, of the same
    // method and predicate; of two with the same keys the one with the larger name goes,
    // unless the other enforces something.
    for index in facts.indexes.iter().filter(|index| droppable(index)) {
        let covering = facts.indexes.iter().find(|other| {
            other.name != index.name
                && other.valid
                && same_table(index, other)
                && other.method == index.method
                && other.predicate == index.predicate
                && other.keys.len() >= index.keys.len()
                && other.keys[..index.keys.len()] == index.keys[..]
                && (other.keys.len() > index.keys.len()
                    || !droppable(other)
                    || index.name > other.name)
                && !dropped.contains(&key(other))
        });
        let Some(other) = covering else {
            continue;
        };
        let duplicate = other.keys.len() == index.keys.len();
        if !duplicate && index.method != "btree" {
            continue;
        }
        let (code, title) = if duplicate {
            (
                DUPLICATE_INDEX,
                format!(
                    "index {} duplicates {}: same columns ({})",
                    index.name,
                    other.name,
                    index.columns.join(", ")
                ),
            )
        } else {
            (
                REDUNDANT_INDEX,
                format!(
                    "index {} ({}) is redundant: {} ({}) starts with the same columns",
                    index.name,
                    index.columns.join(", "),
                    other.name,
                    other.columns.join(", ")
                ),
            )
        };
        dropped.insert(key(index));
        advice.push(Advice {
            finding: Finding {
                code: code.to_owned(),
                severity: Severity::Warning,
                title,
                objects: vec![index_ref(index), index_ref(other)],
                detail: Some(format!(
                    "{}{}",
                    index
                        .size_bytes
                        .map(|b| format!("{} that writes pay for; ", human_bytes(b)))
                        .unwrap_or_default(),
                    format_args!("kept: {}", other.definition)
                )),
                fix: Some(format!("drop index {}", index.name)),
            },
            action: Some(IndexAction::Drop {
                namespace: index.namespace.clone(),
                table: index.table.clone(),
                name: index.name.clone(),
            }),
        });
    }

    for index in facts.indexes.iter().filter(|index| droppable(index)) {
        if dropped.contains(&key(index)) || index.scans != Some(0) {
            continue;
        }
        // The index a foreign key needs stays, used or not (D6204 would ask for it again).
        let serves_foreign_key = facts.foreign_keys.iter().any(|fk| {
            fk.namespace == index.namespace
                && fk.table == index.table
                && starts_with_columns(index, &fk.columns)
        });
        if serves_foreign_key {
            continue;
        }
        let Some(size) = index.size_bytes else {
            continue;
        };
        if size < thresholds.min_unused_bytes {
            continue;
        }
        // Unused on every replica given: one that used it, or lacks it, keeps it.
        let used_elsewhere = replicas.iter().any(|replica| {
            replica
                .indexes
                .iter()
                .find(|r| same_table(r, index) && r.name == index.name)
                .is_none_or(|r| r.scans != Some(0))
        });
        if used_elsewhere {
            continue;
        }
        dropped.insert(key(index));
        let since = facts.stats_since.as_deref().map_or_else(
            || "the statistics were last reset".to_owned(),
            |s| s.to_owned(),
        );
        advice.push(Advice {
            finding: Finding {
                code: UNUSED_INDEX.to_owned(),
                severity: Severity::Warning,
                title: format!(
                    "index {} ({}) was never used",
                    index.name,
                    index.columns.join(", ")
                ),
                objects: vec![
                    index_ref(index),
                    table_ref(index.namespace.as_deref(), &index.table),
                ],
                detail: Some(format!(
                    "0 scans since {since}{}; {} (threshold {})",
                    if replicas.is_empty() {
                        String::new()
                    } else {
                        format!(", on the primary and {} replica(s)", replicas.len())
                    },
                    human_bytes(size),
                    human_bytes(thresholds.min_unused_bytes)
                )),
                fix: Some(format!(
                    "drop index {} (statistics count only since their reset: check a period \
                     that covers every workload first)",
                    index.name
                )),
            },
            action: Some(IndexAction::Drop {
                namespace: index.namespace.clone(),
                table: index.table.clone(),
                name: index.name.clone(),
            }),
        });
    }

    for foreign_key in &facts.foreign_keys {
        let supported = facts.indexes.iter().any(|index| {
            index.valid
                && index.predicate.is_none()
                && index.namespace == foreign_key.namespace
                && index.table == foreign_key.table
                && !dropped.contains(&key(index))
                && starts_with_columns(index, &foreign_key.columns)
        });
        if supported {
            continue;
        }
        advice.push(Advice {
            finding: Finding {
                code: UNINDEXED_FOREIGN_KEY.to_owned(),
                severity: Severity::Warning,
                title: format!(
                    "foreign key {} on {} ({}) has no index starting with its columns",
                    foreign_key.name,
                    qualified(foreign_key.namespace.as_deref(), &foreign_key.table),
                    foreign_key.columns.join(", ")
                ),
                objects: vec![
                    ObjectRef {
                        kind: "constraint".to_owned(),
                        name: foreign_key.name.clone(),
                    },
                    table_ref(foreign_key.namespace.as_deref(), &foreign_key.table),
                ],
                detail: Some(format!(
                    "deleting or updating a row of {} scans {} for referencing rows; joins \
                     through the key cannot use an index",
                    foreign_key.referenced_table, foreign_key.table
                )),
                fix: Some(format!("add @@index([{}])", foreign_key.columns.join(", "))),
            },
            action: Some(IndexAction::Create {
                namespace: foreign_key.namespace.clone(),
                table: foreign_key.table.clone(),
                columns: foreign_key.columns.clone(),
            }),
        });
    }

    for index in &facts.indexes {
        let Some(bloat) = index.bloat_bytes else {
            continue;
        };
        if !index.valid || bloat < thresholds.bloat_bytes || dropped.contains(&key(index)) {
            continue;
        }
        advice.push(Advice {
            finding: Finding {
                code: BLOATED_INDEX.to_owned(),
                severity: Severity::Info,
                title: format!(
                    "index {} has an estimated {} of bloat",
                    index.name,
                    human_bytes(bloat)
                ),
                objects: vec![index_ref(index)],
                detail: Some(format!(
                    "{} of {} estimated wasted (threshold {}; an estimate from the planner's \
                     statistics)",
                    human_bytes(bloat),
                    index.size_bytes.map_or("?".to_owned(), human_bytes),
                    human_bytes(thresholds.bloat_bytes)
                )),
                fix: Some(format!(
                    "REINDEX INDEX CONCURRENTLY {}",
                    qualified(index.namespace.as_deref(), &index.name)
                )),
            },
            action: None,
        });
    }

    for suggestion in &facts.suggestions {
        let verified = match (
            suggestion.cost_before,
            suggestion.cost_after,
            &suggestion.evidence,
        ) {
            (Some(before), Some(after), _) => {
                format!("; estimated cost {before:.2} -> {after:.2} with a hypothetical index")
            }
            (_, _, Some(evidence)) => format!("; {evidence}"),
            _ => "; not verified (no hypothetical indexes: install hypopg)".to_owned(),
        };
        advice.push(Advice {
            finding: Finding {
                code: SUGGESTED_INDEX.to_owned(),
                severity: Severity::Warning,
                title: format!(
                    "an index on {} ({}) would serve a slow statement",
                    qualified(suggestion.namespace.as_deref(), &suggestion.table),
                    suggestion.columns.join(", ")
                ),
                objects: vec![table_ref(
                    suggestion.namespace.as_deref(),
                    &suggestion.table,
                )],
                detail: Some(format!(
                    "{} calls averaging {:.1} ms: {}{verified}",
                    suggestion.calls,
                    suggestion.mean_ms,
                    one_line(&suggestion.query)
                )),
                fix: Some(format!("add @@index([{}])", suggestion.columns.join(", "))),
            },
            action: Some(IndexAction::Create {
                namespace: suggestion.namespace.clone(),
                table: suggestion.table.clone(),
                columns: suggestion.columns.clone(),
            }),
        });
    }
    advice
}

/// Whether the index's first keys are `columns`, in any order.
fn starts_with_columns(index: &IndexFact, columns: &[String]) -> bool {
    index.valid
        && index.predicate.is_none()
        && index.columns.len() >= columns.len()
        && columns
            .iter()
            .all(|c| index.columns[..columns.len()].contains(c))
}

/// `text` on one line, whitespace runs collapsed, cut at 200 characters.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > 200 {
        format!("{}...", joined.chars().take(200).collect::<String>())
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use drydock_connector::{ForeignKeyFact, QueryStats};

    use super::*;

    fn index(name: &str, columns: &[&str]) -> IndexFact {
        IndexFact {
            namespace: None,
            table: "t".to_owned(),
            name: name.to_owned(),
            method: "btree".to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            keys: columns.iter().map(|c| format!("{c} 3126 0 0")).collect(),
            has_expressions: false,
            predicate: None,
            primary: false,
            unique: false,
            constraint: None,
            valid: true,
            scans: Some(0),
            size_bytes: Some(1 << 30),
            bloat_bytes: None,
            definition: String::new(),
        }
    }

    fn facts(indexes: Vec<IndexFact>, foreign_keys: &[&[&str]]) -> IndexFacts {
        IndexFacts {
            indexes,
            foreign_keys: foreign_keys
                .iter()
                .map(|columns| ForeignKeyFact {
                    namespace: None,
                    table: "t".to_owned(),
                    name: format!("t_{}_fkey", columns.join("_")),
                    columns: columns.iter().map(|c| (*c).to_owned()).collect(),
                    referenced_table: "r".to_owned(),
                })
                .collect(),
            stats_since: None,
            query_stats: QueryStats::Unavailable {
                reason: String::new(),
            },
            suggestions: Vec::new(),
        }
    }

    fn found(advice: &[Advice]) -> Vec<(String, String)> {
        advice
            .iter()
            .map(|a| (a.finding.code.clone(), a.finding.objects[0].name.clone()))
            .collect()
    }

    #[test]
    fn of_two_alike_the_one_that_enforces_something_stays() {
        let mut unique = index("a_unique", &["a"]);
        unique.unique = true;
        unique.constraint = Some("a_unique".to_owned());
        let mut used = index("z_plain", &["a"]);
        used.scans = Some(5);
        let advice = analyze(&facts(vec![used, unique], &[]), &[], &Thresholds::default());
        assert_eq!(
            found(&advice),
            vec![(DUPLICATE_INDEX.to_owned(), "z_plain".to_owned())]
        );
    }

    #[test]
    fn an_unused_index_a_foreign_key_needs_is_kept() {
        let advice = analyze(
            &facts(
                vec![index("t_a_idx", &["a"]), index("t_b_idx", &["b"])],
                &[&["a"]],
            ),
            &[],
            &Thresholds::default(),
        );
        assert_eq!(
            found(&advice),
            vec![(UNUSED_INDEX.to_owned(), "t_b_idx".to_owned())]
        );
    }

    #[test]
    fn a_prefix_of_a_hash_index_is_not_redundant() {
        let mut long = index("long", &["a", "b"]);
        long.method = "hash".to_owned();
        let mut short = index("short", &["a"]);
        short.method = "hash".to_owned();
        short.scans = Some(1);
        long.scans = Some(1);
        let advice = analyze(&facts(vec![long, short], &[]), &[], &Thresholds::default());
        assert_eq!(found(&advice), Vec::<(String, String)>::new());
    }
}
