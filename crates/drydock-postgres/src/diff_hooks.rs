//! PostgreSQL's answers to the differ: how risky a column type change is (following the cast
//! rules Prisma Migrate applies on PostgreSQL), and that everything else alters in place.

use drydock_diff::{DiffHooks, TableChange, TypeChange};
use drydock_schema::{Column, ColumnArity, Table, TypeFamily};

/// The differ hooks of PostgreSQL.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PostgresDiffHooks;

impl DiffHooks for PostgresDiffHooks {
    fn column_type_change(&self, from: &Column, to: &Column) -> Option<TypeChange> {
        type_change(from, to)
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

    /// Introspection leaves default operator classes out, while a schema may name them
    /// (`ops: ArrayOps` on a GIN index, `Int4MinMaxOps` on a BRIN one).
    fn is_default_operator_class(&self, class: &str) -> bool {
        let class = class.to_ascii_lowercase();
        matches!(class.as_str(), "array_ops" | "jsonb_ops" | "tsvector_ops")
            || class.ends_with("_minmax_ops")
    }
}

/// A native PostgreSQL type with its arguments, parsed from the canonical spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PgType {
    VarChar(Option<u32>),
    Char(Option<u32>),
    Text,
    Uuid,
    Citext,
    Inet,
    Xml,
    Bit(Option<u32>),
    VarBit(Option<u32>),
    SmallInt,
    Integer,
    Oid,
    BigInt,
    Real,
    DoublePrecision,
    Decimal(Option<(u32, u32)>),
    Money,
    Timestamp(Option<u32>),
    Timestamptz(Option<u32>),
    Date,
    Time(Option<u32>),
    Timetz(Option<u32>),
    Json,
    JsonB,
    ByteA,
    Boolean,
}

impl PgType {
    /// Parses a canonical native spelling (`VARCHAR(255)`, `DECIMAL(10,2)`); `None` for types
    /// drydock does not know.
    fn parse(native: &str) -> Option<PgType> {
        let (name, args) = match native.find('(') {
            Some(open) => {
                let inner = native[open + 1..].strip_suffix(')')?;
                (&native[..open], Some(inner))
            }
            None => (native, None),
        };
        let one = || -> Option<Option<u32>> {
            match args {
                None => Some(None),
                Some(arg) => arg.trim().parse().ok().map(Some),
            }
        };
        let plain = |ty: PgType| args.is_none().then_some(ty);
        match name {
            "VARCHAR" => one().map(PgType::VarChar),
            "CHAR" => one().map(PgType::Char),
            "BIT" => one().map(PgType::Bit),
            "VARBIT" => one().map(PgType::VarBit),
            "TIMESTAMP" => one().map(PgType::Timestamp),
            "TIMESTAMPTZ" => one().map(PgType::Timestamptz),
            "TIME" => one().map(PgType::Time),
            "TIMETZ" => one().map(PgType::Timetz),
            "DECIMAL" => match args {
                None => Some(PgType::Decimal(None)),
                Some(args) => {
                    let (precision, scale) = args.split_once(',')?;
                    let precision = precision.trim().parse().ok()?;
                    let scale = scale.trim().parse().ok()?;
                    Some(PgType::Decimal(Some((precision, scale))))
                }
            },
            "TEXT" => plain(PgType::Text),
            "UUID" => plain(PgType::Uuid),
            "CITEXT" => plain(PgType::Citext),
            "INET" => plain(PgType::Inet),
            "XML" => plain(PgType::Xml),
            "SMALLINT" => plain(PgType::SmallInt),
            "INTEGER" => plain(PgType::Integer),
            "OID" => plain(PgType::Oid),
            "BIGINT" => plain(PgType::BigInt),
            "REAL" => plain(PgType::Real),
            "DOUBLE PRECISION" => plain(PgType::DoublePrecision),
            "MONEY" => plain(PgType::Money),
            "DATE" => plain(PgType::Date),
            "JSON" => plain(PgType::Json),
            "JSONB" => plain(PgType::JsonB),
            "BYTEA" => plain(PgType::ByteA),
            "BOOLEAN" => plain(PgType::Boolean),
            _ => None,
        }
    }

    /// `CHAR` and `BIT` without a length are one character long.
    fn normalized(self) -> PgType {
        match self {
            PgType::Char(None) => PgType::Char(Some(1)),
            PgType::Bit(None) => PgType::Bit(Some(1)),
            other => other,
        }
    }
}

fn known_type(column: &Column) -> Option<PgType> {
    match column.column_type.family {
        TypeFamily::Enum(_) | TypeFamily::Unsupported => None,
        _ => PgType::parse(&column.column_type.native),
    }
}

fn type_change(from: &Column, to: &Column) -> Option<TypeChange> {
    use TypeChange::{NotCastable, RiskyCast, SafeCast};

    match (&from.column_type.family, &to.column_type.family) {
        (TypeFamily::Enum(previous), TypeFamily::Enum(next)) if previous == next => return None,
        (TypeFamily::Enum(_), _) | (_, TypeFamily::Enum(_)) => return Some(NotCastable),
        _ => {}
    }

    let from_list = from.arity == ColumnArity::List;
    let to_list = to.arity == ColumnArity::List;
    let previous = known_type(from);
    let next = known_type(to);

    if from_list && !to_list {
        return Some(match next {
            Some(PgType::Text | PgType::VarChar(None)) => SafeCast,
            Some(PgType::VarChar(_) | PgType::Char(_)) => RiskyCast,
            _ => NotCastable,
        });
    }
    if !from_list && to_list {
        return Some(NotCastable);
    }

    match (previous, next) {
        (Some(previous), Some(next)) => known_type_change(previous, next),
        (None, None) if from.column_type.native == to.column_type.native => None,
        _ => Some(RiskyCast),
    }
}

/// The cast rules between two known types.
fn known_type_change(previous: PgType, next: PgType) -> Option<TypeChange> {
    use PgType::*;
    use TypeChange::{NotCastable, RiskyCast, SafeCast};

    if previous.normalized() == next.normalized() {
        return None;
    }

    // `VARCHAR` and `VARBIT` without a length are unlimited; `CHAR` and `BIT` without one hold
    // a single character.
    let next_is_char = matches!(next, Char(_));
    // A string target of `length` characters holds every value of at most `needed` characters.
    let fits = |length: Option<u32>, needed: u32| match length {
        Some(length) => length >= needed,
        None => !next_is_char,
    };
    let to_string = |needed: u32| {
        if fits(
            match next {
                VarChar(length) | Char(length) => length,
                _ => None,
            },
            needed,
        ) {
            SafeCast
        } else {
            RiskyCast
        }
    };
    let digits = |params: Option<(u32, u32)>| params.map(|(p, s)| i64::from(p) - i64::from(s));

    let change = match previous {
        Inet => match next {
            Citext | Text | VarChar(_) => SafeCast,
            _ => NotCastable,
        },
        Money => match next {
            Citext | Text | VarChar(_) => SafeCast,
            _ => RiskyCast,
        },
        Citext => match next {
            Text | VarChar(_) => SafeCast,
            _ => RiskyCast,
        },
        Oid => match next {
            Text | VarChar(_) | BigInt | Integer => SafeCast,
            _ => NotCastable,
        },
        SmallInt => match next {
            Integer | BigInt | Real | DoublePrecision | Text => SafeCast,
            Decimal(params) => match digits(params) {
                Some(d) if d < 3 => RiskyCast,
                _ => SafeCast,
            },
            VarChar(_) | Char(_) => to_string(4),
            _ => NotCastable,
        },
        Integer => match next {
            SmallInt => RiskyCast,
            BigInt | Real | DoublePrecision | Text => SafeCast,
            Decimal(params) => match digits(params) {
                Some(d) if d < 10 => RiskyCast,
                _ => SafeCast,
            },
            VarChar(_) | Char(_) => to_string(11),
            _ => NotCastable,
        },
        BigInt => match next {
            SmallInt | Integer => RiskyCast,
            Real | DoublePrecision | Text => SafeCast,
            Decimal(params) => match digits(params) {
                Some(d) if d < 19 => RiskyCast,
                _ => SafeCast,
            },
            VarChar(_) | Char(_) => to_string(20),
            _ => NotCastable,
        },
        Decimal(old) => match next {
            SmallInt => integer_from_decimal(old, 2),
            Integer => integer_from_decimal(old, 9),
            BigInt => integer_from_decimal(old, 18),
            Decimal(new) => match (old, new) {
                (Some(_), None) => SafeCast,
                (None, Some(_)) => RiskyCast,
                (Some((p_old, s_old)), Some((p_new, s_new)))
                    if i64::from(p_old) - i64::from(s_old)
                        > i64::from(p_new) - i64::from(s_new)
                        || s_old > s_new =>
                {
                    RiskyCast
                }
                _ => SafeCast,
            },
            Real | DoublePrecision => RiskyCast,
            VarChar(length) | Char(length) => match (length, old) {
                (Some(length), Some((p, 0))) if p + 1 > length => RiskyCast,
                (Some(length), Some((p, s))) if s > 0 && p + 2 > length => RiskyCast,
                (Some(length), None) if length < 131_073 => RiskyCast,
                (None, _) if next_is_char => RiskyCast,
                _ => SafeCast,
            },
            Text => SafeCast,
            _ => NotCastable,
        },
        Real => match next {
            SmallInt | Integer | BigInt | Decimal(_) => RiskyCast,
            DoublePrecision | Text => SafeCast,
            VarChar(_) | Char(_) => to_string(47),
            _ => NotCastable,
        },
        DoublePrecision => match next {
            SmallInt | Integer | BigInt | Decimal(_) | Real => RiskyCast,
            Text => SafeCast,
            VarChar(_) | Char(_) => to_string(317),
            _ => NotCastable,
        },
        VarChar(old) => match next {
            Text => SafeCast,
            VarChar(new) | Char(new) => string_to_string(old, new, next_is_char, false),
            _ => NotCastable,
        },
        Char(old) => match next {
            Text => SafeCast,
            VarChar(new) | Char(new) => string_to_string(old, new, next_is_char, true),
            _ => NotCastable,
        },
        Text => match next {
            VarChar(None) | Citext => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
        ByteA => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(Some(length)) | Char(Some(length)) if length > 2 => RiskyCast,
            _ => NotCastable,
        },
        Timestamp(_) | Timestamptz(_) | Time(_) | Timetz(_) if same_time_kind(previous, next) => {
            match (precision(previous), precision(next)) {
                (_, None) => return None,
                (None, Some(_)) => return None,
                (Some(a), Some(b)) if a == b => return None,
                // A `TIME` of another precision has no cast rule.
                _ if matches!(previous, Time(_)) => NotCastable,
                _ => SafeCast,
            }
        }
        Timestamp(_) | Timestamptz(_) => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(length)) | VarChar(Some(length))
                if length
                    > if matches!(previous, Timestamp(_)) {
                        22
                    } else {
                        27
                    } =>
            {
                SafeCast
            }
            Timestamp(_) | Timestamptz(_) | Date | Time(_) | Timetz(_) => SafeCast,
            _ => NotCastable,
        },
        Date => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(length)) | VarChar(Some(length)) if length > 27 => SafeCast,
            Timestamp(_) | Timestamptz(_) => SafeCast,
            _ => NotCastable,
        },
        Time(_) => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(length)) | VarChar(Some(length)) if length > 13 => SafeCast,
            Timetz(_) => SafeCast,
            _ => NotCastable,
        },
        Timetz(_) => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(length)) | VarChar(Some(length)) if length > 18 => SafeCast,
            Time(_) => SafeCast,
            _ => NotCastable,
        },
        Boolean => match next {
            Text | VarChar(_) => SafeCast,
            Char(Some(length)) if length > 4 => SafeCast,
            Char(Some(length)) if length > 3 => RiskyCast,
            _ => NotCastable,
        },
        Bit(length) => match (length, next) {
            (None, Text | VarChar(_) | Char(_) | VarBit(_)) => SafeCast,
            (Some(_), Text | VarChar(None) | VarBit(None)) => SafeCast,
            (Some(old), VarChar(Some(new)) | VarBit(Some(new)) | Char(Some(new))) if new >= old => {
                SafeCast
            }
            _ => NotCastable,
        },
        VarBit(None) => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) | Bit(_) => RiskyCast,
            _ => NotCastable,
        },
        VarBit(Some(old)) => match next {
            Text | VarChar(None) | VarBit(None) => SafeCast,
            VarBit(Some(new)) if new > old => SafeCast,
            VarChar(Some(new)) | Char(Some(new)) if new >= old => SafeCast,
            Bit(Some(new)) if new <= old => RiskyCast,
            Bit(None) | Char(_) | VarChar(_) => RiskyCast,
            _ => NotCastable,
        },
        Uuid => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(Some(length)) | Char(Some(length)) if length > 31 => SafeCast,
            _ => NotCastable,
        },
        Xml => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
        Json => match next {
            Text | JsonB | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
        JsonB => match next {
            Text | Json | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
    };
    Some(change)
}

/// Whether both are the same date/time type, ignoring precision.
fn same_time_kind(previous: PgType, next: PgType) -> bool {
    matches!(
        (previous, next),
        (PgType::Timestamp(_), PgType::Timestamp(_))
            | (PgType::Timestamptz(_), PgType::Timestamptz(_))
            | (PgType::Time(_), PgType::Time(_))
            | (PgType::Timetz(_), PgType::Timetz(_))
    )
}

fn precision(ty: PgType) -> Option<u32> {
    match ty {
        PgType::Timestamp(p) | PgType::Timestamptz(p) | PgType::Time(p) | PgType::Timetz(p) => p,
        _ => None,
    }
}

/// A decimal cast to an integer type holding `max_digits` digits safely.
fn integer_from_decimal(params: Option<(u32, u32)>, max_digits: u32) -> TypeChange {
    match params {
        Some((precision, 0)) if precision <= max_digits => TypeChange::SafeCast,
        _ => TypeChange::RiskyCast,
    }
}

/// A `VARCHAR`/`CHAR` to `VARCHAR`/`CHAR` cast.
fn string_to_string(
    old: Option<u32>,
    new: Option<u32>,
    next_is_char: bool,
    from_char: bool,
) -> TypeChange {
    match (old, new) {
        (None, _) if from_char => TypeChange::SafeCast,
        (None, None) if next_is_char => TypeChange::RiskyCast,
        (None, Some(_)) => TypeChange::RiskyCast,
        (Some(1), None) => TypeChange::SafeCast,
        (Some(_), None) if next_is_char => TypeChange::RiskyCast,
        (Some(old), Some(new)) if old > new => TypeChange::RiskyCast,
        _ => TypeChange::SafeCast,
    }
}

#[cfg(test)]
mod tests {
    use drydock_diff::TypeChange;
    use drydock_schema::{Column, ColumnArity, ColumnType, ObjectName, TypeFamily};

    use super::type_change;

    fn column(family: TypeFamily, native: &str, arity: ColumnArity) -> Column {
        Column {
            arity,
            ..Column::new("c", ColumnType::new(family, native))
        }
    }

    fn change(from: (TypeFamily, &str), to: (TypeFamily, &str)) -> Option<TypeChange> {
        type_change(
            &column(from.0, from.1, ColumnArity::Required),
            &column(to.0, to.1, ColumnArity::Required),
        )
    }

    #[test]
    fn widening_is_safe_and_narrowing_risky() {
        use TypeFamily::*;
        assert_eq!(
            change((Int, "INTEGER"), (BigInt, "BIGINT")),
            Some(TypeChange::SafeCast)
        );
        assert_eq!(
            change((BigInt, "BIGINT"), (Int, "INTEGER")),
            Some(TypeChange::RiskyCast)
        );
        assert_eq!(
            change((String, "VARCHAR(10)"), (String, "TEXT")),
            Some(TypeChange::SafeCast)
        );
        assert_eq!(
            change((String, "VARCHAR(10)"), (String, "VARCHAR(20)")),
            Some(TypeChange::SafeCast)
        );
        assert_eq!(
            change((String, "VARCHAR(20)"), (String, "VARCHAR(10)")),
            Some(TypeChange::RiskyCast)
        );
        assert_eq!(
            change((String, "TEXT"), (String, "VARCHAR(5)")),
            Some(TypeChange::RiskyCast)
        );
        assert_eq!(
            change((Decimal, "DECIMAL(65,30)"), (Decimal, "DECIMAL(10,2)")),
            Some(TypeChange::RiskyCast)
        );
        assert_eq!(
            change((Json, "JSONB"), (String, "TEXT")),
            Some(TypeChange::SafeCast)
        );
    }

    #[test]
    fn uncastable_types_are_recreated() {
        use TypeFamily::*;
        assert_eq!(
            change((String, "TEXT"), (Int, "INTEGER")),
            Some(TypeChange::NotCastable)
        );
        assert_eq!(
            change((Bytes, "BYTEA"), (Json, "JSONB")),
            Some(TypeChange::NotCastable)
        );
        assert_eq!(
            change((String, "TEXT"), (Json, "JSONB")),
            Some(TypeChange::NotCastable)
        );
        let role = ObjectName::new(None, "Role");
        assert_eq!(
            change((Enum(role.clone()), "Role"), (String, "TEXT")),
            Some(TypeChange::NotCastable)
        );
        assert_eq!(
            change((Enum(role.clone()), "Role"), (Enum(role), "Role")),
            None
        );
    }

    #[test]
    fn equivalent_spellings_are_no_change() {
        use TypeFamily::*;
        assert_eq!(
            change((DateTime, "TIMESTAMP(3)"), (DateTime, "TIMESTAMP")),
            None
        );
        assert_eq!(
            change((DateTime, "TIMESTAMP"), (DateTime, "TIMESTAMP(6)")),
            None
        );
        assert_eq!(
            change((DateTime, "TIMESTAMP(3)"), (DateTime, "TIMESTAMP(6)")),
            Some(TypeChange::SafeCast)
        );
        assert_eq!(change((String, "CHAR"), (String, "CHAR(1)")), None);
        assert_eq!(
            change((Unsupported, "circle"), (Unsupported, "circle")),
            None
        );
        assert_eq!(
            change((Unsupported, "circle"), (Unsupported, "box")),
            Some(TypeChange::RiskyCast)
        );
    }

    #[test]
    fn default_operator_classes_are_no_operator_class() {
        use drydock_diff::DiffHooks as _;
        let hooks = super::PostgresDiffHooks;
        for class in ["array_ops", "JSONB_OPS", "int4_minmax_ops"] {
            assert!(hooks.is_default_operator_class(class), "{class}");
        }
        for class in [
            "jsonb_path_ops",
            "gin_trgm_ops",
            "int4_minmax_multi_ops",
            "int4_bloom_ops",
        ] {
            assert!(!hooks.is_default_operator_class(class), "{class}");
        }
    }

    #[test]
    fn lists() {
        let list = column(TypeFamily::String, "TEXT", ColumnArity::List);
        let scalar = column(TypeFamily::String, "TEXT", ColumnArity::Required);
        let int = column(TypeFamily::Int, "INTEGER", ColumnArity::Required);
        assert_eq!(type_change(&list, &scalar), Some(TypeChange::SafeCast));
        assert_eq!(type_change(&scalar, &list), Some(TypeChange::NotCastable));
        assert_eq!(type_change(&list, &int), Some(TypeChange::NotCastable));
        assert_eq!(type_change(&list, &list), None);
    }
}
