"""Forms of the lab's pages: choosing the week, the check-in sheet, a participant who came without
registering, the tally grid. They validate and normalise; the services save (and validate again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.activities.attendance import TALLY_CELLS
from trama.activities.models import ADULT_AGE, AgeBand, TallyGender
from trama.activities.services import MAX_TALLY_CELL
from trama.network.models import CommunityPlace
from trama.people.models import Person, age_on

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEK_RANGE = (date(2000, 1, 1), date(2100, 12, 31))


class WeekForm(forms.Form):
    """The week's filters, read from the address (?settimana=YYYY-MM-DD&luogo=<place>)."""

    settimana = forms.DateField(
        label=_("A day of the week"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    luogo = forms.ModelChoiceField(
        label=_("Place"),
        queryset=CommunityPlace.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("All my places"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, places: QuerySet[CommunityPlace], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["luogo"].queryset = places

    def clean_settimana(self) -> date | None:
        day = self.cleaned_data["settimana"]
        if day is not None and not WEEK_RANGE[0] <= day <= WEEK_RANGE[1]:
            # Far-off years only come from a typo, and the weeks around date.min/max do not exist.
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": WEEK_RANGE[0].year, "last": WEEK_RANGE[1].year}
            )
        return day


class CheckinForm(forms.Form):
    """One checkbox per person listed on the sheet: the ticked ones were present."""

    present = forms.MultipleChoiceField(label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(person.public_id), str(person)) for person in people]
        self.people = {str(person.public_id): person for person in people}

    def present_people(self) -> list[Person]:
        return [self.people[public_id] for public_id in self.cleaned_data["present"]]


class ParticipantForm(forms.Form):
    """Someone who came without registering: they are added to the lab's contacts, registered
    and marked present. A minor needs a parent or guardian who consents."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT)
    gender = forms.ChoiceField(label=_("Gender"), choices=Person.Gender.choices, required=False)
    guardian_name = forms.CharField(
        label=_("Parent or guardian"), max_length=150, required=False, help_text=_("Required for minors.")
    )
    guardian_consent = forms.BooleanField(
        label=_("The parent or guardian consents to the registration"), required=False
    )

    def clean_birth_date(self) -> Any:
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return birth_date

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        birth_date = data.get("birth_date")
        if birth_date is not None and age_on(birth_date, timezone.localdate()) < ADULT_AGE:
            if not data.get("guardian_name", "").strip():
                self.add_error("guardian_name", _("A minor needs the name of a parent or guardian."))
            if not data.get("guardian_consent"):
                self.add_error("guardian_consent", _("A minor can be registered only with the guardian's consent."))
        return data


class TallyForm(forms.Form):
    """The anonymous head count: one number per age band and gender, empty meaning nobody."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for cell in TALLY_CELLS:
            self.fields[cell.name] = forms.IntegerField(
                label=_("People"),
                required=False,
                min_value=0,
                max_value=MAX_TALLY_CELL,
                error_messages={
                    "invalid": _("Write a whole number of people."),
                    "min_value": _("A head count cannot be negative."),
                    "max_value": _("More than %(limit_value)s people in one cell is not plausible: check the figure."),
                },
                widget=forms.NumberInput(attrs={"min": 0, "max": MAX_TALLY_CELL, "inputmode": "numeric"}),
            )

    @staticmethod
    def initial_for(counts: dict[tuple[str, str], int]) -> dict[str, int]:
        return {
            cell.name: counts[(cell.band, cell.gender)] for cell in TALLY_CELLS if (cell.band, cell.gender) in counts
        }

    def cells(self) -> dict[tuple[str, str], int]:
        return {(cell.band, cell.gender): self.cleaned_data.get(cell.name) or 0 for cell in TALLY_CELLS}

    def grid(self) -> list[TallyRow]:
        """The fields by age band (rows) and gender (columns), as the page lays them out."""
        rows: dict[str, TallyRow] = {}
        for cell in TALLY_CELLS:
            band = AgeBand(cell.band)
            row = rows.setdefault(cell.band, TallyRow(label=str(band.label), is_minor=cell.is_minor, fields=[]))
            row.fields.append((str(TallyGender(cell.gender).label), self[cell.name]))
        return list(rows.values())


@dataclass
class TallyRow:
    label: str
    is_minor: bool
    fields: list[tuple[str, forms.BoundField]]
