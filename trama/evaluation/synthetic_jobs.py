"""The synthetic dataset on the job queue: `manage.py generate_synthetic --background`.

The dataset is not a programme's (it creates its own programmes) and has no owner among the users,
so it is not a `BackgroundJob`: it is a plain RQ job on the queue of `trama.jobs.queue`, and its
state lives in the RQ job's meta, which the command that queued it (or `synthetic_status`) reads:

    progress   percent done, from the generator's steps
    step       the last step's line
    lines      the generator's last output lines, each with the percent it was written at
    line_count how many lines it has written in all (the follower prints only the new ones)
    counts     the rows written per model, when done
    error      why the worker refused to generate (the checks of the command, made again)

The synthetic data holds no personal data, but the lines are kept for a week only (`KEEP_SECONDS`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from trama.evaluation import synthetic

FUNCTION = "trama.evaluation.synthetic_jobs.run_synthetic"
# The full regional dataset takes minutes on PostgreSQL; hours means it is stuck.
JOB_TIMEOUT_SECONDS = 4 * 3600
KEEP_SECONDS = 7 * 24 * 3600
MAX_LINES = 200
# The step lines of `synthetic.Generator.run`, in order: how far the generation has gone.
STEPS = ("Programmes", "People", "Activities", "Requests", "Pacts", "Volunteers", "Pathway", "Work")
ROLLUPS_PERCENT = 90
READY_PERCENT = 99
ENDED = ("finished", "failed", "stopped", "canceled")


class SyntheticRefused(Exception):
    """The database may not receive the synthetic dataset (real records, or the same seed already)."""


def refusal(seed: int, *, force: bool) -> str:
    """Why the dataset may not be generated here, or "" when it may."""
    if synthetic.real_data_present() and not force:
        return (
            "This database holds real (non-synthetic) records: generate the synthetic dataset in an empty "
            "database, or pass --force if you are sure."
        )
    if synthetic.synthetic_present(seed):
        return f"The synthetic dataset of seed {seed} is already here: use another seed."
    return ""


def broker_configured() -> bool:
    return bool(settings.TRAMA_QUEUE_URL)


def synthetic_queue() -> Any:
    """The queue of the background jobs (`trama.jobs.queue`), on `TRAMA_QUEUE_URL`."""
    from rq import Queue

    from trama.jobs.queue import QUEUE_NAME, queue_connection

    return Queue(QUEUE_NAME, connection=queue_connection())


def enqueue_synthetic(sizes: synthetic.Sizes, *, seed: int, force: bool) -> str:
    """Queue the generation; the id of the RQ job. (On a synchronous queue it has run already.)"""
    job = synthetic_queue().enqueue(
        FUNCTION,
        kwargs={"sizes": asdict(sizes), "seed": seed, "force": force},
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=KEEP_SECONDS,
        failure_ttl=KEEP_SECONDS,
        description=f"generate_synthetic (seed {seed})",
        meta={"progress": 0, "step": "", "lines": [], "line_count": 0},
    )
    return job.id


class MetaReport:
    """The `report` callback of `synthetic.generate`, written into the RQ job's meta."""

    def __init__(self, job: Any) -> None:
        self.job = job
        self.progress = 0

    def __call__(self, line: str) -> None:
        text = line.strip()
        if not line.startswith(" "):
            for index, prefix in enumerate(STEPS):
                if text.startswith(prefix):
                    self.progress = 5 + 85 * index // len(STEPS)
            if text.startswith("Synthetic dataset ready"):
                self.progress = READY_PERCENT
        elif text.startswith("roll-ups"):
            self.progress = ROLLUPS_PERCENT
        self.save(step=text if not line.startswith(" ") else None, line=text)

    def save(self, *, step: str | None = None, line: str | None = None, **extra: Any) -> None:
        if self.job is None:
            return
        meta = self.job.meta
        meta["progress"] = self.progress
        if step is not None:
            meta["step"] = step
        if line is not None:
            meta["lines"] = [*meta.get("lines", []), [self.progress, line]][-MAX_LINES:]
            meta["line_count"] = meta.get("line_count", 0) + 1
        meta.update(extra)
        self.job.save_meta()


def run_synthetic(*, sizes: dict[str, int], seed: int, force: bool) -> dict[str, int]:
    """What the worker runs: the command's checks again (the database may have changed since it was
    queued), then the generation, its progress in the job's meta; the rows written per model."""
    from rq import get_current_job

    if not connection.in_atomic_block:
        close_old_connections()  # a long-lived worker must not reuse a connection the server dropped
    report = MetaReport(get_current_job())
    reason = refusal(seed, force=force)
    if reason:
        report.save(error=reason)
        raise SyntheticRefused(reason)
    counts = synthetic.generate(synthetic.Sizes(**sizes), seed=seed, report=report)
    report.progress = 100
    report.save(counts=counts)
    return counts


@dataclass(frozen=True)
class SyntheticState:
    job_id: str
    status: str
    progress: int = 0
    step: str = ""
    lines: list[list[Any]] = field(default_factory=list)
    line_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""

    @property
    def ended(self) -> bool:
        return self.status in ENDED


def synthetic_state(job_id: str) -> SyntheticState | None:
    """The state of a queued generation, or None when the queue does not know the id (or forgot it)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=synthetic_queue().connection)
    except NoSuchJobError:
        return None
    if job.func_name != FUNCTION:
        return None  # another kind of job: not ours to describe
    meta, status = job.get_meta(), job.get_status()
    return SyntheticState(
        job_id=job.id,
        status=str(status.value) if status is not None else "unknown",
        progress=int(meta.get("progress", 0)),
        step=str(meta.get("step", "")),
        lines=list(meta.get("lines", [])),
        line_count=int(meta.get("line_count", 0)),
        counts=dict(meta.get("counts", {})),
        error=str(meta.get("error", "")),
    )


def pause(seconds: float) -> None:
    """The wait between two looks at the queue (where Ctrl-C usually lands)."""
    time.sleep(seconds)


def follow(job_id: str, write: Callable[[str], None], *, poll_seconds: float = 1.0) -> SyntheticState | None:
    """Print the generation's new lines (with their percent) until it ends; its final state.
    A KeyboardInterrupt (Ctrl-C) stops the following, never the job: the caller catches it."""
    shown = 0
    last_status = ""
    while True:
        state = synthetic_state(job_id)
        if state is None:
            return None
        new = state.line_count - shown
        if new > 0:
            for percent, line in state.lines[-min(new, len(state.lines)) :]:
                write(f"[{percent:3d}%] {line}")
            shown = state.line_count
        if state.status != last_status and not state.ended and state.status != "started":
            write(f"[{state.progress:3d}%] job {state.status}")
        last_status = state.status
        if state.ended:
            return state
        pause(poll_seconds)
