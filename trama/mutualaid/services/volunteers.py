"""Writes about volunteers: applying (the public form, or a coordinator), the decision with the
account, training and insurance, and the volunteer's own profile and weekly availability.

Every function is keyword-only, atomic, audited, and checks permission itself. `actor=None` is the
system (the demo loader, the public form).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import acting_coordinator
from trama.accounts.services import membership_grant, membership_invite, user_create
from trama.casework.services.intake import HELP_RATE_LIMIT, HELP_RATE_WINDOW_SECONDS
from trama.core.concurrency import save_versioned
from trama.core.ratelimit import RateLimit
from trama.mutualaid.models import (
    MINUTES_IN_A_DAY,
    Category,
    Interest,
    Language,
    Volunteer,
    VolunteerAvailability,
    Weekday,
    encode_codes,
    minutes_label,
)
from trama.mutualaid.permissions import volunteer_manager
from trama.network.models import CommunityPlace, Organisation
from trama.people.models import Consent, Person, age_on
from trama.people.selectors import possible_duplicates
from trama.territory.models import Municipality, Programme

ADULT_AGE = 18
TRAINING_FIELDS = ("training_on", "training_note", "insurance_policy", "insurance_until")
# The links a service sets from records it fetched and checked itself: validating them again would
# cost a query each (the demo records 235 volunteers).
LINKS = ["programme", "person", "user", "decided_by", "organisation", "place"]


# --- Inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """Who applies: what the public form and a coordinator both ask."""

    first_name: str
    last_name: str
    birth_date: date | None
    email: str = ""
    phone: str = ""
    municipality: Municipality | None = None


@dataclass(frozen=True)
class Profile:
    """What a volunteer offers: skills (kinds of help), languages, interests, where."""

    skills: tuple[str, ...] = ()
    skills_note: str = ""
    languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    municipalities: tuple[Municipality, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Slot:
    """A weekly range: weekday 1 (Monday) to 7, minutes after midnight."""

    weekday: int
    start_minute: int
    end_minute: int


def check_slots(slots: Iterable[Slot]) -> list[Slot]:
    """The slots in order, or a ValidationError (key "availability") in the user's language when a
    range is empty or two ranges of the same day overlap: nothing is saved then."""
    ordered = sorted(slots, key=lambda slot: (slot.weekday, slot.start_minute, slot.end_minute))
    errors = []
    for slot in ordered:
        if slot.weekday not in Weekday.values:
            errors.append(_("Choose a day of the week for every range."))
        elif not 0 <= slot.start_minute < slot.end_minute <= MINUTES_IN_A_DAY:
            errors.append(
                _("On %(day)s the range %(start)s–%(end)s ends before it starts.")
                % {"day": Weekday(slot.weekday).label, "start": minutes_label(slot.start_minute),
                   "end": minutes_label(slot.end_minute % MINUTES_IN_A_DAY)}
            )  # fmt: skip
    for previous, current in pairwise(ordered):
        if previous.weekday == current.weekday and current.start_minute < previous.end_minute:
            errors.append(
                _("Two ranges on %(day)s overlap (%(first)s and %(second)s): join them into one.")
                % {
                    "day": Weekday(current.weekday).label,
                    "first": f"{minutes_label(previous.start_minute)}–{minutes_label(previous.end_minute)}",
                    "second": f"{minutes_label(current.start_minute)}–{minutes_label(current.end_minute)}",
                }
            )
    if errors:
        raise ValidationError({"availability": errors})
    return ordered


def _check_profile(programme: Programme, profile: Profile) -> None:
    errors: dict[str, Any] = {}
    if set(profile.skills) - set(Category.values):
        errors["skills"] = _("Choose the kinds of help from the list.")
    if set(profile.languages) - set(Language.values):
        errors["languages"] = _("Choose the languages from the list.")
    if set(profile.interests) - set(Interest.values):
        errors["interests"] = _("Choose the areas of interest from the list.")
    territory = set(programme.municipalities.values_list("pk", flat=True))
    if any(municipality.pk not in territory for municipality in profile.municipalities):
        errors["municipalities"] = _("Choose municipalities of the programme.")
    if errors:
        raise ValidationError(errors)


def _check_applicant(programme: Programme, applicant: Applicant, *, public: bool) -> None:
    errors: dict[str, Any] = {}
    if not applicant.first_name.strip() or not applicant.last_name.strip():
        errors["first_name"] = _("Give your first and last name.")
    today = timezone.localdate()
    if applicant.birth_date is None:
        if public:
            errors["birth_date"] = _("Give your date of birth.")
    elif applicant.birth_date > today:
        errors["birth_date"] = _("The date of birth cannot be in the future.")
    elif age_on(applicant.birth_date, today) < ADULT_AGE:
        errors["birth_date"] = _(
            "Volunteers must be adults. Under 18, ask at one of the programme's labs how to take part."
        )
    if public and not applicant.email.strip():
        errors["email"] = _("Give an e-mail address: it will be your login to the volunteers' area.")
    municipality = applicant.municipality
    if municipality is not None and not programme.municipalities.filter(pk=municipality.pk).exists():
        errors["municipality"] = _("Choose a municipality of the programme.")
    if errors:
        raise ValidationError(errors)


# --- The public form's rate limit (the same mechanism as the "I need help" form) --------------


# The "I want to help" form: the help form's budget, counted apart (trama/core/ratelimit.py).
VOLUNTEER_RATE = RateLimit("volunteer", HELP_RATE_LIMIT, HELP_RATE_WINDOW_SECONDS)


def volunteer_rate_limited(*, programme: Programme, client_ip: str) -> bool:
    return VOLUNTEER_RATE.exceeded(programme=programme, client_ip=client_ip)


def volunteer_rate_count(*, programme: Programme, client_ip: str) -> None:
    VOLUNTEER_RATE.count(programme=programme, client_ip=client_ip)


# --- Applying ------------------------------------------------------------------------------------


def _audit(
    actor: User | None, membership: Membership | None, programme: Programme, target: Any, action: str, *,
    reason: str = "",
) -> None:  # fmt: skip
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target, reason=reason)


def _public_match(programme: Programme, applicant: Applicant) -> Person | None:
    """A person the programme already knows, when name, date of birth and e-mail all agree: only
    then is a stranger's form tied to an existing record (the coordinator links weaker matches)."""
    email = applicant.email.strip()
    if not email or applicant.birth_date is None:
        return None
    return (
        Person.objects.filter(
            programme=programme,
            first_name__iexact=applicant.first_name.strip(),
            last_name__iexact=applicant.last_name.strip(),
            birth_date=applicant.birth_date,
            email__iexact=email,
            erased_at__isnull=True,
            is_restricted=False,
        )
        .order_by("pk")
        .first()
    )


def _new_person(actor: User | None, programme: Programme, applicant: Applicant) -> Person:
    person = Person(
        programme=programme,
        first_name=applicant.first_name.strip(),
        last_name=applicant.last_name.strip(),
        birth_date=applicant.birth_date,
        email=applicant.email.strip().lower(),
        phone=applicant.phone.strip(),
        municipality=applicant.municipality,
        created_by=actor,
    )
    # The links are the programme's own (checked by the caller); validating them again would cost a
    # query each.
    person.clean_fields(exclude=["programme", "municipality", "created_by"])
    person.clean()
    person.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, programme=programme, target=person)
    return person


def _save_profile(volunteer: Volunteer, profile: Profile) -> None:
    volunteer.skills = encode_codes(profile.skills)
    volunteer.skills_note = profile.skills_note.strip()
    volunteer.languages = encode_codes(profile.languages)
    volunteer.interests = encode_codes(profile.interests)


def _replace_slots(volunteer: Volunteer, slots: list[Slot]) -> None:
    volunteer.availability.all().delete()
    VolunteerAvailability.objects.bulk_create(
        [
            VolunteerAvailability(
                volunteer=volunteer, weekday=s.weekday, start_minute=s.start_minute, end_minute=s.end_minute
            )
            for s in slots
        ]
    )


def volunteer_apply(
    *, programme: Programme, applicant: Applicant, profile: Profile, slots: Iterable[Slot]
) -> Volunteer:
    """An application from the public "I want to help" form; the person accepted the privacy notice.

    A second application of someone already known answers the same as a first one (a public form
    must not tell a stranger who is known): an application still open gets the new details, an
    approved volunteer's record is left as it is.
    """
    if not programme.is_public:
        raise PermissionDenied
    _check_applicant(programme, applicant, public=True)
    _check_profile(programme, profile)
    ordered = check_slots(slots)
    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        person = _public_match(programme, applicant) or _new_person(None, programme, applicant)
        volunteer = Volunteer.objects.select_for_update().filter(programme=programme, person=person).first()
        if volunteer is not None and volunteer.status == Volunteer.Status.APPROVED:
            return volunteer
        if volunteer is None:
            volunteer = Volunteer(programme=programme, person=person, source=Volunteer.Source.PUBLIC_FORM)
        volunteer.status, volunteer.applied_on, volunteer.consent_at = Volunteer.Status.APPLIED, today, now
        volunteer.decision_note = ""
        _save_profile(volunteer, profile)
        volunteer.clean_fields(exclude=LINKS)
        volunteer.save()
        volunteer.municipalities.set(profile.municipalities)
        _replace_slots(volunteer, ordered)
        consent = Consent(person=person, purpose=Consent.Purpose.CONTACT, given_on=today)
        consent.full_clean()
        consent.save()
        _audit(None, None, programme, volunteer, AuditEvent.Action.CREATE, reason="public form")
    return volunteer


def volunteer_create(
    *,
    actor: User | None,
    programme: Programme,
    applicant: Applicant,
    profile: Profile,
    slots: Iterable[Slot] = (),
    person: Person | None = None,
) -> Volunteer:
    """A coordinator records someone who offered their time in person. The programme's record of
    that person is used when there is one (same name and date of birth): a beneficiary who becomes
    a volunteer stays one person, so evaluation counts the change."""
    membership = acting_coordinator(actor, programme)
    if person is None:
        _check_applicant(programme, applicant, public=False)
    _check_profile(programme, profile)
    ordered = check_slots(slots)
    with transaction.atomic():
        if person is None:
            known = possible_duplicates(
                programme, first_name=applicant.first_name, last_name=applicant.last_name,
                birth_date=applicant.birth_date, tax_code="",
            )  # fmt: skip
            known = [p for p in known if p.erased_at is None and not p.is_restricted]
            person = known[0] if known else _new_person(actor, programme, applicant)
        elif person.programme_id != programme.pk or person.erased_at is not None or person.is_restricted:
            raise ValidationError(_("This person's data may not be used."))
        if Volunteer.objects.filter(programme=programme, person=person).exists():
            raise ValidationError(_("%(name)s is already among the volunteers.") % {"name": person})
        volunteer = Volunteer(
            programme=programme, person=person, source=Volunteer.Source.STAFF, applied_on=timezone.localdate()
        )
        _save_profile(volunteer, profile)
        volunteer.clean_fields(exclude=LINKS)
        volunteer.save()
        volunteer.municipalities.set(profile.municipalities)
        _replace_slots(volunteer, ordered)
        _audit(actor, membership, programme, volunteer, AuditEvent.Action.CREATE)
    return volunteer


# --- The decision --------------------------------------------------------------------------------


def volunteer_duplicates(volunteer: Volunteer) -> list[Person]:
    """Other records of the programme that may be this applicant (same name and date of birth):
    the coordinator, who sees every person, decides whether it is the same person."""
    person = volunteer.person
    return [
        match
        for match in possible_duplicates(
            volunteer.programme,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            tax_code="",
            exclude=person,
        )
        if match.erased_at is None and not match.is_restricted
    ]


def _merge_into(volunteer: Volunteer, person: Person) -> None:
    """Tie the application to the programme's existing record of the same person, and remove the
    record the public form made (it holds nothing else)."""
    applicant = volunteer.person
    if Volunteer.objects.filter(person=person).exists():
        raise ValidationError({"same_person": _("%(name)s is already among the volunteers.") % {"name": person}})
    if (
        applicant.household_memberships.exists()
        or applicant.registrations.exists()
        or applicant.attendances.exists()
        or applicant.mutual_aid_offers.exists()
        or applicant.mutual_aid_requests.exists()
        or applicant.group_memberships.exists()
        or hasattr(applicant, "time_account")
    ):
        raise ValidationError(
            {"same_person": _("The applicant's record is already used elsewhere: it cannot be merged.")}
        )
    for name in ("email", "phone"):
        if not getattr(person, name) and getattr(applicant, name):
            setattr(person, name, getattr(applicant, name))
    person.version += 1
    person.save(update_fields=["email", "phone", "version", "updated_at"])
    Consent.objects.filter(person=applicant).update(person=person)
    volunteer.person = person
    volunteer.save(update_fields=["person", "updated_at"])
    pk = applicant.pk
    applicant.delete()
    Person.history.filter(id=pk).delete()


def _grant_account(
    actor: User | None, volunteer: Volunteer, organisation: Organisation, request: HttpRequest | None
) -> User | None:
    """The volunteer's login: their e-mail, the volunteer role for their organisation. A new
    account gets an invitation to choose a password (when there is a request to build the link)."""
    email = volunteer.person.email.strip().lower()
    if not email:
        return None
    full_name = str(volunteer.person)
    if request is not None and actor is not None:
        membership = membership_invite(
            actor=actor, request=request, programme=volunteer.programme, email=email, full_name=full_name,
            organisation=organisation, role=Role.VOLUNTEER,
        )  # fmt: skip
        return membership.user
    user = User.objects.filter(email=email).first() or user_create(
        email=email, full_name=full_name, password=None if actor is None else secrets.token_urlsafe(32)
    )
    membership_grant(
        actor=actor, user=user, programme=volunteer.programme, organisation=organisation, role=Role.VOLUNTEER
    )
    return user


def volunteer_approve(
    *,
    actor: User | None,
    volunteer: Volunteer,
    expected_version: int,
    organisation: Organisation | None,
    place: CommunityPlace | None = None,
    training: dict[str, Any] | None = None,
    same_person: Person | None = None,
    request: HttpRequest | None = None,
) -> Volunteer:
    """Approve an application: assign the volunteer to an organisation or a place, record their
    training and insurance, and give them their account (role volunteer) to self-serve."""
    programme = volunteer.programme
    membership = acting_coordinator(actor, programme)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().select_related("person", "programme").get(pk=volunteer.pk)
        if volunteer.status == Volunteer.Status.APPROVED:
            raise ValidationError(_("This volunteer has already been approved."))
        if place is not None and place.programme_id != programme.pk:
            raise ValidationError({"place": _("The place is not in this programme's network.")})
        if organisation is None and place is not None:
            organisation = place.managing_organisation
        if organisation is None:
            raise ValidationError({"organisation": _("Choose the organisation or the place the volunteer joins.")})
        if not programme.partnerships.filter(organisation=organisation).exists():
            raise ValidationError({"organisation": _("Choose an organisation of the programme's partnership.")})
        if same_person is not None:
            if same_person.pk not in {p.pk for p in volunteer_duplicates(volunteer)}:
                raise ValidationError({"same_person": _("Choose one of the records proposed.")})
            _merge_into(volunteer, same_person)
        _apply_training(volunteer, training or {})
        volunteer.status, volunteer.approved_on = Volunteer.Status.APPROVED, timezone.localdate()
        volunteer.organisation, volunteer.place, volunteer.decided_by = organisation, place, actor
        volunteer.decision_note = ""
        volunteer.user = _grant_account(actor, volunteer, organisation, request) or volunteer.user
        volunteer.clean_fields(exclude=LINKS)
        save_versioned(
            volunteer,
            expected_version=expected_version,
            update_fields=["status", "approved_on", "organisation", "place", "decided_by", "decision_note", "user",
                           *TRAINING_FIELDS],
        )  # fmt: skip
        _audit(actor, membership, programme, volunteer, AuditEvent.Action.UPDATE, reason="approved")
    return volunteer


def volunteer_reject(*, actor: User | None, volunteer: Volunteer, reason: str) -> Volunteer:
    """Decline an application, with the reason (kept for the applicant's right of access)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    membership = acting_coordinator(actor, volunteer.programme)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if volunteer.status != Volunteer.Status.APPLIED:
            raise ValidationError(_("Only an application still waiting for a decision can be declined."))
        volunteer.status, volunteer.decision_note, volunteer.decided_by = Volunteer.Status.REJECTED, reason, actor
        volunteer.version += 1
        volunteer.save(update_fields=["status", "decision_note", "decided_by", "version", "updated_at"])
        _audit(actor, membership, volunteer.programme, volunteer, AuditEvent.Action.UPDATE, reason="declined")
    return volunteer


def _apply_training(volunteer: Volunteer, training: dict[str, Any]) -> None:
    for name in TRAINING_FIELDS:
        if name in training:
            value = training[name]
            setattr(volunteer, name, value.strip() if isinstance(value, str) else value)
    today = timezone.localdate()
    if volunteer.training_on and volunteer.training_on > today:
        raise ValidationError({"training_on": _("The training cannot be recorded with a future date.")})
    if volunteer.insurance_until and volunteer.insurance_policy == "":
        raise ValidationError({"insurance_policy": _("Give the insurance policy the date refers to.")})


def volunteer_record_training(
    *, actor: User | None, volunteer: Volunteer, expected_version: int, training: dict[str, Any]
) -> Volunteer:
    """Training and insurance: recorded by a coordinator or the volunteer's lab manager."""
    with transaction.atomic():
        membership = volunteer_manager(actor, volunteer)
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        _apply_training(volunteer, training)
        save_versioned(volunteer, expected_version=expected_version, update_fields=list(TRAINING_FIELDS))
        _audit(actor, membership, volunteer.programme, volunteer, AuditEvent.Action.UPDATE, reason="training")
    return volunteer


def volunteer_update_profile(
    *, actor: User | None, volunteer: Volunteer, profile: Profile, slots: Iterable[Slot]
) -> Volunteer:
    """The volunteer states their skills, languages, interests and weekly availability themselves
    (or their manager does it for them)."""
    membership = None
    if actor is not None and volunteer.user_id != actor.pk:
        membership = volunteer_manager(actor, volunteer)
    _check_profile(volunteer.programme, profile)
    ordered = check_slots(slots)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().select_related("programme").get(pk=volunteer.pk)
        _save_profile(volunteer, profile)
        volunteer.version += 1
        volunteer.save(update_fields=["skills", "skills_note", "languages", "interests", "version", "updated_at"])
        volunteer.municipalities.set(profile.municipalities)
        _replace_slots(volunteer, ordered)
        _audit(actor, membership, volunteer.programme, volunteer, AuditEvent.Action.UPDATE, reason="profile")
    return volunteer
