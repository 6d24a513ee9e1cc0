"""The anonymisation stage: private turns -> anonymised segments in the study store.

1. Detect (recognizers over each whole turn; NER needs the context), reading
   the Docs of ingest's one spaCy pass (pipeline/parse.py) rather than running
   the model again. The detections are cached in data/private by the
   transcript's ingest fingerprint, so only new or changed transcripts are read.
2. Register every replaced string in the study-wide key (informants and known
   identifiers first), so one person has one pseudonym everywhere.
3. Replace: each turn's detections plus every original from the key found in
   it (the guard's own matching rule), merged, then transformed; then whatever
   the stage's guard still finds in the rendered turn or one of its segments
   (``Guard.leaks``) is replaced too, so step 4 cannot refuse it; segments are
   mapped onto the anonymised turn text and keep their ids.
4. Check every text with the leak guard, then write: key and cache
   (data/private, 0600), segments and audit (study store), CSV exports.

A transcript is rewritten only when its fingerprint (ingest fingerprint +
settings + key + decisions) changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from importlib import metadata

from .. import parallel
from ..errors import QualpipeError
from ..ingest.informants import shareable_file_name
from ..nlp import resolve_model_name
from ..progress import Track, no_progress
from ..records import Segment, Turn
from ..secret import keyed_hex, study_secret
from ..settings import Study
from ..store import PrivateStore, StudyStore, rows_to_csv
from .analyzer import (ROLE_LABELS, RoleLabels, apply_keep, detect_job, fits_its_form, merge, over_joined_parts,
                       trim_clause_words, with_first_names)
from .casing import lower_case_transcript
from .gazetteer import load_gazetteer
from .learned import span_scores
from .dialect import closed_class_word, respelled_word
from .lexicon import is_ordinary, is_word
from .guard import Guard, guard_for_key, guard_text, key_guard
from .keystore import read_key_data, write_key_data, write_private
from .matcher import KeepTerms, Match, StringMatcher, sentence_initial, tokens_of
from .operators import Entity, Key, normalise
from .cues import addressed, caseless_name, coordinated, person_context, subject_slot
from .detection import LOWER, PERSON, TYPES, Detection
from .registry import DenyListRecognizer, RecognizerRegistry, default_registry
from .slots import seen_in_treebank
from .study_names import StudyNameForms, StudyPlaces
from .unexplained import WORD as UNEXPLAINED_WORD
from .sources import (attribute_words, guess_type, informant_label, informant_variants, keep_strings, known_identifiers,
                      label_words, load_decisions, own_words, speaker_labels)

CACHE_NAME = "anonymisation_cache.json"
_LOWER_WORD = re.compile(rf"(?<![\w])[{LOWER}][\w]*")
AUDIT_CSV = "anonymisation_audit.csv"
# A lower-case word in this many transcripts is the study's vocabulary, not one informant's name.
STUDY_WORD_FILES = 3


@dataclass
class TurnResult:
    text: str
    replaced: list[tuple[int, int, str, str, str]]  # raw start, end, type, entity id, replacement
    review: list[dict]


@dataclass
class TurnCandidates:
    """What the key and the detections make of one turn (``Anonymiser.turn_candidates``)."""
    replace: list[Detection]
    weak: list[Detection]  # below the threshold: listed for review, not replaced
    from_key: dict[tuple[int, int], str]  # span -> id of the key entity whose original it is


@dataclass
class AnonymiseResult:
    files: list[str] = field(default_factory=list)
    redone: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    detected_fresh: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    entities: int = 0
    # Per file, per turn (in turn order): what was replaced where (raw offsets). Private.
    outputs: dict[str, list[TurnResult]] = field(default_factory=dict)
    derived: tuple[int, int] = (0, 0)  # transcripts whose segment Docs were derived again, segments lemmatised


def detection_config(study: Study, registry: RecognizerRegistry) -> str:
    """The detection cache's key: the registry's configuration and the spaCy model."""
    model = resolve_model_name(study.settings.model)
    try:
        version = metadata.version(model)
    except metadata.PackageNotFoundError:
        version = "?"
    blob = json.dumps({"registry": registry.config(), "model": f"{model}-{version}"}, sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _det_to_row(d: Detection) -> list:
    return [d.start, d.end, d.type, d.score, d.recognizer]


def _row_to_det(text: str, row: list) -> Detection:
    start, end, kind, score, name = row
    return Detection(start, end, kind, score, name, text[start:end])


# Recognizers whose evidence for a name is its capital (``Anonymiser._caption_capital``).
CAPITAL_RECOGNIZERS = ("ner", "fallback_capitalised", "learned")
_NAME_TYPES = frozenset({"PERSON", "STED", "ORGANISASJON"})


class Anonymiser:
    """Everything needed to anonymise texts of one study with its current key."""

    def __init__(self, study: Study, key: Key, decisions: dict):
        self.study = study
        self.a = study.settings.anonymisation
        self.g = load_gazetteer()
        self.key = key
        self.decisions = decisions
        keep = keep_strings(study, decisions)
        # One rule for what a keep term keeps (matcher.KeepTerms): a lower-case term the lower-case word.
        self.keep = KeepTerms(keep, self.g)
        self.registry = default_registry(self.a, set(keep), study.root / "study.yaml")
        # The score of a span listed for review only, under min_score: the learned recognizer's.
        self.review_only = span_scores(self.a.min_score, self.a.review_below)[2]
        # A study's own deny lists report what they list, whatever its form.
        self.deny_lists = frozenset(r.name for r in self.registry if isinstance(r, DenyListRecognizer))
        # The study's speaker labels and the role words transcripts label speakers with, as words of
        # a turn: a role, no name (``_speaker_label``).
        self.role_labels = RoleLabels([*speaker_labels(study), *ROLE_LABELS], self.g,
                                      [n for _i, name, variants in informant_variants(study) for n in [name, *variants]])
        self.key_matcher: StringMatcher | None = None
        # The stage's guard for the key as it stands (``build_matcher``): what it would refuse in a
        # rendered turn is replaced before the turn is returned (``render_turn``).
        self.guard: Guard | None = None
        # Raw (start, end) of the segments of each turn text, as the stage stores them: each segment's
        # text is a cell of segments.csv, which the guard reads on its own (``_guard_hits_rendered``).
        self.segment_cuts: dict[str, set[tuple[int, int]]] = {}
        # The guard's informant-name rule (``seed_key``; ``_with_informant_names``).
        self.informant_names: StringMatcher | None = None
        self.lower_vocab: set[str] = set()  # words the study writes in lower case somewhere
        self.own_words = own_words(study)  # the codebook's and the report's wording
        # The words of the study's labels (group labels: every informant's pseudonym holds one), its
        # own wording too, for ``mark_ordinary_words`` only: the guard reads a label on its own.
        self.label_words = label_words(study)
        self.own_compounds: set[str] = set()  # key ids of the codebook's compound terms (own_compound)
        # Entities some detection saw written as a name (``register``): capitalised mid-sentence, a
        # name of several words ("Dag Rune heter han"), or a person in a sentence about one.
        self.written_as_name: set[str] = set()
        # Turn texts of transcripts written mostly in lower case (``lower_case_transcript``): there
        # a name's case says nothing, so short lower-case names and ordinary-word names known to
        # the key count when the context is about a person (docs/anonymisation.md).
        self.lower_texts: set[str] = set()
        # Words used in lower case in several transcripts (``STUDY_WORD_FILES``): the study's own
        # vocabulary, which explains an unexplained word (unexplained.py) as an ordinary one.
        self.study_vocab: set[str] = set()
        self.attribute_words = attribute_words(study)
        self.loose_matcher: StringMatcher | None = None
        # The study's places as its other transcripts write them, for transcripts in lower case (study_names.py).
        self.study_places: StudyPlaces | None = None
        self.study_forms: StudyNameForms | None = None
        self._explained: set[str] = set()
        # Keep-term spans per text: the keep list is fixed for the run, and every turn is merged
        # several times (registration, each replacement round).
        self._keep_spans: dict[str, list[tuple[int, int]]] = {}
        # The informant-name matcher's hits per text it read (``_informant_hits``): that matcher is
        # built once per run (``seed_key``), and every turn is read by it in the seeded reading, in
        # each replacement round and, rendered without a replacement, as the same text again.
        self._informant_hits_of: dict[str, tuple[Match, ...]] = {}
        self._normalised_of: dict[tuple[str, str], str] = {}  # ``_normalised``

    def seed_key(self) -> None:
        """Informants, known identifiers and 'remove' decisions enter the key first."""
        for informant, name, variants in informant_variants(self.study):
            self.key.add_informant(informant.id, informant_label(self.study, informant), name, variants)
        from .guard import informant_entries, name_matcher

        entries = informant_entries(self.study)
        self.informant_names = name_matcher(entries, self.g) if entries else None
        self._informant_hits_of = {}  # of the matcher just built
        for kind, original in known_identifiers(self.study):
            if self.keep.holds(original):
                continue
            self.key.add_known(kind or guess_type(original), original)
            if (kind or guess_type(original)) == "PERSON":
                from .sources import name_variants

                for variant in name_variants(original):
                    self.key.add_known("PERSON", variant)
        for item in self.decisions.values():
            if item["decision"] == "remove":
                self.key.add_known(item["type"], item["original"], source="decision")

    def _fitted(self, text: str, d: Detection) -> Detection:
        """A detection whose type its span cannot hold (a number type without a digit, a date
        without a day or month, the name of a kind of identifier: ``fits_its_form``) is not
        replaced as that type, but listed for review: the recognizers that read detections have
        stepped around it, so a name the learned model typed DATO would otherwise be neither
        masked nor seen. A study's deny lists are what the researcher said, and stay."""
        if fits_its_form(text, d) or d.recognizer in self.deny_lists:
            return d
        return replace(d, score=min(d.score, self.review_only))

    def _function_word(self, text: str, d: Detection) -> Detection:
        """A name, place or firm on one function word alone (``dialect.closed_class_word``: "dæm",
        "kæm", "Korsn", "Ha") is listed for review, not replaced: no name is a pronoun or question
        word, and once replaced the key would spread the word over the study. What the
        researchers listed (an informant, a known identifier, a decision, a deny list) stays."""
        if d.type not in _NAME_TYPES or d.recognizer in self.deny_lists or (d.recognizer == "key" and d.score >= 1.0):
            return d
        toks = tokens_of(text[d.start:d.end])
        if len(toks) != 1 or not closed_class_word(toks[0]):
            return d
        return replace(d, score=min(d.score, self.review_only))

    def _speaker_label(self, text: str, d: Detection) -> Detection:
        """A name, place or firm that is a speaker label of the study ("Deltaker A", "IP1",
        "Intervjuer", "Tolk": ``analyzer.RoleLabels``) is listed for review, not replaced; one that
        starts or ends with a label and goes on ("Deltaker A, Kari") is cut to the rest. What the
        researchers listed (an informant, a known identifier, a decision, a deny list) stays."""
        if d.recognizer in self.deny_lists or (d.recognizer == "key" and d.score >= 1.0):
            return d
        rest = self.role_labels.without_labels(text, d)
        return replace(d, score=min(d.score, self.review_only)) if rest is None else rest

    def _kept_spans(self, text: str) -> list[tuple[int, int]]:
        """The keep terms' spans in ``text``, once per text: the keep list is fixed for the run and
        every turn is merged several times (registration, each replacement round)."""
        spans = self._keep_spans.get(text)
        if spans is None:
            spans = self._keep_spans[text] = self.keep.spans(text)
        return spans

    def candidates(self, text: str, dets: list[Detection]) -> tuple[list[Detection], list[Detection]]:
        lower = text in self.lower_texts
        dets = [self._fitted(text, e) for e in (self._study_evidence(d, lower, text) for d in dets) if e is not None]
        dets = [self._speaker_label(text, self._function_word(text, d)) for d in dets]
        # A name the key holds already (an informant's, a known identifier, a researcher's
        # 'remove' decision: the key is fresh and seeded when turns are read) is taken whole, even
        # if a part of it looks like a clause word ("Han Li").
        dets = [e for e in (d if (d.type, self._normalised(d.type, text[d.start:d.end])) in self.key.index
                            else trim_clause_words(text, d)
                            for d in dets) if e is not None]
        dets = apply_keep(text, dets, self.keep, self.g, spans=self._kept_spans(text))
        replace, weak = merge(text, dets, self.a.min_score)
        return with_first_names(text, over_joined_parts(text, replace, self.g), self.g), weak

    def _normalised(self, kind: str, span: str) -> str:
        """``normalise(kind, span)``, once per run: a pure function of the two, asked for every
        detection of every turn in the seeded reading and again in each replacement round."""
        found = self._normalised_of.get((kind, span))
        if found is None:
            found = self._normalised_of[(kind, span)] = normalise(kind, span)
        return found

    def _study_evidence(self, d: Detection, lower: bool = False, text: str = "") -> Detection | None:
        """A lone unknown capitalised word opening a sentence, tagged a name by the model, is
        taken as one (0.75, still listed for review) only if the study never writes it in
        lower case: "Mappe", "Papir", "Jobba" occur lower-case elsewhere, a name does not.
        A lower-case candidate ("aga leste det, hun", "takk krzysiek") counts (0.7, reviewed)
        only in a transcript written in lower case, and is dropped elsewhere."""
        if d.recognizer.startswith("unexplained") and self._unexplained_explained(d, lower, text):
            return None
        if lower and (self._caption_capital(d, text) or self._truecased_study_word(d, text)):
            return replace(d, score=min(d.score, self.review_only))
        if d.recognizer.endswith("_lower"):
            if lower and caseless_name(d):
                return Detection(d.start, d.end, d.type, 0.7, d.recognizer, d.text)
            return None
        if d.recognizer.startswith("fallback_") and self._fallback_explained(d, text):
            return None
        if d.recognizer != "ner_initial":
            return d
        if d.text.lower() in self.lower_vocab:
            return d
        if is_word(d.text) and not person_context(text, d.start, d.end):
            return d  # "Adressa er ...", "Vindauga er ...": a dictionary word opening a sentence
        return Detection(d.start, d.end, d.type, 0.75, "ner", d.text)

    def _caption_capital(self, d: Detection, text: str) -> bool:
        """In a transcript written in lower case, a capital the captioner wrote is no evidence by
        itself: automatic captions capitalise ordinary words at random ("kan de to Seie kven de er",
        "mellom Dykk", "dei har Permanent Opphald"). A name, place or firm that a recognizer reading
        capitals found (``CAPITAL_RECOGNIZERS``: the model, the capitalised-word fallback, the learned
        model) and whose every word is an ordinary word on no name, place or keep list
        (``Gazetteer.is_listed``) is listed for review,
        not replaced: the first a form of a common word (``lexicon.is_ordinary``) in use as one — a
        frequent word, written in lower case in the treebank (``slots.seen_in_treebank``), in a
        transcript with capitals or in several transcripts of the study — since the dictionary also
        lists rare forms that are names ("kris"); the words after it any word ("Permanent Opphald")
        or a letter ("Dobbel t"). The key, the clause and slot rules and the name lists decide as before."""
        if d.type not in _NAME_TYPES or not d.recognizer.startswith(CAPITAL_RECOGNIZERS):
            return False
        words = UNEXPLAINED_WORD.findall(text[d.start:d.end])
        if not words or not words[0][:1].isupper():
            return False
        g = self.g
        first = words[0].lower()
        if not is_ordinary(first) or not (g.is_common_word(first) or first in self.lower_vocab
                                          or first in self.study_vocab or seen_in_treebank(first)):
            return False
        return all((i == 0 or len(w) <= 2 or is_word(w)) and not g.is_listed(w) for i, w in enumerate(words))

    def _truecased_study_word(self, d: Detection, text: str) -> bool:
        """In a transcript written in lower case, a one-word name, place or firm that a recognizer
        reading capitals found on a capital only truecasing gave it (the turn writes it in lower
        case), where the study's transcripts with capitals write the same word in lower case
        (``lower_vocab``) and no name, place or keep list has it (``Gazetteer.is_listed``, the
        same test in any case as ``_caption_capital``'s): "startlån", "leilighetan" in the
        caseless transcript, "startlån" in the others. Those transcripts wrote it as a word; the
        capital is the truecaser's guess. Listed for review, not replaced (once replaced, the key
        would spread it into the transcripts that wrote it as a word)."""
        if d.type not in _NAME_TYPES or not d.recognizer.startswith(CAPITAL_RECOGNIZERS):
            return False
        words = UNEXPLAINED_WORD.findall(text[d.start:d.end])
        if len(words) != 1 or not words[0][:1].islower():
            return False
        return words[0] in self.lower_vocab and not self.g.is_listed(words[0])

    def _unexplained_explained(self, d: Detection, lower: bool, text: str) -> bool:
        """What the study explains of an unexplained-word hit (unexplained.py): every word of it is
        the researchers' own (codebook, report prose, keep terms), written in lower case in a
        transcript with capitals, used in lower case in several transcripts, or in the informants'
        shared attributes (``sources.attribute_words``). A capital is evidence
        only where the transcript has capitals and wrote it (not truecasing)."""
        if d.recognizer == "unexplained_capital" and (lower or text[d.start:d.start + 1].islower()):
            return True
        written = UNEXPLAINED_WORD.findall(d.text)
        words = [w.lower() for w in written]
        # A keep term explains a word as the study wrote it ("selam" kept is no "Selam").
        kept = {w.lower() for w in written if self.keep.holds(w)}
        if d.recognizer == "unexplained_name_lower":
            # An ordinary word the clause made a name: the study's use of the word elsewhere says
            # nothing about this use; only its own wording and keep terms release it.
            return bool(words) and all(w in self.own_words or w in self.attribute_words or w in kept
                                       for w in words)
        return bool(words) and all(w in self.own_words or w in self.lower_vocab or w in self.study_vocab
                                   or w in self.attribute_words or w in kept for w in words)

    def _fallback_explained(self, d: Detection, text: str) -> bool:
        """A one-word fallback hit the study itself explains (fallback.py): the researchers' own word
        (codebook, report prose: "takst"); and, where the capital was the only evidence
        (``fallback_capitalised``), a capital written by truecasing (casing.py) or a word the study
        writes in lower case elsewhere. A clause rule's hit stays: the clause is its evidence."""
        if " " in d.text.strip():
            return False
        low = d.text.lower()
        return low in self.own_words or (d.recognizer == "fallback_capitalised"
                                         and (d.text[:1].islower() or low in self.lower_vocab))

    def turn_candidates(self, text: str, dets: list[Detection]) -> TurnCandidates:
        """What the key as it stands and the turn's detections make of one turn: the spans to
        replace, those only for review, and which of them the key matched (by entity id). It
        reads the key and changes nothing: registration reads every turn before the key grows."""
        extra, from_key = self.key_detections(text)
        replace, weak = self.candidates(text, dets + extra)
        ids = {span: entity.id for span, entity in from_key.items()}
        replace = self._with_informant_names(text, replace, ids)
        return TurnCandidates(replace, weak, ids)

    def _with_informant_names(self, text: str, replace: list[Detection], ids: dict[tuple[int, int], str]) -> list[Detection]:
        """Every informant name form the guard would find in ``text`` (its own matcher and entries,
        ``guard.informant_entries``; outside a keep term, as the guard looks), replaced as the
        informant, whatever the detections and the key's rules made of it: a span the rules dropped,
        cut or left to a shorter detection is taken whole (with any replacement it overlaps), so the
        guard's informant check cannot refuse what the anonymiser wrote."""
        if self.informant_names is None:
            return replace
        spans = self._kept_spans(text)
        for m in self._informant_hits(guard_text(text)):
            if any(ks <= m.start and m.end <= ke for ks, ke in spans):
                continue
            if any(d.start <= m.start and m.end <= d.end for d in replace):
                continue
            replace = _as_informant(text, replace, ids, m.start, m.end, m.payload.informant)
        return replace

    def _informant_hits(self, out: str) -> tuple[Match, ...]:
        """``self.informant_names.find(out)``, once per text and run: the matcher is fixed after
        ``seed_key`` (the study's informants), so its answer for a text is too."""
        hits = self._informant_hits_of.get(out)
        if hits is None:
            hits = self._informant_hits_of[out] = tuple(self.informant_names.find(out))
        return hits

    def register(self, text: str, dets: list[Detection]) -> None:
        self.register_candidates(text, self.turn_candidates(text, dets))

    def register_candidates(self, text: str, found: TurnCandidates) -> None:
        """Step 2 for one turn: every replaced string not matched by the key enters it."""
        from_key = found.from_key
        for d in found.replace:
            if (d.start, d.end) not in from_key:
                entity, _suffix = self.key.resolve(d.type, d.text, score=d.score)
                if d.text[:1].isupper() and (len(tokens_of(d.text)) > 1 or not sentence_initial(text, d.start)
                                             or (d.type == PERSON and person_context(text, d.start, d.end))):
                    self.written_as_name.add(entity.id)

    def key_detections(self, text: str) -> tuple[list[Detection], dict[tuple[int, int], Entity]]:
        """Every original of the key found in ``text``, as detections (the guard's rule)."""
        assert self.key_matcher is not None
        from_key: dict[tuple[int, int], Entity] = {}
        extra = []
        for m in self.key_matcher.find(text):
            entity: Entity = m.payload
            score = 1.0 if entity.source in ("informant", "known", "decision") else min(0.9, entity.confidence)
            extra.append(Detection(m.start, m.end, entity.type, score, "key", text[m.start:m.end]))
            from_key[(m.start, m.end)] = entity
        if self.loose_matcher is not None:
            # A person of the key whose name is an ordinary word ("Sol"), where the sentence is about
            # a person: in lower case in a transcript written so ("fikk møte med sol, hun var ..."),
            # and opening a sentence when the study uses the word ("Ruta kom, hun ..."). Listed for review.
            lower = text in self.lower_texts
            for m in self.loose_matcher.find(text):
                if text[m.start].islower():
                    if not lower:
                        continue
                elif not (self.spread_mid_sentence_only(m.payload) and sentence_initial(text, m.start)):
                    continue
                # In lower case a clause's subject too ("og storm er i barnehagen"): the study has
                # detected the word as this person and never writes it in lower case as a word
                # (``ordinary_word``), and a bare noun seldom stands before its verb.
                # Or addressed after "du" at a sentence's end, or joined by "og" to a person of the key.
                persons = [span for span, e in from_key.items() if e.type == PERSON]
                if (not any(s < m.end and m.start < e for s, e in from_key)
                        and (person_context(text, m.start, m.end)
                             or addressed(text, m.start, m.end)
                             or coordinated(text, m.start, m.end, persons)
                             or (text[m.start].islower() and not m.payload.ordinary_word
                                 and subject_slot(text, m.start, m.end)))):
                    extra.append(Detection(m.start, m.end, PERSON, 0.7, "key_caseless", text[m.start:m.end]))
                    from_key[(m.start, m.end)] = m.payload
        if self.study_places and text in self.lower_texts:
            for d, entity in self.study_places.find(text, from_key):
                extra.append(d)
                if entity is not None:
                    from_key[(d.start, d.end)] = entity
        if self.study_forms and text in self.lower_texts:
            for d, entity in self.study_forms.find(text, from_key, self._explained):
                extra.append(d)
                from_key[(d.start, d.end)] = entity
        if self.study_places and text in self.lower_texts:
            extra += self.study_places.listed(text, [(d.start, d.end) for d in extra], self.review_only)
        return extra, from_key

    def mark_ordinary_words(self) -> None:
        """Detected one-word names that are ordinary words the study itself uses in lower case
        ("ruta" in a transcript) or in its own wording (the codebook's "takst", a group label's
        "kjøpte"): the key spreads them only where they read as a name (``build_matcher``) and lists
        each replacement for review. The guard's rule for them is the same (capitalised mid-sentence),
        so a label opening with the word ("Kjøpte og ble boende") is not refused for it."""
        for entity in self.key.entities.values():
            if entity.source != "detected" or entity.ordinary_word:
                continue
            if any(self.own_compound(o, entity.type) for o in entity.originals):
                self.own_compounds.add(entity.id)
            elif not any(self.ordinary_word(o, entity.type) and (tokens_of(o)[0] in self.lower_vocab
                                                                 or tokens_of(o)[0] in self.own_words
                                                                 or tokens_of(o)[0] in self.label_words)
                         for o in entity.originals):
                continue
            entity.ordinary_word = True
            self.key.changed = True

    def own_compound(self, text: str, kind: str) -> bool:
        """A compound or inflected word ("startlånet") that no dictionary lists whole, but that the
        codebook uses and a transcript with capitals writes in lower case: the researchers' term,
        not a name. Both conditions, because a compound of words alone may well be a name
        ("Solberg"). Its capital says nothing either (transcripts capitalise terms at random), so
        the key re-applies it only capitalised mid-sentence, each time for review."""
        toks = tokens_of(text)
        return (kind in (PERSON, "STED", "ORGANISASJON") and len(toks) == 1 and toks[0] in self.own_words
                and toks[0] in self.lower_vocab and is_word(toks[0]) and not self.ordinary_word(text, kind))

    def ordinary_word(self, text: str, kind: str) -> bool:
        """A name, place or firm written as one ordinary Norwegian word ("Ruta", "takst", "Lund")."""
        toks = tokens_of(text)
        return kind in (PERSON, "STED", "ORGANISASJON") and len(toks) == 1 and (
            self.g.is_common_word(toks[0]) or is_ordinary(toks[0]))

    @staticmethod
    def dialect_form(text: str, kind: str) -> bool:
        """A name, place or firm written as one dialect form or respelling of an ordinary word
        (``respelled_word``; never a gazetteer name): only reviewed, it changes nothing else the key does."""
        toks = tokens_of(text)
        return kind in (PERSON, "STED", "ORGANISASJON") and len(toks) == 1 and respelled_word(toks[0])

    def build_matcher(self) -> None:
        """The key as a matcher. A detected ordinary word of the study (``mark_ordinary_words``) that
        no detection saw written as a name is re-applied only where it reads as one: capitalised
        mid-sentence (the guard's rule), and as a person where the sentence is about one
        (``key_detections``); "Takst var ..." opening a sentence elsewhere stays the word."""
        originals = [(o, e) for o, e in self.key.originals() if not self.keep.holds(o)]
        self.key_matcher = StringMatcher(originals, self.g, ordinary_mid_sentence=self.spread_mid_sentence_only)
        self.guard = key_guard(self.study, self.key.to_json())
        ordinary = [(o, e) for o, e in originals if e.type == PERSON and self.ordinary_word(o, PERSON)
                    and (self.lower_texts or e.ordinary_word)]
        self.loose_matcher = StringMatcher(ordinary, self.g, strict_common=False) if ordinary else None
        if self.lower_texts:
            # Evidence is what a transcript with capitals wrote as a name, or what the researchers gave.
            named = [(o, e) for o, e in originals if not e.ordinary_word
                     and (e.source != "detected" or e.id in self.written_as_name)]
            spread = [(o, e) for o, e in originals if not e.ordinary_word and len(tokens_of(o)) == 1
                      and not self.ordinary_word(o, e.type)]
            self._explained = self.lower_vocab | self.own_words | self.study_vocab | self.attribute_words
            self.study_places = StudyPlaces(named, self._explained, spread)
            self.study_forms = StudyNameForms(originals, self._explained)

    def spread_mid_sentence_only(self, entity: Entity) -> bool:
        """An ordinary word of the study that was detected only in lower case or opening a sentence
        ("kom takst", "Takst var ..."), never written as a name: the key re-applies it only
        capitalised mid-sentence. One detected as a name ("naboen Ruta") is re-applied at sentence
        starts too, where the capital says nothing ("Ruta kom i går")."""
        return entity.ordinary_word and (entity.id not in self.written_as_name or entity.id in self.own_compounds)

    def anonymise_study_texts(self, texts: dict[str, list[tuple[str, list[Detection]]]],
                              lower_files: set[str] = frozenset()) -> dict[str, list[TurnResult]]:
        """Steps 2 and 3 over the whole study: ``texts`` = per file (in canonical order), its turns'
        texts with their detections; ``lower_files``: the transcripts written in lower case."""
        self.start_study({f: [text for text, _dets in turns] for f, turns in texts.items()}, lower_files)
        return self.finish_study(texts, [self.seeded_candidates(turns) for turns in texts.values()])

    def start_study(self, texts: dict[str, list[str]], lower_files: set[str] = frozenset()) -> None:
        """Step 2's start, from the turns' texts alone (``texts``: per file, in canonical order): what
        the study's words say and the seeded key's matcher. After it, :meth:`seeded_candidates` of
        each transcript can be read as soon as its detections are known (the stage reads them while
        the workers detect the next transcripts); :meth:`finish_study` takes them all."""
        self.lower_texts = {text for f in lower_files for text in texts[f]}
        # A transcript in lower case says nothing about which words are names: not study evidence.
        self.lower_vocab = set()
        files_of: dict[str, int] = defaultdict(int)
        for f in texts:
            words = {w for text in texts[f] for w in _LOWER_WORD.findall(text)}
            if f not in lower_files:
                self.lower_vocab |= words
            for w in words:
                files_of[w] += 1
        self.study_vocab = {w for w, n in files_of.items() if n >= STUDY_WORD_FILES}
        self.seed_key()
        self.build_matcher()

    def seeded_candidates(self, turns: list[tuple[str, list[Detection]]]) -> list[TurnCandidates]:
        """``turn_candidates`` of one transcript's turns (text, detections) against the seeded key
        (between :meth:`start_study` and :meth:`finish_study`): a function of the seeded key, the
        study's words and the turn, whichever transcripts are read before it."""
        return [self.turn_candidates(text, dets) for text, dets in turns]

    def finish_study(self, texts: dict[str, list[tuple[str, list[Detection]]]],
                     seeded: list[list[TurnCandidates]]) -> dict[str, list[TurnResult]]:
        """Steps 2 and 3 after :meth:`start_study`: ``seeded`` = :meth:`seeded_candidates` of each
        file of ``texts``, in its order."""
        # 2. register: the whole study's key before any text is replaced. What the seeded key and
        # the detections make of each turn is read for every turn first (a function of the key
        # alone); the key then grows turn by turn in the canonical order.
        for f, found in zip(texts, seeded):
            for (text, _dets), turn in zip(texts[f], found):
                self.register_candidates(text, turn)
        self.mark_ordinary_words()
        self.key.fix_collisions({tok for o, _ in self.key.originals() for tok in tokens_of(o)})

        # 3. replace (again if replacing found a string the key did not have yet). Each round reads
        # every turn against the key as the round found it; pseudonyms are then chosen here in order.
        for _round in range(4):
            self.mark_ordinary_words()
            self.key.changed = False
            self.build_matcher()
            outputs = {f: [self.render_turn(text, turn) for (text, _dets), turn in zip(texts[f], found)]
                       for f, found in zip(texts, self.study_candidates(texts))}
            if not self.key.changed:
                return outputs
        raise QualpipeError("the pseudonym key did not settle after 4 rounds; please report this")  # pragma: no cover

    def study_candidates(self, texts: dict[str, list[tuple[str, list[Detection]]]]) -> list[list[TurnCandidates]]:
        """``turn_candidates`` of every turn, per file in the order of ``texts``, here on the client.

        Not on the run's executor: each round would send every turn and the key's matchers to the
        workers again, and that costs more than the matching it spreads (docs/scale.md)."""
        return [[self.turn_candidates(text, dets) for text, dets in turns] for turns in texts.values()]

    def anonymise_turn(self, text: str, dets: list[Detection]) -> TurnResult:
        return self.render_turn(text, self.turn_candidates(text, dets))

    def render_turn(self, text: str, found: TurnCandidates) -> TurnResult:
        """Step 3 for one turn: each span replaced by its entity's pseudonym (new ones enter the key).

        The guarantee is read at the output, by the guard itself: every identifier the stage's guard
        for the key as it stands (``self.guard``, ``Guard.leaks``: its entries, its matching rule, its
        keep terms) finds in the rendered turn outside the replacements is replaced as the entity it
        matched, and the turn rendered again, until the guard finds none. The key's and the
        detections' rules leave such a hit where they read the raw turn otherwise than the guard
        reads the output: ``_`` joins words for the guard only ("Strand_"), an ordinary word
        re-applied only where it reads as a name, a span cut by a longer or a weaker detection, a
        spelled run that spells a name only once another part of it is replaced. Each such
        replacement of a detected entity is listed for review (``GUARD_RECOGNIZER``). Each round
        replaces at least one raw character no replacement held (a hit is not wholly inside one), so
        there are at most as many rounds as characters; a hit wholly inside a pseudonym, or one whose
        original no entity of the key holds, is left for the stage's guard, which refuses the file
        (fails closed)."""
        result = self._render_once(text, found)
        for _round in range(len(text)):
            hits = self._guard_hits_rendered(text, result)
            if not hits:
                break
            replace, ids = list(found.replace), dict(found.from_key)
            for start, end, entity in hits:
                replace = _as_entity(text, replace, ids, start, end, entity)
            found = TurnCandidates(replace, found.weak, ids)
            result = self._render_once(text, found)
        return result

    def _guard_hits_rendered(self, text: str, result: TurnResult) -> list[tuple[int, int, Entity]]:
        """Every identifier the guard finds in the rendered turn ``result.text`` that is not wholly
        inside a replacement, as (raw start, raw end, the key's entity for it): a hit that takes in
        part of a replacement takes in its whole raw span. Empty for a turn the guard passes."""
        if self.guard is None:
            return []
        out = result.text
        hits = list(self.guard.leaks(out))
        # A segment's text is read on its own too (a cell of segments.csv): a keep term read by its
        # turn's context ("Startlån" in a turn without sentence punctuation) or cut by the segment's
        # edge may keep a word there that it does not keep in the segment.
        for start, end in sorted(self.segment_cuts.get(text, ())):
            a = map_offset(start, result.replaced, "start")
            b = map_offset(end, result.replaced, "end") if end > start else a
            if b > a and (a, b) != (0, len(out)):
                hits += [Match(m.start + a, m.end + a, m.original, m.payload) for m in self.guard.leaks(out[a:b])]
        if not hits:
            return []
        # Where each replacement stands in the rendered text: (out start, out end, raw start, raw end).
        pieces, shift = [], 0
        for start, end, _kind, _entity, new in result.replaced:
            pieces.append((start + shift, start + shift + len(new), start, end))
            shift += len(new) - (end - start)
        found = []
        for m in sorted(set(hits), key=lambda m: (m.start, m.end, m.original)):
            if any(os <= m.start and m.end <= oe for os, oe, _s, _e in pieces):
                continue  # the tool's own wording (a pseudonym), not the raw text: left to the guard
            entity = self._entity_of(m)
            if entity is None:
                continue  # nothing to replace it as: left to the guard, which refuses (fails closed)
            found.append((_raw_offset(m.start, pieces, "start"), _raw_offset(m.end, pieces, "end"), entity))
        return found

    def _entity_of(self, m: Match) -> Entity | None:
        """The key's entity of a guard hit: the informant's, or the one whose original it matched."""
        payload = m.payload
        if getattr(payload, "informant", ""):  # the informants table's entries name their informant
            return self.key.entities.get(f"INFORMANT_{payload.informant}")
        kind = getattr(payload, "type", None)
        for k in (kind, guess_type(m.original)):
            found = self.key.index.get((k, normalise(k, m.original))) if k in TYPES else None
            if found is not None:
                return self.key.entities[found]
        return next((e for e in self.key.entities.values() if m.original in e.originals), None)

    def _render_once(self, text: str, found: TurnCandidates) -> TurnResult:
        """Each span of ``found.replace`` replaced by its entity's pseudonym (new ones enter the key)."""
        weak = found.weak
        pieces, replaced, review = [], [], []
        cursor = 0
        for d in found.replace:
            entity_id = found.from_key.get((d.start, d.end))
            entity = self.key.entities[entity_id] if entity_id is not None else None
            if entity is not None:
                original = text[d.start:d.end]
                bare, suffix = _key_suffix(original, entity)
            else:
                entity, suffix = self.key.resolve(d.type, d.text, score=d.score)
                bare = d.text[: len(d.text) - len(suffix)] if suffix else d.text
            new = self.key.render(entity, bare, suffix)
            pieces += [text[cursor:d.start], new]
            cursor = d.end
            replaced.append((d.start, d.end, entity.type, entity.id, new))
            if (d.score < self.a.review_below or self.registry.always_reviewed(d) or d.recognizer == GUARD_RECOGNIZER
                    or (entity.source == "detected" and (self.ordinary_word(bare, d.type)
                                                         or self.dialect_form(bare, d.type)))):
                # Every replacement of a form that is also an ordinary word (a dialect or Nynorsk
                # form of one too: "Nokå", "Leiligheita"), and every one a recognizer masks on weak
                # evidence by design, is for a person to confirm.
                review.append(_review_item(d, True))
        pieces.append(text[cursor:])
        review += [_review_item(d, False) for d in weak]
        return TurnResult("".join(pieces), replaced, sorted(review, key=lambda r: r["start"]))


def _raw_offset(pos: int, pieces: list[tuple[int, int, int, int]], side: str) -> int:
    """Where rendered offset ``pos`` (a hit's start or end, ``side``) stands in the raw turn, from the
    replacements' (rendered start, rendered end, raw start, raw end) in order: inside a replacement,
    that replacement's raw start or end."""
    shift = 0
    for out_start, out_end, raw_start, raw_end in pieces:
        if (out_start <= pos < out_end) if side == "start" else (out_start < pos <= out_end):
            return raw_start if side == "start" else raw_end
        if out_end > pos:
            break
        shift = out_end - raw_end
    return pos - shift


def _as_informant(text: str, replace: list[Detection], ids: dict[tuple[int, int], str],
                  start: int, end: int, informant: str) -> list[Detection]:
    """``replace`` with raw span ``start``-``end`` taken as informant ``informant``'s name: with every
    replacement it overlaps, one span replaced as the informant (``ids`` gets its entity id)."""
    return _taken_whole(text, replace, ids, start, end, f"INFORMANT_{informant}", PERSON, 1.0, "key")


# The recognizer of a replacement the guard's answer on the rendered turn asked for (``render_turn``).
GUARD_RECOGNIZER = "guard"


def _as_entity(text: str, replace: list[Detection], ids: dict[tuple[int, int], str],
               start: int, end: int, entity: Entity) -> list[Detection]:
    """``replace`` with raw span ``start``-``end``, which the guard found in the rendered turn, taken
    as ``entity`` (with every replacement it overlaps). What the researchers gave (an informant, a
    known identifier, a decision) is sure; a detected entity's is listed for review."""
    if entity.source in ("informant", "known", "decision"):
        return _taken_whole(text, replace, ids, start, end, entity.id, entity.type, 1.0, "key")
    return _taken_whole(text, replace, ids, start, end, entity.id, entity.type, min(0.9, entity.confidence),
                        GUARD_RECOGNIZER)


def _taken_whole(text: str, replace: list[Detection], ids: dict[tuple[int, int], str], start: int, end: int,
                 entity_id: str, kind: str, score: float, recognizer: str) -> list[Detection]:
    over = [d for d in replace if d.start < end and start < d.end]
    start, end = min([start] + [d.start for d in over]), max([end] + [d.end for d in over])
    ids[(start, end)] = entity_id
    return sorted([d for d in replace if d not in over] + [Detection(start, end, kind, score, recognizer, text[start:end])],
                  key=lambda d: (d.start, d.end))


def _key_suffix(original: str, entity: Entity) -> tuple[str, str]:
    toks = tokens_of(original)
    if entity.type in ("PERSON", "STED", "ORGANISASJON") and toks and toks[-1].endswith("s"):
        own = {tokens_of(o) for o in entity.originals}
        if toks not in own and (toks[:-1] + (toks[-1][:-1],)) in own:
            return original[:-1], "s"
    return original, ""


def _review_item(d: Detection, replaced: bool) -> dict:
    return {"start": d.start, "end": d.end, "type": d.type, "score": d.score, "recognizer": d.recognizer,
            "replaced": replaced}


def map_offset(pos: int, replaced: list[tuple[int, int, str, str, str]], side: str) -> int:
    """Where raw offset ``pos`` lands in the anonymised text; inside a replaced span it
    snaps to that span's start (``side='start'``) or end."""
    shift = 0
    for start, end, _k, _e, new in replaced:
        if end <= pos:
            shift += len(new) - (end - start)
        elif start < pos < end or (start == pos and side == "end" and start != end):
            return start + shift if side == "start" else start + shift + len(new)
        else:
            break
    return pos + shift


def anonymise_segments(turn: Turn, result: TurnResult, segments: list[Segment], file: str) -> list[Segment]:
    """The anonymised segments of one turn; ``file``: the transcript's shareable name."""
    out = []
    for s in segments:
        start = map_offset(s.start, result.replaced, "start")
        end = map_offset(s.end, result.replaced, "end") if s.end > s.start else start
        out.append(Segment(segment_id=s.segment_id, informant_id=s.informant_id, file=file,
                           turn_index=s.turn_index, speaker=s.speaker, start=start, end=end,
                           text=result.text[start:end]))
    return out


def fresh_key(study: Study) -> Key:
    """An empty key, rebuilt by every run from the study's inputs alone.

    Pseudonym numbers then follow one canonical order over the whole study
    (informants, known identifiers, decisions, then detections by file name,
    turn and position), never the order in which transcripts arrived: a study
    run in two rounds gets the same ``[PERSON_3]`` as one run fresh. The
    written key (data/private) is the record for de-anonymisation, not an input.
    """
    read_key_data(study)  # an encrypted key is opened first: a wrong passphrase stops before anything is written
    a = study.settings.anonymisation
    return Key(a.style, a.seed)


def load_key(study: Study) -> Key:
    a = study.settings.anonymisation
    data = read_key_data(study)
    return Key.from_json(data, a.style, a.seed) if data else Key(a.style, a.seed)


def _read_cache(study: Study) -> dict:
    path = study.private_dir / CACHE_NAME
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}  # a damaged cache is only a cache: detect again


def anonymise_study(study: Study, track: Track = no_progress) -> AnonymiseResult:
    if not study.private_store_path.exists():
        raise QualpipeError("nothing ingested yet: run qualpipe ingest first", study.private_store_path)
    result = AnonymiseResult()
    with PrivateStore(study.private_store_path) as private:
        fingerprints = private.fingerprints()
        files = private.files()
        turns = {f: private.turns(f) for f in files}
        segments = {f: private.segments(f) for f in files}
        informant_of = private.informant_ids()
    # The raw file name never leaves data/private: shareable output names the transcript by its informant.
    shared = {f: shareable_file_name(informant_of[f], f) for f in files}
    result.files = files
    key = fresh_key(study)
    decisions = load_decisions(study)
    anon = Anonymiser(study, key, decisions)
    config = detection_config(study, anon.registry)
    cache = _read_cache(study)
    if cache.get("config") != config:
        cache = {"config": config, "files": {}}
    cached = cache["files"]

    def dets_of(f: str, t: Turn) -> list[Detection]:
        return [_row_to_det(t.text, row) for row in cached[f]["turns"].get(str(t.turn_index), [])]

    # 1. detect where needed
    todo = [f for f in files if cached.get(f, {}).get("fingerprint") != fingerprints[f]]
    lower_files = {f for f in files if lower_case_transcript([t.text for t in turns[f]])}
    # What the seeded key and the detections make of each turn (step 2's first reading) needs only the
    # turns' texts and one transcript's detections: read as each transcript's detections come back.
    anon.start_study({f: [t.text for t in turns[f]] for f in files}, lower_files)
    texts: dict[str, list[tuple[str, list[Detection]]]] = {}
    seeded: dict[str, list[TurnCandidates]] = {}
    if todo:
        # Per-transcript work, on the run's executor (--workers N); the key is built here from all of it.
        # The recognizers read ingest's stored parse of each transcript (pipeline/parse.py): no second pass.
        # A transcript's stored parse is read as its task is sent: no list of every transcript's parse.
        # Each transcript's first reading is done here while the workers detect the next ones.
        with PrivateStore(study.private_store_path) as private:
            items = parallel.Lazy(lambda f: ([t.text for t in turns[f]], study.settings.model, private.parse(f)), todo)
            per_file = parallel.current().imap(detect_job, items, anon.registry,
                                               track=track, description="Finner identifikatorer")
            for f, found in zip(todo, per_file):
                cached[f] = {"fingerprint": fingerprints[f],
                             "turns": {str(t.turn_index): [_det_to_row(d) for d in dets]
                                       for t, dets in zip(turns[f], found)}}
                # The detections as the cache gives them back, as every other transcript's are read.
                texts[f] = [(t.text, dets_of(f, t)) for t in turns[f]]
                seeded[f] = anon.seeded_candidates(texts[f])
        result.detected_fresh = todo
        # Private and only a cache: saved now so a refused run need not run the model again.
        write_private(study, study.private_dir / CACHE_NAME,
                      json.dumps(cache, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    for f in list(cached):
        if f not in fingerprints:
            del cached[f]

    for f in files:
        if f not in texts:
            texts[f] = [(t.text, dets_of(f, t)) for t in turns[f]]
    texts = {f: texts[f] for f in files}
    for f in files:
        cuts_of_turn = defaultdict(set)
        for s in segments[f]:
            cuts_of_turn[s.turn_index].add((s.start, s.end))
        for t in turns[f]:
            anon.segment_cuts.setdefault(t.text, set()).update(cuts_of_turn[t.turn_index])
    outputs = anon.finish_study(texts, [seeded[f] if f in seeded else anon.seeded_candidates(texts[f])
                                        for f in files])

    # What coding and topics read: the anonymised segments' Docs, derived from ingest's one parse. On a
    # cluster the workers derive them while this process checks and writes; they are stored after that.
    from .. import segment_docs

    store_derived = segment_docs.start_segment_docs(study, files, shared, turns, segments, outputs, track)

    # 4. check, then write
    key_data = anon.key.to_json()
    guard = guard_for_key(study, key_data)
    settings_blob = json.dumps(study.settings.anonymisation.model_dump(), sort_keys=True, ensure_ascii=False)
    state = hashlib.sha256((config + settings_blob + anon.key.digest()
                            + json.dumps(decisions, sort_keys=True)).encode()).hexdigest()
    secret = study_secret(study)
    with StudyStore(study.store_path) as store:
        stored = store.transcript_hashes()
        new_segments: dict[str, list[Segment]] = {}
        for f in files:
            # Stored in study.sqlite (shareable): keyed, as it derives from the raw bytes.
            fp = keyed_hex(secret, "anonymised-fp", fingerprints[f] + state, 32)
            by_turn = defaultdict(list)
            for s in segments[f]:
                by_turn[s.turn_index].append(s)
            counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for r in outputs[f]:
                for _s, _e, kind, _id, _new in r.replaced:
                    counts[kind][0] += 1
                for item in r.review:
                    counts[item["type"]][1] += 1
            result.counts[shared[f]] = {k: (v[0], v[1]) for k, v in counts.items()}
            cached[f]["review"] = {str(t.turn_index): r.review for t, r in zip(turns[f], outputs[f]) if r.review}
            # Where each replacement stands (offsets, type): the review sheet counts a string's replacements.
            cached[f]["replaced"] = {str(t.turn_index): [[s, e, k] for s, e, k, _id, _new in r.replaced]
                                     for t, r in zip(turns[f], outputs[f]) if r.replaced}
            if stored.get(shared[f]) == fp:
                result.unchanged.append(f)
                continue
            segs = []
            # A refusal names the transcript by its informant: the raw file name may be the very leak.
            source = f"the anonymised transcript of informant {informant_of[f]}"
            for t, r in zip(turns[f], outputs[f]):
                guard.check(r.text, study.store_path, source)
                segs += anonymise_segments(t, r, by_turn.get(t.turn_index, []), shared[f])
            new_segments[f] = (fp, segs)
        audit_text = rows_to_csv(["file", "type", "replaced", "for_review"],
                                 [(f, k, n[0], n[1]) for f in sorted(result.counts)
                                  for k, n in sorted(result.counts[f].items())])
        guard.check(audit_text, study.coded_dir / AUDIT_CSV)
        # Everything checked: write the private side first (a crash then redoes, never leaks).
        write_key_data(study, key_data)
        write_private(study, study.private_dir / CACHE_NAME,
                      json.dumps(cache, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        for f, (fp, segs) in sorted(new_segments.items()):
            store.replace_segments(shared[f], informant_of[f], fp, len(turns[f]), segs)
            result.redone.append(f)
        gone = sorted(set(stored) - set(shared.values()))
        if gone:
            store.remove_transcripts(gone)
        store.replace_anonymisation_audit(result.counts)
        # This stage's outputs as one set; codings.csv is the coding stage's and stays as it was.
        store.export_csv(study.coded_dir, guard, codings=False, extra={study.coded_dir / AUDIT_CSV: audit_text})
    result.derived = store_derived()
    result.entities = len(anon.key.entities)
    result.outputs = outputs
    return result


def anonymise_stage(study: Study, track: Track = no_progress) -> str:
    result = anonymise_study(study, track)
    totals: dict[str, int] = defaultdict(int)
    review = 0
    for per_type in result.counts.values():
        for kind, (n, r) in per_type.items():
            totals[kind] += n
            review += r
    what = ", ".join(f"{kind} {n}" for kind, n in sorted(totals.items()) if n) or "ingen"
    line = (f"{len(result.redone)} transkripsjoner anonymisert, {len(result.unchanged)} uendret; "
            f"erstattet: {what}; {review} funn til gjennomgang (qualpipe anonymise --review)")
    relemmatised = result.derived[1]
    if relemmatised:  # segment_docs.py could not line these up with ingest's parse
        line += (f"; {relemmatised} segmenter lest av språkmodellen på nytt fordi de ikke stemte med "
                 f"analysen fra innlesingen")
    return line
