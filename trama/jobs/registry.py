"""The kinds of background job. Each app registers its own in its `jobs.py`:

    register(JobKind(
        code="reach-report", label=_("People reached (XLSX)"),
        allowed=lambda user, programme: ...,      # who may start it (checked again when it runs)
        run=build_the_report,                     # (job, progress) -> Result
    ))

`run` reports progress with `progress(percent, step)` and returns the file to download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Result:
    filename: str
    content: bytes


@dataclass(frozen=True)
class JobKind:
    code: str
    label: Any
    allowed: Callable[[Any, Any], bool]
    run: Callable[[Any, Progress], Result]


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    if kind.code in KINDS and KINDS[kind.code] is not kind:
        raise ValueError(f"Job kind {kind.code!r} registered twice")
    KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> JobKind:
    return KINDS[code]
