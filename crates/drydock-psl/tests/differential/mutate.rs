//! Grammar-aware schema mutations: a schema is read as blocks of lines, field lines as name,
//! type and attributes, and mutants drop, duplicate, move and swap those parts, or splice in
//! attributes, types and settings that exercise Prisma's validations.

/// A small deterministic generator (SplitMix64): the same seed gives the same schemas.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

#[derive(Clone)]
struct Block {
    keyword: String,
    name: String,
    lines: Vec<String>,
}

#[derive(Clone)]
pub(crate) struct Schema {
    blocks: Vec<Block>,
}

const KEYWORDS: [&str; 6] = ["model", "view", "enum", "type", "datasource", "generator"];

impl Schema {
    /// Reads `text` as top-level blocks; comments, blank lines and anything outside a block
    /// are left out.
    pub(crate) fn parse(text: &str) -> Schema {
        let mut blocks = Vec::new();
        let mut current: Option<Block> = None;
        for raw in text.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            match &mut current {
                Some(block) if line == "}" => {
                    blocks.push(block.clone());
                    current = None;
                }
                Some(block) => block.lines.push(line.to_owned()),
                None => {
                    let words: Vec<&str> = line.split_whitespace().collect();
                    if let [keyword, name, "{"] = words.as_slice()
                        && KEYWORDS.contains(keyword)
                    {
                        current = Some(Block {
                            keyword: (*keyword).to_owned(),
                            name: (*name).to_owned(),
                            lines: Vec::new(),
                        });
                    }
                }
            }
        }
        Schema { blocks }
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            out.push_str(&format!("{} {} {{\n", block.keyword, block.name));
            for line in &block.lines {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("}\n\n");
        }
        out
    }

    fn indexes_of(&self, keywords: &[&str]) -> Vec<usize> {
        (0..self.blocks.len())
            .filter(|&i| keywords.contains(&self.blocks[i].keyword.as_str()))
            .collect()
    }

    fn datasource(&mut self) -> Option<&mut Block> {
        self.blocks.iter_mut().find(|b| b.keyword == "datasource")
    }

    fn generator(&mut self) -> &mut Block {
        if !self.blocks.iter().any(|b| b.keyword == "generator") {
            self.blocks.insert(
                0,
                Block {
                    keyword: "generator".to_owned(),
                    name: "client".to_owned(),
                    lines: vec!["provider = \"prisma-client-js\"".to_owned()],
                },
            );
        }
        self.blocks
            .iter_mut()
            .find(|b| b.keyword == "generator")
            .expect("a generator")
    }

    fn type_names(&self) -> Vec<String> {
        self.blocks
            .iter()
            .filter(|b| matches!(b.keyword.as_str(), "model" | "view" | "enum" | "type"))
            .map(|b| b.name.clone())
            .collect()
    }
}

/// A field line: name, type, attributes (each starting with `@`).
struct FieldLine {
    name: String,
    ty: String,
    attributes: Vec<String>,
}

fn is_field_line(line: &str) -> bool {
    !line.starts_with('@') && !line.contains('=') && line.split_whitespace().count() >= 2
}

impl FieldLine {
    fn parse(line: &str) -> Option<FieldLine> {
        if !is_field_line(line) {
            return None;
        }
        let (name, rest) = line.split_once(char::is_whitespace)?;
        let rest = rest.trim_start();
        let (ty, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        Some(FieldLine {
            name: name.to_owned(),
            ty: ty.to_owned(),
            attributes: split_attributes(rest),
        })
    }

    fn render(&self) -> String {
        let mut out = format!("{} {}", self.name, self.ty);
        for a in &self.attributes {
            out.push(' ');
            out.push_str(a);
        }
        out
    }
}

/// Splits `@a @b(x: "@c")` at the `@`s outside strings and parentheses.
fn split_attributes(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut current = String::new();
    let mut prev = '\0';
    for c in text.chars() {
        match c {
            '"' if prev != '\\' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => depth = depth.saturating_sub(1),
            '@' if !in_string && depth == 0 && prev != '@' && !current.trim().is_empty() => {
                out.push(current.trim().to_owned());
                current.clear();
            }
            _ => {}
        }
        current.push(c);
        prev = c;
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

/// Splits the arguments of `name(a, b: [c, d], e)` at top-level commas; `None` without
/// parentheses.
fn split_arguments(attribute: &str) -> Option<(String, Vec<String>)> {
    let open = attribute.find('(')?;
    let inner = attribute.get(open + 1..attribute.len().checked_sub(1)?)?;
    if !attribute.ends_with(')') {
        return None;
    }
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut current = String::new();
    let mut prev = '\0';
    for c in inner.chars() {
        match c {
            '"' if prev != '\\' => in_string = !in_string,
            '(' | '[' if !in_string => depth += 1,
            ')' | ']' if !in_string => depth = depth.saturating_sub(1),
            ',' if !in_string && depth == 0 => {
                args.push(current.trim().to_owned());
                current.clear();
                prev = c;
                continue;
            }
            _ => {}
        }
        current.push(c);
        prev = c;
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_owned());
    }
    Some((attribute[..open].to_owned(), args))
}

const SCALARS: &[&str] = &[
    "String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes",
];

const FIELD_ATTRIBUTES: &[&str] = &[
    "@id",
    "@unique",
    "@updatedAt",
    "@ignore",
    "@map(\"renamed\")",
    "@default(autoincrement())",
    "@default(now())",
    "@default(uuid())",
    "@default(cuid())",
    "@default(dbgenerated(\"1\"))",
    "@default(\"x\")",
    "@default(0)",
    "@default([])",
    "@unique(sort: Desc)",
    "@id(map: \"pk\")",
    "@db.Uuid",
    "@db.VarChar(20)",
    "@db.Char(4)",
    "@db.Text",
    "@db.Citext",
    "@db.Inet",
    "@db.JsonB",
    "@db.Json",
    "@db.Timestamptz(3)",
    "@db.Date",
    "@db.SmallInt",
    "@db.Integer",
    "@db.BigInt",
    "@db.Real",
    "@db.DoublePrecision",
    "@db.Decimal(8, 2)",
    "@db.Money",
    "@db.Boolean",
    "@db.ByteA",
    "@db.Xml",
    "@db.Bit(3)",
    "@default(nanoid(0))",
    "@default(uuid(7))",
    "@default(auto())",
    "@default(dbgenerated())",
    "@map()",
    "@relation(fields: [id], references: [id])",
    "@relation(onDelete: Cascade)",
    "@relation(\"named\")",
    "@relation(references: [id])",
    "@relation(fields: [id], references: [id], onDelete: SetNull)",
];

const ALGORITHMS: &[&str] = &["BTree", "Hash", "Gist", "Gin", "SpGist", "Brin", "Bogus"];

/// Operator classes Prisma knows for PostgreSQL indexes, and a raw one.
const OPERATOR_CLASSES: &[&str] = &[
    "JsonbOps",
    "JsonbPathOps",
    "ArrayOps",
    "TextOps",
    "InetOps",
    "BitMinMaxOps",
    "VarBitMinMaxOps",
    "BpcharBloomOps",
    "BpcharMinMaxOps",
    "ByteaBloomOps",
    "ByteaMinMaxOps",
    "DateBloomOps",
    "DateMinMaxOps",
    "DateMinMaxMultiOps",
    "Float4BloomOps",
    "Float4MinMaxOps",
    "Float8MinMaxMultiOps",
    "InetInclusionOps",
    "InetBloomOps",
    "Int2BloomOps",
    "Int4MinMaxOps",
    "Int4MinMaxMultiOps",
    "Int8BloomOps",
    "NumericMinMaxOps",
    "OidBloomOps",
    "TextBloomOps",
    "TextMinMaxOps",
    "TimestampBloomOps",
    "TimestampMinMaxOps",
    "TimestampTzMinMaxMultiOps",
    "TimeBloomOps",
    "UuidBloomOps",
    "UuidMinMaxOps",
    "raw(\"gin_trgm_ops\")",
    "NoSuchOps",
];

const DATASOURCE_SETTINGS: &[&str] = &[
    "relationMode = \"prisma\"",
    "relationMode = \"foreignKeys\"",
    "relationMode = \"emulated\"",
    "referentialIntegrity = \"prisma\"",
    "referentialIntegrity = \"foreignKeys\"",
    "schemas = [\"public\", \"auth\"]",
    "schemas = [\"public\", \"public\"]",
    "schemas = []",
    "schemas = \"public\"",
    "extensions = [pg_trgm]",
    "extensions = [pg_trgm, pg_trgm]",
    "extensions = [citext(schema: \"public\", version: \"1.6\")]",
    "extensions = [uuidOssp(map: \"uuid-ossp\")]",
    "extensions = [pg_trgm(map: \"a\", map: \"b\")]",
    "extensions = [\"pg_trgm\"]",
    "extensions = postgis",
    "extensions = [pg_trgm(foo: \"x\")]",
    "url = env(\"DATABASE_URL\")",
    "url = \"postgresql://localhost/db\"",
    "directUrl = env(\"DIRECT_URL\")",
    "shadowDatabaseUrl = env(\"DATABASE_URL\")",
    "provider = \"postgresql\"",
    "provider = env(\"DB_PROVIDER\")",
    "url = env()",
    "url = 5",
    "foo = \"bar\"",
];

const PREVIEW_FEATURES: &[&str] = &[
    "previewFeatures = [\"multiSchema\"]",
    "previewFeatures = [\"postgresqlExtensions\"]",
    "previewFeatures = [\"postgresqlExtensions\", \"multiSchema\"]",
    "previewFeatures = [\"views\"]",
    "previewFeatures = [\"relationJoins\", \"views\"]",
    "previewFeatures = [\"fullTextSearchPostgres\"]",
    "previewFeatures = [\"noSuchFeature\"]",
    "previewFeatures = []",
    "previewFeatures = \"postgresqlExtensions\"",
];

/// Applies one to three mutations to `schema`.
pub(crate) fn mutate(schema: &Schema, rng: &mut Rng) -> Schema {
    let mut out = schema.clone();
    // A quarter of the mutants only get edits that keep a valid schema valid, so that the
    // schemas Prisma accepts are well represented.
    if rng.chance(25) {
        for _ in 0..=rng.below(2) {
            if rng.chance(50) {
                add_plain_field(&mut out, rng);
            } else {
                add_plain_model(&mut out, rng);
            }
        }
        return out;
    }
    // Mostly single edits, so that a good share of the mutants stays valid.
    let count = match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    for _ in 0..count {
        apply_one(&mut out, rng);
    }
    out
}

fn apply_one(s: &mut Schema, rng: &mut Rng) {
    match rng.below(20) {
        0 => drop_block(s, rng),
        1 => duplicate_block(s, rng),
        2 => drop_line(s, rng),
        3 => duplicate_line(s, rng),
        4 => move_line(s, rng),
        5 => drop_field_attribute(s, rng),
        6 => duplicate_field_attribute(s, rng),
        7 | 8 => add_field_attribute(s, rng, FIELD_ATTRIBUTES),
        9 => change_field_type(s, rng),
        10 | 11 => add_index(s, rng),
        12 => add_block_attribute(s, rng),
        13 => drop_argument(s, rng),
        14 => set_provider(s, rng, &["postgresql", "sqlite"]),
        15 | 16 => datasource_setting(s, rng, DATASOURCE_SETTINGS),
        17 => generator_setting(s, rng, PREVIEW_FEATURES),
        18 => rename_block(s, rng),
        _ => swap_field_attributes(s, rng),
    }
}

/// Field types with attributes whose values Prisma checks piece by piece: native type
/// arguments (lengths, precisions, scales per connector) and the escapes of string literals.
const VALUE_FIELDS: &[&str] = &[
    "String? @db.VarChar(x)",
    "String? @db.VarChar(-1)",
    "String? @db.VarChar(\"a\")",
    "String? @db.VarChar(1.5)",
    "String? @db.VarChar(0)",
    "String? @db.VarChar(70000)",
    "String? @db.VarChar(99999999999)",
    "String? @db.Char(256)",
    "String? @db.Bit(0)",
    "String? @db.VarBit(0)",
    "Decimal? @db.Decimal(1001, 2)",
    "Decimal? @db.Decimal(5, 6)",
    "Decimal? @db.Decimal(5)",
    "Decimal? @db.Decimal(66, 2)",
    "Decimal? @db.Decimal(40, 31)",
    "Decimal? @db.Decimal(0, 0)",
    "Decimal? @db.Decimal(a, 2)",
    "DateTime? @db.Timestamp(7)",
    "DateTime? @db.Timestamptz(6)",
    "DateTime? @db.Time(x)",
    "DateTime? @db.DateTime(7)",
    "Boolean? @db.Bit(65)",
    "Bytes? @db.Binary(300)",
    "String? @default(\"C:\\Windows\\data\")",
    "String? @default(\"a\\qb\")",
    "String? @default(\"\\u12\")",
    "String? @default(\"\\u00e9\\/\\\\\")",
    "String? @default(\"\\ud83d\\ude00\")",
    "String? @default(\"\\ud83d\")",
    "String? @map(\"a\tb\")",
    "String? @map(\"a\\qb\") @unknown",
    "Int? @default(nanoid(0))",
    "String? @default(nanoid(1))",
    "String? @default(nanoid(1, 2))",
    "String? @default(uuid(5))",
    "String? @default(uuid(\"a\"))",
    "BigInt? @default(uuid(9))",
    "String? @default(cuid(3))",
    "String? @default(ulid(1))",
    "DateTime? @default(now(1))",
    "Int? @default(autoincrement(1))",
    "Int? @default(autoincrement(), map: \"x\")",
    "String? @default(auto())",
    "Int? @default(sequence())",
    "String? @default(foo())",
    "String? @default(dbgenerated(\"\"))",
    "String? @default(dbgenerated(1))",
    "Unsupported(\"x\")? @default(uuid(0))",
    "String!",
    "String[]?",
    "[String]",
];

/// A mutant for the values Prisma checks piece by piece: one or two fields of
/// [`VALUE_FIELDS`], sometimes with one more edit.
pub(crate) fn mutate_values(schema: &Schema, rng: &mut Rng) -> Schema {
    let mut out = schema.clone();
    for _ in 0..=rng.below(2) {
        let Some(b) = random_block(&out, rng, MODELS) else {
            break;
        };
        let field = rng.pick(VALUE_FIELDS).copied().unwrap_or("String?");
        let block = &mut out.blocks[b];
        let name = format!("value{}", block.lines.len());
        let at = rng.below(block.lines.len() + 1);
        block.lines.insert(at, format!("{name} {field}"));
    }
    if rng.chance(30) {
        apply_one(&mut out, rng);
    }
    out
}

/// Adds an optional scalar field under a new name to a model or view.
fn add_plain_field(s: &mut Schema, rng: &mut Rng) {
    const TYPES: &[&str] = &["String", "Int", "Boolean", "DateTime", "Float", "BigInt"];
    let Some(b) = random_block(s, rng, MODELS) else {
        return;
    };
    let ty = rng.pick(TYPES).copied().unwrap_or("String");
    let block = &mut s.blocks[b];
    let name = format!("extra{}", block.lines.len());
    let at = rng.below(block.lines.len() + 1);
    block.lines.insert(at, format!("{name} {ty}?"));
}

/// Adds a model of its own (an id and an optional field) at a random place.
fn add_plain_model(s: &mut Schema, rng: &mut Rng) {
    let block = Block {
        keyword: "model".to_owned(),
        name: format!("Extra{}", s.blocks.len()),
        lines: vec!["id Int @id".to_owned(), "label String?".to_owned()],
    };
    let at = rng.below(s.blocks.len() + 1);
    s.blocks.insert(at, block);
}

fn random_block(s: &Schema, rng: &mut Rng, keywords: &[&str]) -> Option<usize> {
    rng.pick(&s.indexes_of(keywords)).copied()
}

const MODELS: &[&str] = &["model", "view"];

fn drop_block(s: &mut Schema, rng: &mut Rng) {
    if !s.blocks.is_empty() {
        let i = rng.below(s.blocks.len());
        s.blocks.remove(i);
    }
}

fn duplicate_block(s: &mut Schema, rng: &mut Rng) {
    if let Some(i) = random_block(s, rng, &KEYWORDS) {
        let copy = s.blocks[i].clone();
        s.blocks.insert(i + 1, copy);
    }
}

fn drop_line(s: &mut Schema, rng: &mut Rng) {
    if let Some(i) = random_block(s, rng, &KEYWORDS) {
        let lines = &mut s.blocks[i].lines;
        if !lines.is_empty() {
            let l = rng.below(lines.len());
            lines.remove(l);
        }
    }
}

fn duplicate_line(s: &mut Schema, rng: &mut Rng) {
    if let Some(i) = random_block(s, rng, &KEYWORDS) {
        let lines = &mut s.blocks[i].lines;
        if !lines.is_empty() {
            let l = rng.below(lines.len());
            let copy = lines[l].clone();
            lines.insert(l + 1, copy);
        }
    }
}

/// Moves a line of one model into another (or an enum value into another enum).
fn move_line(s: &mut Schema, rng: &mut Rng) {
    let kinds: &[&str] = if rng.chance(80) { MODELS } else { &["enum"] };
    let (Some(from), Some(to)) = (random_block(s, rng, kinds), random_block(s, rng, kinds)) else {
        return;
    };
    if s.blocks[from].lines.is_empty() {
        return;
    }
    let l = rng.below(s.blocks[from].lines.len());
    let line = s.blocks[from].lines.remove(l);
    let at = rng.below(s.blocks[to].lines.len() + 1);
    s.blocks[to].lines.insert(at, line);
}

/// A random field line of a model: (block, line, parsed).
fn random_field(s: &Schema, rng: &mut Rng) -> Option<(usize, usize, FieldLine)> {
    let b = random_block(s, rng, MODELS)?;
    let fields: Vec<usize> = (0..s.blocks[b].lines.len())
        .filter(|&l| is_field_line(&s.blocks[b].lines[l]))
        .collect();
    let l = *rng.pick(&fields)?;
    Some((b, l, FieldLine::parse(&s.blocks[b].lines[l])?))
}

fn drop_field_attribute(s: &mut Schema, rng: &mut Rng) {
    if let Some((b, l, mut f)) = random_field(s, rng)
        && !f.attributes.is_empty()
    {
        let a = rng.below(f.attributes.len());
        f.attributes.remove(a);
        s.blocks[b].lines[l] = f.render();
    }
}

fn duplicate_field_attribute(s: &mut Schema, rng: &mut Rng) {
    if let Some((b, l, mut f)) = random_field(s, rng)
        && let Some(a) = rng.pick(&f.attributes).cloned()
    {
        f.attributes.push(a);
        s.blocks[b].lines[l] = f.render();
    }
}

fn add_field_attribute(s: &mut Schema, rng: &mut Rng, attributes: &[&str]) {
    if let Some((b, l, mut f)) = random_field(s, rng) {
        let attribute = (*rng.pick(attributes).expect("attributes")).to_owned();
        f.attributes.push(attribute);
        s.blocks[b].lines[l] = f.render();
    }
}

fn swap_field_attributes(s: &mut Schema, rng: &mut Rng) {
    let (Some((b1, l1, mut f1)), Some((b2, l2, mut f2))) =
        (random_field(s, rng), random_field(s, rng))
    else {
        return;
    };
    if (b1, l1) == (b2, l2) {
        return;
    }
    std::mem::swap(&mut f1.attributes, &mut f2.attributes);
    s.blocks[b1].lines[l1] = f1.render();
    s.blocks[b2].lines[l2] = f2.render();
}

fn change_field_type(s: &mut Schema, rng: &mut Rng) {
    let names = s.type_names();
    if let Some((b, l, mut f)) = random_field(s, rng) {
        let base = if rng.chance(60) {
            (*rng.pick(SCALARS).expect("scalars")).to_owned()
        } else if rng.chance(80) {
            rng.pick(&names)
                .cloned()
                .unwrap_or_else(|| "String".to_owned())
        } else {
            "Unsupported(\"tsvector\")".to_owned()
        };
        let arity = *rng.pick(&["", "", "?", "[]"]).expect("arities");
        f.ty = format!("{base}{arity}");
        s.blocks[b].lines[l] = f.render();
    }
}

fn field_names(block: &Block) -> Vec<String> {
    block
        .lines
        .iter()
        .filter_map(|l| FieldLine::parse(l))
        .map(|f| f.name)
        .collect()
}

/// `@@index`/`@@unique` over fields of the model, with algorithms and operator classes.
fn add_index(s: &mut Schema, rng: &mut Rng) {
    let Some(b) = random_block(s, rng, MODELS) else {
        return;
    };
    // Mostly scalar fields (relation fields make the index invalid for a reason of its own).
    let enums: Vec<String> = s
        .blocks
        .iter()
        .filter(|b| b.keyword == "enum")
        .map(|b| b.name.clone())
        .collect();
    let scalar = |ty: &str| {
        let base = ty.trim_end_matches(['?', '!']).trim_end_matches("[]");
        SCALARS.contains(&base) || enums.iter().any(|e| e == base)
    };
    let all = field_names(&s.blocks[b]);
    let scalars: Vec<String> = s.blocks[b]
        .lines
        .iter()
        .filter_map(|l| FieldLine::parse(l))
        .filter(|f| scalar(&f.ty))
        .map(|f| f.name)
        .collect();
    let fields = if rng.chance(90) && !scalars.is_empty() {
        scalars
    } else {
        all
    };
    let Some(first) = rng.pick(&fields).cloned() else {
        return;
    };
    let mut items = vec![if rng.chance(50) {
        format!(
            "{first}(ops: {})",
            rng.pick(OPERATOR_CLASSES).expect("operator classes")
        )
    } else if rng.chance(30) {
        format!("{first}(sort: Desc)")
    } else {
        first
    }];
    if rng.chance(30)
        && let Some(second) = rng.pick(&fields)
    {
        items.push(second.clone());
    }
    let kind = *rng
        .pick(&["@@index", "@@index", "@@index", "@@unique", "@@id"])
        .expect("kinds");
    let list = if items.len() == 1 && rng.chance(30) {
        items[0].clone()
    } else {
        format!("[{}]", items.join(", "))
    };
    let mut line = format!("{kind}({list}");
    if rng.chance(70) {
        line.push_str(&format!(
            ", type: {}",
            rng.pick(ALGORITHMS).expect("algorithms")
        ));
    }
    if rng.chance(15) {
        line.push_str(", map: \"custom_name\"");
    }
    line.push(')');
    s.blocks[b].lines.push(line);
}

fn add_block_attribute(s: &mut Schema, rng: &mut Rng) {
    let names = s.type_names();
    let Some(b) = random_block(s, rng, &["model", "view", "enum"]) else {
        return;
    };
    let other = rng.pick(&names).cloned().unwrap_or_default();
    let attribute = match rng.below(7) {
        0 => "@@schema(\"public\")".to_owned(),
        1 => "@@schema(\"auth\")".to_owned(),
        2 => "@@schema(\"nowhere\")".to_owned(),
        3 => format!("@@map(\"{other}\")"),
        4 => "@@ignore".to_owned(),
        5 => "@@map(\"users\")".to_owned(),
        _ => "@@schema(\"public\")\n@@schema(\"auth\")".to_owned(),
    };
    for line in attribute.lines() {
        s.blocks[b].lines.push(line.to_owned());
    }
}

/// Drops one argument of an attribute (field or block level).
fn drop_argument(s: &mut Schema, rng: &mut Rng) {
    let Some(b) = random_block(s, rng, MODELS) else {
        return;
    };
    let lines = &mut s.blocks[b].lines;
    if lines.is_empty() {
        return;
    }
    let l = rng.below(lines.len());
    if let Some(rest) = lines[l].strip_prefix("@@") {
        if let Some((name, mut args)) = split_arguments(rest)
            && !args.is_empty()
        {
            let a = rng.below(args.len());
            args.remove(a);
            lines[l] = format!("@@{name}({})", args.join(", "));
        }
    } else if let Some(mut f) = FieldLine::parse(&lines[l]) {
        let candidates: Vec<usize> = (0..f.attributes.len())
            .filter(|&a| f.attributes[a].contains('('))
            .collect();
        if let Some(&a) = rng.pick(&candidates)
            && let Some((name, mut args)) = split_arguments(&f.attributes[a])
            && !args.is_empty()
        {
            let i = rng.below(args.len());
            args.remove(i);
            f.attributes[a] = format!("{name}({})", args.join(", "));
            lines[l] = f.render();
        }
    }
}

fn set_provider(s: &mut Schema, rng: &mut Rng, providers: &[&str]) {
    let provider = *rng.pick(providers).expect("providers");
    if let Some(ds) = s.datasource() {
        for line in &mut ds.lines {
            if line.starts_with("provider") {
                *line = format!("provider = \"{provider}\"");
            }
        }
    }
}

fn datasource_setting(s: &mut Schema, rng: &mut Rng, settings: &[&str]) {
    let setting = *rng.pick(settings).expect("settings");
    let key = setting.split_whitespace().next().unwrap_or_default();
    if let Some(ds) = s.datasource() {
        let existing = ds.lines.iter().position(|l| l.starts_with(key));
        match existing {
            // Either replace the setting or drop it: both are common edits.
            Some(i) if rng.chance(30) => {
                ds.lines.remove(i);
            }
            Some(i) => ds.lines[i] = setting.to_owned(),
            None => ds.lines.push(setting.to_owned()),
        }
    }
}

fn generator_setting(s: &mut Schema, rng: &mut Rng, features: &[&str]) {
    match rng.below(4) {
        0 => {
            // A second generator, under the same name or another.
            let name = *rng.pick(&["client", "other"]).expect("names");
            s.blocks.push(Block {
                keyword: "generator".to_owned(),
                name: name.to_owned(),
                lines: vec!["provider = \"prisma-client-js\"".to_owned()],
            });
        }
        _ => {
            let setting = *rng.pick(features).expect("features");
            let generator = s.generator();
            generator
                .lines
                .retain(|l| !l.starts_with("previewFeatures"));
            generator.lines.push(setting.to_owned());
        }
    }
}

fn rename_block(s: &mut Schema, rng: &mut Rng) {
    let names = s.type_names();
    if let Some(b) = random_block(s, rng, &["model", "view", "enum"]) {
        s.blocks[b].name = rng
            .pick(&names)
            .cloned()
            .unwrap_or_else(|| "Renamed".to_owned());
    }
}

// MySQL: a generator of its own (its own seeds and vocabulary), so that the mutants of the
// other schemas stay the same.

const MYSQL_FIELD_ATTRIBUTES: &[&str] = &[
    "@id",
    "@unique",
    "@updatedAt",
    "@ignore",
    "@map(\"renamed\")",
    "@default(autoincrement())",
    "@default(now())",
    "@default(uuid())",
    "@default(uuid(7))",
    "@default(cuid())",
    "@default(cuid(2))",
    "@default(nanoid())",
    "@default(ulid())",
    "@default(dbgenerated(\"(uuid())\"))",
    "@default(dbgenerated())",
    "@default(\"x\")",
    "@default(0)",
    "@default(-1)",
    "@default(1.5)",
    "@default(true)",
    "@default(USER)",
    "@default(DRAFT)",
    "@default([])",
    "@default(\"{}\")",
    "@unique(length: 10)",
    "@unique(sort: Desc)",
    "@unique(sort: Desc, length: 8)",
    "@unique(map: \"custom_unique\")",
    "@id(length: 10)",
    "@id(sort: Desc)",
    "@id(map: \"pk\")",
    "@db.VarChar(191)",
    "@db.VarChar(255)",
    "@db.Char(36)",
    "@db.Text",
    "@db.TinyText",
    "@db.MediumText",
    "@db.LongText",
    "@db.TinyInt",
    "@db.UnsignedTinyInt",
    "@db.SmallInt",
    "@db.UnsignedSmallInt",
    "@db.MediumInt",
    "@db.UnsignedMediumInt",
    "@db.Int",
    "@db.UnsignedInt",
    "@db.BigInt",
    "@db.UnsignedBigInt",
    "@db.Decimal(10, 2)",
    "@db.Decimal",
    "@db.Float",
    "@db.Double",
    "@db.Bit(1)",
    "@db.Bit(8)",
    "@db.Binary(16)",
    "@db.VarBinary(255)",
    "@db.TinyBlob",
    "@db.Blob",
    "@db.MediumBlob",
    "@db.LongBlob",
    "@db.Date",
    "@db.Time(3)",
    "@db.DateTime(0)",
    "@db.DateTime",
    "@db.Timestamp(6)",
    "@db.Timestamp",
    "@db.Year",
    "@db.Json",
    "@db.Uuid",
    "@db.Timestamptz(3)",
    "@db.Integer",
    "@db.Text(10)",
    "@db.VarChar",
    "@relation(fields: [id], references: [id])",
    "@relation(onDelete: SetDefault)",
    "@relation(onUpdate: NoAction)",
    "@relation(onDelete: NoAction, onUpdate: SetDefault)",
    "@relation(map: \"fk_custom\")",
    "@relation(fields: [id], references: [id], onDelete: SetNull)",
    "@relation(fields: [id], references: [id], map: \"fk_custom\")",
    "@relation(onDelete: Cascade, onUpdate: SetNull)",
    "@shardKey",
];

/// `@@index` and friends over fields of a model, with MySQL's prefix lengths and sort orders.
fn add_mysql_index(s: &mut Schema, rng: &mut Rng) {
    let Some(b) = random_block(s, rng, MODELS) else {
        return;
    };
    let fields = field_names(&s.blocks[b]);
    let mut items = Vec::new();
    for _ in 0..=rng.below(2) {
        let Some(field) = rng.pick(&fields).cloned() else {
            return;
        };
        let length = 1 + rng.below(300);
        items.push(match rng.below(8) {
            0 => format!("{field}(length: {length})"),
            1 => format!("{field}(sort: Desc)"),
            2 => format!("{field}(sort: Asc, length: {length})"),
            3 => format!("{field}(length: {length}, sort: Desc)"),
            4 => format!("{field}(ops: TextOps)"),
            5 => format!("{field}(length: 0)"),
            _ => field,
        });
    }
    let kind = *rng
        .pick(&[
            "@@index",
            "@@index",
            "@@unique",
            "@@id",
            "@@fulltext",
            "@@fulltext",
        ])
        .expect("kinds");
    let list = if items.len() == 1 && rng.chance(20) {
        items[0].clone()
    } else {
        format!("[{}]", items.join(", "))
    };
    let mut line = format!("{kind}({list}");
    if rng.chance(25) {
        let algorithm = rng.pick(&["BTree", "Hash", "Gin"]).expect("algorithms");
        line.push_str(&format!(", type: {algorithm}"));
    }
    if rng.chance(15) {
        let name = rng
            .pick(&[
                "custom_name",
                "a_name_of_sixty_five_characters_is_one_too_many_for_mysql_indexes",
            ])
            .expect("names");
        line.push_str(&format!(", map: \"{name}\""));
    }
    if rng.chance(5) {
        line.push_str(", clustered: true");
    }
    line.push(')');
    s.blocks[b].lines.push(line);
}

const MYSQL_DATASOURCE_SETTINGS: &[&str] = &[
    "relationMode = \"prisma\"",
    "relationMode = \"foreignKeys\"",
    "referentialIntegrity = \"prisma\"",
    "url = env(\"DATABASE_URL\")",
    "url = \"mysql://root@localhost:3306/app\"",
    "url = \"postgresql://localhost/db\"",
    "shadowDatabaseUrl = env(\"SHADOW_URL\")",
    "schemas = [\"app\", \"audit\"]",
    "extensions = [pg_trgm]",
    "provider = \"mysql\"",
    "provider = \"postgresql\"",
];

const MYSQL_PREVIEW_FEATURES: &[&str] = &[
    "previewFeatures = [\"fullTextIndex\"]",
    "previewFeatures = [\"fullTextSearch\"]",
    "previewFeatures = [\"fullTextIndex\", \"fullTextSearch\"]",
    "previewFeatures = [\"fullTextSearchPostgres\"]",
    "previewFeatures = [\"relationJoins\"]",
    "previewFeatures = [\"multiSchema\"]",
    "previewFeatures = [\"views\"]",
    "previewFeatures = [\"shardKeys\"]",
    "previewFeatures = []",
];

fn add_mysql_block_attribute(s: &mut Schema, rng: &mut Rng) {
    let names = s.type_names();
    let Some(b) = random_block(s, rng, &["model", "view", "enum"]) else {
        return;
    };
    let other = rng.pick(&names).cloned().unwrap_or_default();
    let fields = field_names(&s.blocks[b]);
    let field = rng.pick(&fields).cloned().unwrap_or_default();
    let attribute = match rng.below(9) {
        0 => format!("@@map(\"{other}\")"),
        1 => "@@ignore".to_owned(),
        2 => "@@schema(\"app\")".to_owned(),
        3 => format!("@@fulltext([{field}(sort: Desc)])"),
        4 => format!("@@fulltext([{field}(length: 10)])"),
        5 => "@@map(\"a_table_name_that_is_much_longer_than_sixty_four_characters_for_mysql\")"
            .to_owned(),
        6 => format!("@@index([{field}], name: \"custom_name\")"),
        7 => format!("@@fulltext({field}, map: \"custom_name\")"),
        _ => format!("@@shardKey([{field}])"),
    };
    s.blocks[b].lines.push(attribute);
}

/// Applies one to three mutations to a MySQL schema (see [`mutate`]).
pub(crate) fn mutate_mysql(schema: &Schema, rng: &mut Rng) -> Schema {
    let mut out = schema.clone();
    if rng.chance(25) {
        for _ in 0..=rng.below(2) {
            if rng.chance(50) {
                add_plain_field(&mut out, rng);
            } else {
                add_plain_model(&mut out, rng);
            }
        }
        return out;
    }
    for _ in 0..=rng.below(2) {
        match rng.below(20) {
            0 => drop_block(&mut out, rng),
            1 => duplicate_line(&mut out, rng),
            2 => drop_line(&mut out, rng),
            3 => move_line(&mut out, rng),
            4 => drop_field_attribute(&mut out, rng),
            5 => duplicate_field_attribute(&mut out, rng),
            6..=8 => add_field_attribute(&mut out, rng, MYSQL_FIELD_ATTRIBUTES),
            9 => change_field_type(&mut out, rng),
            10..=12 => add_mysql_index(&mut out, rng),
            13 => add_mysql_block_attribute(&mut out, rng),
            14 => drop_argument(&mut out, rng),
            15 => set_provider(&mut out, rng, &["mysql", "postgresql", "sqlite"]),
            16 => datasource_setting(&mut out, rng, MYSQL_DATASOURCE_SETTINGS),
            17 => generator_setting(&mut out, rng, MYSQL_PREVIEW_FEATURES),
            18 => rename_block(&mut out, rng),
            _ => swap_field_attributes(&mut out, rng),
        }
    }
    out
}

/// Field types with MySQL native type arguments and defaults Prisma checks piece by piece.
const MYSQL_VALUE_FIELDS: &[&str] = &[
    "String? @db.VarChar(65535)",
    "String? @db.VarChar(65536)",
    "String? @db.VarChar(0)",
    "String? @db.VarChar(-1)",
    "String? @db.VarChar(x)",
    "String? @db.Char(255)",
    "String? @db.Char(256)",
    "String? @db.Char",
    "Bytes? @db.Bit(0)",
    "Bytes? @db.Bit(64)",
    "Bytes? @db.Bit(65)",
    "Boolean? @db.Bit(1)",
    "Boolean? @db.Bit(2)",
    "Boolean? @db.TinyInt",
    "Boolean? @db.UnsignedTinyInt",
    "Boolean? @db.SmallInt",
    "Decimal? @db.Decimal(65, 30)",
    "Decimal? @db.Decimal(66, 2)",
    "Decimal? @db.Decimal(40, 31)",
    "Decimal? @db.Decimal(5, 6)",
    "Decimal? @db.Decimal(5)",
    "Decimal? @db.Decimal(0, 0)",
    "Decimal? @db.Decimal(a, 2)",
    "DateTime? @db.Time(7)",
    "DateTime? @db.DateTime(6)",
    "DateTime? @db.Timestamp(x)",
    "DateTime? @db.Date(1)",
    "Bytes? @db.Binary(300)",
    "Bytes? @db.VarBinary",
    "Bytes? @db.Binary(16) @unique",
    "String? @db.Year",
    "Int? @db.Year @default(2024)",
    "BigInt? @db.UnsignedBigInt @default(-1)",
    "Float? @db.Float @default(1.5)",
    "Json? @db.Json @default(\"{}\")",
    "Json? @db.JsonB",
    "String? @db.Text @unique",
    "String? @db.Text @unique(length: 100)",
    "Bytes? @db.Blob @unique",
    "String? @db.MediumText @id",
    "String? @db.LongText @unique(sort: Desc)",
    "String? @unique @db.VarChar(3000)",
    "DateTime? @default(now()) @db.Date",
    "DateTime? @default(now()) @db.Time(0)",
    "DateTime? @default(now()) @db.Timestamp(0)",
    "DateTime? @default(dbgenerated(\"CURRENT_TIMESTAMP\"))",
    "String? @default(uuid()) @db.Char(36)",
    "String? @default(cuid()) @db.Text",
    "Int? @default(autoincrement()) @db.UnsignedInt",
    "Int? @default(autoincrement()) @unique @db.UnsignedInt",
    "BigInt? @default(autoincrement()) @unique",
    "Float? @default(autoincrement()) @unique",
    "Decimal? @default(\"1.50\") @db.Decimal(4, 2)",
    "Bytes? @default(\"AQID\") @db.VarBinary(10)",
    "String[]",
    "Int[] @default([])",
    "Unsupported(\"POINT\")?",
    "Unsupported(\"GEOMETRY\") @unique",
    "String @db.Text @id",
    "String @db.Text @id(length: 100)",
    "String @db.TinyText @unique(length: 10)",
    "Bytes @db.Blob @id(length: 8)",
    "Int @db.Year @id",
    "Boolean @db.Bit(1) @unique @default(true)",
    "Int @id(length: 4)",
    "DateTime @unique(length: 3) @db.Timestamp(0)",
    "Json @unique",
    "Json? @default(\"[1,\")",
    "String @db.Char(0)",
    "String @unique @db.VarChar(191) @map(\"a_column_name_that_is_longer_than_sixty_four_characters_for_mysql_x\")",
    "Int @default(autoincrement()) @db.UnsignedSmallInt",
    "Json[]",
    "Json[] @db.Json",
    "Bytes[] @db.Blob",
    "DateTime @updatedAt @db.Date",
    "DateTime? @updatedAt @db.Time(3)",
    "Int @shardKey",
    "String? @shardKey",
];

/// A MySQL mutant for the values Prisma checks piece by piece (see [`mutate_values`]).
pub(crate) fn mutate_mysql_values(schema: &Schema, rng: &mut Rng) -> Schema {
    let mut out = schema.clone();
    for _ in 0..=rng.below(2) {
        let Some(b) = random_block(&out, rng, MODELS) else {
            break;
        };
        let field = rng.pick(MYSQL_VALUE_FIELDS).copied().unwrap_or("String?");
        let block = &mut out.blocks[b];
        let name = format!("value{}", block.lines.len());
        let at = rng.below(block.lines.len() + 1);
        block.lines.insert(at, format!("{name} {field}"));
    }
    if rng.chance(30) {
        add_mysql_index(&mut out, rng);
    }
    out
}
