"""The check-in sheet: who it lists, saving who was present, the refusals (someone not registered,
a cancelled or future date, a minor without a guardian's consent), a participant added on the spot,
who may open it, and a fixed query count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role, User
from trama.activities.attendance import participant_add
from trama.activities.models import Activity, Attendance, Occurrence, Registration
from trama.activities.services import Guardian
from trama.activities.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    OccurrenceFactory,
    RegistrationFactory,
)
from trama.casework.tests.factories import PersonFactory
from trama.core.tests.factories import (
    CommunityPlaceFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProgrammeFactory,
)
from trama.network.models import CommunityPlace, Organisation
from trama.people.models import Person
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db


# --- A lab, its manager and today's date of its activity (shared with the other page tests) ------


@dataclass
class Lab:
    programme: Programme
    organisation: Organisation
    place: CommunityPlace
    manager: User
    activity: Activity
    occurrence: Occurrence
    people: list[Person]


def earlier_today() -> datetime:
    """An hour ago: attendance is recorded from the day of the occurrence on, never before."""
    return timezone.now() - timedelta(hours=1)


def make_lab(
    programme: Programme,
    *,
    name: str = "Associazione Doposcuola",
    registration_required: bool = True,
    capacity: int | None = None,
    people: int = 3,
    starts_at: datetime | None = None,
    title: str = "Aiuto compiti",
) -> Lab:
    """An organisation of the partnership running a lab with a lab manager, an activity there with
    one occurrence (earlier today unless told) and `people` registered."""
    organisation = OrganisationFactory(name=name)
    PartnershipFactory(programme=programme, organisation=organisation)
    manager = MembershipFactory(programme=programme, organisation=organisation, role=Role.LAB_MANAGER).user
    place = CommunityPlaceFactory(programme=programme, managing_organisation=organisation, name=f"Laboratorio {name}")
    activity = ActivityFactory(
        programme=programme, place=place, title=title, registration_required=registration_required,
        capacity=capacity, expand=False,
    )  # fmt: skip
    start = starts_at or earlier_today()
    occurrence = OccurrenceFactory(activity=activity, starts_at=start, ends_at=start + timedelta(minutes=90))
    registered = [
        RegistrationFactory(activity=activity, person=PersonFactory(programme=programme)).person for _ in range(people)
    ]
    return Lab(programme, organisation, place, manager, activity, occurrence, registered)


def url(name: str, lab: Lab, occurrence: Occurrence | None = None) -> str:
    return reverse(f"activities:{name}", args=[lab.programme.slug, (occurrence or lab.occurrence).public_id])


def present(occurrence: Occurrence) -> set[int]:
    return set(Attendance.objects.filter(occurrence=occurrence).values_list("person_id", flat=True))


@pytest.fixture
def lab(programme: Programme) -> Lab:
    return make_lab(programme)


@pytest.fixture
def manager_client(client: Client, login: Callable[[Client, User], Client], lab: Lab) -> Client:
    return login(client, lab.manager)


# --- Who is listed ---------------------------------------------------------------------------


def test_it_lists_the_registered_people_with_the_attendance_already_recorded_ticked(manager_client, lab):
    first, second, third = lab.people
    AttendanceFactory(occurrence=lab.occurrence, person=second)
    waiting = RegistrationFactory(activity=lab.activity, status=Registration.Status.WAITING).person
    gone = RegistrationFactory(activity=lab.activity, status=Registration.Status.CANCELLED).person

    response = manager_client.get(url("checkin", lab))

    assert response.status_code == 200
    rows = {row["person"].pk: row["ticked"] for row in response.context["rows"]}
    assert rows == {first.pk: False, second.pk: True, third.pk: False}
    content = response.content.decode()
    assert f'value="{second.public_id}" id="present-{second.public_id}" checked' in content
    assert f'value="{first.public_id}" id="present-{first.public_id}">' in content
    assert str(gone.public_id) not in content
    assert str(waiting.public_id) not in content
    assert 'data-present="1"' in content
    assert 'id="checkin-search"' in content  # the search box, shown by checkin.js
    assert "js/checkin.js" in content


def test_it_also_lists_who_came_before_when_the_activity_needs_no_registration(client, login, programme):
    lab = make_lab(programme, registration_required=False, people=1)
    regular = PersonFactory(programme=programme, first_name="Giulia", last_name="Ferri")
    earlier = OccurrenceFactory(activity=lab.activity, starts_at=lab.occurrence.starts_at - timedelta(days=7))
    AttendanceFactory(occurrence=earlier, person=regular)
    later = OccurrenceFactory(activity=lab.activity, starts_at=lab.occurrence.starts_at + timedelta(days=7))
    AttendanceFactory(occurrence=later, person=PersonFactory(programme=programme, last_name="Futuro"))
    other_activity = OccurrenceFactory(activity=ActivityFactory(programme=programme, expand=False))
    AttendanceFactory(occurrence=other_activity, person=PersonFactory(programme=programme, last_name="Estraneo"))

    response = login(client, lab.manager).get(url("checkin", lab))

    listed = {row["person"].pk for row in response.context["rows"]}
    assert listed == {lab.people[0].pk, regular.pk}
    assert "Futuro" not in response.content.decode()
    assert "Estraneo" not in response.content.decode()


def test_it_does_not_list_who_came_before_when_registration_is_required(manager_client, lab):
    earlier = OccurrenceFactory(activity=lab.activity, starts_at=lab.occurrence.starts_at - timedelta(days=7))
    AttendanceFactory(occurrence=earlier, person=PersonFactory(programme=lab.programme))

    response = manager_client.get(url("checkin", lab))

    assert {row["person"].pk for row in response.context["rows"]} == {p.pk for p in lab.people}


# --- Saving ----------------------------------------------------------------------------------


def test_it_saves_who_was_present_and_who_was_not(manager_client, lab):
    first, second, third = lab.people
    AttendanceFactory(occurrence=lab.occurrence, person=first)

    response = manager_client.post(
        url("checkin", lab), {"present": [str(second.public_id), str(third.public_id)]}, follow=True
    )

    assert response.redirect_chain == [(url("checkin", lab), 302)]
    assert present(lab.occurrence) == {second.pk, third.pk}
    assert 'data-present="2"' in response.content.decode()
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert "2" in next(str(m) for m in response.context["messages"])
    attendance = Attendance.objects.get(occurrence=lab.occurrence, person=second)
    assert (attendance.recorded_by, attendance.date) == (lab.manager, timezone.localdate(lab.occurrence.starts_at))
    assert AuditEvent.objects.filter(target_id=str(lab.occurrence.public_id), action="update").exists()


def test_it_unmarks_everyone_when_nobody_is_ticked(manager_client, lab):
    AttendanceFactory(occurrence=lab.occurrence, person=lab.people[0])

    response = manager_client.post(url("checkin", lab), {})

    assert response.status_code == 302
    assert present(lab.occurrence) == set()


def test_it_refuses_someone_who_is_not_on_the_sheet_and_saves_nothing(manager_client, lab):
    stranger = PersonFactory(programme=lab.programme)

    response = manager_client.post(
        url("checkin", lab), {"present": [str(lab.people[0].public_id), str(stranger.public_id)]}
    )

    assert response.status_code == 200
    assert "present" in response.context["form"].errors
    assert present(lab.occurrence) == set()


def test_it_refuses_a_person_no_longer_registered_when_registration_is_required(manager_client, lab):
    """Recorded present, then their registration was cancelled: the sheet still shows them (so
    saving never drops them silently), and the service refuses to keep them."""
    dropped = PersonFactory(programme=lab.programme, last_name="Ritirato")
    RegistrationFactory(activity=lab.activity, person=dropped, status=Registration.Status.CANCELLED)
    AttendanceFactory(occurrence=lab.occurrence, person=dropped)

    response = manager_client.post(
        url("checkin", lab), {"present": [str(dropped.public_id), str(lab.people[0].public_id)]}
    )

    assert response.status_code == 200
    assert "__all__" in response.context["form"].errors
    assert "Ritirato" in response.context["form"].errors["__all__"][0]
    assert present(lab.occurrence) == {dropped.pk}
    assert 'id="checkin-errors"' in response.content.decode()


@pytest.mark.parametrize("when", ["cancelled", "future"])
def test_it_refuses_a_cancelled_or_future_date_and_saves_nothing(manager_client, lab, when):
    if when == "cancelled":
        Occurrence.objects.filter(pk=lab.occurrence.pk).update(status=Occurrence.Status.CANCELLED)
    else:
        start = timezone.now() + timedelta(days=2)
        Occurrence.objects.filter(pk=lab.occurrence.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))

    page = manager_client.get(url("checkin", lab))
    response = manager_client.post(url("checkin", lab), {"present": [str(lab.people[0].public_id)]})

    assert f'data-refusal="{when}"' in page.content.decode()
    assert 'id="checkin-save"' not in page.content.decode()
    assert response.status_code == 200
    assert "__all__" in response.context["form"].errors
    assert present(lab.occurrence) == set()


# --- A participant added on the spot ---------------------------------------------------------


def _participant(**overrides: object) -> dict[str, object]:
    data = {
        "form": "participant",
        "participant-first_name": "Nicolò",
        "participant-last_name": "Bassi",
        "participant-birth_date": "1980-04-02",
        "participant-gender": "M",
        "participant-guardian_name": "",
    }
    return data | {f"participant-{key}": value for key, value in overrides.items()}


def test_it_adds_a_participant_who_came_without_registering_and_marks_them_present(client, login, programme):
    lab = make_lab(programme, registration_required=False, people=0)

    response = login(client, lab.manager).post(url("checkin", lab), _participant(), follow=True)

    person = Person.objects.get(programme=programme, last_name="Bassi")
    assert (person.first_name, person.birth_date, person.gender) == ("Nicolò", date(1980, 4, 2), "M")
    registration = Registration.objects.get(activity=lab.activity, person=person)
    assert (registration.status, registration.source) == (Registration.Status.REGISTERED, Registration.Source.CONTACTS)
    assert present(lab.occurrence) == {person.pk}
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert {row["person"].pk for row in response.context["rows"]} == {person.pk}


def test_it_adds_a_minor_only_with_a_guardian_who_consents(client, login, programme):
    lab = make_lab(programme, registration_required=False, people=0)
    login(client, lab.manager)
    child = {"birth_date": "2017-09-10", "first_name": "Sara"}

    refused = client.post(url("checkin", lab), _participant(**child, guardian_name="Anna Bassi"))

    assert refused.status_code == 200
    assert set(refused.context["participant_form"].errors) == {"guardian_consent"}
    assert refused.context["participant_open"] is True
    assert not Person.objects.filter(first_name="Sara").exists()
    assert present(lab.occurrence) == set()

    accepted = client.post(
        url("checkin", lab), _participant(**child, guardian_name="Anna Bassi", guardian_consent="on")
    )

    assert accepted.status_code == 302
    registration = Registration.objects.get(person__first_name="Sara")
    assert registration.guardian_name == "Anna Bassi"
    assert registration.guardian_consent_at is not None
    assert present(lab.occurrence) == {registration.person_id}


def test_it_asks_for_the_guardian_of_a_minor(manager_client, lab):
    response = manager_client.post(url("checkin", lab), _participant(birth_date="2016-01-01"))

    assert set(response.context["participant_form"].errors) == {"guardian_name", "guardian_consent"}


def test_it_leaves_no_contact_behind_when_the_date_is_still_to_come(client, login, programme):
    lab = make_lab(programme, registration_required=False, people=0, starts_at=timezone.now() + timedelta(days=3))
    people = Person.objects.count()

    response = login(client, lab.manager).post(url("checkin", lab), _participant())

    assert response.status_code == 200
    assert "__all__" in response.context["participant_form"].errors
    assert Person.objects.count() == people
    assert not Registration.objects.filter(activity=lab.activity).exists()


def test_it_adds_nobody_to_a_full_activity_where_they_would_only_wait(client, login, programme):
    lab = make_lab(programme, registration_required=True, capacity=3, people=3)

    response = login(client, lab.manager).post(url("checkin", lab), _participant())

    assert "__all__" in response.context["participant_form"].errors
    assert not Person.objects.filter(last_name="Bassi").exists()
    assert present(lab.occurrence) == set()


def test_the_participant_service_refuses_a_lab_manager_of_another_organisation(programme, lab):
    other = make_lab(programme, name="Altra associazione")
    with pytest.raises(PermissionDenied):
        participant_add(
            actor=other.manager, occurrence=lab.occurrence, first_name="Ada", last_name="Neri",
            birth_date=date(1990, 1, 1), guardian=Guardian(name=""),
        )  # fmt: skip
    assert not Person.objects.filter(last_name="Neri").exists()


def test_the_attendance_service_refuses_a_minor_added_without_consent(programme, lab):
    with pytest.raises(ValidationError):
        participant_add(
            actor=lab.manager, occurrence=lab.occurrence, first_name="Ada", last_name="Neri",
            birth_date=date(2018, 1, 1), guardian=Guardian(name="Luca Neri", consents=False),
        )  # fmt: skip
    assert not Person.objects.filter(last_name="Neri").exists()


# --- Who may open it -------------------------------------------------------------------------


ROLES = {
    "coordinator": 200,
    "lab manager": 200,
    "lab manager of another organisation": 404,
    "operator": 403,
    "evaluator": 403,
    "volunteer": 403,
    "funder": 403,
    "coordinator of another programme": 404,
}


def persona(role: str, lab: Lab, member: Callable[..., User]) -> User:
    """The user of each role of the permission matrix, in `lab`'s programme unless told."""
    if role == "lab manager":
        return lab.manager
    if role == "lab manager of another organisation":
        return make_lab(lab.programme, name="Altra associazione", people=0).manager
    if role == "coordinator of another programme":
        return member(Role.COORDINATOR, of=ProgrammeFactory(slug="programma-z"))
    return member({"coordinator": Role.COORDINATOR, "operator": Role.OPERATOR, "evaluator": Role.EVALUATOR,
                   "volunteer": Role.VOLUNTEER, "funder": Role.FUNDER}[role])  # fmt: skip


@pytest.mark.parametrize(("role", "status"), ROLES.items())
def test_only_the_activitys_managers_open_and_save_the_sheet(client, login, lab, member, role, status):
    login(client, persona(role, lab, member))

    page = client.get(url("checkin", lab))
    saved = client.post(url("checkin", lab), {"present": [str(lab.people[0].public_id)]})

    assert page.status_code == status
    assert saved.status_code == (302 if status == 200 else status)
    assert present(lab.occurrence) == ({lab.people[0].pk} if status == 200 else set())


def test_it_sends_anonymous_visitors_to_the_login(client, lab):
    response = client.get(url("checkin", lab))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_answers_404_for_an_occurrence_of_another_programme(manager_client, lab, other_programme):
    elsewhere = OccurrenceFactory(activity=ActivityFactory(programme=other_programme, expand=False))
    response = manager_client.get(reverse("activities:checkin", args=[lab.programme.slug, elsewhere.public_id]))
    assert response.status_code == 404


def test_it_lets_a_lab_manager_run_an_activity_their_organisation_organises_elsewhere(client, login, programme, lab):
    elsewhere = ActivityFactory(programme=programme, expand=False)  # at a place of another organisation
    elsewhere.organisers.add(lab.organisation)
    occurrence = OccurrenceFactory(activity=elsewhere, starts_at=earlier_today())

    response = login(client, lab.manager).get(url("checkin", lab, occurrence))

    assert response.status_code == 200


# --- Cost ------------------------------------------------------------------------------------


def _queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(address).status_code == 200
    return len(context.captured_queries)


def test_the_sheet_costs_the_same_queries_for_2_and_20_people(client, login, programme, django_assert_max_num_queries):
    small = make_lab(programme, people=2)
    large = make_lab(programme, name="Grande associazione", people=20)
    for person in large.people[:10]:
        AttendanceFactory(occurrence=large.occurrence, person=person)
    AttendanceFactory(occurrence=small.occurrence, person=small.people[0])
    login(client, small.manager)
    few = _queries(client, url("checkin", small))
    login(client, large.manager)
    many = _queries(client, url("checkin", large))

    assert few == many
    with django_assert_max_num_queries(few):
        client.get(url("checkin", large))
