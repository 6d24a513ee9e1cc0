"""The documented quote rule: human before machine, confidence, length limits, spread over informants."""

from __future__ import annotations

from pipeline.records import Coding, Informant, Segment
from pipeline.report.quotes import attribution, choose_quotes, machine_confidence

LABELS = {"stayed": "boligkjøper", "staff": "ansatt"}
LONG = "og det var veldig viktig for oss alle sammen den gangen"  # 11 words


def seg(sid: str, informant: str, text: str, speaker: str = "informant") -> Segment:
    return Segment(sid, informant, f"{informant}.txt", 0, speaker, 0, len(text), text)


def informants(*ids: str, group: str = "stayed") -> list[Informant]:
    return [Informant(i, f"{i}.txt", group, {"role": "boligkjøper"}) for i in ids]


def pick(segments, codes, human=(), confidence=None, people=None, per_group=3, **limits):
    return choose_quotes("stability", people or informants("1", "2", "3"), segments, codes, set(human),
                         confidence or {}, LABELS, per_group=per_group, **limits)


def test_human_confirmed_before_machine_then_by_confidence():
    segments = [seg("a", "1", f"A {LONG}"), seg("b", "2", f"B {LONG}"), seg("c", "3", f"C {LONG}")]
    codes = {s.segment_id: frozenset({"stability"}) for s in segments}
    confidence = {("a", "stability"): 0.95, ("b", "stability"): 0.6}
    chosen = pick(segments, codes, human={"c"}, confidence=confidence)
    assert [q.segment_id for q in chosen] == ["c", "a", "b"]
    assert chosen[0].human and not chosen[1].human and chosen[1].confidence == 0.95


def test_among_confirmed_quotes_machine_confidence_then_single_theme_come_first():
    segments = [seg("a", "1", f"A {LONG}"), seg("b", "2", f"B {LONG}"), seg("c", "3", f"C {LONG}")]
    codes = {"a": frozenset({"stability"}), "b": frozenset({"stability", "discount"}),
             "c": frozenset({"stability"})}
    confidence = {("a", "stability"): 0.7, ("b", "stability"): 0.9, ("c", "stability"): 0.7}
    chosen = pick(segments, codes, human={"a", "b", "c"}, confidence=confidence)
    assert [q.segment_id for q in chosen] == ["b", "a", "c"]
    confidence[("b", "stability")] = 0.7  # same confidence: the quote about this theme only comes first
    assert [q.segment_id for q in pick(segments, codes, human={"a", "b", "c"}, confidence=confidence)] == \
        ["a", "c", "b"]


def test_transcriber_notes_are_dropped_but_anonymisation_tags_stay():
    segments = [seg("a", "1", f"[latter] [PERSON_3] sa {LONG} [pause]")]
    chosen = pick(segments, {"a": frozenset({"stability"})})
    assert chosen[0].text == f"[PERSON_3] sa {LONG}"


def test_spread_over_informants_before_a_second_quote():
    segments = [seg("a1", "1", f"A1 {LONG}"), seg("a2", "1", f"A2 {LONG}"), seg("a3", "1", f"A3 {LONG}"),
                seg("b1", "2", f"B1 {LONG}")]
    codes = {s.segment_id: frozenset({"stability"}) for s in segments}
    confidence = {("a1", "stability"): 0.9, ("a2", "stability"): 0.9, ("a3", "stability"): 0.9,
                  ("b1", "stability"): 0.5}
    chosen = pick(segments, codes, confidence=confidence)
    # Informant 1 has the three best candidates, but informant 2 is quoted before 1's second.
    assert [q.informant_id for q in chosen] == ["1", "2", "1"]


def test_length_limits_code_and_speaker_filter():
    segments = [
        seg("short", "1", "Ja, det var viktig."),  # 4 words: too short
        seg("long", "2", " ".join(["ord"] * 80)),  # too long
        seg("other", "3", f"Annen kode {LONG}"),  # not coded stability
        seg("asked", "1", f"Spørsmål {LONG}", speaker="interviewer"),  # interviewer: never quoted
        seg("ok", "3", f"Passer {LONG}"),
        seg("outside", "9", f"Ikke i gruppen {LONG}"),  # informant of another group
    ]
    codes = {s.segment_id: frozenset({"stability"}) for s in segments}
    codes["other"] = frozenset({"discount"})
    assert [q.segment_id for q in pick(segments, codes)] == ["ok"]
    assert [q.segment_id for q in pick(segments, codes, min_words=3, max_words=100)][:2] == ["long", "ok"]


def test_ties_are_broken_by_length_then_id_and_per_group_caps():
    segments = [seg("b", "1", f"B {LONG}"), seg("a", "2", f"A {LONG}"), seg("c", "3", f"C litt lenger {LONG}")]
    codes = {s.segment_id: frozenset({"stability"}) for s in segments}
    assert [q.segment_id for q in pick(segments, codes, per_group=2)] == ["c", "a"]


def test_text_is_normalised_and_attributed():
    people = informants("7") + [Informant("S3", "s3.txt", "staff", {"role": "saksbehandler for startlån"})]
    segments = [seg("a", "7", f"Det  var\n{LONG}"), seg("b", "S3", f"Vi så {LONG}")]
    codes = {s.segment_id: frozenset({"stability"}) for s in segments}
    chosen = {q.segment_id: q for q in pick(segments, codes, people=people)}
    assert chosen["a"].text == f"Det var {LONG}" and chosen["a"].attribution == "boligkjøper 7"
    # A role attribute does not change the attribution: only group_labels in study.yaml do.
    assert chosen["b"].attribution == f"{LABELS.get('staff', 'staff')} S3"


def test_attribution_uses_group_label_or_group():
    assert attribution(Informant("4", "k.txt", "stayed", {}), LABELS) == "boligkjøper 4"
    assert attribution(Informant("4", "k.txt", "back_to_rental", {}), {}) == "back to rental 4"
    assert attribution(Informant("4", "k.txt", "stayed", {"role": "leder"}), LABELS) == "boligkjøper 4"


def test_machine_confidence_ignores_rejected_and_human():
    codings = [Coding("a", "x", "rule", "rules", 0.6), Coding("a", "x", "model", "model", 0.8),
               Coding("a", "y", "model", "model", 0.99, status="rejected"), Coding("a", "x", "human", "f1", None),
               Coding("b", "x", "rule", "rules", None)]
    assert machine_confidence(codings) == {("a", "x"): 0.8, ("b", "x"): 0.5}


def test_whole_thoughts_before_fragments_and_fewer_tags_first():
    segments = [seg("a", "1", f"[PERSON_3] kom med [PERSON_4] {LONG}"), seg("b", "2", f"Og så sa hun {LONG}:"),
                seg("c", "3", f"Vi ble boende {LONG}")]
    codes = {s.segment_id: frozenset({"stability"}) for s in segments}
    confidence = {("a", "stability"): 0.9, ("b", "stability"): 0.95, ("c", "stability"): 0.6}
    chosen = pick(segments, codes, human={"a", "b", "c"}, confidence=confidence)
    assert [q.segment_id for q in chosen] == ["c", "a", "b"]
