"""The indexed fast paths of the anonymiser give exactly what the plain scans gave.

The matcher visits only tokens that can start a match, the key looks up person
name forms in a token index, surrogates are drawn once per entity and form. Each
is checked here against a straightforward reference (the code they replaced) on
random input, so a speed-up can never change what is found or replaced.
"""

from __future__ import annotations

import hashlib
import random

from faker import Faker

from pipeline.anonymise import matcher as matcher_module
from pipeline.anonymise.gazetteer import load_gazetteer
from pipeline.anonymise.matcher import (SENTENCE_WORDS, TOKEN, Match, StringMatcher, _non_overlapping,
                                        sentence_initial)
from pipeline.anonymise.operators import Key
from pipeline.anonymise.recognizers import PERSON


def reference_find(matcher: StringMatcher, text: str) -> list[Match]:
    """The rule as a plain walk over every token (the matcher before its index)."""
    found: list[Match] = []
    toks = [(m.start(), m.end(), m.group().lower()) for m in TOKEN.finditer(text)]
    i = 0
    while i < len(toks):
        word = toks[i][2]
        keys = [word] + ([word[:-1]] if word.endswith("s") and len(word) > 2 else [])
        hit = None
        for key in keys:
            for cand, strict, original, payload in matcher.index.get(key, ()):
                n = len(cand)
                if i + n > len(toks):
                    continue
                if not all(toks[i + k][2] == cand[k] for k in range(n - 1)):
                    continue
                last = toks[i + n - 1][2]
                if not (last == cand[-1] or last == cand[-1] + "s"):
                    continue
                if n == 1 and key != word and last != cand[-1] + "s":
                    continue
                start, end = toks[i][0], toks[i + n - 1][1]
                possessive = n == 1 and last == cand[0] + "s" and not matcher.gazetteer.is_common_word(last)
                if strict and (not text[start].isupper() or (
                        cand[0] in SENTENCE_WORDS and sentence_initial(text, start) and not possessive)):
                    continue
                hit = n, Match(start, end, original, payload)
                break
            if hit:
                break
        if hit:
            found.append(hit[1])
            i += hit[0]
        else:
            i += 1
    found.extend(matcher._digit_matches(text))
    return _non_overlapping(found)


ORIGINALS = ["Kari", "Kari Nordmann", "Ole Petter Vik", "Lade", "Per", "Strand", "Liv", "Hilde Strand",
             "Nidarbygg AS", "Kari-Anne", "Jo", "Saupstad Vest borettslag", "Tsegereda", "Ås", "Ole"]
FILLER = ["og", "han", "sa", "at", "per", "lade", "strand", "liv", "på", "i", "dag", "kari", "KARI", "Karis",
          "Ole-Petter", "Nordmanns", "vik", "Vik", "Anne", "borettslag", "Saupstad", "924", "18", "337",
          "92418337", "+47", "1408", "6327164", "jo", "Jo", "Ås", "ås", "Åse", "Lades", "[PERSON_3]", "Pers"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", " - ", "-", ": ", " «", "» ", "  "]


def random_text(rng: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        parts.append(rng.choice(FILLER + ORIGINALS))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


def test_matcher_index_finds_what_the_plain_walk_finds():
    rng = random.Random(7)
    entries = [(o, type("T", (), {"type": "PERSON"})()) for o in ORIGINALS]
    entries.append(("924 18 337", type("T", (), {"type": "TELEFON"})()))
    matcher = StringMatcher(entries, load_gazetteer())
    for _ in range(400):
        text = random_text(rng, rng.randint(1, 40))
        assert matcher.find(text) == reference_find(matcher, text), text


def test_matcher_long_text_and_many_distinct_words(monkeypatch):
    """A whole export (read in pieces, walked token by token when many words qualify)."""
    monkeypatch.setattr(matcher_module, "_CHUNK", 2000)  # pieces of 2 000 characters, not 1 MiB
    monkeypatch.setattr(matcher_module, "_SHORT", 2000)  # and a long text is one over 2 000
    rng = random.Random(3)
    g = load_gazetteer()
    names = sorted(g.male)[:60]
    matcher = StringMatcher([(n.capitalize(), "PERSON") for n in names] + [(o, "PERSON") for o in ORIGINALS], g)
    pieces = [random_text(rng, 30) + " " + " ".join(rng.choice(names).capitalize() for _ in range(5))
              for _ in range(300)]
    text = "\n".join(pieces)
    assert len(text) > 20 * 2000
    found = matcher.find(text)
    assert found == reference_find(matcher, text)
    assert len(found) > 300
    few = StringMatcher([(o, "PERSON") for o in ORIGINALS], g)  # few qualifying words: one regex
    assert few.find(text) == reference_find(few, text)


def test_matcher_first_words_of_longer_originals_standing_alone():
    """A first token all of whose originals are longer ("27" of a date, "Hilde" of "Hilde Strand")
    is tried only where a possible next token follows: the same matches as the plain walk."""
    rng = random.Random(11)
    originals = ["Hilde Strand", "27 september 1975", "27 09 61", "Saupstad Vest borettslag", "Hild", "Vest Lade"]
    filler = ["Hilde", "hilde", "Hildes", "Strand", "Strands", "strand", "27", "september", "1975", "09", "61",
              "Saupstad", "Vest", "vest", "borettslag", "Lade", "Lades", "og", "i", "2", "Hild", "Hilds"]
    matcher = StringMatcher([(o, type("T", (), {"type": "PERSON"})()) for o in originals], load_gazetteer())
    assert "hilde" in matcher._followers and "hild" not in matcher._followers
    for _ in range(600):
        text = "".join(rng.choice(filler + originals) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 30)))
        assert matcher.find(text) == reference_find(matcher, text), text


class ScanKey(Key):
    """The key with the person matching it had before the token index: a scan of every person."""

    def _person_match(self, norm):
        toks = norm.split()
        return self._first_joining(toks, (e for e in self.entities.values() if e.type == PERSON)) if toks else None


def test_person_index_groups_names_as_the_scan_did():
    rng = random.Random(11)
    firsts = ["Kari", "Ole", "Anne", "Per", "Hamid", "Amina", "Ole Petter", "Anne Grete"]
    lasts = ["Nordmann", "Hansen", "Vik", "Rahimi", "Strand", "Lund"]
    for round_ in range(30):
        fast, slow = Key("tags", round_), ScanKey("tags", round_)
        if round_ % 3 == 0:
            for key in (fast, slow):
                key.add_informant("1", "boligkjøper 1", "Hamid Rahimi", ["Hamid", "Rahimi"])
        for _ in range(60):
            shape = rng.random()
            first, last = rng.choice(firsts), rng.choice(lasts)
            name = first if shape < 0.35 else last if shape < 0.5 else f"{first} {last}"
            if rng.random() < 0.15:
                name += "s"
            kind = PERSON if rng.random() < 0.9 else "STED"
            a, suffix_a = fast.resolve(kind, name)
            b, suffix_b = slow.resolve(kind, name)
            assert (a.id, suffix_a) == (b.id, suffix_b), name
        assert fast.to_json() == slow.to_json()
        # A key read back from disk builds its index from the stored forms.
        again, scan = Key.from_json(fast.to_json(), "tags", round_), ScanKey.from_json(fast.to_json(), "tags", round_)
        for name in ["Kari", "Nordmann", "Ole Vik", "Anne Lund", "Hamid", "Per Strand", "Strand"]:
            assert again.resolve(PERSON, name)[0].id == scan.resolve(PERSON, name)[0].id, name


def test_memoised_surrogates_equal_a_fresh_draw():
    key = Key("surrogates", 5)
    for name in ["Ingrid Berg", "Ingrid", "Berg", "Kari", "Ole Petter Vik"]:
        entity, _ = key.resolve(PERSON, name)
        fake = Faker("no_NO")
        fake.seed_instance(int(hashlib.sha256(f"5:{entity.id}:{entity.attempt}".encode()).hexdigest()[:12], 16))
        first = fake.first_name_female() if entity.gender == "f" else (
            fake.first_name_male() if entity.gender == "m" else fake.first_name())
        last = fake.last_name()
        expected = {1: first, 2: f"{first} {last}", 3: f"{first} {last}"}[len(name.split())]
        if name == "Berg":
            expected = last
        assert key.surrogate(entity, name) == expected
        assert key.surrogate(entity, name) == expected  # the memo gives the same again
    address, _ = key.resolve("ADRESSE", "7045 Trondheim")
    fake = Faker("no_NO")
    fake.seed_instance(int(hashlib.sha256(f"5:{address.id}:0".encode()).hexdigest()[:12], 16))
    assert key.surrogate(address, "7045 Trondheim") == f"{fake.postcode()} {fake.city()}"
