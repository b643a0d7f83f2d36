//! Names kept from the existing schema on re-introspection: per table, column, enum, enum value
//! and foreign key, the name the user gave it, and how a field of the existing schema is found
//! again among the pulled ones.

use std::collections::HashMap;

use drydock_psl::Datamodel;
use drydock_psl::datamodel::{FieldIndex, ModelId, RelationKind};
use drydock_schema::ObjectName;

use crate::model::MemberKey;

/// The relation and field names of one foreign key in the existing schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RelationHint {
    /// The relation name, when written (`@relation("name")`).
    pub(crate) name: Option<String>,
    /// The relation field on the referencing model.
    pub(crate) forward: Option<String>,
    /// The field on the referenced model.
    pub(crate) back: Option<String>,
}

/// The names of the existing schema, by database object. Empty for a fresh pull.
#[derive(Debug, Default)]
pub(crate) struct Hints {
    models: HashMap<ObjectName, String>,
    fields: HashMap<(ObjectName, String), String>,
    enums: HashMap<ObjectName, String>,
    enum_values: HashMap<(ObjectName, String), String>,
    relations: HashMap<(ObjectName, Vec<String>), RelationHint>,
    /// Per join table: the field on the `A` model, the field on the `B` model.
    many_to_many: HashMap<String, (Option<String>, Option<String>)>,
}

impl Hints {
    pub(crate) fn of(datamodel: &Datamodel) -> Hints {
        let mut hints = Hints::default();
        for model in datamodel.models.iter().filter(|m| !m.is_view) {
            let table = table_of(model);
            for field in model.fields.iter().filter(|f| f.is_scalar()) {
                hints
                    .fields
                    .insert((table.clone(), field.db_name.clone()), field.name.clone());
            }
            hints.models.insert(table, model.name.clone());
        }
        for e in &datamodel.enums {
            let object = ObjectName::new(e.schema.clone(), e.db_name.clone());
            for value in &e.values {
                hints
                    .enum_values
                    .insert((object.clone(), value.db_name.clone()), value.name.clone());
            }
            hints.enums.insert(object, e.name.clone());
        }
        let field_name = |model: ModelId, field: FieldIndex| {
            datamodel
                .model(model)
                .and_then(|m| m.fields.get(field))
                .map(|f| f.name.clone())
        };
        for relation in &datamodel.relations {
            match &relation.kind {
                RelationKind::ForeignKey {
                    referencing,
                    referenced,
                    fields,
                    ..
                } => {
                    let Some(model) = datamodel.model(referencing.model) else {
                        continue;
                    };
                    let columns = fields
                        .iter()
                        .filter_map(|f| model.fields.get(*f).map(|f| f.db_name.clone()))
                        .collect();
                    hints.relations.insert(
                        (table_of(model), columns),
                        RelationHint {
                            name: relation.explicit_name.then(|| relation.name.clone()),
                            forward: field_name(referencing.model, referencing.field),
                            back: referenced.and_then(|r| field_name(r.model, r.field)),
                        },
                    );
                }
                RelationKind::ManyToMany { a, b } => {
                    hints.many_to_many.insert(
                        format!("_{}", relation.name),
                        (field_name(a.model, a.field), field_name(b.model, b.field)),
                    );
                }
            }
        }
        hints
    }

    pub(crate) fn model(&self, table: &ObjectName) -> Option<&str> {
        self.models.get(table).map(String::as_str)
    }

    pub(crate) fn field(&self, table: &ObjectName, column: &str) -> Option<&str> {
        self.fields
            .get(&(table.clone(), column.to_owned()))
            .map(String::as_str)
    }

    pub(crate) fn enum_name(&self, object: &ObjectName) -> Option<&str> {
        self.enums.get(object).map(String::as_str)
    }

    pub(crate) fn enum_value(&self, object: &ObjectName, value: &str) -> Option<&str> {
        self.enum_values
            .get(&(object.clone(), value.to_owned()))
            .map(String::as_str)
    }

    pub(crate) fn relation(&self, table: &ObjectName, columns: &[String]) -> Option<&RelationHint> {
        self.relations.get(&(table.clone(), columns.to_vec()))
    }

    pub(crate) fn many_to_many(
        &self,
        join_table: &str,
    ) -> Option<&(Option<String>, Option<String>)> {
        self.many_to_many.get(join_table)
    }
}

/// The table a model stands for.
pub(crate) fn table_of(model: &drydock_psl::datamodel::Model) -> ObjectName {
    ObjectName::new(model.schema.clone(), model.db_name.clone())
}

/// What a field of the existing schema stands for, to find it among the pulled members.
pub(crate) fn member_key(
    datamodel: &Datamodel,
    model: ModelId,
    field: FieldIndex,
) -> Option<MemberKey> {
    let this = datamodel.model(model)?;
    let f = this.fields.get(field)?;
    if f.is_scalar() {
        return Some(MemberKey::Column(f.db_name.clone()));
    }
    let relation = datamodel.relations.get(f.relation?.0)?;
    match &relation.kind {
        RelationKind::ForeignKey {
            referencing,
            fields,
            ..
        } => {
            let owner = datamodel.model(referencing.model)?;
            let columns = fields
                .iter()
                .filter_map(|i| owner.fields.get(*i).map(|f| f.db_name.clone()))
                .collect();
            if referencing.model == model && referencing.field == field {
                Some(MemberKey::Forward(columns))
            } else {
                Some(MemberKey::Back(table_of(owner), columns))
            }
        }
        RelationKind::ManyToMany { a, .. } => Some(MemberKey::ManyToMany(
            format!("_{}", relation.name),
            a.model == model && a.field == field,
        )),
    }
}
