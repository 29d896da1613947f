"""Forms of the budget and of fundraising. They list their fields (S4), validate and normalise;
the services save (and validate again). Amounts are decimals with two places, never floats."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from trama.funding.models import Budget, BudgetLine, Campaign, Donation, Donor, FundingSource, NewsPost
from trama.network.models import Organisation
from trama.territory.models import Programme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def money_field(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"}), **kwargs
    )


class NamedChoiceField(forms.ModelChoiceField):
    """A choice of one of the programme's records, by its public id, shown by its `__str__`."""

    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        super().__init__(queryset=queryset, to_field_name="public_id", **kwargs)


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def changed_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class BudgetSettingsForm(VersionedForm):
    class Meta:
        model = Budget
        fields = ("required_cofinancing_percent", "note")
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


def funders_and_partners(programme: Programme) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(Q(partnerships__programme=programme) | Q(kind=Organisation.Kind.FOUNDATION))
        .distinct()
        .order_by("name")
    )


class SourceForm(VersionedForm):
    class Meta:
        model = FundingSource
        fields = ("kind", "name", "organisation", "amount", "position")

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = NamedChoiceField(
            funders_and_partners(programme), label=_("Organisation"), required=False,
            help_text=_("The foundation, or the partner that co-finances."),
        )  # fmt: skip
        self.fields["amount"].widget.attrs["step"] = "0.01"


class LineForm(VersionedForm):
    class Meta:
        model = BudgetLine
        fields = ("source", "action_line", "title", "planned_amount", "position")

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"] = NamedChoiceField(
            FundingSource.objects.for_programme(programme).order_by("position", "name"), label=_("Funded by")
        )
        self.fields["action_line"] = NamedChoiceField(
            programme.action_lines.order_by("position", "name"), label=_("Action line"), required=False,
            empty_label=_("General costs of the programme"),
        )  # fmt: skip
        self.fields["planned_amount"].widget.attrs["step"] = "0.01"


def _lines(programme: Programme) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.for_programme(programme).select_related("source").order_by("source__name", "title")


class LineChoiceField(NamedChoiceField):
    def label_from_instance(self, obj: BudgetLine) -> str:
        return f"{obj.title} ({obj.source.name})"


class ExpenseForm(forms.Form):
    line = LineChoiceField(BudgetLine.objects.none(), label=_("Budget line"))
    amount = money_field(_("Amount in euro"))
    incurred_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    description = forms.CharField(label=_("What for"), max_length=300)
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    reference = forms.CharField(label=_("Invoice or document"), max_length=100, required=False)
    paid = forms.BooleanField(label=_("Already paid"), required=False)
    paid_on = forms.DateField(
        label=_("Date of payment"), widget=DATE_INPUT, required=False, help_text=_("Empty: the expense's date.")
    )
    cover_from = LineChoiceField(
        BudgetLine.objects.none(), label=_("If the line is short, move the missing amount from"), required=False,
        empty_label=_("Do not move money: refuse the expense"),
        help_text=_("Only coordinators; only a line of the same source. The move is recorded with its reason."),
    )  # fmt: skip
    cover_reason = forms.CharField(label=_("Reason for moving the money"), max_length=300, required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = _lines(programme)
        self.fields["cover_from"].queryset = _lines(programme)


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Date of payment"), widget=DATE_INPUT)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReallocationForm(forms.Form):
    from_line = LineChoiceField(BudgetLine.objects.none(), label=_("From line"))
    to_line = LineChoiceField(BudgetLine.objects.none(), label=_("To line"))
    amount = money_field(_("Amount in euro"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_line"].queryset = _lines(programme)
        self.fields["to_line"].queryset = _lines(programme)


class CampaignForm(VersionedForm):
    class Meta:
        model = Campaign
        fields = ("title", "summary", "description", "goal", "starts_on", "ends_on", "channel", "source",
                  "is_public", "how_to_give")  # fmt: skip
        widgets = {
            "starts_on": DATE_INPUT, "ends_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 4}), "how_to_give": forms.Textarea(attrs={"rows": 3}),
        }  # fmt: skip

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"] = NamedChoiceField(
            FundingSource.objects.for_programme(programme).filter(kind=FundingSource.Kind.FUNDRAISING),
            label=_("Credited to"), required=False,
            help_text=_("The budget's fundraising source its donations go to."),
        )  # fmt: skip
        self.fields["goal"].widget.attrs["step"] = "0.01"


class DonorForm(VersionedForm):
    class Meta:
        model = Donor
        fields = ("kind", "first_name", "last_name", "company_name", "tax_code", "email", "phone", "address",
                  "municipality", "contact_consent_on", "contact_consent_withdrawn_on")  # fmt: skip
        widgets = {"contact_consent_on": DATE_INPUT, "contact_consent_withdrawn_on": DATE_INPUT}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = programme.municipalities.order_by("name")
        self.fields["municipality"].required = False


class DonorChoiceField(NamedChoiceField):
    def label_from_instance(self, obj: Donor) -> str:
        return obj.name


class DonationForm(forms.Form):
    donor = DonorChoiceField(
        Donor.objects.none(), label=_("Donor"), required=False, empty_label=_("Anonymous (no receipt)")
    )
    campaign = NamedChoiceField(
        Campaign.objects.none(), label=_("Campaign"), required=False, empty_label=_("General fundraising")
    )
    amount = money_field(_("Amount in euro"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT)
    method = forms.ChoiceField(label=_("Method"), choices=Donation.Method.choices)
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Donor.objects.for_programme(programme).order_by(
            "last_name", "first_name", "company_name"
        )
        self.fields["campaign"].queryset = Campaign.objects.for_programme(programme).order_by("-starts_on", "title")


class NewsForm(VersionedForm):
    class Meta:
        model = NewsPost
        fields = ("title", "summary", "body", "status", "campaign", "published_at")
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = NamedChoiceField(
            Campaign.objects.for_programme(programme).order_by("-starts_on", "title"), label=_("About the campaign"),
            required=False,
        )  # fmt: skip
        self.fields["published_at"].help_text = _(
            "Empty: the moment it is published. A later time schedules it: it appears on the public site from then."
        )
        self.fields["published_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
