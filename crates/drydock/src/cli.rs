//! Command-line definitions. Flags follow Prisma's spellings, so scripts written for
//! `prisma migrate` work with `drydock migrate`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "drydock",
    version,
    about = "Safe, fast, boring database migrations (Prisma-compatible)"
)]
pub(crate) struct Cli {
    /// The schema: a `.prisma` file or a folder of them [default: the Prisma config file's
    /// `schema`, else package.json's `prisma.schema`, else schema.prisma, prisma/schema.prisma,
    /// prisma/schema/]
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) schema: Option<PathBuf>,

    /// The Prisma config file [default: prisma7.config.ts, prisma.config.ts and the other names
    /// Prisma 7 looks for, in the working folder]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Start a project as `prisma init` 7.10 does: `prisma7.config.ts`, `prisma/schema.prisma`,
    /// `.env` and `.gitignore` (SQLite unless told otherwise)
    Init {
        /// The database: sqlite, postgresql
        #[arg(long, default_value = "sqlite", value_name = "PROVIDER")]
        datasource_provider: String,
        /// The connection URL written to `.env` [default: a SQLite file, or a local PostgreSQL URL]
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// The Prisma layout: 7 (a config file holds the URL) or 6 (the URL in the schema, no
        /// config file)
        #[arg(long, default_value_t = 7, value_name = "MAJOR", value_parser = clap::value_parser!(u8).range(5..=7))]
        prisma_version: u8,
    },
    /// Check that the schema is valid
    Validate,
    /// Format the schema files in place
    Format {
        /// Only check; exit 1 when a file is not formatted
        #[arg(long)]
        check: bool,
    },
    /// Create, apply and inspect migrations
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Work on the database directly, without migrations
    #[command(subcommand)]
    Db(DbCommand),
    /// Check migrations for data loss, long locks and rewrites, changes that break running app
    /// versions, transaction mistakes and vague names; exit 1 on any error
    Lint(LintArgs),
    /// Check that a deploy can go ahead: connection, privileges, pending and failed migrations,
    /// lint findings against live table sizes, disk space, other sessions' locks and long
    /// transactions, connection poolers; exit 1 when a check fails
    Preflight(PreflightArgs),
    /// A pipeline's checks on a throwaway database: the schema validates and is formatted, every
    /// migration applies from empty, no schema change lacks its migration, each new down.sql
    /// goes down and up again, new migrations pass lint; its own exit code per failure
    /// (docs/ci.md)
    Ci(CiArgs),
    /// Back up, verify by test restores, restore and prune database backups
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Run the `[[schedule]]` jobs of drydock.toml (cron expressions, UTC): in the foreground,
    /// one now, or as crontab lines
    Schedule(ScheduleArgs),
    /// The run log: every recorded task run, newest first, with who ran it, when, for how long,
    /// and how it ended; `drydock runs show ID` for one run with its whole log
    Runs(RunsArgs),
    /// The audit log of schema changes, newest first: who changed what and when, and how it
    /// ended (drydock's own changes; on PostgreSQL after `drydock audit install` also DDL run
    /// outside drydock); `--verify` checks its hash chain
    Audit(AuditArgs),
    /// Index advice: unused, duplicate, redundant and invalid indexes, bloat, foreign keys
    /// without an index, and indexes slow statements call for; proposes the schema edit
    /// (`@@index` lines) and migrations (`CREATE/DROP INDEX CONCURRENTLY`), `--write` writes them
    Indexes(IndexesArgs),
    /// Orphaned rows found through the schema's relations (with or without foreign keys):
    /// counted with sample keys; `--apply` archives them, then deletes or unlinks them as each
    /// relation's onDelete says; `drydock cleanup restore ARCHIVE` puts them back
    Cleanup(CleanupArgs),
    /// Monitoring: top queries, connections, cache hit ratios, long transactions, lock waits
    /// with their blocking chain, sizes and growth, vacuum, dead rows, replication lag, held to
    /// the thresholds of drydock.toml; exit 1 on a finding at or above `--fail-on`
    Stats(StatsArgs),
    /// Check the database's health and its data against the schema and the rules of
    /// drydock.toml; exit 1 when a finding at or above --fail-on is found (docs/check.md)
    Check(CheckArgs),
    /// The maintenance dashboard: pages, a JSON API, health probes and Prometheus metrics in one
    /// process, for the users and tokens of `[serve]` in drydock.toml (docs/serve.md)
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on [default: `[serve] listen`, else 127.0.0.1:7878]
    #[arg(long, value_name = "ADDRESS")]
    pub(crate) listen: Option<String>,
    /// Serve HTTPS with this certificate chain (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<std::path::PathBuf>,
    /// A TLS proxy in front names the client in X-Forwarded-For; cookies are sent `Secure`
    #[arg(long)]
    pub(crate) trust_proxy: bool,
    /// Run none of the `[[schedule]]` jobs in this instance (other instances still may)
    #[arg(long)]
    pub(crate) no_schedule: bool,
    /// Read a password or token on standard input, print its argon2 hash for drydock.toml, and
    /// exit
    #[arg(long, conflicts_with_all = ["listen", "tls_cert", "tls_key", "trust_proxy", "no_schedule"])]
    pub(crate) hash_password: bool,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub(crate) struct IndexesArgs {
    /// A replica whose index use counts too (repeatable): an index used on one is not unused
    #[arg(long, value_name = "URL")]
    pub(crate) replica: Vec<String>,
    /// Unused indexes smaller than this are left out (`10MB`, `512kB`, `0`)
    #[arg(long, value_name = "SIZE", default_value = "10MB", value_parser = parse_size)]
    pub(crate) min_size: u64,
    /// Indexes with less estimated bloat are left out
    #[arg(long, value_name = "SIZE", default_value = "100MB", value_parser = parse_size)]
    pub(crate) bloat_size: u64,
    /// Statements averaging at least this many milliseconds get index suggestions...
    #[arg(long, value_name = "MS", default_value_t = drydock_maintenance::indexes::DEFAULT_SLOW_QUERY_MS)]
    pub(crate) slow_query_ms: f64,
    /// ...when they ran at least this many times
    #[arg(long, value_name = "N", default_value_t = drydock_maintenance::indexes::DEFAULT_SLOW_QUERY_CALLS)]
    pub(crate) slow_query_calls: u64,
    /// Apply the schema edit and write the migrations (the database is not touched)
    #[arg(long)]
    pub(crate) write: bool,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Store a snapshot of sizes, counters and query statistics for trends (old ones past
    /// `[stats] retention` are deleted)
    #[arg(long)]
    pub(crate) snapshot: bool,
    /// Exit 1 when a finding of this severity or higher is found: info, warning, error, never
    #[arg(long, value_name = "LEVEL", default_value = "warning", value_parser = ["info", "warning", "error", "never"])]
    pub(crate) fail_on: String,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct CleanupArgs {
    #[command(subcommand)]
    pub(crate) command: Option<CleanupCommand>,
    /// Archive the orphans, then delete or unlink them (a dry run without it)
    #[arg(long)]
    pub(crate) apply: bool,
    /// Only this relation (`Model.field`) or the relations of this table; repeatable
    #[arg(long, value_name = "RELATION")]
    pub(crate) only: Vec<String>,
    /// What to do with the orphans of relations whose onDelete is Restrict, NoAction or
    /// SetDefault: delete, set-null
    #[arg(long, value_name = "ACTION", value_parser = ["delete", "set-null"])]
    pub(crate) action: Option<String>,
    /// Rows per batch, each batch in its own transaction
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) batch_size: u64,
    /// How long a batch waits for a row lock before it is tried again
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = humantime::parse_duration)]
    pub(crate) lock_timeout: std::time::Duration,
    /// Where archives are written
    #[arg(long, value_name = "DIR", default_value = "backups/cleanup")]
    pub(crate) archive_dir: std::path::PathBuf,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Report only findings with this code (repeat for several)
    #[arg(long, value_name = "CODE")]
    pub(crate) only: Vec<String>,
    /// Exit 1 when a finding at or above this severity is found
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Warning)]
    pub(crate) fail_on: FailOn,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// A size in bytes: a number with an optional unit (`B`, `kB`, `MB`, `GB`, `TB`, powers of
/// 1024 as PostgreSQL counts them).
fn parse_size(value: &str) -> Result<u64, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{value}` is not a size (like 10MB)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1 << 10,
        "m" | "mb" => 1 << 20,
        "g" | "gb" => 1 << 30,
        "t" | "tb" => 1 << 40,
        _ => return Err(format!("`{value}`: the unit is one of B, kB, MB, GB, TB")),
    };
    Ok((number * factor as f64) as u64)
}

#[derive(Debug, Subcommand)]
pub(crate) enum CleanupCommand {
    /// Put the rows of a cleanup archive back: deleted rows inserted, unlinked references set
    /// again, in one transaction
    Restore {
        /// The archive (`*.cleanup.jsonl.zst`) or its manifest (`*.cleanup.json`)
        #[arg(value_name = "ARCHIVE")]
        archive: std::path::PathBuf,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct RunsArgs {
    #[command(subcommand)]
    pub(crate) command: Option<RunsCommand>,
    /// Only runs of this task (`backup` selects every `backup ...` task)
    #[arg(long, value_name = "TASK")]
    pub(crate) task: Option<String>,
    /// Only runs started since then: a date (`2026-12-01`, UTC), a time (RFC 3339), or an age
    /// (`7d`, `12h`)
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub(crate) since: Option<chrono::DateTime<chrono::Utc>>,
    /// At most this many runs
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub(crate) limit: usize,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RunsCommand {
    /// One run with its parameters and its whole log
    Show {
        /// The run's id, or the start of it that only one run has
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) command: Option<AuditCommand>,
    /// Only entries since then: a date (`2026-12-01`, UTC), a time (RFC 3339), or an age
    /// (`7d`, `12h`)
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub(crate) since: Option<chrono::DateTime<chrono::Utc>>,
    /// At most this many entries
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub(crate) limit: usize,
    /// Check the hash chain of the whole log: exit 1 with D3200 naming the first entry edited,
    /// deleted or replaced
    #[arg(long)]
    pub(crate) verify: bool,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// PostgreSQL: install an event trigger that records DDL run outside drydock (who, from
    /// where, the statement) in the audit log; needs a superuser
    Install {
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Remove the event trigger of `drydock audit install`
    Uninstall {
        #[command(flatten)]
        connection: ConnectionArgs,
    },
}

/// `--since`: a date, an RFC 3339 time, or an age before now.
fn parse_since(value: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::{DateTime, NaiveDate, Utc};
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let age = humantime::parse_duration(value).map_err(|_| {
        format!(
            "`{value}` is not a date (2026-12-01), a time (2026-12-01T08:00:00Z) or an age \
             (7d, 12h)"
        )
    })?;
    chrono::Duration::from_std(age)
        .ok()
        .and_then(|age| Utc::now().checked_sub_signed(age))
        .ok_or_else(|| format!("the age `{value}` reaches before any date"))
}

#[derive(Debug, Subcommand)]
pub(crate) enum BackupCommand {
    /// Back up the database: a compressed (optionally encrypted) dump and its manifest
    Create {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        store: BackupStoreArgs,
        /// zstd compression level (1-19)
        #[arg(long, value_name = "N", default_value_t = drydock_backup::DEFAULT_COMPRESSION_LEVEL, value_parser = clap::value_parser!(i32).range(1..=19))]
        compression_level: i32,
        /// PostgreSQL: parallel jobs, N or `auto` (= 0: one per core); above 1, the dump is
        /// `pg_dump -Fd -j N`, stored as one file. Other databases ignore it
        #[arg(long, value_name = "N", default_value = "1", value_parser = parse_jobs)]
        jobs: u32,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Check a backup's checksum, then restore it into a scratch database next to the datasource
    /// and compare every table with the manifest
    Verify {
        /// The backup: its id or file [default: the newest]
        #[arg(value_name = "BACKUP")]
        backup: Option<String>,
        /// Only check the stored file; no restore test
        #[arg(long)]
        checksum_only: bool,
        /// PostgreSQL: parallel jobs, N or `auto` (= 0: one per core); above 1, the restore
        /// test of a backup made with `--jobs` runs `pg_restore -j N`. Other databases ignore it
        #[arg(long, value_name = "N", default_value = "1", value_parser = parse_jobs)]
        jobs: u32,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        store: BackupStoreArgs,
    },
    /// Restore a backup into a database (new or empty unless --force)
    Restore {
        /// The backup: its id or file [default: the newest restore-tested one]
        #[arg(value_name = "BACKUP")]
        backup: Option<String>,
        /// The database to restore into [default: the schema's datasource]
        #[arg(long, value_name = "URL")]
        to: Option<String>,
        /// Replace a database that has tables (a safety backup of it is taken first)
        #[arg(long)]
        force: bool,
        /// Restore a backup that has not passed a restore test
        #[arg(long)]
        allow_unverified: bool,
        /// PostgreSQL: parallel jobs, N or `auto` (= 0: one per core); above 1, a backup made
        /// with `--jobs` is restored with `pg_restore -j N` (and a safety backup taken with
        /// `pg_dump -Fd -j N`). Other databases ignore it
        #[arg(long, value_name = "N", default_value = "1", value_parser = parse_jobs)]
        jobs: u32,
        #[command(flatten)]
        store: BackupStoreArgs,
    },
    /// List backups, newest first
    List {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        store: BackupStoreArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Delete old backups (dry run unless --apply); the newest restore-tested one is always kept
    Prune {
        /// Keep the newest N backups
        #[arg(long, value_name = "N", default_value_t = 0)]
        keep_last: usize,
        /// Keep the newest backup of each of the last D days that have one
        #[arg(long, value_name = "D", default_value_t = 0)]
        keep_daily: usize,
        /// Keep the newest backup of each of the last W weeks that have one
        #[arg(long, value_name = "W", default_value_t = 0)]
        keep_weekly: usize,
        /// Delete backups older than this (e.g. 28d), whatever the keep rules say
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
        max_age: Option<std::time::Duration>,
        /// Delete; without it, only print what would be deleted
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        store: BackupStoreArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("mode").multiple(false))]
pub(crate) struct ScheduleArgs {
    /// List the jobs and their next three run times, then exit
    #[arg(long, group = "mode")]
    pub(crate) list: bool,
    /// Print the jobs as crontab lines, then exit
    #[arg(long, group = "mode")]
    pub(crate) print_crontab: bool,
    /// Run this job once, now, and exit with its exit code
    #[arg(long, value_name = "NAME", group = "mode")]
    pub(crate) run_now: Option<String>,
    /// Exit after N job runs
    #[arg(long, value_name = "N", conflicts_with = "mode", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_runs: Option<u64>,
    /// The file each run is logged to [default: schedule.log in the `[backup] dir` of
    /// drydock.toml, else ./drydock-schedule.log]
    #[arg(long, value_name = "FILE")]
    pub(crate) log: Option<PathBuf>,
    /// Print the list as JSON
    #[arg(long, requires = "list")]
    pub(crate) json: bool,
}

/// `--jobs`: a count, or `auto` (also `0`) for one job per core.
fn parse_jobs(value: &str) -> Result<u32, String> {
    let jobs = if value == "auto" {
        0
    } else {
        value
            .parse::<u32>()
            .map_err(|_| format!("`{value}` is not a number of jobs (or `auto`)"))?
    };
    if jobs > 0 {
        return Ok(jobs);
    }
    Ok(std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(1)))
}

#[derive(Debug, Args)]
pub(crate) struct BackupStoreArgs {
    /// The backups folder [default: `[backup] dir` of drydock.toml, else ./backups]
    #[arg(long = "dir", value_name = "DIR")]
    pub(crate) dir_flag: Option<PathBuf>,
    /// The environment variable holding the passphrase that encrypts (create) or decrypts
    /// (verify, restore) backups
    #[arg(long, value_name = "VAR")]
    pub(crate) passphrase_env: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CiArgs {
    /// The database next to which the throwaway one is made, overriding the schema's
    /// datasource
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
    /// The throwaway database itself, overriding the datasource's `shadowDatabaseUrl`
    #[arg(long, value_name = "URL")]
    pub(crate) shadow_database_url: Option<String>,
    /// Check the down files and lint of the migrations added since this git revision (e.g.
    /// origin/main) [default: all migrations]
    #[arg(long, value_name = "REVISION")]
    pub(crate) since: Option<String>,
    /// Print the result as JSON
    #[arg(long, conflicts_with = "format")]
    pub(crate) json: bool,
    /// Output format [default: github when GITHUB_ACTIONS=true, else text]
    #[arg(long, value_enum)]
    pub(crate) format: Option<CiFormat>,
}

/// How `drydock ci` prints its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CiFormat {
    /// One line per check, then the problems
    Text,
    /// GitHub Actions workflow annotations, then the lines of `text`
    Github,
}

#[derive(Debug, Args)]
pub(crate) struct PreflightArgs {
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Tables with fewer rows than this are small for the lint check
    #[arg(long, value_name = "N", default_value_t = drydock_lint::DEFAULT_MAX_ROWS)]
    pub(crate) max_rows: u64,
    /// Warn about other sessions' transactions open longer than this many seconds
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = drydock_engine::DEFAULT_MAX_TRANSACTION_AGE.as_secs()
    )]
    pub(crate) max_transaction_age: u64,
    /// Exit 1 on warnings too
    #[arg(long)]
    pub(crate) warnings_as_errors: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Migration files, migration folders or migrations folders [default: the project's
    /// migrations folder]
    #[arg(value_name = "PATHS")]
    pub(crate) paths: Vec<PathBuf>,
    /// Read the server version and table sizes from this database (production's, or a copy):
    /// index builds and rewrites on small tables become notes
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub(crate) format: LintFormat,
    /// Tables with fewer rows than this (per --url) are small
    #[arg(long, value_name = "N", default_value_t = drydock_lint::DEFAULT_MAX_ROWS)]
    pub(crate) max_rows: u64,
    /// Exit 1 on warnings too
    #[arg(long)]
    pub(crate) warnings_as_errors: bool,
    /// Who applies the migrations: `drydock` sets `lock_timeout` (`lock_wait_timeout` on MySQL)
    /// itself, so the rules asking each file to set it are off; `prisma` runs files as they
    /// are [default: `[lint] deployed_by`, else drydock for a project's migrations, prisma
    /// for loose files]
    #[arg(long, value_enum, value_name = "TOOL")]
    pub(crate) deployed_by: Option<DeployedBy>,
    /// Same as `--deployed-by drydock`
    #[arg(long, hide = true, conflicts_with = "deployed_by")]
    pub(crate) deployed_by_drydock: bool,
    /// Only the migrations not applied on `--url` (or the project's database)
    #[arg(long, conflicts_with_all = ["paths", "since"])]
    pub(crate) pending: bool,
    /// Only the migrations added since the merge base of this git revision and HEAD
    /// (committed or not), e.g. `origin/main`
    #[arg(long, value_name = "REVISION", conflicts_with = "paths")]
    pub(crate) since: Option<String>,
    /// Leave out the findings this file accepts [default: `[lint] baseline`]
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Write every finding of this run to the baseline file (`--baseline`, else `[lint]
    /// baseline`) as accepted, and exit 0
    #[arg(long)]
    pub(crate) write_baseline: bool,
    /// Rewrite what has a safe form, in migrations the database (`--url`, else the project's)
    /// has not applied: index builds become `CONCURRENTLY` migrations of their own, foreign keys
    /// and checks `NOT VALID` with a later `VALIDATE`, a lock timeout set; shows the diff first
    #[arg(long, conflicts_with = "write_baseline")]
    pub(crate) fix: bool,
    /// With `--fix`: write without asking
    #[arg(long, requires = "fix")]
    pub(crate) yes: bool,
}

/// Who applies a project's migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DeployedBy {
    Drydock,
    Prisma,
}

/// How `drydock lint` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LintFormat {
    /// Diagnostics with snippets, for people
    Text,
    /// One JSON document (docs/json-output.md)
    Json,
    /// GitHub Actions workflow annotations
    Github,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Write the schema from the database's tables and enums (introspection)
    Pull {
        /// Print the schema to standard output instead of writing the schema file
        #[arg(long)]
        print: bool,
        /// Ignore the existing schema: drop its comments, keep only its datasource and generators
        #[arg(long)]
        force: bool,
        /// Introspect only these database schemas (PostgreSQL, comma-separated), instead of the
        /// datasource's `schemas` or the URL's schema
        #[arg(long, value_name = "a,b", value_delimiter = ',')]
        schemas: Vec<String>,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Make the database match the schema without migrations (prototyping)
    Push {
        /// Apply changes that lose data without asking
        #[arg(long)]
        accept_data_loss: bool,
        /// Drop everything in the database first
        #[arg(long)]
        force_reset: bool,
        /// Accepted as Prisma 5/6 do: drydock generates no client
        #[arg(long)]
        skip_generate: bool,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Seed the database: the seed command of package.json (`"prisma": {"seed": ...}`), then the
    /// SQL files of `seed/common/` and `seed/<environment>/` next to the schema, each applied once
    Seed {
        /// The seed set to apply besides `common` [default: $DRYDOCK_ENV, else development]
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        #[command(flatten)]
        connection: ConnectionArgs,
        /// Arguments passed on to the seed command (after `--`)
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run a SQL script against the database, in one transaction unless it cannot be; not
    /// recorded in the migration history
    Execute {
        /// The script to run
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "stdin",
            required_unless_present = "stdin"
        )]
        file: Option<PathBuf>,
        /// Read the script from standard input
        #[arg(long)]
        stdin: bool,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum MigrateCommand {
    /// Create a migration from changes in the schema, apply it, and apply pending ones (development)
    Dev {
        /// Name of the new migration
        #[arg(short, long)]
        name: Option<String>,
        /// Write the migration without applying it
        #[arg(long)]
        create_only: bool,
        /// Apply changes that lose data without asking
        #[arg(long)]
        accept_data_loss: bool,
        /// Write the change as phased migrations (expand, backfill, validate, contract) that
        /// keep a busy production database writable
        #[arg(long)]
        zero_downtime: bool,
        #[command(flatten)]
        prisma6: Prisma6Args,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Apply pending migrations (production, CI)
    Deploy {
        #[command(flatten)]
        safety: DeployArgs,
        #[command(flatten)]
        plan: PlanArgs,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Compare the migrations folder with the database's history; exit 0 only when up to date
    Status {
        /// Also compare the database with what its applied migrations produce (replayed on a
        /// shadow database), and list every difference
        #[arg(long)]
        drift: bool,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Mark a failed migration as rolled back, or a migration as applied (baselining); finish
    /// or undo a migration that failed halfway outside a transaction
    #[command(group = clap::ArgGroup::new("resolve_mode").required(true).multiple(false))]
    Resolve {
        /// Record the migration as applied without running it
        #[arg(long, value_name = "MIGRATION", group = "resolve_mode")]
        applied: Option<String>,
        /// Mark a failed migration as rolled back
        #[arg(long, value_name = "MIGRATION", group = "resolve_mode")]
        rolled_back: Option<String>,
        /// Run the rest of a migration that failed halfway, from the statement where it
        /// stopped, with its current migration.sql (the failed statement may be corrected;
        /// the statements that completed must be unchanged)
        #[arg(long, value_name = "MIGRATION", group = "resolve_mode")]
        finish: Option<String>,
        /// Undo the statements of a migration that failed halfway that completed (the undo is
        /// computed and checked on a shadow database) and mark it rolled back
        #[arg(long, value_name = "MIGRATION", group = "resolve_mode")]
        undo: Option<String>,
        /// With --undo: run an undo that drops tables or columns without refusing
        #[arg(long, requires = "undo")]
        accept_data_loss: bool,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Roll back applied migrations with their down.sql, newest first
    Down {
        /// How many migrations to roll back
        #[arg(long, value_name = "N", conflicts_with = "to", default_value_t = 1)]
        steps: usize,
        /// Roll back every migration applied after this one (it stays applied)
        #[arg(long, value_name = "MIGRATION")]
        to: Option<String>,
        /// Run down migrations that lose data without refusing
        #[arg(long)]
        accept_data_loss: bool,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Start the history of a database that has tables but no migrations: write the first
    /// migration from the database and mark it applied
    Baseline {
        /// Name of the first migration
        #[arg(short, long, default_value = "baseline")]
        name: String,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Replace a range of applied migrations with one that has the same result (checked on
    /// shadow databases), and update the history
    Squash {
        /// First migration of the range [default: the first migration]
        #[arg(long, value_name = "MIGRATION")]
        from: Option<String>,
        /// Last migration of the range; the squashed migration takes its name
        #[arg(long, value_name = "MIGRATION")]
        to: String,
        /// The folder already holds the squashed migration: only record the squash in this
        /// database's history (for databases other than the one the squash was made on)
        #[arg(long)]
        history_only: bool,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Move a migration no database applied after the newest one (after merging a branch): a
    /// new timestamp, its SQL checked on a shadow database after the others and generated again
    /// when it no longer fits
    Rebase {
        /// The migration: its folder name, or its name after the timestamp
        migration: String,
        /// Give it this name instead (slugified as `migrate dev --name` does)
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Write the integrity file `drydock.sum` (a hash chain of the migrations) from the
    /// migrations folder as it is, after reviewing a change to it
    Hash,
    /// Drop everything in the database and apply all migrations again (development)
    Reset {
        /// Skip the confirmation prompt
        #[arg(short, long)]
        force: bool,
        #[command(flatten)]
        prisma6: Prisma6Args,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Compare two schema sources and print the difference (a summary, or SQL with --script)
    Diff(DiffArgs),
}

/// How `migrate deploy` protects a live database.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// How long a statement may wait for a lock before it gives up and is retried (`0`: wait
    /// as long as the server's setting allows)
    #[arg(long, value_name = "DURATION", default_value = "1s", env = "DRYDOCK_LOCK_TIMEOUT", value_parser = parse_limit)]
    pub(crate) lock_timeout: Limit,
    /// How long one statement may run (`0`: the server's setting)
    #[arg(long, value_name = "DURATION", default_value = "0", env = "DRYDOCK_STATEMENT_TIMEOUT", value_parser = parse_limit)]
    pub(crate) statement_timeout: Limit,
    /// Retries of a statement (in a transaction: of its migration) after a lock timeout
    #[arg(long, value_name = "N", default_value_t = drydock_engine::migrate::DEFAULT_LOCK_RETRIES, env = "DRYDOCK_LOCK_RETRIES")]
    pub(crate) lock_retries: u32,
    /// Pause before the first retry; it doubles with each retry, up to 10 s
    #[arg(long, value_name = "DURATION", default_value = "250ms", value_parser = humantime::parse_duration)]
    pub(crate) retry_delay: std::time::Duration,
    /// Also apply contract migrations (`-- drydock:contract`), which remove what old application
    /// versions still use: run it once the new version is fully rolled out
    #[arg(long)]
    pub(crate) contract: bool,
    /// Review the pending migrations with the linter and live table sizes first: `auto` stops
    /// for long locks and rewrites on large tables, `strict` for any error, `warn` never
    #[arg(long, value_enum, value_name = "MODE", default_value_t = DeployLint::Auto, env = "DRYDOCK_DEPLOY_LINT")]
    pub(crate) lint: DeployLint,
    /// Tables with fewer rows count as small for the review
    #[arg(long, value_name = "N", default_value_t = drydock_lint::DEFAULT_MAX_ROWS)]
    pub(crate) max_rows: u64,
    /// Run the pre-flight checks first (`drydock preflight`) and stop when one fails
    #[arg(long)]
    pub(crate) preflight: bool,
    /// Take a backup (and check its checksum) before applying anything; `[backup]
    /// before_deploy = true` in drydock.toml makes it the default
    #[arg(long)]
    pub(crate) backup: bool,
    /// Where that backup goes [default: `[backup] dir` of drydock.toml, else ./backups]
    #[arg(long, value_name = "DIR")]
    pub(crate) backup_dir: Option<PathBuf>,
    /// Apply nothing unless the pending migrations are exactly the set last approved on the
    /// migrations page of `drydock serve` (names and checksums); `[deploy] require_approval =
    /// true` in drydock.toml makes it the default
    #[arg(long)]
    pub(crate) require_approval: bool,
    /// Apply pending migrations that sort before the newest applied one, as Prisma does (with
    /// a warning each); without it the deploy refuses them (see `drydock migrate rebase`)
    #[arg(long, env = "DRYDOCK_ALLOW_OUT_OF_ORDER")]
    pub(crate) allow_out_of_order: bool,
}

/// Deploy plans: what `migrate deploy` would run, kept, and applied exactly.
#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Print what the deploy would run and change nothing: the pending migrations, their
    /// statements with the lock each takes, the tables with live sizes, an estimated duration,
    /// the review's findings, what is held back
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Write that plan as JSON to FILE (a dry run), for `--plan`
    #[arg(long, value_name = "FILE", conflicts_with = "plan")]
    pub(crate) plan_out: Option<PathBuf>,
    /// Apply exactly the plan in FILE: refused when the database is another, or the pending
    /// migrations (names, checksums) are not the plan's; the plan says whether contract
    /// migrations run
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dry_run", "contract"])]
    pub(crate) plan: Option<PathBuf>,
}

impl PlanArgs {
    /// Whether nothing is applied: a dry run, or a plan written.
    pub(crate) fn is_dry_run(&self) -> bool {
        self.dry_run || self.plan_out.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DeployLint {
    Auto,
    Strict,
    Warn,
    Off,
}

impl DeployLint {
    pub(crate) fn gate(self) -> drydock_engine::LintGate {
        match self {
            DeployLint::Auto => drydock_engine::LintGate::Auto,
            DeployLint::Strict => drydock_engine::LintGate::Strict,
            DeployLint::Warn => drydock_engine::LintGate::Warn,
            DeployLint::Off => drydock_engine::LintGate::Off,
        }
    }
}

/// A time limit; `None` (written `0`) leaves the server's setting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit(pub(crate) Option<std::time::Duration>);

fn parse_limit(text: &str) -> Result<Limit, String> {
    if text.trim() == "0" {
        return Ok(Limit(None));
    }
    let duration = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    Ok(Limit((!duration.is_zero()).then_some(duration)))
}

/// Prisma 5/6's flags of `migrate dev` and `migrate reset`.
#[derive(Debug, Args)]
pub(crate) struct Prisma6Args {
    /// Accepted as Prisma 5/6 do: drydock generates no client
    #[arg(long)]
    pub(crate) skip_generate: bool,
    /// Do not run the seed command (Prisma 5/6 projects seed after a reset, and after `migrate
    /// dev` created the database; Prisma 7 projects never seed by themselves)
    #[arg(long)]
    pub(crate) skip_seed: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ConnectionArgs {
    /// Database URL, overriding the schema's datasource
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// Print the result as JSON
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("from").required(true).multiple(false))]
#[command(group = clap::ArgGroup::new("to").required(true).multiple(false))]
pub(crate) struct DiffArgs {
    /// Start from an empty schema
    #[arg(long, group = "from")]
    pub(crate) from_empty: bool,
    /// Start from a schema file or folder
    #[arg(
        long,
        group = "from",
        value_name = "PATH",
        visible_alias = "from-schema-datamodel"
    )]
    pub(crate) from_schema: Option<PathBuf>,
    /// Start from what a migrations folder produces (replayed on a shadow database)
    #[arg(long, group = "from", value_name = "PATH")]
    pub(crate) from_migrations: Option<PathBuf>,
    /// Start from a live database
    #[arg(long, group = "from", value_name = "URL")]
    pub(crate) from_url: Option<String>,
    /// Start from the database a schema's datasource points to
    #[arg(long, group = "from", value_name = "PATH")]
    pub(crate) from_schema_datasource: Option<PathBuf>,
    /// Start from the project's database (the Prisma config file's `datasource.url`)
    #[arg(long, group = "from")]
    pub(crate) from_config_datasource: bool,
    /// Compare with an empty schema
    #[arg(long, group = "to")]
    pub(crate) to_empty: bool,
    /// Compare with a schema file or folder
    #[arg(
        long,
        group = "to",
        value_name = "PATH",
        visible_alias = "to-schema-datamodel"
    )]
    pub(crate) to_schema: Option<PathBuf>,
    /// Compare with what a migrations folder produces
    #[arg(long, group = "to", value_name = "PATH")]
    pub(crate) to_migrations: Option<PathBuf>,
    /// Compare with a live database
    #[arg(long, group = "to", value_name = "URL")]
    pub(crate) to_url: Option<String>,
    /// Compare with the database a schema's datasource points to
    #[arg(long, group = "to", value_name = "PATH")]
    pub(crate) to_schema_datasource: Option<PathBuf>,
    /// Compare with the project's database (the Prisma config file's `datasource.url`)
    #[arg(long, group = "to")]
    pub(crate) to_config_datasource: bool,
    /// Where to create shadow databases for migrations folders (needed on PostgreSQL)
    #[arg(long, value_name = "URL")]
    pub(crate) shadow_database_url: Option<String>,
    /// Compare these database schemas of the URLs and migrations folders (PostgreSQL,
    /// comma-separated; objects named with their schema), instead of each URL's own schema
    #[arg(long, value_name = "a,b", value_delimiter = ',')]
    pub(crate) schemas: Vec<String>,
    /// Print the SQL script instead of a summary
    #[arg(long)]
    pub(crate) script: bool,
    /// Exit 0 when there is no difference, 2 when there is one, 1 on error
    #[arg(long)]
    pub(crate) exit_code: bool,
    /// Write to a file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Print the changes as JSON
    #[arg(long, conflicts_with = "script")]
    pub(crate) json: bool,
}
