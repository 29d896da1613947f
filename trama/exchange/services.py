"""Imports: upload, check (the dry run, writing nothing), confirm, import — all or nothing (S23).

The checking and the importing run as background jobs (trama/jobs): in-process with no broker,
in the worker otherwise, with their progress on the import's page. The uploaded file lives in
private storage (never served, S20) only while a job needs it: it is deleted once the import is
done or rejected, and a checked file nobody confirms within a day is deleted at the next upload.
The rows of a report (names, cell values) are forgotten 30 days after the import ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.core.concurrency import StaleVersionError
from trama.core.exports import csv_bytes
from trama.exchange.importers import IMPORTERS, ImporterKind
from trama.exchange.importers.base import ERROR, MAX_FILE_BYTES, FileProblem, Plan, Progress, read_table
from trama.exchange.models import ImportRun
from trama.jobs.services import job_start
from trama.territory.models import Programme

CHECK_JOB, IMPORT_JOB = "import-check", "import-apply"
KEEP_UNCONFIRMED = timedelta(days=1)
KEEP_REPORTS = timedelta(days=30)
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")


def importer_for(actor: User, programme: Programme, kind: str) -> ImporterKind:
    importer = IMPORTERS.get(kind)
    if importer is None or not importer.allowed(actor, programme):
        raise PermissionDenied
    return importer


def may_import(user: User, programme: Programme) -> bool:
    return any(importer.allowed(user, programme) for importer in IMPORTERS.values())


def _forget_upload(run: ImportRun) -> None:
    if run.upload:
        run.upload.delete(save=False)
        run.upload = ""


def _expire_unconfirmed(programme: Programme) -> None:
    """Delete the files nobody confirmed within a day, and forget the rows (names, cell values) of
    the reports of imports finished more than KEEP_REPORTS ago: only their counts stay."""
    finished = (ImportRun.Status.IMPORTED, ImportRun.Status.REJECTED, ImportRun.Status.FAILED, ImportRun.Status.EXPIRED)
    ImportRun.objects.filter(
        programme=programme, status__in=finished, updated_at__lt=timezone.now() - KEEP_REPORTS
    ).update(outcomes=[], errors=[])
    stale = ImportRun.objects.filter(
        programme=programme, status=ImportRun.Status.CHECKED, updated_at__lt=timezone.now() - KEEP_UNCONFIRMED
    )
    for run in stale:
        _forget_upload(run)
        run.status = ImportRun.Status.EXPIRED
        run.save(update_fields=["upload", "status", "updated_at"])


def import_start(*, actor: User, programme: Programme, kind: str, upload: UploadedFile) -> ImportRun:
    """Keep the file privately and start checking it (the dry run)."""
    importer_for(actor, programme, kind)
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError({"file": _("Upload the file as CSV or XLSX (Excel, LibreOffice).")})
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": _("The file is too large: the limit is 30 MB.")})
    _expire_unconfirmed(programme)
    with transaction.atomic():
        run = ImportRun(programme=programme, owner=actor, kind=kind, filename=name)
        run.upload.save(f"{run.public_id}.{name.rsplit('.', 1)[-1].lower()}", ContentFile(upload.read()), save=False)
        run.save()
        audit_record(action=AuditEvent.Action.CREATE, actor=actor, programme=programme, target=run, reason=kind)
    run.job = job_start(actor=actor, programme=programme, kind=CHECK_JOB, params={"import": str(run.public_id)})
    ImportRun.objects.filter(pk=run.pk).update(job=run.job)
    run.refresh_from_db()
    return run


def import_confirm(*, actor: User, run: ImportRun) -> ImportRun:
    """Import a checked file: it is checked again as it is imported, against the data of now."""
    importer_for(actor, run.programme, run.kind)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.owner_id != actor.pk:
            raise PermissionDenied
        if locked.status != ImportRun.Status.CHECKED:
            raise ValidationError(_("This file is not waiting for confirmation."))
        locked.status = ImportRun.Status.IMPORTING
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE, actor=actor, programme=run.programme, target=run, reason="confirm"
        )
    job = job_start(actor=actor, programme=run.programme, kind=IMPORT_JOB, params={"import": str(run.public_id)})
    ImportRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


# --- What the jobs run ---------------------------------------------------------------------


def _plan(run: ImportRun, importer: ImporterKind, progress: Progress) -> Plan:
    progress(1, _("Reading the file"))
    with run.upload.open("rb") as handle:
        content = handle.read()
    rows = read_table(content, run.filename, importer.columns)
    return importer.plan(actor=run.owner, programme=run.programme, rows=rows, progress=progress)


def _store(run: ImportRun, plan: Plan | None, status: str, problem: str = "") -> None:
    run.status, run.problem = status, problem[:500]
    if plan is not None:
        run.counts = plan.counts()
        run.outcomes = [list(outcome) for outcome in plan.outcomes]
        run.errors = [[error.row, error.column, error.value, error.reason] for error in plan.errors]
    if status != ImportRun.Status.CHECKED:
        _forget_upload(run)
    run.save(update_fields=["status", "problem", "counts", "outcomes", "errors", "upload", "updated_at"])


def _failed(run: ImportRun) -> None:
    """An unexpected error (the job records its type): the import is over, its file deleted."""
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, updated_at=timezone.now())
    if run.upload:
        run.upload.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(upload="")


def import_check_run(run: ImportRun, progress: Progress) -> bytes:
    """The dry run: every row's outcome, nothing written. Returns the report (CSV)."""
    try:
        return _check(run, progress)
    except Exception:
        _failed(run)
        raise


def import_apply_run(run: ImportRun, progress: Progress) -> bytes:
    """The import itself: checked again, then written in one transaction, or not at all."""
    try:
        return _apply(run, progress)
    except Exception:
        _failed(run)
        raise


def _check(run: ImportRun, progress: Progress) -> bytes:
    importer = importer_for(run.owner, run.programme, run.kind)
    try:
        plan = _plan(run, importer, progress)
    except FileProblem as problem:
        _store(run, None, ImportRun.Status.REJECTED, problem.message)
        return report_csv(run)
    _store(run, plan, ImportRun.Status.REJECTED if plan.errors else ImportRun.Status.CHECKED)
    return report_csv(run)


def _apply(run: ImportRun, progress: Progress) -> bytes:
    importer = importer_for(run.owner, run.programme, run.kind)
    try:
        plan = _plan(run, importer, progress)
    except FileProblem as problem:
        _store(run, None, ImportRun.Status.REJECTED, problem.message)
        return report_csv(run)
    if plan.errors:
        _store(run, plan, ImportRun.Status.REJECTED)
        return report_csv(run)
    progress(90, _("Writing"))
    try:
        importer.apply(actor=run.owner, programme=run.programme, plan=plan)
    except (ValidationError, StaleVersionError, IntegrityError):
        # Someone changed the same records between the check and now: nothing was written.
        _store(
            run,
            plan,
            ImportRun.Status.REJECTED,
            _(
                "The programme's data changed while the file was being imported: nothing was imported. "
                "Upload it again to check it against the current data."
            ),
        )
        return report_csv(run)
    _store(run, plan, ImportRun.Status.IMPORTED)
    return report_csv(run)


def report_rows(run: ImportRun) -> list[list[Any]]:
    """Every row with its outcome, and one line for each bad cell (row, column, value, reason)."""
    errors: dict[int, list[list[Any]]] = {}
    for row, column, value, reason in run.errors:
        errors.setdefault(row, []).append([column, value, reason])
    labels = dict(ImportRun.OUTCOME_LABELS)
    lines = []
    for row, outcome, label in run.outcomes:
        if outcome == ERROR:
            lines.extend([row, str(labels[outcome]), label, *error] for error in errors.get(row, []))
        else:
            lines.append([row, str(labels[outcome]), label, "", "", ""])
    return lines


def report_csv(run: ImportRun) -> bytes:
    header = [_("Row"), _("Outcome"), _("Record"), _("Column"), _("Value"), _("Reason")]
    if run.problem:
        return csv_bytes([_("Problem with the file")], [[run.problem]])
    return csv_bytes(header, report_rows(run))
