//! `drydock lint`: finds migration SQL that loses data, blocks traffic with long locks or
//! rewrites, breaks app versions still running, or misuses transactions.
//!
//! Each file is split with the dialect's statement scanner, and each statement read on its own
//! with the dialect's grammar (`sqlparser`'s PostgreSQL, SQLite or MySQL dialect), so positions
//! map back to the file and one unreadable statement leaves the rest checked. Each rule names
//! the grammars it knows (PostgreSQL's lock levels, MySQL's online DDL, or any). Rules live one
//! per file under [`rules`]; what they know about the schema comes from the statements read
//! before (all files of a run, in order) and, when the caller passes one, from a live database
//! through [`Facts`].
//!
//! ```text
//! error[D4201 require-concurrent-index]: `CREATE INDEX` on "User" takes a SHARE lock …
//!   --> migrations/20240101000000_add_user_email_index/migration.sql:1:1
//! ```

mod facts;
pub mod fix;
pub mod locks;
mod mysql_ddl;
mod names;
pub mod report;
mod rule;
pub mod rules;
mod server;
mod source;
mod state;
mod types;

use drydock_connector::Dialect;
use drydock_diagnostics::{Files, Span};

pub use facts::{ConnectionFacts, Facts, LiveColumn, LiveTable, NoFacts, TableSize};
pub use locks::{PgLock, StatementLock, Work};
pub use names::TableName;
pub use rule::{Category, Finding, Level, RuleInfo, SizeRule};
pub use server::ServerVersion;

use crate::rules::Cx;
use crate::state::{FileState, History};

/// The `--max-rows` default: a table with fewer rows is small enough that an index build or a
/// rewrite on it is over in moments.
pub const DEFAULT_MAX_ROWS: u64 = 10_000;

/// How to lint.
#[derive(Clone, Copy)]
pub struct LintOptions<'d> {
    /// The project's database: its statement scanner splits files, and its grammar picks the
    /// rules (each rule names the grammars it knows).
    pub dialect: &'d dyn Dialect,
    /// Tables with fewer rows (per the live database) get notes instead of errors for index
    /// builds, scans and rewrites.
    pub max_rows: u64,
    /// The migrations are applied by `drydock migrate deploy`, which sets `lock_timeout`
    /// (`lock_wait_timeout` on MySQL) for every migration: the rules asking files to set it
    /// themselves are off.
    pub deployed_by_drydock: bool,
}

/// One file to lint.
#[derive(Debug, Clone)]
pub struct MigrationFile {
    /// The path shown in findings.
    pub path: String,
    pub text: String,
    /// The migration's name (its folder's name without the timestamp), when the file is a
    /// migration of a migrations folder; the naming rule checks it.
    pub migration_name: Option<String>,
}

/// Everything a run found.
#[derive(Debug)]
pub struct Report {
    pub files: Files,
    /// Sorted by file, then position.
    pub findings: Vec<Finding>,
    /// Remarks about the run itself (rules that did not run, and why).
    pub notices: Vec<String>,
    /// Every statement read, in order, with the lock it takes and its work ([`locks`]).
    pub statements: Vec<StatementLock>,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// Whether the run fails: any error, or any warning when warnings count as errors.
    pub fn fails(&self, warnings_as_errors: bool) -> bool {
        self.findings
            .iter()
            .any(|f| f.level == Level::Error || (warnings_as_errors && f.level == Level::Warning))
    }
}

/// Lints `files` in order; earlier files are the history later ones are read against.
pub fn lint(files: Vec<MigrationFile>, options: &LintOptions<'_>, facts: &mut dyn Facts) -> Report {
    let capabilities = options.dialect.capabilities();
    let grammar = capabilities.sql_grammar;
    let live = knows_locks(options.dialect);
    let mut notices = Vec::new();
    if !live {
        notices.push(format!(
            "{} project: only the data-loss and naming rules run, because the linter does not \
             know this database's lock levels",
            options.dialect.provider()
        ));
    }
    // The timeout rules ask a file to set what `drydock migrate deploy` sets itself.
    let enabled = |rule: &RuleInfo| {
        rule.grammars.contains(&grammar)
            && !(options.deployed_by_drydock && rule.category == Category::Timeouts)
    };
    let (server_major, server) = if live {
        (
            facts.server_major_version(),
            facts
                .server_version()
                .as_deref()
                .and_then(ServerVersion::parse),
        )
    } else {
        (None, None)
    };
    let mut all = Files::new();
    let mut findings = Vec::new();
    let mut statements = Vec::new();
    let mut history = History::default();
    // Files come in the order of their history: the first with a migration name starts it.
    let mut first_migration = true;
    for file in files {
        let id = all.add(file.path.clone(), file.text.clone());
        let parsed = source::parse_file(&file.text, options.dialect);
        let ignored = |rule: &RuleInfo, local: &[String]| {
            parsed
                .file_ignores
                .iter()
                .chain(local)
                .any(|name| name == "*" || names_rule(name, rule))
        };
        if let Some(name) = &file.migration_name
            && enabled(&rules::migration_name::RULE)
            && !ignored(&rules::migration_name::RULE, &[])
            && let Some(message) = rules::migration_name::check(name, first_migration)
        {
            let first_line = file.text.find('\n').unwrap_or(file.text.len());
            findings.push(Finding {
                rule: &rules::migration_name::RULE,
                level: rules::migration_name::RULE.level,
                message,
                help: rules::migration_name::RULE.help.to_owned(),
                span: Span::new(id, 0, first_line),
            });
        }
        if file.migration_name.is_some() {
            first_migration = false;
        }
        let mut state = FileState::default();
        for (index, statement) in parsed.statements.iter().enumerate() {
            // Only a table this file did not create can be live.
            let live_table = if live {
                mysql_ddl::changed_table(statement)
                    .filter(|table| !state.is_new(table))
                    .and_then(|table| facts.live_table(&table))
            } else {
                None
            };
            let cx = Cx {
                statement,
                file: &state,
                history: &history,
                later: parsed.statements.get(index + 1..).unwrap_or(&[]),
                server_major,
                server: server.as_ref(),
                live: live_table.as_ref(),
            };
            let (lock, work) = locks::classify(&cx);
            statements.push(StatementLock {
                span: Span::new(id, statement.range.start, statement.range.end),
                lock,
                work,
            });
            let mut hits = Vec::new();
            for (rule, check) in rules::STATEMENT_RULES {
                if enabled(rule) {
                    check(&cx, &mut hits);
                }
            }
            for hit in hits {
                if ignored(hit.rule, &statement.ignores) {
                    continue;
                }
                state.reported.insert(hit.rule.code);
                let rule = hit.rule;
                let (level, message) = judge_size(hit, facts, options.max_rows);
                findings.push(Finding {
                    rule,
                    level,
                    message,
                    help: rule.help.to_owned(),
                    span: Span::new(id, statement.range.start, statement.range.end),
                });
            }
            history.learn(
                &mut state,
                statement,
                live_table.as_ref().and_then(|live| live.row_versions),
            );
        }
        history.finish_file();
    }
    findings.sort_by_key(|f| (f.span.file, f.span.start, f.rule.code));
    Report {
        files: all,
        findings,
        notices,
        statements,
    }
}

/// A hit's level and message once the size of its table is known: small or empty tables make
/// a note, an unknown size (no live facts) makes an error a warning.
fn judge_size(hit: rules::Hit, facts: &mut dyn Facts, max_rows: u64) -> (Level, String) {
    let level = hit.level.unwrap_or(hit.rule.level);
    let mut message = hit.message;
    if !hit.rule.size.depends_on_size() {
        return (level, message);
    }
    let size = hit.table.as_ref().and_then(|table| facts.table_size(table));
    let table = hit
        .table
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    match (hit.rule.size, size) {
        (SizeRule::GrowsWithTable, Some(size)) if size.rows < max_rows => {
            message.push_str(&format!(
                " (`{table}` is small: about {} rows, {}, under the {max_rows}-row threshold)",
                size.rows,
                human_bytes(size.bytes),
            ));
            (Level::Note, message)
        }
        (SizeRule::FailsWithRows, Some(size)) if size.rows == 0 => {
            message.push_str(&format!(" (`{table}` is empty)"));
            (Level::Note, message)
        }
        (SizeRule::FailsWithRows, Some(size)) => {
            message.push_str(&format!(" (`{table}` has about {} rows)", size.rows));
            (level, message)
        }
        (_, None) if !facts.is_live() && level == Level::Error => {
            message.push_str(" (a warning: without `--url` the table's size is unknown)");
            (Level::Warning, message)
        }
        _ => (level, message),
    }
}

/// Whether the linter knows `dialect`'s lock levels: the lock rules of its grammar run and live
/// facts apply.
pub fn knows_locks(dialect: &dyn Dialect) -> bool {
    dialect.capabilities().lock_aware_lint
}

/// Whether an ignore comment's word names `rule` (by name or code, any case).
fn names_rule(word: &str, rule: &RuleInfo) -> bool {
    word.eq_ignore_ascii_case(rule.name) || word.eq_ignore_ascii_case(rule.code)
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "kB", "MB", "GB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 10 * 1024 && unit + 1 < UNITS.len() {
        value /= 1024;
        unit += 1;
    }
    format!("{value} {}", UNITS[unit])
}
