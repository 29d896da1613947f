"""Demo data of the work plan of #genera_azioni (seed 004, "piano integrato lavoro"): companies of
the Bassa Bresciana Orientale and a temporary-work agency with their openings, job seekers followed
by a case, placements in every state of the pipeline (with internship grants and hiring incentives),
training courses recorded as pathways, an opening sent through the public form waiting for review,
and a company login (`COMPANY_EMAIL`) that sees its openings and the candidates who consented.

Everything goes through the services (`actor=None`, the system), deterministic and idempotent: the
step does nothing when the programme already has its demo openings. The seed names no company,
person or figure: names are invented and marked "dimostrativo"; amounts are plausible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from trama.accounts.models import Role, User
from trama.accounts.services import membership_grant, user_create
from trama.casework.models import Channel
from trama.casework.services import intake as intake_services
from trama.core.demo.users import DEMO_PASSWORD, demo_email
from trama.funding.models import FundingSource
from trama.network.models import Organisation, Partnership
from trama.people.models import Consent
from trama.people.services import consent_record
from trama.territory.models import Municipality, Programme
from trama.work import services
from trama.work.models import JobSeeker, Opening, Placement
from trama.work.services import Step

SLUG = "genera-azioni"
COMPANY_EMAIL = "azienda.genera@example.org"
D = Decimal

# name, municipality, contact e-mail
COMPANIES = [
    ("Logistica del Chiese Srl (dimostrativo)", "Montichiari", "lavoro@logistica-chiese.example.org"),
    ("Caseificio della Bassa (dimostrativo)", "Visano", "info@caseificio-bassa.example.org"),
    ("Carpenteria Calcinato Srl (dimostrativo)", "Calcinato", "ufficio@carpenteria-calcinato.example.org"),
    ("Agriturismo La Cascina (dimostrativo)", "Remedello", "cascina@example.org"),
    ("Supermercato Carpenedolo (dimostrativo)", "Carpenedolo", "personale@super-carpenedolo.example.org"),
    ("RSA Isorella (dimostrativo)", "Isorella", "direzione@rsa-isorella.example.org"),
    ("Agenzia per il lavoro Bassa Bresciana (dimostrativo)", "Calvisano", "filiale@agenzia-bassa.example.org"),
]


@dataclass(frozen=True)
class OpeningSeed:
    key: str
    company: int
    title: str
    sector: str
    contract: str
    hours: int
    town: str
    skills: tuple[str, ...]
    shifts: tuple[str, ...] = ("morning", "afternoon")
    licence: bool = False
    positions: int = 1


OPENINGS = [
    OpeningSeed(
        "magazzino", 0, "Magazziniere", "logistics", "internship", 38, "Montichiari", ("warehouse", "forklift")
    ),
    OpeningSeed(
        "autista", 0, "Autista consegne", "logistics", "fixed_term", 40, "Montichiari", ("driving",), licence=True
    ),
    OpeningSeed(
        "casaro", 1, "Aiuto casaro", "food", "internship", 36, "Visano", ("food_processing",), shifts=("morning",)
    ),
    OpeningSeed("saldatore", 2, "Saldatore", "manufacturing", "permanent", 40, "Calcinato", ("metalwork",)),
    OpeningSeed(
        "cucina",
        3,
        "Aiuto cuoco",
        "hospitality",
        "fixed_term",
        24,
        "Remedello",
        ("cooking",),
        shifts=("evening", "weekend"),
    ),
    OpeningSeed(
        "cassa", 4, "Addetta alla cassa", "retail", "internship", 25, "Carpenedolo", ("retail", "customer_service")
    ),
    OpeningSeed(
        "oss",
        5,
        "Assistente familiare in RSA",
        "care",
        "fixed_term",
        30,
        "Isorella",
        ("elderly_care",),
        shifts=("morning", "afternoon", "weekend"),
        positions=2,
    ),
    OpeningSeed(
        "linea",
        6,
        "Operaio di linea (somministrazione)",
        "manufacturing",
        "fixed_term",
        40,
        "Calvisano",
        ("production_line",),
        positions=3,
    ),
    OpeningSeed("pulizie", 6, "Addetto alle pulizie", "cleaning", "fixed_term", 20, "Montichiari", ("cleaning",)),
]


@dataclass(frozen=True)
class SeekerSeed:
    first: str
    last: str
    gender: str
    town: str
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    sectors: tuple[str, ...]
    hours: str = "any"
    shifts: tuple[str, ...] = ()
    licence: bool = False
    constraints: str = ""
    education: str = "lower_secondary"
    months_ago: int = 8


SEEKERS = [
    SeekerSeed(
        "Marco",
        "Zanola",
        "M",
        "Montichiari",
        ("warehouse", "forklift"),
        ("it",),
        ("logistics",),
        "full_time",
        ("morning", "afternoon"),
        True,
        months_ago=10,
    ),
    SeekerSeed(
        "Fatima",
        "El Idrissi",
        "F",
        "Calcinato",
        ("cleaning", "cooking"),
        ("ar", "fr", "it"),
        ("hospitality", "cleaning"),
        "part_time",
        ("morning",),
        constraints="Bambini da prendere a scuola alle 16",
        months_ago=9,
    ),
    SeekerSeed(
        "Ioana",
        "Popa",
        "F",
        "Isorella",
        ("elderly_care", "cleaning"),
        ("ro", "it"),
        ("care",),
        "any",
        ("morning", "afternoon", "weekend"),
        months_ago=12,
    ),
    SeekerSeed(
        "Davide",
        "Bonetti",
        "M",
        "Calcinato",
        ("metalwork", "mechanics"),
        ("it",),
        ("manufacturing",),
        "full_time",
        ("morning", "afternoon", "night"),
        True,
        education="vocational",
        months_ago=7,
    ),
    SeekerSeed(
        "Sara",
        "Treccani",
        "F",
        "Carpenedolo",
        ("retail", "customer_service", "computer"),
        ("it", "en"),
        ("retail", "office"),
        "part_time",
        ("morning", "afternoon"),
        education="upper_secondary",
        months_ago=5,
    ),
    SeekerSeed(
        "Ardit",
        "Hoxha",
        "M",
        "Remedello",
        ("cooking", "waiting"),
        ("sq", "it"),
        ("hospitality",),
        "any",
        ("evening", "weekend"),
        True,
        months_ago=4,
    ),
    SeekerSeed(
        "Giulia",
        "Pasini",
        "F",
        "Visano",
        ("food_processing", "agriculture"),
        ("it",),
        ("food",),
        "full_time",
        ("morning",),
        True,
        months_ago=3,
    ),
    SeekerSeed(
        "Mamadou",
        "Diallo",
        "M",
        "Montichiari",
        ("production_line", "warehouse"),
        ("fr", "it"),
        ("manufacturing", "logistics"),
        "full_time",
        ("morning", "afternoon", "night"),
        months_ago=3,
    ),
    SeekerSeed(
        "Roberta",
        "Gatti",
        "F",
        "Montichiari",
        ("office", "accounting", "computer"),
        ("it",),
        ("office",),
        "part_time",
        ("morning",),
        constraints="Assiste la madre anziana il pomeriggio",
        education="upper_secondary",
        months_ago=2,
    ),
    SeekerSeed(
        "Youssef",
        "Benali",
        "M",
        "Calvisano",
        ("production_line",),
        ("ar", "it"),
        ("manufacturing",),
        "full_time",
        ("morning", "afternoon", "night"),
        months_ago=6,
    ),
]

# (seeker index, opening key, the steps after the proposal), in this order: an opening is filled once
# its positions are, and is then closed to new proposals.
PIPELINE: list[tuple[int, str, list[str]]] = [
    (7, "magazzino", []),  # proposed, then the position goes to someone else
    (0, "magazzino", ["interview", "internship", "hired"]),  # internship then hired: the whole pipeline
    (6, "casaro", ["interview", "internship"]),  # internship running
    (3, "saldatore", ["interview", "hired"]),  # hired directly
    (2, "oss", ["interview", "hired"]),
    (1, "pulizie", ["interview"]),  # interview
    (4, "cassa", []),  # proposed
    (5, "cucina", ["interview", "internship", "not_selected"]),  # internship interrupted
    (9, "linea", ["not_selected"]),  # not selected after the proposal
    (7, "linea", ["interview"]),
]


def _company(programme: Programme, name: str, town: str, email: str) -> Organisation:
    municipality = Municipality.objects.get(name=town, province_code="BS")
    return services.company_register(actor=None, programme=programme, name=name, municipality=municipality, email=email)


def _company_user(programme: Programme, company: Organisation) -> None:
    user = User.objects.filter(email=COMPANY_EMAIL).first() or user_create(
        email=COMPANY_EMAIL, full_name="Referente aziendale #genera_azioni", password=DEMO_PASSWORD
    )
    membership_grant(actor=None, user=user, programme=programme, organisation=company, role=Role.COMPANY)


def _seeker(
    programme: Programme, seed: SeekerSeed, operator: User, organisation: Organisation, today: date
) -> JobSeeker:
    town = Municipality.objects.get(name=seed.town, province_code="BS")
    email = f"{seed.first}.{seed.last}".lower().replace(" ", "") + "@example.org"
    contact = intake_services.Contact(name=f"{seed.first} {seed.last}", email=email, municipality=town)
    request = intake_services.intake_signal(
        actor=operator, programme=programme, channel=Channel.PARTNER, contact=contact, organisation=organisation
    )
    opened_on = today - timedelta(days=seed.months_ago * 30 + 20)
    case = intake_services.intake_triage(
        actor=None,
        request=request,
        organisation=organisation,
        lead=operator,
        opened_on=opened_on,
        new_household=intake_services.NewHousehold(
            label=f"Famiglia {seed.last}", municipality=town, first_name=seed.first, last_name=seed.last
        ),
        action_line=programme.action_lines.filter(code="piano-lavoro").first(),
    )
    person = case.household.primary_contact
    person.gender = seed.gender
    person.save(update_fields=["gender"])
    return services.seeker_create(
        actor=None,
        case=case,
        person=person,
        fields={
            "municipality": town,
            "started_on": today - timedelta(days=seed.months_ago * 30),
            "skills": list(seed.skills),
            "languages": list(seed.languages),
            "desired_sectors": list(seed.sectors),
            "hours": seed.hours,
            "shifts": list(seed.shifts),
            "driving_licence": seed.licence,
            "has_car": seed.licence,
            "constraints": seed.constraints,
            "education": seed.education,
            "max_distance_km": 30 if seed.licence else 15,
        },
    )


def _walk(placement: Placement, steps: list[str], start: date, source: FundingSource | None, today: date) -> None:
    day = start
    for status in steps:
        day = min(day + timedelta(days=12), today)
        placement.refresh_from_db()
        step = Step(to_status=status, on=day)
        if status == "internship":
            step = Step(
                to_status=status,
                on=day,
                internship_start=day,
                internship_end=day + timedelta(days=120),
                grant_amount=D("500.00"),
                grant_months=4,
                grant_source=source,
            )
            day = min(day + timedelta(days=100), today)
        elif status == "hired":
            step = Step(
                to_status=status,
                on=day,
                hiring_contract="permanent" if placement.opening.contract == "permanent" else "fixed_term",
                incentive_amount=D("3000.00"),
                incentive_source=source,
            )
        elif status == "not_selected":
            step = Step(to_status=status, on=day, reason="Il percorso non è proseguito (dimostrativo)")
        services.placement_move(actor=None, placement=placement, expected_version=placement.version, step=step)


def load(log: Callable[[str], None]) -> None:
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        return
    if Opening.objects.filter(programme=programme).exists():
        log("Demo work plan already there.")
        return
    today = timezone.localdate()
    operator = User.objects.get(email=demo_email(programme, Role.OPERATOR))
    organisation = (
        Partnership.objects.filter(programme=programme, organisation__memberships__user=operator)
        .select_related("organisation")
        .first()
        .organisation
    )
    source = FundingSource.objects.filter(programme=programme).order_by("position", "name").first()
    with transaction.atomic():
        companies = [_company(programme, *row) for row in COMPANIES]
        _company_user(programme, companies[0])
        openings = {}
        for seed in OPENINGS:
            openings[seed.key] = services.opening_create(
                actor=None,
                programme=programme,
                fields={
                    "company": companies[seed.company],
                    "title": seed.title,
                    "sector": seed.sector,
                    "contract": seed.contract,
                    "hours_per_week": seed.hours,
                    "skills": list(seed.skills),
                    "shifts": list(seed.shifts),
                    "positions": seed.positions,
                    "driving_licence_required": seed.licence,
                    "starts_on": today + timedelta(days=30),
                    "municipality": Municipality.objects.get(name=seed.town, province_code="BS"),
                    "description": "Offerta dimostrativa del piano integrato lavoro.",
                },
            )
        seekers = [_seeker(programme, seed, operator, organisation, today) for seed in SEEKERS]
        for index, key, steps in PIPELINE:
            seeker, opening = seekers[index], openings[key]
            opening.refresh_from_db()
            start = seeker.started_on + timedelta(days=20)
            placement = services.placement_propose(actor=None, opening=opening, seeker=seeker, on=start)
            _walk(placement, steps, start, source, today)
        # The company login sees the candidates proposed to it who agreed to share their details.
        for index in (0, 7):
            consent_record(
                actor=None,
                person=seekers[index].person,
                fields={
                    "purpose": Consent.Purpose.SHARING,
                    "partner": companies[0],
                    "given_on": seekers[index].started_on,
                },
            )
        services.pathway_record(
            actor=None,
            seeker=seekers[7],
            kind="training",
            title="Corso per carrellisti (dimostrativo)",
            organisation=organisation,
            start_date=today - timedelta(days=60),
            end_date=today - timedelta(days=45),
            skill="forklift",
        )
        services.pathway_record(
            actor=None,
            seeker=seekers[8],
            kind="skill_exchange",
            title="Scambio di competenze: contabilità di base al Punto di comunità (dimostrativo)",
            organisation=organisation,
            start_date=today - timedelta(days=20),
        )
        services.opening_submit_public(
            programme=programme,
            fields={
                "company_name": "Panificio Acquafredda (dimostrativo)",
                "contact_name": "Laura Ferri",
                "contact_email": "panificio@example.org",
                "title": "Aiuto panettiere",
                "sector": "food",
                "contract": "internship",
                "hours_per_week": 30,
                "shifts": ["night", "morning"],
                "skills": ["food_processing"],
                "municipality": Municipality.objects.get(name="Acquafredda", province_code="BS"),
            },
        )
    log(f"Demo work plan: {len(companies)} companies, {len(OPENINGS) + 1} openings, {len(seekers)} job seekers.")
