//! The backup file: zstd-compressed, optionally age-encrypted, hashed while it is written and
//! read.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use age::secrecy::SecretString;
use drydock_files::Hashing;
use sha2::{Digest, Sha256};

use crate::BackupError;

/// Sizes and hash of a written backup file.
pub(crate) struct Written {
    pub(crate) stored_size: u64,
    pub(crate) sha256: String,
    pub(crate) uncompressed_size: u64,
}

/// A new file only its owner can read: backups hold all of a database's data.
pub(crate) fn create_private(path: &Path) -> Result<File, BackupError> {
    drydock_files::create_private(path)
        .map_err(|e| BackupError::io(format!("creating `{}`", path.display()), e))
}

/// Counts the uncompressed bytes and reports them.
struct Counting<'a, W> {
    inner: W,
    bytes: u64,
    progress: &'a dyn Fn(u64),
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        (self.progress)(self.bytes);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Write `path` from what `produce` writes: compressed at `level`, encrypted when a passphrase
/// is given. The file is removed when anything fails.
pub(crate) fn write<T>(
    path: &Path,
    level: i32,
    passphrase: Option<&str>,
    progress: &dyn Fn(u64),
    produce: impl FnOnce(&mut dyn Write) -> Result<T, BackupError>,
) -> Result<(T, Written), BackupError> {
    let file = create_private(path)?;
    let result = write_into(file, level, passphrase, progress, produce);
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn write_into<T>(
    file: File,
    level: i32,
    passphrase: Option<&str>,
    progress: &dyn Fn(u64),
    produce: impl FnOnce(&mut dyn Write) -> Result<T, BackupError>,
) -> Result<(T, Written), BackupError> {
    let io_error = |e| BackupError::io("writing the backup", e);
    let hashing = Hashing::new(io::BufWriter::with_capacity(1 << 20, file));
    let (value, uncompressed_size, mut hashing) = match passphrase {
        Some(passphrase) => {
            let encryptor =
                age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_owned()));
            let encrypted = encryptor.wrap_output(hashing).map_err(io_error)?;
            let (value, size, encrypted) = compress(encrypted, level, progress, produce)?;
            (value, size, encrypted.finish().map_err(io_error)?)
        }
        None => compress(hashing, level, progress, produce)?,
    };
    hashing.flush().map_err(io_error)?;
    let (buffered, stored_size, sha256) = hashing.finish();
    let file = buffered
        .into_inner()
        .map_err(|e| io_error(e.into_error()))?;
    file.sync_all().map_err(io_error)?;
    Ok((
        value,
        Written {
            stored_size,
            sha256,
            uncompressed_size,
        },
    ))
}

fn compress<W: Write, T>(
    out: W,
    level: i32,
    progress: &dyn Fn(u64),
    produce: impl FnOnce(&mut dyn Write) -> Result<T, BackupError>,
) -> Result<(T, u64, W), BackupError> {
    let io_error = |e| BackupError::io("compressing the backup", e);
    let mut encoder = zstd::Encoder::new(out, level).map_err(io_error)?;
    // Compression runs on worker threads, so the dump keeps streaming in while earlier parts
    // are compressed; the output is one ordinary zstd frame either way.
    encoder
        .multithread(compression_workers())
        .map_err(io_error)?;
    let mut counting = Counting {
        inner: encoder,
        bytes: 0,
        progress,
    };
    let value = produce(&mut counting)?;
    let out = counting.inner.finish().map_err(io_error)?;
    Ok((value, counting.bytes, out))
}

/// One zstd worker per core, at least one: the dump tool and the database server need the
/// cores too, and a worker waits on them as often as it compresses.
fn compression_workers() -> u32 {
    std::thread::available_parallelism()
        .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        .min(WORKERS_MAX)
}

/// Beyond this, more workers only add memory: the dump does not arrive faster.
const WORKERS_MAX: u32 = 4;

/// The size and sha256 of a stored file.
pub(crate) fn checksum(path: &Path) -> Result<(u64, String), BackupError> {
    let mut file = File::open(path)
        .map_err(|e| BackupError::io(format!("reading `{}`", path.display()), e))?;
    let mut hasher = Sha256::new();
    let size = io::copy(&mut file, &mut hasher)
        .map_err(|e| BackupError::io(format!("reading `{}`", path.display()), e))?;
    Ok((size, hex::encode(hasher.finalize())))
}

/// The uncompressed dump, read from the stored file.
pub(crate) fn open(path: &Path, passphrase: Option<&str>) -> Result<Box<dyn Read>, BackupError> {
    let file = BufReader::new(
        File::open(path)
            .map_err(|e| BackupError::io(format!("reading `{}`", path.display()), e))?,
    );
    let io_error = |e| BackupError::io("decompressing the backup", e);
    match passphrase {
        Some(passphrase) => {
            let encryption = |e: age::DecryptError| BackupError::Encryption(e.to_string());
            let decryptor = age::Decryptor::new_buffered(file).map_err(encryption)?;
            let identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
            let plain = decryptor
                .decrypt(std::iter::once(&identity as &dyn age::Identity))
                .map_err(encryption)?;
            Ok(Box::new(zstd::Decoder::new(plain).map_err(io_error)?))
        }
        None => Ok(Box::new(zstd::Decoder::new(file).map_err(io_error)?)),
    }
}

/// A reader that counts the bytes it passed on and keeps the first read error, so a caller that
/// handed it to a tool can tell a damaged stream from the tool's own failure.
pub(crate) struct Counted<R> {
    inner: R,
    count: u64,
    error: Option<String>,
}

impl<R: Read> Counted<R> {
    pub(crate) fn new(inner: R) -> Counted<R> {
        Counted {
            inner,
            count: 0,
            error: None,
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(read) => {
                self.count += read as u64;
                Ok(read)
            }
            Err(e) => {
                if self.error.is_none() && e.kind() != io::ErrorKind::Interrupted {
                    self.error = Some(e.to_string());
                }
                Err(e)
            }
        }
    }
}
