"""Reads of the delivery side of a case: assessments, pathways and goals, sessions, referrals.

Every read starts from `visible_cases` (S1); nested records are fetched through their parent and
must belong to it (S2). Confidential text (session and assessment notes, a referral's reason) is
for the case team only (S6): these selectors say who may read it, the templates obey.

Two functions are a contract with the case and home pages (owned by the cases side of casework):
`case_delivery_context` and `operator_home_context`. Each returns a dict whose keys all start with
`delivery_`, merged into the page's context, and costs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.models import (
    Assessment,
    Case,
    Goal,
    Pathway,
    PathwayParticipation,
    Referral,
    Session,
)
from trama.casework.permissions import visible_cases
from trama.core.charts import Series, SmallMultiples, small_multiples
from trama.people.models import HouseholdMember, Person
from trama.territory.models import Programme

# An assessment is due again after this many days (the operator home's "assessments due").
ASSESSMENT_INTERVAL_DAYS = 90
AGENDA_DAYS = 14
HOME_LIST_SIZE = 10

# The receiving organisation sees a referral only in these states: rejecting or revoking it
# removes their access at once (S5).
RECEIVING_VISIBLE = (Referral.Status.PENDING, Referral.Status.ACCEPTED, Referral.Status.COMPLETED)
OPEN_REFERRAL = (Referral.Status.PENDING, Referral.Status.ACCEPTED)
RECEIVING_ROLES = (Role.OPERATOR, Role.LAB_MANAGER)


# --- Who may do what ------------------------------------------------------------------------


def programme_memberships(user: User, programme: Programme) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme))


def is_coordinator(user: User, programme: Programme) -> bool:
    return any(m.role == Role.COORDINATOR for m in programme_memberships(user, programme))


def team_case_ids(user: User, case_ids: list[int]) -> set[int]:
    """Of `case_ids`, those whose team `user` is on (one query)."""
    if not case_ids or not user.is_authenticated:
        return set()
    return set(Case.objects.filter(pk__in=case_ids, team__user=user).values_list("pk", flat=True))


def can_work_on_case(user: User, case: Case) -> bool:
    """Record assessments, goals, pathways and referrals: the case team, and coordinators."""
    return is_coordinator(user, case.programme) or case.team.filter(user=user).exists()


def receiving_organisation_ids(user: User, programme: Programme) -> set[int]:
    """The organisations for which `user` decides on referrals they receive."""
    return {m.organisation_id for m in programme_memberships(user, programme) if m.role in RECEIVING_ROLES}


def age_band(person: Person, on: date | None = None) -> str:
    """The only age the receiving side of a referral sees."""
    age = person.age(on)
    if age is None:
        return _("age not known")
    bands = ((5, "0–5"), (10, "6–10"), (13, "11–13"), (17, "14–17"), (21, "18–21"), (64, "22–64"))
    for upper, label in bands:
        if age <= upper:
            return label
    return "65+"


# --- Assessments ------------------------------------------------------------------------------


def case_assessments(case: Case) -> list[Assessment]:
    return list(
        Assessment.objects.filter(case=case)
        .select_related("assessed_by")
        .prefetch_related("scores")
        .order_by("assessed_on", "created_at")
    )


def get_assessment_for_case(case: Case, assessment_id: object) -> Assessment:
    """An assessment of `case` (already authorised); 404 for one of another case (S2)."""
    assessment = (
        Assessment.objects.filter(case=case, public_id=assessment_id)
        .select_related("assessed_by")
        .prefetch_related("scores")
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


@dataclass(frozen=True)
class EvolutionRow:
    """One assessment as a row of the data table that accompanies the chart."""

    assessment: Assessment
    scores: list[int | None]


def assessment_evolution(assessments: list[Assessment]) -> dict[str, Any]:
    """The chart and its data table: how each dimension evolved from one assessment to the next."""
    dimensions = list(Assessment.Dimension)
    rows = []
    series_points: dict[str, list[tuple[date, float]]] = {d.value: [] for d in dimensions}
    for assessment in assessments:
        by_dimension = {score.dimension: score.score for score in assessment.scores.all()}
        rows.append(EvolutionRow(assessment=assessment, scores=[by_dimension.get(d.value) for d in dimensions]))
        for dimension, value in by_dimension.items():
            if dimension in series_points:
                series_points[dimension].append((assessment.assessed_on, value))
    summaries = {str(d.label): _trend(series_points[d.value]) for d in dimensions}
    chart: SmallMultiples | None = None
    if assessments:
        first, last = assessments[0].assessed_on, assessments[-1].assessed_on
        chart = small_multiples(
            [Series(name=str(d.label), points=series_points[d.value]) for d in dimensions],
            title=_("How the needs assessment evolved"),
            description=_(
                "Scores from 1 (serious difficulty) to 5 (no difficulty) for each of the eight dimensions, "
                "in %(count)s assessments from %(first)s to %(last)s. %(trends)s"
            )
            % {
                "count": len(assessments),
                "first": first.strftime("%d/%m/%Y"),
                "last": last.strftime("%d/%m/%Y"),
                "trends": "; ".join(f"{name}: {trend}" for name, trend in summaries.items()),
            },
            y_min=1,
            y_max=5,
            summaries=summaries,
        )
    return {"chart": chart, "dimensions": [d.label for d in dimensions], "rows": rows}


def _trend(points: list[tuple[date, float]]) -> str:
    if not points:
        return _("not assessed")
    first, last = points[0][1], points[-1][1]
    if len(points) == 1:
        return _("%(score)s (one assessment)") % {"score": first}
    if last > first:
        word = _("improved")
    elif last < first:
        word = _("worsened")
    else:
        word = _("unchanged")
    return f"{first:g} → {last:g} ({word})"


# --- Pathways, goals and sessions ---------------------------------------------------------------


def visible_pathways(user: User, programme: Programme) -> QuerySet[Pathway]:
    """Pathways with at least one case the user may see (S1)."""
    return Pathway.objects.filter(
        programme=programme, pk__in=PathwayParticipation.objects.filter(case__in=visible_cases(user, programme)).values(
            "pathway_id"
        )
    )  # fmt: skip


def pathway_list(user: User, programme: Programme, *, query: str = "", kind: str = "", status: str = "") -> QuerySet:
    pathways = visible_pathways(user, programme).select_related("organisation", "place")
    if query:
        pathways = pathways.filter(title__icontains=query)
    if kind:
        pathways = pathways.filter(kind=kind)
    if status:
        pathways = pathways.filter(status=status)
    return pathways.order_by("-start_date", "title")


def get_pathway_for_user(
    user: User, programme: Programme, pathway_id: object, *, request: HttpRequest | None = None
) -> Pathway:
    """Fetch and authorise a pathway (404 alike for missing and forbidden); the read is audited."""
    with transaction.atomic():
        pathway = (
            visible_pathways(user, programme)
            .select_related("organisation", "place", "programme")
            .filter(public_id=pathway_id)
            .first()
        )
        if pathway is None:
            raise Http404
        audit_record(action=AuditEvent.Action.READ, actor=user, request=request, programme=programme, target=pathway)
    return pathway


@dataclass(frozen=True)
class PathwayAccess:
    """What the viewer of a pathway may see of it: the households visible to them, and the notes
    only if they are on the team of one of its cases."""

    visible_case_ids: set[int]
    team_case_ids: set[int]
    coordinator: bool

    @property
    def can_read_notes(self) -> bool:
        return bool(self.team_case_ids)

    @property
    def can_manage(self) -> bool:
        return self.coordinator or bool(self.team_case_ids)


def pathway_access(user: User, pathway: Pathway) -> PathwayAccess:
    case_ids = list(pathway.participations.values_list("case_id", flat=True))
    visible = set(visible_cases(user, pathway.programme).filter(pk__in=case_ids).values_list("pk", flat=True))
    return PathwayAccess(
        visible_case_ids=visible,
        team_case_ids=team_case_ids(user, case_ids),
        coordinator=is_coordinator(user, pathway.programme),
    )


def pathway_detail(pathway: Pathway, access: PathwayAccess) -> dict[str, Any]:
    """The pathway page: the households the viewer may see, their goals, the sessions."""
    participations = [
        p
        for p in pathway.participations.select_related("case__household").order_by("case__household__label")
        if p.case_id in access.visible_case_ids
    ]
    goals = list(
        Goal.objects.filter(pathway=pathway, case_id__in=access.visible_case_ids)
        .select_related("case__household")
        .order_by("due_on", "description")
    )
    visible_people = set(
        HouseholdMember.objects.filter(household__cases__in=access.visible_case_ids).values_list("person_id", flat=True)
    )
    sessions = list(
        pathway.sessions.select_related("place", "recorded_by").prefetch_related("attendees").order_by("-starts_at")
    )
    for session in sessions:
        session.visible_attendees = [p for p in session.attendees.all() if p.pk in visible_people]
    return {"participations": participations, "goals": goals, "sessions": sessions}


def pathway_people(pathway: Pathway, visible_case_ids: set[int]) -> QuerySet[Person]:
    """Who may be recorded as attending: members of the pathway's households the viewer may see."""
    case_ids = pathway.participations.filter(case_id__in=visible_case_ids).values("case_id")
    return (
        Person.objects.filter(household_memberships__household__cases__in=case_ids)
        .distinct()
        .order_by("last_name", "first_name")
    )


def get_session_for_pathway(pathway: Pathway, session_id: object) -> Session:
    """A session of `pathway` (already authorised); 404 for one of another pathway (S2)."""
    session = (
        Session.objects.filter(pathway=pathway, public_id=session_id)
        .select_related("place", "recorded_by")
        .prefetch_related("attendees")
        .first()
    )
    if session is None:
        raise Http404
    return session


def get_goal_for_case(case: Case, goal_id: object) -> Goal:
    goal = Goal.objects.filter(case=case, public_id=goal_id).select_related("pathway").first()
    if goal is None:
        raise Http404
    return goal


def _week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, local time."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return monday, monday + timedelta(days=7)


def my_sessions(user: User, programme: Programme) -> QuerySet[Session]:
    """Sessions of the pathways where `user` is on the team of a participating case, or that they
    recorded themselves: the operator's agenda."""
    pathways = PathwayParticipation.objects.filter(
        case__in=visible_cases(user, programme).filter(team__user=user)
    ).values("pathway_id")
    return (
        Session.objects.filter(pathway__programme=programme)
        .filter(Q(pathway_id__in=pathways) | Q(recorded_by=user))
        .select_related("pathway", "place")
        .order_by("starts_at")
    )


def agenda_context(user: User, programme: Programme, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    week_start, week_end = _week_bounds(now)
    sessions = my_sessions(user, programme)
    return {
        "week_start": week_start,
        "week_end": week_end - timedelta(days=1),
        "week_sessions": list(sessions.filter(starts_at__gte=week_start, starts_at__lt=week_end)),
        "upcoming_sessions": list(sessions.filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=AGENDA_DAYS))),
        "agenda_days": AGENDA_DAYS,
    }


# --- Referrals ---------------------------------------------------------------------------------


def _referral_joins(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related(
        "person",
        "case__household",
        "from_organisation",
        "target_place__managing_organisation",
        "target_group",
        "target_organisation",
        "created_by",
    )


def referrals_received(
    user: User, programme: Programme, *, status: str = "", organisations: set[int] | None = None
) -> QuerySet[Referral]:
    """The queue “referred to my organisation”: referrals to an organisation the user decides for,
    or to a place it runs — only while pending, accepted or completed (S5). `organisations` saves a
    query when the caller already knows the user's receiving organisations."""
    if organisations is None:
        organisations = receiving_organisation_ids(user, programme)
    statuses = [status] if status in RECEIVING_VISIBLE else list(RECEIVING_VISIBLE)
    referrals = Referral.objects.filter(programme=programme, status__in=statuses).filter(
        Q(target_kind=Referral.TargetKind.ORGANISATION, target_organisation_id__in=organisations)
        | Q(target_kind=Referral.TargetKind.PLACE, target_place__managing_organisation_id__in=organisations)
    )
    return _referral_joins(referrals).order_by("-created_at")


def referrals_sent(
    user: User, programme: Programme, *, status: str = "", cases: QuerySet[Case] | None = None
) -> QuerySet[Referral]:
    """The queue “my pending referrals”: sent by the user or for a case whose team they are on, among the
    cases they may still see; open ones (pending or accepted) unless a status is asked for. `cases`
    saves a query when the caller already holds `visible_cases(user, programme)`."""
    if cases is None:
        cases = visible_cases(user, programme)
    referrals = Referral.objects.filter(programme=programme, case__in=cases).filter(
        Q(created_by=user) | Q(case__in=Case.objects.filter(team__user=user))
    )
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    elif status != "all":
        referrals = referrals.filter(status__in=OPEN_REFERRAL)
    return _referral_joins(referrals).order_by("-created_at")


def get_referral_for_case(case: Case, referral_id: object) -> Referral:
    """A referral of `case` (already authorised); 404 for one of another case (S2)."""
    referral = _referral_joins(Referral.objects.filter(case=case, public_id=referral_id)).first()
    if referral is None:
        raise Http404
    return referral


def get_received_referral(
    user: User, programme: Programme, referral_id: object, *, request: HttpRequest | None = None
) -> Referral:
    """A referral as its receiving organisation sees it; 404 once rejected or revoked. Audited."""
    with transaction.atomic():
        referral = referrals_received(user, programme).filter(public_id=referral_id).first()
        if referral is None:
            raise Http404
        audit_record(action=AuditEvent.Action.READ, actor=user, request=request, programme=programme, target=referral)
    return referral


def get_referral_for_decision(user: User, programme: Programme, referral_id: object) -> Referral:
    """A referral `user` may accept, reject or complete: one their organisation receives, or — for
    a citizen group or an external service, which have nobody in Trama to answer — one of a case
    they work on, where they record the answer they were given."""
    referral = referrals_received(user, programme).filter(public_id=referral_id).first()
    if referral is not None:
        return referral
    referral = (
        _referral_joins(Referral.objects.filter(programme=programme, public_id=referral_id))
        .filter(target_kind__in=(Referral.TargetKind.GROUP, Referral.TargetKind.EXTERNAL))
        .filter(case__in=visible_cases(user, programme))
        .first()
    )
    if referral is None or not can_work_on_case(user, referral.case):
        raise Http404
    return referral


def referral_actions(
    referral: Referral, user: User, *, on_team: bool, coordinator: bool, receiving: set[int]
) -> list[str]:
    """The transitions `user` may make on `referral` now (for the buttons; services re-check)."""
    allowed = Referral.TRANSITIONS[referral.status]
    receiver = referral.receiving_organisation
    # A group or an external service has nobody in Trama to answer: the case team records it.
    decides = receiver.pk in receiving if receiver is not None else on_team or coordinator
    actions = []
    for status in (Referral.Status.ACCEPTED, Referral.Status.REJECTED, Referral.Status.COMPLETED):
        if status in allowed and decides:
            actions.append(str(status))
    if Referral.Status.REVOKED in allowed and (on_team or coordinator):
        actions.append(str(Referral.Status.REVOKED))
    return actions


# --- The contract with the case page and the operator home ---------------------------------------


def case_delivery_context(
    case: Case,
    user: User,
    *,
    memberships: Iterable[Membership] | None = None,
    on_team: bool | None = None,
    household_person_ids: set[int] | None = None,
) -> dict[str, Any]:
    """Everything `casework/_case_delivery.html` needs, in a fixed number of queries (10 when the
    case page passes what it has already read: the user's memberships of the programme, whether
    they are on the case team, the household's people; 13 without).

    Keys: `delivery_assessments` (list, oldest first), `delivery_evolution` (chart + table),
    `delivery_pathways` (each with `.case_goals`, `.visible_households`), `delivery_goals_without_pathway`,
    `delivery_sessions_upcoming`, `delivery_sessions_past` (each with `.household_attendees`),
    `delivery_referrals` (each with `.actions`), `delivery_can_work` (add records),
    `delivery_can_read_notes` (the case team only, S6), `delivery_is_coordinator`.
    """
    programme = case.programme
    memberships = programme_memberships(user, programme) if memberships is None else list(memberships)
    coordinator = any(m.role == Role.COORDINATOR for m in memberships)
    receiving = {m.organisation_id for m in memberships if m.role in RECEIVING_ROLES}
    if on_team is None:
        on_team = case.team.filter(user=user).exists()
    assessments = case_assessments(case)
    participations = PathwayParticipation.objects.select_related("case__household")
    pathways = list(
        Pathway.objects.filter(participations__case=case)
        .select_related("organisation", "place")
        .prefetch_related(Prefetch("participations", queryset=participations))
        .order_by("-start_date")
    )
    all_case_ids = {p.case_id for pathway in pathways for p in pathway.participations.all()}
    visible_ids = (
        set(visible_cases(user, programme).filter(pk__in=all_case_ids).values_list("pk", flat=True))
        if all_case_ids
        else set()
    )
    goals = list(Goal.objects.filter(case=case).select_related("pathway").order_by("due_on", "description"))
    for pathway in pathways:
        pathway.case_goals = [g for g in goals if g.pathway_id == pathway.pk]
        pathway.visible_households = [
            p.case.household for p in pathway.participations.all() if p.case_id in visible_ids
        ]
    household_people = (
        set(HouseholdMember.objects.filter(household=case.household_id).values_list("person_id", flat=True))
        if household_person_ids is None
        else household_person_ids
    )
    sessions = list(
        Session.objects.filter(pathway__in=[p.pk for p in pathways])
        .select_related("pathway", "place", "recorded_by")
        .prefetch_related("attendees")
        .order_by("starts_at")
    )
    for session in sessions:
        session.household_attendees = [p for p in session.attendees.all() if p.pk in household_people]
    now = timezone.now()
    # Only the joins the table shows (who, where to, who decides): the case is this one, and each
    # relation more costs the planner more than the rows it brings.
    referrals = list(
        Referral.objects.filter(case=case)
        .select_related("person", "target_place__managing_organisation", "target_group", "target_organisation")
        .order_by("-created_at")
    )
    for referral in referrals:
        referral.case = case
        referral.actions = referral_actions(
            referral, user, on_team=on_team, coordinator=coordinator, receiving=receiving
        )
    return {
        "delivery_assessments": assessments,
        "delivery_evolution": assessment_evolution(assessments),
        "delivery_pathways": pathways,
        "delivery_goals_without_pathway": [g for g in goals if g.pathway_id is None],
        "delivery_sessions_upcoming": [s for s in sessions if s.starts_at >= now],
        "delivery_sessions_past": [s for s in reversed(sessions) if s.starts_at < now],
        "delivery_referrals": referrals,
        "delivery_can_work": on_team or coordinator,
        "delivery_can_read_notes": on_team,
        "delivery_is_coordinator": coordinator,
    }


def assessments_due(
    user: User, programme: Programme, *, today: date | None = None, cases: QuerySet[Case] | None = None
) -> QuerySet[Case]:
    """Open cases past phase A with no assessment, or whose latest one is older than 90 days.
    `cases` saves a query when the caller already holds `visible_cases(user, programme)`."""
    today = today or timezone.localdate()
    limit = today - timedelta(days=ASSESSMENT_INTERVAL_DAYS)
    if cases is None:
        cases = visible_cases(user, programme)
    return (
        Case.objects.filter(pk__in=cases.values("pk"), status=Case.Status.OPEN)
        .exclude(phase=Case.Phase.ACCESS)
        .annotate(last_assessed_on=Max("assessments__assessed_on"))
        .filter(Q(last_assessed_on__isnull=True) | Q(last_assessed_on__lt=limit))
        .select_related("household")
        .order_by("last_assessed_on", "opened_on")
    )


def operator_home_context(
    user: User, programme: Programme, *, memberships: Iterable[Membership] | None = None
) -> dict[str, Any]:
    """Everything `casework/_home_delivery.html` needs, in a fixed number of queries (6; 5 when the
    caller passes the user's memberships of the programme, which it has already read).

    Keys: `delivery_week_start`/`delivery_week_end`, `delivery_week_sessions` (sessions this week
    of the pathways of the user's visible cases), `delivery_referrals_sent` (open referrals sent by
    them or their case teams), `delivery_referrals_received` ("referred to my organisation"),
    `delivery_can_receive`, `delivery_assessments_due`, `delivery_sees_cases`.
    """
    now = timezone.now()
    week_start, week_end = _week_bounds(now)
    memberships = programme_memberships(user, programme) if memberships is None else list(memberships)
    sees_cases = any(m.role in (Role.COORDINATOR, Role.OPERATOR) for m in memberships)
    receiving = {m.organisation_id for m in memberships if m.role in RECEIVING_ROLES}
    can_receive = bool(receiving)
    context: dict[str, Any] = {
        "delivery_week_start": week_start,
        "delivery_week_end": week_end - timedelta(days=1),
        "delivery_sees_cases": sees_cases,
        "delivery_can_receive": can_receive,
        "delivery_week_sessions": [],
        "delivery_referrals_sent": [],
        "delivery_referrals_received": [],
        "delivery_assessments_due": [],
    }
    if sees_cases:
        cases = visible_cases(user, programme)  # one read of the user's memberships for the three lists
        pathways = PathwayParticipation.objects.filter(case__in=cases).values("pathway_id")
        context["delivery_week_sessions"] = list(
            Session.objects.filter(pathway_id__in=pathways, starts_at__gte=week_start, starts_at__lt=week_end)
            .select_related("pathway", "place")
            .order_by("starts_at")[: HOME_LIST_SIZE * 2]
        )
        # The home lists show who, what for and the case's link: with the queue pages' nine joins
        # the planner alone took longer than the rest of the page's queries.
        context["delivery_referrals_sent"] = list(
            referrals_sent(user, programme, cases=cases)
            .select_related(None)
            .select_related("person", "case")[:HOME_LIST_SIZE]
        )
        context["delivery_assessments_due"] = list(assessments_due(user, programme, cases=cases)[:HOME_LIST_SIZE])
    if can_receive:
        context["delivery_referrals_received"] = list(
            referrals_received(user, programme, organisations=receiving)
            .filter(status__in=OPEN_REFERRAL)
            .select_related(None)
            .select_related("person")[:HOME_LIST_SIZE]
        )
    return context
