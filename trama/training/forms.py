"""Forms of the Well-Fare Lab. They list their fields (S4), validate and normalise; the services
save (and validate again)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Membership, User
from trama.network.forms import MunicipalityChoiceField
from trama.network.models import CommunityPlace, Organisation
from trama.territory.models import Programme
from trama.training.models import Course, Module, Participant, Trainer
from trama.training.services import MAX_SESSIONS, PEER_ROLES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def aware(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


class NamedChoiceField(forms.ModelChoiceField):
    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        super().__init__(queryset=queryset, to_field_name="public_id", **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


def programme_users(programme: Programme, roles: tuple[str, ...] | None = None) -> QuerySet[User]:
    memberships = Membership.objects.active().filter(programme=programme)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return User.objects.filter(pk__in=memberships.values("user"), is_active=True).order_by("full_name", "email")


def partner_organisations(programme: Programme) -> QuerySet[Organisation]:
    return Organisation.objects.filter(partnerships__programme=programme).distinct().order_by("name")


class CourseForm(forms.ModelForm):
    """A new course: what it is, and its first session repeated weekly."""

    first_day = forms.DateField(label=_("First session"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    duration_minutes = forms.IntegerField(label=_("Duration of a session (minutes)"), min_value=15, max_value=600)
    sessions = forms.IntegerField(
        label=_("Number of weekly sessions"), min_value=1, max_value=MAX_SESSIONS, initial=1,
        help_text=_("More dates can be added later, one by one."),
    )  # fmt: skip
    place = NamedChoiceField(CommunityPlace.objects.none(), label=_("Place"), required=False)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False, help_text=_("When not at a place."))

    class Meta:
        model = Course
        fields = ("title", "audience", "description", "action_line", "min_attendance_percent")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_line"] = NamedChoiceField(
            programme.action_lines.order_by("position", "name"), label=_("Action line"), required=False
        )
        self.fields["place"].queryset = CommunityPlace.objects.for_programme(programme).order_by("name")
        self.fields["municipality"] = MunicipalityChoiceField(
            queryset=programme.municipalities.order_by("name"), label=_("Municipality"), to_field_name="istat_code",
            required=False, help_text=_("Only when the course is not at one of the network's places."),
        )  # fmt: skip

    def course_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def where(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("place", "venue", "municipality")}

    def first_start(self) -> datetime:
        return aware(self.cleaned_data["first_day"], self.cleaned_data["start_time"])


class CourseEditForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Course
        fields = ("title", "audience", "description", "action_line", "min_attendance_percent")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_line"] = NamedChoiceField(
            programme.action_lines.order_by("position", "name"), label=_("Action line"), required=False
        )
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def course_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ("title", "planned_hours", "competences", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TrainerForm(forms.Form):
    user = UserChoiceField(
        User.objects.none(), label=_("A peer: someone of the programme"), required=False,
        help_text=_("An operator or a volunteer of a partner who teaches the others."),
    )  # fmt: skip
    name = forms.CharField(label=_("Or an expert from outside"), max_length=150, required=False)
    organisation = NamedChoiceField(
        Organisation.objects.none(), label=_("For the organisation"), required=False,
        help_text=_("For a peer, their own organisation unless you choose another."),
    )  # fmt: skip
    topic = forms.CharField(label=_("Teaches"), max_length=200, required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = programme_users(programme, PEER_ROLES)
        self.fields["organisation"].queryset = partner_organisations(programme)


class TrainerChoiceField(NamedChoiceField):
    def label_from_instance(self, obj: Trainer) -> str:
        return obj.label


class ModuleChoiceField(NamedChoiceField):
    def label_from_instance(self, obj: Module) -> str:
        return str(obj)


class SessionAssignForm(forms.Form):
    module = ModuleChoiceField(Module.objects.none(), label=_("Module"), required=False)
    trainer = TrainerChoiceField(Trainer.objects.none(), label=_("Trainer"), required=False)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = course.modules.order_by("position")
        self.fields["trainer"].queryset = course.trainers.select_related("user", "organisation").order_by("name")


class SessionForm(SessionAssignForm):
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("End time"), widget=TIME_INPUT)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, course=course, **kwargs)
        self.order_fields(["day", "start_time", "end_time", "module", "trainer"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("A session must end after it starts."))
        return data

    def times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return aware(data["day"], data["start_time"]), aware(data["day"], data["end_time"])


class EnrolForm(forms.Form):
    user = UserChoiceField(User.objects.none(), label=_("A person with an account"), required=False)
    first_name = forms.CharField(label=_("Or: first name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = NamedChoiceField(Organisation.objects.none(), label=_("Organisation"), required=False)
    profile = forms.ChoiceField(label=_("Profile"), choices=Participant.Profile.choices)
    job_title = forms.CharField(label=_("Role"), max_length=150, required=False, help_text=_("E.g. “social worker”."))

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = programme_users(programme)
        self.fields["organisation"].queryset = partner_organisations(programme)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("user") is None and not (data.get("last_name") or "").strip():
            self.add_error("last_name", _("Choose a person with an account, or give the name of someone else."))
        return data


class CheckinForm(forms.Form):
    present = forms.MultipleChoiceField(label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, participants: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = {str(p.public_id): p for p in participants}
        self.fields["present"].choices = [(key, str(p)) for key, p in self.participants.items()]

    def present_participants(self) -> list[Participant]:
        return [self.participants[key] for key in self.cleaned_data["present"]]
