"""S25 / issue 9 Done-when: schemathesis against the SERVED schema on 127.0.0.1, once per role.

Bounded: a few positive examples per operation and a time budget per role (three minutes for
all roles together). Checked: no server error, every answer conforms to the schema (status code,
content type, headers, body), and no operation that declares authentication answers without it.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from trama.accounts.models import Role
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
EXAMPLES_PER_OPERATION = 4
SECONDS_PER_ROLE = 36  # five roles: three minutes in all
ROLES = ("anonymous", Role.OPERATOR, Role.LAB_MANAGER, Role.EVALUATOR, Role.COORDINATOR)


def _demo_data(programme: Any, lead: Any) -> dict[str, str]:
    """A small programme like the demo's; returns real ids for the path parameters."""
    # Created if an earlier transactional test emptied the table its data migration filled.
    pavia, _ = Municipality.objects.get_or_create(
        istat_code="018110",
        defaults={
            "cadastral_code": "G388", "name": "Pavia", "province_code": "PV", "province_name": "Pavia",
            "region_name": "Lombardia", "latitude": Decimal("45.19205"), "longitude": Decimal("9.15917"),
        },
    )  # fmt: skip
    programme.municipalities.add(pavia)
    place = CommunityPlaceFactory(programme=programme, managing_organisation=lead, services=["listening-desk"])
    group = CitizenGroupFactory(programme=programme, themes=["green-areas"])
    activity = ActivityFactory(programme=programme, place=place, municipality=place.municipality)
    start = timezone.now() - timedelta(days=1)
    occurrence = OccurrenceFactory(activity=activity, starts_at=start, ends_at=start + timedelta(hours=2))
    return {
        "place_id": str(place.public_id),
        "group_id": str(group.public_id),
        "organisation_id": str(lead.public_id),
        "activity_id": str(activity.public_id),
        "occurrence_id": str(occurrence.public_id),
    }


def _fuzz(schema: Any, base_url: str, headers: dict[str, str], ids: dict[str, str]) -> tuple[int, list[str]]:
    calls, problems = 0, []
    budget_ends = time.monotonic() + SECONDS_PER_ROLE
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {parameter.name for parameter in operation.path_parameters}
        fixed = {"slug": "programma-a", **{name: value for name, value in ids.items() if name in names}}

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(path_parameters={k: v for k, v in fixed.items() if k in names}))
        def run(case: Any) -> None:
            nonlocal calls
            if time.monotonic() > budget_ends:
                return
            calls += 1
            try:
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)
            except (Exception, BaseExceptionGroup) as error:  # every failure is collected, reported together
                problems.append(f"{case.operation.label}: {' / '.join(str(error).splitlines()[:12])}")

        run()
    return calls, problems


def test_it_survives_schemathesis_for_every_role(live_server, programme, lead, member, token_for):
    ids = _demo_data(programme, lead)
    tokens = {role: token_for(member(role)) for role in ROLES if role != "anonymous"}
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}{reverse('api:schema')}?format=json",
        headers={"Authorization": f"Bearer {tokens[Role.COORDINATOR]}"},
        timeout=60,
    )
    base_url = live_server.url
    report = {}
    for role in ROLES:
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        report[str(role)] = _fuzz(schema, base_url, headers, ids)
    assert all(calls > 0 for calls, _ in report.values()), report
    problems = {role: problems for role, (_, problems) in report.items() if problems}
    assert problems == {}, "\n".join(f"{role}: {problem}" for role, found in problems.items() for problem in found)
