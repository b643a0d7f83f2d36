//! `[stats]` in `drydock.toml`: what `drydock stats` keeps and the limits it holds the
//! database to (`docs/stats.md`).
//!
//! ```toml
//! [stats]
//! retention = "30d"          # snapshots older than this go when a new one is stored ("off": keep all)
//! growth_window = "7d"       # growth is measured from the oldest snapshot this recent
//! top_queries = 10
//!
//! [stats.thresholds]         # "off" turns a level off; a level not written keeps its default
//! long_running_query = { warning = "60s", error = "5m" }
//! idle_in_transaction = { warning = "60s", error = "10m" }
//! lock_wait = { warning = "10s", error = "1m" }
//! connections = { warning = "90%", error = "95%" }
//! cache_hit = { warning = "99%" }
//! cache_min_blocks = 10000
//! replication_lag = { warning = "5s", error = "60s" }
//! dead_rows = { warning = "20%" }
//! dead_rows_min = 1000
//! vacuum_stale = { warning = "1d", error = "2d" }
//! vacuum_stale_rows = 1000
//! ```

use std::path::Path;
use std::time::Duration;

use drydock_maintenance::{Limit, Thresholds, parse_duration, parse_percent};
use serde::Deserialize;
use toml::Spanned;

use crate::EngineError;
use crate::settings::invalid_at;

/// `[stats]` as drydock uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSettings {
    /// `None`: snapshots are kept for ever.
    pub retention: Option<Duration>,
    pub growth_window: Duration,
    pub top_queries: usize,
    pub thresholds: Thresholds,
}

// Every number in the settings was parsed from text and is finite.
impl Eq for StatsSettings {}

impl Default for StatsSettings {
    fn default() -> Self {
        StatsSettings {
            retention: Some(Duration::from_secs(30 * 86_400)),
            growth_window: Duration::from_secs(7 * 86_400),
            top_queries: 10,
            thresholds: Thresholds::default(),
        }
    }
}

/// `[stats]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatsEntry {
    retention: Option<Spanned<String>>,
    growth_window: Option<Spanned<String>>,
    top_queries: Option<Spanned<i64>>,
    #[serde(default)]
    thresholds: ThresholdsEntry,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdsEntry {
    long_running_query: Option<LimitEntry>,
    idle_in_transaction: Option<LimitEntry>,
    lock_wait: Option<LimitEntry>,
    connections: Option<LimitEntry>,
    cache_hit: Option<LimitEntry>,
    cache_min_blocks: Option<Spanned<i64>>,
    replication_lag: Option<LimitEntry>,
    dead_rows: Option<LimitEntry>,
    dead_rows_min: Option<Spanned<i64>>,
    vacuum_stale: Option<LimitEntry>,
    vacuum_stale_rows: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitEntry {
    warning: Option<Spanned<String>>,
    error: Option<Spanned<String>>,
}

#[derive(Clone, Copy)]
enum Unit {
    Duration,
    Percent,
}

impl StatsEntry {
    /// The settings this entry gives, checked; an error points at the value in `text`, the
    /// file at `path`.
    pub(crate) fn settings(self, path: &Path, text: &str) -> Result<StatsSettings, EngineError> {
        let mut settings = StatsSettings::default();
        let invalid = |span: std::ops::Range<usize>, message: String| {
            invalid_at(path, text, span, &format!("[stats] {message}"))
        };
        let duration = |value: &Spanned<String>, key: &str| {
            parse_duration(value.get_ref())
                .filter(|seconds| *seconds > 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    invalid(
                        value.span(),
                        format!(
                            "`{key}` is `{}`: write a duration such as \"30d\", \"12h\" or \"90s\"",
                            value.get_ref()
                        ),
                    )
                })
        };
        let count = |value: &Spanned<i64>, key: &str| {
            u64::try_from(*value.get_ref()).map_err(|_| {
                invalid(
                    value.span(),
                    format!("`{key}` is {}: write a count of 0 or more", value.get_ref()),
                )
            })
        };
        if let Some(value) = &self.retention {
            settings.retention = if value.get_ref() == "off" {
                None
            } else {
                Some(duration(value, "retention")?)
            };
        }
        if let Some(value) = &self.growth_window {
            settings.growth_window = duration(value, "growth_window")?;
        }
        if let Some(value) = &self.top_queries {
            settings.top_queries = usize::try_from(count(value, "top_queries")?)
                .unwrap_or(usize::MAX)
                .max(1);
        }
        let t = &mut settings.thresholds;
        let given = self.thresholds;
        let limits: [(&str, Option<LimitEntry>, &mut Limit, Unit); 8] = [
            (
                "long_running_query",
                given.long_running_query,
                &mut t.long_running_query,
                Unit::Duration,
            ),
            (
                "idle_in_transaction",
                given.idle_in_transaction,
                &mut t.idle_in_transaction,
                Unit::Duration,
            ),
            (
                "lock_wait",
                given.lock_wait,
                &mut t.lock_wait,
                Unit::Duration,
            ),
            (
                "connections",
                given.connections,
                &mut t.connections,
                Unit::Percent,
            ),
            (
                "cache_hit",
                given.cache_hit,
                &mut t.cache_hit,
                Unit::Percent,
            ),
            (
                "replication_lag",
                given.replication_lag,
                &mut t.replication_lag,
                Unit::Duration,
            ),
            (
                "dead_rows",
                given.dead_rows,
                &mut t.dead_rows,
                Unit::Percent,
            ),
            (
                "vacuum_stale",
                given.vacuum_stale,
                &mut t.vacuum_stale,
                Unit::Duration,
            ),
        ];
        for (key, entry, limit, unit) in limits {
            let Some(entry) = entry else { continue };
            for (level, value, slot) in [
                ("warning", entry.warning, &mut limit.warning),
                ("error", entry.error, &mut limit.error),
            ] {
                let Some(value) = value else { continue };
                *slot = match (value.get_ref().as_str(), unit) {
                    ("off", _) => None,
                    (written, Unit::Duration) => Some(parse_duration(written).ok_or_else(|| {
                        invalid(
                            value.span(),
                            format!(
                                "thresholds.{key}.{level} is `{written}`: write a duration such \
                                 as \"60s\" or \"5m\", or \"off\""
                            ),
                        )
                    })?),
                    (written, Unit::Percent) => Some(parse_percent(written).ok_or_else(|| {
                        invalid(
                            value.span(),
                            format!(
                                "thresholds.{key}.{level} is `{written}`: write a percentage \
                                 such as \"90%\", or \"off\""
                            ),
                        )
                    })?),
                };
            }
        }
        if let Some(value) = &given.cache_min_blocks {
            t.cache_min_blocks = count(value, "thresholds.cache_min_blocks")?;
        }
        if let Some(value) = &given.dead_rows_min {
            t.dead_rows_min = count(value, "thresholds.dead_rows_min")?;
        }
        if let Some(value) = &given.vacuum_stale_rows {
            t.vacuum_stale_rows = count(value, "thresholds.vacuum_stale_rows")?;
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use crate::Settings;

    #[test]
    fn stats_settings_are_read_and_defaults_kept() {
        let text = "[stats]\nretention = \"14d\"\n\n[stats.thresholds]\n\
                    long_running_query = { warning = \"30s\" }\n\
                    cache_hit = { warning = \"off\" }\ndead_rows_min = 5\n\
                    vacuum_stale = { error = \"3d\" }\nvacuum_stale_rows = 50\n";
        let settings = Settings::parse(std::path::Path::new("drydock.toml"), text).unwrap();
        let stats = settings.stats;
        assert_eq!(
            stats.retention,
            Some(std::time::Duration::from_secs(14 * 86_400))
        );
        assert_eq!(stats.thresholds.long_running_query.warning, Some(30.0));
        assert_eq!(stats.thresholds.long_running_query.error, Some(300.0));
        assert_eq!(stats.thresholds.cache_hit.warning, None);
        assert_eq!(stats.thresholds.dead_rows_min, 5);
        assert_eq!(stats.thresholds.vacuum_stale.warning, Some(86_400.0));
        assert_eq!(stats.thresholds.vacuum_stale.error, Some(259_200.0));
        assert_eq!(stats.thresholds.vacuum_stale_rows, 50);
    }

    #[test]
    fn a_bad_threshold_is_d1003_at_its_value() {
        let text = "[stats.thresholds]\nlock_wait = { warning = \"soon\" }\n";
        let error = Settings::parse(std::path::Path::new("drydock.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(error.contains("thresholds.lock_wait.warning"), "{error}");
        assert!(error.contains("drydock.toml:2"), "{error}");
    }
}
