"""Reads of fundraising and communication.

Staff reads are scoped by who asks: donors and donations (personal data) only for coordinators;
campaigns' progress (aggregates) also for evaluators and funders. Public reads (the campaign page,
the news) start from `public_campaigns` / `published_news` and carry totals only, never a donor
(S8): the number of donors is shown only from 5 up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from trama.accounts.models import User
from trama.funding.models import Campaign, Donation, Donor, NewsPost
from trama.funding.money import ZERO, cents, percent
from trama.funding.permissions import manager_membership, reader_membership
from trama.territory.models import Programme

# Published figures suppress counts of fewer than 5 people (S8).
SMALL_CELL = 5


def with_progress(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Each campaign with `raised`, `gifts` and `donor_count` (one query)."""
    return campaigns.annotate(
        raised=Sum("donations__amount"),
        gifts=Count("donations", distinct=True),
        donor_count=Count("donations__donor", distinct=True),
    )


@dataclass(frozen=True)
class Progress:
    goal: Decimal
    raised: Decimal
    gifts: int
    donors: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.raised, self.goal)

    @property
    def bar_value(self) -> Decimal:
        """For the <progress> element: the share reached, capped at the goal."""
        share = self.percent or ZERO
        return min(share, Decimal(100))

    @property
    def missing(self) -> Decimal:
        return max(self.goal - self.raised, ZERO)

    @property
    def public_gifts(self) -> int | None:
        """The number of gifts as published: None (shown as "fewer than 5") under 5."""
        return self.gifts if self.gifts >= SMALL_CELL else None

    @property
    def public_donors(self) -> int | None:
        return self.donors if self.donors >= SMALL_CELL else None


def progress_of(campaign: Campaign) -> Progress:
    """Progress of an annotated campaign (`with_progress`)."""
    return Progress(
        goal=cents(campaign.goal), raised=cents(campaign.raised), gifts=campaign.gifts, donors=campaign.donor_count
    )


def campaign_list(user: User, programme: Programme, *, query: str = "", state: str = "") -> QuerySet[Campaign]:
    reader_membership(user, programme)
    campaigns = Campaign.objects.for_programme(programme).select_related("source", "programme")
    if query:
        campaigns = campaigns.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    today = timezone.localdate()
    if state == "running":
        campaigns = campaigns.filter(starts_on__lte=today, ends_on__gte=today)
    elif state == "closed":
        campaigns = campaigns.filter(ends_on__lt=today)
    elif state == "planned":
        campaigns = campaigns.filter(starts_on__gt=today)
    return with_progress(campaigns).order_by("-starts_on", "title", "pk")


def campaign_progress(campaign: Campaign) -> Progress:
    return progress_of(with_progress(Campaign.objects.filter(pk=campaign.pk)).get())


def campaign_donations(user: User, campaign: Campaign) -> QuerySet[Donation]:
    """A campaign's gifts with their donors: coordinators only."""
    manager_membership(user, campaign.programme)
    return campaign.donations.select_related("donor__programme").order_by("-received_on", "-pk")


def donor_list(user: User, programme: Programme, *, query: str = "", consent: str = "", kind: str = "") -> QuerySet:
    """The programme's donors for a coordinator, with what each gave and when last."""
    manager_membership(user, programme)
    donors = Donor.objects.for_programme(programme).select_related("municipality", "programme")
    if query:
        donors = donors.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(company_name__icontains=query)
            | Q(email__icontains=query)
        )  # fmt: skip
    if kind:
        donors = donors.filter(kind=kind)
    today = timezone.localdate()
    consenting = Q(contact_consent_on__lte=today) & (
        Q(contact_consent_withdrawn_on__isnull=True) | Q(contact_consent_withdrawn_on__gt=today)
    )
    if consent == "yes":
        donors = donors.filter(consenting)
    elif consent == "no":
        donors = donors.exclude(consenting)
    return donors.annotate(
        given=Sum("donations__amount"), gifts=Count("donations"), last_gift=Max("donations__received_on")
    ).order_by("last_name", "first_name", "company_name", "pk")


def mailing_donors(user: User, programme: Programme) -> list[Donor]:
    """The donors who may be contacted today: consent given, not withdrawn, with an e-mail, a
    telephone or an address. Nobody else, ever."""
    manager_membership(user, programme)
    today = timezone.localdate()
    donors = (
        Donor.objects.for_programme(programme)
        .filter(contact_consent_on__isnull=False, contact_consent_on__lte=today)
        .filter(Q(contact_consent_withdrawn_on__isnull=True) | Q(contact_consent_withdrawn_on__gt=today))
        .exclude(email="", phone="", address="")
        .select_related("municipality")
        .order_by("last_name", "first_name", "company_name", "pk")
    )
    # The rule is checked again on each row: the export's only guard must not be a query.
    return [donor for donor in donors if donor.may_be_contacted(today)]


def donor_donations(donor: Donor) -> QuerySet[Donation]:
    return donor.donations.select_related("campaign").order_by("-received_on", "-pk")


def donation_list(
    user: User, programme: Programme, *, query: str = "", campaign: str = "", method: str = ""
) -> QuerySet[Donation]:
    manager_membership(user, programme)
    donations = Donation.objects.for_programme(programme).select_related("donor__programme", "campaign")
    if query:
        donations = donations.filter(
            Q(donor__last_name__icontains=query) | Q(donor__company_name__icontains=query)
            | Q(donor__first_name__icontains=query) | Q(reference__icontains=query)
        )  # fmt: skip
    if campaign:
        donations = donations.filter(campaign__public_id=campaign)
    if method:
        donations = donations.filter(method=method)
    return donations.order_by("-received_on", "-pk")


def news_list(user: User, programme: Programme, *, query: str = "", status: str = "") -> QuerySet[NewsPost]:
    manager_membership(user, programme)
    posts = NewsPost.objects.for_programme(programme).select_related("campaign", "author", "programme")
    if query:
        posts = posts.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    if status:
        posts = posts.filter(status=status)
    return posts.order_by("-created_at", "-pk")


# --- The public site -----------------------------------------------------------------------------


def public_campaigns(programme: Programme) -> QuerySet[Campaign]:
    """The campaigns a visitor may see, with their totals: published ones, newest first."""
    return with_progress(
        Campaign.objects.for_programme(programme).filter(is_public=True).select_related("programme")
    ).order_by("-starts_on", "title", "pk")


def public_campaign(programme: Programme, campaign_id: object) -> Campaign | None:
    return public_campaigns(programme).filter(public_id=campaign_id).first()


def published_news(programme: Programme) -> QuerySet[NewsPost]:
    return (
        NewsPost.objects.for_programme(programme)
        .published()
        .select_related("campaign", "programme")
        .order_by("-published_at", "-pk")
    )


def public_news_post(programme: Programme, post_id: object) -> NewsPost | None:
    return published_news(programme).filter(public_id=post_id).first()
