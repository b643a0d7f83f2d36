//! What an index could serve in a statement the server measured: for every table a `SELECT`,
//! `UPDATE` or `DELETE` reads (in its `FROM` list, its joins, its subqueries, derived tables and
//! common table expressions), the columns compared with values, the columns compared with
//! another table's columns, and the columns it sorts by. Index advice reads normalized
//! statements (`pg_stat_statements`, MySQL's digests) with it, in each dialect's lexical rules.
//!
//! The reader is strict about shape and lenient about predicates: a statement it cannot follow
//! gives nothing, while a predicate it cannot use (`OR`, functions, `LIKE`) is only left out,
//! since every other test of the `AND` still selects the rows.

use std::collections::HashMap;

use crate::sql_scan::{LexicalRules, Token, TokenKind, tokens};

/// A suggestion stops adding columns once the rows it selects fall to about this many
/// (PgHero's suggested indexes).
const TARGET_ROWS: f64 = 50.0;

/// Queries and conditions nested deeper than this in parentheses are not read: the reader's
/// recursion stays bounded whatever the statement.
const MAX_NESTING: usize = 64;

/// A `NOT NULL` test earns a key column only when it leaves out at least this share of rows.
const SELECTIVE_NOT_NULL: f64 = 0.5;

/// One table a statement reads, and what of it the statement tests.
#[derive(Debug, Clone, PartialEq)]
pub struct TableUse {
    /// As written in the statement; `None` when unqualified.
    pub schema: Option<String>,
    pub table: String,
    /// Columns tested against values.
    pub filters: Vec<Filter>,
    /// Columns compared with a column of another table (a join, a correlated subquery, the
    /// outer side of `IN (SELECT ...)`): an index on them serves a nested-loop lookup.
    pub joins: Vec<String>,
    /// The leading `ORDER BY` columns of this table.
    pub order_by: Vec<String>,
}

/// A column tested against a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub column: String,
    pub test: Test,
}

/// How a column is tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// `=`, `IN (...)`, `= ANY (...)`.
    Equal,
    IsNull,
    NotNull,
    /// `<`, `<=`, `>`, `>=`, `BETWEEN`.
    Range,
}

impl TableUse {
    fn is_empty(&self) -> bool {
        self.filters.is_empty() && self.joins.is_empty() && self.order_by.is_empty()
    }

    /// The key columns of the indexes that could serve this use, each list at most once: one
    /// for the table read on its own (its equality tests from the most selective, cut once
    /// about [`TARGET_ROWS`] rows remain, then a range column or the sort columns), and one
    /// for the table looked up from another (its join columns, then the equality tests of
    /// known selectivity until about [`TARGET_ROWS`] rows remain).
    /// `selectivity` is the share of the `table_rows` rows one test selects (1.0 when
    /// unknown).
    pub fn index_candidates(
        &self,
        table_rows: f64,
        selectivity: impl Fn(&str, Test) -> f64,
    ) -> Vec<Vec<String>> {
        let mut equal: Vec<(String, f64)> = Vec::new();
        for filter in &self.filters {
            let share = selectivity(&filter.column, filter.test);
            let keyed = match filter.test {
                Test::Equal | Test::IsNull => true,
                Test::NotNull => share <= SELECTIVE_NOT_NULL,
                Test::Range => false,
            };
            if keyed && !equal.iter().any(|(column, _)| *column == filter.column) {
                equal.push((filter.column.clone(), share));
            }
        }
        equal.sort_by(|a, b| a.1.total_cmp(&b.1));
        let range = self
            .filters
            .iter()
            .find(|f| f.test == Test::Range && !equal.iter().any(|(c, _)| *c == f.column))
            .map(|f| f.column.clone());

        let mut alone: Vec<String> = Vec::new();
        let mut estimate = table_rows;
        for (column, share) in &equal {
            if estimate <= TARGET_ROWS && !alone.is_empty() {
                break;
            }
            alone.push(column.clone());
            estimate *= share;
        }
        if alone.len() == equal.len() {
            // After a range only the range column itself serves the sort.
            let tail = match range {
                Some(range) => vec![range],
                None => self.order_by.clone(),
            };
            for column in tail {
                if !alone.contains(&column) {
                    alone.push(column);
                }
            }
        }
        let mut candidates = vec![alone];

        if !self.joins.is_empty() {
            // The join columns lead: a lookup gives them one value each. Tests follow only
            // where their selectivity is known.
            let mut looked_up = self.joins.clone();
            let mut estimate = self.joins.iter().fold(table_rows, |rows, column| {
                rows * selectivity(column, Test::Equal)
            });
            for (column, share) in equal {
                if estimate <= TARGET_ROWS || share >= 1.0 {
                    break;
                }
                if !looked_up.contains(&column) {
                    looked_up.push(column);
                    estimate *= share;
                }
            }
            candidates.push(looked_up);
        }
        let mut distinct: Vec<Vec<String>> = Vec::new();
        for candidate in candidates {
            if !candidate.is_empty() && !distinct.contains(&candidate) {
                distinct.push(candidate);
            }
        }
        distinct
    }
}

/// The tables `sql` reads with what it tests of each; empty when `sql` is not one `SELECT`,
/// `UPDATE` or `DELETE` the reader can follow, or tests nothing an index could serve.
pub fn table_uses(sql: &str, rules: &LexicalRules) -> Vec<TableUse> {
    let mut all = tokens(sql, rules);
    if is_punct(all.last(), ";") {
        all.pop();
    }
    // One statement only: it is explained as it is written.
    if all.iter().any(|t| is_punct(Some(t), ";")) {
        return Vec::new();
    }
    let mut reader = Reader {
        rules,
        uses: Vec::new(),
        common_tables: Vec::new(),
        depth: 0,
        too_deep: false,
        closing_at: closing_parentheses(&all),
    };
    match reader.statement(&all, &[]) {
        Some(()) if !reader.too_deep => reader.uses.into_iter().filter(|u| !u.is_empty()).collect(),
        _ => Vec::new(),
    }
}

/// The `)` closing each `(` of `tokens`, by the byte offsets where they start.
fn closing_parentheses(tokens: &[Token]) -> HashMap<usize, usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut pairs = HashMap::new();
    for token in tokens {
        if is_punct(Some(token), "(") {
            open.push(token.range.start);
        } else if is_punct(Some(token), ")") {
            match open.pop() {
                Some(start) => {
                    pairs.insert(start, token.range.start);
                }
                // An unmatched `)`: the statement is not one to read.
                None => return HashMap::new(),
            }
        }
    }
    pairs
}

/// A table (or derived table) in a `FROM` list: the names a column may be qualified with, and
/// the use it feeds (`None` for a derived table or a function).
#[derive(Debug, Clone)]
struct Entry {
    schema: Option<String>,
    table: Option<String>,
    alias: Option<String>,
    use_index: Option<usize>,
}

/// The `FROM` lists in reach of a predicate, the innermost last.
type Scopes = [Vec<Entry>];

/// A column a predicate names: the use it belongs to (`None` for a derived table's), and
/// whether it is the predicate's own query's (`false`: an outer query's, correlated).
#[derive(Debug, Clone)]
struct ColumnRef {
    use_index: Option<usize>,
    local: bool,
    column: String,
}

/// One side of a comparison.
#[derive(Debug, Clone)]
enum Operand {
    Column(ColumnRef),
    /// A parameter, literal or value without columns.
    Value,
    /// `(SELECT ...)`: the token range inside the parentheses.
    Subquery(usize, usize),
    /// A column the reader cannot place (ambiguous, or of a table it does not know).
    Unknown,
}

/// Words that end a table reference, a condition or a clause.
const CLAUSE_WORDS: &[&str] = &[
    "WHERE",
    "GROUP",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "FOR",
    "RETURNING",
    "HAVING",
    "WINDOW",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "SET",
    "FROM",
    "USING",
    "ON",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "NATURAL",
    "STRAIGHT_JOIN",
    "LATERAL",
    "AND",
    "OR",
    "NOT",
    "SELECT",
    "AS",
    "USE",
    "FORCE",
    "IGNORE",
    "TABLESAMPLE",
    "VALUES",
    "NULL",
];

const SET_OPERATIONS: &[&str] = &["UNION", "INTERSECT", "EXCEPT"];

/// The clauses that may follow a `WHERE`.
const AFTER_WHERE: &[&str] = &[
    "GROUP",
    "HAVING",
    "WINDOW",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "FOR",
    "RETURNING",
];

const JOINS: &[&str] = &["JOIN", "STRAIGHT_JOIN"];

/// Words before `JOIN` that say which join.
const JOIN_KINDS: &[&str] = &[
    "NATURAL", "INNER", "CROSS", "LEFT", "RIGHT", "FULL", "OUTER",
];

/// Whether a set operation (the next query) starts at `i`.
fn at_set_operation(t: &[Token], i: usize) -> bool {
    is_any_keyword(t.get(i), SET_OPERATIONS)
}

/// Whether a clause that may follow `WHERE`, or the next query, starts at `i`.
fn at_clause_after_where(t: &[Token], i: usize) -> bool {
    at_set_operation(t, i) || is_any_keyword(t.get(i), AFTER_WHERE)
}

fn is_punct(token: Option<&Token>, text: &str) -> bool {
    token.is_some_and(|t| t.kind == TokenKind::Punct && t.text == text)
}

fn is_keyword(token: Option<&Token>, word: &str) -> bool {
    token.is_some_and(|t| t.is_keyword(word))
}

fn is_any_keyword(token: Option<&Token>, words: &[&str]) -> bool {
    words.iter().any(|word| is_keyword(token, word))
}

/// Whether the tokens at `i` open a query: `SELECT`, `WITH` or `VALUES`.
fn opens_query(tokens: &[Token], i: usize) -> bool {
    is_any_keyword(tokens.get(i), &["SELECT", "WITH", "VALUES"])
}

struct Reader<'r> {
    rules: &'r LexicalRules,
    uses: Vec<TableUse>,
    /// Names of common table expressions: a `FROM` naming one reads no table.
    common_tables: Vec<String>,
    /// Queries and conditions open around the one being read.
    depth: usize,
    /// Whether something was nested deeper than [`MAX_NESTING`].
    too_deep: bool,
    /// Where each `(` of the statement is closed, by the byte offsets of the two tokens: found
    /// once, so no group is scanned again at each level it is looked into from.
    closing_at: HashMap<usize, usize>,
}

impl Reader<'_> {
    /// The position in `tokens` of the `)` closing the `(` at `open`.
    fn closing(&self, tokens: &[Token], open: usize) -> Option<usize> {
        let close = *self.closing_at.get(&tokens.get(open)?.range.start)?;
        let i = tokens
            .binary_search_by_key(&close, |t| t.range.start)
            .ok()?;
        (i > open).then_some(i)
    }

    /// The first position from `i` at parenthesis depth 0 where `stop` holds, or the end.
    fn until(
        &self,
        tokens: &[Token],
        mut i: usize,
        mut stop: impl FnMut(&[Token], usize) -> bool,
    ) -> usize {
        while i < tokens.len() {
            if is_punct(tokens.get(i), "(") {
                match self.closing(tokens, i) {
                    Some(end) => i = end + 1,
                    None => return tokens.len(),
                }
                continue;
            }
            if stop(tokens, i) {
                return i;
            }
            i += 1;
        }
        tokens.len()
    }

    /// Whether `tokens` is one parenthesized group.
    fn is_wrapped(&self, tokens: &[Token]) -> bool {
        is_punct(tokens.first(), "(") && self.closing(tokens, 0) == Some(tokens.len() - 1)
    }

    /// The name a word or quoted identifier stands for.
    fn name(&self, token: &Token) -> String {
        if token.kind == TokenKind::Word && self.rules.folds_unquoted_names {
            token.text.to_lowercase()
        } else {
            token.text.clone()
        }
    }

    fn same(&self, a: &str, b: &str) -> bool {
        if self.rules.folds_unquoted_names {
            a == b
        } else {
            a.eq_ignore_ascii_case(b)
        }
    }

    /// A name at `i` (a quoted identifier, or a word that is no clause word). `""` names
    /// nothing: the server refuses it.
    fn name_at(&self, tokens: &[Token], i: usize) -> Option<String> {
        let token = tokens.get(i)?;
        let name = match token.kind {
            TokenKind::QuotedIdentifier => Some(self.name(token)),
            TokenKind::Word if !is_any_keyword(Some(token), CLAUSE_WORDS) => Some(self.name(token)),
            _ => None,
        };
        name.filter(|name| !name.is_empty())
    }

    /// A dotted name of up to three parts at `i`, and the position after it.
    fn dotted_at(&self, tokens: &[Token], i: usize) -> Option<(Vec<String>, usize)> {
        let mut parts = vec![self.name_at(tokens, i)?];
        let mut next = i + 1;
        while is_punct(tokens.get(next), ".") && parts.len() < 3 {
            parts.push(self.name_at(tokens, next + 1)?);
            next += 2;
        }
        Some((parts, next))
    }

    /// `read` one level deeper, unless that is deeper than [`MAX_NESTING`].
    fn nested(&mut self, read: impl FnOnce(&mut Self) -> Option<()>) -> Option<()> {
        if self.depth >= MAX_NESTING {
            self.too_deep = true;
            return None;
        }
        self.depth += 1;
        let read = read(self);
        self.depth -= 1;
        read
    }

    /// `WITH ...`? then a query body, with the `FROM` lists of `outer` in reach.
    fn statement(&mut self, t: &[Token], outer: &Scopes) -> Option<()> {
        self.nested(|reader| reader.query(t, outer))
    }

    fn query(&mut self, t: &[Token], outer: &Scopes) -> Option<()> {
        let mut i = 0;
        if is_keyword(t.first(), "WITH") {
            i = 1;
            if is_keyword(t.get(i), "RECURSIVE") {
                i += 1;
            }
            loop {
                let name = self.name_at(t, i)?;
                i += 1;
                if is_punct(t.get(i), "(") {
                    i = self.closing(t, i)? + 1;
                }
                if !is_keyword(t.get(i), "AS") {
                    return None;
                }
                i += 1;
                if is_keyword(t.get(i), "NOT") {
                    i += 1;
                }
                if is_keyword(t.get(i), "MATERIALIZED") {
                    i += 1;
                }
                if !is_punct(t.get(i), "(") {
                    return None;
                }
                let end = self.closing(t, i)?;
                self.statement(&t[i + 1..end], outer)?;
                self.common_tables.push(name);
                i = end + 1;
                if is_punct(t.get(i), ",") {
                    i += 1;
                    continue;
                }
                break;
            }
        }
        self.body(&t[i..], outer)
    }

    /// Queries joined by `UNION`, `INTERSECT` or `EXCEPT`, or one `UPDATE` or `DELETE`.
    fn body(&mut self, t: &[Token], outer: &Scopes) -> Option<()> {
        let mut i = 0;
        loop {
            let first = t.get(i)?;
            i = if first.is_keyword("SELECT") {
                self.select(t, i, outer)?
            } else if first.is_keyword("VALUES") {
                self.until(t, i, at_set_operation)
            } else if is_punct(Some(first), "(") {
                let end = self.closing(t, i)?;
                self.statement(&t[i + 1..end], outer)?;
                self.tail(t, end + 1, &[], None)?
            } else if first.is_keyword("UPDATE") && i == 0 {
                self.update(t, outer)?
            } else if first.is_keyword("DELETE") && i == 0 {
                self.delete(t, outer)?
            } else {
                return None;
            };
            if i >= t.len() {
                return Some(());
            }
            if !at_set_operation(t, i) {
                return None;
            }
            i += 1;
            if is_any_keyword(t.get(i), &["ALL", "DISTINCT"]) {
                i += 1;
            }
        }
    }

    /// A `SELECT` at `start`: the position after its clauses.
    fn select(&mut self, t: &[Token], start: usize, outer: &Scopes) -> Option<usize> {
        let mut i = start + 1;
        if is_keyword(t.get(i), "DISTINCT") {
            i += 1;
            if is_keyword(t.get(i), "ON") && is_punct(t.get(i + 1), "(") {
                i = self.closing(t, i + 1)? + 1;
            }
        } else if is_keyword(t.get(i), "ALL") {
            i += 1;
        }
        let list = i;
        let from = self.until(t, i, |t, i| {
            is_any_keyword(t.get(i), &["FROM", "WHERE"]) || at_clause_after_where(t, i)
        });
        let mut scope = Vec::new();
        i = from;
        if is_keyword(t.get(i), "FROM") {
            i = self.table_list(t, i + 1, &mut scope, outer)?;
        }
        let scopes = [outer, std::slice::from_ref(&scope)].concat();
        self.subqueries(&t[list..from], &scopes)?;
        i = self.where_clause(t, i, &scopes)?;
        self.tail(t, i, &scopes, Some(()))
    }

    /// `UPDATE` tables `SET` ... [`FROM` ...] [`WHERE` ...] and the clauses after.
    fn update(&mut self, t: &[Token], outer: &Scopes) -> Option<usize> {
        let mut i = 1;
        while is_any_keyword(t.get(i), &["LOW_PRIORITY", "IGNORE"]) {
            i += 1;
        }
        let mut scope = Vec::new();
        i = self.table_list(t, i, &mut scope, outer)?;
        if !is_keyword(t.get(i), "SET") {
            return None;
        }
        let set = i + 1;
        i = self.until(t, set, |t, i| {
            is_any_keyword(t.get(i), &["FROM", "WHERE", "ORDER", "LIMIT", "RETURNING"])
        });
        let assignments = set..i;
        if is_keyword(t.get(i), "FROM") {
            i = self.table_list(t, i + 1, &mut scope, outer)?;
        }
        let scopes = [outer, std::slice::from_ref(&scope)].concat();
        self.subqueries(&t[assignments], &scopes)?;
        i = self.where_clause(t, i, &scopes)?;
        self.tail(t, i, &scopes, Some(()))
    }

    /// `DELETE` [tables] `FROM` tables [`USING` ...] [`WHERE` ...] and the clauses after.
    fn delete(&mut self, t: &[Token], outer: &Scopes) -> Option<usize> {
        let mut i = 1;
        while is_any_keyword(t.get(i), &["LOW_PRIORITY", "QUICK", "IGNORE"]) {
            i += 1;
        }
        // MySQL's `DELETE t1, t2 FROM ...` names the tables to delete from first.
        i = self.until(t, i, |t, i| is_keyword(t.get(i), "FROM"));
        if !is_keyword(t.get(i), "FROM") {
            return None;
        }
        let mut scope = Vec::new();
        i = self.table_list(t, i + 1, &mut scope, outer)?;
        if is_keyword(t.get(i), "USING") {
            i = self.table_list(t, i + 1, &mut scope, outer)?;
        }
        let scopes = [outer, std::slice::from_ref(&scope)].concat();
        i = self.where_clause(t, i, &scopes)?;
        self.tail(t, i, &scopes, Some(()))
    }

    /// `WHERE` condition at `i`, if there: the position after it.
    fn where_clause(&mut self, t: &[Token], i: usize, scopes: &Scopes) -> Option<usize> {
        if !is_keyword(t.get(i), "WHERE") {
            return Some(i);
        }
        let end = self.until(t, i + 1, at_clause_after_where);
        self.condition(&t[i + 1..end], scopes);
        Some(end)
    }

    /// The clauses after `WHERE`: `GROUP BY`, `HAVING`, `WINDOW`, `ORDER BY` (its leading
    /// columns recorded when `sorted` is given), `LIMIT`, `OFFSET`, `FETCH`, `FOR`,
    /// `RETURNING`. The position where the query ends: the end, or a set operation.
    fn tail(
        &mut self,
        t: &[Token],
        mut i: usize,
        scopes: &Scopes,
        sorted: Option<()>,
    ) -> Option<usize> {
        while i < t.len() && !at_set_operation(t, i) {
            let clause = &t[i];
            if clause.is_keyword("ORDER") && is_keyword(t.get(i + 1), "BY") {
                let end = self.until(t, i + 2, at_clause_after_where);
                if sorted.is_some() {
                    self.order_by(&t[i + 2..end], scopes);
                }
                i = end;
            } else if is_any_keyword(Some(clause), AFTER_WHERE) {
                let end = self.until(t, i + 1, at_clause_after_where);
                self.subqueries(&t[i + 1..end], scopes)?;
                i = end;
            } else {
                return None;
            }
        }
        Some(i)
    }

    /// The leading `ORDER BY` items that are columns of one table.
    fn order_by(&mut self, items: &[Token], scopes: &Scopes) {
        let mut owner: Option<usize> = None;
        let mut i = 0;
        while i < items.len() {
            let end = self.until(items, i, |t, j| is_punct(t.get(j), ","));
            let item = &items[i..end];
            let mut length = item.len();
            while length > 0
                && is_any_keyword(
                    item.get(length - 1),
                    &["ASC", "DESC", "FIRST", "LAST", "NULLS"],
                )
            {
                length -= 1;
            }
            let Some((Operand::Column(column), next)) = self.operand(&item[..length], 0, scopes)
            else {
                return;
            };
            let Some(index) = column.use_index.filter(|_| column.local && next == length) else {
                return;
            };
            if owner.is_some_and(|owner| owner != index) {
                return;
            }
            owner = Some(index);
            let order_by = &mut self.uses[index].order_by;
            if !order_by.contains(&column.column) {
                order_by.push(column.column);
            }
            i = end + 1;
        }
    }

    /// A `FROM` list at `i` into `scope`: tables, derived tables and functions separated by
    /// commas and joins. The position after it.
    fn table_list(
        &mut self,
        t: &[Token],
        mut i: usize,
        scope: &mut Vec<Entry>,
        outer: &Scopes,
    ) -> Option<usize> {
        i = self.table_factor(t, i, scope, outer)?;
        loop {
            if is_punct(t.get(i), ",") {
                i = self.table_factor(t, i + 1, scope, outer)?;
                continue;
            }
            let mut j = i;
            while is_any_keyword(t.get(j), JOIN_KINDS) {
                j += 1;
            }
            if !is_any_keyword(t.get(j), JOINS) {
                return Some(i);
            }
            let before = scope.len();
            i = self.table_factor(t, j + 1, scope, outer)?;
            if is_keyword(t.get(i), "ON") {
                let end = self.until(t, i + 1, |t, k| {
                    is_punct(t.get(k), ",")
                        || is_any_keyword(t.get(k), JOINS)
                        || is_any_keyword(t.get(k), JOIN_KINDS)
                        || is_any_keyword(t.get(k), &["WHERE", "SET"])
                        || at_clause_after_where(t, k)
                });
                let scopes = [outer, std::slice::from_ref(scope)].concat();
                self.condition(&t[i + 1..end], &scopes);
                i = end;
            } else if is_keyword(t.get(i), "USING") && is_punct(t.get(i + 1), "(") {
                let end = self.closing(t, i + 1)?;
                let columns: Vec<String> = t[i + 2..end]
                    .iter()
                    .filter(|token| !is_punct(Some(token), ","))
                    .filter_map(|token| self.name_at(std::slice::from_ref(token), 0))
                    .collect();
                // The joined table and the one before it.
                for entry in scope.iter().skip(before.saturating_sub(1)) {
                    if let Some(index) = entry.use_index {
                        for column in &columns {
                            push_join(&mut self.uses[index], column);
                        }
                    }
                }
                i = end + 1;
            }
        }
    }

    /// One table, derived table or function of a `FROM` list at `i`, with its alias: the
    /// position after it.
    fn table_factor(
        &mut self,
        t: &[Token],
        mut i: usize,
        scope: &mut Vec<Entry>,
        outer: &Scopes,
    ) -> Option<usize> {
        if is_keyword(t.get(i), "LATERAL") {
            i += 1;
        }
        if is_keyword(t.get(i), "ONLY") {
            i += 1;
        }
        let mut entry = Entry {
            schema: None,
            table: None,
            alias: None,
            use_index: None,
        };
        if is_punct(t.get(i), "(") {
            // A derived table; a parenthesized join is not followed.
            if !opens_query(t, i + 1) && !is_punct(t.get(i + 1), "(") {
                return None;
            }
            let end = self.closing(t, i)?;
            let scopes = [outer, std::slice::from_ref(scope)].concat();
            self.statement(&t[i + 1..end], &scopes)?;
            i = end + 1;
        } else {
            let (parts, next) = self.dotted_at(t, i)?;
            i = next;
            if is_punct(t.get(i), "(") {
                // A function returning rows.
                i = self.closing(t, i)? + 1;
            } else {
                let (schema, table) = match parts.as_slice() {
                    [table] => (None, table.clone()),
                    [schema, table] => (Some(schema.clone()), table.clone()),
                    _ => return None,
                };
                if is_punct(t.get(i), "*") {
                    i += 1;
                }
                let common = schema.is_none()
                    && self
                        .common_tables
                        .iter()
                        .any(|name| self.same(name, &table));
                if !common {
                    self.uses.push(TableUse {
                        schema: schema.clone(),
                        table: table.clone(),
                        filters: Vec::new(),
                        joins: Vec::new(),
                        order_by: Vec::new(),
                    });
                    entry.use_index = Some(self.uses.len() - 1);
                }
                entry.schema = schema;
                entry.table = Some(table);
            }
        }
        if is_keyword(t.get(i), "TABLESAMPLE") {
            return None;
        }
        if is_keyword(t.get(i), "AS") {
            i += 1;
        }
        if let Some(alias) = self.name_at(t, i) {
            entry.alias = Some(alias);
            i += 1;
            if is_punct(t.get(i), "(") {
                i = self.closing(t, i)? + 1;
            }
        }
        // MySQL's index hints.
        while is_any_keyword(t.get(i), &["USE", "FORCE", "IGNORE"])
            && is_any_keyword(t.get(i + 1), &["INDEX", "KEY"])
        {
            i += 2;
            if is_keyword(t.get(i), "FOR") {
                i = self.until(t, i, |t, k| is_punct(t.get(k), "("));
            }
            if !is_punct(t.get(i), "(") {
                return None;
            }
            i = self.closing(t, i)? + 1;
        }
        scope.push(entry);
        Some(i)
    }

    /// Every subquery in `t` (at any depth, outside other subqueries), each read as a
    /// statement of its own with `scopes` in reach.
    fn subqueries(&mut self, t: &[Token], scopes: &Scopes) -> Option<()> {
        let mut i = 0;
        while i < t.len() {
            if is_punct(t.get(i), "(") && opens_query(t, i + 1) {
                let end = self.closing(t, i)?;
                self.statement(&t[i + 1..end], scopes)?;
                i = end + 1;
            } else {
                i += 1;
            }
        }
        Some(())
    }

    /// The tests of a condition that only `AND`s them; a condition with an `OR` outside
    /// parentheses tests nothing an index could serve alone (its subqueries are still read).
    fn condition(&mut self, t: &[Token], scopes: &Scopes) {
        if self.until(t, 0, |t, i| is_keyword(t.get(i), "OR")) < t.len() {
            let _ = self.subqueries(t, scopes);
            return;
        }
        let mut start = 0;
        while start < t.len() {
            let mut between = false;
            let end = self.until(t, start, |t, i| {
                if is_keyword(t.get(i), "BETWEEN") {
                    between = true;
                } else if is_keyword(t.get(i), "AND") {
                    if between {
                        between = false;
                    } else {
                        return true;
                    }
                }
                false
            });
            self.predicate(&t[start..end], scopes);
            start = end + 1;
        }
    }

    /// One test: recorded when it compares a column with a value or another table's column;
    /// otherwise only its subqueries are read.
    fn predicate(&mut self, p: &[Token], scopes: &Scopes) {
        if p.is_empty() {
            return;
        }
        if self.is_wrapped(p) && !opens_query(p, 1) {
            let _ = self.nested(|reader| {
                reader.condition(&p[1..p.len() - 1], scopes);
                Some(())
            });
            return;
        }
        if self.comparison(p, scopes).is_none() {
            let _ = self.subqueries(p, scopes);
        }
    }

    /// `left op right` with the operators an index serves; `None` for any other test.
    fn comparison(&mut self, p: &[Token], scopes: &Scopes) -> Option<()> {
        let (left, mut i) = self.operand(p, 0, scopes)?;
        let op_text: String = p[i..]
            .iter()
            .take_while(|t| {
                t.kind == TokenKind::Punct && ["=", "<", ">", "!"].contains(&t.text.as_str())
            })
            .map(|t| t.text.as_str())
            .collect();
        if !op_text.is_empty() {
            i += op_text.chars().count();
            let test = match op_text.as_str() {
                "=" => Test::Equal,
                "<" | ">" | "<=" | ">=" => Test::Range,
                _ => return None,
            };
            // `= ANY (...)`: equal to one of the values.
            let right = if test == Test::Equal
                && is_any_keyword(p.get(i), &["ANY", "SOME"])
                && is_punct(p.get(i + 1), "(")
            {
                let end = self.closing(p, i + 1)?;
                let (inner, next) = self.operand(&p[..end], i + 2, scopes)?;
                if next != end || !matches!(inner, Operand::Value) {
                    return None;
                }
                i = end + 1;
                Operand::Value
            } else {
                let (right, next) = self.operand(p, i, scopes)?;
                i = next;
                right
            };
            if i != p.len() {
                return None;
            }
            return self.compare(left, test, right, p, scopes);
        }
        if is_keyword(p.get(i), "IS") {
            i += 1;
            let not = is_keyword(p.get(i), "NOT");
            if not {
                i += 1;
            }
            if !is_keyword(p.get(i), "NULL") || i + 1 != p.len() {
                return None;
            }
            let test = if not { Test::NotNull } else { Test::IsNull };
            return self.compare(left, test, Operand::Value, p, scopes);
        }
        if is_keyword(p.get(i), "BETWEEN") {
            let (low, next) = self.operand(p, i + 1, scopes)?;
            if !is_keyword(p.get(next), "AND") {
                return None;
            }
            let (high, end) = self.operand(p, next + 1, scopes)?;
            if end != p.len() || !matches!((low, high), (Operand::Value, Operand::Value)) {
                return None;
            }
            return self.compare(left, Test::Range, Operand::Value, p, scopes);
        }
        if is_keyword(p.get(i), "IN") && is_punct(p.get(i + 1), "(") {
            let end = self.closing(p, i + 1)?;
            if end + 1 != p.len() {
                return None;
            }
            if opens_query(p, i + 2) {
                return self.compare(left, Test::Equal, Operand::Subquery(i + 2, end), p, scopes);
            }
            // A list of values; MySQL's digests write it `(...)`.
            let mut k = i + 2;
            while k < end {
                let (value, next) = self.operand(&p[..end], k, scopes)?;
                if !matches!(value, Operand::Value) {
                    return None;
                }
                k = next;
                if is_punct(p.get(k), ",") {
                    k += 1;
                } else if k != end {
                    return None;
                }
            }
            return self.compare(left, Test::Equal, Operand::Value, p, scopes);
        }
        None
    }

    /// Records what comparing `left` and `right` with `test` tells.
    fn compare(
        &mut self,
        left: Operand,
        test: Test,
        right: Operand,
        p: &[Token],
        scopes: &Scopes,
    ) -> Option<()> {
        match (left, right) {
            (Operand::Column(column), Operand::Value)
            | (Operand::Value, Operand::Column(column)) => {
                if let Some(index) = column.use_index.filter(|_| column.local) {
                    push_filter(&mut self.uses[index], &column.column, test);
                }
                Some(())
            }
            (Operand::Column(a), Operand::Column(b)) if test == Test::Equal => {
                for (this, other) in [(&a, &b), (&b, &a)] {
                    let other_table = this.use_index != other.use_index || !other.local;
                    if let Some(index) = this.use_index.filter(|_| this.local && other_table) {
                        push_join(&mut self.uses[index], &this.column);
                    }
                }
                Some(())
            }
            (Operand::Column(column), Operand::Subquery(start, end)) if test == Test::Equal => {
                self.statement(&p[start..end], scopes)?;
                if let Some(index) = column.use_index.filter(|_| column.local) {
                    push_join(&mut self.uses[index], &column.column);
                }
                Some(())
            }
            (Operand::Value, Operand::Value) => Some(()),
            (Operand::Subquery(start, end), _) | (_, Operand::Subquery(start, end)) => {
                self.statement(&p[start..end], scopes)
            }
            _ => None,
        }
    }

    /// The operand at `i`, and the position after it.
    fn operand(&self, p: &[Token], i: usize, scopes: &Scopes) -> Option<(Operand, usize)> {
        // `("t0"."id")`, `((?))`: one operand in parentheses, each closing right after it.
        let mut start = i;
        let mut closings: Vec<usize> = Vec::new();
        while is_punct(p.get(start), "(") && !opens_query(p, start + 1) {
            if closings.len() == MAX_NESTING {
                return None;
            }
            closings.push(self.closing(p, start)?);
            start += 1;
        }
        let within = &p[..closings.last().map_or(p.len(), |end| *end)];
        let (operand, mut next) = if is_punct(within.get(start), "(") {
            let end = self.closing(within, start)?;
            (Operand::Subquery(start + 1, end), end + 1)
        } else if let Some(end) = self.value_end(within, start) {
            (Operand::Value, end)
        } else {
            let (parts, next) = self.dotted_at(within, start)?;
            if is_punct(within.get(next), "(") || is_punct(within.get(next), ":") {
                // A function call, or a column cast to another type: no index on the column
                // serves.
                return None;
            }
            (self.resolve(&parts, scopes), next)
        };
        for end in closings.iter().rev() {
            if next != *end {
                return None;
            }
            next = end + 1;
        }
        Some((operand, next))
    }

    /// The position after a value at `i` (a parameter, literal, `NULL`, `TRUE`, `FALSE`, the
    /// current time, or MySQL's `...` for a list), with any `::type` casts.
    fn value_end(&self, p: &[Token], mut i: usize) -> Option<usize> {
        let token = p.get(i)?;
        match token.kind {
            TokenKind::Literal | TokenKind::Number => i += 1,
            TokenKind::Punct if token.text == "?" => i += 1,
            TokenKind::Punct if token.text == "$" && p.get(i + 1)?.kind == TokenKind::Number => {
                i += 2;
            }
            TokenKind::Punct if token.text == "-" && p.get(i + 1)?.kind == TokenKind::Number => {
                i += 2;
            }
            TokenKind::Punct if token.text == "." => {
                while is_punct(p.get(i), ".") {
                    i += 1;
                }
            }
            TokenKind::Word
                if is_any_keyword(
                    Some(token),
                    &[
                        "NULL",
                        "TRUE",
                        "FALSE",
                        "CURRENT_TIMESTAMP",
                        "CURRENT_DATE",
                        "LOCALTIMESTAMP",
                    ],
                ) =>
            {
                i += 1;
            }
            TokenKind::Word
                if is_any_keyword(Some(token), &["NOW", "CAST"]) && is_punct(p.get(i + 1), "(") =>
            {
                // `now()`, `CAST(? AS type)`: a value when no column is inside.
                let end = self.closing(p, i + 1)?;
                let inner = &p[i + 2..end];
                let only_value = inner.is_empty()
                    || (token.is_keyword("CAST")
                        && !is_keyword(inner.first(), "CAST")
                        && self
                            .value_end(inner, 0)
                            .is_some_and(|next| is_keyword(inner.get(next), "AS")));
                if !only_value {
                    return None;
                }
                i = end + 1;
            }
            _ => return None,
        }
        // PostgreSQL's casts: `$1::text`, `$2::"Role"`, `$3::timestamp(3)`, `$4::int[]`.
        while is_punct(p.get(i), ":") && is_punct(p.get(i + 1), ":") {
            let (_, next) = self.dotted_at(p, i + 2)?;
            i = next;
            while let Some(token) = p.get(i) {
                if is_punct(Some(token), "(") {
                    i = self.closing(p, i)? + 1;
                } else if is_punct(Some(token), "[") && is_punct(p.get(i + 1), "]") {
                    i += 2;
                } else if token.kind == TokenKind::Word
                    && ["VARYING", "PRECISION", "ZONE", "WITH", "WITHOUT", "TIME"]
                        .iter()
                        .any(|w| token.is_keyword(w))
                {
                    i += 1;
                } else {
                    break;
                }
            }
        }
        Some(i)
    }

    /// The table a column name (`column`, `table.column`, `schema.table.column`) belongs to,
    /// looked up from the innermost `FROM` list out.
    fn resolve(&self, parts: &[String], scopes: &Scopes) -> Operand {
        let (qualifier, column) = match parts {
            [column] => (None, column),
            [table, column] => (Some((None, table)), column),
            [schema, table, column] => (Some((Some(schema), table)), column),
            _ => return Operand::Unknown,
        };
        for (depth, scope) in scopes.iter().rev().enumerate() {
            let found: Vec<&Entry> = match qualifier {
                // An unqualified column is placed only where one table is in reach.
                None if scope.len() == 1 => scope.iter().collect(),
                None => return Operand::Unknown,
                Some((schema, table)) => scope
                    .iter()
                    .filter(|entry| {
                        let by_alias = entry.alias.as_ref().is_some_and(|a| self.same(a, table));
                        let by_table = entry.table.as_ref().is_some_and(|t| self.same(t, table))
                            && match (schema, &entry.schema) {
                                (Some(schema), Some(own)) => self.same(schema, own),
                                _ => true,
                            };
                        (schema.is_none() && by_alias) || by_table
                    })
                    .collect(),
            };
            if let [entry] = found.as_slice() {
                return Operand::Column(ColumnRef {
                    use_index: entry.use_index,
                    local: depth == 0,
                    column: column.clone(),
                });
            }
            if !found.is_empty() {
                return Operand::Unknown;
            }
        }
        Operand::Unknown
    }
}

fn push_filter(table_use: &mut TableUse, column: &str, test: Test) {
    let filter = Filter {
        column: column.to_owned(),
        test,
    };
    if !table_use.filters.contains(&filter) {
        table_use.filters.push(filter);
    }
}

fn push_join(table_use: &mut TableUse, column: &str) {
    if !table_use.joins.iter().any(|c| c == column) {
        table_use.joins.push(column.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::{Filter, LexicalRules, MAX_NESTING, TableUse, Test, table_uses};
    use crate::sql_scan::tests::{ALL, MYSQL_STRINGS};

    /// PostgreSQL's names fold to lower case, as every option of the scanner's tests has it.
    const POSTGRES: LexicalRules = ALL;

    const MYSQL: LexicalRules = LexicalRules {
        identifier_quotes: &[(b'`', b'`')],
        ..MYSQL_STRINGS
    };

    /// Each use as `table: filters | joins | order`, filters as `column=`, `column<`,
    /// `column null`, `column not null`.
    fn read(sql: &str, rules: &LexicalRules) -> Vec<String> {
        table_uses(sql, rules).iter().map(describe).collect()
    }

    fn describe(table_use: &TableUse) -> String {
        let filters: Vec<String> = table_use
            .filters
            .iter()
            .map(|Filter { column, test }| match test {
                Test::Equal => format!("{column}="),
                Test::Range => format!("{column}<"),
                Test::IsNull => format!("{column} null"),
                Test::NotNull => format!("{column} not null"),
            })
            .collect();
        let table = match &table_use.schema {
            Some(schema) => format!("{schema}.{}", table_use.table),
            None => table_use.table.clone(),
        };
        format!(
            "{table}: {} | {} | {}",
            filters.join(" "),
            table_use.joins.join(" "),
            table_use.order_by.join(" ")
        )
    }

    /// Found by the fuzzer: `""` is no table, so nothing is read of the statement.
    #[test]
    fn an_empty_quoted_name_is_no_table() {
        assert!(read("UPDATE \"\" SET views = $1 WHERE \"id\" = $2", &POSTGRES).is_empty());
        assert!(read("SELECT * FROM \"\" WHERE \"id\" = $1", &POSTGRES).is_empty());
    }

    #[test]
    fn single_table_statements_are_read() {
        assert_eq!(
            read(
                "SELECT abalance FROM pgbench_accounts a WHERE a.bid = $1 AND filler IS NULL \
                 ORDER BY aid DESC LIMIT $2",
                &POSTGRES
            ),
            ["pgbench_accounts: bid= filler null |  | aid"]
        );
        assert_eq!(
            read(
                "UPDATE \"Post\" SET views = views + $1 WHERE \"authorId\" IN ($2, $3)",
                &POSTGRES
            ),
            ["Post: authorId= |  | "]
        );
        assert_eq!(
            read("DELETE FROM a WHERE x = $1::int AND y > $2", &POSTGRES),
            ["a: x= y< |  | "]
        );
        assert_eq!(
            read(
                "SELECT * FROM `db` . `Member` `m` WHERE `m` . `city` = ? AND `score` IN (...) \
                 AND `email` IS NOT NULL ORDER BY `m` . `id` DESC LIMIT ?",
                &MYSQL
            ),
            ["db.Member: city= score= email not null |  | id"]
        );
    }

    /// The statements Prisma sends, as `pg_stat_statements` normalizes them.
    #[test]
    fn prisma_statements_are_read() {
        assert_eq!(
            read(
                "SELECT \"public\".\"User\".\"id\", \"public\".\"User\".\"email\" FROM \
                 \"public\".\"User\" WHERE (\"public\".\"User\".\"email\" = $1 AND 1=1) \
                 LIMIT $2 OFFSET $3",
                &POSTGRES
            ),
            ["public.User: email= |  | "]
        );
        // A relation filter: the outer key against a subquery of the related table.
        assert_eq!(
            read(
                "SELECT \"t0\".\"id\" FROM \"public\".\"User\" AS \"t0\" WHERE (\"t0\".\"id\") \
                 IN (SELECT \"t1\".\"authorId\" FROM \"public\".\"Post\" AS \"t1\" WHERE \
                 (\"t1\".\"published\" = $1 AND \"t1\".\"authorId\" IS NOT NULL)) OFFSET $2",
                &POSTGRES
            ),
            [
                "public.User:  | id | ",
                "public.Post: published= authorId not null |  | "
            ]
        );
        // `relationJoins`: the related rows in a lateral subquery, correlated by the key.
        assert_eq!(
            read(
                "SELECT \"t1\".\"id\", \"User_posts\".\"__prisma_data__\" AS \"posts\" FROM \
                 \"public\".\"User\" AS \"t1\" LEFT JOIN LATERAL (SELECT \
                 COALESCE(JSONB_AGG(\"__prisma_data__\"), '[]') AS \"__prisma_data__\" FROM \
                 (SELECT \"t4\".\"__prisma_data__\" FROM (SELECT JSONB_BUILD_OBJECT('id', \
                 \"t3\".\"id\") AS \"__prisma_data__\" FROM (SELECT \"t2\".* FROM \
                 \"public\".\"Post\" AS \"t2\" WHERE \"t1\".\"id\" = \"t2\".\"authorId\" /* \
                 root select */) AS \"t3\") AS \"t4\") AS \"t5\") AS \"User_posts\" ON true \
                 WHERE \"t1\".\"email\" = $1 LIMIT $2",
                &POSTGRES
            ),
            ["public.User: email= |  | ", "public.Post:  | authorId | "]
        );
    }

    #[test]
    fn joins_give_each_table_its_tests_and_join_columns() {
        assert_eq!(
            read(
                "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id \
                 WHERE c.email = $1 AND o.status = $2 ORDER BY o.created_at",
                &POSTGRES
            ),
            [
                "orders: status= | customer_id | created_at",
                "customers: email= | id | "
            ]
        );
        assert_eq!(
            read(
                "SELECT * FROM `a` JOIN `b` ON `a` . `id` = `b` . `aId` WHERE `a` . `n` = ?",
                &MYSQL
            ),
            ["a: n= | id | ", "b:  | aId | "]
        );
        assert_eq!(
            read(
                "SELECT * FROM a, b WHERE a.id = b.a_id AND b.kind = $1",
                &POSTGRES
            ),
            ["a:  | id | ", "b: kind= | a_id | "]
        );
        assert_eq!(
            read(
                "WITH recent AS (SELECT * FROM events WHERE kind = $1) \
                 SELECT * FROM recent r JOIN users u USING (user_id)",
                &POSTGRES
            ),
            ["events: kind= |  | ", "users:  | user_id | "]
        );
    }

    #[test]
    fn tests_an_index_cannot_serve_are_left_out() {
        // The OR: nothing of the condition, the rest of the statement still read.
        assert_eq!(
            read(
                "SELECT * FROM a WHERE (x = $1 OR y = $2) AND z = $3",
                &POSTGRES
            ),
            ["a: z= |  | "]
        );
        for sql in [
            "SELECT * FROM a WHERE x = $1 OR y = $2",
            "SELECT * FROM a WHERE lower(x) = $1",
            "SELECT * FROM a WHERE x::text = $1",
            "SELECT * FROM a WHERE x <> $1",
            "SELECT * FROM a",
            "SELECT * FROM a JOIN b ON a.x = b.y",
            "SELECT 1",
        ] {
            let uses = read(sql, &POSTGRES);
            assert!(
                uses.iter().all(|u| !u.contains('=') && !u.contains('<')),
                "{sql}: {uses:?}"
            );
        }
        // Unqualified columns of a join belong to no table the reader can name.
        assert_eq!(
            read(
                "SELECT * FROM a JOIN b ON a.id = b.a_id WHERE x = $1",
                &POSTGRES
            ),
            ["a:  | id | ", "b:  | a_id | "]
        );
    }

    #[test]
    fn statements_it_cannot_follow_give_nothing() {
        for sql in [
            "SELECT * FROM a WHERE x = $1; DROP TABLE a",
            "SELECT * FROM a WHERE x = $1 LIMIT $2; COMMIT",
            "INSERT INTO a VALUES ($1)",
            "SELECT * FROM (a JOIN b ON a.id = b.a_id) WHERE a.x = $1",
            "SELECT * FROM a TABLESAMPLE SYSTEM (1) WHERE x = $1",
            "SELECT * FROM a WHERE x = (SELECT",
            "CREATE TABLE a (x int)",
            "",
            ")))",
        ] {
            assert_eq!(read(sql, &POSTGRES), Vec::<String>::new(), "{sql}");
        }
    }

    /// Nesting as deep as a statement may go is read without exhausting the stack, and
    /// nesting past the limit gives nothing rather than part of the statement.
    #[test]
    fn deep_nesting_is_bounded() {
        let deep = 100_000;
        for sql in [
            format!(
                "SELECT * FROM a WHERE {}x = $1{}",
                "(".repeat(deep),
                ")".repeat(deep)
            ),
            format!(
                "SELECT * FROM a WHERE x = {}$1{}",
                "(".repeat(deep),
                ")".repeat(deep)
            ),
            format!(
                "SELECT * FROM a WHERE x IN {}SELECT y FROM b{}",
                "(SELECT * FROM c WHERE z IN ".repeat(deep),
                ")".repeat(deep)
            ),
            format!(
                "SELECT * FROM a WHERE x = {}$1{}",
                "CAST(".repeat(deep),
                " AS int)".repeat(deep)
            ),
            format!(
                "{}SELECT * FROM a WHERE x = $1{}",
                "(".repeat(deep),
                ")".repeat(deep)
            ),
        ] {
            assert_eq!(read(&sql, &POSTGRES), Vec::<String>::new());
        }
        let nested = format!(
            "SELECT * FROM a WHERE {}x = $1{}",
            "(".repeat(MAX_NESTING - 2),
            ")".repeat(MAX_NESTING - 2)
        );
        assert_eq!(read(&nested, &POSTGRES), ["a: x= |  | "]);
    }

    #[test]
    fn candidates_key_the_most_selective_tests_first() {
        let uses = table_uses(
            "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id \
             WHERE o.status = $1 AND o.region = $2 AND o.total > $3",
            &POSTGRES,
        );
        let orders = &uses[0];
        let share = |column: &str, _: Test| match column {
            "status" => 0.2,
            "region" => 0.01,
            "customer_id" => 0.0001,
            _ => 1.0,
        };
        assert_eq!(
            orders.index_candidates(1_000_000.0, share),
            vec![
                vec!["region".to_owned(), "status".to_owned(), "total".to_owned()],
                vec!["customer_id".to_owned(), "region".to_owned()],
            ]
        );
        // Few rows left after one column: no more columns.
        assert_eq!(
            orders.index_candidates(1_000.0, share),
            vec![vec!["region".to_owned()], vec!["customer_id".to_owned()]]
        );
        // Without statistics the tests keep their written order, and a lookup keys its join
        // columns alone.
        let uses = table_uses(
            "SELECT * FROM `a` JOIN `b` ON `b` . `id` = `a` . `bId` WHERE `b` . `city` = ? \
             AND `b` . `kind` = ?",
            &MYSQL,
        );
        assert_eq!(
            uses[1].index_candidates(f64::INFINITY, |_, _| 1.0),
            vec![
                vec!["city".to_owned(), "kind".to_owned()],
                vec!["id".to_owned()]
            ]
        );
        // A NOT NULL test that keeps most rows is no key column.
        let uses = table_uses("SELECT * FROM a WHERE b IS NOT NULL", &POSTGRES);
        assert_eq!(
            uses[0].index_candidates(1_000.0, |_, _| 0.9),
            Vec::<Vec<String>>::new()
        );
    }
}
