//! Which backups `prune` keeps: the newest N, the newest of each of the last D days and W
//! weeks, nothing older than a maximum age, and always the newest restore-tested backup.

use chrono::{DateTime, Datelike, Utc};

use crate::manifest::Manifest;

/// Keep rules; a count of 0 turns its rule off. With every count at 0, all backups younger
/// than `max_age` are kept.
#[derive(Debug, Clone, Default)]
pub struct RetentionPolicy {
    pub keep_last: usize,
    pub keep_daily: usize,
    pub keep_weekly: usize,
    pub max_age: Option<chrono::Duration>,
}

/// What `prune` does with one backup, and why.
#[derive(Debug, Clone)]
pub struct Decision {
    pub manifest: Manifest,
    pub keep: bool,
    pub reasons: Vec<String>,
}

/// Decide for `manifests`, newest first (as [`crate::list`] returns them).
pub fn plan(manifests: &[Manifest], policy: &RetentionPolicy, now: DateTime<Utc>) -> Vec<Decision> {
    let no_count_rule = policy.keep_last == 0 && policy.keep_daily == 0 && policy.keep_weekly == 0;
    let newest_tested = manifests.iter().position(Manifest::restore_tested);
    let mut days = Vec::new();
    let mut weeks = Vec::new();
    manifests
        .iter()
        .enumerate()
        .map(|(i, manifest)| {
            let mut reasons = Vec::new();
            if i < policy.keep_last {
                reasons.push(format!("one of the last {}", policy.keep_last));
            }
            let day = manifest.started_at.date_naive();
            if !days.contains(&day) && days.len() < policy.keep_daily {
                days.push(day);
                reasons.push(format!("newest of {day} (daily)"));
            }
            let week = manifest.started_at.iso_week();
            let week = (week.year(), week.week());
            if !weeks.contains(&week) && weeks.len() < policy.keep_weekly {
                weeks.push(week);
                reasons.push(format!("newest of week {}-W{:02} (weekly)", week.0, week.1));
            }
            if no_count_rule {
                reasons.push("no count rule".to_owned());
            }
            if let Some(max_age) = policy.max_age
                && now - manifest.started_at > max_age
            {
                reasons.clear();
            }
            if newest_tested == Some(i) {
                reasons.push("newest restore-tested backup (never pruned)".to_owned());
            }
            let keep = !reasons.is_empty();
            if !keep {
                let too_old = policy
                    .max_age
                    .is_some_and(|max_age| now - manifest.started_at > max_age);
                reasons.push(if too_old {
                    "older than the maximum age".to_owned()
                } else {
                    "matches no keep rule".to_owned()
                });
            }
            Decision {
                manifest: manifest.clone(),
                keep,
                reasons,
            }
        })
        .collect()
}
