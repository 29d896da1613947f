"""Signing up from the public calendar: an adult for themselves, a parent or guardian for a
minor with explicit consent, the waiting list when full, refusals, and the rate limit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from trama.activities.models import Activity, Registration
from trama.activities.tests.factories import ActivityFactory, RegistrationFactory, rome
from trama.activities.views.public import SIGNUP_RATE
from trama.casework.services.intake import help_rate_limited
from trama.people.models import Consent, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limit lives in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


def _tomorrow() -> object:
    day = timezone.localdate() + timedelta(days=1)
    return rome(day.year, day.month, day.day, 16, 30)


def _years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=10)


@pytest.fixture
def activity(programme) -> Activity:
    return ActivityFactory(programme=programme, title="Centro estivo", first_start=_tomorrow(),
                           recurrence="FREQ=DAILY;COUNT=5", registration_required=True, capacity=10)  # fmt: skip


def _signup_url(activity: Activity) -> str:
    return reverse("activities-public:signup", args=[activity.programme.slug, activity.public_id])


def _thanks_url(activity: Activity) -> str:
    return reverse("activities-public:signup-thanks", args=[activity.programme.slug, activity.public_id])


def _adult(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Ottavio", "last_name": "Bellincioni", "birth_date": _years_ago(40).isoformat(),
        "phone": "0382 555123", "email": "", "guardian_name": "", "guardian_phone": "", "guardian_email": "",
        "consent": "on",
    }  # fmt: skip
    return data | overrides


def _child(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Lavinia", "last_name": "Scognamiglio", "birth_date": _years_ago(9).isoformat(),
        "phone": "", "email": "", "guardian_name": "Rosaria Scognamiglio", "guardian_phone": "+39 333 1234567",
        "guardian_email": "rosaria@example.org", "consent": "on",
    }  # fmt: skip
    return {key: value for key, value in (data | overrides).items() if value is not None}


def test_it_signs_an_adult_up_and_confirms_the_place_without_personal_data_in_the_address(client, activity):
    response = client.post(_signup_url(activity), _adult())

    assert response.status_code == 302
    assert response["Location"] == _thanks_url(activity)
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.source == Registration.Source.PUBLIC_FORM
    assert registration.guardian_name == ""
    assert registration.guardian_consent_at is None
    person = registration.person
    assert (person.first_name, person.last_name, person.phone) == ("Ottavio", "Bellincioni", "0382 555123")
    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.given_by) == (Consent.Purpose.CONTACT, Consent.GivenBy.SELF)
    assert "Bellincioni" not in response["Location"]
    assert str(registration.public_id) not in response["Location"]

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert 'data-status="registered"' in thanks.content.decode()
    assert "Bellincioni" not in thanks.content.decode()
    assert "no-cache" in thanks["Cache-Control"] or "no-store" in thanks["Cache-Control"]


def test_it_signs_a_child_up_with_the_guardians_consent(client, activity):
    response = client.post(_signup_url(activity), _child())

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.guardian_name == "Rosaria Scognamiglio"
    assert registration.guardian_phone == "+39 333 1234567"
    assert registration.guardian_email == "rosaria@example.org"
    assert registration.guardian_consent_at is not None
    child = registration.person
    assert (child.first_name, child.birth_date) == ("Lavinia", _years_ago(9))
    assert child.phone == ""
    assert child.email == ""
    consent = Consent.objects.get(person=child)
    assert consent.given_by == Consent.GivenBy.GUARDIAN
    assert consent.guardian_name == "Rosaria Scognamiglio"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": None}, "consent"),
        ({"guardian_name": ""}, "guardian_name"),
        ({"guardian_phone": "", "guardian_email": ""}, "guardian_phone"),
    ],
)
def test_it_refuses_a_minor_without_the_guardians_name_contact_or_consent_and_saves_nothing(
    client, activity, overrides, field
):
    response = client.post(_signup_url(activity), _child(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Person.objects.count() == 0
    assert Registration.objects.count() == 0
    assert Consent.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "chiamami"}, "phone"),
        ({"birth_date": (timezone.localdate() + timedelta(days=3)).isoformat()}, "birth_date"),
        ({"birth_date": "1850-01-01"}, "birth_date"),
        ({"consent": ""}, "consent"),
    ],
)
def test_it_refuses_bad_input_from_an_adult_and_saves_nothing(client, activity, overrides, field):
    response = client.post(_signup_url(activity), _adult(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Person.objects.count() == 0
    assert Registration.objects.count() == 0


def test_it_shows_the_services_refusal_on_the_form(client, activity):
    client.post(_signup_url(activity), _adult())
    response = client.post(_signup_url(activity), _adult())  # the same person again

    assert response.status_code == 200
    assert "__all__" in response.context["form"].errors
    assert Registration.objects.count() == 1


def test_it_puts_the_sign_up_on_the_waiting_list_when_every_place_is_taken(client, activity):
    activity.capacity = 1
    activity.save(update_fields=["capacity"])
    RegistrationFactory(activity=activity)

    response = client.post(_signup_url(activity), _child())

    assert response.status_code == 302
    mine = Registration.objects.get(person__first_name="Lavinia")
    assert mine.status == Registration.Status.WAITING
    assert 'data-status="waiting"' in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("change", ["no_registration", "internal", "archived", "past"])
def test_it_refuses_a_sign_up_where_the_calendar_takes_none(client, programme, change):
    fields = {"registration_required": True, "first_start": _tomorrow()}
    if change == "no_registration":
        fields["registration_required"] = False
    elif change == "internal":
        fields["is_public"] = False
    elif change == "archived":
        fields["status"] = Activity.Status.ARCHIVED
    else:
        fields["first_start"] = _tomorrow() - timedelta(days=10)
    activity = ActivityFactory(programme=programme, **fields)

    assert client.post(_signup_url(activity), _adult()).status_code == 404
    assert client.get(_signup_url(activity)).status_code == 404
    assert Person.objects.count() == 0
    assert Registration.objects.count() == 0
    if change in ("no_registration", "past"):
        assert 'id="signup-form"' not in client.get(activity.get_public_url()).content.decode()


def test_it_sends_a_get_of_the_sign_up_address_to_the_form(client, activity):
    response = client.get(_signup_url(activity))
    assert response.status_code == 302
    assert response["Location"] == f"{activity.get_public_url()}#iscrizione"


def test_the_thanks_page_without_a_sign_up_in_the_session_goes_back_to_the_activity(client, activity):
    response = client.get(_thanks_url(activity))
    assert response.status_code == 302
    assert response["Location"] == activity.get_public_url()


def test_it_limits_the_sign_ups_from_one_connection_with_a_budget_apart_from_the_help_form(client, activity):
    for number in range(SIGNUP_RATE.limit):
        assert client.post(_signup_url(activity), _adult(first_name=f"Persona{number}")).status_code == 302

    response = client.post(_signup_url(activity), _adult(first_name="Ultima"))

    assert response.status_code == 429
    assert Registration.objects.count() == SIGNUP_RATE.limit
    assert not Person.objects.filter(first_name="Ultima").exists()
    # The "I need help" form of the same programme is still open to this connection.
    assert not help_rate_limited(programme=activity.programme, client_ip="127.0.0.1")
