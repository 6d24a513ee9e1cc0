"""Which codes finally apply to each segment — the one rule every later stage uses.

1. A segment a human has decided (reviewed) gets exactly that human's codes.
   With several human coders, the study's primary coder wins where they
   decided the segment; otherwise the most recent human decision.
2. Otherwise it gets the machine suggestions stored for it (rule and model
   codings that are not rejected). The coding stage stores only suggestions
   that pass its combination rule, so no threshold is applied here.

Compare, topics and report all read codes through :func:`effective_codes`.
"""

from __future__ import annotations

from collections import defaultdict

from ..store import StudyStore


def deciding_coders(store: StudyStore, primary_coder: str | None = None) -> dict[str, str]:
    """segment id -> the human coder whose decision counts (rule 1 above)."""
    chosen: dict[str, str] = {}
    for segment_id, by_coder in store.human_reviews().items():
        if primary_coder and primary_coder in by_coder:
            chosen[segment_id] = primary_coder
        else:
            chosen[segment_id] = max(by_coder.items(), key=lambda item: (item[1], item[0]))[0]
    return chosen


def effective_codes(store: StudyStore, primary_coder: str | None = None) -> dict[str, frozenset[str]]:
    """segment id -> codes that apply (segments without codes are absent)."""
    chosen = deciding_coders(store, primary_coder)
    codes: dict[str, set[str]] = defaultdict(set)
    for coding in store.codings():
        if coding.segment_id in chosen:
            if coding.source == "human" and coding.coder == chosen[coding.segment_id] and coding.status == "accepted":
                codes[coding.segment_id].add(coding.code)
        elif coding.source in ("rule", "model") and coding.status != "rejected":
            codes[coding.segment_id].add(coding.code)
    return {segment_id: frozenset(found) for segment_id, found in codes.items() if found}


def code_source(store: StudyStore, primary_coder: str | None = None) -> dict[str, str]:
    """segment id -> 'human' or 'machine': where its effective codes came from."""
    reviewed = set(store.human_reviews())
    return {segment_id: ("human" if segment_id in reviewed else "machine")
            for segment_id in effective_codes(store, primary_coder)}
