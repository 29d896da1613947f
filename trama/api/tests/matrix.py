"""The access matrix: the API must answer every role as the page for the same data does (S1).

A row names one resource: `setup(world)` builds the record(s) it needs and returns them, `api`
and `page` give the two addresses for them. `mismatches(rows, world, ...)` calls both for every
persona and returns the differences (empty when the API and the pages agree). Modules of other
resources add their own rows and call `mismatches` in their own test (see test_access_matrix.py).

Outcomes compared: the page's 200 / 403 / 404 / redirect-to-login against the API's
200 / 403 / 404 / 401.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from trama.accounts.models import Role, User

PAGE_OUTCOMES = {200: "allowed", 302: "sign-in", 403: "forbidden", 404: "hidden"}
API_OUTCOMES = {200: "allowed", 401: "sign-in", 403: "forbidden", 404: "hidden"}

# Who is compared: the roles of the Done-when and the others of a programme, plus a
# member of another programme only and an anonymous visitor.
PERSONAS = (
    "anonymous",
    Role.COORDINATOR,
    Role.OPERATOR,
    Role.LAB_MANAGER,
    Role.EVALUATOR,
    Role.FUNDER,
    Role.VOLUNTEER,
    "outsider",
)


@dataclass(frozen=True)
class Row:
    name: str
    setup: Callable[[SimpleNamespace], Any]
    api: Callable[[SimpleNamespace, Any], str]
    page: Callable[[SimpleNamespace, Any], str]


def make_world(programme: Any, other_programme: Any, lead: Any, member: Callable[..., User]) -> SimpleNamespace:
    """The programme, its lead organisation, and one user per persona (members of the lead)."""
    users: dict[str, User | None] = {"anonymous": None}
    for role in PERSONAS:
        if role in ("anonymous", "outsider"):
            continue
        users[role] = member(role)
    users["outsider"] = member(Role.COORDINATOR, of=other_programme)
    return SimpleNamespace(programme=programme, other_programme=other_programme, lead=lead, users=users)


def mismatches(
    rows: list[Row],
    world: SimpleNamespace,
    *,
    login: Callable[[Client, User], Client],
    api_client: Callable[[User | None], APIClient],
) -> list[tuple[str, str, str, str]]:
    """[(row, persona, page outcome, API outcome)] wherever the two differ."""
    built = [(row, row.setup(world)) for row in rows]
    differences = []
    for persona in PERSONAS:
        user = world.users[persona]
        page_client = Client()
        if user is not None:
            login(page_client, user)
        client = api_client(user)
        for row, records in built:
            page_status = page_client.get(row.page(world, records)).status_code
            api_status = client.get(row.api(world, records)).status_code
            page_outcome = PAGE_OUTCOMES.get(page_status, str(page_status))
            api_outcome = API_OUTCOMES.get(api_status, str(api_status))
            if page_outcome != api_outcome:
                differences.append((row.name, str(persona), page_outcome, api_outcome))
    return differences
