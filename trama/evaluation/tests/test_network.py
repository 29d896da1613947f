"""The network analysis: metrics on a hand-built graph, ties read from the records, fixed queries."""

from __future__ import annotations

import re
from datetime import date

import networkx as nx
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trama.accounts.models import Role
from trama.activities.tests.factories import ActivityFactory, rome
from trama.casework.models import Referral
from trama.casework.tests.factories import CaseFactory, PersonFactory, ReferralFactory
from trama.core.tests.factories import (
    CitizenGroupFactory,
    CommunityPlaceFactory,
    OrganisationFactory,
    PartnershipFactory,
)
from trama.evaluation.network import (
    ACTIVITY,
    GROUP,
    ORGANISATION,
    PACT,
    REFERRAL,
    analyse,
    group_key,
    organisation_key,
    programme_network,
)
from trama.evaluation.registry import Period
from trama.network.models import Partnership
from trama.pacts.models import Pact, PactVersion, Signatory

YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


def _hand_built() -> nx.Graph:
    """A path A – B – C plus a triangle B – D – E: B is between everyone."""
    graph = nx.Graph()
    for key, kind in (("a", ORGANISATION), ("b", ORGANISATION), ("c", GROUP), ("d", ORGANISATION), ("e", GROUP)):
        graph.add_node(key, kind=kind, name=key.upper())
    for a, b, first in (
        ("a", "b", date(2025, 5, 1)),
        ("b", "c", date(2026, 2, 1)),
        ("b", "d", date(2026, 3, 1)),
        ("b", "e", date(2025, 1, 1)),
        ("d", "e", date(2026, 4, 1)),
    ):
        graph.add_edge(
            a, b, weight=1, counts={ACTIVITY: 1}, first_seen=first, is_new=YEAR_2026.start <= first <= YEAR_2026.end
        )
    return graph


def test_it_computes_density_degree_and_betweenness_of_a_hand_built_graph():
    analysis = analyse(_hand_built(), YEAR_2026)

    by_name = {node.name: node for node in analysis.nodes}
    # 5 ties out of 5·4/2 = 10 possible.
    assert analysis.density == 0.5
    assert {name: node.degree for name, node in by_name.items()} == {"A": 1, "B": 4, "C": 1, "D": 2, "E": 2}
    # B lies on the shortest path of A–C, A–D, A–E, C–D, C–E (5 of the 6 pairs without B): 5 / 6.
    assert by_name["B"].betweenness == pytest.approx(5 / 6, abs=1e-4)
    assert by_name["A"].betweenness == 0
    assert by_name["D"].betweenness == 0
    assert analysis.new_ties == 3
    assert analysis.ranked_nodes[0].name == "B"


def test_it_draws_every_node_and_tie_inside_the_picture():
    analysis = analyse(_hand_built(), YEAR_2026)

    # Organisations first, then groups, each in name order: A, B, D, then C, E.
    assert [node.name for node in analysis.nodes] == ["A", "B", "D", "C", "E"]
    assert all(0 <= node.x <= analysis.size and 0 <= node.y <= analysis.size for node in analysis.nodes)
    assert len({(node.x, node.y) for node in analysis.nodes}) == 5
    svg = render_to_string("evaluation/report/_network_svg.html", {"network": analysis})
    assert svg.count("<circle") == 3
    assert svg.count("<rect") == 2
    assert svg.count("<line") == 5
    assert svg.count('stroke-dasharray="6 3"') == 3
    # Coordinates are never localised (an Italian decimal comma would break the SVG).
    assert not re.search(r'(x|y|x1|y1|x2|y2|r|cx|cy)="[0-9]+,[0-9]', svg)


def test_it_analyses_an_empty_network():
    analysis = analyse(nx.Graph(), YEAR_2026)

    assert analysis.nodes == []
    assert analysis.density == 0.0
    assert analysis.new_ties == 0


def _pact(programme, case, person, signed_on, parties):
    pact = Pact.objects.create(programme=programme, case=case, person=person, status=Pact.Status.SIGNED)
    PactVersion.objects.create(
        pact=pact, number=1, status=PactVersion.Status.SIGNED, objectives="Obiettivi", start_date=signed_on,
        end_date=date(2027, 12, 31), signed_on=signed_on,
    )  # fmt: skip
    Signatory.objects.create(pact=pact, kind=Signatory.Kind.BENEFICIARY, person=person)
    for kind, party in parties:
        Signatory.objects.create(pact=pact, kind=kind, **{kind if kind != "partner" else "organisation": party})
    return pact


@pytest.fixture
def network(programme, lead):
    coop = OrganisationFactory(name="Cooperativa Aurora")
    PartnershipFactory(programme=programme, organisation=coop, role=Partnership.Role.PARTNER)
    parish = OrganisationFactory(name="Parrocchia San Luca")
    PartnershipFactory(programme=programme, organisation=parish, role=Partnership.Role.NETWORK)
    isolated = OrganisationFactory(name="Associazione Isolata")
    PartnershipFactory(programme=programme, organisation=isolated, role=Partnership.Role.SUPPORTER)
    group = CitizenGroupFactory(programme=programme, name="Mamme in rete")
    place = CommunityPlaceFactory(programme=programme, managing_organisation=parish)
    outsider = OrganisationFactory(name="Scuola Media Foscolo")  # not a partner: joins through a referral

    # An activity of 2025 by the lead and the co-operative with the group: three ties, old.
    old = ActivityFactory(programme=programme, first_start=rome(2025, 3, 2, 10, 0), expand=False)
    old.organisers.set([lead, coop])
    old.co_organising_groups.set([group])
    # The same pair again in 2026: the tie lead–co-operative gets heavier, not new.
    again = ActivityFactory(programme=programme, first_start=rome(2026, 2, 2, 10, 0), expand=False)
    again.organisers.set([lead, coop])
    # Referrals of 2026: lead → place (its organisation, the parish), co-operative → outsider,
    # and a rejected one that is no tie.
    case = CaseFactory(programme=programme, organisation=lead)
    person = PersonFactory(programme=programme)
    ReferralFactory(
        case=case, person=person, target_kind=Referral.TargetKind.PLACE, target_place=place, target_organisation=None,
        status=Referral.Status.ACCEPTED,
    )  # fmt: skip
    ReferralFactory(case=case, person=person, from_organisation=coop, target_organisation=outsider)
    ReferralFactory(
        case=case, person=person, from_organisation=parish, target_organisation=isolated,
        status=Referral.Status.REJECTED,
    )  # fmt: skip
    # A pact signed in 2026 by the lead and the group: a tie that already existed (2025).
    _pact(programme, case, person, date(2026, 5, 4), [("organisation", lead), ("group", group)])
    # A pact signed after the period does not count yet.
    _pact(programme, case, person, date(2027, 1, 10), [("organisation", parish), ("group", group)])
    return {"lead": lead, "coop": coop, "parish": parish, "isolated": isolated, "group": group, "outsider": outsider}


@pytest.mark.django_db
def test_it_reads_ties_from_activities_referrals_and_pacts(programme, network):
    analysis = programme_network(programme, YEAR_2026)

    names = {node.key: node.name for node in analysis.nodes}
    assert sorted(names.values()) == sorted(
        [
            "Capofila A", "Cooperativa Aurora", "Parrocchia San Luca", "Associazione Isolata", "Mamme in rete",
            "Scuola Media Foscolo",
        ]
    )  # fmt: skip
    lead, coop, parish = (organisation_key(network[name].pk) for name in ("lead", "coop", "parish"))
    group, outsider = group_key(network["group"].pk), organisation_key(network["outsider"].pk)
    ties = {frozenset((edge.source, edge.target)): edge for edge in analysis.edges}
    assert set(ties) == {
        frozenset((lead, coop)),
        frozenset((lead, group)),
        frozenset((coop, group)),
        frozenset((lead, parish)),
        frozenset((coop, outsider)),
    }
    assert ties[frozenset((lead, coop))].weight == 2
    assert ties[frozenset((lead, coop))].counts == {ACTIVITY: 2}
    assert ties[frozenset((lead, group))].counts == {ACTIVITY: 1, PACT: 1}
    assert ties[frozenset((lead, parish))].counts == {REFERRAL: 1}
    assert {frozenset((edge.source, edge.target)) for edge in analysis.new_edges} == {
        frozenset((lead, parish)),
        frozenset((coop, outsider)),
    }
    assert ties[frozenset((lead, group))].first_seen == date(2025, 3, 2)
    assert analysis.density == round(5 / 15, 4)
    assert analysis.connected_count == 5
    assert analysis.ties_by_kind == {ACTIVITY: 3, REFERRAL: 2, PACT: 1}


@pytest.mark.django_db
def test_it_sees_only_the_ties_in_place_at_the_end_of_the_period(programme, network):
    analysis = programme_network(programme, Period(date(2025, 1, 1), date(2025, 12, 31)))

    assert analysis.edge_count == 3
    assert analysis.new_ties == 3


@pytest.mark.django_db
def test_it_costs_a_fixed_number_of_queries(programme, network, django_assert_num_queries):
    with django_assert_num_queries(6):
        programme_network(programme, YEAR_2026)
    for number in range(15):
        extra = OrganisationFactory(name=f"Ente {number}")
        PartnershipFactory(programme=programme, organisation=extra, role=Partnership.Role.NETWORK)
        activity = ActivityFactory(programme=programme, first_start=rome(2026, 6, 1 + number, 10, 0), expand=False)
        activity.organisers.set([extra, network["lead"]])
    with django_assert_num_queries(6):
        analysis = programme_network(programme, YEAR_2026)
    assert analysis.node_count == 21


@pytest.mark.django_db
def test_it_never_shows_a_group_contact_person(programme, network):
    group = network["group"]
    group.contact_name = "Ornella Contatto"
    group.contact_email = "ornella@example.org"
    group.contact_phone = "333 1234567"
    group.contact_consent_on = date(2025, 1, 1)
    group.save()

    html = render_to_string("evaluation/_network.html", {"network": programme_network(programme, YEAR_2026)})

    assert "Mamme in rete" in html
    for private in ("Ornella", "ornella@example.org", "333 1234567"):
        assert private not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER])
def test_its_page_shows_the_network_to_who_evaluates(client, login, member, programme, network, role):
    login(client, member(role))
    url = reverse("evaluation-reports:network", kwargs={"slug": programme.slug})

    response = client.get(url, {"start": "2026-01-01", "end": "2026-12-31"})

    assert response.status_code == 200
    assert response.context["network"].new_ties == 2
    html = response.content.decode()
    assert 'data-new-ties="2"' in html
    assert "Cooperativa Aurora" in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LAB_MANAGER, Role.VOLUNTEER])
def test_its_page_is_refused_to_other_roles(client, login, member, programme, network, role):
    login(client, member(role))

    assert client.get(reverse("evaluation-reports:network", kwargs={"slug": programme.slug})).status_code == 403


@pytest.mark.django_db
def test_its_page_costs_a_fixed_number_of_queries(client, login, evaluator, programme, network):
    login(client, evaluator)
    url = reverse("evaluation-reports:network", kwargs={"slug": programme.slug})
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 200
        return len(context.captured_queries)

    before = count()
    for number in range(10):
        group = CitizenGroupFactory(programme=programme, name=f"Gruppo {number}")
        activity = ActivityFactory(programme=programme, first_start=rome(2026, 7, 1 + number, 10, 0), expand=False)
        activity.co_organising_groups.set([group, network["group"]])
    assert count() == before
