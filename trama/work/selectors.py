"""Reads of the work plan, scoped by `trama.work.permissions`, with their joins applied so that a
page costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from trama.accounts.models import User
from trama.casework.models import Case
from trama.funding.models import FundingSource
from trama.territory.models import Programme
from trama.work.models import JobSeeker, Opening, Placement, WorkPathway
from trama.work.permissions import sharing_consent, visible_openings, visible_placements, visible_seekers


@dataclass(frozen=True)
class SeekerFilters:
    query: str = ""
    status: str = ""
    skill: str = ""


def seeker_list(user: User, programme: Programme, filters: SeekerFilters) -> QuerySet[JobSeeker]:
    seekers = visible_seekers(user, programme).select_related("programme", "person", "municipality", "case__household")
    if filters.query:
        seekers = seekers.filter(
            Q(person__first_name__icontains=filters.query) | Q(person__last_name__icontains=filters.query)
        )
    if filters.status:
        seekers = seekers.filter(status=filters.status)
    if filters.skill:
        seekers = seekers.filter(skills__contains=f",{filters.skill},")
    return seekers.annotate(placement_count=Count("placements")).order_by("person__last_name", "person__first_name")


@dataclass(frozen=True)
class OpeningFilters:
    query: str = ""
    status: str = ""
    contract: str = ""
    sector: str = ""


def opening_list(user: User, programme: Programme, filters: OpeningFilters) -> QuerySet[Opening]:
    openings = visible_openings(user, programme).select_related("programme", "company", "municipality")
    if filters.query:
        openings = openings.filter(
            Q(title__icontains=filters.query)
            | Q(company__name__icontains=filters.query)
            | Q(company_name__icontains=filters.query)
        )
    if filters.status:
        openings = openings.filter(status=filters.status)
    if filters.contract:
        openings = openings.filter(contract=filters.contract)
    if filters.sector:
        openings = openings.filter(sector=filters.sector)
    return openings.annotate(placement_count=Count("placements")).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class PlacementFilters:
    query: str = ""
    status: str = ""


def placement_list(user: User, programme: Programme, filters: PlacementFilters) -> QuerySet[Placement]:
    placements = visible_placements(user, programme).select_related(
        "programme", "job_seeker__person", "opening__company", "opening__municipality"
    )
    if filters.query:
        placements = placements.filter(
            Q(job_seeker__person__last_name__icontains=filters.query)
            | Q(job_seeker__person__first_name__icontains=filters.query)
            | Q(opening__title__icontains=filters.query)
            | Q(opening__company__name__icontains=filters.query)
        )
    if filters.status:
        placements = placements.filter(status=filters.status)
    return placements.order_by("-proposed_on", "-pk")


def pipeline_counts(user: User, programme: Programme) -> dict[str, int]:
    rows = visible_placements(user, programme).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def opening_placements(user: User, opening: Opening) -> QuerySet[Placement]:
    """The placements of one opening that `user` may see (a company: only with the person's consent)."""
    return (
        visible_placements(user, opening.programme)
        .filter(opening=opening)
        .select_related("programme", "job_seeker__person", "job_seeker__municipality")
        .order_by("-proposed_on", "-pk")
    )


def seeker_placements(seeker: JobSeeker) -> QuerySet[Placement]:
    return seeker.placements.select_related("programme", "opening__company", "opening__municipality").order_by(
        "-proposed_on"
    )


def seeker_pathways(seeker: JobSeeker) -> QuerySet[WorkPathway]:
    return seeker.work_pathways.select_related("pathway__organisation").order_by("-pathway__start_date")


def cases_for_new_seeker(user: User, programme: Programme) -> QuerySet[Case]:
    from trama.casework.permissions import visible_cases

    return (
        visible_cases(user, programme)
        .filter(status=Case.Status.OPEN)
        .select_related("household")
        .order_by("household__label")
    )


def funding_sources(programme: Programme) -> QuerySet[FundingSource]:
    return FundingSource.objects.filter(programme=programme).order_by("position", "name")


def company_has_consent(placement: Placement) -> bool:
    return Placement.objects.filter(pk=placement.pk).filter(sharing_consent()).exists()
