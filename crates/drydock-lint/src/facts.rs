//! Facts about the live database that change a rule's verdict: the server's major version and
//! how big a table is. The linter never connects; the caller hands it a [`Facts`] provider,
//! [`ConnectionFacts`] over a connection it opened, or [`NoFacts`].

use std::collections::HashMap;

use drydock_connector::Connection;

use crate::names::TableName;

/// A table's size as the server estimates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSize {
    pub rows: u64,
    /// `pg_total_relation_size`: the table with its indexes and TOAST.
    pub bytes: u64,
}

/// Where live facts come from. Every answer may be `None`: then rules assume the worst.
pub trait Facts {
    /// The server's major version (`15` for 15.4).
    fn server_major_version(&mut self) -> Option<u32>;
    /// The size of a table, `None` when it does not exist (yet) or cannot be read.
    fn table_size(&mut self, table: &TableName) -> Option<TableSize>;
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
}

/// Facts read from a PostgreSQL connection with catalog queries, each asked once.
pub struct ConnectionFacts<'c> {
    connection: &'c mut dyn Connection,
    /// Counting rows stops here: a table past it is large, however large.
    count_limit: u64,
    version: Option<Option<u32>>,
    sizes: HashMap<TableName, Option<TableSize>>,
}

impl<'c> ConnectionFacts<'c> {
    /// `count_limit` bounds the row count taken when the planner has no estimate (a table
    /// never analyzed): counting past the `--max-rows` threshold tells nothing more.
    pub fn new(connection: &'c mut dyn Connection, count_limit: u64) -> ConnectionFacts<'c> {
        ConnectionFacts {
            connection,
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
        if let Some(version) = self.version {
            return version;
        }
        let version = self
            .one("SELECT current_setting('server_version_num')")
            .and_then(|number| number.trim().parse::<u32>().ok())
            .map(|number| number / 10_000);
        self.version = Some(version);
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
