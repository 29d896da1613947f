"""Reads of the network. The public ones (`public_*`) are the only way the portal, the map, its
downloads and the HSDS directory read places and groups: they return published records only,
with their joins, and never the private contact of a group (S8)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from trama.accounts.models import Role, User
from trama.accounts.permissions import ProgrammeAccess
from trama.network import taxonomy
from trama.network.models import (
    CitizenGroup,
    CommunityPlace,
    DownloadCounter,
    OpeningHours,
    Organisation,
    Partnership,
    TaxonomyTerm,
)
from trama.territory.models import Programme

# The fields of a group that may leave the programme; the contact person's never do.
GROUP_PUBLIC_FIELDS = (
    "id", "public_id", "programme_id", "name", "description", "neighbourhood", "municipality_id", "latitude",
    "longitude", "location_precision", "public_contact", "is_published", "created_at", "updated_at", "version",
)  # fmt: skip


def programme_organisations(programme: Programme) -> QuerySet[Organisation]:
    """The organisations with a role in the programme: the ones its members can act for."""
    return Organisation.objects.filter(partnerships__programme=programme).order_by("name").distinct()


def programme_partnerships(programme: Programme) -> QuerySet[Partnership]:
    """The partnership, lead first, then by role and name (the programme page shows it this way)."""
    return (
        Partnership.objects.filter(programme=programme)
        .select_related("organisation")
        .order_by("role", "organisation__name")
    )


def partnership_counts_by_kind(programme: Programme) -> list[dict[str, object]]:
    """[{role, kind, count}] — seed 002 counts its supporters this way (11 local authorities…)."""
    return list(
        Partnership.objects.filter(programme=programme)
        .values("role", "organisation__kind")
        .annotate(count=Count("id"))
        .order_by("role", "organisation__kind")
    )


def terms(vocabulary: str) -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(vocabulary=vocabulary).order_by("position")


@dataclass(frozen=True)
class MapFilters:
    """What a visitor chose on the map page; empty means "all"."""

    kinds: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    municipality: str = ""  # ISTAT code
    query: str = ""
    show: frozenset[str] = field(default_factory=lambda: frozenset({"places", "groups"}))


def public_places(programme: Programme, filters: MapFilters | None = None) -> QuerySet[CommunityPlace]:
    filters = filters or MapFilters()
    places = (
        CommunityPlace.objects.for_programme(programme)
        .published()
        .select_related("municipality", "managing_organisation", "programme")
        .prefetch_related(
            Prefetch("services", queryset=terms(taxonomy.SERVICE)),
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens_at")),
        )
    )
    if "places" not in filters.show:
        return places.none()
    if filters.kinds:
        places = places.filter(kind__in=filters.kinds)
    if filters.services:
        places = places.filter(services__code__in=filters.services).distinct()
    if filters.themes:
        # Themes describe groups; a theme filter shows only places offering a service of the same code.
        places = places.filter(services__code__in=filters.themes).distinct()
    if filters.municipality:
        places = places.filter(municipality__istat_code=filters.municipality)
    if filters.query:
        places = places.filter(Q(name__icontains=filters.query) | Q(description__icontains=filters.query))
    return places.order_by("municipality__name", "name")


def public_groups(programme: Programme, filters: MapFilters | None = None) -> QuerySet[CitizenGroup]:
    filters = filters or MapFilters()
    groups = (
        CitizenGroup.objects.for_programme(programme)
        .published()
        .only(*GROUP_PUBLIC_FIELDS, "municipality__name", "municipality__province_code", "municipality__istat_code",
              "municipality__latitude", "municipality__longitude", "programme__slug", "programme__name")
        .select_related("municipality", "programme")
        .prefetch_related(Prefetch("themes", queryset=terms(taxonomy.THEME)))
    )  # fmt: skip
    if "groups" not in filters.show or filters.kinds or filters.services:
        # Kinds and services describe places: filtering by them shows places only.
        return groups.none()
    if filters.themes:
        groups = groups.filter(themes__code__in=filters.themes).distinct()
    if filters.municipality:
        groups = groups.filter(municipality__istat_code=filters.municipality)
    if filters.query:
        groups = groups.filter(Q(name__icontains=filters.query) | Q(description__icontains=filters.query))
    return groups.order_by("municipality__name", "name")


def public_place(programme: Programme, place_id: str) -> CommunityPlace | None:
    return public_places(programme).filter(public_id=place_id).first()


def public_group(programme: Programme, group_id: str) -> CitizenGroup | None:
    return public_groups(programme).filter(public_id=group_id).first()


def download_counts(programme: Programme) -> dict[str, int]:
    counts = dict(DownloadCounter.objects.filter(programme=programme).values_list("file", "count"))
    return {file: counts.get(file, 0) for file in DownloadCounter.File.values}


# --- Internal (signed-in) reads -----------------------------------------------------------


def places_for(access: ProgrammeAccess, *, query: str = "", kind: str = "") -> QuerySet[CommunityPlace]:
    """The places a member may manage: all for coordinators, their organisation's for lab managers."""
    places = CommunityPlace.objects.for_programme(access.programme).select_related(
        "municipality", "managing_organisation"
    )
    if not access.has_role(Role.COORDINATOR):
        organisations = [m.organisation_id for m in access.memberships if m.role == Role.LAB_MANAGER]
        places = places.filter(managing_organisation_id__in=organisations)
    if query:
        places = places.filter(Q(name__icontains=query) | Q(address__icontains=query))
    if kind:
        places = places.filter(kind=kind)
    return places.order_by("municipality__name", "name")


def get_place_for_user(access: ProgrammeAccess, place_id: str) -> CommunityPlace:
    """The place if this member may edit it; 404 alike for missing and forbidden (S1, S2)."""
    from django.http import Http404

    place = places_for(access).filter(public_id=place_id).first()
    if place is None:
        raise Http404
    return place


def groups_for(access: ProgrammeAccess, *, query: str = "") -> QuerySet[CitizenGroup]:
    groups = CitizenGroup.objects.for_programme(access.programme).select_related("municipality")
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(neighbourhood__icontains=query))
    return groups.order_by("municipality__name", "name")


def can_manage_place(user: User, access: ProgrammeAccess, place: CommunityPlace) -> bool:
    if access.has_role(Role.COORDINATOR):
        return True
    return any(
        m.role == Role.LAB_MANAGER and m.organisation_id == place.managing_organisation_id for m in access.memberships
    )
