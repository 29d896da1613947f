from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from trama.accounts.models import AuditEvent, Role, User
from trama.activities.models import AgeBand
from trama.activities.tests.factories import ActivityFactory, AttendanceFactory, OccurrenceFactory, rome
from trama.casework.tests.factories import CaseFactory, HouseholdFactory, PersonFactory
from trama.evaluation import services
from trama.territory.models import Programme, Target

pytestmark = pytest.mark.django_db

QUERY = "?start=2026-01-01&end=2026-12-31"


def _people_at_an_activity(programme: Programme, count: int, *, last_name: str = "Zanardelli") -> None:
    activity = ActivityFactory(programme=programme, expand=False)
    occurrence = OccurrenceFactory(activity=activity, starts_at=rome(2026, 10, 5, 16, 30))
    for _index in range(count):
        AttendanceFactory(occurrence=occurrence, person=PersonFactory(programme=programme, last_name=last_name))


def _households(programme: Programme, count: int) -> None:
    for _index in range(count):
        CaseFactory(programme=programme, household=HouseholdFactory(programme=programme), opened_on=date(2026, 2, 1))


def _url(programme: Programme, name: str = "evaluation:dashboard") -> str:
    return reverse(name, kwargs={"slug": programme.slug})


def test_it_shows_a_coordinator_the_exact_figures_with_their_target(
    client: Client, programme: Programme, coordinator: User, login: Callable
) -> None:
    _people_at_an_activity(programme, 3)
    _households(programme, 7)
    services.target_set(actor=None, programme=programme, indicator_code="households-supported", kind="target", value=14)
    login(client, coordinator)
    response = client.get(_url(programme) + QUERY)
    assert response.status_code == 200
    board = response.context["board"]
    figures = {figure.indicator.code: figure for _label, items in board.groups for figure in items}
    assert figures["citizens-reached-named"].shown.value == 3
    assert figures["households-supported"].shown.value == 7
    assert figures["households-supported"].progress == 50
    content = response.content.decode()
    assert 'id="figure-citizens-reached-named"' in content
    assert 'data-records="citizens-reached-named"' in content


def test_it_suppresses_small_cells_and_shows_no_names_to_an_evaluator(
    client: Client, programme: Programme, evaluator: User, login: Callable
) -> None:
    _people_at_an_activity(programme, 3, last_name="Zanardelli")
    login(client, evaluator)
    response = client.get(_url(programme) + QUERY + "&breakdown=gender")
    assert response.status_code == 200
    content = response.content.decode()
    figures = {figure.indicator.code: figure for _label, items in response.context["board"].groups for figure in items}
    assert figures["citizens-reached-named"].shown.value is None
    assert figures["citizens-reached-named"].shown.suppressed
    assert figures["citizens-reached"].shown.suppressed  # it would give the named people back
    assert "Zanardelli" not in content
    assert "data-records=" not in content
    assert 'data-suppressed="below"' in content


def test_the_records_behind_a_figure_are_for_coordinators_only(
    client: Client, programme: Programme, member: Callable, login: Callable
) -> None:
    _households(programme, 2)
    url = reverse("evaluation:records", kwargs={"slug": programme.slug, "code": "households-supported"}) + QUERY
    for role in (Role.EVALUATOR, Role.FUNDER, Role.OPERATOR):
        assert login(Client(), member(role)).get(url).status_code == 403
    response = login(client, member(Role.COORDINATOR)).get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2


def test_operators_and_volunteers_cannot_open_the_dashboard(
    client: Client, programme: Programme, member: Callable, login: Callable
) -> None:
    for role in (Role.OPERATOR, Role.VOLUNTEER, Role.LAB_MANAGER):
        assert login(Client(), member(role)).get(_url(programme)).status_code == 403


def test_the_dashboard_costs_the_same_queries_with_2_and_with_20_rows(
    client: Client, programme: Programme, coordinator: User, login: Callable
) -> None:
    """Every indicator (other apps add theirs), its breakdowns, eight quarters of trend, targets and
    the network analysis: a number of queries that does not grow with the records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, coordinator)
    url = _url(programme) + QUERY + "&breakdown=municipality"
    client.get(url)  # sessions, OTP device and caches warmed
    counts = []
    for rows in (2, 18):
        _people_at_an_activity(programme, rows)
        _households(programme, rows)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_coordinator_sets_and_removes_a_target_audited(
    client: Client, programme: Programme, coordinator: User, login: Callable
) -> None:
    login(client, coordinator)
    url = _url(programme, "evaluation:targets")
    response = client.post(url, {"indicator_code": "households-supported", "kind": "target", "value": "4500"})
    assert response.status_code == 302
    target = Target.objects.get(programme=programme, indicator_code="households-supported")
    assert target.value == 4500
    assert AuditEvent.objects.filter(target_id=str(target.public_id), action=AuditEvent.Action.CREATE).exists()
    response = client.post(url, {"indicator_code": "no-such-indicator", "kind": "target", "value": "1"})
    assert "indicator_code" in response.context["form"].errors
    delete = reverse("evaluation:target-delete", kwargs={"slug": programme.slug, "target_id": target.public_id})
    assert client.post(delete).status_code == 302
    assert not Target.objects.filter(programme=programme).exists()


def test_an_evaluator_cannot_set_targets(
    client: Client, programme: Programme, evaluator: User, login: Callable
) -> None:
    login(client, evaluator)
    url = _url(programme, "evaluation:targets")
    assert (
        client.post(url, {"indicator_code": "households-supported", "kind": "target", "value": "1"}).status_code == 403
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=evaluator, programme=programme, indicator_code="households-supported", kind="target", value=1
        )


def test_it_refuses_a_period_ending_before_it_starts(
    client: Client, programme: Programme, coordinator: User, login: Callable
) -> None:
    login(client, coordinator)
    response = client.get(_url(programme) + "?start=2026-05-01&end=2026-01-01")
    assert response.status_code == 200
    assert "end" in response.context["form"].errors
    assert response.context["board"] is None


def test_the_age_band_filter_applies_to_reach_and_not_to_households(
    client: Client, programme: Programme, coordinator: User, login: Callable
) -> None:
    _people_at_an_activity(programme, 6)
    _households(programme, 2)
    login(client, coordinator)
    response = client.get(_url(programme) + QUERY + f"&age_band={AgeBand.CHILDREN_6_10}")
    figures = {figure.indicator.code: figure for _label, items in response.context["board"].groups for figure in items}
    assert figures["citizens-reached-named"].shown.value == 0
    assert not figures["households-supported"].shown.applicable


@pytest.mark.parametrize("code", ["households-supported", "citizens-reached-named"])
def test_the_records_page_costs_the_same_queries_with_2_and_with_20_rows(
    client: Client, programme: Programme, coordinator: User, login: Callable, code: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, coordinator)
    url = reverse("evaluation:records", kwargs={"slug": programme.slug, "code": code}) + QUERY
    client.get(url)
    counts = []
    for rows in (2, 18):
        _people_at_an_activity(programme, rows)
        _households(programme, rows)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert response.context["page"].paginator.count == 20


def test_the_targets_page_costs_the_same_queries_with_2_and_with_20_targets(
    client: Client, programme: Programme, coordinator: User, login: Callable
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trama.evaluation.registry import all_indicators

    login(client, coordinator)
    url = _url(programme, "evaluation:targets")
    client.get(url)
    codes = [indicator.code for indicator in all_indicators()]
    counts = []
    for first, last in ((0, 2), (2, 20)):
        for code in codes[first:last]:
            services.target_set(actor=None, programme=programme, indicator_code=code, kind="target", value=10)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_it_writes_nothing_when_a_target_is_set_again_to_the_same_value(programme):
    first = services.target_set(
        actor=None, programme=programme, indicator_code="households-supported", kind="target", value=Decimal(159)
    )
    audited = AuditEvent.objects.count()
    again = services.target_set(
        actor=None, programme=programme, indicator_code="households-supported", kind="target", value=Decimal(159)
    )
    assert again.pk == first.pk
    assert AuditEvent.objects.count() == audited
    services.target_set(
        actor=None, programme=programme, indicator_code="households-supported", kind="target", value=Decimal(160)
    )
    assert AuditEvent.objects.count() == audited + 1


def _figure_cell(content: str, code: str) -> str:
    start = content.index(f'id="figure-{code}"')
    return content[start : content.index("</", start)]


def test_the_figures_are_rendered_once_until_the_programme_changes(
    client: Client,
    programme: Programme,
    coordinator: User,
    evaluator: User,
    login: Callable,
    settings: object,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Kept per programme version, period, filters and role: a second view computes nothing, an
    evaluator never gets the coordinator's exact figures, and a target set (an audited write) shows."""
    from django.core.cache import cache

    cache.clear()
    settings.TRAMA_DASHBOARD_CACHE_SECONDS = 600
    _households(programme, 7)
    login(client, coordinator)
    first = client.get(_url(programme) + QUERY)
    assert first.context["board"] is not None
    again = client.get(_url(programme) + QUERY)
    assert again.context["board"] is None  # nothing computed: the kept figures were shown
    assert _figure_cell(again.content.decode(), "households-supported") == _figure_cell(
        first.content.decode(), "households-supported"
    )
    assert 'data-records="households-supported"' in again.content.decode()

    evaluator_view = login(Client(), evaluator).get(_url(programme) + QUERY)
    assert evaluator_view.context["board"] is not None  # another role: its own figures
    assert 'data-records="households-supported"' not in evaluator_view.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.target_set(
            actor=coordinator, programme=programme, indicator_code="households-supported", kind="target", value=14
        )
    changed = client.get(_url(programme) + QUERY)
    assert changed.context["board"] is not None
    assert 'data-target="14' in changed.content.decode()
