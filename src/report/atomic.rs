//! Atomic replacement of report files: every report is written to a
//! temporary file in the same directory, flushed, synced to disk and renamed
//! over the old file. A process killed at any moment leaves either the old
//! report or the new one, whole; never a mix and never a truncated file.
//!
//! Never writes anywhere but the target's own directory. A process killed
//! with SIGKILL may leave a stray hidden `.NAME.*.tmp` file behind (nothing
//! can delete it); it is never read by anything.

use crate::error::Error;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically. `write` receives a buffered writer on a
/// temporary file next to `path`; when it returns `Ok`, the data is flushed,
/// synced and the temporary file renamed over `path`. On any error the
/// temporary file is removed and `path` is left as it was.
///
/// The parent directory is created if missing. New files get mode 0644 on
/// Unix (a temporary file would otherwise keep its private 0600).
pub fn write_atomic<F>(path: &Path, write: F) -> Result<(), Error>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> io::Result<()>,
{
    write_atomic_inner(path, write).map_err(|source| Error::Report {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes a whole string atomically (Markdown, SVG, JSON).
pub fn write_text_atomic(path: &Path, text: &str) -> Result<(), Error> {
    write_atomic(path, |w| w.write_all(text.as_bytes()))
}

fn write_atomic_inner<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> io::Result<()>,
{
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?
        .to_string_lossy()
        .into_owned();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = BufWriter::with_capacity(64 * 1024, tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable; best effort (not every platform can
    // open a directory for syncing).
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.txt");
        write_text_atomic(&p, "first").unwrap();
        write_text_atomic(&p, "second").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")]);
    }

    #[test]
    fn failed_write_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write_text_atomic(&p, "old").unwrap();
        let err = write_atomic(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("a.csv"), "{err}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
