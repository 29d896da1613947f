"""People and households from a spreadsheet: one row a person, with their household.

Who may: coordinators. Operators add people to the households they follow one at a time from the
household's page: a household has no key a spreadsheet could name safely (two families may share a
name in one municipality), and creating households is the coordinator's triage (casework rules).

Natural keys (S23): a person is the same person when the codice fiscale matches, otherwise when
first name, last name and date of birth match a member of the same household (or, for a row
without a household, someone of the programme). A household is the same when its name and
municipality match. Every row needs a codice fiscale or a date of birth, or a second import could
not recognise the person. Empty cells never erase what the programme knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
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
)
from trama.people import taxcode
from trama.people.models import CONSENT_AGE, Consent, Household, HouseholdMember, Person, age_on
from trama.people.services import PeopleImport, people_import
from trama.territory.models import Programme

R = HouseholdMember.Relation
RELATIONS = {
    "genitore": R.PARENT, "madre": R.PARENT, "padre": R.PARENT, "partner": R.PARTNER, "coniuge": R.PARTNER,
    "figlio": R.CHILD, "figlia": R.CHILD, "figlio/a": R.CHILD, "nonno": R.GRANDPARENT, "nonna": R.GRANDPARENT,
    "nonno/a": R.GRANDPARENT, "fratello": R.SIBLING, "sorella": R.SIBLING, "fratello/sorella": R.SIBLING,
    "altro parente": R.OTHER_RELATIVE, "altro": R.OTHER,
}  # fmt: skip
GENDERS = {"f": "F", "femmina": "F", "donna": "F", "m": "M", "maschio": "M", "uomo": "M", "x": "X", "altro": "X"}
GIVEN_BY = {
    "persona": Consent.GivenBy.SELF, "interessato": Consent.GivenBy.SELF, "interessata": Consent.GivenBy.SELF,
    "genitore": Consent.GivenBy.GUARDIAN, "tutore": Consent.GivenBy.GUARDIAN,
    "genitore o tutore": Consent.GivenBy.GUARDIAN,
}  # fmt: skip
CONSENTS = (
    ("consent_processing", Consent.Purpose.PROCESSING),
    ("consent_statistics", Consent.Purpose.STATISTICS),
    ("consent_contact", Consent.Purpose.CONTACT),
    ("consent_photos", Consent.Purpose.PHOTOS),
)
UPDATABLE = ("first_name", "last_name", "birth_date", "gender", "email", "phone", "municipality_id", "languages")

COLUMNS = (
    Column(
        "household",
        "Nucleo familiare",
        gettext_lazy("The household's name, e.g. “Famiglia Rossi”. Leave it empty for a person without a household."),
        "Famiglia Rossi",
    ),
    Column(
        "household_municipality",
        "Comune del nucleo",
        gettext_lazy(
            "The household's municipality (name or ISTAT code), in the programme's territory; "
            "if empty, the person's municipality."
        ),
        "Pavia",
    ),
    Column(
        "address",
        "Indirizzo del nucleo",
        gettext_lazy("The household's address (used when the household is new)."),
        "Via Roma 1",
    ),
    Column(
        "relation",
        "Relazione nel nucleo",
        gettext_lazy(
            "Required with a household: genitore, partner, figlio/a, nonno/a, fratello/sorella, altro parente, altro."
        ),
        "genitore",
    ),
    Column("first_name", "Nome", gettext_lazy("Required."), "Maria", required=True),
    Column("last_name", "Cognome", gettext_lazy("Required."), "Rossi", required=True),
    Column(
        "birth_date",
        "Data di nascita",
        gettext_lazy("dd/mm/yyyy. A codice fiscale or a date of birth is required."),
        "15/03/1985",
    ),
    Column("gender", "Genere", gettext_lazy("F, M, X (other), or empty."), "F"),
    Column(
        "tax_code",
        "Codice fiscale",
        gettext_lazy("16 characters (or 11 digits, provisional); checked against the date of birth and the gender."),
        "RSSMRA85C55G388P",
    ),
    Column("email", "Email", gettext_lazy("Optional."), "maria.rossi@example.org"),
    Column("phone", "Telefono", gettext_lazy("Optional."), "0382 123456"),
    Column(
        "municipality",
        "Comune di residenza",
        gettext_lazy("Name or ISTAT code; add the province when the name is not unique, e.g. “Samone (TO)”."),
        "018110",
    ),
    Column("languages", "Lingue parlate", gettext_lazy("Optional, e.g. “italiano, arabo”."), "italiano"),
    Column(
        "consent_processing",
        "Consenso trattamento",
        gettext_lazy("The date the consent to processing for the accompaniment was given (dd/mm/yyyy), or empty."),
        "01/09/2025",
    ),
    Column(
        "consent_statistics",
        "Consenso statistiche",
        gettext_lazy("The date of the consent to use in statistics, or empty."),
        "",
    ),
    Column(
        "consent_contact",
        "Consenso contatti",
        gettext_lazy("The date of the consent to be contacted about activities, or empty."),
        "",
    ),
    Column(
        "consent_photos", "Consenso foto", gettext_lazy("The date of the consent to photos and videos, or empty."), ""
    ),
    Column(
        "given_by", "Consenso dato da", gettext_lazy("persona, or genitore o tutore (required under 14)."), "persona"
    ),
    Column(
        "guardian_name",
        "Nome del genitore o tutore",
        gettext_lazy("Required when the consent was given by a parent or guardian."),
        "",
    ),
)


def allowed(user: User, programme: Programme) -> bool:
    return Membership.objects.active().filter(user=user, programme=programme, role=Role.COORDINATOR).exists()


@dataclass
class _Known:
    """What the programme already holds, read once for the whole file."""

    people: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # pk -> row of UPDATABLE + flags
    by_code: dict[str, int] = field(default_factory=dict)
    by_name: dict[tuple[str, str, date], list[int]] = field(default_factory=dict)
    households: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    members: set[tuple[int, int]] = field(default_factory=set)  # (household pk, person pk)
    consents: set[tuple[int, str, date]] = field(default_factory=set)


def _known(programme: Programme) -> _Known:
    known = _Known()
    columns = ("pk", "version", "tax_code", "is_restricted", "erased_at", *UPDATABLE)
    for values in Person.objects.filter(programme=programme).values_list(*columns):
        pk, _version, code, _restricted, _erased, first, last, born = values[:8]
        known.people[pk] = values
        if code:
            known.by_code[code] = pk
        if born is not None:
            known.by_name.setdefault((first.casefold(), last.casefold(), born), []).append(pk)
    for pk, label, municipality in Household.objects.filter(programme=programme).values_list(
        "pk", "label", "municipality_id"
    ):
        known.households.setdefault((label.casefold(), municipality), []).append(pk)
    known.members = set(
        HouseholdMember.objects.filter(household__programme=programme).values_list("household_id", "person_id")
    )
    known.consents = set(
        Consent.objects.filter(person__programme=programme, withdrawn_on__isnull=True).values_list(
            "person_id", "purpose", "given_on"
        )
    )
    return known


@dataclass
class _Prepared:
    new_households: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    new_people: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # pk -> (version, changes)
    # A new person or household is the dict of its values; a known one its pk.
    members: list[tuple[dict[str, Any] | int, dict[str, Any] | int, str]] = field(default_factory=list)
    consents: list[tuple[dict[str, Any] | int, dict[str, Any]]] = field(default_factory=list)


class _RowReader:
    """Parses one row's cells, collecting an error for each bad cell instead of stopping."""

    def __init__(self, row: Row) -> None:
        self.row, self.errors = row, []
        self.relation, self.household_label, self.address = "", "", ""

    def cell(self, key: str, parse: Any, *args: Any, **kwargs: Any) -> Any:
        value = self.row.values.get(key) if parse is parse_date else self.row.text(key)
        try:
            return parse(value, *args, **kwargs)
        except CellError as error:
            self.fail(key, error.reason)
            return None

    def fail(self, key: str, reason: str) -> None:
        header = next(column.header for column in COLUMNS if column.key == key)
        self.errors.append(RowError(self.row.number, header, self.row.text(key), reason))


class PeoplePlanner:
    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.known = _known(programme)
        self.municipalities = MunicipalityIndex()
        self.territory = set(programme.municipalities.values_list("pk", flat=True))
        self.prepared = _Prepared()
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[Any, ...], int] = {}

    def plan(self, rows: list[Row], progress: Progress) -> Plan:
        plan = Plan(prepared=self.prepared)
        step = max(1, len(rows) // 20)
        for index, row in enumerate(rows):
            if index % step == 0:
                progress(int(90 * index / max(1, len(rows))), _("Checking row %(row)d") % {"row": row.number})
            reader = _RowReader(row)
            outcome = self._row(reader)
            label = f"{row.text('last_name')} {row.text('first_name')}".strip()
            if reader.errors:
                plan.errors.extend(reader.errors)
                outcome = ERROR
            plan.outcomes.append((row.number, outcome, label))
        return plan

    def _fields(self, reader: _RowReader) -> dict[str, Any]:
        fields = {
            "first_name": reader.cell("first_name", parse_text, max_length=100, required=True),
            "last_name": reader.cell("last_name", parse_text, max_length=100, required=True),
            "birth_date": reader.cell("birth_date", parse_date, past_only=True),
            "gender": reader.cell("gender", parse_choice, GENDERS),
            "email": reader.cell("email", parse_email),
            "phone": reader.cell("phone", parse_text, max_length=40),
            "municipality_id": reader.cell("municipality", self.municipalities.resolve),
            "languages": reader.cell("languages", parse_text, max_length=200),
        }
        code = reader.row.text("tax_code")
        fields["tax_code"] = ""
        if code:
            try:
                fields["tax_code"] = taxcode.validate(code)
                problems = taxcode.inconsistencies(
                    fields["tax_code"], birth_date=fields["birth_date"], gender=fields["gender"] or ""
                )
                if problems:
                    raise ValidationError(problems)
            except ValidationError as error:
                reader.fail("tax_code", " ".join(error.messages))
        if not fields["tax_code"] and not fields["birth_date"] and not reader.row.text("birth_date"):
            reader.fail(
                "birth_date",
                _("Give the codice fiscale or the date of birth, so that a new import recognises the person."),
            )
        return fields

    def _household(self, reader: _RowReader, residence: int | None) -> tuple[str, int] | None:
        label = reader.cell("household", parse_text, max_length=120)
        relation = reader.cell("relation", parse_choice, RELATIONS, required=bool(label))
        municipality = reader.cell("household_municipality", self.municipalities.resolve, allowed=self.territory)
        reader.address = reader.cell("address", parse_text, max_length=200) or ""
        if not label:
            return None
        if municipality is None and not reader.row.text("household_municipality"):
            municipality = residence
            if municipality is None or municipality not in self.territory:
                reader.fail(
                    "household_municipality", _("Give the household's municipality, in the programme's territory.")
                )
        if municipality is None or relation is None:
            return None
        key = (" ".join(label.split()).casefold(), municipality)
        if len(self.known.households.get(key, [])) > 1:
            reader.fail(
                "household",
                _(
                    "The programme has several households with this name in this municipality: "
                    "add them one by one from their page."
                ),
            )
            return None
        reader.relation, reader.household_label = relation, " ".join(label.split())
        return key

    def _consents(self, reader: _RowReader, birth_date: date | None) -> list[dict[str, Any]]:
        given_by = reader.cell("given_by", parse_choice, GIVEN_BY) or Consent.GivenBy.SELF
        guardian = reader.cell("guardian_name", parse_text, max_length=150) or ""
        consents = []
        for key, purpose in CONSENTS:
            given_on = reader.cell(key, parse_date, past_only=True)
            if given_on is None:
                continue
            if given_by == Consent.GivenBy.SELF and birth_date and age_on(birth_date, given_on) < CONSENT_AGE:
                reader.fail("given_by", _("A person under 14 cannot consent alone: record the parent or guardian."))
            if given_by == Consent.GivenBy.GUARDIAN and not guardian:
                reader.fail("guardian_name", _("Give the name of the parent or guardian who consented."))
            consents.append({"purpose": purpose, "given_on": given_on, "given_by": given_by, "guardian_name": guardian})
        return consents

    def _match(self, fields: dict[str, Any], household: tuple[str, int] | None) -> int | None:
        if fields["tax_code"]:
            return self.known.by_code.get(fields["tax_code"])
        if fields["birth_date"] is None:
            return None
        name = (fields["first_name"].casefold(), fields["last_name"].casefold(), fields["birth_date"])
        candidates = self.known.by_name.get(name, [])
        if household is None:
            return candidates[0] if len(candidates) == 1 else None
        existing = self.known.households.get(household, [])
        return next((pk for pk in candidates if existing and (existing[0], pk) in self.known.members), None)

    def _row(self, reader: _RowReader) -> str:
        fields = self._fields(reader)
        household = self._household(reader, fields["municipality_id"])
        known_birth = fields["birth_date"]
        if reader.errors:
            self._consents(reader, known_birth)
            return ERROR
        pk = self._match(fields, household)
        if pk is not None and self.known.people[pk][7] is not None:
            known_birth = known_birth or self.known.people[pk][7]
        consents = self._consents(reader, known_birth)
        if not self._unique_in_file(reader, fields, household) or reader.errors:
            return ERROR
        if pk is None:
            return self._new(reader, fields, household, consents)
        return self._existing(reader, pk, fields, household, consents)

    def _unique_in_file(self, reader: _RowReader, fields: dict[str, Any], household: Any) -> bool:
        code = fields["tax_code"]
        if code and code in self.seen_codes:
            reader.fail("tax_code", _("The same codice fiscale is in row %(row)d.") % {"row": self.seen_codes[code]})
            return False
        name = (fields["first_name"].casefold(), fields["last_name"].casefold(), fields["birth_date"])
        if fields["birth_date"] and name in self.seen_names and not code:
            reader.fail(
                "first_name",
                _("The same person (name and date of birth) is in row %(row)d.") % {"row": self.seen_names[name]},
            )
            return False
        if code:
            self.seen_codes[code] = reader.row.number
        if fields["birth_date"]:
            self.seen_names.setdefault(name, reader.row.number)
        return True

    def _household_ref(self, reader: _RowReader, key: tuple[str, int]) -> dict[str, Any] | int:
        existing = self.known.households.get(key)
        if existing:
            return existing[0]
        if key not in self.prepared.new_households:
            self.prepared.new_households[key] = {
                "label": reader.household_label, "municipality_id": key[1], "address": reader.address,
            }  # fmt: skip
        return self.prepared.new_households[key]

    def _new(self, reader: _RowReader, fields: dict[str, Any], household: Any, consents: list[dict[str, Any]]) -> str:
        name = (fields["first_name"].casefold(), fields["last_name"].casefold(), fields["birth_date"])
        if fields["birth_date"] and self.known.by_name.get(name):
            reader.fail(
                "first_name",
                _(
                    "The programme already knows someone with this name and date of birth: "
                    "add the codice fiscale, or add the person from their page."
                ),
            )
            return ERROR
        values = {key: value or "" for key, value in fields.items() if key not in ("municipality_id", "birth_date")}
        person = {**values, "birth_date": fields["birth_date"], "municipality_id": fields["municipality_id"]}
        self.prepared.new_people.append(person)
        if household is not None:
            self.prepared.members.append((self._household_ref(reader, household), person, reader.relation))
        self.prepared.consents.extend((person, consent) for consent in consents)
        return CREATED

    def _existing(
        self, reader: _RowReader, pk: int, fields: dict[str, Any], household: Any, consents: list[dict[str, Any]]
    ) -> str:
        stored = self.known.people[pk]
        if stored[3] or stored[4] is not None:
            reader.fail(
                "first_name", _("The processing of this person's data is restricted: an import cannot change it.")
            )
            return ERROR
        changes = {
            name: fields[name]
            for index, name in enumerate(UPDATABLE, start=5)
            if fields[name] not in (None, "") and fields[name] != stored[index]
        }
        if fields["tax_code"] and not stored[2]:
            changes["tax_code"] = fields["tax_code"]
        changed = bool(changes)
        if changes:
            self.prepared.updates[pk] = (stored[1], changes)
        if household is not None:
            ref = self._household_ref(reader, household)
            if isinstance(ref, dict) or (ref, pk) not in self.known.members:
                self.prepared.members.append((ref, pk, reader.relation))
                changed = True
        for consent in consents:
            if (pk, consent["purpose"], consent["given_on"]) not in self.known.consents:
                self.prepared.consents.append((pk, consent))
                changed = True
        return UPDATED if changed else UNCHANGED


def plan(*, actor: User | None, programme: Programme, rows: list[Row], progress: Progress) -> Plan:
    return PeoplePlanner(programme).plan(rows, progress)


def apply(*, actor: User | None, programme: Programme, plan: Plan) -> None:
    prepared: _Prepared = plan.prepared
    people = Person.objects.in_bulk(list(prepared.updates))
    updates = []
    for pk, (version, changes) in prepared.updates.items():
        person = people[pk]
        for name, value in changes.items():
            setattr(person, name, value)
        updates.append((person, version, [name.removesuffix("_id") for name in changes]))
    data = PeopleImport(
        households=list(prepared.new_households.values()),
        people=prepared.new_people,
        updates=updates,
        members=[{"household": h, "person": p, "relation": relation} for h, p, relation in prepared.members],
        consents=[{**fields, "person": p} for p, fields in prepared.consents],
    )
    people_import(actor=actor, programme=programme, data=data)
