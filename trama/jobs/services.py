"""Starting and running background jobs.

`job_start` checks that the user may start the kind of job for the programme, records it and
hands it to the queue (RQ on Redis when `TRAMA_QUEUE_URL` is set, after the transaction commits)
or, with no broker (the embedded default), runs it in-process before answering. `run_job` is what
the worker calls: it checks permission again, runs the kind's function with a progress callback,
and stores the result file for its owner only. A failure is recorded without its details (they
may hold personal data); the log names the job by its public id only.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.jobs.models import BackgroundJob
from trama.jobs.registry import get_kind
from trama.territory.models import Programme

log = logging.getLogger(__name__)


def job_start(*, actor: User, programme: Programme, kind: str, params: dict[str, Any]) -> BackgroundJob:
    job_kind = get_kind(kind)
    if not job_kind.allowed(actor, programme):
        raise PermissionDenied
    with transaction.atomic():
        job = BackgroundJob.objects.create(programme=programme, owner=actor, kind=kind, params=params)
        audit_record(action=AuditEvent.Action.CREATE, actor=actor, programme=programme, target=job)
        if settings.TRAMA_QUEUE_URL:
            from trama.jobs.queue import enqueue

            transaction.on_commit(lambda: enqueue(job.pk))
    if not settings.TRAMA_QUEUE_URL:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def _save_progress(job: BackgroundJob, percent: int, step: str) -> None:
    job.progress, job.step = max(0, min(100, percent)), str(step)[:200]
    BackgroundJob.objects.filter(pk=job.pk).update(progress=job.progress, step=job.step, updated_at=timezone.now())


def run_job(job_pk: int) -> None:
    """Run one job (in the worker, or in-process). Never raises: the outcome is on the job."""
    if settings.TRAMA_QUEUE_URL:
        close_old_connections()  # a long-lived worker must not reuse a connection the server dropped
    job = BackgroundJob.objects.select_related("owner", "programme").get(pk=job_pk)
    if job.status != BackgroundJob.Status.QUEUED:
        return
    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.RUNNING, started_at=timezone.now())
    try:
        kind = get_kind(job.kind)
        if not job.owner.is_active or not kind.allowed(job.owner, job.programme):
            raise PermissionDenied
        result = kind.run(job, lambda percent, step: _save_progress(job, percent, step))
        job.result.save(f"{job.public_id}/{result.filename}", ContentFile(result.content), save=False)
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=BackgroundJob.Status.DONE, progress=100, result=job.result.name, result_name=result.filename,
            finished_at=timezone.now(),
        )  # fmt: skip
        log.info("job %s (%s) done", job.public_id, job.kind)
    except Exception as error:
        # Only the error's type and where it happened: its message may quote personal data (S6).
        frame = error.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame is not None else ""
        log.error("job %s (%s) failed: %s at %s", job.public_id, job.kind, type(error).__name__, where)
        BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.FAILED, finished_at=timezone.now())


def job_download_record(*, actor: User, job: BackgroundJob) -> None:
    """Downloading a result is an export (S19): audited, and only its owner may."""
    if job.owner_id != actor.pk:
        raise PermissionDenied
    audit_record(action=AuditEvent.Action.EXPORT, actor=actor, programme=job.programme, target=job)
