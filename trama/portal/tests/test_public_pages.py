from __future__ import annotations

import pytest
from django.urls import reverse

from trama.core.tests.factories import ActionLineFactory, OrganisationFactory, PartnershipFactory, ProgrammeFactory
from trama.network.models import Partnership
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


def test_it_lists_the_public_programmes_only(client):
    ProgrammeFactory(name="Visibile", slug="visibile")
    ProgrammeFactory(name="Riservato", slug="riservato", is_public=False)
    body = client.get(reverse("portal:index")).content.decode()
    assert "Visibile" in body
    assert "Riservato" not in body


def test_it_shows_a_programme_public_home_with_its_facts(client, programme):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    ActionLineFactory(programme=programme, name="FAMIGLIE #BENECOMUNE")
    PartnershipFactory(
        programme=programme, organisation=OrganisationFactory(name="Consorzio"), role=Partnership.Role.LEAD
    )
    response = client.get(reverse("portal:programme", kwargs={"slug": programme.slug}))
    body = response.content.decode()
    assert response.status_code == 200
    for fact in ("FAMIGLIE #BENECOMUNE", "Consorzio", "Pavia", "018110", "68.280"):
        assert fact in body


def test_it_answers_404_for_an_unpublished_or_unknown_programme(client):
    ProgrammeFactory(slug="riservato", is_public=False)
    assert client.get(reverse("portal:programme", kwargs={"slug": "riservato"})).status_code == 404
    assert client.get(reverse("portal:programme", kwargs={"slug": "nessuno"})).status_code == 404


def test_it_serves_the_public_home_with_a_fixed_number_of_queries(client, programme, django_assert_max_num_queries):
    url = reverse("portal:programme", kwargs={"slug": programme.slug})
    programme.municipalities.add(*Municipality.objects.filter(province_code="PV")[:2])
    ActionLineFactory(programme=programme)
    PartnershipFactory(programme=programme)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    programme.municipalities.add(*Municipality.objects.filter(province_code="CR"))
    for _ in range(5):
        ActionLineFactory(programme=programme)
        PartnershipFactory(programme=programme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
