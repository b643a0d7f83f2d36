//! `@default(...)`: literal values, enum values and functions checked against the field type.

use super::{Ctx, display_expr};
use crate::ast::{self, Expression};
use crate::datamodel::{Arity, DefaultValue, FieldType, Provider, ScalarType};
use drydock_diagnostics::Span;

fn type_label(ctx: &Ctx<'_>, field_type: &FieldType) -> String {
    match field_type {
        FieldType::Scalar(s) => s.as_str().to_owned(),
        FieldType::Enum(e) => ctx
            .dm
            .enum_(*e)
            .map_or_else(String::new, |e| e.name.clone()),
        FieldType::Model(m) => ctx
            .dm
            .model(*m)
            .map_or_else(String::new, |m| m.name.clone()),
        FieldType::Composite(name) => name.clone(),
        FieldType::Unsupported(_) => "Unsupported".to_owned(),
    }
}

pub(super) fn resolve_default(
    ctx: &mut Ctx<'_>,
    field_type: &FieldType,
    arity: Arity,
    value: &Expression,
    named: bool,
    attr_span: Span,
) -> Option<DefaultValue> {
    const P: &str = "Error parsing attribute \"@default\": ";
    if let Expression::Function(name, fargs, call_span) = value {
        // On an enum field only `dbgenerated()` is a function Prisma takes.
        if matches!(field_type, FieldType::Enum(_)) && name != "dbgenerated" {
            ctx.error(
                format!(
                    "{P}Expected an enum value, but found `{}`.",
                    display_expr(value)
                ),
                attr_span,
            );
            return None;
        }
        let call = (name.as_str(), fargs.as_slice(), *call_span);
        return default_function(ctx, field_type, call, named, attr_span);
    }
    // Prisma rejects any literal on an `Unsupported` field before looking at the arity.
    if matches!(field_type, FieldType::Unsupported(_)) {
        ctx.error(
            format!("{P}Only @default(dbgenerated(\"...\")) can be used for Unsupported types."),
            attr_span,
        );
        return None;
    }
    if arity != Arity::List && matches!(value, Expression::Array(..)) {
        ctx.error(
            format!("{P}The default value of a non-list field cannot be a list."),
            attr_span,
        );
        return None;
    }
    if arity == Arity::List {
        let Expression::Array(items, _) = value else {
            // Prisma reads a single value on an enum list as a wrong enum value.
            let message = if matches!(field_type, FieldType::Enum(_)) {
                format!(
                    "{P}Expected an enum value, but found `{}`.",
                    display_expr(value)
                )
            } else {
                format!("{P}The default value of a list field must be a list.")
            };
            ctx.error(message, attr_span);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(default_literal(ctx, field_type, item, attr_span)?);
        }
        return Some(DefaultValue::List(out));
    }
    default_literal(ctx, field_type, value, attr_span)
}

fn default_literal(
    ctx: &mut Ctx<'_>,
    field_type: &FieldType,
    value: &Expression,
    attr_span: Span,
) -> Option<DefaultValue> {
    const P: &str = "Error parsing attribute \"@default\": ";
    let found = display_expr(value);
    match field_type {
        FieldType::Enum(id) => {
            let Expression::Constant(c, _) = value else {
                ctx.error(
                    format!("{P}Expected an enum value, but found `{found}`."),
                    attr_span,
                );
                return None;
            };
            let known = ctx
                .dm
                .enum_(*id)
                .is_some_and(|e| e.values.iter().any(|v| &v.name == c));
            if known {
                Some(DefaultValue::EnumValue(c.clone()))
            } else {
                ctx.error(
                    format!(
                        "{P}The defined default value `{c}` is not a valid value of the enum specified for the field."
                    ),
                    attr_span,
                );
                None
            }
        }
        FieldType::Scalar(ScalarType::DateTime) if matches!(value, Expression::String(..)) => {
            let Expression::String(text, _) = value else {
                return None;
            };
            match check_rfc3339(text) {
                Ok(()) => Some(DefaultValue::String(text.clone())),
                // Prisma parses date-time defaults in its last phase.
                Err(reason) => {
                    ctx.defer(
                        format!(
                            "{P}Parse error: \"{text}\" is not a valid rfc3339 datetime string. ({reason})"
                        ),
                        value.span(),
                    );
                    None
                }
            }
        }
        FieldType::Scalar(s) => {
            if let (ScalarType::Bytes, Expression::String(text, span)) = (s, value)
                && !is_base64(text)
            {
                // Prisma checks literal contents in its last phase.
                ctx.defer(
                    format!(
                        "{P}Parse error: \"{text}\" is not a valid base64 string. (Could not convert from `base64 encoded bytes` to `PrismaValue::Bytes`)"
                    ),
                    *span,
                );
                return None;
            }
            if let (ScalarType::Json, Expression::String(text, span)) = (s, value)
                && let Err(e) = serde_json::from_str::<serde_json::Value>(text)
            {
                ctx.defer(
                    format!("{P}Parse error: \"{text}\" is not a valid JSON string. ({e})"),
                    *span,
                );
                return None;
            }
            if let (ScalarType::Int | ScalarType::BigInt, Expression::Number(n, span)) = (s, value)
                && let Err(e) = n.parse::<i64>()
            {
                ctx.defer(
                    format!("{P}Parse error: \"{n}\" is not a valid integer. ({e})"),
                    *span,
                );
                return None;
            }
            if let (ScalarType::Boolean, Expression::Constant(c, _)) = (s, value)
                && c != "true"
                && c != "false"
            {
                ctx.error(
                    format!("{P}A boolean literal must be `true` or `false`."),
                    attr_span,
                );
                return None;
            }
            let ok = match (s, value) {
                (
                    ScalarType::String
                    | ScalarType::DateTime
                    | ScalarType::Json
                    | ScalarType::Bytes,
                    Expression::String(v, _),
                ) => Some(DefaultValue::String(v.clone())),
                (ScalarType::Boolean, Expression::Constant(c, _)) if c == "true" => {
                    Some(DefaultValue::Boolean(true))
                }
                (ScalarType::Boolean, Expression::Constant(c, _)) if c == "false" => {
                    Some(DefaultValue::Boolean(false))
                }
                (ScalarType::Int | ScalarType::BigInt, Expression::Number(n, _)) => {
                    Some(DefaultValue::Number(n.clone()))
                }
                (ScalarType::Float | ScalarType::Decimal, Expression::Number(n, _)) => {
                    Some(DefaultValue::Number(n.clone()))
                }
                // Prisma parses a decimal string in its last phase.
                (ScalarType::Decimal, Expression::String(n, _)) => match check_decimal(n) {
                    Ok(()) => Some(DefaultValue::Number(n.clone())),
                    Err(reason) => {
                        ctx.defer(
                            format!(
                                "Error parsing attribute \"default\": Parse error: \"{n}\" is not a valid decimal. ({reason})"
                            ),
                            attr_span,
                        );
                        return None;
                    }
                },
                _ => None,
            };
            if ok.is_none() {
                ctx.error(
                    format!("{P}Expected a {} value, but found `{found}`.", s.as_str()),
                    attr_span,
                );
            }
            ok
        }
        // `Unsupported` is reported above.
        FieldType::Unsupported(_) | FieldType::Model(_) | FieldType::Composite(_) => None,
    }
}

/// A default function, checked as Prisma checks it: `dbgenerated()` on any field; on a
/// built-in scalar type the functions of that type, whose arguments are checked only there;
/// `auto()` and functions Prisma does not know reach the connector checks of the last phase.
fn default_function(
    ctx: &mut Ctx<'_>,
    field_type: &FieldType,
    call: (&str, &[ast::Argument], Span),
    named: bool,
    attr_span: Span,
) -> Option<DefaultValue> {
    const P: &str = "Error parsing attribute \"@default\": ";
    let (name, fargs, call_span) = call;
    if name == "dbgenerated" {
        return dbgenerated_args(ctx, fargs, attr_span);
    }
    let scalar = match field_type {
        FieldType::Scalar(s) => *s,
        FieldType::Unsupported(_) => {
            ctx.error(
                format!(
                    "{P}Only @default(dbgenerated(\"...\")) can be used for Unsupported types."
                ),
                attr_span,
            );
            return None;
        }
        _ => {
            let type_name = type_label(ctx, field_type);
            ctx.error(
                format!(
                    "{P}The function `{name}()` cannot be used on fields of type `{type_name}`."
                ),
                attr_span,
            );
            return None;
        }
    };
    if name == "autoincrement" && named {
        ctx.error(
            format!("{P}Naming an autoincrement default value is not allowed."),
            attr_span,
        );
        return None;
    }
    let cockroach = ctx.dm.provider() == Some(Provider::CockroachDb);
    match (scalar, name) {
        (ScalarType::Int | ScalarType::BigInt, "autoincrement") => {
            no_arguments(ctx, name, fargs, attr_span).then_some(DefaultValue::Autoincrement)
        }
        (ScalarType::String, "ulid") => {
            no_arguments(ctx, name, fargs, attr_span).then_some(DefaultValue::Ulid)
        }
        (ScalarType::DateTime, "now") => {
            no_arguments(ctx, name, fargs, attr_span).then_some(DefaultValue::Now)
        }
        (ScalarType::String, "uuid") => {
            let valid: (fn(u8) -> bool, _) = (|v| v == 4 || v == 7, "which is either 4 or 7");
            number_argument(ctx, name, fargs, valid, attr_span)
                .map(|v| DefaultValue::Uuid(v.unwrap_or(4)))
        }
        (ScalarType::String, "cuid") => {
            let valid: (fn(u8) -> bool, _) = (|v| v == 1 || v == 2, "which is either 1 or 2");
            number_argument(ctx, name, fargs, valid, attr_span)
                .map(|v| DefaultValue::Cuid(v.unwrap_or(1)))
        }
        (ScalarType::String, "nanoid") => {
            let valid: (fn(u8) -> bool, _) = (|v| v >= 2, "between 2 and 255");
            number_argument(ctx, name, fargs, valid, attr_span)
                .map(|length| DefaultValue::Nanoid(length.map(u32::from)))
        }
        (_, "auto") => {
            if !fargs.is_empty() {
                ctx.error(format!("{P}`auto()` takes no arguments"), attr_span);
                return None;
            }
            if ctx.dm.provider() != Some(Provider::MongoDb) {
                ctx.defer(
                    format!("{P}The current connector does not support the `auto()` function."),
                    call_span,
                );
            }
            Some(DefaultValue::Auto)
        }
        // CockroachDB's connector knows `sequence()`.
        (ScalarType::Int | ScalarType::BigInt, "sequence") if cockroach => {
            Some(DefaultValue::Sequence)
        }
        // On other types `sequence()` is a known function in the wrong place (the last arm).
        (_, name) if !(KNOWN_FUNCTIONS.contains(&name) || cockroach && name == "sequence") => {
            ctx.defer(
                format!(
                    "Unknown function in @default(): `{name}` is not known. You can read about the available functions here: https://pris.ly/d/attribute-functions"
                ),
                call_span,
            );
            None
        }
        _ => {
            ctx.error(
                format!(
                    "{P}The function `{name}()` cannot be used on fields of type `{}`.",
                    scalar.as_str()
                ),
                attr_span,
            );
            None
        }
    }
}

/// The functions Prisma's schema validation knows on every connector.
const KNOWN_FUNCTIONS: [&str; 8] = [
    "autoincrement",
    "ulid",
    "cuid",
    "dbgenerated",
    "nanoid",
    "now",
    "uuid",
    "auto",
];

/// `autoincrement()`, `ulid()`, `now()`: whether the call has no arguments.
fn no_arguments(ctx: &mut Ctx<'_>, name: &str, fargs: &[ast::Argument], attr_span: Span) -> bool {
    if fargs.is_empty() {
        return true;
    }
    ctx.error(
        format!(
            "Error parsing attribute \"@default\": The `{name}` function does not take any argument. Consider changing this default to `{name}()`."
        ),
        attr_span,
    );
    false
}

/// The number in the first argument of `uuid()`, `cuid()` (the version) or `nanoid()` (the
/// length), `Some(None)` without arguments. As in Prisma, more than one argument and an
/// argument that is not a number "take a single Int argument", and the first argument is
/// checked in any case.
fn number_argument(
    ctx: &mut Ctx<'_>,
    name: &str,
    fargs: &[ast::Argument],
    valid: (fn(u8) -> bool, &str),
    attr_span: Span,
) -> Option<Option<u8>> {
    const P: &str = "Error parsing attribute \"@default\": ";
    let single = format!("{P}`{name}()` takes a single Int argument.");
    let several = fargs.len() > 1;
    if several {
        ctx.error(single.clone(), attr_span);
    }
    let value = match fargs.first().map(|a| &a.value) {
        None => None,
        Some(Expression::Number(n, _)) => match n.parse::<u8>() {
            Ok(v) if valid.0(v) => Some(v),
            _ => {
                ctx.error(
                    format!(
                        "{P}`{name}()` takes either no argument, or a single integer argument {}.",
                        valid.1
                    ),
                    attr_span,
                );
                return None;
            }
        },
        Some(_) => {
            ctx.error(single, attr_span);
            return None;
        }
    };
    (!several).then_some(value)
}

/// `dbgenerated()` with no argument or one nonempty string (any field type).
fn dbgenerated_args(
    ctx: &mut Ctx<'_>,
    fargs: &[ast::Argument],
    attr_span: Span,
) -> Option<DefaultValue> {
    const SINGLE: &str =
        "Error parsing attribute \"@default\": `dbgenerated()` takes a single String argument";
    let several = fargs.len() > 1;
    if several {
        ctx.error(SINGLE, attr_span);
    }
    let expr = match fargs.first().map(|a| &a.value) {
        None => None,
        Some(Expression::String(s, _)) if s.is_empty() => {
            ctx.error(
                "Error parsing attribute \"@default\": dbgenerated() takes either no argument, or a single nonempty string argument.",
                attr_span,
            );
            return None;
        }
        Some(Expression::String(s, _)) => Some(s.clone()),
        Some(_) => {
            ctx.error(SINGLE, attr_span);
            return None;
        }
    };
    (!several).then_some(DefaultValue::DbGenerated(expr))
}

/// Whether a string is standard, padded base64.
fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    text.len().is_multiple_of(4)
        && padding <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// Checks a string default of a `Decimal` field (`"1.5"`, `"1."`, `"-2e3"`); the error names
/// the problem the way Prisma reports it.
fn check_decimal(text: &str) -> Result<(), &'static str> {
    if text.is_empty() {
        return Err("Failed to parse empty string");
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let valid = !(int.is_empty() && frac.is_empty())
        && digits(int)
        && digits(frac)
        && exponent.is_none_or(|e| !e.is_empty() && digits(e));
    if valid {
        Ok(())
    } else {
        Err("invalid digit found in string")
    }
}

/// Checks an RFC 3339 date-time (`2024-01-31T12:00:00.000Z`, `...+02:00`). The error names the
/// problem the way Prisma reports it.
fn check_rfc3339(text: &str) -> Result<(), &'static str> {
    const SHORT: &str = "premature end of input";
    const INVALID: &str = "input contains invalid characters";
    const RANGE: &str = "input is out of range";
    let b = text.as_bytes();
    let mut i = 0;
    let number = |len: usize, i: &mut usize| -> Result<u32, &'static str> {
        // Like chrono, too few bytes left is a short input whatever they are.
        if b.len().saturating_sub(*i) < len {
            return Err(SHORT);
        }
        let mut v = 0u32;
        for _ in 0..len {
            let c = *b.get(*i).ok_or(SHORT)?;
            if !c.is_ascii_digit() {
                return Err(INVALID);
            }
            v = v * 10 + u32::from(c - b'0');
            *i += 1;
        }
        Ok(v)
    };
    let expect = |c: &[u8], i: &mut usize| -> Result<(), &'static str> {
        match b.get(*i) {
            None => Err(SHORT),
            Some(x) if c.contains(x) => {
                *i += 1;
                Ok(())
            }
            Some(_) => Err(INVALID),
        }
    };
    number(4, &mut i)?;
    expect(b"-", &mut i)?;
    let month = number(2, &mut i)?;
    expect(b"-", &mut i)?;
    let day = number(2, &mut i)?;
    expect(b"Tt ", &mut i)?;
    let hour = number(2, &mut i)?;
    expect(b":", &mut i)?;
    let minute = number(2, &mut i)?;
    expect(b":", &mut i)?;
    let second = number(2, &mut i)?;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(if i >= b.len() { SHORT } else { INVALID });
        }
    }
    match b.get(i) {
        None => return Err(SHORT),
        Some(b'Z' | b'z') => i += 1,
        Some(b'+' | b'-') => {
            i += 1;
            let offset_hours = number(2, &mut i)?;
            expect(b":", &mut i)?;
            let offset_minutes = number(2, &mut i)?;
            if offset_hours > 23 || offset_minutes > 59 {
                return Err(RANGE);
            }
        }
        Some(_) => return Err(INVALID),
    }
    if i != b.len() {
        return Err("trailing input");
    }
    let in_range = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if in_range { Ok(()) } else { Err(RANGE) }
}

#[cfg(test)]
mod tests {
    use super::{check_decimal, check_rfc3339};

    #[test]
    fn rfc3339_errors_match_prisma_wording() {
        assert_eq!(check_rfc3339("2024-01-01T00:00:00Z"), Ok(()));
        assert_eq!(check_rfc3339("2024-01-01T00:00:00.123+02:00"), Ok(()));
        assert_eq!(check_rfc3339("2024-01-01"), Err("premature end of input"));
        // Fewer bytes than digits expected is short, whatever they are.
        assert_eq!(check_rfc3339("x"), Err("premature end of input"));
        assert_eq!(check_rfc3339("2024-01-0"), Err("premature end of input"));
        assert_eq!(
            check_rfc3339("2024-1-01T00:00:00Z"),
            Err("input contains invalid characters")
        );
        assert_eq!(
            check_rfc3339("yesterday"),
            Err("input contains invalid characters")
        );
        assert_eq!(
            check_rfc3339("2024-13-01T00:00:00Z"),
            Err("input is out of range")
        );
        assert_eq!(
            check_rfc3339("2024-01-01T00:00:00Zx"),
            Err("trailing input")
        );
    }

    #[test]
    fn base64_strings() {
        assert!(super::is_base64("AQID"));
        assert!(super::is_base64("Cg=="));
        assert!(super::is_base64(""));
        assert!(!super::is_base64("!!!"));
        assert!(!super::is_base64("Cg="));
    }

    #[test]
    fn decimal_strings() {
        assert_eq!(check_decimal("1.5"), Ok(()));
        assert_eq!(check_decimal("-10"), Ok(()));
        assert_eq!(check_decimal("1."), Ok(()));
        assert_eq!(check_decimal("1e5"), Ok(()));
        assert_eq!(check_decimal("abc"), Err("invalid digit found in string"));
        assert_eq!(check_decimal("1.2.3"), Err("invalid digit found in string"));
        assert_eq!(check_decimal(""), Err("Failed to parse empty string"));
    }
}
