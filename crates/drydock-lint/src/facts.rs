//! Facts about the live database that change a rule's verdict: the server's version and how
//! big a table is. The linter never connects; the caller hands it a [`Facts`] provider,
//! [`ConnectionFacts`] over a connection it opened, or [`NoFacts`].

use std::collections::HashMap;

use drydock_connector::{Connection, SqlGrammar};

use crate::names::TableName;

/// A table's size as the server estimates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSize {
    pub rows: u64,
    /// The table with its indexes (and TOAST on PostgreSQL).
    pub bytes: u64,
}

/// Where live facts come from. Every answer may be `None`: then rules assume the worst.
pub trait Facts {
    /// The server's major version (`15` for 15.4).
    fn server_major_version(&mut self) -> Option<u32>;
    /// The server as its connection describes it: product and version (`MariaDB 10.11.6`,
    /// `MySQL 8.0.36`), for rules whose verdict depends on more than the major version.
    fn server_version(&mut self) -> Option<String> {
        None
    }
    /// The size of a table, `None` when it does not exist (yet) or cannot be read.
    fn table_size(&mut self, table: &TableName) -> Option<TableSize>;
    /// Whether the facts come from a live database. Without one a table's size is unknown, and
    /// the errors that depend on it are warnings.
    fn is_live(&self) -> bool {
        true
    }
}

/// No database: every rule assumes the current server and a large table.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoFacts;

impl Facts for NoFacts {
    fn server_major_version(&mut self) -> Option<u32> {
        None
    }

    fn table_size(&mut self, _table: &TableName) -> Option<TableSize> {
        None
    }

    fn is_live(&self) -> bool {
        false
    }
}

/// Facts read from a connection with catalog queries in its grammar's flavour (PostgreSQL's
/// `pg_class`, MySQL's `information_schema`, SQLite's `dbstat`), each asked once.
pub struct ConnectionFacts<'c> {
    connection: &'c mut dyn Connection,
    grammar: SqlGrammar,
    /// Counting rows stops here: a table past it is large, however large.
    count_limit: u64,
    version: Option<Option<String>>,
    sizes: HashMap<TableName, Option<TableSize>>,
}

impl<'c> ConnectionFacts<'c> {
    /// `count_limit` bounds the row count taken when the planner has no estimate (a table
    /// never analyzed): counting past the `--max-rows` threshold tells nothing more.
    pub fn new(
        connection: &'c mut dyn Connection,
        grammar: SqlGrammar,
        count_limit: u64,
    ) -> ConnectionFacts<'c> {
        ConnectionFacts {
            connection,
            grammar,
            count_limit,
            version: None,
            sizes: HashMap::new(),
        }
    }

    fn one(&mut self, sql: &str) -> Option<String> {
        self.connection
            .query_texts(sql)
            .ok()?
            .into_iter()
            .next()
            .flatten()
    }

    fn read_size(&mut self, table: &TableName) -> Option<TableSize> {
        match self.grammar {
            SqlGrammar::PostgreSql => self.read_pg_size(table),
            SqlGrammar::MySql => self.read_mysql_size(table),
            SqlGrammar::Sqlite => self.read_sqlite_size(table),
        }
    }

    /// SQLite keeps no row estimate of its own: rows are counted, no further than the
    /// threshold needs; bytes are the table's and its indexes' pages in `dbstat` (`None` where
    /// it is not compiled in).
    fn read_sqlite_size(&mut self, table: &TableName) -> Option<TableSize> {
        let (_, name) = table.schema_and_name();
        let literal = name.replace('\'', "''");
        let bytes = self
            .one(&format!(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN \
                 (SELECT name FROM sqlite_master WHERE tbl_name = '{literal}')"
            ))?
            .parse()
            .ok()?;
        let limit = self.count_limit.saturating_add(1);
        let rows = self
            .one(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM \"{}\" LIMIT {limit})",
                name.replace('"', "\"\"")
            ))?
            .parse()
            .ok()?;
        Some(TableSize { rows, bytes })
    }

    /// InnoDB's estimates from `information_schema.TABLES`; a table with no estimate yet
    /// (never analyzed) is counted, no further than the threshold needs.
    fn read_mysql_size(&mut self, table: &TableName) -> Option<TableSize> {
        let (schema, name) = table.schema_and_name();
        let literal = |text: &str| format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"));
        let schema = schema.map_or_else(|| "DATABASE()".to_owned(), literal);
        let stats = self.one(&format!(
            "SELECT CONCAT(COALESCE(TABLE_ROWS, 0), ' ', COALESCE(DATA_LENGTH, 0) + \
             COALESCE(INDEX_LENGTH, 0)) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {}",
            literal(name)
        ))?;
        let (rows, bytes) = stats.split_once(' ')?;
        let estimate: u64 = rows.parse().ok()?;
        let bytes = bytes.parse().ok()?;
        let rows = if estimate > 0 {
            estimate
        } else {
            let limit = self.count_limit.saturating_add(1);
            self.one(&format!(
                "SELECT CAST(COUNT(*) AS CHAR) FROM (SELECT 1 FROM {} LIMIT {limit}) AS counted",
                table.to_mysql()
            ))?
            .parse()
            .ok()?
        };
        Some(TableSize { rows, bytes })
    }

    fn read_pg_size(&mut self, table: &TableName) -> Option<TableSize> {
        let literal = table.to_sql().replace('\'', "''");
        let stats = self.one(&format!(
            "SELECT c.reltuples::bigint::text || ' ' || pg_total_relation_size(c.oid)::text \
             FROM pg_class c WHERE c.oid = to_regclass('{literal}')"
        ))?;
        let (rows, bytes) = stats.split_once(' ')?;
        let estimate: i64 = rows.parse().ok()?;
        let bytes = bytes.parse().ok()?;
        // A table never vacuumed or analyzed has no estimate (-1, or 0 before PostgreSQL 14):
        // count, but no further than the threshold needs.
        let rows = if estimate > 0 {
            u64::try_from(estimate).ok()?
        } else {
            let limit = self.count_limit.saturating_add(1);
            self.one(&format!(
                "SELECT count(*)::text FROM (SELECT 1 FROM {} LIMIT {limit}) AS counted",
                table.to_sql()
            ))?
            .parse()
            .ok()?
        };
        Some(TableSize { rows, bytes })
    }
}

impl Facts for ConnectionFacts<'_> {
    fn server_major_version(&mut self) -> Option<u32> {
        // `PostgreSQL 16.2`, `MySQL 8.0.36`: the leading digits of the last word.
        let version = self.server_version()?;
        let numbers = version.rsplit(' ').next()?;
        let end = numbers
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(numbers.len());
        numbers[..end].parse().ok()
    }

    fn server_version(&mut self) -> Option<String> {
        if let Some(version) = &self.version {
            return version.clone();
        }
        let version = self.connection.server_version().ok();
        self.version = Some(version.clone());
        version
    }

    fn table_size(&mut self, table: &TableName) -> Option<TableSize> {
        if let Some(size) = self.sizes.get(table) {
            return *size;
        }
        let size = self.read_size(table);
        self.sizes.insert(table.clone(), size);
        size
    }
}
