"""What the researchers told us: informants' names, known identifiers, keep terms, decisions.

Shared by the stage and the leak guard so both see the same lists.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..errors import QualpipeError
from ..records import Informant
from ..settings import Study
from .gazetteer import load_gazetteer
from .matcher import fold_separators, tokens_of
from .detection import EPOST, ORG, PERSON, STED, TYPES
from .registry import default_recognizers

DECISIONS_NAME = "anonymisation_decisions.json"


def informant_label(study: Study, informant: Informant) -> str:
    """How an informant is referred to everywhere: "boligkjøper 7", "ansatt S1"."""
    group = study.settings.group_labels.get(informant.group, informant.group)
    return f"{group} {informant.id}"


def label_texts(study: Study) -> tuple[str, ...]:
    """The study's own labels as the tool writes them, verbatim, into shareable text: each group's
    label (study.yaml's ``group_labels``, else the group's key), which every informant's pseudonym
    holds (``informant_label``) wherever a transcript says the name, and the report's group names.
    The guard reads a label as the text it is, on its own (``guard.Guard``): "Kjøpte og ble boende"
    opens with its capital wherever it is written ("... heter Kjøpte og ble boende B1")."""
    s = study.settings
    labels = {s.group_labels.get(g, g) for g in s.groups} | set(s.group_labels.values()) | set(s.report.group_names.values())
    return tuple(sorted(label for label in labels if label and tokens_of(label)))


def label_words(study: Study) -> frozenset[str]:
    """The lower-cased words of :func:`label_texts`: the researchers' own wording, as the codebook's
    (``own_words``) — a detected name that is one of these and an ordinary word ("kjøpte" of
    "Kjøpte og ble boende") is the word before it is anyone's name."""
    return frozenset(w.lower() for label in label_texts(study) for w in _WORD.findall(label))


def without_accents(text: str) -> str:
    """``text`` without its accents ("Hêvî Barzanî" -> "Hevi Barzani", "Trần" -> "Tran"), as
    automatic captions and keyboards without the letters write a name; å, æ and ø stay letters."""
    out = []
    for c in unicodedata.normalize("NFC", text):  # "a" + a combining ring is "å" too
        if c in "åÅ":
            out.append(c)
        else:
            out.extend(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    return unicodedata.normalize("NFC", "".join(out))


def name_variants(name: str) -> list[str]:
    """The forms a person's name is written in: full, first name(s), first, last, first + last,
    and each of them without its accents. An underscore separates the words ("Hamid_Rahimi", as the
    matcher reads it)."""
    words = fold_separators(name).split()
    variants = [" ".join(words[:-1]), words[0], words[-1], f"{words[0]} {words[-1]}"] if len(words) >= 2 else []
    variants += [without_accents(v) for v in [name, *variants]]
    out: list[str] = []
    for v in variants:
        if v != name and v not in out and any(len(t) > 1 for t in tokens_of(v)):  # "h", "K.": no name
            out.append(v)
    return out


def _informant_table(study: Study):
    """The study's informants table, or None for a study without a raw folder (its transcripts and
    table were never placed here). A table that is there but cannot be read is the user's error,
    raised with its file name: read without it, its names and speaker labels would go unprotected."""
    from ..ingest import load_informant_table

    if not study.raw_dir.exists():
        return None
    return load_informant_table(study)


def informant_variants(study: Study) -> list[tuple[Informant, str, list[str]]]:
    """(informant, name, variants) for informants with a name in the private column.

    A short form shared by two informants ("Anne" for two Annes) is dropped for
    both: it cannot say who is meant, so ordinary detection handles it.
    """
    table = _informant_table(study)
    if table is None:
        return []
    by_id = {i.id: i for i in table.informants}
    found = [(by_id[i], name.strip(), name_variants(name.strip())) for i, name in sorted(table.names.items())
             if i in by_id and name.strip()]
    counts: dict[tuple[str, ...], int] = {}
    tokens = []  # per informant, each variant's tokens (read once: a name has many variants)
    for _, name, variants in found:
        tokens.append([tokens_of(v) for v in variants])
        for v in {tokens_of(name), *tokens[-1]}:
            counts[v] = counts.get(v, 0) + 1
    return [(inf, name, [v for v, t in zip(variants, toks) if counts[t] == 1])
            for (inf, name, variants), toks in zip(found, tokens)]


def speaker_labels(study: Study) -> list[str]:
    """Every speaker label the study's ingest knows: study.yaml's ``speaker_labels`` and the
    informants table's label columns."""
    labels = [*study.settings.speaker_labels.interviewer, *study.settings.speaker_labels.informant]
    table = _informant_table(study)
    if table is None:
        return labels
    for own, interviewer in table.labels.values():
        labels += [*own, *interviewer]
    return labels


def known_identifiers(study: Study) -> list[tuple[str | None, str]]:
    """(type or None, string) from the settings and the private known-identifiers file."""
    settings = study.settings.anonymisation
    lines = list(settings.known_identifiers)
    path = study.root / settings.known_identifiers_file
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise QualpipeError("known identifiers file must be UTF-8 text, one identifier a line", path) from None
        lines += [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    found = []
    for line in lines:
        head, sep, rest = line.partition(":")
        if sep and head.strip().upper() in TYPES and rest.strip():
            found.append((head.strip().upper(), rest.strip()))
        elif line.strip():
            found.append((None, line.strip()))
    return found


@lru_cache(maxsize=4096)
def guess_type(text: str) -> str:
    """The type of a known identifier given without one."""
    g = load_gazetteer()
    for recognizer in default_recognizers([], set()):
        if recognizer.needs_doc:
            continue
        for d in recognizer.analyze(text):
            if d.start == 0 and d.end == len(text):
                return d.type
    if "@" in text:
        return EPOST
    words = text.split()
    if words and g.is_first(words[0]) and len(words) <= 4 and all(w[:1].isupper() for w in words):
        return PERSON
    if g.is_place(text):
        return STED
    return ORG


def keep_strings(study: Study, decisions: dict) -> list[str]:
    a = study.settings.anonymisation
    keep = list(a.keep_terms)
    if a.keep_builtin:
        keep += sorted(load_gazetteer().builtin_keep)
    keep += [d["original"] for d in decisions.values() if d["decision"] == "keep"]
    return keep


_TEMPLATES = Path(__file__).resolve().parents[1] / "report" / "templates"
_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", re.S)
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _template_words() -> frozenset[str]:
    words: set[str] = set()
    for path in sorted(_TEMPLATES.glob("*.j2")):
        words.update(w.lower() for w in _WORD.findall(_MARKUP.sub(" ", path.read_text(encoding="utf-8"))))
    return frozenset(words)


def own_words(study: Study) -> frozenset[str]:
    """The lower-cased words of the study's own wording: its codebook (labels, definitions,
    criteria, examples) and the report's fixed prose. A detected name that is one of these and an
    ordinary word ("takst", "minus") is the researchers' term before it is anyone's name: the key
    does not spread it and the guard does not refuse the codebook or the report for it."""
    words = set(_template_words())
    path = study.codebook_path
    if path.is_file():
        words.update(w.lower() for w in _WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(words)


def attribute_words(study: Study) -> frozenset[str]:
    """The lower-cased words of the informants' shared attributes and group labels (informants.csv
    without its private name column, study.yaml's group_labels): the researchers' own description
    of their informants ("kjøpar i distriktskommune"), which they share as it is."""
    table = _informant_table(study)
    if table is None:
        return frozenset()
    words = {w.lower() for label in study.settings.group_labels.values() for w in _WORD.findall(label)}
    for informant in table.informants:
        for value in [informant.group, *informant.attributes.values()]:
            words.update(w.lower() for w in _WORD.findall(str(value)))
    return frozenset(words)


def load_decisions(study: Study) -> dict:
    """normalised original -> {"decision": keep|remove, "type": ..., "original": ...}."""
    path = study.private_dir / DECISIONS_NAME
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise QualpipeError(f"review decisions file is damaged ({exc})", path) from None
