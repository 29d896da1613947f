"""Reads of mutual aid: the staff's lists of requests and offers, a request's matches, and what a
helper may see of a match — the requester's identity only once both sides have accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from trama.accounts.models import User
from trama.mutualaid.matching import great_circle_km
from trama.mutualaid.models import (
    Language,
    Match,
    MutualAidOffer,
    MutualAidRequest,
    OfferAvailability,
    Urgency,
    Volunteer,
)
from trama.mutualaid.permissions import visible_offers, visible_requests
from trama.territory.models import Programme


@dataclass(frozen=True)
class RequestFilters:
    query: str = ""
    status: str = ""
    category: str = ""
    urgency: str = ""

    @property
    def active(self) -> bool:
        return bool(self.query or self.status or self.category or self.urgency)


def request_list(user: User, programme: Programme, filters: RequestFilters) -> QuerySet[MutualAidRequest]:
    requests = visible_requests(user, programme)
    if filters.query:
        requests = requests.filter(summary__icontains=filters.query)
    if filters.status in MutualAidRequest.Status.values:
        requests = requests.filter(status=filters.status)
    if filters.category:
        requests = requests.filter(category=filters.category)
    if filters.urgency in Urgency.values:
        requests = requests.filter(urgency=filters.urgency)
    return (
        requests.select_related("municipality", "requester_household", "requester_person", "requester_group")
        .annotate(live_matches=Count("matches", filter=Q(matches__status__in=Match.LIVE)))
        .order_by("-created_at", "-pk")
    )


def request_matches(request: MutualAidRequest) -> QuerySet[Match]:
    return request.matches.select_related(
        "offer__offerer_volunteer__person", "offer__offerer_person", "offer__offerer_group"
    ).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class OfferFilters:
    query: str = ""
    category: str = ""
    active: str = ""  # "1" active only, "0" paused only

    @property
    def any(self) -> bool:
        return bool(self.query or self.category or self.active)


def offer_list(user: User, programme: Programme, filters: OfferFilters) -> QuerySet[MutualAidOffer]:
    offers = visible_offers(user, programme)
    if filters.query:
        offers = offers.filter(
            Q(description__icontains=filters.query)
            | Q(offerer_person__last_name__icontains=filters.query)
            | Q(offerer_volunteer__person__last_name__icontains=filters.query)
            | Q(offerer_group__name__icontains=filters.query)
        )
    if filters.category:
        offers = offers.filter(category=filters.category)
    if filters.active in ("0", "1"):
        offers = offers.filter(is_active=filters.active == "1")
    return offers.select_related(
        "municipality", "offerer_volunteer__person", "offerer_person", "offerer_group"
    ).order_by("-created_at", "-pk")


def offer_slots(offer: MutualAidOffer) -> QuerySet[OfferAvailability]:
    return offer.availability.order_by("weekday", "start_minute")


# --- What a helper sees --------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    name: str
    address: str
    phone: str
    details: str


@dataclass(frozen=True)
class HelperView:
    """A match as the helper sees it. `identity` is None until both sides have accepted: the
    requester's name, address and telephone are never put in here before."""

    public_id: str
    status: str
    status_label: str
    category: str
    category_label: str
    summary: str
    municipality: str
    starts_at: datetime
    ends_at: datetime
    urgency_label: str
    language_label: str
    distance_km: float
    helper_accepted: bool
    identity: Identity | None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.public_id,
            "status": self.status,
            "category": self.category,
            "summary": self.summary,
            "municipality": self.municipality,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "urgency": self.urgency_label,
            "language": self.language_label,
            "distance_km": round(self.distance_km, 1),
            "helper_accepted": self.helper_accepted,
        }
        if self.identity is not None:
            data["requester"] = {
                "name": self.identity.name,
                "address": self.identity.address,
                "phone": self.identity.phone,
                "details": self.identity.details,
            }
        return data


def _identity(request: MutualAidRequest) -> Identity:
    if request.requester_household_id:
        household = request.requester_household
        contact = household.primary_contact
        return Identity(
            name=household.label,
            address=request.address or household.address,
            phone=contact.phone if contact else "",
            details=request.details,
        )
    if request.requester_person_id:
        person = request.requester_person
        return Identity(name=str(person), address=request.address, phone=person.phone, details=request.details)
    group = request.requester_group
    name = f"{group.name} — {group.contact_name}" if group.contact_name else group.name
    return Identity(name=name, address=request.address, phone=group.contact_phone, details=request.details)


def helper_view(match: Match) -> HelperView:
    request, offer = match.request, match.offer
    return HelperView(
        public_id=str(match.public_id),
        status=match.status,
        status_label=str(match.get_status_display()),
        category=request.category,
        category_label=str(request.get_category_display()),
        summary=request.summary,
        municipality=request.municipality.name,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        urgency_label=str(request.get_urgency_display()),
        language_label=str(Language(request.language).label) if request.language in Language.values else "",
        distance_km=great_circle_km(
            float(offer.latitude), float(offer.longitude), float(request.latitude), float(request.longitude)
        ),
        helper_accepted=match.helper_accepted_at is not None,
        identity=_identity(request) if match.identity_revealed else None,
    )


def helper_views(volunteer: Volunteer, *, statuses: tuple[str, ...] | None = None) -> list[HelperView]:
    """The volunteer's matches, newest first, as they may see them: one query. Callers pass the
    volunteer of the signed-in user (`permissions.require_own_volunteer`)."""
    matches = Match.objects.filter(programme_id=volunteer.programme_id, offer__offerer_volunteer=volunteer)
    if statuses:
        matches = matches.filter(status__in=statuses)
    matches = matches.select_related(
        "offer",
        "request__municipality",
        "request__requester_household__primary_contact",
        "request__requester_person",
        "request__requester_group",
    ).order_by("-created_at", "-pk")
    return [helper_view(match) for match in matches]


def helper_offers(volunteer: Volunteer) -> QuerySet[MutualAidOffer]:
    """The volunteer's own offers."""
    return (
        MutualAidOffer.objects.filter(offerer_volunteer=volunteer)
        .prefetch_related(
            Prefetch("availability", queryset=OfferAvailability.objects.order_by("weekday", "start_minute"))
        )
        .order_by("category", "pk")
    )
