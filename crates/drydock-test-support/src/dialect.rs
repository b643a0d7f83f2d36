//! Checks of a dialect's script handling through the [`Dialect`] API: statement splitting and
//! the scripts that cannot run inside a transaction.

use drydock_connector::Dialect;

/// The statements `dialect` splits `script` into, as text.
pub fn statement_texts<'s>(dialect: &dyn Dialect, script: &'s str) -> Vec<&'s str> {
    dialect
        .split_statements(script)
        .into_iter()
        .map(|range| &script[range])
        .collect()
}

/// Every script of `outside` needs to run outside a transaction; none of `inside` does.
///
/// # Panics
///
/// Naming the first script judged wrongly.
pub fn assert_transactions(dialect: &dyn Dialect, outside: &[&str], inside: &[&str]) {
    for script in outside {
        assert!(dialect.needs_no_transaction(script).is_some(), "{script}");
    }
    for script in inside {
        assert_eq!(dialect.needs_no_transaction(script), None, "{script}");
    }
}
