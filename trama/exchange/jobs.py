"""The imports' background jobs (trama/jobs): checking a file, then importing it.

Both are started by `trama.exchange.services` with the import's public id as their only
parameter; the result is the import's report (CSV), for its owner only.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from trama.exchange import services
from trama.exchange.models import ImportRun
from trama.jobs.registry import JobKind, Progress, Result, register


def _run(job: Any) -> ImportRun:
    return ImportRun.objects.select_related("programme", "owner").get(
        public_id=job.params["import"], programme=job.programme, owner=job.owner
    )


def check_import(job: Any, progress: Progress) -> Result:
    run = _run(job)
    content = services.import_check_run(run, progress)
    return Result(filename=f"controllo-{run.public_id}.csv", content=content)


def apply_import(job: Any, progress: Progress) -> Result:
    run = _run(job)
    content = services.import_apply_run(run, progress)
    return Result(filename=f"importazione-{run.public_id}.csv", content=content)


CHECK = register(
    JobKind(
        code=services.CHECK_JOB,
        label=gettext_lazy("Checking a file to import"),
        allowed=services.may_import,
        run=check_import,
    )
)
APPLY = register(
    JobKind(
        code=services.IMPORT_JOB,
        label=gettext_lazy("Importing a file"),
        allowed=services.may_import,
        run=apply_import,
    )
)
