#!/usr/bin/env python3
"""Synthetic inputs for the `ospo audit` benchmark (bench/audit-10k.sh): a saved scan of
10,000 real-looking components (crates, npm, PyPI, Go, Maven, in the scan format of
tests/fixtures/osv/scan.json), an OSV data folder of a few thousand records derived from the
real fixture records (tests/fixtures/osv/db, tests/fixtures/security/data/osv) by renaming
their package, a KEV catalog of 1,500 entries and an EPSS CSV of 300,000 rows (the size of
the real files), and a VEX document with 500 statements. Deterministic (seeded).

usage: audit_data.py OUT_DIR
"""
import copy, gzip, json, pathlib, random, sys

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1])
(out / "data" / "osv").mkdir(parents=True, exist_ok=True)
rnd = random.Random(17)

ECOS = [("cargo", "crates.io"), ("npm", "npm"), ("pypi", "PyPI"), ("golang", "Go"), ("maven", "Maven")]
templates = {}
for p in list((root / "tests/fixtures/osv/db").rglob("*.json")) + list((root / "tests/fixtures/security/data/osv").glob("*.json")):
    rec = json.loads(p.read_text())
    for a in rec.get("affected", []):
        templates.setdefault(a["package"]["ecosystem"], []).append(rec)

def name_for(ty, i):
    if ty == "golang":
        return f"github.com/org{i % 97}/module-{i}"
    if ty == "maven":
        return f"org.example{i % 53}:artifact-{i}"
    return f"pkg-{ty}-{i}"

def purl_for(ty, name, ver):
    if ty == "maven":
        g, a = name.split(":")
        return f"pkg:maven/{g}/{a}@{ver}"
    return f"pkg:{ty}/{name}@{ver}"

components, records, cves = [], [], []
for i in range(10_000):
    ty, osv_eco = ECOS[i % 5]
    name = name_for(ty, i)
    ver = f"{'v' if ty == 'golang' else ''}{rnd.randint(0, 4)}.{rnd.randint(0, 20)}.{rnd.randint(0, 30)}"
    purl = purl_for(ty, name, ver)
    components.append({"bom_ref": purl, "name": name, "version": ver, "purl": purl,
                       "ecosystem": ty, "concluded": "MIT", "scope": "required"})
    # Every third component has one or two advisories, copied from a real record of its ecosystem.
    if i % 3 == 0 and templates.get(osv_eco):
        for k in range(1 + (i % 2)):
            rec = copy.deepcopy(rnd.choice(templates[osv_eco]))
            cve = f"CVE-2099-{len(records):05d}"
            rec["id"] = f"OSPO-BENCH-{len(records):05d}"
            rec["aliases"] = [cve]
            cves.append(cve)
            for a in rec["affected"]:
                a["package"]["name"] = name
                a["package"].pop("purl", None)
            records.append(rec)

project = {"bom_ref": "pkg:cargo/bench-app@1.0.0", "name": "bench-app", "version": "1.0.0",
           "purl": "pkg:cargo/bench-app@1.0.0", "ecosystem": "cargo", "concluded": "MIT"}
scan = json.loads((root / "tests/fixtures/osv/scan.json").read_text())
scan["components"] = [project] + components
scan["project"] = project["bom_ref"]
scan["dependencies"] = [{"from": project["bom_ref"], "to": [c["bom_ref"] for c in components]}]
(out / "scan.json").write_text(json.dumps(scan))
for r in records:
    (out / "data" / "osv" / f"{r['id']}.json").write_text(json.dumps(r))

kev = {"title": "synthetic", "catalogVersion": "2026.12.01", "dateReleased": "2026-12-01T00:00:00Z",
       "vulnerabilities": [{"cveID": c, "dateAdded": "2026-01-01", "knownRansomwareCampaignUse": "Unknown"}
                           for c in rnd.sample(cves, min(300, len(cves)))]
                          + [{"cveID": f"CVE-2098-{i:05d}", "dateAdded": "2025-01-01"} for i in range(1200)]}
(out / "data" / "kev.json").write_text(json.dumps(kev))
rows = ["#model_version:v2025.03.14,score_date:2026-12-01T12:55:00Z", "cve,epss,percentile"]
rows += [f"{c},{rnd.random():.5f},{rnd.random():.5f}" for c in cves]
rows += [f"CVE-2097-{i:06d},{rnd.random():.5f},{rnd.random():.5f}" for i in range(300_000 - len(cves))]
with gzip.GzipFile(out / "data" / "epss.csv.gz", "wb", mtime=0) as f:
    f.write(("\n".join(rows) + "\n").encode())
vex = {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/bench", "author": "bench",
       "timestamp": "2026-12-01T00:00:00Z", "version": 1,
       "statements": [{"vulnerability": {"name": r["aliases"][0]},
                       "products": [{"@id": next(c["purl"] for c in components if c["name"] == r["affected"][0]["package"]["name"])}],
                       "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}
                      for r in records[:500]]}
(out / "vex.json").write_text(json.dumps(vex))
print(f"{len(components)} components, {len(records)} OSV records, {len(kev['vulnerabilities'])} KEV entries, {len(rows) - 2} EPSS rows, {len(vex['statements'])} VEX statements")
