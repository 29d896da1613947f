"""The matching engine on hand-built cases: the closest available helper with the right language wins,
unavailable helpers are never proposed, each ranking comes with its reasons, and the selection runs
in the database (a fixed number of queries, whatever the number of offers)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from trama.core.tests.factories import CommunityPlaceFactory
from trama.mutualaid.matching import (
    KM_PER_DEGREE,
    Criterion,
    bounding_box,
    distance_km,
    great_circle_km,
    proximity_score,
    rank,
)
from trama.mutualaid.models import Match, MutualAidOffer, Volunteer
from trama.mutualaid.proposals import SEARCH_RADIUS_KM, available_offers, propose
from trama.mutualaid.tests.factories import (
    PAVIA,
    MatchFactory,
    OfferFactory,
    OfferSlotFactory,
    RequestFactory,
    VolunteerFactory,
    a_tuesday,
)
from trama.network.models import CommunityPlace

pytestmark = pytest.mark.django_db


def north(km: float) -> Decimal:
    """The latitude `km` north of the reference point."""
    return (PAVIA[0] + Decimal(km / KM_PER_DEGREE)).quantize(Decimal("0.00001"))


def offer(programme, km: float, *, languages: str = ",it,", slot: tuple[int, int] | None = (15 * 60, 18 * 60),
          **fields) -> MutualAidOffer:  # fmt: skip
    made = OfferFactory(programme=programme, latitude=north(km), languages=languages, **fields)
    if slot is not None:
        OfferSlotFactory(offer=made, start_minute=slot[0], end_minute=slot[1])
    return made


def proposed(request) -> list[MutualAidOffer]:
    return [ranked.item for ranked in propose(request)]


def test_the_closest_available_helper_with_the_right_language_wins(programme):
    request = RequestFactory(programme=programme, language="ar")
    offer(programme, 0.2, languages=",ar,it,", is_active=False)  # closest, speaks Arabic, but paused
    offer(programme, 0.5, languages=",it,")  # close, no Arabic
    winner = offer(programme, 1.5, languages=",ar,fr,")
    offer(programme, 6.0, languages=",ar,")  # right language, farther

    ranking = propose(request)

    assert ranking[0].item == winner
    assert [ranked.score for ranked in ranking] == sorted((ranked.score for ranked in ranking), reverse=True)
    reasons = {reason.criterion: reason for reason in ranking[0].reasons}
    assert reasons["language"].score == 1.0
    assert reasons["distance"].score == pytest.approx(1 - 1.5 / SEARCH_RADIUS_KM, abs=0.01)


def test_every_ranking_explains_each_criterion(programme):
    request = RequestFactory(programme=programme, category="accompaniment", language="it")
    offer(programme, 2.0, category="transport", done_count=3, failed_count=1)

    [ranked] = propose(request)

    assert [reason.criterion for reason in ranked.reasons] == [
        "category", "distance", "availability", "language", "reliability",
    ]  # fmt: skip
    assert all(reason.text for reason in ranked.reasons)
    reasons = {reason.criterion: reason for reason in ranked.reasons}
    assert reasons["category"].score == 0.5  # a related kind of help
    assert "2,0" in reasons["distance"].text
    assert reasons["availability"].score == 1.0  # 15:00–18:00 covers 16:00–17:00
    assert reasons["reliability"].score == pytest.approx(4 / 6)
    assert "3" in reasons["reliability"].text
    assert "4" in reasons["reliability"].text
    assert ranked.score == pytest.approx(sum(reason.points for reason in ranked.reasons))


@pytest.mark.parametrize(
    "unavailable",
    [
        pytest.param({"is_active": False}, id="paused"),
        pytest.param({"away_from": "request_day", "away_until": None}, id="away-indefinitely"),
        pytest.param({"away_from": "day_before", "away_until": "request_day"}, id="away-that-day"),
        pytest.param({"slot": (9 * 60, 12 * 60)}, id="available-only-in-the-morning"),
        pytest.param({"km": 8.0, "max_distance_km": 5}, id="farther-than-they-go"),
        pytest.param({"km": SEARCH_RADIUS_KM + 5, "max_distance_km": 30}, id="outside-the-search-radius"),
        pytest.param({"category": "repairs"}, id="unrelated-help"),
    ],
)
def test_an_unavailable_helper_is_never_proposed(programme, unavailable):
    request = RequestFactory(programme=programme)
    day = request.starts_at.date()
    dates = {"request_day": day, "day_before": day - timedelta(days=1), None: None}
    fields = dict(unavailable)
    km = fields.pop("km", 1.0)
    slot = fields.pop("slot", (15 * 60, 18 * 60))
    for name in ("away_from", "away_until"):
        if name in fields:
            fields[name] = dates[fields[name]]
    excluded = offer(programme, km, slot=slot, **fields)
    available = offer(programme, 3.0)

    assert proposed(request) == [available]
    assert excluded not in available_offers(request)


def test_a_helper_away_after_the_request_is_still_proposed(programme):
    request = RequestFactory(programme=programme)
    later = offer(programme, 1.0, away_from=request.starts_at.date() + timedelta(days=1))
    assert proposed(request) == [later]


def test_a_volunteer_not_approved_a_restricted_person_and_the_requester_are_never_proposed(programme):
    request = RequestFactory(programme=programme)
    applicant = VolunteerFactory(programme=programme, status=Volunteer.Status.APPLIED)
    offer(programme, 1.0, offerer_person=None, offerer_volunteer=applicant)
    restricted = offer(programme, 1.0)
    restricted.offerer_person.is_restricted = True
    restricted.offerer_person.save()
    offer(programme, 1.0, offerer_person=request.requester_person)
    approved = VolunteerFactory(programme=programme)
    welcome = offer(programme, 2.0, offerer_person=None, offerer_volunteer=approved)

    assert proposed(request) == [welcome]


def test_a_helper_busy_with_an_accepted_match_at_that_time_is_not_proposed(programme):
    request = RequestFactory(programme=programme)
    busy = offer(programme, 1.0)
    overlapping = RequestFactory(programme=programme, starts_at=request.starts_at + timedelta(minutes=30))
    MatchFactory(request=overlapping, offer=busy, status=Match.Status.ACCEPTED)
    free_later = offer(programme, 2.0)
    other_day = RequestFactory(programme=programme, starts_at=request.starts_at + timedelta(days=7))
    MatchFactory(request=other_day, offer=free_later, status=Match.Status.ACCEPTED)

    assert proposed(request) == [free_later]


def test_a_helper_already_proposed_or_who_declined_is_not_proposed_again(programme):
    request = RequestFactory(programme=programme)
    declined = offer(programme, 1.0)
    MatchFactory(request=request, offer=declined, status=Match.Status.DECLINED)
    pending = offer(programme, 1.5)
    MatchFactory(request=request, offer=pending)
    fresh = offer(programme, 2.0)
    assert proposed(request) == [fresh]


def test_a_helper_without_stated_availability_is_proposed_as_to_be_agreed(programme):
    request = RequestFactory(programme=programme)
    open_ended = offer(programme, 1.0, slot=None)
    [ranked] = propose(request)
    assert ranked.item == open_ended
    availability = next(reason for reason in ranked.reasons if reason.criterion == "availability")
    assert availability.score == 0.5


def test_partial_availability_scores_the_share_of_the_time_covered(programme):
    request = RequestFactory(programme=programme)  # 16:00–17:00
    offer(programme, 1.0, slot=(16 * 60 + 30, 20 * 60))
    [ranked] = propose(request)
    availability = next(reason for reason in ranked.reasons if reason.criterion == "availability")
    assert availability.score == pytest.approx(0.5)
    assert "30" in availability.text
    assert "60" in availability.text


def test_offers_of_other_programmes_are_never_proposed(programme, other_programme):
    request = RequestFactory(programme=programme)
    offer(other_programme, 0.1)
    assert proposed(request) == []


def test_the_selection_runs_in_the_database_with_a_fixed_number_of_queries(programme):
    """One SELECT whatever the number of offers (on PostgreSQL, wrapped in a savepoint that turns
    the JIT compiler off for it)."""
    request = RequestFactory(programme=programme)
    for km in (1, 2):
        offer(programme, km)
    with CaptureQueriesContext(connection) as few_queries:
        few = propose(request, limit=10)
    for index in range(40):
        offer(programme, 0.1 * index + 0.05)
    with CaptureQueriesContext(connection) as many_queries:
        many = propose(request, limit=10)
    selects = [query for query in many_queries.captured_queries if query["sql"].startswith("SELECT")]
    assert len(few_queries) == len(many_queries) <= 4
    assert len(selects) == 1
    assert "LIMIT 10" in selects[0]["sql"]
    assert len(few) == 2
    assert len(many) == 10
    distances = [float(ranked.item.distance_km) for ranked in many]
    assert distances == sorted(distances)  # everything else equal, the nearest first


def test_the_sql_distance_agrees_with_the_great_circle_within_half_a_percent(programme):
    spots = [(Decimal("45.30000"), Decimal("9.40000")), (Decimal("45.10000"), Decimal("8.95000"))]
    for latitude, longitude in spots:
        OfferFactory(programme=programme, latitude=latitude, longitude=longitude)
    rows = MutualAidOffer.objects.annotate(km=distance_km("latitude", "longitude", *PAVIA)).order_by("pk")
    for row, (latitude, longitude) in zip(rows, spots, strict=True):
        exact = great_circle_km(float(PAVIA[0]), float(PAVIA[1]), float(latitude), float(longitude))
        assert row.km == pytest.approx(exact, rel=0.005)


def test_the_bounding_box_keeps_the_near_and_drops_the_far(programme):
    near = OfferFactory(programme=programme, latitude=north(4))
    OfferFactory(programme=programme, latitude=north(12))
    inside = MutualAidOffer.objects.filter(bounding_box("latitude", "longitude", *PAVIA, km=5))
    assert list(inside) == [near]


def test_the_engine_ranks_any_model_by_weighted_criteria(programme):
    """The work and housing plans reuse `rank` on their own models: here, places by distance."""
    far = CommunityPlaceFactory(programme=programme, latitude=north(9), name="Lontano")
    near = CommunityPlaceFactory(programme=programme, latitude=north(1), name="Vicino")
    criteria = [
        Criterion(
            "distance", 1.0, proximity_score(F("km"), 10), explain=lambda place: f"{place.km:.0f} km",
            values={"km": distance_km("latitude", "longitude", *PAVIA)},
        )
    ]  # fmt: skip
    ranking = rank(CommunityPlace.objects.filter(programme=programme), criteria, limit=5)
    assert [ranked.item for ranked in ranking] == [near, far]
    assert ranking[0].reasons[0].text == "1 km"
    assert ranking[1].score == pytest.approx(0.1, abs=0.01)


def test_a_criterion_needs_a_positive_weight():
    with pytest.raises(ValueError, match="weight"):
        Criterion("nothing", 0, proximity_score(F("km"), 1), explain=str)


def test_the_request_time_is_read_on_romes_wall_clock(programme):
    """22:30 in Rome is 21:30 in UTC: the weekly slots are the programme's local time."""
    starts = a_tuesday(22, 30)
    request = RequestFactory(programme=programme, starts_at=starts, ends_at=starts + timedelta(minutes=30))
    late = offer(programme, 1.0, slot=(22 * 60, 24 * 60))
    offer(programme, 1.0, slot=(21 * 60, 22 * 60))
    assert proposed(request) == [late]
