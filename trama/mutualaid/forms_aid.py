"""Forms of mutual aid: requests, offers, micro-networks. They validate and normalise; the services
check the rules again and save."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.mutualaid.forms import DATE_INPUT, TIME_INPUT, MunicipalityField
from trama.mutualaid.models import Category, Language, Urgency, Volunteer
from trama.network.models import CitizenGroup, CommunityPlace
from trama.people.models import Household
from trama.territory.models import Municipality

COORDINATE = forms.NumberInput(attrs={"step": "0.00001"})


class CitizenFields(forms.Form):
    """A citizen who is not (yet) a record the user can pick: found by name and date of birth, or
    added as a contact of the programme."""

    citizen_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    citizen_last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    citizen_birth_date = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT, required=False)
    citizen_phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)

    def _require_citizen(self) -> None:
        for name in ("citizen_first_name", "citizen_last_name"):
            if not self.cleaned_data.get(name):
                self.add_error(name, forms.ValidationError(_("Give the citizen's name."), code="required"))

    def citizen(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "first_name": data.get("citizen_first_name", ""),
            "last_name": data.get("citizen_last_name", ""),
            "birth_date": data.get("citizen_birth_date"),
            "phone": data.get("citizen_phone", ""),
        }


class LocationFields(forms.Form):
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=8, decimal_places=5, required=False, widget=COORDINATE,
        help_text=_("Optional: without coordinates, the centre of the municipality is used."),
    )  # fmt: skip
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=8, decimal_places=5, required=False, widget=COORDINATE
    )

    def location(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"municipality": data["municipality"], "latitude": data.get("latitude"),
                "longitude": data.get("longitude")}  # fmt: skip


class HouseholdField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Household) -> str:
        return obj.label


class RequestForm(CitizenFields, LocationFields):
    REQUESTERS = (("household", _("a household followed by a case")), ("person", _("a citizen")),
                  ("group", _("a citizen group")))  # fmt: skip

    requester_kind = forms.ChoiceField(label=_("Who asks"), choices=REQUESTERS, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Kind of help"), choices=Category.choices)
    summary = forms.CharField(
        label=_("What is needed"), max_length=300,
        help_text=_("Shown to possible helpers before they accept: no names, addresses or telephone numbers."),
    )  # fmt: skip
    details = forms.CharField(
        label=_("Details for the helper"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the helper only after both sides have accepted."),
    )  # fmt: skip
    address = forms.CharField(
        label=_("Address"), max_length=200, required=False,
        help_text=_("Shown to the helper only after both sides have accepted."),
    )  # fmt: skip
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("From"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("Until"), widget=TIME_INPUT)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.ITALIAN)

    def __init__(
        self,
        *args: Any,
        households: QuerySet[Household],
        groups: QuerySet[CitizenGroup],
        municipalities: QuerySet[Municipality],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"] = HouseholdField(queryset=households, required=False, label=_("Household"))
        self.fields["group"] = forms.ModelChoiceField(queryset=groups, required=False, label=_("Citizen group"))
        self.fields["municipality"] = MunicipalityField(queryset=municipalities, label=_("Municipality"))
        if not households.exists():
            self.fields["requester_kind"].choices = self.REQUESTERS[1:]
        self.order_fields([
            "requester_kind", "household", "citizen_first_name", "citizen_last_name", "citizen_birth_date",
            "citizen_phone", "group", "category", "summary", "details", "day", "start_time", "end_time", "urgency",
            "language", "municipality", "address", "latitude", "longitude",
        ])  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("requester_kind")
        if kind == "household" and not data.get("household"):
            self.add_error("household", forms.ValidationError(_("Choose the household."), code="required"))
        elif kind == "group" and not data.get("group"):
            self.add_error("group", forms.ValidationError(_("Choose the group."), code="required"))
        elif kind == "person":
            self._require_citizen()
        return data

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        starts = timezone.make_aware(datetime.combine(data["day"], data["start_time"]))
        ends = timezone.make_aware(datetime.combine(data["day"], data["end_time"]))
        return {
            "category": data["category"], "summary": data["summary"], "details": data["details"],
            "address": data["address"], "starts_at": starts, "ends_at": ends, "urgency": data["urgency"],
            "language": data["language"], **self.location(),
        }  # fmt: skip


class VolunteerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Volunteer) -> str:
        return str(obj.person)


class OfferForm(CitizenFields, LocationFields):
    OFFERERS = (("volunteer", _("a volunteer")), ("person", _("a citizen or a beneficiary")),
                ("group", _("a citizen group")))  # fmt: skip

    offerer_kind = forms.ChoiceField(label=_("Who offers"), choices=OFFERERS, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Kind of help"), choices=Category.choices)
    description = forms.CharField(label=_("What is offered"), max_length=300)
    max_distance_km = forms.IntegerField(label=_("Goes up to (km)"), min_value=1, max_value=30, initial=5)
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active: can be proposed"), required=False, initial=True)
    away_from = forms.DateField(label=_("Away from"), widget=DATE_INPUT, required=False)
    away_until = forms.DateField(label=_("Away until"), widget=DATE_INPUT, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        volunteers: QuerySet[Volunteer],
        groups: QuerySet[CitizenGroup],
        municipalities: QuerySet[Municipality],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"] = VolunteerField(queryset=volunteers, required=False, label=_("Volunteer"))
        self.fields["group"] = forms.ModelChoiceField(queryset=groups, required=False, label=_("Citizen group"))
        self.fields["municipality"] = MunicipalityField(queryset=municipalities, label=_("Municipality"))
        if editing:  # who offers does not change
            for name in ("offerer_kind", "volunteer", "group", "citizen_first_name", "citizen_last_name",
                         "citizen_birth_date", "citizen_phone"):  # fmt: skip
                del self.fields[name]
        self.order_fields([
            "offerer_kind", "volunteer", "citizen_first_name", "citizen_last_name", "citizen_birth_date",
            "citizen_phone", "group", "category", "description", "languages", "municipality", "latitude", "longitude",
            "max_distance_km", "is_active", "away_from", "away_until",
        ])  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("offerer_kind")
        if kind == "volunteer" and not data.get("volunteer"):
            self.add_error("volunteer", forms.ValidationError(_("Choose the volunteer."), code="required"))
        elif kind == "group" and not data.get("group"):
            self.add_error("group", forms.ValidationError(_("Choose the group."), code="required"))
        elif kind == "person":
            self._require_citizen()
        return data

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data["category"], "description": data["description"],
            "max_distance_km": data["max_distance_km"], "is_active": data["is_active"],
            "away_from": data.get("away_from"), "away_until": data.get("away_until"), **self.location(),
        }  # fmt: skip


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, places: QuerySet[CommunityPlace], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = forms.ModelChoiceField(queryset=places, required=False, label=_("Place of reference"))


class JoinedForm(forms.Form):
    joined_on = forms.DateField(label=_("Member since"), widget=DATE_INPUT, required=False)
