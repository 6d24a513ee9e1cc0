"""qualpipe: from Norwegian interview transcripts to a findings report.

Data flows one way: raw transcripts -> segments -> anonymised segments ->
codings -> tables -> report. Each stage is a module of plain functions over
the typed records in :mod:`pipeline.records`; all file and database I/O lives
in :mod:`pipeline.store`; :mod:`pipeline.cli` is a thin layer on top.
"""

__version__ = "0.1.0"
