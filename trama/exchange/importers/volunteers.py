"""Volunteers from a spreadsheet, through `volunteer_create` (coordinators: recording a volunteer
is theirs in the mutual-aid rules, lab managers propose them one by one).

The same volunteer when first name, last name and date of birth match a person of the programme
who is already a volunteer (unchanged); a person the programme knows but who is not yet a
volunteer becomes one, as `volunteer_create` does. The date of birth is required: volunteers are
adults, and without it a second import could not recognise the person.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.accounts.models import Membership, Role, User
from trama.exchange.importers.base import (
    CREATED,
    ERROR,
    UNCHANGED,
    CellError,
    Column,
    MunicipalityIndex,
    Plan,
    Progress,
    Row,
    parse_date,
    parse_email,
    parse_text,
)
from trama.exchange.importers.network import _Cells
from trama.mutualaid.models import Volunteer
from trama.mutualaid.models.common import Category, Interest, Language
from trama.mutualaid.services.volunteers import ADULT_AGE, Applicant, Profile, volunteer_create
from trama.people.models import Person, age_on
from trama.territory.models import Municipality, Programme

COLUMNS = (
    Column("first_name", "Nome", gettext_lazy("Required."), "Luca", required=True),
    Column("last_name", "Cognome", gettext_lazy("Required."), "Bianchi", required=True),
    Column("birth_date", "Data di nascita", gettext_lazy("Required, dd/mm/yyyy: volunteers are adults."), "02/05/1970"),
    Column("email", "Email", gettext_lazy("Optional."), "luca.bianchi@example.org"),
    Column("phone", "Telefono", gettext_lazy("Optional."), ""),
    Column("municipality", "Comune di residenza", gettext_lazy("Name or ISTAT code, in the programme's territory."), "Pavia"),  # noqa: E501
    Column("skills", "Può aiutare con", gettext_lazy("Kinds of help, separated by commas (the codes or the names of the list)."), "shopping"),  # noqa: E501
    Column("languages", "Lingue", gettext_lazy("ISO codes or names, separated by commas, e.g. “it, en”."), "it"),
    Column("interests", "Interessi", gettext_lazy("Areas of interest, separated by commas."), ""),
    Column("skills_note", "Altre competenze", gettext_lazy("Optional."), ""),
)  # fmt: skip


def allowed(user: User, programme: Programme) -> bool:
    return Membership.objects.active().filter(user=user, programme=programme, role=Role.COORDINATOR).exists()


def _codes(choices: type[TextChoices]) -> Any:
    accepted = {value.casefold(): value for value in choices.values}
    accepted |= {str(label).casefold(): value for value, label in choices.choices}

    def parse(text: str) -> tuple[str, ...]:
        items = [item.strip().casefold() for item in text.replace(";", ",").split(",") if item.strip()]
        unknown = [item for item in items if item not in accepted]
        if unknown:
            raise CellError(_("Not in the list: %(values)s.") % {"values": ", ".join(unknown)})
        return tuple(dict.fromkeys(accepted[item] for item in items))

    return parse


def plan(*, actor: User | None, programme: Programme, rows: list[Row], progress: Progress) -> Plan:
    result, municipalities = Plan(prepared=[]), MunicipalityIndex()
    territory = set(programme.municipalities.values_list("pk", flat=True))
    people: dict[tuple[str, str, Any], list[int]] = {}
    for pk, first, last, born in Person.objects.filter(programme=programme, erased_at__isnull=True).values_list(
        "pk", "first_name", "last_name", "birth_date"
    ):
        people.setdefault((first.casefold(), last.casefold(), born), []).append(pk)
    volunteers = set(Volunteer.objects.filter(programme=programme).values_list("person_id", flat=True))
    seen: dict[tuple[str, str, Any], int] = {}
    for index, row in enumerate(rows):
        progress(int(90 * index / max(1, len(rows))), _("Checking row %(row)d") % {"row": row.number})
        cells = _Cells(row, COLUMNS)
        values = {
            "first_name": cells.get("first_name", parse_text, max_length=100, required=True),
            "last_name": cells.get("last_name", parse_text, max_length=100, required=True),
            "birth_date": cells.get("birth_date", parse_date, past_only=True),
            "email": cells.get("email", parse_email),
            "phone": cells.get("phone", parse_text, max_length=40),
            "municipality": cells.get("municipality", municipalities.resolve, allowed=territory),
            "skills": cells.get("skills", _codes(Category)),
            "languages": cells.get("languages", _codes(Language)),
            "interests": cells.get("interests", _codes(Interest)),
            "skills_note": cells.get("skills_note", parse_text, max_length=2000),
        }
        born = values["birth_date"]
        if born is None and not cells.errors:
            cells.fail("birth_date", _("Give the date of birth: volunteers are adults."))
        elif born is not None and age_on(born, timezone.localdate()) < ADULT_AGE:
            cells.fail("birth_date", _("Volunteers must be adults."))
        outcome = ERROR
        if not cells.errors:
            key = (values["first_name"].casefold(), values["last_name"].casefold(), born)
            if key in seen:
                cells.fail("first_name", _("The same person is in row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, row.number)
            known = people.get(key, [])
            if not cells.errors:
                outcome = UNCHANGED if any(pk in volunteers for pk in known) else CREATED
                if outcome == CREATED:
                    result.prepared.append(values)
        if cells.errors:
            result.errors.extend(cells.errors)
            outcome = ERROR
        result.outcomes.append((row.number, outcome, f"{row.text('last_name')} {row.text('first_name')}".strip()))
    return result


def apply(*, actor: User | None, programme: Programme, plan: Plan) -> None:
    municipalities = Municipality.objects.in_bulk([v["municipality"] for v in plan.prepared if v["municipality"]])
    with transaction.atomic():
        for values in plan.prepared:
            applicant = Applicant(
                first_name=values["first_name"], last_name=values["last_name"], birth_date=values["birth_date"],
                email=values["email"] or "", phone=values["phone"] or "",
                municipality=municipalities.get(values["municipality"]),
            )  # fmt: skip
            profile = Profile(
                skills=values["skills"] or (), languages=values["languages"] or (),
                interests=values["interests"] or (), skills_note=values["skills_note"] or "",
            )  # fmt: skip
            volunteer_create(actor=actor, programme=programme, applicant=applicant, profile=profile)
