//! `migrate dev`: bring the development database up to date, then turn the difference between
//! what the migrations produce and what the schema says into a new migration with its down
//! migration, check both on the shadow database, and apply the new migration.
//!
//! Renames: the schema's `// drydock:renamed-from` directives become renames in the migration,
//! and the down migration renames back (the previous schema gets the reverse hints). A drop and
//! a create that look like a rename without a directive are offered to `confirm_rename`
//! ([`rename_candidates`]); when it says no (always, without a terminal), a refusal for data
//! loss says how to write the directive.
//!
//! Zero downtime (`zero_downtime`): the dialect splits the change into phases (expand,
//! backfill, validate, contract), each written as its own migration folder with its own
//! `down.sql`, all checked on the shadow database one after the other.

mod renames;

pub use renames::{RenameCandidate, rename_candidates};

use renames::unmatched_hints;

use std::path::{Path, PathBuf};

use drydock_connector::{
    Connection, Dialect, NoPhasedPlan, Phase, PhaseKind, ScriptError, Warning, render_script,
};
use drydock_diff::WarningKind;
use drydock_migrate::{DeployEvent, LocalMigration};
use drydock_schema::SqlSchema;
use serde::Serialize;

use crate::drift::describe_drift;
use crate::replay_cache;
use crate::source::{replay_migrations, with_state_shadow};
use crate::summary::summarize;
use crate::{EngineError, Project, live_data};

#[derive(Debug, Clone, Default)]
pub struct DevOptions {
    /// The migration's name (slugified); empty gives a folder ending in `_`, as in Prisma.
    pub name: Option<String>,
    /// Write the migration without applying it (also allowed with no changes: an empty one).
    pub create_only: bool,
    /// Apply changes that lose data without asking.
    pub accept_data_loss: bool,
    /// Overrides the datasource URL.
    pub url: Option<String>,
    /// Where replayed histories are cached: `None` for the default folder (see
    /// `replay_cache`), `Some(None)` for no cache.
    pub replay_cache: Option<Option<PathBuf>>,
    /// Write the change as phased migrations that keep a busy database writable (see
    /// [`Dialect::plan_zero_downtime`]), when the dialect has a phased plan.
    pub zero_downtime: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DevOutcome {
    /// The development database did not exist and was created.
    pub database_created: bool,
    /// Pending migrations of the folder applied before diffing.
    pub applied_pending: Vec<String>,
    /// Whether the history was replayed on a shadow database (false: its schema was cached).
    pub history_replayed: bool,
    /// The new migration folder, when one was written (with `zero_downtime`: see `phases`).
    pub created: Option<PathBuf>,
    /// Whether the new migration was applied (false with `--create-only`).
    pub applied_new: bool,
    /// Destructive-change warnings of the new migration.
    pub warnings: Vec<Warning>,
    /// Why no `down.sql` was written next to the new migration, when none was.
    pub down_not_written: Option<String>,
    /// With `--create-only` on a drifted database: the migration that records the drift, marked
    /// as applied because the database already has its changes.
    pub drift_captured: Option<PathBuf>,
    /// With `zero_downtime`: the phase folders written instead of `created`, in order.
    pub phases: Vec<(PhaseKind, PathBuf)>,
    /// With `zero_downtime`: why one ordinary migration was written instead of phases.
    pub zero_downtime_unavailable: Option<String>,
}

/// Run `migrate dev` for `project`. `consent` is asked when the new migration loses data and
/// `accept_data_loss` is off; `progress` sees each migration applied. Nothing is asked about
/// renames (see [`migrate_dev_with_renames`]).
pub fn migrate_dev(
    project: &Project,
    options: &DevOptions,
    consent: &mut dyn FnMut(&[Warning]) -> bool,
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<DevOutcome, EngineError> {
    migrate_dev_with_renames(project, options, consent, &mut |_| false, progress)
}

/// [`migrate_dev`], asking `confirm_rename` about each drop and create that looks like a rename
/// the schema does not declare; a yes makes it a rename, as the directive would.
pub fn migrate_dev_with_renames(
    project: &Project,
    options: &DevOptions,
    consent: &mut dyn FnMut(&[Warning]) -> bool,
    confirm_rename: &mut dyn FnMut(&RenameCandidate) -> bool,
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<DevOutcome, EngineError> {
    let dialect = project.dialect;
    let url = project.migration_url(options.url.as_deref())?;
    let shadow_url = project.shadow_url()?;
    let dir = &project.migrations_dir;
    let namespaces = project.namespaces();
    drydock_migrate::check_provider(dir, dialect.provider())?;

    let database_created = dialect.create_database(&url)?;
    if shadow_url.is_none() {
        for line in dialect.drop_abandoned_shadows(&url)? {
            progress(DeployEvent::Recovered {
                name: "shadow database",
                what: &line,
            });
        }
    }
    let mut connection = dialect.connect(&url)?;
    refuse_broken_history(connection.as_mut(), dir)?;

    let migrations = drydock_migrate::list_migrations(dir)?;
    let (state, history_replayed) = migrations_state(
        project,
        &migrations,
        &options.replay_cache,
        connection.as_mut(),
        &url,
        shadow_url.as_deref(),
    )?;
    let report = drydock_migrate::deploy(dialect, connection.as_mut(), dir, progress)?;
    let applied_pending: Vec<String> = report.applied.into_iter().map(|m| m.name).collect();

    let live = connection.introspect(&namespaces)?;
    let drift = crate::drift::drift_diff(dialect, &state, &live);
    // Objects made by hand alone (views, functions, triggers) never call for a reset, as with
    // Prisma; `--create-only` records them all the same.
    let hand_made_drift = options.create_only
        && !crate::drift::hand_made_changes(dialect, &state, &live, &drift.changes).is_empty();
    if !drift.is_empty() || hand_made_drift {
        if !options.create_only {
            return Err(EngineError::ResetNeeded {
                reason: format!(
                    "Drift detected: the database schema is not in sync with the migration \
                     history:\n{}\nTo keep these changes, run `drydock migrate dev --create-only` \
                     to record them as a migration.",
                    describe_drift(&drift.changes)
                        .iter()
                        .map(|line| format!("  - {line}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            });
        }
        let folder = capture_drift(project, options, connection.as_mut(), &state, &live, &drift)?;
        return Ok(DevOutcome {
            database_created,
            applied_pending,
            history_replayed,
            created: None,
            applied_new: false,
            warnings: Vec::new(),
            down_not_written: None,
            drift_captured: Some(folder),
            phases: Vec::new(),
            zero_downtime_unavailable: None,
        });
    }

    let mut target = project.target_schema(Some(&url))?;
    let mut declined = Vec::new();
    for candidate in rename_candidates(&state, &target) {
        if confirm_rename(&candidate) {
            candidate.apply(&mut target);
        } else {
            declined.push(candidate);
        }
    }
    let mut diff = drydock_diff::diff(&state, &target, dialect.diff_hooks());
    // What to write for a drop and an add that may be a rename nobody confirmed.
    let rename_hints: Vec<String> = declined
        .iter()
        .map(|c| format!("  {}", c.hint()))
        .chain(
            unmatched_hints(&state, &target)
                .into_iter()
                .map(|hint| format!("  {hint}")),
        )
        .collect();
    let cannot_run = |steps: Vec<String>| EngineError::ChangesCannotRun {
        steps: steps
            .into_iter()
            .chain(rename_hints.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let weighed = live_data::weigh(connection.as_mut(), &diff);
    if !weighed.failing.is_empty() && !options.create_only {
        return Err(cannot_run(
            weighed
                .failing
                .iter()
                .map(|w| format!("  - {}", w.message))
                .collect(),
        ));
    }
    diff.warnings = weighed.warnings;
    let mut outcome = DevOutcome {
        database_created,
        applied_pending,
        history_replayed,
        created: None,
        applied_new: false,
        warnings: diff.warnings.clone(),
        down_not_written: None,
        drift_captured: None,
        phases: Vec::new(),
        zero_downtime_unavailable: None,
    };
    if diff.is_empty() && !options.create_only {
        return Ok(outcome);
    }
    if !options.create_only
        && let Some(failure) = live_data::try_on_rows(
            dialect,
            connection.as_mut(),
            &render_with_notes(dialect, &diff),
        )
    {
        return Err(cannot_run(vec![failure]));
    }
    let loses_data = diff.warnings.iter().any(Warning::is_data_loss);
    if loses_data && !options.accept_data_loss && !options.create_only && !consent(&diff.warnings) {
        return Err(EngineError::DataLossNotAccepted {
            warnings: diff
                .warnings
                .iter()
                .filter(|w| w.is_data_loss() || w.is_unexecutable())
                .map(|w| format!("  - [{}] {}", w.code(), w.message))
                .chain(rename_hints.iter().cloned())
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }

    if options.zero_downtime && !diff.is_empty() {
        // What the change keeps of each column and index goes along with a doubled column.
        let applied = drydock_diff::applied_schema(&state, &target);
        match dialect.plan_zero_downtime(&diff.changes, &applied) {
            Ok(phases) => {
                let downs = phase_downs(project, &url, shadow_url.as_deref(), &state, &phases)?;
                let name = options.name.as_deref().unwrap_or_default();
                outcome.phases = write_phases(dialect, dir, name, &phases, &downs, &diff.warnings)?;
                outcome.down_not_written = phases
                    .iter()
                    .zip(&downs)
                    .filter_map(|(phase, down)| {
                        down.as_ref()
                            .err()
                            .map(|reason| format!("{} phase: {reason}", phase.kind.name()))
                    })
                    .reduce(|all, next| format!("{all}; {next}"));
                crate::conflicts::folders_written(project)?;
                if !options.create_only {
                    drydock_migrate::deploy(dialect, connection.as_mut(), dir, progress)?;
                    outcome.applied_new = true;
                }
                return Ok(outcome);
            }
            Err(NoPhasedPlan::NotNeeded(reason)) => {
                outcome.zero_downtime_unavailable = Some(reason);
            }
        }
    }

    let up = render_with_notes(dialect, &diff);
    // The down migration starts from what the migration leaves (the target and the
    // hand-written indexes it keeps), and undoes its renames rather than dropping and
    // recreating.
    let applied = drydock_diff::applied_schema(&state, &target);
    let previous = drydock_diff::reverse_rename_hints(&state, &applied);
    let reverse = drydock_diff::diff(&applied, &previous, dialect.diff_hooks());
    let down = render_with_notes(dialect, &reverse);
    let down_checked = with_state_shadow(
        dialect,
        dir,
        &url,
        shadow_url.as_deref(),
        &namespaces,
        &state,
        |shadow| check_round_trip(dialect, shadow, &up, &down, &state, &namespaces, false),
    )?;

    let folder = new_folder(dir, options.name.as_deref().unwrap_or_default())?;
    let mut files = vec![(drydock_migrate::MIGRATION_FILE_NAME, up.as_str())];
    match down_checked {
        Ok(()) => files.push((drydock_migrate::DOWN_FILE_NAME, down.as_str())),
        Err(reason) => outcome.down_not_written = Some(reason),
    }
    write_folder(&folder, &files)?;
    crate::conflicts::folders_written(project)?;
    if !options.create_only {
        drydock_migrate::deploy(dialect, connection.as_mut(), dir, progress)?;
        outcome.applied_new = true;
    }
    outcome.created = Some(folder);
    Ok(outcome)
}

/// The migration file of `diff`. Rename notices go in a `Notes:` comment after the `Warnings:`
/// block rather than in it: that block flags a migration as losing data (`migrate down` asks
/// for consent), and a rename loses none.
pub(crate) fn render_with_notes(dialect: &dyn Dialect, diff: &drydock_diff::Diff) -> String {
    let (notes, warnings): (Vec<Warning>, Vec<Warning>) =
        diff.warnings.iter().cloned().partition(Warning::is_notice);
    let mut script = render_script(dialect, &diff.changes, &warnings);
    if notes.is_empty() {
        return script;
    }
    let lines: String = notes
        .iter()
        .map(|note| format!("  - {}\n", note.message))
        .collect();
    let block = format!("/*\n  Notes:\n\n{lines}\n*/\n");
    let after_warnings = if warnings.is_empty() {
        0
    } else {
        script.find("*/\n").map_or(0, |end| end + "*/\n".len())
    };
    script.insert_str(after_warnings, &block);
    script
}

/// The schema `migrations` produce: from the replay cache, or replayed on a shadow database
/// (and cached). The flag says whether a replay happened.
pub(crate) fn migrations_state(
    project: &Project,
    migrations: &[LocalMigration],
    replay_cache_dir: &Option<Option<PathBuf>>,
    connection: &mut dyn Connection,
    url: &str,
    shadow_url: Option<&str>,
) -> Result<(SqlSchema, bool), EngineError> {
    let dialect = project.dialect;
    let namespaces = project.namespaces();
    let key = replay_cache::key(
        dialect.provider(),
        &connection.server_version()?,
        &namespaces,
        migrations,
    );
    let cache_dir = match replay_cache_dir {
        None => replay_cache::default_dir(),
        Some(dir) => dir.clone(),
    };
    if let Some(state) = cache_dir
        .as_deref()
        .and_then(|dir| replay_cache::load(dir, &key))
    {
        return Ok((state, false));
    }
    let state = replay_migrations(dialect, migrations, url, shadow_url, &namespaces)?;
    if let Some(dir) = &cache_dir {
        replay_cache::store(dir, &key, &state);
    }
    Ok((state, true))
}

/// Failed, edited or vanished migrations need a reset before development can go on.
fn refuse_broken_history(connection: &mut dyn Connection, dir: &Path) -> Result<(), EngineError> {
    let status = drydock_migrate::status(connection, dir)?;
    let reason = if let Some(failed) = status.failed.first() {
        format!("The migration `{}` failed to apply.", failed.name)
    } else if let Some(edited) = status.edited_after_applied.first() {
        format!("The migration `{edited}` was modified after it was applied.")
    } else if !status.missing_locally.is_empty() {
        format!(
            "The migrations recorded in the database are missing from the migrations folder: {}.",
            status.missing_locally.join(", ")
        )
    } else {
        return Ok(());
    };
    Err(EngineError::ResetNeeded { reason })
}

/// Write the drift (`state` to `live`: model changes and objects made by hand) as a migration
/// with its down migration, and record it as applied: the database has its changes already, the
/// history now says so.
fn capture_drift(
    project: &Project,
    options: &DevOptions,
    connection: &mut dyn Connection,
    state: &SqlSchema,
    live: &SqlSchema,
    drift: &drydock_diff::Diff,
) -> Result<PathBuf, EngineError> {
    let reverse = crate::drift::drift_diff(project.dialect, live, state);
    let name = options
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or("drift");
    let up = crate::drift::drift_script(project.dialect, state, live, drift);
    let down = crate::drift::drift_script(project.dialect, live, state, &reverse);
    write_applied_migration(project, connection, name, &up, &down)
}

/// Write a migration (`up`) and its down migration (`down`), both rendered, whose changes the
/// database already has, and record it as applied.
pub(crate) fn write_applied_migration(
    project: &Project,
    connection: &mut dyn Connection,
    name: &str,
    up: &str,
    down: &str,
) -> Result<PathBuf, EngineError> {
    let dir = &project.migrations_dir;
    let folder = new_folder(dir, name)?;
    write_folder(
        &folder,
        &[
            (drydock_migrate::MIGRATION_FILE_NAME, up),
            (drydock_migrate::DOWN_FILE_NAME, down),
        ],
    )?;
    crate::conflicts::folders_written(project)?;
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    drydock_migrate::resolve_applied(connection, dir, &folder_name)?;
    Ok(folder)
}

/// Apply `up`, `down`, `up` on the shadow database (which holds `before`). The up migration
/// must apply (an error otherwise); the outer `Err` of the result says why `down` is not
/// trustworthy: it must bring back `before`, and `up` must then give the same schema again.
/// With `opaque_too`, that includes what the differ leaves alone (views, functions, triggers,
/// checks): `before` must then come from the shadow database itself.
pub(crate) fn check_round_trip(
    dialect: &dyn Dialect,
    shadow: &mut dyn Connection,
    up: &str,
    down: &str,
    before: &SqlSchema,
    namespaces: &[String],
    opaque_too: bool,
) -> Result<Result<(), String>, EngineError> {
    run_script(dialect, shadow, up).map_err(|e| EngineError::ShadowReplay {
        migration: "the new migration".to_owned(),
        message: e.message,
    })?;
    let after_up = shadow.introspect(namespaces)?;
    if let Err(e) = run_script(dialect, shadow, down) {
        return Ok(Err(format!(
            "down.sql fails on the shadow database: {}",
            e.message
        )));
    }
    let after_down = shadow.introspect(namespaces)?;
    let restored = drydock_diff::diff(before, &after_down, dialect.diff_hooks());
    if !restored.is_empty() {
        return Ok(Err(format!(
            "down.sql does not restore the previous schema; it leaves:\n{}",
            summarize(&restored.changes)
        )));
    }
    if opaque_too && let Some(names) = opaque_differences(before, &after_down) {
        return Ok(Err(format!(
            "down.sql does not restore the previous schema; these objects differ: {names}"
        )));
    }
    if let Err(e) = run_script(dialect, shadow, up) {
        return Ok(Err(format!(
            "the migration fails when applied again after down.sql: {}",
            e.message
        )));
    }
    let again = shadow.introspect(namespaces)?;
    let repeated = drydock_diff::diff(&after_up, &again, dialect.diff_hooks());
    if !repeated.is_empty() {
        return Ok(Err(format!(
            "applying the migration again after down.sql gives another schema:\n{}",
            summarize(&repeated.changes)
        )));
    }
    if opaque_too && let Some(names) = opaque_differences(&after_up, &again) {
        return Ok(Err(format!(
            "applying the migration again after down.sql gives other objects: {names}"
        )));
    }
    Ok(Ok(()))
}

/// The names of the objects the differ leaves alone that differ between `a` and `b`, if any.
fn opaque_differences(a: &SqlSchema, b: &SqlSchema) -> Option<String> {
    let differences = drydock_diff::compare_opaque(a, b);
    (!differences.is_empty()).then(|| {
        differences
            .iter()
            .map(|d| format!("`{}`", d.name))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Run `script` as deploy does: in one call, or statement by statement when it cannot run in a
/// transaction (`CREATE INDEX CONCURRENTLY` fails in a multi-statement call).
pub(crate) fn run_script(
    dialect: &dyn Dialect,
    connection: &mut dyn Connection,
    script: &str,
) -> Result<(), ScriptError> {
    if dialect.needs_no_transaction(script).is_none() {
        return connection.execute_script(script);
    }
    for range in dialect.split_statements(script) {
        if let Some(statement) = script.get(range) {
            connection.execute_script(statement)?;
        }
    }
    Ok(())
}

/// Each phase's down migration, or why it has none, from checking the phases one after the
/// other on a shadow database holding `state`. A failed check leaves the shadow database in an
/// unknown state: the phases after it are checked on a fresh one.
fn phase_downs(
    project: &Project,
    url: &str,
    shadow_url: Option<&str>,
    state: &SqlSchema,
    phases: &[Phase],
) -> Result<Vec<Result<String, String>>, EngineError> {
    let dialect = project.dialect;
    let namespaces = project.namespaces();
    let mut downs = Vec::new();
    while downs.len() < phases.len() {
        let done = downs.len();
        with_state_shadow(
            dialect,
            &project.migrations_dir,
            url,
            shadow_url,
            &namespaces,
            state,
            |shadow| check_phases(dialect, shadow, phases, done, &namespaces, &mut downs),
        )?;
    }
    Ok(downs)
}

/// Check `phases[done..]` one after the other on the shadow database (which holds the schema
/// before all phases), applying `phases[..done]` first, and push each one's down migration (or
/// why it has none) to `downs`. Stops after the first phase whose down migration fails: the
/// shadow database is then in an unknown state.
fn check_phases(
    dialect: &dyn Dialect,
    shadow: &mut dyn Connection,
    phases: &[Phase],
    done: usize,
    namespaces: &[String],
    downs: &mut Vec<Result<String, String>>,
) -> Result<(), EngineError> {
    for phase in phases.iter().take(done) {
        run_phase(dialect, shadow, phase)?;
    }
    for phase in phases.iter().skip(done) {
        let down = check_phase(dialect, shadow, phase, namespaces)?;
        let failed = down.is_err();
        downs.push(down);
        if failed {
            break;
        }
    }
    Ok(())
}

fn run_phase(
    dialect: &dyn Dialect,
    shadow: &mut dyn Connection,
    phase: &Phase,
) -> Result<(), EngineError> {
    run_script(dialect, shadow, &phase.sql).map_err(|e| EngineError::ShadowReplay {
        migration: format!("the new migration's {} phase", phase.kind.name()),
        message: e.message,
    })
}

/// Apply `phase` on the shadow database and write its down migration: the phase's `undo`, then
/// the diff from the schema `undo` leaves to the schema before the phase. The down migration is
/// then checked like a single migration's (with triggers, functions, views and checks), which
/// leaves the shadow database with the phase applied. `Err`: why there is no trustworthy down
/// migration.
fn check_phase(
    dialect: &dyn Dialect,
    shadow: &mut dyn Connection,
    phase: &Phase,
    namespaces: &[String],
) -> Result<Result<String, String>, EngineError> {
    let before = shadow.introspect(namespaces)?;
    run_phase(dialect, shadow, phase)?;
    if !phase.undo.is_empty()
        && let Err(e) = shadow.execute_script(&phase.undo)
    {
        return Ok(Err(format!(
            "undoing the phase fails on the shadow database: {}",
            e.message
        )));
    }
    let undone = shadow.introspect(namespaces)?;
    let rest = drydock_diff::diff(&undone, &before, dialect.diff_hooks());
    let rest_script = render_with_notes(dialect, &rest);
    if !rest.is_empty()
        && let Err(e) = run_script(dialect, shadow, &rest_script)
    {
        return Ok(Err(format!(
            "down.sql fails on the shadow database: {}",
            e.message
        )));
    }
    let down = with_sections(rest_script, &phase.undo, rest.is_empty());
    let checked = check_round_trip(
        dialect, shadow, &phase.sql, &down, &before, namespaces, true,
    )?;
    Ok(checked.map(|()| down))
}

/// `script` (a rendered migration) with `sections` before its first `-- Header` section;
/// `replace` drops what follows instead (the empty-migration line).
fn with_sections(script: String, sections: &str, replace: bool) -> String {
    if sections.is_empty() {
        return script;
    }
    let start = script
        .match_indices("-- ")
        .map(|(at, _)| at)
        .find(|&at| at == 0 || script[..at].ends_with('\n'))
        .unwrap_or(script.len());
    let (head, tail) = script.split_at(start);
    if replace || tail.is_empty() {
        format!("{head}{sections}")
    } else {
        format!("{head}{sections}\n{tail}")
    }
}

/// The phase whose migration file shows `warning`: what loses data or breaks the old
/// application version happens at contract; what may fail on existing rows happens first.
fn warning_phase(warning: &Warning) -> PhaseKind {
    match warning.kind {
        WarningKind::DropTable
        | WarningKind::DropColumn
        | WarningKind::DropAndRecreateColumn
        | WarningKind::EnumValuesRemoved
        | WarningKind::Renamed => PhaseKind::Contract,
        _ => PhaseKind::Expand,
    }
}

/// Write each phase as a migration folder, `<timestamp>_<name>_<phase>`, with consecutive
/// timestamps. A contract phase starts with the line `migrate deploy` holds it back by. Each
/// warning goes to the phase it concerns (the first one when that phase has no statements).
fn write_phases(
    dialect: &dyn Dialect,
    dir: &Path,
    name: &str,
    phases: &[Phase],
    downs: &[Result<String, String>],
    warnings: &[Warning],
) -> Result<Vec<(PhaseKind, PathBuf)>, EngineError> {
    let has_phase = |kind| phases.iter().any(|phase| phase.kind == kind);
    let mut written = Vec::new();
    for (index, (phase, down)) in phases.iter().zip(downs).enumerate() {
        let phase_warnings: Vec<Warning> = warnings
            .iter()
            .filter(|warning| {
                let kind = warning_phase(warning);
                kind == phase.kind || (index == 0 && !has_phase(kind))
            })
            .cloned()
            .collect();
        let blocks = render_with_notes(
            dialect,
            &drydock_diff::Diff {
                changes: Vec::new(),
                warnings: phase_warnings,
            },
        );
        let mut up = with_sections(blocks, &phase.sql, true);
        if phase.kind == PhaseKind::Contract {
            up.insert_str(0, &format!("{}\n", drydock_migrate::CONTRACT_MARKER));
        }
        let folder = new_folder(dir, &format!("{name} {}", phase.kind.name()))?;
        let mut files = vec![(drydock_migrate::MIGRATION_FILE_NAME, up.as_str())];
        if let Ok(down) = down {
            files.push((drydock_migrate::DOWN_FILE_NAME, down.as_str()));
        }
        write_folder(&folder, &files)?;
        written.push((phase.kind, folder));
    }
    Ok(written)
}

fn new_folder(dir: &Path, name: &str) -> Result<PathBuf, EngineError> {
    let existing: Vec<String> = drydock_migrate::list_migrations(dir)?
        .into_iter()
        .map(|m| m.name)
        .collect();
    let folder_name =
        drydock_migrate::new_migration_folder_name(&existing, name, chrono::Utc::now())?;
    Ok(dir.join(folder_name))
}

/// Write a migration folder with its `files` (name, text) all at once: they are written to a
/// staging folder (which listing the migrations skips), flushed to disk, and the folder is
/// renamed into place. A `migrate dev` killed meanwhile leaves no half-written migration that
/// deploy would run; the next one removes the staging folder.
pub(crate) fn write_folder(folder: &Path, files: &[(&str, &str)]) -> Result<(), EngineError> {
    let io = |what: &Path, source| {
        EngineError::Connector(drydock_connector::ConnectorError::Io {
            context: format!("can't write `{}`", what.display()),
            source,
        })
    };
    let (Some(dir), Some(name)) = (folder.parent(), folder.file_name()) else {
        return Err(io(
            folder,
            std::io::Error::other("a migration folder needs a parent"),
        ));
    };
    remove_staging_folders(dir).map_err(|e| io(dir, e))?;
    let staging = dir.join(format!(
        "{}{}",
        drydock_migrate::STAGING_PREFIX,
        name.to_string_lossy()
    ));
    std::fs::create_dir_all(&staging).map_err(|e| io(&staging, e))?;
    for (file, text) in files {
        let path = staging.join(file);
        let mut out = std::fs::File::create(&path).map_err(|e| io(&path, e))?;
        std::io::Write::write_all(&mut out, text.as_bytes())
            .and_then(|()| out.sync_all())
            .map_err(|e| io(&path, e))?;
    }
    std::fs::rename(&staging, folder).map_err(|e| io(folder, e))
}

/// Remove what killed runs left in `dir` while writing a migration folder.
fn remove_staging_folders(dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(drydock_migrate::STAGING_PREFIX)
        {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}
