# Writes schemas/*.schema.json (draft 2020-12) from one place, so the shared definitions
# (a verdict, a finding, a diagnostic) are written once. Run from the repository root:
#   python3 schemas/generate.py
# The schemas are the contract; the tests (tests/schemas.rs) validate real outputs against them.
import json
S="https://json-schema.org/draft/2020-12/schema"
BASE="https://github.com/ospo-rs/ospo/blob/main/schemas/"
def obj(props, req, extra=False):
    o={"type":"object","properties":props,"required":req}
    if not extra: o["additionalProperties"]=False
    return o
STR={"type":"string"}; INT={"type":"integer","minimum":0}; NUM={"type":"number"}
def arr(x): return {"type":"array","items":x}
status={"enum":["pass","warn","fail"]}
severity={"enum":["unknown","none","low","medium","high","critical"]}
scope={"enum":["required","optional","dev",None]}
date={"type":"string","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
diagnostic=obj({"severity":{"enum":["error","warning","info"]},"path":STR,"message":STR},["severity","message"])
rating=obj({"source":STR,"severity":severity,"score":NUM,"vector":STR,"method":STR},["source","severity","method"])
finding_props={"bom_ref":STR,"name":STR,"version":STR,"ecosystem":STR,"purl":STR,"ids":arr(STR),
  "severity":severity,"cvss_score":NUM,"cvss_vector":STR,"summary":STR,"fixed_in":STR,
  "cwes":arr(INT),"ratings":arr({"$ref":"#/$defs/rating"}),"advisories":arr(STR),"published":STR,"modified":STR,
  "kind":{"enum":["vulnerability","malicious","unmaintained","unsound","notice","install_script"]},
  "fix_hint":{"type":"object"},"vex":{"type":"object"},"kev":{"type":"object"},"epss":{"type":"object"}}
finding_req=["bom_ref","name","version","ecosystem","ids","severity","summary"]
adv_verdict=obj(dict(finding_props, status={"$ref":"#/$defs/status"}, rule_id=STR, rule=STR, fix=STR),
  finding_req+["status","rule_id","rule"])
counts=obj({"components":INT,"pass":INT,"warn":INT,"fail":INT},["components","pass","warn","fail"])
adv_counts=obj({"findings":INT,"pass":INT,"warn":INT,"fail":INT,"suppressed":INT},["findings","pass","warn","fail"])
evidence=obj({"path":STR,"start_line":INT,"end_line":INT},["path"])
rule_ids=["allowed","denied","unlisted","unknown","exception-expired","exception-expiring","clarification-void"]
verdict=obj({"bom_ref":STR,"name":STR,"version":STR,"purl":STR,"scope":scope,"status":{"$ref":"#/$defs/status"},
  "expression":STR,"chosen_branch":STR,"rule_id":{"enum":rule_ids},"rule":STR,"messages":arr(STR),"fix":STR,
  "evidence":{"$ref":"#/$defs/evidence"}},["bom_ref","name","status","expression","rule_id","rule"])
adv_report=obj({"database":STR,"records":INT,"summary":{"$ref":"#/$defs/advisory_counts"},
  "findings":arr({"$ref":"#/$defs/advisory_verdict"})},["database","records","summary","findings"])
common_defs={"status":status,"diagnostic":diagnostic,"rating":rating,"advisory_verdict":adv_verdict,
  "advisory_counts":adv_counts,"evidence":evidence,"component_verdict":verdict,"counts":counts,"advisory_report":adv_report}
def doc(name,title,desc,body,defs):
    d={"$schema":S,"$id":BASE+name+".schema.json","title":title,"description":desc}
    d.update(body); d["$defs"]={k:common_defs[k] for k in defs} if isinstance(defs,list) else defs
    return d
check=doc("check","ospo check --format json","The policy evaluation: one verdict per judged component, sorted by bom-ref; with --db the advisory verdicts too.",
  obj({"policy":STR,"date":date,"summary":{"$ref":"#/$defs/counts"},"components":arr({"$ref":"#/$defs/component_verdict"}),
       "notes":arr(STR),"advisories":{"$ref":"#/$defs/advisory_report"}},["policy","date","summary","components"]),
  ["status","counts","component_verdict","evidence","advisory_report","advisory_counts","advisory_verdict","rating"])
audit=doc("audit","ospo audit --format json","Every component an OSV record affects, aliases merged, each judged by the policy's [advisories].",
  obj({"format_version":{"const":1},"database":obj({"path":STR,"records":INT,"withdrawn":INT,"other_ecosystems":INT},["path","records","withdrawn","other_ecosystems"]),
       "policy":STR,"date":date,
       "datasets":arr({"type":"object"}),"vex":arr(STR),
       "summary":obj({"components":INT,"audited":INT,"vulnerable":INT,"findings":INT,"pass":INT,"warn":INT,"fail":INT,"suppressed":INT,
                      "by_severity":{"type":"object","propertyNames":severity,"additionalProperties":INT}},
                     ["components","audited","vulnerable","findings","pass","warn","fail","by_severity"]),
       "findings":arr({"$ref":"#/$defs/advisory_verdict"}),"notes":arr(STR),"diagnostics":arr({"$ref":"#/$defs/diagnostic"})},
      ["format_version","database","policy","date","summary","findings"]),
  ["status","advisory_verdict","rating","diagnostic"])
row=obj({"name":STR,"version":STR,"ecosystem":STR,"purl":STR,"bom_ref":STR,"license":STR,"declared":STR,
  "verdict":{"$ref":"#/$defs/status"},"review":{"type":"array","items":STR,"minItems":1}},["name","ecosystem","bom_ref","license"])
lst=doc("list","ospo list --format json","One row per component, sorted by name case-insensitively; verdicts only when a policy was found.",
  obj({"format_version":{"const":1},"policy":STR,"components":arr({"$ref":"#/$defs/row"})},["format_version","components"]),
  {"status":status,"row":row})
for n,d in [("check",check),("audit",audit),("list",lst)]:
    open(f"schemas/{n}.schema.json","w").write(json.dumps(d,indent=2)+"\n")
FLOAT={"type":"number"}; RATIO={"type":["number","null"]}
kind={"enum":["text","notice","tag","reference","manifest"]}
match=obj({"expression":STR,"kind":kind,"score":FLOAT,"start_line":INT,"end_line":INT,"rule":STR,"matched_text":STR},
  ["expression","kind","score","start_line","end_line"])
unrec=obj({"start_line":INT,"end_line":INT,"closest":{"type":["string","null"]},"score":FLOAT},["start_line","end_line","closest","score"])
filerec=obj({"path":STR,"size":INT,"sha1":STR,"sha256":STR,"class":{"enum":["license","manifest","readme","text","binary",None]},
  "licenses":arr({"$ref":"#/$defs/license_match"}),"copyrights":arr(STR),"unrecognized":arr({"$ref":"#/$defs/unrecognized"}),
  "component":STR},["path","size","class"])
ev=obj({"expression":STR,"kind":kind,"path":STR,"start_line":INT,"end_line":INT,"score":FLOAT,"sha256":STR},
  ["expression","kind","path","start_line","end_line","score"])
comp=obj({"bom_ref":STR,"name":STR,"version":STR,"purl":STR,"ecosystem":STR,"path":STR,"declared_raw":STR,"declared":STR,
  "detected":STR,"concluded":STR,"evidence":arr({"$ref":"#/$defs/evidence"}),"hashes":arr(obj({"alg":STR,"value":STR},["alg","value"])),
  "scope":scope,"supplier":STR,"homepage":STR,"copyrights":arr(STR),"review":arr(STR),"notes":arr(STR),
  "layer":STR,"parent":STR,"dependencies_complete":{"type":"boolean"},"install_scripts":arr(STR)},
  ["bom_ref","name","ecosystem","concluded","scope"])
image=obj({"name":STR,"format":{"enum":["docker-archive","oci-archive","oci-dir"]},"config_digest":STR,"manifest_digest":STR,
  "repo_tags":arr(STR),"layers":arr(STR),"os":STR,"architecture":STR},["name","format","config_digest"])
scan=doc("scan","ospo scan --format json","The Scan model: every file's license and copyright evidence, the components found with their declared, detected and concluded licenses, the dependency graph and the diagnostics. Also what --from reads back.",
  obj({"format_version":{"const":1},"tool":obj({"name":STR,"version":STR,"license_list_version":STR},["name","version","license_list_version"]),
       "root":STR,"summary":obj({k:INT for k in ["files_scanned","bytes_scanned","files_with_licenses","files_with_copyrights","binary_files","skipped_files","elapsed_ms"]},
         ["files_scanned","bytes_scanned","files_with_licenses","files_with_copyrights","binary_files","skipped_files"]),
       "project":STR,"files":arr({"$ref":"#/$defs/file"}),"components":arr({"$ref":"#/$defs/component"}),
       "dependencies":arr(obj({"from":STR,"to":arr(STR)},["from","to"])),"diagnostics":arr({"$ref":"#/$defs/diagnostic"}),
       "texts":{"type":"object","additionalProperties":STR},"image":image},
      ["format_version","tool","root","summary","files","components","dependencies","diagnostics"]),
  {"file":filerec,"license_match":match,"unrecognized":unrec,"component":comp,"evidence":ev,"diagnostic":diagnostic})
ce=obj({"id":STR,"name":STR,"version":STR,"purl":STR,"ecosystem":STR,"license":STR,"scope":STR},["id","name","ecosystem","license"])
vc=obj({"id":STR,"name":STR,"ecosystem":STR,"old_version":STR,"new_version":STR,"purl":STR},["id","name","ecosystem","old_version","new_version"])
lc=obj({"id":STR,"name":STR,"old_version":STR,"new_version":STR,"old_license":STR,"new_license":STR,"added_licenses":arr(STR),"removed_licenses":arr(STR)},
  ["id","name","old_license","new_license","added_licenses","removed_licenses"])
vio=obj({"id":STR,"name":STR,"version":STR,"license":STR,"rule":STR,"message":STR},["id","name","license","rule"])
nv=obj({"id":STR,"name":STR,"version":STR,"advisory":STR,"severity":STR},["id","name","advisory","severity"])
ic=obj({"id":STR,"name":STR,"version":STR,"old_instances":INT,"new_instances":INT},["id","name","old_instances","new_instances"])
side=obj({"source":STR,"components":INT},["source","components"])
dsum=obj({k:INT for k in ["added","removed","upgraded","downgraded","license_changes","new_violations","resolved_violations","new_vulnerabilities"]},
  ["added","removed","upgraded","downgraded","license_changes","new_violations","resolved_violations"])
diff=doc("diff","ospo diff --format json","What changed between two scans or SBOMs: components added, removed, upgraded, downgraded, license changes, new and resolved policy violations, new vulnerabilities (with --db).",
  obj({"diff_version":{"const":1},"old":{"$ref":"#/$defs/side"},"new":{"$ref":"#/$defs/side"},"policy":STR,"summary":dsum,
       "added":arr({"$ref":"#/$defs/component"}),"removed":arr({"$ref":"#/$defs/component"}),
       "upgraded":arr({"$ref":"#/$defs/version_change"}),"downgraded":arr({"$ref":"#/$defs/version_change"}),
       "license_changes":arr(lc),"new_violations":arr({"$ref":"#/$defs/violation"}),"resolved_violations":arr({"$ref":"#/$defs/violation"}),
       "new_vulnerabilities":arr(nv),"instance_changes":arr(ic)},
      ["diff_version","old","new","summary","added","removed","upgraded","downgraded","license_changes","new_violations","resolved_violations"]),
  {"side":side,"component":ce,"version_change":vc,"violation":vio})
share=obj({"count":INT,"total":{"type":["integer","null"],"minimum":0},"ratio":RATIO},["count","total","ratio"])
counts_map={"type":"object","additionalProperties":INT}
metrics=doc("metrics","ospo metrics --format json","The numbers an OSPO reports (CHAOSS License Coverage, Licenses Declared, ...); with --since the change in each.",
  obj({"metrics_version":{"const":1},"source":STR,"components":INT,"license_coverage":{"$ref":"#/$defs/share"},
       "licenses_declared":arr(STR),"concluded":{"$ref":"#/$defs/share"},
       "known_unknowns":obj({"count":INT,"components":arr(STR),"unrecognized_files":arr(STR)},["count","components","unrecognized_files"]),
       "licenses":arr(obj({"id":STR,"category":STR,"components":INT},["id","category","components"])),
       "categories":counts_map,
       "copyleft_exposure":obj({"count":INT,"weak_copyleft":arr(STR),"strong_copyleft":arr(STR),"network_copyleft":arr(STR)},["count","weak_copyleft","strong_copyleft","network_copyleft"]),
       "ecosystems":counts_map,"dependencies":obj({"direct":INT,"transitive":INT,"unreached":INT},["direct","transitive","unreached"]),
       "policy":obj({"policy":STR,"components":INT,"pass":INT,"warn":INT,"fail":INT,"pass_rate":RATIO},["policy","components","pass","warn","fail","pass_rate"]),
       "vulnerabilities":obj({"total":INT,"by_severity":counts_map},["total","by_severity"]),
       "since":obj({"source":STR,"old":{"type":"object","additionalProperties":RATIO},"change":{"type":"object","additionalProperties":RATIO},
                    "licenses_declared_added":arr(STR),"licenses_declared_removed":arr(STR)},["source","old","change","licenses_declared_added","licenses_declared_removed"])},
      ["metrics_version","source","components","license_coverage","licenses_declared","concluded","known_unknowns","licenses","categories","copyleft_exposure","ecosystems","dependencies","policy"]),
  {"share":share})
for n,d in [("scan",scan),("diff",diff),("metrics",metrics)]:
    open(f"schemas/{n}.schema.json","w").write(json.dumps(d,indent=2)+"\n")
