"""Demo volunteering and mutual aid of Fare #BeneComune (seed 001: "235 volontari dedicati alla
causa"; seed 000: families "partecipi di microreti mutualistiche").

- 235 volunteer records: 220 approved (assigned to the labs or to a partner, trained and insured),
  12 applications waiting for a decision, 3 declined. Eight approved volunteers are parents of
  households the programme follows: the same person record, so the journey from beneficiary to
  volunteer counts. The demo volunteer account (volontario.fbc@example.org) is one of them.
- Two volunteers at each homework-help date of the labs: the dates of this school year so far with
  who served, the coming six weeks open for sign-up (some places already taken); hours logged
  outside shifts, most confirmed, a few waiting for the coordinator.
- About 70 offers of help (volunteers, citizens, beneficiaries giving back, citizen groups) and 36
  requests (households followed by a case, citizens, groups): some done — with their exchanges in the
  time bank — some agreed, some proposed, some still open.
- Two micro-networks (Crosione and San Martino Siccomario) whose members exchange help; parents
  followed by a case who joined a citizen group.

Writes go through the services. Two kinds of history are written as it would have been recorded, in
bulk, to keep the step fast: the shifts of dates already held (the service takes only dates to
come) and the dates people became volunteers (the service stamps today). Deterministic (a fixed
seed) and idempotent: nothing happens when the programme already has volunteers.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from trama.accounts.models import Role
from trama.activities.models import Activity, Occurrence
from trama.casework.models import Case
from trama.core.demo.users import demo_email
from trama.mutualaid.models import (
    Category,
    Match,
    MutualAidOffer,
    MutualAidRequest,
    ShiftSignup,
    Volunteer,
    VolunteerShift,
)
from trama.mutualaid.proposals import propose
from trama.mutualaid.services import aid, matches, registry, shifts, timebank, volunteers
from trama.mutualaid.services.volunteers import Applicant, Profile, Slot
from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership
from trama.people.models import HouseholdMember, Person
from trama.territory.models import Municipality, Programme

SLUG = "fare-benecomune"
SEED = 7007
APPROVED, APPLIED, DECLINED = 220, 12, 3
# Of the approved, these apply and are approved one by one; the others come from the lists the
# partner associations kept, registered in bulk.
ONE_BY_ONE = 20
FROM_BENEFICIARIES = 8
WITH_ACCOUNT = 45
SHIFT_TASK = "Affiancamento nei compiti"
WOMEN = [
    "Maria", "Anna", "Giulia", "Francesca", "Sara", "Laura", "Valentina", "Elena", "Chiara", "Paola", "Silvia",
    "Federica", "Roberta", "Alessandra", "Monica", "Ioana", "Amina", "Lucia", "Marta", "Beatrice", "Teresa", "Rita",
]  # fmt: skip
MEN = [
    "Marco", "Luca", "Giuseppe", "Andrea", "Alessandro", "Matteo", "Davide", "Stefano", "Roberto", "Paolo", "Simone",
    "Francesco", "Antonio", "Massimo", "Youssef", "Mihai", "Omar", "Giorgio", "Pietro", "Carlo", "Franco", "Enrico",
]  # fmt: skip
SURNAMES = [
    "Albertini", "Baldi", "Bassi", "Bellini", "Bonetti", "Brambilla", "Cattaneo", "Cavalli", "Colombo", "Corti",
    "Dellera", "Fagnani", "Ferrari", "Fontana", "Galli", "Gatti", "Ghezzi", "Invernizzi", "Longhi", "Maestri",
    "Magnani", "Mazza", "Migliavacca", "Moroni", "Negri", "Orsi", "Pagani", "Pavesi", "Perotti", "Piccinini",
    "Poggi", "Rampoldi", "Rizzi", "Rossetti", "Sacchi", "Scotti", "Sisti", "Tacconi", "Vercesi", "Zanotti",
    "El Idrissi", "Popa", "Dervishi", "Wang", "Nwosu", "Quispe",
]  # fmt: skip
OTHER_LANGUAGES = ["en", "fr", "es", "ar", "ro", "sq", "zh", "uk"]
TIMES = [(9 * 60, 12 * 60), (14 * 60, 16 * 60), (16 * 60, 19 * 60), (17 * 60, 20 * 60), (10 * 60, 13 * 60)]
OFFER_TEXT = {
    Category.ACCOMPANIMENT: "Accompagno a visite mediche e uffici",
    Category.SHOPPING: "Faccio la spesa per chi non può uscire",
    Category.HOMEWORK: "Aiuto nei compiti di matematica e italiano",
    Category.REPAIRS: "Piccole riparazioni in casa: rubinetti, mensole, biciclette",
    Category.CHILD_MINDING: "Tengo i bambini qualche ora",
    Category.LENDING: "Presto passeggini, seggiolini e attrezzi",
    Category.TRANSPORT: "Ho l'auto: accompagno in ospedale o in stazione",
    Category.COMPANY: "Faccio compagnia a persone anziane: una passeggiata, due chiacchiere",
    Category.TRANSLATION: "Traduco documenti e accompagno ai colloqui",
}
REQUEST_TEXT = {
    Category.ACCOMPANIMENT: "Accompagnamento a una visita al Policlinico San Matteo",
    Category.SHOPPING: "Spesa settimanale per una signora anziana che vive sola",
    Category.HOMEWORK: "Aiuto nei compiti per un ragazzo di seconda media",
    Category.REPAIRS: "Montare due mensole e sistemare una tapparella",
    Category.CHILD_MINDING: "Qualcuno che tenga due bambini mentre la mamma è al colloquio di lavoro",
    Category.LENDING: "Un passeggino in prestito per qualche mese",
    Category.TRANSPORT: "Un passaggio per un esame in ospedale di mattina presto",
    Category.COMPANY: "Compagnia a un signore anziano il pomeriggio",
    Category.TRANSLATION: "Traduzione dall'arabo al colloquio con gli insegnanti",
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _at(day: date, minutes: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _jitter(rng: random.Random, value: Decimal | None, spread: float = 0.012) -> Decimal:
    return (Decimal(value or 0) + Decimal(f"{rng.uniform(-spread, spread):.5f}")).quantize(Decimal("0.00001"))


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


class Builder:
    def __init__(self, programme: Programme, rng: random.Random, today: date, log: Callable[[str], None]) -> None:
        self.programme, self.rng, self.today, self.log = programme, rng, today, log
        self.towns = list(programme.municipalities.order_by("istat_code"))
        self.pavia = next(town for town in self.towns if town.istat_code == "018110")
        self.labs = list(
            CommunityPlace.objects.filter(programme=programme, kind=CommunityPlace.Kind.COMMUNITY_LAB).order_by("name")
        )
        self.partners = list(
            Organisation.objects.filter(partnerships__programme=programme)
            .exclude(partnerships__role=Partnership.Role.SUPPORTER)
            .order_by("name")
        )
        self.names: set[tuple[str, str]] = set()

    # --- Volunteers --------------------------------------------------------------------------------

    def town(self) -> Municipality:
        # Two people in three live in Pavia (seed 000: 69 % of the district).
        return self.pavia if self.rng.random() < 0.66 else self.rng.choice(self.towns)

    def slots(self) -> list[Slot]:
        days = self.rng.sample(range(1, 7), self.rng.randint(1, 3))
        return [Slot(day, *self.rng.choice(TIMES)) for day in sorted(days)]

    def profile(self) -> Profile:
        languages = ["it"] + (self.rng.sample(OTHER_LANGUAGES, 1) if self.rng.random() < 0.35 else [])
        skills = self.rng.sample(Category.values, self.rng.randint(1, 3))
        return Profile(
            skills=tuple(skills), languages=tuple(languages),
            interests=tuple(self.rng.sample(["children", "families", "elderly", "green", "culture", "school"], 2)),
            municipalities=tuple({self.pavia, self.rng.choice(self.towns)}),
        )  # fmt: skip

    def applicant(self, index: int) -> Applicant:
        while True:
            woman = self.rng.random() < 0.62
            first, last = self.rng.choice(WOMEN if woman else MEN), self.rng.choice(SURNAMES)
            if (first, last) not in self.names:
                self.names.add((first, last))
                break
        age = self.rng.choice([self.rng.randint(19, 30), self.rng.randint(31, 64), self.rng.randint(65, 78)])
        born = date(self.today.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        email = f"{_ascii(first)}.{_ascii(last)}@example.org" if index < WITH_ACCOUNT else ""
        if index == 0:
            email = demo_email(self.programme, Role.VOLUNTEER)  # the demo login is this volunteer
        return Applicant(first_name=first, last_name=last, birth_date=born, email=email,
                         phone=f"3{self.rng.randint(20, 49)} {self.rng.randint(1000000, 9999999)}",
                         municipality=self.town())  # fmt: skip

    def volunteers(self) -> list[Volunteer]:
        """The first ones apply and are approved or declined one by one, through the services; the
        partner associations' lists are registered in bulk (`volunteers_register`)."""
        made = []
        parents = list(
            Person.objects.filter(
                programme=self.programme, household_memberships__relation=HouseholdMember.Relation.PARENT,
                household_memberships__household__cases__status=Case.Status.OPEN,
            ).distinct().order_by("pk")[:FROM_BENEFICIARIES]
        )  # fmt: skip
        one_by_one = ONE_BY_ONE + APPLIED + DECLINED
        for index in range(one_by_one):
            parent = parents[index - 1] if 1 <= index <= len(parents) else None
            made.append(
                volunteers.volunteer_create(
                    actor=None,
                    programme=self.programme,
                    applicant=self.applicant(index),
                    profile=self.profile(),
                    slots=self.slots(),
                    person=parent,
                )
            )
        for index, volunteer in enumerate(made):
            if index < ONE_BY_ONE:
                place, organisation = self.assignment(index)
                volunteers.volunteer_approve(
                    actor=None, volunteer=volunteer, expected_version=volunteer.version, organisation=organisation,
                    place=place, training=self.training(),
                )  # fmt: skip
            elif index >= ONE_BY_ONE + APPLIED:
                volunteers.volunteer_reject(
                    actor=None, volunteer=volunteer, reason="Disponibilità non compatibile con le attività in corso"
                )
        self.backdate(made[:ONE_BY_ONE])
        entries = []
        for index in range(one_by_one, APPROVED + APPLIED + DECLINED):
            place, organisation = self.assignment(index)
            entries.append(
                registry.KnownVolunteer(
                    applicant=self.applicant(index),
                    profile=self.profile(),
                    slots=tuple(self.slots()),
                    since=self.today - timedelta(days=self.rng.randint(20, 1000)),
                    organisation=organisation or place.managing_organisation,
                    place=place,
                    training=self.training(),
                )
            )
        registry.volunteers_register(actor=None, programme=self.programme, entries=entries)
        return list(
            Volunteer.objects.filter(programme=self.programme, status=Volunteer.Status.APPROVED)
            .select_related("person", "place", "user")
            .order_by("pk")
        )

    def assignment(self, index: int) -> tuple[CommunityPlace | None, Organisation | None]:
        """Four volunteers in five help at a lab; the others with a partner organisation. The demo
        volunteer (the first) helps where there is homework help, so their page has shifts."""
        if index == 0:
            homework = CommunityPlace.objects.filter(
                programme=self.programme, activities__kind=Activity.Kind.HOMEWORK_HELP
            ).distinct().order_by("name").first()  # fmt: skip
            if homework is not None:
                return homework, None
        place = self.labs[index % len(self.labs)] if (index + 1) % 5 else None
        return place, None if place else self.partners[index % len(self.partners)]

    def training(self) -> dict[str, object]:
        if self.rng.random() < 0.15:
            return {}
        return {
            "training_on": self.today - timedelta(days=self.rng.randint(30, 700)),
            "training_note": "Corso base per volontari (CSV Lombardia Sud)",
            "insurance_policy": f"Polizza RC e infortuni volontari n. {self.rng.randint(1000, 9999)}/{self.today.year}",
            "insurance_until": date(self.today.year, 12, 31),
        }

    def backdate(self, approved: list[Volunteer]) -> None:
        """When they became volunteers: spread over the last three years (the service stamps today);
        a beneficiary's always after their case opened, so the journey reads right."""
        opened = {
            member.person_id: case.opened_on
            for case in Case.objects.filter(programme=self.programme).prefetch_related("household__memberships")
            for member in case.household.memberships.all()
        }
        for volunteer in approved:
            since = self.today - timedelta(days=self.rng.randint(20, 1000))
            if volunteer.person_id in opened:
                since = max(since, opened[volunteer.person_id] + timedelta(days=self.rng.randint(60, 200)))
            since = min(since, self.today)
            Volunteer.objects.filter(pk=volunteer.pk).update(approved_on=since, applied_on=since - timedelta(days=10))

    # --- Shifts and hours -------------------------------------------------------------------------

    def shifts(self, approved: list[Volunteer]) -> None:
        by_place: dict[int, list[Volunteer]] = {}
        for volunteer in approved:
            if volunteer.place_id:
                by_place.setdefault(volunteer.place_id, []).append(volunteer)
        school_start = date(self.today.year if self.today.month >= 9 else self.today.year - 1, 9, 1)
        homework = Activity.objects.filter(
            programme=self.programme, kind=Activity.Kind.HOMEWORK_HELP, place__in=self.labs,
            occurrences__starts_at__date__gte=school_start,
        ).distinct().select_related("place")  # fmt: skip
        held_shifts, held_signups = [], []
        for activity in homework:
            team = by_place.get(activity.place_id, approved)
            # The dates to come: through the service, then sign-ups for about half the places.
            coming = shifts.shifts_create_for_activity(
                actor=None, activity=activity, task=SHIFT_TASK, slots=2, start=self.today + timedelta(days=1),
                end=self.today + timedelta(days=42),
            )  # fmt: skip
            mine = [v for v in team if v.user_id and v.user.email == demo_email(self.programme, Role.VOLUNTEER)]
            for number, shift in enumerate(coming):
                # The demo volunteer has the first two dates of their lab; others sign up at random.
                chosen = mine if number < 2 and mine else self.rng.sample(team, self.rng.choice([0, 1, 1, 2]))
                for volunteer in chosen:
                    shifts.shift_signup(actor=None, shift=shift, volunteer=volunteer)
            # The dates already held this school year: who signed up and who served.
            held = activity.occurrences.filter(
                status=Occurrence.Status.SCHEDULED, starts_at__date__gte=school_start, ends_at__lt=timezone.now()
            )
            for number, occurrence in enumerate(held):
                shift = VolunteerShift(occurrence=occurrence, task=SHIFT_TASK, slots=2)
                held_shifts.append(shift)
                pair = self.rng.sample([v for v in team if v not in mine], min(len(team) - len(mine), 2))
                for volunteer in [*mine, *pair][:2] if number % 3 == 0 else pair:
                    held_signups.append(
                        ShiftSignup(shift=shift, volunteer=volunteer, signed_up_at=occurrence.starts_at - timedelta(
                            days=7), attended=self.rng.random() < 0.9)
                    )  # fmt: skip
        VolunteerShift.objects.bulk_create(held_shifts)
        for signup in held_signups:
            signup.shift_id = signup.shift.pk
        ShiftSignup.objects.bulk_create(held_signups)
        self.log(f"Demo volunteering: {len(held_shifts)} shifts held, {VolunteerShift.objects.count()} in all.")

    def hours(self, approved: list[Volunteer]) -> None:
        tasks = ["Allestimento della festa di quartiere", "Cura dell'orto condiviso", "Sportello compiti al sabato",
                 "Distribuzione di materiale scolastico", "Accoglienza all'open day dei laboratori",
                 "Pulizia del parco della Vernavola"]  # fmt: skip
        for volunteer in self.rng.sample(approved, 70):
            for _ in range(self.rng.randint(1, 2)):
                day = self.today - timedelta(days=self.rng.randint(1, 200))
                mine = volunteer.user is not None and self.rng.random() < 0.15
                shifts.hours_log(
                    actor=volunteer.user if mine else None, volunteer=volunteer, day=day,
                    hours=self.rng.choice(["1.5", "2", "2.5", "3", "4"]), description=self.rng.choice(tasks),
                )  # fmt: skip

    # --- Mutual aid ---------------------------------------------------------------------------------

    def offers(self, approved: list[Volunteer]) -> list[MutualAidOffer]:
        made = []
        for volunteer in self.rng.sample(approved, 50):
            category = volunteer.skills.strip(",").split(",")[0]
            made.append(self.offer(aid.Party(volunteer=volunteer), category, volunteer.person.municipality))
        citizens = [
            aid.citizen_contact(
                actor=None,
                programme=self.programme,
                first_name=self.rng.choice(WOMEN + MEN),
                last_name=self.rng.choice(SURNAMES),
                phone="0382 000000",
            )
            for _ in range(12)
        ]
        for citizen in citizens:
            made.append(self.offer(aid.Party(person=citizen), self.rng.choice(Category.values), self.town()))
        givers = Person.objects.filter(
            programme=self.programme, household_memberships__relation=HouseholdMember.Relation.PARENT,
            household_memberships__household__cases__isnull=False,
        ).exclude(volunteer_records__isnull=False).distinct().order_by("-pk")[:5]  # fmt: skip
        for giver in givers:  # families the programme follows who give back
            category = self.rng.choice([Category.CHILD_MINDING, Category.LENDING, Category.TRANSLATION])
            made.append(self.offer(aid.Party(person=giver), category, giver.municipality or self.pavia))
        for group in CitizenGroup.objects.filter(programme=self.programme).order_by("name")[:3]:
            made.append(self.offer(aid.Party(group=group), Category.LENDING, group.municipality))
        return made

    def offer(self, party: aid.Party, category: str, town: Municipality | None) -> MutualAidOffer:
        town = town if town in self.towns else self.pavia
        languages = ["it"] + (["ar"] if category == Category.TRANSLATION else [])
        return aid.offer_create(
            actor=None, programme=self.programme, offerer=party, languages=languages,
            fields={"category": category, "description": OFFER_TEXT[category], "municipality": town,
                    "latitude": _jitter(self.rng, town.latitude), "longitude": _jitter(self.rng, town.longitude),
                    "max_distance_km": self.rng.choice([3, 5, 8, 10]), "is_active": self.rng.random() > 0.05},
            slots=None if party.volunteer else [Slot(d, 15 * 60, 19 * 60) for d in (2, 4, 6)],
        )  # fmt: skip

    def request(
        self, requester: aid.Party, category: str, town: Municipality, *, day: date, start: int, urgency: str = "normal"
    ) -> MutualAidRequest:
        return aid.request_create(
            actor=None, programme=self.programme, requester=requester,
            fields={"category": category, "summary": REQUEST_TEXT[category], "municipality": town,
                    "latitude": _jitter(self.rng, town.latitude, 0.008),
                    "longitude": _jitter(self.rng, town.longitude, 0.008), "starts_at": _at(day, start),
                    "ends_at": _at(day, start + self.rng.choice([60, 90, 120])), "urgency": urgency,
                    "address": f"Via {self.rng.choice(SURNAMES)} {self.rng.randint(1, 90)}",
                    "language": "ar" if category == Category.TRANSLATION else "it",
                    "details": "Suonare al citofono; la persona è avvisata."},
        )  # fmt: skip

    def answer(self, request: MutualAidRequest, *, done: bool, offer: MutualAidOffer | None = None) -> Match | None:
        """Propose the best helper (or `offer`), both sides accept; done: the hours go to the time bank."""
        if offer is None:
            ranking = propose(request, limit=1)
            if not ranking:
                return None
            offer = ranking[0].item
        match = matches.match_propose(actor=None, request=request, offer=offer)
        matches.match_accept(actor=None, match=match, side=Match.Side.HELPER)
        match = matches.match_accept(actor=None, match=match, side=Match.Side.REQUESTER)
        if done:
            matches.match_complete(actor=None, match=match, hours=self.rng.choice(["1", "1.5", "2", "3"]),
                               occurred_on=timezone.localdate(request.starts_at))  # fmt: skip
        return match

    def requests(self) -> None:
        households = list(
            Case.objects.filter(programme=self.programme, status=Case.Status.OPEN)
            .select_related("household__municipality")
            .order_by("pk")[:20]
        )
        citizens = [
            aid.citizen_contact(
                actor=None,
                programme=self.programme,
                first_name=self.rng.choice(WOMEN),
                last_name=self.rng.choice(SURNAMES),
                phone="0382 111111",
            )
            for _ in range(10)
        ]
        groups = list(CitizenGroup.objects.filter(programme=self.programme).order_by("-name")[:6])
        requesters = [aid.Party(household=case.household) for case in households]
        requesters += [aid.Party(person=citizen) for citizen in citizens] + [aid.Party(group=g) for g in groups]
        for index, requester in enumerate(requesters):
            category = self.rng.choice(Category.values)
            town = requester.household.municipality if requester.household else self.town()
            if index % 3 == 0:  # done, in the past weeks
                day = _weekday_on_or_after(
                    self.today - timedelta(days=self.rng.randint(10, 120)), self.rng.choice([2, 4, 6])
                )
                self.answer(self.request(requester, category, town, day=day, start=16 * 60), done=True)
            elif index % 3 == 1:  # agreed or proposed, in the coming weeks
                day = _weekday_on_or_after(
                    self.today + timedelta(days=self.rng.randint(3, 30)), self.rng.choice([2, 4, 6])
                )
                request = self.request(
                    requester, category, town, day=day, start=16 * 60, urgency=self.rng.choice(["normal", "high"])
                )
                if index % 2:
                    self.answer(request, done=False)
                else:
                    ranking = propose(request, limit=2)
                    for ranked in ranking:
                        matches.match_propose(actor=None, request=request, offer=ranked.item)
            else:  # still open
                day = self.today + timedelta(days=self.rng.randint(2, 40))
                self.request(requester, category, town, day=day, start=self.rng.choice([9 * 60, 15 * 60, 17 * 60]),
                             urgency=self.rng.choice(["low", "normal", "high"]))  # fmt: skip

    def networks(self) -> None:
        """Two micro-networks whose members help each other; their exchanges are in the time bank."""
        plans = [("Microrete del Crosione", "Laboratorio Sociale Crosione", "018110"),
                 ("Microrete di San Martino Siccomario", "Laboratorio di comunità di San Martino Siccomario",
                  "018137")]  # fmt: skip
        for name, place_name, istat in plans:
            place = CommunityPlace.objects.filter(programme=self.programme, name=place_name).first()
            network = timebank.network_create(
                actor=None, programme=self.programme, name=name, place=place,
                description="Famiglie e vicini che si scambiano aiuto: spesa, compiti, bambini, piccoli lavori.",
            )  # fmt: skip
            town = next((t for t in self.towns if t.istat_code == istat), self.pavia)
            followed = Case.objects.filter(programme=self.programme, status=Case.Status.OPEN).select_related(
                "household"
            )
            cases = list(followed.filter(household__municipality=town).order_by("pk")[:6])
            cases += list(followed.exclude(pk__in=[c.pk for c in cases]).order_by("-pk")[: 6 - len(cases)])
            joined = self.today - timedelta(days=self.rng.randint(200, 400))
            for case in cases:
                timebank.network_add_member(actor=None, network=network, holder=case.household, joined_on=joined)
            neighbours = [
                aid.citizen_contact(
                    actor=None,
                    programme=self.programme,
                    first_name=self.rng.choice(WOMEN + MEN),
                    last_name=self.rng.choice(SURNAMES),
                    phone="0382 222222",
                )
                for _ in range(4)
            ]
            for neighbour in neighbours:
                timebank.network_add_member(actor=None, network=network, holder=neighbour, joined_on=joined)
                offer = self.offer(
                    aid.Party(person=neighbour),
                    self.rng.choice([Category.SHOPPING, Category.CHILD_MINDING, Category.HOMEWORK, Category.REPAIRS]),
                    town,
                )
                weeks = self.rng.sample(range(1, 20), 2)  # two different Thursdays: never busy twice at once
                for case, week in zip(self.rng.sample(cases, min(2, len(cases))), weeks, strict=False):
                    day = _weekday_on_or_after(self.today - timedelta(weeks=week), 4)
                    request = self.request(
                        aid.Party(household=case.household), offer.category, town, day=day, start=16 * 60
                    )
                    MutualAidOffer.objects.filter(pk=offer.pk).update(latitude=request.latitude,
                                                                      longitude=request.longitude)  # fmt: skip
                    self.answer(request, done=True, offer=offer)

    def demo_volunteer(self) -> None:
        """The demo volunteer's page is never empty: a request waiting for their answer, one agreed,
        one done, hours waiting for confirmation."""
        volunteer = (
            Volunteer.objects.filter(programme=self.programme, user__email=demo_email(self.programme, Role.VOLUNTEER))
            .select_related("person", "user")
            .first()
        )
        if volunteer is None:
            return
        town = volunteer.person.municipality or self.pavia
        offer = self.offer(aid.Party(volunteer=volunteer), Category.SHOPPING, town)
        MutualAidOffer.objects.filter(pk=offer.pk).update(max_distance_km=10)
        citizens = [
            aid.citizen_contact(
                actor=None,
                programme=self.programme,
                first_name=first,
                last_name=last,
                phone=f"0382 {self.rng.randint(100000, 999999)}",
            )
            for first, last in (("Ada", "Ferrandi"), ("Gino", "Bargiggia"), ("Rosa", "Tinelli"))
        ]
        for index, (citizen, done) in enumerate(zip(citizens, (None, False, True), strict=True)):
            weekday = volunteer.availability.order_by("weekday").first()
            start = weekday.start_minute if weekday else 16 * 60
            day = weekday.weekday if weekday else 2
            when = self.today + timedelta(days=7 * (index + 1)) if done is not True else self.today - timedelta(days=9)
            request = self.request(
                aid.Party(person=citizen), Category.SHOPPING, town, day=_weekday_on_or_after(when, day), start=start
            )
            MutualAidRequest.objects.filter(pk=request.pk).update(latitude=offer.latitude, longitude=offer.longitude)
            request.refresh_from_db()
            if done is None:
                matches.match_propose(actor=None, request=request, offer=offer)
            else:
                self.answer(request, done=done, offer=offer)
        shifts.hours_log(actor=volunteer.user, volunteer=volunteer, day=self.today - timedelta(days=2), hours="2",
                         description="Aiuto alla merenda del laboratorio")  # fmt: skip

    def groups(self) -> None:
        """Parents followed by a case who joined a citizen group (the journey evaluation counts)."""
        groups = list(CitizenGroup.objects.filter(programme=self.programme).order_by("name")[:3])
        parents = Person.objects.filter(
            programme=self.programme, household_memberships__relation=HouseholdMember.Relation.PARENT,
            household_memberships__household__cases__isnull=False,
        ).distinct().order_by("pk")[10:16]  # fmt: skip
        for index, parent in enumerate(parents):
            if groups:
                timebank.group_member_add(actor=None, group=groups[index % len(groups)], person=parent,
                                          joined_on=self.today - timedelta(days=self.rng.randint(10, 300)))  # fmt: skip


def load(log: Callable[[str], None]) -> None:
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        return
    if Volunteer.objects.filter(programme=programme).exists():
        log("Demo volunteering and mutual aid already there.")
        return
    if not CommunityPlace.objects.filter(programme=programme).exists():
        log("No demo network: no volunteering.")
        return
    rng = random.Random(SEED)  # noqa: S311 — demo data, not security
    build = Builder(programme, rng, timezone.localdate(), log)
    with transaction.atomic():
        approved = build.volunteers()
        build.shifts(approved)
        build.hours(approved)
        build.offers(approved)
        build.requests()
        build.networks()
        build.demo_volunteer()
        build.groups()
    log(
        f"Demo volunteering: {Volunteer.objects.filter(programme=programme).count()} volunteers, "
        f"{MutualAidOffer.objects.filter(programme=programme).count()} offers, "
        f"{MutualAidRequest.objects.filter(programme=programme).count()} requests, "
        f"{Match.objects.filter(programme=programme, status=Match.Status.DONE).count()} exchanges done."
    )
