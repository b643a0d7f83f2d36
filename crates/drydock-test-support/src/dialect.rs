//! Checks of a dialect's script handling through the [`Dialect`] API: statement splitting,
//! the scripts that cannot run inside a transaction, and SQL written for any dialect.

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

/// `sql`, written with `"` around identifiers (and `'` around strings), in the identifier quotes
/// of `dialect`: backticks where `"..."` is a string (MySQL without `ANSI_QUOTES`).
pub fn quoted_for(dialect: &dyn Dialect, sql: &str) -> String {
    if dialect.lexical_rules().double_quoted_strings {
        sql.replace('"', "`")
    } else {
        sql.to_owned()
    }
}
