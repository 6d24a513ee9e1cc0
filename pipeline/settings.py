"""Study settings: one validated YAML file (``study.yaml``) at the study root.

A study is a folder holding ``study.yaml``, ``codebook.yaml``, ``data/raw/``,
``data/coded/`` and ``reports/``. Every field has a sensible default, so an
empty ``study.yaml`` is a valid study; unknown fields are errors (a typo must
not silently fall back to a default).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .anonymise.detection import MIN_SCORE
from .errors import QualpipeError
from .safeio import MAX_SETTINGS_BYTES, load_yaml, read_input_bytes

SETTINGS_FILE = "study.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpeakerLabels(_Strict):
    """Labels at line start that open a turn (matched case-insensitively, before ':').

    Bokmål, Nynorsk and English role labels, and the I/B pair that f4/MAXQDA-style
    transcripts use. Labels a transcription tool writes (``SPEAKER_00``, ``Speaker 1``)
    say nothing about the role, so a study declares them; an undeclared one is an error.
    """

    interviewer: list[str] = ["I", "Int", "Intervjuer", "Intervjuar", "Interviewer", "Forsker", "Forskar",
                              "Moderator"]
    informant: list[str] = ["IP", "B", "R", "Inf", "Informant", "Intervjuperson", "Intervjuobjekt",
                            "Deltaker", "Deltakar", "Respondent"]
    # Words that open two or more lines with a colon but are speech, not labels ("Husk: ...").
    ignore: list[str] = []
    # A transcript where one side holds more of the words than this must show the other side
    # speaking throughout, as an interviewer does in a long narrative interview: at least
    # ``min_other_turns`` turns, and no turn of the dominant side holding more than
    # ``max_turn_share`` of all words. Otherwise it is an error (a label is probably missing, so
    # one side's lines were read as the other's); raise these for interviews that are monologues
    # by design.
    max_speaker_share: float = Field(0.9, gt=0.5, le=1.0)
    min_other_turns: int = Field(5, ge=1)
    max_turn_share: float = Field(0.25, gt=0.0, le=1.0)

    @field_validator("interviewer", "informant")
    @classmethod
    def _non_empty(cls, labels: list[str]) -> list[str]:
        if not labels or any(not label.strip() for label in labels):
            raise ValueError("needs at least one non-empty label")
        return labels

    @model_validator(mode="after")
    def _one_role_per_label(self) -> "SpeakerLabels":
        # Labels match regardless of case, so "Informant" and "informant" are one label.
        both = sorted({x.lower() for x in self.interviewer} & {x.lower() for x in self.informant})
        if both:
            # Quoted in single quotes (repr would switch to double ones for "d'souza"): an error line's
            # quoted values are what shareable_message drops when they may be a name.
            quoted = ", ".join(f"'{x}'" for x in both)
            raise ValueError(f"label(s) {quoted} declared for both interviewer and informant")
        return self


class RecognizerSetting(_Strict):
    """One entry of ``anonymisation.recognizers`` (see pipeline/anonymise/registry.py)."""

    enabled: bool = True
    # Strings this recognizer never reports (others still may).
    allow: list[str] = []
    # A new deny-list recognizer: these strings are always the entity type given.
    entity: str | None = None
    deny: list[str] = []


class AnonymisationSettings(_Strict):
    """How identifiers are detected and replaced (see pipeline.anonymise)."""

    ner_labels: list[str] = ["PER", "ORG", "LOC", "GPE_LOC", "GPE_ORG"]
    style: Literal["tags", "surrogates"] = "tags"
    # Strings the researchers know must go (informants' and caseworkers' names,
    # the borettslag ...), and terms that must stay (institutions, the scheme).
    known_identifiers: list[str] = []
    # National institutions and schemes only: a study's own city, district or office is an
    # identifier unless its study.yaml keeps it (the demo lists Trondheim there). Written with a
    # capital a term is kept in any case ("NAV": nav, Nav, NAV); written in lower case it is the
    # ordinary word ("storm", "liv"): kept in lower case and with a sentence's capital, not as the
    # capitalised name mid-sentence ("og Storm kom") nor inside a name ("Storm Bjørkedal").
    keep_terms: list[str] = ["NAV", "Husbanken", "startlån", "Norge", "Leie til eie"]
    # A file with more known identifiers, one a line (optional "TYPE: " prefix), so a real
    # study need not write names into the committed study.yaml. Relative to the study root.
    known_identifiers_file: str = "data/private/known_identifiers.txt"
    # Detections scoring below this go to the review sheet.
    review_below: float = 0.75
    # Detections scoring below this are not replaced, only listed for review.
    min_score: float = MIN_SCORE
    # Keep the built-in list (pipeline/anonymise/data/keep_builtin.txt): countries, regions and
    # large national organisations (Somalia, Østlandet, DNB ...) identify no one on their own.
    keep_builtin: bool = True
    # Environment variable holding a passphrase; when set, the key is encrypted.
    key_passphrase_env: str = "QUALPIPE_KEY_PASSPHRASE"
    seed: int = 2019
    # Per recognizer by name: switch it off, give it an allow list, or add a deny-list recognizer.
    recognizers: dict[str, RecognizerSetting] = Field(default_factory=dict)


class CodingModelSettings(_Strict):
    """Parameters of the classifier (pipeline.coding.classifier.TwoStageCoder); see docs/coding.md.

    Defaults were chosen to hold across two studies (the demo and the blind set), not to be the best on one.
    """

    C: float = 4.0  # inverse regularisation of the per-code models
    question_weight: float = 0.5  # the interviewer's preceding question
    previous_weight: float = 0.3  # the informant's previous sentence in the turn
    turn_weight: float = 0.5  # the whole turn
    rule_weight: float = 1.0  # keyword rule hits in the segment
    turn_rule_weight: float = 0.5  # keyword rule hits anywhere in the turn
    char_weight: float = 1.0  # character 3-5-grams
    lsa_weight: float = 0.0  # latent-semantic (SVD) representation of the turn; measured, not kept (docs/coding.md)
    context: bool = True  # second stage: re-score in the light of neighbours and turn
    context_C: float = 1.0
    solver: Literal["sgd", "liblinear", "saga"] = "sgd"  # sgd: training time linear in the examples
    prior_weight: float = 1.0  # weight of the codebook's examples and criteria as training examples (0: off)
    threshold_unit: Literal["segment", "turn"] = "segment"  # thresholds chosen for the F1 of segments or of turns
    round_weight: float = 1.0  # weight of a decision of the current round (coding.current_round) against an older one
    # Thresholds chosen on the current round's decisions alone (where it has 3 positives and negatives of a code).
    round_thresholds: bool = False
    # f1: each code's threshold has the best F1 on held-out informants; prevalence: its predicted rate there is
    # the coded rate (docs/coding.md, "Transfer and a new round").
    threshold_rule: Literal["f1", "prevalence"] = "prevalence"
    # Per code, the model's turn scores recalibrated on the current round's coded turns (out-of-fold, grouped by
    # informant), shrunk towards the older material's calibration by a prior worth round_calibration_prior turns.
    # Measured on a new round (docs/coding.md, "Twelfth session"): off by default.
    round_calibration: bool = False
    round_calibration_prior: float = Field(40.0, ge=0)
    # Subword vectors trained offline (pipeline/coding/vectors.py): mean vectors of segment, question and turn,
    # and their similarity to each code's codebook examples. Measured, not kept (docs/coding.md): 0 = off.
    vector_weight: float = 0.0
    similarity_weight: float = 0.0
    # None: the first stage's SGD stops early on its training loss (at most 30 epochs); N: exactly N epochs, a fit
    # nearly independent of the rows' order but less regularised, so it wants its own C (docs/coding.md, sessions
    # 15-17: with search {C: [1, 2, 4]} the study chooses it on its own coding).
    sgd_epochs: int | None = Field(None, ge=1)
    # Per code a multinomial naive Bayes (smoothing nb_alpha) on the same features beside the linear first stage,
    # its calibrated scores read by stage 2 (docs/coding.md, "Eighteenth session"); 0: the linear stage alone.
    # It reads counts, so it cannot take the blocks with negative values (vectors, similarity, LSA), and needs
    # stage 2 (context). The estimator's own default is 0 (TwoStageCoder alone is the linear stage); a study's is 0.1.
    nb_alpha: float = Field(0.1, ge=0)
    # Parameter grid chosen per study by cross-validation grouped by informant, e.g. {C: [1, 4, 16]}.
    search: dict[str, list[float | bool | str]] = {}

    @field_validator("search")
    @classmethod
    def _searchable(cls, grid: dict) -> dict:
        # A key the model does not have would only fail deep inside the first fit, after the stage's analysis.
        unknown = sorted(set(grid) - (set(cls.model_fields) - {"search"}))
        if unknown:
            raise ValueError(f"search names no model setting: {', '.join(unknown)} (the keys of coding.model)")
        empty = sorted(key for key, values in grid.items() if not values)
        if empty:
            raise ValueError(f"search gives no values to try for: {', '.join(empty)}")
        return grid

    @model_validator(mode="after")
    def _naive_bayes_reads_counts(self) -> "CodingModelSettings":
        negative = [key for key in ("vector_weight", "similarity_weight", "lsa_weight") if getattr(self, key)]
        if self.nb_alpha and negative:
            raise ValueError(f"nb_alpha (naive Bayes, which reads counts) cannot read the blocks of "
                             f"{', '.join(negative)}, which hold negative values: set nb_alpha: 0 or those to 0")
        if self.nb_alpha and not self.context:
            raise ValueError("nb_alpha needs the second stage, which weighs naive Bayes against the linear model: "
                             "set nb_alpha: 0 with context: false")
        return self

    def params(self) -> dict:
        return self.model_dump(exclude={"search"})


class CurrentRound(_Strict):
    """Which human decisions belong to the study's current round of coding (they weigh coding.model.round_weight)."""

    coders: list[str] = []  # every decision these coders made
    informants: list[str] = []  # every decision on these informants' segments

    def __bool__(self) -> bool:
        return bool(self.coders or self.informants)


class CodingSettings(_Strict):
    unit: Literal["segment", "turn"] = "segment"
    # Whose decision counts where several human coders decided a segment.
    primary_coder: str | None = None
    # Below this many human-coded positive examples a code is served by rules alone.
    min_examples_per_code: int = 10
    seed: int = 2019
    model: CodingModelSettings = CodingModelSettings()
    current_round: CurrentRound = CurrentRound()


class TopicSettings(_Strict):
    """Emergent topics (pipeline.topics); defaults suit a few thousand segments."""

    seed: int = 2019
    # A topic needs about this many documents; caps the number of topics.
    min_topic_size: int = 12
    # Dimensions of the TF-IDF + SVD embedding of each document.
    n_components: int = 50
    # Dimensions after the PCA step BERTopic runs before clustering.
    reduced_components: int = 10
    # At most this many topics (KMeans k = min(n_topics, documents // min_topic_size)).
    n_topics: int = 12
    # Segments with fewer content lemmas are joined with their neighbours in the turn.
    min_content_lemmas: int = 4
    top_lemmas: int = 10
    representative_documents: int = 3
    # A topic whose best-matching code covers less than this share of its documents
    # is listed as a candidate new code.
    code_overlap_min: float = 0.3
    extra_stop_words: list[str] = []


class CompareSettings(_Strict):
    """Group comparison and informant clustering (pipeline.compare)."""

    by: str = "group"  # default informant attribute for `qualpipe compare`
    top_codes: int = 5
    max_clusters: int = 6


class ReportSettings(_Strict):
    """The findings report (pipeline.report; see docs/report.md)."""

    title: str = "Funn fra intervjustudien"
    subtitle: str = ""
    small_group_warning_below: int = 5
    # Representative quotes per code and group (2–4 reads well in a report).
    quotes_per_group: int = Field(3, ge=1, le=10)
    # Quotes shorter than this say little alone ("Ja, det var viktig."); longer ones crowd the page.
    quote_min_words: int = Field(6, ge=1)
    quote_max_words: int = Field(70, ge=1)
    # How groups are named in the report's text and tables (group id -> name); default: the id.
    group_names: dict[str, str] = Field(default_factory=dict)
    # Informant attributes shown in the informant overview, in order. Default (unset): every
    # attribute column of the informants table, in file order; a list narrows and orders them.
    informant_columns: list[str] | None = None
    # Headings for attribute columns in the report (attribute -> heading); default: the attribute's name.
    column_names: dict[str, str] = Field(default_factory=dict)
    # The study's own words on its sample, shown with every test caveat
    # (e.g. "Utvalget er lite og strategisk valgt, ikke tilfeldig."); default: none.
    sample_note: str = ""
    # A sentence introducing the context tables (e.g. where the figures come from); default: none.
    context_note: str = ""


class LimitSettings(_Strict):
    """Bounds on what one input may cost (pipeline.safeio): a bad or hostile file is refused
    with one line instead of running for minutes or filling the memory."""

    # Any one input file: transcript, informants table, human coding file, review sheet.
    # An interview transcript is well under 1 MB of text; a .docx with photos a few MB.
    max_file_mb: float = Field(50, gt=0)
    # Bytes unpacked from one .docx, .odt or .qdpx container in total.
    max_unpacked_mb: float = Field(200, gt=0)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)


class PrivacySettings(_Strict):
    """Keys of the shareable hashes (pipeline.secret)."""

    # ONLY for a synthetic study whose outputs are published with it (the demo): its segment ids,
    # anchors and GUIDs are then keyed with this text instead of the private secret in
    # data/private/, so a fresh clone reproduces them. Anyone can then compute them back from
    # guessed text: a study of real people never sets it. Every use prints a warning.
    published_secret_for_synthetic_data: str | None = None


class StudySettings(_Strict):
    name: str = "Intervjustudie"
    # "auto": the first installed of nb_core_news_md, nb_core_news_sm, nb_norne_sm.
    model: str = "auto"
    speaker_labels: SpeakerLabels = SpeakerLabels()
    groups: list[str] = Field(default_factory=list)
    # How each group is named when an informant is quoted, e.g. "boligkjøper".
    group_labels: dict[str, str] = Field(default_factory=dict)
    anonymisation: AnonymisationSettings = AnonymisationSettings()
    coding: CodingSettings = CodingSettings()
    compare: CompareSettings = CompareSettings()
    topics: TopicSettings = TopicSettings()
    report: ReportSettings = ReportSettings()
    limits: LimitSettings = LimitSettings()
    privacy: PrivacySettings = PrivacySettings()


@dataclass(frozen=True)
class Study:
    """A study folder and its validated settings; knows where everything lives."""

    root: Path
    settings: StudySettings

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def transcripts_dir(self) -> Path:
        return self.raw_dir / "transcripts"

    @property
    def context_dir(self) -> Path:
        return self.raw_dir / "context"

    @property
    def coded_dir(self) -> Path:
        return self.root / "data" / "coded"

    @property
    def human_dir(self) -> Path:
        """Human codings as plain CSV, one file per coder: the durable record."""
        return self.coded_dir / "human"

    @property
    def private_dir(self) -> Path:
        """Raw text and the pseudonym key. Git-ignored, never shared."""
        return self.root / "data" / "private"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def codebook_path(self) -> Path:
        return self.root / "codebook.yaml"

    @property
    def store_path(self) -> Path:
        return self.coded_dir / "study.sqlite"

    @property
    def private_store_path(self) -> Path:
        return self.private_dir / "ingested.sqlite"


def load_study(root: str | Path = ".") -> Study:
    """Read and validate ``study.yaml`` in ``root``; a missing file means defaults."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise QualpipeError("study folder does not exist", root)
    path = root / SETTINGS_FILE
    data: dict = {}
    if path.exists() or path.is_symlink():
        data = load_yaml(read_yaml_text(path, root), path)[0] or {}
        if not isinstance(data, dict):
            raise QualpipeError("expected a mapping of settings at the top level", path)
    try:
        settings = StudySettings.model_validate(data)
    except ValidationError as exc:
        from .validation import first_error

        loc, _, message = first_error(StudySettings, exc)
        field = ".".join(str(p) for p in loc)
        raise QualpipeError(f"setting '{field}': {message}", path) from exc
    return Study(root=root, settings=settings)


def read_yaml_text(path: Path, root: Path | None = None) -> str:
    """A settings file's text: bounded in size, inside the study, UTF-8."""
    data = read_input_bytes(path, MAX_SETTINGS_BYTES, root, setting="the fixed limit for settings files")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QualpipeError(f"not UTF-8 text (byte {exc.start})", path) from None
