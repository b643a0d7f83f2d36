//! The objects the differ leaves alone (views, extensions, sequences, functions, triggers,
//! exclusion constraints, check constraints, comments), compared for drift: which exist on one
//! side only, and which differ. Plain data, no SQL.

use std::collections::BTreeMap;

use drydock_schema::{OpaqueKind, OpaqueObject, SqlSchema, Table};

/// What kind of object differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpaqueObjectKind {
    View,
    Extension,
    Sequence,
    /// A function, procedure, trigger, exclusion constraint or other carried object.
    Carried(OpaqueKind),
    CheckConstraint,
    /// A table's comment (`name` is the table).
    TableComment,
    /// A column's comment (`name` is the column, `table` its table).
    ColumnComment,
}

/// Where the object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// In the first schema only.
    OnlyInFrom,
    /// In the second schema only.
    OnlyInTo,
    /// On both sides, with different definitions.
    Differs,
}

/// One object that is not the same on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpaqueDifference {
    pub kind: OpaqueObjectKind,
    pub name: String,
    /// The table the object belongs to (triggers, constraints, column comments).
    pub table: Option<String>,
    pub presence: Presence,
}

/// Everything the differ ignores that is not the same in `from` and `to`, in a stable order:
/// extensions, sequences, views, carried objects, then per table (in `to`'s order, tables on
/// both sides only: a missing table is already reported) checks and comments.
pub fn compare_opaque(from: &SqlSchema, to: &SqlSchema) -> Vec<OpaqueDifference> {
    let mut out = Vec::new();
    compare(
        &mut out,
        OpaqueObjectKind::Extension,
        from.extensions.iter().map(|e| ((e.name.clone(), None), e)),
        to.extensions.iter().map(|e| ((e.name.clone(), None), e)),
    );
    compare(
        &mut out,
        OpaqueObjectKind::Sequence,
        from.sequences
            .iter()
            .map(|s| ((s.name.clone(), s.namespace.clone()), s)),
        to.sequences
            .iter()
            .map(|s| ((s.name.clone(), s.namespace.clone()), s)),
    );
    compare(
        &mut out,
        OpaqueObjectKind::View,
        from.views
            .iter()
            .map(|v| ((v.name.clone(), v.namespace.clone()), v)),
        to.views
            .iter()
            .map(|v| ((v.name.clone(), v.namespace.clone()), v)),
    );
    let (from_carried, to_carried) = (carried(from), carried(to));
    let keys: std::collections::BTreeSet<_> =
        from_carried.keys().chain(to_carried.keys()).collect();
    for key in keys {
        let (a, b) = (from_carried.get(key), to_carried.get(key));
        let Some(presence) = presence(
            a.map(|o| o.definition.as_str()),
            b.map(|o| o.definition.as_str()),
        ) else {
            continue;
        };
        let Some(object) = a.or(b) else { continue };
        out.push(OpaqueDifference {
            kind: OpaqueObjectKind::Carried(object.kind),
            name: object.name.clone(),
            table: object.table.clone(),
            presence,
        });
    }
    for next in &to.tables {
        if let Some(previous) = from.table(next.namespace.as_deref(), &next.name) {
            compare_table(previous, next, &mut out);
        }
    }
    out
}

type CarriedKey = (u8, Option<String>, Option<String>, String);

/// The carried objects of `schema` by kind, namespace, table and name.
fn carried(schema: &SqlSchema) -> BTreeMap<CarriedKey, &OpaqueObject> {
    schema
        .opaque
        .iter()
        .map(|object| {
            let key = (
                kind_order(object.kind),
                object.namespace.clone(),
                object.table.clone(),
                object.name.clone(),
            );
            (key, object)
        })
        .collect()
}

fn kind_order(kind: OpaqueKind) -> u8 {
    match kind {
        OpaqueKind::Function => 0,
        OpaqueKind::Procedure => 1,
        OpaqueKind::Trigger => 2,
        OpaqueKind::ExclusionConstraint => 3,
        OpaqueKind::Other => 4,
        OpaqueKind::Event => 5,
    }
}

/// Each key's object on the `from` and the `to` side.
type Sides<'a, K, T> = BTreeMap<K, (Option<&'a T>, Option<&'a T>)>;

/// How a key's two sides compare; `None` when they are the same.
fn presence<T: PartialEq + ?Sized>(from: Option<&T>, to: Option<&T>) -> Option<Presence> {
    match (from, to) {
        (Some(_), None) => Some(Presence::OnlyInFrom),
        (None, Some(_)) => Some(Presence::OnlyInTo),
        (Some(a), Some(b)) if a != b => Some(Presence::Differs),
        _ => None,
    }
}

/// Objects matched by `(name, namespace)`, reported in name order.
fn compare<'a, T: PartialEq + 'a>(
    out: &mut Vec<OpaqueDifference>,
    kind: OpaqueObjectKind,
    from: impl Iterator<Item = ((String, Option<String>), &'a T)>,
    to: impl Iterator<Item = ((String, Option<String>), &'a T)>,
) {
    let mut sides: Sides<'a, (String, Option<String>), T> = BTreeMap::new();
    for (key, object) in from {
        sides.entry(key).or_default().0 = Some(object);
    }
    for (key, object) in to {
        sides.entry(key).or_default().1 = Some(object);
    }
    for ((name, _), (a, b)) in sides {
        if let Some(presence) = presence(a, b) {
            out.push(OpaqueDifference {
                kind,
                name,
                table: None,
                presence,
            });
        }
    }
}

fn compare_table(previous: &Table, next: &Table, out: &mut Vec<OpaqueDifference>) {
    let table = Some(next.name.clone());
    let mut checks: BTreeMap<&str, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for check in &previous.checks {
        checks.entry(&check.name).or_default().0 = Some(&check.expression);
    }
    for check in &next.checks {
        checks.entry(&check.name).or_default().1 = Some(&check.expression);
    }
    for (name, (a, b)) in checks {
        let Some(presence) = presence(a, b) else {
            continue;
        };
        out.push(OpaqueDifference {
            kind: OpaqueObjectKind::CheckConstraint,
            name: name.to_owned(),
            table: table.clone(),
            presence,
        });
    }
    if let Some(presence) = presence(previous.comment.as_deref(), next.comment.as_deref()) {
        out.push(OpaqueDifference {
            kind: OpaqueObjectKind::TableComment,
            name: next.name.clone(),
            table: table.clone(),
            presence,
        });
    }
    for column in &next.columns {
        let Some(old) = previous.column(&column.name) else {
            continue;
        };
        if let Some(presence) = presence(old.comment.as_deref(), column.comment.as_deref()) {
            out.push(OpaqueDifference {
                kind: OpaqueObjectKind::ColumnComment,
                name: column.name.clone(),
                table: table.clone(),
                presence,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use drydock_schema::{CheckConstraint, View};

    use super::*;

    fn view(name: &str, definition: &str) -> View {
        View {
            namespace: None,
            name: name.to_owned(),
            definition: definition.to_owned(),
        }
    }

    #[test]
    fn reports_one_sided_and_changed_objects() {
        let mut from = SqlSchema::default();
        let mut to = SqlSchema::default();
        from.views.push(view("same", "SELECT 1"));
        to.views.push(view("same", "SELECT 1"));
        from.views.push(view("changed", "SELECT 1"));
        to.views.push(view("changed", "SELECT 2"));
        to.views.push(view("added", "SELECT 3"));
        from.opaque.push(OpaqueObject {
            kind: OpaqueKind::Trigger,
            namespace: None,
            name: "audit".to_owned(),
            table: Some("Post".to_owned()),
            definition: "CREATE TRIGGER audit".to_owned(),
        });
        let mut product = Table::new(None, "Product");
        product.checks.push(CheckConstraint {
            name: "price_positive".to_owned(),
            expression: "CHECK (price > 0)".to_owned(),
        });
        from.tables.push(product.clone());
        product.checks.clear();
        product.comment = Some("things we sell".to_owned());
        to.tables.push(product);

        let found = compare_opaque(&from, &to);
        let summary: Vec<(OpaqueObjectKind, &str, Presence)> = found
            .iter()
            .map(|d| (d.kind, d.name.as_str(), d.presence))
            .collect();
        assert_eq!(
            summary,
            vec![
                (OpaqueObjectKind::View, "added", Presence::OnlyInTo),
                (OpaqueObjectKind::View, "changed", Presence::Differs),
                (
                    OpaqueObjectKind::Carried(OpaqueKind::Trigger),
                    "audit",
                    Presence::OnlyInFrom
                ),
                (
                    OpaqueObjectKind::CheckConstraint,
                    "price_positive",
                    Presence::OnlyInFrom
                ),
                (
                    OpaqueObjectKind::TableComment,
                    "Product",
                    Presence::OnlyInTo
                ),
            ]
        );
        assert!(compare_opaque(&to, &to).is_empty());
    }
}
