"""The reach page's filters: a period, a breakdown, and the activities to count (a GET form)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from trama.activities.models import Activity
from trama.activities.reach import Breakdown, ReachQuery, school_year
from trama.network.models import CommunityPlace
from trama.territory.models import ActionLine, Programme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Far enough for any programme, near enough that no date arithmetic can overflow.
EARLIEST, LATEST = date(1970, 1, 1), date(2199, 12, 31)


class ReachForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end = forms.DateField(label=_("To (included)"), widget=DATE_INPUT)
    breakdown = forms.ChoiceField(
        label=_("Break down by"), required=False, choices=[("", _("no breakdown")), *Breakdown.choices]
    )
    action_line = forms.ModelChoiceField(
        label=_("Action line"), required=False, queryset=ActionLine.objects.none(), to_field_name="public_id",
        empty_label=_("All action lines"),
    )  # fmt: skip
    place = forms.ModelChoiceField(
        label=_("Place"), required=False, queryset=CommunityPlace.objects.none(), to_field_name="public_id",
        empty_label=_("All places"),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind of activity"), required=False, choices=[("", _("All kinds"))])

    def __init__(self, data: QueryDict, *, programme: Programme, today: date | None = None) -> None:
        # Without a period in the address, the current school year: the page opens on figures.
        data = data.copy()
        start, end = school_year(today)
        if not data.get("start") and not data.get("end"):
            data["start"], data["end"] = start.isoformat(), end.isoformat()
        super().__init__(data)
        self.fields["action_line"].queryset = ActionLine.objects.filter(programme=programme).order_by(
            "position", "name"
        )
        self.fields["place"].queryset = CommunityPlace.objects.filter(programme=programme).order_by("name")
        self.fields["kind"].choices = [("", _("All kinds")), *Activity.Kind.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name, day in (("start", start), ("end", end)):
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Choose a date between 1970 and 2199."))
                data.pop(name, None)
        if start and end and "start" in data and "end" in data and end < start:
            self.add_error("end", _("The period cannot end before it starts."))
        return data

    def reach_query(self) -> ReachQuery:
        data = self.cleaned_data
        return ReachQuery(
            start=data["start"],
            end=data["end"],
            breakdown=data["breakdown"],
            action_line=data["action_line"],
            place=data["place"],
            kind=data["kind"],
        )
