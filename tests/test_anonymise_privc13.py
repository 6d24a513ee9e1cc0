"""Session 13 (privC13): guard faults and number/e-mail/date/spelling forms by class. Every form
here is invented; none is copied from a gold set."""

from pathlib import Path

import pytest

from pipeline.anonymise.guard import Guard, written_words
from pipeline.errors import LeakError

# ------------------------------------------------------------------ guard fault 2: office compounds


@pytest.mark.parametrize("text", [
    "Tilsette (UDI-saksbehandlar og kommunal rettleiar)",
    "Gruppe B: NAV-veiledere i bydelen",
    "Kjøparar med Husbanken-lån",  # a keep term, then an ordinary word
])
def test_acronym_or_keep_term_compound_is_no_name(text):
    assert not written_words(text, Guard([], keep=["Husbanken"])._keeper), text
    Guard([], keep=["Husbanken"]).check_fields([("study.yaml (groups)", text)], Path("study.yaml"))


@pytest.mark.parametrize("text", [
    "Gruppe med NAV-Eidsvaag",  # the rest is a name, not an ordinary word
    "Tilsette hos Tveitnes-bygg",  # the first part is no acronym and no keep term
    "Møte med Nav-Tveitnes",
])
def test_compound_with_a_name_part_is_still_refused(text):
    with pytest.raises(LeakError):
        Guard([], keep=["Husbanken"]).check_fields([("study.yaml (groups)", text)], Path("study.yaml"))


# ------------------------------------------------------------------ guard fault 1: informant names

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from pipeline.anonymise.guard import informant_entries  # noqa: E402
from pipeline.anonymise.stage import Anonymiser, fresh_key  # noqa: E402
from pipeline.settings import load_study  # noqa: E402

# Informants whose names are also ordinary words or keep-term-like (rask, sol, vinter, bakken), a
# hyphenated and an accented name: the forms where the key's rules and the guard could part.
_INFORMANTS = ("id,file,group,name\n1,a.txt,a,Liv Rask\n2,b.txt,a,Tor Vinter\n"
               "3,c.txt,a,Sol Bakken-Åsen\n4,d.txt,a,Zoë Kråkenes\n5,e.txt,a,Karin Dahle\n")
_SETTINGS = "name: Teststudie\nanonymisation:\n  keep_terms: [NAV, rask, Husbanken]\n"
_FORMS = ["Liv Rask", "liv rask", "LIV RASK", "Liv_Rask", "Liv  Rask", "Rask", "Rasks", "Liv", "liv",
          "Tor Vinter", "tor vinter", "Vinter", "vinter", "Tors", "TOR", "Sol Bakken-Åsen", "Bakken-Åsen",
          "bakken-åsen", "Sol", "Åsen", "Bakken", "Zoë Kråkenes", "Zoe Kraakenes", "Zoe Kråkenes",
          "Kråkenes", "kråkenes", "Zoë"]
_WORDS = ["og", "det", "var", "ho", "på", "NAV", "rask", "Husbanken", "i", "fikk", "møte", "med", "Han",
          "sa", "bakken", "vinter", "sol", "Det", "ja", "–", "...", "eh"]
_PUNCT = [" ", " ", " ", ", ", ". ", "? ", ": ", " - ", "_", "\n"]


@pytest.fixture(scope="module")
def informant_study(tmp_path_factory):
    root = tmp_path_factory.mktemp("informants") / "study"
    folder = root / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    for name in "abcde":
        (folder / f"{name}.txt").write_text("I: Hei.\nIP: Hei.\n", encoding="utf-8")
    (root / "data" / "raw" / "informants.csv").write_text(_INFORMANTS, encoding="utf-8")
    (root / "study.yaml").write_text(_SETTINGS, encoding="utf-8")
    from tests.conftest import NEUTRAL_CODEBOOK

    (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")
    study = load_study(root)
    anon = Anonymiser(study, fresh_key(study), {})
    anon.start_study({"a.txt": ["Hei."]})
    keep = ["NAV", "rask", "Husbanken"]
    return anon, Guard(informant_entries(study), keep=keep)


# Words spelled letter by letter, several of them in one run: a first name and surname spelled
# together, a spelling and its correction, a name and an ordinary word ("nei", "og").
_SPELLED_WORDS = ["Karin", "Dahle", "Kråkenes", "Zoë", "Zoe", "Åsen", "Tor", "Liv", "Kari", "Karen",
                  "Dahl", "nei", "og", "e", "ja"]
_SPELLED = st.builds(
    lambda words, sep, upper: sep.join((w.upper() if upper else w) for w in "".join(words)),
    st.lists(st.sampled_from(_SPELLED_WORDS), min_size=1, max_size=3),
    st.sampled_from(["-", " ", ".", ", ", " - "]), st.booleans())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(st.sampled_from(_FORMS + _WORDS), _SPELLED), st.sampled_from(_PUNCT)),
                min_size=1, max_size=12))
def test_whatever_the_guard_flags_from_the_informants_table_is_replaced(informant_study, pieces):
    """Property: a turn made of informants' name forms (any case, separators, possessive, accents
    dropped, spelled letter by letter alone or run on into other spelled words) among ordinary and
    kept words, with no detection at all: the rendered turn holds nothing the guard's informant-name
    check flags."""
    anon, guard = informant_study
    text = "".join(word + punct for word, punct in pieces).strip()
    out = anon.anonymise_turn(text, []).text
    assert not guard.findings(out), (text, out)


@pytest.mark.parametrize("text", [
    "Eg heiter K-A-R-I-N-D-A-H-L-E, ja.",  # first name and surname spelled in one run
    "Det er D-A-H-L-E-K-A-R-I-N og ikkje meir.",
    "ho heiter K A R I N D A H L E sa ho",
    "Z-O-E-K-R-Å-K-E-N-E-S sa ho",
    "stav det K-A-R-E-N-N-E-I-K-A-R-I-N-D-A-H-L-E takk",  # a spelling, "nei", the correction
    "ja k-a-r-i-n-k-a-r-i-n-k-a-r-i-n, tre gonger",  # one name spelled three times: one per round
])
def test_a_name_left_in_a_spelled_run_after_rendering_is_replaced(informant_study, text):
    """The raw run spells one informant name per run (matcher._spelled_matches), so the pass over the
    raw turn replaces one of two; the name the rendered turn then spells is found there (the guard's
    reading) and replaced as the informant."""
    anon, guard = informant_study
    result = anon.anonymise_turn(text, [])
    assert not guard.findings(result.text), result.text
    assert all(entity.startswith("INFORMANT_") for _s, _e, _k, entity, _n in result.replaced)


def test_a_turn_the_guard_passes_renders_as_before(informant_study):
    """A turn without an informant name in its rendering is rendered once, as before the rule."""
    anon, _guard = informant_study
    text = "Ho Karin Dahle sa K-A-R-I-N, og Liv Rask kom."
    found = anon.turn_candidates(text, [])
    assert anon.render_turn(text, found) == anon._render_once(text, found)


def test_informant_name_inside_a_keep_term_stays(informant_study):
    anon, guard = informant_study
    # "rask" is a keep term: the word, not the surname; the guard does not look inside it either.
    out = anon.anonymise_turn("Det gjekk rask, ho Liv Rask ringde.", []).text
    assert "gjekk rask" in out and "Liv Rask" not in out and not guard.findings(out)


# ------------------------------------------------------------------ number, e-mail, date, spelling forms

from pipeline.anonymise.analyzer import apply_keep  # noqa: E402
from pipeline.anonymise.detection import Detection  # noqa: E402
from pipeline.anonymise.matcher import StringMatcher  # noqa: E402
from pipeline.anonymise.neighbours import NameNeighbourRecognizer  # noqa: E402
from pipeline.anonymise.numbers import echoes, findings, number_runs, split_phones  # noqa: E402
from pipeline.anonymise.recognizers import CaseNumberRecognizer, DateRecognizer  # noqa: E402


@pytest.mark.parametrize("text, digits", [
    ("mobilen min er åtte fire, dobbel sju, tre ni, fem og tretti", "84773935"),
    ("ring fire sju trippel null, seks fem to", "47000652"),
    ("nummeret er 9 dobbelt 4 51 62 3", "94451623"),
])
def test_a_repeated_digit_is_said_once(text, digits):
    phones = [f for f in findings(text) if f.type == "TELEFON"]
    assert [f.digits for f in phones] == [digits]
    said = text[phones[0].start:phones[0].end]
    assert phones[0].end == len(text) and any(w in said for w in ("dobbel", "trippel"))


def test_dobbel_without_a_digit_is_no_number():
    assert not number_runs("det vart dobbelt så dyrt som i fjor")


@pytest.mark.parametrize("text", [
    "Saka mi er SK-2020-7731, eller var det sju sju tre ein, ja.",
    "Avtalen er AV/2017/5512, eller er det fem fem ein to, trur eg.",
])
def test_a_reference_corrected_in_its_last_group_is_no_phone_but_masked(text):
    found = findings(text)
    assert found and all(f.type != "TELEFON" for f in found)
    tail = text.split("det ")[1].split(",")[0]
    assert any(f.start <= text.index(tail) and text.index(tail) + len(tail) <= f.end for f in found)


def test_identifier_digits_said_again_take_its_type():
    text = "Avtalen har nr. KV-5521, lett å hugse: fem fem to ein, som hytta."
    start = text.index("KV-5521")
    out = echoes([text, "Ja, fem fem to ein."], [[(start, start + 7, "SAKSNUMMER")], []])
    said = [(t, (texts := [text, "Ja, fem fem to ein."])[t][s:e], k) for t, s, e, k in out]
    assert said == [(0, "fem fem to ein", "SAKSNUMMER"), (1, "fem fem to ein", "SAKSNUMMER")]
    # A year or an amount with the same digits is no echo; nor a number two turns later.
    assert not echoes(["Avtale KV-2019-5521 frå i fjor, 5521 kroner", "x", "fem fem to ein"],
                      [[(7, 19, "SAKSNUMMER")], [], []])


@pytest.mark.parametrize("text, number", [
    ("Kontrakten hadde nummer KT-4471, trur eg.", "KT-4471"),
    ("Saka fekk referanse AB 20931 i fjor.", "AB 20931"),
])
def test_a_document_that_has_a_number_is_a_case_number_cue(text, number):
    spans = [text[d.start:d.end] for d in CaseNumberRecognizer().analyze(text)]
    assert spans == [number]


def test_a_document_without_a_number_is_no_cue():
    assert not CaseNumberRecognizer().analyze("Kontrakten hadde mange sider, 2019 var det.")


def test_phone_split_over_caption_cues_without_punctuation():
    turns = ["og så har eg nummeret til henne på", "åttien tre", "fire null sekstito fem ja det er privat"]
    pieces = split_phones(turns)
    assert [(t, turns[t][s:e], d) for t, s, e, d in pieces] == [
        (1, "åttien tre", "81340625"), (2, "fire null sekstito fem", "81340625")]
    # Without a phone cue before, no phone.
    assert not split_phones(["og så var det", "åttien tre", "fire null sekstito fem ja det er privat"])


def test_a_keep_term_opening_an_email_does_not_cut_it():
    text = "det var sol punktum berg krøllalfa nav punktum no, sa ho"
    keep = StringMatcher([("sol", "KEEP"), ("nav", "KEEP")], strict_common=False, digit_types=set())
    d = Detection(8, 49, "EPOST", 1.0, "email", text[8:49])
    assert [x.text for x in apply_keep(text, [d], keep)] == ["sol punktum berg krøllalfa nav punktum no"]


@pytest.mark.parametrize("text, date", [
    ("og søknadsfristen var den 15.9. det året", "15.9."),
    ("borte frå 2.4. til 20.4. i fjor", "2.4."),
    ("fristen gjekk ut den 31.1 trur eg", "31.1"),
])
def test_day_and_month_with_dots(text, date):
    assert date in [text[d.start:d.end] for d in DateRecognizer().analyze(text)]


@pytest.mark.parametrize("text", ["møtet varte til 11.30.", "kl. 10.15 kom ho", "den 3.45 var lite", "det kosta 12.50"])
def test_a_time_or_amount_with_a_dot_is_no_date(text):
    assert not DateRecognizer().analyze(text)


def test_name_spelled_with_commas_after_a_spelling_verb():
    text = "Det er vanskeleg, så eg stavar: T, R, Z, A, S, K, A. Men alle seier Tom."
    spans = [text[d.start:d.end] for d in NameNeighbourRecognizer().analyze(text)]
    assert "T, R, Z, A, S, K, A" in spans


def test_guard_and_key_read_a_name_spelled_with_commas():
    matcher = StringMatcher([("Trzaska", "PERSON")])
    assert [m.original for m in matcher.find("eg stavar: T, R, Z, A, S, K, A.")] == ["Trzaska"]


def test_an_identifier_resumed_after_a_pause_in_a_later_turn():
    from pipeline.anonymise.numbers import continuations

    first = "Kontonummeret mitt, vent, det er tolv null fire, tjueto…"
    turns = [first, "Ta den tid du treng.", "…fem seks sju åtte ni, ja."]
    start = first.index("tolv")
    out = continuations(turns, [[(start, len(first) - 1, "KONTONUMMER")], [], []])
    assert [(t, turns[t][s:e], k) for t, s, e, k in out] == [(2, "fem seks sju åtte ni", "KONTONUMMER")]
    # No pause mark opening the later turn, or a number in the turn between: no continuation.
    assert not continuations([first, "fem seks sju åtte ni, ja."], [[(start, len(first) - 1, "KONTONUMMER")], []])
    assert not continuations([first, "Eg har to born.", "…fem seks sju"], [[(start, len(first) - 1, "KONTONUMMER")], [], []])


def test_a_birth_date_said_as_a_fodselsnummer_takes_its_five_digits():
    from pipeline.anonymise.numbers import continuations

    one = "personnummeret mitt er tjuande i fyrste åttiein, null fire to ni ein, og det"
    date = (one.index("tjuande"), one.index(", null"), "DATO")
    assert [one[s:e] for _t, s, e, _k in continuations([one], [[date]])] == ["null fire to ni ein"]
    cut = "Fødselsnummeret? Det er tjuande i fyrste åttiein…"
    turns = [cut, "Du må ikkje…", "…null fire to ni ein."]
    date = (cut.index("tjuande"), len(cut) - 1, "DATO")
    assert [(t, k) for t, _s, _e, k in continuations(turns, [[date], [], []])] == [(2, "FØDSELSNUMMER")]
    # No fødselsnummer cue: a date and a number after it are a date and a number.
    other = "Eg flytta hit den tjuande i fyrste åttiein, null fire to ni ein gong"
    assert not continuations([other], [[(other.index("tjuande"), other.index(", null"), "DATO")]])


def test_the_fodselsnummer_cue_is_read_back_to_its_sentence():
    from pipeline.anonymise.numbers import continuations

    far = "Det stod fødselsnummeret mitt på kvart einaste ark dei sende, så eg kan det utanåt: tjuande i fyrste åttiein…"
    turns = [far, "…null fire to ni ein."]
    assert continuations(turns, [[(far.index("tjuande"), len(far) - 1, "DATO")], []])
    other = "Eg har fødselsnummer. Men eg flytta hit den tjuande i fyrste åttiein…"
    assert not continuations([other, "…null fire to ni ein."], [[(other.index("tjuande"), len(other) - 1, "DATO")], []])
