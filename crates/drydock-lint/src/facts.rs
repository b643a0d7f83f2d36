//! Facts about the live database that change a rule's verdict: the server's version, how big a
//! table is and how it is laid out. The linter never connects; the caller hands it a [`Facts`]
//! provider, [`ConnectionFacts`] over a connection it opened, or [`NoFacts`].

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

/// One column of a live table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveColumn {
    pub name: String,
    /// The type as the server writes it (`varchar(191)`, `int(11)`).
    pub data_type: String,
    pub nullable: bool,
    /// The character set of a text column (`utf8mb4`, `latin1`).
    pub charset: Option<String>,
    /// The most bytes one character of that set takes (4 for `utf8mb4`, 1 for `latin1`).
    pub bytes_per_char: Option<u32>,
    /// What the server sets the column to on every update of its row (`CURRENT_TIMESTAMP(3)`).
    pub on_update: Option<String>,
    pub comment: Option<String>,
}

/// How a live table is laid out, for the rules whose verdict depends on more than the
/// statements read: the columns' types and character sets, the table's default character set,
/// the row versions instant column changes used (MySQL 8.0.29 and later), and whether a
/// `FULLTEXT` index needs the table rebuilt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveTable {
    pub columns: Vec<LiveColumn>,
    /// The character set a column restated without one takes.
    pub default_charset: Option<String>,
    /// Row versions used, where the server counts them.
    pub row_versions: Option<u32>,
    /// The table has the document id column full-text indexes need (visible, hidden, or behind
    /// a `FULLTEXT` index), so a new one is built without rebuilding the table.
    pub has_fulltext_doc_id: bool,
}

impl LiveTable {
    /// The column named `name` (column names are compared without case, as MySQL does).
    pub fn column(&self, name: &str) -> Option<&LiveColumn> {
        self.columns
            .iter()
            .find(|column| column.name.eq_ignore_ascii_case(name))
    }
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
    /// How a table is laid out, `None` when it does not exist (yet), cannot be read, or the
    /// database's rules need nothing of it.
    fn live_table(&mut self, _table: &TableName) -> Option<LiveTable> {
        None
    }
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
    tables: HashMap<TableName, Option<LiveTable>>,
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
            tables: HashMap::new(),
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

    fn rows(&mut self, sql: &str) -> Vec<String> {
        self.connection
            .query_texts(sql)
            .map(|rows| rows.into_iter().flatten().collect())
            .unwrap_or_default()
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
        let stats = self.one(&format!(
            "SELECT CONCAT(COALESCE(TABLE_ROWS, 0), ' ', COALESCE(DATA_LENGTH, 0) + \
             COALESCE(INDEX_LENGTH, 0)) FROM information_schema.TABLES WHERE {}",
            mysql_table_filter(table, "")
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

    /// The layout from `information_schema` (columns, character sets, `FULLTEXT` indexes) and
    /// InnoDB's own tables (row versions on MySQL 8.0.29 and later, the hidden `FTS_DOC_ID`
    /// column, where the user may read them).
    fn read_mysql_table(&mut self, table: &TableName) -> Option<LiveTable> {
        let filter = mysql_table_filter(table, "c.");
        // One text per column: the comment in hex, the name last, so both may hold anything;
        // the expression after `on update` in `EXTRA`.
        let columns: Vec<LiveColumn> = self
            .rows(&format!(
                "SELECT CONCAT_WS(CHAR(31), c.IS_NULLABLE, COALESCE(cs.MAXLEN, 0), \
                 COALESCE(c.CHARACTER_SET_NAME, ''), \
                 IF(LOCATE('on update ', LOWER(c.EXTRA)) > 0, \
                    UPPER(SUBSTRING(c.EXTRA, LOCATE('on update ', LOWER(c.EXTRA)) + 10)), ''), \
                 HEX(c.COLUMN_COMMENT), c.COLUMN_TYPE, c.COLUMN_NAME) \
                 FROM information_schema.COLUMNS c LEFT JOIN information_schema.CHARACTER_SETS cs \
                 ON cs.CHARACTER_SET_NAME = c.CHARACTER_SET_NAME WHERE {filter} \
                 ORDER BY c.ORDINAL_POSITION"
            ))
            .iter()
            .filter_map(|row| {
                let mut parts = row.splitn(7, '\u{1f}');
                let nullable = parts.next()? == "YES";
                let bytes_per_char = parts.next()?.parse().ok().filter(|bytes| *bytes > 0);
                let charset = Some(parts.next()?.to_owned()).filter(|set| !set.is_empty());
                let on_update = Some(parts.next()?.to_owned()).filter(|e| !e.is_empty());
                let comment = from_hex(parts.next()?).filter(|comment| !comment.is_empty());
                let data_type = parts.next()?.to_owned();
                let name = parts.next()?.to_owned();
                Some(LiveColumn {
                    name,
                    data_type,
                    nullable,
                    charset,
                    bytes_per_char,
                    on_update,
                    comment,
                })
            })
            .collect();
        if columns.is_empty() {
            return None;
        }
        let default_charset = self.one(&format!(
            "SELECT co.CHARACTER_SET_NAME FROM information_schema.TABLES c \
             JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.TABLE_COLLATION \
             WHERE {filter}"
        ));
        let fulltext_indexes = self.one(&format!(
            "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.STATISTICS c \
             WHERE {filter} AND c.INDEX_TYPE = 'FULLTEXT'"
        ));
        // InnoDB names a table `database/table`; MySQL 8 calls its tables INNODB_*, MariaDB
        // INNODB_SYS_*. Either may be refused (they need the PROCESS privilege).
        let (schema, name) = table.schema_and_name();
        let schema = schema.map_or_else(|| "DATABASE()".to_owned(), mysql_literal);
        let innodb_name = format!("CONCAT({schema}, '/', {})", mysql_literal(name));
        let hidden_doc_id = ["INNODB_TABLES", "INNODB_SYS_TABLES"]
            .into_iter()
            .zip(["INNODB_COLUMNS", "INNODB_SYS_COLUMNS"])
            .find_map(|(tables, columns)| {
                self.one(&format!(
                    "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.{tables} t \
                     JOIN information_schema.{columns} c ON c.TABLE_ID = t.TABLE_ID \
                     WHERE t.NAME = {innodb_name} AND c.NAME = 'FTS_DOC_ID'"
                ))
            });
        let row_versions = self
            .one(&format!(
                "SELECT CAST(TOTAL_ROW_VERSIONS AS CHAR) FROM information_schema.INNODB_TABLES \
                 WHERE NAME = {innodb_name}"
            ))
            .and_then(|versions| versions.parse().ok());
        let counts = |count: Option<String>| count.is_some_and(|count| count != "0");
        let has_fulltext_doc_id = counts(fulltext_indexes)
            || counts(hidden_doc_id)
            || columns
                .iter()
                .any(|column| column.name.eq_ignore_ascii_case("FTS_DOC_ID"));
        Some(LiveTable {
            columns,
            default_charset,
            row_versions,
            has_fulltext_doc_id,
        })
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

/// Text the server wrote with `HEX()`.
fn from_hex(hex: &str) -> Option<String> {
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// A MySQL string literal.
fn mysql_literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// The `information_schema` condition naming `table` (its database, else the current one), on
/// columns behind `prefix` (`c.`).
fn mysql_table_filter(table: &TableName, prefix: &str) -> String {
    let (schema, name) = table.schema_and_name();
    let schema = schema.map_or_else(|| "DATABASE()".to_owned(), mysql_literal);
    format!(
        "{prefix}TABLE_SCHEMA = {schema} AND {prefix}TABLE_NAME = {}",
        mysql_literal(name)
    )
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

    fn live_table(&mut self, table: &TableName) -> Option<LiveTable> {
        if let Some(live) = self.tables.get(table) {
            return live.clone();
        }
        let live = match self.grammar {
            SqlGrammar::MySql => self.read_mysql_table(table),
            // PostgreSQL's and SQLite's rules need nothing of a table's layout yet.
            SqlGrammar::PostgreSql | SqlGrammar::Sqlite => None,
        };
        self.tables.insert(table.clone(), live.clone());
        live
    }
}
