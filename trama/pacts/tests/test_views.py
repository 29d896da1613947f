"""The pages, through the interface: drafting and running a pact from the browser's forms, clear
errors on their fields, confirmation before destructive actions, fixed query counts whatever the
number of rows, the PDF to sign and the programme's XLSX."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import HouseholdMemberFactory
from trama.pacts.models import BudgetLine, Commitment, Disbursement, Pact, PactVersion, Signatory
from trama.pacts.services import giving_back, money
from trama.pacts.services import pacts as services
from trama.pacts.tests.builders import draft, running, text

pytestmark = pytest.mark.django_db


def _url(name, w, **kwargs):
    return reverse(f"pacts:{name}", kwargs={"slug": w.programme.slug, **kwargs})


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session does its own bookkeeping: measure the second
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_an_operator_drafts_and_runs_a_pact_through_the_forms(client, login, pactwork):
    w = pactwork
    login(client, w.owner)
    step_one = client.get(_url("pact-create", w), {"case": str(w.case.public_id)})
    assert step_one.status_code == 200
    start = w.today - timedelta(days=10)
    response = client.post(
        _url("pact-create", w) + f"?case={w.case.public_id}",
        {
            "person": str(w.person.public_id), "scope": "household",
            "objectives": "Pagare l'affitto con regolarità e trovare un lavoro part-time.",
            "start_date": start.isoformat(), "end_date": (start + timedelta(days=300)).isoformat(),
            "review_interval_months": "3",
        },
    )  # fmt: skip
    pact = Pact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == pact.get_absolute_url()
    pid = {"pact_id": pact.public_id}
    client.post(
        _url("line-create", w, **pid),
        {"purpose": "housing", "source": "foundation", "funder": str(w.foundation.public_id), "amount": "450,50"},
    )
    client.post(
        _url("commitment-create", w, **pid),
        {"description": "Aiuto compiti", "where": "place", "place": str(w.place.public_id), "hours": "20"},
    )
    client.post(
        _url("signatory-add", w, **pid),
        {"kind": "partner", "organisation": str(w.company.public_id), "signer_name": "Anna Neri"},
    )
    assert BudgetLine.objects.get(pact=pact).amount == Decimal("450.50")
    assert Commitment.objects.get(pact=pact).place == w.place
    assert pact.signatories.filter(kind=Signatory.Kind.PARTNER, organisation=w.company).exists()
    assert client.post(_url("pact-sign", w, **pid), {"signed_on": w.today.isoformat()}).status_code == 302
    assert client.post(_url("pact-start", w, **pid), {"started_on": w.today.isoformat()}).status_code == 302
    response = client.post(
        _url("disbursement-create", w, **pid),
        {
            "budget_line": str(BudgetLine.objects.get(pact=pact).public_id), "amount": "150", "payee": "Immobiliare",
            "description": "Affitto di marzo", "due_on": w.today.isoformat(),
        },
    )  # fmt: skip
    disbursement = Disbursement.objects.get(pact=pact)
    assert response.status_code == 302
    login(client, w.coordinator)
    client.post(_url("disbursement-decide", w, **pid, disbursement_id=disbursement.public_id), {"decision": "approve"})
    disbursement.refresh_from_db()
    assert disbursement.status == Disbursement.Status.APPROVED
    pact.refresh_from_db()
    assert (pact.status, pact.scope, pact.version_in_force.number) == ("active", "household", 1)
    page = client.get(pact.get_absolute_url())
    assert page.context["record"].budget_spent == Decimal("150.00")


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("line-create", {"purpose": "housing", "source": "fundraising", "amount": "-5"}, "amount"),
        ("line-create", {"purpose": "housing", "source": "foundation", "amount": "10"}, "funder"),
        ("commitment-create", {"description": "X", "where": "place", "hours": "2"}, "place"),
        ("commitment-create", {"description": "X", "where": "group", "hours": "-2"}, "hours"),
    ],
)
def test_bad_input_comes_back_on_its_field_and_saves_nothing(client, login, pactwork, name, data, key):
    pact = draft(pactwork)
    before = (pact.budget_lines.count(), pact.commitments.count())
    login(client, pactwork.owner)
    response = client.post(_url(name, pactwork, pact_id=pact.public_id), data)
    assert response.status_code == 200
    assert key in response.context["form"].errors
    assert (pact.budget_lines.count(), pact.commitments.count()) == before


def test_a_place_of_another_programme_is_refused_on_its_field(client, login, pactwork, other_programme):
    from trama.core.tests.factories import CommunityPlaceFactory

    pact = draft(pactwork)
    elsewhere = CommunityPlaceFactory(programme=other_programme)
    login(client, pactwork.owner)
    response = client.post(
        _url("commitment-create", pactwork, pact_id=pact.public_id),
        {"description": "Altrove", "where": "place", "place": str(elsewhere.public_id), "hours": "3"},
    )
    assert "place" in response.context["form"].errors
    assert pact.commitments.count() == 1


def test_a_disbursement_after_the_end_is_refused_on_its_field(client, login, pactwork):
    pact = running(pactwork)
    login(client, pactwork.owner)
    response = client.post(
        _url("disbursement-create", pactwork, pact_id=pact.public_id),
        {
            "budget_line": str(pact.budget_lines.get().public_id), "amount": "10", "payee": "Scuola",
            "description": "Libri", "due_on": (pact.version_in_force.end_date + timedelta(days=1)).isoformat(),
        },
    )  # fmt: skip
    assert "due_on" in response.context["form"].errors
    assert not Disbursement.objects.exists()


def test_an_approval_over_what_remains_says_the_remaining_amount(client, login, pactwork):
    pact = running(pactwork, amount="100.00")
    line = pact.budget_lines.get()
    first = money.disbursement_request(
        actor=pactwork.owner, pact=pact, budget_line=line, amount=Decimal("87.70"), payee="A", description="A",
        due_on=pactwork.today,
    )  # fmt: skip
    second = money.disbursement_request(
        actor=pactwork.owner, pact=pact, budget_line=line, amount=Decimal("20.00"), payee="B", description="B",
        due_on=pactwork.today,
    )  # fmt: skip
    money.disbursement_approve(actor=pactwork.coordinator, disbursement=first)
    login(client, pactwork.coordinator)
    response = client.post(
        _url("disbursement-decide", pactwork, pact_id=pact.public_id, disbursement_id=second.public_id),
        {"decision": "approve"},
        follow=True,
    )
    assert any("€\u00a012,30" in str(message) for message in response.context["messages"])
    second.refresh_from_db()
    assert second.status == "requested"


def test_destructive_actions_ask_first_and_change_nothing_on_get(client, login, pactwork):
    pact = running(pactwork)
    extra = services.signatory_add(actor=pactwork.owner, pact=pact, kind="group", group=pactwork.group)
    login(client, pactwork.owner)
    for url in (
        _url("pact-interrupt", pactwork, pact_id=pact.public_id),
        _url("signatory-remove", pactwork, pact_id=pact.public_id, signatory_id=extra.public_id),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["danger"] is True
    assert Pact.objects.get(pk=pact.pk).status == "active"
    assert Signatory.objects.filter(pk=extra.pk).exists()
    client.post(_url("signatory-remove", pactwork, pact_id=pact.public_id, signatory_id=extra.public_id))
    assert not Signatory.objects.filter(pk=extra.pk).exists()


def test_a_stale_edit_gets_a_conflict(client, login, pactwork):
    pact = draft(pactwork)
    version = Pact.objects.get(pk=pact.pk).version
    data = {
        "version": version, "objectives": "Prima", "start_date": pact.latest_version.start_date.isoformat(),
        "end_date": pact.latest_version.end_date.isoformat(), "scope": "person", "review_interval_months": "3",
    }  # fmt: skip
    login(client, pactwork.owner)
    assert client.post(_url("pact-edit", pactwork, pact_id=pact.public_id), data).status_code == 302
    response = client.post(_url("pact-edit", pactwork, pact_id=pact.public_id), {**data, "objectives": "Seconda"})
    assert response.status_code == 409
    assert PactVersion.objects.get(pact=pact).objectives == "Prima"


def _pacts(w, count: int) -> list[Pact]:
    """`count` running pacts of members of the case's household, each with money and hours."""
    pacts = []
    for _ in range(count):
        person = HouseholdMemberFactory(household=w.household).person
        pact = services.pact_create(actor=w.owner, case=w.case, person=person, text=text(w.today))
        services.budget_line_save(actor=w.owner, pact=pact, purpose="training", source="foundation",
                                  funder=w.foundation, amount=Decimal("90"))  # fmt: skip
        services.commitment_save(actor=w.owner, pact=pact, description="Ore", hours=5, place=w.place)
        services.pact_sign(actor=w.owner, pact=pact, signed_on=w.today - timedelta(days=30))
        services.pact_start(actor=w.owner, pact=pact, started_on=w.today - timedelta(days=30))
        request = money.disbursement_request(
            actor=w.owner, pact=pact, budget_line=pact.budget_lines.get(), amount=Decimal("10"), payee="P",
            description="D", due_on=w.today,
        )  # fmt: skip
        money.disbursement_approve(actor=w.coordinator, disbursement=request)
        giving_back.contribution_record(
            actor=w.owner, commitment=pact.commitments.get(), day=w.today, hours=Decimal("1")
        )
        giving_back.contribution_record(
            actor=w.lab_manager, commitment=pact.commitments.get(), day=w.today, hours=Decimal("1")
        )
        pacts.append(pact)
    return pacts


@pytest.mark.parametrize(
    ("name", "persona"),
    [("pact-list", "owner"), ("programme", "evaluator"), ("giving-back", "lab_manager"), ("requests", "coordinator")],
)
def test_lists_cost_the_same_queries_for_2_and_20_rows(client, login, pactwork, name, persona):
    login(client, getattr(pactwork, persona))
    pacts = _pacts(pactwork, 2)
    for pact in pacts:  # a request waiting, for the coordinators' queue
        money.disbursement_request(
            actor=pactwork.owner, pact=pact, budget_line=pact.budget_lines.get(), amount=Decimal("1"), payee="P",
            description="D", due_on=pactwork.today,
        )  # fmt: skip
    few = _queries(client, _url(name, pactwork))
    for pact in _pacts(pactwork, 18):
        money.disbursement_request(
            actor=pactwork.owner, pact=pact, budget_line=pact.budget_lines.get(), amount=Decimal("1"), payee="P",
            description="D", due_on=pactwork.today,
        )  # fmt: skip
    many = _queries(client, _url(name, pactwork))
    assert few == many
    assert many <= 20


def test_a_pacts_page_and_ledger_cost_the_same_queries_whatever_their_size(client, login, pactwork):
    login(client, pactwork.owner)
    small = running(pactwork)
    person = HouseholdMemberFactory(household=pactwork.household).person
    big = services.pact_create(actor=pactwork.owner, case=pactwork.case, person=person, text=text(pactwork.today))
    for n in range(6):
        services.budget_line_save(actor=pactwork.owner, pact=big, purpose="other", source="fundraising", amount=50 + n)
        services.commitment_save(actor=pactwork.owner, pact=big, description=f"Ore {n}", hours=4, place=pactwork.place)
    services.pact_sign(actor=pactwork.owner, pact=big, signed_on=pactwork.today - timedelta(days=20))
    services.pact_start(actor=pactwork.owner, pact=big, started_on=pactwork.today - timedelta(days=20))
    for line, commitment in zip(big.budget_lines.all(), big.commitments.all(), strict=True):
        request = money.disbursement_request(
            actor=pactwork.owner, pact=big, budget_line=line, amount=Decimal("5"), payee="P", description="D",
            due_on=pactwork.today - timedelta(days=10),
        )  # fmt: skip
        money.disbursement_approve(actor=pactwork.coordinator, disbursement=request)
        giving_back.contribution_record(
            actor=pactwork.lab_manager, commitment=commitment, day=pactwork.today, hours=Decimal("1.5")
        )
    for name in ("pact-detail", "pact-ledger"):
        counts = {_queries(client, _url(name, pactwork, pact_id=pact.public_id)) for pact in (small, big)}
        assert len(counts) == 1, (name, counts)
        assert counts.pop() <= 22


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_to_sign_carries_the_objectives_lines_commitments_and_signatories(client, login, pactwork):
    objectives = "Ritrovare un lavoro stabile entro l'estate e rimettersi in pari con l'affitto."
    pact = draft(pactwork, amount="1234.50", text=text(pactwork.today, objectives=objectives))
    services.signatory_add(actor=pactwork.owner, pact=pact, kind="group", group=pactwork.group, signer_name="Lia Bo")
    login(client, pactwork.owner)
    response = client.get(_url("version-pdf", pactwork, pact_id=pact.public_id, number=1))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    extracted = subprocess.run(  # noqa: S603 — a fixed local tool reading our own bytes
        [shutil.which("pdftotext"), "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    flat = " ".join(extracted.split())
    assert " ".join(objectives.split()) in flat
    for expected in ("1.234,50", "Aiuto al doposcuola", pactwork.place.name, pactwork.group.name, "Lia Bo",
                     pactwork.person.last_name, pactwork.case.organisation.name):  # fmt: skip
        assert expected in flat, expected
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target_type="pacts.pactversion")
    assert event.actor == pactwork.owner


def test_the_programme_workbook_is_formula_safe_and_audited(client, login, pactwork):
    from trama.core.tests.factories import OrganisationFactory, PartnershipFactory
    from trama.pacts.services.pacts import budget_line_save

    evil = OrganisationFactory(name='=HYPERLINK("http://evil.example")')
    PartnershipFactory(programme=pactwork.programme, organisation=evil)
    pact = draft(pactwork)
    budget_line_save(actor=pactwork.owner, pact=pact, purpose="work", source="partner", funder=evil, amount=75)
    services.pact_sign(actor=pactwork.owner, pact=pact, signed_on=pactwork.today)
    login(client, pactwork.evaluator)
    response = client.get(_url("programme-xlsx", pactwork))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    values = [cell.value for row in workbook.worksheets[1].iter_rows() for cell in row]  # budget by source
    assert '\'=HYPERLINK("http://evil.example")' in values
    assert Decimal(str(sum(v for v in values if isinstance(v, int | float)))) > 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=pactwork.evaluator).exists()


def test_the_due_reviews_include_renders_for_the_operators_home_in_one_query(pactwork, django_assert_num_queries):
    from django.template.loader import render_to_string

    from trama.accounts.permissions import ProgrammeAccess
    from trama.pacts.selectors import due_reviews

    pacts = _pacts(pactwork, 3)
    Pact.objects.filter(pk__in=[p.pk for p in pacts]).update(next_review_on=pactwork.today)
    memberships = tuple(pactwork.owner.memberships.select_related("organisation", "programme"))
    access = ProgrammeAccess(programme=pactwork.programme, memberships=memberships)
    queryset = due_reviews(pactwork.owner, pactwork.programme)
    with django_assert_num_queries(1):  # the pacts, with their people and households
        html = render_to_string("pacts/_due_reviews.html", {"access": access, "due_reviews": queryset})
    for pact in pacts:
        assert f'data-pact="{pact.public_id}"' in html


def test_a_review_dated_before_the_start_comes_back_on_its_field(client, login, pactwork):
    from trama.pacts.models import Review
    from trama.pacts.services.reviews import item_field

    pact = running(pactwork)
    commitment = pact.commitments.get()
    login(client, pactwork.owner)
    response = client.post(
        _url("review-create", pactwork, pact_id=pact.public_id),
        {
            "reviewed_on": (pact.started_on - timedelta(days=1)).isoformat(), "assessment": "Va bene.",
            "eligibility": "continue", item_field(commitment, "outcome"): "met",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "reviewed_on" in response.context["form"].errors
    assert not Review.objects.exists()
    response = client.post(
        _url("review-create", pactwork, pact_id=pact.public_id),
        {
            "reviewed_on": pactwork.today.isoformat(), "assessment": "Impegno parziale.", "eligibility": "continue",
            item_field(commitment, "outcome"): "missed",
        },
    )  # fmt: skip
    assert item_field(commitment, "reason") in response.context["form"].errors
    assert not Review.objects.exists()


def test_every_page_of_a_pact_opens_for_its_team(client, login, pactwork):
    from django.core.files.base import ContentFile

    pact = running(pactwork)
    line, commitment = pact.budget_lines.get(), pact.commitments.get()
    request = money.disbursement_request(
        actor=pactwork.owner, pact=pact, budget_line=line, amount=Decimal("20"), payee="Scuola", description="Libri",
        due_on=pactwork.today,
    )  # fmt: skip
    money.disbursement_approve(actor=pactwork.coordinator, disbursement=request)
    money.disbursement_record_payment(
        actor=pactwork.owner, disbursement=request, paid_on=pactwork.today,
        receipt=ContentFile(b"%PDF-1.4 ricevuta", name="r.pdf"),
    )  # fmt: skip
    from trama.pacts.services.reviews import CommitmentOutcome, review_record

    review = review_record(
        actor=pactwork.owner, pact=pact, reviewed_on=pactwork.today, assessment="Nota riservata della verifica",
        items=[CommitmentOutcome(commitment, "partly", "Turni di lavoro")], eligibility="continue",
    )  # fmt: skip
    ids = {"pact_id": pact.public_id}
    pages = [
        _url("pact-create", pactwork), _url("pact-edit", pactwork, **ids), _url("signatory-add", pactwork, **ids),
        _url("line-create", pactwork, **ids), _url("line-edit", pactwork, **ids, line_id=line.public_id),
        _url("commitment-edit", pactwork, **ids, commitment_id=commitment.public_id),
        _url("hours-create", pactwork, **ids, commitment_id=commitment.public_id),
        _url("version-scan-upload", pactwork, **ids, number=1), _url("pact-start", pactwork, **ids),
        _url("review-start", pactwork, **ids), _url("disbursement-create", pactwork, **ids),
        _url("disbursement-detail", pactwork, **ids, disbursement_id=request.public_id),
        _url("disbursement-receipt", pactwork, **ids, disbursement_id=request.public_id),
        _url("review-detail", pactwork, **ids, review_id=review.public_id),
    ]  # fmt: skip
    login(client, pactwork.owner)
    for url in pages:
        assert client.get(url).status_code == 200, url
    review_page = client.get(_url("review-detail", pactwork, **ids, review_id=review.public_id)).content.decode()
    assert "Nota riservata della verifica" in review_page
    assert "Turni di lavoro" in review_page
    login(client, pactwork.coordinator)  # sees the review, not the case team's confidential assessment (S6)
    review_page = client.get(_url("review-detail", pactwork, **ids, review_id=review.public_id)).content.decode()
    assert "Nota riservata della verifica" not in review_page
    assert "Turni di lavoro" in review_page
