"""Shifts and hours: places for volunteers at activity dates, never over-filled (S22: twenty
concurrent sign-ups for two places give exactly two), attendance, and logged hours that must be
plausible for one day and confirmed by a coordinator or the lab manager."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from trama.accounts.models import Role
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory
from trama.core.tests.factories import CommunityPlaceFactory, OrganisationFactory, PartnershipFactory
from trama.mutualaid.models import HourLog, ShiftSignup, VolunteerShift
from trama.mutualaid.selectors.volunteers import open_shifts, volunteer_hours
from trama.mutualaid.services.shifts import (
    hours_log,
    hours_review,
    shift_attendance_set,
    shift_cancel,
    shift_create,
    shift_signup,
    shifts_create_for_activity,
)
from trama.mutualaid.tests.factories import HourLogFactory, ShiftFactory, SignupFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def future_occurrence(programme, days: int = 7, **kwargs):
    start = timezone.now() + timedelta(days=days)
    return OccurrenceFactory(
        activity__programme=programme, starts_at=start, ends_at=start + timedelta(hours=2), **kwargs
    )


def past_occurrence(programme, days: int = 3, hours: int = 2):
    start = timezone.now() - timedelta(days=days)
    return OccurrenceFactory(activity__programme=programme, starts_at=start, ends_at=start + timedelta(hours=hours))


@pytest.fixture
def lab(programme):
    """A lab run by a partner, its manager, and a homework activity there."""
    partner = OrganisationFactory(name="Associazione Doposcuola")
    PartnershipFactory(programme=programme, organisation=partner)
    place = CommunityPlaceFactory(programme=programme, managing_organisation=partner)
    return partner, place


def test_a_lab_manager_adds_two_places_at_every_coming_date_of_their_activity(programme, member, lab):
    partner, place = lab
    manager = member(Role.LAB_MANAGER, organisation=partner)
    start = timezone.localdate() + timedelta(days=1)
    activity = ActivityFactory(
        programme=programme, place=place, first_start=timezone.now() + timedelta(days=1),
        recurrence="FREQ=WEEKLY;COUNT=4",
    )  # fmt: skip
    shifts = shifts_create_for_activity(
        actor=manager, activity=activity, task="Aiuto compiti", slots=2, start=start, end=start + timedelta(days=40)
    )
    assert len(shifts) == 4
    assert {shift.slots for shift in shifts} == {2}
    again = shifts_create_for_activity(
        actor=manager, activity=activity, task="aiuto compiti", slots=2, start=start, end=start + timedelta(days=40)
    )
    assert again == []  # the dates already have the task


def test_a_lab_manager_cannot_add_shifts_to_an_activity_they_do_not_run(programme, member, lab):
    partner, _place = lab
    manager = member(Role.LAB_MANAGER, organisation=partner)
    occurrence = future_occurrence(programme)
    with pytest.raises(PermissionDenied):
        shift_create(actor=manager, occurrence=occurrence, task="Accoglienza", slots=2)
    assert not VolunteerShift.objects.exists()


def test_a_shift_needs_a_task_and_at_least_one_place(programme, coordinator):
    occurrence = future_occurrence(programme)
    with pytest.raises(ValidationError) as error:
        shift_create(actor=coordinator, occurrence=occurrence, task=" ", slots=0)
    assert set(error.value.message_dict) == {"task", "slots"}


def test_a_volunteer_signs_up_until_the_shift_is_full(programme):
    shift = ShiftFactory(occurrence=future_occurrence(programme), slots=2)
    first, second, third = (VolunteerFactory(programme=programme) for _ in range(3))
    shift_signup(actor=None, shift=shift, volunteer=first)
    shift_signup(actor=None, shift=shift, volunteer=second)
    with pytest.raises(ValidationError) as error:
        shift_signup(actor=None, shift=shift, volunteer=third)
    assert "shift" in error.value.message_dict
    assert shift.signups.filter(status=ShiftSignup.Status.SIGNED_UP).count() == 2


def test_a_volunteer_cannot_take_two_places_in_the_same_shift(programme):
    shift = ShiftFactory(occurrence=future_occurrence(programme), slots=3)
    volunteer = VolunteerFactory(programme=programme)
    shift_signup(actor=None, shift=shift, volunteer=volunteer)
    with pytest.raises(ValidationError):
        shift_signup(actor=None, shift=shift, volunteer=volunteer)
    assert shift.signups.count() == 1


def test_a_place_given_back_can_be_taken_by_another(programme):
    shift = ShiftFactory(occurrence=future_occurrence(programme), slots=1)
    first, second = VolunteerFactory(programme=programme), VolunteerFactory(programme=programme)
    signup = shift_signup(actor=None, shift=shift, volunteer=first)
    shift_cancel(actor=None, signup=signup)
    shift_signup(actor=None, shift=shift, volunteer=second)
    assert list(shift.signups.filter(status="signed_up").values_list("volunteer", flat=True)) == [second.pk]


def test_another_volunteer_cannot_cancel_my_place(programme, member):
    shift = ShiftFactory(occurrence=future_occurrence(programme))
    mine = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER))
    other = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER))
    signup = shift_signup(actor=mine.user, shift=shift, volunteer=mine)
    with pytest.raises(PermissionDenied):
        shift_cancel(actor=other.user, signup=signup)
    signup.refresh_from_db()
    assert signup.status == ShiftSignup.Status.SIGNED_UP


def test_a_past_or_cancelled_date_takes_no_sign_up(programme):
    volunteer = VolunteerFactory(programme=programme)
    for occurrence in (past_occurrence(programme), future_occurrence(programme, status="cancelled")):
        with pytest.raises(ValidationError):
            shift_signup(actor=None, shift=ShiftFactory(occurrence=occurrence), volunteer=volunteer)
    assert not ShiftSignup.objects.exists()


def test_open_shifts_leave_out_full_and_taken_ones(programme):
    volunteer = VolunteerFactory(programme=programme)
    full = ShiftFactory(occurrence=future_occurrence(programme), slots=1)
    SignupFactory(shift=full)
    taken = ShiftFactory(occurrence=future_occurrence(programme, days=8))
    SignupFactory(shift=taken, volunteer=volunteer)
    free = ShiftFactory(occurrence=future_occurrence(programme, days=9))
    assert list(open_shifts(volunteer)) == [free]


def test_hours_come_from_attended_shifts_and_confirmed_logs_only(programme, coordinator):
    volunteer = VolunteerFactory(programme=programme)
    served = ShiftFactory(occurrence=past_occurrence(programme, hours=2))
    missed = ShiftFactory(occurrence=past_occurrence(programme, days=4, hours=3))
    came, absent = SignupFactory(shift=served, volunteer=volunteer), SignupFactory(shift=missed, volunteer=volunteer)
    assert shift_attendance_set(actor=coordinator, shift=served, present={came.pk}) == 1
    shift_attendance_set(actor=coordinator, shift=missed, present=set())
    HourLogFactory(volunteer=volunteer, hours=Decimal("1.50"), status=HourLog.Status.CONFIRMED)
    HourLogFactory(volunteer=volunteer, hours=Decimal("4.00"), status=HourLog.Status.PENDING)
    HourLogFactory(volunteer=volunteer, hours=Decimal("5.00"), status=HourLog.Status.REJECTED)

    hours = volunteer_hours(volunteer)

    absent.refresh_from_db()
    assert absent.attended is False
    assert hours.shifts == Decimal("2.00")
    assert hours.logs == Decimal("1.50")
    assert hours.pending == Decimal("4.00")
    assert hours.total == Decimal("3.50")


def test_attendance_cannot_be_recorded_before_the_day(programme, coordinator):
    shift = ShiftFactory(occurrence=future_occurrence(programme))
    signup = SignupFactory(shift=shift)
    with pytest.raises(ValidationError):
        shift_attendance_set(actor=coordinator, shift=shift, present={signup.pk})
    signup.refresh_from_db()
    assert signup.attended is None


# --- Logged hours -------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", ["-2", "0", "30", "24.5"])
def test_an_impossible_log_for_one_day_is_refused_and_nothing_is_saved(programme, member, hours):
    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER))
    with pytest.raises(ValidationError) as error:
        hours_log(actor=volunteer.user, volunteer=volunteer, day=timezone.localdate(), hours=hours,
                  description="Accompagnamento")  # fmt: skip
    assert list(error.value.message_dict) == ["hours"]
    assert not HourLog.objects.exists()


def test_logs_of_one_day_never_add_up_to_more_than_24_hours(programme, member):
    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER))
    day = timezone.localdate() - timedelta(days=1)
    hours_log(actor=volunteer.user, volunteer=volunteer, day=day, hours="20", description="Festa di quartiere")
    with pytest.raises(ValidationError) as error:
        hours_log(actor=volunteer.user, volunteer=volunteer, day=day, hours="5", description="Pulizie")
    assert "hours" in error.value.message_dict
    assert HourLog.objects.count() == 1


def test_a_log_for_a_day_to_come_is_refused(programme, member):
    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER))
    with pytest.raises(ValidationError) as error:
        hours_log(actor=volunteer.user, volunteer=volunteer, day=timezone.localdate() + timedelta(days=2), hours="2",
                  description="Domani")  # fmt: skip
    assert "day" in error.value.message_dict


def test_my_log_waits_for_confirmation_and_the_lab_manager_confirms_it(programme, member, lab):
    partner, place = lab
    manager = member(Role.LAB_MANAGER, organisation=partner)
    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER), place=place)
    log = hours_log(actor=volunteer.user, volunteer=volunteer, day=date.today(), hours="2.5",  # noqa: DTZ011
                    description="Sistemazione della biblioteca")  # fmt: skip
    assert log.status == HourLog.Status.PENDING
    assert volunteer_hours(volunteer).total == 0
    with pytest.raises(PermissionDenied):
        hours_review(actor=volunteer.user, log=log, confirm=True)
    hours_review(actor=manager, log=log, confirm=True)
    log.refresh_from_db()
    assert log.status == HourLog.Status.CONFIRMED
    assert log.reviewed_by == manager
    assert volunteer_hours(volunteer).total == Decimal("2.50")


def test_a_lab_manager_of_another_organisation_cannot_confirm(programme, member, lab):
    _partner, place = lab
    other = OrganisationFactory(name="Altra associazione")
    PartnershipFactory(programme=programme, organisation=other)
    stranger = member(Role.LAB_MANAGER, organisation=other)
    log = HourLogFactory(volunteer=VolunteerFactory(programme=programme, place=place))
    with pytest.raises(PermissionDenied):
        hours_review(actor=stranger, log=log, confirm=True)
    log.refresh_from_db()
    assert log.status == HourLog.Status.PENDING


def test_hours_logged_by_a_coordinator_are_confirmed_at_once(programme, coordinator):
    volunteer = VolunteerFactory(programme=programme)
    log = hours_log(actor=coordinator, volunteer=volunteer, day=timezone.localdate(), hours="3",
                    description="Trasloco del laboratorio")  # fmt: skip
    assert log.status == HourLog.Status.CONFIRMED


# --- S22 --------------------------------------------------------------------------------------------

SIGN_UPS = 20
PLACES = 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_sign_ups_for_a_shift_with_two_places_give_exactly_two(programme):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    shift = ShiftFactory(occurrence=future_occurrence(programme), slots=PLACES)
    volunteers = [VolunteerFactory(programme=programme) for _ in range(SIGN_UPS)]
    start = Barrier(SIGN_UPS)

    def sign_up(n: int) -> str:
        start.wait()
        try:
            shift_signup(actor=None, shift=VolunteerShift.objects.get(pk=shift.pk), volunteer=volunteers[n])
        except ValidationError:
            return "full"
        finally:
            connections.close_all()
        return "signed_up"

    with ThreadPoolExecutor(max_workers=SIGN_UPS) as pool:
        outcomes = list(pool.map(sign_up, range(SIGN_UPS)))
    assert outcomes.count("signed_up") == PLACES
    assert outcomes.count("full") == SIGN_UPS - PLACES
    assert ShiftSignup.objects.filter(shift=shift, status=ShiftSignup.Status.SIGNED_UP).count() == PLACES
