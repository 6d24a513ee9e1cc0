"""One error type for everything a researcher can cause with bad input.

The CLI prints ``str(error)`` as a single line and exits non-zero; ``--debug``
shows the traceback. Always name the file and the problem.
"""

from __future__ import annotations

from pathlib import Path


class QualpipeError(Exception):
    """A problem with the study's input or state, reported as one line."""

    def __init__(self, problem: str, path: str | Path | None = None):
        self.problem = problem
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


class LeakError(QualpipeError):
    """Shareable output would contain a known identifier; nothing was written."""
