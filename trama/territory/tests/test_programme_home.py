from __future__ import annotations

import pytest
from django.urls import reverse

from trama.accounts.models import Role
from trama.core.tests.factories import ActionLineFactory, PartnershipFactory
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


def _home(programme) -> str:
    return reverse("territory:programme-home", kwargs={"slug": programme.slug})


@pytest.mark.parametrize("role", list(Role))
def test_it_opens_the_home_of_every_role_with_the_programme_facts(client, programme, member, login, role):
    ActionLineFactory(programme=programme, name="CRESCERE #BENECOMUNE")
    login(client, member(role))
    response = client.get(_home(programme))
    assert response.status_code == 200
    assert "CRESCERE #BENECOMUNE" in response.content.decode()


def test_it_shows_configuration_links_to_coordinators_only(client, programme, member, login):
    settings_url = reverse("territory:programme-edit", kwargs={"slug": programme.slug})
    login(client, member(Role.COORDINATOR))
    assert settings_url in client.get(_home(programme)).content.decode()
    login(client, member(Role.OPERATOR))
    assert settings_url not in client.get(_home(programme)).content.decode()


def test_it_shows_the_programme_switcher_to_a_member_of_two_programmes(
    client, programme, other_programme, member, login
):
    from trama.core.tests.factories import MembershipFactory

    user = member(Role.OPERATOR)
    MembershipFactory(user=user, programme=other_programme, role=Role.OPERATOR)
    login(client, user)
    body = client.get(_home(programme)).content.decode()
    assert _home(other_programme) in body


def test_it_costs_a_fixed_number_of_queries(client, programme, coordinator, login, django_assert_max_num_queries):
    login(client, coordinator)
    programme.municipalities.add(*Municipality.objects.filter(province_code="PV")[:2])
    ActionLineFactory(programme=programme)
    PartnershipFactory(programme=programme)
    client.get(_home(programme))
    with django_assert_max_num_queries(20) as few:
        client.get(_home(programme))
    programme.municipalities.add(*Municipality.objects.filter(province_code="CR"))
    for _ in range(5):
        ActionLineFactory(programme=programme)
        PartnershipFactory(programme=programme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_home(programme))
