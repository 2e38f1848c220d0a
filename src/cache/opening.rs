//! The local cache, opened on a thread of its own while the walk starts.
//!
//! Reading a root's index (91,746 rows on the benchmark tree) took 0.2 s, and it came
//! before the first file was walked. [`Opening::start`] does it on its own thread: the
//! walker threads stat the files they meet and look them up once the index is there
//! (`Opening::ready`), waiting for it only if their share of the walk is over first.
//! Then the same thread checks the root's stored component discovery (every read it
//! made, asked again) and decodes it, still while the walk goes on; the pipeline takes
//! it, or nothing, after the walk ([`Session::prior`]).
//!
//! After the walk, what the run learnt is written on a thread of its own too
//! ([`Session::save`]): a first scan's 91,746 rows took 0.7-1.0 s to write, after the walk
//! and before discovery, resolution and output, which need none of it. The discovery joins
//! the same thread's queue ([`Session::save_discovery`]), and the command waits for the
//! writes only when its output is written ([`finish`]), so a scan that fills the cache
//! takes about as long as one without.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;

use super::discovery::{self, Prior, Stored as StoredDiscovery};
use super::index::Index;
use super::local::{Local, NewEntry};

/// What opening the local cache gave.
pub struct Opened {
    /// None: the cache could not be had (the run goes on without one; see `notes`).
    /// In a mutex because a connection is not `Sync`.
    pub local: Mutex<Option<Local>>,
    /// Whether `local` holds a connection (known without its lock, which a write holds).
    pub usable: bool,
    pub index: Index,
    /// Warnings for the user: a corrupt cache replaced, a cache that could not be used.
    pub notes: Vec<String>,
}

impl Opened {
    fn failed(note: String) -> Opened {
        Opened {
            local: Mutex::new(None),
            usable: false,
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
                    usable: true,
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
            // The stored discovery is read before the index is shared: once it is, the
            // connection belongs to the walk's writes (`Session::save`).
            let stored = discovery.and_then(|_| {
                let local = opened.local.lock().ok()?;
                local.as_ref()?.load_discovery().ok()?
            });
            mine.put(opened);
            let dctx = discovery?;
            let stored = stored?;
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
            saver: None,
        }
    }
}

/// The local cache after the walk.
pub struct Session {
    slot: Arc<Slot>,
    thread: Option<JoinHandle<Option<Prior>>>,
    /// The thread writing this run's results, and its queue of discoveries to keep.
    saver: Option<(Sender<StoredDiscovery>, JoinHandle<()>)>,
}

impl Drop for Session {
    fn drop(&mut self) {
        // The queue closes (the saver ends after its last write); the command waits for
        // it in `finish`.
        if let Some((queue, thread)) = self.saver.take() {
            drop(queue);
            PENDING
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(thread);
        }
    }
}

/// Writes still under way on their threads, waited for by [`finish`].
static PENDING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Wait for every write the runs of this process put on a thread of their own (called
/// when a command is done, before the process exits; an exit before it only loses those
/// writes: each is one transaction).
pub fn finish() {
    let pending = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
    for t in pending {
        let _ = t.join();
    }
}

impl Session {
    pub fn opened(&self) -> &Opened {
        self.slot.wait()
    }

    /// Whether the cache could be had (without waiting for a write under way).
    pub fn usable(&self) -> bool {
        self.opened().usable
    }

    /// The connection (None: the cache could not be had). Waits for a write under way.
    pub fn local(&self) -> MutexGuard<'_, Option<Local>> {
        self.opened()
            .local
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Write the walk's new and changed files (and drop those gone) on a thread of its
    /// own; a failure is a warning under `opts`, and the next run examines those files
    /// again.
    pub fn save(&mut self, new: Vec<NewEntry>, opts: &super::Options) {
        let slot = self.slot.clone();
        let said = opts.clone();
        let (queue, discoveries) = channel::<StoredDiscovery>();
        let work = move || {
            let opened = slot.wait();
            let mut local = opened.local.lock().unwrap_or_else(|e| e.into_inner());
            let Some(local) = local.as_mut() else { return };
            if let Err(e) = local.save(&opened.index, new) {
                super::warn(&said, &format!("results not saved ({e:#})"));
            }
            for d in discoveries {
                if let Err(e) = local.save_discovery(&d) {
                    super::warn(&said, &format!("discovery not saved ({e:#})"));
                }
            }
        };
        let spawned = std::thread::Builder::new()
            .name("ospo-cache-save".into())
            .spawn(work);
        match spawned {
            Ok(thread) => self.saver = Some((queue, thread)),
            // No thread to be had (the work went with the error): the next run
            // examines these files again.
            Err(e) => super::warn(opts, &format!("results not saved ({e})")),
        }
    }

    /// Keep a discovery: queued behind the walk's writes when they are under way, else
    /// written at once.
    pub fn save_discovery(&mut self, d: StoredDiscovery) -> anyhow::Result<()> {
        if let Some((queue, _)) = &self.saver {
            // A saver gone (it panicked) loses the discovery: the next run finds none.
            let _ = queue.send(d);
            return Ok(());
        }
        match self.local().as_mut() {
            Some(local) => local.save_discovery(&d),
            None => Ok(()),
        }
    }

    /// The root's stored discovery, checked (every read it made gives the same answer
    /// now) and decoded; None if there is none or it does not hold. Waits for the check.
    pub fn prior(&mut self) -> Option<Prior> {
        self.thread.take()?.join().ok().flatten()
    }
}
