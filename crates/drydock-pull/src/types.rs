//! Column types and defaults in the schema language: the scalar type of a [`TypeFamily`], the
//! `@db.*` attribute when the native type is not the provider's default for that scalar, and
//! `@default(...)` arguments.

use drydock_schema::{DefaultValue, LoweringRules, TypeFamily};

use crate::names::quote;

/// The scalar type name of a family; `None` for enums and unsupported types.
pub(crate) fn scalar_name(family: &TypeFamily) -> Option<&'static str> {
    Some(match family {
        TypeFamily::String => "String",
        TypeFamily::Boolean => "Boolean",
        TypeFamily::Int => "Int",
        TypeFamily::BigInt => "BigInt",
        TypeFamily::Float => "Float",
        TypeFamily::Decimal => "Decimal",
        TypeFamily::DateTime => "DateTime",
        TypeFamily::Json => "Json",
        TypeFamily::Bytes => "Bytes",
        TypeFamily::Enum(_) | TypeFamily::Unsupported => return None,
    })
}

/// The family of a scalar type name (`String`...).
pub(crate) fn family_named(name: &str) -> Option<TypeFamily> {
    [
        TypeFamily::String,
        TypeFamily::Boolean,
        TypeFamily::Int,
        TypeFamily::BigInt,
        TypeFamily::Float,
        TypeFamily::Decimal,
        TypeFamily::DateTime,
        TypeFamily::Json,
        TypeFamily::Bytes,
    ]
    .into_iter()
    .find(|family| scalar_name(family) == Some(name))
}

/// How a default is written: the argument of `@default(...)`.
pub(crate) fn default_argument(
    value: &DefaultValue,
    family: &TypeFamily,
    rules: &dyn LoweringRules,
    enum_value: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    Some(match value {
        DefaultValue::Expression(expression) if rules.is_now_expression(expression) => {
            "now()".to_owned()
        }
        DefaultValue::String(text) if *family == TypeFamily::DateTime => {
            quote(&rfc3339(text).unwrap_or_else(|| text.clone()))
        }
        DefaultValue::String(text) => quote(text),
        DefaultValue::Number(number) => number.clone(),
        DefaultValue::Boolean(value) => value.to_string(),
        DefaultValue::Bytes(hex) => quote(&hex_to_base64(hex)?),
        DefaultValue::EnumValue(value) => enum_value(value)?,
        DefaultValue::Now => "now()".to_owned(),
        DefaultValue::List(items) => {
            let items: Option<Vec<String>> = items
                .iter()
                .map(|item| default_argument(item, family, rules, enum_value))
                .collect();
            format!("[{}]", items?.join(", "))
        }
        DefaultValue::Expression(expression) => format!("dbgenerated({})", quote(expression)),
    })
}

/// `2020-01-01 00:00:00 +00:00` (the canonical spelling) as RFC 3339, which Prisma expects in
/// `DateTime` defaults.
fn rfc3339(text: &str) -> Option<String> {
    let canonical = drydock_schema::canonical_datetime_literal(text)?;
    chrono::DateTime::parse_from_str(&canonical, "%Y-%m-%d %H:%M:%S%.f %:z")
        .ok()
        .map(|parsed| parsed.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// Lower-case or upper-case hex as standard base64 with padding, the spelling of `Bytes`
/// defaults. `None` when `hex` is not hex.
fn hex_to_base64(hex: &str) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    let bytes = bytes?;
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_dates() {
        assert_eq!(hex_to_base64("010203").as_deref(), Some("AQID"));
        assert_eq!(hex_to_base64("0a").as_deref(), Some("Cg=="));
        assert_eq!(hex_to_base64("0a0b").as_deref(), Some("Cgs="));
        assert_eq!(hex_to_base64("zz"), None);
        assert_eq!(
            rfc3339("2020-01-01 00:00:00 +00:00").as_deref(),
            Some("2020-01-01T00:00:00Z")
        );
    }
}
