//! Batched data migrations (backfills).
//!
//! A `-- drydock:backfill key="id" batch=10000 pause=20ms` comment right before an `UPDATE`
//! makes drydock run that statement in windows of the key, each batch in its own transaction
//! together with its progress row in `_drydock_backfills`: an interrupted run resumes after the
//! last committed batch. Prisma ignores the comment and runs the same file as one plain
//! `UPDATE`. The SQL sent is dialect-neutral (key values travel as text literals, which
//! PostgreSQL and SQLite coerce to the key's type).

use std::ops::{ControlFlow, Range};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
pub use drydock_connector::BACKFILL_TABLE;
use drydock_connector::sql_scan::{self, LexicalRules, Token, TokenKind};
use drydock_connector::{Connection, ConnectorError, ScriptError};
use serde::Serialize;

/// The word a line comment starts with to announce a backfill.
pub const BACKFILL_DIRECTIVE: &str = "drydock:backfill";

/// Rows per batch when the directive does not say.
pub const DEFAULT_BATCH_SIZE: u64 = 10_000;

/// What the directive asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillDirective {
    /// SQL expression of a unique, ordered key of the updated table.
    pub key: String,
    /// Rows per batch (per key window).
    pub batch_size: u64,
    /// Sleep between two batches.
    pub pause: Duration,
    /// A query returning the count of rows still wrong, which must be 0 at the end.
    pub verify: Option<String>,
}

/// The parts of the announced `UPDATE` that batching rewrites and counts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillUpdate {
    /// The updated table as written (possibly schema-qualified and quoted).
    table: String,
    /// What follows `UPDATE` up to `SET`: `[ONLY] table [[AS] alias]`, for `FROM` clauses.
    relation: String,
    /// The list after a top-level `FROM` (an update joining other tables).
    from: Option<String>,
    /// The statement up to its top-level `WHERE`, or the whole statement without its `;`.
    head: String,
    /// The top-level `WHERE` condition.
    condition: Option<String>,
    /// The database reads a backslash in a string literal as an escape (MySQL's default).
    backslash_escapes: bool,
}

impl BackfillUpdate {
    /// The updated table as written in the statement.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// `value` as a text literal of this database.
    fn literal(&self, value: &str) -> String {
        text_literal(value, self.backslash_escapes)
    }

    /// The statement restricted to the key window `(after, upto]` (no lower bound for the
    /// first window).
    fn batch_statement(&self, key: &str, after: Option<&str>, upto: &str) -> String {
        let mut window = String::new();
        if let Some(after) = after {
            window.push_str(&format!("{key} > {} AND ", self.literal(after)));
        }
        window.push_str(&format!("{key} <= {}", self.literal(upto)));
        match &self.condition {
            Some(condition) => format!("{}WHERE ({condition}) AND {window}", self.head),
            None => format!("{} WHERE {window}", self.head),
        }
    }

    /// Counts the rows the statement matches, only those after key `after` when given.
    fn count_query(&self, key: &str, after: Option<&str>) -> String {
        let mut sql = format!("SELECT count(*) FROM {}", self.relation);
        if let Some(from) = &self.from {
            sql.push_str(&format!(", {from}"));
        }
        let mut conditions = Vec::new();
        if let Some(condition) = &self.condition {
            conditions.push(format!("({condition})"));
        }
        if let Some(after) = after {
            conditions.push(format!("{key} > {}", self.literal(after)));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql
    }

    /// The last key of the next window: of the first `batch_size` keys after `after`. No
    /// `max()`, which some key types (PostgreSQL's `uuid`) lack.
    fn window_query(&self, key: &str, after: Option<&str>, batch_size: u64) -> String {
        let filter = match after {
            Some(after) => format!("{key} > {}", self.literal(after)),
            None => format!("{key} IS NOT NULL"),
        };
        format!(
            "SELECT drydock_key FROM (SELECT {key} AS drydock_key FROM {} WHERE {filter} \
             ORDER BY {key} LIMIT {batch_size}) AS drydock_window ORDER BY drydock_key DESC \
             LIMIT 1",
            self.relation
        )
    }
}

/// A statement announced as a backfill: the directive and the `UPDATE` it batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backfill {
    pub directive: BackfillDirective,
    pub update: BackfillUpdate,
}

impl Backfill {
    /// The query whose result must be 0 at the end: `verify`, or else the count of rows still
    /// matching the statement's `WHERE`. `None` for an `UPDATE` without `WHERE` and `verify`.
    pub fn verification_query(&self) -> Option<String> {
        match (&self.directive.verify, &self.update.condition) {
            (Some(verify), _) => Some(verify.clone()),
            (None, Some(_)) => Some(self.update.count_query(&self.directive.key, None)),
            (None, None) => None,
        }
    }
}

/// Where a backfill stands, after each batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BackfillProgress {
    /// Rows changed so far, by earlier interrupted runs too.
    pub rows_done: u64,
    /// Rows to change in all: counted at the start, raised when rows inserted meanwhile are
    /// caught up.
    pub rows_total: u64,
    /// Batches committed by this run.
    pub batches: u64,
    /// Rows per second over this run, pauses included.
    pub rate_per_sec: f64,
    /// Time left at the current rate; `None` before anything was changed.
    pub eta: Option<Duration>,
}

/// What a backfill did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackfillReport {
    /// Rows changed, by earlier interrupted runs too.
    pub rows: u64,
    /// Batches committed by this run.
    pub batches: u64,
    /// This run.
    #[serde(rename = "duration_ms", serialize_with = "crate::serialize_millis")]
    pub duration: Duration,
    /// The key after which this run resumed an interrupted one.
    pub resumed_from: Option<String>,
    /// The backfill had finished before: this run changed nothing.
    pub already_finished: bool,
}

/// A backfill that started and did not finish, as its progress row tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedBackfill {
    /// Index of the statement among the migration's statements (as the dialect splits them).
    pub statement_index: usize,
    /// The last key of the last committed batch; `None` before the first.
    pub last_key: Option<String>,
    pub rows_done: u64,
}

/// A directive that cannot be followed, at a byte offset of the statement it precedes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}. {help}")]
pub struct DirectiveError {
    /// Byte offset in the statement text.
    pub offset: usize,
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl DirectiveError {
    fn new(offset: usize, message: impl Into<String>, help: impl Into<String>) -> Self {
        DirectiveError {
            offset,
            message: message.into(),
            help: help.into(),
        }
    }

    /// This error as a [`BackfillError`] positioned in `script`, the statement starting at
    /// byte `statement_start` of it.
    pub fn in_script(self, script: &str, statement_start: usize) -> BackfillError {
        let (line, column) = line_column(script, statement_start + self.offset);
        BackfillError::Directive {
            path: None,
            line,
            column,
            message: self.message,
            help: self.help,
        }
    }
}

/// Errors of backfills. Every variant has a stable code ([`BackfillError::code`]) and says what
/// to do next.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error(
        "{}{line}:{column}: {message}: {help}",
        path.as_deref().map(|p| format!("{}:", p.display())).unwrap_or_default()
    )]
    Directive {
        /// The `migration.sql` it is in, once known ([`BackfillError::in_file`]).
        path: Option<std::path::PathBuf>,
        line: usize,
        column: usize,
        message: String,
        help: String,
    },

    #[error("the backfill query `{query}` failed: {source}")]
    Query {
        query: String,
        #[source]
        source: ConnectorError,
    },

    #[error(
        "backfill batch {batch} of this run failed: {source}. {rows_done} rows in batches before \
         it are committed{after}; fix the cause and run the migration again, the backfill \
         resumes after the last committed batch",
        after = last_key.as_deref().map(|key| format!(" (up to key `{key}`)")).unwrap_or_default()
    )]
    Batch {
        /// 1 for this run's first batch.
        batch: u64,
        rows_done: u64,
        last_key: Option<String>,
        #[source]
        source: ScriptError,
    },

    #[error(
        "the backfill was interrupted after {rows_done} rows{after}, all committed. Run the \
         migration again to resume after them",
        after = last_key.as_deref().map(|key| format!(" (up to key `{key}`)")).unwrap_or_default()
    )]
    Interrupted {
        rows_done: u64,
        last_key: Option<String>,
    },

    #[error(
        "backfill verification failed: {remaining} rows are still wrong according to `{query}`. \
         Its batches are committed; update those rows (or delete the backfill's row in \
         `{BACKFILL_TABLE}` to run it from the start), then run the migration again"
    )]
    VerificationFailed { remaining: u64, query: String },

    #[error(
        "the backfill verification query `{query}` must return one number, the count of rows \
         still wrong, but it returned {found}. Fix its `verify` option"
    )]
    VerifyNotANumber { query: String, found: String },
}

impl BackfillError {
    /// This error, a directive's, placed in the file `script_path`.
    pub fn in_file(self, script_path: &std::path::Path) -> BackfillError {
        match self {
            BackfillError::Directive {
                path: None,
                line,
                column,
                message,
                help,
            } => BackfillError::Directive {
                path: Some(script_path.to_owned()),
                line,
                column,
                message,
                help,
            },
            other => other,
        }
    }

    /// The stable error code shown to users.
    pub fn code(&self) -> &'static str {
        match self {
            BackfillError::Directive { .. } => "D3060",
            BackfillError::Query { .. } => "D3061",
            BackfillError::Batch { .. } => "D3062",
            BackfillError::Interrupted { .. } => "D3063",
            BackfillError::VerificationFailed { .. } => "D3064",
            BackfillError::VerifyNotANumber { .. } => "D3065",
        }
    }
}

/// The backfill `statement` announces, if it carries the directive. `statement` is one
/// statement as the dialect splits scripts (comments before it belong to it); error offsets
/// are in it.
pub fn find_directive(
    statement: &str,
    rules: &LexicalRules,
) -> Option<Result<Backfill, DirectiveError>> {
    if !statement.contains(BACKFILL_DIRECTIVE) {
        return None;
    }
    let tokens = sql_scan::tokens(statement, rules);
    let comments = directive_comments(statement, &tokens, rules);
    let comment = comments.first()?;
    if let Some(second) = comments.get(1) {
        return Some(Err(DirectiveError::new(
            second.start,
            "a statement has two backfill directives",
            "keep one `-- drydock:backfill` line above the UPDATE",
        )));
    }
    Some(parse_directive(statement, comment).and_then(|directive| {
        let update = parse_update(statement, &tokens, rules.backslash_escapes)?;
        Ok(Backfill { directive, update })
    }))
}

/// The backfills of `script` with the indexes of their statements, every directive checked;
/// errors are positioned in `script`.
pub fn find_backfills(
    script: &str,
    rules: &LexicalRules,
) -> Result<Vec<(usize, Backfill)>, BackfillError> {
    let ranges = sql_scan::statement_ranges(script, rules);
    let mut backfills = Vec::new();
    for (index, range) in ranges.iter().enumerate() {
        let Some(statement) = script.get(range.clone()) else {
            continue;
        };
        match find_directive(statement, rules) {
            Some(Ok(backfill)) => backfills.push((index, backfill)),
            Some(Err(error)) => return Err(error.in_script(script, range.start)),
            None => {}
        }
    }
    // Comments after the last statement belong to none: a directive there announces nothing.
    let tail_start = ranges.last().map_or(0, |range| range.end);
    let tail = script.get(tail_start..).unwrap_or_default();
    let tokens = sql_scan::tokens(tail, rules);
    if let Some(comment) = directive_comments(tail, &tokens, rules).first() {
        return Err(DirectiveError::new(
            comment.start,
            "the backfill directive is not followed by a statement",
            "put it right above the UPDATE it batches, or remove it",
        )
        .in_script(script, tail_start));
    }
    Ok(backfills)
}

/// Whether a statement of `script` carries the backfill directive (valid or not): such a
/// migration runs outside a transaction, since each batch commits on its own.
pub fn script_has_backfill(script: &str, rules: &LexicalRules) -> bool {
    sql_scan::statement_ranges(script, rules)
        .into_iter()
        .filter_map(|range| script.get(range))
        .filter(|statement| statement.contains(BACKFILL_DIRECTIVE))
        .any(|statement| {
            !directive_comments(statement, &sql_scan::tokens(statement, rules), rules).is_empty()
        })
}

/// Run `backfill`, statement `statement_index` of migration `migration_name`, in batches, then
/// verify it. Resumes after the last committed batch of an earlier run; does nothing when an
/// earlier run finished. `on_progress` is told after each batch; breaking stops the backfill
/// with [`BackfillError::Interrupted`], its batches committed.
pub fn run_backfill(
    conn: &mut dyn Connection,
    migration_name: &str,
    statement_index: usize,
    backfill: &Backfill,
    on_progress: &mut dyn FnMut(&BackfillProgress) -> ControlFlow<()>,
) -> Result<BackfillReport, BackfillError> {
    let started = Instant::now();
    let row = ProgressRow {
        migration_name,
        statement_index,
    };
    ensure_table(conn)?;
    let saved = row.read(conn)?;
    if let Some(saved) = &saved
        && saved.finished
    {
        return Ok(BackfillReport {
            rows: saved.rows_done,
            batches: 0,
            duration: started.elapsed(),
            resumed_from: None,
            already_finished: true,
        });
    }
    let (mut last_key, mut rows_done) = match saved {
        Some(saved) => (saved.last_key, saved.rows_done),
        None => {
            row.insert(conn)?;
            (None, 0)
        }
    };
    let resumed_from = last_key.clone();
    let BackfillDirective {
        key,
        batch_size,
        pause,
        ..
    } = &backfill.directive;
    let update = &backfill.update;
    let remaining = query_count(conn, update.count_query(key, last_key.as_deref()))?;
    let mut rows_total = rows_done.saturating_add(remaining);
    let mut batches = 0u64;
    let mut rows_this_run = 0u64;
    // A window past the keys that existed at the start catches up rows inserted meanwhile; the
    // first empty window ends the backfill.
    loop {
        let window = update.window_query(key, last_key.as_deref(), *batch_size);
        let Some(upto) = query_first(conn, &window)?.flatten() else {
            break;
        };
        if batches > 0 && !pause.is_zero() {
            std::thread::sleep(*pause);
        }
        let statement = update.batch_statement(key, last_key.as_deref(), &upto);
        let changed =
            run_batch(conn, &row, update, &statement, &upto, rows_done).map_err(|source| {
                BackfillError::Batch {
                    batch: batches + 1,
                    rows_done,
                    last_key: last_key.clone(),
                    source,
                }
            })?;
        rows_done = rows_done.saturating_add(changed);
        rows_this_run = rows_this_run.saturating_add(changed);
        rows_total = rows_total.max(rows_done);
        batches += 1;
        last_key = Some(upto);
        let progress = progress(rows_done, rows_total, batches, rows_this_run, started);
        if on_progress(&progress).is_break() {
            return Err(BackfillError::Interrupted {
                rows_done,
                last_key,
            });
        }
    }
    if let Some(query) = backfill.verification_query() {
        verify(conn, query)?;
    }
    row.finish(conn)?;
    Ok(BackfillReport {
        rows: rows_done,
        batches,
        duration: started.elapsed(),
        resumed_from,
        already_finished: false,
    })
}

/// The first backfill of `migration_name` that started and did not finish, if any: a failed
/// migration whose failing statement is this one can resume it by running the migration's
/// remaining statements from there. Creates `_drydock_backfills` when it does not exist.
pub fn unfinished_backfill(
    conn: &mut dyn Connection,
    migration_name: &str,
) -> Result<Option<UnfinishedBackfill>, BackfillError> {
    ensure_table(conn)?;
    let query = format!(
        "SELECT statement_index FROM {BACKFILL_TABLE} WHERE migration_name = {} AND \
         finished_at IS NULL ORDER BY statement_index",
        literal(migration_name)
    );
    let Some(index) = query_first(conn, &query)?.flatten() else {
        return Ok(None);
    };
    let statement_index = parse_number(&index)
        .and_then(|index| usize::try_from(index).ok())
        .ok_or_else(|| not_a_number(&query, &index))?;
    let row = ProgressRow {
        migration_name,
        statement_index,
    };
    Ok(row.read(conn)?.map(|saved| UnfinishedBackfill {
        statement_index,
        last_key: saved.last_key,
        rows_done: saved.rows_done,
    }))
}

/// One batch in its own transaction: the windowed `UPDATE`, then the progress row. Returns the
/// rows changed.
fn run_batch(
    conn: &mut dyn Connection,
    row: &ProgressRow<'_>,
    update: &BackfillUpdate,
    statement: &str,
    upto: &str,
    rows_done: u64,
) -> Result<u64, ScriptError> {
    conn.execute_script("BEGIN")?;
    let mut batch = || -> Result<u64, ScriptError> {
        let changed = conn.execute_counted(statement)?;
        conn.execute_script(
            &row.advance(&update.literal(upto), rows_done.saturating_add(changed)),
        )?;
        conn.execute_script("COMMIT")?;
        Ok(changed)
    };
    let result = batch();
    if result.is_err() {
        // The batch's own error is the one to report; a failed rollback leaves the session
        // for the caller's `abort_open_transaction` to find.
        let _ = conn.abort_open_transaction();
    }
    result
}

fn progress(
    rows_done: u64,
    rows_total: u64,
    batches: u64,
    rows_this_run: u64,
    started: Instant,
) -> BackfillProgress {
    let seconds = started.elapsed().as_secs_f64();
    let rate_per_sec = if seconds > 0.0 {
        rows_this_run as f64 / seconds
    } else {
        0.0
    };
    let left = rows_total.saturating_sub(rows_done) as f64;
    let eta = (rate_per_sec > 0.0)
        .then(|| Duration::try_from_secs_f64(left / rate_per_sec).ok())
        .flatten();
    BackfillProgress {
        rows_done,
        rows_total,
        batches,
        rate_per_sec,
        eta,
    }
}

fn verify(conn: &mut dyn Connection, query: String) -> Result<(), BackfillError> {
    let found = match query_first(conn, &query)? {
        Some(Some(text)) => match parse_number(&text) {
            Some(0) => return Ok(()),
            Some(remaining) => {
                return Err(BackfillError::VerificationFailed { remaining, query });
            }
            None => format!("`{text}`"),
        },
        Some(None) => "NULL".to_owned(),
        None => "no row".to_owned(),
    };
    Err(BackfillError::VerifyNotANumber { query, found })
}

/// Create `_drydock_backfills` when it does not exist, in SQL PostgreSQL, SQLite and MySQL all
/// take. Timestamps are RFC 3339 text in UTC.
fn ensure_table(conn: &mut dyn Connection) -> Result<(), BackfillError> {
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS {BACKFILL_TABLE} (migration_name VARCHAR(255) NOT NULL, \
         statement_index BIGINT NOT NULL, last_key TEXT, rows_done BIGINT NOT NULL, started_at \
         VARCHAR(64) NOT NULL, finished_at VARCHAR(64), PRIMARY KEY (migration_name, \
         statement_index))"
    );
    execute(conn, sql)
}

/// The progress row of one backfill.
struct ProgressRow<'a> {
    migration_name: &'a str,
    statement_index: usize,
}

/// What a progress row holds.
struct SavedProgress {
    last_key: Option<String>,
    rows_done: u64,
    finished: bool,
}

impl ProgressRow<'_> {
    fn filter(&self) -> String {
        format!(
            "migration_name = {} AND statement_index = {}",
            literal(self.migration_name),
            self.statement_index
        )
    }

    fn read(&self, conn: &mut dyn Connection) -> Result<Option<SavedProgress>, BackfillError> {
        let select = |column: &str| {
            format!(
                "SELECT {column} FROM {BACKFILL_TABLE} WHERE {}",
                self.filter()
            )
        };
        let query = select("rows_done");
        let Some(rows_done) = query_first(conn, &query)? else {
            return Ok(None);
        };
        let rows_done = rows_done.unwrap_or_default();
        let rows_done = parse_number(&rows_done).ok_or_else(|| not_a_number(&query, &rows_done))?;
        let last_key = query_first(conn, &select("last_key"))?.flatten();
        let finished = query_first(conn, &select("finished_at"))?
            .flatten()
            .is_some();
        Ok(Some(SavedProgress {
            last_key,
            rows_done,
            finished,
        }))
    }

    fn insert(&self, conn: &mut dyn Connection) -> Result<(), BackfillError> {
        let sql = format!(
            "INSERT INTO {BACKFILL_TABLE} (migration_name, statement_index, last_key, rows_done, \
             started_at, finished_at) VALUES ({}, {}, NULL, 0, {}, NULL)",
            literal(self.migration_name),
            self.statement_index,
            literal(&now())
        );
        execute(conn, sql)
    }

    /// The update recording a committed batch, run in the batch's transaction.
    /// `last_key` is written as a literal of the batched update's database.
    fn advance(&self, last_key: &str, rows_done: u64) -> String {
        format!(
            "UPDATE {BACKFILL_TABLE} SET last_key = {last_key}, rows_done = {rows_done} WHERE {}",
            self.filter()
        )
    }

    fn finish(&self, conn: &mut dyn Connection) -> Result<(), BackfillError> {
        let sql = format!(
            "UPDATE {BACKFILL_TABLE} SET finished_at = {} WHERE {}",
            literal(&now()),
            self.filter()
        );
        execute(conn, sql)
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn execute(conn: &mut dyn Connection, sql: String) -> Result<(), BackfillError> {
    conn.execute_script(&sql)
        .map_err(|error| BackfillError::Query {
            query: sql,
            source: ConnectorError::Query {
                message: error.message,
                db_code: error.db_code,
            },
        })
}

/// The first column of the first row of `query`: `None` without rows.
fn query_first(
    conn: &mut dyn Connection,
    query: &str,
) -> Result<Option<Option<String>>, BackfillError> {
    conn.query_texts(query)
        .map(|rows| rows.into_iter().next())
        .map_err(|source| BackfillError::Query {
            query: query.to_owned(),
            source,
        })
}

fn query_count(conn: &mut dyn Connection, query: String) -> Result<u64, BackfillError> {
    let value = query_first(conn, &query)?.flatten().unwrap_or_default();
    parse_number(&value).ok_or_else(|| not_a_number(&query, &value))
}

fn not_a_number(query: &str, value: &str) -> BackfillError {
    BackfillError::Query {
        query: query.to_owned(),
        source: ConnectorError::query(format!("expected a count, got `{value}`")),
    }
}

/// A non-negative whole number, as databases print counts (`12`, or `12.0` from a numeric).
fn parse_number(text: &str) -> Option<u64> {
    let text = text.trim();
    text.parse().ok().or_else(|| {
        let float: f64 = text.parse().ok()?;
        (float.is_finite() && float >= 0.0 && float.fract() == 0.0 && float < u64::MAX as f64)
            .then_some(float as u64)
    })
}

/// `value` as an SQL text literal.
fn literal(value: &str) -> String {
    text_literal(value, false)
}

/// `value` as an SQL text literal, its backslashes doubled where they would escape.
fn text_literal(value: &str, backslash_escapes: bool) -> String {
    let value = value.replace('\'', "''");
    if backslash_escapes {
        format!("'{}'", value.replace('\\', "\\\\"))
    } else {
        format!("'{value}'")
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

// Parsing.

/// The tokens of `text` from its first one that is not `;` (a stray `;` before a statement
/// belongs to it) to its last one that is not `;`.
fn code(tokens: &[Token]) -> &[Token] {
    let semicolon = |token: &Token| token.kind == TokenKind::Punct && token.text == ";";
    let start = tokens
        .iter()
        .position(|token| !semicolon(token))
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|token| !semicolon(token))
        .map_or(start, |last| last + 1);
    tokens.get(start..end).unwrap_or_default()
}

/// The directive comments among the comments that lead `text` (whose tokens are `tokens`),
/// each from its `--` to its line's end.
fn directive_comments(text: &str, tokens: &[Token], rules: &LexicalRules) -> Vec<Range<usize>> {
    let code_start = code(tokens)
        .first()
        .map_or(text.len(), |token| token.range.start);
    let leading = text.get(..code_start).unwrap_or_default();
    leading
        .match_indices("--")
        .filter_map(|(at, _)| {
            let line_end = leading[at..].find('\n').map_or(leading.len(), |n| at + n);
            let comment = leading.get(at + 2..line_end)?.trim_end_matches('\r');
            let rest = comment.trim_start().strip_prefix(BACKFILL_DIRECTIVE)?;
            (rest.is_empty() || rest.starts_with(char::is_whitespace))
                .then_some(at..at + 2 + comment.len())
        })
        .filter(|comment| opens_comment(leading, comment.start, rules))
        .collect()
}

/// Whether the `--` at `at` of `leading` (comments and whitespace) opens a comment rather than
/// being inside one: the scanner sees a word put there as SQL.
fn opens_comment(leading: &str, at: usize, rules: &LexicalRules) -> bool {
    let probe = format!("{}x", leading.get(..at).unwrap_or_default());
    sql_scan::tokens(&probe, rules)
        .last()
        .is_some_and(|token| token.range.start == at && token.kind == TokenKind::Word)
}

const OPTIONS_HELP: &str = "write it as `-- drydock:backfill key=\"id\" batch=10000 pause=20ms`; \
                            the options are key (required), batch, pause and verify";

/// The options of the directive comment at `comment` (from its `--` to its line's end). A value
/// is SQL as written up to a space outside double quotes or backticks (`key="userId"` names the
/// quoted column, `` key=`userId` `` on MySQL), or text in single quotes with a quote inside written twice (`verify='SELECT ...'`).
fn parse_directive(
    statement: &str,
    comment: &Range<usize>,
) -> Result<BackfillDirective, DirectiveError> {
    let line = statement.get(comment.clone()).unwrap_or_default();
    let options_at = line
        .find(BACKFILL_DIRECTIVE)
        .map_or(0, |n| n + BACKFILL_DIRECTIVE.len());
    let bytes = line.as_bytes();
    let mut key = None;
    let mut batch_size = None;
    let mut pause = None;
    let mut verify = None;
    let mut i = options_at;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let name_at = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = line.get(name_at..i).unwrap_or_default();
        let at = comment.start + name_at;
        if bytes.get(i) != Some(&b'=') {
            return Err(DirectiveError::new(
                at,
                format!("`{name}` is not an option of the backfill directive"),
                OPTIONS_HELP,
            ));
        }
        i += 1;
        let value_at = i;
        let unclosed = |at: usize, quote: char| {
            DirectiveError::new(
                comment.start + at,
                format!("the value of `{name}` has no closing {quote}"),
                "close the quotes; write a quote inside them twice",
            )
        };
        let value = if bytes.get(i) == Some(&b'\'') {
            let (value, end) = quoted_value(line, i, b'\'').ok_or_else(|| unclosed(i, '\''))?;
            i = end;
            if i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                return Err(DirectiveError::new(
                    comment.start + i,
                    format!("unexpected text after the quoted value of `{name}`"),
                    "separate options with spaces",
                ));
            }
            value
        } else {
            // SQL as written, up to a space outside its quoted identifiers.
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i = match bytes[i] {
                    quote @ (b'"' | b'`') => quoted_value(line, i, quote)
                        .map(|(_, end)| end)
                        .ok_or_else(|| unclosed(i, char::from(quote)))?,
                    _ => i + 1,
                };
            }
            line.get(value_at..i).unwrap_or_default().to_owned()
        };
        let value_at = comment.start + value_at;
        if value.trim().is_empty() {
            return Err(DirectiveError::new(
                value_at,
                format!("the option `{name}` has no value"),
                OPTIONS_HELP,
            ));
        }
        let slot_filled = match name {
            "key" => key.replace(value).is_some(),
            "batch" => batch_size
                .replace(parse_batch_size(&value).ok_or_else(|| {
                    DirectiveError::new(
                        value_at,
                        format!("`batch={value}` is not a number of rows"),
                        "write a whole number greater than 0, e.g. batch=10000",
                    )
                })?)
                .is_some(),
            "pause" => pause
                .replace(parse_pause(&value).ok_or_else(|| {
                    DirectiveError::new(
                        value_at,
                        format!("`pause={value}` is not a duration"),
                        "write a whole number with ms, s or m, e.g. pause=0ms, pause=50ms or \
                         pause=1s",
                    )
                })?)
                .is_some(),
            "verify" if value.starts_with('"') => {
                return Err(DirectiveError::new(
                    value_at,
                    "the `verify` query is in double quotes, which SQL reads as a name",
                    "write it in single quotes: verify='SELECT count(*) FROM ...'",
                ));
            }
            "verify" => verify.replace(value).is_some(),
            _ => {
                return Err(DirectiveError::new(
                    at,
                    format!("`{name}` is not an option of the backfill directive"),
                    OPTIONS_HELP,
                ));
            }
        };
        if slot_filled {
            return Err(DirectiveError::new(
                at,
                format!("the option `{name}` is given twice"),
                "keep one",
            ));
        }
    }
    let Some(key) = key else {
        return Err(DirectiveError::new(
            comment.start,
            "the backfill directive has no `key`",
            "name the unique, ordered column to batch by, e.g. `-- drydock:backfill key=\"id\"`",
        ));
    };
    Ok(BackfillDirective {
        key,
        batch_size: batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
        pause: pause.unwrap_or(Duration::ZERO),
        verify,
    })
}

/// The value quoted by `quote` at `start` of `line` (a doubled quote stands for itself) and the
/// index after its closing quote.
fn quoted_value(line: &str, start: usize, quote: u8) -> Option<(String, usize)> {
    let bytes = line.as_bytes();
    let mut value = Vec::new();
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                value.push(quote);
                i += 2;
                continue;
            }
            return Some((String::from_utf8_lossy(&value).into_owned(), i + 1));
        }
        value.push(bytes[i]);
        i += 1;
    }
    None
}

fn parse_batch_size(value: &str) -> Option<u64> {
    value.parse().ok().filter(|&n| n > 0)
}

fn parse_pause(value: &str) -> Option<Duration> {
    if value == "0" {
        return Some(Duration::ZERO);
    }
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let amount: u64 = value.get(..digits)?.parse().ok()?;
    match value.get(digits..)? {
        "ms" => Some(Duration::from_millis(amount)),
        "s" => Some(Duration::from_secs(amount)),
        "m" => amount.checked_mul(60).map(Duration::from_secs),
        _ => None,
    }
}

const PLAIN_UPDATE: &str = "a backfill batches a plain `UPDATE <table> [[AS] alias] SET ... \
                            [FROM ...] [WHERE ...]`";

/// The parts of the `UPDATE` in `statement`, whose tokens are `tokens`.
fn parse_update(
    statement: &str,
    tokens: &[Token],
    backslash_escapes: bool,
) -> Result<BackfillUpdate, DirectiveError> {
    let code = code(tokens);
    // The text from the first to the last of `tokens`, as written (comments inside included).
    let span = |tokens: &[Token]| -> String {
        match (tokens.first(), tokens.last()) {
            (Some(first), Some(last)) => statement
                .get(first.range.start..last.range.end)
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        }
    };
    let Some(update) = code.first().filter(|token| token.is_keyword("UPDATE")) else {
        let (at, found) = code.first().map_or((0, "nothing".to_owned()), |token| {
            (
                token.range.start,
                format!("`{}`", span(std::slice::from_ref(token))),
            )
        });
        return Err(DirectiveError::new(
            at,
            format!("the backfill directive must stand right before an UPDATE, not {found}"),
            "move the directive above the UPDATE it batches, or remove it",
        ));
    };
    let mut depth = 0usize;
    let mut set = None;
    let mut from = None;
    let mut where_ = None;
    for (n, token) in code.iter().enumerate().skip(1) {
        match token.kind {
            TokenKind::Punct if token.text == "(" => depth += 1,
            TokenKind::Punct if token.text == ")" => depth = depth.saturating_sub(1),
            TokenKind::Word if depth == 0 => {
                let word = token.text.to_ascii_uppercase();
                match word.as_str() {
                    "OR" if n == 1 => {
                        return Err(DirectiveError::new(
                            token.range.start,
                            format!("`UPDATE OR ...` cannot be batched: {PLAIN_UPDATE}"),
                            "remove the conflict clause, or remove the directive",
                        ));
                    }
                    "SET" if set.is_none() => set = Some(n),
                    // `a IS DISTINCT FROM b` is an expression, not the clause.
                    "FROM"
                        if set.is_some()
                            && from.is_none()
                            && where_.is_none()
                            && !code[n - 1].is_keyword("DISTINCT") =>
                    {
                        from = Some(n);
                    }
                    "WHERE" if set.is_some() && where_.is_none() => where_ = Some(n),
                    "RETURNING" if set.is_some() => {
                        return Err(DirectiveError::new(
                            token.range.start,
                            "a backfill cannot return rows",
                            "remove RETURNING, or remove the directive",
                        ));
                    }
                    "ORDER" | "LIMIT" if set.is_some() => {
                        return Err(DirectiveError::new(
                            token.range.start,
                            format!("a backfill cannot have {word}: its batches pick the rows"),
                            format!("remove {word}, or remove the directive"),
                        ));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let Some(set) = set else {
        return Err(DirectiveError::new(
            update.range.start,
            format!("this UPDATE has no SET: {PLAIN_UPDATE}"),
            "write the UPDATE in full, or remove the directive",
        ));
    };
    let relation = &code[1..set];
    let target = match relation {
        [only, rest @ ..] if only.is_keyword("ONLY") && !rest.is_empty() => rest,
        _ => relation,
    };
    let Some(table) = table_name(target) else {
        let at = target.first().unwrap_or(&code[set]).range.start;
        return Err(DirectiveError::new(
            at,
            format!("cannot read the table this UPDATE changes: {PLAIN_UPDATE}"),
            "write the table as `name`, `schema.name` or quoted, optionally with an alias",
        ));
    };
    let end = where_.unwrap_or(code.len());
    let from = match from {
        Some(from) if from + 1 == end => {
            return Err(DirectiveError::new(
                code[from].range.start,
                "the FROM of this UPDATE names no table",
                "complete it, or remove FROM",
            ));
        }
        Some(from) => Some(span(&code[from + 1..end])),
        None => None,
    };
    let (head, condition) = match where_ {
        Some(where_) if where_ + 1 == code.len() => {
            return Err(DirectiveError::new(
                code[where_].range.start,
                "the WHERE of this UPDATE has no condition",
                "complete the condition, or remove WHERE",
            ));
        }
        Some(where_) => (
            statement
                .get(update.range.start..code[where_].range.start)
                .unwrap_or_default()
                .to_owned(),
            Some(span(&code[where_ + 1..])),
        ),
        None => (span(code), None),
    };
    Ok(BackfillUpdate {
        table: span(table),
        relation: span(relation),
        from,
        head,
        condition,
        backslash_escapes,
    })
}

/// The tokens of the table's name in `target` (what follows `UPDATE [ONLY]` up to `SET`):
/// dot-separated names, each bare or quoted, then an optional `[AS] alias`.
fn table_name(target: &[Token]) -> Option<&[Token]> {
    let is_name = |token: &Token| {
        matches!(token.kind, TokenKind::Word | TokenKind::QuotedIdentifier)
            && !token.is_keyword("AS")
    };
    let is_dot = |token: &Token| token.kind == TokenKind::Punct && token.text == ".";
    target.first().filter(|token| is_name(token))?;
    let mut last = 0;
    while target.get(last + 1).is_some_and(is_dot) {
        target.get(last + 2).filter(|token| is_name(token))?;
        last += 2;
    }
    let alias = match &target[last + 1..] {
        [] => true,
        [alias] => is_name(alias),
        [as_, alias] => as_.is_keyword("AS") && is_name(alias),
        _ => false,
    };
    alias.then(|| &target[..=last])
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use drydock_connector::Dialect;
    use drydock_connector::sql_scan::LexicalRules;
    use drydock_postgres::PostgresDialect;
    use drydock_sqlite::SqliteDialect;

    use super::*;

    fn pg() -> &'static LexicalRules {
        PostgresDialect.lexical_rules()
    }

    fn sqlite() -> &'static LexicalRules {
        SqliteDialect.lexical_rules()
    }

    /// The backfill `statement` announces; the test fails when it announces none or a bad one.
    fn parse(statement: &str, rules: &LexicalRules) -> Backfill {
        match find_directive(statement, rules) {
            Some(Ok(backfill)) => backfill,
            other => panic!("expected a backfill in {statement:?}, got {other:?}"),
        }
    }

    /// The batch statement for the window `('10', '20']` with key `id`.
    fn batch(statement: &str, rules: &LexicalRules) -> String {
        parse(statement, rules)
            .update
            .batch_statement("id", Some("10"), "20")
    }

    /// The error `script` is refused with, as shown.
    fn script_error(script: &str) -> String {
        match find_backfills(script, pg()) {
            Err(error) => {
                assert_eq!(error.code(), "D3060");
                error.to_string()
            }
            Ok(found) => panic!("expected an error for {script:?}, found {found:?}"),
        }
    }

    #[test]
    fn the_documented_directive() {
        let statement = "\n-- drydock:backfill key=\"id\" batch=10000 pause=20ms\nUPDATE \"User\" SET \
                         \"fullName\" = \"firstName\" || ' ' || \"lastName\" WHERE \"fullName\" IS \
                         NULL;";
        let backfill = parse(statement, pg());
        assert_eq!(
            backfill.directive,
            BackfillDirective {
                key: "\"id\"".into(),
                batch_size: 10_000,
                pause: Duration::from_millis(20),
                verify: None,
            }
        );
        assert_eq!(backfill.update.table(), "\"User\"");
        let key = &backfill.directive.key;
        assert_eq!(
            backfill.update.batch_statement(key, None, "10000"),
            "UPDATE \"User\" SET \"fullName\" = \"firstName\" || ' ' || \"lastName\" WHERE \
             (\"fullName\" IS NULL) AND \"id\" <= '10000'"
        );
        assert_eq!(
            backfill.update.batch_statement(key, Some("10000"), "20000"),
            "UPDATE \"User\" SET \"fullName\" = \"firstName\" || ' ' || \"lastName\" WHERE \
             (\"fullName\" IS NULL) AND \"id\" > '10000' AND \"id\" <= '20000'"
        );
        assert_eq!(
            backfill.verification_query().as_deref(),
            Some("SELECT count(*) FROM \"User\" WHERE (\"fullName\" IS NULL)")
        );
    }

    #[test]
    fn options_defaults_and_quoting() {
        let backfill = parse("-- drydock:backfill key=id\nUPDATE t SET a = 1;", pg());
        assert_eq!(backfill.directive.batch_size, DEFAULT_BATCH_SIZE);
        assert_eq!(backfill.directive.pause, Duration::ZERO);
        let backfill = parse(
            "--drydock:backfill   key='\"userId\"' batch=500 pause=1s verify='SELECT count(*) \
             FROM t WHERE a <> ''x'''\r\nUPDATE t SET a = 'x';",
            pg(),
        );
        assert_eq!(backfill.directive.key, "\"userId\"");
        assert_eq!(backfill.directive.batch_size, 500);
        assert_eq!(backfill.directive.pause, Duration::from_secs(1));
        assert_eq!(
            backfill.directive.verify.as_deref(),
            Some("SELECT count(*) FROM t WHERE a <> 'x'")
        );
        assert_eq!(
            backfill.verification_query().as_deref(),
            backfill.directive.verify.as_deref()
        );
        // Unquoted values are SQL as written; double quotes keep spaces in.
        for (option, key) in [
            ("key=\"userId\"", "\"userId\""),
            ("key=u.\"my \"\"id\"\"\" batch=5", "u.\"my \"\"id\"\"\""),
            ("key=lower(email)", "lower(email)"),
        ] {
            let backfill = parse(
                &format!("-- drydock:backfill {option}\nUPDATE t SET a = 1"),
                pg(),
            );
            assert_eq!(backfill.directive.key, key, "{option}");
        }
    }

    #[test]
    fn pauses() {
        for (text, pause) in [
            ("0", Some(Duration::ZERO)),
            ("0ms", Some(Duration::ZERO)),
            ("50ms", Some(Duration::from_millis(50))),
            ("2s", Some(Duration::from_secs(2))),
            ("3m", Some(Duration::from_secs(180))),
            ("fast", None),
            ("5", None),
            ("1.5s", None),
            ("-1s", None),
            ("ms", None),
        ] {
            assert_eq!(parse_pause(text), pause, "{text}");
        }
    }

    #[test]
    fn statements_without_the_directive() {
        for statement in [
            "UPDATE t SET a = 1;",
            "-- drydock:backfills key=id\nUPDATE t SET a = 1;",
            "/* -- drydock:backfill key=id */\nUPDATE t SET a = 1;",
            "-- note -- drydock:backfill key=id\nUPDATE t SET a = 1;",
            "UPDATE t SET a = '\n-- drydock:backfill key=id\n';",
            "UPDATE t SET a = 1 -- drydock:backfill key=id\n;",
        ] {
            assert!(find_directive(statement, pg()).is_none(), "{statement}");
        }
        assert!(!script_has_backfill(
            "UPDATE t SET a = 1;\n-- drydock:backfill key=id\n",
            pg()
        ));
        assert!(script_has_backfill(
            "CREATE TABLE t (id INT);\n-- drydock:backfill key=id\nUPDATE t SET a = 1;",
            pg()
        ));
        // Invalid directives count too: the migration must not run in one transaction.
        assert!(script_has_backfill(
            "-- drydock:backfill\nDELETE FROM t;",
            sqlite()
        ));
    }

    #[test]
    fn where_inside_strings_identifiers_and_comments_is_no_clause() {
        assert_eq!(
            batch(
                "-- drydock:backfill key=id\nUPDATE t SET note = 'where to?', \"WHERE\" = 1 /* \
                 WHERE x */ -- WHERE y\nWHERE a <> 'WHERE';",
                pg()
            ),
            "UPDATE t SET note = 'where to?', \"WHERE\" = 1 /* WHERE x */ -- WHERE y\nWHERE (a \
             <> 'WHERE') AND id > '10' AND id <= '20'"
        );
        assert_eq!(
            batch(
                "-- drydock:backfill key=id\nUPDATE t SET note = 'x WHERE y', body = $$ WHERE \
                 $$, e = E'it\\'s WHERE';",
                pg()
            ),
            "UPDATE t SET note = 'x WHERE y', body = $$ WHERE $$, e = E'it\\'s WHERE' WHERE id \
             > '10' AND id <= '20'"
        );
        assert_eq!(
            batch(
                "-- drydock:backfill key=id\nUPDATE [where] SET `where` = 1 WHERE [a where] = 2",
                sqlite()
            ),
            "UPDATE [where] SET `where` = 1 WHERE ([a where] = 2) AND id > '10' AND id <= '20'"
        );
    }

    #[test]
    fn where_of_subqueries_is_no_clause() {
        let backfill = parse(
            "-- drydock:backfill key=id\nUPDATE t SET a = (SELECT max(b) FROM u WHERE u.t_id = \
             t.id AND u.c IN (SELECT c FROM v WHERE v.ok)), d = x IS DISTINCT FROM y\nWHERE a \
             IS NULL AND EXISTS (SELECT 1 FROM w WHERE w.id = t.id);",
            pg(),
        );
        assert_eq!(backfill.update.from, None);
        assert_eq!(
            backfill.update.condition.as_deref(),
            Some("a IS NULL AND EXISTS (SELECT 1 FROM w WHERE w.id = t.id)")
        );
        assert_eq!(
            backfill.update.count_query("id", Some("7")),
            "SELECT count(*) FROM t WHERE (a IS NULL AND EXISTS (SELECT 1 FROM w WHERE w.id = \
             t.id)) AND id > '7'"
        );
    }

    #[test]
    fn without_where_the_window_is_appended() {
        let backfill = parse(
            "-- drydock:backfill key=id\nUPDATE t SET a = a + 1 ;  \n",
            pg(),
        );
        assert_eq!(
            backfill.update.batch_statement("id", None, "5"),
            "UPDATE t SET a = a + 1 WHERE id <= '5'"
        );
        assert_eq!(
            backfill.update.count_query("id", None),
            "SELECT count(*) FROM t"
        );
        assert_eq!(backfill.verification_query(), None);
        // Comments after the statement's last token are left out: a line comment there would
        // swallow the window.
        assert_eq!(
            batch(
                "-- drydock:backfill key=id\nUPDATE t SET a = 1 -- every row",
                pg()
            ),
            "UPDATE t SET a = 1 WHERE id > '10' AND id <= '20'"
        );
        assert_eq!(
            batch(
                "-- drydock:backfill key=id\nUPDATE t SET a = 1 WHERE b -- only b\n/* end */;",
                pg()
            ),
            "UPDATE t SET a = 1 WHERE (b) AND id > '10' AND id <= '20'"
        );
    }

    #[test]
    fn aliases_schemas_and_quoted_tables() {
        let backfill = parse(
            "-- drydock:backfill key=u.id\nUPDATE \"User\" AS u SET \"fullName\" = u.first WHERE \
             u.\"fullName\" IS NULL",
            pg(),
        );
        assert_eq!(backfill.update.table(), "\"User\"");
        assert_eq!(
            backfill.update.count_query("u.id", None),
            "SELECT count(*) FROM \"User\" AS u WHERE (u.\"fullName\" IS NULL)"
        );
        assert_eq!(
            backfill.update.window_query("u.id", Some("it's"), 100),
            "SELECT drydock_key FROM (SELECT u.id AS drydock_key FROM \"User\" AS u WHERE u.id > \
             'it''s' ORDER BY u.id LIMIT 100) AS drydock_window ORDER BY drydock_key DESC LIMIT 1"
        );
        assert_eq!(
            backfill.update.window_query("u.id", None, 100),
            "SELECT drydock_key FROM (SELECT u.id AS drydock_key FROM \"User\" AS u WHERE u.id IS \
             NOT NULL ORDER BY u.id LIMIT 100) AS drydock_window ORDER BY drydock_key DESC LIMIT \
             1"
        );
        for (statement, table, relation) in [
            ("UPDATE users u SET a = 1", "users", "users u"),
            (
                "UPDATE \"my schema\" . \"Us\"\"er\" SET a = 1",
                "\"my schema\" . \"Us\"\"er\"",
                "\"my schema\" . \"Us\"\"er\"",
            ),
            (
                "update only public.\"User\" x set a = 1",
                "public.\"User\"",
                "only public.\"User\" x",
            ),
            ("UPDATE db.sch.t SET a = 1", "db.sch.t", "db.sch.t"),
        ] {
            let backfill = parse(&format!("-- drydock:backfill key=id\n{statement}"), pg());
            assert_eq!(backfill.update.table(), table, "{statement}");
            assert_eq!(backfill.update.relation, relation, "{statement}");
        }
        let backfill = parse(
            "-- drydock:backfill key=id\nUPDATE `my table` AS [t] SET a = 1",
            sqlite(),
        );
        assert_eq!(backfill.update.table(), "`my table`");
        assert_eq!(backfill.update.relation, "`my table` AS [t]");
    }

    #[test]
    fn updates_joining_other_tables() {
        let backfill = parse(
            "-- drydock:backfill key=t.id\nUPDATE t SET x = o.x FROM o JOIN p ON p.id = o.p_id \
             WHERE t.o_id = o.id",
            pg(),
        );
        assert_eq!(
            backfill.update.from.as_deref(),
            Some("o JOIN p ON p.id = o.p_id")
        );
        assert_eq!(
            backfill.update.count_query("t.id", None),
            "SELECT count(*) FROM t, o JOIN p ON p.id = o.p_id WHERE (t.o_id = o.id)"
        );
    }

    #[test]
    fn errors_point_at_the_file_position() {
        let text =
            script_error("CREATE TABLE t (id INT);\n-- drydock:backfill key=id\nDELETE FROM t;");
        assert!(
            text.starts_with(
                "3:1: the backfill directive must stand right before an UPDATE, not `DELETE`"
            ),
            "{text}"
        );
        let cases = [
            (
                "-- drydock:backfill key=id size=5\nUPDATE t SET a = 1;",
                "1:28: `size` is not an option",
            ),
            (
                "-- drydock:backfill key=id oops\nUPDATE t SET a = 1;",
                "1:28: `oops` is not an option",
            ),
            (
                "-- drydock:backfill key=id batch=ten\nUPDATE t SET a = 1;",
                "1:34: `batch=ten` is not a number",
            ),
            (
                "-- drydock:backfill key=id batch=0\nUPDATE t SET a = 1;",
                "1:34: `batch=0` is not a number",
            ),
            (
                "-- drydock:backfill key=id pause=fast\nUPDATE t SET a = 1;",
                "1:34: `pause=fast` is not a duration",
            ),
            (
                "-- drydock:backfill batch=5\nUPDATE t SET a = 1;",
                "1:1: the backfill directive has no `key`",
            ),
            (
                "-- drydock:backfill key=\"id\nUPDATE t SET a = 1;",
                "1:25: the value of `key` has no closing \"",
            ),
            (
                "-- drydock:backfill key='id'x\nUPDATE t SET a = 1;",
                "1:29: unexpected text after",
            ),
            (
                "-- drydock:backfill key='id\nUPDATE t SET a = 1;",
                "1:25: the value of `key` has no closing '",
            ),
            (
                "-- drydock:backfill key=id verify=\"SELECT 1\"\nUPDATE t SET a = 1;",
                "1:35: the `verify` query is in double quotes",
            ),
            (
                "-- drydock:backfill key=\nUPDATE t SET a = 1;",
                "1:25: the option `key` has no value",
            ),
            (
                "-- drydock:backfill key=id key=id\nUPDATE t SET a = 1;",
                "1:28: the option `key` is given twice",
            ),
            (
                "-- drydock:backfill key=id\n-- drydock:backfill key=id\nUPDATE t SET a = 1;",
                "2:1: a statement has two backfill directives",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE t SET a = 1\n  RETURNING id;",
                "3:3: a backfill cannot return rows",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE t SET a = 1 ORDER BY id LIMIT 5;",
                "2:20: a backfill cannot have ORDER",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE OR REPLACE t SET a = 1;",
                "2:8: `UPDATE OR ...` cannot be batched",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE t;",
                "2:1: this UPDATE has no SET",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE a, b SET x = 1;",
                "2:8: cannot read the table",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE t AS SET x = 1;",
                "2:8: cannot read the table",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE t SET x = o.x FROM WHERE x = 1;",
                "2:22: the FROM of this UPDATE names no table",
            ),
            (
                "-- drydock:backfill key=id\n;\nUPDATE t SET x = 1 RETURNING *;",
                "3:20: a backfill cannot return rows",
            ),
            (
                "-- drydock:backfill key=id\nUPDATE t SET x = 1 WHERE ;",
                "2:20: the WHERE of this UPDATE has no condition",
            ),
            (
                "-- drydock:backfill key=id\nWITH x AS (SELECT 1) UPDATE t SET a = 1;",
                "2:1: the backfill directive must stand right before an UPDATE, not `WITH`",
            ),
            (
                "UPDATE t SET a = 1;\n\n  -- drydock:backfill key=id\n",
                "3:3: the backfill directive is not followed by a statement",
            ),
            (
                "-- é\n-- drydock:backfill kéy=1\nUPDATE t SET a = 1;",
                "2:21: `kéy` is not an option",
            ),
        ];
        for (script, expected) in cases {
            let text = script_error(script);
            assert!(text.starts_with(expected), "{script:?}: {text}");
        }
    }

    #[test]
    fn find_backfills_lists_statement_indexes() -> Result<(), BackfillError> {
        let script = "ALTER TABLE t ADD COLUMN a INT;\n-- drydock:backfill key=id\nUPDATE t SET a \
                      = 1 WHERE a IS NULL;\nCREATE INDEX i ON t (a);\n-- drydock:backfill \
                      key=id batch=5\nUPDATE t SET b = a;";
        let found = find_backfills(script, pg())?;
        let indexes: Vec<usize> = found.iter().map(|(index, _)| *index).collect();
        assert_eq!(indexes, [1, 3]);
        assert_eq!(found[1].1.directive.batch_size, 5);
        Ok(())
    }

    #[test]
    fn comments_inside_the_statement_stay() {
        let backfill = parse(
            "-- note\n/* -- drydock:backfill key=x */ -- a -- drydock:backfill key=y\n-- drydock:backfill key=id batch=7\nUPDATE /* the \
             table */ ONLY -- here\n \"T\" t SET a = 1 -- set\nFROM o /* join */ WHERE /* c */ t.o = \
             o.id;",
            pg(),
        );
        assert_eq!(backfill.directive.batch_size, 7);
        assert_eq!(backfill.update.table(), "\"T\"");
        assert_eq!(backfill.update.relation, "ONLY -- here\n \"T\" t");
        assert_eq!(backfill.update.from.as_deref(), Some("o"));
        assert_eq!(
            backfill.update.batch_statement("t.id", None, "9"),
            "UPDATE /* the table */ ONLY -- here\n \"T\" t SET a = 1 -- set\nFROM o /* join */ \
             WHERE (t.o = o.id) AND t.id <= '9'"
        );
    }

    #[test]
    fn counts_and_positions() {
        assert_eq!(parse_number("12"), Some(12));
        assert_eq!(parse_number(" 3.0 "), Some(3));
        assert_eq!(parse_number("2.5"), None);
        assert_eq!(parse_number("-1"), None);
        assert_eq!(parse_number("x"), None);
        assert_eq!(line_column("ab\ncé\nd", 6), (2, 3));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
