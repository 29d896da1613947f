"""Reach: how many people a programme's activities reached in a period (issue 5, point 5).

Two ways of counting never mix (DESIGN.md, "Attendance"):

- named attendance is de-duplicated by person across the whole programme: *people* counts each
  person once, *contacts* counts every attendance (30 homework sessions: one person, 30 contacts);
- anonymous tallies are head counts of public events and cannot be de-duplicated: they are
  reported apart, and added to the named people only in the *combined* figure, with its rule.

Every figure is a database aggregate over a fixed, small number of queries (three for the totals,
three or four more for a breakdown), whatever the number of rows; the total row of a breakdown is
its own distinct query, never a sum of the rows, because one person can fall in several rows.

Who sees what: coordinators, evaluators and funders the whole programme, lab managers the figures
of the activities they run (`permissions.managed_activities`). Evaluators and funders get small
cells suppressed (SECURITY.md S8, `suppressed`); coordinators and lab managers the exact numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Membership, Role, User
from trama.activities.models import MINOR_BANDS, Activity, AgeBand, Attendance, Tally
from trama.activities.permissions import managed_activities
from trama.network.models import CommunityPlace
from trama.people.models import HouseholdMember, Person
from trama.territory.models import ActionLine, Municipality, Programme

# Published tables hide counts of fewer people than this (SECURITY.md S8).
SMALL_CELL = 5


class Breakdown(models.TextChoices):
    ACTION_LINE = "action_line", _("action line")
    PLACE = "place", _("place")
    MUNICIPALITY = "municipality", _("municipality")
    AGE_BAND = "age_band", _("age band")
    GENDER = "gender", _("gender")


# The counting rules, stated next to the figures they govern.
COMBINED_RULE = _(
    "Combined reach adds the people registered by name to the anonymous head counts of public events. "
    "Head counts cannot be de-duplicated: someone who was registered at an activity and also counted at a "
    "public event is counted twice."
)
PEOPLE_RULE = _(
    "People are counted once however many activities and sessions they attended; contacts count every "
    "attendance (a person at 30 sessions is one person and 30 contacts)."
)
MINORS_RULE = _(
    "A person counts as a minor if they were under 18 on at least one day they attended in the period, "
    "even if they turned 18 later in the period."
)
HOUSEHOLDS_RULE = _("The households of the people who attended; a person who belongs to no household adds none.")
ANONYMOUS_RULE = _("Anonymous attendance is the sum of the head counts of the period: never merged into the people.")
AGE_BAND_RULE = _(
    "By age band, a person counts once in every band they attended in, with their age on the day of each "
    "attendance: the rows can add up to more than the total, which counts each person once."
)
OVERLAP_RULE = _(
    "A person who attended in several rows counts once in each of them: the rows can add up to more than the "
    "total, which counts each person once."
)
GENDER_RULE = _("Gender as recorded on the person for named attendance, and as counted at the event for head counts.")
SUPPRESSION_RULE = _(
    "To protect privacy, counts between 1 and 4 are shown as “< 5”; when only one cell of a column would be "
    "hidden, another one is shown as “≥ 5”, so that the hidden one cannot be worked out from the total."
)
BREAKDOWN_RULES = {
    Breakdown.ACTION_LINE: OVERLAP_RULE,
    Breakdown.PLACE: OVERLAP_RULE,
    Breakdown.MUNICIPALITY: OVERLAP_RULE,
    Breakdown.AGE_BAND: AGE_BAND_RULE,
    Breakdown.GENDER: GENDER_RULE,
}

# Where each breakdown reads its value: on the attendance (named) and on the tally (anonymous).
# Action line, place and municipality are the activity's (the municipality where it takes place).
_NAMED_KEYS = {
    Breakdown.ACTION_LINE: "occurrence__activity__action_line_id",
    Breakdown.PLACE: "occurrence__activity__place_id",
    Breakdown.MUNICIPALITY: "occurrence__activity__municipality_id",
    Breakdown.AGE_BAND: "age_band",
    Breakdown.GENDER: "person__gender",
}
_ANONYMOUS_KEYS = {
    Breakdown.ACTION_LINE: "occurrence__activity__action_line_id",
    Breakdown.PLACE: "occurrence__activity__place_id",
    Breakdown.MUNICIPALITY: "occurrence__activity__municipality_id",
    Breakdown.AGE_BAND: "age_band",
    Breakdown.GENDER: "gender",
}
_GENDER_ORDER = ("F", "M", "X", "")


@dataclass(frozen=True)
class ReachQuery:
    """A period (both dates included) with an optional breakdown and filters on the activity."""

    start: date
    end: date
    breakdown: str = ""
    action_line: ActionLine | None = None
    place: CommunityPlace | None = None
    kind: str = ""


@dataclass(frozen=True)
class Figures:
    people: int = 0
    minors: int = 0
    households: int = 0
    contacts: int = 0
    anonymous: int = 0
    anonymous_minors: int = 0

    @property
    def combined(self) -> int:
        """Distinct named people + anonymous head counts (COMBINED_RULE)."""
        return self.people + self.anonymous

    @property
    def is_empty(self) -> bool:
        return not (self.contacts or self.anonymous)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class Reach:
    query: ReachQuery
    total: Figures
    rows: list[Row] = field(default_factory=list)


def school_year(today: date | None = None) -> tuple[date, date]:
    """The school year containing `today`: 1 September – 31 August."""
    today = today or timezone.localdate()
    first = today.year if today.month >= 9 else today.year - 1
    return date(first, 9, 1), date(first + 1, 8, 31)


# --- The figures ----------------------------------------------------------------------------


def _activity_filter(query: ReachQuery, activities: QuerySet[Activity] | None) -> Q:
    conditions = Q()
    if query.action_line is not None:
        conditions &= Q(occurrence__activity__action_line=query.action_line)
    if query.place is not None:
        conditions &= Q(occurrence__activity__place=query.place)
    if query.kind:
        conditions &= Q(occurrence__activity__kind=query.kind)
    if activities is not None:
        conditions &= Q(occurrence__activity__in=activities.values("pk"))
    return conditions


def _attendances(programme: Programme, query: ReachQuery, activities: QuerySet[Activity] | None) -> QuerySet:
    # `programme` and `date` are copied on the attendance: without filters the totals read the
    # attendance table alone (attendance_reach_idx gives a programme's period).
    return (
        Attendance.objects.filter(programme=programme, date__gte=query.start, date__lte=query.end)
        .filter(_activity_filter(query, activities))
        .order_by()
    )


def _tallies(programme: Programme, query: ReachQuery, activities: QuerySet[Activity] | None) -> QuerySet:
    # The occurrence's local date: from midnight of the first day to midnight after the last, in
    # the programme's time zone (a range on the indexed column, not a per-row date conversion).
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(query.start, time.min), zone)
    until = timezone.make_aware(datetime.combine(query.end + timedelta(days=1), time.min), zone)
    return (
        Tally.objects.filter(
            occurrence__activity__programme=programme, occurrence__starts_at__gte=since, occurrence__starts_at__lt=until
        )
        .filter(_activity_filter(query, activities))
        .order_by()
    )


_NAMED = {
    "people": Count("person", distinct=True),
    "minors": Count("person", distinct=True, filter=Q(is_minor=True)),
    "contacts": Count("pk"),
}
_ANONYMOUS = {"anonymous": Sum("count"), "anonymous_minors": Sum("count", filter=Q(age_band__in=MINOR_BANDS))}
_HOUSEHOLDS = {"households": Count("person__household_memberships__household", distinct=True)}


def _ints(values: dict[str, Any]) -> dict[str, int]:
    return {name: int(value or 0) for name, value in values.items()}


def reach_figures(programme: Programme, query: ReachQuery, *, activities: QuerySet[Activity] | None = None) -> Reach:
    """The reach of `programme`'s activities (only `activities` among them, when given) in the
    period: the totals, and a row per value of the breakdown when one is asked."""
    attendances = _attendances(programme, query, activities)
    tallies = _tallies(programme, query, activities)
    households = HouseholdMember.objects.filter(person__in=attendances.values("person")).aggregate(
        households=Count("household", distinct=True)
    )
    total = Figures(
        **_ints(attendances.aggregate(**_NAMED)), **_ints(households), **_ints(tallies.aggregate(**_ANONYMOUS))
    )
    if not query.breakdown:
        return Reach(query=query, total=total)
    breakdown = Breakdown(query.breakdown)
    named_key, anonymous_key = _NAMED_KEYS[breakdown], _ANONYMOUS_KEYS[breakdown]
    cells: dict[Any, dict[str, int]] = {}
    for source, key in (
        (attendances.values(named_key).annotate(**_NAMED), named_key),
        # Only the attendances of people in a household: an inner join, which the planners of both
        # databases take as a hash join over the period's rows (a left join makes PostgreSQL walk
        # them by nested loops, three times slower).
        (
            attendances.filter(person__household_memberships__isnull=False).values(named_key).annotate(**_HOUSEHOLDS),
            named_key,
        ),
        (tallies.values(anonymous_key).annotate(**_ANONYMOUS), anonymous_key),
    ):
        for values in source:
            value = values.pop(key)
            cells.setdefault(value, {}).update(_ints(values))
    labels = _labels(breakdown, cells.keys())
    rows = [Row(key=key, label=label, figures=Figures(**cells[value])) for value, key, label in labels]
    return Reach(query=query, total=total, rows=rows)


def _labels(breakdown: Breakdown, values: Iterable[Any]) -> list[tuple[Any, str, str]]:
    """(value, key, label) of each breakdown value, in the order the rows are shown. The key is
    safe to print in a page (a public id or a code, never a row id)."""
    values = list(values)
    if breakdown == Breakdown.AGE_BAND:
        order = {band: position for position, band in enumerate(AgeBand.values)}
        ordered = sorted(values, key=lambda band: order.get(band, len(order)))
        return [(band, band or "unknown", str(AgeBand(band).label)) for band in ordered]
    if breakdown == Breakdown.GENDER:
        ordered = sorted(values, key=_GENDER_ORDER.index)
        return [(code, code or "unknown", str(Person.Gender(code).label)) for code in ordered]
    model, empty_label, order = {
        Breakdown.ACTION_LINE: (ActionLine, _("no action line"), ("position", "name")),
        Breakdown.PLACE: (CommunityPlace, _("elsewhere (not a place of the network)"), ("name",)),
        Breakdown.MUNICIPALITY: (Municipality, _("municipality not known"), ("name",)),
    }[breakdown]
    key_field = "istat_code" if model is Municipality else "public_id"
    found = model.objects.filter(pk__in=[v for v in values if v is not None]).order_by(*order)
    labelled = [(row["pk"], str(row[key_field]), row["name"]) for row in found.values("pk", key_field, "name")]
    if None in values:
        labelled.append((None, "none", str(empty_label)))
    return labelled


# --- Who may see which figures ---------------------------------------------------------------


@dataclass(frozen=True)
class ReachAccess:
    """`activities` None: the whole programme; `exact` False: small cells suppressed."""

    activities: QuerySet[Activity] | None
    exact: bool


def reach_access(user: User | None, programme: Programme) -> ReachAccess | None:
    """What `user` may see of the programme's reach, or None when nothing."""
    if user is None or not user.is_authenticated:
        return None
    roles = set(Membership.objects.active().filter(user=user, programme=programme).values_list("role", flat=True))
    if Role.COORDINATOR in roles:
        return ReachAccess(activities=None, exact=True)
    if roles & {Role.EVALUATOR, Role.FUNDER}:
        return ReachAccess(activities=None, exact=False)
    if Role.LAB_MANAGER in roles:
        return ReachAccess(activities=managed_activities(user, programme), exact=True)
    return None


def can_see_reach(user: User | None, programme: Programme) -> bool:
    return reach_access(user, programme) is not None


# --- What is shown: exact, or with small cells suppressed --------------------------------------

PEOPLE_COLUMNS = ("people", "minors", "households", "contacts")
COLUMNS = (*PEOPLE_COLUMNS, "anonymous", "anonymous_minors", "combined")


@dataclass(frozen=True)
class Cell:
    """A figure as shown. A suppressed cell never carries its number: only a bound."""

    value: int | None
    mark: str = ""  # "" exact; "below": fewer than `bound`; "at_least": `bound` or more
    bound: int = 0

    def __str__(self) -> str:
        if self.mark == "below":
            return f"< {intcomma(self.bound)}"
        if self.mark == "at_least":
            return f"≥ {intcomma(self.bound)}"
        return str(intcomma(self.value))

    @property
    def suppressed(self) -> bool:
        return bool(self.mark)


@dataclass(frozen=True)
class ShownRow:
    key: str
    label: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class ShownReach:
    query: ReachQuery
    exact: bool
    total: dict[str, Cell]
    rows: list[ShownRow]
    is_empty: bool


def _small(value: int) -> bool:
    return 0 < value < SMALL_CELL


def _cells(figures: Figures, marks: dict[str, str]) -> dict[str, Cell]:
    cells = {}
    for column in PEOPLE_COLUMNS:
        mark = marks.get(column, "")
        cells[column] = Cell(None, mark, SMALL_CELL) if mark else Cell(getattr(figures, column))
    cells["anonymous"] = Cell(figures.anonymous)
    cells["anonymous_minors"] = Cell(figures.anonymous_minors)
    # The combined figure would give the hidden people back (combined − anonymous): it is shown
    # with the same bound, moved by the anonymous head count.
    people_mark = marks.get("people", "")
    if people_mark:
        cells["combined"] = Cell(None, people_mark, figures.anonymous + SMALL_CELL)
    else:
        cells["combined"] = Cell(figures.combined)
    return cells


def suppressed(reach: Reach) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The marks of the total and of each row: primary suppression of every count of 1 to 4, and
    a secondary one when a column would hide a single row (else total − the others gives it)."""
    total_marks = {column: "below" for column in PEOPLE_COLUMNS if _small(getattr(reach.total, column))}
    row_marks: list[dict[str, str]] = [
        {column: "below" for column in PEOPLE_COLUMNS if _small(getattr(row.figures, column))} for row in reach.rows
    ]
    for column in PEOPLE_COLUMNS:
        hidden = [index for index, marks in enumerate(row_marks) if column in marks]
        if len(hidden) != 1 or column in total_marks:
            continue
        others = [
            (getattr(row.figures, column), index)
            for index, row in enumerate(reach.rows)
            if index not in hidden and getattr(row.figures, column) > 0
        ]
        if others:
            row_marks[min(others)[1]][column] = "at_least"
    return total_marks, row_marks


def shown(reach: Reach, *, exact: bool) -> ShownReach:
    """The figures as one may see them: exact, or with small cells suppressed (S8)."""
    if exact:
        total_marks: dict[str, str] = {}
        row_marks: list[dict[str, str]] = [{} for _row in reach.rows]
    else:
        total_marks, row_marks = suppressed(reach)
    rows = [
        ShownRow(key=row.key, label=row.label, cells=_cells(row.figures, marks))
        for row, marks in zip(reach.rows, row_marks, strict=True)
    ]
    return ShownReach(
        query=reach.query,
        exact=exact,
        total=_cells(reach.total, total_marks),
        rows=rows,
        is_empty=reach.total.is_empty,
    )


def reach_for_user(user: User | None, programme: Programme, query: ReachQuery) -> ShownReach:
    """The reach `user` may see: their scope, exact or suppressed. PermissionDenied otherwise."""
    access = reach_access(user, programme)
    if access is None:
        raise PermissionDenied
    reach = reach_figures(programme, query, activities=access.activities)
    return shown(reach, exact=access.exact)
