from __future__ import annotations

import csv
import io
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import ProgrammeAccess
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory
from trama.core.tests.factories import CommunityPlaceFactory, MembershipFactory
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.mutualaid.tests.factories import VolunteerFactory
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db
PAYLOADS = ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rReturn"]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_it_neutralises_formulas_in_csv_and_xlsx(
    client: Client, login: Callable, coordinator: User, programme: Programme
):
    for name in PAYLOADS:
        CommunityPlaceFactory(programme=programme, name=name)
    login(client, coordinator)
    url = reverse("network:place-list", args=[programme.slug])
    rows = csv_rows(client.get(url, {"export": "csv"}).content)
    names = {row[1] for row in rows[1:]}
    assert names == {f"'{payload}" for payload in PAYLOADS}
    rows = xlsx_rows(client.get(url, {"export": "xlsx"}).content)
    names = {row[1] for row in rows[1:]}
    # openpyxl drops control characters (invalid in XML); what remains is still neutralised.
    assert all(str(value).startswith("'") for value in names)
    assert len(names) == len(PAYLOADS)


def test_it_keeps_the_filters_of_the_list(client: Client, login: Callable, coordinator: User, programme: Programme):
    CommunityPlaceFactory(programme=programme, name="Biblioteca di quartiere")
    CommunityPlaceFactory(programme=programme, name="Orto comune")
    login(client, coordinator)
    url = reverse("network:place-list", args=[programme.slug])
    rows = csv_rows(client.get(url, {"q": "orto", "export": "csv", "page": "3"}).content)
    assert [row[1] for row in rows[1:]] == ["Orto comune"]
    page = client.get(url, {"q": "orto"})
    assert b"q=orto&amp;export=csv" in page.content


def test_it_gives_an_operator_only_their_cases(client: Client, login: Callable, casework: SimpleNamespace):
    CaseFactory(programme=casework.case.programme, organisation=casework.other_organisation)
    login(client, casework.owner)
    url = reverse("casework:case-list", args=[casework.case.programme.slug])
    rows = csv_rows(client.get(url, {"export": "csv"}).content)
    assert [row[0] for row in rows[1:]] == [str(casework.case.public_id)]
    login(client, casework.coordinator)
    rows = csv_rows(client.get(url, {"export": "csv"}).content)
    assert len(rows) == 3
    login(client, casework.colleague)
    rows = csv_rows(client.get(url, {"export": "csv"}).content)
    assert len(rows) == 1  # the header only


def test_it_refuses_the_export_to_whom_the_list_refuses(client: Client, login: Callable, casework: SimpleNamespace):
    login(client, casework.evaluator)
    url = reverse("casework:case-list", args=[casework.case.programme.slug])
    assert client.get(url, {"export": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_it_records_each_export(client: Client, login: Callable, casework: SimpleNamespace):
    login(client, casework.owner)
    url = reverse("casework:case-list", args=[casework.case.programme.slug])
    response = client.get(url, {"export": "xlsx", "status": "open"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="casi-programma-a-')
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == casework.owner
    assert event.target_type == "list:casi"
    assert event.role == Role.OPERATOR
    assert "1 rows" in event.reason
    assert "status" in event.reason


def test_it_never_gives_names_to_evaluators(programme: Programme, lead: object):
    volunteer = VolunteerFactory(programme=programme)
    request = RequestFactory().get("/", {"export": "csv"})
    for role, named in ((Role.EVALUATOR, False), (Role.COORDINATOR, True)):
        membership = MembershipFactory(programme=programme, organisation=lead, role=role)
        request.user = membership.user
        access = ProgrammeAccess(programme=programme, memberships=(membership,))
        response = list_export(
            request, access, name="volontari", title="Volontari", rows=[volunteer], columns=listcolumns.VOLUNTEERS
        )
        content = response.content.decode("utf-8-sig")
        assert (volunteer.person.last_name in content) is named
        assert str(volunteer.public_id) in content


@pytest.mark.parametrize("cases", [2, 20])
def test_it_exports_cases_in_a_fixed_number_of_queries(
    client: Client, login: Callable, casework: SimpleNamespace, django_assert_num_queries, cases: int
):
    for _ in range(cases - 1):
        case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
        CaseTeamMemberFactory(case=case, user=casework.owner, organisation=casework.partner, is_lead=True)
    login(client, casework.owner)
    url = reverse("casework:case-list", args=[casework.case.programme.slug])
    with django_assert_num_queries(14):
        response = client.get(url, {"export": "csv"})
    assert len(csv_rows(response.content)) == cases + 1


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("casework:pathway-list", Role.COORDINATOR),
        ("casework:referral-outbox", Role.OPERATOR),
        ("casework:referral-inbox", Role.OPERATOR),
        ("people:person-search", Role.COORDINATOR),
        ("network:overview", Role.COORDINATOR),
        ("network:group-list", Role.COORDINATOR),
        ("activities:list", Role.COORDINATOR),
        ("mutualaid:volunteer-list", Role.COORDINATOR),
        ("mutualaid:shift-list", Role.COORDINATOR),
        ("pacts:pact-list", Role.COORDINATOR),
        ("training:course-list", Role.COORDINATOR),
        ("governance:meeting-list", Role.COORDINATOR),
        ("governance:decision-list", Role.COORDINATOR),
        ("funding:campaign-list", Role.COORDINATOR),
        ("funding:expense-list", Role.COORDINATOR),
    ],
)
def test_it_offers_csv_and_xlsx_of_every_main_list(
    client: Client, login: Callable, member: Callable, programme: Programme, url_name: str, role: str
):
    user = member(role)
    login(client, user)
    url = reverse(url_name, args=[programme.slug])
    page = client.get(url)
    assert page.status_code == 200
    for file_format in ("csv", "xlsx"):
        response = client.get(url, {"export": file_format})
        assert response.status_code == 200, url_name
        assert response["Content-Disposition"].endswith(f'.{file_format}"')
    assert Membership.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=user).count() == 2
