//! Property tests: no input makes parsing, validation, lowering or formatting panic, and
//! formatting is idempotent on arbitrary text.

mod support;

use drydock_psl::{Files, format, lower, parse_and_validate};
use proptest::prelude::*;
use support::{PgLike, dump};

const SEED_SCHEMA: &str = r#"datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
  schemas  = ["a", "b"]
}

enum Role {
  USER  @map("user")
  ADMIN
  @@schema("a")
}

/// A user.
model User {
  id    Int      @id @default(autoincrement())
  email String   @unique @db.VarChar(255) // comment
  role  Role     @default(USER)
  tags  String[] @default([])
  posts Post[]   @relation("authored")
  @@map("users")
  @@schema("a")
}

model Post {
  id       String @id @default(uuid(7))
  authorId Int
  author   User   @relation("authored", fields: [authorId], references: [id], onDelete: Cascade)
  tags     Tag[]
  @@index([authorId], type: Hash, map: "idx")
  @@unique([id, authorId])
  @@schema("b")
}

model Tag {
  id    Int    @id
  posts Post[]
  @@schema("b")
}
"#;

fn run_everything(text: &str) {
    let files = Files::single("schema.prisma", text);
    let (datamodel, diagnostics) = parse_and_validate(&files);
    let _ = diagnostics.render(&files);
    let (schema, lowering) = lower(&datamodel, &PgLike);
    let _ = lowering.render(&files);
    let _ = dump(&schema);
    let once = format(text);
    assert_eq!(format(&once), once, "formatting is not idempotent");
}

/// Characters that matter to the grammar, to make mutations likely to reach deep code.
const ALPHABET: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "@",
    "@@",
    ",",
    ":",
    "=",
    "?",
    "!",
    ".",
    "\"",
    "\n",
    " ",
    "//",
    "///",
    "model",
    "enum",
    "id",
    "Int",
    "String",
    "User",
    "Post",
    "fields",
    "references",
    "é",
    "\\",
    "-1",
    "1.5",
    "\t",
    "\r\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        run_everything(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        run_everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_schemas_never_panic(
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0usize..4, prop::sample::select(ALPHABET)),
            1..8,
        )
    ) {
        let mut text = SEED_SCHEMA.to_owned();
        for (at, len, insert) in edits {
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(start..end.max(start), insert);
        }
        run_everything(&text);
    }
}

#[test]
fn seed_schema_is_valid() {
    let files = Files::single("schema.prisma", SEED_SCHEMA);
    let (_, diagnostics) = parse_and_validate(&files);
    assert!(!diagnostics.has_errors(), "{}", diagnostics.render(&files));
}
