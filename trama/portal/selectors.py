"""Reads of the public site that aggregate the network's public records (never a person)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from trama.network.models import CommunityPlace
from trama.network.selectors import public_groups, public_places
from trama.territory.models import Programme


@dataclass(frozen=True)
class NetworkSummary:
    places_by_kind: list[tuple[str, int]]  # (kind label, count) in the order of CommunityPlace.Kind
    places: int
    groups: int


def network_summary(programme: Programme) -> NetworkSummary:
    """How many published places of each kind, and groups, the programme has: two queries."""
    rows = (
        public_places(programme)
        .prefetch_related(None)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("id", distinct=True))
    )
    counts = dict(rows)
    by_kind = [(label, counts[kind]) for kind, label in CommunityPlace.Kind.choices if counts.get(kind)]
    return NetworkSummary(
        places_by_kind=by_kind,
        places=sum(count for _label, count in by_kind),
        groups=public_groups(programme).prefetch_related(None).count(),
    )
