"""Forms of the public calendar: its filters (GET) and the sign-up form. They list their fields
(S4) and only validate; `services.public_signup` saves and checks again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.activities.calendar import CalendarFilters
from trama.activities.models import ADULT_AGE, Activity
from trama.activities.services import Guardian
from trama.casework.forms import DATE_INPUT, PHONE
from trama.people.models import age_on

OLDEST = 120


class CalendarFilterForm(forms.Form):
    """The calendar's filters: a GET form, so a filtered calendar can be shared. A value that is
    not one of the choices is dropped; the others still apply."""

    place = forms.ChoiceField(label=_("Place"), required=False)
    audience = forms.ChoiceField(label=_("For whom"), required=False)
    kind = forms.ChoiceField(label=_("Kind of activity"), required=False)

    def __init__(self, data: Any, *, places: list[tuple[str, str]]) -> None:
        super().__init__(data)
        everything = [("", _("all"))]
        self.fields["place"].choices = everything + places
        self.fields["audience"].choices = everything + list(Activity.Audience.choices)
        self.fields["kind"].choices = everything + list(Activity.Kind.choices)

    def filters(self) -> CalendarFilters:
        """What to show; call after `is_valid()` (invalid fields are then simply absent)."""
        cleaned = getattr(self, "cleaned_data", {})
        return CalendarFilters(
            place=cleaned.get("place") or "", audience=cleaned.get("audience") or "", kind=cleaned.get("kind") or ""
        )

    def is_filtered(self) -> bool:
        return self.filters() != CalendarFilters()


def _phone(value: str) -> str:
    value = value.strip()
    if value and not PHONE.match(value):
        raise forms.ValidationError(_("Write the telephone number with digits only (spaces and + are fine)."))
    return value


class SignupForm(forms.Form):
    """Sign up for an activity from the public calendar.

    For a participant under 18, a parent or guardian gives their name, a way to reach them and
    the consent; an adult gives their own telephone or e-mail and consents for themselves.
    """

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT)
    guardian_name = forms.CharField(label=_("Name of the parent or guardian"), max_length=150, required=False)
    guardian_phone = forms.CharField(label=_("Telephone of the parent or guardian"), max_length=40, required=False)
    guardian_email = forms.EmailField(label=_("E-mail of the parent or guardian"), required=False)
    phone = forms.CharField(label=_("Your telephone number"), max_length=40, required=False)
    email = forms.EmailField(label=_("Your e-mail address"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and I agree to the registration and to being contacted by the "
            "organisers about this activity. If the participant is under 18, I am their parent or guardian and "
            "I give this consent on their behalf."
        ),
        error_messages={"required": _("To sign up, tick the box to give your consent.")},
    )

    MINOR_FIELDS = ("guardian_name", "guardian_phone", "guardian_email")
    ADULT_FIELDS = ("phone", "email")

    def clean_birth_date(self) -> date:
        born = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if age_on(born, today) > OLDEST:
            raise forms.ValidationError(_("Check the date of birth: the year seems wrong."))
        return born

    def clean_guardian_phone(self) -> str:
        return _phone(self.cleaned_data["guardian_phone"])

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_minor():
            if not data.get("guardian_name", "").strip():
                self.add_error("guardian_name", _("The participant is a minor: give the name of a parent or guardian."))
            if self._no_contact("guardian_phone", "guardian_email"):
                message = _("Give a telephone number or an e-mail address of the parent or guardian.")
                self.add_error("guardian_phone", message)
        elif "birth_date" in data and self._no_contact("phone", "email"):
            self.add_error("phone", _("Give a telephone number or an e-mail address, so that we can contact you."))
        return data

    def _no_contact(self, phone: str, email: str) -> bool:
        """Neither field given (a badly written one already has its own error)."""
        data = self.cleaned_data
        return not data.get(phone) and not data.get(email) and phone not in self.errors and email not in self.errors

    def is_minor(self) -> bool:
        born = getattr(self, "cleaned_data", {}).get("birth_date")
        return born is not None and age_on(born, timezone.localdate()) < ADULT_AGE

    def signup(self) -> dict[str, Any]:
        """The keyword arguments of `services.public_signup` (after `is_valid()`)."""
        data = self.cleaned_data
        person = {"first_name": data["first_name"], "last_name": data["last_name"], "birth_date": data["birth_date"]}
        if self.is_minor():
            guardian = Guardian(
                name=data["guardian_name"], phone=data["guardian_phone"], email=data["guardian_email"],
                consents=data["consent"],
            )  # fmt: skip
            return person | {"guardian": guardian}
        return person | {"guardian": None, "phone": data["phone"], "email": data["email"]}
