"""Fundraising: donations and their receipts, the mailing export that never holds a donor without
consent, and the public campaign and news pages that never show a donor."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role
from trama.funding.models import Donation, NewsPost
from trama.funding.selectors.fundraising import campaign_progress
from trama.funding.services import fundraising as services
from trama.funding.tests.factories import CampaignFactory, DonationFactory, DonorFactory, NewsPostFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _give(programme, amount, **extra):
    fields = {"received_on": date(2020, 5, 4), "method": Donation.Method.BANK_TRANSFER} | extra
    return services.donation_record(actor=None, programme=programme, amount=D(amount), **fields)


@pytest.mark.parametrize("amount", ["0", "0.00", "-10.00", "3.333"])
def test_it_refuses_a_donation_that_is_not_a_positive_amount_and_saves_nothing(programme, coordinator, amount):
    campaign = CampaignFactory(programme=programme)
    with pytest.raises(ValidationError) as refused:
        services.donation_record(
            actor=coordinator, programme=programme, campaign=campaign, amount=D(amount), received_on=date(2020, 5, 4),
            method="cash",
        )  # fmt: skip
    assert list(refused.value.message_dict) == ["amount"]
    assert not Donation.objects.exists()
    assert not AuditEvent.objects.filter(target_type="funding.donation").exists()


def test_it_refuses_a_donation_in_the_future_or_before_its_campaign(programme):
    campaign = CampaignFactory(programme=programme, starts_on=date(2020, 3, 1))
    for day in (timezone.localdate() + timedelta(days=1), date(2020, 2, 29)):
        with pytest.raises(ValidationError) as refused:
            _give(programme, "10.00", campaign=campaign, received_on=day)
        assert list(refused.value.message_dict) == ["received_on"]
    assert not Donation.objects.exists()


def test_named_gifts_get_consecutive_receipt_numbers_per_year_and_anonymous_ones_none(programme):
    donor = DonorFactory(programme=programme)
    first = _give(programme, "20.00", donor=donor)
    anonymous = _give(programme, "5.00")
    second = _give(programme, "30.00", donor=donor, received_on=date(2020, 12, 31))
    next_year = _give(programme, "30.00", donor=donor, received_on=date(2021, 1, 2))
    assert [first.receipt_label, anonymous.receipt_label, second.receipt_label, next_year.receipt_label] == [
        "2020/0001", "", "2020/0002", "2021/0001",
    ]  # fmt: skip


def test_only_coordinators_record_donations(programme, member):
    for role in (Role.OPERATOR, Role.EVALUATOR, Role.FUNDER):
        with pytest.raises(PermissionDenied):
            services.donation_record(
                actor=member(role), programme=programme, amount=D("1.00"), received_on=date(2020, 5, 4), method="cash"
            )
    assert not Donation.objects.exists()


def test_a_campaigns_progress_is_the_sum_of_its_gifts(programme):
    campaign = CampaignFactory(programme=programme, goal=D("1000.00"))
    for amount in ("100.10", "200.20", "0.01"):
        _give(programme, amount, campaign=campaign, donor=DonorFactory(programme=programme))
    _give(programme, "999.00")  # general fundraising: not the campaign's
    progress = campaign_progress(campaign)
    assert (progress.raised, progress.gifts, progress.donors, progress.percent, progress.missing) == (
        D("300.31"), 3, 3, D("30.03"), D("699.69"),
    )  # fmt: skip
    assert progress.public_gifts is None  # fewer than 5: not published


def test_the_mailing_export_never_holds_a_donor_without_consent(client, login, programme, coordinator, other_programme):
    today = timezone.localdate()
    DonorFactory(programme=programme, last_name="Consenziente", email="si@example.org")
    DonorFactory(programme=programme, last_name="Senzaconsenso", email="no@example.org", contact_consent_on=None)
    DonorFactory(
        programme=programme, last_name="Ritirato", email="ritirato@example.org", contact_consent_withdrawn_on=today
    )
    DonorFactory(
        programme=programme, last_name="Ritirerà", email="ritirera@example.org",
        contact_consent_withdrawn_on=today + timedelta(days=30),
    )  # fmt: skip
    DonorFactory(programme=programme, first_name="", last_name='=HYPERLINK("x")', email="formula@example.org")
    DonorFactory(programme=other_programme, last_name="Altroprogramma", email="altro@example.org")
    login(client, coordinator)
    response = client.get(reverse("funding:mailing-export", kwargs={"slug": programme.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_email = {row[2]: row for row in rows[1:]}
    assert set(by_email) == {"si@example.org", "ritirera@example.org", "formula@example.org"}
    assert by_email["formula@example.org"][0] == '\'=HYPERLINK("x")'  # neutralised (S19)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target_type="funding.mailing")
    assert (event.actor, event.programme) == (coordinator, programme)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EVALUATOR, Role.FUNDER, Role.VOLUNTEER])
def test_only_coordinators_download_the_mailing_list(client, login, programme, member, role):
    login(client, member(role))
    response = client.get(reverse("funding:mailing-export", kwargs={"slug": programme.slug}))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_receipt_is_a_pdf_and_its_download_is_audited(client, login, programme, coordinator):
    donation = _give(programme, "75.00", donor=DonorFactory(programme=programme, tax_code="RSSMRA80A01G388X"))
    login(client, coordinator)
    url = reverse("funding:receipt-pdf", kwargs={"slug": programme.slug, "donation_id": donation.public_id})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "ricevuta-2020-0001.pdf" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, target_type="funding.donation", target_id=str(donation.public_id)
    ).exists()


def test_a_receipt_of_another_programme_answers_404(client, login, programme, coordinator, other_programme):
    donation = _give(other_programme, "75.00", donor=DonorFactory(programme=other_programme))
    login(client, coordinator)
    url = reverse("funding:receipt-pdf", kwargs={"slug": programme.slug, "donation_id": donation.public_id})
    assert client.get(url).status_code == 404


def test_reading_a_donors_record_is_audited(client, login, programme, coordinator):
    donor = DonorFactory(programme=programme)
    login(client, coordinator)
    response = client.get(donor.get_absolute_url())
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.READ, target_type="funding.donor", target_id=str(donor.public_id), actor=coordinator
    ).exists()


# --- The public site ------------------------------------------------------------------------------

SECRETS = ("Segretissima", "segreta@example.org", "RSSGNN70A41G388P", "333 1234567", "Via Nascosta 9", "123,45")


def _secret_donations(programme, campaign, count):
    donor = DonorFactory(
        programme=programme, first_name="Giovanna", last_name="Segretissima", email="segreta@example.org",
        tax_code="RSSGNN70A41G388P", phone="333 1234567", address="Via Nascosta 9",
    )  # fmt: skip
    DonorFactory(programme=programme, kind="company", last_name="", first_name="", company_name="Ditta Riservata Srl")
    for _ in range(count):
        DonationFactory(programme=programme, campaign=campaign, donor=donor, amount=D("123.45"))


def test_the_public_campaign_page_shows_totals_and_never_a_donor(client, programme):
    campaign = CampaignFactory(programme=programme, title="Un doposcuola per tutti", goal=D("2000.00"))
    _secret_donations(programme, campaign, 6)
    for url in (
        reverse("funding-public:campaigns", kwargs={"slug": programme.slug}),
        campaign.get_public_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Un doposcuola per tutti" in page
        assert "740,70" in page  # 6 × 123,45 raised
        assert 'data-gifts="6"' in page
        for secret in (*SECRETS[:5], "Ditta Riservata", "Giovanna"):
            assert secret not in page, secret


def test_the_public_page_hides_the_number_of_gifts_under_five(client, programme):
    campaign = CampaignFactory(programme=programme)
    _secret_donations(programme, campaign, 2)
    page = client.get(campaign.get_public_url()).content.decode()
    assert 'data-gifts=""' in page
    assert "Segretissima" not in page


def test_an_unpublished_campaign_or_a_hidden_programme_answers_404(client, programme):
    hidden = CampaignFactory(programme=programme, is_public=False)
    assert client.get(hidden.get_public_url()).status_code == 404
    shown = CampaignFactory(programme=programme)
    programme.is_public = False
    programme.save(update_fields=["is_public"])
    assert client.get(shown.get_public_url()).status_code == 404
    assert client.get(reverse("funding-public:news-list", kwargs={"slug": programme.slug})).status_code == 404


def test_the_public_news_shows_published_posts_only(client, programme, coordinator):
    draft = NewsPostFactory(programme=programme, title="Bozza riservata")
    post = services.news_save(
        actor=coordinator, programme=programme,
        fields={"title": "Nasce la mappa dei laboratori", "summary": "La mappa", "body": "Testo",
                "status": "published"},
    )  # fmt: skip
    assert post.published_at is not None
    listing = client.get(reverse("funding-public:news-list", kwargs={"slug": programme.slug}))
    assert "Nasce la mappa dei laboratori" in listing.content.decode()
    assert "Bozza riservata" not in listing.content.decode()
    assert client.get(post.get_public_url()).status_code == 200
    assert client.get(draft.get_public_url()).status_code == 404
    services.news_save(
        actor=coordinator, programme=programme, post=post, expected_version=post.version, fields={"status": "draft"}
    )
    assert client.get(post.get_public_url()).status_code == 404


def test_a_published_post_cannot_be_deleted_and_a_draft_can_after_confirmation(client, login, programme, coordinator):
    published = NewsPostFactory(programme=programme, status="published", published_at=timezone.now())
    draft = NewsPostFactory(programme=programme)
    login(client, coordinator)
    url = reverse("funding:news-delete", kwargs={"slug": programme.slug, "post_id": draft.public_id})
    assert client.get(url).status_code == 200  # the confirmation page
    assert NewsPost.objects.filter(pk=draft.pk).exists()
    assert client.post(url).status_code == 302
    assert not NewsPost.objects.filter(pk=draft.pk).exists()
    published_url = reverse("funding:news-delete", kwargs={"slug": programme.slug, "post_id": published.public_id})
    refused = client.post(published_url)
    assert refused.status_code == 200
    assert NewsPost.objects.filter(pk=published.pk).exists()


def test_the_public_lists_cost_a_fixed_number_of_queries(client, programme, django_assert_max_num_queries):
    def populate(count):
        for index in range(count):
            campaign = CampaignFactory(programme=programme)
            DonationFactory(programme=programme, campaign=campaign)
            NewsPostFactory(programme=programme, status="published", published_at=timezone.now(), campaign=campaign,
                            title=f"Notizia {index}")  # fmt: skip

    urls = [
        reverse("funding-public:campaigns", kwargs={"slug": programme.slug}),
        reverse("funding-public:news-list", kwargs={"slug": programme.slug}),
    ]
    populate(2)
    counts = []
    for url in urls:
        with django_assert_max_num_queries(10) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))
    populate(18)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
