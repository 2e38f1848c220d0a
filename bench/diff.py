#!/usr/bin/env python3
"""Time `ospo diff` and `ospo metrics --since` on two generated saved scans of N
components each (default 10,000): a release and the next one.

    bench/diff.py [N]             build target/release/ospo first (cargo build --release)

Environment: OSPO=path (binary, default target/release/ospo), RUNS=5 (median reported).

NEW differs from OLD the way a busy release does: 10% of the components upgraded, 2%
downgraded, 5% removed, 5% added, 3% with another license (a third of them GPL, so new
violations), and the OR expressions of another 10% written in the other order (no change).
Run in the temporary directory, so the built-in default policy applies.
Each scan has a dependency graph: the project depends on 100 components, each of those on
the next 99. Everything is generated deterministically in a temporary directory.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
RUNS = int(os.environ.get("RUNS", "5"))
OSPO = os.path.abspath(os.environ.get("OSPO", os.path.join(ROOT, "target/release/ospo")))

EXPRESSIONS = [
    "MIT", "Apache-2.0", "MIT OR Apache-2.0", "BSD-3-Clause", "ISC",
    "Apache-2.0 WITH LLVM-exception", "MIT AND BSD-3-Clause", "GPL-3.0-only OR MIT",
    "LGPL-2.1-or-later", "MPL-2.0", "LicenseRef-custom", "NOASSERTION",
    "(MIT OR Apache-2.0) AND Unicode-3.0", "Zlib OR Apache-2.0 OR MIT", "CC0-1.0",
]


def component(i, version, expr):
    name = f"pkg{i:05d}"
    purl = f"pkg:npm/{name}@{version}"
    return {"bom_ref": purl, "name": name, "version": version, "purl": purl,
            "ecosystem": "npm", "concluded": expr, "declared": expr,
            "scope": "dev" if i % 5 == 0 else "required"}


def reorder(expr):
    parts = expr.split(" OR ")
    return " OR ".join(reversed(parts)) if len(parts) > 1 and "(" not in expr else expr


def scan(comps):
    comps = sorted(comps, key=lambda c: c["bom_ref"])
    project = {"bom_ref": "pkg:npm/app@1.0.0", "name": "app", "version": "1.0.0",
               "purl": "pkg:npm/app@1.0.0", "ecosystem": "npm", "concluded": "MIT",
               "scope": None}
    refs = [c["bom_ref"] for c in comps]
    edges = [{"from": project["bom_ref"], "to": refs[:100]}]
    for k in range(100):
        kids = refs[100 + k * 99: 100 + (k + 1) * 99]
        if kids:
            edges.append({"from": refs[k], "to": kids})
    return {
        "format_version": 1,
        "tool": {"name": "ospo", "version": "0.1.0", "license_list_version": "3.29.0"},
        "root": ".", "project": project["bom_ref"],
        "summary": {"files_scanned": 2 * len(comps), "bytes_scanned": 0,
                    "files_with_licenses": 0, "files_with_copyrights": 0,
                    "binary_files": 0, "skipped_files": 0},
        "files": [], "components": [project] + comps, "dependencies": edges,
        "diagnostics": [],
    }


def releases(n):
    old, new = [], []
    for i in range(n):
        expr = EXPRESSIONS[i % len(EXPRESSIONS)]
        old.append(component(i, f"1.{i % 7}.0", expr))
        r = i % 100
        if r < 5:
            continue  # removed
        if r < 15:
            new.append(component(i, f"1.{i % 7}.1", expr))  # upgraded
        elif r < 17:
            new.append(component(i, f"0.{i % 7}.9", expr))  # downgraded
        elif r < 20:
            new.append(component(i, f"1.{i % 7}.0", "GPL-2.0-only" if r == 17 else "ISC"))
        elif r < 30:
            new.append(component(i, f"1.{i % 7}.0", reorder(expr)))
        else:
            new.append(component(i, f"1.{i % 7}.0", expr))
    for j in range(n // 20):
        new.append(component(n + j, "2.0.0", EXPRESSIONS[j % len(EXPRESSIONS)]))  # added
    return scan(old), scan(new)


def timed(args, cwd):
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = subprocess.run([OSPO] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           cwd=cwd)
        times.append(time.perf_counter() - t)
        if r.returncode not in (0, 1):
            sys.exit(f"ospo {' '.join(args)} failed ({r.returncode}): {r.stderr.decode()}")
    return statistics.median(times)


def main():
    if not os.access(OSPO, os.X_OK):
        sys.exit(f"{OSPO} not found: cargo build --release first")
    with tempfile.TemporaryDirectory() as d:
        old, new = releases(N)
        paths = {}
        for name, s in [("old", old), ("new", new)]:
            paths[name] = os.path.join(d, f"{name}.json")
            with open(paths[name], "w") as f:
                json.dump(s, f)
        summary = json.loads(subprocess.run(
            [OSPO, "diff", paths["old"], paths["new"], "--format", "json", "-q"],
            capture_output=True, check=True, cwd=d).stdout)["summary"]
        size = os.path.getsize(paths["new"])
        print(f"{N} components per side (new.json {size / 1e6:.1f} MB), {RUNS} runs, median:")
        print(f"  diff finds: {summary}")
        for fmt in ["human", "json", "markdown"]:
            t = timed(["diff", paths["old"], paths["new"], "--format", fmt, "-q"], d)
            print(f"  diff --format {fmt:<9} {t * 1000:7.0f} ms")
        t = timed(["metrics", "--from", paths["new"], "--format", "json", "-q"], d)
        print(f"  metrics                 {t * 1000:7.0f} ms")
        t = timed(["metrics", "--from", paths["new"], "--since", paths["old"],
                   "--format", "json", "-q"], d)
        print(f"  metrics --since         {t * 1000:7.0f} ms")
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"  peak RSS of any run     {rss / 1024:7.0f} MB")


if __name__ == "__main__":
    main()
