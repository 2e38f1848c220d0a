#!/usr/bin/env python3
"""License-detection accuracy of ospo on a `cargo vendor` tree.

    bench/accuracy.py [VENDOR_DIR] [--ospo BIN] [--from SCAN.json] [--prefix P]
                      [--detect] [--json OUT] [--quiet]

VENDOR_DIR defaults to bench/corpus/cargo-vendor (built by bench/setup.sh).

Ground truth is each crate's declared `package.license` in its Cargo.toml. Crates with
only `license-file`, or no license at all, are skipped and counted separately.

Detected is the union of the license ids ospo found in the crate's own top-level license
files: the FileRecords directly in the crate directory whose `class` is "license", all
their `licenses[].expression`. A crate passes when both id sets are equal.

Ids come from an expression by splitting on whitespace and parentheses and dropping the
AND / OR / WITH operators; exception ids (LLVM-exception) stay as ids. The declared side
is normalized first: "/" means OR (old Cargo style "MIT/Apache-2.0"), deprecated ids map
to current ones (GPL-2.0 -> GPL-2.0-only, GPL-2.0+ -> GPL-2.0-or-later, ...), and ids
are compared case-insensitively as SPDX says.

The findings come from one `ospo scan VENDOR_DIR --format json` run (default), or from an
existing scan output given with --from (its paths may be relative to a parent of
VENDOR_DIR: the prefix is worked out from the scan's `root`, or given with --prefix).
With --detect, `ospo detect --format json` is run on the license-like files instead
(for when `scan` is not ready); every file it reports counts as a license file.

Python 3.11+, standard library only. Always exits 0 (it measures, it does not gate),
except for usage errors.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

OPERATORS = {"AND", "OR", "WITH"}

# Deprecated SPDX ids -> current ids (keys lower-case). Only what crates actually use
# or plausibly could; extend as misses show up.
DEPRECATED = {
    "gpl-1.0": "GPL-1.0-only", "gpl-1.0+": "GPL-1.0-or-later",
    "gpl-2.0": "GPL-2.0-only", "gpl-2.0+": "GPL-2.0-or-later",
    "gpl-3.0": "GPL-3.0-only", "gpl-3.0+": "GPL-3.0-or-later",
    "lgpl-2.0": "LGPL-2.0-only", "lgpl-2.0+": "LGPL-2.0-or-later",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later",
    "lgpl-3.0": "LGPL-3.0-only", "lgpl-3.0+": "LGPL-3.0-or-later",
    "agpl-1.0": "AGPL-1.0-only", "agpl-3.0": "AGPL-3.0-only",
    "gfdl-1.1": "GFDL-1.1-only", "gfdl-1.2": "GFDL-1.2-only", "gfdl-1.3": "GFDL-1.3-only",
    "gpl-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "gpl-2.0-with-gcc-exception": "GPL-2.0-only WITH GCC-exception-2.0",
    "bsd-2-clause-freebsd": "BSD-2-Clause", "bsd-2-clause-netbsd": "BSD-2-Clause",
    "standardml-nj": "SMLNJ", "wxwindows": "GPL-2.0-or-later WITH WxWindows-exception-3.1",
    "nunit": "Zlib-acknowledgement", "ecos-2.0": "GPL-2.0-or-later WITH eCos-exception-2.0",
    # Not deprecated SPDX ids, but Cargo-era spellings seen in the wild.
    "apache2": "Apache-2.0", "apache-2": "Apache-2.0", "mit/x11": "MIT",
    "bsd-3": "BSD-3-Clause", "mpl2": "MPL-2.0",
}

LICENSE_NAME = re.compile(
    r"^(licen[cs]e|copying|notice|unlicen[cs]e|copyright|copyrights|patents)"
    r"([-_. ].*)?$|.*[-_.]licen[cs]e([-_.].*)?$",
    re.IGNORECASE,
)


def ids_of(expression: str, declared: bool = False) -> set[str]:
    """The license and exception ids of an SPDX-ish expression, canonical spelling."""
    expr = expression
    if declared:
        expr = expr.replace("/", " OR ")
    out: set[str] = set()
    for tok in re.split(r"[\s()]+", expr):
        if not tok or tok.upper() in OPERATORS:
            continue
        mapped = DEPRECATED.get(tok.lower())
        if mapped is None and tok.endswith("+") and tok[:-1].lower() in DEPRECATED:
            mapped = DEPRECATED[tok[:-1].lower()].replace("-only", "-or-later")
        if mapped is not None:
            out |= ids_of(mapped)
        else:
            out.add(tok)
    return out


def fold(ids: set[str]) -> set[str]:
    return {i.lower() for i in ids}


def fmt_ids(ids: set[str]) -> str:
    return "{" + ", ".join(sorted(ids, key=str.lower)) + "}"


# ----------------------------------------------------------------------------- crates
def read_crates(vendor: Path) -> list[dict]:
    crates = []
    for d in sorted(p for p in vendor.iterdir() if p.is_dir()):
        manifest = d / "Cargo.toml"
        if not manifest.is_file():
            continue
        entry = {"dir": d.name, "name": d.name, "version": None, "declared": None,
                 "license_file": None, "error": None}
        try:
            pkg = tomllib.loads(manifest.read_text(encoding="utf-8")).get("package", {})
            entry["name"] = pkg.get("name", d.name)
            v = pkg.get("version")
            entry["version"] = v if isinstance(v, str) else None
            lic = pkg.get("license")
            entry["declared"] = lic if isinstance(lic, str) and lic.strip() else None
            lf = pkg.get("license-file")
            entry["license_file"] = lf if isinstance(lf, str) else None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            entry["error"] = f"{type(e).__name__}: {e}"
        crates.append(entry)
    return crates


def license_like_files(crate_dir: Path) -> list[str]:
    try:
        return sorted(p.name for p in crate_dir.iterdir()
                      if p.is_file() and LICENSE_NAME.match(p.name))
    except OSError:
        return []


# ----------------------------------------------------------------------------- ospo
def run_scan(ospo: str, vendor: Path) -> dict:
    cmd = [ospo, "scan", str(vendor), "--format", "json"]
    print("running:", " ".join(cmd), file=sys.stderr)
    p = subprocess.run(cmd, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"ospo scan exited {p.returncode}: "
                           + p.stderr.decode(errors="replace").strip()[-2000:])
    return json.loads(p.stdout)


def run_detect(ospo: str, vendor: Path, crates: list[dict]) -> dict:
    """Fallback: `ospo detect` on every license-like top-level file, in batches.

    Returns a Scan-shaped dict whose file paths are relative to VENDOR_DIR. The output of
    detect is read loosely: a Scan ({"files": [...]}), or a list of FileRecords."""
    paths = [vendor / c["dir"] / f for c in crates for f in license_like_files(vendor / c["dir"])]
    files = []
    for i in range(0, len(paths), 400):
        batch = [str(p) for p in paths[i:i + 400]]
        p = subprocess.run([ospo, "detect", *batch, "--format", "json"], capture_output=True)
        if p.returncode != 0:
            raise RuntimeError(f"ospo detect exited {p.returncode}: "
                               + p.stderr.decode(errors="replace").strip()[-2000:])
        data = json.loads(p.stdout)
        recs = data.get("files", []) if isinstance(data, dict) else data
        for r in recs:
            path = Path(r.get("path", ""))
            if path.is_absolute() or not path.parts or not (vendor / path).exists():
                # relative to the cwd or absolute: make it relative to VENDOR_DIR
                try:
                    path = (Path.cwd() / path).resolve().relative_to(vendor.resolve())
                except ValueError:
                    pass
            r = dict(r, path=path.as_posix())
            r.setdefault("class", "license")
            if r.get("class") is None:
                r["class"] = "license"
            files.append(r)
    return {"files": files, "summary": {}}


def scan_prefix(scan: dict, vendor: Path) -> str:
    """The path of VENDOR_DIR relative to the scan's root ('' when they are the same)."""
    root = scan.get("root")
    if root:
        try:
            rel = vendor.resolve().relative_to(Path(root).resolve())
            return "" if str(rel) == "." else rel.as_posix() + "/"
        except ValueError:
            pass
    # root given relative to another cwd: guess from the paths themselves
    name = vendor.resolve().name + "/"
    paths = [f.get("path", "") for f in scan.get("files", [])]
    if paths and all(p.startswith(name) or "/" not in p for p in paths[:1000]) \
            and any(p.startswith(name) for p in paths):
        return name
    for p in paths:
        i = p.find("/" + name)
        if i >= 0:
            return p[:i + 1] + name
    return ""


# ----------------------------------------------------------------------------- compare
def evaluate(vendor: Path, crates: list[dict], scan: dict, prefix: str) -> dict:
    top: dict[str, list[dict]] = {}   # crate dir -> its top-level license FileRecords
    recorded: dict[str, set[str]] = {}  # crate dir -> names of all top-level records
    for rec in scan.get("files", []):
        path = rec.get("path", "")
        if prefix:
            if not path.startswith(prefix):
                continue
            path = path[len(prefix):]
        parts = path.split("/")
        if len(parts) != 2:
            continue
        recorded.setdefault(parts[0], set()).add(parts[1])
        if rec.get("class") == "license":
            top.setdefault(parts[0], []).append(rec)

    results = []
    for c in crates:
        r = {"crate": f"{c['name']}-{c['version']}" if c["version"] else c["dir"],
             "dir": c["dir"], "declared_raw": c["declared"]}
        if c["declared"] is None:
            r["status"] = "license-file-only" if c["license_file"] else "no-license"
            if c["error"]:
                r["status"], r["error"] = "manifest-error", c["error"]
            results.append(r)
            continue
        declared = ids_of(c["declared"], declared=True)
        per_file = []
        detected: set[str] = set()
        for rec in sorted(top.get(c["dir"], []), key=lambda x: x.get("path", "")):
            finds = []
            for m in rec.get("licenses", []) or []:
                detected |= ids_of(m.get("expression", ""))
                finds.append({k: m.get(k) for k in
                              ("expression", "kind", "score", "start_line", "end_line", "rule")})
            per_file.append({
                "path": rec.get("path", "").split("/")[-1],
                "licenses": finds,
                "unrecognized": [{k: u.get(k) for k in ("start_line", "end_line", "closest", "score")}
                                 for u in rec.get("unrecognized", []) or []],
            })
        ok = fold(declared) == fold(detected)
        r.update({
            "status": "pass" if ok else "miss",
            "declared": sorted(declared, key=str.lower),
            "detected": sorted(detected, key=str.lower),
            "files": per_file,
        })
        if not ok:
            on_disk = license_like_files(vendor / c["dir"])
            licensed = {f["path"] for f in per_file}
            r["license_like_not_license_class"] = [
                f for f in on_disk if f not in licensed]
            r["not_in_scan"] = [f for f in on_disk if f not in recorded.get(c["dir"], set())]
            dl, dt = fold(declared), fold(detected)
            r["cause"] = ("crate-ships-no-license-file" if not per_file and not on_disk
                          else "license-file-not-classified" if not per_file
                          else "nothing-detected" if not detected
                          else "missing-ids" if dt < dl
                          else "extra-ids" if dt > dl
                          else "different-ids")
        results.append(r)
    return {"results": results}


def fmt_match(m: dict) -> str:
    s = f"{m['expression']} ({m['kind']}"
    if isinstance(m.get("score"), (int, float)):
        s += f" {m['score']:.2f}"
    if m.get("start_line") is not None:
        s += f" L{m['start_line']}-{m['end_line']}"
    if m.get("rule"):
        s += f" {m['rule']}"
    return s + ")"


def report(out: dict, quiet: bool) -> None:
    res = out["results"]
    with_decl = [r for r in res if r["status"] in ("pass", "miss")]
    passing = [r for r in with_decl if r["status"] == "pass"]
    misses = [r for r in with_decl if r["status"] == "miss"]
    skipped = {}
    for r in res:
        if r["status"] not in ("pass", "miss"):
            skipped[r["status"]] = skipped.get(r["status"], 0) + 1
    causes = {}
    for r in misses:
        causes[r["cause"]] = causes.get(r["cause"], 0) + 1

    if not quiet and misses:
        print(f"misses ({len(misses)}):")
        for r in misses:
            names = [f["path"] for f in r["files"]]
            print(f"{r['crate']}: declared {fmt_ids(set(r['declared']))} "
                  f"detected {fmt_ids(set(r['detected']))} files: {names}  [{r['cause']}]")
            for f in r["files"]:
                finds = ", ".join(fmt_match(m) for m in f["licenses"]) or "no license found"
                print(f"    {f['path']}: {finds}")
                for u in f["unrecognized"]:
                    closest = u.get("closest") or "?"
                    score = u.get("score")
                    score = f" {score:.2f}" if isinstance(score, (int, float)) else ""
                    print(f"      unrecognized L{u.get('start_line')}-{u.get('end_line')}: "
                          f"closest {closest}{score}")
            if r.get("not_in_scan"):
                print(f"    license-like files with no record in the scan: {r['not_in_scan']}")
            other = [f for f in r.get("license_like_not_license_class", [])
                     if f not in r.get("not_in_scan", [])]
            if other:
                print(f"    license-like files recorded but not class=license: {other}")
        print()

    pct = 100.0 * len(passing) / len(with_decl) if with_decl else 0.0
    print(f"crates total:          {len(res)}")
    print(f"with declared license: {len(with_decl)}"
          + (f"  (skipped: {', '.join(f'{k} {v}' for k, v in sorted(skipped.items()))})"
             if skipped else ""))
    print(f"passing:               {len(passing)}")
    print(f"accuracy:              {pct:.1f}%")
    # Crates that ship no license file at all cannot pass on license-file evidence.
    shipless = causes.get("crate-ships-no-license-file", 0)
    if shipless:
        base = len(with_decl) - shipless
        pct2 = 100.0 * len(passing) / base if base else 0.0
        print(f"accuracy excluding the {shipless} crates that ship no license file: {pct2:.1f}%")
    if causes:
        print("misses by cause:       "
              + ", ".join(f"{k} {v}" for k, v in sorted(causes.items(), key=lambda kv: -kv[1])))
    out["totals"] = {"crates": len(res), "with_declared": len(with_decl),
                     "passing": len(passing), "percent": round(pct, 2),
                     "skipped": skipped, "miss_causes": causes}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vendor", nargs="?", default=str(BENCH / "corpus" / "cargo-vendor"),
                    help="cargo vendor directory (default: bench/corpus/cargo-vendor)")
    ap.add_argument("--ospo", default=str(ROOT / "target" / "release" / "ospo"),
                    help="ospo binary (default: target/release/ospo)")
    ap.add_argument("--from", dest="from_json", metavar="SCAN.json",
                    help="read an existing `ospo scan --format json` output instead of scanning")
    ap.add_argument("--prefix", help="path of VENDOR_DIR inside the scan's paths "
                    "(default: worked out from the scan's root)")
    ap.add_argument("--detect", action="store_true",
                    help="use `ospo detect` on license-like files instead of `ospo scan`")
    ap.add_argument("--json", metavar="OUT", help="also write all results as JSON ('-' = stdout)")
    ap.add_argument("-q", "--quiet", action="store_true", help="totals only, no miss list")
    args = ap.parse_args()

    vendor = Path(args.vendor)
    if not vendor.is_dir():
        print(f"not a directory: {vendor} (run bench/setup.sh first)", file=sys.stderr)
        return 2
    crates = read_crates(vendor)

    try:
        if args.from_json:
            with open(args.from_json, encoding="utf-8") as fh:
                scan = json.load(fh)
        elif args.detect:
            scan = run_detect(args.ospo, vendor, crates)
        else:
            try:
                scan = run_scan(args.ospo, vendor)
            except (RuntimeError, json.JSONDecodeError) as e:
                print(f"warning: {e}\nfalling back to `ospo detect`", file=sys.stderr)
                scan = run_detect(args.ospo, vendor, crates)
    except (OSError, RuntimeError, json.JSONDecodeError) as e:
        print(f"error: could not get ospo's findings: {e}", file=sys.stderr)
        print(f"crates total: {len(crates)}; nothing compared")
        return 0

    prefix = args.prefix if args.prefix is not None else scan_prefix(scan, vendor)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    out = evaluate(vendor, crates, scan, prefix)
    out["vendor_dir"] = str(vendor)
    out["tool"] = scan.get("tool")
    report(out, args.quiet)
    if args.json:
        text = json.dumps(out, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
