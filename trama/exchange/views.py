"""The import pages: choose what to import and get the template, upload, see the check (the dry
run) row by row, confirm. Each import is seen only by the person who uploaded it."""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.forms import add_service_errors
from trama.exchange import blank, export_jobs, services
from trama.exchange.forms import ImportUploadForm
from trama.exchange.importers import IMPORTERS, ImporterKind
from trama.exchange.listexport import CONTENT_TYPES
from trama.exchange.models import ImportRun
from trama.jobs.services import job_start

OUTCOME_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importers(request: HttpRequest, access: ProgrammeAccess) -> list[ImporterKind]:
    importers = [kind for kind in IMPORTERS.values() if kind.allowed(request.user, access.programme)]
    if not importers:
        raise PermissionDenied
    return importers


def _own_run(request: HttpRequest, access: ProgrammeAccess, import_id: str) -> ImportRun:
    run = ImportRun.objects.filter(programme=access.programme, owner=request.user, public_id=import_id).first()
    if run is None:
        raise Http404
    return run


def _recent_runs(request: HttpRequest, access: ProgrammeAccess) -> list[ImportRun]:
    runs = ImportRun.objects.filter(programme=access.programme, owner=request.user).select_related("programme")
    return list(runs.defer("outcomes", "errors")[:20])


@programme_view()
def import_home(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    importers = _importers(request, access)
    runs = _recent_runs(request, access)
    return render(
        request,
        "exchange/import_home.html",
        {"access": access, "importers": importers, "runs": runs, "form": ImportUploadForm()},
    )


@programme_view()
def import_template(request: HttpRequest, access: ProgrammeAccess, kind: str, file_format: str) -> HttpResponse:
    if kind not in IMPORTERS or file_format not in ("csv", "xlsx"):
        raise Http404
    importer = services.importer_for(request.user, access.programme, kind)
    if file_format == "xlsx":
        response = HttpResponse(blank.template_xlsx(importer), content_type=XLSX)
    else:
        response = HttpResponse(blank.template_csv(importer), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modello-{importer.file_stem}.{file_format}"'
    return response


@require_POST
@programme_view()
def import_upload(request: HttpRequest, access: ProgrammeAccess, kind: str) -> HttpResponse:
    if kind not in IMPORTERS:
        raise Http404
    services.importer_for(request.user, access.programme, kind)
    importers = _importers(request, access)
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            run = services.import_start(
                actor=request.user, programme=access.programme, kind=kind, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(run)
    runs = _recent_runs(request, access)
    context = {"access": access, "importers": importers, "runs": runs, "form": form, "failed_kind": kind}
    return render(request, "exchange/import_home.html", context, status=400)


@programme_view()
def import_detail(request: HttpRequest, access: ProgrammeAccess, import_id: str) -> HttpResponse:
    run = _own_run(request, access, import_id)
    importer = IMPORTERS.get(run.kind)
    shown = request.GET.get("show", "")
    outcomes = (
        [row for row in run.outcomes if row[1] == shown] if shown in dict(ImportRun.OUTCOME_LABELS) else run.outcomes
    )
    page = Paginator(outcomes, OUTCOME_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/import_detail.html",
        {
            "access": access,
            "run": run,
            "label": importer.label if importer else run.kind,
            "job": run.job,
            "page": page,
            "errors": run.errors,
            "outcome_labels": ImportRun.OUTCOME_LABELS,
            "shown": shown,
            "query_string": f"show={shown}" if shown else "",
        },
    )


@require_POST
@programme_view()
def import_confirm(request: HttpRequest, access: ProgrammeAccess, import_id: str) -> HttpResponse:
    run = _own_run(request, access, import_id)
    # A file no longer waiting for confirmation (confirmed twice, expired) shows its status instead.
    with contextlib.suppress(ValidationError):
        run = services.import_confirm(actor=request.user, run=run)
    return redirect(run)


@require_POST
@programme_view()
def export_start(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """Start the background download of a long list (the form of `exchange/export_confirm.html`)."""
    path = request.POST.get("path", "")
    file_format = request.POST.get("format", "")
    if file_format not in CONTENT_TYPES or not export_jobs.startable(path, access.programme):
        return HttpResponseBadRequest(_("This download cannot be started: go back to the list and try again."))
    job = job_start(
        actor=request.user,
        programme=access.programme,
        kind=export_jobs.KIND,
        params=export_jobs.export_params(path, request.POST.get("query", ""), file_format),
    )
    return redirect(job.get_absolute_url(), permanent=False)
