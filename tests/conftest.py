"""Shared fixtures: small studies built in a temporary folder.

``make_study`` writes a study folder from plain strings/bytes so every test
states its own input. ``demo_study`` is a copy of the repository's worked
demo study, for end-to-end tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.store import copy_study_inputs

REPO = Path(__file__).resolve().parents[1]

# Neutral defaults: nothing of the demo study. A test that needs the demo's codebook says so
# with codebook=DEMO_CODEBOOK.
DEFAULT_SETTINGS = """\
name: Teststudie
"""
DEFAULT_GROUP = "a"
NEUTRAL_CODEBOOK = """\
version: "1"
name: Testkodebok
codes:
  - id: support
    label: Støtte
    definition: Informanten forteller om hjelp eller støtte fra andre.
    colour: "#1b9e77"
    patterns: [hjelp, støtte]
  - id: time
    label: Tid
    definition: Informanten snakker om tid, venting eller tidspress.
    colour: "#d95f02"
    patterns: [tid, vente]
  - id: worry
    label: Bekymring
    definition: Informanten uttrykker uro eller bekymring.
    colour: "#7570b3"
    patterns: [bekymret, redd, uro]
"""
DEMO_CODEBOOK = (REPO / "codebook.yaml").read_text(encoding="utf-8")
# The demo codebook names the demo's site, an office and a product no dictionary lists ("Vi flyttet til
# Trondheim", "Boligkontoret", "startlån"); the guard refuses a codebook text with such a word unless the
# study keeps it, as the demo's study.yaml does. A test study using this codebook keeps the same terms.
DEMO_CODEBOOK_KEEP = ["Trondheim", "Boligkontoret", "startlån"]


def with_codebook_keep_terms(settings: str, codebook: str | None) -> str:
    """``settings`` keeping DEMO_CODEBOOK_KEEP when ``codebook`` is the demo's and no keep terms are set."""
    if codebook != DEMO_CODEBOOK or "keep_terms" in settings:
        return settings
    line = f"  keep_terms: [{', '.join(DEMO_CODEBOOK_KEEP)}]\n"
    if "\nanonymisation:\n" in "\n" + settings:
        return ("\n" + settings).replace("\nanonymisation:\n", "\nanonymisation:\n" + line, 1)[1:]
    return settings + ("" if settings.endswith("\n") or not settings else "\n") + "anonymisation:\n" + line


@pytest.fixture
def make_study(tmp_path):
    """Build a study: make_study({"a.txt": "I: ...\\nIP: ..."}, informants="id,file,group\\n1,a.txt,a\\n")."""

    def build(transcripts: dict[str, str | bytes], informants: str | None = None,
              settings: str = DEFAULT_SETTINGS, codebook: str | None = None, root: Path | None = None) -> Path:
        root = root or tmp_path / "study"
        folder = root / "data" / "raw" / "transcripts"
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in transcripts.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (folder / name).write_bytes(data)
        if informants is None:
            informants = "id,file,group\n" + "".join(
                f"{i},{name},{DEFAULT_GROUP}\n" for i, name in enumerate(sorted(transcripts), start=1))
        (root / "data" / "raw" / "informants.csv").write_text(informants, encoding="utf-8")
        (root / "study.yaml").write_text(with_codebook_keep_terms(settings, codebook), encoding="utf-8")
        (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK if codebook is None else codebook, encoding="utf-8")
        return root

    return build


@pytest.fixture
def demo_study(tmp_path) -> Path:
    """A private copy of the repository's demo study (raw data, settings, codebook, human codings)."""
    return copy_study_inputs(REPO, tmp_path / "demo")


# The one generated-at line of a report (tests/test_determinism.py compares runs byte for byte).
DEMO_EPOCH = "1560000000"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, list[str]]:
    """The demo study run once per test session, raw transcripts to report, as `qualpipe run`
    does (SOURCE_DATE_EPOCH fixed), and the run's console lines. A full demo run (with the
    held-out agreement's refits) is the most expensive thing the suite does, so the tests that
    only read its outputs share this one; READ ONLY — a test that changes the study takes
    ``demo_run_copy``."""
    from pipeline.settings import load_study
    from pipeline.workflow import run_all

    root = copy_study_inputs(REPO, tmp_path_factory.mktemp("demo-run") / "demo")
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", DEMO_EPOCH)
        run_all(load_study(root), echo=lines.append)
    return root, lines


@pytest.fixture
def demo_run_copy(demo_run, tmp_path) -> Path:
    """A private copy of the run demo study (inputs, data/private, data/coded, reports)."""
    import shutil

    return Path(shutil.copytree(demo_run[0], tmp_path / "demo"))


def person_detections(text: str, *names: str, score: float = 0.85) -> list:
    """Hand-made PERSON detections of ``names`` (their first occurrence in ``text``), as another
    recognizer would have given them, for the recognizers that read the others' detections."""
    from pipeline.anonymise.detection import PERSON, Detection

    out = []
    for name in names:
        start = text.index(name)
        out.append(Detection(start, start + len(name), PERSON, score, "ner", name))
    return out
