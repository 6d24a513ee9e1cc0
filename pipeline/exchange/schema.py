"""Validate exports against the REFI-QDA XML schemas (QDA-XML 1.0).

The schemas are not shipped with qualpipe; pass the folder that holds
``Project-mrt2019.xsd`` and ``Codebook.xsd`` (in this repository's checkout:
``../shared/data/refi-qda/``, see SOURCE.md there).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import QualpipeError

PROJECT_XSD = "Project-mrt2019.xsd"
CODEBOOK_XSD = "Codebook.xsd"


def load_schemas(folder: Path):
    """(project schema, codebook schema) as ``xmlschema.XMLSchema`` objects."""
    import xmlschema

    folder = Path(folder)
    for name in (PROJECT_XSD, CODEBOOK_XSD):
        if not (folder / name).is_file():
            raise QualpipeError(f"schema {name} not found", folder)
    return xmlschema.XMLSchema(str(folder / PROJECT_XSD)), xmlschema.XMLSchema(str(folder / CODEBOOK_XSD))


def validation_errors(schema, xml: bytes, limit: int = 5) -> list[str]:
    """The first ``limit`` schema violations of ``xml`` (empty: valid)."""
    from lxml import etree

    tree = etree.fromstring(xml)
    return [str(error.reason or error) + f" (at {error.path})" for _, error in
            zip(range(limit), schema.iter_errors(tree))]
