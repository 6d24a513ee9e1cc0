"""Validate exports against the REFI-QDA XML schemas (QDA-XML 1.0).

The schemas are not shipped with qualpipe; pass the folder that holds
``Project-mrt2019.xsd`` and ``Codebook.xsd`` (in this repository's checkout:
``../shared/data/refi-qda/``).

The circulating copy of ``Codebook.xsd`` was pasted from the PDF of the
standard and is not well-formed: spaces are missing between element names and
attributes (``<xsd:elementname=``) and between attributes, and every hyphen is
U+2010, which breaks the comments and turns the GUID pattern's ``0-9`` ranges
into literal characters (no real GUID would match). :func:`repair_codebook_xsd`
undoes exactly those three mechanical faults; the declarations themselves are
left as published.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import QualpipeError

PROJECT_XSD = "Project-mrt2019.xsd"
CODEBOOK_XSD = "Codebook.xsd"


def repair_codebook_xsd(text: str) -> str:
    text = text.replace("\u2010", "-")
    text = re.sub(r"<xsd:(element|complexType|attribute|simpleType|restriction|pattern)(name|base|value)=",
                  r"<xsd:\1 \2=", text)
    return re.sub(r'"(?=[A-Za-z]+=")', '" ', text)


def load_schemas(folder: Path):
    """(project schema, codebook schema) as ``xmlschema.XMLSchema`` objects."""
    import xmlschema

    folder = Path(folder)
    for name in (PROJECT_XSD, CODEBOOK_XSD):
        if not (folder / name).is_file():
            raise QualpipeError(f"schema {name} not found", folder)
    project = xmlschema.XMLSchema(str(folder / PROJECT_XSD))
    codebook = xmlschema.XMLSchema(repair_codebook_xsd((folder / CODEBOOK_XSD).read_text(encoding="utf-8")))
    return project, codebook


def validation_errors(schema, xml: bytes, limit: int = 5) -> list[str]:
    """The first ``limit`` schema violations of ``xml`` (empty: valid)."""
    from lxml import etree

    tree = etree.fromstring(xml)
    return [str(error.reason or error) + f" (at {error.path})" for _, error in
            zip(range(limit), schema.iter_errors(tree))]
