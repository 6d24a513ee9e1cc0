"""Transformation: the pseudonym key and the operators that replace spans.

The :class:`Key` maps originals to entities. One entity is one person (or
address, phone ...) across the whole study, whatever form it is written in:
"Kari", "Kari Nordmann", "kari" and "Karis" resolve to the same entity, so it
gets the same tag (``[PERSON_3]``) or surrogate ("Ingrid", "Ingrid Berg") in
every transcript; a possessive -s is kept ("[PERSON_3]s", "Ingrids").
Informants are entities too, labelled by study id ("boligkjøper 7").

Entity numbers are given in order of first registration. The stage builds
the key afresh on every run in one canonical order over the whole study
(:func:`pipeline.anonymise.stage.fresh_key`), so numbers depend on the
study's inputs only, never on the history of runs.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .gazetteer import Gazetteer, load_gazetteer
from .matcher import digits_of, tokens_of
from .detection import ADRESSE, DATO, EPOST, FNR, KONTO, NUMMER, ORG, PERSON, SAK, STED, TELEFON

NUMBER_TYPES = {TELEFON, FNR, KONTO, NUMMER}


@dataclass
class Entity:
    id: str  # "PERSON_3", or "INFORMANT_7"
    type: str
    originals: list[str] = field(default_factory=list)  # as first written
    gender: str | None = None
    label: str | None = None  # fixed label (informants: "boligkjøper 7")
    source: str = "detected"  # detected, informant, known, decision
    attempt: int = 0  # bumped when a surrogate collides with an original
    confidence: float = 1.0  # best detection score seen; a key match is no surer than this
    # A detected single ordinary word the study also writes in lower case ("ruta"): matched only
    # capitalised mid-sentence, by the anonymiser and the guard alike (matcher.py).
    ordinary_word: bool = False

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "originals": self.originals, "gender": self.gender,
                "label": self.label, "source": self.source, "attempt": self.attempt,
                "confidence": self.confidence, "ordinary_word": self.ordinary_word}

    @classmethod
    def from_json(cls, data: dict) -> Entity:
        return cls(**data)


def normalise(kind: str, text: str) -> str:
    if kind in NUMBER_TYPES:
        return digits_of(text, kind)
    if kind == EPOST:
        return text.strip().lower()
    return " ".join(tokens_of(text))


def split_possessive(text: str, kind: str, known: set[str], g: Gazetteer) -> tuple[str, str]:
    """("Kari", "s") for "Karis"; ("Lars", "") for "Lars"; only for names and places."""
    if kind not in (PERSON, STED, ORG):
        return text, ""
    for mark in ("'s", "’s"):
        if text.endswith(mark):
            return text[: -len(mark)], mark
    if not text.endswith("s") or len(text) < 3:
        return text, ""
    last = text.split()[-1]
    if normalise(kind, text) in known or g.is_name(last) or g.is_place(last):
        return text, ""
    stem = text[:-1]
    if normalise(kind, stem) in known or g.is_name(last[:-1]) or g.is_place(last[:-1]):
        return stem, "s"
    return text, ""


class Key:
    """original -> entity, for the whole study. Serialised to data/private only."""

    def __init__(self, style: str = "tags", seed: int = 2019, gazetteer: Gazetteer | None = None):
        self.style = style
        self.seed = seed
        self.g = gazetteer or load_gazetteer()
        self.entities: dict[str, Entity] = {}
        self.index: dict[tuple[str, str], str] = {}  # (type, normalised original) -> entity id
        self.counters: dict[str, int] = {}
        self.changed = False
        # Kept up to date as the key grows, so that resolving one string costs the same however
        # large the key is (a study-wide key has thousands of entities):
        self._norms: dict[str, set[str]] = {}  # type -> normalised originals in the index
        # PERSON entities by the tokens of their name forms (a superset: an original an informant
        # took over stays listed; _person_match checks the real forms).
        self._by_first: dict[str, set[str]] = {}  # first token of any form
        self._full_ends: dict[str, set[str]] = {}  # first or last token of a form of 2+ tokens
        self._formless: set[str] = set()  # a form without tokens matches any name as a prefix
        self._fake = None  # one Faker, re-seeded per surrogate (the same as a fresh one)
        self._surrogates: dict[tuple, str] = {}

    # ---- persistence
    def to_json(self) -> dict:
        return {"format": "qualpipe-anonymisation-key", "version": 1,
                "entities": [e.to_json() for e in sorted(self.entities.values(), key=_entity_order)]}

    @classmethod
    def from_json(cls, data: dict, style: str, seed: int) -> Key:
        key = cls(style, seed)
        for item in data.get("entities", []):
            entity = Entity.from_json(item)
            key.entities[entity.id] = entity
            prefix, _, number = entity.id.rpartition("_")
            if number.isdigit():
                key.counters[prefix] = max(key.counters.get(prefix, 0), int(number))
            for original in entity.originals:
                norm = normalise(entity.type, original)
                if (entity.type, norm) not in key.index:
                    key._index(entity.type, norm, entity.id)
                key._note_form(entity, original)
        return key

    def digest(self) -> str:
        import json

        blob = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def known_norms(self, kind: str) -> set[str]:
        return set(self._norms.get(kind, ()))

    def _index(self, kind: str, norm: str, entity_id: str) -> None:
        self.index[(kind, norm)] = entity_id
        self._norms.setdefault(kind, set()).add(norm)

    def _note_form(self, entity: Entity, original: str) -> None:
        if entity.type != PERSON:
            return
        toks = normalise(PERSON, original).split()
        if not toks:
            self._formless.add(entity.id)
            return
        self._by_first.setdefault(toks[0], set()).add(entity.id)
        if len(toks) > 1:
            self._full_ends.setdefault(toks[0], set()).add(entity.id)
            self._full_ends.setdefault(toks[-1], set()).add(entity.id)

    def originals(self) -> list[tuple[str, Entity]]:
        return [(o, e) for e in sorted(self.entities.values(), key=_entity_order) for o in e.originals]

    # ---- registration
    def _new(self, kind: str, prefix: str | None = None, **extra) -> Entity:
        prefix = prefix or kind
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        entity = Entity(id=f"{prefix}_{self.counters[prefix]}", type=kind, **extra)
        self.entities[entity.id] = entity
        self.changed = True
        return entity

    def _attach(self, entity: Entity, original: str) -> Entity:
        norm = normalise(entity.type, original)
        if (entity.type, norm) not in self.index:
            self._index(entity.type, norm, entity.id)
            entity.originals.append(original)
            self._note_form(entity, original)
            self.changed = True
        return entity

    def add_informant(self, informant_id: str, label: str, name: str, variants: list[str]) -> Entity:
        found = self.entities.get(f"INFORMANT_{informant_id}")
        if found is None or found.label != label:
            found = found or Entity(id=f"INFORMANT_{informant_id}", type=PERSON, source="informant")
            found.label = label
            self.entities[found.id] = found
            self.changed = True
        for variant in [name, *variants]:
            # An informant's own name always wins over an earlier detection of the same string.
            norm = normalise(PERSON, variant)
            other = self.index.get((PERSON, norm))
            if other and other != found.id and self.entities[other].source == "informant":
                continue
            if other != found.id:
                if other:
                    self.entities[other].originals = [o for o in self.entities[other].originals
                                                      if normalise(PERSON, o) != norm]
                self._index(PERSON, norm, found.id)
                found.originals.append(variant)
                self._note_form(found, variant)
                self.changed = True
        return found

    def add_known(self, kind: str, original: str, source: str = "known") -> Entity:
        return self.resolve(kind, original, source=source)[0]

    def resolve(self, kind: str, text: str, source: str = "detected", score: float = 1.0) -> tuple[Entity, str]:
        """The entity for a detected string (registering it when new), and its possessive suffix."""
        bare, suffix = split_possessive(text, kind, self._norms.get(kind, set()), self.g)
        norm = normalise(kind, bare)
        found = self.index.get((kind, norm))
        if found:
            entity = self.entities[found]
            if score > entity.confidence:
                entity.confidence = score
                self.changed = True
            return entity, suffix
        entity = self._person_match(norm) if kind == PERSON else None
        if entity is not None and score > entity.confidence:
            entity.confidence = score
        if entity is None:
            gender = None
            if kind == PERSON:
                gender = self.g.gender(norm.split()[0]) if norm else None
            entity = self._new(kind, gender=gender, source=source, confidence=score)
        self._attach(entity, bare)
        if kind == PERSON:
            # "Ingvar Dahle" makes "Ingvar" and "Dahle" known too, so "Ingvars mor" at the start of
            # a sentence (where no model or gazetteer is sure) is still replaced, consistently; and
            # "Hêvî" makes "Hevi" known (a typist or a caption drops the accents).
            from .sources import name_variants

            for variant in name_variants(bare):
                if (PERSON, normalise(PERSON, variant)) not in self.index:
                    self._attach(entity, variant)
        if kind == ORG:
            # Firms are named without their company form too: "Nidarbygg AS" -> "Nidarbygg".
            short = re.sub(r"\s+(?:AS|ASA|SA|ANS|DA|BA)$", "", bare)
            if short != bare and short.strip():
                self._attach(entity, short)
        return entity, suffix

    def _person_match(self, norm: str) -> Entity | None:
        """"Kari Nordmann" joins "Kari"; "Kari" and "Nordmann" join "Kari Nordmann"."""
        toks = norm.split()
        if not toks:
            return None
        # Only entities with a form sharing the name's first token (or, for a single word, a full
        # name beginning or ending with it) can qualify; the index lists those.
        ids = (self._full_ends.get(toks[0], set()) if len(toks) == 1
               else self._by_first.get(toks[0], set()) | self._formless)
        return self._first_joining(toks, (self.entities[i] for i in ids if i in self.entities))

    @staticmethod
    def _first_joining(toks: list[str], entities: Iterable[Entity]) -> Entity | None:
        """The first of ``entities`` (in key order) that the name ``toks`` belongs to, if any."""
        for entity in sorted(entities, key=_entity_order):
            forms = [normalise(PERSON, o).split() for o in entity.originals]
            fulls = [f for f in forms if len(f) > 1]
            if len(toks) == 1:
                if any(f[0] == toks[0] or f[-1] == toks[0] for f in fulls):
                    return entity
            else:
                singles = {f[0] for f in forms if len(f) == 1}
                first_ok = toks[0] in singles or any(f[: len(toks) - 1] == toks[:-1] for f in fulls)
                conflict = any(f[0] == toks[0] and f[-1] != toks[-1] and len(f) > 1 for f in fulls)
                prefix = any(f == toks[: len(f)] for f in forms)
                if (first_ok or prefix) and not conflict:
                    return entity
        return None

    # ---- rendering
    def render(self, entity: Entity, original: str, suffix: str) -> str:
        """The replacement for one occurrence of ``original`` (without its possessive suffix)."""
        if entity.label:
            return entity.label + suffix
        if self.style == "tags":
            return f"[{entity.id}]" + suffix
        return self.surrogate(entity, original) + suffix

    def surrogate(self, entity: Entity, original: str) -> str:
        kind = entity.type
        # Which form is wanted depends on the original; the Faker draw only on the entity, so
        # each (entity, form) is drawn once and remembered (render runs for every occurrence).
        if kind == PERSON:
            toks = normalise(PERSON, original).split()
            fulls = [normalise(PERSON, o).split() for o in entity.originals] if len(toks) == 1 else []
            if len(toks) > 1:
                form = "full"
            elif any(len(f) > 1 and f[-1] == toks[0] and f[0] != toks[0] for f in fulls):
                form = "last"
            else:
                form = "first"
        elif kind == ADRESSE:
            form = "postcode" if original[:1].isdigit() else "street"
        else:
            form = ""
        memo = (entity.id, entity.attempt, entity.gender, kind, form)
        if memo not in self._surrogates:
            self._surrogates[memo] = self._draw(entity, form)
        return self._surrogates[memo]

    def _draw(self, entity: Entity, form: str) -> str:
        if self._fake is None:
            from faker import Faker

            self._fake = Faker("no_NO")
        fake = self._fake
        fake.seed_instance(int(hashlib.sha256(f"{self.seed}:{entity.id}:{entity.attempt}".encode()).hexdigest()[:12], 16))
        kind = entity.type
        if kind == PERSON:
            first = fake.first_name_female() if entity.gender == "f" else (
                fake.first_name_male() if entity.gender == "m" else fake.first_name())
            last = fake.last_name()
            return {"full": f"{first} {last}", "last": last, "first": first}[form]
        if kind == ADRESSE:
            if form == "postcode":
                return f"{fake.postcode()} {fake.city()}"
            return fake.street_address()
        if kind == TELEFON:
            return f"{rnd(fake, 4, 9)}{rnd(fake, 0, 9)}{rnd(fake, 0, 9)} {rnd(fake, 10, 99)} {rnd(fake, 100, 999)}"
        if kind == EPOST:
            return fake.email(domain="example.no")
        if kind == STED:
            return fake.city()
        if kind == ORG:
            return fake.company()
        # Numbers and dates stay tags even in surrogate style: a fake fødselsnummer or account
        # number could be someone's real one.
        return f"[{entity.id}]"

    def fix_collisions(self, originals_tokens: set[str]) -> None:
        """Surrogates must never contain an original's word (the guard would refuse them)."""
        if self.style != "surrogates":
            return
        for entity in self.entities.values():
            if entity.label or entity.type in (FNR, KONTO, SAK, DATO, NUMMER):
                continue
            for _ in range(20):
                forms = [self.surrogate(entity, o) for o in entity.originals]
                if not any(set(tokens_of(f)) & originals_tokens for f in forms):
                    break
                entity.attempt += 1
                self.changed = True


def rnd(fake, low: int, high: int) -> int:
    return fake.random_int(low, high)


def _entity_order(entity: Entity) -> tuple:
    prefix, _, number = entity.id.rpartition("_")
    return (prefix, int(number) if number.isdigit() else 0, number)


def seeded_random(seed: int, *parts: str) -> random.Random:
    return random.Random(hashlib.sha256(":".join([str(seed), *parts]).encode()).hexdigest())
