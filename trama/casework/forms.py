"""Forms of intake and of the case itself. Each lists its fields (S4) and only validates: the
services save. Other areas of casework keep their own forms modules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Membership
from trama.casework.models import Case, Channel
from trama.casework.services.cases import PHASE_ORDER
from trama.casework.services.intake import SIGNAL_CHANNELS, Contact
from trama.network.models import Organisation
from trama.territory.models import ActionLine, Municipality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE = re.compile(r"^[0-9+()./\s-]{6,40}$")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return obj.name


class OperatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name or obj.user.email} — {obj.organisation.name}"


def _municipalities(queryset: QuerySet[Municipality], **kwargs: Any) -> MunicipalityChoiceField:
    return MunicipalityChoiceField(queryset=queryset, to_field_name="istat_code", **kwargs)


class ContactFields(forms.Form):
    """The family's contact and situation: shared by the public form and internal signals."""

    name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    has_minors = forms.TypedChoiceField(
        label=_("Are there children or young people under 18 in the family?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("What is happening"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = _municipalities(
            municipalities.order_by("name"), label=_("Municipality where the family lives"), required=False
        )
        self.order_fields(["name", "phone", "email", "municipality", "has_minors", "message"])

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Write the telephone number with digits only (spaces and + are fine)."))
        return phone

    def contact(self) -> Contact:
        data = self.cleaned_data
        return Contact(
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            municipality=data.get("municipality"),
            has_minors=data["has_minors"],
            message=data["message"],
        )


class HelpRequestForm(ContactFields):
    """The public "I need help" form, in plain language."""

    HONEYPOT = "website"

    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and I agree that the programme's team uses these details to contact me."
        ),
        error_messages={"required": _("To send the request, tick the box to accept the privacy notice.")},
    )
    # Hidden from people (CSS class, aria-hidden, out of the tab order); bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Your name")
        self.fields["name"].help_text = _("Your first name is enough.")
        self.fields["phone"].label = _("Your telephone number")
        self.fields["email"].label = _("Your e-mail address")
        self.fields["municipality"].required = True
        self.fields["municipality"].empty_label = _("Choose your municipality")
        self.fields["message"].help_text = _(
            "Optional. Write only what you want us to know: you can tell us more when we call you."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors:
            raise forms.ValidationError(
                _("Give a telephone number or an e-mail address, so that we can contact you."), code="no_contact"
            )
        return data

    @property
    def visible_fields_without_honeypot(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name != self.HONEYPOT]


class SignalForm(ContactFields):
    """A signal from someone who works in the programme (school, social services, a lab…)."""

    channel = forms.ChoiceField(
        label=_("Who signals the family"),
        choices=[(value, label) for value, label in Channel.choices if value in SIGNAL_CHANNELS],
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the family's contact person")
        self.fields["has_minors"].label = _("There are children or young people under 18 in the family")
        self.fields["message"].label = _("What is happening (confidential)")
        if len(organisations) > 1:
            self.fields["organisation"] = forms.TypedChoiceField(
                label=_("On behalf of"),
                choices=[(str(o.public_id), o.name) for o in organisations],
                coerce=lambda value: next(o for o in organisations if str(o.public_id) == value),
            )
        self.order_fields(["channel", "organisation", "name", "phone", "email", "municipality", "has_minors"])


class TriageForm(forms.Form):
    """Open a case from a request: the household (existing or new), who takes it in charge."""

    household = forms.UUIDField(required=False, widget=forms.RadioSelect, label=_("Household"))
    household_label = forms.CharField(
        label=_("Name of the new household"), max_length=120, required=False, help_text=_("E.g. “Famiglia Rossi”.")
    )
    first_name = forms.CharField(label=_("First name of the contact person"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name of the contact person"), max_length=100, required=False)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE_INPUT)

    def __init__(
        self,
        *args: Any,
        households: QuerySet,
        matches: list[Any],
        municipalities: QuerySet[Municipality],
        organisations: QuerySet[Organisation],
        operators: QuerySet[Membership],
        action_lines: QuerySet[ActionLine],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.households = households
        self.fields["household"].widget.choices = [("", _("A new household"))] + [
            (str(h.public_id), f"{h.label} — {h.municipality.name}") for h in matches
        ]
        self.fields["municipality"] = _municipalities(
            municipalities.order_by("name"), label=_("Municipality of the new household"), required=False
        )
        self.fields["organisation"] = forms.ModelChoiceField(
            queryset=organisations, to_field_name="public_id", label=_("Organisation in charge")
        )
        self.fields["lead"] = OperatorChoiceField(
            queryset=operators, to_field_name="public_id", label=_("Case lead (an operator of that organisation)")
        )
        self.fields["action_line"] = forms.ModelChoiceField(
            queryset=action_lines, to_field_name="public_id", label=_("Action line"), required=False
        )
        self.order_fields([
            "household", "household_label", "municipality", "first_name", "last_name", "organisation", "lead",
            "action_line", "opened_on",
        ])  # fmt: skip

    def clean_household(self) -> Any:
        public_id = self.cleaned_data["household"]
        if public_id is None:
            return None
        household = self.households.filter(public_id=public_id).first()
        if household is None:
            raise forms.ValidationError(_("Choose one of the households listed."))
        return household

    def clean_opened_on(self) -> Any:
        opened_on = self.cleaned_data["opened_on"]
        if opened_on > timezone.localdate():
            raise forms.ValidationError(_("The opening date cannot be in the future."))
        return opened_on

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("household") and "household" not in self.errors:
            for name in ("household_label", "municipality", "first_name", "last_name"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a new household."))
        lead, organisation = data.get("lead"), data.get("organisation")
        if lead and organisation and lead.organisation_id != organisation.pk:
            self.add_error("lead", _("Choose an operator of the organisation in charge."))
        return data


class IntakeCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the request closed without a case?"),
        max_length=300,
        help_text=_("E.g. “another service already follows the family”, “no contact after three attempts”."),
    )


class VersionedForm(forms.Form):
    """A form that edits a case carries the version it was rendered with (S21)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CaseEditForm(VersionedForm):
    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], action_lines: QuerySet[ActionLine], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = forms.ModelChoiceField(
            queryset=organisations, to_field_name="public_id", label=_("Organisation in charge")
        )
        self.fields["action_line"] = forms.ModelChoiceField(
            queryset=action_lines, to_field_name="public_id", label=_("Action line"), required=False
        )


class PhaseForm(VersionedForm):
    to_phase = forms.ChoiceField(label=_("New phase"), choices=Case.Phase.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Required when the case goes back to an earlier phase. Do not write confidential details here."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["to_phase"].choices = [(v, label) for v, label in Case.Phase.choices if v != case.phase]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        to_phase = data.get("to_phase")
        backwards = to_phase and PHASE_ORDER.index(to_phase) < PHASE_ORDER.index(self.case.phase)
        if backwards and not data.get("note", "").strip():
            self.add_error("note", _("Say why the case goes back to an earlier phase."))
        return data


class TeamAddForm(forms.Form):
    is_lead = forms.BooleanField(label=_("Make this operator the case lead"), required=False)

    def __init__(self, *args: Any, operators: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = OperatorChoiceField(queryset=operators, to_field_name="public_id", label=_("Operator"))
        self.order_fields(["member", "is_lead"])


class CaseCloseForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Case.Outcome.choices)
    closing_note = forms.CharField(
        label=_("Closing evaluation (confidential)"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Visible only to the case team."),
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE_INPUT)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_closed_on(self) -> Any:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on > timezone.localdate() or closed_on < self.case.opened_on:
            raise forms.ValidationError(_("The closing date must be between the opening date and today."))
        return closed_on


class CaseReopenForm(VersionedForm):
    to_phase = forms.ChoiceField(label=_("Phase the case returns to"), choices=Case.Phase.choices)
    reason = forms.CharField(label=_("Why is the case reopened?"), max_length=300)
