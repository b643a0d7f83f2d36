//! What MySQL and MariaDB do for a table change, as their online DDL tables say (MySQL 8.0
//! "Online DDL Operations", MariaDB "InnoDB Online DDL Operations with ALGORITHM=INSTANT /
//! INPLACE / NOCOPY"): only metadata, an index built in place, a table rebuilt in place while
//! writes go on, or a copy that blocks writes.
//!
//! The verdict depends on the server: a known one is judged as itself; without one, both the
//! oldest supported MySQL (8.0) and MariaDB (10.6) are judged and the worse verdict counts.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableAlgorithm, AlterTableLock, AlterTableOperation, ColumnOption,
    DataType, Statement, TableConstraint,
};
use sqlparser::tokenizer::Token;

use drydock_connector::SqlGrammar;

use crate::ServerVersion;
use crate::names::{TableName, ident};
use crate::rules::Cx;
use crate::source::Stmt;

/// What an operation costs, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Effect {
    /// Only the data dictionary changes (`ALGORITHM=INSTANT`, or in place without touching
    /// rows).
    Instant,
    /// An index is built in place; reads and writes go on.
    InPlace,
    /// The whole table is rebuilt in place; reads and writes go on, but it takes as long as
    /// writing the table again (and replicas apply it after it ends).
    Rebuild,
    /// The table is copied (`ALGORITHM=COPY`) or rebuilt with writes blocked.
    Copy,
}

/// The row versions an InnoDB table holds (MySQL 8.0.29 and later).
pub(crate) const ROW_VERSION_LIMIT: u32 = 64;

/// One server the verdict is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    pub mariadb: bool,
    pub version: (u32, u32, u32),
}

impl Target {
    fn at_least(self, version: (u32, u32, u32)) -> bool {
        self.version >= version
    }
}

/// The oldest supported servers, assumed when none is known.
const OLDEST: [Target; 2] = [
    Target {
        mariadb: false,
        version: (8, 0, 0),
    },
    Target {
        mariadb: true,
        version: (10, 6, 0),
    },
];

/// The servers to judge for: the live one, or the oldest supported of both products.
pub(crate) fn targets(server: Option<&ServerVersion>) -> Vec<Target> {
    match server {
        Some(server) => vec![Target {
            mariadb: server.is("MariaDB"),
            version: server.numbers,
        }],
        None => OLDEST.to_vec(),
    }
}

/// The words that end a message about verdicts: which server they are for (`on`: the servers
/// judged for whom they hold, empty for all).
pub(crate) fn server_note(server: Option<&ServerVersion>, on: &[Target]) -> String {
    if let Some(server) = server {
        return format!("on {server}");
    }
    let servers: Vec<String> = if on.is_empty() {
        OLDEST.iter().map(|target| target.to_string()).collect()
    } else {
        on.iter().map(ToString::to_string).collect()
    };
    format!(
        "on {} (assumed: the server's version is unknown; pass `--url` to judge for the live \
         one)",
        servers.join(" or ")
    )
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (major, minor, _) = self.version;
        let name = if self.mariadb { "MariaDB" } else { "MySQL" };
        write!(f, "{name} {major}.{minor}")
    }
}

/// One operation of a statement, judged.
#[derive(Debug, Clone)]
pub(crate) struct Judged {
    pub effect: Effect,
    /// What the operation does, for messages (`changing \`User\`.\`age\` from INT to BIGINT`).
    pub what: String,
    /// The verdict rests on a guess (a column's type before is not in the files read).
    pub unsure: bool,
    /// The servers judged for whom the verdict holds, when it holds for some of them only
    /// (no server known: MySQL 8.0 rebuilds where MariaDB 10.6 changes only metadata); empty
    /// when it holds for all.
    pub on: Vec<Target>,
}

/// How the statement asks the server to run: its `ALGORITHM=` and `LOCK=` clauses.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Clauses {
    pub algorithm: Option<AlterTableAlgorithm>,
    pub lock: Option<AlterTableLock>,
}

/// An `ALTER TABLE` (or `OPTIMIZE TABLE`, `CREATE INDEX`) on MySQL, judged operation by
/// operation for each target server.
pub(crate) struct Alter {
    pub table: TableName,
    /// Each operation's worst verdict over the targets; `None` for one the linter does not
    /// judge here (foreign keys, FULLTEXT and SPATIAL indexes have rules of their own).
    pub operations: Vec<Option<Judged>>,
    pub clauses: Clauses,
}

impl Alter {
    /// The worst verdict of the statement.
    pub(crate) fn worst(&self) -> Option<&Judged> {
        self.operations
            .iter()
            .flatten()
            .max_by_key(|judged| judged.effect)
    }

    /// Whether the server refuses the statement rather than copy the table: `ALGORITHM=INSTANT`
    /// or `INPLACE`, or `LOCK=NONE`.
    pub(crate) fn refuses_copy(&self) -> bool {
        matches!(
            self.clauses.algorithm,
            Some(AlterTableAlgorithm::Instant | AlterTableAlgorithm::Inplace)
        ) || self.clauses.lock == Some(AlterTableLock::None)
    }

    /// Whether the server refuses the statement rather than rebuild the table:
    /// `ALGORITHM=INSTANT`.
    pub(crate) fn refuses_rebuild(&self) -> bool {
        self.clauses.algorithm == Some(AlterTableAlgorithm::Instant)
    }

    /// Whether every operation was judged and none rebuilds or copies the table.
    pub(crate) fn all_cheap(&self) -> bool {
        !self.operations.is_empty()
            && self
                .operations
                .iter()
                .all(|judged| judged.as_ref().is_some_and(|j| j.effect <= Effect::InPlace))
    }
}

/// The worst of an operation's verdicts for each of `judged` servers, with the servers it holds
/// for when not all.
fn worst_of(verdicts: Vec<(Target, Judged)>, judged: usize) -> Option<Judged> {
    let worst = verdicts.iter().map(|(_, judged)| judged.effect).max()?;
    let on: Vec<Target> = verdicts
        .iter()
        .filter(|(_, judged)| judged.effect == worst)
        .map(|(target, _)| *target)
        .collect();
    let (_, mut judged_worst) = verdicts
        .into_iter()
        .find(|(_, judged)| judged.effect == worst)?;
    if on.len() < judged {
        judged_worst.on = on;
    }
    Some(judged_worst)
}

/// The statement as an online DDL operation on MySQL, when it is one.
pub(crate) fn alter(cx: &Cx<'_>) -> Option<Alter> {
    let targets = targets(cx.server);
    match &cx.statement.ast {
        Some(Statement::AlterTable(alter)) => {
            let table = TableName::from_object(&alter.name);
            let mut clauses = Clauses::default();
            let adds_primary_key = alter.operations.iter().any(|op| {
                matches!(
                    op,
                    AlterTableOperation::AddConstraint {
                        constraint: TableConstraint::PrimaryKey(_),
                        ..
                    }
                )
            });
            let mut operations = Vec::new();
            for operation in &alter.operations {
                match operation {
                    AlterTableOperation::Algorithm { algorithm, .. } => {
                        clauses.algorithm = Some(*algorithm);
                        continue;
                    }
                    AlterTableOperation::Lock { lock, .. } => {
                        clauses.lock = Some(*lock);
                        continue;
                    }
                    _ => {}
                }
                let verdicts: Vec<(Target, Judged)> = targets
                    .iter()
                    .filter_map(|target| {
                        judge(cx, &table, operation, *target, adds_primary_key)
                            .map(|judged| (*target, judged))
                    })
                    .collect();
                operations.push(worst_of(verdicts, targets.len()));
            }
            if clauses.algorithm == Some(AlterTableAlgorithm::Copy) {
                // An explicit copy is a copy, whatever the operations would allow.
                operations = vec![Some(Judged {
                    effect: Effect::Copy,
                    what: format!("`ALGORITHM=COPY` on `{table}`"),
                    unsure: false,
                    on: Vec::new(),
                })];
            }
            Some(Alter {
                table,
                operations,
                clauses,
            })
        }
        _ => unparsed_table_statement(cx.statement),
    }
}

/// Statements the grammar leaves unread but whose cost is plain from their words:
/// `OPTIMIZE TABLE t`, the table options `ALTER TABLE t ENGINE=…`, `FORCE`,
/// `CONVERT TO CHARACTER SET …`, `ROW_FORMAT=…`, and `RENAME INDEX|KEY`.
fn unparsed_table_statement(statement: &Stmt) -> Option<Alter> {
    if statement.ast.is_some() {
        return None;
    }
    let tokens = significant_tokens(statement);
    let table = table_after(&tokens, 2)?;
    let rebuild = |what: String| Judged {
        effect: Effect::Rebuild,
        what,
        unsure: false,
        on: Vec::new(),
    };
    if statement.starts_with(&["OPTIMIZE", "TABLE"]) || statement.starts_with(&["OPTIMIZE"]) {
        let table = if statement.starts_with(&["OPTIMIZE", "TABLE"]) {
            table
        } else {
            table_after(&tokens, 1)?
        };
        return Some(Alter {
            operations: vec![Some(rebuild(format!("`OPTIMIZE TABLE` on `{table}`")))],
            table,
            clauses: Clauses::default(),
        });
    }
    if !statement.starts_with(&["ALTER", "TABLE"]) {
        return None;
    }
    let words = &statement.words;
    let has = |word: &str| words.iter().skip(2).any(|w| w == word);
    let judged = if words.windows(2).any(|w| w == ["CONVERT", "TO"]) {
        Judged {
            effect: Effect::Copy,
            what: format!("converting `{table}` to another character set"),
            unsure: false,
            on: Vec::new(),
        }
    } else if has("ENGINE") {
        rebuild(format!("`ENGINE=` on `{table}`"))
    } else if has("FORCE") {
        rebuild(format!("`FORCE` on `{table}`"))
    } else if has("ROW_FORMAT") || has("KEY_BLOCK_SIZE") {
        rebuild(format!("a new row format for `{table}`"))
    } else if words
        .windows(2)
        .any(|w| w == ["RENAME", "INDEX"] || w == ["RENAME", "KEY"])
    {
        Judged {
            effect: Effect::Instant,
            what: format!("renaming an index of `{table}`"),
            unsure: false,
            on: Vec::new(),
        }
    } else {
        return None;
    };
    Some(Alter {
        table,
        operations: vec![Some(judged)],
        clauses: clauses_in_words(words),
    })
}

/// `ALGORITHM=…` and `LOCK=…` read from a statement's words.
fn clauses_in_words(words: &[String]) -> Clauses {
    let after = |keyword: &str| {
        words
            .windows(2)
            .find(|pair| pair[0] == keyword)
            .map(|pair| pair[1].as_str())
    };
    Clauses {
        algorithm: after("ALGORITHM").and_then(|value| match value {
            "DEFAULT" => Some(AlterTableAlgorithm::Default),
            "INSTANT" => Some(AlterTableAlgorithm::Instant),
            "INPLACE" => Some(AlterTableAlgorithm::Inplace),
            "COPY" => Some(AlterTableAlgorithm::Copy),
            _ => None,
        }),
        lock: after("LOCK").and_then(|value| match value {
            "DEFAULT" => Some(AlterTableLock::Default),
            "NONE" => Some(AlterTableLock::None),
            "SHARED" => Some(AlterTableLock::Shared),
            "EXCLUSIVE" => Some(AlterTableLock::Exclusive),
            _ => None,
        }),
    }
}

/// The statement's tokens without whitespace and comments.
pub(crate) fn significant_tokens(statement: &Stmt) -> Vec<Token> {
    statement
        .tokens()
        .into_iter()
        .filter(|token| !matches!(token, Token::Whitespace(_)))
        .collect()
}

/// The table named by the token at `index`, with an optional schema before a dot.
pub(crate) fn table_after(tokens: &[Token], index: usize) -> Option<TableName> {
    let ident = |token: &Token| match token {
        Token::Word(word) => Some(match word.quote_style {
            Some(quote) => sqlparser::ast::Ident::with_quote(quote, &word.value),
            None => sqlparser::ast::Ident::new(&word.value),
        }),
        _ => None,
    };
    let first = ident(tokens.get(index)?)?;
    if tokens.get(index + 1) == Some(&Token::Period)
        && let Some(second) = tokens.get(index + 2).and_then(ident)
    {
        return Some(TableName::from_idents(&[first, second]));
    }
    Some(TableName::from_ident(&first))
}

/// One operation on one server.
fn judge(
    cx: &Cx<'_>,
    table: &TableName,
    operation: &AlterTableOperation,
    target: Target,
    adds_primary_key: bool,
) -> Option<Judged> {
    let judged = |effect: Effect, what: String| {
        Some(Judged {
            effect,
            what,
            unsure: false,
            on: Vec::new(),
        })
    };
    let mysql_instant_anywhere = !target.mariadb && target.at_least((8, 0, 29));
    match operation {
        AlterTableOperation::AddColumn {
            column_def,
            column_position,
            ..
        } => {
            let column = ident(&column_def.name);
            let definition = column_def.to_string().to_uppercase();
            if definition.contains("AUTO_INCREMENT") || definition.contains(" STORED") {
                return judged(
                    Effect::Copy,
                    format!(
                        "adding the AUTO_INCREMENT or stored generated column `{table}`.`{column}`"
                    ),
                );
            }
            let instant = if target.mariadb {
                true
            } else if column_position.is_some() {
                mysql_instant_anywhere
            } else {
                target.at_least((8, 0, 12))
            };
            let place = if column_position.is_some() {
                " at a chosen position (`FIRST`/`AFTER`)"
            } else {
                ""
            };
            judged(
                if instant {
                    Effect::Instant
                } else {
                    Effect::Rebuild
                },
                format!("adding `{table}`.`{column}`{place}"),
            )
        }
        AlterTableOperation::DropColumn { column_names, .. } => {
            let names: Vec<String> = column_names.iter().map(ident).collect();
            judged(
                if target.mariadb || mysql_instant_anywhere {
                    Effect::Instant
                } else {
                    Effect::Rebuild
                },
                format!("dropping `{table}`.`{}`", names.join("`, `")),
            )
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            column_position,
        } => change_column(
            cx,
            target,
            table,
            col_name,
            data_type,
            options,
            column_position.is_some(),
        ),
        AlterTableOperation::ChangeColumn {
            old_name,
            data_type,
            options,
            column_position,
            ..
        } => change_column(
            cx,
            target,
            table,
            old_name,
            data_type,
            options,
            column_position.is_some(),
        ),
        AlterTableOperation::AlterColumn {
            column_name,
            op: AlterColumnOperation::SetDefault { .. } | AlterColumnOperation::DropDefault,
        } => judged(
            Effect::Instant,
            format!("changing the default of `{table}`.`{}`", ident(column_name)),
        ),
        AlterTableOperation::RenameColumn { .. }
        | AlterTableOperation::RenameTable { .. }
        | AlterTableOperation::AutoIncrement { .. }
        | AlterTableOperation::DropIndex { .. }
        | AlterTableOperation::DropForeignKey { .. }
        | AlterTableOperation::DropConstraint { .. } => {
            judged(Effect::Instant, format!("a metadata change on `{table}`"))
        }
        AlterTableOperation::DropPrimaryKey { .. } if adds_primary_key => {
            // Judged with the primary key added in the same statement.
            judged(
                Effect::Instant,
                format!("replacing the primary key of `{table}`"),
            )
        }
        AlterTableOperation::DropPrimaryKey { .. } => judged(
            Effect::Copy,
            format!("dropping the primary key of `{table}` without adding another"),
        ),
        AlterTableOperation::AddConstraint { constraint, .. } => match constraint {
            TableConstraint::PrimaryKey(_) => judged(
                Effect::Rebuild,
                format!("a new primary key on `{table}` (rows are stored in its order)"),
            ),
            TableConstraint::Unique(_) | TableConstraint::Index(_) => {
                judged(Effect::InPlace, format!("an index on `{table}`"))
            }
            _ => None,
        },
        _ => None,
    }
}

/// `MODIFY`/`CHANGE` of a column: what differs from the column as the files read left it.
fn change_column(
    cx: &Cx<'_>,
    target: Target,
    table: &TableName,
    column: &sqlparser::ast::Ident,
    data_type: &DataType,
    options: &[ColumnOption],
    positioned: bool,
) -> Option<Judged> {
    let name = ident(column);
    let new = data_type.to_string();
    let judged = |effect: Effect, what: String| {
        Some(Judged {
            effect,
            what,
            unsure: false,
            on: Vec::new(),
        })
    };
    let before = cx.column_before(table, &name);
    let new_charset = options.iter().find_map(|option| match option {
        ColumnOption::CharacterSet(set) => Some(set.to_string()),
        _ => None,
    });
    match (
        &new_charset,
        before.as_ref().and_then(|b| b.charset.as_deref()),
    ) {
        // The live column has this set already.
        (Some(new), Some(old)) if new.eq_ignore_ascii_case(old) => {}
        (Some(new), Some(old)) => {
            return judged(
                Effect::Copy,
                format!("changing the character set of `{table}`.`{name}` from {old} to {new}"),
            );
        }
        (Some(_), None) => {
            return judged(
                Effect::Copy,
                format!("changing the character set of `{table}`.`{name}`"),
            );
        }
        // Restated without a set, the column takes the table's default.
        (None, Some(old)) => {
            if let Some(default) = cx.live.and_then(|live| live.default_charset.as_deref())
                && !default.eq_ignore_ascii_case(old)
            {
                return judged(
                    Effect::Copy,
                    format!(
                        "restating `{table}`.`{name}` without its character set {old} (so \
                         converting it to the table's default {default})"
                    ),
                );
            }
        }
        (None, None) => {}
    }
    let Some(before) = before else {
        return Some(Judged {
            effect: Effect::Copy,
            what: format!(
                "changing `{table}`.`{name}` to `{new}` (the column's type before is not in the \
                 files read: any type change copies the table)"
            ),
            unsure: true,
            on: Vec::new(),
        });
    };
    let old = &before.data_type;
    if !same_type(old, &new) {
        let effect = type_change(old, &new, before.bytes_per_char, target);
        return judged(
            effect,
            format!("changing `{table}`.`{name}` from `{old}` to `{new}`"),
        );
    }
    let nullable = !options
        .iter()
        .any(|o| matches!(o, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
    if let Some(was_nullable) = before.nullable
        && was_nullable != nullable
    {
        // MariaDB drops NOT NULL instantly; every other nullability change rebuilds.
        let effect = if target.mariadb && nullable {
            Effect::Instant
        } else {
            Effect::Rebuild
        };
        let what = if nullable {
            format!("making `{table}`.`{name}` nullable")
        } else {
            format!("making `{table}`.`{name}` NOT NULL")
        };
        return judged(effect, what);
    }
    if positioned && !target.mariadb {
        return judged(
            Effect::Rebuild,
            format!("moving `{table}`.`{name}` to another position"),
        );
    }
    judged(
        Effect::Instant,
        format!("changing the default, name or comment of `{table}`.`{name}`"),
    )
}

/// Whether two spellings of a type are the same type.
fn same_type(old: &str, new: &str) -> bool {
    normalized(old) == normalized(new)
}

/// A type's spelling without what does not change it: case, spaces, `INTEGER` for `INT`, and
/// an integer's display width (`int(11)`, as servers before MySQL 8.0.19 write it), except
/// `TINYINT(1)`, the boolean.
fn normalized(ty: &str) -> String {
    let upper: String = ty
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if matches!(upper.as_str(), "BOOL" | "BOOLEAN" | "TINYINT(1)") {
        return "TINYINT(1)".to_owned();
    }
    let upper = match upper.strip_prefix("INTEGER") {
        Some(rest) => format!("INT{rest}"),
        None => upper,
    };
    for integer in ["TINYINT", "SMALLINT", "MEDIUMINT", "BIGINT", "INT"] {
        if let Some(rest) = upper.strip_prefix(integer)
            && let Some(width) = rest.strip_prefix('(')
            && let Some(end) = width.find(')')
            && width[..end].bytes().all(|b| b.is_ascii_digit())
        {
            return format!("{integer}{}", &width[end + 1..]);
        }
    }
    upper
}

/// A type change the servers make without copying: a longer `VARCHAR` whose length prefix
/// keeps its size (1 byte up to 255 bytes, 2 above; with the column's bytes per character,
/// else counted as `utf8mb4`'s 4), and `ENUM`/`SET` members added at the end of the list.
fn type_change(old: &str, new: &str, bytes_per_char: Option<u32>, target: Target) -> Effect {
    let old = normalized(old);
    let new = normalized(new);
    let bytes = u64::from(bytes_per_char.unwrap_or(4));
    if let (Some(n), Some(m)) = (varchar_length(&old), varchar_length(&new))
        && m >= n
        && ((n * bytes <= 255) == (m * bytes <= 255))
    {
        return if target.mariadb {
            Effect::Instant
        } else {
            Effect::InPlace
        };
    }
    for kind in ["ENUM(", "SET("] {
        if let (Some(before), Some(after)) = (
            old.strip_prefix(kind).and_then(|o| o.strip_suffix(')')),
            new.strip_prefix(kind).and_then(|n| n.strip_suffix(')')),
        ) && after.starts_with(before)
            && after[before.len()..].starts_with(',')
        {
            let count = |list: &str| list.split(',').count();
            // ENUM storage grows past 255 members, SET's at each multiple of 8.
            let same_storage = if kind == "ENUM(" {
                (count(before) <= 255) == (count(after) <= 255)
            } else {
                count(before).div_ceil(8) == count(after).div_ceil(8)
            };
            if same_storage {
                return Effect::Instant;
            }
        }
    }
    Effect::Copy
}

fn varchar_length(ty: &str) -> Option<u64> {
    ty.strip_prefix("VARCHAR(")?.strip_suffix(')')?.parse().ok()
}

/// The FULLTEXT and SPATIAL indexes the statement creates, with their tables.
pub(crate) fn fulltext_spatial_indexes(statement: &Stmt) -> Vec<(TableName, &'static str)> {
    match &statement.ast {
        Some(Statement::AlterTable(alter)) => {
            let table = TableName::from_object(&alter.name);
            alter
                .operations
                .iter()
                .filter_map(|operation| match operation {
                    AlterTableOperation::AddConstraint {
                        constraint: TableConstraint::FulltextOrSpatial(index),
                        ..
                    } => Some((
                        table.clone(),
                        if index.fulltext {
                            "FULLTEXT"
                        } else {
                            "SPATIAL"
                        },
                    )),
                    _ => None,
                })
                .collect()
        }
        Some(_) => Vec::new(),
        // `CREATE FULLTEXT|SPATIAL INDEX name ON table (…)` is outside the grammar.
        None => {
            let kind = if statement.starts_with(&["CREATE", "FULLTEXT", "INDEX"]) {
                "FULLTEXT"
            } else if statement.starts_with(&["CREATE", "SPATIAL", "INDEX"]) {
                "SPATIAL"
            } else {
                return Vec::new();
            };
            let tokens = significant_tokens(statement);
            let on = tokens.iter().position(
                |token| matches!(token, Token::Word(word) if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("ON")),
            );
            on.and_then(|on| table_after(&tokens, on + 1))
                .map(|table| vec![(table, kind)])
                .unwrap_or_default()
        }
    }
}

/// The table a statement gives a `FULLTEXT` index (in `CREATE TABLE` too).
pub(crate) fn fulltext_index_table(statement: &Stmt) -> Option<TableName> {
    if let Some(Statement::CreateTable(create)) = &statement.ast {
        let fulltext = create.constraints.iter().any(|constraint| {
            matches!(constraint, TableConstraint::FulltextOrSpatial(index) if index.fulltext)
        });
        return fulltext.then(|| TableName::from_object(&create.name));
    }
    fulltext_spatial_indexes(statement)
        .into_iter()
        .find(|(_, kind)| *kind == "FULLTEXT")
        .map(|(table, _)| table)
}

/// The existing table a statement changes: `ALTER TABLE`, `OPTIMIZE TABLE` or an index
/// created on it.
pub(crate) fn changed_table(statement: &Stmt) -> Option<TableName> {
    if let Some(Statement::CreateIndex(index)) = &statement.ast {
        return Some(TableName::from_object(&index.table_name));
    }
    statement_table(statement).or_else(|| {
        fulltext_spatial_indexes(statement)
            .into_iter()
            .next()
            .map(|(table, _)| table)
    })
}

/// Whether the MySQL rules read this statement, outside the grammar, by its words.
pub(crate) fn read_by_words(statement: &Stmt) -> bool {
    statement.grammar == SqlGrammar::MySql
        && statement.ast.is_none()
        && (unparsed_table_statement(statement).is_some()
            || statement.starts_with(&["CREATE", "FULLTEXT", "INDEX"])
            || statement.starts_with(&["CREATE", "SPATIAL", "INDEX"]))
}

/// The table an `ALTER TABLE` or `OPTIMIZE TABLE` changes.
pub(crate) fn statement_table(statement: &Stmt) -> Option<TableName> {
    match &statement.ast {
        Some(Statement::AlterTable(alter)) => Some(TableName::from_object(&alter.name)),
        Some(_) => None,
        // Any `ALTER TABLE`/`OPTIMIZE TABLE` the grammar leaves unread still names its table.
        None if statement.starts_with(&["ALTER", "TABLE"])
            || statement.starts_with(&["OPTIMIZE", "TABLE"]) =>
        {
            table_after(&significant_tokens(statement), 2)
        }
        None => None,
    }
}

/// Whether a statement adds or drops columns (a new row version on MySQL 8.0.29 and later,
/// when done instantly), and whether it rebuilds the table (which starts the versions over).
pub(crate) fn row_version_change(statement: &Stmt) -> (bool, bool) {
    let Some(Statement::AlterTable(alter)) = &statement.ast else {
        let rebuilds = statement.starts_with(&["OPTIMIZE"])
            || (statement.starts_with(&["ALTER", "TABLE"])
                && statement
                    .words
                    .iter()
                    .any(|w| matches!(w.as_str(), "ENGINE" | "FORCE" | "CONVERT")));
        return (false, rebuilds);
    };
    let adds_or_drops = alter.operations.iter().any(|op| {
        matches!(
            op,
            AlterTableOperation::AddColumn { .. } | AlterTableOperation::DropColumn { .. }
        )
    });
    let rebuilds = alter.operations.iter().any(|op| {
        matches!(
            op,
            AlterTableOperation::Algorithm {
                algorithm: AlterTableAlgorithm::Copy | AlterTableAlgorithm::Inplace,
                ..
            } | AlterTableOperation::AddConstraint {
                constraint: TableConstraint::PrimaryKey(_),
                ..
            } | AlterTableOperation::DropPrimaryKey { .. }
        )
    });
    (adds_or_drops, rebuilds)
}

#[cfg(test)]
mod tests {
    use super::{Effect, Target, same_type, type_change};

    const MYSQL: Target = Target {
        mariadb: false,
        version: (8, 0, 36),
    };

    #[test]
    fn type_changes_without_a_copy() {
        assert_eq!(
            type_change("VARCHAR(191)", "VARCHAR(255)", None, MYSQL),
            Effect::InPlace
        );
        // 50 × 4 bytes fits a 1-byte length prefix, 100 × 4 does not.
        assert_eq!(
            type_change("VARCHAR(50)", "VARCHAR(100)", None, MYSQL),
            Effect::Copy
        );
        // In `latin1` (1 byte a character) both fit a 1-byte prefix.
        assert_eq!(
            type_change("VARCHAR(60)", "VARCHAR(250)", Some(1), MYSQL),
            Effect::InPlace
        );
        assert_eq!(
            type_change("VARCHAR(255)", "VARCHAR(100)", None, MYSQL),
            Effect::Copy
        );
        assert_eq!(
            type_change("ENUM('a', 'b')", "ENUM('a','b','c')", None, MYSQL),
            Effect::Instant
        );
        assert_eq!(
            type_change("ENUM('a', 'b')", "ENUM('b', 'a', 'c')", None, MYSQL),
            Effect::Copy
        );
        assert_eq!(type_change("INT", "BIGINT", None, MYSQL), Effect::Copy);
    }

    #[test]
    fn spellings_of_one_type_are_the_same_type() {
        assert!(same_type("int(11)", "INTEGER"));
        assert!(same_type("int(10) unsigned", "INT UNSIGNED"));
        assert!(same_type("bigint(20)", "BIGINT"));
        assert!(same_type("tinyint(1)", "BOOLEAN"));
        assert!(!same_type("tinyint(4)", "TINYINT(1)"));
        assert!(!same_type("int(11)", "BIGINT"));
        assert!(same_type("varchar(191)", "VARCHAR(191)"));
    }
}
