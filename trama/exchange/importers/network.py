"""Organisations of the network, and places, from a spreadsheet — through the network services.

Organisations (coordinators): the same organisation when the codice fiscale matches, else the
partita IVA, else the name among the programme's partners. Each row also sets the organisation's
role in the programme (partner when empty). Places (coordinators; lab managers for the places of
their organisation): the same place when name and municipality match in the programme; the
managing organisation is named by codice fiscale, partita IVA or name among the partners.
Files of organisations and places are small: every row goes through the one-by-one services.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.accounts.models import Membership, Role, User
from trama.exchange.importers.base import (
    CREATED,
    ERROR,
    UNCHANGED,
    UPDATED,
    CellError,
    Column,
    MunicipalityIndex,
    Plan,
    Progress,
    Row,
    RowError,
    parse_choice,
    parse_date,
    parse_email,
    parse_text,
    parse_yes_no,
)
from trama.network import services
from trama.network.models import CommunityPlace, Organisation, Partnership
from trama.territory.models import Programme

K = Organisation.Kind
KINDS = {
    "ente locale": K.LOCAL_AUTHORITY, "comune": K.LOCAL_AUTHORITY, "ente pubblico": K.PUBLIC_BODY,
    "impresa": K.COMPANY, "cooperativa sociale": K.SOCIAL_COOPERATIVE, "associazione": K.THIRD_SECTOR,
    "ets": K.THIRD_SECTOR, "odv": K.THIRD_SECTOR, "aps": K.THIRD_SECTOR, "fondazione": K.FOUNDATION,
    "gruppo informale": K.INFORMAL_GROUP,
}  # fmt: skip
ROLES = {
    "capofila": Partnership.Role.LEAD, "partner": Partnership.Role.PARTNER, "sostenitore": Partnership.Role.SUPPORTER,
    "aderente": Partnership.Role.NETWORK, "rete": Partnership.Role.NETWORK,
}  # fmt: skip
P = CommunityPlace.Kind
PLACE_KINDS = {
    "laboratorio di comunità": P.COMMUNITY_LAB, "punto di comunità": P.COMMUNITY_POINT,
    "centro civico": P.CIVIC_CENTRE, "scuola": P.SCHOOL, "altro": P.OTHER,
}  # fmt: skip

ORGANISATION_COLUMNS = (
    Column("name", "Nome", gettext_lazy("Required."), "Cooperativa Il Ponte", required=True),
    Column(
        "kind",
        "Tipo",
        gettext_lazy(
            "Required: ente locale, ente pubblico, impresa, cooperativa sociale, associazione, fondazione, "
            "gruppo informale."
        ),
        "cooperativa sociale",
        required=True,
    ),
    Column("tax_code", "Codice fiscale", gettext_lazy("The organisation's codice fiscale (11 digits)."), "01234560017"),
    Column("vat_number", "Partita IVA", gettext_lazy("11 digits."), ""),
    Column("runts_number", "Numero RUNTS", gettext_lazy("Optional."), ""),
    Column("email", "Email", gettext_lazy("Optional."), "info@example.org"),
    Column("phone", "Telefono", gettext_lazy("Optional."), ""),
    Column("website", "Sito web", gettext_lazy("Optional, starting with https://."), ""),
    Column("address", "Indirizzo", gettext_lazy("Optional."), "Via Roma 1"),
    Column("municipality", "Comune", gettext_lazy("Name or ISTAT code."), "Pavia"),
    Column(
        "role",
        "Ruolo nel programma",
        gettext_lazy("capofila, partner, sostenitore, aderente; partner if empty."),
        "partner",
    ),
    Column("start_date", "Dal", gettext_lazy("dd/mm/yyyy, optional."), ""),
    Column("end_date", "Al", gettext_lazy("dd/mm/yyyy, optional."), ""),
)

PLACE_COLUMNS = (
    Column("name", "Nome", gettext_lazy("Required."), "Laboratorio di via Roma", required=True),
    Column(
        "kind",
        "Tipo",
        gettext_lazy("Required: laboratorio di comunità, punto di comunità, centro civico, scuola, altro."),
        "laboratorio di comunità",
        required=True,
    ),
    Column(
        "organisation",
        "Ente gestore",
        gettext_lazy("Required: the codice fiscale, partita IVA or name of a partner of the programme."),
        "Cooperativa Il Ponte",
        required=True,
    ),
    Column("address", "Indirizzo", gettext_lazy("Required."), "Via Roma 1", required=True),
    Column("postal_code", "CAP", gettext_lazy("Optional."), "27100"),
    Column(
        "municipality",
        "Comune",
        gettext_lazy("Required: name or ISTAT code, in the programme's territory."),
        "Pavia",
        required=True,
    ),
    Column("latitude", "Latitudine", gettext_lazy("Optional, e.g. 45.18500."), ""),
    Column("longitude", "Longitudine", gettext_lazy("Optional, e.g. 9.15500."), ""),
    Column("email", "Email", gettext_lazy("Optional."), ""),
    Column("phone", "Telefono", gettext_lazy("Optional."), ""),
    Column("website", "Sito web", gettext_lazy("Optional, starting with https://."), ""),
    Column("description", "Descrizione", gettext_lazy("Optional."), ""),
    Column("is_published", "Pubblicato", gettext_lazy("sì or no: shown on the public map."), "no"),
)


def _reader_errors(row: Row, columns: tuple[Column, ...], error: ValidationError, keys: dict[str, str]) -> list:
    """A model's ValidationError as row errors, on the column of each field."""
    headers = {column.key: column.header for column in columns}
    errors = []
    for field, messages in error.message_dict.items():
        key = keys.get(field, field)
        header = headers.get(key, headers[columns[0].key])
        errors.extend(RowError(row.number, header, row.text(key), message) for message in messages)
    return errors


class _Cells:
    def __init__(self, row: Row, columns: tuple[Column, ...]) -> None:
        self.row, self.columns, self.errors = row, columns, []

    def get(self, key: str, parse: Any, *args: Any, **kwargs: Any) -> Any:
        value = self.row.values.get(key) if parse is parse_date else self.row.text(key)
        try:
            return parse(value, *args, **kwargs)
        except CellError as error:
            self.fail(key, error.reason)
            return None

    def fail(self, key: str, reason: str) -> None:
        header = next(column.header for column in self.columns if column.key == key)
        self.errors.append(RowError(self.row.number, header, self.row.text(key), reason))


def _decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None


def _partners(programme: Programme) -> list[Organisation]:
    return list(Organisation.objects.filter(partnerships__programme=programme).distinct())


def _find_organisation(organisations: list[Organisation], value: str) -> Organisation | None:
    text = value.strip()
    for organisation in organisations:
        if text and text.upper() in (organisation.tax_code, organisation.vat_number):
            return organisation
    matches = [o for o in organisations if o.name.casefold() == " ".join(text.split()).casefold()]
    return matches[0] if len(matches) == 1 else None


# --- Organisations -----------------------------------------------------------------------


def organisations_allowed(user: User, programme: Programme) -> bool:
    return Membership.objects.active().filter(user=user, programme=programme, role=Role.COORDINATOR).exists()


def _organisation_match(fields: dict[str, Any], partners: list[Organisation]) -> Organisation | None:
    identifiers = Q(pk__in=[])
    if fields["tax_code"]:
        identifiers |= Q(tax_code=fields["tax_code"])
    if fields["vat_number"]:
        identifiers |= Q(vat_number=fields["vat_number"])
    found = Organisation.objects.filter(identifiers).order_by("pk").first()
    if found is not None:
        return found
    names = [o for o in partners if o.name.casefold() == fields["name"].casefold()]
    return names[0] if len(names) == 1 else None


def plan_organisations(*, actor: User | None, programme: Programme, rows: list[Row], progress: Progress) -> Plan:
    plan, municipalities, partners = Plan(prepared=[]), MunicipalityIndex(), _partners(programme)
    partnerships = {p.organisation_id: p for p in Partnership.objects.filter(programme=programme)}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        progress(int(90 * index / max(1, len(rows))), _("Checking row %(row)d") % {"row": row.number})
        cells = _Cells(row, ORGANISATION_COLUMNS)
        fields = {
            "name": cells.get("name", parse_text, max_length=200, required=True),
            "kind": cells.get("kind", parse_choice, KINDS, required=True),
            "tax_code": row.text("tax_code").upper().replace(" ", ""),
            "vat_number": row.text("vat_number").upper().replace(" ", "").removeprefix("IT"),
            "runts_number": cells.get("runts_number", parse_text, max_length=30),
            "email": cells.get("email", parse_email),
            "phone": cells.get("phone", parse_text, max_length=40),
            "website": cells.get("website", parse_text, max_length=200),
            "address": cells.get("address", parse_text, max_length=200),
            "municipality_id": cells.get("municipality", municipalities.resolve),
        }
        terms = {
            "role": cells.get("role", parse_choice, ROLES) or Partnership.Role.PARTNER,
            "start_date": cells.get("start_date", parse_date),
            "end_date": cells.get("end_date", parse_date),
        }
        if not cells.errors:
            key = fields["tax_code"] or fields["vat_number"] or fields["name"].casefold()
            if key in seen:
                cells.fail("name", _("The same organisation is in row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, row.number)
        outcome = ERROR
        if not cells.errors:
            outcome = _plan_organisation(
                cells, fields=fields, terms=terms, partners=partners, partnerships=partnerships, plan=plan
            )
        if cells.errors:
            plan.errors.extend(cells.errors)
            outcome = ERROR
        plan.outcomes.append((row.number, outcome, row.text("name")))
    return plan


def _plan_organisation(
    cells: _Cells, *, fields: dict[str, Any], terms: dict[str, Any], partners: list, partnerships: dict, plan: Plan
) -> str:
    existing = _organisation_match(fields, partners)
    changes = {name: value for name, value in fields.items() if value and getattr(existing, name, None) != value}
    # A copy of the stored row (its pk keeps the name's uniqueness check from matching itself).
    candidate = Organisation.objects.get(pk=existing.pk) if existing is not None else Organisation()
    for name, value in changes.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean()
    except ValidationError as error:
        cells.errors.extend(_reader_errors(cells.row, ORGANISATION_COLUMNS, error, {"municipality": "municipality"}))
        return ERROR
    partnership = partnerships.get(existing.pk) if existing is not None else None
    same_terms = partnership is not None and all(getattr(partnership, k) == v for k, v in terms.items())
    outcome = CREATED if existing is None else (UPDATED if changes or not same_terms else UNCHANGED)
    plan.prepared.append((existing.pk if existing else None, changes, terms, outcome))
    return outcome


def _with_municipality(fields: dict[str, Any]) -> dict[str, Any]:
    from trama.territory.models import Municipality

    values = dict(fields)
    if "municipality_id" in values:
        values["municipality"] = Municipality.objects.get(pk=values.pop("municipality_id"))
    return values


def apply_organisations(*, actor: User | None, programme: Programme, plan: Plan) -> None:
    with transaction.atomic():
        for existing_pk, changes, terms, outcome in plan.prepared:
            if outcome == UNCHANGED:
                continue
            values = _with_municipality(changes)
            if existing_pk is None:
                organisation = services.organisation_save(actor=actor, programme=programme, fields=values)
            else:
                organisation = Organisation.objects.get(pk=existing_pk)
            services.partnership_set(actor=actor, programme=programme, organisation=organisation, **terms)
            if existing_pk is not None and values:
                services.organisation_save(actor=actor, programme=programme, fields=values, organisation=organisation)


# --- Places ------------------------------------------------------------------------------


def _lab_organisations(user: User | None, programme: Programme) -> set[int] | None:
    """None for coordinators (every place); else the organisations the user runs places for."""
    if user is None:
        return None
    memberships = list(Membership.objects.active().filter(user=user, programme=programme))
    if any(m.role == Role.COORDINATOR for m in memberships):
        return None
    return {m.organisation_id for m in memberships if m.role == Role.LAB_MANAGER}


def places_allowed(user: User, programme: Programme) -> bool:
    return _lab_organisations(user, programme) != set()


def plan_places(*, actor: User | None, programme: Programme, rows: list[Row], progress: Progress) -> Plan:
    plan, municipalities, partners = Plan(prepared=[]), MunicipalityIndex(), _partners(programme)
    territory = set(programme.municipalities.values_list("pk", flat=True))
    own = _lab_organisations(actor, programme)
    places = {(p.name.casefold(), p.municipality_id): p for p in CommunityPlace.objects.filter(programme=programme)}
    seen: dict[tuple[str, int], int] = {}
    for index, row in enumerate(rows):
        progress(int(90 * index / max(1, len(rows))), _("Checking row %(row)d") % {"row": row.number})
        cells = _Cells(row, PLACE_COLUMNS)
        fields = {
            "name": cells.get("name", parse_text, max_length=200, required=True),
            "kind": cells.get("kind", parse_choice, PLACE_KINDS, required=True),
            "address": cells.get("address", parse_text, max_length=200, required=True),
            "postal_code": cells.get("postal_code", parse_text, max_length=5),
            "municipality_id": cells.get("municipality", municipalities.resolve, allowed=territory),
            "latitude": cells.get("latitude", _decimal),
            "longitude": cells.get("longitude", _decimal),
            "email": cells.get("email", parse_email),
            "phone": cells.get("phone", parse_text, max_length=40),
            "website": cells.get("website", parse_text, max_length=200),
            "description": cells.get("description", parse_text, max_length=5000),
            "is_published": cells.get("is_published", parse_yes_no),
        }
        organisation = _find_organisation(partners, row.text("organisation"))
        if row.text("organisation") and organisation is None:
            cells.fail("organisation", _("No partner of the programme has this codice fiscale, partita IVA or name."))
        elif organisation is not None and own is not None and organisation.pk not in own:
            cells.fail("organisation", _("You may import only the places of your organisation."))
        outcome = ERROR
        if not cells.errors:
            key = (fields["name"].casefold(), fields["municipality_id"])
            if key in seen:
                cells.fail("name", _("The same place is in row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, row.number)
        existing = places.get(key) if not cells.errors else None
        if existing is not None and own is not None and existing.managing_organisation_id not in own:
            cells.fail("organisation", _("You may import only the places of your organisation."))
        if not cells.errors:
            fields["managing_organisation"] = organisation
            outcome = _plan_place(cells, fields, existing, programme, plan)
        if cells.errors:
            plan.errors.extend(cells.errors)
            outcome = ERROR
        plan.outcomes.append((row.number, outcome, row.text("name")))
    return plan


def _plan_place(cells: _Cells, fields: dict[str, Any], existing: Any, programme: Programme, plan: Plan) -> str:
    changes = {
        name: value
        for name, value in fields.items()
        if value not in (None, "") and getattr(existing, name, None) != value
    }
    if existing is None and changes.get("is_published") is None:
        changes["is_published"] = False
    candidate = (
        CommunityPlace.objects.get(pk=existing.pk) if existing is not None else CommunityPlace(programme=programme)
    )
    for name, value in changes.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(exclude=["photo"])
    except ValidationError as error:
        keys = {"managing_organisation": "organisation", "municipality": "municipality"}
        cells.errors.extend(_reader_errors(cells.row, PLACE_COLUMNS, error, keys))
        return ERROR
    outcome = CREATED if existing is None else (UPDATED if changes else UNCHANGED)
    plan.prepared.append((existing.pk if existing else None, changes, outcome))
    return outcome


def apply_places(*, actor: User | None, programme: Programme, plan: Plan) -> None:
    with transaction.atomic():
        for existing_pk, changes, outcome in plan.prepared:
            if outcome == UNCHANGED:
                continue
            place = CommunityPlace.objects.get(pk=existing_pk) if existing_pk else None
            services.place_save(
                actor=actor, programme=programme, fields=_with_municipality(changes), place=place,
                expected_version=place.version if place else None,
            )  # fmt: skip
