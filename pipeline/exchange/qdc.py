"""``qualpipe export qdc``: the codebook as a REFI-QDA codebook (``.qdc``).

A ``.qdc`` is one XML file in the ``urn:QDA-XML:codebook:1.0`` namespace: the
codes, nested under their parents, with label as ``name``, colour, and the
definition (plus include/exclude criteria) as ``Description``. Code GUIDs are
the same as in the ``.qdpx`` export, so both files describe the same codes.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..settings import Study
from ..anonymise.guard import Guard, require_guard
from ..store import Shareable, StudyStore, write_shareable
from .common import CODEBOOK_NS, code_elements, origin, study_codes, to_bytes

DEFAULT_QDC = Path("reports") / "exchange" / "codebook.qdc"


def codebook_xml(study: Study, store: StudyStore | None = None) -> bytes:
    codes = study_codes(study, store)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin()}, nsmap={None: CODEBOOK_NS})
    code_elements(etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes"), CODEBOOK_NS, codes.codes)
    return to_bytes(root)


def export_qdc(study: Study, out: Path | None = None, guard: Guard | None = None) -> Path:
    """Write the codebook as ``.qdc`` (default ``reports/exchange/codebook.qdc``); returns the path."""
    path = Path(out) if out is not None else study.root / DEFAULT_QDC
    store = StudyStore(study.store_path) if study.store_path.exists() else None
    try:
        data = codebook_xml(study, store)
    finally:
        if store is not None:
            store.close()
    write_shareable(study.root, {path: Shareable(data, shown=(data.decode("utf-8"),))},
                    guard if guard is not None else require_guard(study))
    return path
