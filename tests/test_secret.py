"""The study secret: created once, 0600, encrypted with the key's passphrase; a published one warns."""

from __future__ import annotations

import stat

import pytest

from pipeline.errors import QualpipeError
from pipeline.ingest.segment import segment_id
from pipeline.secret import PublishedSecretWarning, secret_paths, study_secret
from pipeline.settings import load_study


def new_study(make_study, settings="name: S\ngroups: [stayed]\n"):
    return load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, settings=settings))


def test_created_once_private_and_stable(make_study):
    study = new_study(make_study)
    plain, encrypted = secret_paths(study)
    first = study_secret(study)
    assert len(first) == 32 and plain.exists() and not encrypted.exists()
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert study_secret(load_study(study.root)) == first


def test_two_studies_give_the_same_segment_other_ids(make_study, tmp_path):
    one = new_study(make_study)
    other = load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, root=tmp_path / "other"))
    args = ("1", "informant", "Det var Kari som ringte.", 0)
    assert segment_id(study_secret(one), *args) != segment_id(study_secret(other), *args)


def test_encrypted_with_the_passphrase_and_fails_closed_without(make_study, monkeypatch):
    study = new_study(make_study)
    plain, encrypted = secret_paths(study)
    first = study_secret(study)
    monkeypatch.setenv("QUALPIPE_KEY_PASSPHRASE", "hemmelig")
    assert study_secret(study) == first  # the plain secret is encrypted, same value
    assert encrypted.exists() and not plain.exists()
    assert stat.S_IMODE(encrypted.stat().st_mode) == 0o600
    assert first.hex().encode() not in encrypted.read_bytes()
    monkeypatch.delenv("QUALPIPE_KEY_PASSPHRASE")
    with pytest.raises(QualpipeError, match="QUALPIPE_KEY_PASSPHRASE"):
        study_secret(study)
    monkeypatch.setenv("QUALPIPE_KEY_PASSPHRASE", "feil")
    with pytest.raises(QualpipeError, match="wrong passphrase"):
        study_secret(study)


def test_a_damaged_secret_is_an_error_not_a_new_secret(make_study):
    study = new_study(make_study)
    study_secret(study)
    plain, _ = secret_paths(study)
    plain.write_text("{}", encoding="utf-8")
    with pytest.raises(QualpipeError, match="damaged"):
        study_secret(study)


def test_published_secret_warns_and_writes_nothing_private(make_study):
    study = new_study(make_study, "name: S\ngroups: [stayed]\nprivacy:\n  published_secret_for_synthetic_data: demo\n")
    with pytest.warns(PublishedSecretWarning, match="synthetic"):
        value = study_secret(study)
    assert value == study_secret(study) and not any(p.exists() for p in secret_paths(study))


def test_every_command_line_run_with_a_published_secret_warns(make_study):
    from typer.testing import CliRunner

    from pipeline.cli import app

    root = make_study({"a.txt": "I: Hvordan var det?\nIP: Det var fint.\n"},
                      informants="id,file,group\n1,a.txt,stayed\n",
                      settings="name: S\ngroups: [stayed]\nprivacy:\n  published_secret_for_synthetic_data: demo\n")
    result = CliRunner().invoke(app, ["--study", str(root), "ingest"])
    assert result.exit_code == 0, result.output
    assert "Advarsel:" in result.output and "synthetic" in result.output
