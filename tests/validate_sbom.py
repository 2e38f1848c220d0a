#!/usr/bin/env python3
"""Validate SBOM files: against the official schemas kept in tests/schemas/, with the
CycloneDX and SPDX projects' own validators, and (SPDX) the NTIA minimum-elements checker.

usage: validate_sbom.py FILE...   (format told from the file name: .cdx.json, .cdx.xml,
       .spdx.json, .spdx, .spdx3.json) prints one line per problem, exits 1 if there is any.
"""
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent / "schemas"


def cdx_json_schema(doc):
    import jsonschema
    from referencing import Registry, Resource

    version = doc.get("specVersion")
    schema = json.loads((HERE / f"bom-{version}.schema.json").read_text())
    registry = Registry()
    for name in ["spdx.schema.json", "jsf-0.82.schema.json"]:
        res = Resource.from_contents(json.loads((HERE / name).read_text()))
        registry = registry.with_resource(name, res)
        registry = registry.with_resource(f"http://cyclonedx.org/schema/{name}", res)
    v = jsonschema.Draft7Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())
    return [f"schema bom-{version}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]


def xml_version(text):
    hit = re.search(r"cyclonedx\.org/schema/bom/(1\.[0-9])", text)
    return hit.group(1) if hit else "1.5"


def cdx_xml_schema(path):
    import xmlschema
    text = path.read_text()
    version = xml_version(text)
    xs = xmlschema.XMLSchema(str(HERE / f"bom-{version}.xsd"),
                             locations=[("http://cyclonedx.org/schema/spdx", str(HERE / "spdx.xsd"))])
    return [f"xsd bom-{version}: {e.path}: {e.reason}" for e in xs.iter_errors(str(path))]


def cdx_reference(path, is_xml):
    from cyclonedx.schema import OutputFormat, SchemaVersion
    from cyclonedx.validation import make_schemabased_validator
    text = path.read_text()
    if is_xml:
        version = xml_version(text)
    else:
        version = json.loads(text)["specVersion"]
    sv = SchemaVersion.from_version(version)
    fmt = OutputFormat.XML if is_xml else OutputFormat.JSON
    err = make_schemabased_validator(fmt, sv).validate_str(text, all_errors=True)
    if err is None:
        return []
    errs = err if isinstance(err, (list, tuple)) else [err]
    return [f"cyclonedx-python-lib {version}: {e}" for e in errs]


def cdx_ntia(doc):
    """The NTIA minimum elements in a CycloneDX document (ntia-conformance-checker reads
    SPDX only): timestamp, an author or tool, and per component a name, a bom-ref, a version
    and a supplier, each present or stated unknown (ospo's `ospo:version` /
    `ospo:supplier` = NOASSERTION), and every component in the dependency graph."""
    errors = []
    md = doc.get("metadata", {})
    if not md.get("timestamp"):
        errors.append("ntia: no timestamp")
    if not md.get("authors") and not md.get("tools"):
        errors.append("ntia: no author or tool")
    comps = [md["component"]] if md.get("component") else []
    comps += doc.get("components", [])
    in_graph = {d.get("ref") for d in doc.get("dependencies", [])}
    for c in comps:
        props = {(p.get("name"), p.get("value")) for p in c.get("properties", [])}
        name = c.get("name") or "?"
        if not c.get("name"):
            errors.append("ntia: a component without a name")
        if not c.get("bom-ref"):
            errors.append(f"ntia: {name} has no bom-ref")
        elif c["bom-ref"] not in in_graph:
            errors.append(f"ntia: {name} is not in the dependency graph")
        if not c.get("version") and ("ospo:version", "NOASSERTION") not in props:
            errors.append(f"ntia: {name} has no version and does not say it is unknown")
        if not (c.get("supplier") or {}).get("name") and ("ospo:supplier", "NOASSERTION") not in props:
            errors.append(f"ntia: {name} has no supplier and does not say it is unknown")
    return errors


def spdx_json_schema(doc):
    import jsonschema
    schema = json.loads((HERE / "spdx-2.3.schema.json").read_text())
    v = jsonschema.Draft7Validator(schema)
    return [f"schema spdx-2.3: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]


def current_spdx_ids():
    """Every license and exception id of the SPDX list ospo is built on (3.29), from
    license-db/categories.toml, which a unit test keeps complete."""
    import tomllib
    table = tomllib.loads((HERE.parent.parent / "license-db" / "categories.toml").read_text())
    return set(table.get("licenses", {})) | set(table.get("exceptions", {}))


STALE = re.compile(r"Unrecognized license reference: ([A-Za-z0-9.+-]+)\.")


def spdx_reference(path):
    """spdx-tools, the SPDX project's Python validator. Its license list (from the
    license-expression package) lags the SPDX list: an id the current list has but it does
    not know is reported as a note, not an error."""
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    try:
        doc = parse_file(str(path))
    except Exception as e:  # the parser raises on malformed input
        return [f"spdx-tools parse: {e}"]
    known = current_spdx_ids()
    errors, stale = [], set()
    for m in validate_full_spdx_document(doc, "SPDX-2.3"):
        hit = STALE.search(m.validation_message)
        if hit and hit.group(1) in known:
            stale.add(hit.group(1))
        else:
            errors.append(f"spdx-tools: {m.validation_message} ({m.context.spdx_id})")
    if stale:
        print(f"{path}: note: spdx-tools' license list does not know these current SPDX ids: "
              + ", ".join(sorted(stale)))
    return errors


def ntia(path):
    """NTIA minimum elements. A supplier stated as NOASSERTION, or a version stated unknown
    in the package comment, is a known unknown (reported, not an error): the NTIA minimum
    elements ask for unknowns to be stated, not invented."""
    from ntia_conformance_checker.sbom_checker import SbomChecker
    from spdx_tools.spdx.model import SpdxNoAssertion
    from spdx_tools.spdx.parser.parse_anything import parse_file

    c = SbomChecker(str(path), compliance="ntia")
    packages = {p.spdx_id: p for p in parse_file(str(path)).packages}
    errors, unknowns = [], []
    if not c.doc_author:
        errors.append("ntia: no SBOM author")
    if not c.doc_timestamp:
        errors.append("ntia: no timestamp")
    if not c.dependency_relationships:
        errors.append("ntia: no dependency relationships")
    for what, items in [("name", c.components_without_names),
                        ("identifier", c.components_without_identifiers)]:
        if items:
            errors.append(f"ntia: {len(items)} components without {what}")
    for what, items, stated in [
        ("supplier", c.components_without_suppliers,
         lambda p: isinstance(p.supplier, SpdxNoAssertion)),
        ("version", c.components_without_versions,
         lambda p: "Version unknown" in (p.comment or "")),
    ]:
        for name, spdx_id in items:
            p = packages.get(spdx_id)
            (unknowns if p is not None and stated(p) else errors).append(
                f"ntia: {name} ({spdx_id}) has no {what}")
    for u in unknowns[:3]:
        print(f"{path}: known unknown: {u}")
    if len(unknowns) > 3:
        print(f"{path}: ... {len(unknowns)} known unknowns in all")
    return errors


def spdx3_reference(path):
    """SPDX 3.0.1 JSON-LD with the SPDX project's official bindings (spdx-python-model):
    deserialize (every property type-checked), link every reference (none may point outside
    the document), serialize again (every required property and cardinality checked); then
    the ntia-conformance-checker's SPDX 3 document constraints. The context URL is known to
    the bindings: nothing is fetched."""
    import io
    from spdx_python_model import v3_0_1 as spdx3
    from ntia_conformance_checker.spdx3_utils import validate_spdx3_data
    objset = spdx3.SHACLObjectSet()
    try:
        with path.open("rb") as f:
            spdx3.JSONLDDeserializer().read(f, objset)
    except Exception as e:  # the bindings raise on a type or shape error
        return [f"spdx-python-model: {type(e).__name__}: {e}"]
    errors = [f"spdx-python-model: reference to an element not in the document: {m}"
              for m in sorted(objset.link())]
    try:
        spdx3.JSONLDSerializer().write(objset, io.BytesIO())
    except Exception as e:
        errors.append(f"spdx-python-model: {type(e).__name__}: {e}")
    _, messages = validate_spdx3_data(objset)
    errors += [f"ntia-conformance-checker spdx3: {m.validation_message}" for m in messages]
    return errors


def main(paths):
    problems = []
    for p in map(pathlib.Path, paths):
        name = p.name
        if name.endswith(".cdx.json"):
            doc = json.loads(p.read_text())
            errs = cdx_json_schema(doc) + cdx_reference(p, False) + cdx_ntia(doc)
        elif name.endswith(".cdx.xml"):
            errs = cdx_xml_schema(p) + cdx_reference(p, True)
        elif name.endswith(".spdx3.json"):
            errs = spdx3_reference(p)
        elif name.endswith(".spdx.json"):
            doc = json.loads(p.read_text())
            errs = spdx_json_schema(doc) + spdx_reference(p) + ntia(p)
        elif name.endswith(".spdx"):
            errs = spdx_reference(p) + ntia(p)
        else:
            errs = [f"unknown SBOM file type: {name}"]
        problems += [f"{p}: {e}" for e in errs]
        print(f"{p}: {'ok' if not errs else f'{len(errs)} problems'}")
    for line in problems[:200]:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
