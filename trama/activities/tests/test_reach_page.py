"""The reach page: who may open it, what each role sees (exact, suppressed, only their own
activities), its fixed query count, and bad input answered with a form error.

The dataset (period 1 Sept 2025 – 31 Aug 2026):

    activity  place (organisation)   attended
    H         P1 (the lab's)         ada and bruno on 2025-10-06 and 2025-10-13 → 2 people, 4 contacts
    S         P2 (another one)       carla on 2025-10-07                        → 1 person, 1 contact
    E         none (a square)        head count of 50 adults on 2026-05-10

    coordinator: 3 people, 5 contacts, 50 anonymous, combined 53
    evaluator:   3 people → "< 5", combined → "< 55" (50 + 5), contacts 5 and head counts shown
    lab manager of P1's organisation: H only → 2 people, 4 contacts, no head count
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from trama.accounts.models import Role
from trama.activities import reach
from trama.activities.models import Activity
from trama.activities.services import attendance_set, tally_set
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory, rome
from trama.casework.tests.factories import PersonFactory
from trama.core.tests.factories import CommunityPlaceFactory, MembershipFactory

pytestmark = pytest.mark.django_db

YEAR = {"start": "2025-09-01", "end": "2026-08-31"}


def _url(programme, **params):
    url = reverse("activities:reach", kwargs={"slug": programme.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _present(activity, start, people):
    attendance_set(actor=None, occurrence=OccurrenceFactory(activity=activity, starts_at=rome(*start)), present=people)


@pytest.fixture
def data(programme):
    p1 = CommunityPlaceFactory(programme=programme, name="Laboratorio Uno")
    p2 = CommunityPlaceFactory(programme=programme, name="Laboratorio Due")
    h = ActivityFactory(programme=programme, place=p1, expand=False)
    s = ActivityFactory(programme=programme, place=p2, kind=Activity.Kind.SPORT, expand=False)
    e = ActivityFactory(programme=programme, place=None, venue="Piazza", kind=Activity.Kind.PUBLIC_EVENT, expand=False)
    ada, bruno, carla = (
        PersonFactory(programme=programme, first_name=name, last_name="Zeta") for name in ("Ada", "Bruno", "Carla")
    )
    _present(h, (2025, 10, 6, 16, 30), [ada, bruno])
    _present(h, (2025, 10, 13, 16, 30), [ada, bruno])
    _present(s, (2025, 10, 7, 17, 0), [carla])
    party = OccurrenceFactory(activity=e, starts_at=rome(2026, 5, 10, 15, 0))
    tally_set(actor=None, occurrence=party, cells={("18-64", ""): 50})
    return SimpleNamespace(p1=p1, p2=p2, h=h, s=s, e=e)


def _text(response, element_id: str) -> str:
    """The text of the element with `element_id` (tags removed, spaces collapsed)."""
    html = response.content.decode()
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|td|p|table)>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def _headline(response, element_id: str) -> str:
    html = response.content.decode()
    match = re.search(rf'id="{element_id}"[^>]*><strong>(.*?)</strong>', html, re.S)
    assert match, element_id
    return match.group(1)


def test_it_sends_an_anonymous_visitor_to_the_login(client, programme):
    response = client.get(_url(programme))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.VOLUNTEER])
def test_it_refuses_operators_and_volunteers(client, login, member, programme, role):
    assert login(client, member(role)).get(_url(programme, **YEAR)).status_code == 403


def test_it_hides_the_programme_from_members_of_another(client, login, member, programme, other_programme):
    outsider = member(Role.COORDINATOR, of=other_programme)
    assert login(client, outsider).get(_url(programme, **YEAR)).status_code == 404


def test_it_shows_a_coordinator_the_exact_figures_and_the_combined_rule(client, login, coordinator, programme, data):
    response = login(client, coordinator).get(_url(programme, **YEAR))
    assert response.status_code == 200
    assert _headline(response, "reach-people") == "3"
    assert _headline(response, "reach-contacts") == "5"
    assert _headline(response, "reach-anonymous") == "50"
    assert _headline(response, "reach-combined") == "53"
    # The rule stands next to the combined figure.
    assert _text(response, "reach-combined").endswith(str(reach.COMBINED_RULE)[-20:])
    assert 'id="reach-suppression"' not in response.content.decode()


def test_it_suppresses_small_cells_for_an_evaluator(client, login, evaluator, programme, data):
    response = login(client, evaluator).get(_url(programme, **YEAR, breakdown="place"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _headline(response, "reach-people") == "&lt; 5"
    assert _headline(response, "reach-combined") == "&lt; 55"
    assert _headline(response, "reach-contacts") == "5"
    assert 'id="reach-people" data-suppressed="below"' in html
    # Laboratorio Uno: 2 people, Due: 1 — both hidden; the square's head count shown.
    assert re.findall(r'data-column="people" data-suppressed="(\w*)">([^<]*)<', html) == [
        ("below", "&lt; 5"),
        ("below", "&lt; 5"),
        ("", "0"),
        ("below", "&lt; 5"),
    ]
    assert 'id="reach-suppression"' in html


def test_it_shows_a_funder_suppressed_figures_too(client, login, member, programme, data):
    response = login(client, member(Role.FUNDER)).get(_url(programme, **YEAR))
    assert _headline(response, "reach-people") == "&lt; 5"


def test_it_shows_a_lab_manager_only_their_activities(client, login, programme, data):
    lab_manager = MembershipFactory(
        programme=programme, organisation=data.p1.managing_organisation, role=Role.LAB_MANAGER
    ).user
    response = login(client, lab_manager).get(_url(programme, **YEAR, breakdown="place"))
    assert response.status_code == 200
    assert _headline(response, "reach-people") == "2"  # ada and bruno, exact
    assert _headline(response, "reach-contacts") == "4"
    assert _headline(response, "reach-anonymous") == "0"  # the party is not theirs
    html = response.content.decode()
    assert 'id="reach-scope"' in html
    assert re.findall(r'<tr data-key="([^"]+)">', html) == [str(data.p1.public_id), "total"]


def test_it_renders_the_breakdown_table_with_caption_and_headers(client, login, coordinator, programme, data):
    response = login(client, coordinator).get(_url(programme, **YEAR, breakdown="place"))
    html = response.content.decode()
    table = html[html.index('id="reach-table"') : html.index("</table>")]
    assert "<caption>" in table
    assert table.count('<th scope="col"') == 8
    # Due, Uno, then the activities held elsewhere; the total row last.
    assert re.findall(r'<tr data-key="([^"]+)">\s*<th scope="row">', table) == [
        str(data.p2.public_id),
        str(data.p1.public_id),
        "none",
        "total",
    ]


def test_it_opens_on_the_current_school_year(client, login, coordinator, programme):
    response = login(client, coordinator).get(_url(programme))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.cleaned_data["start"], form.cleaned_data["end"]) == reach.school_year()
    # Nothing recorded: the empty state, announced.
    assert 'id="reach-empty"' in response.content.decode()
    assert 'role="status" id="reach-empty"' in response.content.decode()


def _queries_for(client, django_assert_num_queries, programme, count):
    with django_assert_num_queries(count):
        response = client.get(_url(programme, **YEAR, breakdown="place"))
    assert response.status_code == 200
    return response


def test_it_costs_the_same_queries_with_few_and_many_rows(
    client, login, coordinator, programme, data, django_assert_num_queries
):
    login(client, coordinator)
    client.get(_url(programme))  # the first request after signing in saves the session once
    few = _queries_for(client, django_assert_num_queries, programme, 16)
    assert _headline(few, "reach-people") == "3"
    # Eighteen more places with an activity and a person each.
    for number in range(18):
        activity = ActivityFactory(programme=programme, expand=False)
        _present(activity, (2025, 11, 1 + number, 16, 0), [PersonFactory(programme=programme)])
    many = _queries_for(client, django_assert_num_queries, programme, 16)
    assert _headline(many, "reach-people") == "21"
    assert len(re.findall(r'<tr data-key="', many.content.decode())) == 2 + 18 + 1 + 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-08-31", "end": "2025-09-01"}, "end"),
        ({**YEAR, "breakdown": "nationality"}, "breakdown"),
        ({"start": "31-31-2025", "end": "2026-08-31"}, "start"),
        ({"start": "2025-09-01", "end": ""}, "end"),
        ({"start": "0001-01-01", "end": "2026-08-31"}, "start"),
        ({**YEAR, "place": "not-a-uuid"}, "place"),
        ({**YEAR, "action_line": "3f0c9a52-8d1e-4b7a-9c61-2f5d8e4a7b10"}, "action_line"),
        ({**YEAR, "kind": "picnic"}, "kind"),
    ],
)
def test_it_answers_bad_input_with_a_form_error(client, login, coordinator, programme, data, params, field):
    response = login(client, coordinator).get(_url(programme, **params))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["figures"] is None
    assert 'role="alert"' in response.content.decode()
    assert 'id="reach-people"' not in response.content.decode()


def test_it_refuses_a_place_of_another_programme(client, login, coordinator, programme, other_programme, data):
    elsewhere = CommunityPlaceFactory(programme=other_programme)
    response = login(client, coordinator).get(_url(programme, **YEAR, place=elsewhere.public_id))
    assert "place" in response.context["form"].errors


def test_it_filters_by_place_and_kind(client, login, coordinator, programme, data):
    client = login(client, coordinator)
    by_place = client.get(_url(programme, **YEAR, place=data.p2.public_id))
    assert _headline(by_place, "reach-people") == "1"  # carla
    by_kind = client.get(_url(programme, **YEAR, kind="public_event"))
    assert (_headline(by_kind, "reach-people"), _headline(by_kind, "reach-anonymous")) == ("0", "50")
    assert date(2025, 9, 1) == by_kind.context["figures"].query.start
