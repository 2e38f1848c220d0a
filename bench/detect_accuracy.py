#!/usr/bin/env python3
"""Detection accuracy on real files with known licenses: ScanCode's data-driven tests.

ScanCode keeps, in tests/licensedcode/data/datadriven/{lic1,lic2,lic3,lic4,external}, a few
thousand real files (sources, texts, HTML, READMEs from real projects, and the test sets
of FOSSology, SLIC, licensecheck...) each with a .yml naming the license expressions in it.
This script copies the files (not the .yml) into a temporary tree, runs `ospo scan
--files-only` on it, and compares per file the set of license ids found with the set
expected (ScanCode keys mapped to SPDX ids with the license data of the ScanCode wheel,
`LicenseRef-scancode-<key>` where there is none).

  bench/detect_accuracy.py --tests DATADRIVEN_DIR [--sets lic1,lic2] [--wheel WHEEL]
                           [--ospo BIN] [--misses N] [--json OUT]

Get the data with
  git clone --depth 1 --filter=blob:none --sparse https://github.com/aboutcode-org/scancode-toolkit
  git -C scancode-toolkit sparse-checkout set tests/licensedcode/data/datadriven
and the wheel with license-db/fetch-scancode.sh.

Reported: recall (expected ids found / expected ids), precision (found ids expected /
found ids), and exact files (id sets equal). Keys ScanCode marks as unknown
("unknown-license-reference", "see-license", ...) name no license; ospo does not report
them as licenses, so they are left out of the expected sets (and counted apart).
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, zipfile
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def front_matter(text):
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    meta = {}
    for line in text[4:end].splitlines():
        m = re.match(r"^([a-z_]+):\s*(.*)$", line)
        if m:
            meta[m.group(1)] = m.group(2).strip()
    return meta


def license_table(wheel):
    table = {}
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if "licensedcode/data/licenses/" in name and name.endswith(".LICENSE"):
                meta = front_matter(z.read(name).decode("utf-8", "replace"))
                key = meta.get("key") or os.path.basename(name)[:-8]
                spdx = meta.get("spdx_license_key") or f"LicenseRef-scancode-{key}"
                table[key] = (spdx, meta.get("is_unknown") == "yes")
    return table


def ids_of(expr):
    return {w for w in re.split(r"[\s()]+", expr) if w and w.upper() not in ("AND", "OR", "WITH")}


def expected_of(yml):
    exprs, on = [], False
    for line in open(yml, encoding="utf-8", errors="replace"):
        if line.startswith("license_expressions:"):
            on = True
            rest = line.split(":", 1)[1].strip()
            if rest.startswith("["):
                exprs += [x.strip() for x in rest.strip("[]").split(",") if x.strip()]
            continue
        if on:
            m = re.match(r"^\s+-\s+(.*)$", line)
            if m:
                exprs.append(m.group(1).strip().strip("'\""))
            elif re.match(r"^\S", line):
                on = False
    return exprs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", required=True, help="ScanCode's tests/licensedcode/data/datadriven")
    ap.add_argument("--sets", default="lic1,lic2,lic3,lic4")
    ap.add_argument("--wheel", default=os.path.join(ROOT, "target/license-data/scancode_toolkit_mini-32.5.0-cp311-none-any.whl"))
    ap.add_argument("--ospo", default=os.path.join(ROOT, "target/release/ospo"))
    ap.add_argument("--misses", type=int, default=0, help="print this many misses")
    ap.add_argument("--json", help="write per-file results here")
    a = ap.parse_args()
    table = license_table(a.wheel)
    cases = []
    for s in a.sets.split(","):
        base = os.path.join(a.tests, s)
        for dirpath, _, names in os.walk(base):
            for n in names:
                if n.endswith(".yml") and os.path.exists(os.path.join(dirpath, n[:-4])):
                    cases.append(os.path.join(dirpath, n[:-4]))
    cases.sort()
    tmp = tempfile.mkdtemp(prefix="ospo-acc-")
    try:
        rel_of = {}
        for c in cases:
            rel = os.path.relpath(c, a.tests)
            dst = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(c, dst)
            rel_of[rel] = c
        out = os.path.join(tmp, "..", os.path.basename(tmp) + ".json")
        subprocess.run([a.ospo, "scan", tmp, "--files-only", "--no-ignore", "--format", "json", "-o", out, "-q"], check=True)
        scan = json.load(open(out))
        os.unlink(out)
    finally:
        shutil.rmtree(tmp)
    found = {f["path"]: {i for m in f.get("licenses", []) for i in ids_of(m["expression"])} for f in scan["files"]}
    tot = Counter()
    rows = []
    for rel, c in sorted(rel_of.items()):
        exp, unknown = set(), 0
        for e in expected_of(c + ".yml"):
            for k in ids_of(e):
                spdx, is_unknown = table.get(k, (f"LicenseRef-scancode-{k}", False))
                if is_unknown:
                    unknown += 1
                else:
                    exp.add(spdx)
        got = found.get(rel, set())
        hit = exp & got
        tot["files"] += 1
        tot["expected"] += len(exp)
        tot["found"] += len(got)
        tot["hit"] += len(hit)
        tot["unknown_expected"] += unknown
        tot["exact"] += exp == got
        tot["files_expected_nothing"] += not exp
        rows.append({"file": rel, "expected": sorted(exp), "found": sorted(got)})
    rec = tot["hit"] / max(1, tot["expected"])
    prec = tot["hit"] / max(1, tot["found"])
    print(f"sets {a.sets}: {tot['files']} files, {tot['expected']} expected ids "
          f"(+{tot['unknown_expected']} unknown-license keys not counted)")
    print(f"  recall    {rec:.1%}  ({tot['hit']} of {tot['expected']})")
    print(f"  precision {prec:.1%}  ({tot['hit']} of {tot['found']} found)")
    print(f"  exact     {tot['exact'] / max(1, tot['files']):.1%}  ({tot['exact']} files)")
    if a.misses:
        misses = [r for r in rows if set(r["expected"]) != set(r["found"])]
        for r in misses[: a.misses]:
            print(f"  {r['file']}: expected {r['expected']} found {r['found']}")
    if a.json:
        json.dump({"totals": tot, "files": rows}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
