//! The local cache, opened on a thread of its own while the walk starts.
//!
//! Reading a root's index (91,746 rows on the benchmark tree) took 0.2 s, and it came
//! before the first file was walked. [`Opening::start`] does it on its own thread: the
//! walker threads stat the files they meet and look them up once the index is there
//! (`Opening::ready`), waiting for it only if their share of the walk is over first.
//! Then the same thread checks the root's stored component discovery (every read it
//! made, asked again) and decodes it, still while the walk goes on; the pipeline takes
//! it, or nothing, after the walk ([`Session::prior`]).

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;

use super::discovery::{self, Prior};
use super::index::Index;
use super::local::Local;

/// What opening the local cache gave.
pub struct Opened {
    /// None: the cache could not be had (the run goes on without one; see `notes`).
    /// In a mutex because a connection is not `Sync`.
    pub local: Mutex<Option<Local>>,
    pub index: Index,
    /// Warnings for the user: a corrupt cache replaced, a cache that could not be used.
    pub notes: Vec<String>,
}

impl Opened {
    fn failed(note: String) -> Opened {
        Opened {
            local: Mutex::new(None),
            index: Index::default(),
            notes: vec![note],
        }
    }
}

/// Shared by the opening thread (which sets it once) and the walker threads.
#[derive(Default)]
struct Slot {
    opened: OnceLock<Opened>,
    set: Mutex<bool>,
    cv: Condvar,
}

impl Slot {
    fn put(&self, o: Opened) {
        let _ = self.opened.set(o);
        *self.set.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_all();
    }

    fn wait(&self) -> &Opened {
        if let Some(o) = self.opened.get() {
            return o;
        }
        let mut set = self.set.lock().unwrap_or_else(|e| e.into_inner());
        while !*set {
            set = self.cv.wait(set).unwrap_or_else(|e| e.into_inner());
        }
        self.opened.get().expect("set before notified")
    }
}

/// The local cache being opened.
pub struct Opening {
    slot: Arc<Slot>,
    thread: Option<JoinHandle<Option<Prior>>>,
}

impl Opening {
    /// Open the cache in `dir` for `root` under `ctx` (see [`Local::open`]) on its own
    /// thread; with `discovery` (the discovery context, see `discovery::context`), then
    /// check and decode the root's stored discovery.
    pub fn start(
        dir: PathBuf,
        root: PathBuf,
        ctx: [u8; 32],
        discovery: Option<[u8; 32]>,
    ) -> Opening {
        let slot = Arc::new(Slot::default());
        let mine = slot.clone();
        let work = move || {
            let opened = std::panic::catch_unwind(|| match Local::open(&dir, &root, ctx) {
                Ok((local, index, notes)) => Opened {
                    local: Mutex::new(Some(local)),
                    index,
                    notes,
                },
                Err(e) => Opened::failed(format!(
                    "cannot use {} ({e:#}); scanning without it",
                    dir.display()
                )),
            })
            .unwrap_or_else(|_| {
                Opened::failed("internal error while opening the cache; scanning without it".into())
            });
            mine.put(opened);
            let dctx = discovery?;
            let stored = {
                let local = mine.wait().local.lock().ok()?;
                local.as_ref()?.load_discovery().ok()??
            };
            // A stored discovery that cannot be checked is simply not used.
            std::panic::catch_unwind(|| discovery::revive(stored, &dctx))
                .ok()
                .flatten()
        };
        let thread = std::thread::Builder::new()
            .name("ospo-cache-open".into())
            .spawn(work);
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                slot.put(Opened::failed(format!(
                    "cannot open the cache ({e}); scanning without it"
                )));
                None
            }
        };
        Opening { slot, thread }
    }

    /// The opened cache if it is there, without waiting.
    pub fn ready(&self) -> Option<&Opened> {
        self.slot.opened.get()
    }

    /// The opened cache, waiting for it.
    pub fn wait(&self) -> &Opened {
        self.slot.wait()
    }

    /// After the walk: the opened cache, and the thread still at its discovery check.
    pub fn into_session(self) -> Session {
        self.slot.wait();
        Session {
            slot: self.slot,
            thread: self.thread,
        }
    }
}

/// The local cache after the walk.
pub struct Session {
    slot: Arc<Slot>,
    thread: Option<JoinHandle<Option<Prior>>>,
}

impl Session {
    pub fn opened(&self) -> &Opened {
        self.slot.wait()
    }

    /// The connection (None: the cache could not be had).
    pub fn local(&self) -> MutexGuard<'_, Option<Local>> {
        self.opened()
            .local
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The root's stored discovery, checked (every read it made gives the same answer
    /// now) and decoded; None if there is none or it does not hold. Waits for the check.
    pub fn prior(&mut self) -> Option<Prior> {
        self.thread.take()?.join().ok().flatten()
    }
}
