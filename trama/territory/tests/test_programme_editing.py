from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from trama.accounts.models import AuditEvent, Role
from trama.core.concurrency import StaleVersionError
from trama.core.tests.factories import ActionLineFactory
from trama.territory.models import ActionLine, Municipality, Programme
from trama.territory.services import programme_set_municipalities, programme_update

pytestmark = pytest.mark.django_db


def _url(name: str, programme: Programme, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": programme.slug, **kwargs})


def _form(programme: Programme, **changes: object) -> dict[str, object]:
    data = {
        "name": programme.name,
        "tagline": "",
        "description": "",
        "funder": "",
        "call": "",
        "version": programme.version,
    }
    data.update(changes)
    return data


def test_it_lets_the_coordinator_edit_the_programme(client, coordinator, programme, login):
    login(client, coordinator)
    response = client.post(
        _url("territory:programme-edit", programme), _form(programme, name="Nuovo nome", budget="1500000.00")
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Nuovo nome"
    assert programme.version == 2
    assert programme.history.count() == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(programme.public_id))
    assert event.actor == coordinator
    assert event.role == Role.COORDINATOR


def test_it_refuses_a_stale_edit_with_a_clear_message(client, coordinator, programme, login):
    login(client, coordinator)
    stale = programme.version
    client.post(_url("territory:programme-edit", programme), _form(programme, name="Prima modifica"))
    response = client.post(
        _url("territory:programme-edit", programme),
        _form(programme, name="Seconda modifica", version=stale),
        follow=True,
    )
    programme.refresh_from_db()
    assert programme.name == "Prima modifica"
    assert any("salvato" in str(m) or "saved this programme" in str(m) for m in response.context["messages"])


def test_it_refuses_an_end_date_before_the_start(client, coordinator, programme, login):
    login(client, coordinator)
    response = client.post(
        _url("territory:programme-edit", programme), _form(programme, start_date="2021-01-01", end_date="2020-01-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_it_does_not_let_an_operator_edit_the_programme(client, programme, member, login):
    operator = member(Role.OPERATOR)
    login(client, operator)
    assert client.get(_url("territory:programme-edit", programme)).status_code == 403
    assert client.post(_url("territory:programme-edit", programme), _form(programme, name="X")).status_code == 403
    with pytest.raises(PermissionDenied):
        programme_update(actor=operator, programme=programme, expected_version=1, fields={"name": "X"})
    programme.refresh_from_db()
    assert programme.name == "Programma A"


def test_it_hides_another_programme_entirely(client, coordinator, other_programme, login):
    login(client, coordinator)
    for name in ("territory:programme-home", "territory:programme-edit", "accounts:member-list", "accounts:audit-log"):
        assert client.get(_url(name, other_programme)).status_code == 404


def test_it_keeps_only_the_winning_edit_of_two_from_the_same_version(coordinator, programme):
    programme_update(actor=coordinator, programme=programme, expected_version=1, fields={"name": "Uno"})
    with pytest.raises(StaleVersionError):
        programme_update(actor=coordinator, programme=programme, expected_version=1, fields={"name": "Due"})
    programme.refresh_from_db()
    assert programme.name == "Uno"


def test_it_adds_and_removes_municipalities_of_the_territory(client, coordinator, programme, login):
    login(client, coordinator)
    results = client.get(_url("territory:territory-edit", programme), {"q": "Pavi"})
    assert "Pavia" in results.content.decode()
    response = client.post(_url("territory:territory-add", programme), {"istat_code": "018110"})
    assert response.status_code == 302
    assert list(programme.municipalities.values_list("istat_code", flat=True)) == ["018110"]
    confirm = client.get(_url("territory:territory-remove", programme, istat_code="018110"))
    assert confirm.status_code == 200
    assert programme.municipalities.count() == 1
    client.post(_url("territory:territory-remove", programme, istat_code="018110"))
    assert programme.municipalities.count() == 0


def test_it_searches_municipalities_with_htmx_returning_only_the_results(client, coordinator, programme, login):
    login(client, coordinator)
    response = client.get(
        _url("territory:territory-edit", programme),
        {"q": "Zinas"},
        headers={"HX-Request": "true", "HX-Target": "municipality-results"},
    )
    body = response.content.decode()
    assert "Zinasco" in body
    assert "<html" not in body


def test_it_refuses_an_unknown_municipality(client, coordinator, programme, login):
    login(client, coordinator)
    assert client.post(_url("territory:territory-add", programme), {"istat_code": "999999"}).status_code == 404


def test_it_totals_the_population_of_the_territory(coordinator, programme):
    pavia = Municipality.objects.get(istat_code="018110")
    sommo = Municipality.objects.get(istat_code="018151")
    programme_set_municipalities(actor=coordinator, programme=programme, add=[pavia, sommo])
    from trama.territory.selectors import programme_territory

    summary = programme_territory(programme)
    assert summary.count == 2
    assert summary.population == 68_280 + 1_146


def test_it_manages_action_lines(client, coordinator, programme, login):
    login(client, coordinator)
    response = client.post(
        _url("territory:action-line-create", programme), {"code": "famiglie", "name": "FAMIGLIE", "position": 1}
    )
    assert response.status_code == 302
    line = ActionLine.objects.get(programme=programme)
    duplicate = client.post(
        _url("territory:action-line-create", programme), {"code": "famiglie", "name": "Altro", "position": 2}
    )
    assert duplicate.status_code == 200
    assert duplicate.context["form"].errors["code"]
    client.post(
        _url("territory:action-line-edit", programme, line_id=line.public_id),
        {"code": "famiglie", "name": "FAMIGLIE #BENECOMUNE", "position": 1},
    )
    line.refresh_from_db()
    assert line.name == "FAMIGLIE #BENECOMUNE"
    assert client.get(_url("territory:action-line-delete", programme, line_id=line.public_id)).status_code == 200
    client.post(_url("territory:action-line-delete", programme, line_id=line.public_id))
    assert not ActionLine.objects.filter(pk=line.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, target_id=str(line.public_id)).exists()


def test_it_answers_404_for_an_action_line_of_another_programme(client, coordinator, programme, other_programme, login):
    foreign = ActionLineFactory(programme=other_programme)
    login(client, coordinator)
    response = client.post(_url("territory:action-line-delete", programme, line_id=foreign.public_id))
    assert response.status_code == 404
    assert ActionLine.objects.filter(pk=foreign.pk).exists()


def test_it_rejects_a_reserved_slug():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Programme(slug="area", name="X").full_clean()
