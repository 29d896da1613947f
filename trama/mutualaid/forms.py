"""Forms of volunteering: the public "I want to help" form, the coordinator's forms, the
volunteer's own profile and hours. They validate and normalise; the services save."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trama.mutualaid.models import Category, Interest, Language, Weekday
from trama.mutualaid.services.volunteers import Applicant, Profile, Slot, check_slots
from trama.network.models import CommunityPlace, Organisation
from trama.people.models import Person
from trama.territory.models import Municipality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SLOT_ROWS = 4


class MunicipalityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return obj.name


class MunicipalitiesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Municipality) -> str:
        return obj.name


def _minutes(value: time, *, end: bool = False) -> int:
    """Minutes after midnight; an end at 00:00 is midnight at the end of the day (24:00)."""
    minutes = value.hour * 60 + value.minute
    return 24 * 60 if end and minutes == 0 else minutes


# --- Weekly availability ----------------------------------------------------------------------


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=[("", "—"), *Weekday.choices], coerce=int, required=False, empty_value=None
    )
    start = forms.TimeField(label=_("From"), widget=TIME_INPUT, required=False)
    end = forms.TimeField(label=_("Until"), widget=TIME_INPUT, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weekday, start, end = data.get("weekday"), data.get("start"), data.get("end")
        filled = [value is not None for value in (weekday, start, end)]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the day, the start and the end of the range."), code="incomplete")
        if all(filled) and _minutes(end, end=True) <= _minutes(start):
            self.add_error("end", forms.ValidationError(_("The end must come after the start."), code="order"))
        return data

    def slot(self) -> Slot | None:
        data = self.cleaned_data
        if data.get("weekday") is None:
            return None
        return Slot(
            weekday=data["weekday"], start_minute=_minutes(data["start"]), end_minute=_minutes(data["end"], end=True)
        )


class BaseSlotFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        try:
            check_slots(self.slots())
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["availability"], code="overlap") from None

    def slots(self) -> list[Slot]:
        return [slot for form in self.forms if (slot := form.slot()) is not None]


def slot_formset(data: Any = None, *, slots: list[Any] | None = None) -> BaseSlotFormSet:
    """The availability rows: the current ones, then empty ones to fill in (no script needed)."""
    initial = [
        {"weekday": s.weekday, "start": time(s.start_minute // 60, s.start_minute % 60),
         "end": time(s.end_minute // 60 % 24, s.end_minute % 60)}
        for s in slots or []
    ]  # fmt: skip
    formset_class = forms.formset_factory(
        SlotForm, formset=BaseSlotFormSet, extra=SLOT_ROWS if not initial else 2, max_num=21, validate_max=True
    )
    return formset_class(data, initial=initial, prefix="slot")


# --- The volunteer's profile ---------------------------------------------------------------------


class ProfileFields(forms.Form):
    skills = forms.MultipleChoiceField(
        label=_("I can help with"), choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    skills_note = forms.CharField(
        label=_("Other skills"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. a trade, a sport you can teach, a musical instrument."),
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    interests = forms.MultipleChoiceField(
        label=_("Areas I am interested in"), choices=Interest.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipalities"] = MunicipalitiesField(
            queryset=municipalities, required=False, label=_("Municipalities where I can help")
        )

    def profile(self) -> Profile:
        data = self.cleaned_data
        return Profile(
            skills=tuple(data["skills"]), skills_note=data["skills_note"], languages=tuple(data["languages"]),
            interests=tuple(data["interests"]), municipalities=tuple(data["municipalities"]),
        )  # fmt: skip


class ProfileForm(ProfileFields):
    """The volunteer's own page "what I offer"."""


class ApplicantFields(ProfileFields):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT)
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)

    field_order = (
        "first_name", "last_name", "birth_date", "email", "phone", "municipality", "skills", "skills_note",
        "languages", "interests", "municipalities",
    )  # fmt: skip

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, municipalities=municipalities, **kwargs)
        self.fields["municipality"] = MunicipalityField(
            queryset=municipalities, required=False, label=_("Municipality where I live"),
            empty_label=_("Another municipality"),
        )  # fmt: skip
        self.order_fields(self.field_order)

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            first_name=data["first_name"], last_name=data["last_name"], birth_date=data.get("birth_date"),
            email=data.get("email", ""), phone=data.get("phone", ""), municipality=data.get("municipality"),
        )  # fmt: skip


class VolunteerApplicationForm(ApplicantFields):
    """The public "I want to help" form."""

    HONEYPOT = "website"

    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and I agree that the programme's team uses these details to organise "
            "my volunteering and to contact me."
        ),
        error_messages={"required": _("To send the form, tick the box to accept the privacy notice.")},
    )
    # Hidden from people (CSS class, aria-hidden, out of the tab order); bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )  # fmt: skip

    @property
    def visible_fields_without_honeypot(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name != self.HONEYPOT]


class VolunteerStaffForm(ApplicantFields):
    """A coordinator records someone who offered their time in person."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].help_text = _("Needed for the volunteer's own account.")
        self.fields["birth_date"].required = False
        for name in ("skills", "languages", "interests", "municipalities"):
            self.fields[name].label = {
                "skills": _("Can help with"), "languages": _("Languages spoken"), "interests": _("Areas of interest"),
                "municipalities": _("Municipalities where they can help"),
            }[name]  # fmt: skip
        self.fields["municipality"].label = _("Municipality of residence")


# --- Decisions ------------------------------------------------------------------------------------


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class PersonChoiceField(forms.ModelChoiceField):
    widget = forms.RadioSelect

    def label_from_instance(self, obj: Person) -> str:
        born = obj.birth_date.strftime("%d/%m/%Y") if obj.birth_date else "—"
        return f"{obj} ({born}{', ' + obj.email if obj.email else ''})"


class TrainingFields(forms.Form):
    training_on = forms.DateField(label=_("Basic training completed on"), widget=DATE_INPUT, required=False)
    training_note = forms.CharField(label=_("Training"), max_length=300, required=False)
    insurance_policy = forms.CharField(label=_("Insurance policy"), max_length=120, required=False)
    insurance_until = forms.DateField(label=_("Insured until"), widget=DATE_INPUT, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def training(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("training_on", "training_note", "insurance_policy",
                                                             "insurance_until")}  # fmt: skip


class TrainingForm(TrainingFields):
    pass


class ApproveForm(TrainingFields):
    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        places: QuerySet[CommunityPlace],
        duplicates: list[Person],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = OrganisationField(
            queryset=organisations, required=False, label=_("Organisation"),
            help_text=_("Leave empty when the volunteer joins a place: its managing organisation is used."),
        )  # fmt: skip
        self.fields["place"] = forms.ModelChoiceField(queryset=places, required=False, label=_("Place"))
        if duplicates:
            self.fields["same_person"] = PersonChoiceField(
                queryset=Person.objects.filter(pk__in=[p.pk for p in duplicates]).order_by("pk"), required=False,
                label=_("The programme may already know this person"),
                help_text=_("Choose the record if it is the same person: the volunteer is then linked to it."),
                empty_label=_("It is someone else"),
            )  # fmt: skip
        self.order_fields(["same_person", "organisation", "place"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


# --- Hours and shifts -----------------------------------------------------------------------------


class HourLogForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    # Bounds are the service's: it gives the same message to the form and to any other caller.
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=2, localize=True,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    description = forms.CharField(label=_("What you did"), max_length=300)


class ShiftsForm(forms.Form):
    task = forms.CharField(label=_("Task"), max_length=120, help_text=_("E.g. “Homework help”, “Reception”."))
    slots = forms.IntegerField(label=_("Volunteers needed at each date"), min_value=1, max_value=50, initial=2)
    start = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end = forms.DateField(label=_("Until"), widget=DATE_INPUT)

    def __init__(self, *args: Any, activities: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"] = forms.ModelChoiceField(queryset=activities, label=_("Activity"))
        self.order_fields(["activity", "task", "slots", "start", "end"])


class MatchDoneForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours given"), max_digits=5, decimal_places=2, localize=True,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    occurred_on = forms.DateField(label=_("Day"), widget=DATE_INPUT)
