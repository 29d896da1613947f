"""Writes about a case: opening it, its phases, its fields, its team, closing and reopening.

Every function is keyword-only and atomic, checks inside that the actor may make the change, and
writes its audit row in the same transaction (S10). `actor=None` is the system itself (the demo
loader). Who may write a case: the coordinators of its programme and the operators on its team;
team changes are for coordinators and the case lead. Supervisors read, they do not write.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import acting_coordinator
from trama.casework.models import Case, CasePhaseChange, CaseTeamMember, Channel
from trama.core.concurrency import save_versioned
from trama.network.models import Organisation, Partnership
from trama.people.models import Household
from trama.territory.models import ActionLine, Programme

PHASE_ORDER = [phase.value for phase in Case.Phase]


def _active(user: User, programme: Programme) -> list[Membership]:
    return list(Membership.objects.active().filter(user=user, programme=programme).select_related("organisation"))


def writer_membership(actor: User | None, case: Case) -> Membership | None:
    """The membership through which `actor` may change `case`, or PermissionDenied.

    Coordinators of the programme, and operators on the case team. `None` for the system.
    """
    if actor is None:
        return None
    memberships = _active(actor, case.programme)
    coordinator = next((m for m in memberships if m.role == Role.COORDINATOR), None)
    if coordinator is not None:
        return coordinator
    operators = [m for m in memberships if m.role == Role.OPERATOR]
    team = CaseTeamMember.objects.filter(case=case, user=actor).first()
    if not operators or team is None:
        raise PermissionDenied
    return next((m for m in operators if m.organisation_id == team.organisation_id), operators[0])


def team_manager_membership(actor: User | None, case: Case) -> Membership | None:
    """Team changes are for coordinators and the case lead."""
    membership = writer_membership(actor, case)
    if membership is None or membership.role == Role.COORDINATOR:
        return membership
    if not CaseTeamMember.objects.filter(case=case, user=actor, is_lead=True).exists():
        raise PermissionDenied
    return membership


def _audit(actor: User | None, membership: Membership | None, case: Case, action: str, reason: str = "") -> None:
    audit_record(
        action=action, actor=actor, membership=membership, programme=case.programme, target=case, reason=reason
    )


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("programme").get(pk=case.pk)


def is_programme_partner(programme: Programme, organisation: Organisation) -> bool:
    return Partnership.objects.filter(programme=programme, organisation=organisation).exists()


def operator_membership(
    programme: Programme, user: User, organisation: Organisation | None = None
) -> Membership | None:
    """The active operator membership of `user` in `programme` (for `organisation` if given)."""
    memberships = Membership.objects.active().filter(user=user, programme=programme, role=Role.OPERATOR)
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return memberships.select_related("organisation").order_by("created_at").first()


def _check_case_fields(programme: Programme, organisation: Organisation, action_line: ActionLine | None) -> None:
    if not is_programme_partner(programme, organisation):
        raise ValidationError({"organisation": _("Choose an organisation of the programme's network.")})
    if action_line is not None and action_line.programme_id != programme.pk:
        raise ValidationError({"action_line": _("Choose an action line of this programme.")})


def case_open(
    *,
    actor: User | None,
    programme: Programme,
    household: Household,
    organisation: Organisation,
    lead: User,
    referral_source: str = Channel.OTHER,
    action_line: ActionLine | None = None,
    opened_on: date | None = None,
) -> Case:
    """Open a case (phase A) for `household`, in the charge of `organisation`, with `lead` (an
    active operator of that organisation in the programme) as case lead. Coordinators only."""
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        if household.programme_id != programme.pk:
            raise PermissionDenied
        _check_case_fields(programme, organisation, action_line)
        if operator_membership(programme, lead, organisation) is None:
            raise ValidationError(
                {"lead": _("The case lead must be an active operator of the organisation in charge.")}
            )
        household = Household.objects.select_for_update().get(pk=household.pk)
        if Case.objects.filter(household=household, status=Case.Status.OPEN).exists():
            raise ValidationError(_("This household already has an open case: add to that case instead."))
        if referral_source not in Channel.values:
            raise ValidationError({"referral_source": _("Choose how the household arrived.")})
        case = Case.objects.create(
            programme=programme,
            household=household,
            organisation=organisation,
            action_line=action_line,
            referral_source=referral_source,
            opened_on=opened_on or timezone.localdate(),
        )
        CaseTeamMember.objects.create(case=case, user=lead, organisation=organisation, is_lead=True)
        CasePhaseChange.objects.create(
            case=case, to_phase=case.phase, to_status=case.status, changed_by=actor, note=_("Case opened")
        )
        _audit(actor, acting, case, AuditEvent.Action.CREATE)
    return case


def case_move_phase(*, actor: User | None, case: Case, expected_version: int, to_phase: str, note: str = "") -> Case:
    """Move an open case to another phase. Forward needs no reason; going back does."""
    with transaction.atomic():
        membership = writer_membership(actor, case)
        case = _locked(case)
        if case.status != Case.Status.OPEN:
            raise ValidationError(_("A closed case does not change phase: reopen it first."))
        if to_phase not in PHASE_ORDER or to_phase == case.phase:
            raise ValidationError({"to_phase": _("Choose a phase different from the current one.")})
        if PHASE_ORDER.index(to_phase) < PHASE_ORDER.index(case.phase) and not note.strip():
            raise ValidationError({"note": _("Say why the case goes back to an earlier phase.")})
        from_phase = case.phase
        case.phase = to_phase
        save_versioned(case, expected_version=expected_version, update_fields=["phase"])
        CasePhaseChange.objects.create(
            case=case, from_phase=from_phase, to_phase=to_phase, from_status=case.status, to_status=case.status,
            changed_by=actor, note=note.strip(),
        )  # fmt: skip
        _audit(actor, membership, case, AuditEvent.Action.UPDATE, reason=f"phase {from_phase}->{to_phase}")
    return case


def case_update(
    *,
    actor: User | None,
    case: Case,
    expected_version: int,
    organisation: Organisation,
    action_line: ActionLine | None,
) -> Case:
    """Edit the organisation in charge and the action line (S4: nothing else through this form).
    Raises StaleVersionError when someone saved the case since `expected_version` (S21)."""
    with transaction.atomic():
        membership = writer_membership(actor, case)
        case = _locked(case)
        _check_case_fields(case.programme, organisation, action_line)
        values = {"organisation": organisation, "action_line": action_line}
        changed = [name for name, value in values.items() if getattr(case, name) != value]
        for name in changed:
            setattr(case, name, values[name])
        save_versioned(case, expected_version=expected_version, update_fields=changed)
        _audit(actor, membership, case, AuditEvent.Action.UPDATE, reason="fields=" + ",".join(changed))
    return case


def case_close(
    *,
    actor: User | None,
    case: Case,
    expected_version: int,
    outcome: str,
    closing_note: str,
    closed_on: date | None = None,
) -> Case:
    """Close the case in phase E with its outcome and closing evaluation (encrypted, S6)."""
    with transaction.atomic():
        membership = writer_membership(actor, case)
        case = _locked(case)
        closed_on = closed_on or timezone.localdate()
        if case.status != Case.Status.OPEN:
            raise ValidationError(_("The case is already closed."))
        if outcome not in Case.Outcome.values:
            raise ValidationError({"outcome": _("Choose the outcome of the case.")})
        if closed_on < case.opened_on or closed_on > timezone.localdate():
            raise ValidationError({"closed_on": _("The closing date must be between the opening date and today.")})
        from_phase = case.phase
        case.phase, case.status, case.outcome = Case.Phase.CLOSURE, Case.Status.CLOSED, outcome
        case.closed_on, case.closing_note = closed_on, closing_note.strip()
        save_versioned(
            case,
            expected_version=expected_version,
            update_fields=["phase", "status", "outcome", "closed_on", "closing_note"],
        )
        CasePhaseChange.objects.create(
            case=case, from_phase=from_phase, to_phase=case.phase, from_status=Case.Status.OPEN,
            to_status=Case.Status.CLOSED, changed_by=actor, note=str(Case.Outcome(outcome).label),
        )  # fmt: skip
        _audit(actor, membership, case, AuditEvent.Action.UPDATE, reason=f"closed outcome={outcome}")
    return case


def case_reopen(
    *, actor: User | None, case: Case, expected_version: int, reason: str, to_phase: str = Case.Phase.DELIVERY
) -> Case:
    """Reopen a closed case. The closing stays in the status history and in the case's history
    (django-simple-history); the open case gets no outcome until it is closed again."""
    with transaction.atomic():
        membership = writer_membership(actor, case)
        case = _locked(case)
        if case.status != Case.Status.CLOSED:
            raise ValidationError(_("The case is open already."))
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the case is reopened.")})
        if to_phase not in PHASE_ORDER:
            raise ValidationError({"to_phase": _("Choose the phase the case returns to.")})
        case.phase, case.status, case.outcome, case.closed_on, case.closing_note = (
            to_phase, Case.Status.OPEN, "", None, ""
        )  # fmt: skip
        save_versioned(
            case,
            expected_version=expected_version,
            update_fields=["phase", "status", "outcome", "closed_on", "closing_note"],
        )
        CasePhaseChange.objects.create(
            case=case, from_phase=Case.Phase.CLOSURE, to_phase=to_phase, from_status=Case.Status.CLOSED,
            to_status=Case.Status.OPEN, changed_by=actor, note=reason.strip(),
        )  # fmt: skip
        _audit(actor, membership, case, AuditEvent.Action.UPDATE, reason="reopened")
    return case


# --- The case team ------------------------------------------------------------------------


def _demote_lead(case: Case) -> None:
    """The current lead stays on the team as a member (saved one by one to keep history)."""
    for previous in CaseTeamMember.objects.select_for_update().filter(case=case, is_lead=True):
        previous.is_lead = False
        previous.save(update_fields=["is_lead", "updated_at"])


def case_team_add(*, actor: User | None, case: Case, member: Membership, is_lead: bool = False) -> CaseTeamMember:
    """Put the operator of `member` (a membership of the case's programme, of a partner
    organisation) on the team; with `is_lead`, they become the one case lead."""
    with transaction.atomic():
        acting = team_manager_membership(actor, case)
        case = _locked(case)
        if (
            member.programme_id != case.programme_id
            or member.role != Role.OPERATOR
            or not Membership.objects.active().filter(pk=member.pk).exists()
            or not is_programme_partner(case.programme, member.organisation)
        ):
            raise ValidationError({"member": _("Choose an active operator of a partner organisation.")})
        if CaseTeamMember.objects.filter(case=case, user_id=member.user_id).exists():
            raise ValidationError({"member": _("This operator is already on the team.")})
        if is_lead:
            _demote_lead(case)
        team_member = CaseTeamMember.objects.create(
            case=case, user_id=member.user_id, organisation_id=member.organisation_id, is_lead=is_lead
        )
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=acting, programme=case.programme,
            target=team_member, reason="lead" if is_lead else "",
        )  # fmt: skip
    return team_member


def case_team_set_lead(*, actor: User | None, case: Case, team_member: CaseTeamMember) -> CaseTeamMember:
    """Make `team_member` the case lead; the previous lead stays on the team. Exactly one lead."""
    with transaction.atomic():
        acting = team_manager_membership(actor, case)
        case = _locked(case)
        team_member = CaseTeamMember.objects.select_for_update().get(pk=team_member.pk, case=case)
        if not team_member.is_lead:
            _demote_lead(case)
            team_member.is_lead = True
            team_member.save(update_fields=["is_lead", "updated_at"])
            audit_record(
                action=AuditEvent.Action.UPDATE, actor=actor, membership=acting, programme=case.programme,
                target=team_member, reason="lead",
            )  # fmt: skip
    return team_member


def case_team_remove(*, actor: User | None, case: Case, team_member: CaseTeamMember) -> None:
    """Take an operator off the team. The lead cannot be removed: name another lead first."""
    with transaction.atomic():
        acting = team_manager_membership(actor, case)
        case = _locked(case)
        team_member = CaseTeamMember.objects.select_for_update().get(pk=team_member.pk, case=case)
        if team_member.is_lead:
            raise ValidationError(_("The case lead cannot be removed: make another operator the lead first."))
        audit_record(
            action=AuditEvent.Action.DELETE, actor=actor, membership=acting, programme=case.programme,
            target=team_member,
        )  # fmt: skip
        team_member.delete()
