"""What the study holds and what is out of date (``qualpipe status``).

Outputs are a function of the inputs, so "up to date" means: the inputs now are
the inputs the last complete ``qualpipe run`` was made from. When a run
finishes, :func:`record_run_inputs` stores a fingerprint of each input in the
private store (data/private/, so no hash of raw material is ever shareable):
the transcripts, the informants table, the settings, the codebook (version and
content), each human coder's file, the anonymisation decisions and known
identifiers, and the spaCy pipeline. :func:`study_status` compares them with
the inputs as they are now and names each one that changed.

:func:`older_codebook_decisions` says which human decisions were made under
another codebook version than the current one; ``run`` prints it and stores it
for the report (:func:`stored_run_warnings`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QualpipeError
from .ingest import list_transcript_files
from .ingest.informants import shareable_file_name
from .settings import Study
from .store import PrivateStore, StudyStore

RUN_INPUTS_KEY = "run_inputs"
RUN_OUTPUTS_KEY = "run_outputs"
RUN_WARNINGS_KEY = "run_warnings"


@dataclass
class StudyStatus:
    informants_per_group: dict[str, int] = field(default_factory=dict)
    transcripts: int = 0
    segments_ingested: int = 0
    segments_anonymised: int = 0
    informant_words: int = 0
    codings_by_source: dict[str, int] = field(default_factory=dict)
    human_coders: dict[str, int] = field(default_factory=dict)  # coder -> segments decided
    stale: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ input fingerprints


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str | None:
    return _digest(path.read_bytes()) if path.is_file() else None


def _model_fingerprint(study: Study) -> str:
    """Package name and version of the pipeline ``model`` resolves to, without loading it."""
    from importlib.metadata import PackageNotFoundError, version

    from .nlp import resolve_model_name

    try:
        name = resolve_model_name(study.settings.model)
    except QualpipeError as error:
        return f"unavailable ({error.problem})"
    try:
        return f"{name}-{version(name)}"
    except PackageNotFoundError:
        return name


def _codebook_fingerprint(study: Study) -> dict[str, str | None]:
    from .codebook import load_codebook

    try:
        codebook = load_codebook(study.codebook_path)
    except QualpipeError as error:
        return {"version": None, "content": None, "error": str(error)}
    content = json.dumps(codebook.model_dump(), sort_keys=True, ensure_ascii=False)
    return {"version": codebook.version, "content": _digest(content.encode("utf-8"))}


def _tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> digest of every file under ``folder`` (none: empty)."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): _digest(p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}


def code_fingerprint() -> str:
    """The qualpipe code and data files the outputs were made by: a new version redoes them."""
    package = Path(__file__).resolve().parent
    parts = [f"{p.relative_to(package)}:{_digest(p.read_bytes())}" for p in sorted(package.rglob("*"))
             if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts]
    return _digest("\n".join(parts).encode("utf-8"))


def _private_fingerprints(study: Study) -> dict[str, str | None]:
    """The private inputs besides the decisions: the pseudonym key and the study secret (as files:
    reading them here must not create them)."""
    from .anonymise import keystore
    from . import secret

    names = (keystore.PLAIN_NAME, keystore.ENCRYPTED_NAME, secret.PLAIN_NAME, secret.ENCRYPTED_NAME)
    return {name: _file_digest(study.private_dir / name) for name in names}


def output_fingerprints(study: Study) -> dict[str, str]:
    """Every shareable output as it is now: data/coded/ (but the derived store and the human files,
    which are inputs) and reports/."""
    coded = {f"data/coded/{k}": v for k, v in _tree_digest(study.coded_dir).items()
             if ".sqlite" not in k and not k.startswith("human/")}
    return coded | {f"reports/{k}": v for k, v in _tree_digest(study.reports_dir).items()}


def input_fingerprints(study: Study) -> dict:
    """A fingerprint of every input the outputs are made from, as the study folder holds them now."""
    from .anonymise.sources import DECISIONS_NAME
    from .ingest.informants import find_table

    transcripts = {}
    if study.transcripts_dir.is_dir():
        for file in list_transcript_files(study.transcripts_dir):
            transcripts[file] = _file_digest(study.transcripts_dir / file)
    try:
        table = find_table(study.raw_dir)
        informants = {"file": table.name, "sha256": _file_digest(table)}
    except QualpipeError:
        informants = None
    settings = json.dumps(study.settings.model_dump(), sort_keys=True, ensure_ascii=False)
    human = {}
    if study.human_dir.is_dir():
        human = {p.stem: _file_digest(p) for p in sorted(study.human_dir.glob("*.csv"))}
    known = study.root / study.settings.anonymisation.known_identifiers_file
    return {
        "transcripts": transcripts,
        "informants": informants,
        # The validated settings, not the file: a comment or a reordering changes no output.
        "settings": _digest(settings.encode("utf-8")),
        "codebook": _codebook_fingerprint(study),
        "human": human,
        "anonymisation_decisions": _file_digest(study.private_dir / DECISIONS_NAME),
        "known_identifiers": _file_digest(known),
        "model": _model_fingerprint(study),
        "context": _tree_digest(study.context_dir),
        "private": _private_fingerprints(study),
        "code": code_fingerprint(),
    }


def record_run_inputs(study: Study) -> None:
    """After a complete run: remember what its outputs were made from, and the outputs."""
    fingerprints = input_fingerprints(study)
    outputs = output_fingerprints(study)
    with PrivateStore(study.private_store_path) as private, private.transaction():
        private.set_meta(RUN_INPUTS_KEY, json.dumps(fingerprints, sort_keys=True))
        private.set_meta(RUN_OUTPUTS_KEY, json.dumps(outputs, sort_keys=True))


def nothing_to_do(study: Study) -> bool:
    """True when the inputs are those of the last complete run and its outputs are all there,
    unchanged: a run would write the same files again (outputs are a function of the inputs)."""
    if not study.private_store_path.exists():
        return False
    with PrivateStore(study.private_store_path) as private:
        inputs, outputs = private.get_meta(RUN_INPUTS_KEY), private.get_meta(RUN_OUTPUTS_KEY)
    if not inputs or not outputs:
        return False
    return (json.loads(inputs) == json.loads(json.dumps(input_fingerprints(study), sort_keys=True))
            and json.loads(outputs) == output_fingerprints(study))


def recorded_run_inputs(study: Study) -> dict | None:
    if not study.private_store_path.exists():
        return None
    with PrivateStore(study.private_store_path) as private:
        value = private.get_meta(RUN_INPUTS_KEY)
    return json.loads(value) if value else None


def changed_inputs(before: dict, now: dict) -> list[str]:
    """One line per input that differs between the last run and now (transcripts apart)."""
    lines = []
    if before.get("informants") != now["informants"]:
        name = (now["informants"] or before.get("informants") or {}).get("file", "informants table")
        lines.append(f"{name}: changed since the last run")
    if before.get("settings") != now["settings"]:
        lines.append("study.yaml: settings changed since the last run")
    old, new = before.get("codebook") or {}, now["codebook"]
    if new.get("error"):
        lines.append(f"codebook.yaml: {new['error']}")
    elif old.get("version") != new["version"]:
        lines.append(f"codebook.yaml: version {old.get('version')} -> {new['version']} since the last run")
    elif old.get("content") != new["content"]:
        lines.append(f"codebook.yaml: changed since the last run (version {new['version']} kept)")
    old_human, new_human = before.get("human") or {}, now["human"]
    for coder in sorted(set(old_human) | set(new_human)):
        if coder not in new_human:
            lines.append(f"data/coded/human/{coder}.csv: removed since the last run")
        elif coder not in old_human:
            lines.append(f"data/coded/human/{coder}.csv: new since the last run")
        elif old_human[coder] != new_human[coder]:
            lines.append(f"data/coded/human/{coder}.csv: changed since the last run (review import?)")
    if before.get("anonymisation_decisions") != now["anonymisation_decisions"]:
        lines.append("anonymisation decisions (data/private/): changed since the last run")
    if before.get("known_identifiers") != now["known_identifiers"]:
        lines.append("known identifiers file (data/private/): changed since the last run")
    if before.get("model") != now["model"]:
        lines.append(f"spaCy pipeline: {before.get('model')} -> {now['model']} since the last run")
    if before.get("context") != now.get("context"):
        lines.append("data/raw/context/: changed since the last run")
    if before.get("private") != now.get("private"):
        lines.append("the pseudonym key or the study secret (data/private/): changed since the last run")
    if before.get("code") != now.get("code"):
        lines.append("qualpipe itself changed since the last run (another version or local edits)")
    return lines


# ------------------------------------------------------------------ decisions under an older codebook


def older_codebook_decisions(study: Study) -> list[str]:
    """A line per coder whose decisions were made under another codebook version than the current one."""
    from .codebook import load_codebook

    if not study.store_path.exists():
        return []
    current = load_codebook(study.codebook_path).version
    with StudyStore(study.store_path) as store:
        counts = store.human_decision_versions()
    lines = []
    for coder in sorted({coder for coder, _ in counts}):
        older = {version: n for (c, version), n in counts.items() if c == coder and version != current}
        if older:
            total = sum(counts[(c, v)] for c, v in counts if c == coder)
            versions = ", ".join(f"{n} under {v}" for v, n in sorted(older.items()))
            lines.append(f"{coder}: {sum(older.values())} av {total} avgjørelser er gjort under en annen "
                         f"kodebokversjon enn gjeldende {current} ({versions}); se over dem med "
                         f"«qualpipe review export --all» før de brukes som fasit")
    return lines


def store_run_warnings(study: Study, lines: list[str]) -> None:
    """Keep the run's warnings with the coded data so the report can repeat them (counts only)."""
    with StudyStore(study.store_path) as store, store.transaction():
        store.set_meta(RUN_WARNINGS_KEY, json.dumps(lines, ensure_ascii=False))


def stored_run_warnings(study: Study) -> list[str]:
    if not study.store_path.exists():
        return []
    with StudyStore(study.store_path) as store:
        value = store.get_meta(RUN_WARNINGS_KEY)
    return json.loads(value) if value else []


# ------------------------------------------------------------------ status


def study_status(study: Study) -> StudyStatus:
    status = StudyStatus()
    now = input_fingerprints(study)
    raw_hashes = now["transcripts"]
    status.transcripts = len(raw_hashes)
    ingested: set[str] = set()
    shared: dict[str, str] = {}  # raw file -> its name in the study store
    if study.private_store_path.exists():
        with PrivateStore(study.private_store_path) as private:
            shared = {f: shareable_file_name(i, f) for f, i in private.informant_ids().items()}
            ingested_hashes = private.raw_hashes()
            ingested = set(ingested_hashes)
            for file in sorted(ingested & set(raw_hashes)):
                if ingested_hashes[file] != raw_hashes[file]:
                    status.stale.append(f"{file}: changed since it was ingested")
            status.segments_ingested = private.segment_count()
    for file in sorted(set(raw_hashes) - ingested):
        status.stale.append(f"{file}: not ingested yet")
    for file in sorted(ingested - set(raw_hashes)):
        status.stale.append(f"{file}: ingested but no longer in data/raw/transcripts")
    if study.store_path.exists():
        with StudyStore(study.store_path) as store:
            status.informants_per_group = dict(Counter(i.group for i in store.informants()))
            segments = store.segments()
            status.segments_anonymised = len(segments)
            status.informant_words = sum(len(s.text.split()) for s in segments if s.speaker == "informant")
            anonymised = set(store.transcript_hashes())
            for file in sorted(f for f in ingested if shared.get(f) not in anonymised):
                status.stale.append(f"{file}: ingested but not anonymised")
            codings = store.codings()
            status.codings_by_source = dict(Counter(c.source for c in codings))
            status.human_coders = {coder: len(decided) for coder, decided in
                                   ((c, store.human_reviews(c)) for c in store.human_coders())}
    before = recorded_run_inputs(study)
    if before is None:
        if ingested or study.store_path.exists():
            status.stale.append("no complete 'qualpipe run' recorded: the outputs may not match the inputs")
        elif raw_hashes:
            status.stale.append("not run yet: 'qualpipe run' makes the outputs")
    else:
        reported = {line.split(":", 1)[0] for line in status.stale}
        for file in sorted(set(raw_hashes) | set(before.get("transcripts", {}))):
            if file not in reported and before.get("transcripts", {}).get(file) != raw_hashes.get(file):
                status.stale.append(f"{file}: changed since the last run" if file in raw_hashes
                                    else f"{file}: removed since the last run")
        status.stale.extend(changed_inputs(before, now))
        status.stale.extend(changed_outputs(study))
    return status


def changed_outputs(study: Study) -> list[str]:
    """One line per output of the last complete run that is missing or was changed since."""
    with PrivateStore(study.private_store_path) as private:
        value = private.get_meta(RUN_OUTPUTS_KEY)
    if not value:
        return []
    before, now = json.loads(value), output_fingerprints(study)
    lines = [f"{name}: missing since the last run" for name in sorted(set(before) - set(now))]
    lines += [f"{name}: changed since the last run" for name in sorted(before) if name in now and before[name] != now[name]]
    return lines
