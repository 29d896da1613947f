"""Housing matching benchmark (issue 10): one household looking for a home against BENCH_DWELLINGS
dwellings (default 50,000), and how long the engine takes to propose the ten best.

    DATABASE_URL=sqlite:////tmp/trama-bench-housing.sqlite3 BENCH_DWELLINGS=50000 python -m bench.housing_matching

Without DATABASE_URL it uses /tmp/trama-bench-housing.sqlite3 (never the development database).

The data (deterministic, seed SEED): one programme on 12 municipalities of the Pavia district; the
dwellings spread over them with 1–5 rooms, rents from €250 to €1,200, a quarter at a capped rent,
one in five step-free, available from three months ago to six months ahead, 70 % available and the
rest let or withdrawn. The household: 3 rooms, a €600 budget, two preferred municipalities.

The table gives the median wall time of `matching.dwellings_for` (the query that filters, scores,
orders and keeps ten rows in the database), of counting the candidates, and — for comparison — of
the naive way: loading every available dwelling into Python and ranking there. Both rankings must
agree: a benchmark that measures a wrong answer measures nothing.
"""

# The benchmark's own exceptions: its random numbers make reproducible data, not secrets (S311).
# ruff: noqa: S311

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench import common

DEFAULT_DATABASE_URL = "sqlite:////tmp/trama-bench-housing.sqlite3"
SLUG = "bench-housing"
SEED = 20260401
STATUSES = ["available"] * 7 + ["let"] * 2 + ["withdrawn"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def generate(dwellings: int) -> Any:
    """Create the benchmark programme, its dwellings and one household's search; return the search."""
    from django.utils import timezone

    from trama.casework.models import Case
    from trama.housing.models import Dwelling, HousingSearch
    from trama.network.models import Organisation
    from trama.people.models import Household
    from trama.territory.models import Municipality, Programme

    rng = random.Random(SEED)
    programme = Programme.objects.create(slug=SLUG, name=f"Benchmark: {dwellings} dwellings")
    towns = list(Municipality.objects.filter(province_code="PV").order_by("istat_code")[:12])
    programme.municipalities.add(*towns)
    today, now = timezone.localdate(), timezone.now()
    with common.stopwatch(f"{dwellings:,} dwellings"):

        def rows() -> Iterator[tuple[Any, ...]]:
            for n in range(dwellings):
                rooms = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
                rent = Decimal(rng.randrange(250, 1200)) + Decimal(rng.choice(["0.00", "0.50"]))
                yield (
                    _uuid(rng),
                    now,
                    now,
                    1,
                    programme.pk,
                    "private",
                    f"Proprietario {n}",
                    f"Via Benchmark {n}",
                    rng.choice(towns).pk,
                    rooms,
                    25 + rooms * 20,
                    rent,
                    rng.random() < 0.25,
                    rng.random() < 0.2,
                    today + timedelta(days=rng.randint(-90, 180)),
                    rng.choice(STATUSES),
                    "",
                    "",
                )

        columns = (
            "public_id",
            "created_at",
            "updated_at",
            "version",
            "programme",
            "offered_by",
            "owner_name",
            "address",
            "municipality",
            "rooms",
            "area_m2",
            "monthly_rent",
            "capped_rent",
            "step_free",
            "available_from",
            "status",
            "owner_phone",
            "owner_email",
        )
        common.load_rows(Dwelling, columns, rows())
    organisation = Organisation.objects.create(name="Benchmark — cooperativa", kind="social_cooperative")
    household = Household.objects.create(programme=programme, label="Famiglia Benchmark", municipality=towns[0])
    case = Case.objects.create(
        programme=programme, household=household, organisation=organisation, referral_source="other", opened_on=today
    )
    search = HousingSearch.objects.create(
        programme=programme,
        case=case,
        household=household,
        rooms_needed=3,
        max_rent=Decimal("600.00"),
        needed_from=today + timedelta(days=30),
    )
    search.municipalities.set(towns[:2])
    with common.stopwatch("planner statistics (ANALYZE)"):
        common.analyze()
    return search


def in_python(search: Any, limit: int = 10) -> list[tuple[float, int]]:
    """Load every available dwelling and score it in Python: the same rules and weights as the engine."""
    from trama.housing.matching import DATE_STEPS, OTHER_PLACE_SCORE, WEIGHTS, _stretch
    from trama.housing.models import Dwelling

    budget = float(search.max_rent)
    preferred = {m.pk for m in search.municipalities.all()}
    scored = []
    for dwelling in Dwelling.objects.filter(programme_id=search.programme_id, status="available"):
        rent = float(dwelling.monthly_rent)
        if dwelling.rooms < search.rooms_needed - 1 or rent > budget + _stretch(budget):
            continue
        if search.needs_step_free and not dwelling.step_free:
            continue
        late = (dwelling.available_from - search.needed_from).days
        scores = {
            "rent": max(0.0, min(1.0, 1 - (rent - budget) / _stretch(budget))),
            "rooms": 1.0 if dwelling.rooms >= search.rooms_needed else 0.5,
            "place": 1.0 if not preferred or dwelling.municipality_id in preferred else OTHER_PLACE_SCORE,
            "date": next((score for days, score in DATE_STEPS if late <= days), 0.0),
            "capped": 1.0 if dwelling.capped_rent else 0.5,
            "access": (1.0 if dwelling.step_free else 0.0)
            if search.needs_step_free
            else (1.0 if not dwelling.step_free else 0.5),
        }
        total = sum(WEIGHTS[name] * value for name, value in scores.items()) / sum(WEIGHTS.values())
        scored.append((total, dwelling.pk))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return scored[:limit]


def main() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    common.setup_django()
    from trama.housing.matching import candidate_dwellings, dwellings_for
    from trama.housing.models import Dwelling, HousingSearch
    from trama.territory.models import Programme

    dwellings = common.env_int("BENCH_DWELLINGS", 50_000)
    repeat = common.env_int("BENCH_REPEAT", 3)
    print(f"\n== Housing matching benchmark on {common.vendor()} ({dwellings:,} dwellings, median of {repeat} runs)")
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        started = time.perf_counter()
        print("  generating the data:")
        search = generate(dwellings)
        print(f"  data ready in {time.perf_counter() - started:.1f} s")
    elif programme.name != f"Benchmark: {dwellings} dwellings":
        raise SystemExit(f"The benchmark database holds another size ({programme.name}): start from a fresh one.")
    else:
        search = HousingSearch.objects.get(programme=programme)
    stored = Dwelling.objects.filter(programme=search.programme).count()
    candidates = candidate_dwellings(search).count()
    print(f"  {stored:,} dwellings; {candidates:,} candidates for the household\n")

    engine = dwellings_for(search)  # also the warm-up
    naive = in_python(search)
    engine_pairs = [(round(r.score, 6), r.item.pk) for r in engine]
    naive_pairs = [(round(score, 6), pk) for score, pk in naive]
    if engine_pairs != naive_pairs:
        raise SystemExit(f"The engine and the naive ranking disagree:\n{engine_pairs}\n{naive_pairs}")
    rows = [
        ("dwellings_for (ten best, in the database)", common.median_ms(lambda: dwellings_for(search), repeat)),
        ("count the candidates", common.median_ms(lambda: candidate_dwellings(search).count(), repeat)),
        ("naive: load the available dwellings, rank in Python", common.median_ms(lambda: in_python(search), repeat)),
    ]
    print(common.table(["query", "median ms"], rows))
    print(f"\n  best: score {engine[0].score:.3f}; reasons: " + "; ".join(r.text for r in engine[0].reasons))
    print(f"  checked on {date.today():%Y-%m-%d}: the engine's ten agree with the naive ranking.")  # noqa: DTZ011


if __name__ == "__main__":
    main()
