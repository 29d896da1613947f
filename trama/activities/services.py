"""Writes about activities: the activity and its schedule, occurrences, registrations with their
waiting list, named attendance and anonymous tallies.

Every function is keyword-only, atomic and audited, and checks permission itself
(`permissions.management_membership`). Places are never over-allocated (S22): a registration locks
the activity's row (`select_for_update`, on SQLite the IMMEDIATE transaction) before it counts the
seats taken, so concurrent sign-ups queue and the late ones go to the waiting list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.activities.models import (
    ADULT_AGE,
    Activity,
    AgeBand,
    Attendance,
    Closure,
    Occurrence,
    Registration,
    Tally,
    TallyGender,
    age_band_for,
)
from trama.activities.permissions import management_membership
from trama.core.concurrency import save_versioned
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import CONSENT_AGE, Consent, Household, Person, age_on
from trama.territory.models import Programme

ACTIVITY_FIELDS = (
    "title", "kind", "action_line", "audience", "description", "place", "venue", "municipality", "is_public",
    "registration_required", "capacity", "first_start", "duration_minutes", "recurrence", "skip_closures", "status",
)  # fmt: skip
SCHEDULE_FIELDS = ("first_start", "duration_minutes", "recurrence", "skip_closures")
# A rule without an end is expanded this far ahead of today; `manage.py extend_schedules` (daily)
# keeps the horizon moving.
OPEN_RULE_HORIZON = timedelta(days=366)
MAX_OCCURRENCES = 1000
# No tally cell can hold more people than this: a typing slip, not a crowd.
MAX_TALLY_CELL = 20_000


def _audit(actor: User | None, membership: Membership | None, programme: Programme, target: Any, action: str) -> None:
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target)


# --- The schedule ------------------------------------------------------------------------


def parse_rule(rule: str, first_start: datetime) -> Any:
    """The dateutil rule of an RFC 5545 RRULE, or a ValidationError in the user's language."""
    text = rule.strip().removeprefix("RRULE:")
    if not text:
        return None
    local = timezone.localtime(first_start)
    try:
        try:
            # UNTIL in UTC ("…Z", what calendar applications write) needs an aware start;
            # a floating UNTIL needs a floating one.
            parsed = rrulestr(text, dtstart=local)
        except ValueError:
            parsed = rrulestr(text, dtstart=local.replace(tzinfo=None))
    except (ValueError, TypeError) as error:
        message = _("The recurrence rule is not valid: %(error)s") % {"error": error}
        raise ValidationError({"recurrence": message}) from error
    return parsed


def schedule_starts(
    activity: Activity, closures: list[Closure] | None = None, *, skip_closures: bool | None = None
) -> list[datetime]:
    """The starts the schedule gives, as aware datetimes in the programme's time zone, without the
    dates inside a closure when the activity skips them (`skip_closures=False`: every date of the
    rule, as the iCalendar feed needs for its EXDATEs). Pass the programme's `closures` when
    calling it for many activities: no query then."""
    tz = timezone.get_current_timezone()
    first = timezone.localtime(activity.first_start)
    rule = parse_rule(activity.recurrence, activity.first_start)
    if rule is None:
        starts = [first.replace(tzinfo=None)]
    else:
        horizon = (max(first, timezone.localtime()) + OPEN_RULE_HORIZON).replace(tzinfo=None)
        starts = []
        for aware_or_floating in rule:
            start = aware_or_floating.replace(tzinfo=None)  # the wall-clock time: rrule keeps it across DST
            if start > horizon or len(starts) >= MAX_OCCURRENCES:
                break
            starts.append(start)
    if activity.skip_closures if skip_closures is None else skip_closures:
        if closures is None:
            closures = list(Closure.objects.filter(programme_id=activity.programme_id))
        starts = [s for s in starts if not any(c.start_date <= s.date() <= c.end_date for c in closures)]
    # Wall-clock times: 17:00 stays 17:00 across the change to and from summer time.
    return [timezone.make_aware(start, tz) for start in starts]


def _check_schedule(activity: Activity) -> None:
    starts = schedule_starts(activity)
    if not starts:
        raise ValidationError({"recurrence": _("The schedule gives no date: check the rule and the closures.")})


def _expand(activity: Activity) -> None:
    """Bring the scheduled occurrences in line with the schedule.

    New dates are added; dates the schedule no longer gives are removed when they are still to
    come, untouched (not moved or cancelled by hand) and without attendance. Past dates and dates
    someone changed are kept: they are records now.
    """
    wanted = schedule_starts(activity)
    duration = timedelta(minutes=activity.duration_minutes)
    existing = {o.original_start: o for o in activity.occurrences.filter(original_start__isnull=False)}
    now = timezone.now()
    wanted_set = set(wanted)
    stale = [
        o.pk
        for start, o in existing.items()
        if start not in wanted_set and o.starts_at > now and not o.is_moved and not o.is_cancelled
    ]
    if stale:
        Occurrence.objects.filter(pk__in=stale, attendances__isnull=True, tallies__isnull=True).delete()
    for start, occurrence in existing.items():
        resized = occurrence.ends_at - occurrence.starts_at != duration
        if start in wanted_set and not occurrence.is_moved and resized and occurrence.starts_at > now:
            occurrence.ends_at = occurrence.starts_at + duration
            occurrence.save(update_fields=["ends_at", "updated_at"])
    Occurrence.objects.bulk_create(
        [
            Occurrence(activity=activity, starts_at=start, ends_at=start + duration, original_start=start)
            for start in wanted
            if start not in existing
        ]
    )


def schedules_extend() -> int:
    """Expand every active recurring activity again (`manage.py extend_schedules`, daily): a rule
    without an end gets the dates that came within the horizon. Returns the dates added."""
    before = Occurrence.objects.count()
    activities = Activity.objects.filter(status=Activity.Status.ACTIVE).exclude(recurrence="")
    for activity in activities.iterator():
        with transaction.atomic():
            _expand(activity)
    return Occurrence.objects.count() - before


# --- Activities ---------------------------------------------------------------------------


def _check_links(
    programme: Programme,
    activity: Activity,
    organisers: list[Organisation],
    groups: list[CitizenGroup],
    *,
    where_changed: bool = True,
) -> None:
    """Links inside the programme. `where_changed=False` (an edit that keeps the place) skips the
    territory check, so a programme that shrinks its territory can still edit old activities."""
    errors: dict[str, str] = {}
    if activity.place_id:
        place = CommunityPlace.objects.get(pk=activity.place_id)
        if place.programme_id != programme.pk:
            errors["place"] = _("The place is not in this programme's network.")
        else:
            activity.municipality_id = place.municipality_id
    elif not activity.venue.strip():
        errors["venue"] = _("Say where the activity takes place: a place of the network or a venue.")
    in_territory = programme.municipalities.filter(pk=activity.municipality_id).exists()
    if where_changed and activity.municipality_id and not in_territory:
        errors["municipality"] = _("The municipality is not in the programme's territory.")
    if activity.action_line_id and activity.action_line.programme_id != programme.pk:
        errors["action_line"] = _("The action line belongs to another programme.")
    partners = set(programme.partnerships.values_list("organisation_id", flat=True))
    if any(o.pk not in partners for o in organisers):
        errors["organisers"] = _("Only organisations of the programme's partnership can organise its activities.")
    if any(g.programme_id != programme.pk for g in groups):
        errors["co_organising_groups"] = _("Only the programme's citizen groups can co-organise its activities.")
    if errors:
        raise ValidationError(errors)


def _creator_membership(actor: User | None, programme: Programme, activity: Activity, organisers: list[Organisation]):
    """Coordinators create any activity; a lab manager one at their place or organised by them."""
    if actor is None:
        return None
    memberships = list(Membership.objects.active().filter(user=actor, programme=programme))
    for membership in memberships:
        if membership.role == Role.COORDINATOR:
            return membership
    for membership in memberships:
        if membership.role != Role.LAB_MANAGER:
            continue
        at_their_place = activity.place_id and activity.place.managing_organisation_id == membership.organisation_id
        if at_their_place or any(o.pk == membership.organisation_id for o in organisers):
            return membership
    raise PermissionDenied


def activity_create(
    *,
    actor: User | None,
    programme: Programme,
    fields: dict[str, Any],
    organisers: list[Organisation] | None = None,
    groups: list[CitizenGroup] | None = None,
) -> Activity:
    """Create an activity and the occurrences its schedule gives."""
    organisers, groups = list(organisers or []), list(groups or [])
    with transaction.atomic():
        activity = Activity(
            programme=programme, created_by=actor, **{k: v for k, v in fields.items() if k in ACTIVITY_FIELDS}
        )
        if activity.place_id and not activity.municipality_id:
            activity.municipality_id = activity.place.municipality_id
        membership = _creator_membership(actor, programme, activity, organisers)
        _check_links(programme, activity, organisers, groups)
        activity.full_clean()
        _check_schedule(activity)
        activity.save()
        activity.organisers.set(organisers)
        activity.co_organising_groups.set(groups)
        _expand(activity)
        _audit(actor, membership, programme, activity, AuditEvent.Action.CREATE)
    return activity


def activity_update(
    *,
    actor: User | None,
    activity: Activity,
    expected_version: int,
    fields: dict[str, Any],
    organisers: list[Organisation] | None = None,
    groups: list[CitizenGroup] | None = None,
) -> Activity:
    """Edit an activity (S21: a stale version is a conflict). A changed schedule re-expands the
    dates still to come; past, moved and cancelled occurrences stay as they are."""
    with transaction.atomic():
        membership = management_membership(actor, activity)
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        changed = [name for name in ACTIVITY_FIELDS if name in fields and getattr(activity, name) != fields[name]]
        for name in changed:
            setattr(activity, name, fields[name])
        organisers = list(activity.organisers.all()) if organisers is None else list(organisers)
        groups = list(activity.co_organising_groups.all()) if groups is None else list(groups)
        where_changed = bool({"place", "venue", "municipality"} & set(changed))
        _check_links(activity.programme, activity, organisers, groups, where_changed=where_changed)
        if "place" in changed:
            changed.append("municipality")
        activity.full_clean()
        if any(name in SCHEDULE_FIELDS for name in changed):
            _check_schedule(activity)
        if activity.capacity is not None:
            taken = activity.registrations.filter(status=Registration.Status.REGISTERED).count()
            if taken > activity.capacity:
                raise ValidationError(
                    {
                        "capacity": _("%(taken)d people are already registered: the places cannot be fewer.")
                        % {"taken": taken}
                    }
                )
        save_versioned(activity, expected_version=expected_version, update_fields=sorted(set(changed)))
        activity.organisers.set(organisers)
        activity.co_organising_groups.set(groups)
        if any(name in SCHEDULE_FIELDS for name in changed):
            _expand(activity)
        if "capacity" in changed:
            _promote_waiting(actor, activity)
        _audit(actor, membership, activity.programme, activity, AuditEvent.Action.UPDATE)
    return activity


def closure_save(*, actor: User | None, programme: Programme, name: str, start_date: date, end_date: date) -> Closure:
    """Add a closure (school holidays) and drop the untouched future dates it covers."""
    from trama.accounts.permissions import acting_coordinator

    with transaction.atomic():
        membership = acting_coordinator(actor, programme)
        closure = Closure(programme=programme, name=name, start_date=start_date, end_date=end_date)
        closure.full_clean()
        closure.save()
        for activity in Activity.objects.filter(programme=programme, skip_closures=True, status=Activity.Status.ACTIVE):
            _expand(activity)
        _audit(actor, membership, programme, closure, AuditEvent.Action.CREATE)
    return closure


# --- Occurrences --------------------------------------------------------------------------


def occurrence_move(
    *, actor: User | None, occurrence: Occurrence, starts_at: datetime, ends_at: datetime, note: str = ""
) -> Occurrence:
    with transaction.atomic():
        membership = management_membership(actor, occurrence.activity)
        occurrence = Occurrence.objects.select_for_update().select_related("activity").get(pk=occurrence.pk)
        if occurrence.is_cancelled:
            raise ValidationError(_("A cancelled occurrence cannot be moved: restore it first."))
        if occurrence.original_start is None:
            occurrence.original_start = occurrence.starts_at
        occurrence.starts_at, occurrence.ends_at, occurrence.note = starts_at, ends_at, note.strip()
        occurrence.full_clean()
        occurrence.save()
        _audit(actor, membership, occurrence.activity.programme, occurrence, AuditEvent.Action.UPDATE)
    return occurrence


def occurrence_cancel(*, actor: User | None, occurrence: Occurrence, note: str = "") -> Occurrence:
    with transaction.atomic():
        membership = management_membership(actor, occurrence.activity)
        occurrence = Occurrence.objects.select_for_update().select_related("activity").get(pk=occurrence.pk)
        if occurrence.attendances.exists() or occurrence.tallies.exists():
            raise ValidationError(_("Attendance was already recorded for this date: it took place."))
        occurrence.status, occurrence.note = Occurrence.Status.CANCELLED, note.strip()
        occurrence.save(update_fields=["status", "note", "updated_at"])
        _audit(actor, membership, occurrence.activity.programme, occurrence, AuditEvent.Action.UPDATE)
    return occurrence


def occurrence_restore(*, actor: User | None, occurrence: Occurrence) -> Occurrence:
    with transaction.atomic():
        membership = management_membership(actor, occurrence.activity)
        occurrence = Occurrence.objects.select_for_update().select_related("activity").get(pk=occurrence.pk)
        occurrence.status, occurrence.note = Occurrence.Status.SCHEDULED, ""
        occurrence.save(update_fields=["status", "note", "updated_at"])
        _audit(actor, membership, occurrence.activity.programme, occurrence, AuditEvent.Action.UPDATE)
    return occurrence


def occurrence_add(*, actor: User | None, activity: Activity, starts_at: datetime, ends_at: datetime) -> Occurrence:
    """An extra date outside the schedule (its own event in the iCalendar feed)."""
    with transaction.atomic():
        membership = management_membership(actor, activity)
        occurrence = Occurrence(activity=activity, starts_at=starts_at, ends_at=ends_at)
        occurrence.full_clean()
        occurrence.save()
        _audit(actor, membership, activity.programme, occurrence, AuditEvent.Action.CREATE)
    return occurrence


# --- Registrations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Guardian:
    """The parent or guardian who signs a minor up and consents."""

    name: str
    phone: str = ""
    email: str = ""
    consents: bool = False


def _registrar_membership(actor: User | None, activity: Activity, person: Person, household: Household | None):
    """Who may register `person`: the activity's managers; an operator for a household they follow."""
    if actor is None:
        return None
    try:
        return management_membership(actor, activity)
    except PermissionDenied:
        pass
    from trama.casework.permissions import visible_cases

    memberships = Membership.objects.active().filter(user=actor, programme=activity.programme, role=Role.OPERATOR)
    operator = memberships.first()
    if operator is None or household is None:
        raise PermissionDenied
    if not household.memberships.filter(person=person).exists():
        raise PermissionDenied
    if not visible_cases(actor, activity.programme).filter(household=household).exists():
        raise PermissionDenied
    return operator


def _seats_taken(activity: Activity) -> int:
    return Registration.objects.filter(activity=activity, status=Registration.Status.REGISTERED).count()


def registration_create(
    *,
    actor: User | None,
    activity: Activity,
    person: Person,
    source: str,
    household: Household | None = None,
    guardian: Guardian | None = None,
) -> Registration:
    """Register `person`, or put them on the waiting list when every place is taken (S22)."""
    with transaction.atomic():
        membership = _registrar_membership(actor, activity, person, household)
        # The row lock serialises sign-ups to this activity: the count below cannot go stale.
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if person.programme_id != activity.programme_id:
            raise ValidationError(_("The person belongs to another programme."))
        if activity.status != Activity.Status.ACTIVE:
            raise ValidationError(_("The activity is archived: it takes no more registrations."))
        if person.erased_at is not None or person.is_restricted:
            raise ValidationError(_("This person's data may not be used for new registrations."))
        if (
            Registration.objects.filter(activity=activity, person=person)
            .exclude(status=Registration.Status.CANCELLED)
            .exists()
        ):
            raise ValidationError(_("%(name)s is already registered for this activity.") % {"name": person})
        now = timezone.now()
        registration = Registration(
            activity=activity, person=person, household=household, source=source, registered_at=now, created_by=actor
        )
        age = person.age(timezone.localdate())
        if age is not None and age < ADULT_AGE:
            if guardian is None or not guardian.name.strip() or not guardian.consents:
                raise ValidationError(
                    _("%(name)s is a minor: a parent or guardian must give their name and consent to the registration.")
                    % {"name": person.first_name}
                )
            registration.guardian_name = guardian.name.strip()
            registration.guardian_phone = guardian.phone.strip()
            registration.guardian_email = guardian.email.strip()
            registration.guardian_consent_at = now
        full = activity.capacity is not None and _seats_taken(activity) >= activity.capacity
        registration.status = Registration.Status.WAITING if full else Registration.Status.REGISTERED
        registration.full_clean()
        registration.save()
        _audit(actor, membership, activity.programme, registration, AuditEvent.Action.CREATE)
    return registration


def _promote_waiting(actor: User | None, activity: Activity) -> list[Registration]:
    """Fill free places from the waiting list, first come first served (the caller holds the lock)."""
    if activity.capacity is None:
        free = None
    else:
        free = activity.capacity - _seats_taken(activity)
        if free <= 0:
            return []
    waiting = Registration.objects.filter(activity=activity, status=Registration.Status.WAITING).order_by(
        "registered_at", "pk"
    )
    promoted = list(waiting if free is None else waiting[:free])
    now = timezone.now()
    for registration in promoted:
        registration.status, registration.promoted_at = Registration.Status.REGISTERED, now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, programme=activity.programme, target=registration)
    return promoted


def registration_cancel(*, actor: User | None, registration: Registration) -> list[Registration]:
    """Cancel a registration; a freed place goes to the first on the waiting list. Returns the
    registrations promoted."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=registration.activity_id)
        membership = _registrar_membership(actor, activity, registration.person, registration.household)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return []
        registration.status, registration.cancelled_at = Registration.Status.CANCELLED, timezone.now()
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        _audit(actor, membership, activity.programme, registration, AuditEvent.Action.UPDATE)
        return _promote_waiting(actor, activity)


def _find_or_create_contact(
    programme: Programme, first_name: str, last_name: str, birth_date: date | None, **extra: Any
) -> Person:
    """The programme's person with this name and date of birth, or a new contact: named reach is
    de-duplicated across the programme (DESIGN.md, "Attendance")."""
    first_name, last_name = first_name.strip(), last_name.strip()
    match = (
        Person.objects.filter(
            programme=programme,
            first_name__iexact=first_name,
            last_name__iexact=last_name,
            birth_date=birth_date,
            erased_at__isnull=True,
        )
        .order_by("created_at")
        .first()
    )
    if match is not None:
        return match
    person = Person(programme=programme, first_name=first_name, last_name=last_name, birth_date=birth_date, **extra)
    person.full_clean()
    person.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=None, programme=programme, target=person)
    return person


def contact_registration_create(
    *,
    actor: User | None,
    activity: Activity,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    gender: str = "",
    phone: str = "",
    email: str = "",
    guardian: Guardian | None = None,
) -> Registration:
    """A lab manager registers someone from the lab's contacts (found or created by name and
    date of birth)."""
    with transaction.atomic():
        management_membership(actor, activity)
        person = _find_or_create_contact(
            activity.programme,
            first_name,
            last_name,
            birth_date,
            gender=gender,
            phone=phone.strip(),
            email=email.strip(),
        )
        return registration_create(
            actor=actor, activity=activity, person=person, source=Registration.Source.CONTACTS, guardian=guardian
        )


def public_signup(
    *,
    activity: Activity,
    first_name: str,
    last_name: str,
    birth_date: date,
    guardian: Guardian | None,
    phone: str = "",
    email: str = "",
) -> Registration:
    """A visitor signs up from the public calendar: for a minor, a parent or guardian signs up
    and consents; the consent to be contacted about the activity is recorded on the person."""
    if not activity.is_public or activity.status != Activity.Status.ACTIVE or not activity.registration_required:
        raise ValidationError(_("This activity takes no sign-ups from the calendar."))
    with transaction.atomic():
        person = _find_or_create_contact(
            activity.programme, first_name, last_name, birth_date, phone=phone.strip(), email=email.strip()
        )
        if (
            person.is_restricted
            or Registration.objects.filter(activity=activity, person=person)
            .exclude(status=Registration.Status.CANCELLED)
            .exists()
        ):
            # The same answer whatever the reason: a public form must not tell a stranger whether
            # someone with this name and date of birth is already known or registered.
            raise ValidationError(
                _("The sign-up could not be completed. If you have already signed up, the organisers will contact "
                  "you; otherwise please contact them.")
            )  # fmt: skip
        registration = registration_create(
            actor=None, activity=activity, person=person, source=Registration.Source.PUBLIC_FORM, guardian=guardian
        )
        by_guardian = age_on(birth_date, timezone.localdate()) < CONSENT_AGE or bool(registration.guardian_name)
        consent = Consent(
            person=person, purpose=Consent.Purpose.CONTACT, given_on=timezone.localdate(),
            given_by=Consent.GivenBy.GUARDIAN if by_guardian else Consent.GivenBy.SELF,
            guardian_name=registration.guardian_name,
        )  # fmt: skip
        consent.full_clean()
        consent.save()
    return registration


# --- Attendance and tallies ---------------------------------------------------------------


def _check_took_place(occurrence: Occurrence) -> None:
    if occurrence.is_cancelled:
        raise ValidationError(_("This date was cancelled: restore it before recording attendance."))
    if timezone.localdate(occurrence.starts_at) > timezone.localdate():
        raise ValidationError(_("Attendance can be recorded from the day of the activity, not before."))


def _attendance_for(occurrence: Occurrence, person: Person, actor: User | None) -> Attendance:
    day = timezone.localdate(occurrence.starts_at)
    age = person.age(day)
    return Attendance(
        occurrence=occurrence, person=person, programme_id=occurrence.activity.programme_id, date=day,
        age_band=age_band_for(age), is_minor=age is not None and age < ADULT_AGE, recorded_by=actor,
    )  # fmt: skip


def attendance_set(*, actor: User | None, occurrence: Occurrence, present: list[Person]) -> tuple[int, int]:
    """Record who was present at `occurrence` (the check-in sheet): the people in `present` are
    marked, the others unmarked. Returns (added, removed)."""
    with transaction.atomic():
        activity = occurrence.activity
        membership = management_membership(actor, activity)
        occurrence = Occurrence.objects.select_for_update().select_related("activity").get(pk=occurrence.pk)
        _check_took_place(occurrence)
        wanted = {person.pk: person for person in present}
        if any(person.programme_id != activity.programme_id for person in present):
            raise ValidationError(_("Someone on the list belongs to another programme."))
        if activity.registration_required:
            registered = set(
                activity.registrations.filter(status=Registration.Status.REGISTERED, person_id__in=wanted).values_list(
                    "person_id", flat=True
                )
            )
            strangers = [person for pk, person in wanted.items() if pk not in registered]
            if strangers:
                raise ValidationError(
                    _("%(names)s not registered for this activity: register them first.")
                    % {"names": ", ".join(str(p) for p in strangers)}
                )
        current = set(occurrence.attendances.values_list("person_id", flat=True))
        removed = current - set(wanted)
        if removed:
            occurrence.attendances.filter(person_id__in=removed).delete()
        added = [_attendance_for(occurrence, wanted[pk], actor) for pk in wanted if pk not in current]
        Attendance.objects.bulk_create(added)
        if added or removed:
            _audit(actor, membership, activity.programme, occurrence, AuditEvent.Action.UPDATE)
    return len(added), len(removed)


def attendance_mark(*, actor: User | None, occurrence: Occurrence, person: Person, present: bool) -> None:
    """Mark one person present or absent (one tap on the tablet's check-in sheet)."""
    with transaction.atomic():
        current = list(Person.objects.filter(attendances__occurrence=occurrence).exclude(pk=person.pk))
        attendance_set(actor=actor, occurrence=occurrence, present=[*current, person] if present else current)


def tally_set(*, actor: User | None, occurrence: Occurrence, cells: dict[tuple[str, str], int]) -> int:
    """Replace the anonymous tally of `occurrence` with `cells` ((age band, gender) → people).
    Returns the total."""
    bands, genders = set(AgeBand.values), set(TallyGender.values)
    errors = []
    for (band, gender), count in cells.items():
        if band not in bands or gender not in genders:
            errors.append(_("Unknown age band or gender in the tally."))
        elif not isinstance(count, int) or count < 0:
            errors.append(_("A head count cannot be negative."))
        elif count > MAX_TALLY_CELL:
            errors.append(_("%(count)d people in one cell is not plausible: check the figure.") % {"count": count})
    if errors:
        raise ValidationError(sorted(set(errors)))
    with transaction.atomic():
        membership = management_membership(actor, occurrence.activity)
        occurrence = Occurrence.objects.select_for_update().select_related("activity").get(pk=occurrence.pk)
        _check_took_place(occurrence)
        occurrence.tallies.all().delete()
        Tally.objects.bulk_create(
            [
                Tally(occurrence=occurrence, age_band=band, gender=gender, count=count, recorded_by=actor)
                for (band, gender), count in sorted(cells.items())
                if count
            ]
        )
        _audit(actor, membership, occurrence.activity.programme, occurrence, AuditEvent.Action.UPDATE)
    return sum(cells.values())


def upcoming_filter(now: datetime | None = None) -> Q:
    return Q(ends_at__gte=now or timezone.now(), status=Occurrence.Status.SCHEDULED)
