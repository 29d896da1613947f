"""The programme view of the pacts: aggregates only (no person is named), for coordinators,
evaluators and funders; and its XLSX export (S19: formula-safe, audited)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.pacts import exports, selectors
from trama.pacts.permissions import OVERVIEW_ROLES


@programme_view(*OVERVIEW_ROLES)
def programme_overview(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    overview = selectors.programme_overview(access.programme)
    return render(request, "pacts/programme.html", {"access": access, "overview": overview})


@programme_view(*OVERVIEW_ROLES)
def programme_overview_xlsx(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The same figures as a workbook. The file is built before the audit row, so a slow build
    never holds the write transaction and no file leaves if the audit write fails."""
    content = exports.overview_xlsx(access.programme, selectors.programme_overview(access.programme))
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=request.user, request=request, programme=access.programme,
            membership=access.membership_for(*OVERVIEW_ROLES), target=access.programme, reason="pacts overview (XLSX)",
        )  # fmt: skip
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="patti-{access.programme.slug}-{day}.xlsx"'
    return response
