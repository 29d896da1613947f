"""The social caretaker: operators on a building's caretaker team see that building and its logbook,
and nothing of the others; coordinators see all; every other role sees none (S1, S2)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trama.accounts.models import Membership, Role
from trama.housing import services
from trama.housing.models import Caretaker, LogEntry
from trama.housing.permissions import visible_buildings
from trama.housing.tests.conftest import PAVIA

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(plan):
    building = services.building_create(
        actor=plan.coordinator,
        programme=plan.programme,
        name="Quartiere Scala",
        address="Via Scala 4",
        municipality=plan.places[PAVIA],
        kind="estate",
        units=120,
    )
    other = services.building_create(
        actor=plan.coordinator,
        programme=plan.programme,
        name="Palazzo Est",
        address="Via Est 1",
        municipality=plan.places[PAVIA],
    )
    owner_membership = Membership.objects.get(user=plan.owner, programme=plan.programme, role=Role.OPERATOR)
    services.caretaker_add(actor=plan.coordinator, building=building, member=owner_membership)
    colleague = Membership.objects.get(user=plan.colleague, programme=plan.programme, role=Role.OPERATOR)
    services.caretaker_add(actor=plan.coordinator, building=other, member=colleague)
    issue = services.log_entry_create(
        actor=plan.owner,
        building=building,
        kind="issue",
        occurred_on=date(2026, 3, 1),
        text="Infiltrazioni al terzo piano, segnalate dalla signora del 3B",
    )
    services.log_entry_create(
        actor=plan.colleague, building=other, kind="visit", occurred_on=date(2026, 3, 2), text="Giro delle scale"
    )
    return building, other, issue


def test_it_shows_caretakers_only_their_buildings(plan, estate):
    building, other, _issue = estate
    assert list(visible_buildings(plan.owner, plan.programme)) == [building]
    assert list(visible_buildings(plan.colleague, plan.programme)) == [other]
    assert set(visible_buildings(plan.coordinator, plan.programme)) == {building, other}
    for outsider in (plan.lab_manager, plan.evaluator):
        assert not visible_buildings(outsider, plan.programme).exists()


def test_it_answers_404_for_another_team_building_and_403_to_other_roles(client, login, plan, estate):
    building, other, _issue = estate
    login(client, plan.owner)
    own = reverse("housing:building-detail", kwargs={"slug": plan.programme.slug, "building_id": building.public_id})
    response = client.get(own)
    assert response.status_code == 200
    assert "Infiltrazioni al terzo piano" in response.content.decode()
    foreign = reverse("housing:building-detail", kwargs={"slug": plan.programme.slug, "building_id": other.public_id})
    assert client.get(foreign).status_code == 404
    listing = client.get(reverse("housing:building-list", kwargs={"slug": plan.programme.slug})).content.decode()
    assert str(building.public_id) in listing
    assert str(other.public_id) not in listing
    login(client, plan.lab_manager)
    assert client.get(own).status_code == 403


def test_it_refuses_logbook_entries_from_outside_the_team(client, login, plan, estate):
    building, _other, _issue = estate
    with pytest.raises(PermissionDenied):
        services.log_entry_create(
            actor=plan.colleague,
            building=building,
            kind="visit",
            occurred_on=date(2026, 3, 3),
            text="Non è il mio palazzo",
        )
    login(client, plan.colleague)
    url = reverse("housing:log-entry-create", kwargs={"slug": plan.programme.slug, "building_id": building.public_id})
    response = client.post(url, {"kind": "visit", "occurred_on": "2026-03-03", "text": "Tentativo"})
    assert response.status_code == 404
    assert LogEntry.objects.filter(building=building).count() == 1


def test_it_records_follow_ups_and_referrals_within_the_same_logbook(plan, estate):
    building, other, issue = estate
    follow_up = services.log_entry_create(
        actor=plan.owner,
        building=building,
        kind="follow_up",
        occurred_on=date(2026, 3, 4),
        text="Chiamato l'amministratore",
        follow_up_of=issue,
    )
    assert not services.open_issues(building).exists()
    assert follow_up.follow_up_of == issue
    foreign = LogEntry.objects.get(building=other)
    with pytest.raises(ValidationError) as refused:
        services.log_entry_create(
            actor=plan.coordinator,
            building=building,
            kind="follow_up",
            occurred_on=date(2026, 3, 4),
            text="x",
            follow_up_of=foreign,
        )
    assert "follow_up_of" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.log_entry_create(
            actor=plan.owner,
            building=building,
            kind="referral",
            occurred_on=date(2026, 3, 4),
            text="Inviata ai servizi sociali",
        )
    assert "referred_to" in refused.value.message_dict
    referral = services.log_entry_create(
        actor=plan.owner,
        building=building,
        kind="referral",
        occurred_on=date(2026, 3, 4),
        text="Inviata ai servizi sociali",
        referred_to=plan.partner,
    )
    assert referral.referred_to == plan.partner


def test_it_keeps_the_team_for_coordinators_and_nested_routes_checked(client, login, plan, estate):
    building, other, _issue = estate
    foreign = Caretaker.objects.get(building=other)
    login(client, plan.coordinator)
    url = reverse(
        "housing:caretaker-remove",
        kwargs={
            "slug": plan.programme.slug,
            "building_id": building.public_id,
            "caretaker_id": foreign.public_id,
        },
    )
    assert client.post(url).status_code == 404
    assert Caretaker.objects.filter(pk=foreign.pk).exists()
    colleague = Membership.objects.get(user=plan.colleague, role=Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        services.caretaker_add(actor=plan.owner, building=building, member=colleague)
    lab = Membership.objects.get(user=plan.lab_manager)
    with pytest.raises(ValidationError):
        services.caretaker_add(actor=plan.coordinator, building=building, member=lab)


def test_it_encrypts_the_logbook_text(plan, estate):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM housing_logentry")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "Infiltrazioni" not in stored
