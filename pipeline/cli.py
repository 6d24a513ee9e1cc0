"""The ``qualpipe`` command: a thin layer over the stage functions.

Errors a researcher can cause are printed as one line (``Feil: file: problem``)
with a non-zero exit; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import QualpipeError
from .safeio import safe_text
from .settings import Study, load_study

# Options of the whole command that may also be written after the command ("qualpipe run --study X").
GLOBAL_OPTIONS = {"--study": True, "--debug": False, "--no-debug": False}  # name -> takes a value


def hoist_global_options(args: list[str]) -> list[str]:
    """Move ``--study X`` and ``--debug`` to the front, wherever they were written."""
    front, rest, index = [], [], 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name] and "=" not in arg
            front.extend(args[index:index + 1 + takes_value])
            index += 1 + takes_value
            continue
        rest.append(arg)
        index += 1
    return front + rest


class _Group(typer.core.TyperGroup):
    def parse_args(self, ctx, args):
        return super().parse_args(ctx, hoist_global_options(list(args)))


# Plain help: typer's rich help shows every flag as "--all <bool>", which reads as if it took a value.
HELP_STYLE = {"rich_markup_mode": None}
app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, **HELP_STYLE,
                  help="Norwegian interview studies: ingest, anonymise, code, compare, report.")
console = Console(stderr=True)
# Data (anonymised text with [PERSON_3] tags, stage summaries) is printed as is, never as markup.
out = Console(markup=False)


class _State:
    study_dir: Path = Path(".")
    debug: bool = False


state = _State()


@app.callback()
def main(
    study: Path = typer.Option(Path("."), "--study", help="Study folder (holds study.yaml, codebook.yaml, data/)."),
    debug: bool = typer.Option(False, "--debug/--no-debug", help="Show tracebacks."),
) -> None:
    state.study_dir = study
    state.debug = debug
    from .secret import PublishedSecretWarning

    # current_study() says it once per command, as one line.
    warnings.filterwarnings("ignore", category=PublishedSecretWarning)


def handle_errors(func):
    """Turn QualpipeError into one clear line and exit code 1.

    Control characters in the message (a file name with a newline) are written as
    escapes, so one error is always exactly one line.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except QualpipeError as error:
            if state.debug:
                raise
            from .anonymise.guard import shareable_message

            # An error line is pasted into e-mails and issues: the guard's rule holds for it too.
            message = shareable_message(Path(state.study_dir), str(error))
            console.print(f"[bold red]Feil:[/] {escape(safe_text(message))}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            console.print("[yellow]Avbrutt.[/] Siste gode resultater er urørt.")
            raise typer.Exit(code=130) from None

    return wrapper


def writes_study(func):
    """Run a command that writes the study under the study lock (one writer at a time; see
    pipeline.store.study_lock). A second writer waits, saying who holds the lock; read-only
    commands (status, deanonymise, agreement) do not take it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .store import study_lock

        root = Path(state.study_dir)
        if not root.is_dir():
            return func(*args, **kwargs)  # the command reports the missing folder itself
        name = func.__name__.removesuffix("_command").replace("_", " ")
        with study_lock(root, command=name, notify=lambda line: console.print(line, markup=False, highlight=False)):
            return func(*args, **kwargs)

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


STUDY_MARKERS = ("study.yaml", "codebook.yaml", "data")


def current_study() -> Study:
    """The study in --study (default: the current folder); a folder that holds none is an error."""
    folder = Path(state.study_dir)
    if folder.is_dir() and not any((folder / marker).exists() for marker in STUDY_MARKERS):
        raise QualpipeError("not a study folder (no study.yaml, codebook.yaml or data/ here); run qualpipe "
                            "in the study folder or name it with --study FOLDER", folder.resolve())
    study = load_study(folder)
    if study.settings.privacy.published_secret_for_synthetic_data:
        from .secret import PUBLISHED_WARNING

        console.print(f"[yellow]Advarsel:[/] {escape(PUBLISHED_WARNING)}", highlight=False, soft_wrap=True)
    return study


# ----------------------------------------------------------------- commands


@app.command()
@handle_errors
@writes_study
def run(
    workers: int = typer.Option(1, "--workers", min=1,
                                help="Worker processes for the per-transcript work (Dask; 1: in this process)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                            help="An existing Dask cluster, tcp://HOST:PORT (docs/scale.md)."),
) -> None:
    """Run every stage in order: the whole study, raw transcripts to report."""
    from .workflow import run_all

    study = current_study()
    run_all(study, track=track, echo=lambda line: out.print(line, highlight=False, soft_wrap=True),
            workers=workers, scheduler=scheduler)


@app.command()
@handle_errors
@writes_study
def ingest() -> None:
    """Read transcripts and the informants table; segment what is new or changed."""
    from .workflow import ingest_stage

    out.print(ingest_stage(current_study(), track), highlight=False)


@app.command()
@handle_errors
@writes_study
def anonymise(
    review: bool = typer.Option(False, "--review/--no-review", help="Also write the review sheet to data/private/."),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="Import keep/remove decisions (xlsx/csv) first."),
) -> None:
    """Replace identifiers in the ingested transcripts; key and review sheet stay in data/private/."""
    from .anonymise import anonymise_stage, export_review, import_decisions

    study = current_study()
    if decisions is not None:
        kept, removed = import_decisions(study, decisions)
        out.print(f"Avgjørelser lagret: {kept} behold, {removed} fjern", highlight=False)
    out.print(anonymise_stage(study, track), highlight=False)
    if review:
        for path in export_review(study):
            out.print(f"Til gjennomgang (privat): {path}", highlight=False)


@app.command()
@handle_errors
def deanonymise(segment_id: str = typer.Argument(..., help="Segment id, as in data/coded/segments.csv.")) -> None:
    """Show a segment's original text (needs the key in data/private, and its passphrase if encrypted)."""
    from .anonymise import deanonymise as show

    original, anonymised = show(current_study(), segment_id)
    out.print(f"Original:    {original}", highlight=False)
    out.print(f"Anonymisert: {anonymised}", highlight=False)


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
        out.print("Segmenter avgjort av menneskelige kodere: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(found.human_coders.items())))
    if found.stale:
        out.print("Utdatert:")
        for line in found.stale:
            out.print(f"  {line}", highlight=False)
    else:
        out.print("Alt er oppdatert.")


@app.command()
@handle_errors
@writes_study
def compare(
    by: Optional[str] = typer.Option(None, "--by", help="Informant attribute to compare by: any column of the "
                                     "informants table (default: group, or compare.by in study.yaml)."),
) -> None:
    """Codes across informant groups (prevalence, co-occurrence, Fisher tests) and informant clusters."""
    from .compare import compare_stage

    out.print(compare_stage(current_study(), track, by=by), highlight=False)


@app.command()
@handle_errors
@writes_study
def topics() -> None:
    """Emergent topics (BERTopic, offline) and topics that no code covers."""
    from .topics import topics_stage

    out.print(topics_stage(current_study(), track), highlight=False)


@app.command()
@handle_errors
@writes_study
def report(
    with_topics: bool = typer.Option(True, "--topics/--no-topics",
                                     help="The emergent topics chapter (read from `qualpipe topics`); --no-topics leaves it out."),
) -> None:
    """The findings report: reports/rapport.html, rapport.md (+ figures/) and rapport.docx."""
    from .report.writers import report_stage

    out.print(report_stage(current_study(), track, with_topics=with_topics), highlight=False)


@app.command()
@handle_errors
def serve(
    port: int = typer.Option(8765, "--port", help="Port to listen on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but this machine "
                             "(127.0.0.1) lets others on the network reach the workbench: only its token protects it."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Print the address but do not open a browser."),
) -> None:
    """A local web workbench: read transcripts, code them, review suggestions and detections, re-run."""
    from .serve import Server, is_loopback

    study = current_study()
    server = Server(study, host=host, port=port)
    if not is_loopback(host):
        console.print(f"[bold yellow]Advarsel:[/] --host {escape(host)} gjør arbeidsbenken synlig for andre maskiner "
                      "på nettet. Bare tokenet i adressen beskytter den, og trafikken er ukryptert (http).",
                      highlight=False, soft_wrap=True)
    out.print(f"Arbeidsbenken for {study.settings.name} kjører. Åpne:", highlight=False)
    out.print(f"    {server.url}", highlight=False, soft_wrap=True)
    out.print("Stopp med Ctrl-C.", highlight=False)
    if not no_browser:
        import webbrowser

        webbrowser.open(server.url)
    server.run()


# ---------------------------------------------- REFI-QDA exchange (pipeline/exchange, docs/exchange.md)

export_app = typer.Typer(no_args_is_help=True, **HELP_STYLE, help="Export for NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA).")
import_app = typer.Typer(no_args_is_help=True, **HELP_STYLE, help="Import codings made in another tool (REFI-QDA).")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


@export_app.command("qdpx")
@handle_errors
@writes_study
def export_qdpx_command(
    out_file: Optional[Path] = typer.Option(None, "--out", help="Output file (default reports/exchange/study.qdpx)."),
    include_suggestions: bool = typer.Option(False, "--include-suggestions/--no-include-suggestions",
                                             help="Also machine suggestions no human has decided yet."),
) -> None:
    """The anonymised, coded study as a .qdpx project."""
    from .exchange import export_qdpx

    out.print(export_qdpx(current_study(), out_file, include_suggestions).summary(), highlight=False)


@export_app.command("qdc")
@handle_errors
@writes_study
def export_qdc_command(
    out_file: Optional[Path] = typer.Option(None, "--out", help="Output file (default reports/exchange/codebook.qdc)."),
) -> None:
    """The codebook as a .qdc file."""
    from .exchange import export_qdc

    out.print(str(export_qdc(current_study(), out_file)), highlight=False)


@import_app.command("qdpx")
@handle_errors
@writes_study
def import_qdpx_command(
    file: Path = typer.Argument(..., help="The .qdpx file coded in another tool."),
    coder: str = typer.Option(..., "--coder", help="Human coder id the codings are recorded under."),
    from_user: Optional[str] = typer.Option(None, "--from-user",
                                            help="Only codings this user of the file made (default: all)."),
) -> None:
    """Codings of a .qdpx as one human coder's decisions (all or nothing)."""
    from .exchange import import_qdpx

    out.print(import_qdpx(current_study(), file, coder, from_user).summary(), highlight=False)


@export_app.command("codebook")
@handle_errors
@writes_study
def export_codebook_command(
    format: str = typer.Option("csv", "--format", help="csv (Taguette's codebook CSV) or qdc (REFI-QDA)."),
    out_file: Optional[Path] = typer.Option(None, "--out", help="Output file (default reports/exchange/codebook.FORMAT)."),
) -> None:
    """The codebook for another tool: Taguette's CSV or a .qdc."""
    from .errors import QualpipeError
    from .exchange import export_codebook_csv, export_qdc

    if format not in ("csv", "qdc"):
        raise QualpipeError(f"--format {format}: expected csv or qdc")
    study = current_study()
    written = export_codebook_csv(study, out_file) if format == "csv" else export_qdc(study, out_file)
    out.print(str(written), highlight=False)


def _import_codebook(file: Path, replace: bool) -> None:
    from .exchange import import_codebook

    study = current_study()
    out.print(import_codebook(study, file, replace).summary(study.codebook_path), highlight=False)


@import_app.command("qdc")
@handle_errors
@writes_study
def import_qdc_command(
    file: Path = typer.Argument(..., help="A REFI-QDA codebook (.qdc), e.g. exported by Taguette or NVivo."),
    replace: bool = typer.Option(False, "--replace", help="Take the file's definition where it differs from ours."),
) -> None:
    """Codes of a .qdc into codebook.yaml (new codes added; a differing definition stops unless --replace)."""
    _import_codebook(file, replace)


@import_app.command("codebook")
@handle_errors
@writes_study
def import_codebook_command(
    file: Path = typer.Argument(..., help="A .qdc or Taguette's codebook .csv."),
    replace: bool = typer.Option(False, "--replace", help="Take the file's definition where it differs from ours."),
) -> None:
    """Codes of a .qdc or a Taguette codebook CSV into codebook.yaml."""
    _import_codebook(file, replace)


# ------------------------------------------------- coding (pipeline/coding, docs/coding.md)


@app.command("code")
@handle_errors
@writes_study
def code_command(
    retrain: bool = typer.Option(False, "--retrain/--no-retrain", help="Refit the classifier even if no human decision changed."),
) -> None:
    """Code informant segments: human files in, rule and classifier suggestions out."""
    from .coding.stage import code_stage
    from .status import older_codebook_decisions

    study = current_study()
    out.print(code_stage(study, track, retrain=retrain), highlight=False)
    for line in older_codebook_decisions(study):
        out.print(f"Advarsel: {line}", highlight=False, soft_wrap=True)


review_app = typer.Typer(no_args_is_help=True, **HELP_STYLE, help="Review machine suggestions in a spreadsheet and import decisions.")
app.add_typer(review_app, name="review")


@review_app.command("export")
@handle_errors
@writes_study
def review_export_command(
    out_file: Optional[Path] = typer.Option(None, "--out", help="XLSX to write (default reports/review/review.xlsx); "
                                            "a CSV twin is written beside it."),
    include_decided: bool = typer.Option(False, "--all/--no-all", help="Also segments a human has already decided."),
    blind: bool = typer.Option(False, "--blind/--no-blind",
                               help="For an independent second coder: every segment, code columns empty, "
                                    "no suggestions (default file reports/review/review_blind.xlsx)."),
    next_n: Optional[int] = typer.Option(None, "--next", min=1, help="Only the N segments whose coding would teach "
                                         "the model most (uncertain, spread over informants and codes)."),
) -> None:
    """Undecided segments with context and suggestions, most uncertain first."""
    from .coding.review import export_review

    out.print(export_review(current_study(), out_file, include_decided, blind, next_n).summary(), highlight=False)


@review_app.command("import")
@handle_errors
@writes_study
def review_import_command(
    file: Path = typer.Argument(..., help="The filled-in review sheet (.xlsx or .csv)."),
    coder: str = typer.Option(..., "--coder", help="Human coder id, e.g. forsker1."),
) -> None:
    """Record the rows marked reviewed as this coder's decisions (all or nothing)."""
    from .coding.review import import_review

    out.print(import_review(current_study(), file, coder).summary(), highlight=False)


@app.command()
@handle_errors
def agreement(
    coder_a: Optional[str] = typer.Argument(None, help="A human coder id, or 'model' / 'rules' (default: the "
                                            "machine on held-out informants against the coder it learned from)."),
    coder_b: Optional[str] = typer.Argument(None, help="A human coder id, or 'model' / 'rules'."),
) -> None:
    """Kappa, alpha, n and 95 % bootstrap intervals per code; the machine only on informants it did not see."""
    from .coding.agreement import coder_agreement
    from .coding.heldout import read_heldout

    study = current_study()
    if (coder_a is None) != (coder_b is None):
        raise QualpipeError("give two coders (e.g. 'qualpipe agreement forsker1 forsker2') or none")
    if coder_a is None or "model" in (coder_a, coder_b):
        result, current = read_heldout(study)
        if result is None or not current:
            raise QualpipeError("the held-out agreement is missing or older than the coding; run 'qualpipe code'",
                                study.coded_dir)
        if result.reason:
            raise QualpipeError(f"no held-out agreement: {result.reason}", study.coded_dir)
        other = coder_b if coder_a == "model" else coder_a
        if coder_a is not None and other != result.coder:
            raise QualpipeError(f"the machine's held-out agreement is measured against {result.coder}, the coder "
                                f"it learns from, not '{other}'", study.coded_dir)
        _interval_tables(result.intervals, f"Maskin mot {result.coder} på informanter modellen ikke er trent på "
                         f"({result.method}, {result.n_informants} informanter)")
        if coder_a is None:
            for pair in dict.fromkeys(r.pair for r in result.humans):
                _interval_tables([r for r in result.humans if r.pair == pair], f"Menneske mot menneske: {pair}")
        if result.rules_only:
            out.print("Bare regler (for få menneskelige eksempler) i noen runder: " + ", ".join(sorted(result.rules_only)),
                      highlight=False)
        out.print(result.statement, highlight=False)
        return
    rows = coder_agreement(study, coder_a, coder_b, intervals=True)
    _interval_tables(rows, f"Enighet {coder_a} – {coder_b}")
    if not any(r.n for r in rows):
        out.print("Ingen enheter er kodet av begge.", highlight=False)


def _interval_tables(rows, title: str) -> None:
    from .coding.agreement import format_value

    def with_interval(value, low, high):
        return f"{format_value(value)} [{format_value(low)}–{format_value(high)}]"

    for level, name in (("segment", "segmentnivå"), ("turn", "turnivå")):
        level_rows = [r for r in rows if r.level == level]
        if not level_rows:
            continue
        table = Table(title=f"{title}, {name} (n = {level_rows[0].n} enheter begge har kodet; 95 % KI, bootstrap)")
        for column in ("kode", "n", "enighet %", "kappa [95 % KI]", "alfa [95 % KI]"):
            table.add_column(column, justify="left" if column == "kode" else "right")
        for r in level_rows:
            table.add_row(r.code, str(r.n), format_value(r.percent, 1), with_interval(r.kappa, r.kappa_low, r.kappa_high),
                          with_interval(r.alpha, r.alpha_low, r.alpha_high))
        out.print(table)


evaluate_app = typer.Typer(no_args_is_help=True, **HELP_STYLE, help="Measure anonymisation and coding against human references.")
app.add_typer(evaluate_app, name="evaluate")


SHOW_MISSES_WARNING = ("Advarsel: --show-misses skriver ut originaler (identifikatorer fra transkripsjonene) "
                       "rundt hver bom, feil og lekkasje; ikke del utskriften.")


@evaluate_app.command("anonymisation")
@handle_errors
def evaluate_anonymisation_command(
    gold: Path = typer.Option(..., "--gold", help="Gold folder: transcripts/, informants.csv, study.yaml, gold/*.json."),
    show: int = typer.Option(0, "--show-misses", help="Print this many misses, false positives and leaks: the "
                             "output holds originals (identifiers from the transcripts); do not share it."),
    without: list[str] = typer.Option([], "--without", help="Switch this recognizer off (repeatable; registry name)."),
    ablation: bool = typer.Option(False, "--ablation", help="Also run once with each recognizer switched off."),
) -> None:
    """Span recall/precision per type against gold annotations, and leaked identifiers."""
    from .evaluate import ablation as run_ablation
    from .evaluate import evaluate_anonymisation

    if ablation:
        table = Table(title="Ablasjon: én gjenkjenner av om gangen")
        for name in ("uten", "dekning direkte", "dekning alle", "presisjon", "behold", "lekkasjer (direkte)"):
            table.add_column(name, justify="left" if name == "uten" else "right")
        for name, res in run_ablation(gold, track=track):
            table.add_row("–" if name == "alle" else name, _fmt(res.direct.recall), _fmt(res.total.recall),
                          _fmt(res.total.precision), _fmt(res.kept), f"{res.leaks} ({res.direct_leaks})")
        out.print(table)
        return
    if show > 0:
        # What follows quotes the transcripts around each miss: originals, which the shareable
        # outputs never hold; the line goes to stderr so a redirected report still warns.
        typer.echo(SHOW_MISSES_WARNING, err=True)
    result = evaluate_anonymisation(gold, track=track, without=without)
    table = Table(title=f"Anonymisering mot gullstandard ({len(result.files)} transkripsjoner)")
    for name in ("type", "gull", "funnet", "dekning", "erstattet", "riktig", "presisjon"):
        table.add_column(name, justify="left" if name == "type" else "right")
    for score in [*result.by_type.values(), result.direct, result.total]:
        table.add_row(score.type, str(score.gold), str(score.covered), _fmt(score.recall), str(score.predicted),
                      str(score.correct), _fmt(score.precision))
    out.print(table)
    out.print(f"Behold-termer: {result.keep_total - result.keep_replaced} av {result.keep_total} beholdt; "
              f"lekkede identifikatorer i data/coded: {result.leaks} (direkte: {result.direct_leaks})", highlight=False)
    for name, need, got, ok in result.targets():
        out.print(f"{'OK ' if ok else 'IKKE'} {name}: {_fmt(got)} (mål {'≥' if need else '='} {_fmt(need, 2)})", highlight=False)
    for title, rows in (("Oversett", result.misses), ("Feil funn", result.false_positives),
                        ("Behold-term erstattet", result.keep_lost)):
        for file, kind, context in rows[:show]:
            out.print(f"{title}: {file} {kind}: {context}", highlight=False)
    for kind, original, context in result.leaked[:show]:
        out.print(f"Lekket til data/coded: {kind} {original!r}: {context}", highlight=False)


@evaluate_app.command("ner")
@handle_errors
def evaluate_ner_command(
    conllu: Optional[Path] = typer.Option(None, "--conllu", help="NorNE CoNLL-U file (default: the Bokmål test split)."),
) -> None:
    """The study pipeline's NER on NorNE: exact-span precision/recall/F1 per label."""
    from .evaluate import evaluate_ner

    study = current_study()
    path = conllu or _default_conllu(study.root)
    result = evaluate_ner(path, study.settings.model, track=track)
    table = Table(title=f"NER {result.model} på {result.path.name} ({result.sentences} setninger)")
    for name in ("etikett", "gull", "funnet", "riktig", "presisjon", "dekning", "F1"):
        table.add_column(name, justify="left" if name == "etikett" else "right")
    for score in [*result.by_label.values(), result.micro]:
        table.add_row(score.label, str(score.gold), str(score.predicted), str(score.correct),
                      _fmt(score.precision), _fmt(score.recall), _fmt(score.f1))
    out.print(table)


def _fmt(value: float | None, digits: int = 3) -> str:
    from .norwegian import decimal

    return decimal(value, digits)


def _default_conllu(study_root: Path) -> Path:
    """../shared/data/norne/... relative to the study root, else to the repository root."""
    relative = Path("../shared/data/norne/ud/nob/no_bokmaal-ud-test.conllu")
    for base in (study_root, Path(__file__).resolve().parents[1], Path.cwd()):
        if (base / relative).exists():
            return (base / relative).resolve()
    return study_root / relative


@evaluate_app.command("coding")
@handle_errors
def evaluate_coding_command(
    coder: Optional[str] = typer.Option(None, "--coder", help="Human reference (default coding.primary_coder)."),
    against: Optional[Path] = typer.Option(None, "--against", help="Score on another folder's coding instead "
                                           "(transcripts/, informants.csv, study.yaml, gold/turns.csv)."),
    curve: bool = typer.Option(False, "--learning-curve/--no-learning-curve",
                               help="F1 and kappa per code against the number of interviews coded (0, 1, 2, 4 ...)."),
    alone: bool = typer.Option(False, "--alone/--with-study", help="With --against --learning-curve: learn only "
                               "from the other folder's coded interviews, not from this study's coder."),
    show_errors: int = typer.Option(3, "--errors", help="Examples of the weakest code's misses to print."),
) -> None:
    """Held-out informants: P/R/F1 and kappa per code vs a human coder, beside a keyword baseline."""
    from .coding.agreement import format_value
    from .coding.evaluation import MICRO, METHOD_MODEL, METHOD_RULES, evaluate_against, learning_curve
    from .evaluate import evaluate_coding

    study = current_study()
    if curve:
        what, points = learning_curve(study, against, coder, with_base=not alone, track=track)
        codes = [c for c in points[0].f1 if c != MICRO] + [MICRO]
        table = Table(title=f"Læringskurve, turnivå: {what}")
        table.add_column("intervjuer kodet", justify="right")
        table.add_column("turer vurdert", justify="right")
        for code in codes:
            table.add_column(f"F1 {code}", justify="right")
        for code in codes:
            table.add_column(f"kappa {code}", justify="right")
        for p in points:
            table.add_row(f"{p.coded}" + (f" (snitt av {p.rotations})" if p.rotations > 1 else ""), str(p.n_turns),
                          *(format_value(p.f1[c]) for c in codes), *(format_value(p.kappa[c]) for c in codes))
        out.print(table)
        out.print("0 intervjuer: " + ("bare nøkkelordreglene" if against is None or alone else
                                     "modellen trent på denne studiens koding alene") + ".", highlight=False)
        return
    result = evaluate_against(study, against, coder, track) if against else evaluate_coding(study, coder, track)
    out.print(f"Referanse: {result.coder}; {result.n_informants} informanter, {result.n_segments} segmenter, "
              f"{result.n_turns} turer; {result.description}.", highlight=False)
    for level, title in (("segment", "segmentnivå"), ("turn", "turnivå")):
        if not any(s.level == level for s in result.scores):
            continue
        table = Table(title=f"Koding mot {result.coder}, {title}")
        for name in ("metode", "kode", "presisjon", "dekning", "F1", "kappa", "ja menneske", "ja maskin"):
            table.add_column(name, justify="left" if name in ("metode", "kode") else "right")
        for method in (METHOD_MODEL, METHOD_RULES):
            for s in (s for s in result.scores if s.level == level and s.method == method):
                table.add_row(method, s.code, format_value(s.precision), format_value(s.recall),
                              format_value(s.f1), format_value(s.kappa), str(s.support), str(s.predicted))
        out.print(table)
    if result.rules_only_folds:
        out.print("Bare regler (for få eksempler): " + ", ".join(sorted(result.rules_only_folds)), highlight=False)
    for name, required, achieved, met in result.targets():
        out.print(f"{'OK ' if met else 'IKKE'} {name}: {format_value(achieved)} (mål ≥ {format_value(required)})", highlight=False)
    for kind, title in (("fn", "oversett"), ("fp", "feilaktig kodet")):
        examples = result.errors.get(kind, [])
        if examples and show_errors:
            out.print(f"{result.weakest_code}, {title} ({len(examples)}):", highlight=False)
            for segment_id, text in examples[:show_errors]:
                out.print(f"  {segment_id}: {text[:160]}", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
