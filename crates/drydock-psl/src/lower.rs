//! Lowering of a [`Datamodel`] into the SQL schema Prisma Migrate would create: tables and
//! columns under their database names, native types from the dialect's rules, defaults, keys,
//! indexes and foreign keys with Prisma's default names, and implicit many-to-many join tables.

use crate::SCHEMA_ERROR;
use crate::datamodel::{
    Arity, Datamodel, DefaultValue as PslDefault, Field, FieldType, IndexType, Model, Provider,
    RelationKind, RelationMode, ScalarType,
};
use drydock_diagnostics::Diagnostics;
use drydock_schema::{
    Column, ColumnArity, ColumnType, DefaultValue, Enum, ExtensionSource, ForeignKey, Index,
    IndexColumn, IndexKind, LoweringRules, NativeTypeAttr, ObjectName, PrimaryKey,
    ReferentialAction, SqlSchema, Table, TypeFamily,
};

/// Lowers a datamodel with a dialect's rules. Native type errors become diagnostics at the
/// attribute; the column then gets the type of the field without the native type attribute.
/// Views and composite types are not lowered.
pub fn lower(datamodel: &Datamodel, rules: &dyn LoweringRules) -> (SqlSchema, Diagnostics) {
    let mut lowering = Lowering {
        dm: datamodel,
        rules,
        diagnostics: Diagnostics::new(),
        limit: rules.max_identifier_length(),
        sqlite: datamodel.provider() == Some(Provider::Sqlite),
        foreign_keys: datamodel.relation_mode() == RelationMode::ForeignKeys,
    };
    let mut namespaces: Vec<String> = datamodel
        .datasource
        .as_ref()
        .map(|d| d.schemas.clone())
        .unwrap_or_default();
    // Prisma creates the default namespace when diffing from nothing; introspection reports it
    // when it exists, so it only shows up as a change against an empty database.
    if namespaces.is_empty() {
        namespaces.extend(rules.default_namespace().map(str::to_owned));
    }
    let mut schema = SqlSchema {
        namespaces,
        extensions: declared_extensions(datamodel),
        extension_source: ExtensionSource::Declared,
        ..SqlSchema::default()
    };
    if rules.native_enums() {
        schema.enums = datamodel
            .enums
            .iter()
            .map(|e| Enum {
                namespace: e.schema.clone(),
                name: e.db_name.clone(),
                values: e.values.iter().map(|v| v.db_name.clone()).collect(),
            })
            .collect();
    }
    for (index, model) in datamodel.models.iter().enumerate() {
        if model.is_view {
            continue;
        }
        let table = lowering.table(index, model);
        schema.tables.push(table);
    }
    // Join tables come in the order Prisma completes the relations: by the position of the
    // side declared last.
    let mut join_tables: Vec<_> = datamodel
        .relations
        .iter()
        .filter_map(|relation| match &relation.kind {
            RelationKind::ManyToMany { a, b } => {
                let key = (a.model.0, a.field).max((b.model.0, b.field));
                Some((key, relation.name.as_str(), a.model.0, b.model.0))
            }
            RelationKind::ForeignKey { .. } => None,
        })
        .collect();
    join_tables.sort_by_key(|(key, ..)| *key);
    for (_, name, a, b) in join_tables {
        if let Some(table) = lowering.join_table(name, a, b) {
            schema.tables.push(table);
        }
    }
    (schema, lowering.diagnostics)
}

/// The extensions a PostgreSQL datasource declares, in the order Prisma creates them: by their
/// names in the schema (byte order, declaration order among equals); of several declarations of
/// one database name the last counts, in its own place.
fn declared_extensions(datamodel: &Datamodel) -> Vec<drydock_schema::Extension> {
    let Some(datasource) = datamodel
        .datasource
        .as_ref()
        .filter(|d| d.provider == Some(Provider::PostgreSql))
    else {
        return Vec::new();
    };
    let mut declared: Vec<_> = datasource.extensions.iter().collect();
    declared.sort_by(|a, b| a.name.cmp(&b.name));
    declared
        .iter()
        .enumerate()
        .filter(|(position, e)| {
            !declared[position + 1..]
                .iter()
                .any(|later| later.db_name == e.db_name)
        })
        .map(|(_, e)| drydock_schema::Extension {
            name: e.db_name.clone(),
            // An empty value says nothing, as in Prisma.
            version: e.version.clone().filter(|v| !v.is_empty()),
            namespace: e.schema.clone().filter(|s| !s.is_empty()),
            relocatable: false,
        })
        .collect()
}

/// `{base}{suffix}` where `base` is cut to fit `limit` bytes (at a character boundary).
pub(crate) fn fit_name(base: &str, suffix: &str, limit: usize) -> String {
    let max = limit.saturating_sub(suffix.len());
    let mut cut = base.len().min(max);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &base[..cut])
}

/// Prisma's default constraint name: `{table}_{col1}_{col2}{suffix}`, truncated.
pub(crate) fn constraint_name(table: &str, columns: &[&str], suffix: &str, limit: usize) -> String {
    let mut base = table.to_owned();
    for c in columns {
        base.push('_');
        base.push_str(c);
    }
    fit_name(&base, suffix, limit)
}

fn family(scalar: ScalarType) -> TypeFamily {
    match scalar {
        ScalarType::String => TypeFamily::String,
        ScalarType::Boolean => TypeFamily::Boolean,
        ScalarType::Int => TypeFamily::Int,
        ScalarType::BigInt => TypeFamily::BigInt,
        ScalarType::Float => TypeFamily::Float,
        ScalarType::Decimal => TypeFamily::Decimal,
        ScalarType::DateTime => TypeFamily::DateTime,
        ScalarType::Json => TypeFamily::Json,
        ScalarType::Bytes => TypeFamily::Bytes,
    }
}

struct Lowering<'a> {
    dm: &'a Datamodel,
    rules: &'a dyn LoweringRules,
    diagnostics: Diagnostics,
    limit: usize,
    sqlite: bool,
    foreign_keys: bool,
}

impl Lowering<'_> {
    fn column_type(&mut self, field: &Field) -> Option<ColumnType> {
        match &field.field_type {
            FieldType::Scalar(scalar) => {
                let family = family(*scalar);
                let native = field.native_type.as_ref().map(|n| NativeTypeAttr {
                    name: n.name.clone(),
                    args: n.args.clone(),
                });
                match self.rules.column_type(&family, native.as_ref()) {
                    Ok(t) => Some(t),
                    Err(message) => {
                        let span = field.native_type.as_ref().map_or(field.span, |n| n.span);
                        self.diagnostics.error(SCHEMA_ERROR, message, span);
                        self.rules.column_type(&family, None).ok()
                    }
                }
            }
            FieldType::Enum(id) => {
                let e = self.dm.enum_(*id)?;
                Some(self.rules.enum_column_type(&Enum {
                    namespace: e.schema.clone(),
                    name: e.db_name.clone(),
                    values: e.values.iter().map(|v| v.db_name.clone()).collect(),
                }))
            }
            FieldType::Unsupported(text) => {
                Some(ColumnType::new(TypeFamily::Unsupported, text.clone()))
            }
            FieldType::Model(_) | FieldType::Composite(_) => None,
        }
    }

    fn default_value(&self, field: &Field, value: &PslDefault) -> Option<DefaultValue> {
        Some(match value {
            PslDefault::Now => DefaultValue::Now,
            PslDefault::DbGenerated(Some(expr)) => DefaultValue::Expression(expr.clone()),
            PslDefault::String(s) => match field.field_type {
                FieldType::Scalar(ScalarType::Bytes) => DefaultValue::Bytes(base64_to_hex(s)),
                FieldType::Scalar(ScalarType::DateTime) => DefaultValue::String(
                    drydock_schema::canonical_datetime_literal(s).unwrap_or_else(|| s.clone()),
                ),
                _ => DefaultValue::String(s.clone()),
            },
            PslDefault::Number(n) => DefaultValue::Number(n.clone()),
            PslDefault::Boolean(b) => DefaultValue::Boolean(*b),
            PslDefault::EnumValue(name) => {
                let db_name = match &field.field_type {
                    FieldType::Enum(id) => self
                        .dm
                        .enum_(*id)
                        .and_then(|e| e.values.iter().find(|v| &v.name == name))
                        .map_or_else(|| name.clone(), |v| v.db_name.clone()),
                    _ => name.clone(),
                };
                DefaultValue::EnumValue(db_name)
            }
            PslDefault::List(items) => DefaultValue::List(
                items
                    .iter()
                    .filter_map(|i| self.default_value(field, i))
                    .collect(),
            ),
            PslDefault::Autoincrement
            | PslDefault::Sequence
            | PslDefault::Uuid(_)
            | PslDefault::Cuid(_)
            | PslDefault::Ulid
            | PslDefault::Nanoid(_)
            | PslDefault::DbGenerated(None)
            | PslDefault::Auto => return None,
        })
    }

    fn column(&mut self, field: &Field) -> Option<Column> {
        let column_type = self.column_type(field)?;
        let arity = match field.arity {
            Arity::Required => ColumnArity::Required,
            Arity::Optional => ColumnArity::Nullable,
            Arity::List => ColumnArity::List,
        };
        let (default, auto_increment) = match field.default.as_ref().map(|d| &d.value) {
            Some(PslDefault::Autoincrement | PslDefault::Sequence) => (None, true),
            Some(value) => (self.default_value(field, value), false),
            None => (None, false),
        };
        Some(Column {
            name: field.db_name.clone(),
            column_type,
            arity,
            default,
            auto_increment,
            comment: None,
            // The directive names the previous database name as written: a field without `@map`
            // had its name as column name, one with `@map` is named by that column name.
            renamed_from: field.renamed_from.clone(),
            identity: None,
            generated: None,
            collation: None,
            generated_virtual: false,
            on_update: None,
        })
    }

    fn column_name(model: &Model, field: usize) -> &str {
        model.fields.get(field).map_or("", |f| f.db_name.as_str())
    }

    fn table(&mut self, index: usize, model: &Model) -> Table {
        let mut table = Table::new(model.schema.clone(), model.db_name.clone());
        table.renamed_from = model.renamed_from.clone();
        for field in &model.fields {
            if let Some(column) = self.column(field) {
                table.columns.push(column);
            }
        }
        if let Some(pk) = &model.primary_key {
            let name = if self.rules.named_primary_keys() {
                Some(
                    pk.map
                        .clone()
                        .unwrap_or_else(|| fit_name(&model.db_name, "_pkey", self.limit)),
                )
            } else {
                None
            };
            let columns = pk
                .fields
                .iter()
                .map(|f| IndexColumn {
                    name: Self::column_name(model, f.field).to_owned(),
                    sort: f.sort,
                    length: f.length,
                    operator_class: None,
                    expression: None,
                })
                .collect();
            table.primary_key = Some(PrimaryKey { name, columns });
            // SQLite: a single-column `Int` primary key is always `INTEGER PRIMARY KEY
            // AUTOINCREMENT`.
            if self.sqlite
                && let [only] = pk.fields.as_slice()
                && let Some(field) = model.fields.get(only.field)
                && field.field_type == FieldType::Scalar(ScalarType::Int)
                && let Some(column) = table.columns.iter_mut().find(|c| c.name == field.db_name)
            {
                column.auto_increment = true;
            }
        }
        for index in &model.indexes {
            let columns: Vec<IndexColumn> = index
                .fields
                .iter()
                .map(|f| IndexColumn {
                    name: Self::column_name(model, f.field).to_owned(),
                    sort: f.sort,
                    length: f.length,
                    operator_class: f.operator_class.clone(),
                    expression: None,
                })
                .collect();
            let (kind, suffix) = match index.kind {
                IndexType::Unique => (IndexKind::Unique, "_key"),
                IndexType::Normal => (IndexKind::Normal, "_idx"),
                IndexType::Fulltext => (IndexKind::Fulltext, "_idx"),
            };
            let name = index.map.clone().unwrap_or_else(|| {
                let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
                constraint_name(&model.db_name, &names, suffix, self.limit)
            });
            table.indexes.push(Index {
                name,
                kind,
                columns,
                algorithm: index.algorithm,
                predicate: None,
                include: Vec::new(),
                constraint_backed: false,
            });
        }
        if self.foreign_keys {
            self.foreign_keys_of(index, model, &mut table);
        }
        table
    }

    fn foreign_keys_of(&self, index: usize, model: &Model, table: &mut Table) {
        for (field_index, field) in model.fields.iter().enumerate() {
            let Some(relation) = field.relation.and_then(|r| self.dm.relations.get(r.0)) else {
                continue;
            };
            let RelationKind::ForeignKey {
                referencing,
                fields,
                references,
                referenced_model,
                on_delete,
                on_update,
                map,
                ..
            } = &relation.kind
            else {
                continue;
            };
            if referencing.model.0 != index || referencing.field != field_index {
                continue;
            }
            let Some(target) = self.dm.model(*referenced_model) else {
                continue;
            };
            let columns: Vec<String> = fields
                .iter()
                .map(|f| Self::column_name(model, *f).to_owned())
                .collect();
            let referenced_columns = references
                .iter()
                .map(|f| Self::column_name(target, *f).to_owned())
                .collect();
            let name = map.clone().unwrap_or_else(|| {
                let names: Vec<&str> = columns.iter().map(String::as_str).collect();
                constraint_name(&model.db_name, &names, "_fkey", self.limit)
            });
            table.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns,
                referenced_table: ObjectName::new(target.schema.clone(), target.db_name.clone()),
                referenced_columns,
                on_delete: *on_delete,
                on_update: *on_update,
            });
        }
    }

    /// The id column of a model in a join table: its single primary key field.
    fn id_column(&mut self, model: &Model, name: &str) -> Option<(Column, String)> {
        let pk = model.primary_key.as_ref()?;
        let [only] = pk.fields.as_slice() else {
            return None;
        };
        let field = model.fields.get(only.field)?;
        let column_type = self.column_type(field)?;
        Some((Column::new(name, column_type), field.db_name.clone()))
    }

    fn join_table(&mut self, relation_name: &str, a: usize, b: usize) -> Option<Table> {
        let dm = self.dm;
        let model_a = dm.models.get(a)?;
        let model_b = dm.models.get(b)?;
        let table_name = format!("_{relation_name}");
        let (column_a, id_a) = self.id_column(model_a, "A")?;
        let (column_b, id_b) = self.id_column(model_b, "B")?;
        let mut table = Table::new(model_a.schema.clone(), table_name.clone());
        table.columns = vec![column_a, column_b];
        let ab = vec![IndexColumn::named("A"), IndexColumn::named("B")];
        if self.rules.join_table_primary_key() {
            let name = self
                .rules
                .named_primary_keys()
                .then(|| constraint_name(&table_name, &["AB"], "_pkey", self.limit));
            table.primary_key = Some(PrimaryKey { name, columns: ab });
        } else {
            table.indexes.push(Index {
                name: constraint_name(&table_name, &["AB"], "_unique", self.limit),
                kind: IndexKind::Unique,
                columns: ab,
                algorithm: None,
                predicate: None,
                include: Vec::new(),
                constraint_backed: false,
            });
        }
        table.indexes.push(Index {
            name: constraint_name(&table_name, &["B"], "_index", self.limit),
            kind: IndexKind::Normal,
            columns: vec![IndexColumn::named("B")],
            algorithm: None,
            predicate: None,
            include: Vec::new(),
            constraint_backed: false,
        });
        if self.foreign_keys {
            for (column, model, id) in [("A", model_a, id_a), ("B", model_b, id_b)] {
                table.foreign_keys.push(ForeignKey {
                    name: Some(constraint_name(&table_name, &[column], "_fkey", self.limit)),
                    columns: vec![column.to_owned()],
                    referenced_table: ObjectName::new(model.schema.clone(), model.db_name.clone()),
                    referenced_columns: vec![id],
                    on_delete: ReferentialAction::Cascade,
                    on_update: ReferentialAction::Cascade,
                });
            }
        }
        Some(table)
    }
}

/// Decodes standard or URL-safe base64 (padding optional) to lower-case hex. Invalid characters
/// are skipped.
fn base64_to_hex(input: &str) -> String {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = String::with_capacity(input.len() * 3 / 2);
    for c in input.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            let byte = (bits >> count) & 0xff;
            out.push_str(&format!("{byte:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_names_like_prisma() {
        assert_eq!(
            constraint_name(
                "post_translations",
                &["post_id", "language_code", "translation_status_id"],
                "_idx",
                63
            ),
            "post_translations_post_id_language_code_translation_status__idx"
        );
        assert_eq!(
            constraint_name("User", &["email"], "_key", 63),
            "User_email_key"
        );
        // 59 bytes are left for the base; the cut moves back to a character boundary.
        let name = fit_name(&"é".repeat(40), "_pkey", 64);
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("é_pkey"));
    }

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_to_hex("Cg=="), "0a");
        assert_eq!(base64_to_hex("AQID"), "010203");
        assert_eq!(base64_to_hex(""), "");
    }
}
