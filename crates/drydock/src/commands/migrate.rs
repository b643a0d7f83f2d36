//! `migrate dev|deploy|status|resolve|reset|rebase|hash`.

use drydock_connector::SessionLimits;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

pub(crate) use drydock_engine::migrate::DownTarget;
use drydock_engine::migrate::{self as history, StatusReport};
use drydock_engine::tasks::db as db_task;
use drydock_engine::tasks::deploy as deploy_task;
use drydock_engine::tasks::history as history_task;
use drydock_engine::{DevOptions, Discovery, EngineError, Project, Warning, redact_url};

use crate::cli::{DeployArgs, PlanArgs, Prisma6Args};
use crate::output::print_json;
use crate::terminal::{self, say};

pub(crate) fn deploy(
    discovery: Discovery<'_>,
    safety: &DeployArgs,
    plan_args: &PlanArgs,
    url: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let plan = match &plan_args.plan {
        Some(path) => Some(deploy_task::plan::read_plan(path)?),
        None => None,
    };
    let options = deploy_task::DeployTaskOptions {
        url: url.map(str::to_owned),
        review: if safety.preflight {
            deploy_task::Review::Preflight
        } else {
            deploy_task::Review::Lint(safety.lint.gate())
        },
        max_rows: safety.max_rows,
        backup: safety.backup,
        backup_dir: safety.backup_dir.clone(),
        limits: SessionLimits {
            lock_timeout: safety.lock_timeout.0,
            statement_timeout: safety.statement_timeout.0,
        },
        lock_retries: safety.lock_retries,
        retry_delay: safety.retry_delay,
        contract: safety.contract,
        // Samples are for people watching a terminal or reading logs, not for JSON readers.
        watch: !json,
        interrupt: crate::signals::stop_on_signals()?,
        require_approval: safety.require_approval,
        plan,
        allow_out_of_order: safety.allow_out_of_order,
    };
    // With `--json`, stdout is the report and stderr says only what goes wrong.
    terminal::quiet(json);
    if plan_args.is_dry_run() {
        return dry_run(&project, &options, plan_args, json);
    }
    let outcome = deploy_task::deploy(&project, &options, terminal::events());
    terminal::clear_progress();
    let outcome = outcome?;
    terminal::summary(outcome.summary());
    let report = &outcome.report;
    if json {
        print_json(report)?;
        return Ok(ExitCode::SUCCESS);
    }
    if report.applied.is_empty() && report.held_back.is_empty() {
        let folder = super::describe_migrations_folder(&project.migrations_dir);
        let none_local = history::list_migrations(&project.migrations_dir)
            .map_or(true, |migrations| migrations.is_empty());
        if none_local {
            say(&format!(
                "No migrations to apply: the migrations folder {} {folder}.",
                project.migrations_dir.display()
            ));
        } else {
            say("No pending migrations to apply.");
        }
    }
    if !report.applied.is_empty() {
        say("The following migration(s) have been applied:");
        for migration in &report.applied {
            let mut notes = Vec::new();
            if let Some(reason) = &migration.non_transactional_reason {
                notes.push(format!("outside a transaction: {reason}"));
            }
            if migration.lock_retries > 0 {
                notes.push(format!(
                    "{} retry(ies) after lock timeouts",
                    migration.lock_retries
                ));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            };
            say(&format!(
                "  {} ({} ms){notes}",
                migration.name,
                migration.duration.as_millis()
            ));
        }
    }
    if report.held_back.is_empty() {
        if !report.applied.is_empty() {
            say("All migrations have been successfully applied.");
        }
    } else {
        say(&format!(
            "\nHeld back: {} migration(s) from the contract migration `{}` on. A contract \
             migration removes what old application versions still use; once the new version \
             runs everywhere, apply it with `drydock migrate deploy --contract`.",
            report.held_back.len(),
            report.held_back[0]
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `migrate deploy --dry-run` / `--plan-out`: the plan printed (or as JSON), and written.
fn dry_run(
    project: &Project,
    options: &deploy_task::DeployTaskOptions,
    plan_args: &PlanArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let plan = deploy_task::plan::plan_deploy(project, options, terminal::events());
    terminal::clear_progress();
    let plan = plan?;
    if let Some(path) = &plan_args.plan_out {
        deploy_task::plan::write_plan(&plan, path)?;
    }
    terminal::summary(plan.summary());
    if json {
        print_json(&plan)?;
    } else {
        print_plan(&plan);
        if let Some(path) = &plan_args.plan_out {
            say(&format!(
                "\nPlan written to {}; apply exactly it with `drydock migrate deploy --plan {}`.",
                path.display(),
                path.display()
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A deploy plan for people.
fn print_plan(plan: &deploy_task::plan::DeployPlan) {
    use deploy_task::plan::describe_seconds;
    let target = &plan.target;
    let instance = target
        .instance
        .as_deref()
        .map(|instance| format!(" ({instance})"))
        .unwrap_or_default();
    say(&format!(
        "Deploy plan for {} at {}{instance}. Dry run: nothing was changed.",
        target.provider, target.url
    ));
    if plan.pending.is_empty() {
        say("\nNo pending migrations.");
        return;
    }
    let estimate = |seconds: Option<f64>| match seconds {
        Some(seconds) => format!("estimate {}", describe_seconds(seconds)),
        None => "duration unknown".to_owned(),
    };
    say(&format!(
        "\nPending migrations, in the order deploy applies them ({}):",
        plan.pending.len()
    ));
    for migration in &plan.pending {
        let mut notes = Vec::new();
        if migration.held_back {
            notes.push(if migration.contract {
                "HELD BACK: contract migration, `--contract` applies it".to_owned()
            } else {
                "HELD BACK: after a contract migration".to_owned()
            });
        }
        notes.push(match &migration.non_transactional_reason {
            Some(reason) => format!("outside a transaction: {reason}"),
            None => "in one transaction".to_owned(),
        });
        if !migration.held_back {
            notes.push(estimate(migration.estimated_seconds));
        }
        say(&format!("\n  {} ({})", migration.name, notes.join("; ")));
        say(&format!("    checksum {}", migration.checksum));
        for (index, statement) in migration.statements.iter().enumerate() {
            let mut lines = statement.sql.lines();
            let first = lines.next().unwrap_or_default();
            let more = if lines.next().is_some() { " …" } else { "" };
            say(&format!(
                "    {}. line {}: {first}{more}",
                index + 1,
                statement.line
            ));
            say(&format!(
                "       lock: {}; {}; {}",
                statement.lock,
                statement.work,
                estimate(statement.estimated_seconds)
            ));
            for table in &statement.tables {
                let size = match (table.rows, table.bytes) {
                    (Some(rows), Some(bytes)) => {
                        format!(
                            "{rows} rows, {}",
                            drydock_engine::tasks::backup::human_bytes(bytes)
                        )
                    }
                    _ => "size unknown".to_owned(),
                };
                say(&format!("       table {}: {size}", table.name));
            }
        }
        for backfill in &migration.backfills {
            let rows = backfill
                .rows
                .map_or("an unknown number of".to_owned(), |rows| rows.to_string());
            say(&format!(
                "    backfill at line {}: {} in batches of {} by {} ({rows} rows, {} batches), {}",
                backfill.line,
                backfill.table,
                backfill.batch_size,
                backfill.key,
                backfill
                    .batches
                    .map_or("?".to_owned(), |batches| batches.to_string()),
                estimate(backfill.estimated_seconds)
            ));
        }
        for finding in &migration.findings {
            let text = |key: &str| finding[key].as_str().unwrap_or_default().to_owned();
            let blocks = if finding["blocks_deploy"] == serde_json::Value::Bool(true) {
                " (blocks the deploy)"
            } else {
                ""
            };
            say(&format!(
                "    {}[{} {}] line {}: {}{blocks}",
                text("level"),
                text("code"),
                text("rule"),
                finding["line"],
                text("message")
            ));
        }
    }
    let held: Vec<&str> = plan
        .pending
        .iter()
        .filter(|migration| migration.held_back)
        .map(|migration| migration.name.as_str())
        .collect();
    say("");
    if !held.is_empty() {
        say(&format!(
            "Held back: {} (from the contract migration on; `drydock migrate deploy --contract` \
             applies them once the new application version runs everywhere).",
            held.join(", ")
        ));
    }
    let review = &plan.review;
    say(&match review.gate.as_deref() {
        Some("off") => "Review: none (`--lint off`).".to_owned(),
        Some(gate) if review.blocking > 0 => format!(
            "Review: lint, gate `{gate}`: {} finding(s) would stop the deploy (D3110).",
            review.blocking
        ),
        Some(gate) => format!("Review: lint, gate `{gate}`: nothing would stop the deploy."),
        None => "Review: the pre-flight checks (`drydock preflight` shows them).".to_owned(),
    });
    for notice in &review.notices {
        say(&format!("  {notice}"));
    }
    let approval = &plan.approval;
    say(&match (approval.required, approval.approved) {
        (false, _) => "Approval: not required.".to_owned(),
        (true, Some(true)) => "Approval: required; the pending set is approved.".to_owned(),
        (true, _) => format!(
            "Approval: required, and {}",
            approval.detail.as_deref().unwrap_or("missing")
        ),
    });
    say(&match &plan.backup.dir {
        Some(dir) => format!("Backup before deploy: yes, to {dir}."),
        None => "Backup before deploy: no.".to_owned(),
    });
    let incomplete = if plan.estimate_incomplete {
        ", some statements' durations unknown"
    } else {
        ""
    };
    say(&format!(
        "Estimated duration: {} (from table sizes{incomplete}; lock waits not included; see \
         docs/deploy.md#deploy-plans).",
        describe_seconds(plan.estimated_seconds)
    ));
}

pub(crate) fn status(
    discovery: Discovery<'_>,
    drift: bool,
    url: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let (target, mut connection) = drydock_engine::tasks::connect(
        &project,
        url,
        drydock_engine::tasks::Missing::Fail,
        terminal::events(),
    )?;
    // Found before the status, which stops at an integrity file git left conflicted.
    let conflicts = drydock_engine::find_conflicts(&project, Some(connection.as_mut()))?;
    if !json {
        print_conflicts(&conflicts);
    }
    let report =
        history::status(connection.as_mut(), &project.migrations_dir).map_err(EngineError::from)?;
    let drift = if drift {
        Some(drydock_engine::drift(&project, url, &None)?)
    } else {
        None
    };
    if json {
        let mut value = serde_json::to_value(&report)?;
        if let Some(object) = value.as_object_mut() {
            object.insert("conflicts".to_owned(), serde_json::to_value(&conflicts)?);
            if let Some(drift) = &drift {
                object.insert("drift".to_owned(), serde_json::to_value(drift)?);
            }
        }
        print_json(&value)?;
    } else {
        drydock_engine::tasks::describe_datasource(&project, &target, terminal::events());
        print_status(
            &project,
            &report,
            &contract_migrations(&project, &report.pending),
        );
        if let Some(drift) = &drift {
            print_drift(drift);
        }
    }
    let drifted = drift.is_some_and(|d| !d.differences.is_empty());
    Ok(if report.is_up_to_date() && !drifted {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Conflicts between branches' migrations, on stderr as warnings with their codes.
fn print_conflicts(conflicts: &[history::Conflict]) {
    for conflict in conflicts {
        terminal::events().warning(&format!(
            "{} [{}]\n  what to do: {}",
            conflict.explanation, conflict.code, conflict.fix
        ));
    }
}

fn print_drift(drift: &drydock_engine::DriftReport) {
    if drift.differences.is_empty() {
        println!("\nNo drift: the database is what its applied migrations produce.");
        return;
    }
    println!("\nDrift detected: the database differs from what its applied migrations produce:");
    for line in &drift.differences {
        println!("  - {line}");
    }
    if !drift.changed_outside.is_empty() {
        println!("\nChanged outside drydock since the last migration (audit log):");
        for entry in &drift.changed_outside {
            let record = &entry.record;
            println!(
                "  - {} by {} from {}: {} {}",
                record.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                record.actor,
                record.host,
                record.command,
                record.target
            );
            if let Some(statement) = drydock_engine::audit::statement_of(entry) {
                println!(
                    "      {}",
                    statement.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
        }
    }
    println!(
        "\nRun `drydock migrate dev --create-only` to record these changes as a migration, or \
         undo them by hand."
    );
}

/// The contract migrations among `pending` (which `migrate deploy` holds back).
fn contract_migrations(project: &Project, pending: &[String]) -> Vec<String> {
    if pending.is_empty() {
        // Nothing to read again.
        return Vec::new();
    }
    history::list_migrations(&project.migrations_dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|m| pending.contains(&m.name) && history::is_contract(m.executable_script()))
        .map(|m| m.name)
        .collect()
}

fn print_status(project: &Project, report: &StatusReport, contract: &[String]) {
    println!(
        "{} migration(s) found in {}, {} applied",
        report.local_migrations,
        project.migrations_dir.display(),
        report.applied.len()
    );
    if report.local_migrations == 0 {
        println!(
            "The migrations folder {} {}: create the first migration with `drydock migrate \
             dev`, or name the folder with `--schema` or the Prisma config file's \
             `migrations.path`.",
            project.migrations_dir.display(),
            super::describe_migrations_folder(&project.migrations_dir)
        );
    }
    if !report.history_table_exists && report.local_migrations > 0 {
        println!(
            "\nThe database has no migration history (`_prisma_migrations`). Run `drydock migrate \
             deploy` to apply the migrations; if the database already has this schema, baseline it \
             with `drydock migrate resolve --applied <migration>`."
        );
    }
    for failed in &report.failed {
        if failed.logs.is_none() {
            println!(
                "\nUnfinished migration: {} (started at {}): its deploy died while running it \
                 (killed, or its session terminated) before recording anything. If no deploy \
                 runs now, `drydock migrate deploy` takes it up again where it stopped.",
                failed.name, failed.started_at
            );
            continue;
        }
        println!(
            "\nFailed migration: {} (started at {})\n{}\n{}",
            failed.name,
            failed.started_at,
            failed.logs.as_deref().unwrap_or_default(),
            failed.advice()
        );
    }
    if !report.pending.is_empty() {
        println!("\nNot yet applied:");
        for name in &report.pending {
            let note = if report.out_of_order.contains(name) {
                format!(
                    " (out of order: sorts before {}, which is applied; `drydock migrate rebase \
                     {name}` moves it after)",
                    report.newest_applied.as_deref().unwrap_or_default()
                )
            } else if contract.contains(name) {
                " (contract: applied by `drydock migrate deploy --contract`)".to_owned()
            } else {
                String::new()
            };
            println!("  {name}{note}");
        }
        println!("\nRun `drydock migrate deploy` to apply them.");
    }
    if !report.missing_locally.is_empty() {
        println!("\nApplied to the database but missing from the migrations folder:");
        for name in &report.missing_locally {
            println!("  {name}");
        }
    }
    if !report.invalid_indexes.is_empty() {
        println!(
            "\nWarning: indexes left invalid by a concurrent build that did not finish (every \
             write maintains them, no query uses them):"
        );
        for index in &report.invalid_indexes {
            println!("  {index}");
        }
        println!(
            "`drydock migrate deploy` rebuilds those of the migration it takes up again; drop \
             any other with `DROP INDEX CONCURRENTLY <name>` (`drydock db execute`)."
        );
    }
    if !report.edited_after_applied.is_empty() {
        println!("\nWarning: modified after they were applied:");
        for name in &report.edited_after_applied {
            println!("  {name}");
        }
    }
    if report.is_up_to_date() {
        println!("\nDatabase schema is up to date!");
    }
}

/// What `migrate resolve` does, as its flags say.
pub(crate) enum ResolveMode {
    Applied(String),
    RolledBack(String),
    Finish(String),
    Undo {
        name: String,
        accept_data_loss: bool,
    },
}

pub(crate) fn resolve(
    discovery: Discovery<'_>,
    mode: Option<ResolveMode>,
    url: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let resolve = match mode {
        Some(ResolveMode::Applied(name)) => history_task::Resolve::Applied(name),
        Some(ResolveMode::RolledBack(name)) => history_task::Resolve::RolledBack(name),
        Some(ResolveMode::Finish(name)) => return finish(&project, &name, url),
        Some(ResolveMode::Undo {
            name,
            accept_data_loss,
        }) => return undo(&project, name, accept_data_loss, url),
        None => anyhow::bail!(
            "give `--applied <migration>`, `--rolled-back <migration>`, `--finish <migration>` \
             or `--undo <migration>`"
        ),
    };
    let outcome = history_task::resolve(&project, url, resolve, terminal::events())?;
    terminal::summary(outcome.summary());
    match &outcome.resolve {
        history_task::Resolve::Applied(name) => {
            say(&format!("Migration {name} marked as applied."))
        }
        history_task::Resolve::RolledBack(name) => {
            say(&format!("Migration {name} marked as rolled back."));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn finish(project: &Project, name: &str, url: Option<&str>) -> anyhow::Result<ExitCode> {
    let options = history_task::FinishOptions {
        url: url.map(str::to_owned),
        interrupt: crate::signals::stop_on_signals()?,
        ..history_task::FinishOptions::new(name)
    };
    let report = history_task::resolve_finish(project, &options, terminal::events())?;
    terminal::summary(history_task::finish_summary(&report));
    say(&format!(
        "Migration {name} finished: statements {} to {} ran, and it is marked as applied.",
        report.first_statement, report.statements
    ));
    Ok(ExitCode::SUCCESS)
}

fn undo(
    project: &Project,
    name: String,
    accept_data_loss: bool,
    url: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let options = history_task::UndoOptions {
        url: url.map(str::to_owned),
        name,
        accept_data_loss,
    };
    let outcome = history_task::resolve_undo(project, &options, terminal::events())?;
    terminal::summary(history_task::undo_summary(&outcome));
    say(&format!(
        "Undid {} completed statement(s) of {} and marked it as rolled back: the next `drydock \
         migrate deploy` runs it from its first statement (fix it first).",
        outcome.report.statements_undone, outcome.report.name
    ));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn down(
    discovery: Discovery<'_>,
    target: &DownTarget,
    accept_data_loss: bool,
    url: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let options = history_task::DownOptions {
        url: url.map(str::to_owned),
        target: target.clone(),
        accept_data_loss,
    };
    terminal::quiet(json);
    let report = history_task::down(&project, &options, terminal::events())?;
    terminal::summary(history_task::down_summary(&report));
    if json {
        print_json(&report)?;
    } else if report.rolled_back.is_empty() {
        say("No migration to roll back.");
    } else {
        say("Rolled back:");
        for migration in &report.rolled_back {
            say(&format!(
                "  {} ({} ms)",
                migration.name,
                migration.duration.as_millis()
            ));
        }
        say("Run `drydock migrate deploy` to apply them again.");
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn squash(
    discovery: Discovery<'_>,
    options: drydock_engine::SquashOptions,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let outcome = history_task::squash(&project, &options, terminal::events())?;
    terminal::summary(history_task::squash_summary(&outcome));
    say(&format!(
        "Squashed {} migrations into {}.",
        outcome.replaced.len(),
        outcome.squashed
    ));
    if !options.history_only {
        say(&format!(
            "On every other database where they are applied, run `drydock migrate squash \
             --history-only{} --to {}` once this folder is there.",
            options
                .from
                .as_deref()
                .map(|from| format!(" --from {from}"))
                .unwrap_or_default(),
            outcome.squashed
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn rebase(
    discovery: Discovery<'_>,
    options: &drydock_engine::tasks::rebase::RebaseOptions,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    terminal::quiet(json);
    let outcome = drydock_engine::tasks::rebase::rebase(&project, options, terminal::events())?;
    terminal::summary(outcome.summary());
    if json {
        print_json(&outcome)?;
        return Ok(ExitCode::SUCCESS);
    }
    say(&format!("Moved {} to {}.", outcome.from, outcome.to));
    match &outcome.sql {
        drydock_engine::tasks::rebase::RebasedSql::Kept => say(
            "Its SQL is kept: replayed after the other migrations on a shadow database, it gives \
             the schema.",
        ),
        drydock_engine::tasks::rebase::RebasedSql::Regenerated { down_removed, .. } => {
            say("Its SQL was generated again (the diff is above): review it before committing.");
            if *down_removed {
                say("Its down.sql undid the old SQL and was removed.");
            }
        }
    }
    if history::has_integrity_file(&project.migrations_dir) {
        say(&format!(
            "{} was written again.",
            project
                .migrations_dir
                .join(history::INTEGRITY_FILE_NAME)
                .display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn hash(discovery: Discovery<'_>) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let count = drydock_engine::write_integrity_file(&project)?;
    say(&format!(
        "Wrote {} ({count} migration(s)).",
        project
            .migrations_dir
            .join(history::INTEGRITY_FILE_NAME)
            .display()
    ));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn baseline(
    discovery: Discovery<'_>,
    name: &str,
    url: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let folder = history_task::baseline(&project, url, name, terminal::events())?;
    let file = folder.join(history::MIGRATION_FILE_NAME);
    terminal::summary(format!("wrote the baseline {}", file.display()));
    say(&format!(
        "Wrote {} from the database and marked it as applied.",
        file.display()
    ));
    say(
        "Deploy it on other databases that lack these tables; on databases that have them, run `drydock migrate baseline` there or `drydock migrate resolve --applied` with its name.",
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn reset(
    discovery: Discovery<'_>,
    force: bool,
    prisma6: &Prisma6Args,
    url: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    if !force {
        if !std::io::stdin().is_terminal() {
            return Err(EngineError::Usage(
                "`migrate reset` deletes all data and needs confirmation: run it in a terminal, or \
                 pass `--force`"
                    .to_owned(),
            )
            .into());
        }
        let target = project.migration_url(url).map_err(EngineError::from)?;
        let question = format!(
            "Reset the database at {}? All data will be lost.",
            redact_url(&target)
        );
        if !confirm(&question)? {
            eprintln!("Reset cancelled.");
            return Ok(ExitCode::from(crate::output::DECLINED));
        }
    }
    let report = history_task::reset(&project, url, terminal::events());
    terminal::clear_progress();
    let report = report?;
    terminal::summary(history_task::reset_summary(&report));
    say("Database reset.");
    say(&format!("Applied {} migration(s).", report.applied.len()));
    seed_after(&project, url, "the reset", prisma6)?;
    super::db::note_no_generate(&project, prisma6.skip_generate);
    Ok(ExitCode::SUCCESS)
}

/// Prisma 5/6 projects seed after a reset and after `migrate dev` created the database, unless
/// `--skip-seed` (or `PRISMA_MIGRATE_SKIP_SEED`); Prisma 7 projects never do by themselves.
fn seed_after(
    project: &Project,
    url: Option<&str>,
    after: &str,
    prisma6: &Prisma6Args,
) -> anyhow::Result<()> {
    let skip = prisma6.skip_seed || std::env::var_os("PRISMA_MIGRATE_SKIP_SEED").is_some();
    if skip || !project.generation.seeds_automatically() {
        return Ok(());
    }
    let environment = super::db::seed_environment(None);
    let seeded = db_task::seed(project, url, &environment, &[], terminal::events())?;
    if seeded.command.is_some() || !seeded.outcome.applied.is_empty() {
        say(&format!(
            "Seeded after {after} (Prisma {} projects seed automatically; `--skip-seed` skips it).",
            project.generation.major()
        ));
    }
    Ok(())
}

/// The flags of `migrate dev`.
pub(crate) struct DevFlags {
    pub(crate) name: Option<String>,
    pub(crate) create_only: bool,
    pub(crate) accept_data_loss: bool,
    pub(crate) zero_downtime: bool,
    pub(crate) skip_generate: bool,
    pub(crate) skip_seed: bool,
}

pub(crate) fn dev(
    discovery: Discovery<'_>,
    flags: DevFlags,
    url: Option<String>,
) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    let interactive = std::io::stdin().is_terminal();
    let DevFlags {
        name,
        create_only,
        accept_data_loss,
        zero_downtime,
        ..
    } = flags;
    let name = match name {
        Some(name) => Some(name),
        None if interactive => Some(ask("Enter a name for the new migration:")?),
        None => None,
    };
    let options = DevOptions {
        name,
        create_only,
        accept_data_loss,
        url,
        replay_cache: None,
        zero_downtime,
    };
    let run = |project: &Project| {
        let mut reporter = deploy_task::DeployReporter::new(terminal::events(), 0);
        let outcome = drydock_engine::migrate_dev_with_renames(
            project,
            &options,
            &mut |warnings| interactive && ask_data_loss(warnings),
            &mut |candidate| interactive && confirm(&candidate.question()).unwrap_or(false),
            &mut |event| reporter.report(event),
        );
        terminal::clear_progress();
        outcome
    };
    let outcome = match run(&project) {
        // In a terminal, Prisma asks to reset; elsewhere the error says to run `migrate reset`.
        Err(EngineError::ResetNeeded { reason }) if interactive => {
            let url = project.migration_url(options.url.as_deref())?;
            eprintln!("{reason}");
            let question = format!(
                "We need to reset the database at {}. Do you want to continue? All data will be lost.",
                redact_url(&url)
            );
            if !confirm(&question)? {
                eprintln!("Reset cancelled.");
                return Ok(ExitCode::from(crate::output::DECLINED));
            }
            project
                .dialect
                .connect(&url)
                .and_then(|mut connection| connection.reset())
                .map_err(EngineError::from)?;
            println!("Database reset.");
            run(&project)?
        }
        outcome => outcome?,
    };
    if outcome.database_created {
        println!("Created the database.");
    }
    for name in &outcome.applied_pending {
        println!("Applied pending migration {name}");
    }
    if let Some(folder) = &outcome.drift_captured {
        println!(
            "Recorded the drift as {} (marked as applied: the database already has it).",
            folder.join(history::MIGRATION_FILE_NAME).display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(reason) = &outcome.zero_downtime_unavailable {
        eprintln!("Note: {reason}.");
    }
    if !outcome.phases.is_empty() {
        show_phases(&project, &outcome);
        return Ok(ExitCode::SUCCESS);
    }
    match &outcome.created {
        None => println!("Already in sync, no schema change or pending migration was found."),
        Some(folder) => {
            for warning in &outcome.warnings {
                eprintln!("Warning: [{}] {}", warning.code(), warning.message);
            }
            if let Some(reason) = &outcome.down_not_written {
                eprintln!("Warning: no down.sql was written: {reason}");
            }
            review_new_migration(&project, folder);
            let file = folder.join(history::MIGRATION_FILE_NAME);
            if outcome.applied_new {
                println!("Created and applied {}", file.display());
                println!("Your database is now in sync with your schema.");
            } else {
                println!("Created {}", file.display());
                println!("Review it, then run `drydock migrate dev` to apply it.");
            }
        }
    }
    if !create_only {
        if outcome.database_created {
            let prisma6 = Prisma6Args {
                skip_generate: flags.skip_generate,
                skip_seed: flags.skip_seed,
            };
            seed_after(
                &project,
                options.url.as_deref(),
                "creating the database",
                &prisma6,
            )?;
        }
        super::db::note_no_generate(&project, flags.skip_generate);
    }
    Ok(ExitCode::SUCCESS)
}

/// The phase folders of `migrate dev --zero-downtime`, in deploy order.
fn show_phases(project: &Project, outcome: &drydock_engine::DevOutcome) {
    // Renames break no running version here: the old names work until contract.
    for warning in outcome.warnings.iter().filter(|w| !w.is_notice()) {
        eprintln!("Warning: [{}] {}", warning.code(), warning.message);
    }
    if let Some(reason) = &outcome.down_not_written {
        eprintln!("Warning: some down.sql files were not written: {reason}");
    }
    let verb = if outcome.applied_new {
        "Created and applied"
    } else {
        "Created"
    };
    println!("{verb} {} phase migrations:", outcome.phases.len());
    for (kind, folder) in &outcome.phases {
        println!(
            "  {:<8}  {}",
            kind.name(),
            folder.join(history::MIGRATION_FILE_NAME).display()
        );
        if *kind == drydock_connector::PhaseKind::Contract {
            println!(
                "            held back by `drydock migrate deploy` until `drydock migrate deploy \
                 --contract`: run that once the new application version runs everywhere"
            );
        }
    }
    println!(
        "In production: `drydock migrate deploy` (expand, backfill, validate), deploy the new \
         application version, then `drydock migrate deploy --contract`."
    );
    if !outcome.applied_new {
        println!("Review them, then run `drydock migrate dev` to apply them.");
    }
    for (_, folder) in &outcome.phases {
        review_new_migration(project, folder);
    }
}

pub(crate) fn ask_data_loss(warnings: &[Warning]) -> bool {
    eprintln!("The migration would:");
    for warning in warnings {
        eprintln!("  - [{}] {}", warning.code(), warning.message);
    }
    confirm("Apply it anyway?").unwrap_or(false)
}

pub(crate) fn confirm(question: &str) -> anyhow::Result<bool> {
    let answer = ask(&format!("{question} (y/N)"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn ask(question: &str) -> anyhow::Result<String> {
    eprint!("{question} ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// Lint the new migration (read after the history before it) and show what to review before it
/// reaches production: exactly what `drydock lint <its folder>` prints. Advice only: the
/// development database is small, so `migrate dev` never fails on it; `drydock lint --url
/// <production>` judges with live table sizes.
fn review_new_migration(project: &Project, folder: &Path) {
    let options = drydock_engine::ProjectLintOptions {
        selection: drydock_engine::LintSelection::Paths(vec![folder.to_owned()]),
        ..Default::default()
    };
    let Ok(linted) = drydock_engine::lint_project(project, &options) else {
        return;
    };
    if !linted.report.findings.is_empty() {
        eprintln!(
            "Review this migration before it reaches production (`drydock lint`):\n{}",
            drydock_lint::report::render_text(&linted.report)
        );
    }
}
