"""Writes of the intake queue: requests for help from the public form, signals from the people
who work in the programme, and their triage into a case (or their closing with a reason).

The public form never says more than "received": whatever a visitor types is stored once,
encrypted where it is special-category text (S6), and never echoed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import acting_coordinator
from trama.casework.models import Case, Channel, IntakeRequest
from trama.casework.services.cases import case_open
from trama.core.ratelimit import RateLimit
from trama.network.models import Organisation
from trama.people.models import Household, HouseholdMember, Person
from trama.people.permissions import visible_households
from trama.territory.models import ActionLine, Municipality, Programme

# The public form: at most this many submissions per client address and programme per window.
HELP_RATE_LIMIT = 5
HELP_RATE_WINDOW_SECONDS = 60 * 60

# Who may signal a family into the intake queue, and the channels they use.
SIGNAL_ROLES = (Role.OPERATOR, Role.LAB_MANAGER, Role.COORDINATOR)
SIGNAL_CHANNELS = (Channel.SCHOOL, Channel.SOCIAL_SERVICES, Channel.LAB, Channel.PARTNER, Channel.OTHER)


@dataclass(frozen=True)
class Contact:
    """How to reach the family: what the public form and a signal both ask."""

    name: str
    phone: str = ""
    email: str = ""
    municipality: Municipality | None = None
    has_minors: bool = False
    message: str = ""


HELP_RATE = RateLimit("help", HELP_RATE_LIMIT, HELP_RATE_WINDOW_SECONDS)


def help_rate_limited(*, programme: Programme, client_ip: str) -> bool:
    """Whether this address has used up its "I need help" submissions for this programme."""
    return HELP_RATE.exceeded(programme=programme, client_ip=client_ip)


def help_rate_count(*, programme: Programme, client_ip: str) -> None:
    """Count one submission (a real one, or one caught by the honeypot)."""
    HELP_RATE.count(programme=programme, client_ip=client_ip)


def intake_submit_public(*, programme: Programme, contact: Contact) -> IntakeRequest:
    """A request from the public "I need help" form; the person accepted the privacy notice."""
    if not programme.is_public:
        raise PermissionDenied
    if not (contact.phone or contact.email):
        raise ValidationError(_("Give a telephone number or an e-mail address, so that we can contact you."))
    with transaction.atomic():
        request = _create(programme, Channel.PUBLIC_FORM, contact, consent_at=timezone.now())
        audit_record(
            action=AuditEvent.Action.CREATE, actor=None, programme=programme, target=request, reason="public form"
        )
    return request


def _create(programme: Programme, channel: str, contact: Contact, **extra: object) -> IntakeRequest:
    if contact.municipality is not None and not programme.municipalities.filter(pk=contact.municipality.pk).exists():
        raise ValidationError({"municipality": _("Choose a municipality of the programme.")})
    return IntakeRequest.objects.create(
        programme=programme,
        channel=channel,
        contact_name=contact.name.strip(),
        contact_phone=contact.phone.strip(),
        contact_email=contact.email.strip(),
        municipality=contact.municipality,
        has_minors=contact.has_minors,
        message=contact.message.strip(),
        **extra,
    )


def signal_memberships(user: User, programme: Programme) -> list[Membership]:
    """The memberships through which `user` may signal a family (one per organisation)."""
    memberships = (
        Membership.objects.active()
        .filter(user=user, programme=programme, role__in=SIGNAL_ROLES)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    seen: dict[int, Membership] = {}
    for membership in memberships:
        seen.setdefault(membership.organisation_id, membership)
    return list(seen.values())


def intake_signal(
    *,
    actor: User,
    programme: Programme,
    channel: str,
    contact: Contact,
    organisation: Organisation | None = None,
) -> IntakeRequest:
    """A signal from an operator, lab manager or coordinator, for their organisation."""
    with transaction.atomic():
        memberships = signal_memberships(actor, programme)
        membership = next(
            (m for m in memberships if organisation is None or m.organisation_id == organisation.pk), None
        )
        if membership is None:
            raise PermissionDenied
        if channel not in SIGNAL_CHANNELS:
            raise ValidationError({"channel": _("Choose who signals the family.")})
        request = _create(programme, channel, contact, submitted_by=actor, submitted_for=membership.organisation)
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=programme, target=request,
            reason=f"signal channel={channel}",
        )  # fmt: skip
    return request


def _locked_new(request: IntakeRequest) -> IntakeRequest:
    request = IntakeRequest.objects.select_for_update().select_related("programme").get(pk=request.pk)
    if request.status != IntakeRequest.Status.NEW:
        raise ValidationError(_("This request has already been handled."))
    return request


@dataclass(frozen=True)
class NewHousehold:
    """The household a triage creates, with its first member, the family's contact person."""

    label: str
    municipality: Municipality
    first_name: str
    last_name: str


def _household_create(programme: Programme, actor: User | None, request: IntakeRequest, new: NewHousehold) -> Household:
    if not programme.municipalities.filter(pk=new.municipality.pk).exists():
        raise ValidationError({"municipality": _("Choose a municipality of the programme.")})
    household = Household.objects.create(
        programme=programme, label=new.label.strip(), municipality=new.municipality, created_by=actor
    )
    person = Person.objects.create(
        programme=programme,
        first_name=new.first_name.strip(),
        last_name=new.last_name.strip(),
        phone=request.contact_phone,
        email=request.contact_email,
        municipality=new.municipality,
        created_by=actor,
    )
    HouseholdMember.objects.create(household=household, person=person, relation=HouseholdMember.Relation.PARENT)
    household.primary_contact = person
    household.save(update_fields=["primary_contact", "updated_at"])
    for target in (household, person):
        audit_record(action=AuditEvent.Action.CREATE, actor=actor, programme=programme, target=target, reason="triage")
    return household


def intake_triage(
    *,
    actor: User | None,
    request: IntakeRequest,
    organisation: Organisation,
    lead: User,
    household: Household | None = None,
    new_household: NewHousehold | None = None,
    action_line: ActionLine | None = None,
    opened_on: date | None = None,
) -> Case:
    """Open a case from a request: for an existing household the coordinator may see, or for a
    new one created with the family's contact person as first member. Coordinators only."""
    with transaction.atomic():
        programme = request.programme
        acting = acting_coordinator(actor, programme)
        request = _locked_new(request)
        if household is not None:
            if actor is not None and not visible_households(actor, programme).filter(pk=household.pk).exists():
                raise PermissionDenied
        elif new_household is not None:
            household = _household_create(programme, actor, request, new_household)
        else:
            raise ValidationError(_("Choose an existing household or describe a new one."))
        case = case_open(
            actor=actor, programme=programme, household=household, organisation=organisation, lead=lead,
            referral_source=request.channel, action_line=action_line, opened_on=opened_on,
        )  # fmt: skip
        request.status, request.case = IntakeRequest.Status.CASE_OPENED, case
        request.save(update_fields=["status", "case", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE, actor=actor, membership=acting, programme=programme, target=request,
            reason="case opened",
        )  # fmt: skip
    return case


def intake_close(*, actor: User | None, request: IntakeRequest, reason: str) -> IntakeRequest:
    """Close a request without a case; the reason is mandatory. Coordinators only."""
    with transaction.atomic():
        acting = acting_coordinator(actor, request.programme)
        request = _locked_new(request)
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the request is closed without a case.")})
        request.status, request.closed_reason = IntakeRequest.Status.CLOSED, reason.strip()[:300]
        request.save(update_fields=["status", "closed_reason", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE, actor=actor, membership=acting, programme=request.programme,
            target=request, reason="closed without a case",
        )  # fmt: skip
    return request
