"""A small network for the map's tests: two places, two groups, and records that must never show."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from trama.core.tests.factories import (
    CitizenGroupFactory,
    CommunityPlaceFactory,
    OpeningHoursFactory,
    OrganisationFactory,
)
from trama.network.models import CitizenGroup, CommunityPlace
from trama.territory.models import Municipality, Programme

# The private contact of every group the factory makes: it must never leave the programme.
CANARIES = ("Maria Riservata", "maria.riservata@example.org", "+39 333 0000000")
# The exact point of a group that chose to be shown at municipality level only.
SECRET_POINT = (Decimal("45.17777"), Decimal("9.13333"))
SECRET_POINT_TEXTS = ("45.17777", "9.13333", "45,17777", "9,13333")
PAVIA_CENTRE = [9.15917, 45.19205]  # GeoJSON order: longitude, latitude


@dataclass
class Network:
    lab: CommunityPlace
    point: CommunityPlace
    garden_group: CitizenGroup  # municipality precision, with a secret exact point
    family_group: CitizenGroup  # chose to be shown at its exact point
    unpublished_place: CommunityPlace
    unpublished_group: CitizenGroup
    foreign_place: CommunityPlace  # of another programme

    @property
    def public_names(self) -> list[str]:
        return [self.lab.name, self.point.name, self.garden_group.name, self.family_group.name]

    @property
    def hidden_names(self) -> list[str]:
        return [self.unpublished_place.name, self.unpublished_group.name, self.foreign_place.name]


@pytest.fixture
def network(programme: Programme, other_programme: Programme) -> Network:
    pavia = Municipality.objects.get(istat_code="018110")
    cava = Municipality.objects.get(istat_code="018041")
    programme.municipalities.add(pavia, cava)
    lab = CommunityPlaceFactory(
        programme=programme,
        name="Laboratorio Aiuto Compiti",
        description="Compiti e merende per le famiglie del quartiere.",
        managing_organisation=OrganisationFactory(name="Cooperativa Il Ponte"),
        address="Via dei Mille 12",
        postal_code="27100",
        municipality=pavia,
        latitude=Decimal("45.18500"),
        longitude=Decimal("9.15500"),
        services=["homework-help", "listening-desk"],
        email="lab@example.org",
        phone="0382 123456",
        accessibility="Ingresso senza gradini",
    )
    OpeningHoursFactory(place=lab, weekday=2, note="su appuntamento")
    point = CommunityPlaceFactory(
        programme=programme,
        kind=CommunityPlace.Kind.COMMUNITY_POINT,
        name="Punto di comunità Cava",
        address="Piazza Roma 1",
        municipality=cava,
        latitude=None,
        longitude=None,
        services=["job-desk"],
    )
    garden_group = CitizenGroupFactory(
        programme=programme,
        name="Giardinieri di Borgo Ticino",
        neighbourhood="Borgo Ticino",
        municipality=pavia,
        location_precision=CitizenGroup.Precision.MUNICIPALITY,
        latitude=SECRET_POINT[0],
        longitude=SECRET_POINT[1],
        themes=["green-areas"],
    )
    family_group = CitizenGroupFactory(
        programme=programme,
        name="Famiglie in rete",
        municipality=cava,
        location_precision=CitizenGroup.Precision.EXACT,
        latitude=Decimal("45.14500"),
        longitude=Decimal("9.11000"),
        themes=["families"],
        public_contact="famiglie@example.org",
    )
    return Network(
        lab=lab,
        point=point,
        garden_group=garden_group,
        family_group=family_group,
        unpublished_place=CommunityPlaceFactory(programme=programme, name="Luogo in preparazione", is_published=False),
        unpublished_group=CitizenGroupFactory(programme=programme, name="Gruppo in preparazione", is_published=False),
        foreign_place=CommunityPlaceFactory(programme=other_programme, name="Luogo di un altro programma"),
    )
