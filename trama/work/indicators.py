"""Outcome indicators of the work plan (seed 004), registered with the evaluation registry.

All count distinct people (a person placed twice in the period counts once) from the placements'
dates, with database aggregates. Filters: municipality (where the job seeker lives), action line
(of the case that follows them), gender and age band (of the person, at the end of the period).
Work-plan records have no community place: a place filter gives 0.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.evaluation.indicators.common import filters_key, kept_aggregate
from trama.evaluation.registry import BreakdownRow, Filters, Indicator, Period, register
from trama.people.models import Person
from trama.territory.models import Programme
from trama.work.models import Placement
from trama.work.permissions import visible_placements

# "Within 6 months" of entering the work plan, in days (half of 365.25, rounded up).
SIX_MONTHS = timedelta(days=183)
AGE_BANDS = {"0-5": (0, 5), "6-10": (6, 10), "11-13": (11, 13), "14-17": (14, 17), "18-64": (18, 64), "65+": (65, 150)}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _filtered(placements: QuerySet[Placement], period: Period, filters: Filters) -> QuerySet[Placement]:
    if filters.place is not None:
        return placements.none()
    if filters.municipality is not None:
        placements = placements.filter(job_seeker__municipality=filters.municipality)
    if filters.action_line is not None:
        placements = placements.filter(job_seeker__case__action_line=filters.action_line)
    if filters.gender is not None:
        placements = placements.filter(job_seeker__person__gender=filters.gender)
    if filters.age_band is not None:
        placements = placements.filter(_age_band(filters.age_band, period.end))
    return placements


def _age_band(code: str, on: date) -> Q:
    if code not in AGE_BANDS:
        return Q(job_seeker__person__birth_date__isnull=True)
    youngest, oldest = AGE_BANDS[code]
    return Q(
        job_seeker__person__birth_date__lte=_years_before(on, youngest),
        job_seeker__person__birth_date__gt=_years_before(on, oldest + 1),
    )


def placed(programme: Programme, period: Period) -> QuerySet[Placement]:
    return Placement.objects.filter(
        programme=programme, status=Placement.Status.HIRED, hired_on__gte=period.start, hired_on__lte=period.end
    )


def internships_started(programme: Programme, period: Period) -> QuerySet[Placement]:
    return Placement.objects.filter(
        programme=programme, internship_start__gte=period.start, internship_start__lte=period.end
    )


def internships_completed(programme: Programme, period: Period) -> QuerySet[Placement]:
    last_day = min(period.end, timezone.localdate())
    return Placement.objects.filter(
        programme=programme,
        internship_start__isnull=False,
        internship_interrupted=False,
        internship_end__gte=period.start,
        internship_end__lte=last_day,
    )


def hired_within_six_months(programme: Programme, period: Period) -> QuerySet[Placement]:
    return placed(programme, period).filter(hired_on__lte=F("job_seeker__started_on") + SIX_MONTHS)


def _count(base: Any) -> Any:
    def compute(programme: Programme, period: Period, filters: Filters) -> int:
        key = (base.__name__, programme.pk, period, filters_key(filters))
        return (
            kept_aggregate(
                key,
                lambda: _filtered(base(programme, period), period, filters),
                lambda: Count("job_seeker__person", distinct=True),
            )
            or 0
        )

    return compute


def _breakdown(base: Any) -> Any:
    def breakdown(programme: Programme, period: Period, dimension: str, filters: Filters) -> list[BreakdownRow]:
        rows = _filtered(base(programme, period), period, filters)
        if dimension == "municipality":
            grouped = rows.values("job_seeker__municipality__istat_code", "job_seeker__municipality__name")
            grouped = grouped.annotate(n=Count("job_seeker__person", distinct=True)).order_by(
                "job_seeker__municipality__name"
            )
            return [
                BreakdownRow(r["job_seeker__municipality__istat_code"], r["job_seeker__municipality__name"], r["n"])
                for r in grouped
            ]
        if dimension == "gender":
            grouped = rows.values("job_seeker__person__gender").annotate(n=Count("job_seeker__person", distinct=True))
            labels = dict(Person.Gender.choices)
            return [
                BreakdownRow(
                    r["job_seeker__person__gender"], str(labels.get(r["job_seeker__person__gender"], "")), r["n"]
                )
                for r in grouped.order_by("job_seeker__person__gender")
            ]
        raise ValueError(f"unknown breakdown {dimension!r}")

    return breakdown


def _records(base: Any) -> Any:
    def records(programme: Programme, period: Period, filters: Filters, user: Any) -> QuerySet[Placement]:
        visible = visible_placements(user, programme).values("pk")
        rows = _filtered(base(programme, period), period, filters).filter(pk__in=visible)
        return rows.select_related("job_seeker__person", "opening__company").order_by("pk")

    return records


def _indicator(code: str, base: Any, name: Any, description: Any, rule: Any) -> Indicator:
    return register(
        Indicator(
            code=code,
            name=name,
            description=description,
            counting_rule=rule,
            unit="people",
            kind="outcome",
            compute=_count(base),
            breakdowns=("municipality", "gender"),
            breakdown=_breakdown(base),
            records=_records(base),
        )
    )


PEOPLE_PLACED = _indicator(
    "work-people-placed",
    placed,
    _("People placed in work"),
    _("Job seekers of the work plan hired by a company."),
    _("Distinct people with a placement in the “hired” state whose hiring date falls in the period."),
)
INTERNSHIPS_STARTED = _indicator(
    "work-internships-started",
    internships_started,
    _("Internships started"),
    _("Job seekers who started an internship (tirocinio) through the work plan."),
    _("Distinct people with a placement whose internship start date falls in the period."),
)
INTERNSHIPS_COMPLETED = _indicator(
    "work-internships-completed",
    internships_completed,
    _("Internships completed"),
    _("Internships that reached their planned end, or ended early with a hiring."),
    _(
        "Distinct people with an internship not interrupted whose end date falls in the period and has passed; "
        "an internship stopped early without a hiring does not count."
    ),
)
HIRED_WITHIN_SIX_MONTHS = _indicator(
    "work-hired-within-6-months",
    hired_within_six_months,
    _("Hires within 6 months"),
    _("Job seekers hired within 6 months of entering the work plan."),
    _(
        "Distinct people hired in the period, at most 183 days after the date their job-seeker profile started "
        "(denominator, for a rate: the people placed in the period)."
    ),
)
