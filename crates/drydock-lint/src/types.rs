//! What changing a column's type does to its table: nothing but a catalog update
//! (binary-coercible), a rewrite, or a rewrite that can cut values (narrowing). Types are read
//! from their SQL spelling, so every spelling of one type compares equal.

/// A column type, as far as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    Text,
    /// `varchar(n)`, `None` when unbounded.
    Varchar(Option<u64>),
    Char(u64),
    /// An integer of this many bytes.
    Int(u8),
    /// `numeric(precision, scale)`, `None` when unconstrained.
    Numeric(Option<(u64, u64)>),
    /// A float of this many bytes.
    Float(u8),
    Other(String),
}

/// What a type change does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeChange {
    /// Binary-coercible: the table is not rewritten.
    InPlace,
    /// The table and its indexes are rewritten; every value fits the new type.
    Rewrite,
    /// The table is rewritten and values can be cut or refused; says why.
    Narrowing(String),
    /// The column's current type is unknown (it was not created in the files read).
    Unknown,
}

/// Compares the column's type before (when known) and after.
pub(crate) fn compare(old: Option<&str>, new: &str, has_using: bool) -> TypeChange {
    let Some(old) = old else {
        return TypeChange::Unknown;
    };
    let change = compare_types(&parse(old), &parse(new), old, new);
    if has_using && change == TypeChange::InPlace {
        // `USING` computes every value again.
        return TypeChange::Rewrite;
    }
    change
}

fn compare_types(old: &Ty, new: &Ty, old_text: &str, new_text: &str) -> TypeChange {
    let narrowing = || TypeChange::Narrowing(format!("`{old_text}` to `{new_text}`"));
    match (old, new) {
        (a, b) if a == b => TypeChange::InPlace,
        (Ty::Varchar(Some(n)), Ty::Varchar(Some(m))) => {
            if m >= n {
                TypeChange::InPlace
            } else {
                narrowing()
            }
        }
        (Ty::Varchar(_) | Ty::Text, Ty::Varchar(None) | Ty::Text) => TypeChange::InPlace,
        (Ty::Varchar(_) | Ty::Text | Ty::Char(_), Ty::Varchar(Some(_)) | Ty::Char(_)) => {
            match (old, new) {
                (Ty::Char(n) | Ty::Varchar(Some(n)), Ty::Varchar(Some(m)) | Ty::Char(m))
                    if m >= n =>
                {
                    TypeChange::Rewrite
                }
                _ => narrowing(),
            }
        }
        (Ty::Int(a), Ty::Int(b)) => {
            if b < a {
                narrowing()
            } else {
                TypeChange::Rewrite
            }
        }
        (Ty::Numeric(Some((p, s))), Ty::Numeric(Some((p2, s2)))) => {
            if s2 == s && p2 >= p {
                TypeChange::InPlace
            } else if s2 < s || p2 - s2.min(p2) < p - s.min(p) {
                narrowing()
            } else {
                TypeChange::Rewrite
            }
        }
        (Ty::Numeric(_), Ty::Numeric(None)) => TypeChange::InPlace,
        (Ty::Numeric(None), Ty::Numeric(Some(_)))
        | (Ty::Numeric(_) | Ty::Float(_), Ty::Int(_))
        | (Ty::Int(8) | Ty::Numeric(_), Ty::Float(_)) => narrowing(),
        (Ty::Float(a), Ty::Float(b)) if b < a => narrowing(),
        (Ty::Int(_) | Ty::Float(_), Ty::Numeric(Some(_))) => narrowing(),
        (_, Ty::Varchar(Some(_)) | Ty::Char(_)) => narrowing(),
        _ => TypeChange::Rewrite,
    }
}

fn parse(text: &str) -> Ty {
    let text = text.trim().to_lowercase();
    let (base, args) = match text.split_once('(') {
        Some((base, rest)) => (
            base.trim().to_owned(),
            rest.trim_end_matches(')')
                .split(',')
                .filter_map(|n| n.trim().parse::<u64>().ok())
                .collect::<Vec<_>>(),
        ),
        None => (text.clone(), Vec::new()),
    };
    let first = args.first().copied();
    match base.as_str() {
        "text" => Ty::Text,
        "varchar" | "character varying" => Ty::Varchar(first),
        "char" | "character" | "bpchar" => Ty::Char(first.unwrap_or(1)),
        "smallint" | "int2" => Ty::Int(2),
        "int" | "integer" | "int4" => Ty::Int(4),
        "bigint" | "int8" => Ty::Int(8),
        "numeric" | "decimal" => Ty::Numeric(first.map(|p| (p, args.get(1).copied().unwrap_or(0)))),
        "real" | "float4" => Ty::Float(4),
        "double precision" | "float8" | "float" => Ty::Float(8),
        _ => Ty::Other(text),
    }
}

#[cfg(test)]
mod tests {
    use super::{TypeChange, compare};

    fn narrowing(change: &TypeChange) -> bool {
        matches!(change, TypeChange::Narrowing(_))
    }

    #[test]
    fn widening_varchar_and_to_text_are_in_place() {
        assert_eq!(
            compare(Some("varchar(10)"), "varchar(20)", false),
            TypeChange::InPlace
        );
        assert_eq!(
            compare(Some("character varying(10)"), "text", false),
            TypeChange::InPlace
        );
        assert_eq!(
            compare(Some("numeric(10,2)"), "numeric(12,2)", false),
            TypeChange::InPlace
        );
    }

    #[test]
    fn shrinking_is_narrowing() {
        assert!(narrowing(&compare(
            Some("varchar(20)"),
            "varchar(10)",
            false
        )));
        assert!(narrowing(&compare(Some("text"), "varchar(10)", false)));
        assert!(narrowing(&compare(Some("bigint"), "integer", false)));
        assert!(narrowing(&compare(
            Some("numeric(10,2)"),
            "numeric(10,1)",
            false
        )));
        assert!(narrowing(&compare(
            Some("double precision"),
            "integer",
            false
        )));
    }

    #[test]
    fn widening_int_rewrites() {
        assert_eq!(compare(Some("int"), "bigint", false), TypeChange::Rewrite);
        assert_eq!(compare(Some("integer"), "text", false), TypeChange::Rewrite);
        assert_eq!(compare(Some("text"), "text", true), TypeChange::Rewrite);
        assert_eq!(compare(None, "text", false), TypeChange::Unknown);
    }
}
