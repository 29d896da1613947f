"""A job's page (status and progress, refreshing itself while it runs) and its download: both only
for the person who started it (S19)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.jobs.models import BackgroundJob
from trama.jobs.registry import KINDS
from trama.jobs.services import job_download_record


def _own_job(request: HttpRequest, access: ProgrammeAccess, job_id: str) -> BackgroundJob:
    job = BackgroundJob.objects.filter(programme=access.programme, owner=request.user, public_id=job_id).first()
    if job is None:
        raise Http404
    return job


@programme_view()
def job_detail(request: HttpRequest, access: ProgrammeAccess, job_id: str) -> HttpResponse:
    job = _own_job(request, access, job_id)
    kind = KINDS.get(job.kind)
    return render(
        request, "jobs/job_detail.html", {"access": access, "job": job, "label": kind.label if kind else job.kind}
    )


@programme_view()
def job_download(request: HttpRequest, access: ProgrammeAccess, job_id: str) -> HttpResponse:
    job = _own_job(request, access, job_id)
    if job.status != BackgroundJob.Status.DONE or not job.result:
        raise Http404
    job_download_record(actor=request.user, job=job)
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
