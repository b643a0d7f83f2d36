//! PostgreSQL: `pg_dump -Fc -Z0` inside an exported snapshot, `pg_restore` from a stream,
//! scratch databases on the same server, and a swap by renaming databases. With more than one
//! job, `pg_dump -Fd -j N` in the same snapshot into a temporary folder, stored as a tar stream
//! of that folder, and restored by unpacking it into a temporary folder for `pg_restore -j N`.
//! The manifest's table stats are hashed from the dump's own COPY data as it passes (see
//! [`archive`]), so every table is read once.

mod archive;
mod client_tools;

use postgres::error::SqlState;
use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, SyncSender};
use std::time::Duration;

use drydock_connector::{DbUrl, redact_url};
use drydock_postgres::owner;
use drydock_postgres::url::PgUrl;
use postgres::{GenericClient, IsolationLevel};

use self::archive::{LARGE_OBJECTS, LargeObjectHasher, RowHasher, StreamedTables};
use self::client_tools::ClientTools;
use crate::BackupError;
use crate::backend::{
    Backend, DbObject, DumpFormat, DumpSummary, JobOptions, TableStats, ToolVersion,
};
use crate::debris::TEMP_PREFIX;
use crate::tool::{self, collect_stderr, feed_tool, finish_tool};

const FORMAT: &str = "pg_dump-custom";
/// A tar stream of the folder `pg_dump --format=directory` wrote.
const DIRECTORY_FORMAT: &str = "pg_dump-directory";
/// How the names of scratch databases start.
const SCRATCH_PREFIX: &str = "drydock_scratch_";
/// The databases a run creates for itself and drops when it ends, by name prefix.
const RUN_DATABASES: [(&str, &str); 2] = [
    (SCRATCH_PREFIX, "scratch database"),
    (drydock_postgres::SHADOW_DATABASE_PREFIX, "shadow database"),
];
/// The database scratch and swap connections use, as every server has it.
const MAINTENANCE_DATABASE: &str = "postgres";
/// The tools run in a process group of their own, where a password prompt on the terminal
/// would stop them for good: without the password in the URL they fail and say so.
const NO_PROMPT: &str = "--no-password";
/// How long backup sessions wait for the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct Postgres;

/// What backups add to the shared URL parser's result: sessions on any database of the server,
/// and libpq's tools run with the connection (TLS included) in their environment.
trait BackupUrl {
    fn session(&self, database: &str) -> Result<postgres::Client, BackupError>;
    fn error(&self, error: &postgres::Error) -> BackupError;
    fn tool(&self, program: &Path, database: &str) -> Result<Command, BackupError>;
}

/// `url` parsed by the one URL parser, named as backup sessions name themselves.
fn parse_url(url: &str) -> Result<PgUrl, BackupError> {
    let mut pg = PgUrl::parse(url).map_err(BackupError::Connect)?;
    pg.application_name = Some("drydock backup".to_owned());
    pg.connect_timeout = Some(CONNECT_TIMEOUT);
    Ok(pg)
}

impl BackupUrl for PgUrl {
    fn session(&self, database: &str) -> Result<postgres::Client, BackupError> {
        self.with_database(database)
            .connect()
            .map_err(BackupError::Connect)
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
    fn tool(&self, program: &Path, database: &str) -> Result<Command, BackupError> {
        let mut command = Command::new(program);
        for name in LIBPQ_VARIABLES {
            command.env_remove(name);
        }
        command.envs(self.libpq_env(database).map_err(BackupError::Connect)?);
        Ok(command)
    }
}

/// libpq's variables a tool must not inherit from drydock's environment: the URL says it all.
const LIBPQ_VARIABLES: [&str; 11] = [
    "PGPASSWORD",
    "PGSERVICE",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGSSLCERT",
    "PGSSLKEY",
    "PGHOSTADDR",
    "PGCONNECT_TIMEOUT",
    "PGOPTIONS",
    "PGPASSFILE",
    "PGSSLPASSWORD",
];

impl Postgres {
    fn with_database(url: &str, database: &str) -> Result<String, BackupError> {
        let mut parsed = DbUrl::parse(url)
            .map_err(|e| BackupError::Usage(format!("invalid URL `{}`: {e}", redact_url(url))))?;
        parsed.database = Some(database.to_owned());
        // A `dbname` parameter would override the path.
        parsed.remove_param("dbname");
        Ok(parsed.to_url())
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
        Ok(parse_url(url)?.database)
    }

    fn server_version(&self, url: &str) -> Result<String, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(&pg.database)?;
        let row = client
            .query_one("SHOW server_version", &[])
            .map_err(|e| pg.error(&e))?;
        Ok(row.get(0))
    }

    fn tool_versions(&self, url: &str) -> Result<Vec<ToolVersion>, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(&pg.database)?;
        let tools = server_tools(&pg, &mut client)?;
        Ok(["pg_dump", "pg_restore"]
            .into_iter()
            .map(|name| ToolVersion {
                name: name.to_owned(),
                version: tools.version.clone(),
            })
            .collect())
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
        let pg = parse_url(url)?;
        let mut client = pg.session(&pg.database)?;
        let tools = server_tools(&pg, &mut client)?;
        set_stable_text(&mut client).map_err(|e| pg.error(&e))?;
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
        let tables = user_tables(&pg, &mut transaction)?;
        let (format, mut streamed) = if options.jobs > 1 {
            let streamed = run_pg_dump_directory(&pg, &tools, &snapshot, options, out)?;
            (DIRECTORY_FORMAT, streamed)
        } else {
            (FORMAT, run_pg_dump(&pg, &tools, &snapshot, out)?)
        };
        // A table whose rows the stream did not yield (an archive version this reader does not
        // know, say) is read here, in the dump's snapshot: the stats still describe exactly
        // the dumped data, at the cost of a second read.
        let mut stats = tables
            .into_iter()
            .map(|name| match streamed.remove(&name.key()) {
                Some((rows, sum)) => Ok(name.stats(rows, sum)),
                None => copy_stats(&pg, &mut transaction, &name),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let objects = match streamed.remove(LARGE_OBJECTS) {
            Some((count, sum)) => Some(large_objects_entry(count, sum)),
            None => large_object_stats(&pg, &mut transaction)?,
        };
        stats.extend(objects);
        stats.sort_by(|a, b| a.name.cmp(&b.name));
        transaction.commit().map_err(|e| pg.error(&e))?;
        Ok(DumpSummary::new(format, stats))
    }

    fn restore(&self, input: &mut dyn Read, url: &str) -> Result<(), BackupError> {
        let pg = parse_url(url)?;
        let tools = server_tools(&pg, &mut pg.session(&pg.database)?)?;
        let child = tool::spawn(
            pg.tool(&tools.pg_restore, &pg.database)?
                .args([
                    NO_PROMPT,
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                ])
                .arg(format!("--dbname={}", pg.database))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
        )
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
        let pg = parse_url(url)?;
        let tools = server_tools(&pg, &mut pg.session(&pg.database)?)?;
        let work = temp_folder(&options.work_dir, &format!("{TEMP_PREFIX}pg_restore-"))?;
        let folder = work.path().join("dump");
        unpack(input, &folder)?;
        let mut command = pg.tool(&tools.pg_restore, &pg.database)?;
        command
            .args([
                NO_PROMPT,
                "--no-owner",
                "--exit-on-error",
                "--format=directory",
            ])
            .arg(format!("--dbname={}", pg.database));
        if options.jobs > 1 {
            // Parallel jobs cannot share one transaction: the callers restore only into a
            // database they drop when the restore fails (a scratch or a created one).
            command.arg(format!("--jobs={}", options.jobs));
        } else {
            command.arg("--single-transaction");
        }
        let mut child = tool::spawn(
            command
                .arg(&folder)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
        )
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
        let pg = parse_url(url)?;
        let tables = user_tables(&pg, &mut pg.session(&pg.database)?)?;
        // One session per core, each taking the largest table left: the server's COPY and the
        // hashing here both use a core per session.
        let mut order: Vec<usize> = (0..tables.len()).collect();
        order.sort_by_key(|&index| std::cmp::Reverse(tables[index].size));
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(tables.len());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done = std::sync::Mutex::new(vec![None; tables.len()]);
        let work = || -> Result<(), BackupError> {
            let mut client = pg.session(&pg.database)?;
            set_stable_text(&mut client).map_err(|e| pg.error(&e))?;
            loop {
                let taken = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&index) = order.get(taken) else {
                    return Ok(());
                };
                let stats = copy_stats(&pg, &mut client, &tables[index])?;
                done.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(stats);
            }
        };
        let objects = std::thread::scope(|scope| {
            let running: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
            let objects = large_object_stats(&pg, &mut pg.session(&pg.database)?);
            running.into_iter().try_for_each(|worker| {
                worker.join().unwrap_or_else(|_| {
                    Err(BackupError::Query(
                        "reading a table's rows failed".to_owned(),
                    ))
                })
            })?;
            objects
        })?;
        let mut stats: Vec<TableStats> = done
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .flatten()
            .chain(objects)
            .collect();
        stats.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(stats)
    }

    fn has_tables(&self, url: &str) -> Result<bool, BackupError> {
        let pg = parse_url(url)?;
        // The run log holds the restore's own run: it makes no database worth keeping.
        Ok(user_tables(&pg, &mut pg.session(&pg.database)?)?
            .iter()
            .any(|table| table.schema != drydock_postgres::RUN_SCHEMA))
    }

    fn last_migration(&self, url: &str) -> Result<Option<String>, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(&pg.database)?;
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

    fn objects(&self, url: &str) -> Result<Vec<DbObject>, BackupError> {
        let pg = parse_url(url)?;
        let rows = pg
            .session(&pg.database)?
            .query(OBJECTS_QUERY, &[])
            .map_err(|e| pg.error(&e))?;
        Ok(rows
            .iter()
            .map(|row| DbObject {
                kind: row.get(0),
                name: row.get(1),
            })
            .collect())
    }

    fn drop_objects(&self, url: &str, objects: &[DbObject]) -> Result<(), BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(&pg.database)?;
        let mut transaction = client.transaction().map_err(|e| pg.error(&e))?;
        // Schemas, then extensions: their CASCADE takes most of the rest along, and what is
        // gone by then is skipped (`IF EXISTS`).
        let mut ordered: Vec<&DbObject> = objects.iter().collect();
        ordered.sort_by_key(|o| match o.kind.as_str() {
            "schema" => 0,
            "extension" => 1,
            _ => 2,
        });
        for object in ordered {
            let statement = match object.kind.as_str() {
                SCHEMA_STATE => continue,
                "large object" => {
                    let oid: postgres::types::Oid = object.name.parse().map_err(|_| {
                        BackupError::Query(format!("unexpected large object `{}`", object.name))
                    })?;
                    format!("SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = {oid}")
                }
                // pg_identify_object's names are quoted as SQL needs them.
                kind => format!(
                    "DROP {} IF EXISTS {} CASCADE",
                    kind.to_ascii_uppercase().replace('-', " "),
                    object.name
                ),
            };
            transaction
                .batch_execute(&statement)
                .map_err(|e| pg.error(&e))?;
        }
        transaction.commit().map_err(|e| pg.error(&e))
    }

    fn exists(&self, url: &str) -> Result<bool, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        let rows = client
            .query(
                "SELECT 1 FROM pg_database WHERE datname = $1",
                &[&pg.database],
            )
            .map_err(|e| pg.error(&e))?;
        Ok(!rows.is_empty())
    }

    fn create_database(&self, url: &str) -> Result<bool, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        match client.batch_execute(&format!("CREATE DATABASE {}", quote_ident(&pg.database))) {
            Ok(()) => Ok(true),
            // `duplicate_database`, or, when the other `CREATE DATABASE` was still running, the
            // catalog's unique index on the name once it committed.
            Err(e)
                if e.code() == Some(&SqlState::DUPLICATE_DATABASE)
                    || e.code() == Some(&SqlState::UNIQUE_VIOLATION) =>
            {
                Ok(false)
            }
            Err(e) => Err(pg.error(&e)),
        }
    }

    fn set_restore_note(&self, url: &str, note: Option<&str>) -> Result<(), BackupError> {
        let pg = parse_url(url)?;
        // The note names this run, which stays connected while it lives: a second restore tells
        // a running one from a killed one.
        let note = match note {
            Some(note) => {
                owner::hold_owner_session(&pg.with_database(MAINTENANCE_DATABASE))
                    .map_err(BackupError::Connect)?;
                Some(format!("{note}, by {}", owner::owner_comment()))
            }
            None => None,
        };
        let note = note.as_deref();
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        // A comment on the database: pg_restore without `--create` never sets it.
        client
            .batch_execute(&format!(
                "COMMENT ON DATABASE {} IS {}",
                quote_ident(&pg.database),
                note.map_or_else(|| "NULL".to_owned(), quote_literal)
            ))
            .map_err(|e| pg.error(&e))
    }

    fn restore_note(&self, url: &str) -> Result<Option<String>, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        let rows = client
            .query(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
                &[&pg.database],
            )
            .map_err(|e| pg.error(&e))?;
        Ok(rows.first().and_then(|row| row.get(0)))
    }

    fn check_session_url(&self, url: &str) -> Result<(), BackupError> {
        let pg = parse_url(url)?;
        // A restore's new database does not exist yet: the pooler is the same for the others.
        let probed = if self.exists(url)? {
            pg
        } else {
            pg.with_database(MAINTENANCE_DATABASE)
        };
        let probed = drydock_postgres::pooler::transaction_pooler(&probed);
        match probed.map_err(BackupError::Connect)? {
            Some(why) => Err(BackupError::TransactionPooler { why }),
            None => Ok(()),
        }
    }

    fn running_restore(&self, url: &str, note: &str) -> Result<Option<String>, BackupError> {
        let Some(run) = owner::Owner::find_in(note) else {
            return Ok(None);
        };
        let pg = parse_url(url)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        let gone = run.gone(&mut client).map_err(BackupError::Connect)?;
        Ok(gone.is_none().then(|| run.describe()))
    }

    fn leftover_databases(&self, url: &str) -> Result<Vec<String>, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        let mut lines = Vec::new();
        for (prefix, what) in RUN_DATABASES {
            for left in owner::abandoned(&mut client, prefix).map_err(BackupError::Connect)? {
                lines.push(format!(
                    "{}: {what} left by {} ({}); `drydock backup prune --apply` drops it",
                    left.name, left.left_by, left.why
                ));
            }
        }
        let marked = client
            .query(
                "SELECT datname::text, shobj_description(oid, 'pg_database') FROM pg_database \
                 WHERE left(shobj_description(oid, 'pg_database'), length($1)) = $1 \
                 ORDER BY datname",
                &[&crate::UNFINISHED_RESTORE],
            )
            .map_err(|e| pg.error(&e))?;
        for row in marked {
            let (name, note): (String, String) = (row.get(0), row.get(1));
            let running = match owner::Owner::find_in(&note) {
                Some(run) => run
                    .gone(&mut client)
                    .map_err(BackupError::Connect)?
                    .is_none(),
                None => false,
            };
            lines.push(if running {
                format!("{name}: a restore in progress ({note})")
            } else {
                format!(
                    "{name}: half-restored by an interrupted restore ({note}); the next \
                     `drydock backup restore` into it replaces it"
                )
            });
        }
        Ok(lines)
    }

    fn drop_abandoned(&self, url: &str) -> Result<Vec<String>, BackupError> {
        let pg = parse_url(url)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        let mut lines = Vec::new();
        for (prefix, what) in RUN_DATABASES {
            lines.extend(
                owner::drop_abandoned(&mut client, prefix, what).map_err(BackupError::Connect)?,
            );
        }
        Ok(lines)
    }

    fn create_scratch(&self, url: &str) -> Result<String, BackupError> {
        let pg = parse_url(url)?;
        let name = format!("{SCRATCH_PREFIX}{}", uuid::Uuid::new_v4().simple());
        // Owned by this process, so that the run after a kill knows it for a leftover.
        let maintenance = pg.with_database(MAINTENANCE_DATABASE);
        owner::claim_database(&maintenance, &name).map_err(BackupError::Connect)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        // Next to an existing database, the scratch one gets its encoding, locale and default
        // tablespace, which cannot change later: text sorts and converts as it will there.
        let storage = client
            .query_opt(
                "SELECT pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, \
                        to_jsonb(d) ->> 'datlocprovider', \
                        coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale'), \
                        t.spcname \
                 FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace \
                 WHERE d.datname = $1",
                &[&pg.database],
            )
            .map_err(|e| pg.error(&e))?;
        let mut create = format!("CREATE DATABASE {}", quote_ident(&name));
        if let Some(row) = storage {
            let (encoding, collate, ctype): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            create.push_str(&format!(
                " TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}",
                quote_literal(&encoding),
                quote_literal(&collate),
                quote_literal(&ctype)
            ));
            let provider: Option<String> = row.get(3);
            let locale: Option<String> = row.get(4);
            match (provider.as_deref(), locale) {
                (Some("i"), Some(locale)) => create.push_str(&format!(
                    " LOCALE_PROVIDER icu ICU_LOCALE {}",
                    quote_literal(&locale)
                )),
                (Some("b"), Some(locale)) => create.push_str(&format!(
                    " LOCALE_PROVIDER builtin BUILTIN_LOCALE {}",
                    quote_literal(&locale)
                )),
                _ => {}
            }
            let tablespace: String = row.get(5);
            if tablespace != "pg_default" {
                create.push_str(&format!(" TABLESPACE {}", quote_ident(&tablespace)));
            }
        }
        client.batch_execute(&create).map_err(|e| pg.error(&e))?;
        owner::set_owner_comment(&mut client, &name).map_err(BackupError::Connect)?;
        owner::release_database(&maintenance, &name).map_err(BackupError::Connect)?;
        Postgres::with_database(url, &name)
    }

    fn drop_scratch(&self, scratch_url: &str) -> Result<(), BackupError> {
        let pg = parse_url(scratch_url)?;
        let mut client = pg.session(MAINTENANCE_DATABASE)?;
        client
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(&pg.database)
            ))
            .map_err(|e| pg.error(&e))
    }

    fn swap(&self, source_url: &str, target_url: &str) -> Result<String, BackupError> {
        let source = parse_url(source_url)?;
        let target = parse_url(target_url)?;
        let old = format!("drydock_old_{}", uuid::Uuid::new_v4().simple());
        let mut client = target.session(MAINTENANCE_DATABASE)?;
        // The restored database takes the replaced one's place: its owner, grants, settings,
        // comment and connection limit come along (they are not in the dump).
        let properties = database_properties(&mut client, &target.database, &source.database)
            .map_err(|e| target.error(&e))?;
        client
            .batch_execute(&properties)
            .map_err(|e| target.error(&e))?;
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
        Postgres::with_database(target_url, &old)
    }
}

/// The statements that give the database `to` the owner, grants, per-database and
/// per-role-in-database settings, comment and connection limit of the database `from`.
fn database_properties(
    client: &mut postgres::Client,
    from: &str,
    to: &str,
) -> Result<String, postgres::Error> {
    let to = quote_ident(to);
    let row = client.query_one(
        "SELECT d.oid, pg_get_userbyid(d.datdba), d.datacl IS NOT NULL, d.datconnlimit, \
                shobj_description(d.oid, 'pg_database') \
         FROM pg_database d WHERE d.datname = $1",
        &[&from],
    )?;
    let oid: postgres::types::Oid = row.get(0);
    let owner: String = row.get(1);
    let explicit_acl: bool = row.get(2);
    let limit: i32 = row.get(3);
    let comment: Option<String> = row.get(4);
    let mut sql = format!(
        "ALTER DATABASE {to} OWNER TO {};\nALTER DATABASE {to} CONNECTION LIMIT {limit};\n",
        quote_ident(&owner)
    );
    if explicit_acl {
        // An explicit list replaces the defaults (PUBLIC may connect and create temporary
        // tables): start from none, then grant exactly what the old database granted.
        sql.push_str(&format!("REVOKE ALL ON DATABASE {to} FROM PUBLIC;\n"));
        let grants = client.query(
            "SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, \
                    a.privilege_type, a.is_grantable \
             FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1",
            &[&from],
        )?;
        for grant in grants {
            let grantee: Option<String> = grant.get(0);
            let privilege: String = grant.get(1);
            let grantable: bool = grant.get(2);
            sql.push_str(&format!(
                "GRANT {privilege} ON DATABASE {to} TO {}{};\n",
                grantee.as_deref().map_or("PUBLIC".to_owned(), quote_ident),
                if grantable { " WITH GRANT OPTION" } else { "" }
            ));
        }
    }
    let settings = client.query(
        "SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END, \
                unnest(s.setconfig) \
         FROM pg_db_role_setting s WHERE s.setdatabase = $1",
        &[&oid],
    )?;
    for setting in settings {
        let role: Option<String> = setting.get(0);
        let item: String = setting.get(1);
        let Some((name, value)) = item.split_once('=') else {
            continue;
        };
        let target = match role {
            Some(role) => format!("ROLE {} IN DATABASE {to}", quote_ident(&role)),
            None => format!("DATABASE {to}"),
        };
        sql.push_str(&format!(
            "ALTER {target} SET {} = {};\n",
            quote_ident(name),
            setting_value(name, value)
        ));
    }
    if let Some(comment) = comment {
        sql.push_str(&format!(
            "COMMENT ON DATABASE {to} IS {};\n",
            quote_literal(&comment)
        ));
    }
    Ok(sql)
}

/// A stored setting's value as SQL. The list settings whose elements are quoted identifiers are
/// stored as one string (`"$user", public`) and must be given back as one literal per element,
/// as pg_dump does; every other value is one literal.
fn setting_value(name: &str, value: &str) -> String {
    const QUOTED_LISTS: [&str; 4] = [
        "search_path",
        "temp_tablespaces",
        "session_preload_libraries",
        "local_preload_libraries",
    ];
    if !QUOTED_LISTS.contains(&name.to_ascii_lowercase().as_str()) {
        return quote_literal(value);
    }
    let mut elements = Vec::new();
    let mut current = String::new();
    let mut chars = value.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => elements.push(std::mem::take(&mut current)),
            c if c.is_whitespace() && !quoted => {}
            c => current.push(c),
        }
    }
    elements.push(current);
    elements
        .iter()
        .map(|element| quote_literal(element))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Session settings that make COPY's text the same on every connection and the same as in
/// pg_dump's stream (see [`pg_dump`]): pg_dump sets the date and interval styles and
/// `extra_float_digits = 3` itself.
fn set_stable_text(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    client.batch_execute(
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; \
         SET extra_float_digits = 3; SET bytea_output = 'hex'",
    )
}

/// A `pg_dump` of `pg`'s database whose COPY data is written as [`set_stable_text`]'s
/// sessions read it: UTF-8, and the settings pg_dump leaves to the server's defaults given as
/// connection options.
fn pg_dump(pg: &PgUrl, tools: &ClientTools) -> Result<Command, BackupError> {
    let mut command = pg.tool(&tools.pg_dump, &pg.database)?;
    let mut options = pg
        .options
        .clone()
        .or_else(|| std::env::var("PGOPTIONS").ok())
        .unwrap_or_default();
    options.push_str(" -c TimeZone=UTC -c bytea_output=hex");
    command
        .env("PGOPTIONS", options.trim_start())
        .arg("--encoding=UTF8");
    Ok(command)
}

/// `pg_dump -Fc -Z0` of the database in `snapshot`, streamed to `out`; each table's rows are
/// hashed from the same stream on another thread.
fn run_pg_dump(
    pg: &PgUrl,
    tools: &ClientTools,
    snapshot: &str,
    out: &mut dyn Write,
) -> Result<StreamedTables, BackupError> {
    let mut child = tool::spawn(
        pg_dump(pg, tools)?
            .args([NO_PROMPT, "--format=custom", "--compress=0"])
            .arg(format!("--snapshot={snapshot}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
    .map_err(|e| tool_missing("pg_dump", &e))?;
    let stderr = collect_stderr(&mut child);
    // Bounded: a hasher that falls behind slows the dump instead of filling memory.
    let (sender, receiver) = std::sync::mpsc::sync_channel(32);
    let hashing = std::thread::spawn(move || {
        archive::hash_custom_stream(ChannelReader::new(receiver)).unwrap_or_default()
    });
    let copied = match child.stdout.take() {
        Some(stdout) => copy_teed(stdout, out, sender),
        None => Ok(()),
    };
    let streamed = hashing.join().unwrap_or_default();
    if let Err(e) = copied {
        // Writing the backup failed (disk full, ...): stop the dump too.
        let _ = child.kill();
        let _ = child.wait();
        return Err(BackupError::io("writing the backup", e));
    }
    finish_tool(child, stderr, "pg_dump")?;
    Ok(streamed)
}

/// Copy `input` to `out`, and each piece to `tee` for as long as its receiver listens.
fn copy_teed(
    mut input: impl Read,
    out: &mut dyn Write,
    tee: SyncSender<Vec<u8>>,
) -> std::io::Result<()> {
    let mut tee = Some(tee);
    // Large reads: fewer system calls and compressor calls per byte.
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = match input.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&buffer[..read])?;
        if let Some(sender) = &tee
            && sender.send(buffer[..read].to_vec()).is_err()
        {
            tee = None;
        }
    }
}

/// The pieces sent on a channel, read as one stream that ends when the sender is dropped.
struct ChannelReader {
    receiver: Receiver<Vec<u8>>,
    piece: std::io::Cursor<Vec<u8>>,
}

impl ChannelReader {
    fn new(receiver: Receiver<Vec<u8>>) -> ChannelReader {
        ChannelReader {
            receiver,
            piece: std::io::Cursor::default(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let read = self.piece.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            match self.receiver.recv() {
                Ok(piece) => self.piece = std::io::Cursor::new(piece),
                Err(_) => return Ok(0),
            }
        }
    }
}

/// `pg_dump -Fd -Z0 -j N` of the database in `snapshot` into a temporary folder in
/// `options.work_dir`, then that folder as a tar stream to `out`. The folder is removed on
/// every path.
fn run_pg_dump_directory(
    pg: &PgUrl,
    tools: &ClientTools,
    snapshot: &str,
    options: &JobOptions,
    out: &mut dyn Write,
) -> Result<StreamedTables, BackupError> {
    let work = temp_folder(&options.work_dir, &format!("{TEMP_PREFIX}pg_dump-"))?;
    // pg_dump creates the folder itself.
    let folder = work.path().join("dump");
    let packed = dump_directory(pg, tools, snapshot, options.jobs, &folder)
        .and_then(|()| pack(&folder, out));
    let removed = remove_temp_folder(work);
    let streamed = packed?;
    removed?;
    Ok(streamed)
}

fn dump_directory(
    pg: &PgUrl,
    tools: &ClientTools,
    snapshot: &str,
    jobs: u32,
    folder: &Path,
) -> Result<(), BackupError> {
    let mut child = tool::spawn(
        pg_dump(pg, tools)?
            .args([NO_PROMPT, "--format=directory", "--compress=0"])
            .arg(format!("--jobs={jobs}"))
            .arg(format!("--snapshot={snapshot}"))
            .arg("--file")
            .arg(folder)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )
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
/// table's data), in name order, as a tar stream without owners or times. Each table's data
/// file is hashed as it is packed.
fn pack(folder: &Path, out: &mut dyn Write) -> Result<StreamedTables, BackupError> {
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
    // Which file holds which table's rows; an unreadable table of contents leaves the stats to
    // the caller's second read.
    let tables: std::collections::HashMap<String, String> =
        std::fs::File::open(folder.join("toc.dat"))
            .and_then(|toc| archive::read_directory_toc(BufReader::new(toc)))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|entry| Some((entry.file.clone()?, entry.table_data()?)))
            .collect();
    let mut streamed = StreamedTables::new();
    let mut large_objects = LargeObjectHasher::default();
    let writing = |e| BackupError::io("writing the backup", e);
    let mut builder = tar::Builder::new(out);
    builder.mode(tar::HeaderMode::Deterministic);
    for name in names {
        let path = folder.join(&name);
        let text = name.to_string_lossy();
        // pg_dump writes each large object to `blob_<oid>.dat`.
        let large_object = text
            .strip_prefix("blob_")
            .and_then(|rest| rest.strip_suffix(".dat"))
            .and_then(|oid| oid.parse::<i64>().ok());
        match (tables.get(text.as_ref()), large_object) {
            (Some(table), _) => {
                let mut hasher = RowHasher::default();
                append_hashed(&mut builder, &path, |bytes| hasher.feed(bytes))?;
                streamed.insert(table.clone(), hasher.finish());
            }
            (None, Some(oid)) => {
                large_objects.start(oid);
                append_hashed(&mut builder, &path, |bytes| large_objects.feed(bytes))?;
                large_objects.end();
            }
            (None, None) => {
                let mut file = std::fs::File::open(&path)
                    .map_err(|e| BackupError::io(format!("reading `{}`", path.display()), e))?;
                builder.append_file(&name, &mut file).map_err(writing)?;
            }
        }
    }
    builder.finish().map_err(writing)?;
    if let Some(objects) = large_objects.finish() {
        streamed.insert(LARGE_OBJECTS.to_owned(), objects);
    }
    Ok(streamed)
}

/// Append the file at `path` to `builder` under its name, handing its bytes to `feed` on the way.
fn append_hashed(
    builder: &mut tar::Builder<&mut dyn Write>,
    path: &Path,
    feed: impl FnMut(&[u8]),
) -> Result<(), BackupError> {
    let reading = |e| BackupError::io(format!("reading `{}`", path.display()), e);
    let file = std::fs::File::open(path).map_err(reading)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(file.metadata().map_err(reading)?.len());
    header.set_mode(0o600);
    let mut hashing = HashingReader { input: file, feed };
    builder
        .append_data(
            &mut header,
            path.file_name().unwrap_or_default(),
            &mut hashing,
        )
        .map_err(|e| BackupError::io("writing the backup", e))
}

/// A reader that hands what passes through it to `feed`.
struct HashingReader<R, F> {
    input: R,
    feed: F,
}

impl<R: Read, F: FnMut(&[u8])> Read for HashingReader<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.input.read(buf)?;
        (self.feed)(&buf[..read]);
        Ok(read)
    }
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

/// The kind [`OBJECTS_QUERY`] gives a schema's privileges and comment.
const SCHEMA_STATE: &str = "privileges and comment of schema";

/// Every object a restore can create, as `(kind, identity)`: what has an OID of its own from
/// after initdb in the catalogs pg_dump writes to, except the parts of another object (indexes,
/// array and row types, owned sequences, extension members: `pg_depend` kinds `a`, `i`, `e`)
/// and other sessions' temporary schemas and tables. Also each schema's privileges and
/// comment, which a dump may set on a schema that exists (`public`): nothing to drop, but a
/// change shows when the listings are compared.
const OBJECTS_QUERY: &str = "\
WITH objects(classid, objid) AS (
  SELECT 'pg_namespace'::regclass, oid FROM pg_namespace
  UNION ALL SELECT 'pg_class'::regclass, oid FROM pg_class WHERE relpersistence <> 't'
  UNION ALL SELECT 'pg_type'::regclass, oid FROM pg_type
  UNION ALL SELECT 'pg_proc'::regclass, oid FROM pg_proc
  UNION ALL SELECT 'pg_extension'::regclass, oid FROM pg_extension
  UNION ALL SELECT 'pg_largeobject'::regclass, oid FROM pg_largeobject_metadata
  UNION ALL SELECT 'pg_collation'::regclass, oid FROM pg_collation
  UNION ALL SELECT 'pg_conversion'::regclass, oid FROM pg_conversion
  UNION ALL SELECT 'pg_operator'::regclass, oid FROM pg_operator
  UNION ALL SELECT 'pg_opfamily'::regclass, oid FROM pg_opfamily
  UNION ALL SELECT 'pg_opclass'::regclass, oid FROM pg_opclass
  UNION ALL SELECT 'pg_ts_config'::regclass, oid FROM pg_ts_config
  UNION ALL SELECT 'pg_ts_dict'::regclass, oid FROM pg_ts_dict
  UNION ALL SELECT 'pg_ts_parser'::regclass, oid FROM pg_ts_parser
  UNION ALL SELECT 'pg_ts_template'::regclass, oid FROM pg_ts_template
  UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid FROM pg_foreign_data_wrapper
  UNION ALL SELECT 'pg_foreign_server'::regclass, oid FROM pg_foreign_server
  UNION ALL SELECT 'pg_event_trigger'::regclass, oid FROM pg_event_trigger
  UNION ALL SELECT 'pg_publication'::regclass, oid FROM pg_publication
  UNION ALL SELECT 'pg_cast'::regclass, oid FROM pg_cast
  UNION ALL SELECT 'pg_language'::regclass, oid FROM pg_language
)
SELECT i.type, i.identity
FROM objects o, pg_identify_object(o.classid, o.objid, 0) i
WHERE o.objid >= 16384
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.classid
                  AND d.objid = o.objid AND d.deptype IN ('a', 'i', 'e'))
  AND NOT (o.classid = 'pg_namespace'::regclass AND i.identity ~ '^pg_(toast_)?temp_')
UNION ALL
SELECT 'privileges and comment of schema',
       quote_ident(n.nspname) || ': ' || coalesce(n.nspacl::text, 'default') || ', '
       || coalesce(quote_literal(obj_description(n.oid, 'pg_namespace')), 'no comment')
FROM pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1, 2";

/// A user table whose rows a backup holds.
struct TableName {
    schema: String,
    table: String,
    /// Bytes on disk, to read the largest tables first.
    size: i64,
}

impl TableName {
    /// The name in the manifest, and in [`StreamedTables`].
    fn key(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }

    fn stats(&self, rows: u64, sum: u128) -> TableStats {
        TableStats {
            name: self.key(),
            rows,
            fingerprint: format!("{sum:032x}"),
        }
    }
}

/// Every table holding rows, as pg_dump dumps them: plain tables and partitions (a partitioned
/// table has no rows of its own), without the tables of extensions.
fn user_tables<C: GenericClient>(
    pg: &PgUrl,
    client: &mut C,
) -> Result<Vec<TableName>, BackupError> {
    let rows = client
        .query(
            "SELECT n.nspname, c.relname, pg_relation_size(c.oid) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
                               AND d.objid = c.oid AND d.deptype = 'e') \
             ORDER BY 1, 2",
            &[],
        )
        .map_err(|e| pg.error(&e))?;
    Ok(rows
        .iter()
        .map(|row| TableName {
            schema: row.get(0),
            table: row.get(1),
            size: row.get(2),
        })
        .collect())
}

fn large_objects_entry(count: u64, sum: u128) -> TableStats {
    TableStats {
        name: LARGE_OBJECTS.to_owned(),
        rows: count,
        fingerprint: format!("{sum:032x}"),
    }
}

/// The large objects' entry in the table stats, read one object at a time; `None` when the
/// database has none (its manifest then lists only tables).
fn large_object_stats<C: GenericClient>(
    pg: &PgUrl,
    client: &mut C,
) -> Result<Option<TableStats>, BackupError> {
    let oids = client
        .query("SELECT oid FROM pg_largeobject_metadata ORDER BY oid", &[])
        .map_err(|e| pg.error(&e))?;
    let mut hasher = LargeObjectHasher::default();
    for row in oids {
        let oid: postgres::types::Oid = row.get(0);
        let bytes: Vec<u8> = client
            .query_one("SELECT lo_get($1)", &[&oid])
            .map_err(|e| pg.error(&e))?
            .get(0);
        hasher.start(i64::from(oid));
        hasher.feed(&bytes);
        hasher.end();
    }
    Ok(hasher
        .finish()
        .map(|(count, sum)| large_objects_entry(count, sum)))
}

/// A table's stats from `COPY ... TO STDOUT` on `client` (set up by [`set_stable_text`]).
fn copy_stats<C: GenericClient>(
    pg: &PgUrl,
    client: &mut C,
    name: &TableName,
) -> Result<TableStats, BackupError> {
    let query = format!(
        "COPY {}.{} TO STDOUT",
        quote_ident(&name.schema),
        quote_ident(&name.table)
    );
    let mut copy = client.copy_out(query.as_str()).map_err(|e| pg.error(&e))?;
    let mut hasher = RowHasher::default();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match copy.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => hasher.feed(&buffer[..read]),
            Err(e) => return Err(BackupError::io(format!("reading {}", name.key()), e)),
        }
    }
    let (rows, sum) = hasher.finish();
    Ok(name.stats(rows, sum))
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The `pg_dump` and `pg_restore` for the server of `client` (see [`client_tools`]).
fn server_tools(pg: &PgUrl, client: &mut postgres::Client) -> Result<ClientTools, BackupError> {
    let version_num: String = client
        .query_one("SHOW server_version_num", &[])
        .map_err(|e| pg.error(&e))?
        .get(0);
    let major = client_tools::server_major(&version_num).ok_or_else(|| {
        BackupError::Query(format!("unexpected server_version_num `{version_num}`"))
    })?;
    client_tools::for_server(major)
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
    use drydock_test_support::TestDb;

    /// Tables whose COPY text depends on session settings, with the database's defaults set to
    /// the opposite of what the stats read with.
    fn fill_awkward(db: &TestDb) {
        let mut client = db.postgres_client();
        client
            .batch_execute(&format!(
                "ALTER DATABASE {} SET TimeZone = 'Asia/Kolkata';
                 ALTER DATABASE {0} SET bytea_output = 'escape';
                 ALTER DATABASE {0} SET DateStyle = 'SQL, DMY';
                 ALTER DATABASE {0} SET IntervalStyle = 'iso_8601';
                 ALTER DATABASE {0} SET extra_float_digits = 0;",
                quote_ident(&db.name())
            ))
            .unwrap();
        client
            .batch_execute(
                r#"CREATE TABLE kinds (id int, f4 real, f8 double precision, at timestamptz,
                       day date, span interval, bin bytea, amount numeric, tags text[], doc jsonb);
                 INSERT INTO kinds VALUES
                   (1, 0.1, 1e-300, '2024-02-29 23:59:59.123456+00', '2024-02-29', '1 year 2 mons 3 days 04:05:06.7',
                    '\x00ff5c0a', 1.10, '{a,"b c",NULL}', '{"k": [1, "x\ty"]}'),
                   (2, 'NaN', '-Infinity', 'infinity', '-infinity', '-1 day', '', -0.0, '{}', 'null'),
                   (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
                 CREATE TABLE lines (value text);
                 INSERT INTO lines VALUES (''), (''), ('\.'), ('.'), (E'tab\there'), (E'new\nline'), (E'back\\slash'), (NULL);
                 CREATE TABLE empty (id int);
                 CREATE SCHEMA "Odd ""Schema""";
                 CREATE TABLE "Odd ""Schema"""."a table" (id int, "weird col" text);
                 INSERT INTO "Odd ""Schema"""."a table" VALUES (1, 'zoë ✓ 日本');
                 CREATE TABLE measures (id int, at date NOT NULL, v int) PARTITION BY RANGE (at);
                 CREATE TABLE measures_2023 PARTITION OF measures FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
                 CREATE TABLE measures_2024 (v int, at date NOT NULL, id int);
                 ALTER TABLE measures ATTACH PARTITION measures_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                 INSERT INTO measures SELECT g, date '2023-06-01' + g * 3, g FROM generate_series(1, 150) g;
                 CREATE TABLE derived (id int, doubled int GENERATED ALWAYS AS (id * 2) STORED, gone text);
                 INSERT INTO derived (id, gone) SELECT g, 'x' FROM generate_series(1, 5) g;
                 ALTER TABLE derived DROP COLUMN gone;
                 SELECT lo_from_bytea(0, 'a large object');"#,
            )
            .unwrap();
    }

    #[test]
    fn list_settings_come_back_one_literal_per_element() {
        assert_eq!(
            setting_value("search_path", r#""$user", public, "a ""b"" c""#),
            r#"'$user', 'public', 'a "b" c'"#
        );
        assert_eq!(setting_value("work_mem", "64MB"), "'64MB'");
        assert_eq!(setting_value("application_name", "it's, x"), "'it''s, x'");
    }

    #[test]
    fn the_stats_hashed_from_the_dump_stream_equal_a_read_of_each_table() {
        let db = TestDb::postgres();
        fill_awkward(&db);
        let pg = parse_url(db.url()).unwrap();
        let read = Postgres.table_stats(db.url()).unwrap();
        let names: Vec<&str> = read.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Odd \"Schema\".a table",
                "pg_catalog.pg_largeobject",
                "public.derived",
                "public.empty",
                "public.kinds",
                "public.lines",
                "public.measures_2023",
                "public.measures_2024",
            ]
        );
        assert_eq!(read[1].rows, 1);
        assert_eq!(read[5].rows, 8);

        let mut client = pg.session(&pg.database).unwrap();
        let tools = server_tools(&pg, &mut client).unwrap();
        let mut transaction = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .unwrap();
        let snapshot: String = transaction
            .query_one("SELECT pg_export_snapshot()", &[])
            .unwrap()
            .get(0);
        let mut custom = Vec::new();
        let from_custom = run_pg_dump(&pg, &tools, &snapshot, &mut custom).unwrap();
        let mut directory = Vec::new();
        let options = JobOptions {
            jobs: 2,
            work_dir: tempfile::tempdir().unwrap().keep(),
        };
        let from_directory =
            run_pg_dump_directory(&pg, &tools, &snapshot, &options, &mut directory).unwrap();
        let _ = std::fs::remove_dir_all(&options.work_dir);
        for streamed in [from_custom, from_directory] {
            let mut streamed: Vec<TableStats> = streamed
                .into_iter()
                .map(|(name, (rows, sum))| TableStats {
                    name,
                    rows,
                    fingerprint: format!("{sum:032x}"),
                })
                .collect();
            streamed.sort_by(|a, b| a.name.cmp(&b.name));
            assert_eq!(streamed, read);
        }
    }
}
