from __future__ import annotations

from django.db.models import QuerySet

from trama.network.models import Organisation, Partnership
from trama.territory.models import Programme


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
