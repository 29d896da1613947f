"""Matching benchmark (issue 7): one mutual-aid request against BENCH_OFFERS offers (default 100,000)
made by BENCH_PEOPLE people (default 50,000), and how long the engine takes to propose the ten best.

    DATABASE_URL=sqlite:////tmp/trama-bench-matching.sqlite3 BENCH_OFFERS=100000 python -m bench.matching

Without DATABASE_URL it uses /tmp/trama-bench-matching.sqlite3 (never the development database).

The data (deterministic, seed SEED): one programme on the 12 municipalities of the Pavia district;
the offers spread over the nine kinds of help, a third of them within ~15 km of Pavia and the rest
across Lombardy (so the bounding box has something to drop), each with one or two weekly slots of
availability, some paused, some away; 2 % of the offers busy with an accepted match on the request's
afternoon. The request: shopping in Pavia's centre on a Tuesday 16:00–17:00, in Arabic.

The table gives the median wall time of `proposals.propose` (the query that filters, scores, orders
and keeps ten rows in the database), of counting the available candidates, and — for comparison —
of the naive way: loading every offer of the request's kinds with its slots into Python and ranking
there. Both rankings must agree: a benchmark that measures a wrong answer measures nothing.
"""

# The benchmark's own exceptions: its random numbers make reproducible data, not secrets (S311).
# ruff: noqa: S311

from __future__ import annotations

import math
import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import common

DEFAULT_DATABASE_URL = "sqlite:////tmp/trama-bench-matching.sqlite3"
SLUG = "bench-matching"
SEED = 20181128
PAVIA = (45.18600, 9.15500)
LOMBARDY = ((44.70, 46.50), (8.60, 11.40))
NEAR_SHARE = 0.33
TIMES = [(9 * 60, 12 * 60), (14 * 60, 17 * 60), (15 * 60, 19 * 60), (16 * 60, 18 * 60), (17 * 60, 20 * 60)]
LANGUAGES = [",it,", ",it,", ",it,", ",it,en,", ",it,ar,", ",ar,fr,", ",it,ro,", ",it,sq,"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _tuesday(hour: int) -> datetime:
    from django.utils import timezone

    first = date(date.today().year + 1, 3, 1)  # noqa: DTZ011 — a date next year, any zone
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    return timezone.make_aware(datetime(tuesday.year, tuesday.month, tuesday.day, hour))  # noqa: DTZ001


def _point(rng: random.Random) -> tuple[Decimal, Decimal]:
    if rng.random() < NEAR_SHARE:
        radius = 15 * math.sqrt(rng.random()) / 111.195
        angle = rng.uniform(0, 2 * math.pi)
        latitude = PAVIA[0] + radius * math.cos(angle)
        longitude = PAVIA[1] + radius * math.sin(angle) / math.cos(math.radians(PAVIA[0]))
    else:
        latitude, longitude = rng.uniform(*LOMBARDY[0]), rng.uniform(*LOMBARDY[1])
    return Decimal(f"{latitude:.5f}"), Decimal(f"{longitude:.5f}")


# --- The data ------------------------------------------------------------------------------------


def generate(offers: int, people: int) -> Any:
    """Create the benchmark programme, its people, offers, slots and busy matches; return the request."""
    from django.utils import timezone

    from trama.mutualaid.models import (
        Category,
        Match,
        MutualAidOffer,
        MutualAidRequest,
        OfferAvailability,
    )
    from trama.people.models import Person
    from trama.territory.models import Municipality, Programme

    rng = random.Random(SEED)
    programme = Programme.objects.create(slug=SLUG, name=f"Benchmark: {offers} offers, {people} people")
    towns = list(Municipality.objects.filter(province_code="PV").order_by("istat_code")[:12])
    pavia = Municipality.objects.get(istat_code="018110")
    programme.municipalities.add(pavia, *towns)
    now = timezone.now()
    with common.stopwatch(f"{people:,} people"):
        Person.objects.bulk_create(
            [
                Person(programme=programme, first_name="Persona", last_name=f"{n:06d}", public_id=_uuid(rng))
                for n in range(people)
            ],
            batch_size=2000,
        )
        person_ids = list(Person.objects.filter(programme=programme).order_by("pk").values_list("pk", flat=True))
    categories = Category.values
    request_start = _tuesday(16)
    with common.stopwatch(f"{offers:,} offers"):

        def offer_rows() -> Iterator[tuple[Any, ...]]:
            for _ in range(offers):
                latitude, longitude = _point(rng)
                away = request_start.date() if rng.random() < 0.03 else None
                yield (
                    _uuid(rng), now, now, 1, programme.pk, rng.choice(categories), "Offerta di aiuto",
                    rng.choice(person_ids), rng.choice(towns).pk, latitude, longitude, rng.choice([3, 5, 8, 10, 15]),
                    rng.choice(LANGUAGES), rng.random() > 0.05, away, away, rng.randint(0, 6), rng.choice([0, 0, 1]),
                )  # fmt: skip

        columns = (
            "public_id", "created_at", "updated_at", "version", "programme", "category", "description",
            "offerer_person", "municipality", "latitude", "longitude", "max_distance_km", "languages", "is_active",
            "away_from", "away_until", "done_count", "failed_count",
        )  # fmt: skip
        common.load_rows(MutualAidOffer, columns, offer_rows())
        offer_ids = list(MutualAidOffer.objects.filter(programme=programme).order_by("pk").values_list("pk", flat=True))
    with common.stopwatch("weekly availability"):

        def slot_rows() -> Iterator[tuple[Any, ...]]:
            for offer_id in offer_ids:
                for weekday in sorted(rng.sample(range(1, 8), rng.choice([1, 1, 2]))):
                    start, end = rng.choice(TIMES)
                    yield (_uuid(rng), now, now, offer_id, weekday, start, end)

        common.load_rows(
            OfferAvailability,
            ("public_id", "created_at", "updated_at", "offer", "weekday", "start_minute", "end_minute"),
            slot_rows(),
        )
    with common.stopwatch("busy helpers (accepted matches that afternoon)"):
        busy = rng.sample(offer_ids, max(1, offers // 50))
        other_requests = [
            MutualAidRequest(
                programme=programme, category="company", summary="Compagnia",
                requester_person_id=rng.choice(person_ids),
                municipality=pavia, latitude=Decimal("45.18600"), longitude=Decimal("9.15500"),
                starts_at=request_start + timedelta(minutes=30), ends_at=request_start + timedelta(hours=2),
                status=MutualAidRequest.Status.MATCHED, public_id=_uuid(rng),
            )
            for _ in busy
        ]  # fmt: skip
        MutualAidRequest.objects.bulk_create(other_requests, batch_size=1000)
        Match.objects.bulk_create(
            [
                Match(programme=programme, request=request, offer_id=offer_id, status=Match.Status.ACCEPTED,
                      score=Decimal("0.5"), public_id=_uuid(rng))
                for request, offer_id in zip(other_requests, busy, strict=True)
            ],
            batch_size=1000,
        )  # fmt: skip
    request = MutualAidRequest.objects.create(
        programme=programme, category="shopping", summary="Spesa per una signora anziana", municipality=pavia,
        requester_person_id=person_ids[0], latitude=Decimal("45.18600"), longitude=Decimal("9.15500"),
        starts_at=request_start, ends_at=request_start + timedelta(hours=1), language="ar",
    )  # fmt: skip
    with common.stopwatch("planner statistics (ANALYZE)"):
        common.analyze()
    return request


# --- The naive way, for comparison -----------------------------------------------------------------


def in_python(request: Any, limit: int = 10) -> list[tuple[float, int]]:
    """Load every offer of the request's kinds with its slots, filter and score in Python: the same
    rules and weights as the engine (and the same equirectangular distance)."""
    from trama.mutualaid.matching import KM_PER_DEGREE
    from trama.mutualaid.models import Match, MutualAidOffer, OfferAvailability
    from trama.mutualaid.proposals import (
        RELATED_CATEGORIES,
        RELATED_SCORE,
        SEARCH_RADIUS_KM,
        UNSTATED_AVAILABILITY_SCORE,
        WEIGHTS,
        Window,
    )

    window = Window(request.starts_at, request.ends_at)
    categories = [request.category, *RELATED_CATEGORIES[request.category]]
    offers = list(MutualAidOffer.objects.filter(programme_id=request.programme_id, category__in=categories))
    slots: dict[int, list[Any]] = defaultdict(list)
    for slot in OfferAvailability.objects.filter(offer__in=[o.pk for o in offers]):
        slots[slot.offer_id].append(slot)
    busy = set(
        Match.objects.filter(
            status=Match.Status.ACCEPTED, request__starts_at__lt=request.ends_at, request__ends_at__gt=request.starts_at
        ).values_list("offer_id", flat=True)
    )
    lat0, lon0 = float(request.latitude), float(request.longitude)
    x_scale = KM_PER_DEGREE * math.cos(math.radians(lat0))
    total_weight = sum(WEIGHTS.values())
    scored = []
    for offer in offers:
        away = (
            offer.away_from is not None
            and offer.away_from <= window.day
            and (offer.away_until is None or offer.away_until >= window.day)
        )
        if not offer.is_active or away or offer.pk in busy:
            continue
        km = math.hypot((float(offer.latitude) - lat0) * KM_PER_DEGREE, (float(offer.longitude) - lon0) * x_scale)
        if km > offer.max_distance_km or km > SEARCH_RADIUS_KM * math.sqrt(2):
            continue
        own = slots[offer.pk]
        overlap = max(
            (
                min(s.end_minute, window.end) - max(s.start_minute, window.start)
                for s in own
                if s.weekday == window.weekday
            ),
            default=0,
        )
        if own and overlap <= 0:
            continue
        scores = {
            "category": 1.0 if offer.category == request.category else RELATED_SCORE,
            "distance": max(0.0, min(1.0, 1 - km / SEARCH_RADIUS_KM)),
            "availability": min(1.0, overlap / window.minutes) if own else UNSTATED_AVAILABILITY_SCORE,
            "language": 1.0 if f",{request.language}," in offer.languages else 0.0,
            "reliability": (offer.done_count + 1) / (offer.done_count + offer.failed_count + 2),
        }
        scored.append((sum(WEIGHTS[name] * value for name, value in scores.items()) / total_weight, offer.pk))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return scored[:limit]


def main() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    common.setup_django()
    from trama.mutualaid.models import MutualAidOffer, MutualAidRequest, OfferAvailability
    from trama.mutualaid.proposals import available_offers, propose
    from trama.territory.models import Programme

    offers = common.env_int("BENCH_OFFERS", 100_000)
    people = common.env_int("BENCH_PEOPLE", 50_000)
    repeat = common.env_int("BENCH_REPEAT", 3)
    print(f"\n== Matching benchmark on {common.vendor()} ({offers:,} offers, median of {repeat} runs)")
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        started = time.perf_counter()
        print("  generating the data:")
        request = generate(offers, people)
        print(f"  data ready in {time.perf_counter() - started:.1f} s")
    elif programme.name != f"Benchmark: {offers} offers, {people} people":
        raise SystemExit(f"The benchmark database holds another size ({programme.name}): start from a fresh one.")
    else:
        request = MutualAidRequest.objects.filter(programme=programme, category="shopping").get()
    stored = MutualAidOffer.objects.filter(programme=request.programme).count()
    slots = OfferAvailability.objects.filter(offer__programme=request.programme).count()
    candidates = available_offers(request).count()
    print(f"  {stored:,} offers with {slots:,} weekly slots; {candidates:,} available for the request\n")

    engine = propose(request)  # also the warm-up
    naive = in_python(request)
    engine_rows = [(round(ranked.score, 9), ranked.item.pk) for ranked in engine]
    naive_rows = [(round(score, 9), pk) for score, pk in naive]
    if engine_rows != naive_rows:
        raise SystemExit(f"The engine and the Python ranking disagree:\n  {engine_rows}\n  {naive_rows}")
    rows = [
        ["propose(): ten best, ranked in the database", common.median_ms(lambda: propose(request), repeat,
                                                                         warm_up=False)],
        ["count of available candidates", common.median_ms(lambda: available_offers(request).count(), repeat)],
        ["for comparison: load every offer, rank in Python", common.median_ms(lambda: in_python(request), repeat,
                                                                               warm_up=False)],
    ]  # fmt: skip
    print(common.table(["step", "median ms"], rows))
    best = engine[0]
    print(f"\n  best: offer {best.item.public_id} — score {best.score:.3f}")
    for reason in best.reasons:
        print(f"    {reason.criterion:<12} {reason.score:.2f} × {reason.weight:.2f}  {reason.text}")


if __name__ == "__main__":
    main()
