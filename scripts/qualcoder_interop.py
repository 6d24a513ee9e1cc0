"""Open a qualpipe .qdpx with QualCoder's own importer, headless, and print what QualCoder sees.

A manual interoperability check (not run in CI): it needs a checkout of QualCoder's public
source (https://github.com/ccbogel/QualCoder; tried with git c3204641) and a separate
virtual environment with PyQt6 and the few packages QualCoder's ``refi.py`` imports
(``pip install PyQt6 pymupdf pillow qtawesome``). It never fetches anything.

    qualpipe export qdpx --out /tmp/demo.qdpx
    QT_QPA_PLATFORM=offscreen /path/to/venv-with-pyqt6/bin/python scripts/qualcoder_interop.py \\
        --qualcoder /path/to/QualCoder /tmp/demo.qdpx [--codings data/coded/codings.csv]

QualCoder's ``RefiImport`` runs against a fresh project database made from the ``CREATE
TABLE`` statements of QualCoder's own ``new_project`` (read from its source), with its file
dialog answered by the given path. The script then prints the sources, the codes and the
codings per owner (QualCoder's ``code_text.owner``), and with ``--codings`` compares those
with the human codings qualpipe exported (accepted codings per coder in codings.csv).
"""

from __future__ import annotations

import argparse
import ast
import csv
import sqlite3
import sys
import tempfile
import types
from collections import Counter
from pathlib import Path


def qualcoder_schema(source: Path) -> list[str]:
    """The CREATE TABLE statements of QualCoder's MainWindow.new_project, in order."""
    tree = ast.parse((source / "src" / "qualcoder" / "__main__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "new_project":
            return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    and n.value.lstrip().upper().startswith("CREATE TABLE")]
    raise SystemExit("new_project() not found in QualCoder's __main__.py: another QualCoder version?")


def run_import(qualcoder: Path, qdpx: Path, work: Path) -> sqlite3.Connection:
    sys.path.insert(0, str(qualcoder / "src"))
    from PyQt6 import QtWidgets

    application = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["qualcoder-interop"])
    from qualcoder import helpers, refi

    project = work / "interop.qda"  # QualCoder's project folder: data.qda and the copied documents
    for folder in ("documents", "images", "audio", "video"):
        (project / folder).mkdir(parents=True)
    conn = sqlite3.connect(project / "data.qda")
    for statement in qualcoder_schema(qualcoder):
        conn.execute(statement)
    conn.commit()
    # Answer the dialogs QualCoder would show: the file to import, and its message boxes.
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(qdpx), "qdpx"))
    helpers.Message.exec = lambda self, *a, **k: 0
    app = types.SimpleNamespace(
        conn=conn, project_path=str(project), project_name="interop.qda", version="interop",
        settings={"codername": "default", "directory": str(work), "ai_enable": "False", "fontsize": 10},
        project_events=None, write_config_ini=lambda *a, **k: None, get_annotations=lambda *a, **k: [],
        ai=None, ai_models=[])
    log = QtWidgets.QTextEdit()
    refi.RefiImport(app, log, "qdpx")
    application.processEvents()
    duplicates = log.toPlainText().count("Duplicated text coding")
    print(f"QualCoder's import log: {duplicates} 'Duplicated text coding' line(s)")
    return conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("qdpx", type=Path)
    parser.add_argument("--qualcoder", type=Path, required=True, help="a checkout of QualCoder's source")
    parser.add_argument("--codings", type=Path, help="qualpipe's data/coded/codings.csv to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        conn = run_import(args.qualcoder.resolve(), args.qdpx.resolve(), Path(folder))
        sources = conn.execute("SELECT count(*) FROM source").fetchone()[0]
        codes = [r[0] for r in conn.execute("SELECT name FROM code_name ORDER BY name")]
        owners = Counter(dict(conn.execute("SELECT owner, count(*) FROM code_text GROUP BY owner")))
        print(f"sources: {sources}")
        print(f"codes: {len(codes)} ({', '.join(codes)})")
        for owner, count in sorted(owners.items()):
            print(f"codings by {owner}: {count}")
        if args.codings:
            ours = Counter(row["coder"] for row in csv.DictReader(args.codings.open(encoding="utf-8"))
                           if row["source"] == "human" and row["status"] == "accepted")
            missing = 0
            for coder, count in sorted(ours.items()):
                seen = owners.get(coder, 0)
                missing += max(count - seen, 0)
                print(f"{coder}: qualpipe {count}, QualCoder {seen}")
            print(f"missing in QualCoder: {missing}")
            sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
