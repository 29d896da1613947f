"""Output indicators: what the programme did and whom it reached (DESIGN.md, "Evaluation")."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from trama.activities import reach
from trama.activities.models import MINOR_BANDS, Activity, Occurrence
from trama.casework.models import Case, Session
from trama.evaluation.indicators.common import counted, in_dates, in_days
from trama.evaluation.registry import Filters, Indicator, Period, register
from trama.mutualaid.models import GroupMember, Volunteer
from trama.mutualaid.selectors.volunteers import programme_volunteer_hours
from trama.network.models import CitizenGroup, Organisation, Partnership
from trama.pacts.models import BudgetLine, ContributionLog, Disbursement, Pact
from trama.territory.models import Programme

# --- Households and people in the casework ---------------------------------------------------------


def _cases_open(programme: Programme, period: Period) -> QuerySet:
    return Case.objects.filter(programme=programme, opened_on__lte=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)
    )


HOUSEHOLDS_SUPPORTED = counted(
    code="households-supported",
    name=_("Households supported"),
    description=_("Households with a case (presa in carico) open at some time in the period."),
    counting_rule=_(
        "Distinct households with at least one case opened on or before the last day of the period and not "
        "closed before its first day. A household with two cases counts once."
    ),
    unit="households",
    kind="output",
    rows=_cases_open,
    aggregate=lambda: Count("household", distinct=True),
    dimensions={"municipality": "household__municipality_id", "action_line": "action_line_id"},
    records=True,
)


def _session_attendees(programme: Programme, period: Period) -> QuerySet:
    return Session.attendees.through.objects.filter(session__pathway__programme=programme).filter(
        in_days("session__starts_at", period)
    )


PEOPLE_IN_PATHWAYS = counted(
    code="people-in-pathways",
    name=_("People in pathways"),
    description=_("People who took part in the individual or group pathways (tutoring, education, mediation…)."),
    counting_rule=_(
        "Distinct people recorded as present at least once at a session of a pathway in the period; a person at "
        "ten sessions counts once."
    ),
    unit="people",
    kind="output",
    rows=_session_attendees,
    aggregate=lambda: Count("person", distinct=True),
    dimensions={
        "municipality": "person__municipality_id",
        "place": "session__place_id",
        "gender": "person__gender",
    },
)

# --- Reach of the activities: the counting rules of trama.activities.reach -------------------------

_NAMED = {
    "municipality": "occurrence__activity__municipality_id",
    "action_line": "occurrence__activity__action_line_id",
    "place": "occurrence__activity__place_id",
    "age_band": "age_band",
    "gender": "person__gender",
}
_ANONYMOUS = {**_NAMED, "gender": "gender"}


def _attendances(programme: Programme, period: Period) -> QuerySet:
    return reach._attendances(programme, reach.ReachQuery(start=period.start, end=period.end), None)


def _tallies(programme: Programme, period: Period) -> QuerySet:
    return reach._tallies(programme, reach.ReachQuery(start=period.start, end=period.end), None)


CITIZENS_NAMED = counted(
    code="citizens-reached-named",
    name=_("Citizens reached by name"),
    description=_("People registered by name who attended the programme's activities."),
    counting_rule=reach.PEOPLE_RULE,
    unit="people",
    kind="output",
    rows=_attendances,
    aggregate=lambda: Count("person", distinct=True),
    dimensions=_NAMED,
    records=True,
)

CITIZENS_ANONYMOUS = counted(
    code="citizens-reached-anonymous",
    name=_("Citizens reached (head counts)"),
    description=_("Anonymous head counts of public events."),
    counting_rule=reach.ANONYMOUS_RULE,
    unit="people",
    kind="output",
    rows=_tallies,
    aggregate=lambda: Sum("count"),
    dimensions=_ANONYMOUS,
    counts_people=False,
)


def _combined(programme: Programme, period: Period, filters: Filters) -> int:
    return int(CITIZENS_NAMED.compute(programme, period, filters)) + int(
        CITIZENS_ANONYMOUS.compute(programme, period, filters)
    )


def _combined_breakdown(programme: Programme, period: Period, dimension: str, filters: Filters) -> list:
    from trama.evaluation.registry import BreakdownRow

    named = {row.key: row for row in CITIZENS_NAMED.breakdown(programme, period, dimension, filters)}
    anonymous = {row.key: row for row in CITIZENS_ANONYMOUS.breakdown(programme, period, dimension, filters)}
    keys = list(named) + [key for key in anonymous if key not in named]
    return [
        BreakdownRow(
            key=key,
            label=(named.get(key) or anonymous[key]).label,
            value=int(named[key].value if key in named else 0) + int(anonymous[key].value if key in anonymous else 0),
        )
        for key in keys
    ]


CITIZENS_COMBINED = register(
    Indicator(
        code="citizens-reached",
        name=_("Citizens reached (named and head counts)"),
        description=_("People reached by the activities: registered by name plus anonymous head counts."),
        counting_rule=reach.COMBINED_RULE,
        unit="people",
        kind="output",
        compute=_combined,
        breakdowns=tuple(_NAMED),
        breakdown=_combined_breakdown,
    )
)

MINORS_NAMED = counted(
    code="minors-reached-named",
    name=_("Minors reached by name"),
    description=_("Children and young people under 18 registered by name who attended the activities."),
    counting_rule=reach.MINORS_RULE,
    unit="people",
    kind="output",
    rows=lambda programme, period: _attendances(programme, period).filter(is_minor=True),
    aggregate=lambda: Count("person", distinct=True),
    dimensions=_NAMED,
    records=True,
)

MINORS_ANONYMOUS = counted(
    code="minors-reached-anonymous",
    name=_("Minors reached (head counts)"),
    description=_("Children and young people in the anonymous head counts of public events."),
    counting_rule=_("The sum of the head counts of the period in the age bands under 18; never merged into people."),
    unit="people",
    kind="output",
    rows=lambda programme, period: _tallies(programme, period).filter(age_band__in=MINOR_BANDS),
    aggregate=lambda: Sum("count"),
    dimensions=_ANONYMOUS,
    counts_people=False,
)

# --- The network at work ----------------------------------------------------------------------------


def _held(programme: Programme, period: Period) -> QuerySet:
    return Activity.objects.filter(programme=programme).filter(
        Exists(
            Occurrence.objects.filter(activity=OuterRef("pk"))
            .exclude(status=Occurrence.Status.CANCELLED)
            .filter(in_days("starts_at", period))
        ),
    )


ACTIVITIES_HELD = counted(
    code="activities-held",
    name=_("Activities held"),
    description=_("Activities (courses, laboratories, events…) that took place in the period."),
    counting_rule=_(
        "Activities with at least one date in the period that was not cancelled; a weekly course counts once."
    ),
    unit="activities",
    kind="output",
    rows=_held,
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "municipality_id", "action_line": "action_line_id", "place": "place_id"},
    counts_people=False,
    records=True,
)


def _organisations_active(programme: Programme, period: Period) -> QuerySet:
    """The partners of the period UNION the organisers of an activity held in it: the plan of a
    hand-written query, where two EXISTS probed for every organisation of the installation were ten
    times slower."""
    partners = (
        Partnership.objects.filter(programme=programme)
        .filter(
            Q(start_date__isnull=True) | Q(start_date__lte=period.end),
            Q(end_date__isnull=True) | Q(end_date__gte=period.start),
        )
        .values("organisation")
        .order_by()
    )
    held = _held(programme, period).values("pk")
    organisers = Activity.organisers.through.objects.filter(activity__in=held).values("organisation").order_by()
    return Organisation.objects.filter(pk__in=partners.union(organisers))


def _groups_active(programme: Programme, period: Period) -> QuerySet:
    """The co-organisers of an activity held in the period UNION the groups with a member during it."""
    held = _held(programme, period).values("pk")
    organisers = (
        Activity.co_organising_groups.through.objects.filter(activity__in=held).values("citizengroup").order_by()
    )
    members = (
        GroupMember.objects.filter(group__programme=programme, joined_on__lte=period.end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=period.start))
        .values("group")
        .order_by()
    )
    return CitizenGroup.objects.filter(programme=programme, pk__in=organisers.union(members))


ORGANISATIONS_ACTIVE = counted(
    code="organisations-active",
    name=_("Organisations active"),
    description=_("Organisations of the partnership and of the wider network active in the period."),
    counting_rule=_(
        "Organisations whose partnership in the programme covers part of the period, or that organised an "
        "activity held in the period; each organisation once."
    ),
    unit="organisations",
    kind="output",
    rows=_organisations_active,
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "municipality_id"},
    counts_people=False,
)

GROUPS_ACTIVE = counted(
    code="groups-active",
    name=_("Informal citizen groups active"),
    description=_("Informal citizen groups that co-organised an activity or had members in the period."),
    counting_rule=_(
        "Citizen groups that co-organised an activity held in the period or had at least one member during it."
    ),
    unit="organisations",
    kind="output",
    rows=_groups_active,
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "municipality_id"},
    counts_people=False,
)


def _organisations_and_groups(programme: Programme, period: Period, filters: Filters) -> int:
    return int(ORGANISATIONS_ACTIVE.compute(programme, period, filters)) + int(
        GROUPS_ACTIVE.compute(programme, period, filters)
    )


ORGANISATIONS_AND_GROUPS = register(
    Indicator(
        code="organisations-and-groups-active",
        name=_("Organisations and informal groups active"),
        description=_("The network in the period: organisations and informal citizen groups together."),
        counting_rule=_(
            "The organisations active plus the informal citizen groups active, as each of those two indicators "
            "counts them: an organisation and a group are never the same record."
        ),
        unit="organisations",
        kind="output",
        compute=_organisations_and_groups,
        counts_people=False,
    )
)

# --- Volunteers -------------------------------------------------------------------------------------


def _volunteers(programme: Programme, period: Period) -> QuerySet:
    return Volunteer.objects.filter(programme=programme, status=Volunteer.Status.APPROVED, approved_on__lte=period.end)


VOLUNTEERS_ACTIVE = counted(
    code="volunteers-active",
    name=_("Volunteers active"),
    description=_("Volunteers approved by the programme and serving in the period."),
    counting_rule=_("Distinct people approved as volunteers on or before the last day of the period."),
    unit="people",
    kind="output",
    rows=_volunteers,
    aggregate=lambda: Count("person", distinct=True),
    dimensions={"municipality": "person__municipality_id", "place": "place_id", "gender": "person__gender"},
    records=True,
)


def _volunteer_hours(programme: Programme, period: Period, filters: Filters) -> Decimal:
    return programme_volunteer_hours(programme, period.start, period.end)


VOLUNTEER_HOURS = register(
    Indicator(
        code="volunteer-hours",
        name=_("Volunteer hours"),
        description=_("Hours given by the volunteers."),
        counting_rule=_(
            "Hours of the shifts volunteers attended plus their confirmed hour logs, on days in the period; "
            "logs still to confirm do not count."
        ),
        unit="hours",
        kind="output",
        compute=_volunteer_hours,
        counts_people=False,
    )
)

# --- Pacts ------------------------------------------------------------------------------------------


PACTS_SIGNED = counted(
    code="pacts-signed",
    name=_("Pacts signed"),
    description=_("Patti gener-attivi that started in the period."),
    counting_rule=_("Pacts whose signed version came into force (the pact started) on a day in the period."),
    unit="pacts",
    kind="output",
    rows=lambda programme, period: Pact.objects.filter(programme=programme).filter(in_dates("started_on", period)),
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "case__household__municipality_id", "action_line": "case__action_line_id"},
    records=True,
)

BUDGET_COMMITTED = counted(
    code="budget-committed",
    name=_("Budget committed in pacts"),
    description=_("Money the community committed to families in the pacts that started in the period."),
    counting_rule=_("The signed amounts of the budget lines of the pacts started in the period."),
    unit="euro",
    kind="output",
    rows=lambda programme, period: BudgetLine.objects.filter(pact__programme=programme).filter(
        in_dates("pact__started_on", period)
    ),
    aggregate=lambda: Sum("signed_amount"),
    dimensions={"municipality": "pact__case__household__municipality_id", "action_line": "pact__case__action_line_id"},
    counts_people=False,
)

BUDGET_SPENT = counted(
    code="budget-spent",
    name=_("Budget spent in pacts"),
    description=_("Disbursements of the pacts for expenses in the period."),
    counting_rule=_("Approved or paid disbursements whose expense date is in the period; refused ones never count."),
    unit="euro",
    kind="output",
    rows=lambda programme, period: Disbursement.objects.filter(
        pact__programme=programme, status__in=Disbursement.SPENT
    ).filter(in_dates("due_on", period)),
    aggregate=lambda: Sum("amount"),
    dimensions={"municipality": "pact__case__household__municipality_id", "action_line": "pact__case__action_line_id"},
    counts_people=False,
)

HOURS_GIVEN_BACK = counted(
    code="hours-given-back",
    name=_("Hours given back to the community"),
    description=_("Hours the beneficiaries of the pacts gave back to the community."),
    counting_rule=_("Confirmed contribution logs of the pacts' commitments, on days in the period."),
    unit="hours",
    kind="output",
    rows=lambda programme, period: ContributionLog.objects.filter(
        commitment__pact__programme=programme, status=ContributionLog.Status.CONFIRMED
    ).filter(in_dates("date", period)),
    aggregate=lambda: Sum("hours"),
    dimensions={"place": "commitment__place_id"},
    counts_people=False,
)
