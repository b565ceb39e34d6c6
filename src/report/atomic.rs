//! Atomic replacement of report files: every report is written to a
//! temporary file in the same directory (a large one handed to the disk
//! step by step in the background while it is written, `ReportFile`),
//! flushed, synced to disk and renamed over the old file. A process killed
//! at any moment leaves either the old report or the new one, whole; never
//! a mix and never a truncated file.
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
    F: FnOnce(&mut BufWriter<ReportFile<'_>>) -> io::Result<()>,
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

/// How many bytes a report file takes between two background syncs (64
/// KiB in the unit tests, so that a small file crosses many steps).
const WRITEBACK_STEP: u64 = if cfg!(test) { 1 << 16 } else { 32 << 20 };

/// The temporary file a report is written into. Every [`WRITEBACK_STEP`]
/// bytes, what is written so far is handed to the disk in the background
/// (`sync_data` on a clone of the file, on a thread of its own, while the
/// report goes on), so the `sync_all` before the rename waits for the last
/// step only: links.csv of a million rows is 211 MB, whose sync took 0.18
/// s at the end of the report tail (issue 27). A background sync's error
/// is not the report's: the final `sync_all` reports what is wrong.
pub struct ReportFile<'f> {
    file: &'f mut File,
    written: u64,
    syncing: Option<std::thread::JoinHandle<()>>,
}

impl<'f> ReportFile<'f> {
    fn new(file: &'f mut File) -> Self {
        ReportFile {
            file,
            written: 0,
            syncing: None,
        }
    }

    /// Starts a background sync when a step is full and none is running.
    fn step(&mut self, before: u64) {
        if before / WRITEBACK_STEP == self.written / WRITEBACK_STEP
            || self.syncing.as_ref().is_some_and(|s| !s.is_finished())
        {
            return;
        }
        let Ok(clone) = self.file.try_clone() else {
            return;
        };
        let syncing = std::thread::Builder::new().name("paperlinks-sync".into());
        self.syncing = syncing.spawn(move || drop(clone.sync_data())).ok();
    }

    /// Waits for the background sync still running, if any.
    fn settle(&mut self) {
        if let Some(s) = self.syncing.take() {
            let _ = s.join();
        }
    }
}

impl Write for ReportFile<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        let before = self.written;
        self.written += n as u64;
        self.step(before);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for ReportFile<'_> {
    fn drop(&mut self) {
        self.settle();
    }
}

fn write_atomic_inner<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<ReportFile<'_>>) -> io::Result<()>,
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
        let mut w = BufWriter::with_capacity(64 * 1024, ReportFile::new(tmp.as_file_mut()));
        write(&mut w)?;
        w.flush()?;
        w.get_mut().settle();
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

    /// A report synced in the background step by step while it is written
    /// (`ReportFile`) is the bytes written, whole, in their order.
    #[test]
    fn a_report_over_many_writeback_steps_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.csv");
        let line = |i: usize| format!("{i},{}\n", "x".repeat(i % 97));
        let want: String = (0..40_000).map(line).collect();
        assert!(want.len() as u64 > 20 * WRITEBACK_STEP);
        write_atomic(&p, |w| {
            (0..40_000).try_for_each(|i| w.write_all(line(i).as_bytes()))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), want);
    }

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
