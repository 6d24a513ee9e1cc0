"""codebook.yaml: the study's codebook loads; bad codebooks fail naming the line and field."""

from __future__ import annotations

import pytest

from pipeline.codebook import load_codebook, parse_codebook
from pipeline.errors import QualpipeError
from conftest import REPO

GOOD = """\
version: "2.1"
codes:
  - id: price
    label: Pris
    definition: Alt om pris.
    colour: "#112233"
    patterns: [rabatt, pattern: husker, 50000]
  - id: price_fair
    label: Rettferdig pris
    parent: price
    definition: Om prisen var rettferdig.
    colour: "#445566"
"""


def error_of(text: str) -> str:
    with pytest.raises(QualpipeError) as caught:
        parse_codebook(text, "codebook.yaml")
    return str(caught.value)


def test_repository_codebook_is_complete():
    codebook = load_codebook(REPO / "codebook.yaml")
    assert codebook.version == "1.0"
    assert codebook.ids == ["stability", "information", "standard", "discount"]
    for code in codebook.codes:
        assert code.label and len(code.definition) > 100
        assert code.include and code.exclude
        assert len(code.examples.positive) >= 3 and code.examples.negative
        assert len(code.patterns) >= 10
        assert code.colour.startswith("#")
    assert len({c.colour for c in codebook.codes}) == 4


def test_good_codebook_with_hierarchy_and_pattern_forms():
    codebook = parse_codebook(GOOD)
    assert codebook.version == "2.1"
    assert codebook.get("price_fair").parent == "price"
    assert codebook.ancestors("price_fair") == ["price"]
    assert [p.pattern for p in codebook.get("price").patterns] == ["rabatt", "husker", "50000"]
    assert codebook.store_rows()[1] == {"id": "price_fair", "label": "Rettferdig pris", "parent": "price",
                                        "definition": "Om prisen var rettferdig.", "colour": "#445566"}


def test_numeric_version_is_kept_as_text():
    assert parse_codebook(GOOD.replace('"2.1"', "1.0")).version == "1.0"


def test_duplicate_id_names_line_and_field():
    text = GOOD.replace("id: price_fair", "id: price")
    message = error_of(text)
    assert "codebook.yaml: line 8: codes[1].id: duplicate code id 'price' (first defined on line 3)" in message


def test_missing_definition_names_line_and_field():
    text = GOOD.replace("    definition: Om prisen var rettferdig.\n", "")
    assert "line 8: codes[1].definition: field required" in error_of(text)


def test_empty_definition_is_an_error():
    text = GOOD.replace("definition: Alt om pris.", "definition: '  '")
    assert "line 5: codes[0].definition: must not be empty" in error_of(text)


def test_unknown_parent_names_line_and_field():
    text = GOOD.replace("parent: price", "parent: prise")
    assert "line 10: codes[1].parent: unknown parent code 'prise'" in error_of(text)


def test_parent_cycle_is_an_error():
    text = GOOD.replace("    colour: \"#112233\"\n", "    colour: \"#112233\"\n    parent: price_fair\n")
    assert "form a cycle" in error_of(text)


def test_invalid_yaml_names_the_line():
    text = GOOD.replace("    label: Pris\n", "    label: [Pris\n")
    message = error_of(text)
    assert "invalid YAML" in message and "line " in message


def test_duplicate_key_is_an_error():
    text = GOOD.replace("    label: Pris\n", "    label: Pris\n    label: Pris2\n")
    assert "line 5: key 'label' appears twice" in error_of(text)


@pytest.mark.parametrize("change,expected", [
    (("colour: \"#112233\"", "colour: red"), "line 6: codes[0].colour: must be a hex colour"),
    (("label: Pris\n", "label: Pris\n    lable: x\n"), "line 5: codes[0].lable: unknown key 'lable' (did you mean 'label'?)"),
    (("id: price_fair\n", "id: Price Fair\n"), "line 8: codes[1].id: must be lower-case"),
    (('version: "2.1"\n', ""), "version: field required"),
    (("patterns: [rabatt, pattern: husker, 50000]", "patterns: [{pattern: x, negation: maybe}]"),
     "line 7: codes[0].patterns[0].negation"),
])
def test_field_errors_name_line_and_field(change, expected):
    assert expected in error_of(GOOD.replace(*change))


def test_misspelt_key_is_named_as_the_unknown_key_not_as_a_missing_field():
    message = error_of(GOOD.replace("definition:", "defintion:", 1))
    assert "unknown key 'defintion' (did you mean 'definition'?)" in message
    assert "field required" not in message
    assert "unknown key 'farge' (and 'colour' is missing)" in error_of(GOOD.replace("colour:", "farge:", 1))
    assert "unknown key 'versjon' (did you mean 'version'?)" in error_of(GOOD.replace("version:", "versjon:", 1))
    assert "unknown key 'tittel' (valid keys: version, name, codes)" in error_of("tittel: x\n" + GOOD)


def test_no_codes_and_not_a_mapping():
    assert "at least one code" in error_of('version: "1"\ncodes: []\n')
    assert "expected a mapping" in error_of("- a\n- b\n")


def test_missing_file(tmp_path):
    with pytest.raises(QualpipeError, match="codebook not found"):
        load_codebook(tmp_path / "codebook.yaml")
