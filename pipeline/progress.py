"""Progress reporting that stages accept and the CLI provides.

Stages take a ``track`` callable (like ``rich.progress.track``) so they stay
free of terminal code; tests and notebooks pass nothing and get no bars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
Track = Callable[..., Iterable]


def no_progress(items: Iterable[T], description: str = "", total: int | None = None) -> Iterable[T]:
    return items
