"""Which offers to propose for a mutual-aid request, and why: the criteria of the matching engine
(`trama.mutualaid.matching`) for mutual aid.

A candidate must be available — never proposed otherwise:
- the offer is active, its helper not away on the request's day, a volunteer helper is approved,
  and the helper's data may be used (not erased, not restricted);
- the request lies within the distance the helper said they would go;
- when the helper stated weekly availability, some of it overlaps the request's time;
- the helper is not already busy with an accepted match at that time, was not proposed for this
  request before (a declined proposal is not repeated), and is not the requester themselves.

Candidates are then ranked by category (the same kind of help, or a related one), distance,
overlap of availability, language and past reliability.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.mutualaid.matching import (
    Criterion,
    Ranked,
    bounding_box,
    clamp01,
    distance_km,
    flag_score,
    proximity_score,
    rank,
    smoothed_ratio,
)
from trama.mutualaid.models import (
    MINUTES_IN_A_DAY,
    Category,
    Language,
    Match,
    MutualAidOffer,
    MutualAidRequest,
    OfferAvailability,
    Volunteer,
    Weekday,
    minutes_label,
)
from trama.people.models import HouseholdMember

# Nobody is proposed farther than this, whatever they said they would travel.
SEARCH_RADIUS_KM = 30
# Kinds of help close enough that an offer of one may answer a request of the other.
RELATED_CATEGORIES: dict[str, tuple[str, ...]] = {
    Category.ACCOMPANIMENT: (Category.TRANSPORT, Category.COMPANY),
    Category.TRANSPORT: (Category.ACCOMPANIMENT,),
    Category.COMPANY: (Category.ACCOMPANIMENT,),
    Category.HOMEWORK: (Category.CHILD_MINDING,),
    Category.CHILD_MINDING: (Category.HOMEWORK,),
    Category.SHOPPING: (Category.TRANSPORT,),
    Category.REPAIRS: (Category.LENDING,),
    Category.LENDING: (Category.REPAIRS,),
    Category.TRANSLATION: (),
}
RELATED_SCORE = 0.5
# A helper who stated no weekly availability may still fit: "to be agreed" scores half.
UNSTATED_AVAILABILITY_SCORE = 0.5
WEIGHTS = {"category": 0.25, "distance": 0.30, "availability": 0.20, "language": 0.15, "reliability": 0.10}
DEFAULT_LIMIT = 10


class Window:
    """The request's time as the weekly slots see it: a weekday and minutes after midnight."""

    def __init__(self, starts_at: datetime, ends_at: datetime) -> None:
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        self.day = start.date()
        self.weekday = start.isoweekday()
        self.start = start.hour * 60 + start.minute
        # A request that runs past midnight is matched on its first day, to the end of it.
        self.end = end.hour * 60 + end.minute if end.date() == self.day else MINUTES_IN_A_DAY
        self.end = max(self.end, self.start + 1)

    @property
    def minutes(self) -> int:
        return self.end - self.start


def available_offers(request: MutualAidRequest) -> QuerySet[MutualAidOffer]:
    """Every offer that could answer `request` now, with `distance_km` and `overlap_minutes` (None
    when the helper stated no weekly availability) annotated; nothing is loaded."""
    window = Window(request.starts_at, request.ends_at)
    categories = [request.category, *RELATED_CATEGORIES.get(request.category, ())]
    offers = MutualAidOffer.objects.filter(
        bounding_box("latitude", "longitude", request.latitude, request.longitude, SEARCH_RADIUS_KM),
        programme_id=request.programme_id,
        category__in=categories,
        is_active=True,
    )
    away = Q(away_from__lte=window.day) & (Q(away_until__isnull=True) | Q(away_until__gte=window.day))
    usable_person = Q(offerer_person__isnull=True) | Q(
        offerer_person__erased_at__isnull=True, offerer_person__is_restricted=False
    )
    usable_volunteer = Q(offerer_volunteer__isnull=True) | Q(
        offerer_volunteer__status=Volunteer.Status.APPROVED,
        offerer_volunteer__person__erased_at__isnull=True,
        offerer_volunteer__person__is_restricted=False,
    )
    offers = offers.exclude(away).filter(usable_person, usable_volunteer).exclude(_is_requester(request))
    already = Match.objects.filter(request_id=request.pk, offer_id=OuterRef("pk"))
    busy = Match.objects.filter(
        offer_id=OuterRef("pk"),
        status=Match.Status.ACCEPTED,
        request__starts_at__lt=request.ends_at,
        request__ends_at__gt=request.starts_at,
    )
    offers = offers.exclude(Exists(already)).exclude(Exists(busy))
    distance = distance_km("latitude", "longitude", request.latitude, request.longitude)
    # One correlated lookup per candidate: the best overlap among all the offer's slots, where a slot
    # of another day or time counts 0 — so NULL means "no weekly availability stated" (to be agreed),
    # 0 means "stated, and not then" (unavailable).
    overlaps = Case(
        When(
            Q(weekday=window.weekday, start_minute__lt=window.end, end_minute__gt=window.start),
            then=Least(F("end_minute"), Value(window.end)) - Greatest(F("start_minute"), Value(window.start)),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    best_overlap = (
        OfferAvailability.objects.filter(offer_id=OuterRef("pk"))
        .annotate(overlap=overlaps)
        .order_by("-overlap")
        .values("overlap")[:1]
    )
    return offers.annotate(distance_km=distance, overlap_minutes=Subquery(best_overlap)).filter(
        Q(distance_km__lte=F("max_distance_km")), Q(overlap_minutes__isnull=True) | Q(overlap_minutes__gt=0)
    )


def _is_requester(request: MutualAidRequest) -> Q:
    """The requester does not help themselves: their own offers, or a member of their household's."""
    if request.requester_person_id:
        return Q(offerer_person_id=request.requester_person_id) | Q(
            offerer_volunteer__person_id=request.requester_person_id
        )
    if request.requester_group_id:
        return Q(offerer_group_id=request.requester_group_id)
    members = HouseholdMember.objects.filter(household_id=request.requester_household_id).values("person_id")
    return Q(offerer_person_id__in=members) | Q(offerer_volunteer__person_id__in=members)


def criteria(request: MutualAidRequest) -> list[Criterion]:
    window = Window(request.starts_at, request.ends_at)
    language = request.language
    language_label = str(Language(language).label) if language in Language.values else language
    return [
        Criterion(
            "category",
            WEIGHTS["category"],
            flag_score(Q(category=request.category), otherwise=RELATED_SCORE),
            explain=lambda offer: _category_reason(offer, request),
        ),
        Criterion(
            "distance",
            WEIGHTS["distance"],
            proximity_score(F("distance_km"), SEARCH_RADIUS_KM),
            explain=lambda offer: _("About %(km)s km away") % {"km": f"{offer.distance_km:.1f}".replace(".", ",")},
        ),
        Criterion(
            "availability",
            WEIGHTS["availability"],
            clamp01(
                Coalesce(
                    F("overlap_minutes") * Value(1.0 / window.minutes),
                    Value(UNSTATED_AVAILABILITY_SCORE),
                    output_field=FloatField(),
                )
            ),
            explain=lambda offer: _availability_reason(offer, window),
        ),
        Criterion(
            "language",
            WEIGHTS["language"],
            flag_score(Q(languages__contains=f",{language},")),
            explain=lambda offer: (
                (_("Speaks %(language)s") if f",{language}," in offer.languages else _("Does not speak %(language)s"))
                % {"language": language_label}
            ),
        ),
        Criterion(
            "reliability",
            WEIGHTS["reliability"],
            smoothed_ratio("done_count", "failed_count"),
            explain=_reliability_reason,
        ),
    ]


def _category_reason(offer: MutualAidOffer, request: MutualAidRequest) -> str:
    if offer.category == request.category:
        return _("Offers exactly this help: %(category)s") % {"category": offer.get_category_display()}
    return _("Offers a related help: %(category)s") % {"category": offer.get_category_display()}


def _availability_reason(offer: Any, window: Window) -> str:
    if offer.overlap_minutes is None:
        return _("Stated no weekly availability: to be agreed")
    day = str(Weekday(window.weekday).label)
    when = f"{day} {minutes_label(window.start)}–{minutes_label(window.end)}"
    if offer.overlap_minutes >= window.minutes:
        return _("Available for the whole time (%(when)s)") % {"when": when}
    return _("Available for %(minutes)d of the %(total)d minutes (%(when)s)") % {
        "minutes": offer.overlap_minutes,
        "total": window.minutes,
        "when": when,
    }


def _reliability_reason(offer: MutualAidOffer) -> str:
    total = offer.done_count + offer.failed_count
    if total == 0:
        return _("New helper: no exchanges yet")
    return _("Completed %(done)d of %(total)d exchanges") % {"done": offer.done_count, "total": total}


def propose(request: MutualAidRequest, *, limit: int = DEFAULT_LIMIT) -> list[Ranked[MutualAidOffer]]:
    """The best offers for `request`, best first, each with its reasons. The ranking runs in the
    database; only the `limit` winners are loaded, with what a page shows of them."""
    offers = available_offers(request).select_related(
        "offerer_volunteer__person", "offerer_person", "offerer_group", "municipality"
    )
    return rank(offers, criteria(request), limit=limit)
