//! The shared cache: outcomes in PostgreSQL, keyed by content (`cache::content_key`),
//! never by path, so every machine that scans the same bytes reuses one examination.
//!
//! One table, `ospo_outcome (key bytea PRIMARY KEY, outcome bytea)`, made if missing.
//! Reads and writes are batched ([`BATCH`] keys a round trip, `key = ANY($1)` and
//! `INSERT ... SELECT unnest(...) ON CONFLICT DO NOTHING`), so many writers at once are
//! safe and the first outcome stored for a key stays. Plain TCP (no TLS: the `postgres`
//! crate's TLS needs OpenSSL or a rustls adapter; reach a remote server through a
//! tunnel or a sidecar, see docs/cache.md).
//!
//! The connection lives on a thread of its own and every request waits at most
//! [`TIMEOUT`]: a server that is down, refuses, hangs or answers junk costs a few
//! seconds and a warning, never the scan. Outcomes read are bounded in the query and
//! checked by the caller (`Outcome::decode`) against the content they were asked for.

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

/// Keys per round trip.
pub const BATCH: usize = 500;
/// The longest a connection or one request may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

type Key = [u8; 32];

enum Request {
    Lookup(Vec<Key>),
    Store(Vec<(Key, Vec<u8>)>),
}

type Reply = Result<HashMap<Key, Vec<u8>>>;

pub struct Remote {
    tx: mpsc::Sender<Request>,
    rx: mpsc::Receiver<Reply>,
}

impl Remote {
    /// Connect to `url` (a `postgres://` URL) and make the table if missing.
    pub fn connect(url: &str) -> Result<Remote> {
        let mut config: postgres::Config = url.parse().context("not a PostgreSQL URL")?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .application_name("ospo")
            // The server gives up on a statement before we do.
            .options("-c statement_timeout=8000");
        let (tx, requests) = mpsc::channel::<Request>();
        let (replies, rx) = mpsc::channel::<Reply>();
        std::thread::Builder::new()
            .name("ospo-cache-remote".into())
            .spawn(move || {
                let mut client = match config.connect(postgres::NoTls).map_err(anyhow::Error::from)
                {
                    Ok(mut c) => match create_table(&mut c) {
                        Ok(()) => c,
                        Err(e) => {
                            let _ = replies.send(Err(e));
                            return;
                        }
                    },
                    Err(e) => {
                        let _ = replies.send(Err(e));
                        return;
                    }
                };
                let _ = replies.send(Ok(HashMap::new()));
                for req in requests {
                    let reply = match req {
                        Request::Lookup(keys) => lookup(&mut client, &keys),
                        Request::Store(rows) => store(&mut client, &rows).map(|_| HashMap::new()),
                    };
                    if replies.send(reply).is_err() {
                        break;
                    }
                }
            })
            .context("starting the cache connection")?;
        let remote = Remote { tx, rx };
        remote.wait().context("connecting")?;
        Ok(remote)
    }

    fn wait(&self) -> Reply {
        match self.rx.recv_timeout(TIMEOUT) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                Err(anyhow!("no answer within {} s", TIMEOUT.as_secs()))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(anyhow!("connection lost")),
        }
    }

    /// The stored outcomes of `keys` (those the server has).
    pub fn lookup(&self, keys: &[Key]) -> Result<HashMap<Key, Vec<u8>>> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(BATCH) {
            self.tx
                .send(Request::Lookup(chunk.to_vec()))
                .map_err(|_| anyhow!("connection lost"))?;
            found.extend(self.wait()?);
        }
        Ok(found)
    }

    /// Store outcomes; keys already stored keep their first outcome.
    pub fn store(&self, rows: Vec<(Key, Vec<u8>)>) -> Result<()> {
        let mut rows = rows;
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(BATCH));
            self.tx
                .send(Request::Store(rows))
                .map_err(|_| anyhow!("connection lost"))?;
            self.wait()?;
            rows = rest;
        }
        Ok(())
    }
}

fn create_table(c: &mut postgres::Client) -> Result<()> {
    let sql =
        "CREATE TABLE IF NOT EXISTS ospo_outcome (key bytea PRIMARY KEY, outcome bytea NOT NULL)";
    if let Err(e) = c.batch_execute(sql) {
        // Two first runs at once: one CREATE loses the race on the catalog; the table is
        // there all the same.
        let exists: Option<bool> = c
            .query_one("SELECT to_regclass('ospo_outcome') IS NOT NULL", &[])
            .ok()
            .and_then(|r| r.try_get(0).ok());
        if exists != Some(true) {
            return Err(e).context("creating table ospo_outcome");
        }
    }
    Ok(())
}

fn lookup(c: &mut postgres::Client, keys: &[Key]) -> Reply {
    let wanted: Vec<&[u8]> = keys.iter().map(|k| k.as_slice()).collect();
    let rows = c.query(
        "SELECT key, outcome FROM ospo_outcome WHERE key = ANY($1) AND octet_length(outcome) <= $2",
        &[&wanted, &(crate::pipeline::outcome::MAX_ENCODED as i32)],
    )?;
    if rows.len() > keys.len() {
        bail!("the server answered more rows than asked for");
    }
    let mut out = HashMap::new();
    for row in rows {
        let key: Vec<u8> = row.try_get(0)?;
        let outcome: Vec<u8> = row.try_get(1)?;
        // Only what was asked for is taken.
        if let Ok(k) = <Key>::try_from(key.as_slice()) {
            if keys.contains(&k) {
                out.insert(k, outcome);
            }
        }
    }
    Ok(out)
}

fn store(c: &mut postgres::Client, rows: &[(Key, Vec<u8>)]) -> Result<()> {
    let keys: Vec<&[u8]> = rows.iter().map(|r| r.0.as_slice()).collect();
    let outcomes: Vec<&[u8]> = rows.iter().map(|r| r.1.as_slice()).collect();
    c.execute(
        "INSERT INTO ospo_outcome (key, outcome) SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
         ON CONFLICT (key) DO NOTHING",
        &[&keys, &outcomes],
    )?;
    Ok(())
}
