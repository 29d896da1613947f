"""Forms of the pacts. Each lists its fields (S4: no status, owner or amount in force can be set
through them) and only validates and normalises; the services save and validate again. Amounts
and hours are exact decimals typed the Italian way ("12,30")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.activities.models import Activity
from trama.casework.models import Case
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.pacts.models import BudgetLine, Commitment, Pact, Review, ReviewItem, Signatory
from trama.pacts.money import euro
from trama.pacts.services.reviews import item_field
from trama.people.models import Person
from trama.people.uploads import clean_signed_form

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _money(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=Decimal("0.01"), localize=True, **kwargs
    )


def _hours(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=7, decimal_places=2, min_value=Decimal("0.01"), localize=True, **kwargs
    )


class NamedChoiceField(forms.ModelChoiceField):
    """Chosen by public id (never the row's integer), shown by name."""

    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        super().__init__(queryset=queryset, to_field_name="public_id", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return getattr(obj, "name", None) or getattr(obj, "title", None) or str(obj)


class CaseChoiceField(NamedChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.household.label} — {obj.household.municipality.name}"


class PersonChoiceField(NamedChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.first_name} {obj.last_name}"


class CaseForm(forms.Form):
    """Step one of drafting: the case the pact belongs to."""

    case = CaseChoiceField(Case.objects.none(), label=_("Case"))

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases


class PactTextFields(forms.Form):
    objectives = forms.CharField(
        label=_("Objectives"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In plain words, as the beneficiary would say them: what the pact is for, what should change."),
    )  # fmt: skip
    start_date = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Until"), widget=DATE_INPUT)
    scope = forms.ChoiceField(label=_("The pact is for"), choices=Pact.Scope.choices, widget=forms.RadioSelect)
    review_interval_months = forms.IntegerField(
        label=_("Review every (months)"), min_value=1, max_value=12, initial=3,
        help_text=_("How often you and the beneficiary look at the pact together."),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot be before the start."))
        return data


class PactCreateForm(PactTextFields):
    person = PersonChoiceField(Person.objects.none(), label=_("Beneficiary (who signs)"))

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.order_fields(["person", "scope", "objectives", "start_date", "end_date", "review_interval_months"])


class PactEditForm(PactTextFields):
    version = forms.IntegerField(widget=forms.HiddenInput)
    change_note = forms.CharField(
        label=_("What changes and why"), max_length=300, required=False,
        help_text=_("Shown on the new version, which the parties sign again."),
    )  # fmt: skip


class SignatoryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Who signs"), widget=forms.RadioSelect,
        choices=[(kind, label) for kind, label in Signatory.Kind.choices if kind in Signatory.COMMUNITY],
    )  # fmt: skip
    place = NamedChoiceField(CommunityPlace.objects.none(), label=_("Community place"), required=False)
    group = NamedChoiceField(CitizenGroup.objects.none(), label=_("Citizen group"), required=False)
    organisation = NamedChoiceField(Organisation.objects.none(), label=_("Organisation or company"), required=False)
    signer_name = forms.CharField(label=_("Who signs for it"), max_length=150, required=False)
    role_in_pact = forms.CharField(
        label=_("Role in the pact"), max_length=200, required=False,
        help_text=_("What they do for the pact, e.g. “welcomes the hours given back”."),
    )  # fmt: skip

    def __init__(self, *args: Any, places: QuerySet, groups: QuerySet, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["group"].queryset = groups
        self.fields["organisation"].queryset = organisations

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        field = {"place": "place", "group": "group", "partner": "organisation"}.get(data.get("kind", ""))
        if field and not data.get(field):
            self.add_error(field, _("Choose which one."))
        return data


class BudgetLineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=BudgetLine.Purpose.choices)
    description = forms.CharField(label=_("What for"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Funded by"), choices=BudgetLine.Source.choices)
    funder = NamedChoiceField(
        Organisation.objects.none(), label=_("Funding organisation"), required=False,
        help_text=_("Which foundation, municipality or partner. For fundraising it may stay empty."),
    )  # fmt: skip
    amount = _money(_("Amount (€)"))

    def __init__(self, *args: Any, funders: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders


class CommitmentForm(forms.Form):
    WHERE = [
        ("place", _("at a community place")),
        ("group", _("with a citizen group")),
        ("activity", _("in an activity")),
    ]

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = forms.CharField(
        label=_("What the beneficiary will do"), max_length=200,
        help_text=_("E.g. “helping at the Saturday homework club”."),
    )  # fmt: skip
    where = forms.ChoiceField(label=_("Where"), choices=WHERE, widget=forms.RadioSelect)
    place = NamedChoiceField(CommunityPlace.objects.none(), label=_("Community place"), required=False)
    group = NamedChoiceField(CitizenGroup.objects.none(), label=_("Citizen group"), required=False)
    activity = NamedChoiceField(Activity.objects.none(), label=_("Activity"), required=False)
    hours = _hours(_("Hours in all"))

    def __init__(self, *args: Any, places: QuerySet, groups: QuerySet, activities: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["group"].queryset = groups
        self.fields["activity"].queryset = activities

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        where = data.get("where")
        if where and not data.get(where):
            self.add_error(where, _("Choose which one."))
        return data

    def targets(self) -> dict[str, Any]:
        where = self.cleaned_data["where"]
        return {name: self.cleaned_data.get(name) if name == where else None for name in ("place", "group", "activity")}

    @staticmethod
    def initial_for(commitment: Commitment) -> dict[str, Any]:
        where = "place" if commitment.place_id else "group" if commitment.group_id else "activity"
        target = commitment.where
        return {
            "version": commitment.version, "description": commitment.description, "where": where,
            where: target.public_id, "hours": commitment.hours,
        }  # fmt: skip


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_INPUT)
    scan = forms.FileField(
        label=_("Signed copy"), required=False,
        help_text=_("The scan or photo of the signed pact: PDF, JPEG or PNG, at most 5 MB. You can also add it later."),
    )  # fmt: skip

    def clean_scan(self) -> Any:
        upload = self.cleaned_data.get("scan")
        return clean_signed_form(upload) if upload else None


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Signed copy"), help_text=_("PDF, JPEG or PNG, at most 5 MB."))

    def clean_scan(self) -> Any:
        return clean_signed_form(self.cleaned_data["scan"])


class StartForm(forms.Form):
    started_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)


class InterruptForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the pact is interrupted"), max_length=300,
        help_text=_("It stays on the pact: a family never leaves a pact without a reason on record."),
    )  # fmt: skip
    closed_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)


class LineChoiceField(NamedChoiceField):
    def label_from_instance(self, obj: BudgetLine) -> str:
        # `spent` is annotated by selectors.annotated_lines.
        return f"{obj.get_purpose_display()} — {euro(obj.signed_amount - obj.spent)}"


class DisbursementForm(forms.Form):
    budget_line = LineChoiceField(BudgetLine.objects.none(), label=_("Budget line (what remains)"))
    amount = _money(_("Amount (€)"))
    payee = forms.CharField(label=_("Paid to"), max_length=200, help_text=_("E.g. the landlord, the school."))
    description = forms.CharField(label=_("What it pays"), max_length=300)
    due_on = forms.DateField(label=_("Date of the expense"), widget=DATE_INPUT)

    def __init__(self, *args: Any, lines: QuerySet[BudgetLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines


class DecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))],
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason (required to refuse)"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == self.REFUSE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the request is refused."))
        return data


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_INPUT)
    receipt = forms.FileField(label=_("Receipt"), required=False, help_text=_("PDF, JPEG or PNG, at most 5 MB."))

    def clean_receipt(self) -> Any:
        upload = self.cleaned_data.get("receipt")
        return clean_signed_form(upload) if upload else None


class ReceiptForm(forms.Form):
    receipt = forms.FileField(label=_("Receipt"), help_text=_("PDF, JPEG or PNG, at most 5 MB."))

    def clean_receipt(self) -> Any:
        return clean_signed_form(self.cleaned_data["receipt"])


class ContributionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    hours = _hours(_("Hours"), max_value=Decimal(12))
    note = forms.CharField(label=_("What was done"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why the hours are not confirmed"), max_length=300)


class ReviewForm(forms.Form):
    """The review: its date, each commitment's outcome (with the reason when not met), the
    operator's assessment, and the decision on whether the pact continues."""

    reviewed_on = forms.DateField(label=_("Date of the review"), widget=DATE_INPUT)
    assessment = forms.CharField(
        label=_("Your assessment (only the case team reads it)"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    eligibility = forms.ChoiceField(label=_("May the pact continue?"), choices=Review.Eligibility.choices,
                                    widget=forms.RadioSelect)  # fmt: skip
    eligibility_reason = forms.CharField(
        label=_("Reason for the decision"), max_length=300, required=False,
        help_text=_("Required to interrupt the pact."),
    )  # fmt: skip

    def __init__(self, *args: Any, commitments: list[Commitment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commitments = commitments
        for commitment in commitments:
            self.fields[item_field(commitment, "outcome")] = forms.ChoiceField(
                label=_("Outcome"), choices=ReviewItem.Outcome.choices, widget=forms.RadioSelect
            )
            self.fields[item_field(commitment, "reason")] = forms.CharField(
                label=_("Why, if not met"), max_length=300, required=False
            )
        if not self.is_bound:
            self.initial.setdefault("reviewed_on", timezone.localdate())

    def items(self) -> list[tuple[Commitment, Any, Any]]:
        """Each commitment with its two bound fields, for the template."""
        return [(c, self[item_field(c, "outcome")], self[item_field(c, "reason")]) for c in self.commitments]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for commitment in self.commitments:
            outcome = data.get(item_field(commitment, "outcome"))
            if outcome and outcome != ReviewItem.Outcome.MET and not data.get(item_field(commitment, "reason")):
                self.add_error(item_field(commitment, "reason"), _("A commitment not met needs its reason."))
        if data.get("eligibility") == Review.Eligibility.INTERRUPT and not data.get("eligibility_reason"):
            self.add_error("eligibility_reason", _("Say why the pact is interrupted."))
        return data
