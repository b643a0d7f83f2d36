//! The datamodel's relations as plain data ([`Relation`]), whatever the relation mode: under
//! `relationMode = "prisma"` lowering creates no foreign keys, yet the relations hold all the
//! same, and finding the rows that break them needs them.

use drydock_schema::{ObjectName, ReferentialAction, Relation};

use crate::datamodel::{Arity, Datamodel, Model, RelationKind, RelationMode};

/// Every relation of `datamodel` between tables (views left out), in the order of the models
/// holding the reference, then the implicit many-to-many join tables (`_Name`, columns `A` and
/// `B`, each deleted with the row it references).
pub fn relations(datamodel: &Datamodel) -> Vec<Relation> {
    let enforced = datamodel.relation_mode() == RelationMode::ForeignKeys;
    let mut found = Vec::new();
    for relation in &datamodel.relations {
        match &relation.kind {
            RelationKind::ForeignKey {
                referencing,
                fields,
                references,
                referenced_model,
                on_delete,
                ..
            } => {
                let (Some(model), Some(target)) = (
                    datamodel.model(referencing.model),
                    datamodel.model(*referenced_model),
                ) else {
                    continue;
                };
                if model.is_view || target.is_view {
                    continue;
                }
                let Some(field) = model.fields.get(referencing.field) else {
                    continue;
                };
                let columns: Option<Vec<&crate::datamodel::Field>> =
                    fields.iter().map(|f| model.fields.get(*f)).collect();
                let referenced: Option<Vec<String>> = references
                    .iter()
                    .map(|f| target.fields.get(*f).map(|f| f.db_name.clone()))
                    .collect();
                let (Some(columns), Some(referenced_columns)) = (columns, referenced) else {
                    continue;
                };
                if columns.is_empty() {
                    continue;
                }
                found.push(Relation {
                    name: format!("{}.{}", model.name, field.name),
                    table: object_name(model),
                    required: columns.iter().all(|c| c.arity == Arity::Required),
                    columns: columns.iter().map(|c| c.db_name.clone()).collect(),
                    referenced_table: object_name(target),
                    referenced_columns,
                    on_delete: *on_delete,
                    enforced,
                });
            }
            RelationKind::ManyToMany { a, b } => {
                let (Some(model_a), Some(model_b)) =
                    (datamodel.model(a.model), datamodel.model(b.model))
                else {
                    continue;
                };
                let table = ObjectName::new(model_a.schema.clone(), format!("_{}", relation.name));
                for (column, model) in [("A", model_a), ("B", model_b)] {
                    let Some(id) = single_id(model) else {
                        continue;
                    };
                    found.push(Relation {
                        name: format!("{}.{column}", table.name),
                        table: table.clone(),
                        columns: vec![column.to_owned()],
                        referenced_table: object_name(model),
                        referenced_columns: vec![id],
                        on_delete: ReferentialAction::Cascade,
                        required: true,
                        enforced,
                    });
                }
            }
        }
    }
    found
}

fn object_name(model: &Model) -> ObjectName {
    ObjectName::new(model.schema.clone(), model.db_name.clone())
}

/// The column of a model's single-field primary key, which a join table references.
fn single_id(model: &Model) -> Option<String> {
    let pk = model.primary_key.as_ref()?;
    let [only] = pk.fields.as_slice() else {
        return None;
    };
    model.fields.get(only.field).map(|f| f.db_name.clone())
}

#[cfg(test)]
mod tests {
    use super::relations;
    use crate::{Files, parse_and_validate};
    use drydock_schema::ReferentialAction;

    fn relations_of(schema: &str) -> Vec<drydock_schema::Relation> {
        let files = Files::single("schema.prisma", schema);
        let (datamodel, diagnostics) = parse_and_validate(&files);
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        relations(&datamodel)
    }

    #[test]
    fn relations_hold_without_foreign_keys() {
        let found = relations_of(
            r#"
datasource db {
  provider     = "postgresql"
  url          = env("DATABASE_URL")
  relationMode = "prisma"
}
model User {
  id    Int    @id
  posts  Post[] @relation("writes")
  edited Post[] @relation("edits")
  tags   Tag[]
}
model Post {
  id       Int   @id
  author   User  @relation("writes", fields: [authorId], references: [id], onDelete: Cascade)
  authorId Int   @map("author_id")
  editor   User? @relation("edits", fields: [editorId], references: [id])
  editorId Int?
  @@index([authorId])
  @@index([editorId])
}
model Tag {
  id    String @id
  users User[]
}
"#,
        );
        let names: Vec<&str> = found.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["Post.author", "Post.editor", "_TagToUser.A", "_TagToUser.B"]
        );
        let author = &found[0];
        assert_eq!(author.columns, ["author_id"]);
        assert_eq!(author.referenced_table.name, "User");
        assert_eq!(author.on_delete, ReferentialAction::Cascade);
        assert!(author.required && !author.enforced);
        let editor = &found[1];
        assert_eq!(editor.on_delete, ReferentialAction::SetNull);
        assert!(!editor.required);
        assert_eq!(found[2].referenced_table.name, "Tag");
        assert_eq!(found[3].referenced_columns, ["id"]);
    }
}
