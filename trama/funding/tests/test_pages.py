"""The staff pages of the budget and of fundraising: who may open them, the forms' errors, version
checks on edits, and lists that cost a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from trama.accounts.models import Role
from trama.funding.models import BudgetLine, Campaign, Donation, Donor, Expense
from trama.funding.tests.factories import (
    BudgetLineFactory,
    CampaignFactory,
    DonationFactory,
    DonorFactory,
    ExpenseFactory,
    FundingSourceFactory,
    NewsPostFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
MANAGER_PAGES = [
    "budget-settings", "source-list", "source-create", "line-create", "expense-list", "expense-create",
    "reallocation-create", "campaign-create", "donor-list", "donor-create", "donation-list", "donation-create",
    "news-list", "news-create",
]  # fmt: skip
READER_PAGES = ["budget", "reallocation-list", "campaign-list"]


def _url(name, programme, **kwargs):
    return reverse(f"funding:{name}", kwargs={"slug": programme.slug, **kwargs})


@pytest.fixture
def dated(programme):
    programme.start_date, programme.end_date = date(2018, 11, 28), date(2021, 11, 27)
    programme.save(update_fields=["start_date", "end_date"])
    return programme


def test_a_coordinator_opens_every_page(client, login, dated, coordinator):
    line = BudgetLineFactory(programme=dated)
    campaign = CampaignFactory(programme=dated)
    donor = DonorFactory(programme=dated)
    post = NewsPostFactory(programme=dated)
    expense = ExpenseFactory(line=line)
    login(client, coordinator)
    urls = [_url(name, dated) for name in MANAGER_PAGES + READER_PAGES] + [
        _url("line-detail", dated, line_id=line.public_id), _url("line-edit", dated, line_id=line.public_id),
        _url("source-edit", dated, source_id=line.source.public_id),
        _url("campaign-detail", dated, campaign_id=campaign.public_id),
        _url("campaign-edit", dated, campaign_id=campaign.public_id),
        _url("donor-detail", dated, donor_id=donor.public_id), _url("donor-edit", dated, donor_id=donor.public_id),
        _url("news-edit", dated, post_id=post.public_id), _url("news-delete", dated, post_id=post.public_id),
        _url("expense-pay", dated, expense_id=expense.public_id),
        _url("expense-cancel", dated, expense_id=expense.public_id),
    ]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.FUNDER])
def test_evaluators_and_funders_read_aggregates_only(client, login, dated, member, role):
    line = BudgetLineFactory(programme=dated)
    campaign = CampaignFactory(programme=dated)
    DonationFactory(programme=dated, campaign=campaign, donor=DonorFactory(programme=dated, last_name="Nascosta"))
    login(client, member(role))
    for name in READER_PAGES:
        assert client.get(_url(name, dated)).status_code == 200
    assert client.get(_url("line-detail", dated, line_id=line.public_id)).status_code == 200
    detail = client.get(_url("campaign-detail", dated, campaign_id=campaign.public_id))
    assert detail.status_code == 200
    assert "Nascosta" not in detail.content.decode()
    for name in MANAGER_PAGES:
        assert client.get(_url(name, dated)).status_code == 403, name


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LAB_MANAGER, Role.VOLUNTEER])
def test_other_roles_are_refused(client, login, dated, member, role):
    login(client, member(role))
    for name in MANAGER_PAGES + READER_PAGES:
        assert client.get(_url(name, dated)).status_code == 403, name


def test_a_coordinator_of_another_programme_gets_404(client, login, dated, member, other_programme):
    login(client, member(Role.COORDINATOR, of=other_programme))
    assert client.get(_url("budget", dated)).status_code == 404
    line = BudgetLineFactory(programme=other_programme)
    login(client, member(Role.COORDINATOR))
    assert client.get(_url("line-detail", dated, line_id=line.public_id)).status_code == 404


def test_an_expense_beyond_the_line_is_shown_on_the_form_and_nothing_is_saved(client, login, dated, coordinator):
    line = BudgetLineFactory(programme=dated, planned_amount=D("100.00"))
    login(client, coordinator)
    data = {"line": str(line.public_id), "amount": "100.01", "incurred_on": "2020-03-02", "description": "Tutor"}
    response = client.post(_url("expense-create", dated), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["amount"]
    assert "€\xa0100,00" in response.context["form"].errors["amount"][0]
    assert not Expense.objects.exists()
    response = client.post(_url("expense-create", dated), data | {"amount": "100.00"})
    assert response.status_code == 302
    assert response["Location"] == line.get_absolute_url()


def test_an_expense_outside_the_programme_is_shown_on_the_form(client, login, dated, coordinator):
    line = BudgetLineFactory(programme=dated)
    login(client, coordinator)
    data = {"line": str(line.public_id), "amount": "10.00", "incurred_on": "2022-01-10", "description": "Tutor"}
    response = client.post(_url("expense-create", dated), data)
    assert list(response.context["form"].errors) == ["incurred_on"]
    assert not Expense.objects.exists()


def test_a_donation_of_zero_is_shown_on_the_form(client, login, dated, coordinator):
    login(client, coordinator)
    data = {"amount": "0", "received_on": "2020-05-04", "method": "cash"}
    response = client.post(_url("donation-create", dated), data)
    assert list(response.context["form"].errors) == ["amount"]
    assert not Donation.objects.exists()
    assert client.post(_url("donation-create", dated), data | {"amount": "5.50"}).status_code == 302
    assert Donation.objects.get().amount == D("5.50")


def test_a_stale_edit_of_a_campaign_is_refused(client, login, dated, coordinator):
    campaign = CampaignFactory(programme=dated, title="Prima")
    login(client, coordinator)
    url = _url("campaign-edit", dated, campaign_id=campaign.public_id)
    data = {
        "title": "Seconda", "summary": "S", "goal": "100.00", "starts_on": "2020-03-01", "ends_on": "2020-12-31",
        "channel": "online", "version": str(campaign.version),
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"title": "Terza"})  # still the old version
    assert response.status_code == 302
    assert response["Location"] == url
    assert Campaign.objects.get().title == "Seconda"


def test_a_line_and_a_donor_are_created_through_their_forms(client, login, dated, coordinator):
    source = FundingSourceFactory(programme=dated, amount=D("500.00"))
    login(client, coordinator)
    response = client.post(
        _url("line-create", dated), {"source": str(source.public_id), "title": "Affitti", "planned_amount": "250.50",
                                     "position": "1"},
    )  # fmt: skip
    line = BudgetLine.objects.get()
    assert response["Location"] == line.get_absolute_url()
    assert (line.planned_amount, line.amount) == (D("250.50"), D("250.50"))
    response = client.post(
        _url("donor-create", dated), {"kind": "company", "company_name": "Ditta Srl", "last_name": "ignored"}
    )
    donor = Donor.objects.get()
    assert (donor.name, donor.last_name, response["Location"]) == ("Ditta Srl", "", donor.get_absolute_url())


def _count(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lists_cost_a_fixed_number_of_queries(client, login, dated, coordinator, django_assert_max_num_queries):
    login(client, coordinator)

    def populate(count):
        source = FundingSourceFactory(programme=dated, amount=D("100000.00"))
        for _ in range(count):
            line = BudgetLineFactory(programme=dated, source=source)
            ExpenseFactory(line=line)
            campaign = CampaignFactory(programme=dated)
            DonationFactory(programme=dated, campaign=campaign, donor=DonorFactory(programme=dated))
            NewsPostFactory(programme=dated, campaign=campaign)

    names = ["budget", "source-list", "expense-list", "campaign-list", "donor-list", "donation-list", "news-list"]
    populate(2)
    few = {name: _count(client, _url(name, dated), django_assert_max_num_queries) for name in names}
    populate(18)
    for name in names:
        with django_assert_max_num_queries(few[name]):
            assert client.get(_url(name, dated)).status_code == 200, name
