"""Demo data of the Well-Fare Lab, the partnership's governance, the budget and fundraising, for
the three seed programmes — through the services, deterministic and idempotent (one transaction per
programme, skipped when its steering committee is already there).

- Fare #BeneComune (seeds 000–002, 2018-11-28 → 2021-11-27): a Well-Fare Lab course of autumn 2019
  taught by peer trainers, certificates issued; the steering committee (cabina di regia) meeting
  about every four months with its decisions followed up; a thematic table; the first open
  assembly of the network of social labs on 2 July 2020 with its ~50 participants (local
  administrations, third-sector organisations, citizen groups, the children's ombudsman of Pavia),
  where the Map of the social labs was presented; the next open assembly on the public calendar;
  the budget co-financed by the foundation, the partners named in seed 002 and fundraising; a
  fundraising campaign with its donations and news posts.
- Wel(l)FARE legami (seed 003, about €1.5M from the foundation): a completed and an ongoing
  Well-Fare Lab course for policy makers, operators and volunteers; the steering committee and the
  table of the Patti gener-attivi; the budget by its five action lines; a running campaign.
- #genera_azioni (seed 004): training of the community facilitators, the steering committee, the
  budget and a campaign.

The seeds give no figures for budgets, donors or meetings: amounts, names and dates below are
plausible and marked as illustrative ("dimostrativo") where a reader could take them for facts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from trama.accounts.models import Membership, Role, User
from trama.accounts.services import membership_grant, user_create
from trama.activities.models import Occurrence
from trama.funding.models import Campaign, Donation, Donor, FundingSource
from trama.funding.services import budget as money
from trama.funding.services import fundraising
from trama.governance import services as governance
from trama.governance.models import Body, BodyMember
from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership
from trama.territory.models import Programme
from trama.training import services as training
from trama.training.models import Course, Module, Participant, Trainer

SEED = 1102
STEERING = "Cabina di regia"
ILLUSTRATIVE = "Importi dimostrativi: i documenti del programma non riportano il piano economico."
D = Decimal
FIRST = [
    "Laura",
    "Giulia",
    "Marco",
    "Sara",
    "Andrea",
    "Elisa",
    "Stefano",
    "Valentina",
    "Matteo",
    "Federica",
    "Roberto",
    "Anna",
    "Paolo",
    "Chiara",
    "Luca",
    "Silvia",
    "Giorgio",
    "Martina",
    "Alberto",
    "Irene",
]
LAST = [
    "Ferri",
    "Bassi",
    "Rossi",
    "Colombo",
    "Galli",
    "Fontana",
    "Moretti",
    "Barbieri",
    "Testa",
    "Marini",
    "Bianchi",
    "Longhi",
    "Pagani",
    "Villa",
    "Sala",
    "Conti",
    "Greco",
    "Riva",
    "Cattaneo",
    "Mazza",
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name).first()


def _partners(programme: Programme, *roles: str) -> list[Organisation]:
    rows = Partnership.objects.filter(programme=programme).select_related("organisation").order_by("organisation__name")
    if roles:
        rows = rows.filter(role__in=roles)
    return [row.organisation for row in rows]


def _account(programme: Programme, role: str) -> User | None:
    found = Membership.objects.filter(programme=programme, role=role, user__email__endswith="@example.org")
    found = found.filter(user__email__startswith=f"{_role_word(role)}.").select_related("user").first()
    return found.user if found else None


def _role_word(role: str) -> str:
    from trama.core.demo.users import ROLE_WORD

    return ROLE_WORD[role]


def _colleague(programme: Programme, full_name: str, organisation: Organisation, role: str = Role.OPERATOR) -> User:
    """A person of a partner with an account in the programme (no password: they do not sign in
    in the demo; hashing passwords is slow on purpose)."""
    email = f"{slugify(full_name)}.{programme.slug}@example.org"
    user = User.objects.filter(email=email).first() or user_create(email=email, full_name=full_name, password=None)
    membership_grant(actor=None, user=user, programme=programme, organisation=organisation, role=role)
    return user


def _operators(programme: Programme, exclude: set[int]) -> list[User]:
    rows = (
        Membership.objects.active()
        .filter(programme=programme, role=Role.OPERATOR)
        .exclude(user_id__in=exclude)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    seen: dict[object, User] = {}
    for row in rows:
        seen.setdefault(row.user_id, row.user)
    return list(seen.values())


# --- The Well-Fare Lab -----------------------------------------------------------------------------


def _course(
    programme: Programme,
    rng: random.Random,
    *,
    title: str,
    audience: str,
    line: str,
    first_start: datetime,
    sessions: int,
    minutes: int,
    modules: list[tuple[str, str, str]],
    peers: list[User],
    expert: str,
    trainees: list[User],
    named: list[tuple[str, str, str, str, Organisation | None]],
    where: dict,
    description: str,
    issue_on: date | None = None,
) -> Course:
    course = training.course_create(
        actor=None,
        programme=programme,
        first_start=first_start,
        duration_minutes=minutes,
        sessions=sessions,
        where=where,
        organisers=list({p.memberships.filter(programme=programme).first().organisation for p in peers}),
        fields={
            "title": title,
            "audience": audience,
            "description": description,
            "action_line": programme.action_lines.filter(code=line).first(),
            "min_attendance_percent": 75,
        },
    )
    made = [
        training.module_add(actor=None, course=course, title=name, planned_hours=D(hours), competences=competences)
        for name, hours, competences in modules
    ]
    teachers: list[Trainer] = [
        training.trainer_add(actor=None, course=course, user=peer, topic=made[i % len(made)].title)
        for i, peer in enumerate(peers)
    ]
    teachers.append(training.trainer_add(actor=None, course=course, name=expert, topic=made[0].title))
    people: list[Participant] = []
    for user in trainees:
        role = Membership.objects.filter(programme=programme, user=user).values_list("role", flat=True).first()
        profile = Participant.Profile.VOLUNTEER if role == Role.VOLUNTEER else Participant.Profile.OPERATOR
        people.append(training.participant_ensure(actor=None, programme=programme, user=user, profile=profile))
    for first, last, profile, job, organisation in named:
        existing = Participant.objects.filter(
            programme=programme, person__first_name=first, person__last_name=last, user__isnull=True
        ).first()
        people.append(
            existing
            or training.participant_ensure(
                actor=None,
                programme=programme,
                profile=profile,
                first_name=first,
                last_name=last,
                organisation=organisation,
                job_title=job,
            )
        )
    for participant in people:
        training.enrol(actor=None, course=course, participant=participant)
    now = timezone.now()
    occurrences = list(course.activity.occurrences.order_by("starts_at"))
    for index, occurrence in enumerate(occurrences):
        module = made[min(index * len(made) // len(occurrences), len(made) - 1)]
        teacher = teachers[index % len(teachers)]
        training.session_assign(actor=None, course=course, occurrence=occurrence, module=module, trainer=teacher)
        if occurrence.starts_at < now and occurrence.status == Occurrence.Status.SCHEDULED:
            present = [p for i, p in enumerate(people) if i == 0 or rng.random() < 0.86]
            training.attendance_record(actor=teacher.user, occurrence=occurrence, present=present)
    if issue_on is not None:
        training.certificates_issue(actor=None, course=course, issued_on=issue_on)
    return course


# --- Governance --------------------------------------------------------------------------------------


def _steering(programme: Programme, chair: User | None) -> Body:
    body = governance.body_save(
        actor=None,
        programme=programme,
        fields={
            "kind": Body.Kind.STEERING_COMMITTEE,
            "name": STEERING,
            "description": "L'organo di governo del partenariato: un rappresentante per ogni partner; "
            "programma le azioni, ne verifica l'avanzamento e decide le correzioni.",
        },
    )
    if chair is not None:
        governance.member_add(actor=None, body=body, user=chair, role=BodyMember.Role.CHAIR)
    for organisation in _partners(programme, Partnership.Role.LEAD, Partnership.Role.PARTNER):
        governance.member_add(actor=None, body=body, organisation=organisation)
    return body


def _meeting(
    body: Body,
    rng: random.Random,
    *,
    title: str,
    start: datetime,
    hours: float,
    agenda: str,
    minutes: str = "",
    decisions: list[tuple[str, str, str, date | None, str]] = (),
    venue: str = "",
    place: CommunityPlace | None = None,
    municipality: object = None,
    attendance: dict | None = None,
) -> None:
    held = start < timezone.now()
    fields = {
        "title": title,
        "starts_at": start,
        "ends_at": start + timedelta(hours=hours),
        "agenda": agenda,
        "venue": venue,
        "place": place,
        "municipality": municipality,
        "minutes": minutes if held else "",
    }
    meeting = governance.meeting_create(actor=None, body=body, fields=fields)
    if not held:
        return
    if attendance is None:
        members = [m for m in body.members.all() if m.user_id or rng.random() < 0.8]
        attendance = {"members": members, "organisations": [], "groups": [], "guests": [], "others": 0}
    governance.meeting_attendance_set(actor=None, meeting=meeting, **attendance)
    lines = {line.code: line for line in body.programme.action_lines.all()}
    organisations = [m.organisation for m in body.members.all() if m.organisation_id and not m.user_id]
    for text, line, indicator, due, outcome in decisions:
        in_charge = rng.choice(organisations) if organisations else None
        decision = governance.decision_create(
            actor=None,
            meeting=meeting,
            fields={
                "title": text,
                "action_line": lines.get(line),
                "indicator_code": indicator,
                "due_on": due,
                "responsible_organisation": in_charge,
            },
        )
        if outcome:
            status, note = outcome.split(":", 1)
            if status == "done":
                decision = governance.decision_follow_up(
                    actor=None,
                    decision=decision,
                    expected_version=decision.version,
                    status="in_progress",
                    note="Avviato il lavoro.",
                )
            governance.decision_follow_up(
                actor=None, decision=decision, expected_version=decision.version, status=status, note=note
            )


# --- Budget and fundraising --------------------------------------------------------------------------


def _budget(
    programme: Programme,
    rng: random.Random,
    *,
    grant: Decimal,
    cofinancing: dict[str, Decimal],
    raised: Decimal,
    lines: list[tuple[str, str, str, Decimal]],
    period: tuple[date, date],
    required: Decimal,
) -> dict[str, FundingSource]:
    """Sources, lines — (source key, action line code, item, amount) — and expenses spread over
    `period`: most lines 40–85% used, a commitment here and there, one reallocation with its reason."""
    money.budget_settings_save(
        actor=None, programme=programme, expected_version=None, required_cofinancing_percent=required, note=ILLUSTRATIVE
    )
    foundation = _org("Fondazione Cariplo")
    sources = {
        "grant": money.source_save(
            actor=None,
            programme=programme,
            fields={
                "kind": "grant",
                "name": "Contributo Fondazione Cariplo",
                "organisation": foundation,
                "amount": grant,
                "position": 1,
            },
        )
    }
    for position, (name, amount) in enumerate(cofinancing.items(), start=10):
        sources[name] = money.source_save(
            actor=None,
            programme=programme,
            fields={
                "kind": "cofinancing",
                "name": f"Cofinanziamento {name}",
                "organisation": _org(name),
                "amount": amount,
                "position": position,
            },
        )
    sources["fundraising"] = money.source_save(
        actor=None,
        programme=programme,
        fields={"kind": "fundraising", "name": "Raccolta fondi nella comunità", "amount": raised, "position": 90},
    )
    codes = {line.code: line for line in programme.action_lines.all()}
    made = []
    for position, (source, code, title, amount) in enumerate(lines, start=1):
        made.append(
            money.line_save(
                actor=None,
                programme=programme,
                fields={
                    "source": sources[source],
                    "action_line": codes.get(code),
                    "title": title,
                    "planned_amount": amount,
                    "position": position,
                },
            )
        )
    start, end = period
    span = (end - start).days
    suppliers = [
        "Cooperativa sociale (dimostrativo)",
        "Tipografia del territorio (dimostrativo)",
        "Affitto sale parrocchiali",
        "Rimborsi volontari",
        "Consulenza valutazione (dimostrativo)",
    ]
    for line in made:
        target = line.amount * D(rng.randint(40, 85)) / 100
        pieces = rng.randint(2, 5)
        for piece in range(pieces):
            amount = (target / pieces).quantize(D("0.01"))
            day = start + timedelta(days=rng.randint(0, span))
            committed_only = piece == pieces - 1 and rng.random() < 0.4
            money.expense_record(
                actor=None,
                programme=programme,
                line=line,
                amount=amount,
                incurred_on=day,
                description=f"{line.title} — quota {piece + 1}",
                supplier=rng.choice(suppliers),
                reference=f"FT {day.year}/{rng.randint(10, 999)}",
                paid=not committed_only,
            )
    same_source = [line for line in made if line.source_id == sources["grant"].pk]
    if len(same_source) >= 2:
        money.reallocation_record(
            actor=None,
            programme=programme,
            from_line=same_source[-1],
            to_line=same_source[0],
            amount=D("2500.00"),
            reason="Più ore di tutoring richieste dalle famiglie: spostate dalla voce meno usata.",
        )
    return sources


def _fundraising(
    programme: Programme,
    rng: random.Random,
    source: FundingSource,
    *,
    campaigns: list[dict],
    gifts: int,
    donors: int,
    today: date,
) -> list[Campaign]:
    made = [
        fundraising.campaign_save(actor=None, programme=programme, fields={**fields, "source": source})
        for fields in campaigns
    ]
    people: list[Donor] = []
    for index in range(donors):
        company = index % 5 == 4
        consent = rng.random() < 0.7
        fields = {
            "kind": Donor.Kind.COMPANY if company else Donor.Kind.PERSON,
            "company_name": f"{rng.choice(['Farmacia', 'Panificio', 'Studio tecnico', 'Ferramenta'])} "
            f"{LAST[index % len(LAST)]} (dimostrativo)"
            if company
            else "",
            "first_name": "" if company else FIRST[(index * 7) % len(FIRST)],
            "last_name": "" if company else LAST[(index * 3) % len(LAST)],
            "email": f"donatore{index + 1}.{programme.slug}@example.org",
            "contact_consent_on": made[0].starts_on if consent else None,
        }
        people.append(fundraising.donor_save(actor=None, programme=programme, fields=fields))
    for index in range(gifts):
        campaign = made[index % len(made)]
        last_day = min(campaign.ends_on, today)
        day = campaign.starts_on + timedelta(days=rng.randint(0, max(0, (last_day - campaign.starts_on).days)))
        anonymous = index % 6 == 5
        fundraising.donation_record(
            actor=None,
            programme=programme,
            campaign=campaign,
            donor=None if anonymous else rng.choice(people),
            amount=D(rng.choice([10, 20, 25, 30, 50, 50, 100, 150, 250, 500])),
            received_on=day,
            method=Donation.Method.CASH
            if anonymous
            else rng.choice([Donation.Method.BANK_TRANSFER, Donation.Method.CARD, Donation.Method.BANK_TRANSFER]),
        )
    return made


def _news(programme: Programme, posts: list[tuple[str, str, str, datetime | None, Campaign | None]]) -> None:
    for title, summary, body, published_at, campaign in posts:
        fundraising.news_save(
            actor=None,
            programme=programme,
            fields={
                "title": title,
                "summary": summary,
                "body": body,
                "campaign": campaign,
                "status": "published" if published_at else "draft",
                "published_at": published_at,
            },
        )


# --- The programmes ------------------------------------------------------------------------------------


def _fare_benecomune(programme: Programme, rng: random.Random, today: date) -> None:
    pavia = programme.municipalities.filter(istat_code="018110").first()
    coordinator = _account(programme, Role.COORDINATOR)
    operator = _account(programme, Role.OPERATOR)
    acli, babele, csv = _org("Acli"), _org("Babele Onlus"), _org("Centro Servizi Volontariato")
    peers = [p for p in [operator, _colleague(programme, "Roberta Sacchi", babele or _partners(programme)[0])] if p]
    trainees = list(_operators(programme, {p.pk for p in peers})[:7])
    trainees += [u for u in (_account(programme, Role.VOLUNTEER), _account(programme, Role.LAB_MANAGER)) if u]
    lab = CommunityPlace.objects.filter(programme=programme, name="Laboratorio Sociale Pavia Ovest").first()
    _course(
        programme,
        rng,
        title="Leggere la vulnerabilità: culture professionali a confronto",
        audience="mixed",
        line="famiglie",
        first_start=_at(date(2019, 10, 8), 17),
        sessions=6,
        minutes=150,
        peers=peers,
        expert="Prof.ssa Elena Marchi, Università di Pavia (dimostrativo)",
        description="Sei incontri tra operatori dei servizi, del terzo settore, volontari e amministratori: "
        "leggere insieme le fragilità delle famiglie e i modi di lavorare di ciascuno.",
        modules=[
            (
                "Le nuove vulnerabilità delle famiglie",
                "5",
                "Riconoscere i segnali di fragilità economica e relazionale",
            ),
            ("Il tutoring familiare tra pari", "5", "Accompagnare una famiglia con un progetto condiviso"),
            ("Lavorare in rete con i laboratori", "5", "Attivare le risorse della comunità e i gruppi di cittadini"),
        ],
        trainees=trainees,
        named=[
            ("Laura", "Ferri", "policy_maker", "Assessora ai servizi sociali (dimostrativo)", _org("Comune di Pavia")),
            ("Marco", "Bassi", "policy_maker", "Consigliere comunale (dimostrativo)", _org("Comune di Cava Manara")),
            ("Sara", "Colombo", "volunteer", "Volontaria dei laboratori", csv),
            ("Giorgio", "Testa", "volunteer", "Volontario del doposcuola", acli),
        ],
        where={"place": lab} if lab else {"venue": "Sede del Consorzio Sociale Pavese", "municipality": pavia},
        issue_on=date(2019, 11, 20),
    )

    steering = _steering(programme, coordinator)
    steering_meetings = [
        (
            date(2019, 1, 15),
            "Avvio del progetto: calendario delle azioni e ruoli dei partner",
            [
                (
                    "Approvare il piano di comunicazione del primo anno",
                    "per-fare",
                    "",
                    date(2019, 3, 31),
                    "done:Approvato e pubblicato.",
                )
            ],
        ),
        (
            date(2019, 5, 14),
            "Stato di avanzamento dei laboratori e del tutoring familiare",
            [
                (
                    "Aprire due nuovi laboratori nei Comuni del distretto",
                    "costruire",
                    "community_labs_active",
                    date(2019, 12, 31),
                    "done:Aperti a Cava Manara e San Martino Siccomario.",
                )
            ],
        ),
        (
            date(2019, 9, 17),
            "Programmazione dell'anno scolastico e del Well-Fare Lab",
            [
                (
                    "Avviare il percorso formativo Well-Fare Lab in autunno",
                    "famiglie",
                    "",
                    date(2019, 10, 31),
                    "done:Avviato l'8 ottobre.",
                )
            ],
        ),
        (
            date(2020, 2, 11),
            "Monitoraggio intermedio e preparazione della valutazione",
            [
                (
                    "Raccogliere i dati di metà percorso per la valutazione",
                    "per-fare",
                    "households_supported",
                    date(2020, 6, 30),
                    "done:Dati consegnati al gruppo di valutazione.",
                )
            ],
        ),
        (
            date(2020, 6, 16),
            "Ripartenza dopo l'emergenza sanitaria e preparazione dell'assemblea aperta",
            [
                (
                    "Convocare l'assemblea aperta della Rete dei Laboratori Sociali per il 2 luglio",
                    "per-fare",
                    "",
                    date(2020, 7, 2),
                    "done:Assemblea svolta con una cinquantina di partecipanti.",
                )
            ],
        ),
        (
            date(2020, 10, 13),
            "Sostegno scolastico a distanza e campagna di raccolta fondi",
            [
                (
                    "Estendere il supporto scolastico ai ragazzi senza connessione",
                    "crescere",
                    "minors_reached",
                    date(2021, 1, 31),
                    "in_progress:Distribuiti i primi tablet; manca la connettività per 12 famiglie.",
                )
            ],
        ),
        (
            date(2021, 3, 9),
            "Sostenibilità delle azioni dopo il finanziamento",
            [
                (
                    "Definire con i Comuni il proseguimento dei laboratori dopo il 2021",
                    "costruire",
                    "",
                    date(2021, 9, 30),
                    "",
                )
            ],
        ),
        (
            date(2021, 9, 14),
            "Chiusura del progetto e restituzione dei risultati",
            [("Preparare il rapporto finale per la Fondazione e i partner", "per-fare", "", date(2021, 11, 27), "")],
        ),
    ]
    for day, title, decisions in steering_meetings:
        _meeting(
            steering,
            rng,
            title=title,
            start=_at(day, 17),
            hours=2,
            venue="Sede del Consorzio Sociale Pavese",
            agenda=f"1. {title}\n2. Aggiornamento dei partner\n3. Varie ed eventuali",
            decisions=decisions,
            minutes=f"Presenti i rappresentanti dei partner. Discusso: {title.lower()}. Le decisioni sono riportate "
            "qui sotto con il partner incaricato e la scadenza.",
        )

    table = governance.body_save(
        actor=None,
        programme=programme,
        fields={
            "kind": "thematic_table",
            "name": "Tavolo Famiglie #BeneComune",
            "description": "Gli operatori del tutoring familiare si confrontano sui casi e sugli strumenti.",
            "action_line": programme.action_lines.filter(code="famiglie").first(),
        },
    )
    for organisation in [o for o in (acli, babele, _org("Aldia"), _org("Comune di Pavia")) if o]:
        governance.member_add(actor=None, body=table, organisation=organisation)
    for day in (date(2019, 4, 2), date(2020, 11, 17)):
        _meeting(
            table,
            rng,
            title="Tavolo Famiglie",
            start=_at(day, 14, 30),
            hours=2,
            venue="Laboratorio Sociale",
            agenda="Strumenti del tutoring familiare; casi complessi; invii ai laboratori.",
            minutes="Condivisi gli strumenti di valutazione del bisogno e i criteri di invio ai laboratori.",
        )

    assembly = governance.body_save(
        actor=None,
        programme=programme,
        fields={
            "kind": "open_assembly",
            "name": "Assemblea aperta della Rete dei Laboratori Sociali",
            "meets_in_public": True,
            "description": "Aperta alla cittadinanza: amministrazioni locali, enti "
            "del terzo settore e gruppi di cittadini si confrontano sulle attività dei Laboratori Sociali.",
        },
    )
    if coordinator is not None:
        governance.member_add(actor=None, body=assembly, user=coordinator, role=BodyMember.Role.CHAIR)
    chair = list(assembly.members.all())
    local = [o for o in _partners(programme) if o.kind == Organisation.Kind.LOCAL_AUTHORITY][:8]
    third = [
        o
        for o in _partners(programme)
        if o.kind
        in (Organisation.Kind.THIRD_SECTOR, Organisation.Kind.SOCIAL_COOPERATIVE, Organisation.Kind.FOUNDATION)
    ][:12]
    lead = Partnership.objects.filter(programme=programme, role=Partnership.Role.LEAD).first()
    organisations = [*local, *third, *([lead.organisation] if lead else [])]
    groups = list(CitizenGroup.objects.filter(programme=programme).order_by("name")[:12])
    guests = ["Garante dei Diritti dell'infanzia e dell'adolescenza di Pavia"]
    named = len(chair) + len(organisations) + len(groups) + len(guests)
    _meeting(
        assembly,
        rng,
        title="Prima Assemblea aperta della Rete dei Laboratori Sociali",
        start=_at(date(2020, 7, 2), 17, 30),
        hours=2,
        venue="Cortile del Broletto (dimostrativo)",
        municipality=pavia,
        agenda="1. Le attività dei Laboratori Sociali\n2. Presentazione della Mappa dei Laboratori Sociali e dei "
        "gruppi di cittadini\n3. Confronto con la cittadinanza",
        minutes="Una cinquantina di partecipanti tra rappresentanti delle Amministrazioni locali, degli enti del "
        "terzo settore e dei gruppi di cittadini; presente il Garante dei Diritti dell'infanzia e "
        "dell'adolescenza di Pavia. Presentata la Mappa dei Laboratori Sociali e dei gruppi di cittadini, "
        "realizzata con il lavoro coordinato dal CSV insieme alle associazioni e ai gruppi informali.",
        decisions=[
            (
                "Pubblicare la Mappa dei Laboratori Sociali e dei gruppi di cittadini",
                "per-fare",
                "community_labs_active",
                date(2020, 7, 31),
                "done:Mappa pubblicata e scaricabile dal sito.",
            ),
            (
                "Aprire la rete a nuovi gruppi di cittadini",
                "costruire",
                "",
                date(2020, 12, 31),
                "in_progress:Tre nuovi gruppi hanno chiesto di entrare nella rete.",
            ),
        ],
        attendance={
            "members": chair,
            "organisations": organisations,
            "groups": groups,
            "guests": guests,
            "others": max(0, 50 - named),
        },
    )
    next_place = CommunityPlace.objects.filter(programme=programme, name="Laboratorio Sociale Crosione").first()
    _meeting(
        assembly,
        rng,
        title="Assemblea aperta della Rete: i Laboratori si raccontano",
        start=_at(today + timedelta(days=30), 17, 30),
        hours=2,
        place=next_place,
        venue="" if next_place else "Cortile del Broletto (dimostrativo)",
        municipality=None if next_place else pavia,
        agenda="Un anno di Laboratori Sociali: attività, gruppi di cittadini, nuove proposte. Aperta a tutti.",
    )

    sources = _budget(
        programme,
        rng,
        grant=D("760000.00"),
        raised=D("40000.00"),
        required=D("30.00"),
        period=(date(2018, 12, 1), date(2021, 11, 15)),
        cofinancing={
            "Comune di Pavia": D("120000.00"),
            "Acli": D("35000.00"),
            "Babele Onlus": D("30000.00"),
            "Centro Servizi Volontariato": D("25000.00"),
            "Aldia": D("30000.00"),
            "CSF": D("25000.00"),
            "Progetto ConTatto": D("20000.00"),
            "F.Costantino": D("15000.00"),
        },
        lines=[
            ("grant", "famiglie", "Tutor familiari e mediatori", D("280000.00")),
            ("grant", "crescere", "Educatori e attività sportive e culturali", D("200000.00")),
            ("grant", "costruire", "Coordinamento dei laboratori di prossimità", D("180000.00")),
            ("grant", "per-fare", "Governance, comunicazione e valutazione", D("100000.00")),
            ("Comune di Pavia", "costruire", "Spazi comunali per i laboratori (valorizzazione)", D("120000.00")),
            ("Acli", "famiglie", "Ore di operatori Acli", D("35000.00")),
            ("Babele Onlus", "famiglie", "Mediazione dei conflitti", D("30000.00")),
            ("Centro Servizi Volontariato", "costruire", "Mappatura dei gruppi di cittadini", D("25000.00")),
            ("Aldia", "famiglie", "Educazione finanziaria", D("30000.00")),
            ("CSF", "crescere", "Laboratori di cittadinanza", D("25000.00")),
            ("Progetto ConTatto", "crescere", "Scambi europei", D("20000.00")),
            ("F.Costantino", "crescere", "Borse per attività sportive", D("15000.00")),
            ("fundraising", "crescere", "Doposcuola nei quartieri", D("30000.00")),
            ("fundraising", "per-fare", "Campagne di comunicazione", D("10000.00")),
        ],
    )
    campaigns = _fundraising(
        programme,
        rng,
        sources["fundraising"],
        today=today,
        gifts=42,
        donors=26,
        campaigns=[
            {
                "title": "Un laboratorio in ogni quartiere",
                "goal": D("15000.00"),
                "channel": Campaign.Channel.COMMUNITY,
                "starts_on": date(2020, 3, 1),
                "ends_on": date(2020, 12, 31),
                "is_public": True,
                "summary": "Aiutaci a tenere aperti i Laboratori Sociali di Pavia e dei Comuni del distretto.",
                "description": "Ogni laboratorio è un punto di ascolto, confronto e mutualità tra famiglie. "
                "Con il tuo contributo paghi materiali, merende e il doposcuola dei ragazzi.",
                "how_to_give": "Bonifico intestato al Consorzio Sociale Pavese, causale «Fare #BeneComune», "
                "oppure nei Laboratori Sociali negli orari di apertura.",
            },
            {
                "title": "Natale solidale 2020",
                "goal": D("5000.00"),
                "channel": Campaign.Channel.EVENT,
                "starts_on": date(2020, 11, 15),
                "ends_on": date(2021, 1, 10),
                "is_public": True,
                "summary": "Un dono per le famiglie accompagnate dai Laboratori Sociali.",
                "description": "",
                "how_to_give": "Ai banchetti dei Laboratori Sociali e con bonifico (causale «Natale solidale»).",
            },
        ],
    )
    _news(
        programme,
        [
            (
                "È nata la Mappa dei Laboratori Sociali",
                "Presentata all'assemblea aperta del 2 luglio 2020.",
                "Il 2 luglio 2020 si è svolta la prima Assemblea aperta alla cittadinanza della Rete dei Laboratori "
                "Sociali: una cinquantina tra rappresentanti delle Amministrazioni locali, enti del terzo settore e "
                "gruppi di cittadini. È stata presentata la Mappa dei Laboratori Sociali e dei gruppi di cittadini.",
                _at(date(2020, 7, 3), 10),
                None,
            ),
            (
                "Un laboratorio in ogni quartiere: parte la raccolta fondi",
                "Sostieni i Laboratori Sociali.",
                "Parte la campagna di raccolta fondi per tenere aperti i Laboratori Sociali.",
                _at(date(2020, 3, 2), 9),
                campaigns[0],
            ),
            ("Verso la nuova assemblea aperta", "Bozza dell'invito.", "Testo in preparazione.", None, None),
        ],
    )


def _wellfare_legami(programme: Programme, rng: random.Random, today: date) -> None:
    cremona = programme.municipalities.filter(istat_code="019036").first()
    lab = CommunityPlace.objects.filter(programme=programme, name="Laboratorio di Comunità di Cremona").first()
    where = {"place": lab} if lab else {"venue": "Comune di Cremona", "municipality": cremona}
    operator = _account(programme, Role.OPERATOR)
    partners = _partners(programme, Partnership.Role.PARTNER)
    peers = [
        p
        for p in [
            operator,
            _colleague(programme, "Marta Ghisleri", _org("Azienda sociale del Cremonese") or partners[0]),
        ]
        if p
    ]
    trainees = [u for u in (_account(programme, Role.VOLUNTEER), _account(programme, Role.LAB_MANAGER)) if u]
    trainees += [
        _colleague(programme, name, organisation)
        for name, organisation in (
            ("Davide Cerri", _org("Comunità sociale Cremasca") or partners[0]),
            ("Ilaria Brambilla", _org("Consorzio Casalasco dei Servizi Sociali") or partners[0]),
            ("Nicola Zanoni", _org("Consorzio Sol.co Cremona") or partners[0]),
        )
    ]
    named = [
        ("Federica", "Mazza", "policy_maker", "Assessora al welfare (dimostrativo)", _org("Comune di Crema")),
        (
            "Alberto",
            "Cattaneo",
            "policy_maker",
            "Dirigente dei servizi sociali (dimostrativo)",
            _org("Provincia di Cremona"),
        ),
        ("Irene", "Villa", "volunteer", "Volontaria", _org("CSV Cremona")),
        ("Paolo", "Pagani", "volunteer", "Volontario", _org("CSV Cremona")),
    ]
    modules = [
        ("I patti gener-attivi", "4", "Costruire un patto di reciprocità con la persona"),
        ("Il budget di welfare personale", "4", "Usare il budget per l'attivazione e la restituzione"),
        ("La comunità come intelligenza collettiva", "4", "Leggere i problemi insieme alla comunità"),
    ]
    first = _weekday_on_or_after(today - timedelta(weeks=22), 2)
    _course(
        programme,
        rng,
        title="Well-Fare Lab: patti e reciprocità",
        audience="mixed",
        line="well-fare-lab",
        first_start=_at(first, 16),
        sessions=5,
        minutes=150,
        peers=peers,
        modules=modules,
        trainees=trainees,
        named=named,
        where=where,
        issue_on=first + timedelta(weeks=6),
        expert="Dott. Stefano Longhi, formatore (dimostrativo)",
        description="Policy-maker, operatori e volontari imparano insieme, in un'ottica di peer education.",
    )
    second = _weekday_on_or_after(today - timedelta(weeks=4), 3)
    _course(
        programme,
        rng,
        title="Well-Fare Lab: volontari nei Laboratori di Comunità",
        audience="volunteers",
        line="well-fare-lab",
        first_start=_at(second, 18),
        sessions=8,
        minutes=120,
        peers=peers[:1],
        modules=[
            ("Ascoltare i bisogni", "6", "Accogliere e orientare chi arriva al laboratorio"),
            ("Progettare con la comunità", "10", "Trasformare un bisogno in un'iniziativa"),
        ],
        trainees=trainees[:1],
        named=named[2:],
        where=where,
        expert="Dott.ssa Anna Greco (dimostrativo)",
        description="Un percorso per i volontari che animano i Laboratori e gli Incroci di Comunità.",
    )

    steering = _steering(programme, _account(programme, Role.COORDINATOR))
    for days, title, decisions in (
        (
            -120,
            "Stato dei patti gener-attivi e dei budget di welfare personali",
            [
                (
                    "Uniformare il modulo del patto tra i tre ambiti",
                    "patti",
                    "pacts_signed",
                    today - timedelta(days=60),
                    "done:Modulo unico approvato.",
                )
            ],
        ),
        (
            -40,
            "Well-Fare Lab e piano di raccolta fondi",
            [
                (
                    "Lanciare la campagna di raccolta fondi di primavera",
                    "fundraising",
                    "",
                    today - timedelta(days=10),
                    "done:Campagna online.",
                )
            ],
        ),
        (20, "Monitoraggio e valutazione intermedia", []),
    ):
        _meeting(
            steering,
            rng,
            title=title,
            start=_at(today + timedelta(days=days), 15),
            hours=2,
            venue="Palazzo comunale di Cremona",
            agenda=title,
            decisions=decisions,
            minutes=f"Discusso: {title.lower()}.",
        )
    table = governance.body_save(
        actor=None,
        programme=programme,
        fields={
            "kind": "thematic_table",
            "name": "Tavolo Patti gener-attivi",
            "action_line": programme.action_lines.filter(code="patti").first(),
        },
    )
    for organisation in partners[:4]:
        governance.member_add(actor=None, body=table, organisation=organisation)
    _meeting(
        table,
        rng,
        title="Tavolo Patti gener-attivi",
        start=_at(today - timedelta(days=75), 10),
        hours=2,
        venue="Azienda sociale del Cremonese",
        agenda="Casi e restituzioni alla comunità.",
        minutes="Condivisi i criteri per le ore di restituzione.",
    )

    sources = _budget(
        programme,
        rng,
        grant=D("1500000.00"),
        raised=D("60000.00"),
        required=D("30.00"),
        period=(today - timedelta(days=540), today - timedelta(days=1)),
        cofinancing={o.name: D(rng.randint(30, 90) * 1000) for o in partners[:12]},
        lines=[
            ("grant", "patti", "Budget di welfare personali e accompagnamento", D("600000.00")),
            ("grant", "laboratori", "Animatori dei Laboratori di Comunità", D("380000.00")),
            ("grant", "incroci", "Attività dei Civic Center", D("300000.00")),
            ("grant", "well-fare-lab", "Percorsi formativi Well-Fare Lab", D("120000.00")),
            ("grant", "fundraising", "Piano di comunicazione", D("100000.00")),
            *[
                (
                    o.name,
                    rng.choice(["patti", "laboratori", "incroci"]),
                    f"Personale e spazi di {o.name}",
                    D("20000.00"),
                )
                for o in partners[:12]
            ],
            ("fundraising", "incroci", "Attività estive dei ragazzi", D("40000.00")),
        ],
    )
    campaign = _fundraising(
        programme,
        rng,
        sources["fundraising"],
        today=today,
        gifts=30,
        donors=18,
        campaigns=[
            {
                "title": "Legami che generano",
                "goal": D("20000.00"),
                "channel": Campaign.Channel.ONLINE,
                "starts_on": today - timedelta(days=60),
                "ends_on": today + timedelta(days=60),
                "is_public": True,
                "summary": "Sostieni i patti gener-attivi della provincia di Cremona.",
                "description": "Ogni euro raccolto diventa tempo, formazione e opportunità per le persone "
                "che si rimettono in gioco restituendo alla comunità.",
                "how_to_give": "Dona online o con bonifico al Comune di Cremona, causale «Wel(l)FARE legami».",
            }
        ],
    )[0]
    _news(
        programme,
        [
            (
                "Legami che generano: al via la raccolta fondi",
                "Sostieni i patti gener-attivi.",
                "Parte la campagna online del progetto.",
                _at(today - timedelta(days=59), 9),
                campaign,
            )
        ],
    )


def _genera_azioni(programme: Programme, rng: random.Random, today: date) -> None:
    point = CommunityPlace.objects.filter(programme=programme, name="Punto di comunità di Montichiari").first()
    where = {"place": point} if point else {"venue": "Montichiari", "municipality": programme.municipalities.first()}
    partners = _partners(programme)
    operator = _account(programme, Role.OPERATOR)
    peers = [p for p in [operator] if p]
    trainees = [u for u in (_account(programme, Role.VOLUNTEER), _account(programme, Role.LAB_MANAGER)) if u]
    if peers:
        first = _weekday_on_or_after(today - timedelta(weeks=3), 0)
        _course(
            programme,
            rng,
            title="Facilitatori di comunità: lavorare in rete",
            audience="operators",
            line="punti-di-comunita",
            first_start=_at(first, 9, 30),
            sessions=6,
            minutes=180,
            peers=peers,
            modules=[
                ("Il lavoro di rete", "9", "Mettere in relazione enti, aziende e cittadini"),
                ("I Punti di comunità", "9", "Intercettare la fragilità prima che diventi emergenza"),
            ],
            trainees=trainees,
            where=where,
            expert="Dott. Luca Riva, facilitatore (dimostrativo)",
            named=[
                ("Giulia", "Fontana", "operator", "Assistente sociale (dimostrativo)", partners[0]),
                ("Matteo", "Marini", "policy_maker", "Sindaco (dimostrativo)", partners[0]),
            ],
            description="Il percorso dei facilitatori che animano i 6 Punti di comunità.",
        )
    steering = _steering(programme, _account(programme, Role.COORDINATOR))
    for days, title in ((-60, "Avvio dei piani integrati lavoro, casa e adolescenti"), (25, "I Punti di comunità")):
        _meeting(
            steering,
            rng,
            title=title,
            start=_at(today + timedelta(days=days), 18),
            hours=1.5,
            venue="Montichiari",
            agenda=title,
            minutes=f"Discusso: {title.lower()}.",
            decisions=[
                (
                    "Coinvolgere le aziende del territorio nel piano lavoro",
                    "piano-lavoro",
                    "households_reached",
                    today + timedelta(days=30),
                    "",
                )
            ],
        )
    sources = _budget(
        programme,
        rng,
        grant=D("600000.00"),
        raised=D("20000.00"),
        required=D("30.00"),
        period=(today - timedelta(days=365), today - timedelta(days=1)),
        cofinancing={o.name: D("130000.00") for o in partners[:2]},
        lines=[
            ("grant", "punti-di-comunita", "Facilitatori di comunità", D("250000.00")),
            ("grant", "piano-lavoro", "Tirocini e sostegni alle assunzioni", D("150000.00")),
            ("grant", "piano-casa", "Custode sociale e fondo di garanzia", D("120000.00")),
            ("grant", "piano-adolescenti", "Laboratori con gli adolescenti", D("80000.00")),
            *[(o.name, "punti-di-comunita", f"Spazi e personale di {o.name}", D("110000.00")) for o in partners[:2]],
            ("fundraising", "piano-adolescenti", "Uscite ed esperienze dei ragazzi", D("15000.00")),
        ],
    )
    _fundraising(
        programme,
        rng,
        sources["fundraising"],
        today=today,
        gifts=14,
        donors=10,
        campaigns=[
            {
                "title": "Un punto per tutti",
                "goal": D("8000.00"),
                "channel": Campaign.Channel.COMPANIES,
                "starts_on": today - timedelta(days=30),
                "ends_on": today + timedelta(days=90),
                "is_public": True,
                "summary": "Le aziende della Bassa Bresciana per i Punti di comunità.",
                "description": "",
                "how_to_give": "Contatta il Punto di comunità più vicino.",
            }
        ],
    )


BUILDERS: list[tuple[str, Callable[[Programme, random.Random, date], None]]] = [
    ("fare-benecomune", _fare_benecomune),
    ("wellfare-legami", _wellfare_legami),
    ("genera-azioni", _genera_azioni),
]


def load(log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    for slug, build in BUILDERS:
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None or not programme.partnerships.exists():
            continue
        if Body.objects.filter(programme=programme, name=STEERING).exists():
            log(f"{programme.name}: training, governance and budget already there.")
            continue
        with transaction.atomic():
            build(programme, random.Random(f"{SEED}-{slug}"), today)  # noqa: S311 — demo data, not security
        log(
            f"{programme.name}: {Course.objects.filter(programme=programme).count()} courses, "
            f"{Module.objects.filter(course__programme=programme).count()} modules, "
            f"{Body.objects.filter(programme=programme).count()} bodies, "
            f"{programme.meetings.count()} meetings, {programme.budget_lines.count()} budget lines, "
            f"{programme.donations.count()} donations."
        )
