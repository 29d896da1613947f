"""Reach benchmark (issue 5): a school year of activities for BENCH_PEOPLE people (default 50,000),
then how long each reach figure takes, beside the same figures computed by hand-written SQL.

    DATABASE_URL=sqlite:////tmp/trama-bench.sqlite3 BENCH_PEOPLE=50000 python -m bench.reach

The data (deterministic, seed SEED): one programme, 20 activities (17 regular ones at 10 places,
3 public events with head counts only), about 3,000 occurrences over 1 Sept 2024 – 31 Aug 2025,
the people (40 % minors, some turning 18 during the year), 70 % of them in households of 1–4,
each attending one to three activities for a varying share of their sessions: about 23
attendances a person, so 50,000 people give about a million attendance rows.

For each figure (the totals, then each breakdown) the table gives the selector's wall time
(`trama.activities.reach.reach_figures`, Python included), the time of its queries by part
(named: people, minors and contacts; households; anonymous head counts), the time of the
equivalent hand-written SQL (the plain query a person would write: where the planner picks a
worse plan for it than for the selector's, the ratio falls below 1), and the ratio selector / SQL
(DESIGN.md's target: at most 1.3). The results of both are compared: a benchmark that measures a
wrong answer measures nothing. BENCH_REPEAT (default 2) sets the timed runs after a warm-up.
"""

# The benchmark's own exceptions: its random numbers make reproducible data, not secrets (S311);
# its SQL is assembled from the models' table names, every value goes as a parameter (S608).
# ruff: noqa: S311, S608

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from bench import common

SLUG = "bench-reach"
SEED = 20240901
START, END = date(2024, 9, 1), date(2025, 8, 31)
PLACES = 10
REGULAR_ACTIVITIES = 17
EVENTS = 3
EVENT_DATES = 20
OCCURRENCES = 3000
CHUNK = 25_000
MINOR_BANDS_SQL = "('0-5', '6-10', '11-13', '14-17')"


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))  # noqa: DTZ001 — made aware


# --- The data -----------------------------------------------------------------------------------


def generate(size: int) -> Any:
    """Create the benchmark programme and its year of activities; return the programme."""
    from django.utils import timezone

    from trama.activities.models import Activity, Occurrence
    from trama.network.models import CommunityPlace, Organisation
    from trama.territory.models import ActionLine, Municipality, Programme

    rng = random.Random(SEED)
    programme = Programme.objects.create(slug=SLUG, name=f"Benchmark: {size} people")
    towns = list(Municipality.objects.filter(province_code="PV").order_by("istat_code")[:6])
    programme.municipalities.add(*towns)
    lines = ActionLine.objects.bulk_create(
        [ActionLine(programme=programme, code=f"linea-{i}", name=f"Linea {i}", position=i) for i in range(4)]
    )
    organisation = Organisation.objects.create(name="Ente del benchmark", kind=Organisation.Kind.SOCIAL_COOPERATIVE)
    places = CommunityPlace.objects.bulk_create(
        [
            CommunityPlace(
                programme=programme, kind=CommunityPlace.Kind.COMMUNITY_LAB, name=f"Laboratorio {i + 1:02d}",
                managing_organisation=organisation, address=f"Via Roma {i + 1}", municipality=towns[i % len(towns)],
            )
            for i in range(PLACES)
        ]
    )  # fmt: skip
    kinds = [k for k in Activity.Kind.values if k != Activity.Kind.PUBLIC_EVENT]
    activities = [
        Activity(
            programme=programme, title=f"Attività {i + 1:02d}", kind=kinds[i % len(kinds)], action_line=lines[i % 3],
            place=places[i % PLACES], municipality=places[i % PLACES].municipality, first_start=_aware(START, 16, 30),
            duration_minutes=90,
        )
        for i in range(REGULAR_ACTIVITIES)
    ] + [
        Activity(
            programme=programme, title=f"Festa {i + 1}", kind=Activity.Kind.PUBLIC_EVENT,
            action_line=lines[3] if i else None, place=None, venue="Piazza", municipality=towns[i],
            first_start=_aware(START, 15), duration_minutes=240,
        )
        for i in range(EVENTS)
    ]  # fmt: skip
    Activity.objects.bulk_create(activities)
    school_days = [START + timedelta(days=n) for n in range((END - START).days + 1)]
    school_days = [day for day in school_days if day.weekday() != 6]
    per_activity = (OCCURRENCES - EVENTS * EVENT_DATES) // REGULAR_ACTIVITIES
    occurrences = []
    for activity in activities:
        count = EVENT_DATES if activity.kind == Activity.Kind.PUBLIC_EVENT else per_activity
        hour = 15 if activity.kind == Activity.Kind.PUBLIC_EVENT else 16
        for day in sorted(rng.sample(school_days, count)):
            start = _aware(day, hour, 30)
            occurrences.append(
                Occurrence(
                    activity=activity, starts_at=start, ends_at=start + timedelta(minutes=activity.duration_minutes),
                    original_start=start, public_id=_uuid(rng),
                )
            )  # fmt: skip
    Occurrence.objects.bulk_create(occurrences, batch_size=1000)
    schedule: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for occurrence in occurrences:
        schedule[occurrence.activity_id].append((occurrence.pk, timezone.localdate(occurrence.starts_at)))
    with common.stopwatch(f"{size:,} people and their households"):
        people = _people(programme, size, rng, towns)
    with common.stopwatch("attendance"):
        _attendance(programme, people, rng, [schedule[a.pk] for a in activities[:REGULAR_ACTIVITIES]])
    _tallies(rng, [o for o in occurrences if o.activity.kind == Activity.Kind.PUBLIC_EVENT])
    with common.stopwatch("planner statistics (ANALYZE)"):
        common.analyze()
    return programme


def _people(programme: Any, size: int, rng: random.Random, towns: list[Any]) -> list[tuple[int, date]]:
    from trama.people.models import Household, HouseholdMember, Person

    people = []
    for number in range(size):
        age = rng.randint(3, 17) if rng.random() < 0.4 else rng.randint(18, 85)
        birth = START - timedelta(days=round(age * 365.25) + rng.randint(0, 364))
        people.append(
            Person(
                programme=programme, first_name="Persona", last_name=f"{number:06d}", birth_date=birth,
                gender=rng.choices(["F", "M", "X", ""], weights=[48, 46, 1, 5])[0], public_id=_uuid(rng),
            )
        )  # fmt: skip
    Person.objects.bulk_create(people, batch_size=2000)
    households, members, index = [], [], 0
    while index < size:
        group = rng.randint(1, 4)
        if rng.random() < 0.7:
            household = Household(
                programme=programme, label=f"Famiglia {len(households) + 1}", municipality=towns[index % len(towns)],
                public_id=_uuid(rng),
            )  # fmt: skip
            households.append(household)
            members += [(household, person) for person in people[index : index + group]]
        index += group
    Household.objects.bulk_create(households, batch_size=2000)
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(household=h, person=p, relation=HouseholdMember.Relation.OTHER, public_id=_uuid(rng))
            for h, p in members
        ],
        batch_size=2000,
    )
    return [(person.pk, person.birth_date) for person in people]


def _attendance(
    programme: Any, people: list[tuple[int, date]], rng: random.Random, schedules: list[list[tuple[int, date]]]
) -> int:
    """Each person attends one to three activities, each for 1–14 % of its sessions (at least one).
    The rows are what `services.attendance_set` writes: the age band and minority of that day."""
    from django.utils import timezone

    from trama.activities.models import ADULT_AGE, Attendance, age_band_for
    from trama.people.models import age_on

    now = timezone.now()

    def rows() -> Iterator[tuple[Any, ...]]:
        for person_id, birth in people:
            for schedule in rng.sample(schedules, rng.choice([1, 1, 2, 2, 3])):
                share = rng.uniform(0.01, 0.14)
                for occurrence_id, day in rng.sample(schedule, max(1, round(share * len(schedule)))):
                    age = age_on(birth, day)
                    yield (
                        _uuid(rng), now, now, occurrence_id, person_id, programme.pk, day, age_band_for(age),
                        age < ADULT_AGE,
                    )  # fmt: skip

    columns = ("public_id", "created_at", "updated_at", "occurrence", "person", "programme", "date", "age_band")
    return common.load_rows(Attendance, (*columns, "is_minor"), rows())


def _tallies(rng: random.Random, events: list[Any]) -> None:
    from trama.activities.models import AgeBand, Tally

    bands = [band for band in AgeBand.values if band]
    Tally.objects.bulk_create(
        [
            Tally(occurrence=occurrence, age_band=band, gender=gender, count=rng.randint(1, 40), public_id=_uuid(rng))
            for occurrence in events
            for band in bands
            for gender in ("F", "M", "")
            if rng.random() < 0.6
        ]
    )


# --- The hand-written SQL -----------------------------------------------------------------------


def _tables() -> dict[str, str]:
    from trama.activities.models import Activity, Attendance, Occurrence, Tally
    from trama.network.models import CommunityPlace
    from trama.people.models import HouseholdMember, Person
    from trama.territory.models import ActionLine, Municipality

    models = {
        "attendance": Attendance, "occurrence": Occurrence, "activity": Activity, "tally": Tally,
        "member": HouseholdMember, "person": Person, "line": ActionLine, "place": CommunityPlace,
        "town": Municipality,
    }  # fmt: skip
    return {name: model._meta.db_table for name, model in models.items()}


ACTIVITY_COLUMNS = {"action_line": "action_line_id", "place": "place_id", "municipality": "municipality_id"}
LABEL_TABLES = {"action_line": "line", "place": "place", "municipality": "town"}


def hand_written(programme: Any, breakdown: str) -> Callable[[], dict[str, Any]]:
    """The figures of `breakdown` ("" for the totals) as a person would write them in SQL."""
    from django.db import connection

    t = _tables()
    ops = connection.ops
    since, until = _aware(START, 0), _aware(END + timedelta(days=1), 0)
    named = [programme.pk, ops.adapt_datefield_value(START), ops.adapt_datefield_value(END)]
    counted = [programme.pk, ops.adapt_datetimefield_value(since), ops.adapt_datetimefield_value(until)]
    where = "t.programme_id = %s AND t.date >= %s AND t.date <= %s"
    people = "COUNT(DISTINCT t.person_id), COUNT(DISTINCT CASE WHEN t.is_minor THEN t.person_id END), COUNT(*)"
    heads = f"SUM(y.count), SUM(CASE WHEN y.age_band IN {MINOR_BANDS_SQL} THEN y.count ELSE 0 END)"
    events = (
        f"FROM {t['tally']} y JOIN {t['occurrence']} o ON o.id = y.occurrence_id "
        f"JOIN {t['activity']} a ON a.id = o.activity_id "
        "WHERE a.programme_id = %s AND o.starts_at >= %s AND o.starts_at < %s"
    )
    statements = [
        ("named", f"SELECT {people} FROM {t['attendance']} t WHERE {where}", named),
        (
            "households",
            f"SELECT COUNT(DISTINCT m.household_id) FROM {t['member']} m "
            f"WHERE m.person_id IN (SELECT t.person_id FROM {t['attendance']} t WHERE {where})",
            named,
        ),
        ("anonymous", f"SELECT {heads} {events}", counted),
    ]
    if breakdown in ACTIVITY_COLUMNS:
        key = anonymous_key = f"a.{ACTIVITY_COLUMNS[breakdown]}"
        joins = f"JOIN {t['occurrence']} o ON o.id = t.occurrence_id JOIN {t['activity']} a ON a.id = o.activity_id"
    elif breakdown == "age_band":
        key, anonymous_key, joins = "t.age_band", "y.age_band", ""
    elif breakdown == "gender":
        key, anonymous_key, joins = "p.gender", "y.gender", f"JOIN {t['person']} p ON p.id = t.person_id"
    if breakdown:
        statements += [
            (
                "named_rows",
                f"SELECT {key}, {people} FROM {t['attendance']} t {joins} WHERE {where} GROUP BY {key}",
                named,
            ),
            (
                "households_rows",
                f"SELECT {key}, COUNT(DISTINCT m.household_id) FROM {t['attendance']} t {joins} "
                f"JOIN {t['member']} m ON m.person_id = t.person_id WHERE {where} GROUP BY {key}",
                named,
            ),
            ("anonymous_rows", f"SELECT {anonymous_key}, {heads} {events} GROUP BY {anonymous_key}", counted),
        ]

    def run() -> dict[str, Any]:
        results: dict[str, Any] = {}
        with connection.cursor() as cursor:
            for name, sql, params in statements:
                cursor.execute(sql, params)
                results[name] = cursor.fetchall()
            if breakdown in LABEL_TABLES:
                ids = sorted({row[0] for name in ("named_rows", "anonymous_rows") for row in results[name]} - {None})
                marks = ", ".join(["%s"] * len(ids))
                key_column = "istat_code" if breakdown == "municipality" else "public_id"
                table = t[LABEL_TABLES[breakdown]]
                cursor.execute(f"SELECT id, {key_column}, name FROM {table} WHERE id IN ({marks})", ids)
                results["labels"] = cursor.fetchall()
        return results

    return run


# --- Timing --------------------------------------------------------------------------------------


def _part(sql: str) -> str:
    if "householdmember" in sql:
        return "households"
    if "activities_tally" in sql:
        return "anonymous"
    if "activities_attendance" in sql:
        return "named"
    return "labels"


class QueryClock:
    """Adds up the time of the selector's queries by part (a connection execute wrapper)."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = defaultdict(float)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.parts[_part(sql)] += (time.perf_counter() - start) * 1000


def time_selector(programme: Any, breakdown: str, repeat: int) -> tuple[float, dict[str, float], Any]:
    """The median wall time of the selector and of its queries by part, after a warm-up run."""
    import statistics

    from django.db import connection

    from trama.activities.reach import ReachQuery, reach_figures

    query = ReachQuery(start=START, end=END, breakdown=breakdown)
    result = reach_figures(programme, query)
    walls, parts = [], defaultdict(list)
    for _ in range(repeat):
        clock = QueryClock()
        with connection.execute_wrapper(clock):
            start = time.perf_counter()
            result = reach_figures(programme, query)
            walls.append((time.perf_counter() - start) * 1000)
        for name, value in clock.parts.items():
            parts[name].append(value)
    return statistics.median(walls), {name: statistics.median(v) for name, v in parts.items()}, result


def check(result: Any, hand: dict[str, Any], breakdown: str) -> None:
    """The selector and the hand-written SQL must agree, or the timings mean nothing."""
    total = result.total
    people, minors, contacts = hand["named"][0]
    anonymous, anonymous_minors = (int(v or 0) for v in hand["anonymous"][0])
    expected = (people, minors, contacts, hand["households"][0][0], anonymous, anonymous_minors)
    got = (total.people, total.minors, total.contacts, total.households, total.anonymous, total.anonymous_minors)
    if got != expected:
        raise SystemExit(f"The selector and the SQL disagree on the totals: {got} != {expected}")
    if breakdown:
        by_sql = sorted(row[1] for row in hand["named_rows"])
        by_selector = sorted(row.figures.people for row in result.rows if row.figures.people)
        if by_sql != by_selector:
            raise SystemExit(f"The selector and the SQL disagree on the rows by {breakdown}")


def main() -> None:
    common.setup_django()
    from trama.activities.models import Attendance, Occurrence, Tally
    from trama.activities.reach import Breakdown
    from trama.people.models import Person
    from trama.territory.models import Programme

    size = common.env_int("BENCH_PEOPLE", 50_000)
    repeat = common.env_int("BENCH_REPEAT", 2)
    print(f"\n== Reach benchmark on {common.vendor()} ({size:,} people, median of {repeat} runs)")
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        started = time.perf_counter()
        print("  generating the data:")
        programme = generate(size)
        print(f"  data ready in {time.perf_counter() - started:.1f} s")
    elif programme.name != f"Benchmark: {size} people":
        raise SystemExit(f"The benchmark database holds another size ({programme.name}): start from a fresh one.")
    attendances = Attendance.objects.filter(programme=programme).count()
    occurrences = Occurrence.objects.filter(activity__programme=programme).count()
    tallies = Tally.objects.filter(occurrence__activity__programme=programme).count()
    people = Person.objects.filter(programme=programme).count()
    print(f"  {people:,} people, {occurrences:,} occurrences, {attendances:,} attendances, {tallies:,} tally cells\n")

    rows = []
    for breakdown in ["", *Breakdown.values]:
        wall, parts, result = time_selector(programme, breakdown, repeat)
        run_sql = hand_written(programme, breakdown)
        check(result, run_sql(), breakdown)  # also the warm-up of the SQL
        sql = common.median_ms(run_sql, repeat, warm_up=False)
        rows.append(
            [
                f"by {breakdown}" if breakdown else "totals",
                wall,
                parts.get("named", 0.0),
                parts.get("households", 0.0),
                parts.get("anonymous", 0.0),
                parts.get("labels", 0.0),
                sql,
                f"{wall / sql:.2f}",
            ]
        )
        if not breakdown:
            total = result.total
            print(
                f"  figures: {total.people:,} people, {total.minors:,} minors, {total.households:,} households, "
                f"{total.contacts:,} contacts, {total.anonymous:,} anonymous ({total.anonymous_minors:,} minors), "
                f"{total.combined:,} combined\n"
            )
    header = ["figure", "selector ms", "named ms", "households ms", "anonymous ms", "labels ms", "hand SQL ms", "ratio"]
    print(common.table(header, rows))
    print(
        "\n  named: people, minors and contacts (one query, plus one per breakdown); households; anonymous: head"
        "\n  counts and their minors; the combined figure is people + anonymous (no query). ratio = selector / SQL."
    )


if __name__ == "__main__":
    main()
