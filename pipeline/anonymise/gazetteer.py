"""Name and place gazetteers shipped as package data (``pipeline/anonymise/data/``).

Sources (see docs/anonymisation.md): Faker's no_NO person provider for Norwegian
first names by sex and last names; curated lists of further Norwegian names and
of common names among immigrants in Norway; a curated list of Norwegian towns
and Trondheim neighbourhoods (Faker's no_NO cities are invented, so unusable).

Many names are also ordinary words ("Per"/"per", "Liv", "Stein", "Lange",
"Lade"). ``is_common_word`` says which: a gazetteer hit on such a word only
counts when it is capitalised and not first in a sentence, or when context
supports it. The word list is the lower-case, non-name word forms of the NorNE
Bokmål dev split plus a curated list of ambiguous names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.lang.nb.stop_words import STOP_WORDS


def _read(name: str) -> list[str]:
    text = resources.files("pipeline.anonymise").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Gazetteer:
    male: frozenset[str]  # lower-cased first names
    female: frozenset[str]
    last: frozenset[str]
    places: frozenset[str]  # lower-cased, may hold several words ("mo i rana")
    builtin_keep: frozenset[str]  # lower-cased
    common: frozenset[str]  # lower-cased ordinary words
    first_any: frozenset[str] = frozenset()  # lower-cased first names of no known gender

    def __reduce__(self):
        # The shipped word lists travel to a worker (--workers N) as a call that loads them there.
        if self is load_gazetteer():
            return load_gazetteer, ()
        return super().__reduce__()

    def is_first(self, word: str) -> bool:
        w = word.lower()
        return (w in self.male or w in self.female or w in self.first_any
                or ("-" in w and _hyphen_parts(w, self.is_first)))

    def is_last(self, word: str) -> bool:
        w = word.lower()
        return w in self.last or ("-" in w and _hyphen_parts(w, self.is_last))

    def is_name(self, word: str) -> bool:
        return self.is_first(word) or self.is_last(word)

    def is_place(self, words: str) -> bool:
        return words.lower() in self.places

    def is_listed(self, word: str) -> bool:
        """A first name, surname, place or built-in keep word, in any case: every list is
        lower-cased, so "Husbanken", "husbanken" and "HUSBANKEN" are listed alike."""
        return self.is_first(word) or self.is_last(word) or self.is_place(word) or word.lower() in self.builtin_keep

    def is_common_word(self, word: str) -> bool:
        """An ordinary Norwegian word (or too short to be safe as a name on its own)."""
        w = word.lower()
        return len(w) <= 2 or w in self.common or w in STOP_WORDS

    def gender(self, first: str) -> str | None:
        """'m', 'f' or None (unknown or used for both)."""
        w = first.lower().split("-")[0]
        male, female = w in self.male, w in self.female
        if male and not female:
            return "m"
        if female and not male:
            return "f"
        return None

    @property
    def max_place_words(self) -> int:
        return max(len(p.split()) for p in self.places)


def _hyphen_parts(word: str, check) -> bool:
    """"Kari-Anne" is a name when each part is."""
    if "-" not in word:
        return False
    parts = [p for p in word.split("-") if p]
    return len(parts) > 1 and all(check(p) for p in parts)


def _read_gendered(name: str) -> dict[str, frozenset[str]]:
    """A "name<TAB>m|f|?" list as lower-cased names by tag; any other line fails loudly."""
    by_tag: dict[str, set[str]] = {"m": set(), "f": set(), "?": set()}
    for line in _read(name):
        form, _, tag = line.partition("\t")
        if tag not in by_tag:
            raise ValueError(f"{name}: {line!r} has no gender tag m, f or ?")
        by_tag[tag].add(form.lower())
    return {tag: frozenset(forms) for tag, forms in by_tag.items()}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    def low(*names: str) -> frozenset[str]:
        return frozenset(w.lower() for name in names for w in _read(name))

    norne_first = _read_gendered("norne_first.txt")
    return Gazetteer(
        male=low("faker_first_male.txt", "curated_first_male.txt") | norne_first["m"],
        female=low("faker_first_female.txt", "curated_first_female.txt") | norne_first["f"],
        first_any=norne_first["?"],
        last=low("faker_last.txt", "curated_last.txt"),
        places=low("places.txt"),
        builtin_keep=low("keep_builtin.txt"),
        common=low("norne_common_words.txt", "ambiguous_words.txt"),
    )
