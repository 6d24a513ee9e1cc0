"""REFI-QDA (QDA-XML 1.0) exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder.

* :func:`export_qdpx` writes the anonymised, coded study as a ``.qdpx``
  project (ZIP: ``project.qde`` + ``Sources/*.txt``);
* :func:`export_qdc` writes the codebook as a ``.qdc``;
* :func:`import_qdpx` reads codings made in another tool back in as one human
  coder's decisions;
* :func:`import_codebook` adds the codes of a ``.qdc`` or of Taguette's codebook
  CSV to ``codebook.yaml``; :func:`export_codebook_csv` writes that CSV.

See docs/exchange.md for the text layout, the position rule and the overlap rule.
"""

from .codebook_io import export_codebook_csv, import_codebook
from .qdc import export_qdc
from .qdpx import ExportResult, ImportResult, export_qdpx, import_qdpx

__all__ = ["ExportResult", "ImportResult", "export_codebook_csv", "export_qdc", "export_qdpx", "import_codebook",
           "import_qdpx"]
