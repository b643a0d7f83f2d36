//! Formatter tests: snapshots of `tests/data/format`, and idempotency on every fixture.

mod support;

use drydock_psl::format;
use std::path::{Path, PathBuf};
use support::{PgLike, dump};

fn prisma_files(sub: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "prisma"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("file stem")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn formats_like_prisma() {
    for path in prisma_files("format") {
        let text = std::fs::read_to_string(&path).expect("fixture text");
        insta::assert_snapshot!(stem(&path), format(&text));
    }
}

#[test]
fn formatting_is_idempotent() {
    for sub in ["format", "ok", "err", "multi/basic"] {
        for path in prisma_files(sub) {
            let text = std::fs::read_to_string(&path).expect("fixture text");
            let once = format(&text);
            let twice = format(&once);
            assert_eq!(once, twice, "{} is not stable", path.display());
        }
    }
}

/// Found by the `format` fuzz target: a line of only a vertical tab (or U+00A0), which the lexer
/// reads as a token but `trim` dropped, printed empty and vanished on the next run.
#[test]
fn lines_of_other_whitespace_format_stably() {
    for text in [
        "\0\n\x0b",
        "model A {\n  id Int @id\n}\n\u{a0}\n",
        "model A {\n}\u{2003}\n",
    ] {
        let once = format(text);
        assert_eq!(format(&once), once, "{text:?}");
    }
}

#[test]
fn formatting_keeps_the_meaning_of_valid_schemas() {
    for path in prisma_files("ok") {
        let text = std::fs::read_to_string(&path).expect("fixture text");
        let before = drydock_psl::Files::single("schema.prisma", text.as_str());
        let after = drydock_psl::Files::single("schema.prisma", format(&text));
        let (original, _) = drydock_psl::parse_and_validate(&before);
        let (formatted, diagnostics) = drydock_psl::parse_and_validate(&after);
        assert!(
            !diagnostics.has_errors(),
            "{}: {}",
            path.display(),
            diagnostics.render(&after)
        );
        let (original, _) = drydock_psl::lower(&original, &PgLike);
        let (formatted, _) = drydock_psl::lower(&formatted, &PgLike);
        assert_eq!(dump(&original), dump(&formatted), "{}", path.display());
    }
}
