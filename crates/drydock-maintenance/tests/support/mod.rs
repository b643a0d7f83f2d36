//! What the `drydock stats` tests share: running stats on a URL (PostgreSQL, or MySQL and
//! MariaDB by the URL's scheme), waiting (30 s at most) for a report to show something, and
//! reading its findings.

use std::time::{Duration, Instant};

use drydock_connector::{Dialect, StatsSource};
use drydock_maintenance::{Finding, StatsOptions, StatsReport, Thresholds, stats};
use drydock_tasks::Event;

pub(crate) fn source(url: &str) -> Box<dyn StatsSource> {
    let dialect: &dyn Dialect = if url.starts_with("mysql") {
        &drydock_mysql::MysqlDialect
    } else {
        &drydock_postgres::PostgresDialect
    };
    dialect.open_stats(url).expect("opening the statistics")
}

fn quiet(_: Event) {}

pub(crate) fn run(url: &str, options: &StatsOptions) -> StatsReport {
    stats(source(url).as_mut(), options, &quiet).expect("drydock stats")
}

/// Run stats until `done` holds of the report, for at most 30 seconds.
pub(crate) fn until(
    url: &str,
    options: &StatsOptions,
    done: impl Fn(&StatsReport) -> bool,
) -> StatsReport {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let report = run(url, options);
        if done(&report) || Instant::now() > deadline {
            return report;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub(crate) fn codes(report: &StatsReport) -> Vec<&str> {
    report.findings.iter().map(|f| f.code.as_str()).collect()
}

/// The finding of `code`; the test fails without one.
pub(crate) fn finding<'a>(report: &'a StatsReport, code: &str) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", report.findings))
}

pub(crate) fn options_with(thresholds: Thresholds) -> StatsOptions {
    StatsOptions {
        thresholds,
        ..StatsOptions::default()
    }
}
