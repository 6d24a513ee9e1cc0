"""The leak guard cannot be bypassed: one Guard type, require_guard raises instead of returning None,
and every shareable file is written by write_shareable, which refuses anything but a Guard."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline.anonymise import guard as guard_module
from pipeline.anonymise.guard import Guard, require_guard
from pipeline.errors import LeakError, QualpipeError
from pipeline.settings import load_study
from pipeline.store import Shareable, write_shareable

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
LOW_LEVEL = {"atomic_write_text", "atomic_write_bytes", "atomic_write_set"}
# Callers of the low-level writers outside store.py, each writing nothing shareable.
PRIVATE_WRITERS = {
    "anonymise/keystore.py": "the pseudonym key and other files of data/private/",
    "coding/stage.py": "the coding model in data/private/",
    "coding/vectors.py": "the study's word vectors in data/private/ (0600)",
    "exchange/codebook_io.py": "codebook.yaml, a study input edited in place",
}


def study_of(make_study):
    return load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"},
                                 informants="id,file,group,name\n1,a.txt,stayed,Hamid Rahimi\n"))


@pytest.mark.parametrize("fake", [None, lambda text, path: None, "guard", object()])
def test_write_shareable_refuses_anything_but_a_guard(make_study, fake):
    study = study_of(make_study)
    target = study.coded_dir / "x.csv"
    with pytest.raises(TypeError, match="Guard"):
        write_shareable(study.root, {target: "Hamid Rahimi"}, fake)
    assert not target.exists()


def test_binary_content_needs_the_text_it_shows(make_study):
    study = study_of(make_study)
    with pytest.raises(TypeError, match="shows"):
        write_shareable(study.root, {study.reports_dir / "f.png": b"\x89PNG"}, require_guard(study))
    with pytest.raises(LeakError):
        write_shareable(study.root, {study.reports_dir / "f.png": Shareable(b"\x89PNG", shown=("Hamid sa",))},
                        require_guard(study))
    assert not (study.reports_dir / "f.png").exists()


def test_a_refused_set_writes_none_of_its_files(make_study):
    study = study_of(make_study)
    good, bad = study.coded_dir / "a.csv", study.coded_dir / "b.csv"
    with pytest.raises(LeakError):
        write_shareable(study.root, {good: "ingen navn her", bad: "Rahimi ringte"}, require_guard(study))
    assert not good.exists() and not bad.exists()


def test_require_guard_raises_never_returns_none(make_study, monkeypatch):
    study = study_of(make_study)
    assert isinstance(require_guard(study), Guard)

    def broken(*_args, **_kwargs):
        raise QualpipeError("the anonymisation key file is damaged")

    monkeypatch.setattr(guard_module, "read_key_data", broken)
    with pytest.raises(QualpipeError):
        require_guard(study)


def test_no_guard_means_no_review_export(make_study, monkeypatch):
    """The review export used a wrapper that returned None on ImportError and then wrote unguarded."""
    from pipeline.coding import review

    study = study_of(make_study)

    def unavailable(_study):
        raise ImportError("no anonymisation package")

    monkeypatch.setattr(guard_module, "require_guard", unavailable)
    with pytest.raises(ImportError):
        review.export_review(study)
    assert not (study.reports_dir / "review").exists()


def test_one_guard_type_and_no_other_wrappers():
    sources = {p.relative_to(PIPELINE).as_posix(): p.read_text(encoding="utf-8") for p in PIPELINE.rglob("*.py")}
    for name, text in sources.items():
        tree = ast.parse(text)
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assigned = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
                    if isinstance(t, ast.Name)}
        if name != "anonymise/guard.py":
            assert "Guard" not in defined | assigned, f"{name} defines its own Guard"
        assert not ({"leak_guard", "study_guard", "study_leak_guard", "build_guard"} & defined), name


def test_only_private_files_are_written_past_write_shareable():
    found = {}
    for path in PIPELINE.rglob("*.py"):
        name = path.relative_to(PIPELINE).as_posix()
        if name == "store.py":
            continue
        calls = {n.func.id if isinstance(n.func, ast.Name) else n.func.attr
                 for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)
                 and isinstance(n.func, (ast.Name, ast.Attribute))}
        if calls & LOW_LEVEL:
            found[name] = sorted(calls & LOW_LEVEL)
    assert set(found) == set(PRIVATE_WRITERS), found
