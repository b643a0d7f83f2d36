//! PostgreSQL: `pg_dump -Fc -Z0` inside an exported snapshot (so the manifest's table stats
//! describe exactly the dumped data), `pg_restore` from a stream, scratch databases on the same
//! server, and a swap by renaming databases. With more than one job, `pg_dump -Fd -j N` in the
//! same snapshot into a temporary folder, stored as a tar stream of that folder, and restored by
//! unpacking it into a temporary folder for `pg_restore -j N`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use drydock_connector::redact_url;
use postgres::{GenericClient, IsolationLevel, NoTls};
use sha2::{Digest, Sha256};

use crate::BackupError;
use crate::backend::{Backend, DumpFormat, DumpSummary, JobOptions, TableStats, ToolVersion};
use crate::tool::{collect_stderr, feed_tool, finish_tool};
use drydock_connector::percent_decode;

const FORMAT: &str = "pg_dump-custom";
/// A tar stream of the folder `pg_dump --format=directory` wrote.
const DIRECTORY_FORMAT: &str = "pg_dump-directory";
/// The database scratch and swap connections use, as every server has it.
const MAINTENANCE_DATABASE: &str = "postgres";

pub(crate) struct Postgres;

/// The parts of a Prisma PostgreSQL URL the tools and the client need.
struct PgUrl {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    database: String,
    schema: String,
    sslmode: Option<String>,
}

impl PgUrl {
    fn parse(url: &str) -> Result<PgUrl, BackupError> {
        let invalid = |reason: String| {
            BackupError::Usage(format!("invalid URL `{}`: {reason}", redact_url(url)))
        };
        let parsed = url::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
        let mut pg = PgUrl {
            host: parsed.host_str().unwrap_or_default().to_owned(),
            port: parsed.port().unwrap_or(5432),
            user: percent_decode(parsed.username()),
            password: parsed.password().map(percent_decode),
            database: percent_decode(parsed.path().trim_start_matches('/')),
            schema: "public".to_owned(),
            sslmode: None,
        };
        for (key, value) in parsed.query_pairs() {
            let value = value.into_owned();
            match key.as_ref() {
                "schema" => pg.schema = value,
                "host" => pg.host = value,
                "port" => {
                    pg.port = value
                        .parse()
                        .map_err(|_| invalid("`port` is not a port number".to_owned()))?;
                }
                "user" => pg.user = value,
                "password" => pg.password = Some(value),
                "dbname" => pg.database = value,
                "sslmode" => pg.sslmode = Some(value),
                // Prisma's pool settings mean nothing to a dump.
                _ => {}
            }
        }
        if pg.host.is_empty() {
            pg.host = "localhost".to_owned();
        }
        if pg.user.is_empty() {
            pg.user = "postgres".to_owned();
        }
        if pg.database.is_empty() {
            pg.database = "postgres".to_owned();
        }
        Ok(pg)
    }

    fn connect(&self, database: &str) -> Result<postgres::Client, BackupError> {
        let mut config = postgres::Config::new();
        if self.host.starts_with('/') {
            config.host_path(&self.host);
        } else {
            config.host(&self.host);
        }
        config
            .port(self.port)
            .user(&self.user)
            .dbname(database)
            .application_name("drydock backup")
            .connect_timeout(Duration::from_secs(10));
        if let Some(password) = &self.password {
            config.password(password.as_bytes());
        }
        config.connect(NoTls).map_err(|e| self.error(&e))
    }

    /// A client error's text, with the password removed should the driver ever echo it.
    fn error(&self, error: &postgres::Error) -> BackupError {
        let mut text = match error.as_db_error() {
            Some(db) => db.message().to_owned(),
            None => error.to_string(),
        };
        if let Some(password) = self.password.as_deref().filter(|p| !p.is_empty()) {
            text = text.replace(password, "****");
        }
        BackupError::Query(text)
    }

    /// A client tool run against `database`, with the connection in the environment: argv is
    /// visible to every user of the machine, the password must not be.
    fn tool(&self, program: &str, database: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("PGHOST", &self.host)
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", &self.user)
            .env("PGDATABASE", database)
            .env("PGAPPNAME", "drydock backup")
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE");
        if let Some(password) = &self.password {
            command.env("PGPASSWORD", password);
        }
        if let Some(mode) = &self.sslmode {
            command.env("PGSSLMODE", mode);
        }
        command
    }

    fn with_database(url: &str, database: &str) -> Result<String, BackupError> {
        let mut parsed = url::Url::parse(url)
            .map_err(|e| BackupError::Usage(format!("invalid URL `{}`: {e}", redact_url(url))))?;
        parsed.set_path(&format!("/{database}"));
        // A `dbname` parameter would override the path.
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .filter(|(k, _)| k != "dbname")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
        Ok(parsed.to_string())
    }
}

impl Backend for Postgres {
    fn provider(&self) -> &'static str {
        "postgresql"
    }

    fn accepts_url(&self, url: &str) -> bool {
        url.starts_with("postgresql://") || url.starts_with("postgres://")
    }

    fn database_name(&self, url: &str) -> Result<String, BackupError> {
        Ok(PgUrl::parse(url)?.database)
    }

    fn server_version(&self, url: &str) -> Result<String, BackupError> {
        let pg = PgUrl::parse(url)?;
        let mut client = pg.connect(&pg.database)?;
        let row = client
            .query_one("SHOW server_version", &[])
            .map_err(|e| pg.error(&e))?;
        Ok(row.get(0))
    }

    fn tool_versions(&self) -> Result<Vec<ToolVersion>, BackupError> {
        ["pg_dump", "pg_restore"]
            .into_iter()
            .map(|tool| {
                let output = Command::new(tool)
                    .arg("--version")
                    .output()
                    .map_err(|e| tool_missing(tool, &e))?;
                let text = String::from_utf8_lossy(&output.stdout);
                // `pg_dump (PostgreSQL) 15.20 (Debian ...)`: the version is the third word.
                let version = text.split_whitespace().nth(2).unwrap_or("unknown");
                Ok(ToolVersion {
                    name: tool.to_owned(),
                    version: version.to_owned(),
                })
            })
            .collect()
    }

    fn format_name(&self) -> &'static str {
        FORMAT
    }

    fn dump(&self, url: &str, out: &mut dyn Write) -> Result<DumpSummary, BackupError> {
        self.dump_with(url, out, &JobOptions::single())
    }

    fn dump_with(
        &self,
        url: &str,
        out: &mut dyn Write,
        options: &JobOptions,
    ) -> Result<DumpSummary, BackupError> {
        let pg = PgUrl::parse(url)?;
        let mut client = pg.connect(&pg.database)?;
        let mut transaction = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| pg.error(&e))?;
        let snapshot: String = transaction
            .query_one("SELECT pg_export_snapshot()", &[])
            .map_err(|e| pg.error(&e))?
            .get(0);
        // The stats are computed on a second session while pg_dump runs, both in the exported
        // snapshot (kept alive by `transaction` until both are done): they describe exactly the
        // dumped data, and the two scans overlap instead of adding up.
        let mut stats_client = pg.connect(&pg.database)?;
        let cancel = stats_client.cancel_token();
        let (dumped, tables) = std::thread::scope(|scope| {
            let stats = scope.spawn(|| snapshot_stats(&pg, &mut stats_client, &snapshot));
            let dumped = if options.jobs > 1 {
                run_pg_dump_directory(&pg, &snapshot, options, out)
            } else {
                run_pg_dump(&pg, &snapshot, out)
            };
            if dumped.is_err() {
                // No backup will be written: stop reading the tables too.
                let _ = cancel.cancel_query(NoTls);
            }
            let tables = stats.join().unwrap_or_else(|_| {
                Err(BackupError::Query(
                    "computing the table statistics failed".to_owned(),
                ))
            });
            (dumped, tables)
        });
        dumped?;
        let tables = tables?;
        transaction.commit().map_err(|e| pg.error(&e))?;
        let format = if options.jobs > 1 {
            DIRECTORY_FORMAT
        } else {
            FORMAT
        };
        Ok(DumpSummary::new(format, tables))
    }

    fn restore(&self, input: &mut dyn Read, url: &str) -> Result<(), BackupError> {
        let pg = PgUrl::parse(url)?;
        let child = pg
            .tool("pg_restore", &pg.database)
            .args(["--no-owner", "--exit-on-error", "--single-transaction"])
            .arg(format!("--dbname={}", pg.database))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| tool_missing("pg_restore", &e))?;
        // In a single transaction: a restore stopped part-way leaves nothing behind.
        feed_tool(child, input, "pg_restore")
    }

    fn restore_with(
        &self,
        input: &mut dyn Read,
        format: &DumpFormat,
        url: &str,
        options: &JobOptions,
    ) -> Result<(), BackupError> {
        if format.name != DIRECTORY_FORMAT {
            // A custom-format stream cannot be restored in parallel (pg_restore needs to seek).
            return self.restore(input, url);
        }
        let pg = PgUrl::parse(url)?;
        let work = temp_folder(&options.work_dir, ".drydock-pg_restore-")?;
        let folder = work.path().join("dump");
        unpack(input, &folder)?;
        let mut command = pg.tool("pg_restore", &pg.database);
        command
            .args(["--no-owner", "--exit-on-error", "--format=directory"])
            .arg(format!("--dbname={}", pg.database));
        if options.jobs > 1 {
            // Parallel jobs cannot share one transaction: the callers restore only into a
            // database they drop when the restore fails (a scratch or a created one).
            command.arg(format!("--jobs={}", options.jobs));
        } else {
            command.arg("--single-transaction");
        }
        let mut child = command
            .arg(&folder)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| tool_missing("pg_restore", &e))?;
        let stderr = collect_stderr(&mut child);
        let restored = finish_tool(child, stderr, "pg_restore");
        remove_temp_folder(work)?;
        restored
    }

    fn accepts_format(&self, name: &str) -> bool {
        name == FORMAT || name == DIRECTORY_FORMAT
    }

    fn table_stats(&self, url: &str) -> Result<Vec<TableStats>, BackupError> {
        let pg = PgUrl::parse(url)?;
        let mut client = pg.connect(&pg.database)?;
        set_stable_text(&mut client).map_err(|e| pg.error(&e))?;
        stats(&pg, &mut client)
    }

    fn last_migration(&self, url: &str) -> Result<Option<String>, BackupError> {
        let pg = PgUrl::parse(url)?;
        let mut client = pg.connect(&pg.database)?;
        let table = format!("{}._prisma_migrations", quote_ident(&pg.schema));
        let exists: bool = client
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
            .map_err(|e| pg.error(&e))?
            .get(0);
        if !exists {
            return Ok(None);
        }
        let row = client
            .query_opt(
                &format!(
                    "SELECT migration_name FROM {table} \
                     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL \
                     ORDER BY finished_at DESC, migration_name DESC LIMIT 1"
                ),
                &[],
            )
            .map_err(|e| pg.error(&e))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn exists(&self, url: &str) -> Result<bool, BackupError> {
        let pg = PgUrl::parse(url)?;
        let mut client = pg.connect(MAINTENANCE_DATABASE)?;
        let rows = client
            .query(
                "SELECT 1 FROM pg_database WHERE datname = $1",
                &[&pg.database],
            )
            .map_err(|e| pg.error(&e))?;
        Ok(!rows.is_empty())
    }

    fn create_database(&self, url: &str) -> Result<(), BackupError> {
        let pg = PgUrl::parse(url)?;
        let mut client = pg.connect(MAINTENANCE_DATABASE)?;
        client
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&pg.database)))
            .map_err(|e| pg.error(&e))
    }

    fn create_scratch(&self, url: &str) -> Result<String, BackupError> {
        let name = format!("drydock_scratch_{}", uuid::Uuid::new_v4().simple());
        let scratch = PgUrl::with_database(url, &name)?;
        self.create_database(&scratch)?;
        Ok(scratch)
    }

    fn drop_scratch(&self, scratch_url: &str) -> Result<(), BackupError> {
        let pg = PgUrl::parse(scratch_url)?;
        let mut client = pg.connect(MAINTENANCE_DATABASE)?;
        client
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(&pg.database)
            ))
            .map_err(|e| pg.error(&e))
    }

    fn swap(&self, source_url: &str, target_url: &str) -> Result<String, BackupError> {
        let source = PgUrl::parse(source_url)?;
        let target = PgUrl::parse(target_url)?;
        let old = format!("drydock_old_{}", uuid::Uuid::new_v4().simple());
        let mut client = target.connect(MAINTENANCE_DATABASE)?;
        // A rename needs the database to itself; new sessions may arrive between terminating
        // and renaming, so try a few times.
        let mut attempt = 0;
        loop {
            attempt += 1;
            client
                .execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname IN ($1, $2) AND pid <> pg_backend_pid()",
                    &[&target.database, &source.database],
                )
                .map_err(|e| target.error(&e))?;
            let renamed = client.batch_execute(&format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_ident(&target.database),
                quote_ident(&old)
            ));
            match renamed {
                Ok(()) => break,
                Err(_) if attempt < 5 => std::thread::sleep(Duration::from_millis(200)),
                Err(e) => return Err(target.error(&e)),
            }
        }
        let promoted = client.batch_execute(&format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote_ident(&source.database),
            quote_ident(&target.database)
        ));
        if let Err(e) = promoted {
            // Put the old database back so the target keeps working.
            let _ = client.batch_execute(&format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_ident(&old),
                quote_ident(&target.database)
            ));
            return Err(target.error(&e));
        }
        PgUrl::with_database(target_url, &old)
    }
}

/// Session settings that make `row::text` the same on every connection.
fn set_stable_text(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    client.batch_execute(
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; \
         SET extra_float_digits = 1; SET bytea_output = 'hex'",
    )
}

/// `pg_dump -Fc -Z0` of the database in `snapshot`, streamed to `out`.
fn run_pg_dump(pg: &PgUrl, snapshot: &str, out: &mut dyn Write) -> Result<(), BackupError> {
    let mut child = pg
        .tool("pg_dump", &pg.database)
        .args(["--format=custom", "--compress=0"])
        .arg(format!("--snapshot={snapshot}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_missing("pg_dump", &e))?;
    let stderr = collect_stderr(&mut child);
    let copied = match child.stdout.take() {
        // Large reads: fewer system calls and compressor calls per byte.
        Some(stdout) => std::io::copy(&mut BufReader::with_capacity(1 << 20, stdout), out),
        None => Ok(0),
    };
    if let Err(e) = copied {
        // Writing the backup failed (disk full, ...): stop the dump too.
        let _ = child.kill();
        let _ = child.wait();
        return Err(BackupError::io("writing the backup", e));
    }
    finish_tool(child, stderr, "pg_dump")
}

/// `pg_dump -Fd -Z0 -j N` of the database in `snapshot` into a temporary folder in
/// `options.work_dir`, then that folder as a tar stream to `out`. The folder is removed on
/// every path.
fn run_pg_dump_directory(
    pg: &PgUrl,
    snapshot: &str,
    options: &JobOptions,
    out: &mut dyn Write,
) -> Result<(), BackupError> {
    let work = temp_folder(&options.work_dir, ".drydock-pg_dump-")?;
    // pg_dump creates the folder itself.
    let folder = work.path().join("dump");
    let packed =
        dump_directory(pg, snapshot, options.jobs, &folder).and_then(|()| pack(&folder, out));
    let removed = remove_temp_folder(work);
    packed?;
    removed
}

fn dump_directory(pg: &PgUrl, snapshot: &str, jobs: u32, folder: &Path) -> Result<(), BackupError> {
    let mut child = pg
        .tool("pg_dump", &pg.database)
        .args(["--format=directory", "--compress=0"])
        .arg(format!("--jobs={jobs}"))
        .arg(format!("--snapshot={snapshot}"))
        .arg("--file")
        .arg(folder)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_missing("pg_dump", &e))?;
    let stderr = collect_stderr(&mut child);
    finish_tool(child, stderr, "pg_dump")
}

/// A private temporary folder (0700) in `parent`, which is created when missing.
fn temp_folder(parent: &Path, prefix: &str) -> Result<tempfile::TempDir, BackupError> {
    std::fs::create_dir_all(parent)
        .map_err(|e| BackupError::io(format!("creating `{}`", parent.display()), e))?;
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(parent)
        .map_err(|e| {
            BackupError::io(
                format!("creating a temporary folder in `{}`", parent.display()),
                e,
            )
        })
}

fn remove_temp_folder(work: tempfile::TempDir) -> Result<(), BackupError> {
    let path = work.path().to_owned();
    work.close()
        .map_err(|e| BackupError::io(format!("removing `{}`", path.display()), e))
}

/// The files of `folder` (pg_dump's directory format is flat: `toc.dat` and one file per
/// table's data), in name order, as a tar stream without owners or times.
fn pack(folder: &Path, out: &mut dyn Write) -> Result<(), BackupError> {
    let reading = |e| BackupError::io(format!("reading `{}`", folder.display()), e);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(reading)? {
        let entry = entry.map_err(reading)?;
        if !entry.file_type().map_err(reading)?.is_file() {
            return Err(BackupError::Tool {
                tool: "pg_dump".to_owned(),
                message: format!(
                    "unexpected entry `{}` in its output folder",
                    entry.path().display()
                ),
            });
        }
        names.push(entry.file_name());
    }
    names.sort();
    let writing = |e| BackupError::io("writing the backup", e);
    let mut builder = tar::Builder::new(out);
    builder.mode(tar::HeaderMode::Deterministic);
    for name in names {
        let path = folder.join(&name);
        let mut file = std::fs::File::open(&path)
            .map_err(|e| BackupError::io(format!("reading `{}`", path.display()), e))?;
        builder.append_file(&name, &mut file).map_err(writing)?;
    }
    builder.finish().map_err(writing)
}

/// Unpack a stream written by [`pack`] into `folder` (created). Only plain files directly in
/// the folder are accepted: a tampered archive cannot write anywhere else.
fn unpack(input: &mut dyn Read, folder: &Path) -> Result<(), BackupError> {
    let reading = |e| BackupError::io("reading the backup", e);
    std::fs::create_dir(folder)
        .map_err(|e| BackupError::io(format!("creating `{}`", folder.display()), e))?;
    let mut archive = tar::Archive::new(input);
    for entry in archive.entries().map_err(reading)? {
        let mut entry = entry.map_err(reading)?;
        let path = entry.path().map_err(reading)?.into_owned();
        let mut components = path.components();
        let name = match (components.next(), components.next()) {
            (Some(std::path::Component::Normal(name)), None)
                if entry.header().entry_type().is_file() =>
            {
                name.to_owned()
            }
            _ => {
                return Err(BackupError::io(
                    "reading the backup",
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("unexpected entry `{}` in the archive", path.display()),
                    ),
                ));
            }
        };
        let target = folder.join(name);
        let mut file = crate::store::create_private(&target)?;
        std::io::copy(&mut entry, &mut file).map_err(reading)?;
    }
    Ok(())
}

/// [`stats`] on `client`, in the snapshot another session exported.
fn snapshot_stats(
    pg: &PgUrl,
    client: &mut postgres::Client,
    snapshot: &str,
) -> Result<Vec<TableStats>, BackupError> {
    set_stable_text(client).map_err(|e| pg.error(&e))?;
    let mut transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|e| pg.error(&e))?;
    transaction
        .batch_execute(&format!(
            "SET TRANSACTION SNAPSHOT {}",
            quote_literal(snapshot)
        ))
        .map_err(|e| pg.error(&e))?;
    let tables = stats(pg, &mut transaction)?;
    transaction.commit().map_err(|e| pg.error(&e))?;
    Ok(tables)
}

/// Stats of every user table (partitions count in their parent; tables of extensions are the
/// extension's, not dumped as data). Each table is read with `COPY ... TO STDOUT` and every row
/// hashed here: the fingerprint is the sum of the rows' hashes, so it needs no sort and no
/// memory per row, and a duplicated row still counts twice.
fn stats<C: GenericClient>(pg: &PgUrl, client: &mut C) -> Result<Vec<TableStats>, BackupError> {
    let tables = client
        .query(
            "SELECT n.nspname, c.relname, c.relkind = 'p' FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition \
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' \
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
                           AND d.objid = c.oid AND d.deptype = 'e') \
         ORDER BY 1, 2",
            &[],
        )
        .map_err(|e| pg.error(&e))?;
    let mut result = Vec::with_capacity(tables.len());
    for row in tables {
        let schema: String = row.get(0);
        let table: String = row.get(1);
        let partitioned: bool = row.get(2);
        let name = format!("{}.{}", quote_ident(&schema), quote_ident(&table));
        // A partitioned table has no rows of its own to copy: its partitions' come through a
        // query.
        let query = if partitioned {
            format!("COPY (SELECT * FROM {name}) TO STDOUT")
        } else {
            format!("COPY {name} TO STDOUT")
        };
        let copy = client.copy_out(query.as_str()).map_err(|e| pg.error(&e))?;
        let (rows, sum) = hash_rows(BufReader::with_capacity(1 << 16, copy))
            .map_err(|e| BackupError::io(format!("reading {schema}.{table}"), e))?;
        result.push(TableStats {
            name: format!("{schema}.{table}"),
            rows,
            fingerprint: format!("{sum:032x}"),
        });
    }
    Ok(result)
}

/// Row count and the wrapping sum of the rows' hashes (first 128 bits of each row's sha256) of
/// a `COPY ... TO STDOUT` text stream: one row per line, as newlines inside values are escaped.
fn hash_rows(mut input: impl BufRead) -> std::io::Result<(u64, u128)> {
    let mut line = Vec::new();
    let mut rows = 0u64;
    let mut sum = 0u128;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok((rows, sum));
        }
        let digest = Sha256::digest(&line);
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        sum = sum.wrapping_add(u128::from_be_bytes(first));
        rows += 1;
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn tool_missing(tool: &str, error: &std::io::Error) -> BackupError {
    BackupError::Tool {
        tool: tool.to_owned(),
        message: format!("could not run it ({error}); install the PostgreSQL client tools"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_hashes_ignore_order_but_not_content_or_repeats() {
        let hash = |text: &str| hash_rows(text.as_bytes()).expect("in memory");
        let (rows, sum) = hash("1\ta\n2\tb\\nc\n");
        assert_eq!(rows, 2);
        assert_eq!(hash("2\tb\\nc\n1\ta\n"), (rows, sum));
        assert_ne!(hash("1\ta\n2\tb\\nC\n").1, sum);
        assert_ne!(hash("1\ta\n1\ta\n2\tb\\nc\n"), (rows, sum));
        assert_eq!(hash(""), (0, 0));
    }
}
