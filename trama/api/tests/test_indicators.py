from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from trama.accounts.models import Role
from trama.evaluation import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_people():
    """An indicator counting 3 people (a small cell), with a breakdown by gender."""
    seen = []

    def compute(programme, period, filters):
        seen.append((period, filters))
        return 3

    def breakdown(programme, period, dimension, filters):
        return [registry.BreakdownRow("F", "F", 3), registry.BreakdownRow("M", "M", 9)]

    indicator = registry.Indicator(
        code="api-test-three-people",
        name=gettext_lazy("people"),
        description=gettext_lazy("people"),
        counting_rule=gettext_lazy("people"),
        unit="people",
        kind="output",
        compute=compute,
        breakdowns=("gender",),
        breakdown=breakdown,
    )
    registry.register(indicator)
    yield seen
    registry._REGISTRY.pop(indicator.code)


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"api:{name}", kwargs={"slug": "programma-a", **kwargs})


def test_it_lists_the_registered_indicators(api, evaluator, three_people):
    response = api(evaluator).get(_url("indicator-list"), {"page_size": 200})
    assert response.status_code == 200
    codes = [i["code"] for i in response.json()["results"]]
    assert codes == [i.code for i in registry.all_indicators()][:200]
    assert "api-test-three-people" in codes


def test_it_refuses_indicators_to_operators(api, operator):
    assert api(operator).get(_url("indicator-list")).status_code == 403


def test_it_gives_coordinators_the_exact_value_for_a_period(api, coordinator, three_people):
    url = _url("indicator-value", code="api-test-three-people")
    response = api(coordinator).get(url, {"start": "2026-01-01", "end": "2026-06-30", "gender": "F"})
    body = response.json()
    assert response.status_code == 200, body
    assert (body["value"], body["exact"], body["suppressed"]) == (3, True, False)
    period, filters = three_people[-1]
    assert (period.start.isoformat(), period.end.isoformat(), filters.gender) == ("2026-01-01", "2026-06-30", "F")


def test_it_suppresses_small_cells_for_evaluators(api, evaluator, three_people):
    url = _url("indicator-value", code="api-test-three-people")
    body = api(evaluator).get(url, {"breakdown": "gender"}).json()
    assert (body["value"], body["exact"], body["suppressed"]) == (None, False, True)
    assert [(row["key"], row["value"]) for row in body["rows"]] == [("F", None), ("M", 9)]


def test_it_refuses_a_filter_the_indicator_does_not_support(api, coordinator, three_people):
    url = _url("indicator-value", code="api-test-three-people")
    response = api(coordinator).get(url, {"age_band": "6-10"})
    assert response.status_code == 400


def test_it_refuses_a_period_that_ends_before_it_starts(api, coordinator, three_people):
    url = _url("indicator-value", code="api-test-three-people")
    response = api(coordinator).get(url, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["end"]


def test_it_answers_404_for_an_unknown_indicator(api, coordinator):
    assert api(coordinator).get(_url("indicator-value", code="no-such-indicator")).status_code == 404


def test_it_computes_every_registered_indicator_without_error(api, member, programme):
    client = api(member(Role.FUNDER))
    for indicator in registry.all_indicators():
        response = client.get(_url("indicator-value", code=indicator.code))
        assert response.status_code == 200, indicator.code
        assert response.json()["value"] is None or Decimal(str(response.json()["value"])) >= 0
