"""Regenerate the imported part of the shipped set, then its manifest.

    python -m signatures.importers.regenerate [SHARED_DATA_FOLDER]

Reads Echap's ``ioc.yaml``/``watchware.yaml`` and LOLRMM's tool files from the shared data
folder (default ``../shared/data`` beside the repository), writes ``signatures/data/echap.yaml``
and ``lolrmm.yaml`` exactly as ``checkup signatures import`` would, and rewrites
``MANIFEST.sha256``. Running it twice on the same data changes nothing.
"""
from __future__ import annotations

import os
import sys

from . import dump_signature_file
from .echap import import_echap
from .lolrmm import import_lolrmm
from .. import manifest

ECHAP_HEADER = "Imported from Echap stalkerware-indicators (CC BY 4.0) by: checkup signatures import echap"
LOLRMM_HEADER = "Imported from LOLRMM (Apache-2.0) by: checkup signatures import lolrmm"


def main(argv: list[str]) -> int:
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    shared = argv[0] if argv else os.path.join(os.path.dirname(here), "shared", "data")
    out = manifest.data_folder()
    echap = os.path.join(shared, "echap")
    doc, notes = import_echap([os.path.join(echap, "ioc.yaml"), os.path.join(echap, "watchware.yaml")])
    dump_signature_file(doc, os.path.join(out, "echap.yaml"), ECHAP_HEADER)
    print(f"echap.yaml: {len(doc['families'])} families, {len(notes)} notes")
    doc, notes = import_lolrmm(os.path.join(shared, "lolrmm"))
    dump_signature_file(doc, os.path.join(out, "lolrmm.yaml"), LOLRMM_HEADER)
    print(f"lolrmm.yaml: {len(doc['families'])} families, {len(notes)} notes")
    print(manifest.write(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
