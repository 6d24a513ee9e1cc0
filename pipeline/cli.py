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


if __name__ == "__main__":  # pragma: no cover
    app()
