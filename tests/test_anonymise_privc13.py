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
