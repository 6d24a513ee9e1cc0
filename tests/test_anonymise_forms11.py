"""Spoken numbers with a false start or a correction no check explains (forms11): invented forms."""
from pipeline.anonymise.numbers import findings


def _covered(text, needle):
    start = text.index(needle)
    return any(f.start <= start and f.end >= start + len(needle) for f in findings(text))


def test_false_start_after_a_hesitation_is_masked_with_the_number():
    text = "mobilen min er fire sju, eh, fire sju to tre, null åtte ni fem, takk."
    assert _covered(text, "fire sju, eh, fire sju to tre, null åtte ni fem")
    [found] = findings(text)
    assert found.type == "TELEFON" and found.digits == "47230895"


def test_a_hesitation_without_a_repeat_is_no_false_start():
    # The groups before "eh" are not the start of what follows: nothing is said again.
    text = "vi var to, eh, tre stykker der"
    assert findings(text) == []


def test_correction_with_vent_masks_both_parts():
    # Neither reading passes a check; six or more digits after the correction: fail closed.
    text = "kortnummeret er en to null tre fem sju, fire fire, nei, vent, fire fem null en."
    assert _covered(text, "en to null tre fem sju, fire fire, nei, vent, fire fem null en")


def test_a_small_count_corrected_stays_unmasked():
    assert findings("vi var fem, nei, vent, seks personer") == []
    assert findings("det kosta tre tusen, nei, fire tusen kroner") == []


def test_flat_after_a_hesitation_belongs_to_the_address():
    from pipeline.anonymise.recognizers import AddressRecognizer

    text = "Vi flytta til Granbakken 14 B, leilighet, eh, U null to null en, i fjor."
    spans = [text[d.start:d.end] for d in AddressRecognizer().analyze(text)]
    assert any("Granbakken 14 B, leilighet, eh, U null to null en" in s for s in spans), spans
