//! MariaDB and MySQL: `mariadb-dump` (or `mysqldump`) in one consistent-snapshot transaction,
//! streamed as SQL text, restored by piping it into `mariadb` (or `mysql`). Table stats are read
//! from the dump text itself: no other connection can share `mariadb-dump`'s snapshot, so the
//! stats of a dump are computed from the rows it wrote, and `table_stats` runs the same dump of
//! the data and reads it the same way. The swap copies databases (MariaDB cannot rename one),
//! keeping the old target until the copy of the new data is in place.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use drydock_connector::{DbUrl, redact_url};
use drydock_mysql::{MysqlUrl, owner};
use sha2::{Digest, Sha256};

use crate::BackupError;
use crate::backend::{Backend, DbObject, DumpSummary, TableStats, ToolVersion};
use crate::tool::{self, collect_stderr, feed_tool, finish_tool};

/// Names of the scratch databases of test restores.
const SCRATCH_PREFIX: &str = "drydock_scratch_";

/// The databases runs create for themselves and drop when done, by name prefix.
const RUN_DATABASES: [(&str, &str); 2] = [
    (SCRATCH_PREFIX, "scratch database"),
    (drydock_mysql::SHADOW_DATABASE_PREFIX, "shadow database"),
];

/// `url` read as drydock's MySQL sessions read it, for the claims on databases a run creates.
fn server_url(url: &str) -> Result<MysqlUrl, BackupError> {
    MysqlUrl::parse(url).map_err(BackupError::Connect)
}

const FORMAT: &str = "mariadb-sql";
const DEFAULT_PORT: u16 = 3306;
const DUMP_TOOLS: [&str; 2] = ["mariadb-dump", "mysqldump"];
const CLIENT_TOOLS: [&str; 2] = ["mariadb", "mysql"];
/// The largest row the tools accept (the server's own `max_allowed_packet` still applies).
const MAX_PACKET: &str = "--max-allowed-packet=1073741824";
/// Every dump, including the one `table_stats` reads, uses these: the row text (and so the
/// fingerprints) depends on them.
const DUMP_DATA_ARGS: [&str; 6] = [
    "--single-transaction",
    "--skip-lock-tables",
    "--hex-blob",
    "--no-tablespaces",
    "--skip-dump-date",
    MAX_PACKET,
];
/// What a backup holds besides tables and data.
const DUMP_OBJECT_ARGS: [&str; 3] = ["--routines", "--events", "--triggers"];
/// What the stats-only dump leaves out: no rows there.
const STATS_ONLY_ARGS: [&str; 3] = ["--skip-triggers", "--skip-routines", "--skip-events"];
/// Prisma creates MySQL databases with this character set and collation.
const NEW_DATABASE_CHARSET: &str = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
/// Where a missing tool comes from.
const PACKAGE_HINT: &str = "install the MariaDB client tools (Debian and Ubuntu: the \
                            `mariadb-client` package)";

pub(crate) struct MariaDb;

/// The parts of a Prisma MySQL URL (`mysql://user:password@host:port/database`) the tools need.
struct MyUrl {
    host: String,
    port: u16,
    socket: Option<String>,
    user: String,
    password: Option<String>,
    database: String,
    ssl_ca: Option<String>,
    ssl_verify: bool,
    /// The URL as messages show it.
    redacted: String,
}

impl MyUrl {
    fn parse(url: &str) -> Result<MyUrl, BackupError> {
        let invalid = |redacted: &str, reason: &dyn std::fmt::Display| {
            BackupError::Usage(format!("invalid URL `{redacted}`: {reason}"))
        };
        // As the user wrote it, password masked.
        let redacted = redact_url(url);
        let parsed = DbUrl::parse(url).map_err(|e| invalid(&redacted, &e))?;
        if !matches!(parsed.scheme.as_str(), "mysql" | "mariadb") {
            return Err(invalid(
                &redacted,
                &"the scheme must be `mysql` or `mariadb`",
            ));
        }
        let (host, port) = match parsed.hosts.as_slice() {
            [] => (String::new(), None),
            [one] => (one.name.clone(), one.port),
            _ => return Err(invalid(&redacted, &"it names several hosts; give one")),
        };
        let mut my = MyUrl {
            host: if host.is_empty() {
                "localhost".to_owned()
            } else {
                host
            },
            port: port.unwrap_or(DEFAULT_PORT),
            socket: None,
            user: parsed.user.clone().unwrap_or_default(),
            password: parsed.password.clone(),
            database: parsed.database.clone().unwrap_or_default(),
            ssl_ca: None,
            ssl_verify: false,
            redacted: redacted.clone(),
        };
        for (key, value) in &parsed.params {
            match key.as_str() {
                "socket" => my.socket = Some(value.clone()),
                "sslcert" => my.ssl_ca = Some(value.clone()),
                "sslaccept" => my.ssl_verify = value == "strict",
                // Prisma's pool and timeout settings mean nothing to a dump.
                _ => {}
            }
        }
        if my.database.is_empty() {
            return Err(invalid(
                &redacted,
                &"it names no database (`mysql://user@host:3306/database`)",
            ));
        }
        Ok(my)
    }

    /// The URL of another database on the same server, with the same credentials.
    fn url_for(url: &str, database: &str) -> Result<String, BackupError> {
        let mut parsed = DbUrl::parse(url)
            .map_err(|e| BackupError::Usage(format!("invalid URL `{}`: {e}", redact_url(url))))?;
        parsed.database = Some(database.to_owned());
        Ok(parsed.to_url())
    }

    /// A client tool with the connection options. The password goes in the environment: argv
    /// is visible to every user of the machine.
    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        // Must come first. Option files could name another server, user or password: the URL
        // alone decides where the backup comes from and goes to.
        command.arg("--no-defaults");
        match &self.socket {
            Some(socket) => {
                command
                    .arg("--protocol=SOCKET")
                    .arg(format!("--socket={socket}"));
            }
            None => {
                // Without it, `localhost` would mean the local socket rather than TCP.
                command
                    .arg("--protocol=TCP")
                    .arg(format!("--host={}", self.host))
                    .arg(format!("--port={}", self.port));
            }
        }
        if !self.user.is_empty() {
            command.arg(format!("--user={}", self.user));
        }
        command.arg("--default-character-set=utf8mb4");
        if let Some(ca) = &self.ssl_ca {
            command.arg("--ssl").arg(format!("--ssl-ca={ca}"));
        }
        if self.ssl_verify {
            command.arg("--ssl").arg("--ssl-verify-server-cert");
        }
        command.env_remove("MYSQL_PWD");
        if let Some(password) = &self.password {
            command.env("MYSQL_PWD", password);
        }
        command
    }

    /// `mariadb-dump` of this database with `extra` options, stdout piped.
    fn spawn_dump(&self, extra: &[&str]) -> Result<(Child, &'static str), BackupError> {
        let (tool, program) = find_tool(&DUMP_TOOLS)?;
        let child = tool::spawn(
            self.command(&program)
                .args(DUMP_DATA_ARGS)
                .args(extra)
                // The database name may start with `-`.
                .arg("--")
                .arg(&self.database)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .map_err(|e| cannot_run(tool, &e))?;
        Ok((child, tool))
    }

    /// `mariadb` loading SQL from `stdin` into this database.
    fn spawn_load(&self, stdin: Stdio) -> Result<(Child, &'static str), BackupError> {
        let (tool, program) = find_tool(&CLIENT_TOOLS)?;
        let child = tool::spawn(
            self.command(&program)
                .arg("--batch")
                .arg(MAX_PACKET)
                .arg(format!("--database={}", self.database))
                .stdin(stdin)
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
        )
        .map_err(|e| cannot_run(tool, &e))?;
        Ok((child, tool))
    }

    /// Run `sql` with `mariadb -N -B`, in this database or (for server-level statements)
    /// in none; returns the rows, tab-separated columns split.
    fn query(&self, in_database: bool, sql: &str) -> Result<Vec<Vec<String>>, BackupError> {
        let (tool, program) = find_tool(&CLIENT_TOOLS)?;
        let mut command = self.command(&program);
        command.args(["--batch", "--skip-column-names"]);
        if in_database {
            command.arg(format!("--database={}", self.database));
        }
        // On stdin rather than `-e`: a long statement could exceed an argument's size limit.
        let mut child = tool::spawn(
            command
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .map_err(|e| cannot_run(tool, &e))?;
        let writer = child.stdin.take().map(|mut stdin| {
            let sql = sql.to_owned();
            std::thread::spawn(move || stdin.write_all(sql.as_bytes()))
        });
        let output = child
            .wait_with_output()
            .map_err(|e| BackupError::io(format!("running {tool}"), e))?;
        if let Some(writer) = writer {
            // A write error means the client exited early; its status and stderr say why.
            let _ = writer.join();
        }
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(BackupError::Query(format!(
                "{} (on `{}`)",
                non_empty(stderr.trim(), &output.status.to_string()),
                self.redacted
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| line.split('\t').map(str::to_owned).collect())
            .collect())
    }

    /// The first column of the first row of `sql`'s result.
    fn query_value(&self, in_database: bool, sql: &str) -> Result<String, BackupError> {
        self.query(in_database, sql)?
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
            .ok_or_else(|| {
                BackupError::Query(format!("`{sql}` returned no row (on `{}`)", self.redacted))
            })
    }

    /// `CHARACTER SET … COLLATE …` of this database, to create a copy with the same defaults
    /// (stored routines take the database's collation); `None` when it does not exist.
    fn charset_clause(&self) -> Result<Option<String>, BackupError> {
        let rows = self.query(
            false,
            &format!(
                "SELECT default_character_set_name, default_collation_name \
                 FROM information_schema.schemata WHERE CAST(schema_name AS BINARY) = {}",
                binary_literal(&self.database)
            ),
        )?;
        let Some([charset, collation]) = rows
            .into_iter()
            .next()
            .and_then(|r| <[String; 2]>::try_from(r).ok())
        else {
            return Ok(None);
        };
        let plain =
            |s: &String| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        Ok((plain(&charset) && plain(&collation))
            .then(|| format!("CHARACTER SET {charset} COLLATE {collation}")))
    }

    fn create(&self, charset: &str) -> Result<(), BackupError> {
        self.query(
            false,
            &format!("CREATE DATABASE {} {charset}", quote_ident(&self.database)),
        )
        .map(drop)
    }

    fn drop_database(&self) -> Result<(), BackupError> {
        self.query(
            false,
            &format!("DROP DATABASE IF EXISTS {}", quote_ident(&self.database)),
        )
        .map(drop)
    }
}

impl Backend for MariaDb {
    fn provider(&self) -> &'static str {
        "mysql"
    }

    fn accepts_url(&self, url: &str) -> bool {
        let lower = url.get(..10).unwrap_or(url).to_ascii_lowercase();
        lower.starts_with("mysql://") || lower.starts_with("mariadb://")
    }

    fn database_name(&self, url: &str) -> Result<String, BackupError> {
        Ok(MyUrl::parse(url)?.database)
    }

    fn server_version(&self, url: &str) -> Result<String, BackupError> {
        MyUrl::parse(url)?.query_value(false, "SELECT VERSION()")
    }

    fn tool_versions(&self, _url: &str) -> Result<Vec<ToolVersion>, BackupError> {
        [DUMP_TOOLS, CLIENT_TOOLS]
            .iter()
            .map(|tools| {
                let (tool, program) = find_tool(tools)?;
                let output = tool::output(Command::new(&program).arg("--version"))
                    .map_err(|e| cannot_run(tool, &e))?;
                Ok(ToolVersion {
                    name: tool.to_owned(),
                    version: parse_tool_version(&String::from_utf8_lossy(&output.stdout)),
                })
            })
            .collect()
    }

    fn format_name(&self) -> &'static str {
        FORMAT
    }

    fn dump(&self, url: &str, out: &mut dyn Write) -> Result<DumpSummary, BackupError> {
        let my = MyUrl::parse(url)?;
        let (child, tool) = my.spawn_dump(&DUMP_OBJECT_ARGS)?;
        let tables = read_dump(child, tool, Some(out))?;
        Ok(DumpSummary::new(FORMAT, tables))
    }

    fn restore(&self, input: &mut dyn Read, url: &str) -> Result<(), BackupError> {
        let my = MyUrl::parse(url)?;
        let (child, tool) = my.spawn_load(Stdio::piped())?;
        feed_tool(child, input, tool)
    }

    fn table_stats(&self, url: &str) -> Result<Vec<TableStats>, BackupError> {
        let my = MyUrl::parse(url)?;
        let (child, tool) = my.spawn_dump(&STATS_ONLY_ARGS)?;
        read_dump(child, tool, None)
    }

    fn has_tables(&self, url: &str) -> Result<bool, BackupError> {
        let my = MyUrl::parse(url)?;
        let count = my.query_value(
            true,
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() \
             AND table_type = 'BASE TABLE'",
        )?;
        Ok(count != "0")
    }

    fn last_migration(&self, url: &str) -> Result<Option<String>, BackupError> {
        let my = MyUrl::parse(url)?;
        let exists = my.query_value(
            true,
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() \
             AND CAST(table_name AS BINARY) = '_prisma_migrations'",
        )?;
        if exists == "0" {
            return Ok(None);
        }
        let rows = my.query(
            true,
            "SELECT HEX(migration_name) FROM `_prisma_migrations` \
             WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL \
             ORDER BY finished_at DESC, migration_name DESC LIMIT 1",
        )?;
        // Hex on the wire: batch mode would escape tabs, newlines and backslashes in names.
        rows.into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
            .map(|hex_name| {
                hex::decode(&hex_name)
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .map_err(|e| BackupError::Query(format!("unexpected migration name: {e}")))
            })
            .transpose()
    }

    fn exists(&self, url: &str) -> Result<bool, BackupError> {
        let my = MyUrl::parse(url)?;
        let count = my.query_value(
            false,
            &format!(
                "SELECT COUNT(*) FROM information_schema.schemata \
                 WHERE CAST(schema_name AS BINARY) = {}",
                binary_literal(&my.database)
            ),
        )?;
        Ok(count != "0")
    }

    fn objects(&self, url: &str) -> Result<Vec<DbObject>, BackupError> {
        let my = MyUrl::parse(url)?;
        // Hex on the wire: batch mode would escape tabs, newlines and backslashes in names.
        let rows = my.query(
            true,
            "SELECT table_type, HEX(table_name) FROM information_schema.tables \
               WHERE table_schema = DATABASE() \
             UNION ALL SELECT routine_type, HEX(routine_name) FROM information_schema.routines \
               WHERE routine_schema = DATABASE() \
             UNION ALL SELECT 'EVENT', HEX(event_name) FROM information_schema.events \
               WHERE event_schema = DATABASE() \
             UNION ALL SELECT 'TRIGGER', HEX(trigger_name) FROM information_schema.triggers \
               WHERE trigger_schema = DATABASE()",
        )?;
        let mut objects = rows
            .into_iter()
            .map(|row| match <[String; 2]>::try_from(row) {
                Ok([kind, name]) => hex::decode(&name)
                    .map(|bytes| DbObject {
                        kind,
                        name: String::from_utf8_lossy(&bytes).into_owned(),
                    })
                    .map_err(|e| BackupError::Query(format!("unexpected object name: {e}"))),
                Err(row) => Err(BackupError::Query(format!("unexpected row {row:?}"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        objects.sort();
        Ok(objects)
    }

    fn drop_objects(&self, url: &str, objects: &[DbObject]) -> Result<(), BackupError> {
        // DDL commits at once on MariaDB: no transaction, one statement after the other, in an
        // order where nothing is dropped before what depends on it.
        const ORDER: [&str; 9] = [
            "TRIGGER",
            "VIEW",
            "BASE TABLE",
            "SYSTEM VERSIONED",
            "SEQUENCE",
            "PROCEDURE",
            "FUNCTION",
            "PACKAGE BODY",
            "PACKAGE",
        ];
        let mut ordered: Vec<&DbObject> = objects.iter().collect();
        ordered.sort_by_key(|o| {
            ORDER
                .iter()
                .position(|k| *k == o.kind)
                .unwrap_or(ORDER.len())
        });
        let mut script = "SET FOREIGN_KEY_CHECKS = 0;\n".to_owned();
        for object in ordered {
            let keyword = match object.kind.as_str() {
                "BASE TABLE" | "SYSTEM VERSIONED" => "TABLE",
                kind @ ("VIEW" | "SEQUENCE" | "PROCEDURE" | "FUNCTION" | "PACKAGE BODY"
                | "PACKAGE" | "EVENT" | "TRIGGER") => kind,
                other => {
                    return Err(BackupError::Query(format!(
                        "cannot drop `{}`: unknown kind `{other}`",
                        object.name
                    )));
                }
            };
            script.push_str(&format!(
                "DROP {keyword} IF EXISTS {};\n",
                quote_ident(&object.name)
            ));
        }
        MyUrl::parse(url)?.query(true, &script).map(drop)
    }

    fn create_database(&self, url: &str) -> Result<bool, BackupError> {
        MyUrl::parse(url)?.create(NEW_DATABASE_CHARSET)?;
        Ok(true)
    }

    fn leftover_databases(&self, url: &str) -> Result<Vec<String>, BackupError> {
        let server = server_url(url)?;
        let mut lines = Vec::new();
        for (prefix, what) in RUN_DATABASES {
            for name in owner::abandoned(&server, prefix).map_err(BackupError::Connect)? {
                lines.push(format!(
                    "{name}: {what} left by a run that is gone (no run claims it, no session \
                     uses it); `drydock backup prune --apply` drops it"
                ));
            }
        }
        Ok(lines)
    }

    fn drop_abandoned(&self, url: &str) -> Result<Vec<String>, BackupError> {
        let server = server_url(url)?;
        let mut lines = Vec::new();
        for (prefix, what) in RUN_DATABASES {
            lines.extend(
                owner::drop_abandoned(&server, prefix, what).map_err(BackupError::Connect)?,
            );
        }
        Ok(lines)
    }

    fn create_scratch(&self, url: &str) -> Result<String, BackupError> {
        let near = MyUrl::parse(url)?;
        let name = format!("{SCRATCH_PREFIX}{}", uuid::Uuid::new_v4().simple());
        // Claimed before it exists, so that a run after a kill knows it for a leftover.
        owner::claim_database(&server_url(url)?, &name).map_err(BackupError::Connect)?;
        let scratch_url = MyUrl::url_for(url, &name)?;
        let scratch = MyUrl::parse(&scratch_url)?;
        let charset = near.charset_clause()?;
        scratch.create(charset.as_deref().unwrap_or(NEW_DATABASE_CHARSET))?;
        Ok(scratch_url)
    }

    fn drop_scratch(&self, scratch_url: &str) -> Result<(), BackupError> {
        let scratch = MyUrl::parse(scratch_url)?;
        scratch.drop_database()?;
        owner::release_database(&server_url(scratch_url)?, &scratch.database)
            .map_err(BackupError::Connect)
    }

    fn swap(&self, source_url: &str, target_url: &str) -> Result<String, BackupError> {
        let source = MyUrl::parse(source_url)?;
        let target = MyUrl::parse(target_url)?;
        let old_url = MyUrl::url_for(
            target_url,
            &format!("drydock_old_{}", uuid::Uuid::new_v4().simple()),
        )?;
        let old = MyUrl::parse(&old_url)?;
        let charset = target
            .charset_clause()?
            .unwrap_or_else(|| NEW_DATABASE_CHARSET.to_owned());
        // 1. A copy of the old data, the target untouched until it is complete.
        old.create(&charset)?;
        if let Err(e) = copy_database(&target, &old) {
            let _ = old.drop_database();
            return Err(e);
        }
        // 2. The target emptied and filled from the source.
        let replaced = target
            .drop_database()
            .and_then(|()| target.create(&charset))
            .and_then(|()| copy_database(&source, &target));
        if let Err(e) = replaced {
            // Put the old data back, so the target keeps working.
            let put_back = target
                .drop_database()
                .and_then(|()| target.create(&charset))
                .and_then(|()| copy_database(&old, &target));
            return Err(match put_back {
                Ok(()) => {
                    let _ = old.drop_database();
                    e
                }
                Err(_) => BackupError::Tool {
                    tool: "swap".to_owned(),
                    message: format!(
                        "{e}; the old data of `{}` is kept in `{}`",
                        target.redacted, old.redacted
                    ),
                },
            });
        }
        // The source was a scratch database: like a rename, the swap consumes it.
        let _ = source.drop_database();
        Ok(old_url)
    }
}

/// Copy every table, row, view, trigger, routine and event of `from` into the empty `to`.
fn copy_database(from: &MyUrl, to: &MyUrl) -> Result<(), BackupError> {
    let (mut dump, dump_tool) = from.spawn_dump(&DUMP_OBJECT_ARGS)?;
    let dump_stderr = collect_stderr(&mut dump);
    let Some(stdout) = dump.stdout.take() else {
        let _ = dump.kill();
        let _ = dump.wait();
        return Err(BackupError::Tool {
            tool: dump_tool.to_owned(),
            message: "its output could not be read".to_owned(),
        });
    };
    let (mut load, load_tool) = match to.spawn_load(Stdio::from(stdout)) {
        Ok(spawned) => spawned,
        Err(e) => {
            let _ = dump.kill();
            let _ = dump.wait();
            return Err(e);
        }
    };
    let load_stderr = collect_stderr(&mut load);
    let loaded = finish_tool(load, load_stderr, load_tool);
    if loaded.is_err() {
        // The dump may be blocked on a pipe nobody reads any more.
        let _ = dump.kill();
    }
    let dumped = finish_tool(dump, dump_stderr, dump_tool);
    // The dump's failure explains a truncated load better than the load's.
    dumped.and(loaded)
}

/// Read a dump's output to the end, writing it to `out` when given, and return the stats of
/// the rows in it.
fn read_dump(
    mut child: Child,
    tool: &'static str,
    mut out: Option<&mut dyn Write>,
) -> Result<Vec<TableStats>, BackupError> {
    let stderr = collect_stderr(&mut child);
    let mut stats = DumpStats::default();
    let copied = match child.stdout.take() {
        Some(mut stdout) => {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let n = match stdout.read(&mut buffer) {
                    Ok(0) => break Ok(()),
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => break Err(BackupError::io(format!("reading {tool}'s output"), e)),
                };
                let chunk = &buffer[..n];
                stats.feed(chunk);
                if let Some(out) = out.as_mut()
                    && let Err(e) = out.write_all(chunk)
                {
                    break Err(BackupError::io("writing the backup", e));
                }
            }
        }
        None => Ok(()),
    };
    if let Err(e) = copied {
        // Writing the backup failed (disk full, ...): stop the dump too.
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    finish_tool(child, stderr, tool)?;
    Ok(stats.finish())
}

/// Where the dump reader is in the text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Collecting the start of a line to see what it is.
    #[default]
    Head,
    /// In a line that holds nothing of interest.
    SkipLine,
    /// In the `VALUES` list of an `INSERT`.
    Values,
}

#[derive(Debug, Default)]
struct TableSum {
    rows: u64,
    /// Sum of the rows' hashes: the same for any order of the same rows, duplicates included.
    sum: u128,
}

/// Reads the text `mariadb-dump` writes, as it streams past: the tables it creates and the rows
/// of their `INSERT` statements. Each row's text (between its parentheses) is hashed; a dump of
/// the restored database writes the same text for the same values.
#[derive(Debug, Default)]
struct DumpStats {
    tables: BTreeMap<String, TableSum>,
    mode: Mode,
    head: Vec<u8>,
    /// Between `DELIMITER ;;` and `DELIMITER ;`: trigger, routine and event bodies, whose lines
    /// may look like anything.
    in_block: bool,
    /// The table the current `INSERT` fills.
    table: String,
    row: Vec<u8>,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

/// A line start longer than this is not one of the lines looked for.
const HEAD_LIMIT: usize = 4 * 1024 * 1024;
const INSERT_PREFIX: &[u8] = b"INSERT INTO `";
const CREATE_PREFIX: &[u8] = b"CREATE TABLE `";
const DELIMITER_PREFIX: &[u8] = b"DELIMITER ";

impl DumpStats {
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            match self.mode {
                Mode::Head => self.head_byte(byte),
                Mode::SkipLine => {
                    if byte == b'\n' {
                        self.mode = Mode::Head;
                    }
                }
                Mode::Values => self.value_byte(byte),
            }
        }
    }

    fn head_byte(&mut self, byte: u8) {
        // `VALUES` ends the line when the first row is long: the rows then start on the next.
        if byte == b'\n' && !self.start_values(b" VALUES") {
            self.end_of_line();
            return;
        }
        if byte == b'\n' {
            return;
        }
        self.head.push(byte);
        let head = self.head.as_slice();
        let could_be = |prefix: &[u8]| {
            let n = head.len().min(prefix.len());
            head[..n] == prefix[..n]
        };
        let interesting = could_be(DELIMITER_PREFIX)
            || (!self.in_block && (could_be(INSERT_PREFIX) || could_be(CREATE_PREFIX)));
        if !interesting || head.len() > HEAD_LIMIT {
            self.head.clear();
            self.mode = Mode::SkipLine;
            return;
        }
        self.start_values(b" VALUES ");
    }

    /// When the line so far is an `INSERT` header ending in `suffix`, switch to reading rows.
    fn start_values(&mut self, suffix: &[u8]) -> bool {
        let head = self.head.as_slice();
        let table = if !self.in_block
            && head.starts_with(INSERT_PREFIX)
            && head.ends_with(suffix)
            // An even number of backticks: `VALUES` is not inside a column name.
            && head.iter().filter(|&&b| b == b'`').count() % 2 == 0
        {
            parse_ident(&head[INSERT_PREFIX.len() - 1..])
        } else {
            None
        };
        let Some(table) = table else {
            return false;
        };
        self.tables.entry(table.clone()).or_default();
        self.table = table;
        self.head.clear();
        self.row.clear();
        self.depth = 0;
        self.in_string = false;
        self.escaped = false;
        self.mode = Mode::Values;
        true
    }

    fn end_of_line(&mut self) {
        let line = std::mem::take(&mut self.head);
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        if let Some(delimiter) = line.strip_prefix(DELIMITER_PREFIX) {
            self.in_block = delimiter.trim_ascii() != b";";
        } else if !self.in_block
            && line.starts_with(CREATE_PREFIX)
            && let Some(table) = parse_ident(&line[CREATE_PREFIX.len() - 1..])
        {
            // An empty table has no `INSERT`; it is still a table.
            self.tables.entry(table).or_default();
        }
    }

    fn value_byte(&mut self, byte: u8) {
        if self.in_string {
            self.row.push(byte);
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'\'' {
                // A doubled quote closes and reopens the string: the same bytes either way.
                self.in_string = false;
            }
            return;
        }
        match (self.depth, byte) {
            (0, b'(') => {
                self.depth = 1;
                self.row.clear();
            }
            (0, b';') => self.mode = Mode::SkipLine,
            (0, _) => {}
            (_, b')') => {
                self.depth -= 1;
                if self.depth == 0 {
                    let digest = Sha256::digest(&self.row);
                    let mut first = [0u8; 16];
                    first.copy_from_slice(&digest[..16]);
                    let sum = self.tables.entry(self.table.clone()).or_default();
                    sum.rows += 1;
                    sum.sum = sum.sum.wrapping_add(u128::from_be_bytes(first));
                } else {
                    self.row.push(byte);
                }
            }
            (_, b'(') => {
                self.depth += 1;
                self.row.push(byte);
            }
            (_, b'\'') => {
                self.in_string = true;
                self.row.push(byte);
            }
            _ => self.row.push(byte),
        }
    }

    fn finish(self) -> Vec<TableStats> {
        self.tables
            .into_iter()
            .map(|(name, sum)| TableStats {
                name,
                rows: sum.rows,
                fingerprint: format!("{:032x}", sum.sum),
            })
            .collect()
    }
}

/// The backtick-quoted identifier at the start of `text` (which starts with the backtick).
fn parse_ident(text: &[u8]) -> Option<String> {
    let rest = text.strip_prefix(b"`")?;
    let mut name = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'`' {
            if rest.get(i + 1) == Some(&b'`') {
                name.push(b'`');
                i += 2;
                continue;
            }
            return Some(String::from_utf8_lossy(&name).into_owned());
        }
        name.push(rest[i]);
        i += 1;
    }
    None
}

fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A string as a hex literal: no escaping rules (`NO_BACKSLASH_ESCAPES` or not) to get wrong.
fn binary_literal(text: &str) -> String {
    format!("X'{}'", hex::encode(text))
}

/// `Distrib 10.11.19-MariaDB,` (10.x), `from 11.4.2-MariaDB,` (11.x), `Ver 8.0.36` (MySQL).
fn parse_tool_version(output: &str) -> String {
    let line = output.lines().next().unwrap_or_default().trim();
    for marker in ["Distrib ", " from ", "Ver "] {
        if let Some((_, rest)) = line.split_once(marker)
            && let Some(version) = rest.split([',', ' ']).next().filter(|v| !v.is_empty())
        {
            return version.to_owned();
        }
    }
    non_empty(line, "unknown").to_owned()
}

fn non_empty<'a>(text: &'a str, otherwise: &'a str) -> &'a str {
    if text.is_empty() { otherwise } else { text }
}

/// The first of `names` on `PATH`: `mysqldump` and `mysql` are what older installs have.
fn find_tool(names: &[&'static str; 2]) -> Result<(&'static str, PathBuf), BackupError> {
    find_tool_in(names, std::env::var_os("PATH").unwrap_or_default())
}

fn find_tool_in(
    names: &[&'static str; 2],
    path: std::ffi::OsString,
) -> Result<(&'static str, PathBuf), BackupError> {
    for name in names {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok((name, candidate));
            }
        }
    }
    Err(BackupError::Tool {
        tool: names[0].to_owned(),
        message: format!(
            "neither `{}` nor `{}` is on PATH; {PACKAGE_HINT}",
            names[0], names[1]
        ),
    })
}

fn cannot_run(tool: &str, error: &std::io::Error) -> BackupError {
    BackupError::Tool {
        tool: tool.to_owned(),
        message: format!("could not run it ({error}); {PACKAGE_HINT}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats_of(text: &str) -> Vec<TableStats> {
        let mut stats = DumpStats::default();
        // Byte by byte too: the reader must not depend on how the stream is cut.
        for chunk in text.as_bytes().chunks(3) {
            stats.feed(chunk);
        }
        stats.finish()
    }

    #[test]
    fn reads_tables_and_rows_of_a_dump() {
        let dump = "-- comment\nCREATE TABLE `a``b` (\n  `id` int\n);\nCREATE TABLE `empty` (\n`x` int);\n\
                    INSERT INTO `a``b` VALUES (1,'x),(y;\\'z'),(2,NULL);\n\
                    INSERT INTO `a``b` (`id`, `v`) VALUES (3,0x00FF),\n(4,'(');\n\
                    INSERT INTO `a``b` VALUES\n(5,'long');\n\
                    DELIMITER ;;\nINSERT INTO `a``b` VALUES (9);\nCREATE TABLE `nope` (x int);\n;;\nDELIMITER ;\n";
        let stats = stats_of(dump);
        let names: Vec<_> = stats.iter().map(|t| (t.name.as_str(), t.rows)).collect();
        assert_eq!(names, [("a`b", 5), ("empty", 0)]);
        assert_eq!(stats[1].fingerprint, "0".repeat(32));
    }

    #[test]
    fn fingerprints_ignore_row_order_but_not_content() {
        let a = stats_of("INSERT INTO `t` VALUES (1,'a'),(2,'b');\n");
        let b = stats_of("INSERT INTO `t` VALUES (2,'b');\nINSERT INTO `t` VALUES (1,'a');\n");
        let c = stats_of("INSERT INTO `t` VALUES (1,'a'),(2,'c');\n");
        assert_eq!(a, b);
        assert_ne!(a[0].fingerprint, c[0].fingerprint);
    }

    #[test]
    fn parses_prisma_urls() {
        let my = MyUrl::parse("mysql://us%40er:p%3Ass@db.example:3307/app?connection_limit=5")
            .expect("valid URL");
        assert_eq!(
            (
                my.host.as_str(),
                my.port,
                my.user.as_str(),
                my.database.as_str()
            ),
            ("db.example", 3307, "us@er", "app")
        );
        assert_eq!(my.password.as_deref(), Some("p:ss"));
        assert!(!my.redacted.contains("p%3Ass"));
        let my = MyUrl::parse("mariadb://root@[::1]/db?socket=/run/mysqld.sock").expect("valid");
        assert_eq!((my.host.as_str(), my.port), ("::1", 3306));
        assert_eq!(my.socket.as_deref(), Some("/run/mysqld.sock"));
        assert!(matches!(
            MyUrl::parse("mysql://root@h:3306"),
            Err(BackupError::Usage(_))
        ));
        assert!(matches!(
            MyUrl::parse("not a url"),
            Err(BackupError::Usage(_))
        ));
    }

    #[test]
    fn the_password_is_never_on_the_command_line() {
        let my = MyUrl::parse("mysql://root:secret@localhost/app").expect("valid URL");
        let command = my.command(Path::new("mariadb"));
        assert!(
            command
                .get_args()
                .all(|a| !a.to_string_lossy().contains("secret"))
        );
        assert!(
            command
                .get_envs()
                .any(|(k, v)| k == "MYSQL_PWD" && v.is_some_and(|v| v == "secret"))
        );
    }

    #[test]
    fn a_missing_tool_names_its_package() {
        let error = find_tool_in(&DUMP_TOOLS, std::ffi::OsString::from("/nonexistent"))
            .expect_err("no tools there");
        assert!(error.to_string().contains("mariadb-client"), "{error}");
    }

    #[test]
    fn tool_versions_are_read_from_each_flavour() {
        assert_eq!(
            parse_tool_version(
                "mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)"
            ),
            "10.11.19-MariaDB"
        );
        assert_eq!(
            parse_tool_version("mariadb-dump from 11.4.2-MariaDB, client 10.19 for linux"),
            "11.4.2-MariaDB"
        );
        assert_eq!(
            parse_tool_version("mysqldump  Ver 8.0.36 for Linux on x86_64"),
            "8.0.36"
        );
    }
}
