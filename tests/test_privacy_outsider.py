"""An outsider's audit of what leaves a study (redteam9, docs/anonymisation.md "Ninth session").

Each test is a leak found by running the CLI on a synthetic study whose researcher put
identifiers where real material carries them; each failed before its fix.
"""

from __future__ import annotations

import pytest

from pipeline.anonymise.guard import require_guard
from pipeline.errors import LeakError
from pipeline.settings import load_study

SETTINGS = """\
name: Teststudie
groups: [stayed]
"""


@pytest.mark.parametrize("field,text,kind", [
    ("sample_note", "Spørsmål om utvalget: ring 924 18 337.", "TELEFON"),
    ("context_note", "Tall fra kari.nordmann@example.no.", "EPOST"),
])
def test_the_report_notes_of_study_yaml_pass_the_guard_and_the_structured_recognizers(make_study, field, text, kind):
    # report.sample_note and report.context_note are printed in the report's prose; a number or an
    # e-mail there is in no key (it need not be in any transcript), so only the recognizers see it.
    settings = SETTINGS + f'report:\n  {field}: "{text}"\n'
    study = load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, informants="id,file,group\n1,a.txt,stayed\n",
                                  settings=settings))
    with pytest.raises(LeakError) as error:
        require_guard(study)
    message = str(error.value)
    assert f"report.{field}" in message and kind in message
    assert "924" not in message and "nordmann" not in message.lower()
