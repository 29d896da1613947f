"""Needs assessments: the eight dimensions scored 1–5, repeated over time to show change.

The case team and the programme's coordinators record them; their notes are encrypted (S6) and
read by the case team only.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.models import Assessment, AssessmentScore, Case, CaseTeamMember


def acting_on_case(actor: User | None, case: Case) -> Membership | None:
    """The membership through which `actor` writes to `case`: a coordinator of its programme, or
    an operator on its team. `None` is the system (the demo loader). Anyone else: PermissionDenied."""
    if actor is None:
        return None
    memberships = list(
        Membership.objects.active()
        .filter(user=actor, programme=case.programme_id, role__in=(Role.COORDINATOR, Role.OPERATOR))
        .select_related("organisation")
    )
    coordinator = next((m for m in memberships if m.role == Role.COORDINATOR), None)
    if coordinator is not None:
        return coordinator
    team = CaseTeamMember.objects.filter(case=case, user=actor).first()
    if team is None or not memberships:
        raise PermissionDenied
    return next((m for m in memberships if m.organisation_id == team.organisation_id), memberships[0])


def assessment_create(
    *,
    actor: User | None,
    case: Case,
    assessed_on: date,
    scores: dict[str, int],
    notes: dict[str, str] | None = None,
    note: str = "",
) -> Assessment:
    """Record an assessment of all eight dimensions. A missing dimension or a score outside 1–5
    is refused and nothing is saved."""
    notes = notes or {}
    with transaction.atomic():
        membership = acting_on_case(actor, case)
        errors = {}
        missing = [d.label for d in Assessment.Dimension if d.value not in scores]
        if missing:
            errors["__all__"] = _("Score every dimension: %(missing)s.") % {"missing": ", ".join(map(str, missing))}
        unknown = set(scores) - set(Assessment.Dimension.values)
        if unknown:
            errors["__all__"] = _("Unknown dimension.")
        if any(not isinstance(value, int) or not 1 <= value <= 5 for value in scores.values()):
            errors["__all__"] = _("Each score goes from 1 (serious difficulty) to 5 (no difficulty).")
        if assessed_on > timezone.localdate():
            errors["assessed_on"] = _("An assessment cannot be dated in the future.")
        if errors:
            raise ValidationError(errors)
        assessment = Assessment.objects.create(
            case=case, assessed_on=assessed_on, assessed_by=actor or _system_author(case), note=note
        )
        AssessmentScore.objects.bulk_create(
            AssessmentScore(assessment=assessment, dimension=dimension, score=value, note=notes.get(dimension, ""))
            for dimension, value in scores.items()
        )
        audit_record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            membership=membership,
            programme=case.programme,
            target=assessment,
        )
    return assessment


def _system_author(case: Case) -> User:
    """The demo loader records assessments in the name of the case lead."""
    lead = case.team.select_related("user").order_by("-is_lead", "created_at").first()
    if lead is None:
        raise ValidationError(_("The case has no team to record the assessment."))
    return lead.user
