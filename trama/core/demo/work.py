"""Demo data of the work app (filled in by its step)."""

from __future__ import annotations

from collections.abc import Callable


def load(log: Callable[[str], None]) -> None:
    return None
