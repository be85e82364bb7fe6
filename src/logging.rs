//! Logs go to a file, never to the terminal (the console owns it; `serve` keeps stdout for its
//! URL).

use std::path::{Path, PathBuf};

/// The default log file: `handoff.log` in the platform's state (or cache) directory.
pub fn default_log_file() -> PathBuf {
    dirs::state_dir()
        .or_else(dirs::cache_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("handoff")
        .join("handoff.log")
}

/// Sends `tracing` output to `path` (appending); `HANDOFF_LOG` sets the filter (default `info`).
pub fn init(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::private_files::create_dir_all(dir)?;
    }
    let file = crate::private_files::open_append(path)?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("HANDOFF_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init()
        .map_err(std::io::Error::other)
}
