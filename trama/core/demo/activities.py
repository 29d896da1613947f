"""Demo activities: a full school year (and the current one so far) in the Pavia labs of Fare
#BeneComune, and a few activities of the other two programmes.

- Homework help twice a week in five labs (registration, places, a waiting list), sport at the
  park, a citizenship lab for adolescents, a summer centre, monthly parenting meetings, a cycle of
  economic-financial information evenings, a week-long European exchange, and public events (the
  labs' open day, Carnival, the neighbourhood party, the end-of-year party, open-air cinema) whose
  people are counted anonymously by age band and gender. One internal activity (the labs' staff
  meeting) never appears on the public calendar.
- Christmas and Easter closures; one moved and one cancelled date.
- Participants: children of the demo families followed by a case, registered by their operator,
  and about 900 contacts of the labs; attendance for every date already held.

The figures come out of these records with the same rules as the real ones, and are of the order
of seed 001's mid-term report (600+ minors, ~7,100 citizens reached including public events).
Everything goes through the services; deterministic and idempotent (a marker activity).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from trama.activities.models import Activity, AgeBand, Closure, Occurrence, Registration, TallyGender
from trama.activities.services import (
    Guardian,
    activity_create,
    attendance_set,
    closure_save,
    occurrence_cancel,
    occurrence_move,
    registration_create,
    tally_set,
)
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import HouseholdMember, Person
from trama.people.services import person_create
from trama.territory.models import Programme

SEED = 5000
MARKER = "Festa di fine anno dei laboratori"
FIRST_NAMES = [
    "Giulia", "Sofia", "Aurora", "Alice", "Ginevra", "Emma", "Giorgia", "Beatrice", "Anna", "Vittoria", "Leonardo",
    "Francesco", "Alessandro", "Lorenzo", "Mattia", "Tommaso", "Gabriele", "Andrea", "Riccardo", "Edoardo", "Amira",
    "Youssef", "Fatima", "Omar", "Elena", "Ioana", "Andrei", "Mei", "Chen", "Samuel", "Grace", "Luca", "Marco",
    "Sara", "Martina", "Chiara", "Davide", "Matteo", "Nicolò", "Irene",
]  # fmt: skip
LAST_NAMES = [
    "Marchetti", "Barbieri", "Fabbri", "Moretti", "Ferri", "Lombardi", "Santoro", "Mariani", "Rinaldi", "Caruso",
    "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Serra", "Coppola", "De Santis",
    "D'Angelo", "Marino", "Bruno", "Greco", "Benali", "El Amrani", "Popescu", "Ionescu", "Zhang", "Okafor", "Mensah",
    "Pellegrini", "Palumbo", "Sanna", "Fiore", "Bassi", "Riva", "Testa", "Grassi",
]  # fmt: skip

FEMALE_NAMES = {
    *FIRST_NAMES[:10],
    "Amira",
    "Fatima",
    "Elena",
    "Ioana",
    "Mei",
    "Grace",
    "Sara",
    "Martina",
    "Chiara",
    "Irene",
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _until(day: date) -> str:
    """An RRULE UNTIL: the end of `day` in Rome, written in UTC as calendar applications do."""
    return _at(day, 23, 59).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _first_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


class Builder:
    """Creates one programme's demo activities, participants and attendance."""

    def __init__(self, programme: Programme, rng: random.Random, today: date) -> None:
        self.programme, self.rng, self.today = programme, rng, today
        self.lines = {line.code: line for line in programme.action_lines.all()}
        self.names: set[tuple[str, str, date]] = set()

    def place(self, name: str) -> CommunityPlace:
        return CommunityPlace.objects.get(programme=self.programme, name=name)

    def activity(  # noqa: PLR0917 — demo rows read as positional values
        self, title: str, kind: str, line: str, audience: str, start: datetime, minutes: int, **extra
    ) -> Activity:
        place = extra.pop("place", None)
        fields = {
            "title": title, "kind": kind, "action_line": self.lines.get(line), "audience": audience,
            "first_start": start, "duration_minutes": minutes, "place": place,
            "municipality": place.municipality if place else extra.pop("municipality"), **extra,
        }  # fmt: skip
        organisers = [place.managing_organisation] if place else []
        groups = list(CitizenGroup.objects.filter(programme=self.programme, name__in=extra.pop("groups", [])))
        fields.pop("groups", None)
        return activity_create(
            actor=None, programme=self.programme, fields=fields, organisers=organisers, groups=groups
        )

    def contact(self, age_low: int, age_high: int, on: date) -> Person:
        """A new participant of the given age on `on`, with a name not used yet."""
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            age = self.rng.randint(age_low, age_high)
            born = date(on.year - age - 1, self.rng.randint(1, 12), self.rng.randint(1, 28))
            if (first, last, born) not in self.names:
                self.names.add((first, last, born))
                break
        gender = Person.Gender.FEMALE if first in FEMALE_NAMES else Person.Gender.MALE
        fields = {"first_name": first, "last_name": last, "birth_date": born, "gender": gender}
        return person_create(actor=None, programme=self.programme, fields=fields, different_person=True)

    def register(
        self, activity: Activity, people: list[Person], *, households: dict[int, object] | None = None
    ) -> None:
        for person in people:
            household = (households or {}).get(person.pk)
            guardian = None
            if person.age(self.today) is not None and person.age(self.today) < 18:
                guardian = Guardian(name=f"Genitore di {person.first_name}", phone="0382 000000", consents=True)
            registration_create(
                actor=None, activity=activity, person=person, household=household,
                source=Registration.Source.CASE if household else Registration.Source.CONTACTS, guardian=guardian,
            )  # fmt: skip

    def attend(self, activity: Activity, rate: float) -> None:
        """Attendance for every date already held: each registered person comes with `rate`."""
        people = [
            r.person
            for r in activity.registrations.filter(status=Registration.Status.REGISTERED).select_related("person")
        ]
        for occurrence in activity.occurrences.filter(status=Occurrence.Status.SCHEDULED, starts_at__lt=timezone.now()):
            present = [person for person in people if self.rng.random() < rate]
            attendance_set(actor=None, occurrence=occurrence, present=present)

    def tally(self, activity: Activity, total: int, minors_share: float) -> None:
        """Anonymous head counts for every date already held, split by age band and gender."""
        minor_bands = [AgeBand.CHILDREN_0_5, AgeBand.CHILDREN_6_10, AgeBand.CHILDREN_11_13, AgeBand.ADOLESCENTS_14_17]
        adult_bands = [AgeBand.ADULTS_18_64, AgeBand.ADULTS_18_64, AgeBand.SENIORS_65]
        for occurrence in activity.occurrences.filter(status=Occurrence.Status.SCHEDULED, starts_at__lt=timezone.now()):
            people = max(10, int(total * self.rng.uniform(0.8, 1.2)))
            cells: dict[tuple[str, str], int] = {}
            for index in range(people):
                band = self.rng.choice(minor_bands if index < people * minors_share else adult_bands)
                gender = self.rng.choice([TallyGender.FEMALE, TallyGender.MALE, TallyGender.FEMALE, TallyGender.MALE,
                                          TallyGender.UNKNOWN])  # fmt: skip
                cells[(band, gender)] = cells.get((band, gender), 0) + 1
            tally_set(actor=None, occurrence=occurrence, cells=cells)


def _school_years(today: date) -> tuple[date, date]:
    """The start (mid-September) of the last full school year and of the current one."""
    current = today.year if today.month >= 9 else today.year - 1
    return date(current - 1, 9, 15), date(current, 9, 14)


def _closures(programme: Programme, last: date, current: date) -> None:
    for start in (last, current):
        year = start.year
        closure_save(actor=None, programme=programme, name=f"Vacanze di Natale {year}/{year + 1}",
                     start_date=date(year, 12, 23), end_date=date(year + 1, 1, 6))  # fmt: skip
    closure_save(actor=None, programme=programme, name=f"Vacanze di Pasqua {last.year + 1}",
                 start_date=date(last.year + 1, 4, 2), end_date=date(last.year + 1, 4, 7))  # fmt: skip


def _fare_benecomune(programme: Programme, rng: random.Random, today: date) -> None:
    build = Builder(programme, rng, today)
    last, current = _school_years(today)
    _closures(programme, last, current)
    A = Activity.Kind
    U = Activity.Audience

    # Homework help: twice a week in five labs, last school year and this one.
    children = list(
        Person.objects.filter(programme=programme, household_memberships__relation=HouseholdMember.Relation.CHILD)
        .filter(birth_date__isnull=False)
        .select_related()
        .distinct()
    )
    school_age = [p for p in children if 6 <= (p.age(today) or 0) <= 13]
    households = {
        m.person_id: m.household
        for m in HouseholdMember.objects.filter(person__in=school_age).select_related("household")
    }
    labs = ["Laboratorio Sociale Pavia Ovest", "Laboratorio Sociale Crosione", "Laboratorio Sociale Città Giardino",
            "Laboratorio di comunità di San Martino Siccomario", "Laboratorio Sociale Vallone"]  # fmt: skip
    for index, lab in enumerate(labs):
        place = build.place(lab)
        for start, label in ((last, f"{last.year}/{last.year + 1}"), (current, f"{current.year}/{current.year + 1}")):
            first = _first_weekday(start, 0)
            activity = build.activity(
                f"Aiuto compiti {label} — {lab.split(' ', 2)[-1]}", A.HOMEWORK_HELP, "crescere",
                U.CHILDREN_6_10 if index % 2 == 0 else U.CHILDREN_11_13, _at(first, 16, 30), 90, place=place,
                recurrence=f"FREQ=WEEKLY;BYDAY=MO,WE;UNTIL={_until(date(start.year + 1, 6, 8))}",
                registration_required=True, capacity=15, description=(
                    "Due pomeriggi a settimana di aiuto nei compiti con educatori e volontari, merenda compresa."
                ),
            )  # fmt: skip
            followed = school_age[index * 3 : index * 3 + 3]
            build.register(activity, followed, households=households)
            others = [build.contact(6, 13, start) for _ in range(14)]  # 17 in all: two on the waiting list
            build.register(activity, others)
            build.attend(activity, 0.78)

    # Sport and citizenship for adolescents (CRESCERE), with a citizen group.
    park = build.place("Laboratorio Sociale Città Giardino")
    sport = build.activity(
        f"Sport al parco {last.year}/{last.year + 1} — calcio e basket", A.SPORT, "crescere", U.ADOLESCENTS,
        _at(_first_weekday(last, 4), 17), 90, place=park, registration_required=True, capacity=30,
        recurrence=f"FREQ=WEEKLY;BYDAY=FR;UNTIL={_until(date(last.year + 1, 5, 29))}",
        groups=["Giovani per San Martino"],
    )  # fmt: skip
    build.register(sport, [build.contact(12, 17, last) for _ in range(28)])
    build.attend(sport, 0.7)
    citizenship = build.activity(
        f"Laboratorio di cittadinanza attiva {last.year}/{last.year + 1}", A.LAB, "crescere", U.ADOLESCENTS,
        _at(_first_weekday(date(last.year, 10, 1), 1), 15), 120, place=build.place("Laboratorio Sociale Scala"),
        recurrence=f"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL={_until(date(last.year + 1, 5, 26))}",
        registration_required=True, capacity=40,
    )  # fmt: skip
    build.register(citizenship, [build.contact(14, 17, last) for _ in range(40)])
    build.attend(citizenship, 0.65)
    exchange = build.activity(
        f"Scambio europeo giovani Pavia–Lione {last.year + 1}", A.EUROPEAN_EXCHANGE, "crescere", U.ADOLESCENTS,
        _at(_first_weekday(date(last.year + 1, 4, 13), 0), 9), 420, venue="Ostello della gioventù, Pavia",
        municipality=park.municipality, recurrence="FREQ=DAILY;COUNT=5", registration_required=True, capacity=20,
        skip_closures=False,
    )  # fmt: skip
    build.register(exchange, [build.contact(15, 17, last) for _ in range(20)])
    build.attend(exchange, 0.95)

    # The summer centre: five weeks in June and July.
    summer = build.activity(
        f"Centro estivo {last.year + 1}", A.LAB, "crescere", U.CHILDREN_6_10,
        _at(_first_weekday(date(last.year + 1, 6, 15), 0), 8, 30), 480,
        place=build.place("Laboratorio Sociale Crosione"),
        recurrence=f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL={_until(date(last.year + 1, 7, 17))}",
        registration_required=True, capacity=45, skip_closures=False,
    )  # fmt: skip
    build.register(summer, [build.contact(6, 11, last) for _ in range(45)])
    build.attend(summer, 0.85)

    # FAMIGLIE: parenting meetings and economic-financial evenings.
    parents = build.activity(
        f"Incontri per genitori {last.year}/{last.year + 1}", A.THEMATIC_MEETING, "famiglie", U.FAMILIES,
        _at(_first_weekday(date(last.year, 10, 1), 3), 18), 90, place=build.place("Laboratorio Sociale Crosione"),
        recurrence=f"FREQ=MONTHLY;BYDAY=1TH;UNTIL={_until(date(last.year + 1, 5, 31))}",
    )  # fmt: skip
    build.register(parents, [build.contact(28, 50, last) for _ in range(60)])
    build.attend(parents, 0.45)
    money = build.activity(
        f"Serate di informazione economico-finanziaria {last.year + 1}", A.THEMATIC_MEETING, "famiglie", U.ADULTS,
        _at(_first_weekday(date(last.year + 1, 2, 2), 3), 20, 30), 90, place=build.place("Laboratorio Sociale Vallone"),
        recurrence="FREQ=WEEKLY;COUNT=6", registration_required=True, capacity=35,
    )  # fmt: skip
    build.register(money, [build.contact(25, 70, last) for _ in range(38)])
    build.attend(money, 0.75)
    for year_start in (last, current):
        after_school = build.activity(
            f"Corso di italiano per mamme {year_start.year}/{year_start.year + 1}", A.COURSE, "famiglie", U.ADULTS,
            _at(_first_weekday(year_start + timedelta(days=14), 1), 9, 30), 120,
            place=build.place("Laboratorio Sociale Pavia Ovest"), registration_required=True, capacity=20,
            recurrence=f"FREQ=WEEKLY;BYDAY=TU,TH;UNTIL={_until(date(year_start.year + 1, 5, 28))}",
        )  # fmt: skip
        build.register(after_school, [build.contact(22, 50, year_start) for _ in range(20)])
        build.attend(after_school, 0.7)

    # COSTRUIRE: public events counted anonymously, and the labs' internal staff meeting.
    events = [
        ("Open day dei laboratori", A.PUBLIC_EVENT, date(last.year, 10, 4), 15, 240, "Laboratorio Sociale Scala", 900,
         0.35),
        ("Festa di Natale dei laboratori", A.PUBLIC_EVENT, date(last.year, 12, 20), 15, 180,
         "Laboratorio Sociale Borgo Ticino", 800, 0.45),
        ("Carnevale dei bambini", A.CULTURE, date(last.year + 1, 2, 14), 15, 180, "Laboratorio Sociale Crosione", 1100,
         0.55),
        ("Festa di quartiere al Crosione", A.PUBLIC_EVENT, date(last.year + 1, 5, 16), 16, 300,
         "Laboratorio Sociale Crosione", 1400, 0.4),
        (MARKER, A.PUBLIC_EVENT, date(last.year + 1, 6, 6), 17, 240, "Laboratorio Sociale Città Giardino", 1500, 0.45),
    ]  # fmt: skip
    for title, kind, day, hour, minutes, lab, total, minors in events:
        event = build.activity(
            f"{title} {day.year}", kind, "costruire", U.EVERYONE, _at(day, hour), minutes, place=build.place(lab),
            groups=["Mamme in rete", "Cucine dal mondo"], description="Festa aperta a tutto il quartiere.",
        )  # fmt: skip
        build.tally(event, total, minors)
    cinema = build.activity(
        f"Cinema sotto le stelle {last.year + 1}", A.CULTURE, "costruire", U.EVERYONE,
        _at(_first_weekday(date(last.year + 1, 7, 1), 3), 21, 15), 150,
        place=build.place("Laboratorio Sociale Vallone"),
        recurrence="FREQ=WEEKLY;COUNT=4", skip_closures=False, groups=["Amici del parco della Vernavola"],
    )  # fmt: skip
    build.tally(cinema, 250, 0.3)
    build.activity(
        f"Équipe dei laboratori {current.year}/{current.year + 1}", A.ASSEMBLY, "per-fare", U.OPERATORS,
        _at(_first_weekday(current, 4), 10), 120, place=build.place("Laboratorio Sociale Scala"), is_public=False,
        recurrence=f"FREQ=MONTHLY;BYDAY=2FR;UNTIL={_until(date(current.year + 1, 6, 30))}",
    )  # fmt: skip

    # One date moved and one cancelled in the weeks to come, so the calendar shows both.
    upcoming = Occurrence.objects.filter(
        activity__programme=programme, activity__kind=A.HOMEWORK_HELP, starts_at__gt=timezone.now() + timedelta(days=2)
    ).order_by("starts_at")
    moved, cancelled = upcoming[0], upcoming[3]
    occurrence_move(actor=None, occurrence=moved, starts_at=moved.starts_at + timedelta(days=1),
                    ends_at=moved.ends_at + timedelta(days=1),
                    note="Spostato per l'assemblea della scuola")  # fmt: skip
    occurrence_cancel(actor=None, occurrence=cancelled, note="Sciopero del personale scolastico")


def _other_programmes(rng: random.Random, today: date) -> None:
    _last, current = _school_years(today)
    legami = Programme.objects.filter(slug="wellfare-legami").first()
    if legami is not None and not Activity.objects.filter(programme=legami).exists():
        build = Builder(legami, rng, today)
        for place_name in ("Incroci di Comunità — Oratorio di Cremona", "Incroci di Comunità — Scuola di Crema"):
            after_school = build.activity(
                f"Doposcuola {current.year}/{current.year + 1} — {place_name.split('— ')[-1]}",
                Activity.Kind.HOMEWORK_HELP, "incroci", Activity.Audience.CHILDREN_11_13,
                _at(_first_weekday(current, 1), 14, 30), 150, place=build.place(place_name),
                recurrence=f"FREQ=WEEKLY;BYDAY=TU,TH;UNTIL={_until(date(current.year + 1, 6, 5))}",
                registration_required=True, capacity=25,
            )  # fmt: skip
            build.register(after_school, [build.contact(11, 14, current) for _ in range(22)])
            build.attend(after_school, 0.8)
    genera = Programme.objects.filter(slug="genera-azioni").first()
    if genera is not None and not Activity.objects.filter(programme=genera).exists():
        build = Builder(genera, rng, today)
        point = CommunityPlace.objects.filter(programme=genera, name="Punto di comunità di Montichiari").first()
        if point is not None:
            orientation = build.activity(
                f"Orientamento e alternanza scuola-lavoro {current.year}/{current.year + 1}", Activity.Kind.ORIENTATION,
                "piano-adolescenti", Activity.Audience.ADOLESCENTS, _at(_first_weekday(current, 2), 15), 120,
                place=point, recurrence="FREQ=WEEKLY;INTERVAL=2;COUNT=14", registration_required=True, capacity=18,
            )  # fmt: skip
            build.register(orientation, [build.contact(15, 17, current) for _ in range(16)])
            build.attend(orientation, 0.75)


def load(log: Callable[[str], None]) -> None:
    programme = Programme.objects.filter(slug="fare-benecomune").first()
    if programme is None:
        return
    if Activity.objects.filter(programme=programme, title__startswith=MARKER).exists():
        log("Demo activities already there.")
        return
    if not CommunityPlace.objects.filter(programme=programme).exists() or not Organisation.objects.exists():
        log("No demo network: no activities.")
        return
    rng = random.Random(SEED)  # noqa: S311 — demo data, not security
    today = timezone.localdate()
    with transaction.atomic():
        _fare_benecomune(programme, rng, today)
        _other_programmes(rng, today)
    log(
        f"Demo activities: {Activity.objects.count()} activities, {Occurrence.objects.count()} dates, "
        f"{Registration.objects.count()} registrations, {Closure.objects.count()} closures."
    )
