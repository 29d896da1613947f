"""Forms of the housing plan. Each lists its fields (S4) and only validates and normalises; the
services save and validate again. Amounts are typed the Italian way ("450,00")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Membership
from trama.casework.models import Case
from trama.funding.models import FundingSource
from trama.housing.models import MAX_GUARANTEE_MONTHS, Building, Dwelling, Guarantee, LogEntry
from trama.housing.services import check_amount, check_rent
from trama.network.models import Organisation
from trama.people.models import Household
from trama.people.uploads import clean_signed_form
from trama.territory.models import Municipality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _euro(label: Any, **kwargs: Any) -> forms.DecimalField:
    # No bounds here: the service's own check gives the clear message (negative, implausible).
    return forms.DecimalField(label=label, decimal_places=2, localize=True, **kwargs)


def _service_check(check: Any, value: Any, field: str) -> Any:
    try:
        return check(value, field)
    except ValidationError as error:
        raise ValidationError(error.message_dict[field]) from None


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return obj.name


class DwellingForm(forms.Form):
    offered_by = forms.ChoiceField(label=_("Offered by"), choices=Dwelling.OfferedBy.choices, widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        label=_("Owner or estate agency"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("When an organisation offers it: choose it among the programme's network."),
    )
    owner_name = forms.CharField(label=_("Private owner"), max_length=150, required=False)
    owner_phone = forms.CharField(label=_("Owner's telephone"), max_length=40, required=False)
    owner_email = forms.EmailField(label=_("Owner's e-mail"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200)
    municipality = MunicipalityChoiceField(label=_("Municipality"), queryset=Municipality.objects.none())
    rooms = forms.IntegerField(label=_("Rooms"), min_value=1, max_value=30)
    area_m2 = forms.IntegerField(label=_("Floor area (m²)"), min_value=1, max_value=2000)
    monthly_rent = _euro(_("Monthly rent (€)"))
    capped_rent = forms.BooleanField(
        label=_("Capped rent (canone concordato)"),
        required=False,
        help_text=_("The rent follows the local agreement between owners' and tenants' associations."),
    )
    step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    available_from = forms.DateField(label=_("Available from"), widget=DATE_INPUT)

    def __init__(self, *args: Any, municipalities: QuerySet, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["organisation"].queryset = organisations

    def clean_monthly_rent(self) -> Any:
        return _service_check(check_rent, self.cleaned_data["monthly_rent"], "monthly_rent")


class SearchForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Household (case)"), queryset=Case.objects.none())
    rooms_needed = forms.IntegerField(label=_("Rooms needed"), min_value=1, max_value=30)
    max_rent = _euro(_("Highest monthly rent affordable (€)"))
    needs_step_free = forms.BooleanField(label=_("Needs step-free access"), required=False)
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Preferred municipalities"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: any municipality of the programme."),
    )
    needed_from = forms.DateField(label=_("Needed from"), widget=DATE_INPUT)

    def __init__(self, *args: Any, cases: QuerySet, municipalities: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda case: case.household.label
        self.fields["municipalities"].queryset = municipalities
        self.fields["municipalities"].label_from_instance = lambda municipality: municipality.name

    def clean_max_rent(self) -> Any:
        return _service_check(check_rent, self.cleaned_data["max_rent"], "max_rent")


class TenancyForm(forms.Form):
    starts_on = forms.DateField(label=_("Lease starts on"), widget=DATE_INPUT)
    monthly_rent = _euro(_("Agreed monthly rent (€)"))

    def clean_monthly_rent(self) -> Any:
        return _service_check(check_rent, self.cleaned_data["monthly_rent"], "monthly_rent")


class GuaranteeForm(forms.Form):
    amount = _euro(_("Amount guaranteed (€)"))
    months = forms.IntegerField(label=_("Duration (months)"), min_value=1, max_value=MAX_GUARANTEE_MONTHS)
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)

    def clean_amount(self) -> Any:
        return _service_check(check_amount, self.cleaned_data["amount"], "amount")


class DrawForm(forms.Form):
    guarantee = forms.ModelChoiceField(label=_("Guarantee"), queryset=Guarantee.objects.none())
    amount = _euro(_("Amount (€)"))
    drawn_on = forms.DateField(label=_("Paid on"), widget=DATE_INPUT, initial=timezone.localdate)
    reason = forms.CharField(label=_("What it covers"), max_length=200, help_text=_("E.g. “Rent of March unpaid”."))

    def __init__(self, *args: Any, guarantees: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guarantee"].queryset = guarantees
        self.fields["guarantee"].label_from_instance = lambda g: (
            f"{g.starts_on:%d/%m/%Y}–{g.ends_on:%d/%m/%Y} · {g.amount}"
        )

    def clean_amount(self) -> Any:
        return _service_check(check_amount, self.cleaned_data["amount"], "amount")


class DepositForm(forms.Form):
    amount = _euro(_("Amount (€)"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT, initial=timezone.localdate)
    source = forms.ModelChoiceField(label=_("Funding source"), queryset=FundingSource.objects.none(), required=False)
    source_note = forms.CharField(
        label=_("Where the money comes from"),
        max_length=200,
        required=False,
        help_text=_("When it is not a source of the budget, e.g. “Donation of the Rotary club”."),
    )

    def __init__(self, *args: Any, sources: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources

    def clean_amount(self) -> Any:
        return _service_check(check_amount, self.cleaned_data["amount"], "amount")


class CoHousingForm(forms.Form):
    title = forms.CharField(label=_("Name"), max_length=150)
    dwelling = forms.ModelChoiceField(label=_("Dwelling"), queryset=Dwelling.objects.none())
    households = forms.ModelMultipleChoiceField(
        label=_("Households"), queryset=Household.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT, required=False)
    terms = forms.CharField(label=_("Terms of the agreement"), widget=forms.Textarea(attrs={"rows": 5}))
    agreement = forms.FileField(
        label=_("Signed agreement"), required=False, help_text=_("PDF, JPEG or PNG, at most 5 MB.")
    )

    def __init__(self, *args: Any, dwellings: QuerySet, households: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dwelling"].queryset = dwellings
        self.fields["households"].queryset = households

    def clean_agreement(self) -> Any:
        upload = self.cleaned_data.get("agreement")
        return clean_signed_form(upload) if upload else None


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Building.Kind.choices)
    address = forms.CharField(label=_("Address"), max_length=200)
    municipality = MunicipalityChoiceField(label=_("Municipality"), queryset=Municipality.objects.none())
    units = forms.IntegerField(label=_("Homes"), min_value=1, max_value=5000, required=False)

    def __init__(self, *args: Any, municipalities: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class CaretakerForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Operator"), queryset=Membership.objects.none())

    def __init__(self, *args: Any, members: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: f"{m.user.full_name} — {m.organisation.name}"


class LogEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LogEntry.Kind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    follow_up_of = forms.ModelChoiceField(
        label=_("Follows up"),
        queryset=LogEntry.objects.none(),
        required=False,
        help_text=_("For a follow-up: the issue or visit it continues."),
    )
    referred_to = forms.ModelChoiceField(
        label=_("Referred to"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("For a referral: the service the residents were sent to."),
    )

    def __init__(self, *args: Any, entries: QuerySet, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_of"].queryset = entries
        self.fields["follow_up_of"].label_from_instance = lambda e: f"{e.occurred_on:%d/%m/%Y} · {e.get_kind_display()}"
        self.fields["referred_to"].queryset = organisations
