"""Needs assessments of a case: record one, read one (notes for the case team only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.delivery_forms import AssessmentForm
from trama.casework.models import Assessment, Case
from trama.casework.permissions import get_case_for_user, is_case_team_member
from trama.casework.selectors.delivery import can_work_on_case, get_assessment_for_case
from trama.casework.services.assessments import assessment_create
from trama.core.forms import add_service_errors as apply_errors

CASE_ROLES = (Role.OPERATOR, Role.COORDINATOR)


def case_url(access: ProgrammeAccess, case: Case, anchor: str = "") -> str:
    """The case page (owned by the cases side of casework), at the section of `anchor`."""
    url = reverse("casework:case-detail", kwargs={"slug": access.programme.slug, "case_id": case.public_id})
    return f"{url}#{anchor}" if anchor else url


@programme_view(*CASE_ROLES)
def assessment_create_view(request: HttpRequest, access: ProgrammeAccess, case_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    if not can_work_on_case(request.user, case):
        raise PermissionDenied
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_create(
                actor=request.user,
                case=case,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                notes=form.notes(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The assessment has been recorded."))
            return redirect(case_url(access, case, "assessments"))
    return render(request, "casework/assessment_form.html", {"access": access, "case": case, "form": form})


@programme_view(*CASE_ROLES)
def assessment_detail(request: HttpRequest, access: ProgrammeAccess, case_id: str, assessment_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    assessment = get_assessment_for_case(case, assessment_id)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ, actor=request.user, request=request, programme=access.programme,
            target=assessment,
        )  # fmt: skip
    scores = {score.dimension: score for score in assessment.scores.all()}
    rows = [(dimension.label, scores.get(dimension.value)) for dimension in Assessment.Dimension]
    return render(
        request,
        "casework/assessment_detail.html",
        {
            "access": access,
            "case": case,
            "case_url": case_url(access, case, "assessments"),
            "assessment": assessment,
            "rows": rows,
            "can_read_notes": is_case_team_member(request.user, case),
        },
    )
