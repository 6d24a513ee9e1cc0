"""Split transcript lines into speaker turns, and refuse turns that would be wrong.

A turn opens at a line that starts with a declared speaker label and a colon
(``IP: Ja, altså ...``); following lines without a label continue it, and the
same label on the next labelled line continues it too (transcription tools
write one line per utterance). Lines before the first label are a header and
are not part of any turn. Timestamps (``[00:04:12]``, ``(00:04:12)``,
f4-style ``#00:04:12-3#``, ranges ``[00:03:12.480 --> 00:03:19.020]``) are
removed from the text and kept with the turn.

A line that *looks* like a label but is not declared (``Ragnhild:``,
``Intervjuar:``, ``SPEAKER_00:``) would silently continue the previous
speaker's turn, so it is an error naming the file, the labels and their
counts, and the setting that fixes it. "Looks like a label" is kept tight so
that speech with a colon ("Det jeg sa var: ...", "Kl. 10:30", "I 2012 kjøpte
vi: ...") is not taken for one: at line start, after an optional timestamp,
either a numbered label (``SPEAKER_00``, ``Person 2``, a capitalised word with
a number) or one to three capitalised words of letters only, then ``:`` and a
space or the line end. A transcription tool's numbered label counts at once;
any other word counts only when it opens two or more lines of the file. A transcript without an
informant turn is an error as well, and so is one where one side holds more than
``speaker_labels.max_speaker_share`` of the words while the other does not speak throughout: fewer
than ``min_other_turns`` turns, or one turn of the dominant side holding more than
``max_turn_share`` of all words. That is what a missing or mis-declared label looks like once
parsed (the lost lines join the turn before them, and the same label's next line continues it),
while a long narrative interview has an interviewer who speaks between its answers
(docs/robustness.md, "One side holds most of the words").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import QualpipeError
from ..records import Turn
from ..settings import SpeakerLabels
from .readers import Line

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A bracketed stamp may be a range, as transcription tools write ("[00:03:12.480 --> 00:03:19.020]").
_RANGE_END = rf"(?:\s*(?:-->|–|-)\s*{_TS})?"
TIMESTAMP = re.compile(rf"\[(?P<a>{_TS}){_RANGE_END}\]|\((?P<b>{_TS}){_RANGE_END}\)|#(?P<c>{_TS})(?:-\d)?#")
# A timestamp before the label: bracketed, or bare ("00:04:12 IP:", "00:03:12.480 --> 00:03:19.020 Int:").
_LEADING = (rf"(?:(?:{TIMESTAMP.pattern}|(?P<d>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)"
            rf"(?:\s*-->\s*\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)?)\s*)?")

_UPPER, _LOWER = "A-ZÆØÅÄÖÜÉ", "a-zæøåäöüéèáóúç"
# Numbered labels: SPEAKER_00, Speaker 1, Person 2, Taler 3, IP2, and lower-case "speaker_00" from ASR.
_TOOL_LABEL = (rf"[{_UPPER}][{_UPPER}{_LOWER}]{{0,20}}(?:_\d{{1,3}}|\s?\d{{1,3}})"
               r"|(?:speaker|spk|person|taler|talar|deltaker|deltakar)(?:_\d{1,3}|\s?\d{1,3})")
# Words that number speakers in transcription tools and role labels: unmistakable even once.
# Another capitalised word with a number ("Punkt 2: ...") counts only when it recurs.
_TOOL_WORDS = re.compile(r"^(?:speaker|spk|s|person|taler|talar|deltaker|deltakar|informant|intervjuer|"
                         r"intervjuar|interviewer|interviewee|respondent|ip|inf|int|i|b|r)[ _]?\d+$", re.IGNORECASE)
# Word labels: Ragnhild, Intervjuar, Anne Grete, KN — capitalised words of letters only.
_WORD = rf"[{_UPPER}](?:[{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?|[{_UPPER}]{{0,3}})"
_WORD_LABEL = rf"{_WORD}(?: {_WORD}){{0,2}}"
LABEL_LIKE = re.compile(
    rf"^\s*{_LEADING}\**(?:(?P<tool>{_TOOL_LABEL})|(?P<word>{_WORD_LABEL}))\**\s?:\**(?:\s|$)")
MAX_LABEL_LENGTH = 30
# Below this many words a speaker's share says nothing (a two-line test file, a pilot snippet).
MIN_WORDS_FOR_SHARE = 200


@dataclass
class LabelMatcher:
    """Finds a declared speaker label at the start of a line."""

    pattern: re.Pattern
    speakers: dict[str, str]  # lower-cased label -> interviewer/informant
    ignored: frozenset[str] = frozenset()  # lower-cased line-start words that are not labels
    max_share: float = 0.9
    min_other_turns: int = 5
    max_turn_share: float = 0.25

    @classmethod
    def from_settings(cls, labels: SpeakerLabels, informant: tuple[str, ...] = (),
                      interviewer: tuple[str, ...] = ()) -> LabelMatcher:
        """``informant``/``interviewer``: labels for one file (the informants table's label columns);
        they win over the study's, so SPEAKER_00 may be the interviewer in one file and the informant in another."""
        speakers = {label.lower(): "interviewer" for label in labels.interviewer}
        # A label of both roles is refused when study.yaml is read (SpeakerLabels).
        speakers.update({label.lower(): "informant" for label in labels.informant})
        for label in informant:
            if label.lower() in {i.lower() for i in interviewer}:
                raise QualpipeError(f"speaker label '{label}' is declared for both interviewer and informant")
        speakers.update({label.lower(): "interviewer" for label in interviewer})
        speakers.update({label.lower(): "informant" for label in informant})
        # Longest first so "Int" is not taken for "I"; optional markdown bold.
        alternatives = "|".join(re.escape(label) for label in sorted(speakers, key=len, reverse=True))
        # A label may carry a number when several people share a role ("IP1:", "Intervjuer 2:"),
        # and a transcription tool may put a timestamp or a range before it.
        pattern = re.compile(
            rf"^\s*{_LEADING}\**(?P<label>{alternatives})(?P<number>\s?\d{{1,2}})?\**\s*:\**\s*",
            re.IGNORECASE,
        )
        return cls(pattern, speakers, frozenset(w.lower() for w in labels.ignore), labels.max_speaker_share,
                   labels.min_other_turns, labels.max_turn_share)

    def match(self, line: str) -> tuple[str, str, str, list[str], str] | None:
        """(speaker, label as written, rest of the line, leading timestamps, label with number) or None."""
        found = self.pattern.match(line)
        if not found:
            return None
        label = found.group("label")
        leading = [t for t in found.group("a", "b", "c", "d") if t]
        number = (found.group("number") or "").strip()
        return self.speakers[label.lower()], label, line[found.end():], leading, f"{label.lower()}{number}"

    def label_like(self, line: str) -> tuple[str, bool] | None:
        """An undeclared label-like prefix: (label as written, is a tool label) or None."""
        found = LABEL_LIKE.match(line)
        if not found:
            return None
        tool = found.group("tool")
        label = " ".join((tool or found.group("word")).split())
        if len(label) > MAX_LABEL_LENGTH or label.lower() in self.ignored:
            return None
        return label, bool(tool and _TOOL_WORDS.match(label))


@dataclass
class _Draft:
    speaker: str
    label: str
    key: str  # label and number, lower-cased: the same key on the next labelled line continues the turn
    parts: list[str]
    stamps: list[str]
    cue: bool


@dataclass
class _Unknown:
    count: int = 0
    first_line: int = 0
    tool: bool = False


def parse_turns(path: Path, lines: list[Line], matcher: LabelMatcher) -> tuple[list[Turn], list[str]]:
    """Turns in order, and notes for the researcher (e.g. ignored header lines)."""
    file = Path(path).name
    drafts: list[_Draft] = []
    unknown: dict[str, _Unknown] = {}
    header = 0
    for number, line in enumerate(lines, start=1):
        hit = matcher.match(line.text)
        if hit:
            speaker, label, rest, leading, key = hit
            stamps = leading + ([line.timestamp] if line.timestamp else [])
            if drafts and drafts[-1].key == key:  # the same speaker, one utterance a line
                drafts[-1].parts.append(rest)
                drafts[-1].stamps.extend(s for s in stamps if s not in drafts[-1].stamps)
                continue
            drafts.append(_Draft(speaker, label, key, [rest], stamps, line.cue))
            continue
        like = matcher.label_like(line.text)
        if like:
            entry = unknown.setdefault(like[0].lower(), _Unknown(first_line=number, tool=like[1]))
            entry.count += 1
        if drafts:
            if line.timestamp and not drafts[-1].stamps:
                drafts[-1].stamps.append(line.timestamp)
            drafts[-1].parts.append(line.text)
        elif line.text.strip():
            header += 1
    undeclared = {label: e for label, e in unknown.items() if e.tool or e.count >= 2}
    if undeclared:
        raise QualpipeError(_undeclared_message(lines, undeclared), path)
    if not drafts:
        known = ", ".join(f"{label}:" for label in sorted(matcher.speakers)[:8])
        raise QualpipeError(f"no speaker label found at the start of any line (expected e.g. {known})", path)
    turns: list[Turn] = []
    for draft in drafts:
        text, stamps = _clean(draft.parts, draft.cue)
        if not text:
            continue  # a label with nothing said
        turns.append(Turn(file=file, turn_index=len(turns), speaker=draft.speaker, label=draft.label,
                          text=text, timestamps=tuple(draft.stamps + stamps)))
    check_speakers(path, turns, matcher.max_share, matcher.min_other_turns, matcher.max_turn_share)
    notes = [f"{file}: {header} header line(s) before the first speaker label were not read as speech"] if header else []
    return turns, notes


def check_speakers(path: Path, turns: list[Turn], max_share: float, min_other_turns: int = 5,
                   max_turn_share: float = 0.25) -> None:
    """An informant must speak, and a side holding more than ``max_share`` of the words must have
    the other side speaking throughout (module docstring): judged by the other side's turns and the
    dominant side's longest turn together, not by the share alone."""
    words, count, longest = Counter(), Counter(), Counter()
    for turn in turns:
        n = len(turn.text.split())
        words[turn.speaker] += n
        count[turn.speaker] += 1
        longest[turn.speaker] = max(longest[turn.speaker], n)
    labels = sorted({t.label for t in turns})
    if not words["informant"]:
        raise QualpipeError(
            f"no informant turn (every turn is the interviewer's: labels {', '.join(labels)}); declare the "
            "informant's label under speaker_labels.informant in study.yaml, or in a speaker_label column "
            "of the informants table", path)
    total = sum(words.values())
    if total < MIN_WORDS_FOR_SHARE:
        return
    for speaker, name, other in (("informant", "the informant", "interviewer"),
                                 ("interviewer", "the interviewer", "informant")):
        share = words[speaker] / total
        if share <= max_share:
            continue
        reasons = []
        if count[other] < min_other_turns:
            reasons.append(f"the {other} has {count[other]} turn(s) (fewer than speaker_labels.min_other_turns "
                           f"{min_other_turns})")
        if longest[speaker] / total > max_turn_share:
            reasons.append(f"one of its turns holds {longest[speaker] / total:.0%} of the words (more than "
                           f"speaker_labels.max_turn_share {max_turn_share:.0%})")
        if reasons:
            raise QualpipeError(
                f"{name} holds {share:.1%} of the {total} words (more than speaker_labels.max_speaker_share "
                f"{max_share:.0%}) and {' and '.join(reasons)}: a speaker label is probably missing, so one "
                "side's lines were read as the other's; check the labels (speaker_labels in study.yaml, "
                "speaker_label column of the informants table) or, for a genuine monologue, raise "
                "speaker_labels.max_speaker_share", path)


def _undeclared_message(lines: list[Line], undeclared: dict[str, _Unknown]) -> str:
    shown = []
    for label, entry in sorted(undeclared.items(), key=lambda item: (-item[1].count, item[1].first_line)):
        written = LABEL_LIKE.match(lines[entry.first_line - 1].text)
        text = " ".join((written.group("tool") or written.group("word")).split())
        if entry.tool or _TOOL_WORDS.match(text) or not _may_be_name(text):
            shown.append(f"'{text}:' {entry.count}×")
        else:
            # A label that may be a person's name is not echoed: error messages end up in logs.
            shown.append(f"a name-like label {entry.count}× (first on line {entry.first_line})")
    return (f"undeclared speaker label(s) at line start: {', '.join(shown)}; declare each under "
            "speaker_labels.interviewer or speaker_labels.informant in study.yaml, or put the informant's "
            "label in a speaker_label column (the interviewer's in interviewer_label) of the informants table; "
            "line-start words that are not labels go under speaker_labels.ignore")


def _may_be_name(label: str) -> bool:
    """True unless every word is an ordinary Norwegian word that is not also a name."""
    from ..anonymise.gazetteer import load_gazetteer
    from ..anonymise.lexicon import in_dictionary

    gazetteer = load_gazetteer()
    for word in label.split():
        if word.isupper() and len(word) <= 4:
            return True  # initials
        if gazetteer.is_name(word) and not gazetteer.is_common_word(word):
            return True
        if not in_dictionary(word):
            return True
    return False


def _clean(parts: list[str], cue: bool) -> tuple[str, list[str]]:
    """Join a turn's lines, strip timestamps, tidy whitespace; return text and timestamps."""
    stamps: list[str] = []

    def keep(match: re.Match) -> str:
        stamps.append(next(t for t in match.group("a", "b", "c") if t))
        return " "

    cleaned = []
    for part in parts:
        part = TIMESTAMP.sub(keep, part)
        part = re.sub(r"[ \t\u00a0]+", " ", part).strip()
        if part:
            cleaned.append(part)
    # Subtitle cues continue a sentence; document lines are paragraphs.
    return (" " if cue else "\n").join(cleaned), stamps
