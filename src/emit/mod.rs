//! Emitters: each takes the finished model and writes bytes; none re-scans.

pub mod notice;
pub mod report;
pub mod summary;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Where output goes: stdout, or a file written whole or not at all (a temp file beside
/// it, renamed into place). Prepared before the work starts, so an unwritable path fails
/// at once instead of after a long scan.
pub struct Output {
    file: Option<(std::path::PathBuf, tempfile::NamedTempFile)>,
}

impl Output {
    pub fn prepare(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Output { file: None });
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".ospo-")
            .tempfile_in(dir)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), io_reason(&e)))?;
        Ok(Output {
            file: Some((path.to_path_buf(), tmp)),
        })
    }

    pub fn write(self, bytes: &[u8]) -> Result<()> {
        match self.file {
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes)?;
                out.flush()?;
            }
            Some((path, mut tmp)) => {
                tmp.write_all(bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                tmp.as_file().sync_all().ok();
                // A temp file is private (0600); the output is an ordinary file, and one
                // that is replaced keeps its mode.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode =
                        std::fs::metadata(&path).map_or(0o644, |m| m.permissions().mode() & 0o777);
                    let _ = tmp
                        .as_file()
                        .set_permissions(std::fs::Permissions::from_mode(mode));
                }
                tmp.persist(&path).map_err(|e| {
                    anyhow::anyhow!("cannot write {}: {}", path.display(), io_reason(&e.error))
                })?;
            }
        }
        Ok(())
    }
}

/// The OS reason alone ("Permission denied"), without the temp file's name.
fn io_reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => e.kind().to_string(),
    }
}

/// Write `bytes` to `path` (whole or not at all) or to stdout.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    Output::prepare(path)?.write(bytes)
}
