"""Demo delivery of Fare #BeneComune's cases: assessments over time, pathways, goals, sessions and
referrals in every state.

- Every case past phase A has 1–3 needs assessments; most households improve, some stay where they
  were, a few get worse on a dimension (health, housing) — the chart on the case page shows it.
- Cases from phase C have an individual pathway with goals; three group pathways gather households
  at the community labs (family tutoring at Pavia Ovest, homework support at Crosione, a finished
  cycle of financial-education meetings at Vallone).
- Sessions every other week in the past, and upcoming ones this week and next for the demo
  operator (operatore.fbc@example.org) — their agenda and home are not empty.
- Referrals in every state, with the consent to sharing recorded where the rule needs it, and one
  sent on a coordinator's override.

Everything goes through the services (`actor=None` is the system, or the demo person who would do
it). Deterministic and idempotent: nothing happens when the demo pathways exist, or when there are
no demo cases (the casework step did not run).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from trama.accounts.models import Membership, Role, User
from trama.casework.models import Assessment, Case, Goal, Pathway, Referral, ReferralTransition, Session
from trama.casework.services import assessments as assessment_services
from trama.casework.services import pathways as pathway_services
from trama.casework.services import referrals as referral_services
from trama.core.demo.users import demo_email
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import CONSENT_AGE, Consent, HouseholdMember, Person
from trama.people.services import consent_record
from trama.territory.models import Programme

SLUG = "fare-benecomune"
SEED = 4000
MARKER = "Tutoring familiare di gruppo — Pavia Ovest"
DIMENSIONS = list(Assessment.Dimension.values)
Kind = Pathway.Kind

INDIVIDUAL_KINDS = [
    (Kind.TUTORING_INDIVIDUAL, "Tutoring familiare"),
    (Kind.PARENTING, "Sostegno alla genitorialità"),
    (Kind.FINANCIAL_EDUCATION, "Educazione economico-finanziaria"),
    (Kind.CONFLICT_MEDIATION, "Accompagnamento nei conflitti familiari"),
    (Kind.JOB_ORIENTATION, "Orientamento al lavoro"),
    (Kind.HOUSING, "Sostegno all'abitare"),
]
GOALS = {
    Kind.TUTORING_INDIVIDUAL: ["Organizzare il bilancio familiare mensile", "Regolarizzare le pratiche con il Comune"],
    Kind.PARENTING: ["Ritrovare routine serali con i figli", "Partecipare agli incontri per genitori"],
    Kind.FINANCIAL_EDUCATION: ["Ridurre i debiti delle bollette", "Aprire un conto e usare il budget settimanale"],
    Kind.CONFLICT_MEDIATION: ["Concordare i tempi con i figli", "Ridurre i conflitti con i vicini"],
    Kind.JOB_ORIENTATION: ["Preparare il curriculum", "Sostenere almeno tre colloqui di lavoro"],
    Kind.HOUSING: ["Presentare domanda per l'alloggio sociale", "Evitare lo sfratto concordando un piano di rientro"],
}
SESSION_NOTES = [
    "Colloquio di aggiornamento: la famiglia ha portato le bollette arretrate, concordato un piano.",
    "Incontro sereno; la madre riferisce maggiore regolarità nei compiti dei figli.",
    "Visita domiciliare: casa ordinata, emerse preoccupazioni per il lavoro del padre.",
    "Telefonata di verifica: appuntamento al CAF fissato per la settimana prossima.",
    "Incontro difficile, tensioni tra i genitori; proposto un percorso di mediazione.",
    "Rivisto il budget mensile: risparmiati 60 euro sulle utenze.",
]
ASSESSMENT_NOTES = [
    "Prima valutazione dopo i colloqui di accoglienza.",
    "Valutazione intermedia: miglioramenti sul piano economico, restano fragilità abitative.",
    "Valutazione di verifica a fine percorso.",
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _lead(case: Case) -> User:
    return case.team.select_related("user").order_by("-is_lead", "created_at").first().user


def _closed_or_today(case: Case, today: date) -> date:
    return case.closed_on or today


# --- Assessments -------------------------------------------------------------------------------


def _assessments(case: Case, index: int, rng: random.Random, today: date) -> None:
    count = {"B": 1, "C": 2, "D": 2 + index % 2, "E": 3}[case.phase]
    last_day = _closed_or_today(case, today) - timedelta(days=3)
    first_day = min(case.opened_on + timedelta(days=rng.randint(7, 20)), last_day)
    step = max((last_day - first_day).days // max(count - 1, 1), 1)
    base = {d: rng.randint(1, 3) for d in DIMENSIONS}
    trend = "improving" if index % 7 not in {2, 5} else ("flat" if index % 7 == 2 else "mixed")
    for n in range(count):
        scores = {}
        for dimension, start in base.items():
            change = {"improving": n * rng.choice((0, 1, 1)), "flat": 0, "mixed": n * rng.choice((-1, 0, 1))}[trend]
            if trend == "improving" and dimension in {"health", "housing"} and index % 5 == 0:
                change = -min(n, start - 1)  # a dimension that got worse while the rest improved
            scores[dimension] = max(1, min(5, start + change))
        assessment_services.assessment_create(
            actor=None,
            case=case,
            assessed_on=min(first_day + timedelta(days=step * n), last_day),
            scores=scores,
            notes={"economic": "Entrate irregolari, un solo reddito."} if n == 0 else {},
            note=ASSESSMENT_NOTES[min(n, len(ASSESSMENT_NOTES) - 1)],
        )


# --- Pathways, goals, sessions ---------------------------------------------------------------------


GROUP_NOTES = [
    "Incontro di gruppo: buona partecipazione, i genitori si scambiano i contatti.",
    "Lavoro a piccoli gruppi sui compiti di matematica; due assenze giustificate.",
    "Il gruppo ha scelto il tema del prossimo incontro: la gestione delle spese scolastiche.",
    "Clima sereno; una famiglia nuova accolta dalle altre.",
]


def _past_sessions(pathway: Pathway, people: list[Person], author: User, rng: random.Random, until: date) -> None:
    notes = GROUP_NOTES if pathway.is_group else SESSION_NOTES
    day = pathway.start_date + timedelta(days=3)
    written = 0
    while day < until and written < 6:
        modality = Session.Modality.IN_PERSON if pathway.is_group else rng.choice(list(Session.Modality.values))
        pathway_services.session_create(
            actor=None,
            pathway=pathway,
            starts_at=_at(day, rng.choice((10, 15, 17)), 30),
            duration_minutes=rng.choice((45, 60, 90)),
            modality=modality,
            place=pathway.place if modality == Session.Modality.IN_PERSON else None,
            attendees=people,
            note=rng.choice(notes),
            recorded_by=author,
        )
        day += timedelta(days=14)
        written += 1


def _free_slots(now: datetime, until: datetime) -> list[datetime]:
    """Working hours (9–18) from now to `until`, so the demo agenda is spread over the days."""
    today = timezone.localtime(now).date()
    slots = []
    for days in range((until.date() - today).days + 1):
        for hour in (9, 10, 11, 14, 15, 16, 17, 18):
            slot = _at(today + timedelta(days=days), hour)
            if now < slot < until:
                slots.append(slot)
    return slots


def _upcoming_sessions(pathway: Pathway, people: list[Person], author: User, now: datetime) -> None:
    """One later this week (when the week still has working hours left) and one next week, each in
    the next free slot of the author's agenda rather than all at the same hour."""
    local = timezone.localtime(now)
    week_end = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    week_end += timedelta(days=7)
    this_week = _free_slots(now, week_end)
    next_week = _free_slots(week_end, week_end + timedelta(days=5))
    order = Session.objects.filter(recorded_by=author, starts_at__gt=now).count() // 2
    chosen = [slots[order % len(slots)] for slots in (this_week, next_week) if slots]
    for starts_at in chosen:
        pathway_services.session_create(
            actor=None,
            pathway=pathway,
            starts_at=starts_at,
            duration_minutes=60,
            modality=Session.Modality.IN_PERSON,
            place=pathway.place,
            recorded_by=author,
        )


def _adults(case: Case) -> list[Person]:
    return [
        m.person
        for m in HouseholdMember.objects.filter(household=case.household).select_related("person")
        if m.relation in (HouseholdMember.Relation.PARENT, HouseholdMember.Relation.PARTNER)
        or m.person_id == case.household.primary_contact_id
    ]


def _children(case: Case, today: date, *, oldest: int = 13) -> list[Person]:
    return [
        m.person
        for m in HouseholdMember.objects.filter(
            household=case.household, relation=HouseholdMember.Relation.CHILD
        ).select_related("person")
        if m.person.age(today) is not None and 6 <= m.person.age(today) <= oldest
    ]


def _individual_pathway(case: Case, index: int, rng: random.Random, today: date, demo_user: User) -> None:
    kind, label = INDIVIDUAL_KINDS[index % len(INDIVIDUAL_KINDS)]
    start = min(case.opened_on + timedelta(days=rng.randint(25, 45)), _closed_or_today(case, today) - timedelta(days=7))
    closed = case.phase == Case.Phase.CLOSURE
    end = _closed_or_today(case, today) - timedelta(days=2) if closed else None
    place = CommunityPlace.objects.filter(programme=case.programme, managing_organisation=case.organisation).first()
    pathway = pathway_services.pathway_create(
        actor=None, case=case, kind=kind, title=f"{label} — {case.household.label}", organisation=case.organisation,
        place=place, start_date=start, end_date=end,
        status=Pathway.Status.PLANNED if case.phase == Case.Phase.PROJECT else Pathway.Status.ACTIVE,
    )  # fmt: skip
    for n, description in enumerate(GOALS[kind]):
        goal = pathway_services.goal_create(
            actor=None, case=case, pathway=pathway, description=description, due_on=start + timedelta(days=120 + 60 * n)
        )
        if closed:
            fallback = Goal.Status.PARTLY if case.status == Case.Status.OPEN else Goal.Status.NOT_REACHED
            status = {"reached": Goal.Status.REACHED, "partly": Goal.Status.PARTLY}.get(case.outcome, fallback)
            pathway_services.goal_set_status(actor=None, goal=goal, status=status if n == 0 else Goal.Status.PARTLY)
        elif case.phase == Case.Phase.DELIVERY and n == 0 and index % 3 == 0:
            pathway_services.goal_set_status(actor=None, goal=goal, status=Goal.Status.REACHED)
    if case.phase == Case.Phase.PROJECT:
        return
    author = _lead(case)
    _past_sessions(pathway, _adults(case), author, rng, min(end or today, today))
    if closed:
        pathway_services.pathway_set_status(
            actor=None, pathway=pathway, status=Pathway.Status.COMPLETED, expected_version=pathway.version
        )
    elif case.status == Case.Status.OPEN and case.team.filter(user=demo_user).exists():
        _upcoming_sessions(pathway, _adults(case), demo_user, timezone.now())


def _group_pathways(programme: Programme, cases: list[Case], rng: random.Random, today: date, demo_user: User) -> None:
    places = {place.name: place for place in CommunityPlace.objects.filter(programme=programme)}
    delivery = [
        c for c in cases if c.status == Case.Status.OPEN and c.phase in (Case.Phase.PROJECT, Case.Phase.DELIVERY)
    ]
    mine = [c for c in delivery if c.team.filter(user=demo_user).exists()]
    others = [c for c in delivery if c not in mine]
    groups = [
        (MARKER, Kind.TUTORING_GROUP, "Laboratorio Sociale Pavia Ovest", (mine[:3] + others[:3]), 120, None, "adults"),
        ("Aiuto compiti al Laboratorio Sociale Crosione", Kind.HOMEWORK, "Laboratorio Sociale Crosione",
         [c for c in mine[3:] + others[3:] if _children(c, today)][:6], 90, None, "children"),
        ("Incontri di educazione finanziaria — Vallone", Kind.FINANCIAL_EDUCATION, "Laboratorio Sociale Vallone",
         others[6:11], 200, 60, "adults"),
    ]  # fmt: skip
    for title, kind, place_name, members, started_days_ago, ended_days_ago, who in groups:
        place = places.get(place_name)
        if not members or place is None:
            continue
        start = today - timedelta(days=started_days_ago)
        end = today - timedelta(days=ended_days_ago) if ended_days_ago else None
        pathway = pathway_services.pathway_create(
            actor=None, case=members[0], kind=kind, title=title, organisation=place.managing_organisation,
            place=place, start_date=start, end_date=end, is_group=True, other_cases=members[1:],
        )  # fmt: skip
        people = [p for case in members for p in (_children(case, today) if who == "children" else _adults(case)[:1])]
        author = _lead(members[0])
        _past_sessions(pathway, people, author, rng, end or today)
        if end is not None:
            pathway_services.pathway_set_status(
                actor=None, pathway=pathway, status=Pathway.Status.COMPLETED, expected_version=pathway.version
            )
        elif any(case in mine for case in members):
            _upcoming_sessions(pathway, people, demo_user, timezone.now())


# --- Referrals ---------------------------------------------------------------------------------------


def _someone_of(programme: Programme, organisation: Organisation) -> User | None:
    membership = (
        Membership.objects.active()
        .filter(programme=programme, organisation=organisation, role__in=(Role.OPERATOR, Role.LAB_MANAGER))
        .select_related("user")
        .order_by("role", "created_at")
        .first()
    )
    return membership.user if membership else None


def _consent(person: Person, organisation: Organisation, today: date) -> None:
    age = person.age(today)
    minor = age is not None and age < CONSENT_AGE
    consent_record(
        actor=None,
        person=person,
        fields={
            "purpose": Consent.Purpose.SHARING,
            "partner": organisation,
            "given_by": Consent.GivenBy.GUARDIAN if minor else Consent.GivenBy.SELF,
            "guardian_name": "Genitore (firma sul modulo)" if minor else "",
            "given_on": today - timedelta(days=20),
        },
    )


def _move(referral: Referral, statuses: list[str], reason: str = "") -> None:
    """Walk `referral` through `statuses`, each step by whoever may take it."""
    programme = referral.programme
    for status in statuses:
        receiver = referral.receiving_organisation
        if status == Referral.Status.REVOKED or receiver is None:
            actor = referral.created_by
        else:
            actor = _someone_of(programme, receiver)
        referral = referral_services.referral_transition(
            actor=actor,
            referral=referral,
            to_status=status,
            reason=reason if status in (Referral.Status.REJECTED, Referral.Status.REVOKED) else "",
            by=referral.created_by,
        )


def _backdate(referral: Referral, days: int) -> None:
    # Demo realism only: the services stamp "now"; the queues should read like weeks of work.
    when = timezone.now() - timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(created_at=when)
    ReferralTransition.objects.filter(referral=referral, from_status="").update(created_at=when)


def _referrals(programme: Programme, cases: list[Case], today: date, demo_user: User) -> None:
    demo_org = Membership.objects.get(user=demo_user, programme=programme, role=Role.OPERATOR).organisation
    open_cases = [
        c for c in cases if c.status == Case.Status.OPEN and c.phase in (Case.Phase.PROJECT, Case.Phase.DELIVERY)
    ]
    theirs = [c for c in open_cases if not c.team.filter(user=demo_user).exists() and c.organisation != demo_org]
    mine = [c for c in open_cases if c.team.filter(user=demo_user).exists()]
    demo_lab = (
        CommunityPlace.objects.filter(programme=programme, managing_organisation=demo_org).order_by("name").first()
    )
    Status = Referral.Status
    # Other partners refer children to the demo operator's lab: the queue "referred to my organisation".
    plans = [
        ([], 3), ([], 9), ([Status.ACCEPTED], 15), ([Status.ACCEPTED, Status.COMPLETED], 40),
        ([Status.REJECTED], 25), ([Status.REVOKED], 12), ([Status.ACCEPTED], 6),
    ]  # fmt: skip
    reasons = {Status.REJECTED: "Nessun posto libero fino a settembre.", Status.REVOKED: "La famiglia si è trasferita."}
    for case, (steps, days) in zip([c for c in theirs if _children(c, today, oldest=17)], plans, strict=False):
        if demo_lab is None:
            break
        child = _children(case, today, oldest=17)[0]
        _consent(child, demo_org, today)
        referral = referral_services.referral_create(
            actor=None, case=case, person=child, target_kind=Referral.TargetKind.PLACE, target_place=demo_lab,
            service="Aiuto compiti e doposcuola", reason="Difficoltà scolastiche segnalate dalla scuola.",
            created_by=_lead(case),
        )  # fmt: skip
        _move(referral, steps, reasons.get(steps[-1], "") if steps else "")
        _backdate(referral, days)
    # The demo operator's own referrals: "my pending referrals", in every kind of target.
    _mine(programme, mine, today, demo_user)


def _mine(programme: Programme, mine: list[Case], today: date, demo_user: User) -> None:
    Status = Referral.Status
    crosione = CommunityPlace.objects.filter(programme=programme, name="Laboratorio Sociale Crosione").first()
    group = CitizenGroup.objects.filter(programme=programme, name="Mamme in rete").first()
    aldia = Organisation.objects.filter(name="Aldia").first()
    coordinator = User.objects.filter(email=demo_email(programme, Role.COORDINATOR)).first()
    for index, case in enumerate(mine[:5]):
        adult = (_adults(case) or [case.household.primary_contact])[0]
        if adult is None:
            continue
        common = {"case": case, "person": adult, "created_by": demo_user}
        if index == 0 and crosione is not None:
            _consent(adult, crosione.managing_organisation, today)
            referral = referral_services.referral_create(
                actor=None, target_kind=Referral.TargetKind.PLACE, target_place=crosione,
                service="Incontri per genitori", reason="Fatica a gestire i conflitti con il figlio adolescente.",
                **common,
            )  # fmt: skip
            _backdate(referral, 4)
        elif index == 1 and aldia is not None and coordinator is not None:
            # No consent could be collected in time: the coordinator overrides, with the reason.
            referral = referral_services.referral_create(
                actor=coordinator, case=case, person=adult, target_kind=Referral.TargetKind.ORGANISATION,
                target_organisation=aldia, service="Orientamento al lavoro urgente",
                reason="Contratto in scadenza a fine mese.",
                override_reason="Persona raggiungibile solo per telefono; consenso scritto raccolto al primo incontro.",
            )  # fmt: skip
            _move(referral, [Status.ACCEPTED])
            _backdate(referral, 8)
        elif index == 2 and group is not None:
            referral = referral_services.referral_create(
                actor=None, target_kind=Referral.TargetKind.GROUP, target_group=group,
                service="Rete di mutuo aiuto tra mamme", **common,
            )  # fmt: skip
            _move(referral, [Status.ACCEPTED])
            _backdate(referral, 20)
        elif index == 3:
            referral = referral_services.referral_create(
                actor=None, target_kind=Referral.TargetKind.EXTERNAL, external_service="Consultorio familiare",
                service="Supporto psicologico", reason="Ansia legata alla perdita del lavoro.", **common,
            )  # fmt: skip
            _move(referral, [Status.ACCEPTED, Status.COMPLETED])
            _backdate(referral, 60)
        elif index == 4:
            referral = referral_services.referral_create(
                actor=None, target_kind=Referral.TargetKind.EXTERNAL, external_service="Sportello affitti del Comune",
                service="Contributo affitto", **common,
            )  # fmt: skip
            _backdate(referral, 2)


def load(log: Callable[[str], None]) -> None:
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        return
    if Pathway.objects.filter(programme=programme, title=MARKER).exists():
        log("Demo pathways, sessions and referrals already there.")
        return
    cases = list(
        Case.objects.filter(programme=programme, team__isnull=False)
        .exclude(phase=Case.Phase.ACCESS)
        .select_related("household", "organisation", "programme")
        .distinct()
        .order_by("opened_on", "pk")
    )
    demo_user = User.objects.filter(email=demo_email(programme, Role.OPERATOR)).first()
    if not cases or demo_user is None:
        log("No demo case: nothing to deliver.")
        return
    rng = random.Random(SEED)  # noqa: S311 — demo data, not security
    today = timezone.localdate()
    with transaction.atomic():
        for index, case in enumerate(cases):
            _assessments(case, index, rng, today)
            if case.phase != Case.Phase.ASSESSMENT:
                _individual_pathway(case, index, rng, today, demo_user)
        _group_pathways(programme, cases, rng, today, demo_user)
        _referrals(programme, cases, today, demo_user)
    log(
        f"Demo delivery: {Assessment.objects.filter(case__programme=programme).count()} assessments, "
        f"{Pathway.objects.filter(programme=programme).count()} pathways, "
        f"{Session.objects.filter(pathway__programme=programme).count()} sessions, "
        f"{Referral.objects.filter(programme=programme).count()} referrals."
    )
