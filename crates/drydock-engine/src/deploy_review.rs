//! What the pending migrations of a deploy will do to the live database: their lint findings
//! read against live table sizes ([`review_pending`]), and the tables their statements work on
//! ([`pending_tables`]). `drydock preflight` and `migrate deploy` share both.

use std::collections::{BTreeSet, HashMap, HashSet};

use drydock_connector::sql_scan::{Token, TokenKind, tokens};
use drydock_connector::{Connection, Dialect};
use drydock_diagnostics::{FileId, Files};
use drydock_lint::rules::migration_name;
use drydock_lint::{
    ConnectionFacts, Facts, LintOptions, LiveTable, MigrationFile, NoFacts, Report, TableName,
    TableSize,
};
use drydock_migrate::{LocalMigration, MIGRATION_FILE_NAME, list_migrations};

use crate::{EngineError, Project};

/// Lint the migrations folder as a deploy will meet it and keep the findings of `pending`.
///
/// Every migration is linted, in order, because rules read the schema earlier files build; only
/// findings in pending ones are kept. Table sizes come from `conn` (PostgreSQL, MySQL), and a table the
/// database does not have yet counts as empty: the pending migrations create it, so an index on
/// it is built before any row exists.
pub fn review_pending(
    project: &Project,
    conn: &mut dyn Connection,
    pending: &[String],
    max_rows: u64,
) -> Result<Report, EngineError> {
    let live = LiveTables::read(project, conn)?;
    review_with(project, conn, pending, max_rows, &live)
}

/// [`review_pending`] with the live tables already read.
pub(crate) fn review_with(
    project: &Project,
    conn: &mut dyn Connection,
    pending: &[String],
    max_rows: u64,
    live: &LiveTables,
) -> Result<Report, EngineError> {
    let migrations = list_migrations(&project.migrations_dir)?;
    let options = LintOptions {
        dialect: project.dialect,
        max_rows,
        deployed_by_drydock: true,
    };
    Ok(lint_selected(
        project,
        &migrations,
        pending,
        &options,
        Some((conn, live)),
    ))
}

/// Lints every migration of the folder in order (rules read the schema earlier files build)
/// and keeps the findings of the `selected` ones; with a connection and its tables, against
/// live facts where the linter knows the database's locks.
pub(crate) fn lint_selected(
    project: &Project,
    migrations: &[LocalMigration],
    selected: &[String],
    options: &LintOptions<'_>,
    live: Option<(&mut dyn Connection, &LiveTables)>,
) -> Report {
    let files: Vec<MigrationFile> = migrations.iter().map(migration_file).collect();
    let keep: HashSet<String> = migrations
        .iter()
        .filter(|migration| selected.contains(&migration.name))
        .map(|migration| migration_file(migration).path)
        .collect();
    let report = match live {
        Some((conn, existing)) if drydock_lint::knows_locks(project.dialect) => {
            let mut facts = DeployFacts::new(project, conn, options.max_rows, existing);
            drydock_lint::lint(files, options, &mut facts)
        }
        _ => drydock_lint::lint(files, options, &mut NoFacts),
    };
    only_files(report, &keep)
}

/// A migration of the folder as the linter reads it: its path, executable script and name.
pub fn migration_file(migration: &LocalMigration) -> MigrationFile {
    MigrationFile {
        path: migration
            .path
            .join(MIGRATION_FILE_NAME)
            .display()
            .to_string(),
        text: migration.executable_script().to_owned(),
        migration_name: migration_name::from_folder(&migration.name).map(str::to_owned),
    }
}

/// `report` narrowed to the files named in `keep`, with file ids renumbered.
fn only_files(report: Report, keep: &HashSet<String>) -> Report {
    let mut files = Files::new();
    let mut renumbered: HashMap<FileId, FileId> = HashMap::new();
    for (id, file) in report.files.iter() {
        if keep.contains(&file.name) {
            renumbered.insert(id, files.add(file.name.clone(), file.text.clone()));
        }
    }
    let findings = report
        .findings
        .into_iter()
        .filter_map(|mut finding| {
            finding.span.file = *renumbered.get(&finding.span.file)?;
            Some(finding)
        })
        .collect();
    let statements = report
        .statements
        .into_iter()
        .filter_map(|mut statement| {
            statement.span.file = *renumbered.get(&statement.span.file)?;
            Some(statement)
        })
        .collect();
    Report {
        files,
        findings,
        notices: report.notices,
        statements,
    }
}

/// Live facts where a table that does not exist yet is empty rather than unknown.
pub(crate) struct DeployFacts<'c, 'l> {
    live: ConnectionFacts<'c>,
    existing: &'l LiveTables,
}

impl<'c, 'l> DeployFacts<'c, 'l> {
    /// Row counts stop at `max_rows` where the server has no estimate.
    pub(crate) fn new(
        project: &Project,
        conn: &'c mut dyn Connection,
        max_rows: u64,
        existing: &'l LiveTables,
    ) -> Self {
        DeployFacts {
            live: ConnectionFacts::new(conn, project.dialect.capabilities().sql_grammar, max_rows),
            existing,
        }
    }
}

impl Facts for DeployFacts<'_, '_> {
    fn server_major_version(&mut self) -> Option<u32> {
        self.live.server_major_version()
    }

    fn server_version(&mut self) -> Option<String> {
        self.live.server_version()
    }

    fn table_size(&mut self, table: &TableName) -> Option<TableSize> {
        self.live.table_size(table).or_else(|| {
            (!self.existing.lint_names.contains(table)).then_some(TableSize { rows: 0, bytes: 0 })
        })
    }

    fn live_table(&mut self, table: &TableName) -> Option<LiveTable> {
        self.live.live_table(table)
    }
}

/// The tables the live database has in the project's namespaces.
pub(crate) struct LiveTables {
    /// Each table by its bare and by its qualified name, as the linter names tables.
    lint_names: HashSet<TableName>,
    /// `(namespace, name)`, lower-cased.
    folded: HashSet<(Option<String>, String)>,
}

impl LiveTables {
    pub(crate) fn read(project: &Project, conn: &mut dyn Connection) -> Result<Self, EngineError> {
        let schema = conn.introspect(&project.namespaces())?;
        let mut lint_names = HashSet::new();
        let mut folded = HashSet::new();
        for table in &schema.tables {
            lint_names.insert(TableName::from_sql_parts(&[&table.name]));
            if let Some(namespace) = &table.namespace {
                lint_names.insert(TableName::from_sql_parts(&[namespace, &table.name]));
            }
            folded.insert((
                table.namespace.as_deref().map(str::to_lowercase),
                table.name.to_lowercase(),
            ));
        }
        Ok(LiveTables { lint_names, folded })
    }

    /// Whether `table` may be one of them. Case is ignored, and an unqualified name matches
    /// any namespace: when unsure, a table exists, so its size is asked rather than taken as 0.
    pub(crate) fn may_contain(&self, table: &TableRef) -> bool {
        let name = table.name.to_lowercase();
        let schema = table.schema.as_deref().map(str::to_lowercase);
        self.folded.iter().any(|(namespace, candidate)| {
            *candidate == name && (schema.is_none() || namespace.is_none() || *namespace == schema)
        })
    }
}

/// A table named in SQL, folded as PostgreSQL folds names (unquoted parts lower-cased).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableRef {
    pub schema: Option<String>,
    pub name: String,
}

impl TableRef {
    /// The table `text` names (`public."User"`, `"User"`, `users`), if it is a table name.
    pub fn parse(text: &str, dialect: &dyn Dialect) -> Option<TableRef> {
        let tokens = tokens(text, dialect.lexical_rules());
        let (table, used) = table_at(&tokens, 0)?;
        (used == tokens.len()).then_some(table)
    }

    /// Whether both name the same table. A name without schema matches the table of that name
    /// in any schema (the migrations' default schema is the connection's, unknown here).
    pub fn same_table(&self, other: &TableRef) -> bool {
        self.name == other.name
            && (self.schema.is_none() || other.schema.is_none() || self.schema == other.schema)
    }

    /// The name as the linter's facts take it.
    pub(crate) fn lint_name(&self) -> TableName {
        match &self.schema {
            Some(schema) => TableName::from_sql_parts(&[schema, &self.name]),
            None => TableName::from_sql_parts(&[&self.name]),
        }
    }
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The tables the statements of the pending migrations work on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingTables {
    /// Every table a statement alters, indexes, drops, empties, writes, locks or references
    /// (a foreign key locks the table it points at).
    pub touched: BTreeSet<TableRef>,
    /// The tables that may be copied or indexed, and so need room on disk up to their size:
    /// `ALTER TABLE` that adds something or changes a type, `CREATE INDEX`, `CLUSTER`,
    /// `VACUUM FULL`, and the source of `INSERT ... SELECT` (a table rebuild).
    pub rewritten: BTreeSet<TableRef>,
}

/// The tables the pending migrations (by name, of the project's folder) work on.
pub fn pending_tables(project: &Project, pending: &[String]) -> Result<PendingTables, EngineError> {
    let mut tables = PendingTables::default();
    for migration in list_migrations(&project.migrations_dir)? {
        if !pending.contains(&migration.name) {
            continue;
        }
        let script = migration.executable_script();
        for range in project.dialect.split_statements(script) {
            let statement = script.get(range).unwrap_or_default();
            scan_statement(
                &tokens(statement, project.dialect.lexical_rules()),
                &mut tables,
            );
        }
    }
    Ok(tables)
}

/// The tables one statement works on.
pub(crate) fn statement_tables(statement: &str, dialect: &dyn Dialect) -> PendingTables {
    let mut tables = PendingTables::default();
    scan_statement(&tokens(statement, dialect.lexical_rules()), &mut tables);
    tables
}

/// Statements followed by a list of the tables they drop, empty or lock.
const LISTING_PREFIXES: &[&[&str]] = &[
    &["DROP", "TABLE"],
    &["TRUNCATE", "TABLE"],
    &["TRUNCATE"],
    &["LOCK", "TABLE"],
    &["LOCK"],
];

/// Statements followed by the table they rewrite whole.
const REWRITING_PREFIXES: &[&[&str]] = &[&["CLUSTER"], &["VACUUM", "FULL"]];

/// One statement's contribution to [`PendingTables`].
fn scan_statement(tokens: &[Token], tables: &mut PendingTables) {
    let words: Vec<&str> = tokens
        .iter()
        .map(|token| match token.kind {
            TokenKind::Word => token.text.as_str(),
            _ => "",
        })
        .collect();
    let starts = |prefix: &[&str]| {
        words.len() >= prefix.len()
            && words
                .iter()
                .zip(prefix)
                .all(|(word, expected)| word.eq_ignore_ascii_case(expected))
    };
    let has = |word: &str| words.iter().any(|w| w.eq_ignore_ascii_case(word));
    let mut touch = |index: usize, rewrites: bool, list: bool| {
        for table in names_at(tokens, index, list) {
            if rewrites {
                tables.rewritten.insert(table.clone());
            }
            tables.touched.insert(table);
        }
    };
    if starts(&["ALTER", "TABLE"]) {
        touch(2, has("ADD") || has("TYPE"), false);
    } else if starts(&["CREATE"]) && has("INDEX") {
        if let Some(on) = words.iter().position(|w| w.eq_ignore_ascii_case("ON")) {
            touch(on + 1, true, false);
        }
    } else if let Some(prefix) = LISTING_PREFIXES.iter().find(|prefix| starts(prefix)) {
        touch(prefix.len(), false, true);
    } else if starts(&["INSERT", "INTO"]) || starts(&["DELETE", "FROM"]) {
        touch(2, false, false);
        if starts(&["INSERT"])
            && let Some(from) = words.iter().position(|w| w.eq_ignore_ascii_case("FROM"))
        {
            touch(from + 1, true, false);
        }
    } else if starts(&["UPDATE"]) {
        touch(1, false, false);
    } else if let Some(prefix) = REWRITING_PREFIXES.iter().find(|prefix| starts(prefix)) {
        touch(prefix.len(), true, false);
    }
    for (index, word) in words.iter().enumerate() {
        if word.eq_ignore_ascii_case("REFERENCES") {
            touch(index + 1, false, false);
        }
    }
}

/// The table names at `index` (after optional `IF EXISTS` and `ONLY`); with `list`, every name
/// of a comma-separated list.
fn names_at(tokens: &[Token], mut index: usize, list: bool) -> Vec<TableRef> {
    let mut names = Vec::new();
    loop {
        index = skip_modifiers(tokens, index);
        let Some((table, next)) = table_at(tokens, index) else {
            return names;
        };
        names.push(table);
        index = next;
        if !list || !tokens.get(index).is_some_and(|token| is_punct(token, ",")) {
            return names;
        }
        index += 1;
    }
}

/// `index` past `IF EXISTS`, `IF NOT EXISTS` and `ONLY`.
fn skip_modifiers(tokens: &[Token], mut index: usize) -> usize {
    while let Some(token) = tokens.get(index) {
        if ["IF", "NOT", "EXISTS", "ONLY"]
            .iter()
            .any(|modifier| token.is_keyword(modifier))
        {
            index += 1;
        } else {
            break;
        }
    }
    index
}

/// A possibly qualified name at `index`, and the index after it.
fn table_at(tokens: &[Token], index: usize) -> Option<(TableRef, usize)> {
    let first = tokens.get(index)?.identifier()?;
    if tokens
        .get(index + 1)
        .is_some_and(|token| is_punct(token, "."))
        && let Some(second) = tokens.get(index + 2).and_then(Token::identifier)
    {
        return Some((
            TableRef {
                schema: Some(first),
                name: second,
            },
            index + 3,
        ));
    }
    Some((
        TableRef {
            schema: None,
            name: first,
        },
        index + 1,
    ))
}

fn is_punct(token: &Token, punct: &str) -> bool {
    token.kind == TokenKind::Punct && token.text == punct
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(sql: &str) -> PendingTables {
        let dialect = crate::dialects::for_provider("postgresql").expect("postgresql");
        let mut tables = PendingTables::default();
        for range in dialect.split_statements(sql) {
            scan_statement(&tokens(&sql[range], dialect.lexical_rules()), &mut tables);
        }
        tables
    }

    fn names(set: &BTreeSet<TableRef>) -> Vec<String> {
        set.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn finds_the_tables_statements_work_on() {
        let tables = scan(
            "-- ALTER TABLE \"Commented\" ADD x int;\n\
             SET lock_timeout = '2s';\n\
             ALTER TABLE IF EXISTS ONLY \"User\" ADD COLUMN \"bio\" text DEFAULT 'ALTER TABLE x';\n\
             ALTER TABLE \"Post\" RENAME COLUMN \"a\" TO \"b\";\n\
             CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"i\" ON app.\"Order\"(\"id\");\n\
             CREATE TABLE \"New\" (\"id\" int REFERENCES \"Account\"(\"id\"));\n\
             DROP TABLE IF EXISTS \"Old\", legacy.Things;\n\
             TRUNCATE TABLE \"Log\";\n\
             INSERT INTO \"new_Tag\" SELECT * FROM \"Tag\";\n\
             UPDATE \"Counter\" SET n = 0;\n\
             DELETE FROM ONLY \"Session\";\n\
             DO $$ BEGIN ALTER TABLE \"Hidden\" ADD x int; END $$;",
        );
        assert_eq!(
            names(&tables.touched),
            [
                "Account",
                "Counter",
                "Log",
                "Old",
                "Post",
                "Session",
                "Tag",
                "User",
                "new_Tag",
                "app.Order",
                "legacy.things",
            ]
        );
        assert_eq!(names(&tables.rewritten), ["Tag", "User", "app.Order"]);
    }

    #[test]
    fn parses_qualified_names_as_the_server_quotes_them() {
        let dialect = crate::dialects::for_provider("postgresql").expect("postgresql");
        let lock = TableRef::parse("public.\"User\"", dialect).expect("a name");
        assert_eq!(lock.schema.as_deref(), Some("public"));
        assert_eq!(lock.name, "User");
        let unqualified = TableRef::parse("\"User\"", dialect).expect("a name");
        assert!(unqualified.same_table(&lock));
        let other = TableRef::parse("other.\"User\"", dialect).expect("a name");
        assert!(!other.same_table(&lock));
        assert!(TableRef::parse("a b", dialect).is_none());
        assert_eq!(
            TableRef::parse("\"we\"\"ird\"", dialect).map(|t| t.name),
            Some("we\"ird".to_owned())
        );
    }
}
