"""The dashboard's period and filters (a GET form), and the coordinator's target form."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from trama.activities.models import AgeBand
from trama.evaluation import registry
from trama.evaluation.registry import Filters, Period
from trama.evaluation.selectors import DIMENSION_LABELS, default_period
from trama.network.models import CommunityPlace
from trama.people.models import Person
from trama.territory.models import ActionLine, Municipality, Programme, Target

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST, LATEST = date(1970, 1, 1), date(2199, 12, 31)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end = forms.DateField(label=_("To (included)"), widget=DATE_INPUT)

    def __init__(self, data: QueryDict, *, programme: Programme, today: date | None = None) -> None:
        # Without a period in the address, from the programme's start to today: the page opens on figures.
        data = data.copy()
        if not data.get("start") and not data.get("end"):
            period = default_period(programme, today)
            data["start"], data["end"] = period.start.isoformat(), period.end.isoformat()
        super().__init__(data)
        self.programme = programme

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name, day in (("start", start), ("end", end)):
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Choose a date between 1970 and 2199."))
                data.pop(name, None)
        if "start" in data and "end" in data and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


class DashboardForm(PeriodForm):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), required=False, queryset=Municipality.objects.none(), to_field_name="istat_code",
        empty_label=_("All municipalities"),
    )  # fmt: skip
    action_line = forms.ModelChoiceField(
        label=_("Action line"), required=False, queryset=ActionLine.objects.none(), to_field_name="public_id",
        empty_label=_("All action lines"),
    )  # fmt: skip
    place = forms.ModelChoiceField(
        label=_("Place"), required=False, queryset=CommunityPlace.objects.none(), to_field_name="public_id",
        empty_label=_("All places"),
    )  # fmt: skip
    age_band = forms.ChoiceField(label=_("Age band"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    breakdown = forms.ChoiceField(label=_("Break down by"), required=False)

    def __init__(self, data: QueryDict, *, programme: Programme, today: date | None = None) -> None:
        super().__init__(data, programme=programme, today=today)
        self.fields["municipality"].queryset = programme.municipalities.order_by("name")
        self.fields["action_line"].queryset = ActionLine.objects.filter(programme=programme).order_by(
            "position", "name"
        )
        self.fields["place"].queryset = CommunityPlace.objects.filter(programme=programme).order_by("name")
        bands = [(code, label) for code, label in AgeBand.choices if code]
        genders = [(code, label) for code, label in Person.Gender.choices if code]
        self.fields["age_band"].choices = [("", _("All ages")), *bands]
        self.fields["gender"].choices = [("", _("All")), *genders]
        self.fields["breakdown"].choices = [
            ("", _("no breakdown")),
            *[(name, DIMENSION_LABELS[name]) for name in registry.BREAKDOWNS],
        ]

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            municipality=data["municipality"],
            action_line=data["action_line"],
            place=data["place"],
            age_band=data["age_band"] or None,
            gender=data["gender"] or None,
        )

    def query_string(self) -> str:
        """The period and filters, to carry them to the drill-down pages."""
        return self.data.urlencode() if hasattr(self.data, "urlencode") else ""


class TargetForm(forms.Form):
    indicator_code = forms.ChoiceField(label=_("Indicator"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Target.Kind.choices)
    value = forms.DecimalField(label=_("Value"), min_value=0, max_digits=14, decimal_places=2)
    date = forms.DateField(
        label=_("By (date)"), required=False, widget=DATE_INPUT,
        help_text=_("Leave empty for the end of the programme."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=300, help_text=_("Where the value comes from."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = [
            (indicator.code, indicator.name) for indicator in registry.all_indicators()
        ]
