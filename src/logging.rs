//! Logs go to a file, never to the terminal (the console owns it; `serve` keeps stdout for its
//! URL). The file is capped: at the first line end past [`MAX_LOG_BYTES`] it is renamed to `<file>.1` (replacing the
//! previous one) and a new file is started, so logs take at most twice that on disk. The folder
//! the broker creates is 0700 and the files 0600: logs name conversations.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The size at which the log file is rotated.
pub const MAX_LOG_BYTES: u64 = 10 * 1024 * 1024;

/// The default log file: `handoff.log` in the platform's state (or cache) directory.
pub fn default_log_file() -> PathBuf {
    dirs::state_dir()
        .or_else(dirs::cache_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("handoff")
        .join("handoff.log")
}

/// Sends `tracing` output to `path` (appending, rotated at [`MAX_LOG_BYTES`]); `HANDOFF_LOG`
/// sets the filter (default `info`).
pub fn init(path: &Path) -> std::io::Result<()> {
    let file = RotatingFile::open(path, MAX_LOG_BYTES)?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("HANDOFF_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init()
        .map_err(std::io::Error::other)
}

/// An append-only file that starts over (keeping one previous file) once it reaches a size.
pub struct RotatingFile {
    path: PathBuf,
    file: std::fs::File,
    written: u64,
    max: u64,
    /// Whether the last write ended a line: files are cut between lines only.
    at_line_start: bool,
}

impl RotatingFile {
    /// Opens (creating) `path`, rotating at `max` bytes.
    pub fn open(path: &Path, max: u64) -> std::io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            crate::private_files::create_dir_all(dir)?;
        }
        let file = crate::private_files::open_append(path)?;
        let written = file.metadata()?.len();
        Ok(Self {
            path: path.to_owned(),
            file,
            written,
            max,
            at_line_start: true,
        })
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        std::fs::rename(&self.path, &old)?;
        self.file = crate::private_files::open_append(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written >= self.max && self.at_line_start {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if n > 0 {
            self.at_line_start = buf.get(n - 1) == Some(&b'\n');
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_its_cap_the_log_starts_over_keeping_one_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs").join("handoff.log");
        let mut log = RotatingFile::open(&path, 100).unwrap();
        for i in 0..50 {
            writeln!(log, "line {i:04} of the log").unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap();
        let previous = std::fs::read_to_string(dir.path().join("logs/handoff.log.1")).unwrap();
        // Cut between lines only: at most the cap plus one line each.
        assert!(current.len() <= 121 && previous.len() <= 121);
        assert!(previous.ends_with('\n') && current.starts_with("line "));
        assert!(current.ends_with("line 0049 of the log\n"), "{current}");
        assert_eq!(
            std::fs::read_dir(dir.path().join("logs")).unwrap().count(),
            2
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }
}
