"""The anonymous tally of an occurrence: a grid of age band × gender, saved and replaced whole;
negative, non-numeric or implausible figures refused on their cell with nothing saved; the
activity's managers only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from trama.activities.attendance import TALLY_CELLS, TallyCell
from trama.activities.models import AgeBand, Occurrence, Tally, TallyGender
from trama.activities.services import MAX_TALLY_CELL
from trama.activities.tests.factories import TallyFactory
from trama.activities.tests.test_attendance_pages import ROLES, make_lab, persona, url

pytestmark = pytest.mark.django_db

GIRLS_6_10 = TallyCell(AgeBand.CHILDREN_6_10, TallyGender.FEMALE).name
BOYS_6_10 = TallyCell(AgeBand.CHILDREN_6_10, TallyGender.MALE).name
TEENS_UNKNOWN = TallyCell(AgeBand.ADOLESCENTS_14_17, TallyGender.UNKNOWN).name
WOMEN = TallyCell(AgeBand.ADULTS_18_64, TallyGender.FEMALE).name
MEN = TallyCell(AgeBand.ADULTS_18_64, TallyGender.MALE).name
UNKNOWN_AGE = TallyCell(AgeBand.UNKNOWN, TallyGender.UNKNOWN).name

# A party of 120 people, 45 of them minors.
PARTY = {GIRLS_6_10: "20", BOYS_6_10: "15", TEENS_UNKNOWN: "10", WOMEN: "40", MEN: "30", UNKNOWN_AGE: "5"}


def cells(occurrence: Occurrence) -> dict[tuple[str, str], int]:
    return {(t.age_band, t.gender): t.count for t in Tally.objects.filter(occurrence=occurrence)}


@pytest.fixture
def lab(programme):
    return make_lab(programme, registration_required=False, people=0, title="Festa di quartiere")


@pytest.fixture
def manager_client(client, login, lab):
    return login(client, lab.manager)


def test_it_shows_a_number_input_for_every_age_band_and_gender(manager_client, lab):
    response = manager_client.get(url("tally", lab))

    assert response.status_code == 200
    content = response.content.decode()
    assert len(TALLY_CELLS) == len(AgeBand.values) * len(TallyGender.values)
    for cell in TALLY_CELLS:
        assert f'name="{cell.name}"' in content
        assert f'<label class="visually-hidden" for="id_{cell.name}">' in content
    assert len(re.findall(r"data-minor(?=[\s>])", content)) == 4 * len(
        TallyGender.values
    )  # the minor bands, for the live total
    assert 'data-total="0"' in content


def test_it_saves_a_party_of_120_people_of_whom_45_minors(manager_client, lab):
    response = manager_client.post(url("tally", lab), PARTY, follow=True)

    assert response.redirect_chain == [(url("tally", lab), 302)]
    assert cells(lab.occurrence) == {
        ("6-10", "F"): 20, ("6-10", "M"): 15, ("14-17", ""): 10, ("18-64", "F"): 40, ("18-64", "M"): 30, ("", ""): 5,
    }  # fmt: skip
    content = response.content.decode()
    assert 'data-total="120"' in content
    assert 'data-minors="45"' in content
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert "120" in next(str(m) for m in response.context["messages"])
    assert Tally.objects.filter(occurrence=lab.occurrence, recorded_by=lab.manager).count() == 6


def test_it_shows_the_saved_figures_in_their_cells(manager_client, lab):
    TallyFactory(occurrence=lab.occurrence, age_band=AgeBand.ADULTS_18_64, gender=TallyGender.FEMALE, count=37)

    response = manager_client.get(url("tally", lab))

    assert response.context["form"][WOMEN].value() == 37
    assert f'name="{WOMEN}" id="id_{WOMEN}" value="37"' in response.content.decode()


def test_a_new_tally_replaces_the_old_one(manager_client, lab):
    manager_client.post(url("tally", lab), PARTY)

    manager_client.post(url("tally", lab), {WOMEN: "12", MEN: ""})

    assert cells(lab.occurrence) == {("18-64", "F"): 12}


@pytest.mark.parametrize("figure", ["-3", "tanti", "12.5", str(MAX_TALLY_CELL + 1)])
def test_it_refuses_an_impossible_figure_on_its_cell_and_saves_nothing(manager_client, lab, figure):
    TallyFactory(occurrence=lab.occurrence, age_band=AgeBand.ADULTS_18_64, gender=TallyGender.MALE, count=8)

    response = manager_client.post(url("tally", lab), {**PARTY, BOYS_6_10: figure})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {BOYS_6_10}
    assert cells(lab.occurrence) == {("18-64", "M"): 8}
    content = response.content.decode()
    assert f'id="id_{BOYS_6_10}-error"' in content
    assert f'aria-describedby="id_{BOYS_6_10}-error"' in content


def test_it_accepts_the_largest_plausible_figure(manager_client, lab):
    manager_client.post(url("tally", lab), {WOMEN: str(MAX_TALLY_CELL)})
    assert cells(lab.occurrence) == {("18-64", "F"): MAX_TALLY_CELL}


@pytest.mark.parametrize("when", ["cancelled", "future"])
def test_it_refuses_a_tally_for_a_cancelled_or_future_date(manager_client, lab, when):
    if when == "cancelled":
        Occurrence.objects.filter(pk=lab.occurrence.pk).update(status=Occurrence.Status.CANCELLED)
    else:
        start = timezone.now() + timedelta(days=1)
        Occurrence.objects.filter(pk=lab.occurrence.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))

    response = manager_client.post(url("tally", lab), PARTY)

    assert response.status_code == 200
    assert "__all__" in response.context["form"].errors
    assert f'data-refusal="{when}"' in response.content.decode()
    assert cells(lab.occurrence) == {}


@pytest.mark.parametrize(("role", "status"), ROLES.items())
def test_only_the_activitys_managers_record_a_tally(client, login, lab, member, role, status):
    login(client, persona(role, lab, member))

    page = client.get(url("tally", lab))
    saved = client.post(url("tally", lab), PARTY)

    assert page.status_code == status
    assert saved.status_code == (302 if status == 200 else status)
    assert sum(cells(lab.occurrence).values()) == (120 if status == 200 else 0)
