"""Writes of mutual aid: the citizens who ask or offer, requests and offers. The life of a match is in
`trama.mutualaid.services.matches`.

Every function is keyword-only, atomic, audited and checks permission itself
(`trama.mutualaid.permissions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.models import Case
from trama.casework.permissions import visible_cases
from trama.mutualaid.models import (
    Category,
    Language,
    Match,
    MutualAidOffer,
    MutualAidRequest,
    OfferAvailability,
    Urgency,
    Volunteer,
    encode_codes,
)
from trama.mutualaid.permissions import memberships, offer_staff, request_staff
from trama.mutualaid.services.volunteers import Slot, check_slots
from trama.network.models import CitizenGroup, _validate_in_italy
from trama.people.models import Household, Person
from trama.territory.models import Municipality, Programme

REQUEST_FIELDS = (
    "category", "summary", "details", "municipality", "address", "latitude", "longitude", "starts_at", "ends_at",
    "urgency", "language",
)  # fmt: skip
OFFER_FIELDS = (
    "category", "description", "municipality", "latitude", "longitude", "max_distance_km", "is_active", "away_from",
    "away_until",
)  # fmt: skip
MAX_DISTANCE_KM = 30


@dataclass(frozen=True)
class Party:
    """Who asks or offers: exactly one of a household, a person, a group, a volunteer."""

    household: Household | None = None
    person: Person | None = None
    group: CitizenGroup | None = None
    volunteer: Volunteer | None = None

    def __post_init__(self) -> None:
        if sum(value is not None for value in (self.household, self.person, self.group, self.volunteer)) != 1:
            raise ValueError("a party is exactly one of household, person, group, volunteer")


def _audit(
    actor: User | None, membership: Membership | None, programme: Programme, target: Any, action: str, *,
    reason: str = "",
) -> None:  # fmt: skip
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target, reason=reason)


def _place(programme: Programme, fields: dict[str, Any]) -> None:
    """The location inside the programme's territory and inside Italy; without coordinates, the
    centre of the municipality (the matching engine needs a point)."""
    municipality: Municipality | None = fields.get("municipality")
    if municipality is None:
        raise ValidationError({"municipality": _("Choose the municipality.")})
    if not programme.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError({"municipality": _("Choose a municipality of the programme.")})
    latitude, longitude = fields.get("latitude"), fields.get("longitude")
    if latitude is None and longitude is None:
        latitude, longitude = municipality.latitude, municipality.longitude
        if latitude is None or longitude is None:
            raise ValidationError({"latitude": _("Give the coordinates: the municipality has no centre on record.")})
    _validate_in_italy(
        Decimal(str(latitude)) if latitude is not None else None,
        Decimal(str(longitude)) if longitude is not None else None,
    )
    fields["latitude"] = Decimal(str(latitude)).quantize(Decimal("0.00001"))
    fields["longitude"] = Decimal(str(longitude)).quantize(Decimal("0.00001"))


# --- Citizens -------------------------------------------------------------------------------------


def citizen_contact(
    *,
    actor: User | None,
    programme: Programme,
    first_name: str,
    last_name: str,
    birth_date: date | None = None,
    phone: str = "",
) -> Person:
    """The citizen who asks or offers: the programme's record with this name and date of birth
    (a beneficiary who now offers help stays the same person), or a new contact."""
    offer_staff(actor, programme)
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise ValidationError({"citizen_first_name": _("Give the citizen's name.")})
    with transaction.atomic():
        if birth_date is not None:
            known = (
                Person.objects.filter(
                    programme=programme, first_name__iexact=first_name, last_name__iexact=last_name,
                    birth_date=birth_date, erased_at__isnull=True, is_restricted=False,
                )
                .order_by("pk")
                .first()
            )  # fmt: skip
            if known is not None:
                return known
        person = Person(
            programme=programme, first_name=first_name, last_name=last_name, birth_date=birth_date,
            phone=phone.strip(), created_by=actor,
        )  # fmt: skip
        person.full_clean()
        person.save()
        audit_record(action=AuditEvent.Action.CREATE, actor=actor, programme=programme, target=person)
    return person


# --- Requests -------------------------------------------------------------------------------------


def _check_requester(actor: User | None, programme: Programme, requester: Party) -> None:
    if requester.volunteer is not None:
        raise ValidationError(_("A request comes from a household, a citizen or a group."))
    if requester.household is not None:
        household = requester.household
        open_cases = Case.objects.filter(household=household, status=Case.Status.OPEN)
        if actor is not None:
            open_cases = open_cases.filter(pk__in=visible_cases(actor, programme).values("pk"))
        if household.programme_id != programme.pk or not open_cases.exists():
            raise ValidationError({"household": _("Choose a household followed by an open case.")})
    if requester.person is not None:
        person = requester.person
        if person.programme_id != programme.pk or person.erased_at is not None or person.is_restricted:
            raise ValidationError({"person": _("This person's data may not be used.")})
    if requester.group is not None and requester.group.programme_id != programme.pk:
        raise ValidationError({"group": _("Choose a citizen group of the programme.")})


def _creator_membership(actor: User | None, programme: Programme, requester: Party) -> Membership | None:
    """Coordinators and operators ask for anyone they may see; lab managers for citizens and groups
    (a household's request is case data)."""
    if actor is None:
        return None
    found = {m.role: m for m in memberships(actor, programme)}
    allowed = (Role.COORDINATOR, Role.OPERATOR) if requester.household else (Role.COORDINATOR, Role.OPERATOR,
                                                                           Role.LAB_MANAGER)  # fmt: skip
    for role in allowed:
        if role in found:
            return found[role]
    raise PermissionDenied


def _check_request_fields(fields: dict[str, Any]) -> None:
    errors: dict[str, Any] = {}
    if fields.get("category") not in Category.values:
        errors["category"] = _("Choose the kind of help from the list.")
    if not str(fields.get("summary", "")).strip():
        errors["summary"] = _("Say in a few words what is needed (no names or addresses).")
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts is None or ends is None:
        errors["starts_at"] = _("Say when the help is needed.")
    elif ends <= starts:
        errors["ends_at"] = _("The end must come after the start.")
    if fields.get("urgency", Urgency.NORMAL) not in Urgency.values:
        errors["urgency"] = _("Choose the urgency from the list.")
    if fields.get("language", Language.ITALIAN) not in Language.values:
        errors["language"] = _("Choose the language from the list.")
    if errors:
        raise ValidationError(errors)


def request_create(
    *, actor: User | None, programme: Programme, requester: Party, fields: dict[str, Any]
) -> MutualAidRequest:
    """A request for help. A household's request is made by those who follow its case."""
    fields = {name: value for name, value in fields.items() if name in REQUEST_FIELDS}
    _check_request_fields(fields)
    _place(programme, fields)
    with transaction.atomic():
        _check_requester(actor, programme, requester)
        request = MutualAidRequest(
            programme=programme,
            requester_household=requester.household,
            requester_person=requester.person,
            requester_group=requester.group,
            created_by=actor,
            **{**fields, "summary": fields["summary"].strip(), "details": fields.get("details", "").strip()},
        )
        membership = _creator_membership(actor, programme, requester)
        request.full_clean(exclude=["programme"])
        request.save()
        _audit(actor, membership, programme, request, AuditEvent.Action.CREATE)
    return request


def reopen_if_unanswered(request: MutualAidRequest) -> None:
    if (
        request.status == MutualAidRequest.Status.MATCHED
        and not request.matches.filter(status=Match.Status.ACCEPTED).exists()
    ):
        request.status = MutualAidRequest.Status.OPEN
        request.version += 1
        request.save(update_fields=["status", "version", "updated_at"])


def request_cancel(*, actor: User | None, request: MutualAidRequest, reason: str = "") -> MutualAidRequest:
    """Withdraw a request that is no longer needed; its live matches are cancelled with it."""
    with transaction.atomic():
        request = MutualAidRequest.objects.select_for_update().select_related("programme").get(pk=request.pk)
        membership = request_staff(actor, request)
        if request.status in (MutualAidRequest.Status.DONE, MutualAidRequest.Status.CANCELLED):
            raise ValidationError(_("This request is already closed."))
        now = timezone.now()
        request.matches.filter(status__in=Match.LIVE).update(
            status=Match.Status.CANCELLED, closed_at=now, closed_by_side=Match.Side.STAFF,
            closed_reason=_("The request was withdrawn."), version=F("version") + 1, updated_at=now,
        )  # fmt: skip
        request.status = MutualAidRequest.Status.CANCELLED
        request.version += 1
        request.save(update_fields=["status", "version", "updated_at"])
        _audit(
            actor, membership, request.programme, request, AuditEvent.Action.UPDATE, reason=f"cancelled: {reason[:200]}"
        )
    return request


# --- Offers ---------------------------------------------------------------------------------------


def _check_offer_fields(fields: dict[str, Any], languages: Iterable[str]) -> None:
    errors: dict[str, Any] = {}
    if fields.get("category") not in Category.values:
        errors["category"] = _("Choose the kind of help from the list.")
    if not str(fields.get("description", "")).strip():
        errors["description"] = _("Say in a few words what is offered.")
    distance = fields.get("max_distance_km", 5)
    if not isinstance(distance, int) or not 1 <= distance <= MAX_DISTANCE_KM:
        errors["max_distance_km"] = _("Give a distance between 1 and %(max)d km.") % {"max": MAX_DISTANCE_KM}
    if set(languages) - set(Language.values):
        errors["languages"] = _("Choose the languages from the list.")
    away_from, away_until = fields.get("away_from"), fields.get("away_until")
    if away_from and away_until and away_until < away_from:
        errors["away_until"] = _("The end of the absence cannot be before its start.")
    if errors:
        raise ValidationError(errors)


def _check_offerer(programme: Programme, offerer: Party) -> None:
    if offerer.household is not None:
        raise ValidationError(_("An offer comes from a volunteer, a citizen or a group."))
    if offerer.volunteer is not None and (
        offerer.volunteer.programme_id != programme.pk or offerer.volunteer.status != Volunteer.Status.APPROVED
    ):
        raise ValidationError({"volunteer": _("Only approved volunteers of the programme can offer help.")})
    if offerer.person is not None and (
        offerer.person.programme_id != programme.pk
        or offerer.person.erased_at is not None
        or offerer.person.is_restricted
    ):
        raise ValidationError({"person": _("This person's data may not be used.")})
    if offerer.group is not None and offerer.group.programme_id != programme.pk:
        raise ValidationError({"group": _("Choose a citizen group of the programme.")})


def _replace_offer_slots(offer: MutualAidOffer, slots: list[Slot]) -> None:
    offer.availability.all().delete()
    OfferAvailability.objects.bulk_create(
        [
            OfferAvailability(offer=offer, weekday=s.weekday, start_minute=s.start_minute, end_minute=s.end_minute)
            for s in slots
        ]
    )


def offer_create(
    *,
    actor: User | None,
    programme: Programme,
    offerer: Party,
    fields: dict[str, Any],
    languages: Iterable[str] = (),
    slots: Iterable[Slot] | None = None,
) -> MutualAidOffer:
    """An offer of help. A volunteer's offer takes their languages and weekly availability unless
    others are given."""
    fields = {name: value for name, value in fields.items() if name in OFFER_FIELDS}
    languages = list(languages)
    volunteer = offerer.volunteer
    if volunteer is not None and not languages:
        languages = [code for code in volunteer.languages.split(",") if code]
    if volunteer is not None and slots is None:
        slots = [Slot(s.weekday, s.start_minute, s.end_minute) for s in volunteer.availability.all()]
    _check_offer_fields(fields, languages)
    ordered = check_slots(slots or [])
    _place(programme, fields)
    with transaction.atomic():
        membership = offer_staff(actor, programme)
        _check_offerer(programme, offerer)
        offer = MutualAidOffer(
            programme=programme, offerer_volunteer=volunteer, offerer_person=offerer.person,
            offerer_group=offerer.group, languages=encode_codes(languages), created_by=actor,
            **{**fields, "description": fields["description"].strip()},
        )  # fmt: skip
        _carry_track_record(offer)
        offer.full_clean(exclude=["programme"])
        offer.save()
        _replace_offer_slots(offer, ordered)
        _audit(actor, membership, programme, offer, AuditEvent.Action.CREATE)
    return offer


def same_helper(offer: MutualAidOffer) -> Q:
    if offer.offerer_volunteer_id:
        return Q(offerer_volunteer_id=offer.offerer_volunteer_id)
    if offer.offerer_person_id:
        return Q(offerer_person_id=offer.offerer_person_id)
    return Q(offerer_group_id=offer.offerer_group_id)


def _carry_track_record(offer: MutualAidOffer) -> None:
    """A helper's new offer starts from the record of their other offers."""
    other = MutualAidOffer.objects.filter(same_helper(offer), programme_id=offer.programme_id).first()
    if other is not None:
        offer.done_count, offer.failed_count = other.done_count, other.failed_count


def offer_update(
    *,
    actor: User | None,
    offer: MutualAidOffer,
    expected_version: int,
    fields: dict[str, Any],
    languages: Iterable[str],
    slots: Iterable[Slot],
) -> MutualAidOffer:
    from trama.core.concurrency import save_versioned

    fields = {name: value for name, value in fields.items() if name in OFFER_FIELDS}
    languages = list(languages)
    _check_offer_fields(fields, languages)
    ordered = check_slots(slots)
    _place(offer.programme, fields)
    with transaction.atomic():
        membership = offer_staff(actor, offer.programme)
        offer = MutualAidOffer.objects.select_for_update().get(pk=offer.pk)
        for name, value in fields.items():
            setattr(offer, name, value.strip() if isinstance(value, str) else value)
        offer.languages = encode_codes(languages)
        offer.full_clean(exclude=["programme"])
        save_versioned(offer, expected_version=expected_version, update_fields=[*fields, "languages"])
        _replace_offer_slots(offer, ordered)
        _audit(actor, membership, offer.programme, offer, AuditEvent.Action.UPDATE)
    return offer
