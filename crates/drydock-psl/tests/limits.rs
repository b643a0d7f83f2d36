//! Inputs at the limits: values nested thousands of levels deep, files with a hundred thousand
//! bad lines, lines of hundreds of kilobytes, control characters and NUL bytes. Each gives
//! diagnostics with a place (never a stack overflow or a panic), and a bounded report.

use drydock_psl::{Files, MAX_NESTING, NESTING_ERROR, format, parse_and_validate};

fn validate(text: &str) -> (Files, drydock_psl::Diagnostics) {
    let files = Files::single("schema.prisma", text);
    let (_, diagnostics) = parse_and_validate(&files);
    (files, diagnostics)
}

/// `@default(f(f(...)))` nested `depth` levels deep.
fn deep_calls(depth: usize) -> String {
    format!(
        "model A {{\n  id Int @id\n  x  String @default({}x{})\n}}\n",
        "f(".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn calls_nested_twelve_thousand_levels_deep_are_one_diagnostic() {
    let text = deep_calls(12_000);
    let (files, diagnostics) = validate(&text);
    let errors: Vec<_> = diagnostics.errors().collect();
    assert_eq!(errors.len(), 1, "{}", diagnostics.render(&files));
    assert_eq!(errors[0].code, NESTING_ERROR);
    // At the `(` that opens level 65.
    let column = "  x  String @default(".len() + 2 * MAX_NESTING + 2;
    let rendered = diagnostics.render(&files);
    assert!(
        rendered.contains(&format!("schema.prisma:3:{column}\n")),
        "{rendered}"
    );
    insta::assert_snapshot!(rendered, @r"
    error[D1020]: Function calls and lists are nested more than 64 levels deep here; no schema needs that many. Write the value with fewer levels.
      --> schema.prisma:3:151
       |
     3 | …(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f…
       |                                          ^
    ");
    let formatted = format(&text);
    assert_eq!(format(&formatted), formatted);
}

#[test]
fn lists_nested_twenty_seven_thousand_levels_deep_are_one_diagnostic() {
    let deep = format!("{}1{}", "[".repeat(27_000), "]".repeat(27_000));
    for text in [
        format!("datasource db {{\n  provider = \"postgresql\"\n  schemas  = {deep}\n}}\n"),
        format!("model A {{\n  id Int @id\n  @@index({deep})\n}}\n"),
        format!("enum E {{\n  A\n  B @map({deep})\n}}\n"),
    ] {
        let (files, diagnostics) = validate(&text);
        let codes: Vec<&str> = diagnostics.errors().map(|d| d.code).collect();
        assert_eq!(codes, [NESTING_ERROR], "{}", diagnostics.render(&files));
        let formatted = format(&text);
        assert_eq!(format(&formatted), formatted);
    }
}

#[test]
fn values_at_the_nesting_limit_are_read() {
    let (files, diagnostics) = validate(&deep_calls(MAX_NESTING - 1));
    assert!(
        diagnostics.errors().all(|d| d.code != NESTING_ERROR),
        "{}",
        diagnostics.render(&files)
    );
}

#[test]
fn a_hundred_thousand_bad_lines_report_the_first_hundred() {
    let mut text = String::from("model A {\n  id Int @id\n");
    for i in 0..100_000 {
        text.push_str(&format!("  field{i} NoSuchType\n"));
    }
    text.push_str("}\n");
    let (files, diagnostics) = validate(&text);
    assert_eq!(diagnostics.errors().count(), 100_000);
    let rendered = diagnostics.render(&files);
    assert_eq!(rendered.matches("error[P1012]").count(), 100);
    let head: String = rendered.lines().take(6).collect::<Vec<_>>().join("\n");
    let tail = rendered.lines().rev().take(7).collect::<Vec<_>>();
    insta::assert_snapshot!(format!("{head}\n...\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n")), @r#"
    error[P1012]: Type "NoSuchType" is neither a built-in type, nor refers to another model, composite type, or enum.
      --> schema.prisma:3:10
       |
     3 |   field0 NoSuchType
       |          ^^^^^^^^^^

    ...
    error[P1012]: Type "NoSuchType" is neither a built-in type, nor refers to another model, composite type, or enum.
        --> schema.prisma:102:11
         |
     102 |   field99 NoSuchType
         |           ^^^^^^^^^^

    ... and 99900 more errors
    "#);
}

#[test]
fn a_very_long_line_is_shown_around_its_error() {
    let text = format!(
        "model A {{\n  id Int @id @map(\"{}\") @nope\n}}\n",
        "a".repeat(300_000)
    );
    let (files, diagnostics) = validate(&text);
    insta::assert_snapshot!(diagnostics.render(&files), @r#"
    error[P1012]: Attribute not known: "@nope".
      --> schema.prisma:2:300023
       |
     2 | …aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") @nope
       |                                          ^^^^^
    "#);
}

#[test]
fn nul_bytes_and_control_characters_are_located() {
    let text = "model A {\n  id Int @id\n  na\0me String\n  b String @map(\"x\u{1}y\")\n}\n";
    let (files, diagnostics) = validate(text);
    insta::assert_snapshot!(diagnostics.render(&files), @r#"
    error[P1012]: Error validating: This line is not a valid field or attribute definition.
      --> schema.prisma:3:3
       |
     3 |   na␀me String
       |   ^^^^^^^^^^^^
       = help: column 5 holds the control character U+0000; a schema holds them only in comments, so remove it

    error[P1012]: Error validating: This line is not a valid field or attribute definition.
      --> schema.prisma:4:3
       |
     4 |   b String @map("x␁y")
       |   ^^^^^^^^^^^^^^^^^^^^
       = help: column 19 holds the control character U+0001; a schema holds them only in comments, so remove it
    "#);
    // In a comment a control character is only text, as in Prisma.
    let (_, diagnostics) = validate("model A {\n  id Int @id // a\0b\n}\n");
    assert!(!diagnostics.has_errors());
}
