#!/usr/bin/env python3
"""Copyright statements: ospo against ScanCode on the same real files.

Copies the files of ScanCode's data-driven license tests (lic1-lic4 by default; see
bench/README.md for how to get them) into a temporary tree, runs `scancode -c` (copyrights
only; ScanCode installed in a venv, e.g. `pip install scancode-toolkit-mini==32.5.0
'pluggy<1.6'`) and `ospo scan --files-only` on it, and counts ScanCode's statements that
ospo also reports: the same text, or one containing the other and at least 60% as long,
after markup, "(c)", "Copyright" and "All rights reserved" are dropped and case and
punctuation ignored.

  bench/copyright_vs_scancode.py --tests DATADRIVEN_DIR --scancode PATH/TO/scancode
                                 [--sets lic1,lic2,lic3,lic4] [--ospo BIN]
"""
import argparse, json, os, re, shutil, subprocess, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def norm(s):
    s = re.sub(r"<[^>]{0,40}>", " ", s).lower()
    s = re.sub(r"\(c\)|©|&copy;|copyright|\bcopr\.?|all rights reserved", "", s)
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def near(n, m):
    return n == m or (n and m and (n in m or m in n) and min(len(n), len(m)) >= 0.6 * max(len(n), len(m)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tests", required=True)
    ap.add_argument("--scancode", required=True)
    ap.add_argument("--sets", default="lic1,lic2,lic3,lic4")
    ap.add_argument("--ospo", default=os.path.join(ROOT, "target/release/ospo"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "t")
        for s in a.sets.split(","):
            os.makedirs(os.path.join(tree, s))
            for name in sorted(os.listdir(os.path.join(a.tests, s))):
                src = os.path.join(a.tests, s, name)
                if os.path.isfile(src) and not name.endswith(".yml"):
                    shutil.copy(src, os.path.join(tree, s, name))
        sc_out, os_out = os.path.join(tmp, "sc.json"), os.path.join(tmp, "ospo.json")
        subprocess.run([a.scancode, "-c", "-n", "2", "--quiet", "--json", sc_out, "t"], cwd=tmp, check=True)
        subprocess.run([a.ospo, "scan", "t", "--files-only", "--no-ignore", "--format", "json", "-q", "-o", os_out],
                       cwd=tmp, check=True)
        sc, ours = json.load(open(sc_out)), json.load(open(os_out))
    mine = {f["path"]: [norm(x) for x in f.get("copyrights", [])] for f in ours["files"]}
    theirs, total, found = {}, 0, 0
    for f in sc["files"]:
        if f["type"] != "file":
            continue
        p = f["path"].split("/", 1)[1]
        theirs[p] = [norm(c["copyright"]) for c in f.get("copyrights", [])]
        for n in theirs[p]:
            total += 1
            found += any(near(n, m) for m in mine.get(p, []))
    ours_n = sum(len(v) for v in mine.values())
    extra = sum(1 for p, ms in mine.items() for m in ms if not any(near(m, t) for t in theirs.get(p, [])))
    print(f"ScanCode: {total} statements; ospo reports {found} of them ({100 * found / max(total, 1):.1f}%)")
    print(f"ospo: {ours_n} statements, {extra} that ScanCode does not report")


if __name__ == "__main__":
    main()
