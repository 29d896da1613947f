"""Forms of the governance. They list their fields (S4), validate and normalise; the services save
(and validate again). Times are a day plus start and end times, in the programme's time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Membership, User
from trama.governance.models import Body, BodyMember, Decision, Meeting
from trama.network.forms import MunicipalityChoiceField
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.territory.models import Programme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _aware(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


class NamedChoiceField(forms.ModelChoiceField):
    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        super().__init__(queryset=queryset, to_field_name="public_id", **kwargs)


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        super().__init__(queryset=queryset, to_field_name="public_id", **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


def partner_organisations(programme: Programme) -> QuerySet[Organisation]:
    return Organisation.objects.filter(partnerships__programme=programme).distinct().order_by("name")


class BodyForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Body
        fields = ("kind", "name", "description", "action_line", "meets_in_public")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_line"] = NamedChoiceField(
            programme.action_lines.order_by("position", "name"), label=_("Action line"), required=False
        )
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def body_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class MemberForm(forms.Form):
    organisation = NamedChoiceField(Organisation.objects.none(), label=_("Organisation"), required=False)
    user = UserChoiceField(
        User.objects.none(), label=_("Person with an account"), required=False,
        help_text=_("They are a member for their organisation, unless you choose another one above."),
    )  # fmt: skip
    name = forms.CharField(
        label=_("Or a person without an account"), max_length=150, required=False,
        help_text=_("E.g. “Garante dei diritti dell'infanzia e dell'adolescenza”."),
    )  # fmt: skip
    role = forms.ChoiceField(label=_("Role in the body"), choices=BodyMember.Role.choices, initial="member")
    since = forms.DateField(label=_("Member from"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partner_organisations(programme)
        users = Membership.objects.active().filter(programme=programme).values("user")
        self.fields["user"].queryset = User.objects.filter(pk__in=users, is_active=True).order_by("full_name")


class MeetingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("End time"), widget=TIME_INPUT)

    class Meta:
        model = Meeting
        fields = ("title", "place", "venue", "municipality", "is_public", "agenda", "minutes", "status")
        widgets = {"agenda": forms.Textarea(attrs={"rows": 5}), "minutes": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = NamedChoiceField(
            CommunityPlace.objects.for_programme(programme).order_by("name"), label=_("Place"), required=False
        )
        self.fields["municipality"] = MunicipalityChoiceField(
            queryset=programme.municipalities.order_by("name"), label=_("Municipality"), to_field_name="istat_code",
            required=False, help_text=_("Needed for a public meeting not at a place of the network."),
        )  # fmt: skip
        if self.instance.pk and not self.is_bound:
            start, end = timezone.localtime(self.instance.starts_at), timezone.localtime(self.instance.ends_at)
            self.initial.update(
                version=self.instance.version, day=start.date(), start_time=start.time(), end_time=end.time()
            )
        if not self.instance.pk:
            for name in ("minutes", "status"):
                del self.fields[name]
        self.order_fields(["title", "day", "start_time", "end_time", "place", "venue", "municipality", "is_public",
                           "agenda", "status", "minutes"])  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end and end <= start:
            self.add_error("end_time", _("A meeting must end after it starts."))
        return data

    def meeting_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields if name in self.fields}
        fields["starts_at"] = _aware(data["day"], data["start_time"])
        fields["ends_at"] = _aware(data["day"], data["end_time"])
        return fields


class AttendanceForm(forms.Form):
    members = NamedMultipleChoiceField(
        BodyMember.objects.none(), label=_("Members of the body present"), required=False
    )
    organisations = NamedMultipleChoiceField(
        Organisation.objects.none(), label=_("Organisations represented"), required=False,
        help_text=_("One representative each, besides the members ticked above."),
    )  # fmt: skip
    groups = NamedMultipleChoiceField(
        CitizenGroup.objects.none(), label=_("Citizen groups represented"), required=False
    )
    guests = forms.CharField(
        label=_("Guests"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name and role, e.g. “Garante dei diritti dell'infanzia, Pavia”."),
    )  # fmt: skip
    others = forms.IntegerField(
        label=_("Other participants, not named"), min_value=0, initial=0,
        help_text=_("Citizens counted at the door of an open assembly."),
    )  # fmt: skip

    def __init__(self, *args: Any, meeting: Meeting, members: list[BodyMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member_field = self.fields["members"]
        member_field.queryset = BodyMember.objects.filter(pk__in=[m.pk for m in members]).select_related(
            "organisation", "user"
        )
        member_field.label_from_instance = lambda member: member.label
        self.fields["organisations"].queryset = partner_organisations(meeting.programme)
        self.fields["organisations"].label_from_instance = lambda organisation: organisation.name
        self.fields["groups"].queryset = CitizenGroup.objects.for_programme(meeting.programme).order_by("name")
        self.fields["groups"].label_from_instance = lambda group: group.name

    def guest_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["guests"].splitlines() if line.strip()]


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ("title", "details", "action_line", "indicator_code", "responsible_organisation", "due_on")
        widgets = {"details": forms.Textarea(attrs={"rows": 3}), "due_on": DATE_INPUT}

    def __init__(self, *args: Any, programme: Programme, indicator_codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_line"] = NamedChoiceField(
            programme.action_lines.order_by("position", "name"), label=_("Action line"), required=False
        )
        self.fields["responsible_organisation"] = NamedChoiceField(
            partner_organisations(programme), label=_("In charge"), required=False
        )
        self.fields["indicator_code"].widget.attrs["list"] = "indicator-codes"
        self.indicator_codes = indicator_codes

    def decision_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class FollowUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Decision.Status.choices)
    due_on = forms.DateField(label=_("Due by"), widget=DATE_INPUT, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
