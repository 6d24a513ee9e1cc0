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
               "3,c.txt,a,Sol Bakken-Åsen\n4,d.txt,a,Zoë Kråkenes\n")
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
    for name in "abcd":
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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(_FORMS + _WORDS), st.sampled_from(_PUNCT)), min_size=1, max_size=12))
def test_whatever_the_guard_flags_from_the_informants_table_is_replaced(informant_study, pieces):
    """Property: a turn made of informants' name forms (any case, separators, possessive, accents
    dropped) among ordinary and kept words, with no detection at all: the anonymised turn holds
    nothing the guard's informant-name check flags."""
    anon, guard = informant_study
    text = "".join(word + punct for word, punct in pieces).strip()
    out = anon.anonymise_turn(text, []).text
    assert not guard.findings(out), (text, out)


def test_informant_name_inside_a_keep_term_stays(informant_study):
    anon, guard = informant_study
    # "rask" is a keep term: the word, not the surname; the guard does not look inside it either.
    out = anon.anonymise_turn("Det gjekk rask, ho Liv Rask ringde.", []).text
    assert "gjekk rask" in out and "Liv Rask" not in out and not guard.findings(out)
