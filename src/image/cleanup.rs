//! The private directory an image is unpacked into, removed however the run ends: when
//! it is dropped (success or error) and when the process is stopped by SIGINT, SIGTERM or
//! SIGHUP. A signal is taken by a thread of its own (signal-hook's iterator), not in a
//! signal handler, so removing a tree there is safe; then the process exits 128 + signal
//! as a shell expects.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use anyhow::{Context, Result};

/// Directories to remove if a signal stops the run.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static WATCH: Once = Once::new();

pub struct TempRoot {
    dir: Option<tempfile::TempDir>,
}

impl TempRoot {
    /// A new empty private directory under the system's temp dir (`$TMPDIR`), 0700.
    pub fn new() -> Result<Self> {
        watch_signals();
        // Made while the list is held: a signal between the directory's creation and its
        // registration would otherwise find nothing to remove (the signal thread waits for
        // the lock instead).
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::Builder::new()
            .prefix("ospo-image-")
            .tempdir()
            .context("cannot make a temporary directory to unpack the image")?;
        live.push(dir.path().to_path_buf());
        drop(live);
        Ok(TempRoot { dir: Some(dir) })
    }

    pub fn path(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap_or(Path::new(""))
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        if let Some(d) = self.dir.take() {
            let p = d.path().to_path_buf();
            let _ = d.close();
            LIVE.lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|x| *x != p);
        }
    }
}

fn watch_signals() {
    WATCH.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
                for d in live.iter() {
                    // The unpacking goes on in other threads while this removes: a file
                    // made meanwhile fails the removal of its directory, so try again.
                    for _ in 0..20 {
                        if std::fs::remove_dir_all(d).is_ok() || !d.exists() {
                            break;
                        }
                    }
                }
                std::process::exit(128 + sig);
            }
        });
    });
}
