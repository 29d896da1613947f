"""Work-plan matching benchmark (issue 10): one job seeker against BENCH_OPENINGS openings (default
50,000) of BENCH_COMPANIES companies (default 2,000), and how long the engine takes to rank the ten
best openings for them.

    DATABASE_URL=sqlite:////tmp/trama-bench-work.sqlite3 BENCH_OPENINGS=50000 python -m bench.work_matching

Without DATABASE_URL it uses /tmp/trama-bench-work.sqlite3 (never the development database).

The data (deterministic, seed SEED): one programme on the municipalities of the provinces of Brescia,
Mantova and Cremona; openings spread over them (so most are too far for the job seeker and the
distance filter has something to drop), with one to three required skills out of the plan's list,
random sectors, contracts, hours and shifts; 5 % need a driving licence, 10 % a language, 20 % are
not open. The job seeker lives in Montichiari (the Bassa Bresciana of #genera_azioni).

The table gives the median wall time of `rank_openings` (filter, score, order and keep ten rows in
the database), of counting the openings in reach, and — for comparison — of loading every open
opening into Python and ranking there. Both rankings must agree.
"""

# The benchmark's own exceptions: its random numbers make reproducible data, not secrets (S311).
# ruff: noqa: S311

from __future__ import annotations

import math
import os
import random
import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

from bench import common

DEFAULT_DATABASE_URL = "sqlite:////tmp/trama-bench-work.sqlite3"
SLUG = "bench-work"
SEED = 20160404
PROVINCES = ("BS", "MN", "CR")


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def generate(openings: int, companies: int) -> Any:
    """Create the benchmark programme, its companies, openings and one job seeker; return the seeker."""
    from django.utils import timezone

    from trama.casework.models import Case
    from trama.mutualaid.models import Language
    from trama.network.models import Organisation
    from trama.people.models import Household, HouseholdMember, Person
    from trama.territory.models import Municipality, Programme
    from trama.work.models import Contract, JobSeeker, Opening, Sector, Shift, Skill, pack_codes

    rng = random.Random(SEED)
    programme = Programme.objects.create(slug=SLUG, name=f"Benchmark: {openings} openings, {companies} companies")
    towns = list(
        Municipality.objects.filter(province_code__in=PROVINCES, latitude__isnull=False).order_by("istat_code")
    )
    programme.municipalities.add(*towns)
    home = Municipality.objects.get(name="Montichiari", province_code="BS")
    now = timezone.now()
    with common.stopwatch(f"{companies:,} companies"):
        Organisation.objects.bulk_create(
            [
                Organisation(name=f"Azienda benchmark {n:05d}", kind=Organisation.Kind.COMPANY, public_id=_uuid(rng))
                for n in range(companies)
            ],
            batch_size=2000,
        )
        company_ids = list(
            Organisation.objects.filter(name__startswith="Azienda benchmark").values_list("pk", flat=True)
        )
    skills, sectors, shifts = Skill.values, Sector.values, Shift.values
    languages = [code for code in Language.values if code != "it"]
    statuses = ["open"] * 8 + ["filled", "closed"]
    with common.stopwatch(f"{openings:,} openings"):

        def rows() -> Iterator[tuple[Any, ...]]:
            for n in range(openings):
                required = rng.sample(skills, rng.choice([1, 1, 2, 3]))
                yield (
                    _uuid(rng), now, now, 1, programme.pk, rng.choice(company_ids), "", f"Ruolo {n}",
                    rng.choice(sectors), "", pack_codes(required), len(required), rng.choice(Contract.values),
                    rng.choice([16, 20, 25, 30, 36, 38, 40]), pack_codes(rng.sample(shifts, rng.choice([1, 2, 2, 3]))),
                    rng.choice(towns).pk, "", date(2026, 9, 1), 1, rng.random() < 0.05,
                    rng.choice(languages) if rng.random() < 0.10 else "", rng.choice(statuses), "staff", "", "", "",
                )  # fmt: skip

        columns = (
            "public_id", "created_at", "updated_at", "version", "programme", "company", "company_name", "title",
            "sector", "description", "skills", "skill_count", "contract", "hours_per_week", "shifts", "municipality",
            "workplace", "starts_on", "positions", "driving_licence_required", "language", "status", "source",
            "contact_name", "contact_email", "contact_phone",
        )  # fmt: skip
        common.load_rows(Opening, columns, rows())
    organisation = Organisation.objects.create(name="Cooperativa benchmark lavoro", kind="social_cooperative")
    household = Household.objects.create(programme=programme, label="Famiglia Benchmark", municipality=home)
    person = Person.objects.create(programme=programme, first_name="Persona", last_name="Benchmark", municipality=home)
    HouseholdMember.objects.create(household=household, person=person, relation="parent")
    case = Case.objects.create(
        programme=programme, household=household, organisation=organisation, referral_source="partner",
        opened_on=date(2026, 1, 10),
    )  # fmt: skip
    seeker = JobSeeker.objects.create(
        programme=programme, person=person, case=case, municipality=home, started_on=date(2026, 1, 20),
        skills=pack_codes(["warehouse", "forklift", "production_line"]), languages=pack_codes(["it", "ar"]),
        desired_sectors=pack_codes(["logistics", "manufacturing"]), hours="full_time",
        shifts=pack_codes(["morning", "afternoon"]), driving_licence=True, max_distance_km=30,
    )  # fmt: skip
    with common.stopwatch("planner statistics (ANALYZE)"):
        common.analyze()
    return seeker


# --- The naive way, for comparison -----------------------------------------------------------------


def in_python(seeker: Any, limit: int = 10) -> list[tuple[float, int]]:
    """Load every open opening with its municipality, filter and score in Python: the same rules and
    weights as `trama.work.matching.opening_criteria` (and the same equirectangular distance)."""
    from trama.mutualaid.matching import KM_PER_DEGREE
    from trama.work.matching import DISTANCE_RADIUS_KM, UNSTATED, WEIGHTS
    from trama.work.models import FULL_TIME_HOURS, Opening, Placement, Shift, unpack_codes

    proposed = set(Placement.objects.filter(job_seeker=seeker).values_list("opening_id", flat=True))
    rows = Opening.objects.filter(programme_id=seeker.programme_id, status="open").values_list(
        "pk", "skills", "skill_count", "sector", "hours_per_week", "shifts", "language", "driving_licence_required",
        "municipality__latitude", "municipality__longitude",
    )  # fmt: skip
    has, sectors = set(unpack_codes(seeker.skills)), set(unpack_codes(seeker.desired_sectors))
    free, languages = set(unpack_codes(seeker.shifts)), set(unpack_codes(seeker.languages))
    lat0, lon0 = float(seeker.municipality.latitude), float(seeker.municipality.longitude)
    x_scale = KM_PER_DEGREE * math.cos(math.radians(lat0))
    total = sum(WEIGHTS.values())
    scored = []
    for pk, skills, skill_count, sector, hours, shifts, language, licence, lat, lon in rows:
        if pk in proposed or (licence and not seeker.driving_licence):
            continue
        km = math.hypot((float(lat) - lat0) * KM_PER_DEGREE, (float(lon) - lon0) * x_scale)
        if km > seeker.max_distance_km:
            continue
        needed = set(unpack_codes(skills))
        missing = len([code for code in Shift.values if code not in free and code in unpack_codes(shifts)])
        scores = {
            "skills": 1.0 if skill_count == 0 else min(1.0, len(needed & has) / max(skill_count, 1)),
            "distance": max(0.0, min(1.0, 1 - km / DISTANCE_RADIUS_KM)),
            "sector": (1.0 if sector in sectors else 0.0) if sectors else UNSTATED,
            "hours": 1.0 if hours >= FULL_TIME_HOURS else 0.0,
            "shifts": max(0.0, min(1.0, 1 - 0.5 * missing)) if free else UNSTATED,
            "language": 1.0 if language == "" or language in languages else 0.0,
        }
        scored.append((sum(WEIGHTS[name] * value for name, value in scores.items()) / total, pk))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return scored[:limit]


def main() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    common.setup_django()
    from trama.territory.models import Programme
    from trama.work.matching import opening_pool, rank_openings
    from trama.work.models import JobSeeker, Opening

    openings = common.env_int("BENCH_OPENINGS", 50_000)
    companies = common.env_int("BENCH_COMPANIES", 2_000)
    repeat = common.env_int("BENCH_REPEAT", 3)
    print(f"\n== Work-plan matching benchmark on {common.vendor()} ({openings:,} openings, median of {repeat} runs)")
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        started = time.perf_counter()
        print("  generating the data:")
        seeker = generate(openings, companies)
        print(f"  data ready in {time.perf_counter() - started:.1f} s")
    elif programme.name != f"Benchmark: {openings} openings, {companies} companies":
        raise SystemExit(f"The benchmark database holds another size ({programme.name}): start from a fresh one.")
    else:
        seeker = JobSeeker.objects.select_related("municipality").get(programme=programme)
    seeker = JobSeeker.objects.select_related("municipality").get(pk=seeker.pk)
    stored = Opening.objects.filter(programme=seeker.programme_id).count()
    in_reach = opening_pool(seeker).count()
    print(f"  {stored:,} openings; {in_reach:,} open and in reach of the job seeker\n")

    engine = rank_openings(seeker)  # also the warm-up
    naive = in_python(seeker)
    engine_rows = [(round(ranked.score, 6), ranked.item.pk) for ranked in engine]
    naive_rows = [(round(score, 6), pk) for score, pk in naive]
    if engine_rows != naive_rows:
        raise SystemExit(f"The engine and the Python ranking disagree:\n  {engine_rows}\n  {naive_rows}")
    rows = [
        ["rank_openings(): ten best, ranked in the database",
         common.median_ms(lambda: rank_openings(seeker), repeat, warm_up=False)],
        ["count of openings in reach", common.median_ms(lambda: opening_pool(seeker).count(), repeat)],
        ["for comparison: load every open opening, rank in Python",
         common.median_ms(lambda: in_python(seeker), repeat, warm_up=False)],
    ]  # fmt: skip
    print(common.table(["step", "median ms"], rows))
    best = engine[0]
    print(f"\n  best: opening {best.item.public_id} — score {best.score:.3f}")
    for reason in best.reasons:
        print(f"    {reason.criterion:<10} {reason.score:.2f} × {reason.weight:.2f}  {reason.text}")


if __name__ == "__main__":
    main()
