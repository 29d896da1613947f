from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy as _

from trama.evaluation import registry
from trama.evaluation.registry import (
    SMALL_CELL,
    BreakdownRow,
    Filters,
    Indicator,
    Period,
    all_indicators,
    get,
    suppress,
    suppress_rows,
)

DESIGN_CODES = {
    "households-supported",
    "people-in-pathways",
    "minors-reached-named",
    "minors-reached-anonymous",
    "citizens-reached-named",
    "citizens-reached-anonymous",
    "citizens-reached",
    "organisations-and-groups-active",
    "volunteers-active",
    "volunteer-hours",
    "activities-held",
    "pacts-signed",
    "budget-committed",
    "budget-spent",
    "hours-given-back",
    "households-needs-improved",
    "households-referral-completed",
    "households-in-mutual-aid",
    "beneficiaries-gave-time",
    "cases-by-channel",
    "cases-by-intake-phase",
    "organisations-collaborating",
    "new-ties",
    "beneficiaries-became-volunteers",
    "beneficiaries-joined-groups",
}


def _indicator(code: str = "test-indicator", **overrides: object) -> Indicator:
    fields = {
        "code": code,
        "name": _("Test"),
        "description": _("Test"),
        "counting_rule": _("Test"),
        "unit": "people",
        "kind": "output",
        "compute": lambda programme, period, filters: 0,
    }
    fields.update(overrides)
    return Indicator(**fields)


def test_it_registers_every_indicator_design_md_lists_with_a_counting_rule() -> None:
    codes = [indicator.code for indicator in all_indicators()]
    assert set(codes) >= DESIGN_CODES
    assert len(codes) == len(set(codes))
    for indicator in all_indicators():
        assert indicator.kind in registry.KINDS
        assert str(indicator.counting_rule)
        assert str(indicator.name)
        assert str(indicator.description)
        assert set(indicator.breakdowns) <= set(registry.BREAKDOWNS) | set(registry.EXTRA_BREAKDOWNS)
        assert (indicator.breakdown is None) == (not indicator.breakdowns)


def test_it_keeps_the_order_of_registration_and_finds_by_code() -> None:
    codes = [indicator.code for indicator in all_indicators()]
    assert codes.index("households-supported") < codes.index("households-needs-improved")
    assert get("households-supported").kind == "output"
    with pytest.raises(KeyError):
        get("no-such-indicator")


def test_it_refuses_a_second_indicator_with_the_same_code() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(_indicator(code="households-supported"))


def test_it_refuses_unknown_kinds_and_breakdowns() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        _indicator(kind="impact")
    with pytest.raises(ValueError, match="unknown breakdowns"):
        _indicator(breakdowns=("religion",), breakdown=lambda *args: [])
    with pytest.raises(ValueError, match="without a breakdown function"):
        _indicator(breakdowns=("gender",))


def test_it_suppresses_small_cells_of_people_only() -> None:
    people = _indicator()
    hours = _indicator(unit="hours", counts_people=False)
    assert SMALL_CELL == 5
    assert [suppress(value, people) for value in (0, 1, 4, 5, 120)] == [0, None, None, 5, 120]
    assert suppress(3, hours) == 3
    assert suppress(Decimal("2.50"), hours) == Decimal("2.50")
    assert suppress(None, people) is None
    rows = suppress_rows([BreakdownRow("a", "A", 3), BreakdownRow("b", "B", 9)], people)
    assert [(row.key, row.value, row.suppressed) for row in rows] == [("a", None, True), ("b", 9, False)]


def test_it_knows_which_filters_an_indicator_supports() -> None:
    from trama.activities.models import AgeBand

    assert registry.supports(get("citizens-reached-named"), Filters(age_band=AgeBand.ADULTS_18_64))
    assert not registry.supports(get("volunteer-hours"), Filters(gender="F"))
    assert registry.supports(get("volunteer-hours"), Filters())


def test_a_period_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValueError, match="start after end"):
        Period(date(2025, 2, 1), date(2025, 1, 1))


@pytest.mark.django_db
def test_every_indicator_and_breakdown_computes_on_an_empty_programme(programme: object) -> None:
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    for indicator in all_indicators():
        assert indicator.compute(programme, period, Filters()) == 0
        for dimension in indicator.breakdowns:
            assert indicator.breakdown(programme, period, dimension, Filters()) == []
