"""Evaluation: the anonymiser meets the issue's targets on the gold set; the NER scorer is right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import QualpipeError
from pipeline.evaluate import evaluate_anonymisation, evaluate_ner, load_gold, read_conllu

GOLD = Path(__file__).resolve().parent / "data" / "anon_gold"


def test_gold_set_meets_targets():
    result = evaluate_anonymisation(GOLD)
    assert len(result.files) >= 5
    assert result.total.gold >= 100
    targets = {name: (got, ok) for name, _need, got, ok in result.targets()}
    assert all(ok for _got, ok in targets.values()), targets
    assert result.direct.recall >= 0.98 and result.total.recall >= 0.95 and result.total.precision >= 0.85
    assert result.leaks == 0
    assert result.keep_total > 0


def test_gold_records_are_consistent_with_transcripts():
    records = load_gold(GOLD)
    formats = {Path(f).suffix for f in records}
    assert {".txt", ".srt", ".docx", ".vtt"} <= formats
    for record in records.values():
        assert all({"turn", "start", "end", "type", "text"} <= set(span) for span in record["spans"])


def test_bad_gold_span_is_one_clear_error(tmp_path):
    import shutil

    copy = tmp_path / "gold"
    shutil.copytree(GOLD, copy)
    path = copy / "gold" / "g1_solveig.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["spans"][0]["start"] += 1
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(QualpipeError, match="g1_solveig.json: span 0: text does not match"):
        evaluate_anonymisation(copy)


CONLLU = """\
# text = Kari Nordmann bor i Oslo.
1\tKari\tKari\tPROPN\t_\t_\t3\tnsubj\t_\tname=B-PER
2\tNordmann\tNordmann\tPROPN\t_\t_\t1\tflat\t_\tname=I-PER
3\tbor\tbo\tVERB\t_\t_\t0\troot\t_\tname=O
4\ti\ti\tADP\t_\t_\t5\tcase\t_\tname=O
5\tOslo\tOslo\tPROPN\t_\t_\t3\tobl\t_\tSpaceAfter=No|name=B-GPE_LOC
6\t.\t$.\tPUNCT\t_\t_\t3\tpunct\t_\tname=O

"""


def test_conllu_reader_builds_text_and_spans(tmp_path):
    path = tmp_path / "mini.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    [(text, spans)] = read_conllu(path)
    assert text == "Kari Nordmann bor i Oslo."
    assert spans == [(0, 13, "PER"), (20, 24, "GPE_LOC")]


def test_ner_scores_count_exact_spans(tmp_path):
    path = tmp_path / "mini.conllu"
    path.write_text(CONLLU * 3, encoding="utf-8")
    result = evaluate_ner(path)
    assert result.sentences == 3
    assert result.micro.gold == 6
    for score in result.by_label.values():
        assert 0 <= score.correct <= min(score.gold, score.predicted) or score.gold == 0


def test_missing_conllu_is_clear_error(tmp_path):
    with pytest.raises(QualpipeError, match="CoNLL-U file not found"):
        read_conllu(tmp_path / "nope.conllu")


# The blind sets were written by people who never saw the anonymiser; each was run once before any
# change (first-run figures in docs/anonymisation.md). Rules were added after reading their misses,
# so these are regression checks at the honest current figures, not blind measurements.
# Session 6: the learned recognizer (learned.py, trained on every readable set, so these are
# trained-on figures) adds reviewed replacements; the precision floors of sets 3, 6 and 7 were
# lowered to a point or two under its figures (0.982, 0.948, 0.924; recall unchanged or higher:
# set 7 all 0.968, sets 10 and 12 all 0.988 and 0.969). Rows 9 and 11 are left as they were (blind).
# Retrained without any listed name or short word spelled in its features (the review's finding):
# set 3's precision 0.966 then (its floor now: its entry below).
REGRESSION = {  # set: (direct recall, all recall, precision, kept, leaked direct identifiers)
    # Precision floor a point below 0.988 / 0.988 (1.0.0 / 1.1.0): caseless compounds are masked for review
    # (unexplained.CASELESS_EXPLANATIONS), over-masking a researcher undoes, chosen for recall.
    "anon_gold_blind": (0.99, 0.99, 0.97, 0.9, 0),
    "anon_gold_blind2": (0.98, 0.99, 0.99, 0.9, 0),
    # Precision floor a point below 0.918 / 0.911 (1.0.0 / 1.1.0): caseless compounds are masked for review
    # (unexplained.CASELESS_EXPLANATIONS), over-masking a researcher undoes, chosen for recall.
    "anon_gold_blind3": (0.98, 0.97, 0.90, 0.9, 0),
    "anon_gold_blind4": (0.99, 0.99, 0.99, 0.9, 0),
    # Not blind any more: its misses were read for naming.py, dialect.py and the address/e-mail/date
    # rules (first runs 0.848 / 0.826 / 0.912 in tests/data/anon_gold_blind5/first_run.txt).
    # Precision floor a point below 0.951 / 0.933 (1.0.0 / 1.1.0): caseless compounds are masked for review
    # (unexplained.CASELESS_EXPLANATIONS), over-masking a researcher undoes, chosen for recall.
    "anon_gold_blind5": (0.99, 0.99, 0.92, 0.9, 0),
    # Set 6 measured the final code blind once (first_run.txt); these are its figures after a fix read
    # from its misses and the recall fallback (fallback.py), whose classes came from its misses too.
    "anon_gold_blind6": (0.98, 0.98, 0.93, 0.9, 1),
    # Sets 7 and 8 (third session) were run blind on the session-start code and once on the final
    # code (first_run.txt): direct 0.835 / 0.896 under 1.0.0. Not blind since session 4: their misses
    # were read for the classes of unexplained.py (masking what nothing explains) and a number word
    # read as a street (recognizers.py) and a legal form spelled as letters (slots.py), which gave
    # 0.897 / 0.885 / 0.960 / 0.966 / 5 and 0.953 / 0.936 / 0.956 / 0.972 / 2 (1.0.0). Floors a
    # point below, for the other pipeline; set 7's precision floor 0.95 (was 0.96): the mask-by-default
    # rules replace "et nytt liv" once, through the key, after "liv går på ..." made Liv a person.
    # Session 5 read sets 5, 7, 8 and 10's remaining misses for further classes (aliases, naming
    # clauses, the proprial article, letters outside ÆØÅ, ...; docs/anonymisation.md "Session 5"):
    # set 7 0.969 / 0.955 (1.0.0) and 0.959 / 0.949 (1.1.0), set 8 0.972 / 0.949, 1 direct leak each.
    "anon_gold_blind7": (0.95, 0.94, 0.91, 0.9, 1),
    # Precision floor a point below 0.917 / 0.906 (1.0.0 / 1.1.0): caseless compounds are masked for review
    # (unexplained.CASELESS_EXPLANATIONS), over-masking a researcher undoes, chosen for recall.
    "anon_gold_blind8": (0.96, 0.94, 0.89, 0.9, 1),
    # Sets 9 and 10 (fourth session) were run blind on the session-start code 4acddea and once on the
    # final anonymiser (first_run.txt): set 9 direct 0.920 -> 0.930, all 0.827 -> 0.905; set 10 0.922 ->
    # 0.941, 0.871 -> 0.924. Set 9 is still blind (nobody has read its misses). Set 10's false positives
    # were read after that run (precision 0.775, under the floor): clause words at the edge of a name
    # in captions without punctuation (analyzer.trim_clause_words) -> 0.868 (1.0.0) and 0.878 (1.1.0).
    # Floors a point below the lower of both pipelines' figures.
    "anon_gold_blind9": (0.94, 0.91, 0.94, 0.9, 1),
    # Session 5: set 10's direct misses and its false positives of unpunctuated captions and dialect
    # (matcher.caption_start, dialect.py) were read: 1.000 / 0.959 / 0.939 (1.0.0), 0.944 (1.1.0), 1 leak.
    "anon_gold_blind10": (0.99, 0.95, 0.93, 0.9, 1),
    # Set 12 (fifth session) was run blind once on the session-start code 5eda0f2 (first_run.txt:
    # 0.772 / 0.761 / 0.972 / 1.000 / 13 direct leaks); then its misses were read for the number,
    # date, address and lower-case institution classes (numbers.py, number_form, institution):
    # 0.881 / 0.902 / 0.981 / 1.000 / 8 (1.0.0; the rest are persons); then its person misses, for
    # caseless name clauses (unexplained.py) and names next to a detected one (neighbours.py):
    # 0.980 / 0.963 / 0.982 / 1.000 / 2 (1.0.0). Not blind since. Floors two points below (the
    # second-half rule leans on the model's tag of the capitalised half).
    # Precision floor a point below 0.970 / 0.947 (1.0.0 / 1.1.0): caseless compounds are masked for review
    # (unexplained.CASELESS_EXPLANATIONS), over-masking a researcher undoes, chosen for recall.
    "anon_gold_blind12": (0.96, 0.94, 0.93, 0.9, 3),
    # Set 11 (fifth session) was run blind on the session-start code 5eda0f2 (first_run.txt: 0.916 /
    # 0.856 / 0.924 / 0.917 / 2) and once on the final code: 0.916 / 0.874 / 0.925 / 0.917 / 2 (1.0.0),
    # 0.925 / 0.880 / 0.920 / 0.917 / 1 (1.1.0). Still blind, as is set 9, which rose at the same
    # final run to 0.950 / 0.929 / 0.953 / 0.916 / 1 (1.0.0) and 0.960 / 0.929 / 0.982 / 0.988 / 1.
    "anon_gold_blind11": (0.90, 0.86, 0.91, 0.9, 2),
    # Sets 13 (Oslo, Lillestrøm) and 14 (Agder), sixth session, run blind on the session-start code
    # fed3bb0 (first_run.txt): 13: 0.940 / 0.922 / 0.988 / 0.985 / 1 direct leak (both pipelines);
    # 14: 0.899 / 0.884 / 0.923 / 0.963 / 5 (1.0.0), 0.899 / 0.902 / 0.911 / 0.951 / 5 (1.1.0).
    # Floors a point below the lower of both pipelines' figures.
    # With the learned recognizer, set 13's precision is 0.971 (1.0.0) and 0.966 (1.1.0).
    "anon_gold_blind13": (0.93, 0.91, 0.95, 0.9, 1),
    # With the learned recognizer (session 6, decided on the leave-one-set-out figures of the read sets;
    # sets 9, 11, 13 and 14 run blind after it, aggregate figures only) set 14's precision is 0.868.
    "anon_gold_blind14": (0.88, 0.87, 0.85, 0.9, 5),
    # Sets 15 (Ofoten/Sør-Troms), 16 (Innlandet), 17 (Østfold) and 18 (Trøndelag), seventh session,
    # run blind on the session-start code 38840a1 (first_run.txt), 1.0.0 / 1.1.0:
    # 15: 0.925 / 0.913 / 0.922 / 0.957 / 3 direct leaks; 0.935 / 0.931 / 0.927 / 0.971 / 2.
    # 16: 0.970 / 0.938 / 0.921 / 0.966 / 1; 0.980 / 0.932 / 0.931 / 0.966 / 0.
    # 17: 0.846 / 0.889 / 0.952 / 0.989 / 4; 0.846 / 0.894 / 0.956 / 0.989 / 4.
    # 18: 0.910 / 0.920 / 0.878 / 0.903 / 2; 0.910 / 0.914 / 0.856 / 0.887 / 2.
    # Floors a point below the lower of both pipelines' figures. 15 and 16 stay blind; 17 and 18
    # are training material for the learned recognizer from this session on.
    # Session 7: 17 and 18's number, address and date misses were read for the classes of
    # tests/test_anonymise_number_forms.py (numbers.py, recognizers.py, unexplained.py, analyzer.py):
    # 17: 0.942 / 0.956 / 0.973 / 0.989 / 3 (1.0.0), 0.933 / 0.956 / 0.967 / 0.989 / 4 (1.1.0);
    # 18: 0.970 / 0.960 / 0.902 / 0.903 / 2 (1.0.0), 0.970 / 0.954 / 0.874 / 0.887 / 2 (1.1.0).
    "anon_gold_blind15": (0.91, 0.90, 0.91, 0.9, 3),
    "anon_gold_blind16": (0.96, 0.92, 0.91, 0.9, 1),
    "anon_gold_blind17": (0.92, 0.94, 0.95, 0.9, 4),
    "anon_gold_blind18": (0.96, 0.94, 0.86, 0.87, 2),
    # Sets 19 (Agder) and 20 (Sunnfjord/Nordfjord), eighth session, run blind on the session-start
    # code 0b033fb (first_run.txt), 1.0.0 / 1.1.0:
    # 19: 0.894 / 0.867 / 0.936 / 0.986 / 2 direct leaks; 0.915 / 0.878 / 0.932 / 0.986 / 1.
    # 20: 0.969 / 0.960 / 0.971 / 0.977 / 0; 0.969 / 0.960 / 0.965 / 0.977 / 0.
    # Floors a point below the lower of both pipelines' figures; both sets stay blind.
    "anon_gold_blind19": (0.88, 0.85, 0.92, 0.9, 2),
    "anon_gold_blind20": (0.95, 0.95, 0.95, 0.9, 0),
    # Sets 21 (Øst-Finnmark: Sámi, Kven and Russian names) and 22 (Vestfold), ninth session, run blind
    # on the session-start code efd2739 (first_run.txt), 1.0.0 / 1.1.0:
    # 21: 0.934 / 0.896 / 0.939 / 1.000 / 0 direct leaks; 0.923 / 0.890 / 0.929 / 1.000 / 0.
    # 22: 0.970 / 0.918 / 0.971 / 1.000 / 0; 0.970 / 0.912 / 0.960 / 1.000 / 0.
    # Floors a point below the lower of both pipelines' figures; both sets stay blind.
    "anon_gold_blind21": (0.91, 0.88, 0.91, 0.9, 0),
    "anon_gold_blind22": (0.96, 0.90, 0.95, 0.9, 0),
    # Sets 23 (Sunnmøre/Romsdal) and 24 (Lofoten/Vesterålen), tenth session, run blind on the
    # session-start code 883c0f4 (first_run.txt), 1.0.0 / 1.1.0:
    # 23: 0.945 / 0.909 / 0.951 / 1.000 / 0 direct leaks; 0.945 / 0.915 / 0.934 / 1.000 / 0.
    # 24: 0.899 / 0.923 / 0.967 / 1.000 / 4; 0.899 / 0.923 / 0.967 / 1.000 / 4.
    # Floors a point below the lower of both pipelines' figures; both sets stay blind. Sets 9, 11,
    # 13, 14, 15 and 16 are tuning material from this session on (their floors stay).
    "anon_gold_blind23": (0.935, 0.90, 0.92, 0.9, 0),
    "anon_gold_blind24": (0.89, 0.91, 0.95, 0.9, 4),
    # Set 26 (Lofoten/Vesterålen again, another writer; two ASR files), twelfth session, run blind
    # on the session-start code 4e9a6bd (first_run.txt), 1.0.0 / 1.1.0:
    # 26: 0.836 / 0.843 / 0.942 / 1.000 / 3 direct leaks; 0.849 / 0.858 / 0.975 / 0.974 / 3.
    # Floors a point below the lower of both pipelines' figures; the set stayed blind until it was
    # released for tuning to privG16 (sixteenth session): on 98a28a6, 1.0.0 / 1.1.0: 0.959 / 0.913 /
    # 0.984 / 1.000 / 0 direct leaks; 0.973 / 0.929 / 0.984 / 0.974 / 0. Floors a point below the lower.
    "anon_gold_blind26": (0.94, 0.90, 0.97, 0.9, 0),
    # Set 25 (Sunnmøre again, another writer: Nynorsk, dialect, an interpreted SRT), twelfth session,
    # run blind on 4e9a6bd (first_run.txt), 1.0.0 / 1.1.0: 0.760 / 0.802 / 1.000 / 1.000 / 4 direct
    # leaks; 0.760 / 0.802 / 0.992 / 0.977 / 4. Released for tuning right after that run (its misses
    # are new forms of direct identifiers); floors a point below the lower of both pipelines.
    "anon_gold_blind25": (0.75, 0.79, 0.98, 0.9, 4),
    # Set 27 (Hallingdal and Numedal; ASR WebVTT, cp1252 Nynorsk txt, staff SRT), twelfth session, run
    # blind on 4e9a6bd (first_run.txt), 1.0.0 / 1.1.0: 0.792 / 0.792 / 0.871 / 1.000 / 4 direct leaks;
    # 0.805 / 0.800 / 0.877 / 1.000 / 4. Blind until it was released for tuning to privF16 (sixteenth
    # session): on b65a213, 1.0.0 / 1.1.0: 0.987 / 0.931 / 0.951 / 0.985 / 1 direct leak; 0.987 / 0.931 /
    # 0.951 / 0.985 / 1. Floors a point below the lower of both pipelines.
    # Precision floor a point below 0.922 / 0.915 (1.0.0 / 1.1.0): caseless compounds are masked for review
    # (unexplained.CASELESS_EXPLANATIONS), over-masking a researcher undoes, chosen for recall.
    "anon_gold_blind27": (0.97, 0.92, 0.90, 0.9, 1),
    # Set 29 (Telemark: Notodden, Tinn/Rjukan, Seljord/Kviteseid; a transcription-service txt, a cp1252
    # verbatim txt with a Polish buyer, an auto-captioned staff WebVTT), thirteenth session, run blind on
    # the session-start code 11a1403 (first_run.txt), 1.0.0 / 1.1.0: 0.761 / 0.738 / 0.894 / 1.000 / 8
    # direct leaks; 0.761 / 0.738 / 0.902 / 1.000 / 8. Released for tuning right after that run; floors
    # a point below the lower of both pipelines.
    "anon_gold_blind29": (0.75, 0.72, 0.88, 0.9, 8),
    # Set 30 (Asker and Bærum; a formal staff docx full of references, a caseless ASR SRT with Tamil
    # names, a verbatim txt with names spelled letter by letter), thirteenth session, run blind on
    # 11a1403 (first_run.txt), 1.0.0 / 1.1.0: 0.924 / 0.882 / 0.920 / 1.000 / 2 direct leaks;
    # 0.937 / 0.889 / 0.928 / 1.000 / 1. Floors a point below the lower of both; the set stays blind.
    "anon_gold_blind30": (0.91, 0.87, 0.91, 0.9, 2),
    # Set 28 (Sogn and Hardanger; caseless ASR WebVTT, a Nynorsk docx of a Ukrainian buyer, an
    # interpreted Somali SRT), thirteenth session: its first run on 11a1403 stopped at the guard (an
    # informant's name left in an anonymised turn, fail closed); measured with that refusal as a warning,
    # 1.0.0 / 1.1.0: 0.831 / 0.771 / 0.946 / 1.000 / 8 direct leaks; 0.831 / 0.771 / 0.969 / 0.973 / 8
    # (first_run.txt). Since the rendered turn is read for informant names (stage.render_turn) it passes
    # the guard. Floors a point below the lower of both first-run figures; the set stays blind.
    "anon_gold_blind28": (0.82, 0.76, 0.93, 0.9, 8),
    # Set 31 (Namdalen and Røros; a caseless Transcribe-style txt, a docx of a Vietnamese-born buyer, a
    # staff SRT with South Sámi names), fourteenth session, run blind on the session-start code 968f694
    # (first_run.txt), 1.0.0 / 1.1.0: 0.933 / 0.902 / 0.768 / 1.000 / 4 direct leaks; 0.943 / 0.902 /
    # 0.774 / 1.000 / 4. Released for tuning right after that run (its precision is below the target);
    # floors a point below the lower of both pipelines.
    "anon_gold_blind31": (0.92, 0.89, 0.75, 0.9, 4),
    # Set 32 (Nedre Glomma in Østfold; a Teams WebVTT, a cp1252 verbatim txt of a couple, a staff group
    # docx with a tenant list), fourteenth session, run blind on 968f694 (first_run.txt), 1.0.0 / 1.1.0:
    # 0.952 / 0.934 / 0.987 / 1.000 / 4 direct leaks; 0.952 / 0.940 / 0.981 / 1.000 / 4. Floors a point
    # below the lower of both; blind until it was released for tuning to privB15 (fifteenth session):
    # on 6cef0ea, 1.0.0 / 1.1.0: 1.000 / 0.964 / 0.988 / 1.000 / 0 direct leaks; 1.000 / 0.970 / 0.981 /
    # 1.000 / 0. Floors a point below the lower of both pipelines.
    "anon_gold_blind32": (0.99, 0.95, 0.97, 0.9, 0),
    # Fifteenth session, a blind writer (Hedmarken and Hadeland), first run on 2e8a757 (first_run.txt):
    # 0.908 / 0.890 / 0.907 / 0.980 / 1 direct leak; 1.1.0: 0.908 / 0.890 / 0.913 / 0.980 / 1.
    "anon_gold_blind33": (0.89, 0.88, 0.89, 0.9, 1),
    # Fifteenth session, a blind writer (Salten). The first run on 2e8a757 stopped at the guard's refusal
    # (fail closed); with the refusal a warning in the measuring checkout: 0.989 / 0.970 / 1.000 / 0.977 / 1;
    # 1.1.0: 0.989 / 0.970 / 0.992 / 0.953 / 1. Since the anonymiser replaces what the guard finds
    # (privC15) the set runs through: 0.989 / 0.970 / 0.976 / 0.977 / 1; 1.1.0 0.989 / 0.970 / 0.969 / 0.953 / 1.
    "anon_gold_blind34": (0.97, 0.96, 0.95, 0.9, 1),
    # Sixteenth session, a blind writer (Vest-Finnmark). The first run on f15b7fb stopped at the guard's
    # refusal with 1.0.0 (a group label and B35-01's transcript: an ordinary word detected as a name); with the
    # refusal a warning in the measuring checkout: 0.935 / 0.915 / 0.983 / 1.000 / 4 direct leaks; 1.1.0 ran
    # through: 0.935 / 0.921 / 0.983 / 1.000 / 4. Since the guard reads the study's labels on their own
    # (privH16) it runs through with both: 0.935 / 0.921 / 0.983 / 1.000 / 4; 1.1.0 0.935 / 0.926 / 0.983 /
    # 1.000 / 4. Floors a point below the lower of both pipelines.
    "anon_gold_blind35": (0.92, 0.91, 0.97, 0.9, 4),
    "anon_gold_blind36": (0.93, 0.92, 0.89, 0.9, 4),
    # Eighteenth session, a blind writer (Helgeland: a video meeting's WebVTT with voice tags, a typist's docx
    # of a Thai-speaking informant, a staff meeting's minutes). The first run on 9575033 stopped at the
    # guard's refusal with both pipelines (the study's name holds "Helgeland", a study site); with the
    # refusal a warning: 0.910 / 0.913 / 0.864 / 1.000 / 5 direct leaks; 1.1.0 0.921 / 0.921 / 0.868 / 1.000 / 3.
    # With the fix the refusal names ("Helgeland" in keep_terms, the only change to the writer's files) it
    # runs through: 0.910 / 0.909 / 0.868 / 1.000 / 5; 1.1.0 0.921 / 0.917 / 0.871 / 1.000 / 3 (first_run.txt).
    # Floors a point below the lower of both; the set stays blind.
    "anon_gold_blind37": (0.90, 0.90, 0.86, 0.9, 5),
}


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_former_blind_sets_hold_their_figures(name):
    direct, total, precision, kept, direct_leaks = REGRESSION[name]
    result = evaluate_anonymisation(GOLD.parent / name)
    assert result.direct.recall >= direct and result.total.recall >= total, (result.direct, result.total)
    assert result.total.precision >= precision and result.kept >= kept
    assert result.direct_leaks <= direct_leaks


def test_an_error_in_the_gold_folders_study_yaml_names_that_file_not_the_temporary_copy(tmp_path):
    gold = tmp_path / "goldset"
    (gold / "transcripts").mkdir(parents=True)
    (gold / "gold").mkdir()
    (gold / "transcripts" / "a.txt").write_text("I: Hei?\nIP: Hei.\n", encoding="utf-8")
    (gold / "informants.csv").write_text("id,file,group\n1,a.txt,g\n", encoding="utf-8")
    (gold / "gold" / "a.json").write_text('{"file": "a.txt", "spans": [], "keep": []}', encoding="utf-8")
    (gold / "study.yaml").write_text("name: T\ndescription: x\n", encoding="utf-8")
    with pytest.raises(QualpipeError) as caught:
        evaluate_anonymisation(gold)
    assert str(caught.value).startswith(f"{gold / 'study.yaml'}:"), str(caught.value)
    assert "qualpipe-gold-" not in str(caught.value)


def test_a_leak_is_listed_with_its_type_and_where_it_stands(tmp_path):
    # A keep term of the set given as a gold identifier: the anonymiser keeps it, so it reaches
    # data/coded, and the evaluation lists it (type, string, its context there), not only counts it.
    import shutil

    from pipeline.evaluate import scratch_study
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    from pipeline.store import PrivateStore

    read = load_study(scratch_study(GOLD, tmp_path / "read"))
    ingest_study(read)
    with PrivateStore(read.private_store_path) as private:
        turns = private.turns("g1_solveig.txt")
    turn = next(t for t in turns if "Bergen" in t.text)
    copy = tmp_path / "gold"
    shutil.copytree(GOLD, copy)
    path = copy / "gold" / "g1_solveig.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    start = turn.text.index("Bergen")
    record["spans"].append({"turn": turn.turn_index, "start": start, "end": start + 6, "type": "STED", "text": "Bergen"})
    path.write_text(json.dumps(record), encoding="utf-8")
    result = evaluate_anonymisation(copy)
    assert result.leaks >= 1 and result.direct_leaks == 0
    assert ("STED", "Bergen") in {(kind, original) for kind, original, _context in result.leaked}
    assert all("⟦" in context for _k, _o, context in result.leaked)


def test_the_evaluation_copies_only_the_informant_columns_it_reads(tmp_path, make_study):
    # A gold set's role column is its author's note about the informant; a study shares it as an
    # attribute, so the guard refuses a name in no list there (redteam10). The evaluation scores
    # the transcripts: its copy keeps id, file, group and the private columns, and so evaluates.
    from pipeline.anonymise.guard import LeakError
    from pipeline.evaluate import ANONYMISATION_INFORMANT_COLUMNS, scratch_study
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    role = "prosjektmedarbeider hos Tveitnes Eiendom"
    gold = tmp_path / "goldset"
    (gold / "transcripts").mkdir(parents=True)
    (gold / "gold").mkdir()
    text = "I: Hei.\nIP: Jeg heter Sigve Aasheim og bor her.\n"
    (gold / "transcripts" / "a.txt").write_text(text, encoding="utf-8")
    (gold / "informants.csv").write_text(f"id,file,group,name,role\n1,a.txt,g,Sigve Aasheim,{role}\n",
                                         encoding="utf-8")
    (gold / "study.yaml").write_text("name: T\n", encoding="utf-8")
    from pipeline.store import PrivateStore

    read = load_study(scratch_study(gold, tmp_path / "read", ANONYMISATION_INFORMANT_COLUMNS))
    ingest_study(read)  # the turn's text as the pipeline parses it, for the gold span's offsets

    with PrivateStore(read.private_store_path) as private:
        turn = private.turns("a.txt")[1].text
    start = turn.index("Sigve")
    (gold / "gold" / "a.json").write_text(json.dumps({"file": "a.txt", "keep": [], "spans": [
        {"turn": 1, "start": start, "end": start + 13, "type": "PERSON", "text": "Sigve Aasheim"}]}), encoding="utf-8")

    result = evaluate_anonymisation(gold)
    assert result.direct.recall == 1.0 and result.leaks == 0
    copy = scratch_study(gold, tmp_path / "copy", ANONYMISATION_INFORMANT_COLUMNS)
    assert (copy / "data" / "raw" / "informants.csv").read_text(encoding="utf-8").splitlines()[0] == "id,file,group,name"

    # The same cell in a study's own table is refused, as tests/test_privacy_redteam10.py requires.
    study = load_study(make_study({"a.txt": text}, informants=f"id,file,group,name,role\n1,a.txt,g,Sigve Aasheim,{role}\n",
                                  settings="name: T\n"))
    with pytest.raises(LeakError, match="column 'role', row 2"):
        ingest_study(study)


def test_leak_count_reads_text_cells_not_the_tools_offsets():
    from pipeline.evaluate import scanned_cells

    csv_text = 'id,file,turn,start,end,text\ns1,B01.txt,7,209,268,"Ring 209 eller 91 23 45 67, sa hun"\n'
    scanned = scanned_cells(csv_text).split("\n")
    assert "209" not in scanned and "268" not in scanned and "7" not in scanned  # the tool's own numbers
    assert "Ring 209 eller 91 23 45 67, sa hun" in scanned  # a number inside the text is read
    assert scanned_cells("id,code\n123456,a\n").split("\n") == ["id", "code", "123456", "a"]  # six digits: read
