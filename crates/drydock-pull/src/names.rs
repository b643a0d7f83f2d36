//! Names: turning database identifiers into schema-language identifiers the way Prisma's
//! introspection does, and Prisma's default constraint names, which decide when a `map:` is
//! needed.

/// Scalar type names and names Prisma Client reserves: a model or enum may not take them.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "String",
    "Boolean",
    "Int",
    "BigInt",
    "Float",
    "Decimal",
    "DateTime",
    "Json",
    "Bytes",
    "Unsupported",
    "PrismaClient",
    "Prisma",
];

/// Whether `name` is an identifier of the schema language: `[A-Za-z][A-Za-z0-9_]*`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Prisma's sanitizing of a database name: leading characters that are no ASCII letter are
/// dropped, every other character that cannot appear in an identifier becomes `_`. Empty when
/// nothing is left.
pub(crate) fn sanitize(name: &str) -> String {
    if is_identifier(name) {
        return name.to_owned();
    }
    name.trim_start_matches(|c: char| !c.is_ascii_alphabetic())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Whether a model or enum may not be called `name`.
pub(crate) fn is_reserved_type_name(name: &str) -> bool {
    RESERVED_TYPE_NAMES.contains(&name)
}

/// Cuts `base` so that `base + suffix` fits in `limit` bytes (on a character boundary), as
/// Prisma does for default constraint names.
pub(crate) fn fit_name(base: &str, suffix: &str, limit: usize) -> String {
    let max = limit.saturating_sub(suffix.len());
    let mut cut = base.len().min(max);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &base[..cut])
}

/// Prisma's default name of a constraint: `{table}_{col1}_{col2}{suffix}`, truncated.
pub(crate) fn constraint_name<S: AsRef<str>>(
    table: &str,
    columns: &[S],
    suffix: &str,
    limit: usize,
) -> String {
    let mut base = table.to_owned();
    for column in columns {
        base.push('_');
        base.push_str(column.as_ref());
    }
    fit_name(&base, suffix, limit)
}

/// A schema-language string literal: quotes, with `"`, `\` and control characters escaped.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_like_prisma() {
        assert_eq!(sanitize("User"), "User");
        assert_eq!(sanitize("user-profile"), "user_profile");
        assert_eq!(sanitize("_Secret"), "Secret");
        assert_eq!(sanitize("1st place"), "st_place");
        assert_eq!(sanitize("123"), "");
        assert!(is_identifier("a_1"));
        assert!(!is_identifier("_a"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn default_names_are_truncated() {
        assert_eq!(
            constraint_name(
                "post_translations",
                &["post_id", "language_code", "translation_status_id"],
                "_idx",
                63
            ),
            "post_translations_post_id_language_code_translation_status__idx"
        );
        assert_eq!(fit_name("User", "_pkey", 63), "User_pkey");
    }

    #[test]
    fn quotes_strings() {
        assert_eq!(quote(r#"it's "x" \ y"#), r#""it's \"x\" \\ y""#);
    }
}
