"""Forms for running activities: the activity and its schedule, extra / moved / cancelled dates,
registrations, closures. They validate and normalise; the services save (and validate again)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.activities.models import Activity
from trama.network.forms import MunicipalityChoiceField
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Person
from trama.territory.models import ActionLine, Municipality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [
    ("MO", _("Monday")), ("TU", _("Tuesday")), ("WE", _("Wednesday")), ("TH", _("Thursday")), ("FR", _("Friday")),
    ("SA", _("Saturday")), ("SU", _("Sunday")),
]  # fmt: skip
REPEAT_CHOICES = [
    ("", _("Does not repeat (a single date)")),
    ("WEEKLY", _("Every week, on the days ticked")),
    ("BIWEEKLY", _("Every other week, on the days ticked")),
    ("MONTHLY", _("Every month, on the same day")),
    ("CUSTOM", _("Custom rule (RFC 5545)")),
]


def _aware(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


def build_rule(repeat: str, weekdays: list[str], until: date | None, custom: str) -> str:
    """The RFC 5545 rule the simple choices describe (UNTIL inclusive, end of that day in UTC)."""
    if repeat == "CUSTOM":
        return custom.strip().removeprefix("RRULE:")
    if not repeat:
        return ""
    parts = {"WEEKLY": ["FREQ=WEEKLY"], "BIWEEKLY": ["FREQ=WEEKLY", "INTERVAL=2"], "MONTHLY": ["FREQ=MONTHLY"]}[repeat]
    if repeat != "MONTHLY" and weekdays:
        parts.append("BYDAY=" + ",".join(day for day, _label in WEEKDAYS if day in weekdays))
    if until:
        end = timezone.make_aware(datetime.combine(until, time(23, 59, 59)), timezone.get_current_timezone())
        parts.append("UNTIL=" + end.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(parts)


def read_rule(rule: str) -> dict[str, Any]:
    """The simple choices for a rule this form wrote; anything else is shown as a custom rule."""
    if not rule:
        return {"repeat": ""}
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    known = {"FREQ", "INTERVAL", "BYDAY", "UNTIL"}
    if set(parts) - known or parts.get("FREQ") not in ("WEEKLY", "MONTHLY"):
        return {"repeat": "CUSTOM", "custom_rule": rule}
    repeat = parts["FREQ"]
    if parts.get("INTERVAL") == "2" and repeat == "WEEKLY":
        repeat = "BIWEEKLY"
    elif parts.get("INTERVAL", "1") != "1":
        return {"repeat": "CUSTOM", "custom_rule": rule}
    initial: dict[str, Any] = {
        "repeat": repeat,
        "weekdays": parts.get("BYDAY", "").split(",") if "BYDAY" in parts else [],
    }
    if "UNTIL" in parts:
        try:
            until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return {"repeat": "CUSTOM", "custom_rule": rule}
        initial["until"] = timezone.localtime(until).date()
    return initial


class OrganisationsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ActivityForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    first_day = forms.DateField(label=_("First date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, required=False)
    weekdays = forms.MultipleChoiceField(
        label=_("On these days"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    until = forms.DateField(label=_("Until"), widget=DATE_INPUT, required=False, help_text=_("The last possible date."))
    custom_rule = forms.CharField(
        label=_("Custom rule"), required=False, max_length=300,
        help_text=_("Only for “Custom rule”: e.g. FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270610T000000Z."),
    )  # fmt: skip

    class Meta:
        model = Activity
        fields = (
            "title", "kind", "action_line", "audience", "description", "place", "venue", "municipality", "organisers",
            "co_organising_groups", "is_public", "registration_required", "capacity", "duration_minutes",
            "skip_closures", "status",
        )  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(
        self,
        *args: Any,
        action_lines: QuerySet[ActionLine],
        places: QuerySet[CommunityPlace],
        municipalities: QuerySet[Municipality],
        organisations: QuerySet[Organisation],
        groups: QuerySet[CitizenGroup],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_line"].queryset = action_lines
        self.fields["action_line"].to_field_name = "public_id"
        self.fields["place"].queryset = places
        self.fields["place"].to_field_name = "public_id"
        self.fields["municipality"] = MunicipalityChoiceField(
            queryset=municipalities, label=_("Municipality"), to_field_name="istat_code", required=False,
            help_text=_("Only when the activity is not at one of the network's places."),
        )  # fmt: skip
        self.fields["organisers"] = OrganisationsField(
            queryset=organisations, to_field_name="public_id", required=False, label=_("Organising organisations")
        )
        self.fields["co_organising_groups"] = OrganisationsField(
            queryset=groups, to_field_name="public_id", required=False, label=_("Co-organising citizen groups")
        )
        self.fields["duration_minutes"].widget.attrs.update({"min": 5, "max": 1440})
        self.order_fields([
            "title", "kind", "action_line", "audience", "description", "place", "venue", "municipality", "organisers",
            "co_organising_groups", "first_day", "start_time", "duration_minutes", "repeat", "weekdays", "until",
            "custom_rule", "skip_closures", "is_public", "registration_required", "capacity", "status",
        ])  # fmt: skip
        if self.instance.pk:
            if not self.is_bound:
                start = timezone.localtime(self.instance.first_start)
                self.initial.update(
                    {"version": self.instance.version, "first_day": start.date(), "start_time": start.time()}
                )
                self.initial.update(read_rule(self.instance.recurrence))
        else:
            del self.fields["status"]

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if not 5 <= minutes <= 1440:
            raise forms.ValidationError(_("The duration must be between 5 minutes and 24 hours."))
        return minutes

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        repeat = data.get("repeat", "")
        if repeat in ("WEEKLY", "BIWEEKLY") and not data.get("weekdays"):
            self.add_error("weekdays", _("Tick at least one day of the week."))
        if repeat == "CUSTOM" and not data.get("custom_rule", "").strip():
            self.add_error("custom_rule", _("Write the rule, or choose one of the simple repetitions."))
        until, first = data.get("until"), data.get("first_day")
        if repeat and repeat != "CUSTOM" and until and first and until < first:
            self.add_error("until", _("The last date cannot come before the first."))
        if not data.get("place") and not data.get("municipality"):
            self.add_error("municipality", _("Choose the municipality, or a place of the network."))
        return data

    def activity_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in self.Meta.fields
            if name in data and name not in ("organisers", "co_organising_groups", "municipality")
        }
        fields["first_start"] = _aware(data["first_day"], data["start_time"])
        fields["recurrence"] = build_rule(
            data.get("repeat", ""), data.get("weekdays", []), data.get("until"), data.get("custom_rule", "")
        )
        fields["municipality"] = data["place"].municipality if data.get("place") else data.get("municipality")
        return fields


class OccurrenceForm(forms.Form):
    """An extra date, or new times for a moved one."""

    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("End time"), widget=TIME_INPUT)
    note = forms.CharField(label=_("Note"), required=False, max_length=200, help_text=_("E.g. why it was moved."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("An occurrence must end after it starts."))
        return data

    def times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return _aware(data["day"], data["start_time"]), _aware(data["day"], data["end_time"])


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"), required=False, max_length=200, help_text=_("Shown on the calendar, e.g. “Sciopero”.")
    )


class GuardianFields(forms.Form):
    """For a minor: the parent or guardian who consents."""

    guardian_name = forms.CharField(label=_("Parent or guardian (for a minor)"), required=False, max_length=150)
    guardian_phone = forms.CharField(label=_("Their telephone"), required=False, max_length=40)
    guardian_consents = forms.BooleanField(
        label=_("The parent or guardian consents to the registration and to being contacted about the activity"),
        required=False,
    )


class HouseholdRegistrationForm(GuardianFields):
    """Register a member of a household the user follows (operators) or any person (coordinators)."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none(), to_field_name="public_id")

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.last_name} {p.first_name}" + (f" ({p.birth_date:%d/%m/%Y})" if p.birth_date else "")
        )
        self.order_fields(["person", "guardian_name", "guardian_phone", "guardian_consents"])


class ContactRegistrationForm(GuardianFields):
    """Register someone from the lab's contacts, found again by name and date of birth."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT)
    gender = forms.ChoiceField(label=_("Gender"), choices=Person.Gender.choices, required=False)
    phone = forms.CharField(label=_("Telephone"), required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(
            [
                "first_name",
                "last_name",
                "birth_date",
                "gender",
                "phone",
                "guardian_name",
                "guardian_phone",
                "guardian_consents",
            ]
        )

    def clean_birth_date(self) -> date:
        born = self.cleaned_data["birth_date"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born


class ClosureForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("E.g. “Vacanze di Natale”."))
    start_date = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Until"), widget=DATE_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The closure cannot end before it starts."))
        return data
