"""Demand meets offer, both ways, with the reasons shown: the criteria of the generic ranking engine
(`trama.mutualaid.matching.rank`) for the work plan.

Hard filters (never proposed otherwise): the opening is open and the job seeker looking for work;
the pair was not proposed before; a licence the opening requires is held; the workplace lies within
the distance the job seeker can travel (when both municipalities have coordinates); the person's
data may be used (not erased, not restricted).

Criteria, weighted: skills (share of the opening's required skills the job seeker has), distance,
sector (one the job seeker wants), hours (full or part time as wanted), shifts (the opening's shifts
the job seeker is available for), language. Everything is computed by the database: the opening's
or the job seeker's codes become constants of the SQL, the other side's are columns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trama.mutualaid.matching import (
    Criterion,
    Ranked,
    as_float,
    bounding_box,
    clamp01,
    distance_km,
    flag_score,
    proximity_score,
    rank,
)
from trama.mutualaid.models import Language
from trama.work.models import (
    FULL_TIME_HOURS,
    Hours,
    JobSeeker,
    Opening,
    Placement,
    Sector,
    Shift,
    Skill,
    labels,
    unpack_codes,
)

FLOAT = FloatField()
# A workplace this far away scores 0 on distance (hard limit: the job seeker's own maximum).
DISTANCE_RADIUS_KM = 40
# What a side that stated nothing scores: "to be agreed" is neither a yes nor a no.
UNSTATED = 0.5
WEIGHTS = {"skills": 0.35, "distance": 0.20, "sector": 0.15, "hours": 0.10, "shifts": 0.12, "language": 0.08}
DEFAULT_LIMIT = 10


def _const(value: float) -> Value:
    return Value(float(value), output_field=FLOAT)


def _contains(field: str, code: str) -> Q:
    return Q(**{f"{field}__contains": f",{code},"})


def _sum(expressions: list[Any]) -> Any:
    total: Any = None
    for expression in expressions:
        total = expression if total is None else total + expression
    return total


def _km(value: float | None) -> str:
    return f"{value:.1f}".replace(".", ",") if value is not None else "?"


def _usable_people() -> Q:
    return Q(person__erased_at__isnull=True, person__is_restricted=False)


# --- Candidates for an opening ------------------------------------------------------------------------


def candidate_pool(opening: Opening, seekers: QuerySet[JobSeeker]) -> QuerySet[JobSeeker]:
    """The job seekers (among `seekers`, already scoped to the user) who may be proposed for `opening`,
    with `distance_km` annotated (None when a municipality has no coordinates)."""
    pool = seekers.filter(_usable_people(), programme_id=opening.programme_id, status=JobSeeker.Status.ACTIVE)
    pool = pool.exclude(Exists(Placement.objects.filter(opening_id=opening.pk, job_seeker_id=OuterRef("pk"))))
    if opening.driving_licence_required:
        pool = pool.filter(driving_licence=True)
    municipality = opening.municipality
    if municipality.latitude is None or municipality.longitude is None:
        return pool.annotate(distance_km=Value(None, output_field=FLOAT))
    distance = distance_km("municipality__latitude", "municipality__longitude", municipality.latitude,
                           municipality.longitude)  # fmt: skip
    return pool.annotate(distance_km=distance).filter(
        Q(distance_km__isnull=True) | Q(distance_km__lte=F("max_distance_km"))
    )


def candidate_criteria(opening: Opening) -> list[Criterion]:
    required = unpack_codes(opening.skills)
    shifts = unpack_codes(opening.shifts)
    if required:
        skills_score = _sum([flag_score(_contains("skills", code)) for code in required]) / _const(len(required))
    else:
        skills_score = _const(1.0)
    if shifts:
        shift_score = Case(
            When(shifts="", then=_const(UNSTATED)),
            default=_sum([flag_score(_contains("shifts", code)) for code in shifts]) / _const(len(shifts)),
            output_field=FLOAT,
        )
    else:
        shift_score = _const(1.0)
    wanted = Hours.FULL_TIME if opening.is_full_time else Hours.PART_TIME
    return [
        Criterion("skills", WEIGHTS["skills"], skills_score, explain=lambda s: _skills_reason(required, s.skills)),
        Criterion(
            "distance",
            WEIGHTS["distance"],
            Coalesce(proximity_score(F("distance_km"), DISTANCE_RADIUS_KM), _const(UNSTATED), output_field=FLOAT),
            explain=lambda s: _distance_reason(s.distance_km, s.municipality.name if s.municipality_id else ""),
        ),
        Criterion(
            "sector",
            WEIGHTS["sector"],
            Case(
                When(desired_sectors="", then=_const(UNSTATED)),
                default=flag_score(_contains("desired_sectors", opening.sector)),
                output_field=FLOAT,
            ),
            explain=lambda s: _sector_reason(opening.sector, s.desired_sectors),
        ),
        Criterion(
            "hours",
            WEIGHTS["hours"],
            flag_score(Q(hours__in=[Hours.ANY, wanted])),
            explain=lambda s: _hours_reason(s.hours, opening.hours_per_week),
        ),
        Criterion("shifts", WEIGHTS["shifts"], shift_score, explain=lambda s: _shifts_reason(shifts, s.shifts)),
        Criterion(
            "language",
            WEIGHTS["language"],
            flag_score(_contains("languages", opening.language)) if opening.language else _const(1.0),
            explain=lambda s: _language_reason(opening.language, s.languages),
        ),
    ]


def rank_candidates(
    opening: Opening, seekers: QuerySet[JobSeeker], *, limit: int = DEFAULT_LIMIT
) -> list[Ranked[JobSeeker]]:
    """The best job seekers for `opening` among `seekers` (scoped to the user), best first."""
    pool = candidate_pool(opening, seekers).select_related("programme", "person", "municipality")
    return rank(pool, candidate_criteria(opening), limit=limit)


# --- Openings for a job seeker ------------------------------------------------------------------------


def opening_pool(seeker: JobSeeker) -> QuerySet[Opening]:
    """The open openings that may be proposed to `seeker`, with `distance_km` annotated."""
    pool = Opening.objects.filter(programme_id=seeker.programme_id, status=Opening.Status.OPEN)
    pool = pool.exclude(Exists(Placement.objects.filter(job_seeker_id=seeker.pk, opening_id=OuterRef("pk"))))
    if not seeker.driving_licence:
        pool = pool.filter(driving_licence_required=False)
    municipality = seeker.municipality
    if municipality.latitude is None or municipality.longitude is None:
        return pool.annotate(distance_km=Value(None, output_field=FLOAT))
    distance = distance_km("municipality__latitude", "municipality__longitude", municipality.latitude,
                           municipality.longitude)  # fmt: skip
    # The square around the job seeker's town drops far openings before any distance is computed.
    near = bounding_box("municipality__latitude", "municipality__longitude", municipality.latitude,
                        municipality.longitude, seeker.max_distance_km)  # fmt: skip
    return (
        pool.filter(near | Q(municipality__latitude__isnull=True))
        .annotate(distance_km=distance)
        .filter(Q(distance_km__isnull=True) | Q(distance_km__lte=Value(float(seeker.max_distance_km))))
    )


def opening_criteria(seeker: JobSeeker) -> list[Criterion]:
    has = unpack_codes(seeker.skills)
    sectors = unpack_codes(seeker.desired_sectors)
    free = unpack_codes(seeker.shifts)
    languages = unpack_codes(seeker.languages)
    if has:
        matched = _sum([flag_score(_contains("skills", code)) for code in has])
        skills_score = Case(
            When(skill_count=0, then=_const(1.0)),
            default=clamp01(matched / as_float(Greatest(F("skill_count"), Value(1)))),
            output_field=FLOAT,
        )
    else:
        skills_score = flag_score(Q(skill_count=0))
    if free:
        # Each shift the opening needs and the job seeker cannot do costs half the score.
        missing = [flag_score(_contains("shifts", code)) for code in Shift.values if code not in free]
        shift_score = clamp01(_const(1.0) - _sum(missing) * _const(0.5)) if missing else _const(1.0)
    else:
        shift_score = _const(UNSTATED)
    if seeker.hours == Hours.FULL_TIME:
        hours_score = flag_score(Q(hours_per_week__gte=FULL_TIME_HOURS))
    elif seeker.hours == Hours.PART_TIME:
        hours_score = flag_score(Q(hours_per_week__lt=FULL_TIME_HOURS))
    else:
        hours_score = _const(1.0)
    return [
        Criterion(
            "skills",
            WEIGHTS["skills"],
            skills_score,
            explain=lambda o: _skills_reason(unpack_codes(o.skills), seeker.skills),
        ),
        Criterion(
            "distance",
            WEIGHTS["distance"],
            Coalesce(proximity_score(F("distance_km"), DISTANCE_RADIUS_KM), _const(UNSTATED), output_field=FLOAT),
            explain=lambda o: _distance_reason(o.distance_km, o.municipality.name),
        ),
        Criterion(
            "sector",
            WEIGHTS["sector"],
            flag_score(Q(sector__in=sectors)) if sectors else _const(UNSTATED),
            explain=lambda o: _sector_reason(o.sector, seeker.desired_sectors),
        ),
        Criterion(
            "hours", WEIGHTS["hours"], hours_score, explain=lambda o: _hours_reason(seeker.hours, o.hours_per_week)
        ),
        Criterion(
            "shifts",
            WEIGHTS["shifts"],
            shift_score,
            explain=lambda o: _shifts_reason(unpack_codes(o.shifts), seeker.shifts),
        ),
        Criterion(
            "language",
            WEIGHTS["language"],
            flag_score(Q(language="") | Q(language__in=languages)),
            explain=lambda o: _language_reason(o.language, seeker.languages),
        ),
    ]


def rank_openings(seeker: JobSeeker, *, limit: int = DEFAULT_LIMIT) -> list[Ranked[Opening]]:
    """The best open openings for `seeker`, best first."""
    pool = opening_pool(seeker).select_related("programme", "company", "municipality")
    return rank(pool, opening_criteria(seeker), limit=limit)


# --- Reasons people read --------------------------------------------------------------------------------


def _skills_reason(required: list[str], has_text: str) -> str:
    if not required:
        return _("No particular skill required")
    has = set(unpack_codes(has_text))
    matched = [code for code in required if code in has]
    names = dict(Skill.choices)
    text = ngettext(
        "Has %(matched)d of the %(total)d required skill", "Has %(matched)d of the %(total)d required skills",
        len(required),
    ) % {"matched": len(matched), "total": len(required)}  # fmt: skip
    if matched:
        text += ": " + ", ".join(str(names.get(code, code)) for code in matched)
    return text


def _distance_reason(distance: float | None, municipality: str) -> str:
    if distance is None:
        return _("Distance unknown (%(municipality)s)") % {"municipality": municipality}
    return _("About %(km)s km away (%(municipality)s)") % {"km": _km(distance), "municipality": municipality}


def _sector_reason(sector: str, desired: str) -> str:
    name = str(dict(Sector.choices).get(sector, sector))
    if not desired:
        return _("No preferred sector stated")
    if f",{sector}," in desired:
        return _("Wants to work in %(sector)s") % {"sector": name}
    return _("Prefers other sectors than %(sector)s") % {"sector": name}


def _hours_reason(hours: str, hours_per_week: int) -> str:
    full = hours_per_week >= FULL_TIME_HOURS
    if hours == Hours.ANY:
        return _("%(hours)d hours a week: full or part time is fine") % {"hours": hours_per_week}
    if (hours == Hours.FULL_TIME) == full:
        return _("%(hours)d hours a week, as wanted") % {"hours": hours_per_week}
    return _("%(hours)d hours a week, but wants %(wanted)s") % {
        "hours": hours_per_week,
        "wanted": str(Hours(hours).label),
    }


def _shifts_reason(needed: list[str], free_text: str) -> str:
    if not needed:
        return _("No particular shifts")
    if not free_text:
        return _("Availability by shift not stated")
    free = set(unpack_codes(free_text))
    missing = [code for code in needed if code not in free]
    if not missing:
        return _("Available for every shift required")
    return _("Not available for: %(shifts)s") % {"shifts": ", ".join(labels(pack(missing), Shift))}


def _language_reason(language: str, languages: str) -> str:
    if not language:
        return _("No language required")
    name = str(Language(language).label) if language in Language.values else language
    if f",{language}," in languages:
        return _("Speaks %(language)s") % {"language": name}
    return _("Does not speak %(language)s") % {"language": name}


def pack(codes: list[str]) -> str:
    return f",{','.join(codes)}," if codes else ""
