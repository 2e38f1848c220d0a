//! The shared result cache against a real PostgreSQL: a throwaway cluster on 127.0.0.1
//! (Debian's `postgresql` binaries: initdb + pg_ctl, a temporary data directory, a free
//! port, trust authentication), stopped when the test ends, even by a panic. Without the
//! binaries the tests say SKIPPED and pass; `.ci/run` installs them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cache::{counts, scan, Tree};

struct Cluster {
    data: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

/// initdb refuses to run as root: as root, the cluster is the `postgres` user's.
fn as_server_user(program: &Path) -> Command {
    if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    found.sort();
    found.pop()
}

impl Cluster {
    fn start() -> Option<Cluster> {
        let Some(bin) = postgres_bin() else {
            println!("SKIPPED: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)");
            return None;
        };
        let data = tempfile::Builder::new()
            .prefix("ospo-pg-")
            .tempdir()
            .unwrap();
        if unsafe { libc::geteuid() } == 0 {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(data.path())
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let init = as_server_user(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "ospo", "-E", "UTF8", "--no-sync", "-D"])
            .arg(data.path().join("db"))
            .output()
            .unwrap();
        if !init.status.success() {
            println!(
                "SKIPPED: initdb failed: {}",
                String::from_utf8_lossy(&init.stderr)
            );
            return None;
        }
        let cluster = Cluster { data, bin, port };
        let start = as_server_user(&cluster.bin.join("pg_ctl"))
            .arg("-D")
            .arg(cluster.data.path().join("db"))
            .arg("-l")
            .arg(cluster.data.path().join("log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                cluster.data.path().display()
            ))
            .args(["-w", "-t", "60", "start"])
            .output()
            .unwrap();
        assert!(
            start.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&start.stderr),
            std::fs::read_to_string(cluster.data.path().join("log")).unwrap_or_default()
        );
        Some(cluster)
    }

    fn url(&self) -> String {
        format!("postgres://ospo@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data.path().join("db"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn shared(t: &Tree, local: &Path, url: &str) -> (Vec<u8>, String) {
    scan(
        t.root(),
        &["--cache-dir", local.to_str().unwrap(), "--cache-url", url],
    )
}

#[test]
fn warm_from_postgres_is_byte_identical_and_writers_can_race() {
    let Some(pg) = Cluster::start() else { return };
    let t = Tree::new();
    let expected = scan(t.root(), &["--no-cache"]).0;

    // Two first runs at once on an empty database: both make the table, both store the
    // same outcomes.
    let run = |root: PathBuf, url: String| {
        std::thread::spawn(move || {
            let local = tempfile::tempdir().unwrap();
            scan(
                &root,
                &[
                    "--cache-dir",
                    local.path().to_str().unwrap(),
                    "--cache-url",
                    &url,
                ],
            )
        })
    };
    let a = run(t.root().to_path_buf(), pg.url());
    let b = run(t.root().to_path_buf(), pg.url());
    for (out, err) in [a.join().unwrap(), b.join().unwrap()] {
        assert_eq!(out, expected, "{err}");
        assert!(!err.contains("warning: cache"), "{err}");
    }

    // A machine with an empty local cache takes every matched file from the server.
    let local = tempfile::tempdir().unwrap();
    let (out, err) = shared(&t, local.path(), &pg.url());
    assert_eq!(out, expected, "{err}");
    let (local_hits, shared_hits, _) = counts(&err);
    assert_eq!(local_hits, 0, "{err}");
    assert!(
        shared_hits >= 5,
        "the tree's license files come from the server: {err}"
    );
    // No local cache at all (--no-cache with --cache-url): the same.
    let (out, err) = scan(t.root(), &["--no-cache", "--cache-url", &pg.url()]);
    assert_eq!(out, expected, "{err}");

    // Rows a hostile writer replaced: junk, and a well-formed outcome of other content.
    let mut c = postgres::Client::connect(&pg.url(), postgres::NoTls).unwrap();
    let rows = c
        .execute("UPDATE ospo_outcome SET outcome = '\\x00ff'::bytea WHERE key IN (SELECT key FROM ospo_outcome LIMIT 2)", &[])
        .unwrap();
    assert_eq!(rows, 2);
    c.execute(
        "UPDATE ospo_outcome SET outcome = convert_to('{\"size\":3,\"content\":\"' || repeat('ab', 32) || '\"}', 'UTF8') \
         WHERE key IN (SELECT key FROM ospo_outcome WHERE octet_length(outcome) > 4 LIMIT 2)",
        &[],
    )
    .unwrap();
    let local = tempfile::tempdir().unwrap();
    let (out, err) = shared(&t, local.path(), &pg.url());
    assert_eq!(out, expected, "{err}");
    let (_, shared_hits_now, _) = counts(&err);
    assert_eq!(shared_hits_now, shared_hits - 4, "{err}");
}

#[test]
fn a_server_that_is_down_or_speaks_junk_is_a_warning_and_a_local_scan() {
    let t = Tree::new();
    let expected = scan(t.root(), &["--no-cache"]).0;
    // A closed port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let local = tempfile::tempdir().unwrap();
    let url = format!("postgres://ospo@127.0.0.1:{port}/postgres");
    let (out, err) = shared(&t, local.path(), &url);
    assert_eq!(out, expected);
    assert!(
        err.contains("warning: cache: shared cache unavailable"),
        "{err}"
    );
    // A server that answers garbage, and one that never answers.
    for reply in [&b"HTTP/1.1 400 Bad Request\r\n\r\n"[..], &b""[..]] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let reply = reply.to_vec();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let mut conn = conn;
                let _ = std::io::Write::write_all(&mut conn, &reply);
                if reply.is_empty() {
                    // Hold it open, silent.
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
            }
        });
        let url = format!("postgres://ospo@127.0.0.1:{port}/postgres");
        let started = std::time::Instant::now();
        let (out, err) = shared(&t, local.path(), &url);
        assert_eq!(out, expected);
        assert!(
            err.contains("warning: cache: shared cache unavailable"),
            "{err}"
        );
        assert!(
            started.elapsed().as_secs() < 30,
            "a silent server held the scan"
        );
    }
    // Not a PostgreSQL URL at all.
    let (out, err) = shared(&t, local.path(), "mysql://nope");
    assert_eq!(out, expected);
    assert!(err.contains("warning: cache:"), "{err}");
}
