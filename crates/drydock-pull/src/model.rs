//! Models and enums: one `model` per table (implicit many-to-many join tables excepted), one
//! `enum` per enum type, with the attributes Prisma's introspection writes.

use std::collections::HashSet;

use drydock_schema::{
    Column, ColumnArity, Index, IndexAlgorithm, IndexColumn, IndexKind, LoweringRules, ObjectName,
    OpaqueKind, SortOrder, SqlSchema, Table, TypeFamily,
};

use crate::DatasourceHeader;
use crate::hints::Hints;
use crate::names::{constraint_name, fit_name, is_reserved_type_name, quote, sanitize};
use crate::relations::{self, Names, RelationField};
use crate::types::{default_argument, scalar_name};

/// The comment Prisma puts on a model whose table has no unique criteria.
const NO_UNIQUE_IDENTIFIER: &str = "/// The underlying table does not contain a valid unique \
    identifier and can therefore currently not be handled by Prisma Client.";

/// The notes Prisma puts on a model whose table has objects the schema language cannot express.
const CHECK_CONSTRAINTS: &str = "/// This table contains check constraints and requires \
    additional setup for migrations. Visit https://pris.ly/d/check-constraints for more info.";
const EXCLUSION_CONSTRAINTS: &str = "/// This table contains exclusion constraints and requires \
    additional setup for migrations. Visit https://pris.ly/d/exclusion-constraints for more info.";
const EXPRESSION_INDEXES: &str = "/// This model contains an expression index which requires \
    additional setup for migrations. Visit https://pris.ly/d/expression-indexes for more info.";
const DATABASE_COMMENTS: &str = "/// This model or at least one of its fields has comments in \
    the database, and requires an additional setup for migrations: Read more: \
    https://pris.ly/d/database-comments";

/// The default of a key that numbers rows.
pub(crate) const AUTOINCREMENT: &str = "@default(autoincrement())";

/// Operator classes with a named constant in the schema language; others are written `raw(...)`.
const NAMED_OPERATOR_CLASSES: &[(&str, &str)] = &[
    ("array_ops", "ArrayOps"),
    ("inet_ops", "InetOps"),
    ("jsonb_ops", "JsonbOps"),
    ("jsonb_path_ops", "JsonbPathOps"),
    ("text_ops", "TextOps"),
];

/// An enum's schema-language names.
struct EnumNames {
    object: ObjectName,
    name: String,
    /// Per database value: the value's name.
    values: Vec<String>,
}

/// What a top-level block stands for: a table's model or an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlockKey {
    Table(ObjectName),
    Enum(ObjectName),
}

/// What a line inside a block stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MemberKey {
    /// The field of a column.
    Column(String),
    /// A commented-out column (its name is no identifier).
    Commented(String),
    /// The relation field of the foreign key on these columns.
    Forward(Vec<String>),
    /// The back-relation field of the foreign key of a table on these columns.
    Back(ObjectName, Vec<String>),
    /// A field of an implicit many-to-many relation (join table name), on the `A` model's side
    /// when the flag is set.
    ManyToMany(String, bool),
    /// An enum value, by its database value.
    Value(String),
}

/// A field or enum value: `name type attributes`, with the `///` lines above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) key: MemberKey,
    /// Lines above the member, without indentation.
    pub(crate) docs: Vec<String>,
    pub(crate) name: String,
    /// Type with arity; empty for enum values.
    pub(crate) type_text: String,
    pub(crate) attributes: Vec<String>,
    /// The `@default(autoincrement())` written for a SQLite `INTEGER` key, which numbers rows
    /// whether or not the schema says so (both spellings lower alike).
    pub(crate) implied_default: bool,
}

impl Member {
    /// The member's line, without indentation or line break.
    pub(crate) fn line(&self) -> String {
        let mut line = self.name.clone();
        for part in std::iter::once(&self.type_text).chain(&self.attributes) {
            if !part.is_empty() {
                line.push(' ');
                line.push_str(part);
            }
        }
        line
    }

    /// Whether the member is a column's field (not a relation field).
    pub(crate) fn is_scalar(&self) -> bool {
        matches!(self.key, MemberKey::Column(_) | MemberKey::Commented(_))
    }
}

/// A `model` or `enum` block as pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) key: BlockKey,
    /// `///` lines above the block: Prisma's notes and database comments.
    pub(crate) notes: Vec<String>,
    /// `model User` or `enum Role`.
    pub(crate) head: String,
    pub(crate) members: Vec<Member>,
    /// Block attributes (`@@...`).
    pub(crate) attributes: Vec<String>,
    /// `attributes` with every index's database name written out (`map:`), default or not: an
    /// existing schema may spell out a default name.
    pub(crate) named_attributes: Vec<String>,
}

impl Block {
    /// The block's text (unformatted), ending with a line break.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            out.push_str(note);
            out.push('\n');
        }
        out.push_str(&self.head);
        out.push_str(" {\n");
        for member in &self.members {
            out.push_str(&member_text(member));
        }
        if !self.attributes.is_empty() {
            out.push('\n');
            for attribute in &self.attributes {
                out.push_str(&format!("  {attribute}\n"));
            }
        }
        out.push_str("}\n");
        out
    }
}

/// A member's lines, indented, ending with a line break.
pub(crate) fn member_text(member: &Member) -> String {
    let mut out = String::new();
    for doc in &member.docs {
        out.push_str(&format!("  {doc}\n"));
    }
    out.push_str(&format!("  {}\n", member.line()));
    out
}

/// The pulled blocks: models, then enums; and the note listing views, if any.
pub(crate) struct Rendered {
    pub(crate) blocks: Vec<Block>,
    pub(crate) views_note: Option<String>,
}

/// Everything rendering a model needs besides its table.
struct Context<'a> {
    schema: &'a SqlSchema,
    header: &'a DatasourceHeader,
    rules: &'a dyn LoweringRules,
    names: Names,
    enums: Vec<EnumNames>,
    limit: usize,
}

/// The models, then the enums; names come from `hints` where they have one.
pub(crate) fn render(
    schema: &SqlSchema,
    header: &DatasourceHeader,
    rules: &dyn LoweringRules,
    hints: &Hints,
    warnings: &mut Vec<String>,
) -> Rendered {
    // Prisma qualifies every model and enum whose name occurs in several namespaces.
    let mut seen = HashSet::new();
    let mut duplicated = HashSet::new();
    for name in schema
        .tables
        .iter()
        .map(|t| &t.name)
        .chain(schema.enums.iter().map(|e| &e.name))
    {
        if !seen.insert(sanitize(name)) {
            duplicated.insert(sanitize(name));
        }
    }
    let qualified = |name: &str, namespace: Option<&str>| match namespace {
        Some(namespace) if duplicated.contains(&sanitize(name)) => format!("{namespace}_{name}"),
        _ => name.to_owned(),
    };
    // Names kept from the existing schema are taken first, so new names never collide.
    let mut taken: HashSet<String> = schema
        .tables
        .iter()
        .filter_map(|t| hints.model(&t.object_name()))
        .chain(
            schema
                .enums
                .iter()
                .filter_map(|e| hints.enum_name(&e.object_name())),
        )
        .map(str::to_owned)
        .collect();
    let mut model_names = Vec::new();
    let mut renamed = Vec::new();
    for table in &schema.tables {
        if let Some(kept) = hints.model(&table.object_name()) {
            model_names.push(kept.to_owned());
            renamed.push(false);
            continue;
        }
        let db_name = qualified(&table.name, table.namespace.as_deref());
        let (name, reserved) = type_name(&db_name, &mut taken);
        model_names.push(name);
        renamed.push(reserved);
    }
    let joins = relations::join_tables(schema, &model_names);
    let enums: Vec<EnumNames> = schema
        .enums
        .iter()
        .map(|e| {
            let object = e.object_name();
            let name = match hints.enum_name(&object) {
                Some(kept) => kept.to_owned(),
                None => type_name(&qualified(&e.name, e.namespace.as_deref()), &mut taken).0,
            };
            let mut used: HashSet<String> = e
                .values
                .iter()
                .filter_map(|v| hints.enum_value(&object, v))
                .map(str::to_owned)
                .collect();
            let values = e
                .values
                .iter()
                .map(|value| {
                    if let Some(kept) = hints.enum_value(&object, value) {
                        return kept.to_owned();
                    }
                    let base = sanitize(value);
                    let base = if base.is_empty() {
                        "EMPTY_ENUM_VALUE".to_owned()
                    } else {
                        base
                    };
                    unique(base, &mut used)
                })
                .collect();
            EnumNames {
                object,
                name,
                values,
            }
        })
        .collect();
    let fields: Vec<Vec<Option<String>>> = schema
        .tables
        .iter()
        .map(|table| {
            let object = table.object_name();
            let mut used: HashSet<String> = table
                .columns
                .iter()
                .filter_map(|c| hints.field(&object, &c.name))
                .map(str::to_owned)
                .collect();
            table
                .columns
                .iter()
                .map(|c| {
                    if let Some(kept) = hints.field(&object, &c.name) {
                        return Some(kept.to_owned());
                    }
                    let base = sanitize(&c.name);
                    (!base.is_empty()).then(|| unique(base, &mut used))
                })
                .collect()
        })
        .collect();
    let ignored = schema
        .tables
        .iter()
        .zip(&fields)
        .map(|(table, fields)| !has_unique_criteria(table, fields))
        .collect();
    let names = Names {
        models: model_names
            .into_iter()
            .zip(&joins)
            .map(|(name, join)| join.is_none().then_some(name))
            .collect(),
        fields,
        ignored,
    };
    let limit = rules.max_identifier_length();
    let named_foreign_keys = rules.foreign_key_names_kept();
    let relation_fields = relations::relation_fields(
        schema,
        &names,
        &joins,
        limit,
        named_foreign_keys,
        hints,
        warnings,
    );
    let context = Context {
        schema,
        header,
        rules,
        names,
        enums,
        limit,
    };
    let mut blocks = Vec::new();
    for (index, (table, relation_fields)) in schema.tables.iter().zip(relation_fields).enumerate() {
        let Some(Some(name)) = context.names.models.get(index) else {
            continue;
        };
        let reserved = renamed.get(index).copied().unwrap_or(false);
        blocks.push(context.model(index, table, name, reserved, relation_fields, warnings));
    }
    for (e, names) in schema.enums.iter().zip(&context.enums) {
        blocks.push(enum_block(e, names));
    }
    let views_note = (!schema.views.is_empty()).then(|| views_note(schema, warnings));
    Rendered { blocks, views_note }
}

/// A model or enum name for a database name: the name itself when it is an identifier, else
/// sanitized; `Renamed…` when reserved; numbered when taken. The flag says the name was
/// reserved.
fn type_name(db_name: &str, taken: &mut HashSet<String>) -> (String, bool) {
    let mut name = sanitize(db_name);
    if name.is_empty() {
        name = "Unnamed".to_owned();
    }
    let reserved = is_reserved_type_name(&name);
    if reserved {
        name = format!("Renamed{name}");
    }
    (unique(name, taken), reserved)
}

/// `base`, or `base_1`, `base_2`… when taken; the result is marked taken.
fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let mut counter = 1;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{counter}");
        counter += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// Whether Prisma can identify the table's rows: a primary key, or a unique index over required
/// columns of supported types that all have fields.
fn has_unique_criteria(table: &Table, fields: &[Option<String>]) -> bool {
    let usable = |columns: &[IndexColumn]| {
        columns.iter().all(|ic| {
            table
                .columns
                .iter()
                .position(|c| c.name == ic.name)
                .is_some_and(|p| {
                    fields.get(p).is_some_and(Option::is_some)
                        && table.columns.get(p).is_some_and(|c| {
                            c.is_required() && c.column_type.family != TypeFamily::Unsupported
                        })
                })
        })
    };
    table
        .primary_key
        .as_ref()
        .is_some_and(|pk| usable(&pk.columns))
        || table
            .indexes
            .iter()
            .any(|i| i.kind == IndexKind::Unique && expressible(i) && usable(&i.columns))
}

/// Whether `@@index`/`@@unique` can say everything about `index`: no partial predicate, no
/// `INCLUDE` columns, no expression keys.
fn expressible(index: &Index) -> bool {
    index.predicate.is_none()
        && index.include.is_empty()
        && index.columns.iter().all(|c| c.expression.is_none())
}

/// `///` lines for a database comment.
fn doc_lines(comment: &str) -> Vec<String> {
    comment
        .lines()
        .map(|line| format!("/// {}", line.trim_end()))
        .collect()
}

impl Context<'_> {
    fn model(
        &self,
        index: usize,
        table: &Table,
        name: &str,
        reserved: bool,
        relation_fields: Vec<RelationField>,
        warnings: &mut Vec<String>,
    ) -> Block {
        let fields = self
            .names
            .fields
            .get(index)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let field_of = |column: &str| -> Option<&str> {
            let position = table.columns.iter().position(|c| c.name == column)?;
            fields.get(position)?.as_deref()
        };
        let ignored = self.names.ignored.get(index).copied().unwrap_or(false);
        let mut notes = Vec::new();
        if reserved {
            notes.push(format!(
                "/// This model has been renamed to '{name}' during introspection, because the \
                 original name '{}' is reserved.",
                table.name
            ));
        }
        if ignored {
            notes.push(NO_UNIQUE_IDENTIFIER.to_owned());
            warnings.push(format!(
                "The table `{}` has no primary key or unique index over required columns; its \
                 model is marked `@@ignore`.",
                table.name
            ));
        }
        let has_comments =
            table.comment.is_some() || table.columns.iter().any(|c| c.comment.is_some());
        if has_comments {
            notes.push(DATABASE_COMMENTS.to_owned());
        }
        if let Some(comment) = &table.comment {
            notes.extend(doc_lines(comment));
        }
        // Prisma reads check constraints from the catalogs that have them apart, not from
        // SQLite's table SQL.
        if !table.checks.is_empty() && self.rules.check_constraints_in_catalog() {
            notes.push(CHECK_CONSTRAINTS.to_owned());
        }
        let has_exclusions = self.schema.opaque.iter().any(|o| {
            o.kind == OpaqueKind::ExclusionConstraint
                && o.table.as_deref() == Some(table.name.as_str())
                && o.namespace == table.namespace
        });
        if has_exclusions {
            notes.push(EXCLUSION_CONSTRAINTS.to_owned());
        }
        let unexpressible: Vec<&Index> = table.indexes.iter().filter(|i| !expressible(i)).collect();
        if !unexpressible.is_empty() {
            notes.push(EXPRESSION_INDEXES.to_owned());
            for index in &unexpressible {
                warnings.push(format!(
                    "The index `{}` of `{}` has expressions, a WHERE predicate or INCLUDE \
                     columns, which the schema cannot describe; it was left out.",
                    index.name, table.name
                ));
            }
        }

        // Single-column keys go on the field, as Prisma writes them.
        let field_id = table
            .primary_key
            .as_ref()
            .and_then(|pk| match pk.columns.as_slice() {
                [only] => Some(only),
                _ => None,
            });
        let mut field_uniques: Vec<Option<usize>> = vec![None; table.columns.len()];
        let mut model_indexes: Vec<&Index> = Vec::new();
        for (i, index) in table.indexes.iter().enumerate() {
            if !expressible(index) {
                continue;
            }
            let position = match index.columns.as_slice() {
                [only]
                    if index.kind == IndexKind::Unique
                        && index.algorithm.is_none()
                        && only.operator_class.is_none() =>
                {
                    table.columns.iter().position(|c| c.name == only.name)
                }
                _ => None,
            };
            match position {
                Some(p) if field_uniques.get(p) == Some(&None) => {
                    if let Some(slot) = field_uniques.get_mut(p) {
                        *slot = Some(i);
                    }
                }
                _ => model_indexes.push(index),
            }
        }

        let mut members = Vec::new();
        for (position, column) in table.columns.iter().enumerate() {
            let unique = field_uniques
                .get(position)
                .copied()
                .flatten()
                .and_then(|i| table.indexes.get(i));
            let id = field_id.filter(|pk| pk.name == column.name);
            match fields.get(position).and_then(Option::as_deref) {
                Some(field) => {
                    let docs = column.comment.as_deref().map(doc_lines).unwrap_or_default();
                    let (type_text, attributes) =
                        self.field_parts(table, column, field, id, unique, warnings);
                    let implied_default =
                        id.is_some() && self.rules.numbers_rows_itself(&column.column_type);
                    members.push(Member {
                        key: MemberKey::Column(column.name.clone()),
                        docs,
                        name: field.to_owned(),
                        type_text,
                        attributes,
                        implied_default,
                    });
                }
                None => {
                    warnings.push(format!(
                        "The column `{}` of `{}` has no valid field name; its field is \
                         commented out.",
                        column.name, table.name
                    ));
                    // Prisma comments the field out where it stands, under an explanation.
                    members.push(Member {
                        key: MemberKey::Commented(column.name.clone()),
                        docs: vec![
                            "/// This field was commented out because of an invalid name. \
                             Please provide a valid one that matches [a-zA-Z][a-zA-Z0-9_]*"
                                .to_owned(),
                        ],
                        name: format!("// {}", column.name),
                        type_text: format!("{}{}", self.type_text(column), arity(column.arity)),
                        attributes: vec![format!("@map({})", quote(&column.name))],
                        implied_default: false,
                    });
                }
            }
        }
        for field in relation_fields {
            members.push(Member {
                key: field.key,
                docs: Vec::new(),
                name: field.name,
                type_text: field.type_text,
                attributes: field.attributes,
                implied_default: false,
            });
        }
        let mut attributes = Vec::new();
        if let Some(pk) = &table.primary_key
            && field_id.is_none()
        {
            match self.index_fields(&pk.columns, &field_of) {
                Some(list) => {
                    let mut arguments = vec![list];
                    if let Some(map) = self.pk_map(table, pk.name.as_deref()) {
                        arguments.push(map);
                    }
                    attributes.push(format!("@@id({})", arguments.join(", ")));
                }
                None => warnings.push(format!(
                    "The primary key of `{}` uses columns without a field; it was left out.",
                    table.name
                )),
            }
        }
        let mut named_indexes = Vec::new();
        let order = [IndexKind::Unique, IndexKind::Normal, IndexKind::Fulltext];
        for kind in order {
            for index in model_indexes.iter().filter(|i| i.kind == kind) {
                let Some(list) = self.index_fields(&index.columns, &field_of) else {
                    warnings.push(format!(
                        "The index `{}` of `{}` uses columns without a field; it was left out.",
                        index.name, table.name
                    ));
                    continue;
                };
                let (attribute, suffix) = match kind {
                    IndexKind::Unique => ("@@unique", "_key"),
                    IndexKind::Normal => ("@@index", "_idx"),
                    IndexKind::Fulltext => ("@@fulltext", "_idx"),
                };
                let mut arguments = vec![list.clone()];
                let mut named = vec![list, format!("map: {}", quote(&index.name))];
                if let Some(map) = self.index_map(table, index, suffix) {
                    arguments.push(map);
                }
                if let Some(algorithm) = index.algorithm {
                    arguments.push(format!("type: {}", algorithm_name(algorithm)));
                    named.push(format!("type: {}", algorithm_name(algorithm)));
                }
                named_indexes.push((
                    attributes.len(),
                    format!("{attribute}({})", named.join(", ")),
                ));
                attributes.push(format!("{attribute}({})", arguments.join(", ")));
            }
        }
        if name != table.name {
            attributes.push(format!("@@map({})", quote(&table.name)));
        }
        if ignored {
            attributes.push("@@ignore".to_owned());
        }
        if let Some(namespace) = &table.namespace {
            attributes.push(format!("@@schema({})", quote(namespace)));
        }
        let mut named_attributes = attributes.clone();
        for (at, named) in named_indexes {
            named_attributes[at] = named;
        }
        Block {
            key: BlockKey::Table(table.object_name()),
            notes,
            head: format!("model {name}"),
            members,
            attributes,
            named_attributes,
        }
    }

    /// A column field's type (with arity) and attributes.
    fn field_parts(
        &self,
        table: &Table,
        column: &Column,
        field: &str,
        id: Option<&IndexColumn>,
        unique: Option<&Index>,
        warnings: &mut Vec<String>,
    ) -> (String, Vec<String>) {
        let type_text = self.type_text(column);
        if column.column_type.family == TypeFamily::Unsupported {
            warnings.push(format!(
                "The column `{}` of `{}` has type `{}`, which Prisma Client does not support; \
                 its field is `Unsupported`.",
                column.name, table.name, column.column_type.native
            ));
        }
        let mut attributes = Vec::new();
        if let Some(id) = id {
            let mut arguments = Vec::new();
            if let Some(map) = table
                .primary_key
                .as_ref()
                .and_then(|pk| self.pk_map(table, pk.name.as_deref()))
            {
                arguments.push(map);
            }
            arguments.extend(column_arguments(id));
            attributes.push(with_arguments("@id", &arguments));
        }
        if let Some(unique) = unique {
            let mut arguments = Vec::new();
            if let Some(map) = self.index_map(table, unique, "_key") {
                arguments.push(map);
            }
            if let Some(only) = unique.columns.first() {
                arguments.extend(column_arguments(only));
            }
            attributes.push(with_arguments("@unique", &arguments));
        }
        // A key that numbers rows on its own (SQLite's rowid): Prisma writes `autoincrement()`.
        let rowid = id.is_some() && self.rules.numbers_rows_itself(&column.column_type);
        if column.auto_increment || rowid {
            attributes.push(AUTOINCREMENT.to_owned());
        } else if let Some(default) = &column.default {
            let family = &column.column_type.family;
            let enum_value = |value: &str| self.enum_value_name(family, value);
            match default_argument(default, family, self.rules, &enum_value) {
                Some(argument) => attributes.push(format!("@default({argument})")),
                None => warnings.push(format!(
                    "The default of `{}` on `{}` cannot be written in the schema; it was left \
                     out.",
                    column.name, table.name
                )),
            }
        }
        if field != column.name {
            attributes.push(format!("@map({})", quote(&column.name)));
        }
        if let Some(native) = self.rules.native_type_attribute(&column.column_type) {
            attributes.push(format!("@{}.{native}", self.header.name));
        }
        (format!("{type_text}{}", arity(column.arity)), attributes)
    }

    /// The field type without arity.
    fn type_text(&self, column: &Column) -> String {
        let family = &column.column_type.family;
        if let Some(scalar) = scalar_name(family) {
            return scalar.to_owned();
        }
        if let TypeFamily::Enum(object) = family
            && let Some(e) = self.enums.iter().find(|e| e.object == *object)
        {
            return e.name.clone();
        }
        format!("Unsupported({})", quote(&column.column_type.native))
    }

    /// The name of the enum value stored as `value` in columns of `family`.
    fn enum_value_name(&self, family: &TypeFamily, value: &str) -> Option<String> {
        let TypeFamily::Enum(object) = family else {
            return Some(quote(value));
        };
        let names = self.enums.iter().find(|e| e.object == *object)?;
        let e = self
            .schema
            .enum_type(object.namespace.as_deref(), &object.name)?;
        let position = e.values.iter().position(|v| v == value)?;
        names.values.get(position).cloned()
    }

    /// `[a, b(sort: Desc)]`, or `None` when a column has no field.
    fn index_fields<'a>(
        &self,
        columns: &[IndexColumn],
        field_of: &dyn Fn(&str) -> Option<&'a str>,
    ) -> Option<String> {
        let items: Option<Vec<String>> = columns
            .iter()
            .map(|c| {
                let field = field_of(&c.name)?;
                Some(with_arguments(field, &column_arguments(c)))
            })
            .collect();
        Some(format!("[{}]", items?.join(", ")))
    }

    fn pk_map(&self, table: &Table, name: Option<&str>) -> Option<String> {
        let name = name?;
        (name != fit_name(&table.name, "_pkey", self.limit))
            .then(|| format!("map: {}", quote(name)))
    }

    fn index_map(&self, table: &Table, index: &Index, suffix: &str) -> Option<String> {
        let columns: Vec<&str> = index.columns.iter().map(|c| c.name.as_str()).collect();
        let default = constraint_name(&table.name, &columns, suffix, self.limit);
        (index.name != default).then(|| format!("map: {}", quote(&index.name)))
    }
}

/// `sort:`, `length:` and `ops:` of one column of a key or index.
fn column_arguments(column: &IndexColumn) -> Vec<String> {
    let mut arguments = Vec::new();
    if column.sort == Some(SortOrder::Desc) {
        arguments.push("sort: Desc".to_owned());
    }
    if let Some(length) = column.length {
        arguments.push(format!("length: {length}"));
    }
    if let Some(class) = &column.operator_class {
        let named = NAMED_OPERATOR_CLASSES
            .iter()
            .find(|(sql, _)| sql.eq_ignore_ascii_case(class));
        match named {
            Some((_, constant)) => arguments.push(format!("ops: {constant}")),
            None => arguments.push(format!("ops: raw({})", quote(class))),
        }
    }
    arguments
}

fn with_arguments(name: &str, arguments: &[String]) -> String {
    if arguments.is_empty() {
        name.to_owned()
    } else {
        format!("{name}({})", arguments.join(", "))
    }
}

fn arity(arity: ColumnArity) -> &'static str {
    match arity {
        ColumnArity::Required => "",
        ColumnArity::Nullable => "?",
        ColumnArity::List => "[]",
    }
}

fn algorithm_name(algorithm: IndexAlgorithm) -> &'static str {
    match algorithm {
        IndexAlgorithm::Hash => "Hash",
        IndexAlgorithm::Gist => "Gist",
        IndexAlgorithm::Gin => "Gin",
        IndexAlgorithm::SpGist => "SpGist",
        IndexAlgorithm::Brin => "Brin",
    }
}

/// Views are not pulled as `view` blocks: the schema model keeps a view's query, not its
/// columns, so the block's fields cannot be written. A `//` note lists them instead.
fn views_note(schema: &SqlSchema, warnings: &mut Vec<String>) -> String {
    let mut out = String::from(
        "// The following views are not part of this schema: a view requires additional \
         setup (the `views` preview feature and a `view` block written by hand). Visit \
         https://pris.ly/d/views for more info.\n",
    );
    for view in &schema.views {
        let name = match &view.namespace {
            Some(namespace) => format!("{namespace}.{}", view.name),
            None => view.name.clone(),
        };
        out.push_str(&format!("// - {name}\n"));
        warnings.push(format!(
            "The view `{name}` was not pulled; write its `view` block by hand."
        ));
    }
    out
}

fn enum_block(e: &drydock_schema::Enum, names: &EnumNames) -> Block {
    let members = e
        .values
        .iter()
        .zip(&names.values)
        .map(|(value, name)| Member {
            key: MemberKey::Value(value.clone()),
            docs: Vec::new(),
            name: name.clone(),
            type_text: String::new(),
            attributes: if name == value {
                Vec::new()
            } else {
                vec![format!("@map({})", quote(value))]
            },
            implied_default: false,
        })
        .collect();
    let mut attributes = Vec::new();
    if names.name != e.name {
        attributes.push(format!("@@map({})", quote(&e.name)));
    }
    if let Some(namespace) = &e.namespace {
        attributes.push(format!("@@schema({})", quote(namespace)));
    }
    Block {
        key: BlockKey::Enum(e.object_name()),
        notes: Vec::new(),
        head: format!("enum {}", names.name),
        members,
        named_attributes: attributes.clone(),
        attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_taken_names() {
        let mut taken = HashSet::new();
        assert_eq!(type_name("User", &mut taken), ("User".to_owned(), false));
        assert_eq!(type_name("User", &mut taken), ("User_1".to_owned(), false));
        assert_eq!(
            type_name("String", &mut taken),
            ("RenamedString".to_owned(), true)
        );
        assert_eq!(type_name("42", &mut taken), ("Unnamed".to_owned(), false));
    }
}
