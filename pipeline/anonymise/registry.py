"""The recognizer registry (Presidio's ``RecognizerRegistry``): which recognizers run, configured from study.yaml.

``default_registry(settings, keep_terms)`` holds the built-in recognizers in a fixed order; a
study switches one off, gives one an allow list, or adds a deny-list recognizer of its own::

    anonymisation:
      recognizers:
        ner: {enabled: false}              # switch a built-in off
        learned: {enabled: true}           # switch on one that is off by default
        gazetteer: {allow: [ruta, Sol]}    # strings this recognizer never reports
        bydeler: {entity: STED, deny: [Lademoen, Rosenborg]}   # a new recognizer: always these

``config()`` — every enabled recognizer's name, version, entities and settings, the allow lists,
and a digest of the recognizers' code and word lists — keys the detection cache, so a changed
recognizer, setting or list redoes detection without anyone bumping a number.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from ..errors import QualpipeError
from ..settings import AnonymisationSettings
from .crossturn import (CheckedSplitRecognizer, ClippedNameRecognizer, NumberContinuedRecognizer, NumberEchoRecognizer,
                        PhoneSplitRecognizer, StreetRepeatRecognizer, CaseSplitRecognizer)
from .cues import CoordinationRecognizer, CueNameRecognizer
from .detection import TYPES, Detection, Recognizer
from .gazetteer import load_gazetteer
from .matcher import StringMatcher, tokens_of
from .recognizers import (AddressRecognizer, CaseNumberRecognizer, ContextNameRecognizer, DateRecognizer,
                          EmailRecognizer, GazetteerRecognizer, IdNumberRecognizer, InstitutionRecognizer,
                          NerRecognizer, NumberRecognizer, PhoneRecognizer)
from .slots import OrgFormRecognizer, OrgSlotRecognizer, PlaceCoordinationRecognizer, PlaceSlotRecognizer
from .naming import NamingClauseRecognizer
from .parts import NamePartRecognizer
from .persons import InitialsRecognizer, NameParticleRecognizer, NameRepeatRecognizer, NameSplitRecognizer
from .fallback import FallbackRecognizer
from .unexplained import NumberFormRecognizer, UnexplainedCapitalRecognizer, UnexplainedWordRecognizer
from .neighbours import NameNeighbourRecognizer
from .learned import LearnedIdentifierRecognizer
from .split_names import SplitNameRecognizer

# The modules whose code decides what is detected (with the word lists in data/).
_CODE = ("analyzer.py", "casing.py", "detection.py", "numbers.py", "recognizers.py", "cues.py", "lexicon.py", "gazetteer.py", "matcher.py", "registry.py",
         "slots.py", "naming.py", "dialect.py", "parts.py", "fallback.py", "persons.py",
         "unexplained.py", "neighbours.py", "learned.py", "crossturn.py", "split_names.py")
_LIBRARIES = ("python-stdnum", "simplemma", "spacy")


class DenyListRecognizer(Recognizer):
    """Always reports the listed strings as ``entity`` (Presidio's deny list), matched as the key is
    (across "_" too: "Hamid_Rahimi")."""

    version = "2"

    def __init__(self, name: str, entity: str, deny: list[str]):
        self.name = name
        self.entity = entity
        self.deny = list(deny)
        self.supported_entities = (entity,)
        self._matcher = StringMatcher([(t, entity) for t in self.deny], load_gazetteer(), strict_common=False,
                                      digit_types={entity})

    def params(self):
        return {"deny": sorted(self.deny)}

    def analyze(self, text, doc=None):
        return [self._d(text, m.start, m.end, self.entity, 1.0) for m in self._matcher.find(text)]


class RecognizerRegistry:
    """An ordered set of recognizers by name, each with an optional allow list."""

    def __init__(self, recognizers: list[Recognizer] = ()):
        self._recognizers: dict[str, Recognizer] = {}
        self.allow: dict[str, frozenset[tuple[str, ...]]] = {}
        # Names of the recognizers whose every replacement is reviewed, kept with the registry
        # (asked once per replacement of a study).
        self._always_review: tuple[str, ...] = ()
        for recognizer in recognizers:
            self.add(recognizer)

    def add(self, recognizer: Recognizer) -> None:
        if recognizer.name in self._recognizers:
            raise ValueError(f"a recognizer named {recognizer.name!r} is registered already")
        self._recognizers[recognizer.name] = recognizer
        self._always_review = tuple(r.name for r in self if r.always_review)

    def remove(self, name: str) -> None:
        self._recognizers.pop(name)
        self.allow.pop(name, None)
        self._always_review = tuple(r.name for r in self if r.always_review)

    def set_allow(self, name: str, strings: list[str]) -> None:
        self.allow[name] = frozenset(tokens_of(s) for s in strings if tokens_of(s))

    def __contains__(self, name: str) -> bool:
        return name in self._recognizers

    def __iter__(self):
        return iter(self._recognizers.values())

    def __len__(self) -> int:
        return len(self._recognizers)

    @property
    def names(self) -> list[str]:
        return list(self._recognizers)

    @property
    def needs_doc(self) -> bool:
        return any(r.needs_doc for r in self)

    def analyze(self, text: str, doc=None) -> list[Detection]:
        """Every enabled per-turn recognizer's detections for one text (unmerged, sorted by
        position); the transcript recognizers run over all turns after it (``analyze_transcript``)."""
        found: list[Detection] = []
        later = []
        for recognizer in self:
            if recognizer.reads_transcript:
                continue
            if recognizer.reads_detections:
                later.append(recognizer)
            else:
                found.extend(self._allowed(recognizer, recognizer.analyze(text, doc)))
        for recognizer in later:
            found.extend(self._allowed(recognizer, recognizer.analyze(text, doc, found)))
        return sorted(found, key=lambda d: (d.start, d.end, d.type, d.recognizer))

    def analyze_transcript(self, texts: list[str], found: list[list[Detection]]) -> list[list[Detection]]:
        """``found`` (each turn's detections by ``analyze``) with every enabled transcript
        recognizer's detections added (``detection.TranscriptRecognizer``), in registry order, each
        given what the ones before it added; each turn's list sorted by position."""
        found = [list(dets) for dets in found]
        for recognizer in self:
            if not recognizer.reads_transcript:
                continue
            allow = self.allow.get(recognizer.name)
            for i, d in recognizer.analyze_transcript(texts, found):
                if not (allow and tokens_of(d.text) in allow):
                    found[i].append(d)
        for dets in found:
            dets.sort(key=lambda d: (d.start, d.end, d.type, d.recognizer))
        return found

    def always_reviewed(self, d: Detection) -> bool:
        """Whether ``d`` (merged or not: its ``recognizer`` joins the names with "+") comes from a
        recognizer whose every replacement is reviewed (``Recognizer.always_review``); a recognizer
        names its detections by its name or the name and a reason ("fallback_place_slot")."""
        return any(part == n or part.startswith(n + "_") for part in d.recognizer.split("+")
                   for n in self._always_review)

    def _allowed(self, recognizer: Recognizer, dets: list[Detection]) -> list[Detection]:
        allow = self.allow.get(recognizer.name)
        return [d for d in dets if tokens_of(d.text) not in allow] if allow else dets

    def config(self) -> dict:
        return {"recognizers": [r.config() for r in self],
                "allow": {n: sorted(" ".join(t) for t in a) for n, a in sorted(self.allow.items())},
                "code": code_digest()}


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 of the detection code, its word lists and the libraries' versions."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _CODE:
        h.update(name.encode() + b"\0" + (here / name).read_bytes())
    data = resources.files("pipeline.anonymise").joinpath("data")
    for item in sorted(data.iterdir(), key=lambda p: p.name):
        if item.is_file():
            h.update(item.name.encode() + b"\0" + item.read_bytes())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=?".encode())
    return h.hexdigest()


def builtin_recognizers(ner_labels: list[str], keep_terms: set[str], settings=None) -> list[Recognizer]:
    """The built-in recognizers in their fixed order (those that read the others' detections last,
    the unexplained-word recognizers after all: they mask only what nothing else explained; the
    learned token model last of the per-turn ones, adding only what none of them found; then the
    transcript recognizers, ``crossturn.py``, which read all turns of a transcript and run after
    every per-turn one whatever the order).

    ``settings`` (the study's ``anonymisation``, defaults if None) gives every recognizer that reads
    the others' detections the study's ``min_score`` (a detection under it is not replaced, so none
    of them builds on it: ``Detection.replaced_at``), the learned recognizer its ``review_below``
    too (its scores lie between them) and every recognizer's
    allow list: a string the study allows for one recognizer is no identifier to the model that
    adds what the others missed."""
    g = load_gazetteer()
    settings = settings if settings is not None else AnonymisationSettings()
    allowed = sorted({s for item in settings.recognizers.values() for s in item.allow})
    low = settings.min_score  # what the recognizers that read the others' detections take as found
    return [IdNumberRecognizer(), PhoneRecognizer(), EmailRecognizer(), AddressRecognizer(g), DateRecognizer(),
            CaseNumberRecognizer(), NumberRecognizer(), InstitutionRecognizer(g, keep_terms), NerRecognizer(ner_labels, g),
            GazetteerRecognizer(g), ContextNameRecognizer(g, keep_terms), InitialsRecognizer(), CueNameRecognizer(g),
            PlaceSlotRecognizer(g), OrgFormRecognizer(g), OrgSlotRecognizer(g), NamingClauseRecognizer(g),
            CoordinationRecognizer(g, min_score=low), PlaceCoordinationRecognizer(g, min_score=low),
            NamePartRecognizer(min_score=low), FallbackRecognizer(g, min_score=low),
            NumberFormRecognizer(g, min_score=low), UnexplainedWordRecognizer(g, min_score=low),
            UnexplainedCapitalRecognizer(g, min_score=low), NameNeighbourRecognizer(g, min_score=low),
            NameParticleRecognizer(min_score=low), NameSplitRecognizer(g, min_score=low),
            NameRepeatRecognizer(min_score=low),
            LearnedIdentifierRecognizer(g, keep_terms, allow=allowed, min_score=low,
                                        review_below=settings.review_below),
            PhoneSplitRecognizer(), CheckedSplitRecognizer(), CaseSplitRecognizer(), NumberContinuedRecognizer(), NumberEchoRecognizer(),
            ClippedNameRecognizer(), StreetRepeatRecognizer(), SplitNameRecognizer(g)]


def default_registry(settings, keep_terms: set[str] = frozenset(), source: Path | None = None) -> RecognizerRegistry:
    """The registry for a study's ``anonymisation`` settings (see the module docstring).

    ``source``: the settings file, named in the error for a recognizer that does not exist.
    """
    registry = RecognizerRegistry(builtin_recognizers(settings.ner_labels, keep_terms, settings))
    builtin = registry.names
    for recognizer in list(registry):
        if not recognizer.enabled_by_default and recognizer.name not in settings.recognizers:
            registry.remove(recognizer.name)
    for name, item in sorted(settings.recognizers.items()):
        where = f"anonymisation.recognizers.{name}"
        if name in builtin:
            if item.entity or item.deny:
                raise QualpipeError(f"{where}: '{name}' is a built-in recognizer; entity and deny are for a new "
                                    "deny-list recognizer (give it another name)", source)
            if not item.enabled:
                registry.remove(name)
            elif item.allow:
                registry.set_allow(name, item.allow)
            continue
        if not (item.entity and item.deny):
            raise QualpipeError(f"{where}: no built-in recognizer is called '{name}' (they are: "
                                f"{', '.join(builtin)}); a new deny-list recognizer needs entity and deny", source)
        if item.entity not in TYPES:
            raise QualpipeError(f"{where}: entity must be one of {', '.join(TYPES)}", source)
        if item.enabled:
            recognizer = DenyListRecognizer(name, item.entity, item.deny)
            registry.add(recognizer)
            if item.allow:
                registry.set_allow(name, item.allow)
    return registry


def default_recognizers(ner_labels: list[str], keep_terms: set[str]) -> list[Recognizer]:
    """The built-in recognizers enabled by default (for callers without a study)."""
    return [r for r in builtin_recognizers(ner_labels, keep_terms) if r.enabled_by_default]
