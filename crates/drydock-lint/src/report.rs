//! The three output formats of a [`Report`]: terminal text, JSON (documented in
//! `docs/json-output.md`) and GitHub Actions workflow annotations.

use drydock_diagnostics::{Diagnostic, Files, Span, line_col};
use serde_json::json;

use crate::{Finding, Level, Report};

/// The `version` field of the JSON output; raised only when a field changes meaning or goes.
pub const JSON_VERSION: u32 = 1;

/// Terminal output: each finding as `level[CODE name]: message`, its place, the statement's
/// first line with carets and the help, then the notices and a summary line.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for notice in &report.notices {
        out.push_str(&format!("note: {notice}\n\n"));
    }
    for finding in &report.findings {
        let diagnostic =
            Diagnostic::warning(finding.rule.code, finding.message.clone(), finding.span)
                .with_help(finding.help.clone());
        let rendered = diagnostic.render(&report.files);
        // The shared renderer knows errors and warnings only; the header is written here so
        // notes and the rule's name show too.
        let body = rendered.split_once('\n').map_or("", |(_, body)| body);
        out.push_str(&format!(
            "{}[{} {}]: {}\n{body}\n",
            finding.level.label(),
            finding.rule.code,
            finding.rule.name,
            finding.message
        ));
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// `2 errors, 1 warning, 0 notes in 3 files`.
pub fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}, {} in {}",
        plural(report.count(Level::Error), "error"),
        plural(report.count(Level::Warning), "warning"),
        plural(report.count(Level::Note), "note"),
        plural(report.files.len(), "file"),
    )
}

/// Where a finding is: file name, start line and column, end line and column (1-based).
struct Place<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    snippet: &'a str,
}

fn place<'a>(files: &'a Files, span: Span) -> Place<'a> {
    let Some(file) = files.get(span.file) else {
        return Place {
            file: "",
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            snippet: "",
        };
    };
    let text = file.text.as_str();
    let (line, column) = line_col(text, span.start);
    let (end_line, end_column) = line_col(text, span.end);
    let snippet = text
        .get(span.start.min(text.len())..span.end.min(text.len()))
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("")
        .trim_end();
    Place {
        file: &file.name,
        line,
        column,
        end_line,
        end_column,
        snippet,
    }
}

/// The JSON report as a value.
pub fn to_json(report: &Report) -> serde_json::Value {
    let findings: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|finding| finding_json(&report.files, finding))
        .collect();
    json!({
        "version": JSON_VERSION,
        "findings": findings,
        "summary": {
            "errors": report.count(Level::Error),
            "warnings": report.count(Level::Warning),
            "notes": report.count(Level::Note),
            "files": report.files.len(),
        },
        "notices": report.notices,
    })
}

fn finding_json(files: &Files, finding: &Finding) -> serde_json::Value {
    let at = place(files, finding.span);
    json!({
        "file": at.file,
        "line": at.line,
        "column": at.column,
        "end_line": at.end_line,
        "end_column": at.end_column,
        "code": finding.rule.code,
        "rule": finding.rule.name,
        "level": finding.level.label(),
        "message": finding.message,
        "help": finding.help,
        "snippet": at.snippet,
    })
}

/// GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per
/// finding, shown on the pull request's diff.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for notice in &report.notices {
        out.push_str(&format!("::notice::{}\n", escape_data(notice)));
    }
    for finding in &report.findings {
        let at = place(&report.files, finding.span);
        let command = match finding.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        out.push_str(&github_annotation(
            command,
            &Annotated {
                file: at.file,
                line: at.line,
                column: at.column,
                end_line: at.end_line,
            },
            &format!("{} {}", finding.rule.code, finding.rule.name),
            &format!("{} ({})", finding.message, finding.help),
        ));
    }
    out
}

/// Where a GitHub Actions annotation points.
pub struct Annotated<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
}

/// One GitHub Actions workflow command line (`::error file=…::message`), escaped.
pub fn github_annotation(command: &str, at: &Annotated<'_>, title: &str, message: &str) -> String {
    format!(
        "::{command} file={},line={},col={},endLine={},title={}::{}\n",
        escape_property(at.file),
        at.line,
        at.column,
        at.end_line,
        escape_property(title),
        escape_data(message),
    )
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
