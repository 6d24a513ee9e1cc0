"""The recognizers' cheap necessary conditions: each says "maybe" wherever its expression can match."""

import re

from hypothesis import given, settings, strategies as st

from pipeline.anonymise import fallback
from pipeline.anonymise.detection import literals, may_hold
from pipeline.anonymise.numbers import number_runs
from pipeline.anonymise.unexplained import _overlap_test

_TEXT = st.text(alphabet=st.sampled_from(list("abegiknrstuøæå ABEGIKNRSTUØÆÅıſİ-,.")), max_size=40)
_GUARDED = [(fallback._HEADED, fallback._HEAD_WORDS), (fallback._ORG_REGION, fallback._ORG_WORDS),
            (fallback._OBJECT_OF, fallback._CONTACT_WORDS), (fallback._AFTER_PERSON_NOUN, fallback._PERSON_NOUN_WORDS)]


def test_may_hold_passes_what_the_re_module_folds_otherwise():
    words = literals("banken|industri")
    assert not may_hold("Han jobber i skolen", words)
    assert may_hold("Han jobber i BANKEN", words)
    # re's IGNORECASE takes "ı" for "i" and "ſ" for "s"; str.lower does not
    for text in ("fiskeındustri", "BANKEN ſ", "İNDUSTRİ"):
        assert may_hold(text, words)
    assert re.search("(?i:industri)", "fiskeındustri")


def test_literals_refuses_what_is_no_plain_alternation():
    for bad in ("bank(en)?", "Banken|x", "a||b"):
        try:
            literals(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["banken", "Sjømat", "transport", "passer", "kona", "KONTORET", "nord", "x"]),
                max_size=6), _TEXT)
def test_every_guarded_expression_matches_only_where_its_words_may_be(words, noise):
    text = " ".join(words) + " " + noise
    for pattern, needed in _GUARDED:
        if pattern.search(text):
            assert may_hold(text, needed), (pattern.pattern[:30], text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-2, 30), st.integers(-2, 30)), max_size=5), st.integers(0, 25),
       st.integers(0, 25))
def test_overlap_mask_is_the_comparison(spans, start, length):
    text_length = 25
    end = min(start + length, text_length)
    assert _overlap_test(spans, text_length)(start, end) == any(s < end and start < e for s, e in spans)


def test_number_runs_are_a_list_of_each_callers_own():
    first = number_runs("ring 22 33 44 55 eller ni to tre")
    first.clear()
    assert number_runs("ring 22 33 44 55 eller ni to tre")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["den", "fjortende", "i", "tiende", "juni", "mars", "født", "14.", "2019", "12/05-19",
                                 "tjue", "atten", "andre", "x"]), max_size=7), _TEXT)
def test_the_date_forms_match_only_where_their_conditions_may_hold(words, noise):
    from pipeline.anonymise import recognizers as r
    from pipeline.anonymise import unexplained as u

    text = " ".join(words) + " " + noise
    digit = r._DIGIT.search(text) is not None
    month = may_hold(text, r._MONTH_WORDS)
    ordinal = may_hold(text, r._MONTH_ORDINAL_WORDS)
    for pattern, allowed in ((r._DATE, digit), (r._DAY_MONTH, digit), (r._SPOKEN_DATE, month),
                             (r._SPOKEN_BIRTH, month), (r._SPOKEN_DAY_MONTH, month or ordinal),
                             (u._MONTH_DATE, may_hold(text, u._MONTH_WORDS)), (u._MONTH, may_hold(text, u._MONTH_WORDS))):
        if pattern.search(text):
            assert allowed, (pattern.pattern[:30], text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["den", "fyrste", "15.", "i", "av", "Meskerem", "meskerem", "MESKEREM", "Ramadan",
                                 "Rabi", "al-awwal", "Ter", "etter", "Tir", "x"]), max_size=7), _TEXT)
def test_another_calendars_date_matches_only_where_its_month_is_written(words, noise):
    from pipeline.anonymise import recognizers as r

    text = " ".join(words) + " " + noise
    if r._OTHER_CALENDAR_DATE.search(text):
        assert r.other_month_written(text), text
    # the month's lower case, in most turns ("ter" in "etter"), does not let the expression run
    assert not r.other_month_written("etter sene tirsdager")
    assert r.DateRecognizer().analyze("født den fyrste i Meskerem") != []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["han", "heter", "heiter", "vart", "kalla", "kalt", "som", "vi", "kaller", "egentlig",
                                 "med", "dobbel", "t", "dattera", "di", "er", "Tor", "x"]), max_size=7), _TEXT)
def test_the_naming_clauses_fixed_words_hold_their_letters(words, noise):
    from pipeline.anonymise import naming

    text = " ".join(words) + " " + noise
    for _pattern, anchor, letters, *_rest in naming._RULES:
        if anchor.search(text):
            assert may_hold(text, letters), (anchor.pattern[:30], text)


def test_every_naming_word_holds_the_letters_its_rule_checks_first():
    # Every word of the naming verbs' alternation and every "kalle" form, against each rule whose
    # fixed word it is: a verb added to the expression but not to its letters would be skipped.
    from pipeline.anonymise import naming

    verbs = naming._NAMING_VERB.removeprefix("(?:").removesuffix(")").replace(r"\s+", " ").split("|")
    for word in [*verbs, "kalt", "kalla", "kaller", "kalte", "kallar", "som vi kaller", "heter egentlig"]:
        for _pattern, anchor, letters, *_rest in naming._RULES:
            if anchor.search(word):
                assert may_hold(word, letters), (word, letters)


def test_overlap_mask_ignores_spans_outside_the_text():
    from pipeline.anonymise.unexplained import _overlap_test

    spans = [(-2, -1), (3, 8)]
    test = _overlap_test(spans, 10)
    for start in range(10):
        for end in range(start + 1, 11):
            assert test(start, end) == any(s < end and start < e for s, e in spans), (start, end)


def test_guard_number_runs_hold_at_least_the_digits_asked():
    # The guard reads only the runs _runs_of gives: each has at least that many digits, so no run
    # is shorter than the shortest number it looks for (the length check after it was dead code).
    import re

    from pipeline.anonymise.guard import _NO_COMMA, _NUMBER, _runs_of

    text = "tlf 924 18 337, konto 1234.56.78901, 12 34, 5-6-7-8-9-0-1-2 og 1 2"
    for pattern in (_NO_COMMA, _NUMBER):
        for n in (4, 6, 8, 11):
            runs = list(_runs_of(pattern.pattern, n).finditer(text))
            assert all(len(re.sub(r"\D", "", r.group())) >= n for r in runs)
            assert {r.group() for r in runs} == {r.group() for r in pattern.finditer(text)
                                                 if len(re.sub(r"\D", "", r.group())) >= n}


def _split_matches_walk(matcher, text):
    """The split-name rule as a plain walk over every token (the reference for the pruned one): up to
    ``_MAX_PIECES`` pieces compared by ``sound_key``, the longest join that is a name winning."""
    from pipeline.anonymise.lexicon import is_word
    from pipeline.anonymise.matcher import _MAX_PIECES, TOKEN, Match, _long_name, sound_key, tokens_of

    said = {w.group().lower() for w in TOKEN.finditer(text)}
    found = []
    toks = list(TOKEN.finditer(text))
    for i, t in enumerate(toks):
        if t.group().lower() not in matcher._heads:
            continue
        joined, best = t.group().lower(), None
        for j in range(i + 1, min(i + _MAX_PIECES, len(toks))):
            if not text[toks[j - 1].end():toks[j].start()].isspace():
                break
            joined += toks[j].group().lower()
            hit = matcher._joined.get(sound_key(joined))
            if (hit and all(is_word(p.group()) for p in toks[i:j + 1]) and not _long_name(hit[0])
                    and not said.issuperset(tokens_of(hit[0]))):
                hit = None
            if hit:
                best = Match(t.start(), toks[j].end(), *hit)
        if best is not None:
            found.append(best)
    return found


_SPLIT_NAMES = [("Nygård", "PERSON"), ("Solberg", "PERSON"), ("Halvorsrud", "PERSON"), ("Mariusaune", "PERSON"),
                ("Bråtebekken", "PERSON"), ("Torstein", "PERSON")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["halvors", "rud", "Halvor", "srud", "hal", "vors", "ny", "gård", "Sol", "berg",
                                 "Marius", "aune", "ma", "rius", "au", "ne", "Bråte", "bekken", "tor", "stein",
                                 "og", "det", ",", "-", "\n"]), max_size=14),
       st.sampled_from([" ", "  ", "\t", ", "]))
def test_split_matches_are_those_of_the_walk_over_every_token(words, sep):
    from pipeline.anonymise.gazetteer import load_gazetteer
    from pipeline.anonymise.matcher import StringMatcher

    matcher = StringMatcher(_SPLIT_NAMES, load_gazetteer(), strict_common=False, digit_types=set())
    text = sep.join(words)
    assert matcher._split_matches(text) == _split_matches_walk(matcher, text)
    # a long text (an export) takes the regex path: the same matches
    long = "\n".join([text] * 3 + ["x" * 21_000])
    assert matcher._split_matches(long) == _split_matches_walk(matcher, long)


def test_split_matches_find_a_name_said_in_pieces():
    from pipeline.anonymise.gazetteer import load_gazetteer
    from pipeline.anonymise.matcher import StringMatcher

    matcher = StringMatcher(_SPLIT_NAMES, load_gazetteer(), strict_common=False, digit_types=set())
    found = matcher._split_matches("hun heter hege halvors rud, og Marius au ne kom")
    assert [(m.original) for m in found] == ["Halvorsrud", "Mariusaune"]


def _split_walk_reference(matcher, text):
    """``StringMatcher._split_matches`` as it was before its white-space precheck: every head token's
    walk, the next token searched for and the gap tested after the search; pieces that are all words
    spell the name only where the text also says it whole (or the name is long, ``_long_name``); the
    longest join that is a name wins."""
    from pipeline.anonymise.lexicon import is_word
    from pipeline.anonymise.matcher import _MAX_PIECES, TOKEN, Match, _long_name, sound_key, tokens_of

    said = {w.group().lower() for w in TOKEN.finditer(text)}
    found = []
    for t in TOKEN.finditer(text):
        if t.group().lower() not in matcher._heads:
            continue
        joined, pieces, best = t.group().lower(), [t], None
        for _more in range(_MAX_PIECES - 1):
            nxt = TOKEN.search(text, pieces[-1].end())
            if nxt is None or not text[pieces[-1].end():nxt.start()].isspace():
                break
            pieces.append(nxt)
            joined += nxt.group().lower()
            hit = matcher._joined.get(sound_key(joined))
            if (hit and all(is_word(p.group()) for p in pieces) and not _long_name(hit[0])
                    and not said.issuperset(tokens_of(hit[0]))):
                hit = None  # ordinary words that spell a name are the words, unless the text says it whole
            if hit:
                best = Match(t.start(), nxt.end(), *hit)
        if best is not None:
            found.append(best)
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["kazla", "us", "kiene", "Kazlaus", "KIENE", "ny", "gård", "nygård", "er"]),
                          st.sampled_from([" ", "  ", "\t", "\n", "-", ", ", "_", ". ", " - "])), max_size=8))
def test_the_split_walk_stops_where_no_white_space_follows_and_finds_what_it_found_before(pieces):
    from pipeline.anonymise.matcher import StringMatcher

    matcher = StringMatcher([("Kazlauskiene", "PERSON"), ("Nygård", "PERSON")])
    text = "".join(word + sep for word, sep in pieces)
    assert matcher._split_matches(text) == _split_walk_reference(matcher, text)


def _split_words(endings):
    from pipeline.anonymise import recognizers as r

    return lambda text: r._ends_in(text.split(), endings)


def _word_of(words):
    return lambda text: not set(text.split()).isdisjoint(words)


def _holds(words):
    return lambda text: may_hold(text, words)


def _prechecked():
    """(expression, its precheck, a text it matches) for each expression a recognizer searches a turn
    with only where its precheck passes (the words or characters every match holds)."""
    from pipeline.anonymise import crossturn as x, cues as c, neighbours as n, recognizers as r, slots as s
    from pipeline.anonymise import unexplained as u

    comma = lambda text: "," in text  # noqa: E731
    return [
        (r._SUFFIXED_STREET, _split_words(r._STREET_ENDINGS), "vi bodde i Saupstadringen 41B den gangen"),
        (r._BARE_STREET, _split_words(r._BARE_STREET_ENDINGS), "hun flytta til Sletta sju i fjor"),
        (r._NAMED_APART_STREET, _word_of(r._NAMED_APART_WORDS), "kontoret ligger i Kong Øysteins veg 14B"),
        (r._APART_STREET, _word_of(r._APART_STREET_WORDS), "dei bur i storhaug bakken fire no"),
        (r._APART_INDEFINITE, _word_of(r._APART_INDEFINITE_WORDS), "adressa er fjellsrud ring 3 på Lambertseter"),
        (r._LOWER_STREET, _holds(r._LOWER_STREET_WORDS), "møtene var i tollbodgata om kvelden"),
        (r._LOWER_INSTITUTION, lambda text: r._LOWER_INSTITUTION_END.search(text) is not None,
         "ho gikk på huseby skole i mange år"),
        (r._CONTEXT_NAME, _holds(r._RELATION_WORDS), "naboen min, Tsegereda, hjalp oss"),
        (r._TITLE_NAME, _holds(r._TITLE_WORDS), "vi snakket med fru Eng i går"),
        (r._EMAIL, lambda text: "@" in text, "send det til kari@nav.no så fort du kan"),
        (r._OBFUSCATED_EMAIL, lambda text: any(b in text for b in r._OPENING_BRACKETS),
         "skriv til boligsosialt(at)bodo.kommune.no"),
        (u._STREET, _holds(u._STREET_WORDS), "hun bor i lerkeveien sju"),
        (c._ROLE_THEN_NAME, _holds(c._ROLE_WORDS), "saksbehandler Per ringte meg"),
        (c._KIN_LIST, _holds(c._KIN_WORDS), "barna: Ola, Kari og Per"),
        (c._EMPLOYER, _holds(c._EMPLOYED_WORDS), "han jobber hos Fjordbyen Eiendom"),
        (c._VOCATIVE, _holds(c._GREETING_WORDS), "takk, Kari."),
        (c._DISLOCATION, comma, "Petra, hun er grei"),
        (c._EXPLAINED_ORG, comma, "Nidarbygg, det er et byggfirma"),
        (fallback._SPOKEN_DATE, _holds(fallback._MONTH_ORDINAL_WORDS), "det var den fjortende i tiende"),
        (x._CALLED, _holds(x._CALLED_WORDS), "alle kaller meg bare Tesfa"),
        (s._ORG_SLOT, _holds(s._ORG_SLOT_WORDS), "jeg jobber hos Kiwi nå"),
        (s._PLACE_THEN_BANK, _holds(("sparebank",)), "lånet er i Sortland Sparebank"),
        (n._APPOSITION, comma, "vi møtte, dilan, han var der"),
    ]


def test_each_prechecked_expression_passes_its_precheck_where_it_matches_and_only_runs_there():
    for pattern, precheck, text in _prechecked():
        assert pattern.search(text) and precheck(text), (pattern.pattern[:40], text)
    # A turn without the words is not searched: each check can say no.
    assert not any(precheck("ja nei altså det var fint.") for _p, precheck, _t in _prechecked())


_PRECHECK_WORDS = ["Saupstadringen", "41B", "Sletta", "sju", "Kong", "Øysteins", "veg", "14B", "storhaug", "bakken",
                   "fire", "fjellsrud", "ring", "3", "tollbodgata", "huseby", "skole", "IL", "naboen", "min,",
                   "Tsegereda,", "fru", "Eng", "kari@nav.no", "boligsosialt(at)bodo.kommune.no", "[at]", "lerkeveien",
                   "saksbehandler", "NAV", "Per", "barna:", "jobber", "hos", "Kiwi", "takk,", "Kari.", "Petra,",
                   "hun", "Nidarbygg,", "det", "er", "et", "den", "fjortende", "i", "tiende", "alle", "kaller",
                   "meg", "bare", "Sortland", "Sparebank", "dilan,", "han", "og", "x"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PRECHECK_WORDS), max_size=7), _TEXT, st.sampled_from([" ", "  ", "\t", "\n", " , "]))
def test_a_prechecked_expression_matches_only_where_its_precheck_passes(words, noise, gap):
    text = gap.join(words) + gap + noise
    for pattern, precheck, _example in _prechecked():
        if pattern.search(text):
            assert precheck(text), (pattern.pattern[:40], text)


def test_the_demo_turns_a_prechecked_expression_matches_pass_its_precheck():
    from pathlib import Path

    lines = [line for path in sorted((Path(__file__).resolve().parents[1] / "data" / "raw" / "transcripts").glob("*.txt"))
             for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    assert len(lines) > 100
    matched = 0
    for pattern, precheck, _example in _prechecked():
        for line in lines:
            if pattern.search(line):
                matched += 1
                assert precheck(line), (pattern.pattern[:40], line)
    assert matched > 0
