//! Checksums of `migration.sql`, computed and compared exactly as Prisma does.
//!
//! The checksum is the lowercase hex SHA-256 of the file's bytes. A stored checksum matches when
//! the raw bytes, the bytes with CRLF turned into LF, or the bytes with LF turned into CRLF hash
//! to it (git rewrites line endings). Old Prisma engines wrote the hex without zero padding; a
//! stored value that is not 64 characters long is compared in that format. A byte order mark is
//! part of the bytes: a file that gained or lost one does not match.

use sha2::{Digest, Sha256};

/// Length of a zero-padded hex SHA-256.
const CHECKSUM_LEN: usize = 64;

/// The checksum Prisma and drydock write for a migration file.
pub fn checksum(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `bytes` (a `migration.sql`) matches a checksum stored in the history table.
pub fn checksum_matches(bytes: &[u8], stored: &str) -> bool {
    let render: fn(&[u8]) -> String = if !stored.is_empty() && stored.len() != CHECKSUM_LEN {
        render_unpadded
    } else {
        render_padded
    };
    let matches = |candidate: &[u8]| render(&Sha256::digest(candidate)) == stored;
    matches(bytes)
        || matches(&replace(bytes, b"\r\n", b"\n"))
        || matches(&replace(bytes, b"\n", b"\r\n"))
}

fn render_padded(digest: &[u8]) -> String {
    hex::encode(digest)
}

/// The format of engines before prisma-engines#1887: each byte as `{:x}`, so `0x0a` is `a`.
fn render_unpadded(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:x}")).collect()
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len() + haystack.len() / 16);
    let mut rest = haystack;
    while !rest.is_empty() {
        if rest.starts_with(from) {
            out.extend_from_slice(to);
            rest = &rest[from.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LF: &[u8] = include_bytes!("../tests/fixtures/checksum/lf.sql");
    const CRLF: &[u8] = include_bytes!("../tests/fixtures/checksum/crlf.sql");
    const BOM_LF: &[u8] = include_bytes!("../tests/fixtures/checksum/bom_lf.sql");

    #[test]
    fn fixtures_are_what_their_names_say() {
        assert!(!LF.contains(&b'\r'));
        assert_eq!(replace(LF, b"\n", b"\r\n"), CRLF);
        assert_eq!(&BOM_LF[..3], b"\xEF\xBB\xBF");
        assert_eq!(&BOM_LF[3..], LF);
    }

    #[test]
    fn checksum_is_lowercase_padded_sha256() {
        assert_eq!(
            checksum(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let sum = checksum(LF);
        assert_eq!(sum.len(), 64);
        assert!(
            sum.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn line_endings_do_not_matter() {
        assert!(checksum_matches(LF, &checksum(LF)));
        assert!(checksum_matches(CRLF, &checksum(LF)));
        assert!(checksum_matches(LF, &checksum(CRLF)));
        assert!(checksum_matches(CRLF, &checksum(CRLF)));
    }

    #[test]
    fn a_byte_order_mark_does_not_silently_match() {
        assert!(!checksum_matches(BOM_LF, &checksum(LF)));
        assert!(!checksum_matches(LF, &checksum(BOM_LF)));
        assert!(!checksum_matches(CRLF, &checksum(BOM_LF)));
        assert!(checksum_matches(BOM_LF, &checksum(BOM_LF)));
    }

    #[test]
    fn edited_files_do_not_match() {
        let mut edited = LF.to_vec();
        edited.extend_from_slice(b"-- one more line\n");
        assert!(!checksum_matches(&edited, &checksum(LF)));
    }

    #[test]
    fn old_unpadded_checksums_match() {
        // Find a script whose digest has a byte below 0x10, so the two formats differ.
        let script = (0..)
            .map(|i| format!("SELECT {i};\n"))
            .find(|s| Sha256::digest(s.as_bytes()).iter().any(|b| *b < 0x10))
            .unwrap_or_default();
        let old = render_unpadded(&Sha256::digest(script.as_bytes()));
        assert!(old.len() < 64);
        assert!(checksum_matches(script.as_bytes(), &old));
        assert!(checksum_matches(
            script.replace('\n', "\r\n").as_bytes(),
            &old
        ));
        assert!(!checksum_matches(b"SELECT 'other';\n", &old));
    }
}
