"""Demo cases of Fare #BeneComune: ~60 households across the 12 municipalities of the Pavia
district, opened from the intake queue, in every phase, some closed with their outcome; and a few
requests still waiting for triage.

Everything goes through the services (intake, triage, phases, team, closing, people) with
`actor=None`, the system; only the dates are moved back afterwards, so the history reads like
months of work. Deterministic (a fixed seed) and idempotent: the step does nothing when the
programme already has its demo households. Assessments, pathways, sessions and referrals are
added by the next step (`trama.core.demo.delivery`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from trama.accounts.models import Membership, Role, User
from trama.accounts.services import membership_grant, user_create
from trama.casework.models import Case, CasePhaseChange, Channel, IntakeRequest
from trama.casework.services import cases as case_services
from trama.casework.services import intake as intake_services
from trama.core.demo.users import DEMO_PASSWORD, MULTI_OPERATOR_EMAIL, demo_email
from trama.network.models import Organisation, Partnership
from trama.people.models import Household, HouseholdMember, Person
from trama.people.services import person_create, person_update
from trama.territory.models import Programme

SLUG = "fare-benecomune"
SEED = 2018
HOUSEHOLDS = 60

SURNAMES = [
    "Rossi", "Bianchi", "Colombo", "Ferrari", "Russo", "Romano", "Gallo", "Costa", "Fontana", "Conti",
    "Esposito", "Ricci", "Bruno", "Rizzo", "Moretti", "De Luca", "Marino", "Greco", "Barbieri", "Lombardi",
    "Giordano", "Rinaldi", "Mancini", "Longo", "Leone", "Martinelli", "Santoro", "Mariani", "Vitale", "Ferraro",
    "Cattaneo", "Pellegrini", "Bassi", "Fabbri", "Carbone", "Sartori", "Farina", "Testa", "Villa", "Bernardi",
    "Galli", "Monti", "Serra", "Marchi", "Grasso", "Valentini", "Bellini", "Guerra", "Donati", "Riva",
    "El Amrani", "Popescu", "Hoxha", "Ahmed", "Diallo", "Mendoza", "Kaur", "Chen", "Okafor", "Benali",
]  # fmt: skip
WOMEN = [
    "Maria", "Anna", "Giulia", "Francesca", "Sara", "Laura", "Valentina", "Elena", "Chiara", "Paola", "Silvia",
    "Federica", "Roberta", "Alessandra", "Monica", "Fatima", "Ioana", "Ana", "Amina", "Lucia",
]  # fmt: skip
MEN = [
    "Marco", "Luca", "Giuseppe", "Andrea", "Alessandro", "Matteo", "Davide", "Stefano", "Roberto", "Paolo", "Simone",
    "Francesco", "Antonio", "Massimo", "Youssef", "Mihai", "Ardit", "Omar", "Carlos", "Giorgio",
]  # fmt: skip
CHILDREN = [
    "Sofia", "Leonardo", "Aurora", "Tommaso", "Giulia", "Edoardo", "Alice", "Riccardo", "Ginevra", "Lorenzo", "Emma",
    "Gabriele", "Beatrice", "Mattia", "Vittoria", "Samuele", "Nour", "Adam", "Elisa", "Pietro", "Martina", "Diego",
    "Noemi", "Filippo",
]  # fmt: skip
# Ages of the children, cycled so every band appears: 0–5, 6–10, 11–13, 14–17 and the newly adult.
CHILD_AGES = [1, 4, 7, 12, 15, 9, 17, 19, 3, 13, 16, 20, 6, 11, 21, 5, 14, 18, 10, 2, 8]

# (target phase, status, outcome): 8 in A, 10 in B, 10 in C, 16 in D, 4 in E still open, 12 closed.
PLAN = (
    [("A", "open", "")] * 8 + [("B", "open", "")] * 10 + [("C", "open", "")] * 10 + [("D", "open", "")] * 16
    + [("E", "open", "")] * 4
    + [("E", "closed", outcome) for outcome in (
        "reached", "reached", "reached", "partly", "partly", "partly", "not_reached", "transferred", "moved",
        "withdrew", "reached", "partly",
    )]
)  # fmt: skip
CHANNELS = [Channel.PUBLIC_FORM, Channel.SOCIAL_SERVICES, Channel.SCHOOL, Channel.LAB, Channel.PARTNER,
            Channel.SOCIAL_SERVICES, Channel.PUBLIC_FORM, Channel.OTHER]  # fmt: skip
CLOSING_NOTES = {
    "reached": "Obiettivi raggiunti: la famiglia gestisce in autonomia il bilancio e ha una rete di supporto.",
    "partly": "Obiettivi in parte raggiunti: migliorata la situazione scolastica dei figli, fragile quella lavorativa.",
    "not_reached": "La famiglia non è riuscita a seguire il percorso concordato; resta il contatto con il laboratorio.",
    "transferred": "Presa in carico dai servizi sociali del Comune per un progetto più intensivo.",
    "moved": "La famiglia si è trasferita fuori dal Distretto; consegnati i riferimenti dei servizi del nuovo Comune.",
    "withdrew": "La famiglia ha chiesto di interrompere l'accompagnamento.",
}
# The operators of the partner organisations (the demo operator works for the first partner).
OPERATORS = ["Chiara Bellini", "Davide Moretti", "Elena Galli", "Francesco Riva", "Giorgia Sala", "Luca Ferraro",
             "Marta Colombo", "Paolo Marchetti"]  # fmt: skip
SUPERVISOR = "Silvia Conti"
WAITING = [  # requests still in the intake queue: (channel, name, has minors, message)
    (Channel.PUBLIC_FORM, "Rosa Gatti", True, "Sono sola con due bambini e da marzo non riesco a pagare l'affitto."),
    (Channel.PUBLIC_FORM, "Karim Haddad", True, "Cerco aiuto per i compiti di mio figlio, io lavoro fino a sera."),
    (Channel.PUBLIC_FORM, "Giovanna Neri", False, ""),
    (Channel.SCHOOL, "Famiglia Orlando", True, "Il ragazzo frequenta poco; la madre chiede un sostegno."),
    (Channel.LAB, "Famiglia Sanna", True, "Conosciuti al laboratorio del sabato: difficoltà con le bollette."),
]
CLOSED_WITHOUT_CASE = [
    (Channel.PUBLIC_FORM, "Mario Fumagalli", "Già seguito dai servizi sociali del Comune di Pavia."),
    (Channel.PUBLIC_FORM, "Lucia Pozzi", "Nessuna risposta dopo tre tentativi di contatto."),
]


@dataclass
class Staff:
    """Who works on the demo cases: per organisation, its operators' memberships."""

    by_organisation: dict[int, list[Membership]]
    demo_operator: Membership
    multi_operator: Membership
    organisations: list[Organisation]


def _birth_date(today: date, age: int, rng: random.Random) -> date:
    return today - timedelta(days=int(age * 365.25) + rng.randint(20, 340))


def _ensure_operator(
    programme: Programme, name: str, organisation: Organisation, *, supervisor: bool = False
) -> Membership:
    email = f"{slugify(name)}.fbc@example.org"
    # Colleagues on the teams; only the supervisor signs in (hashing passwords is slow on purpose).
    password = DEMO_PASSWORD if supervisor else None
    user = User.objects.filter(email=email).first() or user_create(email=email, full_name=name, password=password)
    return membership_grant(
        actor=None, user=user, programme=programme, organisation=organisation, role=Role.OPERATOR,
        is_supervisor=supervisor,
    )  # fmt: skip


def _staff(programme: Programme) -> Staff:
    operator = Membership.objects.get(user__email=demo_email(programme, Role.OPERATOR), programme=programme)
    multi = Membership.objects.get(user__email=MULTI_OPERATOR_EMAIL, programme=programme)
    organisations = list(
        Organisation.objects.filter(
            partnerships__programme=programme, partnerships__role=Partnership.Role.PARTNER
        ).order_by("name")
    )
    by_organisation: dict[int, list[Membership]] = {operator.organisation_id: [operator, multi]}
    names = iter(OPERATORS)
    for organisation in organisations:
        if organisation.pk not in by_organisation:
            by_organisation[organisation.pk] = [_ensure_operator(programme, next(names), organisation)]
    _ensure_operator(programme, SUPERVISOR, operator.organisation, supervisor=True)
    organisations = [o for o in organisations if o.pk in by_organisation]
    if operator.organisation not in organisations:
        organisations.insert(0, operator.organisation)
    return Staff(by_organisation, operator, multi, organisations)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 30)))


def _backdate(model: type, pk: int, day: date) -> None:
    # Demo realism only: the services stamp "now"; the history should read like months of work.
    model.objects.filter(pk=pk).update(created_at=_at(day))
    if model is IntakeRequest:
        IntakeRequest.objects.filter(pk=pk, consent_at__isnull=False).update(consent_at=_at(day))


def _intake(programme: Programme, channel: str, name: str, rng: random.Random, *, minors: bool, message: str,
            signaller: User) -> IntakeRequest:  # fmt: skip
    municipality = rng.choice(list(programme.municipalities.all()))
    contact = intake_services.Contact(
        name=name, email=f"{slugify(name)}@example.org", municipality=municipality, has_minors=minors,
        message=message,
    )  # fmt: skip
    if channel == Channel.PUBLIC_FORM:
        return intake_services.intake_submit_public(programme=programme, contact=contact)
    return intake_services.intake_signal(actor=signaller, programme=programme, channel=channel, contact=contact)


def _signaller(programme: Programme, channel: str) -> User:
    role = Role.LAB_MANAGER if channel == Channel.LAB else Role.OPERATOR
    return User.objects.get(email=demo_email(programme, role))


def _lead_for(index: int, staff: Staff) -> Membership:
    """The demo operator leads every sixth case, the two-programme operator every ninth."""
    if index % 6 == 0:
        return staff.demo_operator
    if index % 9 == 4:
        return staff.multi_operator
    organisation = staff.organisations[index % len(staff.organisations)]
    return staff.by_organisation[organisation.pk][0]


def _members(programme: Programme, household_case: Case, surname: str, index: int, rng: random.Random) -> None:
    """Complete the household the triage created with its contact person: partner, children, a
    grandparent now and then."""
    today = timezone.localdate()
    household = household_case.household
    contact = household.primary_contact
    woman = index % 3 != 1
    person_update(
        actor=None, person=contact, expected_version=contact.version,
        fields={"birth_date": _birth_date(today, rng.randint(29, 49), rng), "gender": "F" if woman else "M",
                "languages": "arabo, italiano" if surname in {"El Amrani", "Benali", "Ahmed"} else "italiano"},
    )  # fmt: skip
    if index % 10 not in {3, 7}:  # three households in ten have one parent
        partner_name = rng.choice(MEN if woman else WOMEN)
        _person(
            programme, household, rng, first=partner_name, last=surname, age=rng.randint(30, 52),
            gender="M" if woman else "F", relation=HouseholdMember.Relation.PARTNER,
        )  # fmt: skip
    children = 0 if index % 11 == 5 else 1 + index % 3
    for n in range(children):
        age = CHILD_AGES[(index * 2 + n) % len(CHILD_AGES)]
        name = CHILDREN[(index + n * 7) % len(CHILDREN)]
        _person(
            programme, household, rng, first=name, last=surname, age=age, gender="F" if (index + n) % 2 else "M",
            relation=HouseholdMember.Relation.CHILD,
        )  # fmt: skip
    if index % 7 == 2:
        _person(
            programme, household, rng, first=rng.choice(WOMEN), last=surname, age=rng.randint(68, 84), gender="F",
            relation=HouseholdMember.Relation.GRANDPARENT,
        )  # fmt: skip


def _person(
    programme: Programme, household: Household, rng: random.Random, *, first: str, last: str, age: int, gender: str,
    relation: str,
) -> Person:  # fmt: skip
    birth_date = _birth_date(timezone.localdate(), age, rng)
    fields = {"first_name": first, "last_name": last, "birth_date": birth_date, "gender": gender}
    return person_create(
        actor=None, programme=programme, fields=fields, household=household, relation=relation, different_person=True
    )


def _progress(case: Case, rng: random.Random, *, plan: tuple[str, str, str], opened_on: date) -> None:
    """Move the case from A to its phase (backdating each step), then close it if planned."""
    phase, status, outcome = plan
    today = timezone.localdate()
    order = case_services.PHASE_ORDER
    steps = order[1 : order.index(phase) + 1]
    span = max((today - opened_on).days - 5, len(steps) + 2)
    days = sorted(rng.sample(range(1, span), len(steps) + 1))
    for step, offset in zip(steps, days, strict=False):
        case = case_services.case_move_phase(actor=None, case=case, expected_version=case.version, to_phase=step)
        _backdate(CasePhaseChange, case.phase_changes.latest("created_at", "id").pk, opened_on + timedelta(days=offset))
    if status == Case.Status.CLOSED:
        closed_on = min(opened_on + timedelta(days=days[-1]), today)
        case_services.case_close(
            actor=None, case=case, expected_version=case.version, outcome=outcome, closing_note=CLOSING_NOTES[outcome],
            closed_on=closed_on,
        )  # fmt: skip
        _backdate(CasePhaseChange, case.phase_changes.latest("created_at", "id").pk, closed_on)


def _household(programme: Programme, staff: Staff, index: int, rng: random.Random) -> None:
    surname = SURNAMES[index]
    phase = PLAN[index][0]
    channel = CHANNELS[index % len(CHANNELS)]
    today = timezone.localdate()
    # Closed and advanced cases started longer ago than the ones just opened.
    age_days = {"A": (10, 60), "B": (40, 150), "C": (90, 260), "D": (150, 420), "E": (300, 600)}[phase]
    opened_on = today - timedelta(days=rng.randint(*age_days))
    first = (WOMEN if index % 3 != 1 else MEN)[index % 20]
    request = _intake(programme, channel, f"{first} {surname}", rng, minors=index % 11 != 5, message="",
                      signaller=_signaller(programme, channel))  # fmt: skip
    _backdate(IntakeRequest, request.pk, opened_on - timedelta(days=rng.randint(1, 12)))
    lead = _lead_for(index, staff)
    lines = list(programme.action_lines.order_by("name"))
    new = intake_services.NewHousehold(
        label=f"Famiglia {surname}", municipality=request.municipality, first_name=first, last_name=surname
    )
    case = intake_services.intake_triage(
        actor=None, request=request, organisation=lead.organisation, lead=lead.user, new_household=new,
        action_line=lines[index % len(lines)] if lines and index % 5 else None, opened_on=opened_on,
    )  # fmt: skip
    _backdate(CasePhaseChange, case.phase_changes.get().pk, opened_on)
    _members(programme, case, surname, index, rng)
    if index % 8 == 3 and lead.pk != staff.demo_operator.pk:
        case_services.case_team_add(actor=None, case=case, member=staff.demo_operator)
    _progress(case, rng, plan=PLAN[index], opened_on=opened_on)


def load(log: Callable[[str], None]) -> None:
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        return
    if programme.households.filter(label=f"Famiglia {SURNAMES[0]}").exists():
        log("Demo cases already there.")
        return
    rng = random.Random(SEED)  # noqa: S311 — demo data, not security
    with transaction.atomic():
        staff = _staff(programme)
        for index in range(HOUSEHOLDS):
            _household(programme, staff, index, rng)
        for channel, name, minors, message in WAITING:
            request = _intake(programme, channel, name, rng, minors=minors, message=message,
                              signaller=_signaller(programme, channel))  # fmt: skip
            _backdate(IntakeRequest, request.pk, timezone.localdate() - timedelta(days=rng.randint(1, 9)))
        for channel, name, reason in CLOSED_WITHOUT_CASE:
            request = _intake(programme, channel, name, rng, minors=False, message="",
                              signaller=_signaller(programme, channel))  # fmt: skip
            intake_services.intake_close(actor=None, request=request, reason=reason)
    log(f"Demo cases: {HOUSEHOLDS} households of {programme.name}, {len(WAITING)} requests to triage.")
