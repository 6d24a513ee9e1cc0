"""Split transcript lines into speaker turns.

A turn opens at a line that starts with a known speaker label and a colon
(``IP: Ja, altså ...``); following lines without a label continue it. Lines
before the first label are a header and are not part of any turn. Timestamps
(``[00:04:12]``, ``(00:04:12)``, f4-style ``#00:04:12-3#``) are removed from
the text and kept with the turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import QualpipeError
from ..records import Turn
from ..settings import SpeakerLabels
from .readers import Line

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
TIMESTAMP = re.compile(rf"\[(?P<a>{_TS})\]|\((?P<b>{_TS})\)|#(?P<c>{_TS})(?:-\d)?#")


@dataclass
class LabelMatcher:
    """Finds a speaker label at the start of a line."""

    pattern: re.Pattern
    speakers: dict[str, str]  # lower-cased label -> interviewer/informant

    @classmethod
    def from_settings(cls, labels: SpeakerLabels) -> LabelMatcher:
        speakers = {label.lower(): "interviewer" for label in labels.interviewer}
        for label in labels.informant:
            if label.lower() in speakers:
                raise QualpipeError(f"speaker label '{label}' is declared for both interviewer and informant")
            speakers[label.lower()] = "informant"
        # Longest first so "Int" is not taken for "I"; optional markdown bold.
        alternatives = "|".join(re.escape(label) for label in sorted(speakers, key=len, reverse=True))
        # A label may carry a number when several people share a role ("IP1:", "Intervjuer 2:"),
        # and a transcription tool may put a bare timestamp before it ("00:04:12 IP: ...").
        pattern = re.compile(
            rf"^\s*(?:(?:{TIMESTAMP.pattern}|(?P<d>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?))\s*)?"
            rf"\**(?P<label>{alternatives})(?:\s?\d{{1,2}})?\**\s*:\**\s*",
            re.IGNORECASE,
        )
        return cls(pattern, speakers)

    def match(self, line: str) -> tuple[str, str, str, list[str]] | None:
        """(speaker, label as written, rest of the line, leading timestamps) or None."""
        found = self.pattern.match(line)
        if not found:
            return None
        label = found.group("label")
        leading = [t for t in found.group("a", "b", "c", "d") if t]
        return self.speakers[label.lower()], label, line[found.end():], leading


def parse_turns(path: Path, lines: list[Line], matcher: LabelMatcher) -> tuple[list[Turn], list[str]]:
    """Turns in order, and notes for the researcher (e.g. ignored header lines)."""
    file = Path(path).name
    drafts: list[dict] = []
    header = 0
    for line in lines:
        hit = matcher.match(line.text)
        if hit:
            speaker, label, rest, leading = hit
            stamps = leading + ([line.timestamp] if line.timestamp else [])
            drafts.append({"speaker": speaker, "label": label, "parts": [rest], "stamps": stamps, "cue": line.cue})
        elif drafts:
            if line.timestamp and not drafts[-1]["stamps"]:
                drafts[-1]["stamps"].append(line.timestamp)
            drafts[-1]["parts"].append(line.text)
        elif line.text.strip():
            header += 1
    if not drafts:
        known = ", ".join(f"{label}:" for label in sorted(matcher.speakers)[:8])
        raise QualpipeError(f"no speaker label found at the start of any line (expected e.g. {known})", path)
    turns: list[Turn] = []
    for draft in drafts:
        text, stamps = _clean(draft["parts"], draft["cue"])
        if not text:
            continue  # a label with nothing said
        turns.append(Turn(file=file, turn_index=len(turns), speaker=draft["speaker"], label=draft["label"],
                          text=text, timestamps=tuple(draft["stamps"] + stamps)))
    notes = [f"{file}: {header} header line(s) before the first speaker label were not read as speech"] if header else []
    return turns, notes


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
