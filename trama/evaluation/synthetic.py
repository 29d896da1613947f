"""A regional-scale synthetic dataset for the evaluation benchmark (issue 8, "Scale").

`generate(sizes, seed=…)` fills the real tables — programmes and their territory, partnerships,
places, citizen groups, staff accounts, people in households with their consents, activities with
occurrences, named attendance and anonymous tallies, requests for help and cases (phase changes,
assessments, pathways, referrals), pacts (versions, signatories, budget lines, disbursements,
commitments, hours given back), volunteers and their hours, members of citizen groups, sessions of
the pathways with who attended, registrations to courses, volunteer shifts and sign-ups, the time
bank (accounts, exchanges and their double entries, micro-networks), the work plan (companies,
openings, job seekers, placements and their trail) and the housing plan (dwellings, searches,
tenancies, the guarantee fund with its deposits, guarantees and draws, co-housings, caretakers'
buildings and logbooks) — with the values the services would write: UUID public ids, encrypted
notes that decrypt with the configured keys, and the denormalised columns (an attendance's
programme, date, age band and minority of that day; a pact's version in force and the amounts and
hours signed).

Speed: the rows are written with explicit primary keys through COPY on PostgreSQL (psycopg 3) and
one prepared INSERT run many times on SQLite, all in one transaction. On PostgreSQL the secondary
indexes and the unique and foreign-key constraints of the large tables are dropped before their
COPY and rebuilt after it, in the same transaction (as pg_restore does): a failure rolls back to
the schema as it was. The public ids of the largest tables (people, their households' members and
consents, assessment scores, attendance) are drawn by PostgreSQL itself (gen_random_uuid()) during
the COPY; elsewhere, and everywhere on SQLite, from the seeded generator.

Synthetic records are recognisable: programme addresses start with `SLUG_PREFIX`, organisations'
names with `ORGANISATION_PREFIX`, staff e-mails end with `EMAIL_DOMAIN`.
"""

# Random numbers here make reproducible test data, not secrets (S311); the SQL is assembled from
# the models' table and column names, quoted by the connection (S608).
# ruff: noqa: S311, S608

from __future__ import annotations

import random
import time
import uuid
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction

SLUG_PREFIX = "sintetico-"
ORGANISATION_PREFIX = "[sintetico] "
EMAIL_DOMAIN = "@synthetic.invalid"
ROME = ZoneInfo("Europe/Rome")

# The data covers two school years; the benchmark's one-year period falls inside it.
DATA_START = date(2024, 9, 1)
DATA_END = date(2026, 8, 31)
AGE_REFERENCE = date(2025, 1, 1)

FIRST_NAMES_F = (
    "Giulia", "Sofia", "Aurora", "Alice", "Ginevra", "Emma", "Giorgia", "Greta", "Martina", "Beatrice", "Anna",
    "Chiara", "Sara", "Francesca", "Elena", "Maria", "Laura", "Paola", "Valentina", "Silvia", "Fatima", "Amina",
    "Ioana", "Elena Maria", "Lucia", "Rosa", "Teresa", "Marta", "Irene", "Noemi",
)  # fmt: skip
FIRST_NAMES_M = (
    "Leonardo", "Francesco", "Alessandro", "Lorenzo", "Mattia", "Andrea", "Gabriele", "Riccardo", "Tommaso",
    "Edoardo", "Marco", "Luca", "Giuseppe", "Giovanni", "Antonio", "Paolo", "Stefano", "Davide", "Mohamed",
    "Youssef", "Ahmed", "Andrei", "Matteo", "Simone", "Federico", "Pietro", "Nicola", "Roberto", "Enrico", "Omar",
)  # fmt: skip
LAST_NAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
    "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri",
    "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
    "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
    "El Amrani", "Popescu", "Hoxha", "Singh", "Chen", "Kaur", "Diallo", "Ionescu", "Benali", "Shehu",
)  # fmt: skip
STREETS = ("Via Roma", "Via Garibaldi", "Via Mazzini", "Corso Cavour", "Via Dante", "Via Verdi", "Viale Europa")
REGIONS = ("Lombardia", "Piemonte", "Emilia-Romagna", "Veneto", "Liguria", "Toscana")


# --- Sizes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    programmes: int = 50
    people: int = 1_000_000
    households: int = 300_000
    attendances: int = 10_000_000

    @classmethod
    def scaled(cls, scale: float, **explicit: int | None) -> Sizes:
        """The default sizes times `scale` (programmes fall more slowly: at least one, at most 50);
        explicit counts win."""
        full = cls()
        programmes = max(1, min(full.programmes, round(full.programmes * min(1.0, scale * 10))))
        values = {
            "programmes": programmes,
            "people": max(programmes * 10, round(full.people * scale)),
            "households": max(programmes * 3, round(full.households * scale)),
            "attendances": max(programmes * 10, round(full.attendances * scale)),
        }
        values.update({name: value for name, value in explicit.items() if value is not None})
        sizes = cls(**values)
        for field in fields(sizes):
            if getattr(sizes, field.name) < 1:
                raise ValueError(f"{field.name} must be at least 1")
        if sizes.households > sizes.people:
            raise ValueError("There cannot be more households than people.")
        return sizes


def split(total: int, parts: int) -> list[int]:
    """`total` shared as evenly as possible into `parts` whole numbers."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


# --- Writing rows ----------------------------------------------------------------------------------


class Loader:
    """Writes plain rows with explicit primary keys into the models' tables, fast, and keeps count."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self.report = report
        self.counts: dict[str, int] = {}
        self._next: dict[type[models.Model], int] = {}
        self._loaded: list[type[models.Model]] = []
        self.postgresql = connection.vendor == "postgresql"

    def prepare(self) -> None:
        if self.postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                cursor.execute("SET LOCAL max_parallel_maintenance_workers = 1")

    def ids(self, model: type[models.Model], count: int) -> range:
        """`count` fresh primary keys of `model`, after those already used."""
        if model not in self._next:
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self._next[model] = top + 1
        start = self._next[model]
        self._next[model] = start + count
        return range(start, start + count)

    def load(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        big: bool = False,
        uuids: random.Random | None = None,
    ) -> int:
        """Insert `rows` (values in the order of `columns`, field names) into `model`'s table.

        With `uuids`, the rows carry no `public_id`: PostgreSQL draws them itself (gen_random_uuid(),
        a column default for the time of the COPY: ten million fewer Python objects to build and
        send); elsewhere they are drawn here from `uuids`, after the primary key."""
        started = time.perf_counter()
        opts = model._meta
        table = connection.ops.quote_name(opts.db_table)
        server_uuids = uuids is not None and self.postgresql
        if uuids is not None and not self.postgresql:
            columns = (columns[0], "public_id", *columns[1:])
            rows = ((row[0], new_uuid(uuids), *row[1:]) for row in rows)
        model_fields = [opts.get_field(name) for name in columns]
        names = ", ".join(connection.ops.quote_name(field.column) for field in model_fields)
        count = 0
        rebuilt = ""
        with connection.cursor() as cursor:
            if self.postgresql:
                rebuild = self._drop_secondary(cursor, opts.db_table) if big else []
                # Binary COPY with the columns' own types: three times faster than text for
                # UUIDs and timestamps.
                cursor.execute(
                    "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                    [opts.db_table],
                )
                oids = dict(cursor.fetchall())
                public_id = connection.ops.quote_name("public_id")
                if server_uuids:
                    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {public_id} SET DEFAULT gen_random_uuid()")
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types([oids[field.column] for field in model_fields])
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                if server_uuids:
                    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {public_id} DROP DEFAULT")
                copied = time.perf_counter()
                for statement in rebuild:
                    cursor.execute(statement)
                if rebuild:
                    rebuilt = f" (indexes and constraints rebuilt in {time.perf_counter() - copied:.1f} s)"
                    # The rebuilt foreign keys are deferrable: check rows as they come, as before.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            else:
                converters = [_sqlite_converter(field) for field in model_fields]
                insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(model_fields))})"
                batch: list[list[Any]] = []
                for row in rows:
                    batch.append([convert(value) for convert, value in zip(converters, row, strict=True)])
                    if len(batch) == 20_000:
                        cursor.executemany(insert, batch)
                        count, batch = count + len(batch), []
                if batch:
                    cursor.executemany(insert, batch)
                    count += len(batch)
        self.counts[opts.label] = self.counts.get(opts.label, 0) + count
        if model not in self._loaded:
            self._loaded.append(model)
        self.report(f"  {opts.label}: {count:,} rows in {time.perf_counter() - started:.1f} s{rebuilt}")
        return count

    def _drop_secondary(self, cursor: Any, table: str) -> list[str]:
        """Drop the unique and foreign-key constraints and the other indexes of `table` (not its
        primary key, not its checks); return the statements that rebuild them."""
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.schemaname = "
            "current_schema() AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = "
            "%s::regclass AND contype IN ('p', 'u', 'x'))",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition, _kind in constraints:
            cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        # Unique constraints first (their indexes), then plain indexes, then the foreign keys.
        unique = [
            f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(n)} {d}"
            for n, d, k in constraints
            if k == "u"
        ]
        foreign = [
            f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(n)} {d}"
            for n, d, k in constraints
            if k == "f"
        ]
        return [*unique, *(definition for _name, definition in indexes), *foreign]

    def finish(self) -> None:
        """Move the primary-key sequences past the keys written by hand (PostgreSQL)."""
        if not self.postgresql:
            return
        with connection.cursor() as cursor:
            for model in self._loaded:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM "
                    f"{connection.ops.quote_name(table)}))",
                    [table],
                )


def _sqlite_converter(field: models.Field) -> Callable[[Any], Any]:
    """How Django stores a value of `field` on SQLite (UUIDs as 32 hex digits, dates as text…)."""
    if field.is_relation:
        field = field.target_field
    if isinstance(field, models.UUIDField):
        return lambda value: None if value is None else value.hex
    if isinstance(field, models.DateTimeField):
        adapt = lru_cache(maxsize=65536)(connection.ops.adapt_datetimefield_value)
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    if isinstance(field, models.BooleanField):
        return lambda value: None if value is None else int(value)
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    return lambda value: value


# --- Helpers ---------------------------------------------------------------------------------------


_VERSION_4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_VERSION_4_SET = (0x8000 << 48) | (4 << 76)
_new_object = object.__new__
_set = object.__setattr__


def new_uuid(rng: random.Random) -> uuid.UUID:
    """A random (version 4) UUID from `rng`, built without `UUID.__init__`'s checks: the loader
    makes ten million of them."""
    value = _new_object(uuid.UUID)
    _set(value, "int", (rng.getrandbits(128) & _VERSION_4_CLEAR) | _VERSION_4_SET)
    _set(value, "is_safe", uuid.SafeUUID.unknown)
    return value


@lru_cache(maxsize=8192)
def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware datetime in Rome (cached: the generator asks for the same few thousand)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def band_of(age: int) -> str:
    if age <= 5:
        return "0-5"
    if age <= 10:
        return "6-10"
    if age <= 13:
        return "11-13"
    if age <= 17:
        return "14-17"
    if age <= 64:
        return "18-64"
    return "65+"


@lru_cache(maxsize=256)
def _cumulative(choices: tuple[tuple[Any, float], ...]) -> tuple[tuple[Any, ...], list[float], float]:
    values, weights = zip(*choices, strict=True)
    cumulative = list(accumulate(weights))
    return values, cumulative, cumulative[-1] + 0.0


def weighted(rng: random.Random, choices: tuple[tuple[Any, float], ...]) -> Any:
    """One of `choices` (value, weight) — what `rng.choices(values, weights)[0]` draws, without
    summing the weights again at each of the million calls."""
    values, cumulative, total = _cumulative(choices)
    return values[bisect(cumulative, rng.random() * total, 0, len(cumulative) - 1)]


# --- The generator ---------------------------------------------------------------------------------


@dataclass
class ProgrammeData:
    """What later steps need to know of one programme (primary keys only)."""

    pk: int
    slug: str
    towns: list[int]
    town_weights: list[int]
    lines: list[int]
    organisations: list[int]
    places: list[int]
    place_towns: list[int]
    place_managers: list[int]
    groups: list[int]
    coordinator: Any
    operators: dict[int, Any]  # organisation → user id
    people: range = range(0)
    households: range = range(0)


class Generator:
    def __init__(self, sizes: Sizes, seed: int, report: Callable[[str], None]) -> None:
        self.sizes = sizes
        self.seed = seed
        self.rng = random.Random(seed)
        # The public ids PostgreSQL draws itself for the largest tables come from here elsewhere: a
        # stream of their own, so that the rest of the data is the same on every database.
        self.public_ids = random.Random(seed + 1_000_003)
        self.report = report
        self.loader = Loader(report)
        self.programmes: list[ProgrammeData] = []
        # Per person (indexed by pk - first pk): birth date, household pk or 0, programme index.
        self.person_base = 0
        self.births: list[date] = []
        self.person_household: list[int] = []
        # Per household (indexed by pk - first pk): its members' pks, its programme index.
        self.household_base = 0
        self.household_members: list[list[int]] = []
        self.household_programme: list[int] = []
        self.household_town: list[int] = []
        self.case_rows: list[tuple[int, int, int, int, str, date, date | None]] = []
        # Per programme, its regular activities (pk, kind, first start), in the order of the schedules.
        self.regular_activities: list[list[tuple[int, str, datetime]]] = []
        # Pathways (pk, programme index, is group, organisation, place, start, end) and who takes part.
        self.pathway_rows: list[tuple[Any, ...]] = []
        self.participation_rows: list[tuple[int, int, date, date | None]] = []
        # Volunteers (pk, programme index, person, approved on or None).
        self.volunteer_rows: list[tuple[int, int, int, date | None]] = []
        from trama.core.crypto import encrypt

        self.encrypt = encrypt

    # The steps, in foreign-key order.
    def run(self) -> dict[str, int]:
        self.loader.prepare()
        self.report("Programmes, territory and network…")
        self._programmes()
        self.report("People and households…")
        self._people()
        self._consents()
        self.report("Activities and attendance…")
        occurrences = self._activities()
        self._attendance(occurrences)
        self.report("Requests for help and cases…")
        self._cases()
        self._assessments()
        self._pathways()
        self._referrals()
        self.report("Pacts…")
        self._pacts()
        self.report("Volunteers and citizen groups…")
        self._volunteers()
        self._group_members()
        self.report("Pathway sessions, registrations, volunteer shifts and the time bank…")
        self._sessions()
        self._registrations()
        self._shifts(occurrences)
        self._time_bank()
        self.report("Work and housing plans…")
        self._work()
        self._housing()
        self.loader.finish()
        return dict(self.loader.counts)

    # --- Programmes and their network -------------------------------------------------------------

    def _programmes(self) -> None:
        from django.contrib.auth.hashers import make_password

        from trama.accounts.models import Membership, Role, User
        from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership
        from trama.territory.models import ActionLine, Municipality, Programme

        rng = self.rng
        by_province: dict[str, list[tuple[int, int, str]]] = {}
        for pk, province, population, name in (
            Municipality.objects.filter(region_name__in=REGIONS)
            .order_by("province_code", "-population", "istat_code")
            .values_list("pk", "province_code", "population", "name")
        ):
            by_province.setdefault(province, []).append((pk, population or 1000, name))
        provinces = sorted(by_province)
        if not provinces:
            raise RuntimeError("The municipality reference table is empty: run the migrations first.")
        count = self.sizes.programmes
        programmes = []
        chosen: list[list[tuple[int, int, str]]] = []
        for i in range(count):
            towns_of_province = by_province[provinces[i % len(provinces)]]
            round_ = i // len(provinces)
            size = rng.randint(4, 14)
            towns = towns_of_province[round_ * 3 : round_ * 3 + size] or towns_of_province[:size]
            chosen.append(towns)
            start = date(2024, 9, 1)
            programmes.append(
                Programme(
                    slug=f"{SLUG_PREFIX}{self.seed}-{i + 1:02d}",
                    name=f"Programma sintetico {i + 1:02d} — {towns[0][2]}",
                    tagline="Dati generati per le prove di carico",
                    funder="Fondazione sintetica",
                    start_date=start,
                    end_date=date(2027, 8, 31),
                    budget=Decimal(rng.randrange(800_000, 3_000_000, 10_000)),
                    declared_inhabitants=sum(population for _pk, population, _name in towns),
                    declared_households=self.sizes.households // count,
                    declared_municipalities=len(towns),
                    is_public=True,
                )
            )
        Programme.objects.bulk_create(programmes)
        programmes = list(Programme.objects.filter(slug__startswith=f"{SLUG_PREFIX}{self.seed}-").order_by("slug"))
        Through = Programme.municipalities.through
        Through.objects.bulk_create(
            [
                Through(programme_id=programme.pk, municipality_id=pk)
                for programme, towns in zip(programmes, chosen, strict=True)
                for pk, _population, _name in towns
            ]
        )
        line_names = ("Famiglie", "Comunità", "Lavoro e casa", "Governance e valutazione")
        lines = ActionLine.objects.bulk_create(
            [
                ActionLine(programme=programme, code=f"linea-{j + 1}", name=name, position=j, public_id=new_uuid(rng))
                for programme in programmes
                for j, name in enumerate(line_names)
            ]
        )
        kinds = [kind for kind in Organisation.Kind.values if kind != Organisation.Kind.INFORMAL_GROUP]
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{ORGANISATION_PREFIX}{self.seed}-{i + 1:02d}-{j + 1:02d}",
                    kind=Organisation.Kind.LOCAL_AUTHORITY if j == 0 else rng.choice(kinds),
                    municipality_id=chosen[i][j % len(chosen[i])][0],
                    public_id=new_uuid(rng),
                )
                for i in range(count)
                for j in range(10)
            ]
        )
        Partnership.objects.bulk_create(
            [
                Partnership(
                    programme=programme,
                    organisation=organisations[i * 10 + j],
                    role=Partnership.Role.LEAD if j == 1 else Partnership.Role.PARTNER if j < 8 else "network",
                    start_date=programme.start_date,
                    public_id=new_uuid(rng),
                )
                for i, programme in enumerate(programmes)
                for j in range(10)
            ]
        )
        places = CommunityPlace.objects.bulk_create(
            [
                CommunityPlace(
                    programme=programme,
                    kind=rng.choice(CommunityPlace.Kind.values),
                    name=f"Luogo {j + 1:02d} di {chosen[i][j % len(chosen[i])][2]}",
                    managing_organisation=organisations[i * 10 + 1 + j % 7],
                    address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                    municipality_id=chosen[i][j % len(chosen[i])][0],
                    public_id=new_uuid(rng),
                )
                for i, programme in enumerate(programmes)
                for j in range(8)
            ]
        )
        groups = CitizenGroup.objects.bulk_create(
            [
                CitizenGroup(
                    programme=programme,
                    name=f"Gruppo {j + 1:02d} di {chosen[i][j % len(chosen[i])][2]}",
                    municipality_id=chosen[i][j % len(chosen[i])][0],
                    public_id=new_uuid(rng),
                )
                for i, programme in enumerate(programmes)
                for j in range(8)
            ]
        )
        users, memberships = [], []
        for i, programme in enumerate(programmes):
            for j in range(8):
                user = User(
                    email=f"{programme.slug}-{j + 1}{EMAIL_DOMAIN}",
                    full_name=f"{rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}",
                    password=make_password(None),  # unusable: nobody signs in as a synthetic user
                )
                users.append(user)
                role = Role.COORDINATOR if j == 0 else Role.OPERATOR
                memberships.append(
                    Membership(
                        user=user, organisation=organisations[i * 10 + 1 + j % 7], programme=programme, role=role,
                        public_id=new_uuid(rng),
                    )
                )  # fmt: skip
        User.objects.bulk_create(users)
        Membership.objects.bulk_create(memberships)
        for i, programme in enumerate(programmes):
            organisation_pks = [organisation.pk for organisation in organisations[i * 10 : i * 10 + 10]]
            programme_users = users[i * 8 : i * 8 + 8]
            self.programmes.append(
                ProgrammeData(
                    pk=programme.pk,
                    slug=programme.slug,
                    towns=[pk for pk, _population, _name in chosen[i]],
                    town_weights=[population for _pk, population, _name in chosen[i]],
                    lines=[line.pk for line in lines[i * 4 : i * 4 + 4]],
                    organisations=organisation_pks,
                    places=[place.pk for place in places[i * 8 : i * 8 + 8]],
                    place_towns=[place.municipality_id for place in places[i * 8 : i * 8 + 8]],
                    place_managers=[place.managing_organisation_id for place in places[i * 8 : i * 8 + 8]],
                    groups=[group.pk for group in groups[i * 8 : i * 8 + 8]],
                    coordinator=programme_users[0].pk,
                    operators={organisation_pks[1 + j % 7]: user.pk for j, user in enumerate(programme_users[1:], 1)},
                )
            )
        for label, number in (
            ("territory.Programme", len(programmes)),
            ("network.Organisation", len(organisations)),
            ("network.CommunityPlace", len(places)),
            ("network.CitizenGroup", len(groups)),
            ("accounts.User", len(users)),
        ):
            self.loader.counts[label] = number

    # --- People -----------------------------------------------------------------------------------

    def _people(self) -> None:
        from trama.people.models import Household, HouseholdMember, Person

        rng = self.rng
        people_ids = self.loader.ids(Person, self.sizes.people)
        household_ids = self.loader.ids(Household, self.sizes.households)
        self.person_base, self.household_base = people_ids.start, household_ids.start
        person_rows: list[tuple[Any, ...]] = []
        household_rows: list[tuple[Any, ...]] = []
        member_rows: list[tuple[Any, ...]] = []
        next_person, next_household = people_ids.start, household_ids.start
        sizes_of_household = ((1, 15), (2, 24), (3, 25), (4, 22), (5, 10), (6, 4))
        for index, (programme, people, households) in enumerate(
            zip(
                self.programmes,
                split(self.sizes.people, len(self.programmes)),
                split(self.sizes.households, len(self.programmes)),
                strict=True,
            )
        ):
            programme.people = range(next_person, next_person + people)
            towns_cumulative = list(accumulate(programme.town_weights))
            programme.households = range(next_household, next_household + households)
            # At most 90 % of the people live in the households counted (the rest: contacts only),
            # but every household has at least one member.
            in_households = max(households, min(people, round(people * 0.9)))
            group_sizes = [weighted(rng, sizes_of_household) for _ in range(households)]
            _fit(group_sizes, in_households, rng)
            for size in group_sizes:
                town = rng.choices(programme.towns, cum_weights=towns_cumulative)[0]
                last_name = rng.choice(LAST_NAMES)
                members = list(range(next_person, next_person + size))
                for position, person in enumerate(members):
                    if position < 2 and (position == 0 or rng.random() < 0.75):
                        age, relation = rng.randint(22, 78), "parent" if size > 2 else "partner"
                    else:
                        age, relation = rng.randint(0, 17), "child"
                    if position == 0:
                        relation = "other" if size == 1 else "parent"
                    person_rows.append(self._person(person, programme, age, town, last_name))
                    self.person_household.append(next_household)
                    member_rows.append((moment(DATA_START), moment(DATA_START), next_household, person, relation))
                created = moment(day_between(rng, DATA_START, DATA_START + timedelta(days=300)))
                household_rows.append(
                    (
                        next_household, new_uuid(rng), created, created, 1, programme.pk, f"Famiglia {last_name}",
                        town, f"{rng.choice(STREETS)} {rng.randint(1, 200)}", members[0],
                    )
                )  # fmt: skip
                self.household_members.append(members)
                self.household_programme.append(index)
                self.household_town.append(town)
                next_person += size
                next_household += 1
            for person in range(next_person, programme.people.stop):
                town = rng.choices(programme.towns, cum_weights=towns_cumulative)[0]
                age = rng.randint(14, 85)
                person_rows.append(self._person(person, programme, age, town, rng.choice(LAST_NAMES)))
                self.person_household.append(0)
            next_person = programme.people.stop
        person_columns = (
            "id", "created_at", "updated_at", "version", "programme", "first_name", "last_name", "birth_date",
            "gender", "tax_code", "email", "phone", "municipality", "languages", "is_restricted",
        )  # fmt: skip
        self.loader.load(Person, person_columns, person_rows, big=True, uuids=self.public_ids)
        household_columns = (
            "id", "public_id", "created_at", "updated_at", "version", "programme", "label", "municipality",
            "address", "primary_contact",
        )  # fmt: skip
        self.loader.load(Household, household_columns, household_rows, big=True)
        member_ids = self.loader.ids(HouseholdMember, len(member_rows))
        self.loader.load(
            HouseholdMember,
            ("id", "created_at", "updated_at", "household", "person", "relation"),
            ((pk, *row) for pk, row in zip(member_ids, member_rows, strict=True)),
            big=True,
            uuids=self.public_ids,
        )

    def _person(self, pk: int, programme: ProgrammeData, age: int, town: int, last_name: str) -> tuple[Any, ...]:
        rng = self.rng
        birth = AGE_REFERENCE - timedelta(days=age * 365 + rng.randint(0, 364))
        gender = weighted(rng, (("F", 51), ("M", 47), ("X", 0.5), ("", 1.5)))
        first = rng.choice(FIRST_NAMES_F if gender == "F" else FIRST_NAMES_M if gender == "M" else FIRST_NAMES_F)
        created = moment(day_between(rng, DATA_START, DATA_END - timedelta(days=120)))
        self.births.append(birth)
        return (
            pk, created, created, 1, programme.pk, first, last_name, birth, gender, "", "", "", town, "", False,
        )  # fmt: skip

    def _consents(self) -> None:
        """Consent to statistical use for about 70 % of the people (a guardian for those under 14)."""
        from trama.people.models import Consent

        rng = self.rng
        chosen = [pk for pk in range(self.person_base, self.person_base + self.sizes.people) if rng.random() < 0.7]
        ids = self.loader.ids(Consent, len(chosen))

        def rows() -> Iterator[tuple[Any, ...]]:
            for pk, person in zip(ids, chosen, strict=True):
                given = day_between(rng, DATA_START, DATA_START + timedelta(days=200))
                minor = age_on(self.births[person - self.person_base], given) < 14
                yield (
                    pk, moment(given), moment(given), person, "statistics",
                    "guardian" if minor else "self", f"Genitore di {pk}" if minor else "", given, "",
                )  # fmt: skip

        columns = (
            "id", "created_at", "updated_at", "person", "purpose", "given_by", "guardian_name", "given_on",
            "signed_form",
        )  # fmt: skip
        self.loader.load(Consent, columns, rows(), big=True, uuids=self.public_ids)

    # --- Activities -------------------------------------------------------------------------------

    def _activities(self) -> list[list[list[tuple[int, date, datetime]]]]:
        """Regular weekly activities (a school year each) and public events with head counts.
        Returns, per programme, per regular activity, its occurrences (pk, day, start)."""
        from trama.activities.models import Activity, Occurrence

        rng = self.rng
        regular_kinds = ("lab", "homework_help", "sport", "course", "culture", "thematic_meeting")
        audiences = ("everyone", "families", "children_6_10", "children_11_13", "adolescents", "adults")
        activity_rows, organiser_rows, occurrence_rows, tally_rows = [], [], [], []
        schedules: list[list[list[tuple[int, date, datetime]]]] = []
        people_per_programme = self.sizes.people // len(self.programmes)
        regular = max(2, people_per_programme // 100)
        events = max(1, regular // 10)
        activity_ids = self.loader.ids(Activity, (regular + events) * len(self.programmes))
        weeks = 34
        occurrence_ids = iter(self.loader.ids(Occurrence, (regular * weeks + events * 2) * len(self.programmes)))
        activity_pks = iter(activity_ids)
        for programme in self.programmes:
            programme_schedules = []
            programme_regular: list[tuple[int, str, datetime]] = []
            for j in range(regular + events):
                pk = next(activity_pks)
                is_event = j >= regular
                place_index = rng.randrange(len(programme.places))
                year_start = date(2024, 9, 16) if rng.random() < 0.5 else date(2025, 9, 15)
                first_day = year_start + timedelta(days=rng.randint(0, 6) + 7 * rng.randint(0, 3))
                hour = rng.choice((9, 10, 15, 16, 17, 18))
                dates = [first_day + timedelta(weeks=w) for w in range(2 if is_event else weeks)]
                if is_event:
                    dates = [day_between(rng, DATA_START, DATA_END) for _ in range(2)]
                    dates = sorted(set(dates))
                first = moment(dates[0], hour)
                # The second activity of each programme is a course (they take registrations).
                kind = "public_event" if is_event else "course" if j == 1 else rng.choice(regular_kinds)
                activity_rows.append(
                    (
                        pk, new_uuid(rng), first, first, 1, programme.pk, f"Attività {j + 1}", kind,
                        programme.lines[j % 3], "everyone" if is_event else rng.choice(audiences), "",
                        programme.places[place_index], "", programme.place_towns[place_index], True, kind == "course",
                        first, 120 if is_event else 90, "" if is_event else f"FREQ=WEEKLY;COUNT={weeks}", True,
                        "active",
                    )
                )  # fmt: skip
                organiser_rows.append((pk, programme.place_managers[place_index]))
                if rng.random() < 0.3:
                    other = rng.choice(programme.organisations)
                    if other != programme.place_managers[place_index]:
                        organiser_rows.append((pk, other))
                occurrences = []
                for day in dates:
                    occurrence = next(occurrence_ids)
                    start = moment(day, hour)
                    end = start + timedelta(minutes=120 if is_event else 90)
                    occurrence_rows.append(
                        (occurrence, new_uuid(rng), start, start, pk, start, end, start, "scheduled", "")
                    )
                    occurrences.append((occurrence, day, start))
                    if is_event:
                        for band in ("0-5", "6-10", "11-13", "14-17", "18-64", "65+"):
                            for gender in ("F", "M"):
                                if rng.random() < 0.8:
                                    tally_rows.append(
                                        (new_uuid(rng), start, start, occurrence, band, gender, rng.randint(1, 40))
                                    )
                if not is_event:
                    programme_schedules.append(occurrences)
                    programme_regular.append((pk, kind, first))
            schedules.append(programme_schedules)
            self.regular_activities.append(programme_regular)
        self._write_activities(activity_rows, organiser_rows, occurrence_rows, tally_rows)
        return schedules

    def _write_activities(
        self, activity_rows: list[Any], organiser_rows: list[Any], occurrence_rows: list[Any], tally_rows: list[Any]
    ) -> None:
        from trama.activities.models import Activity, Occurrence, Tally

        activity_columns = (
            "id", "public_id", "created_at", "updated_at", "version", "programme", "title", "kind", "action_line",
            "audience", "description", "place", "venue", "municipality", "is_public", "registration_required",
            "first_start", "duration_minutes", "recurrence", "skip_closures", "status",
        )  # fmt: skip
        self.loader.load(Activity, activity_columns, activity_rows)
        through = Activity.organisers.through
        self.loader.load(
            through,
            ("id", "activity", "organisation"),
            ((pk, *row) for pk, row in zip(self.loader.ids(through, len(organiser_rows)), organiser_rows, strict=True)),
        )
        occurrence_columns = (
            "id", "public_id", "created_at", "updated_at", "activity", "starts_at", "ends_at", "original_start",
            "status", "note",
        )  # fmt: skip
        self.loader.load(Occurrence, occurrence_columns, occurrence_rows, big=True)
        tally_ids = self.loader.ids(Tally, len(tally_rows))
        self.loader.load(
            Tally,
            ("id", "public_id", "created_at", "updated_at", "occurrence", "age_band", "gender", "count"),
            ((pk, *row) for pk, row in zip(tally_ids, tally_rows, strict=True)),
        )

    def _attendance(self, schedules: list[list[list[tuple[int, date, datetime]]]]) -> None:
        """About 70 % of each programme's people attend: each a share of the programme's
        attendances (skewed: a few come often), spread over one to four activities, never twice at
        the same occurrence. The rows carry what `services.attendance_set` writes (the public ids
        drawn by PostgreSQL, see `Loader.load`)."""
        from trama.activities.models import Attendance

        ids = self.loader.ids(Attendance, self.sizes.attendances)
        births, base = self.births, self.person_base

        def rows() -> Iterator[tuple[Any, ...]]:
            pks = iter(ids)
            for programme, person, chosen in self._attendees(schedules):
                birth = births[person - base]
                for occurrence, day, start in chosen:
                    age = age_on(birth, day)
                    yield (next(pks), start, start, occurrence, person, programme.pk, day, band_of(age), age < 18)

        columns = (
            "id", "created_at", "updated_at", "occurrence", "person", "programme", "date", "age_band", "is_minor",
        )  # fmt: skip
        self.loader.load(Attendance, columns, rows(), big=True, uuids=self.public_ids)

    def _attendees(
        self, schedules: list[list[list[tuple[int, date, datetime]]]]
    ) -> Iterator[tuple[ProgrammeData, int, list[tuple[int, date, datetime]]]]:
        """(programme, person, the occurrences they attended), programme after programme."""
        rng = self.rng
        quotas = split(self.sizes.attendances, len(self.programmes))
        randbelow, sample = rng.randrange, rng.sample
        for programme, activities, quota in zip(self.programmes, schedules, quotas, strict=True):
            people = [pk for pk in programme.people if rng.random() < 0.7] or [programme.people.start]
            capacity = sum(len(occurrences) for occurrences in activities)
            weights = [rng.paretovariate(2.5) for _ in people]
            total = sum(weights)
            counts = [max(1, round(w * quota / total)) for w in weights]
            _fit(counts, quota, rng, ceiling=capacity)
            for person, count in zip(people, counts, strict=True):
                if count == 0:
                    continue
                # Activities in random order until the pool is large enough: drawn one at a time
                # (most people need one or two of the programme's hundreds), not a shuffle of all.
                pool: list[tuple[int, date, datetime]] = []
                chosen: set[int] = set()
                while len(chosen) < len(activities):
                    activity = randbelow(len(activities))
                    if activity in chosen:
                        continue
                    chosen.add(activity)
                    pool.extend(activities[activity])
                    if len(pool) >= count * 2 or (len(chosen) >= 4 and len(pool) >= count):
                        break
                yield programme, person, sample(pool, count)

    # --- Cases ------------------------------------------------------------------------------------

    def _cases(self) -> None:
        """One household in ten has a case (with its request for help, team and phase history)."""
        from trama.casework.models import Case, CasePhaseChange, CaseTeamMember, IntakeRequest

        rng = self.rng
        channels = (("school", 25), ("social_services", 30), ("lab", 15), ("partner", 12), ("public_form", 10),
                    ("self", 6), ("other", 2))  # fmt: skip
        phases = (("A", 12), ("B", 15), ("C", 18), ("D", 30), ("E", 25))
        households = [h for h in range(len(self.household_members)) if rng.random() < 0.1] or [0]
        case_ids = self.loader.ids(Case, len(households))
        intake_ids = self.loader.ids(IntakeRequest, len(households))
        case_rows, intake_rows, team_rows, change_rows = [], [], [], []
        for pk, intake, household in zip(case_ids, intake_ids, households, strict=True):
            programme = self.programmes[self.household_programme[household]]
            organisation = rng.choice(list(programme.operators))
            channel = weighted(rng, channels)
            phase = weighted(rng, phases)
            if pk == case_ids.start:
                phase = "E"  # one closed case at least (tiny datasets test every table)
            opened = day_between(rng, DATA_START, DATA_END - timedelta(days=60))
            closed = day_between(rng, opened + timedelta(days=30), DATA_END) if phase == "E" else None
            outcome = weighted(rng, (("reached", 45), ("partly", 35), ("not_reached", 8), ("moved", 7),
                                     ("withdrew", 5))) if closed else ""  # fmt: skip
            note = self.encrypt("Valutazione finale sintetica.") if closed else ""
            line = programme.lines[0] if rng.random() < 0.8 else programme.lines[1]
            household_pk = self.household_base + household
            case_rows.append(
                (
                    pk, new_uuid(rng), moment(opened), moment(closed or opened), 1, programme.pk, household_pk,
                    organisation, line, channel, phase, "closed" if closed else "open", opened, closed, outcome, note,
                )
            )  # fmt: skip
            members = self.household_members[household]
            submitted = opened - timedelta(days=rng.randint(1, 20))
            intake_rows.append(
                (
                    intake, new_uuid(rng), moment(submitted), moment(opened), programme.pk, channel,
                    f"Contatto {members[0]}", "", "", self.household_town[household],
                    any(age_on(self.births[m - self.person_base], submitted) < 18 for m in members),
                    self.encrypt("Richiesta di aiuto sintetica."), moment(submitted, 9), "case_opened", "", pk,
                )
            )  # fmt: skip
            team_rows.append((pk, programme.operators[organisation], organisation, True))
            order = "ABCDE"
            previous = ""
            day = opened
            for step in order[: order.index(phase) + 1]:
                status = "closed" if closed and step == "E" else "open"
                when = moment(day, 11)
                change_rows.append((when, pk, previous, step, "" if not previous else "open", status))
                previous = step
                day = min(DATA_END, day + timedelta(days=rng.randint(10, 60)))
            self.case_rows.append((pk, household, self.household_programme[household], organisation, phase, opened,
                                   closed))  # fmt: skip
        case_columns = (
            "id", "public_id", "created_at", "updated_at", "version", "programme", "household", "organisation",
            "action_line", "referral_source", "phase", "status", "opened_on", "closed_on", "outcome", "closing_note",
        )  # fmt: skip
        self.loader.load(Case, case_columns, case_rows)
        intake_columns = (
            "id", "public_id", "created_at", "updated_at", "programme", "channel", "contact_name", "contact_phone",
            "contact_email", "municipality", "has_minors", "message", "consent_at", "status", "closed_reason", "case",
        )  # fmt: skip
        self.loader.load(IntakeRequest, intake_columns, intake_rows)
        team_ids = self.loader.ids(CaseTeamMember, len(team_rows))
        self.loader.load(
            CaseTeamMember,
            ("id", "public_id", "created_at", "updated_at", "case", "user", "organisation", "is_lead"),
            (
                (pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), *row)
                for pk, row in zip(team_ids, team_rows, strict=True)
            ),
        )
        change_ids = self.loader.ids(CasePhaseChange, len(change_rows))
        self.loader.load(
            CasePhaseChange,
            ("id", "public_id", "created_at", "updated_at", "case", "from_phase", "to_phase", "from_status",
             "to_status", "note"),
            (
                (pk, new_uuid(rng), when, when, case, previous, step, from_status, to_status, "")
                for pk, (when, case, previous, step, from_status, to_status) in zip(change_ids, change_rows,
                                                                                     strict=True)
            ),
        )  # fmt: skip

    def _assessments(self) -> None:
        """Cases past phase A have a needs assessment; from phase D on, a second one, a little
        better on average (the change the programme wants to show)."""
        from trama.casework.models import Assessment, AssessmentScore

        rng = self.rng
        dimensions = Assessment.Dimension.values
        assessment_rows, score_rows = [], []
        for case, _household, index, organisation, phase, opened, closed in self.case_rows:
            if phase == "A":
                continue
            programme = self.programmes[index]
            first = [rng.randint(1, 4) for _ in dimensions]
            visits = [(min(closed or DATA_END, opened + timedelta(days=rng.randint(7, 30))), first)]
            if phase in ("D", "E"):
                later = min(closed or DATA_END, opened + timedelta(days=rng.randint(120, 300)))
                visits.append((later, [min(5, score + rng.choice((0, 0, 1, 1, 2))) for score in first]))
            for day, scores in visits:
                assessment_rows.append(
                    (case, day, programme.operators[organisation], self.encrypt("Valutazione sintetica."))
                )
                score_rows.append(scores)
        ids = self.loader.ids(Assessment, len(assessment_rows))
        self.loader.load(
            Assessment,
            ("id", "public_id", "created_at", "updated_at", "case", "assessed_on", "assessed_by", "note"),
            (
                (pk, new_uuid(rng), moment(row[1]), moment(row[1]), *row)
                for pk, row in zip(ids, assessment_rows, strict=True)
            ),
        )
        score_ids = iter(self.loader.ids(AssessmentScore, len(score_rows) * len(dimensions)))

        def scores() -> Iterator[tuple[Any, ...]]:
            for assessment, row, values in zip(ids, assessment_rows, score_rows, strict=True):
                for dimension, value in zip(dimensions, values, strict=True):
                    yield (next(score_ids), moment(row[1]), moment(row[1]), assessment, dimension, value, "")

        self.loader.load(
            AssessmentScore,
            ("id", "created_at", "updated_at", "assessment", "dimension", "score", "note"),
            scores(),
            big=True,
            uuids=self.public_ids,
        )

    def _pathways(self) -> None:
        """Cases from phase C on take part in one or two pathways (individual, or a group one)."""
        from trama.casework.models import Pathway, PathwayParticipation

        rng = self.rng
        kinds = Pathway.Kind.values
        pathway_rows, participation_rows = [], []
        group_pathways: dict[int, list[int]] = {}
        ids = iter(self.loader.ids(Pathway, len(self.case_rows) + 10 * len(self.programmes)))
        for index, programme in enumerate(self.programmes):
            group_pathways[index] = []
            for j in range(10):
                pk = next(ids)
                start = day_between(rng, DATA_START, DATA_START + timedelta(days=360))
                pathway_rows.append((pk, programme.pk, kinds[j % len(kinds)], f"Percorso di gruppo {j + 1}", True,
                                     programme.organisations[1 + j % 7], programme.places[j % 8], start, None,
                                     "active"))  # fmt: skip
                group_pathways[index].append(pk)
        for case, _household, index, organisation, phase, opened, closed in self.case_rows:
            if phase in ("A", "B"):
                continue
            programme = self.programmes[index]
            start = min(closed or DATA_END, opened + timedelta(days=rng.randint(20, 60)))
            joined = []
            if rng.random() < 0.7:
                pk = next(ids)
                status = "completed" if closed else "active"
                pathway_rows.append((pk, programme.pk, rng.choice(kinds), "Percorso individuale", False, organisation,
                                     None, start, closed, status))  # fmt: skip
                joined.append(pk)
            if rng.random() < 0.5 or not joined:
                joined.append(rng.choice(group_pathways[index]))
            for pathway in joined:
                participation_rows.append((pathway, case, start, closed))
        columns = (
            "id", "public_id", "created_at", "updated_at", "version", "programme", "kind", "title", "is_group",
            "organisation", "place", "start_date", "end_date", "status",
        )  # fmt: skip
        self.loader.load(
            Pathway,
            columns,
            ((row[0], new_uuid(rng), moment(row[7]), moment(row[7]), 1, *row[1:]) for row in pathway_rows),
        )
        index_of = {programme.pk: index for index, programme in enumerate(self.programmes)}
        self.pathway_rows = [(row[0], index_of[row[1]], row[4], row[5], row[6], row[7], row[8]) for row in pathway_rows]
        self.participation_rows = participation_rows
        participation_ids = self.loader.ids(PathwayParticipation, len(participation_rows))
        self.loader.load(
            PathwayParticipation,
            ("id", "public_id", "created_at", "updated_at", "pathway", "case", "joined_on", "left_on"),
            (
                (pk, new_uuid(rng), moment(row[2]), moment(row[2]), *row)
                for pk, row in zip(participation_ids, participation_rows, strict=True)
            ),
        )

    def _referrals(self) -> None:
        """Four cases in ten refer a member to a place, a group, a partner or an outside service."""
        from trama.casework.models import Referral

        rng = self.rng
        rows = []
        for position, (case, household, index, organisation, _phase, opened, closed) in enumerate(self.case_rows):
            if rng.random() >= 0.4 and (position or rows):
                continue
            programme = self.programmes[index]
            kind = weighted(rng, (("place", 40), ("group", 20), ("organisation", 30), ("external", 10)))
            place = rng.choice(programme.places) if kind == "place" else None
            group = rng.choice(programme.groups) if kind == "group" else None
            partner = rng.choice([o for o in programme.operators if o != organisation] or [organisation])
            target = partner if kind == "organisation" else None
            status = weighted(rng, (("pending", 15), ("accepted", 35), ("completed", 35), ("rejected", 10),
                                    ("revoked", 5)))  # fmt: skip
            day = day_between(rng, opened, closed or DATA_END)
            person = rng.choice(self.household_members[household])
            rows.append(
                (
                    moment(day, 12), programme.pk, case, person, organisation, kind, place, group, target,
                    "Servizio sociale territoriale" if kind == "external" else "", "Accompagnamento",
                    self.encrypt("Motivo sintetico."), status,
                    "Non disponibile" if status in ("rejected", "revoked") else "",
                    programme.operators[organisation], "",
                )
            )  # fmt: skip
        ids = self.loader.ids(Referral, len(rows))
        columns = (
            "id", "public_id", "created_at", "updated_at", "version", "programme", "case", "person",
            "from_organisation", "target_kind", "target_place", "target_group", "target_organisation",
            "external_service", "service", "reason", "status", "status_reason", "created_by", "consent_override",
        )  # fmt: skip
        self.loader.load(
            Referral,
            columns,
            ((pk, new_uuid(rng), row[0], row[0], 1, *row[1:]) for pk, row in zip(ids, rows, strict=True)),
        )
        self._referral_transitions(ids, rows)

    def _referral_transitions(self, ids: range, rows: list[tuple[Any, ...]]) -> None:
        """The state machine's trail, as `services` writes it: created pending, then each step to
        the referral's status (accepted before completed), a few days apart."""
        from trama.casework.models import ReferralTransition

        rng = self.rng
        steps = {
            "pending": [], "accepted": ["accepted"], "completed": ["accepted", "completed"], "rejected": ["rejected"],
            "revoked": ["revoked"],
        }  # fmt: skip
        transitions = []
        for referral, row in zip(ids, rows, strict=True):
            when, status, by = row[0], row[12], row[14]
            transitions.append((when, referral, "", "pending", by))
            previous = "pending"
            for step in steps[status]:
                when = min(moment(DATA_END, 12), when + timedelta(days=rng.randint(2, 40)))
                transitions.append((when, referral, previous, step, by))
                previous = step
        transition_ids = self.loader.ids(ReferralTransition, len(transitions))
        self.loader.load(
            ReferralTransition,
            ("id", "public_id", "created_at", "updated_at", "referral", "from_status", "to_status", "by", "reason"),
            (
                (pk, new_uuid(rng), when, when, referral, previous, step, by, "")
                for pk, (when, referral, previous, step, by) in zip(transition_ids, transitions, strict=True)
            ),
        )

    # --- Pacts ------------------------------------------------------------------------------------

    def _pacts(self) -> None:
        """A third of the cases from phase C on sign a pact: a signed version in force, the
        beneficiary, the organisation and a community actor as signatories, budget lines with their
        disbursements, commitments of hours with the hours given back."""
        from trama.pacts.models import (
            BudgetLine,
            Pact,
            PactVersion,
        )

        rng = self.rng
        eligible = [row for row in self.case_rows if row[4] in ("C", "D", "E")]
        # At least one pact whenever a case could have one (tiny datasets test every table).
        chosen = [row for row in eligible if rng.random() < 0.35] or eligible[:1]
        pact_ids = self.loader.ids(Pact, len(chosen))
        version_ids = self.loader.ids(PactVersion, len(chosen))
        pacts, versions, signatories, lines, disbursements, commitments, logs = [], [], [], [], [], [], []
        purposes = BudgetLine.Purpose.values
        for pk, version, (case, household, index, organisation, _phase, opened, closed) in zip(
            pact_ids, version_ids, chosen, strict=True
        ):
            programme = self.programmes[index]
            person = self.household_members[household][0]
            started = min(DATA_END - timedelta(days=30), opened + timedelta(days=rng.randint(30, 90)))
            ends = started + timedelta(days=rng.choice((180, 270, 365)))
            is_closed = closed is not None and closed > started
            status = "closed" if is_closed else weighted(rng, (("active", 80), ("in_review", 20)))
            outcome = weighted(rng, (("completed", 80), ("interrupted", 20))) if is_closed else ""
            pacts.append(
                (
                    pk, new_uuid(rng), moment(started), moment(closed if is_closed else started), 1, programme.pk,
                    case, person, "person", status, outcome, "Interrotto" if outcome == "interrupted" else "",
                    closed if is_closed else None, started, 3, None if is_closed else started + timedelta(days=90),
                    programme.operators[organisation],
                )
            )  # fmt: skip
            versions.append((version, new_uuid(rng), moment(started), moment(started), pk, 1, "signed",
                             "Obiettivi sintetici del patto.", started, ends, "", {}, started, ""))  # fmt: skip
            signatories.append((pk, "beneficiary", person, None, None, None))
            signatories.append((pk, "organisation", None, organisation, None, None))
            place = rng.choice(programme.places)
            group = rng.choice(programme.groups)
            if rng.random() < 0.6:
                signatories.append((pk, "place", None, None, place, None))
            else:
                signatories.append((pk, "group", None, None, None, group))
            for _ in range(rng.randint(1, 3)):
                amount = Decimal(rng.randrange(200, 3000, 50))
                source = weighted(rng, (("foundation", 60), ("municipality", 25), ("fundraising", 15)))
                funder = (
                    None if source == "fundraising" else programme.organisations[0 if source == "municipality" else 1]
                )
                lines.append((pk, rng.choice(purposes), source, funder, amount))
                spent = Decimal(0)
                for _ in range(rng.randint(1, 3)):
                    part = (amount / 4).quantize(Decimal("0.01"))
                    if spent + part > amount:
                        break
                    spent += part
                    due = day_between(rng, started, min(ends, DATA_END))
                    state = weighted(rng, (("paid", 70), ("approved", 20), ("requested", 10)))
                    disbursements.append((pk, len(lines) - 1, part, due, state))
            for _ in range(rng.randint(1, 2)):
                hours = Decimal(rng.choice((10, 20, 30, 40)))
                at_place = rng.random() < 0.6
                commitments.append((pk, place if at_place else None, None if at_place else group, hours))
                for _ in range(rng.randint(1, 6)):
                    day = day_between(rng, started, min(ends, DATA_END))
                    state = weighted(rng, (("confirmed", 80), ("pending", 15), ("rejected", 5)))
                    logs.append((len(commitments) - 1, day, Decimal(rng.choice((1, 2, 3, 4))), state,
                                 programme.coordinator))  # fmt: skip
        self._write_pacts(
            pacts=pacts, versions=versions, signatories=signatories, lines=lines, disbursements=disbursements,
            commitments=commitments, logs=logs, pact_ids=pact_ids,
        )  # fmt: skip

    def _write_pacts(self, **rows: Any) -> None:
        from trama.pacts.models import (
            BudgetLine,
            Commitment,
            ContributionLog,
            Disbursement,
            Pact,
            PactVersion,
            Signatory,
        )

        rng = self.rng
        pacts, versions, signatories = rows["pacts"], rows["versions"], rows["signatories"]
        lines, disbursements = rows["lines"], rows["disbursements"]
        commitments, logs = rows["commitments"], rows["logs"]
        pact_ids = rows["pact_ids"]
        pact_columns = (
            "id", "public_id", "created_at", "updated_at", "version", "programme", "case", "person", "scope",
            "status", "outcome", "closing_reason", "closed_on", "started_on", "review_interval_months",
            "next_review_on", "created_by",
        )  # fmt: skip
        self.loader.load(Pact, pact_columns, pacts)
        version_columns = (
            "id", "public_id", "created_at", "updated_at", "pact", "number", "status", "objectives", "start_date",
            "end_date", "change_note", "terms", "signed_on", "signed_scan",
        )  # fmt: skip
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            versions = [(*row[:11], Jsonb(row[11]), *row[12:]) for row in versions]
        else:
            versions = [(*row[:11], "{}", *row[12:]) for row in versions]
        self.loader.load(PactVersion, version_columns, versions)
        Pact.objects.filter(pk__in=pact_ids).update(
            latest_version=models.Subquery(PactVersion.objects.filter(pact=models.OuterRef("pk")).values("pk")[:1]),
            version_in_force=models.Subquery(PactVersion.objects.filter(pact=models.OuterRef("pk")).values("pk")[:1]),
        )
        signatory_ids = self.loader.ids(Signatory, len(signatories))
        self.loader.load(
            Signatory,
            ("id", "public_id", "created_at", "updated_at", "pact", "kind", "person", "organisation", "place", "group",
             "signer_name", "role_in_pact"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), *row, "", "")
             for pk, row in zip(signatory_ids, signatories, strict=True)),
        )  # fmt: skip
        line_ids = self.loader.ids(BudgetLine, len(lines))
        self.loader.load(
            BudgetLine,
            ("id", "public_id", "created_at", "updated_at", "version", "pact", "purpose", "description", "source",
             "funder", "amount", "signed_amount"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), 1, pact, purpose, "", source, funder, amount,
              amount) for pk, (pact, purpose, source, funder, amount) in zip(line_ids, lines, strict=True)),
        )  # fmt: skip
        disbursement_ids = self.loader.ids(Disbursement, len(disbursements))
        self.loader.load(
            Disbursement,
            ("id", "public_id", "created_at", "updated_at", "pact", "budget_line", "amount", "payee", "description",
             "due_on", "status", "decided_at", "refusal_reason", "paid_on", "receipt"),
            ((pk, new_uuid(rng), moment(due), moment(due), pact, line_ids[line], amount, "Fornitore", "Spesa del patto",
              due, state, moment(due, 12) if state != "requested" else None, "", due if state == "paid" else None, "")
             for pk, (pact, line, amount, due, state) in zip(disbursement_ids, disbursements, strict=True)),
        )  # fmt: skip
        commitment_ids = self.loader.ids(Commitment, len(commitments))
        self.loader.load(
            Commitment,
            ("id", "public_id", "created_at", "updated_at", "version", "pact", "description", "place", "group",
             "hours", "signed_hours"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), 1, pact, "Ore restituite alla comunità",
              place, group, hours, hours)
             for pk, (pact, place, group, hours) in zip(commitment_ids, commitments, strict=True)),
        )  # fmt: skip
        log_ids = self.loader.ids(ContributionLog, len(logs))
        self.loader.load(
            ContributionLog,
            ("id", "public_id", "created_at", "updated_at", "commitment", "date", "hours", "note", "status",
             "confirmed_by", "confirmed_at", "confirmed_for", "rejection_reason", "from_time_bank"),
            ((pk, new_uuid(rng), moment(day), moment(day), commitment_ids[commitment], day, hours, "", state,
              by if state == "confirmed" else None, moment(day, 18) if state == "confirmed" else None, "",
              "Non svolte" if state == "rejected" else "", False)
             for pk, (commitment, day, hours, state, by) in zip(log_ids, logs, strict=True)),
        )  # fmt: skip

    # --- Volunteers and groups --------------------------------------------------------------------

    def _volunteers(self) -> None:
        """One person in a hundred volunteers (some of them members of households with a case, who
        later volunteered), with hours logged and mostly confirmed."""
        from trama.mutualaid.models import HourLog, Volunteer

        rng = self.rng
        case_people = {member for row in self.case_rows for member in self.household_members[row[1]][:2]}
        rows, logs = [], []
        for index, programme in enumerate(self.programmes):
            count = max(1, len(programme.people) // 100)
            adults = [
                pk for pk in rng.sample(programme.people, min(len(programme.people), count * 3))
                if age_on(self.births[pk - self.person_base], DATA_START) >= 16
            ][:count]  # fmt: skip
            for position, person in enumerate(adults):
                applied = day_between(rng, DATA_START, DATA_END - timedelta(days=30))
                if person in case_people and rng.random() < 0.5:
                    applied = day_between(rng, DATA_START + timedelta(days=120), DATA_END - timedelta(days=30))
                status = weighted(rng, (("approved", 85), ("applied", 10), ("rejected", 5))) if position else "approved"
                approved = applied + timedelta(days=rng.randint(3, 20)) if status == "approved" else None
                place_index = rng.randrange(len(programme.places))
                rows.append((index, programme.pk, person, status, applied, approved,
                             programme.place_managers[place_index], programme.places[place_index]))  # fmt: skip
        ids = self.loader.ids(Volunteer, len(rows))
        self.volunteer_rows = [(pk, row[0], row[2], row[5]) for pk, row in zip(ids, rows, strict=True)]
        for pk, (index, _programme, _person, status, _applied, approved, _o, _p) in zip(ids, rows, strict=True):
            if status != "approved" or approved is None:
                continue
            for _ in range(rng.randint(2, 14)):
                day = day_between(rng, approved, DATA_END)
                state = weighted(rng, (("confirmed", 85), ("pending", 10), ("rejected", 5)))
                logs.append((pk, day, Decimal(rng.choice(("1.50", "2.00", "3.00", "4.00"))), state,
                             self.programmes[index].coordinator))  # fmt: skip
        self.loader.load(
            Volunteer,
            ("id", "public_id", "created_at", "updated_at", "version", "programme", "person", "status", "source",
             "skills", "skills_note", "languages", "interests", "applied_on", "approved_on", "decision_note",
             "organisation", "place", "training_note", "insurance_policy"),
            ((pk, new_uuid(rng), moment(applied), moment(approved or applied), 1, programme, person, status,
              "public_form", ",homework,", "", ",it,", ",families,", applied, approved,
              "Non idoneo" if status == "rejected" else "", organisation if status == "approved" else None,
              place if status == "approved" else None, "", "")
             for pk, (_i, programme, person, status, applied, approved, organisation, place) in zip(ids, rows,
                                                                                                    strict=True)),
        )  # fmt: skip
        log_ids = self.loader.ids(HourLog, len(logs))
        self.loader.load(
            HourLog,
            ("id", "public_id", "created_at", "updated_at", "volunteer", "date", "hours", "description", "status",
             "reviewed_by", "reviewed_at"),
            ((pk, new_uuid(rng), moment(day), moment(day), volunteer, day, hours, "Turno al laboratorio", state,
              by if state != "pending" else None, moment(day, 19) if state != "pending" else None)
             for pk, (volunteer, day, hours, state, by) in zip(log_ids, logs, strict=True)),
        )  # fmt: skip

    def _group_members(self) -> None:
        """Each citizen group has 5–30 members, people of its programme (some from case households)."""
        from trama.mutualaid.models import GroupMember

        rng = self.rng
        rows = []
        for programme in self.programmes:
            for group in programme.groups:
                size = min(len(programme.people), rng.randint(5, 30))
                for person in rng.sample(programme.people, size):
                    joined = day_between(rng, DATA_START, DATA_END - timedelta(days=10))
                    left = day_between(rng, joined, DATA_END) if rng.random() < 0.1 else None
                    rows.append((group, person, joined, left))
        ids = self.loader.ids(GroupMember, len(rows))
        self.loader.load(
            GroupMember,
            ("id", "public_id", "created_at", "updated_at", "group", "person", "joined_on", "left_on"),
            ((pk, new_uuid(rng), moment(row[2]), moment(row[2]), *row) for pk, row in zip(ids, rows, strict=True)),
        )

    # --- Pathway sessions, registrations, volunteer shifts, the time bank ---------------------------

    def _case_households(self) -> list[list[tuple[int, int, int, str, date, date | None]]]:
        """Per programme, its cases as (case pk, household index, organisation, phase, opened, closed)."""
        cases: list[list[tuple[int, int, int, str, date, date | None]]] = [[] for _ in self.programmes]
        for case, household, index, organisation, phase, opened, closed in self.case_rows:
            cases[index].append((case, household, organisation, phase, opened, closed))
        return cases

    def _sessions(self) -> None:
        """Sessions of the pathways with who attended: an individual pathway meets every two or three
        weeks (one or two members of the household), a group pathway weekly for ten weeks (one member of
        each household taking part, most of the time). A confidential note on some, encrypted."""
        from trama.casework.models import Session

        rng = self.rng
        household_of = {row[0]: row[1] for row in self.case_rows}
        participants: dict[int, list[int]] = {}
        for pathway, case, _joined, _left in self.participation_rows:
            participants.setdefault(pathway, []).append(household_of[case])
        modalities = (("in_person", 70), ("home_visit", 15), ("phone", 10), ("video", 5))
        sessions, attendees = [], []
        for pathway, index, is_group, organisation, place, start, end in self.pathway_rows:
            households = participants.get(pathway, [])
            if not households:
                continue
            programme = self.programmes[index]
            last = min(end or DATA_END, DATA_END)
            count, step = (10, 7) if is_group else (rng.randint(3, 8), rng.choice((14, 21)))
            hour = rng.choice((9, 10, 11, 15, 16, 17))
            for number in range(count):
                day = start + timedelta(days=number * step)
                if day > last:
                    break
                present = []
                for household in households:
                    members = self.household_members[household]
                    if is_group:
                        if rng.random() < 0.8:
                            present.append(members[0])
                    else:
                        present.extend(members[: rng.randint(1, min(2, len(members)))])
                if not present:
                    continue
                note = self.encrypt("Colloquio sintetico.") if rng.random() < 0.3 else ""
                sessions.append((moment(day, hour), 90 if is_group else 60, place,
                                 "in_person" if is_group else weighted(rng, modalities), note,
                                 programme.operators.get(organisation, programme.coordinator), pathway))  # fmt: skip
                attendees.append(present)
        ids = self.loader.ids(Session, len(sessions))
        self.loader.load(
            Session,
            ("id", "public_id", "created_at", "updated_at", "pathway", "starts_at", "duration_minutes", "place",
             "modality", "note", "recorded_by"),
            ((pk, new_uuid(rng), when, when, pathway, when, minutes, place, modality, note, by)
             for pk, (when, minutes, place, modality, note, by, pathway) in zip(ids, sessions, strict=True)),
        )  # fmt: skip
        through = Session.attendees.through
        pairs = [(session, person) for session, present in zip(ids, attendees, strict=True) for person in present]
        self.loader.load(
            through,
            ("id", "session", "person"),
            ((pk, *pair) for pk, pair in zip(self.loader.ids(through, len(pairs)), pairs, strict=True)),
        )

    def _registrations(self) -> None:
        """Courses take registrations: 8–25 people of the programme each, the last few on the waiting
        list or cancelled; a minor's registration carries a guardian and their consent."""
        from trama.activities.models import Registration

        rng = self.rng
        case_households = {row[1] for row in self.case_rows}
        rows = []
        for index, programme in enumerate(self.programmes):
            for activity, kind, first in self.regular_activities[index]:
                if kind != "course":
                    continue
                size = min(len(programme.people), rng.randint(8, 25))
                for position, person in enumerate(rng.sample(programme.people, size)):
                    registered = first - timedelta(days=rng.randint(3, 30), hours=rng.randint(0, 10))
                    status = "registered"
                    if position >= size - 3:
                        status = weighted(rng, (("registered", 50), ("waiting", 30), ("cancelled", 20)))
                    household_index = self.person_household[person - self.person_base]
                    household = household_index or None
                    if household and household - self.household_base in case_households:
                        source = "case"
                    else:
                        source = weighted(rng, (("public_form", 60), ("contacts", 40)))
                    minor = age_on(self.births[person - self.person_base], registered.date()) < 18
                    rows.append((
                        activity, person, household, status, source, "Genitore sintetico" if minor else "",
                        "+39 000 0000000" if minor else "", registered if minor else None, registered,
                        registered + timedelta(days=2) if status == "cancelled" else None,
                        None if source == "public_form" else programme.coordinator,
                    ))  # fmt: skip
        ids = self.loader.ids(Registration, len(rows))
        self.loader.load(
            Registration,
            ("id", "public_id", "created_at", "updated_at", "activity", "person", "household", "status", "source",
             "guardian_name", "guardian_phone", "guardian_email", "guardian_consent_at", "registered_at",
             "promoted_at", "cancelled_at", "created_by"),
            ((pk, new_uuid(rng), row[8], row[9] or row[8], *row[:7], "", row[7], row[8], None, row[9], row[10])
             for pk, row in zip(ids, rows, strict=True)),
        )  # fmt: skip

    def _shifts(self, schedules: list[list[list[tuple[int, date, datetime]]]]) -> None:
        """Volunteer shifts on about 5 % of the regular activities' dates, each taken by one or two
        volunteers of the programme approved by then: most attended, a few absent or cancelled."""
        from trama.mutualaid.models import ShiftSignup, VolunteerShift

        rng = self.rng
        approved: list[list[tuple[int, date]]] = [[] for _ in self.programmes]
        for pk, index, _person, since in self.volunteer_rows:
            if since is not None:
                approved[index].append((pk, since))
        tasks = ("Aiuto compiti", "Accoglienza", "Supporto al laboratorio", "Allestimento")
        shifts, signups = [], []
        for index, activities in enumerate(schedules):
            coordinator = self.programmes[index].coordinator
            volunteers = approved[index]
            for occurrences in activities:
                for occurrence, day, start in occurrences:
                    if rng.random() >= 0.05:
                        continue
                    eligible = [pk for pk, since in volunteers if since <= day]
                    if not eligible:
                        continue
                    slots = rng.randint(1, 3)
                    shifts.append((occurrence, start, rng.choice(tasks), slots, coordinator))
                    for volunteer in rng.sample(eligible, min(len(eligible), slots)):
                        state = weighted(rng, (("attended", 85), ("absent", 10), ("cancelled", 5)))
                        signed = start - timedelta(days=rng.randint(1, 14))
                        signups.append((len(shifts) - 1, volunteer, state, signed, coordinator))
        shift_ids = self.loader.ids(VolunteerShift, len(shifts))
        self.loader.load(
            VolunteerShift,
            ("id", "public_id", "created_at", "updated_at", "occurrence", "task", "slots", "created_by"),
            ((pk, new_uuid(rng), start - timedelta(days=20), start - timedelta(days=20), occurrence, task, slots, by)
             for pk, (occurrence, start, task, slots, by) in zip(shift_ids, shifts, strict=True)),
        )  # fmt: skip
        signup_ids = self.loader.ids(ShiftSignup, len(signups))
        self.loader.load(
            ShiftSignup,
            ("id", "public_id", "created_at", "updated_at", "shift", "volunteer", "status", "signed_up_at",
             "cancelled_at", "attended", "recorded_by"),
            ((pk, new_uuid(rng), signed, signed, shift_ids[shift], volunteer,
              "cancelled" if state == "cancelled" else "signed_up", signed,
              signed + timedelta(days=1) if state == "cancelled" else None,
              None if state == "cancelled" else state == "attended", None if state == "cancelled" else by)
             for pk, (shift, volunteer, state, signed, by) in zip(signup_ids, signups, strict=True)),
        )  # fmt: skip

    def _time_bank(self) -> None:
        """About 2 % of the people hold a time-bank account, and a fifth of the households with a case;
        accounts exchange help (two ledger entries per exchange, summing to zero) and about a third of
        them (more of the households) belong to one of the programme's two or three micro-networks."""
        from trama.mutualaid.models import Account, Exchange, LedgerEntry, MicroNetwork, MicroNetworkMember
        from trama.mutualaid.models.common import Category

        rng = self.rng
        cases = self._case_households()
        categories = Category.values
        accounts, exchanges, networks, members = [], [], [], []
        account_ids = iter(self.loader.ids(Account, self.sizes.people // 50 + len(self.case_rows) + 2 * len(cases)))
        for index, programme in enumerate(self.programmes):
            own = []
            for person in rng.sample(programme.people, max(2, min(len(programme.people), len(programme.people) // 50))):
                pk = next(account_ids)
                accounts.append((pk, programme.pk, person, None))
                own.append((pk, False))
            for household in sorted({row[1] for row in cases[index]}):
                if rng.random() < 0.2:
                    pk = next(account_ids)
                    accounts.append((pk, programme.pk, None, self.household_base + household))
                    own.append((pk, True))
            for giver, _is_household in own:
                for _ in range(rng.randint(0, 4)):
                    receiver = rng.choice(own)[0]
                    if receiver == giver:
                        continue
                    day = day_between(rng, DATA_START, DATA_END)
                    hours = Decimal(rng.choice(("1.00", "1.50", "2.00", "3.00")))
                    exchanges.append((programme.pk, rng.choice(categories), giver, receiver, hours, day,
                                      programme.coordinator))  # fmt: skip
            first_network = len(networks)
            for j in range(rng.randint(2, 3)):
                networks.append((programme.pk, f"Rete di mutuo aiuto {j + 1}", rng.choice(programme.places)))
            for account, is_household in own:
                if rng.random() < (0.6 if is_household else 0.3):
                    network = rng.randrange(first_network, len(networks))
                    members.append((network, account, day_between(rng, DATA_START, DATA_END - timedelta(days=30))))
        self.loader.load(
            Account,
            ("id", "public_id", "created_at", "updated_at", "programme", "person", "household", "group"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), programme, person, household, None)
             for pk, programme, person, household in accounts),
        )  # fmt: skip
        exchange_ids = self.loader.ids(Exchange, len(exchanges))
        self.loader.load(
            Exchange,
            ("id", "public_id", "created_at", "updated_at", "programme", "match", "category", "giver", "receiver",
             "hours", "occurred_on", "recorded_by"),
            ((pk, new_uuid(rng), moment(row[5], 18), moment(row[5], 18), row[0], None, *row[1:])
             for pk, row in zip(exchange_ids, exchanges, strict=True)),
        )  # fmt: skip
        entry_ids = iter(self.loader.ids(LedgerEntry, 2 * len(exchanges)))
        self.loader.load(
            LedgerEntry,
            ("id", "exchange", "account", "hours", "occurred_on"),
            (entry
             for pk, (_p, _c, giver, receiver, hours, day, _by) in zip(exchange_ids, exchanges, strict=True)
             for entry in ((next(entry_ids), pk, giver, hours, day), (next(entry_ids), pk, receiver, -hours, day))),
        )  # fmt: skip
        network_ids = self.loader.ids(MicroNetwork, len(networks))
        self.loader.load(
            MicroNetwork,
            ("id", "public_id", "created_at", "updated_at", "programme", "name", "description", "place"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), programme, name,
              "Famiglie e vicini che si scambiano aiuto.", place)
             for pk, (programme, name, place) in zip(network_ids, networks, strict=True)),
        )  # fmt: skip
        member_ids = self.loader.ids(MicroNetworkMember, len(members))
        self.loader.load(
            MicroNetworkMember,
            ("id", "public_id", "created_at", "updated_at", "network", "account", "joined_on"),
            ((pk, new_uuid(rng), moment(day), moment(day), network_ids[network], account, day)
             for pk, (network, account, day) in zip(member_ids, members, strict=True)),
        )  # fmt: skip

    # --- Work and housing plans -------------------------------------------------------------------

    def _work(self) -> None:
        """The work plan: five companies per programme offering openings; an adult of about three in ten
        households with a case (from phase B on) is a job seeker, proposed for one to three openings:
        some interviewed, some in an internship (a few interrupted), about a third hired."""
        from trama.network.models import Organisation
        from trama.work.models import JobSeeker, Opening, Sector, Skill, pack_codes

        rng = self.rng
        cases = self._case_households()
        skills, sectors = Skill.values, Sector.values
        company_ids = self.loader.ids(Organisation, 5 * len(self.programmes))
        companies = []
        for index, programme in enumerate(self.programmes):
            for j in range(5):
                name = f"{ORGANISATION_PREFIX}{self.seed}-{index + 1:02d}-azienda-{j + 1}"
                companies.append((company_ids[index * 5 + j], name, rng.choice(programme.towns)))
        self.loader.load(
            Organisation,
            ("id", "public_id", "created_at", "updated_at", "name", "kind", "tax_code", "vat_number", "runts_number",
             "description", "email", "phone", "website", "address", "municipality"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), name, Organisation.Kind.COMPANY, "", "", "",
              "Azienda del territorio", "", "", "", f"{rng.choice(STREETS)} {rng.randint(1, 200)}", town)
             for pk, name, town in companies),
        )  # fmt: skip
        seekers, openings, placements = [], [], []
        seeker_ids = iter(self.loader.ids(JobSeeker, len(self.case_rows)))
        opening_ids = iter(self.loader.ids(Opening, len(self.case_rows) + len(self.programmes)))
        for index, programme in enumerate(self.programmes):
            mine = []
            for case, household, organisation, phase, opened, _closed in cases[index]:
                if phase == "A" or rng.random() >= 0.3:
                    continue
                adults = [m for m in self.household_members[household]
                          if age_on(self.births[m - self.person_base], opened) >= 18]  # fmt: skip
                if not adults:
                    continue
                started = min(DATA_END - timedelta(days=60), opened + timedelta(days=rng.randint(7, 60)))
                mine.append([next(seeker_ids), adults[0], case, self.household_town[household], started, "active",
                             programme.operators[organisation]])  # fmt: skip
            if not mine:
                continue
            own_openings = []
            for _ in range(max(2, len(mine) // 3)):
                pk = next(opening_ids)
                company = companies[index * 5 + rng.randrange(5)]
                codes = rng.sample(skills, rng.randint(1, 3))
                contract = weighted(rng, (("internship", 40), ("fixed_term", 45), ("permanent", 15)))
                status = weighted(rng, (("open", 50), ("filled", 35), ("closed", 15)))
                starts = day_between(rng, DATA_START, DATA_END - timedelta(days=30))
                openings.append((pk, programme.pk, company[0], company[1][len(ORGANISATION_PREFIX):],
                                 "Addetto/a " + codes[0].replace("_", " "), rng.choice(sectors), pack_codes(codes),
                                 len(codes), contract, rng.choice((20, 25, 30, 36, 40)), company[2], starts,
                                 rng.randint(1, 3), status, programme.coordinator))  # fmt: skip
                own_openings.append((pk, contract))
            for position, seeker in enumerate(mine):
                for opening, contract in rng.sample(own_openings, min(len(own_openings), rng.randint(1, 3))):
                    # The programme's first job seeker is hired (tiny datasets test every table).
                    hire = position == 0 and seeker[5] != "placed"
                    placements.append((*self._placement(seeker, opening, contract, hire=hire), programme.pk))
            for seeker in mine:
                if seeker[5] == "active":
                    seeker[5] = weighted(rng, (("active", 70), ("paused", 15), ("closed", 15)))
            seekers.extend((*row, programme.pk) for row in mine)
        self._write_work(seekers, openings, placements)

    def _placement(self, seeker: list[Any], opening: int, contract: str, *, hire: bool = False) -> tuple[Any, ...]:
        """One proposal of `seeker` for `opening` and how it went, with the pipeline's trail (a job
        seeker is hired once at most: they are then "placed")."""
        rng = self.rng
        started, by = seeker[4], seeker[6]
        proposed = min(DATA_END, started + timedelta(days=rng.randint(0, 90)))
        outcome = "hired" if hire else weighted(rng, (("proposed", 12), ("interview", 13), ("internship", 20),
                                                      ("hired", 33), ("not_selected", 22)))  # fmt: skip
        if outcome == "hired" and seeker[5] == "placed":
            outcome = "not_selected"
        trail = [("", "proposed", proposed)]
        interview = start = end = hired = None
        interrupted = False
        if outcome != "proposed":
            interview = min(DATA_END, proposed + timedelta(days=rng.randint(7, 20)))
            trail.append(("proposed", "interview", interview))
        through_internship = outcome == "internship" or (
            outcome == "hired" and (contract == "internship" or rng.random() < 0.4)
        )
        if through_internship and interview is not None:
            start = min(DATA_END, interview + timedelta(days=rng.randint(7, 30)))
            end = min(DATA_END, start + timedelta(days=rng.choice((90, 120, 180))))
            interrupted = outcome == "internship" and rng.random() < 0.1
            trail.append(("interview", "internship", start))
        if outcome == "hired" and interview is not None:
            hired = end if end is not None else min(DATA_END, interview + timedelta(days=rng.randint(7, 30)))
            trail.append((trail[-1][1], "hired", hired))
            seeker[5] = "placed"
        if outcome == "not_selected":
            trail.append((trail[-1][1], "not_selected", trail[-1][2]))
        return seeker[0], opening, outcome, proposed, interview, start, end, interrupted, hired, by, trail

    def _write_work(self, seekers: list[Any], openings: list[Any], placements: list[Any]) -> None:
        from trama.work.models import (
            Education,
            JobSeeker,
            Opening,
            Placement,
            PlacementTransition,
            Sector,
            Skill,
            pack_codes,
        )

        rng = self.rng
        skills, sectors = Skill.values, Sector.values
        self.loader.load(
            JobSeeker,
            ("id", "public_id", "created_at", "updated_at", "version", "programme", "person", "case", "municipality",
             "status", "started_on", "skills", "education", "qualifications", "experience", "languages",
             "driving_licence", "has_car", "hours", "shifts", "constraints", "desired_sectors", "max_distance_km",
             "cv", "created_by"),
            ((pk, new_uuid(rng), moment(started), moment(started), 1, programme, person, case, town, status, started,
              pack_codes(rng.sample(skills, rng.randint(1, 4))), rng.choice(Education.values), "", "", ",it,",
              rng.random() < 0.5, rng.random() < 0.3, rng.choice(("full_time", "part_time", "any")), ",morning,",
              "", pack_codes(rng.sample(sectors, 2)), rng.choice((10, 20, 30)), "", by)
             for pk, person, case, town, started, status, by, programme in seekers),
        )  # fmt: skip
        self.loader.load(
            Opening,
            ("id", "public_id", "created_at", "updated_at", "version", "programme", "company", "company_name", "title",
             "sector", "description", "skills", "skill_count", "contract", "hours_per_week", "shifts", "municipality",
             "workplace", "starts_on", "positions", "driving_licence_required", "language", "status", "source",
             "contact_name", "contact_email", "contact_phone", "created_by"),
            ((pk, new_uuid(rng), moment(starts), moment(starts), 1, programme, company, name, title, sector, "",
              codes, count, contract, hours, "", town, "", starts, positions, False, "", status, "staff", "", "", "",
              by)
             for pk, programme, company, name, title, sector, codes, count, contract, hours, town, starts, positions,
             status, by in openings),
        )  # fmt: skip
        placement_ids = self.loader.ids(Placement, len(placements))
        self.loader.load(
            Placement,
            ("id", "public_id", "created_at", "updated_at", "version", "programme", "opening", "job_seeker", "status",
             "proposed_on", "match_score", "interview_on", "internship_start", "internship_end",
             "internship_interrupted", "grant_amount", "grant_months", "grant_source", "hired_on", "hiring_contract",
             "incentive_amount", "incentive_source", "closed_reason", "proposed_by"),
            ((pk, new_uuid(rng), moment(proposed), moment(trail[-1][2]), 1, programme, opening, seeker, outcome,
              proposed, Decimal(rng.randint(4000, 9800)) / 10000, interview, start, end, interrupted,
              Decimal(500) if start else None, 3 if start else None, None, hired,
              rng.choice(("fixed_term", "permanent")) if hired else "",
              Decimal(rng.randrange(1000, 4000, 500)) if hired and rng.random() < 0.3 else None, None,
              "Non selezionato dall'azienda" if outcome == "not_selected" else "", by)
             for pk, (seeker, opening, outcome, proposed, interview, start, end, interrupted, hired, by, trail,
                      programme) in zip(placement_ids, placements, strict=True)),
        )  # fmt: skip
        transitions = [
            (pk, previous, step, day, row[9])
            for pk, row in zip(placement_ids, placements, strict=True)
            for previous, step, day in row[10]
        ]
        transition_ids = self.loader.ids(PlacementTransition, len(transitions))
        self.loader.load(
            PlacementTransition,
            ("id", "public_id", "created_at", "updated_at", "placement", "from_status", "to_status", "on", "by"),
            ((pk, new_uuid(rng), moment(day, 12), moment(day, 12), placement, previous, step, day, by)
             for pk, (placement, previous, step, day, by) in zip(transition_ids, transitions, strict=True)),
        )  # fmt: skip

    def _housing(self) -> None:
        """The housing plan: dwellings offered by owners and organisations; four in ten households with a
        case (from phase B on) look for a home and about half of them are housed, some with a rent
        guarantee from the programme's fund (a few drawn on); two or three solidarity co-housings; three
        buildings with a social caretaker team and a logbook (visits most weeks, encrypted)."""
        from trama.housing.models import Building, Dwelling, Guarantee, GuaranteeFund, HousingSearch, Tenancy

        rng = self.rng
        cases = self._case_households()
        rows: dict[str, list[Any]] = {
            name: [] for name in ("dwellings", "searches", "tenancies", "guarantees", "draws", "cohousings",
                                  "cohousing_members", "funds", "deposits", "buildings", "caretakers", "entries")
        }  # fmt: skip
        ids = {
            "dwellings": iter(self.loader.ids(Dwelling, len(self.case_rows) + 6 * len(self.programmes))),
            "searches": iter(self.loader.ids(HousingSearch, len(self.case_rows))),
            "tenancies": iter(self.loader.ids(Tenancy, len(self.case_rows))),
            "guarantees": iter(self.loader.ids(Guarantee, len(self.case_rows))),
            "buildings": iter(self.loader.ids(Building, 3 * len(self.programmes))),
        }
        fund_ids = self.loader.ids(GuaranteeFund, len(self.programmes))
        for index, programme in enumerate(self.programmes):
            fund = fund_ids[index]
            rows["funds"].append((fund, programme.pk))
            for _ in range(rng.randint(2, 3)):
                received = day_between(rng, DATA_START, DATA_START + timedelta(days=200))
                amount = Decimal(rng.randrange(20_000, 50_000, 1000))
                rows["deposits"].append((fund, amount, received, programme.coordinator))
            looking = [row for row in cases[index] if row[3] != "A" and rng.random() < 0.4]
            free = []
            for _ in range(max(3, len(looking) * 3 // 4) + 3):
                pk = next(ids["dwellings"])
                private = rng.random() < 0.6
                rooms = rng.randint(1, 5)
                rent = Decimal(rng.randrange(300, 950, 10))
                rows["dwellings"].append([pk, programme.pk, "private" if private else "organisation",
                                          None if private else rng.choice(programme.organisations[1:]),
                                          f"Proprietario {pk}" if private else "",
                                          f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
                                          rng.choice(programme.towns), rooms, rooms * 22 + rng.randint(10, 30), rent,
                                          rng.random() < 0.4, rng.random() < 0.2,
                                          day_between(rng, DATA_START, DATA_END - timedelta(days=90)), "available",
                                          programme.coordinator])  # fmt: skip
                free.append(rows["dwellings"][-1])
            for position, row in enumerate(looking):
                # The first household looking is housed with a guarantee (tiny datasets test every table).
                self._housing_search(programme, fund, row, free, ids=ids, rows=rows, first=position == 0)
            households = list(programme.households)
            for j in range(rng.randint(2, 3)):
                if not free:
                    break
                dwelling = free.pop()
                starts = day_between(rng, DATA_START, DATA_END - timedelta(days=120))
                ends = starts + timedelta(days=365) if rng.random() < 0.3 else None
                rows["cohousings"].append((programme.pk, dwelling[0], f"Coabitazione solidale {j + 1}", starts, ends,
                                           programme.coordinator))  # fmt: skip
                for household in rng.sample(households, min(len(households), rng.randint(2, 3))):
                    rows["cohousing_members"].append((len(rows["cohousings"]) - 1, household, starts))
            self._caretakers(programme, ids, rows)
        self._write_housing(rows)

    def _housing_search(
        self, programme: ProgrammeData, fund: int, case_row: tuple[Any, ...], free: list[list[Any]], *,
        ids: dict[str, Iterator[int]], rows: dict[str, list[Any]], first: bool = False,
    ) -> None:  # fmt: skip
        """A household looking for a home; when housed, its tenancy, perhaps a guarantee and a draw."""
        rng = self.rng
        case, household, organisation, _phase, opened, _closed = case_row
        pk = next(ids["searches"])
        needed = min(DATA_END - timedelta(days=60), opened + timedelta(days=rng.randint(10, 90)))
        by = programme.operators[organisation]
        status = "housed" if first else weighted(rng, (("housed", 50), ("open", 35), ("closed", 15)))
        if status == "housed" and len(free) > 3:
            dwelling = free.pop(rng.randrange(len(free) - 3))
            dwelling[13] = "let"
            starts = min(DATA_END, max(needed, dwelling[12]) + timedelta(days=rng.randint(10, 60)))
            tenancy = next(ids["tenancies"])
            rows["tenancies"].append((tenancy, programme.pk, pk, dwelling[0], starts, dwelling[9], by))
            if rng.random() < 0.6 or first:
                months = rng.choice((6, 12, 18, 24))
                guarantee = next(ids["guarantees"])
                ends = starts + timedelta(days=months * 30)
                rows["guarantees"].append((guarantee, fund, tenancy, dwelling[9] * 3, months, starts, ends,
                                           programme.coordinator))  # fmt: skip
                if rng.random() < 0.35 and starts < DATA_END:
                    rows["draws"].append((guarantee, fund, dwelling[9], day_between(rng, starts, min(ends, DATA_END)),
                                          programme.coordinator))  # fmt: skip
        elif status == "housed":
            status = "open"
        rows["searches"].append((pk, programme.pk, case, self.household_base + household, rng.randint(1, 4),
                                 Decimal(rng.randrange(350, 900, 10)), rng.random() < 0.15, needed, status,
                                 by))  # fmt: skip

    def _caretakers(self, programme: ProgrammeData, ids: dict[str, Iterator[int]], rows: dict[str, list[Any]]) -> None:
        """Three buildings with a caretaker team of two operators and a logbook entry every week or so."""
        rng = self.rng
        team = sorted(programme.operators.items())[:2]
        entries = rows["entries"]
        for j in range(3):
            building = next(ids["buildings"])
            rows["buildings"].append((building, programme.pk, f"Caseggiato {j + 1}", "estate" if j == 2 else "building",
                                      f"{rng.choice(STREETS)} {rng.randint(1, 200)}", rng.choice(programme.towns),
                                      rng.randint(12, 80), programme.coordinator))  # fmt: skip
            for organisation, user in team:
                rows["caretakers"].append((building, user, organisation))
            day = DATA_START + timedelta(days=rng.randint(0, 6))
            issue = None
            while day <= DATA_END:
                kind = weighted(rng, (("visit", 65), ("issue", 15), ("follow_up", 10), ("referral", 10)))
                if kind == "follow_up" and issue is None:
                    kind = "visit"
                entries.append((building, kind, day, issue if kind == "follow_up" else None,
                                rng.choice(programme.organisations) if kind == "referral" else None,
                                team[0][1] if team else programme.coordinator))  # fmt: skip
                if kind == "issue":
                    issue = len(entries) - 1
                day += timedelta(days=rng.randint(5, 10))

    def _write_housing(self, rows: dict[str, list[Any]]) -> None:
        from trama.housing.models import (
            Building,
            Caretaker,
            CoHousing,
            CoHousingMember,
            Dwelling,
            FundDeposit,
            Guarantee,
            GuaranteeDraw,
            GuaranteeFund,
            HousingSearch,
            LogEntry,
            Tenancy,
        )  # fmt: skip

        rng = self.rng
        dwellings, searches = rows["dwellings"], rows["searches"]
        tenancies, guarantees = rows["tenancies"], rows["guarantees"]
        draws, cohousings, cohousing_members = rows["draws"], rows["cohousings"], rows["cohousing_members"]
        funds, deposits, buildings = rows["funds"], rows["deposits"], rows["buildings"]
        caretakers, entries = rows["caretakers"], rows["entries"]
        self.loader.load(
            Dwelling,
            ("id", "public_id", "created_at", "updated_at", "version", "programme", "offered_by", "organisation",
             "owner_name", "owner_phone", "owner_email", "address", "municipality", "rooms", "area_m2",
             "monthly_rent", "capped_rent", "step_free", "available_from", "status", "created_by"),
            ((pk, new_uuid(rng), moment(since), moment(since), 1, programme, offered, organisation, owner,
              "+39 000 0000000" if owner else "", "", address, town, rooms, area, rent, capped, step_free, since,
              status, by)
             for pk, programme, offered, organisation, owner, address, town, rooms, area, rent, capped, step_free,
             since, status, by in dwellings),
        )  # fmt: skip
        self.loader.load(
            HousingSearch,
            ("id", "public_id", "created_at", "updated_at", "version", "programme", "case", "household",
             "rooms_needed", "max_rent", "needs_step_free", "needed_from", "status", "created_by"),
            ((row[0], new_uuid(rng), moment(row[7]), moment(row[7]), 1, *row[1:]) for row in searches),
        )  # fmt: skip
        self.loader.load(
            Tenancy,
            ("id", "public_id", "created_at", "updated_at", "programme", "search", "dwelling", "starts_on",
             "monthly_rent", "created_by"),
            ((row[0], new_uuid(rng), moment(row[4]), moment(row[4]), *row[1:]) for row in tenancies),
        )  # fmt: skip
        self.loader.load(
            GuaranteeFund,
            ("id", "public_id", "created_at", "updated_at", "programme"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), programme) for pk, programme in funds),
        )
        deposit_ids = self.loader.ids(FundDeposit, len(deposits))
        self.loader.load(
            FundDeposit,
            ("id", "public_id", "created_at", "updated_at", "fund", "amount", "received_on", "source", "source_note",
             "recorded_by"),
            ((pk, new_uuid(rng), moment(day), moment(day), fund, amount, day, None, "Contributo della fondazione", by)
             for pk, (fund, amount, day, by) in zip(deposit_ids, deposits, strict=True)),
        )  # fmt: skip
        self.loader.load(
            Guarantee,
            ("id", "public_id", "created_at", "updated_at", "fund", "tenancy", "amount", "months", "starts_on",
             "ends_on", "granted_by"),
            ((row[0], new_uuid(rng), moment(row[5]), moment(row[5]), *row[1:]) for row in guarantees),
        )  # fmt: skip
        draw_ids = self.loader.ids(GuaranteeDraw, len(draws))
        self.loader.load(
            GuaranteeDraw,
            ("id", "public_id", "created_at", "updated_at", "guarantee", "fund", "amount", "drawn_on", "reason",
             "recorded_by"),
            ((pk, new_uuid(rng), moment(day), moment(day), guarantee, fund, amount, day, "Mensilità non pagata", by)
             for pk, (guarantee, fund, amount, day, by) in zip(draw_ids, draws, strict=True)),
        )  # fmt: skip
        cohousing_ids = self.loader.ids(CoHousing, len(cohousings))
        self.loader.load(
            CoHousing,
            ("id", "public_id", "created_at", "updated_at", "version", "programme", "dwelling", "title", "starts_on",
             "ends_on", "terms", "agreement", "created_by"),
            ((pk, new_uuid(rng), moment(starts), moment(starts), 1, programme, dwelling, title, starts, ends,
              "Spese divise in parti uguali; turni di pulizia settimanali.", "", by)
             for pk, (programme, dwelling, title, starts, ends, by) in zip(cohousing_ids, cohousings, strict=True)),
        )  # fmt: skip
        member_ids = self.loader.ids(CoHousingMember, len(cohousing_members))
        self.loader.load(
            CoHousingMember,
            ("id", "public_id", "created_at", "updated_at", "cohousing", "household", "joined_on"),
            ((pk, new_uuid(rng), moment(day), moment(day), cohousing_ids[cohousing], household, day)
             for pk, (cohousing, household, day) in zip(member_ids, cohousing_members, strict=True)),
        )  # fmt: skip
        self.loader.load(
            Building,
            ("id", "public_id", "created_at", "updated_at", "programme", "name", "kind", "address", "municipality",
             "units", "created_by"),
            ((row[0], new_uuid(rng), moment(DATA_START), moment(DATA_START), *row[1:]) for row in buildings),
        )  # fmt: skip
        caretaker_ids = self.loader.ids(Caretaker, len(caretakers))
        self.loader.load(
            Caretaker,
            ("id", "public_id", "created_at", "updated_at", "building", "user", "organisation"),
            ((pk, new_uuid(rng), moment(DATA_START), moment(DATA_START), *row)
             for pk, row in zip(caretaker_ids, caretakers, strict=True)),
        )  # fmt: skip
        entry_ids = self.loader.ids(LogEntry, len(entries))
        texts = {kind: self.encrypt(text) for kind, text in (
            ("visit", "Visita al caseggiato: tutto in ordine."), ("issue", "Segnalato un problema di convivenza."),
            ("follow_up", "Ripreso il problema segnalato."), ("referral", "Indirizzata una famiglia a un servizio."),
        )}  # fmt: skip
        self.loader.load(
            LogEntry,
            ("id", "public_id", "created_at", "updated_at", "building", "kind", "occurred_on", "text", "follow_up_of",
             "referred_to", "author"),
            ((pk, new_uuid(rng), moment(day, 17), moment(day, 17), building, kind, day, texts[kind],
              None if follow is None else entry_ids[follow], referred, author)
             for pk, (building, kind, day, follow, referred, author) in zip(entry_ids, entries, strict=True)),
        )  # fmt: skip


def _fit(values: list[int], total: int, rng: random.Random, *, ceiling: int | None = None) -> None:
    """Adjust `values` in place (each at least 1 — 0 allowed only when the total is smaller than
    the list — and at most `ceiling`) so that they add up to `total`, when that is possible."""
    if not values:
        return
    floor = 1 if total >= len(values) else 0
    if ceiling is not None:
        for i, value in enumerate(values):
            values[i] = max(floor, min(ceiling, value))
    difference = total - sum(values)
    indexes = list(range(len(values)))
    while difference:
        rng.shuffle(indexes)
        moved = False
        for i in indexes:
            if difference > 0 and (ceiling is None or values[i] < ceiling):
                step = min(difference, max(1, difference // len(values)))
                if ceiling is not None:
                    step = min(step, ceiling - values[i])
                values[i] += step
                difference -= step
                moved = True
            elif difference < 0 and values[i] > floor:
                step = min(-difference, values[i] - floor, max(1, -difference // len(values)))
                values[i] -= step
                difference += step
                moved = True
            if not difference:
                break
        if not moved:
            break


# --- Entry points ----------------------------------------------------------------------------------


def real_data_present() -> bool:
    """Does the database hold records that are not synthetic (a programme, an organisation)?"""
    from trama.network.models import Organisation
    from trama.territory.models import Programme

    return (
        Programme.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
        or Organisation.objects.exclude(name__startswith=ORGANISATION_PREFIX).exists()
    )


def synthetic_present(seed: int) -> bool:
    from trama.territory.models import Programme

    return Programme.objects.filter(slug__startswith=f"{SLUG_PREFIX}{seed}-").exists()


def refresh_rollups(report: Callable[[str], None]) -> None:
    """Rebuild the evaluation roll-ups (`trama.evaluation.models.refresh`: people's first
    attendance per programme) from the rows just loaded, which sent no signals."""
    from trama.evaluation import models as evaluation_models

    refresh = getattr(evaluation_models, "refresh", None)
    if refresh is None:
        return
    started = time.perf_counter()
    rows = refresh()
    report(f"  roll-ups refreshed ({rows:,} rows) in {time.perf_counter() - started:.1f} s")


def generate(sizes: Sizes, *, seed: int = 8, report: Callable[[str], None] = print) -> dict[str, int]:
    """Build the dataset and its roll-ups in one transaction; return the rows written per model."""
    started = time.perf_counter()
    with transaction.atomic():
        counts = Generator(sizes, seed, report).run()
        refresh_rollups(report)
    report(f"Synthetic dataset ready in {time.perf_counter() - started:.1f} s")
    return counts
