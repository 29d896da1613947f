"""Forms of the work plan: they validate and normalise, never save (the services do)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trama.casework.models import Case
from trama.funding.models import FundingSource
from trama.mutualaid.models import Language
from trama.network.models import Organisation
from trama.people.models import HouseholdMember
from trama.territory.models import Municipality
from trama.work.models import (
    Contract,
    JobSeeker,
    Opening,
    Placement,
    Sector,
    Shift,
    Skill,
    WorkPathway,
    unpack_codes,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CODE_FIELDS = ("skills", "languages", "shifts", "desired_sectors")


def _codes(label: str, choices: list[tuple[str, Any]], **kwargs: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )


class MunicipalityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return obj.name


class SeekerForm(forms.ModelForm):
    skills = _codes(_("Skills"), Skill.choices)
    languages = _codes(_("Languages"), Language.choices)
    shifts = _codes(_("Available shifts"), Shift.choices)
    desired_sectors = _codes(_("Desired sectors"), Sector.choices)
    cv_file = forms.FileField(label=_("CV (PDF, at most 5 MB)"), required=False)

    class Meta:
        model = JobSeeker
        fields = (
            "municipality", "started_on", "education", "qualifications", "experience", "driving_licence", "has_car",
            "hours", "max_distance_km", "constraints",
        )  # fmt: skip
        widgets = {"started_on": DATE_INPUT, "experience": forms.Textarea(attrs={"rows": 3})}

    field_order = (
        "member", "municipality", "started_on", "skills", "education", "qualifications", "experience", "languages",
        "driving_licence", "has_car", "hours", "shifts", "max_distance_km", "constraints", "desired_sectors",
        "cv_file",
    )  # fmt: skip

    def __init__(
        self, *args: Any, municipalities: QuerySet[Municipality], cases: QuerySet[Case] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityChoice(queryset=municipalities, label=_("Lives in"))
        if self.instance.pk:
            for name in CODE_FIELDS:
                self.initial[name] = unpack_codes(getattr(self.instance, name))
        if cases is not None:
            members = (
                HouseholdMember.objects.filter(household__cases__in=cases, person__erased_at__isnull=True)
                .exclude(person__job_seeker_profiles__isnull=False)
                .select_related("person", "household")
                .order_by("household__label", "person__last_name", "person__first_name")
                .distinct()
            )
            case_by_household = {case.household_id: case for case in cases}
            self._member_choices = {
                f"{case_by_household[m.household_id].public_id}:{m.person.public_id}": (
                    case_by_household[m.household_id],
                    m,
                )
                for m in members
                if m.household_id in case_by_household
            }
            self.fields["member"] = forms.ChoiceField(
                label=_("Person followed by a case"),
                choices=[("", "—")]
                + [
                    (key, f"{member.person.first_name} {member.person.last_name} — {member.household.label}")
                    for key, (_case, member) in self._member_choices.items()
                ],
            )
        self.order_fields(self.field_order)

    def chosen(self) -> tuple[Case, Any]:
        case, member = self._member_choices[self.cleaned_data["member"]]
        return case, member.person

    def fields_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("member", None)
        data.pop("cv_file", None)
        return data


class OpeningFields(forms.ModelForm):
    skills = _codes(_("Skills required"), Skill.choices)
    shifts = _codes(_("Shifts"), Shift.choices)
    language = forms.ChoiceField(
        label=_("Language required"), required=False, choices=[("", _("none in particular")), *Language.choices]
    )

    class Meta:
        model = Opening
        fields = (
            "title", "sector", "description", "contract", "hours_per_week", "municipality", "workplace", "starts_on",
            "positions", "driving_licence_required", "contact_name", "contact_email", "contact_phone",
        )  # fmt: skip
        widgets = {"starts_on": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityChoice(queryset=municipalities, label=_("Municipality"))
        if self.instance.pk:
            for name in ("skills", "shifts"):
                self.initial[name] = unpack_codes(getattr(self.instance, name))


class OpeningForm(OpeningFields):
    company = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Company"))

    field_order = ("company", "title", "sector", "contract", "hours_per_week", "shifts", "skills")

    def __init__(self, *args: Any, companies: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.order_fields(self.field_order)


class PublicOpeningForm(OpeningFields):
    """The form a company fills in on the programme's public site."""

    HONEYPOT = "website"

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    consent = forms.BooleanField(
        label=_(
            "I agree that the programme's team uses these details to look for candidates and to contact me about "
            "this opening."
        ),
        error_messages={"required": _("To send the form, tick the box to accept the privacy notice.")},
    )

    field_order = ("company_name", "contact_name", "contact_email", "contact_phone", "title", "sector", "contract")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].required = True
        self.fields["contact_email"].required = True
        self.order_fields(self.field_order)

    def visible_fields_without_honeypot(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name != self.HONEYPOT]

    def fields_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("consent", self.HONEYPOT):
            data.pop(name, None)
        return data


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    municipality = MunicipalityChoice(queryset=Municipality.objects.none(), required=False, label=_("Municipality"))
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class ApproveForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Company"), required=False)
    register_new = forms.BooleanField(
        label=_("Register the company as sent, as a new company of the network"), required=False
    )

    def __init__(self, *args: Any, companies: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("company") and not data.get("register_new"):
            raise forms.ValidationError(_("Choose the company, or register it as a new one."))
        return data


class SourceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: FundingSource) -> str:
        return obj.name


class StepForm(forms.Form):
    """One move of the pipeline; only the fields of the chosen status are used."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(label=_("Next step"))
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    internship_start = forms.DateField(label=_("Internship start"), required=False, widget=DATE_INPUT)
    internship_end = forms.DateField(label=_("Internship end"), required=False, widget=DATE_INPUT)
    grant_amount = forms.DecimalField(
        label=_("Internship grant (€ per month)"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    grant_months = forms.IntegerField(label=_("Grant months"), required=False, min_value=1, max_value=12)
    grant_source = SourceChoice(queryset=FundingSource.objects.none(), required=False, label=_("Grant funded by"))
    hiring_contract = forms.ChoiceField(
        label=_("Hiring contract"),
        required=False,
        choices=[
            ("", "—"),
            (Contract.FIXED_TERM, Contract.FIXED_TERM.label),
            (Contract.PERMANENT, Contract.PERMANENT.label),
        ],
    )
    incentive_amount = forms.DecimalField(
        label=_("Hiring incentive (€)"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    incentive_source = SourceChoice(
        queryset=FundingSource.objects.none(), required=False, label=_("Incentive funded by")
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, allowed: tuple[str, ...], sources: QuerySet[FundingSource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Placement.Status.choices)
        self.fields["to_status"].choices = [(status, labels[status]) for status in allowed]
        self.fields["grant_source"].queryset = sources
        self.fields["incentive_source"].queryset = sources


class PathwayForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkPathway.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))
    skill = forms.ChoiceField(label=_("Skill gained"), required=False, choices=[("", "—"), *Skill.choices])
    start_date = forms.DateField(label=_("Start"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("End"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot be before the start."))
        return data


class SeekerStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=JobSeeker.Status.choices)
