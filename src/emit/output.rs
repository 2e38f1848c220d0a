//! The one output writer behind every `-o`: what is at the path decides how it is written.
//!
//! - a regular file (or nothing yet): written whole or not at all, through a temp file beside
//!   it renamed into place. The temp file is made only when the output is ready, so a run
//!   killed during the (long) scan leaves nothing behind.
//! - `-`: stdout.
//! - a character device or a FIFO (`/dev/stdout`, `/dev/null`, a named pipe): written
//!   through, never replaced. Renaming a temp file over a device node would take the device
//!   away from the whole machine.
//! - a symlink: its target is what is written (so the link stays a link), by the rules above.
//! - anything else (a directory, a block device, a socket, a dangling link): refused, exit 2.
//!
//! The path is checked when the command starts (an unwritable path fails before a long scan)
//! and again when the bytes are written, since it may have changed in between.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Where output goes, as [`Output::prepare`] found it.
pub struct Output {
    to: Option<PathBuf>,
}

/// What a path given to `-o` is, after following symlinks.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Stdout,
    /// A regular file, or a name not yet taken: replaced via temp + rename in its folder.
    Replace(PathBuf),
    /// A character device or a FIFO: opened and written to, never replaced.
    Through(PathBuf),
}

impl Output {
    /// Check `path` (None or `-` = stdout) now, so a bad one fails before the work starts.
    pub fn prepare(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Output { to: None });
        };
        if let Kind::Replace(real) = classify(path)? {
            let dir = parent_dir(&real);
            writable_dir(dir)
                .map_err(|reason| anyhow::anyhow!("cannot write {}: {reason}", shown(path)))?;
        }
        Ok(Output {
            to: Some(path.to_path_buf()),
        })
    }

    /// Write `bytes`, whole.
    pub fn write(self, bytes: &[u8]) -> Result<()> {
        let Some(path) = self.to else {
            return write_stdout(bytes);
        };
        match classify(&path)? {
            Kind::Stdout => write_stdout(bytes),
            Kind::Through(real) => {
                // No create, no truncate: the node exists and is not ours to reshape.
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&real)
                    .map_err(|e| {
                        anyhow::anyhow!("cannot write {}: {}", shown(&path), io_reason(&e))
                    })?;
                f.write_all(bytes).and_then(|()| f.flush()).map_err(|e| {
                    anyhow::anyhow!("cannot write {}: {}", shown(&path), io_reason(&e))
                })
            }
            Kind::Replace(real) => replace(&path, &real, bytes),
        }
    }
}

/// Write `bytes` to `path` (by the rules of [`Output`]) or to stdout.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    Output::prepare(path)?.write(bytes)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// The kind of `path`, symlinks followed to their final target.
fn classify(path: &Path) -> Result<Kind> {
    if path.as_os_str() == "-" {
        return Ok(Kind::Stdout);
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Kind::Replace(path.to_path_buf()))
        }
        Err(e) => bail!("cannot write {}: {}", shown(path), io_reason(&e)),
    };
    if meta.file_type().is_symlink() {
        // The link stays; what it points at is written. A link to nothing is refused rather
        // than guessed at (creating its target could mean writing anywhere).
        let target = std::fs::canonicalize(path).map_err(|e| {
            anyhow::anyhow!(
                "cannot write {}: a symbolic link whose target cannot be reached ({}); \
                 give the target itself",
                shown(path),
                io_reason(&e)
            )
        })?;
        let meta =
            std::fs::metadata(&target).with_context(|| format!("cannot write {}", shown(path)))?;
        return by_type(path, &target, &meta.file_type());
    }
    by_type(path, path, &meta.file_type())
}

fn by_type(path: &Path, real: &Path, ft: &std::fs::FileType) -> Result<Kind> {
    if ft.is_file() {
        return Ok(Kind::Replace(real.to_path_buf()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_char_device() || ft.is_fifo() {
            return Ok(Kind::Through(real.to_path_buf()));
        }
        if ft.is_block_device() {
            bail!(
                "cannot write {}: a block device; ospo writes only to files, \
                 character devices and pipes",
                shown(path)
            );
        }
        if ft.is_socket() {
            bail!("cannot write {}: a socket", shown(path));
        }
    }
    if ft.is_dir() {
        bail!(
            "cannot write {}: a directory; give a file name",
            shown(path)
        );
    }
    bail!("cannot write {}: not a regular file", shown(path))
}

/// Temp file beside `real`, made now that the bytes are ready, renamed over it.
fn replace(path: &Path, real: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(real);
    let mut tmp = tempfile::Builder::new()
        .prefix(".ospo-")
        .tempfile_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", shown(path), io_reason(&e)))?;
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", shown(path)))?;
    tmp.as_file().sync_all().ok();
    // A temp file is private (0600); the output is an ordinary file, and one that is
    // replaced keeps its mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(real).map_or(0o644, |m| m.permissions().mode() & 0o777);
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    tmp.persist(real)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", shown(path), io_reason(&e.error)))?;
    Ok(())
}

fn parent_dir(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Whether a file can be created in `dir`, asked of the OS (no probe file is made: a probe
/// is debris if the run is killed at that moment).
fn writable_dir(dir: &Path) -> std::result::Result<(), String> {
    let meta = std::fs::metadata(dir).map_err(|e| io_reason(&e))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
        // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
        if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } != 0 {
            return Err(io_reason(&std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

fn shown(p: &Path) -> String {
    crate::text::escape_controls(&p.display().to_string()).into_owned()
}

/// The OS reason alone ("Permission denied"), without the temp file's name.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => e.kind().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("out.json");
        assert_eq!(classify(&f).unwrap(), Kind::Replace(f.clone()));
        std::fs::write(&f, "x").unwrap();
        assert_eq!(classify(&f).unwrap(), Kind::Replace(f.clone()));
        assert_eq!(classify(Path::new("-")).unwrap(), Kind::Stdout);
        assert!(classify(dir.path()).is_err(), "a directory is refused");
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&f, &link).unwrap();
            let real = std::fs::canonicalize(&f).unwrap();
            assert_eq!(classify(&link).unwrap(), Kind::Replace(real));
            let dangling = dir.path().join("dangling");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
            assert!(classify(&dangling).is_err());
        }
    }
}
