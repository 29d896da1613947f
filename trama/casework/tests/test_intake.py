"""Intake: the public "I need help" form, internal signals, the queue and its triage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role
from trama.casework.models import Case, CasePhaseChange, CaseTeamMember, IntakeRequest
from trama.casework.services import intake as services
from trama.casework.tests.factories import HouseholdFactory, IntakeRequestFactory
from trama.core.tests.factories import ActionLineFactory, MembershipFactory, ProgrammeFactory
from trama.people.models import Household, HouseholdMember, Person
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db

CANARY = "CANARY-intake-7f3a9 la nostra situazione"
PAVIA, CAVA = "018110", "018041"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limit lives in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def territory(programme):
    programme.municipalities.add(*Municipality.objects.filter(istat_code__in=[PAVIA, CAVA]))
    return programme


def _help_url(programme) -> str:
    return reverse("help:request", kwargs={"slug": programme.slug})


def _form(**overrides) -> dict[str, str]:
    data = {
        "name": "Maria Rossi",
        "phone": "0382 123456",
        "email": "",
        "municipality": PAVIA,
        "has_minors": "yes",
        "message": CANARY,
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The public form ------------------------------------------------------------------------


def test_it_shows_the_form_of_a_public_programme_with_privacy_notice_and_hidden_honeypot(client, territory):
    response = client.get(_help_url(territory))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Privacy notice" in body or "Informativa" in body
    assert 'name="consent"' in body
    honeypot = body[body.index('class="d-none" aria-hidden="true"') :]
    honeypot = honeypot[: honeypot.index("</div>")]
    assert 'name="website"' in honeypot
    assert 'tabindex="-1"' in honeypot
    assert 'autocomplete="off"' in honeypot
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_it_hides_the_form_of_a_programme_that_is_not_public(client, territory):
    territory.is_public = False
    territory.save()
    assert client.get(_help_url(territory)).status_code == 404
    assert client.post(_help_url(territory), _form()).status_code == 404
    assert IntakeRequest.objects.count() == 0


def test_it_stores_exactly_one_request_with_the_message_encrypted(client, territory):
    response = client.post(_help_url(territory), _form())
    assert response.status_code == 302
    assert response["Location"] == reverse("help:thanks", kwargs={"slug": territory.slug})
    request = IntakeRequest.objects.get()
    assert (request.channel, request.contact_name, request.contact_phone) == (
        "public_form",
        "Maria Rossi",
        "0382 123456",
    )
    assert request.municipality.istat_code == PAVIA
    assert request.has_minors is True
    assert request.message == CANARY
    assert request.consent_at is not None
    assert request.status == IntakeRequest.Status.NEW
    assert request.submitted_by is None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT message FROM {IntakeRequest._meta.db_table} WHERE id = %s", [request.pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    assert "CANARY" not in raw
    assert raw.startswith("enc1:")
    assert AuditEvent.objects.filter(action="create", target_id=str(request.public_id)).count() == 1


def test_it_never_echoes_the_message_on_the_thank_you_page(client, territory):
    response = client.post(_help_url(territory), _form(), follow=True)
    assert response.status_code == 200
    assert "CANARY" not in response.content.decode()


def test_it_requires_the_consent(client, territory):
    response = client.post(_help_url(territory), _form(consent=None))
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert IntakeRequest.objects.count() == 0


def test_it_requires_a_telephone_or_an_email(client, territory):
    response = client.post(_help_url(territory), _form(phone="", email=""))
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="no_contact")
    assert IntakeRequest.objects.count() == 0


def test_it_accepts_an_email_alone(client, territory):
    assert client.post(_help_url(territory), _form(phone="", email="maria@example.org")).status_code == 302
    assert IntakeRequest.objects.get().contact_email == "maria@example.org"


def test_it_refuses_a_municipality_outside_the_programme(client, territory):
    response = client.post(_help_url(territory), _form(municipality="015146"))  # Milano
    assert "municipality" in response.context["form"].errors
    assert IntakeRequest.objects.count() == 0


def test_it_pretends_success_to_a_bot_that_fills_the_honeypot(client, territory):
    response = client.post(_help_url(territory), _form(website="https://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("help:thanks", kwargs={"slug": territory.slug})
    assert IntakeRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_it_limits_the_submissions_of_one_address_per_programme(client, territory):
    for _ in range(services.HELP_RATE_LIMIT):
        assert client.post(_help_url(territory), _form()).status_code == 302
    response = client.post(_help_url(territory), _form())
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode() or "Troppe" in response.content.decode()
    assert "CANARY" not in response.content.decode()
    assert IntakeRequest.objects.count() == services.HELP_RATE_LIMIT
    # Another address, or another programme, is not affected.
    assert client.post(_help_url(territory), _form(), REMOTE_ADDR="10.0.0.9").status_code == 302
    other = ProgrammeFactory(slug="programma-c")
    other.municipalities.add(Municipality.objects.get(istat_code=PAVIA))
    assert client.post(_help_url(other), _form()).status_code == 302


def test_it_counts_the_bots_caught_by_the_honeypot_too(client, territory):
    for _ in range(services.HELP_RATE_LIMIT):
        client.post(_help_url(territory), _form(website="x"))
    assert client.post(_help_url(territory), _form()).status_code == 429
    assert IntakeRequest.objects.count() == 0


# --- Signals --------------------------------------------------------------------------------


def _signal_url(programme) -> str:
    return reverse("casework:signal-create", kwargs={"slug": programme.slug})


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LAB_MANAGER, Role.COORDINATOR])
def test_it_lets_the_people_who_work_in_the_programme_signal_a_family(client, login, territory, casework, role):
    user = MembershipFactory(programme=territory, organisation=casework.partner, role=role).user
    login(client, user)
    data = {"channel": "school", "name": "Famiglia Bianchi", "phone": "", "email": "", "municipality": CAVA,
            "has_minors": "yes", "message": CANARY}  # fmt: skip
    response = client.post(_signal_url(territory), data)
    assert response.status_code == 302
    request = IntakeRequest.objects.get()
    assert (request.channel, request.submitted_by, request.submitted_for) == ("school", user, casework.partner)
    assert request.message == CANARY


def test_it_asks_for_whom_a_member_of_two_organisations_signals(client, login, territory, casework):
    user = casework.owner
    MembershipFactory(user=user, programme=territory, organisation=casework.other_organisation, role=Role.LAB_MANAGER)
    login(client, user)
    form = client.get(_signal_url(territory)).context["form"]
    assert {value for value, _ in form.fields["organisation"].choices} == {
        str(casework.partner.public_id), str(casework.other_organisation.public_id),
    }  # fmt: skip
    data = {"channel": "lab", "name": "Famiglia Neri", "has_minors": "no",
            "organisation": str(casework.other_organisation.public_id)}  # fmt: skip
    assert client.post(_signal_url(territory), data).status_code == 302
    assert IntakeRequest.objects.get().submitted_for == casework.other_organisation


def test_it_refuses_a_signal_with_the_public_channel(client, login, territory, casework):
    login(client, casework.owner)
    response = client.post(_signal_url(territory), {"channel": "public_form", "name": "X", "has_minors": "no"})
    assert "channel" in response.context["form"].errors
    assert IntakeRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("evaluator", 403), ("volunteer", 403), ("funder", 403), ("outsider", 404)]
)
def test_it_refuses_signals_from_other_roles(client, login, territory, casework, persona, status):
    login(client, getattr(casework, persona))
    assert client.get(_signal_url(territory)).status_code == status
    assert (
        client.post(_signal_url(territory), {"channel": "school", "name": "X", "has_minors": "no"}).status_code
        == status
    )
    assert IntakeRequest.objects.count() == 0


def test_it_refuses_a_signal_through_the_service_without_a_membership(casework, other_programme):
    with pytest.raises(PermissionDenied):
        services.intake_signal(
            actor=casework.owner, programme=other_programme, channel="school", contact=services.Contact(name="X")
        )


# --- The queue ------------------------------------------------------------------------------


def _queue_url(programme, **params) -> str:
    url = reverse("casework:intake-list", kwargs={"slug": programme.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _aged(request: IntakeRequest, days: int) -> IntakeRequest:
    IntakeRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=days))
    return request


def test_it_lists_the_requests_to_triage_oldest_first(client, login, territory, casework, other_programme):
    newer = IntakeRequestFactory(programme=territory, contact_name="Recente")
    older = _aged(IntakeRequestFactory(programme=territory, contact_name="Vecchia", channel="school"), 5)
    IntakeRequestFactory(programme=territory, contact_name="Chiusa", status=IntakeRequest.Status.CLOSED)
    IntakeRequestFactory(programme=other_programme, contact_name="Altrove")
    login(client, casework.coordinator)
    response = client.get(_queue_url(territory))
    assert [r.pk for r in response.context["page"].object_list] == [older.pk, newer.pk]
    body = response.content.decode()
    assert "Altrove" not in body
    assert "Abbiamo bisogno" not in body  # the list never shows the message
    assert [r.pk for r in client.get(_queue_url(territory, channel="school")).context["page"].object_list] == [older.pk]
    closed = client.get(_queue_url(territory, status="closed")).context["page"].object_list
    assert [r.contact_name for r in closed] == ["Chiusa"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 403), ("supervisor", 403), ("lab_manager", 403), ("evaluator", 403), ("outsider", 404)],
)
def test_it_keeps_the_queue_for_coordinators(client, login, territory, casework, persona, status):
    request = IntakeRequestFactory(programme=territory)
    login(client, getattr(casework, persona))
    assert client.get(_queue_url(territory)).status_code == status
    detail = reverse("casework:intake-detail", kwargs={"slug": territory.slug, "request_id": request.public_id})
    assert client.get(detail).status_code == status
    assert CANARY not in client.get(detail).content.decode()


def test_it_lists_the_queue_in_a_fixed_number_of_queries(
    client, login, territory, casework, django_assert_max_num_queries
):
    login(client, casework.coordinator)
    IntakeRequestFactory(programme=territory, submitted_by=casework.owner, submitted_for=casework.partner)
    client.get(_queue_url(territory))
    with django_assert_max_num_queries(9) as few:
        client.get(_queue_url(territory))
    for _ in range(15):
        IntakeRequestFactory(
            programme=territory, submitted_by=casework.owner, submitted_for=casework.partner,
            municipality=Municipality.objects.get(istat_code=CAVA),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_queue_url(territory))


def _detail_url(request: IntakeRequest) -> str:
    return reverse("casework:intake-detail", kwargs={"slug": request.programme.slug, "request_id": request.public_id})


def test_it_audits_reading_a_request(client, login, territory, casework):
    request = IntakeRequestFactory(programme=territory, message=CANARY)
    login(client, casework.coordinator)
    response = client.get(_detail_url(request))
    assert CANARY in response.content.decode()
    assert (
        AuditEvent.objects.filter(action="read", target_id=str(request.public_id), actor=casework.coordinator).count()
        == 1
    )


def test_it_answers_404_for_a_request_of_another_programme(client, login, territory, casework, other_programme):
    foreign = IntakeRequestFactory(programme=other_programme)
    login(client, casework.coordinator)
    url = reverse("casework:intake-detail", kwargs={"slug": territory.slug, "request_id": foreign.public_id})
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    close = reverse("casework:intake-close", kwargs={"slug": territory.slug, "request_id": foreign.public_id})
    assert client.post(close, {"reason": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == IntakeRequest.Status.NEW


# --- Triage ---------------------------------------------------------------------------------


def _triage_data(casework, **overrides) -> dict[str, str]:
    lead_membership = casework.owner.memberships.get(role=Role.OPERATOR)
    data = {
        "household": "",
        "household_label": "Famiglia Rossi",
        "municipality": PAVIA,
        "first_name": "Maria",
        "last_name": "Rossi",
        "organisation": str(casework.partner.public_id),
        "lead": str(lead_membership.public_id),
        "action_line": "",
        "opened_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def test_it_triages_a_request_into_a_case_for_a_new_household(client, login, territory, casework):
    line = ActionLineFactory(programme=territory)
    request = IntakeRequestFactory(programme=territory, channel="school", contact_name="Maria Rossi")
    login(client, casework.coordinator)
    households_before = Household.objects.count()
    response = client.post(_detail_url(request), _triage_data(casework, action_line=str(line.public_id)))
    assert response.status_code == 302
    request.refresh_from_db()
    case = request.case
    assert request.status == IntakeRequest.Status.CASE_OPENED
    assert response["Location"] == reverse(
        "casework:case-detail", kwargs={"slug": territory.slug, "case_id": case.public_id}
    )
    assert (case.phase, case.status, case.referral_source) == ("A", "open", "school")
    assert (case.organisation, case.action_line, case.programme) == (casework.partner, line, territory)
    assert Household.objects.count() == households_before + 1
    household = case.household
    assert (household.label, household.municipality.istat_code) == ("Famiglia Rossi", PAVIA)
    person = household.primary_contact
    assert (person.first_name, person.last_name, person.phone) == ("Maria", "Rossi", "0382 111111")
    assert HouseholdMember.objects.filter(household=household, person=person).exists()
    team = CaseTeamMember.objects.get(case=case)
    assert (team.user, team.organisation, team.is_lead) == (casework.owner, casework.partner, True)
    assert CasePhaseChange.objects.filter(case=case, to_phase="A", to_status="open").count() == 1
    targets = set(AuditEvent.objects.filter(action="create").values_list("target_type", flat=True))
    assert {"casework.case", "people.household", "people.person"} <= targets


def test_it_prefills_the_triage_from_the_request(client, login, territory, casework):
    request = IntakeRequestFactory(programme=territory, contact_name="Anna Maria Verdi")
    login(client, casework.coordinator)
    form = client.get(_detail_url(request)).context["form"]
    assert form.initial["household_label"] == "Famiglia Verdi"
    assert (form.initial["first_name"], form.initial["last_name"]) == ("Anna Maria", "Verdi")


def test_it_triages_a_request_into_a_case_for_a_known_household(client, login, territory, casework):
    known = HouseholdFactory(programme=territory, label="Famiglia Esposito")
    request = IntakeRequestFactory(programme=territory)
    login(client, casework.coordinator)
    response = client.get(_detail_url(request) + "?household_q=Espo")
    assert [h.pk for h in response.context["matches"]] == [known.pk]
    households_before = Household.objects.count()
    client.post(_detail_url(request), _triage_data(casework, household=str(known.public_id)))
    request.refresh_from_db()
    assert request.case.household == known
    assert Household.objects.count() == households_before


def test_it_refuses_a_household_of_another_programme(client, login, territory, casework, other_programme):
    foreign = HouseholdFactory(programme=other_programme)
    request = IntakeRequestFactory(programme=territory)
    login(client, casework.coordinator)
    response = client.post(_detail_url(request), _triage_data(casework, household=str(foreign.public_id)))
    assert "household" in response.context["form"].errors
    assert Case.objects.filter(household=foreign).count() == 0
    request.refresh_from_db()
    assert request.status == IntakeRequest.Status.NEW


def test_it_refuses_a_lead_who_is_not_an_operator_of_the_organisation_in_charge(client, login, territory, casework):
    request = IntakeRequestFactory(programme=territory)
    stranger = casework.stranger.memberships.get(role=Role.OPERATOR)
    login(client, casework.coordinator)
    counts = (Case.objects.count(), Household.objects.count(), Person.objects.count())
    response = client.post(_detail_url(request), _triage_data(casework, lead=str(stranger.public_id)))
    assert response.status_code == 200
    assert "lead" in response.context["form"].errors
    assert (Case.objects.count(), Household.objects.count(), Person.objects.count()) == counts


def test_it_refuses_the_lead_in_the_service_too(territory, casework):
    request = IntakeRequestFactory(programme=territory)
    new = services.NewHousehold(
        label="Famiglia X", municipality=Municipality.objects.get(istat_code=PAVIA), first_name="A", last_name="X"
    )
    households = Household.objects.count()
    with pytest.raises(Exception, match="lead"):
        services.intake_triage(
            actor=casework.coordinator, request=request, organisation=casework.partner, lead=casework.stranger,
            new_household=new,
        )  # fmt: skip
    assert Household.objects.count() == households  # the household created first is rolled back


def test_it_lets_only_coordinators_triage_through_the_service(territory, casework):
    request = IntakeRequestFactory(programme=territory)
    with pytest.raises(PermissionDenied):
        services.intake_triage(
            actor=casework.owner, request=request, organisation=casework.partner, lead=casework.owner,
            household=casework.household,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.intake_close(actor=casework.supervisor, request=request, reason="no")


def test_it_does_not_triage_a_request_twice(client, login, territory, casework):
    request = IntakeRequestFactory(programme=territory)
    login(client, casework.coordinator)
    client.post(_detail_url(request), _triage_data(casework))
    cases = Case.objects.count()
    client.post(_detail_url(request), _triage_data(casework, household_label="Famiglia Due"))
    assert Case.objects.count() == cases
    close = reverse("casework:intake-close", kwargs={"slug": territory.slug, "request_id": request.public_id})
    client.post(close, {"reason": "doppione"})
    request.refresh_from_db()
    assert request.status == IntakeRequest.Status.CASE_OPENED


def test_it_closes_a_request_with_a_mandatory_reason(client, login, territory, casework):
    request = IntakeRequestFactory(programme=territory)
    close = reverse("casework:intake-close", kwargs={"slug": territory.slug, "request_id": request.public_id})
    login(client, casework.coordinator)
    assert client.get(close).status_code == 200
    response = client.post(close, {"reason": ""})
    assert "reason" in response.context["form"].errors
    request.refresh_from_db()
    assert request.status == IntakeRequest.Status.NEW
    assert client.post(close, {"reason": "Già seguita dai servizi sociali"}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.closed_reason) == ("closed", "Già seguita dai servizi sociali")
    assert AuditEvent.objects.filter(action="update", target_id=str(request.public_id)).count() == 1
