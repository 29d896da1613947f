"""Referrals: the only way a household's data crosses to another organisation (S5).

Creating one checks the matching consent: a referral to a partner organisation, or to a place run
by one, needs the person's active consent to sharing with *that* organisation (for a child under
14, given by a guardian and recorded on the child's consent) — unless a coordinator overrides with
a reason, which is stored on the referral and audited.

Then the state machine of `Referral.TRANSITIONS` (DESIGN.md): pending → accepted | rejected (with
a reason) → completed, and revoked from pending or accepted. Each transition locks the row, writes
a `ReferralTransition` and an audit row in one transaction. The receiving organisation's operators
and lab managers decide; the referring case team or a coordinator revokes. For a citizen group or
an external service — nobody in Trama answers for them — the case team records the answer.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.models import Case, CaseTeamMember, Referral, ReferralTransition
from trama.casework.services.assessments import acting_on_case
from trama.core.concurrency import StaleVersionError
from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership
from trama.people.models import CONSENT_AGE, Consent, HouseholdMember, Person
from trama.people.selectors import active_consent

Status = Referral.Status
Kind = Referral.TargetKind
DECISIONS = (Status.ACCEPTED, Status.REJECTED, Status.COMPLETED)


def sharing_consent(person: Person, organisation: Organisation) -> Consent | None:
    """The person's consent in force today to share their data with `organisation`. For a child
    under 14 only a guardian's consent counts (S7)."""
    consent = active_consent(person, Consent.Purpose.SHARING, partner=organisation)
    if consent is None:
        return None
    age = person.age(consent.given_on)
    if age is not None and age < CONSENT_AGE and consent.given_by != Consent.GivenBy.GUARDIAN:
        return None
    return consent


def _receiving(
    target_kind: str, place: CommunityPlace | None, organisation: Organisation | None
) -> Organisation | None:
    if target_kind == Kind.ORGANISATION:
        return organisation
    if target_kind == Kind.PLACE and place is not None:
        return place.managing_organisation
    return None


def _check_target(  # noqa: PLR0917 (one argument per target kind)
    case: Case,
    target_kind: str,
    place: CommunityPlace | None,
    group: CitizenGroup | None,
    organisation: Organisation | None,
    external_service: str,
) -> None:
    programme_id = case.programme_id
    if target_kind == Kind.PLACE and (place is None or place.programme_id != programme_id):
        raise ValidationError({"target_place": _("Choose a community place of this programme.")})
    if target_kind == Kind.GROUP and (group is None or group.programme_id != programme_id):
        raise ValidationError({"target_group": _("Choose a citizen group of this programme.")})
    if target_kind == Kind.ORGANISATION and (
        organisation is None
        or not Partnership.objects.filter(programme=programme_id, organisation=organisation).exists()
    ):
        raise ValidationError({"target_organisation": _("Choose an organisation of this programme's network.")})
    if target_kind == Kind.EXTERNAL and not external_service.strip():
        raise ValidationError({"external_service": _("Name the external service.")})
    if target_kind not in Kind.values:
        raise ValidationError({"target_kind": _("Choose where the person is referred to.")})


def referral_create(
    *,
    actor: User | None,
    case: Case,
    person: Person,
    target_kind: str,
    service: str,
    reason: str = "",
    target_place: CommunityPlace | None = None,
    target_group: CitizenGroup | None = None,
    target_organisation: Organisation | None = None,
    external_service: str = "",
    override_reason: str = "",
    created_by: User | None = None,
) -> Referral:
    """Refer a member of the case's household. Refused (nothing saved) without the matching
    consent, unless a coordinator overrides it with a reason."""
    override_reason = override_reason.strip()
    with transaction.atomic():
        membership = acting_on_case(actor, case)
        if case.status != Case.Status.OPEN:
            raise ValidationError(_("The case is closed: reopen it before referring someone."))
        if not HouseholdMember.objects.filter(household=case.household_id, person=person).exists():
            raise ValidationError({"person": _("Choose a member of the household.")})
        _check_target(case, target_kind, target_place, target_group, target_organisation, external_service)
        sender = _sending_organisation(actor, case)
        receiver = _receiving(target_kind, target_place, target_organisation)
        stored_override = ""
        if receiver is not None and receiver.pk != sender.pk and sharing_consent(person, receiver) is None:
            if not override_reason:
                raise ValidationError(
                    {"person": _(
                        "%(person)s has not consented to sharing their data with %(organisation)s (or the consent "
                        "has expired or was withdrawn). Record the consent first, or ask a coordinator to override "
                        "it with a reason."
                    ) % {"person": person, "organisation": receiver.name}}
                )  # fmt: skip
            if actor is not None and (membership is None or membership.role != Role.COORDINATOR):
                raise ValidationError({"override_reason": _("Only a coordinator can override a missing consent.")})
            stored_override = override_reason
        referral = Referral(
            programme=case.programme,
            case=case,
            person=person,
            from_organisation=sender,
            target_kind=target_kind,
            target_place=target_place if target_kind == Kind.PLACE else None,
            target_group=target_group if target_kind == Kind.GROUP else None,
            target_organisation=target_organisation if target_kind == Kind.ORGANISATION else None,
            external_service=external_service.strip() if target_kind == Kind.EXTERNAL else "",
            service=service,
            reason=reason,
            consent_override=stored_override,
            created_by=actor or created_by or _case_lead(case),
        )
        referral.full_clean()
        referral.save()
        ReferralTransition.objects.create(
            referral=referral, from_status="", to_status=Status.PENDING, by=referral.created_by
        )
        audit_record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            membership=membership,
            programme=case.programme,
            target=referral,
            reason=_("consent overridden by the coordinator: %(reason)s") % {"reason": stored_override}
            if stored_override
            else "",
        )
    return referral


def _sending_organisation(actor: User | None, case: Case) -> Organisation:
    """The organisation the referral comes from: the author's on the case team, else the case's."""
    if actor is not None:
        team = CaseTeamMember.objects.filter(case=case, user=actor).select_related("organisation").first()
        if team is not None:
            return team.organisation
    return case.organisation


def _case_lead(case: Case) -> User:
    lead = case.team.select_related("user").order_by("-is_lead", "created_at").first()
    if lead is None:
        raise ValidationError(_("The case has no team to send the referral."))
    return lead.user


# --- Transitions -----------------------------------------------------------------------------------


def _acting_on_transition(actor: User | None, referral: Referral, to_status: str) -> Membership | None:
    """Who may move `referral` to `to_status`; PermissionDenied for anyone else."""
    if actor is None:
        return None
    memberships = list(Membership.objects.active().filter(user=actor, programme=referral.programme_id))
    on_team = CaseTeamMember.objects.filter(case=referral.case_id, user=actor).exists()
    coordinator = next((m for m in memberships if m.role == Role.COORDINATOR), None)
    if to_status == Status.REVOKED:
        if coordinator is not None:
            return coordinator
        operator = next((m for m in memberships if m.role == Role.OPERATOR), None)
        if on_team and operator is not None:
            return operator
        raise PermissionDenied
    receiver = referral.receiving_organisation
    if receiver is not None:
        deciding = next(
            (
                m
                for m in memberships
                if m.organisation_id == receiver.pk and m.role in (Role.OPERATOR, Role.LAB_MANAGER)
            ),
            None,
        )
        if deciding is None:
            raise PermissionDenied
        return deciding
    # A citizen group or an external service: the case team (or a coordinator) records the answer.
    if coordinator is not None:
        return coordinator
    operator = next((m for m in memberships if m.role == Role.OPERATOR), None)
    if on_team and operator is not None:
        return operator
    raise PermissionDenied


def referral_transition(
    *,
    actor: User | None,
    referral: Referral,
    to_status: str,
    reason: str = "",
    expected_version: int | None = None,
    by: User | None = None,
) -> Referral:
    """Move `referral` along the state machine, under a row lock. An invalid transition (e.g.
    completing a rejected referral, or accepting one twice) is refused with a clear message."""
    reason = reason.strip()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("programme", "target_place", "target_organisation")
            .get(pk=referral.pk)
        )
        membership = _acting_on_transition(actor, referral, to_status)
        if expected_version is not None and referral.version != expected_version:
            raise StaleVersionError
        if to_status not in Referral.TRANSITIONS.get(referral.status, set()):
            raise ValidationError(
                _("A referral that is %(current)s cannot become %(next)s.")
                % {"current": Status(referral.status).label, "next": _status_label(to_status)}
            )
        if to_status == Status.REJECTED and not reason:
            raise ValidationError({"reason": _("Say why the referral is rejected.")})
        previous = referral.status
        referral.status = to_status
        referral.status_reason = reason
        referral.version += 1
        referral.save(update_fields=["status", "status_reason", "version", "updated_at"])
        ReferralTransition.objects.create(
            referral=referral, from_status=previous, to_status=to_status, by=actor or by or referral.created_by,
            reason=reason,
        )  # fmt: skip
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            membership=membership,
            programme=referral.programme,
            target=referral,
            reason=f"referral {previous} → {to_status}" + (f": {reason}" if reason else ""),
        )
    return referral


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def referral_accept(*, actor: User | None, referral: Referral, expected_version: int | None = None) -> Referral:
    return referral_transition(
        actor=actor, referral=referral, to_status=Status.ACCEPTED, expected_version=expected_version
    )


def referral_reject(
    *, actor: User | None, referral: Referral, reason: str, expected_version: int | None = None
) -> Referral:
    return referral_transition(
        actor=actor, referral=referral, to_status=Status.REJECTED, reason=reason, expected_version=expected_version
    )


def referral_complete(
    *, actor: User | None, referral: Referral, reason: str = "", expected_version: int | None = None
) -> Referral:
    return referral_transition(
        actor=actor, referral=referral, to_status=Status.COMPLETED, reason=reason, expected_version=expected_version
    )


def referral_revoke(
    *, actor: User | None, referral: Referral, reason: str = "", expected_version: int | None = None
) -> Referral:
    return referral_transition(
        actor=actor, referral=referral, to_status=Status.REVOKED, reason=reason, expected_version=expected_version
    )
