//! Re-introspection: `db pull` on an existing schema edits it instead of replacing it.
//!
//! The database is pulled with the existing schema's names ([`Hints`]): models, fields, enums
//! and their values through `@map`/`@@map`, relation names and relation field names. Then each
//! file of the existing schema is rewritten block by block, in place: a block whose table or
//! enum is gone is removed with the comments above it; a kept block keeps its text, comments,
//! blank lines and member order, and only the lines that say something else than the database
//! are replaced (keeping their trailing comment). A line is unchanged when its name, type and
//! attributes are the pulled ones, in any order and spacing. What the database cannot know stays:
//! `@updatedAt`, `@ignore`, `@@ignore` and client-side defaults (`cuid()`, `uuid()`, `nanoid()`,
//! `ulid()`), and the absence of the index MySQL makes for a foreign key. New columns are added
//! after the last kept column, new relation fields after the last field, new attributes after
//! the last attribute; new models and enums go to the file
//! Prisma puts them in (`introspected.prisma` in a schema folder, else the schema file).
//! `datasource`, `generator`, composite types and views that still exist are kept as written.
//! Models and enums of a namespace that was not introspected (`db pull --schemas`) stay as
//! written. On SQLite, where enums are text columns, enum blocks stay as written and a text column keeps
//! its enum type and default value.

use std::collections::HashSet;

use drydock_psl::ast::{
    Attribute, Enum as AstEnum, Expression, FieldArity, Model as AstModel, ModelKind, Top,
};
use drydock_psl::datamodel::{FieldType, ModelId, RelationMode};
use drydock_psl::{Datamodel, Files, Span};
use drydock_schema::{IndexKind, LoweringRules, NativeTypeAttr, ObjectName, SqlSchema};

use crate::DatasourceHeader;
use crate::hints::{Hints, member_key, table_of};
use crate::model::{self, AUTOINCREMENT, Block, BlockKey, Member, MemberKey, member_text};
use crate::types::family_named;

/// Client-side default functions: the database holds no default for them.
const CLIENT_DEFAULTS: &[&str] = &["cuid", "uuid", "nanoid", "ulid"];

/// One schema file as pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledFile {
    /// The file's name as given in the existing schema's [`Files`] (a new file: the name given
    /// for new blocks).
    pub name: String,
    /// The file's text, formatted.
    pub text: String,
}

/// The files of a re-introspected schema and what could not be represented faithfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepullResult {
    /// Every file of the existing schema, in its order, then the new file if one was needed.
    pub files: Vec<PulledFile>,
    pub warnings: Vec<String>,
}

/// Re-introspects `schema` into the existing schema `previous`; `new_blocks_file` names the file
/// new models and enums go to (one of `previous`'s or a new one). `header` gives the provider
/// and the datasource name.
pub fn repull(
    schema: &SqlSchema,
    previous: &Files,
    header: &DatasourceHeader,
    new_blocks_file: &str,
    rules: &dyn LoweringRules,
) -> RepullResult {
    let schema = &*crate::qualified(schema);
    let (ast, _) = drydock_psl::parse_schema(previous);
    let (datamodel, _) = drydock_psl::validate(&ast);
    let schema = &*crate::inline_enums::with_inline_enums(schema, rules, Some(&datamodel));
    let schema = &*without_undeclared_key_indexes(schema, &datamodel, rules);
    let hints = Hints::of(&datamodel);
    // Views with a `view` block are kept as written; the note lists the others.
    let view_blocks: HashSet<ObjectName> = datamodel
        .models
        .iter()
        .filter(|m| m.is_view)
        .map(table_of)
        .collect();
    let mut unwritten_views = schema.clone();
    unwritten_views
        .views
        .retain(|v| !view_blocks.contains(&ObjectName::new(v.namespace.clone(), v.name.clone())));
    let mut warnings = Vec::new();
    let rendered = model::render(&unwritten_views, header, rules, &hints, &mut warnings);
    let mut merger = Merger {
        schema,
        datamodel: &datamodel,
        used: vec![false; rendered.blocks.len()],
        rendered: &rendered,
        merge: Merge {
            rules,
            datasource: &header.name,
        },
        text_enums: rules.enums_stored_as_text(),
        keep_relations: datamodel.relation_mode() == RelationMode::Prisma,
    };
    let mut files = Vec::new();
    for (file_id, file) in previous.iter() {
        let text = file.text.as_str();
        let mut out = String::new();
        let mut cursor = 0;
        for top in ast.tops.iter().filter(|t| top_span(t).file == file_id) {
            let span = top_span(top);
            let start = line_start(text, span.start);
            let leading = text.get(cursor..start).unwrap_or_default();
            let written = text.get(start..span.end).unwrap_or_default();
            cursor = span.end;
            let kept = match top {
                Top::Datasource(_) | Top::Generator(_) => Some(written.to_owned()),
                Top::Model(m) if m.kind == ModelKind::CompositeType => Some(written.to_owned()),
                Top::Model(m) if m.kind == ModelKind::View => {
                    merger.view_exists(m).then(|| written.to_owned())
                }
                // `--schemas` left this namespace out: what the schema says of it stays.
                Top::Model(m)
                    if merger
                        .outside(merger.model_of(m).and_then(|(_, d)| d.schema.as_deref())) =>
                {
                    Some(written.to_owned())
                }
                Top::Enum(e)
                    if merger.outside(merger.enum_of(e).and_then(|d| d.schema.as_deref())) =>
                {
                    Some(written.to_owned())
                }
                Top::Model(m) => merger.model(text, m),
                // SQLite stores enums as text: the database knows nothing of the block.
                Top::Enum(_) if merger.text_enums => Some(written.to_owned()),
                Top::Enum(e) => merger.enum_block(text, e),
            };
            if let Some((notes, kept)) = kept.map(|k| (missing_notes(top, &rendered, leading), k)) {
                out.push_str(leading);
                out.push_str(&notes);
                out.push_str(&kept);
            }
        }
        out.push_str(text.get(cursor..).unwrap_or_default());
        files.push(PulledFile {
            name: file.name.clone(),
            text: out,
        });
    }
    // Only now, with every file merged, is it known which blocks are new.
    let used = merger.used;
    match files.iter_mut().find(|f| f.name == new_blocks_file) {
        Some(file) => append_new(&mut file.text, &rendered, &used, previous),
        None => {
            let mut text = String::new();
            append_new(&mut text, &rendered, &used, previous);
            if !text.is_empty() {
                files.push(PulledFile {
                    name: new_blocks_file.to_owned(),
                    text,
                });
            }
        }
    }
    for file in &mut files {
        file.text = drydock_psl::format(&file.text);
    }
    RepullResult { files, warnings }
}

/// `schema` without the indexes the database made for foreign keys
/// ([`LoweringRules::foreign_keys_indexed`]) on the tables of models that do not declare them:
/// the existing schema never wrote them, and keeps not writing them.
fn without_undeclared_key_indexes<'a>(
    schema: &'a SqlSchema,
    datamodel: &Datamodel,
    rules: &dyn LoweringRules,
) -> std::borrow::Cow<'a, SqlSchema> {
    if !rules.foreign_keys_indexed() {
        return std::borrow::Cow::Borrowed(schema);
    }
    let (declared, _) = drydock_psl::lower(datamodel, rules);
    let mut kept = schema.clone();
    for table in &mut kept.tables {
        let Some(model) = declared.table(table.namespace.as_deref(), &table.name) else {
            continue;
        };
        let foreign_keys = &table.foreign_keys;
        table.indexes.retain(|index| {
            let made_for_key = index.kind == IndexKind::Normal
                && index
                    .columns
                    .iter()
                    .all(|c| c.length.is_none() && c.sort.is_none() && c.expression.is_none())
                && foreign_keys.iter().any(|key| {
                    key.name.as_deref() == Some(index.name.as_str())
                        && index.columns.iter().map(|c| &c.name).eq(key.columns.iter())
                });
            !made_for_key || model.indexes.iter().any(|i| i.name == index.name)
        });
    }
    std::borrow::Cow::Owned(kept)
}

/// The state of one re-introspection: the existing schema, the pulled blocks and which of them
/// found their place in it.
struct Merger<'a> {
    schema: &'a SqlSchema,
    datamodel: &'a Datamodel,
    rendered: &'a model::Rendered,
    /// Per pulled block: it replaced a block of the existing schema.
    used: Vec<bool>,
    merge: Merge<'a>,
    /// Whether enums are text columns (SQLite).
    text_enums: bool,
    /// Whether relations are emulated (`relationMode = "prisma"`).
    keep_relations: bool,
}

impl<'a> Merger<'a> {
    fn model_of(&self, m: &AstModel) -> Option<(ModelId, &'a drydock_psl::datamodel::Model)> {
        let datamodel = self.datamodel;
        datamodel
            .models
            .iter()
            .enumerate()
            .find(|(_, d)| d.span == m.span)
            .map(|(id, d)| (ModelId(id), d))
    }

    fn enum_of(&self, e: &AstEnum) -> Option<&'a drydock_psl::datamodel::Enum> {
        let datamodel = self.datamodel;
        datamodel.enums.iter().find(|d| d.span == e.span)
    }

    /// Whether `namespace` was left out of the introspection (`--schemas`).
    fn outside(&self, namespace: Option<&str>) -> bool {
        namespace.is_some_and(|n| {
            !self.schema.namespaces.is_empty() && !self.schema.namespaces.iter().any(|s| s == n)
        })
    }

    fn view_exists(&self, m: &AstModel) -> bool {
        self.model_of(m)
            .map(|(_, d)| table_of(d))
            .is_some_and(|view| {
                self.schema
                    .views
                    .iter()
                    .any(|v| v.name == view.name && v.namespace == view.namespace)
            })
    }

    /// The model block `m` merged with its pulled block; `None` when its table is gone.
    fn model(&mut self, text: &str, m: &AstModel) -> Option<String> {
        let (id, resolved) = self.model_of(m)?;
        let index = block_index(&self.rendered.blocks, &BlockKey::Table(table_of(resolved)))?;
        let block = self.rendered.blocks.get(index)?;
        self.used[index] = true;
        let previous_members: Vec<PreviousMember<'_>> = m
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| PreviousMember {
                key: member_key(self.datamodel, id, i),
                span: f.span,
                name: f.name.name.clone(),
                type_text: format!(
                    "{}{}",
                    text.get(f.field_type.span.start..f.field_type.span.end)
                        .unwrap_or_default(),
                    arity_text(f.arity)
                ),
                content_end: content_end(f.field_type.span, &f.attributes),
                attributes: &f.attributes,
                text_enum: self
                    .text_enums
                    .then(|| text_enum(self.datamodel, id, i))
                    .flatten(),
                keep_unmatched: self.keep_relations
                    && emulated_relation_stays(self.datamodel, id, i, self.rendered),
            })
            .collect();
        Some(merge_block(
            &self.merge,
            text,
            &PreviousBlock {
                span: m.span,
                name: m.name.span,
                members: &previous_members,
                attributes: &m.attributes,
            },
            block,
            "model M",
        ))
    }

    /// The enum block `e` merged with its pulled block; `None` when the enum is gone.
    fn enum_block(&mut self, text: &str, e: &AstEnum) -> Option<String> {
        let resolved = self.enum_of(e)?;
        let object = ObjectName::new(resolved.schema.clone(), resolved.db_name.clone());
        let index = block_index(&self.rendered.blocks, &BlockKey::Enum(object))?;
        let block = self.rendered.blocks.get(index)?;
        self.used[index] = true;
        let previous_members: Vec<PreviousMember<'_>> = e
            .values
            .iter()
            .zip(&resolved.values)
            .map(|(v, value)| PreviousMember {
                key: Some(MemberKey::Value(value.db_name.clone())),
                span: v.span,
                name: v.name.name.clone(),
                type_text: String::new(),
                content_end: content_end(v.name.span, &v.attributes),
                attributes: &v.attributes,
                text_enum: None,
                keep_unmatched: false,
            })
            .collect();
        Some(merge_block(
            &self.merge,
            text,
            &PreviousBlock {
                span: e.span,
                name: e.name.span,
                members: &previous_members,
                attributes: &e.attributes,
            },
            block,
            "enum E",
        ))
    }
}

/// Whether a relation field of a schema with `relationMode = "prisma"` (no foreign key in the
/// database) stays: the model it points to still has its table.
fn emulated_relation_stays(
    datamodel: &Datamodel,
    model: ModelId,
    field: usize,
    rendered: &model::Rendered,
) -> bool {
    let Some(FieldType::Model(target)) = datamodel
        .model(model)
        .and_then(|m| m.fields.get(field))
        .map(|f| &f.field_type)
    else {
        return false;
    };
    datamodel
        .model(*target)
        .is_some_and(|t| block_index(&rendered.blocks, &BlockKey::Table(table_of(t))).is_some())
}

/// The notes Prisma puts above a model (check constraints, comments...) that the text above
/// the kept block does not have yet.
fn missing_notes(top: &Top, rendered: &model::Rendered, leading: &str) -> String {
    let Top::Model(m) = top else {
        return String::new();
    };
    let head = format!("model {}", m.name.name);
    let Some(block) = rendered.blocks.iter().find(|b| b.head == head) else {
        return String::new();
    };
    let present: HashSet<&str> = leading.lines().map(str::trim).collect();
    block
        .notes
        .iter()
        .filter(|note| !present.contains(note.as_str()))
        .map(|note| format!("{note}\n"))
        .collect()
}

/// New models and enums, and the note on views unless a file has it already.
fn append_new(out: &mut String, rendered: &model::Rendered, used: &[bool], previous: &Files) {
    let mut push = |text: &str| {
        if !out.trim().is_empty() {
            while !out.ends_with("\n\n") {
                out.push('\n');
            }
        }
        out.push_str(text);
    };
    for (block, _) in rendered.blocks.iter().zip(used).filter(|(_, used)| !**used) {
        push(&block.text());
    }
    if let Some(note) = &rendered.views_note {
        let first = note.lines().next().unwrap_or_default();
        if !previous.iter().any(|(_, f)| f.text.contains(first)) {
            push(note);
        }
    }
}

fn block_index(blocks: &[Block], key: &BlockKey) -> Option<usize> {
    blocks.iter().position(|b| b.key == *key)
}

fn top_span(top: &Top) -> Span {
    match top {
        Top::Model(m) => m.span,
        Top::Enum(e) => e.span,
        Top::Datasource(b) | Top::Generator(b) => b.span,
    }
}

fn arity_text(arity: FieldArity) -> &'static str {
    match arity {
        FieldArity::Required => "",
        FieldArity::Optional => "?",
        FieldArity::List => "[]",
    }
}

/// Where the last token of a member ends (before a trailing comment).
fn content_end(first: Span, attributes: &[Attribute]) -> usize {
    attributes
        .iter()
        .map(|a| a.span.end)
        .fold(first.end, usize::max)
}

/// A field or enum value of the existing schema.
struct PreviousMember<'a> {
    /// What it stands for; `None` when validation could not resolve it.
    key: Option<MemberKey>,
    span: Span,
    name: String,
    type_text: String,
    content_end: usize,
    attributes: &'a [Attribute],
    /// The enum of a field whose database stores enums as text.
    text_enum: Option<TextEnum>,
    /// Kept even when the database has nothing for it (relations emulated by the client).
    keep_unmatched: bool,
}

/// An enum stored as text: its name and, per value, the name and the stored text.
struct TextEnum {
    name: String,
    values: Vec<(String, String)>,
}

fn text_enum(datamodel: &Datamodel, model: ModelId, field: usize) -> Option<TextEnum> {
    let FieldType::Enum(id) = datamodel.model(model)?.fields.get(field)?.field_type else {
        return None;
    };
    let e = datamodel.enum_(id)?;
    Some(TextEnum {
        name: e.name.clone(),
        values: e
            .values
            .iter()
            .map(|v| (v.name.clone(), v.db_name.clone()))
            .collect(),
    })
}

/// What merging needs besides the texts: the target's lowering rules and datasource name.
struct Merge<'a> {
    rules: &'a dyn LoweringRules,
    datasource: &'a str,
}

impl Merge<'_> {
    /// Whether `attribute` is a native type attribute (`@db.Text`) that gives a `scalar` field
    /// its default type anyway, so the database cannot tell it was written.
    fn is_redundant_native_type(&self, scalar: &str, attribute: &Attribute, text: &str) -> bool {
        let Some(native) = attribute
            .name
            .name
            .strip_prefix(self.datasource)
            .and_then(|rest| rest.strip_prefix('.'))
        else {
            return false;
        };
        let Some(family) = family_named(scalar) else {
            return false;
        };
        let args = attribute
            .arguments
            .iter()
            .map(|a| {
                let span = a.value.span();
                text.get(span.start..span.end)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let attr = NativeTypeAttr {
            name: native.to_owned(),
            args,
        };
        self.rules
            .column_type(&family, Some(&attr))
            .is_ok_and(|column_type| self.rules.native_type_attribute(&column_type).is_none())
    }
}

/// What a piece of a rewritten block is, to place new members after the right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Scalar,
    Relation,
    Attribute,
}

/// A `model` or `enum` block of the existing schema.
struct PreviousBlock<'a, 'b> {
    /// The whole block.
    span: Span,
    /// Its name.
    name: Span,
    members: &'a [PreviousMember<'b>],
    attributes: &'a [Attribute],
}

/// The `previous` block rewritten to say what `block` says, keeping its text where it agrees.
/// `dummy_head` opens a block to parse pulled lines in (`model M` or `enum E`).
fn merge_block(
    merge: &Merge<'_>,
    text: &str,
    previous: &PreviousBlock<'_, '_>,
    block: &Block,
    dummy_head: &str,
) -> String {
    let PreviousBlock {
        span,
        name,
        members,
        attributes,
    } = *previous;
    let close = span.end.saturating_sub(1);
    let body_start = text
        .get(name.end..)
        .and_then(|rest| rest.find('{'))
        .and_then(|brace| {
            let after = name.end + brace;
            text.get(after..)?.find('\n').map(|nl| after + nl + 1)
        });
    let first_item = members
        .iter()
        .map(|m| m.span.start)
        .chain(attributes.iter().map(|a| a.span.start))
        .min()
        .unwrap_or(close);
    // A block written on one line is replaced by the pulled one.
    let Some(body_start) = body_start.filter(|b| *b <= line_start(text, first_item)) else {
        return block.text();
    };
    let mut pieces: Vec<(Piece, String)> = Vec::new();
    let mut used_members = vec![false; block.members.len()];
    let mut used_attributes = vec![false; block.attributes.len()];
    let key_of = |a: &String| {
        let dummy = format!("{dummy_head} {{\n  {a}\n}}\n");
        parsed_block_attribute_key(&dummy)
    };
    // Each pulled attribute as it is spelled, and with its index name written out.
    let fresh_attribute_keys: Vec<(String, String)> = block
        .attributes
        .iter()
        .zip(&block.named_attributes)
        .map(|(a, named)| (key_of(a), key_of(named)))
        .collect();

    enum Item<'a, 'b> {
        Member(&'a PreviousMember<'b>),
        Attribute(&'a Attribute),
    }
    let mut items: Vec<(usize, Item<'_, '_>)> = members
        .iter()
        .map(|m| (m.span.start, Item::Member(m)))
        .chain(
            attributes
                .iter()
                .map(|a| (a.span.start, Item::Attribute(a))),
        )
        .collect();
    items.sort_by_key(|(start, _)| *start);

    let mut cursor = body_start;
    let mut carried = String::new();
    for (start, item) in items {
        let line = line_start(text, start);
        let leading = text.get(cursor..line).unwrap_or_default();
        match item {
            Item::Member(previous) => {
                let end = line_end(text, previous.span.end);
                cursor = end;
                let written = text.get(line..end).unwrap_or_default();
                let found = previous.key.as_ref().and_then(|key| {
                    block
                        .members
                        .iter()
                        .enumerate()
                        .find(|(i, m)| !used_members[*i] && m.key == *key)
                });
                let Some((index, fresh)) = found else {
                    if previous.keep_unmatched {
                        pieces.push((Piece::Relation, format!("{leading}{written}")));
                    }
                    continue;
                };
                used_members[index] = true;
                let fresh = enrich(merge, fresh, previous, text);
                let kind = if fresh.is_scalar() {
                    Piece::Scalar
                } else {
                    Piece::Relation
                };
                if same_member(previous, &fresh, text, dummy_head) {
                    pieces.push((kind, format!("{leading}{written}")));
                } else {
                    let comment = text
                        .get(previous.content_end.max(line)..end)
                        .and_then(|rest| rest.find("//").map(|i| rest[i..].trim_end()))
                        .map(|c| format!(" {c}"))
                        .unwrap_or_default();
                    pieces.push((kind, format!("{leading}  {}{comment}\n", fresh.line())));
                }
            }
            Item::Attribute(attribute) => {
                let end = line_end(text, attribute.span.end);
                cursor = end;
                let written = text.get(line..end).unwrap_or_default();
                let key = attribute_key(attribute, text, false);
                let found = fresh_attribute_keys
                    .iter()
                    .enumerate()
                    .find(|(i, (k, named))| !used_attributes[*i] && (*k == key || *named == key))
                    .map(|(i, _)| i);
                let kept = match found {
                    Some(index) => {
                        used_attributes[index] = true;
                        true
                    }
                    // What the database cannot say is the user's.
                    None => attribute.name.name == "ignore",
                };
                if kept {
                    pieces.push((
                        Piece::Attribute,
                        format!("{}{leading}{written}", std::mem::take(&mut carried)),
                    ));
                } else if carried.is_empty() {
                    // The blank line above the attributes stays for the next one.
                    carried = leading.to_owned();
                }
            }
        }
    }
    // Commented-out columns are comments of the existing text already.
    let block_text = text.get(span.start..span.end).unwrap_or_default();
    for (index, member) in block.members.iter().enumerate() {
        if matches!(member.key, MemberKey::Commented(_)) && block_text.contains(&member.line()) {
            used_members[index] = true;
        }
    }
    let new_members = block
        .members
        .iter()
        .zip(&used_members)
        .filter(|(_, used)| !**used)
        .map(|(m, _)| m);
    for member in new_members {
        let (kind, after) = if member.is_scalar() {
            (Piece::Scalar, &[Piece::Scalar][..])
        } else {
            (Piece::Relation, &[Piece::Scalar, Piece::Relation][..])
        };
        let at = pieces
            .iter()
            .rposition(|(k, _)| after.contains(k))
            .map_or(0, |i| i + 1);
        pieces.insert(at, (kind, member_text(member)));
    }
    let has_attributes = pieces.iter().any(|(k, _)| *k == Piece::Attribute);
    let mut first_new_attribute = true;
    for (attribute, _) in block
        .attributes
        .iter()
        .zip(&used_attributes)
        .filter(|(_, used)| !**used)
    {
        let separator = if !has_attributes && first_new_attribute {
            if carried.is_empty() {
                "\n"
            } else {
                carried.as_str()
            }
        } else {
            ""
        };
        first_new_attribute = false;
        pieces.push((Piece::Attribute, format!("{separator}  {attribute}\n")));
    }
    let close_line = line_start(text, close);
    let mut out = String::new();
    out.push_str(
        text.get(line_start(text, span.start)..body_start)
            .unwrap_or_default(),
    );
    for (_, piece) in pieces {
        out.push_str(&piece);
    }
    out.push_str(
        text.get(cursor.min(close_line)..close_line)
            .unwrap_or_default(),
    );
    out.push_str(text.get(close_line..span.end).unwrap_or_default());
    out
}

/// The pulled member with what only the existing schema knows: `@updatedAt`, `@ignore`, a
/// client-side default where the database has none, a native type attribute that only repeats
/// the default type (`@db.Text`), a `dbgenerated(...)` default, a SQLite
/// `INTEGER` key written without `@default(autoincrement())`, and the enum of a text column.
fn enrich(merge: &Merge<'_>, fresh: &Member, previous: &PreviousMember<'_>, text: &str) -> Member {
    let mut member = fresh.clone();
    let native_prefix = format!("@{}.", merge.datasource);
    keep_unsupported(&mut member, &previous.type_text, &native_prefix);
    if !member
        .attributes
        .iter()
        .any(|a| a.starts_with(&native_prefix))
    {
        let scalar = member
            .type_text
            .trim_end_matches(['?', '[', ']'])
            .to_owned();
        for attribute in previous.attributes {
            if merge.is_redundant_native_type(&scalar, attribute, text) {
                let written = text
                    .get(attribute.span.start..attribute.span.end)
                    .unwrap_or_default();
                member.attributes.push(written.to_owned());
            }
        }
    }
    if let Some(e) = &previous.text_enum
        && let Some(arity) = member.type_text.strip_prefix("String")
    {
        member.type_text = format!("{}{arity}", e.name);
        for attribute in &mut member.attributes {
            let stored = attribute
                .strip_prefix("@default(\"")
                .and_then(|rest| rest.strip_suffix("\")"));
            if let Some((name, _)) = stored.and_then(|s| e.values.iter().find(|(_, db)| db == s)) {
                *attribute = format!("@default({name})");
            }
        }
    }
    let previous = previous.attributes;
    let previous_default = previous.iter().find(|a| a.name.name == "default");
    if member.implied_default && previous_default.is_none() {
        member.attributes.retain(|a| a != AUTOINCREMENT);
    }
    // `dbgenerated(...)` is the database's to evaluate: the differ never compares it, and the
    // database may spell it as a plain value.
    if let Some(written) = previous_default.filter(|a| {
        matches!(
            a.argument(None).map(|a| &a.value),
            Some(Expression::Function(f, _, _)) if f == "dbgenerated"
        )
    }) && let Some(slot) = member
        .attributes
        .iter_mut()
        .find(|a| a.starts_with("@default("))
    {
        *slot = text
            .get(written.span.start..written.span.end)
            .unwrap_or_default()
            .to_owned();
    }
    let has = |member: &Member, name: &str| {
        member
            .attributes
            .iter()
            .any(|a| a == &format!("@{name}") || a.starts_with(&format!("@{name}(")))
    };
    for attribute in previous {
        let name = attribute.name.name.as_str();
        let client_default = name == "default"
            && matches!(
                attribute.argument(None).map(|a| &a.value),
                Some(Expression::Function(f, _, _)) if CLIENT_DEFAULTS.contains(&f.as_str())
            );
        if (matches!(name, "updatedAt" | "ignore") || client_default) && !has(&member, name) {
            let written = text
                .get(attribute.span.start..attribute.span.end)
                .unwrap_or_default();
            member.attributes.push(written.to_owned());
        }
    }
    member
}

/// A field written as `Unsupported("citext")` (schema-qualified or not) whose column the
/// database reports as the native type of that name (`String @db.Citext`) stays as written.
fn keep_unsupported(member: &mut Member, previous_type: &str, native_prefix: &str) {
    let Some(written) = previous_type
        .strip_prefix("Unsupported(\"")
        .and_then(|rest| rest.split_once("\")"))
        .map(|(name, _)| name)
    else {
        return;
    };
    let unqualified = written.rsplit('.').next().unwrap_or(written);
    let Some(position) = member.attributes.iter().position(|attribute| {
        attribute
            .strip_prefix(native_prefix)
            .is_some_and(|native| native.eq_ignore_ascii_case(unqualified))
    }) else {
        return;
    };
    member.attributes.remove(position);
    let arity = member
        .type_text
        .trim_start_matches(|c: char| c.is_alphanumeric());
    member.type_text = format!("Unsupported(\"{written}\"){arity}");
}

/// Whether the existing member says what the pulled one says: name, type and the same
/// attributes in any order and spacing.
fn same_member(
    previous: &PreviousMember<'_>,
    fresh: &Member,
    text: &str,
    dummy_head: &str,
) -> bool {
    if previous.name != fresh.name || previous.type_text != fresh.type_text {
        return false;
    }
    let optional = fresh.type_text.ends_with('?');
    // `@map` with the field's own name maps to what the field is called anyway.
    let own_name = format!("map(:\"{}\")", previous.name);
    let mut written: Vec<String> = previous
        .attributes
        .iter()
        .map(|a| attribute_key(a, text, optional))
        .filter(|key| *key != own_name)
        .collect();
    written.sort();
    let dummy = format!("{dummy_head} {{\n  {}\n}}\n", fresh.line());
    let files = Files::single("pulled.prisma", dummy.as_str());
    let (ast, _) = drydock_psl::parse_schema(&files);
    let attributes = match ast.tops.first() {
        Some(Top::Model(m)) => m.fields.first().map(|f| f.attributes.clone()),
        Some(Top::Enum(e)) => e.values.first().map(|v| v.attributes.clone()),
        _ => None,
    };
    let mut pulled: Vec<String> = attributes
        .unwrap_or_default()
        .iter()
        .map(|a| attribute_key(a, &dummy, optional))
        .collect();
    pulled.sort();
    written == pulled
}

/// The key of the one block attribute of a parsed one-attribute block.
fn parsed_block_attribute_key(dummy: &str) -> String {
    let files = Files::single("pulled.prisma", dummy);
    let (ast, _) = drydock_psl::parse_schema(&files);
    let attribute = match ast.tops.first() {
        Some(Top::Model(m)) => m.attributes.first().cloned(),
        Some(Top::Enum(e)) => e.attributes.first().cloned(),
        _ => None,
    };
    attribute.map_or_else(String::new, |a| attribute_key(&a, dummy, false))
}

/// An attribute in a spelling that ignores spacing, argument order, naming the first argument
/// (`@relation(name: "x")` is `@relation("x")`, `@map(name: "x")` is `@map("x")`,
/// `@@index(fields: [a])` is `@@index([a])`),
/// `@@index(name:)` for `map:`, the client-side `name:` of `@@id`/`@@unique`, a single field
/// for a list of one, the default operator classes `ArrayOps` and `JsonbOps`, and
/// referential actions written with their default value (`onUpdate: Cascade`, `onDelete:
/// SetNull` on an optional relation, `onDelete: Restrict` on a required one).
fn attribute_key(attribute: &Attribute, text: &str, optional: bool) -> String {
    let name = attribute.name.name.as_str();
    let mut arguments: Vec<String> = attribute
        .arguments
        .iter()
        .map(|argument| {
            let label = match argument.name.as_ref().map(|n| n.name.as_str()) {
                None => "",
                Some("name") if matches!(name, "relation" | "map") => "",
                // On `@@index`, `name:` is the older spelling of `map:`.
                Some("name") if name == "index" => "map",
                Some("fields") if matches!(name, "id" | "unique" | "index" | "fulltext") => "",
                Some(label) => label,
            };
            let span = argument.value.span();
            let mut value: String = text
                .get(span.start..span.end)
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if label.is_empty() && matches!(name, "id" | "unique" | "index" | "fulltext") {
                // A single field stands for a list of one; the operator classes an index
                // method uses anyway are not in the database's catalog as chosen ones.
                if !value.starts_with('[') {
                    value = format!("[{value}]");
                }
                for default_class in ["(ops:ArrayOps)", "(ops:JsonbOps)"] {
                    value = value.replace(default_class, "");
                }
            }
            format!("{label}:{value}")
        })
        // The name of a compound `@@id`/`@@unique` names it in the client only.
        .filter(|argument| !(matches!(name, "id" | "unique") && argument.starts_with("name:")))
        .filter(|argument| {
            let default_delete = if optional {
                "onDelete:SetNull"
            } else {
                "onDelete:Restrict"
            };
            name != "relation" || (argument != "onUpdate:Cascade" && argument != default_delete)
        })
        .collect();
    arguments.sort();
    format!("{name}({})", arguments.join(","))
}

/// The start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|head| head.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The end of the line holding byte `at`, line break included; `at` itself when it follows a
/// line break.
fn line_end(text: &str, at: usize) -> usize {
    if at > 0 && text.as_bytes().get(at - 1) == Some(&b'\n') {
        return at;
    }
    text.get(at..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| at + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_field_attributes(text: &str) -> Vec<Attribute> {
        let files = Files::single("schema.prisma", text);
        let (ast, _) = drydock_psl::parse_schema(&files);
        ast.models()
            .next()
            .and_then(|m| m.fields.first())
            .map(|f| f.attributes.clone())
            .unwrap_or_default()
    }

    #[test]
    fn attribute_keys_ignore_spelling() {
        let a = "model A {\n  b B @relation(name: \"x\", references: [id], fields: [bId], onUpdate: Cascade)\n}\n";
        let b = "model A {\n  b B @relation(\"x\", fields: [ bId ], references: [id])\n}\n";
        let key = |text: &str| {
            first_field_attributes(text)
                .iter()
                .map(|attribute| attribute_key(attribute, text, false))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(a), key(b));
        // formbricks writes `@map(name: "created_at")`.
        let named = "model A {\n  b DateTime @map(name: \"b_at\")\n}\n";
        let plain = "model A {\n  b DateTime @map(\"b_at\")\n}\n";
        assert_eq!(key(named), key(plain));
        let required =
            "model A {\n  b B @relation(fields: [bId], references: [id], onDelete: SetNull)\n}\n";
        let optional = "model A {\n  b B @relation(fields: [bId], references: [id])\n}\n";
        assert_ne!(
            key(required),
            key(optional),
            "SetNull is no default when required"
        );
    }

    #[test]
    fn lines_around_a_position() {
        let text = "ab\ncd\n";
        assert_eq!(line_start(text, 4), 3);
        assert_eq!(line_start(text, 1), 0);
        assert_eq!(line_end(text, 4), 6);
        assert_eq!(line_end(text, 3), 3, "right after a line break");
        assert_eq!(line_end("ab", 1), 2);
    }
}
