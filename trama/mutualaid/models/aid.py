"""Mutual aid: requests, offers with their weekly availability, and the matches between them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category as DataCategory
from trama.core.processing import PersonalData
from trama.mutualaid.models.common import (
    _ACT,
    _STATS,
    AvailabilitySlot,
    Category,
    Language,
    _pd,
    labels_of,
)
from trama.mutualaid.models.volunteers import Volunteer
from trama.network.models import CitizenGroup
from trama.people.models import Household, Person
from trama.territory.models import Municipality, Programme


class Urgency(models.TextChoices):
    LOW = "low", _("when possible")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("urgent")


class MutualAidRequest(VersionedModel):
    """Someone needs a hand. Who asks (a household followed by a case, a citizen, a group) stays
    hidden from the helpers until both sides accept a match: helpers see only `summary`, the
    category, the municipality, the distance, the time and the language."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MATCHED = "matched", _("matched")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="mutual_aid_requests")
    category = models.CharField(_("kind of help"), max_length=20, choices=Category.choices)
    summary = models.CharField(
        _("what is needed"), max_length=300,
        help_text=_("Shown to possible helpers before they accept: no names, addresses or telephone numbers."),
    )  # fmt: skip
    details = models.TextField(
        _("details for the helper"), blank=True,
        help_text=_("Shown to the helper only after both sides have accepted."),
    )  # fmt: skip
    requester_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="mutual_aid_requests",
        verbose_name=_("household"),
    )  # fmt: skip
    requester_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="mutual_aid_requests",
        verbose_name=_("citizen"),
    )  # fmt: skip
    requester_group = models.ForeignKey(
        CitizenGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="mutual_aid_requests",
        verbose_name=_("citizen group"),
    )  # fmt: skip
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    address = models.CharField(
        _("address"), max_length=200, blank=True, help_text=_("Shown to the helper only after both sides accept.")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ITALIAN)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(DataCategory.LINK),
        "category": _pd(DataCategory.SOCIAL),
        "summary": _pd(DataCategory.SOCIAL),
        "details": _pd(DataCategory.SOCIAL),
        "requester_household": _pd(DataCategory.LINK),
        "requester_person": _pd(DataCategory.LINK),
        "requester_group": _pd(DataCategory.LINK),
        "municipality": _pd(DataCategory.IDENTITY, _STATS),
        "address": _pd(DataCategory.IDENTITY),
        "latitude": _pd(DataCategory.IDENTITY),
        "longitude": _pd(DataCategory.IDENTITY),
        "starts_at": _pd(DataCategory.ACTIVITY),
        "ends_at": _pd(DataCategory.ACTIVITY),
        "urgency": _pd(DataCategory.SOCIAL),
        "language": _pd(DataCategory.SOCIAL),
        "status": _pd(DataCategory.ACTIVITY),
        "created_by": _pd(DataCategory.LINK, _ACT),
    }

    class Meta:
        verbose_name = _("mutual-aid request")
        verbose_name_plural = _("mutual-aid requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(requester_household__isnull=False, requester_person__isnull=True, requester_group__isnull=True)
                    | Q(requester_household__isnull=True, requester_person__isnull=False, requester_group__isnull=True)
                    | Q(requester_household__isnull=True, requester_person__isnull=True, requester_group__isnull=False)
                ),
                name="request_one_requester",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="request_ends_after_start"),
        ]
        indexes = [
            # The requests list: a programme's requests by status, newest first.
            models.Index(fields=["programme", "status", "-created_at"], name="request_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.starts_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("mutualaid:request-detail", args=[self.programme.slug, self.public_id])

    @property
    def requester_kind(self) -> str:
        if self.requester_household_id:
            return "household"
        return "person" if self.requester_person_id else "group"


class MutualAidOffer(VersionedModel):
    """Someone offers a kind of help: a volunteer, a citizen, a beneficiary, a citizen group.

    `done_count` and `failed_count` are the helper's record (matches completed; matches they
    declined or dropped after accepting), kept on every offer of the helper so that the matching
    engine orders by reliability without counting matches for each of 100,000 offers.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="mutual_aid_offers")
    category = models.CharField(_("kind of help"), max_length=20, choices=Category.choices)
    description = models.CharField(_("what is offered"), max_length=300)
    offerer_volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="offers", verbose_name=_("volunteer")
    )
    offerer_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="mutual_aid_offers",
        verbose_name=_("citizen"),
    )  # fmt: skip
    offerer_group = models.ForeignKey(
        CitizenGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="mutual_aid_offers",
        verbose_name=_("citizen group"),
    )  # fmt: skip
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    max_distance_km = models.PositiveSmallIntegerField(_("goes up to (km)"), default=5)
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)  # Language codes
    is_active = models.BooleanField(_("active"), default=True)
    away_from = models.DateField(_("away from"), null=True, blank=True)
    away_until = models.DateField(_("away until"), null=True, blank=True)
    done_count = models.PositiveIntegerField(_("exchanges completed"), default=0, editable=False)
    failed_count = models.PositiveIntegerField(_("exchanges dropped"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(DataCategory.LINK),
        "category": _pd(DataCategory.ACTIVITY),
        "description": _pd(DataCategory.ACTIVITY),
        "offerer_volunteer": _pd(DataCategory.LINK),
        "offerer_person": _pd(DataCategory.LINK),
        "offerer_group": _pd(DataCategory.LINK),
        "municipality": _pd(DataCategory.IDENTITY, _STATS),
        "latitude": _pd(DataCategory.IDENTITY),
        "longitude": _pd(DataCategory.IDENTITY),
        "max_distance_km": _pd(DataCategory.ACTIVITY),
        "languages": _pd(DataCategory.SOCIAL),
        "is_active": _pd(DataCategory.ACTIVITY),
        "away_from": _pd(DataCategory.ACTIVITY),
        "away_until": _pd(DataCategory.ACTIVITY),
        "done_count": _pd(DataCategory.ACTIVITY),
        "failed_count": _pd(DataCategory.ACTIVITY),
        "created_by": _pd(DataCategory.LINK, _ACT),
    }

    class Meta:
        verbose_name = _("mutual-aid offer")
        verbose_name_plural = _("mutual-aid offers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(offerer_volunteer__isnull=False, offerer_person__isnull=True, offerer_group__isnull=True)
                    | Q(offerer_volunteer__isnull=True, offerer_person__isnull=False, offerer_group__isnull=True)
                    | Q(offerer_volunteer__isnull=True, offerer_person__isnull=True, offerer_group__isnull=False)
                ),
                name="offer_one_offerer",
            ),
            models.CheckConstraint(
                condition=Q(away_until__isnull=True)
                | Q(away_from__isnull=True)
                | Q(away_until__gte=models.F("away_from")),
                name="offer_away_ordered",
            ),
        ]
        indexes = [
            # The matching engine's prefilter: active offers of a programme and category inside a
            # latitude band (the bounding box), before any distance is computed.
            models.Index(fields=["programme", "category", "is_active", "latitude"], name="offer_match_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.offerer_name}"

    def get_absolute_url(self) -> str:
        return reverse("mutualaid:offer-edit", args=[self.programme.slug, self.public_id])

    @property
    def offerer_name(self) -> str:
        if self.offerer_volunteer_id:
            return str(self.offerer_volunteer.person)
        if self.offerer_person_id:
            return str(self.offerer_person)
        return str(self.offerer_group)

    @property
    def language_labels(self) -> list[str]:
        return labels_of(self.languages, Language)


class OfferAvailability(AvailabilitySlot):
    offer = models.ForeignKey(MutualAidOffer, on_delete=models.CASCADE, related_name="availability")

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "offer": _pd(DataCategory.LINK),
        "weekday": _pd(DataCategory.ACTIVITY),
        "start_minute": _pd(DataCategory.ACTIVITY),
        "end_minute": _pd(DataCategory.ACTIVITY),
    }

    class Meta(AvailabilitySlot.Meta):
        verbose_name = _("availability of an offer")
        verbose_name_plural = _("availability of offers")
        indexes = [
            # The matching engine's overlap subquery: an offer's slots on one weekday.
            models.Index(fields=["offer", "weekday", "start_minute"], name="offer_slot_idx"),
        ]


class Match(VersionedModel):
    """A proposal that an offer answers a request: proposed → accepted (by both sides) → done, or
    declined / cancelled. `reasons` keeps the ranking's criteria as they were when proposed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted by both")
        DONE = "done", _("done")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    class Side(models.TextChoices):
        REQUESTER = "requester", _("the person who asked")
        HELPER = "helper", _("the helper")
        STAFF = "staff", _("the programme")

    LIVE = (Status.PROPOSED, Status.ACCEPTED)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="mutual_aid_matches")
    request = models.ForeignKey(MutualAidRequest, on_delete=models.PROTECT, related_name="matches")
    offer = models.ForeignKey(MutualAidOffer, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=3)
    reasons = models.JSONField(_("reasons"), default=list)
    requester_accepted_at = models.DateTimeField(_("accepted by the person who asked at"), null=True, blank=True)
    helper_accepted_at = models.DateTimeField(_("accepted by the helper at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_side = models.CharField(_("closed by"), max_length=10, choices=Side.choices, blank=True)
    closed_reason = models.CharField(_("reason"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(DataCategory.LINK),
        "request": _pd(DataCategory.LINK),
        "offer": _pd(DataCategory.LINK),
        "status": _pd(DataCategory.ACTIVITY),
        "score": _pd(DataCategory.ACTIVITY),
        "reasons": _pd(DataCategory.ACTIVITY),
        "requester_accepted_at": _pd(DataCategory.ACTIVITY),
        "helper_accepted_at": _pd(DataCategory.ACTIVITY),
        "closed_at": _pd(DataCategory.ACTIVITY),
        "closed_by_side": _pd(DataCategory.ACTIVITY),
        "closed_reason": _pd(DataCategory.ACTIVITY),
        "proposed_by": _pd(DataCategory.LINK, _ACT),
    }

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at"]
        constraints = [
            # An offer is proposed once for a request (a declined one is not proposed again).
            models.UniqueConstraint(fields=["request", "offer"], name="match_unique_pair"),
        ]
        indexes = [
            # A helper's matches, and "is this offer busy at that time?" (accepted matches).
            models.Index(fields=["offer", "status"], name="match_offer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request} ← {self.offer.get_category_display()}"

    @property
    def identity_revealed(self) -> bool:
        """The requester's name, address and telephone reach the helper only from here on."""
        return self.status in (self.Status.ACCEPTED, self.Status.DONE)
