"""Is a lower-case token a Norwegian word? A full-form lexicon for the rules that take an
unknown word in a name slot as a name ("tusen takk krzysiek", "to barn, kuba og Zosia").

``Gazetteer.is_common_word`` (NorNE dev forms + stop words, ~6 000 forms) says which *names*
are also frequent words; it misses one lower-case word in eight of an interview ("borettslaget",
"flott", "felleskostnadene"), far too many to read "not in it" as "a name". This lexicon is the
Bokmål and Nynorsk full-form dictionaries shipped with simplemma (MIT; built from Norsk
ordbank-style word lists, ~640 000 Bokmål and ~140 000 Nynorsk forms), plus compounds of two of
its words ("byggfirma" = bygg + firma, "startlånet" = start + lånet), as Norwegian writes
compounds as one word. It is loaded on first use only (about 0.6 s, 50 MB), so a study whose
text never reaches one of those rules does not pay for it.

It lists many rare forms that are also names ("aga" of å age, "kuba" of kube, "mina"), so it is
used only to say that an *unknown* token is not a name; whether a gazetteer name is an
ordinary word stays the frequency-based ``is_common_word``.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.lang.nb.stop_words import STOP_WORDS

# Linking letters between the parts of a compound ("arbeid-s-plass", "barn-e-hage").
_LINKS = ("", "s", "e")
_MIN_HEAD, _MIN_TAIL = 3, 4  # shorter tails ("tes", "ar") would make almost any name a compound
# Particles of two letters that open compounds ("utleige", "avleige", "påbygg", "omsorgsbustad"):
# heads shorter than _MIN_HEAD, so taken only before a listed word of five letters or more.
_PARTICLES, _PARTICLE_TAIL = ("ut", "av", "på", "om"), 5


@lru_cache(maxsize=1)
def _dictionaries() -> tuple:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    factory = DefaultDictionaryFactory()
    return factory.get_dictionary("nb"), factory.get_dictionary("nn")


def _listed(word: str) -> bool:
    return any(word in d for d in _dictionaries())


def in_dictionary(word: str) -> bool:
    """The lower-case form itself is listed (no compound analysis)."""
    return _listed(word.lower())


@lru_cache(maxsize=65536)
def is_ordinary(word: str) -> bool:
    """An ordinary word: the lower-case form is listed as a form of a common noun, verb, adjective ...
    ("ruta" of rute, "anna", "naboen", "takst"), not of a proper noun (the dictionaries give "jan"
    the lemma "Jan"). Used so that a name list never turns such a word into a name by itself."""
    w = word.lower()
    lemmas = [d[w] for d in _dictionaries() if w in d]
    return bool(lemmas) and not any(lemma[:1].isupper() for lemma in lemmas)


@lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """True when ``token`` (any case) is a Norwegian word form, a stop word or a compound of two."""
    w = token.lower().strip("-")
    if not w or w in STOP_WORDS or _listed(w):
        return True
    if "-" in w:  # "e-post", "kjøp-og-salg": a word when each part is
        return all(is_word(p) for p in w.split("-") if p)
    if w[:2] in _PARTICLES and len(w) - 2 >= _PARTICLE_TAIL and _listed(w[2:]):
        return True
    for cut in range(_MIN_HEAD, len(w) - _MIN_TAIL + 1):
        head, tail = w[:cut], w[cut:]
        if not _listed(tail):
            continue
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            stem = head[: len(head) - len(link)] if link else head
            if len(stem) >= _MIN_HEAD and _listed(stem):
                return True
    return False
