"""The kinds of spreadsheet import. One module each, of the same shape (CONTRIBUTING.md):
columns, `allowed(user, programme)`, `plan(actor=, programme=, rows=, progress=) -> Plan` (reads
only) and `apply(actor=, programme=, plan=)` (writes through the app's services, all or nothing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from trama.exchange.importers import activities, network, people, volunteers
from trama.exchange.importers.base import Column


@dataclass(frozen=True)
class ImporterKind:
    code: str
    label: Any
    file_stem: str  # the templates' file name, in Italian like the headers
    columns: Sequence[Column]
    allowed: Callable[..., bool]
    plan: Callable[..., Any]
    apply: Callable[..., None]


IMPORTERS: dict[str, ImporterKind] = {
    kind.code: kind
    for kind in (
        ImporterKind(
            "people", _("People and households"), "persone-e-nuclei", people.COLUMNS, people.allowed, people.plan,
            people.apply,
        ),
        ImporterKind(
            "organisations", _("Organisations of the network"), "organizzazioni", network.ORGANISATION_COLUMNS,
            network.organisations_allowed, network.plan_organisations, network.apply_organisations,
        ),
        ImporterKind(
            "volunteers", _("Volunteers"), "volontari", volunteers.COLUMNS, volunteers.allowed, volunteers.plan,
            volunteers.apply,
        ),
        ImporterKind(
            "places", _("Places"), "luoghi", network.PLACE_COLUMNS, network.places_allowed, network.plan_places,
            network.apply_places,
        ),
        ImporterKind(
            "activities", _("Activities"), "attivita", activities.COLUMNS, activities.allowed, activities.plan,
            activities.apply,
        ),
        ImporterKind(
            "attendance", _("Attendance at activities"), "presenze", activities.ATTENDANCE_COLUMNS,
            activities.attendance_allowed, activities.plan_attendance, activities.apply_attendance,
        ),
        ImporterKind(
            "tallies", _("Tallies of anonymous attendance"), "conteggi-presenze", activities.TALLY_COLUMNS,
            activities.attendance_allowed, activities.plan_tallies, activities.apply_tallies,
        ),
    )
}  # fmt: skip
