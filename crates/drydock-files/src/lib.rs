//! Files written as backups (`drydock-backup`) and cleanup archives (`drydock-maintenance`)
//! are: created for their owner only (they hold a database's rows), synced, given their name
//! only once whole (a rename, then the folder synced), and hashed (sha256) as they are written
//! or read.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

/// A new file only its owner can read or write; fails when `path` exists.
pub fn create_private(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Make the creations and renames in `dir` durable: a crash after a file was reported written
/// must not take its name back.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).and_then(|folder| folder.sync_all())
}

/// Write `bytes` to `path` whole or not at all: into the new private file `staging` (synced),
/// then renamed to `path`, then the folder synced. `staging` must not exist; once created, it
/// is removed when anything fails.
pub fn write_whole(staging: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create_private(staging)?;
    let renamed = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(staging, path));
    if let Err(error) = renamed {
        let _ = std::fs::remove_file(staging);
        return Err(error);
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => sync_dir(dir),
        _ => sync_dir(Path::new(".")),
    }
}

/// Hashes (sha256) and counts the bytes that pass through it, read or written.
pub struct Hashing<T> {
    inner: T,
    hasher: Sha256,
    bytes: u64,
}

impl<T> Hashing<T> {
    pub fn new(inner: T) -> Hashing<T> {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The bytes passed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// What it wrapped, the bytes passed and their sha256 as lowercase hexadecimal.
    pub fn finish(self) -> (T, u64, String) {
        (self.inner, self.bytes, hex::encode(self.hasher.finalize()))
    }

    fn saw(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.bytes += data.len() as u64;
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.saw(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.saw(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_whole_write_is_private_and_hashed_alike_read_or_written() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("file");
        write_whole(&dir.path().join(".file.partial"), &path, b"rows\n")?;
        assert_eq!(std::fs::read(&path)?, b"rows\n");
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o600
        );
        assert!(!dir.path().join(".file.partial").exists());
        let mut written = Hashing::new(Vec::new());
        written.write_all(b"rows\n")?;
        let mut read = Hashing::new(File::open(&path)?);
        io::copy(&mut read, &mut io::sink())?;
        let sha256 = "9b71c268cf258d56d93a8182fce8a2ed6a7d18768a88959e17537d913702d63f";
        let (_, bytes, hash) = read.finish();
        assert_eq!((bytes, hash.as_str()), (5, sha256));
        let (_, bytes, hash) = written.finish();
        assert_eq!((bytes, hash.as_str()), (5, sha256));
        // A staging name in use fails, and the file there is left alone.
        std::fs::write(dir.path().join(".busy"), b"x")?;
        assert!(write_whole(&dir.path().join(".busy"), &path, b"other").is_err());
        assert_eq!(std::fs::read(&path)?, b"rows\n");
        assert_eq!(std::fs::read(dir.path().join(".busy"))?, b"x");
        Ok(())
    }
}
