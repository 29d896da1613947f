"""S21 on the case: of twenty edits started from the same version, exactly one wins; the others
get a conflict, never a silent overwrite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection, connections
from django.urls import reverse

from trama.casework.models import Case
from trama.casework.services.cases import case_update
from trama.core.concurrency import StaleVersionError
from trama.core.tests.factories import OrganisationFactory, PartnershipFactory

EDITORS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_twenty_concurrent_case_edits_win(casework):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    programme = casework.case.programme
    organisations = []
    for n in range(EDITORS):
        organisation = OrganisationFactory(name=f"Cooperativa concorrente {n}")
        PartnershipFactory(programme=programme, organisation=organisation)
        organisations.append(organisation)
    start = Barrier(EDITORS)

    def edit(n: int) -> str:
        start.wait()
        try:
            case_update(
                actor=casework.coordinator, case=Case.objects.get(pk=casework.case.pk), expected_version=1,
                organisation=organisations[n], action_line=None,
            )  # fmt: skip
            return "won"
        except StaleVersionError:
            return "stale"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=EDITORS) as pool:
        outcomes = list(pool.map(edit, range(EDITORS)))
    case = Case.objects.get(pk=casework.case.pk)
    assert outcomes.count("won") == 1
    assert outcomes.count("stale") == EDITORS - 1
    assert case.version == 2
    assert case.organisation == organisations[outcomes.index("won")]
    assert case.history.count() == 2  # created + the one winning edit


@pytest.mark.django_db
def test_it_shows_the_conflict_to_the_second_editor_of_the_same_version(client, login, casework):
    """The same race, one after the other on SQLite: the second form posts version 1 too."""
    url = reverse(
        "casework:case-edit", kwargs={"slug": casework.case.programme.slug, "case_id": casework.case.public_id}
    )
    login(client, casework.owner)
    first = client.post(url, {"version": 1, "organisation": str(casework.other_organisation.public_id)})
    assert first.status_code == 302
    login(client, casework.coordinator)
    second = client.post(
        url, {"version": 1, "organisation": str(casework.partner.public_id)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert second.status_code == 409
    messages = [str(message) for message in second.context["messages"]]
    assert any("Someone else changed this case" in message for message in messages)
    case = Case.objects.get(pk=casework.case.pk)
    assert (case.organisation, case.version) == (casework.other_organisation, 2)
