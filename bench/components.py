#!/usr/bin/env python3
"""Components and resolver accuracy of ospo on the benchmark corpus (issue 3's figures).

For each ecosystem tree it compares the components `ospo scan` finds with what the package
manager itself lists (name and version), and for every component that declares a valid
license whether the concluded expression has the same license ids as the declared one.

    bench/components.py [--ospo target/release/ospo] [-v]

Trees (made by bench/setup.sh):
  cargo   bench/corpus/cargo-app (Cargo.toml + Cargo.lock + vendor -> ../cargo-vendor)
          vs `cargo metadata` of bench/cargo-project
  npm     bench/corpus/node      vs `npm ls --all --json` there
  pypi    bench/corpus/python    vs `pip list --path .../site-packages --format json`
Runs nothing from the trees; the package managers only read their metadata.
"""
import argparse, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def ids(expr):
    if not expr:
        return set()
    toks = re.split(r"[\s()]+", expr)
    return {t.rstrip("+") for t in toks if t and t not in ("AND", "OR", "WITH")}


def pep503(n):
    return re.sub(r"[-_.]+", "-", n).lower()


def scan(ospo, tree, extra):
    t = time.time()
    out = subprocess.run([ospo, "scan", tree, "--format", "json", "-q"] + extra, capture_output=True, check=True)
    return json.loads(out.stdout), time.time() - t


def expected_cargo():
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--manifest-path",
         os.path.join(HERE, "cargo-project", "Cargo.toml")], capture_output=True, check=True).stdout)
    roots = set(meta.get("workspace_members", []))
    return {(p["name"], p["version"]) for p in meta["packages"] if p["id"] not in roots}


def expected_npm():
    out = subprocess.run(["npm", "ls", "--all", "--json"], cwd=os.path.join(CORPUS, "node"),
                         capture_output=True)
    tree = json.loads(out.stdout or b"{}")
    seen = set()

    def walk(deps):
        for name, d in (deps or {}).items():
            if "version" in d:
                seen.add((name, d["version"]))
            walk(d.get("dependencies"))
    walk(tree.get("dependencies"))
    return seen


def expected_pypi():
    out = subprocess.run([sys.executable, "-m", "pip", "list", "--path",
                          os.path.join(CORPUS, "python", "site-packages"), "--format", "json"],
                         capture_output=True, check=True)
    return {(pep503(p["name"]), p["version"]) for p in json.loads(out.stdout)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ospo", default=os.path.join(HERE, "..", "target", "release", "ospo"))
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    app = os.path.join(CORPUS, "cargo-app")
    if not os.path.isdir(app):
        os.makedirs(app)
        for f in ("Cargo.toml", "Cargo.lock"):
            with open(os.path.join(HERE, "cargo-project", f), "rb") as src, open(os.path.join(app, f), "wb") as dst:
                dst.write(src.read())
        os.symlink(os.path.join(CORPUS, "cargo-vendor"), os.path.join(app, "vendor"))

    trees = [
        ("cargo", app, ["--follow"], expected_cargo, lambda c: (c["name"], c.get("version"))),
        ("npm", os.path.join(CORPUS, "node"), [], expected_npm, lambda c: (c["name"], c.get("version"))),
        ("pypi", os.path.join(CORPUS, "python"), [], expected_pypi, lambda c: (pep503(c["name"]), c.get("version"))),
    ]
    total_ok = total = 0
    agree = declared_valid = 0
    disagreements = []
    for eco, tree, extra, expected, key in trees:
        d, secs = scan(a.ospo, tree, extra)
        _, secs_files = scan(a.ospo, tree, extra + ["--files-only"])
        project = d.get("project")
        comps = [c for c in d["components"] if c["ecosystem"] == eco and c["bom_ref"] != project]
        got = {key(c) for c in comps}
        want = expected()
        found = got & want
        print(f"{eco}: package manager lists {len(want)}, ospo found {len(got)}; "
              f"matched {len(found)} ({100 * len(found) / max(1, len(want)):.1f}% of listed, "
              f"{100 * len(found) / max(1, len(got)):.1f}% of found); scan {secs:.2f}s, "
              f"--files-only {secs_files:.2f}s (+{100 * (secs - secs_files) / max(secs_files, 1e-9):.0f}%)")
        if a.verbose or len(want - got) + len(got - want) <= 20:
            for m in sorted(want - got):
                print(f"    missed: {m[0]} {m[1]}")
            for m in sorted(got - want):
                print(f"    extra:  {m[0]} {m[1]}")
        total += len(want) + len(got)
        total_ok += 2 * len(found)
        for c in comps:
            dec = c.get("declared")
            if not dec or all(i.startswith("LicenseRef-") for i in ids(dec)):
                continue
            declared_valid += 1
            if ids(dec) == ids(c["concluded"]):
                agree += 1
            else:
                disagreements.append((c["bom_ref"], dec, c["concluded"], "; ".join(c.get("review", []))))
    print(f"components matched overall: {100 * total_ok / max(1, total):.1f}%")
    print(f"concluded has the declared ids: {agree}/{declared_valid} = {100 * agree / max(1, declared_valid):.1f}%")
    for ref, dec, con, why in disagreements if a.verbose else disagreements[:40]:
        print(f"    {ref}: declared {dec} -> concluded {con}  [{why}]")
    if not a.verbose and len(disagreements) > 40:
        print(f"    ... {len(disagreements) - 40} more (-v)")


if __name__ == "__main__":
    main()
