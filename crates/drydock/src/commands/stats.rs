//! `drydock stats`: the monitoring report as aligned tables or JSON, and the exit status its
//! findings call for.

use std::fmt::Write as _;
use std::process::ExitCode;

use drydock_engine::Discovery;
use drydock_maintenance::{
    Severity, StatsReport, TopQueries, format_seconds, human_bytes as bytes, one_line, signed_bytes,
};
use drydock_tasks::{Event, Level};

use crate::cli::StatsArgs;
use crate::output::print_json;

pub(crate) fn run(discovery: Discovery<'_>, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let options = drydock_engine::stats_options(&project, args.snapshot)?;
    // Findings are part of the report; only trouble with the run itself goes to stderr.
    let events = |event: Event| match event {
        Event::Log {
            level: Level::Error,
            line,
        } => eprintln!("Error: {line}"),
        Event::Log {
            level: Level::Warning,
            line,
        } => eprintln!("Warning: {line}"),
        _ => {}
    };
    let report =
        drydock_engine::stats(&project, args.connection.url.as_deref(), &options, &events)?;
    if args.output.json {
        print_json(&report)?;
    } else {
        print!("{}", render(&report));
    }
    let fail_on = Severity::parse(&args.fail_on);
    let failed = fail_on.is_some_and(|level| report.findings.iter().any(|f| f.severity >= level));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Rows under a header, each column as wide as its widest cell; numbers right-aligned.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..header.len())
        .map(|i| {
            !rows.is_empty()
                && rows.iter().all(|row| {
                    row[i]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_digit() || c == '+' || c == '-')
                })
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut text = String::from("  ");
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            let last = i + 1 == cells.len();
            if numeric[i] {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                if !last {
                    text.push_str(&" ".repeat(pad));
                }
            }
            if !last {
                text.push_str("  ");
            }
        }
        text.trim_end().to_owned()
    };
    let _ = writeln!(out, "{}", line(header.to_vec()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

fn render(report: &StatsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}{}), {}",
        report.database,
        report.server,
        if report.is_replica { ", replica" } else { "" },
        report.size_bytes.map_or_else(String::new, bytes)
    );
    if let Some(growth) = &report.growth
        && let Some(change) = growth.database_bytes
    {
        let _ = writeln!(
            out,
            "grew {} since {}",
            signed_bytes(change),
            growth.since.format("%Y-%m-%d %H:%M UTC")
        );
    }
    if let Some(c) = &report.connections {
        let states = c
            .by_state
            .iter()
            .map(|s| format!("{} {}", s.count, s.state))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "connections: {} of {}{} ({states})",
            c.total,
            c.max.map_or_else(|| "?".to_owned(), |m| m.to_string()),
            c.percent.map_or_else(String::new, |p| format!(", {p:.0}%")),
        );
    }
    if let Some(cache) = &report.cache {
        let ratio = |p: Option<f64>| p.map_or_else(|| "-".to_owned(), |p| format!("{p:.2}%"));
        let _ = writeln!(
            out,
            "cache hit: tables {}, indexes {}",
            ratio(cache.table_hit_percent),
            ratio(cache.index_hit_percent)
        );
    }
    if let Some(pages) = &report.pages {
        let _ = writeln!(
            out,
            "pages: {} of {} ({} free)",
            pages.page_count,
            bytes(pages.page_size),
            pages.freelist_count
        );
    }

    section(&mut out, "Findings");
    if report.findings.is_empty() {
        let _ = writeln!(out, "  none");
    } else {
        let rows: Vec<Vec<String>> = report
            .findings
            .iter()
            .map(|f| {
                vec![
                    f.code.clone(),
                    f.severity.as_str().to_owned(),
                    f.title.clone(),
                ]
            })
            .collect();
        table(&mut out, &["CODE", "SEVERITY", "WHAT"], &rows);
        for f in &report.findings {
            if let Some(detail) = &f.detail {
                let _ = writeln!(out, "  {}: {}", f.code, one_line(detail, 200));
            }
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "    fix: {fix}");
            }
        }
    }

    if !report.sessions.is_empty() {
        section(&mut out, "Sessions (not idle)");
        let rows: Vec<Vec<String>> = report
            .sessions
            .iter()
            .map(|s| {
                vec![
                    s.pid.to_string(),
                    s.state.clone().unwrap_or_default(),
                    s.transaction_seconds
                        .map_or_else(|| "-".to_owned(), format_seconds),
                    s.query_seconds
                        .map_or_else(|| "-".to_owned(), format_seconds),
                    s.wait.clone().unwrap_or_default(),
                    one_line(s.query.as_deref().unwrap_or(""), 60),
                ]
            })
            .collect();
        table(
            &mut out,
            &["PID", "STATE", "XACT", "QUERY AGE", "WAITS FOR", "QUERY"],
            &rows,
        );
    }
    if !report.lock_waits.is_empty() {
        section(&mut out, "Lock waits");
        for wait in &report.lock_waits {
            let _ = writeln!(
                out,
                "  {} ({}) waiting {}",
                wait.pid,
                one_line(wait.query.as_deref().unwrap_or(""), 60),
                format_seconds(wait.waiting_seconds)
            );
            for link in &wait.chain {
                let _ = writeln!(
                    out,
                    "    ← {} [{}] {}",
                    link.pid,
                    link.state.as_deref().unwrap_or("?"),
                    one_line(link.query.as_deref().unwrap_or(""), 60)
                );
            }
        }
    }

    section(&mut out, "Top queries");
    match &report.queries {
        TopQueries::Unavailable { reason, enable } => {
            let _ = writeln!(out, "  none: {reason}");
            if !enable.is_empty() {
                let _ = writeln!(out, "  to turn them on: {enable}");
            }
        }
        TopQueries::Available {
            by_total_time,
            by_mean_time,
        } => {
            for (title, list) in [
                ("by total time", by_total_time),
                ("by mean time", by_mean_time),
            ] {
                let _ = writeln!(out, "  {title}");
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|q| {
                        vec![
                            format!("{:.1}", q.total_ms),
                            format!("{:.2}", q.mean_ms),
                            q.calls.to_string(),
                            q.rows.to_string(),
                            format!("{:.1}%", q.percent_of_total),
                            one_line(&q.query, 70),
                        ]
                    })
                    .collect();
                table(
                    &mut out,
                    &["TOTAL MS", "MEAN MS", "CALLS", "ROWS", "SHARE", "QUERY"],
                    &rows,
                );
            }
        }
    }

    if !report.tables.is_empty() {
        section(&mut out, "Largest tables");
        let rows: Vec<Vec<String>> = report
            .tables
            .iter()
            .take(15)
            .map(|t| {
                vec![
                    t.qualified_name(),
                    bytes(t.total_bytes),
                    bytes(t.table_bytes),
                    bytes(t.index_bytes),
                    t.rows.map_or_else(|| "-".to_owned(), |r| r.to_string()),
                    t.growth
                        .map_or_else(|| "-".to_owned(), |g| signed_bytes(g.bytes)),
                ]
            })
            .collect();
        table(
            &mut out,
            &["TABLE", "TOTAL", "DATA", "INDEXES", "ROWS", "GROWTH"],
            &rows,
        );
        let mut dead: Vec<_> = report
            .tables
            .iter()
            .filter(|t| t.dead_rows.is_some_and(|d| d > 0) || t.last_vacuum.is_some())
            .collect();
        dead.sort_by_key(|t| std::cmp::Reverse(t.dead_rows));
        if !dead.is_empty() {
            section(&mut out, "Vacuum and analyze");
            let age = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(
                    || "never".to_owned(),
                    |t| {
                        format!(
                            "{} ago",
                            format_seconds((report.taken_at - t).num_seconds() as f64)
                        )
                    },
                )
            };
            let rows: Vec<Vec<String>> = dead
                .iter()
                .take(15)
                .map(|t| {
                    vec![
                        t.qualified_name(),
                        t.dead_rows.unwrap_or(0).to_string(),
                        t.dead_percent
                            .map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%")),
                        age(t.last_vacuum),
                        age(t.last_analyze),
                    ]
                })
                .collect();
            table(
                &mut out,
                &[
                    "TABLE",
                    "DEAD ROWS",
                    "DEAD/LIVE",
                    "LAST VACUUM",
                    "LAST ANALYZE",
                ],
                &rows,
            );
        }
    }
    if !report.indexes.is_empty() {
        section(&mut out, "Largest indexes");
        let rows: Vec<Vec<String>> = report
            .indexes
            .iter()
            .take(10)
            .map(|i| {
                vec![
                    i.name.clone(),
                    i.table.clone(),
                    bytes(i.bytes),
                    i.scans.map_or_else(|| "-".to_owned(), |s| s.to_string()),
                ]
            })
            .collect();
        table(&mut out, &["INDEX", "TABLE", "SIZE", "SCANS"], &rows);
    }
    if !report.replication.is_empty() {
        section(&mut out, "Replication");
        let rows: Vec<Vec<String>> = report
            .replication
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.lag_seconds.map_or_else(|| "-".to_owned(), format_seconds),
                    r.lag_bytes.map_or_else(|| "-".to_owned(), bytes),
                ]
            })
            .collect();
        table(&mut out, &["REPLICA", "LAG", "WAL BEHIND"], &rows);
    }
    if let Some(snapshot) = &report.snapshot {
        let _ = writeln!(
            out,
            "\nSnapshot stored ({} kept, {} past the retention deleted).",
            snapshot.kept, snapshot.deleted
        );
    }
    out
}
