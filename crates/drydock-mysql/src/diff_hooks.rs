//! MySQL's answers to the differ. `ALTER TABLE` changes every column and key in place;
//! indexes are renamed (`RENAME INDEX`, MySQL 5.7+ and MariaDB 10.5.2+) but foreign keys are
//! not (dropped and added again); a new table's indexes live in its `CREATE TABLE`; the
//! server indexes each foreign key itself, so an index a foreign key relies on is never dropped
//! on its own. Types compare by what they are ([`MySqlType`]): `TINYINT(1)` is `BOOLEAN`, a
//! display width means nothing, an enum is its values.

use drydock_diff::{DiffHooks, TableChange, TypeChange};
use drydock_schema::{Column, DefaultValue, Table, TypeFamily};

use crate::types::MySqlType;

/// The differ hooks of MySQL and MariaDB.
#[derive(Debug, Default, Clone, Copy)]
pub struct MySqlDiffHooks;

impl DiffHooks for MySqlDiffHooks {
    fn column_type_change(&self, from: &Column, to: &Column) -> Option<TypeChange> {
        let (previous, next) = (&from.column_type, &to.column_type);
        let unsupported = |family: &TypeFamily| *family == TypeFamily::Unsupported;
        if unsupported(&previous.family) || unsupported(&next.family) {
            return (!previous.native.eq_ignore_ascii_case(&next.native))
                .then_some(TypeChange::RiskyCast);
        }
        match (
            MySqlType::parse(&previous.native),
            MySqlType::parse(&next.native),
        ) {
            (Some(previous), Some(next)) => native_type_change(&previous, &next),
            _ => (previous.native != next.native).then_some(TypeChange::RiskyCast),
        }
    }

    /// MySQL reads a number back in its column's spelling (`1.50`, `2.5E0` is not one of
    /// them: only decimal digits), so numbers compare by value.
    fn same_default(&self, _column: &Column, from: &DefaultValue, to: &DefaultValue) -> bool {
        match (from, to) {
            (DefaultValue::Number(a), DefaultValue::Number(b)) => {
                normalized_number(a).is_some_and(|a| Some(a) == normalized_number(b))
            }
            _ => false,
        }
    }

    fn alters_in_place(&self, _table: &Table, _change: &TableChange) -> bool {
        true
    }

    fn foreign_keys_alter_in_place(&self) -> bool {
        true
    }

    fn renames_indexes(&self) -> bool {
        true
    }

    fn compares_foreign_key_names(&self) -> bool {
        true
    }

    fn renames_foreign_keys(&self) -> bool {
        false
    }

    fn creates_indexes_with_table(&self) -> bool {
        true
    }

    fn indexes_foreign_keys(&self) -> bool {
        true
    }
}

/// A decimal number without the digits that do not change its value: `+01.50` is `1.5`,
/// `-0.0` is `0`; `None` for anything but decimal digits with an optional sign and point.
fn normalized_number(text: &str) -> Option<String> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let mut out = String::new();
    if negative && !(whole.is_empty() && fraction.is_empty()) {
        out.push('-');
    }
    out.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    Some(out)
}

/// What a type is, for judging a change between two: the values it holds, roughly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An integer with its range as bits and sign.
    Integer {
        bits: u32,
        unsigned: bool,
    },
    Fraction,
    /// Character data of at most this many characters (`u32::MAX` for the text types).
    Text(u32),
    /// Bytes of at most this many bytes.
    Binary(u32),
    Temporal,
    Json,
    Enum,
}

fn kind(t: &MySqlType) -> Kind {
    const LONG: u32 = u32::MAX;
    let integer = |bits, unsigned| Kind::Integer { bits, unsigned };
    match t {
        MySqlType::Boolean => integer(1, true),
        MySqlType::TinyInt { unsigned } => integer(8, *unsigned),
        MySqlType::SmallInt { unsigned } => integer(16, *unsigned),
        MySqlType::MediumInt { unsigned } => integer(24, *unsigned),
        MySqlType::Int { unsigned } => integer(32, *unsigned),
        MySqlType::BigInt { unsigned } => integer(64, *unsigned),
        MySqlType::Year => integer(16, true),
        MySqlType::Bit(n) => integer(*n, true),
        MySqlType::Decimal(_) | MySqlType::Float | MySqlType::Double => Kind::Fraction,
        MySqlType::Char(n) | MySqlType::VarChar(n) => Kind::Text(*n),
        MySqlType::TinyText => Kind::Text(255),
        MySqlType::Text => Kind::Text(65_535),
        MySqlType::MediumText | MySqlType::LongText => Kind::Text(LONG),
        MySqlType::Binary(n) | MySqlType::VarBinary(n) => Kind::Binary(*n),
        MySqlType::TinyBlob => Kind::Binary(255),
        MySqlType::Blob => Kind::Binary(65_535),
        MySqlType::MediumBlob | MySqlType::LongBlob => Kind::Binary(LONG),
        MySqlType::Date | MySqlType::Time(_) | MySqlType::DateTime(_) | MySqlType::Timestamp(_) => {
            Kind::Temporal
        }
        MySqlType::Json => Kind::Json,
        MySqlType::Enum(_) => Kind::Enum,
    }
}

/// `t` with the precision a time type without one has (`TIMESTAMP` is `TIMESTAMP(0)`).
fn with_precision(t: &MySqlType) -> MySqlType {
    match t {
        MySqlType::Time(None) => MySqlType::Time(Some(0)),
        MySqlType::DateTime(None) => MySqlType::DateTime(Some(0)),
        MySqlType::Timestamp(None) => MySqlType::Timestamp(Some(0)),
        other => other.clone(),
    }
}

/// How `previous` becomes `next`, after Prisma's MySQL differ: widening is safe, narrowing
/// risky, and a few conversions MySQL refuses outright (numbers and JSON to dates, dates to
/// numbers) drop and recreate the column.
fn native_type_change(previous: &MySqlType, next: &MySqlType) -> Option<TypeChange> {
    use TypeChange::{NotCastable, RiskyCast, SafeCast};
    if with_precision(previous) == with_precision(next) {
        return None;
    }
    if let (MySqlType::Enum(previous), MySqlType::Enum(next)) = (previous, next) {
        // Appending or reordering values keeps every row's value; removing one may not.
        return Some(if previous.iter().all(|value| next.contains(value)) {
            SafeCast
        } else {
            RiskyCast
        });
    }
    let precision = |t: &MySqlType| t.timestamp_precision().unwrap_or(0);
    Some(match (kind(previous), kind(next)) {
        (
            Kind::Integer {
                bits: a,
                unsigned: ua,
            },
            Kind::Integer {
                bits: b,
                unsigned: ub,
            },
        ) => {
            // An unsigned range fits a signed one only with a bit to spare.
            let fits = match (ua, ub) {
                (false, true) => false,
                (true, false) => a < b,
                _ => a <= b,
            };
            if fits { SafeCast } else { RiskyCast }
        }
        (Kind::Integer { .. }, Kind::Fraction | Kind::Text(_)) => SafeCast,
        (Kind::Fraction, Kind::Fraction) => match (previous, next) {
            (MySqlType::Float, MySqlType::Double) => SafeCast,
            _ => RiskyCast,
        },
        (Kind::Fraction, Kind::Integer { .. }) => RiskyCast,
        (Kind::Text(a) | Kind::Binary(a), Kind::Text(b) | Kind::Binary(b)) => {
            if a <= b {
                SafeCast
            } else {
                RiskyCast
            }
        }
        (Kind::Temporal, Kind::Temporal) => match (previous, next) {
            (MySqlType::DateTime(_), MySqlType::DateTime(_))
            | (MySqlType::Timestamp(_), MySqlType::Timestamp(_))
            | (MySqlType::Time(_), MySqlType::Time(_))
                if precision(previous) <= precision(next) =>
            {
                SafeCast
            }
            (MySqlType::Date, MySqlType::DateTime(_) | MySqlType::Timestamp(_)) => SafeCast,
            _ => RiskyCast,
        },
        (Kind::Temporal | Kind::Fraction | Kind::Enum, Kind::Text(_)) => SafeCast,
        (Kind::Integer { .. } | Kind::Fraction | Kind::Json, Kind::Temporal)
        | (Kind::Temporal, Kind::Integer { .. } | Kind::Fraction | Kind::Json)
        | (Kind::Integer { .. } | Kind::Fraction, Kind::Json) => NotCastable,
        _ => RiskyCast,
    })
}

#[cfg(test)]
mod tests {
    use drydock_diff::{DiffHooks, TypeChange};
    use drydock_schema::{DefaultValue, ObjectName, TypeFamily};
    use drydock_test_support::schema::col;

    use super::MySqlDiffHooks;

    fn change(from: (TypeFamily, &str), to: (TypeFamily, &str)) -> Option<TypeChange> {
        MySqlDiffHooks.column_type_change(&col("c", from.0, from.1), &col("c", to.0, to.1))
    }

    #[test]
    fn spellings_of_one_type_are_no_change() {
        use TypeFamily::{Boolean, Int};
        assert_eq!(change((Boolean, "BOOLEAN"), (Boolean, "TINYINT(1)")), None);
        assert_eq!(change((Int, "INTEGER"), (Int, "int(11)")), None);
        assert_eq!(
            change((Int, "INTEGER UNSIGNED"), (Int, "int(10) unsigned")),
            None
        );
    }

    #[test]
    fn enums_compare_by_values() {
        let role = TypeFamily::Enum(ObjectName::new(None, "Role"));
        // Introspection names a column's enum after the table and column.
        let read = TypeFamily::Enum(ObjectName::new(None, "User_role"));
        assert_eq!(
            change(
                (read.clone(), "ENUM('A','B')"),
                (role.clone(), "ENUM('A','B')")
            ),
            None
        );
        assert_eq!(
            change(
                (read.clone(), "ENUM('A','B')"),
                (role.clone(), "ENUM('A','B','C')")
            ),
            Some(TypeChange::SafeCast)
        );
        assert_eq!(
            change((read, "ENUM('A','B')"), (role, "ENUM('A')")),
            Some(TypeChange::RiskyCast)
        );
    }

    #[test]
    fn widening_is_safe_and_narrowing_risky() {
        use TypeFamily::{BigInt, DateTime, Int, Json, String};
        let cases = [
            (
                (Int, "INTEGER"),
                (BigInt, "BIGINT"),
                Some(TypeChange::SafeCast),
            ),
            (
                (BigInt, "BIGINT"),
                (Int, "INTEGER"),
                Some(TypeChange::RiskyCast),
            ),
            (
                (Int, "INTEGER UNSIGNED"),
                (BigInt, "BIGINT"),
                Some(TypeChange::SafeCast),
            ),
            (
                (Int, "INTEGER UNSIGNED"),
                (Int, "INTEGER"),
                Some(TypeChange::RiskyCast),
            ),
            (
                (String, "VARCHAR(191)"),
                (String, "VARCHAR(255)"),
                Some(TypeChange::SafeCast),
            ),
            (
                (String, "VARCHAR(255)"),
                (String, "VARCHAR(10)"),
                Some(TypeChange::RiskyCast),
            ),
            (
                (String, "VARCHAR(191)"),
                (String, "TEXT"),
                Some(TypeChange::SafeCast),
            ),
            (
                (String, "LONGTEXT"),
                (String, "VARCHAR(191)"),
                Some(TypeChange::RiskyCast),
            ),
            (
                (DateTime, "DATETIME(3)"),
                (DateTime, "DATETIME(6)"),
                Some(TypeChange::SafeCast),
            ),
            (
                (DateTime, "DATETIME(6)"),
                (DateTime, "DATETIME(3)"),
                Some(TypeChange::RiskyCast),
            ),
            (
                (Int, "INTEGER"),
                (DateTime, "DATETIME(3)"),
                Some(TypeChange::NotCastable),
            ),
            (
                (Int, "INTEGER"),
                (Json, "JSON"),
                Some(TypeChange::NotCastable),
            ),
            (
                (String, "VARCHAR(191)"),
                (Json, "JSON"),
                Some(TypeChange::RiskyCast),
            ),
        ];
        for (from, to, expected) in cases {
            assert_eq!(
                change(from.clone(), to.clone()),
                expected,
                "{from:?} -> {to:?}"
            );
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        let number = |n: &str| DefaultValue::Number(n.to_owned());
        let column = col("c", TypeFamily::Decimal, "DECIMAL(10,2)");
        for (a, b) in [
            ("1.5", "1.50"),
            ("+01.0", "1"),
            ("-0.00", "0"),
            (".5", "0.5"),
        ] {
            assert!(
                MySqlDiffHooks.same_default(&column, &number(a), &number(b)),
                "{a} {b}"
            );
        }
        for (a, b) in [("1.5", "1.05"), ("1", "-1"), ("1e2", "100"), ("", "0")] {
            assert!(
                !MySqlDiffHooks.same_default(&column, &number(a), &number(b)),
                "{a} {b}"
            );
        }
        let text = DefaultValue::String("1.5".to_owned());
        assert!(!MySqlDiffHooks.same_default(&column, &text, &number("1.50")));
    }

    #[test]
    fn unsupported_types_compare_by_text() {
        let geometry = (TypeFamily::Unsupported, "geometry");
        assert_eq!(
            change(geometry.clone(), (TypeFamily::Unsupported, "GEOMETRY")),
            None
        );
        assert_eq!(
            change(geometry, (TypeFamily::Unsupported, "point")),
            Some(TypeChange::RiskyCast)
        );
    }
}
