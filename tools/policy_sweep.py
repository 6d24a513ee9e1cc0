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
  key_any_case     every original of the key is re-applied in any case and position
  key_any_case_person  the same for the key's persons only
  explain_without=A+B  the unexplained recognizer without these explanation classes
  capital_without=A+B  unexplained_capital's sentence-start test without these classes
  min_score=X      the study's min_score (what scores under it is review-only)
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
            original_learned = learned.LearnedIdentifierRecognizer.__init__

            def learned_init(self, *a, _original=original_learned, _value=float(value), **k):
                k.setdefault("threshold", _value)  # the registry passes every other setting by name
                _original(self, *a, **k)

            learned.LearnedIdentifierRecognizer.__init__ = learned_init
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
        elif name == "key_any_case":
            from pipeline.anonymise.matcher import StringMatcher

            original_build = stage.Anonymiser.build_matcher

            def build_matcher(self, _original=original_build):
                _original(self)
                originals = [(o, e) for o, e in self.key.originals() if not self.keep.holds(o)]
                self.key_matcher = StringMatcher(originals, self.g, strict_common=False)

            stage.Anonymiser.build_matcher = build_matcher
        elif name == "key_any_case_person":
            from pipeline.anonymise.matcher import StringMatcher

            class Both:
                def __init__(self, *matchers):
                    self.matchers = matchers

                def find(self, text):
                    return sorted((m for k in self.matchers for m in k.find(text)), key=lambda m: (m.start, -m.end))

            original_build = stage.Anonymiser.build_matcher

            def build_matcher(self, _original=original_build):
                _original(self)
                persons = [(o, e) for o, e in self.key.originals() if not self.keep.holds(o) and e.type == "PERSON"]
                if persons:
                    self.key_matcher = Both(self.key_matcher, StringMatcher(persons, self.g, strict_common=False))

            stage.Anonymiser.build_matcher = build_matcher
        elif name == "explain_without":
            # The unexplained recognizer (lower-case transcripts) with explanation classes left out, "+"-joined.
            from pipeline.anonymise import unexplained

            classes = tuple(c for c in unexplained.EXPLANATIONS if c not in value.split("+"))
            original_init = unexplained.UnexplainedWordRecognizer.__init__

            def init(self, gazetteer=None, explain=None, *a, _original=original_init, _classes=classes, **k):
                _original(self, gazetteer, _classes if explain is None else explain, *a, **k)

            unexplained.UnexplainedWordRecognizer.__init__ = init
        elif name == "capital_without":
            # unexplained_capital's sentence-start test with explanation classes left out, "+"-joined.
            from pipeline.anonymise import unexplained

            classes = tuple(c for c in unexplained.EXPLANATIONS if c not in value.split("+"))
            original_explanation = unexplained.explanation

            def explanation(word, g, explain=classes, _original=original_explanation):
                return _original(word, g, explain)

            original_analyze = unexplained.UnexplainedCapitalRecognizer.analyze

            def analyze(self, *a, _original=original_analyze, **k):
                # Only this recognizer's test: the guard reads the same function and must keep every class.
                unexplained.explanation = explanation
                try:
                    return _original(self, *a, **k)
                finally:
                    unexplained.explanation = original_explanation

            unexplained.UnexplainedCapitalRecognizer.analyze = analyze
        elif name == "min_score":
            import pipeline.settings as settings_module

            original_load = settings_module.load_study

            def load_study(root=".", _original=original_load, _value=float(value)):
                study = _original(root)
                study.settings.anonymisation.min_score = _value
                return study

            settings_module.load_study = load_study
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
