#!/usr/bin/env python3
"""Time `ospo audit --from scan.json --db DIR` on generated data: a saved scan of N
components (default 10,000) against M synthetic OSV records (default 200,000), one JSON
file per record in per-ecosystem folders, as an unpacked OSV export looks.

    bench/audit.py [N] [M]        build target/release/ospo first (cargo build --release)

Environment: OSPO=path (binary, default target/release/ospo), RUNS=3 (median reported),
KEEP=dir (write the data there and keep it, instead of a temporary directory).

The components spread over crates.io, npm, PyPI, Go and Maven; the records spread over
M / 4 package names (so every component's package has several records, and most records
name packages no component uses, as in the real database), with SEMVER / ECOSYSTEM ranges
(introduced / fixed / last_affected), `versions` lists for PyPI, aliases, CVSS vectors,
CWE ids, references and a paragraph of details: about the size of real records. The peak
RSS comes from /usr/bin/time -v when it exists.
"""
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
M = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
RUNS = int(os.environ.get("RUNS", "3"))
OSPO = os.environ.get("OSPO", os.path.join(ROOT, "target/release/ospo"))

ECOS = [
    # (OSV ecosystem, purl type, model ecosystem, name of package i, version i)
    ("crates.io", "cargo", "cargo", lambda i: f"crate-{i}", lambda i: f"0.{i % 9}.{i % 13}"),
    ("npm", "npm", "npm", lambda i: f"pkg-{i}", lambda i: f"{1 + i % 4}.{i % 10}.{i % 7}"),
    ("PyPI", "pypi", "pypi", lambda i: f"py-pkg-{i}", lambda i: f"{1 + i % 3}.{i % 10}.post{i % 2}"),
    ("Go", "golang", "golang", lambda i: f"example.com/mod{i}/lib",
     lambda i: f"v0.0.0-2021{1 + i % 9:02d}01000000-{i:012x}" if i % 3 == 0 else f"v1.{i % 20}.{i % 5}"),
    ("Maven", "maven", "maven", lambda i: f"org.example{i % 50}:art-{i}", lambda i: f"2.{i % 15}.{i % 4}"),
]

VECTORS = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
]

DETAILS = (
    "A crafted input makes the parser allocate without bound, so an attacker who controls "
    "the input can exhaust the memory of the process. Versions before the fix are affected; "
    "upgrade, or limit the size of untrusted input before it reaches the parser. "
) * 3


def scan(n):
    comps = []
    for i in range(n):
        osv_eco, ty, eco, name_of, ver_of = ECOS[i % len(ECOS)]
        pkg = i  # component i uses package i of its ecosystem
        name, ver = name_of(pkg), ver_of(pkg)
        if ty == "maven":
            g, a = name.split(":")
            purl = f"pkg:maven/{g}/{a}@{ver}"
        elif ty == "golang":
            purl = f"pkg:golang/{name}@{ver}"
        else:
            purl = f"pkg:{ty}/{name}@{ver}"
        comps.append({
            "bom_ref": purl, "name": name, "version": ver, "purl": purl,
            "ecosystem": eco, "concluded": "MIT", "scope": "required",
        })
    comps.sort(key=lambda c: c["bom_ref"])
    return {
        "format_version": 1,
        "tool": {"name": "ospo", "version": "0.1.0", "license_list_version": "3.29.0"},
        "root": "bench", "summary": {k: 0 for k in [
            "files_scanned", "bytes_scanned", "files_with_licenses",
            "files_with_copyrights", "binary_files", "skipped_files"]},
        "files": [], "components": comps, "dependencies": [], "diagnostics": [],
    }


def record(j, rnd, packages):
    e = j % len(ECOS)
    osv_eco, _, _, name_of, ver_of = ECOS[e]
    pkg = rnd.randrange(packages)
    name = name_of(pkg)
    base = ver_of(pkg)
    if osv_eco == "Go":
        fixed = "1.30.0" if rnd.random() < 0.5 else "0.0.0-20220101000000-000000000000"
        rng = {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}
    elif osv_eco == "crates.io":
        rng = {"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}, {"fixed": f"0.{rnd.randrange(10)}.0"}]}
    elif osv_eco == "PyPI":
        rng = {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"{1 + rnd.randrange(3)}.5"}]}
    elif rnd.random() < 0.2:
        rng = {"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0" if osv_eco == "npm" else "2.0"},
                                                {"last_affected": base}]}
    else:
        rng = {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"{2 + rnd.randrange(3)}.{rnd.randrange(10)}.0"}]}
    affected = {"package": {"ecosystem": osv_eco, "name": name}, "ranges": [rng]}
    if osv_eco == "PyPI":
        affected["versions"] = [f"1.{k}" for k in range(10)]
    rid = f"GHSA-{j:04x}-bench-{e}"
    return rid, {
        "schema_version": "1.6.0",
        "id": rid,
        "modified": "2026-01-01T00:00:00Z",
        "published": "2025-06-01T00:00:00Z",
        "aliases": [f"CVE-2025-{j:06d}"],
        "summary": f"Unbounded allocation in {name}",
        "details": DETAILS,
        "severity": [{"type": "CVSS_V3", "score": VECTORS[j % len(VECTORS)]}],
        "affected": [affected],
        "references": [
            {"type": "ADVISORY", "url": f"https://nvd.nist.gov/vuln/detail/CVE-2025-{j:06d}"},
            {"type": "WEB", "url": f"https://example.com/{name}/issues/{j}"},
            {"type": "PACKAGE", "url": f"https://example.com/{name}"},
        ],
        "database_specific": {"cwe_ids": ["CWE-400", "CWE-770"], "severity": "HIGH",
                              "github_reviewed": True},
    }


def write_db(dir, m, n):
    rnd = random.Random(7)
    # Per ecosystem, records name M/4/5 packages: the N/5 the scan uses and many more.
    packages = max(m // 4 // len(ECOS), n // len(ECOS))
    for osv_eco, *_ in ECOS:
        os.makedirs(os.path.join(dir, osv_eco), exist_ok=True)
    size = 0
    for j in range(m):
        rid, rec = record(j, rnd, packages)
        text = json.dumps(rec, indent=2)
        size += len(text)
        with open(os.path.join(dir, rec["affected"][0]["package"]["ecosystem"], rid + ".json"), "w") as f:
            f.write(text)
    return size


def main():
    if not os.path.exists(OSPO):
        sys.exit(f"{OSPO} not found: cargo build --release first (or set OSPO=)")
    keep = os.environ.get("KEEP")
    tmp = keep or tempfile.mkdtemp(prefix="ospo-audit-bench-")
    try:
        scan_path = os.path.join(tmp, "scan.json")
        db = os.path.join(tmp, "osv")
        if not os.path.exists(db):
            with open(scan_path, "w") as f:
                json.dump(scan(N), f)
            t = time.time()
            size = write_db(db, M, N)
            print(f"generated {N} components and {M} records ({size / 1e6:.0f} MB of JSON) in {time.time() - t:.0f} s")
        cmd = [OSPO, "audit", "--from", scan_path, "--db", db, "--format", "json", "-q",
               "-o", os.path.join(tmp, "out.json")]
        # One cold-ish run to fill the page cache, then the measured ones.
        subprocess.run(cmd, check=False)
        times, rss = [], []
        timev = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
        for _ in range(RUNS):
            full = ([timev, "-v"] + cmd) if timev else cmd
            t = time.time()
            p = subprocess.run(full, capture_output=True, text=True)
            times.append(time.time() - t)
            if p.returncode not in (0, 1):
                sys.exit(f"ospo audit failed ({p.returncode}): {p.stderr}")
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
            if m:
                rss.append(int(m.group(1)) / 1024)
        with open(os.path.join(tmp, "out.json")) as f:
            out = json.load(f)
        s = out["summary"]
        print(f"records loaded: {out['database']['records']}; components audited: {s['audited']}; "
              f"findings: {s['findings']} in {s['vulnerable']} components")
        print(f"wall: median {statistics.median(times):.2f} s over {RUNS} runs "
              f"(min {min(times):.2f}, max {max(times):.2f})")
        if rss:
            print(f"peak RSS: {max(rss):.0f} MB")
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
