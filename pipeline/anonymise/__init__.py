"""Anonymisation: detection (recognizers, analyzer) apart from transformation (operators, key).

Public entry points: :func:`anonymise_stage` (the workflow stage),
:func:`require_guard` (the one check before writing anything shareable; it raises, never returns None),
:func:`export_review` / :func:`import_decisions` and :func:`deanonymise`.
See docs/anonymisation.md. Imported lazily: ``import pipeline.anonymise.guard``
stays cheap for other stages.
"""

from importlib import import_module

_WHERE = {"anonymise_stage": "stage", "anonymise_study": "stage", "require_guard": "guard",
          "export_review": "review", "import_decisions": "review", "deanonymise": "review"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(name)
