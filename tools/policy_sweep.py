"""Measure replace / review-only / ignore policies over gold sets (docs/anonymisation.md,
"Seventeenth session: privM17").

Each policy is a global setting of the shipped code, applied in this process only, for the
measurement: nothing here is read by the pipeline. Prints one tab-separated line per gold set:
set, direct recall, all recall, precision, kept-term share, leaks, direct leaks, direct misses,
false positives.

    PYTHONPATH=$PWD python tools/policy_sweep.py --policy threshold=0.4 tests/data/anon_gold_blind9 ...

Policies (comma-separated, combinable):
  threshold=X      the learned recognizer's identifier-probability threshold
  direct_weak      a review-only span of a direct type is replaced (and listed for review)
  learned_weak     the learned recognizer's review-only spans are replaced, any type
  cased_unexplained  a word no explanation covers is masked in a transcript with capitals too
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace as dc_replace
from pathlib import Path


def apply(policy: str) -> None:
    from pipeline.anonymise import learned, stage
    from pipeline.anonymise.detection import DIRECT_TYPES

    for part in filter(None, policy.split(",")):
        name, _, value = part.partition("=")
        if name == "threshold":
            d = list(learned.LearnedIdentifierRecognizer.__init__.__defaults__)
            d[2] = float(value)
            learned.LearnedIdentifierRecognizer.__init__.__defaults__ = tuple(d)
        elif name in ("direct_weak", "learned_weak"):
            original = stage.merge

            def merge(text, dets, min_score, _original=original, _name=name):
                replaced, weak = _original(text, dets, min_score)
                promote = [d for d in weak if (d.type in DIRECT_TYPES if _name == "direct_weak"
                                               else d.recognizer == "learned")]
                if not promote:
                    return replaced, weak
                replaced = sorted(replaced + [dc_replace(d, score=min_score) for d in promote],
                                  key=lambda d: (d.start, d.end))
                return replaced, [d for d in weak if d not in promote]

            stage.merge = merge
        elif name == "cased_unexplained":
            original_ev = stage.Anonymiser._study_evidence

            def evidence(self, d, lower=False, text="", _original=original_ev):
                if not lower and d.recognizer == "unexplained_lower":
                    if self._unexplained_explained(d, lower, text):
                        return None
                    return dc_replace(d, score=self.a.min_score)
                return _original(self, d, lower, text)

            stage.Anonymiser._study_evidence = evidence
        else:
            raise SystemExit(f"unknown policy {name!r}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", default="")
    ap.add_argument("sets", nargs="+")
    args = ap.parse_args()
    apply(args.policy)
    from pipeline.evaluate import evaluate_anonymisation

    for s in args.sets:
        ev = evaluate_anonymisation(s)
        keep = 1.0 if not ev.keep_total else 1 - ev.keep_replaced / ev.keep_total
        d, t = ev.direct, ev.total
        print("\t".join([Path(s).name, f"{d.covered / d.gold:.3f}", f"{t.covered / t.gold:.3f}",
                         f"{t.correct / t.predicted:.3f}" if t.predicted else "nan", f"{keep:.3f}",
                         str(ev.leaks), str(ev.direct_leaks), str(d.gold - d.covered),
                         str(t.predicted - t.correct)]), flush=True)


if __name__ == "__main__":
    sys.exit(main())
