#!/usr/bin/env python3
"""Time `ospo check --from` on a generated saved scan of N components (default 10,000).

    bench/check.py [N]            build target/release/ospo first (cargo build --release)

Environment: OSPO=path (binary, default target/release/ospo), RUNS=5 (median reported).

The scan mixes the expression shapes real trees have (single ids, OR, AND, WITH,
-or-later, LicenseRef-, NOASSERTION), dev-scoped components, evidence records and license
files; the policy has allow/deny lists, [licenses.dev], a prefer list, 50 exceptions
(purls and name globs) and 50 clarifications pinned to file hashes. Everything is
generated deterministically in a temporary directory and removed afterwards.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
RUNS = int(os.environ.get("RUNS", "5"))
OSPO = os.environ.get("OSPO", os.path.join(ROOT, "target/release/ospo"))

EXPRESSIONS = [
    "MIT", "Apache-2.0", "MIT OR Apache-2.0", "BSD-3-Clause", "ISC",
    "Apache-2.0 WITH LLVM-exception", "MIT AND BSD-3-Clause", "GPL-3.0-only OR MIT",
    "LGPL-2.1-or-later", "MPL-2.0", "GPL-2.0-only", "LicenseRef-custom", "NOASSERTION",
    "(MIT OR Apache-2.0) AND Unicode-3.0", "Zlib OR Apache-2.0 OR MIT", "CC0-1.0",
]


def scan(n):
    comps, files = [], []
    for i in range(n):
        expr = EXPRESSIONS[i % len(EXPRESSIONS)]
        name = f"pkg{i:05d}"
        purl = f"pkg:npm/{name}@1.{i % 7}.0"
        path = f"node_modules/{name}"
        lic = f"{path}/LICENSE"
        c = {
            "bom_ref": purl, "name": name, "version": f"1.{i % 7}.0", "purl": purl,
            "ecosystem": "npm", "path": path, "concluded": expr,
            "scope": "dev" if i % 5 == 0 else "required",
            "evidence": [{"expression": expr, "kind": "text", "path": lic,
                          "start_line": 1, "end_line": 21, "score": 0.97}],
        }
        if expr != "NOASSERTION":
            c["declared"] = expr
        comps.append(c)
        files.append({"path": lic, "size": 1077, "sha256": f"{i:064x}", "class": "license",
                      "component": purl})
    comps.sort(key=lambda c: c["bom_ref"])
    files.sort(key=lambda f: f["path"])
    return {
        "format_version": 1,
        "tool": {"name": "ospo", "version": "0.1.0", "license_list_version": "3.29.0"},
        "root": ".",
        "summary": {"files_scanned": n, "bytes_scanned": 1077 * n, "files_with_licenses": n,
                    "files_with_copyrights": 0, "binary_files": 0, "skipped_files": 0},
        "files": files, "components": comps, "dependencies": [], "diagnostics": [],
    }


def policy():
    out = [
        "[licenses]",
        'allow = ["permissive", "public-domain", "LLVM-exception", "MPL-2.0"]',
        'deny = ["strong-copyleft", "network-copyleft", "proprietary"]',
        'unknown = "deny"', 'unlisted = "warn"', 'prefer = ["MIT", "Apache-2.0"]',
        "[licenses.dev]", 'allow = ["permissive", "strong-copyleft"]', "",
    ]
    for i in range(50):
        comp = f"pkg:npm/pkg{i * 13:05d}" if i % 2 else f"pkg{i:03d}9*"
        out += ["[[exception]]", f'component = "{comp}"', 'allow = ["GPL-2.0-only"]',
                'reason = "bench"', 'expires = "2099-01-01"', ""]
    for i in range(50):
        j = i * 16 + 12  # the NOASSERTION ones
        out += ["[[clarify]]", f'component = "pkg:npm/pkg{j:05d}"', 'expression = "MIT"',
                'reason = "bench"', f'files = [{{ path = "LICENSE", sha256 = "{j:064x}" }}]', ""]
    return "\n".join(out)


def main():
    if not os.access(OSPO, os.X_OK):
        sys.exit(f"{OSPO} not found: cargo build --release first")
    with tempfile.TemporaryDirectory() as d:
        scan_path = os.path.join(d, "scan.json")
        pol = os.path.join(d, "policy.toml")
        with open(scan_path, "w") as f:
            json.dump(scan(N), f)
        with open(pol, "w") as f:
            f.write(policy())
        size = os.path.getsize(scan_path)
        print(f"{N} components, scan.json {size / 1e6:.1f} MB, {RUNS} runs, median:")
        for fmt in ["human", "json", "sarif", "github"]:
            times = []
            for _ in range(RUNS):
                t = time.perf_counter()
                r = subprocess.run([OSPO, "check", "--from", scan_path, "--policy", pol,
                                    "--format", fmt, "-q"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                times.append(time.perf_counter() - t)
                if r.returncode not in (0, 1):
                    sys.exit(f"ospo check failed ({r.returncode}): {r.stderr.decode()}")
            print(f"  --format {fmt:<7} {statistics.median(times) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
