"""The staff pages that run activities: list, create with a schedule, edit with a version, dates
moved and cancelled, registrations from a followed family or the lab's contacts, closures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import Role
from trama.activities.models import Activity, Closure, Occurrence, Registration
from trama.activities.tests.factories import ActivityFactory, RegistrationFactory
from trama.casework.tests.factories import PersonFactory
from trama.core.tests.factories import CommunityPlaceFactory, OrganisationFactory, PartnershipFactory
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(programme, lead):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    return CommunityPlaceFactory(programme=programme, managing_organisation=lead, name="Laboratorio Borgo")


def _url(name, programme, **kwargs):
    return reverse(f"activities:{name}", kwargs={"slug": programme.slug, **kwargs})


def _create_data(lab, **overrides):
    data = {
        "title": "Aiuto compiti", "kind": "homework_help", "audience": "children_6_10", "place": str(lab.public_id),
        "first_day": "2026-09-14", "start_time": "16:30", "duration_minutes": "90", "repeat": "WEEKLY",
        "weekdays": ["MO", "WE"], "until": "2026-10-31", "skip_closures": "on", "is_public": "on",
        "registration_required": "on", "capacity": "12",
    }  # fmt: skip
    return data | overrides


def test_a_coordinator_creates_a_weekly_activity_and_its_dates(client, login, coordinator, programme, lab):
    login(client, coordinator)
    response = client.post(_url("create", programme), _create_data(lab))
    activity = Activity.objects.get(title="Aiuto compiti")
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert activity.recurrence == "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261031T225959Z"
    assert activity.municipality == lab.municipality
    # Mondays and Wednesdays from 14 September to 31 October 2026: 7 weeks × 2.
    assert activity.occurrences.count() == 14


def test_a_weekly_activity_without_days_is_refused_and_nothing_is_saved(client, login, coordinator, programme, lab):
    login(client, coordinator)
    response = client.post(_url("create", programme), _create_data(lab, weekdays=[]))
    assert response.status_code == 200
    assert "weekdays" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_a_lab_manager_cannot_create_an_activity_at_someone_elses_place(client, login, member, programme, lab):
    other = OrganisationFactory(name="Altra associazione")
    PartnershipFactory(programme=programme, organisation=other)
    login(client, member(Role.LAB_MANAGER, organisation=other))
    response = client.post(_url("create", programme), _create_data(lab))
    assert response.status_code == 200
    assert "place" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_an_edit_from_a_stale_version_is_refused(client, login, coordinator, programme, lab):
    activity = ActivityFactory(programme=programme, place=lab, title="Sport")
    activity.version = 3
    activity.save()
    login(client, coordinator)
    data = _create_data(lab, title="Sport al parco", repeat="", version="1", status="active")
    response = client.post(_url("edit", programme, activity_id=activity.public_id), data)
    assert response.status_code == 302, response.context["form"].errors
    activity.refresh_from_db()
    assert activity.title == "Sport"


def test_the_activity_list_costs_the_same_queries_for_two_or_twenty(client, login, coordinator, programme, lab,
                                                                   django_assert_num_queries):  # fmt: skip
    login(client, coordinator)
    url = _url("list", programme)
    ActivityFactory.create_batch(2, programme=programme, place=lab, expand=False)
    client.get(url)  # the first request of a session also refreshes the session's marks
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    ActivityFactory.create_batch(18, programme=programme, place=lab, expand=False)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 20


def test_the_list_filters_by_kind_and_title(client, login, coordinator, programme, lab):
    ActivityFactory(programme=programme, place=lab, title="Calcio", kind=Activity.Kind.SPORT, expand=False)
    ActivityFactory(programme=programme, place=lab, title="Aiuto compiti", expand=False)
    login(client, coordinator)
    response = client.get(_url("list", programme), {"kind": "sport"})
    assert [a.title for a in response.context["page"].object_list] == ["Calcio"]
    response = client.get(_url("list", programme), {"q": "compiti"})
    assert [a.title for a in response.context["page"].object_list] == ["Aiuto compiti"]


def test_evaluators_and_volunteers_do_not_see_the_activities(client, login, member, programme):
    for role in (Role.EVALUATOR, Role.VOLUNTEER, Role.FUNDER):
        login(client, member(role))
        assert client.get(_url("list", programme)).status_code == 403


def test_an_operator_registers_a_child_of_a_family_they_follow_with_the_guardians_consent(client, login, casework):
    programme = casework.case.programme
    activity = ActivityFactory(programme=programme, registration_required=True)
    child = PersonFactory(programme=programme, birth_date=date(2016, 4, 2), first_name="Giulia")
    casework.household.memberships.create(person=child, relation="child")
    login(client, casework.owner)
    url = _url("register-household", programme, activity_id=activity.public_id)
    response = client.post(url, {"household-person": str(child.public_id)})
    assert response.status_code == 200  # a minor: the guardian must consent
    assert not Registration.objects.exists()
    response = client.post(url, {"household-person": str(child.public_id), "household-guardian_name": "Anna Rossi",
                                 "household-guardian_consents": "on"})  # fmt: skip
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.household == casework.household
    assert registration.source == Registration.Source.CASE


def test_an_operator_cannot_pick_a_person_of_a_family_they_do_not_follow(client, login, casework):
    programme = casework.case.programme
    activity = ActivityFactory(programme=programme)
    login(client, casework.colleague)
    response = client.post(
        _url("register-household", programme, activity_id=activity.public_id),
        {"household-person": str(casework.person.public_id)},
    )
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_a_lab_manager_registers_a_contact_and_finds_them_again(client, login, member, programme, lab, lead):
    activity = ActivityFactory(programme=programme, place=lab)
    login(client, member(Role.LAB_MANAGER, organisation=lead))
    url = _url("register-contact", programme, activity_id=activity.public_id)
    data = {"contact-first_name": "Marco", "contact-last_name": "Verdi", "contact-birth_date": "1979-03-02"}
    assert client.post(url, data).status_code == 302
    other = ActivityFactory(programme=programme, place=lab)
    client.post(_url("register-contact", programme, activity_id=other.public_id), data)
    assert Registration.objects.filter(person__last_name="Verdi").values("person").distinct().count() == 1


def test_cancelling_a_registration_asks_first_and_promotes_the_waiting_list(client, login, coordinator, programme, lab):
    activity = ActivityFactory(programme=programme, place=lab, registration_required=True, capacity=1)
    first = RegistrationFactory(activity=activity)
    waiting = RegistrationFactory(activity=activity, status=Registration.Status.WAITING)
    login(client, coordinator)
    url = _url("registration-cancel", programme, registration_id=first.public_id)
    assert client.get(url).status_code == 200
    first.refresh_from_db()
    assert first.status == Registration.Status.REGISTERED
    assert client.post(url).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.REGISTERED


def test_a_date_is_moved_and_another_cancelled_from_the_pages(client, login, coordinator, programme, lab):
    start = timezone.localtime().replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=2)
    activity = ActivityFactory(programme=programme, place=lab, first_start=start, recurrence="FREQ=DAILY;COUNT=3")
    first, second, _ = activity.occurrences.order_by("starts_at")
    login(client, coordinator)
    response = client.post(
        _url("occurrence-move", programme, occurrence_id=first.public_id),
        {"day": (start + timedelta(days=1)).strftime("%Y-%m-%d"), "start_time": "18:00", "end_time": "17:00"},
    )
    assert "end_time" in response.context["form"].errors
    client.post(
        _url("occurrence-move", programme, occurrence_id=first.public_id),
        {"day": start.strftime("%Y-%m-%d"), "start_time": "18:00", "end_time": "19:30", "note": "Palestra"},
    )
    client.post(_url("occurrence-cancel", programme, occurrence_id=second.public_id), {"note": "Sciopero"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_moved
    assert timezone.localtime(first.starts_at).hour == 18
    assert second.status == Occurrence.Status.CANCELLED


def test_a_coordinator_adds_the_christmas_closure(client, login, coordinator, programme):
    login(client, coordinator)
    url = _url("closures", programme)
    response = client.post(url, {"name": "Natale", "start_date": "2027-01-06", "end_date": "2026-12-23"})
    assert "end_date" in response.context["form"].errors
    client.post(url, {"name": "Natale", "start_date": "2026-12-23", "end_date": "2027-01-06"})
    assert Closure.objects.get(programme=programme).name == "Natale"


def test_the_activity_page_shows_registrations_to_its_managers_and_only_their_own_to_an_operator(
    client, login, casework
):
    programme = casework.case.programme
    activity = ActivityFactory(programme=programme, place__managing_organisation=casework.partner)
    followed = RegistrationFactory(activity=activity, person=casework.person, household=casework.household)
    stranger = RegistrationFactory(activity=activity)
    url = activity.get_absolute_url()

    login(client, casework.lab_manager)
    page = client.get(url).context["page"]
    assert {r.pk for r in page.registrations} == {followed.pk, stranger.pk}

    login(client, casework.owner)
    response = client.get(url)
    assert [r.pk for r in response.context["page"].registrations] == [followed.pk]
    assert response.context["page"].registered_count == 2
    assert str(stranger.person) not in response.content.decode()

    login(client, casework.evaluator)
    assert client.get(url).status_code == 403


def test_the_activity_page_costs_the_same_queries_for_few_or_many_registrations(client, login, coordinator,
                                                                               programme, lab):  # fmt: skip
    activity = ActivityFactory(programme=programme, place=lab, recurrence="FREQ=WEEKLY;COUNT=20")
    RegistrationFactory.create_batch(2, activity=activity)
    login(client, coordinator)
    client.get(activity.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(activity.get_absolute_url())
    RegistrationFactory.create_batch(15, activity=activity)
    with CaptureQueriesContext(connection) as second:
        response = client.get(activity.get_absolute_url())
    assert len(response.context["page"].registrations) == 17
    assert len(second.captured_queries) == len(first.captured_queries)


def test_an_extra_date_is_added_outside_the_schedule(client, login, coordinator, programme, lab):
    activity = ActivityFactory(programme=programme, place=lab)
    login(client, coordinator)
    response = client.post(
        _url("occurrence-add", programme, activity_id=activity.public_id),
        {"day": "2026-12-19", "start_time": "10:00", "end_time": "12:00"},
    )
    assert response.status_code == 302
    extra = activity.occurrences.get(original_start__isnull=True)
    assert timezone.localtime(extra.starts_at).hour == 10
