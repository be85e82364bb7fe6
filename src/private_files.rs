//! Files the broker creates for itself (the store, logs, the token file) are readable by their
//! owner only: 0600, in folders of 0700 when it creates the folders. Other local users must not
//! read transcripts or tokens. Existing files and folders keep the mode the user gave them.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents, owner-only (0700 on Unix).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens `path` for appending, creating it owner-only (0600 on Unix) when it does not exist.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Creates `path` empty and owner-only when it does not exist; leaves an existing file alone.
pub fn create_file(path: &Path) -> io::Result<()> {
    open_append(path).map(drop)
}

/// Writes `contents` to a new owner-only file (0600 on Unix) at `path`, replacing what was
/// there. The old entry is removed and the new one created exclusively, so a planted symlink
/// is never followed (a racing one makes this fail instead).
pub fn write(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write as _;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.create_new(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn created_folders_and_files_are_owner_only() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("a/b");
        create_dir_all(&dir).expect("dir");
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        let log = dir.join("handoff.log");
        create_file(&log).expect("file");
        assert_eq!(mode(&log), 0o600);
        let token = dir.join("token");
        std::fs::write(&token, "old").expect("write");
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write(&token, "new").expect("write");
        assert_eq!(mode(&token), 0o600, "a secret file is made private again");
        assert_eq!(std::fs::read_to_string(&token).expect("read"), "new");
        let elsewhere = tmp.path().join("victim");
        std::fs::write(&elsewhere, "keep").expect("write");
        std::os::unix::fs::symlink(&elsewhere, dir.join("planted")).expect("symlink");
        write(&dir.join("planted"), "secret").expect("write");
        assert_eq!(
            std::fs::read_to_string(&elsewhere).expect("read"),
            "keep",
            "not followed"
        );
    }
}
