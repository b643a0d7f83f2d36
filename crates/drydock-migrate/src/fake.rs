//! An in-memory [`Connection`] for unit tests of the history protocol: statements are pieces of
//! the script ending in `;`, a statement containing `FAIL` fails (without a position when it
//! also contains `NOPOS`), a statement containing `BUSY` times out waiting for a lock (SQLSTATE
//! 55P03) while `lock_timeouts_left` is above zero, `CREATE TABLE` makes the database non-empty. Real databases are
//! covered by the integration tests.

use drydock_connector::{
    Connection, ConnectorError, HistoryRow, Introspect, MigrationHistory, MigrationLock,
    PreflightFacts, Privilege, RowCount, RunScripts, ScriptError, SessionControl, SessionLimits,
    StatementCanceller, Storage,
};
use drydock_schema::SqlSchema;

/// The error code of a lock timeout, as on PostgreSQL.
pub(crate) const LOCK_TIMEOUT_CODE: &str = "55P03";

#[derive(Debug, Default)]
pub(crate) struct FakeConnection {
    /// `None` while `_prisma_migrations` does not exist.
    pub(crate) history: Option<Vec<HistoryRow>>,
    /// Statements that took effect.
    pub(crate) executed: Vec<String>,
    pub(crate) locked: bool,
    pub(crate) lock_count: usize,
    /// How many more `BUSY` statements time out waiting for a lock.
    pub(crate) lock_timeouts_left: usize,
    /// The limits set by the last `set_session_limits`.
    pub(crate) limits: Option<SessionLimits>,
}

impl FakeConnection {
    /// Run the statements of `script` until one fails; return what took effect.
    fn run(&mut self, script: &str) -> (Vec<String>, Option<ScriptError>) {
        let mut done = Vec::new();
        let mut offset = 0;
        for statement in script.split_inclusive(';') {
            let trimmed = statement.trim();
            if statement.contains("BUSY") && self.lock_timeouts_left > 0 {
                self.lock_timeouts_left -= 1;
                let error = ScriptError {
                    message: "canceling statement due to lock timeout".into(),
                    db_code: Some(LOCK_TIMEOUT_CODE.into()),
                    position: None,
                    statements_done: Some(done.len()),
                };
                return (done, Some(error));
            }
            if let Some(at) = statement.find("FAIL") {
                let error = ScriptError {
                    message: format!("statement failed: {trimmed}"),
                    db_code: Some("42000".into()),
                    position: (!statement.contains("NOPOS")).then_some(offset + at),
                    statements_done: Some(done.len()),
                };
                return (done, Some(error));
            }
            if !trimmed.is_empty() {
                done.push(trimmed.to_owned());
            }
            offset += statement.len();
        }
        (done, None)
    }

    fn history_mut(&mut self) -> Result<&mut Vec<HistoryRow>, ConnectorError> {
        self.history
            .as_mut()
            .ok_or_else(|| ConnectorError::query("relation \"_prisma_migrations\" does not exist"))
    }

    /// Run `script` outside the migration machinery, as a user would.
    pub(crate) fn execute_script_for_test(&mut self, script: &str) {
        let (done, _) = self.run(script);
        self.executed.extend(done);
    }

    pub(crate) fn rows(&self) -> &[HistoryRow] {
        self.history.as_deref().unwrap_or_default()
    }
}

/// Offers no capability: the history protocol runs without them.
impl Connection for FakeConnection {}

impl RunScripts for FakeConnection {
    fn execute_script(&mut self, script: &str) -> Result<(), ScriptError> {
        let (done, error) = self.run(script);
        self.executed.extend(done);
        error.map_or(Ok(()), Err)
    }

    fn execute_counted(&mut self, statement: &str) -> Result<u64, ScriptError> {
        self.execute_script(statement).map(|()| 1)
    }

    fn abort_open_transaction(&mut self) -> Result<bool, ConnectorError> {
        Ok(false)
    }

    fn query_texts(&mut self, _sql: &str) -> Result<Vec<Option<String>>, ConnectorError> {
        Ok(Vec::new())
    }

    fn canceller(&mut self) -> Result<std::sync::Arc<dyn StatementCanceller>, ConnectorError> {
        Err(ConnectorError::query(
            "the fake connection runs no statement to cancel",
        ))
    }
}

impl Introspect for FakeConnection {
    fn introspect(&mut self, _namespaces: &[String]) -> Result<SqlSchema, ConnectorError> {
        Err(ConnectorError::query(
            "the fake connection does not introspect",
        ))
    }

    fn server_version(&mut self) -> Result<String, ConnectorError> {
        Ok("fake".into())
    }

    fn has_user_tables(&mut self) -> Result<bool, ConnectorError> {
        Ok(self.executed.iter().any(|s| s.starts_with("CREATE TABLE")))
    }

    fn reset(&mut self) -> Result<(), ConnectorError> {
        self.history = None;
        self.executed.clear();
        Ok(())
    }
}

impl MigrationHistory for FakeConnection {
    fn history_table_exists(&mut self) -> Result<bool, ConnectorError> {
        Ok(self.history.is_some())
    }

    fn create_history_table(&mut self) -> Result<(), ConnectorError> {
        self.history.get_or_insert_with(Vec::new);
        Ok(())
    }

    fn read_history(&mut self) -> Result<Vec<HistoryRow>, ConnectorError> {
        Ok(self.history_mut()?.clone())
    }

    fn insert_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        self.history_mut()?.push(row.clone());
        Ok(())
    }

    fn update_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError> {
        let stored = self
            .history_mut()?
            .iter_mut()
            .find(|r| r.id == row.id)
            .ok_or_else(|| ConnectorError::query("no such history row"))?;
        stored.checksum = row.checksum.clone();
        stored.finished_at = row.finished_at;
        stored.logs = row.logs.clone();
        stored.rolled_back_at = row.rolled_back_at;
        stored.applied_steps_count = row.applied_steps_count;
        Ok(())
    }

    fn apply_in_transaction(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        let (done, error) = self.run(script);
        if let Some(error) = error {
            return Err(error);
        }
        self.history_mut()
            .map_err(ScriptError::from_connector)?
            .push(row.clone());
        self.executed.extend(done);
        Ok(())
    }

    fn execute_and_record(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError> {
        let (done, error) = self.run(script);
        if let Some(error) = error {
            return Err(error);
        }
        self.update_history_row(row)
            .map_err(ScriptError::from_connector)?;
        self.executed.extend(done);
        Ok(())
    }
}

impl MigrationLock for FakeConnection {
    fn lock_migrations(&mut self, _timeout_secs: u64) -> Result<Vec<String>, ConnectorError> {
        assert!(!self.locked, "lock taken twice");
        self.locked = true;
        self.lock_count += 1;
        Ok(Vec::new())
    }

    fn unlock_migrations(&mut self) -> Result<(), ConnectorError> {
        self.locked = false;
        Ok(())
    }
}

impl SessionControl for FakeConnection {
    fn set_session_limits(&mut self, limits: &SessionLimits) -> Result<(), ConnectorError> {
        self.limits = Some(*limits);
        Ok(())
    }
}

impl PreflightFacts for FakeConnection {
    fn privileges(&mut self) -> Result<Vec<Privilege>, ConnectorError> {
        Ok(Vec::new())
    }

    fn storage(&mut self) -> Result<Storage, ConnectorError> {
        Ok(Storage::default())
    }

    fn count_rows(&mut self, _question: &RowCount<'_>) -> Result<u64, ConnectorError> {
        Err(ConnectorError::query("the fake connection holds no rows"))
    }
}
