"""The ``qualpipe`` command: a thin layer over the stage functions.

Errors a researcher can cause are printed as one line (``Feil: file: problem``)
with a non-zero exit; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import QualpipeError
from .settings import Study, load_study

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Norwegian interview studies: ingest, anonymise, code, compare, report.")
console = Console(stderr=True)
out = Console()


class _State:
    study_dir: Path = Path(".")
    debug: bool = False


state = _State()


@app.callback()
def main(
    study: Path = typer.Option(Path("."), "--study", help="Study folder (holds study.yaml, codebook.yaml, data/)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    state.study_dir = study
    state.debug = debug


def handle_errors(func):
    """Turn QualpipeError into one clear line and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except QualpipeError as error:
            if state.debug:
                raise
            console.print(f"[bold red]Feil:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            console.print("[yellow]Avbrutt.[/] Siste gode resultater er urørt.")
            raise typer.Exit(code=130) from None

    return wrapper


def track(items, description: str = "", total: int | None = None):
    """A rich progress bar; silent when there is nothing worth a bar."""
    items = list(items)
    total = len(items) if total is None else total
    if total <= 1 or not sys.stderr.isatty():
        yield from items
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)


def current_study() -> Study:
    return load_study(state.study_dir)


# ----------------------------------------------------------------- commands


@app.command()
@handle_errors
def run() -> None:
    """Run every stage in order: the whole study, raw transcripts to report."""
    from .workflow import run_all

    study = current_study()
    run_all(study, track=track, echo=lambda line: out.print(line, highlight=False))


@app.command()
@handle_errors
def ingest() -> None:
    """Read transcripts and the informants table; segment what is new or changed."""
    from .workflow import ingest_stage

    out.print(ingest_stage(current_study(), track), highlight=False)


@app.command()
@handle_errors
def status() -> None:
    """Informants per group, segments, words, codings by source, what is stale."""
    from .status import study_status

    found = study_status(current_study())
    table = Table(title="Informanter per gruppe")
    table.add_column("gruppe")
    table.add_column("n", justify="right")
    for group, n in sorted(found.informants_per_group.items()):
        table.add_row(group, str(n))
    out.print(table)
    out.print(f"Transkripsjoner: {found.transcripts}")
    out.print(f"Segmenter: {found.segments_ingested} innlest, {found.segments_anonymised} anonymisert")
    out.print(f"Ord (informanter): {found.informant_words}")
    out.print("Kodinger etter kilde: " + (", ".join(f"{k} {v}" for k, v in sorted(found.codings_by_source.items())) or "ingen"))
    if found.human_coders:
        out.print("Menneskelige kodere: " + ", ".join(f"{k} {v}" for k, v in sorted(found.human_coders.items())))
    if found.stale:
        out.print("[yellow]Utdatert:[/]")
        for line in found.stale:
            out.print(f"  {line}", highlight=False)
    else:
        out.print("Alt er oppdatert.")


@app.command()
@handle_errors
def compare(
    by: Optional[str] = typer.Option(None, "--by", help="Informant attribute to compare by (default: group, "
                                     "or compare.by in study.yaml), e.g. age_group, refugee_background."),
) -> None:
    """Codes across informant groups (prevalence, co-occurrence, Fisher tests) and informant clusters."""
    from .compare import compare_stage

    out.print(compare_stage(current_study(), track, by=by), highlight=False)


@app.command()
@handle_errors
def topics() -> None:
    """Emergent topics (BERTopic, offline) and topics that no code covers."""
    from .topics import topics_stage

    out.print(topics_stage(current_study(), track), highlight=False)


@app.command()
@handle_errors
def report(
    no_topics: bool = typer.Option(False, "--no-topics", help="Leave out emergent topics (BERTopic, the slowest part)."),
) -> None:
    """The findings report: reports/rapport.html, rapport.md (+ figures/) and rapport.docx."""
    from .report.writers import report_stage

    out.print(report_stage(current_study(), track, with_topics=not no_topics), highlight=False)


# ---------------------------------------------- REFI-QDA exchange (pipeline/exchange, docs/exchange.md)

export_app = typer.Typer(no_args_is_help=True, help="Export for NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA).")
import_app = typer.Typer(no_args_is_help=True, help="Import codings made in another tool (REFI-QDA).")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


@export_app.command("qdpx")
@handle_errors
def export_qdpx_command(
    out_file: Optional[Path] = typer.Option(None, "--out", help="Output file (default reports/exchange/study.qdpx)."),
    include_suggestions: bool = typer.Option(False, "--include-suggestions",
                                             help="Also machine suggestions no human has decided yet."),
) -> None:
    """The anonymised, coded study as a .qdpx project."""
    from .exchange import export_qdpx

    out.print(export_qdpx(current_study(), out_file, include_suggestions).summary(), highlight=False)


@export_app.command("qdc")
@handle_errors
def export_qdc_command(
    out_file: Optional[Path] = typer.Option(None, "--out", help="Output file (default reports/exchange/codebook.qdc)."),
) -> None:
    """The codebook as a .qdc file."""
    from .exchange import export_qdc

    out.print(str(export_qdc(current_study(), out_file)), highlight=False)


@import_app.command("qdpx")
@handle_errors
def import_qdpx_command(
    file: Path = typer.Argument(..., help="The .qdpx file coded in another tool."),
    coder: str = typer.Option(..., "--coder", help="Human coder id the codings are recorded under."),
    from_user: Optional[str] = typer.Option(None, "--from-user",
                                            help="Only codings this user of the file made (default: all)."),
) -> None:
    """Codings of a .qdpx as one human coder's decisions (all or nothing)."""
    from .exchange import import_qdpx

    out.print(import_qdpx(current_study(), file, coder, from_user).summary(), highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
