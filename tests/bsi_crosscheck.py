#!/usr/bin/env python3
"""The SPDX project's own BSI TR-03183-2 checker (ntia-conformance-checker 6.0.0,
compliance="bsi") over an SPDX 3.0.1 file: prints, as JSON, per BSI field the names of the
components it finds lacking, for tests/standards.rs to compare with `ospo check
--sbom-profile bsi-tr-03183-2` on the same file.

usage: bsi_crosscheck.py FILE.spdx3.json
"""
import json
import sys

from ntia_conformance_checker.sbom_checker import SbomChecker

c = SbomChecker(sys.argv[1], compliance="bsi", sbom_spec="spdx3")
fields = {
    "creator": c.get_components_without_creators(),
    "filename": c.get_components_without_filenames(),
    "concluded-license": c.get_components_without_concluded_licenses(),
    "declared-license": c.get_components_without_original_licenses(),
    "identifier": c.get_components_without_unique_identifiers(),
}
print(json.dumps({
    "document": {"sbom-creator": c.check_doc_creator(), "sbom-uri": c.check_sbom_uri()},
    "components": {k: sorted(name for name, _ in v) for k, v in fields.items()},
}, indent=1, sort_keys=True))
