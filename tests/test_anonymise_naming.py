"""Classes of misses from the fifth gold set (tests/data/anon_gold_blind5, no longer blind), each in
both directions: persons named by the clause (naming.py), whole spoken addresses and obfuscated
e-mail (recognizers.py), dialect forms of ordinary words (dialect.py)."""

from __future__ import annotations

import pytest

from pipeline.anonymise.casing import truecase
from pipeline.anonymise.detection import ADRESSE, EPOST, PERSON
from pipeline.anonymise.dialect import dialect_word
from pipeline.anonymise.naming import NamingClauseRecognizer
from pipeline.anonymise.recognizers import AddressRecognizer, EmailRecognizer


def texts(dets, kind=None):
    return [d.text for d in dets if kind is None or d.type == kind]


@pytest.mark.parametrize("text, name", [
    ("på jobben kaller de meg bare hegga eh jeg er født", "hegga"),
    ("han som tok resten frode hunnestad heter han tror jeg", "frode hunnestad"),
    ("og mannen min heter torbjørn og han jobber", "torbjørn"),
    ("jeg har to unger liv som er ti og", "liv"),
    ("og tor einar som er sju og vi bor", "tor einar"),
    ("men det var frode som sa at ingen skjønner", "frode"),
    ("og sol det e dattera di", "sol"),
    ("Det var Kari som ringte meg", "Kari"),
])
def test_a_clause_that_names_someone_gives_the_name(text, name):
    assert texts(NamingClauseRecognizer().analyze(text)) == [name]


@pytest.mark.parametrize("text", [
    "hva heter det igjen",  # a stop word after the naming verb
    "det heter bare bostøtte hos dem",  # an ordinary word is what something is called
    "huset som er to etasjer",  # an age clause needs a first name
    "det var mora som sa det",  # a cleft with a common noun
    "det var jeg som ringte",
    "han er naboen min",
    "et liv som er godt",  # no number: no age
])
def test_the_same_clauses_without_a_name_give_nothing(text):
    assert NamingClauseRecognizer().analyze(text) == []


def test_two_first_names_are_one_name_and_other_words_stop_it():
    got = NamingClauseRecognizer().analyze("vi har to unger liv som er ti og tor einar som er sju")
    assert texts(got, PERSON) == ["liv", "tor einar"]


@pytest.mark.parametrize("text, address", [
    ("det er myrstuvegen tjueto b to åtte tre sju kvernbakken samme som før",
     "myrstuvegen tjueto b to åtte tre sju kvernbakken"),
    ("vi har bodd i måkeveien fjorten be heilt sia", "måkeveien fjorten be"),
    ("det e Måkeveien fjorten B åtte null tjuesju Skjærvika men skriv", "Måkeveien fjorten B åtte null tjuesju Skjærvika"),
    ("adressen er Storgata 12, 8006 Bodø og", "Storgata 12, 8006 Bodø"),
])
def test_a_spoken_address_is_taken_whole_with_letter_postcode_and_place(text, address):
    assert address in texts(AddressRecognizer().analyze(text), ADRESSE)


@pytest.mark.parametrize("text, address", [
    ("vi bodde i storgata tolv i tre år", "storgata tolv"),  # no postcode: the place word is not taken
    ("i måkeveien fjorten bestemte vi oss", "måkeveien fjorten"),  # "be" only as a whole word
    ("Storgata 12 og så 2019 flyttet vi", "Storgata 12"),  # the postcode must follow the number
])
def test_an_address_tail_needs_a_letter_or_postcode_right_after(text, address):
    assert address in texts(AddressRecognizer().analyze(text), ADRESSE)
    assert not any(len(a) > len(address) for a in texts(AddressRecognizer().analyze(text), ADRESSE))


@pytest.mark.parametrize("text, email", [
    ("ja dem sendte te v a a r j o syttini krøll hotmail punktum com og det", "v a a r j o syttini krøll hotmail punktum com"),
    ("min er hodan-w90 alfakrøll gmail punkt com.", "hodan-w90 alfakrøll gmail punkt com"),
    ("en felles adresse, boligsosialt(at)bodo.kommune.no, som vi", "boligsosialt(at)bodo.kommune.no"),
    ("skriv til kari [at] nav [dot] no i dag", "kari [at] nav [dot] no"),
])
def test_email_written_or_spoken_in_disguised_forms(text, email):
    assert texts(EmailRecognizer().analyze(text)) == [email]


@pytest.mark.parametrize("text", [
    "vi møtes at home kanskje",  # an at-word without a domain
    "det er punkt to på lista, krøll i håret",
    "se (at) det er gjort",
])
def test_no_email_without_an_at_word_and_a_domain(text):
    assert EmailRecognizer().analyze(text) == []


@pytest.mark.parametrize("word", ["naboan", "brevan", "jentan", "dal'n", "nån", "korsen", "ongan"])
def test_dialect_forms_of_ordinary_words_are_words(word):
    assert dialect_word(word)
    assert truecase(f"ja {word} e gull") == f"ja {word} e gull"


@pytest.mark.parametrize("word", ["stian", "karen", "rosen", "krzysiek", "fidjeland", "hunnestad"])
def test_names_are_no_dialect_forms(word):
    assert not dialect_word(word)


@pytest.mark.parametrize("word", ["stian", "krzysiek", "fidjeland"])
def test_names_are_still_truecased(word):
    assert truecase(f"ja {word} e gull") == f"ja {word.capitalize()} e gull"


@pytest.mark.parametrize("text, span, kind", [
    ("det var saksnr. 21/03318. Men folk ringer", "saksnr. 21/03318", "SAKSNUMMER"),
    ("på brevet står det referanse 2023/004512. Og", "referanse 2023/004512", "SAKSNUMMER"),
    ("sak nummer 2019/1234 gjaldt bostøtte", "sak nummer 2019/1234", "SAKSNUMMER"),
    ("vi signerte fjortende juni i fjor på kontoret", "fjortende juni i fjor", "DATO"),
    ("og så overtok vi første desember og da", "første desember", "DATO"),
    ("vi skreiv under den tjuende i tiende i fjor", "den tjuende i tiende i fjor", "DATO"),
    ("Det tok fra 3/11-22 til langt ut", "3/11-22", "DATO"),
    ("Vi skrev kontrakt 2. juni i fjor, på", "2. juni i fjor", "DATO"),
])
def test_case_numbers_with_their_cue_and_dates_without_a_year(text, span, kind):
    from pipeline.anonymise.recognizers import CaseNumberRecognizer, DateRecognizer
    got = [*CaseNumberRecognizer().analyze(text), *DateRecognizer().analyze(text)]
    assert (span, kind) in [(d.text, d.type) for d in got]


@pytest.mark.parametrize("text", [
    "den andre mars var ikke bedre",  # "mars" alone is no month after an ordinal (andre = other)
    "vi gikk i tog første mai og syttende mai",  # public holidays date nothing personal
    "andre juni var det regn",
    "for det første i andre omgang",
    "referansen hennes var god",  # a cue without a number
    "vi var tre av fire i 2019",
])
def test_no_date_or_case_number_without_day_month_or_number(text):
    from pipeline.anonymise.recognizers import CaseNumberRecognizer, DateRecognizer
    assert [*CaseNumberRecognizer().analyze(text), *DateRecognizer().analyze(text)] == []


def test_a_dictionary_word_opening_a_sentence_is_no_street_but_a_street_name_is():
    got = AddressRecognizer().analyze("tilbud med rabatt. Finansieringen er startlån. Vi bodde i Saupstadringen da.")
    assert texts(got) == ["Saupstadringen"]


# ------------------------------------------------------------------ session 5: more naming clauses
@pytest.mark.parametrize("text, name", [
    ("ja æ heite elle marja sara men alle kalle mæ ellen", "elle marja sara"),  # dialect verb, three words
    ("og naboen tuppen eh hun heter egentlig tove margrethe men", "tuppen"),    # the other name
    ("sjefen min eller oddemann som vi kaller han skrev det", "oddemann"),      # a relative naming clause
    ("og hetta er det med to t", "hetta"),                                      # a name spelled out
])
def test_more_clauses_that_name_someone(text, name):
    assert name in texts(NamingClauseRecognizer().analyze(text))


@pytest.mark.parametrize("text, name", [
    ("vi kalte han buddy, egentlig heter han noe annet", "buddy"),       # the adverb first (V2)
    ("og så kom kåre, men han het eigentleg noko anna", "kåre"),         # Nynorsk, a listed name after "men"
    ("det var lillemor hun het i virkeligheten astrid", "lillemor"),     # another "really" adverb
])
def test_another_name_is_any_really_called_clause(text, name):
    # A class of clauses (a third-person pronoun, any naming verb, a "really" adverb, either order),
    # not the one sentence the rule was first read from.
    assert name in texts(NamingClauseRecognizer().analyze(text))


def test_a_role_before_a_really_called_clause_is_no_name():
    assert "naboen" not in texts(NamingClauseRecognizer().analyze("naboen, hun heter egentlig tove"))


def test_the_name_after_a_naming_verb_ends_at_its_last_name_and_skips_the_adverb():
    n = NamingClauseRecognizer()
    assert texts(n.analyze("han heter kari hansen bor i byen")) == ["kari hansen"]
    assert texts(n.analyze("hun heter egentlig tove margrethe")) == ["tove margrethe"]
    # What something is called stays: an ordinary word alone, a spelling question without a name.
    assert not texts(n.analyze("det heter boligsosialt tilskudd"))
    assert not texts(n.analyze("vi fikk hjelp med å fylle ut et hus med to t-skjorter"))


@pytest.mark.parametrize("word", ["hadd", "bytt", "korsn", "nånting"])
def test_dialect_forms_with_a_dropped_e_or_a_dialect_part_are_words(word):
    # Apocope ("hadd" = hadde), syncope ("korsn" = korsen), a compound with a dialect word ("nånting").
    assert dialect_word(word)
    assert truecase(f"ja {word} e gull") == f"ja {word} e gull"


@pytest.mark.parametrize("word", ["kvernmoen", "solbakkmoen", "sigrun", "lyngbakken"])
def test_place_names_and_names_are_no_forms_with_a_dropped_e(word):
    assert not dialect_word(word)  # the standard form must be listed whole, not read as a compound


def test_a_flat_number_in_words_with_og_belongs_to_the_address():
    text = "vi flytta inn i lyngbakken fire leilighet hundre og tre det va den første desember"
    assert texts(AddressRecognizer().analyze(text), ADRESSE) == ["lyngbakken fire leilighet hundre og tre"]


def test_a_housing_cooperative_and_a_club_are_institutions_in_lower_case_too():
    from pipeline.anonymise.recognizers import InstitutionRecognizer

    assert truecase("måtte ringe vidda boligbyggelag som") == "måtte ringe Vidda boligbyggelag som"
    found = InstitutionRecognizer().analyze("svømming i Gisund svømmeklubb. Han er vill")
    assert {d.text for d in found} == {"Gisund svømmeklubb"}


@pytest.mark.parametrize("text, word", [
    ("vi dro på ferie, og hun heter egentlig Kari", "ferie"),
    ("det var helt greit, men han het egentlig noe annet", "greit"),
    ("jeg ringte kommunen men hun heter egentlig ikke noe", "kommunen"),
    ("vi flyttet dit, så han heter egentlig ikke det", "dit"),
    ("hun var sjefen min, men egentlig heter hun Tove", "min"),
])
def test_an_ordinary_word_before_a_conjunction_and_a_really_called_clause_is_no_name(text, word):
    # After "men"/"og"/"så" the word ends the clause before, whatever it is: only a listed name or a
    # word no lexicon holds is taken for the person's other name there.
    assert word not in texts(NamingClauseRecognizer().analyze(text))
