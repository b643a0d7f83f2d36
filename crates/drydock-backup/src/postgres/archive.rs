//! pg_dump's archive format, read as it streams past: the header, the table of contents
//! (`toc.dat` in the directory format), and the COPY data of each table in an uncompressed
//! custom-format stream. The manifest's table stats come from here, so a backup reads every
//! table once: the rows hashed are exactly the bytes stored.

use std::collections::HashMap;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// `archCustom` in pg_dump's `ArchiveFormat`. A directory archive's `toc.dat` says 3 (as a tar
/// archive's does) or 5: both store a data file's name where the custom format stores an offset.
const FORMAT_CUSTOM: u8 = 1;
/// Block types of the custom format's data section.
const BLOCK_DATA: u8 = 1;
const BLOCK_LARGE_OBJECTS: u8 = 3;
/// Archive versions read here: 1.12 (PostgreSQL 9.6) to 1.16 (PostgreSQL 17 and 18). A newer
/// one may carry fields this reader does not know, so it is refused, not guessed at.
const OLDEST: u32 = version(1, 12, 0);
const NEWEST: u32 = version(1, 16, 0);
/// The line pg_dump ends each table's COPY data with; what follows it is padding.
const END_OF_COPY: &[u8] = b"\\.\n";

const fn version(major: u8, minor: u8, revision: u8) -> u32 {
    ((major as u32) << 16) | ((minor as u32) << 8) | revision as u32
}

/// Row count and the wrapping sum of the rows' hashes (first 128 bits of each row's sha256)
/// of COPY text data fed in pieces of any size: one row per line, as newlines inside values
/// are escaped. The sum needs no sort and no memory per row, and a duplicated row still counts
/// twice.
#[derive(Default)]
pub(crate) struct RowHasher {
    row: Sha256,
    /// Bytes of the current row so far, and its first bytes (to spot [`END_OF_COPY`] when it
    /// arrives in pieces).
    row_length: usize,
    row_head: [u8; 3],
    ended: bool,
    rows: u64,
    sum: u128,
}

impl RowHasher {
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        while !self.ended && !bytes.is_empty() {
            let (piece, rest, row_ends) = match memchr::memchr(b'\n', bytes) {
                Some(newline) => {
                    let (piece, rest) = bytes.split_at(newline + 1);
                    (piece, rest, true)
                }
                None => (bytes, &[][..], false),
            };
            if self.row_length < self.row_head.len() {
                let copied = piece.len().min(self.row_head.len() - self.row_length);
                self.row_head[self.row_length..self.row_length + copied]
                    .copy_from_slice(&piece[..copied]);
            }
            self.row_length += piece.len();
            if row_ends && self.row_length == END_OF_COPY.len() && self.row_head == END_OF_COPY {
                // Not a row: nothing of it is left for `finish`.
                self.row_length = 0;
                self.ended = true;
                return;
            }
            self.row.update(piece);
            if row_ends {
                self.end_row();
            }
            bytes = rest;
        }
    }

    fn end_row(&mut self) {
        add_digest(&mut self.sum, &mut self.row);
        self.rows += 1;
        self.row_length = 0;
    }

    /// Row count and hash sum; a last line without its newline counts as the same row with it.
    pub(crate) fn finish(mut self) -> (u64, u128) {
        if self.row_length > 0 {
            self.row.update(b"\n");
            self.end_row();
        }
        (self.rows, self.sum)
    }
}

/// Add the first 128 bits of `hasher`'s digest to `sum`, and reset it.
fn add_digest(sum: &mut u128, hasher: &mut Sha256) {
    let digest = hasher.finalize_reset();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    *sum = sum.wrapping_add(u128::from_be_bytes(first));
}

/// The name large objects have in the manifest's table list: they live in that catalog.
pub(crate) const LARGE_OBJECTS: &str = "pg_catalog.pg_largeobject";

/// Large objects' count and hash sum, as [`RowHasher`] does for rows: each object's hash
/// covers its OID and its bytes.
#[derive(Default)]
pub(crate) struct LargeObjectHasher {
    object: Sha256,
    count: u64,
    sum: u128,
}

impl LargeObjectHasher {
    /// Hash the object `oid`, whose bytes `feed` gives in pieces, up to [`Self::end`].
    pub(crate) fn start(&mut self, oid: i64) {
        self.object.update(format!("{oid}\n"));
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.object.update(bytes);
    }

    pub(crate) fn end(&mut self) {
        add_digest(&mut self.sum, &mut self.object);
        self.count += 1;
    }

    /// Count and hash sum; `None` when there were no large objects.
    pub(crate) fn finish(self) -> Option<(u64, u128)> {
        (self.count > 0).then_some((self.count, self.sum))
    }
}

/// A table of contents entry: what an object is and where its data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TocEntry {
    pub(crate) dump_id: i64,
    /// `TABLE DATA`, `TABLE`, `BLOBS`, ...
    pub(crate) desc: String,
    pub(crate) namespace: String,
    pub(crate) tag: String,
    /// The data file, in the directory format.
    pub(crate) file: Option<String>,
}

impl TocEntry {
    /// `schema.table` for a table's data entry.
    pub(crate) fn table_data(&self) -> Option<String> {
        (self.desc == "TABLE DATA").then(|| format!("{}.{}", self.namespace, self.tag))
    }
}

/// Per `schema.table`, its rows' count and hash sum as [`RowHasher`] computes them; large
/// objects under [`LARGE_OBJECTS`].
pub(crate) type StreamedTables = HashMap<String, (u64, u128)>;

fn invalid(reason: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason.into())
}

struct ArchiveReader<R> {
    input: R,
    version: u32,
    int_size: usize,
    offset_size: usize,
}

impl<R: Read> ArchiveReader<R> {
    fn byte(&mut self) -> io::Result<u8> {
        let mut byte = [0u8];
        self.input.read_exact(&mut byte)?;
        Ok(byte[0])
    }

    /// A byte, or `None` at a clean end of the stream.
    fn byte_or_end(&mut self) -> io::Result<Option<u8>> {
        let mut byte = [0u8];
        loop {
            match self.input.read(&mut byte) {
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(byte[0])),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// pg_dump's `WriteInt`: a sign byte, then `int_size` bytes, least significant first.
    fn int(&mut self) -> io::Result<i64> {
        let negative = self.byte()? != 0;
        let mut value: i64 = 0;
        for position in 0..self.int_size {
            let byte = i64::from(self.byte()?);
            if byte != 0 {
                if position >= 7 {
                    return Err(invalid("an integer does not fit in 64 bits"));
                }
                value |= byte << (8 * position);
            }
        }
        Ok(if negative { -value } else { value })
    }

    /// pg_dump's `WriteStr`: a length (-1 for NULL), then the bytes.
    fn string(&mut self) -> io::Result<Option<String>> {
        let length = self.int()?;
        if length < 0 {
            return Ok(None);
        }
        // Catalog text: object names, definitions. Anything near this size is damage.
        if length > 1 << 30 {
            return Err(invalid(format!("a string of {length} bytes")));
        }
        let mut bytes = vec![0u8; length as usize];
        self.input.read_exact(&mut bytes)?;
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    fn text(&mut self) -> io::Result<String> {
        Ok(self.string()?.unwrap_or_default())
    }

    /// Feed the length-prefixed chunks of one data item to `sink`, up to the zero length that
    /// ends them.
    fn chunks(&mut self, mut sink: impl FnMut(&[u8])) -> io::Result<()> {
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let length = self.int()?;
            if length == 0 {
                return Ok(());
            }
            let mut left =
                u64::try_from(length).map_err(|_| invalid("a negative data chunk length"))?;
            while left > 0 {
                let take = left.min(buffer.len() as u64) as usize;
                self.input.read_exact(&mut buffer[..take])?;
                sink(&buffer[..take]);
                left -= take as u64;
            }
        }
    }
}

/// The header and the table of contents of a custom-format archive (`custom`) or of a directory
/// archive's `toc.dat`; the reader is left at the first data block (custom format).
fn read_toc<R: Read>(input: R, custom: bool) -> io::Result<(ArchiveReader<R>, Vec<TocEntry>)> {
    let mut reader = ArchiveReader {
        input,
        version: 0,
        int_size: 4,
        offset_size: 8,
    };
    let mut magic = [0u8; 5];
    reader.input.read_exact(&mut magic)?;
    if &magic != b"PGDMP" {
        return Err(invalid("not a pg_dump archive"));
    }
    let (major, minor, revision) = (reader.byte()?, reader.byte()?, reader.byte()?);
    reader.version = version(major, minor, revision);
    if !(OLDEST..=NEWEST).contains(&reader.version) {
        return Err(invalid(format!(
            "archive version {major}.{minor}.{revision} is not one this reader knows"
        )));
    }
    reader.int_size = usize::from(reader.byte()?);
    reader.offset_size = usize::from(reader.byte()?);
    if !(1..=8).contains(&reader.int_size) || !(1..=8).contains(&reader.offset_size) {
        return Err(invalid("unexpected integer sizes"));
    }
    let format = reader.byte()?;
    if (format == FORMAT_CUSTOM) != custom {
        return Err(invalid(format!("unexpected archive format {format}")));
    }
    let compressed = if reader.version >= version(1, 15, 0) {
        reader.byte()? != 0
    } else {
        reader.int()? != 0
    };
    if compressed {
        return Err(invalid("the archive's data is compressed"));
    }
    // Creation time (seven integers), database name, server and pg_dump versions.
    for _ in 0..7 {
        reader.int()?;
    }
    for _ in 0..3 {
        reader.string()?;
    }
    let count = reader.int()?;
    let mut entries = Vec::new();
    for _ in 0..count {
        let dump_id = reader.int()?;
        let _had_dumper = reader.int()?;
        let _table_oid = reader.string()?;
        let _oid = reader.string()?;
        let tag = reader.text()?;
        let desc = reader.text()?;
        let _section = reader.int()?;
        let _definition = reader.string()?;
        let _drop = reader.string()?;
        let _copy = reader.string()?;
        let namespace = reader.text()?;
        let _tablespace = reader.string()?;
        if reader.version >= version(1, 14, 0) {
            let _table_access_method = reader.string()?;
        }
        if reader.version >= version(1, 16, 0) {
            let _relkind = reader.int()?;
        }
        let _owner = reader.string()?;
        let _with_oids = reader.string()?;
        while reader.string()?.is_some() {}
        let file = if format == FORMAT_CUSTOM {
            // The data's offset: a flag byte and `offset_size` bytes, unset in a stream.
            for _ in 0..=reader.offset_size {
                reader.byte()?;
            }
            None
        } else {
            reader.string()?
        };
        entries.push(TocEntry {
            dump_id,
            desc,
            namespace,
            tag,
            file,
        });
    }
    Ok((reader, entries))
}

/// The table of contents of a directory-format archive's `toc.dat`.
pub(crate) fn read_directory_toc(input: impl Read) -> io::Result<Vec<TocEntry>> {
    read_toc(input, false).map(|(_, entries)| entries)
}

/// Every table's rows in an uncompressed custom-format stream (`pg_dump -Fc -Z0` written to a
/// pipe, so its data blocks follow the table of contents in order), read to its end.
pub(crate) fn hash_custom_stream(input: impl Read) -> io::Result<StreamedTables> {
    let (mut reader, entries) = read_toc(input, true)?;
    let tables: HashMap<i64, String> = entries
        .iter()
        .filter_map(|entry| Some((entry.dump_id, entry.table_data()?)))
        .collect();
    let mut streamed = StreamedTables::new();
    let mut large_objects = LargeObjectHasher::default();
    while let Some(block) = reader.byte_or_end()? {
        let dump_id = reader.int()?;
        match block {
            BLOCK_DATA => {
                let table = tables.get(&dump_id);
                let mut hasher = RowHasher::default();
                reader.chunks(|bytes| {
                    if table.is_some() {
                        hasher.feed(bytes);
                    }
                })?;
                if let Some(table) = table {
                    streamed.insert(table.clone(), hasher.finish());
                }
            }
            BLOCK_LARGE_OBJECTS => loop {
                // Each large object is its OID and its chunks, up to OID 0.
                let oid = reader.int()?;
                if oid == 0 {
                    break;
                }
                large_objects.start(oid);
                reader.chunks(|bytes| large_objects.feed(bytes))?;
                large_objects.end();
            },
            other => return Err(invalid(format!("unknown data block type {other}"))),
        }
    }
    if let Some(objects) = large_objects.finish() {
        streamed.insert(LARGE_OBJECTS.to_owned(), objects);
    }
    Ok(streamed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(pieces: &[&str]) -> (u64, u128) {
        let mut hasher = RowHasher::default();
        for piece in pieces {
            hasher.feed(piece.as_bytes());
        }
        hasher.finish()
    }

    #[test]
    fn row_hashes_ignore_order_and_piece_boundaries_but_not_content_or_repeats() {
        let whole = hash(&["1\ta\n2\tb\\nc\n"]);
        assert_eq!(whole.0, 2);
        assert_eq!(hash(&["2\tb\\nc\n1\ta\n"]), whole);
        assert_eq!(hash(&["1\t", "a\n2", "\tb\\nc", "\n"]), whole);
        assert_eq!(hash(&["1\ta\n2\tb\\nc"]), whole);
        assert_ne!(hash(&["1\ta\n2\tb\\nC\n"]).1, whole.1);
        assert_ne!(hash(&["1\ta\n1\ta\n2\tb\\nc\n"]), whole);
        assert_eq!(hash(&[""]), (0, 0));
    }

    #[test]
    fn the_end_of_copy_line_ends_the_rows_but_an_empty_value_is_a_row() {
        assert_eq!(
            hash(&["1\ta\n2\tb\\nc\n\\.\n\n\n"]),
            hash(&["1\ta\n2\tb\\nc\n"])
        );
        assert_eq!(hash(&["\n\n\\", ".\n\n"]).0, 2);
        // A value that ends in backslash-dot is escaped, so it never looks like the end.
        assert_eq!(hash(&["a\\\\.\n"]).0, 1);
    }

    /// A custom-format stream as pg_dump 15 writes it to a pipe, cut down to two entries: one
    /// table's data and one large object.
    fn custom_stream() -> Vec<u8> {
        let int = |value: i64| {
            let mut bytes = vec![u8::from(value < 0)];
            bytes.extend_from_slice(&(value.unsigned_abs() as u32).to_le_bytes());
            bytes
        };
        let string = |text: Option<&str>| match text {
            None => int(-1),
            Some(text) => [int(text.len() as i64), text.as_bytes().to_vec()].concat(),
        };
        let mut out = b"PGDMP".to_vec();
        out.extend_from_slice(&[1, 14, 0, 4, 8, FORMAT_CUSTOM]);
        out.extend(int(0));
        for _ in 0..7 {
            out.extend(int(1));
        }
        for text in ["app", "15.20", "15.20"] {
            out.extend(string(Some(text)));
        }
        out.extend(int(2));
        for (id, desc, tag) in [(7, "TABLE DATA", "t"), (8, "BLOBS", "BLOBS")] {
            out.extend(int(id));
            out.extend(int(1));
            out.extend(string(Some("0")));
            out.extend(string(Some("0")));
            out.extend(string(Some(tag)));
            out.extend(string(Some(desc)));
            out.extend(int(3));
            out.extend(string(Some("")));
            out.extend(string(Some("")));
            out.extend(string(Some("COPY public.t (id) FROM stdin;\n")));
            out.extend(string(Some("public")));
            out.extend(string(Some("")));
            out.extend(string(Some("heap")));
            out.extend(string(Some("postgres")));
            out.extend(string(Some("false")));
            out.extend(string(Some("6")));
            out.extend(string(None));
            out.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0]);
        }
        out.push(BLOCK_DATA);
        out.extend(int(7));
        for chunk in ["1\n", "2\n", "\\.\n\n\n"] {
            out.extend(string(Some(chunk)));
        }
        out.extend(int(0));
        out.push(BLOCK_LARGE_OBJECTS);
        out.extend(int(8));
        out.extend(int(16396));
        out.extend(string(Some("hello")));
        out.extend(int(0));
        out.extend(int(0));
        out
    }

    #[test]
    fn a_custom_stream_yields_each_tables_rows() {
        let streamed = hash_custom_stream(custom_stream().as_slice()).expect("valid stream");
        assert_eq!(streamed.len(), 2);
        assert_eq!(streamed["public.t"], hash(&["1\n2\n"]));
        let mut objects = LargeObjectHasher::default();
        objects.start(16396);
        objects.feed(b"hel");
        objects.feed(b"lo");
        objects.end();
        assert_eq!(Some(streamed[LARGE_OBJECTS]), objects.finish());
    }

    #[test]
    fn a_cut_or_unknown_stream_is_an_error_not_a_guess() {
        let stream = custom_stream();
        assert!(hash_custom_stream(&stream[..stream.len() - 3]).is_err());
        let mut newer = stream.clone();
        newer[6] = 99;
        assert!(hash_custom_stream(newer.as_slice()).is_err());
        assert!(hash_custom_stream(&b"PGDMQ"[..]).is_err());
    }
}
