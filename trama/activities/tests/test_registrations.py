"""Registrations: places, the waiting list and its promotion, minors and their guardians, who may
register whom — and S22: fifty concurrent sign-ups for ten places give exactly ten."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from trama.activities.models import Activity, Registration
from trama.activities.services import Guardian, public_signup, registration_cancel, registration_create
from trama.activities.tests.factories import ActivityFactory, RegistrationFactory
from trama.casework.tests.factories import PersonFactory
from trama.people.models import Consent, Person

pytestmark = pytest.mark.django_db
PARENT = Guardian(name="Maria Bianchi", phone="333 1234567", consents=True)


def _register(activity, person, **kwargs):
    return registration_create(actor=None, activity=activity, person=person, source="contacts", **kwargs)


def test_it_puts_the_eleventh_person_on_the_waiting_list_of_ten_places(programme):
    activity = ActivityFactory(programme=programme, registration_required=True, capacity=10)
    outcomes = [_register(activity, PersonFactory(programme=programme)).status for _ in range(11)]
    assert outcomes.count(Registration.Status.REGISTERED) == 10
    assert outcomes[-1] == Registration.Status.WAITING


def test_a_freed_place_goes_to_the_first_on_the_waiting_list(programme):
    activity = ActivityFactory(programme=programme, registration_required=True, capacity=1)
    first = _register(activity, PersonFactory(programme=programme))
    second = _register(activity, PersonFactory(programme=programme))
    third = _register(activity, PersonFactory(programme=programme))

    promoted = registration_cancel(actor=None, registration=first)

    assert [r.pk for r in promoted] == [second.pk]
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Registration.Status.REGISTERED
    assert second.promoted_at is not None
    assert third.status == Registration.Status.WAITING


def test_more_places_promote_as_many_from_the_waiting_list(programme, coordinator):
    from trama.activities.services import activity_update

    activity = ActivityFactory(programme=programme, registration_required=True, capacity=1)
    for _ in range(3):
        _register(activity, PersonFactory(programme=programme))
    activity_update(actor=None, activity=activity, expected_version=1, fields={"capacity": 2})
    assert activity.registrations.filter(status=Registration.Status.REGISTERED).count() == 2


def test_places_cannot_be_reduced_below_the_people_registered(programme):
    from trama.activities.services import activity_update

    activity = ActivityFactory(programme=programme, registration_required=True, capacity=5)
    for _ in range(3):
        _register(activity, PersonFactory(programme=programme))
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, expected_version=1, fields={"capacity": 2})
    assert "capacity" in error.value.message_dict
    activity.refresh_from_db()
    assert activity.capacity == 5


def test_it_refuses_a_minor_without_a_guardian_consenting_and_saves_nothing(programme):
    activity = ActivityFactory(programme=programme, registration_required=True)
    child = PersonFactory(programme=programme, birth_date=date(2016, 5, 1))
    with pytest.raises(ValidationError):
        _register(activity, child, guardian=Guardian(name="Maria Bianchi", consents=False))
    assert not Registration.objects.exists()
    registration = _register(activity, child, guardian=PARENT)
    assert registration.guardian_name == "Maria Bianchi"
    assert registration.guardian_consent_at is not None


def test_the_public_sign_up_of_a_child_without_consent_saves_nothing(programme):
    activity = ActivityFactory(programme=programme, registration_required=True, capacity=5)
    with pytest.raises(ValidationError):
        public_signup(activity=activity, first_name="Luca", last_name="Bianchi", birth_date=date(2017, 2, 3),
                      guardian=Guardian(name="Maria Bianchi", consents=False))  # fmt: skip
    assert not Person.objects.filter(first_name="Luca").exists()
    assert not Registration.objects.exists()


def test_the_public_sign_up_finds_the_same_person_again_and_records_the_guardians_consent(programme):
    first = ActivityFactory(programme=programme, registration_required=True)
    second = ActivityFactory(programme=programme, registration_required=True)
    for activity in (first, second):
        public_signup(activity=activity, first_name="Luca", last_name="Bianchi", birth_date=date(2017, 2, 3),
                      guardian=PARENT)  # fmt: skip
    person = Person.objects.get(first_name="Luca")
    assert person.registrations.count() == 2
    consent = person.consents.filter(purpose=Consent.Purpose.CONTACT).first()
    assert consent.given_by == Consent.GivenBy.GUARDIAN
    assert consent.guardian_name == "Maria Bianchi"


def test_the_public_sign_up_is_refused_for_an_internal_activity(programme):
    activity = ActivityFactory(programme=programme, registration_required=True, is_public=False)
    with pytest.raises(ValidationError):
        public_signup(activity=activity, first_name="Anna", last_name="Neri", birth_date=date(1980, 1, 1),
                      guardian=None)  # fmt: skip
    assert not Registration.objects.exists()


def test_a_person_cannot_be_registered_twice(programme):
    activity = ActivityFactory(programme=programme)
    person = PersonFactory(programme=programme)
    _register(activity, person)
    with pytest.raises(ValidationError):
        _register(activity, person)
    assert activity.registrations.count() == 1


def test_an_operator_registers_a_member_of_a_household_they_follow(casework):
    activity = ActivityFactory(programme=casework.case.programme)
    registration = registration_create(
        actor=casework.owner, activity=activity, person=casework.person, household=casework.household, source="case"
    )
    assert registration.status == Registration.Status.REGISTERED
    assert registration.household == casework.household


def test_an_operator_off_the_case_cannot_register_its_household(casework):
    activity = ActivityFactory(programme=casework.case.programme)
    for outsider in (casework.colleague, casework.stranger, casework.evaluator):
        with pytest.raises(PermissionDenied):
            registration_create(actor=outsider, activity=activity, person=casework.person,
                                household=casework.household, source="case")  # fmt: skip
    assert not Registration.objects.exists()


def test_a_lab_manager_registers_only_at_their_own_places(casework):
    own = ActivityFactory(programme=casework.case.programme, place__managing_organisation=casework.partner)
    other = ActivityFactory(programme=casework.case.programme)
    person = PersonFactory(programme=own.programme)
    registration_create(actor=casework.lab_manager, activity=own, person=person, source="contacts")
    with pytest.raises(PermissionDenied):
        registration_create(actor=casework.lab_manager, activity=other, person=person, source="contacts")


def test_a_person_of_another_programme_cannot_be_registered(programme, other_programme):
    activity = ActivityFactory(programme=programme)
    with pytest.raises(ValidationError):
        _register(activity, PersonFactory(programme=other_programme))


def test_cancelling_twice_promotes_nobody_twice(programme):
    activity = ActivityFactory(programme=programme, registration_required=True, capacity=1)
    first = RegistrationFactory(activity=activity)
    waiting = RegistrationFactory(activity=activity, status=Registration.Status.WAITING)
    registration_cancel(actor=None, registration=first)
    assert registration_cancel(actor=None, registration=first) == []
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.REGISTERED


SIGN_UPS = 50
PLACES = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_sign_ups_for_ten_places_register_exactly_ten(programme):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    activity = ActivityFactory(programme=programme, registration_required=True, capacity=PLACES, expand=False)
    people = [PersonFactory(programme=programme) for _ in range(SIGN_UPS)]
    start = Barrier(SIGN_UPS)

    def sign_up(n: int) -> str:
        start.wait()
        try:
            return _register(Activity.objects.get(pk=activity.pk), people[n]).status
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=SIGN_UPS) as pool:
        outcomes = list(pool.map(sign_up, range(SIGN_UPS)))
    assert outcomes.count(Registration.Status.REGISTERED) == PLACES
    assert outcomes.count(Registration.Status.WAITING) == SIGN_UPS - PLACES
    assert activity.registrations.filter(status=Registration.Status.REGISTERED).count() == PLACES


def test_a_second_public_sign_up_does_not_tell_whether_the_person_is_known(programme):
    activity = ActivityFactory(programme=programme, registration_required=True)
    public_signup(
        activity=activity, first_name="Luca", last_name="Bianchi", birth_date=date(2017, 2, 3), guardian=PARENT
    )
    with pytest.raises(ValidationError) as error:
        public_signup(activity=activity, first_name="Luca", last_name="Bianchi", birth_date=date(2017, 2, 3),
                      guardian=PARENT)  # fmt: skip
    assert "Luca" not in str(error.value)
    assert activity.registrations.count() == 1
