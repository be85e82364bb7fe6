//! When the console panics, on any thread or task: the terminal is given back (raw mode off,
//! alternate screen left, cursor shown, mouse and paste reporting off), the panic and a
//! backtrace go to a crash log, the user is told where it is, and the process ends. A panic in a
//! background task would otherwise leave a console that looks alive and does nothing.

use std::io::Write as _;
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};

/// The exit code after a panic, as Rust's own.
const PANIC_EXIT: i32 = 101;

/// Installs the hook; `restore` gives the terminal back.
pub fn install(crash_log: PathBuf, restore: fn()) {
    std::panic::set_hook(Box::new(move |info| {
        restore();
        let written = write_log(&crash_log, info);
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "\nhandoff crashed: {}", message(info));
        let _ = match written {
            Ok(()) => writeln!(
                stderr,
                "The crash log is at {}. The terminal has been restored.",
                crash_log.display()
            ),
            Err(e) => writeln!(
                stderr,
                "The crash log could not be written to {}: {e}",
                crash_log.display()
            ),
        };
        std::process::exit(PANIC_EXIT);
    }));
}

fn message(info: &PanicHookInfo<'_>) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned());
    match info.location() {
        Some(at) => format!("{payload} (at {}:{})", at.file(), at.line()),
        None => payload,
    }
}

fn write_log(path: &Path, info: &PanicHookInfo<'_>) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    let thread = std::thread::current();
    writeln!(
        file,
        "handoff {} crashed at {} on thread {}: {}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        jiff::Timestamp::now(),
        thread.name().unwrap_or("unnamed"),
        message(info),
        std::backtrace::Backtrace::force_capture()
    )
}
