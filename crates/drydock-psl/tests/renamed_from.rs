//! The `// drydock:renamed-from` directive: read on the line of a field or model or alone on the
//! line above it, carried into the lowered schema, and a warning (never an error) elsewhere.

// Only the lowering rules of the shared support: this test needs no schema dump.
#[path = "support/rules.rs"]
mod rules;

use drydock_psl::{Files, lower, parse_and_validate};
use rules::PgLike;

const SCHEMA: &str = r#"datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

// drydock:renamed-from users
model Member {
  id       Int    @id
  fullName String // drydock:renamed-from name
  // drydock:renamed-from mail
  email    String @map("email_address")
  age      Int
}

model Post { // drydock:renamed-from Article
  id Int @id
}
"#;

#[test]
fn directives_become_rename_hints() {
    let files = Files::single("schema.prisma", SCHEMA);
    let (datamodel, diagnostics) = parse_and_validate(&files);
    assert!(diagnostics.is_empty(), "{}", diagnostics.render(&files));
    let (schema, diagnostics) = lower(&datamodel, &PgLike);
    assert!(!diagnostics.has_errors(), "{}", diagnostics.render(&files));

    let member = schema.table(None, "Member").expect("Member");
    assert_eq!(member.renamed_from.as_deref(), Some("users"));
    let hint = |column: &str| member.column(column).and_then(|c| c.renamed_from.clone());
    assert_eq!(hint("fullName").as_deref(), Some("name"));
    assert_eq!(hint("email_address").as_deref(), Some("mail"));
    assert_eq!(hint("age"), None);
    let post = schema.table(None, "Post").expect("Post");
    assert_eq!(post.renamed_from.as_deref(), Some("Article"));
}

#[test]
fn misplaced_directives_are_warnings() {
    let schema = "model A {\n  id Int @id\n\n  // drydock:renamed-from nothing\n\n  @@map(\"a\") // drydock:renamed-from b\n}\n\nenum E {\n  X // drydock:renamed-from Y\n}\n\nmodel B {\n  id Int @id // drydock:renamed-from\n}\n";
    let files = Files::single("schema.prisma", schema);
    let (datamodel, diagnostics) = parse_and_validate(&files);
    assert!(!diagnostics.has_errors(), "{}", diagnostics.render(&files));
    let warnings: Vec<_> = diagnostics.warnings().collect();
    assert_eq!(warnings.len(), 4, "{}", diagnostics.render(&files));
    assert!(
        warnings[0].render(&files).contains("schema.prisma:4:3"),
        "the warning points at the directive: {}",
        warnings[0].render(&files)
    );
    assert!(warnings[3].message.contains("takes exactly one name"));
    assert!(
        datamodel
            .models
            .iter()
            .all(|m| m.renamed_from.is_none() && m.fields.iter().all(|f| f.renamed_from.is_none()))
    );
}
