"""The leak guard: one check before anything shareable is written.

``leak_guard(study)`` returns ``guard(text, path)``, which raises
:class:`~pipeline.errors.LeakError` when ``text`` contains any original from
the pseudonym key, any known identifier (settings, the private
known-identifiers file) or any informant's name — so nothing is written.
The error names the target file and the TYPE of identifier, never the
identifier itself (the line may end up in a log).

Matching follows ``matcher.py`` (word tokens, case-insensitive; an original
that is an ordinary word only when capitalised and not sentence-initial),
the same rule the anonymiser uses to re-apply the key, so a correct run never
trips it. With no key yet it still checks the known identifiers and names.
An encrypted key without its passphrase makes the guard refuse everything:
it fails closed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ..errors import LeakError
from ..settings import Study
from .gazetteer import load_gazetteer
from .keystore import read_key_data
from .matcher import StringMatcher, tokens_of
from .sources import informant_variants, keep_strings, known_identifiers, load_decisions

Guard = Callable[[str, Path], None]


class _Typed:
    """A refused string's type; its source and ordinary-word flag from the key decide how strictly
    it matches (matcher.py), exactly as the anonymiser re-applies it."""

    __slots__ = ("type", "source", "ordinary_word")

    def __init__(self, kind: str, source: str = "detected", ordinary_word: bool = False):
        self.type = kind
        self.source = source
        self.ordinary_word = ordinary_word


def guard_entries(study: Study, key_data: dict | None) -> list[tuple[str, _Typed]]:
    """Every string the guard refuses, with its type (never printed)."""
    entries: list[tuple[str, _Typed]] = []
    for item in (key_data or {}).get("entities", []):
        for original in item.get("originals", []):
            entries.append((original, _Typed(item["type"], item.get("source", "detected"),
                                             item.get("ordinary_word", False))))
    for kind, original in known_identifiers(study):
        entries.append((original, _Typed(kind or "kjent identifikator", "known")))
    for _informant, name, variants in informant_variants(study):
        for variant in [name, *variants]:
            entries.append((variant, _Typed("PERSON", "informant")))
    keep = {tokens_of(k) for k in keep_strings(study, load_decisions(study))}
    return [(o, t) for o, t in entries if tokens_of(o) and tokens_of(o) not in keep]


def build_guard(entries: list[tuple[str, object]], keep: list[str] = ()) -> Guard:
    """``keep``: keep terms; an original found only inside one ("finn" in "finn.no") is no leak,
    exactly as the anonymiser leaves it."""
    g = load_gazetteer()
    matcher = StringMatcher(entries, g)
    keeper = StringMatcher([(k, "KEEP") for k in keep], g, strict_common=False, digit_types=set())

    def guard(text: str, path: Path) -> None:
        hits = matcher.find(text)
        if hits and len(keeper):
            spans = [(m.start, m.end) for m in keeper.find(text)]
            hits = [h for h in hits if not any(ks <= h.start and h.end <= ke for ks, ke in spans)]
        if hits:
            kinds = Counter(getattr(h.payload, "type", "identifikator") for h in hits)
            summary = ", ".join(f"{n} × {k}" for k, n in sorted(kinds.items()))
            raise LeakError(f"refusing to write: the text contains identifiers ({summary}); nothing was written",
                            path)

    return guard


def leak_guard(study: Study) -> Guard:
    """The guard for ``study``: built once, call it for every shareable text."""
    return build_guard(guard_entries(study, read_key_data(study)), keep_strings(study, load_decisions(study)))
