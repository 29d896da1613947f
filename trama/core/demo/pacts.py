"""Demo patti gener-attivi (seed 003): forty pacts in Wel(l)FARE legami and a few in Fare
#BeneComune, in every status — drafts, signed, active (some with a new version waiting to be
signed, some with a review behind them), in review, completed and interrupted — with money
requested, approved, refused and paid, and hours given back, confirmed and still to confirm.

Wel(l)FARE legami has no demo cases from the casework step: its households come in here as
signals of the programme's operators, triaged into cases, all through the casework services. A
community lab run by the demo lab manager's organisation and two citizen groups join its network
so that every role has something to see. Names, places and figures are illustrative.

Everything goes through the services (people sign in as the roles who would act); only a few
dates are moved back afterwards, so the history reads like months of work. Deterministic (a fixed
seed) and idempotent: nothing happens when the first demo household of the pacts is there.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from trama.accounts.models import Membership, Role, User
from trama.accounts.services import membership_grant, user_create
from trama.activities.models import Activity
from trama.casework.models import Case, Channel
from trama.casework.services import cases as case_services
from trama.casework.services import intake as intake_services
from trama.core.demo.users import MULTI_OPERATOR_EMAIL, demo_email
from trama.network.models import CitizenGroup, CommunityPlace, Organisation, TaxonomyTerm
from trama.network.services import group_save, organisation_ensure, place_save
from trama.pacts.models import BudgetLine, Commitment, Disbursement, Pact
from trama.pacts.services import giving_back, money, reviews
from trama.pacts.services import pacts as pact_services
from trama.pacts.services.common import add_months
from trama.pacts.services.pacts import PactText
from trama.pacts.services.reviews import CommitmentOutcome
from trama.territory.models import Municipality, Programme

SEED = 3003
LEGAMI = "wellfare-legami"
FBC = "fare-benecomune"
ILLUSTRATIVE = "Dati dimostrativi: il documento del programma non nomina questo luogo."

# The forty pacts of Wel(l)FARE legami, by what happens to them.
LEGAMI_PLAN = (
    ["draft_partial"] * 2 + ["draft"] * 3 + ["signed"] * 4 + ["active"] * 16 + ["in_review"] * 5
    + ["completed"] * 6 + ["interrupted_at_review"] * 2 + ["interrupted"] * 2
)  # fmt: skip
FBC_PLAN = ["draft", "signed", "active", "active", "active", "active", "in_review", "completed"]

SURNAMES = [
    "Bonetti", "Ferrari", "Manfredini", "Vailati", "Bertoletti", "Ghidetti", "Lanzoni", "Zanoni", "Arcari", "Bodini",
    "Ferrari Sonzogni", "Guarneri", "Pedretti", "Rossetti", "Soldi", "Tonoli", "Varesi", "Zucchi", "Amigoni", "Bellini",
    "Cavalli", "Dossena", "Fiorentini", "Galbignani", "Lodigiani", "Mainardi", "Negri", "Orlandelli", "Piccioni",
    "Ruggeri", "Sarzi", "Tedoldi", "Uggeri", "Visconti", "Boateng", "Rahmani", "Stan", "Kaur", "Ndiaye", "Morales",
]  # fmt: skip
FIRST_NAMES = [
    "Laura", "Marco", "Silvia", "Giovanni", "Elisa", "Mohamed", "Rosa", "Paolo", "Ana", "Franca", "Luca", "Simona",
    "Samuel", "Irina", "Giulia", "Ahmed", "Patrizia", "Diego", "Fatou", "Carla",
]  # fmt: skip
OBJECTIVES = [
    "Trovare un lavoro stabile entro sei mesi e pagare l'affitto con regolarità.",
    "Finire il corso di operatrice socio-sanitaria e cominciare un tirocinio in una casa di riposo.",
    "Rimettermi in pari con le bollette e imparare a tenere il bilancio della famiglia mese per mese.",
    "Prendere la patente, così posso accettare il lavoro con i turni del mattino.",
    "Garantire ai bambini la mensa e il doposcuola mentre io lavoro.",
    "Avviare una piccola attività di sartoria in casa e farmi conoscere nel quartiere.",
    "Trovare una casa adatta alla famiglia ed evitare lo sfratto.",
    "Curare i denti e tornare a cercare lavoro con più fiducia.",
    "Uscire dall'isolamento, conoscere i vicini e avere qualcuno a cui chiedere aiuto.",
    "Frequentare il corso di italiano e ottenere la certificazione A2.",
]
# For each objective: the budget lines (purpose, what for, source, euro) and the commitment.
LINES = [
    [("housing", "Quattro mensilità di affitto", "foundation", 1800),
     ("training", "Corso di inglese", "fundraising", 240)],
    [("training", "Iscrizione al corso OSS", "partner", 1150),
     ("transport", "Abbonamento del treno", "municipality", 324)],
    [("utilities", "Bollette arretrate di luce e gas", "municipality", 612),
     ("other", "Materiale per la casa", "fundraising", 95)],
    [("transport", "Scuola guida ed esame", "foundation", 980),
     ("transport", "Abbonamento dell'autobus", "municipality", 210)],
    [("childcare", "Mensa scolastica dei bambini", "municipality", 540),
     ("childcare", "Doposcuola", "foundation", 360)],
    [("work", "Macchina da cucire e stoffe", "partner", 860),
     ("training", "Corso di taglio e cucito", "foundation", 300)],
    [("housing", "Caparra del nuovo alloggio", "foundation", 1500),
     ("housing", "Trasloco", "fundraising", 420)],
    [("health", "Cure dentistiche", "foundation", 1320),
     ("transport", "Viaggi per le visite", "fundraising", 80)],
    [("other", "Iscrizione all'associazione sportiva", "fundraising", 150),
     ("transport", "Abbonamento dell'autobus", "municipality", 210)],
    [("training", "Corso ed esame di italiano A2", "foundation", 390),
     ("childcare", "Baby sitter durante il corso", "fundraising", 280)],
]  # fmt: skip
COMMITMENTS = [
    ("Aiuto nel doposcuola del martedì", "place", 30),
    ("Accoglienza allo sportello di ascolto", "place", 24),
    ("Cura dell'orto condiviso", "group", 20),
    ("Piccole riparazioni per il laboratorio", "place", 16),
    ("Aiuto nella festa di quartiere", "group", 12),
    ("Affiancamento ai ragazzi del doposcuola", "activity", 20),
]
MISSED_REASONS = [
    "Ha iniziato un lavoro con turni serali: concordato un nuovo orario.",
    "Due mesi di malattia di un figlio.",
    "Il laboratorio è rimasto chiuso per lavori.",
]
INTERRUPTIONS = [
    "La famiglia si è trasferita in un'altra provincia.",
    "La beneficiaria ha chiesto di interrompere il patto: ha trovato un lavoro a tempo pieno.",
    "Non più reperibile dopo tre tentativi di contatto.",
]
REFUSALS = ["Spesa già coperta dal contributo comunale.", "Preventivo da rivedere: chiedere un secondo preventivo."]
ASSESSMENTS = [
    "La famiglia partecipa con impegno; il lavoro cercato non è ancora arrivato ma i colloqui sono aumentati.",
    "Buoni progressi: bollette in regola, bilancio tenuto ogni mese. Da rafforzare la rete di vicinato.",
    "Fatica a rispettare gli orari al laboratorio per i turni di lavoro; rivisti insieme gli impegni.",
]


@dataclass
class Network:
    """Who acts and where, in one programme."""

    programme: Programme
    coordinator: User
    lab_manager: User
    leads: list[Membership]
    places: list[CommunityPlace]
    lab_places: set[int]  # places run by the demo lab manager's organisation
    groups: list[CitizenGroup]
    activities: list[Activity]
    funders: dict[str, list[Organisation]]


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11, 0)))


def _amount(rng: random.Random, euro: int) -> Decimal:
    """An amount near `euro`, with cents: real budgets are rarely round."""
    return Decimal(int(euro * 100 * rng.uniform(0.9, 1.1))) / 100


# --- The network of each programme ------------------------------------------------------------


def _operator(programme: Programme, name: str, organisation: Organisation, short: str) -> Membership:
    email = f"{slugify(name)}.{short}@example.org"
    user = User.objects.filter(email=email).first() or user_create(email=email, full_name=name)
    return membership_grant(actor=None, user=user, programme=programme, organisation=organisation, role=Role.OPERATOR)


def _legami_network(programme: Programme) -> Network:
    lab_manager = User.objects.get(email=demo_email(programme, Role.LAB_MANAGER))
    lab_org = Membership.objects.get(user=lab_manager, programme=programme, role=Role.LAB_MANAGER).organisation
    soresina = Municipality.objects.get(istat_code="019098")
    place = CommunityPlace.objects.filter(programme=programme, name="Laboratorio di Comunità di Soresina").first()
    if place is None:
        place = place_save(
            actor=None, programme=programme,
            fields={
                "kind": CommunityPlace.Kind.COMMUNITY_LAB, "name": "Laboratorio di Comunità di Soresina",
                "description": f"Wel(l)FARE legami. {ILLUSTRATIVE}", "managing_organisation": lab_org,
                "address": "Via Matteotti 7", "municipality": soresina, "latitude": Decimal("45.28700"),
                "longitude": Decimal("9.85700"), "is_published": True,
            },
            services=list(TaxonomyTerm.objects.filter(vocabulary="service", code__in=["mutual-aid", "job-desk"])),
        )  # fmt: skip
    for name, istat, neighbourhood in (
        ("Orto solidale del Cambonino", "019036", "Cambonino"), ("Banca del tempo di Crema", "019035", "Centro")
    ):  # fmt: skip
        if not CitizenGroup.objects.filter(programme=programme, name=name).exists():
            group_save(
                actor=None, programme=programme,
                fields={
                    "name": name, "description": f"Gruppo informale di cittadini. {ILLUSTRATIVE}",
                    "neighbourhood": neighbourhood, "municipality": Municipality.objects.get(istat_code=istat),
                    "location_precision": CitizenGroup.Precision.MUNICIPALITY, "contact_name": f"Referente {name}",
                    "contact_email": f"{slugify(name)}@example.org", "contact_consent_on": date(2016, 3, 1),
                    "is_published": True,
                },
            )  # fmt: skip
    operator = Membership.objects.get(user__email=demo_email(programme, Role.OPERATOR), programme=programme)
    multi = Membership.objects.get(user__email=MULTI_OPERATOR_EMAIL, programme=programme)
    leads = [operator, multi] + [
        _operator(programme, name, Organisation.objects.get(name=org), "legami")
        for name, org in (
            ("Chiara Rossetti", "Comunità sociale Cremasca"),
            ("Stefano Guarneri", "Consorzio Casalasco dei Servizi Sociali"),
            ("Anna Sarzi", "Consorzio Sol.co Cremona"),
        )
    ]  # fmt: skip
    cariplo = organisation_ensure(name="Fondazione Cariplo", kind=Organisation.Kind.FOUNDATION)
    return Network(
        programme=programme,
        coordinator=User.objects.get(email=demo_email(programme, Role.COORDINATOR)),
        lab_manager=lab_manager,
        leads=leads,
        places=list(CommunityPlace.objects.filter(programme=programme).order_by("name")),
        lab_places={place.pk},
        groups=list(CitizenGroup.objects.filter(programme=programme).order_by("name")),
        activities=list(Activity.objects.filter(programme=programme).order_by("title")),
        funders={
            "foundation": [cariplo, Organisation.objects.get(name="Fondazione Comunitaria Provincia di Cremona")],
            "municipality": [Organisation.objects.get(name=n) for n in ("Comune di Cremona", "Comune di Crema")],
            "partner": [Organisation.objects.get(name=n)
                        for n in ("Consorzio Sol.co Cremona", "Confcooperative Cremona")],
        },
    )  # fmt: skip


def _fbc_network(programme: Programme) -> Network:
    lab_manager = User.objects.get(email=demo_email(programme, Role.LAB_MANAGER))
    lab_orgs = Membership.objects.filter(user=lab_manager, programme=programme, role=Role.LAB_MANAGER).values(
        "organisation"
    )
    places = list(CommunityPlace.objects.filter(programme=programme).order_by("name"))
    return Network(
        programme=programme,
        coordinator=User.objects.get(email=demo_email(programme, Role.COORDINATOR)),
        lab_manager=lab_manager,
        leads=[],
        places=places,
        lab_places=set(CommunityPlace.objects.filter(programme=programme, managing_organisation__in=lab_orgs)
                       .values_list("pk", flat=True)),
        groups=list(CitizenGroup.objects.filter(programme=programme).order_by("name")),
        activities=list(
            Activity.objects.filter(programme=programme, status=Activity.Status.ACTIVE).order_by("title")[:6]
        ),
        funders={
            "foundation": [organisation_ensure(name="Fondazione Cariplo", kind=Organisation.Kind.FOUNDATION)],
            "municipality": [Organisation.objects.get(name="Comune di Pavia")],
            "partner": [Organisation.objects.get(name=n) for n in ("Acli", "CSF")],
        },
    )  # fmt: skip


# --- One pact ---------------------------------------------------------------------------------


@dataclass
class Story:
    """What happens to one demo pact, and when."""

    net: Network
    case: Case
    lead: User
    kind: str
    index: int
    start: date
    rng: random.Random

    @property
    def today(self) -> date:
        return timezone.localdate()


def _period(kind: str, rng: random.Random, today: date) -> date:
    """The pact's start: in the future for the signed ones, over a year ago for the completed."""
    if kind in ("draft", "draft_partial", "signed"):
        return today + timedelta(days=rng.randint(3, 25))
    if kind == "completed":
        return today - timedelta(days=rng.randint(390, 480))
    if kind == "interrupted_at_review":
        return today - timedelta(days=rng.randint(150, 220))
    return today - timedelta(days=rng.randint(40, 330))


def _where(story: Story, kind: str, n: int) -> dict[str, object]:
    net = story.net
    if kind == "activity" and net.activities:
        return {"activity": net.activities[n % len(net.activities)]}
    if kind == "group" and net.groups:
        return {"group": net.groups[n % len(net.groups)]}
    # Every third pact gives its hours at the demo lab manager's place, so their page is busy.
    own = [p for p in net.places if p.pk in net.lab_places]
    if own and n % 3 == 0:
        return {"place": own[0]}
    return {"place": net.places[n % len(net.places)]}


def _draft(story: Story) -> Pact:
    n, rng, net = story.index, story.rng, story.net
    objective = n % len(OBJECTIVES)
    end = add_months(story.start, 12) - timedelta(days=1)
    text = PactText(objectives=OBJECTIVES[objective], start_date=story.start, end_date=end)
    pact = pact_services.pact_create(
        actor=story.lead, case=story.case, person=story.case.household.primary_contact, text=text,
        scope=Pact.Scope.HOUSEHOLD if n % 4 == 0 else Pact.Scope.PERSON,
    )  # fmt: skip
    lines = LINES[objective] if story.kind != "draft_partial" else LINES[objective][:1]
    for purpose, description, source, euro in lines:
        funders = net.funders.get(source)
        pact_services.budget_line_save(
            actor=story.lead, pact=pact, purpose=purpose, description=description, source=source,
            funder=funders[n % len(funders)] if funders else None, amount=_amount(rng, euro),
        )  # fmt: skip
    if story.kind == "draft_partial":
        return pact
    description, where_kind, hours = COMMITMENTS[n % len(COMMITMENTS)]
    where = _where(story, where_kind, n)
    pact_services.commitment_save(actor=story.lead, pact=pact, description=description, hours=hours, **where)
    if n % 3 == 1:
        second = COMMITMENTS[(n + 2) % len(COMMITMENTS)]
        pact_services.commitment_save(
            actor=story.lead, pact=pact, description=second[0], hours=second[2] // 2, **_where(story, second[1], n + 1)
        )
    place = where.get("place")
    if place is not None:
        pact_services.signatory_add(
            actor=story.lead, pact=pact, kind="place", place=place, signer_name=f"Responsabile {place.name}",
            role_in_pact="Accoglie le ore restituite e le conferma.",
        )  # fmt: skip
    return pact


def _money(story: Story, pact: Pact, until: date) -> None:
    """A request a month or so, mostly approved and paid; one refused, one still waiting."""
    rng, net = story.rng, story.net
    lines = list(pact.budget_lines.order_by("created_at", "id"))
    months = max(1, min(3, (until - story.start).days // 30))
    for m in range(months):
        line = lines[m % len(lines)]
        due_on = min(story.start + timedelta(days=m * 30 + rng.randint(2, 20)), until)
        remaining = money.remaining_on(line)
        amount = min(remaining, (line.signed_amount / 3).quantize(Decimal("0.01")) + Decimal(rng.randint(0, 99)) / 100)
        if amount <= 0:
            continue
        request = money.disbursement_request(
            actor=story.lead, pact=pact, budget_line=line, amount=amount, payee=_payee(line),
            description=line.description or line.get_purpose_display(), due_on=due_on,
        )  # fmt: skip
        last = m == months - 1
        if last and story.kind == "active" and story.index % 4 == 0:
            continue  # still waiting for the coordinators
        if story.index % 7 == 3 and m == 1:
            money.disbursement_refuse(actor=net.coordinator, disbursement=request, reason=REFUSALS[m % 2])
            continue
        money.disbursement_approve(actor=net.coordinator, disbursement=request)
        # Demo realism only: the approval is dated when the expense came, not today.
        Disbursement.objects.filter(pk=request.pk).update(decided_at=_at(due_on))
        if not last or story.kind != "active":
            request.refresh_from_db()
            money.disbursement_record_payment(
                actor=story.lead, disbursement=request, paid_on=min(due_on + timedelta(days=3), story.today)
            )


def _payee(line: BudgetLine) -> str:
    return {
        "housing": "Immobiliare del Torrazzo (dimostrativo)", "utilities": "Fornitore di energia (dimostrativo)",
        "training": "Ente di formazione (dimostrativo)", "transport": "Azienda di trasporto (dimostrativo)",
        "childcare": "Istituto comprensivo (dimostrativo)", "health": "Studio dentistico (dimostrativo)",
        "work": "Negozio di macchine da cucire (dimostrativo)",
    }.get(line.purpose, "Fornitore (dimostrativo)")  # fmt: skip


def _hours(story: Story, pact: Pact, until: date) -> None:
    """Hours every few weeks, recorded by the place (the demo lab manager at their lab, a
    coordinator elsewhere) and so confirmed at once; the latest ones logged by the operator still
    wait for the place, and now and then hours logged are not confirmed."""
    rng, net = story.rng, story.net
    for commitment in pact.commitments.filter(signed_hours__gt=0).select_related("place", "group", "activity"):
        days = (until - story.start).days
        count = min(4, max(1, days // 20))
        place_side = net.lab_manager if commitment.place_id in net.lab_places else net.coordinator
        for k in range(count):
            day = story.start + timedelta(days=min(days, k * 20 + rng.randint(0, 12)))
            latest = until == story.today and k == count - 1
            not_confirmed = (story.index + k) % 11 == 5
            log = giving_back.contribution_record(
                actor=story.lead if latest or not_confirmed else place_side, commitment=commitment, day=day,
                hours=Decimal(rng.choice(["1.5", "2", "2.5", "3"])), note="Presente e puntuale" if k % 3 else "",
            )  # fmt: skip
            if not_confirmed and not latest:
                giving_back.contribution_reject(actor=place_side, log=log, reason="Assente quel giorno: da recuperare.")


def _review(story: Story, pact: Pact, on: date, eligibility: str, reason: str = "") -> None:
    n = story.index
    items = []
    for k, commitment in enumerate(Commitment.objects.filter(pact=pact, signed_hours__gt=0).order_by("id")):
        missed = (n + k) % 3 == 2
        items.append(CommitmentOutcome(commitment, "partly" if missed else "met",
                                       MISSED_REASONS[(n + k) % len(MISSED_REASONS)] if missed else ""))  # fmt: skip
    reviews.review_record(
        actor=story.lead, pact=pact, reviewed_on=on, assessment=ASSESSMENTS[n % len(ASSESSMENTS)], items=items,
        eligibility=eligibility, eligibility_reason=reason,
    )  # fmt: skip


def _run(story: Story) -> None:
    pact = _draft(story)
    if story.kind in ("draft", "draft_partial"):
        return
    today, kind, n = story.today, story.kind, story.index
    signed_on = min(story.start, today) - timedelta(days=story.rng.randint(1, 10))
    pact_services.pact_sign(actor=story.lead, pact=pact, signed_on=max(signed_on, story.case.opened_on))
    if kind == "signed":
        return
    pact_services.pact_start(actor=story.lead, pact=pact, started_on=story.start)
    pact.refresh_from_db()
    end = pact.version_in_force.end_date
    if kind == "completed":
        _money(story, pact, end)
        _hours(story, pact, end)
        _review(story, pact, story.start + timedelta(days=92), "continue")
        _review(Story(**{**vars(story), "index": n + 1}), pact, end, "complete")
        return
    if kind == "interrupted_at_review":
        _money(story, pact, story.start + timedelta(days=85))
        _hours(story, pact, story.start + timedelta(days=85))
        _review(story, pact, story.start + timedelta(days=91), "interrupt", INTERRUPTIONS[n % len(INTERRUPTIONS)])
        return
    _money(story, pact, today)
    _hours(story, pact, today)
    if (today - story.start).days > 120 and n % 2 == 0:
        _review(story, pact, story.start + timedelta(days=91), "continue")
    if kind == "interrupted":
        pact_services.pact_interrupt(
            actor=story.lead, pact=pact, reason=INTERRUPTIONS[(n + 1) % len(INTERRUPTIONS)],
            closed_on=today - timedelta(days=story.rng.randint(1, 10)),
        )  # fmt: skip
    elif kind == "in_review":
        reviews.review_open(actor=story.lead, pact=pact)
    elif n % 5 == 1:
        _amend(story, pact)


def _amend(story: Story, pact: Pact) -> None:
    """A new version waiting to be signed: a longer period and a little more for the first line."""
    pact.refresh_from_db()
    version = pact.version_in_force
    pact_services.pact_update(
        actor=story.lead, pact=pact, expected_version=pact.version, scope=pact.scope,
        review_interval_months=pact.review_interval_months, change_note="Prolungato di tre mesi per finire il corso.",
        text=PactText(objectives=version.objectives, start_date=version.start_date,
                      end_date=add_months(version.end_date, 3)),
    )  # fmt: skip
    line = pact.budget_lines.order_by("created_at", "id").first()
    pact_services.budget_line_save(
        actor=story.lead, pact=pact, line=line, expected_version=line.version, purpose=line.purpose,
        description=line.description, source=line.source, funder=line.funder, amount=line.amount + Decimal("150.00"),
    )  # fmt: skip


# --- The households of Wel(l)FARE legami ------------------------------------------------------


def _legami_case(net: Network, index: int, start: date, rng: random.Random) -> Case:
    """A household signalled by its operator, triaged into a case in phase C (individual project)."""
    programme = net.programme
    lead = net.leads[index % len(net.leads)]
    surname, first = SURNAMES[index], FIRST_NAMES[index % len(FIRST_NAMES)]
    municipality = Municipality.objects.get(istat_code=rng.choice(["019036", "019036", "019035", "019021", "019098"]))
    request = intake_services.intake_signal(
        actor=lead.user, programme=programme, channel=Channel.SOCIAL_SERVICES, organisation=lead.organisation,
        contact=intake_services.Contact(name=f"{first} {surname}", phone="0372 000000", municipality=municipality,
                                        has_minors=index % 3 != 2),
    )  # fmt: skip
    opened_on = min(start, timezone.localdate()) - timedelta(days=rng.randint(20, 80))
    case = intake_services.intake_triage(
        actor=None, request=request, organisation=lead.organisation, lead=lead.user, opened_on=opened_on,
        new_household=intake_services.NewHousehold(
            label=f"Famiglia {surname}", municipality=municipality, first_name=first, last_name=surname
        ),
        action_line=programme.action_lines.filter(code="patti").first(),
    )  # fmt: skip
    for phase in (Case.Phase.ASSESSMENT, Case.Phase.PROJECT):
        case = case_services.case_move_phase(actor=None, case=case, expected_version=case.version, to_phase=phase)
    return case


def _legami(programme: Programme, rng: random.Random) -> int:
    net = _legami_network(programme)
    today = timezone.localdate()
    for index, kind in enumerate(LEGAMI_PLAN):
        start = _period(kind, rng, today)
        case = _legami_case(net, index, start, rng)
        lead = net.leads[index % len(net.leads)].user
        _run(Story(net=net, case=case, lead=lead, kind=kind, index=index, start=start, rng=rng))
    return len(LEGAMI_PLAN)


def _fbc(programme: Programme, rng: random.Random) -> int:
    """A few pacts in Fare #BeneComune, for open cases of the demo (phase C or D) and their leads."""
    net = _fbc_network(programme)
    cases = list(
        Case.objects.filter(programme=programme, status=Case.Status.OPEN,
                            phase__in=[Case.Phase.PROJECT, Case.Phase.DELIVERY],
                            household__primary_contact__isnull=False)
        .select_related("household__primary_contact", "programme")
        .order_by("opened_on", "pk")[: len(FBC_PLAN)]
    )  # fmt: skip
    today = timezone.localdate()
    for index, (case, planned) in enumerate(zip(cases, FBC_PLAN, strict=False)):
        lead = case.team.get(is_lead=True).user
        start = max(_period(planned, rng, today), case.opened_on + timedelta(days=10))
        # A case too young for a pact already completed gets an active one.
        kind = "active" if planned == "completed" and start > today - timedelta(days=370) else planned
        _run(Story(net=net, case=case, lead=lead, kind=kind, index=100 + index, start=start, rng=rng))
    return len(cases)


def load(log: Callable[[str], None]) -> None:
    legami = Programme.objects.filter(slug=LEGAMI).first()
    fbc = Programme.objects.filter(slug=FBC).first()
    if legami is None:
        return
    if legami.households.filter(label=f"Famiglia {SURNAMES[0]}").exists():
        log("Demo pacts already there.")
        return
    rng = random.Random(SEED)  # noqa: S311 — demo data, not security
    with transaction.atomic():
        made = _legami(legami, rng)
        in_fbc = _fbc(fbc, rng) if fbc is not None and fbc.cases.exists() else 0
    log(f"Demo pacts: {made} in {legami.name}, {in_fbc} in Fare #BeneComune.")
