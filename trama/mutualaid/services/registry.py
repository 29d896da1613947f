"""Registering at once the volunteers a programme already counts on: the lists the partner
associations kept before the programme had Trama (seed 001 counts 235 volunteers at mid-term)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from trama.accounts.models import AuditEvent, User
from trama.accounts.permissions import acting_coordinator
from trama.mutualaid.models import Volunteer, VolunteerAvailability
from trama.mutualaid.services.volunteers import (
    LINKS,
    Applicant,
    Profile,
    Slot,
    _apply_training,
    _audit,
    _check_applicant,
    _grant_account,
    _save_profile,
    check_slots,
)
from trama.network.models import CommunityPlace, Organisation
from trama.people.models import Person
from trama.territory.models import Programme


@dataclass(frozen=True)
class KnownVolunteer:
    """A volunteer the programme already counts on (a partner association's list): who, what, where,
    when they started, with which organisation or place, trained and insured until when."""

    applicant: Applicant
    profile: Profile
    slots: tuple[Slot, ...]
    since: date
    organisation: Organisation
    place: CommunityPlace | None = None
    training: dict[str, Any] = field(default_factory=dict)


def volunteers_register(*, actor: User | None, programme: Programme, entries: list[KnownVolunteer]) -> list[Volunteer]:
    """Record many approved volunteers at once — the lists the partner associations kept before the
    programme had Trama — in a few bulk writes, with one audit row each. Everything is checked first,
    nothing is saved if one entry is wrong. Accounts are given one by one by `volunteer_approve`'s
    rule (an e-mail address makes one), the rest is written in bulk."""
    membership = acting_coordinator(actor, programme)
    territory = set(programme.municipalities.values_list("pk", flat=True))
    partners = set(programme.partnerships.values_list("organisation_id", flat=True))
    for number, entry in enumerate(entries, start=1):
        try:
            _check_applicant(programme, entry.applicant, public=False)
            check_slots(entry.slots)
            if entry.organisation.pk not in partners or (entry.place and entry.place.programme_id != programme.pk):
                raise ValidationError({"organisation": _("Choose an organisation of the programme's partnership.")})
            if any(m.pk not in territory for m in entry.profile.municipalities) or entry.since > timezone.localdate():
                raise ValidationError({"since": _("Choose municipalities of the programme and a date already past.")})
        except ValidationError as error:
            raise ValidationError(_("Volunteer %(number)d: %(errors)s") % {
                "number": number, "errors": " ".join(error.messages)}) from None  # fmt: skip
    with transaction.atomic():
        people = bulk_create_with_history([
            Person(programme=programme, first_name=e.applicant.first_name.strip(),
                   last_name=e.applicant.last_name.strip(), birth_date=e.applicant.birth_date,
                   email=e.applicant.email.strip().lower(),
                   phone=e.applicant.phone.strip(), municipality=e.applicant.municipality, created_by=actor)
            for e in entries
        ], Person)  # fmt: skip
        volunteers = []
        for entry, person in zip(entries, people, strict=True):
            volunteer = Volunteer(
                programme=programme, person=person, status=Volunteer.Status.APPROVED, source=Volunteer.Source.STAFF,
                applied_on=entry.since, approved_on=entry.since, organisation=entry.organisation, place=entry.place,
                decided_by=actor,
            )  # fmt: skip
            _save_profile(volunteer, entry.profile)
            _apply_training(volunteer, entry.training)
            volunteer.clean_fields(exclude=LINKS)
            volunteers.append(volunteer)
        bulk_create_with_history(volunteers, Volunteer)
        VolunteerAvailability.objects.bulk_create([
            VolunteerAvailability(volunteer=v, weekday=s.weekday, start_minute=s.start_minute, end_minute=s.end_minute)
            for v, e in zip(volunteers, entries, strict=True) for s in e.slots
        ])  # fmt: skip
        Volunteer.municipalities.through.objects.bulk_create([
            Volunteer.municipalities.through(volunteer_id=v.pk, municipality_id=m.pk)
            for v, e in zip(volunteers, entries, strict=True) for m in set(e.profile.municipalities)
        ])  # fmt: skip
        for volunteer in volunteers:
            _audit(actor, membership, programme, volunteer, AuditEvent.Action.CREATE, reason="registered as approved")
            if volunteer.person.email:
                volunteer.user = _grant_account(actor, volunteer, volunteer.organisation, None)
                volunteer.save(update_fields=["user", "updated_at"])
    return volunteers
