"""The qualpipe command: one-line errors with exit 1, run and status on a small study."""

from __future__ import annotations

from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()

TRANSCRIPT = ("I: Hvordan var det å kjøpe leiligheten?\n"
              "IP: Vi fikk rabatt på femti tusen, og prisen var grei. Nå slipper vi å flytte.\n"
              "I: Fikk dere informasjon?\nIP: Ja, vi hadde møter med NAV om budsjettet.\n")


def test_bad_input_is_one_line_and_exit_1(make_study):
    root = make_study({"a.txt": "Ingen etiketter her.\n"})
    result = runner.invoke(app, ["--study", str(root), "ingest"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Feil:" in lines[0] and "1.txt" in lines[0] and "no speaker label" in lines[0]
    assert not (root / "data" / "private").exists()


def test_missing_study_folder(tmp_path):
    result = runner.invoke(app, ["--study", str(tmp_path / "finnes-ikke"), "status"])
    assert result.exit_code == 1 and "study folder does not exist" in result.output


def test_run_then_status_then_rerun(make_study):
    root = make_study({"a.txt": TRANSCRIPT, "b.txt": TRANSCRIPT.replace("femti", "førti")})
    first = runner.invoke(app, ["--study", str(root), "run"])
    assert first.exit_code == 0, first.output
    assert "[ingest]" in first.output and "[report]" in first.output
    status = runner.invoke(app, ["--study", str(root), "status"])
    assert status.exit_code == 0
    assert "Alt er oppdatert." in status.output and "gruppe" in status.output
    segments = (root / "data" / "coded" / "segments.csv").read_text(encoding="utf-8")
    again = runner.invoke(app, ["--study", str(root), "run"])
    assert again.exit_code == 0 and "ingenting er endret" in again.output  # only checked
    assert (root / "data" / "coded" / "segments.csv").read_text(encoding="utf-8") == segments


def test_status_reports_stale_transcripts(make_study):
    root = make_study({"a.txt": TRANSCRIPT})
    assert runner.invoke(app, ["--study", str(root), "ingest"]).exit_code == 0
    (root / "data" / "raw" / "transcripts" / "a.txt").write_text(TRANSCRIPT + "I: Takk.\n", encoding="utf-8")
    result = runner.invoke(app, ["--study", str(root), "status"])
    assert "a.txt: changed since it was ingested" in result.output
    assert "a.txt: ingested but not anonymised" in result.output


def test_run_without_codebook_stops_before_writing_anything(make_study):
    root = make_study({"a.txt": TRANSCRIPT})
    (root / "codebook.yaml").unlink()
    result = runner.invoke(app, ["--study", str(root), "run"])
    assert result.exit_code == 1 and "codebook.yaml: codebook not found" in result.output
    assert not (root / "data" / "private").exists() and not (root / "data" / "coded").exists()


def test_study_option_after_the_command_too(make_study):
    root = make_study({"a.txt": TRANSCRIPT})
    result = runner.invoke(app, ["ingest", "--study", str(root)])
    assert result.exit_code == 0, result.output
    assert "1 informanter" in result.output
    status = runner.invoke(app, ["status", f"--study={root}"])
    assert status.exit_code == 0 and "Segmenter:" in status.output
    nested = runner.invoke(app, ["review", "export", "--study", str(root / "finnes-ikke")])
    assert nested.exit_code == 1 and "study folder does not exist" in nested.output


def test_flags_take_no_value_and_have_a_negative_form():
    from pipeline.cli import hoist_global_options

    help_text = runner.invoke(app, ["review", "export", "--help"]).output
    assert "<bool>" not in help_text and "--all / --no-all" in help_text
    assert "--topics / --no-topics" in runner.invoke(app, ["report", "--help"]).output
    assert hoist_global_options(["review", "export", "--all", "--study", "x", "--debug"]) == [
        "--study", "x", "--debug", "review", "export", "--all"]
    assert hoist_global_options(["run", "--", "--study"]) == ["run", "--", "--study"]


def test_commands_outside_a_study_folder_say_so_and_fail(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["status"], ["report"], ["run"], ["review", "export"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, command
        assert "not a study folder" in result.output and "--study" in result.output
    assert not any(tmp_path.iterdir())  # nothing written


def test_show_misses_warns_on_stderr_that_its_output_holds_originals(monkeypatch):
    """With N > 0 one line on stderr says the printed misses hold originals; with N = 0 none."""
    from pathlib import Path

    import pipeline.evaluate as evaluate
    from pipeline.cli import SHOW_MISSES_WARNING

    gold = Path(__file__).parent / "data" / "anon_gold"
    calls = []
    real = evaluate.evaluate_anonymisation

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate, "evaluate_anonymisation", counted)
    shown = runner.invoke(app, ["evaluate", "anonymisation", "--gold", str(gold), "--show-misses", "3"])
    assert shown.exit_code == 0, shown.output
    assert [line for line in shown.stderr.splitlines() if line.strip()] == [SHOW_MISSES_WARNING]
    assert "originaler" in SHOW_MISSES_WARNING and "ikke del" in SHOW_MISSES_WARNING
    assert SHOW_MISSES_WARNING not in shown.stdout and "Anonymisering mot gullstandard" in shown.stdout
    quiet = runner.invoke(app, ["evaluate", "anonymisation", "--gold", str(gold)])
    assert quiet.exit_code == 0 and SHOW_MISSES_WARNING not in quiet.output
    assert len(calls) == 2
