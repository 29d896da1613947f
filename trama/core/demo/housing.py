"""Demo data of the housing plan of #genera_azioni (seed 004, "Piano integrato casa"): households
followed by a case looking for a home, dwellings offered by private owners and an estate agency
(some at a capped rent, "canone concordato"), two households housed with a rent guarantee and one
draw on the fund, a solidarity co-housing, and a social caretaker's estate with its logbook.

Through the services, with `actor=None` (the system); idempotent: the step does nothing when the
programme already has its demo dwellings. Names, addresses and amounts are illustrative
("dimostrativo"): the seed gives none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from trama.accounts.models import Membership, Role, User
from trama.accounts.services import membership_grant, user_create
from trama.casework.models import Case
from trama.casework.services import intake as intake_services
from trama.core.demo.users import DEMO_PASSWORD, demo_email
from trama.funding.models import FundingSource
from trama.housing import services
from trama.housing.models import Dwelling
from trama.network.models import Organisation, Partnership
from trama.network.services import organisation_ensure, partnership_set
from trama.territory.models import ActionLine, Municipality, Programme

SLUG = "genera-azioni"
D = Decimal
CARETAKER_EMAIL = "custode.genera@example.org"
CARETAKER_NAME = "Custode sociale #genera_azioni"
AGENCY = "Agenzia Immobiliare Bassa Bresciana (dimostrativo)"
# (label, first name, last name, municipality, rooms, budget, step-free, preferred municipalities)
HOUSEHOLDS = [
    ("Famiglia Bertoli", "Sara", "Bertoli", "Montichiari", 3, "550.00", False, ["Montichiari", "Calcinato"]),
    ("Famiglia Haddad", "Karim", "Haddad", "Carpenedolo", 2, "450.00", False, ["Carpenedolo"]),
    ("Famiglia Zanetti", "Piera", "Zanetti", "Calvisano", 2, "420.00", True, []),
    ("Famiglia Popescu", "Ioana", "Popescu", "Montichiari", 3, "600.00", False, ["Montichiari"]),
    ("Famiglia Rinaldi", "Marta", "Rinaldi", "Calcinato", 1, "380.00", False, ["Calcinato", "Montichiari"]),
    ("Famiglia Okafor", "Grace", "Okafor", "Remedello", 2, "400.00", False, []),
]
# (address, municipality, rooms, m², rent, capped, step-free, days from today, owner or None for the agency)
DWELLINGS = [
    ("Via Mazzini 14", "Montichiari", 3, 85, "520.00", True, False, -130, "Giovanni Treccani"),
    ("Via Roma 3", "Carpenedolo", 2, 60, "430.00", True, False, -125, "Lucia Ghidini"),
    ("Piazza Garibaldi 8", "Calvisano", 2, 65, "410.00", True, True, 0, None),
    ("Via Brescia 51", "Montichiari", 4, 110, "690.00", False, False, 20, None),
    ("Via Dante 22", "Calcinato", 1, 45, "360.00", False, False, -5, "Franco Baresi"),
    ("Via Verdi 9", "Remedello", 2, 70, "450.00", False, True, 45, None),
    ("Corte San Rocco 2", "Calcinato", 4, 120, "640.00", True, False, -60, "Angela Bonfadini"),
    ("Via Carducci 5", "Visano", 3, 80, "480.00", False, False, 10, "Pietro Lazzari"),
]
LOG = [  # (days ago, kind, text)
    (40, "visit", "Primo giro del quartiere con l'amministratore: presentazione del custode sociale alle famiglie."),
    (33, "issue", "Segnalata dall'inquilina del civico 4 l'illuminazione delle scale guasta da una settimana."),
    (30, "follow_up", "L'amministratore ha fatto riparare l'illuminazione; verificato con l'inquilina."),
    (21, "visit", "Incontro in cortile con le famiglie del lotto B sulla raccolta differenziata."),
    (14, "referral", "Un anziano solo del lotto C chiede aiuto per la spesa: inviato al Punto di comunità."),
    (6, "issue", "Muffa in un alloggio del lotto A: la famiglia chiede un sopralluogo."),
]


def _household_case(programme: Programme, row: tuple, operator: Membership, line: ActionLine | None) -> Case:
    label, first, last, place, *_rest = row
    municipality = Municipality.objects.get(name=place, province_code="BS")
    contact = intake_services.Contact(
        name=f"{first} {last}",
        email=f"{slugify(first)}.{slugify(last)}@example.org",
        municipality=municipality,
        message="Sfratto per morosità incolpevole: cerca un alloggio in affitto (dimostrativo).",
    )
    request = intake_services.intake_submit_public(programme=programme, contact=contact)
    return intake_services.intake_triage(
        actor=None,
        request=request,
        organisation=operator.organisation,
        lead=operator.user,
        new_household=intake_services.NewHousehold(
            label=label, municipality=municipality, first_name=first, last_name=last
        ),
        action_line=line,
        opened_on=timezone.localdate() - timedelta(days=150),
    )


def _caretaker(programme: Programme, organisation: Organisation) -> Membership:
    user = User.objects.filter(email=CARETAKER_EMAIL).first() or user_create(
        email=CARETAKER_EMAIL, full_name=CARETAKER_NAME, password=DEMO_PASSWORD
    )
    return membership_grant(actor=None, user=user, programme=programme, organisation=organisation, role=Role.OPERATOR)


def _dwellings(programme: Programme, agency: Organisation) -> list[Dwelling]:
    today = timezone.localdate()
    made = []
    for address, place, rooms, area, rent, capped, step_free, days, owner in DWELLINGS:
        fields = {
            "address": address,
            "municipality": Municipality.objects.get(name=place, province_code="BS"),
            "rooms": rooms,
            "area_m2": area,
            "monthly_rent": D(rent),
            "capped_rent": capped,
            "step_free": step_free,
            "available_from": today + timedelta(days=days),
        }
        if owner:
            fields.update(
                offered_by=Dwelling.OfferedBy.PRIVATE, owner_name=f"{owner} (dimostrativo)", owner_phone="030 000 0000"
            )
        else:
            fields.update(offered_by=Dwelling.OfferedBy.ORGANISATION, organisation=agency)
        made.append(services.dwelling_create(actor=None, programme=programme, fields=fields))
    return made


def _build(programme: Programme) -> None:
    today = timezone.localdate()
    operator = Membership.objects.get(user__email=demo_email(programme, Role.OPERATOR), programme=programme)
    line = ActionLine.objects.filter(programme=programme, code="piano-casa").first()
    agency = organisation_ensure(name=AGENCY, kind=Organisation.Kind.COMPANY)
    if not Partnership.objects.filter(programme=programme, organisation=agency).exists():
        partnership_set(actor=None, programme=programme, organisation=agency, role=Partnership.Role.NETWORK)
    cases = [_household_case(programme, row, operator, line) for row in HOUSEHOLDS]
    searches = []
    for case, row in zip(cases, HOUSEHOLDS, strict=True):
        preferred = [Municipality.objects.get(name=name, province_code="BS") for name in row[7]]
        searches.append(
            services.search_create(
                actor=None,
                case=case,
                rooms_needed=row[4],
                max_rent=D(row[5]),
                needs_step_free=row[6],
                municipalities=preferred,
                needed_from=today - timedelta(days=90),
            )
        )
    dwellings = _dwellings(programme, agency)
    grant = FundingSource.objects.filter(programme=programme, kind=FundingSource.Kind.GRANT).first()
    services.fund_deposit(
        actor=None,
        programme=programme,
        amount=D("15000.00"),
        received_on=today - timedelta(days=200),
        source=grant,
        source_note="" if grant else "Contributo Fondazione Cariplo (dimostrativo)",
    )
    services.fund_deposit(
        actor=None,
        programme=programme,
        amount=D("2500.00"),
        received_on=today - timedelta(days=100),
        source_note="Donazione della Cassa Rurale locale (dimostrativo)",
    )
    # Two households housed at capped rents, each with a guarantee; one tenant could not pay a month.
    starts = today - timedelta(days=120)
    for search, dwelling, amount in ((searches[0], dwellings[0], "1560.00"), (searches[1], dwellings[1], "1290.00")):
        tenancy = services.tenancy_create(
            actor=None, search=search, dwelling=dwelling, starts_on=starts, monthly_rent=dwelling.monthly_rent
        )
        guarantee = services.guarantee_grant(actor=None, tenancy=tenancy, amount=D(amount), months=12, starts_on=starts)
    services.guarantee_draw(
        actor=None,
        guarantee=guarantee,
        amount=D("430.00"),
        drawn_on=today - timedelta(days=25),
        reason="Affitto del mese non pagato: cassa integrazione in ritardo (dimostrativo)",
    )
    services.cohousing_create(
        actor=None,
        programme=programme,
        dwelling=dwellings[3],
        title="Coabitazione solidale di Via Brescia",
        starts_on=today - timedelta(days=45),
        households=[cases[3].household, cases[5].household],
        terms=(
            "Le due famiglie condividono cucina e soggiorno; le spese comuni sono divise a metà; una riunione "
            "al mese con l'operatore del Piano casa (accordo dimostrativo)."
        ),
    )
    estate = services.building_create(
        actor=None,
        programme=programme,
        name="Villaggio Sereno (dimostrativo)",
        address="Via Trento 2",
        municipality=Municipality.objects.get(name="Montichiari", province_code="BS"),
        kind="estate",
        units=84,
    )
    services.caretaker_add(actor=None, building=estate, member=_caretaker(programme, operator.organisation))
    point = (
        Organisation.objects.filter(partnerships__programme=programme).exclude(pk=agency.pk).order_by("name").first()
    )
    previous = None
    for days, kind, text in LOG:
        previous = services.log_entry_create(
            actor=None,
            building=estate,
            kind=kind,
            occurred_on=today - timedelta(days=days),
            text=text,
            follow_up_of=previous if kind == "follow_up" else None,
            referred_to=point if kind == "referral" else None,
        )


def load(log: Callable[[str], None]) -> None:
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None or Dwelling.objects.filter(programme=programme).exists():
        return
    with transaction.atomic():
        _build(programme)
    log(
        f"{programme.name}: housing plan — {Dwelling.objects.filter(programme=programme).count()} dwellings, "
        "guarantees, a co-housing, a social caretaker's logbook."
    )
