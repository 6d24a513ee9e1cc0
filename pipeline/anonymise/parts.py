"""A person named in full, then by the surname alone: "det er Geir Arne Berg ... Berg er grundig".

The second mention is a capitalised word that is often also an ordinary word or a place ("Berg",
"Dal", "Vik"), and it may open its sentence, so neither the name list nor the capital-letter rules
take it; whether the model tags it depends on the model (nb_norne_sm 1.0 tags that "Berg", 1.1 does
not). What identifies it is the turn itself: the same word closed a person's full name a little
before. This recognizer runs after the others and marks each other capitalised occurrence, in the
same turn, of the last word of a person they found in two or more capitalised words (a lower-case
"berg" is the ordinary word).
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .detection import PERSON, Detection, DetectionReader

_WORD = re.compile(r"[^\W\d_][\w'’-]*")


class NamePartRecognizer(DetectionReader):
    name = "name_part"
    version = "1"
    supported_entities = (PERSON,)
    score = 0.8

    def analyze(self, text, doc=None, found=()):
        surnames = set()
        for d in found:
            words = _WORD.findall(d.text)
            if d.type != PERSON or not d.replaced_at(self.min_score) or len(words) < 2 or not all(w[:1].isupper() for w in words):
                continue
            last = words[-1]
            if len(last) >= 3 and last.lower() not in STOP_WORDS:
                surnames.add(last)
        if not surnames:
            return []
        taken = [(d.start, d.end) for d in found if d.replaced_at(self.min_score)]
        out = []
        for m in _WORD.finditer(text):
            word = m.group()
            bare = word[:-1] if word.endswith("s") and word[:-1] in surnames else word  # "Bergs kontor"
            if bare in surnames and not any(s < m.end() and m.start() < e for s, e in taken):
                out.append(self._d(text, m.start(), m.start() + len(bare), PERSON, self.score))
        return out
